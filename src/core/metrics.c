/* The metrics registry and its text rendering. */
#include "core/metrics.h"

#include "core/err.h"

#include <stdio.h>
#include <string.h>

void fs_metrics_init(struct fs_metrics *m)
{
  memset(m, 0, sizeof(*m));
  pthread_mutex_init(&m->lock, NULL);
}

void fs_metrics_release(struct fs_metrics *m)
{
  pthread_mutex_destroy(&m->lock);
}

static struct fs_metric *reg(struct fs_metrics *m, const char *name, const char *help,
                             const char *labels, enum fs_metric_type type, const double *bounds,
                             size_t nbounds)
{
  pthread_mutex_lock(&m->lock);
  struct fs_metric *x = NULL;
  for (size_t i = 0; i < m->count && !x; i++) {
    struct fs_metric *y = &m->items[i];
    if (!strcmp(y->name, name) && !strcmp(y->labels ? y->labels : "", labels ? labels : ""))
      x = y;
  }
  if (!x && m->count < FS_METRICS_MAX) {
    x = &m->items[m->count++];
    x->name = name;
    x->help = help;
    x->labels = labels;
    x->type = type;
    x->bounds = bounds;
    x->nbounds = nbounds > FS_HISTOGRAM_BUCKETS ? FS_HISTOGRAM_BUCKETS : nbounds;
  }
  pthread_mutex_unlock(&m->lock);
  return x;
}

struct fs_metric *fs_metrics_counter(struct fs_metrics *m, const char *name, const char *help,
                                     const char *labels)
{
  return reg(m, name, help, labels, FS_METRIC_COUNTER, NULL, 0);
}

struct fs_metric *fs_metrics_gauge(struct fs_metrics *m, const char *name, const char *help,
                                   const char *labels)
{
  return reg(m, name, help, labels, FS_METRIC_GAUGE, NULL, 0);
}

struct fs_metric *fs_metrics_histogram(struct fs_metrics *m, const char *name, const char *help,
                                       const char *labels, const double *bounds, size_t nbounds)
{
  return reg(m, name, help, labels, FS_METRIC_HISTOGRAM, bounds, nbounds);
}

void fs_metric_observe(struct fs_metric *x, double v)
{
  if (!x)
    return;
  for (size_t i = 0; i < x->nbounds; i++)
    if (v <= x->bounds[i])
      atomic_fetch_add_explicit(&x->buckets[i], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&x->count, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&x->sum_micros, (uint64_t)(v * 1e6), memory_order_relaxed);
}

static void series(struct fs_buf *out, const char *name, const char *suffix, const char *labels,
                   const char *extra)
{
  bool any = (labels && *labels) || (extra && *extra);
  fs_buf_appendf(out, "%s%s%s%s%s%s%s", name, suffix, any ? "{" : "", labels ? labels : "",
                 labels && *labels && extra && *extra ? "," : "", extra ? extra : "",
                 any ? "}" : "");
}

static void render_one(struct fs_metric *x, struct fs_buf *out)
{
  if (x->type != FS_METRIC_HISTOGRAM) {
    series(out, x->name, "", x->labels, NULL);
    fs_buf_appendf(out, " %lld\n", (long long)atomic_load(&x->value));
    return;
  }
  for (size_t b = 0; b < x->nbounds; b++) {
    char le[48];
    snprintf(le, sizeof(le), "le=\"%g\"", x->bounds[b]);
    series(out, x->name, "_bucket", x->labels, le);
    fs_buf_appendf(out, " %llu\n", (unsigned long long)atomic_load(&x->buckets[b]));
  }
  series(out, x->name, "_bucket", x->labels, "le=\"+Inf\"");
  fs_buf_appendf(out, " %llu\n", (unsigned long long)atomic_load(&x->count));
  series(out, x->name, "_sum", x->labels, NULL);
  fs_buf_appendf(out, " %.6f\n", (double)atomic_load(&x->sum_micros) / 1e6);
  series(out, x->name, "_count", x->labels, NULL);
  fs_buf_appendf(out, " %llu\n", (unsigned long long)atomic_load(&x->count));
}

int fs_metrics_render(struct fs_metrics *m, struct fs_buf *out)
{
  static const char *const types[] = {"counter", "gauge", "histogram"};
  pthread_mutex_lock(&m->lock);
  size_t n = m->count;
  pthread_mutex_unlock(&m->lock);
  /* The text format wants every series of one metric together, after its HELP and TYPE. */
  for (size_t i = 0; i < n; i++) {
    struct fs_metric *x = &m->items[i];
    bool first = true;
    for (size_t k = 0; k < i && first; k++)
      first = strcmp(m->items[k].name, x->name) != 0;
    if (!first)
      continue;
    fs_buf_appendf(out, "# HELP %s %s\n# TYPE %s %s\n", x->name, x->help, x->name, types[x->type]);
    for (size_t j = i; j < n; j++)
      if (!strcmp(m->items[j].name, x->name))
        render_one(&m->items[j], out);
  }
  return out->len >= out->max ? FS_ERR_TOO_LARGE : FS_OK;
}
