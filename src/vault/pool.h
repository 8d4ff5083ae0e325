/* A small pool of worker threads for chunk-level work (compressing and sealing on deposit,
 * opening and decompressing on restore). The caller owns every task and collects the results in
 * the order it chooses (usually the order it submitted them), so what is written stays in order
 * whatever order the workers finish in. Plain pthreads: one mutex, two condition variables. */
#ifndef FS_VAULT_POOL_H
#define FS_VAULT_POOL_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vault_task;
/* The work of a task, run on a worker thread (or in the submitting thread when the pool has no
 * workers). Returns FS_OK or an error code with err filled in. It must not touch other tasks. */
typedef int (*vault_task_fn)(struct vault_task *t, struct fs_err *err);

/* Embed as a member of the caller's task structure; set fn before each submit. The fields after fn
 * belong to the pool. */
struct vault_task {
  vault_task_fn fn;
  struct vault_task *next;
  void *waiter; /* the condition variable of the thread waiting for it, if any */
  int state;    /* 0 idle, 1 queued, 2 running, 3 done */
  int rc;
  struct fs_err err;
};

struct vault_pool;

/* Starts `threads` workers (0 or less: one per online CPU; 1: none, tasks run in the submitting
 * thread). FS_ERR_NOMEM when nothing can be allocated; fewer threads than asked when the system
 * refuses some (at least the caller then runs the tasks). *out is freed with vault_pool_free. */
int vault_pool_new(int threads, struct vault_pool **out, struct fs_err *err);
/* Number of worker threads (0 when tasks run in the submitting thread). */
int vault_pool_threads(const struct vault_pool *p);
/* Queues an idle task (state 0, fn set). Never blocks: the caller bounds how many it has out. */
void vault_pool_submit(struct vault_pool *p, struct vault_task *t);
/* Waits until t has run and makes it idle again. Returns its fn's result; *err gets its error. */
int vault_pool_wait(struct vault_pool *p, struct vault_task *t, struct fs_err *err);
/* Withdraws t: a task not started yet never runs, a running one is waited for. t is idle after it,
 * whatever its state was. Returns true when t had not run (was dropped). */
bool vault_pool_cancel(struct vault_pool *p, struct vault_task *t);
/* Stops the workers and frees the pool. Every task must be idle (waited for or cancelled). */
void vault_pool_free(struct vault_pool *p);

/* Scheduling whole files: the largest first, so that no thread is left alone with a big file at
 * the end. Fill size and job (its index), then sort; equal sizes keep their order. */
struct vault_order {
  uint64_t size;
  size_t job;
};
void vault_order_sort(struct vault_order *o, size_t n);

#endif
