/* The PostgreSQL backend (libpq): one session per connection, statements prepared on the server
 * once per connection and kept in the store's statement cache, results read whole at the first
 * step (so that statements interleave on one connection as they do on SQLite), SQLSTATEs mapped
 * onto the store's errors. docs/internals/store.md explains the choices. */
#include "store/backend.h"
#include "store/postgres_int.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs (catalog/pg_type_d.h, not shipped by libpq-dev): stable since PostgreSQL 7. */
enum { OID_UNKNOWN = 0, OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_TEXT = 25 };

/* The write lock: every write transaction takes this transaction-level advisory lock first, so
 * that writers take turns across every node as SQLite's writers do (store.h). The number is
 * "finshiel" in ASCII. */
#define WRITER_LOCK "7379238441893749100"

struct pgc {
  PGconn *pg;
  unsigned long names; /* prepared statements named so far */
  int64_t changes;     /* rows changed by the last INSERT, UPDATE or DELETE */
  char *stale;         /* "DEALLOCATE a;DEALLOCATE b;" for statements dropped from the cache */
  size_t stale_len;
};

/* One server-side statement for one set of parameter kinds ('i', 't', 'b', 'n' each). */
struct variant {
  char *kinds;
  char name[24];
};

struct pgs {
  struct pgc *c;
  char *sql;
  int n;       /* parameters */
  char *kinds; /* n + 1: what each parameter is bound to ('n': NULL or nothing) */
  const char **val;
  int *len;
  int *fmt;
  char (*num)[24];
  char **own; /* per parameter: our copy of its text or blob, freed at reset */
  struct variant *var;
  size_t nvar;
  PGresult *res;
  int row, nrows;
  bool ran;
  char **dec; /* per column of the current row: a decoded bytea (NUL-terminated), or NULL */
  size_t *dec_len;
  int ndec;
};

static void quiet(void *arg, const char *message)
{
  (void)arg;
  (void)message; /* NOTICEs ("already exists, skipping") are not the program's output */
}

/* The first line of libpq's message (they end with a newline), bounded. */
static void first_line(const char *msg, char *out, size_t n)
{
  snprintf(out, n, "%s", msg ? msg : "");
  out[strcspn(out, "\n")] = 0;
}

static int fail(struct pgc *c, PGresult *r, const char *what, struct fs_err *err)
{
  char msg[300];
  const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  first_line(primary ? primary : PQerrorMessage(c->pg), msg, sizeof(msg));
  if (PQstatus(c->pg) != CONNECTION_OK)
    return fs_err_set(err, FS_ERR_BUSY, "postgresql",
                      "%s: the connection to the database was lost (%s)", what, msg);
  return fs_err_set(err, pg_code_of_state(state), "postgresql", "%s: %s", what, msg);
}

/* PQexec of a script; FS_OK when every statement in it succeeded. */
static int exec(struct pgc *c, const char *sql, const char *what, struct fs_err *err)
{
  PGresult *r = PQexec(c->pg, sql);
  ExecStatusType st = PQresultStatus(r);
  int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY
               ? FS_OK
               : fail(c, r, what, err);
  PQclear(r);
  return rc;
}

/* Statements dropped from the cache are deallocated when the session is next outside a
 * transaction (inside one a failure would abort it). */
static void flush_stale(struct pgc *c)
{
  if (!c->stale_len || PQtransactionStatus(c->pg) != PQTRANS_IDLE)
    return;
  PQclear(PQexec(c->pg, c->stale));
  c->stale[0] = 0;
  c->stale_len = 0;
}

/* Connects to url (to its server's database dbname instead when not NULL). A node's sessions are
 * named "finshield NODE" (store_nodes counts them), others "finshield" unless the URL names them.
 */
PGconn *pg_connect(const char *url, const char *dbname, const char *node)
{
  char app[64];
  snprintf(app, sizeof(app), "finshield %s", node ? node : "");
  /* Keywords before dbname are defaults the URL overrides; after it they override the URL. */
  const char *kw[] = {"fallback_application_name",
                      "connect_timeout",
                      "dbname",
                      node     ? "application_name"
                      : dbname ? "dbname"
                               : NULL,
                      node && dbname ? "dbname" : NULL,
                      NULL};
  const char *val[] = {"finshield", "10", url, node ? app : dbname, node && dbname ? dbname : NULL,
                       NULL};
  return PQconnectdbParams(kw, val, 1);
}

/* init: creates the database the URL names when it does not exist, with the byte order of
 * strings the program's keys and cursors assume (C collation) and UTF-8. */
static int ensure_database(const char *url, struct fs_err *err)
{
  char *errmsg = NULL;
  PQconninfoOption *opts = PQconninfoParse(url, &errmsg);
  if (!opts) {
    char msg[300];
    first_line(errmsg, msg, sizeof(msg));
    PQfreemem(errmsg);
    return fs_err_set(err, FS_ERR_INVALID, "[store] url", "%s", msg);
  }
  char name[128] = "";
  for (PQconninfoOption *o = opts; o->keyword; o++)
    if (!strcmp(o->keyword, "dbname") && o->val)
      snprintf(name, sizeof(name), "%s", o->val);
  PQconninfoFree(opts);
  if (!name[0])
    return FS_OK; /* libpq's default (the user's name): made by whoever made the user */
  PGconn *pg = pg_connect(url, "postgres", NULL);
  if (PQstatus(pg) != CONNECTION_OK) {
    PQfinish(pg);
    return FS_OK; /* no maintenance database here: opening the hub's says what is wrong */
  }
  struct pgc c = {.pg = pg};
  PQsetNoticeProcessor(pg, quiet, NULL);
  const char *params[] = {name};
  PGresult *r = PQexecParams(pg, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, params,
                             NULL, NULL, 0);
  int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? FS_OK : fail(&c, r, "create database", err);
  bool exists = !rc && PQntuples(r) > 0;
  PQclear(r);
  if (!rc && !exists) {
    char *ident = PQescapeIdentifier(pg, name, strlen(name));
    char sql[400];
    snprintf(sql, sizeof(sql),
             "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'",
             ident ? ident : "\"\"");
    PQfreemem(ident);
    r = PQexec(pg, sql);
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && !(state && !strcmp(state, "42P04")))
      rc = fail(&c, r, "create database", err); /* 42P04: another node made it meanwhile */
    PQclear(r);
  }
  PQfinish(pg);
  return rc;
}

static int pg_shared_open(const struct store_options *opt, void **shared, struct fs_err *err)
{
  *shared = NULL;
  if (!opt->url || !*opt->url)
    return fs_err_set(err, FS_ERR_INVALID, "[store] url",
                      "store.backend postgresql needs store.url (postgresql://...)");
  int rc = opt->create ? ensure_database(opt->url, err) : FS_OK;
  if (!rc && !(*shared = pg_listener_new(opt->url, opt->node)))
    rc = fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  return rc;
}

static void pg_shared_close(void *shared)
{
  pg_listener_free(shared);
}

static int pg_subscribe(void *shared, const char *channel, void (*fn)(void *arg), void *arg,
                        struct fs_err *err)
{
  return pg_listener_subscribe(shared, channel, fn, arg, err);
}

static void pg_unsubscribe(void *shared, void (*fn)(void *arg), void *arg)
{
  pg_listener_unsubscribe(shared, fn, arg);
}

static bool collation_ok(const char *v)
{
  return v && (!strcmp(v, "C") || !strcmp(v, "POSIX") || !strncmp(v, "C.", 2));
}

static int pg_conn_open(const struct store_options *opt, void *shared, void **handle,
                        struct fs_err *err)
{
  (void)shared;
  struct pgc *c = calloc(1, sizeof(*c));
  if (!c)
    return fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  c->pg = pg_connect(opt->url, NULL, opt->node);
  if (PQstatus(c->pg) != CONNECTION_OK) {
    char msg[300];
    first_line(PQerrorMessage(c->pg), msg, sizeof(msg));
    PQfinish(c->pg);
    free(c);
    /* busy (503): an unreachable server is one a client waits for (a fail-over) */
    return fs_err_set(err, FS_ERR_BUSY, "postgresql", "cannot connect to the database: %s", msg);
  }
  PQsetNoticeProcessor(c->pg, quiet, NULL);
  /* A lock wait (the write lock) ends like SQLite's busy timeout; 0 would mean no limit. */
  char sql[600];
  snprintf(sql, sizeof(sql),
           "SET lock_timeout = %lld; SET client_min_messages = warning; SET TIME ZONE 'UTC';"
           " SET default_transaction_isolation = 'read committed';%s"
           " SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()",
           (long long)(opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : 1),
           opt->sync_full ? "" : " SET synchronous_commit = off;");
  PGresult *r = PQexec(c->pg, sql);
  int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? FS_OK : fail(c, r, "open", err);
  if (!rc && PQntuples(r) == 1 &&
      !(collation_ok(PQgetvalue(r, 0, 0)) && collation_ok(PQgetvalue(r, 0, 1))))
    rc = fs_err_set(err, FS_ERR_UNSUPPORTED, "postgresql",
                    "database %s sorts text as %s: finshield needs byte order (create it with "
                    "TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C', as finshield init does)",
                    PQdb(c->pg), PQgetvalue(r, 0, 0));
  PQclear(r);
  if (rc) {
    PQfinish(c->pg);
    free(c);
    return rc;
  }
  /* Large texts (a TAXII status resource of 100,000 ids, bodies) are compressed with lz4, several
   * times faster than the default pglz, when the server has it (Debian's does); else pglz. */
  PQclear(PQexec(c->pg, "SET default_toast_compression = 'lz4'"));
  *handle = c;
  return FS_OK;
}

static void pg_conn_close(void *handle)
{
  struct pgc *c = handle;
  PQfinish(c->pg);
  free(c->stale);
  free(c);
}

static bool pg_conn_usable(void *handle)
{
  struct pgc *c = handle;
  return PQstatus(c->pg) == CONNECTION_OK;
}

static int pg_exec_script(void *handle, const char *sql, struct fs_err *err)
{
  struct pgc *c = handle;
  bool commit = !strcmp(sql, "COMMIT");
  if (commit && PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
    /* PostgreSQL would answer COMMIT with ROLLBACK: say so rather than acknowledge. */
    PQclear(PQexec(c->pg, "ROLLBACK"));
    return fs_err_set(err, FS_ERR_INTERNAL, "postgresql",
                      "commit: the transaction was aborted by an earlier error");
  }
  char *t = pg_translate(sql, true, NULL);
  if (!t)
    return fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  PGresult *r = PQexec(c->pg, t);
  free(t);
  ExecStatusType st = PQresultStatus(r);
  int rc = FS_OK;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
    rc = fail(c, r, commit ? "commit" : "exec", err);
  else if (commit && !strcmp(PQcmdStatus(r), "ROLLBACK"))
    rc = fs_err_set(err, FS_ERR_INTERNAL, "postgresql",
                    "commit: the transaction was aborted by an earlier error");
  PQclear(r);
  return rc;
}

/* Frees the statement's memory (its variants' names are the caller's to deallocate). */
static void free_stmt(struct pgs *s)
{
  for (size_t i = 0; i < s->nvar; i++)
    free(s->var[i].kinds);
  free(s->var);
  free(s->dec);
  free(s->dec_len);
  free(s->kinds);
  free(s->val);
  free(s->len);
  free(s->fmt);
  free(s->num);
  free(s->own);
  free(s->sql);
  free(s);
}

static int pg_prepare(void *handle, const char *sql, void **stmt, struct fs_err *err)
{
  struct pgc *c = handle;
  struct pgs *s = calloc(1, sizeof(*s));
  if (!s || !(s->sql = pg_translate(sql, false, &s->n))) {
    free(s);
    return fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  }
  size_t n = (size_t)s->n;
  s->c = c;
  s->kinds = malloc(n + 1);
  s->val = calloc(n + 1, sizeof(*s->val));
  s->len = calloc(n + 1, sizeof(*s->len));
  s->fmt = calloc(n + 1, sizeof(*s->fmt));
  s->num = calloc(n + 1, sizeof(*s->num));
  s->own = calloc(n + 1, sizeof(*s->own));
  if (!s->kinds || !s->val || !s->len || !s->fmt || !s->num || !s->own) {
    free_stmt(s);
    return fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  }
  memset(s->kinds, 'n', n);
  s->kinds[n] = 0;
  *stmt = s;
  return FS_OK;
}

static void drop_row(struct pgs *s)
{
  for (int i = 0; i < s->ndec; i++) {
    free(s->dec[i]);
    s->dec[i] = NULL;
  }
}

static void pg_reset(void *stmt)
{
  struct pgs *s = stmt;
  drop_row(s);
  PQclear(s->res);
  s->res = NULL;
  s->ran = false;
  for (int i = 0; i < s->n; i++) {
    free(s->own[i]);
    s->own[i] = NULL;
    s->val[i] = NULL;
    s->kinds[i] = 'n';
  }
}

static void pg_finalize(void *stmt)
{
  struct pgs *s = stmt;
  pg_reset(s);
  struct pgc *c = s->c;
  for (size_t i = 0; i < s->nvar; i++) {
    char line[48];
    int len = snprintf(line, sizeof(line), "DEALLOCATE %s;", s->var[i].name);
    char *p = realloc(c->stale, c->stale_len + (size_t)len + 1);
    if (p) {
      memcpy(p + c->stale_len, line, (size_t)len + 1);
      c->stale = p;
      c->stale_len += (size_t)len;
    }
  }
  free_stmt(s);
}

static int bound(struct pgs *s, int idx)
{
  return idx >= 1 && idx <= s->n ? FS_OK : FS_ERR_INTERNAL;
}

static void unbind(struct pgs *s, int i)
{
  free(s->own[i]);
  s->own[i] = NULL;
  s->val[i] = NULL;
  s->len[i] = 0;
  s->fmt[i] = 0;
  s->kinds[i] = 'n';
}

static int pg_bind_int(void *stmt, int idx, int64_t v)
{
  struct pgs *s = stmt;
  if (bound(s, idx))
    return FS_ERR_INTERNAL;
  int i = idx - 1;
  unbind(s, i);
  snprintf(s->num[i], sizeof(s->num[i]), "%lld", (long long)v);
  s->val[i] = s->num[i];
  s->kinds[i] = 'i';
  return FS_OK;
}

/* Text goes as text (libpq reads it up to its NUL, so it is always copied); blobs as binary. */
static int bind_bytes(struct pgs *s, int idx, const void *p, size_t n, char kind)
{
  if (bound(s, idx))
    return FS_ERR_INTERNAL;
  if (n > 0x7fffffff)
    return FS_ERR_TOO_LARGE;
  int i = idx - 1;
  unbind(s, i);
  char *copy = malloc(n + 1);
  if (!copy)
    return FS_ERR_NOMEM;
  if (n)
    memcpy(copy, p, n);
  copy[n] = 0;
  s->own[i] = copy;
  s->val[i] = copy;
  s->len[i] = (int)n;
  s->fmt[i] = kind == 'b';
  s->kinds[i] = kind;
  return FS_OK;
}

static int pg_bind_text(void *stmt, int idx, const char *v, size_t n, bool copy)
{
  (void)copy;
  return bind_bytes(stmt, idx, v, n, 't');
}

static int pg_bind_blob(void *stmt, int idx, const void *p, size_t n)
{
  return bind_bytes(stmt, idx, p, n, 'b');
}

static int pg_bind_null(void *stmt, int idx)
{
  struct pgs *s = stmt;
  if (bound(s, idx))
    return FS_ERR_INTERNAL;
  unbind(s, idx - 1);
  return FS_OK;
}

/* Parameter types of one try: PostgreSQL infers an 'unknown' parameter's type from where it
 * stands, which is what SQLite's loose typing needs; where it cannot ("? IS NULL") the second try
 * says text; where an integer meets text or a truth value, the third lets it infer that too. */
static Oid type_of(char kind, int attempt)
{
  switch (kind) {
  case 'i':
    return attempt == 2 ? OID_UNKNOWN : OID_INT8;
  case 'b':
    return OID_BYTEA;
  default:
    return attempt == 1 ? OID_TEXT : OID_UNKNOWN;
  }
}

static bool state_is(const PGresult *r, const char *a, const char *b, const char *c)
{
  const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  return st && (!strcmp(st, a) || (b && !strcmp(st, b)) || (c && !strcmp(st, c)));
}

/* Prepares the statement for the kinds bound now. Inside a transaction each try runs under a
 * savepoint: a failed prepare would abort the caller's transaction. */
static int prepare_variant(struct pgs *s, struct variant **out, struct fs_err *err)
{
  struct pgc *c = s->c;
  struct variant *grown = realloc(s->var, (s->nvar + 1) * sizeof(*grown));
  if (!grown)
    return fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  s->var = grown;
  struct variant *v = &s->var[s->nvar];
  if (!(v->kinds = strdup(s->kinds)))
    return fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  Oid *types = calloc((size_t)s->n + 1, sizeof(*types));
  if (!types) {
    free(v->kinds);
    return fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  }
  bool in_tx = PQtransactionStatus(c->pg) == PQTRANS_INTRANS;
  int rc = FS_OK, attempt = 0;
  for (;;) {
    for (int i = 0; i < s->n; i++)
      types[i] = type_of(s->kinds[i], attempt);
    snprintf(v->name, sizeof(v->name), "fs%lu", ++c->names);
    if (in_tx && (rc = exec(c, "SAVEPOINT fs_prepare", "prepare", err)))
      break;
    PGresult *r = PQprepare(c->pg, v->name, s->sql, s->n, types);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    int next = attempt == 0 && state_is(r, "42P18", NULL, NULL)         ? 1
               : attempt == 0 && state_is(r, "42883", "42804", "42725") ? 2
               : attempt == 1 && state_is(r, "42883", "42804", "42725") ? 2
                                                                        : -1;
    if (!ok && next < 0)
      rc = fail(c, r, "prepare", err);
    PQclear(r);
    if (in_tx) {
      int r2 = exec(c,
                    ok ? "RELEASE SAVEPOINT fs_prepare"
                       : "ROLLBACK TO SAVEPOINT fs_prepare; RELEASE SAVEPOINT fs_prepare",
                    "prepare", rc ? NULL : err);
      if (!rc)
        rc = r2;
    }
    if (ok || rc)
      break;
    attempt = next;
  }
  free(types);
  if (rc) {
    free(v->kinds);
    return rc;
  }
  s->nvar++;
  *out = v;
  return FS_OK;
}

static int run(struct pgs *s, struct fs_err *err)
{
  struct pgc *c = s->c;
  flush_stale(c);
  struct variant *v = NULL;
  for (size_t i = 0; i < s->nvar && !v; i++)
    if (!strcmp(s->var[i].kinds, s->kinds))
      v = &s->var[i];
  int rc = v ? FS_OK : prepare_variant(s, &v, err);
  if (rc)
    return rc;
  PGresult *r = PQexecPrepared(c->pg, v->name, s->n, s->val, s->len, s->fmt, 0);
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    rc = fail(c, r, "step", err);
    PQclear(r);
    return rc;
  }
  const char *cmd = PQcmdStatus(r);
  if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) || !strncmp(cmd, "DELETE", 6))
    c->changes = strtoll(PQcmdTuples(r), NULL, 10);
  int ncols = PQnfields(r);
  if (ncols > s->ndec) {
    char **dec = realloc(s->dec, (size_t)ncols * sizeof(*dec));
    if (dec)
      s->dec = dec;
    size_t *dl = dec ? realloc(s->dec_len, (size_t)ncols * sizeof(*dl)) : NULL;
    if (!dec || !dl) {
      PQclear(r);
      return fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
    }
    s->dec_len = dl;
    for (int i = s->ndec; i < ncols; i++)
      s->dec[i] = NULL;
    s->ndec = ncols;
  }
  s->res = r;
  s->nrows = PQntuples(r);
  s->row = -1;
  s->ran = true;
  return FS_OK;
}

static int pg_step(void *stmt, bool *row, struct fs_err *err)
{
  struct pgs *s = stmt;
  *row = false;
  if (!s->ran) {
    int rc = run(s, err);
    if (rc)
      return rc;
  }
  drop_row(s);
  if (s->row < s->nrows)
    s->row++;
  *row = s->row < s->nrows;
  return FS_OK;
}

static bool at_row(const struct pgs *s, int i)
{
  return s->res && s->row >= 0 && s->row < s->nrows && i >= 0 && i < PQnfields(s->res);
}

static bool pg_col_null(void *stmt, int i)
{
  struct pgs *s = stmt;
  return !at_row(s, i) || PQgetisnull(s->res, s->row, i);
}

static int64_t pg_col_int(void *stmt, int i)
{
  struct pgs *s = stmt;
  if (pg_col_null(s, i))
    return 0;
  const char *v = PQgetvalue(s->res, s->row, i);
  if (PQftype(s->res, i) == OID_BOOL)
    return v[0] == 't';
  return strtoll(v, NULL, 10);
}

/* A bytea column's bytes, decoded once per row. */
static const char *bytea(struct pgs *s, int i, size_t *n)
{
  if (!s->dec[i]) {
    size_t len = 0;
    unsigned char *raw =
        PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, i), &len);
    if (!raw)
      return NULL;
    s->dec[i] = malloc(len + 1);
    if (s->dec[i]) {
      memcpy(s->dec[i], raw, len);
      s->dec[i][len] = 0;
      s->dec_len[i] = len;
    }
    PQfreemem(raw);
    if (!s->dec[i])
      return NULL;
  }
  *n = s->dec_len[i];
  return s->dec[i];
}

static const char *pg_col_text(void *stmt, int i)
{
  struct pgs *s = stmt;
  if (pg_col_null(s, i))
    return NULL;
  size_t n;
  if (PQftype(s->res, i) == OID_BYTEA)
    return bytea(s, i, &n);
  return PQgetvalue(s->res, s->row, i);
}

static const void *pg_col_blob(void *stmt, int i, size_t *n)
{
  struct pgs *s = stmt;
  *n = 0;
  if (pg_col_null(s, i))
    return NULL;
  if (PQftype(s->res, i) == OID_BYTEA)
    return bytea(s, i, n);
  *n = (size_t)PQgetlength(s->res, s->row, i);
  return PQgetvalue(s->res, s->row, i);
}

static int64_t pg_changes(void *handle)
{
  return ((struct pgc *)handle)->changes;
}

const struct store_backend store_backend_postgresql = {
    .name = "postgresql",
    .shared_open = pg_shared_open,
    .shared_close = pg_shared_close,
    .conn_open = pg_conn_open,
    .conn_close = pg_conn_close,
    .conn_usable = pg_conn_usable,
    .exec_script = pg_exec_script,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_null = pg_col_null,
    .changes = pg_changes,
    .begin_read_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    .begin_write_sql = "BEGIN ISOLATION LEVEL READ COMMITTED;"
                       " SELECT pg_advisory_xact_lock(" WRITER_LOCK ")",
    .has_table_sql = "SELECT COUNT(*) FROM pg_catalog.pg_tables"
                     " WHERE schemaname = current_schema() AND tablename = ?",
    .tables_sql = "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
                  " ORDER BY tablename",
    .columns_sql = "SELECT a.attname, CASE WHEN a.atttypid IN (20, 21, 23) THEN 1 ELSE 0 END,"
                   " COALESCE((SELECT k.n FROM unnest(i.indkey) WITH ORDINALITY AS k (num, n)"
                   " WHERE k.num = a.attnum), 0)"
                   " FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_index i"
                   " ON i.indrelid = a.attrelid AND i.indisprimary"
                   " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped"
                   " ORDER BY a.attnum",
    .fkeys_sql = "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                 " FROM pg_catalog.pg_constraint WHERE contype = 'f'"
                 " AND connamespace = current_schema()::regnamespace ORDER BY 1, 2",
    .writable_sql = "SELECT NOT pg_is_in_recovery()"
                    " AND current_setting('transaction_read_only') = 'off'",
    .nodes_sql =
        "SELECT COUNT(DISTINCT application_name) FROM pg_stat_activity"
        " WHERE datname = current_database() AND application_name LIKE 'finshield serve %'",
    .notify_sql = "SELECT pg_notify(?, '')",
    .analyze_sql = "ANALYZE ",
    .subscribe = pg_subscribe,
    .unsubscribe = pg_unsubscribe,
};
