/* UUIDs (RFC 4122/9562): random v4 ids for our own objects, name-based v5 ids (STIX SCOs), and
 * validation of the "<type>--<uuid>" form. Text form is 36 lower-case characters. */
#ifndef FS_CORE_UUID_H
#define FS_CORE_UUID_H

#include "core/base.h"

#define FS_UUID_STRLEN 36

/* A random version-4 UUID as text into out (37 bytes). */
void fs_uuid_v4(char out[37]);
/* A version-4 UUID made of 16 given bytes (their version and variant bits overwritten), as text
 * into out (37 bytes): for ids that must look random to all but who holds a key (a keyed hash). */
void fs_uuid_v4_from(const uint8_t bytes[16], char out[37]);
/* The version-5 UUID of name (n bytes) in the namespace given as text. FS_OK or FS_ERR_INVALID. */
int fs_uuid_v5(const char *namespace_uuid, const void *name, size_t n, char out[37]);
/* Parses 36 characters of text into 16 bytes. FS_OK or FS_ERR_PARSE. */
int fs_uuid_parse(const char *s, size_t len, uint8_t out[16]);
/* True when s (len bytes) is a UUID with an RFC 4122 variant and a version in 1..5 (STIX's rule).
 */
bool fs_uuid_is_rfc4122(const char *s, size_t len);

#endif
