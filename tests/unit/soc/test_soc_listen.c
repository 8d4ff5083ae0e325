/* soc/listen.c on a real hub, over loopback sockets: syslog over TCP framed by octet counting
 * (RFC 6587: frames together, split byte by byte, a line break inside a frame) or by LF (CRLF,
 * an unterminated last line), a malformed or oversized length that closes the connection, the
 * sender attributed by its address (127.0.0.x: the most specific registered range) or refused
 * and counted, the connection limit, and UDP. Waits are for what must happen, with a guard
 * against a hang; no timing is asserted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socfixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

/* A port free now on 127.0.0.1 for sockets of that type. */
static int free_port(int type)
{
  int fd = socket(AF_INET, type, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t n = sizeof(a);
  assert_true(fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
              !getsockname(fd, (struct sockaddr *)&a, &n));
  close(fd);
  return ntohs(a.sin_port);
}

/* A socket of that type bound to from (a loopback address: the sender the hub sees). */
static int socket_from(int type, const char *from)
{
  int fd = socket(AF_INET, type, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  assert_int_equal(inet_pton(AF_INET, from, &a.sin_addr), 1);
  assert_true(fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)));
  struct timeval guard = {SOC_TEST_HANG_GUARD_S, 0}; /* a read that never ends fails */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof(guard));
  return fd;
}

static struct sockaddr_in hub_addr(int port)
{
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  return a;
}

static int tcp_from(const char *from, int port)
{
  int fd = socket_from(SOCK_STREAM, from);
  struct sockaddr_in a = hub_addr(port);
  assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
  int one = 1; /* small writes go out as they are written */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

static void send_all(int fd, const char *data, size_t n)
{
  while (n) {
    ssize_t k = send(fd, data, n, MSG_NOSIGNAL);
    assert_true(k > 0);
    data += k;
    n -= (size_t)k;
  }
}

static void send_str(int fd, const char *s)
{
  send_all(fd, s, strlen(s));
}

static void udp_from(const char *from, int port, const char *datagram)
{
  int fd = socket_from(SOCK_DGRAM, from);
  struct sockaddr_in a = hub_addr(port);
  assert_int_equal(sendto(fd, datagram, strlen(datagram), 0, (struct sockaddr *)&a, sizeof(a)),
                   (ssize_t)strlen(datagram));
  close(fd);
}

/* True when the hub closed the connection: the read ends (or is reset) without data. */
static bool closed_by_hub(int fd)
{
  char b[64];
  ssize_t n = recv(fd, b, sizeof(b), 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

static json_int_t counter(struct soc_listeners *l, const char *key)
{
  json_t *st = soc_listeners_status(l);
  json_int_t n = json_integer_value(json_object_get(st, key));
  json_decref(st);
  return n;
}

/* How many times value was seen at the organisation with that code (its alert's count, 0 when
 * there is none), and the alert's source. */
static json_int_t hits(struct hub_fixture *f, const char *org, const char *value, char source[96])
{
  json_t *items = alerts_of(f, org);
  json_int_t n = 0;
  size_t i;
  json_t *a;
  json_array_foreach(items, i,
                     a) if (!strcmp(json_string_value(json_object_get(a, "value")), value))
  {
    n += json_integer_value(json_object_get(a, "count"));
    if (source)
      snprintf(source, 96, "%s", json_string_value(json_object_get(a, "source")));
  }
  json_decref(items);
  return n;
}

#define WAIT_HITS(f, org, value, n)                                                                \
  do {                                                                                             \
    SOC_TEST_WAIT(hits(f, org, value, NULL) >= (n));                                               \
    if (hits(f, org, value, NULL) < (n))                                                           \
      fail_msg("never happened: %d hits of %s at %s", (int)(n), value, org);                       \
  } while (0)

#define WAIT_COUNTER(l, key, n)                                                                    \
  do {                                                                                             \
    SOC_TEST_WAIT(counter(l, key) >= (n));                                                         \
    if (counter(l, key) < (n))                                                                     \
      fail_msg("never happened: %s reaching %lld", key, (long long)(n));                           \
  } while (0)

struct listening {
  struct hub_fixture f;
  struct soc_engine *e;
  struct soc_listeners *l;
  int tcp, udp;
};

/* A hub with bank-a at 127.0.0.0/30 and bank-b at 127.0.0.3 (inside it: the most specific range
 * wins), nobody at 127.0.0.9, one indicator per address the tests send, and the TCP and UDP
 * listeners on free ports. */
static void listen_start(struct listening *s, int64_t max_connections)
{
  hub_fixture_open(&s->f);
  char id[37];
  hub_fixture_org(&s->f, "bank-a", id);
  hub_fixture_org(&s->f, "bank-b", id);
  struct fs_err err;
  assert_int_equal(soc_source_add(s->f.c, &s->f.op, "cidr", "127.0.0.0/30", "bank-a", id, &err),
                   FS_OK);
  assert_int_equal(soc_source_add(s->f.c, &s->f.op, "cidr", "127.0.0.3", "bank-b", id, &err),
                   FS_OK);
  ingest(
      &s->f, "sector",
      "{\"type\":\"bundle\",\"id\":\"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\",\"objects\":"
      "[" IND("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "[ipv4-addr:value = '203.0.113.5']") "," IND(
          "26ffb872-1dd9-446e-b6f5-d58527e5b5d2",
          "[ipv4-addr:value = '203.0.113.6']") "," IND("0d3f8a9e-2b6c-4f7d-8e1a-5c4b3a2f1e0d",
                                                       "[ipv4-addr:value = '203.0.113.7']") "]}");
  s->tcp = free_port(SOCK_STREAM);
  s->udp = free_port(SOCK_DGRAM);
  snprintf(s->f.hub.cfg.soc_syslog_tcp, sizeof(s->f.hub.cfg.soc_syslog_tcp), "127.0.0.1:%d",
           s->tcp);
  snprintf(s->f.hub.cfg.soc_syslog_udp, sizeof(s->f.hub.cfg.soc_syslog_udp), "127.0.0.1:%d",
           s->udp);
  s->f.hub.cfg.soc_max_connections = max_connections;
  assert_int_equal(start_engine(&s->f, &s->e, &err), FS_OK);
  if (soc_listeners_start(s->e, &s->l, &err))
    fail_msg("listeners: %s: %s", err.where, err.msg);
}

static void listen_stop(struct listening *s)
{
  soc_listeners_stop(s->l);
  soc_engine_stop(s->e);
  hub_fixture_close(&s->f);
}

#define EVENT(n, value) "<134>1 2026-11-27T10:00:0" #n "Z fw01 fw - - - deny dst=" value

/* "LEN SP MSG". */
static void octet_frame(char *out, size_t size, const char *msg)
{
  snprintf(out, size, "%zu %s", strlen(msg), msg);
}

static void test_tcp_octet_counting(void **state)
{
  (void)state;
  struct listening s;
  listen_start(&s, 256);
  json_int_t records = counter(s.l, "records");
  int fd = tcp_from("127.0.0.1", s.tcp);
  /* Two frames in one write, then a frame whose line break is its own (one record, not two),
   * written a byte at a time. */
  char a[256], b[256], c[256], both[512];
  octet_frame(a, sizeof(a), EVENT(1, "203.0.113.5"));
  octet_frame(b, sizeof(b), EVENT(2, "203.0.113.5"));
  octet_frame(c, sizeof(c), EVENT(3, "203.0.113.5 ") "\nsecond line of the same record");
  snprintf(both, sizeof(both), "%s%s", a, b);
  send_str(fd, both);
  for (size_t i = 0; c[i]; i++)
    send_all(fd, c + i, 1);
  WAIT_HITS(&s.f, "bank-a", "203.0.113.5", 3);
  char source[96];
  assert_int_equal(hits(&s.f, "bank-a", "203.0.113.5", source), 3);
  assert_string_equal(source, "syslog-tcp:127.0.0.1");
  assert_int_equal(counter(s.l, "records") - records, 3);
  assert_int_equal(counter(s.l, "open_connections"), 1);
  close(fd);
  SOC_TEST_WAIT(counter(s.l, "open_connections") == 0);
  assert_int_equal(counter(s.l, "open_connections"), 0);

  /* A length that is no number, or one over the largest record: the hub closes the stream (it
   * cannot find the next frame) and takes no record from it. */
  static const char *const bad[] = {"12x <134>1 - - - - - - x", "99999999 <134>1 - - - - - - x"};
  for (size_t i = 0; i < 2; i++) {
    records = counter(s.l, "records");
    fd = tcp_from("127.0.0.2", s.tcp);
    send_str(fd, bad[i]);
    assert_true(closed_by_hub(fd));
    close(fd);
    assert_int_equal(counter(s.l, "records"), records);
  }
  listen_stop(&s);
}

static void test_tcp_lf_and_senders(void **state)
{
  (void)state;
  struct listening s;
  listen_start(&s, 256);
  /* LF framing (decided by the first byte), CRLF, and a last line without its LF, delivered when
   * the sender ends the stream. 127.0.0.3 is bank-b's: the most specific range wins. */
  int fd = tcp_from("127.0.0.3", s.tcp);
  send_str(fd, EVENT(1, "203.0.113.6") "\r\n" EVENT(2, "203.0.113.6") "\n");
  send_str(fd, EVENT(3, "203.0.113.6"));
  shutdown(fd, SHUT_WR);
  WAIT_HITS(&s.f, "bank-b", "203.0.113.6", 3);
  char source[96];
  assert_int_equal(hits(&s.f, "bank-b", "203.0.113.6", source), 3);
  assert_string_equal(source, "syslog-tcp:127.0.0.3");
  assert_int_equal(hits(&s.f, "bank-a", "203.0.113.6", NULL), 0);
  assert_true(closed_by_hub(fd));
  close(fd);

  /* A sender no organisation registered: refused, counted, nothing read. */
  json_int_t unknown = counter(s.l, "unknown_senders"), records = counter(s.l, "records");
  fd = tcp_from("127.0.0.9", s.tcp);
  static const char refused[] = EVENT(4, "203.0.113.6") "\n";
  (void)!send(fd, refused, sizeof(refused) - 1, MSG_NOSIGNAL); /* may find it closed already */
  assert_true(closed_by_hub(fd));
  close(fd);
  assert_int_equal(counter(s.l, "unknown_senders"), unknown + 1);
  assert_int_equal(counter(s.l, "records"), records);

  /* UDP: a datagram is a record, attributed by its sender; an unknown sender's is counted and
   * dropped. */
  udp_from("127.0.0.2", s.udp, EVENT(5, "203.0.113.7"));
  WAIT_HITS(&s.f, "bank-a", "203.0.113.7", 1);
  assert_int_equal(hits(&s.f, "bank-a", "203.0.113.7", source), 1);
  assert_string_equal(source, "syslog-udp:127.0.0.2");
  udp_from("127.0.0.9", s.udp, EVENT(6, "203.0.113.7"));
  WAIT_COUNTER(s.l, "unknown_senders", unknown + 2);
  assert_int_equal(hits(&s.f, "bank-a", "203.0.113.7", NULL), 1);
  assert_int_equal(hits(&s.f, "bank-b", "203.0.113.7", NULL), 0);
  listen_stop(&s);
}

static void test_connection_limit(void **state)
{
  (void)state;
  struct listening s;
  listen_start(&s, 1);
  /* Connections are taken in order: the first holds the only place, the second is refused and
   * counted, and the first goes on. */
  int first = tcp_from("127.0.0.1", s.tcp);
  int second = tcp_from("127.0.0.2", s.tcp);
  assert_true(closed_by_hub(second));
  close(second);
  assert_int_equal(counter(s.l, "refused_connections"), 1);
  send_str(first, EVENT(1, "203.0.113.5") "\n");
  WAIT_HITS(&s.f, "bank-a", "203.0.113.5", 1);
  assert_int_equal(counter(s.l, "connections"), 1);
  close(first);
  listen_stop(&s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tcp_octet_counting),
      cmocka_unit_test(test_tcp_lf_and_senders),
      cmocka_unit_test(test_connection_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
