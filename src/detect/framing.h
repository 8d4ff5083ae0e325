/* RFC 6587 syslog-over-TCP framing (and RFC 5425 over TLS): octet counting ("LEN SP MSG") or
 * LF-terminated frames, chosen per stream from its first byte. An incremental decoder: feed bytes
 * as they arrive, get whole frames back. No I/O; one decoder per connection. */
#ifndef FS_DETECT_FRAMING_H
#define FS_DETECT_FRAMING_H

#include "core/base.h"
#include "core/buf.h"
#include "core/err.h"

enum detect_framing { DETECT_FRAMING_UNKNOWN, DETECT_FRAMING_OCTET, DETECT_FRAMING_LF };

struct detect_framer {
  enum detect_framing mode; /* decided on the first byte: a digit means octet counting */
  size_t max_frame;         /* frames longer than this are an error (FS_ERR_TOO_LARGE) */
  size_t want;              /* octet counting: bytes still missing of the current frame */
  bool in_count;            /* octet counting: reading the length digits */
  size_t count;             /* the length being read */
  size_t count_digits;
  uint64_t offset;       /* bytes fed so far, for error positions */
  struct fs_buf partial; /* a frame split across feeds */
};

/* Called for each frame (without its LF or length prefix; a trailing CR is removed). The bytes
 * are valid only during the call. Return non-zero to stop; detect_framer_feed returns it. */
typedef int (*detect_frame_fn)(void *arg, const char *frame, size_t len);

/* Bytes a framer may keep between frames; a longer frame's buffer is freed once it is delivered,
 * so a connection holds a large buffer only while a long frame is coming in. */
#define DETECT_FRAMER_KEEP ((size_t)16 << 10)

/* Initializes f for a new stream; max_frame 0 means DETECT_MAX_RECORD. */
void detect_framer_init(struct detect_framer *f, size_t max_frame);
void detect_framer_release(struct detect_framer *f);
/* Bytes of memory the framer holds now (its buffer for a frame split across feeds). */
size_t detect_framer_held(const struct detect_framer *f);

/* Feeds n bytes. Calls fn for every frame completed. FS_OK, the callback's non-zero value, or an
 * error naming the stream offset: FS_ERR_PARSE (bad length prefix) or FS_ERR_TOO_LARGE (frame
 * over max_frame). After an error the stream cannot be resynchronised: close it. */
int detect_framer_feed(struct detect_framer *f, const char *data, size_t n, detect_frame_fn fn,
                       void *arg, struct fs_err *err);
/* At end of stream: delivers an unterminated LF frame, if any. FS_ERR_PARSE when an octet-counted
 * frame was cut short. */
int detect_framer_finish(struct detect_framer *f, detect_frame_fn fn, void *arg,
                         struct fs_err *err);

#endif
