/* The query-string splitter and the path check: one percent-decoder for both. */
#include "core/query.h"

#include "core/encode.h"

#include <stdio.h>
#include <string.h>

/* What is decoded: a query string ('+' is a space) or a path (a '+' is itself). */
enum part { QUERY, PATH };

static int bad(struct fs_err *err, enum part part, size_t off, const char *what)
{
  char where[48];
  snprintf(where, sizeof(where), "%s byte %zu", part == PATH ? "path" : "query", off);
  return fs_err_set(err, FS_ERR_INVALID, where, "malformed %s: %s",
                    part == PATH ? "path" : "query string", what);
}

/* Decodes raw[start..end) into a fresh arena string. */
static int decode(enum part part, const char *raw, size_t start, size_t end, struct fs_arena *a,
                  const char **out, struct fs_err *err)
{
  char *d = fs_arena_alloc(a, end - start + 1);
  if (!d)
    return fs_err_set(err, FS_ERR_NOMEM, "query", "out of memory");
  size_t n = 0;
  for (size_t i = start; i < end; i++) {
    size_t at = i;
    char c = raw[i];
    if (c == '+' && part == QUERY) {
      c = ' ';
    } else if (c == '%') {
      if (end - i < 3 || fs_hex_digit(raw[i + 1]) < 0 || fs_hex_digit(raw[i + 2]) < 0)
        return bad(err, part, i, "'%' must be followed by two hex digits");
      c = (char)(fs_hex_digit(raw[i + 1]) << 4 | fs_hex_digit(raw[i + 2]));
      i += 2;
    }
    if ((unsigned char)c < 0x20 || c == 0x7f)
      return bad(err, part, at, "control character");
    d[n++] = c;
  }
  d[n] = '\0';
  for (size_t i = 0; i < n;) {
    size_t l = fs_utf8_len((const unsigned char *)d + i, n - i);
    if (!l)
      return bad(err, part, start, "not valid UTF-8");
    i += l;
  }
  *out = d;
  return FS_OK;
}

int fs_query_parse(const char *raw, size_t len, struct fs_query *q, struct fs_arena *a,
                   struct fs_err *err)
{
  q->count = 0;
  if (len > FS_QUERY_MAX_BYTES)
    return fs_err_set(err, FS_ERR_INVALID, "query", "query string longer than %d bytes",
                      FS_QUERY_MAX_BYTES);
  size_t i = 0;
  while (i < len) {
    size_t end = i;
    while (end < len && raw[end] != '&')
      end++;
    if (end > i) {
      size_t eq = i;
      while (eq < end && raw[eq] != '=')
        eq++;
      if (eq == i)
        return bad(err, QUERY, i, "parameter without a name");
      if (q->count == FS_QUERY_MAX_PARAMS)
        return fs_err_set(err, FS_ERR_INVALID, "query", "more than %d parameters",
                          FS_QUERY_MAX_PARAMS);
      int rc = decode(QUERY, raw, i, eq, a, &q->keys[q->count], err);
      if (!rc)
        rc = decode(QUERY, raw, eq < end ? eq + 1 : end, end, a, &q->values[q->count], err);
      if (rc)
        return rc;
      q->count++;
    }
    i = end + 1;
  }
  return FS_OK;
}

int fs_path_check(const char *raw, size_t len, struct fs_arena *a, struct fs_err *err)
{
  for (size_t i = 0; i < len;) {
    size_t end = i;
    while (end < len && raw[end] != '/')
      end++;
    const char *segment;
    int rc = decode(PATH, raw, i, end, a, &segment, err);
    if (rc)
      return rc;
    i = end + 1;
  }
  return FS_OK;
}
