/* /api/v1/audit: the audit trail, its verification and its head. */
#include "http/api.h"

#include "audit/audit.h"
#include "auth/policy.h"
#include "core/i18n.h"
#include "core/jsonx.h"
#include "http/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct collect {
  json_t *items;
  int64_t limit;
  int64_t last;  /* seq of the last record kept */
  bool more;     /* a record follows the page */
  bool own_only; /* an organisation's reader: no place in the hub's chain */
};

static int collect_line(const char *line, size_t len, void *ctx)
{
  struct collect *col = ctx;
  if ((int64_t)json_array_size(col->items) == col->limit) {
    col->more = true; /* the extra record */
    return FS_OK;
  }
  json_t *j = json_loadb(line, len, 0, NULL);
  if (!j)
    return FS_ERR_CORRUPT;
  col->last = json_integer_value(json_object_get(j, "seq"));
  /* The chain's sequence numbers and links would show how much the rest of the sector did
   * between an organisation's records: they are the hub's (docs/security.md). */
  if (col->own_only) {
    json_object_del(j, "seq");
    json_object_del(j, "prev_hash");
    json_object_del(j, "hash");
  }
  return json_array_append_new(col->items, j) ? FS_ERR_NOMEM : FS_OK;
}

/* Who did an anonymous action is for the hub's roles only (the policy's true source). */
static enum audit_view view_of(const struct actor *who)
{
  return policy_intel_true_source(who) ? AUDIT_VIEW_FULL : AUDIT_VIEW_REDACTED;
}

int api_audit_list(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"after", "limit", "org", NULL};
  int64_t after = 0, limit = 100, unused;
  struct store_conn *c;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "limit", 1, 1000, 100, &limit, &req->err);
  const char *org = http_query_get(&req->query, "org"),
             *cursor = http_query_get(&req->query, "after");
  /* The whole trail for those who may read it all; otherwise the actor's organisation only. */
  struct policy_target own = {.org_id = req->who.org_id, .role = -1};
  bool all = policy_allows(&req->who, POLICY_AUDIT_READ_ALL, NULL);
  if (!rc && !all) {
    if (org && strcmp(org, req->who.org_id))
      rc = policy_check(&req->who, POLICY_AUDIT_READ_ALL, NULL,
                        "the audit trail of other organisations", &req->err);
    else if (!(rc = policy_check(&req->who, POLICY_AUDIT_READ, &own, "the audit trail", &req->err)))
      org = req->who.org_id;
  }
  /* `after`: the `next` of the page before, a cursor sealed for this list and organisation. */
  char list[80];
  snprintf(list, sizeof(list), "audit\x1f%s", org ? org : "");
  if (!rc && cursor)
    rc = http_cursor_open(req, "after", cursor, list, &after, &unused);
  if (!rc)
    rc = http_db(req, &c);
  struct collect col = {json_array(), limit, 0, false, !all};
  if (!rc)
    rc = audit_export(c, after, limit + 1, org, view_of(&req->who), collect_line, &col, &req->err);
  if (rc) {
    json_decref(col.items);
    return rc;
  }
  char next[FS_CURSOR_LEN + 1];
  if (col.more)
    http_cursor_seal(req->hub, list, col.last, 0, next);
  return http_json(res, 200,
                   json_pack("{s:o,s:s?}", "items", col.items, "next", col.more ? next : NULL));
}

int api_audit_verify(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"expect_head", NULL};
  static const char *const kinds[] = {"intact", "altered", "removed", "reordered", "truncated"};
  struct store_conn *c;
  struct audit_report rep;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = policy_check(&req->who, POLICY_AUDIT_READ_ALL, NULL, "the whole audit trail", &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = audit_verify(c, http_query_get(&req->query, "expect_head"), &rep, &req->err);
  if (rc)
    return rc;
  return http_json(res, 200,
                   json_pack("{s:s,s:b,s:I,s:I,s:I,s:s,s:I,s:s,s:s}", "result", kinds[rep.kind],
                             "intact", rep.kind == AUDIT_INTACT, "first_bad_seq",
                             (json_int_t)rep.seq, "checked", (json_int_t)rep.checked, "head_seq",
                             (json_int_t)rep.head_seq, "head_hash", rep.head_hash, "keyed_from",
                             (json_int_t)rep.keyed_from, "message", rep.message, "message_zh",
                             fs_msg_pick(rep.message, rep.message_zh, true)));
}

/* The signed head and the public key that checks it, for every user: a member keeps heads to
 * check them later (verify --expect-head at the hub, audit check-head anywhere). */
int api_audit_head(struct http_request *req, struct http_response *res)
{
  static const char *const none[] = {NULL};
  struct store_conn *c;
  struct audit_signed_head h;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = policy_check(&req->who, POLICY_AUDIT_HEAD, NULL, "the audit trail", &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = audit_head_sign(c, req->who.now_ms, &h, &req->err);
  if (rc)
    return rc;
  char head[100], key[65];
  snprintf(head, sizeof(head), "%lld:%s", (long long)h.seq, h.hash);
  audit_public_key_hex(&req->hub->audit, key);
  return http_json(res, 200,
                   json_pack("{s:s,s:I,s:s,s:I,s:o,s:s,s:s,s:s}", "head", head, "seq",
                             (json_int_t)h.seq, "hash", h.hash, "keyed_from",
                             (json_int_t)h.keyed_from, "at", jsonx_time_new(h.at_ms), "signature",
                             h.signature, "signed", h.text, "public_key", key));
}

/* The audit trail as a live stream (Server-Sent Events), for those who read all of it. */
struct audit_stream_out {
  struct fs_buf *out;
  int64_t *after;
};

static int stream_line(const char *line, size_t len, void *ctx)
{
  struct audit_stream_out *o = ctx;
  json_t *j = json_loadb(line, len, 0, NULL);
  int64_t seq = j ? json_integer_value(json_object_get(j, "seq")) : 0;
  json_decref(j);
  if (seq > *o->after)
    *o->after = seq;
  fs_buf_appendf(o->out, "id: %lld\nevent: audit\ndata: ", (long long)seq);
  fs_buf_append(o->out, line, len);
  return fs_buf_append_str(o->out, "\n\n");
}

static int audit_fetch(struct store_conn *c, const struct actor *who, void *ctx, int64_t *after,
                       struct fs_buf *out)
{
  (void)ctx;
  struct audit_stream_out o = {out, after};
  struct fs_err err;
  return audit_export(c, *after, 500, NULL, view_of(who), stream_line, &o, &err);
}

int api_audit_stream(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"after", NULL};
  int64_t after;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "after", 0, INT64_MAX, -1, &after, &req->err);
  if (!rc)
    rc = policy_check(&req->who, POLICY_AUDIT_READ_ALL, NULL, "the audit trail", &req->err);
  struct store_conn *c;
  if (!rc && after < 0 && !(rc = http_db(req, &c))) {
    /* Without ?after=, the stream starts now: only what happens from here on. */
    char head[100];
    rc = audit_head(c, head, &req->err);
    after = strtoll(head, NULL, 10);
  }
  return rc ? rc : http_stream_start(req, res, after, NULL, audit_fetch, NULL, NULL);
}
