/* Fuzz target: the continuity service's token file (hashes and names). */
#include "vault/continuity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  uint8_t hashes[16][32];
  size_t n;
  struct fs_err err;
  vault_tokens_parse((const char *)data, size, hashes, 16, &n, &err);
  return 0;
}
