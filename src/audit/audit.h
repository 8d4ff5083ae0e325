/* The audit trail: every change of state appends one record (who, organisation, action, object,
 * time, digest of the change) in the same transaction as the change, chained by hash so that an
 * alteration, removal or reordering is found and named by audit_verify.
 *
 * Record hash = HMAC-SHA-256, under a key derived from the hub's secret, of the previous record's
 * hash and the record's canonical fields; records written before the trail was keyed keep their
 * plain SHA-256 links up to a marked record (docs/internals/audit.md). So whoever can write the
 * database but not read the hub's secret cannot rewrite a record and recompute the chain. The
 * position (seq) is not hashed: the chain itself fixes the order. Heads are signed (Ed25519) so
 * that a head kept outside the hub can be checked with the public key alone. */
#ifndef FS_AUDIT_AUDIT_H
#define FS_AUDIT_AUDIT_H

#include "core/actor.h"
#include "core/base.h"
#include "core/err.h"
#include "store/store.h"

#include <jansson.h>

/* The schema of the audit trail (module "audit"). */
extern const struct store_schema audit_schema;

/* ---- Keys ------------------------------------------------------------------------------- */

/* The trail's keys, derived from the hub's secret, and where its keyed part begins. hub/ derives
 * them when it opens the hub, attaches them to the store (store_set_keyring) and calls
 * audit_keyed_open; audit_append, audit_verify and audit_head_sign find them through any
 * connection of that store. */
struct audit_keys {
  uint8_t chain[32];   /* HMAC-SHA-256 key of the record hashes */
  uint8_t sign_pk[32]; /* Ed25519 key pair that signs heads */
  uint8_t sign_sk[64];
  int64_t keyed_from; /* the first keyed record (set by audit_keyed_open); 0 before */
};

void audit_keys_derive(struct audit_keys *k, const uint8_t hub_secret[32]);
void audit_keys_wipe(struct audit_keys *k);

/* Finds where the keyed part of the trail begins, into k->keyed_from. The mark is kept twice: in
 * the database, sealed with the chain key, and in the file `witness` beside the hub's secret
 * (DATA/secrets/audit.mark), which whoever can only write the database cannot change. A trail
 * with neither (written before records were keyed, or a new hub) is marked at its next record:
 * both marks are written and, when there are records already, an `audit.keyed` record by `who`
 * starts the keyed part. A witness file wins over the database (whose mark, missing, moved or
 * altered, audit_verify then reports); a validly sealed database mark without a witness file (a
 * second node, a lost file) writes the file. k must be attached to c's store already. */
int audit_keyed_open(struct store_conn *c, struct audit_keys *k, const char *witness,
                     const struct actor *who, struct fs_err *err);

/* ---- Appending -------------------------------------------------------------------------- */

/* Appends one record. Must run inside a write transaction of c (FS_ERR_INTERNAL otherwise), so
 * that the record commits or rolls back with the change it describes. `detail` (borrowed, may be
 * NULL) describes the change; it must not contain secrets. The record is keyed when the store
 * has the trail's keys; without them (a store opened bare, by tests) it is linked by SHA-256 as
 * before, and refused (FS_ERR_CRYPTO) once the trail is keyed. */
int audit_append(struct store_conn *c, const struct actor *who, const char *action,
                 const char *object_type, const char *object_id, json_t *detail,
                 struct fs_err *err);

/* ---- Verifying -------------------------------------------------------------------------- */

enum audit_problem_kind {
  AUDIT_INTACT,
  AUDIT_ALTERED,   /* a record's content no longer matches its hash or digest, or the mark of
                      the keyed part was removed, moved or altered */
  AUDIT_REMOVED,   /* one or more records are missing before `seq` */
  AUDIT_REORDERED, /* the record at `seq` belongs elsewhere in the chain */
  AUDIT_TRUNCATED, /* records after the expected head are missing */
};

struct audit_report {
  enum audit_problem_kind kind;
  int64_t seq;        /* the first record found wrong (or where removal begins) */
  int64_t checked;    /* records checked */
  int64_t head_seq;   /* last record */
  int64_t keyed_from; /* the first keyed record */
  char head_hash[65];
  char message[320];    /* English sentence naming the record */
  char message_zh[480]; /* the same in zh-TW (the message catalogue's) */
};

/* Walks the whole chain and reports the first problem, or AUDIT_INTACT: records before the mark
 * by their SHA-256 links, records from it on by their keyed links (which needs the keys:
 * FS_ERR_CRYPTO without them). When expect_head is a head kept elsewhere, "SEQ:HASH" or a signed
 * head (audit_head_sign), a chain that ends before it or differs at it is reported too, and so
 * is a signed head whose mark differs from the trail's; a signed head whose signature is not this
 * hub's is refused (FS_ERR_INVALID, where "--expect-head"). FS_OK whenever the walk ran, whatever
 * it found. */
int audit_verify(struct store_conn *c, const char *expect_head, struct audit_report *out,
                 struct fs_err *err);

/* ---- Heads ------------------------------------------------------------------------------ */

/* The current head as "SEQ:HASH" into out (100 bytes); "0:" + genesis for an empty trail. */
int audit_head(struct store_conn *c, char out[100], struct fs_err *err);

/* A signed head: the last record (seq, hash), where the keyed part begins and when it was
 * signed, with an Ed25519 signature over "finshield audit head 1\nSEQ:HASH:KEYED_FROM:AT".
 * As text: "SEQ:HASH:KEYED_FROM:AT:SIGNATURE" (AT in milliseconds since the epoch, SIGNATURE
 * 128 hex digits), which begins with the plain head. */
#define AUDIT_SIGNED_HEAD_MAX 320
struct audit_signed_head {
  int64_t seq;
  char hash[65];
  int64_t keyed_from;
  int64_t at_ms;
  char signature[129];
  char text[AUDIT_SIGNED_HEAD_MAX];
};

/* Signs the current head at now_ms with the store's keys (FS_ERR_CRYPTO without them). */
int audit_head_sign(struct store_conn *c, int64_t now_ms, struct audit_signed_head *out,
                    struct fs_err *err);
/* Reads a signed head and checks its signature with the public key pk alone (no hub needed).
 * FS_ERR_INVALID (where "head") when it is not a signed head, FS_ERR_CRYPTO when the signature
 * does not match pk. */
int audit_head_check(const char *text, const uint8_t pk[32], struct audit_signed_head *out,
                     struct fs_err *err);
/* The public key as 64 hex digits, and back (FS_ERR_INVALID naming "key"). */
void audit_public_key_hex(const struct audit_keys *k, char out[65]);
int audit_public_key_parse(const char *hex, uint8_t pk[32], struct fs_err *err);

/* ---- Reading ---------------------------------------------------------------------------- */

/* Who reads the records. A record of an anonymous action (its detail says "anonymous": true: an
 * anonymous submission, the deletion of an anonymous object) names its actor only to the hub's
 * roles (policy_intel_true_source): the caller decides with the policy. */
enum audit_view {
  AUDIT_VIEW_FULL,     /* every field */
  AUDIT_VIEW_REDACTED, /* anonymous actions with "actor_hidden": true, actor_user, actor_name,
                          actor_org and source null and `at` cut to the hour; before the mark
                          (unkeyed) also their hash and the next record's prev_hash null; and
                          never found by an organisation filter */
};

/* Calls emit with one JSON line (no newline) per record with seq > after_seq, in order, up to
 * limit records (0: all), as `view` shows them. Filters: org_id (records whose actor organisation
 * is it) may be NULL. */
typedef int (*audit_emit_fn)(const char *line, size_t len, void *ctx);
int audit_export(struct store_conn *c, int64_t after_seq, int64_t limit, const char *org_id,
                 enum audit_view view, audit_emit_fn emit, void *ctx, struct fs_err *err);

#endif
