/* The progress line of long work: counting with atomics, a line at most once an interval, the
 * wording in English or Traditional Chinese. */
#include "core/progress.h"

#include "core/time.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_INTERVAL_NS 250000000LL /* four lines a second */

static int64_t now_ns(const struct fs_progress *p)
{
  return p->o.clock ? p->o.clock(p->o.clock_arg) : fs_time_mono_ns();
}

static int64_t interval(const struct fs_progress *p)
{
  return p->o.interval_ns > 0 ? p->o.interval_ns : DEFAULT_INTERVAL_NS;
}

void fs_progress_start(struct fs_progress *p, const struct fs_progress_opts *o)
{
  p->o = *o;
  p->start_ns = now_ns(p);
  atomic_init(&p->done, 0);
  atomic_init(&p->total, 0);
  atomic_init(&p->next_ns, p->start_ns + interval(p));
  atomic_flag_clear(&p->busy);
  atomic_init(&p->drawn, false);
}

void fs_progress_set_total(struct fs_progress *p, uint64_t total)
{
  if (p)
    atomic_store_explicit(&p->total, total, memory_order_relaxed);
}

void fs_progress_add_total(struct fs_progress *p, uint64_t n)
{
  if (p)
    atomic_fetch_add_explicit(&p->total, n, memory_order_relaxed);
}

static void draw(struct fs_progress *p, uint64_t done, int64_t now, bool last)
{
  char line[256];
  fs_progress_format(&p->o, done, atomic_load_explicit(&p->total, memory_order_relaxed),
                     now - p->start_ns, last, line, sizeof(line));
  if (p->o.out)
    p->o.out(p->o.out_arg, line, last);
}

void fs_progress_add(struct fs_progress *p, uint64_t n)
{
  if (!p)
    return;
  uint64_t done = atomic_fetch_add_explicit(&p->done, n, memory_order_relaxed) + n;
  int64_t now = now_ns(p);
  int64_t next = atomic_load_explicit(&p->next_ns, memory_order_relaxed);
  /* One thread claims each interval; a draw still running keeps the others out. */
  if (now < next || !atomic_compare_exchange_strong(&p->next_ns, &next, now + interval(p)))
    return;
  if (atomic_flag_test_and_set(&p->busy))
    return;
  draw(p, done, now, false);
  atomic_store(&p->drawn, true);
  atomic_flag_clear(&p->busy);
}

void fs_progress_finish(struct fs_progress *p)
{
  if (!p || (!atomic_load(&p->drawn) && !p->o.always))
    return;
  draw(p, atomic_load(&p->done), now_ns(p), true);
}

/* ---- wording --------------------------------------------------------------------------------- */

struct out {
  char *p;
  size_t n, len;
};

static void put(struct out *o, const char *fmt, ...) FS_PRINTF(2, 3);
static void put(struct out *o, const char *fmt, ...)
{
  if (o->len + 1 >= o->n)
    return;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(o->p + o->len, o->n - o->len, fmt, ap);
  va_end(ap);
  if (k > 0)
    o->len = FS_MIN(o->len + (size_t)k, o->n - 1);
}

/* 1234567 as "1,234,567". */
static void put_count(struct out *o, uint64_t v)
{
  char digits[24];
  int k = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
  for (int i = 0; i < k; i++) {
    if (i && (k - i) % 3 == 0)
      put(o, ",");
    put(o, "%c", digits[i]);
  }
}

static void put_bytes(struct out *o, double b)
{
  static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (b < 1024) {
    put(o, "%.0f B", b);
    return;
  }
  size_t u = 0;
  for (b /= 1024; b >= 1024 && u + 1 < FS_ARRAY_SIZE(units); b /= 1024)
    u++;
  put(o, "%.1f %s", b, units[u]);
}

/* A duration: "42 s", "3 min 05 s", "2 h 07 min" (tenths under a minute when `tenths`). */
static void put_time(struct out *o, enum fs_lang lang, double s, bool tenths)
{
  if (s < 59.95 && tenths) {
    put(o, FS_TR(lang, "%.1f s", "%.1f 秒"), s);
    return;
  }
  uint64_t t = (uint64_t)(s + 0.5);
  if (t < 60)
    put(o, FS_TR(lang, "%llu s", "%llu 秒"), (unsigned long long)t);
  else if (t < 3600)
    put(o, FS_TR(lang, "%llu min %02llu s", "%llu 分 %02llu 秒"), (unsigned long long)(t / 60),
        (unsigned long long)(t % 60));
  else
    put(o, FS_TR(lang, "%llu h %02llu min", "%llu 小時 %02llu 分"), (unsigned long long)(t / 3600),
        (unsigned long long)(t / 60 % 60));
}

static void put_amount(struct out *o, const struct fs_progress_opts *op, double v)
{
  if (op->unit == FS_PROGRESS_BYTES)
    put_bytes(o, v);
  else
    put_count(o, (uint64_t)v);
}

size_t fs_progress_format(const struct fs_progress_opts *op, uint64_t done, uint64_t total,
                          int64_t elapsed_ns, bool last, char *buf, size_t n)
{
  struct out o = {buf, n, 0};
  if (!n)
    return 0;
  buf[0] = '\0';
  enum fs_lang lang = op->lang;
  bool en = lang == FS_LANG_EN, items = op->unit == FS_PROGRESS_ITEMS;
  const char *what =
      items ? FS_TR(lang, op->items_en ? op->items_en : "items", op->items_zh ? op->items_zh : "項")
            : NULL;
  double secs = elapsed_ns > 0 ? (double)elapsed_ns / 1e9 : 0;
  double rate = secs > 0 ? (double)done / secs : 0;
  bool of_total = total && !(last && done == total);
  put(&o, "%s%s", FS_TR(lang, op->label_en, op->label_zh), en ? ": " : "：");
  /* done [of total] [items] [(percent)] */
  put_amount(&o, op, (double)done);
  if (of_total) {
    put(&o, "%s", en ? " of " : "／");
    put_amount(&o, op, (double)total);
  }
  if (items)
    put(&o, " %s", what);
  if (of_total && !last) {
    uint64_t pct = done >= total ? 100 : (uint64_t)((double)done * 100.0 / (double)total);
    put(&o, en ? " (%llu %%)" : "（%llu%%）", (unsigned long long)pct);
  }
  if (last) {
    put(&o, "%s", en ? " in " : "，費時 ");
    put_time(&o, lang, secs, true);
  }
  /* rate (items: from one a second) */
  if (items ? rate >= 1 : rate > 0) {
    put(&o, "%s", en ? ", " : "，每秒 ");
    put_amount(&o, op, rate);
    if (items)
      put(&o, en ? " %s/s" : " %s", what);
    else if (en)
      put(&o, "/s");
  }
  /* time left */
  if (!last && total > done && rate > 0) {
    put(&o, "%s", en ? ", " : "，約剩 ");
    put_time(&o, lang, (double)(total - done) / rate, false);
    if (en)
      put(&o, " left");
  }
  return o.len;
}
