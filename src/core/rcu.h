/* A read-mostly pointer that writers replace while readers keep going (read-copy-update with
 * epochs): readers never block or wait; a writer publishes a new object and waits until no reader
 * can still be using the old one, then frees it. Used for live indicator and rule sets.
 * Header-only so that it needs no build change.
 *
 * Reader, per thread: r = fs_rcu_register(cell) once; then for each batch
 *   obj = fs_rcu_enter(cell, r); ... use obj ...; fs_rcu_exit(r);
 * and fs_rcu_unregister(cell, r) when the thread ends. Writer: fs_rcu_publish(cell, new_obj). */
#ifndef FS_CORE_RCU_H
#define FS_CORE_RCU_H

#include "core/base.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define FS_RCU_MAX_READERS 256

struct fs_rcu_reader {
  _Atomic uint64_t epoch; /* the epoch the reader entered in, 0 when outside */
  atomic_bool used;
  char pad[64 - sizeof(uint64_t) - sizeof(atomic_bool)]; /* one cache line per reader */
};

struct fs_rcu {
  _Atomic(void *) ptr;
  _Atomic uint64_t epoch;
  void (*free_fn)(void *);
  pthread_mutex_t writer;
  struct fs_rcu_reader readers[FS_RCU_MAX_READERS];
};

/* Initializes the cell with `initial` (may be NULL); free_fn frees replaced objects. */
static inline void fs_rcu_init(struct fs_rcu *c, void *initial, void (*free_fn)(void *))
{
  atomic_init(&c->ptr, initial);
  atomic_init(&c->epoch, 1);
  c->free_fn = free_fn;
  pthread_mutex_init(&c->writer, NULL);
  for (size_t i = 0; i < FS_RCU_MAX_READERS; i++) {
    atomic_init(&c->readers[i].epoch, 0);
    atomic_init(&c->readers[i].used, false);
  }
}

/* Frees the current object. No reader may be inside, no writer running. */
static inline void fs_rcu_release(struct fs_rcu *c)
{
  void *p = atomic_exchange(&c->ptr, NULL);
  if (p && c->free_fn)
    c->free_fn(p);
  pthread_mutex_destroy(&c->writer);
}

/* A reader slot for the calling thread, or NULL when all FS_RCU_MAX_READERS are taken. */
static inline struct fs_rcu_reader *fs_rcu_register(struct fs_rcu *c)
{
  for (size_t i = 0; i < FS_RCU_MAX_READERS; i++) {
    bool expected = false;
    if (atomic_compare_exchange_strong(&c->readers[i].used, &expected, true))
      return &c->readers[i];
  }
  return NULL;
}

static inline void fs_rcu_unregister(struct fs_rcu *c, struct fs_rcu_reader *r)
{
  (void)c;
  atomic_store(&r->epoch, 0);
  atomic_store(&r->used, false);
}

/* Enters a read section and returns the current object, valid until fs_rcu_exit. Never blocks.
 * Sections must not nest on one reader. */
static inline void *fs_rcu_enter(struct fs_rcu *c, struct fs_rcu_reader *r)
{
  atomic_store(&r->epoch, atomic_load(&c->epoch));
  return atomic_load(&c->ptr); /* seq_cst: ordered after the store above */
}

static inline void fs_rcu_exit(struct fs_rcu_reader *r)
{
  atomic_store_explicit(&r->epoch, 0, memory_order_release);
}

/* Replaces the object with p, waits until every reader that may still see the old one has left
 * its section, then frees the old one. Writers are serialised; readers are never held up. */
static inline void fs_rcu_publish(struct fs_rcu *c, void *p)
{
  pthread_mutex_lock(&c->writer);
  void *old = atomic_exchange(&c->ptr, p);
  uint64_t e = atomic_fetch_add(&c->epoch, 1) + 1;
  for (size_t i = 0; i < FS_RCU_MAX_READERS; i++) {
    for (;;) {
      uint64_t re = atomic_load(&c->readers[i].epoch);
      if (re == 0 || re >= e)
        break;
      struct timespec ts = {0, 50000};
      nanosleep(&ts, NULL);
    }
  }
  pthread_mutex_unlock(&c->writer);
  if (old && c->free_fn)
    c->free_fn(old);
}

#endif
