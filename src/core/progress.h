/* Progress of long work, for a person who waits: one line such as
 *   "backup: 12.3 MiB of 40.0 MiB (30 %), 8.1 MiB/s, 3 s left"
 *   "備份：12.3 MiB／40.0 MiB（30%），每秒 8.1 MiB，約剩 3 秒"
 * in the user's language, with bytes or items done, the total when it is known, the rate and the
 * time left.
 *
 * Pure: the time comes from a clock callback and every line goes to an output callback, so the
 * CLI decides where it is drawn (standard error when it is a terminal, cli/progress.h) and tests
 * drive it with a fake clock. Work loops (vault, intel, taxii, detect) only count: they take a
 * `struct fs_progress *` that may be NULL (then every call does nothing), and call
 * fs_progress_add from any thread. A line is drawn at most once an interval (250 ms by default:
 * four a second), by whichever thread counts first after the interval has passed, and never
 * before the first interval (work shorter than that shows nothing); fs_progress_finish draws the
 * last line with the time taken. Counting allocates nothing and takes no lock. */
#ifndef FS_CORE_PROGRESS_H
#define FS_CORE_PROGRESS_H

#include "core/base.h"
#include "core/i18n.h"

#include <stdatomic.h>

enum fs_progress_unit { FS_PROGRESS_BYTES, FS_PROGRESS_ITEMS };

/* Monotonic time in nanoseconds. */
typedef int64_t (*fs_progress_clock_fn)(void *arg);
/* Receives a line (no newline, no terminal control); `last` for the one fs_progress_finish
 * draws. */
typedef void (*fs_progress_out_fn)(void *arg, const char *line, bool last);

struct fs_progress_opts {
  enum fs_lang lang;
  const char *label_en, *label_zh; /* what is being done: "backup", "備份" */
  enum fs_progress_unit unit;
  const char *items_en, *items_zh; /* FS_PROGRESS_ITEMS: "objects", "個物件" */
  int64_t interval_ns;             /* the least time between two lines; 0: 250 ms */
  bool always;                     /* finish draws the last line even when no line was drawn */
  fs_progress_clock_fn clock;      /* NULL: fs_time_mono_ns */
  void *clock_arg;
  fs_progress_out_fn out;
  void *out_arg;
};

struct fs_progress {
  struct fs_progress_opts o;
  int64_t start_ns;
  _Atomic uint64_t done, total;
  _Atomic int64_t next_ns; /* when the next line may be drawn */
  atomic_flag busy;        /* a thread is drawing */
  atomic_bool drawn;       /* a line was drawn */
};

/* Starts counting now (nothing is drawn yet). */
void fs_progress_start(struct fs_progress *p, const struct fs_progress_opts *o);
/* Sets the total (0: unknown, the default) or adds to it, as the work learns its size. */
void fs_progress_set_total(struct fs_progress *p, uint64_t total);
void fs_progress_add_total(struct fs_progress *p, uint64_t n);
/* Counts n more bytes or items done; draws a line when the interval has passed. */
void fs_progress_add(struct fs_progress *p, uint64_t n);
/* Draws the last line (done, time taken, rate) when a line was drawn before or opts.always is
 * set. Call it once, after every counting thread has stopped. */
void fs_progress_finish(struct fs_progress *p);

/* The line for `done` of `total` (0: unknown) after elapsed_ns; `last`: the closing line. Returns
 * its length (truncated to n - 1 bytes). */
size_t fs_progress_format(const struct fs_progress_opts *o, uint64_t done, uint64_t total,
                          int64_t elapsed_ns, bool last, char *out, size_t n);

#endif
