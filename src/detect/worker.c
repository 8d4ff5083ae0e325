/* The per-record pipeline: parse, indicators in every field (compound patterns evaluated when
 * one of their anchors hits), Sigma, correlation, alerts. */
#include "detect/worker.h"

#include "detect/hash.h"
#include "detect/ioc_compound.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SEEN 64 /* indicator entries (and compound patterns) already seen in this event */

struct detect_worker {
  struct detect_event *ev;
  struct detect_sigma_thread *sigma;
  struct detect_stix_view *view;                   /* compound patterns' lookups into the event */
  struct detect_ioc_text texts[DETECT_MAX_FIELDS]; /* the event's fields to search */
};

struct detect_worker *detect_worker_new(void)
{
  struct detect_worker *w = calloc(1, sizeof(*w));
  if (!w)
    return NULL;
  w->ev = malloc(sizeof(*w->ev));
  w->sigma = detect_sigma_thread_new();
  w->view = detect_stix_view_new();
  if (!w->ev || !w->sigma || !w->view) {
    detect_worker_free(w);
    return NULL;
  }
  detect_event_reset(w->ev, "", 0);
  return w;
}

void detect_worker_free(struct detect_worker *w)
{
  if (!w)
    return;
  free(w->ev);
  detect_sigma_thread_free(w->sigma);
  detect_stix_view_free(w->view);
  free(w);
}

const struct detect_event *detect_worker_event(const struct detect_worker *w)
{
  return w->ev;
}

/* The event's own time, or INT64_MIN when it has none. */
static int64_t event_time(const struct detect_event *ev, const struct detect_record_ctx *c)
{
  return detect_event_time_zoned_ms(ev, c->year_ref_ms ? c->year_ref_ms : c->now_ms, c->zone,
                                    INT64_MIN);
}

/* ---- indicators --------------------------------------------------------------------------- */

struct ioc_ctx {
  const struct detect_engine_view *v;
  const struct detect_record_ctx *c;
  const struct detect_field *field;
  struct detect_stix_view *view;
  struct detect_alert a;
  uint32_t seen[MAX_SEEN];
  size_t nseen;
  uint32_t patterns[MAX_SEEN]; /* compound patterns evaluated for this event */
  size_t npatterns;
  detect_alert_fn fn;
  void *arg;
};

static uint64_t lower_hash(const char *s, size_t n, uint64_t seed)
{
  char buf[512];
  n = FS_MIN(n, sizeof(buf));
  for (size_t i = 0; i < n; i++)
    buf[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
  return detect_hash(buf, n, seed);
}

static int on_ioc(void *arg, const struct detect_ioc_hit *h)
{
  struct ioc_ctx *x = arg;
  for (size_t i = 0; i < x->nseen; i++)
    if (x->seen[i] == h->entry)
      return 0; /* the same indicator again in this event: one alert */
  if (x->nseen < MAX_SEEN)
    x->seen[x->nseen++] = h->entry;
  if (h->pattern) {
    /* An anchor of a compound pattern: the pattern, once per event, decides. */
    for (size_t i = 0; i < x->npatterns; i++)
      if (x->patterns[i] == h->pattern)
        return 0;
    if (x->npatterns < MAX_SEEN)
      x->patterns[x->npatterns++] = h->pattern;
    bool match = false;
    const struct detect_ioc_pattern *p = detect_ioc_index_pattern(x->v->ioc, h->pattern);
    if (!p || detect_ioc_pattern_eval(p, x->view, &match) || !match)
      return 0;
  }
  struct detect_alert *a = &x->a;
  const struct detect_field *f = x->field ? x->field : &a->ev->fields[h->tag];
  if (a->event_ms == INT64_MAX) /* not read yet */
    a->event_ms = event_time(a->ev, x->c);
  a->kind = DETECT_ALERT_IOC;
  a->ioc_entry = h->entry;
  a->field = f->name;
  a->field_len = f->name_len;
  a->match = h->text;
  a->match_len = h->len;
  uint64_t k = detect_ioc_entry_hash(x->v->ioc, h->entry);
  a->dedup_key = lower_hash(h->text, h->len, k ^ ((uint64_t)x->c->org * 0x9E3779B97F4A7C15ULL));
  return x->fn(x->arg, a);
}

static int match_iocs(struct detect_worker *w, const struct detect_engine_view *v,
                      const struct detect_record_ctx *c, struct detect_event *ev, int64_t at,
                      int64_t event_ms, detect_alert_fn fn, void *arg)
{
  /* Per event: only what is read before it is written (the seen lists are not cleared). */
  struct ioc_ctx x;
  x.v = v;
  x.c = c;
  x.field = NULL;
  x.view = w->view;
  x.nseen = x.npatterns = 0;
  x.fn = fn;
  x.arg = arg;
  memset(&x.a, 0, sizeof(x.a));
  detect_stix_view_reset(w->view, ev);
  x.a.ev = ev;
  x.a.event_ms = event_ms;
  struct detect_ioc_query q = {.org = c->org, .at_ms = at};
  size_t n = 0;
  for (size_t i = 0; i < ev->nfields; i++) {
    const struct detect_field *f = &ev->fields[i];
    if (f->value_len && !(f->flags & (DETECT_FIELD_NUMBER | DETECT_FIELD_BOOL | DETECT_FIELD_NULL)))
      w->texts[n++] = (struct detect_ioc_text){f->value, f->value_len, (uint32_t)i};
  }
  int rc = detect_ioc_match_texts(v->ioc, w->texts, n, &q, on_ioc, &x);
  for (size_t i = 0; i < n && !rc && detect_ioc_has_strings(v->ioc); i++) {
    x.field = &ev->fields[w->texts[i].tag];
    rc = detect_ioc_match_string(v->ioc, w->texts[i].s, w->texts[i].len, &q, on_ioc, &x);
  }
  return rc;
}

/* ---- Sigma and correlation ---------------------------------------------------------------- */

struct sigma_ctx {
  const struct detect_engine_view *v;
  const struct detect_record_ctx *c;
  struct detect_event *ev;
  int64_t at, event_ms;
  detect_alert_fn fn;
  void *arg;
  uint32_t base_rule;
};

static int on_corr(void *arg, const struct detect_sigma_corr_hit *h)
{
  struct sigma_ctx *x = arg;
  struct detect_sigma_rule_info info;
  detect_sigma_rule_info(x->v->sigma, h->rule, &info);
  const char *id = info.id ? info.id : info.title;
  struct detect_alert a = {.kind = DETECT_ALERT_CORRELATION,
                           .ev = x->ev,
                           .rule = h->rule,
                           .corr = h,
                           .event_ms = x->event_ms};
  a.dedup_key = detect_hash(h->group, strlen(h->group),
                            detect_hash(id, strlen(id), (uint64_t)h->first_ms ^ x->c->org));
  return x->fn(x->arg, &a);
}

static int on_sigma(void *arg, const struct detect_sigma_hit *h)
{
  struct sigma_ctx *x = arg;
  int rc = 0;
  if (!detect_sigma_rule_silent(x->v->sigma, h->rule)) {
    struct detect_sigma_rule_info info;
    detect_sigma_rule_info(x->v->sigma, h->rule, &info);
    const char *id = info.id ? info.id : info.title;
    /* The key: the rule, the organisation and the values of the fields that matched. */
    uint64_t k = detect_hash(id, strlen(id), x->c->org);
    for (size_t i = 0; i < h->nfields; i++)
      for (size_t j = 0; j < x->ev->nfields; j++) {
        const struct detect_field *f = &x->ev->fields[j];
        if (f->map_id == h->field_ids[i])
          k = detect_hash(f->value, f->value_len, k);
      }
    struct detect_alert a = {.kind = DETECT_ALERT_SIGMA,
                             .ev = x->ev,
                             .rule = h->rule,
                             .hit = h,
                             .event_ms = x->event_ms,
                             .dedup_key = k};
    rc = x->fn(x->arg, &a);
  }
  if (!rc && x->v->corr)
    rc = detect_sigma_corr_feed(x->v->corr, x->v->sigma, h->rule, x->ev, x->c->org, x->at, on_corr,
                                x);
  return rc;
}

int detect_worker_record(struct detect_worker *w, const struct detect_engine_view *v,
                         const struct detect_record_ctx *c, const char *rec, size_t len,
                         detect_alert_fn fn, void *arg, struct fs_err *err)
{
  struct detect_event *ev = w->ev;
  int rc = detect_parse_record(c->format, rec, len, ev, err);
  if (rc)
    return rc;
  /* The event's time is read only when something needs it: validity windows, correlation, or
   * an alert (see on_ioc and on_sigma). */
  bool need_time = (v->ioc && detect_ioc_has_windows(v->ioc)) || v->sigma;
  int64_t event_ms = need_time ? event_time(ev, c) : INT64_MAX;
  int64_t at = event_ms == INT64_MIN || event_ms == INT64_MAX ? c->now_ms : event_ms;
  if (v->ioc && (rc = match_iocs(w, v, c, ev, at, event_ms, fn, arg)))
    return rc;
  if (v->sigma) {
    struct sigma_ctx x = {v, c, ev, at, event_ms, fn, arg, 0};
    rc = detect_sigma_match(v->sigma, w->sigma, ev, on_sigma, &x);
  }
  return rc;
}
