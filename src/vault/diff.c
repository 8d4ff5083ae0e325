/* Comparing two snapshots: files added, removed and changed, and for a standard-format table in
 * both, the rows added, removed and changed (the two versions read back and merged by key, as a
 * deposit merges them; memory stays at one buffer per version). */
#include "vault/cdf.h"
#include "vault/internal.h"

#include <stdlib.h>
#include <string.h>

#define ROWS_BUF (1u << 20)

void vault_diff_release(struct vault_diff *d)
{
  free(d->items);
  memset(d, 0, sizeof(*d));
}

static int cmp_entry(const void *a, const void *b)
{
  return strcmp((*(const struct vault_file_entry *const *)a)->path,
                (*(const struct vault_file_entry *const *)b)->path);
}

static const struct vault_file_entry **by_path(const struct vault_snapshot *s)
{
  const struct vault_file_entry **v = malloc((s->nfiles ? s->nfiles : 1) * sizeof(*v));
  if (!v)
    return NULL;
  for (size_t i = 0; i < s->nfiles; i++)
    v[i] = &s->files[i];
  qsort(v, s->nfiles, sizeof(*v), cmp_entry);
  return v;
}

/* The lines of one version of a table. */
struct rows {
  struct vault_src *src;
  uint8_t *buf;
  size_t len, pos;
  bool eof;
};

/* The next line (without its LF); *have is false at the end. */
static int next_line(struct rows *r, const char **p, size_t *n, bool *have, struct fs_err *err)
{
  for (;;) {
    const uint8_t *nl = r->pos < r->len ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;
    if (nl || (r->eof && r->pos < r->len)) {
      *p = (const char *)r->buf + r->pos;
      *n = nl ? (size_t)(nl - (r->buf + r->pos)) : r->len - r->pos;
      r->pos = nl ? (size_t)(nl - r->buf) + 1 : r->len;
      *have = true;
      return FS_OK;
    }
    if (r->eof) {
      *have = false;
      return FS_OK;
    }
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->len -= r->pos;
    r->pos = 0;
    if (r->len == ROWS_BUF)
      return fs_err_set(err, FS_ERR_CORRUPT, "diff", "a line of over %u bytes", ROWS_BUF);
    size_t got;
    int rc = vault_src_read(r->src, r->buf + r->len, ROWS_BUF - r->len, &got, err);
    if (rc)
      return rc;
    r->eof = r->len + got < ROWS_BUF;
    r->len += got;
  }
}

/* The next data row and its key (the header and blank lines are skipped). */
static int next_row(struct rows *r, const struct vault_cdf_table *t, enum vault_cdf_format fmt,
                    const char **p, size_t *n, char *key, size_t *klen, bool *have,
                    struct fs_err *err)
{
  for (;;) {
    int rc = next_line(r, p, n, have, err);
    if (rc || !*have)
      return rc;
    if (*n && vault_cdf_key(t, fmt, *p, *n, key, 80, klen))
      return FS_OK;
  }
}

/* Rows added, removed and changed from version a to version b of a table (both sorted by key). */
static int diff_rows(struct vault_repo *r, const struct vault_file_entry *fa,
                     const struct vault_file_entry *fb, struct vault_diff_item *it,
                     struct fs_err *err)
{
  const struct vault_cdf_table *t;
  enum vault_cdf_format fmt;
  const char *name = strrchr(fb->path, '/');
  if (!vault_cdf_table_of_file(name ? name + 1 : fb->path, &t, &fmt) || strcmp(t->name, fb->table))
    return FS_OK;
  struct rows ra = {0}, rb = {0};
  int rc = vault_src_open(r, fa->desc, &ra.src, err);
  if (!rc)
    rc = vault_src_open(r, fb->desc, &rb.src, err);
  if (!rc && (!(ra.buf = malloc(ROWS_BUF)) || !(rb.buf = malloc(ROWS_BUF))))
    rc = fs_err_set(err, FS_ERR_NOMEM, fb->path, "out of memory");
  const char *pa = NULL, *pb = NULL;
  size_t na = 0, nb = 0, ka_len = 0, kb_len = 0;
  char ka[80], kb[80];
  bool ha = false, hb = false;
  if (!rc)
    rc = next_row(&ra, t, fmt, &pa, &na, ka, &ka_len, &ha, err);
  if (!rc)
    rc = next_row(&rb, t, fmt, &pb, &nb, kb, &kb_len, &hb, err);
  while (!rc && (ha || hb)) {
    int c = !ha ? 1 : !hb ? -1 : memcmp(ka, kb, FS_MIN(ka_len, kb_len));
    if (ha && hb && !c)
      c = ka_len < kb_len ? -1 : ka_len > kb_len;
    if (c == 0) {
      it->rows_changed += na != nb || memcmp(pa, pb, na);
      rc = next_row(&ra, t, fmt, &pa, &na, ka, &ka_len, &ha, err);
      if (!rc)
        rc = next_row(&rb, t, fmt, &pb, &nb, kb, &kb_len, &hb, err);
    } else if (c < 0) {
      it->rows_removed++;
      rc = next_row(&ra, t, fmt, &pa, &na, ka, &ka_len, &ha, err);
    } else {
      it->rows_added++;
      rc = next_row(&rb, t, fmt, &pb, &nb, kb, &kb_len, &hb, err);
    }
  }
  it->rows = !rc;
  free(ra.buf);
  free(rb.buf);
  vault_src_free(ra.src);
  vault_src_free(rb.src);
  return rc;
}

static bool same_content(const struct vault_file_entry *x, const struct vault_file_entry *y)
{
  if (x->type != y->type)
    return false;
  if (x->type == 'f')
    return x->size == y->size && !memcmp(x->sha256, y->sha256, 32);
  if (x->type == 'l')
    return !strcmp(x->link ? x->link : "", y->link ? y->link : "");
  return true;
}

int vault_diff(struct vault_repo *r, const struct vault_snapshot *a, const struct vault_snapshot *b,
               bool rows, struct vault_diff *d, struct fs_err *err)
{
  memset(d, 0, sizeof(*d));
  const struct vault_file_entry **va = by_path(a), **vb = by_path(b);
  d->items = calloc(a->nfiles + b->nfiles + 1, sizeof(*d->items));
  int rc = va && vb && d->items ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, "diff", "out of memory");
  for (size_t i = 0, k = 0; !rc && (i < a->nfiles || k < b->nfiles);) {
    int c = i == a->nfiles ? 1 : k == b->nfiles ? -1 : strcmp(va[i]->path, vb[k]->path);
    struct vault_diff_item *it = &d->items[d->n];
    if (c < 0) {
      *it = (struct vault_diff_item){.change = '-', .from = va[i++]};
      d->removed++;
      d->bytes_removed += it->from->type == 'f' ? it->from->size : 0;
    } else if (c > 0) {
      *it = (struct vault_diff_item){.change = '+', .to = vb[k++]};
      d->added++;
      d->bytes_added += it->to->type == 'f' ? it->to->size : 0;
    } else {
      const struct vault_file_entry *x = va[i++], *y = vb[k++];
      if (same_content(x, y))
        continue;
      *it = (struct vault_diff_item){.change = x->type == y->type ? 'M' : 'T', .from = x, .to = y};
      d->changed++;
      if (rows && it->change == 'M' && x->type == 'f' && x->table && y->table &&
          !strcmp(x->table, y->table))
        rc = diff_rows(r, x, y, it, err);
    }
    d->n++;
  }
  free(va);
  free(vb);
  if (rc)
    vault_diff_release(d);
  return rc;
}
