/* Scanning log files offline (`finshield scan`): inputs (plain, gzip, zstd, standard input),
 * records (lines, or multi-line JSON objects), parallel workers with output in input order,
 * deduplicated alerts as JSON lines, and the run's statistics. */
#ifndef FS_DETECT_SCAN_H
#define FS_DETECT_SCAN_H

#include "detect/worker.h"

/* ---- inputs ------------------------------------------------------------------------------- */

struct detect_input;
struct fs_progress;

/* Opens path ("-" is standard input); gzip and zstd are recognised by their magic bytes. */
int detect_input_open(const char *path, struct detect_input **out, struct fs_err *err);
/* When the input was last written (ms since the epoch): a regular file's modification time, or 0
 * for anything else (a pipe, a terminal). */
int64_t detect_input_mtime_ms(const struct detect_input *in);
/* Reads up to cap decompressed bytes; *got 0 means the end. Errors name the path. */
int detect_input_read(struct detect_input *in, char *buf, size_t cap, size_t *got,
                      struct fs_err *err);
/* Bytes read from the file so far (compressed bytes for gzip and zstd). */
uint64_t detect_input_consumed(const struct detect_input *in);
void detect_input_close(struct detect_input *in);

/* ---- the scan ----------------------------------------------------------------------------- */

/* Receives output bytes (alert lines) in input order. Return non-zero to stop. */
typedef int (*detect_write_fn)(void *arg, const char *data, size_t len);
/* Called for a record that did not parse ("file:line" in where). */
typedef void (*detect_parse_error_fn)(void *arg, const struct fs_err *err);

struct detect_scan_opts {
  enum detect_format format;
  unsigned threads;      /* threads in all (the calling one reads, and works when it can) */
  bool dedup;            /* one alert per (indicator or rule, key values) in the run */
  size_t max_event_text; /* bytes of the raw record copied into an alert (0: none) */
  struct detect_engine_view view;
  int64_t now_ms;
  /* Times without a zone (RFC 3164, as in /var/log/syslog) are read in this zone (NULL: UTC);
   * detect_scan_local_zone is the machine's (TZ). Their year is the one that puts them at most a
   * month after the file's modification time (now_ms for standard input). */
  const struct detect_zone *zone;
  detect_write_fn write;
  void *write_arg;
  detect_parse_error_fn on_parse_error; /* may be NULL */
  void *error_arg;
  struct fs_progress *progress; /* counts the bytes read from the files (the total is their size
                                   when all are regular files); NULL: none (core/progress.h) */
};

struct detect_scan_stats {
  uint64_t files, records, lines, bytes, alerts, duplicates, parse_errors;
  double seconds;     /* wall clock */
  double cpu_seconds; /* processor time of all threads (user and system) */
};

/* The local time zone (localtime_r: TZ, else /etc/localtime), for detect_scan_opts.zone. */
extern const struct detect_zone detect_scan_local_zone;

/* Scans the files in order. Stops at the first file that cannot be read (FS_ERR_IO, naming it)
 * or when write fails; statistics cover what was scanned. */
int detect_scan_files(const struct detect_scan_opts *o, const char *const *paths, size_t n,
                      struct detect_scan_stats *st, struct fs_err *err);

#endif
