/* Fuzz target: a signed head of the audit trail as a member or the supervisor hands it back
 * (audit check-head, verify --expect-head), and a public key in hex. */
#include "audit/audit.h"
#include "core/encode.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct audit_keys keys;
  static bool ready;
  if (!ready) {
    static const uint8_t secret[32] = {7, 7, 7};
    fs_crypto_init();
    audit_keys_derive(&keys, secret);
    ready = true;
  }
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  struct audit_signed_head h;
  struct fs_err err;
  audit_head_check(text, keys.sign_pk, &h, &err);
  uint8_t pk[32];
  audit_public_key_parse(text, pk, &err);
  free(text);
  return 0;
}
