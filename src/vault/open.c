/* Creating and opening a repository: the config file and its MAC, key files, locks. */
#include "vault/crypto.h"
#include "vault/internal.h"

#include "core/encode.h"
#include "core/file.h"
#include "core/jsonx.h"
#include "core/uuid.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define DEFAULT_DAILY 90
#define DEFAULT_MONTHLY 84
#define DEFAULT_MAX_DEPTH 60

/* The config's JSON without its MAC, in a canonical form (sorted keys, compact). */
static json_t *config_json(const struct vault_config *c)
{
  char pk[65];
  fs_hex_encode(c->sign_pk, 32, pk);
  return json_pack("{s:i, s:s, s:I, s:{s:I, s:I}, s:s, s:i, s:i, s:I, s:b, s:s, s:s, s:s, s:s}",
                   "version", c->version, "id", c->id, "created_ms", (json_int_t)c->created_ms,
                   "retention", "daily_days", (json_int_t)c->retention.daily_days, "monthly_months",
                   (json_int_t)c->retention.monthly_months, "sign_pk", pk, "zstd_level",
                   c->zstd_level, "max_delta_depth", (int)c->max_depth, "pack_size",
                   (json_int_t)c->pack_size, "partner", c->has_partner, "chunker",
                   "fastcdc-gear/256k/1m/4m", "chunk_id", "hmac-sha256", "cipher",
                   "xchacha20poly1305", "compression", "zstd");
}

static int config_write(struct vault_repo *r, struct fs_err *err)
{
  json_t *o = config_json(&r->cfg);
  char *canon = o ? json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
  if (!canon) {
    json_decref(o);
    return fs_err_set(err, FS_ERR_NOMEM, "config", "out of memory");
  }
  uint8_t mac[32];
  char hex[65];
  vault_mac(&r->keys, canon, strlen(canon), mac);
  free(canon);
  fs_hex_encode(mac, 32, hex);
  json_object_set_new(o, "mac", json_string(hex));
  char *text = json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2));
  json_decref(o);
  if (!text)
    return fs_err_set(err, FS_ERR_NOMEM, "config", "out of memory");
  char path[4096];
  vault_path(r, path, sizeof(path), "config");
  int rc = vault_write_file(path, text, strlen(text), err);
  free(text);
  return rc;
}

int vault_config_parse(const char *text, size_t len, struct vault_config *c, char mac_hex[65],
                       struct fs_err *err)
{
  json_t *o;
  int rc = jsonx_parse_object(text, len, &o, err);
  if (rc)
    return rc;
  int64_t v, cr, dd, mm, zl, md, ps;
  bool partner = false;
  const char *id, *pk, *mac;
  json_t *ret = json_object_get(o, "retention");
  rc = jsonx_int(o, "version", JSONX_REQUIRED, 1, 1000, &v, NULL, err);
  if (!rc && v != VAULT_FORMAT_VERSION)
    rc = fs_err_set(err, FS_ERR_UNSUPPORTED, "config",
                    "repository version %lld; this program "
                    "reads version %d",
                    (long long)v, VAULT_FORMAT_VERSION);
  if (!rc)
    rc = jsonx_string(o, "id", JSONX_REQUIRED, 32, &id, err);
  if (!rc)
    rc = jsonx_int(o, "created_ms", JSONX_REQUIRED, 0, INT64_MAX, &cr, NULL, err);
  if (!rc && !json_is_object(ret))
    rc = fs_err_set(err, FS_ERR_CORRUPT, "config.retention", "missing");
  if (!rc)
    rc = jsonx_int(ret, "daily_days", JSONX_REQUIRED, 0, 100000, &dd, NULL, err);
  if (!rc)
    rc = jsonx_int(ret, "monthly_months", JSONX_REQUIRED, 0, 100000, &mm, NULL, err);
  if (!rc)
    rc = jsonx_string(o, "sign_pk", JSONX_REQUIRED, 64, &pk, err);
  if (!rc)
    rc = jsonx_int(o, "zstd_level", JSONX_REQUIRED, -7, 19, &zl, NULL, err);
  if (!rc)
    rc = jsonx_int(o, "max_delta_depth", JSONX_REQUIRED, 0, 10000, &md, NULL, err);
  if (!rc)
    rc = jsonx_int(o, "pack_size", JSONX_REQUIRED, 1 << 20, INT64_C(1) << 32, &ps, NULL, err);
  if (!rc)
    rc = jsonx_bool(o, "partner", 0, &partner, NULL, err);
  if (!rc)
    rc = jsonx_string(o, "mac", JSONX_REQUIRED, 64, &mac, err);
  if (!rc && (strlen(pk) != 64 || fs_hex_decode(pk, 64, c->sign_pk, 32) || strlen(mac) != 64))
    rc = fs_err_set(err, FS_ERR_CORRUPT, "config", "sign_pk or mac is not 32 hex bytes");
  if (!rc) {
    c->version = (int)v;
    snprintf(c->id, sizeof(c->id), "%s", id);
    c->created_ms = cr;
    c->retention.daily_days = dd;
    c->retention.monthly_months = mm;
    c->zstd_level = (int)zl;
    c->max_depth = (uint32_t)md;
    c->pack_size = (uint64_t)ps;
    c->has_partner = partner;
    memcpy(mac_hex, mac, 65);
  }
  json_decref(o);
  if (rc && err->code != FS_ERR_UNSUPPORTED)
    err->code = FS_ERR_CORRUPT;
  return rc;
}

static int config_check_mac(struct vault_repo *r, const char mac_hex[65], struct fs_err *err)
{
  json_t *o = config_json(&r->cfg);
  char *canon = o ? json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
  json_decref(o);
  if (!canon)
    return fs_err_set(err, FS_ERR_NOMEM, "config", "out of memory");
  uint8_t mac[32], want[32];
  vault_mac(&r->keys, canon, strlen(canon), mac);
  free(canon);
  if (fs_hex_decode(mac_hex, 64, want, 32) || !fs_ct_equal(mac, want, 32))
    return fs_err_set(err, FS_ERR_CORRUPT, "config",
                      "MAC check failed: the config (retention policy?) was altered");
  if (memcmp(r->keys.sign_pk, r->cfg.sign_pk, 32))
    return fs_err_set(err, FS_ERR_CORRUPT, "config", "signing key does not match the master key");
  return FS_OK;
}

static int write_keyfile(const char *dir, const char *name, json_t *o, struct fs_err *err)
{
  char *text = o ? json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
  json_decref(o);
  if (!text)
    return fs_err_set(err, FS_ERR_NOMEM, name, "cannot build the key file");
  char path[4096];
  snprintf(path, sizeof(path), "%s/keys/%s", dir, name);
  int rc = vault_write_file(path, text, strlen(text), err);
  free(text);
  return rc;
}

int vault_init(const char *dir, const struct vault_init_opts *o, struct fs_err *err)
{
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)))
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
        empty = false;
    closedir(d);
    if (!empty)
      return fs_err_set(err, FS_ERR_CONFLICT, dir, "folder is not empty");
  }
  if (!o->password || !o->password_len)
    return fs_err_set(err, FS_ERR_USAGE, "password", "a password is required");
  int rc = vault_mkdirs(dir, err);
  if (rc)
    return rc;
  struct vault_repo *r = calloc(1, sizeof(*r));
  if (!r)
    return fs_err_set(err, FS_ERR_NOMEM, dir, "out of memory");
  snprintf(r->dir, sizeof(r->dir), "%s", dir);
  uint8_t master[32], rid[16];
  randombytes_buf(master, sizeof(master));
  randombytes_buf(rid, sizeof(rid));
  vault_keys_derive(&r->keys, master);
  r->cfg.version = VAULT_FORMAT_VERSION;
  fs_hex_encode(rid, sizeof(rid), r->cfg.id);
  r->cfg.created_ms = (int64_t)vault_now_ms();
  r->cfg.retention = o->retention;
  if (!r->cfg.retention.daily_days && !r->cfg.retention.monthly_months) {
    r->cfg.retention.daily_days = DEFAULT_DAILY;
    r->cfg.retention.monthly_months = DEFAULT_MONTHLY;
  }
  memcpy(r->cfg.sign_pk, r->keys.sign_pk, 32);
  r->cfg.zstd_level = 1;
  r->cfg.max_depth = DEFAULT_MAX_DEPTH;
  r->cfg.pack_size = o->pack_size ? o->pack_size : VAULT_PACK_TARGET;
  if (r->cfg.pack_size < (1u << 20) || r->cfg.pack_size > (UINT64_C(1) << 32)) {
    vault_keys_wipe(&r->keys);
    free(r);
    return fs_err_set(err, FS_ERR_USAGE, "pack size", "must be between 1 MiB and 4 GiB");
  }
  r->cfg.has_partner = o->partner_pk != NULL;
  rc =
      write_keyfile(dir, "password",
                    vault_keyfile_password(master, o->password, o->password_len, o->kdf, err), err);
  if (!rc && o->partner_pk)
    rc = write_keyfile(dir, "partner", vault_keyfile_partner(master, o->partner_pk), err);
  if (!rc)
    rc = config_write(r, err);
  sodium_memzero(master, sizeof(master));
  vault_keys_wipe(&r->keys);
  free(r);
  return rc;
}

static int take_lock(struct vault_repo *r, const char *name, int op, int *fd_out,
                     struct fs_err *err)
{
  char path[4096];
  vault_path(r, path, sizeof(path), "%s", name);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    fd = open(path, O_RDONLY | O_CLOEXEC); /* a read-only copy: shared locks still work */
  if (fd < 0)
    return fs_err_set(err, FS_ERR_IO, path, "cannot open the lock file: %s", strerror(errno));
  for (int tries = 0;; tries++) {
    if (!flock(fd, op | LOCK_NB))
      break;
    if (errno != EWOULDBLOCK || tries >= 300) {
      close(fd);
      return fs_err_set(err, FS_ERR_BUSY, path,
                        "another finshield process is using the repository (the lock is released "
                        "automatically when it ends)");
    }
    usleep(100000);
  }
  *fd_out = fd;
  return FS_OK;
}

int vault_repo_open(const char *dir, const struct vault_unlock *u, enum vault_lock_mode mode,
                    struct vault_repo **out, struct fs_err *err)
{
  *out = NULL;
  struct vault_repo *r = calloc(1, sizeof(*r));
  if (!r)
    return fs_err_set(err, FS_ERR_NOMEM, dir, "out of memory");
  r->lock_fd = r->write_fd = -1;
  r->mode = mode;
  pthread_mutex_init(&r->mu, NULL);
  vault_index_init(&r->ix);
  if (snprintf(r->dir, sizeof(r->dir), "%s", dir) >= (int)sizeof(r->dir)) {
    vault_repo_close(r);
    return fs_err_set(err, FS_ERR_TOO_LARGE, dir, "path too long");
  }
  char path[4096];
  struct fs_buf text;
  vault_path(r, path, sizeof(path), "config");
  int rc = vault_read_file(path, &text, err);
  if (rc == FS_ERR_NOT_FOUND)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, dir, "not a vault repository (no config file)");
  char mac_hex[65];
  if (!rc) {
    rc = vault_config_parse(text.data, text.len, &r->cfg, mac_hex, err);
    if (rc)
      fs_err_wrap_where(err, path);
    fs_buf_release(&text);
  }
  if (!rc)
    rc = take_lock(r, "lock", mode == VAULT_LOCK_EXCLUSIVE ? LOCK_EX : LOCK_SH, &r->lock_fd, err);
  if (!rc && mode != VAULT_LOCK_SHARED)
    rc = take_lock(r, "lock.write", LOCK_EX, &r->write_fd, err);
  /* Unwrap the master key. */
  uint8_t master[32];
  if (!rc && u->key_file && !u->partner_sk) {
    rc = vault_key_unlock(r, u->key_file, master, err);
  } else if (!rc) {
    bool partner = u->partner_sk != NULL;
    vault_path(r, path, sizeof(path), "keys/%s", partner ? "partner" : "password");
    rc = vault_read_file(path, &text, err);
    if (rc == FS_ERR_NOT_FOUND && partner)
      rc =
          fs_err_set(err, FS_ERR_UNAUTHENTICATED, path, "no restoration partner key in this vault");
    json_t *o = NULL;
    if (!rc) {
      rc = jsonx_parse_object(text.data, text.len, &o, err);
      fs_buf_release(&text);
      if (rc) {
        fs_err_wrap_where(err, path);
        err->code = rc = FS_ERR_CORRUPT;
      }
    }
    if (!rc)
      rc = partner ? vault_keyfile_partner_open(o, u->partner_sk, master, err)
                   : vault_keyfile_password_open(o, u->password ? u->password : "", u->password_len,
                                                 master, err);
    json_decref(o);
  }
  if (!rc) {
    vault_keys_derive(&r->keys, master);
    sodium_memzero(master, sizeof(master));
    rc = config_check_mac(r, mac_hex, err);
  }
  r->zstd_level = r->cfg.zstd_level;
  if (!rc)
    rc = vault_index_load(r, &r->open_problems, err);
  if (rc) {
    vault_repo_close(r);
    return rc;
  }
  *out = r;
  return FS_OK;
}

void vault_repo_close(struct vault_repo *r)
{
  if (!r)
    return;
  if (r->w)
    vault_writer_abort(r);
  vault_index_release(&r->ix);
  vault_problems_release(&r->open_problems);
  vault_keys_wipe(&r->keys);
  if (r->write_fd >= 0)
    close(r->write_fd);
  if (r->lock_fd >= 0)
    close(r->lock_fd);
  pthread_mutex_destroy(&r->mu);
  free(r);
}

const struct vault_config *vault_repo_config(const struct vault_repo *r)
{
  return &r->cfg;
}

void vault_repo_set_progress(struct vault_repo *r, struct fs_progress *p)
{
  r->progress = p;
}

int vault_retention_set(struct vault_repo *r, const struct vault_retention *ret, struct fs_err *err)
{
  if (r->mode != VAULT_LOCK_EXCLUSIVE)
    return fs_err_set(err, FS_ERR_INTERNAL, "retention", "needs the exclusive lock");
  if (ret->daily_days < r->cfg.retention.daily_days ||
      ret->monthly_months < r->cfg.retention.monthly_months)
    return fs_err_set(
        err, FS_ERR_FORBIDDEN, "retention",
        "the policy can only be lengthened (now: daily %lld days, monthly %lld months)",
        (long long)r->cfg.retention.daily_days, (long long)r->cfg.retention.monthly_months);
  r->cfg.retention = *ret;
  return config_write(r, err);
}
