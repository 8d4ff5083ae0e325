/* STIX indicators to index specs, on the STIX library's pattern parser: simple values, or the
 * anchors of a compound pattern compiled for evaluation on events. */
#include "detect/ioc_stix.h"

#include "detect/ioc_compound.h"

#include "core/i18n.h"
#include "core/time.h"
#include "stix/pattern.h"

#include <stdio.h>
#include <string.h>

static int kind_to_type(enum stix_observable k)
{
  switch (k) {
  case STIX_OBS_IPV4:
    return DETECT_IOC_IPV4;
  case STIX_OBS_IPV6:
    return DETECT_IOC_IPV6;
  case STIX_OBS_DOMAIN:
    return DETECT_IOC_DOMAIN;
  case STIX_OBS_URL:
    return DETECT_IOC_URL;
  case STIX_OBS_EMAIL:
    return DETECT_IOC_EMAIL;
  case STIX_OBS_MD5:
    return DETECT_IOC_MD5;
  case STIX_OBS_SHA1:
    return DETECT_IOC_SHA1;
  case STIX_OBS_SHA256:
    return DETECT_IOC_SHA256;
  case STIX_OBS_SHA512:
    return DETECT_IOC_SHA512;
  case STIX_OBS_OTHER:
    return DETECT_IOC_STRING;
  }
  return DETECT_IOC_STRING;
}

static int64_t time_of(const json_t *obj, const char *key, int64_t absent)
{
  const char *s = json_string_value(json_object_get(obj, key));
  int64_t ms;
  return s && !fs_time_parse_ms(s, strlen(s), &ms, NULL) ? ms : absent;
}

/* The anchors of a compound pattern as specs carrying it (p is taken over). */
static int compound_specs(struct stix_pattern *p, const char *text,
                          const struct detect_ioc_spec *base, detect_ioc_spec_fn fn, void *arg,
                          struct detect_stix_outcome *out, struct fs_err *err)
{
  struct detect_ioc_pattern *pat;
  struct fs_err e;
  int rc = detect_ioc_pattern_compile(p, text, strlen(text), &pat, &e);
  if (rc == FS_ERR_UNSUPPORTED || rc == FS_ERR_INVALID) {
    out->kind = DETECT_STIX_SKIPPED;
    snprintf(out->reason, sizeof(out->reason), "%s", e.msg);
    snprintf(out->reason_zh, sizeof(out->reason_zh), "%s", e.msg_zh);
    return FS_OK;
  }
  if (rc) {
    if (err)
      *err = e;
    return rc;
  }
  out->kind = DETECT_STIX_EVALUATED;
  const struct detect_ioc_anchor *a;
  size_t n = detect_ioc_pattern_anchors(pat, &a);
  for (size_t i = 0; !rc && i < n; i++) {
    struct detect_ioc_spec spec = *base;
    spec.type = a[i].type;
    spec.value = a[i].value;
    spec.value_len = a[i].len;
    spec.pattern = pat;
    rc = fn(arg, &spec);
  }
  detect_ioc_pattern_unref(pat); /* the index holds its own references */
  return rc;
}

int detect_ioc_specs_from_stix(const json_t *indicator, const struct detect_visibility *vis,
                               detect_ioc_spec_fn fn, void *arg, struct detect_stix_outcome *out,
                               struct fs_err *err)
{
  out->kind = DETECT_STIX_SIMPLE;
  out->reason[0] = out->reason_zh[0] = '\0';
  const char *id = json_string_value(json_object_get(indicator, "id"));
  const char *pattern = json_string_value(json_object_get(indicator, "pattern"));
  const char *ptype = json_string_value(json_object_get(indicator, "pattern_type"));
  if (!id || !pattern)
    return fs_err_set(err, FS_ERR_INVALID, id ? id : "object", "not an indicator with a pattern");
  if (ptype && strcmp(ptype, "stix")) {
    out->kind = DETECT_STIX_OTHER; /* Sigma, YARA, Snort...: not values for the index */
    fs_msg_format(out->reason, sizeof(out->reason), out->reason_zh, sizeof(out->reason_zh),
                  "pattern_type \"%.100s\" is not STIX patterning", ptype);
    return FS_OK;
  }
  /* An object without spec_version is STIX 2.0 content (a 2.1 SDO must have one): its pattern
   * may use what 2.0 wrote and the 2.1 grammar refuses. */
  struct stix_pattern_limits lim = {.stix20 = !json_object_get(indicator, "spec_version")};
  struct stix_pattern p;
  int rc = stix_pattern_parse(&p, pattern, strlen(pattern), &lim, err);
  if (rc) {
    fs_err_wrap_where(err, id);
    return rc;
  }
  struct stix_pattern_simple simple;
  rc = stix_pattern_extract(&p, 4096, &simple, err);
  if (!rc && simple.compound) {
    struct detect_ioc_spec base = {
        .valid_from = time_of(indicator, "valid_from", DETECT_TIME_NONE_FROM),
        .valid_until = time_of(indicator, "valid_until", DETECT_TIME_NONE_UNTIL),
        .revoked = json_is_true(json_object_get(indicator, "revoked")),
        .vis = vis,
        .source_id = id,
    };
    return compound_specs(&p, pattern, &base, fn, arg, out, err);
  }
  for (size_t i = 0; !rc && !simple.compound && i < simple.n; i++) {
    const struct stix_pattern_indicator *it = &simple.items[i];
    char value[2100];
    size_t len = it->len;
    if ((it->kind == STIX_OBS_IPV4 && it->prefix >= 0 && it->prefix < 32) ||
        (it->kind == STIX_OBS_IPV6 && it->prefix >= 0 && it->prefix < 128)) {
      /* The extractor gives the address and its prefix apart when the value was a block. */
      if (!memchr(it->value, '/', it->len)) {
        int n = snprintf(value, sizeof(value), "%.*s/%d", (int)it->len, it->value, it->prefix);
        len = n > 0 && (size_t)n < sizeof(value) ? (size_t)n : 0;
      } else {
        len = it->len < sizeof(value) ? it->len : 0;
        memcpy(value, it->value, len);
      }
    } else {
      len = it->len < sizeof(value) ? it->len : 0;
      memcpy(value, it->value, len);
    }
    if (!len)
      continue;
    struct detect_ioc_spec spec = {
        .type = (enum detect_ioc_type)kind_to_type(it->kind),
        .value = value,
        .value_len = len,
        .label = it->kind == STIX_OBS_OTHER ? it->sco_type : NULL,
        .valid_from = time_of(indicator, "valid_from", DETECT_TIME_NONE_FROM),
        .valid_until = time_of(indicator, "valid_until", DETECT_TIME_NONE_UNTIL),
        .revoked = json_is_true(json_object_get(indicator, "revoked")),
        .vis = vis,
        .source_id = id,
    };
    rc = fn(arg, &spec);
  }
  stix_pattern_release(&p);
  return rc;
}
