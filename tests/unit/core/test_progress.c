/* Unit tests of core/progress: the wording in both languages (bytes and items, known and unknown
 * totals, percent, rate, time left, the closing line), at most one line an interval on a fake
 * clock, nothing for work shorter than an interval unless asked, NULL progress, and counting from
 * several threads at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/progress.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define MS 1000000LL
#define MIB (1024ULL * 1024ULL)

static const struct fs_progress_opts BYTES_EN = {
    .lang = FS_LANG_EN, .label_en = "backup", .label_zh = "備份", .unit = FS_PROGRESS_BYTES};
static const struct fs_progress_opts ITEMS_EN = {.lang = FS_LANG_EN,
                                                 .label_en = "import",
                                                 .label_zh = "匯入",
                                                 .unit = FS_PROGRESS_ITEMS,
                                                 .items_en = "objects",
                                                 .items_zh = "個物件"};

static const char *fmt(struct fs_progress_opts o, enum fs_lang lang, uint64_t done, uint64_t total,
                       int64_t ns, bool last)
{
  static char line[256];
  o.lang = lang;
  fs_progress_format(&o, done, total, ns, last, line, sizeof(line));
  return line;
}

static void test_wording(void **state)
{
  (void)state;
  /* bytes of a known total: percent, rate, time left */
  assert_string_equal(fmt(BYTES_EN, FS_LANG_EN, 12 * MIB, 40 * MIB, 2000 * MS, false),
                      "backup: 12.0 MiB of 40.0 MiB (30 %), 6.0 MiB/s, 5 s left");
  assert_string_equal(fmt(BYTES_EN, FS_LANG_ZH_TW, 12 * MIB, 40 * MIB, 2000 * MS, false),
                      "備份：12.0 MiB／40.0 MiB（30%），每秒 6.0 MiB，約剩 5 秒");
  /* small and large amounts */
  assert_string_equal(fmt(BYTES_EN, FS_LANG_EN, 512, 0, 1000 * MS, false),
                      "backup: 512 B, 512 B/s");
  assert_string_equal(fmt(BYTES_EN, FS_LANG_EN, 3ULL << 40, 0, 1000 * MS, false),
                      "backup: 3.0 TiB, 3.0 TiB/s");
  /* items of an unknown total: no percent, no time left */
  assert_string_equal(fmt(ITEMS_EN, FS_LANG_EN, 12000, 0, 4000 * MS, false),
                      "import: 12,000 objects, 3,000 objects/s");
  assert_string_equal(fmt(ITEMS_EN, FS_LANG_ZH_TW, 12000, 0, 4000 * MS, false),
                      "匯入：12,000 個物件，每秒 3,000 個物件");
  /* items of a known total; minutes and hours left */
  assert_string_equal(
      fmt(ITEMS_EN, FS_LANG_EN, 1200, 1234567, 1000 * MS, false),
      "import: 1,200 of 1,234,567 objects (0 %), 1,200 objects/s, 17 min 08 s left");
  assert_string_equal(fmt(ITEMS_EN, FS_LANG_ZH_TW, 100, 1000000, 1000 * MS, false),
                      "匯入：100／1,000,000 個物件（0%），每秒 100 個物件，約剩 2 小時 46 分");
  /* nothing done yet, or no time passed: no rate */
  assert_string_equal(fmt(ITEMS_EN, FS_LANG_EN, 0, 10, 0, false), "import: 0 of 10 objects (0 %)");
  /* the closing line: the time taken, the total only when the work stopped short of it */
  assert_string_equal(fmt(BYTES_EN, FS_LANG_EN, 40 * MIB, 40 * MIB, 4900 * MS, true),
                      "backup: 40.0 MiB in 4.9 s, 8.2 MiB/s");
  assert_string_equal(fmt(BYTES_EN, FS_LANG_ZH_TW, 40 * MIB, 40 * MIB, 4900 * MS, true),
                      "備份：40.0 MiB，費時 4.9 秒，每秒 8.2 MiB");
  assert_string_equal(fmt(ITEMS_EN, FS_LANG_EN, 7, 10, 125000 * MS, true),
                      "import: 7 of 10 objects in 2 min 05 s"); /* under one a second: no rate */
  /* a short buffer is cut, never overrun */
  char tiny[8];
  struct fs_progress_opts o = BYTES_EN;
  assert_int_equal(fs_progress_format(&o, MIB, 2 * MIB, MS, false, tiny, sizeof(tiny)), 7);
  assert_string_equal(tiny, "backup:");
}

/* ---- drawing, on a fake clock ---------------------------------------------------------------- */

struct screen {
  int64_t now;
  char lines[16][256];
  bool last[16];
  int n;
};

static int64_t fake_clock(void *arg)
{
  return ((struct screen *)arg)->now;
}

static void capture(void *arg, const char *line, bool last)
{
  struct screen *s = arg;
  assert_true(s->n < 16);
  snprintf(s->lines[s->n], sizeof(s->lines[0]), "%s", line);
  s->last[s->n++] = last;
}

static void start(struct fs_progress *p, struct screen *s, bool always)
{
  struct fs_progress_opts o = ITEMS_EN;
  o.clock = fake_clock;
  o.clock_arg = s;
  o.out = capture;
  o.out_arg = s;
  o.always = always;
  fs_progress_start(p, &o);
}

static void test_rate_limited(void **state)
{
  (void)state;
  struct screen s = {.now = 1000 * MS};
  struct fs_progress p;
  start(&p, &s, false);
  fs_progress_set_total(&p, 100);
  s.now += 100 * MS;
  fs_progress_add(&p, 10); /* before the first interval: nothing */
  assert_int_equal(s.n, 0);
  s.now += 150 * MS;
  fs_progress_add(&p, 10); /* 250 ms: the first line */
  assert_int_equal(s.n, 1);
  assert_string_equal(s.lines[0], "import: 20 of 100 objects (20 %), 80 objects/s, 1 s left");
  assert_false(s.last[0]);
  for (int i = 0; i < 4; i++) { /* within the next 250 ms: nothing more */
    s.now += 50 * MS;
    fs_progress_add(&p, 1);
  }
  assert_int_equal(s.n, 1);
  s.now += 50 * MS;
  fs_progress_add(&p, 6); /* 250 ms after the first line */
  assert_int_equal(s.n, 2);
  assert_string_equal(s.lines[1], "import: 30 of 100 objects (30 %), 60 objects/s, 1 s left");
  fs_progress_add_total(&p, 20);
  s.now += 1000 * MS;
  fs_progress_add(&p, 90);
  assert_string_equal(s.lines[2], "import: 120 of 120 objects (100 %), 80 objects/s");
  fs_progress_finish(&p);
  assert_int_equal(s.n, 4);
  assert_true(s.last[3]);
  assert_string_equal(s.lines[3], "import: 120 objects in 1.5 s, 80 objects/s");
}

static void test_short_work(void **state)
{
  (void)state;
  /* Shorter than an interval: no line at all ... */
  struct screen s = {.now = 0};
  struct fs_progress p;
  start(&p, &s, false);
  s.now = 100 * MS;
  fs_progress_add(&p, 3);
  fs_progress_finish(&p);
  assert_int_equal(s.n, 0);
  /* ... unless asked for (--progress): then the closing line. */
  start(&p, &s, true);
  s.now += 100 * MS;
  fs_progress_add(&p, 3);
  fs_progress_finish(&p);
  assert_int_equal(s.n, 1);
  assert_true(s.last[0]);
  assert_string_equal(s.lines[0], "import: 3 objects in 0.1 s, 30 objects/s");
  /* No progress at all: every call does nothing. */
  fs_progress_set_total(NULL, 5);
  fs_progress_add_total(NULL, 5);
  fs_progress_add(NULL, 5);
  fs_progress_finish(NULL);
}

/* ---- several threads counting at once ------------------------------------------------------- */

struct shared {
  struct fs_progress p;
  atomic_llong ticks; /* the fake clock: 1 ms a reading */
  atomic_int drawing; /* draws running now */
  atomic_int lines, overlaps;
};

static int64_t tick_clock(void *arg)
{
  return atomic_fetch_add(&((struct shared *)arg)->ticks, 1) * MS;
}

static void count_line(void *arg, const char *line, bool last)
{
  struct shared *sh = arg;
  if (atomic_fetch_add(&sh->drawing, 1))
    atomic_fetch_add(&sh->overlaps, 1);
  assert_non_null(strstr(line, "backup: "));
  (void)last;
  atomic_fetch_add(&sh->lines, 1);
  atomic_fetch_sub(&sh->drawing, 1);
}

static void *counter(void *arg)
{
  struct shared *sh = arg;
  for (int i = 0; i < 20000; i++)
    fs_progress_add(&sh->p, 3);
  return NULL;
}

static void test_threads(void **state)
{
  (void)state;
  static struct shared sh;
  atomic_init(&sh.ticks, 0);
  struct fs_progress_opts o = BYTES_EN;
  o.clock = tick_clock;
  o.clock_arg = &sh;
  o.out = count_line;
  o.out_arg = &sh;
  fs_progress_start(&sh.p, &o);
  fs_progress_set_total(&sh.p, 4 * 20000 * 3);
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    assert_int_equal(pthread_create(&t[i], NULL, counter, &sh), 0);
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  assert_int_equal(atomic_load(&sh.p.done), 4 * 20000 * 3);
  /* 80,000 clock readings of 1 ms: at most one line each 250 ms */
  int lines = atomic_load(&sh.lines);
  assert_true(lines >= 1 && lines <= 80000 / 250 + 1);
  assert_int_equal(atomic_load(&sh.overlaps), 0);
  fs_progress_finish(&sh.p);
  assert_int_equal(atomic_load(&sh.lines), lines + 1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wording),
      cmocka_unit_test(test_rate_limited),
      cmocka_unit_test(test_short_work),
      cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
