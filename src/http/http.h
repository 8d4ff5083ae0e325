/* The hub's HTTP server (libmicrohttpd): what handlers see of a request and how they answer.
 * Handlers live in api_*.c, are listed in routes.c, and return an FS_ERR_* code; the server turns
 * a failure into a JSON error body with the matching status. Only http/ includes this. */
#ifndef FS_HTTP_HTTP_H
#define FS_HTTP_HTTP_H

#include "auth/actor.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/metrics.h"
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

struct http_request {
  struct http_server *srv;
  struct hub *hub;
  const struct hub_services *svc; /* serve's services: the SOC engine, listeners, clock policy */
  struct MHD_Connection *conn;
  const char *method;
  const char *path;           /* decoded path, without the query */
  char *raw_uri;              /* as received, with the query */
  struct fs_arena arena;      /* freed with the request */
  struct http_query query;
  struct fs_buf body;         /* capped at the caller's limit (see http_admit) */
  size_t charged;             /* bytes of the server's body budget it holds */
  struct http_response *refusal; /* the answer decided from the headers, sent after the body */
  size_t dropped;             /* bytes of a refused body read and dropped */
  struct http_guard_conn *guard; /* the deadlines of its connection (guard.h), may be NULL */
  const char *params[HTTP_MAX_PARAMS]; /* path segments matched by "{}" in the route */
  size_t nparams;
  struct actor who;
  bool authenticated;
  char remote[64];
  char request_id[20];
  const char *route;          /* the matched pattern, for logs and metrics */
  const struct http_route *matched; /* the route, found when the headers are in */
  bool path_known;            /* no route, but the path exists under another method (405) */
  char allow[64];             /* methods of that path, for the Allow header */
  int64_t start_ns;
  struct store_conn *db;      /* taken on first use (http_db), given back at the end */
  struct fs_err err;          /* details of a failure, for the error body */
  int status;                 /* sent status, for the access log */
  size_t sent_bytes;
};

struct MHD_Response;

struct http_response {
  int status;
  struct MHD_Response *custom; /* a streamed response made by the handler (http_stream_start) */
  struct fs_buf body;
  const char *content_type;
  struct {
    const char *name;
    char value[160];
  } headers[HTTP_MAX_HEADERS];
  size_t nheaders;
};

typedef int (*http_handler_fn)(struct http_request *req, struct http_response *res);

enum http_route_flags {
  HTTP_PUBLIC = 1 << 0,    /* no token needed */
  HTTP_JSON_BODY = 1 << 1, /* body must be application/json */
  HTTP_LOCAL_PUBLIC = 1 << 2, /* no token needed from a loopback address; a hub role otherwise */
  HTTP_TAXII = 1 << 3,        /* TAXII 2.1: its media types, error shape and body limit */
};

struct http_route {
  const char *method;   /* "GET", "POST", "PATCH", "DELETE" */
  const char *pattern;  /* "/api/v1/orgs/{}" */
  http_handler_fn fn;
  unsigned flags;
};

/* The route table (routes.c), terminated by an entry with method NULL. */
extern const struct http_route http_routes[];

/* Finds the route for method and path; fills params. Returns NULL with *path_known true when the
 * path exists under another method (405), false when it does not exist (404). */
const struct http_route *http_route_match(const char *method, const char *path,
                                          struct http_request *req, bool *path_known,
                                          char *allow, size_t allow_size);

/* The request's database connection, taken from the pool on first use. */
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

/* Server lifecycle (server.c). svc (the services serve started beside the hub) must outlive the
 * server. */
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
