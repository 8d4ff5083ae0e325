/* Warninglists (intel/warninglist.h): the MISP format as published, each matching type (string,
 * substring, hostname, cidr, regex), the kinds a list applies to, blocking before flagging, the
 * built-in special-use lists; and, in the corpus run, every list of MISP's warninglists
 * repository (../shared/data/misp-warninglists) read and compiled, with known values found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/warninglist.h"
#include "testdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct intel_wl_set *set;

static void add_fixture(const char *file, enum intel_wl_action act, size_t expect_skipped)
{
  char path[1024];
  test_fixture_path(path, sizeof(path), file);
  struct fs_buf b;
  test_read_file(path, &b);
  struct intel_warninglist l;
  struct fs_err err;
  if (intel_warninglist_parse(b.data, b.len, &l, &err))
    fail_msg("%s: %s: %s", file, err.where, err.msg);
  size_t skipped = 99;
  assert_int_equal(intel_wl_set_add(set, &l, act, &skipped, &err), FS_OK);
  assert_int_equal(skipped, expect_skipped);
  intel_warninglist_release(&l);
  fs_buf_release(&b);
}

static int setup(void **state)
{
  (void)state;
  set = intel_wl_set_new();
  const struct intel_warninglist *b;
  size_t n = intel_wl_builtins(&b);
  assert_int_equal(n, 2);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(intel_wl_set_add(set, &b[i], INTEL_WL_FLAG, NULL, NULL), FS_OK);
  add_fixture("warninglists/public-dns-v4.json", INTEL_WL_FLAG, 0);
  add_fixture("warninglists/empty-hashes.json", INTEL_WL_FLAG, 0);
  add_fixture("warninglists/cloud-hosts.json", INTEL_WL_FLAG, 0);
  add_fixture("warninglists/analysis-services.json", INTEL_WL_FLAG, 0);
  add_fixture("warninglists/contact-emails.json", INTEL_WL_FLAG, 0);
  add_fixture("warninglists/bank-sites-block.json", INTEL_WL_BLOCK, 0);
  assert_int_equal(intel_wl_set_finish(set, NULL), FS_OK);
  assert_int_equal(intel_wl_set_count(set), 8);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  intel_wl_set_free(set);
  return 0;
}

static void expect(enum intel_obs k, const char *value, const char *list, enum intel_wl_action act)
{
  struct intel_wl_hit hit = {0};
  bool on = intel_wl_set_match(set, k, value, &hit);
  if (!list) {
    if (on)
      fail_msg("%s %s is on %s", intel_obs_name(k), value, hit.list);
    return;
  }
  if (!on)
    fail_msg("%s %s is on no list, expected %s", intel_obs_name(k), value, list);
  if (strcmp(hit.list, list))
    fail_msg("%s %s is on %s, expected %s", intel_obs_name(k), value, hit.list, list);
  assert_int_equal(hit.action, act);
}

#define DNS "List of known IPv4 public DNS resolvers"
#define EMPTY "List of known hashes for empty files"
#define CLOUD "Cloud provider hostnames (test)"
#define SERVICES "Analysis services (test)"
#define CONTACT "Common contact e-mail addresses (test)"
#define BANKS "Member bank sites (test)"
#define SPECIAL_IP INTEL_WL_BUILTIN "-addresses"
#define SPECIAL_NAME INTEL_WL_BUILTIN "-names"

static void test_types(void **state)
{
  (void)state;
  /* cidr: addresses, whole ranges within, not ranges that stick out; only for addresses */
  expect(INTEL_OBS_IPV4, "8.8.8.8", DNS, INTEL_WL_FLAG);
  expect(INTEL_OBS_IPV4, "9.9.9.9", DNS, INTEL_WL_FLAG);
  expect(INTEL_OBS_IPV4, "9.9.9.128/25", DNS, INTEL_WL_FLAG);
  expect(INTEL_OBS_IPV4, "9.9.0.0/16", NULL, INTEL_WL_FLAG);
  expect(INTEL_OBS_IPV4, "8.8.8.9", NULL, INTEL_WL_FLAG);
  expect(INTEL_OBS_URL, "http://8.8.8.8/x", NULL, INTEL_WL_FLAG); /* DNS applies to addresses */
  /* string: exact, after canonicalisation of both sides (the list's hash was upper case) */
  expect(INTEL_OBS_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", EMPTY, INTEL_WL_FLAG);
  expect(INTEL_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427e", EMPTY, INTEL_WL_FLAG);
  expect(INTEL_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427f", NULL, INTEL_WL_FLAG);
  /* hostname: the name, its subdomains, a URL's host; never a name elsewhere in a URL */
  expect(INTEL_OBS_DOMAIN, "storage.googleapis.com", CLOUD, INTEL_WL_FLAG);
  expect(INTEL_OBS_DOMAIN, "bucket.storage.googleapis.com", CLOUD, INTEL_WL_FLAG);
  expect(INTEL_OBS_DOMAIN, "evilstorage.googleapis.com", NULL, INTEL_WL_FLAG);
  expect(INTEL_OBS_DOMAIN, "googleapis.com", NULL, INTEL_WL_FLAG);
  expect(INTEL_OBS_URL, "https://cdn.bank-cdn.tw/app.js", CLOUD, INTEL_WL_FLAG);
  expect(INTEL_OBS_URL, "http://evil.example.org.tw/?next=storage.googleapis.com", NULL,
         INTEL_WL_FLAG);
  expect(INTEL_OBS_IPV4, "45.77.12.9", NULL, INTEL_WL_FLAG);
  /* substring, ignoring case */
  expect(INTEL_OBS_URL, "https://www.virustotal.com/gui/file/abc", SERVICES, INTEL_WL_FLAG);
  expect(INTEL_OBS_DOMAIN, "eu.app.any.run", SERVICES, INTEL_WL_FLAG);
  expect(INTEL_OBS_EMAIL, "x@app.any.run", NULL, INTEL_WL_FLAG); /* not for e-mail */
  /* regex with PHP-style delimiters and flags */
  expect(INTEL_OBS_EMAIL, "abuse@evil-bank-login.com", CONTACT, INTEL_WL_FLAG);
  expect(INTEL_OBS_EMAIL, "phish@evil-bank-login.com", NULL, INTEL_WL_FLAG);
  /* a blocking list wins over a flagging one */
  expect(INTEL_OBS_URL, "https://mybank.com.tw/login", BANKS, INTEL_WL_BLOCK);
  expect(INTEL_OBS_DOMAIN, "www.bank-of-taiwan.example.com.tw", BANKS, INTEL_WL_BLOCK);
  /* the built-in special-use lists */
  expect(INTEL_OBS_IPV4, "203.0.113.9", SPECIAL_IP, INTEL_WL_FLAG);
  expect(INTEL_OBS_IPV4, "10.20.30.40", SPECIAL_IP, INTEL_WL_FLAG);
  expect(INTEL_OBS_IPV4, "100.64.1.1", SPECIAL_IP, INTEL_WL_FLAG);
  expect(INTEL_OBS_IPV6, "2001:db8::7", SPECIAL_IP, INTEL_WL_FLAG);
  expect(INTEL_OBS_IPV6, "fe80::1", SPECIAL_IP, INTEL_WL_FLAG);
  expect(INTEL_OBS_IPV6, "2a01:4f8::1", NULL, INTEL_WL_FLAG);
  expect(INTEL_OBS_DOMAIN, "printer.local", SPECIAL_NAME, INTEL_WL_FLAG);
  expect(INTEL_OBS_EMAIL, "ops@mail.example.com", SPECIAL_NAME, INTEL_WL_FLAG);
  expect(INTEL_OBS_DOMAIN, "example.com.tw", NULL, INTEL_WL_FLAG);
}

static void test_format(void **state)
{
  (void)state;
  static const struct {
    const char *text, *where;
  } bad[] = {
      {"{\"description\": \"d\", \"version\": 1, \"type\": \"string\", \"list\": [\"a\"]}",
       "$.name"},
      {"{\"name\": \"n\", \"version\": 1, \"type\": \"string\", \"list\": [\"a\"]}",
       "$.description"},
      {"{\"name\": \"n\", \"description\": \"d\", \"type\": \"string\", \"list\": [\"a\"]}",
       "$.version"},
      {"{\"name\": \"n\", \"description\": \"d\", \"version\": 1, \"type\": \"glob\", \"list\": "
       "[\"a\"]}",
       "$.type"},
      {"{\"name\": \"n\", \"description\": \"d\", \"version\": 1, \"type\": \"string\", \"list\": "
       "[]}",
       "$.list"},
      {"{\"name\": \"n\", \"description\": \"d\", \"version\": 1, \"type\": \"string\", \"list\": "
       "[\"a\", 2]}",
       "$.list[1]"},
      {"{\"name\": \"n\", \"description\": \"d\", \"version\": 1, \"type\": \"string\", \"list\": "
       "[\"a\"],"
       " \"matching_attributes\": \"ip-dst\"}",
       "$.matching_attributes"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct intel_warninglist l;
    struct fs_err err;
    int rc = intel_warninglist_parse(bad[i].text, strlen(bad[i].text), &l, &err);
    intel_warninglist_release(&l);
    if (!rc)
      fail_msg("list %zu accepted", i);
    assert_string_equal(err.where, bad[i].where);
  }
  /* matching_attributes decide the kinds; none means all; unknown types none */
  struct intel_warninglist l;
  const char *t = "{\"name\": \"n\", \"description\": \"d\", \"version\": 1, \"type\": \"cidr\","
                  " \"list\": [\"10.0.0.0/8\", \"not a range\", \"2001:db8::/32\"],"
                  " \"matching_attributes\": [\"phone-number\"]}";
  assert_int_equal(intel_warninglist_parse(t, strlen(t), &l, NULL), FS_OK);
  assert_int_equal(l.kinds, 0);
  char kinds[64];
  intel_wl_kinds_text(l.kinds, kinds, sizeof(kinds));
  assert_string_equal(kinds, "-");
  struct intel_wl_set *s = intel_wl_set_new();
  size_t skipped = 0;
  assert_int_equal(intel_wl_set_add(s, &l, INTEL_WL_BLOCK, &skipped, NULL), FS_OK);
  assert_int_equal(skipped, 1);
  assert_int_equal(intel_wl_set_finish(s, NULL), FS_OK);
  assert_false(intel_wl_set_match(s, INTEL_OBS_IPV4, "10.1.1.1", NULL));
  intel_wl_set_free(s);
  intel_warninglist_release(&l);
  /* an OFF list is not in the set */
  s = intel_wl_set_new();
  const struct intel_warninglist *b;
  intel_wl_builtins(&b);
  assert_int_equal(intel_wl_set_add(s, &b[0], INTEL_WL_OFF, NULL, NULL), FS_OK);
  assert_int_equal(intel_wl_set_finish(s, NULL), FS_OK);
  assert_int_equal(intel_wl_set_count(s), 0);
  assert_false(intel_wl_set_match(s, INTEL_OBS_IPV4, "10.1.1.1", NULL));
  intel_wl_set_free(s);
  assert_int_equal(intel_wl_action_parse("block"), INTEL_WL_BLOCK);
  assert_int_equal(intel_wl_action_parse("maybe"), -1);
}

/* ---- the corpus: MISP's warninglists ---- */

static const char *corpus_names[512];
static size_t n_corpus;

static void corpus_list(const char *path, const struct fs_buf *bytes, void *arg)
{
  struct intel_wl_set *s = arg;
  struct intel_warninglist l;
  struct fs_err err;
  if (intel_warninglist_parse(bytes->data, bytes->len, &l, &err))
    fail_msg("%s: %s: %s", path, err.where, err.msg);
  size_t skipped = 0;
  assert_int_equal(intel_wl_set_add(s, &l, INTEL_WL_FLAG, &skipped, &err), FS_OK);
  /* Almost every entry of a list is a value of its type. */
  if (l.n_entries > 20 && skipped * 10 > l.n_entries)
    fail_msg("%s: %zu of %zu entries cannot match", path, skipped, l.n_entries);
  if (n_corpus < 512)
    corpus_names[n_corpus++] = strdup(l.name);
  intel_warninglist_release(&l);
}

static void test_corpus(void **state)
{
  (void)state;
  char dir[1024];
  test_corpus_path(dir, sizeof(dir), "misp-warninglists/lists");
  size_t n;
  char **subdirs = test_list_files(dir, "", &n);
  struct intel_wl_set *s = intel_wl_set_new();
  size_t lists = 0;
  for (size_t i = 0; i < n; i++) {
    char sub[1200];
    snprintf(sub, sizeof(sub), "%s/%s", dir, subdirs[i]);
    test_each_file(sub, ".json", 1, corpus_list, s);
    lists++;
  }
  test_free_list(subdirs, n);
  assert_true(lists >= 100);
  assert_int_equal(intel_wl_set_finish(s, NULL), FS_OK);
  struct intel_wl_hit hit;
  /* Values every copy of the repository has on some list. */
  assert_true(intel_wl_set_match(s, INTEL_OBS_IPV4, "8.8.8.8", &hit));
  assert_true(intel_wl_set_match(s, INTEL_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427e", &hit));
  assert_true(intel_wl_set_match(s, INTEL_OBS_IPV4, "192.168.1.1", &hit));
  assert_true(intel_wl_set_match(s, INTEL_OBS_DOMAIN, "www.google.com", &hit));
  assert_false(
      intel_wl_set_match(s, INTEL_OBS_SHA256,
                         "52d6e3de4fa0dcc29946695f93940c3e7f26f30e1e39f4b1a49ad98839112786", &hit));
  intel_wl_set_free(s);
  for (size_t i = 0; i < n_corpus; i++)
    free((void *)(uintptr_t)corpus_names[i]);
}

int main(int argc, char **argv)
{
  if (test_corpus_run(argc, argv)) {
    int rc = test_corpus_require("misp-warninglists/lists");
    if (rc)
      return rc;
    const struct CMUnitTest corpus[] = {cmocka_unit_test(test_corpus)};
    return cmocka_run_group_tests(corpus, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_types),
      cmocka_unit_test(test_format),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
