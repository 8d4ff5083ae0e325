/* Alerts as people work them: filtered pages (either order), one alert, and its review
 * (acknowledged, false positive), all through the one policy. */
#include "soc/soc_int.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "auth/policy.h"
#include "core/jsonx.h"

#include <stdio.h>
#include <string.h>

const char *const soc_alert_status_names[] = {"new", "acknowledged", "false_positive", NULL};

/* Which organisation's alerts the actor may list (org_id "" for every one): the hub's roles read
 * every organisation's, a member its own (POLICY_SOC_ALERTS_READ). */
static int scope(struct store_conn *c, const struct actor *who, const char *org, char org_id[37],
                 struct fs_err *err)
{
  org_id[0] = '\0';
  int rc;
  if (org && (rc = org_resolve(c, org, org_id, err)))
    return rc;
  struct policy_target every = {.org_id = NULL, .role = -1};
  struct policy_target own = {.org_id = who->org_id, .role = -1};
  struct policy_target named = {.org_id = org_id, .role = -1};
  if (policy_allows(who, POLICY_SOC_ALERTS_READ, &every))
    return FS_OK;
  if (!policy_allows(who, POLICY_SOC_ALERTS_READ, &own))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "alerts",
                      "the supervisor sees the sector's statistics, not members' alerts");
  if (org_id[0] && !policy_allows(who, POLICY_SOC_ALERTS_READ, &named))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "alerts",
                      "only the hub sees other organisations' alerts");
  snprintf(org_id, 37, "%s", who->org_id);
  return FS_OK;
}

/* The page's statement, in one direction: each walks the sequence number's index its own way.
 * An organisation, a value or a source given is an equality term of its own (ANY: the filter is
 * NULL and matches all; EQ: it is given), so that SQLite walks that column's index in seq order
 * (soc_alert_org, soc_alert_value, soc_alert_source) instead of every alert. */
#define ANY(col) " AND (? IS NULL OR a." col " = ?)"
#define EQ(col) " AND ? IS NOT NULL AND a." col " = ?"
#define FIND_SQL(cmp, dir, org, value, source)                                                     \
  "SELECT " ALERT_COLUMNS " FROM soc_alert a"                                                      \
  " WHERE a.seq " cmp                                                                              \
  " ?" org("org_id") " AND (? IS NULL OR a.kind = ?) AND (? IS NULL OR a.ref = ?)" value("value")  \
      source("source") " AND (? IS NULL OR a.status = ?)"                                          \
                       " AND a.last_at >= ? AND a.last_at < ? ORDER BY a.seq " dir " LIMIT ?"
#define FIND_DIRS(org, value, source)                                                              \
  {                                                                                                \
    FIND_SQL(">", "ASC", org, value, source), FIND_SQL("<", "DESC", org, value, source)            \
  }
/* [org given][value given][source given][newest first] */
static const char *const find_sql[2][2][2][2] = {
    {{FIND_DIRS(ANY, ANY, ANY), FIND_DIRS(ANY, ANY, EQ)},
     {FIND_DIRS(ANY, EQ, ANY), FIND_DIRS(ANY, EQ, EQ)}},
    {{FIND_DIRS(EQ, ANY, ANY), FIND_DIRS(EQ, ANY, EQ)},
     {FIND_DIRS(EQ, EQ, ANY), FIND_DIRS(EQ, EQ, EQ)}},
};

int soc_alerts_each(struct store_conn *c, const struct actor *who, const struct soc_alert_filter *f,
                    soc_alert_fn fn, void *ctx, int64_t *next, int64_t *read_to, struct fs_err *err)
{
  char org_id[37];
  *next = 0;
  int rc = scope(c, who, f->org, org_id, err);
  if (rc)
    return rc;
  const char *org = org_id[0] ? org_id : NULL;
  int64_t until = f->until_ms > 0 ? f->until_ms : INT64_MAX;
  const char *sql = find_sql[org != NULL][f->value != NULL][f->source != NULL][f->newest_first];
  /* Other organisations' alerts from indicators the reader may not see are left out: read on in
   * batches past them until the page is full and one more alert it sees follows, or no row is
   * left, within a budget so that rows it may not see cannot make one call unbounded. pos is the
   * last row read, in the page's order. */
  int64_t pos = f->after > 0 ? f->after : (f->newest_first ? INT64_MAX : 0);
  int64_t batch = f->limit + 1 < 200 ? 200 : f->limit + 1, budget = 20 * f->limit + 2000;
  int64_t scanned = 0, returned = 0;
  bool exhausted = false, more = false;
  struct org_briefs orgs = {0};
  while (!rc && !exhausted && !more && scanned < budget) {
    struct store_stmt *s;
    rc = store_query(c, &s, err, sql, "issssssssssssiii", pos, org, org, f->kind, f->kind, f->ref,
                     f->ref, f->value, f->value, f->source, f->source, f->status, f->status,
                     f->since_ms, until, batch);
    if (rc)
      break;
    bool row;
    int64_t got = 0;
    while (!(rc = store_step(s, &row, err)) && row) {
      got++;
      scanned++;
      if (soc_alert_shown(c, who, store_col_text(s, 2), store_col_text(s, 3),
                          store_col_text(s, 4))) {
        if (returned == f->limit) {
          more = true; /* an alert the reader sees follows the page */
          break;
        }
        struct org_brief of;
        if ((rc = org_briefs_get(c, &orgs, store_col_text(s, 2), &of, err)))
          break;
        json_t *item = soc_alert_json(s, of.code, who->local);
        rc = item ? fn(ctx, item, store_col_int(s, 0)) : FS_ERR_NOMEM;
        json_decref(item);
        if (rc) {
          fs_err_set(err, (enum fs_code)rc, "alerts", "cannot list the alerts");
          break;
        }
        returned++;
      }
      pos = store_col_int(s, 0);
    }
    store_done(s);
    if (!rc && got < batch)
      exhausted = true;
  }
  org_briefs_release(&orgs);
  /* Budget spent: the reader goes on from the last row read, which the caller seals. */
  if (!rc && (more || (!exhausted && scanned >= budget)))
    *next = pos;
  if (!rc && read_to)
    *read_to = pos;
  return rc;
}

static int append_item(void *ctx, json_t *item, int64_t pos)
{
  (void)pos;
  return json_array_append(ctx, item) ? FS_ERR_NOMEM : FS_OK;
}

int soc_alerts_json(struct store_conn *c, const struct actor *who, const struct soc_alert_filter *f,
                    json_t **out, int64_t *next, struct fs_err *err)
{
  json_t *items = json_array();
  int rc = items ? soc_alerts_each(c, who, f, append_item, items, next, NULL, err)
                 : fs_err_set(err, FS_ERR_NOMEM, "alerts", "out of memory");
  if (!rc && !(*out = json_pack("{s:o}", "items", items)))
    rc = fs_err_set(err, FS_ERR_NOMEM, "alerts", "out of memory");
  else if (rc)
    json_decref(items);
  return rc;
}

/* Steps s (one alert by id) and tells whether the actor may see the row it found. */
static int visible_row(struct store_conn *c, const struct actor *who, struct store_stmt *s,
                       const char *id, struct fs_err *err)
{
  bool row = false;
  int rc = store_step(s, &row, err);
  if (rc)
    return rc;
  struct policy_target t = {.org_id = row ? store_col_text(s, 2) : NULL, .role = -1};
  bool sees =
      row && policy_allows(who, POLICY_SOC_ALERTS_READ, &t) &&
      soc_alert_shown(c, who, store_col_text(s, 2), store_col_text(s, 3), store_col_text(s, 4));
  return sees ? FS_OK : fs_err_set(err, FS_ERR_NOT_FOUND, "alert", "no alert \"%.64s\"", id);
}

int soc_alert_get_json(struct store_conn *c, const struct actor *who, const char *id, json_t **out,
                       struct fs_err *err)
{
  struct store_stmt *s;
  int rc =
      store_query(c, &s, err, "SELECT " ALERT_COLUMNS " FROM soc_alert a WHERE a.id = ?", "s", id);
  if (rc)
    return rc;
  rc = visible_row(c, who, s, id, err);
  struct org_brief of;
  if (!rc)
    rc = org_brief(c, store_col_text(s, 2), &of, err);
  if (!rc && !(*out = soc_alert_json(s, of.code, who->local)))
    rc = fs_err_set(err, FS_ERR_NOMEM, "alert", "out of memory");
  store_done(s);
  return rc;
}

int soc_alert_review(struct store_conn *c, const struct actor *who, const char *id,
                     const char *status, const char *note, json_t **out, struct fs_err *err)
{
  bool known = false;
  for (int i = 0; soc_alert_status_names[i]; i++)
    known |= status && !strcmp(status, soc_alert_status_names[i]);
  if (!known)
    return fs_err_set(err, FS_ERR_INVALID, "$.status",
                      "status must be \"new\", \"acknowledged\" or \"false_positive\"");
  if (note && strlen(note) > 1000)
    return fs_err_set(err, FS_ERR_INVALID, "$.note", "a note holds at most 1000 bytes");
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct store_stmt *s;
  char org_id[37] = "";
  rc = store_query(c, &s, err, "SELECT " ALERT_COLUMNS " FROM soc_alert a WHERE a.id = ?", "s", id);
  if (!rc) {
    rc = visible_row(c, who, s, id, err);
    if (!rc)
      snprintf(org_id, sizeof(org_id), "%s", store_col_text(s, 2));
    store_done(s);
  }
  struct policy_target t = {.org_id = org_id, .role = -1};
  char what[96];
  snprintf(what, sizeof(what), "alert %.64s", id);
  if (!rc)
    rc = policy_check(who, POLICY_ALERT_REVIEW, &t, what, err);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE soc_alert SET status = ?, reviewed_by = ?, reviewed_at = ?,"
                    " review_note = ? WHERE id = ?",
                    "ssiss", status, who->username, who->now_ms, note, id);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s?}", "status", status, "note", note);
    rc = audit_append(c, who, "alert.review", "alert", id, d, err);
    json_decref(d);
  }
  rc = store_tx_leave(c, owned, rc, err);
  if (!rc && out)
    rc = soc_alert_get_json(c, who, id, out, err);
  return rc;
}
