/* Fuzz target: snapshot and tombstone bodies (the JSON inside the signed, sealed files). */
#include "vault/snapfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct vault_snapshot s;
  struct vault_tombstone t;
  struct fs_err err;
  if (!vault_snapshot_parse((const char *)data, size, &s, &err))
    vault_snapshot_release(&s);
  vault_tombstone_parse((const char *)data, size, &t, &err);
  return 0;
}
