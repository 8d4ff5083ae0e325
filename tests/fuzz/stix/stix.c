/* Fuzz target: STIX documents through the parser and validator, then the metadata, version and
 * SCO id functions on every object. */
#include "stix/stix.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct intel_stix_limits lim = {.max_bytes = 1 << 20, .max_objects = 1000};
  struct intel_stix_doc doc;
  struct fs_err err;
  if (intel_stix_doc_parse(&doc, (const char *)data, size, &lim, &err))
    return 0;
  const json_t *prev = NULL;
  for (size_t i = 0; i < doc.n; i++) {
    const json_t *o = doc.results[i].object;
    struct intel_stix_meta m;
    intel_stix_meta_get(o, &m, &err);
    char id[INTEL_STIX_ID_MAX];
    bool det;
    intel_stix_sco_id(o, id, &det, &err);
    if (prev)
      intel_stix_version_cmp(prev, o);
    prev = o;
  }
  intel_stix_doc_release(&doc);
  return 0;
}
