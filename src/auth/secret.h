/* Secrets of auth/ (internal): Argon2id password hashes, RFC 6238 TOTP, and sealing of stored
 * secrets with the hub's key. */
#ifndef FS_AUTH_SECRET_H
#define FS_AUTH_SECRET_H

#include "core/err.h"

#define AUTH_PASSWORD_MIN 12
#define AUTH_PASSWORD_MAX 1024
#define AUTH_HASH_MAX 128

/* Hashes password with Argon2id at the given level (0..2) into out (AUTH_HASH_MAX bytes). */
int auth_password_hash(const char *password, int level, char out[AUTH_HASH_MAX],
                       struct fs_err *err);
/* True when password matches the stored hash. Takes as long for a NULL hash (unknown user or no
 * password) as for a real one, so that timing does not tell which. */
bool auth_password_verify(const char *hash, const char *password);
/* Length and composition rules; FS_ERR_INVALID naming the field "password". */
int auth_password_check(const char *password, struct fs_err *err);

#define AUTH_TOTP_SECRET_BYTES 20
/* RFC 4648 base32 (no padding) of n bytes into out (8n/5+2 bytes). */
void auth_base32_encode(const uint8_t *in, size_t n, char *out);
/* The 6-digit RFC 6238 code (HMAC-SHA-1, 30 s step) of secret for time step `step`. */
uint32_t auth_totp_code(const uint8_t secret[AUTH_TOTP_SECRET_BYTES], int64_t step);
/* Checks a code for now_ms allowing one step either side. Returns the matched step (> last_step,
 * refusing replays) or -1. */
int64_t auth_totp_check(const uint8_t secret[AUTH_TOTP_SECRET_BYTES], const char *code,
                        int64_t now_ms, int64_t last_step);

/* Seals n bytes with key into hex text (nonce + ciphertext) in out (size 2*(24+16+n)+1). */
void auth_seal_hex(const uint8_t key[32], const uint8_t *in, size_t n, char *out);
/* Opens what auth_seal_hex made. FS_ERR_CRYPTO when tampered or the key is wrong. */
int auth_open_hex(const uint8_t key[32], const char *hex, uint8_t *out, size_t n);

#endif
