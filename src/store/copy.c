/* Copying a whole database into another (finshield migrate): tables found in the destination's
 * catalog, rows in primary-key order in batches, resumable from the destination's own rows, the
 * foreign keys set aside meanwhile, then a comparison. The state of a copy in progress is the
 * table store_copy_state of the destination. */
#include "store/store.h"

#include "store/backend.h"
#include "store/store_int.h"

#include "core/buf.h"
#include "core/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_ROWS 200
#define MAX_COLS 64

struct table {
  char name[64];
  int ncols, nkeys;
  char cols[MAX_COLS][64];
  bool is_int[MAX_COLS];
  int key[MAX_COLS]; /* column index of the primary key's 1st, 2nd, ... column */
};

static const char state_sql[] =
    "CREATE TABLE store_copy_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)";

static bool plain_name(const char *s)
{
  if (!*s || strlen(s) >= 64)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
      return false;
  return true;
}

/* The tables to copy: every one of the destination's but the schema's and the copy's own. */
static int list_tables(struct store_conn *to, char (**names)[64], size_t *n, struct fs_err *err)
{
  *names = NULL;
  *n = 0;
  struct store_stmt *s;
  int rc = store_query(to, &s, err, store_conn_backend(to)->tables_sql, "");
  bool row;
  size_t cap = 0;
  while (!rc && !(rc = store_step(s, &row, err)) && row) {
    const char *t = store_col_text(s, 0);
    if (!strcmp(t, "schema_version") || !strcmp(t, "store_copy_state"))
      continue;
    if (!plain_name(t)) {
      rc = fs_err_set(err, FS_ERR_UNSUPPORTED, "store", "table name \"%.64s\" cannot be copied", t);
      break;
    }
    if (*n == cap) {
      cap = cap ? cap * 2 : 64;
      char(*grown)[64] = realloc(*names, cap * sizeof(**names));
      if (!grown) {
        rc = fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
        break;
      }
      *names = grown;
    }
    snprintf((*names)[(*n)++], 64, "%s", t);
  }
  store_done(s);
  return rc;
}

static int describe(struct store_conn *c, const char *name, struct table *t, struct fs_err *err)
{
  memset(t, 0, sizeof(*t));
  snprintf(t->name, sizeof(t->name), "%s", name);
  struct store_stmt *s;
  int rc = store_query(c, &s, err, store_conn_backend(c)->columns_sql, "s", name);
  bool row;
  while (!rc && !(rc = store_step(s, &row, err)) && row) {
    const char *col = store_col_text(s, 0);
    int64_t pk = store_col_int(s, 2);
    if (t->ncols == MAX_COLS || !plain_name(col) || pk < 0 || pk > MAX_COLS) {
      rc = fs_err_set(err, FS_ERR_UNSUPPORTED, "store", "table %s cannot be copied", name);
      break;
    }
    snprintf(t->cols[t->ncols], 64, "%s", col);
    t->is_int[t->ncols] = store_col_int(s, 1) != 0;
    if (pk > 0) {
      t->key[pk - 1] = t->ncols;
      if (pk > t->nkeys)
        t->nkeys = (int)pk;
    }
    t->ncols++;
  }
  store_done(s);
  if (!rc && (!t->ncols || !t->nkeys))
    rc = fs_err_set(err, FS_ERR_UNSUPPORTED, "store",
                    "table %s has no primary key: it cannot be copied in order", name);
  return rc;
}

/* "a, b" (the columns), or with a prefix and suffix for each ("a = ? AND b = ?"). */
static void join(struct fs_buf *b, const struct table *t, bool keys, const char *each,
                 const char *sep)
{
  int n = keys ? t->nkeys : t->ncols;
  for (int i = 0; i < n; i++)
    fs_buf_appendf(b, "%s%s%s", i ? sep : "", t->cols[keys ? t->key[i] : i], each);
}

/* Binds column i of the current row of `from` as parameter idx of `to`. */
static int bind_col(struct store_stmt *to, int idx, struct store_stmt *from, int i, bool is_int)
{
  if (store_col_null(from, i))
    return store_bind_null(to, idx);
  if (is_int)
    return store_bind_int(to, idx, store_col_int(from, i));
  size_t n;
  const char *p = store_col_blob(from, i, &n);
  return store_bind_textn(to, idx, p ? p : "", n);
}

int store_copy_begin(struct store_conn *to, bool *resumed, struct fs_err *err)
{
  bool copying = false, schema = false;
  int rc = store_table_exists(to, "store_copy_state", &copying, err);
  if (!rc)
    rc = store_table_exists(to, "schema_version", &schema, err);
  if (rc)
    return rc;
  *resumed = copying;
  if (copying)
    return FS_OK;
  if (schema)
    return fs_err_set(err, FS_ERR_CONFLICT, "destination",
                      "the destination database already holds a hub: a copy goes into a new or "
                      "empty database");
  rc = store_begin(to, true, err);
  if (!rc)
    rc = store_conn_backend(to)->exec_script(store_conn_handle(to), state_sql, err);
  if (!rc)
    rc = store_exec(to, NULL, err,
                    "INSERT INTO store_copy_state (key, value) VALUES ('started', ?)", "s", "1");
  return store_tx_leave(to, true, rc, err);
}

int store_copy_prepare(struct store_conn *to, struct fs_err *err)
{
  int64_t ready = 0;
  bool found;
  int rc = store_query_int(to, &ready, &found, err,
                           "SELECT COUNT(*) FROM store_copy_state WHERE key = 'prepared'", "");
  if (rc || ready)
    return rc;
  const struct store_backend *be = store_conn_backend(to);
  char(*names)[64] = NULL;
  size_t n = 0;
  struct fs_buf sql;
  fs_buf_init(&sql, 0);
  rc = store_begin(to, true, err);
  if (!rc)
    rc = list_tables(to, &names, &n, err);
  /* The foreign keys: recorded, then dropped (in this transaction: all or nothing). */
  struct store_stmt *s = NULL;
  if (!rc && be->fkeys_sql)
    rc = store_query(to, &s, err, be->fkeys_sql, "");
  bool row;
  size_t nfk = 0;
  char(*fk)[2][64] = NULL;
  while (!rc && s && !(rc = store_step(s, &row, err)) && row) {
    const char *table = store_col_text(s, 0), *name = store_col_text(s, 1);
    if (!plain_name(table) || !plain_name(name)) {
      rc = fs_err_set(err, FS_ERR_UNSUPPORTED, "store", "constraint %.64s cannot be set aside",
                      name);
      break;
    }
    void *grown = realloc(fk, (nfk + 1) * sizeof(*fk));
    if (!grown) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
      break;
    }
    fk = grown;
    snprintf(fk[nfk][0], 64, "%s", table);
    snprintf(fk[nfk][1], 64, "%s", name);
    nfk++;
    fs_buf_reset(&sql);
    fs_buf_appendf(&sql, "ALTER TABLE %s ADD CONSTRAINT %s %s", table, name, store_col_text(s, 2));
    char key[160];
    snprintf(key, sizeof(key), "fk:%s.%s", table, name);
    rc = store_exec(to, NULL, err, "INSERT INTO store_copy_state (key, value) VALUES (?, ?)", "ss",
                    key, fs_buf_cstr(&sql));
  }
  store_done(s);
  for (size_t i = 0; !rc && i < nfk; i++) {
    fs_buf_reset(&sql);
    fs_buf_appendf(&sql, "ALTER TABLE %s DROP CONSTRAINT %s", fk[i][0], fk[i][1]);
    rc = be->exec_script(store_conn_handle(to), fs_buf_cstr(&sql), err);
  }
  /* What the migrations wrote (rows of their own) comes from the source. */
  for (size_t i = 0; !rc && i < n; i++) {
    fs_buf_reset(&sql);
    fs_buf_appendf(&sql, "DELETE FROM %s", names[i]);
    rc = be->exec_script(store_conn_handle(to), fs_buf_cstr(&sql), err);
  }
  if (!rc)
    rc = store_exec(to, NULL, err,
                    "INSERT INTO store_copy_state (key, value) VALUES ('prepared', '1')", "");
  rc = store_tx_leave(to, true, rc, err);
  free(fk);
  free(names);
  fs_buf_release(&sql);
  return rc;
}

/* Copies the rows of t after the destination's last key, BATCH_ROWS a transaction. */
static int copy_table(struct store_conn *from, struct store_conn *to, const struct table *t,
                      struct fs_progress *progress, struct store_copy_stats *st, struct fs_err *err)
{
  struct fs_buf last, next, ins;
  fs_buf_init(&last, 0);
  fs_buf_init(&next, 0);
  fs_buf_init(&ins, 0);
  /* Where the destination stops. */
  fs_buf_appendf(&last, "SELECT ");
  join(&last, t, true, "", ", ");
  fs_buf_appendf(&last, " FROM %s ORDER BY ", t->name);
  join(&last, t, true, " DESC", ", ");
  fs_buf_appendf(&last, " LIMIT 1");
  /* The next rows of the source: all columns, keyset after the last key. */
  fs_buf_appendf(&next, "SELECT ");
  join(&next, t, false, "", ", ");
  fs_buf_appendf(&next, " FROM %s WHERE (", t->name);
  join(&next, t, true, "", ", ");
  fs_buf_appendf(&next, ") > (");
  for (int i = 0; i < t->nkeys; i++)
    fs_buf_appendf(&next, "%s?", i ? ", " : "");
  fs_buf_appendf(&next, ") ORDER BY ");
  join(&next, t, true, "", ", ");
  fs_buf_appendf(&next, " LIMIT %d", BATCH_ROWS);
  const char *first_sql = strstr(fs_buf_cstr(&next), " WHERE (");
  struct fs_buf first;
  fs_buf_init(&first, 0);
  fs_buf_append(&first, fs_buf_cstr(&next), (size_t)(first_sql - fs_buf_cstr(&next)));
  fs_buf_appendf(&first, " ORDER BY ");
  join(&first, t, true, "", ", ");
  fs_buf_appendf(&first, " LIMIT %d", BATCH_ROWS);

  /* The last key copied, as the destination holds it (or none). */
  struct store_stmt *k = NULL;
  int rc = store_query(to, &k, err, fs_buf_cstr(&last), "");
  bool have_key = false, row;
  if (!rc)
    rc = store_step(k, &have_key, err);
  for (;;) {
    struct store_stmt *s = NULL;
    if (!rc)
      rc = store_prepare(from, have_key ? fs_buf_cstr(&next) : fs_buf_cstr(&first), &s, err);
    for (int i = 0; !rc && have_key && i < t->nkeys; i++)
      rc = bind_col(s, i + 1, k, i, t->is_int[t->key[i]]);
    store_done(k); /* the key is bound (copied): its row may go */
    k = NULL;
    int nrows = 0;
    if (!rc)
      rc = store_begin(to, true, err);
    struct store_stmt *w = NULL;
    fs_buf_reset(&ins);
    while (!rc && !(rc = store_step(s, &row, err)) && row) {
      /* One INSERT a row (prepared once); the batch commits together. */
      if (!w) {
        fs_buf_appendf(&ins, "INSERT INTO %s (", t->name);
        join(&ins, t, false, "", ", ");
        fs_buf_appendf(&ins, ") VALUES (");
        for (int i = 0; i < t->ncols; i++)
          fs_buf_appendf(&ins, "%s?", i ? ", " : "");
        fs_buf_appendf(&ins, ")");
      }
      rc = store_prepare(to, fs_buf_cstr(&ins), &w, err);
      for (int i = 0; !rc && i < t->ncols; i++)
        rc = bind_col(w, i + 1, s, i, t->is_int[i]);
      bool r2;
      if (!rc)
        rc = store_step(w, &r2, err);
      store_done(w);
      nrows++;
    }
    if (rc) {
      store_done(s);
      store_rollback(to);
      if (err && !strstr(err->where, t->name)) {
        char where[96];
        snprintf(where, sizeof(where), "table %s", t->name);
        fs_err_wrap_where(err, where);
      }
      break;
    }
    rc = store_commit(to, err);
    store_done(s);
    st->rows += nrows;
    fs_progress_add(progress, (uint64_t)nrows);
    if (rc || nrows < BATCH_ROWS)
      break;
    /* the next batch starts after the destination's last key, which is the batch's last row */
    rc = store_query(to, &k, err, fs_buf_cstr(&last), "");
    if (!rc)
      rc = store_step(k, &have_key, err);
  }
  store_done(k);
  fs_buf_release(&first);
  fs_buf_release(&last);
  fs_buf_release(&next);
  fs_buf_release(&ins);
  return rc;
}

/* The rows of a table on both sides. */
static int count_rows(struct store_conn *from, struct store_conn *to, const char *table, int64_t *a,
                      int64_t *b, struct fs_err *err)
{
  char sql[128];
  snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
  *a = *b = 0;
  int rc = store_query_int(from, a, NULL, err, sql, "");
  return rc ? rc : store_query_int(to, b, NULL, err, sql, "");
}

/* The tables to walk, and room to describe one. */
static int walk_start(struct store_conn *to, struct store_copy_stats *st, char (**names)[64],
                      size_t *n, struct table **t, struct fs_err *err)
{
  memset(st, 0, sizeof(*st));
  int rc = list_tables(to, names, n, err);
  *t = calloc(1, sizeof(**t));
  if (!rc && !*t)
    rc = fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  return rc;
}

int store_copy_rows(struct store_conn *from, struct store_conn *to, struct fs_progress *progress,
                    struct store_copy_stats *st, struct fs_err *err)
{
  char(*names)[64] = NULL;
  size_t n = 0;
  struct table *t = NULL;
  int rc = walk_start(to, st, &names, &n, &t, err);
  for (size_t i = 0; !rc && i < n; i++) {
    int64_t total = 0, there = 0;
    rc = count_rows(from, to, names[i], &total, &there, err);
    fs_progress_add_total(progress, (uint64_t)total);
    fs_progress_add(progress, (uint64_t)there);
  }
  for (size_t i = 0; !rc && i < n; i++) {
    rc = describe(to, names[i], t, err);
    if (!rc)
      rc = copy_table(from, to, t, progress, st, err);
    st->tables++;
  }
  free(t);
  free(names);
  return rc;
}

/* Whether the row of t with the key bound in q (on both sides) is the same, column by column. */
static int same_row(struct store_stmt *a, struct store_stmt *b, const struct table *t, bool *same,
                    struct fs_err *err)
{
  bool ra, rb;
  int rc = store_step(a, &ra, err);
  if (!rc)
    rc = store_step(b, &rb, err);
  *same = !rc && ra && rb;
  for (int i = 0; *same && i < t->ncols; i++) {
    size_t na, nb;
    if (store_col_null(a, i) != store_col_null(b, i)) {
      *same = false;
    } else if (t->is_int[i]) {
      *same = store_col_int(a, i) == store_col_int(b, i);
    } else {
      const char *pa = store_col_blob(a, i, &na), *pb = store_col_blob(b, i, &nb);
      *same = na == nb && (!na || !memcmp(pa, pb, na));
    }
  }
  return rc;
}

/* Compares the rows of up to `sample` keys spread over the source's key order. */
static int compare_sample(struct store_conn *from, struct store_conn *to, const struct table *t,
                          int64_t total, int64_t sample, struct store_copy_stats *st,
                          struct fs_err *err)
{
  struct fs_buf keys, one;
  fs_buf_init(&keys, 0);
  fs_buf_init(&one, 0);
  fs_buf_appendf(&keys, "SELECT ");
  join(&keys, t, true, "", ", ");
  fs_buf_appendf(&keys, " FROM %s ORDER BY ", t->name);
  join(&keys, t, true, "", ", ");
  fs_buf_appendf(&one, "SELECT ");
  join(&one, t, false, "", ", ");
  fs_buf_appendf(&one, " FROM %s WHERE ", t->name);
  join(&one, t, true, " = ?", " AND ");
  int64_t step = sample > 0 && total > sample ? total / sample : 1;
  struct store_stmt *k = NULL;
  int rc = store_query(from, &k, err, fs_buf_cstr(&keys), "");
  bool row;
  int64_t at = 0;
  while (!rc && !(rc = store_step(k, &row, err)) && row) {
    /* every step-th key, and the last one */
    bool pick = at % step == 0 || at == total - 1;
    at++;
    if (!pick)
      continue;
    struct store_stmt *a = NULL, *b = NULL;
    rc = store_prepare(from, fs_buf_cstr(&one), &a, err);
    if (!rc)
      rc = store_prepare(to, fs_buf_cstr(&one), &b, err);
    for (int i = 0; !rc && i < t->nkeys; i++) {
      rc = bind_col(a, i + 1, k, i, t->is_int[t->key[i]]);
      if (!rc)
        rc = bind_col(b, i + 1, k, i, t->is_int[t->key[i]]);
    }
    bool same = false;
    if (!rc)
      rc = same_row(a, b, t, &same, err);
    if (!rc && !same) {
      const char *key = store_col_text(k, 0);
      if (!key)
        key = "NULL";
      rc = fs_err_set(err, FS_ERR_CORRUPT, "verify",
                      "table %s: the row with key %.80s differs between the two databases", t->name,
                      key);
    }
    store_done(a);
    store_done(b);
    st->compared++;
  }
  store_done(k);
  fs_buf_release(&keys);
  fs_buf_release(&one);
  return rc;
}

int store_copy_verify(struct store_conn *from, struct store_conn *to, int64_t sample,
                      struct store_copy_stats *st, struct fs_err *err)
{
  char(*names)[64] = NULL;
  size_t n = 0;
  struct table *t = NULL;
  int rc = walk_start(to, st, &names, &n, &t, err);
  for (size_t i = 0; !rc && i < n; i++) {
    int64_t a = 0, b = 0;
    rc = count_rows(from, to, names[i], &a, &b, err);
    if (!rc && a != b)
      rc = fs_err_set(err, FS_ERR_CORRUPT, "verify",
                      "table %s: %lld rows in the source, %lld in the destination", names[i],
                      (long long)a, (long long)b);
    if (!rc)
      rc = describe(to, names[i], t, err);
    if (!rc)
      rc = compare_sample(from, to, t, a, sample, st, err);
    st->tables++;
    st->rows += a;
  }
  free(t);
  free(names);
  return rc;
}

int store_copy_finish(struct store_conn *to, struct fs_err *err)
{
  const struct store_backend *be = store_conn_backend(to);
  int rc = store_begin(to, true, err);
  struct store_stmt *s = NULL;
  if (!rc)
    rc = store_query(to, &s, err,
                     "SELECT key, value FROM store_copy_state WHERE key LIKE 'fk:%' ORDER BY key",
                     "");
  bool row;
  while (!rc && !(rc = store_step(s, &row, err)) && row) {
    /* every reference is checked as the constraint comes back */
    rc = be->exec_script(store_conn_handle(to), store_col_text(s, 1), err);
    if (rc) {
      char where[160];
      snprintf(where, sizeof(where), "foreign key %s", store_col_text(s, 0) + 3);
      fs_err_wrap_where(err, where);
    }
  }
  store_done(s);
  /* the copy is planned for what it holds from its first statement (not after autovacuum) */
  if (!rc)
    rc = store_analyze(to, NULL, NULL, err);
  if (!rc)
    rc = be->exec_script(store_conn_handle(to), "DROP TABLE store_copy_state", err);
  return store_tx_leave(to, true, rc, err);
}
