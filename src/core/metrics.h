/* Prometheus metrics: counters, gauges and histograms registered by name in a registry owned by
 * the caller (no global state), updated with atomics from any thread, rendered in the Prometheus
 * text format (version 0.0.4). Registration happens at start-up; updates never allocate. */
#ifndef FS_CORE_METRICS_H
#define FS_CORE_METRICS_H

#include "core/base.h"
#include "core/buf.h"

#include <pthread.h>
#include <stdatomic.h>

#define FS_METRICS_MAX 256
#define FS_HISTOGRAM_BUCKETS 12

enum fs_metric_type { FS_METRIC_COUNTER, FS_METRIC_GAUGE, FS_METRIC_HISTOGRAM };

struct fs_metric {
  const char *name; /* e.g. "finshield_http_requests_total"; static storage */
  const char *help;
  const char *labels; /* e.g. "code=\"2xx\"" or NULL; static storage */
  enum fs_metric_type type;
  _Atomic int64_t value; /* counter or gauge */
  const double *bounds;  /* histogram upper bounds (seconds etc.) */
  size_t nbounds;
  _Atomic uint64_t buckets[FS_HISTOGRAM_BUCKETS];
  _Atomic uint64_t count;
  _Atomic uint64_t sum_micros; /* sum of observations x 1e6 */
};

struct fs_metrics {
  pthread_mutex_t lock; /* registration only */
  struct fs_metric items[FS_METRICS_MAX];
  size_t count;
};

void fs_metrics_init(struct fs_metrics *m);
void fs_metrics_release(struct fs_metrics *m);
/* Registers (or finds, for the same name and labels) a metric. NULL when the registry is full;
 * the update functions accept NULL and do nothing, so a full registry loses metrics, not requests.
 */
struct fs_metric *fs_metrics_counter(struct fs_metrics *m, const char *name, const char *help,
                                     const char *labels);
struct fs_metric *fs_metrics_gauge(struct fs_metrics *m, const char *name, const char *help,
                                   const char *labels);
struct fs_metric *fs_metrics_histogram(struct fs_metrics *m, const char *name, const char *help,
                                       const char *labels, const double *bounds, size_t nbounds);

static inline void fs_metric_add(struct fs_metric *x, int64_t n)
{
  if (x)
    atomic_fetch_add_explicit(&x->value, n, memory_order_relaxed);
}
static inline void fs_metric_set(struct fs_metric *x, int64_t v)
{
  if (x)
    atomic_store_explicit(&x->value, v, memory_order_relaxed);
}
void fs_metric_observe(struct fs_metric *x, double v);

/* Appends the text exposition of every metric. */
int fs_metrics_render(struct fs_metrics *m, struct fs_buf *out);

#endif
