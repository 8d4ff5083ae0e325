/* RFC 6587 framing decoder: octet counting or LF, detected on the stream's first byte. */
#include "detect/framing.h"

#include "detect/event.h"

#include <stdio.h>
#include <string.h>

void detect_framer_init(struct detect_framer *f, size_t max_frame)
{
  memset(f, 0, sizeof(*f));
  f->max_frame = max_frame ? max_frame : DETECT_MAX_RECORD;
  f->in_count = true;
  fs_buf_init(&f->partial, f->max_frame);
}

void detect_framer_release(struct detect_framer *f)
{
  fs_buf_release(&f->partial);
}

size_t detect_framer_held(const struct detect_framer *f)
{
  return f->partial.cap;
}

static int fail(struct detect_framer *f, int code, uint64_t at, const char *msg, struct fs_err *err)
{
  char where[48];
  snprintf(where, sizeof(where), "stream byte %llu", (unsigned long long)at);
  (void)f;
  return fs_err_set(err, code, where, "%s", msg);
}

static int deliver(const char *p, size_t n, detect_frame_fn fn, void *arg)
{
  if (n && p[n - 1] == '\r')
    n--;
  return fn(arg, p, n);
}

/* Delivers the frame gathered in partial and empties it; a buffer grown past DETECT_FRAMER_KEEP
 * for a long frame is freed, not kept for the next frames. */
static int deliver_partial(struct detect_framer *f, detect_frame_fn fn, void *arg)
{
  int rc = deliver(f->partial.data, f->partial.len, fn, arg);
  if (f->partial.cap > DETECT_FRAMER_KEEP) {
    size_t max = f->partial.max;
    fs_buf_release(&f->partial);
    fs_buf_init(&f->partial, max);
  } else {
    fs_buf_reset(&f->partial);
  }
  return rc;
}

static int feed_lf(struct detect_framer *f, const char *data, size_t n, detect_frame_fn fn,
                   void *arg, struct fs_err *err)
{
  size_t i = 0;
  while (i < n) {
    const char *nl = memchr(data + i, '\n', n - i);
    size_t len = nl ? (size_t)(nl - (data + i)) : n - i;
    if (f->partial.len + len > f->max_frame)
      return fail(f, FS_ERR_TOO_LARGE, f->offset + i, "frame longer than the limit", err);
    if (!nl) {
      if (fs_buf_append(&f->partial, data + i, len))
        return fail(f, FS_ERR_NOMEM, f->offset + i, "out of memory", err);
      break;
    }
    int rc;
    if (f->partial.len) {
      if (fs_buf_append(&f->partial, data + i, len))
        return fail(f, FS_ERR_NOMEM, f->offset + i, "out of memory", err);
      rc = deliver_partial(f, fn, arg);
    } else {
      rc = deliver(data + i, len, fn, arg);
    }
    if (rc)
      return rc;
    i += len + 1;
  }
  return FS_OK;
}

static int feed_octet(struct detect_framer *f, const char *data, size_t n, detect_frame_fn fn,
                      void *arg, struct fs_err *err)
{
  size_t i = 0;
  while (i < n) {
    if (f->in_count) {
      char c = data[i];
      if (c >= '0' && c <= '9') {
        if (f->count_digits == 0 && c == '0')
          return fail(f, FS_ERR_PARSE, f->offset + i, "frame length starts with 0", err);
        f->count = f->count * 10 + (size_t)(c - '0');
        if (++f->count_digits > 10 || f->count > f->max_frame)
          return fail(f, FS_ERR_TOO_LARGE, f->offset + i, "frame longer than the limit", err);
        i++;
        continue;
      }
      if (c == '\n' && f->count_digits == 0) { /* tolerate a LF between frames */
        i++;
        continue;
      }
      if (c != ' ' || f->count_digits == 0)
        return fail(f, FS_ERR_PARSE, f->offset + i, "expected a frame length and a space", err);
      i++;
      f->in_count = false;
      f->want = f->count;
      f->count = 0;
      f->count_digits = 0;
      if (f->want == 0)
        return fail(f, FS_ERR_PARSE, f->offset + i, "frame length 0", err);
      continue;
    }
    size_t take = FS_MIN(f->want, n - i);
    int rc = FS_OK;
    if (!f->partial.len && take == f->want) {
      rc = deliver(data + i, take, fn, arg);
    } else {
      if (fs_buf_append(&f->partial, data + i, take))
        return fail(f, FS_ERR_NOMEM, f->offset + i, "out of memory", err);
      if (take == f->want)
        rc = deliver_partial(f, fn, arg);
    }
    i += take;
    f->want -= take;
    if (!f->want)
      f->in_count = true;
    if (rc)
      return rc;
  }
  return FS_OK;
}

int detect_framer_feed(struct detect_framer *f, const char *data, size_t n, detect_frame_fn fn,
                       void *arg, struct fs_err *err)
{
  if (!n)
    return FS_OK;
  if (f->mode == DETECT_FRAMING_UNKNOWN)
    f->mode = (data[0] >= '1' && data[0] <= '9') ? DETECT_FRAMING_OCTET : DETECT_FRAMING_LF;
  int rc = f->mode == DETECT_FRAMING_OCTET ? feed_octet(f, data, n, fn, arg, err)
                                           : feed_lf(f, data, n, fn, arg, err);
  f->offset += n;
  return rc;
}

int detect_framer_finish(struct detect_framer *f, detect_frame_fn fn, void *arg, struct fs_err *err)
{
  if (f->mode == DETECT_FRAMING_OCTET) {
    if (!f->in_count || f->count_digits)
      return fail(f, FS_ERR_PARSE, f->offset, "stream ended inside a frame", err);
    return FS_OK;
  }
  if (!f->partial.len)
    return FS_OK;
  return deliver_partial(f, fn, arg);
}
