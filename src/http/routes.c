/* The hub's route table and site, and path matching. "{}" in a pattern matches one path segment
 * (1..128 bytes) and hands it to the handler in req->params. */
#include "http/http.h"

#include "auth/session.h"
#include "auth/token.h"
#include "http/api.h"

#include <stdio.h>
#include <string.h>

const struct http_route http_routes[] = {
    {"GET", "/", api_portal_index, HTTP_PUBLIC},
    {"GET", "/portal/{}", api_portal_file, HTTP_PUBLIC},
    {"GET", "/portal/{}/{}", api_portal_file, HTTP_PUBLIC},
    {"GET", "/api/v1/settings", api_settings, 0},
    {"GET", "/healthz", api_healthz, HTTP_PUBLIC},
    {"GET", "/metrics", api_metrics, HTTP_LOCAL_PUBLIC},
    {"GET", "/api/v1/openapi.yaml", api_openapi, HTTP_PUBLIC},
    {"POST", "/api/v1/session", api_session_create, HTTP_PUBLIC | HTTP_JSON_BODY},
    {"GET", "/api/v1/session", api_session_get, 0},
    {"DELETE", "/api/v1/session", api_session_delete, 0},
    {"GET", "/api/v1/me", api_me, 0},
    {"PATCH", "/api/v1/me", api_me_update, HTTP_JSON_BODY},
    {"GET", "/api/v1/orgs", api_orgs_list, 0},
    {"POST", "/api/v1/orgs", api_orgs_create, HTTP_JSON_BODY},
    {"GET", "/api/v1/orgs/{}", api_orgs_get, 0},
    {"PATCH", "/api/v1/orgs/{}", api_orgs_update, HTTP_JSON_BODY},
    {"GET", "/api/v1/users", api_users_list, 0},
    {"POST", "/api/v1/users", api_users_create, HTTP_JSON_BODY},
    {"GET", "/api/v1/users/{}", api_users_get, 0},
    {"PATCH", "/api/v1/users/{}", api_users_update, HTTP_JSON_BODY},
    {"POST", "/api/v1/users/{}/password", api_users_password, HTTP_JSON_BODY},
    {"POST", "/api/v1/users/{}/totp", api_users_totp_begin, 0},
    {"POST", "/api/v1/users/{}/totp/confirm", api_users_totp_confirm, HTTP_JSON_BODY},
    {"DELETE", "/api/v1/users/{}/totp", api_users_totp_disable, 0},
    {"GET", "/api/v1/tokens", api_tokens_list, 0},
    {"POST", "/api/v1/tokens", api_tokens_create, HTTP_JSON_BODY},
    {"DELETE", "/api/v1/tokens/{}", api_tokens_revoke, 0},
    {"GET", "/api/v1/audit", api_audit_list, 0},
    {"GET", "/api/v1/audit/verify", api_audit_verify, 0},
    {"GET", "/api/v1/audit/head", api_audit_head, 0},
    {"GET", "/api/v1/audit/stream", api_audit_stream, 0},
    {"GET", "/api/v1/intel/collections", api_intel_collections, 0},
    {"POST", "/api/v1/intel/collections", api_intel_collection_create, HTTP_JSON_BODY},
    {"POST", "/api/v1/intel/bundles", api_intel_bundle, HTTP_JSON_BODY},
    {"GET", "/api/v1/intel/objects/{}", api_intel_object, 0},
    {"GET", "/api/v1/intel/objects/{}/related", api_intel_related, 0},
    {"GET", "/api/v1/intel/search", api_intel_search, 0},
    {"GET", "/api/v1/intel/export", api_intel_export, 0},
    {"GET", "/api/v1/intel/exports/{}", api_intel_exports, 0},
    {"GET", "/api/v1/intel/correlations", api_intel_correlations, 0},
    {"GET", "/api/v1/intel/objects/{}/graph", api_intel_graph, 0},
    {"GET", "/api/v1/intel/feeds", api_feeds_list, 0},
    {"POST", "/api/v1/intel/feeds", api_feeds_add, HTTP_JSON_BODY},
    {"GET", "/api/v1/intel/feeds/{}", api_feeds_get, 0},
    {"PATCH", "/api/v1/intel/feeds/{}", api_feeds_update, HTTP_JSON_BODY},
    {"DELETE", "/api/v1/intel/feeds/{}", api_feeds_remove, 0},
    {"POST", "/api/v1/intel/feeds/{}/run", api_feeds_run, 0},
    {"POST", "/api/v1/intel/scores", api_scores_run, 0},
    {"GET", "/api/v1/intel/warninglists", api_warninglists_list, 0},
    {"POST", "/api/v1/intel/warninglists", api_warninglists_import, HTTP_JSON_BODY},
    {"PATCH", "/api/v1/intel/warninglists/{}", api_warninglists_update, HTTP_JSON_BODY},
    {"DELETE", "/api/v1/intel/warninglists/{}", api_warninglists_remove, 0},
    {"POST", "/api/v1/events", api_events_post, 0},
    {"GET", "/api/v1/alerts", api_alerts_list, 0},
    {"GET", "/api/v1/alerts/stream", api_alerts_stream, 0},
    {"GET", "/api/v1/alerts/sector", api_alerts_sector, 0},
    {"GET", "/api/v1/alerts/{}", api_alert_get, 0},
    {"POST", "/api/v1/alerts/{}/review", api_alert_review, HTTP_JSON_BODY},
    {"GET", "/api/v1/soc/status", api_soc_status, 0},
    {"GET", "/api/v1/soc/sources", api_soc_sources_list, 0},
    {"POST", "/api/v1/soc/sources", api_soc_sources_add, HTTP_JSON_BODY},
    {"DELETE", "/api/v1/soc/sources/{}", api_soc_sources_remove, 0},
    {"POST", "/api/v1/soc/rules/reload", api_soc_rules_reload, 0},
    {"GET", "/taxii2/", api_taxii_discovery, HTTP_TAXII},
    {"GET", "/taxii2/hub/", api_taxii_root, HTTP_TAXII},
    {"GET", "/taxii2/hub/status/{}/", api_taxii_status, HTTP_TAXII},
    {"GET", "/taxii2/hub/collections/", api_taxii_collections, HTTP_TAXII},
    {"GET", "/taxii2/hub/collections/{}/", api_taxii_collection, HTTP_TAXII},
    {"GET", "/taxii2/hub/collections/{}/objects/", api_taxii_objects_get, HTTP_TAXII},
    {"POST", "/taxii2/hub/collections/{}/objects/", api_taxii_objects_post,
     HTTP_TAXII | HTTP_JSON_BODY},
    {"GET", "/taxii2/hub/collections/{}/objects/{}/", api_taxii_object_get, HTTP_TAXII},
    {"DELETE", "/taxii2/hub/collections/{}/objects/{}/", api_taxii_object_delete, HTTP_TAXII},
    {"GET", "/taxii2/hub/collections/{}/objects/{}/versions/", api_taxii_versions, HTTP_TAXII},
    {"GET", "/taxii2/hub/collections/{}/manifest/", api_taxii_manifest, HTTP_TAXII},
    /* Incident response: the fixed paths before the "{}" ones. */
    {"GET", "/api/v1/incidents", api_incidents_list, 0},
    {"POST", "/api/v1/incidents", api_incidents_report, HTTP_JSON_BODY},
    {"GET", "/api/v1/incidents/stats", api_incidents_stats, 0},
    {"GET", "/api/v1/incidents/rules", api_incidents_rules, 0},
    {"POST", "/api/v1/incidents/drafts", api_incidents_draft, HTTP_JSON_BODY},
    {"GET", "/api/v1/incidents/{}", api_incidents_get, 0},
    {"PATCH", "/api/v1/incidents/{}", api_incidents_update, HTTP_JSON_BODY},
    {"POST", "/api/v1/incidents/{}/level", api_incidents_level, HTTP_JSON_BODY},
    {"POST", "/api/v1/incidents/{}/status", api_incidents_status, HTTP_JSON_BODY},
    {"POST", "/api/v1/incidents/{}/merge", api_incidents_merge, HTTP_JSON_BODY},
    {"GET", "/api/v1/incidents/{}/timeline", api_incidents_timeline, 0},
    {"POST", "/api/v1/incidents/{}/timeline", api_incidents_note, HTTP_JSON_BODY},
    {"GET", "/api/v1/incidents/{}/tasks", api_incidents_tasks, 0},
    {"POST", "/api/v1/incidents/{}/tasks", api_incidents_task_add, HTTP_JSON_BODY},
    {"PATCH", "/api/v1/incidents/{}/tasks/{}", api_incidents_task_update, HTTP_JSON_BODY},
    {"GET", "/api/v1/incidents/{}/observables", api_incidents_observables, 0},
    {"POST", "/api/v1/incidents/{}/observables", api_incidents_observables_add, HTTP_JSON_BODY},
    {"GET", "/api/v1/incidents/{}/evidence", api_incidents_evidence, 0},
    {"POST", "/api/v1/incidents/{}/evidence", api_incidents_evidence_add, 0},
    {"GET", "/api/v1/incidents/{}/evidence/{}", api_incidents_evidence_get, 0},
    {"POST", "/api/v1/incidents/{}/help", api_incidents_help, HTTP_JSON_BODY},
    {"GET", "/api/v1/incidents/{}/matches", api_incidents_matches, 0},
    {"GET", "/api/v1/incidents/{}/assignments", api_incidents_assignments, 0},
    {"POST", "/api/v1/incidents/{}/assignments", api_incidents_offer, HTTP_JSON_BODY},
    {"POST", "/api/v1/incidents/{}/assignments/{}/accept", api_incidents_accept, 0},
    {"POST", "/api/v1/incidents/{}/assignments/{}/decline", api_incidents_decline, 0},
    {"GET", "/api/v1/incidents/{}/closing-report", api_incidents_report_get, 0},
    {"POST", "/api/v1/incidents/{}/closing-report", api_incidents_report_save, HTTP_JSON_BODY},
    {"GET", "/api/v1/incidents/{}/publications", api_incidents_publications, 0},
    {"POST", "/api/v1/incidents/{}/publications", api_incidents_publish, HTTP_JSON_BODY},
    {"GET", "/api/v1/incidents/{}/notifications", api_incidents_notifications, 0},
    {"GET", "/api/v1/teams", api_teams_list, 0},
    {"POST", "/api/v1/teams", api_teams_create, HTTP_JSON_BODY},
    {"GET", "/api/v1/teams/{}", api_teams_get, 0},
    {"PATCH", "/api/v1/teams/{}", api_teams_update, HTTP_JSON_BODY},
    {"POST", "/api/v1/teams/{}/members", api_teams_member_add, HTTP_JSON_BODY},
    {"DELETE", "/api/v1/teams/{}/members/{}", api_teams_member_remove, 0},
    /* Registers (one set of handlers for every definition): fixed paths before "{}". */
    {"GET", "/api/v1/registers", api_registers_index, 0},
    {"GET", "/api/v1/registers/{}", api_registers_list, 0},
    {"POST", "/api/v1/registers/{}", api_registers_create, HTTP_JSON_BODY},
    {"GET", "/api/v1/registers/{}/schema", api_registers_schema, 0},
    {"GET", "/api/v1/registers/{}/export", api_registers_export, 0},
    {"GET", "/api/v1/registers/{}/summary", api_registers_summary, 0},
    {"POST", "/api/v1/registers/{}/import", api_registers_import, 0},
    {"GET", "/api/v1/registers/{}/{}", api_registers_get, 0},
    {"PATCH", "/api/v1/registers/{}/{}", api_registers_update, HTTP_JSON_BODY},
    {"GET", "/api/v1/registers/{}/{}/versions", api_registers_versions, 0},
    {"POST", "/api/v1/resilience/drills", api_drills_submit, HTTP_JSON_BODY},
    {"GET", "/api/v1/resilience/drills", api_drills_status, 0},
    {"GET", "/api/v1/supervision/scores", api_scores_list, 0},
    {"GET", "/api/v1/supervision/scores/{}", api_scores_get, 0},
    {"GET", "/api/v1/supervision/report", api_supervision_report, 0},
    /* Products (#15): fixed paths before "{}". */
    {"GET", "/api/v1/publications", api_publications_list, 0},
    {"POST", "/api/v1/publications", api_publications_create, HTTP_JSON_BODY},
    {"POST", "/api/v1/publications/import", api_publications_import, HTTP_JSON_BODY},
    {"GET", "/api/v1/publications/subscriptions", api_subscriptions_list, 0},
    {"POST", "/api/v1/publications/subscriptions", api_subscriptions_create, HTTP_JSON_BODY},
    {"DELETE", "/api/v1/publications/subscriptions/{}", api_subscriptions_delete, 0},
    {"GET", "/api/v1/publications/{}", api_publications_get, 0},
    {"PATCH", "/api/v1/publications/{}", api_publications_update, HTTP_JSON_BODY},
    {"POST", "/api/v1/publications/{}/{}", api_publications_action, 0},
    {"GET", "/api/v1/reports/stats", api_reports_stats, 0},
    {"GET", "/api/v1/reports/periodic", api_reports_periodic_list, 0},
    {"POST", "/api/v1/reports/periodic", api_reports_periodic_make, HTTP_JSON_BODY},
    {"GET", "/api/v1/reports/periodic/{}", api_reports_periodic_get, 0},
    {"POST", "/api/v1/attack/import", api_attack_import, HTTP_JSON_BODY},
    {"GET", "/api/v1/attack/techniques", api_attack_techniques, 0},
    {"POST", "/api/v1/attack/tags", api_attack_tag, HTTP_JSON_BODY},
    {"GET", "/api/v1/attack/counts", api_attack_counts, 0},
    {NULL, NULL, NULL, 0},
};

/* An API token of the hub's store (auth/token.h), or the portal's session cookie
 * (auth/session.h: a session token used within its idle time), checked with a pooled
 * connection. */
static int hub_authenticate(struct http_request *req, const char *token)
{
  struct store_conn *c;
  int rc = http_db(req, &c);
  if (!rc && req->cookie)
    return session_authenticate(c, &req->hub->auth, token, hub_now(req->hub), &req->who,
                                &req->idle_expires_ms, &req->err);
  return rc ? rc : token_authenticate(c, token, hub_now(req->hub), &req->who, &req->err);
}

const struct http_site http_hub_site = {
    .routes = http_routes,
    .authenticate = hub_authenticate,
    .realm = "finshield",
    .taxii_prefix = "/taxii2/",
    .session_cookie = SESSION_COOKIE,
};

/* Matches pattern against path; on success fills params (pointing into the arena). */
static bool match(const char *pattern, const char *path, struct http_request *req)
{
  size_t np = 0;
  const char *p = pattern, *s = path;
  while (*p && *s) {
    if (p[0] == '{' && p[1] == '}') {
      const char *end = strchr(s, '/');
      size_t n = end ? (size_t)(end - s) : strlen(s);
      if (n == 0 || n > 128 || np >= HTTP_MAX_PARAMS)
        return false;
      if (req) {
        req->params[np] = fs_arena_strndup(&req->arena, s, n);
        if (!req->params[np])
          return false;
      }
      np++;
      s += n;
      p += 2;
      continue;
    }
    if (*p != *s)
      return false;
    p++;
    s++;
  }
  /* A trailing slash is accepted ("/api/v1/orgs/" is "/api/v1/orgs"). */
  if (!*p && *s == '/' && !s[1])
    s++;
  if (*p || *s)
    return false;
  if (req)
    req->nparams = np;
  return true;
}

const struct http_route *http_route_match(const struct http_route *routes, const char *method,
                                          const char *path, struct http_request *req,
                                          bool *path_known, char *allow, size_t allow_size)
{
  *path_known = false;
  size_t used = 0;
  allow[0] = '\0';
  for (const struct http_route *r = routes; r->method; r++) {
    if (!match(r->pattern, path, NULL))
      continue;
    if (!strcmp(r->method, method) || (!strcmp(method, "HEAD") && !strcmp(r->method, "GET"))) {
      match(r->pattern, path, req);
      return r;
    }
    *path_known = true;
    used += (size_t)snprintf(allow + used, used < allow_size ? allow_size - used : 0, "%s%s",
                             used ? ", " : "", r->method);
  }
  return NULL;
}
