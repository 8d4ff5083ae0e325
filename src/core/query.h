/* Query strings as received ("a=1&b=x%20y") and the segments of a request path: the one
 * percent-decoding splitter of the program, used by the REST API and TAXII alike (an HTTP request
 * is split once, when it is admitted). Pure, with limits. Keys and values are percent-decoded
 * ('+' is a space in a query), must be valid UTF-8 without control characters, and live in the
 * caller's arena. */
#ifndef FS_CORE_QUERY_H
#define FS_CORE_QUERY_H

#include "core/arena.h"
#include "core/base.h"
#include "core/err.h"

#define FS_QUERY_MAX_BYTES 8192
#define FS_QUERY_MAX_PARAMS 64

struct fs_query {
  size_t count;
  const char *keys[FS_QUERY_MAX_PARAMS];
  const char *values[FS_QUERY_MAX_PARAMS];
};

/* Splits and decodes len bytes (without the leading '?'). Repeated keys are kept in order; an
 * empty parameter ("a=1&&b=2") is skipped, one without '=' has the value "". FS_ERR_INVALID
 * naming "query byte N" on a bad escape, a control character, invalid UTF-8 or a parameter
 * without a name, and naming "query" past FS_QUERY_MAX_BYTES or FS_QUERY_MAX_PARAMS. */
int fs_query_parse(const char *raw, size_t len, struct fs_query *q, struct fs_arena *a,
                   struct fs_err *err);
/* Checks the path of a request target as sent (without the query): every segment, decoded, is
 * valid UTF-8 without control characters (a NUL would cut it) and every '%' starts an escape.
 * FS_ERR_INVALID naming "path byte N" (the start of the segment, or of the bad escape or
 * character) without echoing the bytes. The decoded copies are left in the arena. */
int fs_path_check(const char *raw, size_t len, struct fs_arena *a, struct fs_err *err);

#endif
