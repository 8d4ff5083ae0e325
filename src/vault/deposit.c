/* The two ways in: `deposit` (standard-format tables with their manifest, validated, stored as row
 * deltas against the previous deposit, attested) and `backup` (any files and folders). */
#include "vault/cdf.h"
#include "vault/crypto.h"
#include "vault/ingest.h"
#include "vault/internal.h"
#include "vault/snapfmt.h"

#include "core/encode.h"
#include "core/file.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "core/vec.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void vault_store_result_release(struct vault_store_result *res)
{
  free(res->attestation);
  res->attestation = NULL;
  vault_problems_release(&res->problems);
}

static const char *base_name(const char *p)
{
  size_t n = strlen(p);
  while (n > 1 && p[n - 1] == '/')
    n--;
  const char *s = p + n;
  while (s > p && s[-1] != '/')
    s--;
  return s;
}

static void entry_from_job(struct vault_file_entry *f, struct ingest_job *j)
{
  f->path = j->rel;
  j->rel = NULL;
  f->type = 'f';
  f->mode = (uint32_t)j->st.st_mode & 07777;
  f->mtime_ms = (int64_t)j->st.st_mtim.tv_sec * 1000 + j->st.st_mtim.tv_nsec / 1000000;
  f->size = j->size;
  memcpy(f->sha256, j->sha256, 32);
  memcpy(f->desc, j->desc, 32);
  if (j->table) {
    f->table = strdup(j->table->name);
    f->rows = j->rows;
  }
}

/* Finishes a run: writes the index, then the snapshot. */
static int finish(struct vault_repo *r, struct vault_snapshot *s, struct vault_store_result *res,
                  struct fs_err *err)
{
  int rc = vault_writer_commit(r, err);
  if (!rc)
    rc = vault_snapshot_write(r, s, err);
  if (!rc) {
    memcpy(res->snapshot_id, s->id, 65);
    res->bytes_added = vault_writer_bytes_added(r);
  }
  return rc;
}

/* ---- backup ----------------------------------------------------------------------------------- */

struct walk {
  struct vault_file_entry *e;
  size_t n, cap;
  struct ingest_job *jobs;
  size_t nj, capj;
  size_t *job_of; /* entry index of each job */
};

static int walk_add(struct walk *w, const char *src, const char *rel, const struct stat *st,
                    struct fs_err *err);

static int walk_dir(struct walk *w, const char *src, const char *rel, struct fs_err *err)
{
  DIR *d = opendir(src);
  if (!d)
    return fs_err_set(err, FS_ERR_IO, src, "cannot list: %s", strerror(errno));
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  int rc = FS_OK;
  while ((de = readdir(d)) && !rc) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    if (FS_VEC_GROW(names, n, cap, 32)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, src, "out of memory");
      break;
    }
    names[n] = strdup(de->d_name);
    if (!names[n])
      rc = fs_err_set(err, FS_ERR_NOMEM, src, "out of memory");
    else
      n++;
  }
  closedir(d);
  for (size_t i = 0; i + 1 < n; i++) /* sorted for a stable order; folders are small */
    for (size_t k = i + 1; k < n; k++)
      if (strcmp(names[i], names[k]) > 0) {
        char *t = names[i];
        names[i] = names[k];
        names[k] = t;
      }
  for (size_t i = 0; i < n && !rc; i++) {
    char csrc[4096], crel[4096];
    if (snprintf(csrc, sizeof(csrc), "%s/%s", src, names[i]) >= (int)sizeof(csrc) ||
        snprintf(crel, sizeof(crel), "%s/%s", rel, names[i]) >= (int)sizeof(crel)) {
      rc = fs_err_set(err, FS_ERR_TOO_LARGE, src, "path too long");
      break;
    }
    struct stat st;
    if (lstat(csrc, &st))
      rc = fs_err_set(err, FS_ERR_IO, csrc, "cannot read: %s", strerror(errno));
    else
      rc = walk_add(w, csrc, crel, &st, err);
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return rc;
}

static int walk_add(struct walk *w, const char *src, const char *rel, const struct stat *st,
                    struct fs_err *err)
{
  if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode) && !S_ISLNK(st->st_mode))
    return FS_OK; /* sockets, devices and pipes are not stored */
  if (FS_VEC_GROW(w->e, w->n, w->cap, 64))
    return fs_err_set(err, FS_ERR_NOMEM, src, "out of memory");
  struct vault_file_entry *f = &w->e[w->n];
  memset(f, 0, sizeof(*f));
  f->mode = (uint32_t)st->st_mode & 07777;
  f->mtime_ms = (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
  if (S_ISREG(st->st_mode)) {
    if (w->nj == w->capj) {
      size_t cap = w->capj ? w->capj * 2 : 64;
      struct ingest_job *j = realloc(w->jobs, cap * sizeof(*j));
      size_t *jo = j ? realloc(w->job_of, cap * sizeof(*jo)) : NULL;
      if (j)
        w->jobs = j;
      if (!jo)
        return fs_err_set(err, FS_ERR_NOMEM, src, "out of memory");
      w->job_of = jo;
      w->capj = cap;
    }
    struct ingest_job *j = &w->jobs[w->nj];
    memset(j, 0, sizeof(*j));
    j->src_owned = strdup(src);
    j->src = j->src_owned;
    j->rel = strdup(rel);
    j->st = *st;
    w->job_of[w->nj++] = w->n;
    f->type = 'f';
    w->n++;
    return j->src_owned && j->rel ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, src, "out of memory");
  }
  f->path = strdup(rel);
  w->n++;
  if (!f->path)
    return fs_err_set(err, FS_ERR_NOMEM, src, "out of memory");
  if (S_ISLNK(st->st_mode)) {
    char target[4096];
    ssize_t k = readlink(src, target, sizeof(target) - 1);
    if (k < 0)
      return fs_err_set(err, FS_ERR_IO, src, "cannot read the link: %s", strerror(errno));
    target[k] = '\0';
    f->type = 'l';
    f->link = strdup(target);
    return f->link ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, src, "out of memory");
  }
  f->type = 'd';
  return walk_dir(w, src, rel, err);
}

static void walk_release(struct walk *w)
{
  for (size_t i = 0; i < w->nj; i++)
    vault_ingest_job_release(&w->jobs[i]);
  free(w->jobs);
  free(w->job_of);
  struct vault_snapshot s = {.files = w->e, .nfiles = w->n};
  vault_snapshot_release(&s);
}

int vault_backup(struct vault_repo *r, const char *const *paths, size_t n, int threads,
                 struct vault_store_result *res, struct fs_err *err)
{
  memset(res, 0, sizeof(*res));
  struct walk w = {0};
  int rc = FS_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    struct stat st;
    if (lstat(paths[i], &st))
      rc = fs_err_set(err, errno == ENOENT ? FS_ERR_NOT_FOUND : FS_ERR_IO, paths[i],
                      "cannot read: %s", strerror(errno));
    else
      rc = walk_add(&w, paths[i], base_name(paths[i]), &st, err);
  }
  if (!rc)
    rc = vault_writer_begin(r, err);
  if (!rc)
    rc = vault_ingest_run(r, w.jobs, w.nj, threads, err);
  if (!rc) {
    for (size_t i = 0; i < w.nj; i++) {
      entry_from_job(&w.e[w.job_of[i]], &w.jobs[i]);
      res->bytes_in += w.jobs[i].size;
    }
    res->files = w.nj;
    struct vault_snapshot s = {.files = w.e, .nfiles = w.n, .time_ms = (int64_t)vault_now_ms()};
    snprintf(s.kind, sizeof(s.kind), "backup");
    rc = finish(r, &s, res, err);
  }
  vault_writer_abort(r);
  walk_release(&w);
  return rc;
}

/* ---- deposit ---------------------------------------------------------------------------------- */

static char *attest(struct vault_repo *r, const struct vault_snapshot *s,
                    const struct vault_cdf_manifest *m)
{
  char t[32];
  fs_time_format_ms(s->time_ms, t);
  json_t *files = json_array();
  for (size_t i = 0; i < s->nfiles; i++) {
    const struct vault_file_entry *f = &s->files[i];
    char sha[65];
    fs_hex_encode(f->sha256, 32, sha);
    json_array_append_new(files, json_pack("{s:s, s:s?, s:I, s:I, s:s}", "name", f->path, "table",
                                            f->table, "rows", (json_int_t)f->rows, "size",
                                            (json_int_t)f->size, "sha256", sha));
  }
  json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:I, s:s, s:s, s:s, s:o}", "type",
                        "finshield-vault-deposit-attestation", "version", 1, "repository",
                        r->cfg.id, "snapshot", s->id, "seq", (json_int_t)s->seq, "institution",
                        m->institution, "business_date", m->business_date, "deposited_at", t,
                        "files", files);
  char *out = o && !vault_sign_json(r, o) ? json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
  json_decref(o);
  return out;
}

/* The latest deposit of the institution, or NULL. */
static const struct vault_snapshot *previous_deposit(const struct vault_snapshot *all, size_t n,
                                                     const char *inst)
{
  for (size_t i = n; i-- > 0;)
    if (!strcmp(all[i].kind, "deposit") && !strcmp(all[i].institution, inst))
      return &all[i];
  return NULL;
}

/* The descriptor of `name` in a deposit snapshot, loaded into d; false when it has none. */
static bool file_desc(struct vault_repo *r, const struct vault_snapshot *s, const char *name,
                      uint8_t id[32], struct vault_desc *d)
{
  for (size_t k = 0; k < s->nfiles; k++) {
    const struct vault_file_entry *f = &s->files[k];
    struct fs_err e2;
    if (f->type == 'f' && !strcmp(f->path, name) && !vault_desc_load(r, f->desc, d, &e2)) {
      memcpy(id, f->desc, 32);
      return true;
    }
  }
  return false;
}

/* Skip deltas (as in Subversion's FSFS): version v of a table is stored as a delta against version
 * v with its lowest set bit cleared, so that rebuilding any version walks at most log2(v) + 1
 * deltas instead of v, at the price of some rows being stored more than once. After max_depth
 * versions a full copy starts a new line. When the wanted ancestor is gone (forgotten and pruned),
 * the previous version serves. */
static void choose_parent(struct vault_repo *r, const struct vault_snapshot *all, size_t n,
                          const char *inst, const char *name, struct ingest_job *j)
{
  const struct vault_snapshot *latest = previous_deposit(all, n, inst);
  uint8_t pid[32];
  struct vault_desc p;
  if (!latest || !file_desc(r, latest, name, pid, &p))
    return;
  uint32_t v = p.version + 1;
  uint8_t base[32];
  memcpy(base, p.version ? p.base : pid, 32);
  uint32_t pdepth = p.depth;
  uint32_t target = v & (v - 1);
  bool found = p.version == target;
  vault_desc_release(&p);
  if (v > r->cfg.max_depth)
    return; /* a full copy starts a new line of versions */
  memcpy(j->parent_desc, pid, 32);
  for (size_t i = n; !found && i-- > 0;) {
    if (strcmp(all[i].kind, "deposit") || strcmp(all[i].institution, inst))
      continue;
    uint8_t id[32];
    struct vault_desc d;
    if (!file_desc(r, &all[i], name, id, &d))
      continue;
    bool same_line = d.version ? !memcmp(d.base, base, 32) : !memcmp(id, base, 32);
    if (same_line && d.version == target) {
      memcpy(j->parent_desc, id, 32);
      pdepth = d.depth;
      found = true;
    }
    vault_desc_release(&d);
  }
  if (pdepth + 1 > r->cfg.max_depth)
    return;
  j->has_parent = true;
  j->version = v;
  memcpy(j->base, base, 32);
}

int vault_deposit(struct vault_repo *r, const struct vault_deposit_opts *o,
                  struct vault_store_result *res, struct fs_err *err)
{
  memset(res, 0, sizeof(*res));
  res->problems.limit = 200;
  const char *manifest_path = NULL;
  size_t ndata = 0;
  for (size_t i = 0; i < o->nfiles; i++) {
    if (!strcmp(base_name(o->files[i]), "manifest.json"))
      manifest_path = o->files[i];
    else
      ndata++;
  }
  if (!manifest_path)
    return fs_err_set(err, FS_ERR_USAGE, "manifest.json",
                      "a deposit needs its manifest (manifest.json) among the files");
  struct fs_buf mtext;
  fs_buf_init(&mtext, 1u << 20);
  struct vault_cdf_manifest m;
  int rc = fs_file_read_all(manifest_path, &mtext, err);
  if (!rc) {
    rc = vault_cdf_manifest_parse(mtext.data, mtext.len, &m, err);
    if (rc)
      fs_err_wrap_where(err, manifest_path);
  }
  fs_buf_release(&mtext);
  if (rc)
    return rc;
  if (o->business_date && strcmp(o->business_date, m.business_date))
    return fs_err_set(err, FS_ERR_INVALID, manifest_path,
                      "business date %s differs from --business-date %s", m.business_date,
                      o->business_date);
  struct vault_snapshot *all = NULL;
  size_t nall = 0;
  rc = vault_snapshot_list(r, &all, &nall, err);
  if (rc)
    return rc;
  for (size_t i = 0; i < nall; i++)
    if (!strcmp(all[i].kind, "deposit") && !strcmp(all[i].institution, m.institution) &&
        !strcmp(all[i].business_date, m.business_date)) {
      rc = fs_err_set(err, FS_ERR_CONFLICT, m.business_date,
                      "%s already deposited this business date (snapshot %.16s)", m.institution,
                      all[i].id);
      vault_snapshots_free(all, nall);
      return rc;
    }
  const struct vault_snapshot *prev = previous_deposit(all, nall, m.institution);
  struct ingest_job *jobs = calloc(ndata + 1, sizeof(*jobs));
  if (!jobs) {
    vault_snapshots_free(all, nall);
    return fs_err_set(err, FS_ERR_NOMEM, "deposit", "out of memory");
  }
  size_t nj = 0;
  bool listed[VAULT_CDF_MAX_FILES] = {0};
  for (size_t i = 0; i < o->nfiles; i++) {
    const char *name = base_name(o->files[i]);
    if (!strcmp(name, "manifest.json"))
      continue;
    struct ingest_job *j = &jobs[nj];
    memset(j, 0, sizeof(*j));
    size_t mi = m.nfiles;
    for (size_t k = 0; k < m.nfiles; k++)
      if (!strcmp(m.files[k].name, name))
        mi = k;
    if (mi == m.nfiles) {
      vault_problems_add(&res->problems, "%s: not listed in the manifest", name);
      continue;
    }
    if (listed[mi]) {
      vault_problems_add(&res->problems, "%s: given twice", name);
      continue;
    }
    listed[mi] = true;
    vault_cdf_table_of_file(name, &j->table, &j->fmt);
    j->src = o->files[i];
    j->rel = strdup(name);
    if (!j->rel || stat(j->src, &j->st)) {
      vault_problems_add(&res->problems, "%s: cannot read: %s", o->files[i], strerror(errno));
      free(j->rel);
      j->rel = NULL;
      continue;
    }
    if (prev)
      choose_parent(r, all, nall, m.institution, name, j);
    nj++;
  }
  for (size_t k = 0; k < m.nfiles; k++)
    if (!listed[k])
      vault_problems_add(&res->problems, "%s: listed in the manifest but not given", m.files[k].name);
  /* The manifest itself is stored as a plain file of the snapshot. */
  struct ingest_job *mj = &jobs[nj];
  mj->src = manifest_path;
  mj->rel = strdup("manifest.json");
  if (!mj->rel || stat(mj->src, &mj->st))
    rc = fs_err_set(err, FS_ERR_IO, manifest_path, "cannot read");
  if (!rc)
    rc = vault_writer_begin(r, err);
  if (!rc)
    rc = vault_ingest_run(r, jobs, nj + 1, o->threads, err);
  for (size_t i = 0; !rc && i < nj; i++) {
    struct ingest_job *j = &jobs[i];
    for (size_t p = 0; p < j->problems.n; p++)
      vault_problems_add(&res->problems, "%s", j->problems.items[p]);
    res->problems.dropped += j->problems.dropped;
    for (size_t k = 0; k < m.nfiles; k++) {
      if (strcmp(m.files[k].name, j->rel))
        continue;
      if (memcmp(m.files[k].sha256, j->sha256, 32))
        vault_problems_add(&res->problems, "%s: SHA-256 differs from the manifest", j->rel);
      if (!j->errors && m.files[k].rows != j->rows)
        vault_problems_add(&res->problems, "%s: %llu rows, the manifest says %llu", j->rel,
                           (unsigned long long)j->rows, (unsigned long long)m.files[k].rows);
    }
    res->bytes_in += j->size;
    res->delta_files += j->delta;
  }
  if (!rc && (res->problems.n || res->problems.dropped)) {
    /* Keep what was stored (the index is written, so a corrected run reuses it) but record no
     * snapshot: prune removes the blobs if nothing ever refers to them. */
    vault_writer_commit(r, err);
    rc = fs_err_set(err, FS_ERR_INVALID, manifest_path,
                    "the deposit does not conform to the standard format (%zu problems)",
                    res->problems.n + res->problems.dropped);
  }
  struct vault_snapshot s = {0};
  if (!rc) {
    s.files = calloc(nj + 1, sizeof(*s.files));
    if (!s.files)
      rc = fs_err_set(err, FS_ERR_NOMEM, "deposit", "out of memory");
    for (size_t i = 0; !rc && i <= nj; i++)
      entry_from_job(&s.files[s.nfiles++], &jobs[i]);
    s.time_ms = (int64_t)vault_now_ms();
    snprintf(s.kind, sizeof(s.kind), "deposit");
    snprintf(s.institution, sizeof(s.institution), "%s", m.institution);
    snprintf(s.business_date, sizeof(s.business_date), "%s", m.business_date);
    res->files = nj;
    if (!rc)
      rc = finish(r, &s, res, err);
    if (!rc)
      res->attestation = attest(r, &s, &m);
  }
  vault_snapshot_release(&s);
  vault_writer_abort(r);
  for (size_t i = 0; i <= nj; i++)
    vault_ingest_job_release(&jobs[i]);
  free(jobs);
  vault_snapshots_free(all, nall);
  return rc;
}
