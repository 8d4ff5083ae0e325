/* The continuity service's tokens (read-only balance inquiry from a vault snapshot alone, for when
 * core banking is down): created here, stored as SHA-256 hashes, read back by the service, which
 * runs on the program's HTTP server (http/continuity.h) with vault_lookup's answers. */
#ifndef FS_VAULT_CONTINUITY_H
#define FS_VAULT_CONTINUITY_H

#include "vault/vault.h"

/* Creates a token, appends its SHA-256 and name to the tokens file (created 0600), and writes the
 * token (shown once) into out. */
int vault_token_create(const char *tokens_file, const char *name, char *out, size_t n,
                       struct fs_err *err);
/* Parses a tokens file (pure): up to max hashes into hashes. Lines starting with '#' are comments.
 */
int vault_tokens_parse(const char *text, size_t len, uint8_t (*hashes)[32], size_t max, size_t *n,
                       struct fs_err *err);

#endif
