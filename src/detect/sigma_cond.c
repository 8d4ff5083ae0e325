/* The Sigma condition grammar: or, and, not, parentheses, "N of X*", "all of X*", "1 of them",
 * "all of them" (them skips names starting with '_'). Precedence, loosest first: or, and, not,
 * "x of", parentheses. Recursive descent into the rule's node array. */
#include "detect/sigma_int.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_NODES 1024
#define MAX_NESTING 64

struct cp {
  struct detect_sigma_set *s;
  struct sigma_rule *r;
  const char *t;
  size_t i;
  struct sigma_cnode nodes[MAX_NODES];
  uint32_t nnodes;
  uint32_t of[4096];
  uint32_t nof;
  unsigned depth;
  struct fs_err *why;
};

enum tok {
  T_END,
  T_LP,
  T_RP,
  T_AND,
  T_OR,
  T_NOT,
  T_OF,
  T_ALL,
  T_THEM,
  T_NUM,
  T_IDENT,
  T_PIPE,
  T_BAD
};

static bool ident_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '*' || c == '-' || c == '.' || c == '?';
}

/* The next token; for identifiers and numbers, its text in s and n. Does not consume. */
static enum tok peek(struct cp *c, const char **s, size_t *n)
{
  while (c->t[c->i] == ' ' || c->t[c->i] == '\t' || c->t[c->i] == '\n' || c->t[c->i] == '\r')
    c->i++;
  const char *p = c->t + c->i;
  *s = p;
  *n = 1;
  switch (*p) {
  case '\0':
    *n = 0;
    return T_END;
  case '(':
    return T_LP;
  case ')':
    return T_RP;
  case '|':
    return T_PIPE;
  default:
    break;
  }
  size_t k = 0;
  while (ident_char(p[k]))
    k++;
  *n = k;
  if (!k)
    return T_BAD;
#define KW(w) (k == strlen(w) && !strncasecmp(p, w, k))
  if (KW("and"))
    return T_AND;
  if (KW("or"))
    return T_OR;
  if (KW("not"))
    return T_NOT;
  if (KW("of"))
    return T_OF;
  if (KW("all") || KW("any"))
    return T_ALL;
  if (KW("them"))
    return T_THEM;
#undef KW
  bool digits = true;
  for (size_t j = 0; j < k; j++)
    digits &= p[j] >= '0' && p[j] <= '9';
  return digits ? T_NUM : T_IDENT;
}

static enum tok next(struct cp *c, const char **s, size_t *n)
{
  enum tok t = peek(c, s, n);
  c->i += *n;
  return t;
}

static int fail(struct cp *c, const char *msg)
{
  fs_err_set(c->why, FS_ERR_INVALID, "", "condition: %s at byte %zu", msg, c->i);
  return -1;
}

static int node(struct cp *c, struct sigma_cnode n)
{
  if (c->nnodes == MAX_NODES)
    return fail(c, "too many terms");
  c->nodes[c->nnodes] = n;
  return (int)c->nnodes++;
}

static int expr(struct cp *c);

/* "N of target" or "all of target", the quantifier already read. */
static int quantified(struct cp *c, uint32_t need)
{
  const char *s;
  size_t n;
  if (next(c, &s, &n) != T_OF)
    return fail(c, "expected \"of\"");
  enum tok t = next(c, &s, &n);
  if (t != T_THEM && t != T_IDENT)
    return fail(c, "expected \"them\" or a selection pattern after \"of\"");
  char pat[256];
  snprintf(pat, sizeof(pat), "%.*s", (int)n, s);
  uint32_t first = c->nof;
  for (uint32_t k = 0; k < c->r->nsels; k++) {
    const char *name = c->r->sels[k].name;
    bool take = t == T_THEM ? name[0] != '_' : fnmatch(pat, name, 0) == 0;
    if (!take)
      continue;
    if (c->nof == FS_ARRAY_SIZE(c->of))
      return fail(c, "too many selections");
    c->of[c->nof++] = k;
  }
  if (c->nof == first)
    return fail(c, "no selection matches the pattern");
  return node(c,
              (struct sigma_cnode){.op = CO_OF, .need = need, .first = first, .n = c->nof - first});
}

static int primary(struct cp *c)
{
  const char *s;
  size_t n;
  enum tok t = next(c, &s, &n);
  switch (t) {
  case T_LP: {
    if (++c->depth > MAX_NESTING)
      return fail(c, "nested too deeply");
    int e = expr(c);
    c->depth--;
    if (e < 0)
      return e;
    if (next(c, &s, &n) != T_RP)
      return fail(c, "expected ')'");
    return e;
  }
  case T_NUM: {
    unsigned long v = strtoul(s, NULL, 10);
    if (!v || v > UINT32_MAX)
      return fail(c, "a count must be at least 1");
    return quantified(c, (uint32_t)v);
  }
  case T_ALL:
    return quantified(c, n == 3 && !strncasecmp(s, "any", 3) ? 1 : 0);
  case T_IDENT:
    for (uint32_t k = 0; k < c->r->nsels; k++)
      if (strlen(c->r->sels[k].name) == n && !memcmp(c->r->sels[k].name, s, n))
        return node(c, (struct sigma_cnode){.op = CO_SEL, .a = k});
    c->i -= n;
    return fail(c, "unknown selection");
  case T_PIPE:
    c->i--;
    return fail(c, "aggregations (| count() ...) are Sigma 1 syntax (use a correlation rule)");
  default:
    c->i -= n;
    return fail(c, "expected a selection, \"not\", \"(\" or \"N of\"");
  }
}

static int negation(struct cp *c)
{
  const char *s;
  size_t n;
  if (peek(c, &s, &n) == T_NOT) {
    c->i += n;
    if (++c->depth > MAX_NESTING)
      return fail(c, "nested too deeply");
    int a = negation(c);
    c->depth--;
    return a < 0 ? a : node(c, (struct sigma_cnode){.op = CO_NOT, .a = (uint32_t)a});
  }
  return primary(c);
}

static int conjunction(struct cp *c)
{
  const char *s;
  size_t n;
  int a = negation(c);
  while (a >= 0 && peek(c, &s, &n) == T_AND) {
    c->i += n;
    int b = negation(c);
    if (b < 0)
      return b;
    a = node(c, (struct sigma_cnode){.op = CO_AND, .a = (uint32_t)a, .b = (uint32_t)b});
  }
  return a;
}

static int expr(struct cp *c)
{
  const char *s;
  size_t n;
  int a = conjunction(c);
  while (a >= 0 && peek(c, &s, &n) == T_OR) {
    c->i += n;
    int b = conjunction(c);
    if (b < 0)
      return b;
    a = node(c, (struct sigma_cnode){.op = CO_OR, .a = (uint32_t)a, .b = (uint32_t)b});
  }
  return a;
}

int sigma_cond_parse(struct detect_sigma_set *s, struct sigma_rule *r, const char *text,
                     struct fs_err *why)
{
  struct cp *c = calloc(1, sizeof(*c));
  if (!c)
    return FS_ERR_NOMEM;
  c->s = s;
  c->r = r;
  c->t = text;
  c->why = why;
  int root = expr(c);
  const char *tok;
  size_t n;
  int rc = FS_OK;
  if (root >= 0 && peek(c, &tok, &n) != T_END)
    root = fail(c, n && *tok == '|' ? "aggregations (| count() ...) are Sigma 1 syntax"
                                    : "unexpected text after the condition");
  if (root < 0) {
    rc = FS_ERR_INVALID;
  } else {
    r->cond = fs_arena_alloc(&s->arena, c->nnodes * sizeof(*r->cond));
    r->of_sels = fs_arena_alloc(&s->arena, (c->nof + 1) * sizeof(*r->of_sels));
    if (!r->cond || !r->of_sels) {
      rc = FS_ERR_NOMEM;
    } else {
      memcpy(r->cond, c->nodes, c->nnodes * sizeof(*r->cond));
      memcpy(r->of_sels, c->of, c->nof * sizeof(*r->of_sels));
      r->ncond = c->nnodes;
      r->root = (uint32_t)root;
    }
  }
  free(c);
  return rc;
}
