/* The STIX pattern parser: recursive descent over the STIX 2.1 grammar (observation operators
 * FOLLOWEDBY < OR < AND, qualifiers binding to the expression before them, comparison OR < AND),
 * building the AST in the pattern's arena, plus the spec's checks on qualifiers and literals. */
#include "stix/pattern_int.h"
#include "stix/stix.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
  struct pat_lexer lx;
  struct pat_token tok; /* the current (look-ahead) token */
  struct stix_pattern *p;
  struct stix_pattern_limits lim;
  size_t depth;
  struct fs_err *err;
  int rc;
};

static int fail_at(struct parser *ps, size_t pos, int code, const char *fmt, ...) FS_PRINTF(4, 5);

static int fail_at(struct parser *ps, size_t pos, int code, const char *fmt, ...)
{
  if (ps->rc)
    return ps->rc;
  char where[32];
  snprintf(where, sizeof(where), "byte %zu", pos);
  va_list ap;
  va_start(ap, fmt);
  ps->rc = fs_err_vset(ps->err, code, where, fmt, ap);
  va_end(ap);
  return ps->rc;
}

static int expected(struct parser *ps, const char *what)
{
  if (ps->tok.t == TK_EOF)
    return fail_at(ps, ps->tok.pos, FS_ERR_PARSE, "expected %s, found end of pattern", what);
  if (ps->tok.t < TK_IDENT) /* punctuation and keywords: the name is the text */
    return fail_at(ps, ps->tok.pos, FS_ERR_PARSE, "expected %s, found %s", what,
                   pat_tok_name(ps->tok.t));
  return fail_at(ps, ps->tok.pos, FS_ERR_PARSE, "expected %s, found %s '%.*s'", what,
                 pat_tok_name(ps->tok.t), (int)FS_MIN(ps->tok.len, 40), ps->lx.s + ps->tok.pos);
}

static bool advance(struct parser *ps)
{
  if (ps->rc)
    return false;
  int rc = pat_lex(&ps->lx, &ps->tok, ps->err);
  if (rc)
    ps->rc = rc;
  return rc == FS_OK;
}

static bool accept(struct parser *ps, enum pat_tok t)
{
  if (ps->rc || ps->tok.t != t)
    return false;
  return advance(ps);
}

/* Counts one node against the limit. */
static bool count_node(struct parser *ps)
{
  if (ps->rc)
    return false;
  if (++ps->p->n_nodes > ps->lim.max_nodes) {
    fail_at(ps, ps->tok.pos, FS_ERR_TOO_LARGE, "pattern has more than %zu nodes",
            ps->lim.max_nodes);
    return false;
  }
  return true;
}

static void *node(struct parser *ps, size_t size)
{
  if (!count_node(ps))
    return NULL;
  void *n = fs_arena_calloc(&ps->p->arena, size);
  if (!n)
    fail_at(ps, ps->tok.pos, FS_ERR_NOMEM, "out of memory");
  return n;
}

static bool enter(struct parser *ps)
{
  if (++ps->depth > ps->lim.max_depth) {
    fail_at(ps, ps->tok.pos, FS_ERR_TOO_LARGE, "pattern nested deeper than %zu levels",
            ps->lim.max_depth);
    return false;
  }
  return true;
}

static char *tok_text(struct parser *ps, size_t skip, size_t trim, size_t *len)
{
  *len = ps->tok.len - skip - trim;
  char *s = fs_arena_strndup(&ps->p->arena, ps->lx.s + ps->tok.pos + skip, *len);
  if (!s)
    fail_at(ps, ps->tok.pos, FS_ERR_NOMEM, "out of memory");
  return s;
}

static char *string_value(struct parser *ps, size_t *len)
{
  char *s = pat_unescape(&ps->p->arena, ps->lx.s + ps->tok.pos + 1, ps->tok.len - 2, len);
  if (!s)
    fail_at(ps, ps->tok.pos, FS_ERR_NOMEM, "out of memory");
  return s;
}

/* ---- Literals ---- */

static bool parse_int(struct parser *ps, int64_t *out)
{
  errno = 0;
  char buf[32];
  if (ps->tok.len >= sizeof(buf)) {
    fail_at(ps, ps->tok.pos, FS_ERR_PARSE, "integer out of range");
    return false;
  }
  memcpy(buf, ps->lx.s + ps->tok.pos, ps->tok.len);
  buf[ps->tok.len] = '\0';
  long long v = strtoll(buf, NULL, 10);
  if (errno) {
    fail_at(ps, ps->tok.pos, FS_ERR_PARSE, "integer out of range");
    return false;
  }
  *out = v;
  return true;
}

static bool literal(struct parser *ps, struct stix_pattern_lit *lit, bool orderable)
{
  size_t pos = ps->tok.pos;
  switch (ps->tok.t) {
  case TK_STRING:
    lit->kind = STIX_PATTERN_LIT_STRING;
    lit->s = string_value(ps, &lit->len);
    break;
  case TK_INT:
    lit->kind = STIX_PATTERN_LIT_INT;
    if (!parse_int(ps, &lit->i))
      return false;
    break;
  case TK_FLOAT: {
    lit->kind = STIX_PATTERN_LIT_FLOAT;
    size_t skip = ps->lx.s[pos] == '+';
    lit->s = tok_text(ps, skip, 0, &lit->len);
    lit->f = lit->s ? strtod(lit->s, NULL) : 0;
    if (lit->s && !isfinite(lit->f)) {
      fail_at(ps, pos, FS_ERR_PARSE, "float out of range");
      return false;
    }
    break;
  }
  case TK_BOOL:
    if (orderable)
      return expected(ps, "an orderable literal (not a boolean)"), false;
    lit->kind = STIX_PATTERN_LIT_BOOL;
    lit->b = ps->lx.s[pos] == 't';
    break;
  case TK_TIMESTAMP:
    lit->kind = STIX_PATTERN_LIT_TIMESTAMP;
    lit->s = tok_text(ps, 2, 1, &lit->len);
    break;
  case TK_BINARY: {
    lit->kind = STIX_PATTERN_LIT_BINARY;
    size_t n = 0;
    char *t = tok_text(ps, 2, 1, &n), *w = t;
    for (size_t i = 0; t && i < n; i++) /* line feeds (STIX 2.0 only: the lexer) are skipped */
      if (t[i] != '\n' && t[i] != '\r')
        *w++ = t[i];
    if (!t)
      return false;
    *w = '\0';
    lit->text = t;
    lit->text_len = (size_t)(w - t);
    char *bin = fs_arena_alloc(&ps->p->arena, lit->text_len + 1);
    size_t bin_len = 0;
    if (!bin || sodium_base642bin((unsigned char *)bin, lit->text_len + 1, t, lit->text_len, NULL,
                                  &bin_len, NULL, sodium_base64_VARIANT_ORIGINAL)) {
      fail_at(ps, pos, bin ? FS_ERR_PARSE : FS_ERR_NOMEM, "invalid base64 in binary literal");
      return false;
    }
    bin[bin_len] = '\0';
    lit->s = bin;
    lit->len = bin_len;
    break;
  }
  case TK_HEX: {
    lit->kind = STIX_PATTERN_LIT_HEX;
    size_t n;
    char *t = tok_text(ps, 2, 1, &n);
    char *bin = fs_arena_alloc(&ps->p->arena, n / 2 + 1);
    if (!t || !bin)
      return fail_at(ps, pos, FS_ERR_NOMEM, "out of memory"), false;
    for (size_t i = 0; i < n; i++)
      t[i] = (char)(t[i] >= 'A' && t[i] <= 'F' ? t[i] + 32 : t[i]);
    for (size_t i = 0; i < n / 2; i++) {
      unsigned hi = (unsigned)(t[2 * i] <= '9' ? t[2 * i] - '0' : t[2 * i] - 'a' + 10);
      unsigned lo = (unsigned)(t[2 * i + 1] <= '9' ? t[2 * i + 1] - '0' : t[2 * i + 1] - 'a' + 10);
      bin[i] = (char)(hi << 4 | lo);
    }
    bin[n / 2] = '\0';
    lit->text = t;
    lit->text_len = n;
    lit->s = bin;
    lit->len = n / 2;
    break;
  }
  default:
    return expected(ps, orderable ? "an orderable literal" : "a literal"), false;
  }
  return !ps->rc && advance(ps);
}

static bool numeric(enum stix_pattern_lit_kind k)
{
  return k == STIX_PATTERN_LIT_INT || k == STIX_PATTERN_LIT_FLOAT;
}

static bool set_literal(struct parser *ps, struct stix_pattern_lit *lit)
{
  lit->kind = STIX_PATTERN_LIT_SET;
  if (!accept(ps, TK_LPAREN))
    return expected(ps, "'(' to start a set"), false;
  size_t cap = 0;
  while (!ps->rc && ps->tok.t != TK_RPAREN) {
    if (lit->n && !accept(ps, TK_COMMA))
      return expected(ps, "',' or ')' in the set"), false;
    if (lit->n == cap) {
      size_t ncap = cap ? cap * 2 : 4;
      struct stix_pattern_lit *items = fs_arena_calloc(&ps->p->arena, ncap * sizeof(*items));
      if (!items)
        return fail_at(ps, ps->tok.pos, FS_ERR_NOMEM, "out of memory"), false;
      if (lit->n)
        memcpy(items, lit->items, lit->n * sizeof(*items));
      lit->items = items;
      cap = ncap;
    }
    size_t pos = ps->tok.pos;
    if (!count_node(ps) || !literal(ps, &lit->items[lit->n], false))
      return false;
    enum stix_pattern_lit_kind k0 = lit->items[0].kind, k = lit->items[lit->n].kind;
    if (k != k0 && !(numeric(k) && numeric(k0)))
      return fail_at(ps, pos, FS_ERR_PARSE, "set values must all be of the same type"), false;
    lit->n++;
  }
  return accept(ps, TK_RPAREN) || (expected(ps, "')' to end the set"), false);
}

/* ---- Object paths ---- */

static bool path_key(struct parser *ps, struct stix_pattern_step *st, bool first)
{
  st->kind = STIX_PATTERN_STEP_KEY;
  if (ps->tok.t == TK_IDENT) {
    st->key = tok_text(ps, 0, 0, &st->key_len);
  } else if (ps->tok.t == TK_STRING) {
    st->key = string_value(ps, &st->key_len);
  } else {
    return expected(ps, first ? "a property name after ':'"
                              : "a property name (quote names with '-' or '.')"),
           false;
  }
  return st->key && advance(ps);
}

static bool object_path(struct parser *ps, struct stix_pattern_path *path)
{
  if (ps->tok.t != TK_IDENT && ps->tok.t != TK_IDENT_H)
    return expected(ps, "an object path <object-type>:<property>"), false;
  size_t len;
  path->type = tok_text(ps, 0, 0, &len);
  if (!path->type || !advance(ps))
    return false;
  if (!accept(ps, TK_COLON))
    return expected(ps, "':' after the object type"), false;
  struct stix_pattern_step steps[64];
  size_t n = 0;
  if (!path_key(ps, &steps[n++], true))
    return false;
  while (!ps->rc && (ps->tok.t == TK_DOT || ps->tok.t == TK_LBRACK)) {
    if (n == FS_ARRAY_SIZE(steps))
      return fail_at(ps, ps->tok.pos, FS_ERR_TOO_LARGE, "object path too long"), false;
    struct stix_pattern_step *st = &steps[n++];
    memset(st, 0, sizeof(*st));
    if (accept(ps, TK_DOT)) {
      if (!path_key(ps, st, false))
        return false;
      continue;
    }
    advance(ps); /* '[' */
    if (ps->tok.t == TK_STAR) {
      st->kind = STIX_PATTERN_STEP_ANY;
    } else if (ps->tok.t == TK_INT) {
      st->kind = STIX_PATTERN_STEP_INDEX;
      if (!parse_int(ps, &st->index))
        return false;
    } else {
      return expected(ps, "a list index or '*'"), false;
    }
    advance(ps);
    if (!accept(ps, TK_RBRACK))
      return expected(ps, "']' after the list index"), false;
  }
  path->steps = fs_arena_alloc(&ps->p->arena, n * sizeof(*path->steps));
  if (!path->steps)
    return fail_at(ps, ps->tok.pos, FS_ERR_NOMEM, "out of memory"), false;
  memcpy(path->steps, steps, n * sizeof(*steps));
  path->n = n;
  return !ps->rc;
}

/* The spec's hash formats for file hashes compared with '=', '!=' or IN (the validator's check). */
static void check_hash_literal(struct parser *ps, const struct stix_pattern_cmp *c)
{
  static const struct {
    const char *name;
    size_t hex;
  } algos[] = {{"MD5", 32},     {"SHA1", 40},    {"SHA256", 64},
               {"SHA512", 128}, {"SHA3256", 64}, {"SHA3512", 128}};
  if (c->path.n != 2 || strcmp(c->path.steps[0].key, "hashes") ||
      c->path.steps[1].kind != STIX_PATTERN_STEP_KEY)
    return;
  char norm[16];
  size_t n = 0;
  for (const char *k = c->path.steps[1].key; *k && n < sizeof(norm) - 1; k++)
    if (*k != '-')
      norm[n++] = (char)(*k >= 'a' && *k <= 'z' ? *k - 32 : *k);
  norm[n] = '\0';
  for (size_t a = 0; a < FS_ARRAY_SIZE(algos); a++) {
    if (strcmp(algos[a].name, norm))
      continue;
    const struct stix_pattern_lit *items = c->op == STIX_PATTERN_IN ? c->lit.items : &c->lit;
    size_t count = c->op == STIX_PATTERN_IN ? c->lit.n : 1;
    for (size_t i = 0; i < count; i++) {
      const struct stix_pattern_lit *l = &items[i];
      if (l->kind != STIX_PATTERN_LIT_STRING)
        continue;
      bool ok = l->len == algos[a].hex;
      for (size_t j = 0; ok && j < l->len; j++)
        ok = (l->s[j] >= '0' && l->s[j] <= '9') || ((l->s[j] | 32) >= 'a' && (l->s[j] | 32) <= 'f');
      if (!ok)
        fail_at(ps, c->pos, FS_ERR_PARSE, "'%.40s' is not a valid %s hash", l->s,
                c->path.steps[1].key);
    }
  }
}

/* ---- Comparison expressions ---- */

static struct stix_pattern_cmp *cmp_or(struct parser *ps);

static struct stix_pattern_cmp *cmp_test(struct parser *ps)
{
  struct stix_pattern_cmp *c = node(ps, sizeof(*c));
  if (!c)
    return NULL;
  c->kind = STIX_PATTERN_CMP_TEST;
  c->pos = ps->tok.pos;
  if (accept(ps, TK_EXISTS)) {
    c->op = STIX_PATTERN_EXISTS;
    return object_path(ps, &c->path) ? c : NULL;
  }
  if (!object_path(ps, &c->path))
    return NULL;
  c->negated = accept(ps, TK_NOT);
  enum pat_tok t = ps->tok.t;
  bool orderable = false, string_only = false;
  switch (t) {
  case TK_EQ:
    c->op = STIX_PATTERN_EQ;
    break;
  case TK_NEQ:
    c->op = STIX_PATTERN_NEQ;
    break;
  case TK_LT:
    c->op = STIX_PATTERN_LT;
    orderable = true;
    break;
  case TK_LE:
    c->op = STIX_PATTERN_LE;
    orderable = true;
    break;
  case TK_GT:
    c->op = STIX_PATTERN_GT;
    orderable = true;
    break;
  case TK_GE:
    c->op = STIX_PATTERN_GE;
    orderable = true;
    break;
  case TK_IN:
    c->op = STIX_PATTERN_IN;
    break;
  case TK_LIKE:
    c->op = STIX_PATTERN_LIKE;
    string_only = true;
    break;
  case TK_MATCHES:
    c->op = STIX_PATTERN_MATCHES;
    string_only = true;
    break;
  case TK_ISSUBSET:
    c->op = STIX_PATTERN_ISSUBSET;
    string_only = true;
    break;
  case TK_ISSUPERSET:
    c->op = STIX_PATTERN_ISSUPERSET;
    string_only = true;
    break;
  default:
    expected(ps, "a comparison operator (= != < <= > >= IN LIKE MATCHES ISSUBSET ISSUPERSET)");
    return NULL;
  }
  advance(ps);
  if (c->op == STIX_PATTERN_IN) {
    if (!set_literal(ps, &c->lit))
      return NULL;
  } else if (string_only) {
    if (ps->tok.t != TK_STRING) {
      expected(ps, "a string after the operator");
      return NULL;
    }
    if (!literal(ps, &c->lit, false))
      return NULL;
  } else if (!literal(ps, &c->lit, orderable)) {
    return NULL;
  }
  if (c->op == STIX_PATTERN_EQ || c->op == STIX_PATTERN_NEQ || c->op == STIX_PATTERN_IN)
    check_hash_literal(ps, c);
  return ps->rc ? NULL : c;
}

static struct stix_pattern_cmp *cmp_primary(struct parser *ps)
{
  if (ps->tok.t != TK_LPAREN)
    return cmp_test(ps);
  if (!enter(ps))
    return NULL;
  advance(ps);
  struct stix_pattern_cmp *c = cmp_or(ps);
  if (c && !accept(ps, TK_RPAREN)) {
    expected(ps, "')' or AND/OR in the comparison");
    return NULL;
  }
  ps->depth--;
  return c;
}

static struct stix_pattern_cmp *cmp_join(struct parser *ps, struct stix_pattern_cmp *l,
                                         enum stix_pattern_cmp_kind kind,
                                         struct stix_pattern_cmp *(*next)(struct parser *))
{
  while (l && ps->tok.t == (kind == STIX_PATTERN_CMP_AND ? TK_AND : TK_OR)) {
    size_t pos = ps->tok.pos;
    advance(ps);
    struct stix_pattern_cmp *r = next(ps);
    struct stix_pattern_cmp *n = r ? node(ps, sizeof(*n)) : NULL;
    if (!n)
      return NULL;
    n->kind = kind;
    n->left = l;
    n->right = r;
    n->pos = pos;
    l = n;
  }
  return l;
}

static struct stix_pattern_cmp *cmp_and(struct parser *ps)
{
  return cmp_join(ps, cmp_primary(ps), STIX_PATTERN_CMP_AND, cmp_primary);
}

static struct stix_pattern_cmp *cmp_or(struct parser *ps)
{
  return cmp_join(ps, cmp_and(ps), STIX_PATTERN_CMP_OR, cmp_and);
}

/* ---- Observation expressions and qualifiers ---- */

static bool qualifier(struct parser *ps, struct stix_pattern_qual *q)
{
  q->pos = ps->tok.pos;
  if (accept(ps, TK_WITHIN)) {
    q->kind = STIX_PATTERN_WITHIN;
    size_t pos = ps->tok.pos, len;
    if ((ps->tok.t != TK_INT && ps->tok.t != TK_FLOAT) || ps->lx.s[pos] == '-')
      return expected(ps, "a positive number of seconds after WITHIN"), false;
    q->within_text = tok_text(ps, ps->lx.s[pos] == '+', 0, &len);
    q->within_seconds = q->within_text ? strtod(q->within_text, NULL) : 0;
    if (!(q->within_seconds > 0) || !isfinite(q->within_seconds))
      return fail_at(ps, pos, FS_ERR_PARSE, "WITHIN needs a positive number of seconds"), false;
    advance(ps);
    return accept(ps, TK_SECONDS) || (expected(ps, "SECONDS"), false);
  }
  if (accept(ps, TK_REPEATS)) {
    q->kind = STIX_PATTERN_REPEATS;
    size_t pos = ps->tok.pos;
    if (ps->tok.t != TK_INT || ps->lx.s[pos] == '-')
      return expected(ps, "a positive integer after REPEATS"), false;
    if (!parse_int(ps, &q->repeats))
      return false;
    if (q->repeats <= 0)
      return fail_at(ps, pos, FS_ERR_PARSE, "REPEATS needs a positive integer"), false;
    advance(ps);
    return accept(ps, TK_TIMES) || (expected(ps, "TIMES"), false);
  }
  /* START t'...' STOP t'...' (in STIX 2.0 content a plain string holding a timestamp, as 2.0
   * wrote it, too; the 2.1 grammar refuses it) */
  advance(ps);
  q->kind = STIX_PATTERN_STARTSTOP;
  for (int i = 0; i < 2; i++) {
    size_t len, pos = ps->tok.pos;
    const char *ts = NULL;
    if (ps->tok.t == TK_TIMESTAMP)
      ts = tok_text(ps, 2, 1, &len);
    else if (ps->tok.t == TK_STRING && !ps->lx.stix20)
      return fail_at(ps, pos, FS_ERR_PARSE,
                     "expected a timestamp t'YYYY-MM-DDTHH:MM:SS[.s+]Z' after %s (a plain quoted "
                     "timestamp is STIX 2.0, not allowed in STIX 2.1)",
                     i ? "STOP" : "START"),
             false;
    else if (ps->tok.t == TK_STRING && (ts = string_value(ps, &len)) &&
             !stix_timestamp_valid(ts, len, NULL))
      return fail_at(ps, pos, FS_ERR_PARSE, "expected a timestamp t'YYYY-MM-DDTHH:MM:SS[.s+]Z'"),
             false;
    if (!ts)
      return expected(ps, i ? "a timestamp after STOP" : "a timestamp after START"), false;
    *(i ? &q->stop : &q->start) = ts;
    advance(ps);
    if (i == 0 && !accept(ps, TK_STOP))
      return expected(ps, "STOP"), false;
  }
  return !ps->rc;
}

static struct stix_pattern_obs *obs_fby(struct parser *ps);

static struct stix_pattern_obs *obs_qualified(struct parser *ps)
{
  struct stix_pattern_obs *o;
  size_t pos = ps->tok.pos;
  if (!enter(ps))
    return NULL;
  if (accept(ps, TK_LBRACK)) {
    o = node(ps, sizeof(*o));
    if (!o)
      return NULL;
    o->kind = STIX_PATTERN_OBS_LEAF;
    o->pos = pos;
    if (!(o->cmp = cmp_or(ps)))
      return NULL;
    if (!accept(ps, TK_RBRACK)) {
      expected(ps, "']' or AND/OR in the observation");
      return NULL;
    }
  } else if (accept(ps, TK_LPAREN)) {
    if (!(o = obs_fby(ps)))
      return NULL;
    if (!accept(ps, TK_RPAREN)) {
      expected(ps, "')' or an observation operator");
      return NULL;
    }
  } else {
    expected(ps, "'[' or '(' to start an observation expression");
    return NULL;
  }
  ps->depth--;
  enum pat_tok t = ps->tok.t;
  if (t != TK_WITHIN && t != TK_REPEATS && t != TK_START)
    return o;
  if (o->n_quals) { /* ( expression with qualifiers ) followed by more qualifiers */
    struct stix_pattern_obs *g = node(ps, sizeof(*g));
    if (!g)
      return NULL;
    g->kind = STIX_PATTERN_OBS_GROUP;
    g->inner = o;
    g->pos = pos;
    o = g;
  }
  struct stix_pattern_qual quals[3];
  size_t n = 0;
  while (!ps->rc && (ps->tok.t == TK_WITHIN || ps->tok.t == TK_REPEATS || ps->tok.t == TK_START)) {
    struct stix_pattern_qual q = {0};
    if (!count_node(ps) || !qualifier(ps, &q))
      return NULL;
    for (size_t i = 0; i < n; i++)
      if (quals[i].kind == q.kind) {
        fail_at(ps, q.pos, FS_ERR_PARSE, "duplicate %s qualifier on one observation expression",
                q.kind == STIX_PATTERN_WITHIN    ? "WITHIN"
                : q.kind == STIX_PATTERN_REPEATS ? "REPEATS"
                                                 : "START/STOP");
        return NULL;
      }
    quals[n++] = q;
  }
  o->quals = fs_arena_alloc(&ps->p->arena, n * sizeof(*o->quals));
  if (!o->quals) {
    fail_at(ps, pos, FS_ERR_NOMEM, "out of memory");
    return NULL;
  }
  memcpy(o->quals, quals, n * sizeof(*quals));
  o->n_quals = n;
  return o;
}

static struct stix_pattern_obs *obs_join(struct parser *ps, struct stix_pattern_obs *l,
                                         enum pat_tok op, enum stix_pattern_obs_kind kind,
                                         struct stix_pattern_obs *(*next)(struct parser *))
{
  while (l && ps->tok.t == op) {
    size_t pos = ps->tok.pos;
    advance(ps);
    struct stix_pattern_obs *r = next(ps);
    struct stix_pattern_obs *n = r ? node(ps, sizeof(*n)) : NULL;
    if (!n)
      return NULL;
    n->kind = kind;
    n->left = l;
    n->right = r;
    n->pos = pos;
    l = n;
  }
  return l;
}

static struct stix_pattern_obs *obs_and(struct parser *ps)
{
  return obs_join(ps, obs_qualified(ps), TK_AND, STIX_PATTERN_OBS_AND, obs_qualified);
}

static struct stix_pattern_obs *obs_or(struct parser *ps)
{
  return obs_join(ps, obs_and(ps), TK_OR, STIX_PATTERN_OBS_OR, obs_and);
}

static struct stix_pattern_obs *obs_fby(struct parser *ps)
{
  return obs_join(ps, obs_or(ps), TK_FOLLOWEDBY, STIX_PATTERN_OBS_FOLLOWEDBY, obs_or);
}

int stix_pattern_parse(struct stix_pattern *p, const char *text, size_t len,
                       const struct stix_pattern_limits *lim, struct fs_err *err)
{
  memset(p, 0, sizeof(*p));
  fs_arena_init(&p->arena, 4096, 0);
  struct parser ps = {
      .lx = {.s = text, .len = len, .stix20 = lim && lim->stix20}, .p = p, .err = err};
  ps.lim.max_len = lim && lim->max_len ? lim->max_len : 64u << 10;
  ps.lim.max_depth = lim && lim->max_depth ? lim->max_depth : 64;
  ps.lim.max_nodes = lim && lim->max_nodes ? lim->max_nodes : 10000;
  if (len > ps.lim.max_len) {
    fail_at(&ps, 0, FS_ERR_TOO_LARGE, "pattern longer than %zu bytes", ps.lim.max_len);
  } else if (advance(&ps)) {
    p->root = obs_fby(&ps);
    if (p->root && ps.tok.t != TK_EOF)
      expected(&ps, ps.tok.t == TK_RBRACK || ps.tok.t == TK_RPAREN
                        ? "end of pattern (unbalanced brackets)"
                        : "AND, OR, FOLLOWEDBY, a qualifier or end of pattern");
  }
  if (ps.rc) {
    stix_pattern_release(p);
    return ps.rc;
  }
  return FS_OK;
}

/* ---- Names, for indicator validation ---- */

static int check_cmp_names(const struct stix_pattern_cmp *c, struct fs_err *err)
{
  if (c->kind != STIX_PATTERN_CMP_TEST) {
    int rc = check_cmp_names(c->left, err);
    return rc ? rc : check_cmp_names(c->right, err);
  }
  char where[32];
  snprintf(where, sizeof(where), "byte %zu", c->pos);
  if (!stix_type_valid(c->path.type, strlen(c->path.type)))
    return fs_err_set(err, FS_ERR_INVALID, where, "'%.60s' is not a valid STIX object type",
                      c->path.type);
  const char *prop = c->path.steps[0].key;
  size_t n = c->path.steps[0].key_len;
  bool ok = n >= 3 && n <= 250;
  for (size_t i = 0; ok && i < n; i++)
    ok = (prop[i] >= 'a' && prop[i] <= 'z') || (prop[i] >= '0' && prop[i] <= '9') || prop[i] == '_';
  if (!ok)
    return fs_err_set(err, FS_ERR_INVALID, where, "'%.60s' is not a valid property name", prop);
  return FS_OK;
}

static int check_obs_names(const struct stix_pattern_obs *o, struct fs_err *err)
{
  switch (o->kind) {
  case STIX_PATTERN_OBS_LEAF:
    return check_cmp_names(o->cmp, err);
  case STIX_PATTERN_OBS_GROUP:
    return check_obs_names(o->inner, err);
  default: {
    int rc = check_obs_names(o->left, err);
    return rc ? rc : check_obs_names(o->right, err);
  }
  }
}

int stix_pattern_check_names(const struct stix_pattern *p, struct fs_err *err)
{
  return p->root ? check_obs_names(p->root, err) : FS_OK;
}
