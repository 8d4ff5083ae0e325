/* The ways out: restore (bit-exact, every file checked against its file check, or its SHA-256 where
 * it was stored without one), export in the standard format, and restore drills that measure and
 * record the restore time as evidence (drills check every file's SHA-256). */
#include "vault/crypto.h"
#include "core/thread.h"
#include "vault/internal.h"
#include "vault/pool.h"

#include "core/encode.h"
#include "core/file.h"
#include "core/time.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Each write(2) takes at most this much, and a delta is rebuilt this much at a time into a buffer
 * that stays in cache: measured on the benchmark machine (ext4, KVM), a 4 MiB write spends 3 to 10
 * times longer in the kernel's copy into the page cache than 256 KiB or 1 MiB writes of the same
 * bytes. */
#define WRITE_PIECE (256u << 10)

struct rjob {
  const struct vault_file_entry *f;
  char path[4096];
  int rc;
  struct fs_err err;
};

struct rpool {
  struct vault_repo *r;
  bool sha256; /* check SHA-256 even where the file check is stored (drills) */
  struct vault_pool *chunks;
  struct vault_slots *slots; /* chunk buffers of every file being restored */
  struct vault_order *order; /* jobs by size, largest first (NULL: as given) */
  struct rjob *jobs;
  size_t n;
  atomic_size_t next;
  atomic_uint_fast64_t bytes;
};

static int restore_file(struct vault_repo *r, struct vault_slots *slots, bool sha256,
                        struct rjob *j, uint8_t *buf)
{
  const struct vault_file_entry *f = j->f;
  struct vault_src *src;
  /* The pool's workers open (read, decrypt, decompress) the chunks ahead; this thread rebuilds
   * deltas, sums and writes, in order. */
  int rc = vault_src_open_slots(r, f->desc, slots, &src, &j->err);
  if (rc)
    return rc;
  const struct vault_desc *d = vault_src_desc(src);
  unsigned want = d->has_check && !sha256 ? VAULT_SUM_CHECK : VAULT_SUM_SHA256;
  struct vault_sum sum;
  int fd = open(j->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    rc = fs_err_set(&j->err, FS_ERR_IO, j->path, "cannot create: %s", strerror(errno));
  else if (vault_sum_init(&sum, &r->keys, want))
    rc = fs_err_set(&j->err, FS_ERR_CRYPTO, f->path, "SHA-256 or Poly1305 unavailable");
  if (rc) {
    if (fd >= 0)
      close(fd);
    vault_src_free(src);
    return rc;
  }
  for (;;) {
    size_t got;
    const uint8_t *block;
    rc = vault_src_view(src, buf, WRITE_PIECE, &block, &got, &j->err);
    if (rc || !got)
      break;
    vault_sum_update(&sum, block, got);
    fs_progress_add(r->progress, got);
    for (size_t off = 0; off < got;) {
      ssize_t w = write(fd, block + off, FS_MIN(got - off, (size_t)WRITE_PIECE));
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0) {
        rc = fs_err_set(&j->err, errno == ENOSPC ? FS_ERR_NO_SPACE : FS_ERR_IO, j->path,
                        "write failed: %s", strerror(errno));
        break;
      }
      off += (size_t)w;
    }
    if (rc)
      break;
  }
  uint64_t total = sum.size;
  bool same = vault_sum_matches(&sum, &r->keys, d) && !memcmp(d->sha256, f->sha256, 32);
  vault_src_free(src);
  if (!rc && !same)
    rc = fs_err_set(&j->err, FS_ERR_CORRUPT, f->path,
                    "restored bytes differ from the snapshot's %s (%llu of %llu bytes)",
                    want == VAULT_SUM_CHECK ? "file check" : "SHA-256", (unsigned long long)total,
                    (unsigned long long)f->size);
  if (!rc) {
    struct timespec ts[2] = {
        {.tv_sec = f->mtime_ms / 1000, .tv_nsec = (f->mtime_ms % 1000) * 1000000},
        {.tv_sec = f->mtime_ms / 1000, .tv_nsec = (f->mtime_ms % 1000) * 1000000}};
    fchmod(fd, f->mode & 07777);
    futimens(fd, ts);
  }
  close(fd);
  return rc;
}

static void *rpool_main(void *arg)
{
  struct rpool *p = arg;
  uint8_t *buf = malloc(WRITE_PIECE);
  for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < p->n;) {
    struct rjob *j = &p->jobs[p->order ? p->order[i].job : i];
    j->rc = buf ? restore_file(p->r, p->slots, p->sha256, j, buf)
                : fs_err_set(&j->err, FS_ERR_NOMEM, j->path, "out of memory");
    if (!j->rc)
      atomic_fetch_add(&p->bytes, j->f->size);
  }
  free(buf);
  return NULL;
}

static int ensure_parent(const char *path, struct fs_err *err)
{
  char dir[4096];
  snprintf(dir, sizeof(dir), "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash || slash == dir)
    return FS_OK;
  *slash = '\0';
  return fs_mkdir_p(dir, 0700, err);
}

static bool dir_is_empty(const char *path)
{
  DIR *d = opendir(path);
  if (!d)
    return false;
  struct dirent *e;
  bool empty = true;
  while (empty && (e = readdir(d)))
    empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
  closedir(d);
  return empty;
}

/* The entries of s that sel marks (all when sel is NULL), in a view that borrows their strings,
 * checked as a tree: nothing is written when a restore of them would stop half-way. */
static int restore_view(const struct vault_snapshot *s, const bool *sel, struct vault_snapshot *v,
                        struct fs_err *err)
{
  *v = *s;
  v->files = malloc((s->nfiles ? s->nfiles : 1) * sizeof(*v->files));
  if (!v->files)
    return fs_err_set(err, FS_ERR_NOMEM, s->id, "out of memory");
  v->nfiles = 0;
  for (size_t i = 0; i < s->nfiles; i++)
    if (!sel || sel[i])
      v->files[v->nfiles++] = s->files[i];
  struct vault_problems p = {.limit = 1};
  int rc = FS_OK;
  if (vault_tree_check(v, &p))
    rc = fs_err_set(err, FS_ERR_CORRUPT, s->id,
                    "cannot be restored as stored: %s (written by a backup before paths were "
                    "stored whole; `verify --files` lists every such path)",
                    p.n ? p.items[0] : "its paths collide");
  vault_problems_release(&p);
  if (rc) {
    free(v->files);
    v->files = NULL;
  }
  return rc;
}

static int restore_snapshot(struct vault_repo *r, const struct vault_snapshot *whole,
                            const char *target, int threads, const bool *sel, bool sha256,
                            struct vault_restore_result *res, struct fs_err *err)
{
  memset(res, 0, sizeof(*res));
  memcpy(res->snapshot_id, whole->id, 65);
  int64_t t0 = fs_time_mono_ns();
  struct vault_snapshot view;
  int rc = restore_view(whole, sel, &view, err);
  if (rc)
    return rc;
  const struct vault_snapshot *s = &view;
  struct stat st;
  if (!stat(target, &st) && !dir_is_empty(target))
    rc = fs_err_set(err, FS_ERR_CONFLICT, target, "target exists and is not an empty folder");
  if (!rc)
    rc = fs_mkdir_p(target, 0700, err);
  if (rc) {
    free(view.files);
    return rc;
  }
  struct rjob *jobs = calloc(s->nfiles ? s->nfiles : 1, sizeof(*jobs));
  if (!jobs) {
    free(view.files);
    return fs_err_set(err, FS_ERR_NOMEM, target, "out of memory");
  }
  size_t nj = 0;
  for (size_t i = 0; i < s->nfiles && !rc; i++) {
    const struct vault_file_entry *f = &s->files[i];
    char path[4096];
    if (snprintf(path, sizeof(path), "%s/%s", target, f->path) >= (int)sizeof(path)) {
      rc = fs_err_set(err, FS_ERR_TOO_LARGE, f->path, "path too long");
      break;
    }
    rc = ensure_parent(path, err);
    if (rc)
      break;
    if (f->type == 'd') {
      if (mkdir(path, 0700) && errno != EEXIST)
        rc = fs_err_set(err, FS_ERR_IO, path, "cannot create: %s", strerror(errno));
    } else if (f->type == 'l') {
      continue; /* links last: nothing is ever written through a restored link */
    } else {
      jobs[nj].f = f;
      memcpy(jobs[nj].path, path, sizeof(path));
      nj++;
      fs_progress_add_total(r->progress, f->size);
    }
  }
  if (!rc) {
    if (threads <= 0)
      threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads > 64)
      threads = 64;
  }
  struct rpool p = {.r = r, .sha256 = sha256, .jobs = jobs, .n = nj};
  if (!rc)
    rc = vault_pool_new(threads, &p.chunks, err);
  if (!rc)
    rc = vault_slots_new(r, p.chunks, (size_t)threads, &p.slots, err);
  if (!rc) {
    if ((p.order = malloc((nj ? nj : 1) * sizeof(*p.order)))) {
      for (size_t i = 0; i < nj; i++)
        p.order[i] = (struct vault_order){.size = jobs[i].f->size, .job = i};
      vault_order_sort(p.order, nj);
    }
    atomic_init(&p.next, 0);
    atomic_init(&p.bytes, 0);
    pthread_t tids[64];
    int started = 0;
    for (int i = 1; i < threads && (size_t)i < nj; i++)
      if (!fs_thread_start(&tids[started], rpool_main, &p))
        started++;
    rpool_main(&p);
    for (int i = 0; i < started; i++)
      pthread_join(tids[i], NULL);
    for (size_t i = 0; i < nj && !rc; i++)
      if (jobs[i].rc) {
        *err = jobs[i].err;
        rc = jobs[i].rc;
      }
    res->files = nj;
    res->bytes = atomic_load(&p.bytes);
  }
  vault_slots_free(p.slots);
  vault_pool_free(p.chunks);
  free(p.order);
  for (size_t i = 0; !rc && i < s->nfiles; i++) {
    const struct vault_file_entry *f = &s->files[i];
    char path[4096];
    if (f->type != 'l')
      continue;
    snprintf(path, sizeof(path), "%s/%s", target, f->path);
    if (symlink(f->link, path))
      rc = fs_err_set(err, FS_ERR_IO, path, "cannot create the link: %s", strerror(errno));
  }
  /* Folder modes last, so that a read-only folder does not stop its own restore. */
  for (size_t i = s->nfiles; !rc && i-- > 0;) {
    const struct vault_file_entry *f = &s->files[i];
    if (f->type != 'd')
      continue;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", target, f->path);
    chmod(path, f->mode & 07777);
  }
  free(jobs);
  free(view.files);
  res->elapsed_ns = fs_time_mono_ns() - t0;
  return rc;
}

int vault_restore(struct vault_repo *r, const char *name, const struct vault_restore_opts *o,
                  struct vault_restore_result *res, struct fs_err *err)
{
  struct vault_snapshot *all, *s;
  size_t n;
  int rc = vault_snapshot_pick(r, name, &all, &n, &s, err);
  if (rc)
    return rc;
  bool *sel = NULL;
  if (o->npatterns) {
    sel = malloc((s->nfiles ? s->nfiles : 1) * sizeof(*sel));
    if (!sel)
      rc = fs_err_set(err, FS_ERR_NOMEM, s->id, "out of memory");
    else if (!vault_tree_select(s, o->patterns, o->npatterns, sel))
      rc =
          fs_err_set(err, FS_ERR_NOT_FOUND, o->patterns[0],
                     "--include picks nothing in snapshot %.16s (`vault ls %.16s` lists its paths)",
                     s->id, s->id);
  }
  if (!rc)
    rc = restore_snapshot(r, s, o->target, o->threads, sel, false, res, err);
  free(sel);
  vault_snapshots_free(all, n);
  return rc;
}

int vault_export(struct vault_repo *r, const char *name, const char *target, int threads,
                 struct vault_restore_result *res, struct fs_err *err)
{
  struct vault_snapshot *all, *s;
  size_t n;
  int rc = vault_snapshot_pick(r, name, &all, &n, &s, err);
  if (rc)
    return rc;
  bool *sel = malloc((s->nfiles ? s->nfiles : 1) * sizeof(*sel));
  if (!sel)
    rc = fs_err_set(err, FS_ERR_NOMEM, s->id, "out of memory");
  else if (strcmp(s->kind, "deposit"))
    rc =
        fs_err_set(err, FS_ERR_INVALID, s->id,
                   "only deposits are in the standard format (this is a %s; use restore)", s->kind);
  for (size_t i = 0; !rc && i < s->nfiles; i++) /* the tables and their manifest */
    sel[i] = s->files[i].type == 'f' &&
             (s->files[i].table || !strcmp(s->files[i].path, "manifest.json"));
  if (!rc)
    rc = restore_snapshot(r, s, target, threads, sel, false, res, err);
  free(sel);
  vault_snapshots_free(all, n);
  return rc;
}

/* ---- drills -----------------------------------------------------------------------------------
 */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

int vault_drill(struct vault_repo *r, const char *scratch_parent, int threads, char **evidence,
                struct fs_err *err)
{
  *evidence = NULL;
  struct vault_snapshot *all, *s;
  size_t n;
  int rc = vault_snapshot_pick(r, "latest", &all, &n, &s, err);
  if (rc)
    return rc;
  char scratch[4096];
  snprintf(scratch, sizeof(scratch), "%s/finshield-drill-XXXXXX",
           scratch_parent ? scratch_parent : "/tmp");
  if (!mkdtemp(scratch)) {
    vault_snapshots_free(all, n);
    return fs_err_set(err, FS_ERR_IO, scratch, "cannot create the scratch folder: %s",
                      strerror(errno));
  }
  int64_t started = (int64_t)vault_now_ms();
  struct vault_restore_result res;
  struct fs_err rerr = {0};
  char target[4200];
  snprintf(target, sizeof(target), "%s/restore", scratch);
  int drc = restore_snapshot(r, s, target, threads, NULL, true, &res, &rerr);
  nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  char t[32];
  fs_time_format_ms(started, t);
  /* Milliseconds and tenths of MiB/s: what a clock and a record can honestly claim. */
  int64_t ms = (res.elapsed_ns + 500000) / 1000000;
  double secs = (double)ms / 1e3;
  double mibs =
      ms > 0 ? (double)(int64_t)((double)res.bytes / 1048576.0 / secs * 10 + 0.5) / 10 : 0.0;
  json_t *o = json_pack(
      "{s:s, s:i, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:f, s:I, s:I, s:f, s:s, s:s}", "type",
      "finshield-vault-restore-drill", "version", 2, "repository", r->cfg.id, "snapshot", s->id,
      "seq", (json_int_t)s->seq, "institution", s->institution, "business_date", s->business_date,
      "kind", s->kind, "started_at", t, "restore_seconds", secs, "files", (json_int_t)res.files,
      "bytes", (json_int_t)res.bytes, "throughput_mib_s", mibs, "result", drc ? "fail" : "pass",
      "check", "every file restored into a scratch folder and compared with its SHA-256");
  if (o && drc) {
    char why[600];
    snprintf(why, sizeof(why), "%s: %s", rerr.where, rerr.msg);
    json_object_set_new(o, "failure", json_string(why));
  }
  if (o && !vault_sign_json(r, o))
    *evidence = json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2) | VAULT_JSON_REALS);
  json_decref(o);
  vault_snapshots_free(all, n);
  if (!*evidence)
    return fs_err_set(err, FS_ERR_NOMEM, "drill", "out of memory");
  char path[4096], rnd[9];
  uint8_t rb[4];
  randombytes_buf(rb, sizeof(rb));
  fs_hex_encode(rb, 4, rnd);
  vault_path(r, path, sizeof(path), "drills/%lld-%s.json", (long long)started, rnd);
  rc = vault_write_file(path, *evidence, strlen(*evidence), err);
  if (!rc && drc) {
    *err = rerr;
    rc = drc;
  }
  return rc;
}
