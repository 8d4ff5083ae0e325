/* The expression language of requirement sets and scoring policies: a recursive-descent parser
 * that evaluates as it parses (expressions are short and evaluated once per institution). */
#include "resilience/expr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
  const char *s;
  size_t n, i;
  int depth;
  expr_lookup_fn lookup;
  void *ctx;
  struct fs_err *err;
};

bool expr_truthy(const struct expr_value *v)
{
  switch (v->kind) {
  case EXPR_NULL:
    return false;
  case EXPR_NUM:
    return v->num != 0;
  case EXPR_BOOL:
    return v->b;
  case EXPR_STR:
    return v->str[0] != '\0';
  }
  return false;
}

double expr_number(const struct expr_value *v)
{
  return v->kind == EXPR_NUM ? v->num : v->kind == EXPR_BOOL ? (v->b ? 1 : 0) : 0;
}

static void num(struct expr_value *v, double x)
{
  v->kind = EXPR_NUM;
  v->num = isfinite(x) ? x : 0;
}

static void boolean(struct expr_value *v, bool b)
{
  v->kind = EXPR_BOOL;
  v->b = b;
}

static int fail(struct parser *p, const char *msg)
{
  char where[48];
  snprintf(where, sizeof(where), "byte %zu", p->i);
  return fs_err_set(p->err, FS_ERR_PARSE, where, "%s", msg);
}

static void skip(struct parser *p)
{
  while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
    p->i++;
}

static bool eat(struct parser *p, const char *tok)
{
  skip(p);
  size_t l = strlen(tok);
  if (p->i + l <= p->n && !memcmp(p->s + p->i, tok, l)) {
    /* "<" must not take the first byte of "<=", "=" is never alone, "!" not of "!=". */
    if (l == 1 && p->i + 1 < p->n && p->s[p->i + 1] == '=' && strchr("<>!", tok[0]))
      return false;
    p->i += l;
    return true;
  }
  return false;
}

static bool name_char(char ch, bool first)
{
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
         (!first && ((ch >= '0' && ch <= '9') || ch == '.'));
}

static int parse_or(struct parser *p, struct expr_value *v);

static int parse_args(struct parser *p, const char *fn, struct expr_value *v)
{
  struct expr_value args[16];
  size_t n = 0;
  skip(p);
  if (!eat(p, ")")) {
    do {
      if (n == 16)
        return fail(p, "a function takes at most 16 arguments");
      int rc = parse_or(p, &args[n++]);
      if (rc)
        return rc;
    } while (eat(p, ","));
    if (!eat(p, ")"))
      return fail(p, "expected ')' after the arguments");
  }
  if (!strcmp(fn, "min") || !strcmp(fn, "max")) {
    if (!n)
      return fail(p, "min and max take at least one argument");
    double x = expr_number(&args[0]);
    for (size_t k = 1; k < n; k++)
      x = !strcmp(fn, "min") ? fmin(x, expr_number(&args[k])) : fmax(x, expr_number(&args[k]));
    num(v, x);
    return FS_OK;
  }
  if (!strcmp(fn, "if")) {
    if (n != 3)
      return fail(p, "if takes three arguments: if(condition, then, else)");
    *v = expr_truthy(&args[0]) ? args[1] : args[2];
    return FS_OK;
  }
  return fail(p, "unknown function (min, max, if)");
}

static int parse_primary(struct parser *p, struct expr_value *v)
{
  memset(v, 0, sizeof(*v));
  skip(p);
  if (p->i >= p->n)
    return fail(p, "expected a value");
  char ch = p->s[p->i];
  if (ch == '(') {
    p->i++;
    int rc = parse_or(p, v);
    if (!rc && !eat(p, ")"))
      rc = fail(p, "expected ')'");
    return rc;
  }
  if (ch == '"') {
    size_t start = ++p->i;
    while (p->i < p->n && p->s[p->i] != '"')
      p->i++;
    if (p->i >= p->n)
      return fail(p, "a string is not closed");
    size_t l = p->i - start;
    if (l >= sizeof(v->str))
      return fail(p, "a string is longer than 127 bytes");
    v->kind = EXPR_STR;
    memcpy(v->str, p->s + start, l);
    v->str[l] = '\0';
    p->i++;
    return FS_OK;
  }
  if ((ch >= '0' && ch <= '9') || ch == '.') {
    char buf[64];
    size_t l = 0;
    while (p->i < p->n && l < sizeof(buf) - 1 &&
           ((p->s[p->i] >= '0' && p->s[p->i] <= '9') || p->s[p->i] == '.'))
      buf[l++] = p->s[p->i++];
    buf[l] = '\0';
    char *end;
    double x = strtod(buf, &end);
    if (*end || l == 0)
      return fail(p, "not a number");
    num(v, x);
    return FS_OK;
  }
  if (name_char(ch, true)) {
    size_t start = p->i;
    while (p->i < p->n && name_char(p->s[p->i], false))
      p->i++;
    size_t l = p->i - start;
    const char *name = p->s + start;
    if (l == 4 && !memcmp(name, "true", 4)) {
      boolean(v, true);
      return FS_OK;
    }
    if (l == 5 && !memcmp(name, "false", 5)) {
      boolean(v, false);
      return FS_OK;
    }
    if (l == 4 && !memcmp(name, "null", 4))
      return FS_OK;
    if (eat(p, "(")) {
      char fn[8];
      if (l >= sizeof(fn))
        return fail(p, "unknown function (min, max, if)");
      memcpy(fn, name, l);
      fn[l] = '\0';
      return parse_args(p, fn, v);
    }
    if (name[l - 1] == '.')
      return fail(p, "a name does not end with '.'");
    if (p->lookup)
      p->lookup(p->ctx, name, l, v);
    return FS_OK;
  }
  return fail(p, "unexpected character");
}

static int parse_unary(struct parser *p, struct expr_value *v)
{
  if (++p->depth > EXPR_MAX_DEPTH)
    return fail(p, "the expression is nested too deeply");
  int rc;
  if (eat(p, "-")) {
    rc = parse_unary(p, v);
    if (!rc)
      num(v, -expr_number(v));
  } else if (eat(p, "!")) {
    rc = parse_unary(p, v);
    if (!rc)
      boolean(v, !expr_truthy(v));
  } else {
    rc = parse_primary(p, v);
  }
  p->depth--;
  return rc;
}

static int parse_prod(struct parser *p, struct expr_value *v)
{
  int rc = parse_unary(p, v);
  while (!rc) {
    bool mul = eat(p, "*");
    if (!mul && !eat(p, "/"))
      break;
    struct expr_value r;
    if ((rc = parse_unary(p, &r)))
      break;
    double a = expr_number(v), b = expr_number(&r);
    num(v, mul ? a * b : (b == 0 ? 0 : a / b));
  }
  return rc;
}

static int parse_sum(struct parser *p, struct expr_value *v)
{
  int rc = parse_prod(p, v);
  while (!rc) {
    bool plus = eat(p, "+");
    if (!plus && !eat(p, "-"))
      break;
    struct expr_value r;
    if ((rc = parse_prod(p, &r)))
      break;
    num(v, plus ? expr_number(v) + expr_number(&r) : expr_number(v) - expr_number(&r));
  }
  return rc;
}

static int compare(const struct expr_value *a, const struct expr_value *b)
{
  if (a->kind == EXPR_STR || b->kind == EXPR_STR)
    return strcmp(a->kind == EXPR_STR ? a->str : "", b->kind == EXPR_STR ? b->str : "");
  double x = expr_number(a), y = expr_number(b);
  return x < y ? -1 : x > y;
}

static int parse_cmp(struct parser *p, struct expr_value *v)
{
  int rc = parse_sum(p, v);
  if (rc)
    return rc;
  static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">"};
  for (size_t k = 0; k < FS_ARRAY_SIZE(ops); k++) {
    if (!eat(p, ops[k]))
      continue;
    struct expr_value r;
    if ((rc = parse_sum(p, &r)))
      return rc;
    bool nul = v->kind == EXPR_NULL || r.kind == EXPR_NULL;
    int c = compare(v, &r);
    bool res = k == 0   ? c == 0
               : k == 1 ? c != 0
               : k == 2 ? c <= 0
               : k == 3 ? c >= 0
               : k == 4 ? c < 0
                        : c > 0;
    boolean(v, nul ? (k == 1 ? v->kind != r.kind : false) : res);
    return FS_OK;
  }
  return FS_OK;
}

static int parse_and(struct parser *p, struct expr_value *v)
{
  int rc = parse_cmp(p, v);
  while (!rc && eat(p, "&&")) {
    struct expr_value r;
    if ((rc = parse_cmp(p, &r)))
      break;
    boolean(v, expr_truthy(v) && expr_truthy(&r));
  }
  return rc;
}

static int parse_or(struct parser *p, struct expr_value *v)
{
  if (++p->depth > EXPR_MAX_DEPTH)
    return fail(p, "the expression is nested too deeply");
  int rc = parse_and(p, v);
  while (!rc && eat(p, "||")) {
    struct expr_value r;
    if ((rc = parse_and(p, &r)))
      break;
    boolean(v, expr_truthy(v) || expr_truthy(&r));
  }
  p->depth--;
  return rc;
}

int expr_eval(const char *text, size_t len, expr_lookup_fn lookup, void *ctx,
              struct expr_value *out, struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  if (len > EXPR_MAX_BYTES)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "expression", "longer than %d bytes", EXPR_MAX_BYTES);
  struct parser p = {.s = text, .n = len, .lookup = lookup, .ctx = ctx, .err = err};
  skip(&p);
  if (p.i >= p.n)
    return fail(&p, "the expression is empty");
  int rc = parse_or(&p, out);
  skip(&p);
  if (!rc && p.i < p.n)
    rc = fail(&p, "unexpected text after the expression");
  return rc;
}
