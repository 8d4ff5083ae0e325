/* Drill evidence intake and the drill status of services. */
#include "resilience/drill.h"

#include "auth/org.h"
#include "auth/policy.h"
#include "core/encode.h"
#include "core/i18n.h"
#include "core/jsonx.h"
#include "core/signed.h"
#include "core/time.h"
#include "resilience/defs.h"
#include "resilience/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A signature that does not verify is bad input, not a failure of the hub's cryptography. */
static int as_invalid(int rc, struct fs_err *err)
{
  if (rc != FS_ERR_CRYPTO)
    return rc;
  return fs_err_copy(err, err, FS_ERR_INVALID, NULL);
}

static const char *str(const json_t *o, const char *k)
{
  return json_string_value(json_object_get(o, k));
}

/* ---- finding the registered key and the service ------------------------------------------- */

struct key_find {
  const char *pk_hex;
  char name[80];
  char repository[80];
  bool found, revoked;
};

static int key_row(const char *id, int64_t version, const json_t *f, void *ctx, struct fs_err *err)
{
  struct key_find *k = ctx;
  const char *pk = str(f, "public_key");
  if (!pk || strcasecmp(pk, k->pk_hex))
    return FS_OK;
  /* An unrevoked registration of the key wins over a revoked one. */
  if (k->found && !k->revoked)
    return FS_OK;
  k->found = true;
  k->revoked = json_is_true(json_object_get(f, "revoked"));
  snprintf(k->name, sizeof(k->name), "%s", str(f, "name") ? str(f, "name") : "");
  snprintf(k->repository, sizeof(k->repository), "%s",
           str(f, "repository") ? str(f, "repository") : "");
  return FS_OK;
}

struct service_find {
  const char *code;
  json_t *fields; /* copy when found */
  char id[37];
};

static int service_row(const char *id, int64_t version, const json_t *f, void *ctx,
                       struct fs_err *err)
{
  struct service_find *s = ctx;
  if (!s->fields && str(f, "code") && !strcmp(str(f, "code"), s->code)) {
    s->fields = json_deep_copy(f);
    snprintf(s->id, sizeof(s->id), "%s", id);
  }
  return FS_OK;
}

/* ---- checks ------------------------------------------------------------------------------- */

static int need_str(const json_t *ev, const char *k, struct fs_err *err)
{
  if (!str(ev, k) || !*str(ev, k)) {
    char where[64];
    snprintf(where, sizeof(where), "evidence.%s", k);
    return fs_err_set(err, FS_ERR_INVALID, where, "the drill record has no %s", k);
  }
  return FS_OK;
}

static int check_form(const json_t *ev, struct fs_err *err)
{
  if (!json_is_object(ev))
    return fs_err_set(err, FS_ERR_INVALID, "evidence", "give the signed drill record as an object");
  if (!str(ev, "type") || strcmp(str(ev, "type"), "finshield-vault-restore-drill"))
    return fs_err_set(err, FS_ERR_INVALID, "evidence.type",
                      "is not finshield-vault-restore-drill: this is not a restore-drill record");
  if (json_integer_value(json_object_get(ev, "version")) != 2)
    return fs_err_set(
        err, FS_ERR_INVALID, "evidence.version",
        "only version 2 drill records are accepted (finshield vault drill since 2026-12)");
  static const char *const need[] = {"repository", "snapshot", "started_at", "result", NULL};
  for (size_t i = 0; need[i]; i++) {
    int rc = need_str(ev, need[i], err);
    if (rc)
      return rc;
  }
  if (!json_is_number(json_object_get(ev, "restore_seconds")) ||
      json_number_value(json_object_get(ev, "restore_seconds")) < 0)
    return fs_err_set(err, FS_ERR_INVALID, "evidence.restore_seconds",
                      "the drill record has no measured restore time");
  return FS_OK;
}

static int check_attestation(const json_t *att, const json_t *ev, const uint8_t pk[32],
                             struct fs_err *err)
{
  if (!json_is_object(att))
    return fs_err_set(err, FS_ERR_INVALID, "attestation",
                      "give the deposit attestation as an object");
  if (!str(att, "type") || strcmp(str(att, "type"), "finshield-vault-deposit-attestation"))
    return fs_err_set(err, FS_ERR_INVALID, "attestation.type", "is not a deposit attestation");
  uint8_t apk[32];
  int rc = fs_signed_check(att, apk, err);
  if (rc) {
    fs_err_wrap_where(err, "attestation");
    return as_invalid(rc, err);
  }
  if (memcmp(apk, pk, 32))
    return fs_err_set(err, FS_ERR_INVALID, "attestation.public_key",
                      "the attestation is signed by another key than the drill record");
  static const char *const same[] = {"repository", "snapshot", "institution", "business_date",
                                     NULL};
  for (size_t i = 0; same[i]; i++) {
    const char *a = str(att, same[i]), *e = str(ev, same[i]);
    if (!a || !e || strcmp(a, e)) {
      char where[64];
      snprintf(where, sizeof(where), "attestation.%s", same[i]);
      return fs_err_set(err, FS_ERR_INVALID, where,
                        "the attestation is for %s \"%.80s\", the drill restored \"%.80s\"",
                        same[i], a ? a : "", e ? e : "");
    }
  }
  return FS_OK;
}

int resil_drill_submit(struct store_conn *c, const struct actor *who, json_t *upload, json_t **out,
                       struct fs_err *err)
{
  static const char *const keys[] = {"service", "evidence", "attestation", NULL};
  *out = NULL;
  int rc = jsonx_only_keys(upload, keys, "$", err);
  const char *service = NULL;
  if (!rc)
    rc = jsonx_string(upload, "service", JSONX_REQUIRED, 64, &service, err);
  const json_t *ev = json_object_get(upload, "evidence");
  const json_t *att = json_object_get(upload, "attestation");
  if (!rc)
    rc = check_form(ev, err);
  uint8_t pk[32];
  if (!rc && (rc = fs_signed_check(ev, pk, err))) {
    fs_err_wrap_where(err, "evidence");
    rc = as_invalid(rc, err);
  }
  if (rc)
    return rc;
  if (!who->org_id[0])
    return fs_err_set(err, FS_ERR_INVALID, "evidence",
                      "drill evidence is uploaded by a member institution's token");
  char org_id[37];
  snprintf(org_id, sizeof(org_id), "%s", who->org_id);
  struct policy_target t = {
      .org_id = org_id, .role = -1, .rel = reg_policy_rel(&reg_drill_evidence)};
  if ((rc = policy_check(who, POLICY_REGISTER_WRITE, &t, "drill evidence of this organisation",
                         err)))
    return rc;
  /* The key must be the organisation's, registered and not revoked. */
  char pk_hex[65];
  fs_hex_encode(pk, 32, pk_hex);
  struct key_find k = {.pk_hex = pk_hex};
  if ((rc = reg_scan(c, &reg_vault_keys, org_id, 0, key_row, &k, err)))
    return rc;
  if (!k.found)
    return fs_err_set(err, FS_ERR_INVALID, "evidence.public_key",
                      "the record is signed by vault key %.16s..., which this organisation has not "
                      "registered: add it to the vault-keys register first",
                      pk_hex);
  if (k.revoked)
    return fs_err_set(err, FS_ERR_INVALID, "evidence.public_key",
                      "the record is signed by vault key %s, which this organisation revoked",
                      k.name);
  if (k.repository[0] && strcmp(k.repository, str(ev, "repository")))
    return fs_err_set(err, FS_ERR_INVALID, "evidence.repository",
                      "key %s is registered for repository %s, the drill ran on %.64s", k.name,
                      k.repository, str(ev, "repository"));
  if (att && !json_is_null(att) && (rc = check_attestation(att, ev, pk, err)))
    return rc;
  /* The service and its clocks. */
  struct service_find sf = {.code = service};
  if ((rc = reg_scan(c, &reg_bcm_services, org_id, 0, service_row, &sf, err)))
    return rc;
  if (!sf.fields)
    return fs_err_set(err, FS_ERR_NOT_FOUND, "service",
                      "the organisation has no core business service \"%.64s\" in bcm-services",
                      service);
  int64_t started;
  const char *st = str(ev, "started_at");
  if (fs_time_parse_ms(st, strlen(st), &started, NULL))
    rc = fs_err_set(err, FS_ERR_INVALID, "evidence.started_at", "is not an RFC 3339 time");
  else if (started > who->now_ms + 5 * 60000)
    rc = fs_err_set(err, FS_ERR_INVALID, "evidence.started_at",
                    "the drill started in the future (%s)", st);
  double secs = json_number_value(json_object_get(ev, "restore_seconds"));
  double rto = reg_num(sf.fields, "rto_hours", 0), mtpd = reg_num(sf.fields, "mtpd_hours", 0);
  bool vault_ok = !strcmp(str(ev, "result"), "pass");
  char reason[300], reason_zh[450]; /* the verdict's reason in both languages */
  const char *verdict = "fail";
  if (!vault_ok && str(ev, "failure"))
    fs_msg_format(reason, sizeof(reason), reason_zh, sizeof(reason_zh),
                  "the restore failed: %.200s", str(ev, "failure"));
  else if (!vault_ok)
    fs_msg_format(reason, sizeof(reason), reason_zh, sizeof(reason_zh),
                  "the restore failed: the vault reported a failure");
  else if (secs > mtpd * 3600)
    fs_msg_format(reason, sizeof(reason), reason_zh, sizeof(reason_zh),
                  "restored in %.3f s, longer than the MTPD of %g h", secs, mtpd);
  else if (secs > rto * 3600)
    fs_msg_format(reason, sizeof(reason), reason_zh, sizeof(reason_zh),
                  "restored in %.3f s, longer than the RTO of %g h", secs, rto);
  else {
    verdict = "pass";
    fs_msg_format(reason, sizeof(reason), reason_zh, sizeof(reason_zh),
                  "restored in %.3f s, within the RTO of %g h and the MTPD of %g h", secs, rto,
                  mtpd);
  }
  char *text = json_dumps(ev, JSON_SORT_KEYS | JSON_COMPACT | FS_SIGNED_JSON_REALS);
  char date[11], eid[33];
  reg_date_of_ms(started, date);
  snprintf(eid, sizeof(eid), "%.32s", str(ev, "signature"));
  for (char *p = eid; *p; p++)
    if (*p >= 'A' && *p <= 'F')
      *p = (char)(*p - 'A' + 'a');
  json_t *fields = NULL;
  if (!rc && text && strlen(text) <= 20000)
    fields = json_pack("{s:s,s:s,s:s,s:s,s:f,s:f,s:f,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s}",
                       "evidence_id", eid, "service", service, "drill_date", date, "started_at", st,
                       "restore_seconds", secs, "rto_hours", rto, "mtpd_hours", mtpd, "verdict",
                       verdict, "reason", reason, "reason_zh", reason_zh[0] ? reason_zh : reason,
                       "vault_result", vault_ok ? "pass" : "fail", "snapshot", str(ev, "snapshot"),
                       "repository", str(ev, "repository"), "business_date",
                       str(ev, "business_date") ? str(ev, "business_date") : "", "key", k.name,
                       "attested", att && !json_is_null(att), "evidence", text);
  else if (!rc)
    rc = fs_err_set(err, FS_ERR_TOO_LARGE, "evidence",
                    "the drill record is larger than 20,000 bytes");
  free(text);
  if (fields) {
    json_t *n = json_object_get(ev, "files");
    if (json_is_integer(n))
      json_object_set(fields, "files", n);
    n = json_object_get(ev, "bytes");
    if (json_is_integer(n))
      json_object_set(fields, "bytes", n);
    if (!*str(fields, "business_date"))
      json_object_del(fields, "business_date");
  }
  char id[37];
  if (!rc)
    rc = reg_intake(c, who, &reg_drill_evidence, org_id, fields, id, err);
  if (rc == FS_ERR_CONFLICT)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "evidence", "this drill record was uploaded before");
  json_decref(fields);
  json_decref(sf.fields);
  if (!rc)
    rc = reg_get_json(c, who, &reg_drill_evidence, id, 0, out, err);
  return rc;
}

/* ---- status ------------------------------------------------------------------------------- */

struct drills {
  json_t *by_service; /* service -> array of {id, date, verdict} */
};

static int drill_row(const char *id, int64_t version, const json_t *f, void *ctx,
                     struct fs_err *err)
{
  struct drills *d = ctx;
  const char *svc = str(f, "service");
  if (!svc)
    return FS_OK;
  json_t *list = json_object_get(d->by_service, svc);
  if (!list) {
    list = json_array();
    json_object_set_new(d->by_service, svc, list);
  }
  json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:f}", "id", id, "date",
                                        str(f, "drill_date") ? str(f, "drill_date") : "", "verdict",
                                        str(f, "verdict") ? str(f, "verdict") : "fail",
                                        "restore_seconds", reg_num(f, "restore_seconds", 0)));
  return FS_OK;
}

struct svc_list {
  json_t *items;
};

static int svc_row(const char *id, int64_t version, const json_t *f, void *ctx, struct fs_err *err)
{
  struct svc_list *s = ctx;
  json_t *o = json_deep_copy(f);
  json_object_set_new(o, "_id", json_string(id));
  json_array_append_new(s->items, o);
  return FS_OK;
}

int resil_drill_status_json(struct store_conn *c, const struct actor *who, const char *org,
                            int64_t as_of, int64_t default_period_days, json_t **out,
                            struct fs_err *err)
{
  char org_id[37];
  int rc = org && *org ? org_resolve(c, org, org_id, err)
                       : (snprintf(org_id, sizeof(org_id), "%s", who->org_id), FS_OK);
  if (rc)
    return rc;
  struct policy_target t = {
      .org_id = org_id, .role = -1, .rel = reg_policy_rel(&reg_drill_evidence)};
  if (!org_id[0] || !policy_allows(who, POLICY_REGISTER_READ, &t))
    return fs_err_set(err, FS_ERR_NOT_FOUND, "org", "no drill records of organisation \"%.64s\"",
                      org ? org : "");
  int64_t when = as_of ? as_of : who->now_ms;
  return resil_drill_status_org(c, org_id, when, default_period_days, 0, out, err);
}

int resil_drill_status_org(struct store_conn *c, const char *org_id, int64_t when,
                           int64_t default_period_days, int64_t window_from, json_t **out,
                           struct fs_err *err)
{
  int64_t as_of = when;
  struct svc_list sl = {.items = json_array()};
  struct drills dr = {.by_service = json_object()};
  int rc = reg_scan(c, &reg_bcm_services, org_id, as_of, svc_row, &sl, err);
  if (!rc)
    rc = reg_scan(c, &reg_drill_evidence, org_id, as_of, drill_row, &dr, err);
  json_t *items = json_array();
  int64_t today = reg_today(when);
  int counts[3] = {0};
  size_t i;
  json_t *svc;
  json_array_foreach(sl.items, i, svc)
  {
    const char *code = str(svc, "code");
    int64_t period = json_is_integer(json_object_get(svc, "drill_period_days"))
                         ? json_integer_value(json_object_get(svc, "drill_period_days"))
                         : default_period_days;
    /* The latest drill not after `when`. */
    json_t *latest = NULL;
    size_t k;
    json_t *d;
    json_array_foreach(json_object_get(dr.by_service, code), k, d)
    {
      int64_t day = reg_date_days(str(d, "date"));
      if (day > today)
        continue;
      if (!latest || strcmp(str(d, "date"), str(latest, "date")) > 0)
        latest = d;
    }
    int64_t age = latest ? today - reg_date_days(str(latest, "date")) : -1;
    const char *status = !latest || age > period ? "overdue" : str(latest, "verdict");
    bool in_window = latest && window_from &&
                     reg_date_days(str(latest, "date")) >= reg_today(window_from) &&
                     !strcmp(str(latest, "verdict"), "pass");
    counts[!strcmp(status, "pass") ? 0 : !strcmp(status, "fail") ? 1 : 2]++;
    json_t *o = json_pack("{s:s,s:s,s:s,s:f,s:f,s:I,s:s,s:O?}", "service", code, "record",
                          str(svc, "_id"), "name", str(svc, "name") ? str(svc, "name") : "",
                          "rto_hours", reg_num(svc, "rto_hours", 0), "mtpd_hours",
                          reg_num(svc, "mtpd_hours", 0), "drill_period_days", (json_int_t)period,
                          "status", status, "latest_drill", latest);
    if (window_from)
      json_object_set_new(o, "passed_in_window", json_boolean(in_window));
    json_array_append_new(items, o);
  }
  json_decref(sl.items);
  json_decref(dr.by_service);
  if (rc) {
    json_decref(items);
    return rc;
  }
  struct reg_orgs orgs = {0};
  char day[11];
  reg_date_of_ms(when, day);
  *out = json_pack("{s:s,s:s,s:i,s:i,s:i,s:o}", "org", reg_org_code(c, &orgs, org_id), "as_of", day,
                   "pass", counts[0], "fail", counts[1], "overdue", counts[2], "services", items);
  return *out ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, "drills", "out of memory");
}
