/* Evaluation of one observation's comparison expression against an event (spec 9.6): typed
 * comparisons, IN, LIKE and MATCHES through PCRE2 (compiled once by stix_pattern_prepare),
 * ISSUBSET/ISSUPERSET on IP blocks, EXISTS. Nothing is allocated per evaluation. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "stix/pattern.h"
#include "stix/stix_int.h"

#include "core/time.h"

#include <arpa/inet.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 10000    /* values tried per path (lists) */
#define MATCH_LIMIT 1000000 /* PCRE2 backtracking budget per match */
#define DEPTH_LIMIT 10000

struct stix_pattern_regex {
  pcre2_code *code;
  struct stix_pattern_regex *next;
};

/* ---- Preparation ---- */

static bool binary_path(const struct stix_pattern_path *path)
{
  const struct stix_pattern_step *last = NULL;
  for (size_t i = 0; i < path->n; i++)
    if (path->steps[i].kind == STIX_PATTERN_STEP_KEY)
      last = &path->steps[i];
  if (!last || last->key_len < 4)
    return false;
  const char *end = last->key + last->key_len - 4;
  return !strcmp(end, "_bin") || !strcmp(end, "_hex");
}

/* LIKE to a regular expression: % any run, _ any one character, all else literal, anchored. */
static char *like_to_regex(const char *s, size_t len, size_t *out_len)
{
  char *re = malloc(2 * len + 8);
  if (!re)
    return NULL;
  size_t n = 0;
  re[n++] = '^';
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '%') {
      re[n++] = '.';
      re[n++] = '*';
    } else if (c == '_') {
      re[n++] = '.';
    } else {
      bool word =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
      if (!word)
        re[n++] = '\\';
      re[n++] = (char)c;
    }
  }
  re[n++] = '$';
  re[n] = '\0';
  *out_len = n;
  return re;
}

static int compile(struct stix_pattern *p, struct stix_pattern_cmp *c, struct fs_err *err)
{
  bool binary = binary_path(&c->path);
  uint32_t opts = PCRE2_DOTALL | (binary ? 0 : PCRE2_UTF | PCRE2_MATCH_INVALID_UTF);
  char *like = NULL;
  const char *src = c->lit.s;
  size_t len = c->lit.len;
  if (c->op == STIX_PATTERN_LIKE) {
    like = like_to_regex(c->lit.s, c->lit.len, &len);
    if (!like)
      return fs_err_set(err, FS_ERR_NOMEM, "pattern", "out of memory");
    src = like;
  }
  int code;
  PCRE2_SIZE off;
  pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, len, opts, &code, &off, NULL);
  free(like);
  if (!re) {
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(code, msg, sizeof(msg));
    char where[32];
    snprintf(where, sizeof(where), "byte %zu", c->pos);
    return fs_err_set(err, FS_ERR_INVALID, where, "bad regular expression: %s (offset %zu)",
                      (const char *)msg, (size_t)off);
  }
  struct stix_pattern_regex *r = fs_arena_alloc(&p->arena, sizeof(*r));
  if (!r) {
    pcre2_code_free(re);
    return fs_err_set(err, FS_ERR_NOMEM, "pattern", "out of memory");
  }
  r->code = re;
  r->next = p->regexes;
  p->regexes = r;
  c->re = r;
  return FS_OK;
}

static int prepare_cmp(struct stix_pattern *p, struct stix_pattern_cmp *c, struct fs_err *err)
{
  if (c->kind != STIX_PATTERN_CMP_TEST) {
    int rc = prepare_cmp(p, c->left, err);
    return rc ? rc : prepare_cmp(p, c->right, err);
  }
  if ((c->op == STIX_PATTERN_LIKE || c->op == STIX_PATTERN_MATCHES) && !c->re)
    return compile(p, c, err);
  return FS_OK;
}

static int prepare_obs(struct stix_pattern *p, struct stix_pattern_obs *o, struct fs_err *err)
{
  switch (o->kind) {
  case STIX_PATTERN_OBS_LEAF:
    return prepare_cmp(p, o->cmp, err);
  case STIX_PATTERN_OBS_GROUP:
    return prepare_obs(p, o->inner, err);
  default: {
    int rc = prepare_obs(p, o->left, err);
    return rc ? rc : prepare_obs(p, o->right, err);
  }
  }
}

int stix_pattern_prepare(struct stix_pattern *p, struct fs_err *err)
{
  return p->root ? prepare_obs(p, p->root, err) : FS_OK;
}

void stix_pattern_release(struct stix_pattern *p)
{
  for (struct stix_pattern_regex *r = p->regexes; r; r = r->next)
    pcre2_code_free(r->code);
  fs_arena_release(&p->arena);
  memset(p, 0, sizeof(*p));
}

int stix_pattern_scratch_init(struct stix_pattern_scratch *s)
{
  s->match_data = pcre2_match_data_create(1, NULL);
  s->match_ctx = pcre2_match_context_create(NULL);
  if (!s->match_data || !s->match_ctx) {
    stix_pattern_scratch_release(s);
    return FS_ERR_NOMEM;
  }
  pcre2_set_match_limit(s->match_ctx, MATCH_LIMIT);
  pcre2_set_depth_limit(s->match_ctx, DEPTH_LIMIT);
  return FS_OK;
}

void stix_pattern_scratch_release(struct stix_pattern_scratch *s)
{
  pcre2_match_data_free(s->match_data);
  pcre2_match_context_free(s->match_ctx);
  s->match_data = NULL;
  s->match_ctx = NULL;
}

/* ---- Comparisons ---- */

/* A string constant as bytes when all its code points are below U+0100 (spec 9.6.4). */
static bool latin1(const char *s, size_t len, unsigned char *out, size_t cap, size_t *n)
{
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    unsigned cp;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xe0) == 0xc0 && i + 1 < len) {
      cp = ((c & 0x1fu) << 6) | ((unsigned char)s[++i] & 0x3fu);
    } else {
      return false;
    }
    if (cp > 0xff || o >= cap)
      return false;
    out[o++] = (unsigned char)cp;
  }
  *n = o;
  return true;
}

static int bytes_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
  int c = memcmp(a, b, FS_MIN(alen, blen));
  if (c)
    return c < 0 ? -1 : 1;
  return alen < blen ? -1 : alen > blen;
}

static bool time_cmp(const char *lit, const struct stix_pattern_value *v, int *out)
{
  if (stix_timestamp_valid(v->s, v->len, NULL)) {
    *out = stix_timestamp_cmp(v->s, lit);
    return true;
  }
  struct fs_time a, b;
  if (fs_time_parse(v->s, v->len, 0, &a, NULL) || fs_time_parse(lit, strlen(lit), 0, &b, NULL))
    return false;
  *out = fs_time_cmp(&a, &b);
  return true;
}

/* Orders the event value against the literal: <0, 0, >0; false when not comparable. */
static bool value_cmp(const struct stix_pattern_lit *lit, const struct stix_pattern_value *v,
                      int *out)
{
  unsigned char buf[512];
  size_t n;
  switch (lit->kind) {
  case STIX_PATTERN_LIT_STRING:
    if (v->kind == STIX_PATTERN_VAL_STRING) {
      *out = bytes_cmp(v->s, v->len, lit->s, lit->len); /* UTF-8 bytes order as code points */
      return true;
    }
    if (v->kind == STIX_PATTERN_VAL_BINARY && latin1(lit->s, lit->len, buf, sizeof(buf), &n)) {
      *out = bytes_cmp(v->s, v->len, buf, n);
      return true;
    }
    return false;
  case STIX_PATTERN_LIT_INT:
  case STIX_PATTERN_LIT_FLOAT: {
    if (v->kind != STIX_PATTERN_VAL_INT && v->kind != STIX_PATTERN_VAL_FLOAT)
      return false;
    if (lit->kind == STIX_PATTERN_LIT_INT && v->kind == STIX_PATTERN_VAL_INT) {
      *out = v->i < lit->i ? -1 : v->i > lit->i;
      return true;
    }
    double a = v->kind == STIX_PATTERN_VAL_INT ? (double)v->i : v->f;
    double b = lit->kind == STIX_PATTERN_LIT_INT ? (double)lit->i : lit->f;
    *out = a < b ? -1 : a > b;
    return true;
  }
  case STIX_PATTERN_LIT_BOOL:
    if (v->kind != STIX_PATTERN_VAL_BOOL)
      return false;
    *out = v->b == lit->b ? 0 : 1;
    return true;
  case STIX_PATTERN_LIT_TIMESTAMP:
    return v->kind == STIX_PATTERN_VAL_STRING && time_cmp(lit->s, v, out);
  case STIX_PATTERN_LIT_BINARY:
  case STIX_PATTERN_LIT_HEX:
    if (v->kind == STIX_PATTERN_VAL_BINARY) {
      *out = bytes_cmp(v->s, v->len, lit->s, lit->len);
      return true;
    }
    if (v->kind == STIX_PATTERN_VAL_STRING && latin1(v->s, v->len, buf, sizeof(buf), &n)) {
      *out = bytes_cmp(buf, n, lit->s, lit->len);
      return true;
    }
    return false;
  default:
    return false;
  }
}

/* True when block a lies inside block b. */
static bool ip_within(const char *a, size_t alen, const char *b, size_t blen)
{
  int fa, fb, pa, pb;
  unsigned char xa[16], xb[16];
  if (!stix_ip_parse(a, alen, &fa, xa, &pa) || !stix_ip_parse(b, blen, &fb, xb, &pb) || fa != fb ||
      pa < pb)
    return false;
  int full = pb / 8, bits = pb % 8;
  if (memcmp(xa, xb, (size_t)full))
    return false;
  unsigned char mask = (unsigned char)(0xff << (8 - bits));
  return bits == 0 || (xa[full] & mask) == (xb[full] & mask);
}

static bool test_value(const struct stix_pattern_cmp *c, const struct stix_pattern_value *v,
                       struct stix_pattern_scratch *scratch)
{
  int r;
  switch (c->op) {
  case STIX_PATTERN_EQ:
  case STIX_PATTERN_NEQ:
  case STIX_PATTERN_LT:
  case STIX_PATTERN_LE:
  case STIX_PATTERN_GT:
  case STIX_PATTERN_GE:
    if (!value_cmp(&c->lit, v, &r))
      return c->op == STIX_PATTERN_NEQ;
    switch (c->op) {
    case STIX_PATTERN_EQ:
      return r == 0;
    case STIX_PATTERN_NEQ:
      return r != 0;
    case STIX_PATTERN_LT:
      return r < 0;
    case STIX_PATTERN_LE:
      return r <= 0;
    case STIX_PATTERN_GT:
      return r > 0;
    default:
      return r >= 0;
    }
  case STIX_PATTERN_IN:
    for (size_t i = 0; i < c->lit.n; i++)
      if (value_cmp(&c->lit.items[i], v, &r) && r == 0)
        return true;
    return false;
  case STIX_PATTERN_LIKE:
  case STIX_PATTERN_MATCHES:
    if ((v->kind != STIX_PATTERN_VAL_STRING && v->kind != STIX_PATTERN_VAL_BINARY) || !c->re)
      return false;
    return pcre2_match(c->re->code, (PCRE2_SPTR)v->s, v->len, 0, 0, scratch->match_data,
                       scratch->match_ctx) >= 0;
  case STIX_PATTERN_ISSUBSET:
    return v->kind == STIX_PATTERN_VAL_STRING && ip_within(v->s, v->len, c->lit.s, c->lit.len);
  case STIX_PATTERN_ISSUPERSET:
    return v->kind == STIX_PATTERN_VAL_STRING && ip_within(c->lit.s, c->lit.len, v->s, v->len);
  default:
    return false;
  }
}

static bool eval_cmp(const struct stix_pattern_cmp *c, stix_pattern_lookup_fn lookup, void *ctx,
                     struct stix_pattern_scratch *scratch)
{
  if (c->kind == STIX_PATTERN_CMP_AND)
    return eval_cmp(c->left, lookup, ctx, scratch) && eval_cmp(c->right, lookup, ctx, scratch);
  if (c->kind == STIX_PATTERN_CMP_OR)
    return eval_cmp(c->left, lookup, ctx, scratch) || eval_cmp(c->right, lookup, ctx, scratch);
  struct stix_pattern_value v;
  if (c->op == STIX_PATTERN_EXISTS)
    return lookup(ctx, &c->path, 0, &v);
  bool found = false, any = false;
  for (size_t i = 0; i < MAX_VALUES && !any && lookup(ctx, &c->path, i, &v); i++) {
    found = true;
    any = test_value(c, &v, scratch);
  }
  /* A path without values makes the comparison false, whatever the operator (spec 9.6). */
  return found && (c->negated ? !any : any);
}

int stix_pattern_eval(const struct stix_pattern *p, stix_pattern_lookup_fn lookup, void *ctx,
                      struct stix_pattern_scratch *scratch, bool *match, struct fs_err *err)
{
  *match = false;
  const struct stix_pattern_obs *o = p->root;
  if (!o || o->kind != STIX_PATTERN_OBS_LEAF || o->n_quals)
    return fs_err_set(err, FS_ERR_UNSUPPORTED, "pattern",
                      "only a single observation without qualifiers can be evaluated per event");
  *match = eval_cmp(o->cmp, lookup, ctx, scratch);
  return FS_OK;
}
