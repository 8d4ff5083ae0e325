/* /api/v1/users: users, passwords, second factors. */
#include "http/api.h"

#include "auth/user.h"
#include "core/jsonx.h"

#include <string.h>

static const char *const none[] = {NULL};

int api_users_list(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"org", "role", "limit", "after", NULL};
  struct auth_page page;
  struct store_conn *c;
  const char *role;
  json_t *out;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "role", auth_role_names, &role, &req->err);
  if (!rc)
    rc = http_page(req, &page);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = user_list_json(c, &req->who, http_query_get(&req->query, "org"), role, &page, &out,
                        &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_users_create(struct http_request *req, struct http_response *res)
{
  json_t *body, *out;
  struct user_input in;
  struct store_conn *c;
  char id[37];
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = user_input_from_json(body, false, &in, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = user_create(c, &req->who, &req->hub->auth, &in, id, &req->err);
  if (!rc)
    rc = user_get_json(c, &req->who, id, &out, &req->err);
  json_decref(body);
  if (rc)
    return rc;
  http_header(res, "Location", "/api/v1/users/%s", id);
  return http_json(res, 201, out);
}

int api_users_get(struct http_request *req, struct http_response *res)
{
  return http_get_by_id(req, res, user_get_json);
}

int api_users_update(struct http_request *req, struct http_response *res)
{
  json_t *body, *out;
  struct user_input in;
  struct store_conn *c;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = user_input_from_json(body, true, &in, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = user_update(c, &req->who, req->params[0], &in, &req->err);
  if (!rc)
    rc = user_get_json(c, &req->who, req->params[0], &out, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 200, out);
}

int api_users_password(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"current_password", "password", NULL};
  json_t *body;
  struct store_conn *c;
  const char *current, *password;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "current_password", JSONX_NULLABLE, 1024, &current, &req->err);
  if (!rc)
    rc = jsonx_string(body, "password", JSONX_REQUIRED, 1024, &password, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = user_set_password(c, &req->who, &req->hub->auth, req->params[0], current, password,
                           &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 200, json_pack("{s:s}", "status", "password changed"));
}

/* The optional body of a change of one's own second factor: {"current_password", "code"}. */
static int proof_of(struct http_request *req, json_t **body, struct user_proof *proof)
{
  static const char *const keys[] = {"current_password", "code", NULL};
  memset(proof, 0, sizeof(*proof));
  *body = NULL;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc && req->body.len)
    rc = http_body_object(req, body);
  if (!rc && *body)
    rc = jsonx_only_keys(*body, keys, "$", &req->err);
  if (!rc && *body)
    rc = jsonx_string(*body, "current_password", JSONX_NULLABLE, 1024, &proof->current_password,
                      &req->err);
  if (!rc && *body)
    rc = jsonx_string(*body, "code", JSONX_NULLABLE, 16, &proof->code, &req->err);
  return rc;
}

int api_users_totp_begin(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  struct user_proof proof;
  json_t *body;
  char uri[256];
  int rc = proof_of(req, &body, &proof);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = user_totp_begin(c, &req->who, &req->hub->auth, req->params[0], &proof, "finshield", uri,
                         &req->err);
  json_decref(body);
  if (rc)
    return rc;
  rc = http_json(res, 201,
                 json_pack("{s:s,s:s}", "otpauth_uri", uri, "next",
                           "confirm with POST .../totp/confirm {\"code\": \"123456\"}"));
  memset(uri, 0, sizeof(uri));
  return rc;
}

int api_users_totp_confirm(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"code", NULL};
  json_t *body;
  struct store_conn *c;
  const char *code;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "code", JSONX_REQUIRED, 16, &code, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = user_totp_confirm(c, &req->who, &req->hub->auth, req->params[0], code, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 200, json_pack("{s:s}", "status", "second factor enabled"));
}

int api_users_totp_disable(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  struct user_proof proof;
  json_t *body;
  int rc = proof_of(req, &body, &proof);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = user_totp_disable(c, &req->who, &req->hub->auth, req->params[0], &proof, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 200, json_pack("{s:s}", "status", "second factor disabled"));
}
