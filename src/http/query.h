/* Typed readers of a request's query parameters (split and decoded once, when the request is
 * admitted, by core/query.h's fs_query_parse), which name the parameter in their errors. */
#ifndef FS_HTTP_QUERY_H
#define FS_HTTP_QUERY_H

#include "core/query.h"

/* The first value of key, or NULL. */
const char *http_query_get(const struct fs_query *q, const char *key);
/* FS_ERR_INVALID naming the first parameter not in allowed (NULL-terminated) or given twice. */
int http_query_only(const struct fs_query *q, const char *const *allowed, struct fs_err *err);
/* Reads an integer parameter in [min, max]; *out = def when absent. */
int http_query_int(const struct fs_query *q, const char *key, int64_t min, int64_t max, int64_t def,
                   int64_t *out, struct fs_err *err);
/* Reads a parameter that must be one of values (NULL-terminated); NULL when absent. */
int http_query_enum(const struct fs_query *q, const char *key, const char *const *values,
                    const char **out, struct fs_err *err);

#endif
