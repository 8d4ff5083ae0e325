/* Where hub-to-hub synchronisation stands (taxii/'s pull and push): the last position reached
 * per remote collection and direction, kept in intel_sync, the store's table. */
#include "intel/store_int.h"

int intel_sync_position(struct store_conn *c, const char *url, const char *collection,
                        const char *direction, char out[64], struct fs_err *err)
{
  bool found;
  out[0] = '\0';
  return store_query_text(c, out, 64, &found, err,
                          "SELECT position FROM intel_sync WHERE url = ? AND collection = ?"
                          " AND direction = ?",
                          "sss", url, collection, direction);
}

int intel_sync_position_set(struct store_conn *c, const char *url, const char *collection,
                            const char *direction, const char *position, int64_t now_ms,
                            struct fs_err *err)
{
  return store_exec(c, NULL, err,
                    "INSERT INTO intel_sync (url, collection, direction, position, updated_at)"
                    " VALUES (?,?,?,?,?) ON CONFLICT (url, collection, direction)"
                    " DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
                    "ssssi", url, collection, direction, position, now_ms);
}
