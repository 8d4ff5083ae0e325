/* The SOC over HTTP: members send events; alerts are listed and streamed; sector alerts; the
 * engine's status; event sources. */
#include "http/api.h"

#include "core/jsonx.h"
#include "core/time.h"
#include "http/stream.h"
#include "soc/soc.h"
#include "auth/org.h"
#include "auth/policy.h"

#include <stdio.h>
#include <stdlib.h>
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

/* An RFC 3339 time parameter as milliseconds (0 when absent). */
static int query_time(struct http_request *req, const char *key, int64_t *ms)
{
  const char *v = http_query_get(&req->query, key);
  *ms = 0;
  if (v && fs_time_parse_ms(v, strlen(v), ms, &req->err))
    return fs_err_set(&req->err, FS_ERR_INVALID, key, "%s must be an RFC 3339 time", key);
  return FS_OK;
}

/* What an alerts cursor is bound to: the list with every filter and the order, each field with
 * its length so that no two filters read alike (the stream's ids are the plain list's). */
static int alerts_list_name(struct http_request *req, const struct soc_alert_filter *f,
                            struct fs_buf *out)
{
  const char *const text[] = {f->kind, f->org, f->ref, f->value, f->source, f->status};
  int rc =
      fs_buf_appendf(out, "alerts\x1f%s\x1f%lld\x1f%lld", f->newest_first ? "newest" : "oldest",
                     (long long)f->since_ms, (long long)f->until_ms);
  for (size_t i = 0; !rc && i < FS_ARRAY_SIZE(text); i++)
    rc = text[i] ? fs_buf_appendf(out, "\x1f%zu:%s", strlen(text[i]), text[i])
                 : fs_buf_append_str(out, "\x1f-");
  return rc ? fs_err_set(&req->err, (enum fs_code)rc, "alerts", "out of memory") : FS_OK;
}

int api_alerts_list(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"after", "limit",  "kind",   "org",   "order", "ref",
                                       "value", "source", "status", "since", "until", NULL};
  static const char *const kinds[] = {"ioc", "sigma", "correlation", NULL};
  static const char *const orders[] = {"oldest", "newest", NULL};
  struct soc_alert_filter f = {0};
  const char *order, *cursor = http_query_get(&req->query, "after");
  int64_t next = 0, unused;
  struct store_conn *c;
  json_t *out = NULL;
  struct fs_buf list;
  fs_buf_init(&list, 0);
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "limit", 1, 1000, 100, &f.limit, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "kind", kinds, &f.kind, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "order", orders, &order, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "status", soc_alert_status_names, &f.status, &req->err);
  if (!rc)
    rc = query_time(req, "since", &f.since_ms);
  if (!rc)
    rc = query_time(req, "until", &f.until_ms);
  f.newest_first = !rc && order && !strcmp(order, "newest");
  f.org = http_query_get(&req->query, "org");
  f.ref = http_query_get(&req->query, "ref");
  f.value = http_query_get(&req->query, "value");
  f.source = http_query_get(&req->query, "source");
  if (!rc)
    rc = alerts_list_name(req, &f, &list);
  if (!rc && cursor)
    rc = http_cursor_open(req, "after", cursor, fs_buf_cstr(&list), &f.after, &unused);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = soc_alerts_json(c, &req->who, &f, &out, &next, &req->err);
  if (!rc) {
    char sealed[FS_CURSOR_LEN + 1];
    if (next)
      http_cursor_seal(req->hub, fs_buf_cstr(&list), next, 0, sealed);
    json_object_set_new(out, "next", next ? json_string(sealed) : json_null());
  }
  fs_buf_release(&list);
  return rc ? rc : http_json(res, 200, out);
}

int api_alert_get(struct http_request *req, struct http_response *res)
{
  return http_get_by_id(req, res, soc_alert_get_json);
}

int api_alert_review(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"status", "note", NULL};
  json_t *body, *out = NULL;
  const char *status, *note;
  struct store_conn *c;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "status", JSONX_REQUIRED, 32, &status, &req->err);
  if (!rc)
    rc = jsonx_string(body, "note", JSONX_NULLABLE | JSONX_MULTILINE, 1000, &note, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = soc_alert_review(c, &req->who, req->params[0], status, note, &out, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 200, out);
}

/* The stream's events: each alert with its position, sealed for the plain list, as the event id
 * (so that an id and the plain list's `next` may stand for each other). */
struct alert_events {
  const struct hub *hub;
  const char *list;
  struct fs_buf *out;
};

static int alert_event(void *ctx, json_t *item, int64_t pos)
{
  struct alert_events *ev = ctx;
  char id[FS_CURSOR_LEN + 1];
  http_cursor_seal(ev->hub, ev->list, pos, 0, id);
  char *text = json_dumps(item, JSON_COMPACT);
  int rc =
      text ? fs_buf_appendf(ev->out, "id: %s\nevent: alert\ndata: %s\n\n", id, text) : FS_ERR_NOMEM;
  free(text);
  return rc;
}

/* The stream's state: the hub and the plain list's name its ids are sealed for. */
struct alert_stream {
  const struct hub *hub;
  char list[64];
};

static int alerts_fetch(struct store_conn *c, const struct actor *who, void *ctx, int64_t *after,
                        struct fs_buf *out)
{
  struct alert_stream *st = ctx;
  struct alert_events ev = {st->hub, st->list, out};
  struct soc_alert_filter f = {.after = *after, .limit = 200};
  struct fs_err err;
  int64_t next;
  /* *after goes past the rows this reader does not see too (the last row read). */
  return soc_alerts_each(c, who, &f, alert_event, &ev, &next, after, &err);
}

int api_alerts_stream(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"after", NULL};
  const struct soc_alert_filter plain = {.limit = 1, .after = INT64_MAX - 1};
  int64_t after = -1, unused, next;
  const char *cursor = http_query_get(&req->query, "after");
  struct store_conn *c;
  json_t *probe = NULL;
  struct fs_buf list;
  fs_buf_init(&list, 0);
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = alerts_list_name(req, &plain, &list);
  if (!rc && cursor)
    rc = http_cursor_open(req, "after", cursor, fs_buf_cstr(&list), &after, &unused);
  if (!rc)
    rc = http_db(req, &c);
  /* Refuse at once what the stream would refuse on every poll (the supervisor). */
  if (!rc)
    rc = soc_alerts_json(c, &req->who, &plain, &probe, &next, &req->err);
  json_decref(probe);
  if (!rc && after < 0)
    rc = soc_alerts_head(c, &after, &req->err);
  struct alert_stream *st = rc ? NULL : calloc(1, sizeof(*st));
  if (!rc && (!st || list.len >= sizeof(st->list)))
    rc = fs_err_set(&req->err, FS_ERR_NOMEM, "alerts", "out of memory");
  if (!rc) {
    st->hub = req->hub;
    memcpy(st->list, list.data, list.len + 1);
  }
  fs_buf_release(&list);
  if (rc) {
    free(st);
    return rc;
  }
  return http_stream_start(req, res, after, st->list, alerts_fetch, st, free);
}

int api_alerts_sector(struct http_request *req, struct http_response *res)
{
  return http_list_paged(req, res, soc_sector_alerts_json);
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
  return http_list_paged(req, res, soc_sources_json);
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
