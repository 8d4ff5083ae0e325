/* JSON canonicalization (RFC 8785, "JCS") of jansson values: object members sorted by their UTF-16
 * code units, minimal string escapes, numbers in ECMAScript form. Used for deterministic SCO ids.
 * (Generic enough for core/; kept here until core takes it.) */
#ifndef FS_STIX_JCS_H
#define FS_STIX_JCS_H

#include "core/buf.h"

#include <jansson.h>

/* Appends the canonical serialization of v to out. FS_OK; FS_ERR_INVALID for a non-finite number
 * or nesting deeper than 128; FS_ERR_TOO_LARGE / FS_ERR_NOMEM from the buffer. */
int stix_jcs_append(const json_t *v, struct fs_buf *out);

/* Writes the ECMAScript (Number.prototype.toString) form of a finite double into out (32 bytes). */
void stix_jcs_number(double d, char out[32]);

#endif
