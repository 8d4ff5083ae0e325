/* The store's contract, run against every backend: transactions, bindings, error mapping (busy,
 * full, conflict), migrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"
#include "testutil.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];
static char path[300];

static struct store *open_store(int64_t busy_ms, int64_t max_mb)
{
  struct store_options o = {.backend = "sqlite",
                            .path = path,
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
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
