/* Unit tests of stix/ STIX patterning: every pattern of the project's list parses (the
 * specification's examples in the corpus run), malformed patterns fail at the
 * right byte, the printer's canonical text round-trips, simple indicators are extracted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stix/pattern.h"

#include "core/buf.h"
#include "core/encode.h"
#include "core/file.h"

#include <stdio.h>
#include <string.h>

#include "testdata.h"

static void parse_lim(const char *text, const struct stix_pattern_limits *lim,
                      struct stix_pattern *p)
{
  struct fs_err err;
  int rc = stix_pattern_parse(p, text, strlen(text), lim, &err);
  if (rc)
    fprintf(stderr, "should parse: %s\n  %s at %s\n", text, err.msg, err.where);
  assert_int_equal(rc, 0);
}

static void parse_ok(const char *text, struct stix_pattern *p)
{
  parse_lim(text, NULL, p);
}

/* Prints p (parsed with lim), parses the output again as STIX 2.1, prints again: both outputs
 * must be equal. */
static void round_trip_lim(const char *text, const struct stix_pattern_limits *lim, char *canon,
                           size_t n)
{
  struct stix_pattern p, q;
  parse_lim(text, lim, &p);
  struct fs_buf a, b;
  fs_buf_init(&a, 0);
  fs_buf_init(&b, 0);
  assert_int_equal(stix_pattern_print(&p, &a), 0);
  parse_ok(fs_buf_cstr(&a), &q);
  assert_int_equal(stix_pattern_print(&q, &b), 0);
  if (strcmp(fs_buf_cstr(&a), fs_buf_cstr(&b)))
    fprintf(stderr, "not stable:\n  %s\n  %s\n", fs_buf_cstr(&a), fs_buf_cstr(&b));
  assert_string_equal(fs_buf_cstr(&a), fs_buf_cstr(&b));
  assert_int_equal(p.n_nodes, q.n_nodes);
  if (canon)
    snprintf(canon, n, "%s", fs_buf_cstr(&a));
  fs_buf_release(&a);
  fs_buf_release(&b);
  stix_pattern_release(&p);
  stix_pattern_release(&q);
}

static void round_trip(const char *text, char *canon, size_t n)
{
  round_trip_lim(text, NULL, canon, n);
}

/* Every line of the file (at least min_lines) parses, prints stably and names known objects. */
static void check_pattern_file(const char *path, size_t min_lines)
{
  struct fs_buf file;
  struct fs_err err;
  test_read_file(path, &file);
  char *line = file.data;
  size_t count = 0;
  while (line && *line) {
    char *end = strchr(line, '\n');
    if (end)
      *end = '\0';
    if (*line) {
      round_trip(line, NULL, 0);
      struct stix_pattern p;
      parse_ok(line, &p);
      if (stix_pattern_check_names(&p, &err))
        fail_msg("%s: %s: %s at %s", path, line, err.msg, err.where);
      stix_pattern_release(&p);
      count++;
    }
    line = end ? end + 1 : NULL;
  }
  if (count < min_lines)
    fail_msg("%s: %zu patterns, expected at least %zu", path, count, min_lines);
  fs_buf_release(&file);
}

/* The project's patterns (tests/data/stix/patterns.txt). */
static void test_pattern_file(void **state)
{
  (void)state;
  char path[1024];
  test_fixture_path(path, sizeof(path), "stix/patterns.txt");
  check_pattern_file(path, 20);
}

/* Corpus run: the specification's example patterns. */
static void test_spec_examples(void **state)
{
  (void)state;
  char path[1024];
  test_corpus_path(path, sizeof(path), "stix/patterns-valid.txt");
  check_pattern_file(path, 20);
}

static void test_valid_patterns(void **state)
{
  (void)state;
  static const char *const valid[] = {
      "[file:size = 1280]",
      "[file:size != 1280]",
      "[file:size < 1024]",
      "[file:size <= 1024]",
      "[file:size > 1024]",
      "[file:size >= 1024]",
      "[file:file_name = 'my_file_name']",
      "[file:extended_properties.'ntfs-ext'.sid = '234']",
      "[emailaddr:value MATCHES '.+\\\\@ibm\\\\.com$' OR file:name MATCHES '^Final.+\\\\.exe$']",
      "[ipv4addr:value ISSUBSET '192.168.0.1/24']",
      "[ipv4addr:value NOT ISSUBSET '192.168.0.1/24']",
      "[user-account:value = 'Peter'] AND [user-account:value != 'Paul'] AND "
      "[user-account:value = 'Mary'] WITHIN 5 SECONDS",
      "[file:file_system_properties.file_name LIKE 'name%']",
      "[file:file_name IN ('test.txt', 'test2.exe', 'README')]",
      "[file:size IN (1024, 2048, 4096)]",
      "[network-connection:extended_properties[0].source_payload MATCHES 'dGVzdHRlc3R0ZXN0']",
      "[x_whatever:detected == t'2018-03-22T12:11:14.1Z']",
      "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
      "[foo:bar=1] REPEATS 9 TIMES",
      "( [(network-traffic:dst_port IN(443,6443,8443) AND network-traffic:src_packets != 0) ])",
      "([win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] REPEATS 2 TIMES) REPEATS 2 "
      "TIMES",
      "[network-traffic:src_port = 37020 AND user-account:user_id = 'root'] START "
      "t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' OR [ipv4-addr:value = "
      "'192.168.122.83'] START t'2016-06-01T03:55:00.123Z' STOP t'2016-06-01T04:30:24.743Z'",
      "[EXISTS windows-registry-key:values]",
      "[file:name NOT IN ()]",
      "[x:a[-1] = 1]",
      "[x:'first-prop'.'a.b'[*] = h'']",
      "[a:b = .5] WITHIN 1.5 SECONDS",
      "[a:b = -0.25]",
      "[a:b = +7]",
      "[a:b = 'it\\'s \\\\ ok']",
      "[a:b /* comment */ = 1] // trailing",
      "[a:b\xe3\x80\x80=\xc2\xa0"
      "1]",
      "[a:b = 1] FOLLOWEDBY [a:c = 2] REPEATS 5 TIMES WITHIN 10 SECONDS",
      "[a:b = true AND a:c != false]",
      "[a:b = t'2016-02-29T23:59:60.123456789012Z']",
  };
  for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
    round_trip(valid[i], NULL, 0);
}

static void test_canonical(void **state)
{
  (void)state;
  static const struct {
    const char *in, *out;
  } cases[] = {
      {"[ipv4-addr:value='1.2.3.4']", "[ipv4-addr:value = '1.2.3.4']"},
      {"[file:hashes.'MD5' == 'cead3f77f6cda6ec00f57d76c9a6879f']",
       "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']"},
      {"[a:b <> 1]", "[a:b != 1]"},
      {"[a:b = 1 AND (a:c = 2 OR a:d = 3)]", "[a:b = 1 AND (a:c = 2 OR a:d = 3)]"},
      {"[(a:b = 1 AND a:c = 2) OR a:d = 3]", "[a:b = 1 AND a:c = 2 OR a:d = 3]"},
      {"[a:b = 1 OR (a:c = 2 OR a:d = 3)]", "[a:b = 1 OR (a:c = 2 OR a:d = 3)]"},
      {"[a:b = 1] AND ([a:c = 2] AND [a:d = 3])", "[a:b = 1] AND ([a:c = 2] AND [a:d = 3])"},
      {"([a:b = 1] AND [a:c = 2]) AND [a:d = 3]", "[a:b = 1] AND [a:c = 2] AND [a:d = 3]"},
      {"([a:b = 1]) WITHIN 5 SECONDS", "[a:b = 1] WITHIN 5 SECONDS"},
      {"([a:b = 1] REPEATS 2 TIMES) REPEATS 3 TIMES",
       "([a:b = 1] REPEATS 2 TIMES) REPEATS 3 TIMES"},
      {"([a:b = 1] OR [a:c = 2]) FOLLOWEDBY [a:d = 3]",
       "[a:b = 1] OR [a:c = 2] FOLLOWEDBY [a:d = 3]"},
      {"[a:b = 1] OR ([a:c = 2] FOLLOWEDBY [a:d = 3])",
       "[a:b = 1] OR ([a:c = 2] FOLLOWEDBY [a:d = 3])"},
      {"([a:b = 1] AND [a:c = 2]) WITHIN +5.50 SECONDS",
       "([a:b = 1] AND [a:c = 2]) WITHIN 5.50 SECONDS"},
      {"[a:b IN ('x','y')]", "[a:b IN ('x', 'y')]"},
      {"[a:b = +5]", "[a:b = 5]"},
      {"[a:b = +.5]", "[a:b = .5]"},
      {"[a:b = h'FFd8']", "[a:b = h'ffd8']"},
      {"[x:'first' = 1]", "[x:first = 1]"},
      {"[x:a.'AND'.'b c' = 1]", "[x:a.'AND'.'b c' = 1]"},
      {"[x:a [ * ] . b = 1]", "[x:a[*].b = 1]"},
      {"[ EXISTS x:a.b ]", "[EXISTS x:a.b]"},
      {"[a:b /* c */ = 1] // x", "[a:b = 1]"},
      {"[a:b\xe3\x80\x80=\xc2\xa0"
       "1]",
       "[a:b = 1]"},
      {"[a:b NOT MATCHES 'x']", "[a:b NOT MATCHES 'x']"},
      {"[a:b = 'it\\'s']", "[a:b = 'it\\'s']"},
  };
  char canon[512];
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    round_trip(cases[i].in, canon, sizeof(canon));
    if (strcmp(canon, cases[i].out))
      fprintf(stderr, "case %zu: %s\n  gave %s\n  want %s\n", i, cases[i].in, canon, cases[i].out);
    assert_string_equal(canon, cases[i].out);
  }
}

static void test_invalid_patterns(void **state)
{
  (void)state;
  static const struct {
    const char *text;
    const char *where;
    const char *msg;
  } cases[] = {
      {"", "byte 0", "expected '[' or '('"},
      {"file:size = 1280", "byte 0", "expected '[' or '('"},
      {"[file:size = ]", "byte 13", "expected a literal"},
      {"[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]", "byte 19", "expected a literal"},
      {"[file.size = 1280]", "byte 5", "expected ':' after the object type"},
      {"[file:name MATCHES /.*\\\\.dll/]", "byte 19", "expected a string"},
      {"[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN ]", "byte 63",
       "positive number of seconds"},
      {"[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN 5 HOURS]", "byte 65",
       "expected SECONDS"},
      {"[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN -5 SECONDS]", "byte 63",
       "positive number of seconds"},
      {"[network-traffic:dst_ref.value ISSUBSET ]", "byte 40", "expected a string"},
      {"[file:hashes.MD5 =? 'cead3f77f6cda6ec00f57d76c9a6879f']", "byte 18", "expected a literal"},
      {"[x_whatever:detected == t'2457-73-22T32:81:84.1Z']", "byte 24", "invalid timestamp"},
      {"[x:d = t'2016-02-30T00:00:00Z']", "byte 7", "invalid timestamp"},
      {"[x:d = t'2016-01-01 00:00:00Z']", "byte 7", "invalid timestamp"},
      {"[artifact:payload_bin = b'====']", "byte 24", "invalid binary"},
      {"[artifact:payload_bin = b'']", "byte 24", "invalid binary"},
      {"[artifact:payload_bin = b'abc']", "byte 24", "invalid binary"},
      {"[file:magic_number_hex = h'abc']", "byte 25", "invalid hex"},
      {"[file:magic_number_hex = h'zz']", "byte 25", "invalid hex"},
      {"[foo:bar=1] within 2 seconds", "byte 12", "a qualifier or end of pattern"},
      {"[file:hashes.'SHA-256' = 'f00']", "byte 1", "'f00' is not a valid SHA-256 hash"},
      {"[file:hashes.sha1 IN ('da39a3ee5e6b4b0d3255bfef95601890afd80709', 'x')]", "byte 1",
       "not a valid sha1 hash"},
      {"[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS", "byte 27", "duplicate WITHIN"},
      {"([a:b = 1] REPEATS 2 TIMES REPEATS 3 TIMES)", "byte 27", "duplicate REPEATS"},
      {"[a:b = 1] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' START "
       "t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z'",
       "byte 77", "duplicate START/STOP"},
      {"[a:b = 1] WITHIN 0 SECONDS", "byte 17", "positive number of seconds"},
      {"[a:b = 1] WITHIN .0 SECONDS", "byte 17", "positive number of seconds"},
      {"[a:b = 1] REPEATS 0 TIMES", "byte 18", "positive integer"},
      {"[a:b = 1] REPEATS 1.5 TIMES", "byte 18", "positive integer"},
      {"[a:b = 1] REPEATS 3 SECONDS", "byte 20", "expected TIMES"},
      {"[a:b = 1] START t'2016-01-01T00:00:00Z'", "byte 39", "expected STOP"},
      {"[a:b = 1] START '2016-13-01T00:00:00Z' STOP t'2016-01-01T00:00:00Z'", "byte 16",
       "expected a timestamp"},
      {"[a:b = 1] START 5 STOP t'2016-01-01T00:00:00Z'", "byte 16", "timestamp after START"},
      {"[file:size = 1280", "byte 17", "expected ']'"},
      {"[file:size = 1280]]", "byte 18", "unbalanced"},
      {"[file:size = 1280] AND", "byte 22", "expected '[' or '('"},
      {"[file:size = 1280] FOLLOWEDBY", "byte 29", "expected '[' or '('"},
      {"[file:size = 1 OR]", "byte 17", "object path"},
      {"[file:size > true]", "byte 13", "orderable"},
      {"[file:size >= b'AAAA'] AND [file:size < 'x'] AND [a:b < false]", "byte 56", "orderable"},
      {"[file:name LIKE 5]", "byte 16", "expected a string"},
      {"[file:name IN 'a']", "byte 14", "expected '(' to start a set"},
      {"[file:name IN ('a', 1)]", "byte 20", "same type"},
      {"[file:name IN ('a' 'b')]", "byte 19", "expected ',' or ')'"},
      {"[file:name = 'abc]", "byte 13", "unterminated"},
      {"[file:name = 'a\\b']", "byte 15", "invalid escape"},
      {"[file:extensions.windows-pebinary-ext.x = 1]", "byte 17", "quote names"},
      {"[file:x[a] = 1]", "byte 8", "list index or '*'"},
      {"[file:x[1 = 1]", "byte 10", "']' after the list index"},
      {"[file:x[1.5] = 1]", "byte 8", "list index or '*'"},
      {"[:x = 1]", "byte 1", "object path"},
      {"[file: = 1]", "byte 7", "property name after ':'"},
      {"[file:size = 007]", "byte 14", "']' or AND/OR"},
      {"[file:size = 1.]", "byte 14", "']' or AND/OR"},
      {"[file:size = 99999999999999999999]", "byte 13", "integer out of range"},
      {"[file:name = 'a'] /* unterminated", "byte 18", "unterminated comment"},
      {"[file:name ! 'a']", "byte 11", "comparison operator"},
      {"[file:size NOT EXISTS]", "byte 15", "comparison operator"},
      {"[NOT file:size = 1]", "byte 1", "object path"},
      {"[EXISTS]", "byte 7", "object path"},
      {"[file:size = 1] AND ([file:size = 2]", "byte 36", "expected ')'"},
      {"[a:b = 'x'] \xc3\xa9", "byte 12", "unexpected character"},
      {"[file:name = 'a' AND]", "byte 20", "object path"},
      {"[a:b ISSUBSET 1]", "byte 14", "expected a string"},
      {"[a:b = 1] AND and [a:c = 2]", "byte 14", "expected '[' or '('"},
      {"[a:b = 1] AND [a:c = 2] extra", "byte 24", "end of pattern"},
      {"[a:b = 1)", "byte 8", "expected ']'"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct stix_pattern p;
    struct fs_err err;
    int rc = stix_pattern_parse(&p, cases[i].text, strlen(cases[i].text), NULL, &err);
    if (rc == 0 || strcmp(err.where, cases[i].where) || !strstr(err.msg, cases[i].msg)) {
      fprintf(stderr, "case %zu: %s\n  want %s: ...%s...\n  got  %s: %s (rc %d)\n", i,
              cases[i].text, cases[i].where, cases[i].msg, rc ? err.where : "-",
              rc ? err.msg : "parsed", rc);
      fail();
    }
    assert_null(p.root);
  }
}

/* What STIX 2.0 wrote and the 2.1 grammar refuses: accepted only in 2.0 content (lim.stix20),
 * printed in the 2.1 form; refused in 2.1 with the byte where the grammar stops (#18 item 18). */
static void test_stix20_leniencies(void **state)
{
  (void)state;
  static const struct stix_pattern_limits v20 = {.stix20 = true};
  static const struct {
    const char *text, *canon, *where, *msg;
  } cases[] = {
      {"[a:b = 1] START '2016-01-01T00:00:00Z' STOP '2016-02-01T00:00:00Z'",
       "[a:b = 1] START t'2016-01-01T00:00:00Z' STOP t'2016-02-01T00:00:00Z'", "byte 16",
       "a plain quoted timestamp is STIX 2.0"},
      {"[a:b = 1] START t'2016-01-01T00:00:00Z' STOP '2016-02-01T00:00:00Z'",
       "[a:b = 1] START t'2016-01-01T00:00:00Z' STOP t'2016-02-01T00:00:00Z'", "byte 45",
       "after STOP"},
      {"[a:c_bin = b'AQ\nID']", "[a:c_bin = b'AQID']", "byte 15", "line break inside b'...'"},
      {"[artifact:payload_bin = b'dGhpcyBp\r\ncyBhIHRlc3Q=']",
       "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']", "byte 34", "STIX 2.0"},
  };
  char canon[512];
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    round_trip_lim(cases[i].text, &v20, canon, sizeof(canon));
    assert_string_equal(canon, cases[i].canon);
    struct stix_pattern p;
    struct fs_err err;
    int rc = stix_pattern_parse(&p, cases[i].text, strlen(cases[i].text), NULL, &err);
    if (rc != FS_ERR_PARSE || strcmp(err.where, cases[i].where) || !strstr(err.msg, cases[i].msg)) {
      fprintf(stderr, "case %zu: %s\n  want %s: ...%s...\n  got  %s: %s (rc %d)\n", i,
              cases[i].text, cases[i].where, cases[i].msg, rc ? err.where : "-",
              rc ? err.msg : "parsed", rc);
      fail();
    }
    assert_null(p.root);
  }
  /* the 2.0 leniencies do not open anything else: a bad timestamp stays bad */
  struct stix_pattern p;
  struct fs_err err;
  const char *bad = "[a:b = 1] START '2016-13-01T00:00:00Z' STOP '2016-02-01T00:00:00Z'";
  assert_int_equal(stix_pattern_parse(&p, bad, strlen(bad), &v20, &err), FS_ERR_PARSE);
  assert_string_equal(err.where, "byte 16");
  /* A pattern's error is whole in zh-TW too: the format goes through the catalogue (#18 item 12) */
  const char *unclosed = "[a:b = 1";
  assert_int_equal(stix_pattern_parse(&p, unclosed, strlen(unclosed), NULL, &err), FS_ERR_PARSE);
  assert_string_equal(err.msg, "expected ']' or AND/OR in the observation, found end of pattern");
  assert_string_equal(err.msg_zh, "預期 觀察運算式中的 ']' 或 AND/OR，卻遇到樣式結尾");
}

static void test_limits(void **state)
{
  (void)state;
  char deep[400];
  size_t n = 0;
  for (int i = 0; i < 100; i++)
    deep[n++] = '(';
  memcpy(deep + n, "[a:b = 1]", 9);
  n += 9;
  for (int i = 0; i < 100; i++)
    deep[n++] = ')';
  deep[n] = '\0';
  struct stix_pattern p;
  struct fs_err err;
  assert_int_equal(stix_pattern_parse(&p, deep, n, NULL, &err), FS_ERR_TOO_LARGE);
  assert_non_null(strstr(err.msg, "nested deeper"));
  struct stix_pattern_limits lim = {.max_len = 8};
  assert_int_equal(stix_pattern_parse(&p, "[a:b = 1]", 9, &lim, &err), FS_ERR_TOO_LARGE);
  lim = (struct stix_pattern_limits){.max_nodes = 3};
  assert_int_equal(stix_pattern_parse(&p, "[a:b = 1 OR a:c = 2 OR a:d = 3]", 31, &lim, &err),
                   FS_ERR_TOO_LARGE);
  /* a long flat chain is fine (no recursion per operand) */
  struct fs_buf b;
  fs_buf_init(&b, 0);
  for (int i = 0; i < 2000; i++)
    fs_buf_appendf(&b, "%s[a:b = %d]", i ? " OR " : "", i);
  assert_int_equal(stix_pattern_parse(&p, b.data, b.len, NULL, &err), 0);
  stix_pattern_release(&p);
  fs_buf_release(&b);
}

void pattern_extract_tests(void **state);
void pattern_eval_tests(void **state);

int main(int argc, char **argv)
{
  fs_crypto_init();
  if (test_corpus_run(argc, argv)) {
    int rc = test_corpus_require("stix");
    const struct CMUnitTest corpus[] = {cmocka_unit_test(test_spec_examples)};
    return rc ? rc : cmocka_run_group_tests_name("corpus", corpus, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pattern_file),      cmocka_unit_test(test_valid_patterns),
      cmocka_unit_test(test_canonical),         cmocka_unit_test(test_invalid_patterns),
      cmocka_unit_test(test_stix20_leniencies), cmocka_unit_test(test_limits),
      cmocka_unit_test(pattern_extract_tests),  cmocka_unit_test(pattern_eval_tests),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
