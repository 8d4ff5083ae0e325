/* Indicator loaders: plain lists (one value a line, type detected) and, for now, the simple
 * patterns of STIX 2.1 bundles. */
#include "detect/ioc.h"
#include "detect/ioc_norm.h"

#include "core/jsonx.h"
#include "core/time.h"

#include <stdio.h>
#include <string.h>

int detect_ioc_guess_type(const char *s, size_t n)
{
  struct detect_ip ip;
  char buf[DETECT_URL_MAX + 1];
  if (!n)
    return -1;
  if (detect_ip_parse(s, n, true, &ip))
    return ip.v6 ? DETECT_IOC_IPV6 : DETECT_IOC_IPV4;
  if (detect_is_hex(s, n) && detect_hash_type_for_hex(n) >= 0)
    return detect_hash_type_for_hex(n);
  if (n >= 3 && memmem(s, n, "://", 3))
    return detect_url_normalize(s, n, buf) ? DETECT_IOC_URL : -1;
  if (memchr(s, '@', n))
    return detect_email_normalize(s, n, buf) ? DETECT_IOC_EMAIL : -1;
  if (detect_domain_normalize(s, n, true, buf))
    return DETECT_IOC_DOMAIN;
  return -1;
}

/* Reports one bad value; returns non-zero when loading must stop. */
static int bad(const struct detect_ioc_load_opts *o, struct fs_err *e, struct fs_err *out)
{
  if (o && o->on_error && !o->on_error(o->arg, e))
    return 0;
  if (out)
    *out = *e;
  return FS_ERR_INVALID;
}

static bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

int detect_iocs_load_list(struct detect_ioc_builder *b, const char *text, size_t len,
                          const char *name, const struct detect_ioc_load_opts *opts,
                          size_t *loaded, struct fs_err *err)
{
  size_t line = opts ? opts->first_line : 0, pos = 0;
  *loaded = 0;
  while (pos < len) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - text) : len;
    const char *s = text + pos;
    size_t n = end - pos;
    pos = end + 1;
    line++;
    while (n && is_space(*s))
      s++, n--;
    if (line == 1 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) /* a UTF-8 BOM */
      s += 3, n -= 3;
    if (!n || *s == '#')
      continue;
    for (size_t k = 1; k < n; k++) /* " # comment" after the value */
      if (s[k] == '#' && is_space(s[k - 1])) {
        n = k;
        break;
      }
    while (n && is_space(s[n - 1]))
      n--;
    char where[300];
    snprintf(where, sizeof(where), "%s:%zu", name, line);
    char buf[DETECT_URL_MAX + 1];
    struct fs_err e;
    if (n > DETECT_URL_MAX) {
      fs_err_set(&e, FS_ERR_INVALID, where, "value longer than %d bytes", DETECT_URL_MAX);
      if (bad(opts, &e, err))
        return FS_ERR_INVALID;
      continue;
    }
    n = detect_refang(s, n, buf, sizeof(buf));
    int type = detect_ioc_guess_type(buf, n);
    if (type < 0) {
      fs_err_set(&e, FS_ERR_INVALID, where,
                 "cannot tell what kind of indicator \"%.*s\" is (expected an IP address or "
                 "range, a domain, a URL, an e-mail address or an MD5/SHA hash)",
                 (int)FS_MIN(n, 120), buf);
      if (bad(opts, &e, err))
        return FS_ERR_INVALID;
      continue;
    }
    struct detect_ioc_spec spec = {.type = (enum detect_ioc_type)type,
                                   .value = buf,
                                   .value_len = n,
                                   .valid_from = DETECT_TIME_NONE_FROM,
                                   .valid_until = DETECT_TIME_NONE_UNTIL,
                                   .vis = opts ? opts->vis : NULL,
                                   .source_id = opts && opts->source_id ? opts->source_id : name};
    int rc = detect_ioc_builder_add(b, &spec, &e);
    if (rc == FS_ERR_INVALID) {
      fs_err_wrap_where(&e, where);
      if (bad(opts, &e, err))
        return FS_ERR_INVALID;
      continue;
    }
    if (rc) {
      fs_err_wrap_where(&e, where);
      if (err)
        *err = e;
      return rc;
    }
    (*loaded)++;
  }
  return FS_OK;
}

/* ---- STIX simple patterns ----------------------------------------------------------------- */

#define MAX_PATTERN_VALUES 4096

struct pat_value {
  enum detect_ioc_type type;
  char label[128];
  size_t off, len; /* in the unescaped-values buffer */
};

struct pat {
  const char *s;
  size_t n, i;
  char vals[16384];
  size_t vals_len;
  struct pat_value v[64];
  size_t nv;
  char why[160];
};

static void pat_ws(struct pat *p)
{
  while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
                         p->s[p->i] == '\r'))
    p->i++;
}

static bool pat_word(struct pat *p, const char *w)
{
  size_t n = strlen(w);
  pat_ws(p);
  if (p->n - p->i < n || memcmp(p->s + p->i, w, n))
    return false;
  char after = p->i + n < p->n ? p->s[p->i + n] : ' ';
  if ((after >= 'A' && after <= 'Z') || (after >= 'a' && after <= 'z'))
    return false;
  p->i += n;
  return true;
}

static bool pat_fail(struct pat *p, const char *why)
{
  snprintf(p->why, sizeof(p->why), "%s (at byte %zu)", why, p->i);
  return false;
}

/* Maps "object-type:property" to an indicator type. */
static enum detect_ioc_type path_type(const char *path, size_t n)
{
  static const struct {
    const char *path;
    enum detect_ioc_type type;
  } known[] = {
      {"ipv4-addr:value", DETECT_IOC_IPV4},
      {"ipv6-addr:value", DETECT_IOC_IPV6},
      {"domain-name:value", DETECT_IOC_DOMAIN},
      {"url:value", DETECT_IOC_URL},
      {"email-addr:value", DETECT_IOC_EMAIL},
      {"email-message:from_ref.value", DETECT_IOC_EMAIL},
      {"email-message:sender_ref.value", DETECT_IOC_EMAIL},
      {"file:hashes.MD5", DETECT_IOC_MD5},
      {"file:hashes.'MD5'", DETECT_IOC_MD5},
      {"file:hashes.'SHA-1'", DETECT_IOC_SHA1},
      {"file:hashes.SHA1", DETECT_IOC_SHA1},
      {"file:hashes.'SHA-256'", DETECT_IOC_SHA256},
      {"file:hashes.SHA256", DETECT_IOC_SHA256},
      {"file:hashes.'SHA-512'", DETECT_IOC_SHA512},
      {"file:hashes.SHA512", DETECT_IOC_SHA512},
      {"artifact:hashes.'SHA-256'", DETECT_IOC_SHA256},
      {"artifact:hashes.MD5", DETECT_IOC_MD5},
  };
  for (size_t k = 0; k < FS_ARRAY_SIZE(known); k++)
    if (strlen(known[k].path) == n && !memcmp(known[k].path, path, n))
      return known[k].type;
  return DETECT_IOC_STRING;
}

static bool is_addr_ref(const char *path, size_t n)
{
  return (n == 29 && !memcmp(path, "network-traffic:dst_ref.value", 29)) ||
         (n == 29 && !memcmp(path, "network-traffic:src_ref.value", 29));
}

/* A quoted string literal into p->vals. */
static bool pat_string(struct pat *p, size_t *off, size_t *len)
{
  pat_ws(p);
  if (p->i >= p->n || p->s[p->i] != '\'')
    return pat_fail(p, "expected a quoted string");
  p->i++;
  *off = p->vals_len;
  while (p->i < p->n && p->s[p->i] != '\'') {
    char c = p->s[p->i++];
    if (c == '\\' && p->i < p->n)
      c = p->s[p->i++];
    if (p->vals_len >= sizeof(p->vals))
      return pat_fail(p, "values too long");
    p->vals[p->vals_len++] = c;
  }
  if (p->i >= p->n)
    return pat_fail(p, "string not closed");
  p->i++;
  *len = p->vals_len - *off;
  return true;
}

static bool pat_add(struct pat *p, const char *path, size_t plen, size_t off, size_t len)
{
  if (p->nv == FS_ARRAY_SIZE(p->v))
    return pat_fail(p, "more than 64 values");
  struct pat_value *v = &p->v[p->nv++];
  v->type = path_type(path, plen);
  if (is_addr_ref(path, plen)) {
    struct detect_ip ip;
    v->type = detect_ip_parse(p->vals + off, len, true, &ip) && ip.v6 ? DETECT_IOC_IPV6
                                                                       : DETECT_IOC_IPV4;
  }
  snprintf(v->label, sizeof(v->label), "%.*s", (int)plen, path);
  v->off = off;
  v->len = len;
  return true;
}

static bool pat_comparison(struct pat *p)
{
  pat_ws(p);
  size_t s = p->i;
  bool quoted = false;
  while (p->i < p->n) {
    char c = p->s[p->i];
    if (c == '\'')
      quoted = !quoted;
    else if (!quoted && (c == ' ' || c == '=' || c == '!' || c == '<' || c == '>' || c == ']'))
      break;
    p->i++;
  }
  const char *path = p->s + s;
  size_t plen = p->i - s;
  if (!plen || !memchr(path, ':', plen))
    return pat_fail(p, "expected object-type:property");
  pat_ws(p);
  size_t off, len;
  if (p->i < p->n && p->s[p->i] == '=') {
    p->i++;
    return pat_string(p, &off, &len) && pat_add(p, path, plen, off, len);
  }
  if (pat_word(p, "IN")) {
    pat_ws(p);
    if (p->i >= p->n || p->s[p->i] != '(')
      return pat_fail(p, "expected '(' after IN");
    p->i++;
    do {
      if (!pat_string(p, &off, &len) || !pat_add(p, path, plen, off, len))
        return false;
      pat_ws(p);
    } while (p->i < p->n && p->s[p->i] == ',' && ++p->i);
    if (p->i >= p->n || p->s[p->i] != ')')
      return pat_fail(p, "expected ')' closing IN");
    p->i++;
    return true;
  }
  return pat_fail(p, "only '=' and IN are taken for now");
}

/* pattern := '[' cmp (OR cmp)* ']' (OR '[' ... ']')* */
static bool pat_parse(struct pat *p)
{
  do {
    pat_ws(p);
    if (p->i >= p->n || p->s[p->i] != '[')
      return pat_fail(p, "expected '['");
    p->i++;
    do {
      if (!pat_comparison(p))
        return false;
    } while (pat_word(p, "OR"));
    pat_ws(p);
    if (p->i >= p->n || p->s[p->i] != ']')
      return pat_fail(p, "only comparisons joined by OR are taken for now");
    p->i++;
  } while (pat_word(p, "OR"));
  pat_ws(p);
  if (p->i < p->n)
    return pat_fail(p, "only observations joined by OR are taken for now");
  return true;
}

static int stix_time(json_t *obj, const char *key, int64_t dflt, int64_t *out)
{
  json_t *v = json_object_get(obj, key);
  *out = dflt;
  if (!v)
    return FS_OK;
  if (!json_is_string(v))
    return FS_ERR_INVALID;
  return fs_time_parse_ms(json_string_value(v), json_string_length(v), out, NULL);
}

/* One indicator object. Returns FS_OK, FS_ERR_INVALID (reported, skipped) or another error. */
static int stix_indicator(struct detect_ioc_builder *b, json_t *obj, const char *where,
                          const struct detect_ioc_load_opts *opts, struct pat *p, size_t *loaded,
                          struct fs_err *e)
{
  json_t *pt = json_object_get(obj, "pattern_type");
  if (pt && (!json_is_string(pt) || strcmp(json_string_value(pt), "stix")))
    return fs_err_set(e, FS_ERR_INVALID, where, "pattern_type \"%s\" is not taken",
                      json_is_string(pt) ? json_string_value(pt) : "?");
  json_t *pattern = json_object_get(obj, "pattern");
  json_t *id = json_object_get(obj, "id");
  json_t *revoked = json_object_get(obj, "revoked");
  if (!json_is_string(pattern))
    return fs_err_set(e, FS_ERR_INVALID, where, "indicator without a pattern");
  int64_t from, until;
  if (stix_time(obj, "valid_from", DETECT_TIME_NONE_FROM, &from) ||
      stix_time(obj, "valid_until", DETECT_TIME_NONE_UNTIL, &until))
    return fs_err_set(e, FS_ERR_INVALID, where, "valid_from or valid_until is not an RFC 3339 time");
  p->s = json_string_value(pattern);
  p->n = json_string_length(pattern);
  p->i = 0;
  p->vals_len = 0;
  p->nv = 0;
  if (!pat_parse(p))
    return fs_err_set(e, FS_ERR_INVALID, where, "pattern %s: %.200s", p->why, p->s);
  for (size_t k = 0; k < p->nv; k++) {
    struct detect_ioc_spec spec = {.type = p->v[k].type,
                                   .value = p->vals + p->v[k].off,
                                   .value_len = p->v[k].len,
                                   .label = p->v[k].label,
                                   .valid_from = from,
                                   .valid_until = until,
                                   .revoked = json_is_true(revoked),
                                   .vis = opts ? opts->vis : NULL,
                                   .source_id = json_is_string(id) ? json_string_value(id) : NULL};
    int rc = detect_ioc_builder_add(b, &spec, e);
    if (rc) {
      fs_err_wrap_where(e, where);
      return rc;
    }
  }
  *loaded += p->nv;
  return FS_OK;
}

int detect_iocs_load_stix(struct detect_ioc_builder *b, const char *text, size_t len,
                          const char *name, const struct detect_ioc_load_opts *opts,
                          size_t *loaded, struct fs_err *err)
{
  json_t *root;
  *loaded = 0;
  int rc = jsonx_parse(text, len, &root, err);
  if (rc) {
    fs_err_wrap_where(err, name);
    return rc;
  }
  json_t *objects = root;
  if (json_is_object(root)) {
    json_t *t = json_object_get(root, "type");
    if (json_is_string(t) && !strcmp(json_string_value(t), "bundle"))
      objects = json_object_get(root, "objects");
  }
  struct pat *p = malloc(sizeof(*p));
  if (!p) {
    json_decref(root);
    return fs_err_set(err, FS_ERR_NOMEM, name, "out of memory");
  }
  size_t n = json_is_array(objects) ? json_array_size(objects) : 1;
  rc = FS_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    json_t *obj = json_is_array(objects) ? json_array_get(objects, i) : objects;
    json_t *t = json_is_object(obj) ? json_object_get(obj, "type") : NULL;
    if (!json_is_string(t) || strcmp(json_string_value(t), "indicator"))
      continue;
    json_t *id = json_object_get(obj, "id");
    char where[300];
    snprintf(where, sizeof(where), "%s: objects[%zu] %s", name, i,
             json_is_string(id) ? json_string_value(id) : "");
    struct fs_err e;
    int r = stix_indicator(b, obj, where, opts, p, loaded, &e);
    if (r == FS_ERR_INVALID)
      rc = bad(opts, &e, err);
    else if (r) {
      if (err)
        *err = e;
      rc = r;
    }
  }
  free(p);
  json_decref(root);
  return rc;
}
