/* RFC 3339 times, civil-date arithmetic and clocks. */
#include "core/time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t fs_days_from_civil(int64_t y, unsigned m, unsigned d)
{
  /* Howard Hinnant's days_from_civil. */
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

void fs_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = (int64_t)yoe + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

static bool is_leap(int64_t y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
  static const unsigned dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static int digits(const char *s, size_t len, size_t pos, size_t n, int *out)
{
  if (pos + n > len)
    return -1;
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[pos + i];
    if (c < '0' || c > '9')
      return -1;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return 0;
}

static int bad_time(struct fs_err *err, size_t pos, const char *what)
{
  char where[48];
  snprintf(where, sizeof(where), "byte %zu", pos);
  return fs_err_set(err, FS_ERR_PARSE, where, "invalid RFC 3339 time: %s", what);
}

int fs_time_parse(const char *s, size_t len, unsigned flags, struct fs_time *out,
                  struct fs_err *err)
{
  int y, mo, d, h, mi, sec;
  size_t p = 0;
  if (digits(s, len, 0, 4, &y) || len < 5 || s[4] != '-')
    return bad_time(err, 0, "expected YYYY-");
  if (digits(s, len, 5, 2, &mo) || len < 8 || s[7] != '-')
    return bad_time(err, 5, "expected MM-");
  if (digits(s, len, 8, 2, &d))
    return bad_time(err, 8, "expected DD");
  if (len < 11 || (s[10] != 'T' && s[10] != 't'))
    return bad_time(err, 10, "expected 'T'");
  if (digits(s, len, 11, 2, &h) || len < 14 || s[13] != ':')
    return bad_time(err, 11, "expected hh:");
  if (digits(s, len, 14, 2, &mi) || len < 17 || s[16] != ':')
    return bad_time(err, 14, "expected mm:");
  if (digits(s, len, 17, 2, &sec))
    return bad_time(err, 17, "expected ss");
  if (mo < 1 || mo > 12)
    return bad_time(err, 5, "month out of range");
  if (d < 1 || (unsigned)d > days_in_month(y, (unsigned)mo))
    return bad_time(err, 8, "day out of range");
  if (h > 23)
    return bad_time(err, 11, "hour out of range");
  if (mi > 59)
    return bad_time(err, 14, "minute out of range");
  if (sec > 60)
    return bad_time(err, 17, "second out of range");
  p = 19;
  int32_t nsec = 0;
  int8_t nd = 0;
  if (p < len && s[p] == '.') {
    p++;
    size_t start = p;
    while (p < len && s[p] >= '0' && s[p] <= '9') {
      if (nd < 9) {
        nsec = nsec * 10 + (s[p] - '0');
        nd++;
      }
      p++;
    }
    if (p == start)
      return bad_time(err, p, "expected fraction digits after '.'");
    for (int i = nd; i < 9; i++)
      nsec *= 10;
  }
  int offset_min = 0;
  if (p < len && (s[p] == 'Z' || s[p] == 'z')) {
    p++;
  } else if (p < len && (s[p] == '+' || s[p] == '-')) {
    if (flags & FS_TIME_REQUIRE_Z)
      return bad_time(err, p, "time must be in UTC with 'Z'");
    int oh, om;
    if (digits(s, len, p + 1, 2, &oh) || p + 3 >= len || s[p + 3] != ':' ||
        digits(s, len, p + 4, 2, &om) || oh > 23 || om > 59)
      return bad_time(err, p, "bad zone offset, expected +hh:mm");
    offset_min = (oh * 60 + om) * (s[p] == '-' ? -1 : 1);
    p += 6;
  } else {
    return bad_time(err, p, "expected 'Z' or a zone offset");
  }
  if (p != len)
    return bad_time(err, p, "unexpected characters after the time");
  if (sec == 60)
    sec = 59; /* a leap second is kept as the last second of its minute */
  int64_t days = fs_days_from_civil(y, (unsigned)mo, (unsigned)d);
  out->sec = days * 86400 + h * 3600 + mi * 60 + sec - (int64_t)offset_min * 60;
  out->nsec = nsec;
  out->frac_digits = nd;
  return FS_OK;
}

int fs_time_parse_ms(const char *s, size_t len, int64_t *ms_out, struct fs_err *err)
{
  struct fs_time t;
  int rc = fs_time_parse(s, len, 0, &t, err);
  if (rc)
    return rc;
  *ms_out = fs_time_to_ms(&t);
  return FS_OK;
}

int64_t fs_time_to_ms(const struct fs_time *t)
{
  return t->sec * 1000 + t->nsec / 1000000;
}

int fs_time_cmp(const struct fs_time *a, const struct fs_time *b)
{
  if (a->sec != b->sec)
    return a->sec < b->sec ? -1 : 1;
  if (a->nsec != b->nsec)
    return a->nsec < b->nsec ? -1 : 1;
  return 0;
}

static void split(int64_t sec, int64_t *y, unsigned *mo, unsigned *d, unsigned *h, unsigned *mi,
                  unsigned *s)
{
  int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
  int64_t rem = sec - days * 86400;
  fs_civil_from_days(days, y, mo, d);
  *h = (unsigned)(rem / 3600);
  *mi = (unsigned)(rem % 3600 / 60);
  *s = (unsigned)(rem % 60);
}

void fs_time_format_ms(int64_t ms, char out[32])
{
  int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  unsigned msec = (unsigned)(ms - sec * 1000);
  int64_t y;
  unsigned mo, d, h, mi, s;
  split(sec, &y, &mo, &d, &h, &mi, &s);
  snprintf(out, 32, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, mo, d, h, mi, s, msec);
}

void fs_time_format(const struct fs_time *t, char out[40])
{
  int64_t y;
  unsigned mo, d, h, mi, s;
  split(t->sec, &y, &mo, &d, &h, &mi, &s);
  int n = snprintf(out, 40, "%04lld-%02u-%02uT%02u:%02u:%02u", (long long)y, mo, d, h, mi, s);
  int nd = t->frac_digits;
  if (nd > 0) {
    char frac[10];
    snprintf(frac, sizeof(frac), "%09d", (int)t->nsec);
    n += snprintf(out + n, (size_t)(40 - n), ".%.*s", nd, frac);
  }
  snprintf(out + n, (size_t)(40 - n), "Z");
}

void fs_time_format_local(int64_t ms, int offset_min, bool roc, char out[48])
{
  int64_t sec = (ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000)) + (int64_t)offset_min * 60;
  int64_t y;
  unsigned mo, d, h, mi, s;
  split(sec, &y, &mo, &d, &h, &mi, &s);
  if (roc) {
    snprintf(out, 48, "民國%lld年%u月%u日 %02u:%02u:%02u", (long long)(y - 1911), mo, d, h, mi, s);
  } else {
    int off = offset_min < 0 ? -offset_min : offset_min;
    snprintf(out, 48, "%04lld-%02u-%02u %02u:%02u:%02u %c%02d:%02d", (long long)y, mo, d, h, mi, s,
             offset_min < 0 ? '-' : '+', off / 60, off % 60);
  }
}

int64_t fs_time_now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t fs_time_mono_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void fs_time_realtime_after(struct timespec *out, int64_t ms)
{
  clock_gettime(CLOCK_REALTIME, out);
  out->tv_sec += (time_t)(ms / 1000);
  out->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (out->tv_nsec >= 1000000000L) {
    out->tv_sec++;
    out->tv_nsec -= 1000000000L;
  }
}

int64_t fs_clock_now_ms(const struct fs_clock *c)
{
  if (!c)
    return fs_time_now_ms();
  if (c->override_file) {
    FILE *f = fopen(c->override_file, "r");
    if (f) {
      char line[64];
      size_t n = fread(line, 1, sizeof(line) - 1, f);
      fclose(f);
      while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
        n--;
      int64_t ms;
      if (fs_time_parse_ms(line, n, &ms, NULL) == FS_OK)
        return ms + c->offset_ms;
    }
  }
  return fs_time_now_ms() + c->offset_ms;
}
