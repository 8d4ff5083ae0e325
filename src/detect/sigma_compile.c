/* Compiling a rule set: the field dictionary, one Hyperscan database per field over every rule's
 * values (exact case-insensitive values go to a hash table in front instead), PCRE2 for the
 * regexes Hyperscan cannot run (as a confirmation behind a Hyperscan prefilter when it can),
 * which rules can be true without any hit, the routes per event class, and correlations. */
#include "detect/sigma_int.h"

#include "core/buf.h"
#include "detect/hash.h"

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

/* ---- patterns ----------------------------------------------------------------------------- */

/* The bytes of a pattern with Sigma escapes resolved, when it has no wildcard. */
static bool pattern_literal(const struct sigma_pattern *p, char *out, size_t *len)
{
  if (p->literal) {
    memcpy(out, p->text, p->len);
    *len = p->len;
    return true;
  }
  size_t o = 0;
  for (size_t i = 0; i < p->len; i++) {
    char c = p->text[i];
    if (c == '\\' && i + 1 < p->len &&
        (p->text[i + 1] == '*' || p->text[i + 1] == '?' || p->text[i + 1] == '\\')) {
      out[o++] = p->text[++i];
      continue;
    }
    if (c == '*' || c == '?')
      return false;
    out[o++] = c;
  }
  *len = o;
  return true;
}

static int put_literal(struct fs_buf *b, char c)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return fs_buf_append_char(b, c);
  return fs_buf_appendf(b, "\\x%02x", (unsigned char)c);
}

/* A Hyperscan expression for a Sigma value of a kind: anchored with \A and \z as the kind asks,
 * '*' as .* and '?' as '.', everything else literal. *empty_ok: it can match an empty value. */
static int glob_expr(const struct sigma_pattern *p, uint8_t kind, struct fs_buf *b, bool *empty_ok)
{
  bool start = kind == SK_EXACT || kind == SK_STARTS;
  bool end = kind == SK_EXACT || kind == SK_ENDS;
  const char *t = p->text;
  size_t n = p->len;
  size_t literals = 0;
  fs_buf_reset(b);
  if (!p->literal) {
    if (start && n && t[0] == '*') {
      start = false;
      t++;
      n--;
    }
    if (end && n && t[n - 1] == '*' && !(n >= 2 && t[n - 2] == '\\')) {
      end = false;
      n--;
    }
  }
  int rc = start ? fs_buf_append_str(b, "\\A") : FS_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    char c = t[i];
    if (!p->literal && c == '\\' && i + 1 < n && (t[i + 1] == '*' || t[i + 1] == '?' ||
                                                 t[i + 1] == '\\')) {
      rc = put_literal(b, t[++i]);
      literals++;
    } else if (!p->literal && c == '*') {
      rc = fs_buf_append_str(b, ".*");
    } else if (!p->literal && c == '?') {
      rc = fs_buf_append_char(b, '.');
      literals++;
    } else {
      rc = put_literal(b, c);
      literals++;
    }
  }
  if (!rc && end)
    rc = fs_buf_append_str(b, "\\z");
  *empty_ok = literals == 0;
  return rc;
}

static unsigned hs_flags(const struct sigma_matcher *m, bool empty_ok)
{
  unsigned f = HS_FLAG_SINGLEMATCH;
  if (m->kind == SK_RE) {
    f |= (m->flags & SMF_RE_I) ? HS_FLAG_CASELESS : 0;
    f |= (m->flags & SMF_RE_M) ? HS_FLAG_MULTILINE : 0;
    f |= (m->flags & SMF_RE_S) ? HS_FLAG_DOTALL : 0;
    f |= HS_FLAG_ALLOWEMPTY;
  } else {
    f |= HS_FLAG_DOTALL | ((m->flags & SMF_CASED) ? 0 : HS_FLAG_CASELESS);
    f |= empty_ok ? HS_FLAG_ALLOWEMPTY : 0;
  }
  return f;
}

static int compile_pcre(struct sigma_matcher *m, char *why, size_t why_size)
{
  uint32_t opts = ((m->flags & SMF_RE_I) ? PCRE2_CASELESS : 0) |
                  ((m->flags & SMF_RE_M) ? PCRE2_MULTILINE : 0) |
                  ((m->flags & SMF_RE_S) ? PCRE2_DOTALL : 0);
  int code;
  PCRE2_SIZE off;
  m->re = pcre2_compile((PCRE2_SPTR)m->pats[0].text, m->pats[0].len, opts, &code, &off, NULL);
  if (!m->re) {
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(code, msg, sizeof(msg));
    snprintf(why, why_size, "regular expression /%.80s/: %s at offset %zu", m->pats[0].text,
             (const char *)msg, (size_t)off);
    return FS_ERR_INVALID;
  }
  pcre2_jit_compile(m->re, PCRE2_JIT_COMPLETE); /* without JIT it still runs */
  return FS_OK;
}

/* ---- exact table -------------------------------------------------------------------------- */

static uint64_t exact_hash(const struct detect_sigma_set *s, int32_t field, const char *lower,
                           size_t n)
{
  return detect_hash(lower, n, s->exact_seed ^ ((uint64_t)field * 0x9E3779B97F4A7C15ULL)) | 1;
}

static int exact_add(struct detect_sigma_set *s, int32_t field, const char *v, size_t n,
                     uint32_t matcher)
{
  char *lower = fs_arena_alloc(&s->arena, n + 1);
  if (!lower)
    return FS_ERR_NOMEM;
  for (size_t i = 0; i < n; i++)
    lower[i] = (v[i] >= 'A' && v[i] <= 'Z') ? (char)(v[i] + 32) : v[i];
  lower[n] = '\0';
  uint64_t h = exact_hash(s, field, lower, n);
  size_t i = h & s->exact_mask;
  for (; s->exact[i].hash; i = (i + 1) & s->exact_mask)
    if (s->exact[i].hash == h && s->exact[i].field == field && s->exact[i].len == n &&
        !memcmp(s->exact[i].key, lower, n))
      break;
  struct sigma_exact_node *node = SIGMA_PUSH(s, exact_nodes);
  if (!node)
    return FS_ERR_NOMEM;
  node->matcher = matcher;
  if (!s->exact[i].hash) {
    s->exact[i] = (struct sigma_exact_slot){h, lower, (uint32_t)n, field, UINT32_MAX};
    s->exact_count++;
  }
  node->next = s->exact[i].head;
  s->exact[i].head = (uint32_t)(s->n_exact_nodes - 1);
  return FS_OK;
}

/* ---- per field ---------------------------------------------------------------------------- */

struct hs_list {
  char **expr;
  unsigned *flags, *ids;
  uint32_t *matcher; /* which matcher each expression belongs to */
  size_t n, cap;
};

static int hs_list_add(struct hs_list *l, const char *e, unsigned flags, uint32_t matcher)
{
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    char **ex = realloc(l->expr, cap * sizeof(*ex));
    if (ex)
      l->expr = ex;
    unsigned *fl = realloc(l->flags, cap * sizeof(*fl));
    if (fl)
      l->flags = fl;
    unsigned *id = realloc(l->ids, cap * sizeof(*id));
    if (id)
      l->ids = id;
    uint32_t *m = realloc(l->matcher, cap * sizeof(*m));
    if (m)
      l->matcher = m;
    if (!ex || !fl || !id || !m)
      return FS_ERR_NOMEM;
    l->cap = cap;
  }
  if (!(l->expr[l->n] = strdup(e)))
    return FS_ERR_NOMEM;
  l->flags[l->n] = flags;
  l->ids[l->n] = matcher;
  l->matcher[l->n] = matcher;
  l->n++;
  return FS_OK;
}

static void hs_list_release(struct hs_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->expr[i]);
  free(l->expr);
  free(l->flags);
  free(l->ids);
  free(l->matcher);
  memset(l, 0, sizeof(*l));
}

/* Removes the expressions of one matcher from the list. */
static void hs_list_drop(struct hs_list *l, uint32_t matcher)
{
  size_t w = 0;
  for (size_t i = 0; i < l->n; i++) {
    if (l->matcher[i] == matcher) {
      free(l->expr[i]);
      continue;
    }
    l->expr[w] = l->expr[i];
    l->flags[w] = l->flags[i];
    l->ids[w] = l->ids[i];
    l->matcher[w] = l->matcher[i];
    w++;
  }
  l->n = w;
}

static void kill_rule(struct detect_sigma_set *s, uint32_t rule, const char *why,
                      detect_sigma_problem_fn fn, void *arg)
{
  struct sigma_rule *r = &s->rules[rule];
  if (r->dead)
    return;
  r->dead = true;
  if (fn) {
    struct detect_sigma_problem p = {r->file, r->line, r->id, r->title, why};
    fn(arg, &p);
  }
}

/* Puts one matcher's patterns into the field's list (or the exact table). */
static int plan_matcher(struct detect_sigma_set *s, uint32_t mi, struct hs_list *l,
                        struct fs_buf *b, detect_sigma_problem_fn fn, void *arg)
{
  struct sigma_matcher *m = &s->matchers[mi];
  const struct sigma_item *it = &s->items[m->item];
  char why[320];
  if (m->kind == SK_RE) {
    unsigned flags = hs_flags(m, true);
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *ce = NULL;
    if (hs_expression_info(m->pats[0].text, flags, &info, &ce) == HS_SUCCESS) {
      free(info);
      return hs_list_add(l, m->pats[0].text, flags, mi);
    }
    hs_free_compile_error(ce);
    ce = NULL;
    int rc = compile_pcre(m, why, sizeof(why));
    if (rc) {
      kill_rule(s, it->rule, why, fn, arg);
      return FS_OK;
    }
    if (hs_expression_info(m->pats[0].text, flags | HS_FLAG_PREFILTER, &info, &ce) ==
        HS_SUCCESS) {
      free(info);
      m->flags |= SMF_CONFIRM;
      s->stats.pcre_confirmed++;
      return hs_list_add(l, m->pats[0].text, flags | HS_FLAG_PREFILTER, mi);
    }
    hs_free_compile_error(ce);
    m->flags |= SMF_LAZY;
    s->stats.pcre_only++;
    s->items[m->item].indexed = false;
    return FS_OK;
  }
  char *lit = malloc(DETECT_URL_MAX * 8 + 1);
  if (!lit)
    return FS_ERR_NOMEM;
  int rc = FS_OK;
  for (size_t k = 0; k < m->npats && !rc; k++) {
    size_t len;
    if (m->kind == SK_EXACT && !(m->flags & SMF_CASED) && m->pats[k].len < DETECT_URL_MAX * 8 &&
        pattern_literal(&m->pats[k], lit, &len)) {
      rc = exact_add(s, it->field, lit, len, mi);
      s->fields[it->field].has_exact = true;
      s->stats.exact_values++;
      continue;
    }
    bool empty_ok;
    rc = glob_expr(&m->pats[k], m->kind, b, &empty_ok);
    if (!rc)
      rc = hs_list_add(l, fs_buf_cstr(b), hs_flags(m, empty_ok), mi);
  }
  free(lit);
  return rc;
}

static int compile_field(struct detect_sigma_set *s, uint32_t field, struct hs_list *l,
                         detect_sigma_problem_fn fn, void *arg, struct fs_err *err)
{
  struct sigma_field *f = &s->fields[field];
  while (l->n) {
    hs_compile_error_t *ce = NULL;
    if (hs_compile_multi((const char *const *)l->expr, l->flags, l->ids, (unsigned)l->n,
                         HS_MODE_BLOCK, NULL, &f->db, &ce) == HS_SUCCESS)
      break;
    if (!ce || ce->expression < 0) {
      int rc = fs_err_set(err, FS_ERR_INTERNAL, f->name, "Hyperscan: %s",
                          ce ? ce->message : "compile failed");
      hs_free_compile_error(ce);
      return rc;
    }
    /* One expression Hyperscan would not take after all: drop its rule and try again. */
    uint32_t mi = l->matcher[ce->expression];
    char why[320];
    snprintf(why, sizeof(why), "value of field %s: Hyperscan: %s", f->name, ce->message);
    hs_free_compile_error(ce);
    kill_rule(s, s->items[s->matchers[mi].item].rule, why, fn, arg);
    for (size_t i = 0; i < s->n_matchers; i++)
      if (s->items[s->matchers[i].item].rule == s->items[s->matchers[mi].item].rule)
        hs_list_drop(l, (uint32_t)i);
  }
  s->stats.hs_patterns += l->n;
  if (f->db && hs_alloc_scratch(f->db, &s->scratch_proto) != HS_SUCCESS)
    return fs_err_set(err, FS_ERR_NOMEM, f->name, "Hyperscan scratch");
  return FS_OK;
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

static int resolve_correlations(struct detect_sigma_set *s, detect_sigma_problem_fn fn,
                                void *arg)
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
        char why[320];
        snprintf(why, sizeof(why), "correlation refers to %s, which is %s", d->refs[k],
                 t < 0 ? "not loaded" : "a correlation");
        kill_rule(s, (uint32_t)i, why, fn, arg);
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
  int rc = FS_OK;
  s->generation = atomic_fetch_add(&set_generation, 1);
  s->exact_seed = 0x2D358DCCAA6C78A5ULL;
  size_t pats = 0, cap = 64;
  for (size_t i = 0; i < s->n_matchers; i++)
    pats += s->matchers[i].npats;
  while (cap < pats * 2)
    cap *= 2;
  s->exact = calloc(cap, sizeof(*s->exact));
  s->exact_mask = cap - 1;
  /* matchers grouped by field (counting sort) */
  size_t *count = calloc(s->n_fields + 1, sizeof(size_t));
  uint32_t *order = malloc((s->n_matchers + 1) * sizeof(uint32_t));
  struct fs_buf b;
  struct hs_list l = {0};
  fs_buf_init(&b, 1 << 20);
  if (!s->exact || !count || !order) {
    rc = fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
    goto out;
  }
  for (size_t i = 0; i < s->n_matchers; i++)
    count[s->items[s->matchers[i].item].field + 1]++;
  for (size_t f = 1; f <= s->n_fields; f++)
    count[f] += count[f - 1];
  for (size_t i = 0; i < s->n_matchers; i++)
    order[count[s->items[s->matchers[i].item].field]++] = (uint32_t)i;
  /* count[f] is now the end of field f's run */
  size_t start = 0;
  for (size_t f = 0; f < s->n_fields; f++) {
    size_t end = count[f];
    for (size_t k = start; k < end && !rc; k++) {
      uint32_t mi = order[k];
      if (s->rules[s->items[s->matchers[mi].item].rule].dead)
        continue;
      rc = plan_matcher(s, mi, &l, &b, fn, arg);
    }
    if (!rc && l.n) {
      rc = compile_field(s, (uint32_t)f, &l, fn, arg, err);
      if (!rc)
        s->stats.fields++;
    } else if (rc) {
      fs_err_set(err, rc, s->fields[f].name, "out of memory");
    }
    hs_list_release(&l);
    start = end;
    if (rc)
      goto out;
  }
  for (size_t i = 0; i < s->n_items; i++)
    s->fields[s->items[i].field].used = true;
  if ((rc = resolve_correlations(s, fn, arg))) {
    fs_err_set(err, rc, "", "out of memory");
    goto out;
  }
  for (size_t i = 0; i < s->n_rules; i++) {
    struct sigma_rule *r = &s->rules[i];
    if (r->dead)
      continue;
    if (r->corr) {
      s->stats.correlations++;
      continue;
    }
    r->always = cond3(s, r, r->root) != V_F;
    s->stats.rules++;
    s->stats.always_rules += r->always;
  }
  s->stats.matchers = s->n_matchers;
  if ((rc = build_routes(s)))
    fs_err_set(err, rc, "", "out of memory");
out:
  free(count);
  free(order);
  fs_buf_release(&b);
  hs_list_release(&l);
  return rc;
}

void detect_sigma_set_free(struct detect_sigma_set *s)
{
  if (!s)
    return;
  for (size_t i = 0; i < s->n_fields; i++)
    hs_free_database(s->fields[i].db);
  for (size_t i = 0; i < s->n_matchers; i++)
    pcre2_code_free(s->matchers[i].re);
  for (size_t c = 0; s->routes && c < s->nroutes; c++) {
    free(s->routes[c].bits);
    free(s->routes[c].always);
  }
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
  free(s->exact_nodes);
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
