/* Deadlines for clients: a list of watched connections and one thread. See guard.h. */
#include "http/guard.h"

#include "core/thread.h"
#include "core/time.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>

#define GUARD_TICK_MS 500
#define NS 1000000000LL

enum phase { WAITING, HEAD, BODY, ANSWERING };

struct http_guard_conn {
  struct http_guard_conn *prev, *next;
  struct http_guard *g;
  int fd;
  enum phase phase;
  int64_t since_ns; /* start of the phase */
  uint64_t bytes;   /* of the body, in BODY */
  bool cut;
};

struct http_guard {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_t thread;
  bool stopping;
  int64_t head_ns, wait_ns, min_rate;
  struct http_guard_conn *list;
  struct fs_metric *cut_head, *cut_body;
};

/* Shuts down the socket of every connection past its deadline. The lock is held: a connection is
 * removed from the list (MHD's close notification) before MHD closes its socket, so the
 * descriptor cannot have been reused for another connection. */
static void sweep(struct http_guard *g, int64_t now)
{
  for (struct http_guard_conn *c = g->list; c; c = c->next) {
    int64_t elapsed = now - c->since_ns;
    struct fs_metric *reason = NULL;
    if (c->cut || c->phase == ANSWERING)
      continue;
    if ((c->phase == WAITING && elapsed > g->wait_ns) || (c->phase == HEAD && elapsed > g->head_ns))
      reason = g->cut_head;
    else if (c->phase == BODY && g->min_rate && elapsed > g->head_ns &&
             (double)c->bytes < (double)g->min_rate * (double)elapsed / NS)
      reason = g->cut_body;
    if (reason) {
      shutdown(c->fd, SHUT_RDWR);
      c->cut = true;
      fs_metric_add(reason, 1);
    }
  }
}

static void *run(void *arg)
{
  struct http_guard *g = arg;
  pthread_mutex_lock(&g->lock);
  while (!g->stopping) {
    struct timespec until;
    fs_time_realtime_after(&until, GUARD_TICK_MS);
    pthread_cond_timedwait(&g->wake, &g->lock, &until);
    sweep(g, fs_time_mono_ns());
  }
  pthread_mutex_unlock(&g->lock);
  return NULL;
}

struct http_guard *http_guard_new(struct fs_metrics *m, int64_t head_s, int64_t wait_s,
                                  int64_t min_rate)
{
  struct http_guard *g = calloc(1, sizeof(*g));
  if (!g)
    return NULL;
  g->head_ns = head_s * NS;
  g->wait_ns = wait_s * NS;
  g->min_rate = min_rate;
  static const char name[] = "finshield_http_connections_cut_total";
  static const char help[] =
      "Connections shut down for sending a request's head too slowly (head) or its body below "
      "http.body_min_rate (body)";
  g->cut_head = fs_metrics_counter(m, name, help, "reason=\"head\"");
  g->cut_body = fs_metrics_counter(m, name, help, "reason=\"body\"");
  pthread_mutex_init(&g->lock, NULL);
  pthread_cond_init(&g->wake, NULL);
  if (fs_thread_start(&g->thread, run, g)) {
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->wake);
    free(g);
    return NULL;
  }
  return g;
}

void http_guard_free(struct http_guard *g)
{
  if (!g)
    return;
  pthread_mutex_lock(&g->lock);
  g->stopping = true;
  pthread_cond_signal(&g->wake);
  pthread_mutex_unlock(&g->lock);
  pthread_join(g->thread, NULL);
  while (g->list) { /* none once MHD has stopped; kept safe all the same */
    struct http_guard_conn *c = g->list;
    g->list = c->next;
    free(c);
  }
  pthread_mutex_destroy(&g->lock);
  pthread_cond_destroy(&g->wake);
  free(g);
}

void http_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
  struct http_guard *g = cls;
  struct http_guard_conn *c = *socket_context;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci || !(c = calloc(1, sizeof(*c))))
      return; /* not watched */
    c->g = g;
    c->fd = ci->connect_fd;
    c->phase = WAITING;
    c->since_ns = fs_time_mono_ns();
    pthread_mutex_lock(&g->lock);
    c->next = g->list;
    if (g->list)
      g->list->prev = c;
    g->list = c;
    pthread_mutex_unlock(&g->lock);
    *socket_context = c;
  } else if (c) {
    pthread_mutex_lock(&g->lock);
    if (c->prev)
      c->prev->next = c->next;
    else
      g->list = c->next;
    if (c->next)
      c->next->prev = c->prev;
    pthread_mutex_unlock(&g->lock);
    free(c);
    *socket_context = NULL;
  }
}

struct http_guard_conn *http_guard_of(struct MHD_Connection *conn)
{
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return ci ? ci->socket_context : NULL;
}

static void set_phase(struct http_guard_conn *c, enum phase p)
{
  if (!c)
    return;
  pthread_mutex_lock(&c->g->lock);
  c->phase = p;
  c->since_ns = fs_time_mono_ns();
  c->bytes = 0;
  pthread_mutex_unlock(&c->g->lock);
}

void http_guard_head(struct http_guard_conn *c)
{
  set_phase(c, HEAD);
}

void http_guard_body(struct http_guard_conn *c)
{
  set_phase(c, BODY);
}

void http_guard_answer(struct http_guard_conn *c)
{
  set_phase(c, ANSWERING);
}

void http_guard_idle(struct http_guard_conn *c)
{
  set_phase(c, WAITING);
}

void http_guard_bytes(struct http_guard_conn *c, size_t n)
{
  if (!c)
    return;
  pthread_mutex_lock(&c->g->lock);
  c->bytes += n;
  pthread_mutex_unlock(&c->g->lock);
}
