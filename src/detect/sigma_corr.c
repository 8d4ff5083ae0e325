/* Correlation state: per (correlation rule, organisation, group-by values) a time window of the
 * base-rule hits, evaluated on every hit. Sharded locks; bounded in groups and entries. */
#include "detect/sigma_int.h"

#include "detect/hash.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHARDS 16
#define MAX_ENTRIES 65536 /* per group; the oldest go first */
#define GROUP_TEXT 256

struct entry {
  int64_t t;
  double v;     /* value_sum, value_avg, value_percentile */
  uint64_t vh;  /* value_count: hash of the value */
  uint32_t ref; /* which referenced rule */
};

struct group {
  uint64_t key;
  int64_t last_ms;
  char text[GROUP_TEXT];
  struct entry *e;
  size_t head, n, cap; /* live entries are e[head .. head+n) */
};

struct shard {
  pthread_mutex_t lock;
  struct group **slots;
  size_t mask, count;
};

struct detect_sigma_corr {
  size_t max_groups;
  struct shard shards[SHARDS];
};

struct detect_sigma_corr *detect_sigma_corr_new(size_t max_groups)
{
  struct detect_sigma_corr *c = calloc(1, sizeof(*c));
  if (!c)
    return NULL;
  c->max_groups = max_groups ? max_groups : 100000;
  for (int i = 0; i < SHARDS; i++) {
    pthread_mutex_init(&c->shards[i].lock, NULL);
    c->shards[i].mask = 63;
    if (!(c->shards[i].slots = calloc(64, sizeof(struct group *)))) {
      detect_sigma_corr_free(c);
      return NULL;
    }
  }
  return c;
}

static void group_free(struct group *g)
{
  if (g) {
    free(g->e);
    free(g);
  }
}

void detect_sigma_corr_free(struct detect_sigma_corr *c)
{
  if (!c)
    return;
  for (int i = 0; i < SHARDS; i++) {
    struct shard *sh = &c->shards[i];
    for (size_t k = 0; sh->slots && k <= sh->mask; k++)
      group_free(sh->slots[k]);
    free(sh->slots);
    pthread_mutex_destroy(&sh->lock);
  }
  free(c);
}

/* ---- the table of groups ------------------------------------------------------------------ */

static bool rehash(struct shard *sh, size_t cap)
{
  struct group **slots = calloc(cap, sizeof(*slots));
  if (!slots)
    return false;
  for (size_t k = 0; k <= sh->mask; k++) {
    struct group *g = sh->slots[k];
    if (!g)
      continue;
    size_t i = g->key & (cap - 1);
    while (slots[i])
      i = (i + 1) & (cap - 1);
    slots[i] = g;
  }
  free(sh->slots);
  sh->slots = slots;
  sh->mask = cap - 1;
  return true;
}

/* Drops the groups last seen before `before`, or when none is, the older half. */
static void evict(struct shard *sh, int64_t before)
{
  size_t dropped = 0;
  int64_t oldest = INT64_MAX, newest = INT64_MIN;
  for (size_t k = 0; k <= sh->mask; k++)
    if (sh->slots[k] && sh->slots[k]->last_ms < before) {
      group_free(sh->slots[k]);
      sh->slots[k] = NULL;
      dropped++;
    } else if (sh->slots[k]) {
      oldest = FS_MIN(oldest, sh->slots[k]->last_ms);
      newest = FS_MAX(newest, sh->slots[k]->last_ms);
    }
  if (!dropped) {
    int64_t mid = oldest / 2 + newest / 2;
    for (size_t k = 0; k <= sh->mask; k++)
      if (sh->slots[k] && sh->slots[k]->last_ms <= mid) {
        group_free(sh->slots[k]);
        sh->slots[k] = NULL;
        dropped++;
      }
  }
  sh->count -= dropped;
  rehash(sh, sh->mask + 1); /* close the holes */
}

static struct group *get_group(struct detect_sigma_corr *c, struct shard *sh, uint64_t key,
                               const char *text, int64_t now, int64_t span)
{
  for (size_t i = key & sh->mask; sh->slots[i]; i = (i + 1) & sh->mask)
    if (sh->slots[i]->key == key && !strcmp(sh->slots[i]->text, text))
      return sh->slots[i];
  if (sh->count >= c->max_groups / SHARDS)
    evict(sh, now - span);
  if ((sh->count + 1) * 2 > sh->mask + 1 && !rehash(sh, (sh->mask + 1) * 2))
    return NULL;
  struct group *g = calloc(1, sizeof(*g));
  if (!g)
    return NULL;
  g->key = key;
  snprintf(g->text, sizeof(g->text), "%s", text);
  size_t i = key & sh->mask;
  while (sh->slots[i])
    i = (i + 1) & sh->mask;
  sh->slots[i] = g;
  sh->count++;
  return g;
}

static bool push(struct group *g, struct entry e)
{
  if (g->head + g->n == g->cap) {
    if (g->head > 0) { /* slide the live part to the front */
      memmove(g->e, g->e + g->head, g->n * sizeof(*g->e));
      g->head = 0;
    }
    if (g->n == g->cap) {
      if (g->cap >= MAX_ENTRIES) {
        g->head++; /* the oldest goes */
        g->n--;
        memmove(g->e, g->e + g->head, g->n * sizeof(*g->e));
        g->head = 0;
      } else {
        size_t cap = g->cap ? g->cap * 2 : 16;
        struct entry *p = realloc(g->e, cap * sizeof(*p));
        if (!p)
          return false;
        g->e = p;
        g->cap = cap;
      }
    }
  }
  g->e[g->head + g->n++] = e;
  return true;
}

/* ---- evaluation --------------------------------------------------------------------------- */

static bool compare(double v, uint8_t op, double thr)
{
  switch (op) {
  case SS_LT:
    return v < thr;
  case SS_LTE:
    return v <= thr;
  case SS_GT:
    return v > thr;
  case SS_GTE:
    return v >= thr;
  case 6:
    return v == thr;
  case 7:
    return v != thr;
  default:
    return false;
  }
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The aggregate of the window; false when it cannot be computed (out of memory). */
static bool aggregate(const struct sigma_corr_def *d, const struct group *g, double *out)
{
  const struct entry *e = g->e + g->head;
  size_t n = g->n;
  switch (d->type) {
  case SCT_EVENT_COUNT:
    *out = (double)n;
    return true;
  case SCT_VALUE_COUNT: {
    uint64_t *h = malloc((n + 1) * sizeof(*h));
    if (!h)
      return false;
    for (size_t i = 0; i < n; i++)
      h[i] = e[i].vh;
    qsort(h, n, sizeof(*h), cmp_u64);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
      distinct += h[i] && (!i || h[i] != h[i - 1]);
    free(h);
    *out = (double)distinct;
    return true;
  }
  case SCT_VALUE_SUM:
  case SCT_VALUE_AVG: {
    double sum = 0;
    for (size_t i = 0; i < n; i++)
      sum += e[i].v;
    *out = d->type == SCT_VALUE_SUM ? sum : (n ? sum / (double)n : 0);
    return true;
  }
  case SCT_VALUE_PERCENTILE: {
    double *v = malloc((n + 1) * sizeof(*v));
    if (!v)
      return false;
    for (size_t i = 0; i < n; i++)
      v[i] = e[i].v;
    qsort(v, n, sizeof(*v), cmp_double);
    double p = d->percentile > 0 ? d->percentile : 50;
    size_t k = n ? (size_t)((p / 100.0) * (double)(n - 1) + 0.5) : 0;
    *out = n ? v[FS_MIN(k, n - 1)] : 0;
    free(v);
    return true;
  }
  case SCT_TEMPORAL: {
    size_t seen = 0;
    for (size_t r = 0; r < d->nrefs; r++)
      for (size_t i = 0; i < n; i++)
        if (e[i].ref == r) {
          seen++;
          break;
        }
    *out = (double)seen;
    return true;
  }
  case SCT_TEMPORAL_ORDERED: { /* the longest prefix of refs seen in that order */
    size_t next = 0;
    for (size_t i = 0; i < n && next < d->nrefs; i++)
      if (e[i].ref == next)
        next++;
    *out = (double)next;
    return true;
  }
  }
  return false;
}

static bool fires(const struct sigma_corr_def *d, double v)
{
  if (d->type == SCT_TEMPORAL || d->type == SCT_TEMPORAL_ORDERED)
    return d->op == 255 ? v >= (double)d->nrefs
                        : v >= (double)d->nrefs && compare(v, d->op, d->threshold);
  return compare(v, d->op, d->threshold);
}

/* ---- feeding ------------------------------------------------------------------------------ */

/* The value of a field (by the rule's name for it) in the event, or NULL. */
static const struct detect_field *event_field(const struct detect_event *ev, const char *name)
{
  size_t want = strlen(name);
  for (size_t i = 0; i < ev->nfields; i++) {
    const char *n;
    size_t len;
    char buf[CANON_MAX];
    sigma_canonical_name(ev, i, &n, &len, buf);
    if (len == want && !memcmp(n, name, len))
      return &ev->fields[i];
  }
  return NULL;
}

/* The field a group-by or value name stands for with referenced rule k (aliases). */
static const char *field_for(const struct sigma_corr_def *d, const char *name, size_t k)
{
  for (size_t a = 0; a < d->naliases; a++)
    if (!strcmp(d->alias_names[a], name))
      return d->alias_fields[a][k] ? d->alias_fields[a][k] : name;
  return name;
}

int detect_sigma_corr_feed(struct detect_sigma_corr *c, const struct detect_sigma_set *s,
                           uint32_t rule, const struct detect_event *ev, uint32_t org,
                           int64_t at_ms, detect_sigma_corr_fn fn, void *arg)
{
  const struct sigma_rule *base = &s->rules[rule];
  for (size_t u = 0; u < base->ncorr_users; u++) {
    const struct sigma_rule *cr = &s->rules[base->corr_users[u]];
    const struct sigma_corr_def *d = cr->corr;
    size_t k = 0;
    while (k < d->nrefs && d->ref_rules[k] != rule)
      k++;
    char text[GROUP_TEXT];
    size_t tl = 0;
    bool missing = false;
    for (size_t g = 0; g < d->ngroup; g++) {
      const struct detect_field *f = event_field(ev, field_for(d, d->group_by[g], k));
      if (!f) {
        missing = true; /* events without the group-by field are not grouped */
        break;
      }
      tl +=
          (size_t)snprintf(text + tl, sizeof(text) - FS_MIN(tl, sizeof(text) - 1), "%s%s=%.*s",
                           g ? ", " : "", d->group_by[g], (int)FS_MIN(f->value_len, 100), f->value);
      tl = FS_MIN(tl, sizeof(text) - 1);
    }
    if (missing)
      continue;
    text[tl] = '\0';
    struct entry e = {.t = at_ms, .ref = (uint32_t)k};
    if (d->value_field) {
      const struct detect_field *f = event_field(ev, field_for(d, d->value_field, k));
      if (!f)
        continue;
      e.vh = detect_hash(f->value, f->value_len, 1) | 1;
      char num[64];
      snprintf(num, sizeof(num), "%.*s", (int)FS_MIN(f->value_len, 63), f->value);
      e.v = strtod(num, NULL);
    }
    uint64_t key = detect_hash(
        text, tl,
        detect_hash(cr->id ? cr->id : cr->title, strlen(cr->id ? cr->id : cr->title), org));
    struct shard *sh = &c->shards[key % SHARDS];
    pthread_mutex_lock(&sh->lock);
    struct group *g = get_group(c, sh, key, text, at_ms, d->timespan_ms);
    if (!g || !push(g, e)) {
      pthread_mutex_unlock(&sh->lock);
      return FS_ERR_NOMEM;
    }
    g->last_ms = FS_MAX(g->last_ms, at_ms);
    while (g->n && g->e[g->head].t < g->last_ms - d->timespan_ms) {
      g->head++;
      g->n--;
    }
    double v = 0;
    bool fire = aggregate(d, g, &v) && fires(d, v);
    struct detect_sigma_corr_hit hit = {.rule = base->corr_users[u], .group = text, .value = v};
    if (fire) {
      hit.first_ms = g->e[g->head].t;
      hit.last_ms = g->e[g->head + g->n - 1].t;
      g->head = g->n = 0; /* start over for this group */
    }
    pthread_mutex_unlock(&sh->lock);
    if (fire) {
      int rc = fn(arg, &hit);
      if (rc)
        return rc;
    }
  }
  return FS_OK;
}
