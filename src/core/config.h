/* The hub's configuration: built-in defaults that run with no file, an INI file, and command-line
 * overrides ("section.key=value"), applied in that order. Every key is described once, in the
 * table behind fs_config_keys(); docs/config.md documents the same keys (a test compares them). */
#ifndef FS_CORE_CONFIG_H
#define FS_CORE_CONFIG_H

#include "core/base.h"
#include "core/err.h"

#define FS_CONFIG_PATH_MAX 512

struct fs_config {
  /* [hub] */
  char hub_name[128];
  char data_dir[FS_CONFIG_PATH_MAX];
  char lang[8];
  char clock_file[FS_CONFIG_PATH_MAX];
  /* [http] */
  char listen[128];
  char tls_cert[FS_CONFIG_PATH_MAX];
  char tls_key[FS_CONFIG_PATH_MAX];
  int64_t http_threads;
  int64_t max_body_bytes;
  int64_t max_anonymous_body_bytes;
  int64_t body_memory_bytes;
  int64_t max_header_bytes;
  int64_t connection_timeout_s;
  int64_t max_connections;
  int64_t max_connections_per_address;
  int64_t head_timeout_s;
  int64_t body_min_rate;
  int64_t rate_per_second;
  int64_t rate_burst;
  int64_t auth_failures_per_minute;
  int64_t auth_failure_burst;
  char access_log[FS_CONFIG_PATH_MAX];
  /* [store] */
  char store_backend[16];
  char store_path[FS_CONFIG_PATH_MAX];
  char store_url[1024];
  int64_t busy_timeout_ms;
  char synchronous[8];
  int64_t max_size_mb;
  int64_t cache_mb;
  /* [auth] */
  int64_t token_days;
  int64_t token_max_days;
  int64_t session_hours;
  int64_t session_idle_minutes;
  char argon2[16];
  int64_t login_max_failures;
  int64_t login_lockout_minutes;
  /* [taxii] */
  int64_t taxii_max_content_length;
  int64_t taxii_page_limit;
  int64_t taxii_page_cache_mb;
  /* [feeds] */
  int64_t feeds_worker_interval_s;
  int64_t feeds_max_bytes;
  int64_t feeds_timeout_s;
  int64_t feeds_batch;
  char feeds_cacert[FS_CONFIG_PATH_MAX];
  /* [score] */
  int64_t score_threshold;
  char score_decay_ip[32];
  char score_decay_domain[32];
  char score_decay_url[32];
  char score_decay_hash[32];
  char score_decay_email[32];
  /* [soc] */
  char soc_rules_dir[FS_CONFIG_PATH_MAX];
  int64_t soc_dedup_window_s;
  int64_t soc_sector_window_s;
  int64_t soc_sector_threshold;
  int64_t soc_sighting_interval_s;
  char soc_syslog_tcp[128];
  char soc_syslog_udp[128];
  char soc_syslog_tls[128];
  int64_t soc_max_connections;
  char soc_webhook_url[512];
  /* [log] */
  char log_level[8];
  char log_format[8];
  char log_file[FS_CONFIG_PATH_MAX];
  /* [incident] */
  char incident_policy_file[FS_CONFIG_PATH_MAX];
  char incident_evidence_dir[FS_CONFIG_PATH_MAX];
  int64_t incident_max_evidence_bytes;
  int64_t incident_worker_interval_ms;
  /* [notify] */
  char notify_smtp_url[256];
  char notify_smtp_from[256];
  char notify_hub_email[256];
  char notify_webhook_url[512];
  char notify_webhook_secret[128];
  int64_t notify_max_attempts;
  int64_t notify_retry_base_s;
  /* [resilience] */
  int64_t resilience_drill_period_days;
  /* [supervision] */
  char supervision_score_policy_file[FS_CONFIG_PATH_MAX];
  /* [intel]: exports and correlation (#15) */
  int64_t intel_export_revalidate_ms;
  int64_t intel_export_max_age_s;
  int64_t intel_export_max_bytes;
  int64_t intel_correlation_fanout;
  int64_t intel_correlation_count_max;
  int64_t intel_import_max_bytes;    /* intel import: largest document */
  int64_t intel_import_part_objects; /* intel import: objects a part */
  /* [products] (#15) */
  char products_collection[64];
};

enum fs_config_type { FS_CONFIG_STR, FS_CONFIG_INT, FS_CONFIG_ENUM };

struct fs_config_key {
  const char *section;
  const char *name;
  enum fs_config_type type;
  size_t offset;             /* into struct fs_config */
  size_t size;               /* for strings: the buffer size */
  const char *def;           /* default, as it would be written in the file */
  int64_t min, max;          /* for integers */
  const char *const *values; /* for enums: NULL-terminated */
  const char *help;          /* one line for people */
};

/* Every key, in documentation order. */
size_t fs_config_keys(const struct fs_config_key **out);

/* Fills c with the built-in defaults. */
void fs_config_defaults(struct fs_config *c);
/* Applies an INI file. Errors name "path:line" and the key. */
int fs_config_load_file(struct fs_config *c, const char *path, struct fs_err *err);
/* Applies INI text of len bytes; `name` is used in error locations. Pure: no I/O. */
int fs_config_load_string(struct fs_config *c, const char *text, size_t len, const char *name,
                          struct fs_err *err);
/* Applies one "section.key=value" override. */
int fs_config_set_override(struct fs_config *c, const char *assignment, struct fs_err *err);
/* Sets one key from its text value. */
int fs_config_set(struct fs_config *c, const char *section, const char *key, const char *value,
                  struct fs_err *err);
/* Checks values that depend on each other (a non-loopback listen address needs TLS, ...). */
int fs_config_validate(const struct fs_config *c, struct fs_err *err);
/* Resolves a path from the configuration against data_dir into out. */
int fs_config_path(const struct fs_config *c, const char *path, char *out, size_t n);

#endif
