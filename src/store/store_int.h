/* What the store's own files (copy.c) know of a connection beyond store.h: its backend and the
 * backend's handle, for statements that are not portable SQL (DDL made from the catalog). */
#ifndef FS_STORE_STORE_INT_H
#define FS_STORE_STORE_INT_H

#include "store/backend.h"

const struct store_backend *store_conn_backend(const struct store_conn *c);
void *store_conn_handle(const struct store_conn *c);

#endif
