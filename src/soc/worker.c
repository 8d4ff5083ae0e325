/* Workers: records through the engine, alerts gathered and stored in batches. */
#include "soc/soc_int.h"

#include "core/encode.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PENDING 4096
#define PENDING_KEEP 32 /* pending slots a worker keeps between flushes (grown past on demand) */
#define EVENT_TEXT_MAX 2048

/* Who sent a pending alert (pending[i] came from from[i]). */
struct pending_from {
  char org_id[37];
  char source[80];
};

struct soc_worker {
  struct soc_engine *e;
  struct detect_worker *dw;
  struct fs_rcu_reader *sets_r, *sigma_r;
  /* pending alerts: cap_pending slots, grown up to MAX_PENDING as alerts come */
  struct soc_found *pending;
  struct pending_from *from;
  size_t n_pending, cap_pending;
  /* during one record */
  const struct soc_sets *sets;
  const struct detect_sigma_set *sigma;
  const char *org_id, *source;
  const char *rec;
  size_t rec_len;
  size_t found;
};

struct soc_worker *soc_worker_new(struct soc_engine *e)
{
  struct soc_worker *w = calloc(1, sizeof(*w));
  if (!w)
    return NULL;
  w->e = e;
  w->dw = detect_worker_new();
  w->sets_r = fs_rcu_register(&e->sets);
  w->sigma_r = fs_rcu_register(&e->sigma);
  if (!w->dw || !w->sets_r || !w->sigma_r) {
    soc_worker_free(w);
    return NULL;
  }
  return w;
}

void soc_worker_free(struct soc_worker *w)
{
  if (!w)
    return;
  for (size_t i = 0; i < w->n_pending; i++)
    free(w->pending[i].event);
  free(w->pending);
  free(w->from);
  if (w->sets_r)
    fs_rcu_unregister(&w->e->sets, w->sets_r);
  if (w->sigma_r)
    fs_rcu_unregister(&w->e->sigma, w->sigma_r);
  detect_worker_free(w->dw);
  free(w);
}

static void copy_text(char *out, size_t n, const char *s, size_t len)
{
  if (len >= n)
    len = n - 1;
  memcpy(out, s ? s : "", s ? len : 0);
  out[s ? len : 0] = '\0';
}

/* Makes room for cap pending alerts (more or fewer; never fewer than n_pending). Resized with
 * realloc, never freed while the worker lives: glibc raises its mmap and trim thresholds when a
 * large mapped block is freed (a burst's 2 MiB of pending alerts would do), and every thread's
 * arena then keeps up to twice that much freed memory resident. */
static bool resize_pending(struct soc_worker *w, size_t cap)
{
  struct soc_found *found = realloc(w->pending, cap * sizeof(*found));
  if (found)
    w->pending = found;
  struct pending_from *from = found ? realloc(w->from, cap * sizeof(*from)) : NULL;
  if (from)
    w->from = from;
  if (!found || !from)
    return false; /* both keep at least cap_pending slots */
  w->cap_pending = cap;
  return true;
}

static int on_alert(void *arg, const struct detect_alert *a)
{
  struct soc_worker *w = arg;
  if (w->n_pending == MAX_PENDING)
    return FS_OK; /* a flood from one batch: the rest are counted by the first ones' dedup */
  if (w->n_pending == w->cap_pending &&
      !resize_pending(w, w->cap_pending ? FS_MIN(w->cap_pending * 2, MAX_PENDING) : PENDING_KEEP))
    return FS_OK; /* out of memory: this alert is lost, like one past MAX_PENDING */
  struct pending_from *p = &w->from[w->n_pending];
  snprintf(p->org_id, sizeof(p->org_id), "%s", w->org_id);
  snprintf(p->source, sizeof(p->source), "%s", w->source);
  struct soc_found *f = &w->pending[w->n_pending];
  memset(f, 0, sizeof(*f));
  f->kind = (int)a->kind;
  f->event_ms = a->event_ms;
  char key[20];
  fs_hex_encode(&a->dedup_key, sizeof(a->dedup_key), key);
  if (a->kind == DETECT_ALERT_IOC) {
    struct detect_ioc_info info;
    detect_ioc_describe(w->sets->ioc, a->ioc_entry, &info);
    snprintf(f->ref, sizeof(f->ref), "%s", info.source_id[0] ? info.source_id : info.value);
    if (info.pattern) /* a compound pattern evaluated on the event; field and value: its anchor */
      snprintf(f->ref_name, sizeof(f->ref_name), "pattern %s", info.pattern);
    else
      snprintf(f->ref_name, sizeof(f->ref_name), "%s %s", detect_ioc_type_name(info.type),
               info.value);
    snprintf(f->severity, sizeof(f->severity), "high");
    copy_text(f->field, sizeof(f->field), a->field, a->field_len);
    copy_text(f->value, sizeof(f->value), a->match, a->match_len);
  } else {
    struct detect_sigma_rule_info ri;
    detect_sigma_rule_info(w->sigma, a->rule, &ri);
    snprintf(f->ref, sizeof(f->ref), "%s", ri.id ? ri.id : "");
    snprintf(f->ref_name, sizeof(f->ref_name), "%s", ri.title ? ri.title : "");
    snprintf(f->severity, sizeof(f->severity), "%s", ri.level ? ri.level : "medium");
    if (a->kind == DETECT_ALERT_SIGMA && a->hit && a->hit->nfields)
      snprintf(f->field, sizeof(f->field), "%s", a->hit->fields[0]);
    if (a->kind == DETECT_ALERT_CORRELATION && a->corr)
      snprintf(f->value, sizeof(f->value), "%s", a->corr->group ? a->corr->group : "");
  }
  fs_utf8_scrub(f->ref_name, strlen(f->ref_name)); /* a pattern may be cut inside a character */
  fs_utf8_scrub(f->field, strlen(f->field));       /* from the event: may be any bytes */
  fs_utf8_scrub(f->value, strlen(f->value));
  snprintf(f->dedup, sizeof(f->dedup), "%s:%.60s:%s", a->kind == DETECT_ALERT_IOC ? "ioc" : "rule",
           f->ref, key);
  size_t n = w->rec_len < EVENT_TEXT_MAX ? w->rec_len : EVENT_TEXT_MAX;
  f->event = malloc(n + 1);
  if (f->event) {
    memcpy(f->event, w->rec, n);
    fs_utf8_scrub(f->event, n); /* stored and served as JSON text: valid UTF-8 */
  }
  w->n_pending++;
  w->found++;
  return FS_OK;
}

int soc_worker_flush(struct soc_worker *w, struct fs_err *err)
{
  if (!w->n_pending)
    return FS_OK;
  struct store_conn *c;
  int rc = store_acquire(w->e->env.store, &c, err);
  if (rc)
    return rc;
  size_t fresh = 0;
  rc = store_begin(c, true, err);
  /* Pending alerts come grouped by organisation and source, in order. */
  for (size_t i = 0; !rc && i < w->n_pending;) {
    size_t j = i + 1;
    while (j < w->n_pending && !strcmp(w->from[j].org_id, w->from[i].org_id) &&
           !strcmp(w->from[j].source, w->from[i].source))
      j++;
    rc = soc_alerts_store(c, w->e, w->from[i].org_id, w->from[i].source, &w->pending[i], j - i,
                          &fresh, err);
    i = j;
  }
  if (!rc)
    rc = store_commit(c, err);
  else
    store_rollback(c);
  store_release(w->e->env.store, c);
  if (rc)
    return rc; /* kept: the next flush tries again (the caller slows its sender meanwhile) */
  for (size_t i = 0; i < w->n_pending; i++)
    free(w->pending[i].event);
  w->n_pending = 0;
  if (w->cap_pending > PENDING_KEEP) /* a burst's room goes back (a pool thread idles) */
    (void)resize_pending(w, PENDING_KEEP);
  if (!rc && fresh && w->e->on_alert)
    w->e->on_alert(w->e->on_alert_arg);
  return rc;
}

int soc_worker_record(struct soc_worker *w, const char *org_id, const char *source,
                      enum detect_format fmt, const char *rec, size_t len, struct soc_batch *st,
                      struct fs_err *err)
{
  while (len && (rec[len - 1] == '\r' || rec[len - 1] == '\n'))
    len--;
  if (!len)
    return FS_OK;
  st->records++;
  st->bytes += len;
  w->sets = fs_rcu_enter(&w->e->sets, w->sets_r);
  w->sigma = fs_rcu_enter(&w->e->sigma, w->sigma_r);
  uint32_t org = w->sets ? soc_orgs_number(&w->sets->orgs, org_id) : 0;
  struct detect_engine_view v = {
      .ioc = w->sets ? w->sets->ioc : NULL, .sigma = w->sigma, .corr = w->e->corr};
  struct detect_record_ctx ctx = {.format = fmt,
                                  .org = org ? org : DETECT_ORG_NONE,
                                  .now_ms = fs_clock_now_ms(w->e->env.clock)};
  w->org_id = org_id;
  w->source = source;
  w->rec = rec;
  w->rec_len = len;
  w->found = 0;
  struct fs_err perr;
  int rc = detect_worker_record(w->dw, &v, &ctx, rec, len, on_alert, w, &perr);
  fs_rcu_exit(w->sigma_r);
  fs_rcu_exit(w->sets_r);
  if (rc == FS_ERR_PARSE || rc == FS_ERR_TOO_LARGE) {
    st->parse_errors++;
    rc = FS_OK;
  } else if (!rc) {
    st->parsed++;
  } else {
    *err = perr;
  }
  st->alerts += w->found;
  if (!rc && w->n_pending >= MAX_PENDING / 2)
    rc = soc_worker_flush(w, err);
  return rc;
}

int soc_worker_process(struct soc_worker *w, const char *org_id, const char *source,
                       enum detect_format fmt, const char *data, size_t len, struct soc_batch *st,
                       struct fs_err *err)
{
  int rc = FS_OK;
  const char *p = data, *end = data + len;
  while (!rc && p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    rc = soc_worker_record(w, org_id, source, fmt, p, n, st, err);
    p += n + 1;
  }
  if (!rc)
    rc = soc_worker_flush(w, err);
  return rc;
}
