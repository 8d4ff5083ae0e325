/* JSON on jansson: strict parsing with positions in errors, and typed field readers that reject
 * unknown fields, wrong types and oversize values with a message naming the field. */
#ifndef FS_CORE_JSONX_H
#define FS_CORE_JSONX_H

#include "core/base.h"
#include "core/buf.h"
#include "core/err.h"

#include <jansson.h>

/* Parses exactly len bytes (duplicate keys rejected). On error, err->where is
 * "line L, column C (byte B)". The caller owns *out (json_decref). */
int jsonx_parse(const char *text, size_t len, json_t **out, struct fs_err *err);
/* Same, and the top level must be an object. */
int jsonx_parse_object(const char *text, size_t len, json_t **out, struct fs_err *err);

/* FS_ERR_INVALID naming the first key of obj not in `allowed` (a NULL-terminated list). `path` is
 * the object's place in the document, "$" for the top. */
int jsonx_only_keys(json_t *obj, const char *const *allowed, const char *path, struct fs_err *err);

enum jsonx_flags {
  JSONX_OPTIONAL = 0,      /* absent is fine */
  JSONX_REQUIRED = 1 << 0, /* absent is an error */
  JSONX_NULLABLE = 1 << 1, /* an explicit null is accepted and reads as absent */
};

/* Reads a string field of at most maxlen bytes with no control characters (a tab, CR or LF only
 * where multiline is wanted: pass maxlen with JSONX_MULTILINE). *out points into obj (valid while
 * obj lives) or is NULL when absent. */
#define JSONX_MULTILINE (1u << 8)
int jsonx_string(const json_t *obj, const char *key, unsigned flags, size_t maxlen,
                 const char **out, struct fs_err *err);
/* Reads an integer in [min, max]. *present tells whether it was there (may be NULL). */
int jsonx_int(const json_t *obj, const char *key, unsigned flags, int64_t min, int64_t max,
              int64_t *out, bool *present, struct fs_err *err);
int jsonx_bool(const json_t *obj, const char *key, unsigned flags, bool *out, bool *present,
               struct fs_err *err);
/* Reads a string that must be one of `values` (NULL-terminated); *out is its index or -1. */
int jsonx_enum(const json_t *obj, const char *key, unsigned flags, const char *const *values,
               int *out, struct fs_err *err);
/* Reads an RFC 3339 time as milliseconds. */
int jsonx_time(const json_t *obj, const char *key, unsigned flags, int64_t *ms, bool *present,
               struct fs_err *err);

/* Appends the compact serialization of v to out. */
int jsonx_dump(const json_t *v, struct fs_buf *out);
/* json_string for a time in milliseconds, as RFC 3339 UTC with milliseconds. */
json_t *jsonx_time_new(int64_t ms);

#endif
