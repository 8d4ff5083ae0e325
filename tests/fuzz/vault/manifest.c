/* Fuzz target: a deposit's manifest.json. */
#include "vault/cdf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct vault_cdf_manifest m;
  struct fs_err err;
  vault_cdf_manifest_parse((const char *)data, size, &m, &err);
  return 0;
}
