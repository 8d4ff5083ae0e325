/* The SQLite backend's checkpointer: WAL pages are copied into the database by a thread of the
 * store, not by the connection whose commit crossed the threshold (SQLite's autocheckpoint would
 * make that request wait for the copy and its fsync). */
#include "core/thread.h"
#include "store/sqlite_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A commit that leaves at least this many pages in the WAL wakes the checkpointer at once (16 MB
 * with the 16 KiB pages of new databases); smaller ones are checkpointed within a second. */
enum { CHECKPOINT_PAGES = 1000, CHECKPOINT_IDLE_SECONDS = 1 };

struct sq_checkpointer {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_t thread;
  bool stop;
  bool due;     /* the WAL crossed the threshold */
  bool pending; /* a commit happened since the last checkpoint */
  char *path;
  sqlite3 *db; /* the thread's own connection, opened at its first checkpoint */
};

static void checkpoint(struct sq_checkpointer *k)
{
  if (!k->db) {
    if (sqlite3_open_v2(k->path, &k->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
      sqlite3_close(k->db);
      k->db = NULL;
      return; /* tried again at the next commit or second */
    }
    sqlite3_wal_autocheckpoint(k->db, 0);
    /* A new connection knows the database is in WAL mode only once it has read it. */
    if (sqlite3_exec(k->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
      sqlite3_close(k->db);
      k->db = NULL;
      return;
    }
  }
  /* PASSIVE: copies what no reader still needs and never waits for anyone; the rest is copied
   * next time. A failure (busy, I/O) leaves the WAL as it was, which is always safe. */
  sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

static void *run(void *arg)
{
  struct sq_checkpointer *k = arg;
  pthread_mutex_lock(&k->lock);
  for (;;) {
    while (!k->stop && !k->due) {
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_sec += CHECKPOINT_IDLE_SECONDS;
      if (pthread_cond_timedwait(&k->wake, &k->lock, &until) == ETIMEDOUT && k->pending)
        break;
    }
    bool work = k->pending || k->due;
    bool stop = k->stop;
    k->due = k->pending = false;
    pthread_mutex_unlock(&k->lock);
    if (work)
      checkpoint(k);
    pthread_mutex_lock(&k->lock);
    if (stop)
      break;
  }
  pthread_mutex_unlock(&k->lock);
  return NULL;
}

int sq_checkpointer_start(const char *path, struct sq_checkpointer **out)
{
  struct sq_checkpointer *k = calloc(1, sizeof(*k));
  if (!k)
    return FS_ERR_NOMEM;
  k->path = strdup(path);
  pthread_mutex_init(&k->lock, NULL);
  pthread_cond_init(&k->wake, NULL);
  if (!k->path || fs_thread_start(&k->thread, run, k)) {
    pthread_mutex_destroy(&k->lock);
    pthread_cond_destroy(&k->wake);
    free(k->path);
    free(k);
    return FS_ERR_NOMEM;
  }
  *out = k;
  return FS_OK;
}

void sq_checkpointer_stop(struct sq_checkpointer *k)
{
  if (!k)
    return;
  pthread_mutex_lock(&k->lock);
  k->stop = true;
  pthread_cond_signal(&k->wake);
  pthread_mutex_unlock(&k->lock);
  pthread_join(k->thread, NULL);
  sqlite3_close(k->db);
  pthread_mutex_destroy(&k->lock);
  pthread_cond_destroy(&k->wake);
  free(k->path);
  free(k);
}

/* sqlite3_wal_hook callback: runs in the committing thread after each commit, with the WAL's size
 * in pages. It only takes note. */
static int on_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
  (void)db;
  (void)name;
  struct sq_checkpointer *k = arg;
  pthread_mutex_lock(&k->lock);
  k->pending = true;
  if (pages >= CHECKPOINT_PAGES && !k->due) {
    k->due = true;
    pthread_cond_signal(&k->wake);
  }
  pthread_mutex_unlock(&k->lock);
  return SQLITE_OK;
}

void sq_checkpointer_attach(struct sq_checkpointer *k, sqlite3 *db)
{
  /* Replaces SQLite's own autocheckpoint, which is a WAL hook too. */
  sqlite3_wal_hook(db, on_commit, k);
}
