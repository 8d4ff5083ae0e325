/* The vault's continuity service as a site of the HTTP server: its routes, its bearer tokens
 * (SHA-256 hashes from the tokens file, compared in constant time) and its handlers, which read
 * vault_lookup (vault stays a leaf module: it knows nothing of HTTP). */
#include "http/continuity.h"

#include "core/encode.h"
#include "core/file.h"
#include "core/net.h"
#include "http/api.h"
#include "vault/continuity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 1024

struct http_continuity {
  struct http_site site;
  const struct vault_lookup *lk;
  uint8_t (*hashes)[32];
  size_t nhashes;
  struct http_server *srv;
};

static int continuity_healthz(struct http_request *req, struct http_response *res)
{
  const struct http_continuity *c = req->site->ctx;
  return http_json(
      res, 200,
      json_pack("{s:s, s:I}", "status", "ok", "accounts", (json_int_t)vault_lookup_count(c->lk)));
}

static int continuity_account(struct http_request *req, struct http_response *res)
{
  const struct http_continuity *c = req->site->ctx;
  json_t *out;
  int rc = vault_lookup_account(c->lk, req->params[0], &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

static const struct http_route continuity_routes[] = {
    {"GET", "/healthz", continuity_healthz, HTTP_PUBLIC},
    {"GET", "/metrics", api_metrics, HTTP_LOCAL_PUBLIC}, /* the server's: requests, durations */
    {"GET", "/v1/accounts/{}", continuity_account, 0},
    {NULL, NULL, NULL, 0},
};

/* A token of the tokens file: its SHA-256 against every hash, without stopping at a match. The
 * actor is named by the hash's first 16 hex digits (the access log, the rate limit's key). */
static int continuity_authenticate(struct http_request *req, const char *token)
{
  const struct http_continuity *c = req->site->ctx;
  size_t n = strlen(token);
  uint8_t d[32];
  fs_sha256(token, n, d);
  size_t match = SIZE_MAX;
  for (size_t i = 0; i < c->nhashes; i++)
    if (fs_ct_equal(d, c->hashes[i], 32))
      match = i;
  if (n > 256 || match == SIZE_MAX)
    return fs_err_set(&req->err, FS_ERR_UNAUTHENTICATED, "Authorization",
                      "a valid bearer token is required");
  memset(&req->who, 0, sizeof(req->who));
  req->who.role = AUTH_ROLE_MEMBER_ANALYST; /* a reader, none of the hub's roles */
  fs_hex_encode(d, 8, req->who.token_id);
  snprintf(req->who.username, sizeof(req->who.username), "vault-token:%s", req->who.token_id);
  return FS_OK;
}

static int read_tokens(struct http_continuity *c, const char *path, struct fs_err *err)
{
  struct fs_buf text;
  fs_buf_init(&text, 1u << 20);
  int rc = fs_file_read_all(path, &text, err);
  if (!rc && !(c->hashes = calloc(MAX_TOKENS, 32)))
    rc = fs_err_set(err, FS_ERR_NOMEM, "serve", "out of memory");
  if (!rc && (rc = vault_tokens_parse(text.data ? text.data : "", text.len, c->hashes, MAX_TOKENS,
                                      &c->nhashes, err)))
    fs_err_wrap_where(err, path);
  fs_buf_release(&text);
  if (!rc && !c->nhashes)
    rc = fs_err_set(err, FS_ERR_USAGE, path, "no token: create one with vault token create");
  return rc;
}

int http_continuity_start(const struct vault_lookup *lk, const struct http_continuity_opts *o,
                          struct http_continuity **out, char *url, size_t url_size,
                          struct fs_err *err)
{
  *out = NULL;
  char host[256];
  uint16_t port;
  int rc = fs_hostport_parse(o->cfg->listen, host, sizeof(host), &port, err);
  if (rc)
    return rc;
  if (!o->cfg->tls_cert[0] && !fs_host_is_loopback(host))
    return fs_err_set(err, FS_ERR_USAGE, o->cfg->listen,
                      "TLS is required off loopback (plain HTTP only on loopback): give --tls-cert "
                      "and --tls-key");
  struct http_continuity *c = calloc(1, sizeof(*c));
  if (!c)
    return fs_err_set(err, FS_ERR_NOMEM, "serve", "out of memory");
  c->lk = lk;
  c->site = (struct http_site){.routes = continuity_routes,
                               .authenticate = continuity_authenticate,
                               .realm = "finshield-vault",
                               .ctx = c};
  rc = read_tokens(c, o->tokens_file, err);
  if (!rc) {
    const struct http_server_config sc = {o->cfg, &c->site, NULL, NULL, o->log};
    rc = http_server_start_with(&sc, &c->srv, url, url_size, err);
  }
  if (rc) {
    http_continuity_stop(c);
    return rc;
  }
  *out = c;
  return FS_OK;
}

void http_continuity_stop(struct http_continuity *c)
{
  if (!c)
    return;
  http_server_stop(c->srv);
  if (c->hashes)
    memset(c->hashes, 0, MAX_TOKENS * 32);
  free(c->hashes);
  free(c);
}
