/* Key files: a second way into a repository for an unattended service, without a password and
 * without Argon2id on every run. A key file holds a random 256-bit key and the id of the slot
 * (keys/keyfile-<slot>) where the master key is sealed under it; removing the slot revokes the
 * file. Whoever holds the file and reads the repository can read everything in it, as with the
 * password: docs/vault.md says how to keep it. */
#include "vault/crypto.h"
#include "vault/internal.h"

#include "core/encode.h"
#include "core/file.h"
#include "core/jsonx.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEYFILE_TYPE "finshield-vault-key-file"

static bool slot_ok(const char *slot)
{
  if (strlen(slot) != 16)
    return false;
  for (const char *c = slot; *c; c++)
    if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
      return false;
  return true;
}

int vault_key_add(struct vault_repo *r, const char *path, char slot[17], struct fs_err *err)
{
  struct stat st;
  if (!lstat(path, &st))
    return fs_err_set(err, FS_ERR_CONFLICT, path,
                      "already exists; a key file is never overwritten");
  uint8_t id[8], secret[32], master[32];
  randombytes_buf(id, sizeof(id));
  randombytes_buf(secret, sizeof(secret));
  fs_hex_encode(id, sizeof(id), slot);
  memcpy(master, r->keys.master, 32);
  json_t *o = vault_keyfile_slot(master, secret, slot, (int64_t)vault_now_ms());
  sodium_memzero(master, sizeof(master));
  char *text = o ? json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
  json_decref(o);
  char key[65], spath[4096];
  fs_hex_encode(secret, 32, key);
  sodium_memzero(secret, sizeof(secret));
  json_t *kf = json_pack("{s:s, s:i, s:s, s:s, s:s}", "type", KEYFILE_TYPE, "v", 1, "repository",
                         r->cfg.id, "slot", slot, "key", key);
  sodium_memzero(key, sizeof(key));
  char *ktext = kf ? json_dumps(kf, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
  json_decref(kf);
  int rc = text && ktext ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, path, "out of memory");
  if (!rc)
    rc = vault_path(r, spath, sizeof(spath), "keys/keyfile-%s", slot);
  if (rc == FS_ERR_TOO_LARGE)
    fs_err_set(err, rc, r->dir, "path too long");
  if (!rc)
    rc = vault_write_file(spath, text, strlen(text), err);
  size_t kn = ktext ? strlen(ktext) : 0;
  if (!rc) {
    ktext[kn] = '\n'; /* json_dumps ends without one; the buffer has room for its NUL */
    rc = fs_file_write_atomic(path, ktext, kn + 1, 0400, err);
    if (rc)
      unlink(spath); /* no slot without its file */
  }
  free(text);
  if (ktext)
    sodium_memzero(ktext, kn + 1);
  free(ktext);
  return rc;
}

int vault_key_unlock(const struct vault_repo *r, const char *path, uint8_t master[32],
                     struct fs_err *err)
{
  struct stat st;
  if (stat(path, &st))
    return fs_err_set(err, errno == ENOENT ? FS_ERR_NOT_FOUND : FS_ERR_IO, path,
                      "cannot read the key file: %s", strerror(errno));
  if (st.st_mode & 077)
    return fs_err_set(err, FS_ERR_FORBIDDEN, path,
                      "key file is readable or writable by others (mode %04o): chmod 0400 it; it "
                      "opens the repository like the password",
                      (unsigned)(st.st_mode & 07777));
  struct fs_buf b;
  fs_buf_init(&b, 512);
  int rc = fs_file_read_all(path, &b, err);
  json_t *o = NULL;
  if (!rc && jsonx_parse_object(b.data, b.len, &o, err))
    rc = fs_err_set(err, FS_ERR_INVALID, path, "not a vault key file (vault key add writes one)");
  if (b.data)
    sodium_memzero(b.data, b.len);
  fs_buf_release(&b);
  const char *type = NULL, *repo = NULL, *slot = NULL, *key = NULL;
  struct fs_err e2;
  if (!rc &&
      (jsonx_string(o, "type", JSONX_REQUIRED, 64, &type, &e2) || strcmp(type, KEYFILE_TYPE) ||
       jsonx_string(o, "repository", JSONX_REQUIRED, 32, &repo, &e2) ||
       jsonx_string(o, "slot", JSONX_REQUIRED, 16, &slot, &e2) || !slot_ok(slot) ||
       jsonx_string(o, "key", JSONX_REQUIRED, 64, &key, &e2) || strlen(key) != 64))
    rc = fs_err_set(err, FS_ERR_INVALID, path, "not a vault key file (vault key add writes one)");
  if (!rc && strcmp(repo, r->cfg.id))
    rc = fs_err_set(err, FS_ERR_UNAUTHENTICATED, path,
                    "this key file belongs to repository %s, not to %s (%s)", repo, r->cfg.id,
                    r->dir);
  uint8_t secret[32];
  if (!rc && fs_hex_decode(key, 64, secret, 32))
    rc = fs_err_set(err, FS_ERR_INVALID, path, "not a vault key file (vault key add writes one)");
  char spath[4096];
  struct fs_buf text;
  fs_buf_init(&text, 0);
  if (!rc)
    rc = vault_path(r, spath, sizeof(spath), "keys/keyfile-%s", slot);
  if (!rc) {
    rc = vault_read_file(spath, &text, err);
    if (rc == FS_ERR_NOT_FOUND)
      rc = fs_err_set(err, FS_ERR_UNAUTHENTICATED, path,
                      "key slot %s is not in this repository: the key file was revoked (vault key "
                      "remove)",
                      slot);
  }
  json_t *so = NULL;
  if (!rc && jsonx_parse_object(text.data, text.len, &so, err))
    rc = fs_err_set(err, FS_ERR_CORRUPT, spath, "key slot damaged (not JSON)");
  if (!rc)
    rc = vault_keyfile_slot_open(so, secret, slot, master, err);
  sodium_memzero(secret, sizeof(secret));
  json_decref(so);
  json_decref(o);
  fs_buf_release(&text);
  return rc;
}

void vault_key_slots_free(struct vault_key_slot *s, size_t n)
{
  (void)n;
  free(s);
}

int vault_key_list(struct vault_repo *r, struct vault_key_slot **out, size_t *n, struct fs_err *err)
{
  *out = NULL;
  *n = 0;
  char **names;
  size_t count;
  int rc = vault_list(r, "keys", &names, &count, err);
  if (rc)
    return rc;
  struct vault_key_slot *v = calloc(count ? count : 1, sizeof(*v));
  if (!v) {
    vault_list_free(names, count);
    return fs_err_set(err, FS_ERR_NOMEM, "keys", "out of memory");
  }
  size_t k = 0;
  for (size_t i = 0; i < count; i++) {
    struct vault_key_slot *s = &v[k];
    if (!strcmp(names[i], "password") || !strcmp(names[i], "partner")) {
      snprintf(s->name, sizeof(s->name), "%s", names[i]);
    } else if (!strncmp(names[i], "keyfile-", 8) && slot_ok(names[i] + 8)) {
      snprintf(s->name, sizeof(s->name), "%s", names[i] + 8);
      char path[4096];
      struct fs_buf text;
      json_t *o = NULL;
      struct fs_err e2;
      int64_t ms = 0;
      if (!vault_path(r, path, sizeof(path), "keys/%s", names[i]) &&
          !vault_read_file(path, &text, &e2)) {
        if (!jsonx_parse_object(text.data, text.len, &o, &e2))
          jsonx_int(o, "created_ms", 0, 0, INT64_MAX, &ms, NULL, &e2);
        json_decref(o);
        fs_buf_release(&text);
      }
      s->created_ms = ms;
      s->key_file = true;
    } else {
      continue;
    }
    k++;
  }
  vault_list_free(names, count);
  *out = v;
  *n = k;
  return FS_OK;
}

int vault_key_remove(struct vault_repo *r, const char *slot, struct fs_err *err)
{
  if (!slot_ok(slot))
    return fs_err_set(err, FS_ERR_USAGE, slot,
                      "a key-file slot is 16 hex digits (vault key list); the password and the "
                      "partner's key cannot be removed");
  char path[4096];
  if (vault_path(r, path, sizeof(path), "keys/keyfile-%s", slot))
    return fs_err_set(err, FS_ERR_TOO_LARGE, r->dir, "path too long");
  if (!unlink(path))
    return FS_OK;
  if (errno == ENOENT)
    return fs_err_set(err, FS_ERR_NOT_FOUND, slot, "no such key slot in this repository");
  return fs_err_set(err, FS_ERR_IO, path, "cannot remove: %s", strerror(errno));
}
