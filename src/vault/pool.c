/* The worker pool of pool.h: a FIFO of caller-owned tasks, workers that run them, and waits. */
#include "vault/pool.h"
#include "core/thread.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define POOL_MAX_THREADS 64

enum { T_IDLE, T_QUEUED, T_RUNNING, T_DONE };

struct vault_pool {
  pthread_mutex_t mu;
  pthread_cond_t work; /* a task was queued, or stop */
  struct vault_task *head, *tail;
  bool stop;
  int nthreads;
  pthread_t tids[POOL_MAX_THREADS];
};

static void run(struct vault_task *t, int *rc, struct fs_err *e)
{
  *e = (struct fs_err){0};
  *rc = t->fn(t, e);
}

static void *worker_main(void *arg)
{
  struct vault_pool *p = arg;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->stop && !p->head)
      pthread_cond_wait(&p->work, &p->mu);
    if (p->stop)
      break;
    struct vault_task *t = p->head;
    p->head = t->next;
    if (!p->head)
      p->tail = NULL;
    t->next = NULL;
    t->state = T_RUNNING;
    pthread_mutex_unlock(&p->mu);
    int rc;
    struct fs_err e;
    run(t, &rc, &e);
    pthread_mutex_lock(&p->mu);
    t->rc = rc;
    t->err = e;
    t->state = T_DONE;
    /* Only the thread waiting for this task is woken: a wake-up costs milliseconds on a busy
     * machine, and there is one per chunk. */
    if (t->waiter)
      pthread_cond_signal(t->waiter);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

int vault_pool_new(int threads, struct vault_pool **out, struct fs_err *err)
{
  *out = NULL;
  if (threads <= 0)
    threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (threads > POOL_MAX_THREADS)
    threads = POOL_MAX_THREADS;
  struct vault_pool *p = calloc(1, sizeof(*p));
  if (!p)
    return fs_err_set(err, FS_ERR_NOMEM, "pool", "out of memory");
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->work, NULL);
  /* One thread of work needs no worker: the caller runs its tasks itself. */
  for (int i = 0; threads > 1 && i < threads; i++)
    if (!fs_thread_start(&p->tids[p->nthreads], worker_main, p))
      p->nthreads++;
  *out = p;
  return FS_OK;
}

int vault_pool_threads(const struct vault_pool *p)
{
  return p->nthreads;
}

void vault_pool_submit(struct vault_pool *p, struct vault_task *t)
{
  t->next = NULL;
  t->waiter = NULL;
  if (!p->nthreads) {
    int rc;
    struct fs_err e;
    run(t, &rc, &e);
    t->rc = rc;
    t->err = e;
    t->state = T_DONE;
    return;
  }
  pthread_mutex_lock(&p->mu);
  t->state = T_QUEUED;
  if (p->tail)
    p->tail->next = t;
  else
    p->head = t;
  p->tail = t;
  pthread_cond_signal(&p->work);
  pthread_mutex_unlock(&p->mu);
}

/* Waits, p->mu held, until t is neither queued nor running. */
static void wait_done(struct vault_pool *p, struct vault_task *t)
{
  if (t->state != T_QUEUED && t->state != T_RUNNING)
    return;
  pthread_cond_t cv;
  pthread_cond_init(&cv, NULL);
  t->waiter = &cv;
  while (t->state == T_QUEUED || t->state == T_RUNNING)
    pthread_cond_wait(&cv, &p->mu);
  t->waiter = NULL;
  pthread_cond_destroy(&cv);
}

int vault_pool_wait(struct vault_pool *p, struct vault_task *t, struct fs_err *err)
{
  pthread_mutex_lock(&p->mu);
  wait_done(p, t);
  int rc = t->state == T_DONE ? t->rc : FS_OK;
  if (rc && err)
    *err = t->err;
  t->state = T_IDLE;
  pthread_mutex_unlock(&p->mu);
  return rc;
}

bool vault_pool_cancel(struct vault_pool *p, struct vault_task *t)
{
  pthread_mutex_lock(&p->mu);
  bool dropped = false;
  if (t->state == T_QUEUED) {
    struct vault_task *prev = NULL;
    for (struct vault_task *q = p->head; q; prev = q, q = q->next) {
      if (q != t)
        continue;
      if (prev)
        prev->next = q->next;
      else
        p->head = q->next;
      if (p->tail == q)
        p->tail = prev;
      break;
    }
    t->next = NULL;
    t->state = T_IDLE;
    dropped = true;
  }
  wait_done(p, t); /* a running task is finished first */
  t->state = T_IDLE;
  pthread_mutex_unlock(&p->mu);
  return dropped;
}

void vault_pool_free(struct vault_pool *p)
{
  if (!p)
    return;
  pthread_mutex_lock(&p->mu);
  p->stop = true;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->mu);
  for (int i = 0; i < p->nthreads; i++)
    pthread_join(p->tids[i], NULL);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->work);
  free(p);
}

static int by_size_desc(const void *a, const void *b)
{
  const struct vault_order *x = a, *y = b;
  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  return x->job < y->job ? -1 : x->job > y->job;
}

void vault_order_sort(struct vault_order *o, size_t n)
{
  qsort(o, n, sizeof(*o), by_size_desc);
}
