/* Fuzz target: a pack trailer's plaintext (the list of blobs a pack holds). */
#include "vault/format.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct vault_entry *e;
  size_t n;
  struct fs_err err;
  uint64_t end = (uint64_t)size * 1024;
  if (!vault_trailer_parse(data, size, end, &e, &n, &err))
    free(e);
  return 0;
}
