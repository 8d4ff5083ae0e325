/* The HTTP server (libmicrohttpd): what handlers see of a request and how they answer. One
 * server for every service of the program: the hub's API, TAXII and web (http_server_start, the
 * routes of routes.c) and the vault's continuity service (api_continuity.c), each a site (routes,
 * authentication, context) served with the same limits, TLS, logs and metrics. Handlers live in
 * api_*.c and return an FS_ERR_* code; the server turns a failure into a JSON error body with
 * the matching status. Only http/ includes this. */
#ifndef FS_HTTP_HTTP_H
#define FS_HTTP_HTTP_H

#include "auth/actor.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/cursor.h"
#include "core/err.h"
#include "core/metrics.h"
#include "core/net.h"
#include "http/query.h"
#include "hub/hub.h"
#include "store/store.h"

#include <jansson.h>

struct http_server;
struct http_ratelimit;
struct http_guard_conn;
struct MHD_Connection;

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 8

struct http_site;

struct http_request {
  struct http_server *srv;
  const struct http_site *site;   /* what the server serves (its routes, authentication, context) */
  struct hub *hub;                /* the hub's API: its hub; NULL for a service without one */
  const struct hub_services *svc; /* serve's services: the SOC engine, listeners, clock policy
                                     (never NULL; all NULL in a service without them) */
  struct MHD_Connection *conn;
  const char *method;
  const char *path;      /* decoded path, without the query */
  char *raw_uri;         /* as received, with the query */
  struct fs_arena arena; /* freed with the request */
  struct fs_query query;
  struct fs_buf body;            /* capped at the caller's limit (see http_admit) */
  size_t charged;                /* bytes of the server's body budget it holds */
  struct http_response *refusal; /* the answer decided from the headers, sent after the body */
  size_t dropped;                /* bytes of a refused body read and dropped */
  struct http_guard_conn *guard; /* the deadlines of its connection (guard.h), may be NULL */
  const char *params[HTTP_MAX_PARAMS]; /* path segments matched by "{}" in the route */
  size_t nparams;
  struct actor who;
  bool authenticated;
  bool cookie;             /* authenticated by the portal's session cookie (auth/session.h) */
  int64_t idle_expires_ms; /* with the cookie: when the session ends unless used again */
  char remote[64];
  char client[FS_CLIENT_KEY_MAX]; /* what limits count: fs_client_key(remote), an IPv6 /64 */
  char request_id[20];
  const char *route;                /* the matched pattern, for logs and metrics */
  const struct http_route *matched; /* the route, found when the headers are in */
  bool path_known;                  /* no route, but the path exists under another method (405) */
  char allow[64];                   /* methods of that path, for the Allow header */
  int64_t start_ns;
  struct store_conn *db; /* taken on first use (http_db), given back at the end */
  struct fs_err err;     /* details of a failure, for the error body */
  int status;            /* sent status, for the access log */
  size_t sent_bytes;
};

struct MHD_Response;

struct http_response {
  int status;
  struct MHD_Response *custom; /* a streamed response made by the handler (http_stream_start) */
  struct fs_buf body;
  const char *content_type;
  const char *csp;           /* Content-Security-Policy of the answer; NULL: HTTP_CSP */
  const char *cache_control; /* Cache-Control of the answer; NULL: no-store */
  struct {
    const char *name;
    char value[160];
  } headers[HTTP_MAX_HEADERS];
  size_t nheaders;
};

/* The Content-Security-Policy of every answer: our own scripts, styles, images and requests
 * only, no inline script or style, no plugin, no frame around our pages (the portal). */
#define HTTP_CSP                                                                                   \
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "                \
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "                      \
  "form-action 'self'; frame-ancestors 'none'"
/* That of a self-contained document the hub writes (a report with its styles and SVG inline, to
 * be saved and printed as it is): its inline styles and data: images, and nothing else. */
#define HTTP_CSP_DOCUMENT                                                                          \
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "                \
  "form-action 'none'; frame-ancestors 'none'"

typedef int (*http_handler_fn)(struct http_request *req, struct http_response *res);

enum http_route_flags {
  HTTP_PUBLIC = 1 << 0,       /* no token needed */
  HTTP_JSON_BODY = 1 << 1,    /* body must be application/json */
  HTTP_LOCAL_PUBLIC = 1 << 2, /* no token needed from a loopback address; a hub role otherwise */
  HTTP_TAXII = 1 << 3,        /* TAXII 2.1: its media types, error shape and body limit */
};

struct http_route {
  const char *method;  /* "GET", "POST", "PATCH", "DELETE" */
  const char *pattern; /* "/api/v1/orgs/{}" */
  http_handler_fn fn;
  unsigned flags;
};

/* The hub's route table (routes.c), terminated by an entry with method NULL. */
extern const struct http_route http_routes[];

/* What a server serves. */
struct http_site {
  const struct http_route *routes; /* terminated by an entry with method NULL */
  /* Checks a presented token (Bearer, or the password of HTTP Basic) and fills req->who: FS_OK,
   * FS_ERR_UNAUTHENTICATED (req->err set) when it is refused, another code when it cannot be
   * checked. Called only when the address's budget of failed authentications allows. */
  int (*authenticate)(struct http_request *req, const char *token);
  const char *realm;        /* of WWW-Authenticate */
  const char *taxii_prefix; /* paths answered in TAXII's error form even without a route, or NULL */
  const char *session_cookie; /* the portal's session cookie, read when no token is sent (then
                               * req->cookie; authenticate checks it as a session), or NULL */
  void *ctx;                  /* the caller's, for its handlers and authenticate (req->site->ctx) */
};

/* The hub's site: http_routes, API tokens (auth/token.h) and the portal's session cookie
 * (auth/session.h), realm "finshield", TAXII under /taxii2/. */
extern const struct http_site http_hub_site;

/* Finds the route of routes for method and path; fills params. Returns NULL with *path_known true
 * when the path exists under another method (405), false when it does not exist (404). */
const struct http_route *http_route_match(const struct http_route *routes, const char *method,
                                          const char *path, struct http_request *req,
                                          bool *path_known, char *allow, size_t allow_size);

/* The request's database connection, taken from the pool on first use (FS_ERR_INTERNAL on a
 * server without a hub). */
int http_db(struct http_request *req, struct store_conn **out);

/* Answers with a JSON document (steals doc) and the given status. */
int http_json(struct http_response *res, int status, json_t *doc);
/* Adds a response header (name must be static). */
void http_header(struct http_response *res, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Parses the request body as a JSON object (caller owns *out). */
int http_body_object(struct http_request *req, json_t **out);
/* Reads the common paging parameters "limit" (1..1000, default 100) and "after". */
struct auth_page;
int http_page(struct http_request *req, struct auth_page *page);
/* Answers GET of one resource named by the first path parameter: no query parameters, the
 * request's connection, and get() filling the JSON the actor may see (404 otherwise). */
typedef int (*http_get_json_fn)(struct store_conn *c, const struct actor *who, const char *id,
                                json_t **out, struct fs_err *err);
int http_get_by_id(struct http_request *req, struct http_response *res, http_get_json_fn get);
/* Answers GET of a whole list (no query parameters, no paging): the request's connection, and
 * list() filling the JSON the actor may see (its FS_ERR_FORBIDDEN otherwise). */
typedef int (*http_list_json_fn)(struct store_conn *c, const struct actor *who, json_t **out,
                                 struct fs_err *err);
int http_list(struct http_request *req, struct http_response *res, http_list_json_fn list);
/* The same for a list a page at a time: only `limit` and `after` in the query (http_page). */
typedef int (*http_page_json_fn)(struct store_conn *c, const struct actor *who,
                                 const struct auth_page *page, json_t **out, struct fs_err *err);
int http_list_paged(struct http_request *req, struct http_response *res, http_page_json_fn list);
/* The value of a request header (name in any case), or NULL; valid during the request. */
const char *http_request_header(const struct http_request *req, const char *name);

/* The REST lists' cursors (`next`, given back as `after`), sealed (core/cursor.h) with the hub's
 * key for list cursors, so that a position which may be a row the caller may not see tells
 * nothing. `list` names the list and its filters ("alerts\x1fioc\x1f<org>"): a cursor is good
 * only for the list and filters it was made for. */
void http_cursor_seal(const struct hub *hub, const char *list, int64_t a, int64_t b,
                      char out[FS_CURSOR_LEN + 1]);
/* Opens the cursor `text` sent as query parameter `param`: FS_ERR_INVALID (400) with req->err set
 * when it is not one this hub made for `list`. */
int http_cursor_open(struct http_request *req, const char *param, const char *text,
                     const char *list, int64_t *a, int64_t *b);

/* Fills res with the JSON error body for code and req->err. */
void http_error(struct http_request *req, struct http_response *res, int code);
/* Same with an explicit HTTP status (405, 406, 415) instead of the code's usual one. */
void http_error_status(struct http_request *req, struct http_response *res, int code, int status);

/* The event streams of the server (may be NULL). */
struct http_streams *http_server_streams(struct http_server *s);
/* The TAXII page cache of the server (may be NULL). */
struct taxii_page_cache *http_server_page_cache(struct http_server *s);
/* True when the server listens with TLS. */
bool http_server_tls(const struct http_server *s);

/* How a server is started: everything must outlive the server. */
struct http_server_config {
  const struct fs_config *cfg; /* listen, [http] limits, TLS files (relative to cfg->data_dir),
                                  access log and its format */
  const struct http_site *site;
  struct hub *hub;                /* the hub of the site's handlers, or NULL: no database, event
                                     streams or TAXII page cache; the time is the system's */
  const struct hub_services *svc; /* the services serve started beside the hub, or NULL: none */
  struct fs_log *log;             /* the server's own events (failures, refused connections) */
};

/* Starts serving: listens on cfg->listen (TLS when cfg->tls_cert is set), writes the URL it
 * listens at into url. FS_ERR_INVALID for an address that does not resolve, FS_ERR_IO when it
 * cannot be bound or a file cannot be read. */
int http_server_start_with(const struct http_server_config *c, struct http_server **out, char *url,
                           size_t url_size, struct fs_err *err);
/* The hub's server: http_hub_site over the hub's configuration and log, with svc (the services
 * serve started beside the hub; must outlive the server). */
int http_server_start(struct hub *hub, const struct hub_services *svc, struct http_server **out,
                      char *url, size_t url_size, struct fs_err *err);
void http_server_stop(struct http_server *s);

/* Metrics of the server, for /metrics. */
struct fs_metrics *http_server_metrics(struct http_server *s);
int64_t http_server_started_ms(const struct http_server *s);

/* Per-key token buckets (ratelimit.c). */
struct http_ratelimit *http_ratelimit_new(double per_second, double burst);
void http_ratelimit_free(struct http_ratelimit *rl);
/* True when key may make one more request now, and takes it; otherwise *retry_after_s says
 * when. A NULL rl allows everything. */
bool http_ratelimit_take(struct http_ratelimit *rl, const char *key, int64_t now_ns,
                         int *retry_after_s);
/* The same question without taking anything (a budget consulted before it is spent). */
bool http_ratelimit_peek(struct http_ratelimit *rl, const char *key, int64_t now_ns,
                         int *retry_after_s);
/* Gives this node its share of the limits when `nodes` serve the same database: the rate and the
 * burst divided by nodes (a burst at least 1), so that a key spread over every node, or sent to
 * one, never gets more than the configured limit in all. NULL rl: nothing. */
void http_ratelimit_share(struct http_ratelimit *rl, int64_t nodes);
/* Same for every limit of the server (serve calls it as nodes come and go). */
void http_server_share_limits(struct http_server *s, int64_t nodes);
/* The nodes the limits are shared among now (1 until serve counted them). */
int64_t http_server_nodes(struct http_server *s);

#endif
