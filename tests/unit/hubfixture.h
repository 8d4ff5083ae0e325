/* A real hub in a temporary folder for unit tests of domain modules: created with hub_create,
 * opened with hub_open, with the local operator and a connection at hand. On the backend under
 * test: SQLite in the folder, or (pg.unit.* runs, pgtest.h) a PostgreSQL database of its own. */
#ifndef FS_TESTS_HUBFIXTURE_H
#define FS_TESTS_HUBFIXTURE_H

#include "auth/org.h"
#include "core/file.h"
#include "hub/hub.h"
#include "pgtest.h"
#include "testutil.h"

#include <string.h>

struct hub_fixture {
  char dir[256];
  struct hub hub;
  struct store_conn *c;
  struct actor op; /* the local operator */
  char admin_token[64];
};

/* The store settings of the backend under test, a new database on PostgreSQL. */
static inline void hub_fixture_store(struct fs_config *cfg)
{
  if (!test_pg())
    return;
  snprintf(cfg->store_backend, sizeof(cfg->store_backend), "postgresql");
  test_pg_new_url(cfg->store_url, sizeof(cfg->store_url));
}

/* Removes the hub's folder, and its database on PostgreSQL. */
static inline void hub_fixture_remove(const char *dir, const struct fs_config *cfg)
{
  if (cfg->store_url[0])
    test_pg_drop(cfg->store_url);
  test_rmrf(dir);
}

static inline void hub_fixture_open(struct hub_fixture *f)
{
  test_tmpdir(f->dir, "hub");
  struct fs_config cfg;
  fs_config_defaults(&cfg);
  snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", f->dir);
  snprintf(cfg.log_level, sizeof(cfg.log_level), "error");
  hub_fixture_store(&cfg);
  struct hub_init_options o = {0};
  struct fs_err err;
  if (hub_create(&cfg, &o, f->admin_token, &err) || hub_open(&f->hub, &cfg, 2, &err) ||
      store_acquire(f->hub.store, &f->c, &err)) {
    fprintf(stderr, "fixture: %s: %s\n", err.where, err.msg);
    abort();
  }
  hub_local_actor(&f->hub, &f->op);
}

/* For upgrade tests: a hub folder (secret key, store) whose store has the given schemas, some cut
 * short to an older step ({"intel", intel_schema.steps, 1}), so that the test writes rows as the
 * older code did before hub_open brings everything up to date. Gives the store and a connection
 * (the caller releases and frees them) and the configuration for hub_open. */
static inline void hub_fixture_older(const char *dir, struct fs_config *cfg,
                                     const struct store_schema *const *schemas, size_t n,
                                     struct store **st, struct store_conn **c)
{
  struct fs_err err;
  fs_err_clear(&err);
  fs_config_defaults(cfg);
  snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", dir);
  snprintf(cfg->log_level, sizeof(cfg->log_level), "error");
  hub_fixture_store(cfg);
  char path[512];
  uint8_t key[32] = {1};
  struct store_options so = {.backend = cfg->store_backend,
                             .path = path,
                             .url = cfg->store_url,
                             .busy_timeout_ms = 5000,
                             .max_conns = 1,
                             .create = true};
  if (fs_path_join(path, sizeof(path), dir, "secrets") || fs_mkdir_p(path, 0700, &err) ||
      fs_path_join(path, sizeof(path), dir, "secrets/hub.key") ||
      fs_file_write_atomic(path, key, sizeof(key), 0600, &err) ||
      fs_path_join(path, sizeof(path), dir, "hub.db") || store_open(&so, st, &err) ||
      store_acquire(*st, c, &err) || store_migrate(*c, schemas, n, &err)) {
    fprintf(stderr, "fixture: %s: %s\n", err.where, err.msg);
    abort();
  }
}

/* Registers a bank with that code (and that English name) as the local operator; its id in id. */
static inline void hub_fixture_org(struct hub_fixture *f, const char *code, char id[37])
{
  struct org_input o;
  org_input_init(&o);
  o.code = code;
  o.name_zh = "測試銀行";
  o.name_en = code;
  o.industry = ORG_INDUSTRY_BANK;
  o.size_tier = 0;
  struct fs_err err;
  if (org_create(f->c, &f->op, &o, id, &err)) {
    fprintf(stderr, "fixture: org %s: %s: %s\n", code, err.where, err.msg);
    abort();
  }
}

static inline void hub_fixture_close(struct hub_fixture *f)
{
  struct fs_config cfg = f->hub.cfg;
  store_release(f->hub.store, f->c);
  hub_close(&f->hub);
  hub_fixture_remove(f->dir, &cfg);
}

#endif
