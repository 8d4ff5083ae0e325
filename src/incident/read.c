/* Reading cases: one case with its clocks, proposal and assignments; the visible list. */
#include "incident/internal.h"

#include "auth/org.h"
#include "core/jsonx.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *proposal_json(const struct incident_level_proposal *p)
{
  char en[320], zh[320];
  incident_level_reason(p, false, en, sizeof(en));
  incident_level_reason(p, true, zh, sizeof(zh));
  json_t *matched = json_array();
  for (size_t i = 0; i < p->nmatched; i++)
    json_array_append_new(matched, json_string(p->matched[i]->id));
  return json_pack("{s:i,s:s,s:s,s:s,s:o}", "level", p->level, "rule", p->rule->id, "reason_en", en,
                   "reason_zh", zh, "matched", matched);
}

/* Reads the stored impact answers back; false when damaged. */
static bool impact_from_json(json_t *o, struct incident_impact *m)
{
  m->system_class = incident_name_index(incident_class_names,
                                        json_string_value(json_object_get(o, "system_class")));
  m->data_class = incident_name_index(incident_class_names,
                                      json_string_value(json_object_get(o, "data_class")));
  m->confidentiality = incident_name_index(
      incident_severity_names, json_string_value(json_object_get(o, "confidentiality")));
  m->integrity = incident_name_index(incident_severity_names,
                                     json_string_value(json_object_get(o, "integrity")));
  m->availability = incident_name_index(incident_availability_names,
                                        json_string_value(json_object_get(o, "availability")));
  return !incident_impact_check(m, NULL);
}

/* ---- reads -------------------------------------------------------------------------------- */

#define FULL_COLUMNS                                                                               \
  INCIDENT_ROW_COLUMNS ", i.reporter_user, i.reporter_name, i.description, i.services, i.impact, " \
                       "i.proposed_rule, i.level_reason, i.level_reviewed_by, i.source_alert, "    \
                       "i.merged_into, i.updated_at, i.sector_ref"
enum full_col {
  COL_REPORTER_USER = INCIDENT_ROW_NCOLS,
  COL_REPORTER_NAME,
  COL_DESCRIPTION,
  COL_SERVICES,
  COL_IMPACT,
  COL_PROPOSED_RULE,
  COL_LEVEL_REASON,
  COL_LEVEL_REVIEWED_BY,
  COL_SOURCE_ALERT,
  COL_MERGED_INTO,
  COL_UPDATED_AT,
  COL_SECTOR_REF,
};

/* One case of organisation org; its sector number only for those who may see it (sector). */
static json_t *case_json(struct store_stmt *s, const struct org_brief *org,
                         const struct incident_env *env, int64_t now, bool full, bool sector)
{
  struct incident_row r;
  incident_row_from_stmt(s, &r);
  r.org = *org;
  json_t *o = json_pack(
      "{s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s},s:s,s:s,s:s,s:i,s:s,s:b,s:s,s:b,s:o,s:o,s:I}", "id", r.id,
      "ref", r.ref, "org", "id", r.org_id, "code", r.org.code, "name_zh", r.org.name_zh, "name_en",
      r.org.name_en, "industry", r.org.industry, "title", r.title, "category",
      store_col_text(s, INCIDENT_COL_CATEGORY), "status", store_col_text(s, INCIDENT_COL_STATUS),
      "level", r.level, "level_state", r.reviewed ? "reviewed" : "proposed", "hide_reporter",
      r.hide_reporter, "tlp", store_col_text(s, INCIDENT_COL_TLP), "overdue", false, "created_at",
      jsonx_time_new(r.created), "updated_at", jsonx_time_new(store_col_int(s, COL_UPDATED_AT)),
      "version", (json_int_t)r.version);
  if (sector)
    json_object_set_new(o, "sector_ref", json_pack("s?", store_col_text(s, COL_SECTOR_REF)));
  json_t *clocks = incident_clocks_json(env, &r, now);
  size_t i;
  json_t *k;
  json_array_foreach(clocks, i,
                     k) if (!strcmp(json_string_value(json_object_get(k, "state")), "overdue"))
      json_object_set_new(o, "overdue", json_true());
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
  json_t *services = json_loads(store_col_text(s, COL_SERVICES), 0, NULL);
  json_t *impact = json_loads(store_col_text(s, COL_IMPACT), 0, NULL);
  json_object_set_new(o, "services", services ? services : json_array());
  json_object_set_new(o, "description", json_string(store_col_text(s, COL_DESCRIPTION)));
  json_object_set_new(o, "reporter",
                      json_pack("{s:s?,s:s}", "user_id", store_col_text(s, COL_REPORTER_USER),
                                "name", store_col_text(s, COL_REPORTER_NAME)));
  struct incident_impact m;
  if (impact && impact_from_json(impact, &m)) {
    struct incident_level_proposal p;
    incident_level_propose(&m, &p);
    json_object_set_new(o, "proposal", proposal_json(&p));
  }
  json_object_set_new(o, "impact", impact ? impact : json_object());
  json_object_set_new(o, "level_reason", json_pack("s?", store_col_text(s, COL_LEVEL_REASON)));
  json_object_set_new(o, "level_reviewed_by",
                      json_pack("s?", store_col_text(s, COL_LEVEL_REVIEWED_BY)));
  json_object_set_new(o, "source_alert", json_pack("s?", store_col_text(s, COL_SOURCE_ALERT)));
  json_object_set_new(o, "merged_into", json_pack("s?", store_col_text(s, COL_MERGED_INTO)));
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
        arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s?}", "id", store_col_text(s, 0), "team",
                       store_col_text(s, 1), "team_name_en", store_col_text(s, 2), "team_name_zh",
                       store_col_text(s, 3), "kind", store_col_text(s, 4), "status",
                       store_col_text(s, 5), "offered_at", jsonx_time_new(store_col_int(s, 6)),
                       "answered_at", incident_time_json(store_col_int(s, 7)), "note",
                       store_col_text(s, 8)));
  store_done(s);
  return arr;
}

int incident_get_json(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                      const char *id, json_t **out, struct fs_err *err)
{
  struct incident_row r;
  int rc = incident_check(c, who, id, POLICY_INCIDENT_READ, &r, err);
  struct store_stmt *s = NULL;
  if (!rc)
    rc = store_query(c, &s, err, "SELECT " FULL_COLUMNS " FROM incident i WHERE i.id = ?", "s",
                     r.id);
  bool row = false;
  if (!rc)
    rc = store_step(s, &row, err);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "incident", "no incident \"%.64s\"", id);
  if (!rc)
    *out = case_json(s, &r.org, env, who->now_ms, true,
                     policy_allows(who, POLICY_INCIDENT_SECTOR_REF, NULL));
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
  bool sector = policy_allows(who, POLICY_INCIDENT_SECTOR_REF, NULL);
  char org_id[37] = "";
  int rc = FS_OK;
  if (f->org && (rc = org_resolve(c, f->org, org_id, err)))
    return rc == FS_ERR_NOT_FOUND
               ? fs_err_set(err, FS_ERR_INVALID, "org", "no organisation \"%.64s\"", f->org)
               : rc;
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
      "SELECT " FULL_COLUMNS " FROM incident i"
      " WHERE (? = 1 OR i.org_id = ? OR i.id IN (SELECT a.incident_id FROM incident_assignment a"
      " JOIN incident_team_member m ON m.team_id = a.team_id WHERE m.user_id = ? AND a.status IN"
      " ('offered', 'accepted')))"
      " AND (? = '' OR i.org_id = ?) AND (? IS NULL OR i.status = ?)"
      " AND (? IS NULL OR i.category = ?) AND (? = 0 OR i.level = ?)"
      " AND (i.created_at < ? OR (i.created_at = ? AND i.id < ?))"
      " ORDER BY i.created_at DESC, i.id DESC",
      "issssssssiiiis", (int64_t)all, who->org_id, who->user_id, org_id, org_id, f->status,
      f->status, f->category, f->category, (int64_t)f->level, (int64_t)f->level, after_at, after_at,
      page->after ? after_id : "~");
  if (rc)
    return rc;
  int64_t limit = auth_page_limit(page);
  json_t *items = json_array();
  char next[80] = "";
  bool row, more = false;
  struct org_briefs orgs = {0};
  while (!(rc = store_step(s, &row, err)) && row) {
    struct policy_target t = {.org_id = store_col_text(s, INCIDENT_COL_ORG_ID), .role = -1};
    if (!all && strcmp(t.org_id, who->org_id))
      t.rel = POLICY_REL_TEAM_OFFERED; /* selected through an assignment of the actor's team */
    if (!policy_allows(who, POLICY_INCIDENT_READ, &t))
      continue;
    if ((int64_t)json_array_size(items) == limit) {
      more = true;
      break;
    }
    struct org_brief org;
    if ((rc = org_briefs_get(c, &orgs, t.org_id, &org, err)))
      break;
    json_t *item = case_json(s, &org, env, who->now_ms, false, sector);
    if (f->overdue && !json_is_true(json_object_get(item, "overdue"))) {
      json_decref(item);
      continue;
    }
    snprintf(next, sizeof(next), "%lld.%s", (long long)store_col_int(s, INCIDENT_COL_CREATED),
             store_col_text(s, INCIDENT_COL_ID));
    json_array_append_new(items, item);
  }
  store_done(s);
  org_briefs_release(&orgs);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = auth_page_json(items, more ? next : NULL);
  return FS_OK;
}
