/* Compiling a rule set: the field dictionary, which rules can be true without any hit, each
 * rule's clauses (what it cannot be true without), the routes per event class, correlations, and
 * the set's lifecycle. The values
 * themselves are compiled in sigma_hs.c. */
#include "detect/sigma_int.h"

#include "core/buf.h"
#include "detect/hash.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the field dictionary ----------------------------------------------------------------- */

static uint64_t name_hash(const char *s, size_t n)
{
  return detect_hash(s, n, 0x51ED270B27CB1B5DULL) | 1;
}

int32_t sigma_field_find(const struct detect_sigma_set *s, const char *name, size_t len)
{
  if (!s->fmap_hash)
    return -1;
  uint64_t h = name_hash(name, len);
  for (size_t i = h & s->fmap_mask; s->fmap_hash[i]; i = (i + 1) & s->fmap_mask)
    if (s->fmap_hash[i] == h) {
      const struct sigma_field *f = &s->fields[s->fmap_id[i]];
      if (f->len == len && !memcmp(f->name, name, len))
        return (int32_t)s->fmap_id[i];
    }
  return -1;
}

static bool fmap_grow(struct detect_sigma_set *s)
{
  size_t cap = s->fmap_hash ? (s->fmap_mask + 1) * 2 : 256;
  uint64_t *h = calloc(cap, sizeof(*h));
  uint32_t *id = calloc(cap, sizeof(*id));
  if (!h || !id) {
    free(h);
    free(id);
    return false;
  }
  for (size_t i = 0; s->fmap_hash && i <= s->fmap_mask; i++) {
    if (!s->fmap_hash[i])
      continue;
    size_t k = s->fmap_hash[i] & (cap - 1);
    while (h[k])
      k = (k + 1) & (cap - 1);
    h[k] = s->fmap_hash[i];
    id[k] = s->fmap_id[i];
  }
  free(s->fmap_hash);
  free(s->fmap_id);
  s->fmap_hash = h;
  s->fmap_id = id;
  s->fmap_mask = cap - 1;
  return true;
}

int32_t sigma_field_id(struct detect_sigma_set *s, const char *name, size_t len, bool add)
{
  int32_t id = sigma_field_find(s, name, len);
  if (id >= 0 || !add)
    return id;
  if ((!s->fmap_hash || (s->n_fields + 1) * 2 > s->fmap_mask + 1) && !fmap_grow(s))
    return -1;
  struct sigma_field *f = SIGMA_PUSH(s, fields);
  if (!f || !(f->name = fs_arena_strndup(&s->arena, name, len)))
    return -1;
  f->len = len;
  uint64_t h = name_hash(name, len);
  size_t i = h & s->fmap_mask;
  while (s->fmap_hash[i])
    i = (i + 1) & s->fmap_mask;
  s->fmap_hash[i] = h;
  s->fmap_id[i] = (uint32_t)(s->n_fields - 1);
  return (int32_t)(s->n_fields - 1);
}

/* ---- which rules need no hit -------------------------------------------------------------- */

enum { V_F, V_T, V_U }; /* three-valued: false, true, unknown */

static int v_not(int a)
{
  return a == V_U ? V_U : a == V_T ? V_F : V_T;
}

static int sel3(const struct detect_sigma_set *s, const struct sigma_sel *sel)
{
  int res = V_F;
  for (uint32_t g = 0; g < sel->ngroups; g++) {
    const struct sigma_group *gr = &s->groups[sel->first_group + g];
    int v = V_T;
    for (uint32_t i = 0; i < gr->nitems && v != V_F; i++)
      if (s->items[gr->first_item + i].indexed)
        v = V_F;
      else
        v = V_U;
    if (v == V_T)
      return V_T;
    if (v == V_U)
      res = V_U;
  }
  return res;
}

static int cond3(const struct detect_sigma_set *s, const struct sigma_rule *r, uint32_t n)
{
  const struct sigma_cnode *c = &r->cond[n];
  int a, b;
  switch (c->op) {
  case CO_OR:
    a = cond3(s, r, c->a);
    b = cond3(s, r, c->b);
    return (a == V_T || b == V_T) ? V_T : (a == V_F && b == V_F) ? V_F : V_U;
  case CO_AND:
    a = cond3(s, r, c->a);
    b = cond3(s, r, c->b);
    return (a == V_F || b == V_F) ? V_F : (a == V_T && b == V_T) ? V_T : V_U;
  case CO_NOT:
    return v_not(cond3(s, r, c->a));
  case CO_SEL:
    return sel3(s, &r->sels[c->a]);
  case CO_OF: {
    uint32_t t = 0, u = 0, need = c->need ? c->need : c->n;
    for (uint32_t k = 0; k < c->n; k++) {
      int v = sel3(s, &r->sels[r->of_sels[c->first + k]]);
      t += v == V_T;
      u += v == V_U;
    }
    return t >= need ? V_T : t + u >= need ? V_U : V_F;
  }
  }
  return V_U;
}

/* ---- regexes left to PCRE2 --------------------------------------------------------------- */

/* Whether an item is searched with regexes only, all of them in Hyperscan. */
static bool regex_item(const struct detect_sigma_set *s, const struct sigma_item *it)
{
  if (!it->indexed || !it->nmatchers || it->field == 0)
    return false;
  for (uint32_t k = 0; k < it->nmatchers; k++) {
    const struct sigma_matcher *m = &s->matchers[it->first_matcher + k];
    if (m->kind != SK_RE || (m->flags & SMF_LAZY))
      return false;
  }
  return true;
}

/* A rule that cannot be true without a hit of its other items does not need its regexes searched
 * in every value: they are run by PCRE2 on the field's values when the rule is a candidate (the
 * way of regexes Hyperscan refuses). Regex databases are the costliest per byte. buf holds
 * n_items. */
static void defer_regexes(struct detect_sigma_set *s, struct sigma_rule *r, uint32_t *buf)
{
  size_t n = 0;
  for (uint32_t k = 0; k < r->nsels; k++)
    for (uint32_t g = 0; g < r->sels[k].ngroups; g++) {
      const struct sigma_group *gr = &s->groups[r->sels[k].first_group + g];
      for (uint32_t i = 0; i < gr->nitems; i++)
        if (regex_item(s, &s->items[gr->first_item + i])) {
          s->items[gr->first_item + i].indexed = false;
          buf[n++] = gr->first_item + i;
        }
    }
  bool keep = n && cond3(s, r, r->root) != V_F; /* it would need evaluating on every event */
  struct fs_err why;
  for (size_t j = 0; j < n; j++) {
    struct sigma_item *it = &s->items[buf[j]];
    bool ok = !keep;
    for (uint32_t q = 0; q < it->nmatchers && ok; q++) {
      struct sigma_matcher *m = &s->matchers[it->first_matcher + q];
      ok = m->re || !sigma_compile_pcre(m, &why);
    }
    if (!ok) {
      it->indexed = true;
      continue;
    }
    for (uint32_t q = 0; q < it->nmatchers; q++) {
      struct sigma_matcher *m = &s->matchers[it->first_matcher + q];
      m->flags = (uint8_t)((m->flags & ~SMF_CONFIRM) | SMF_LAZY);
      s->stats.regex_deferred++;
    }
  }
}

/* ---- what a rule cannot be true without -------------------------------------------------- *
 * A condition implies a conjunction of clauses, each a disjunction of indexed items (CNF): the
 * rule can be true only when every clause has an item with a hit. The matcher counts clauses
 * with hits and evaluates a rule only when all have one; a true rule is never missed. */

#define MAX_CLAUSES 32
#define MAX_CLAUSE_ITEMS 64

struct clauses {
  size_t n;
  size_t len[MAX_CLAUSES];
  uint32_t it[MAX_CLAUSES][MAX_CLAUSE_ITEMS];
};

/* Fields whose values are shared by a great many events (and rules). */
static bool common_field(const char *name)
{
  static const char *const common[] = {"Image",   "ParentImage", "OriginalFileName", "Product",
                                       "Company", "Description", "IntegrityLevel",   "User",
                                       "EventID", "Channel",     "Provider_Name",    "ImageLoaded"};
  for (size_t i = 0; i < FS_ARRAY_SIZE(common); i++)
    if (!strcmp(name, common[i]))
      return true;
  return false;
}

/* How rarely an item is true: the literal characters of its least specific value (of its most
 * specific one with |all), less for fields every event has. */
static long selectivity(const struct detect_sigma_set *s, const struct sigma_item *it)
{
  long score = it->all ? 0 : LONG_MAX;
  for (uint32_t k = 0; k < it->nmatchers; k++) {
    const struct sigma_matcher *m = &s->matchers[it->first_matcher + k];
    long v = LONG_MAX;
    for (uint16_t p = 0; p < m->npats; p++) {
      long lit = 0;
      for (uint32_t i = 0; i < m->pats[p].len; i++)
        lit += m->pats[p].literal || (m->pats[p].text[i] != '*' && m->pats[p].text[i] != '?');
      v = FS_MIN(v, m->kind == SK_RE ? lit / 2 : m->kind == SK_EXACT ? lit + 4 : lit);
    }
    score = it->all ? FS_MAX(score, v) : FS_MIN(score, v);
  }
  return common_field(s->fields[it->field].name) ? score / 3 : score;
}

static bool usable(const struct sigma_item *it)
{
  return it->indexed && it->nmatchers;
}

static void add_clause(struct clauses *c, const uint32_t *items, size_t n)
{
  if (c->n == MAX_CLAUSES || !n || n > MAX_CLAUSE_ITEMS)
    return;
  memcpy(c->it[c->n], items, n * sizeof(*items));
  c->len[c->n++] = n;
}

/* A selection: one clause per item of a single group; for several groups one clause with the
 * most selective item of each (none when a group has no usable item). */
static void sel_clauses(const struct detect_sigma_set *s, const struct sigma_sel *sel,
                        struct clauses *out)
{
  uint32_t pick[MAX_CLAUSE_ITEMS];
  size_t n = 0;
  for (uint32_t g = 0; g < sel->ngroups; g++) {
    const struct sigma_group *gr = &s->groups[sel->first_group + g];
    int64_t best = -1;
    long best_score = -1;
    for (uint32_t i = 0; i < gr->nitems; i++) {
      uint32_t idx = gr->first_item + i;
      if (!usable(&s->items[idx]))
        continue;
      if (sel->ngroups == 1) {
        add_clause(out, &idx, 1);
        continue;
      }
      long sc = selectivity(s, &s->items[idx]);
      if (sc > best_score) {
        best_score = sc;
        best = idx;
      }
    }
    if (sel->ngroups == 1)
      return;
    if (best < 0 || n == MAX_CLAUSE_ITEMS)
      return;
    pick[n++] = (uint32_t)best;
  }
  add_clause(out, pick, n);
}

/* The clause of c with the fewest items, or -1. */
static int smallest(const struct clauses *c)
{
  int best = -1;
  for (size_t k = 0; k < c->n; k++)
    if (best < 0 || c->len[k] < c->len[best])
      best = (int)k;
  return best;
}

/* out gets the clauses of an OR of the alternatives: one clause joining the smallest clause of
 * each (none when an alternative has none). */
static void or_clauses(struct clauses *const *alt, size_t nalt, struct clauses *out)
{
  uint32_t items[MAX_CLAUSE_ITEMS];
  size_t n = 0;
  for (size_t a = 0; a < nalt; a++) {
    int k = smallest(alt[a]);
    if (k < 0 || n + alt[a]->len[k] > MAX_CLAUSE_ITEMS)
      return;
    memcpy(items + n, alt[a]->it[k], alt[a]->len[k] * sizeof(*items));
    n += alt[a]->len[k];
  }
  add_clause(out, items, n);
}

static int node_clauses(const struct detect_sigma_set *s, const struct sigma_rule *r, uint32_t n,
                        struct clauses *out)
{
  const struct sigma_cnode *c = &r->cond[n];
  switch (c->op) {
  case CO_AND: {
    int rc = node_clauses(s, r, c->a, out);
    return rc ? rc : node_clauses(s, r, c->b, out);
  }
  case CO_OR: {
    struct clauses *ab[2] = {calloc(1, sizeof(struct clauses)), calloc(1, sizeof(struct clauses))};
    int rc = ab[0] && ab[1] ? FS_OK : FS_ERR_NOMEM;
    if (!rc)
      rc = node_clauses(s, r, c->a, ab[0]);
    if (!rc)
      rc = node_clauses(s, r, c->b, ab[1]);
    if (!rc)
      or_clauses(ab, 2, out);
    free(ab[0]);
    free(ab[1]);
    return rc;
  }
  case CO_SEL:
    sel_clauses(s, &r->sels[c->a], out);
    return FS_OK;
  case CO_OF: {
    if (!c->need || c->need == c->n) { /* all of them */
      for (uint32_t k = 0; k < c->n; k++)
        sel_clauses(s, &r->sels[r->of_sels[c->first + k]], out);
      return FS_OK;
    }
    struct clauses *alt[64] = {0}; /* at least one of them */
    if (c->n > FS_ARRAY_SIZE(alt))
      return FS_OK;
    int rc = FS_OK;
    uint32_t k = 0;
    for (; k < c->n && !rc; k++) {
      if (!(alt[k] = calloc(1, sizeof(struct clauses))))
        rc = FS_ERR_NOMEM;
      else
        sel_clauses(s, &r->sels[r->of_sels[c->first + k]], alt[k]);
    }
    if (!rc)
      or_clauses(alt, c->n, out);
    while (k-- > 0)
      free(alt[k]);
    return rc;
  }
  default: /* NOT: nothing is needed */
    return FS_OK;
  }
}

/* Numbers each rule's clauses (an item belongs to one clause at most: a clause that would share
 * an item is left out, which only makes the filter weaker). */
static int mark_clauses(struct detect_sigma_set *s)
{
  struct clauses *c = malloc(sizeof(*c));
  if (!c)
    return FS_ERR_NOMEM;
  for (size_t i = 0; i < s->n_items; i++)
    s->items[i].clause = -1;
  int rc = FS_OK;
  for (size_t i = 0; i < s->n_rules && !rc; i++) {
    struct sigma_rule *r = &s->rules[i];
    if (r->dead || r->corr)
      continue;
    c->n = 0;
    if ((rc = node_clauses(s, r, r->root, c)))
      break;
    for (size_t k = 0; k < c->n; k++) {
      bool taken = false;
      for (size_t j = 0; j < c->len[k] && !taken; j++)
        taken = s->items[c->it[k][j]].clause >= 0;
      if (taken || s->n_clauses >= INT32_MAX)
        continue;
      uint32_t *cr = SIGMA_PUSH(s, clauses);
      if (!cr) {
        rc = FS_ERR_NOMEM;
        break;
      }
      *cr = (uint32_t)i;
      for (size_t j = 0; j < c->len[k]; j++)
        s->items[c->it[k][j]].clause = (int32_t)(s->n_clauses - 1);
      r->nclauses++;
    }
  }
  free(c);
  return rc;
}

/* ---- correlations ------------------------------------------------------------------------- */

static int32_t find_rule(const struct detect_sigma_set *s, const char *ref)
{
  for (size_t i = 0; i < s->n_rules; i++) {
    const struct sigma_rule *r = &s->rules[i];
    if (!r->dead && ((r->id && !strcmp(r->id, ref)) || (r->name && !strcmp(r->name, ref))))
      return (int32_t)i;
  }
  return -1;
}

static int resolve_correlations(struct detect_sigma_set *s, detect_sigma_problem_fn fn, void *arg)
{
  for (size_t i = 0; i < s->n_rules; i++) {
    struct sigma_rule *r = &s->rules[i];
    if (!r->corr || r->dead)
      continue;
    struct sigma_corr_def *d = r->corr;
    d->ref_rules = fs_arena_calloc(&s->arena, d->nrefs * sizeof(*d->ref_rules));
    if (!d->ref_rules)
      return FS_ERR_NOMEM;
    for (size_t k = 0; k < d->nrefs && !r->dead; k++) {
      int32_t t = find_rule(s, d->refs[k]);
      if (t < 0 || s->rules[t].corr) {
        struct fs_err why;
        if (t < 0)
          fs_err_set(&why, FS_ERR_INVALID, "", "correlation refers to %.200s, which is not loaded",
                     d->refs[k]);
        else
          fs_err_set(&why, FS_ERR_INVALID, "",
                     "correlation refers to %.200s, which is a correlation", d->refs[k]);
        sigma_kill_rule(s, (uint32_t)i, &why, fn, arg);
        break;
      }
      d->ref_rules[k] = (uint32_t)t;
    }
    if (r->dead)
      continue;
    for (size_t k = 0; k < d->nrefs; k++) {
      struct sigma_rule *b = &s->rules[d->ref_rules[k]];
      uint32_t *users = fs_arena_alloc(&s->arena, (b->ncorr_users + 1) * sizeof(*users));
      if (!users)
        return FS_ERR_NOMEM;
      if (b->ncorr_users)
        memcpy(users, b->corr_users, b->ncorr_users * sizeof(*users));
      users[b->ncorr_users++] = (uint32_t)i;
      b->corr_users = users;
    }
  }
  for (size_t i = 0; i < s->n_rules; i++) { /* silent: used only by non-generating ones */
    struct sigma_rule *b = &s->rules[i];
    bool generate = false;
    for (size_t k = 0; k < b->ncorr_users; k++)
      generate |= s->rules[b->corr_users[k]].corr->generate;
    b->silent = b->ncorr_users && !generate;
  }
  return FS_OK;
}

/* ---- routes ------------------------------------------------------------------------------- */

static int build_routes(struct detect_sigma_set *s)
{
  s->nroutes = sigma_class_count();
  s->rule_words = (s->n_rules + 63) / 64;
  s->routes = calloc(s->nroutes, sizeof(*s->routes));
  if (!s->routes)
    return FS_ERR_NOMEM;
  bool *keywords = calloc(s->n_rules + 1, sizeof(bool));
  if (!keywords)
    return FS_ERR_NOMEM;
  for (size_t i = 0; i < s->n_items; i++)
    keywords[s->items[i].rule] |= s->items[i].field == 0;
  for (size_t c = 0; c < s->nroutes; c++) {
    struct sigma_class_routes *rt = &s->routes[c];
    rt->bits = calloc(s->rule_words + 1, sizeof(uint64_t));
    rt->always = calloc(s->n_rules + 1, sizeof(uint32_t));
    if (!rt->bits || !rt->always) {
      free(keywords);
      return FS_ERR_NOMEM;
    }
    for (size_t i = 0; i < s->n_rules; i++) {
      const struct sigma_rule *r = &s->rules[i];
      if (r->dead || r->corr || !sigma_class_fits(c, r))
        continue;
      rt->bits[i / 64] |= 1ULL << (i % 64);
      if (r->always)
        rt->always[rt->nalways++] = (uint32_t)i;
      rt->keywords |= keywords[i];
    }
  }
  free(keywords);
  return FS_OK;
}

/* ---- the whole set ------------------------------------------------------------------------ */

static atomic_uint_fast64_t set_generation = 1;

int sigma_compile_set(struct detect_sigma_set *s, detect_sigma_problem_fn fn, void *arg,
                      struct fs_err *err)
{
  s->generation = atomic_fetch_add(&set_generation, 1);
  int rc = sigma_plan_values(s, fn, arg, err);
  if (rc)
    return rc;
  for (size_t i = 0; i < s->n_items; i++)
    s->fields[s->items[i].field].used = true;
  if ((rc = resolve_correlations(s, fn, arg)))
    return fs_err_set(err, rc, "", "out of memory");
  uint32_t *buf = malloc((s->n_items + 1) * sizeof(uint32_t));
  if (!buf)
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  for (size_t i = 0; i < s->n_rules; i++) {
    struct sigma_rule *r = &s->rules[i];
    if (r->dead)
      continue;
    if (r->corr) {
      s->stats.correlations++;
      continue;
    }
    defer_regexes(s, r, buf);
    r->always = cond3(s, r, r->root) != V_F;
    s->stats.rules++;
    s->stats.always_rules += r->always;
  }
  free(buf);
  for (size_t i = 0; i < s->n_items; i++) {
    struct sigma_item *it = &s->items[i];
    it->plain = it->indexed && !it->all && it->nmatchers;
    for (uint32_t k = 0; k < it->nmatchers && it->plain; k++)
      it->plain = !(s->matchers[it->first_matcher + k].flags & (SMF_CONFIRM | SMF_LAZY));
  }
  s->stats.matchers = s->n_matchers;
  if (!(rc = mark_clauses(s)))
    for (size_t i = 0; i < s->n_matchers; i++) {
      struct sigma_matcher *m = &s->matchers[i];
      m->rule = s->items[m->item].rule;
      m->clause = s->items[m->item].clause;
      m->nclauses = s->rules[m->rule].nclauses;
    }
  if (rc || (rc = build_routes(s)))
    return fs_err_set(err, rc, "", "out of memory");
  return sigma_compile_routes(s, fn, arg, err);
}

void detect_sigma_set_free(struct detect_sigma_set *s)
{
  if (!s)
    return;

  for (size_t i = 0; i < s->n_matchers; i++)
    pcre2_code_free(s->matchers[i].re);
  for (size_t c = 0; s->routes && c < s->nroutes; c++) {
    struct sigma_class_routes *rt = &s->routes[c];
    free(rt->bits);
    free(rt->always);
    free(rt->lit);
    free(rt->db);
    free(rt->exact);
  }
  for (size_t i = 0; i < s->n_dbs; i++)
    hs_free_database(s->dbs[i]);
  free(s->dbs);
  hs_free_scratch(s->scratch_proto);
  free(s->routes);
  free(s->rules);
  free(s->items);
  free(s->groups);
  free(s->matchers);
  free(s->specials);
  free(s->fields);
  free(s->fmap_hash);
  free(s->fmap_id);
  free(s->exact);
  free(s->nodes);
  free(s->targets);
  free(s->clauses);
  fs_arena_release(&s->arena);
  free(s);
}

void detect_sigma_set_free_cb(void *s)
{
  detect_sigma_set_free(s);
}

void detect_sigma_set_stats(const struct detect_sigma_set *s, struct detect_sigma_stats *out)
{
  *out = s->stats;
}

void detect_sigma_rule_info(const struct detect_sigma_set *s, uint32_t rule,
                            struct detect_sigma_rule_info *out)
{
  const struct sigma_rule *r = &s->rules[rule];
  out->id = r->id;
  out->title = r->title;
  out->level = r->level;
  out->status = r->status;
  out->file = r->file;
  out->line = r->line;
  out->correlation = r->corr != NULL;
}

bool detect_sigma_rule_silent(const struct detect_sigma_set *s, uint32_t rule)
{
  return s->rules[rule].silent;
}
