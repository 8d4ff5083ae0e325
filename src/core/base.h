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

#endif
