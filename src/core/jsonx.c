/* Strict JSON readers. */
#include "core/jsonx.h"

#include "core/time.h"

#include <stdio.h>
#include <string.h>

int jsonx_parse(const char *text, size_t len, json_t **out, struct fs_err *err)
{
  json_error_t je;
  json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
  if (!v) {
    char where[96];
    snprintf(where, sizeof(where), "line %d, column %d (byte %d)", je.line, je.column, je.position);
    return fs_err_set(err, FS_ERR_PARSE, where, "malformed JSON: %s", je.text);
  }
  *out = v;
  return FS_OK;
}

int jsonx_parse_object(const char *text, size_t len, json_t **out, struct fs_err *err)
{
  int rc = jsonx_parse(text, len, out, err);
  if (rc)
    return rc;
  if (!json_is_object(*out)) {
    json_decref(*out);
    *out = NULL;
    return fs_err_set(err, FS_ERR_INVALID, "$", "expected a JSON object");
  }
  return FS_OK;
}

static void field_path(char *out, size_t n, const char *path, const char *key)
{
  snprintf(out, n, "%s.%s", path && *path ? path : "$", key);
}

int jsonx_only_keys(json_t *obj, const char *const *allowed, const char *path, struct fs_err *err)
{
  const char *key;
  json_t *value;
  json_object_foreach(obj, key, value)
  {
    bool ok = false;
    for (const char *const *a = allowed; *a && !ok; a++)
      ok = !strcmp(*a, key);
    if (!ok) {
      char where[160];
      field_path(where, sizeof(where), path, key);
      return fs_err_set(err, FS_ERR_INVALID, where, "unknown field \"%.64s\"", key);
    }
  }
  return FS_OK;
}

/* Finds key; handles absent, null and required. Returns FS_OK with *v NULL when absent. */
static int lookup(const json_t *obj, const char *key, unsigned flags, json_t **v,
                  struct fs_err *err)
{
  *v = NULL;
  json_t *x = json_object_get(obj, key);
  if (x && json_is_null(x) && (flags & JSONX_NULLABLE))
    x = NULL;
  if (!x && (flags & JSONX_REQUIRED)) {
    char where[160];
    field_path(where, sizeof(where), NULL, key);
    return fs_err_set(err, FS_ERR_INVALID, where, "missing required field \"%s\"", key);
  }
  *v = x;
  return FS_OK;
}

static int wrong_type(const char *key, const char *want, struct fs_err *err)
{
  char where[160];
  field_path(where, sizeof(where), NULL, key);
  return fs_err_set(err, FS_ERR_INVALID, where, "field \"%s\" must be %s", key, want);
}

int jsonx_string(const json_t *obj, const char *key, unsigned flags, size_t maxlen,
                 const char **out, struct fs_err *err)
{
  json_t *v;
  *out = NULL;
  int rc = lookup(obj, key, flags, &v, err);
  if (rc || !v)
    return rc;
  if (!json_is_string(v))
    return wrong_type(key, "a string", err);
  const char *s = json_string_value(v);
  size_t len = json_string_length(v);
  char where[160];
  field_path(where, sizeof(where), NULL, key);
  if (len > maxlen)
    return fs_err_set(err, FS_ERR_INVALID, where, "field \"%s\" is longer than %zu bytes", key,
                      maxlen);
  if ((flags & JSONX_REQUIRED) && len == 0)
    return fs_err_set(err, FS_ERR_INVALID, where, "field \"%s\" must not be empty", key);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    bool allowed_ws = (flags & JSONX_MULTILINE) && (c == '\n' || c == '\r' || c == '\t');
    if ((c < 0x20 && !allowed_ws) || c == 0x7f)
      return fs_err_set(err, FS_ERR_INVALID, where,
                        "field \"%s\" contains a control character at byte %zu", key, i);
  }
  *out = s;
  return FS_OK;
}

int jsonx_int(const json_t *obj, const char *key, unsigned flags, int64_t min, int64_t max,
              int64_t *out, bool *present, struct fs_err *err)
{
  json_t *v;
  if (present)
    *present = false;
  int rc = lookup(obj, key, flags, &v, err);
  if (rc || !v)
    return rc;
  if (!json_is_integer(v))
    return wrong_type(key, "an integer", err);
  json_int_t x = json_integer_value(v);
  if (x < min || x > max) {
    char where[160];
    field_path(where, sizeof(where), NULL, key);
    return fs_err_set(err, FS_ERR_INVALID, where, "field \"%s\" must be between %lld and %lld", key,
                      (long long)min, (long long)max);
  }
  *out = x;
  if (present)
    *present = true;
  return FS_OK;
}

int jsonx_bool(const json_t *obj, const char *key, unsigned flags, bool *out, bool *present,
               struct fs_err *err)
{
  json_t *v;
  if (present)
    *present = false;
  int rc = lookup(obj, key, flags, &v, err);
  if (rc || !v)
    return rc;
  if (!json_is_boolean(v))
    return wrong_type(key, "true or false", err);
  *out = json_is_true(v);
  if (present)
    *present = true;
  return FS_OK;
}

int jsonx_enum(const json_t *obj, const char *key, unsigned flags, const char *const *values,
               int *out, struct fs_err *err)
{
  const char *s;
  *out = -1;
  int rc = jsonx_string(obj, key, flags, 64, &s, err);
  if (rc || !s)
    return rc;
  for (int i = 0; values[i]; i++) {
    if (!strcmp(values[i], s)) {
      *out = i;
      return FS_OK;
    }
  }
  char allowed[256] = "";
  size_t used = 0;
  for (int i = 0; values[i] && used < sizeof(allowed); i++)
    used +=
        (size_t)snprintf(allowed + used, sizeof(allowed) - used, "%s%s", i ? ", " : "", values[i]);
  char where[160];
  field_path(where, sizeof(where), NULL, key);
  return fs_err_set(err, FS_ERR_INVALID, where, "field \"%s\" is \"%.40s\"; expected one of: %s",
                    key, s, allowed);
}

int jsonx_time(const json_t *obj, const char *key, unsigned flags, int64_t *ms, bool *present,
               struct fs_err *err)
{
  const char *s;
  if (present)
    *present = false;
  int rc = jsonx_string(obj, key, flags, 64, &s, err);
  if (rc || !s)
    return rc;
  struct fs_err inner;
  if (fs_time_parse_ms(s, strlen(s), ms, &inner)) {
    char where[160];
    field_path(where, sizeof(where), NULL, key);
    return fs_err_set(err, FS_ERR_INVALID, where, "field \"%s\": %s at %s", key, inner.msg,
                      inner.where);
  }
  if (present)
    *present = true;
  return FS_OK;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
  return fs_buf_append(data, buffer, size) ? -1 : 0;
}

int jsonx_dump(const json_t *v, struct fs_buf *out)
{
  return json_dump_callback(v, dump_cb, out, JSON_COMPACT | JSON_ENCODE_ANY) ? FS_ERR_TOO_LARGE
                                                                             : FS_OK;
}

json_t *jsonx_time_new(int64_t ms)
{
  char ts[32];
  fs_time_format_ms(ms, ts);
  return json_string(ts);
}
