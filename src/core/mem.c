/* Memory hints. */
#include "core/mem.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define HUGE_PAGE ((uintptr_t)2 << 20)

void fs_mem_prefer_huge_pages(void *p, size_t n)
{
  uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  uintptr_t hi = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);
  if (hi > lo)
    (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

void fs_mem_bulk_heap(void)
{
#ifdef __GLIBC__
  (void)mallopt(M_TOP_PAD, 256 << 20);        /* each extension of the heap: 256 MiB */
  (void)mallopt(M_TRIM_THRESHOLD, 512 << 20); /* what is freed stays for the next batch */
  (void)mallopt(M_MMAP_THRESHOLD, 32 << 20);  /* batches' buffers from the heap, not mmap */
  uintptr_t top0 = (uintptr_t)sbrk(0);
  void *p = malloc(1), *q = malloc(16 << 20); /* more than is free: extends it, by the pad */
  uintptr_t top1 = (uintptr_t)sbrk(0);
  uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  uintptr_t hi = top1 & ~(HUGE_PAGE - 1);
  /* Only over glibc's own heap below the program break, which just grew (a sanitizer's malloc
   * maps its memory elsewhere and leaves the break alone). */
  if (p && q && top1 > top0 && (uintptr_t)p < top1 && (uintptr_t)q < top1 && hi > lo)
    (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
  free(q);
  free(p);
#endif
}

void fs_mem_trim(void)
{
#ifdef __GLIBC__
  (void)malloc_trim(0);
#endif
}
