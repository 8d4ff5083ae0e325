/* Typed readers of a request's query parameters. */
#include "http/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *http_query_get(const struct fs_query *q, const char *key)
{
  for (size_t i = 0; i < q->count; i++)
    if (!strcmp(q->keys[i], key))
      return q->values[i];
  return NULL;
}

int http_query_only(const struct fs_query *q, const char *const *allowed, struct fs_err *err)
{
  for (size_t i = 0; i < q->count; i++) {
    bool ok = false;
    for (const char *const *a = allowed; *a && !ok; a++)
      ok = !strcmp(*a, q->keys[i]);
    if (!ok)
      return fs_err_set(err, FS_ERR_INVALID, q->keys[i], "unknown query parameter \"%.64s\"",
                        q->keys[i]);
    for (size_t k = 0; k < i; k++)
      if (!strcmp(q->keys[k], q->keys[i]))
        return fs_err_set(err, FS_ERR_INVALID, q->keys[i],
                          "query parameter \"%.64s\" given more than once", q->keys[i]);
  }
  return FS_OK;
}

int http_query_int(const struct fs_query *q, const char *key, int64_t min, int64_t max, int64_t def,
                   int64_t *out, struct fs_err *err)
{
  const char *v = http_query_get(q, key);
  if (!v) {
    *out = def;
    return FS_OK;
  }
  char *end;
  long long x = strtoll(v, &end, 10);
  if (!*v || *end || x < min || x > max)
    return fs_err_set(err, FS_ERR_INVALID, key,
                      "query parameter \"%s\" must be a whole number from %lld to %lld", key,
                      (long long)min, (long long)max);
  *out = x;
  return FS_OK;
}

int http_query_enum(const struct fs_query *q, const char *key, const char *const *values,
                    const char **out, struct fs_err *err)
{
  *out = http_query_get(q, key);
  if (!*out)
    return FS_OK;
  for (const char *const *v = values; *v; v++)
    if (!strcmp(*v, *out))
      return FS_OK;
  return fs_err_set(err, FS_ERR_INVALID, key,
                    "query parameter \"%s\" has an unknown value \"%.64s\"", key, *out);
}
