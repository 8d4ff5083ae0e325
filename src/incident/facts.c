/* Incident facts of one organisation for supervision (scores and reports): how its incidents of
 * a period were reported, graded and recovered, judged by the legal clocks as they stood at a
 * given time. */
#include "core/jsonx.h"
#include "incident/internal.h"

#include <string.h>

/* Times after `at` had not happened yet at `at`. */
static int64_t by(int64_t t, int64_t at)
{
  return t && t <= at ? t : 0;
}

int incident_org_facts(struct store_conn *c, const struct incident_env *env, const char *org_id,
                       int64_t from, int64_t at, struct incident_org_facts *out, struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  out->records = json_array();
  struct org_brief org = {0};
  struct store_stmt *s = NULL;
  int rc =
      store_query(c, &s, err,
                  "SELECT " INCIDENT_ROW_COLUMNS " FROM incident i"
                  " WHERE i.org_id = ? AND i.status != 'merged' AND i.discovered_at >= ?"
                  " AND i.discovered_at <= ? AND i.created_at <= ? ORDER BY i.discovered_at, i.id",
                  "siii", org_id, from, at, at);
  if (rc) {
    json_decref(out->records);
    out->records = NULL;
    return rc;
  }
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    struct incident_row r;
    incident_row_from_stmt(s, &r);
    if (!org.id[0] && (rc = org_brief(c, org_id, &org, err)))
      break;
    r.org = org;
    r.reported = by(r.reported, at);
    r.reviewed = by(r.reviewed, at);
    r.triaged = by(r.triaged, at);
    r.contained = by(r.contained, at);
    r.eradicated = by(r.eradicated, at);
    r.recovered = by(r.recovered, at);
    r.closed = by(r.closed, at);
    r.report_done = by(r.report_done, at);
    struct incident_times tm;
    incident_row_times(&r, &tm);
    struct incident_clock k[INCIDENT_CLOCK__COUNT];
    incident_clocks_compute(incident_policy_clocks(&env->policy, r.org.industry), &tm, at, k);
    /* A draft the organisation never confirmed (a sector alert the hub opened) was not reported. */
    bool draft = r.status == INCIDENT_DRAFT || !r.reported;
    const char *report = draft                                                  ? "unreported"
                         : k[INCIDENT_CLOCK_REPORT].state == INCIDENT_CLOCK_MET ? "on-time"
                                                                                : "late";
    bool major = r.level >= 3;
    out->total++;
    if (major) {
      out->major++;
      out->major_on_time += !strcmp(report, "on-time");
      out->major_late += !strcmp(report, "late");
      out->major_unreported += !strcmp(report, "unreported");
    }
    const char *recovery = incident_clock_state_names[k[INCIDENT_CLOCK_RECOVERY].state];
    if (k[INCIDENT_CLOCK_RECOVERY].state == INCIDENT_CLOCK_MET)
      out->recovery_met++;
    else if (k[INCIDENT_CLOCK_RECOVERY].state == INCIDENT_CLOCK_LATE ||
             k[INCIDENT_CLOCK_RECOVERY].state == INCIDENT_CLOCK_OVERDUE)
      out->recovery_missed++;
    for (int i = 0; i < INCIDENT_CLOCK__COUNT; i++) {
      if (k[i].state == INCIDENT_CLOCK_PENDING || k[i].state == INCIDENT_CLOCK_RUNNING)
        continue;
      out->clocks_decided++;
      out->clocks_met += k[i].state == INCIDENT_CLOCK_MET;
    }
    json_array_append_new(out->records,
                          json_pack("{s:s,s:s,s:i,s:s,s:s,s:o}", "id", r.id, "ref", r.ref, "level",
                                    r.level, "report", report, "recovery", recovery,
                                    "discovered_at", jsonx_time_new(r.discovered)));
  }
  store_done(s);
  if (rc) {
    json_decref(out->records);
    out->records = NULL;
  }
  return rc;
}
