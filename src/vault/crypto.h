/* Key files, MACs, signatures and digests of the vault (internal to the module). */
#ifndef FS_VAULT_CRYPTO_H
#define FS_VAULT_CRYPTO_H

#include "vault/vault.h"

#include <jansson.h>

/* The password key file: the master key sealed under an Argon2id-derived key. NULL on failure. */
json_t *vault_keyfile_password(const uint8_t master[32], const char *pw, size_t pwlen,
                               enum vault_kdf kdf, struct fs_err *err);
/* Opens it: FS_ERR_UNAUTHENTICATED for a wrong password, FS_ERR_CORRUPT for a damaged file. */
int vault_keyfile_password_open(const json_t *o, const char *pw, size_t pwlen, uint8_t master[32],
                                struct fs_err *err);
/* The partner key file: the master key in a sealed box to the partner's X25519 key. */
json_t *vault_keyfile_partner(const uint8_t master[32], const uint8_t pk[32]);
int vault_keyfile_partner_open(const json_t *o, const uint8_t sk[32], uint8_t master[32],
                               struct fs_err *err);

/* A key-file slot (keys/keyfile-<slot>): the master key sealed under a key file's random 256-bit
 * key; opening it costs no key derivation. */
json_t *vault_keyfile_slot(const uint8_t master[32], const uint8_t secret[32], const char *slot,
                           int64_t created_ms);
int vault_keyfile_slot_open(const json_t *o, const uint8_t secret[32], const char *slot,
                            uint8_t master[32], struct fs_err *err);

struct vault_keys;
/* HMAC-SHA256 of the config under the MAC key. */
void vault_mac(const struct vault_keys *k, const void *p, size_t n, uint8_t out[32]);
/* Ed25519 signature with the repository's signing key, and its check. */
void vault_sign(const struct vault_keys *k, const void *p, size_t n, uint8_t sig[64]);
bool vault_sign_ok(const uint8_t pk[32], const void *p, size_t n, const uint8_t sig[64]);
/* Unkeyed BLAKE2b-256 naming a snapshot file by its bytes. */
void vault_content_id(const void *p, size_t n, uint8_t out[32]);
/* One-shot SHA-256. */
void vault_sha256(const void *p, size_t n, uint8_t out[32]);

#endif
