/* Threads started with every signal blocked, and periodic background work. */
#include "core/thread.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

int fs_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(thread, NULL, fn, arg);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

struct fs_periodic {
  void (*fn)(void *);
  void *arg;
  int64_t interval_ms;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool stop;
};

static void *periodic_main(void *arg)
{
  struct fs_periodic *p = arg;
  pthread_mutex_lock(&p->lock);
  while (!p->stop) {
    pthread_mutex_unlock(&p->lock);
    p->fn(p->arg);
    pthread_mutex_lock(&p->lock);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    int64_t ns = until.tv_nsec + (p->interval_ms % 1000) * 1000000;
    until.tv_sec += (time_t)(p->interval_ms / 1000 + ns / 1000000000);
    until.tv_nsec = ns % 1000000000;
    while (!p->stop && pthread_cond_timedwait(&p->wake, &p->lock, &until) != ETIMEDOUT) {
    }
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

int fs_periodic_start(void (*fn)(void *), void *arg, int64_t interval_ms, struct fs_periodic **out)
{
  struct fs_periodic *p = calloc(1, sizeof(*p));
  if (!p)
    return ENOMEM;
  p->fn = fn;
  p->arg = arg;
  p->interval_ms = interval_ms > 0 ? interval_ms : 1000;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->wake, NULL);
  int rc = fs_thread_start(&p->thread, periodic_main, p);
  if (rc) {
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    free(p);
    return rc;
  }
  *out = p;
  return 0;
}

void fs_periodic_stop(struct fs_periodic *p)
{
  if (!p)
    return;
  pthread_mutex_lock(&p->lock);
  p->stop = true;
  pthread_cond_signal(&p->wake);
  pthread_mutex_unlock(&p->lock);
  pthread_join(p->thread, NULL);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->wake);
  free(p);
}
