/* The vault's continuity service on the program's one HTTP server: read-only balance inquiry
 * from a vault snapshot alone, for when core banking is down, in its own process (`finshield
 * vault serve`). GET /v1/accounts/{id} with a bearer token of the tokens file (stored as SHA-256
 * hashes only: vault_tokens_parse), GET /healthz without one, GET /metrics from loopback. The
 * hub's limits, deadlines, TLS, access log and metrics apply, from cfg's [http] settings. */
#ifndef FS_HTTP_CONTINUITY_H
#define FS_HTTP_CONTINUITY_H

#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "vault/vault.h"

struct http_continuity;

struct http_continuity_opts {
  const struct fs_config *cfg; /* listen ("HOST:PORT"; plain HTTP only on loopback), tls_cert and
                                  tls_key (relative to cfg->data_dir), [http]; must outlive the
                                  service */
  const char *tokens_file;     /* lines "sha256-hex<TAB>name" (vault_token_create) */
  struct fs_log *log;          /* the server's events; must outlive the service */
};

/* Starts serving lk (not owned; must outlive the service) and writes the URL it listens at into
 * url. FS_ERR_USAGE when a non-loopback address lacks TLS or the tokens file holds no token,
 * FS_ERR_PARSE for a malformed tokens file, FS_ERR_IO when the address cannot be bound. */
int http_continuity_start(const struct vault_lookup *lk, const struct http_continuity_opts *o,
                          struct http_continuity **out, char *url, size_t url_size,
                          struct fs_err *err);
void http_continuity_stop(struct http_continuity *c);

#endif
