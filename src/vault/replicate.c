/* Offsite copies: copy what the other repository lacks (each file written atomically and made
 * read-only), then open the copy with the same keys and verify it, reading back the copied packs.
 */
#include "vault/internal.h"

#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int copy_file(const char *from, const char *to, struct vault_replicate_result *res,
                     struct fs_err *err)
{
  struct stat a, b;
  if (stat(from, &a))
    return fs_err_set(err, FS_ERR_IO, from, "cannot read: %s", strerror(errno));
  if (!stat(to, &b)) {
    if (a.st_size != b.st_size)
      return fs_err_set(err, FS_ERR_CONFLICT, to,
                        "the copy holds a different file under this name (%lld bytes, the source "
                        "has %lld): verify the copy",
                        (long long)b.st_size, (long long)a.st_size);
    res->files_present++;
    return FS_OK;
  }
  /* Streamed into a temporary file, fsynced, made read-only, renamed: never half a file. */
  char tmp[4200];
  snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", to, (long)getpid());
  int in = open(from, O_RDONLY | O_CLOEXEC);
  int out = in < 0 ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int rc = FS_OK;
  if (in < 0 || out < 0)
    rc = fs_err_set(err, FS_ERR_IO, in < 0 ? from : tmp, "cannot open: %s", strerror(errno));
  static const size_t BLOCK = 1u << 20;
  uint8_t *buf = rc ? NULL : malloc(BLOCK);
  if (!rc && !buf)
    rc = fs_err_set(err, FS_ERR_NOMEM, from, "out of memory");
  uint64_t total = 0;
  while (!rc) {
    ssize_t n = read(in, buf, BLOCK);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      rc = fs_err_set(err, FS_ERR_IO, from, "read failed: %s", strerror(errno));
      break;
    }
    if (n == 0)
      break;
    for (ssize_t off = 0; off < n && !rc;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        rc = fs_err_set(err, errno == ENOSPC ? FS_ERR_NO_SPACE : FS_ERR_IO, to, "write failed: %s",
                        strerror(errno));
      else
        off += w;
    }
    total += (uint64_t)n;
  }
  free(buf);
  if (!rc && (fchmod(out, 0444) || fsync(out)))
    rc = fs_err_set(err, errno == ENOSPC ? FS_ERR_NO_SPACE : FS_ERR_IO, to, "fsync failed: %s",
                    strerror(errno));
  if (in >= 0)
    close(in);
  if (out >= 0)
    close(out);
  if (!rc && rename(tmp, to))
    rc = fs_err_set(err, FS_ERR_IO, to, "rename failed: %s", strerror(errno));
  if (rc) {
    unlink(tmp);
    return rc;
  }
  res->files_copied++;
  res->bytes_copied += total;
  return rc;
}

static int copy_dir(struct vault_repo *r, const char *to, const char *sub,
                    struct vault_replicate_result *res, struct fs_err *err)
{
  char **names;
  size_t n;
  int rc = vault_list(r, sub, &names, &n, err);
  char dst[4096];
  snprintf(dst, sizeof(dst), "%s/%s", to, sub);
  if (!rc)
    rc = fs_mkdir_p(dst, 0700, err);
  for (size_t i = 0; i < n && !rc; i++) {
    if (strstr(names[i], ".tmp") || !strcmp(names[i], "tmp"))
      continue;
    char src[4096], path[4096];
    vault_path(r, src, sizeof(src), "%s/%s", sub, names[i]);
    struct stat st;
    if (stat(src, &st))
      continue;
    if (S_ISDIR(st.st_mode)) {
      char child[256];
      snprintf(child, sizeof(child), "%s/%s", sub, names[i]);
      rc = copy_dir(r, to, child, res, err);
      continue;
    }
    snprintf(path, sizeof(path), "%s/%s", dst, names[i]);
    rc = copy_file(src, path, res, err);
  }
  vault_list_free(names, n);
  return rc;
}

/* A key-file slot removed at the source (vault key remove) is removed from the copy too, so that
 * the revoked key file no longer opens the offsite copy either. */
static int revoke_removed_keys(struct vault_repo *r, struct vault_repo *copy,
                               struct vault_replicate_result *res, struct fs_err *err)
{
  char **names;
  size_t n;
  int rc = vault_list(copy, "keys", &names, &n, err);
  for (size_t i = 0; i < n && !rc; i++) {
    if (strncmp(names[i], "keyfile-", 8) || strstr(names[i], ".tmp"))
      continue;
    char src[4096], dst[4096];
    vault_path(r, src, sizeof(src), "keys/%s", names[i]);
    vault_path(copy, dst, sizeof(dst), "keys/%s", names[i]);
    if (fs_path_exists(src))
      continue;
    if (unlink(dst) && errno != ENOENT)
      rc = fs_err_set(err, FS_ERR_IO, dst, "cannot remove: %s", strerror(errno));
    else
      res->keys_revoked++;
  }
  vault_list_free(names, n);
  return rc;
}

int vault_replicate(struct vault_repo *r, const char *to, struct vault_replicate_result *res,
                    struct fs_err *err)
{
  memset(res, 0, sizeof(*res));
  char path[4096], src[4096];
  snprintf(path, sizeof(path), "%s/config", to);
  int rc = FS_OK;
  if (fs_path_exists(path)) {
    /* Only a copy of this very repository may receive it. */
    struct fs_buf text;
    rc = vault_read_file(path, &text, err);
    if (!rc) {
      if (!strstr(text.data, r->cfg.id))
        rc = fs_err_set(err, FS_ERR_CONFLICT, to, "holds another repository, not a copy of %s",
                        r->cfg.id);
      fs_buf_release(&text);
    }
  } else {
    rc = vault_mkdirs(to, err);
  }
  static const char *const subs[] = {"keys", "index", "data", "snapshots", "tombstones", "drills"};
  /* Packs and the index before snapshots, so a snapshot never arrives before what it needs. */
  for (size_t i = 0; !rc && i < FS_ARRAY_SIZE(subs); i++)
    rc = copy_dir(r, to, subs[i], res, err);
  if (!rc) {
    vault_path(r, src, sizeof(src), "config");
    struct stat a, b;
    if (!stat(path, &b) && !stat(src, &a) && a.st_size != b.st_size)
      unlink(path); /* the policy was lengthened at the source: take the new config */
    rc = copy_file(src, path, res, err);
  }
  if (rc)
    return rc;
  /* Verify the copy with the same keys. */
  struct vault_repo *c = calloc(1, sizeof(*c));
  if (!c)
    return fs_err_set(err, FS_ERR_NOMEM, to, "out of memory");
  snprintf(c->dir, sizeof(c->dir), "%s", to);
  c->lock_fd = c->write_fd = -1;
  c->mode = VAULT_LOCK_SHARED;
  c->keys = r->keys;
  c->cfg = r->cfg;
  pthread_mutex_init(&c->mu, NULL);
  vault_index_init(&c->ix);
  rc = revoke_removed_keys(r, c, res, err);
  if (!rc)
    rc = vault_index_load(c, &c->open_problems, err);
  struct vault_verify_opts vo = {.read_data = true};
  if (!rc)
    rc = vault_verify(c, &vo, &res->verify, err);
  vault_repo_close(c);
  return rc;
}
