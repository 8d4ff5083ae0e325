/* Fuzz target: STIX documents through the parser and validator, then the metadata, version and
 * SCO id functions on every object. */
#include "stix/stix.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct stix_limits lim = {.max_bytes = 1 << 20, .max_objects = 1000};
  struct stix_doc doc;
  struct fs_err err;
  if (stix_doc_parse(&doc, (const char *)data, size, &lim, &err))
    return 0;
  const json_t *prev = NULL;
  for (size_t i = 0; i < doc.n; i++) {
    const json_t *o = doc.results[i].object;
    struct stix_meta m;
    stix_meta_get(o, &m, &err);
    char id[STIX_ID_MAX];
    bool det;
    stix_sco_id(o, id, &det, &err);
    if (prev)
      stix_version_cmp(prev, o);
    prev = o;
  }
  stix_doc_release(&doc);
  return 0;
}
