/* Handlers of the REST API /api/v1 and the system endpoints (internal to http/). Each is an
 * http_handler_fn; the routes are in routes.c and the contract in docs/openapi.yaml. */
#ifndef FS_HTTP_API_H
#define FS_HTTP_API_H

#include "http/http.h"

int api_healthz(struct http_request *req, struct http_response *res);
int api_metrics(struct http_request *req, struct http_response *res);
int api_openapi(struct http_request *req, struct http_response *res);
int api_session_create(struct http_request *req, struct http_response *res);
int api_session_delete(struct http_request *req, struct http_response *res);
int api_me(struct http_request *req, struct http_response *res);
/* The portal's files and the safe settings (api_portal.c). */
int api_portal_index(struct http_request *req, struct http_response *res);
int api_portal_file(struct http_request *req, struct http_response *res);
int api_settings(struct http_request *req, struct http_response *res);
/* Sessions and preferences (session.c). */
int api_session_get(struct http_request *req, struct http_response *res);
int api_me_update(struct http_request *req, struct http_response *res);
/* Adds the Set-Cookie header that makes the browser drop the session cookie. */
void http_session_cookie_clear(struct http_request *req, struct http_response *res);

int api_orgs_list(struct http_request *req, struct http_response *res);
int api_orgs_create(struct http_request *req, struct http_response *res);
int api_orgs_get(struct http_request *req, struct http_response *res);
int api_orgs_update(struct http_request *req, struct http_response *res);

int api_users_list(struct http_request *req, struct http_response *res);
int api_users_create(struct http_request *req, struct http_response *res);
int api_users_get(struct http_request *req, struct http_response *res);
int api_users_update(struct http_request *req, struct http_response *res);
int api_users_password(struct http_request *req, struct http_response *res);
int api_users_totp_begin(struct http_request *req, struct http_response *res);
int api_users_totp_confirm(struct http_request *req, struct http_response *res);
int api_users_totp_disable(struct http_request *req, struct http_response *res);

int api_tokens_list(struct http_request *req, struct http_response *res);
int api_tokens_create(struct http_request *req, struct http_response *res);
int api_tokens_revoke(struct http_request *req, struct http_response *res);

int api_audit_list(struct http_request *req, struct http_response *res);
int api_audit_verify(struct http_request *req, struct http_response *res);
int api_audit_head(struct http_request *req, struct http_response *res);
int api_audit_stream(struct http_request *req, struct http_response *res);

int api_intel_collections(struct http_request *req, struct http_response *res);
int api_intel_collection_create(struct http_request *req, struct http_response *res);
int api_intel_bundle(struct http_request *req, struct http_response *res);
int api_intel_object(struct http_request *req, struct http_response *res);
int api_intel_search(struct http_request *req, struct http_response *res);
int api_intel_related(struct http_request *req, struct http_response *res);
int api_intel_export(struct http_request *req, struct http_response *res);
int api_intel_exports(struct http_request *req, struct http_response *res);
int api_intel_correlations(struct http_request *req, struct http_response *res);
int api_intel_graph(struct http_request *req, struct http_response *res);

int api_events_post(struct http_request *req, struct http_response *res);
int api_alerts_list(struct http_request *req, struct http_response *res);
int api_alerts_stream(struct http_request *req, struct http_response *res);
int api_alerts_sector(struct http_request *req, struct http_response *res);
int api_alert_get(struct http_request *req, struct http_response *res);
int api_alert_review(struct http_request *req, struct http_response *res);
int api_soc_status(struct http_request *req, struct http_response *res);
int api_soc_sources_list(struct http_request *req, struct http_response *res);
int api_soc_sources_add(struct http_request *req, struct http_response *res);
int api_soc_rules_reload(struct http_request *req, struct http_response *res);
int api_soc_sources_remove(struct http_request *req, struct http_response *res);

int api_taxii_discovery(struct http_request *req, struct http_response *res);
int api_taxii_root(struct http_request *req, struct http_response *res);
int api_taxii_status(struct http_request *req, struct http_response *res);
int api_taxii_collections(struct http_request *req, struct http_response *res);
int api_taxii_collection(struct http_request *req, struct http_response *res);
int api_taxii_objects_get(struct http_request *req, struct http_response *res);
int api_taxii_objects_post(struct http_request *req, struct http_response *res);
int api_taxii_object_get(struct http_request *req, struct http_response *res);
int api_taxii_object_delete(struct http_request *req, struct http_response *res);
int api_taxii_versions(struct http_request *req, struct http_response *res);
int api_taxii_manifest(struct http_request *req, struct http_response *res);
/* The handler lists below keep their hand layout (clang-format would cascade their indent). */
/* clang-format off */
/* Incident response (api_incidents.c, api_teams.c). */
#define API_INCIDENT_HANDLERS(X)                                                                \
  X(incidents_list) X(incidents_report) X(incidents_draft) X(incidents_get) X(incidents_update)  \
  X(incidents_level) X(incidents_status) X(incidents_merge) X(incidents_timeline)                \
  X(incidents_note) X(incidents_tasks) X(incidents_task_add) X(incidents_task_update)           \
  X(incidents_observables) X(incidents_observables_add) X(incidents_evidence)                   \
  X(incidents_evidence_add) X(incidents_evidence_get) X(incidents_help) X(incidents_matches)     \
  X(incidents_assignments) X(incidents_offer) X(incidents_accept) X(incidents_decline)          \
  X(incidents_report_get) X(incidents_report_save) X(incidents_publications)                    \
  X(incidents_publish) X(incidents_notifications) X(incidents_stats) X(incidents_rules)         \
  X(teams_list) X(teams_create) X(teams_get) X(teams_update) X(teams_member_add)               \
  X(teams_member_remove)
/* Registers (api_registers.c): one set of handlers for every register definition. */
#define API_REGISTER_HANDLERS(X)                                                                \
  X(registers_index) X(registers_schema) X(registers_list) X(registers_create) X(registers_get) \
  X(registers_update) X(registers_versions) X(registers_export) X(registers_import)                        \
  X(registers_summary)                                                                          \
  X(drills_submit) X(drills_status) X(scores_list) X(scores_get) X(supervision_report)
/* Products (api_products.c): publications, statistics, periodic reports, ATT&CK. */
#define API_PRODUCT_HANDLERS(X)                                                                 \
  X(publications_list) X(publications_create) X(publications_get) X(publications_update)        \
  X(publications_action) X(publications_import) X(subscriptions_list) X(subscriptions_create)   \
  X(subscriptions_delete) X(reports_stats) X(reports_periodic_list) X(reports_periodic_make)    \
  X(reports_periodic_get) X(attack_import) X(attack_techniques) X(attack_tag) X(attack_counts)
/* Sources, warninglists and scores (api_feeds.c). */
#define API_FEED_HANDLERS(X)                                                                    \
  X(feeds_list) X(feeds_add) X(feeds_get) X(feeds_update) X(feeds_remove) X(feeds_run)          \
  X(scores_run) X(warninglists_list) X(warninglists_import) X(warninglists_update)              \
  X(warninglists_remove)
/* clang-format on */
/* Shared by the register and supervision handlers (api_registers.c): the optional `as_of` query
 * parameter read as the registers read it (reg_parse_as_of); 0 when absent. */
int api_as_of_param(struct http_request *req, int64_t *at);
#define API_X_DECL(name) int api_##name(struct http_request *req, struct http_response *res);
API_INCIDENT_HANDLERS(API_X_DECL)
API_REGISTER_HANDLERS(API_X_DECL)
API_PRODUCT_HANDLERS(API_X_DECL)
API_FEED_HANDLERS(API_X_DECL)
#undef API_X_DECL

#endif
