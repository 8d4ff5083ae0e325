/* Writing packs: blobs are deduplicated, compressed, sealed and appended to a temporary pack that
 * is closed with an encrypted trailer, fsynced, renamed into data/ and made read-only. An index
 * file listing the run's packs is written at commit; packs of a killed run are adopted from their
 * trailers by the next writer, so their blobs are reused. */
#include "vault/internal.h"

#include "core/encode.h"
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* A pack being written (data/tmp/<id>.tmp). */
struct pack {
  int fd;
  char tmp[4096];
  uint8_t id[32];
  long no; /* in r->ix.packs */
  uint64_t size;
  struct fs_buf trailer; /* its entries */
  uint32_t nentries;
};

struct vault_writer {
  struct pack cur;     /* the open pack, appended to under r->mu */
  int closing;         /* full packs being finished outside the lock */
  pthread_cond_t idle; /* closing dropped to 0 */
  struct fs_buf index; /* body of the index file this run will write (after a u32 count) */
  uint32_t index_packs;
  uint64_t bytes_added;
  struct fs_buf made; /* ids of the packs this run stored (32 bytes each), for discard */
  int failed;         /* the first error, after which every put fails */
  struct fs_err failed_err;
};

struct vault_put_ctx {
  ZSTD_CCtx *cctx;
  uint8_t *buf;
  size_t cap;
};

struct vault_put_ctx *vault_put_ctx_new(void)
{
  struct vault_put_ctx *c = calloc(1, sizeof(*c));
  if (c && !(c->cctx = ZSTD_createCCtx())) {
    free(c);
    c = NULL;
  }
  return c;
}

struct vault_put_ctx *vault_put_ctx_new_buffer(void)
{
  return calloc(1, sizeof(struct vault_put_ctx));
}

void vault_put_ctx_lend(struct vault_put_ctx *from, struct vault_put_ctx *to)
{
  ZSTD_CCtx *t = to->cctx;
  to->cctx = from->cctx;
  from->cctx = t;
}

void vault_put_ctx_free(struct vault_put_ctx *c)
{
  if (!c)
    return;
  ZSTD_freeCCtx(c->cctx);
  free(c->buf);
  free(c);
}

static int io_error(struct fs_err *err, int e, const char *path, const char *what)
{
  if (e == ENOSPC || e == EDQUOT)
    return fs_err_set(err, FS_ERR_NO_SPACE, path,
                      "disk full while %s; the repository is unchanged and every earlier snapshot "
                      "is intact (free space and run again: stored data will be reused)",
                      what);
  return fs_err_set(err, FS_ERR_IO, path, "%s failed: %s", what, strerror(e));
}

static int write_all(int fd, const void *p, size_t n)
{
  const uint8_t *b = p;
  while (n) {
    ssize_t w = write(fd, b, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return w < 0 ? errno : EIO;
    b += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Opens a new temporary pack as r->w->cur. Called with r->mu held (or before threads start). */
static int pack_open(struct vault_repo *r, struct fs_err *err)
{
  struct pack *p = &r->w->cur;
  randombytes_buf(p->id, 32);
  char hex[65];
  fs_hex_encode(p->id, 32, hex);
  vault_path(r, p->tmp, sizeof(p->tmp), "data/tmp/%s.tmp", hex);
  p->fd = open(p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (p->fd < 0)
    return io_error(err, errno, p->tmp, "creating a pack");
  int e = write_all(p->fd, VAULT_MAGIC_PACK, VAULT_MAGIC_LEN);
  if (e) {
    close(p->fd);
    p->fd = -1;
    unlink(p->tmp);
    return io_error(err, e, p->tmp, "writing a pack");
  }
  p->size = VAULT_MAGIC_LEN;
  p->nentries = 0;
  fs_buf_reset(&p->trailer);
  p->no = vault_index_add_pack(&r->ix, p->id, 0);
  if (p->no < 0)
    return fs_err_set(err, FS_ERR_NOMEM, p->tmp, "out of memory");
  return FS_OK;
}

/* Marks the entries (encoded in `trailer`) of pack `no` as stored. */
static void mark_stored(struct vault_repo *r, const uint8_t *entries, uint32_t n)
{
  for (uint32_t i = 0; i < n; i++) {
    struct vault_loc *l = vault_index_find(&r->ix, entries + (size_t)i * VAULT_ENTRY_LEN + 1);
    if (l)
      l->state = 1;
  }
}

/* Finishes a full pack: trailer, fsync, read-only, rename into data/xx/. Needs no lock (it uses
 * only p and the repository's keys and path), so the other threads go on appending meanwhile. An
 * empty pack is removed. */
static int pack_finish(struct vault_repo *r, struct pack *p, struct fs_err *err)
{
  if (p->fd < 0)
    return FS_OK;
  if (!p->nentries) {
    close(p->fd);
    p->fd = -1;
    unlink(p->tmp);
    return FS_OK;
  }
  size_t plen = 4 + p->trailer.len;
  size_t slen = plen + VAULT_SEAL_OVERHEAD;
  uint8_t *plain = malloc(plen), *sealed = malloc(slen + 12);
  if (!plain || !sealed) {
    free(plain);
    free(sealed);
    close(p->fd);
    p->fd = -1;
    unlink(p->tmp);
    return fs_err_set(err, FS_ERR_NOMEM, p->tmp, "out of memory");
  }
  vault_put_u32(plain, p->nentries);
  memcpy(plain + 4, p->trailer.data, p->trailer.len);
  vault_seal(r->keys.meta, VAULT_MAGIC_PACK, VAULT_MAGIC_LEN, plain, plen, sealed);
  vault_put_u32(sealed + slen, (uint32_t)slen);
  memcpy(sealed + slen + 4, VAULT_MAGIC_PACK_END, VAULT_MAGIC_LEN);
  int e = write_all(p->fd, sealed, slen + 12);
  free(plain);
  free(sealed);
  if (!e && (fchmod(p->fd, 0444) || fsync(p->fd)))
    e = errno;
  close(p->fd);
  p->fd = -1;
  if (e) {
    unlink(p->tmp);
    return io_error(err, e, p->tmp, "closing a pack");
  }
  p->size += slen + 12;
  char hex[65], dir[4096], path[4096];
  fs_hex_encode(p->id, 32, hex);
  vault_path(r, dir, sizeof(dir), "data/%.2s", hex);
  vault_pack_path(r, p->id, path, sizeof(path));
  if (mkdir(dir, 0700) && errno != EEXIST)
    e = errno;
  if (!e && rename(p->tmp, path))
    e = errno;
  if (e) {
    unlink(p->tmp);
    return io_error(err, e, path, "storing a pack");
  }
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return FS_OK;
}

/* Records a finished pack: its blobs become readable, and it joins this run's index file. Called
 * with r->mu held. */
static int pack_record(struct vault_repo *r, const struct pack *p, struct fs_err *err)
{
  struct vault_writer *w = r->w;
  if (!p->nentries)
    return FS_OK;
  r->ix.packs[p->no].size = p->size;
  mark_stored(r, (const uint8_t *)p->trailer.data, p->nentries);
  uint8_t h[44];
  memcpy(h, p->id, 32);
  vault_put_u64(h + 32, p->size);
  vault_put_u32(h + 40, p->nentries);
  if (fs_buf_append(&w->index, h, sizeof(h)) ||
      fs_buf_append(&w->index, p->trailer.data, p->trailer.len))
    return fs_err_set(err, FS_ERR_NOMEM, p->tmp, "out of memory");
  w->index_packs++;
  w->bytes_added += p->size;
  if (fs_buf_append(&w->made, p->id, 32))
    return fs_err_set(err, FS_ERR_NOMEM, p->tmp, "out of memory");
  return FS_OK;
}

/* Reads the trailer of a pack that no index lists and adds its blobs. */
static int adopt(struct vault_repo *r, const char *path, const uint8_t id[32])
{
  struct fs_buf raw;
  struct fs_err e2;
  if (vault_read_file(path, &raw, &e2))
    return -1;
  int rc = -1;
  const uint8_t *p = (const uint8_t *)raw.data;
  if (raw.len >= VAULT_MAGIC_LEN + 12 && !memcmp(p + raw.len - 8, VAULT_MAGIC_PACK_END, 8)) {
    uint32_t slen = vault_get_u32(p + raw.len - 12);
    if (slen >= VAULT_SEAL_OVERHEAD + 4 && slen <= raw.len - 12 - VAULT_MAGIC_LEN) {
      size_t start = raw.len - 12 - slen;
      uint8_t *plain = malloc(slen);
      struct vault_entry *e = NULL;
      size_t n = 0;
      if (plain &&
          !vault_open_sealed(r->keys.meta, VAULT_MAGIC_PACK, VAULT_MAGIC_LEN, p + start, slen,
                             plain) &&
          !vault_trailer_parse(plain, slen - VAULT_SEAL_OVERHEAD, start, &e, &n, &e2)) {
        long no = vault_index_add_pack(&r->ix, id, raw.len);
        if (no >= 0 && !vault_index_add_entries(&r->ix, no, e, n)) {
          uint8_t h[44];
          memcpy(h, id, 32);
          vault_put_u64(h + 32, raw.len);
          vault_put_u32(h + 40, (uint32_t)n);
          rc = fs_buf_append(&r->w->index, h, sizeof(h));
          for (size_t i = 0; !rc && i < n; i++)
            rc = vault_entry_encode(&r->w->index, &e[i]);
          if (!rc)
            r->w->index_packs++;
        }
      }
      free(e);
      free(plain);
    }
  }
  fs_buf_release(&raw);
  return rc;
}

static void remove_temporaries(struct vault_repo *r, const char *sub)
{
  char **names;
  size_t n;
  struct fs_err e2;
  if (vault_list(r, sub, &names, &n, &e2))
    return;
  for (size_t i = 0; i < n; i++) {
    if (strstr(names[i], ".tmp")) {
      char path[4096];
      vault_path(r, path, sizeof(path), "%s/%s", sub, names[i]);
      unlink(path);
    }
  }
  vault_list_free(names, n);
}

int vault_writer_begin(struct vault_repo *r, struct fs_err *err)
{
  if (r->mode == VAULT_LOCK_SHARED)
    return fs_err_set(err, FS_ERR_INTERNAL, "writer", "needs the write lock");
  struct vault_writer *w = calloc(1, sizeof(*w));
  if (!w)
    return fs_err_set(err, FS_ERR_NOMEM, "writer", "out of memory");
  w->cur.fd = -1;
  fs_buf_init(&w->cur.trailer, 0);
  fs_buf_init(&w->index, 0);
  fs_buf_init(&w->made, 0);
  pthread_cond_init(&w->idle, NULL);
  r->w = w;
  char path[4096];
  vault_path(r, path, sizeof(path), "data/tmp");
  int rc = fs_mkdir_p(path, 0700, err);
  if (rc)
    return rc;
  remove_temporaries(r, "data/tmp");
  remove_temporaries(r, "index");
  remove_temporaries(r, "snapshots");
  remove_temporaries(r, "tombstones");
  /* Adopt packs that a killed run stored but did not index. */
  char **subs;
  size_t nsubs;
  rc = vault_list(r, "data", &subs, &nsubs, err);
  for (size_t i = 0; !rc && i < nsubs; i++) {
    if (strlen(subs[i]) != 2)
      continue;
    char sub[16], **names;
    size_t n;
    snprintf(sub, sizeof(sub), "data/%s", subs[i]);
    if (vault_list(r, sub, &names, &n, err))
      break;
    for (size_t j = 0; j < n; j++) {
      uint8_t id[32];
      if (strlen(names[j]) != 64 || fs_hex_decode(names[j], 64, id, 32))
        continue;
      bool known = false;
      for (size_t k = 0; k < r->ix.npacks && !known; k++)
        known = !memcmp(r->ix.packs[k].id, id, 32);
      if (known)
        continue;
      vault_path(r, path, sizeof(path), "%s/%s", sub, names[j]);
      adopt(r, path, id); /* a damaged orphan is left for verify to report */
    }
    vault_list_free(names, n);
  }
  vault_list_free(subs, nsubs);
  /* Packs the index lists but that are missing or truncated: their blobs will be stored again. */
  for (size_t i = 0; !rc && i < r->ix.npacks; i++) {
    struct stat st;
    vault_pack_path(r, r->ix.packs[i].id, path, sizeof(path));
    r->ix.packs[i].lost = stat(path, &st) || (uint64_t)st.st_size < r->ix.packs[i].size;
  }
  if (!rc)
    rc = pack_open(r, err);
  return rc;
}

/* Appends sealed bytes to the open pack. Called with r->mu held. When the pack is full, it is
 * handed over in *full (fd >= 0) and a new one is opened: the caller finishes it without the lock.
 */
static int put_locked_append(struct vault_repo *r, struct vault_loc *l, uint8_t type,
                             const uint8_t id[32], const uint8_t *sealed, size_t slen,
                             uint32_t raw_len, struct pack *full, struct fs_err *err)
{
  struct vault_writer *w = r->w;
  struct pack *p = &w->cur;
  if (w->failed)
    return fs_err_copy(err, &w->failed_err, (enum fs_code)w->failed, NULL);
  int e = write_all(p->fd, sealed, slen);
  if (e) {
    w->failed = io_error(&w->failed_err, e, p->tmp, "writing a pack");
    *err = w->failed_err;
    return w->failed;
  }
  struct vault_entry ent = {
      .type = type, .offset = p->size, .enc_len = (uint32_t)slen, .raw_len = raw_len};
  memcpy(ent.id, id, 32);
  l->pack = (uint32_t)p->no;
  l->type = type;
  l->offset = p->size;
  l->enc_len = (uint32_t)slen;
  l->raw_len = raw_len;
  p->size += slen;
  if (vault_entry_encode(&p->trailer, &ent))
    return fs_err_set(err, FS_ERR_NOMEM, p->tmp, "out of memory");
  p->nentries++;
  if (p->size >= r->cfg.pack_size) {
    *full = *p; /* the trailer's buffer goes with it */
    fs_buf_init(&p->trailer, 0);
    p->fd = -1;
    w->closing++;
    int rc = pack_open(r, err);
    if (rc) {
      w->failed = rc;
      w->failed_err = *err;
    }
    return rc;
  }
  return FS_OK;
}

int vault_put_prepare(struct vault_repo *r, struct vault_put_ctx *c, enum vault_blob_type type,
                      const void *data, size_t len, struct vault_sealed *out, struct fs_err *err)
{
  memset(out->id, 0, sizeof(out->id));
  out->store = false;
  out->type = (uint8_t)type;
  out->raw_len = (uint32_t)len;
  if (len > VAULT_MAX_BLOB)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "blob", "blob of %zu bytes is over the limit", len);
  /* One buffer: nonce || flag || payload || tag, sealed in place (libsodium allows it). */
  size_t bound = VAULT_SEAL_OVERHEAD + 1 + ZSTD_compressBound(len);
  if (c->cap < bound) {
    free(c->buf);
    c->cap = bound;
    if (!(c->buf = malloc(c->cap))) {
      c->cap = 0;
      return fs_err_set(err, FS_ERR_NOMEM, "blob", "out of memory");
    }
  }
  if (type == VAULT_BLOB_CHUNK) {
    vault_chunk_id(&r->keys, data, len, out->id);
  } else {
    /* Other types are domain-separated so that they never share an id with a chunk. */
    uint8_t *tmp = c->buf;
    tmp[0] = (uint8_t)type;
    memcpy(tmp + 1, data, len);
    vault_chunk_id(&r->keys, tmp, len + 1, out->id);
  }
  pthread_mutex_lock(&r->mu);
  bool fresh;
  struct vault_loc *l = vault_index_put(&r->ix, out->id, &fresh);
  if (l && !fresh && l->state == 1 && r->ix.packs[l->pack].lost) {
    /* Its pack is gone or damaged: store the blob again (this is how a deposit repairs). */
    l->state = 2;
    fresh = true;
  }
  pthread_mutex_unlock(&r->mu);
  if (!l)
    return fs_err_set(err, FS_ERR_NOMEM, "index", "out of memory");
  if (!fresh)
    return FS_OK; /* stored already, or being stored by another thread of this run */
  uint8_t *plain = c->buf + VAULT_NONCE_LEN;
  if (!c->cctx && !(c->cctx = ZSTD_createCCtx()))
    return fs_err_set(err, FS_ERR_NOMEM, "blob", "out of memory");
  size_t z = ZSTD_compressCCtx(c->cctx, plain + 1, bound - VAULT_SEAL_OVERHEAD - 1, data, len,
                               r->zstd_level);
  size_t plen;
  if (!ZSTD_isError(z) && z < len) {
    plain[0] = VAULT_BLOB_ZSTD;
    plen = z + 1;
  } else {
    plain[0] = VAULT_BLOB_RAW;
    memcpy(plain + 1, data, len);
    plen = len + 1;
  }
  uint8_t ad[33];
  vault_blob_ad(ad, (uint8_t)type, out->id);
  vault_seal(r->keys.data, ad, sizeof(ad), plain, plen, c->buf);
  out->bytes = c->buf;
  out->len = plen + VAULT_SEAL_OVERHEAD;
  out->store = true;
  return FS_OK;
}

int vault_put_append(struct vault_repo *r, const struct vault_sealed *s, struct fs_err *err)
{
  if (!s->store)
    return FS_OK;
  struct pack full = {.fd = -1};
  pthread_mutex_lock(&r->mu);
  struct vault_loc *l = vault_index_find(&r->ix, s->id); /* the table may have grown meanwhile */
  int rc = put_locked_append(r, l, s->type, s->id, s->bytes, s->len, s->raw_len, &full, err);
  pthread_mutex_unlock(&r->mu);
  if (full.fd < 0)
    return rc;
  /* The fsync of a full pack (tens of milliseconds, more on a busy disk) holds no lock. */
  struct fs_err e2;
  int frc = pack_finish(r, &full, &e2);
  pthread_mutex_lock(&r->mu);
  if (!frc)
    frc = pack_record(r, &full, &e2);
  if (frc && !r->w->failed) {
    r->w->failed = frc;
    r->w->failed_err = e2;
  }
  if (--r->w->closing == 0)
    pthread_cond_broadcast(&r->w->idle);
  pthread_mutex_unlock(&r->mu);
  fs_buf_release(&full.trailer);
  if (!rc && frc) {
    *err = e2;
    rc = frc;
  }
  return rc;
}

int vault_put_ctx(struct vault_repo *r, struct vault_put_ctx *c, enum vault_blob_type type,
                  const void *data, size_t len, uint8_t id_out[32], struct fs_err *err)
{
  struct vault_sealed s;
  int rc = vault_put_prepare(r, c, type, data, len, &s, err);
  memcpy(id_out, s.id, 32);
  return rc ? rc : vault_put_append(r, &s, err);
}

int vault_put(struct vault_repo *r, enum vault_blob_type type, const void *data, size_t len,
              uint8_t id_out[32], struct fs_err *err)
{
  struct vault_put_ctx *c = vault_put_ctx_new();
  if (!c)
    return fs_err_set(err, FS_ERR_NOMEM, "blob", "out of memory");
  int rc = vault_put_ctx(r, c, type, data, len, id_out, err);
  vault_put_ctx_free(c);
  return rc;
}

int vault_writer_commit(struct vault_repo *r, struct fs_err *err)
{
  struct vault_writer *w = r->w;
  if (w->failed)
    return fs_err_copy(err, &w->failed_err, (enum fs_code)w->failed, NULL);
  pthread_mutex_lock(&r->mu);
  while (w->closing)
    pthread_cond_wait(&w->idle, &r->mu);
  int rc = w->failed ? fs_err_copy(err, &w->failed_err, (enum fs_code)w->failed, NULL)
                     : pack_finish(r, &w->cur, err);
  if (!rc)
    rc = pack_record(r, &w->cur, err);
  pthread_mutex_unlock(&r->mu);
  if (rc)
    return rc;
  if (w->index_packs) {
    size_t n = 4 + w->index.len;
    uint8_t *body = malloc(n);
    if (!body)
      return fs_err_set(err, FS_ERR_NOMEM, "index", "out of memory");
    vault_put_u32(body, w->index_packs);
    memcpy(body + 4, w->index.data, w->index.len);
    uint8_t rid[32];
    char hex[65], path[4096];
    randombytes_buf(rid, sizeof(rid));
    fs_hex_encode(rid, 32, hex);
    vault_path(r, path, sizeof(path), "index/%s", hex);
    rc = vault_write_meta(r, path, VAULT_MAGIC_INDEX, body, n, err);
    free(body);
    if (rc)
      return rc;
    fs_buf_reset(&w->index);
    w->index_packs = 0;
  }
  fs_buf_reset(&w->made); /* indexed: no longer this run's to discard */
  for (size_t i = 0; i < r->ix.npacks; i++)
    r->ix.packs[i].indexed = true;
  return pack_open(r, err);
}

uint64_t vault_writer_bytes_added(const struct vault_repo *r)
{
  return r->w ? r->w->bytes_added : 0;
}

void vault_writer_discard(struct vault_repo *r)
{
  struct vault_writer *w = r->w;
  if (!w)
    return;
  pthread_mutex_lock(&r->mu);
  while (w->closing)
    pthread_cond_wait(&w->idle, &r->mu);
  pthread_mutex_unlock(&r->mu);
  for (size_t off = 0; off + 32 <= w->made.len; off += 32) {
    const uint8_t *id = (const uint8_t *)w->made.data + off;
    char path[4096];
    vault_pack_path(r, id, path, sizeof(path));
    unlink(path);
    for (size_t i = 0; i < r->ix.npacks; i++)
      if (!memcmp(r->ix.packs[i].id, id, 32))
        r->ix.packs[i].lost = true;
  }
  fs_buf_reset(&w->made);
  vault_writer_abort(r);
}

void vault_writer_abort(struct vault_repo *r)
{
  struct vault_writer *w = r->w;
  if (!w)
    return;
  if (w->cur.fd >= 0) {
    close(w->cur.fd);
    unlink(w->cur.tmp);
  }
  fs_buf_release(&w->cur.trailer);
  fs_buf_release(&w->index);
  fs_buf_release(&w->made);
  pthread_cond_destroy(&w->idle);
  free(w);
  r->w = NULL;
}
