/* The continuity service: read-only balance inquiry over HTTP(S) from a vault snapshot alone, for
 * when core banking is down. GET /v1/accounts/{id} with a bearer token; GET /healthz without. */
#ifndef FS_VAULT_CONTINUITY_H
#define FS_VAULT_CONTINUITY_H

#include "vault/vault.h"

struct vault_continuity;

struct vault_continuity_opts {
  const char *listen;      /* "HOST:PORT"; plain HTTP only on loopback */
  const char *tokens_file; /* lines "sha256-hex<TAB>name" (from vault_token_create) */
  const char *tls_cert, *tls_key; /* PEM files; required off loopback */
};

/* Starts serving lk (not owned; must outlive the service). FS_ERR_USAGE when a non-loopback
 * address lacks TLS, FS_ERR_IO when the address cannot be bound. */
int vault_continuity_start(const struct vault_lookup *lk, const struct vault_continuity_opts *o,
                           struct vault_continuity **out, struct fs_err *err);
void vault_continuity_stop(struct vault_continuity *c);

/* Creates a token, appends its SHA-256 and name to the tokens file (created 0600), and writes the
 * token (shown once) into out. */
int vault_token_create(const char *tokens_file, const char *name, char *out, size_t n,
                       struct fs_err *err);
/* Parses a tokens file (pure): up to max hashes into hashes. Lines starting with '#' are comments. */
int vault_tokens_parse(const char *text, size_t len, uint8_t (*hashes)[32], size_t max, size_t *n,
                       struct fs_err *err);

#endif
