/* Storing files: the per-file workers of deposit and backup. A file is read once; its SHA-256 is
 * computed, its lines validated (standard-format tables), and it is stored either as
 * content-defined chunks or, for a table that the previous deposit also had, as a delta of rows:
 * the previous version is read back from the vault and merged with the new one by key. */
#include "vault/cdf.h"
#include "core/thread.h"
#include "vault/ingest.h"
#include "vault/internal.h"
#include "vault/pool.h"

#include "core/encode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_BUF (2 * VAULT_CHUNK_MAX + (1u << 20))
#define OLD_BUF (1u << 20)
/* Each read(2) takes at most this much, so that hashing and validating find the bytes still in
 * the CPU's cache. */
#define READ_PIECE (1u << 20)
/* Literal and operation blobs stay small: a reader holds one of each per level of a delta chain. */
#define LIT_FLUSH (256u << 10)
#define OPS_FLUSH (256u << 10)

/* ---- splitting a stream into lines ------------------------------------------------------------
 */

typedef void (*line_fn)(void *arg, const char *line, size_t len);

struct lines {
  char carry[VAULT_CDF_MAX_LINE];
  size_t clen;
  bool overflow;
};

static void lines_feed(struct lines *l, const char *p, size_t n, line_fn fn, void *arg)
{
  while (n) {
    const char *nl = memchr(p, '\n', n);
    size_t k = nl ? (size_t)(nl - p) : n;
    if (!nl || l->clen || l->overflow) {
      size_t room = sizeof(l->carry) - l->clen;
      if (k > room) {
        l->overflow = true;
        k = nl ? k : n;
      } else {
        memcpy(l->carry + l->clen, p, k);
        l->clen += k;
      }
      if (nl) {
        /* An overlong line is passed with the maximum length so the validator reports it. */
        fn(arg, l->carry, l->overflow ? sizeof(l->carry) : l->clen);
        l->clen = 0;
        l->overflow = false;
      }
    } else {
      fn(arg, p, k);
    }
    if (!nl)
      return;
    k = (size_t)(nl - p) + 1;
    p += k;
    n -= k;
  }
}

/* ---- a growing list of chunk or ops ids -------------------------------------------------------
 */

struct idlist {
  uint8_t (*id)[32];
  uint32_t *len;
  size_t n, cap;
};

static int idlist_add(struct idlist *l, const uint8_t id[32], uint32_t len)
{
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    void *a = realloc(l->id, cap * 32), *b;
    if (!a)
      return FS_ERR_NOMEM;
    l->id = a;
    if (!(b = realloc(l->len, cap * sizeof(uint32_t))))
      return FS_ERR_NOMEM;
    l->len = b;
    l->cap = cap;
  }
  memcpy(l->id[l->n], id, 32);
  l->len[l->n++] = len;
  return FS_OK;
}

static void idlist_release(struct idlist *l)
{
  free(l->id);
  free(l->len);
  memset(l, 0, sizeof(*l));
}

/* ---- one file ---------------------------------------------------------------------------------
 */

/* A chunk in flight: copied out of the read buffer, then identified, compressed and sealed by a
 * pool worker; the file's thread appends it to the pack when it is the oldest one out. */
/* Compression contexts (about 1 MiB each) shared by the slots: one per task that can run at once,
 * borrowed for the time of a task. */
struct cctxs {
  pthread_mutex_t mu;
  struct vault_put_ctx *free[64];
  size_t n;
};

struct cslot {
  struct vault_task t; /* first: the task is the slot */
  struct vault_repo *r;
  struct cctxs *z;
  struct vault_put_ctx *put; /* its sealed bytes */
  uint8_t *data;
  size_t len, cap;
  struct vault_sealed out;
};

#define MAX_SLOTS 16

struct worker {
  struct vault_repo *r;
  struct vault_put_ctx *put;
  uint8_t *buf; /* READ_BUF bytes */
  struct vault_pool *pool;
  struct cslot slots[MAX_SLOTS];
  size_t nslots;
  uint64_t submitted, collected; /* chunks; slot of chunk k is k % nslots */
};

static int cslot_run(struct vault_task *t, struct fs_err *err)
{
  struct cslot *c = (struct cslot *)t;
  pthread_mutex_lock(&c->z->mu);
  struct vault_put_ctx *z = c->z->n ? c->z->free[--c->z->n] : NULL;
  pthread_mutex_unlock(&c->z->mu);
  if (z)
    vault_put_ctx_lend(z, c->put);
  int rc = vault_put_prepare(c->r, c->put, VAULT_BLOB_CHUNK, c->data, c->len, &c->out, err);
  if (z) {
    vault_put_ctx_lend(c->put, z);
    pthread_mutex_lock(&c->z->mu);
    c->z->free[c->z->n++] = z;
    pthread_mutex_unlock(&c->z->mu);
  }
  return rc;
}

/* Appends the oldest chunk out to the pack and records its id. */
static int chunk_collect(struct worker *w, struct idlist *ids, struct fs_err *err)
{
  struct cslot *c = &w->slots[w->collected++ % w->nslots];
  int rc = vault_pool_wait(w->pool, &c->t, err);
  if (!rc)
    rc = vault_put_append(w->r, &c->out, err);
  if (!rc && idlist_add(ids, c->out.id, (uint32_t)c->len))
    rc = fs_err_set(err, FS_ERR_NOMEM, "chunk list", "out of memory");
  return rc;
}

/* Hands one chunk to the pool; first collects the oldest one when every slot is out. */
static int chunk_submit(struct worker *w, struct idlist *ids, const uint8_t *p, size_t n,
                        struct fs_err *err)
{
  if (w->submitted - w->collected == w->nslots) {
    int rc = chunk_collect(w, ids, err);
    if (rc)
      return rc;
  }
  struct cslot *c = &w->slots[w->submitted % w->nslots];
  if (c->cap < n) {
    free(c->data);
    c->cap = n < VAULT_CHUNK_AVG * 2 ? VAULT_CHUNK_AVG * 2 : VAULT_CHUNK_MAX;
    if (!(c->data = malloc(c->cap))) {
      c->cap = 0;
      return fs_err_set(err, FS_ERR_NOMEM, "chunk", "out of memory");
    }
  }
  memcpy(c->data, p, n);
  c->len = n;
  c->t.fn = cslot_run;
  vault_pool_submit(w->pool, &c->t);
  w->submitted++;
  return FS_OK;
}

/* Collects every chunk still out, in order; after an error, withdraws the rest. */
static int chunk_drain(struct worker *w, struct idlist *ids, int rc, struct fs_err *err)
{
  while (!rc && w->collected < w->submitted)
    rc = chunk_collect(w, ids, err);
  for (; w->collected < w->submitted; w->collected++)
    vault_pool_cancel(w->pool, &w->slots[w->collected % w->nslots].t);
  return rc;
}

struct merge;

struct run {
  struct worker *w;
  struct ingest_job *job;
  struct vault_cdf_state cdf;
  struct lines lines;
  struct merge *m; /* delta only */
  int rc;
  struct fs_err err;
};

static int store_desc(struct run *ru, struct vault_desc *d, const struct idlist *data)
{
  d->ndata = data->n;
  d->data = data->id;
  d->data_len = data->len;
  struct fs_buf b;
  fs_buf_init(&b, 0);
  int rc = vault_desc_encode(&b, d);
  if (rc)
    rc = fs_err_set(&ru->err, rc, ru->job->rel, "out of memory");
  else
    rc = vault_put_ctx(ru->w->r, ru->w->put, VAULT_BLOB_DESC, b.data, b.len, ru->job->desc,
                       &ru->err);
  fs_buf_release(&b);
  d->data = NULL;
  d->data_len = NULL;
  return rc;
}

/* ---- the delta: merge of the previous version's rows with the new rows, by key ------------------
 */

struct merge {
  struct vault_src *old;
  struct vault_readahead *ra; /* rebuilds the previous version in another thread, when it can */
  uint8_t *ob;                /* OLD_BUF + a line: the tail of one block stays before the next */
  size_t olen, opos;
  bool oeof;
  uint64_t consumed;
  struct vault_op cur;
  struct fs_buf ops, lit;
  struct idlist ops_ids, lit_ids;
};

/* Stores b as a blob of the given type when it holds at least `min` bytes (any, when min is 0),
 * records its id in list and empties b. */
static int flush_buf(struct run *ru, enum vault_blob_type type, struct fs_buf *b, size_t min,
                     struct idlist *list)
{
  if (!b->len || b->len < min)
    return FS_OK;
  uint8_t id[32];
  int rc = vault_put_ctx(ru->w->r, ru->w->put, type, b->data, b->len, id, &ru->err);
  if (!rc && idlist_add(list, id, (uint32_t)b->len))
    rc = fs_err_set(&ru->err, FS_ERR_NOMEM, ru->job->rel, "out of memory");
  fs_buf_reset(b);
  return rc;
}

static int flush_lit(struct run *ru, bool all)
{
  return flush_buf(ru, VAULT_BLOB_CHUNK, &ru->m->lit, all ? 0 : LIT_FLUSH, &ru->m->lit_ids);
}

static int flush_op(struct run *ru, bool all)
{
  struct merge *m = ru->m;
  if (m->cur.copy || m->cur.skip || m->cur.insert) {
    if (vault_op_encode(&m->ops, &m->cur))
      return fs_err_set(&ru->err, FS_ERR_NOMEM, ru->job->rel, "out of memory");
    memset(&m->cur, 0, sizeof(m->cur));
  }
  return flush_buf(ru, VAULT_BLOB_OPS, &m->ops, all ? 0 : OPS_FLUSH, &m->ops_ids);
}

static int emit_copy(struct run *ru, uint64_t n)
{
  struct vault_op *c = &ru->m->cur;
  int rc = (c->skip || c->insert) ? flush_op(ru, false) : FS_OK;
  c->copy += n;
  return rc;
}

static int emit_skip(struct run *ru, uint64_t n)
{
  struct vault_op *c = &ru->m->cur;
  int rc = c->insert ? flush_op(ru, false) : FS_OK;
  c->skip += n;
  return rc;
}

static int emit_insert(struct run *ru, const char *p, size_t n)
{
  struct merge *m = ru->m;
  m->cur.insert += n + 1;
  if (fs_buf_append(&m->lit, p, n) || fs_buf_append_char(&m->lit, '\n'))
    return fs_err_set(&ru->err, FS_ERR_NOMEM, ru->job->rel, "out of memory");
  return flush_lit(ru, false);
}

static int old_fill(struct run *ru, size_t n);

/* The next line of the previous version: *p, *n (without LF), *with_lf. False at its end. */
static int old_line(struct run *ru, const char **p, size_t *n, bool *with_lf, bool *have)
{
  struct merge *m = ru->m;
  for (;;) {
    const char *nl = m->opos < m->olen ? memchr(m->ob + m->opos, '\n', m->olen - m->opos) : NULL;
    if (nl || (m->oeof && m->opos < m->olen)) {
      *p = (const char *)m->ob + m->opos;
      *n = nl ? (size_t)(nl - *p) : m->olen - m->opos;
      *with_lf = nl != NULL;
      *have = true;
      return FS_OK;
    }
    if (m->oeof) {
      *have = false;
      return FS_OK;
    }
    int rc = old_fill(ru, m->olen - m->opos + 1);
    if (rc)
      return rc;
  }
}

static int key_cmp(const char *a, size_t al, const char *b, size_t bl)
{
  int c = memcmp(a, b, FS_MIN(al, bl));
  return c ? c : al < bl ? -1 : al > bl;
}

/* Makes at least n bytes of the previous version available at m->ob + m->opos (fewer only at
 * its end). */
static int old_fill(struct run *ru, size_t n)
{
  struct merge *m = ru->m;
  while (m->olen - m->opos < n && !m->oeof) {
    memmove(m->ob, m->ob + m->opos, m->olen - m->opos);
    m->olen -= m->opos;
    m->opos = 0;
    size_t got;
    int rc;
    if (m->ra) {
      const uint8_t *p;
      rc = vault_readahead_next(m->ra, &p, &got, &ru->err);
      if (!rc && got)
        memcpy(m->ob + m->olen, p, got);
      if (!rc && !got)
        m->oeof = true;
    } else {
      rc = vault_src_read(m->old, m->ob + m->olen, OLD_BUF - m->olen, &got, &ru->err);
      if (!rc && m->olen + got < OLD_BUF)
        m->oeof = true;
    }
    if (rc)
      return rc;
    m->olen += got;
  }
  return FS_OK;
}

/* A row equal, with its LF, to the next bytes of the previous version: copied. 1 when it was. */
static int try_copy(struct run *ru, const char *line, size_t len)
{
  struct merge *m = ru->m;
  int rc = old_fill(ru, len + 1);
  if (rc)
    return -rc;
  if (m->olen - m->opos >= len + 1 && m->ob[m->opos + len] == '\n' &&
      !memcmp(m->ob + m->opos, line, len)) {
    m->opos += len + 1;
    m->consumed += len + 1;
    rc = emit_copy(ru, len + 1);
    return rc ? -rc : 1;
  }
  return 0;
}

static int merge_line(struct run *ru, const char *line, size_t len, const char *key, size_t keylen)
{
  struct merge *m = ru->m;
  const struct ingest_job *j = ru->job;
  /* The common case, an unchanged row: the old bytes start with the same line and its LF; no
   * need to look for the old line's end. */
  int rc = try_copy(ru, line, len);
  if (rc)
    return rc < 0 ? -rc : FS_OK;
  for (;;) {
    const char *o;
    size_t on;
    bool lf, have;
    rc = old_line(ru, &o, &on, &lf, &have);
    if (rc)
      return rc;
    if (!have)
      return emit_insert(ru, line, len);
    size_t obytes = on + (lf ? 1 : 0);
    if (lf && on == len && !memcmp(o, line, len)) {
      m->opos += obytes;
      m->consumed += obytes;
      return emit_copy(ru, obytes);
    }
    char ok[80];
    size_t oklen = 0;
    if (!vault_cdf_key(j->table, j->fmt, o, on, ok, sizeof(ok), &oklen))
      oklen = 0; /* the header sorts first */
    int c = key ? key_cmp(ok, oklen, key, keylen) : 1;
    if (c <= 0) {
      m->opos += obytes;
      m->consumed += obytes;
      if ((rc = emit_skip(ru, obytes)))
        return rc;
      if (c < 0)
        continue;
    }
    return emit_insert(ru, line, len);
  }
}

static void on_line(void *arg, const char *line, size_t len)
{
  struct run *ru = arg;
  const char *key = NULL;
  size_t keylen = 0;
  if (ru->m && !ru->rc && ru->job->fmt == VAULT_CDF_CSV && len < VAULT_CDF_MAX_LINE) {
    /* An unchanged row was validated when it was first deposited: only its order is checked. */
    int c = try_copy(ru, line, len);
    if (c < 0)
      ru->rc = -c;
    if (c) {
      vault_cdf_line_known(&ru->cdf, line, len, &key, &keylen);
      return;
    }
  }
  int v = vault_cdf_line(&ru->cdf, line, len, &key, &keylen);
  if (v == 0) {
    key = "";
    keylen = 0;
  }
  if (ru->m && !ru->rc)
    ru->rc =
        merge_line(ru, line, FS_MIN(len, (size_t)VAULT_CDF_MAX_LINE), v >= 0 ? key : NULL, keylen);
}

/* ---- the file loop ----------------------------------------------------------------------------
 */

static int run_file(struct run *ru)
{
  struct ingest_job *j = ru->job;
  struct vault_repo *r = ru->w->r;
  int fd = open(j->src, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fs_err_set(&ru->err, FS_ERR_IO, j->src, "cannot open: %s", strerror(errno));
  struct vault_sum sum;
  if (vault_sum_init(&sum, &r->keys, VAULT_SUM_SHA256 | VAULT_SUM_CHECK)) {
    close(fd);
    return fs_err_set(&ru->err, FS_ERR_CRYPTO, j->src, "SHA-256 or Poly1305 unavailable");
  }
  struct idlist chunks = {0};
  uint8_t *buf = ru->w->buf;
  size_t len = 0;
  bool eof = false;
  int rc = FS_OK;
  j->size = 0;
  while (!rc) {
    while (!eof && len < READ_BUF) {
      ssize_t n = read(fd, buf + len, FS_MIN(READ_BUF - len, (size_t)READ_PIECE));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0) {
        rc = fs_err_set(&ru->err, FS_ERR_IO, j->src, "read failed: %s", strerror(errno));
        break;
      }
      if (n == 0) {
        eof = true;
        break;
      }
      vault_sum_update(&sum, buf + len, (size_t)n);
      if (j->table)
        lines_feed(&ru->lines, (const char *)buf + len, (size_t)n, on_line, ru);
      if (ru->rc) {
        rc = ru->rc;
        break;
      }
      len += (size_t)n;
      j->size += (uint64_t)n;
      fs_progress_add(r->progress, (uint64_t)n);
    }
    if (rc)
      break;
    size_t pos = 0;
    if (!ru->m) {
      while (!rc && (len - pos >= VAULT_CHUNK_MAX || (eof && pos < len))) {
        size_t cut = vault_chunker_cut(r->keys.gear, buf + pos, len - pos);
        rc = chunk_submit(ru->w, &chunks, buf + pos, cut, &ru->err);
        pos += cut;
      }
    } else {
      pos = len; /* the delta took the lines as they came */
    }
    memmove(buf, buf + pos, len - pos);
    len -= pos;
    if (eof && !len)
      break;
  }
  close(fd);
  rc = chunk_drain(ru->w, &chunks, rc, &ru->err);
  uint8_t digest[32], check[VAULT_CHECK_LEN];
  vault_sum_final(&sum, &r->keys, digest, check);
  if (rc) {
    idlist_release(&chunks);
    return rc;
  }
  memcpy(j->sha256, digest, 32);
  if (j->table) {
    if (ru->lines.clen || ru->lines.overflow) {
      ru->cdf.line++;
      ru->cdf.errors++;
      vault_problems_add(&j->problems, "%s:%llu: last line does not end with LF", j->rel,
                         (unsigned long long)ru->cdf.line);
    }
    if (!ru->cdf.header_done) {
      ru->cdf.errors++;
      vault_problems_add(&j->problems, "%s:1: file is empty: the header line is missing", j->rel);
    }
    j->rows = ru->cdf.rows;
    j->errors = ru->cdf.errors;
  }
  struct vault_desc d = {.kind = VAULT_DESC_CHUNKS, .size = j->size, .has_check = true};
  memcpy(d.sha256, digest, 32);
  memcpy(d.check, check, VAULT_CHECK_LEN);
  if (ru->m) {
    struct merge *m = ru->m;
    uint64_t rest = vault_src_size(m->old) - m->consumed;
    if (rest)
      rc = emit_skip(ru, rest);
    if (!rc)
      rc = flush_op(ru, true);
    if (!rc)
      rc = flush_lit(ru, true);
    d.kind = VAULT_DESC_DELTA;
    memcpy(d.parent, j->parent_desc, 32);
    d.parent_size = vault_src_size(m->old);
    d.depth = vault_src_desc(m->old)->depth + 1;
    d.version = j->version;
    memcpy(d.base, j->base, 32);
    d.nops = m->ops_ids.n;
    d.ops = m->ops_ids.id;
    if (!rc)
      rc = store_desc(ru, &d, &m->lit_ids);
    d.ops = NULL;
    j->delta = true;
  } else {
    rc = store_desc(ru, &d, &chunks);
  }
  idlist_release(&chunks);
  return rc;
}

static void run_job(struct worker *w, struct ingest_job *j)
{
  struct run ru = {.w = w, .job = j};
  struct merge m = {0};
  if (j->table)
    vault_cdf_begin(&ru.cdf, j->table, j->fmt, j->rel, &j->problems);
  if (j->table && j->has_parent) {
    j->rc = vault_src_open(w->r, j->parent_desc, &m.old, &j->err);
    if (!j->rc && !(m.ob = malloc(OLD_BUF + VAULT_CDF_MAX_LINE + 16)))
      j->rc = fs_err_set(&j->err, FS_ERR_NOMEM, j->rel, "out of memory");
    if (!j->rc && vault_src_size(m.old) > 4 * (uint64_t)OLD_BUF &&
        vault_readahead_start(m.old, OLD_BUF, &m.ra, &j->err))
      m.ra = NULL;
    fs_buf_init(&m.ops, 0);
    fs_buf_init(&m.lit, 0);
    ru.m = &m;
    if (j->rc) {
      /* The previous version cannot be read: store this one whole instead. */
      j->rc = FS_OK;
      ru.m = NULL;
    }
  }
  if (!j->rc) {
    j->rc = run_file(&ru);
    if (j->rc)
      j->err = ru.err;
  }
  vault_readahead_free(m.ra);
  if (m.old)
    vault_src_free(m.old);
  free(m.ob);
  fs_buf_release(&m.ops);
  fs_buf_release(&m.lit);
  idlist_release(&m.ops_ids);
  idlist_release(&m.lit_ids);
}

struct files {
  struct vault_repo *r;
  struct vault_pool *chunks; /* the chunk-level workers every file thread shares */
  struct ingest_job *jobs;
  struct vault_order *order; /* jobs by size, largest first (NULL: as given) */
  struct cctxs z;
  size_t n;
  atomic_size_t next;
};

static void *files_main(void *arg)
{
  struct files *p = arg;
  struct worker w = {
      .r = p->r, .put = vault_put_ctx_new(), .buf = malloc(READ_BUF), .pool = p->chunks};
  /* Enough slots that the workers always find queued chunks and this thread rarely waits: on a
   * busy machine every wake-up costs milliseconds, and a ring of workers + 1 slots needed one per
   * chunk (measured: the threads slept three quarters of a first deposit). */
  w.nslots = 2 * (size_t)vault_pool_threads(p->chunks) + 1;
  if (w.nslots > MAX_SLOTS)
    w.nslots = MAX_SLOTS;
  bool ok = w.put && w.buf;
  for (size_t i = 0; i < w.nslots; i++) {
    w.slots[i].r = p->r;
    w.slots[i].z = &p->z;
    if (!(w.slots[i].put = vault_put_ctx_new_buffer()))
      ok = false;
  }
  for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < p->n;) {
    struct ingest_job *j = &p->jobs[p->order ? p->order[i].job : i];
    if (!ok) {
      j->rc = fs_err_set(&j->err, FS_ERR_NOMEM, j->rel, "out of memory");
      continue;
    }
    run_job(&w, j);
  }
  for (size_t i = 0; i < w.nslots; i++) {
    vault_put_ctx_free(w.slots[i].put);
    free(w.slots[i].data);
  }
  vault_put_ctx_free(w.put);
  free(w.buf);
  return NULL;
}

int vault_ingest_run(struct vault_repo *r, struct ingest_job *jobs, size_t n, int threads,
                     struct fs_err *err)
{
  if (threads <= 0)
    threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (threads < 1)
    threads = 1;
  if (threads > 64)
    threads = 64;
  struct files p = {.r = r, .jobs = jobs, .n = n};
  for (size_t i = 0; i < n; i++)
    fs_progress_add_total(r->progress, (uint64_t)jobs[i].st.st_size);
  int rc = vault_pool_new(threads, &p.chunks, err);
  if (rc)
    return rc;
  if ((p.order = malloc((n ? n : 1) * sizeof(*p.order)))) {
    for (size_t i = 0; i < n; i++)
      p.order[i] = (struct vault_order){.size = (uint64_t)jobs[i].st.st_size, .job = i};
    vault_order_sort(p.order, n);
  }
  /* File threads read, hash, validate and cut; the pool identifies, compresses and seals. */
  int nfiles = (size_t)threads > n ? (int)(n ? n : 1) : threads;
  /* As many compression contexts as tasks can run at once: the workers, or the file threads
   * when the pool has none. A slot that finds none left makes its own (never, by this count). */
  pthread_mutex_init(&p.z.mu, NULL);
  int nz = vault_pool_threads(p.chunks) ? vault_pool_threads(p.chunks) : nfiles;
  for (int i = 0; i < nz && i < 64; i++)
    if ((p.z.free[p.z.n] = vault_put_ctx_new()))
      p.z.n++;
  atomic_init(&p.next, 0);
  pthread_t tids[64];
  int started = 0;
  for (int i = 1; i < nfiles; i++)
    if (!fs_thread_start(&tids[started], files_main, &p))
      started++;
  files_main(&p);
  for (int i = 0; i < started; i++)
    pthread_join(tids[i], NULL);
  vault_pool_free(p.chunks);
  free(p.order);
  for (size_t i = 0; i < p.z.n; i++)
    vault_put_ctx_free(p.z.free[i]);
  pthread_mutex_destroy(&p.z.mu);
  for (size_t i = 0; i < n; i++)
    if (jobs[i].rc) {
      *err = jobs[i].err;
      return jobs[i].rc;
    }
  return FS_OK;
}

void vault_ingest_job_release(struct ingest_job *j)
{
  free(j->rel);
  free(j->src_owned);
  vault_problems_release(&j->problems);
}
