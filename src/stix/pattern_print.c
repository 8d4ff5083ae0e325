/* Canonical text of a pattern AST: the form parsing gives back unchanged (round trip). */
#include "stix/pattern_int.h"

#include <string.h>

static int quoted(struct fs_buf *out, const char *prefix, const char *s, size_t len)
{
  int rc = fs_buf_append_str(out, prefix);
  rc = rc ? rc : fs_buf_append_char(out, '\'');
  for (size_t i = 0; i < len && !rc; i++) {
    if (s[i] == '\'' || s[i] == '\\')
      rc = fs_buf_append_char(out, '\\');
    if (!rc)
      rc = fs_buf_append_char(out, s[i]);
  }
  return rc ? rc : fs_buf_append_char(out, '\'');
}

/* A path step prints bare when the lexer would read it back as the same identifier. */
static bool bare(const char *s, size_t len)
{
  if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
    return false;
  for (size_t i = 1; i < len; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
          (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
      return false;
  /* keywords, and t'/b'/h' prefixes cannot be confused here: a bare key has no quote after it */
  return pat_keyword(s, len) == TK_IDENT;
}

static int print_path(struct fs_buf *out, const struct stix_pattern_path *path)
{
  int rc = fs_buf_appendf(out, "%s:", path->type);
  for (size_t i = 0; i < path->n && !rc; i++) {
    const struct stix_pattern_step *st = &path->steps[i];
    if (st->kind == STIX_PATTERN_STEP_KEY) {
      if (i)
        rc = fs_buf_append_char(out, '.');
      if (!rc)
        rc = bare(st->key, st->key_len) ? fs_buf_append(out, st->key, st->key_len)
                                        : quoted(out, "", st->key, st->key_len);
    } else if (st->kind == STIX_PATTERN_STEP_ANY) {
      rc = fs_buf_append_str(out, "[*]");
    } else {
      rc = fs_buf_appendf(out, "[%lld]", (long long)st->index);
    }
  }
  return rc;
}

static int print_lit(struct fs_buf *out, const struct stix_pattern_lit *l)
{
  switch (l->kind) {
  case STIX_PATTERN_LIT_STRING:
    return quoted(out, "", l->s, l->len);
  case STIX_PATTERN_LIT_INT:
    return fs_buf_appendf(out, "%lld", (long long)l->i);
  case STIX_PATTERN_LIT_FLOAT:
    return fs_buf_append(out, l->s, l->len);
  case STIX_PATTERN_LIT_BOOL:
    return fs_buf_append_str(out, l->b ? "true" : "false");
  case STIX_PATTERN_LIT_TIMESTAMP:
    return fs_buf_appendf(out, "t'%s'", l->s);
  case STIX_PATTERN_LIT_BINARY:
    return fs_buf_appendf(out, "b'%s'", l->text);
  case STIX_PATTERN_LIT_HEX:
    return fs_buf_appendf(out, "h'%s'", l->text);
  case STIX_PATTERN_LIT_SET: {
    int rc = fs_buf_append_char(out, '(');
    for (size_t i = 0; i < l->n && !rc; i++) {
      if (i)
        rc = fs_buf_append_str(out, ", ");
      if (!rc)
        rc = print_lit(out, &l->items[i]);
    }
    return rc ? rc : fs_buf_append_char(out, ')');
  }
  }
  return FS_ERR_INTERNAL;
}

static const char *op_text(enum stix_pattern_op op)
{
  static const char *const names[] = {
      "=", "!=", "<", "<=", ">", ">=", "IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS"};
  return names[op];
}

static int cmp_prec(const struct stix_pattern_cmp *c)
{
  return c->kind == STIX_PATTERN_CMP_OR ? 1 : c->kind == STIX_PATTERN_CMP_AND ? 2 : 3;
}

static int print_cmp(struct fs_buf *out, const struct stix_pattern_cmp *c)
{
  if (c->kind == STIX_PATTERN_CMP_TEST) {
    if (c->op == STIX_PATTERN_EXISTS) {
      int rc = fs_buf_append_str(out, "EXISTS ");
      return rc ? rc : print_path(out, &c->path);
    }
    int rc = print_path(out, &c->path);
    if (!rc)
      rc = fs_buf_appendf(out, " %s%s ", c->negated ? "NOT " : "", op_text(c->op));
    return rc ? rc : print_lit(out, &c->lit);
  }
  int prec = cmp_prec(c), rc = FS_OK;
  bool lp = cmp_prec(c->left) < prec, rp = cmp_prec(c->right) <= prec;
  rc = lp ? fs_buf_append_char(out, '(') : FS_OK;
  rc = rc ? rc : print_cmp(out, c->left);
  rc = rc ? rc : (lp ? fs_buf_append_char(out, ')') : FS_OK);
  rc = rc ? rc : fs_buf_append_str(out, c->kind == STIX_PATTERN_CMP_AND ? " AND " : " OR ");
  rc = rc ? rc : (rp ? fs_buf_append_char(out, '(') : FS_OK);
  rc = rc ? rc : print_cmp(out, c->right);
  return rc ? rc : (rp ? fs_buf_append_char(out, ')') : FS_OK);
}

static int print_quals(struct fs_buf *out, const struct stix_pattern_obs *o)
{
  int rc = FS_OK;
  for (size_t i = 0; i < o->n_quals && !rc; i++) {
    const struct stix_pattern_qual *q = &o->quals[i];
    if (q->kind == STIX_PATTERN_WITHIN)
      rc = fs_buf_appendf(out, " WITHIN %s SECONDS", q->within_text);
    else if (q->kind == STIX_PATTERN_REPEATS)
      rc = fs_buf_appendf(out, " REPEATS %lld TIMES", (long long)q->repeats);
    else
      rc = fs_buf_appendf(out, " START t'%s' STOP t'%s'", q->start, q->stop);
  }
  return rc;
}

/* Binary nodes: 3 AND, 2 OR, 1 FOLLOWEDBY; leaves, groups and qualified nodes bind tightest. */
static int obs_prec(const struct stix_pattern_obs *o)
{
  if (o->n_quals)
    return 4;
  switch (o->kind) {
  case STIX_PATTERN_OBS_AND:
    return 3;
  case STIX_PATTERN_OBS_OR:
    return 2;
  case STIX_PATTERN_OBS_FOLLOWEDBY:
    return 1;
  default:
    return 4;
  }
}

static int print_obs(struct fs_buf *out, const struct stix_pattern_obs *o)
{
  int rc = FS_OK;
  switch (o->kind) {
  case STIX_PATTERN_OBS_LEAF:
    rc = fs_buf_append_char(out, '[');
    rc = rc ? rc : print_cmp(out, o->cmp);
    rc = rc ? rc : fs_buf_append_char(out, ']');
    break;
  case STIX_PATTERN_OBS_GROUP:
    rc = fs_buf_append_char(out, '(');
    rc = rc ? rc : print_obs(out, o->inner);
    rc = rc ? rc : fs_buf_append_char(out, ')');
    break;
  default: {
    const char *op = o->kind == STIX_PATTERN_OBS_AND  ? " AND "
                     : o->kind == STIX_PATTERN_OBS_OR ? " OR "
                                                      : " FOLLOWEDBY ";
    int prec = o->kind == STIX_PATTERN_OBS_AND ? 3 : o->kind == STIX_PATTERN_OBS_OR ? 2 : 1;
    bool wrap = o->n_quals > 0;
    bool lp = obs_prec(o->left) < prec, rp = obs_prec(o->right) <= prec;
    rc = wrap ? fs_buf_append_char(out, '(') : FS_OK;
    rc = rc ? rc : (lp ? fs_buf_append_char(out, '(') : FS_OK);
    rc = rc ? rc : print_obs(out, o->left);
    rc = rc ? rc : (lp ? fs_buf_append_char(out, ')') : FS_OK);
    rc = rc ? rc : fs_buf_append_str(out, op);
    rc = rc ? rc : (rp ? fs_buf_append_char(out, '(') : FS_OK);
    rc = rc ? rc : print_obs(out, o->right);
    rc = rc ? rc : (rp ? fs_buf_append_char(out, ')') : FS_OK);
    rc = rc ? rc : (wrap ? fs_buf_append_char(out, ')') : FS_OK);
  }
  }
  return rc ? rc : print_quals(out, o);
}

int stix_pattern_print(const struct stix_pattern *p, struct fs_buf *out)
{
  return p->root ? print_obs(out, p->root) : FS_ERR_INVALID;
}
