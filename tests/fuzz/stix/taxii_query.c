/* Fuzz target: TAXII query strings for every endpoint, and next cursors through the decoder. */
#include "stix/taxii_query.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const uint8_t key[INTEL_TAXII_CURSOR_KEYBYTES] = {1, 2, 3};
  struct fs_err err;
  for (int ep = INTEL_TAXII_EP_OBJECTS; ep <= INTEL_TAXII_EP_OTHER; ep++) {
    struct fs_arena a;
    fs_arena_init(&a, 0, 1 << 20);
    struct intel_taxii_query q;
    if (intel_taxii_query_parse((const char *)data, size, (enum intel_taxii_endpoint)ep, NULL, &a,
                                &q, &err) == FS_OK) {
      uint64_t ctx = intel_taxii_query_context(&q, "collection");
      struct intel_taxii_cursor c;
      if (q.next)
        intel_taxii_cursor_decode(q.next, strlen(q.next), key, ctx, &c, &err);
    }
    fs_arena_release(&a);
  }
  struct intel_taxii_cursor c;
  intel_taxii_cursor_decode((const char *)data, size, key, 0, &c, &err);
  return 0;
}
