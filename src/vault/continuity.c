/* The continuity service on libmicrohttpd: bearer tokens stored as SHA-256 hashes only, loopback
 * by default, TLS (GnuTLS through MHD) required on any other address. */
#include "vault/continuity.h"

#include "core/encode.h"
#include "core/file.h"
#include "core/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TOKENS 1024

struct vault_continuity {
  struct MHD_Daemon *d;
  const struct vault_lookup *lk;
  uint8_t (*hashes)[32];
  size_t nhashes;
  char *cert, *key;
};

int vault_tokens_parse(const char *text, size_t len, uint8_t (*hashes)[32], size_t max, size_t *n,
                       struct fs_err *err)
{
  *n = 0;
  size_t line = 0;
  for (size_t pos = 0; pos < len;) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - text) : len;
    const char *l = text + pos;
    size_t ll = end - pos;
    line++;
    pos = end + 1;
    if (!ll || l[0] == '#')
      continue;
    char where[32];
    snprintf(where, sizeof(where), "line %zu", line);
    if (ll < 64 || (ll > 64 && l[64] != '\t'))
      return fs_err_set(err, FS_ERR_PARSE, where, "expected 64 hex digits, a tab and a name");
    if (*n >= max)
      return fs_err_set(err, FS_ERR_TOO_LARGE, where, "more than %zu tokens", max);
    if (fs_hex_decode(l, 64, hashes[*n], 32))
      return fs_err_set(err, FS_ERR_PARSE, where, "token hash is not hex");
    (*n)++;
  }
  return FS_OK;
}

int vault_token_create(const char *tokens_file, const char *name, char *out, size_t n,
                       struct fs_err *err)
{
  if (!*name || strchr(name, '\n') || strchr(name, '\t') || strlen(name) > 128)
    return fs_err_set(err, FS_ERR_INVALID, "name", "1 to 128 characters, no tab or newline");
  uint8_t raw[32], h[32];
  fs_random(raw, sizeof(raw));
  char b64[64];
  fs_b64url_encode(raw, sizeof(raw), b64);
  if (snprintf(out, n, "fsv_%s", b64) >= (int)n)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "token", "buffer too small");
  fs_sha256(out, strlen(out), h);
  char hex[65], line[256];
  fs_hex_encode(h, 32, hex);
  int len = snprintf(line, sizeof(line), "%s\t%s\n", hex, name);
  int fd = open(tokens_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return fs_err_set(err, FS_ERR_IO, tokens_file, "cannot open: %s", strerror(errno));
  bool ok = write(fd, line, (size_t)len) == len && !fsync(fd);
  close(fd);
  if (!ok)
    return fs_err_set(err, FS_ERR_IO, tokens_file, "cannot write the token");
  return FS_OK;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, json_t *body)
{
  char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  if (!text)
    return MHD_NO;
  struct MHD_Response *r =
      MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
  if (!r) {
    free(text);
    return MHD_NO;
  }
  MHD_add_response_header(r, "Content-Type", "application/json");
  MHD_add_response_header(r, "Cache-Control", "no-store");
  if (status == MHD_HTTP_UNAUTHORIZED)
    MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"finshield-vault\"");
  enum MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

static json_t *error_body(const char *code, const char *msg)
{
  return json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg);
}

static bool authorized(const struct vault_continuity *s, struct MHD_Connection *c)
{
  const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  if (!h || strncmp(h, "Bearer ", 7) || strlen(h + 7) > 256)
    return false;
  uint8_t d[32];
  fs_sha256(h + 7, strlen(h + 7), d);
  bool ok = false;
  for (size_t i = 0; i < s->nhashes; i++)
    ok |= fs_ct_equal(d, s->hashes[i], 32);
  return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
  (void)version;
  (void)upload;
  struct vault_continuity *s = cls;
  if (!*state) {
    *state = s; /* first call: headers only */
    return MHD_YES;
  }
  if (*upload_size)
    return reply(c, MHD_HTTP_CONTENT_TOO_LARGE, error_body("too_large", "no request body expected"));
  if (strcmp(method, "GET"))
    return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, error_body("method", "read-only service: GET only"));
  if (!strcmp(url, "/healthz"))
    return reply(c, MHD_HTTP_OK, json_pack("{s:s, s:I}", "status", "ok", "accounts",
                                           (json_int_t)vault_lookup_count(s->lk)));
  static const char prefix[] = "/v1/accounts/";
  if (strncmp(url, prefix, sizeof(prefix) - 1))
    return reply(c, MHD_HTTP_NOT_FOUND, error_body("not_found", "GET /v1/accounts/{id}"));
  if (!authorized(s, c))
    return reply(c, MHD_HTTP_UNAUTHORIZED, error_body("unauthenticated", "a valid bearer token is required"));
  const char *id = url + sizeof(prefix) - 1;
  json_t *out;
  struct fs_err err;
  int rc = vault_lookup_account(s->lk, id, &out, &err);
  if (rc)
    return reply(c, (unsigned)fs_code_http_status((enum fs_code)rc),
                 error_body(fs_code_name((enum fs_code)rc), err.msg));
  return reply(c, MHD_HTTP_OK, out);
}

int vault_continuity_start(const struct vault_lookup *lk, const struct vault_continuity_opts *o,
                           struct vault_continuity **out, struct fs_err *err)
{
  *out = NULL;
  char host[256];
  uint16_t port;
  int rc = fs_hostport_parse(o->listen, host, sizeof(host), &port, err);
  if (rc)
    return rc;
  bool tls = o->tls_cert && o->tls_key;
  if (!tls && !fs_host_is_loopback(host))
    return fs_err_set(err, FS_ERR_USAGE, o->listen,
                      "TLS is required off loopback (plain HTTP only on loopback): give --tls-cert and --tls-key");
  struct vault_continuity *s = calloc(1, sizeof(*s));
  if (!s)
    return fs_err_set(err, FS_ERR_NOMEM, "serve", "out of memory");
  s->lk = lk;
  struct fs_buf text;
  fs_buf_init(&text, 1u << 20);
  rc = fs_file_read_all(o->tokens_file, &text, err);
  if (!rc) {
    s->hashes = calloc(MAX_TOKENS, 32);
    rc = s->hashes ? vault_tokens_parse(text.data ? text.data : "", text.len, s->hashes, MAX_TOKENS,
                                        &s->nhashes, err)
                   : fs_err_set(err, FS_ERR_NOMEM, "serve", "out of memory");
    if (rc)
      fs_err_wrap_where(err, o->tokens_file);
  }
  fs_buf_release(&text);
  if (!rc && !s->nhashes)
    rc = fs_err_set(err, FS_ERR_USAGE, o->tokens_file, "no token: create one with vault token create");
  if (!rc && tls) {
    struct fs_buf a, b;
    fs_buf_init(&a, 1u << 20);
    fs_buf_init(&b, 1u << 20);
    rc = fs_file_read_all(o->tls_cert, &a, err);
    if (!rc)
      rc = fs_file_read_all(o->tls_key, &b, err);
    s->cert = fs_buf_detach(&a, NULL);
    s->key = fs_buf_detach(&b, NULL);
    fs_buf_release(&a);
    fs_buf_release(&b);
  }
  struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM},
                  *ai = NULL;
  char ps[8];
  snprintf(ps, sizeof(ps), "%u", port);
  if (!rc && getaddrinfo(!strcmp(host, "localhost") ? "127.0.0.1" : host, ps, &hints, &ai))
    rc = fs_err_set(err, FS_ERR_INVALID, o->listen, "the host must be an IP address");
  if (!rc) {
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (ai->ai_family == AF_INET6)
      flags |= MHD_USE_IPv6;
    if (tls)
      flags |= MHD_USE_TLS;
    if (tls)
      s->d = MHD_start_daemon(flags, port, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                              MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                              MHD_OPTION_HTTPS_MEM_CERT, s->cert, MHD_OPTION_HTTPS_MEM_KEY, s->key,
                              MHD_OPTION_END);
    else
      s->d = MHD_start_daemon(flags, port, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                              MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                              MHD_OPTION_END);
    if (!s->d)
      rc = fs_err_set(err, FS_ERR_IO, o->listen, "cannot listen (address in use, or bad TLS files?)");
  }
  if (ai)
    freeaddrinfo(ai);
  if (rc) {
    vault_continuity_stop(s);
    return rc;
  }
  *out = s;
  return FS_OK;
}

void vault_continuity_stop(struct vault_continuity *s)
{
  if (!s)
    return;
  if (s->d)
    MHD_stop_daemon(s->d);
  free(s->hashes);
  free(s->cert);
  free(s->key);
  free(s);
}
