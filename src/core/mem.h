/* Hints to the kernel about memory the program owns. */
#ifndef FS_CORE_MEM_H
#define FS_CORE_MEM_H

#include "core/base.h"

/* Buffers of at least this many bytes are worth backing with huge pages. */
#define FS_MEM_HUGE_MIN ((size_t)8 << 20)

/* Asks for transparent huge pages (2 MiB) in the 2 MiB-aligned part of [p, p + n): filling 46 MB
 * then takes 23 page faults instead of 11,000, which on the benchmark machine's virtualised MMU
 * cost about a tenth of a TAXII ingest. Only touched pages are backed, so unused capacity still
 * costs nothing. A hint: when the kernel refuses it (THP off, old kernel) nothing changes. Call
 * it on memory from malloc/realloc of at least FS_MEM_HUGE_MIN bytes (glibc maps those apart)
 * that is filled soon and freed soon: freed huge pages inside malloc's heap can stay resident (a
 * hint on every large fs_buf raised `vault verify`'s peak from 78 to 100 MB). */
void fs_mem_prefer_huge_pages(void *p, size_t n);

/* For a command that fills and frees large batches on its main thread (a source's run): malloc's
 * main heap grows in steps of 256 MiB of address space and keeps what it freed (pages are backed
 * only when touched), and that heap asks for transparent huge pages. Filling a batch then takes
 * a page fault every 2 MiB instead of every 4 KiB (on the benchmark machine's virtualised MMU,
 * page faults were about a sixth of a feed run's CPU). Call it once, early, in a process that
 * runs one such command; not in serve (its threads have heaps of their own, and it lives long).
 * Does nothing on other C libraries or when the kernel refuses. */
void fs_mem_bulk_heap(void);

/* Gives memory that malloc holds free back to the system (glibc's malloc_trim: every arena, the
 * per-thread ones included, and whole free pages inside them). After many threads have freed
 * what they used (syslog connections closing), their arenas keep it resident otherwise. Costs a
 * walk over the free lists: call it now and then (after a burst), not per allocation. Does
 * nothing on other C libraries. */
void fs_mem_trim(void);

#endif
