/* Times: RFC 3339 parsing and formatting, UTC storage, Asia/Taipei and ROC-calendar display, and a
 * clock that tests can move. All stored times are UTC; milliseconds since the Unix epoch unless a
 * name says otherwise. */
#ifndef FS_CORE_TIME_H
#define FS_CORE_TIME_H

#include "core/base.h"
#include "core/err.h"

/* A point in time with nanosecond precision (STIX keeps any fraction it receives). */
struct fs_time {
  int64_t sec;        /* seconds since 1970-01-01T00:00:00Z */
  int32_t nsec;       /* 0 .. 999,999,999 */
  int8_t frac_digits; /* fraction digits as written (0..9), for faithful re-formatting */
};

#define FS_TIME_TAIPEI_OFFSET_MIN (8 * 60) /* Asia/Taipei: UTC+8, no daylight saving since 1979 */

enum fs_time_flags {
  FS_TIME_REQUIRE_Z = 1 << 0, /* only "Z" as the zone (STIX), no numeric offset */
};

/* Parses an RFC 3339 date-time of exactly len bytes. On error fills err with the byte offset. */
int fs_time_parse(const char *s, size_t len, unsigned flags, struct fs_time *out,
                  struct fs_err *err);
/* Same, to milliseconds since the epoch (the fraction beyond milliseconds is truncated). */
int fs_time_parse_ms(const char *s, size_t len, int64_t *ms_out, struct fs_err *err);

/* Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 bytes + NUL) into out, which must hold 32 bytes. */
void fs_time_format_ms(int64_t ms, char out[32]);
/* Writes t in UTC with its own fraction digits ("...:SS.123456Z", or none when 0). out: 40 bytes.
 */
void fs_time_format(const struct fs_time *t, char out[40]);
/* Writes local time at the given offset: "YYYY-MM-DD HH:MM:SS +08:00"; out: 40 bytes. When roc
 * is true the year is shown in the ROC calendar ("民國115年11月28日 04:22:25"). */
void fs_time_format_local(int64_t ms, int offset_min, bool roc, char out[48]);

/* Compares two times: <0, 0, >0. */
int fs_time_cmp(const struct fs_time *a, const struct fs_time *b);
int64_t fs_time_to_ms(const struct fs_time *t);

/* Days since the epoch for a civil date and back (proleptic Gregorian). */
int64_t fs_days_from_civil(int64_t y, unsigned m, unsigned d);
void fs_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* The wall clock, in milliseconds since the epoch. */
int64_t fs_time_now_ms(void);
/* Monotonic clock in nanoseconds, for durations. */
int64_t fs_time_mono_ns(void);
/* The realtime clock ms milliseconds from now, as pthread_cond_timedwait wants its deadline. */
struct timespec;
void fs_time_realtime_after(struct timespec *out, int64_t ms);

/* A clock that callers can move for tests and drills. The hub reads `now` through one of these,
 * never through fs_time_now_ms directly, so that a simulated time reaches every module. */
struct fs_clock {
  int64_t offset_ms;         /* added to the wall clock */
  const char *override_file; /* when set and readable: an RFC 3339 time read on every call */
};

int64_t fs_clock_now_ms(const struct fs_clock *c);

#endif
