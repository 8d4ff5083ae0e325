/* A real hub in a temporary folder for unit tests of domain modules: created with hub_create,
 * opened with hub_open, with the local operator and a connection at hand. */
#ifndef FS_TESTS_HUBFIXTURE_H
#define FS_TESTS_HUBFIXTURE_H

#include "hub/hub.h"
#include "testutil.h"

#include <string.h>

struct hub_fixture {
  char dir[256];
  struct hub hub;
  struct store_conn *c;
  struct actor op; /* the local operator */
  char admin_token[64];
};

static inline void hub_fixture_open(struct hub_fixture *f)
{
  test_tmpdir(f->dir, "hub");
  struct fs_config cfg;
  fs_config_defaults(&cfg);
  snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", f->dir);
  snprintf(cfg.log_level, sizeof(cfg.log_level), "error");
  struct hub_init_options o = {0};
  struct fs_err err;
  if (hub_create(&cfg, &o, f->admin_token, &err) || hub_open(&f->hub, &cfg, 2, &err) ||
      store_acquire(f->hub.store, &f->c, &err)) {
    fprintf(stderr, "fixture: %s: %s\n", err.where, err.msg);
    abort();
  }
  hub_local_actor(&f->hub, &f->op);
}

static inline void hub_fixture_close(struct hub_fixture *f)
{
  store_release(f->hub.store, f->c);
  hub_close(&f->hub);
  test_rmrf(f->dir);
}

#endif
