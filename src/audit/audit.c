/* Appending to and verifying the hash-chained audit trail. */
#include "audit/audit_int.h"

#include "core/buf.h"
#include "core/encode.h"
#include "core/i18n.h"
#include "core/jsonx.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct store_migration audit_steps[] = {
    {1, "audit trail",
     "CREATE TABLE audit_log ("
     " seq BIGINT PRIMARY KEY,"
     " at BIGINT NOT NULL,"
     " actor_user TEXT,"
     " actor_name TEXT NOT NULL,"
     " actor_org TEXT,"
     " source TEXT NOT NULL,"
     " action TEXT NOT NULL,"
     " object_type TEXT NOT NULL,"
     " object_id TEXT,"
     " detail TEXT NOT NULL,"
     " digest TEXT NOT NULL,"
     " prev_hash TEXT NOT NULL,"
     " hash TEXT NOT NULL);"
     "CREATE INDEX audit_log_hash ON audit_log (hash);"
     "CREATE INDEX audit_log_org ON audit_log (actor_org, seq);"
     "CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq)"},
    /* The mark where keyed records begin ("keyed_from" = "SEQ:SEAL"), written by
     * audit_keyed_open with the key, which SQL does not have. */
    {2, "keyed chain mark", "CREATE TABLE audit_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"},
    /* Records of anonymous actions (their detail says "anonymous": true), whose actor only the
     * hub's roles may read; the records written before are found by their detail's text
     * (jansson's compact output, as audit_append stores it). Not hashed: it only decides who
     * sees the actor, and the detail it comes from is. */
    {3, "anonymous actions",
     "ALTER TABLE audit_log ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;"
     "UPDATE audit_log SET anonymous = 1 WHERE detail LIKE '%\"anonymous\":true%'"},
};

const struct store_schema audit_schema = {"audit", audit_steps, FS_ARRAY_SIZE(audit_steps)};

int audit_record_hash(const uint8_t *key, const char *prev_hash, int64_t at, const char *actor_user,
                      const char *actor_name, const char *actor_org, const char *source,
                      const char *action, const char *object_type, const char *object_id,
                      const char *digest, char out[65])
{
  /* jansson's compact output is deterministic for the same values. */
  json_t *a = json_pack("[s,I,s?,s,s?,s,s,s,s?,s]", prev_hash, (json_int_t)at, actor_user,
                        actor_name, actor_org, source, action, object_type, object_id, digest);
  if (!a)
    return FS_ERR_NOMEM;
  struct fs_buf b;
  fs_buf_init(&b, 1 << 20);
  int rc = jsonx_dump(a, &b);
  json_decref(a);
  if (!rc && key) {
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const unsigned char *)fs_buf_cstr(&b), b.len, key);
    fs_hex_encode(mac, sizeof(mac), out);
  } else if (!rc) {
    fs_sha256_hex(fs_buf_cstr(&b), b.len, out);
  }
  fs_buf_release(&b);
  return rc;
}

static const char *empty_null(const char *s)
{
  return s && *s ? s : NULL;
}

int audit_append(struct store_conn *c, const struct actor *who, const char *action,
                 const char *object_type, const char *object_id, json_t *detail, struct fs_err *err)
{
  if (!store_in_tx(c))
    return fs_err_set(err, FS_ERR_INTERNAL, "audit", "audit_append outside a transaction");
  const struct audit_keys *k = audit_store_keys(c);
  struct audit_mark mark;
  int rc = k ? FS_OK : audit_mark_read(c, NULL, &mark, err);
  if (rc)
    return rc;
  if (!k && mark.found)
    return fs_err_set(err, FS_ERR_CRYPTO, "audit",
                      "the audit trail is keyed from record %lld on: appending needs the hub's key",
                      (long long)mark.seq);
  struct store_stmt *s;
  rc = store_query(c, &s, err, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", "");
  if (rc)
    return rc;
  bool row;
  int64_t seq = 1;
  char prev[65] = AUDIT_GENESIS;
  rc = store_step(s, &row, err);
  if (!rc && row) {
    seq = store_col_int(s, 0) + 1;
    snprintf(prev, sizeof(prev), "%s", audit_nz(store_col_text(s, 1)));
  }
  store_done(s);
  if (rc)
    return rc;

  struct fs_buf b;
  fs_buf_init(&b, 1 << 20);
  /* An anonymous action: only the hub's roles may read who did it (read.c). */
  int64_t anonymous = detail && json_is_true(json_object_get(detail, "anonymous"));
  json_t *empty = NULL;
  if (!detail)
    detail = empty = json_object();
  rc = jsonx_dump(detail, &b);
  json_decref(empty);
  if (rc) {
    fs_buf_release(&b);
    return fs_err_set(err, rc, "audit", "change detail too large");
  }
  char digest[65], hash[65];
  fs_sha256_hex(fs_buf_cstr(&b), b.len, digest);
  const char *user = empty_null(who->user_id), *org = empty_null(who->org_id);
  const char *oid = empty_null(object_id);
  rc = audit_record_hash(k ? k->chain : NULL, prev, who->now_ms, user, who->username, org,
                         who->source, action, object_type, oid, digest, hash);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "INSERT INTO audit_log (" AUDIT_COLUMNS ", anonymous)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    "iisssssssssssi", seq, who->now_ms, user, who->username, org, who->source,
                    action, object_type, oid, fs_buf_cstr(&b), digest, prev, hash, anonymous);
  fs_buf_release(&b);
  return rc;
}

void audit_read_row(struct store_stmt *s, struct audit_row *r)
{
  r->seq = store_col_int(s, 0);
  r->at = store_col_int(s, 1);
  r->actor_user = store_col_text(s, 2);
  r->actor_name = store_col_text(s, 3);
  r->actor_org = store_col_text(s, 4);
  r->source = store_col_text(s, 5);
  r->action = store_col_text(s, 6);
  r->object_type = store_col_text(s, 7);
  r->object_id = store_col_text(s, 8);
  r->detail = store_col_text(s, 9);
  r->digest = store_col_text(s, 10);
  r->prev_hash = store_col_text(s, 11);
  r->hash = store_col_text(s, 12);
}

const char *audit_nz(const char *s)
{
  return s ? s : "";
}

/* Which record (by seq) has this hash; 0 when none. Uses a second connection-level statement
 * while the walk's statement is open, which SQLite allows on one connection. */
static int seq_of_hash(struct store_conn *c, const char *hash, int64_t *seq, struct fs_err *err)
{
  bool found;
  *seq = 0;
  return store_query_int(c, seq, &found, err, "SELECT seq FROM audit_log WHERE hash = ? LIMIT 1",
                         "s", hash);
}

/* With keys, the database's mark must be the one the keys were opened with (the witness's). */
/* Words the verification's report: in English and, through the catalogue, in zh-TW. */
static void report(struct audit_report *out, const char *fmt, ...) FS_PRINTF(2, 3);
static void report(struct audit_report *out, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fs_msg_vformat(out->message, sizeof(out->message), out->message_zh, sizeof(out->message_zh), fmt,
                 ap);
  va_end(ap);
}

static int check_mark(struct store_conn *c, const struct audit_keys *k, struct audit_report *out,
                      struct fs_err *err)
{
  struct audit_mark m;
  int rc = audit_mark_read(c, k, &m, err);
  if (rc || !k)
    return rc;
  long long want = (long long)k->keyed_from;
  if (!m.found)
    report(out,
           "the mark where the keyed records begin (record %lld) was removed from the database",
           want);
  else if (!m.sealed)
    report(out, "the mark where the keyed records begin was altered: its seal does not match");
  else if (m.seq != k->keyed_from)
    report(out, "the mark where the keyed records begin was moved from record %lld to record %lld",
           want, (long long)m.seq);
  else
    return FS_OK;
  out->kind = AUDIT_ALTERED;
  out->seq = k->keyed_from;
  return FS_OK;
}

/* Checks one record against its content and the record before it; sets out on a problem. */
static int check_record(struct store_conn *c, const struct audit_keys *k, const struct audit_row *r,
                        const char *prev, int64_t prev_seq, struct audit_report *out,
                        struct fs_err *err)
{
  char digest[65], hash[65];
  fs_sha256_hex(audit_nz(r->detail), strlen(audit_nz(r->detail)), digest);
  if (strcmp(digest, audit_nz(r->digest))) {
    out->kind = AUDIT_ALTERED;
    out->seq = r->seq;
    report(out, "record %lld was altered: its detail no longer matches its digest",
           (long long)r->seq);
    return FS_OK;
  }
  bool keyed = r->seq >= out->keyed_from;
  if (keyed && !k)
    return fs_err_set(err, FS_ERR_CRYPTO, "audit",
                      "records from %lld on are keyed: verifying them needs the hub's key",
                      (long long)out->keyed_from);
  int rc = audit_record_hash(keyed ? k->chain : NULL, audit_nz(r->prev_hash), r->at, r->actor_user,
                             audit_nz(r->actor_name), r->actor_org, audit_nz(r->source),
                             audit_nz(r->action), audit_nz(r->object_type), r->object_id,
                             audit_nz(r->digest), hash);
  if (rc)
    return rc;
  if (strcmp(hash, audit_nz(r->hash))) {
    out->kind = AUDIT_ALTERED;
    out->seq = r->seq;
    if (keyed)
      report(out, "record %lld was altered: its content no longer matches its keyed hash",
             (long long)r->seq);
    else
      report(out, "record %lld was altered: its content no longer matches its hash",
             (long long)r->seq);
    return FS_OK;
  }
  if (!strcmp(audit_nz(r->prev_hash), prev))
    return FS_OK;
  /* The record is intact but does not follow the record before it. */
  int64_t linked = 0;
  if (strcmp(audit_nz(r->prev_hash), AUDIT_GENESIS) &&
      (rc = seq_of_hash(c, audit_nz(r->prev_hash), &linked, err)))
    return rc;
  out->seq = r->seq;
  if (linked > 0 && linked != prev_seq) {
    out->kind = AUDIT_REORDERED;
    report(out, "record %lld is out of order: it follows record %lld in the chain, not record %lld",
           (long long)r->seq, (long long)linked, (long long)prev_seq);
  } else if (r->seq > prev_seq + 1) {
    out->kind = AUDIT_REMOVED;
    out->seq = prev_seq + 1;
    report(out, "record %lld was removed: record %lld links to a record that is no longer there",
           (long long)(prev_seq + 1), (long long)r->seq);
  } else if (linked == 0 && !strcmp(audit_nz(r->prev_hash), AUDIT_GENESIS)) {
    out->kind = AUDIT_REORDERED;
    report(out, "record %lld is out of order: it is the first record of the chain",
           (long long)r->seq);
  } else {
    out->kind = AUDIT_ALTERED;
    out->seq = prev_seq;
    report(out, "record %lld was altered: record %lld no longer links to it", (long long)prev_seq,
           (long long)r->seq);
  }
  return FS_OK;
}

/* A head kept elsewhere: "SEQ:HASH", or a signed head (checked with this hub's key). */
static int check_kept_head(struct store_conn *c, const struct audit_keys *k,
                           const char *expect_head, struct audit_report *out, struct fs_err *err)
{
  long long eseq = 0;
  char ehash[65] = "";
  int rc;
  size_t colons = 0;
  for (const char *p = expect_head; *p; p++)
    colons += *p == ':';
  if (colons > 1) {
    if (!k)
      return fs_err_set(err, FS_ERR_CRYPTO, "--expect-head",
                        "checking a signed head needs the hub's key");
    struct audit_signed_head h;
    if ((rc = audit_head_check(expect_head, k->sign_pk, &h, err))) {
      fs_err_wrap_where(err, "--expect-head");
      return rc == FS_ERR_CRYPTO
                 ? fs_err_set(err, FS_ERR_INVALID, "--expect-head",
                              "this head's signature is not this hub's: it was altered or signed "
                              "by another key")
                 : rc;
    }
    if (h.keyed_from != out->keyed_from) {
      out->kind = AUDIT_ALTERED;
      out->seq = h.keyed_from < out->keyed_from ? h.keyed_from : out->keyed_from;
      report(out,
             "the head signed earlier has the keyed records begin at record %lld, the trail now "
             "at record %lld: the trail was rewritten",
             (long long)h.keyed_from, (long long)out->keyed_from);
      return FS_OK;
    }
    eseq = h.seq;
    memcpy(ehash, h.hash, sizeof(ehash));
  } else if (sscanf(expect_head, "%lld:%64s", &eseq, ehash) != 2) {
    return fs_err_set(err, FS_ERR_USAGE, "--expect-head", "expected SEQ:HASH or a signed head");
  }
  int64_t at = 0;
  if ((rc = seq_of_hash(c, ehash, &at, err)))
    return rc;
  if (at == 0 && eseq > out->head_seq) {
    out->kind = AUDIT_TRUNCATED;
    out->seq = out->head_seq + 1;
    report(out, "records %lld to %lld were removed from the end of the trail",
           (long long)(out->head_seq + 1), eseq);
  } else if (at == 0 || at != eseq) {
    out->kind = AUDIT_ALTERED;
    out->seq = eseq;
    report(out, "record %lld differs from the head recorded earlier", eseq);
  }
  return FS_OK;
}

int audit_verify(struct store_conn *c, const char *expect_head, struct audit_report *out,
                 struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  snprintf(out->head_hash, sizeof(out->head_hash), "%s", AUDIT_GENESIS);
  const struct audit_keys *k = audit_store_keys(c);
  struct audit_mark m;
  int rc = audit_mark_read(c, k, &m, err);
  if (rc)
    return rc;
  /* Without keys (a bare store) the database's mark is all there is. */
  out->keyed_from = k ? k->keyed_from : m.found ? m.seq : INT64_MAX;
  if ((rc = check_mark(c, k, out, err)) || out->kind != AUDIT_INTACT)
    return rc;
  struct store_stmt *s;
  if ((rc = store_query(c, &s, err, "SELECT " AUDIT_COLUMNS " FROM audit_log ORDER BY seq", "")))
    return rc;
  char prev[65] = AUDIT_GENESIS;
  int64_t prev_seq = 0;
  bool row = true;
  while (out->kind == AUDIT_INTACT) {
    if ((rc = store_step(s, &row, err)) || !row)
      break;
    struct audit_row r;
    audit_read_row(s, &r);
    out->checked++;
    if ((rc = check_record(c, k, &r, prev, prev_seq, out, err)) || out->kind != AUDIT_INTACT)
      break;
    snprintf(prev, sizeof(prev), "%s", audit_nz(r.hash));
    prev_seq = r.seq;
  }
  store_done(s);
  if (rc)
    return rc;
  out->head_seq = prev_seq;
  snprintf(out->head_hash, sizeof(out->head_hash), "%s", prev);
  if (out->kind == AUDIT_INTACT && expect_head && *expect_head &&
      (rc = check_kept_head(c, k, expect_head, out, err)))
    return rc;
  if (out->kind == AUDIT_INTACT)
    report(out, "%lld records checked, chain intact", (long long)out->checked);
  return FS_OK;
}

int audit_head(struct store_conn *c, char out[100], struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", "");
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc)
    snprintf(out, 100, "%lld:%s", row ? (long long)store_col_int(s, 0) : 0LL,
             row ? audit_nz(store_col_text(s, 1)) : AUDIT_GENESIS);
  store_done(s);
  return rc;
}
