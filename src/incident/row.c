/* Loading a case, the visibility check every function starts with, clocks as JSON, versions. */
#include "incident/internal.h"

#include "core/i18n.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "stix/tlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int incident_name_index(const char *const *names, const char *s)
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

static void copy_col(char *dst, size_t n, struct store_stmt *s, int i)
{
  const char *v = store_col_text(s, i);
  snprintf(dst, n, "%s", v ? v : "");
}

void incident_row_from_stmt(struct store_stmt *s, struct incident_row *r)
{
  memset(r, 0, sizeof(*r));
  copy_col(r->id, sizeof(r->id), s, INCIDENT_COL_ID);
  copy_col(r->ref, sizeof(r->ref), s, INCIDENT_COL_REF);
  copy_col(r->org_id, sizeof(r->org_id), s, INCIDENT_COL_ORG_ID);
  copy_col(r->title, sizeof(r->title), s, INCIDENT_COL_TITLE);
  r->status = incident_name_index(incident_status_names, store_col_text(s, INCIDENT_COL_STATUS));
  r->level = (int)store_col_int(s, INCIDENT_COL_LEVEL);
  r->proposed_level = (int)store_col_int(s, INCIDENT_COL_PROPOSED_LEVEL);
  r->category =
      incident_name_index(incident_category_names, store_col_text(s, INCIDENT_COL_CATEGORY));
  r->tlp = stix_tlp_from_token(store_col_text(s, INCIDENT_COL_TLP));
  r->hide_reporter = store_col_int(s, INCIDENT_COL_HIDE_REPORTER) != 0;
  int64_t *t[] = {&r->discovered, &r->reported,  &r->reviewed, &r->triaged,     &r->contained,
                  &r->eradicated, &r->recovered, &r->closed,   &r->report_done, &r->created};
  for (int i = 0; i < 10; i++)
    *t[i] = store_col_int(s, INCIDENT_COL_DISCOVERED + i);
  r->version = store_col_int(s, INCIDENT_COL_VERSION);
}

int incident_row_org(struct store_conn *c, struct org_briefs *cache, struct incident_row *r,
                     struct fs_err *err)
{
  return cache ? org_briefs_get(c, cache, r->org_id, &r->org, err)
               : org_brief(c, r->org_id, &r->org, err);
}

/* The case whose id or reference is key or, with by_sector, whose sector number is. */
static int row_load(struct store_conn *c, const char *key, bool by_sector, struct incident_row *r,
                    struct fs_err *err)
{
  struct store_stmt *s;
  int rc = by_sector ? store_query(c, &s, err,
                                   "SELECT " INCIDENT_ROW_COLUMNS " FROM incident i"
                                   " WHERE i.sector_ref = ?",
                                   "s", key)
                     : store_query(c, &s, err,
                                   "SELECT " INCIDENT_ROW_COLUMNS " FROM incident i"
                                   " WHERE i.id = ? OR i.ref = ?",
                                   "ss", key, key);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "incident", "no incident \"%.64s\"", key);
  if (!rc)
    incident_row_from_stmt(s, r);
  store_done(s);
  if (!rc)
    rc = incident_row_org(c, NULL, r, err);
  return rc;
}

int incident_row_load(struct store_conn *c, const char *id_or_ref, struct incident_row *r,
                      struct fs_err *err)
{
  return row_load(c, id_or_ref, false, r, err);
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
  /* The sector number finds a case only for those who may see it: for anyone else it is as
   * unknown as a made-up one. */
  if (rc == FS_ERR_NOT_FOUND && policy_allows(who, POLICY_INCIDENT_SECTOR_REF, NULL))
    rc = row_load(c, id_or_ref, true, r, err);
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
  fs_msg_format(what, sizeof(what), NULL, 0, "incident %.40s", r->ref);
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
  const struct incident_clock_set *cs = incident_policy_clocks(&env->policy, r->org.industry);
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
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.version", "incident %s was changed meanwhile", r->ref);
  return rc;
}
