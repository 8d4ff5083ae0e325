/* Reading a file version back: a chain of sources, one per descriptor. A chunk list is read chunk
 * by chunk; a delta copies and skips its parent's bytes and inserts bytes of its literal stream.
 * Copies go straight into the caller's buffer, so each byte is materialized once, at the level
 * where it was stored, however deep the chain. */
#include "vault/internal.h"
#include "core/thread.h"
#include "vault/pool.h"

#include "core/encode.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CHAIN 4096

struct chunks {
  size_t i;     /* current chunk */
  uint64_t pos; /* offset in it */
  bool loaded;
  struct fs_buf cur;
};

/* Chunks opened ahead by a pool's workers: chunk j lives in slot j % nslots while it is out;
 * chunks [lo, hi) are submitted, waited for or being used. Slots come from a vault_slots store. */
#define PF_MAX 16
struct pf_slot {
  struct vault_task t; /* first: the task is the slot */
  struct vault_repo *r;
  struct vault_blob_io io;
  uint8_t id[32];
  uint8_t *buf;
  size_t cap, len, want;
  bool ready; /* waited for: buf holds the chunk */
  struct pf_slot *next_free;
};

struct prefetch {
  struct vault_pool *pool;
  struct pf_slot *slot[PF_MAX];
  size_t nslots, lo, hi;
};

struct vault_slots {
  struct vault_repo *r;
  struct vault_pool *pool;
  pthread_mutex_t mu;
  struct pf_slot *free; /* made and given back */
  size_t made, max;
};

struct vault_src {
  struct vault_repo *r;
  struct prefetch *pf;       /* NULL: chunks are opened by the reading thread */
  struct vault_slots *slots; /* where pf's slots go back */
  struct vault_desc d;
  uint8_t desc_id[32];
  struct vault_blob_io *io; /* scratch for reading blobs, shared by every level of the chain */
  struct vault_blob_io own_io;
  struct chunks data; /* the file (chunks) or the literal stream (delta) */
  struct vault_src *parent;
  struct fs_buf ops; /* the current operations blob */
  size_t ops_next, ops_pos;
  struct vault_op op; /* what is left of the current operation */
  uint64_t produced, parent_used;
};

static int desc_error(struct vault_src *s, struct fs_err *err, const char *what)
{
  char hex[65];
  fs_hex_encode(s->desc_id, 32, hex);
  char where[96];
  snprintf(where, sizeof(where), "descriptor %.16s", hex);
  return fs_err_set(err, FS_ERR_CORRUPT, where, "%s", what);
}

static int chunks_load(struct vault_src *s, struct fs_err *err)
{
  struct chunks *c = &s->data;
  int rc = vault_blob_read(s->r, s->io, s->d.data[c->i], &c->cur, err);
  if (rc)
    return rc;
  if (c->cur.len != s->d.data_len[c->i])
    return desc_error(s, err, "a chunk's length differs from the descriptor");
  c->loaded = true;
  return FS_OK;
}

static int pf_run(struct vault_task *t, struct fs_err *err)
{
  struct pf_slot *p = (struct pf_slot *)t;
  return vault_blob_read_into(p->r, &p->io, p->id, p->buf, p->cap, &p->len, err);
}

/* Withdraws chunks below `upto` and submits the next ones while slots are free. */
static int pf_advance(struct vault_src *s, size_t upto, struct fs_err *err)
{
  struct prefetch *pf = s->pf;
  for (; pf->lo < upto && pf->lo < pf->hi; pf->lo++) {
    struct pf_slot *p = pf->slot[pf->lo % pf->nslots];
    vault_pool_cancel(pf->pool, &p->t);
    p->ready = false;
  }
  if (pf->lo < upto)
    pf->lo = pf->hi = upto;
  for (; pf->hi < s->d.ndata && pf->hi - pf->lo < pf->nslots; pf->hi++) {
    struct pf_slot *p = pf->slot[pf->hi % pf->nslots];
    p->want = s->d.data_len[pf->hi];
    if (p->cap < p->want) {
      free(p->buf);
      p->cap = (p->want + 0xffff) & ~(size_t)0xffff; /* literal blobs are small: no more */
      if (!(p->buf = malloc(p->cap))) {
        p->cap = 0;
        return fs_err_set(err, FS_ERR_NOMEM, "reader", "out of memory");
      }
    }
    memcpy(p->id, s->d.data[pf->hi], 32);
    p->ready = false;
    p->t.fn = pf_run;
    vault_pool_submit(pf->pool, &p->t);
  }
  return FS_OK;
}

/* Chunk j (the current one) opened by a worker: *p and *len, valid until the reader moves past it.
 */
static int pf_get(struct vault_src *s, size_t j, const uint8_t **p, size_t *len, struct fs_err *err)
{
  int rc = pf_advance(s, j, err);
  if (rc)
    return rc;
  struct pf_slot *sl = s->pf->slot[j % s->pf->nslots];
  if (!sl->ready) {
    if ((rc = vault_pool_wait(s->pf->pool, &sl->t, err)))
      return rc;
    if (sl->len != sl->want)
      return desc_error(s, err, "a chunk's length differs from the descriptor");
    sl->ready = true;
  }
  *p = sl->buf;
  *len = sl->len;
  return FS_OK;
}

/* Reads up to n bytes of the chunk stream; *got < n only at its end. */
static int chunks_read(struct vault_src *s, uint8_t *dst, size_t n, size_t *got, struct fs_err *err)
{
  struct chunks *c = &s->data;
  *got = 0;
  while (s->pf && n && c->i < s->d.ndata) {
    const uint8_t *p;
    size_t len;
    int rc = pf_get(s, c->i, &p, &len, err);
    if (rc)
      return rc;
    size_t k = FS_MIN(n, (size_t)(len - c->pos));
    if (dst) {
      memcpy(dst, p + c->pos, k);
      dst += k;
    }
    c->pos += k;
    n -= k;
    *got += k;
    if (c->pos == len) {
      c->i++;
      c->pos = 0;
    }
  }
  while (n && c->i < s->d.ndata) {
    if (!c->loaded && !c->pos && dst && n >= s->d.data_len[c->i]) {
      /* A whole chunk: decompress it straight into the caller's buffer. */
      size_t len;
      int rc = vault_blob_read_into(s->r, s->io, s->d.data[c->i], dst, n, &len, err);
      if (rc)
        return rc;
      if (len != s->d.data_len[c->i])
        return desc_error(s, err, "a chunk's length differs from the descriptor");
      dst += len;
      n -= len;
      *got += len;
      c->i++;
      continue;
    }
    if (!c->loaded) {
      int rc = chunks_load(s, err);
      if (rc)
        return rc;
    }
    size_t k = FS_MIN(n, (size_t)(c->cur.len - c->pos));
    if (dst) {
      memcpy(dst, c->cur.data + c->pos, k);
      dst += k;
    }
    c->pos += k;
    n -= k;
    *got += k;
    if (c->pos == c->cur.len) {
      c->i++;
      c->pos = 0;
      c->loaded = false;
    }
  }
  return FS_OK;
}

/* Skips n bytes without loading chunks that are skipped whole. */
static uint64_t chunks_skip(struct vault_src *s, uint64_t n)
{
  struct chunks *c = &s->data;
  uint64_t done = 0;
  while (n && c->i < s->d.ndata) {
    uint64_t left = s->d.data_len[c->i] - c->pos;
    if (n >= left) {
      n -= left;
      done += left;
      c->i++;
      c->pos = 0;
      c->loaded = false;
    } else {
      c->pos += n;
      done += n;
      n = 0;
    }
  }
  return done;
}

static int next_op(struct vault_src *s, bool *end, struct fs_err *err)
{
  *end = false;
  while (s->ops_pos >= s->ops.len) {
    if (s->ops_next >= s->d.nops) {
      *end = true;
      return FS_OK;
    }
    int rc = vault_blob_read(s->r, s->io, s->d.ops[s->ops_next++], &s->ops, err);
    if (rc)
      return rc;
    s->ops_pos = 0;
  }
  return vault_op_decode((const uint8_t *)s->ops.data, s->ops.len, &s->ops_pos, &s->op, err);
}

static int src_step(struct vault_src *s, uint8_t *dst, size_t n, size_t *got, struct fs_err *err);

/* Produces (dst != NULL) or skips (dst == NULL) up to n bytes of a delta. */
static int delta_step(struct vault_src *s, uint8_t *dst, size_t n, size_t *got, struct fs_err *err)
{
  *got = 0;
  while (n) {
    struct vault_op *op = &s->op;
    if (op->copy) {
      size_t k = (size_t)FS_MIN((uint64_t)n, op->copy), g;
      int rc = src_step(s->parent, dst, k, &g, err);
      if (rc)
        return rc;
      if (g != k)
        return desc_error(s, err, "operations copy past the end of the parent");
      op->copy -= k;
      s->parent_used += k;
      n -= k;
      *got += k;
      if (dst)
        dst += k;
    } else if (op->skip) {
      size_t g;
      while (op->skip) {
        size_t k = (size_t)FS_MIN(op->skip, (uint64_t)1 << 30);
        int rc = src_step(s->parent, NULL, k, &g, err);
        if (rc)
          return rc;
        if (g != k)
          return desc_error(s, err, "operations skip past the end of the parent");
        op->skip -= k;
        s->parent_used += k;
      }
    } else if (op->insert) {
      size_t k = (size_t)FS_MIN((uint64_t)n, op->insert), g;
      int rc;
      if (dst)
        rc = chunks_read(s, dst, k, &g, err);
      else {
        g = (size_t)chunks_skip(s, k);
        rc = FS_OK;
      }
      if (rc)
        return rc;
      if (g != k)
        return desc_error(s, err, "operations insert more than the literal stream holds");
      op->insert -= k;
      n -= k;
      *got += k;
      if (dst)
        dst += k;
    } else {
      bool end;
      int rc = next_op(s, &end, err);
      if (rc)
        return rc;
      if (end)
        break;
    }
  }
  s->produced += *got;
  if (n && (s->produced != s->d.size || s->parent_used != s->d.parent_size))
    return desc_error(s, err, "operations do not add up to the recorded sizes");
  return FS_OK;
}

static int src_step(struct vault_src *s, uint8_t *dst, size_t n, size_t *got, struct fs_err *err)
{
  if (s->d.kind == VAULT_DESC_DELTA)
    return delta_step(s, dst, n, got, err);
  if (dst)
    return chunks_read(s, dst, n, got, err);
  *got = (size_t)chunks_skip(s, n);
  return FS_OK;
}

int vault_desc_load(struct vault_repo *r, const uint8_t id[32], struct vault_desc *d,
                    struct fs_err *err)
{
  struct fs_buf b;
  fs_buf_init(&b, 0);
  int rc = vault_blob_load(r, id, &b, err);
  if (!rc) {
    rc = vault_desc_parse((const uint8_t *)b.data, b.len, d, err);
    if (rc) {
      char hex[65], where[96];
      fs_hex_encode(id, 32, hex);
      snprintf(where, sizeof(where), "descriptor %.16s", hex);
      fs_err_wrap_where(err, where);
    }
  }
  fs_buf_release(&b);
  return rc;
}

/* Slots a level keeps its next chunks in: twice the workers and one, so that they find chunks to
 * open while the reader uses the oldest one, without a wake-up per chunk (each costs
 * milliseconds on a busy machine). */
static size_t ring_depth(const struct vault_pool *pool)
{
  return FS_MIN(2 * (size_t)vault_pool_threads(pool) + 1, (size_t)PF_MAX);
}

int vault_slots_new(struct vault_repo *r, struct vault_pool *pool, size_t readers,
                    struct vault_slots **out, struct fs_err *err)
{
  struct vault_slots *sl = calloc(1, sizeof(*sl));
  if (!sl)
    return fs_err_set(err, FS_ERR_NOMEM, "reader", "out of memory");
  sl->r = r;
  sl->pool = pool;
  /* Each reading thread: a full ring for its file's largest level, as many again for the others. */
  sl->max = readers * 2 * ring_depth(pool);
  pthread_mutex_init(&sl->mu, NULL);
  *out = sl;
  return FS_OK;
}

void vault_slots_free(struct vault_slots *sl)
{
  if (!sl)
    return;
  for (struct pf_slot *p = sl->free, *next; p; p = next) {
    next = p->next_free;
    vault_blob_io_release(&p->io);
    free(p->buf);
    free(p);
  }
  pthread_mutex_destroy(&sl->mu);
  free(sl);
}

/* Gives n slots back to sl's free list (its lock held). */
static void slots_give_locked(struct vault_slots *sl, struct pf_slot *const *slot, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    slot[i]->ready = false;
    slot[i]->next_free = sl->free;
    sl->free = slot[i];
  }
}

/* Up to `want` slots for one level; NULL when fewer than two are to be had (then the reading
 * thread opens the level's chunks itself). */
static struct prefetch *pf_new(struct vault_slots *sl, size_t want)
{
  if (want < 2)
    return NULL;
  struct prefetch *pf = calloc(1, sizeof(*pf));
  if (!pf)
    return NULL;
  pf->pool = sl->pool;
  pthread_mutex_lock(&sl->mu);
  while (pf->nslots < want) {
    struct pf_slot *p = sl->free;
    if (p) {
      sl->free = p->next_free;
    } else if (sl->made < sl->max && (p = calloc(1, sizeof(*p)))) {
      sl->made++;
      p->r = sl->r;
      vault_blob_io_init(&p->io);
      p->io.check_ids = false; /* the whole file is checked (vault_sum) */
    } else {
      break;
    }
    pf->slot[pf->nslots++] = p;
  }
  if (pf->nslots < 2) {
    slots_give_locked(sl, pf->slot, pf->nslots);
    free(pf);
    pf = NULL;
  }
  pthread_mutex_unlock(&sl->mu);
  return pf;
}

static void pf_free(struct vault_slots *sl, struct prefetch *pf)
{
  if (!pf)
    return;
  for (; pf->lo < pf->hi; pf->lo++)
    vault_pool_cancel(pf->pool, &pf->slot[pf->lo % pf->nslots]->t);
  pthread_mutex_lock(&sl->mu);
  slots_give_locked(sl, pf->slot, pf->nslots);
  pthread_mutex_unlock(&sl->mu);
  free(pf);
}

static int open_level(struct vault_repo *r, const uint8_t id[32], int level,
                      struct vault_blob_io *io, struct vault_src **out, struct fs_err *err)
{
  *out = NULL;
  if (level > MAX_CHAIN)
    return fs_err_set(err, FS_ERR_CORRUPT, "descriptor", "delta chain longer than %d", MAX_CHAIN);
  struct vault_src *s = calloc(1, sizeof(*s));
  if (!s)
    return fs_err_set(err, FS_ERR_NOMEM, "reader", "out of memory");
  s->r = r;
  memcpy(s->desc_id, id, 32);
  vault_blob_io_init(&s->own_io);
  s->own_io.check_ids = false; /* every rebuilt file is checked whole (vault_sum) */
  s->io = io ? io : &s->own_io;
  fs_buf_init(&s->data.cur, 0);
  fs_buf_init(&s->ops, 0);
  int rc = vault_desc_load(r, id, &s->d, err);
  if (!rc && s->d.kind == VAULT_DESC_DELTA) {
    rc = open_level(r, s->d.parent, level + 1, s->io, &s->parent, err);
    if (!rc && (s->parent->d.size != s->d.parent_size || s->parent->d.depth + 1 != s->d.depth))
      rc = desc_error(s, err, "parent's size or depth differs from what the delta records");
  }
  if (rc) {
    vault_src_free(s);
    return rc;
  }
  *out = s;
  return FS_OK;
}

int vault_src_open(struct vault_repo *r, const uint8_t desc[32], struct vault_src **out,
                   struct fs_err *err)
{
  return open_level(r, desc, 0, NULL, out, err);
}

int vault_src_open_slots(struct vault_repo *r, const uint8_t desc[32], struct vault_slots *sl,
                         struct vault_src **out, struct fs_err *err)
{
  int rc = open_level(r, desc, 0, NULL, out, err);
  if (rc || !sl || !vault_pool_threads(sl->pool))
    return rc;
  /* The levels with the most chunks get their slots first, while there are any. */
  size_t want = ring_depth(sl->pool);
  for (;;) {
    struct vault_src *best = NULL;
    for (struct vault_src *s = *out; s; s = s->parent)
      if (!s->slots && s->d.ndata > 1 && (!best || s->d.ndata > best->d.ndata))
        best = s;
    if (!best)
      return FS_OK;
    best->slots = sl;
    best->pf = pf_new(sl, FS_MIN(want, best->d.ndata));
    want = FS_MIN(want, (size_t)3); /* the smaller levels: one chunk used, two being opened */
  }
}

int vault_src_view(struct vault_src *s, uint8_t *buf, size_t cap, const uint8_t **p, size_t *got,
                   struct fs_err *err)
{
  struct chunks *c = &s->data;
  if (s->pf && s->d.kind == VAULT_DESC_CHUNKS) {
    *p = NULL;
    *got = 0;
    if (c->i >= s->d.ndata)
      return FS_OK;
    const uint8_t *q;
    size_t len;
    int rc = pf_get(s, c->i, &q, &len, err);
    if (rc)
      return rc;
    *p = q + c->pos;
    *got = len - c->pos;
    c->i++;
    c->pos = 0;
    return FS_OK;
  }
  *p = buf;
  return src_step(s, buf, cap, got, err);
}

int vault_src_read(struct vault_src *s, uint8_t *dst, size_t n, size_t *got, struct fs_err *err)
{
  return src_step(s, dst, n, got, err);
}

uint64_t vault_src_size(const struct vault_src *s)
{
  return s->d.size;
}

const struct vault_desc *vault_src_desc(const struct vault_src *s)
{
  return &s->d;
}

void vault_src_free(struct vault_src *s)
{
  while (s) {
    struct vault_src *p = s->parent;
    pf_free(s->slots, s->pf);
    vault_desc_release(&s->d);
    vault_blob_io_release(&s->own_io);
    fs_buf_release(&s->data.cur);
    fs_buf_release(&s->ops);
    free(s);
    s = p;
  }
}

/* ---- read-ahead: a second thread rebuilds the next blocks while the caller uses this one --------
 */

#define RA_BUFS 3

struct vault_readahead {
  struct vault_src *src;
  size_t block;
  uint8_t *buf[RA_BUFS];
  size_t len[RA_BUFS];
  size_t head, count; /* filled buffers waiting for the consumer, starting at head */
  bool held;          /* the consumer holds buffer `head` */
  bool done, stop;
  int rc;
  struct fs_err err;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t tid;
};

static void *ra_main(void *arg)
{
  struct vault_readahead *ra = arg;
  for (;;) {
    pthread_mutex_lock(&ra->mu);
    /* One buffer may be held by the consumer; fill only while another is free. */
    while (!ra->stop && ra->count >= RA_BUFS - 1)
      pthread_cond_wait(&ra->cv, &ra->mu);
    if (ra->stop) {
      pthread_mutex_unlock(&ra->mu);
      return NULL;
    }
    size_t slot = (ra->head + ra->count) % RA_BUFS;
    pthread_mutex_unlock(&ra->mu);
    size_t got = 0;
    struct fs_err e;
    int rc = vault_src_read(ra->src, ra->buf[slot], ra->block, &got, &e);
    pthread_mutex_lock(&ra->mu);
    if (rc) {
      ra->rc = rc;
      ra->err = e;
    }
    ra->len[slot] = got;
    if (got)
      ra->count++;
    if (rc || got < ra->block)
      ra->done = true;
    pthread_cond_broadcast(&ra->cv);
    bool finished = ra->done;
    pthread_mutex_unlock(&ra->mu);
    if (finished)
      return NULL;
  }
}

int vault_readahead_start(struct vault_src *src, size_t block, struct vault_readahead **out,
                          struct fs_err *err)
{
  struct vault_readahead *ra = calloc(1, sizeof(*ra));
  if (!ra)
    return fs_err_set(err, FS_ERR_NOMEM, "reader", "out of memory");
  ra->src = src;
  ra->block = block;
  for (int i = 0; i < RA_BUFS; i++)
    if (!(ra->buf[i] = malloc(block))) {
      for (int k = 0; k < i; k++)
        free(ra->buf[k]);
      free(ra);
      return fs_err_set(err, FS_ERR_NOMEM, "reader", "out of memory");
    }
  pthread_mutex_init(&ra->mu, NULL);
  pthread_cond_init(&ra->cv, NULL);
  if (fs_thread_start(&ra->tid, ra_main, ra)) {
    pthread_mutex_destroy(&ra->mu);
    pthread_cond_destroy(&ra->cv);
    for (int i = 0; i < RA_BUFS; i++)
      free(ra->buf[i]);
    free(ra);
    return fs_err_set(err, FS_ERR_NOMEM, "reader", "cannot start a read-ahead thread");
  }
  *out = ra;
  return FS_OK;
}

int vault_readahead_next(struct vault_readahead *ra, const uint8_t **p, size_t *n,
                         struct fs_err *err)
{
  *p = NULL;
  *n = 0;
  pthread_mutex_lock(&ra->mu);
  if (ra->held) { /* release the block handed out last time */
    ra->held = false;
    ra->head = (ra->head + 1) % RA_BUFS;
    ra->count--;
    pthread_cond_broadcast(&ra->cv);
  }
  while (!ra->count && !ra->done)
    pthread_cond_wait(&ra->cv, &ra->mu);
  int rc = FS_OK;
  if (ra->count) {
    ra->held = true;
    *p = ra->buf[ra->head];
    *n = ra->len[ra->head];
  } else if (ra->rc) {
    rc = ra->rc;
    *err = ra->err;
  }
  pthread_mutex_unlock(&ra->mu);
  return rc;
}

void vault_readahead_free(struct vault_readahead *ra)
{
  if (!ra)
    return;
  pthread_mutex_lock(&ra->mu);
  ra->stop = true;
  pthread_cond_broadcast(&ra->cv);
  pthread_mutex_unlock(&ra->mu);
  pthread_join(ra->tid, NULL);
  pthread_mutex_destroy(&ra->mu);
  pthread_cond_destroy(&ra->cv);
  for (int i = 0; i < RA_BUFS; i++)
    free(ra->buf[i]);
  free(ra);
}
