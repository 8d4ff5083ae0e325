/* Paging cursors that tell nothing (docs/security.md, "Paging cursors and ids"): a position in a
 * list (two 64-bit numbers, e.g. a date and a row number) and a fingerprint of the query it
 * belongs to, sealed with XChaCha20-Poly1305 under a key of the hub's and written in base64url.
 * The position may be a row the reader may not see (skipped just before the page ended): the
 * cursor shows neither that row nor its place, and a random nonce makes two cursors for one
 * place differ. */
#ifndef FS_CORE_CURSOR_H
#define FS_CORE_CURSOR_H

#include "core/base.h"
#include "core/err.h"

#define FS_CURSOR_KEYBYTES 32
#define FS_CURSOR_LEN 87 /* characters of a sealed cursor */

struct fs_cursor {
  int64_t a, b;     /* the position: the list's own order (date and row, row and 0, ...) */
  uint64_t context; /* fs_cursor_context of the query it pages through */
};

/* Writes c sealed with key into out (FS_CURSOR_LEN characters and a NUL). */
void fs_cursor_seal(const struct fs_cursor *c, const uint8_t key[FS_CURSOR_KEYBYTES],
                    char out[FS_CURSOR_LEN + 1]);
/* Opens a cursor sent back by a client (len bytes at s) into *c. FS_ERR_INVALID (HTTP 400, "where"
 * naming the parameter) when it is malformed, forged, altered or sealed with another key. The
 * caller compares c->context with its query's: a cursor of another query is refused too. */
int fs_cursor_open(const char *s, size_t len, const uint8_t key[FS_CURSOR_KEYBYTES],
                   const char *where, struct fs_cursor *c, struct fs_err *err);
/* A 64-bit fingerprint of len bytes (BLAKE2b), to bind a cursor to what its query selects. */
uint64_t fs_cursor_context(const void *text, size_t len);

#endif
