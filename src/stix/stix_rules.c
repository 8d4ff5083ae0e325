/* The co-constraints of each STIX type that a property table cannot say: time order, "one of",
 * "not both", value syntaxes (IP, MAC, URL, domain), indicator patterns, marking definitions. */
#include "stix/pattern.h"
#include "stix/stix_int.h"
#include "stix/tlp.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Reports at `later` when it is not after (strict) or not at/after `earlier`. */
static void time_order(struct vctx *v, const json_t *o, const char *earlier, const char *later,
                       bool strict)
{
  const char *a = stix_str(o, earlier), *b = stix_str(o, later);
  if (!a || !b || !stix_timestamp_valid(a, strlen(a), NULL) ||
      !stix_timestamp_valid(b, strlen(b), NULL))
    return;
  int c = stix_timestamp_cmp(b, a);
  if (strict ? c <= 0 : c < 0) {
    size_t old = v_push(v, later);
    v_error(v, strict ? "must be later than %s" : "must be later than or equal to %s", earlier);
    v_pop(v, old);
  }
}

static bool has(const json_t *o, const char *key)
{
  return json_object_get(o, key) != NULL;
}

static void at_prop(struct vctx *v, const char *prop, const char *msg)
{
  size_t old = v_push(v, prop);
  v_error(v, "%s", msg);
  v_pop(v, old);
}

void rule_first_last_seen(struct vctx *v, const json_t *o)
{
  time_order(v, o, "first_seen", "last_seen", false);
}

void rule_indicator(struct vctx *v, const json_t *o)
{
  time_order(v, o, "valid_from", "valid_until", true);
  const char *type = stix_str(o, "pattern_type");
  const json_t *pat = json_object_get(o, "pattern");
  if (!type || strcmp(type, "stix") || !json_is_string(pat))
    return;
  size_t len = json_string_length(pat);
  size_t old = v_push(v, "pattern");
  if (len > v->lim->max_pattern) {
    v_error(v, "pattern longer than %zu bytes", v->lim->max_pattern);
  } else {
    struct stix_pattern p;
    struct fs_err err;
    struct stix_pattern_limits pl = {.max_len = v->lim->max_pattern};
    if (stix_pattern_parse(&p, json_string_value(pat), len, &pl, &err)) {
      v_error(v, "%s at %s", err.msg, err.where); /* p is empty */
    } else if (stix_pattern_check_names(&p, &err)) {
      v_error(v, "%s at %s", err.msg, err.where);
      stix_pattern_release(&p);
    } else if (v->pattern && !v->pattern_kept) {
      *v->pattern = p; /* handed over: the store indexes the values it names */
      v->pattern_kept = true;
    } else {
      stix_pattern_release(&p);
    }
  }
  v_pop(v, old);
}

void rule_location(struct vctx *v, const json_t *o)
{
  bool lat = has(o, "latitude"), lon = has(o, "longitude");
  if (!has(o, "region") && !has(o, "country") && !(lat && lon))
    v_error(v, "a location needs region, country, or latitude and longitude");
  if (lat != lon)
    at_prop(v, lat ? "longitude" : "latitude", "latitude and longitude go together");
  if (has(o, "precision") && !(lat && lon))
    at_prop(v, "precision", "needs latitude and longitude");
}

void rule_malware(struct vctx *v, const json_t *o)
{
  if (json_is_true(json_object_get(o, "is_family")) && !has(o, "name"))
    at_prop(v, "name", "is required for a malware family");
  rule_first_last_seen(v, o);
}

void rule_malware_analysis(struct vctx *v, const json_t *o)
{
  if (!has(o, "result") && !has(o, "analysis_sco_refs"))
    v_error(v, "one of result and analysis_sco_refs must be present");
}

void rule_observed_data(struct vctx *v, const json_t *o)
{
  time_order(v, o, "first_observed", "last_observed", false);
  const json_t *objects = json_object_get(o, "objects"), *refs = json_object_get(o, "object_refs");
  if (!!objects == !!refs)
    v_error(v, "exactly one of objects and object_refs must be present");
  if (objects) {
    size_t old = v_push(v, "objects");
    v_warn(v, "the observable container is deprecated; use object_refs");
    const char *k;
    const json_t *x;
    json_object_foreach(JSON_MUT(objects), k, x)
    {
      size_t o2 = v_push(v, k);
      if (!json_is_object(x) || !json_is_string(json_object_get(x, "type")))
        v_error(v, "must be a cyber-observable object with a type");
      v_pop(v, o2);
    }
    v_pop(v, old);
  }
  if (json_is_array(refs)) {
    bool sco = false;
    size_t i;
    const json_t *r;
    json_array_foreach(refs, i, r)
    {
      size_t tl;
      const char *s = json_string_value(r);
      if (s && stix_id_valid(s, strlen(s), &tl)) {
        enum stix_kind k = stix_ref_kind(s, tl);
        sco = sco || k == STIX_SCO || k == STIX_UNKNOWN;
      }
    }
    if (!sco)
      at_prop(v, "object_refs", "must contain at least one SCO reference");
  }
}

void rule_relationship(struct vctx *v, const json_t *o)
{
  const char *rt = stix_str(o, "relationship_type");
  if (rt) {
    bool ok = *rt != '\0';
    for (const char *p = rt; *p && ok; p++)
      ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-';
    if (!ok)
      at_prop(v, "relationship_type", "must be ASCII of [a-z0-9-]");
  }
  time_order(v, o, "start_time", "stop_time", true);
}

void rule_sighting(struct vctx *v, const json_t *o)
{
  rule_first_last_seen(v, o);
}

/* Checks external references with source_name `source` against "<PREFIX>-<digits>[-<digits>]". */
static void external_ids(struct vctx *v, const json_t *o, const char *source, bool cve)
{
  const json_t *refs = json_object_get(o, "external_references");
  size_t i;
  const json_t *r;
  json_array_foreach(refs, i, r)
  {
    const char *sn = stix_str(r, "source_name"), *eid = stix_str(r, "external_id");
    if (!sn || strcmp(sn, source) || !eid)
      continue;
    const char *p = eid + 4;
    bool ok = !strncmp(eid, cve ? "CVE-" : "CAPEC-", cve ? 4 : 6);
    if (!cve)
      p = eid + 6;
    size_t digits = 0;
    if (ok && cve) {
      while (*p >= '0' && *p <= '9' && digits < 5)
        p++, digits++;
      ok = digits == 4 && *p++ == '-';
      digits = 0;
    }
    while (ok && *p >= '0' && *p <= '9')
      p++, digits++;
    ok = ok && *p == '\0' && digits >= (cve ? 4u : 1u);
    if (!ok) {
      size_t old = v_push(v, "external_references");
      size_t o2 = v_push_index(v, i);
      size_t o3 = v_push(v, "external_id");
      v_error(v, "must be formatted as %s", cve ? "CVE-YYYY-NNNN" : "CAPEC-[id]");
      v_pop(v, o3);
      v_pop(v, o2);
      v_pop(v, old);
    }
  }
}

void rule_attack_pattern(struct vctx *v, const json_t *o)
{
  external_ids(v, o, "capec", false);
}

void rule_vulnerability(struct vctx *v, const json_t *o)
{
  external_ids(v, o, "cve", true);
}

void rule_marking_definition(struct vctx *v, const json_t *o)
{
  const json_t *exts = json_object_get(o, "extensions");
  const char *dt = stix_str(o, "definition_type");
  const json_t *def = json_object_get(o, "definition");
  if (!exts) {
    if (!json_object_get(o, "definition_type"))
      at_prop(v, "definition_type", "required when there are no extensions");
    if (!def)
      at_prop(v, "definition", "required when there are no extensions");
  }
  if (def && !dt)
    at_prop(v, "definition_type", "required with definition");
  if (dt && json_is_object(def) && !strcmp(dt, "statement")) {
    const json_t *st = json_object_get(def, "statement");
    if (!json_is_string(st))
      at_prop(v, "definition", "a statement marking needs a \"statement\" string");
  }
  /* TLP: only the standard marking definitions may exist (spec 7.2.1.4, TLP 2.0 extension). */
  struct stix_marking m;
  struct fs_err err;
  if (stix_marking_parse(o, &m, &err))
    v_error(v, "%s", err.msg);
}

void rule_extension_definition(struct vctx *v, const json_t *o)
{
  if (!has(o, "extension_properties"))
    return;
  const json_t *types = json_object_get(o, "extension_types");
  size_t i;
  const json_t *t;
  json_array_foreach(types, i,
                     t) if (json_is_string(t) &&
                            !strcmp(json_string_value(t), "toplevel-property-extension")) return;
  at_prop(v, "extension_properties",
          "only allowed when extension_types includes toplevel-property-extension");
}

void rule_language_content(struct vctx *v, const json_t *o)
{
  const json_t *contents = json_object_get(o, "contents");
  const char *k;
  const json_t *x;
  if (!json_is_object(contents))
    return;
  json_object_foreach(JSON_MUT(contents), k, x)
  {
    size_t old = v_push(v, "contents");
    size_t o2 = v_push(v, k);
    if (!json_is_object(x))
      v_error(v, "must be an object mirroring the translated properties");
    v_pop(v, o2);
    v_pop(v, old);
  }
}

void rule_artifact(struct vctx *v, const json_t *o)
{
  bool payload = has(o, "payload_bin"), url = has(o, "url");
  if (payload == url)
    v_error(v, "exactly one of payload_bin and url must be present");
  if (url && !has(o, "hashes"))
    at_prop(v, "hashes", "required when url is present");
  if (has(o, "decryption_key") && !has(o, "encryption_algorithm"))
    at_prop(v, "decryption_key", "must not be present without encryption_algorithm");
}

void rule_email_message(struct vctx *v, const json_t *o)
{
  const json_t *mp = json_object_get(o, "is_multipart");
  if (json_is_true(mp) && has(o, "body"))
    at_prop(v, "body", "must not be used when is_multipart is true");
  if (json_is_false(mp) && has(o, "body_multipart"))
    at_prop(v, "body_multipart", "must not be used when is_multipart is false");
}

void rule_mime_part(struct vctx *v, const json_t *o)
{
  if (!has(o, "body") && !has(o, "body_raw_ref"))
    v_error(v, "one of body and body_raw_ref must be present");
}

void rule_file(struct vctx *v, const json_t *o)
{
  if (!has(o, "hashes") && !has(o, "name"))
    v_error(v, "a file needs at least one of hashes and name");
}

static void ip_value(struct vctx *v, const json_t *o, int family)
{
  const json_t *val = json_object_get(o, "value");
  if (json_is_string(val) &&
      !stix_ip_cidr_valid(json_string_value(val), json_string_length(val), family))
    at_prop(v, "value",
            family == 4 ? "must be an IPv4 address or CIDR block"
                        : "must be an IPv6 address or CIDR block");
}

void rule_ipv4(struct vctx *v, const json_t *o)
{
  ip_value(v, o, 4);
}

void rule_ipv6(struct vctx *v, const json_t *o)
{
  ip_value(v, o, 6);
}

void rule_mac(struct vctx *v, const json_t *o)
{
  const char *s = stix_str(o, "value");
  if (!s)
    return;
  bool ok = strlen(s) == 17;
  for (size_t i = 0; ok && i < 17; i++)
    ok = i % 3 == 2 ? s[i] == ':' : ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'));
  if (!ok)
    at_prop(v, "value", "must be a lower-case, colon-delimited MAC-48 address");
}

void rule_network_traffic(struct vctx *v, const json_t *o)
{
  if (!has(o, "src_ref") && !has(o, "dst_ref"))
    v_error(v, "network traffic needs at least one of src_ref and dst_ref");
  time_order(v, o, "start", "end", false);
  if (json_is_true(json_object_get(o, "is_active")) && has(o, "end"))
    at_prop(v, "end", "must not be present when is_active is true");
}

void rule_process(struct vctx *v, const json_t *o)
{
  static const char *const own[] = {"is_hidden",
                                    "pid",
                                    "created_time",
                                    "cwd",
                                    "command_line",
                                    "environment_variables",
                                    "opened_connection_refs",
                                    "creator_user_ref",
                                    "image_ref",
                                    "parent_ref",
                                    "child_refs",
                                    "extensions",
                                    NULL};
  for (const char *const *p = own; *p; p++)
    if (has(o, *p))
      return;
  v_error(v, "a process needs at least one of its properties or an extension");
}

void rule_url(struct vctx *v, const json_t *o)
{
  const char *s = stix_str(o, "value");
  if (!s)
    return;
  /* RFC 3986: scheme ":" ..., no whitespace or control characters. */
  size_t i = 0;
  bool ok = (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z');
  while (ok && s[i] && s[i] != ':') {
    char c = s[i++];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '-' || c == '.';
  }
  ok = ok && s[i] == ':';
  for (; ok && s[i]; i++)
    ok = (unsigned char)s[i] > 0x20 && s[i] != 0x7f;
  if (!ok)
    at_prop(v, "value", "must be a URL (RFC 3986): scheme \":\" and no spaces");
}

void rule_registry_key(struct vctx *v, const json_t *o)
{
  static const char *const short_hives[] = {"HKLM", "HKCU", "HKCR", "HKU", "HKCC", NULL};
  const char *key = stix_str(o, "key");
  if (!key)
    return;
  size_t n = strcspn(key, "\\");
  for (const char *const *h = short_hives; *h; h++)
    if (strlen(*h) == n && !strncasecmp(key, *h, n))
      at_prop(v, "key", "the hive must be written out in full (HKEY_LOCAL_MACHINE, not HKLM)");
}

void rule_domain_name(struct vctx *v, const json_t *o)
{
  const char *s = stix_str(o, "value");
  if (!s)
    return;
  size_t total = strlen(s), label = 0;
  bool ok = total > 0 && total <= 253 && s[0] != '.';
  for (size_t i = 0; ok && i < total; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '.') {
      ok = label > 0;
      label = 0;
      continue;
    }
    label++;
    ok = label <= 63 && (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_');
  }
  if (!ok)
    at_prop(v, "value", "must be a domain name (RFC 1034 labels of at most 63 bytes)");
}

void rule_pe_binary(struct vctx *v, const json_t *o)
{
  if (json_object_size(o) - has(o, "pe_type") == 0)
    v_error(v, "needs at least one property besides pe_type");
}
