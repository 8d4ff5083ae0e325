/* UUID generation and parsing; SHA-1 for version 5 comes from GnuTLS. */
#include "core/uuid.h"

#include "core/encode.h"
#include "core/err.h"

#include <gnutls/crypto.h>
#include <string.h>

static void format_uuid(const uint8_t u[16], char out[37])
{
  char hex[33];
  fs_hex_encode(u, 16, hex);
  memcpy(out, hex, 8);
  out[8] = '-';
  memcpy(out + 9, hex + 8, 4);
  out[13] = '-';
  memcpy(out + 14, hex + 12, 4);
  out[18] = '-';
  memcpy(out + 19, hex + 16, 4);
  out[23] = '-';
  memcpy(out + 24, hex + 20, 12);
  out[36] = '\0';
}

void fs_uuid_v4_from(const uint8_t bytes[16], char out[37])
{
  uint8_t u[16];
  memcpy(u, bytes, sizeof(u));
  u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
  u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
  format_uuid(u, out);
}

void fs_uuid_v4(char out[37])
{
  uint8_t u[16];
  fs_random(u, sizeof(u));
  fs_uuid_v4_from(u, out);
}

int fs_uuid_parse(const char *s, size_t len, uint8_t out[16])
{
  if (len != FS_UUID_STRLEN || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
    return FS_ERR_PARSE;
  static const size_t starts[] = {0, 9, 14, 19, 24};
  static const size_t lens[] = {8, 4, 4, 4, 12};
  size_t o = 0;
  for (size_t i = 0; i < 5; i++) {
    if (fs_hex_decode(s + starts[i], lens[i], out + o, lens[i] / 2))
      return FS_ERR_PARSE;
    o += lens[i] / 2;
  }
  return FS_OK;
}

bool fs_uuid_is_rfc4122(const char *s, size_t len)
{
  uint8_t u[16];
  if (fs_uuid_parse(s, len, u))
    return false;
  unsigned version = u[6] >> 4;
  return (u[8] & 0xc0) == 0x80 && version >= 1 && version <= 5;
}

int fs_uuid_v5(const char *namespace_uuid, const void *name, size_t n, char out[37])
{
  uint8_t ns[16];
  if (fs_uuid_parse(namespace_uuid, strlen(namespace_uuid), ns))
    return FS_ERR_INVALID;
  gnutls_hash_hd_t h;
  if (gnutls_hash_init(&h, GNUTLS_DIG_SHA1) < 0)
    return FS_ERR_CRYPTO;
  uint8_t digest[20];
  gnutls_hash(h, ns, sizeof(ns));
  gnutls_hash(h, name, n);
  gnutls_hash_deinit(h, digest);
  digest[6] = (uint8_t)((digest[6] & 0x0f) | 0x50);
  digest[8] = (uint8_t)((digest[8] & 0x3f) | 0x80);
  format_uuid(digest, out);
  return FS_OK;
}
