/* The capped growable buffer. */
#include "core/buf.h"

#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fs_buf_init(struct fs_buf *b, size_t max)
{
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max ? max : SIZE_MAX / 2;
}

void fs_buf_release(struct fs_buf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

void fs_buf_reset(struct fs_buf *b)
{
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

int fs_buf_reserve(struct fs_buf *b, size_t n)
{
  if (n > b->max - b->len)
    return FS_ERR_TOO_LARGE;
  size_t need = b->len + n + 1;
  if (need <= b->cap)
    return FS_OK;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  if (cap > b->max + 1)
    cap = b->max + 1;
  char *p = realloc(b->data, cap);
  if (!p)
    return FS_ERR_NOMEM;
  b->data = p;
  b->cap = cap;
  return FS_OK;
}

int fs_buf_append(struct fs_buf *b, const void *p, size_t n)
{
  int rc = fs_buf_reserve(b, n);
  if (rc)
    return rc;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return FS_OK;
}

int fs_buf_append_str(struct fs_buf *b, const char *s)
{
  return fs_buf_append(b, s, strlen(s));
}

int fs_buf_append_char(struct fs_buf *b, char c)
{
  return fs_buf_append(b, &c, 1);
}

int fs_buf_vappendf(struct fs_buf *b, const char *fmt, va_list ap)
{
  va_list copy;
  va_copy(copy, ap);
  char small[256];
  int n = vsnprintf(small, sizeof(small), fmt, copy);
  va_end(copy);
  if (n < 0)
    return FS_ERR_INVALID;
  if ((size_t)n < sizeof(small))
    return fs_buf_append(b, small, (size_t)n);
  int rc = fs_buf_reserve(b, (size_t)n);
  if (rc)
    return rc;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return FS_OK;
}

int fs_buf_appendf(struct fs_buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = fs_buf_vappendf(b, fmt, ap);
  va_end(ap);
  return rc;
}

const char *fs_buf_cstr(const struct fs_buf *b)
{
  return b->data ? b->data : "";
}

char *fs_buf_detach(struct fs_buf *b, size_t *len_out)
{
  if (!b->data && fs_buf_reserve(b, 0) == FS_OK)
    b->data[0] = '\0';
  char *p = b->data;
  if (len_out)
    *len_out = b->len;
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  return p;
}

int fs_buf_append_json_string(struct fs_buf *b, const char *s)
{
  int rc = fs_buf_append_char(b, '"');
  const char *run = s;
  for (const char *p = s; !rc && *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c != '"' && c != '\\' && c >= 0x20)
      continue;
    rc = fs_buf_append(b, run, (size_t)(p - run));
    if (!rc)
      rc = c < 0x20 ? fs_buf_appendf(b, "\\u%04x", c) : fs_buf_appendf(b, "\\%c", c);
    run = p + 1;
  }
  if (!rc)
    rc = fs_buf_append_str(b, run);
  return rc ? rc : fs_buf_append_char(b, '"');
}
