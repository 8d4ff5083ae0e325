/* /api/v1/orgs: member institutions. */
#include "http/api.h"

#include "auth/org.h"

int api_orgs_list(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"industry", "parent", "status", "q", "limit", "after", NULL};
  struct org_filter f = {0};
  struct auth_page page;
  struct store_conn *c;
  json_t *out;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "industry", org_industry_names, &f.industry, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "status", org_status_names, &f.status, &req->err);
  f.parent = http_query_get(&req->query, "parent");
  f.q = http_query_get(&req->query, "q");
  if (!rc)
    rc = http_page(req, &page);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = org_list_json(c, &req->who, &f, &page, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_orgs_create(struct http_request *req, struct http_response *res)
{
  json_t *body, *out;
  struct org_input in;
  struct store_conn *c;
  char id[37];
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = org_input_from_json(body, false, &in, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = org_create(c, &req->who, &in, id, &req->err);
  if (!rc)
    rc = org_get_json(c, &req->who, id, &out, &req->err);
  json_decref(body);
  if (rc)
    return rc;
  http_header(res, "Location", "/api/v1/orgs/%s", id);
  return http_json(res, 201, out);
}

int api_orgs_get(struct http_request *req, struct http_response *res)
{
  return http_get_by_id(req, res, org_get_json);
}

int api_orgs_update(struct http_request *req, struct http_response *res)
{
  json_t *body, *out;
  struct org_input in;
  struct store_conn *c;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = org_input_from_json(body, true, &in, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  char id[37];
  if (!rc)
    rc = org_update(c, &req->who, req->params[0], &in, id, &req->err);
  if (!rc)
    rc = org_get_json(c, &req->who, id, &out, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 200, out);
}
