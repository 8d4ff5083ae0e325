/* Matching one event against a compiled set: map its fields, run each field's database and the
 * exact table once for all rules, collect the rules that any hit belongs to (plus the rules that
 * need no hit), and evaluate only those conditions. Allocates nothing per event. */
#include "detect/sigma_int.h"

#include "core/time.h"
#include "detect/hash.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NO_OCC UINT16_MAX
#define KW_BUF (DETECT_MAX_RECORD + DETECT_SCRATCH_SIZE + DETECT_MAX_FIELDS)

struct detect_sigma_thread {
  uint64_t gen; /* generation of the set the arrays are sized for */
  hs_scratch_t *scratch;
  uint64_t *bits;    /* matcher hits of this event */
  uint32_t *touched; /* nodes (sigma_node) of the matchers whose bit is set */
  size_t ntouched;
  uint32_t stamp;         /* this event */
  uint32_t *rule_stamp;   /* rule is a candidate of this event */
  uint32_t *target_stamp; /* a Hyperscan target's matchers were set in this event */
  uint32_t *cands;
  size_t ncands;
  uint32_t *item_stamp;   /* item result known for this event */
  uint32_t *item_hit;     /* a matcher of the item has a hit in this event */
  uint32_t *ccount_stamp; /* clause counted for this event */
  uint32_t *rcount_stamp; /* rcount is of this event */
  uint16_t *rcount;       /* clauses with hits */
  uint8_t *item_val;
  uint32_t *occ_stamp; /* per field id: first occurrence in the event */
  uint16_t *occ_first;
  uint16_t occ_next[DETECT_MAX_FIELDS];
  char *lower;         /* lower-cased value for the exact table */
  char *kw;            /* an event's values joined, for keywords */
  const char *cur_val; /* the value being searched */
  size_t cur_len;
  pcre2_match_data *md;
  pcre2_match_context *mctx;
  struct sigma_name_cache *names;
  const struct detect_sigma_set *set;
  const struct detect_event *ev;
};

struct detect_sigma_thread *detect_sigma_thread_new(void)
{
  struct detect_sigma_thread *t = calloc(1, sizeof(*t));
  if (!t)
    return NULL;
  t->lower = malloc(DETECT_MAX_RECORD);
  t->kw = malloc(KW_BUF);
  t->md = pcre2_match_data_create(16, NULL);
  t->mctx = pcre2_match_context_create(NULL);
  t->names = sigma_name_cache_new();
  if (!t->lower || !t->kw || !t->md || !t->mctx || !t->names) {
    detect_sigma_thread_free(t);
    return NULL;
  }
  pcre2_set_match_limit(t->mctx, 100000); /* a rule's regex cannot stall the pipeline */
  return t;
}

static void release_arrays(struct detect_sigma_thread *t)
{
  hs_free_scratch(t->scratch);
  t->scratch = NULL;
  free(t->bits);
  free(t->touched);
  free(t->rule_stamp);
  free(t->target_stamp);
  free(t->cands);
  free(t->item_stamp);
  free(t->item_hit);
  free(t->ccount_stamp);
  free(t->rcount_stamp);
  free(t->rcount);
  free(t->item_val);
  free(t->occ_stamp);
  free(t->occ_first);
  t->bits = NULL;
  t->touched = t->rule_stamp = t->cands = t->item_stamp = t->occ_stamp = t->target_stamp = NULL;
  t->item_hit = NULL;
  t->ccount_stamp = t->rcount_stamp = NULL;
  t->rcount = NULL;
  t->item_val = NULL;
  t->occ_first = NULL;
  t->gen = 0;
}

void detect_sigma_thread_free(struct detect_sigma_thread *t)
{
  if (!t)
    return;
  release_arrays(t);
  free(t->lower);
  free(t->kw);
  pcre2_match_data_free(t->md);
  pcre2_match_context_free(t->mctx);
  sigma_name_cache_free(t->names);
  free(t);
}

static int prepare(struct detect_sigma_thread *t, const struct detect_sigma_set *s)
{
  if (t->gen == s->generation)
    return FS_OK;
  release_arrays(t);
  size_t nm = s->n_matchers + 1, nr = s->n_rules + 1, ni = s->n_items + 1, nf = s->n_fields + 1;
  t->bits = calloc((nm + 63) / 64, sizeof(uint64_t));
  t->touched = malloc(nm * sizeof(uint32_t));
  t->rule_stamp = calloc(nr, sizeof(uint32_t));
  t->target_stamp = calloc(s->n_targets + 1, sizeof(uint32_t));
  t->cands = malloc(nr * sizeof(uint32_t));
  t->item_stamp = calloc(ni, sizeof(uint32_t));
  t->item_hit = calloc(ni, sizeof(uint32_t));
  t->ccount_stamp = calloc(s->n_clauses + 1, sizeof(uint32_t));
  t->rcount_stamp = calloc(nr, sizeof(uint32_t));
  t->rcount = calloc(nr, sizeof(uint16_t));
  t->item_val = calloc(ni, 1);
  t->occ_stamp = calloc(nf, sizeof(uint32_t));
  t->occ_first = calloc(nf, sizeof(uint16_t));
  if (!t->bits || !t->touched || !t->rule_stamp || !t->target_stamp || !t->cands ||
      !t->item_stamp || !t->item_hit || !t->ccount_stamp || !t->rcount_stamp || !t->rcount ||
      !t->item_val || !t->occ_stamp || !t->occ_first ||
      (s->scratch_proto && hs_clone_scratch(s->scratch_proto, &t->scratch) != HS_SUCCESS)) {
    release_arrays(t);
    return FS_ERR_NOMEM;
  }
  t->stamp = 0;
  t->gen = s->generation;
  return FS_OK;
}

static void next_stamp(struct detect_sigma_thread *t, const struct detect_sigma_set *s)
{
  if (++t->stamp == 0) { /* wrapped: forget every old stamp */
    memset(t->rule_stamp, 0, (s->n_rules + 1) * sizeof(uint32_t));
    memset(t->target_stamp, 0, (s->n_targets + 1) * sizeof(uint32_t));
    memset(t->item_stamp, 0, (s->n_items + 1) * sizeof(uint32_t));
    memset(t->item_hit, 0, (s->n_items + 1) * sizeof(uint32_t));
    memset(t->ccount_stamp, 0, (s->n_clauses + 1) * sizeof(uint32_t));
    memset(t->rcount_stamp, 0, (s->n_rules + 1) * sizeof(uint32_t));
    memset(t->occ_stamp, 0, (s->n_fields + 1) * sizeof(uint32_t));
    t->stamp = 1;
  }
}

/* ---- hits --------------------------------------------------------------------------------- */

/* Sets the bits of the matchers of a chain; the first node setting a bit is noted. */
static void set_chain(struct detect_sigma_thread *t, uint32_t head)
{
  for (uint32_t k = head; k != UINT32_MAX; k = t->set->nodes[k].next) {
    uint32_t m = t->set->nodes[k].matcher;
    uint64_t bit = 1ULL << (m & 63);
    if (!(t->bits[m >> 6] & bit)) {
      t->bits[m >> 6] |= bit;
      t->touched[t->ntouched++] = k;
    }
  }
}

/* A regex-database hit. */
static int on_hs(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                 void *ctx)
{
  struct detect_sigma_thread *t = ctx;
  (void)from;
  (void)to;
  (void)flags;
  if (t->target_stamp[id] != t->stamp) {
    t->target_stamp[id] = t->stamp;
    set_chain(t, t->set->targets[id].head);
  }
  return 0;
}

static char fold(char c, bool cased)
{
  return !cased && c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Whether Sigma value p (wildcards * and ?, escapes \* \? \\) matches all of s, as its kind
 * says: the whole value, its start, its end, or anywhere. */
static bool glob_match(const struct sigma_pattern *p, uint8_t kind, bool cased, const char *s,
                       size_t n)
{
  const char *pt = p->text;
  size_t pn = p->len, pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;
  bool lead = kind == SK_CONTAINS || kind == SK_ENDS,
       trail = kind == SK_CONTAINS || kind == SK_STARTS;
  if (lead) /* as if the value began with '*' */
    star_p = 0, star_s = 0;
  for (;;) {
    if (pi < pn) {
      char c = pt[pi];
      size_t step = 1;
      bool wild = false;
      if (c == '\\' && pi + 1 < pn &&
          (pt[pi + 1] == '*' || pt[pi + 1] == '?' || pt[pi + 1] == '\\')) {
        c = pt[pi + 1];
        step = 2;
      } else if (c == '*' || c == '?') {
        wild = true;
      }
      if (wild && c == '*') {
        star_p = pi + 1;
        star_s = si;
        pi++;
        continue;
      }
      if (si < n && (wild || fold(s[si], cased) == fold(c, cased))) {
        pi += step;
        si++;
        continue;
      }
    } else if (si == n || trail) {
      return true;
    }
    if (star_p == SIZE_MAX || star_s >= n)
      return false;
    pi = star_p; /* backtrack: let the last '*' take one more character */
    si = ++star_s;
  }
}

/* A literal-database hit: kept when it is where its kind wants it (or when the value with
 * wildcards it stands for matches). Literals report every occurrence (sigma_hs.c): a target whose
 * matchers are set already in this event is passed over; so is a glob target seen in this value
 * (its check read the whole value). */
static int on_lit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx)
{
  struct detect_sigma_thread *t = ctx;
  const struct sigma_target *tg = &t->set->targets[id];
  (void)from;
  (void)flags;
  if (t->target_stamp[id] == t->stamp)
    return 0;
  if (tg->glob) {
    if (!glob_match(tg->glob, tg->glob_kind, tg->glob_cased, t->cur_val, t->cur_len))
      return 0;
  } else if ((tg->kind == SK_STARTS && to != tg->len) ||
             (tg->kind == SK_ENDS && to != t->cur_len) ||
             (tg->kind == SK_EXACT && (to != tg->len || to != t->cur_len))) {
    return 0;
  }
  t->target_stamp[id] = t->stamp;
  set_chain(t, tg->head);
  return 0;
}

/* Looks up lower-cased bytes (n) as an exact value or suffix key of a field. */
static void exact_lookup(struct detect_sigma_thread *t, const struct detect_sigma_set *s,
                         int32_t field, const char *lower, size_t n)
{
  uint64_t h = detect_hash(lower, n, s->exact_seed ^ ((uint64_t)field * 0x9E3779B97F4A7C15ULL)) | 1;
  for (size_t i = h & s->exact_mask; s->exact[i].hash; i = (i + 1) & s->exact_mask) {
    const struct sigma_exact_slot *e = &s->exact[i];
    if (e->hash != h || e->field != field || e->len != n || memcmp(e->key, lower, n))
      continue;
    set_chain(t, e->head);
    return;
  }
}

/* ASCII lower case of n bytes, eight at a time. */
static void lower_ascii(char *dst, const char *src, size_t n)
{
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    memcpy(&x, src + i, 8);
    uint64_t low7 = x & 0x7F7F7F7F7F7F7F7FULL;
    uint64_t from_a = low7 + 0x3F3F3F3F3F3F3F3FULL; /* high bit: at least 'A' */
    uint64_t past_z = low7 + 0x2525252525252525ULL; /* high bit: past 'Z' */
    x |= (from_a & ~past_z & ~x & 0x8080808080808080ULL) >> 2;
    memcpy(dst + i, &x, 8);
  }
  for (; i < n; i++)
    dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (char)(src[i] + 32) : src[i];
}

static void scan_bytes(struct detect_sigma_thread *t, const struct detect_sigma_set *s,
                       const struct sigma_class_routes *rt, int32_t field, const char *v, size_t n)
{
  t->cur_val = v;
  t->cur_len = n;
  if (rt->lit[field])
    hs_scan(rt->lit[field], v, (unsigned)n, 0, t->scratch, on_lit, t);
  if (rt->db[field])
    hs_scan(rt->db[field], v, (unsigned)n, 0, t->scratch, on_hs, t);
  const struct sigma_field *f = &s->fields[field];
  bool exact = (rt->exact[field] & 1) && n <= DETECT_MAX_RECORD &&
               (n < 512 ? (f->exact_lens[n / 64] >> (n % 64)) & 1 : f->exact_long);
  bool suffix = rt->exact[field] & 2;
  if (!exact && !suffix)
    return;
  /* Lower-cased once: the tail only, when only suffixes are wanted. */
  size_t from = exact || n <= f->suffix_max ? 0 : n - f->suffix_max;
  lower_ascii(t->lower + from, v + from, n - from);
  if (exact)
    exact_lookup(t, s, field, t->lower, n);
  if (!suffix)
    return;
  /* endswith "\\x": each suffix of a key's length (shortest first) that starts at a separator */
  size_t most = n - from;
  for (size_t w = 0; w < 8 && w * 64 <= most; w++)
    for (uint64_t b = f->suffix_lens[w]; b; b &= b - 1) {
      size_t len = w * 64 + (size_t)__builtin_ctzll(b);
      if (len > most)
        break;
      if (v[n - len] == '\\' || v[n - len] == '/')
        exact_lookup(t, s, field | SIGMA_SUFFIX_KEY, t->lower + n - len, len);
    }
}

/* Keywords: every value of the event, joined by newlines and searched once when every keyword is
 * a substring search, else value by value. */
static void scan_keywords(struct detect_sigma_thread *t, const struct detect_sigma_set *s,
                          const struct sigma_class_routes *rt, const struct detect_event *ev)
{
  if (!s->fields[0].concat) {
    for (size_t i = 0; i < ev->nfields; i++)
      scan_bytes(t, s, rt, 0, ev->fields[i].value, ev->fields[i].value_len);
    return;
  }
  size_t n = 0;
  for (size_t i = 0; i < ev->nfields; i++) {
    const struct detect_field *f = &ev->fields[i];
    if (n + f->value_len + 1 > KW_BUF)
      break;
    memcpy(t->kw + n, f->value, f->value_len);
    n += f->value_len;
    t->kw[n++] = '\n';
  }
  scan_bytes(t, s, rt, 0, t->kw, n);
}

/* ---- evaluating --------------------------------------------------------------------------- */

static bool pcre_on(struct detect_sigma_thread *t, const struct sigma_matcher *m,
                    const struct detect_field *f)
{
  return pcre2_match(m->re, (PCRE2_SPTR)f->value, f->value_len, 0, 0, t->md, t->mctx) >= 0;
}

/* Calls a test on each value of a field (every value for the keyword field 0). */
#define FOR_EACH_VALUE(t, field, f, body)                                                          \
  do {                                                                                             \
    if ((field) == 0) {                                                                            \
      for (size_t i_ = 0; i_ < (t)->ev->nfields; i_++) {                                           \
        const struct detect_field *f = &(t)->ev->fields[i_];                                       \
        body;                                                                                      \
      }                                                                                            \
    } else if ((t)->occ_stamp[field] == (t)->stamp) {                                              \
      for (uint16_t o_ = (t)->occ_first[field]; o_ != NO_OCC; o_ = (t)->occ_next[o_]) {            \
        const struct detect_field *f = &(t)->ev->fields[o_];                                       \
        body;                                                                                      \
      }                                                                                            \
    }                                                                                              \
  } while (0)

static bool matcher_true(struct detect_sigma_thread *t, const struct sigma_matcher *m,
                         int32_t field, uint32_t id)
{
  bool bit = t->bits[id >> 6] & (1ULL << (id & 63));
  if (!(m->flags & (SMF_CONFIRM | SMF_LAZY)))
    return bit;
  if ((m->flags & SMF_CONFIRM) && !bit)
    return false;
  FOR_EACH_VALUE(t, field, f, if (pcre_on(t, m, f)) return true);
  return false;
}

static bool present(const struct detect_sigma_thread *t, int32_t field)
{
  return field == 0 ? t->ev->nfields > 0 : t->occ_stamp[field] == t->stamp;
}

static bool to_number(const struct detect_field *f, double *out)
{
  char buf[64];
  if (!f->value_len || f->value_len >= sizeof(buf))
    return false;
  memcpy(buf, f->value, f->value_len);
  buf[f->value_len] = '\0';
  char *end;
  *out = (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) ? (double)strtoull(buf, &end, 16)
                                                             : strtod(buf, &end);
  return !*end && isfinite(*out);
}

static bool in_cidr(const struct detect_field *f, const struct detect_ip *net)
{
  struct detect_ip ip;
  if (!detect_ip_parse(f->value, f->value_len, false, &ip) || ip.v6 != net->v6)
    return false;
  for (unsigned bit = 0; bit < net->plen; bit++) {
    uint8_t mask = (uint8_t)(0x80u >> (bit % 8));
    if ((ip.a[bit / 8] & mask) != (net->a[bit / 8] & mask))
      return false;
  }
  return true;
}

static bool cmp_kind(const char *v, size_t n, const char *w, size_t m, uint8_t kind, bool cased)
{
  int (*cmp)(const char *, const char *, size_t) = cased ? strncmp : strncasecmp;
  if (m > n || (kind == SK_EXACT && m != n))
    return false;
  switch (kind) {
  case SK_EXACT:
  case SK_STARTS:
    return !m || !cmp(v, w, m);
  case SK_ENDS:
    return !m || !cmp(v + n - m, w, m);
  default:
    for (size_t i = 0; i + m <= n; i++)
      if (!m || !cmp(v + i, w, m))
        return true;
    return false;
  }
}

static int time_part(const struct detect_field *f, uint8_t part)
{
  int64_t ms = detect_time_text_ms(f->value, f->value_len, false, 0, INT64_MIN);
  if (ms == INT64_MIN)
    return -1;
  int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
  int64_t sec = ms / 1000 - days * 86400;
  int64_t y;
  unsigned mo, d;
  fs_civil_from_days(days, &y, &mo, &d);
  switch (part) {
  case 0:
    return (int)(sec / 60 % 60);
  case 1:
    return (int)(sec / 3600);
  case 2:
    return (int)d;
  case 3: {                               /* ISO 8601 week */
    int64_t wday = ((days % 7) + 10) % 7; /* 0 = Monday; 1970-01-01 was a Thursday */
    int64_t thursday = days - wday + 3;
    int64_t ty;
    unsigned tm, td;
    fs_civil_from_days(thursday, &ty, &tm, &td);
    return (int)((thursday - fs_days_from_civil(ty, 1, 1)) / 7 + 1);
  }
  case 4:
    return (int)mo;
  default:
    return (int)y;
  }
}

/* True when value f compares (by kind) with a value of the referenced field. */
static bool ref_matches(struct detect_sigma_thread *t, const struct sigma_special_value *v,
                        const struct detect_field *f)
{
  FOR_EACH_VALUE(t, v->ref, g, {
    if (cmp_kind(f->value, f->value_len, g->value, g->value_len, v->kind, v->cased))
      return true;
  });
  return false;
}

static bool special_true(struct detect_sigma_thread *t, const struct sigma_special_value *v,
                         int32_t field)
{
  double num;
  switch (v->type) {
  case SS_NULL:
    FOR_EACH_VALUE(t, field, f, if (f->value_len) return false);
    return true;
  case SS_EXISTS:
    return present(t, field) == (v->num != 0);
  case SS_ANY:
    return present(t, field);
  case SS_EMPTY:
    FOR_EACH_VALUE(t, field, f, if (!f->value_len && !(f->flags & DETECT_FIELD_NULL)) return true);
    return false;
  case SS_LT:
  case SS_LTE:
  case SS_GT:
  case SS_GTE:
    FOR_EACH_VALUE(t, field, f, {
      if (to_number(f, &num) && (v->type == SS_LT    ? num < v->num
                                 : v->type == SS_LTE ? num <= v->num
                                 : v->type == SS_GT  ? num > v->num
                                                     : num >= v->num))
        return true;
    });
    return false;
  case SS_CIDR:
    FOR_EACH_VALUE(t, field, f, if (in_cidr(f, &v->ip)) return true);
    return false;
  case SS_TIMEPART:
    FOR_EACH_VALUE(t, field, f, if (time_part(f, v->part) == (int)v->num) return true);
    return false;
  case SS_FIELDREF:
    if (v->ref <= 0)
      return false;
    FOR_EACH_VALUE(t, field, f, if (ref_matches(t, v, f)) return true);
    return false;
  }
  return false;
}

static bool item_true(struct detect_sigma_thread *t, const struct detect_sigma_set *s, uint32_t idx)
{
  if (t->item_stamp[idx] == t->stamp)
    return t->item_val[idx];
  const struct sigma_item *it = &s->items[idx];
  bool res;
  if (it->plain) {
    res = t->item_hit[idx] == t->stamp;
  } else if (it->neq) {
    res = present(t, it->field);
    for (uint32_t k = 0; k < it->nmatchers && res; k++)
      res = !matcher_true(t, &s->matchers[it->first_matcher + k], it->field, it->first_matcher + k);
  } else {
    bool all = it->all;
    res = all;
    for (uint32_t k = 0; k < it->nmatchers && res == all; k++)
      if (matcher_true(t, &s->matchers[it->first_matcher + k], it->field, it->first_matcher + k) !=
          all)
        res = !all;
    for (uint32_t k = 0; k < it->nspecial && res == all; k++)
      if (special_true(t, &s->specials[it->first_special + k], it->field) != all)
        res = !all;
  }
  t->item_stamp[idx] = t->stamp;
  t->item_val[idx] = res;
  return res;
}

static bool sel_true(struct detect_sigma_thread *t, const struct detect_sigma_set *s,
                     const struct sigma_sel *sel)
{
  for (uint32_t g = 0; g < sel->ngroups; g++) {
    const struct sigma_group *gr = &s->groups[sel->first_group + g];
    bool ok = true;
    for (uint32_t i = 0; i < gr->nitems && ok; i++)
      ok = item_true(t, s, gr->first_item + i);
    if (ok)
      return true;
  }
  return false;
}

static bool cond_true(struct detect_sigma_thread *t, const struct detect_sigma_set *s,
                      const struct sigma_rule *r, uint32_t n)
{
  const struct sigma_cnode *c = &r->cond[n];
  switch (c->op) {
  case CO_OR:
    return cond_true(t, s, r, c->a) || cond_true(t, s, r, c->b);
  case CO_AND:
    return cond_true(t, s, r, c->a) && cond_true(t, s, r, c->b);
  case CO_NOT:
    return !cond_true(t, s, r, c->a);
  case CO_SEL:
    return sel_true(t, s, &r->sels[c->a]);
  case CO_OF: {
    uint32_t need = c->need ? c->need : c->n, got = 0;
    for (uint32_t k = 0; k < c->n && got < need; k++)
      got += sel_true(t, s, &r->sels[r->of_sels[c->first + k]]);
    return got >= need;
  }
  }
  return false;
}

/* The fields of the items that were true, in the rule's spelling. */
static void hit_fields(struct detect_sigma_thread *t, const struct detect_sigma_set *s,
                       const struct sigma_rule *r, struct detect_sigma_hit *hit)
{
  hit->nfields = 0;
  for (uint32_t k = 0; k < r->nsels; k++) {
    const struct sigma_sel *sel = &r->sels[k];
    for (uint32_t g = 0; g < sel->ngroups; g++) {
      const struct sigma_group *gr = &s->groups[sel->first_group + g];
      for (uint32_t i = 0; i < gr->nitems; i++) {
        uint32_t idx = gr->first_item + i;
        const struct sigma_item *it = &s->items[idx];
        if (it->field <= 0 || t->item_stamp[idx] != t->stamp || !t->item_val[idx] || it->neq)
          continue;
        const char *name = s->fields[it->field].name;
        bool seen = false;
        for (size_t j = 0; j < hit->nfields && !seen; j++)
          seen = hit->fields[j] == name;
        if (!seen && hit->nfields < FS_ARRAY_SIZE(hit->fields)) {
          hit->field_ids[hit->nfields] = it->field;
          hit->fields[hit->nfields++] = name;
        }
      }
    }
  }
}

static void add_cand(struct detect_sigma_thread *t, uint32_t rule)
{
  if (t->rule_stamp[rule] != t->stamp) {
    t->rule_stamp[rule] = t->stamp;
    t->cands[t->ncands++] = rule;
  }
}

int detect_sigma_match(const struct detect_sigma_set *s, struct detect_sigma_thread *t,
                       struct detect_event *ev, detect_sigma_hit_fn fn, void *arg)
{
  if (prepare(t, s))
    return FS_ERR_NOMEM;
  next_stamp(t, s);
  t->set = s;
  t->ev = ev;
  size_t cls = sigma_map_event(s, t->names, ev);
  const struct sigma_class_routes *rt = &s->routes[cls];
  for (size_t i = ev->nfields; i-- > 0;) { /* occurrences, first one first */
    int32_t id = ev->fields[i].map_id;
    if (id <= 0)
      continue;
    t->occ_next[i] = t->occ_stamp[id] == t->stamp ? t->occ_first[id] : NO_OCC;
    t->occ_first[id] = (uint16_t)i;
    t->occ_stamp[id] = t->stamp;
  }
  t->ntouched = 0;
  for (size_t i = 0; i < ev->nfields; i++) {
    int32_t id = ev->fields[i].map_id;
    if (id > 0 && (rt->lit[id] || rt->db[id] || rt->exact[id]))
      scan_bytes(t, s, rt, id, ev->fields[i].value, ev->fields[i].value_len);
  }
  if (rt->keywords && (rt->lit[0] || rt->db[0] || rt->exact[0]))
    scan_keywords(t, s, rt, ev);
  t->ncands = 0;
  for (size_t k = 0; k < t->ntouched; k++) {
    const struct sigma_node *m = &s->nodes[t->touched[k]];
    uint32_t rule = m->rule;
    t->item_hit[m->item] = t->stamp;
    if (!(rt->bits[rule / 64] & (1ULL << (rule % 64))))
      continue;
    uint16_t need = m->nclauses;
    if (need) { /* count each clause once; the rule is a candidate when all have hits */
      if (m->clause < 0 || t->ccount_stamp[m->clause] == t->stamp)
        continue;
      t->ccount_stamp[m->clause] = t->stamp;
      if (t->rcount_stamp[rule] != t->stamp) {
        t->rcount_stamp[rule] = t->stamp;
        t->rcount[rule] = 0;
      }
      if (++t->rcount[rule] < need)
        continue;
    }
    add_cand(t, rule);
  }
  for (size_t k = 0; k < rt->nalways; k++)
    add_cand(t, rt->always[k]);
  int rc = 0;
  for (size_t k = 0; k < t->ncands && !rc; k++) {
    const struct sigma_rule *r = &s->rules[t->cands[k]];
    if (r->dead || !cond_true(t, s, r, r->root))
      continue;
    struct detect_sigma_hit hit = {.rule = t->cands[k]};
    hit_fields(t, s, r, &hit);
    rc = fn(arg, &hit);
  }
  for (size_t k = 0; k < t->ntouched; k++)
    t->bits[s->nodes[t->touched[k]].matcher >> 6] = 0;
  t->ev = NULL;
  return rc;
}
