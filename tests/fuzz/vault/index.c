/* Fuzz target: an index file's plaintext (packs and the blobs in each). */
#include "vault/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct vault_index_file f;
  struct fs_err err;
  if (!vault_index_file_parse(data, size, &f, &err))
    vault_index_file_release(&f);
  return 0;
}
