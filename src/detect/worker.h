/* One record through the whole engine: parse it, find the indicators its organisation may see in
 * its fields and free text, run the Sigma rules that fit its logsource, feed correlations, and
 * hand each alert to a callback with a deduplication key. The unit of work of `scan` and of the
 * hub's listeners: one worker per thread, shared read-only index and rule set. */
#ifndef FS_DETECT_WORKER_H
#define FS_DETECT_WORKER_H

#include "detect/event.h"
#include "detect/ioc.h"
#include "detect/sigma.h"

/* What a record is matched against. Any member may be NULL. The caller holds the index and the
 * set for the duration of the call (e.g. inside an fs_rcu read section). */
struct detect_engine_view {
  const struct detect_ioc_index *ioc;
  const struct detect_sigma_set *sigma;
  struct detect_sigma_corr *corr;
};

struct detect_record_ctx {
  enum detect_format format;
  uint32_t org;   /* the sending organisation, or DETECT_ORG_UNRESTRICTED (offline tools) */
  int64_t now_ms; /* validity windows use the event's own time, or this when it has none */
  /* Times without a year or zone (RFC 3164 "Mmm dd hh:mm:ss"): the year that puts them at most
   * a month after year_ref_ms (0: now_ms; a file's modification time for a file), in zone
   * (NULL: UTC). See detect_event_time_zoned_ms. */
  int64_t year_ref_ms;
  const struct detect_zone *zone;
};

enum detect_alert_kind { DETECT_ALERT_IOC, DETECT_ALERT_SIGMA, DETECT_ALERT_CORRELATION };

struct detect_alert {
  enum detect_alert_kind kind;
  const struct detect_event *ev;
  int64_t event_ms;   /* the event's time, or INT64_MIN when it had none */
  uint64_t dedup_key; /* equal for the same indicator or rule and the same key values */
  /* DETECT_ALERT_IOC */
  uint32_t ioc_entry;
  const char *field; /* the field it was found in (name as in the event) */
  size_t field_len;
  const char *match; /* the text found */
  size_t match_len;
  /* DETECT_ALERT_SIGMA and DETECT_ALERT_CORRELATION */
  uint32_t rule;
  const struct detect_sigma_hit *hit;       /* DETECT_ALERT_SIGMA */
  const struct detect_sigma_corr_hit *corr; /* DETECT_ALERT_CORRELATION */
};

/* Return non-zero to stop; detect_worker_record then returns that value. */
typedef int (*detect_alert_fn)(void *arg, const struct detect_alert *a);

struct detect_worker;

/* A worker with its event buffer and Sigma scratch; NULL when out of memory. */
struct detect_worker *detect_worker_new(void);
void detect_worker_free(struct detect_worker *w);
/* The event of the last record (valid until the next call). */
const struct detect_event *detect_worker_event(const struct detect_worker *w);

/* Parses rec (len bytes) and matches it. FS_OK; FS_ERR_PARSE / FS_ERR_TOO_LARGE with the position
 * when the record does not parse (nothing is matched then); FS_ERR_NOMEM; or the callback's
 * value. Allocates nothing per record. */
int detect_worker_record(struct detect_worker *w, const struct detect_engine_view *v,
                         const struct detect_record_ctx *c, const char *rec, size_t len,
                         detect_alert_fn fn, void *arg, struct fs_err *err);

#endif
