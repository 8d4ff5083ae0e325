/* Unit tests of stix/json_read: the reader against jansson (the same verdict and equal trees) on a
 * table of edge cases, on nesting at the depth limit, and on a stream of mutated documents; error
 * positions; reading one value at a time and checking without building. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stix/json_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses with both readers; true when they agree (both refuse, or both accept equal trees). */
static bool agree(const char *s, size_t n)
{
  json_error_t je;
  struct fs_err err;
  json_t *a = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
  json_t *b = NULL;
  int rc = stix_json_parse(s, n, &b, &err);
  bool same = (a == NULL) == (rc != FS_OK) && (!a || json_equal(a, b));
  if (!same)
    fprintf(stderr, "readers disagree on [%.*s]: jansson %s (%s), stix_json %s (%s)\n",
            (int)(n > 200 ? 200 : n), s, a ? "accepts" : "refuses", a ? "" : je.text,
            rc ? "refuses" : "accepts", rc ? err.msg : "");
  if (rc)
    assert_int_equal(rc, FS_ERR_PARSE);
  json_decref(a);
  json_decref(b);
  return same;
}

static void test_cases(void **state)
{
  (void)state;
  static const char *const cases[] = {"{}",
                                      "[]",
                                      " [ ] ",
                                      "[1,2,3]",
                                      "{\"a\":1,\"b\":{\"a\":2}}",
                                      "{\"a\":1,\"a\":2}",
                                      "{\"ab\":1,\"a\\u0062\":2}",
                                      "[01]",
                                      "[-0]",
                                      "[-0.0]",
                                      "[1e400]",
                                      "[-1e400]",
                                      "[1e-400]",
                                      "[9223372036854775807]",
                                      "[9223372036854775808]",
                                      "[-9223372036854775808]",
                                      "[-9223372036854775809]",
                                      "[123456789012345678901234567890]",
                                      "[1.5e3,-2E-2,0.0,1E+5]",
                                      "[\"\\u0000\"]",
                                      "{\"\\u0000\":1}",
                                      "{\"a\\u0000b\":1}",
                                      "[\"\\ud800\"]",
                                      "[\"\\udc00\"]",
                                      "[\"\\ud83d\\ude00\"]",
                                      "[\"\\ud83d\\u0041\"]",
                                      "[\"\\ud83d\"]",
                                      "[\"\xc0\x80\"]",
                                      "[\"\xed\xa0\x80\"]",
                                      "[\"\xf4\x90\x80\x80\"]",
                                      "[\"\xe2\x82\xac\"]",
                                      "[\"\xe2\x82\"]",
                                      "[\"\xf0\x9f\x98\x80\"]",
                                      "[\"\x01\"]",
                                      "[\"\x1f\"]",
                                      "[\"\x7f\"]",
                                      "[\"\xff\"]",
                                      "\xef\xbb\xbf[]",
                                      "[1.]",
                                      "[.5]",
                                      "[1e]",
                                      "[1e+]",
                                      "[-]",
                                      "[--1]",
                                      "[+1]",
                                      "[0x10]",
                                      "[tru]",
                                      "[true]",
                                      "[truex]",
                                      "[nul]",
                                      "[null ]",
                                      "[false,true,null]",
                                      "[] x",
                                      "[]]",
                                      "1",
                                      "\"a\"",
                                      "",
                                      "  ",
                                      "[1,]",
                                      "[,1]",
                                      "{\"a\"}",
                                      "{\"a\":}",
                                      "{,}",
                                      "{\"a\":1,}",
                                      "{1:2}",
                                      "[\"\\x\"]",
                                      "[\"\\u12\"]",
                                      "[\"\\uZZZZ\"]",
                                      "[\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"]",
                                      "[\"abc",
                                      "[\"a\\",
                                      "{\"a\":{\"b\":[1,{\"c\":null}]}}",
                                      "[1 2]",
                                      "{\"a\" 1}",
                                      "[\"\\u00e9\\u00E9\xc3\xa9\"]",
                                      "\n[\t1\r]\n",
                                      "[\"a\"\"b\"]",
                                      "{\"a\":1}{}",
                                      NULL};
  for (size_t i = 0; cases[i]; i++)
    assert_true(agree(cases[i], strlen(cases[i])));
  /* an embedded NUL byte, outside and inside a string */
  assert_true(agree("[1,\0]", 5));
  assert_true(agree("[\"a\0\"]", 6));
}

static void test_depth(void **state)
{
  (void)state;
  size_t cap = 2 * (STIX_JSON_MAX_DEPTH + 4) + 2;
  char *s = malloc(cap);
  assert_non_null(s);
  for (size_t d = STIX_JSON_MAX_DEPTH - 2; d <= STIX_JSON_MAX_DEPTH + 2; d++) {
    for (int inner = 0; inner < 2; inner++) {
      size_t k = 0;
      for (size_t i = 0; i < d; i++)
        s[k++] = '[';
      if (inner)
        s[k++] = '1';
      for (size_t i = 0; i < d; i++)
        s[k++] = ']';
      assert_true(agree(s, k));
    }
  }
  free(s);
}

/* A document mutated a few bytes at a time, with a fixed seed: both readers must agree on every
 * variant. */
static void test_mutations(void **state)
{
  (void)state;
  static const char seed[] =
      "{\"type\":\"indicator\",\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\","
      "\"n\":[1,-2.5e3,true,false,null,{\"x\":\"\\u00e9\\n\\\"\xc3\xa9\\ud83d\\ude00\"}],\"e\":{},"
      "\"big\":12345678901234567890}";
  static const char alphabet[] = "{}[],:\"\\0123456789.eE+-tfnrulasu \n\x80\xc3\xa9\xed\xff\x01";
  char buf[512];
  size_t sn = sizeof(seed) - 1;
  uint32_t x = 2463534242u;
  for (int it = 0; it < 100000; it++) {
    memcpy(buf, seed, sn);
    size_t n = sn;
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    int m = 1 + (int)(x % 3);
    for (int j = 0; j < m; j++) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      size_t p = x % n;
      char c = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
      switch ((x >> 8) % 3) {
      case 0:
        buf[p] = c;
        break;
      case 1:
        if (n > 1) {
          memmove(buf + p, buf + p + 1, n - p - 1);
          n--;
        }
        break;
      default:
        if (n < sizeof(buf) - 1) {
          memmove(buf + p + 1, buf + p, n - p);
          buf[p] = c;
          n++;
        }
      }
    }
    if (!agree(buf, n))
      fail();
  }
}

static void test_positions(void **state)
{
  (void)state;
  json_t *v;
  struct fs_err err;
  assert_int_equal(stix_json_parse("[1, x]", 6, &v, &err), FS_ERR_PARSE);
  assert_null(v);
  assert_string_equal(err.where, "line 1, column 5 (byte 4)");
  assert_non_null(strstr(err.msg, "malformed JSON"));
  const char *dup = "{\n  \"a\": 1,\n  \"a\": 2\n}";
  assert_int_equal(stix_json_parse(dup, strlen(dup), &v, &err), FS_ERR_PARSE);
  assert_string_equal(err.where, "line 3, column 3 (byte 14)");
  assert_non_null(strstr(err.msg, "duplicate"));
  assert_int_equal(stix_json_parse("[\"\x01\"]", 4, &v, &err), FS_ERR_PARSE);
  assert_string_equal(err.where, "line 1, column 3 (byte 2)");
}

/* Values read one after another from one text, built or only checked. */
static void test_reader(void **state)
{
  (void)state;
  const char *text = " {\"a\": [1, 2]} , \"s\\u00e9\" ,{\"a\":1,\"a\":2}, [tru]";
  struct stix_json_reader r;
  struct fs_err err;
  json_t *v;
  stix_json_reader_init(&r, text, strlen(text));
  assert_int_equal(stix_json_read(&r, &v, &err), FS_OK);
  assert_int_equal(json_array_size(json_object_get(v, "a")), 2);
  assert_int_equal(text[r.pos], ' ');
  json_decref(v);
  stix_json_skip_ws(&r);
  r.pos++; /* the comma */
  size_t at = r.pos;
  assert_int_equal(stix_json_read(&r, NULL, &err), FS_OK); /* checked only */
  r.pos = at;
  assert_int_equal(stix_json_read(&r, &v, &err), FS_OK); /* the same bytes, built */
  assert_string_equal(json_string_value(v), "s\xc3\xa9");
  json_decref(v);
  stix_json_skip_ws(&r);
  r.pos++;
  at = r.pos;
  /* a duplicate key passes a check and fails a build */
  assert_int_equal(stix_json_read(&r, NULL, &err), FS_OK);
  r.pos = at;
  assert_int_equal(stix_json_read(&r, &v, &err), FS_ERR_PARSE);
  assert_null(v);
  stix_json_skip_ws(&r);
  r.pos = strlen(text) - 5;
  assert_int_equal(stix_json_read(&r, NULL, &err), FS_ERR_PARSE);
  stix_json_reader_release(&r);
  stix_json_reader_release(&r); /* release twice is safe */
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),     cmocka_unit_test(test_depth),
      cmocka_unit_test(test_mutations), cmocka_unit_test(test_positions),
      cmocka_unit_test(test_reader),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
