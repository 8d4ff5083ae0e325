/* The SQLite backend: WAL journal, foreign keys, busy timeout, synchronous commits, an optional
 * size cap, and SQLite result codes mapped onto the store's errors. */
#include "store/backend.h"
#include "store/sqlite_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* What failed, for the message: SQLite's own words go inside a sentence of ours. */
enum op { OP_OPEN, OP_PREPARE, OP_STEP, OP_SETTING };

static int map_rc(sqlite3 *db, int rc, enum op op, const char *sql, struct fs_err *err)
{
  const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  enum fs_code code;
  switch (rc & 0xff) {
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    code = FS_ERR_BUSY;
    break;
  case SQLITE_FULL:
    code = FS_ERR_NO_SPACE;
    break;
  case SQLITE_CONSTRAINT:
    code = FS_ERR_CONFLICT;
    break;
  case SQLITE_NOMEM:
    code = FS_ERR_NOMEM;
    break;
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
    code = FS_ERR_CORRUPT;
    break;
  case SQLITE_IOERR:
  case SQLITE_CANTOPEN:
  case SQLITE_READONLY:
  case SQLITE_PERM:
    code = FS_ERR_IO;
    break;
  case SQLITE_TOOBIG:
    code = FS_ERR_TOO_LARGE;
    break;
  default:
    code = FS_ERR_INTERNAL;
  }
  switch (op) {
  case OP_OPEN:
    return fs_err_set(err, code, "sqlite", "cannot open the database: %s", msg);
  case OP_PREPARE:
    return fs_err_set(err, code, "sqlite", "cannot prepare a database statement: %s", msg);
  case OP_STEP:
    return fs_err_set(err, code, "sqlite", "a database statement failed: %s", msg);
  case OP_SETTING:
    break;
  }
  return fs_err_set(err, code, "sqlite", "database setting \"%.80s\" failed: %s", sql, msg);
}

static int pragma(sqlite3 *db, const char *sql, struct fs_err *err)
{
  char *errmsg = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &errmsg);
  sqlite3_free(errmsg);
  return rc == SQLITE_OK ? FS_OK : map_rc(db, rc, OP_SETTING, sql, err);
}

static int sq_shared_open(const struct store_options *opt, void **shared, struct fs_err *err)
{
  struct sq_checkpointer *k;
  if (sq_checkpointer_start(opt->path, &k))
    return fs_err_set(err, FS_ERR_NOMEM, "store", "cannot start the checkpointer thread");
  *shared = k;
  return FS_OK;
}

static void sq_shared_close(void *shared)
{
  sq_checkpointer_stop(shared);
}

static int sq_conn_open(const struct store_options *opt, void *shared, void **handle,
                        struct fs_err *err)
{
  sqlite3 *db = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (opt->create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(opt->path, &db, flags, NULL);
  if (rc != SQLITE_OK) {
    int r = map_rc(db, rc, OP_OPEN, NULL, err);
    fs_err_wrap_where(err, opt->path);
    sqlite3_close(db);
    return r;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, (int)opt->busy_timeout_ms);
  char sql[160];
  int r = opt->create ? pragma(db, "PRAGMA page_size=16384", err) : FS_OK;
  if (!r)
    r = pragma(db, "PRAGMA journal_mode=WAL", err);
  if (!r)
    r = pragma(db, "PRAGMA foreign_keys=ON", err);
  if (!r)
    r = pragma(db, opt->sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", err);
  if (!r && opt->cache_mb > 0) {
    snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%lld", (long long)(opt->cache_mb * 1024));
    r = pragma(db, sql, err);
  }
  if (!r)
    r = pragma(db, "PRAGMA temp_store=MEMORY", err);
  /* Commits leave the checkpoint to the store's checkpointer thread. */
  if (!r)
    sq_checkpointer_attach(shared, db);
  if (!r && opt->max_size_mb > 0) {
    /* max_page_count is in pages; writes past it fail with SQLITE_FULL and change nothing. */
    sqlite3_stmt *st;
    int64_t page_size = 4096;
    if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK) {
      if (sqlite3_step(st) == SQLITE_ROW)
        page_size = sqlite3_column_int64(st, 0);
      sqlite3_finalize(st);
    }
    snprintf(sql, sizeof(sql), "PRAGMA max_page_count=%lld",
             (long long)(opt->max_size_mb * 1024 * 1024 / page_size));
    r = pragma(db, sql, err);
  }
  if (r) {
    fs_err_wrap_where(err, opt->path);
    sqlite3_close(db);
    return r;
  }
  *handle = db;
  return FS_OK;
}

static int sq_cache_kib(void *handle, int64_t kib, struct fs_err *err)
{
  char sql[64];
  snprintf(sql, sizeof(sql), "PRAGMA cache_size=%lld", kib > 0 ? -(long long)kib : -2000LL);
  return pragma(handle, sql, err);
}

static void sq_conn_close(void *handle)
{
  sqlite3_close(handle);
}

static int sq_exec_script(void *handle, const char *sql, struct fs_err *err)
{
  return pragma(handle, sql, err);
}

static int sq_prepare(void *handle, const char *sql, void **stmt, struct fs_err *err)
{
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v3(handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
  if (rc != SQLITE_OK)
    return map_rc(handle, rc, OP_PREPARE, NULL, err);
  *stmt = st;
  return FS_OK;
}

static void sq_finalize(void *stmt)
{
  sqlite3_finalize(stmt);
}

static void sq_reset(void *stmt)
{
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
}

static int bind_rc(int rc)
{
  if (rc == SQLITE_OK)
    return FS_OK;
  return rc == SQLITE_NOMEM    ? FS_ERR_NOMEM
         : rc == SQLITE_TOOBIG ? FS_ERR_TOO_LARGE
                               : FS_ERR_INTERNAL;
}

static int sq_bind_int(void *stmt, int idx, int64_t v)
{
  return bind_rc(sqlite3_bind_int64(stmt, idx, v));
}

static int sq_bind_text(void *stmt, int idx, const char *v, size_t n, bool copy)
{
  return bind_rc(
      sqlite3_bind_text64(stmt, idx, v, n, copy ? SQLITE_TRANSIENT : SQLITE_STATIC, SQLITE_UTF8));
}

static int sq_bind_blob(void *stmt, int idx, const void *p, size_t n)
{
  return bind_rc(sqlite3_bind_blob64(stmt, idx, p, n, SQLITE_TRANSIENT));
}

static int sq_bind_null(void *stmt, int idx)
{
  return bind_rc(sqlite3_bind_null(stmt, idx));
}

static int sq_step(void *stmt, bool *row, struct fs_err *err)
{
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    *row = true;
    return FS_OK;
  }
  *row = false;
  if (rc == SQLITE_DONE)
    return FS_OK;
  return map_rc(sqlite3_db_handle(stmt), rc, OP_STEP, NULL, err);
}

static int64_t sq_col_int(void *stmt, int i)
{
  return sqlite3_column_int64(stmt, i);
}

static const char *sq_col_text(void *stmt, int i)
{
  return (const char *)sqlite3_column_text(stmt, i);
}

static const void *sq_col_blob(void *stmt, int i, size_t *n)
{
  const void *p = sqlite3_column_blob(stmt, i);
  *n = (size_t)sqlite3_column_bytes(stmt, i);
  return p;
}

static bool sq_col_null(void *stmt, int i)
{
  return sqlite3_column_type(stmt, i) == SQLITE_NULL;
}

static int64_t sq_changes(void *handle)
{
  return sqlite3_changes64(handle);
}

const struct store_backend store_backend_sqlite = {
    .name = "sqlite",
    .shared_open = sq_shared_open,
    .shared_close = sq_shared_close,
    .conn_open = sq_conn_open,
    .conn_close = sq_conn_close,
    .exec_script = sq_exec_script,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .bind_int = sq_bind_int,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .col_null = sq_col_null,
    .changes = sq_changes,
    .cache_kib = sq_cache_kib,
    .begin_read_sql = "BEGIN",
    .begin_write_sql = "BEGIN IMMEDIATE",
    .has_table_sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
    .writable_sql = "SELECT 1",
    .tables_sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
                  " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    .columns_sql = "SELECT name, CASE WHEN upper(type) IN ('INTEGER', 'BIGINT') THEN 1 ELSE 0 END,"
                   " pk FROM pragma_table_info(?) ORDER BY cid",
};
