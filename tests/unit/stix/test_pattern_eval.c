/* Unit tests of simple-indicator extraction and of evaluating a pattern against an event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stix/pattern.h"

#include "core/jsonx.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void pattern_extract_tests(void **state);
void pattern_eval_tests(void **state);

#define MD5 "cead3f77f6cda6ec00f57d76c9a6879f"

void pattern_extract_tests(void **state)
{
  (void)state;
  static const struct {
    const char *pattern;
    bool compound;
    size_t n;
    enum stix_observable kind0;
    const char *value0;
    int prefix0;
  } cases[] = {
      {"[ipv4-addr:value = '198.51.100.1/32']", false, 1, STIX_OBS_IPV4, "198.51.100.1", 32},
      {"[ipv4-addr:value = '223.166.0.0/15']", false, 1, STIX_OBS_IPV4, "223.166.0.0/15", 15},
      {"[ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128']", false, 1, STIX_OBS_IPV6,
       "2001:db8:dead:beef:dead:beef:dead:1", 128},
      {"[ipv6-addr:value = '2001:0db8::/32']", false, 1, STIX_OBS_IPV6, "2001:db8::/32", 32},
      {"[domain-name:value = 'WWW.Example.com.' OR ipv4-addr:value = '1.2.3.4']", false, 2,
       STIX_OBS_DOMAIN, "www.example.com", -1},
      {"[file:hashes.md5 = 'CEAD3F77F6CDA6EC00F57D76C9A6879F']", false, 1, STIX_OBS_MD5, MD5, -1},
      {"[file:hashes.'SHA-256' = "
       "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
       false, 1, STIX_OBS_SHA256,
       "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f", -1},
      {"[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']", false, 1,
       STIX_OBS_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", -1},
      {"[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']", false, 2,
       STIX_OBS_URL, "http://example.com/foo", -1},
      {"[email-message:from_ref.value = 'Jdoe@Example.com']", false, 1, STIX_OBS_EMAIL,
       "jdoe@example.com", -1},
      {"[email-addr:value = 'a@b.c']", false, 1, STIX_OBS_EMAIL, "a@b.c", -1},
      {"[mac-addr:value = 'd2:fb:49:24:37:18']", false, 1, STIX_OBS_OTHER, "d2:fb:49:24:37:18", -1},
      {"[domain-name:value IN ('a.com', 'b.com', 'c.com')]", false, 3, STIX_OBS_DOMAIN, "a.com",
       -1},
      {"[ipv4-addr:value = '1.2.3.4'] OR [domain-name:value = 'x.com']", false, 2, STIX_OBS_IPV4,
       "1.2.3.4", 32},
      {"([ipv4-addr:value = '1.2.3.4'] OR [url:value = 'http://x']) OR [url:value = 'http://y']",
       false, 3, STIX_OBS_IPV4, "1.2.3.4", 32},
      {"[file:name = 'foo.dll']", false, 1, STIX_OBS_OTHER, "foo.dll", -1},
      {"[mutex:name = 'Global\\\\Evil']", false, 1, STIX_OBS_OTHER, "Global\\Evil", -1},
      {"[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\Run']", false, 1, STIX_OBS_OTHER,
       "HKEY_LOCAL_MACHINE\\Run", -1},
      /* compound */
      {"[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value = '1.2.3.5']", true, 0, 0, NULL, 0},
      {"[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'x.com']", true, 0, 0, NULL, 0},
      {"[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [domain-name:value = 'x.com']", true, 0, 0, NULL,
       0},
      {"[ipv4-addr:value = '1.2.3.4'] WITHIN 5 SECONDS", true, 0, 0, NULL, 0},
      {"[ipv4-addr:value NOT = '1.2.3.4']", true, 0, 0, NULL, 0},
      {"[ipv4-addr:value != '1.2.3.4']", true, 0, 0, NULL, 0},
      {"[ipv4-addr:value ISSUBSET '1.2.3.0/24']", true, 0, 0, NULL, 0},
      {"[domain-name:value MATCHES 'x']", true, 0, 0, NULL, 0},
      {"[file:hashes.ssdeep = '3:a:b']", true, 0, 0, NULL, 0},
      {"[file:size = '5']", true, 0, 0, NULL, 0},
      {"[ipv4-addr:resolves_to_refs = 'x']", true, 0, 0, NULL, 0},
      {"[network-traffic:dst_ref.value = '1.2.3.4']", true, 0, 0, NULL, 0},
      {"[ipv4-addr:value = 'not an ip']", true, 0, 0, NULL, 0},
      {"[x-thing:value = 5]", true, 0, 0, NULL, 0},
      {"[domain-name:resolves_to_refs[*].value = '1.2.3.4']", true, 0, 0, NULL, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct stix_pattern p;
    struct fs_err err;
    assert_int_equal(stix_pattern_parse(&p, cases[i].pattern, strlen(cases[i].pattern), NULL, &err),
                     0);
    struct stix_pattern_simple s;
    assert_int_equal(stix_pattern_extract(&p, 100, &s, &err), 0);
    if (s.compound != cases[i].compound || s.n != cases[i].n)
      fprintf(stderr, "case %zu: %s: compound %d n %zu\n", i, cases[i].pattern, s.compound, s.n);
    assert_int_equal(s.compound, cases[i].compound);
    assert_int_equal(s.n, cases[i].n);
    if (s.n) {
      assert_int_equal(s.items[0].kind, cases[i].kind0);
      assert_string_equal(s.items[0].value, cases[i].value0);
      assert_int_equal(s.items[0].len, strlen(cases[i].value0));
      assert_int_equal(s.items[0].prefix, cases[i].prefix0);
    }
    stix_pattern_release(&p);
  }
  /* too many items: compound */
  struct stix_pattern p;
  struct fs_err err;
  const char *three = "[domain-name:value IN ('a.com', 'b.com', 'c.com')]";
  assert_int_equal(stix_pattern_parse(&p, three, strlen(three), NULL, &err), 0);
  struct stix_pattern_simple s;
  assert_int_equal(stix_pattern_extract(&p, 2, &s, &err), 0);
  assert_true(s.compound);
  stix_pattern_release(&p);
  /* hash names as hashing-algorithm-ov writes them, any case, '-' optional (detect reads the
   * same function) */
  assert_int_equal(stix_pattern_hash_kind("MD5"), STIX_OBS_MD5);
  assert_int_equal(stix_pattern_hash_kind("sha-1"), STIX_OBS_SHA1);
  assert_int_equal(stix_pattern_hash_kind("Sha256"), STIX_OBS_SHA256);
  assert_int_equal(stix_pattern_hash_kind("SHA-512"), STIX_OBS_SHA512);
  assert_int_equal(stix_pattern_hash_kind("SHA3-256"), -1);
  assert_int_equal(stix_pattern_hash_kind("SHA-256-SHA-256-SHA-256"), -1); /* too long */
  assert_int_equal(stix_pattern_hash_kind(""), -1);
}

/* ---- Evaluation against a JSON event: the event is one SCO-like object ---- */

struct event {
  json_t *obj;
  unsigned char bin[256];
};

static void collect(const json_t *cur, const struct stix_pattern_step *st, size_t n,
                    const json_t **out, size_t *count)
{
  if (!cur || *count >= 32)
    return;
  if (n == 0) {
    out[(*count)++] = cur;
    return;
  }
  if (st->kind == STIX_PATTERN_STEP_KEY) {
    collect(json_object_get(cur, st->key), st + 1, n - 1, out, count);
  } else if (st->kind == STIX_PATTERN_STEP_INDEX) {
    if (json_is_array(cur) && st->index >= 0 && (size_t)st->index < json_array_size(cur))
      collect(json_array_get(cur, (size_t)st->index), st + 1, n - 1, out, count);
  } else if (json_is_array(cur)) {
    for (size_t i = 0; i < json_array_size(cur); i++)
      collect(json_array_get(cur, i), st + 1, n - 1, out, count);
  }
}

static bool lookup(void *ctx, const struct stix_pattern_path *path, size_t index,
                   struct stix_pattern_value *v)
{
  struct event *e = ctx;
  const char *type = json_string_value(json_object_get(e->obj, "type"));
  if (!type || strcmp(type, path->type))
    return false;
  const json_t *leaves[32];
  size_t n = 0;
  collect(e->obj, path->steps, path->n, leaves, &n);
  if (index >= n)
    return false;
  const json_t *x = leaves[index];
  memset(v, 0, sizeof(*v));
  const char *last = path->steps[path->n - 1].key;
  if (json_is_string(x)) {
    v->kind = STIX_PATTERN_VAL_STRING;
    v->s = json_string_value(x);
    v->len = json_string_length(x);
    size_t bl;
    if (last && strlen(last) > 4 && !strcmp(last + strlen(last) - 4, "_bin") &&
        !sodium_base642bin(e->bin, sizeof(e->bin), v->s, v->len, NULL, &bl, NULL,
                           sodium_base64_VARIANT_ORIGINAL)) {
      v->kind = STIX_PATTERN_VAL_BINARY;
      v->s = (const char *)e->bin;
      v->len = bl;
    }
  } else if (json_is_integer(x)) {
    v->kind = STIX_PATTERN_VAL_INT;
    v->i = json_integer_value(x);
  } else if (json_is_real(x)) {
    v->kind = STIX_PATTERN_VAL_FLOAT;
    v->f = json_real_value(x);
  } else if (json_is_boolean(x)) {
    v->kind = STIX_PATTERN_VAL_BOOL;
    v->b = json_is_true(x);
  } else {
    v->kind = STIX_PATTERN_VAL_STRING; /* objects and lists exist but compare as nothing */
    v->s = "";
  }
  return true;
}

static int eval(const char *pattern, const char *event_json, bool *match)
{
  struct stix_pattern p;
  struct fs_err err;
  if (stix_pattern_parse(&p, pattern, strlen(pattern), NULL, &err)) {
    fprintf(stderr, "parse %s: %s at %s\n", pattern, err.msg, err.where);
    fail();
  }
  int rc = stix_pattern_prepare(&p, &err);
  struct event e = {0};
  assert_int_equal(jsonx_parse(event_json, strlen(event_json), &e.obj, &err), 0);
  struct stix_pattern_scratch scratch;
  assert_int_equal(stix_pattern_scratch_init(&scratch), 0);
  if (!rc)
    rc = stix_pattern_eval(&p, lookup, &e, &scratch, match, &err);
  stix_pattern_scratch_release(&scratch);
  json_decref(e.obj);
  stix_pattern_release(&p);
  return rc;
}

void pattern_eval_tests(void **state)
{
  (void)state;
  static const char *const file =
      "{\"type\": \"file\", \"name\": \"foo.dll\", \"size\": 150, \"created\": "
      "\"2014-01-13T07:03:17.000Z\", \"hashes\": {\"MD5\": \"" MD5 "\"}, \"flag\": true, "
      "\"list\": [1, 2], \"ratio\": 0.5}";
  static const char *const art =
      "{\"type\": \"artifact\", \"payload_bin\": \"dGhpcyBpcyBhIHRlc3Q=\"}";
  static const char *const dn =
      "{\"type\": \"domain-name\", \"value\": \"example.com\", \"resolves_to_refs\": "
      "[{\"value\": \"5.6.7.8\"}, {\"value\": \"1.2.3.4\"}]}";
  static const char *const ip4 = "{\"type\": \"ipv4-addr\", \"value\": \"198.51.100.7\"}";
  static const char *const net4 = "{\"type\": \"ipv4-addr\", \"value\": \"10.0.0.0/8\"}";
  static const char *const ip6 = "{\"type\": \"ipv6-addr\", \"value\": \"2001:db8:1::1\"}";
  static const struct {
    const char *pattern;
    const char *event;
    bool match;
  } cases[] = {
      {"[file:name = 'foo.dll']", file, true},
      {"[file:name = 'bar.dll']", file, false},
      {"[process:name = 'foo.dll']", file, false},
      {"[file:size > 100 AND file:size <= 150]", file, true},
      {"[file:size > 100 AND file:size < 150]", file, false},
      {"[file:size = 150.0]", file, true},
      {"[file:size = 150.5]", file, false},
      {"[file:ratio = 0.5 AND file:ratio < 1]", file, true},
      {"[file:missing != 'x']", file, false},
      {"[file:size != 'abc']", file, true},
      {"[file:size = 'abc']", file, false},
      {"[file:name NOT = 'x']", file, true},
      {"[file:name NOT = 'foo.dll']", file, false},
      {"[file:name IN ('a', 'foo.dll')]", file, true},
      {"[file:name NOT IN ('a', 'b')]", file, true},
      {"[file:name LIKE 'foo%.dll']", file, true},
      {"[file:name LIKE 'f_o.dll']", file, true},
      {"[file:name LIKE 'Foo%']", file, false},
      {"[file:name LIKE 'foo.d']", file, false},
      {"[file:name MATCHES '^foo\\\\.dll$']", file, true},
      {"[file:name MATCHES 'o\\\\.d']", file, true},
      {"[file:name MATCHES '^bar']", file, false},
      {"[file:name > 'foo' AND file:name < 'fop']", file, true},
      {"[file:created = t'2014-01-13T07:03:17Z']", file, true},
      {"[file:created > t'2014-01-13T07:03:16.9999Z']", file, true},
      {"[file:created < t'2014-01-13T07:03:17.0000001Z']", file, true},
      {"[file:hashes.MD5 = '" MD5 "' OR file:size = 0]", file, true},
      {"[EXISTS file:hashes]", file, true},
      {"[EXISTS file:nothing]", file, false},
      {"[file:flag = true]", file, true},
      {"[file:flag != true]", file, false},
      {"[file:list[1] = 2]", file, true},
      {"[file:list[5] = 2]", file, false},
      {"[file:list[-1] = 2]", file, false},
      {"[file:list[*] = 1]", file, true},
      {"[file:list[*] > 5]", file, false},
      {"[domain-name:resolves_to_refs[*].value = '1.2.3.4']", dn, true},
      {"[domain-name:resolves_to_refs[0].value = '1.2.3.4']", dn, false},
      {"[artifact:payload_bin = 'this is a test']", art, true},
      {"[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']", art, true},
      {"[artifact:payload_bin = h'7468697320697320612074657374']", art, true},
      {"[artifact:payload_bin = 'dGhpcyBpcyBhIHRlc3Q=']", art, false},
      {"[artifact:payload_bin MATCHES '^this']", art, true},
      {"[ipv4-addr:value ISSUBSET '198.51.100.0/24']", ip4, true},
      {"[ipv4-addr:value ISSUBSET '198.51.101.0/24']", ip4, false},
      {"[ipv4-addr:value ISSUBSET '198.51.100.7']", ip4, true},
      {"[ipv4-addr:value ISSUPERSET '10.1.2.3']", net4, true},
      {"[ipv4-addr:value ISSUPERSET '11.1.2.3']", net4, false},
      {"[ipv4-addr:value ISSUBSET '10.0.0.0/16']", net4, false},
      {"[ipv6-addr:value ISSUBSET '2001:db8::/32']", ip6, true},
      {"[ipv6-addr:value ISSUBSET '2001:db9::/32']", ip6, false},
      {"[ipv6-addr:value ISSUBSET '198.51.100.0/24']", ip6, false},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    bool m = !cases[i].match;
    int rc = eval(cases[i].pattern, cases[i].event, &m);
    if (rc || m != cases[i].match)
      fprintf(stderr, "case %zu: %s -> rc %d match %d\n", i, cases[i].pattern, rc, m);
    assert_int_equal(rc, 0);
    assert_int_equal(m, cases[i].match);
  }
  bool m;
  assert_int_equal(eval("[a:b = 1] AND [a:c = 2]", file, &m), FS_ERR_UNSUPPORTED);
  assert_int_equal(eval("[a:b = 1] WITHIN 5 SECONDS", file, &m), FS_ERR_UNSUPPORTED);
  assert_int_equal(eval("[file:name MATCHES '(']", file, &m), FS_ERR_INVALID);
}
