/* Sealed paging cursors: version || nonce || XChaCha20-Poly1305(a || b || context), the version
 * byte authenticated as additional data. */
#include "core/cursor.h"

#include <sodium.h>
#include <string.h>

#define CURSOR_VERSION 2
#define CURSOR_PLAIN (8 + 8 + 8)
#define CURSOR_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define CURSOR_RAW (1 + CURSOR_NONCE + CURSOR_PLAIN + crypto_aead_xchacha20poly1305_ietf_ABYTES)
_Static_assert(FS_CURSOR_LEN == (CURSOR_RAW * 4 + 2) / 3, "cursor length");
_Static_assert(FS_CURSOR_KEYBYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "key");

static void put64(unsigned char *p, uint64_t v)
{
  for (int i = 7; i >= 0; i--, v >>= 8)
    p[i] = (unsigned char)v;
}

static uint64_t get64(const unsigned char *p)
{
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

void fs_cursor_seal(const struct fs_cursor *c, const uint8_t key[FS_CURSOR_KEYBYTES],
                    char out[FS_CURSOR_LEN + 1])
{
  unsigned char plain[CURSOR_PLAIN], raw[CURSOR_RAW];
  put64(plain, (uint64_t)c->a);
  put64(plain + 8, (uint64_t)c->b);
  put64(plain + 16, c->context);
  raw[0] = CURSOR_VERSION;
  randombytes_buf(raw + 1, CURSOR_NONCE);
  crypto_aead_xchacha20poly1305_ietf_encrypt(raw + 1 + CURSOR_NONCE, NULL, plain, sizeof(plain),
                                             raw, 1, NULL, raw + 1, key);
  sodium_memzero(plain, sizeof(plain));
  sodium_bin2base64(out, FS_CURSOR_LEN + 1, raw, sizeof(raw),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int fs_cursor_open(const char *s, size_t len, const uint8_t key[FS_CURSOR_KEYBYTES],
                   const char *where, struct fs_cursor *c, struct fs_err *err)
{
  unsigned char raw[CURSOR_RAW], plain[CURSOR_PLAIN];
  size_t n = 0;
  memset(c, 0, sizeof(*c));
  if (len != FS_CURSOR_LEN ||
      sodium_base642bin(raw, sizeof(raw), s, len, NULL, &n, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
      n != sizeof(raw) || raw[0] != CURSOR_VERSION ||
      crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, raw + 1 + CURSOR_NONCE,
                                                 sizeof(raw) - 1 - CURSOR_NONCE, raw, 1, raw + 1,
                                                 key))
    return fs_err_set(err, FS_ERR_INVALID, where, "unknown or altered cursor");
  c->a = (int64_t)get64(plain);
  c->b = (int64_t)get64(plain + 8);
  c->context = get64(plain + 16);
  sodium_memzero(plain, sizeof(plain));
  return FS_OK;
}

uint64_t fs_cursor_context(const void *text, size_t len)
{
  unsigned char out[8];
  crypto_generichash(out, sizeof(out), text, len, NULL, 0);
  return get64(out);
}
