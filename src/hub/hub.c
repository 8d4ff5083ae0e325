/* Opening and creating a hub. */
#include "hub/hub.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "auth/token.h"
#include "auth/user.h"
#include "incident/incident.h"
#include "intel/intel.h"
#include "products/products.h"
#include "resilience/register.h"
#include "soc/soc.h"
#include "core/buf.h"
#include "core/encode.h"
#include "core/file.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every module's schema, in dependency order (modules referenced by foreign keys first). */
static const struct store_schema *const schemas[] = {
    &audit_schema, &auth_schema,       &intel_schema,   &incident_schema,
    &soc_schema,   &resilience_schema, &products_schema};

int hub_schema_update(struct store_conn *c, struct fs_err *err)
{
  return store_migrate(c, schemas, FS_ARRAY_SIZE(schemas), err);
}

static bool is_postgresql(const struct fs_config *cfg)
{
  return !strcmp(cfg->store_backend, "postgresql");
}

static int secret_path(const char *dir, char *out, size_t n)
{
  return fs_path_join(out, n, dir, "secrets/hub.key");
}

bool hub_exists(const char *data_dir)
{
  char p[FS_CONFIG_PATH_MAX + 64];
  return !secret_path(data_dir, p, sizeof(p)) && fs_path_exists(p);
}

static int load_secret(const char *dir, uint8_t key[32], struct fs_err *err)
{
  char p[FS_CONFIG_PATH_MAX + 64];
  secret_path(dir, p, sizeof(p));
  struct fs_buf b;
  fs_buf_init(&b, 64);
  int rc = fs_file_read_all(p, &b, err);
  if (rc == FS_ERR_NOT_FOUND)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, dir,
                    "no hub here; create one with: finshield init --data %s", dir);
  else if (!rc && b.len != 32)
    rc = fs_err_set(err, FS_ERR_CORRUPT, p, "the hub key must be 32 bytes, not %zu", b.len);
  if (!rc)
    memcpy(key, b.data, 32);
  if (b.data)
    memset(b.data, 0, b.len);
  fs_buf_release(&b);
  return rc;
}

/* The actor of what the hub does by itself when it opens (upgrades). */
static void upgrade_actor(struct hub *h, struct actor *who)
{
  memset(who, 0, sizeof(*who));
  snprintf(who->username, sizeof(who->username), "upgrade");
  snprintf(who->source, sizeof(who->source), "hub");
  who->local = true;
  who->role = AUTH_ROLE_HUB_ADMIN;
  who->now_ms = hub_now(h);
}

static int open_store(struct hub *h, size_t max_conns, bool create, struct fs_err *err)
{
  struct store_options so = {
      .backend = h->cfg.store_backend,
      .path = h->db_path,
      .url = h->cfg.store_url,
      .busy_timeout_ms = h->cfg.busy_timeout_ms,
      .sync_full = !strcmp(h->cfg.synchronous, "full"),
      .max_size_mb = h->cfg.max_size_mb,
      .cache_mb = h->cfg.cache_mb,
      .max_conns = max_conns,
      .create = create,
      .node = h->node[0] ? h->node : NULL,
  };
  int rc = store_open(&so, &h->store, err);
  if (rc)
    return rc;
  /* The audit trail's keys go with the store before anything is appended; its keyed part is
   * marked (once) before anything else is written. */
  audit_keys_derive(&h->audit, h->auth.secret_key);
  store_set_keyring(h->store, &h->audit);
  struct store_conn *c;
  if ((rc = store_acquire(h->store, &c, err)))
    return rc;
  bool taken = false;
  if (create && (rc = store_table_exists(c, "schema_version", &taken, err)) == FS_OK && taken)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "[store] url",
                    "the database already holds a hub, or the tables of an interrupted init: "
                    "finshield init needs a new or empty database");
  if (!rc)
    rc = hub_schema_update(c, err);
  char witness[FS_CONFIG_PATH_MAX + 64];
  struct actor who;
  upgrade_actor(h, &who);
  if (!rc && fs_path_join(witness, sizeof(witness), h->cfg.data_dir, "secrets/audit.mark"))
    rc = fs_err_set(err, FS_ERR_INVALID, "data", "path too long");
  if (!rc)
    rc = audit_keyed_open(c, &h->audit, witness, &who, err);
  store_release(h->store, c);
  return rc;
}

static int setup(struct hub *h, const struct fs_config *cfg, struct fs_err *err)
{
  memset(h, 0, sizeof(*h));
  h->cfg = *cfg;
  if (fs_config_path(cfg, cfg->store_path, h->db_path, sizeof(h->db_path)))
    return fs_err_set(err, FS_ERR_INVALID, "[store] path", "path too long");
  if (cfg->clock_file[0]) {
    if (fs_config_path(cfg, cfg->clock_file, h->clock_path, sizeof(h->clock_path)))
      return fs_err_set(err, FS_ERR_INVALID, "[hub] clock_file", "path too long");
    h->clock.override_file = h->clock_path;
  }
  auth_settings_from_config(&h->auth, cfg);
  int level = fs_log_level_parse(cfg->log_level);
  if (fs_log_open(&h->log, cfg->log_file, level < 0 ? FS_LOG_INFO : (enum fs_log_level)level,
                  !strcmp(cfg->log_format, "json")))
    return fs_err_set(err, FS_ERR_IO, cfg->log_file, "cannot open the log file");
  return FS_OK;
}

int hub_open(struct hub *h, const struct fs_config *cfg, size_t max_conns, struct fs_err *err)
{
  return hub_open_node(h, cfg, max_conns, NULL, err);
}

int hub_open_node(struct hub *h, const struct fs_config *cfg, size_t max_conns, const char *node,
                  struct fs_err *err)
{
  int rc = setup(h, cfg, err);
  if (node)
    snprintf(h->node, sizeof(h->node), "%s", node);
  if (!rc)
    rc = load_secret(cfg->data_dir, h->auth.secret_key, err);
  if (!rc)
    rc = open_store(h, max_conns, false, err);
  /* Collections and identities added by newer versions are created in older hubs too. */
  struct store_conn *c = NULL;
  if (!rc)
    rc = store_acquire(h->store, &c, err);
  if (!rc) {
    struct actor who;
    upgrade_actor(h, &who);
    rc = org_hub_id(c, who.org_id, err);
    if (!rc)
      rc = intel_bootstrap(c, &who, cfg->hub_name, err);
    store_release(h->store, c);
  }
  if (rc)
    hub_close(h);
  return rc;
}

void hub_close(struct hub *h)
{
  store_free(h->store);
  h->store = NULL;
  if (h->log.out)
    fs_log_release(&h->log);
  memset(h->auth.secret_key, 0, sizeof(h->auth.secret_key));
  audit_keys_wipe(&h->audit);
}

int64_t hub_now(const struct hub *h)
{
  return fs_clock_now_ms(&h->clock);
}

void hub_local_actor(struct hub *h, struct actor *out)
{
  memset(out, 0, sizeof(*out));
  const char *login = getenv("USER");
  struct passwd pw, *res = NULL;
  char pwbuf[1024];
  if (!login && !getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) && res)
    login = res->pw_name;
  snprintf(out->username, sizeof(out->username), "local:%s", login ? login : "unknown");
  snprintf(out->source, sizeof(out->source), "cli");
  out->role = AUTH_ROLE_HUB_ADMIN;
  out->local = true;
  out->now_ms = hub_now(h);
  struct store_conn *c;
  if (!store_acquire(h->store, &c, NULL)) {
    org_hub_id(c, out->org_id, NULL);
    store_release(h->store, c);
  }
}

static const char config_template[] =
    "; finshield configuration. Every key is documented in docs/config.md; the values shown are\n"
    "; the defaults. Uncomment a line to change it.\n"
    "\n[hub]\n; name = finshield hub\n; lang = zh-TW\n"
    "\n[http]\n; listen = 127.0.0.1:8443\n; tls_cert = tls/cert.pem\n; tls_key = tls/key.pem\n"
    "; threads = 4\n; max_body_bytes = 10485760\n; rate_per_second = 50\n; rate_burst = 200\n"
    "; access_log = -\n"
    "\n[store]\n; backend = sqlite\n; path = hub.db\n; url = "
    "postgresql://finshield@db.example/finshield\n; busy_timeout_ms = 5000\n; synchronous = "
    "full\n; max_size_mb = 0\n"
    "\n[auth]\n; token_days = 90\n; session_hours = 12\n; argon2 = interactive\n"
    "\n[log]\n; level = info\n; format = kv\n";

int hub_create(const struct fs_config *cfg, const struct hub_init_options *opt, char token_out[64],
               struct fs_err *err)
{
  const char *dir = cfg->data_dir;
  if (hub_exists(dir))
    return fs_err_set(err, FS_ERR_CONFLICT, dir, "a hub already exists here");
  char p[FS_CONFIG_PATH_MAX + 64];
  int rc = fs_mkdir_p(dir, 0700, err);
  if (!rc && !fs_path_join(p, sizeof(p), dir, "secrets"))
    rc = fs_mkdir_p(p, 0700, err);
  if (!rc && !fs_path_join(p, sizeof(p), dir, "finshield.ini") && !fs_path_exists(p))
    rc = fs_file_write_atomic(p, config_template, sizeof(config_template) - 1, 0600, err);
  if (!rc && opt->self_signed)
    rc = hub_make_self_signed(dir, opt->tls_hostname ? opt->tls_hostname : "localhost", err);
  if (rc)
    return rc;

  struct hub h;
  if ((rc = setup(&h, cfg, err)))
    return rc;
  /* The database first, the key last: a hub exists once its key is there, so an interrupted
   * init can simply be run again. */
  uint8_t key[32];
  fs_random(key, sizeof(key));
  memcpy(h.auth.secret_key, key, sizeof(key));
  if (!is_postgresql(cfg))
    unlink(h.db_path); /* a file left by an interrupted init */
  rc = open_store(&h, 1, true, err);
  struct store_conn *c = NULL;
  if (!rc)
    rc = store_acquire(h.store, &c, err);
  struct actor who;
  memset(&who, 0, sizeof(who));
  snprintf(who.username, sizeof(who.username), "init");
  snprintf(who.source, sizeof(who.source), "cli");
  who.local = true;
  who.role = AUTH_ROLE_HUB_ADMIN;
  who.now_ms = hub_now(&h);
  if (!rc)
    rc = store_begin(c, true, err);
  char org_id[37], user_id[37];
  if (!rc) {
    struct org_input org;
    org_input_init(&org);
    org.code = opt->org_code ? opt->org_code : "hub";
    org.name_zh = opt->name_zh ? opt->name_zh : "金融資安聯防中樞";
    org.name_en = opt->name_en ? opt->name_en : "Financial Sector Cyber Defence Hub";
    org.industry = ORG_INDUSTRY_HUB;
    org.size_tier = 0;
    rc = org_create(c, &who, &org, org_id, err);
  }
  if (!rc) {
    snprintf(who.org_id, sizeof(who.org_id), "%s", org_id);
    struct user_input u;
    user_input_init(&u);
    u.org = org_id;
    u.username = opt->admin ? opt->admin : "admin";
    u.display_name = "Hub administrator";
    u.role = AUTH_ROLE_HUB_ADMIN;
    rc = user_create(c, &who, &h.auth, &u, user_id, err);
  }
  if (!rc) {
    char token_id[37];
    rc = token_issue(c, &who, user_id, "initial admin token", "api",
                     who.now_ms + h.auth.token_days * 86400000LL, token_out, token_id, err);
  }
  if (!rc)
    rc = intel_bootstrap(c, &who, cfg->hub_name, err);
  if (!rc)
    rc = audit_append(c, &who, "hub.create", "hub", org_id, NULL, err);
  if (!rc)
    rc = store_commit(c, err);
  if (c)
    store_release(h.store, c);
  if (!rc && !secret_path(dir, p, sizeof(p)))
    rc = fs_file_write_atomic(p, key, sizeof(key), 0400, err);
  memset(key, 0, sizeof(key));
  hub_close(&h);
  return rc;
}
