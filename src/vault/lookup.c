/* Account lookups from a deposit snapshot alone: the accounts, balances and holds tables are
 * rebuilt into memory (the plaintext never touches a disk). Accounts and balances are already
 * sorted by account (the standard format requires it), so an index of every ROW_STRIDE-th row
 * and a short scan find an account (5,000,000 accounts: 1.2 MB of index instead of 80 MB of row
 * offsets); holds, sorted by hold, get a full index by account. */
#include "vault/cdf.h"
#include "vault/internal.h"

#include "core/encode.h"

#include <stdlib.h>
#include <string.h>

#define ROW_STRIDE 64

struct table {
  const struct vault_cdf_table *t;
  enum vault_cdf_format fmt;
  char *data;
  size_t len;
  uint64_t *rows; /* offsets of every stride-th data row (the header excluded), in key order */
  size_t nindex;  /* entries in rows */
  size_t nrows;   /* data rows */
  size_t stride;  /* 1: rows lists every row, sorted by key; more: the file is in key order */
  int key_col;    /* column the rows are ordered by for lookups */
};

struct vault_lookup {
  struct table accounts, balances, holds;
  char snapshot[65];
  char institution[128];
  char business_date[16];
};

static void table_release(struct table *t)
{
  free(t->data);
  free(t->rows);
  memset(t, 0, sizeof(*t));
}

/* Field `col` of a CSV row (quotes removed) into out. */
static size_t csv_field(const char *line, size_t len, int col, char *out, size_t cap)
{
  size_t pos = 0, o = 0;
  for (int c = 0; pos <= len; c++) {
    bool q = pos < len && line[pos] == '"';
    if (q)
      pos++;
    while (pos < len) {
      char ch = line[pos];
      if (q && ch == '"') {
        if (pos + 1 < len && line[pos + 1] == '"') {
          pos++;
        } else {
          q = false;
          pos++;
          continue;
        }
      } else if (!q && ch == ',') {
        break;
      }
      if (c == col && o + 1 < cap)
        out[o++] = ch;
      pos++;
    }
    if (c == col)
      break;
    pos++;
  }
  out[o] = '\0';
  return o;
}

static size_t line_len(const struct table *t, uint64_t off)
{
  const char *nl = memchr(t->data + off, '\n', t->len - off);
  return nl ? (size_t)(nl - (t->data + off)) : t->len - off;
}

/* The row as a JSON object of its columns. */
static json_t *row_json(const struct table *t, uint64_t off)
{
  size_t len = line_len(t, off);
  const char *line = t->data + off;
  if (t->fmt == VAULT_CDF_JSONL)
    return json_loadb(line, len, 0, NULL);
  json_t *o = json_object();
  char v[VAULT_CDF_MAX_LINE];
  for (size_t c = 0; c < t->t->ncols; c++) {
    size_t n = csv_field(line, len, (int)c, v, sizeof(v));
    json_object_set_new(o, t->t->cols[c].name, n ? json_stringn(v, n) : json_null());
  }
  return o;
}

static size_t row_key(const struct table *t, uint64_t off, char *out, size_t cap)
{
  size_t len = line_len(t, off);
  if (t->fmt == VAULT_CDF_CSV)
    return csv_field(t->data + off, len, t->key_col, out, cap);
  json_t *o = json_loadb(t->data + off, len, 0, NULL);
  json_t *v = o ? json_object_get(o, t->t->cols[t->key_col].name) : NULL;
  size_t n = 0;
  if (v && json_is_string(v) && json_string_length(v) < cap) {
    n = json_string_length(v);
    memcpy(out, json_string_value(v), n);
  }
  out[n] = '\0';
  json_decref(o);
  return n;
}

/* The key of the row at off against key: <0, 0, >0. */
static int key_cmp(const struct table *t, uint64_t off, const char *key, size_t klen)
{
  char k[80];
  size_t n = row_key(t, off, k, sizeof(k));
  int c = memcmp(k, key, FS_MIN(n, klen));
  return c ? c : n < klen ? -1 : n > klen;
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
  const struct table *t = arg;
  char kb[80];
  size_t lb = row_key(t, *(const uint64_t *)b, kb, sizeof(kb));
  return key_cmp(t, *(const uint64_t *)a, kb, lb);
}

static int table_load(struct vault_repo *r, const struct vault_file_entry *f, struct table *t,
                      int key_col, struct fs_err *err)
{
  vault_cdf_table_of_file(f->path, &t->t, &t->fmt);
  t->key_col = key_col;
  struct vault_src *src;
  int rc = vault_src_open(r, f->desc, &src, err);
  if (rc)
    return rc;
  t->len = (size_t)f->size;
  t->data = malloc(t->len + 1);
  size_t got = 0;
  if (!t->data)
    rc = fs_err_set(err, FS_ERR_NOMEM, f->path, "out of memory");
  else
    rc = vault_src_read(src, (uint8_t *)t->data, t->len, &got, err);
  vault_src_free(src);
  if (!rc && got != t->len)
    rc = fs_err_set(err, FS_ERR_CORRUPT, f->path, "rebuilt file is shorter than recorded");
  if (rc)
    return rc;
  t->data[t->len] = '\0';
  t->stride = key_col == 0 ? ROW_STRIDE : 1;
  t->rows = malloc((f->rows / t->stride + 2) * sizeof(uint64_t));
  if (!t->rows)
    return fs_err_set(err, FS_ERR_NOMEM, f->path, "out of memory");
  size_t pos = 0;
  bool header = t->fmt == VAULT_CDF_CSV;
  while (pos < t->len && t->nrows <= f->rows) {
    const char *nl = memchr(t->data + pos, '\n', t->len - pos);
    if (header)
      header = false;
    else if (t->nrows++ % t->stride == 0)
      t->rows[t->nindex++] = pos;
    pos = nl ? (size_t)(nl - t->data) + 1 : t->len;
  }
  if (t->stride == 1)
    qsort_r(t->rows, t->nindex, sizeof(uint64_t), cmp_rows, t);
  return FS_OK;
}

/* First index entry whose key is >= key. */
static size_t lower_bound(const struct table *t, const char *key, size_t klen)
{
  size_t lo = 0, hi = t->nindex;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (key_cmp(t, t->rows[mid], key, klen) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Index entry i of a fully indexed table (stride 1) has this key. */
static bool key_at(const struct table *t, size_t i, const char *key, size_t klen)
{
  return i < t->nindex && !key_cmp(t, t->rows[i], key, klen);
}

#define NO_ROW UINT64_MAX

/* The row with this key in a table in key order (the first, if several): from the last index
 * entry below the key, at most one stride of rows is read. NO_ROW when there is none. */
static uint64_t row_find(const struct table *t, const char *key, size_t klen)
{
  if (!t->nindex)
    return NO_ROW;
  size_t e = lower_bound(t, key, klen);
  uint64_t pos = t->rows[e ? e - 1 : 0];
  for (size_t seen = 0; pos < t->len && seen <= t->stride; seen++) {
    int c = key_cmp(t, pos, key, klen);
    if (c >= 0)
      return c ? NO_ROW : pos;
    pos += line_len(t, pos) + 1;
  }
  return NO_ROW;
}

int vault_lookup_open(struct vault_repo *r, const char *snapshot, struct vault_lookup **out,
                      struct fs_err *err)
{
  *out = NULL;
  struct vault_snapshot *all, *s;
  size_t n;
  int rc = vault_snapshot_list(r, &all, &n, err);
  if (rc)
    return rc;
  if (!strcmp(snapshot, "latest")) {
    s = NULL;
    for (size_t i = n; i-- > 0 && !s;)
      if (!strcmp(all[i].kind, "deposit"))
        s = &all[i];
    if (!s)
      rc = fs_err_set(err, FS_ERR_NOT_FOUND, "latest", "the repository holds no deposit");
  } else {
    rc = vault_snapshot_find(all, n, snapshot, &s, err);
    if (!rc && strcmp(s->kind, "deposit")) /* "latest" above means the latest deposit */
      rc = fs_err_set(err, FS_ERR_INVALID, snapshot, "not a deposit of critical data");
  }
  struct vault_lookup *lk = rc ? NULL : calloc(1, sizeof(*lk));
  if (!rc && !lk)
    rc = fs_err_set(err, FS_ERR_NOMEM, "lookup", "out of memory");
  bool have_acc = false, have_bal = false;
  for (size_t i = 0; !rc && i < s->nfiles; i++) {
    const struct vault_file_entry *f = &s->files[i];
    if (!f->table)
      continue;
    if (!strcmp(f->table, "accounts")) {
      rc = table_load(r, f, &lk->accounts, 0, err);
      have_acc = true;
    } else if (!strcmp(f->table, "balances")) {
      rc = table_load(r, f, &lk->balances, 0, err);
      have_bal = true;
    } else if (!strcmp(f->table, "holds")) {
      rc = table_load(r, f, &lk->holds, 1, err);
    }
  }
  if (!rc && (!have_acc || !have_bal))
    rc = fs_err_set(err, FS_ERR_INVALID, s->id, "the deposit lacks the accounts or balances table");
  if (!rc) {
    memcpy(lk->snapshot, s->id, 65);
    memcpy(lk->institution, s->institution, sizeof(lk->institution));
    memcpy(lk->business_date, s->business_date, sizeof(lk->business_date));
    *out = lk;
  } else if (lk) {
    vault_lookup_free(lk);
  }
  vault_snapshots_free(all, n);
  return rc;
}

int vault_lookup_account(const struct vault_lookup *lk, const char *account_id, json_t **out,
                         struct fs_err *err)
{
  *out = NULL;
  size_t klen = strlen(account_id);
  if (!klen || klen > 64)
    return fs_err_set(err, FS_ERR_INVALID, "account_id", "must be 1 to 64 characters");
  uint64_t ao = row_find(&lk->accounts, account_id, klen);
  if (ao == NO_ROW)
    return fs_err_set(err, FS_ERR_NOT_FOUND, account_id, "no such account in the vault");
  json_t *o = json_object();
  json_object_set_new(o, "account", row_json(&lk->accounts, ao));
  uint64_t bo = row_find(&lk->balances, account_id, klen);
  json_object_set_new(o, "balance", bo != NO_ROW ? row_json(&lk->balances, bo) : json_null());
  json_t *holds = json_array();
  for (size_t hi = lower_bound(&lk->holds, account_id, klen);
       key_at(&lk->holds, hi, account_id, klen); hi++)
    json_array_append_new(holds, row_json(&lk->holds, lk->holds.rows[hi]));
  json_object_set_new(o, "holds", holds);
  json_object_set_new(o, "source",
                      json_pack("{s:s, s:s, s:s, s:s}", "kind", "vault-snapshot", "snapshot",
                                lk->snapshot, "institution", lk->institution, "business_date",
                                lk->business_date));
  *out = o;
  return FS_OK;
}

uint64_t vault_lookup_count(const struct vault_lookup *lk)
{
  return lk->accounts.nrows;
}

void vault_lookup_free(struct vault_lookup *lk)
{
  if (!lk)
    return;
  table_release(&lk->accounts);
  table_release(&lk->balances);
  table_release(&lk->holds);
  free(lk);
}
