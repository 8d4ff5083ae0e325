/* Names of categories, states and observable types, the pure parser of report and update
 * bodies (shared by the API and the CLI), indicator checks and STIX patterns, and the settings
 * loaded at start-up. */
#include "incident/incident.h"

#include "auth/org.h"
#include "core/jsonx.h"
#include "stix/tlp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

const char *const incident_category_names[] = {
#define INCIDENT_X_NAME(id, name, en, zh) name,
    INCIDENT_CATEGORY_MAP(INCIDENT_X_NAME)
#undef INCIDENT_X_NAME
        NULL,
};
static const char *const category_en[] = {
#define INCIDENT_X_EN(id, name, en, zh) en,
    INCIDENT_CATEGORY_MAP(INCIDENT_X_EN)
#undef INCIDENT_X_EN
};
static const char *const category_zh[] = {
#define INCIDENT_X_ZH(id, name, en, zh) zh,
    INCIDENT_CATEGORY_MAP(INCIDENT_X_ZH)
#undef INCIDENT_X_ZH
};

const char *incident_category_label(int category, bool zh)
{
  if (category < 0 || category >= INCIDENT_CAT__COUNT)
    return "?";
  return zh ? category_zh[category] : category_en[category];
}

const char *const incident_status_names[] = {"draft",     "reported",   "triaged",
                                             "contained", "eradicated", "recovered",
                                             "closed",    "merged",     NULL};
const char *const incident_observable_types[] = {"ipv4-addr", "ipv6-addr",  "domain-name",
                                                 "url",       "email-addr", "file-sha256",
                                                 "file-sha1", "file-md5",   NULL};
const char *const incident_report_parts[] = {"times",         "scope",      "damage_control",
                                             "investigation", "root_cause", "preventive_measures",
                                             "follow_up",     NULL};

void incident_input_init(struct incident_input *in)
{
  memset(in, 0, sizeof(*in));
  in->category = -1;
  in->tlp = TLP_NONE;
}

static bool all_hex(const char *s, size_t n)
{
  if (strlen(s) != n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
          (s[i] >= 'A' && s[i] <= 'F')))
      return false;
  return true;
}

static bool domain_ok(const char *s)
{
  size_t n = strlen(s), label = 0;
  if (n < 3 || n > 253 || !strchr(s, '.') || s[0] == '.' || s[n - 1] == '.')
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '.') {
      if (label == 0)
        return false;
      label = 0;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_') ||
        ++label > 63)
      return false;
  }
  return true;
}

int incident_indicator_check(int type, const char *v, struct fs_err *err)
{
  unsigned char addr[16];
  bool ok = false;
  const char *what = "";
  switch (type) {
  case 0:
    ok = inet_pton(AF_INET, v, addr) == 1;
    what = "an IPv4 address";
    break;
  case 1:
    ok = inet_pton(AF_INET6, v, addr) == 1;
    what = "an IPv6 address";
    break;
  case 2:
    ok = domain_ok(v);
    what = "a domain name";
    break;
  case 3:
    ok = (!strncmp(v, "http://", 7) || !strncmp(v, "https://", 8)) && strlen(v) > 10 &&
         !strpbrk(v, " \t\r\n");
    what = "an http(s) URL";
    break;
  case 4: {
    const char *at = strchr(v, '@');
    ok = at && at > v && domain_ok(at + 1) && !strpbrk(v, " \t\r\n");
    what = "an e-mail address";
    break;
  }
  case 5:
    ok = all_hex(v, 64);
    what = "64 hex digits";
    break;
  case 6:
    ok = all_hex(v, 40);
    what = "40 hex digits";
    break;
  case 7:
    ok = all_hex(v, 32);
    what = "32 hex digits";
    break;
  default:
    return fs_err_set(err, FS_ERR_INVALID, "type", "unknown observable type");
  }
  if (!ok)
    return fs_err_set(err, FS_ERR_INVALID, "value", "\"%.80s\" is not %s", v, what);
  return FS_OK;
}

int incident_indicator_pattern(int type, const char *value, char *out, size_t n)
{
  static const char *const paths[] = {
      "ipv4-addr:value",  "ipv6-addr:value",       "domain-name:value",   "url:value",
      "email-addr:value", "file:hashes.'SHA-256'", "file:hashes.'SHA-1'", "file:hashes.MD5"};
  if (type < 0 || type >= (int)FS_ARRAY_SIZE(paths))
    return FS_ERR_INVALID;
  /* STIX string literals escape ' and \ with a backslash. */
  char esc[1100];
  size_t k = 0;
  for (const char *p = value; *p && k + 2 < sizeof(esc); p++) {
    if (*p == '\'' || *p == '\\')
      esc[k++] = '\\';
    esc[k++] = *p;
  }
  esc[k] = '\0';
  int w = snprintf(out, n, "[%s = '%s']", paths[type], esc);
  return w < 0 || (size_t)w >= n ? FS_ERR_TOO_LARGE : FS_OK;
}

/* Rewrites err->where ("$.value") as "$.indicators[i].value". */
static void nest_where(struct fs_err *err, const char *prefix)
{
  if (!err)
    return;
  char where[sizeof(err->where)];
  const char *rest = err->where[0] == '$' ? err->where + 1 : err->where;
  snprintf(where, sizeof(where), "%s%s%s", prefix, rest[0] && rest[0] != '.' ? "." : "", rest);
  memcpy(err->where, where, sizeof(where));
}

static int parse_indicators(json_t *arr, struct incident_input *out, struct fs_err *err)
{
  static const char *const keys[] = {"type", "value", "internal", "note", NULL};
  if (!json_is_array(arr))
    return fs_err_set(err, FS_ERR_INVALID, "$.indicators", "field \"indicators\" must be an array");
  if (json_array_size(arr) > INCIDENT_MAX_INDICATORS)
    return fs_err_set(err, FS_ERR_INVALID, "$.indicators", "at most %d indicators",
                      INCIDENT_MAX_INDICATORS);
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o)
  {
    char path[48];
    snprintf(path, sizeof(path), "$.indicators[%zu]", i);
    struct incident_indicator *ind = &out->indicators[i];
    memset(ind, 0, sizeof(*ind));
    if (!json_is_object(o))
      return fs_err_set(err, FS_ERR_INVALID, path, "each indicator must be an object");
    int rc = jsonx_only_keys(o, keys, "$", err);
    if (!rc)
      rc = jsonx_enum(o, "type", JSONX_REQUIRED, incident_observable_types, &ind->type, err);
    if (!rc)
      rc = jsonx_string(o, "value", JSONX_REQUIRED, 1000, &ind->value, err);
    if (!rc)
      rc = jsonx_bool(o, "internal", 0, &ind->internal, NULL, err);
    if (!rc)
      rc = jsonx_string(o, "note", JSONX_NULLABLE, 500, &ind->note, err);
    if (!rc)
      rc = incident_indicator_check(ind->type, ind->value, err);
    if (rc) {
      nest_where(err, path);
      return rc;
    }
  }
  out->nindicators = json_array_size(arr);
  return FS_OK;
}

static int parse_impact(json_t *o, struct incident_impact *imp, struct fs_err *err)
{
  static const char *const keys[] = {"system_class", "data_class",   "confidentiality",
                                     "integrity",    "availability", NULL};
  if (!json_is_object(o))
    return fs_err_set(err, FS_ERR_INVALID, "$.impact", "field \"impact\" must be an object");
  int rc = jsonx_only_keys(o, keys, "$", err);
  if (!rc)
    rc = jsonx_enum(o, "system_class", JSONX_REQUIRED, incident_class_names, &imp->system_class,
                    err);
  if (!rc)
    rc = jsonx_enum(o, "data_class", JSONX_NULLABLE, incident_class_names, &imp->data_class, err);
  if (!rc)
    rc = jsonx_enum(o, "confidentiality", JSONX_REQUIRED, incident_severity_names,
                    &imp->confidentiality, err);
  if (!rc)
    rc = jsonx_enum(o, "integrity", JSONX_REQUIRED, incident_severity_names, &imp->integrity, err);
  if (!rc)
    rc = jsonx_enum(o, "availability", JSONX_REQUIRED, incident_availability_names,
                    &imp->availability, err);
  if (rc) {
    nest_where(err, "$.impact");
    return rc;
  }
  return incident_impact_check(imp, err);
}

static int parse_services(json_t *arr, struct fs_err *err)
{
  if (!json_is_array(arr))
    return fs_err_set(err, FS_ERR_INVALID, "$.services", "field \"services\" must be an array");
  if (json_array_size(arr) > INCIDENT_MAX_SERVICES)
    return fs_err_set(err, FS_ERR_INVALID, "$.services", "at most %d services",
                      INCIDENT_MAX_SERVICES);
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v)
  {
    char path[40];
    snprintf(path, sizeof(path), "$.services[%zu]", i);
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 200)
      return fs_err_set(err, FS_ERR_INVALID, path, "each service is a string of 1..200 bytes");
    for (const char *p = json_string_value(v); *p; p++)
      if ((unsigned char)*p < 0x20)
        return fs_err_set(err, FS_ERR_INVALID, path, "control character in a service name");
  }
  return FS_OK;
}

int incident_input_from_json(json_t *body, bool update, struct incident_input *out,
                             struct fs_err *err)
{
  static const char *const keys[] = {"org",      "title",         "description", "discovered_at",
                                     "category", "services",      "impact",      "indicators",
                                     "tlp",      "hide_reporter", "version",     NULL};
  incident_input_init(out);
  if (!json_is_object(body))
    return fs_err_set(err, FS_ERR_INVALID, "$", "expected a JSON object");
  unsigned req = update ? 0 : JSONX_REQUIRED;
  int rc = jsonx_only_keys(body, keys, "$", err);
  if (!rc && !update)
    rc = jsonx_string(body, "org", JSONX_NULLABLE, 64, &out->org, err);
  else if (!rc && json_object_get(body, "org"))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.org", "the reporting organisation cannot change");
  if (!rc)
    rc = jsonx_string(body, "title", req, 200, &out->title, err);
  if (!rc && out->title && !*out->title)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.title", "field \"title\" must not be empty");
  if (!rc)
    rc = jsonx_string(body, "description", JSONX_MULTILINE, 20000, &out->description, err);
  if (!rc)
    rc = jsonx_time(body, "discovered_at", req, &out->discovered_at, &out->has_discovered, err);
  if (!rc)
    rc = jsonx_enum(body, "category", req, incident_category_names, &out->category, err);
  if (!rc && (out->services = json_object_get(body, "services")))
    rc = parse_services(out->services, err);
  json_t *imp = json_object_get(body, "impact");
  if (!rc && !imp && !update)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.impact", "missing required field \"impact\"");
  if (!rc && imp) {
    out->has_impact = true;
    out->impact.data_class = -1;
    rc = parse_impact(imp, &out->impact, err);
  }
  if (!rc && (out->indicators_json = json_object_get(body, "indicators")))
    rc = parse_indicators(out->indicators_json, out, err);
  if (!rc)
    rc = stix_tlp_json(body, "tlp", 0, &out->tlp, err);
  if (!rc)
    rc = jsonx_bool(body, "hide_reporter", 0, &out->hide_reporter, &out->has_hide_reporter, err);
  if (!rc)
    rc = jsonx_int(body, "version", 0, 1, INT64_MAX, &out->version, &out->has_version, err);
  return rc;
}

int incident_env_settings(struct incident_env *env, const struct fs_config *cfg, struct fs_err *err)
{
  memset(env, 0, sizeof(*env));
  incident_policy_defaults(&env->policy);
  if (fs_config_path(cfg, cfg->incident_policy_file, env->policy_path, sizeof(env->policy_path)) ||
      fs_config_path(cfg, cfg->incident_evidence_dir, env->evidence_dir, sizeof(env->evidence_dir)))
    return fs_err_set(err, FS_ERR_INVALID, "[incident]", "path too long");
  env->max_evidence_bytes = cfg->incident_max_evidence_bytes;
  snprintf(env->smtp_url, sizeof(env->smtp_url), "%s", cfg->notify_smtp_url);
  snprintf(env->smtp_from, sizeof(env->smtp_from), "%s", cfg->notify_smtp_from);
  snprintf(env->hub_email, sizeof(env->hub_email), "%s", cfg->notify_hub_email);
  snprintf(env->webhook_url, sizeof(env->webhook_url), "%s", cfg->notify_webhook_url);
  snprintf(env->webhook_secret, sizeof(env->webhook_secret), "%s", cfg->notify_webhook_secret);
  snprintf(env->hub_name, sizeof(env->hub_name), "%s", cfg->hub_name);
  env->max_attempts = cfg->notify_max_attempts;
  env->retry_base_s = cfg->notify_retry_base_s;
  env->worker_interval_ms = cfg->incident_worker_interval_ms;
  return FS_OK;
}

int incident_env_load(struct incident_env *env, const struct fs_config *cfg, struct fs_err *err)
{
  int rc = incident_env_settings(env, cfg, err);
  return rc ? rc : incident_policy_load(env->policy_path, org_industry_names, &env->policy, err);
}
