/* The libmicrohttpd glue: daemon options, per-request state, bodies (limits and the server's
 * memory budget), dispatch, error bodies, access log and metrics, for whichever site it serves
 * (the hub's, the vault's continuity service). What a request must pass before its body is read
 * is in admit.c. */
#include "http/server.h"

#include "core/encode.h"
#include "core/file.h"
#include "core/jsonx.h"
#include "core/mem.h"
#include "core/net.h"
#include "core/time.h"
#include "http/guard.h"
#include "http/stream.h"
#include "taxii/cache.h"
#include "taxii/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const double duration_bounds[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                         0.25,  0.5,   1,    2.5,   5,    10};

struct fs_metrics *http_server_metrics(struct http_server *s)
{
  return &s->metrics;
}

int64_t http_server_started_ms(const struct http_server *s)
{
  return s->started_ms;
}

struct http_streams *http_server_streams(struct http_server *s)
{
  return s->streams;
}

struct taxii_page_cache *http_server_page_cache(struct http_server *s)
{
  return s->page_cache;
}

bool http_server_tls(const struct http_server *s)
{
  return s->tls_cert != NULL;
}

int http_db(struct http_request *req, struct store_conn **out)
{
  if (!req->hub)
    return fs_err_set(&req->err, FS_ERR_INTERNAL, "store", "this service has no database");
  if (!req->db) {
    int rc = store_acquire(req->hub->store, &req->db, &req->err);
    if (rc)
      return rc;
  }
  *out = req->db;
  return FS_OK;
}

void http_header(struct http_response *res, const char *name, const char *fmt, ...)
{
  if (res->nheaders >= HTTP_MAX_HEADERS)
    return;
  res->headers[res->nheaders].name = name;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(res->headers[res->nheaders].value, sizeof(res->headers[0].value), fmt, ap);
  va_end(ap);
  res->nheaders++;
}

int http_json(struct http_response *res, int status, json_t *doc)
{
  if (!doc)
    return FS_ERR_INTERNAL; /* jansson refused a value (text that is not UTF-8) or memory ran out */
  fs_buf_reset(&res->body);
  int rc = jsonx_dump(doc, &res->body);
  json_decref(doc);
  if (rc)
    return rc;
  fs_buf_append_char(&res->body, '\n');
  res->status = status;
  res->content_type = "application/json; charset=utf-8";
  return FS_OK;
}

int http_body_object(struct http_request *req, json_t **out)
{
  if (!req->body.len)
    return fs_err_set(&req->err, FS_ERR_INVALID, "body", "the request needs a JSON body");
  return jsonx_parse_object(fs_buf_cstr(&req->body), req->body.len, out, &req->err);
}

/* The connection of a request that takes no query parameter (FS_ERR_INVALID naming one given). */
static int db_without_query(struct http_request *req, struct store_conn **c)
{
  static const char *const none[] = {NULL};
  int rc = http_query_only(&req->query, none, &req->err);
  return rc ? rc : http_db(req, c);
}

int http_get_by_id(struct http_request *req, struct http_response *res, http_get_json_fn get)
{
  struct store_conn *c = NULL;
  json_t *out;
  int rc = db_without_query(req, &c);
  if (!rc)
    rc = get(c, &req->who, req->params[0], &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int http_list(struct http_request *req, struct http_response *res, http_list_json_fn list)
{
  struct store_conn *c = NULL;
  json_t *out;
  int rc = db_without_query(req, &c);
  if (!rc)
    rc = list(c, &req->who, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int http_list_paged(struct http_request *req, struct http_response *res, http_page_json_fn list)
{
  static const char *const params[] = {"limit", "after", NULL};
  struct auth_page page;
  struct store_conn *c = NULL;
  json_t *out = NULL;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_page(req, &page);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = list(c, &req->who, &page, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

const char *http_request_header(const struct http_request *req, const char *name)
{
  return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int http_page(struct http_request *req, struct auth_page *page)
{
  page->after = http_query_get(&req->query, "after");
  return http_query_int(&req->query, "limit", 1, 1000, 100, &page->limit, &req->err);
}

void http_error(struct http_request *req, struct http_response *res, int code)
{
  http_error_status(req, res, code, fs_code_http_status((enum fs_code)code));
}

/* The body of an error whose own body could not be made: fixed text, nothing echoed. */
static void error_body_fixed(struct http_request *req, struct http_response *res, bool taxii)
{
  fs_buf_reset(&res->body);
  if (taxii)
    fs_buf_appendf(&res->body,
                   "{\"title\":\"internal error\",\"description\":\"the error response could "
                   "not be made\",\"error_code\":\"internal\",\"http_status\":500,"
                   "\"details\":{\"title_zh\":\"%s\",\"description_zh\":\"無法產生錯誤回應\"}}",
                   fs_code_message(FS_ERR_INTERNAL, true));
  else
    fs_buf_appendf(&res->body,
                   "{\"error\":{\"status\":500,\"code\":\"internal\",\"title\":\"internal error\","
                   "\"title_zh\":\"%s\",\"detail\":\"the error response could not be made\","
                   "\"detail_zh\":\"無法產生錯誤回應\",\"request_id\":\"%s\"}}\n",
                   fs_code_message(FS_ERR_INTERNAL, true), req->request_id);
  res->status = 500;
}

void http_error_status(struct http_request *req, struct http_response *res, int code, int status)
{
  struct fs_err *e = &req->err;
  if (e->code != (enum fs_code)code)
    fs_err_set(e, (enum fs_code)code, NULL, NULL);
  /* Input echoed in a message (a name, a value cut inside a character) becomes valid text. */
  fs_utf8_scrub(e->msg, strlen(e->msg));
  fs_utf8_scrub(e->msg_zh, strlen(e->msg_zh));
  fs_utf8_scrub(e->where, strlen(e->where));
  const char *tp = req->site->taxii_prefix;
  bool taxii = (req->matched && (req->matched->flags & HTTP_TAXII)) ||
               (tp && req->path && !strncmp(req->path, tp, strlen(tp)));
  res->nheaders = 0;
  if (taxii) {
    taxii_error_body(status, e, &res->body);
    res->status = status;
    res->content_type = TAXII_MEDIA_TYPE;
  } else {
    json_t *doc = json_pack(
        "{s:{s:i,s:s,s:s,s:s,s:s,s:s,s:s?,s:s}}", "error", "status", status, "code",
        fs_code_name((enum fs_code)code), "title", fs_code_message((enum fs_code)code, false),
        "title_zh", fs_code_message((enum fs_code)code, true), "detail",
        e->msg[0] ? e->msg : fs_code_message((enum fs_code)code, false), "detail_zh",
        e->msg[0] ? fs_err_msg(e, true) : fs_code_message((enum fs_code)code, true), "where",
        e->where[0] ? e->where : NULL, "request_id", req->request_id);
    http_json(res, status, doc);
  }
  /* An error never goes out as 2xx nor without its body. */
  if (!res->body.len || res->status != status)
    error_body_fixed(req, res, taxii);
  if (res->status == 503)
    http_header(res, "Retry-After", "1");
  /* Basic is offered to TAXII clients only: a browser asked for it would keep sending it. */
  if (res->status == 401 && taxii)
    http_header(res, "WWW-Authenticate", "Basic realm=\"%s\", Bearer realm=\"%s\"",
                req->site->realm, req->site->realm);
  else if (res->status == 401)
    http_header(res, "WWW-Authenticate", "Bearer realm=\"%s\"", req->site->realm);
}

/* ---- bodies ------------------------------------------------------------------------------ */

/* Takes n bytes of the server's budget for bodies in flight; false when they do not fit. */
static bool budget_take(struct http_server *s, int64_t n)
{
  int64_t held = atomic_load(&s->body_held);
  do {
    if (held + n > s->body_budget)
      return false;
  } while (!atomic_compare_exchange_weak(&s->body_held, &held, held + n));
  fs_metric_add(s->body_bytes, n);
  return true;
}

static void budget_give(struct http_server *s, int64_t n)
{
  atomic_fetch_sub(&s->body_held, n);
  fs_metric_add(s->body_bytes, -n);
}

/* Makes room for n more bytes of body within the caller's limit (FS_ERR_TOO_LARGE) and the
 * server's budget (FS_ERR_NOMEM); req->charged follows the buffer's capacity. */
static int body_grow(struct http_request *req, size_t n)
{
  struct http_server *s = req->srv;
  struct fs_buf *b = &req->body;
  if (n > b->max - b->len)
    return fs_err_set(&req->err, FS_ERR_TOO_LARGE, "body", "request body larger than %zu bytes",
                      b->max);
  size_t need = b->len + n + 1;
  if (need <= b->cap)
    return FS_OK;
  /* fs_buf doubles its capacity until it holds need: it ends below 2 * need (64 at least) and at
   * most max + 1. That much is taken from the budget first; what is not used is given back. */
  size_t bound = need < 32 ? 64 : 2 * need;
  if (bound > b->max + 1)
    bound = b->max + 1;
  if (bound > req->charged) {
    if (!budget_take(s, (int64_t)(bound - req->charged))) {
      fs_metric_add(s->body_refused, 1);
      return fs_err_set(&req->err, FS_ERR_NOMEM, "body",
                        "the hub's memory for request bodies in flight is in use; retry shortly");
    }
    req->charged = bound;
  }
  int rc = fs_buf_reserve(b, n);
  if (b->cap < req->charged) {
    budget_give(s, (int64_t)(req->charged - b->cap));
    req->charged = b->cap;
  }
  return rc ? fs_err_set(&req->err, (enum fs_code)rc, "body", "out of memory") : FS_OK;
}

/* Frees the body and gives its memory back to the budget. */
static void body_release(struct http_request *req)
{
  fs_buf_release(&req->body);
  if (req->charged)
    budget_give(req->srv, (int64_t)req->charged);
  req->charged = 0;
}

/* ---- per-request state ------------------------------------------------------------------- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
  struct http_server *s = cls;
  struct http_request *req = calloc(1, sizeof(*req));
  if (!req)
    return NULL;
  req->srv = s;
  req->site = s->site;
  req->hub = s->hub;
  req->svc = s->svc;
  req->conn = conn;
  req->raw_uri = strdup(uri ? uri : "");
  req->start_ns = fs_time_mono_ns();
  fs_arena_init(&req->arena, 4096, 1 << 20);
  fs_buf_init(&req->body, (size_t)s->cfg->max_body_bytes);
  uint8_t rid[8];
  fs_random(rid, sizeof(rid));
  fs_hex_encode(rid, sizeof(rid), req->request_id);
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (ci && ci->client_addr) {
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
      inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, req->remote,
                sizeof(req->remote));
    else if (sa->sa_family == AF_INET6)
      inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, req->remote,
                sizeof(req->remote));
  }
  fs_client_key(req->remote, req->client);
  req->guard = http_guard_of(conn);
  http_guard_head(req->guard);
  fs_metric_add(s->in_flight, 1);
  return req;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
  struct http_server *s = cls;
  struct http_request *req = *req_cls;
  if (!req)
    return;
  if (req->db)
    store_release(s->hub->store, req->db);
  http_guard_idle(req->guard);
  double secs = (double)(fs_time_mono_ns() - req->start_ns) / 1e9;
  int status = req->status ? req->status : 499; /* no answer: the client went away */
  fs_metric_add(s->in_flight, -1);
  fs_metric_add(s->req_by_class[status / 100 <= 5 ? status / 100 : 0], 1);
  fs_metric_observe(s->duration, secs);
  if (s->access_on) {
    const char *q = strchr(req->raw_uri, '?');
    FS_LOG(&s->access, FS_LOG_INFO, "http.access", FS_KV_STR("id", req->request_id),
           FS_KV_STR("remote", req->remote), FS_KV_STR("method", req->method ? req->method : "-"),
           FS_KV_STR("path", req->path ? req->path : req->raw_uri),
           FS_KV_STR("query", q ? q + 1 : ""), FS_KV_INT("status", status),
           FS_KV_INT("bytes", req->sent_bytes), FS_KV_INT("micros", (int64_t)(secs * 1e6)),
           FS_KV_STR("user", req->authenticated ? req->who.username : "-"),
           FS_KV_STR("org", req->authenticated ? req->who.org_id : "-"),
           FS_KV_STR("route", req->route ? req->route : "-"),
           FS_KV_INT("completed", toe == MHD_REQUEST_TERMINATED_COMPLETED_OK));
  }
  free(req->raw_uri);
  fs_arena_release(&req->arena);
  body_release(req);
  if (req->refusal) {
    fs_buf_release(&req->refusal->body);
    free(req->refusal);
  }
  free(req);
  *req_cls = NULL;
}

static enum MHD_Result send_response(struct http_request *req, struct http_response *res)
{
  size_t len = 0;
  struct MHD_Response *r = res->custom;
  if (!r) {
    char *body = fs_buf_detach(&res->body, &len);
    r = MHD_create_response_from_buffer_with_free_callback(len, body, free);
    if (!r) {
      free(body);
      return MHD_NO;
    }
  }
  MHD_add_response_header(
      r, "Content-Type", res->content_type ? res->content_type : "application/json; charset=utf-8");
  MHD_add_response_header(r, "X-Request-Id", req->request_id);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Cache-Control", res->cache_control ? res->cache_control : "no-store");
  /* The portal's pages run only our own scripts and styles, in no frame (docs/security.md). */
  MHD_add_response_header(r, "Content-Security-Policy", res->csp ? res->csp : HTTP_CSP);
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  for (size_t i = 0; i < res->nheaders; i++)
    MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
  req->status = res->status;
  req->sent_bytes = len;
  http_guard_answer(req->guard);
  enum MHD_Result ok = MHD_queue_response(req->conn, (unsigned)res->status, r);
  MHD_destroy_response(r);
  return ok;
}

/* "//api/v1/orgs" is "/api/v1/orgs": repeated slashes collapse. The copy lives in the arena. */
static const char *normalize_path(struct http_request *req, const char *url)
{
  char *path = fs_arena_strdup(&req->arena, url);
  if (!path)
    return url;
  char *w = path;
  for (const char *r = path; *r; r++)
    if (!(*r == '/' && w > path && w[-1] == '/'))
      *w++ = *r;
  *w = '\0';
  return path;
}

/* Bytes of a refused request's body read and dropped before the connection is closed instead:
 * enough for ordinary clients (which write the whole body before reading) to see the answer. */
static size_t drop_max(const struct http_request *req)
{
  return 4 * req->body.max + (1 << 20);
}

/* Answers a request refused before its body: at once when no body is on its way, when it is
 * too large to drop or the client waits for "100 Continue" (libmicrohttpd then closes the
 * connection after the answer); otherwise once the body has been read and dropped. */
static enum MHD_Result refuse(struct http_request *req, struct http_response *res,
                              unsigned long long pending)
{
  const char *expect = http_request_header(req, "Expect");
  if (pending && pending <= drop_max(req) && !(expect && !strcasecmp(expect, "100-continue")) &&
      (req->refusal = malloc(sizeof(*res)))) {
    *req->refusal = *res;
    return MHD_YES;
  }
  enum MHD_Result ok = send_response(req, res);
  fs_buf_release(&res->body);
  return ok;
}

/* First call: the line and headers are in. Nothing of the body has been read yet. */
static enum MHD_Result on_headers(struct http_request *req)
{
  const char *cl = http_request_header(req, "Content-Length");
  unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;
  bool chunked = http_request_header(req, "Transfer-Encoding");
  struct http_response res = {0};
  fs_buf_init(&res.body, 64 * 1024);
  int rc = http_admit(req, &res);
  if (!rc && announced) {
    /* One reservation of the announced size, counted in the budget (a wrong announcement only
     * costs the buffer growing as usual). */
    if (!(rc = body_grow(req, (size_t)announced))) {
      if (announced >= FS_MEM_HUGE_MIN)
        fs_mem_prefer_huge_pages(req->body.data, req->body.cap);
    } else {
      http_error(req, &res, rc);
    }
  }
  if (announced || chunked)
    http_guard_body(req->guard); /* admitted or dropped, the body must come at the minimum rate */
  else
    http_guard_answer(req->guard);
  if (rc)
    return refuse(req, &res, announced ? announced : chunked);
  fs_buf_release(&res.body);
  /* The token was checked with a pooled connection: a slow body must not hold it. */
  if ((announced || chunked) && req->db) {
    store_release(req->hub->store, req->db);
    req->db = NULL;
  }
  return MHD_YES;
}

/* A piece of body: kept within the limits, or dropped when the request is refused. */
static enum MHD_Result on_body(struct http_request *req, const char *data, size_t n)
{
  http_guard_bytes(req->guard, n);
  if (req->refusal || req->status) {
    req->dropped += n;
    return req->dropped <= drop_max(req) ? MHD_YES : MHD_NO; /* MHD_NO closes the connection */
  }
  int rc = body_grow(req, n);
  if (!rc) {
    fs_buf_append(&req->body, data, n); /* the room is there */
    return MHD_YES;
  }
  body_release(req);
  req->dropped = n;
  struct http_response res = {0};
  fs_buf_init(&res.body, 64 * 1024);
  http_error(req, &res, rc);
  return refuse(req, &res, 1);
}

/* Last call: the whole body is in; the handler answers. */
static enum MHD_Result dispatch(struct http_request *req)
{
  struct http_server *s = req->srv;
  http_guard_answer(req->guard); /* the body is in: the time is ours now */
  const struct http_route *route = req->matched;
  req->who.now_ms = req->hub ? hub_now(req->hub) : fs_time_now_ms();
  struct http_response res = {.status = 200};
  fs_buf_init(&res.body, 256 * 1024 * 1024);
  int rc = route->fn(req, &res);
  if (req->db && store_in_tx(req->db))
    store_rollback(req->db); /* a handler that failed half-way leaves nothing behind */
  body_release(req);         /* the answer may take long to send: give the memory back now */
  if (!rc && !res.custom && (res.status < 200 || res.status > 299) && res.status != 304)
    rc = fs_err_set(&req->err, FS_ERR_INTERNAL, route->pattern, "no answer was made");
  if (!rc && strcmp(req->method, "GET") && strcmp(req->method, "HEAD"))
    http_exports_changed(s->exports); /* a change may have gone through: exports revalidate */
  if (rc) {
    if (rc == FS_ERR_BUSY || rc == FS_ERR_NO_SPACE)
      fs_metric_add(s->store_unavailable, 1);
    if (rc == FS_ERR_INTERNAL || rc == FS_ERR_IO || rc == FS_ERR_CORRUPT)
      FS_LOG(s->log, FS_LOG_ERROR, "http.failure", FS_KV_STR("id", req->request_id),
             FS_KV_STR("route", route->pattern), FS_KV_STR("where", req->err.where),
             FS_KV_STR("msg", req->err.msg));
    http_error(req, &res, rc);
  }
  enum MHD_Result ok = send_response(req, &res);
  fs_buf_release(&res.body);
  return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
  (void)cls;
  (void)conn;
  (void)version;
  struct http_request *req = *req_cls;
  if (!req)
    return MHD_NO;
  if (!req->method) {
    req->method = method;
    req->path = normalize_path(req, url);
    req->matched = http_route_match(req->site->routes, req->method, req->path, req,
                                    &req->path_known, req->allow, sizeof(req->allow));
    return on_headers(req);
  }
  if (*upload_data_size) {
    size_t n = *upload_data_size;
    *upload_data_size = 0;
    return on_body(req, upload_data, n);
  }
  if (req->status)
    return MHD_YES; /* answered already */
  if (req->refusal) {
    enum MHD_Result ok = send_response(req, req->refusal);
    fs_buf_release(&req->refusal->body);
    free(req->refusal);
    req->refusal = NULL;
    return ok;
  }
  return dispatch(req);
}

__attribute__((format(printf, 2, 0))) static void on_mhd_error(void *cls, const char *fmt,
                                                               va_list ap)
{
  struct http_server *s = cls;
  char msg[512];
  vsnprintf(msg, sizeof(msg), fmt, ap);
  size_t n = strlen(msg);
  while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
    msg[--n] = '\0';
  /* A connection closed at http.max_connections or max_connections_per_address (MHD says the
   * same for both): counted, and logged at most once a minute, so that a flood of connections
   * does not flood the log too. */
  if (strstr(msg, "connection limit")) {
    fs_metric_add(s->conn_refused, 1);
    int64_t now = fs_time_mono_ns(), last = atomic_load(&s->refused_logged_ns);
    if ((last && now - last < 60 * 1000000000LL) ||
        !atomic_compare_exchange_strong(&s->refused_logged_ns, &last, now))
      return;
    FS_LOG(s->log, FS_LOG_WARN, "http.refused", FS_KV_STR("msg", msg),
           FS_KV_INT("total", s->conn_refused ? atomic_load(&s->conn_refused->value) : 0));
    return;
  }
  FS_LOG(s->log, FS_LOG_WARN, "http.mhd", FS_KV_STR("msg", msg));
}

static int load_pem(const struct fs_config *cfg, const char *path, char **out, struct fs_err *err)
{
  char full[FS_CONFIG_PATH_MAX + 64];
  if (fs_config_path(cfg, path, full, sizeof(full)))
    return fs_err_set(err, FS_ERR_INVALID, path, "path too long");
  struct fs_buf b;
  fs_buf_init(&b, 1 << 20);
  int rc = fs_file_read_all(full, &b, err);
  if (rc) {
    fs_buf_release(&b);
    return rc;
  }
  *out = fs_buf_detach(&b, NULL);
  return FS_OK;
}

int http_server_start(struct hub *hub, const struct hub_services *svc, struct http_server **out,
                      char *url, size_t url_size, struct fs_err *err)
{
  const struct http_server_config c = {&hub->cfg, &http_hub_site, hub, svc, &hub->log};
  return http_server_start_with(&c, out, url, url_size, err);
}

int http_server_start_with(const struct http_server_config *c, struct http_server **out, char *url,
                           size_t url_size, struct fs_err *err)
{
  const struct fs_config *cfg = c->cfg;
  struct hub *hub = c->hub;
  char host[128];
  uint16_t port;
  int rc = fs_hostport_parse(cfg->listen, host, sizeof(host), &port, err);
  if (rc)
    return rc;
  struct addrinfo hints = {
      .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
  struct addrinfo *ai = NULL;
  char portstr[8];
  snprintf(portstr, sizeof(portstr), "%u", port);
  if (getaddrinfo(host, portstr, &hints, &ai) || !ai)
    return fs_err_set(err, FS_ERR_INVALID, "[http] listen", "cannot resolve \"%s\"", host);

  struct http_server *s = calloc(1, sizeof(*s));
  if (!s) {
    freeaddrinfo(ai);
    return fs_err_set(err, FS_ERR_NOMEM, "http", "out of memory");
  }
  s->hub = hub;
  s->cfg = cfg;
  s->site = c->site;
  s->log = c->log;
  static const struct hub_services no_services;
  s->svc = c->svc ? c->svc : &no_services;
  s->started_ms = fs_time_now_ms();
  fs_metrics_init(&s->metrics);
  static const char *const classes[] = {"code=\"other\"", "code=\"1xx\"", "code=\"2xx\"",
                                        "code=\"3xx\"",   "code=\"4xx\"", "code=\"5xx\""};
  for (int i = 0; i < 6; i++)
    s->req_by_class[i] = fs_metrics_counter(&s->metrics, "finshield_http_requests_total",
                                            "HTTP requests answered, by status class", classes[i]);
  s->duration = fs_metrics_histogram(&s->metrics, "finshield_http_request_duration_seconds",
                                     "Time from request to response", NULL, duration_bounds,
                                     FS_ARRAY_SIZE(duration_bounds));
  s->in_flight = fs_metrics_gauge(&s->metrics, "finshield_http_requests_in_flight",
                                  "Requests being handled", NULL);
  s->rate_limited = fs_metrics_counter(&s->metrics, "finshield_http_rate_limited_total",
                                       "Requests refused by the rate limit", NULL);
  s->auth_failures = fs_metrics_counter(&s->metrics, "finshield_http_auth_failures_total",
                                        "Requests with a missing or invalid token", NULL);
  s->store_unavailable =
      fs_metrics_counter(&s->metrics, "finshield_store_unavailable_total",
                         "Requests refused because the database was busy or full", NULL);
  s->body_bytes = fs_metrics_gauge(&s->metrics, "finshield_http_body_bytes",
                                   "Memory held by request bodies in flight (announced sizes are "
                                   "reserved), within http.body_memory_bytes",
                                   NULL);
  s->body_refused = fs_metrics_counter(&s->metrics, "finshield_http_body_memory_refused_total",
                                       "Requests answered 503 because their body did not fit in "
                                       "http.body_memory_bytes",
                                       NULL);
  s->body_budget = cfg->body_memory_bytes;
  s->conn_refused = fs_metrics_counter(&s->metrics, "finshield_http_connections_refused_total",
                                       "Connections closed at once at http.max_connections or "
                                       "http.max_connections_per_address",
                                       NULL);
  if (cfg->rate_per_second > 0)
    s->rl = http_ratelimit_new((double)cfg->rate_per_second, (double)cfg->rate_burst);
  if (cfg->auth_failures_per_minute > 0)
    s->rl_fail = http_ratelimit_new((double)cfg->auth_failures_per_minute / 60.0,
                                    (double)cfg->auth_failure_burst);
  s->exports = http_export_cache_new();
  if (hub && cfg->taxii_page_cache_mb > 0)
    s->page_cache = taxii_page_cache_new((size_t)cfg->taxii_page_cache_mb << 20);
  s->access_on = strcmp(cfg->access_log, "off") != 0;
  if (s->access_on &&
      fs_log_open(&s->access, cfg->access_log, FS_LOG_INFO, !strcmp(cfg->log_format, "json"))) {
    rc = fs_err_set(err, FS_ERR_IO, cfg->access_log, "cannot open the access log");
    goto fail;
  }
  bool tls = cfg->tls_cert[0] != '\0';
  if (tls && ((rc = load_pem(cfg, cfg->tls_cert, &s->tls_cert, err)) ||
              (rc = load_pem(cfg, cfg->tls_key, &s->tls_key, err))))
    goto fail;

  s->guard = http_guard_new(&s->metrics, cfg->head_timeout_s,
                            cfg->connection_timeout_s + cfg->head_timeout_s, cfg->body_min_rate);
  if (!s->guard) {
    rc = fs_err_set(err, FS_ERR_NOMEM, "http", "cannot start the connection guard");
    goto fail;
  }
  s->streams = hub ? http_streams_new(hub) : NULL;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                   MHD_ALLOW_SUSPEND_RESUME;
  if (ai->ai_family == AF_INET6)
    flags |= MHD_USE_IPv6;
  if (tls)
    flags |= MHD_USE_TLS;
  struct MHD_OptionItem opts[] = {
      {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_error, s}, /* first: MHD asks for it */
      {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)cfg->http_threads, NULL},
      {MHD_OPTION_SOCK_ADDR, 0, ai->ai_addr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)(cfg->max_header_bytes + 16384), NULL},
      {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)cfg->max_connections, NULL},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)cfg->max_connections_per_address, NULL},
      {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)http_guard_notify, s->guard},
      {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)cfg->connection_timeout_s, NULL},
      {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, s},
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s},
      /* TLS options last: without TLS the first of them ends the array. */
      {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->tls_cert},
      {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, s->tls_key},
      {tls ? MHD_OPTION_HTTPS_PRIORITIES : MHD_OPTION_END, 0,
       (void *)(uintptr_t) "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"},
      {MHD_OPTION_END, 0, NULL},
  };
  s->daemon = MHD_start_daemon(flags, port, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, opts,
                               MHD_OPTION_END);
  if (!s->daemon) {
    rc = fs_err_set(err, FS_ERR_IO, cfg->listen,
                    "cannot listen (address in use, or not permitted?)");
    goto fail;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
  unsigned bound = di ? di->port : port;
  bool v6 = ai->ai_family == AF_INET6;
  snprintf(url, url_size, "%s://%s%s%s:%u/", tls ? "https" : "http", v6 ? "[" : "", host,
           v6 ? "]" : "", bound);
  freeaddrinfo(ai);
  *out = s;
  return FS_OK;
fail:
  freeaddrinfo(ai);
  http_server_stop(s);
  return rc;
}

void http_server_share_limits(struct http_server *s, int64_t nodes)
{
  http_ratelimit_share(s->rl, nodes);
  http_ratelimit_share(s->rl_fail, nodes);
  atomic_store(&s->nodes, nodes);
}

int64_t http_server_nodes(struct http_server *s)
{
  int64_t n = atomic_load(&s->nodes);
  return n > 0 ? n : 1;
}

void http_server_stop(struct http_server *s)
{
  if (!s)
    return;
  http_streams_stop(s->streams); /* resumes suspended streams: MHD must not stop with them */
  if (s->daemon)
    MHD_stop_daemon(s->daemon);
  http_streams_free(s->streams);
  http_guard_free(s->guard); /* after MHD: it has notified the close of every connection */
  if (s->access_on && s->access.out)
    fs_log_release(&s->access);
  http_ratelimit_free(s->rl);
  http_ratelimit_free(s->rl_fail);
  taxii_page_cache_free(s->page_cache);
  http_export_cache_free(s->exports);
  free(s->tls_cert);
  if (s->tls_key) {
    memset(s->tls_key, 0, strlen(s->tls_key));
    free(s->tls_key);
  }
  fs_metrics_release(&s->metrics);
  free(s);
}
