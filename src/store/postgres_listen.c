/* The PostgreSQL backend's notices: one connection per store LISTENs on the channels subscribed
 * to, in a thread of its own that calls the subscribers when a notice arrives, and calls all of
 * them after it had to connect again (notices sent meanwhile are lost; subscribers catch up from
 * their own positions). */
#include "store/postgres_int.h"

#include "core/thread.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

struct sub {
  struct sub *next;
  char channel[64];
  void (*fn)(void *arg);
  void *arg;
};

struct pg_listener {
  pthread_mutex_t lock; /* subs, stop, dirty; held while subscribers are called */
  pthread_t thread;
  bool running, stop, dirty; /* dirty: a channel to LISTEN on was added */
  int pipe[2];               /* wakes the thread (stop, new channel) */
  char *url;
  char *node;
  struct sub *subs;
};

static void quiet(void *arg, const char *message)
{
  (void)arg;
  (void)message;
}

static void call(struct pg_listener *l, const char *channel)
{
  pthread_mutex_lock(&l->lock);
  for (struct sub *s = l->subs; s; s = s->next)
    if (!channel || !strcmp(s->channel, channel))
      s->fn(s->arg);
  pthread_mutex_unlock(&l->lock);
}

/* LISTEN on every channel subscribed to (again: LISTEN twice is harmless). */
static bool listen_all(struct pg_listener *l, PGconn *pg)
{
  pthread_mutex_lock(&l->lock);
  l->dirty = false;
  bool ok = true;
  for (struct sub *s = l->subs; s && ok; s = s->next) {
    char *ident = PQescapeIdentifier(pg, s->channel, strlen(s->channel));
    char sql[160];
    snprintf(sql, sizeof(sql), "LISTEN %s", ident ? ident : "\"\"");
    PQfreemem(ident);
    PGresult *r = PQexec(pg, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
  }
  pthread_mutex_unlock(&l->lock);
  return ok;
}

static bool stopping(struct pg_listener *l)
{
  pthread_mutex_lock(&l->lock);
  bool s = l->stop;
  pthread_mutex_unlock(&l->lock);
  return s;
}

static void drain(int fd)
{
  char buf[64];
  while (read(fd, buf, sizeof(buf)) > 0) {
  }
}

static void *run(void *arg)
{
  struct pg_listener *l = arg;
  PGconn *pg = NULL;
  bool first = true;
  while (!stopping(l)) {
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
      PQfinish(pg);
      pg = pg_connect(l->url, NULL, l->node);
      if (PQstatus(pg) != CONNECTION_OK || !listen_all(l, pg)) {
        PQfinish(pg);
        pg = NULL;
        struct pollfd w = {.fd = l->pipe[0], .events = POLLIN};
        poll(&w, 1, 1000); /* try again in a second, or stop */
        drain(l->pipe[0]);
        continue;
      }
      PQsetNoticeProcessor(pg, quiet, NULL);
      if (!first)
        call(l, NULL); /* what was notified while disconnected is lost: everyone catches up */
      first = false;
    }
    pthread_mutex_lock(&l->lock);
    bool dirty = l->dirty;
    pthread_mutex_unlock(&l->lock);
    if (dirty && !listen_all(l, pg))
      continue;
    struct pollfd fds[2] = {{.fd = PQsocket(pg), .events = POLLIN},
                            {.fd = l->pipe[0], .events = POLLIN}};
    /* A second at most, so that a connection lost without a word is noticed by the probe. */
    int n = poll(fds, 2, 1000);
    if (n > 0 && (fds[1].revents & POLLIN))
      drain(l->pipe[0]);
    if (n == 0) {
      PGresult *r = PQexec(pg, "SELECT 1"); /* a dead server shows here */
      PQclear(r);
    }
    if (!PQconsumeInput(pg))
      continue; /* lost: connect again */
    PGnotify *note;
    while ((note = PQnotifies(pg))) {
      call(l, note->relname);
      PQfreemem(note);
    }
  }
  PQfinish(pg);
  return NULL;
}

struct pg_listener *pg_listener_new(const char *url, const char *node)
{
  struct pg_listener *l = calloc(1, sizeof(*l));
  if (!l)
    return NULL;
  if (!(l->url = strdup(url)) || (node && !(l->node = strdup(node))) ||
      pipe2(l->pipe, O_NONBLOCK | O_CLOEXEC)) {
    free(l->url);
    free(l->node);
    free(l);
    return NULL;
  }
  pthread_mutex_init(&l->lock, NULL);
  return l;
}

static void poke(struct pg_listener *l)
{
  ssize_t w = write(l->pipe[1], "x", 1);
  (void)w; /* a full pipe already wakes the thread */
}

int pg_listener_subscribe(struct pg_listener *l, const char *channel, void (*fn)(void *arg),
                          void *arg, struct fs_err *err)
{
  struct sub *s = calloc(1, sizeof(*s));
  if (!s)
    return fs_err_set(err, FS_ERR_NOMEM, "store", "out of memory");
  snprintf(s->channel, sizeof(s->channel), "%s", channel);
  s->fn = fn;
  s->arg = arg;
  pthread_mutex_lock(&l->lock);
  s->next = l->subs;
  l->subs = s;
  l->dirty = true;
  bool start = !l->running;
  if (start)
    l->running = true;
  pthread_mutex_unlock(&l->lock);
  if (start && fs_thread_start(&l->thread, run, l)) {
    pthread_mutex_lock(&l->lock);
    l->running = false;
    pthread_mutex_unlock(&l->lock);
    return fs_err_set(err, FS_ERR_NOMEM, "store", "cannot start the listening thread");
  }
  poke(l);
  return FS_OK;
}

void pg_listener_unsubscribe(struct pg_listener *l, void (*fn)(void *arg), void *arg)
{
  pthread_mutex_lock(&l->lock); /* not while a subscriber is being called */
  for (struct sub **p = &l->subs; *p;) {
    if ((*p)->fn == fn && (*p)->arg == arg) {
      struct sub *dead = *p;
      *p = dead->next;
      free(dead);
    } else {
      p = &(*p)->next;
    }
  }
  pthread_mutex_unlock(&l->lock);
}

void pg_listener_free(struct pg_listener *l)
{
  if (!l)
    return;
  pthread_mutex_lock(&l->lock);
  l->stop = true;
  bool running = l->running;
  pthread_mutex_unlock(&l->lock);
  if (running) {
    poke(l);
    pthread_join(l->thread, NULL);
  }
  while (l->subs) {
    struct sub *n = l->subs->next;
    free(l->subs);
    l->subs = n;
  }
  close(l->pipe[0]);
  close(l->pipe[1]);
  pthread_mutex_destroy(&l->lock);
  free(l->url);
  free(l->node);
  free(l);
}
