/* The fixture of the vault's repository tests: a temporary folder with a repository (Argon2id at
 * its minimum) and a source folder, removed afterwards. */
#ifndef FS_TEST_VAULTFX_H
#define FS_TEST_VAULTFX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vault/vault.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PW "correct horse battery staple"

struct fx {
  char root[256], repo[300], src[300];
};

static int rm_cb(const char *p, const struct stat *st, int f, struct FTW *w)
{
  (void)st;
  (void)f;
  (void)w;
  chmod(p, 0700);
  return remove(p);
}

static void rm_rf(const char *p)
{
  nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *path, const void *data, size_t n)
{
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  fclose(f);
}

static int setup(void **state)
{
  struct fx *x = calloc(1, sizeof(*x));
  snprintf(x->root, sizeof(x->root), "/tmp/fs-vault-test-XXXXXX");
  assert_non_null(mkdtemp(x->root));
  snprintf(x->repo, sizeof(x->repo), "%s/repo", x->root);
  snprintf(x->src, sizeof(x->src), "%s/src", x->root);
  mkdir(x->src, 0700);
  struct vault_init_opts o = {.password = PW, .password_len = strlen(PW), .kdf = VAULT_KDF_MIN};
  struct fs_err err;
  assert_int_equal(vault_init(x->repo, &o, &err), 0);
  *state = x;
  return 0;
}

static int teardown(void **state)
{
  struct fx *x = *state;
  rm_rf(x->root);
  free(x);
  return 0;
}

static struct vault_repo *open_repo(const char *dir, enum vault_lock_mode mode)
{
  struct vault_unlock u = {.password = PW, .password_len = strlen(PW)};
  struct vault_repo *r;
  struct fs_err err;
  if (vault_repo_open(dir, &u, mode, &r, &err))
    fail_msg("open %s: %s: %s", dir, err.where, err.msg);
  return r;
}

#endif
