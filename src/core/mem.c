/* Memory hints. */
#include "core/mem.h"

#include <stdint.h>
#include <sys/mman.h>
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

void fs_mem_trim(void)
{
#ifdef __GLIBC__
  (void)malloc_trim(0);
#endif
}
