/* /api/v1/incidents: reporting, level review, workflow, case work, evidence, help from the
 * shared response teams, closing reports, publication and statistics. */
#include "http/api.h"

#include "core/jsonx.h"
#include "core/time.h"
#include "incident/incident.h"
#include "incident/notify.h"
#include "incident/team.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const none[] = {NULL};

/* The incident settings for this request: the configuration and the clock policy in force (the
 * running hub's, which follows edits of the file and keeps the last good policy through an
 * invalid one: the hub's configuration, not the caller, is at fault). */
static int env_for(struct http_request *req, struct incident_env **env)
{
  *env = fs_arena_alloc(&req->arena, sizeof(**env));
  if (!*env)
    return fs_err_set(&req->err, FS_ERR_NOMEM, "incident", "out of memory");
  int rc = incident_env_settings(*env, &req->hub->cfg, &req->err);
  if (!rc && req->svc->incident_policy)
    incident_policy_watch_get(req->svc->incident_policy, &(*env)->policy);
  else if (!rc)
    rc = incident_env_load(*env, &req->hub->cfg, &req->err);
  if (rc == FS_ERR_INVALID || rc == FS_ERR_PARSE) /* the hub's file, not the request's fault */
    rc = req->err.code = FS_ERR_INTERNAL;         /* where and msg name it as they are */
  /* Publications go into the intelligence store, as the publishing user. */
  struct hub_publish_ctx *pub = fs_arena_alloc(&req->arena, sizeof(*pub));
  struct store_conn *c;
  if (!rc && pub && !(rc = http_db(req, &c))) {
    pub->c = c;
    pub->who = &req->who;
    (*env)->publish.fn = hub_incident_publisher;
    (*env)->publish.ctx = pub;
  }
  return rc;
}

/* Common start of a handler: query parameters allowed, the connection and the settings. */
static int begin(struct http_request *req, const char *const *params, struct store_conn **c,
                 struct incident_env **env)
{
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_db(req, c);
  if (!rc && env)
    rc = env_for(req, env);
  return rc;
}

static int get_case(struct http_request *req, struct http_response *res, int status,
                    struct store_conn *c, struct incident_env *env, const char *id)
{
  json_t *out;
  int rc = incident_get_json(c, &req->who, env, id, &out, &req->err);
  if (rc)
    return rc;
  if (status == 201)
    http_header(res, "Location", "/api/v1/incidents/%s",
                json_string_value(json_object_get(out, "id")));
  return http_json(res, status, out);
}

int api_incidents_list(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"org",     "status", "category", "level",
                                       "overdue", "limit",  "after",    NULL};
  struct incident_filter f = {0};
  struct auth_page page;
  struct store_conn *c;
  struct incident_env *env;
  json_t *out;
  int64_t level = 0, overdue = 0;
  int rc = begin(req, params, &c, &env);
  if (!rc)
    rc = http_query_enum(&req->query, "status", incident_status_names, &f.status, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "category", incident_category_names, &f.category, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "level", 1, 4, 0, &level, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "overdue", 0, 1, 0, &overdue, &req->err);
  f.org = http_query_get(&req->query, "org");
  f.level = (int)level;
  f.overdue = overdue != 0;
  if (!rc)
    rc = http_page(req, &page);
  if (!rc)
    rc = incident_list_json(c, &req->who, env, &f, &page, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_incidents_report(struct http_request *req, struct http_response *res)
{
  json_t *body;
  struct store_conn *c;
  struct incident_env *env;
  char id[37];
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  struct incident_input *in = fs_arena_alloc(&req->arena, sizeof(*in));
  if (!in)
    rc = fs_err_set(&req->err, FS_ERR_NOMEM, "incident", "out of memory");
  if (!rc)
    rc = incident_input_from_json(body, false, in, &req->err);
  if (!rc)
    rc = begin(req, none, &c, &env);
  if (!rc)
    rc = incident_report(c, &req->who, env, in, id, &req->err);
  json_decref(body);
  return rc ? rc : get_case(req, res, 201, c, env, id);
}

int api_incidents_draft(struct http_request *req, struct http_response *res)
{
  json_t *body;
  struct store_conn *c;
  struct incident_env *env;
  char id[37];
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = begin(req, none, &c, &env);
  if (!rc)
    rc = incident_open_draft(c, &req->who, env, body, id, &req->err);
  json_decref(body);
  return rc ? rc : get_case(req, res, 201, c, env, id);
}

int api_incidents_get(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  struct incident_env *env;
  int rc = begin(req, none, &c, &env);
  return rc ? rc : get_case(req, res, 200, c, env, req->params[0]);
}

/* ---- changes -------------------------------------------------------------------------------
 * A change handler parses the JSON body (when the route takes one), runs one domain function and
 * answers with the case (then == NULL) or with one of its lists. */
typedef int (*case_list_fn)(struct store_conn *, const struct actor *, const char *, json_t **,
                            struct fs_err *);
typedef int (*change_fn)(struct http_request *req, struct store_conn *c,
                         const struct incident_env *env, json_t *body);

static int list_of(struct http_request *req, struct http_response *res, case_list_fn fn)
{
  struct store_conn *c;
  json_t *out;
  /* After a change (POST, PATCH) the query was checked by the change's own handler. */
  int rc = strcmp(req->method, "GET") ? http_db(req, &c) : begin(req, none, &c, NULL);
  if (!rc)
    rc = fn(c, &req->who, req->params[0], &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

enum { BODY_REQUIRED, BODY_OPTIONAL };

static int change_body(struct http_request *req, struct http_response *res, change_fn fn,
                       case_list_fn then, int status, int body_rule)
{
  json_t *body = NULL;
  struct store_conn *c;
  struct incident_env *env;
  int rc = req->body.len || body_rule == BODY_REQUIRED ? http_body_object(req, &body) : FS_OK;
  if (!rc)
    rc = begin(req, none, &c, &env);
  if (!rc)
    rc = fn(req, c, env, body);
  json_decref(body);
  if (rc)
    return rc;
  rc = then ? list_of(req, res, then) : get_case(req, res, 200, c, env, req->params[0]);
  if (!rc)
    res->status = status;
  return rc;
}

static int change(struct http_request *req, struct http_response *res, change_fn fn,
                  case_list_fn then, int status)
{
  return change_body(req, res, fn, then, status, BODY_REQUIRED);
}

static int update_fn(struct http_request *req, struct store_conn *c, const struct incident_env *env,
                     json_t *body)
{
  struct incident_input *in = fs_arena_alloc(&req->arena, sizeof(*in));
  if (!in)
    return fs_err_set(&req->err, FS_ERR_NOMEM, "incident", "out of memory");
  int rc = incident_input_from_json(body, true, in, &req->err);
  return rc ? rc : incident_update(c, &req->who, env, req->params[0], in, &req->err);
}

int api_incidents_update(struct http_request *req, struct http_response *res)
{
  return change(req, res, update_fn, NULL, 200);
}

static int level_fn(struct http_request *req, struct store_conn *c, const struct incident_env *env,
                    json_t *body)
{
  static const char *const keys[] = {"level", "reason", "version", NULL};
  int64_t level = 0, version = 0;
  bool has_version;
  const char *reason;
  int rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_int(body, "level", JSONX_REQUIRED, 1, 4, &level, NULL, &req->err);
  if (!rc)
    rc = jsonx_string(body, "reason", JSONX_NULLABLE | JSONX_MULTILINE, 2000, &reason, &req->err);
  if (!rc)
    rc = jsonx_int(body, "version", 0, 1, INT64_MAX, &version, &has_version, &req->err);
  return rc ? rc
            : incident_set_level(c, &req->who, env, req->params[0], (int)level, reason, has_version,
                                 version, &req->err);
}

int api_incidents_level(struct http_request *req, struct http_response *res)
{
  return change(req, res, level_fn, NULL, 200);
}

static int status_fn(struct http_request *req, struct store_conn *c, const struct incident_env *env,
                     json_t *body)
{
  static const char *const keys[] = {"status", "at", "note", "version", NULL};
  int status;
  int64_t at = 0, version = 0;
  bool has_version;
  const char *note;
  int rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_enum(body, "status", JSONX_REQUIRED, incident_status_names, &status, &req->err);
  if (!rc)
    rc = jsonx_time(body, "at", JSONX_NULLABLE, &at, NULL, &req->err);
  if (!rc)
    rc = jsonx_string(body, "note", JSONX_NULLABLE | JSONX_MULTILINE, 2000, &note, &req->err);
  if (!rc)
    rc = jsonx_int(body, "version", 0, 1, INT64_MAX, &version, &has_version, &req->err);
  return rc ? rc
            : incident_set_status(c, &req->who, env, req->params[0], status, at, note, has_version,
                                  version, &req->err);
}

int api_incidents_status(struct http_request *req, struct http_response *res)
{
  return change(req, res, status_fn, NULL, 200);
}

static int merge_fn(struct http_request *req, struct store_conn *c, const struct incident_env *env,
                    json_t *body)
{
  static const char *const keys[] = {"duplicate", NULL};
  const char *dup;
  int rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "duplicate", JSONX_REQUIRED, 64, &dup, &req->err);
  return rc ? rc : incident_merge(c, &req->who, env, req->params[0], dup, &req->err);
}

int api_incidents_merge(struct http_request *req, struct http_response *res)
{
  return change(req, res, merge_fn, NULL, 200);
}

int api_incidents_timeline(struct http_request *req, struct http_response *res)
{
  return list_of(req, res, incident_timeline_json);
}

static int note_fn(struct http_request *req, struct store_conn *c, const struct incident_env *env,
                   json_t *body)
{
  static const char *const keys[] = {"text", "at", NULL};
  const char *text;
  int64_t at = 0;
  int rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "text", JSONX_REQUIRED | JSONX_MULTILINE, 20000, &text, &req->err);
  if (!rc)
    rc = jsonx_time(body, "at", JSONX_NULLABLE, &at, NULL, &req->err);
  (void)env;
  return rc ? rc : incident_note_add(c, &req->who, req->params[0], text, at, &req->err);
}

int api_incidents_note(struct http_request *req, struct http_response *res)
{
  return change(req, res, note_fn, incident_timeline_json, 201);
}

int api_incidents_tasks(struct http_request *req, struct http_response *res)
{
  return list_of(req, res, incident_tasks_json);
}

static int task_add_fn(struct http_request *req, struct store_conn *c,
                       const struct incident_env *env, json_t *body)
{
  char tid[37];
  (void)env;
  return incident_task_add(c, &req->who, req->params[0], body, tid, &req->err);
}

int api_incidents_task_add(struct http_request *req, struct http_response *res)
{
  return change(req, res, task_add_fn, incident_tasks_json, 201);
}

static int task_update_fn(struct http_request *req, struct store_conn *c,
                          const struct incident_env *env, json_t *body)
{
  (void)env;
  return incident_task_update(c, &req->who, req->params[0], req->params[1], body, &req->err);
}

int api_incidents_task_update(struct http_request *req, struct http_response *res)
{
  return change(req, res, task_update_fn, incident_tasks_json, 200);
}

int api_incidents_observables(struct http_request *req, struct http_response *res)
{
  return list_of(req, res, incident_observables_json);
}

static int observables_fn(struct http_request *req, struct store_conn *c,
                          const struct incident_env *env, json_t *body)
{
  (void)env;
  return incident_observables_add(c, &req->who, req->params[0], body, &req->err);
}

int api_incidents_observables_add(struct http_request *req, struct http_response *res)
{
  return change(req, res, observables_fn, incident_observables_json, 201);
}

int api_incidents_evidence(struct http_request *req, struct http_response *res)
{
  return list_of(req, res, incident_evidence_json);
}

int api_incidents_evidence_add(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"name", NULL};
  struct store_conn *c;
  struct incident_env *env;
  char eid[37];
  int rc = begin(req, params, &c, &env);
  const char *name = http_query_get(&req->query, "name");
  if (!rc && !name)
    rc = fs_err_set(&req->err, FS_ERR_INVALID, "name", "give the file name as ?name=");
  const char *ct = http_request_header(req, "Content-Type");
  char media[128];
  snprintf(media, sizeof(media), "%s", ct && *ct ? ct : "application/octet-stream");
  media[strcspn(media, ";")] = '\0';
  if (!rc)
    rc = incident_evidence_add(c, &req->who, env, req->params[0], name, media, req->body.data,
                               req->body.len, eid, &req->err);
  if (rc)
    return rc;
  http_header(res, "Location", "/api/v1/incidents/%s/evidence/%s", req->params[0], eid);
  rc = list_of(req, res, incident_evidence_json);
  res->status = 201;
  return rc;
}

int api_incidents_evidence_get(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  struct incident_env *env;
  char *name = NULL, *media = NULL;
  int rc = begin(req, none, &c, &env);
  if (!rc) {
    fs_buf_reset(&res->body);
    res->body.max = (size_t)env->max_evidence_bytes + 1;
    rc = incident_evidence_read(c, &req->who, env, req->params[0], req->params[1], &res->body,
                                &name, &media, &req->err);
  }
  if (rc)
    return rc;
  res->status = 200;
  res->content_type = fs_arena_strdup(&req->arena, media);
  /* The stored name, percent-encoded (RFC 6266 / 5987). */
  char enc[150];
  size_t k = 0;
  for (const unsigned char *p = (const unsigned char *)name; *p && k + 4 < sizeof(enc); p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        *p == '.' || *p == '-' || *p == '_')
      enc[k++] = (char)*p;
    else
      k += (size_t)snprintf(enc + k, sizeof(enc) - k, "%%%02X", *p);
  }
  enc[k] = '\0';
  http_header(res, "Content-Disposition", "attachment; filename*=UTF-8''%s", enc);
  free(name);
  free(media);
  return res->content_type ? FS_OK : FS_ERR_NOMEM;
}

/* Handlers whose domain function answers with its own document. */
typedef int (*body_out_fn)(struct store_conn *, const struct actor *, const struct incident_env *,
                           const char *, json_t *, json_t **, struct fs_err *);

static int body_out(struct http_request *req, struct http_response *res, body_out_fn fn)
{
  json_t *body, *out;
  struct store_conn *c;
  struct incident_env *env;
  int rc = http_body_object(req, &body);
  if (!rc)
    rc = begin(req, none, &c, &env);
  if (!rc)
    rc = fn(c, &req->who, env, req->params[0], body, &out, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 201, out);
}

int api_incidents_help(struct http_request *req, struct http_response *res)
{
  return body_out(req, res, incident_help_request);
}

int api_incidents_matches(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"skills", NULL};
  struct store_conn *c;
  json_t *out;
  int rc = begin(req, params, &c, NULL);
  const char *list = http_query_get(&req->query, "skills");
  const char *skills[17] = {0};
  char *copy = list ? fs_arena_strdup(&req->arena, list) : NULL;
  size_t n = 0;
  for (char *p = copy; !rc && p && *p;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    if (n == 16)
      rc = fs_err_set(&req->err, FS_ERR_INVALID, "skills", "at most 16 skills");
    else if (*p)
      skills[n++] = p;
    p = comma ? comma + 1 : NULL;
  }
  if (!rc)
    rc = incident_match_json(c, &req->who, req->params[0], skills, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_incidents_assignments(struct http_request *req, struct http_response *res)
{
  return list_of(req, res, incident_assignments_json);
}

static int offer_fn(struct http_request *req, struct store_conn *c, const struct incident_env *env,
                    json_t *body)
{
  static const char *const keys[] = {"team", NULL};
  const char *team;
  char aid[37];
  int rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "team", JSONX_REQUIRED, 64, &team, &req->err);
  return rc ? rc : incident_offer(c, &req->who, env, req->params[0], team, aid, &req->err);
}

int api_incidents_offer(struct http_request *req, struct http_response *res)
{
  return change(req, res, offer_fn, incident_assignments_json, 201);
}

static int accept_fn(struct http_request *req, struct store_conn *c, const struct incident_env *env,
                     json_t *body)
{
  return incident_answer(c, &req->who, env, req->params[0], req->params[1], true, body, &req->err);
}

int api_incidents_accept(struct http_request *req, struct http_response *res)
{
  return change_body(req, res, accept_fn, incident_assignments_json, 200, BODY_OPTIONAL);
}

int api_incidents_decline(struct http_request *req, struct http_response *res)
{
  json_t *body = NULL;
  struct store_conn *c;
  struct incident_env *env;
  int rc = req->body.len ? http_body_object(req, &body) : FS_OK;
  if (!rc)
    rc = begin(req, none, &c, &env);
  if (!rc)
    rc = incident_answer(c, &req->who, env, req->params[0], req->params[1], false, body, &req->err);
  json_decref(body);
  /* A team that declined no longer sees the case: answer with the assignment alone. */
  return rc ? rc
            : http_json(res, 200,
                        json_pack("{s:s,s:s}", "id", req->params[1], "status", "declined"));
}

int api_incidents_report_get(struct http_request *req, struct http_response *res)
{
  return list_of(req, res, incident_closing_report_json);
}

static int report_fn(struct http_request *req, struct store_conn *c, const struct incident_env *env,
                     json_t *body)
{
  return incident_closing_report_save(c, &req->who, env, req->params[0], body, &req->err);
}

int api_incidents_report_save(struct http_request *req, struct http_response *res)
{
  return change(req, res, report_fn, incident_closing_report_json, 200);
}

int api_incidents_publications(struct http_request *req, struct http_response *res)
{
  return list_of(req, res, incident_publications_json);
}

int api_incidents_publish(struct http_request *req, struct http_response *res)
{
  return body_out(req, res, incident_publish);
}

int api_incidents_notifications(struct http_request *req, struct http_response *res)
{
  return list_of(req, res, notify_outbox_json);
}

int api_incidents_stats(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"from", "to", NULL};
  struct store_conn *c;
  struct incident_env *env;
  json_t *out;
  int64_t from = 0, to = 0;
  int rc = begin(req, params, &c, &env);
  const char *names[] = {"from", "to"};
  int64_t *dst[] = {&from, &to};
  for (int i = 0; i < 2 && !rc; i++) {
    const char *v = http_query_get(&req->query, names[i]);
    struct fs_err inner;
    if (v && fs_time_parse_ms(v, strlen(v), dst[i], &inner))
      rc = fs_err_set(&req->err, FS_ERR_INVALID, names[i], "not an RFC 3339 time: %s", inner.msg);
  }
  if (!rc)
    rc = incident_stats_json(c, &req->who, env, from, to, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_incidents_rules(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  struct incident_env *env;
  int rc = begin(req, none, &c, &env);
  if (rc)
    return rc;
  const struct incident_level_rule *rules;
  size_t n = incident_level_rules(&rules);
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arr, json_pack("{s:s,s:i,s:s,s:s}", "rule", rules[i].id, "level",
                                         rules[i].level, "en", rules[i].en, "zh", rules[i].zh));
  json_t *clocks = json_object();
  const struct incident_policy *p = &env->policy;
  for (size_t i = 0; i <= p->nindustries; i++) {
    const struct incident_clock_set *cs = i == 0 ? &p->def : &p->industries[i - 1].clocks;
    json_t *o = json_object();
    char d[24];
    incident_duration_format(cs->report_s, d);
    json_object_set_new(o, "report", json_string(d));
    for (int l = 0; l < 4; l++) {
      char key[24];
      snprintf(key, sizeof(key), "review_l%d", l + 1);
      incident_duration_format(cs->review_s[l], d);
      json_object_set_new(o, key, json_string(d));
      snprintf(key, sizeof(key), "recovery_l%d", l + 1);
      incident_duration_format(cs->recovery_s[l], d);
      json_object_set_new(o, key, json_string(d));
    }
    incident_duration_format(cs->investigation_s, d);
    json_object_set_new(o, "investigation", json_string(d));
    json_object_set_new(clocks, i == 0 ? "default" : p->industries[i - 1].industry, o);
  }
  return http_json(res, 200, json_pack("{s:o,s:o}", "levels", arr, "clocks", clocks));
}
