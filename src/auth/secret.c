/* Argon2id, TOTP and sealing, on libsodium and GnuTLS. */
#include "auth/secret.h"

#include "core/encode.h"

#include <gnutls/crypto.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void limits(int level, unsigned long long *ops, size_t *mem)
{
  switch (level) {
  case 2:
    *ops = crypto_pwhash_OPSLIMIT_SENSITIVE;
    *mem = crypto_pwhash_MEMLIMIT_SENSITIVE;
    break;
  case 1:
    *ops = crypto_pwhash_OPSLIMIT_MODERATE;
    *mem = crypto_pwhash_MEMLIMIT_MODERATE;
    break;
  default:
    *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  }
}

int auth_password_check(const char *password, struct fs_err *err)
{
  size_t n = strlen(password);
  if (n < AUTH_PASSWORD_MIN)
    return fs_err_set(err, FS_ERR_INVALID, "$.password",
                      "password must be at least %d characters long", AUTH_PASSWORD_MIN);
  if (n > AUTH_PASSWORD_MAX)
    return fs_err_set(err, FS_ERR_INVALID, "$.password", "password longer than %d bytes",
                      AUTH_PASSWORD_MAX);
  return FS_OK;
}

int auth_password_hash(const char *password, int level, char out[AUTH_HASH_MAX], struct fs_err *err)
{
  unsigned long long ops;
  size_t mem;
  limits(level, &ops, &mem);
  _Static_assert(crypto_pwhash_STRBYTES <= AUTH_HASH_MAX, "hash buffer");
  if (crypto_pwhash_str(out, password, strlen(password), ops, mem))
    return fs_err_set(err, FS_ERR_NOMEM, "password", "cannot hash the password (out of memory)");
  return FS_OK;
}

bool auth_password_verify(const char *hash, const char *password)
{
  /* A fixed hash of a random password, so that a missing user costs a real verification. */
  static const char dummy[crypto_pwhash_STRBYTES] =
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
      "pGnQ6jC0Kq6mJ0RyJ7b3yJ6yF7xkz1iXo2qCq8GQm7E";
  if (!password)
    return false;
  if (!hash || !*hash) {
    volatile int ignored = crypto_pwhash_str_verify(dummy, password, strlen(password));
    (void)ignored;
    return false;
  }
  return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void auth_base32_encode(const uint8_t *in, size_t n, char *out)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  uint32_t buf = 0;
  int bits = 0;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    buf = (buf << 8) | in[i];
    bits += 8;
    while (bits >= 5) {
      out[o++] = alphabet[(buf >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0)
    out[o++] = alphabet[(buf << (5 - bits)) & 31];
  out[o] = '\0';
}

uint32_t auth_totp_code(const uint8_t secret[AUTH_TOTP_SECRET_BYTES], int64_t step)
{
  uint8_t msg[8];
  for (int i = 7; i >= 0; i--) {
    msg[i] = (uint8_t)(step & 0xff);
    step >>= 8;
  }
  uint8_t mac[20];
  gnutls_hmac_fast(GNUTLS_MAC_SHA1, secret, AUTH_TOTP_SECRET_BYTES, msg, sizeof(msg), mac);
  unsigned off = mac[19] & 0x0f;
  uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                 ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
  return bin % 1000000;
}

int64_t auth_totp_check(const uint8_t secret[AUTH_TOTP_SECRET_BYTES], const char *code,
                        int64_t now_ms, int64_t last_step)
{
  if (!code || strlen(code) != 6)
    return -1;
  uint32_t want = 0;
  for (int i = 0; i < 6; i++) {
    if (code[i] < '0' || code[i] > '9')
      return -1;
    want = want * 10 + (uint32_t)(code[i] - '0');
  }
  int64_t step = now_ms / 1000 / 30;
  for (int64_t s = step - 1; s <= step + 1; s++)
    if (s > last_step && auth_totp_code(secret, s) == want)
      return s;
  return -1;
}

void auth_seal_hex(const uint8_t key[32], const uint8_t *in, size_t n, char *out)
{
  uint8_t nonce[crypto_secretbox_NONCEBYTES];
  uint8_t box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 256];
  if (n > 256) {
    out[0] = '\0';
    return;
  }
  randombytes_buf(nonce, sizeof(nonce));
  memcpy(box, nonce, sizeof(nonce));
  crypto_secretbox_easy(box + sizeof(nonce), in, n, nonce, key);
  fs_hex_encode(box, sizeof(nonce) + crypto_secretbox_MACBYTES + n, out);
}

int auth_open_hex(const uint8_t key[32], const char *hex, uint8_t *out, size_t n)
{
  uint8_t box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 256];
  size_t len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
  if (n > 256 || !hex || fs_hex_decode(hex, strlen(hex), box, len))
    return FS_ERR_CRYPTO;
  if (crypto_secretbox_open_easy(out, box + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, box, key))
    return FS_ERR_CRYPTO;
  return FS_OK;
}
