/* Renaming an object: every version of it takes a new id, for the hub's own objects whose ids
 * change form (sightings whose ids became keyed). */
#include "intel/store_int.h"

#include "audit/audit.h"
#include "core/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct version_body {
  int64_t seq;
  char *body; /* the published JSON with the new id */
};

static int nomem(struct fs_err *err)
{
  return fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
}

/* The versions of old_id with their bodies rewritten to new_id. */
static int rewrite(struct store_conn *c, const char *old_id, const char *new_id,
                   struct version_body **out, size_t *n, struct fs_err *err)
{
  struct store_stmt *s = NULL;
  int rc = store_query(c, &s, err, "SELECT seq, body FROM intel_object WHERE id = ?", "s", old_id);
  size_t cap = 0;
  bool row;
  while (!rc && !(rc = store_step(s, &row, err)) && row) {
    if (FS_VEC_GROW(*out, *n, cap, 4)) {
      rc = nomem(err);
      break;
    }
    struct version_body *v = &(*out)[(*n)++];
    v->seq = store_col_int(s, 0);
    v->body = NULL;
    json_t *obj = json_loads(store_col_text(s, 1), 0, NULL);
    if (obj && !json_object_set_new(obj, "id", json_string(new_id)))
      v->body = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!v->body)
      rc = fs_err_set(err, FS_ERR_CORRUPT, old_id, "a stored version cannot be read");
  }
  store_done(s);
  return rc;
}

int intel_object_rename(struct store_conn *c, const struct actor *who, const char *old_id,
                        const char *new_id, struct fs_err *err)
{
  if (!policy_allows(who, POLICY_INTEL_CURATE, NULL))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "object", "only the hub renames objects");
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  int64_t used = 0;
  rc = store_query_int(c, &used, NULL, err, "SELECT COUNT(*) FROM intel_object WHERE id = ?", "s",
                       new_id);
  if (!rc && used)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "object", "%.300s is in use", new_id);
  struct version_body *v = NULL;
  size_t n = 0;
  if (!rc)
    rc = rewrite(c, old_id, new_id, &v, &n, err);
  if (!rc && !n)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "object", "no object \"%.300s\"", old_id);
  for (size_t i = 0; !rc && i < n; i++)
    rc = store_exec(c, NULL, err, "UPDATE intel_object SET id = ?, body = ? WHERE seq = ?", "ssi",
                    new_id, v[i].body, v[i].seq);
  for (size_t i = 0; i < n; i++)
    free(v[i].body);
  free(v);
  /* Pages cached with the old bodies are dropped: the generation of every collection holding it. */
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE intel_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT)"
                    " WHERE key IN (SELECT 'gen:' || CAST(e.coll AS TEXT) FROM intel_object o"
                    " CROSS JOIN intel_entry e WHERE o.id = ? AND e.seq = o.seq)",
                    "s", new_id);
  if (!rc)
    rc = store_notify(c, "intel", err);
  if (!rc) {
    /* The old id is not recorded: for a keyed id, it is what must not be told. */
    json_t *d = json_pack("{s:I}", "versions", (json_int_t)n);
    rc = audit_append(c, who, "intel.rename", "object", new_id, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}
