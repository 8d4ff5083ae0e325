/* Signed JSON records: the form in which the vault signs its deposit attestations and restore-drill
 * evidence, and in which the hub checks them. A record is a JSON object with `public_key` (hex
 * Ed25519 key) and `signature` (hex), the signature being over the object without `signature`,
 * serialized with sorted keys, no whitespace, and numbers that are not integers written with at
 * most 12 significant digits (jansson's JSON_REAL_PRECISION(12), so that parsing and serializing
 * a record again gives the signed bytes back). docs/vault-format.md specifies it. */
#ifndef FS_CORE_SIGNED_H
#define FS_CORE_SIGNED_H

#include "core/base.h"
#include "core/err.h"

#include <jansson.h>

#define FS_SIGNED_JSON_REALS JSON_REAL_PRECISION(12)

/* The signed bytes of o: o without "signature" in the canonical form above (free()); NULL when
 * out of memory. */
char *fs_signed_canonical(const json_t *o);
/* Checks o's signature under its own public_key; the key into pk (32 bytes). FS_ERR_INVALID
 * naming the field when public_key or signature is missing or malformed; FS_ERR_CRYPTO when the
 * signature does not verify (the record was changed after it was signed, or signed by another
 * key). */
int fs_signed_check(const json_t *o, uint8_t pk[32], struct fs_err *err);

#endif
