/* Signed JSON records (Ed25519 over the canonical form). */
#include "core/signed.h"

#include "core/encode.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

char *fs_signed_canonical(const json_t *o)
{
  json_t *copy = json_copy((json_t *)(uintptr_t)o);
  if (!copy)
    return NULL;
  json_object_del(copy, "signature");
  char *s = json_dumps(copy, JSON_SORT_KEYS | JSON_COMPACT | FS_SIGNED_JSON_REALS);
  json_decref(copy);
  return s;
}

int fs_signed_check(const json_t *o, uint8_t pk[32], struct fs_err *err)
{
  const char *pkh = json_string_value(json_object_get(o, "public_key"));
  const char *sigh = json_string_value(json_object_get(o, "signature"));
  uint8_t sig[64];
  if (!pkh || strlen(pkh) != 64 || fs_hex_decode(pkh, 64, pk, 32))
    return fs_err_set(err, FS_ERR_INVALID, "public_key",
                      "the record has no Ed25519 public key (64 hex digits)");
  if (!sigh || strlen(sigh) != 128 || fs_hex_decode(sigh, 128, sig, 64))
    return fs_err_set(err, FS_ERR_INVALID, "signature",
                      "the record has no Ed25519 signature (128 hex digits)");
  char *canon = fs_signed_canonical(o);
  if (!canon)
    return fs_err_set(err, FS_ERR_NOMEM, "signature", "out of memory");
  int ok = crypto_sign_verify_detached(sig, (const unsigned char *)canon, strlen(canon), pk);
  free(canon);
  return ok == 0 ? FS_OK
                 : fs_err_set(err, FS_ERR_CRYPTO, "signature",
                              "the signature does not verify: the record was changed after it was "
                              "signed, or signed by another key");
}
