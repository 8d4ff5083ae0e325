/* Syslog parsers: RFC 5424 (with structured data) and RFC 3164 (liberal), and what a syslog line
 * in a file looks like. Pure functions. */
#include "detect/event.h"

#include "core/time.h"

#include <stdio.h>
#include <string.h>

#define FAIL(at, ...) fs_err_set(err, FS_ERR_PARSE, where_byte(wbuf, at), __VA_ARGS__)

static const char *where_byte(char buf[32], size_t at)
{
  snprintf(buf, 32, "byte %zu", at);
  return buf;
}

static int add_lit(struct detect_event *ev, const char *name, const char *v, size_t n,
                   struct fs_err *err)
{
  return detect_event_add(ev, name, strlen(name), v, n, 0, err);
}

static int add_number(struct detect_event *ev, const char *name, unsigned v, struct fs_err *err)
{
  char *s = detect_event_scratch(ev, 3);
  if (!s)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "", "event scratch full");
  size_t len = 0;
  if (v >= 100)
    s[len++] = (char)('0' + v / 100);
  if (v >= 10)
    s[len++] = (char)('0' + v / 10 % 10);
  s[len++] = (char)('0' + v % 10);
  return detect_event_add(ev, name, strlen(name), s, len, DETECT_FIELD_NUMBER, err);
}

/* "<PRI>" at p[*i]; leaves *i after '>'. */
static int parse_pri(const char *p, size_t n, size_t *i, struct detect_event *ev,
                     struct fs_err *err)
{
  char wbuf[32];
  if (*i >= n || p[*i] != '<')
    return FAIL(*i, "expected '<' starting PRI");
  size_t j = *i + 1;
  unsigned v = 0;
  size_t digits = 0;
  while (j < n && p[j] >= '0' && p[j] <= '9' && digits < 4) {
    v = v * 10 + (unsigned)(p[j] - '0');
    j++;
    digits++;
  }
  if (!digits || digits > 3 || j >= n || p[j] != '>' || v > 191)
    return FAIL(*i, "PRI must be <0> to <191>");
  ev->pri = (int)v;
  *i = j + 1;
  int rc = add_number(ev, "syslog_facility", v / 8, err);
  return rc ? rc : add_number(ev, "syslog_severity", v % 8, err);
}

/* A header token of printable US-ASCII up to the next space: [*i, end). */
static int token(const char *p, size_t n, size_t *i, size_t max, const char *what, size_t *start,
                 size_t *len, struct fs_err *err)
{
  char wbuf[32];
  size_t s = *i;
  while (*i < n && p[*i] != ' ') {
    unsigned char c = (unsigned char)p[*i];
    if (c < 33 || c > 126)
      return FAIL(*i, "%s: character 0x%02x not allowed", what, c);
    (*i)++;
  }
  if (*i == s)
    return FAIL(s, "%s is empty", what);
  if (*i - s > max)
    return FAIL(s, "%s longer than %zu bytes", what, max);
  *start = s;
  *len = *i - s;
  return FS_OK;
}

static bool sd_name_char(unsigned char c)
{
  return c >= 33 && c <= 126 && c != '=' && c != ']' && c != '"';
}

/* Structured data "[id p="v" ...]..." at p[*i]. */
static int parse_sd(const char *p, size_t n, size_t *i, struct detect_event *ev, struct fs_err *err)
{
  char wbuf[32];
  while (*i < n && p[*i] == '[') {
    size_t id = ++*i;
    while (*i < n && sd_name_char((unsigned char)p[*i]))
      (*i)++;
    size_t id_len = *i - id;
    if (!id_len || id_len > 32)
      return FAIL(id, "SD-ID must be 1 to 32 characters");
    for (;;) {
      if (*i >= n)
        return FAIL(*i, "structured data not closed with ']'");
      if (p[*i] == ']') {
        (*i)++;
        break;
      }
      if (p[*i] != ' ')
        return FAIL(*i, "expected ' ' or ']' in structured data");
      size_t name = ++*i;
      while (*i < n && sd_name_char((unsigned char)p[*i]))
        (*i)++;
      size_t name_len = *i - name;
      if (!name_len || name_len > 32)
        return FAIL(name, "PARAM-NAME must be 1 to 32 characters");
      if (*i + 1 >= n || p[*i] != '=' || p[*i + 1] != '"')
        return FAIL(*i, "expected '=\"' after PARAM-NAME");
      *i += 2;
      size_t v = *i;
      bool escaped = false;
      while (*i < n && p[*i] != '"') {
        if (p[*i] == '\\' && *i + 1 < n) {
          escaped = true;
          (*i)++;
        }
        (*i)++;
      }
      if (*i >= n)
        return FAIL(v, "PARAM-VALUE not closed with '\"'");
      const char *val = p + v;
      size_t vlen = *i - v;
      (*i)++;
      if (escaped) { /* only \" \\ \] are escapes; any other backslash stays */
        char *out = detect_event_scratch(ev, vlen);
        if (!out)
          return fs_err_set(err, FS_ERR_TOO_LARGE, where_byte(wbuf, v), "event scratch full");
        size_t o = 0;
        for (size_t k = 0; k < vlen; k++) {
          if (val[k] == '\\' && k + 1 < vlen &&
              (val[k + 1] == '"' || val[k + 1] == '\\' || val[k + 1] == ']'))
            k++;
          out[o++] = val[k];
        }
        ev->scratch_used -= vlen - o;
        val = out;
        vlen = o;
      }
      char *fname = detect_event_scratch(ev, id_len + 1 + name_len);
      if (!fname)
        return fs_err_set(err, FS_ERR_TOO_LARGE, where_byte(wbuf, name), "event scratch full");
      memcpy(fname, p + id, id_len);
      fname[id_len] = '.';
      memcpy(fname + id_len + 1, p + name, name_len);
      int rc = detect_event_add(ev, fname, id_len + 1 + name_len, val, vlen, 0, err);
      if (rc)
        return rc;
    }
  }
  return FS_OK;
}

int detect_parse_rfc5424(const char *p, size_t n, struct detect_event *ev, struct fs_err *err)
{
  char wbuf[32];
  size_t i = 0;
  ev->format = DETECT_FMT_RFC5424;
  int rc = parse_pri(p, n, &i, ev, err);
  if (rc)
    return rc;
  if (i >= n || p[i] < '1' || p[i] > '9')
    return FAIL(i, "VERSION must follow PRI");
  while (i < n && p[i] >= '0' && p[i] <= '9')
    i++;
  static const struct {
    const char *name;
    size_t max;
  } hdr[] = {{"timestamp", 64}, {"hostname", 255}, {"appname", 48}, {"procid", 128}, {"msgid", 32}};
  for (size_t k = 0; k < FS_ARRAY_SIZE(hdr); k++) {
    if (i >= n || p[i] != ' ')
      return FAIL(i, "expected ' ' before %s", hdr[k].name);
    i++;
    size_t s = 0, len = 0;
    rc = token(p, n, &i, hdr[k].max, hdr[k].name, &s, &len, err);
    if (rc)
      return rc;
    if (len == 1 && p[s] == '-')
      continue;
    if (k == 0) {
      ev->time_text = p + s;
      ev->time_len = len;
    }
    rc = add_lit(ev, hdr[k].name, p + s, len, err);
    if (rc)
      return rc;
  }
  if (i >= n || p[i] != ' ')
    return FAIL(i, "expected ' ' before STRUCTURED-DATA");
  i++;
  if (i < n && p[i] == '-')
    i++;
  else if (i < n && p[i] == '[') {
    rc = parse_sd(p, n, &i, ev, err);
    if (rc)
      return rc;
  } else
    return FAIL(i, "STRUCTURED-DATA must be '-' or start with '['");
  if (i < n) {
    if (p[i] != ' ')
      return FAIL(i, "expected ' ' before MSG");
    i++;
    if (n - i >= 3 && !memcmp(p + i, "\xEF\xBB\xBF", 3))
      i += 3;
    if (i < n)
      return detect_event_add(ev, "msg", 3, p + i, n - i, DETECT_FIELD_TEXT, err);
  }
  return FS_OK;
}

/* ---- RFC 3164 ----------------------------------------------------------------------------- */

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* Length of a "Mmm dd hh:mm:ss" timestamp at p (optionally "Mmm dd yyyy hh:mm:ss"), or 0. */
static size_t bsd_time_len(const char *p, size_t n)
{
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (n < 15)
    return 0;
  bool month = false;
  for (size_t m = 0; m < 12 && !month; m++)
    month = !memcmp(p, months + 3 * m, 3);
  if (!month || p[3] != ' ' || !(is_digit(p[4]) || p[4] == ' ') || !is_digit(p[5]) || p[6] != ' ')
    return 0;
  const char *t = p + 7;
  size_t extra = 0;
  if (n >= 20 && is_digit(t[0]) && is_digit(t[1]) && is_digit(t[2]) && is_digit(t[3]) &&
      t[4] == ' ')
    extra = 5; /* a year, as some devices write it */
  t += extra;
  if ((size_t)(t - p) + 8 > n || !is_digit(t[0]) || !is_digit(t[1]) || t[2] != ':' ||
      !is_digit(t[3]) || !is_digit(t[4]) || t[5] != ':' || !is_digit(t[6]) || !is_digit(t[7]))
    return 0;
  size_t len = 15 + extra;
  while (len < n && (p[len] == '.' || is_digit(p[len]))) /* milliseconds */
    len++;
  return len;
}

/* Length of an RFC 3339 timestamp at p ("2026-01-02T03:04:05..."), or 0. */
static size_t iso_time_len(const char *p, size_t n)
{
  if (n < 19 || !is_digit(p[0]) || !is_digit(p[3]) || p[4] != '-' || p[7] != '-' ||
      (p[10] != 'T' && p[10] != 't') || p[13] != ':')
    return 0;
  size_t len = 0;
  while (len < n && p[len] != ' ')
    len++;
  return len;
}

bool detect_syslog_file_line(const char *p, size_t n)
{
  size_t tl = bsd_time_len(p, n);
  bool bsd = tl > 0;
  if (!bsd) {
    int64_t ms;
    tl = iso_time_len(p, n);
    if (tl && fs_time_parse_ms(p, tl, &ms, NULL))
      return false;
  }
  if (!tl || tl >= n || p[tl] != ' ')
    return false;
  if (bsd) /* "Mmm dd hh:mm:ss " starting a line: nothing else writes that */
    return true;
  /* An RFC 3339 time starts many kinds of log line: a syslog one has a hostname and a tag. */
  size_t h = tl + 1, w = h;
  while (w < n && p[w] != ' ')
    w++;
  if (w == h || w >= n)
    return false;
  size_t t = w + 1, e = t;
  while (e < n && p[e] != ' ' && e - t < 64)
    e++;
  return e - t >= 2 && p[e - 1] == ':' && (e == n || p[e] == ' ');
}

int detect_parse_rfc3164(const char *p, size_t n, struct detect_event *ev, struct fs_err *err)
{
  char wbuf[32];
  size_t i = 0;
  int rc;
  ev->format = DETECT_FMT_RFC3164;
  bool have_pri = n > 0 && p[0] == '<';
  if (have_pri && (rc = parse_pri(p, n, &i, ev, err)))
    return rc;
  size_t tl = bsd_time_len(p + i, n - i);
  bool bsd = tl > 0;
  if (!tl)
    tl = iso_time_len(p + i, n - i);
  if (!tl && !have_pri)
    return FAIL(i, "neither PRI nor timestamp");
  if (tl) {
    ev->time_text = p + i;
    ev->time_len = tl;
    ev->time_is_3164 = bsd && tl == 15;
    if ((rc = add_lit(ev, "timestamp", p + i, tl, err)))
      return rc;
    i += tl;
    while (i < n && p[i] == ' ')
      i++;
    /* HOSTNAME, unless the next word is already the tag ("app[12]:" or "app:") or CEF. */
    size_t w = i;
    while (w < n && p[w] != ' ' && p[w] != ':' && p[w] != '[')
      w++;
    bool is_tag = w < n && (p[w] == ':' || p[w] == '[');
    bool is_cef = n - i >= 4 && !memcmp(p + i, "CEF:", 4);
    if (!is_tag && !is_cef && w > i && w < n) {
      if ((rc = add_lit(ev, "hostname", p + i, w - i, err)))
        return rc;
      i = w;
      while (i < n && p[i] == ' ')
        i++;
    }
  }
  /* TAG: up to 32 alphanumerics (liberal: any of [A-Za-z0-9_./-]), optional [pid], then ':'. */
  size_t t = i;
  while (t < n && t - i < 48 &&
         ((p[t] >= 'a' && p[t] <= 'z') || (p[t] >= 'A' && p[t] <= 'Z') || is_digit(p[t]) ||
          p[t] == '_' || p[t] == '-' || p[t] == '.' || p[t] == '/'))
    t++;
  bool is_cef = n - i >= 4 && !memcmp(p + i, "CEF:", 4);
  if (t > i && t < n && !is_cef) {
    size_t tag_end = t, pid = 0, pid_len = 0;
    if (p[t] == '[') {
      pid = t + 1;
      size_t q = pid;
      while (q < n && q - pid < 128 && p[q] != ']' && p[q] != ' ')
        q++;
      if (q < n && p[q] == ']') {
        pid_len = q - pid;
        t = q + 1;
      }
    }
    if (t < n && p[t] == ':' && (t + 1 == n || p[t + 1] == ' ')) {
      if ((rc = add_lit(ev, "appname", p + i, tag_end - i, err)))
        return rc;
      if (pid_len && (rc = add_lit(ev, "procid", p + pid, pid_len, err)))
        return rc;
      i = t + 1;
      if (i < n && p[i] == ' ')
        i++;
    }
  }
  if (i < n)
    return detect_event_add(ev, "msg", 3, p + i, n - i, DETECT_FIELD_TEXT, err);
  return FS_OK;
}
