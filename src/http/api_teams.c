/* /api/v1/teams: the shared response teams (holding-group teams, support teams of peripheral
 * units and associations, the sector CERT) and their members. */
#include "http/api.h"

#include "core/jsonx.h"
#include "incident/team.h"

static const char *const none[] = {NULL};

int api_teams_list(struct http_request *req, struct http_response *res)
{
  return http_list(req, res, team_list_json);
}

int api_teams_create(struct http_request *req, struct http_response *res)
{
  json_t *body, *out;
  struct team_input in;
  struct store_conn *c;
  char id[37];
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = team_input_from_json(body, false, &in, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = team_create(c, &req->who, &in, id, &req->err);
  if (!rc)
    rc = team_get_json(c, &req->who, id, &out, &req->err);
  json_decref(body);
  if (rc)
    return rc;
  http_header(res, "Location", "/api/v1/teams/%s", id);
  return http_json(res, 201, out);
}

int api_teams_get(struct http_request *req, struct http_response *res)
{
  return http_get_by_id(req, res, team_get_json);
}

int api_teams_update(struct http_request *req, struct http_response *res)
{
  json_t *body, *out;
  struct team_input in;
  struct store_conn *c;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = team_input_from_json(body, true, &in, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = team_update(c, &req->who, req->params[0], &in, &req->err);
  if (!rc)
    rc = team_get_json(c, &req->who, in.code ? in.code : req->params[0], &out, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 200, out);
}

int api_teams_member_add(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"user", NULL};
  json_t *body, *out;
  struct store_conn *c;
  const char *user;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "user", JSONX_REQUIRED, 64, &user, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = team_member_set(c, &req->who, req->params[0], user, true, &req->err);
  if (!rc)
    rc = team_get_json(c, &req->who, req->params[0], &out, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 201, out);
}

int api_teams_member_remove(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  json_t *out;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = team_member_set(c, &req->who, req->params[0], req->params[1], false, &req->err);
  if (!rc)
    rc = team_get_json(c, &req->who, req->params[0], &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}
