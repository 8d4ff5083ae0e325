/* /api/v1/tokens: API tokens. */
#include "http/api.h"

#include "auth/token.h"
#include "core/jsonx.h"

#include <string.h>

int api_tokens_list(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"user", "limit", "after", NULL};
  struct auth_page page;
  struct store_conn *c;
  json_t *out;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_page(req, &page);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = token_list_json(c, &req->who, http_query_get(&req->query, "user"), &page, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_tokens_create(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"user", "name", "days", NULL};
  json_t *body, *meta = NULL;
  struct store_conn *c;
  const char *user, *name;
  int64_t days = 0;
  char token[TOKEN_TEXT_MAX];
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "user", 0, 64, &user, &req->err);
  if (!rc)
    rc = jsonx_string(body, "name", JSONX_REQUIRED, 100, &name, &req->err);
  if (!rc)
    rc = jsonx_int(body, "days", 0, 1, 3650, &days, NULL, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = token_create(c, &req->who, &req->hub->auth, user ? user : req->who.user_id, name, days,
                      "api", token, &meta, &req->err);
  json_decref(body);
  if (rc)
    return rc;
  json_object_set_new(meta, "token", json_string(token));
  memset(token, 0, sizeof(token));
  http_header(res, "Location", "/api/v1/tokens/%s", json_string_value(json_object_get(meta, "id")));
  return http_json(res, 201, meta);
}

int api_tokens_revoke(struct http_request *req, struct http_response *res)
{
  static const char *const none[] = {NULL};
  struct store_conn *c;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = token_revoke(c, &req->who, req->params[0], &req->err);
  return rc ? rc
            : http_json(res, 200,
                        json_pack("{s:s,s:s}", "id", req->params[0], "status", "revoked"));
}
