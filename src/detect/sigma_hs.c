/* Compiling a set's values: exact case-insensitive values into one hash table; for each event
 * class, per field (shared with an earlier class with the same values on it), literals (contains,
 * startswith, endswith, cased exact) into a Hyperscan literal database checked by position and
 * wildcards and regexes into a Hyperscan regex database; PCRE2 for regexes Hyperscan cannot run
 * (confirming a Hyperscan prefilter when it can). Identical expressions in a database are compiled
 * once. */
#include "detect/sigma_int.h"

#include "core/buf.h"
#include "detect/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIT_MAX (DETECT_URL_MAX * 8)

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
    if (!p->literal && c == '\\' && i + 1 < n &&
        (t[i + 1] == '*' || t[i + 1] == '?' || t[i + 1] == '\\')) {
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

int sigma_compile_pcre(struct sigma_matcher *m, struct fs_err *why)
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
    return fs_err_set(why, FS_ERR_INVALID, "", "regular expression /%.80s/: %s at offset %zu",
                      m->pats[0].text, (const char *)msg, (size_t)off);
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
  struct sigma_field *f = &s->fields[field & ~SIGMA_SUFFIX_KEY];
  if (field & SIGMA_SUFFIX_KEY) {
    f->suffix_max = FS_MAX(f->suffix_max, (uint32_t)n);
    f->suffix_lens[n / 64] |= 1ULL << (n % 64);
  } else if (n < 512)
    f->exact_lens[n / 64] |= 1ULL << (n % 64);
  else
    f->exact_long = true;
  uint64_t h = exact_hash(s, field, lower, n);
  size_t i = h & s->exact_mask;
  for (; s->exact[i].hash; i = (i + 1) & s->exact_mask)
    if (s->exact[i].hash == h && s->exact[i].field == field && s->exact[i].len == n &&
        !memcmp(s->exact[i].key, lower, n))
      break;
  struct sigma_node *node = SIGMA_PUSH(s, nodes);
  if (!node)
    return FS_ERR_NOMEM;
  node->matcher = matcher;
  if (!s->exact[i].hash) {
    s->exact[i] = (struct sigma_exact_slot){h, lower, (uint32_t)n, field, UINT32_MAX};
    s->exact_count++;
  }
  node->next = s->exact[i].head;
  s->exact[i].head = (uint32_t)(s->n_nodes - 1);
  return FS_OK;
}

/* ---- expression lists -------------------------------------------------------------------- */

/* A field's distinct expressions for one database, each a target (Hyperscan id). */
struct pat_list {
  char **expr;
  size_t *lens;
  unsigned *flags, *ids;
  size_t n, cap;
  uint64_t *map; /* hash of (expression, flags, kind) -> index */
  uint32_t *map_idx;
  size_t map_mask;
};

static int map_grow(struct pat_list *l)
{
  size_t cap = l->map ? (l->map_mask + 1) * 2 : 256;
  uint64_t *m = calloc(cap, sizeof(*m));
  uint32_t *mi = calloc(cap, sizeof(*mi));
  if (!m || !mi) {
    free(m);
    free(mi);
    return FS_ERR_NOMEM;
  }
  for (size_t i = 0; l->map && i <= l->map_mask; i++)
    if (l->map[i]) {
      size_t k = l->map[i] & (cap - 1);
      while (m[k])
        k = (k + 1) & (cap - 1);
      m[k] = l->map[i];
      mi[k] = l->map_idx[i];
    }
  free(l->map);
  free(l->map_idx);
  l->map = m;
  l->map_idx = mi;
  l->map_mask = cap - 1;
  return FS_OK;
}

static int list_grow(struct pat_list *l)
{
  size_t cap = l->cap ? l->cap * 2 : 64;
  char **ex = realloc(l->expr, cap * sizeof(*ex));
  if (ex)
    l->expr = ex;
  size_t *ln = realloc(l->lens, cap * sizeof(*ln));
  if (ln)
    l->lens = ln;
  unsigned *fl = realloc(l->flags, cap * sizeof(*fl));
  if (fl)
    l->flags = fl;
  unsigned *id = realloc(l->ids, cap * sizeof(*id));
  if (id)
    l->ids = id;
  if (!ex || !ln || !fl || !id)
    return FS_ERR_NOMEM;
  l->cap = cap;
  return FS_OK;
}

/* Adds matcher to the target of expression e (len bytes) with flags and kind, creating it. */
static int list_add(struct detect_sigma_set *s, struct pat_list *l, const char *e, size_t len,
                    unsigned flags, uint8_t kind, const struct sigma_matcher *glob_of,
                    const struct sigma_pattern *glob, uint32_t matcher)
{
  int rc;
  if ((!l->map || (l->n + 1) * 2 > l->map_mask + 1) && (rc = map_grow(l)))
    return rc;
  uint64_t h = detect_hash(e, len, ((uint64_t)flags << 8 | kind) ^ (uint64_t)(uintptr_t)glob) | 1;
  size_t k = h & l->map_mask;
  for (; l->map[k]; k = (k + 1) & l->map_mask) {
    uint32_t i = l->map_idx[k];
    if (l->map[k] == h && l->flags[i] == flags && l->lens[i] == len &&
        s->targets[l->ids[i]].kind == kind && s->targets[l->ids[i]].glob == glob &&
        !memcmp(l->expr[i], e, len))
      break;
  }
  uint32_t target;
  if (l->map[k]) {
    target = l->ids[l->map_idx[k]];
  } else {
    if (l->n == l->cap && (rc = list_grow(l)))
      return rc;
    struct sigma_target *tp = SIGMA_PUSH(s, targets);
    if (!tp || !(l->expr[l->n] = malloc(len + 1)))
      return FS_ERR_NOMEM;
    memcpy(l->expr[l->n], e, len);
    l->expr[l->n][len] = '\0';
    *tp = (struct sigma_target){UINT32_MAX,
                                (uint32_t)len,
                                kind,
                                glob,
                                glob_of ? glob_of->kind : 0,
                                glob_of ? (glob_of->flags & SMF_CASED) != 0 : false};
    target = (uint32_t)(s->n_targets - 1);
    l->lens[l->n] = len;
    l->flags[l->n] = flags;
    l->ids[l->n] = target;
    l->map[k] = h;
    l->map_idx[k] = (uint32_t)l->n;
    l->n++;
  }
  struct sigma_node *node = SIGMA_PUSH(s, nodes);
  if (!node)
    return FS_ERR_NOMEM;
  node->matcher = matcher;
  node->next = s->targets[target].head;
  s->targets[target].head = (uint32_t)(s->n_nodes - 1);
  return FS_OK;
}

static void list_release(struct pat_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->expr[i]);
  free(l->expr);
  free(l->lens);
  free(l->flags);
  free(l->ids);
  free(l->map);
  free(l->map_idx);
  memset(l, 0, sizeof(*l));
}

/* Removes expression i (its target stays, unreachable). */
static void list_drop(struct pat_list *l, size_t i)
{
  free(l->expr[i]);
  l->n--;
  memmove(l->expr + i, l->expr + i + 1, (l->n - i) * sizeof(*l->expr));
  memmove(l->lens + i, l->lens + i + 1, (l->n - i) * sizeof(*l->lens));
  memmove(l->flags + i, l->flags + i + 1, (l->n - i) * sizeof(*l->flags));
  memmove(l->ids + i, l->ids + i + 1, (l->n - i) * sizeof(*l->ids));
}

/* ---- planning and compiling --------------------------------------------------------------- */

void sigma_kill_rule(struct detect_sigma_set *s, uint32_t rule, const struct fs_err *why,
                     detect_sigma_problem_fn fn, void *arg)
{
  struct sigma_rule *r = &s->rules[rule];
  if (r->dead)
    return;
  r->dead = true;
  if (fn) {
    struct detect_sigma_problem p = {r->file,  r->line,  r->id,
                                     r->title, why->msg, fs_err_msg(why, true)};
    fn(arg, &p);
  }
}

struct field_plan {
  struct pat_list lit, re;
  struct fs_buf b;
  char *bytes; /* LIT_MAX + 1 */
};

/* Decides where a regex runs: Hyperscan, Hyperscan as a prefilter with a PCRE2 check, or PCRE2
 * alone. */
static void plan_regex(struct detect_sigma_set *s, uint32_t mi, detect_sigma_problem_fn fn,
                       void *arg)
{
  struct sigma_matcher *m = &s->matchers[mi];
  unsigned flags = hs_flags(m, true);
  hs_expr_info_t *info = NULL;
  hs_compile_error_t *ce = NULL;
  const char *e = m->pats[0].text;
  if (hs_expression_info(e, flags, &info, &ce) == HS_SUCCESS) {
    free(info);
    return;
  }
  hs_free_compile_error(ce);
  ce = NULL;
  struct fs_err why;
  if (sigma_compile_pcre(m, &why)) {
    sigma_kill_rule(s, s->items[m->item].rule, &why, fn, arg);
    return;
  }
  if (hs_expression_info(e, flags | HS_FLAG_PREFILTER, &info, &ce) == HS_SUCCESS) {
    free(info);
    m->flags |= SMF_CONFIRM;
    s->stats.pcre_confirmed++;
    return;
  }
  hs_free_compile_error(ce);
  m->flags |= SMF_LAZY;
  s->stats.pcre_only++;
  s->items[m->item].indexed = false;
}

int sigma_plan_values(struct detect_sigma_set *s, detect_sigma_problem_fn fn, void *arg,
                      struct fs_err *err)
{
  s->exact_seed = 0x2D358DCCAA6C78A5ULL;
  size_t pats = 0, cap = 64; /* an upper bound of the exact and suffix keys */
  for (size_t i = 0; i < s->n_matchers; i++)
    if ((s->matchers[i].kind == SK_EXACT || s->matchers[i].kind == SK_ENDS) &&
        !(s->matchers[i].flags & SMF_CASED))
      pats += s->matchers[i].npats;
  while (cap < pats * 2)
    cap *= 2;
  s->exact = calloc(cap, sizeof(*s->exact));
  s->exact_mask = cap - 1;
  char *bytes = malloc(LIT_MAX + 1);
  int rc = FS_OK;
  if (!s->exact || !bytes)
    rc = fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  for (size_t f = 0; f < s->n_fields; f++)
    s->fields[f].concat = f == 0;
  for (uint32_t mi = 0; mi < s->n_matchers && !rc; mi++) {
    struct sigma_matcher *m = &s->matchers[mi];
    const struct sigma_item *it = &s->items[m->item];
    if (s->rules[it->rule].dead)
      continue;
    if (it->field == 0)
      s->fields[0].concat &= m->kind == SK_CONTAINS;
    if (m->kind == SK_RE) {
      plan_regex(s, mi, fn, arg);
      continue;
    }
    if ((m->kind != SK_EXACT && m->kind != SK_ENDS) || (m->flags & SMF_CASED))
      continue;
    for (size_t k = 0; k < m->npats && !rc; k++) {
      size_t len;
      if (m->pats[k].len >= LIT_MAX || !pattern_literal(&m->pats[k], bytes, &len) || !len)
        continue;
      if (m->kind == SK_EXACT) {
        rc = exact_add(s, it->field, bytes, len, mi);
        s->stats.exact_values++;
      } else if (len >= 2 && len < 512 && (bytes[0] == '\\' || bytes[0] == '/') && it->field) {
        /* endswith "\\cmd.exe": the value's suffix from one of its separators, looked up */
        rc = exact_add(s, it->field | SIGMA_SUFFIX_KEY, bytes, len, mi);
        m->pats[k].suffix = true;
        s->stats.exact_values++;
      }
      if (rc)
        fs_err_set(err, rc, "", "out of memory");
    }
  }
  free(bytes);
  return rc;
}

/* The longest run of literal characters (escapes resolved) of a value with wildcards, into out;
 * returns its length. */
static size_t longest_piece(const struct sigma_pattern *p, char *out)
{
  size_t best = 0, best_at = 0, cur = 0, o = 0;
  for (size_t i = 0; i < p->len; i++) {
    char c = p->text[i];
    if (c == '\\' && i + 1 < p->len &&
        (p->text[i + 1] == '*' || p->text[i + 1] == '?' || p->text[i + 1] == '\\')) {
      out[o++] = p->text[++i];
      cur++;
    } else if (c == '*' || c == '?') {
      if (cur > best) {
        best = cur;
        best_at = o - cur;
      }
      cur = 0;
    } else {
      out[o++] = c;
      cur++;
    }
  }
  if (cur > best) {
    best = cur;
    best_at = o - cur;
  }
  memmove(out, out + best_at, best);
  return best;
}

/* Puts one matcher's forms (other than exact values) where they will be searched. */
static int plan_matcher(struct detect_sigma_set *s, uint32_t mi, struct field_plan *p)
{
  struct sigma_matcher *m = &s->matchers[mi];
  if (m->flags & SMF_LAZY)
    return FS_OK;
  if (m->kind == SK_RE) {
    unsigned flags = hs_flags(m, true) | ((m->flags & SMF_CONFIRM) ? HS_FLAG_PREFILTER : 0);
    return list_add(s, &p->re, m->pats[0].text, m->pats[0].len, flags, SK_RE, NULL, NULL, mi);
  }
  int rc = FS_OK;
  bool caseless = !(m->flags & SMF_CASED);
  for (size_t k = 0; k < m->npats && !rc; k++) {
    size_t len;
    if (m->pats[k].suffix)
      continue; /* in the exact table as a suffix */
    if (m->pats[k].len < LIT_MAX && pattern_literal(&m->pats[k], p->bytes, &len) && len) {
      if (m->kind == SK_EXACT && caseless)
        continue; /* in the exact table */
      /* Every occurrence is reported (endswith needs the last one, and HS_FLAG_SINGLEMATCH makes
       * a large literal database about a quarter slower); a bit already set costs nothing. */
      rc = list_add(s, &p->lit, p->bytes, len, caseless ? HS_FLAG_CASELESS : 0, m->kind, NULL, NULL,
                    mi);
      continue;
    }
    if (!m->pats[k].literal && (len = longest_piece(&m->pats[k], p->bytes)) >= 3) {
      /* checked whole at its first occurrence only (the check reads the whole value) */
      rc = list_add(s, &p->lit, p->bytes, len,
                    (caseless ? HS_FLAG_CASELESS : 0) | HS_FLAG_SINGLEMATCH, SK_CONTAINS, m,
                    &m->pats[k], mi);
      continue;
    }
    bool empty_ok;
    rc = glob_expr(&m->pats[k], m->kind, &p->b, &empty_ok);
    if (!rc)
      rc = list_add(s, &p->re, fs_buf_cstr(&p->b), p->b.len, hs_flags(m, empty_ok), SK_RE, NULL,
                    NULL, mi);
  }
  return rc;
}

/* Compiles one database of a field; an expression Hyperscan refuses takes its rules with it. */
static int compile_db(struct detect_sigma_set *s, const struct sigma_field *f, struct pat_list *l,
                      bool literal, hs_database_t **db, detect_sigma_problem_fn fn, void *arg,
                      struct fs_err *err)
{
  while (l->n) {
    hs_compile_error_t *ce = NULL;
    hs_error_t he =
        literal ? hs_compile_lit_multi((const char *const *)l->expr, l->flags, l->ids, l->lens,
                                       (unsigned)l->n, HS_MODE_BLOCK, NULL, db, &ce)
                : hs_compile_multi((const char *const *)l->expr, l->flags, l->ids, (unsigned)l->n,
                                   HS_MODE_BLOCK, NULL, db, &ce);
    if (he == HS_SUCCESS)
      break;
    if (!ce || ce->expression < 0) {
      int rc = fs_err_set(err, FS_ERR_INTERNAL, f->name, "Hyperscan: %s",
                          ce ? ce->message : "compile failed");
      hs_free_compile_error(ce);
      return rc;
    }
    size_t bad = (size_t)ce->expression;
    struct fs_err why;
    fs_err_set(&why, FS_ERR_INVALID, "", "value of field %.100s: Hyperscan: %s", f->name,
               ce->message);
    hs_free_compile_error(ce);
    for (uint32_t k = s->targets[l->ids[bad]].head; k != UINT32_MAX; k = s->nodes[k].next)
      sigma_kill_rule(s, s->items[s->matchers[s->nodes[k].matcher].item].rule, &why, fn, arg);
    list_drop(l, bad);
  }
  s->stats.hs_patterns += l->n;
  if (!*db)
    return FS_OK;
  hs_database_t **slot = SIGMA_PUSH(s, dbs);
  if (!slot) {
    hs_free_database(*db);
    *db = NULL;
    return fs_err_set(err, FS_ERR_NOMEM, f->name, "out of memory");
  }
  *slot = *db;
  if (hs_alloc_scratch(*db, &s->scratch_proto) != HS_SUCCESS)
    return fs_err_set(err, FS_ERR_NOMEM, f->name, "Hyperscan scratch");
  return FS_OK;
}

static bool routed(const uint64_t *bits, uint32_t rule)
{
  return bits[rule / 64] & (1ULL << (rule % 64));
}

/* Whether matcher mi's rule is routed (and alive) in bits. */
static bool matcher_routed(const struct detect_sigma_set *s, const uint64_t *bits, uint32_t mi)
{
  uint32_t rule = s->items[s->matchers[mi].item].rule;
  return !s->rules[rule].dead && routed(bits, rule);
}

/* A hash and the count of the matchers of order[from..to) routed in bits (hash 0: none). */
static uint64_t field_sig(const struct detect_sigma_set *s, const uint64_t *bits,
                          const uint32_t *order, size_t from, size_t to, uint32_t *count)
{
  uint64_t h = 0;
  uint32_t n = 0;
  for (size_t k = from; k < to; k++)
    if (matcher_routed(s, bits, order[k])) {
      h = (h ^ order[k]) * 0x100000001B3ULL + 0x9E3779B97F4A7C15ULL;
      n++;
    }
  *count = n;
  return n ? h | 1 : 0;
}

/* Per (class, field) while compiling: the routed matchers' hash and count, and whether the class
 * compiled the field's databases itself (else it uses another class's). */
struct field_route {
  uint64_t sig;
  uint32_t count;
  bool own;
};

/* The earlier class whose databases on field f (matchers order[from..to)) can serve class c: one
 * that compiled them for the same matchers, or for a few more (a superset costs a little scanning
 * and saves a compile: the extra matchers' rules are not routed to c, so their hits are dropped
 * when candidates are collected); c when there is none. */
static size_t shared_route(const struct detect_sigma_set *s, size_t c, const struct field_route *fr,
                           size_t nf, size_t f, const uint32_t *order, size_t from, size_t to)
{
  const struct field_route *mine = &fr[c * nf + f];
  uint32_t slack = mine->count / 16, best_extra = UINT32_MAX;
  size_t best = c;
  for (size_t e = 0; e < c; e++) {
    const struct field_route *other = &fr[e * nf + f];
    if (!other->own || other->count < mine->count)
      continue;
    uint32_t extra = other->count - mine->count;
    if (extra > slack || extra >= best_extra || (!extra && other->sig != mine->sig))
      continue;
    size_t k = from; /* every matcher routed to c is routed to e */
    while (k < to && (!matcher_routed(s, s->routes[c].bits, order[k]) ||
                      matcher_routed(s, s->routes[e].bits, order[k])))
      k++;
    if (k == to) {
      best = e;
      best_extra = extra;
    }
  }
  return best;
}

/* The databases of class c: per field, those of an earlier class that fit (shared_route), else
 * compiled from the values of the rules routed to c. Fills fr[c * nf + f]. */
static int compile_route(struct detect_sigma_set *s, size_t c, struct field_route *fr,
                         const size_t *end, const uint32_t *order, struct field_plan *p,
                         detect_sigma_problem_fn fn, void *arg, struct fs_err *err)
{
  struct sigma_class_routes *rt = &s->routes[c];
  size_t nf = s->n_fields;
  int rc = FS_OK;
  size_t start = 0;
  for (size_t f = 0; f < nf && !rc; start = end[f], f++) {
    const struct sigma_field *sf = &s->fields[f];
    struct field_route *mine = &fr[c * nf + f];
    mine->sig = field_sig(s, rt->bits, order, start, end[f], &mine->count);
    if (!mine->count)
      continue;
    size_t e = shared_route(s, c, fr, nf, f, order, start, end[f]);
    if (e < c) {
      rt->lit[f] = s->routes[e].lit[f];
      rt->db[f] = s->routes[e].db[f];
      rt->exact[f] = s->routes[e].exact[f];
      continue;
    }
    mine->own = true;
    for (size_t k = start; k < end[f] && !rc; k++) {
      uint32_t mi = order[k];
      const struct sigma_matcher *m = &s->matchers[mi];
      if (!matcher_routed(s, rt->bits, mi))
        continue;
      if (m->kind == SK_EXACT && !(m->flags & SMF_CASED))
        rt->exact[f] |= 1;
      for (uint16_t q = 0; q < m->npats; q++)
        if (m->pats[q].suffix)
          rt->exact[f] |= 2;
      rc = plan_matcher(s, mi, p);
    }
    if (rc)
      fs_err_set(err, rc, sf->name, "out of memory");
    if (!rc && p->lit.n)
      rc = compile_db(s, sf, &p->lit, true, &rt->lit[f], fn, arg, err);
    if (!rc && p->re.n)
      rc = compile_db(s, sf, &p->re, false, &rt->db[f], fn, arg, err);
    list_release(&p->lit);
    list_release(&p->re);
  }
  return rc;
}

/* Copies chain head of old into nodes from *n on, each node followed by the next and with its
 * matcher's item, rule and clause, and returns its new head. */
static uint32_t relink(const struct detect_sigma_set *s, const struct sigma_node *old,
                       uint32_t head, struct sigma_node *nodes, size_t *n)
{
  if (head == UINT32_MAX)
    return head;
  uint32_t first = (uint32_t)*n;
  for (uint32_t k = head; k != UINT32_MAX; k = old[k].next) {
    const struct sigma_matcher *m = &s->matchers[old[k].matcher];
    nodes[*n] = (struct sigma_node){old[k].matcher, (uint32_t)*n + 1, m->item,
                                    m->rule,        m->clause,        m->nclauses};
    (*n)++;
  }
  nodes[*n - 1].next = UINT32_MAX;
  return first;
}

/* Lays each chain (of a target, of an exact value) out in consecutive nodes, in the same order:
 * the matchers of a hit are then read from one or two cache lines. */
static int relink_chains(struct detect_sigma_set *s)
{
  struct sigma_node *nodes = malloc((s->n_nodes + 1) * sizeof(*nodes));
  if (!nodes)
    return FS_ERR_NOMEM;
  size_t n = 0;
  for (size_t i = 0; i < s->n_targets; i++)
    s->targets[i].head = relink(s, s->nodes, s->targets[i].head, nodes, &n);
  for (size_t i = 0; s->exact && i <= s->exact_mask; i++)
    if (s->exact[i].hash)
      s->exact[i].head = relink(s, s->nodes, s->exact[i].head, nodes, &n);
  free(s->nodes);
  s->nodes = nodes;
  s->n_nodes = s->cap_nodes = n;
  return FS_OK;
}

int sigma_compile_routes(struct detect_sigma_set *s, detect_sigma_problem_fn fn, void *arg,
                         struct fs_err *err)
{
  int rc = FS_OK;
  size_t nf = s->n_fields;
  size_t *end = calloc(nf + 1, sizeof(size_t));
  uint32_t *order = malloc((s->n_matchers + 1) * sizeof(uint32_t));
  struct field_route *fr = calloc(s->nroutes * nf + 1, sizeof(*fr));
  struct field_plan p = {0};
  fs_buf_init(&p.b, 1 << 20);
  p.bytes = malloc(LIT_MAX + 1);
  if (!end || !order || !fr || !p.bytes) {
    rc = fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
    goto out;
  }
  /* matchers grouped by field (counting sort); end[f] ends field f's run */
  for (size_t i = 0; i < s->n_matchers; i++)
    end[s->items[s->matchers[i].item].field + 1]++;
  for (size_t f = 1; f <= nf; f++)
    end[f] += end[f - 1];
  for (size_t i = 0; i < s->n_matchers; i++)
    order[end[s->items[s->matchers[i].item].field]++] = (uint32_t)i;
  for (size_t c = 0; c < s->nroutes && !rc; c++) {
    struct sigma_class_routes *rt = &s->routes[c];
    rt->lit = calloc(nf + 1, sizeof(*rt->lit));
    rt->db = calloc(nf + 1, sizeof(*rt->db));
    rt->exact = calloc(nf + 1, 1);
    if (!rt->lit || !rt->db || !rt->exact) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
      break;
    }
    rc = compile_route(s, c, fr, end, order, &p, fn, arg, err);
  }
  for (size_t f = 0; f < nf && !rc; f++) /* fields with anything to search, in any class */
    for (size_t c = 0; c < s->nroutes; c++)
      if (s->routes[c].lit[f] || s->routes[c].db[f] || s->routes[c].exact[f]) {
        s->stats.fields++;
        break;
      }
  if (!rc && relink_chains(s))
    rc = fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
out:
  free(end);
  free(order);
  free(fr);
  free(p.bytes);
  fs_buf_release(&p.b);
  list_release(&p.lit);
  list_release(&p.re);
  return rc;
}
