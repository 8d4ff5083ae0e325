/* The repository handle: creating and opening a repository (config, keys, lock), repository files,
 * the in-memory index and reading blobs. */
#include "vault/crypto.h"
#include "vault/internal.h"

#include "core/encode.h"
#include "core/file.h"
#include "core/i18n.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "core/vec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

static const char *const SUBDIRS[] = {"data", "index", "snapshots", "tombstones", "keys", "drills"};

uint64_t vault_now_ms(void)
{
  return (uint64_t)fs_time_now_ms();
}

/* ---- problems ---------------------------------------------------------------------------------
 */

/* A line is one allocation: the English, its NUL, the zh-TW, its NUL. */
static void problems_put(struct vault_problems *p, const char *en, const char *zh)
{
  size_t limit = p->limit ? p->limit : 1000;
  if (p->n >= limit || FS_VEC_GROW(p->items, p->n, p->cap, 16)) {
    p->dropped++;
    return;
  }
  size_t ne = strlen(en), nz = strlen(zh);
  char *s = malloc(ne + nz + 2);
  if (!s) {
    p->dropped++;
    return;
  }
  memcpy(s, en, ne + 1);
  memcpy(s + ne + 1, zh, nz + 1);
  p->items[p->n++] = s;
}

void vault_problems_add(struct vault_problems *p, const char *fmt, ...)
{
  size_t limit = p->limit ? p->limit : 1000;
  if (p->n >= limit) {
    p->dropped++;
    return;
  }
  char en[1024], zh[1536];
  va_list ap;
  va_start(ap, fmt);
  fs_msg_vformat(en, sizeof(en), zh, sizeof(zh), fmt, ap);
  va_end(ap);
  problems_put(p, en, zh);
}

const char *vault_problems_text(const struct vault_problems *p, size_t i, bool zh)
{
  const char *en = p->items[i];
  return fs_msg_pick(en, en + strlen(en) + 1, zh);
}

void vault_problems_take(struct vault_problems *dst, const struct vault_problems *src)
{
  for (size_t i = 0; i < src->n; i++)
    problems_put(dst, src->items[i], vault_problems_text(src, i, true));
  dst->dropped += src->dropped;
}

void vault_problems_release(struct vault_problems *p)
{
  for (size_t i = 0; i < p->n; i++)
    free(p->items[i]);
  free(p->items);
  size_t limit = p->limit;
  memset(p, 0, sizeof(*p));
  p->limit = limit;
}

/* ---- files ------------------------------------------------------------------------------------
 */

int vault_path(const struct vault_repo *r, char *out, size_t n, const char *fmt, ...)
{
  int w = snprintf(out, n, "%s/", r->dir);
  if (w < 0 || (size_t)w >= n)
    return FS_ERR_TOO_LARGE;
  va_list ap;
  va_start(ap, fmt);
  int w2 = vsnprintf(out + w, n - (size_t)w, fmt, ap);
  va_end(ap);
  return w2 < 0 || (size_t)w2 >= n - (size_t)w ? FS_ERR_TOO_LARGE : FS_OK;
}

void vault_pack_path(const struct vault_repo *r, const uint8_t id[32], char *out, size_t n)
{
  char hex[65];
  fs_hex_encode(id, 32, hex);
  vault_path(r, out, n, "data/%.2s/%s", hex, hex);
}

int vault_write_file(const char *path, const void *data, size_t len, struct fs_err *err)
{
  return fs_file_write_atomic(path, data, len, 0444, err);
}

int vault_read_file(const char *path, struct fs_buf *out, struct fs_err *err)
{
  fs_buf_init(out, VAULT_META_MAX);
  int rc = fs_file_read_all(path, out, err);
  if (rc)
    fs_buf_release(out);
  return rc;
}

int vault_read_meta(struct vault_repo *r, const char *path, const char magic[8], struct fs_buf *out,
                    struct fs_err *err)
{
  struct fs_buf raw;
  int rc = vault_read_file(path, &raw, err);
  if (rc)
    return rc;
  if (raw.len < VAULT_MAGIC_LEN + VAULT_SEAL_OVERHEAD || memcmp(raw.data, magic, VAULT_MAGIC_LEN)) {
    fs_buf_release(&raw);
    return fs_err_set(err, FS_ERR_CORRUPT, path, "not a %.8s file (bad magic or too short)", magic);
  }
  fs_buf_init(out, VAULT_META_MAX);
  size_t n = raw.len - VAULT_MAGIC_LEN;
  rc = fs_buf_reserve(out, n);
  if (!rc &&
      vault_open_sealed(r->keys.meta, magic, VAULT_MAGIC_LEN,
                        (const uint8_t *)raw.data + VAULT_MAGIC_LEN, n, (uint8_t *)out->data))
    rc = fs_err_set(err, FS_ERR_CORRUPT, path, "authentication failed: the file was altered");
  else if (rc)
    fs_err_set(err, rc, path, "out of memory");
  fs_buf_release(&raw);
  if (rc) {
    fs_buf_release(out);
    return rc;
  }
  out->len = n - VAULT_SEAL_OVERHEAD;
  out->data[out->len] = '\0';
  return FS_OK;
}

int vault_write_meta(struct vault_repo *r, const char *path, const char magic[8], const void *body,
                     size_t len, struct fs_err *err)
{
  size_t total = VAULT_MAGIC_LEN + len + VAULT_SEAL_OVERHEAD;
  uint8_t *buf = malloc(total);
  if (!buf)
    return fs_err_set(err, FS_ERR_NOMEM, path, "out of memory");
  memcpy(buf, magic, VAULT_MAGIC_LEN);
  vault_seal(r->keys.meta, magic, VAULT_MAGIC_LEN, body, len, buf + VAULT_MAGIC_LEN);
  int rc = vault_write_file(path, buf, total, err);
  free(buf);
  return rc;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int vault_list(const struct vault_repo *r, const char *sub, char ***names, size_t *n,
               struct fs_err *err)
{
  *names = NULL;
  *n = 0;
  char path[4096];
  vault_path(r, path, sizeof(path), "%s", sub);
  DIR *d = opendir(path);
  if (!d)
    return errno == ENOENT ? FS_OK
                           : fs_err_set(err, FS_ERR_IO, path, "cannot list: %s", strerror(errno));
  size_t cap = 0;
  struct dirent *e;
  int rc = FS_OK;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    if (FS_VEC_GROW(*names, *n, cap, 64)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, path, "out of memory");
      break;
    }
    if (!((*names)[*n] = strdup(e->d_name))) {
      rc = fs_err_set(err, FS_ERR_NOMEM, path, "out of memory");
      break;
    }
    (*n)++;
  }
  closedir(d);
  if (rc) {
    vault_list_free(*names, *n);
    *names = NULL;
    *n = 0;
    return rc;
  }
  if (*n)
    qsort(*names, *n, sizeof(char *), cmp_str);
  return FS_OK;
}

void vault_list_free(char **names, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
}

int vault_mkdirs(const char *dir, struct fs_err *err)
{
  int rc = fs_mkdir_p(dir, 0700, err);
  for (size_t i = 0; !rc && i < FS_ARRAY_SIZE(SUBDIRS); i++) {
    char p[4096];
    snprintf(p, sizeof(p), "%s/%s", dir, SUBDIRS[i]);
    rc = fs_mkdir_p(p, 0700, err);
  }
  return rc;
}

/* ---- the in-memory index ----------------------------------------------------------------------
 */

void vault_index_init(struct vault_index *ix)
{
  memset(ix, 0, sizeof(*ix));
}

void vault_index_release(struct vault_index *ix)
{
  free(ix->slots);
  free(ix->packs);
  memset(ix, 0, sizeof(*ix));
}

static size_t slot_of(const uint8_t id[32], size_t cap)
{
  return (size_t)vault_get_u64(id) & (cap - 1);
}

struct vault_loc *vault_index_find(const struct vault_index *ix, const uint8_t id[32])
{
  if (!ix->cap)
    return NULL;
  for (size_t i = slot_of(id, ix->cap);; i = (i + 1) & (ix->cap - 1)) {
    struct vault_loc *l = &ix->slots[i];
    if (!l->state)
      return NULL;
    if (!memcmp(l->id, id, 32))
      return l;
  }
}

static int grow(struct vault_index *ix)
{
  size_t cap = ix->cap ? ix->cap * 2 : 1024;
  struct vault_loc *s = calloc(cap, sizeof(*s));
  if (!s)
    return FS_ERR_NOMEM;
  for (size_t i = 0; i < ix->cap; i++) {
    if (!ix->slots[i].state)
      continue;
    size_t j = slot_of(ix->slots[i].id, cap);
    while (s[j].state)
      j = (j + 1) & (cap - 1);
    s[j] = ix->slots[i];
  }
  free(ix->slots);
  ix->slots = s;
  ix->cap = cap;
  return FS_OK;
}

struct vault_loc *vault_index_put(struct vault_index *ix, const uint8_t id[32], bool *fresh)
{
  struct vault_loc *l = vault_index_find(ix, id);
  *fresh = false;
  if (l)
    return l;
  if ((ix->count + 1) * 4 > ix->cap * 3 && grow(ix))
    return NULL;
  size_t i = slot_of(id, ix->cap);
  while (ix->slots[i].state)
    i = (i + 1) & (ix->cap - 1);
  l = &ix->slots[i];
  memset(l, 0, sizeof(*l));
  memcpy(l->id, id, 32);
  l->state = 2;
  ix->count++;
  *fresh = true;
  return l;
}

long vault_index_add_pack(struct vault_index *ix, const uint8_t id[32], uint64_t size)
{
  for (size_t i = 0; i < ix->npacks; i++)
    if (!memcmp(ix->packs[i].id, id, 32))
      return (long)i;
  if (FS_VEC_GROW(ix->packs, ix->npacks, ix->packs_cap, 64))
    return -1;
  struct vault_pack_info *p = &ix->packs[ix->npacks];
  memcpy(p->id, id, 32);
  p->size = size;
  p->indexed = false;
  return (long)ix->npacks++;
}

/* Adds the entries of one pack; a blob already known elsewhere keeps its first place. */
int vault_index_add_entries(struct vault_index *ix, long pack, const struct vault_entry *e,
                            size_t n)
{
  for (size_t i = 0; i < n; i++) {
    bool fresh;
    struct vault_loc *l = vault_index_put(ix, e[i].id, &fresh);
    if (!l)
      return FS_ERR_NOMEM;
    /* Keep the first place, unless that pack is lost and this one is not (the blob was stored
     * again after its pack went missing). */
    if (!fresh && l->state == 1 && !(ix->packs[l->pack].lost && !ix->packs[pack].lost))
      continue;
    l->state = 1;
    l->pack = (uint32_t)pack;
    l->type = e[i].type;
    l->offset = e[i].offset;
    l->enc_len = e[i].enc_len;
    l->raw_len = e[i].raw_len;
  }
  return FS_OK;
}

int vault_index_load(struct vault_repo *r, struct vault_problems *problems, struct fs_err *err)
{
  char **names;
  size_t n;
  int rc = vault_list(r, "index", &names, &n, err);
  if (rc)
    return rc;
  for (size_t i = 0; i < n && !rc; i++) {
    if (strlen(names[i]) != 64)
      continue; /* temporary files */
    char path[4096];
    vault_path(r, path, sizeof(path), "index/%s", names[i]);
    struct fs_buf body;
    struct fs_err e2;
    int lrc = vault_read_meta(r, path, VAULT_MAGIC_INDEX, &body, &e2);
    struct vault_index_file f = {0};
    if (!lrc) {
      lrc = vault_index_file_parse((const uint8_t *)body.data, body.len, &f, &e2);
      if (lrc)
        fs_err_wrap_where(&e2, path);
      fs_buf_release(&body);
    }
    if (lrc) {
      if (problems)
        vault_problems_add(problems, "index file %s: %s: %s", names[i], e2.where, e2.msg);
      else
        rc = fs_err_copy(err, &e2, lrc, NULL);
      continue;
    }
    for (size_t p = 0; p < f.npacks && !rc; p++) {
      long pi = vault_index_add_pack(&r->ix, f.packs[p].id, f.packs[p].size);
      if (pi < 0)
        rc = fs_err_set(err, FS_ERR_NOMEM, path, "out of memory");
      else {
        struct stat st;
        char pp[4096];
        vault_pack_path(r, f.packs[p].id, pp, sizeof(pp));
        r->ix.packs[pi].indexed = true;
        r->ix.packs[pi].lost = stat(pp, &st) || (uint64_t)st.st_size < f.packs[p].size;
        if (vault_index_add_entries(&r->ix, pi, f.entries + f.packs[p].first, f.packs[p].count))
          rc = fs_err_set(err, FS_ERR_NOMEM, path, "out of memory");
      }
    }
    vault_index_file_release(&f);
  }
  vault_list_free(names, n);
  return rc;
}

/* ---- blobs ------------------------------------------------------------------------------------
 */

void vault_blob_ad(uint8_t ad[33], uint8_t type, const uint8_t id[32])
{
  ad[0] = type;
  memcpy(ad + 1, id, 32);
}

void vault_blob_io_init(struct vault_blob_io *io)
{
  fs_buf_init(&io->sealed, VAULT_MAX_BLOB + 4096);
  fs_buf_init(&io->plain, VAULT_MAX_BLOB + 4096);
  io->dctx = NULL;
  io->check_ids = true;
}

void vault_blob_io_release(struct vault_blob_io *io)
{
  fs_buf_release(&io->sealed);
  fs_buf_release(&io->plain);
  ZSTD_freeDCtx(io->dctx);
  io->dctx = NULL;
}

/* Opens e's sealed bytes into dst (cap >= e->raw_len). With in_place (sealed is io->sealed) the
 * sealed bytes are decrypted where they are, which spares a buffer and a pass over the bytes. */
static int unseal_to(struct vault_repo *r, struct vault_blob_io *io, const struct vault_entry *e,
                     const uint8_t *sealed, bool in_place, uint8_t *dst, size_t cap,
                     struct fs_err *err)
{
  char hex[65], where[160];
  fs_hex_encode(e->id, 32, hex);
  snprintf(where, sizeof(where), "blob %.16s", hex);
  if (cap < e->raw_len)
    return fs_err_set(err, FS_ERR_CORRUPT, where, "larger than the reader expects");
  uint8_t ad[33];
  vault_blob_ad(ad, e->type, e->id);
  size_t plen = e->enc_len - VAULT_SEAL_OVERHEAD;
  uint8_t *plain;
  if (in_place) {
    plain = (uint8_t *)io->sealed.data + VAULT_NONCE_LEN;
  } else {
    fs_buf_reset(&io->plain);
    if (fs_buf_reserve(&io->plain, plen + 1))
      return fs_err_set(err, FS_ERR_NOMEM, where, "out of memory");
    plain = (uint8_t *)io->plain.data;
  }
  if (vault_open_sealed(r->keys.data, ad, sizeof(ad), sealed, e->enc_len, plain))
    return fs_err_set(err, FS_ERR_CORRUPT, where,
                      "authentication failed (damaged or altered bytes)");
  int rc = FS_OK;
  if (plen < 1) {
    rc = fs_err_set(err, FS_ERR_CORRUPT, where, "empty blob");
  } else if (plain[0] == VAULT_BLOB_RAW) {
    if (plen - 1 != e->raw_len)
      rc = fs_err_set(err, FS_ERR_CORRUPT, where, "length differs from the index");
    else
      memcpy(dst, plain + 1, e->raw_len);
  } else if (plain[0] == VAULT_BLOB_ZSTD) {
    if (!io->dctx && !(io->dctx = ZSTD_createDCtx()))
      rc = fs_err_set(err, FS_ERR_NOMEM, where, "out of memory");
    else {
      size_t got = ZSTD_decompressDCtx(io->dctx, dst, e->raw_len, plain + 1, plen - 1);
      if (ZSTD_isError(got) || got != e->raw_len)
        rc = fs_err_set(err, FS_ERR_CORRUPT, where, "decompression failed or length differs");
    }
  } else {
    rc = fs_err_set(err, FS_ERR_CORRUPT, where, "unknown encoding flag %u", plain[0]);
  }
  if (!rc && io->check_ids && e->type == VAULT_BLOB_CHUNK) {
    uint8_t id[32];
    vault_chunk_id(&r->keys, dst, e->raw_len, id);
    if (memcmp(id, e->id, 32))
      rc = fs_err_set(err, FS_ERR_CORRUPT, where, "content does not match its id");
  }
  return rc;
}

static int unseal_buf(struct vault_repo *r, struct vault_blob_io *io, const struct vault_entry *e,
                      const uint8_t *sealed, bool in_place, struct fs_buf *out, struct fs_err *err)
{
  fs_buf_reset(out);
  if (fs_buf_reserve(out, (size_t)e->raw_len + 1))
    return fs_err_set(err, FS_ERR_NOMEM, "blob", "out of memory");
  int rc = unseal_to(r, io, e, sealed, in_place, (uint8_t *)out->data, e->raw_len, err);
  if (rc)
    return rc;
  out->len = e->raw_len;
  out->data[out->len] = '\0';
  return FS_OK;
}

int vault_blob_unseal(struct vault_repo *r, struct vault_blob_io *io, const struct vault_entry *e,
                      const uint8_t *sealed, struct fs_buf *out, struct fs_err *err)
{
  return unseal_buf(r, io, e, sealed, false, out, err);
}

/* Reads the sealed bytes of blob id into io->sealed; fills *e. */
static int read_sealed(struct vault_repo *r, struct vault_blob_io *io, const uint8_t id[32],
                       struct vault_entry *e, char *packpath, size_t pathcap, struct fs_err *err)
{
  char hex[65];
  fs_hex_encode(id, 32, hex);
  pthread_mutex_lock(&r->mu);
  struct vault_loc *l = vault_index_find(&r->ix, id);
  struct vault_loc loc = l ? *l : (struct vault_loc){0};
  uint8_t packid[32];
  if (l)
    memcpy(packid, r->ix.packs[l->pack].id, 32);
  pthread_mutex_unlock(&r->mu);
  if (!l || loc.state != 1)
    return fs_err_set(err, FS_ERR_NOT_FOUND, hex, "blob is not in the index (missing pack?)");
  vault_pack_path(r, packid, packpath, pathcap);
  int fd = open(packpath, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fs_err_set(err, errno == ENOENT ? FS_ERR_CORRUPT : FS_ERR_IO, packpath,
                      "pack holding blob %.16s cannot be opened: %s", hex, strerror(errno));
  fs_buf_reset(&io->sealed);
  int rc = fs_buf_reserve(&io->sealed, loc.enc_len);
  ssize_t got = rc ? -1 : pread(fd, io->sealed.data, loc.enc_len, (off_t)loc.offset);
  close(fd);
  if (rc)
    return fs_err_set(err, FS_ERR_NOMEM, packpath, "out of memory");
  if (got != (ssize_t)loc.enc_len)
    return fs_err_set(err, FS_ERR_CORRUPT, packpath,
                      "pack is truncated: blob %.16s at offset %llu is missing", hex,
                      (unsigned long long)loc.offset);
  *e = (struct vault_entry){
      .type = loc.type, .offset = loc.offset, .enc_len = loc.enc_len, .raw_len = loc.raw_len};
  memcpy(e->id, id, 32);
  return FS_OK;
}

static void wrap_pack(struct fs_err *err, const char *packpath, uint64_t offset)
{
  char where[256];
  snprintf(where, sizeof(where), "pack %.16s offset %llu", strrchr(packpath, '/') + 1,
           (unsigned long long)offset);
  fs_err_wrap_where(err, where);
}

int vault_blob_read_into(struct vault_repo *r, struct vault_blob_io *io, const uint8_t id[32],
                         uint8_t *dst, size_t cap, size_t *len, struct fs_err *err)
{
  struct vault_entry e;
  char path[4096];
  int rc = read_sealed(r, io, id, &e, path, sizeof(path), err);
  if (!rc && (rc = unseal_to(r, io, &e, (const uint8_t *)io->sealed.data, true, dst, cap, err)))
    wrap_pack(err, path, e.offset);
  if (!rc)
    *len = e.raw_len;
  return rc;
}

int vault_blob_read(struct vault_repo *r, struct vault_blob_io *io, const uint8_t id[32],
                    struct fs_buf *out, struct fs_err *err)
{
  struct vault_entry e;
  char path[4096];
  int rc = read_sealed(r, io, id, &e, path, sizeof(path), err);
  if (!rc && (rc = unseal_buf(r, io, &e, (const uint8_t *)io->sealed.data, true, out, err)))
    wrap_pack(err, path, e.offset);
  return rc;
}

int vault_blob_load(struct vault_repo *r, const uint8_t id[32], struct fs_buf *out,
                    struct fs_err *err)
{
  struct vault_blob_io io;
  vault_blob_io_init(&io);
  int rc = vault_blob_read(r, &io, id, out, err);
  vault_blob_io_release(&io);
  return rc;
}
