/* A parsed event (a flat list of named fields pointing into the record) and the pure parsers that
 * fill it: RFC 5424, RFC 3164, CEF, JSON (nested fields by dotted path), key=value, plain text. */
#ifndef FS_DETECT_EVENT_H
#define FS_DETECT_EVENT_H

#include "core/base.h"
#include "core/err.h"

/* Limits on what one record may contain (records come from outside). */
#define DETECT_MAX_FIELDS 512        /* fields per event */
#define DETECT_SCRATCH_SIZE 131072   /* bytes for unescaped values and built field names */
#define DETECT_MAX_DEPTH 64          /* JSON nesting */
#define DETECT_MAX_RECORD (1u << 20) /* bytes in one record (line or JSON value) */

enum detect_format {
  DETECT_FMT_AUTO,
  DETECT_FMT_RFC5424,
  DETECT_FMT_RFC3164,
  DETECT_FMT_CEF,
  DETECT_FMT_JSON,
  DETECT_FMT_KV,
  DETECT_FMT_TEXT, /* no structure: the whole record is the message */
};

/* "auto", "rfc5424", ...; -1 when unknown. */
int detect_format_parse(const char *s);
const char *detect_format_name(enum detect_format f);

enum detect_field_flags {
  DETECT_FIELD_NUMBER = 1 << 0, /* a JSON number (value is its text) */
  DETECT_FIELD_BOOL = 1 << 1,   /* a JSON true/false (value is "true"/"false") */
  DETECT_FIELD_NULL = 1 << 2,   /* a JSON null (value is empty) */
  DETECT_FIELD_TEXT = 1 << 3,   /* free text: a message to tokenise for indicators */
};

/* One field. name and value point into the record or into the event's scratch; neither is
 * NUL-terminated. A JSON array gives one field per element, all with the array's name. */
struct detect_field {
  const char *name;
  const char *value;
  uint32_t value_len;
  uint16_t name_len;
  uint8_t flags;
  uint8_t reserved;
  int32_t map_id; /* for the Sigma mapper: the field's id in a rule set, -1 when none */
};

struct detect_event {
  enum detect_format format; /* what the record turned out to be */
  const char *raw;           /* the record as given (not owned) */
  size_t raw_len;
  const char *time_text; /* the timestamp as written, or NULL; see detect_event_time_ms */
  size_t time_len;
  bool time_is_3164;   /* "Mmm dd hh:mm:ss": no year, no zone */
  bool truncated;      /* JSON: the input ended inside the value (more lines may follow) */
  bool msg_structured; /* the message was parsed into fields (CEF, key=value) */
  int pri;             /* syslog PRI, or -1 */
  size_t nfields;
  size_t scratch_used;
  struct detect_field fields[DETECT_MAX_FIELDS];
  char scratch[DETECT_SCRATCH_SIZE];
};

/* Empties ev for the next record (does not touch the arrays' contents). */
void detect_event_reset(struct detect_event *ev, const char *raw, size_t raw_len);
/* Appends a field. FS_ERR_TOO_LARGE past DETECT_MAX_FIELDS (or a name over 65535 bytes). */
int detect_event_add(struct detect_event *ev, const char *name, size_t name_len, const char *value,
                     size_t value_len, unsigned flags, struct fs_err *err);
/* n bytes of the event's scratch, or NULL when it is full. Valid until detect_event_reset. */
char *detect_event_scratch(struct detect_event *ev, size_t n);
/* The first field called name (name_len bytes), or NULL. */
const struct detect_field *detect_event_find(const struct detect_event *ev, const char *name,
                                             size_t name_len);
/* The zone of times written without one (RFC 3164 "Mmm dd hh:mm:ss", as rsyslog writes files):
 * offset_s gives the zone's offset from UTC, in seconds east, at the instant utc_ms (so daylight
 * saving is followed). Supplied by the caller (scan: the local time zone); parsers stay pure. */
struct detect_zone {
  int32_t (*offset_s)(void *arg, int64_t utc_ms);
  void *arg;
};

/* The event's time in ms since the epoch, or `fallback_ms` when it has none or it does not parse.
 * RFC 3164 times (no year, no zone) are read as UTC in the year that puts them at most one month
 * after now_ms. */
int64_t detect_event_time_ms(const struct detect_event *ev, int64_t now_ms, int64_t fallback_ms);
/* The same, with RFC 3164 times read in `zone` (NULL: UTC) and in the year that puts them at
 * most one month after year_ref_ms (for a file: its modification time, when it was last
 * written). */
int64_t detect_event_time_zoned_ms(const struct detect_event *ev, int64_t year_ref_ms,
                                   const struct detect_zone *zone, int64_t fallback_ms);
/* The same for a timestamp text of n bytes (RFC 3339, "YYYY-MM-DD HH:MM:SS[.f]" as UTC, or when
 * is_3164 "Mmm dd hh:mm:ss"). */
int64_t detect_time_text_ms(const char *s, size_t n, bool is_3164, int64_t now_ms,
                            int64_t fallback_ms);

/* ---- parsers: bytes in, fields out, or FS_ERR_PARSE / FS_ERR_TOO_LARGE with "byte N" ------- *
 * Each appends to ev (call detect_event_reset first) and never allocates or reads anything but
 * p[0..n). Field values point into p, so p must outlive the event's use. */

/* RFC 5424: header fields syslog_facility, syslog_severity, timestamp, hostname, appname, procid,
 * msgid (nil values left out), structured data as "<SD-ID>.<PARAM-NAME>", and msg (BOM removed). */
int detect_parse_rfc5424(const char *p, size_t n, struct detect_event *ev, struct fs_err *err);
/* RFC 3164, liberally: optional PRI, "Mmm dd hh:mm:ss" or an RFC 3339 timestamp, optional
 * hostname, optional "tag[pid]:", and msg. Fails only without a usable PRI or timestamp. */
int detect_parse_rfc3164(const char *p, size_t n, struct detect_event *ev, struct fs_err *err);
/* Whether a record without PRI is a syslog line as syslog daemons write it to files (Debian's
 * /var/log/syslog by rsyslog): "Mmm dd hh:mm:ss " (traditional format), or an RFC 3339 time
 * followed by a hostname and a "tag:" ("2026-12-06T01:00:01.123456+08:00 host app[42]: ...",
 * rsyslog's newer default). Reads p[0..n) only. */
bool detect_syslog_file_line(const char *p, size_t n);
/* CEF from "CEF:" on: header fields cefVersion, deviceVendor, deviceProduct, deviceVersion,
 * deviceEventClassId, name, severity, then each extension key; csN/cnN/... values are also given
 * under their csNLabel names. */
int detect_parse_cef(const char *p, size_t n, struct detect_event *ev, struct fs_err *err);
/* A JSON object; nested members are named by dotted path ("Event.System.EventID"). Sets
 * ev->truncated when the input ends inside the value. */
int detect_parse_json(const char *p, size_t n, struct detect_event *ev, struct fs_err *err);
/* key=value pairs separated by spaces or commas, values optionally quoted ("..." or '...').
 * Words that are not pairs are ignored. Fails when there is no pair at all. */
int detect_parse_kv(const char *p, size_t n, struct detect_event *ev, struct fs_err *err);

/* Parses one record in the given format. AUTO chooses per record: JSON for '{', RFC 5424 or 3164
 * for '<PRI>', RFC 3164 for a syslog file line (detect_syslog_file_line), CEF for "CEF:",
 * key=value when most words are pairs, else plain text. A syslog message that is CEF or
 * key=value is parsed into fields too. */
int detect_parse_record(enum detect_format fmt, const char *p, size_t n, struct detect_event *ev,
                        struct fs_err *err);

#endif
