/* System endpoints: health, metrics, the OpenAPI document, "me" (sessions are in
 * session.c). */
#include "http/api.h"

#include "auth/org.h"
#include "auth/user.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "soc/soc.h"

#include <string.h>

extern const unsigned char finshield_openapi_yaml[];
extern const size_t finshield_openapi_yaml_len;

static const char *const no_params[] = {NULL};

/* 200 when the node can read and write its database; 503 when it cannot reach it, or (a
 * standby, a read-only server: PostgreSQL) cannot write to it, so that a load balancer sends
 * requests to the nodes that can. `nodes`: the serve nodes sharing the database as this one last
 * counted them (its rate limits are shared among them). */
int api_healthz(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  bool writable = false;
  int64_t nodes = http_server_nodes(req->srv);
  int rc = http_db(req, &c);
  if (!rc)
    rc = store_writable(c, &writable, &req->err);
  if (rc) /* whatever the cause, the hub cannot serve: 503 */
    return fs_err_set(&req->err, FS_ERR_BUSY, "store", "database unavailable: %s", req->err.msg);
  if (!writable)
    return fs_err_set(&req->err, FS_ERR_BUSY, "store",
                      "the database is read-only (a standby): this node cannot write");
  return http_json(res, 200,
                   json_pack("{s:s,s:s,s:s,s:b,s:I,s:o}", "status", "ok", "version",
                             FINSHIELD_VERSION, "store", store_backend_name(req->hub->store),
                             "writable", writable, "nodes", (json_int_t)nodes, "time",
                             jsonx_time_new(hub_now(req->hub))));
}

int api_metrics(struct http_request *req, struct http_response *res)
{
  struct fs_metrics *m = http_server_metrics(req->srv);
  struct fs_metric *up =
      fs_metrics_gauge(m, "finshield_uptime_seconds", "Seconds since the server started", NULL);
  fs_metric_set(up, (fs_time_now_ms() - http_server_started_ms(req->srv)) / 1000);
  fs_metric_set(fs_metrics_gauge(m, "finshield_build_info", "Version of the running program",
                                 "version=\"" FINSHIELD_VERSION "\""),
                1);
  if (req->svc->listeners) {
    /* Syslog counters: what came in, and what was lost where it can be lost (UDP). */
    static const struct {
      const char *key, *name, *help;
    } syslog[] = {
        {"records", "finshield_syslog_records_total", "Syslog records received"},
        {"bytes", "finshield_syslog_bytes_total", "Syslog bytes received"},
        {"parse_errors", "finshield_syslog_parse_errors_total",
         "Syslog records that did not parse"},
        {"unknown_senders", "finshield_syslog_unknown_senders_total",
         "Syslog connections or datagrams from unregistered senders, refused"},
        {"udp_kernel_drops", "finshield_syslog_udp_drops_total",
         "UDP datagrams the kernel dropped because the hub could not keep up"},
        {"refused_connections", "finshield_syslog_refused_connections_total",
         "Syslog connections refused at soc.max_connections"},
        {"connections", "finshield_syslog_connections_total",
         "Syslog TCP and TLS connections accepted"},
    };
    json_t *st = soc_listeners_status(req->svc->listeners);
    for (size_t i = 0; i < FS_ARRAY_SIZE(syslog); i++)
      fs_metric_set(fs_metrics_counter(m, syslog[i].name, syslog[i].help, NULL),
                    json_integer_value(json_object_get(st, syslog[i].key)));
    json_decref(st);
  }
  int rc = fs_metrics_render(m, &res->body);
  res->content_type = "text/plain; version=0.0.4; charset=utf-8";
  return rc;
}

int api_openapi(struct http_request *req, struct http_response *res)
{
  (void)req;
  res->content_type = "application/yaml; charset=utf-8";
  return fs_buf_append(&res->body, finshield_openapi_yaml, finshield_openapi_yaml_len);
}

int api_me(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  json_t *user = NULL, *org = NULL;
  int rc = http_query_only(&req->query, no_params, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = user_get_json(c, &req->who, req->who.user_id, &user, &req->err);
  if (!rc)
    rc = org_get_json(c, &req->who, req->who.org_id, &org, &req->err);
  if (!rc)
    return http_json(
        res, 200,
        json_pack("{s:o,s:o,s:s}", "user", user, "org", org, "token_id", req->who.token_id));
  json_decref(user);
  json_decref(org);
  return rc;
}
