/* Cases: report, draft from an alert, update, level review, workflow, merge. */
#include "incident/internal.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "core/i18n.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "core/uuid.h"
#include "stix/tlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUTURE_SLACK_MS (2 * 60 * 1000) /* clocks of members' machines run a little ahead */

static json_t *impact_json(const struct incident_impact *m)
{
  return json_pack("{s:s,s:s?,s:s,s:s,s:s}", "system_class", incident_class_names[m->system_class],
                   "data_class", m->data_class >= 0 ? incident_class_names[m->data_class] : NULL,
                   "confidentiality", incident_severity_names[m->confidentiality], "integrity",
                   incident_severity_names[m->integrity], "availability",
                   incident_availability_names[m->availability]);
}

/* The reference after the highest one that starts with prefix: among the organisation's cases
 * (org_id) or, for the sector number, among all (org_id NULL). Numbers are never reused. */
static int next_number(struct store_conn *c, const char *org_id, const char *prefix, char *out,
                       size_t n, struct fs_err *err)
{
  char like[80], last[INCIDENT_REF_MAX] = "";
  snprintf(like, sizeof(like), "%s%%", prefix);
  bool found = false;
  int rc = org_id ? store_query_text(c, last, sizeof(last), &found, err,
                                     "SELECT ref FROM incident WHERE org_id = ? AND ref LIKE ?"
                                     " ORDER BY LENGTH(ref) DESC, ref DESC LIMIT 1",
                                     "ss", org_id, like)
                  : store_query_text(c, last, sizeof(last), &found, err,
                                     "SELECT sector_ref FROM incident WHERE sector_ref LIKE ?"
                                     " ORDER BY LENGTH(sector_ref) DESC, sector_ref DESC LIMIT 1",
                                     "s", like);
  long long next = found ? strtoll(last + strlen(prefix), NULL, 10) + 1 : 1;
  if (!rc)
    snprintf(out, n, "%s%04lld", prefix, next);
  return rc;
}

/* A case's reference numbers it within its organisation and year ("INC-bank-a-2026-0003"), so
 * that a member learns nothing of other members' cases; its sector number ("INC-2026-0042") is
 * for the hub and the supervisor. Years in Asia/Taipei. */
static int next_refs(struct store_conn *c, const char *org_id, int64_t now,
                     char ref[INCIDENT_REF_MAX], char sector_ref[INCIDENT_REF_MAX],
                     struct fs_err *err)
{
  char local[48], code[40], prefix[64];
  fs_time_format_local(now, FS_TIME_TAIPEI_OFFSET_MIN, false, local);
  int rc = org_code(c, org_id, code, err);
  snprintf(prefix, sizeof(prefix), "INC-%s-%.4s-", code, local);
  if (!rc)
    rc = next_number(c, org_id, prefix, ref, INCIDENT_REF_MAX, err);
  snprintf(prefix, sizeof(prefix), "INC-%.4s-", local);
  if (!rc)
    rc = next_number(c, NULL, prefix, sector_ref, INCIDENT_REF_MAX, err);
  return rc;
}

static int check_discovered(const struct actor *who, int64_t at, struct fs_err *err)
{
  if (at > who->now_ms + FUTURE_SLACK_MS)
    return fs_err_set(err, FS_ERR_INVALID, "$.discovered_at",
                      "the discovery time is in the future");
  if (at < who->now_ms - 10LL * 366 * 86400000)
    return fs_err_set(err, FS_ERR_INVALID, "$.discovered_at",
                      "the discovery time is more than ten years ago");
  return FS_OK;
}

struct new_case {
  const char *org_id;
  const char *title, *description, *category, *services, *status, *source_alert;
  struct incident_impact impact;
  enum tlp_level tlp;
  bool hide_reporter;
  int64_t discovered, reported;
};

static int insert_case(struct store_conn *c, const struct actor *who, const struct new_case *n,
                       struct incident_level_proposal *prop, char id_out[37],
                       char ref[INCIDENT_REF_MAX], struct fs_err *err)
{
  incident_level_propose(&n->impact, prop);
  char sector_ref[INCIDENT_REF_MAX];
  int rc = next_refs(c, n->org_id, who->now_ms, ref, sector_ref, err);
  json_t *imp = impact_json(&n->impact);
  char *imp_text = json_dumps(imp, JSON_COMPACT);
  json_decref(imp);
  if (!rc) {
    fs_uuid_v4(id_out);
    rc = store_exec(
        c, NULL, err,
        "INSERT INTO incident (id, ref, sector_ref, org_id, reporter_user, reporter_name, title,"
        " description, category, status, services, impact, proposed_level, proposed_rule, level,"
        " tlp, hide_reporter, source_alert, discovered_at, reported_at, created_at, updated_at,"
        " version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)",
        "ssssssssssssisisisiiii", id_out, ref, sector_ref, n->org_id,
        who->user_id[0] ? who->user_id : NULL, who->username, n->title,
        n->description ? n->description : "", n->category, n->status,
        n->services ? n->services : "[]", imp_text ? imp_text : "{}", (int64_t)prop->level,
        prop->rule->id, (int64_t)prop->level, stix_tlp_token(n->tlp), (int64_t)n->hide_reporter,
        n->source_alert, n->discovered, n->reported, who->now_ms, who->now_ms);
  }
  free(imp_text);
  return rc;
}

int incident_report(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                    const struct incident_input *in, char id_out[37], struct fs_err *err)
{
  if (!in->title || in->category < 0 || !in->has_discovered || !in->has_impact)
    return fs_err_set(err, FS_ERR_INVALID, "$",
                      "title, discovered_at, category and impact are required");
  int rc = check_discovered(who, in->discovered_at, err);
  if (rc)
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  char org_id[37];
  if (in->org) {
    rc = org_resolve(c, in->org, org_id, err);
    if (rc == FS_ERR_NOT_FOUND)
      rc = fs_err_set(err, FS_ERR_INVALID, "$.org", "no organisation \"%.64s\"", in->org);
  } else {
    snprintf(org_id, sizeof(org_id), "%s", who->org_id);
  }
  struct policy_target t = {.org_id = org_id, .role = -1};
  if (!rc)
    rc = policy_check(who, POLICY_INCIDENT_REPORT, &t, "incidents of this organisation", err);
  char *services = in->services ? json_dumps(in->services, JSON_COMPACT) : NULL;
  struct new_case n = {.org_id = org_id,
                       .title = in->title,
                       .description = in->description,
                       .category = incident_category_names[in->category],
                       .services = services,
                       .status = "reported",
                       .impact = in->impact,
                       .tlp = in->tlp != TLP_NONE ? in->tlp : TLP_AMBER,
                       .hide_reporter = in->hide_reporter,
                       .discovered = in->discovered_at,
                       .reported = who->now_ms};
  struct incident_level_proposal prop;
  char ref[INCIDENT_REF_MAX];
  if (!rc)
    rc = insert_case(c, who, &n, &prop, id_out, ref, err);
  free(services);
  struct incident_row r;
  if (!rc)
    rc = incident_row_load(c, id_out, &r, err);
  char reason[320];
  if (!rc) {
    incident_level_reason(&prop, false, reason, sizeof(reason));
    rc = incident_event_addf(c, who, id_out, "discovered", in->discovered_at, err,
                             "the reporting organisation became aware of the incident");
  }
  if (!rc)
    rc = incident_event_add(c, who, id_out, "reported", who->now_ms, in->title, NULL, NULL, err);
  if (!rc) {
    char reason_zh[480];
    incident_level_reason(&prop, true, reason_zh, sizeof(reason_zh));
    fs_msg_remember(reason, reason_zh);
    rc = incident_event_addf(c, who, id_out, "level_proposed", who->now_ms, err, "proposed %s",
                             reason);
  }
  if (!rc)
    rc = incident_observables_store(c, who, id_out, in->indicators, in->nindicators, err);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s,s:s,s:i,s:s}", "ref", ref, "org_id", org_id, "category",
                          incident_category_names[in->category], "proposed_level", prop.level,
                          "rule", prop.rule->id);
    rc = audit_append(c, who, "incident.report", "incident", id_out, d, err);
    json_decref(d);
  }
  if (!rc) {
    char zh[320], en[400], zhmsg[400];
    incident_level_reason(&prop, true, zh, sizeof(zh));
    snprintf(en, sizeof(en), "New incident reported. Proposed %s", reason);
    snprintf(zhmsg, sizeof(zhmsg), "新通報資安事件。建議%s", zh);
    rc = notify_incident(c, env, &r, "incident.reported",
                         NOTIFY_TO_HUB | (prop.level >= 3 ? NOTIFY_TO_CISO : 0), NULL, en, zhmsg,
                         who->now_ms, err);
  }
  return store_tx_leave(c, owned, rc, err);
}

int incident_open_draft(struct store_conn *c, const struct actor *who,
                        const struct incident_env *env, json_t *alert, char id_out[37],
                        struct fs_err *err)
{
  static const char *const keys[] = {"alert_id", "org",        "title",      "category",
                                     "summary",  "first_seen", "indicators", NULL};
  int rc = policy_check(who, POLICY_INCIDENT_GRADE, NULL, "drafts from alerts", err);
  if (rc)
    return rc;
  const char *alert_id, *org, *title, *summary;
  int category;
  int64_t first_seen = 0;
  bool has_seen;
  struct incident_input ind; /* only its indicators */
  incident_input_init(&ind);
  if (!json_is_object(alert))
    return fs_err_set(err, FS_ERR_INVALID, "$", "expected a JSON object");
  rc = jsonx_only_keys(alert, keys, "$", err);
  if (!rc)
    rc = jsonx_string(alert, "alert_id", JSONX_REQUIRED, 128, &alert_id, err);
  if (!rc)
    rc = jsonx_string(alert, "org", JSONX_REQUIRED, 64, &org, err);
  if (!rc)
    rc = jsonx_string(alert, "title", JSONX_REQUIRED, 200, &title, err);
  if (!rc)
    rc = jsonx_enum(alert, "category", 0, incident_category_names, &category, err);
  if (!rc)
    rc = jsonx_string(alert, "summary", JSONX_MULTILINE, 20000, &summary, err);
  if (!rc)
    rc = jsonx_time(alert, "first_seen", 0, &first_seen, &has_seen, err);
  if (!rc && has_seen)
    rc = check_discovered(who, first_seen, err);
  json_t *arr = json_object_get(alert, "indicators");
  if (!rc && arr) {
    json_t *wrap = json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s},s:O}", "title", "x", "discovered_at",
                             "2000-01-01T00:00:00Z", "category", "other", "impact", "system_class",
                             "non_core", "confidentiality", "none", "integrity", "none",
                             "availability", "none", "indicators", arr);
    rc = incident_input_from_json(wrap, false, &ind, err);
    /* ind points into arr, which alert keeps alive. */
    json_decref(wrap);
  }
  if (rc)
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  char org_id[37];
  rc = org_resolve(c, org, org_id, err);
  if (rc == FS_ERR_NOT_FOUND)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.org", "no organisation \"%.64s\"", org);
  int64_t dup = 0;
  if (!rc)
    rc = store_query_int(c, &dup, NULL, err,
                         "SELECT COUNT(*) FROM incident WHERE source_alert = ? AND org_id = ?",
                         "ss", alert_id, org_id);
  if (!rc && dup)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.alert_id",
                    "a draft from alert \"%.64s\" exists for this organisation", alert_id);
  /* The member becomes aware when the hub tells it: the draft's creation. */
  struct new_case n = {.org_id = org_id,
                       .title = title,
                       .description = summary,
                       .category =
                           incident_category_names[category >= 0 ? category : INCIDENT_CAT_OTHER],
                       .status = "draft",
                       .source_alert = alert_id,
                       .tlp = TLP_AMBER,
                       .impact = {.system_class = 0, .data_class = -1},
                       .discovered = who->now_ms};
  struct incident_level_proposal prop;
  char ref[INCIDENT_REF_MAX];
  if (!rc)
    rc = insert_case(c, who, &n, &prop, id_out, ref, err);
  struct incident_row r;
  if (!rc)
    rc = incident_row_load(c, id_out, &r, err);
  if (!rc)
    rc = incident_event_addf(c, who, id_out, "draft", who->now_ms, err,
                             "draft opened from sector alert %.128s", alert_id);
  if (!rc)
    rc = incident_observables_store(c, who, id_out, ind.indicators, ind.nindicators, err);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s,s:s}", "ref", ref, "org_id", org_id, "alert_id", alert_id);
    rc = audit_append(c, who, "incident.draft", "incident", id_out, d, err);
    json_decref(d);
  }
  if (!rc)
    rc = notify_incident(c, env, &r, "incident.draft", NOTIFY_TO_CISO, NULL,
                         "A sector alert concerns your institution; a draft incident awaits your "
                         "confirmation.",
                         "聯防監控告警涉及貴機構，已建立資安事件草稿，請確認後通報。", who->now_ms,
                         err);
  return store_tx_leave(c, owned, rc, err);
}

int incident_update(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                    const char *id, const struct incident_input *in, struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct incident_row r;
  rc = incident_check(c, who, id, POLICY_INCIDENT_WORK, &r, err);
  if (!rc && (r.status == INCIDENT_CLOSED || r.status == INCIDENT_MERGED))
    rc = fs_err_set(err, FS_ERR_CONFLICT, "status", "incident %s is %s", r.ref,
                    incident_status_names[r.status]);
  if (!rc && in->has_discovered) {
    rc = check_discovered(who, in->discovered_at, err);
    int64_t first = r.contained ? r.contained : r.recovered;
    if (!rc && first && in->discovered_at > first)
      rc = fs_err_set(err, FS_ERR_INVALID, "$.discovered_at",
                      "the discovery time is after the containment or recovery");
  }
  if (!rc)
    rc = incident_touch(c, who, &r, in->has_version, in->version, err);
  struct incident_level_proposal prop = {0};
  char *services = NULL, *imp_text = NULL;
  if (!rc && in->has_impact) {
    incident_level_propose(&in->impact, &prop);
    json_t *imp = impact_json(&in->impact);
    imp_text = json_dumps(imp, JSON_COMPACT);
    json_decref(imp);
  }
  if (!rc) {
    services = in->services ? json_dumps(in->services, JSON_COMPACT) : NULL;
    rc = store_exec(c, NULL, err,
                    "UPDATE incident SET title = COALESCE(?, title),"
                    " description = COALESCE(?, description), category = COALESCE(?, category),"
                    " services = COALESCE(?, services), tlp = COALESCE(?, tlp) WHERE id = ?",
                    "ssssss", in->title, in->description,
                    in->category >= 0 ? incident_category_names[in->category] : NULL, services,
                    in->tlp != TLP_NONE ? stix_tlp_token(in->tlp) : NULL, r.id);
  }
  /* The level follows the proposal until the hub has reviewed it. */
  if (!rc && in->has_impact)
    rc = store_exec(c, NULL, err,
                    "UPDATE incident SET impact = ?, proposed_level = ?, proposed_rule = ?,"
                    " level = CASE WHEN level_reviewed_at IS NULL THEN ? ELSE level END"
                    " WHERE id = ?",
                    "sisis", imp_text, (int64_t)prop.level, prop.rule->id, (int64_t)prop.level,
                    r.id);
  if (!rc && in->has_hide_reporter)
    rc = store_exec(c, NULL, err, "UPDATE incident SET hide_reporter = ? WHERE id = ?", "is",
                    (int64_t)in->hide_reporter, r.id);
  free(services);
  free(imp_text);
  if (!rc)
    rc = incident_observables_store(c, who, r.id, in->indicators, in->nindicators, err);
  if (!rc && in->has_impact) {
    char reason[320], reason_zh[480];
    incident_level_reason(&prop, false, reason, sizeof(reason));
    incident_level_reason(&prop, true, reason_zh, sizeof(reason_zh));
    fs_msg_remember(reason, reason_zh);
    rc = incident_event_addf(c, who, r.id, "level_proposed", who->now_ms, err,
                             "impact changed; proposed %s", reason);
  }
  if (!rc) {
    json_t *d = json_pack("{s:s,s:I}", "ref", r.ref, "version", (json_int_t)r.version + 1);
    if (in->title)
      json_object_set_new(d, "title", json_string(in->title));
    if (in->category >= 0)
      json_object_set_new(d, "category", json_string(incident_category_names[in->category]));
    if (in->has_impact)
      json_object_set_new(d, "proposed_level", json_integer(prop.level));
    rc = audit_append(c, who, "incident.update", "incident", r.id, d, err);
    json_decref(d);
  }
  (void)env;
  return store_tx_leave(c, owned, rc, err);
}

int incident_set_level(struct store_conn *c, const struct actor *who,
                       const struct incident_env *env, const char *id, int level,
                       const char *reason, bool has_version, int64_t version, struct fs_err *err)
{
  if (level < 1 || level > 4)
    return fs_err_set(err, FS_ERR_INVALID, "$.level", "the level is 1, 2, 3 or 4");
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct incident_row r;
  rc = incident_check(c, who, id, POLICY_INCIDENT_GRADE, &r, err);
  if (!rc && (r.status == INCIDENT_DRAFT || r.status == INCIDENT_MERGED))
    rc = fs_err_set(err, FS_ERR_CONFLICT, "status", "incident %s is %s: nothing to review", r.ref,
                    incident_status_names[r.status]);
  if (!rc && level != r.proposed_level && (!reason || !*reason))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.reason",
                    "level %d differs from the proposed level %d: give the reason", level,
                    r.proposed_level);
  if (!rc)
    rc = incident_touch(c, who, &r, has_version, version, err);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE incident SET level = ?, level_reviewed_at = COALESCE(level_reviewed_at,"
                    " ?), level_reviewed_by = ?, level_reason = ? WHERE id = ?",
                    "iisss", (int64_t)level, who->now_ms, who->username, reason, r.id);
  /* The reviewer's reason is its own words, quoted as they are. */
  bool why = reason && *reason;
  if (!rc && level == r.level)
    rc = why ? incident_event_addf(c, who, r.id, "level_reviewed", who->now_ms, err,
                                   "level confirmed at %d (proposed %d): %.400s", level,
                                   r.proposed_level, reason)
             : incident_event_addf(c, who, r.id, "level_reviewed", who->now_ms, err,
                                   "level confirmed at %d (proposed %d)", level, r.proposed_level);
  else if (!rc)
    rc = why ? incident_event_addf(c, who, r.id, "level_reviewed", who->now_ms, err,
                                   "level changed to %d (proposed %d): %.400s", level,
                                   r.proposed_level, reason)
             : incident_event_addf(c, who, r.id, "level_reviewed", who->now_ms, err,
                                   "level changed to %d (proposed %d)", level, r.proposed_level);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:i,s:i,s:i,s:s?}", "ref", r.ref, "level", level, "previous",
                          r.level, "proposed", r.proposed_level, "reason", reason);
    rc = audit_append(c, who, "incident.level", "incident", r.id, d, err);
    json_decref(d);
  }
  if (!rc && level != r.level) {
    /* The law asks for a new report when the level changes: tell the member. */
    char en[200], zh[200];
    snprintf(en, sizeof(en), "The hub changed the level from %d to %d. %s", r.level, level,
             reason ? reason : "");
    snprintf(zh, sizeof(zh), "中樞將事件等級由第 %d 級調整為第 %d 級。%s", r.level, level,
             reason ? reason : "");
    r.level = level;
    rc = notify_incident(c, env, &r, "incident.level_changed", NOTIFY_TO_CISO | NOTIFY_TO_HUB, NULL,
                         en, zh, who->now_ms, err);
  }
  return store_tx_leave(c, owned, rc, err);
}

static int64_t *status_time(struct incident_row *r, int status)
{
  switch (status) {
  case INCIDENT_REPORTED:
    return &r->reported;
  case INCIDENT_TRIAGED:
    return &r->triaged;
  case INCIDENT_CONTAINED:
    return &r->contained;
  case INCIDENT_ERADICATED:
    return &r->eradicated;
  case INCIDENT_RECOVERED:
    return &r->recovered;
  case INCIDENT_CLOSED:
    return &r->closed;
  default:
    return NULL;
  }
}

int incident_set_status(struct store_conn *c, const struct actor *who,
                        const struct incident_env *env, const char *id, int status, int64_t at,
                        const char *note, bool has_version, int64_t version, struct fs_err *err)
{
  if (status <= INCIDENT_DRAFT || status >= INCIDENT_MERGED)
    return fs_err_set(err, FS_ERR_INVALID, "$.status",
                      "reported, triaged, contained, eradicated, recovered or closed");
  if (!at)
    at = who->now_ms;
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct incident_row r;
  rc = incident_check(c, who, id, POLICY_INCIDENT_WORK, &r, err);
  if (!rc && (r.status == INCIDENT_CLOSED || r.status == INCIDENT_MERGED))
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.status", "incident %s is %s", r.ref,
                    incident_status_names[r.status]);
  if (!rc && status <= r.status)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.status",
                    "incident %s is already %s; the workflow moves forward only", r.ref,
                    incident_status_names[r.status]);
  if (!rc && r.status == INCIDENT_DRAFT && status != INCIDENT_REPORTED)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.status", "a draft must first be reported");
  if (!rc && status == INCIDENT_CLOSED && (!r.recovered || !r.report_done))
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.status",
                    "closing needs the recovery and a complete closing report (all seven parts)");
  if (!rc && at > who->now_ms + FUTURE_SLACK_MS)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.at", "the time is in the future");
  if (!rc && at < r.discovered)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.at", "%s cannot be before the discovery",
                    incident_status_names[status]);
  /* Containment, eradication and recovery are the organisation's own deeds: they may come
   * before a late report and the hub's triage, but keep their order among themselves. */
  bool own_deed = status >= INCIDENT_CONTAINED && status <= INCIDENT_RECOVERED;
  if (!rc && status != INCIDENT_REPORTED) {
    for (int s = own_deed ? INCIDENT_CONTAINED : INCIDENT_REPORTED; s < status && !rc; s++) {
      int64_t *prev = status_time(&r, s);
      if (prev && *prev && at < *prev)
        rc = fs_err_set(err, FS_ERR_INVALID, "$.at", "%s cannot be before %s",
                        incident_status_names[status], incident_status_names[s]);
    }
  }
  if (!rc)
    rc = incident_touch(c, who, &r, has_version, version, err);
  /* Steps skipped on the way happened at the same time at the latest; the report and the
   * triage not before the report. */
  if (!rc) {
    for (int s = r.status + 1; s <= status; s++) {
      int64_t *t = status_time(&r, s);
      if (t && !*t)
        *t = s == INCIDENT_REPORTED  ? who->now_ms
             : s == INCIDENT_TRIAGED ? FS_MAX(at, r.reported ? r.reported : who->now_ms)
                                     : at;
    }
    rc = store_exec(c, NULL, err,
                    "UPDATE incident SET status = ?, reported_at = ?, triaged_at = ?,"
                    " contained_at = ?, eradicated_at = ?, recovered_at = ?, closed_at = ?"
                    " WHERE id = ?",
                    "siiiiiis", incident_status_names[status], r.reported, r.triaged, r.contained,
                    r.eradicated, r.recovered, r.closed, r.id);
  }
  int64_t when = status == INCIDENT_REPORTED ? who->now_ms : at;
  if (!rc) /* the status's word in the reader's language, the note as it was written */
    rc = note ? incident_event_addf(c, who, r.id, incident_status_names[status], when, err,
                                    "%s: %.500s", incident_status_names[status], note)
              : incident_event_addf(c, who, r.id, incident_status_names[status], when, err, "%s",
                                    incident_status_names[status]);
  if (!rc) {
    json_t *d =
        json_pack("{s:s,s:s,s:s,s:o}", "ref", r.ref, "from", incident_status_names[r.status], "to",
                  incident_status_names[status], "at", jsonx_time_new(at));
    rc = audit_append(c, who, "incident.status", "incident", r.id, d, err);
    json_decref(d);
  }
  if (!rc && r.status == INCIDENT_DRAFT)
    rc = notify_incident(c, env, &r, "incident.reported", NOTIFY_TO_HUB, NULL,
                         "A draft incident was confirmed and reported.",
                         "資安事件草稿已確認並通報。", who->now_ms, err);
  return store_tx_leave(c, owned, rc, err);
}

int incident_merge(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                   const char *id, const char *dup_id, struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct incident_row r, d;
  rc = incident_check(c, who, id, POLICY_INCIDENT_GRADE, &r, err);
  if (!rc)
    rc = incident_check(c, who, dup_id, POLICY_INCIDENT_GRADE, &d, err);
  if (!rc && !strcmp(r.id, d.id))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.duplicate", "a case cannot be merged into itself");
  /* Each side's timeline names the other's reference and the observables move: across
   * organisations that would show one member another's case. */
  if (!rc && strcmp(r.org_id, d.org_id))
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.duplicate",
                    "only a case of the same organisation can be merged (%s is %s's, %s is %s's)",
                    d.ref, d.org.code, r.ref, r.org.code);
  if (!rc &&
      (d.status == INCIDENT_MERGED || r.status == INCIDENT_MERGED || d.status == INCIDENT_CLOSED))
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.duplicate", "only open cases can be merged");
  if (!rc)
    rc = incident_touch(c, who, &d, false, 0, err);
  if (!rc)
    rc = incident_touch(c, who, &r, false, 0, err);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "INSERT INTO incident_observable (id, incident_id, type, value, internal, note,"
                    " created_at) SELECT id || '-m', ?, type, value, internal, note, created_at"
                    " FROM incident_observable o WHERE o.incident_id = ? AND NOT EXISTS (SELECT 1"
                    " FROM incident_observable x WHERE x.incident_id = ? AND x.type = o.type AND"
                    " x.value = o.value)",
                    "sss", r.id, d.id, r.id);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE incident SET status = 'merged', merged_into = ? WHERE id = ?", "ss",
                    r.id, d.id);
  if (!rc)
    rc = incident_event_addf(c, who, r.id, "merged", who->now_ms, err,
                             "duplicate %s merged into this case", d.ref);
  if (!rc)
    rc = incident_event_addf(c, who, d.id, "merged", who->now_ms, err,
                             "merged into %s as a duplicate", r.ref);
  if (!rc) {
    json_t *dj = json_pack("{s:s,s:s}", "into", r.ref, "duplicate", d.ref);
    rc = audit_append(c, who, "incident.merge", "incident", d.id, dj, err);
    json_decref(dj);
  }
  (void)env;
  return store_tx_leave(c, owned, rc, err);
}
