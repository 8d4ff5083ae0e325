/* The processing pool: a few threads, each with its own worker, that run what syslog connections
 * read. A connection's thread only reads and waits; parsing, matching and storing (where the
 * allocations are) happen on these threads, so memory grows with the pool, not with the number of
 * connections (glibc keeps a cache of freed blocks per thread: a thread per connection that
 * processed its own records would keep one per connection). */
#include "soc/soc_int.h"
#include "core/thread.h"

#include <stdatomic.h>
#include <stdlib.h>

struct pool_job {
  struct pool_job *next;
  soc_pool_fn fn;
  void *arg;
  bool done;
  pthread_cond_t cond; /* done */
};

struct soc_pool {
  struct soc_engine *e;
  soc_pool_idle_fn idle;
  void *idle_arg;
  pthread_mutex_t lock;
  pthread_cond_t work;
  struct pool_job *head, *tail;
  size_t queued, busy, n;
  bool stopping;
  pthread_t *threads;
  size_t started;
};

struct pool_thread {
  struct soc_pool *p;
  struct soc_worker *w;
};

static void *pool_main(void *arg)
{
  struct pool_thread *t = arg;
  struct soc_pool *p = t->p;
  bool worked = false;
  pthread_mutex_lock(&p->lock);
  for (;;) {
    if (!p->head && worked) { /* nothing waiting: let the owner store what was gathered */
      worked = false;
      pthread_mutex_unlock(&p->lock);
      p->idle(p->idle_arg, t->w);
      pthread_mutex_lock(&p->lock);
      continue;
    }
    if (!p->head && p->stopping)
      break;
    if (!p->head) {
      pthread_cond_wait(&p->work, &p->lock);
      continue;
    }
    struct pool_job *j = p->head;
    p->head = j->next;
    if (!p->head)
      p->tail = NULL;
    p->queued--;
    p->busy++;
    pthread_mutex_unlock(&p->lock);
    j->fn(j->arg, t->w);
    worked = true;
    pthread_mutex_lock(&p->lock);
    p->busy--;
    j->done = true;
    pthread_cond_signal(&j->cond);
  }
  pthread_mutex_unlock(&p->lock);
  soc_worker_free(t->w);
  free(t);
  return NULL;
}

int soc_pool_start(struct soc_engine *e, size_t threads, soc_pool_idle_fn idle, void *idle_arg,
                   struct soc_pool **out, struct fs_err *err)
{
  struct soc_pool *p = calloc(1, sizeof(*p));
  if (!p || !(p->threads = calloc(threads, sizeof(*p->threads)))) {
    free(p);
    return fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  }
  p->e = e;
  p->idle = idle;
  p->idle_arg = idle_arg;
  p->n = threads;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->work, NULL);
  int rc = FS_OK;
  for (size_t i = 0; !rc && i < threads; i++) {
    struct pool_thread *t = calloc(1, sizeof(*t));
    if (t && (t->w = soc_worker_new(e))) {
      t->p = p;
      if (!fs_thread_start(&p->threads[i], pool_main, t)) {
        p->started++;
        continue;
      }
      soc_worker_free(t->w);
    }
    free(t);
    rc = fs_err_set(err, FS_ERR_NOMEM, "soc", "cannot start the processing threads");
  }
  if (rc) {
    soc_pool_stop(p);
    return rc;
  }
  *out = p;
  return FS_OK;
}

void soc_pool_stop(struct soc_pool *p)
{
  if (!p)
    return;
  pthread_mutex_lock(&p->lock);
  p->stopping = true;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->lock);
  for (size_t i = 0; i < p->started; i++)
    pthread_join(p->threads[i], NULL);
  pthread_cond_destroy(&p->work);
  pthread_mutex_destroy(&p->lock);
  free(p->threads);
  free(p);
}

void soc_pool_run(struct soc_pool *p, soc_pool_fn fn, void *arg)
{
  struct pool_job j = {.fn = fn, .arg = arg};
  pthread_cond_init(&j.cond, NULL);
  pthread_mutex_lock(&p->lock);
  if (p->tail)
    p->tail->next = &j;
  else
    p->head = &j;
  p->tail = &j;
  p->queued++;
  pthread_cond_signal(&p->work);
  while (!j.done)
    pthread_cond_wait(&j.cond, &p->lock);
  pthread_mutex_unlock(&p->lock);
  pthread_cond_destroy(&j.cond);
}

void soc_pool_stats(struct soc_pool *p, size_t *threads, size_t *busy, size_t *queued)
{
  pthread_mutex_lock(&p->lock);
  *threads = p->started;
  *busy = p->busy;
  *queued = p->queued;
  pthread_mutex_unlock(&p->lock);
}
