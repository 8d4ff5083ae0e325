/* Admission of a request from its line and headers alone, before any of its body is read or
 * memory reserved for it: path and query, route, Origin, rate limits, authentication, media
 * types and the caller's body limit. See server.h. */
#include "http/server.h"

#include "auth/policy.h"
#include "auth/session.h"
#include "core/net.h"
#include "core/time.h"
#include "http/api.h"
#include "http/mediatype.h"
#include "taxii/server.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Bearer tokens, or HTTP Basic with the token as the password (TAXII clients); without either,
 * on a site with portal sessions, the session cookie (not on TAXII's routes), which sets
 * req->cookie. */
static const char *presented_token(struct http_request *req, char **to_free)
{
  *to_free = NULL;
  req->cookie = false;
  const char *h = http_request_header(req, "Authorization");
  if (h && !strncasecmp(h, "Bearer ", 7)) {
    h += 7;
    while (*h == ' ')
      h++;
    return h;
  }
  char *pass = NULL;
  char *user = MHD_basic_auth_get_username_password(req->conn, &pass);
  if (user)
    MHD_free(user);
  if (pass) {
    *to_free = pass;
    return pass;
  }
  const char *ck =
      !req->site->session_cookie || (req->matched && (req->matched->flags & HTTP_TAXII))
          ? NULL
          : MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, req->site->session_cookie);
  req->cookie = ck && *ck;
  return req->cookie ? ck : NULL;
}

/* Authenticates the request's token. An address that has spent its budget of failed
 * authentications gets FS_ERR_RATE_LIMITED (*retry set) before any token is looked up, so that
 * it cannot test tokens at all, valid ones included; each refused token spends one. */
static int authenticate(struct http_request *req, int *retry)
{
  struct http_server *s = req->srv;
  char *to_free;
  const char *token = presented_token(req, &to_free);
  int64_t now_ns = fs_time_mono_ns();
  int rc;
  if (!token) {
    rc = fs_err_set(&req->err, FS_ERR_UNAUTHENTICATED, "Authorization",
                    "send an API token: \"Authorization: Bearer <token>\"");
  } else if (!http_ratelimit_peek(s->rl_fail, req->client, now_ns, retry)) {
    rc = FS_ERR_RATE_LIMITED;
  } else {
    rc = req->site->authenticate(req, token);
    if (rc == FS_ERR_UNAUTHENTICATED)
      http_ratelimit_take(s->rl_fail, req->client, now_ns, retry);
  }
  if (to_free)
    MHD_free(to_free);
  if (!rc) {
    req->authenticated = true;
    snprintf(req->who.source, sizeof(req->who.source), "http:%s", req->remote);
  } else if (rc == FS_ERR_UNAUTHENTICATED) {
    fs_metric_add(s->auth_failures, 1);
  }
  return rc;
}

/* The body's media type: application/json, or TAXII's (version 2.1 or unversioned). */
static bool content_type_ok(struct http_request *req, bool taxii)
{
  const char *ct = http_request_header(req, "Content-Type");
  struct http_media m;
  if (!ct || http_media_parse(ct, strlen(ct), &m, NULL))
    return false;
  if (taxii)
    return !strcasecmp(m.type, "application") && !strcasecmp(m.subtype, "taxii+json") &&
           (!m.version[0] || !strcmp(m.version, "2.1"));
  return !strcasecmp(m.type, "application") &&
         (!strcasecmp(m.subtype, "json") || !strcasecmp(m.subtype, "stix+json"));
}

/* Splits an authority "host[:port]" or "[v6]:port" at its port; *port is def when absent. */
static void authority_split(const char *a, size_t n, size_t *host_len, const char **port,
                            size_t *port_len, const char *def)
{
  const char *colon = NULL;
  for (size_t i = n; i-- > 0 && a[i] != ']';)
    if (a[i] == ':') {
      colon = a + i;
      break;
    }
  *host_len = colon ? (size_t)(colon - a) : n;
  *port = colon ? colon + 1 : def;
  *port_len = colon ? n - *host_len - 1 : strlen(def);
}

/* True when the request carries an Origin that is not the hub's own origin as the request
 * reached it: our scheme, and the host and port of its Host header (a default port may be left
 * out on either side). "Origin: null" and an Origin without a Host are foreign; no Origin
 * (scripts, TAXII clients) is not. */
static bool origin_foreign(struct http_request *req)
{
  const char *o = http_request_header(req, "Origin");
  if (!o)
    return false;
  const char *host = http_request_header(req, "Host");
  bool tls = http_server_tls(req->srv);
  const char *scheme = tls ? "https://" : "http://", *def = tls ? "443" : "80";
  size_t sl = strlen(scheme);
  if (!host || strncasecmp(o, scheme, sl) || strchr(o + sl, '/'))
    return true;
  size_t ohost, oport_len, hhost, hport_len;
  const char *oport, *hport;
  authority_split(o + sl, strlen(o + sl), &ohost, &oport, &oport_len, def);
  authority_split(host, strlen(host), &hhost, &hport, &hport_len, def);
  return ohost != hhost || strncasecmp(o + sl, host, ohost) || oport_len != hport_len ||
         strncmp(oport, hport, oport_len);
}

/* Fills res with the error for code (and the status it names, or the given one). */
static int refuse(struct http_request *req, struct http_response *res, int code, int status)
{
  http_error_status(req, res, code, status ? status : fs_code_http_status((enum fs_code)code));
  return code;
}

int http_admit(struct http_request *req, struct http_response *res)
{
  struct http_server *s = req->srv;
  const struct fs_config *cfg = s->cfg;
  const struct http_route *route = req->matched;
  /* Until a token is accepted, the caller has the small limit of anonymous bodies. */
  size_t limit = (size_t)(route && (route->flags & HTTP_TAXII) ? cfg->taxii_max_content_length
                                                               : cfg->max_body_bytes);
  req->body.max =
      limit < (size_t)cfg->max_anonymous_body_bytes ? limit : (size_t)cfg->max_anonymous_body_bytes;
  const char *q = strchr(req->raw_uri, '?');
  size_t path_len = q ? (size_t)(q - req->raw_uri) : strlen(req->raw_uri);
  if (fs_path_check(req->raw_uri, path_len, &req->arena, &req->err) ||
      (q && fs_query_parse(q + 1, strlen(q + 1), &req->query, &req->arena, &req->err)))
    return refuse(req, res, FS_ERR_INVALID, 0);
  if (!route && req->path_known) {
    fs_err_set(&req->err, FS_ERR_UNSUPPORTED, req->path, "method %s is not allowed here",
               req->method);
    refuse(req, res, FS_ERR_UNSUPPORTED, 405);
    http_header(res, "Allow", "%s", req->allow);
    return FS_ERR_UNSUPPORTED;
  }
  if (!route) {
    fs_err_set(&req->err, FS_ERR_NOT_FOUND, req->path, "no such resource");
    return refuse(req, res, FS_ERR_NOT_FOUND, 0);
  }
  req->route = route->pattern;
  /* A browser showing another site's page may hold Basic credentials for us: it tells us with
   * Origin, and such a request may change nothing (reads are kept from the page by the browser). */
  if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD") && origin_foreign(req)) {
    fs_err_set(&req->err, FS_ERR_FORBIDDEN, "Origin",
               "a page of another site may not change anything here");
    return refuse(req, res, FS_ERR_FORBIDDEN, 0);
  }
  /* Rate limits: public routes (login) by address; others by token, and failed
   * authentications by address (consulted first, in authenticate), so that guessing is slow. */
  int retry = 0;
  int64_t now_ns = fs_time_mono_ns();
  char key[80];
  snprintf(key, sizeof(key), "ip:%s", req->client);
  int rc = FS_OK;
  bool public = (route->flags & HTTP_PUBLIC) ||
                ((route->flags & HTTP_LOCAL_PUBLIC) && fs_host_is_loopback(req->remote));
  if (public) {
    if (s->rl && !http_ratelimit_take(s->rl, key, now_ns, &retry))
      rc = FS_ERR_RATE_LIMITED;
  } else {
    rc = authenticate(req, &retry);
    if (!rc && (route->flags & HTTP_LOCAL_PUBLIC) &&
        !policy_allows(&req->who, POLICY_METRICS_READ, NULL))
      rc = fs_err_set(&req->err, FS_ERR_FORBIDDEN, req->path,
                      "only the hub's roles may read this from outside the hub's machine");
    snprintf(key, sizeof(key), "tok:%s", req->who.token_id);
    if (!rc && s->rl && !http_ratelimit_take(s->rl, key, now_ns, &retry))
      rc = FS_ERR_RATE_LIMITED;
  }
  if (rc == FS_ERR_RATE_LIMITED) {
    fs_metric_add(s->rate_limited, 1);
    fs_err_set(&req->err, FS_ERR_RATE_LIMITED, NULL, "too many requests; retry in %d s", retry);
    refuse(req, res, rc, 0);
    http_header(res, "Retry-After", "%d", retry);
    return rc;
  }
  /* A state-changing request made with the portal's cookie must carry the session's CSRF token:
   * a browser sends the cookie with whatever page asked, the header only from our own scripts. */
  if (!rc && req->cookie && strcmp(req->method, "GET") && strcmp(req->method, "HEAD") &&
      !session_csrf_ok(&req->hub->auth, req->who.token_id,
                       http_request_header(req, "X-CSRF-Token")))
    rc = fs_err_set(&req->err, FS_ERR_FORBIDDEN, "X-CSRF-Token",
                    "a change made with the session cookie needs the session's CSRF token in "
                    "the X-CSRF-Token header");
  if (rc) {
    refuse(req, res, rc, 0);
    if (rc == FS_ERR_UNAUTHENTICATED && req->cookie)
      http_session_cookie_clear(req, res); /* the browser stops presenting a dead session */
    return rc;
  }
  if (req->authenticated)
    req->body.max = limit;
  if ((route->flags & HTTP_TAXII) &&
      !http_accept_allows(http_request_header(req, "Accept"), "application", "taxii+json", "2.1")) {
    fs_err_set(&req->err, FS_ERR_UNSUPPORTED, "Accept", "this server answers only %s",
               TAXII_MEDIA_TYPE);
    return refuse(req, res, FS_ERR_UNSUPPORTED, 406);
  }
  if ((route->flags & HTTP_JSON_BODY) && !content_type_ok(req, route->flags & HTTP_TAXII)) {
    fs_err_set(&req->err, FS_ERR_UNSUPPORTED, "Content-Type", "send the body as application/json");
    return refuse(req, res, FS_ERR_UNSUPPORTED, 415);
  }
  const char *cl = http_request_header(req, "Content-Length");
  if (cl && strtoull(cl, NULL, 10) > (unsigned long long)req->body.max) {
    fs_err_set(&req->err, FS_ERR_TOO_LARGE, "body", "request body larger than %zu bytes",
               req->body.max);
    return refuse(req, res, FS_ERR_TOO_LARGE, 0);
  }
  return FS_OK;
}
