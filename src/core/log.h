/* Structured logging: one line per event, key=value or JSON, so that the hub's own logs can feed a
 * SIEM. The level is checked before anything is formatted (FS_LOG), so a hot path pays nothing for
 * a line it will not print. */
#ifndef FS_CORE_LOG_H
#define FS_CORE_LOG_H

#include "core/base.h"

#include <pthread.h>
#include <stdio.h>

enum fs_log_level { FS_LOG_DEBUG, FS_LOG_INFO, FS_LOG_WARN, FS_LOG_ERROR, FS_LOG_OFF };

struct fs_log {
  enum fs_log_level level;
  bool json; /* JSON lines instead of key=value */
  FILE *out; /* not owned unless owns_out */
  bool owns_out;
  pthread_mutex_t lock;
};

struct fs_log_kv {
  const char *key;
  const char *str; /* used when !is_num; NULL prints as an empty value */
  int64_t num;
  bool is_num;
};
#define FS_KV_STR(k, v) ((struct fs_log_kv){.key = (k), .str = (v)})
#define FS_KV_INT(k, v) ((struct fs_log_kv){.key = (k), .num = (int64_t)(v), .is_num = true})

/* Initializes a log writing to out (not owned). */
void fs_log_init(struct fs_log *log, FILE *out, enum fs_log_level level, bool json);
/* Opens path for appending ("-" means stderr). FS_OK or FS_ERR_IO. */
int fs_log_open(struct fs_log *log, const char *path, enum fs_log_level level, bool json);
void fs_log_release(struct fs_log *log);
/* Parses "debug", "info", "warn", "error", "off"; -1 when unknown. */
int fs_log_level_parse(const char *s);

static inline bool fs_log_enabled(const struct fs_log *log, enum fs_log_level level)
{
  return log && level >= log->level && log->level != FS_LOG_OFF;
}

/* Writes one event line with its fields. Safe from several threads. */
void fs_log_emit(struct fs_log *log, enum fs_log_level level, const char *event,
                 const struct fs_log_kv *kv, size_t n);

#define FS_LOG(log, lvl, event, ...)                                                               \
  do {                                                                                             \
    if (fs_log_enabled((log), (lvl))) {                                                            \
      const struct fs_log_kv fs_log_kv_[] = {__VA_ARGS__};                                         \
      fs_log_emit((log), (lvl), (event), fs_log_kv_, FS_ARRAY_SIZE(fs_log_kv_));                   \
    }                                                                                              \
  } while (0)

#endif
