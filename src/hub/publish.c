/* Incident publications into the intelligence store. */
#include "hub/hub.h"

#include "intel/intel.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int hub_incident_publisher(void *ctx, const char *incident_id, const struct json_t *bundle,
                           bool hide_reporter, struct fs_err *err)
{
  struct hub_publish_ctx *p = ctx;
  struct intel_collection col;
  int rc = intel_collection_find(p->c, p->who, "submissions", &col, err);
  if (rc)
    return rc;
  char *text = json_dumps((const json_t *)bundle, JSON_COMPACT);
  if (!text)
    return fs_err_set(err, FS_ERR_NOMEM, "publication", "out of memory");
  struct stix_doc doc;
  rc = stix_doc_parse(&doc, text, strlen(text), NULL, err);
  if (rc) {
    free(text);
    return rc;
  }
  struct intel_ingest_options opt = {.anonymous = hide_reporter};
  struct intel_ingest_result ir;
  rc = intel_ingest(p->c, p->who, &col, &doc, &opt, &ir, err);
  if (!rc && ir.failure)
    rc = fs_err_set(err, FS_ERR_INVALID, incident_id,
                    "intelligence refused %zu of the %zu published objects", ir.failure, ir.total);
  intel_ingest_result_release(&ir);
  stix_doc_release(&doc);
  free(text); /* after the ingest: the document's objects point into it */
  return rc;
}
