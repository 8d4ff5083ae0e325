/* Indicator loaders: plain lists (one value a line, type detected) and STIX 2.1 bundles (simple
 * patterns, and the anchors of compound patterns evaluated on events). */
#include "detect/ioc.h"
#include "detect/ioc_stix.h"
#include "detect/ioc_norm.h"

#include "core/i18n.h"
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
                          const char *name, const struct detect_ioc_load_opts *opts, size_t *loaded,
                          struct fs_err *err)
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

/* ---- STIX bundles ------------------------------------------------------------------------- */

struct stix_add {
  struct detect_ioc_builder *b;
  size_t n;
  struct fs_err *err;
};

static int add_spec(void *arg, const struct detect_ioc_spec *spec)
{
  struct stix_add *k = arg;
  int rc = detect_ioc_builder_add(k->b, spec, k->err);
  if (!rc)
    k->n++;
  return rc;
}

/* One indicator object, through the STIX library's pattern parser (detect_ioc_specs_from_stix).
 * Returns FS_OK, FS_ERR_INVALID (reported, skipped) or another error. */
static int stix_indicator(struct detect_ioc_builder *b, json_t *obj, const char *where,
                          const struct detect_ioc_load_opts *opts, size_t *loaded, struct fs_err *e)
{
  const char *pt = json_string_value(json_object_get(obj, "pattern_type"));
  if (json_object_get(obj, "pattern_type") && (!pt || strcmp(pt, "stix")))
    return fs_err_set(e, FS_ERR_INVALID, where, "pattern_type \"%s\" is not taken", pt ? pt : "?");
  static const char *const times[] = {"valid_from", "valid_until"};
  for (int i = 0; i < 2; i++) {
    json_t *v = json_object_get(obj, times[i]);
    int64_t ms;
    if (v && (!json_is_string(v) ||
              fs_time_parse_ms(json_string_value(v), json_string_length(v), &ms, NULL)))
      return fs_err_set(e, FS_ERR_INVALID, where, "%s is not an RFC 3339 time", times[i]);
  }
  struct stix_add k = {b, 0, e};
  struct detect_stix_outcome out;
  int rc = detect_ioc_specs_from_stix(obj, opts ? opts->vis : NULL, add_spec, &k, &out, e);
  if (rc == FS_ERR_PARSE || rc == FS_ERR_INVALID) {
    char msg[sizeof(e->msg)], at[48] = "";
    const char *byte = strstr(e->where, "byte "); /* the position in the pattern */
    snprintf(msg, sizeof(msg), "%s", e->msg);
    if (byte)
      snprintf(at, sizeof(at), " %s", byte);
    return fs_err_set(e, FS_ERR_INVALID, where, "pattern%s: %s", at, msg);
  }
  if (rc) {
    fs_err_wrap_where(e, where);
    return rc;
  }
  fs_msg_remember(out.reason, out.reason_zh);
  if (out.kind == DETECT_STIX_SKIPPED) {
    detect_ioc_builder_skip_compound(b);
    return fs_err_set(e, FS_ERR_INVALID, where, "compound pattern not matched: %s", out.reason);
  }
  if (out.kind == DETECT_STIX_OTHER)
    return fs_err_set(e, FS_ERR_INVALID, where, "%s", out.reason);
  *loaded += k.n;
  return FS_OK;
}

int detect_iocs_load_stix(struct detect_ioc_builder *b, const char *text, size_t len,
                          const char *name, const struct detect_ioc_load_opts *opts, size_t *loaded,
                          struct fs_err *err)
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
    int r = stix_indicator(b, obj, where, opts, loaded, &e);
    if (r == FS_ERR_INVALID)
      rc = bad(opts, &e, err);
    else if (r) {
      if (err)
        *err = e;
      rc = r;
    }
  }
  json_decref(root);
  return rc;
}
