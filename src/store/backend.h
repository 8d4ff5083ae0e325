/* What a storage engine provides to store.c: a table of functions (git's ref_storage_be). Only
 * store.c and the backends include this. */
#ifndef FS_STORE_BACKEND_H
#define FS_STORE_BACKEND_H

#include "store/store.h"

struct store_backend {
  const char *name;
  /* State shared by the connections of one store (SQLite: the checkpointer thread), opened
   * before the first connection and closed after the last one. */
  int (*shared_open)(const struct store_options *opt, void **shared, struct fs_err *err);
  void (*shared_close)(void *shared);
  /* Opens one connection configured from opt (pragmas, timeouts). */
  int (*conn_open)(const struct store_options *opt, void *shared, void **handle,
                   struct fs_err *err);
  void (*conn_close)(void *handle);
  /* false when the connection can no longer be used (a server's connection lost): the pool
   * then closes it and opens another. NULL: always usable. */
  bool (*conn_usable)(void *handle);
  /* Runs statements without parameters or results (BEGIN, COMMIT, migrations). */
  int (*exec_script)(void *handle, const char *sql, struct fs_err *err);
  int (*prepare)(void *handle, const char *sql, void **stmt, struct fs_err *err);
  void (*finalize)(void *stmt);
  void (*reset)(void *stmt);
  int (*bind_int)(void *stmt, int idx, int64_t v);
  /* copy false: v stays valid until the statement is reset (store_bind_text_ref) */
  int (*bind_text)(void *stmt, int idx, const char *v, size_t n, bool copy);
  int (*bind_blob)(void *stmt, int idx, const void *p, size_t n);
  int (*bind_null)(void *stmt, int idx);
  int (*step)(void *stmt, bool *row, struct fs_err *err);
  int64_t (*col_int)(void *stmt, int i);
  const char *(*col_text)(void *stmt, int i);
  const void *(*col_blob)(void *stmt, int i, size_t *n);
  bool (*col_null)(void *stmt, int i);
  int64_t (*changes)(void *handle);
  /* Sets the connection's page cache to kib KiB (0: the engine's default). */
  int (*cache_kib)(void *handle, int64_t kib, struct fs_err *err);
  /* BEGIN of a read transaction (one snapshot for all its statements) and of a write
   * transaction (takes the one write lock at once). */
  const char *begin_read_sql;
  const char *begin_write_sql;
  /* One row, one column: how many tables of the given name (one '?') the database has. */
  const char *has_table_sql;
  /* Catalog queries for copying a database (copy.c): the tables (one column: names), a table's
   * columns (one '?': the table; rows: name, 1 for an integer type, the column's place in the
   * primary key from 1 or 0), and the foreign keys (rows: table, constraint name, its definition
   * as ADD CONSTRAINT takes it; NULL when the backend needs none set aside). */
  const char *tables_sql;
  const char *columns_sql;
  const char *fkeys_sql;
  /* One row, one column: 1 when the database accepts writes now. */
  const char *writable_sql;
  /* One row, one column: nodes using the database (store_nodes); NULL: 1. */
  const char *nodes_sql;
  /* Notices between nodes (store_notify, store_subscribe); NULL on a backend of one node. The
   * statement has one '?': the channel. */
  const char *notify_sql;
  /* The statement that renews the planner's statistics, followed by a table's name (store_analyze),
   * or alone for every table; NULL: the backend's planner needs none. */
  const char *analyze_sql;
  int (*subscribe)(void *shared, const char *channel, void (*fn)(void *arg), void *arg,
                   struct fs_err *err);
  void (*unsubscribe)(void *shared, void (*fn)(void *arg), void *arg);
};

extern const struct store_backend store_backend_sqlite;
extern const struct store_backend store_backend_postgresql;

#endif
