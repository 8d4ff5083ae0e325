/* Appending to, verifying and exporting the hash-chained audit trail. */
#include "audit/audit.h"

#include "core/buf.h"
#include "core/encode.h"
#include "core/jsonx.h"

#include <stdio.h>
#include <string.h>

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define COLUMNS                                                                                 \
  "seq, at, actor_user, actor_name, actor_org, source, action, object_type, object_id, detail, " \
  "digest, prev_hash, hash"

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
};

const struct store_schema audit_schema = {"audit", audit_steps, FS_ARRAY_SIZE(audit_steps)};

/* The canonical text hashed for a record: a JSON array of its fields in a fixed order, with
 * NULLs as JSON null. jansson's compact output is deterministic for the same values. */
static int record_hash(const char *prev_hash, int64_t at, const char *actor_user,
                       const char *actor_name, const char *actor_org, const char *source,
                       const char *action, const char *object_type, const char *object_id,
                       const char *digest, char out[65])
{
  json_t *a = json_pack("[s,I,s?,s,s?,s,s,s,s?,s]", prev_hash, (json_int_t)at, actor_user,
                        actor_name, actor_org, source, action, object_type, object_id, digest);
  if (!a)
    return FS_ERR_NOMEM;
  struct fs_buf b;
  fs_buf_init(&b, 1 << 20);
  int rc = jsonx_dump(a, &b);
  json_decref(a);
  if (!rc)
    fs_sha256_hex(fs_buf_cstr(&b), b.len, out);
  fs_buf_release(&b);
  return rc;
}

static const char *empty_null(const char *s)
{
  return s && *s ? s : NULL;
}

int audit_append(struct store_conn *c, const struct actor *who, const char *action,
                 const char *object_type, const char *object_id, json_t *detail,
                 struct fs_err *err)
{
  if (!store_in_tx(c))
    return fs_err_set(err, FS_ERR_INTERNAL, "audit", "audit_append outside a transaction");
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", "");
  if (rc)
    return rc;
  bool row;
  int64_t seq = 1;
  char prev[65] = GENESIS;
  rc = store_step(s, &row, err);
  if (!rc && row) {
    seq = store_col_int(s, 0) + 1;
    snprintf(prev, sizeof(prev), "%s", store_col_text(s, 1) ? store_col_text(s, 1) : "");
  }
  store_done(s);
  if (rc)
    return rc;

  struct fs_buf b;
  fs_buf_init(&b, 1 << 20);
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
  rc = record_hash(prev, who->now_ms, user, who->username, org, who->source, action, object_type,
                   oid, digest, hash);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "INSERT INTO audit_log (" COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    "iisssssssssss", seq, who->now_ms, user, who->username, org, who->source,
                    action, object_type, oid, fs_buf_cstr(&b), digest, prev, hash);
  fs_buf_release(&b);
  return rc;
}

struct row_view {
  int64_t seq, at;
  const char *actor_user, *actor_name, *actor_org, *source, *action, *object_type, *object_id;
  const char *detail, *digest, *prev_hash, *hash;
};

static void read_row(struct store_stmt *s, struct row_view *r)
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

static const char *nz(const char *s)
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

int audit_verify(struct store_conn *c, const char *expect_head, struct audit_report *out,
                 struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  snprintf(out->head_hash, sizeof(out->head_hash), "%s", GENESIS);
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT " COLUMNS " FROM audit_log ORDER BY seq", "");
  if (rc)
    return rc;
  char prev[65] = GENESIS;
  int64_t prev_seq = 0;
  bool row = true;
  while (out->kind == AUDIT_INTACT) {
    if ((rc = store_step(s, &row, err)) || !row)
      break;
    struct row_view r;
    read_row(s, &r);
    out->checked++;
    char digest[65], hash[65];
    fs_sha256_hex(nz(r.detail), strlen(nz(r.detail)), digest);
    if (strcmp(digest, nz(r.digest))) {
      out->kind = AUDIT_ALTERED;
      out->seq = r.seq;
      snprintf(out->message, sizeof(out->message),
               "record %lld was altered: its detail no longer matches its digest",
               (long long)r.seq);
      break;
    }
    rc = record_hash(nz(r.prev_hash), r.at, r.actor_user, nz(r.actor_name), r.actor_org,
                     nz(r.source), nz(r.action), nz(r.object_type), r.object_id, nz(r.digest),
                     hash);
    if (rc)
      break;
    if (strcmp(hash, nz(r.hash))) {
      out->kind = AUDIT_ALTERED;
      out->seq = r.seq;
      snprintf(out->message, sizeof(out->message),
               "record %lld was altered: its content no longer matches its hash",
               (long long)r.seq);
      break;
    }
    if (strcmp(nz(r.prev_hash), prev)) {
      /* The record is intact but does not follow the record before it. */
      int64_t linked = 0;
      if (strcmp(nz(r.prev_hash), GENESIS) && (rc = seq_of_hash(c, nz(r.prev_hash), &linked, err)))
        break;
      out->seq = r.seq;
      if (linked > 0 && linked != prev_seq) {
        out->kind = AUDIT_REORDERED;
        snprintf(out->message, sizeof(out->message),
                 "record %lld is out of order: it follows record %lld in the chain, not record "
                 "%lld",
                 (long long)r.seq, (long long)linked, (long long)prev_seq);
      } else if (r.seq > prev_seq + 1) {
        out->kind = AUDIT_REMOVED;
        out->seq = prev_seq + 1;
        snprintf(out->message, sizeof(out->message),
                 "record %lld was removed: record %lld links to a record that is no longer there",
                 (long long)(prev_seq + 1), (long long)r.seq);
      } else if (linked == 0 && !strcmp(nz(r.prev_hash), GENESIS)) {
        out->kind = AUDIT_REORDERED;
        snprintf(out->message, sizeof(out->message),
                 "record %lld is out of order: it is the first record of the chain",
                 (long long)r.seq);
      } else {
        out->kind = AUDIT_ALTERED;
        out->seq = prev_seq;
        snprintf(out->message, sizeof(out->message),
                 "record %lld was altered: record %lld no longer links to it",
                 (long long)prev_seq, (long long)r.seq);
      }
      break;
    }
    snprintf(prev, sizeof(prev), "%s", nz(r.hash));
    prev_seq = r.seq;
  }
  store_done(s);
  if (rc)
    return rc;
  out->head_seq = prev_seq;
  snprintf(out->head_hash, sizeof(out->head_hash), "%s", prev);
  if (out->kind == AUDIT_INTACT && expect_head && *expect_head) {
    long long eseq = 0;
    char ehash[65] = "";
    if (sscanf(expect_head, "%lld:%64s", &eseq, ehash) != 2)
      return fs_err_set(err, FS_ERR_USAGE, "--expect-head", "expected SEQ:HASH");
    int64_t at = 0;
    if ((rc = seq_of_hash(c, ehash, &at, err)))
      return rc;
    if (at == 0 && eseq > prev_seq) {
      out->kind = AUDIT_TRUNCATED;
      out->seq = prev_seq + 1;
      snprintf(out->message, sizeof(out->message),
               "records %lld to %lld were removed from the end of the trail", (long long)(prev_seq + 1),
               eseq);
    } else if (at == 0 || at != eseq) {
      out->kind = AUDIT_ALTERED;
      out->seq = eseq;
      snprintf(out->message, sizeof(out->message),
               "record %lld differs from the head recorded earlier", eseq);
    }
  }
  if (out->kind == AUDIT_INTACT)
    snprintf(out->message, sizeof(out->message), "%lld records checked, chain intact",
             (long long)out->checked);
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
             row ? nz(store_col_text(s, 1)) : GENESIS);
  store_done(s);
  return rc;
}

json_t *audit_record_json(struct store_stmt *row)
{
  struct row_view r;
  read_row(row, &r);
  json_error_t je;
  json_t *detail = json_loads(nz(r.detail), 0, &je);
  return json_pack("{s:I,s:o,s:s?,s:s,s:s?,s:s,s:s,s:s,s:s?,s:o,s:s,s:s,s:s}", "seq",
                   (json_int_t)r.seq, "at", jsonx_time_new(r.at), "actor_user", r.actor_user,
                   "actor_name", nz(r.actor_name), "actor_org", r.actor_org, "source",
                   nz(r.source), "action", nz(r.action), "object_type", nz(r.object_type),
                   "object_id", r.object_id, "detail", detail ? detail : json_null(), "digest",
                   nz(r.digest), "prev_hash", nz(r.prev_hash), "hash", nz(r.hash));
}

int audit_export(struct store_conn *c, int64_t after_seq, int64_t limit, const char *org_id,
                 audit_emit_fn emit, void *ctx, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = org_id ? store_query(c, &s, err,
                                "SELECT " COLUMNS " FROM audit_log WHERE seq > ? AND actor_org = ?"
                                " ORDER BY seq LIMIT ?",
                                "isi", after_seq, org_id, limit > 0 ? limit : INT64_MAX)
                  : store_query(c, &s, err,
                                "SELECT " COLUMNS " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                                "ii", after_seq, limit > 0 ? limit : INT64_MAX);
  if (rc)
    return rc;
  struct fs_buf b;
  fs_buf_init(&b, 8 << 20);
  bool row = true;
  while (!rc) {
    if ((rc = store_step(s, &row, err)) || !row)
      break;
    json_t *j = audit_record_json(s);
    fs_buf_reset(&b);
    rc = j ? jsonx_dump(j, &b) : FS_ERR_NOMEM;
    json_decref(j);
    if (!rc)
      rc = emit(fs_buf_cstr(&b), b.len, ctx);
  }
  fs_buf_release(&b);
  store_done(s);
  return rc;
}
