/* Content-defined chunking: FastCDC (normalized chunking with cut-point skipping) over a gear hash
 * whose table is derived from the repository key, so that cut points reveal nothing. */
#include "vault/internal.h"

/* Normalized chunking: a stricter mask (more bits, fewer cuts) before the average size, a looser
 * one after, which narrows the spread of chunk sizes around 1 MiB. The masks use the top bits of
 * the hash, which depend on the last 64 bytes. */
#define MASK_S (((UINT64_C(1) << 22) - 1) << 42)
#define MASK_L (((UINT64_C(1) << 18) - 1) << 46)

size_t vault_chunker_cut(const uint64_t gear[256], const uint8_t *p, size_t n)
{
  if (n <= VAULT_CHUNK_MIN)
    return n;
  if (n > VAULT_CHUNK_MAX)
    n = VAULT_CHUNK_MAX;
  size_t normal = n < VAULT_CHUNK_AVG ? n : VAULT_CHUNK_AVG;
  uint64_t h = 0;
  size_t i = VAULT_CHUNK_MIN - 64; /* warm the hash on the 64 bytes before the first candidate */
  for (; i < VAULT_CHUNK_MIN; i++)
    h = (h << 1) + gear[p[i]];
  for (; i < normal; i++) {
    h = (h << 1) + gear[p[i]];
    if (!(h & MASK_S))
      return i + 1;
  }
  for (; i < n; i++) {
    h = (h << 1) + gear[p[i]];
    if (!(h & MASK_L))
      return i + 1;
  }
  return n;
}
