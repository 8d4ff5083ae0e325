/* The arena: a list of blocks, bump allocation inside each. */
#include "core/arena.h"

#include <stdlib.h>
#include <string.h>

struct fs_arena_block {
  struct fs_arena_block *next;
  size_t size;
  size_t off;
  _Alignas(16) unsigned char mem[];
};

void fs_arena_init(struct fs_arena *a, size_t block_size, size_t max)
{
  a->head = NULL;
  a->block_size = block_size ? block_size : 64 * 1024;
  a->used = 0;
  a->max = max;
}

void fs_arena_release(struct fs_arena *a)
{
  struct fs_arena_block *b = a->head;
  while (b) {
    struct fs_arena_block *next = b->next;
    free(b);
    b = next;
  }
  a->head = NULL;
  a->used = 0;
}

void *fs_arena_alloc(struct fs_arena *a, size_t n)
{
  size_t need = (n + 15) & ~(size_t)15;
  if (need < n)
    return NULL;
  if (a->max && (need > a->max || a->used > a->max - need))
    return NULL;
  struct fs_arena_block *b = a->head;
  if (!b || b->size - b->off < need) {
    size_t size = need > a->block_size ? need : a->block_size;
    b = malloc(sizeof(*b) + size);
    if (!b)
      return NULL;
    b->size = size;
    b->off = 0;
    /* A large, one-off block goes behind the current one so that the current one keeps
     * serving small requests. */
    if (a->head && need > a->block_size) {
      b->next = a->head->next;
      a->head->next = b;
    } else {
      b->next = a->head;
      a->head = b;
    }
  }
  void *p = b->mem + b->off;
  b->off += need;
  a->used += need;
  return p;
}

void *fs_arena_calloc(struct fs_arena *a, size_t n)
{
  void *p = fs_arena_alloc(a, n);
  if (p)
    memset(p, 0, n);
  return p;
}

char *fs_arena_strndup(struct fs_arena *a, const char *s, size_t n)
{
  char *p = fs_arena_alloc(a, n + 1);
  if (!p)
    return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *fs_arena_strdup(struct fs_arena *a, const char *s)
{
  return fs_arena_strndup(a, s, strlen(s));
}
