/* Query strings as received ("a=1&b=x%20y"): a pure parser with limits, and typed readers that
 * name the parameter in their errors. Keys and values are percent-decoded ('+' is a space), must
 * be valid UTF-8 without control characters, and live in the caller's arena. */
#ifndef FS_HTTP_QUERY_H
#define FS_HTTP_QUERY_H

#include "core/arena.h"
#include "core/base.h"
#include "core/err.h"

#define HTTP_QUERY_MAX_BYTES 8192
#define HTTP_QUERY_MAX_PARAMS 64

struct http_query {
  size_t count;
  const char *keys[HTTP_QUERY_MAX_PARAMS];
  const char *values[HTTP_QUERY_MAX_PARAMS];
};

/* Parses len bytes (without the leading '?'). Repeated keys are kept in order. FS_ERR_INVALID
 * naming the byte offset on a bad escape, a control character, invalid UTF-8, or a limit. */
int http_query_parse(const char *raw, size_t len, struct http_query *q, struct fs_arena *a,
                     struct fs_err *err);
/* Checks the path of a request target as sent (without the query): every segment, decoded, is
 * valid UTF-8 without control characters (a NUL would cut it) and every '%' starts an escape.
 * FS_ERR_INVALID naming "path byte N" (the start of the segment, or of the bad escape or
 * character) without echoing the bytes. The decoded copies are left in the arena. */
int http_path_check(const char *raw, size_t len, struct fs_arena *a, struct fs_err *err);
/* The first value of key, or NULL. */
const char *http_query_get(const struct http_query *q, const char *key);
/* FS_ERR_INVALID naming the first parameter not in allowed (NULL-terminated) or given twice. */
int http_query_only(const struct http_query *q, const char *const *allowed, struct fs_err *err);
/* Reads an integer parameter in [min, max]; *out = def when absent. */
int http_query_int(const struct http_query *q, const char *key, int64_t min, int64_t max,
                   int64_t def, int64_t *out, struct fs_err *err);
/* Reads a parameter that must be one of values (NULL-terminated); NULL when absent. */
int http_query_enum(const struct http_query *q, const char *key, const char *const *values,
                    const char **out, struct fs_err *err);

#endif
