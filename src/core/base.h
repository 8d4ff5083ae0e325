/* Common includes and small macros used by every module. */
#ifndef FS_CORE_BASE_H
#define FS_CORE_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FS_PRINTF(fmt_idx, args_idx) __attribute__((format(printf, fmt_idx, args_idx)))
#define FS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define FS_MAX(a, b) ((a) > (b) ? (a) : (b))

/* A fast, non-cryptographic hash of a NUL-terminated string, for in-memory hash tables (FNV-1a's
 * step; its start value is one digit short of the published offset basis, kept so that tables are
 * laid out as before). Not keyed: whoever chooses the strings can make them collide. */
static inline uint64_t fs_hash_str(const char *s)
{
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (uint8_t)*s) * 1099511628211ULL;
  return h;
}

#endif
