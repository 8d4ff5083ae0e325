/* Internal to http/: the server's state, shared by server.c (the libmicrohttpd glue: requests,
 * bodies, answers, errors) and admit.c (what a request must pass, from its headers alone, before
 * any of its body is read or memory reserved for it). */
#ifndef FS_HTTP_SERVER_H
#define FS_HTTP_SERVER_H

#include "http/http.h"

#include <stdatomic.h>

struct http_server {
  struct hub *hub;                /* may be NULL (see http_server_config) */
  const struct hub_services *svc; /* never NULL */
  const struct fs_config *cfg;
  const struct http_site *site;
  struct fs_log *log;
  struct MHD_Daemon *daemon;
  struct fs_metrics metrics;
  struct fs_log access;
  bool access_on;
  struct http_ratelimit *rl;
  struct http_ratelimit *rl_fail; /* failed authentications, by address */
  _Atomic int64_t nodes;          /* nodes sharing the database, as last counted by serve */
  struct taxii_page_cache *page_cache;
  struct http_export_cache *exports; /* ETags of the exports (api_exports.c) */
  struct http_streams *streams;
  char *tls_cert, *tls_key;
  int64_t started_ms;
  struct http_guard *guard;          /* deadlines of slow clients */
  _Atomic int64_t refused_logged_ns; /* when a refused connection was last logged */
  _Atomic int64_t body_held; /* bytes held by request bodies in flight, within body_budget */
  int64_t body_budget;       /* http.body_memory_bytes */
  struct fs_metric *req_by_class[6];
  struct fs_metric *duration, *in_flight, *rate_limited, *auth_failures, *store_unavailable;
  struct fs_metric *body_bytes, *body_refused, *conn_refused;
};

/* Decides from the request line and headers alone: the path and query (400), the route (404,
 * 405), a foreign Origin on a write (403), rate limits and the budget of failed authentications
 * (429), the token (401, 403), Accept (406), Content-Type (415) and the announced body size
 * against the caller's limit (413: a caller that is not authenticated has the small
 * http.max_anonymous_body_bytes). FS_OK when the request may go on: req->route, req->who (when
 * authenticated) and req->body.max (the caller's limit) are set. Otherwise res holds the
 * answer (status, body, headers) and the code is returned. */
int http_admit(struct http_request *req, struct http_response *res);

/* The exports' ETags (api_exports.c): made with the server, freed with it. A change that went
 * through the server (any successful POST, PATCH, PUT or DELETE) makes the next export request
 * read the store's position again. */
struct http_export_cache *http_export_cache_new(void);
void http_export_cache_free(struct http_export_cache *c);
void http_exports_changed(struct http_export_cache *c);

#endif
