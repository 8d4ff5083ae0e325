/* The assembled hub: its data folder, configuration, store with every module's schema, the
 * hub's secret, clock and log. Used by cli/ and http/ (the top layer); domain modules never
 * include it. */
#ifndef FS_HUB_HUB_H
#define FS_HUB_HUB_H

#include "audit/audit.h"
#include "auth/actor.h"
#include "auth/auth.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/time.h"
#include "store/store.h"

struct soc_engine;
struct soc_env;
struct soc_listeners;
struct incident_policy_watch;

struct hub {
  struct fs_config cfg;
  char db_path[FS_CONFIG_PATH_MAX + 64];
  char clock_path[FS_CONFIG_PATH_MAX + 64];
  struct store *store;
  struct auth_settings auth;
  struct audit_keys audit; /* derived from the secret, attached to the store */
  struct fs_clock clock;
  struct fs_log log;
  char node[64]; /* "serve HOST/PID" for serve (store_nodes counts it), else "" */
};

/* True when dir holds a hub (its secret key and database). */
bool hub_exists(const char *data_dir);

/* Opens the hub of cfg->data_dir: loads the secret, opens the store (with a pool of max_conns
 * connections) and brings every schema up to date. FS_ERR_NOT_FOUND when there is no hub there
 * ("run finshield init"). */
int hub_open(struct hub *h, const struct fs_config *cfg, size_t max_conns, struct fs_err *err);
/* Same, for a node that serves: its store's sessions are named after it (store.h: store_nodes,
 * which on PostgreSQL counts the nodes sharing the database). */
int hub_open_node(struct hub *h, const struct fs_config *cfg, size_t max_conns, const char *node,
                  struct fs_err *err);
void hub_close(struct hub *h);
/* Brings every module's schema up to date on c (store_migrate with the hub's schemas, in their
 * dependency order). */
int hub_schema_update(struct store_conn *c, struct fs_err *err);

/* finshield migrate: copies the open hub's database (SQLite) into the PostgreSQL database `url`
 * (created when missing; new or empty, or a copy of this hub in progress, which goes on from where
 * it stopped), then checks it: rows counted table by table, up to `sample` rows of each table
 * compared column by column, and the audit trail verified with the hub's keys on the copy up to
 * the source's head. The foreign keys come back and the copy is done only when all agree. */
struct hub_migrate_report {
  bool resumed;
  int64_t tables, rows_copied, rows, compared, audit_records;
  char audit_head[100];
};
struct fs_progress;
int hub_migrate(struct hub *h, const char *url, int64_t sample, struct fs_progress *progress,
                struct hub_migrate_report *out, struct fs_err *err);

struct hub_init_options {
  const char *name_zh; /* the hub organisation's names */
  const char *name_en;
  const char *org_code;     /* default "hub" */
  const char *admin;        /* first hub-admin's user name, default "admin" */
  bool self_signed;         /* also write tls/cert.pem and tls/key.pem */
  const char *tls_hostname; /* for the self-signed certificate, default "localhost" */
};

/* Creates a new hub in cfg->data_dir: folders, secret key, commented configuration file,
 * database, the hub organisation, the first hub administrator and its API token (written to
 * token_out once; only its hash is kept). FS_ERR_CONFLICT when a hub already exists there. */
int hub_create(const struct fs_config *cfg, const struct hub_init_options *opt, char token_out[64],
               struct fs_err *err);

/* Writes a self-signed certificate and key for hostname under DATA/tls/ (testing only). */
int hub_make_self_signed(const char *data_dir, const char *hostname, struct fs_err *err);

/* The incident module's publication hook: stores an incident's sanitized bundle in the
 * intelligence store's submissions collection as the publishing user (anonymously when the
 * reporter is hidden), so that TLP and the one policy apply to it like any submission. ctx is a
 * struct hub_publish_ctx. */
struct hub_publish_ctx {
  struct store_conn *c;
  const struct actor *who;
};
struct json_t;
int hub_incident_publisher(void *ctx, const char *incident_id, const struct json_t *bundle,
                           bool hide_reporter, struct fs_err *err);

/* The services a running `serve` starts beside the hub (cli_serve), which the HTTP handlers use;
 * each NULL when not running. */
struct hub_services {
  struct soc_engine *soc;
  struct soc_listeners *listeners;
  struct incident_policy_watch *incident_policy; /* the clock policy in force */
};

/* The SOC's environment on this hub (soc/soc.h): its store, configuration, clock, log and secret,
 * and the hooks to incident's draft cases and the notification outbox (hub/soc.c). */
void hub_soc_env(struct hub *h, struct soc_env *out);

/* The products' environment on this hub (products/products.h): the configuration, and the hook
 * that queues a publication's notifications in the notification outbox (hub/products.c). */
struct products_env;
void hub_products_env(struct hub *h, struct products_env *out);

/* The environment of intelligence sources on this hub (intel/feed.h): its secret, the score
 * settings and limits of [feeds] and [score], and the TAXII client for TAXII sources (hub/feeds.c).
 * FS_ERR_INVALID naming the key when a [score] decay setting is malformed. */
struct intel_feed_env;
int hub_feed_env(struct hub *h, struct intel_feed_env *out, struct fs_err *err);

/* Now, as the hub's clock says (honours hub.clock_file). */
int64_t hub_now(const struct hub *h);
/* The actor for the operator at the hub's machine (CLI commands). */
void hub_local_actor(struct hub *h, struct actor *out);

#endif
