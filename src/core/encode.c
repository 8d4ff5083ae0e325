/* Hex, base64url, SHA-256 and randomness, on libsodium. */
#include "core/encode.h"

#include "core/err.h"

#include <sodium.h>
#include <string.h>

void fs_hex_encode(const void *in, size_t n, char *out)
{
  static const char hexd[] = "0123456789abcdef";
  const uint8_t *p = in;
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hexd[p[i] >> 4];
    out[2 * i + 1] = hexd[p[i] & 15];
  }
  out[2 * n] = '\0';
}

/* hexv[c]: the value of hex digit c, or 0xff. */
static const unsigned char hexv[256] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

int fs_hex_digit(char c)
{
  unsigned char v = hexv[(unsigned char)c];
  return v == 0xff ? -1 : v;
}

int fs_hex4_decode(const char *s, unsigned *out)
{
  unsigned v = 0;
  for (int k = 0; k < 4; k++) {
    int d = fs_hex_digit(s[k]);
    if (d < 0)
      return FS_ERR_PARSE;
    v = (v << 4) | (unsigned)d;
  }
  *out = v;
  return FS_OK;
}

int fs_hex_decode(const char *in, size_t hex_len, void *out, size_t n)
{
  if (hex_len != 2 * n)
    return FS_ERR_PARSE;
  /* One pass without a branch per digit (digests of indicators are decoded on the hot path): a
   * byte that is not a hex digit has its high bits set in `bad`. */
  uint8_t *o = out;
  unsigned char bad = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char hi = hexv[(unsigned char)in[2 * i]], lo = hexv[(unsigned char)in[2 * i + 1]];
    bad |= hi | lo;
    o[i] = (uint8_t)(hi << 4 | (lo & 15));
  }
  return bad & 0xf0 ? FS_ERR_PARSE : FS_OK;
}

size_t fs_b64url_len(size_t n)
{
  return sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1;
}

void fs_b64url_encode(const void *in, size_t n, char *out)
{
  sodium_bin2base64(out, fs_b64url_len(n) + 1, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

size_t fs_b64_len(size_t n)
{
  return sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) - 1;
}

void fs_b64_encode(const void *in, size_t n, char *out)
{
  sodium_bin2base64(out, fs_b64_len(n) + 1, in, n, sodium_base64_VARIANT_ORIGINAL);
}

void fs_sha256(const void *in, size_t n, uint8_t out[32])
{
  crypto_hash_sha256(out, in, n);
}

void fs_sha256_hex(const void *in, size_t n, char out[65])
{
  uint8_t d[32];
  fs_sha256(in, n, d);
  fs_hex_encode(d, sizeof(d), out);
}

void fs_random(void *out, size_t n)
{
  randombytes_buf(out, n);
}

bool fs_ct_equal(const void *a, const void *b, size_t n)
{
  return sodium_memcmp(a, b, n) == 0;
}

void fs_key_derive(const uint8_t master[32], const char *label, uint8_t out[32])
{
  crypto_generichash(out, 32, (const unsigned char *)label, strlen(label), master, 32);
}

int fs_crypto_init(void)
{
  return sodium_init() < 0 ? FS_ERR_CRYPTO : FS_OK;
}

/* Length of the UTF-8 sequence starting at s (at most n bytes), 0 when invalid. */
size_t fs_utf8_len(const unsigned char *s, size_t n)
{
  if (s[0] < 0x80)
    return 1;
  size_t len;
  uint32_t cp;
  if ((s[0] & 0xe0) == 0xc0) {
    len = 2;
    cp = s[0] & 0x1f;
  } else if ((s[0] & 0xf0) == 0xe0) {
    len = 3;
    cp = s[0] & 0x0f;
  } else if ((s[0] & 0xf8) == 0xf0) {
    len = 4;
    cp = s[0] & 0x07;
  } else {
    return 0;
  }
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

size_t fs_utf8_scrub(char *s, size_t n)
{
  size_t i = 0;
  while (i < n) {
    size_t l = fs_utf8_len((const unsigned char *)s + i, n - i);
    if (!l && n - i < 4 && (unsigned char)s[i] >= 0xc0) {
      n = i; /* a sequence cut at the end */
      break;
    }
    if (!l) {
      s[i++] = '?';
      continue;
    }
    if (l == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) && s[i] != '\t')
      s[i] = ' ';
    i += l;
  }
  s[n] = '\0';
  return n;
}

size_t fs_utf8_encode(char *out, unsigned cp)
{
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xe0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
  out[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}
