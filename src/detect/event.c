/* The event record: fields, scratch, lazy time, and the per-record format dispatch. */
#include "detect/event.h"

#include "core/time.h"

#include <stdio.h>
#include <string.h>

static const char *const format_names[] = {"auto", "rfc5424", "rfc3164", "cef",
                                           "json", "kv",      "text"};

int detect_format_parse(const char *s)
{
  for (size_t i = 0; i < FS_ARRAY_SIZE(format_names); i++)
    if (!strcmp(s, format_names[i]))
      return (int)i;
  return -1;
}

const char *detect_format_name(enum detect_format f)
{
  return (size_t)f < FS_ARRAY_SIZE(format_names) ? format_names[f] : "unknown";
}

void detect_event_reset(struct detect_event *ev, const char *raw, size_t raw_len)
{
  ev->format = DETECT_FMT_TEXT;
  ev->raw = raw;
  ev->raw_len = raw_len;
  ev->time_text = NULL;
  ev->time_len = 0;
  ev->time_is_3164 = false;
  ev->truncated = false;
  ev->msg_structured = false;
  ev->pri = -1;
  ev->nfields = 0;
  ev->scratch_used = 0;
}

int detect_event_add(struct detect_event *ev, const char *name, size_t name_len, const char *value,
                     size_t value_len, unsigned flags, struct fs_err *err)
{
  if (ev->nfields >= DETECT_MAX_FIELDS)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "", "more than %d fields", DETECT_MAX_FIELDS);
  if (name_len > UINT16_MAX || value_len > UINT32_MAX)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "", "field name or value too long");
  struct detect_field *f = &ev->fields[ev->nfields++];
  f->name = name;
  f->name_len = (uint16_t)name_len;
  f->value = value;
  f->value_len = (uint32_t)value_len;
  f->flags = (uint8_t)flags;
  f->reserved = 0;
  f->map_id = -1;
  return FS_OK;
}

char *detect_event_scratch(struct detect_event *ev, size_t n)
{
  if (n > sizeof(ev->scratch) - ev->scratch_used)
    return NULL;
  char *p = ev->scratch + ev->scratch_used;
  ev->scratch_used += n;
  return p;
}

const struct detect_field *detect_event_find(const struct detect_event *ev, const char *name,
                                             size_t name_len)
{
  for (size_t i = 0; i < ev->nfields; i++)
    if (ev->fields[i].name_len == name_len && !memcmp(ev->fields[i].name, name, name_len))
      return &ev->fields[i];
  return NULL;
}

static int32_t zone_offset_s(const struct detect_zone *zone, int64_t utc_ms)
{
  return zone && zone->offset_s ? zone->offset_s(zone->arg, utc_ms) : 0;
}

/* "Mmm dd hh:mm:ss" (day may be space-padded) in the zone (NULL: UTC), in the year that puts it at
 * most a month after ref_ms. */
static bool time_3164(const char *s, size_t n, int64_t ref_ms, const struct detect_zone *zone,
                      int64_t *out)
{
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (n < 15)
    return false;
  unsigned mon = 0;
  for (; mon < 12; mon++)
    if (!memcmp(s, months + 3 * mon, 3))
      break;
  if (mon == 12 || s[3] != ' ')
    return false;
  unsigned day = 0, hh, mm, ss;
  for (size_t i = 4; i < 6; i++) {
    if (s[i] == ' ' && i == 4)
      continue;
    if (s[i] < '0' || s[i] > '9')
      return false;
    day = day * 10 + (unsigned)(s[i] - '0');
  }
#define D2(i) ((unsigned)(s[i] - '0') * 10 + (unsigned)(s[(i) + 1] - '0'))
  for (size_t i = 7; i < 15; i++)
    if ((i == 9 || i == 12) ? s[i] != ':' : (s[i] < '0' || s[i] > '9'))
      return false;
  hh = D2(7);
  mm = D2(10);
  ss = D2(13);
#undef D2
  if (s[6] != ' ' || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
    return false;
  int64_t y;
  unsigned m_ref, d_ref;
  int64_t ref_local =
      ref_ms + (int64_t)zone_offset_s(zone, ref_ms) * 1000; /* the ref's year there */
  fs_civil_from_days((ref_local - (ref_local < 0 ? 86399999 : 0)) / 86400000, &y, &m_ref, &d_ref);
  for (int k = 0; k < 2; k++, y--) {
    int64_t local = (fs_days_from_civil(y, mon + 1, day) * 86400 + hh * 3600 + mm * 60 + ss) * 1000;
    /* The offset at that instant (daylight saving): first guessed with the offset of the
     * local time read as UTC, then taken at the instant that gives. */
    int64_t t = local - (int64_t)zone_offset_s(zone, local) * 1000;
    t = local - (int64_t)zone_offset_s(zone, t) * 1000;
    if (t <= ref_ms + 31LL * 86400000 || k == 1) {
      *out = t;
      return true;
    }
  }
  return false;
}

static int64_t time_text_ms(const char *s, size_t n, bool is_3164, int64_t ref_ms,
                            const struct detect_zone *zone, int64_t fallback_ms)
{
  int64_t t;
  if (!s)
    return fallback_ms;
  if (is_3164)
    return time_3164(s, n, ref_ms, zone, &t) ? t : fallback_ms;
  if (fs_time_parse_ms(s, n, &t, NULL) == FS_OK)
    return t;
  /* "YYYY-MM-DD HH:MM:SS[.fff]" (Sysmon UtcTime, many JSON logs): read as UTC. */
  char buf[40];
  if (n >= 19 && n < sizeof(buf) - 1 && s[10] == ' ') {
    memcpy(buf, s, n);
    buf[10] = 'T';
    buf[n] = 'Z';
    if (fs_time_parse_ms(buf, n + 1, &t, NULL) == FS_OK)
      return t;
  }
  return fallback_ms;
}

int64_t detect_time_text_ms(const char *s, size_t n, bool is_3164, int64_t now_ms,
                            int64_t fallback_ms)
{
  return time_text_ms(s, n, is_3164, now_ms, NULL, fallback_ms);
}

int64_t detect_event_time_ms(const struct detect_event *ev, int64_t now_ms, int64_t fallback_ms)
{
  return time_text_ms(ev->time_text, ev->time_len, ev->time_is_3164, now_ms, NULL, fallback_ms);
}

int64_t detect_event_time_zoned_ms(const struct detect_event *ev, int64_t year_ref_ms,
                                   const struct detect_zone *zone, int64_t fallback_ms)
{
  return time_text_ms(ev->time_text, ev->time_len, ev->time_is_3164, year_ref_ms, zone,
                      fallback_ms);
}

/* ---- per-record dispatch ------------------------------------------------------------------ */

static bool kv_key_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

/* True when most space-separated words of p (in its first 512 bytes) look like key=value: each
 * '=' right after a word of key characters is a pair, every space starts a word. */
static bool looks_like_kv(const char *p, size_t n)
{
  n = FS_MIN(n, 512);
  size_t words = 1, pairs = 0;
  for (const char *q = p, *end = p + n; (q = memchr(q, ' ', (size_t)(end - q))); q++)
    words++;
  for (const char *q = p, *end = p + n; (q = memchr(q, '=', (size_t)(end - q))); q++) {
    const char *k = q;
    while (k > p && kv_key_char(k[-1]))
      k--;
    pairs += k < q && (k == p || k[-1] == ' ');
  }
  return pairs >= 2 && pairs * 2 > words;
}

static bool starts_cef(const char *p, size_t n)
{
  return n >= 4 && !memcmp(p, "CEF:", 4);
}

/* After a syslog header: parses a CEF or key=value message into fields as well. */
static void parse_message(const char *msg, size_t n, struct detect_event *ev)
{
  size_t keep = ev->nfields;
  size_t keep_scratch = ev->scratch_used;
  int rc = -1;
  if (starts_cef(msg, n))
    rc = detect_parse_cef(msg, n, ev, NULL);
  else if (looks_like_kv(msg, n))
    rc = detect_parse_kv(msg, n, ev, NULL);
  if (rc == FS_OK) {
    /* The message is now fields: drop it as a field of its own (ev->raw still has it). */
    for (size_t i = 0; i < keep; i++)
      if (ev->fields[i].value == msg && ev->fields[i].name_len == 3 &&
          !memcmp(ev->fields[i].name, "msg", 3)) {
        memmove(&ev->fields[i], &ev->fields[i + 1], (ev->nfields - i - 1) * sizeof(ev->fields[0]));
        ev->nfields--;
        break;
      }
    ev->msg_structured = true;
  } else if (rc != -1) {
    ev->nfields = keep; /* the message stays plain text */
    ev->scratch_used = keep_scratch;
  }
}

static const struct detect_field *msg_field(const struct detect_event *ev)
{
  return detect_event_find(ev, "msg", 3);
}

int detect_parse_record(enum detect_format fmt, const char *p, size_t n, struct detect_event *ev,
                        struct fs_err *err)
{
  detect_event_reset(ev, p, n);
  if (n > DETECT_MAX_RECORD)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "byte 0", "record of %zu bytes (limit %u)", n,
                      DETECT_MAX_RECORD);
  if (fmt == DETECT_FMT_AUTO) {
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
      i++;
    if (i < n && p[i] == '{')
      fmt = DETECT_FMT_JSON;
    else if (i < n && p[i] == '<') {
      size_t j = i + 1;
      while (j < n && j < i + 5 && p[j] >= '0' && p[j] <= '9')
        j++;
      fmt = (j + 2 < n && p[j] == '>' && p[j + 1] >= '1' && p[j + 1] <= '9' &&
             (p[j + 2] == ' ' || (p[j + 2] >= '0' && p[j + 2] <= '9')))
                ? DETECT_FMT_RFC5424
                : DETECT_FMT_RFC3164;
    } else if (detect_syslog_file_line(p, n))
      fmt = DETECT_FMT_RFC3164; /* a line of /var/log/syslog: no PRI */
    else if (starts_cef(p + i, n - i))
      fmt = DETECT_FMT_CEF;
    else if (looks_like_kv(p, n))
      fmt = DETECT_FMT_KV;
    else
      fmt = DETECT_FMT_TEXT;
    int rc = detect_parse_record(fmt, p, n, ev, err);
    /* A 3164-looking line that is not syslog after all is still searchable text. */
    if (rc == FS_ERR_PARSE && (fmt == DETECT_FMT_RFC5424 || fmt == DETECT_FMT_RFC3164)) {
      detect_event_reset(ev, p, n);
      return detect_event_add(ev, "msg", 3, p, n, DETECT_FIELD_TEXT, err);
    }
    return rc;
  }
  ev->format = fmt;
  int rc;
  switch (fmt) {
  case DETECT_FMT_RFC5424:
    rc = detect_parse_rfc5424(p, n, ev, err);
    break;
  case DETECT_FMT_RFC3164:
    rc = detect_parse_rfc3164(p, n, ev, err);
    break;
  case DETECT_FMT_CEF: {
    /* CEF may come bare or behind any syslog header. */
    const char *c = n >= 4 ? memmem(p, n, "CEF:", 4) : NULL;
    if (!c)
      return fs_err_set(err, FS_ERR_PARSE, "byte 0", "no \"CEF:\" in the record");
    if (c != p && *p == '<') {
      struct fs_err ignored;
      if (detect_parse_record(DETECT_FMT_AUTO, p, n, ev, &ignored) == FS_OK && ev->msg_structured)
        return FS_OK;
      detect_event_reset(ev, p, n);
    }
    ev->format = fmt;
    rc = detect_parse_cef(c, n - (size_t)(c - p), ev, err);
    if (rc == FS_OK)
      ev->msg_structured = true;
    if (rc && err && c != p) {
      char where[48];
      snprintf(where, sizeof(where), "CEF at byte %zu", (size_t)(c - p));
      fs_err_wrap_where(err, where);
    }
    return rc;
  }
  case DETECT_FMT_JSON:
    return detect_parse_json(p, n, ev, err);
  case DETECT_FMT_KV:
    return detect_parse_kv(p, n, ev, err);
  case DETECT_FMT_TEXT:
  default:
    ev->format = DETECT_FMT_TEXT;
    return detect_event_add(ev, "msg", 3, p, n, DETECT_FIELD_TEXT, err);
  }
  if (rc == FS_OK) {
    const struct detect_field *m = msg_field(ev);
    if (m)
      parse_message(m->value, m->value_len, ev);
  }
  return rc;
}
