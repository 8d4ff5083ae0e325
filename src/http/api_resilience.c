/* /api/v1/resilience: drill evidence uploads (finshield vault drill --report-to) and the drill
 * status of an institution's core business services. */
#include "http/api.h"

#include "resilience/drill.h"
#include "resilience/register.h"

int api_drills_submit(struct http_request *req, struct http_response *res)
{
  static const char *const none[] = {NULL};
  json_t *body = NULL, *out;
  struct store_conn *c;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_body_object(req, &body);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = resil_drill_submit(c, &req->who, body, &out, &req->err);
  json_decref(body);
  if (rc)
    return rc;
  http_header(res, "Location", "/api/v1/registers/drill-evidence/%s",
              json_string_value(json_object_get(out, "id")));
  return http_json(res, 201, out);
}

int api_drills_status(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"org", "as_of", NULL};
  struct store_conn *c;
  json_t *out;
  int64_t as_of = 0;
  int rc = http_query_only(&req->query, params, &req->err);
  const char *a = http_query_get(&req->query, "as_of");
  if (!rc && a)
    rc = reg_parse_as_of(a, "as_of", &as_of, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = resil_drill_status_json(c, &req->who, http_query_get(&req->query, "org"), as_of,
                                 req->hub->cfg.resilience_drill_period_days, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}
