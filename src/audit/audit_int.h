/* Internal to audit/: what the chain (audit.c), the keys and marks (keys.c) and the reading of
 * records (read.c) share. */
#ifndef FS_AUDIT_AUDIT_INT_H
#define FS_AUDIT_AUDIT_INT_H

#include "audit/audit.h"

#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_COLUMNS                                                                              \
  "seq, at, actor_user, actor_name, actor_org, source, action, object_type, object_id, detail, "   \
  "digest, prev_hash, hash"

/* One row of AUDIT_COLUMNS, borrowed from the statement. */
struct audit_row {
  int64_t seq, at;
  const char *actor_user, *actor_name, *actor_org, *source, *action, *object_type, *object_id;
  const char *detail, *digest, *prev_hash, *hash;
};
void audit_read_row(struct store_stmt *s, struct audit_row *r);

/* "" for NULL. */
const char *audit_nz(const char *s);

/* A record's hash: over the compact JSON array [prev_hash, at, actor_user, actor_name,
 * actor_org, source, action, object_type, object_id, digest] (NULLs as null), HMAC-SHA-256 with
 * key, or SHA-256 when key is NULL (records before the mark). 64 hex digits into out. */
int audit_record_hash(const uint8_t *key, const char *prev_hash, int64_t at, const char *actor_user,
                      const char *actor_name, const char *actor_org, const char *source,
                      const char *action, const char *object_type, const char *object_id,
                      const char *digest, char out[65]);

/* The mark of the keyed part as the database holds it (table audit_meta). */
struct audit_mark {
  bool found;
  int64_t seq;
  bool sealed; /* its seal checks with the chain key (false without keys) */
};
int audit_mark_read(struct store_conn *c, const struct audit_keys *k, struct audit_mark *m,
                    struct fs_err *err);

/* The store's keys (NULL when the store was opened bare). */
static inline const struct audit_keys *audit_store_keys(struct store_conn *c)
{
  return (const struct audit_keys *)store_keyring(c);
}

#endif
