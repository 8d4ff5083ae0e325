/* Fuzz target: the standard critical-data validator. The first byte picks the table and the
 * format; the rest is the file. */
#include "vault/cdf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const tables[] = {"customers", "accounts", "balances", "holds",
                                       "transactions"};
  if (!size)
    return 0;
  const struct vault_cdf_table *t = vault_cdf_table(tables[(data[0] & 0x7f) % 5]);
  enum vault_cdf_format fmt = data[0] & 0x80 ? VAULT_CDF_JSONL : VAULT_CDF_CSV;
  struct vault_problems p = {.limit = 50};
  uint64_t rows;
  vault_cdf_validate(t, fmt, "fuzz.csv", (const char *)data + 1, size - 1, &p, &rows);
  vault_problems_release(&p);
  /* Keys of arbitrary lines, as the delta merge reads them from an earlier version. */
  char key[80];
  size_t klen;
  vault_cdf_key(t, fmt, (const char *)data + 1, size - 1, key, sizeof(key), &klen);
  return 0;
}
