/* Reading the audit trail: records as JSON, in order; whole for the hub's roles, and without the
 * actor of anonymous actions for everyone else. */
#include "audit/audit_int.h"

#include "core/buf.h"
#include "core/jsonx.h"

#include <string.h>

#define HOUR_MS 3600000
/* The record, whether it is an anonymous action, and whether the record before it is one (NULL
 * for the first record). */
#define READ_COLUMNS                                                                               \
  AUDIT_COLUMNS ", anonymous,"                                                                     \
                " (SELECT p.anonymous FROM audit_log p WHERE p.seq = audit_log.seq - 1)"

static json_t *record_json(struct store_stmt *s, enum audit_view view, int64_t keyed_from)
{
  struct audit_row r;
  audit_read_row(s, &r);
  bool redact = view == AUDIT_VIEW_REDACTED;
  /* Who did an anonymous action is for the hub's roles: others get no actor, no source address
   * and only the hour, so that neither names nor times tie the record to the objects it stored. */
  bool hide = redact && store_col_int(s, 13);
  /* A hash made before the chain was keyed is a plain SHA-256 over the actor and the rest: it
   * could be tried against guesses of the actor. It is withheld, and so is the next record's
   * link to it. Keyed hashes cannot be tried without the hub's key: they are shown. */
  bool hide_hash = hide && r.seq < keyed_from;
  bool hide_link = redact && store_col_int(s, 14) && r.seq - 1 < keyed_from;
  json_t *detail = json_loads(audit_nz(r.detail), 0, NULL);
  json_t *j = json_pack(
      "{s:I,s:o,s:s?,s:s?,s:s?,s:s?,s:s,s:s,s:s?,s:o,s:s,s:s?,s:s?}", "seq", (json_int_t)r.seq,
      "at", jsonx_time_new(hide ? r.at - r.at % HOUR_MS : r.at), "actor_user",
      hide ? NULL : r.actor_user, "actor_name", hide ? NULL : audit_nz(r.actor_name), "actor_org",
      hide ? NULL : r.actor_org, "source", hide ? NULL : audit_nz(r.source), "action",
      audit_nz(r.action), "object_type", audit_nz(r.object_type), "object_id", r.object_id,
      "detail", detail ? detail : json_null(), "digest", audit_nz(r.digest), "prev_hash",
      hide_link ? NULL : audit_nz(r.prev_hash), "hash", hide_hash ? NULL : audit_nz(r.hash));
  if (j && hide)
    json_object_set_new(j, "actor_hidden", json_true());
  return j;
}

int audit_export(struct store_conn *c, int64_t after_seq, int64_t limit, const char *org_id,
                 enum audit_view view, audit_emit_fn emit, void *ctx, struct fs_err *err)
{
  const struct audit_keys *k = audit_store_keys(c);
  struct audit_mark m = {0};
  int rc = k ? FS_OK : audit_mark_read(c, NULL, &m, err);
  if (rc)
    return rc;
  int64_t keyed_from = k ? k->keyed_from : m.found ? m.seq : INT64_MAX;
  struct store_stmt *s;
  /* An organisation filter finds anonymous actions only for the hub's roles: for anyone else
   * it would name the organisation that did them. */
  rc = org_id ? store_query(c, &s, err,
                            "SELECT " READ_COLUMNS " FROM audit_log WHERE seq > ? AND actor_org = ?"
                            " AND (anonymous = 0 OR ? = 1) ORDER BY seq LIMIT ?",
                            "isii", after_seq, org_id, (int64_t)(view == AUDIT_VIEW_FULL),
                            limit > 0 ? limit : INT64_MAX)
              : store_query(c, &s, err,
                            "SELECT " READ_COLUMNS
                            " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                            "ii", after_seq, limit > 0 ? limit : INT64_MAX);
  if (rc)
    return rc;
  struct fs_buf b;
  fs_buf_init(&b, 8 << 20);
  bool row = true;
  while (!rc) {
    if ((rc = store_step(s, &row, err)) || !row)
      break;
    json_t *j = record_json(s, view, keyed_from);
    fs_buf_reset(&b);
    rc = j ? jsonx_dump(j, &b) : FS_ERR_NOMEM;
    json_decref(j);
    if (!rc)
      rc = emit(fs_buf_cstr(&b), b.len, ctx);
  }
  fs_buf_release(&b);
  store_done(s);
  return rc;
}
