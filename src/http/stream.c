/* Event streams: suspended connections resumed by one thread. */
#include "http/stream.h"
#include "core/thread.h"

#include "core/time.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define KEEPALIVE_NS (15LL * 1000000000)
#define POLL_MS 500

struct stream {
  struct stream *next;
  struct http_streams *owner;
  struct MHD_Connection *conn;
  struct actor who;
  http_stream_fetch_fn fetch;
  void *ctx;
  void (*free_ctx)(void *);
  int64_t after;
  struct fs_buf pending;
  size_t sent;
  int64_t last_write_ns;
  bool suspended;
};

struct http_streams {
  struct hub *hub;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_t thread;
  bool running, stopping, poked;
  struct stream *list;
};

static void *run(void *arg)
{
  struct http_streams *s = arg;
  pthread_mutex_lock(&s->lock);
  while (!s->stopping) {
    struct timespec until;
    fs_time_realtime_after(&until, POLL_MS);
    if (!s->poked)
      pthread_cond_timedwait(&s->wake, &s->lock, &until);
    s->poked = false;
    for (struct stream *st = s->list; st; st = st->next) {
      if (st->suspended) {
        st->suspended = false;
        MHD_resume_connection(st->conn);
      }
    }
  }
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

struct http_streams *http_streams_new(struct hub *hub)
{
  struct http_streams *s = calloc(1, sizeof(*s));
  if (!s)
    return NULL;
  s->hub = hub;
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->wake, NULL);
  if (fs_thread_start(&s->thread, run, s)) {
    free(s);
    return NULL;
  }
  s->running = true;
  return s;
}

void http_streams_poke(struct http_streams *s)
{
  if (!s)
    return;
  pthread_mutex_lock(&s->lock);
  s->poked = true;
  pthread_cond_signal(&s->wake);
  pthread_mutex_unlock(&s->lock);
}

void http_streams_stop(struct http_streams *s)
{
  if (!s || !s->running)
    return;
  pthread_mutex_lock(&s->lock);
  s->stopping = true;
  pthread_cond_signal(&s->wake);
  pthread_mutex_unlock(&s->lock);
  pthread_join(s->thread, NULL);
  s->running = false;
  /* MHD must not be stopped with suspended connections: resume them; their readers then see
   * that the server stops and end their streams. */
  pthread_mutex_lock(&s->lock);
  for (struct stream *st = s->list; st; st = st->next)
    if (st->suspended) {
      st->suspended = false;
      MHD_resume_connection(st->conn);
    }
  pthread_mutex_unlock(&s->lock);
}

void http_streams_free(struct http_streams *s)
{
  if (!s)
    return;
  http_streams_stop(s);
  pthread_mutex_destroy(&s->lock);
  pthread_cond_destroy(&s->wake);
  free(s);
}

static void stream_free(void *cls)
{
  struct stream *st = cls;
  struct http_streams *s = st->owner;
  pthread_mutex_lock(&s->lock);
  for (struct stream **pp = &s->list; *pp; pp = &(*pp)->next)
    if (*pp == st) {
      *pp = st->next;
      break;
    }
  pthread_mutex_unlock(&s->lock);
  if (st->free_ctx)
    st->free_ctx(st->ctx);
  fs_buf_release(&st->pending);
  free(st);
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
  (void)pos;
  struct stream *st = cls;
  struct http_streams *s = st->owner;
  pthread_mutex_lock(&s->lock);
  bool stopping = s->stopping;
  pthread_mutex_unlock(&s->lock);
  if (stopping)
    return MHD_CONTENT_READER_END_OF_STREAM;
  if (st->sent == st->pending.len) {
    fs_buf_reset(&st->pending);
    st->sent = 0;
    struct store_conn *c;
    if (store_acquire(s->hub->store, &c, NULL) == FS_OK) {
      st->who.now_ms = hub_now(s->hub);
      int rc = st->fetch(c, &st->who, st->ctx, &st->after, &st->pending);
      store_release(s->hub->store, c);
      if (rc == FS_ERR_TOO_LARGE && !st->pending.len)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    int64_t now = fs_time_mono_ns();
    if (!st->pending.len && now - st->last_write_ns > KEEPALIVE_NS)
      fs_buf_append_str(&st->pending, ": keep-alive\n\n");
    if (!st->pending.len) {
      /* Suspended only while the streams run: the stop, once it has begun (under the same lock),
       * resumes what is suspended and nothing suspends after it, so MHD never stops with a
       * suspended connection (it aborts). The check at the top does not cover this: the stop
       * may begin while this reader fetches. */
      pthread_mutex_lock(&s->lock);
      stopping = s->stopping;
      if (!stopping) {
        st->suspended = true;
        MHD_suspend_connection(st->conn);
      }
      pthread_mutex_unlock(&s->lock);
      return stopping ? MHD_CONTENT_READER_END_OF_STREAM : 0;
    }
  }
  size_t n = st->pending.len - st->sent;
  if (n > max)
    n = max;
  memcpy(buf, st->pending.data + st->sent, n);
  st->sent += n;
  st->last_write_ns = fs_time_mono_ns();
  return (ssize_t)n;
}

int http_stream_start(struct http_request *req, struct http_response *res, int64_t after,
                      const char *sealed_list, http_stream_fetch_fn fetch, void *ctx,
                      void (*free_ctx)(void *))
{
  const char *last = http_request_header(req, "Last-Event-ID");
  if (last && *last) {
    int64_t unused;
    int rc = sealed_list
                 ? http_cursor_open(req, "Last-Event-ID", last, sealed_list, &after, &unused)
                 : FS_OK;
    if (rc) {
      if (free_ctx)
        free_ctx(ctx);
      return rc;
    }
    if (!sealed_list)
      after = strtoll(last, NULL, 10);
  }
  struct http_streams *s = http_server_streams(req->srv);
  struct stream *st = s ? calloc(1, sizeof(*st)) : NULL;
  if (!st) {
    if (free_ctx)
      free_ctx(ctx);
    return fs_err_set(&req->err, FS_ERR_NOMEM, "stream", "cannot start a stream");
  }
  /* The stream takes a connection only while it fetches: give back the request's. */
  if (req->db) {
    store_release(req->hub->store, req->db);
    req->db = NULL;
  }
  st->owner = s;
  st->conn = req->conn;
  st->who = req->who;
  st->fetch = fetch;
  st->ctx = ctx;
  st->free_ctx = free_ctx;
  st->after = after;
  st->last_write_ns = fs_time_mono_ns();
  fs_buf_init(&st->pending, 16 << 20);
  /* A comment first, so that clients see the stream open at once. */
  fs_buf_append_str(&st->pending, ": finshield event stream\nretry: 2000\n\n");
  struct MHD_Response *r =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, reader, st, stream_free);
  if (!r) {
    stream_free(st);
    return fs_err_set(&req->err, FS_ERR_NOMEM, "stream", "cannot start a stream");
  }
  pthread_mutex_lock(&s->lock);
  st->next = s->list;
  s->list = st;
  pthread_mutex_unlock(&s->lock);
  res->custom = r;
  res->status = 200;
  res->content_type = "text/event-stream; charset=utf-8";
  return FS_OK;
}
