/* Fuzz target: the repository's config file. */
#include "vault/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct vault_config c;
  char mac[65];
  struct fs_err err;
  vault_config_parse((const char *)data, size, &c, mac, &err);
  return 0;
}
