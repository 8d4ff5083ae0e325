/* What the SQLite backend's files share: the checkpointer thread (sqlite_checkpoint.c). */
#ifndef FS_STORE_SQLITE_INT_H
#define FS_STORE_SQLITE_INT_H

#include "core/err.h"

#include <sqlite3.h>

struct sq_checkpointer;

/* Starts the thread that checkpoints the WAL of the database at path (opened by the thread when
 * first needed). FS_ERR_NOMEM when it cannot be started. The caller stops it with
 * sq_checkpointer_stop, after which it has checkpointed any commit it was told of. */
int sq_checkpointer_start(const char *path, struct sq_checkpointer **out);
void sq_checkpointer_stop(struct sq_checkpointer *k);
/* Makes db's commits tell k (instead of checkpointing themselves). k must outlive db. */
void sq_checkpointer_attach(struct sq_checkpointer *k, sqlite3 *db);

#endif
