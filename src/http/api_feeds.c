/* /api/v1/intel/feeds, /api/v1/intel/warninglists and /api/v1/intel/scores: the sources of
 * intelligence, their health and runs, the warninglists and the score pass (intel/feed.h). Who
 * may do what is the policy's (POLICY_FEED_*, POLICY_WARNINGLIST_MANAGE); every change is
 * audited by intel/. */
#include "http/api.h"

#include "core/jsonx.h"
#include "hub/hub.h"
#include "intel/feed.h"

#include <string.h>

static const char *const none[] = {NULL};

int api_feeds_list(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  json_t *list;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_feed_list_json(c, &req->who, &list, &req->err);
  return rc ? rc : http_json(res, 200, json_pack("{s:o}", "items", list));
}

int api_feeds_add(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {
      "name",        "kind",          "url",     "remote_collection", "collection", "reliability",
      "default_tlp", "every_seconds", "mapping", "secret_file",       NULL};
  static const char *const kinds[] = {"taxii", "misp", "csv", "submissions", NULL};
  static const char *const grades[] = {"A", "B", "C", "D", "E", "F", NULL};
  static const char *const tlps[] = {"clear", "green", "amber", "amber+strict", NULL};
  json_t *body;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  struct intel_feed_input in = {0};
  int kind = -1, grade = -1, tlp = -1;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "name", JSONX_REQUIRED, INTEL_FEED_NAME_MAX - 1, &in.name, &req->err);
  if (!rc)
    rc = jsonx_enum(body, "kind", JSONX_REQUIRED, kinds, &kind, &req->err);
  if (!rc)
    rc = jsonx_string(body, "url", 0, INTEL_FEED_URL_MAX - 1, &in.url, &req->err);
  if (!rc)
    rc = jsonx_string(body, "remote_collection", 0, 127, &in.remote_collection, &req->err);
  if (!rc)
    rc = jsonx_string(body, "collection", 0, INTEL_ALIAS_MAX - 1, &in.collection, &req->err);
  if (!rc)
    rc = jsonx_enum(body, "reliability", 0, grades, &grade, &req->err);
  if (!rc)
    rc = jsonx_enum(body, "default_tlp", 0, tlps, &tlp, &req->err);
  if (!rc)
    rc = jsonx_int(body, "every_seconds", 0, 0, 366 * 86400, &in.every_s, NULL, &req->err);
  if (!rc)
    rc = jsonx_string(body, "mapping", 0, 255, &in.mapping, &req->err);
  if (!rc)
    rc = jsonx_string(body, "secret_file", 0, INTEL_FEED_URL_MAX - 1, &in.secret_file, &req->err);
  in.kind = (enum intel_feed_kind)kind;
  in.reliability = grade >= 0 ? (char)('A' + grade) : 0;
  in.default_tlp = tlp >= 0 ? (enum tlp_level)(tlp + 1) : TLP_NONE;
  struct store_conn *c;
  char id[37];
  struct intel_feed f;
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_feed_add(c, &req->who, &in, id, &req->err);
  if (!rc)
    rc = intel_feed_get(c, &req->who, id, &f, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 201, intel_feed_json(&f));
}

int api_feeds_get(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"runs", NULL};
  struct store_conn *c;
  struct intel_feed f;
  json_t *runs = NULL;
  int64_t n;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "runs", 0, 100, 10, &n, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_feed_get(c, &req->who, req->params[0], &f, &req->err);
  if (!rc)
    rc = intel_feed_runs_json(c, &req->who, f.id, (size_t)n, &runs, &req->err);
  if (rc)
    return rc;
  json_t *o = intel_feed_json(&f);
  json_object_set_new(o, "runs", runs);
  return http_json(res, 200, o);
}

int api_feeds_update(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"enabled", NULL};
  json_t *body;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  bool enabled = true;
  struct store_conn *c;
  struct intel_feed f;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_bool(body, "enabled", JSONX_REQUIRED, &enabled, NULL, &req->err);
  json_decref(body);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_feed_enable(c, &req->who, req->params[0], enabled, &req->err);
  if (!rc)
    rc = intel_feed_get(c, &req->who, req->params[0], &f, &req->err);
  return rc ? rc : http_json(res, 200, intel_feed_json(&f));
}

int api_feeds_remove(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_feed_remove(c, &req->who, req->params[0], &req->err);
  return rc ? rc
            : http_json(res, 200,
                        json_pack("{s:s,s:s}", "id", req->params[0], "status", "removed"));
}

static json_t *stats_json(const struct intel_feed_stats *st)
{
  json_t *o =
      json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "events", (json_int_t)st->events,
                "read", (json_int_t)st->read, "indicators", (json_int_t)st->indicators, "created",
                (json_int_t)st->created, "merged", (json_int_t)st->merged, "flagged",
                (json_int_t)st->flagged, "blocked", (json_int_t)st->blocked, "invalid",
                (json_int_t)st->invalid, "skipped", (json_int_t)st->skipped, "stored",
                (json_int_t)st->stored, "refused", (json_int_t)st->refused);
  if (o && st->first_problem[0])
    json_object_set_new(o, "first_problem", json_string(st->first_problem));
  return o;
}

int api_feeds_run(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  struct intel_feed_env env;
  struct intel_feed_stats st;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = hub_feed_env(req->hub, &env, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_feed_run(c, &req->who, &env, req->params[0], req->who.now_ms, &st, &req->err);
  return rc ? rc : http_json(res, 200, stats_json(&st));
}

int api_scores_run(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  struct intel_feed_env env;
  size_t changed = 0;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = hub_feed_env(req->hub, &env, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_score_pass(c, &req->who, &env.score, req->who.now_ms, &changed, &req->err);
  return rc ? rc : http_json(res, 200, json_pack("{s:I}", "changed", (json_int_t)changed));
}

int api_warninglists_list(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  json_t *list;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_warninglist_list_json(c, &req->who, &list, &req->err);
  return rc ? rc : http_json(res, 200, json_pack("{s:o}", "items", list));
}

int api_warninglists_import(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"action", NULL};
  static const char *const actions[] = {"flag", "block", NULL};
  const char *action = NULL;
  struct store_conn *c;
  struct intel_wl_imported out;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "action", actions, &action, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_warninglist_import(
        c, &req->who, fs_buf_cstr(&req->body), req->body.len,
        action && !strcmp(action, "block") ? INTEL_WL_BLOCK : INTEL_WL_FLAG, &out, &req->err);
  if (rc)
    return rc;
  return http_json(res, 201,
                   json_pack("{s:s,s:I,s:I,s:s}", "name", out.name, "entries",
                             (json_int_t)out.entries, "cannot_match", (json_int_t)out.skipped,
                             "action", intel_wl_action_name(out.action)));
}

int api_warninglists_update(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"action", NULL};
  static const char *const actions[] = {"flag", "block", "off", NULL};
  json_t *body;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  int action = -1;
  struct store_conn *c;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_enum(body, "action", JSONX_REQUIRED, actions, &action, &req->err);
  json_decref(body);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_warninglist_set_action(c, &req->who, req->params[0], (enum intel_wl_action)action,
                                      &req->err);
  return rc ? rc
            : http_json(res, 200,
                        json_pack("{s:s,s:s}", "name", req->params[0], "action",
                                  intel_wl_action_name((enum intel_wl_action)action)));
}

int api_warninglists_remove(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  int rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_warninglist_remove(c, &req->who, req->params[0], &req->err);
  return rc ? rc
            : http_json(res, 200,
                        json_pack("{s:s,s:s}", "name", req->params[0], "status", "removed"));
}
