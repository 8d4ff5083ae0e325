/* Compound patterns: compiling one observation for evaluation on events (canonical literals,
 * ranges and subdomains, what no event can satisfy, the choice of anchors), and evaluating it. */
#include "detect/ioc_compound.h"

#include "detect/ioc_norm.h"

#include "core/vec.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct detect_ioc_pattern {
  atomic_size_t refs;
  struct stix_pattern p;
  char *text;
  size_t text_len;
  struct detect_ioc_anchor *anchors;
  size_t nanchors;
};

struct compile {
  struct detect_ioc_pattern *pat;
  struct fs_err *err;
  bool nomem;
};

static enum detect_stix_path path_id(const struct stix_pattern_cmp *c)
{
  int64_t li;
  return detect_stix_path_of(&c->path, &li);
}

static bool lit_string(const struct stix_pattern_lit *l)
{
  return l->kind == STIX_PATTERN_LIT_STRING;
}

/* ---- canonical literals ------------------------------------------------------------------- */

static void canon_lit(struct compile *k, enum detect_stix_path id, struct stix_pattern_lit *l)
{
  char buf[DETECT_URL_MAX + 64];
  size_t len;
  if (!lit_string(l) || !detect_stix_canon(id, l->s, l->len, buf, sizeof(buf), &len))
    return; /* not a value of that kind: compared as written (and never equal to an event's) */
  if (len == l->len && !memcmp(buf, l->s, len))
    return;
  char *s = fs_arena_strndup(&k->pat->p.arena, buf, len);
  if (!s) {
    k->nomem = true;
    return;
  }
  l->s = s;
  l->len = len;
}

static void canon_cmp(struct compile *k, struct stix_pattern_cmp *c)
{
  if (c->kind != STIX_PATTERN_CMP_TEST) {
    canon_cmp(k, c->left);
    canon_cmp(k, c->right);
    return;
  }
  enum detect_stix_path id = path_id(c);
  if (id == DETECT_STIX_NONE)
    return;
  switch (c->op) {
  case STIX_PATTERN_EQ:
  case STIX_PATTERN_NEQ:
  case STIX_PATTERN_ISSUBSET:
  case STIX_PATTERN_ISSUPERSET:
    canon_lit(k, id, &c->lit);
    break;
  case STIX_PATTERN_IN:
    for (size_t i = 0; i < c->lit.n; i++)
      canon_lit(k, id, &c->lit.items[i]);
    break;
  default: /* LIKE and MATCHES are the author's; orderings compare as written */
    break;
  }
}

/* ---- what events can satisfy -------------------------------------------------------------- */

/* False when no event can make c true: a comparison on a path no field gives is false, whatever
 * the operator (spec 9.6), so an AND with one is. *why is such a comparison. */
static bool satisfiable(const struct stix_pattern_cmp *c, const struct stix_pattern_cmp **why)
{
  if (c->kind == STIX_PATTERN_CMP_AND)
    return satisfiable(c->left, why) && satisfiable(c->right, why);
  if (c->kind == STIX_PATTERN_CMP_OR) {
    const struct stix_pattern_cmp *w = NULL;
    if (satisfiable(c->left, &w))
      return true;
    bool r = satisfiable(c->right, why);
    if (!r && w)
      *why = w;
    return r;
  }
  if (path_id(c) != DETECT_STIX_NONE)
    return true;
  *why = c;
  return false;
}

/* ---- anchors ------------------------------------------------------------------------------ */

struct aset {
  bool ok;       /* every match contains one of a[] */
  unsigned cost; /* how often the anchors are expected to hit: lower is better */
  struct detect_ioc_anchor *a;
  size_t n, cap;
};

static void aset_release(struct aset *s)
{
  free(s->a);
  *s = (struct aset){0};
}

static unsigned anchor_cost(enum detect_ioc_type t, const char *v, size_t n)
{
  switch (t) {
  case DETECT_IOC_MD5:
  case DETECT_IOC_SHA1:
  case DETECT_IOC_SHA256:
  case DETECT_IOC_SHA512:
    return 1;
  case DETECT_IOC_URL:
    return 2;
  case DETECT_IOC_EMAIL:
    return 3;
  case DETECT_IOC_DOMAIN:
    return 4;
  default:
    return memchr(v, '/', n) ? 8 : 5; /* a range hits more than one address */
  }
}

static bool aset_add(struct aset *s, enum detect_ioc_type t, const char *v, size_t n)
{
  if (s->n == DETECT_IOC_MAX_ANCHORS || FS_VEC_GROW(s->a, s->n, s->cap, 4))
    return false;
  s->a[s->n++] = (struct detect_ioc_anchor){t, v, n};
  s->cost += anchor_cost(t, v, n);
  return true;
}

/* The anchors of one comparison: '=' and IN (not negated) with values of the anchor types, and
 * ISSUBSET with an address range. */
static void test_anchors(struct compile *k, const struct stix_pattern_cmp *c, struct aset *out)
{
  *out = (struct aset){0};
  enum detect_stix_path id = path_id(c);
  if (c->negated || id == DETECT_STIX_NONE)
    return;
  const struct stix_pattern_lit *items = &c->lit;
  size_t n = 1;
  if (c->op == STIX_PATTERN_IN) {
    items = c->lit.items;
    n = c->lit.n;
  } else if (c->op == STIX_PATTERN_ISSUBSET) {
    struct detect_ip ip;
    if (!detect_stix_path_is_address(id) || !detect_ip_parse(c->lit.s, c->lit.len, true, &ip))
      return;
  } else if (c->op != STIX_PATTERN_EQ) {
    return;
  }
  if (!n)
    return;
  out->ok = true;
  for (size_t i = 0; i < n && out->ok; i++) {
    int t = lit_string(&items[i]) ? detect_stix_anchor_type(id, items[i].s, items[i].len) : -1;
    if (t < 0)
      out->ok = false;
    else if (!aset_add(out, (enum detect_ioc_type)t, items[i].s, items[i].len))
      out->ok = false, k->nomem |= out->n < DETECT_IOC_MAX_ANCHORS;
  }
  if (!out->ok)
    aset_release(out);
}

static void anchors(struct compile *k, const struct stix_pattern_cmp *c, struct aset *out)
{
  const struct stix_pattern_cmp *why = NULL;
  if (c->kind == STIX_PATTERN_CMP_TEST) {
    test_anchors(k, c, out);
    return;
  }
  if (c->kind == STIX_PATTERN_CMP_OR) {
    /* A branch no event satisfies needs no anchor; otherwise both sides' anchors. */
    if (!satisfiable(c->left, &why)) {
      anchors(k, c->right, out);
      return;
    }
    if (!satisfiable(c->right, &why)) {
      anchors(k, c->left, out);
      return;
    }
  }
  struct aset l, r;
  anchors(k, c->left, &l);
  anchors(k, c->right, &r);
  if (c->kind == STIX_PATTERN_CMP_AND) { /* either side's will do: the cheaper */
    bool left = l.ok && (!r.ok || l.cost <= r.cost);
    *out = left ? l : r;
    aset_release(left ? &r : &l);
    return;
  }
  *out = (struct aset){0};
  if (l.ok && r.ok && l.n + r.n <= DETECT_IOC_MAX_ANCHORS) {
    struct detect_ioc_anchor *a = realloc(l.a, (l.n + r.n) * sizeof(*a));
    if (a) {
      memcpy(a + l.n, r.a, r.n * sizeof(*a));
      *out = (struct aset){true, l.cost + r.cost, a, l.n + r.n, l.n + r.n};
      l.a = NULL;
    } else {
      k->nomem = true;
    }
  }
  aset_release(&l);
  aset_release(&r);
}

/* ---- rewriting for evaluation ------------------------------------------------------------- */

/* IN as a balanced tree of '=' tests: OR of them, or AND of the negated ones (NOT IN). */
static struct stix_pattern_cmp *in_tree(struct compile *k, const struct stix_pattern_cmp *proto,
                                        const struct stix_pattern_lit *items, size_t n)
{
  struct stix_pattern_cmp *c = fs_arena_calloc(&k->pat->p.arena, sizeof(*c));
  if (!c) {
    k->nomem = true;
    return NULL;
  }
  if (n == 1) {
    *c = *proto;
    c->op = STIX_PATTERN_EQ;
    c->lit = items[0];
    return c;
  }
  c->kind = proto->negated ? STIX_PATTERN_CMP_AND : STIX_PATTERN_CMP_OR;
  c->pos = proto->pos;
  c->left = in_tree(k, proto, items, n / 2);
  c->right = in_tree(k, proto, items + n / 2, n - n / 2);
  return c->left && c->right ? c : NULL;
}

/* "^(?:.*\.)?example\.com$": the name or any subdomain of it (event values are lower case). */
static bool subdomain_regex(struct compile *k, struct stix_pattern_lit *l)
{
  static const char head[] = "^(?:.*\\.)?";
  size_t hl = sizeof(head) - 1;
  char *re = fs_arena_alloc(&k->pat->p.arena, hl + 2 * l->len + 2);
  if (!re) {
    k->nomem = true;
    return false;
  }
  memcpy(re, head, hl);
  size_t o = hl;
  for (size_t i = 0; i < l->len; i++) {
    char c = l->s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
      re[o++] = '\\';
    re[o++] = c;
  }
  re[o++] = '$';
  re[o] = '\0';
  l->s = re;
  l->len = o;
  return true;
}

static void rewrite(struct compile *k, struct stix_pattern_cmp *c)
{
  if (k->nomem)
    return;
  if (c->kind != STIX_PATTERN_CMP_TEST) {
    rewrite(k, c->left);
    rewrite(k, c->right);
    return;
  }
  enum detect_stix_path id = path_id(c);
  if (!detect_stix_path_is_address(id))
    return;
  if (c->op == STIX_PATTERN_IN && c->lit.n) {
    for (size_t i = 0; i < c->lit.n; i++)
      if (!lit_string(&c->lit.items[i]))
        return;
    struct stix_pattern_cmp proto = *c;
    struct stix_pattern_cmp *t = in_tree(k, &proto, proto.lit.items, proto.lit.n);
    if (!t)
      return;
    *c = *t;
    rewrite(k, c);
    return;
  }
  if ((c->op != STIX_PATTERN_EQ && c->op != STIX_PATTERN_NEQ) || !lit_string(&c->lit))
    return;
  struct detect_ip ip;
  if (detect_ip_parse(c->lit.s, c->lit.len, true, &ip)) {
    if (ip.plen < (ip.v6 ? 128 : 32)) { /* = a range: the address is in it */
      c->negated = c->op == STIX_PATTERN_NEQ ? !c->negated : c->negated;
      c->op = STIX_PATTERN_ISSUBSET;
    }
    return;
  }
  char d[DETECT_DOMAIN_MAX + 1];
  if (c->op == STIX_PATTERN_EQ && id != DETECT_STIX_IPV4 && id != DETECT_STIX_IPV6 &&
      c->lit.len <= DETECT_DOMAIN_MAX && detect_domain_normalize(c->lit.s, c->lit.len, false, d) &&
      subdomain_regex(k, &c->lit))
    c->op = STIX_PATTERN_MATCHES;
}

/* ---- compiling ---------------------------------------------------------------------------- */

static int unsupported(struct fs_err *err, const char *what)
{
  return fs_err_set(err, FS_ERR_UNSUPPORTED, "pattern", "%s", what);
}

int detect_ioc_pattern_compile(struct stix_pattern *p, const char *text, size_t len,
                               struct detect_ioc_pattern **out, struct fs_err *err)
{
  *out = NULL;
  const struct stix_pattern_obs *o = p->root;
  int rc = FS_OK;
  if (!o || o->kind != STIX_PATTERN_OBS_LEAF)
    rc = unsupported(err, "several observations ([...] AND/OR/FOLLOWEDBY [...]): events are "
                          "matched one at a time");
  else if (o->n_quals)
    rc = unsupported(err, "a qualifier (WITHIN, REPEATS, START/STOP) needs more than one event");
  struct detect_ioc_pattern *pat = rc ? NULL : calloc(1, sizeof(*pat));
  if (!rc && (!pat || !(pat->text = malloc(len + 1)))) {
    free(pat);
    pat = NULL;
    rc = fs_err_set(err, FS_ERR_NOMEM, "pattern", "out of memory");
  }
  if (rc) {
    stix_pattern_release(p);
    return rc;
  }
  atomic_init(&pat->refs, 1);
  pat->p = *p; /* taken over: the arena moves with the struct */
  memset(p, 0, sizeof(*p));
  memcpy(pat->text, text, len);
  pat->text[len] = '\0';
  pat->text_len = len;
  struct compile k = {.pat = pat, .err = err};
  struct stix_pattern_cmp *root = pat->p.root->cmp;
  canon_cmp(&k, root);
  const struct stix_pattern_cmp *why = NULL;
  struct aset as = {0};
  if (k.nomem) {
    rc = fs_err_set(err, FS_ERR_NOMEM, "pattern", "out of memory");
  } else if (!satisfiable(root, &why)) {
    char path[200];
    detect_stix_path_text(&why->path, path, sizeof(path));
    rc = fs_err_set(err, FS_ERR_UNSUPPORTED, "pattern",
                    "no event field gives %s, which every match needs (see the path table in "
                    "docs/soc.md)",
                    path);
  } else {
    anchors(&k, root, &as);
    if (k.nomem)
      rc = fs_err_set(err, FS_ERR_NOMEM, "pattern", "out of memory");
    else if (!as.ok)
      rc = unsupported(err, "no anchor: every match must contain a value compared with '=' "
                            "(or IN, or ISSUBSET a range) on an address, domain name, URL, "
                            "e-mail address or file hash");
  }
  if (!rc) {
    pat->anchors = fs_arena_alloc(&pat->p.arena, as.n * sizeof(*pat->anchors));
    if (!pat->anchors)
      rc = fs_err_set(err, FS_ERR_NOMEM, "pattern", "out of memory");
    else
      memcpy(pat->anchors, as.a, as.n * sizeof(*pat->anchors));
    pat->nanchors = as.n;
  }
  aset_release(&as);
  if (!rc) {
    rewrite(&k, root);
    if (k.nomem)
      rc = fs_err_set(err, FS_ERR_NOMEM, "pattern", "out of memory");
  }
  if (!rc)
    rc = stix_pattern_prepare(&pat->p, err);
  if (rc) {
    detect_ioc_pattern_unref(pat);
    return rc;
  }
  *out = pat;
  return FS_OK;
}

void detect_ioc_pattern_ref(struct detect_ioc_pattern *pat)
{
  atomic_fetch_add_explicit(&pat->refs, 1, memory_order_relaxed);
}

void detect_ioc_pattern_unref(struct detect_ioc_pattern *pat)
{
  if (!pat || atomic_fetch_sub_explicit(&pat->refs, 1, memory_order_acq_rel) != 1)
    return;
  stix_pattern_release(&pat->p);
  free(pat->text);
  free(pat);
}

size_t detect_ioc_pattern_anchors(const struct detect_ioc_pattern *pat,
                                  const struct detect_ioc_anchor **out)
{
  *out = pat->anchors;
  return pat->nanchors;
}

const char *detect_ioc_pattern_text(const struct detect_ioc_pattern *pat)
{
  return pat->text;
}

size_t detect_ioc_pattern_memory(const struct detect_ioc_pattern *pat)
{
  return sizeof(*pat) + pat->text_len + 1 + pat->p.arena.used;
}

int detect_ioc_pattern_eval(const struct detect_ioc_pattern *pat, struct detect_stix_view *v,
                            bool *match)
{
  struct fs_err err;
  return stix_pattern_eval(&pat->p, detect_stix_lookup, v, detect_stix_view_scratch(v), match,
                           &err);
}
