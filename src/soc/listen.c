/* Syslog listeners: TCP (RFC 6587 octet counting or LF, decided per connection), TLS (RFC 5425,
 * GnuTLS, client certificates) and UDP. A connection is read by its own thread and processed
 * inline, so a hub that cannot keep up stops reading and TCP slows the sender down: nothing is
 * dropped silently. UDP cannot be slowed: the kernel's drops are read with SO_RXQ_OVFL and
 * counted. Senders are attributed by their address range or client certificate (soc_source);
 * unknown senders are refused and counted.
 *
 * Memory follows activity, not connections: a connection's thread owns a small read buffer and
 * its framer (which grows only while a long frame comes in) and only reads; what it read is
 * framed, matched and stored on a thread of the processing pool (pool.c), whose workers hold the
 * large part (event, Sigma and pattern scratch, pending alerts). */
#include "soc/soc_int.h"
#include "core/thread.h"

#include "core/encode.h"
#include "core/file.h"
#include "core/mem.h"
#include "core/net.h"
#include "detect/framing.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netdb.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FLUSH_EVERY 200
#define READ_SIZE                                                                                  \
  16384 /* a connection's reads (a TLS record at most); longer frames gather in                    \
         * its framer */
#define UDP_READ_SIZE 65536 /* a datagram */
#define WORKERS_PER_CPU 2   /* processing threads: twice the processors, at least four (a thread */
#define WORKERS_MIN 4       /* waits while its alerts go to the disk) */

enum listener_kind { LISTEN_TCP, LISTEN_TLS, LISTEN_UDP };

struct conn {
  struct conn *next;
  struct soc_listeners *owner;
  int fd; /* -1 once closed (under the listeners' lock) */
  bool tls;
  pthread_t thread;
  _Atomic bool done;
  char peer[64];
  char cert[65]; /* the client certificate's SHA-256, or "" */
  /* The sender's organisation. org is read by the pool while the connection's thread waits for
   * a read to be processed, and written by that thread only between reads, under the lock; a
   * change of the sources (sources_changed, the engine's thread) leaves the new one in next_org,
   * or cuts the connection. */
  char org[37];
  char next_org[37];
  bool attributed;          /* org is known (under the lock) */
  _Atomic bool org_changed; /* next_org is waiting */
  _Atomic bool cut;         /* its source was removed: read nothing more */
  _Atomic int64_t gen;      /* the sources' generation org was looked up at */
};

struct soc_listeners {
  struct soc_engine *e; /* and its environment (e->env) */
  int fds[3];
  pthread_t threads[3];
  bool started[3];
  int stop_pipe[2];
  _Atomic bool stopping;
  pthread_mutex_t lock;
  struct conn *conns;
  size_t n_conns;
  gnutls_certificate_credentials_t creds;
  bool creds_ok;
  _Atomic int64_t records, bytes, unknown_senders, refused_connections, udp_kernel_drops,
      parse_errors, connections;
  struct soc_pool *pool;       /* processes what TCP and TLS connections read */
  _Atomic int64_t sources_gen; /* the sources' generation applied to open connections */
  _Atomic int64_t cut_connections;
  _Atomic int64_t open;       /* connection threads running */
  _Atomic int64_t held_bytes; /* read buffers and framers of the open connections */
  _Atomic int64_t closed_since_trim;
};

static int bind_socket(const char *addr, int type, int *out, struct fs_err *err)
{
  char host[128];
  uint16_t port;
  int rc = fs_hostport_parse(addr, host, sizeof(host), &port, err);
  if (rc)
    return rc;
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = type, .ai_flags = AI_NUMERICSERV};
  struct addrinfo *ai = NULL;
  char portstr[8];
  snprintf(portstr, sizeof(portstr), "%u", port);
  if (getaddrinfo(host, portstr, &hints, &ai) || !ai)
    return fs_err_set(err, FS_ERR_INVALID, addr, "cannot resolve the address");
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0)
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || (type == SOCK_STREAM && listen(fd, 128))) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    freeaddrinfo(ai);
    return fs_err_set(err, FS_ERR_IO, addr, "cannot listen: %s", strerror(e));
  }
  freeaddrinfo(ai);
  if (type == SOCK_DGRAM) {
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
    int rcvbuf = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  }
  *out = fd;
  return FS_OK;
}

static void peer_name(const struct sockaddr_storage *sa, char *out, size_t n)
{
  out[0] = '\0';
  if (sa->ss_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
              (socklen_t)n);
  else if (sa->ss_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
              (socklen_t)n);
}

/* The organisation of a sender: its certificate first (TLS), then its address. */
static int sender_org(struct soc_listeners *l, const char *addr, const char *cert_sha256,
                      char org[37])
{
  struct store_conn *c;
  struct fs_err err;
  org[0] = '\0';
  int rc = store_acquire(l->e->env.store, &c, &err);
  if (rc)
    return rc;
  if (cert_sha256 && cert_sha256[0]) {
    bool found;
    rc = store_query_text(c, org, 37, &found, &err,
                          "SELECT org_id FROM soc_source WHERE kind = 'cert' AND match = ?", "s",
                          cert_sha256);
  }
  if (!rc && !org[0])
    rc = soc_source_org(c, addr, org, &err);
  store_release(l->e->env.store, c);
  return rc;
}

struct frame_ctx {
  struct soc_listeners *l;
  struct conn *cn;
  struct soc_worker *w;
  char source[96];
  struct soc_batch st;
  size_t since_flush;
};

/* Stores pending alerts, waiting while the database cannot take them: the connection is not read
 * meanwhile, so TCP slows the sender down instead of anything being dropped. */
static void flush_or_wait(struct soc_listeners *l, struct soc_worker *w, const char *source)
{
  struct fs_err err;
  for (int tries = 0; soc_worker_flush(w, &err); tries++) {
    if (tries == 0)
      FS_LOG(l->e->env.log, FS_LOG_WARN, "soc.store_wait", FS_KV_STR("source", source),
             FS_KV_STR("msg", err.msg));
    if (atomic_load(&l->stopping) && tries >= 50)
      break; /* stopping and the store still refuses: give up after about 5 s */
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

/* Keeps l->held_bytes equal to what this connection's buffers hold. */
static void account(struct soc_listeners *l, int64_t *held, int64_t now)
{
  if (now != *held)
    atomic_fetch_add(&l->held_bytes, now - *held);
  *held = now;
}

/* What a connection read, framed and processed on a pool thread (or, with finish, the end of
 * its stream). */
struct read_job {
  struct frame_ctx *f;
  struct detect_framer *fr;
  const char *data;
  size_t len;
  bool finish;
  int rc;
  struct fs_err err;
};

static int on_frame(void *arg, const char *frame, size_t len);

static void process_read(void *arg, struct soc_worker *w)
{
  struct read_job *j = arg;
  j->f->w = w;
  j->rc = j->finish ? detect_framer_finish(j->fr, on_frame, j->f, &j->err)
                    : detect_framer_feed(j->fr, j->data, j->len, on_frame, j->f, &j->err);
  j->f->w = NULL; /* what it found stays pending in w: stored by the pool thread (pool_idle) */
}

/* A pool thread with nothing to do: stores what its worker gathered. */
static void pool_idle(void *arg, struct soc_worker *w)
{
  flush_or_wait(arg, w, "syslog");
}

static int on_frame(void *arg, const char *frame, size_t len)
{
  struct frame_ctx *f = arg;
  struct fs_err err;
  if (atomic_load(&f->cn->cut))
    return FS_ERR_FORBIDDEN; /* its source was removed while this read was processed */
  size_t errors = f->st.parse_errors;
  int rc =
      soc_worker_record(f->w, f->cn->org, f->source, DETECT_FMT_AUTO, frame, len, &f->st, &err);
  atomic_fetch_add(&f->l->records, 1);
  atomic_fetch_add(&f->l->bytes, (int64_t)len);
  if (f->st.parse_errors > errors)
    atomic_fetch_add(&f->l->parse_errors, 1);
  if (!rc && ++f->since_flush >= FLUSH_EVERY) {
    f->since_flush = 0;
    flush_or_wait(f->l, f->w, f->source);
  }
  if (rc)
    FS_LOG(f->l->e->env.log, FS_LOG_WARN, "soc.record_failed", FS_KV_STR("source", f->source),
           FS_KV_STR("msg", err.msg));
  return FS_OK; /* a storage hiccup loses no connection */
}

/* The SHA-256 of the client's certificate (hex) when it sent one. */
static void client_cert_sha256(gnutls_session_t s, char out[65])
{
  out[0] = '\0';
  unsigned n = 0;
  const gnutls_datum_t *certs = gnutls_certificate_get_peers(s, &n);
  if (!certs || !n)
    return;
  uint8_t d[32];
  fs_sha256(certs[0].data, certs[0].size, d);
  fs_hex_encode(d, sizeof(d), out);
}

/* Stops reading a connection whose source was removed (with the lock held). */
static void cut_connection(struct soc_listeners *l, struct conn *cn)
{
  atomic_store(&cn->cut, true);
  if (cn->fd >= 0)
    shutdown(cn->fd, SHUT_RDWR); /* wakes its reader */
  atomic_fetch_add(&l->cut_connections, 1);
  FS_LOG(l->e->env.log, FS_LOG_WARN, "soc.source_removed", FS_KV_STR("peer", cn->peer),
         FS_KV_STR("cert", cn->cert), FS_KV_STR("org", cn->org));
}

/* Before each read, on the connection's thread: takes a new organisation left by
 * sources_changed, and looks the sender up again when the sources changed after its last look
 * (a change sources_changed could not apply: the connection was being attributed then). False
 * when the connection is to be closed: its source is gone. */
static bool keep_attributed(struct soc_listeners *l, struct conn *cn, const char *source)
{
  int64_t gen = atomic_load(&l->sources_gen);
  if (atomic_load(&cn->gen) != gen) {
    char org[37];
    if (!sender_org(l, cn->peer, cn->cert, org)) { /* on a failure: the next read tries again */
      pthread_mutex_lock(&l->lock);
      if (!org[0])
        cut_connection(l, cn);
      else if (strcmp(org, cn->org) || atomic_load(&cn->org_changed)) {
        memcpy(cn->next_org, org, sizeof(org));
        atomic_store(&cn->org_changed, true);
      }
      atomic_store(&cn->gen, gen);
      pthread_mutex_unlock(&l->lock);
    }
  }
  if (atomic_load(&cn->org_changed)) {
    pthread_mutex_lock(&l->lock);
    FS_LOG(l->e->env.log, FS_LOG_INFO, "soc.sender_moved", FS_KV_STR("source", source),
           FS_KV_STR("from", cn->org), FS_KV_STR("to", cn->next_org));
    memcpy(cn->org, cn->next_org, sizeof(cn->org));
    atomic_store(&cn->org_changed, false);
    pthread_mutex_unlock(&l->lock);
  }
  return !atomic_load(&cn->cut);
}

/* The sources changed (soc_engine_watch_sources, on the engine's thread): every attributed open
 * connection's sender is looked up again; one no longer registered is cut at once, one that now
 * belongs to another organisation is attributed to it from its next read. */
static int sources_changed(void *arg, int64_t gen)
{
  struct soc_listeners *l = arg;
  int rc = FS_OK;
  pthread_mutex_lock(&l->lock);
  for (struct conn *cn = l->conns; cn && !rc; cn = cn->next) {
    if (!cn->attributed || cn->fd < 0 || atomic_load(&cn->cut))
      continue;
    char org[37];
    if ((rc = sender_org(l, cn->peer, cn->cert, org)))
      break; /* the store is busy: the engine calls again at its next poll */
    const char *now = atomic_load(&cn->org_changed) ? cn->next_org : cn->org;
    if (!org[0]) {
      cut_connection(l, cn);
    } else if (strcmp(org, now)) {
      memcpy(cn->next_org, org, sizeof(org));
      atomic_store(&cn->org_changed, true);
    }
    atomic_store(&cn->gen, gen);
  }
  if (!rc)
    atomic_store(&l->sources_gen, gen);
  pthread_mutex_unlock(&l->lock);
  return rc;
}

static void *conn_main(void *arg)
{
  struct conn *cn = arg;
  struct soc_listeners *l = cn->owner;
  gnutls_session_t s = NULL;
  char cert[65] = "";
  bool ok = true;
  if (cn->tls) {
    ok = gnutls_init(&s, GNUTLS_SERVER) == 0 &&
         gnutls_priority_set_direct(s, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2", NULL) == 0 &&
         gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, l->creds) == 0;
    if (ok) {
      gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
      gnutls_transport_set_int(s, cn->fd);
      gnutls_handshake_set_timeout(s, 10000);
      int r;
      do
        r = gnutls_handshake(s);
      while (r < 0 && !gnutls_error_is_fatal(r));
      ok = r >= 0;
      if (ok)
        client_cert_sha256(s, cert);
      else
        FS_LOG(l->e->env.log, FS_LOG_WARN, "soc.tls_handshake", FS_KV_STR("peer", cn->peer),
               FS_KV_STR("msg", gnutls_strerror(r)));
    }
  }
  memcpy(cn->cert, cert, sizeof(cert));
  /* The generation first: a change committed after it is applied to this connection, by
   * sources_changed or by keep_attributed. */
  int64_t gen = atomic_load(&l->sources_gen);
  char org[37] = "";
  if (ok && (sender_org(l, cn->peer, cert, org) || !org[0])) {
    atomic_fetch_add(&l->unknown_senders, 1);
    FS_LOG(l->e->env.log, FS_LOG_WARN, "soc.unknown_sender", FS_KV_STR("peer", cn->peer),
           FS_KV_STR("cert", cert), FS_KV_STR("hint", "register it: finshield soc source add"));
    ok = false;
  }
  if (ok) {
    pthread_mutex_lock(&l->lock);
    memcpy(cn->org, org, sizeof(org));
    atomic_store(&cn->gen, gen);
    cn->attributed = true;
    pthread_mutex_unlock(&l->lock);
  }
  struct frame_ctx f = {.l = l, .cn = cn};
  snprintf(f.source, sizeof(f.source), "%s:%s", cn->tls ? "syslog-tls" : "syslog-tcp", cn->peer);
  struct detect_framer fr;
  detect_framer_init(&fr, 0);
  char *buf = ok ? malloc(READ_SIZE) : NULL;
  int64_t held = 0;
  account(l, &held, buf ? READ_SIZE : 0);
  struct read_job j = {.f = &f, .fr = &fr, .data = buf};
  while (buf && !atomic_load(&l->stopping) && keep_attributed(l, cn, f.source)) {
    ssize_t n = cn->tls ? gnutls_record_recv(s, buf, READ_SIZE) : recv(cn->fd, buf, READ_SIZE, 0);
    if (n < 0 &&
        ((cn->tls && (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)) || errno == EINTR))
      continue;
    if (n <= 0 || !keep_attributed(l, cn, f.source))
      break;
    j.len = (size_t)n;
    soc_pool_run(l->pool, process_read, &j); /* not read meanwhile: TCP slows the sender */
    account(l, &held, READ_SIZE + (int64_t)detect_framer_held(&fr));
    if (j.rc == FS_ERR_FORBIDDEN && atomic_load(&cn->cut))
      break;
    if (j.rc) {
      FS_LOG(l->e->env.log, FS_LOG_WARN, "soc.framing", FS_KV_STR("source", f.source),
             FS_KV_STR("where", j.err.where), FS_KV_STR("msg", j.err.msg));
      break;
    }
  }
  if (buf && !j.rc && fr.partial.len && !atomic_load(&cn->cut)) { /* a last frame, unterminated */
    j.finish = true;
    soc_pool_run(l->pool, process_read, &j);
  }
  detect_framer_release(&fr);
  free(buf);
  account(l, &held, 0);
  if (s) {
    gnutls_bye(s, GNUTLS_SHUT_WR);
    gnutls_deinit(s);
  }
  pthread_mutex_lock(&l->lock); /* nobody shuts a number down that the kernel gave another */
  close(cn->fd);
  cn->fd = -1;
  pthread_mutex_unlock(&l->lock);
  atomic_fetch_sub(&l->open, 1);
  atomic_fetch_add(&l->closed_since_trim, 1);
  atomic_store(&cn->done, true);
  return NULL;
}

/* Joins finished connection threads (with the lock held). */
static void reap(struct soc_listeners *l)
{
  for (struct conn **pp = &l->conns; *pp;) {
    struct conn *cn = *pp;
    if (atomic_load(&cn->done)) {
      pthread_join(cn->thread, NULL);
      *pp = cn->next;
      l->n_conns--;
      free(cn);
    } else {
      pp = &cn->next;
    }
  }
}

struct acceptor {
  struct soc_listeners *l;
  int fd;
  bool tls;
};

/* After connections closed and a quiet second (no new one): join their threads (a thread's stack
 * is freed only then) and give what their arenas hold free back to the system. */
static void tidy(struct soc_listeners *l)
{
  if (!atomic_exchange(&l->closed_since_trim, 0))
    return;
  pthread_mutex_lock(&l->lock);
  reap(l);
  pthread_mutex_unlock(&l->lock);
  fs_mem_trim();
}

static void *accept_main(void *arg)
{
  struct acceptor *a = arg;
  struct soc_listeners *l = a->l;
  while (!atomic_load(&l->stopping)) {
    struct pollfd p[2] = {{.fd = a->fd, .events = POLLIN},
                          {.fd = l->stop_pipe[0], .events = POLLIN}};
    int pr = poll(p, 2, 1000);
    if (pr == 0)
      tidy(l);
    if (pr <= 0 || (p[1].revents & POLLIN))
      continue;
    struct sockaddr_storage sa;
    socklen_t sl = sizeof(sa);
    int fd = accept4(a->fd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC);
    if (fd < 0)
      continue;
    pthread_mutex_lock(&l->lock);
    reap(l);
    bool full = (int64_t)l->n_conns >= l->e->env.cfg->soc_max_connections;
    struct conn *cn = full ? NULL : calloc(1, sizeof(*cn));
    if (cn) {
      cn->owner = l;
      cn->fd = fd;
      cn->tls = a->tls;
      peer_name(&sa, cn->peer, sizeof(cn->peer));
      atomic_fetch_add(&l->open, 1);
      if (fs_thread_start(&cn->thread, conn_main, cn)) {
        atomic_fetch_sub(&l->open, 1);
        free(cn);
        cn = NULL;
      } else {
        cn->next = l->conns;
        l->conns = cn;
        l->n_conns++;
        atomic_fetch_add(&l->connections, 1);
      }
    }
    pthread_mutex_unlock(&l->lock);
    if (!cn) {
      atomic_fetch_add(&l->refused_connections, 1);
      close(fd);
    }
  }
  free(a);
  return NULL;
}

static void *udp_main(void *arg)
{
  struct acceptor *a = arg;
  struct soc_listeners *l = a->l;
  struct soc_worker *w = soc_worker_new(l->e);
  char *buf = malloc(UDP_READ_SIZE);
  uint32_t last_drops = 0;
  size_t pending = 0;
  struct fs_err err;
  while (w && buf && !atomic_load(&l->stopping)) {
    struct pollfd p[2] = {{.fd = a->fd, .events = POLLIN},
                          {.fd = l->stop_pipe[0], .events = POLLIN}};
    int pr = poll(p, 2, 200);
    if (pr <= 0 || !(p[0].revents & POLLIN)) {
      if (pending) {
        flush_or_wait(l, w, "syslog-udp");
        pending = 0;
      }
      continue;
    }
    struct sockaddr_storage sa;
    struct iovec iov = {buf, UDP_READ_SIZE};
    char control[CMSG_SPACE(sizeof(uint32_t))];
    struct msghdr mh = {.msg_name = &sa,
                        .msg_namelen = sizeof(sa),
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control,
                        .msg_controllen = sizeof(control)};
    ssize_t n = recvmsg(a->fd, &mh, MSG_DONTWAIT);
    if (n <= 0)
      continue;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
      if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
        uint32_t drops;
        memcpy(&drops, CMSG_DATA(cm), sizeof(drops));
        if (drops > last_drops)
          atomic_fetch_add(&l->udp_kernel_drops, (int64_t)(drops - last_drops));
        last_drops = drops;
      }
    }
    char peer[64], org[37];
    peer_name(&sa, peer, sizeof(peer));
    if (sender_org(l, peer, NULL, org) || !org[0]) {
      atomic_fetch_add(&l->unknown_senders, 1);
      continue;
    }
    char source[96];
    snprintf(source, sizeof(source), "syslog-udp:%s", peer);
    struct soc_batch st = {0};
    soc_worker_record(w, org, source, DETECT_FMT_AUTO, buf, (size_t)n, &st, &err);
    atomic_fetch_add(&l->records, 1);
    atomic_fetch_add(&l->bytes, n);
    atomic_fetch_add(&l->parse_errors, (int64_t)st.parse_errors);
    if (++pending >= FLUSH_EVERY) {
      flush_or_wait(l, w, "syslog-udp");
      pending = 0;
    }
  }
  if (w) {
    flush_or_wait(l, w, "syslog-udp");
    soc_worker_free(w);
  }
  free(buf);
  free(a);
  return NULL;
}

static int load_creds(struct soc_listeners *l, struct fs_err *err)
{
  const struct fs_config *cfg = l->e->env.cfg;
  if (!cfg->tls_cert[0] || !cfg->tls_key[0])
    return fs_err_set(err, FS_ERR_INVALID, "[soc] syslog_tls",
                      "syslog over TLS needs http.tls_cert and http.tls_key");
  char cert[FS_CONFIG_PATH_MAX + 64], key[FS_CONFIG_PATH_MAX + 64];
  fs_config_path(cfg, cfg->tls_cert, cert, sizeof(cert));
  fs_config_path(cfg, cfg->tls_key, key, sizeof(key));
  if (gnutls_certificate_allocate_credentials(&l->creds))
    return fs_err_set(err, FS_ERR_NOMEM, "tls", "out of memory");
  l->creds_ok = true;
  int g = gnutls_certificate_set_x509_key_file(l->creds, cert, key, GNUTLS_X509_FMT_PEM);
  if (g < 0)
    return fs_err_set(err, FS_ERR_IO, cert, "cannot load the certificate and key: %s",
                      gnutls_strerror(g));
  return FS_OK;
}

int soc_listeners_start(struct soc_engine *e, struct soc_listeners **out, struct fs_err *err)
{
  struct soc_listeners *l = calloc(1, sizeof(*l));
  if (!l)
    return fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  const struct fs_config *cfg = e->env.cfg;
  l->e = e;
  l->fds[0] = l->fds[1] = l->fds[2] = -1;
  pthread_mutex_init(&l->lock, NULL);
  int rc = pipe2(l->stop_pipe, O_CLOEXEC) ? fs_err_set(err, FS_ERR_IO, "soc", "pipe") : FS_OK;
  const char *addrs[3] = {cfg->soc_syslog_tcp, cfg->soc_syslog_tls, cfg->soc_syslog_udp};
  if (!rc && (addrs[LISTEN_TCP][0] || addrs[LISTEN_TLS][0])) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = FS_MAX((size_t)WORKERS_MIN, (size_t)(cpus > 0 ? cpus : 1) * WORKERS_PER_CPU);
    rc = soc_pool_start(e, threads, pool_idle, l, &l->pool, err);
    if (!rc) /* connections follow changes of the sources (#18 item 3) */
      atomic_store(&l->sources_gen, soc_engine_watch_sources(e, sources_changed, l));
  }
  for (int k = 0; !rc && k < 3; k++) {
    if (!addrs[k][0])
      continue;
    if (k == LISTEN_TLS && (rc = load_creds(l, err)))
      break;
    if ((rc = bind_socket(addrs[k], k == LISTEN_UDP ? SOCK_DGRAM : SOCK_STREAM, &l->fds[k], err))) {
      fs_err_wrap_where(err, k == LISTEN_TCP   ? "[soc] syslog_tcp"
                             : k == LISTEN_TLS ? "[soc] syslog_tls"
                                               : "[soc] syslog_udp");
      break;
    }
    struct acceptor *a = calloc(1, sizeof(*a));
    if (!a) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
      break;
    }
    a->l = l;
    a->fd = l->fds[k];
    a->tls = k == LISTEN_TLS;
    if (fs_thread_start(&l->threads[k], k == LISTEN_UDP ? udp_main : accept_main, a)) {
      free(a);
      rc = fs_err_set(err, FS_ERR_NOMEM, "soc", "cannot start a listener");
      break;
    }
    l->started[k] = true;
    FS_LOG(e->env.log, FS_LOG_INFO, "soc.listen",
           FS_KV_STR("proto", k == LISTEN_TCP   ? "tcp"
                              : k == LISTEN_TLS ? "tls"
                                                : "udp"),
           FS_KV_STR("address", addrs[k]));
  }
  if (rc) {
    soc_listeners_stop(l);
    return rc;
  }
  *out = l;
  return FS_OK;
}

void soc_listeners_stop(struct soc_listeners *l)
{
  if (!l)
    return;
  if (l->pool)
    soc_engine_watch_sources(l->e, NULL, NULL); /* no sources_changed from here on */
  atomic_store(&l->stopping, true);
  if (l->stop_pipe[1] > 0 && write(l->stop_pipe[1], "x", 1) < 0) {
    /* the pollers also wake within a second without it */
  }
  for (int k = 0; k < 3; k++)
    if (l->started[k])
      pthread_join(l->threads[k], NULL);
  /* Wake connection threads blocked in reads, then join them. */
  pthread_mutex_lock(&l->lock);
  for (struct conn *cn = l->conns; cn; cn = cn->next)
    if (cn->fd >= 0)
      shutdown(cn->fd, SHUT_RDWR);
  pthread_mutex_unlock(&l->lock);
  for (;;) {
    pthread_mutex_lock(&l->lock);
    struct conn *cn = l->conns;
    if (cn)
      l->conns = cn->next;
    pthread_mutex_unlock(&l->lock);
    if (!cn)
      break;
    pthread_join(cn->thread, NULL);
    free(cn);
  }
  for (int k = 0; k < 3; k++)
    if (l->fds[k] >= 0)
      close(l->fds[k]);
  if (l->stop_pipe[0] > 0) {
    close(l->stop_pipe[0]);
    close(l->stop_pipe[1]);
  }
  if (l->creds_ok)
    gnutls_certificate_free_credentials(l->creds);
  soc_pool_stop(l->pool); /* after the connections: it runs what they gave it, then stores */
  pthread_mutex_destroy(&l->lock);
  free(l);
}

json_t *soc_listeners_status(struct soc_listeners *l)
{
  if (!l)
    return json_object();
  size_t threads = 0, busy = 0, queued = 0;
  if (l->pool)
    soc_pool_stats(l->pool, &threads, &busy, &queued);
  return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "records",
                   (json_int_t)atomic_load(&l->records), "bytes",
                   (json_int_t)atomic_load(&l->bytes), "parse_errors",
                   (json_int_t)atomic_load(&l->parse_errors), "unknown_senders",
                   (json_int_t)atomic_load(&l->unknown_senders), "refused_connections",
                   (json_int_t)atomic_load(&l->refused_connections), "udp_kernel_drops",
                   (json_int_t)atomic_load(&l->udp_kernel_drops), "connections",
                   (json_int_t)atomic_load(&l->connections), "open_connections",
                   (json_int_t)atomic_load(&l->open), "connection_buffer_bytes",
                   (json_int_t)atomic_load(&l->held_bytes), "workers", (json_int_t)threads,
                   "workers_busy", (json_int_t)busy, "reads_waiting", (json_int_t)queued,
                   "sources_generation", (json_int_t)atomic_load(&l->sources_gen),
                   "connections_cut", (json_int_t)atomic_load(&l->cut_connections));
}
