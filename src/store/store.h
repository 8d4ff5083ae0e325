/* The one storage interface. Domain modules talk SQL through it and never see the engine: SQLite
 * (embedded default) or PostgreSQL (store.backend = postgresql, several nodes on one database),
 * behind the same calls. SQL written against it stays portable: '?' placeholders,
 * INTEGER/BIGINT/TEXT/BLOB columns, ON CONFLICT ... DO, no engine-specific functions, no bare
 * column as a truth value; times are BIGINT milliseconds since the epoch (UTC). Text compares
 * and sorts by its bytes on both (the PostgreSQL database uses the C collation).
 *
 * One storage hint is allowed: a CREATE TABLE with a PRIMARY KEY may end with WITHOUT ROWID.
 * SQLite then keeps the rows in the primary key's B-tree (a clustered table: no separate rowid
 * tree and key index, so one B-tree insert a row fewer); PostgreSQL, which has no such tables,
 * drops the two words before running the statement. It changes no result. (A single
 * `INTEGER PRIMARY KEY` column is plain SQL; SQLite makes it the table's own key, the rowid,
 * with no index beside it, where BIGINT PRIMARY KEY gets one. Elsewhere INTEGER may be 32 bits.)
 *
 * Threads: a `struct store` is shared; each thread takes a `struct store_conn` from its pool with
 * store_acquire, uses it alone, and gives it back with store_release.
 *
 * Errors: every call returns an FS_ERR_* code. Engine errors map to: busy or locked database, lock
 * wait past the busy timeout, lost server connection, read-only server -> FS_ERR_BUSY, disk or
 * size limit full -> FS_ERR_NO_SPACE, constraint violation -> FS_ERR_CONFLICT, damaged file ->
 * FS_ERR_CORRUPT, other I/O -> FS_ERR_IO. A failed statement inside a transaction leaves the
 * transaction for the caller to roll back (on PostgreSQL nothing more can be done in it: a
 * caller that expects a statement to fail checks first, or uses ON CONFLICT); nothing is ever
 * half-committed. */
#ifndef FS_STORE_STORE_H
#define FS_STORE_STORE_H

#include "core/base.h"
#include "core/err.h"

struct store;
struct store_conn;
struct store_stmt;

struct store_options {
  const char *backend;     /* "sqlite" (default) or "postgresql" */
  const char *path;        /* database file (sqlite) */
  const char *url;         /* libpq connection URL or key=value string (postgresql) */
  int64_t busy_timeout_ms; /* how long to wait for the write lock */
  bool sync_full;          /* every commit on disk before it returns */
  int64_t max_size_mb;     /* 0: no limit */
  int64_t cache_mb;        /* page cache per connection (0: the engine's default) */
  size_t max_conns;        /* pool size (>= 1) */
  bool create;             /* create the database when missing */
  const char *node;        /* NULL, or "serve HOST/PID": a node counted by store_nodes */
};

/* Opens the database (creating it when opt->create) and checks one connection. The caller owns
 * *out (store_free). */
int store_open(const struct store_options *opt, struct store **out, struct fs_err *err);
/* Closes every connection. All connections must have been released. */
void store_free(struct store *st);
/* A pointer the layer above keeps with the store for code that holds only a connection: hub/
 * attaches the audit trail's keys (struct audit_keys, derived from the hub's secret) when it
 * opens the hub, before any connection is used by another thread. Borrowed: it must outlive the
 * store. store_keyring gives it back through any connection of the store (NULL until set). */
void store_set_keyring(struct store *st, const void *keyring);
const void *store_keyring(const struct store_conn *c);
/* Name of the backend ("sqlite" or "postgresql"). */
const char *store_backend_name(const struct store *st);

/* Takes a connection from the pool, opening one when none is idle and the pool is not full, or
 * waiting for one. */
int store_acquire(struct store *st, struct store_conn **out, struct fs_err *err);
/* Gives a connection back; an open transaction is rolled back first. */
void store_release(struct store *st, struct store_conn *c);

/* Transactions. A write transaction takes the write lock at once (waiting up to the busy
 * timeout), so that it cannot fail later for lock reasons: writers take turns, on PostgreSQL
 * across every node of the database, and a write transaction sees every commit made before it
 * took the lock. A read transaction sees one snapshot for all its statements. */
int store_begin(struct store_conn *c, bool write, struct fs_err *err);
int store_commit(struct store_conn *c, struct fs_err *err);
void store_rollback(struct store_conn *c);
bool store_in_tx(const struct store_conn *c);

/* For domain functions that may run alone or inside a caller's transaction: begins a write
 * transaction unless one is open (*owned tells whether this call began it)... */
int store_tx_enter(struct store_conn *c, bool *owned, struct fs_err *err);
/* ...and ends it: when owned, commits if rc is FS_OK and rolls back otherwise. Returns rc, or the
 * commit's error. When not owned, a failure is left for the caller's transaction to roll back. */
int store_tx_leave(struct store_conn *c, bool owned, int rc, struct fs_err *err);

/* For one long sequential read (an export of every value): while scanning, the connection's page
 * cache is a few pages (2 MiB), since a scan reads each page once and filling store.cache_mb
 * of fresh memory with pages read once cost more than it saved (a tenth of an export); after,
 * it is store.cache_mb again (the pages it held are read again when needed). */
int store_scan_mode(struct store_conn *c, bool scanning, struct fs_err *err);

/* Appends n (>= 1) placeholders "?,?,...,?" to sql, for an "IN (...)" list; FS_ERR_NOMEM when sql
 * cannot grow. A query over a varying number of values keeps one text (prepared once per
 * connection) when the caller pads to a fixed count by repeating its last value. */
struct fs_buf;
int store_sql_placeholders(struct fs_buf *sql, size_t n);

/* Prepares sql (kept in a per-connection cache keyed by the text). The statement belongs to the
 * connection; give it back with store_done. */
int store_prepare(struct store_conn *c, const char *sql, struct store_stmt **out,
                  struct fs_err *err);
/* Resets the statement and clears its bindings; it stays cached. NULL is fine. */
void store_done(struct store_stmt *s);

/* Bindings, 1-based. A NULL text binds SQL NULL. Text and blobs are copied. */
int store_bind_int(struct store_stmt *s, int idx, int64_t v);
int store_bind_text(struct store_stmt *s, int idx, const char *v);
int store_bind_textn(struct store_stmt *s, int idx, const char *v, size_t n);
int store_bind_blob(struct store_stmt *s, int idx, const void *p, size_t n);
int store_bind_null(struct store_stmt *s, int idx);
/* Binds n bytes of text at v without copying them: v must stay allocated and unchanged until the
 * statement is given back with store_done (or the connection rolls back). For loops that bind
 * text which outlives the statement's run anyway (rows of a batch): a copy per text is about a
 * tenth of the cost of a row insert. NULL binds NULL. */
int store_bind_text_ref(struct store_stmt *s, int idx, const char *v, size_t n);

/* Runs the statement one step. FS_OK with *row true when a row is available, false when done. */
int store_step(struct store_stmt *s, bool *row, struct fs_err *err);

/* Columns of the current row, 0-based. Text and blobs stay valid until the next step or done.
 * store_col_text gives NULL for SQL NULL. */
int64_t store_col_int(struct store_stmt *s, int i);
const char *store_col_text(struct store_stmt *s, int i);
const void *store_col_blob(struct store_stmt *s, int i, size_t *n);
bool store_col_null(struct store_stmt *s, int i);

/* Prepares sql and binds the variadic arguments described by `types`, one letter each:
 *   'i' int64_t, 's' const char * (NULL binds NULL), 'b' const void * then size_t, 'n' nothing
 * (NULL). The caller steps the statement and calls store_done. */
int store_query(struct store_conn *c, struct store_stmt **out, struct fs_err *err, const char *sql,
                const char *types, ...);
/* Same, runs to completion (no result rows expected) and gives the number of rows changed in
 * *changes (may be NULL). */
int store_exec(struct store_conn *c, int64_t *changes, struct fs_err *err, const char *sql,
               const char *types, ...);
/* Runs one query expected to give at most one row with one integer column. *found tells whether
 * a row came back (may be NULL; then no row is FS_ERR_NOT_FOUND). */
int store_query_int(struct store_conn *c, int64_t *out, bool *found, struct fs_err *err,
                    const char *sql, const char *types, ...);

/* Same for one text column, copied into out (size n; truncated to fit). */
int store_query_text(struct store_conn *c, char *out, size_t n, bool *found, struct fs_err *err,
                     const char *sql, const char *types, ...);

/* ---- notices between nodes --------------------------------------------------------------- */

/* Within a write transaction: when it commits, every subscriber of `channel` ([a-z_]+) on every
 * node of the database is told (PostgreSQL's NOTIFY; nothing is told if it rolls back). On SQLite,
 * which has one node, it does nothing, and subscribers poll. */
int store_notify(struct store_conn *c, const char *channel, struct fs_err *err);
/* Whether subscribers are told of changes (PostgreSQL) or must poll (SQLite). */
bool store_notices(const struct store *st);
/* Calls fn(arg), from a thread of the store, after a transaction that notified `channel`
 * committed (on any node, this one included), and after the store's listening connection was
 * lost and made again, since notices sent meanwhile are lost: a notice says "look", the
 * subscriber catches up from its own position (a sequence), so none is needed for correctness,
 * and a subscriber still looks now and then by itself. fn must be quick (wake a thread).
 * FS_ERR_UNSUPPORTED when !store_notices. */
int store_subscribe(struct store *st, const char *channel, void (*fn)(void *arg), void *arg,
                    struct fs_err *err);
/* Ends the subscriptions of fn(arg): when it returns, fn is not running and will not be called. */
void store_unsubscribe(struct store *st, void (*fn)(void *arg), void *arg);

/* Whether this connection's database accepts writes now (PostgreSQL: not a standby in recovery,
 * not read-only; SQLite: the file opened for writing). */
int store_writable(struct store_conn *c, bool *writable, struct fs_err *err);
/* How many nodes (stores opened with a `node` name, each a running `serve`) use the database now,
 * this one included (PostgreSQL: the distinct names among the database's sessions; SQLite: 1). */
int store_nodes(struct store_conn *c, int64_t *n, struct fs_err *err);

/* Renews the query planner's statistics of a table (NULL: of every table) after it changed much
 * (a large import), so that the next statements are planned for what it holds now: of the
 * columns named (comma-separated: those the statements filter on; NULL: all of them, which for
 * a table of large texts costs much more). PostgreSQL:
 * ANALYZE, which the server's autovacuum does only later; until then a table that grew from empty
 * is planned as if it were small (a look for 64 of 100,000 ids became a sequential scan each, and
 * a second import of 100,000 objects took minutes). SQLite: nothing (its planner takes an index
 * as selective without statistics). In a transaction or outside one; `table` is an identifier. */
int store_analyze(struct store_conn *c, const char *table, const char *columns, struct fs_err *err);

/* ---- copying a database (finshield migrate) ------------------------------------------------- */

/* A whole database copied into another (a hub's SQLite file into PostgreSQL), resumable: the
 * destination keeps the state of a copy in progress (table store_copy_state) until it is
 * finished, and a run that stopped anywhere is run again. In order:
 *   store_copy_begin(to): the destination is new (no schema_version) or a copy in progress
 *     (*resumed); FS_ERR_CONFLICT when it holds a database of its own.
 *   the caller brings both to the same schema (store_migrate with the same schemas);
 *   store_copy_prepare(to): once, empties what the migrations wrote and sets the foreign keys
 *     aside (PostgreSQL: recorded, then dropped) so that rows may come in any order;
 *   store_copy_rows: every table of the destination (but schema_version), rows in primary-key
 *     order, from where the destination stops, in batches of one transaction each;
 *   store_copy_verify: the same number of rows on both sides, table by table, and up to `sample`
 *     rows of each (spread over its keys, and its last) the same column by column
 *     (FS_ERR_CORRUPT naming the table and key when not);
 *   store_copy_finish(to): puts the foreign keys back (every reference checked) and forgets the
 *     state.
 * The source must not change meanwhile (stop the hub). Tables need a primary key. */
struct fs_progress;
struct store_copy_stats {
  int64_t tables, rows, compared;
};
int store_copy_begin(struct store_conn *to, bool *resumed, struct fs_err *err);
int store_copy_prepare(struct store_conn *to, struct fs_err *err);
int store_copy_rows(struct store_conn *from, struct store_conn *to, struct fs_progress *progress,
                    struct store_copy_stats *st, struct fs_err *err);
int store_copy_verify(struct store_conn *from, struct store_conn *to, int64_t sample,
                      struct store_copy_stats *st, struct fs_err *err);
int store_copy_finish(struct store_conn *to, struct fs_err *err);

/* ---- schema migrations -------------------------------------------------------------------- */

/* One versioned step of a module's schema. Versions of a module start at 1 and have no gaps. */
struct store_migration {
  int version;
  const char *name;
  const char *sql; /* one or more portable statements separated by ';' */
};

/* A module's schema: its name (the key in the schema_version table) and its steps in order. */
struct store_schema {
  const char *module;
  const struct store_migration *steps;
  size_t count;
};

/* Brings every schema up to date, in the order given (modules referenced by foreign keys first).
 * Each step runs in its own write transaction together with its schema_version row, so a crash
 * leaves the database at a step boundary, and nodes starting together apply each step once. Fails
 * with FS_ERR_CONFLICT when the database has a step this program does not know (made by a newer
 * finshield). */
int store_migrate(struct store_conn *c, const struct store_schema *const *schemas, size_t n,
                  struct fs_err *err);
/* Whether the database has a table of that name (finshield init refuses a database that already
 * holds a hub). */
int store_table_exists(struct store_conn *c, const char *table, bool *exists, struct fs_err *err);
/* The highest applied version of a module, 0 when none. */
int store_schema_version(struct store_conn *c, const char *module, int *version,
                         struct fs_err *err);

#endif
