/* The TAXII client: what it reads of replies (taxii/reply.h: the date header, error bodies, pages
 * and their cursors, status resources), table-driven; and the client against a one-request HTTP
 * server in the test (the URL it asks for, Basic authentication, the header and body it keeps,
 * how a refusal or a reply past the caller's limit ends). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "taxii/client.h"
#include "taxii/reply.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- replies ----------------------------------------------------------------------------- */

static void test_reply_header(void **state)
{
  (void)state;
  static const struct {
    const char *line;
    bool is;          /* it is the header */
    const char *want; /* what out holds after */
  } cases[] = {
      {"X-TAXII-Date-Added-Last: 2026-11-27T10:00:00.123456Z\r\n", true,
       "2026-11-27T10:00:00.123456Z"},
      {"x-taxii-date-added-last:2026-01-01T00:00:00Z\n", true, "2026-01-01T00:00:00Z"},
      {"X-TAXII-Date-Added-Last: \t 2026-01-01T00:00:00Z \t\r\n", true, "2026-01-01T00:00:00Z"},
      {"X-TAXII-Date-Added-Last:\r\n", true, ""},
      {"X-TAXII-Date-Added-First: 2026-01-01T00:00:00Z\r\n", false, "unchanged"},
      {"Content-Type: application/taxii+json;version=2.1\r\n", false, "unchanged"},
      {"X-TAXII-Date-Added-Las", false, "unchanged"},
      {"X-TAXII-Date-Added-Last: "
       "0123456789012345678901234567890123456789012345678901234567890123\r\n",
       true, "unchanged"}, /* 64 bytes: ignored */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char out[64] = "unchanged";
    bool is = taxii_reply_header(cases[i].line, strlen(cases[i].line), out);
    if (is != cases[i].is || strcmp(out, cases[i].want))
      fail_msg("case %zu: %d \"%s\", not %d \"%s\"", i, is, out, cases[i].is, cases[i].want);
  }
}

static void test_reply_error(void **state)
{
  (void)state;
  static const char taxii[] = "{\"title\":\"unauthorized\",\"description\":\"send a token\","
                              "\"http_status\":401}";
  static const struct {
    long status;
    const char *body;
    int code;
    const char *msg;
  } cases[] = {
      {401, taxii, FS_ERR_UNAUTHENTICATED, "the server answered 401: unauthorized: send a token"},
      {403, "{\"title\":\"no\"}", FS_ERR_UNAUTHENTICATED, "the server answered 403: no"},
      {404, "<html>not found</html>", FS_ERR_NOT_FOUND, "the server answered 404"},
      {500, "", FS_ERR_IO, "the server answered 500"},
      {503, "{\"title\":7,\"description\":[]}", FS_ERR_IO, "the server answered 503"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct fs_err err;
    int rc = taxii_reply_error(cases[i].status, cases[i].body, strlen(cases[i].body), "URL", &err);
    assert_int_equal(rc, cases[i].code);
    assert_int_equal(err.code, cases[i].code);
    assert_string_equal(err.where, "URL");
    assert_string_equal(err.msg, cases[i].msg);
  }
  /* Another hub of ours gives its words in zh-TW in details: the message takes them (#18 item 12).
   */
  static const char zh[] = "{\"title\":\"bad request\",\"description\":\"unknown or altered next "
                           "cursor\",\"http_status\":400,\"details\":{\"title_zh\":\"請求錯誤\","
                           "\"description_zh\":\"未知或遭竄改的 next 游標\"}}";
  struct fs_err err;
  assert_int_equal(taxii_reply_error(400, zh, strlen(zh), "URL", &err), FS_ERR_IO);
  assert_string_equal(err.msg,
                      "the server answered 400: bad request: unknown or altered next cursor");
  assert_string_equal(err.msg_zh, "伺服器回應 400：請求錯誤：未知或遭竄改的 next 游標");
  /* A title alone, and no words at all: still whole sentences in zh-TW. */
  static const char title_only[] = "{\"title\":\"forbidden\",\"details\":{\"title_zh\":\"禁止\"}}";
  taxii_reply_error(403, title_only, strlen(title_only), "URL", &err);
  assert_string_equal(err.msg, "the server answered 403: forbidden");
  assert_string_equal(err.msg_zh, "伺服器回應 403：禁止");
  taxii_reply_error(502, "", 0, "URL", &err);
  assert_string_equal(err.msg_zh, "伺服器回應 502");
}

#define IND                                                                                        \
  "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-"  \
  "98ee46b3cd3f\",\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00."    \
  "000Z\","                                                                                        \
  "\"pattern\":\"[ipv4-addr:value = '203.0.113.5']\",\"pattern_type\":\"stix\",\"valid_from\":"    \
  "\"2020-01-01T00:00:00Z\"}"

static void test_reply_page(void **state)
{
  (void)state;
  static const struct {
    const char *body;
    int rc;
    size_t n;
    bool more;
    const char *next;
  } cases[] = {
      {"{}", FS_OK, 0, false, ""}, /* the OASIS server's empty collection */
      {"{\"objects\":[]}", FS_OK, 0, false, ""},
      {"{\"more\":false,\"objects\":[" IND "]}", FS_OK, 1, false, ""},
      {"{\"more\":true,\"next\":\"abc-_1\",\"objects\":[" IND "]}", FS_OK, 1, true, "abc-_1"},
      {"{\"more\":true,\"objects\":[" IND "]}", FS_OK, 1, false, ""}, /* no cursor: the end */
      {"{\"more\":false,\"next\":\"abc\",\"objects\":[]}", FS_OK, 0, false, ""},
      {"{\"more\":true,\"next\":\"\",\"objects\":[]}", FS_ERR_INVALID, 0, false, ""},
      {"{\"more\":true,\"next\":\"a\\u0001b\",\"objects\":[]}", FS_ERR_INVALID, 0, false, ""},
      {"not json", FS_ERR_PARSE, 0, false, ""},
      {"[1,2]", FS_ERR_INVALID, 0, false, ""},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct taxii_page p;
    struct fs_err err;
    int rc = taxii_reply_page(cases[i].body, strlen(cases[i].body), &p, &err);
    if (rc != cases[i].rc)
      fail_msg("case %zu: rc %d (%s: %s), not %d", i, rc, rc ? err.where : "", rc ? err.msg : "",
               cases[i].rc);
    if (!rc && (p.n != cases[i].n || p.more != cases[i].more || strcmp(p.next, cases[i].next)))
      fail_msg("case %zu: n %zu more %d next \"%s\"", i, p.n, p.more, p.next);
    taxii_page_release(&p);
  }
  /* A cursor longer than the client can send back is refused, not cut. */
  char body[1200];
  char next[TAXII_REPLY_CURSOR_MAX + 1];
  memset(next, 'a', sizeof(next) - 1);
  next[sizeof(next) - 1] = '\0';
  snprintf(body, sizeof(body), "{\"more\":true,\"next\":\"%s\",\"objects\":[]}", next);
  struct taxii_page p;
  struct fs_err err;
  assert_int_equal(taxii_reply_page(body, strlen(body), &p, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "the server's envelope: next");
  next[TAXII_REPLY_CURSOR_MAX - 1] = '\0'; /* 511 bytes: the longest taken */
  snprintf(body, sizeof(body), "{\"more\":true,\"next\":\"%s\",\"objects\":[]}", next);
  assert_int_equal(taxii_reply_page(body, strlen(body), &p, &err), FS_OK);
  assert_int_equal(strlen(p.next), TAXII_REPLY_CURSOR_MAX - 1);
  taxii_page_release(&p);
}

static void test_reply_status(void **state)
{
  (void)state;
  static const struct {
    const char *body;
    int rc;
    size_t ok, refused;
  } cases[] = {
      {"{\"status\":\"complete\",\"success_count\":3,\"failure_count\":1}", FS_OK, 3, 1},
      {"{\"status\":\"complete\"}", FS_OK, 0, 0},
      {"{\"success_count\":-1}", FS_ERR_INVALID, 0, 0},
      {"{\"success_count\":1,\"failure_count\":\"2\"}", FS_ERR_INVALID, 1, 0},
      {"[]", FS_ERR_PARSE, 0, 0},
      {"", FS_ERR_PARSE, 0, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    size_t ok = 9, refused = 9;
    struct fs_err err;
    int rc = taxii_reply_status(cases[i].body, strlen(cases[i].body), &ok, &refused, &err);
    if (rc != cases[i].rc || (!rc && (ok != cases[i].ok || refused != cases[i].refused)))
      fail_msg("case %zu: rc %d, %zu and %zu", i, rc, ok, refused);
  }
}

/* ---- the client against one canned reply -------------------------------------------------- */

struct canned {
  int fd;             /* listening */
  const char *reply;  /* sent whole, then the connection is closed */
  char request[8192]; /* what was received: head and body */
  size_t len;
};

/* Reads the request's head, and its body when Content-Length announces one. */
static void read_request(int c, struct canned *k)
{
  size_t want = 0;
  char *head_end = NULL;
  while (k->len < sizeof(k->request) - 1) {
    ssize_t n = read(c, k->request + k->len, sizeof(k->request) - 1 - k->len);
    if (n <= 0)
      break;
    k->len += (size_t)n;
    k->request[k->len] = '\0';
    if (!head_end && (head_end = strstr(k->request, "\r\n\r\n"))) {
      const char *cl = strcasestr(k->request, "\r\nContent-Length:");
      want = (size_t)(head_end + 4 - k->request) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
    }
    if (head_end && k->len >= want)
      break;
  }
}

static void *serve_one(void *arg)
{
  struct canned *k = arg;
  int c = accept(k->fd, NULL, NULL);
  if (c >= 0) {
    read_request(c, k);
    size_t n = strlen(k->reply);
    for (size_t off = 0; off < n;) {
      ssize_t w = write(c, k->reply + off, n - off);
      if (w <= 0)
        break;
      off += (size_t)w;
    }
    close(c);
  }
  return NULL;
}

/* Starts a server for one request on a free loopback port; *root receives its API root URL. */
static void canned_start(struct canned *k, const char *reply, pthread_t *t, char root[128])
{
  memset(k, 0, sizeof(*k));
  k->reply = reply;
  k->fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t al = sizeof(a);
  assert_int_equal(bind(k->fd, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(k->fd, 1), 0);
  assert_int_equal(getsockname(k->fd, (struct sockaddr *)&a, &al), 0);
  snprintf(root, 128, "http://127.0.0.1:%u/taxii2/hub", ntohs(a.sin_port)); /* no final '/' */
  assert_int_equal(pthread_create(t, NULL, serve_one, k), 0);
}

static void canned_end(struct canned *k, pthread_t t)
{
  pthread_join(t, NULL);
  close(k->fd);
}

static struct taxii_client *client(const char *root)
{
  struct taxii_client_options o = {.api_root = root, .token = "s3cret", .timeout_s = 30};
  struct taxii_client *cl;
  struct fs_err err;
  assert_int_equal(taxii_client_new(&o, &cl, &err), FS_OK);
  return cl;
}

#define OK_HEAD "HTTP/1.1 200 OK\r\nContent-Type: application/taxii+json;version=2.1\r\n"

/* A whole reply: the status line, TAXII's media type, the body with its length. */
static const char *reply_of(char *out, size_t n, const char *status, const char *body)
{
  snprintf(out, n,
           "HTTP/1.1 %s\r\nContent-Type: application/taxii+json;version=2.1\r\n"
           "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
           status, strlen(body), body);
  return out;
}

static void test_client_get(void **state)
{
  (void)state;
  static const char reply[] = OK_HEAD "X-TAXII-Date-Added-Last: 2026-11-27T10:00:00.5Z\r\n"
                                      "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
  struct canned k;
  pthread_t t;
  char root[128], last[64];
  canned_start(&k, reply, &t, root);
  struct taxii_client *cl = client(root);
  struct fs_buf body;
  fs_buf_init(&body, 1 << 20);
  struct fs_err err;
  assert_int_equal(taxii_client_get_objects(cl, "coll x", NULL, "a b/c", 5, &body, last, &err),
                   FS_OK);
  canned_end(&k, t);
  /* The collection and the cursor escaped, the page size, TAXII's media type, Basic with the
   * token as password ("finshield:s3cret"). */
  if (!strstr(k.request,
              "GET /taxii2/hub/collections/coll%20x/objects/?limit=5&next=a%20b%2Fc HTTP/1.1\r\n"))
    fail_msg("request: %s", k.request);
  assert_non_null(strstr(k.request, "\r\nAccept: application/taxii+json;version=2.1\r\n"));
  assert_non_null(strstr(k.request, "\r\nAuthorization: Basic Zmluc2hpZWxkOnMzY3JldA==\r\n"));
  assert_string_equal(fs_buf_cstr(&body), "{}");
  assert_string_equal(last, "2026-11-27T10:00:00.5Z");
  /* added_after when there is no cursor. */
  canned_start(&k, reply, &t, root);
  taxii_client_free(cl);
  cl = client(root);
  assert_int_equal(
      taxii_client_get_objects(cl, "c", "2026-01-01T00:00:00Z", NULL, 0, &body, last, &err), FS_OK);
  canned_end(&k, t);
  assert_non_null(strstr(
      k.request,
      "GET /taxii2/hub/collections/c/objects/?limit=1000&added_after=2026-01-01T00%3A00%3A00Z "));
  fs_buf_release(&body);
  taxii_client_free(cl);
}

static void test_client_refusals(void **state)
{
  (void)state;
  char refused[300];
  reply_of(refused, sizeof(refused), "401 Unauthorized",
           "{\"title\":\"unauthorized\",\"description\":\"no token\"}");
  struct canned k;
  pthread_t t;
  char root[128], last[64];
  canned_start(&k, refused, &t, root);
  struct taxii_client *cl = client(root);
  struct fs_buf body;
  fs_buf_init(&body, 1 << 20);
  struct fs_err err;
  assert_int_equal(taxii_client_get_objects(cl, "c", NULL, NULL, 10, &body, last, &err),
                   FS_ERR_UNAUTHENTICATED);
  canned_end(&k, t);
  assert_string_equal(err.msg, "the server answered 401: unauthorized: no token");
  assert_non_null(strstr(err.where, "/collections/c/objects/"));
  taxii_client_free(cl);
  fs_buf_release(&body);
  /* A reply past the caller's limit ends the transfer: FS_ERR_TOO_LARGE. */
  char big[4096];
  int n = snprintf(big, sizeof(big), OK_HEAD "Content-Length: 3000\r\nConnection: close\r\n\r\n");
  memset(big + n, 'x', 3000);
  big[n + 3000] = '\0';
  canned_start(&k, big, &t, root);
  cl = client(root);
  fs_buf_init(&body, 1000);
  assert_int_equal(taxii_client_get_objects(cl, "c", NULL, NULL, 10, &body, last, &err),
                   FS_ERR_TOO_LARGE);
  canned_end(&k, t);
  fs_buf_release(&body);
  taxii_client_free(cl);
}

static void test_client_post(void **state)
{
  (void)state;
  char accepted[300];
  reply_of(accepted, sizeof(accepted), "202 Accepted",
           "{\"status\":\"complete\",\"success_count\":1,\"failure_count\":0}");
  struct canned k;
  pthread_t t;
  char root[128];
  canned_start(&k, accepted, &t, root);
  struct taxii_client *cl = client(root);
  struct fs_buf status;
  fs_buf_init(&status, 1 << 20);
  struct fs_err err;
  static const char env[] = "{\"objects\":[" IND "]}";
  assert_int_equal(taxii_client_post_objects(cl, "c", env, strlen(env), &status, &err), FS_OK);
  canned_end(&k, t);
  assert_non_null(strstr(k.request, "POST /taxii2/hub/collections/c/objects/ HTTP/1.1\r\n"));
  assert_non_null(strstr(k.request, "\r\nContent-Type: application/taxii+json;version=2.1\r\n"));
  assert_non_null(strstr(k.request, "\r\n\r\n{\"objects\":["));
  size_t ok, refused;
  assert_int_equal(taxii_reply_status(fs_buf_cstr(&status), status.len, &ok, &refused, &err),
                   FS_OK);
  assert_int_equal(ok, 1);
  assert_int_equal(refused, 0);
  fs_buf_release(&status);
  taxii_client_free(cl);
  /* Not a URL of ours. */
  struct taxii_client_options o = {.api_root = "ftp://x/"};
  assert_int_equal(taxii_client_new(&o, &cl, &err), FS_ERR_USAGE);
}

int main(void)
{
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reply_header), cmocka_unit_test(test_reply_error),
      cmocka_unit_test(test_reply_page),   cmocka_unit_test(test_reply_status),
      cmocka_unit_test(test_client_get),   cmocka_unit_test(test_client_refusals),
      cmocka_unit_test(test_client_post),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return rc;
}
