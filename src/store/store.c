/* The storage interface: backend lookup, the connection pool, the statement cache, helpers and
 * migrations. Engine specifics live in the backend files. */
#include "store/store.h"

#include "store/backend.h"
#include "store/store_int.h"

#include "core/buf.h"

#include "core/time.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct store_backend *const backends[] = {&store_backend_sqlite,
                                                       &store_backend_postgresql};

#define STMT_CACHE_MAX 128

struct store_stmt {
  struct store_stmt *next;
  struct store_conn *conn;
  uint64_t hash;   /* of the SQL text, compared first */
  char *sql;       /* our copy of the text */
  const char *key; /* where the caller's text was when last asked for: compared first */
  void *handle;
};

struct store_conn {
  struct store_conn *next_idle;
  void *handle;
  struct store_stmt *stmts; /* most recently used first */
  size_t nstmts;
  bool in_tx;
  const struct store_backend *be;
  const struct store *st; /* the store it belongs to (its keyring) */
};

struct store {
  const struct store_backend *be;
  struct store_options opt;
  void *shared;        /* the backend's, for all connections */
  const void *keyring; /* store_set_keyring: borrowed */
  char *path;
  char *url;
  char *node;
  pthread_mutex_t lock;
  pthread_cond_t idle_cond;
  struct store_conn *idle;
  size_t open_conns;
};

static const struct store_backend *find_backend(const char *name)
{
  for (size_t i = 0; i < FS_ARRAY_SIZE(backends); i++)
    if (!strcmp(backends[i]->name, name))
      return backends[i];
  return NULL;
}

static int conn_new(struct store *st, struct store_conn **out, struct fs_err *err)
{
  struct store_conn *c = calloc(1, sizeof(*c));
  if (!c)
    return fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  c->be = st->be;
  c->st = st;
  int rc = st->be->conn_open(&st->opt, st->shared, &c->handle, err);
  if (rc) {
    free(c);
    return rc;
  }
  *out = c;
  return FS_OK;
}

static void conn_free(struct store_conn *c)
{
  struct store_stmt *s = c->stmts;
  while (s) {
    struct store_stmt *next = s->next;
    c->be->finalize(s->handle);
    free(s->sql);
    free(s);
    s = next;
  }
  c->be->conn_close(c->handle);
  free(c);
}

int store_open(const struct store_options *opt, struct store **out, struct fs_err *err)
{
  const struct store_backend *be = find_backend(opt->backend ? opt->backend : "sqlite");
  if (!be)
    return fs_err_set(err, FS_ERR_UNSUPPORTED, "[store] backend", "unknown storage backend \"%s\"",
                      opt->backend);
  struct store *st = calloc(1, sizeof(*st));
  if (!st)
    return fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  st->be = be;
  st->opt = *opt;
  st->path = strdup(opt->path ? opt->path : "");
  st->opt.path = st->path;
  st->url = opt->url ? strdup(opt->url) : NULL;
  st->opt.url = st->url;
  st->node = opt->node ? strdup(opt->node) : NULL;
  st->opt.node = st->node;
  if (st->opt.max_conns < 1)
    st->opt.max_conns = 1;
  pthread_mutex_init(&st->lock, NULL);
  pthread_cond_init(&st->idle_cond, NULL);
  struct store_conn *c = NULL;
  int rc = st->path && (st->url || !opt->url) && (st->node || !opt->node)
               ? FS_OK
               : fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  if (!rc && be->shared_open)
    rc = be->shared_open(&st->opt, &st->shared, err);
  if (!rc)
    rc = conn_new(st, &c, err);
  if (rc) {
    store_free(st);
    return rc;
  }
  st->open_conns = 1;
  st->opt.create = false; /* later connections open the existing file only */
  c->next_idle = NULL;
  st->idle = c;
  *out = st;
  return FS_OK;
}

void store_free(struct store *st)
{
  if (!st)
    return;
  struct store_conn *c = st->idle;
  while (c) {
    struct store_conn *next = c->next_idle;
    conn_free(c);
    c = next;
  }
  if (st->shared)
    st->be->shared_close(st->shared);
  pthread_mutex_destroy(&st->lock);
  pthread_cond_destroy(&st->idle_cond);
  free(st->path);
  free(st->url);
  free(st->node);
  free(st);
}

void store_set_keyring(struct store *st, const void *keyring)
{
  st->keyring = keyring;
}

const void *store_keyring(const struct store_conn *c)
{
  return c->st->keyring;
}

const struct store_backend *store_conn_backend(const struct store_conn *c)
{
  return c->be;
}

void *store_conn_handle(const struct store_conn *c)
{
  return c->handle;
}

const char *store_backend_name(const struct store *st)
{
  return st->be->name;
}

/* Opens a connection counted in open_conns already (the lock not held); a failure uncounts it. */
static int conn_new_counted(struct store *st, struct store_conn **out, struct fs_err *err)
{
  int rc = conn_new(st, out, err);
  if (rc) {
    pthread_mutex_lock(&st->lock);
    st->open_conns--;
    pthread_cond_signal(&st->idle_cond);
    pthread_mutex_unlock(&st->lock);
  }
  return rc;
}

int store_acquire(struct store *st, struct store_conn **out, struct fs_err *err)
{
  pthread_mutex_lock(&st->lock);
  for (;;) {
    if (st->idle) {
      struct store_conn *c = st->idle;
      st->idle = c->next_idle;
      pthread_mutex_unlock(&st->lock);
      if (!c->be->conn_usable || c->be->conn_usable(c->handle)) {
        *out = c;
        return FS_OK;
      }
      /* A lost connection (the database server restarted or failed over): a new one in its
       * place, with an empty statement cache. */
      conn_free(c);
      return conn_new_counted(st, out, err);
    }
    if (st->open_conns < st->opt.max_conns) {
      st->open_conns++;
      pthread_mutex_unlock(&st->lock);
      return conn_new_counted(st, out, err);
    }
    pthread_cond_wait(&st->idle_cond, &st->lock);
  }
}

void store_release(struct store *st, struct store_conn *c)
{
  if (!c)
    return;
  if (c->in_tx)
    store_rollback(c);
  pthread_mutex_lock(&st->lock);
  c->next_idle = st->idle;
  st->idle = c;
  pthread_cond_signal(&st->idle_cond);
  pthread_mutex_unlock(&st->lock);
}

int store_begin(struct store_conn *c, bool write, struct fs_err *err)
{
  if (c->in_tx)
    return fs_err_set(err, FS_ERR_INTERNAL, "store", "transaction already open");
  int rc =
      c->be->exec_script(c->handle, write ? c->be->begin_write_sql : c->be->begin_read_sql, err);
  if (!rc)
    c->in_tx = true;
  else
    c->be->exec_script(c->handle, "ROLLBACK", NULL); /* a BEGIN that began, then waited too long */
  return rc;
}

int store_commit(struct store_conn *c, struct fs_err *err)
{
  if (!c->in_tx)
    return fs_err_set(err, FS_ERR_INTERNAL, "store", "no transaction to commit");
  int rc = c->be->exec_script(c->handle, "COMMIT", err);
  if (rc) {
    /* A failed COMMIT (disk full, I/O) leaves nothing half-written: roll back explicitly. */
    c->be->exec_script(c->handle, "ROLLBACK", NULL);
  }
  c->in_tx = false;
  return rc;
}

void store_rollback(struct store_conn *c)
{
  if (!c->in_tx)
    return;
  for (struct store_stmt *s = c->stmts; s; s = s->next)
    c->be->reset(s->handle);
  c->be->exec_script(c->handle, "ROLLBACK", NULL);
  c->in_tx = false;
}

bool store_in_tx(const struct store_conn *c)
{
  return c->in_tx;
}

int store_tx_enter(struct store_conn *c, bool *owned, struct fs_err *err)
{
  *owned = !c->in_tx;
  return *owned ? store_begin(c, true, err) : FS_OK;
}

int store_tx_leave(struct store_conn *c, bool owned, int rc, struct fs_err *err)
{
  if (!owned)
    return rc;
  if (rc) {
    store_rollback(c);
    return rc;
  }
  return store_commit(c, err);
}

static void to_front(struct store_conn *c, struct store_stmt *prev, struct store_stmt *s)
{
  if (prev) {
    prev->next = s->next;
    s->next = c->stmts;
    c->stmts = s;
  }
}

int store_scan_mode(struct store_conn *c, bool scanning, struct fs_err *err)
{
  if (!c->be->cache_kib)
    return FS_OK;
  return c->be->cache_kib(c->handle, scanning ? 2048 : c->st->opt.cache_mb * 1024, err);
}

int store_prepare(struct store_conn *c, const char *sql, struct store_stmt **out,
                  struct fs_err *err)
{
  /* Most call sites pass a string literal, so the text is usually where it was last time: found
   * by its address without hashing it (hashing was most of a lookup). The text is still compared,
   * because a buffer may hold other SQL at the same address. */
  struct store_stmt *prev = NULL;
  for (struct store_stmt *s = c->stmts; s; prev = s, s = s->next) {
    if (s->key == sql && !strcmp(s->sql, sql)) {
      to_front(c, prev, s);
      *out = s;
      return FS_OK;
    }
  }
  uint64_t h = fs_hash_str(sql);
  prev = NULL;
  for (struct store_stmt *s = c->stmts; s; prev = s, s = s->next) {
    if (s->hash == h && !strcmp(s->sql, sql)) {
      s->key = sql;
      to_front(c, prev, s);
      *out = s;
      return FS_OK;
    }
  }
  struct store_stmt *s = calloc(1, sizeof(*s));
  if (!s || !(s->sql = strdup(sql))) {
    free(s);
    return fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  }
  int rc = c->be->prepare(c->handle, sql, &s->handle, err);
  if (rc) {
    free(s->sql);
    free(s);
    return rc;
  }
  s->conn = c;
  s->hash = h;
  s->key = sql;
  s->next = c->stmts;
  c->stmts = s;
  if (++c->nstmts > STMT_CACHE_MAX) {
    /* Drop the least recently used statement (the tail); it is idle since only one statement
     * per call site is in use at a time. */
    struct store_stmt *p = c->stmts;
    while (p->next && p->next->next)
      p = p->next;
    struct store_stmt *victim = p->next;
    if (victim && victim != s) {
      p->next = NULL;
      c->be->finalize(victim->handle);
      free(victim->sql);
      free(victim);
      c->nstmts--;
    }
  }
  *out = s;
  return FS_OK;
}

void store_done(struct store_stmt *s)
{
  if (s)
    s->conn->be->reset(s->handle);
}

int store_bind_int(struct store_stmt *s, int idx, int64_t v)
{
  return s->conn->be->bind_int(s->handle, idx, v);
}

/* Every text bind: NULL binds NULL; copy false leaves v borrowed until store_done. */
static int bind_text(struct store_stmt *s, int idx, const char *v, size_t n, bool copy)
{
  if (!v)
    return s->conn->be->bind_null(s->handle, idx);
  return s->conn->be->bind_text(s->handle, idx, v, n, copy);
}

int store_bind_text(struct store_stmt *s, int idx, const char *v)
{
  return bind_text(s, idx, v, v ? strlen(v) : 0, true);
}

int store_bind_textn(struct store_stmt *s, int idx, const char *v, size_t n)
{
  return bind_text(s, idx, v, n, true);
}

int store_bind_text_ref(struct store_stmt *s, int idx, const char *v, size_t n)
{
  return bind_text(s, idx, v, n, false);
}

int store_bind_blob(struct store_stmt *s, int idx, const void *p, size_t n)
{
  return s->conn->be->bind_blob(s->handle, idx, p, n);
}

int store_bind_null(struct store_stmt *s, int idx)
{
  return s->conn->be->bind_null(s->handle, idx);
}

int store_step(struct store_stmt *s, bool *row, struct fs_err *err)
{
  return s->conn->be->step(s->handle, row, err);
}

int64_t store_col_int(struct store_stmt *s, int i)
{
  return s->conn->be->col_int(s->handle, i);
}

const char *store_col_text(struct store_stmt *s, int i)
{
  return s->conn->be->col_text(s->handle, i);
}

const void *store_col_blob(struct store_stmt *s, int i, size_t *n)
{
  return s->conn->be->col_blob(s->handle, i, n);
}

bool store_col_null(struct store_stmt *s, int i)
{
  return s->conn->be->col_null(s->handle, i);
}

static int bind_va(struct store_stmt *s, const char *types, va_list ap, struct fs_err *err)
{
  int idx = 1;
  for (const char *t = types; t && *t; t++, idx++) {
    int rc;
    switch (*t) {
    case 'i':
      rc = store_bind_int(s, idx, va_arg(ap, int64_t));
      break;
    case 's':
      rc = store_bind_text(s, idx, va_arg(ap, const char *));
      break;
    case 'b': {
      const void *p = va_arg(ap, const void *);
      size_t n = va_arg(ap, size_t);
      rc = p ? store_bind_blob(s, idx, p, n) : store_bind_null(s, idx);
      break;
    }
    case 'n':
      rc = store_bind_null(s, idx);
      break;
    default:
      rc = FS_ERR_INTERNAL;
    }
    if (rc)
      return fs_err_set(err, rc, "store", "cannot bind parameter %d", idx);
  }
  return FS_OK;
}

static int vquery(struct store_conn *c, struct store_stmt **out, struct fs_err *err,
                  const char *sql, const char *types, va_list ap)
{
  int rc = store_prepare(c, sql, out, err);
  if (rc)
    return rc;
  rc = bind_va(*out, types, ap, err);
  if (rc) {
    store_done(*out);
    *out = NULL;
  }
  return rc;
}

int store_query(struct store_conn *c, struct store_stmt **out, struct fs_err *err, const char *sql,
                const char *types, ...)
{
  va_list ap;
  va_start(ap, types);
  int rc = vquery(c, out, err, sql, types, ap);
  va_end(ap);
  return rc;
}

int store_exec(struct store_conn *c, int64_t *changes, struct fs_err *err, const char *sql,
               const char *types, ...)
{
  struct store_stmt *s;
  va_list ap;
  va_start(ap, types);
  int rc = vquery(c, &s, err, sql, types, ap);
  va_end(ap);
  if (rc)
    return rc;
  bool row = true;
  while (!rc && row)
    rc = store_step(s, &row, err);
  store_done(s);
  if (!rc && changes)
    *changes = c->be->changes(c->handle);
  return rc;
}

int store_query_int(struct store_conn *c, int64_t *out, bool *found, struct fs_err *err,
                    const char *sql, const char *types, ...)
{
  struct store_stmt *s;
  va_list ap;
  va_start(ap, types);
  int rc = vquery(c, &s, err, sql, types, ap);
  va_end(ap);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && row)
    *out = store_col_int(s, 0);
  store_done(s);
  if (found)
    *found = row;
  else if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "store", "no row");
  return rc;
}

int store_query_text(struct store_conn *c, char *out, size_t n, bool *found, struct fs_err *err,
                     const char *sql, const char *types, ...)
{
  struct store_stmt *s;
  va_list ap;
  va_start(ap, types);
  int rc = vquery(c, &s, err, sql, types, ap);
  va_end(ap);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && row)
    snprintf(out, n, "%s", store_col_text(s, 0) ? store_col_text(s, 0) : "");
  store_done(s);
  if (found)
    *found = row;
  else if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "store", "no row");
  return rc;
}

int store_writable(struct store_conn *c, bool *writable, struct fs_err *err)
{
  int64_t v = 0;
  int rc = store_query_int(c, &v, NULL, err, c->be->writable_sql, "");
  *writable = !rc && v;
  return rc;
}

int store_nodes(struct store_conn *c, int64_t *n, struct fs_err *err)
{
  *n = 1;
  int rc = c->be->nodes_sql ? store_query_int(c, n, NULL, err, c->be->nodes_sql, "") : FS_OK;
  if (*n < 1)
    *n = 1;
  return rc;
}

/* ---- notices between nodes ------------------------------------------------------------------ */

int store_notify(struct store_conn *c, const char *channel, struct fs_err *err)
{
  return c->be->notify_sql ? store_exec(c, NULL, err, c->be->notify_sql, "s", channel) : FS_OK;
}

/* Whether s is made of identifiers (lower case, digits, '_'), separated by ", " when `list`. */
static bool identifiers(const char *s, bool list)
{
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
          (list && (*p == ',' || *p == ' '))))
      return false;
  return true;
}

int store_analyze(struct store_conn *c, const char *table, const char *columns, struct fs_err *err)
{
  if (!c->be->analyze_sql)
    return FS_OK;
  if ((table && !identifiers(table, false)) || (columns && (!table || !identifiers(columns, true))))
    return fs_err_set(err, FS_ERR_INVALID, "store", "not a table name or column list: %s %s",
                      table ? table : "", columns ? columns : "");
  char sql[256];
  snprintf(sql, sizeof(sql), "%s%s%s%s%s", c->be->analyze_sql, table ? table : "",
           columns ? " (" : "", columns ? columns : "", columns ? ")" : "");
  return c->be->exec_script(c->handle, sql, err);
}

bool store_notices(const struct store *st)
{
  return st->be->subscribe != NULL;
}

int store_subscribe(struct store *st, const char *channel, void (*fn)(void *arg), void *arg,
                    struct fs_err *err)
{
  if (!st->be->subscribe)
    return fs_err_set(err, FS_ERR_UNSUPPORTED, "store",
                      "the %s store has no notices between nodes: poll", st->be->name);
  return st->be->subscribe(st->shared, channel, fn, arg, err);
}

void store_unsubscribe(struct store *st, void (*fn)(void *arg), void *arg)
{
  if (st->be->unsubscribe)
    st->be->unsubscribe(st->shared, fn, arg);
}

/* ---- migrations ---------------------------------------------------------------------------- */

static const char schema_table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL, PRIMARY KEY (module, version))";

int store_schema_version(struct store_conn *c, const char *module, int *version, struct fs_err *err)
{
  int64_t v = 0;
  bool found;
  int rc = store_query_int(c, &v, &found, err,
                           "SELECT COALESCE(MAX(version), 0) FROM schema_version WHERE module = ?",
                           "s", module);
  *version = (int)v;
  return rc;
}

int store_table_exists(struct store_conn *c, const char *table, bool *exists, struct fs_err *err)
{
  int64_t n = 0;
  int rc = store_query_int(c, &n, NULL, err, c->be->has_table_sql, "s", table);
  *exists = !rc && n > 0;
  return rc;
}

int store_migrate(struct store_conn *c, const struct store_schema *const *schemas, size_t n,
                  struct fs_err *err)
{
  /* Several nodes may start at once on one database: each step is decided again under the write
   * lock, so that it runs once. */
  int rc = store_begin(c, true, err);
  if (!rc)
    rc = c->be->exec_script(c->handle, schema_table_sql, err);
  rc = store_tx_leave(c, true, rc, err);
  if (rc)
    return rc;
  for (size_t i = 0; i < n; i++) {
    const struct store_schema *sc = schemas[i];
    for (;;) {
      int have;
      if ((rc = store_begin(c, true, err)))
        return rc;
      if ((rc = store_schema_version(c, sc->module, &have, err))) {
        store_rollback(c);
        return rc;
      }
      if ((size_t)have > sc->count) {
        store_rollback(c);
        return fs_err_set(err, FS_ERR_CONFLICT, sc->module,
                          "the database has schema version %d of module %s, newer than this "
                          "finshield knows (%zu): upgrade finshield",
                          have, sc->module, sc->count);
      }
      if ((size_t)have == sc->count) {
        store_rollback(c);
        break;
      }
      const struct store_migration *m = &sc->steps[have];
      if (m->version != have + 1) {
        store_rollback(c);
        return fs_err_set(err, FS_ERR_INTERNAL, sc->module, "migration %zu is numbered %d",
                          (size_t)have + 1, m->version);
      }
      rc = c->be->exec_script(c->handle, m->sql, err);
      if (!rc) {
        rc = store_exec(c, NULL, err,
                        "INSERT INTO schema_version (module, version, name, applied_at) "
                        "VALUES (?, ?, ?, ?)",
                        "sisi", sc->module, (int64_t)m->version, m->name, fs_time_now_ms());
      }
      if (!rc)
        rc = store_commit(c, err);
      if (rc) {
        store_rollback(c);
        char where[96];
        snprintf(where, sizeof(where), "migration %s/%d (%s)", sc->module, m->version, m->name);
        fs_err_wrap_where(err, where);
        return rc;
      }
    }
  }
  return FS_OK;
}

int store_sql_placeholders(struct fs_buf *sql, size_t n)
{
  int rc = fs_buf_append_char(sql, '?');
  for (size_t i = 1; !rc && i < n; i++)
    rc = fs_buf_append(sql, ",?", 2);
  return rc ? FS_ERR_NOMEM : FS_OK;
}
