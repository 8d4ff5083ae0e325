/* Unit tests on PostgreSQL: CTest's pg.unit.* runs set FINSHIELD_TEST_BACKEND=postgresql and
 * FINSHIELD_TEST_PG_URL_FILE (the throw-away cluster of tests/integration/pgcluster.py); a test
 * then gets a database of its own (created by the store, as finshield init does) and drops it. */
#ifndef FS_TESTS_PGTEST_H
#define FS_TESTS_PGTEST_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline bool test_pg(void)
{
  const char *b = getenv("FINSHIELD_TEST_BACKEND");
  return b && !strcmp(b, "postgresql");
}

/* The cluster's URL with another database name (the base URL names /postgres). */
static inline void test_pg_url_for(const char *dbname, char *out, size_t n)
{
  const char *file = getenv("FINSHIELD_TEST_PG_URL_FILE");
  char text[2048] = "";
  FILE *f = file ? fopen(file, "r") : NULL;
  if (!f) {
    fprintf(stderr, "pgtest: FINSHIELD_TEST_PG_URL_FILE is not readable\n");
    abort();
  }
  size_t len = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  text[len] = 0;
  const char *u = strstr(text, "\"url\": \"");
  const char *slash = u ? strstr(u, "@/") : NULL;
  const char *q = slash ? strchr(slash, '?') : NULL;
  const char *end = q ? strchr(q, '"') : NULL;
  if (!end) {
    fprintf(stderr, "pgtest: no URL in %s\n", file);
    abort();
  }
  u += 8;
  snprintf(out, n, "%.*s/%s%.*s", (int)(slash + 1 - u), u, dbname, (int)(end - q), q);
}

/* A URL for a new database of this test (created when the store opens with create). */
static inline void test_pg_new_url(char *out, size_t n)
{
  static unsigned seq;
  char name[64];
  snprintf(name, sizeof(name), "fs_unit_%ld_%u", (long)getpid(), ++seq);
  test_pg_url_for(name, out, n);
}

/* Runs one statement on a database of the cluster (the maintenance one when dbname is NULL). */
static inline bool test_pg_exec(const char *dbname, const char *sql)
{
  char url[1200];
  test_pg_url_for(dbname ? dbname : "postgres", url, sizeof(url));
  PGconn *pg = PQconnectdb(url);
  bool ok = PQstatus(pg) == CONNECTION_OK;
  if (ok) {
    PGresult *r = PQexec(pg, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
      fprintf(stderr, "pgtest: %s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
  }
  PQfinish(pg);
  return ok;
}

/* Drops the database a URL of test_pg_new_url names. */
static inline void test_pg_drop(const char *url)
{
  const char *slash = strstr(url, "@/");
  const char *q = slash ? strchr(slash, '?') : NULL;
  if (!q)
    return;
  char sql[200];
  snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%.*s\" WITH (FORCE)", (int)(q - slash - 2),
           slash + 2);
  test_pg_exec(NULL, sql);
}

#endif
