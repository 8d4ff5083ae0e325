/* finshield migrate: the hub's database copied into PostgreSQL, checked, resumable. */
#include "hub/hub.h"

#include "audit/audit.h"
#include "core/progress.h"

#include <stdio.h>
#include <string.h>

int hub_migrate(struct hub *h, const char *url, int64_t sample, struct fs_progress *progress,
                struct hub_migrate_report *out, struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  struct store_options so = {
      .backend = "postgresql",
      .url = url,
      .busy_timeout_ms = h->cfg.busy_timeout_ms,
      .sync_full = true,
      .max_conns = 1,
      .create = true,
  };
  struct store *to_store = NULL;
  struct store_conn *to = NULL, *from = NULL;
  int rc = store_open(&so, &to_store, err);
  if (!rc) {
    /* The copy's audit records are checked with this hub's keys. */
    store_set_keyring(to_store, &h->audit);
    rc = store_acquire(to_store, &to, err);
  }
  if (!rc)
    rc = store_acquire(h->store, &from, err);
  if (!rc)
    rc = store_copy_begin(to, &out->resumed, err);
  if (!rc)
    rc = hub_schema_update(to, err);
  if (!rc)
    rc = store_copy_prepare(to, err);
  struct store_copy_stats st;
  if (!rc)
    rc = store_copy_rows(from, to, progress, &st, err);
  out->rows_copied = rc ? 0 : st.rows;
  if (!rc)
    rc = store_copy_verify(from, to, sample, &st, err);
  if (!rc) {
    out->tables = st.tables;
    out->rows = st.rows;
    out->compared = st.compared;
  }
  /* The trail: the copy's chain checked whole, up to the source's head. */
  struct audit_report ar;
  if (!rc)
    rc = audit_head(from, out->audit_head, err);
  if (!rc)
    rc = audit_verify(to, out->audit_head, &ar, err);
  if (!rc && ar.kind != AUDIT_INTACT)
    rc = fs_err_set(err, FS_ERR_CORRUPT, "verify", "the copy's audit trail does not verify: %s",
                    ar.message);
  out->audit_records = rc ? 0 : ar.checked;
  if (!rc)
    rc = store_copy_finish(to, err);
  if (from)
    store_release(h->store, from);
  if (to)
    store_release(to_store, to);
  store_free(to_store);
  return rc;
}
