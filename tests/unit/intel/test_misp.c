/* The MISP feed format (intel/misp.h) on feed files written here from the published format
 * (tests/data/misp/feed): the manifest, events with attributes and objects, what each attribute
 * type reports, TLP from tags and distribution; and malformed documents refused with the place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/misp.h"
#include "testdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EV1 "5f1d2b8e-0c3a-4b6e-9d2f-7a1c3e5b9d01"
#define EV2 "8c4b7e21-9d3f-4a5e-b1c6-2e7f8a9b0c02"

static void read_fixture(const char *rel, struct fs_buf *b)
{
  char path[1024];
  test_fixture_path(path, sizeof(path), rel);
  test_read_file(path, b);
}

static void test_manifest(void **state)
{
  (void)state;
  struct fs_buf b;
  read_fixture("misp/feed/manifest.json", &b);
  struct misp_manifest_entry *list;
  size_t n;
  struct fs_err err;
  assert_int_equal(misp_manifest_parse(b.data, b.len, &list, &n, &err), FS_OK);
  assert_int_equal(n, 4);
  bool seen1 = false;
  for (size_t i = 0; i < n; i++) {
    if (!strcmp(list[i].uuid, EV1)) {
      seen1 = true;
      assert_int_equal(list[i].timestamp, 1795478400);
      assert_int_equal(strlen(list[i].sha256), 64);
    }
  }
  assert_true(seen1);
  free(list);
  fs_buf_release(&b);

  /* A key that is not a UUID would be a file name: refused, with the path. */
  static const char *bad[] = {
      "{\"../../etc/passwd\": {\"timestamp\": \"1\"}}",
      "{\"5F1D2B8E-0C3A-4B6E-9D2F-7A1C3E5B9D01\": {\"timestamp\": \"1\"}}",
      "{\"" EV1 "\": {\"info\": \"no timestamp\"}}",
      "{\"" EV1 "\": {\"timestamp\": \"12a\"}}",
      "{\"" EV1 "\": {\"timestamp\": 1, \"integrity:sha256\": \"abc\"}}",
      "[1, 2]",
      "{\"" EV1 "\": {\"timestamp\": 1}, \"" EV1 "\": {\"timestamp\": 2}}",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int rc = misp_manifest_parse(bad[i], strlen(bad[i]), &list, &n, &err);
    if (rc == FS_OK)
      fail_msg("manifest %zu accepted", i);
    assert_null(list);
  }
  assert_int_equal(misp_manifest_parse("{}", 2, &list, &n, &err), FS_OK);
  assert_int_equal(n, 0);
}

static const struct misp_attribute *attr_by_value(const struct misp_event *ev, const char *v)
{
  for (size_t i = 0; i < ev->n_attrs; i++)
    if (!strcmp(ev->attrs[i].value, v))
      return &ev->attrs[i];
  fail_msg("no attribute %s", v);
  return NULL;
}

static void expect_obs(const struct misp_event *ev, const char *value, enum misp_attr_use use,
                       const char *kind1, const char *v1, const char *kind2, const char *v2,
                       const char *detail)
{
  struct misp_observables o;
  struct fs_err err;
  enum misp_attr_use got = misp_attribute_observables(attr_by_value(ev, value), &o, &err);
  if (got != use)
    fail_msg("%s: use %d, expected %d (%s)", value, got, use,
             got == MISP_USE_INVALID ? err.msg : "");
  if (use != MISP_USE_INDICATOR && use != MISP_USE_CONTEXT)
    return;
  assert_int_equal(o.n, kind2 ? 2 : 1);
  assert_string_equal(intel_obs_name(o.obs[0].kind), kind1);
  assert_string_equal(o.obs[0].value, v1);
  if (kind2) {
    assert_string_equal(intel_obs_name(o.obs[1].kind), kind2);
    assert_string_equal(o.obs[1].value, v2);
  }
  assert_string_equal(o.detail, detail ? detail : "");
}

static void test_events(void **state)
{
  (void)state;
  struct fs_buf b;
  struct misp_event ev;
  struct fs_err err;
  read_fixture("misp/feed/" EV1 ".json", &b);
  assert_int_equal(misp_event_parse(b.data, b.len, &ev, &err), FS_OK);
  assert_string_equal(ev.uuid, EV1);
  assert_true(ev.published);
  assert_int_equal(ev.tlp, TLP_GREEN);
  assert_int_equal(ev.distribution, MISP_DIST_ALL);
  assert_int_equal(ev.threat_level, 1);
  assert_int_equal(ev.publish_timestamp, 1795482000);
  assert_string_equal(ev.org, "TW-FIN-CERT (test)");
  assert_int_equal(ev.n_attrs, 14); /* 12 of the event and 2 of its file object */
  expect_obs(&ev, "45.77.12.9", MISP_USE_INDICATOR, "ipv4", "45.77.12.9", NULL, NULL, NULL);
  expect_obs(&ev, "Evil-Bank-Login.COM.", MISP_USE_INDICATOR, "domain", "evil-bank-login.com", NULL,
             NULL, NULL);
  expect_obs(&ev, "HTTP://Evil-Bank-Login.com:80/a/./b/../login.php?u=%7euser#top",
             MISP_USE_INDICATOR, "url", "http://evil-bank-login.com/a/login.php?u=~user", NULL,
             NULL, NULL);
  expect_obs(&ev, "E008C0858B281A168865A40B2653607B", MISP_USE_INDICATOR, "md5",
             "e008c0858b281a168865a40b2653607b", NULL, NULL, NULL);
  expect_obs(&ev, "invoice.exe|52D6E3DE4FA0DCC29946695F93940C3E7F26F30E1E39F4B1A49AD98839112786",
             MISP_USE_INDICATOR, "sha256",
             "52d6e3de4fa0dcc29946695f93940c3e7f26f30e1e39f4b1a49ad98839112786", NULL, NULL,
             "filename invoice.exe");
  expect_obs(&ev, "203.0.113.9|443", MISP_USE_INDICATOR, "ipv4", "203.0.113.9", NULL, NULL,
             "port 443");
  expect_obs(&ev, "BÜCHER-bank.tw", MISP_USE_INDICATOR, "domain", "xn--bcher-bank-9db.tw", NULL,
             NULL, NULL);
  expect_obs(&ev, "Phish@Evil-Bank-Login.COM", MISP_USE_INDICATOR, "email",
             "phish@evil-bank-login.com", NULL, NULL, NULL);
  expect_obs(&ev, "The kit copies the bank's login page.", MISP_USE_OTHER_TYPE, NULL, NULL, NULL,
             NULL, NULL);
  expect_obs(&ev, "61.219.4.20", MISP_USE_CONTEXT, "ipv4", "61.219.4.20", NULL, NULL, NULL);
  expect_obs(&ev, "45.77.12.10", MISP_USE_DELETED, NULL, NULL, NULL, NULL, NULL);
  expect_obs(&ev, "999.1.2.3", MISP_USE_INVALID, NULL, NULL, NULL, NULL, NULL);
  expect_obs(&ev, "CA118F05D354D16D50FFE2F421ABCE38D8BACFFC", MISP_USE_INDICATOR, "sha1",
             "ca118f05d354d16d50ffe2f421abce38d8bacffc", NULL, NULL, NULL);
  const struct misp_attribute *first = attr_by_value(&ev, "45.77.12.9");
  assert_int_equal(first->first_seen_ms, 1795478400000LL - 86400000LL * 5 + 8 * 3600000LL);
  assert_int_equal(first->last_seen_ms, 0);
  assert_int_equal(first->distribution, MISP_DIST_INHERIT);
  assert_string_equal(attr_by_value(&ev, "dropper.js")->object, "file");
  misp_event_release(&ev);
  fs_buf_release(&b);

  read_fixture("misp/feed/" EV2 ".json", &b);
  assert_int_equal(misp_event_parse(b.data, b.len, &ev, &err), FS_OK);
  assert_false(ev.published);
  assert_int_equal(ev.n_attrs, 5);
  expect_obs(&ev, "045.077.012.009", MISP_USE_INDICATOR, "ipv4", "45.77.12.9", NULL, NULL, NULL);
  expect_obs(&ev, "::FFFF:45.77.12.9", MISP_USE_INDICATOR, "ipv4", "45.77.12.9", NULL, NULL, NULL);
  expect_obs(&ev, "cdn-evil-bank.net|2001:DB8:0:0:0:0:0:7", MISP_USE_INDICATOR, "domain",
             "cdn-evil-bank.net", "ipv6", "2001:db8::7", NULL);
  const struct misp_attribute *u =
      attr_by_value(&ev, "https://münchen-bank.com.tw:443/secure/%41ccount");
  assert_int_equal(u->tlp, TLP_AMBER);
  const struct misp_attribute *org_only =
      attr_by_value(&ev, "0bd1aa5c8f1d4e8e5e0e7e8a2f3d4c5b6a7980f1e2d3c4b5a69788796a5b4c3d");
  assert_int_equal(misp_distribution_tlp(org_only->distribution), TLP_AMBER_STRICT);
  assert_int_equal(misp_distribution_tlp(MISP_DIST_GROUP), TLP_AMBER);
  assert_int_equal(misp_distribution_tlp(MISP_DIST_ALL), TLP_NONE);
  misp_event_release(&ev);
  fs_buf_release(&b);
}

static void test_bad_events(void **state)
{
  (void)state;
  static const struct {
    const char *text, *where;
  } bad[] = {
      {"{\"Event\": {\"info\": \"x\", \"date\": \"2026-01-01\", \"timestamp\": \"1\"}}",
       "$.Event.uuid"},
      {"{\"Event\": {\"uuid\": \"" EV1 "\", \"date\": \"2026-01-01\", \"timestamp\": \"1\"}}",
       "$.Event.info"},
      {"{\"Event\": {\"uuid\": \"" EV1 "\", \"info\": \"x\", \"timestamp\": \"1\"}}",
       "$.Event.date"},
      {"{\"Event\": {\"uuid\": \"" EV1 "\", \"info\": \"x\", \"date\": \"2026-01-01\"}}",
       "$.Event.timestamp"},
      {"{\"Event\": {\"uuid\": \"" EV1
       "\", \"info\": \"x\", \"date\": \"2026-01-01\", \"timestamp\": 1,"
       " \"Attribute\": {}}}",
       "$.Event.Attribute"},
      {"{\"Event\": {\"uuid\": \"" EV1
       "\", \"info\": \"x\", \"date\": \"2026-01-01\", \"timestamp\": 1,"
       " \"Attribute\": [{\"type\": \"ip-dst\", \"value\": 7}]}}",
       "$.Event.Attribute (attribute 1)"},
      {"{\"Event\": {\"uuid\": \"" EV1
       "\", \"info\": \"x\", \"date\": \"2026-01-01\", \"timestamp\": 1,"
       " \"Object\": [{\"Attribute\": [1]}]}}",
       "$.Event.Object[].Attribute (attribute 1)"},
      {"{\"Event\": []}", "$.Event"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct misp_event ev;
    struct fs_err err;
    int rc = misp_event_parse(bad[i].text, strlen(bad[i].text), &ev, &err);
    misp_event_release(&ev);
    if (!rc)
      fail_msg("event %zu accepted", i);
    assert_string_equal(err.where, bad[i].where);
  }
  struct misp_event ev;
  struct fs_err err;
  assert_int_not_equal(misp_event_parse("{\"Event\": ", 10, &ev, &err), FS_OK);
  misp_event_release(&ev);
  /* A composite type without its two parts. */
  struct misp_attribute a = {.type = "filename|md5", .value = "no-bar", .to_ids = true, .index = 3};
  struct misp_observables o;
  assert_int_equal(misp_attribute_observables(&a, &o, &err), MISP_USE_INVALID);
  assert_string_equal(err.where, "attribute 3 (filename|md5)");
}

#define HEAD "\"uuid\": \"" EV1 "\", \"info\": \"x\", \"date\": \"2026-01-01\", \"timestamp\": 1"
#define ATTR(v) "{\"type\": \"ip-dst\", \"value\": \"" v "\", \"to_ids\": true}"

/* The event file is walked, not built: what it may hold, and where. */
static void test_event_walk(void **state)
{
  (void)state;
  struct misp_event ev;
  struct fs_err err;
  /* The event object itself, without "Event" around it. */
  const char *bare = "{" HEAD ", \"Attribute\": [" ATTR("45.77.12.9") "]}";
  assert_int_equal(misp_event_parse(bare, strlen(bare), &ev, &err), FS_OK);
  assert_int_equal(ev.n_attrs, 1);
  assert_string_equal(ev.uuid, EV1);
  misp_event_release(&ev);
  /* Around it: the root's other members do not count, before or after it. */
  const char *wrapped = "{\"Attribute\": [" ATTR(
      "1.1.1.1") "], \"info\": \"root\", \"Event\": {" HEAD
                 ", \"Attribute\": [" ATTR("45.77.12.9") "]}, \"Attribute\": [" ATTR(
                     "2.2.2.2") "]}";
  assert_int_equal(misp_event_parse(wrapped, strlen(wrapped), &ev, &err), FS_OK);
  assert_int_equal(ev.n_attrs, 1);
  assert_string_equal(ev.attrs[0].value, "45.77.12.9");
  assert_string_equal(ev.info, "x");
  misp_event_release(&ev);
  /* An object's name and deletion apply to its attributes wherever they are written. */
  const char *late = "{\"Event\": {" HEAD ", \"Object\": [{\"Attribute\": [" ATTR(
      "45.77.12.9") "], \"name\": \"ip-port\", \"deleted\": true}]}}";
  assert_int_equal(misp_event_parse(late, strlen(late), &ev, &err), FS_OK);
  assert_int_equal(ev.n_attrs, 1);
  assert_string_equal(ev.attrs[0].object, "ip-port");
  assert_true(ev.attrs[0].deleted);
  misp_event_release(&ev);
  /* Strings with escapes are decoded; unknown members of any shape are passed over. */
  const char *esc = "{\"Event\": {" HEAD ", \"x\": {\"y\": [1, {\"z\": null}]}, \"Attribute\": "
                    "[{\"type\": \"domain\", \"value\": \"evil\\u002Dbank.com\", \"comment\": "
                    "\"a\\\"b\", \"Tag\": [{\"name\": \"tlp:amber\"}]}]}}";
  assert_int_equal(misp_event_parse(esc, strlen(esc), &ev, &err), FS_OK);
  assert_string_equal(ev.attrs[0].value, "evil-bank.com");
  assert_string_equal(ev.attrs[0].comment, "a\"b");
  assert_int_equal(ev.attrs[0].tlp, TLP_AMBER);
  misp_event_release(&ev);
  /* Refused: a member read twice, "Event" twice, JSON after the event, a list at the root. */
  static const struct {
    const char *text;
    int code;
  } bad[] = {
      {"{\"Event\": {" HEAD ", \"Attribute\": [{\"type\": \"ip-dst\", \"value\": \"1.2.3.4\", "
       "\"value\": \"5.6.7.8\"}]}}",
       FS_ERR_PARSE},
      {"{\"Event\": {" HEAD ", \"info\": \"again\"}}", FS_ERR_PARSE},
      {"{\"Event\": {" HEAD "}, \"Event\": {" HEAD "}}", FS_ERR_PARSE},
      {"{\"Event\": {" HEAD "}} {}", FS_ERR_PARSE},
      {"{\"Event\": {" HEAD ", \"Attribute\": [" ATTR("1.2.3.4") ",]}}", FS_ERR_PARSE},
      {"[{\"Event\": {" HEAD "}}]", FS_ERR_INVALID},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int rc = misp_event_parse(bad[i].text, strlen(bad[i].text), &ev, &err);
    misp_event_release(&ev);
    if (rc != bad[i].code)
      fail_msg("event %zu: %d, expected %d (%s: %s)", i, rc, bad[i].code, err.where, err.msg);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_manifest),
      cmocka_unit_test(test_events),
      cmocka_unit_test(test_bad_events),
      cmocka_unit_test(test_event_walk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
