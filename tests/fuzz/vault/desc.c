/* Fuzz target: a content descriptor blob, and the same bytes read as a delta operation stream. */
#include "vault/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct vault_desc d;
  struct fs_err err;
  if (!vault_desc_parse(data, size, &d, &err))
    vault_desc_release(&d);
  uint64_t used, produced, inserted;
  vault_ops_check(data, size, &used, &produced, &inserted, &err);
  return 0;
}
