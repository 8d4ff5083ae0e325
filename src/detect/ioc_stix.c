/* STIX indicators to index specs, on intel's pattern parser. */
#include "detect/ioc_stix.h"

#include "core/time.h"
#include "intel/pattern.h"

#include <stdio.h>
#include <string.h>

static int kind_to_type(enum intel_observable k)
{
  switch (k) {
  case INTEL_OBS_IPV4:
    return DETECT_IOC_IPV4;
  case INTEL_OBS_IPV6:
    return DETECT_IOC_IPV6;
  case INTEL_OBS_DOMAIN:
    return DETECT_IOC_DOMAIN;
  case INTEL_OBS_URL:
    return DETECT_IOC_URL;
  case INTEL_OBS_EMAIL:
    return DETECT_IOC_EMAIL;
  case INTEL_OBS_MD5:
    return DETECT_IOC_MD5;
  case INTEL_OBS_SHA1:
    return DETECT_IOC_SHA1;
  case INTEL_OBS_SHA256:
    return DETECT_IOC_SHA256;
  case INTEL_OBS_SHA512:
    return DETECT_IOC_SHA512;
  case INTEL_OBS_OTHER:
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

int detect_ioc_specs_from_stix(const json_t *indicator, const struct detect_visibility *vis,
                               detect_ioc_spec_fn fn, void *arg, bool *compound,
                               struct fs_err *err)
{
  *compound = false;
  const char *id = json_string_value(json_object_get(indicator, "id"));
  const char *pattern = json_string_value(json_object_get(indicator, "pattern"));
  const char *ptype = json_string_value(json_object_get(indicator, "pattern_type"));
  if (!id || !pattern)
    return fs_err_set(err, FS_ERR_INVALID, id ? id : "object", "not an indicator with a pattern");
  if (ptype && strcmp(ptype, "stix")) {
    *compound = true; /* Sigma, YARA, Snort...: not values for the index */
    return FS_OK;
  }
  struct intel_pattern p;
  int rc = intel_pattern_parse(&p, pattern, strlen(pattern), NULL, err);
  if (rc) {
    fs_err_wrap_where(err, id);
    return rc;
  }
  struct intel_pattern_simple simple;
  rc = intel_pattern_extract(&p, 4096, &simple, err);
  if (!rc && simple.compound)
    *compound = true;
  for (size_t i = 0; !rc && !simple.compound && i < simple.n; i++) {
    const struct intel_pattern_indicator *it = &simple.items[i];
    char value[2100];
    size_t len = it->len;
    if ((it->kind == INTEL_OBS_IPV4 && it->prefix >= 0 && it->prefix < 32) ||
        (it->kind == INTEL_OBS_IPV6 && it->prefix >= 0 && it->prefix < 128)) {
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
        .label = it->kind == INTEL_OBS_OTHER ? it->sco_type : NULL,
        .valid_from = time_of(indicator, "valid_from", DETECT_TIME_NONE_FROM),
        .valid_until = time_of(indicator, "valid_until", DETECT_TIME_NONE_UNTIL),
        .revoked = json_is_true(json_object_get(indicator, "revoked")),
        .vis = vis,
        .source_id = id,
    };
    rc = fn(arg, &spec);
  }
  intel_pattern_release(&p);
  return rc;
}
