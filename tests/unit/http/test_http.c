/* http/: the query-string parser, route matching and the rate limiter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/http.h"
#include "http/mediatype.h"

#include <string.h>

static void test_query_good(void **state)
{
  (void)state;
  struct fs_arena a;
  fs_arena_init(&a, 0, 0);
  struct fs_query q;
  struct fs_err err;
  const char *raw = "q=%E9%8A%80%E8%A1%8C+x&limit=10&empty=&flag&match%5Bid%5D=a,b";
  assert_int_equal(fs_query_parse(raw, strlen(raw), &q, &a, &err), 0);
  assert_int_equal(q.count, 5);
  assert_string_equal(http_query_get(&q, "q"), "銀行 x");
  assert_string_equal(http_query_get(&q, "empty"), "");
  assert_string_equal(http_query_get(&q, "flag"), "");
  assert_string_equal(http_query_get(&q, "match[id]"), "a,b");
  int64_t limit;
  assert_int_equal(http_query_int(&q, "limit", 1, 1000, 100, &limit, &err), 0);
  assert_int_equal(limit, 10);
  assert_int_equal(http_query_int(&q, "absent", 1, 1000, 100, &limit, &err), 0);
  assert_int_equal(limit, 100);
  assert_int_equal(http_query_int(&q, "q", 1, 1000, 100, &limit, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "q");
  static const char *const allowed[] = {"q", "limit", "empty", "flag", NULL};
  assert_int_equal(http_query_only(&q, allowed, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "match[id]");
  fs_arena_release(&a);
}

static void test_query_bad(void **state)
{
  (void)state;
  static const struct {
    const char *raw;
    const char *where;
  } cases[] = {
      {"a=%zz", "query byte 2"},         {"a=%4", "query byte 2"},  {"=x", "query byte 0"},
      {"a=%00", "query byte 2"},         {"a=%0a", "query byte 2"}, {"a=%ff%fe", "query byte 2"},
      {"ok=1&b=%c0%af", "query byte 7"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct fs_arena a;
    fs_arena_init(&a, 0, 0);
    struct fs_query q;
    struct fs_err err;
    fs_err_clear(&err);
    int rc = fs_query_parse(cases[i].raw, strlen(cases[i].raw), &q, &a, &err);
    if (rc != FS_ERR_INVALID || strcmp(err.where, cases[i].where))
      fail_msg("case %zu (%s): rc %d where \"%s\"", i, cases[i].raw, rc, err.where);
    fs_arena_release(&a);
  }
  /* Limits: too many parameters, too long. */
  char big[FS_QUERY_MAX_BYTES + 10];
  memset(big, 'a', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  struct fs_arena a;
  fs_arena_init(&a, 0, 0);
  struct fs_query q;
  struct fs_err err;
  assert_int_equal(fs_query_parse(big, strlen(big), &q, &a, &err), FS_ERR_INVALID);
  char many[1024] = "";
  for (int i = 0; i < 70; i++)
    strcat(many, "a=1&"); /* test code: banned.h is not forced on tests */
  assert_int_equal(fs_query_parse(many, strlen(many), &q, &a, &err), FS_ERR_INVALID);
  assert_non_null(strstr(err.msg, "more than"));
  fs_arena_release(&a);
}

/* Paths: each segment decoded is UTF-8 without control characters; errors name the byte. */
static void test_path_check(void **state)
{
  (void)state;
  static const struct {
    const char *raw;
    const char *where; /* NULL: accepted */
  } cases[] = {
      {"/api/v1/orgs/bank-a", NULL},  {"/taxii2/hub/", NULL},
      {"/a+b/%E9%87%91/", NULL},      {"/api/v1/users/%FF", "path byte 14"},
      {"/x/ok%C3%28", "path byte 3"}, {"/x/%ED%A0%80", "path byte 3"},
      {"/x/a%00b", "path byte 4"},    {"/x/a%0ab", "path byte 4"},
      {"/x/a%zz", "path byte 4"},     {"/x/\xff", "path byte 3"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct fs_arena a;
    fs_arena_init(&a, 0, 0);
    struct fs_err err;
    fs_err_clear(&err);
    int rc = fs_path_check(cases[i].raw, strlen(cases[i].raw), &a, &err);
    if (cases[i].where ? rc != FS_ERR_INVALID || strcmp(err.where, cases[i].where) : rc != 0)
      fail_msg("case %zu (%s): rc %d where \"%s\"", i, cases[i].raw, rc, err.where);
    fs_arena_release(&a);
  }
}

static void test_routes(void **state)
{
  (void)state;
  struct http_request req;
  memset(&req, 0, sizeof(req));
  fs_arena_init(&req.arena, 0, 0);
  bool known;
  char allow[64];
  const struct http_route *r = http_route_match(http_routes, "GET", "/api/v1/orgs/bank-001", &req,
                                                &known, allow, sizeof(allow));
  assert_non_null(r);
  assert_string_equal(r->pattern, "/api/v1/orgs/{}");
  assert_int_equal(req.nparams, 1);
  assert_string_equal(req.params[0], "bank-001");
  r = http_route_match(http_routes, "GET", "/api/v1/orgs/", &req, &known, allow, sizeof(allow));
  assert_non_null(r);
  assert_string_equal(r->pattern, "/api/v1/orgs");
  r = http_route_match(http_routes, "PUT", "/api/v1/orgs/x", &req, &known, allow, sizeof(allow));
  assert_null(r);
  assert_true(known);
  assert_string_equal(allow, "GET, PATCH");
  r = http_route_match(http_routes, "GET", "/api/v1/nothing", &req, &known, allow, sizeof(allow));
  assert_null(r);
  assert_false(known);
  r = http_route_match(http_routes, "POST", "/api/v1/users/u1/totp/confirm", &req, &known, allow,
                       sizeof(allow));
  assert_non_null(r);
  assert_string_equal(req.params[0], "u1");
  fs_arena_release(&req.arena);
}

static void test_ratelimit(void **state)
{
  (void)state;
  struct http_ratelimit *rl = http_ratelimit_new(2, 3);
  int retry = 0;
  int64_t t = 1000000000;
  for (int i = 0; i < 3; i++)
    assert_true(http_ratelimit_take(rl, "tok:a", t, &retry));
  assert_false(http_ratelimit_take(rl, "tok:a", t, &retry));
  assert_true(retry >= 1);
  assert_true(http_ratelimit_take(rl, "tok:b", t, &retry));             /* other keys unaffected */
  assert_true(http_ratelimit_take(rl, "tok:a", t + 600000000, &retry)); /* refilled */
  /* Peeking takes nothing: an empty bucket stays empty, a full one full. */
  assert_false(http_ratelimit_peek(rl, "tok:a", t + 600000000, &retry));
  for (int i = 0; i < 5; i++)
    assert_true(http_ratelimit_peek(rl, "tok:c", t, &retry));
  for (int i = 0; i < 3; i++)
    assert_true(http_ratelimit_take(rl, "tok:c", t, &retry));
  assert_false(http_ratelimit_take(rl, "tok:c", t, &retry));
  http_ratelimit_free(rl);
}

static void test_media_types(void **state)
{
  (void)state;
  static const struct {
    const char *accept;
    bool ok;
  } cases[] = {
      {NULL, true},
      {"", true},
      {"*/*", true},
      {"application/taxii+json;version=2.1", true},
      {"application/taxii+json", true},
      {"Application/TAXII+JSON; version=2.1", true},
      {"application/*", true},
      {"application/taxii+json;version=2.0", false},
      {"application/json", false},
      {"text/html, application/taxii+json;version=2.1;q=0.5", true},
      {"application/taxii+json;version=2.1;q=0", false},
      {"application/taxii+json;version=\"2.1\"", true},
      {"garbage", false},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    if (http_accept_allows(cases[i].accept, "application", "taxii+json", "2.1") != cases[i].ok)
      fail_msg("case %zu: %s", i, cases[i].accept ? cases[i].accept : "(null)");
  struct http_media m;
  struct fs_err err;
  assert_int_equal(http_media_parse("application/taxii+json; version=2.1", 35, &m, &err), 0);
  assert_string_equal(m.subtype, "taxii+json");
  assert_string_equal(m.version, "2.1");
  assert_int_equal(http_media_parse("application/json, text/plain", 28, &m, &err), FS_ERR_INVALID);
  assert_int_equal(http_media_parse("application", 11, &m, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "byte 11");
  assert_int_equal(http_media_parse("a/b;q=1.5", 9, &m, &err), FS_ERR_INVALID);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_query_good),  cmocka_unit_test(test_query_bad),
      cmocka_unit_test(test_routes),      cmocka_unit_test(test_ratelimit),
      cmocka_unit_test(test_media_types), cmocka_unit_test(test_path_check),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
