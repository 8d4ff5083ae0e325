/* A fast 64-bit hash for short keys (indicator values, field names, dedup keys). Not for
 * adversarial resistance beyond a random per-process seed mixed in by callers that need it. */
#ifndef FS_DETECT_HASH_H
#define FS_DETECT_HASH_H

#include "core/base.h"

#include <string.h>

static inline uint64_t detect_mix(uint64_t a, uint64_t b)
{
  __uint128_t r = (__uint128_t)a * b;
  return (uint64_t)(r >> 64) ^ (uint64_t)r;
}

static inline uint64_t detect_read64(const unsigned char *p)
{
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* Hash of n bytes at p under a seed. */
static inline uint64_t detect_hash(const void *data, size_t n, uint64_t seed)
{
  const unsigned char *p = data;
  const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL, k2 = 0x8ebc6af09c88c6e3ULL;
  uint64_t h = seed ^ detect_mix(seed ^ k0, (uint64_t)n ^ k1);
  while (n >= 16) {
    h = detect_mix(detect_read64(p) ^ k1, detect_read64(p + 8) ^ h);
    p += 16;
    n -= 16;
  }
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    a = detect_read64(p);
    b = detect_read64(p + n - 8);
  } else if (n >= 4) {
    uint32_t x, y;
    memcpy(&x, p, 4);
    memcpy(&y, p + n - 4, 4);
    a = x;
    b = y;
  } else if (n > 0) {
    a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
  }
  return detect_mix(detect_mix(a ^ k1, b ^ h) ^ k2, (uint64_t)n ^ k0);
}

#endif
