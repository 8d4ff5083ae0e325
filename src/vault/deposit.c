/* The two ways in: `deposit` (standard-format tables with their manifest, validated, stored as row
 * deltas against the previous deposit, attested) and `backup` (any files and folders). */
#include "vault/cdf.h"
#include "vault/crypto.h"
#include "vault/ingest.h"
#include "vault/internal.h"
#include "vault/snapfmt.h"

#include "core/encode.h"
#include "core/file.h"
#include "core/i18n.h"
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

/* ---- backup -----------------------------------------------------------------------------------
 */

struct walk {
  struct vault_file_entry *e;
  size_t n, cap;
  struct ingest_job *jobs;
  size_t nj, capj;
  size_t *job_of; /* entry index of each job */
  size_t *above;  /* entry index of each folder stored above a given path */
  size_t nabove, capabove;
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
        snprintf(crel, sizeof(crel), "%s%s%s", rel, *rel ? "/" : "", names[i]) >=
            (int)sizeof(crel)) {
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
  free(w->above);
  struct vault_snapshot s = {.files = w->e, .nfiles = w->n};
  vault_snapshot_release(&s);
}

/* A path given to backup: where it is read and how it is stored. */
struct given {
  const char *src;
  char stored[4096]; /* vault_backup_path */
  size_t lead;       /* "../" dropped from its start */
  struct stat st;
  bool skip; /* inside another given path: stored with it */
};

/* The folder above a given path, or one of those above it: source (read for its mode and time)
 * and stored path. */
static int add_folder(struct walk *w, const struct given *g, size_t len, struct fs_err *err)
{
  for (size_t i = 0; i < w->nabove; i++) {
    const char *p = w->e[w->above[i]].path;
    if (strlen(p) == len && !memcmp(p, g->stored, len))
      return FS_OK; /* above another given path too */
  }
  char src[4096];
  size_t k = 0;
  if (g->src[0] == '/')
    src[k++] = '/';
  for (size_t i = 0; i < g->lead && k + 3 < sizeof(src); i++, k += 3)
    memcpy(src + k, "../", 3);
  if (k + len + 1 > sizeof(src))
    return fs_err_set(err, FS_ERR_TOO_LARGE, g->src, "path too long");
  memcpy(src + k, g->stored, len);
  src[k + len] = '\0';
  if (FS_VEC_GROW(w->e, w->n, w->cap, 64) || FS_VEC_GROW(w->above, w->nabove, w->capabove, 16))
    return fs_err_set(err, FS_ERR_NOMEM, src, "out of memory");
  w->above[w->nabove++] = w->n;
  struct vault_file_entry *f = &w->e[w->n];
  memset(f, 0, sizeof(*f));
  struct stat st;
  f->type = 'd';
  f->mode = 0700;
  if (!stat(src, &st) && S_ISDIR(st.st_mode)) {
    f->mode = (uint32_t)st.st_mode & 07777;
    f->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
  }
  f->path = strndup(g->stored, len);
  w->n++;
  return f->path ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, src, "out of memory");
}

/* Given paths that overlap: one inside another (or the same) is stored with it when it is the
 * same file there; two different files that would be stored under one path are refused. */
static int overlaps(struct given *g, size_t n, struct fs_err *err)
{
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      if (i == j || g[i].skip || g[j].skip || !vault_path_under(g[j].stored, g[i].stored))
        continue;
      if (!strcmp(g[i].stored, g[j].stored) && j < i)
        continue; /* the same stored path: the first one given keeps it */
      /* g[j] is at or below g[i]: is it the same file as g[i]'s at that place? */
      char there[8192];
      size_t k = strlen(g[i].stored);
      const char *rest = g[j].stored + k;
      snprintf(there, sizeof(there), "%s%s%s", g[i].src, *rest && *rest != '/' ? "/" : "", rest);
      struct stat st;
      if (!lstat(there, &st) && st.st_dev == g[j].st.st_dev && st.st_ino == g[j].st.st_ino) {
        g[j].skip = true;
        continue;
      }
      return fs_err_set(err, FS_ERR_CONFLICT, g[j].src,
                        "%s and %s would both be stored as %s%s: back them up in separate "
                        "snapshots, or give a folder above both",
                        g[j].src, g[i].src, g[j].stored[0] ? g[j].stored : "the top folder",
                        k == strlen(g[j].stored) ? "" : " (one inside the other)");
    }
  return FS_OK;
}

int vault_backup(struct vault_repo *r, const char *const *paths, size_t n, int threads,
                 struct vault_store_result *res, struct fs_err *err)
{
  memset(res, 0, sizeof(*res));
  struct walk w = {0};
  int rc = FS_OK;
  struct given *g = calloc(n ? n : 1, sizeof(*g));
  if (!g)
    return fs_err_set(err, FS_ERR_NOMEM, "backup", "out of memory");
  for (size_t i = 0; i < n && !rc; i++) {
    g[i].src = paths[i];
    if (lstat(paths[i], &g[i].st))
      rc = fs_err_set(err, errno == ENOENT ? FS_ERR_NOT_FOUND : FS_ERR_IO, paths[i],
                      "cannot read: %s", strerror(errno));
    else
      rc = vault_backup_path(paths[i], g[i].stored, sizeof(g[i].stored), &g[i].lead, err);
  }
  if (!rc)
    rc = overlaps(g, n, err);
  /* Stored as given (absolute paths without their leading '/', relative ones from the current
   * folder), with the folders above: a snapshot restores into one tree. */
  for (size_t i = 0; i < n && !rc; i++) {
    if (g[i].skip)
      continue;
    for (const char *sl = strchr(g[i].stored, '/'); sl && !rc; sl = strchr(sl + 1, '/'))
      rc = add_folder(&w, &g[i], (size_t)(sl - g[i].stored), err);
    if (rc)
      break;
    if (g[i].stored[0])
      rc = walk_add(&w, paths[i], g[i].stored, &g[i].st, err);
    else if (S_ISDIR(g[i].st.st_mode)) /* "/" or ".": what it holds, at the top */
      rc = walk_dir(&w, paths[i], "", err);
  }
  free(g);
  if (!rc) {
    /* What overlaps() cannot see (it should find every case): refuse rather than store a
     * snapshot that would not restore. */
    struct vault_snapshot view = {.files = malloc((w.n ? w.n : 1) * sizeof(*w.e)), .nfiles = w.n};
    struct vault_problems p = {.limit = 1};
    if (!view.files)
      rc = fs_err_set(err, FS_ERR_NOMEM, "backup", "out of memory");
    else {
      memcpy(view.files, w.e, w.n * sizeof(*w.e));
      for (size_t i = 0; i < w.nj; i++)
        view.files[w.job_of[i]].path = w.jobs[i].rel; /* files get theirs once stored */
      if (vault_tree_check(&view, &p)) {
        if (p.n) /* the line's own zh-TW, for the %s below */
          fs_msg_remember(p.items[0], vault_problems_text(&p, 0, true));
        rc = fs_err_set(err, FS_ERR_CONFLICT, "backup", "%s", p.n ? p.items[0] : "paths collide");
      }
    }
    free(view.files);
    vault_problems_release(&p);
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

/* ---- deposit ----------------------------------------------------------------------------------
 */

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
  json_t *o =
      json_pack("{s:s, s:i, s:s, s:s, s:I, s:s, s:s, s:s, s:o}", "type",
                "finshield-vault-deposit-attestation", "version", 1, "repository", r->cfg.id,
                "snapshot", s->id, "seq", (json_int_t)s->seq, "institution", m->institution,
                "business_date", m->business_date, "deposited_at", t, "files", files);
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
      vault_problems_add(&res->problems, "%s: listed in the manifest but not given",
                         m.files[k].name);
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
    vault_problems_take(&res->problems, &j->problems);
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
    /* Record nothing: the packs this run stored are deleted, so a refused deposit leaves the
     * repository as it found it. */
    vault_writer_discard(r);
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
    res->files = s.nfiles; /* the tables and the manifest, as the attestation lists them */
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
