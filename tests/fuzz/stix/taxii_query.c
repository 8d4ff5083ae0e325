/* Fuzz target: TAXII query strings for every endpoint, and next cursors through the decoder. */
#include "stix/taxii_query.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const uint8_t key[STIX_TAXII_CURSOR_KEYBYTES] = {1, 2, 3};
  struct fs_err err;
  for (int ep = STIX_TAXII_EP_OBJECTS; ep <= STIX_TAXII_EP_OTHER; ep++) {
    struct fs_arena a;
    fs_arena_init(&a, 0, 1 << 20);
    struct stix_taxii_query q;
    if (stix_taxii_query_parse((const char *)data, size, (enum stix_taxii_endpoint)ep, NULL, &a, &q,
                               &err) == FS_OK) {
      uint64_t ctx = stix_taxii_query_context(&q, "collection");
      struct stix_taxii_cursor c;
      if (q.next)
        stix_taxii_cursor_decode(q.next, strlen(q.next), key, ctx, &c, &err);
    }
    fs_arena_release(&a);
  }
  struct stix_taxii_cursor c;
  stix_taxii_cursor_decode((const char *)data, size, key, 0, &c, &err);
  return 0;
}
