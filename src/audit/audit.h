/* The audit trail: every change of state appends one record (who, organisation, action, object,
 * time, digest of the change) in the same transaction as the change, chained by hash so that an
 * alteration, removal or reordering is found and named by audit_verify.
 *
 * Record hash = SHA-256 over the previous record's hash and the record's canonical fields
 * (docs/internals/audit.md). The position (seq) is not hashed: the chain itself fixes the order. */
#ifndef FS_AUDIT_AUDIT_H
#define FS_AUDIT_AUDIT_H

#include "auth/actor.h"
#include "core/base.h"
#include "core/err.h"
#include "store/store.h"

#include <jansson.h>

/* The schema of the audit trail (module "audit"). */
extern const struct store_schema audit_schema;

/* Appends one record. Must run inside a write transaction of c (FS_ERR_INTERNAL otherwise), so
 * that the record commits or rolls back with the change it describes. `detail` (borrowed, may be
 * NULL) describes the change; it must not contain secrets. */
int audit_append(struct store_conn *c, const struct actor *who, const char *action,
                 const char *object_type, const char *object_id, json_t *detail,
                 struct fs_err *err);

enum audit_problem_kind {
  AUDIT_INTACT,
  AUDIT_ALTERED,   /* a record's content no longer matches its hash or digest */
  AUDIT_REMOVED,   /* one or more records are missing before `seq` */
  AUDIT_REORDERED, /* the record at `seq` belongs elsewhere in the chain */
  AUDIT_TRUNCATED, /* records after the expected head are missing */
};

struct audit_report {
  enum audit_problem_kind kind;
  int64_t seq;      /* the first record found wrong (or where removal begins) */
  int64_t checked;  /* records checked */
  int64_t head_seq; /* last record */
  char head_hash[65];
  char message[320]; /* English sentence naming the record */
};

/* Walks the whole chain and reports the first problem, or AUDIT_INTACT. When expect_head is
 * "SEQ:HASH" (from `audit head` kept elsewhere), a chain that ends before it or differs at it is
 * reported too. FS_OK whenever the walk ran, whatever it found. */
int audit_verify(struct store_conn *c, const char *expect_head, struct audit_report *out,
                 struct fs_err *err);

/* The current head as "SEQ:HASH" into out (100 bytes); "0:" + genesis for an empty trail. */
int audit_head(struct store_conn *c, char out[100], struct fs_err *err);

/* Calls emit with one JSON line (no newline) per record with seq > after_seq, in order, up to
 * limit records (0: all). Filters: org_id (records whose actor organisation is it) may be NULL. */
typedef int (*audit_emit_fn)(const char *line, size_t len, void *ctx);
int audit_export(struct store_conn *c, int64_t after_seq, int64_t limit, const char *org_id,
                 audit_emit_fn emit, void *ctx, struct fs_err *err);

/* One record as a JSON object (caller owns). */
json_t *audit_record_json(struct store_stmt *row);

#endif
