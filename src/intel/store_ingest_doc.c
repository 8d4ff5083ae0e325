/* The ingest's entry points over documents (a parsed document, STIX text for the hub's own
 * writers) and the TAXII status resource's read: thin layers over intel_ingest_batch
 * (store_ingest.c), which does the work. */
#include "intel/store_int.h"

#include "auth/policy.h"

#include <stdlib.h>
#include <string.h>

int intel_ingest(struct store_conn *c, const struct actor *who, const struct intel_collection *col,
                 struct stix_doc *doc, const struct intel_ingest_options *opt,
                 struct intel_ingest_result *res, struct fs_err *err)
{
  struct intel_batch *b;
  int rc = intel_batch_from_doc(doc, &b, err);
  if (rc) {
    memset(res, 0, sizeof(*res));
    return rc;
  }
  rc = intel_ingest_batch(c, who, col, b, opt, res, err);
  intel_batch_free(b);
  return rc;
}

void intel_ingest_result_release(struct intel_ingest_result *res)
{
  json_decref(res->successes);
  json_decref(res->failures);
  free(res->status);
  res->successes = res->failures = NULL;
  res->status = NULL;
  res->status_len = 0;
}

int intel_ingest_text(struct store_conn *c, const struct actor *who, const char *collection,
                      const char *text, size_t len, size_t *failures, struct fs_err *err)
{
  struct intel_collection col;
  struct stix_doc doc;
  int rc = intel_collection_find(c, who, collection, &col, err);
  if (!rc)
    rc = stix_doc_parse(&doc, text, len, NULL, err);
  if (rc)
    return rc;
  struct intel_ingest_result res;
  rc = intel_ingest(c, who, &col, &doc, NULL, &res, err);
  if (!rc && failures)
    *failures = res.failure;
  intel_ingest_result_release(&res);
  stix_doc_release(&doc);
  return rc;
}

int intel_status_get(struct store_conn *c, const struct actor *who, const char *id, json_t **out,
                     struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT org_id, body FROM intel_status WHERE id = ?", "s", id);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  struct policy_target t = {
      .org_id = !rc && row && !store_col_null(s, 0) ? store_col_text(s, 0) : NULL, .role = -1};
  bool mine = !rc && row && policy_allows(who, POLICY_INTEL_STATUS_READ, &t);
  if (!rc && mine)
    *out = json_loads(store_col_text(s, 1), 0, NULL);
  store_done(s);
  if (!rc && (!mine || !*out))
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "status", "no status \"%.64s\"", id);
  return rc;
}
