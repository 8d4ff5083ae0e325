/* Helpers shared by the files of incident/ (not part of its interface). */
#ifndef FS_INCIDENT_INTERNAL_H
#define FS_INCIDENT_INTERNAL_H

#include "auth/org.h"
#include "auth/policy.h"
#include "incident/incident.h"

/* The fields of a case the module's functions check before they change it. */
struct incident_row {
  char id[37];
  char ref[INCIDENT_REF_MAX];
  char org_id[37];
  struct org_brief org; /* the reporting organisation (auth's; incident_row_org) */
  char title[256];
  int status;
  int level;
  int proposed_level;
  int category;
  enum tlp_level tlp; /* TLP_NONE when the stored value is unknown */
  bool hide_reporter;
  int64_t discovered, reported, reviewed, triaged, contained, eradicated, recovered, closed,
      report_done, created;
  int64_t version;
};

/* The columns incident_row_from_stmt reads, from "incident i", in the order of enum
 * incident_row_col; a query may select more after them (from INCIDENT_ROW_NCOLS on). */
#define INCIDENT_ROW_COLUMNS                                                                       \
  "i.id, i.ref, i.org_id, i.title, i.status, i.level, i.proposed_level, i.category, i.tlp, "       \
  "i.hide_reporter, i.discovered_at, i.reported_at, i.level_reviewed_at, i.triaged_at, "           \
  "i.contained_at, i.eradicated_at, i.recovered_at, i.closed_at, i.report_done_at, "               \
  "i.created_at, i.version"
enum incident_row_col {
  INCIDENT_COL_ID,
  INCIDENT_COL_REF,
  INCIDENT_COL_ORG_ID,
  INCIDENT_COL_TITLE,
  INCIDENT_COL_STATUS,
  INCIDENT_COL_LEVEL,
  INCIDENT_COL_PROPOSED_LEVEL,
  INCIDENT_COL_CATEGORY,
  INCIDENT_COL_TLP,
  INCIDENT_COL_HIDE_REPORTER,
  INCIDENT_COL_DISCOVERED, /* ... the ten times of struct incident_row, in its order ... */
  INCIDENT_COL_CREATED = INCIDENT_COL_DISCOVERED + 9,
  INCIDENT_COL_VERSION,
  INCIDENT_ROW_NCOLS,
};
/* The case's own columns; r->org is left empty (incident_row_org fills it). */
void incident_row_from_stmt(struct store_stmt *s, struct incident_row *r);
/* Fills r->org, the reporting organisation's brief, through auth (cache may be NULL). */
int incident_row_org(struct store_conn *c, struct org_briefs *cache, struct incident_row *r,
                     struct fs_err *err);
/* Index of s in a NULL-terminated list of names, -1 when absent. */
int incident_name_index(const char *const *names, const char *s);

/* Finds the case by id or reference (or sector number, for POLICY_INCIDENT_SECTOR_REF), computes
 * the actor's relation to it (teams offered or
 * assigned), and checks POLICY_INCIDENT_READ (FS_ERR_NOT_FOUND when refused: existence is not
 * revealed) and then `act` (FS_ERR_FORBIDDEN). act POLICY_INCIDENT_READ checks only the first. */
int incident_check(struct store_conn *c, const struct actor *who, const char *id_or_ref,
                   enum policy_action act, struct incident_row *r, struct fs_err *err);
/* Loads the row without any policy check (background work). */
int incident_row_load(struct store_conn *c, const char *id_or_ref, struct incident_row *r,
                      struct fs_err *err);
void incident_row_times(const struct incident_row *r, struct incident_times *t);
/* The clocks of a row as a JSON array (with Asia/Taipei display times). */
json_t *incident_clocks_json(const struct incident_env *env, const struct incident_row *r,
                             int64_t now);
/* Bumps updated_at and version of the case; with a version given, a stale one is
 * FS_ERR_CONFLICT. */
int incident_touch(struct store_conn *c, const struct actor *who, const struct incident_row *r,
                   bool has_version, int64_t version, struct fs_err *err);
/* The lists of a case: checks `act` on the case (see incident_check), runs sql with the case id
 * bound to its one '?', and builds {"items": [item(row) ...]} (caller owns *out). */
typedef json_t *(*incident_item_fn)(struct store_stmt *s, const struct actor *who);
int incident_items_json(struct store_conn *c, const struct actor *who, const char *id,
                        enum policy_action act, const char *sql, incident_item_fn item,
                        json_t **out, struct fs_err *err);
/* "2026-11-27 20:00:00 +08:00" into out (48 bytes); "" for 0. */
void incident_local_time(int64_t ms, char out[48]);
json_t *incident_time_json(int64_t ms); /* RFC 3339 UTC or null for 0 */

/* ---- notifications (notify.c) ------------------------------------------------------------- */

enum notify_to {
  NOTIFY_TO_HUB = 1 << 0,  /* the hub's mailbox (notify.hub_email) */
  NOTIFY_TO_CISO = 1 << 1, /* the reporting organisation's CISO contact */
  NOTIFY_TO_TEAM = 1 << 2, /* the contact address given (a response team) */
};
/* Queues an e-mail to each recipient in `to` and a signed webhook post (when notify.webhook_url
 * is set) about the case, in the caller's transaction; delivery is the worker's. */
int notify_incident(struct store_conn *c, const struct incident_env *env,
                    const struct incident_row *r, const char *event, unsigned to,
                    const char *team_email, const char *msg_en, const char *msg_zh, int64_t now,
                    struct fs_err *err);

#endif
