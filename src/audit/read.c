/* Reading the audit trail: records as JSON, exported in order. */
#include "audit/audit_int.h"

#include "core/buf.h"
#include "core/jsonx.h"

json_t *audit_record_json(struct store_stmt *row)
{
  struct audit_row r;
  audit_read_row(row, &r);
  json_error_t je;
  json_t *detail = json_loads(audit_nz(r.detail), 0, &je);
  return json_pack("{s:I,s:o,s:s?,s:s,s:s?,s:s,s:s,s:s,s:s?,s:o,s:s,s:s,s:s}", "seq",
                   (json_int_t)r.seq, "at", jsonx_time_new(r.at), "actor_user", r.actor_user,
                   "actor_name", audit_nz(r.actor_name), "actor_org", r.actor_org, "source",
                   audit_nz(r.source), "action", audit_nz(r.action), "object_type", audit_nz(r.object_type),
                   "object_id", r.object_id, "detail", detail ? detail : json_null(), "digest",
                   audit_nz(r.digest), "prev_hash", audit_nz(r.prev_hash), "hash", audit_nz(r.hash));
}

int audit_export(struct store_conn *c, int64_t after_seq, int64_t limit, const char *org_id,
                 audit_emit_fn emit, void *ctx, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = org_id ? store_query(c, &s, err,
                                "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE seq > ? AND actor_org = ?"
                                " ORDER BY seq LIMIT ?",
                                "isi", after_seq, org_id, limit > 0 ? limit : INT64_MAX)
                  : store_query(c, &s, err,
                                "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                                "ii", after_seq, limit > 0 ? limit : INT64_MAX);
  if (rc)
    return rc;
  struct fs_buf b;
  fs_buf_init(&b, 8 << 20);
  bool row = true;
  while (!rc) {
    if ((rc = store_step(s, &row, err)) || !row)
      break;
    json_t *j = audit_record_json(s);
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
