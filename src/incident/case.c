/* Cases: report, draft from an alert, update, level review, workflow, merge, reads. */
#include "incident/internal.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "core/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUTURE_SLACK_MS (2 * 60 * 1000) /* clocks of members' machines run a little ahead */

static int name_index(const char *const *names, const char *s)
{
  for (int i = 0; s && names[i]; i++)
    if (!strcmp(names[i], s))
      return i;
  return -1;
}

void incident_local_time(int64_t ms, char out[48])
{
  if (!ms) {
    out[0] = '\0';
    return;
  }
  fs_time_format_local(ms, FS_TIME_TAIPEI_OFFSET_MIN, false, out);
}

json_t *incident_time_json(int64_t ms)
{
  return ms ? jsonx_time_new(ms) : json_null();
}

#define ROW_COLUMNS                                                                              \
  "i.id, i.ref, i.org_id, o.code, o.industry, o.parent_id, i.title, i.status, i.level, "         \
  "i.proposed_level, i.category, i.tlp, i.hide_reporter, i.discovered_at, i.reported_at, "        \
  "i.level_reviewed_at, i.triaged_at, i.contained_at, i.eradicated_at, i.recovered_at, "          \
  "i.closed_at, i.report_done_at, i.created_at, i.version"

static void copy_col(char *dst, size_t n, struct store_stmt *s, int i)
{
  const char *v = store_col_text(s, i);
  snprintf(dst, n, "%s", v ? v : "");
}

static void row_from_stmt(struct store_stmt *s, struct incident_row *r)
{
  memset(r, 0, sizeof(*r));
  copy_col(r->id, sizeof(r->id), s, 0);
  copy_col(r->ref, sizeof(r->ref), s, 1);
  copy_col(r->org_id, sizeof(r->org_id), s, 2);
  copy_col(r->org_code, sizeof(r->org_code), s, 3);
  copy_col(r->industry, sizeof(r->industry), s, 4);
  copy_col(r->parent_id, sizeof(r->parent_id), s, 5);
  copy_col(r->title, sizeof(r->title), s, 6);
  r->status = name_index(incident_status_names, store_col_text(s, 7));
  r->level = (int)store_col_int(s, 8);
  r->proposed_level = (int)store_col_int(s, 9);
  r->category = name_index(incident_category_names, store_col_text(s, 10));
  r->tlp = name_index(incident_tlp_names, store_col_text(s, 11));
  r->hide_reporter = store_col_int(s, 12) != 0;
  int64_t *t[] = {&r->discovered, &r->reported, &r->reviewed,  &r->triaged, &r->contained,
                  &r->eradicated, &r->recovered, &r->closed,   &r->report_done, &r->created};
  for (int i = 0; i < 10; i++)
    *t[i] = store_col_int(s, 13 + i);
  r->version = store_col_int(s, 23);
}

int incident_row_load(struct store_conn *c, const char *id_or_ref, struct incident_row *r,
                      struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT " ROW_COLUMNS " FROM incident i JOIN org o ON o.id = i.org_id"
                       " WHERE i.id = ? OR i.ref = ?",
                       "ss", id_or_ref, id_or_ref);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "incident", "no incident \"%.64s\"", id_or_ref);
  if (!rc)
    row_from_stmt(s, r);
  store_done(s);
  return rc;
}

/* The actor's relation to the case through the response teams it belongs to. */
static int relation(struct store_conn *c, const struct actor *who, const char *incident_id,
                    unsigned *rel, struct fs_err *err)
{
  *rel = 0;
  if (!who->user_id[0])
    return FS_OK;
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT a.status FROM incident_assignment a JOIN incident_team_member m"
                       " ON m.team_id = a.team_id WHERE a.incident_id = ? AND m.user_id = ?"
                       " AND a.status IN ('offered', 'accepted')",
                       "ss", incident_id, who->user_id);
  bool row;
  while (!rc && !(rc = store_step(s, &row, err)) && row)
    *rel |= !strcmp(store_col_text(s, 0), "accepted") ? POLICY_REL_TEAM_ASSIGNED
                                                      : POLICY_REL_TEAM_OFFERED;
  store_done(s);
  return rc;
}

int incident_check(struct store_conn *c, const struct actor *who, const char *id_or_ref,
                   enum policy_action act, struct incident_row *r, struct fs_err *err)
{
  int rc = incident_row_load(c, id_or_ref, r, err);
  unsigned rel = 0;
  if (!rc)
    rc = relation(c, who, r->id, &rel, err);
  if (rc)
    return rc;
  struct policy_target t = {.org_id = r->org_id, .role = -1, .rel = rel};
  if (!policy_allows(who, POLICY_INCIDENT_READ, &t))
    return fs_err_set(err, FS_ERR_NOT_FOUND, "incident", "no incident \"%.64s\"", id_or_ref);
  if (act == POLICY_INCIDENT_READ)
    return FS_OK;
  char what[64];
  snprintf(what, sizeof(what), "incident %s", r->ref);
  return policy_check(who, act, &t, what, err);
}

int incident_visible(struct store_conn *c, const struct actor *who, const char *id_or_ref,
                     char id_out[37], char org_out[37], struct fs_err *err)
{
  struct incident_row r;
  int rc = incident_check(c, who, id_or_ref, POLICY_INCIDENT_READ, &r, err);
  if (!rc) {
    memcpy(id_out, r.id, 37);
    if (org_out)
      memcpy(org_out, r.org_id, 37);
  }
  return rc;
}

void incident_row_times(const struct incident_row *r, struct incident_times *t)
{
  t->aware = r->discovered;
  t->reported = r->reported;
  t->level_reviewed = r->reviewed;
  t->contained = r->contained;
  t->recovered = r->recovered;
  t->report_submitted = r->report_done;
  t->level = r->level;
}

json_t *incident_clocks_json(const struct incident_env *env, const struct incident_row *r,
                             int64_t now)
{
  const struct incident_clock_set *cs = incident_policy_clocks(&env->policy, r->industry);
  struct incident_times t;
  incident_row_times(r, &t);
  struct incident_clock k[INCIDENT_CLOCK__COUNT];
  incident_clocks_compute(cs, &t, now, k);
  int li = r->level >= 1 && r->level <= 4 ? r->level - 1 : 0;
  int64_t durs[] = {cs->report_s, cs->review_s[li], cs->recovery_s[li], cs->investigation_s};
  json_t *arr = json_array();
  for (int i = 0; i < INCIDENT_CLOCK__COUNT; i++) {
    char dur[24], due_local[48];
    incident_duration_format(durs[i], dur);
    incident_local_time(k[i].due, due_local);
    json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "clock", incident_clock_names[i], "state",
                          incident_clock_state_names[k[i].state], "duration", dur, "started_at",
                          incident_time_json(k[i].started), "due_at", incident_time_json(k[i].due),
                          "met_at", incident_time_json(k[i].met));
    if (k[i].due)
      json_object_set_new(o, "due_local", json_string(due_local));
    if (k[i].state == INCIDENT_CLOCK_RUNNING)
      json_object_set_new(o, "seconds_left", json_integer(k[i].left_ms / 1000));
    if (k[i].state == INCIDENT_CLOCK_OVERDUE)
      json_object_set_new(o, "seconds_overdue", json_integer(-k[i].left_ms / 1000));
    json_array_append_new(arr, o);
  }
  return arr;
}

int incident_touch(struct store_conn *c, const struct actor *who, const struct incident_row *r,
                   bool has_version, int64_t version, struct fs_err *err)
{
  if (has_version && version != r->version)
    return fs_err_set(err, FS_ERR_CONFLICT, "$.version",
                      "incident %s was changed meanwhile (version %lld, not %lld); reload and "
                      "try again",
                      r->ref, (long long)r->version, (long long)version);
  int64_t n = 0;
  int rc = store_exec(c, &n, err,
                      "UPDATE incident SET updated_at = ?, version = version + 1"
                      " WHERE id = ? AND version = ?",
                      "isi", who->now_ms, r->id, r->version);
  if (!rc && n != 1)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.version", "incident %s was changed meanwhile",
                    r->ref);
  return rc;
}

static json_t *impact_json(const struct incident_impact *m)
{
  return json_pack("{s:s,s:s?,s:s,s:s,s:s}", "system_class", incident_class_names[m->system_class],
                   "data_class", m->data_class >= 0 ? incident_class_names[m->data_class] : NULL,
                   "confidentiality", incident_severity_names[m->confidentiality], "integrity",
                   incident_severity_names[m->integrity], "availability",
                   incident_availability_names[m->availability]);
}

static json_t *proposal_json(const struct incident_level_proposal *p)
{
  char en[320], zh[320];
  incident_level_reason(p, false, en, sizeof(en));
  incident_level_reason(p, true, zh, sizeof(zh));
  json_t *matched = json_array();
  for (size_t i = 0; i < p->nmatched; i++)
    json_array_append_new(matched, json_string(p->matched[i]->id));
  return json_pack("{s:i,s:s,s:s,s:s,s:o}", "level", p->level, "rule", p->rule->id, "reason_en",
                   en, "reason_zh", zh, "matched", matched);
}

/* Reference "INC-<year>-<nnnn>", the year in Asia/Taipei, numbered within the year. */
static int next_ref(struct store_conn *c, int64_t now, char ref[32], struct fs_err *err)
{
  char local[48];
  fs_time_format_local(now, FS_TIME_TAIPEI_OFFSET_MIN, false, local);
  char prefix[16];
  snprintf(prefix, sizeof(prefix), "INC-%.4s-", local);
  char like[24];
  snprintf(like, sizeof(like), "%s%%", prefix);
  int64_t n = 0;
  int rc = store_query_int(c, &n, NULL, err, "SELECT COUNT(*) FROM incident WHERE ref LIKE ?", "s",
                           like);
  if (!rc)
    snprintf(ref, 32, "%s%04lld", prefix, (long long)n + 1);
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
  int tlp;
  bool hide_reporter;
  int64_t discovered, reported;
};

static int insert_case(struct store_conn *c, const struct actor *who, const struct new_case *n,
                       struct incident_level_proposal *prop, char id_out[37], char ref[32],
                       struct fs_err *err)
{
  incident_level_propose(&n->impact, prop);
  int rc = next_ref(c, who->now_ms, ref, err);
  json_t *imp = impact_json(&n->impact);
  char *imp_text = json_dumps(imp, JSON_COMPACT);
  json_decref(imp);
  if (!rc) {
    fs_uuid_v4(id_out);
    rc = store_exec(
        c, NULL, err,
        "INSERT INTO incident (id, ref, org_id, reporter_user, reporter_name, title, description,"
        " category, status, services, impact, proposed_level, proposed_rule, level, tlp,"
        " hide_reporter, source_alert, discovered_at, reported_at, created_at, updated_at, version)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)",
        "sssssssssssisisisiiii", id_out, ref, n->org_id, who->user_id[0] ? who->user_id : NULL,
        who->username, n->title, n->description ? n->description : "", n->category, n->status,
        n->services ? n->services : "[]", imp_text ? imp_text : "{}", (int64_t)prop->level,
        prop->rule->id, (int64_t)prop->level, incident_tlp_names[n->tlp],
        (int64_t)n->hide_reporter, n->source_alert, n->discovered, n->reported, who->now_ms,
        who->now_ms);
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
  struct new_case n = {.org_id = org_id, .title = in->title, .description = in->description,
                       .category = incident_category_names[in->category], .services = services,
                       .status = "reported", .impact = in->impact,
                       .tlp = in->tlp >= 0 ? in->tlp : 2, .hide_reporter = in->hide_reporter,
                       .discovered = in->discovered_at, .reported = who->now_ms};
  struct incident_level_proposal prop;
  char ref[32];
  if (!rc)
    rc = insert_case(c, who, &n, &prop, id_out, ref, err);
  free(services);
  struct incident_row r;
  if (!rc)
    rc = incident_row_load(c, id_out, &r, err);
  char reason[320];
  if (!rc) {
    incident_level_reason(&prop, false, reason, sizeof(reason));
    rc = incident_event_add(c, who, id_out, "discovered", in->discovered_at,
                            "the reporting organisation became aware of the incident", NULL, err);
  }
  if (!rc)
    rc = incident_event_add(c, who, id_out, "reported", who->now_ms, in->title, NULL, err);
  if (!rc) {
    char text[400];
    snprintf(text, sizeof(text), "proposed %s", reason);
    rc = incident_event_add(c, who, id_out, "level_proposed", who->now_ms, text, NULL, err);
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
    json_t *wrap = json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s},s:O}", "title", "x",
                             "discovered_at", "2000-01-01T00:00:00Z", "category", "other",
                             "impact", "system_class", "non_core", "confidentiality", "none",
                             "integrity", "none", "availability", "none", "indicators", arr);
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
  struct new_case n = {.org_id = org_id, .title = title, .description = summary,
                       .category = incident_category_names[category >= 0 ? category
                                                                         : INCIDENT_CAT_OTHER],
                       .status = "draft", .source_alert = alert_id, .tlp = 2,
                       .impact = {.system_class = 0, .data_class = -1},
                       .discovered = who->now_ms};
  struct incident_level_proposal prop;
  char ref[32];
  if (!rc)
    rc = insert_case(c, who, &n, &prop, id_out, ref, err);
  struct incident_row r;
  if (!rc)
    rc = incident_row_load(c, id_out, &r, err);
  char text[300];
  snprintf(text, sizeof(text), "draft opened from sector alert %.128s", alert_id);
  if (!rc)
    rc = incident_event_add(c, who, id_out, "draft", who->now_ms, text, NULL, err);
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

/* Reads the stored impact answers back; false when damaged. */
static bool impact_from_json(json_t *o, struct incident_impact *m)
{
  m->system_class = name_index(incident_class_names,
                               json_string_value(json_object_get(o, "system_class")));
  m->data_class = name_index(incident_class_names,
                             json_string_value(json_object_get(o, "data_class")));
  m->confidentiality = name_index(incident_severity_names,
                                  json_string_value(json_object_get(o, "confidentiality")));
  m->integrity = name_index(incident_severity_names,
                            json_string_value(json_object_get(o, "integrity")));
  m->availability = name_index(incident_availability_names,
                               json_string_value(json_object_get(o, "availability")));
  return !incident_impact_check(m, NULL);
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
                    in->tlp >= 0 ? incident_tlp_names[in->tlp] : NULL, r.id);
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
    char reason[320], text[400];
    incident_level_reason(&prop, false, reason, sizeof(reason));
    snprintf(text, sizeof(text), "impact changed; proposed %s", reason);
    rc = incident_event_add(c, who, r.id, "level_proposed", who->now_ms, text, NULL, err);
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
  char text[600];
  snprintf(text, sizeof(text), "level %s %d (proposed %d)%s%.400s",
           level == r.level ? "confirmed at" : "changed to", level, r.proposed_level,
           reason && *reason ? ": " : "", reason ? reason : "");
  if (!rc)
    rc = incident_event_add(c, who, r.id, "level_reviewed", who->now_ms, text, NULL, err);
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
    rc = notify_incident(c, env, &r, "incident.level_changed",
                         NOTIFY_TO_CISO | NOTIFY_TO_HUB, NULL, en, zh, who->now_ms, err);
  }
  return store_tx_leave(c, owned, rc, err);
}

static int64_t *status_time(struct incident_row *r, int status)
{
  switch (status) {
  case INCIDENT_REPORTED: return &r->reported;
  case INCIDENT_TRIAGED: return &r->triaged;
  case INCIDENT_CONTAINED: return &r->contained;
  case INCIDENT_ERADICATED: return &r->eradicated;
  case INCIDENT_RECOVERED: return &r->recovered;
  case INCIDENT_CLOSED: return &r->closed;
  default: return NULL;
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
  if (!rc && status != INCIDENT_REPORTED) {
    for (int s = INCIDENT_REPORTED; s < status && !rc; s++) {
      int64_t *prev = status_time(&r, s);
      if (prev && *prev && at < *prev)
        rc = fs_err_set(err, FS_ERR_INVALID, "$.at", "%s cannot be before %s",
                        incident_status_names[status], incident_status_names[s]);
    }
  }
  if (!rc)
    rc = incident_touch(c, who, &r, has_version, version, err);
  /* Steps skipped on the way happened at the same time at the latest. */
  if (!rc) {
    for (int s = r.status + 1; s <= status; s++) {
      int64_t *t = status_time(&r, s);
      if (t && !*t)
        *t = s == INCIDENT_REPORTED ? who->now_ms : at;
    }
    rc = store_exec(c, NULL, err,
                    "UPDATE incident SET status = ?, reported_at = ?, triaged_at = ?,"
                    " contained_at = ?, eradicated_at = ?, recovered_at = ?, closed_at = ?"
                    " WHERE id = ?",
                    "siiiiiis", incident_status_names[status], r.reported, r.triaged, r.contained,
                    r.eradicated, r.recovered, r.closed, r.id);
  }
  char text[600];
  snprintf(text, sizeof(text), "%s%s%.500s", incident_status_names[status], note ? ": " : "",
           note ? note : "");
  if (!rc)
    rc = incident_event_add(c, who, r.id, incident_status_names[status],
                            status == INCIDENT_REPORTED ? who->now_ms : at, text, NULL, err);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s,s:s,s:o}", "ref", r.ref, "from",
                          incident_status_names[r.status], "to", incident_status_names[status],
                          "at", jsonx_time_new(at));
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
  if (!rc && (d.status == INCIDENT_MERGED || r.status == INCIDENT_MERGED ||
              d.status == INCIDENT_CLOSED))
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
  char text[200];
  snprintf(text, sizeof(text), "duplicate %s merged into this case", d.ref);
  if (!rc)
    rc = incident_event_add(c, who, r.id, "merged", who->now_ms, text, NULL, err);
  snprintf(text, sizeof(text), "merged into %s as a duplicate", r.ref);
  if (!rc)
    rc = incident_event_add(c, who, d.id, "merged", who->now_ms, text, NULL, err);
  if (!rc) {
    json_t *dj = json_pack("{s:s,s:s}", "into", r.ref, "duplicate", d.ref);
    rc = audit_append(c, who, "incident.merge", "incident", d.id, dj, err);
    json_decref(dj);
  }
  (void)env;
  return store_tx_leave(c, owned, rc, err);
}

/* ---- reads -------------------------------------------------------------------------------- */

#define FULL_COLUMNS                                                                              \
  ROW_COLUMNS ", o.name_zh, o.name_en, i.reporter_user, i.reporter_name, i.description, "        \
              "i.services, i.impact, i.proposed_rule, i.level_reason, i.level_reviewed_by, "     \
              "i.source_alert, i.merged_into, i.updated_at"

static json_t *case_json(struct store_stmt *s, const struct incident_env *env, int64_t now,
                         bool full)
{
  struct incident_row r;
  row_from_stmt(s, &r);
  json_t *o = json_pack(
      "{s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s},s:s,s:s,s:s,s:i,s:s,s:b,s:s,s:b,s:o,s:o,s:I}", "id", r.id,
      "ref", r.ref, "org", "id", r.org_id, "code", r.org_code, "name_zh", store_col_text(s, 24),
      "name_en", store_col_text(s, 25), "industry", r.industry, "title", r.title, "category",
      store_col_text(s, 10), "status", store_col_text(s, 7), "level", r.level, "level_state",
      r.reviewed ? "reviewed" : "proposed", "hide_reporter", r.hide_reporter, "tlp",
      store_col_text(s, 11), "overdue", false, "created_at", jsonx_time_new(r.created),
      "updated_at", jsonx_time_new(store_col_int(s, 36)), "version", (json_int_t)r.version);
  json_t *clocks = incident_clocks_json(env, &r, now);
  size_t i;
  json_t *k;
  json_array_foreach(clocks, i, k) if (!strcmp(json_string_value(json_object_get(k, "state")),
                                               "overdue")) json_object_set_new(o, "overdue",
                                                                               json_true());
  json_object_set_new(o, "clocks", clocks);
  char local[48];
  incident_local_time(r.discovered, local);
  json_object_set_new(
      o, "times",
      json_pack("{s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "discovered_at",
                incident_time_json(r.discovered), "discovered_local", local, "reported_at",
                incident_time_json(r.reported), "level_reviewed_at", incident_time_json(r.reviewed),
                "triaged_at", incident_time_json(r.triaged), "contained_at",
                incident_time_json(r.contained), "eradicated_at", incident_time_json(r.eradicated),
                "recovered_at", incident_time_json(r.recovered), "closed_at",
                incident_time_json(r.closed), "closing_report_at",
                incident_time_json(r.report_done)));
  if (!full)
    return o;
  json_t *services = json_loads(store_col_text(s, 29), 0, NULL);
  json_t *impact = json_loads(store_col_text(s, 30), 0, NULL);
  json_object_set_new(o, "services", services ? services : json_array());
  json_object_set_new(o, "description", json_string(store_col_text(s, 28)));
  json_object_set_new(o, "reporter", json_pack("{s:s?,s:s}", "user_id", store_col_text(s, 26),
                                               "name", store_col_text(s, 27)));
  struct incident_impact m;
  if (impact && impact_from_json(impact, &m)) {
    struct incident_level_proposal p;
    incident_level_propose(&m, &p);
    json_object_set_new(o, "proposal", proposal_json(&p));
  }
  json_object_set_new(o, "impact", impact ? impact : json_object());
  json_object_set_new(o, "level_reason", json_pack("s?", store_col_text(s, 32)));
  json_object_set_new(o, "level_reviewed_by", json_pack("s?", store_col_text(s, 33)));
  json_object_set_new(o, "source_alert", json_pack("s?", store_col_text(s, 34)));
  json_object_set_new(o, "merged_into", json_pack("s?", store_col_text(s, 35)));
  return o;
}

static json_t *assignments_json(struct store_conn *c, const char *id, struct fs_err *err)
{
  struct store_stmt *s;
  json_t *arr = json_array();
  if (store_query(c, &s, err,
                  "SELECT a.id, t.code, t.name_en, t.name_zh, t.kind, a.status, a.offered_at,"
                  " a.answered_at, a.note FROM incident_assignment a JOIN incident_team t"
                  " ON t.id = a.team_id WHERE a.incident_id = ? ORDER BY a.offered_at, a.id",
                  "s", id))
    return arr;
  bool row;
  while (!store_step(s, &row, err) && row)
    json_array_append_new(
        arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s?}", "id", store_col_text(s, 0),
                       "team", store_col_text(s, 1), "team_name_en", store_col_text(s, 2),
                       "team_name_zh", store_col_text(s, 3), "kind", store_col_text(s, 4),
                       "status", store_col_text(s, 5), "offered_at",
                       jsonx_time_new(store_col_int(s, 6)), "answered_at",
                       incident_time_json(store_col_int(s, 7)), "note", store_col_text(s, 8)));
  store_done(s);
  return arr;
}

int incident_get_json(struct store_conn *c, const struct actor *who,
                      const struct incident_env *env, const char *id, json_t **out,
                      struct fs_err *err)
{
  struct incident_row r;
  int rc = incident_check(c, who, id, POLICY_INCIDENT_READ, &r, err);
  struct store_stmt *s = NULL;
  if (!rc)
    rc = store_query(c, &s, err,
                     "SELECT " FULL_COLUMNS " FROM incident i JOIN org o ON o.id = i.org_id"
                     " WHERE i.id = ?",
                     "s", r.id);
  bool row = false;
  if (!rc)
    rc = store_step(s, &row, err);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "incident", "no incident \"%.64s\"", id);
  if (!rc)
    *out = case_json(s, env, who->now_ms, true);
  store_done(s);
  if (rc)
    return rc;
  json_object_set_new(*out, "assignments", assignments_json(c, r.id, err));
  static const char *const counts[][2] = {{"timeline", "incident_event"},
                                          {"tasks", "incident_task"},
                                          {"observables", "incident_observable"},
                                          {"evidence", "incident_evidence"},
                                          {"publications", "incident_publication"}};
  json_t *cj = json_object();
  for (size_t i = 0; i < FS_ARRAY_SIZE(counts); i++) {
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s WHERE incident_id = ?", counts[i][1]);
    int64_t n = 0;
    store_query_int(c, &n, NULL, err, sql, "s", r.id);
    json_object_set_new(cj, counts[i][0], json_integer(n));
  }
  json_object_set_new(*out, "counts", cj);
  return FS_OK;
}

int incident_list_json(struct store_conn *c, const struct actor *who,
                       const struct incident_env *env, const struct incident_filter *f,
                       const struct auth_page *page, json_t **out, struct fs_err *err)
{
  /* The SQL narrows to what the actor could possibly see (the whole sector for the hub's
   * readers); the policy then decides for every row. */
  struct policy_target any = {.org_id = NULL, .role = -1};
  bool all = policy_allows(who, POLICY_INCIDENT_READ, &any);
  char org_id[37] = "";
  int rc = FS_OK;
  if (f->org && (rc = org_resolve(c, f->org, org_id, err)))
    return rc == FS_ERR_NOT_FOUND ? fs_err_set(err, FS_ERR_INVALID, "org", "no organisation \"%.64s\"", f->org) : rc;
  /* Cursor: "created_at.id" of the last item. */
  int64_t after_at = INT64_MAX;
  char after_id[40] = "";
  if (page->after) {
    const char *dot = strchr(page->after, '.');
    if (!dot || dot - page->after > 19 || strlen(dot + 1) > 36)
      return fs_err_set(err, FS_ERR_INVALID, "after", "not a cursor of this list");
    char num[20];
    memcpy(num, page->after, (size_t)(dot - page->after));
    num[dot - page->after] = '\0';
    after_at = strtoll(num, NULL, 10);
    snprintf(after_id, sizeof(after_id), "%s", dot + 1);
  }
  struct store_stmt *s;
  rc = store_query(
      c, &s, err,
      "SELECT " FULL_COLUMNS " FROM incident i JOIN org o ON o.id = i.org_id"
      " WHERE (? = 1 OR i.org_id = ? OR i.id IN (SELECT a.incident_id FROM incident_assignment a"
      " JOIN incident_team_member m ON m.team_id = a.team_id WHERE m.user_id = ? AND a.status IN"
      " ('offered', 'accepted')))"
      " AND (? = '' OR i.org_id = ?) AND (? IS NULL OR i.status = ?)"
      " AND (? IS NULL OR i.category = ?) AND (? = 0 OR i.level = ?)"
      " AND (i.created_at < ? OR (i.created_at = ? AND i.id < ?))"
      " ORDER BY i.created_at DESC, i.id DESC",
      "issssssssiiiis", (int64_t)all, who->org_id, who->user_id, org_id, org_id, f->status,
      f->status, f->category, f->category, (int64_t)f->level, (int64_t)f->level, after_at,
      after_at, page->after ? after_id : "~");
  if (rc)
    return rc;
  int64_t limit = auth_page_limit(page);
  json_t *items = json_array();
  char next[80] = "";
  bool row, more = false;
  while (!(rc = store_step(s, &row, err)) && row) {
    struct policy_target t = {.org_id = store_col_text(s, 2), .role = -1, .rel = 0};
    if (!all && strcmp(t.org_id, who->org_id))
      t.rel = POLICY_REL_TEAM_OFFERED; /* selected through an assignment of the actor's team */
    if (!policy_allows(who, POLICY_INCIDENT_READ, &t))
      continue;
    if ((int64_t)json_array_size(items) == limit) {
      more = true;
      break;
    }
    json_t *item = case_json(s, env, who->now_ms, false);
    if (f->overdue && !json_is_true(json_object_get(item, "overdue"))) {
      json_decref(item);
      continue;
    }
    snprintf(next, sizeof(next), "%lld.%s", (long long)store_col_int(s, 22), store_col_text(s, 0));
    json_array_append_new(items, item);
  }
  store_done(s);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = auth_page_json(items, more ? next : NULL);
  return FS_OK;
}
