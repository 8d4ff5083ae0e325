/* A growable byte buffer with a hard cap, for anything built from untrusted or unbounded input
 * (curl's dynbuf). Past the cap, appends fail with FS_ERR_TOO_LARGE and leave the buffer as it was.
 */
#ifndef FS_CORE_BUF_H
#define FS_CORE_BUF_H

#include "core/base.h"

#include <stdarg.h>

struct fs_buf {
  char *data; /* NULL until the first append; then always NUL-terminated after len bytes */
  size_t len; /* bytes in use, not counting the terminating NUL */
  size_t cap; /* bytes allocated */
  size_t max; /* the cap: len never exceeds it */
};

/* Initializes b (not allocated by us) as empty with the given cap (0 means SIZE_MAX / 2). */
void fs_buf_init(struct fs_buf *b, size_t max);
/* Frees the contents; b is then empty and may be reused after fs_buf_init. */
void fs_buf_release(struct fs_buf *b);
/* Empties b without freeing its memory. */
void fs_buf_reset(struct fs_buf *b);
/* Appends n bytes. FS_OK, FS_ERR_TOO_LARGE (cap) or FS_ERR_NOMEM. */
int fs_buf_append(struct fs_buf *b, const void *p, size_t n);
int fs_buf_append_str(struct fs_buf *b, const char *s);
int fs_buf_append_char(struct fs_buf *b, char c);
int fs_buf_appendf(struct fs_buf *b, const char *fmt, ...) FS_PRINTF(2, 3);
int fs_buf_vappendf(struct fs_buf *b, const char *fmt, va_list ap) FS_PRINTF(2, 0);
/* Makes room for n more bytes without changing len. */
int fs_buf_reserve(struct fs_buf *b, size_t n);
/* The contents as a C string; "" when empty. Valid until the next change to b. */
const char *fs_buf_cstr(const struct fs_buf *b);
/* Hands the contents to the caller (free() them) and leaves b empty. Never NULL on success;
 * NULL only when the empty buffer could not be allocated. */
char *fs_buf_detach(struct fs_buf *b, size_t *len_out);

#endif
