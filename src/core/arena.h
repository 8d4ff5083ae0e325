/* An arena for many small allocations freed together (git's mem-pool): one per request, per parsed
 * document, per batch. Memory handed out is 16-byte aligned and lives until fs_arena_release. */
#ifndef FS_CORE_ARENA_H
#define FS_CORE_ARENA_H

#include "core/base.h"

struct fs_arena_block;

struct fs_arena {
  struct fs_arena_block *head;
  size_t block_size; /* default size of new blocks */
  size_t used;       /* bytes handed out, for limits and statistics */
  size_t max;        /* cap on `used`; 0 means none */
};

/* Initializes an empty arena; block_size 0 means 64 KiB; max 0 means no cap. */
void fs_arena_init(struct fs_arena *a, size_t block_size, size_t max);
/* Frees every block. The arena may be reused after fs_arena_init. */
void fs_arena_release(struct fs_arena *a);
/* n bytes of uninitialized memory, or NULL when out of memory or over the cap. */
void *fs_arena_alloc(struct fs_arena *a, size_t n);
/* n zeroed bytes, or NULL. */
void *fs_arena_calloc(struct fs_arena *a, size_t n);
/* A NUL-terminated copy of the n bytes at s, or NULL. */
char *fs_arena_strndup(struct fs_arena *a, const char *s, size_t n);
char *fs_arena_strdup(struct fs_arena *a, const char *s);

#endif
