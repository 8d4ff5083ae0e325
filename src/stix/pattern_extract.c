/* Simple indicators from a pattern AST: '=' and IN on value-like paths joined by OR, for the
 * detection engine's IOC index. Everything else is "compound" and evaluated field by field. */
#include "stix/pattern.h"
#include "stix/stix_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

struct extract {
  struct stix_pattern *p;
  size_t max;
  size_t cap;
  struct stix_pattern_simple *out;
  bool nomem;
};

int stix_pattern_hash_kind(const char *key)
{
  static const struct {
    const char *norm;
    enum stix_observable kind;
  } hashes[] = {{"MD5", STIX_OBS_MD5},
                {"SHA1", STIX_OBS_SHA1},
                {"SHA256", STIX_OBS_SHA256},
                {"SHA512", STIX_OBS_SHA512}};
  char norm[16];
  size_t n = 0;
  for (; *key && n < sizeof(norm) - 1; key++)
    if (*key != '-')
      norm[n++] = (char)(*key >= 'a' && *key <= 'z' ? *key - 32 : *key);
  if (*key)
    return -1;
  norm[n] = '\0';
  for (size_t i = 0; i < FS_ARRAY_SIZE(hashes); i++)
    if (!strcmp(hashes[i].norm, norm))
      return (int)hashes[i].kind;
  return -1;
}

/* The observable a path names, or -1 when the path is not a simple one. */
static int path_kind(const struct stix_pattern_path *path)
{
  const struct stix_pattern_step *s = path->steps;
  for (size_t i = 0; i < path->n; i++)
    if (s[i].kind != STIX_PATTERN_STEP_KEY)
      return -1;
  if (path->n == 1 && !strcmp(s[0].key, "value")) {
    if (!strcmp(path->type, "ipv4-addr"))
      return STIX_OBS_IPV4;
    if (!strcmp(path->type, "ipv6-addr"))
      return STIX_OBS_IPV6;
    if (!strcmp(path->type, "domain-name"))
      return STIX_OBS_DOMAIN;
    if (!strcmp(path->type, "url"))
      return STIX_OBS_URL;
    if (!strcmp(path->type, "email-addr"))
      return STIX_OBS_EMAIL;
    return STIX_OBS_OTHER;
  }
  if (path->n == 2 && !strcmp(path->type, "file") && !strcmp(s[0].key, "hashes"))
    return stix_pattern_hash_kind(s[1].key);
  /* Other string properties of other objects (mutex:name, file:name, windows-registry-key:key,
   * user-account:account_login...): values to find as they are. */
  static const char *const typed[] = {"ipv4-addr", "ipv6-addr",      "domain-name",
                                      "url",       "email-addr",     "email-message",
                                      "file",      "network-traffic"};
  bool is_typed = false;
  for (size_t i = 0; i < FS_ARRAY_SIZE(typed); i++)
    is_typed |= !strcmp(path->type, typed[i]);
  if (path->n == 1 && !is_typed)
    return STIX_OBS_OTHER;
  if (path->n == 1 && !strcmp(path->type, "file") && !strcmp(s[0].key, "name"))
    return STIX_OBS_OTHER;
  if (path->n == 2 && !strcmp(path->type, "email-message") && !strcmp(s[1].key, "value") &&
      (!strcmp(s[0].key, "from_ref") || !strcmp(s[0].key, "sender_ref")))
    return STIX_OBS_EMAIL;
  return -1;
}

/* Normalizes an IP value: canonical text of the address, the prefix kept apart. */
static bool normalize_ip(struct extract *x, const char *v, size_t len, int family,
                         struct stix_pattern_indicator *it)
{
  int fam;
  unsigned char bin[16];
  char text[INET6_ADDRSTRLEN];
  if (!stix_ip_parse(v, len, &fam, bin, &it->prefix) || fam != (family == AF_INET ? 4 : 6) ||
      !inet_ntop(family, bin, text, sizeof(text)))
    return false;
  int full = family == AF_INET ? 32 : 128;
  char *out = fs_arena_alloc(&x->p->arena, strlen(text) + 5);
  if (!out) {
    x->nomem = true;
    return false;
  }
  size_t n = strlen(text);
  memcpy(out, text, n + 1);
  if (it->prefix != full)
    n += (size_t)snprintf(out + n, 5, "/%d", it->prefix);
  it->value = out;
  it->len = n;
  return true;
}

static bool add(struct extract *x, const struct stix_pattern_path *path, int kind,
                const struct stix_pattern_lit *lit)
{
  if (lit->kind != STIX_PATTERN_LIT_STRING || x->out->n >= x->max)
    return false;
  if (x->out->n == x->cap) {
    size_t ncap = x->cap ? x->cap * 2 : 8;
    struct stix_pattern_indicator *items = fs_arena_alloc(&x->p->arena, ncap * sizeof(*items));
    if (!items) {
      x->nomem = true;
      return false;
    }
    if (x->out->n)
      memcpy(items, x->out->items, x->out->n * sizeof(*items));
    x->out->items = items;
    x->cap = ncap;
  }
  struct stix_pattern_indicator *it = &x->out->items[x->out->n];
  it->kind = (enum stix_observable)kind;
  it->sco_type = path->type;
  it->prefix = -1;
  if (kind == STIX_OBS_IPV4 || kind == STIX_OBS_IPV6) {
    if (!normalize_ip(x, lit->s, lit->len, kind == STIX_OBS_IPV4 ? AF_INET : AF_INET6, it))
      return false;
  } else {
    char *v = fs_arena_strndup(&x->p->arena, lit->s, lit->len);
    if (!v) {
      x->nomem = true;
      return false;
    }
    size_t n = lit->len;
    bool lower = kind == STIX_OBS_DOMAIN || kind == STIX_OBS_EMAIL || kind == STIX_OBS_MD5 ||
                 kind == STIX_OBS_SHA1 || kind == STIX_OBS_SHA256 || kind == STIX_OBS_SHA512;
    for (size_t i = 0; lower && i < n; i++)
      if (v[i] >= 'A' && v[i] <= 'Z')
        v[i] = (char)(v[i] + 32);
    if (kind == STIX_OBS_DOMAIN && n > 1 && v[n - 1] == '.')
      v[--n] = '\0';
    if (n == 0)
      return false;
    it->value = v;
    it->len = n;
  }
  x->out->n++;
  return true;
}

static bool collect_cmp(struct extract *x, const struct stix_pattern_cmp *c)
{
  if (c->kind == STIX_PATTERN_CMP_OR)
    return collect_cmp(x, c->left) && collect_cmp(x, c->right);
  if (c->kind == STIX_PATTERN_CMP_AND || c->negated)
    return false;
  int kind = path_kind(&c->path);
  if (kind < 0)
    return false;
  if (c->op == STIX_PATTERN_EQ)
    return add(x, &c->path, kind, &c->lit);
  if (c->op != STIX_PATTERN_IN || c->lit.n == 0)
    return false;
  for (size_t i = 0; i < c->lit.n; i++)
    if (!add(x, &c->path, kind, &c->lit.items[i]))
      return false;
  return true;
}

static bool collect(struct extract *x, const struct stix_pattern_obs *o)
{
  if (o->n_quals)
    return false;
  if (o->kind == STIX_PATTERN_OBS_LEAF)
    return collect_cmp(x, o->cmp);
  if (o->kind == STIX_PATTERN_OBS_OR)
    return collect(x, o->left) && collect(x, o->right);
  return false;
}

int stix_pattern_extract(struct stix_pattern *p, size_t max_items, struct stix_pattern_simple *out,
                         struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  struct extract x = {.p = p, .max = max_items, .out = out};
  bool simple = p->root && collect(&x, p->root);
  if (x.nomem)
    return fs_err_set(err, FS_ERR_NOMEM, "pattern", "out of memory");
  if (!simple) {
    out->compound = true;
    out->n = 0;
    out->items = NULL;
  }
  return FS_OK;
}
