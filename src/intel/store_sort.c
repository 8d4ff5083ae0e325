/* Sorting for the ingest: elements that start with a 64-bit key, radix-sorted on it, ties by a
 * comparison function. */
#include "intel/store_int.h"

#include <stdlib.h>
#include <string.h>

static uint64_t key_of(const unsigned char *e)
{
  uint64_t k;
  memcpy(&k, e, sizeof(k));
  return k;
}

/* Why not qsort alone: qsort's comparison through a pointer, and its element copies, were most of
 * the cost of ordering 100,000 objects by id; eight counting passes over the keys cost a tenth. */
bool intel_prefix_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
  if (n < 2)
    return true;
  unsigned char *a = base, *tmp = malloc(n * size);
  if (!tmp)
    return false;
  unsigned char *src = a, *dst = tmp;
  for (unsigned shift = 0; shift < 64; shift += 8) {
    size_t count[256] = {0};
    for (size_t i = 0; i < n; i++)
      count[(key_of(src + i * size) >> shift) & 0xff]++;
    if (count[(key_of(src) >> shift) & 0xff] == n)
      continue; /* every key has this byte: the pass would change nothing */
    size_t at = 0;
    for (size_t b = 0; b < 256; b++) {
      size_t c = count[b];
      count[b] = at;
      at += c;
    }
    for (size_t i = 0; i < n; i++) { /* in order: equal bytes keep their order (stable) */
      const unsigned char *e = src + i * size;
      memcpy(dst + count[(key_of(e) >> shift) & 0xff]++ * size, e, size);
    }
    unsigned char *t = src;
    src = dst;
    dst = t;
  }
  if (src != a)
    memcpy(a, src, n * size);
  free(tmp);
  for (size_t i = 0; cmp && i < n;) { /* runs of equal keys, by cmp */
    size_t j = i + 1;
    while (j < n && key_of(a + j * size) == key_of(a + i * size))
      j++;
    if (j - i > 1)
      qsort(a + i * size, j - i, size, cmp);
    i = j;
  }
  return true;
}
