/* The store's contract, run against every backend (SQLite; PostgreSQL in pg.unit.store):
 * transactions, bindings, error mapping (busy, full, conflict), migrations; and what only one
 * backend has (SQLite's checkpointer and size cap; PostgreSQL's reconnection and refused commit
 * of an aborted transaction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "store/postgres_int.h"
#include "store/store.h"
#include "pgtest.h"
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[256];
static char path[300];
static char url[1200]; /* PostgreSQL */

static struct store *open_store(int64_t busy_ms, int64_t max_mb)
{
  struct store_options o = {.backend = test_pg() ? "postgresql" : "sqlite",
                            .path = path,
                            .url = url,
                            .busy_timeout_ms = busy_ms,
                            .sync_full = true,
                            .max_size_mb = max_mb,
                            .max_conns = 4,
                            .create = true};
  struct store *st;
  struct fs_err err;
  assert_int_equal(store_open(&o, &st, &err), 0);
  return st;
}

static const struct store_migration steps[] = {
    {1, "t", "CREATE TABLE t (k TEXT PRIMARY KEY, v BIGINT NOT NULL, b BLOB)"},
    {2, "t index", "CREATE INDEX t_v ON t (v)"},
};
static const struct store_schema schema = {"test", steps, 2};
static const struct store_schema *const schemas[] = {&schema};

static int setup(void **state)
{
  (void)state;
  test_tmpdir(dir, "store");
  snprintf(path, sizeof(path), "%s/t.db", dir);
  if (test_pg())
    test_pg_new_url(url, sizeof(url));
  struct store *st = open_store(100, 0);
  struct store_conn *c;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &c, &err), 0);
  assert_int_equal(store_migrate(c, schemas, 1, &err), 0);
  /* Migrating twice is a no-op. */
  assert_int_equal(store_migrate(c, schemas, 1, &err), 0);
  int v;
  assert_int_equal(store_schema_version(c, "test", &v, &err), 0);
  assert_int_equal(v, 2);
  store_release(st, c);
  store_free(st);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  if (test_pg())
    test_pg_drop(url);
  test_rmrf(dir);
  return 0;
}

static void test_roundtrip(void **state)
{
  (void)state;
  struct store *st = open_store(100, 0);
  struct store_conn *c;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &c, &err), 0);
  assert_int_equal(store_begin(c, true, &err), 0);
  int64_t changes = 0;
  assert_int_equal(store_exec(c, &changes, &err, "INSERT INTO t (k, v, b) VALUES (?, ?, ?)", "sib",
                              "a", (int64_t)1 << 40, "\0x", (size_t)2),
                   0);
  assert_int_equal(changes, 1);
  assert_int_equal(store_commit(c, &err), 0);
  struct store_stmt *s;
  assert_int_equal(store_query(c, &s, &err, "SELECT k, v, b FROM t WHERE k = ?", "s", "a"), 0);
  bool row;
  assert_int_equal(store_step(s, &row, &err), 0);
  assert_true(row);
  assert_string_equal(store_col_text(s, 0), "a");
  assert_int_equal(store_col_int(s, 1), (int64_t)1 << 40);
  size_t n;
  const char *b = store_col_blob(s, 2, &n);
  assert_int_equal(n, 2);
  assert_int_equal(b[1], 'x');
  store_done(s);
  /* A unique violation is a conflict, and the failed transaction rolls back cleanly. */
  assert_int_equal(store_begin(c, true, &err), 0);
  assert_int_equal(store_exec(c, NULL, &err, "INSERT INTO t (k, v) VALUES ('b', 2)", ""), 0);
  assert_int_equal(store_exec(c, NULL, &err, "INSERT INTO t (k, v) VALUES ('a', 2)", ""),
                   FS_ERR_CONFLICT);
  store_rollback(c);
  int64_t count;
  assert_int_equal(store_query_int(c, &count, NULL, &err, "SELECT COUNT(*) FROM t", ""), 0);
  assert_int_equal(count, 1);
  store_release(st, c);
  store_free(st);
}

static void test_tx_enter_leave(void **state)
{
  (void)state;
  struct store *st = open_store(100, 0);
  struct store_conn *c;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &c, &err), 0);
  bool owned;
  assert_int_equal(store_tx_enter(c, &owned, &err), 0);
  assert_true(owned);
  bool inner;
  assert_int_equal(store_tx_enter(c, &inner, &err), 0);
  assert_false(inner);
  assert_int_equal(store_exec(c, NULL, &err, "INSERT INTO t (k, v) VALUES ('n', 1)", ""), 0);
  assert_int_equal(store_tx_leave(c, inner, FS_OK, &err), 0);
  assert_true(store_in_tx(c));
  /* The outer failure rolls everything back. */
  assert_int_equal(store_tx_leave(c, owned, FS_ERR_INVALID, &err), FS_ERR_INVALID);
  assert_false(store_in_tx(c));
  int64_t count;
  assert_int_equal(
      store_query_int(c, &count, NULL, &err, "SELECT COUNT(*) FROM t WHERE k = 'n'", ""), 0);
  assert_int_equal(count, 0);
  store_release(st, c);
  store_free(st);
}

static void test_busy(void **state)
{
  (void)state;
  struct store *st = open_store(50, 0);
  struct store_conn *a, *b;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &a, &err), 0);
  assert_int_equal(store_acquire(st, &b, &err), 0);
  assert_int_equal(store_begin(a, true, &err), 0);
  /* A second writer waits the busy timeout, then gets FS_ERR_BUSY. */
  assert_int_equal(store_begin(b, true, &err), FS_ERR_BUSY);
  assert_false(store_in_tx(b));
  /* Readers are not blocked by the writer (WAL). */
  int64_t count;
  assert_int_equal(store_query_int(b, &count, NULL, &err, "SELECT COUNT(*) FROM t", ""), 0);
  store_rollback(a);
  assert_int_equal(store_begin(b, true, &err), 0);
  store_rollback(b);
  store_release(st, a);
  store_release(st, b);
  store_free(st);
}

static void test_full(void **state)
{
  (void)state;
  if (test_pg())
    skip();                              /* store.max_size_mb is SQLite's (docs/config.md) */
  struct store *st = open_store(100, 1); /* 1 MiB */
  struct store_conn *c;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &c, &err), 0);
  static char blob[64 * 1024];
  memset(blob, 'x', sizeof(blob));
  int rc = FS_OK;
  int i;
  for (i = 0; i < 100 && !rc; i++) {
    char key[16];
    snprintf(key, sizeof(key), "big%d", i);
    assert_int_equal(store_begin(c, true, &err), 0);
    rc = store_exec(c, NULL, &err, "INSERT INTO t (k, v, b) VALUES (?, 0, ?)", "sb", key, blob,
                    sizeof(blob));
    if (!rc)
      rc = store_commit(c, &err);
    else
      store_rollback(c);
  }
  assert_int_equal(rc, FS_ERR_NO_SPACE);
  /* The failed insert left nothing behind: every committed row is whole. */
  int64_t count;
  assert_int_equal(
      store_query_int(c, &count, NULL, &err, "SELECT COUNT(*) FROM t WHERE k LIKE 'big%'", ""), 0);
  assert_int_equal(count, i - 1);
  assert_int_equal(store_exec(c, NULL, &err, "DELETE FROM t WHERE k LIKE 'big%'", ""), 0);
  store_release(st, c);
  store_free(st);
}

static void test_newer_schema_refused(void **state)
{
  (void)state;
  struct store *st = open_store(100, 0);
  struct store_conn *c;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &c, &err), 0);
  static const struct store_schema older = {"test", steps, 1};
  static const struct store_schema *const list[] = {&older};
  assert_int_equal(store_migrate(c, list, 1, &err), FS_ERR_CONFLICT);
  assert_non_null(strstr(err.msg, "newer"));
  store_release(st, c);
  store_free(st);
}

static void test_many_statements(void **state)
{
  (void)state;
  struct store *st = open_store(100, 0);
  struct store_conn *c;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &c, &err), 0);
  /* More distinct statements than the cache holds: old ones are evicted, all still work. */
  for (int i = 0; i < 300; i++) {
    char sql[64];
    snprintf(sql, sizeof(sql), "SELECT %d", i);
    int64_t v;
    assert_int_equal(store_query_int(c, &v, NULL, &err, sql, ""), 0);
    assert_int_equal(v, i);
  }
  store_release(st, c);
  store_free(st);
}

/* A scan's small page cache, then the store's again (store.cache_mb; 0: the engine's default). */
static void test_scan_mode(void **state)
{
  (void)state;
  if (test_pg())
    skip(); /* SQLite's page cache (PostgreSQL's is the server's shared_buffers) */
  struct store *st = open_store(100, 0);
  struct store_conn *c;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &c, &err), 0);
  int64_t before, during, after;
  assert_int_equal(store_query_int(c, &before, NULL, &err, "PRAGMA cache_size", ""), 0);
  assert_int_equal(store_scan_mode(c, true, &err), 0);
  assert_int_equal(store_query_int(c, &during, NULL, &err, "PRAGMA cache_size", ""), 0);
  assert_int_equal(during, -2048);
  assert_int_equal(store_scan_mode(c, false, &err), 0);
  assert_int_equal(store_query_int(c, &after, NULL, &err, "PRAGMA cache_size", ""), 0);
  assert_int_equal(after, before);
  store_release(st, c);
  store_free(st);
}

/* Text bound without a copy is what the row gets; a statement found again by the address of its
 * text is the one for the text now there. */
static void test_bind_ref(void **state)
{
  (void)state;
  struct store *st = open_store(100, 0);
  struct store_conn *c;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &c, &err), 0);
  char key[16], sql[64];
  for (int i = 0; i < 3; i++) {
    struct store_stmt *s;
    snprintf(key, sizeof(key), "ref%d", i);
    assert_int_equal(store_prepare(c, "INSERT INTO t (k, v) VALUES (?, ?)", &s, &err), 0);
    assert_int_equal(store_bind_text_ref(s, 1, key, 4), 0);
    assert_int_equal(store_bind_int(s, 2, i), 0);
    bool row;
    assert_int_equal(store_step(s, &row, &err), 0);
    store_done(s);
    /* the same buffer, with a query, then with another query */
    snprintf(sql, sizeof(sql), "SELECT v FROM t WHERE k = 'ref%d'", i);
    int64_t v = -1;
    assert_int_equal(store_query_int(c, &v, NULL, &err, sql, ""), 0);
    assert_int_equal(v, i);
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM t WHERE k LIKE 'ref%%'");
    assert_int_equal(store_query_int(c, &v, NULL, &err, sql, ""), 0);
    assert_int_equal(v, i + 1);
  }
  assert_int_equal(store_exec(c, NULL, &err, "DELETE FROM t WHERE k LIKE 'ref%'", ""), 0);
  store_release(st, c);
  store_free(st);
}

static long long file_size(const char *p)
{
  struct stat sb;
  return stat(p, &sb) ? -1 : (long long)sb.st_size;
}

/* A commit that fills the WAL leaves the copy into the database to the store's checkpointer: the
 * database file grows soon after, while the connection stays open; and a store closed right after
 * a commit has checkpointed it (nothing is left only in the WAL). */
static void test_background_checkpoint(void **state)
{
  (void)state;
  if (test_pg())
    skip(); /* SQLite's WAL */
  struct store *st = open_store(100, 0);
  struct store_conn *c;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &c, &err), 0);
  long long before = file_size(path);
  assert_int_equal(store_begin(c, true, &err), 0);
  static char blob[4000];
  for (int i = 0; i < 1500; i++) { /* about 6 MB, checkpointed within a second */
    char k[32];
    snprintf(k, sizeof(k), "ckpt-%d", i);
    blob[0] = (char)i;
    assert_int_equal(store_exec(c, NULL, &err, "INSERT INTO t (k, v, b) VALUES (?, ?, ?)", "sib", k,
                                (int64_t)i, blob, sizeof(blob)),
                     0);
  }
  assert_int_equal(store_commit(c, &err), 0);
  /* The checkpointer works on its own time: wait for it (a guard of 300 s against a hang; no
   * timing is asserted). */
  for (int i = 0; i < 3000 && file_size(path) < before + 4000000; i++)
    usleep(100000);
  if (file_size(path) < before + 4000000)
    fail_msg("database %lld bytes, %lld before the commit", file_size(path), before);
  assert_int_equal(store_exec(c, NULL, &err, "DELETE FROM t WHERE k LIKE 'ckpt-%'", ""), 0);
  store_release(st, c);
  store_free(st);
  char wal[320];
  snprintf(wal, sizeof(wal), "%s-wal", path);
  assert_true(file_size(wal) <= 0); /* the last close checkpointed and removed it */
}

/* Portable SQL as PostgreSQL gets it: placeholders numbered outside quotes and comments; in
 * scripts SQLite's storage hint dropped and BLOB a bytea. (Pure: runs on every backend.) */
static void test_pg_translate(void **state)
{
  (void)state;
  int n = -1;
  char *t =
      pg_translate("SELECT '?', \"a?\" FROM t WHERE k = ? -- ?\n AND v = ? /* ? */", false, &n);
  assert_string_equal(t, "SELECT '?', \"a?\" FROM t WHERE k = $1 -- ?\n AND v = $2 /* ? */");
  assert_int_equal(n, 2);
  free(t);
  t = pg_translate("SELECT 'it''s ?', ?", false, &n);
  assert_string_equal(t, "SELECT 'it''s ?', $1");
  assert_int_equal(n, 1);
  free(t);
  t = pg_translate("CREATE TABLE x (k TEXT PRIMARY KEY, b BLOB, blobs TEXT) WITHOUT ROWID;"
                   "CREATE TABLE y (k TEXT)",
                   true, NULL);
  assert_string_equal(t, "CREATE TABLE x (k TEXT PRIMARY KEY, b BYTEA, blobs TEXT);"
                         "CREATE TABLE y (k TEXT)");
  free(t);
  assert_int_equal(pg_code_of_state("23505"), FS_ERR_CONFLICT);
  assert_int_equal(pg_code_of_state("55P03"), FS_ERR_BUSY);
  assert_int_equal(pg_code_of_state("53100"), FS_ERR_NO_SPACE);
  assert_int_equal(pg_code_of_state("XX001"), FS_ERR_CORRUPT);
  assert_int_equal(pg_code_of_state("42601"), FS_ERR_INTERNAL);
}

/* What SQLite's loose typing lets portable SQL do, on every backend: a parameter whose type only
 * its value tells (? IS NULL), an integer compared with text and used as a truth value, a NULL
 * where an integer goes, a truth value read as an integer. */
static void test_parameter_types(void **state)
{
  (void)state;
  struct store *st = open_store(100, 0);
  struct store_conn *c;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &c, &err), 0);
  int64_t v = -1;
  assert_int_equal(store_query_int(c, &v, NULL, &err, "SELECT ? IS NULL", "n"), 0);
  assert_int_equal(v, 1);
  assert_int_equal(store_query_int(c, &v, NULL, &err, "SELECT ? IS NULL", "s", "x"), 0);
  assert_int_equal(v, 0);
  assert_int_equal(
      store_exec(c, NULL, &err, "INSERT INTO t (k, v) VALUES (?, ?)", "si", "ty", (int64_t)7), 0);
  assert_int_equal(store_query_int(c, &v, NULL, &err,
                                   "SELECT COUNT(*) FROM t WHERE (? IS NULL OR k = ?) AND v > ?",
                                   "ssi", "ty", "ty", (int64_t)6),
                   0);
  assert_int_equal(v, 1);
  assert_int_equal(store_query_int(c, &v, NULL, &err, "SELECT v FROM t WHERE k = ?", "s", "ty"), 0);
  assert_int_equal(v, 7);
  assert_int_equal(store_query_int(c, &v, NULL, &err, "SELECT v = 7 FROM t WHERE k = ?", "s", "ty"),
                   0);
  assert_int_equal(v, 1);
  char text[32];
  assert_int_equal(store_query_text(c, text, sizeof(text), NULL, &err,
                                    "SELECT k || '-' || v FROM t WHERE k = ?", "s", "ty"),
                   0);
  assert_string_equal(text, "ty-7");
  assert_int_equal(store_exec(c, NULL, &err, "DELETE FROM t WHERE k = ?", "s", "ty"), 0);
  store_release(st, c);
  store_free(st);
}

/* PostgreSQL: a connection the server lost fails with busy (503: the client tries again), and
 * the pool opens a new one in its place; a commit of a transaction a failed statement aborted is
 * refused, not turned into a rollback that looks like success. */
static void test_pg_connection_lost(void **state)
{
  (void)state;
  if (!test_pg())
    skip();
  struct store *st = open_store(100, 0);
  struct store_conn *a, *b;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &a, &err), 0);
  assert_int_equal(store_acquire(st, &b, &err), 0);
  int64_t pid = 0, ok = 0;
  assert_int_equal(store_query_int(a, &pid, NULL, &err, "SELECT pg_backend_pid()", ""), 0);
  assert_int_equal(store_query_int(b, &ok, NULL, &err, "SELECT pg_terminate_backend(?)", "i", pid),
                   0);
  assert_int_equal(ok, 1);
  int64_t v;
  int rc = FS_OK;
  for (int i = 0; i < 100 && !rc; i++) { /* the server ends the session at once, or nearly */
    rc = store_query_int(a, &v, NULL, &err, "SELECT 1", "");
    if (!rc)
      usleep(20000);
  }
  assert_int_equal(rc, FS_ERR_BUSY);
  store_release(st, a);
  store_release(st, b);
  assert_int_equal(store_acquire(st, &a, &err), 0);
  assert_int_equal(store_acquire(st, &b, &err), 0);
  assert_int_equal(store_query_int(a, &v, NULL, &err, "SELECT 1", ""), 0);
  assert_int_equal(store_query_int(b, &v, NULL, &err, "SELECT 1", ""), 0);

  assert_int_equal(store_begin(a, true, &err), 0);
  assert_int_equal(store_exec(a, NULL, &err, "INSERT INTO t (k, v) VALUES ('ab1', 1)", ""), 0);
  assert_int_equal(store_exec(a, NULL, &err, "INSERT INTO t (k, v) VALUES ('ab1', 2)", ""),
                   FS_ERR_CONFLICT);
  assert_int_not_equal(store_commit(a, &err), 0);
  assert_false(store_in_tx(a));
  assert_int_equal(store_query_int(a, &v, NULL, &err, "SELECT COUNT(*) FROM t WHERE k = 'ab1'", ""),
                   0);
  assert_int_equal(v, 0);
  store_release(st, a);
  store_release(st, b);
  store_free(st);
}

/* 64 keys looked for at once, as an ingest asks which of its ids are stored: the number of
 * them found in plan_t. */
static int64_t count_keys(struct store_conn *c, int from)
{
  struct fs_buf sql;
  fs_buf_init(&sql, 0);
  fs_buf_append_str(&sql, "SELECT COUNT(*) FROM plan_t WHERE k IN (?");
  for (int i = 1; i < 64; i++)
    fs_buf_append_str(&sql, ",?");
  fs_buf_append_str(&sql, ")");
  struct store_stmt *s;
  struct fs_err err;
  assert_int_equal(store_prepare(c, fs_buf_cstr(&sql), &s, &err), 0);
  char key[32];
  for (int i = 0; i < 64; i++) {
    snprintf(key, sizeof(key), "k%d", from + i);
    assert_int_equal(store_bind_text(s, i + 1, key), 0);
  }
  bool row = false;
  assert_int_equal(store_step(s, &row, &err), 0);
  assert_true(row);
  int64_t n = store_col_int(s, 0);
  store_done(s);
  fs_buf_release(&sql);
  return n;
}

/* Rows of plan_t a sequential scan read in this transaction (a bitmap scan counts none). */
static int64_t read_one_by_one(struct store_conn *c)
{
  int64_t n = -1;
  struct fs_err err;
  assert_int_equal(store_query_int(c, &n, NULL, &err,
                                   "SELECT COALESCE(SUM(seq_tup_read), 0) FROM"
                                   " pg_stat_xact_user_tables WHERE relname = 'plan_t'",
                                   ""),
                   0);
  return n;
}

/* store_analyze: a table that grew from empty is planned for its size from then on (here a look
 * for 64 of its 200,000 keys, the first column of its primary key as intel_object's id is of
 * (id, version), goes through that index, not a sequential scan: planned as a small table, an
 * import's look for its ids scanned 100,000 rows each time and took minutes). On SQLite it does
 * nothing; a name that is not an identifier is refused. */
static void test_analyze(void **state)
{
  (void)state;
  struct store *st = open_store(1000, 0);
  struct store_conn *c;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &c, &err), 0);
  assert_int_equal(store_analyze(c, "t; DROP TABLE t", NULL, &err),
                   test_pg() ? FS_ERR_INVALID : FS_OK);
  assert_int_equal(store_analyze(c, "t", "k); DROP TABLE t; --", &err),
                   test_pg() ? FS_ERR_INVALID : FS_OK);
  assert_int_equal(store_analyze(c, "t", NULL, &err), 0);
  assert_int_equal(store_analyze(c, "t", "k, v", &err), 0);
  if (!test_pg()) {
    store_release(st, c);
    store_free(st);
    return;
  }
  assert_int_equal(
      store_exec(c, NULL, &err,
                 "CREATE TABLE plan_t (k TEXT NOT NULL, v BIGINT NOT NULL, PRIMARY KEY (k, v))",
                 ""),
      0);
  assert_int_equal(count_keys(c, 0), 0);
  assert_int_equal(
      store_exec(c, NULL, &err,
                 "INSERT INTO plan_t SELECT 'k' || g, g FROM generate_series(1, 200000) g", ""),
      0);
  assert_int_equal(store_analyze(c, "plan_t", "k", &err), 0);
  /* counters of one transaction: none is flushed while it lasts */
  assert_int_equal(store_begin(c, false, &err), 0);
  int64_t before = read_one_by_one(c);
  assert_int_equal(count_keys(c, 100), 64);
  int64_t after = read_one_by_one(c);
  assert_int_equal(store_commit(c, &err), 0);
  assert_true(before >= 0 && after - before < 1000);
  assert_int_equal(store_analyze(c, NULL, NULL, &err), 0); /* every table */
  assert_int_equal(store_exec(c, NULL, &err, "DROP TABLE plan_t", ""), 0);
  store_release(st, c);
  store_free(st);
}

static pthread_mutex_t notice_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notice_cond = PTHREAD_COND_INITIALIZER;
static int notices;

static void on_notice(void *arg)
{
  (void)arg;
  pthread_mutex_lock(&notice_lock);
  notices++;
  pthread_cond_broadcast(&notice_cond);
  pthread_mutex_unlock(&notice_lock);
}

/* Waits (up to 20 s: no timing is asserted) until more than `seen` notices came. */
static int wait_notices(int seen)
{
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 20;
  pthread_mutex_lock(&notice_lock);
  while (notices <= seen && pthread_cond_timedwait(&notice_cond, &notice_lock, &until) == 0) {
  }
  int n = notices;
  pthread_mutex_unlock(&notice_lock);
  return n;
}

/* Notices between nodes: on PostgreSQL a committed store_notify reaches the subscribers (a
 * rolled-back one does not), and a lost listening connection ends in a notice too (the catch-up);
 * on SQLite there are none to subscribe to and store_notify does nothing. Both say whether the
 * database accepts writes and count one node. */
static void test_notices(void **state)
{
  (void)state;
  struct store *st = open_store(100, 0);
  struct store_conn *c;
  struct fs_err err;
  assert_int_equal(store_acquire(st, &c, &err), 0);
  bool writable = false;
  assert_int_equal(store_writable(c, &writable, &err), 0);
  assert_true(writable);
  int64_t nodes = 0;
  assert_int_equal(store_nodes(c, &nodes, &err), 0);
  assert_int_equal(nodes, 1);
  if (!test_pg()) {
    assert_false(store_notices(st));
    assert_int_equal(store_subscribe(st, "t", on_notice, NULL, &err), FS_ERR_UNSUPPORTED);
    assert_int_equal(store_begin(c, true, &err), 0);
    assert_int_equal(store_notify(c, "t", &err), 0);
    assert_int_equal(store_commit(c, &err), 0);
    store_release(st, c);
    store_free(st);
    return;
  }
  assert_true(store_notices(st));
  assert_int_equal(store_subscribe(st, "t", on_notice, NULL, &err), 0);
  /* the listener connects in its own time: notify until it hears one */
  int seen = notices;
  for (int i = 0; i < 100 && notices == seen; i++) {
    assert_int_equal(store_begin(c, true, &err), 0);
    assert_int_equal(store_notify(c, "t", &err), 0);
    assert_int_equal(store_commit(c, &err), 0);
    usleep(100000);
  }
  assert_int_not_equal(notices, seen);
  /* a rolled-back notice is never told; a committed one after it is */
  usleep(300000);
  seen = notices;
  assert_int_equal(store_begin(c, true, &err), 0);
  assert_int_equal(store_notify(c, "t", &err), 0);
  store_rollback(c);
  assert_int_equal(store_begin(c, true, &err), 0);
  assert_int_equal(store_notify(c, "other", &err), 0);
  assert_int_equal(store_commit(c, &err), 0);
  assert_int_equal(store_begin(c, true, &err), 0);
  assert_int_equal(store_notify(c, "t", &err), 0);
  assert_int_equal(store_commit(c, &err), 0);
  assert_int_equal(wait_notices(seen), seen + 1);
  /* the listening connection lost: after it is made again, a notice (everyone catches up) */
  seen = notices;
  int64_t ended = 0;
  assert_int_equal(
      store_query_int(c, &ended, NULL, &err,
                      "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                      " WHERE datname = current_database() AND pid <> pg_backend_pid()",
                      ""),
      0);
  assert_true(ended >= 1);
  assert_true(wait_notices(seen) > seen);
  store_unsubscribe(st, on_notice, NULL);
  store_release(st, c);
  store_free(st);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip),
      cmocka_unit_test(test_scan_mode),
      cmocka_unit_test(test_tx_enter_leave),
      cmocka_unit_test(test_busy),
      cmocka_unit_test(test_full),
      cmocka_unit_test(test_newer_schema_refused),
      cmocka_unit_test(test_many_statements),
      cmocka_unit_test(test_bind_ref),
      cmocka_unit_test(test_background_checkpoint),
      cmocka_unit_test(test_pg_translate),
      cmocka_unit_test(test_parameter_types),
      cmocka_unit_test(test_pg_connection_lost),
      cmocka_unit_test(test_analyze),
      cmocka_unit_test(test_notices),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
