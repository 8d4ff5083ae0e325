/* /api/v1/intel: collections, bundle import, one object, search and export, all through the
 * intelligence store and its one visibility policy. */
#include "http/api.h"

#include "auth/policy.h"
#include "core/jsonx.h"
#include "core/uuid.h"
#include "intel/intel.h"
#include "stix/tlp.h"

#include <string.h>

/* A stored version as REST shows it; the true source only for those the policy lets see it. */
struct rows {
  const struct actor *who;
  json_t *items;
};

static int add_row(const struct intel_row *r, void *ctx)
{
  struct rows *rs = ctx;
  json_t *obj = json_loadb(r->body, r->body_len, 0, NULL);
  if (!obj)
    return FS_ERR_CORRUPT;
  json_t *item = json_pack("{s:o,s:s,s:s}", "object", obj, "tlp", r->tlp, "version", r->version);
  if (r->date_added) {
    char added[40];
    intel_format_added(r->date_added, added);
    json_object_set_new(item, "date_added", json_string(added));
  }
  if (policy_intel_true_source(rs->who))
    json_object_set_new(item, "source",
                        json_pack("{s:s?,s:s?,s:b}", "org_id", r->producer_org, "user_id",
                                  r->producer_user, "anonymous", r->anonymous));
  return json_array_append_new(rs->items, item) ? FS_ERR_NOMEM : FS_OK;
}

int api_intel_collections(struct http_request *req, struct http_response *res)
{
  static const char *const none[] = {NULL};
  struct store_conn *c;
  json_t *list;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_collection_list_json(c, &req->who, &list, &req->err);
  return rc ? rc : http_json(res, 200, json_pack("{s:o}", "items", list));
}

int api_intel_collection_create(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"alias",       "title",   "description",      "kind", "owner",
                                     "default_tlp", "members", "member_can_write", NULL};
  static const char *const kinds[] = {"org", "group", "partner", NULL};
  json_t *body;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  struct intel_collection_input in = {0};
  int kind = -1;
  const char *members[64];
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "alias", JSONX_REQUIRED, INTEL_ALIAS_MAX - 1, &in.alias, &req->err);
  if (!rc)
    rc = jsonx_string(body, "title", 0, 199, &in.title, &req->err);
  if (!rc)
    rc = jsonx_string(body, "description", 0, 399, &in.description, &req->err);
  if (!rc)
    rc = jsonx_enum(body, "kind", JSONX_REQUIRED, kinds, &kind, &req->err);
  if (!rc)
    rc = jsonx_string(body, "owner", 0, 64, &in.owner_org, &req->err);
  if (!rc)
    rc = stix_tlp_json(body, "default_tlp", JSONX_REQUIRED, &in.default_tlp, &req->err);
  if (!rc)
    rc = jsonx_bool(body, "member_can_write", 0, &in.member_can_write, NULL, &req->err);
  json_t *m = json_object_get(body, "members");
  if (!rc && m && (!json_is_array(m) || json_array_size(m) > 64))
    rc = fs_err_set(&req->err, FS_ERR_INVALID, "$.members",
                    "members must be a list of at most 64 organisations");
  for (size_t i = 0; !rc && m && i < json_array_size(m); i++) {
    members[i] = json_string_value(json_array_get(m, i));
    if (!members[i])
      rc = fs_err_set(&req->err, FS_ERR_INVALID, "$.members", "members must be organisation codes");
    in.n_members = i + 1;
  }
  in.members = members;
  in.kind = kind == 0   ? POLICY_COLLECTION_ORG
            : kind == 1 ? POLICY_COLLECTION_GROUP
                        : POLICY_COLLECTION_PARTNER;
  struct store_conn *c;
  char id[37];
  struct intel_collection col;
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_collection_create(c, &req->who, &in, id, &req->err);
  if (!rc)
    rc = intel_collection_find(c, &req->who, id, &col, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 201, intel_collection_json(&col));
}

int api_intel_bundle(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"collection", "anonymous", NULL};
  static const char *const yesno[] = {"true", "false", NULL};
  const char *anonymous;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "anonymous", yesno, &anonymous, &req->err);
  const char *alias = http_query_get(&req->query, "collection");
  struct store_conn *c;
  struct intel_collection col;
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_collection_find(c, &req->who, alias ? alias : "submissions", &col, &req->err);
  if (rc)
    return rc;
  struct stix_doc doc;
  if ((rc = stix_doc_parse(&doc, fs_buf_cstr(&req->body), req->body.len, NULL, &req->err)))
    return rc;
  char status_id[37];
  fs_uuid_v4(status_id);
  struct intel_ingest_options opt = {.anonymous = anonymous && !strcmp(anonymous, "true"),
                                     .status_id = status_id};
  struct intel_ingest_result ir;
  rc = intel_ingest(c, &req->who, &col, &doc, &opt, &ir, &req->err);
  stix_doc_release(&doc);
  if (!rc)
    rc = http_json(res, 200,
                   json_pack("{s:s,s:s,s:I,s:I,s:I,s:O,s:O}", "status_id", status_id, "collection",
                             col.alias, "total", (json_int_t)ir.total, "stored",
                             (json_int_t)ir.success, "refused", (json_int_t)ir.failure, "successes",
                             ir.successes, "failures", ir.failures));
  intel_ingest_result_release(&ir);
  return rc;
}

int api_intel_object(struct http_request *req, struct http_response *res)
{
  static const char *const none[] = {NULL};
  struct store_conn *c;
  struct rows rs = {&req->who, json_array()};
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_read_object(c, &req->who, NULL, req->params[0], add_row, &rs, &req->err);
  if (rc) {
    json_decref(rs.items);
    return rc;
  }
  return http_json(res, 200, json_pack("{s:s,s:o}", "id", req->params[0], "versions", rs.items));
}

/* The search's and the relations' cursors: sealed for the list (the value searched for, the
 * object), since a page whose reading budget ran out goes on from a row the caller may not see,
 * and no cursor shows a place in the hub's object store (docs/security.md, "Paging cursors and
 * ids"). Longer values are refused by the search itself, so the name's cut cannot join two. */
#define INTEL_LIST_MAX 1100

/* `after` of list, opened into *before (0 when absent). */
static int page_after(struct http_request *req, const char *list, int64_t *before)
{
  const char *cursor = http_query_get(&req->query, "after");
  int64_t unused;
  *before = 0;
  return cursor ? http_cursor_open(req, "after", cursor, list, before, &unused) : FS_OK;
}

/* {"items", "next"}: next sealed for list, null when none. */
static json_t *page_json(const struct http_request *req, const char *list, json_t *o, json_t *items,
                         int64_t next)
{
  char cursor[FS_CURSOR_LEN + 1];
  if (next)
    http_cursor_seal(req->hub, list, next, 0, cursor);
  json_object_set_new(o, "items", items);
  json_object_set_new(o, "next", next ? json_string(cursor) : json_null());
  return o;
}

int api_intel_search(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"value", "limit", "after", NULL};
  struct store_conn *c;
  int64_t limit, after, next = 0;
  struct rows rs = {&req->who, json_array()};
  const char *value = http_query_get(&req->query, "value");
  char list[INTEL_LIST_MAX];
  snprintf(list, sizeof(list), "intel search\x1f%s", value ? value : "");
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc && (!value || !*value))
    rc = fs_err_set(&req->err, FS_ERR_INVALID, "value", "give the value to search for: ?value=...");
  if (!rc)
    rc = http_query_int(&req->query, "limit", 1, 1000, 100, &limit, &req->err);
  if (!rc)
    rc = page_after(req, list, &after);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_search_page(c, &req->who, value, after, (size_t)limit, add_row, &rs, &next,
                           &req->err);
  if (rc) {
    json_decref(rs.items);
    return rc;
  }
  return http_json(res, 200,
                   page_json(req, list, json_pack("{s:s}", "value", value), rs.items, next));
}

static int count_row(const struct intel_row *r, void *ctx)
{
  (void)r;
  (*(size_t *)ctx)++;
  return FS_OK;
}

int api_intel_related(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"limit", "after", NULL};
  struct store_conn *c;
  int64_t limit, after, next = 0;
  size_t seen = 0;
  struct rows rs = {&req->who, json_array()};
  char list[INTEL_LIST_MAX];
  snprintf(list, sizeof(list), "intel related\x1f%s", req->params[0]);
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "limit", 1, 1000, 100, &limit, &req->err);
  if (!rc)
    rc = page_after(req, list, &after);
  if (!rc)
    rc = http_db(req, &c);
  /* An object the caller may not see has no relations for it: the same 404 as one unknown. */
  if (!rc)
    rc = intel_read_object(c, &req->who, NULL, req->params[0], count_row, &seen, &req->err);
  if (!rc)
    rc = intel_related_page(c, &req->who, req->params[0], after, (size_t)limit, add_row, &rs, &next,
                            &req->err);
  if (rc) {
    json_decref(rs.items);
    return rc;
  }
  return http_json(res, 200,
                   page_json(req, list, json_pack("{s:s}", "id", req->params[0]), rs.items, next));
}

/* A STIX bundle of what the actor may see in a collection, one page at a time. */
struct bundle_out {
  struct fs_buf *out;
  size_t n;
};

static int add_bundle_object(const struct intel_row *r, void *ctx)
{
  struct bundle_out *b = ctx;
  if (b->n++)
    fs_buf_append_char(b->out, ',');
  return fs_buf_append(b->out, r->body, r->body_len);
}

int api_intel_export(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"collection", "after", "limit", NULL};
  struct store_conn *c;
  struct intel_collection col;
  int64_t limit, after = 0, after_seq = INT64_MAX;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "limit", 1, 10000, 1000, &limit, &req->err);
  const char *alias = http_query_get(&req->query, "collection"),
             *cursor = http_query_get(&req->query, "after");
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_collection_find(c, &req->who, alias ? alias : "sector", &col, &req->err);
  /* `after` is the X-Finshield-Next-After of the part before (a sealed cursor: the position may
   * be a row the caller does not see), or a date_added in microseconds chosen by the client. */
  char list[128];
  snprintf(list, sizeof(list), "intel export\x1f%s", rc ? "" : col.id);
  if (!rc && cursor && cursor[0] && strspn(cursor, "0123456789") == strlen(cursor))
    rc = http_query_int(&req->query, "after", 0, INT64_MAX, 0, &after, &req->err);
  else if (!rc && cursor)
    rc = http_cursor_open(req, "after", cursor, list, &after, &after_seq);
  if (rc)
    return rc;
  struct intel_page page = {.limit = (size_t)limit,
                            .has_cursor = cursor != NULL,
                            .after_date = after,
                            .after_seq = after_seq};
  char uuid[37];
  fs_uuid_v4(uuid);
  fs_buf_reset(&res->body);
  fs_buf_appendf(&res->body, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[", uuid);
  struct bundle_out b = {&res->body, 0};
  rc = intel_read_collection(c, &req->who, &col, &page, add_bundle_object, &b, &req->err);
  if (rc)
    return rc;
  fs_buf_append_str(&res->body, "]}\n");
  if (page.more) { /* where the reading stopped, sealed: it goes on even past a part with no row */
    char next[FS_CURSOR_LEN + 1];
    http_cursor_seal(req->hub, list, page.last_date, page.last_seq, next);
    http_header(res, "X-Finshield-Next-After", "%s", next);
  }
  res->content_type = "application/stix+json;version=2.1";
  return FS_OK;
}
