/* The SOC over HTTP: members send events; alerts are listed and streamed; sector alerts; the
 * engine's status; event sources. */
#include "http/api.h"

#include "core/jsonx.h"
#include "http/stream.h"
#include "soc/soc.h"
#include "auth/org.h"
#include "auth/policy.h"

#include <string.h>

static const char *const none[] = {NULL};

int api_events_post(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"format", "org", NULL};
  static const char *const formats[] = {"auto", "rfc5424", "rfc3164", "cef",
                                        "json", "kv",      "text",    NULL};
  const char *format, *org = http_query_get(&req->query, "org");
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "format", formats, &format, &req->err);
  if (rc)
    return rc;
  if (!req->svc->soc)
    return fs_err_set(&req->err, FS_ERR_BUSY, "soc", "the monitoring engine is not running");
  /* Events are the sender's organisation's; the hub may send on a member's behalf (the policy:
   * POLICY_SOC_EVENTS_SEND, for any organisation when org_id is NULL). */
  char org_id[37];
  snprintf(org_id, sizeof(org_id), "%s", req->who.org_id);
  struct policy_target any = {.org_id = NULL, .role = -1};
  if (org) {
    if (!policy_allows(&req->who, POLICY_SOC_EVENTS_SEND, &any))
      return fs_err_set(&req->err, FS_ERR_FORBIDDEN, "org",
                        "only the hub sends events for another organisation");
    struct store_conn *c;
    if ((rc = http_db(req, &c)) || (rc = org_resolve(c, org, org_id, &req->err)))
      return rc;
  }
  struct policy_target t = {.org_id = org_id, .role = -1};
  if (!policy_allows(&req->who, POLICY_SOC_EVENTS_SEND, &t))
    return fs_err_set(&req->err, FS_ERR_FORBIDDEN, "events", "the supervisor does not send events");
  struct soc_worker *w = soc_worker_new(req->svc->soc);
  if (!w)
    return fs_err_set(&req->err, FS_ERR_NOMEM, "soc", "out of memory");
  struct soc_batch st = {0};
  char source[80];
  snprintf(source, sizeof(source), "http:%s", req->remote);
  int fmt = detect_format_parse(format ? format : "auto");
  rc = soc_worker_process(w, org_id, source, (enum detect_format)(fmt < 0 ? 0 : fmt),
                          fs_buf_cstr(&req->body), req->body.len, &st, &req->err);
  soc_worker_free(w);
  if (rc)
    return rc;
  return http_json(res, 200,
                   json_pack("{s:I,s:I,s:I,s:I,s:I}", "records", (json_int_t)st.records, "parsed",
                             (json_int_t)st.parsed, "parse_errors", (json_int_t)st.parse_errors,
                             "alerts", (json_int_t)st.alerts, "bytes", (json_int_t)st.bytes));
}

int api_alerts_list(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"after", "limit", "kind", "org", NULL};
  static const char *const kinds[] = {"ioc", "sigma", "correlation", NULL};
  int64_t after, limit;
  const char *kind;
  struct store_conn *c;
  json_t *out;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "after", 0, INT64_MAX, 0, &after, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "limit", 1, 1000, 100, &limit, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "kind", kinds, &kind, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = soc_alerts_json(c, &req->who, after, limit, kind, http_query_get(&req->query, "org"), &out,
                         &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_alerts_stream(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"after", NULL};
  int64_t after;
  struct store_conn *c;
  json_t *probe = NULL;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "after", 0, INT64_MAX, -1, &after, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  /* Refuse at once what the stream would refuse on every poll (the supervisor). */
  if (!rc)
    rc = soc_alerts_json(c, &req->who, INT64_MAX - 1, 1, NULL, NULL, &probe, &req->err);
  json_decref(probe);
  if (!rc && after < 0)
    rc = soc_alerts_head(c, &after, &req->err);
  return rc ? rc : http_stream_start(req, res, after, soc_alerts_stream, NULL, NULL);
}

int api_alerts_sector(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"limit", NULL};
  int64_t limit;
  struct store_conn *c;
  json_t *out;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "limit", 1, 1000, 100, &limit, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = soc_sector_alerts_json(c, &req->who, limit, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_soc_status(struct http_request *req, struct http_response *res)
{
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc && !policy_allows(&req->who, POLICY_SOC_ENGINE_STATUS, NULL))
    rc =
        fs_err_set(&req->err, FS_ERR_FORBIDDEN, "soc", "the engine's state is for the hub's roles");
  if (!rc && !req->svc->soc)
    rc = fs_err_set(&req->err, FS_ERR_BUSY, "soc", "the monitoring engine is not running");
  if (rc)
    return rc;
  json_t *st = soc_engine_status(req->svc->soc);
  if (req->svc->listeners) /* counters and what the open connections hold */
    json_object_set_new(st, "listeners", soc_listeners_status(req->svc->listeners));
  return http_json(res, 200, st);
}

int api_soc_sources_list(struct http_request *req, struct http_response *res)
{
  return http_list(req, res, soc_sources_json);
}

int api_soc_sources_add(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"kind", "match", "org", NULL};
  json_t *body;
  const char *kind, *match, *org;
  struct store_conn *c;
  char id[37] = "";
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "kind", JSONX_REQUIRED, 8, &kind, &req->err);
  if (!rc)
    rc = jsonx_string(body, "match", JSONX_REQUIRED, 80, &match, &req->err);
  if (!rc)
    rc = jsonx_string(body, "org", JSONX_REQUIRED, 64, &org, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = soc_source_add(c, &req->who, kind, match, org, id, &req->err);
  json_t *out =
      rc ? NULL
         : json_pack("{s:s,s:s,s:s,s:s}", "id", id, "kind", kind, "match", match, "org", org);
  json_decref(body);
  return rc ? rc : http_json(res, 201, out);
}

/* POST /api/v1/soc/rules/reload: every node's engine loads its rule folder again. */
int api_soc_rules_reload(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  int64_t gen = 0;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = soc_rules_reload(c, &req->who, &gen, &req->err);
  return rc ? rc : http_json(res, 202, json_pack("{s:I}", "generation", (json_int_t)gen));
}

int api_soc_sources_remove(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = soc_source_remove(c, &req->who, req->params[0], &req->err);
  return rc ? rc
            : http_json(res, 200,
                        json_pack("{s:s,s:s}", "id", req->params[0], "status", "removed"));
}
