/* What the PostgreSQL backend's files share: SQL translation and error mapping
 * (postgres_sql.c). */
#ifndef FS_STORE_POSTGRES_INT_H
#define FS_STORE_POSTGRES_INT_H

#include "core/err.h"

#include <libpq-fe.h>

/* The portable SQL of store.h in PostgreSQL's dialect, malloc'ed (NULL when out of memory).
 * Statements (script false): each '?' outside quotes and comments becomes $1, $2, ..., and
 * *nparams (may be NULL) says how many. Scripts (script true: schema steps, BEGIN, COMMIT): the
 * storage hint WITHOUT ROWID is dropped and the type BLOB becomes BYTEA. */
char *pg_translate(const char *sql, bool script, int *nparams);

/* The store error for a SQLSTATE (five characters; NULL or other: FS_ERR_INTERNAL). */
enum fs_code pg_code_of_state(const char *state);

/* Connects to url (its server's database dbname instead when not NULL), the session named after
 * the node when there is one (postgres.c). */
PGconn *pg_connect(const char *url, const char *dbname, const char *node);

/* The notices of one store (postgres_listen.c): created with the store (no thread, no connection
 * until the first subscription), freed after the last connection. */
struct pg_listener;
struct pg_listener *pg_listener_new(const char *url, const char *node);
void pg_listener_free(struct pg_listener *l);
/* fn(arg) is called from the listening thread when `channel` is notified, and (for every
 * subscriber) after the listening connection was made again. */
int pg_listener_subscribe(struct pg_listener *l, const char *channel, void (*fn)(void *arg),
                          void *arg, struct fs_err *err);
/* After it returns, fn(arg) is not running and will not be called again. */
void pg_listener_unsubscribe(struct pg_listener *l, void (*fn)(void *arg), void *arg);

#endif
