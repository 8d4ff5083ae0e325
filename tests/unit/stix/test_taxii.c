/* Unit tests of stix/ TLP marking definitions and TAXII 2.1 query parsing and paging cursors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stix/taxii_query.h"
#include "stix/tlp.h"

#include "core/encode.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define TLP2(u) "marking-definition--" u

static void test_tlp_ids(void **state)
{
  (void)state;
  static const struct {
    const char *id;
    enum tlp_level level;
    bool v1;
  } ids[] = {
      {TLP2("94868c89-83c2-464b-929b-a1a8aa3c8487"), TLP_CLEAR, false},
      {TLP2("bab4a63c-aed9-4cf5-a766-dfca5abac2bb"), TLP_GREEN, false},
      {TLP2("55d920b0-5e8b-4f79-9ee9-91f868d9b421"), TLP_AMBER, false},
      {TLP2("939a9414-2ddd-4d32-a0cd-375ea402b003"), TLP_AMBER_STRICT, false},
      {TLP2("e828b379-4e03-4974-9ac4-e53a884c97c1"), TLP_RED, false},
      {TLP2("613f2e26-407d-48c7-9eca-b8e91df99dc9"), TLP_CLEAR, true},
      {TLP2("34098fce-860f-48ae-8e50-ebd3cc5e41da"), TLP_GREEN, true},
      {TLP2("f88d31f6-486f-44da-b317-01333bde0b82"), TLP_AMBER, true},
      {TLP2("5e57c739-391a-4eb3-b6be-7d15ca92d5ed"), TLP_RED, true},
      {TLP2("5e57c739-391a-4eb3-b6be-7d15ca92d5ec"), TLP_NONE, false},
      {"", TLP_NONE, false},
      {NULL, TLP_NONE, false},
  };
  for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
    bool v1 = !ids[i].v1;
    assert_int_equal(stix_tlp_from_marking_id(ids[i].id, &v1), ids[i].level);
    assert_int_equal(v1, ids[i].v1);
  }
  assert_string_equal(stix_tlp_marking_id(TLP_AMBER_STRICT), ids[3].id);
  assert_null(stix_tlp_marking_id(TLP_NONE));
  assert_null(stix_tlp_v1_marking_id(TLP_AMBER_STRICT));
  assert_string_equal(stix_tlp_v1_marking_id(TLP_CLEAR), ids[5].id);
  assert_string_equal(stix_tlp_name(TLP_AMBER_STRICT), "TLP:AMBER+STRICT");
  assert_string_equal(stix_tlp_token(TLP_AMBER_STRICT), "amber+strict");
  assert_int_equal(stix_tlp_from_token("tlp:white"), TLP_CLEAR);
  assert_int_equal(stix_tlp_from_token("TLP:AMBER+STRICT"), TLP_AMBER_STRICT);
  assert_int_equal(stix_tlp_from_token("Red"), TLP_RED);
  assert_int_equal(stix_tlp_from_token("blue"), TLP_NONE);
  json_t *refs = json_pack("[s, s, s]", "marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd",
                           ids[1].id, ids[8].id);
  assert_int_equal(stix_tlp_strictest(refs), TLP_RED);
  json_decref(refs);
  assert_int_equal(stix_tlp_strictest(NULL), TLP_NONE);
  /* Ranks: CLEAR and GREEN are the community's; the rest are not, nor is an unmarked level. */
  assert_true(tlp_is_community(TLP_CLEAR) && tlp_is_community(TLP_GREEN));
  assert_false(tlp_is_community(TLP_NONE) || tlp_is_community(TLP_AMBER) ||
               tlp_is_community(TLP_AMBER_STRICT) || tlp_is_community(TLP_RED));
  assert_true(TLP_AMBER_STRICT > TLP_AMBER && TLP_RED == TLP_LEVEL_MAX);
  /* The tokens in rank order, and a level read from JSON by its token. */
  for (int l = TLP_LEVEL_MIN; l <= TLP_LEVEL_MAX; l++)
    assert_string_equal(stix_tlp_tokens[l - TLP_LEVEL_MIN], stix_tlp_token((enum tlp_level)l));
  assert_null(stix_tlp_tokens[TLP_LEVEL_MAX - TLP_LEVEL_MIN + 1]);
  json_t *body = json_pack("{s:s, s:s}", "tlp", "amber+strict", "bad", "white");
  enum tlp_level level = TLP_RED;
  struct fs_err err;
  assert_int_equal(stix_tlp_json(body, "tlp", 0, &level, &err), FS_OK);
  assert_int_equal(level, TLP_AMBER_STRICT);
  assert_int_equal(stix_tlp_json(body, "absent", 0, &level, &err), FS_OK);
  assert_int_equal(level, TLP_NONE);
  assert_int_equal(stix_tlp_json(body, "bad", 0, &level, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "$.bad");
  json_decref(body);
}

static void test_tlp_objects(void **state)
{
  (void)state;
  struct fs_err err;
  json_t *md;
  assert_int_equal(stix_tlp_marking_definition(TLP_AMBER_STRICT, &md, &err), 0);
  /* as in oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0 */
  const char *oasis =
      "{\"type\": \"marking-definition\", \"spec_version\": \"2.1\", \"id\": "
      "\"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003\", \"created\": "
      "\"2022-10-01T00:00:00.000Z\", \"name\": \"TLP:AMBER+STRICT\", \"extensions\": "
      "{\"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\": {\"extension_type\": "
      "\"property-extension\", \"tlp_2_0\": \"amber+strict\"}}}";
  json_t *want = json_loads(oasis, 0, NULL);
  assert_non_null(want);
  assert_true(json_equal(md, want));
  json_decref(want);
  json_decref(md);
  assert_int_equal(stix_tlp_marking_definition(TLP_NONE, &md, &err), FS_ERR_INVALID);
  json_t *ext;
  assert_int_equal(stix_tlp_extension_definition(&ext, &err), 0);
  assert_string_equal(json_string_value(json_object_get(ext, "id")), STIX_TLP2_EXTENSION_ID);
  json_decref(ext);
}

static void test_marking_parse(void **state)
{
  (void)state;
  struct fs_err err;
  struct stix_marking m;
  for (int l = TLP_CLEAR; l <= TLP_RED; l++) {
    json_t *md;
    assert_int_equal(stix_tlp_marking_definition((enum tlp_level)l, &md, &err), 0);
    assert_int_equal(stix_marking_parse(md, &m, &err), 0);
    assert_int_equal(m.kind, STIX_MARKING_TLP2);
    assert_int_equal(m.tlp, l);
    assert_string_equal(m.name, stix_tlp_name((enum tlp_level)l));
    json_decref(md);
  }
  json_t *v1 = json_pack("{s:s, s:s, s:s, s:{s:s}}", "type", "marking-definition", "id",
                         TLP2("613f2e26-407d-48c7-9eca-b8e91df99dc9"), "definition_type", "tlp",
                         "definition", "tlp", "white");
  assert_int_equal(stix_marking_parse(v1, &m, &err), 0);
  assert_int_equal(m.kind, STIX_MARKING_TLP1);
  assert_int_equal(m.tlp, TLP_CLEAR);
  json_object_set_new(json_object_get(v1, "definition"), "tlp", json_string("red"));
  assert_int_equal(stix_marking_parse(v1, &m, &err), FS_ERR_INVALID); /* white id, red level */
  assert_string_equal(err.where, "id");
  json_object_set_new(json_object_get(v1, "definition"), "tlp", json_string("purple"));
  assert_int_equal(stix_marking_parse(v1, &m, &err), FS_ERR_INVALID);
  json_decref(v1);
  json_t *st = json_pack("{s:s, s:s, s:s, s:{s:s}}", "type", "marking-definition", "id",
                         TLP2("4a0042fe-8b88-40fe-9600-dfa128ce6fbd"), "definition_type",
                         "statement", "definition", "statement", "Copyright 2019");
  assert_int_equal(stix_marking_parse(st, &m, &err), 0);
  assert_int_equal(m.kind, STIX_MARKING_STATEMENT);
  assert_string_equal(m.statement, "Copyright 2019");
  assert_int_equal(m.tlp, TLP_NONE);
  json_decref(st);
  json_t *other = json_pack("{s:s, s:s, s:{s:{s:s}}}", "type", "marking-definition", "id",
                            TLP2("4a0042fe-8b88-40fe-9600-dfa128ce6fbd"), "extensions",
                            "extension-definition--9c59fd79-4215-4ba2-920d-3e4f320e1e62",
                            "extension_type", "property-extension");
  assert_int_equal(stix_marking_parse(other, &m, &err), 0);
  assert_int_equal(m.kind, STIX_MARKING_OTHER);
  json_decref(other);
  /* a TLP 2.0 extension with the wrong extension_type */
  json_t *bad =
      json_pack("{s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type", "marking-definition", "id",
                TLP2("e828b379-4e03-4974-9ac4-e53a884c97c1"), "name", "TLP:RED", "extensions",
                STIX_TLP2_EXTENSION_ID, "extension_type", "new-sdo", "tlp_2_0", "red");
  assert_int_equal(stix_marking_parse(bad, &m, &err), FS_ERR_INVALID);
  json_decref(bad);
}

/* ---- TAXII query strings ---- */

#define ID1 "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define ID2 "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"

static int parse(const char *q, enum stix_taxii_endpoint ep, struct fs_arena *a,
                 struct stix_taxii_query *out, struct fs_err *err)
{
  return stix_taxii_query_parse(q, strlen(q), ep, NULL, a, out, err);
}

static void test_query_ok(void **state)
{
  (void)state;
  struct fs_arena a;
  fs_arena_init(&a, 0, 0);
  struct stix_taxii_query q;
  struct fs_err err;
  assert_int_equal(parse("", STIX_TAXII_EP_OBJECTS, &a, &q, &err), 0);
  assert_int_equal(q.present, 0);
  assert_int_equal(parse("match%5Bid%5D=" ID1 "," ID2
                         "&match[type]=indicator,malware&match[version]=first,"
                         "2016-01-01T00:00:00.000Z,last&match[spec_version]=2.1,2.0&added_after="
                         "2016-02-01T00:00:00Z&limit=50&next=abc-_1&x=ignored&&flag",
                         STIX_TAXII_EP_OBJECTS, &a, &q, &err),
                   0);
  assert_int_equal(q.n_ids, 2);
  assert_string_equal(q.ids[0], ID1);
  assert_string_equal(q.ids[1], ID2);
  assert_int_equal(q.n_types, 2);
  assert_string_equal(q.types[1], "malware");
  assert_int_equal(q.versions, STIX_TAXII_V_FIRST | STIX_TAXII_V_LAST);
  assert_int_equal(q.n_version_times, 1);
  assert_string_equal(q.version_times[0], "2016-01-01T00:00:00.000Z");
  assert_int_equal(q.n_spec_versions, 2);
  assert_string_equal(q.added_after, "2016-02-01T00:00:00Z");
  assert_int_equal(q.limit, 50);
  assert_false(q.limit_capped);
  assert_string_equal(q.next, "abc-_1");
  assert_int_equal(q.n_ignored, 2);
  assert_int_equal(q.present, STIX_TAXII_P_ID | STIX_TAXII_P_TYPE | STIX_TAXII_P_VERSION |
                                  STIX_TAXII_P_SPEC_VERSION | STIX_TAXII_P_ADDED_AFTER |
                                  STIX_TAXII_P_LIMIT | STIX_TAXII_P_NEXT);
  /* limit capped; percent-encoded timestamp; version=all */
  assert_int_equal(parse("limit=5000&added_after=2016-02-01T00%3A00%3A00Z&match%5bversion%5d=all",
                         STIX_TAXII_EP_OBJECT, &a, &q, &err),
                   0);
  assert_int_equal(q.limit, 1000);
  assert_true(q.limit_capped);
  assert_string_equal(q.added_after, "2016-02-01T00:00:00Z");
  assert_int_equal(q.versions, STIX_TAXII_V_ALL);
  assert_int_equal(parse("match[spec_version]=2.1", STIX_TAXII_EP_VERSIONS, &a, &q, &err), 0);
  assert_int_equal(parse("match[version]=all", STIX_TAXII_EP_OBJECT_DELETE, &a, &q, &err), 0);
  struct stix_taxii_query_limits lim = {.max_limit = 10};
  assert_int_equal(
      stix_taxii_query_parse("limit=11", 8, STIX_TAXII_EP_MANIFEST, &lim, &a, &q, &err), 0);
  assert_int_equal(q.limit, 10);
  /* From pairs already split (as an HTTP request's are, once): the same filters, and the pairs
   * are left as they were (the lists are cut in a copy). */
  struct fs_query pairs;
  const char *raw = "match%5Btype%5D=indicator,malware&limit=5&x=1";
  assert_int_equal(fs_query_parse(raw, strlen(raw), &pairs, &a, &err), 0);
  assert_int_equal(stix_taxii_query_from(&pairs, STIX_TAXII_EP_OBJECTS, NULL, &a, &q, &err), 0);
  assert_int_equal(q.n_types, 2);
  assert_string_equal(q.types[1], "malware");
  assert_int_equal(q.limit, 5);
  assert_int_equal(q.n_ignored, 1);
  assert_string_equal(pairs.values[0], "indicator,malware");
  assert_int_equal(stix_taxii_query_from(&pairs, STIX_TAXII_EP_OBJECT, NULL, &a, &q, &err),
                   FS_ERR_INVALID);
  assert_string_equal(err.where, "match[type]");
  fs_arena_release(&a);
}

static void test_query_errors(void **state)
{
  (void)state;
  static const struct {
    const char *q;
    enum stix_taxii_endpoint ep;
    const char *where;
    const char *msg;
  } cases[] = {
      {"match[id]=nope", STIX_TAXII_EP_OBJECTS, "match[id]", "not a STIX identifier"},
      {"match[id]=" ID1 ",", STIX_TAXII_EP_OBJECTS, "match[id]", "empty value"},
      {"match[id]=", STIX_TAXII_EP_OBJECTS, "match[id]", "empty value"},
      {"match[type]=Indicator", STIX_TAXII_EP_OBJECTS, "match[type]", "not a STIX type"},
      {"match[version]=latest", STIX_TAXII_EP_OBJECTS, "match[version]", "first, last, all"},
      {"match[version]=2016-01-01", STIX_TAXII_EP_OBJECTS, "match[version]", "first, last, all"},
      {"match[spec_version]=two", STIX_TAXII_EP_OBJECTS, "match[spec_version]", "like 2.1"},
      {"added_after=yesterday", STIX_TAXII_EP_OBJECTS, "added_after", "not a timestamp"},
      {"added_after=2016-01-01T00:00:00+08:00", STIX_TAXII_EP_OBJECTS, "added_after",
       "not a timestamp"},
      {"limit=0", STIX_TAXII_EP_OBJECTS, "limit", "positive integer"},
      {"limit=-1", STIX_TAXII_EP_OBJECTS, "limit", "positive integer"},
      {"limit=ten", STIX_TAXII_EP_OBJECTS, "limit", "positive integer"},
      {"limit=99999999999999999", STIX_TAXII_EP_OBJECTS, "limit", "positive integer"},
      {"next=a.b", STIX_TAXII_EP_OBJECTS, "next", "cursor"},
      {"limit=1&limit=2", STIX_TAXII_EP_OBJECTS, "limit", "more than once"},
      {"match[type]=indicator", STIX_TAXII_EP_OBJECT, "match[type]", "does not apply"},
      {"match[id]=" ID1, STIX_TAXII_EP_VERSIONS, "match[id]", "does not apply"},
      {"match[version]=all", STIX_TAXII_EP_VERSIONS, "match[version]", "does not apply"},
      {"limit=5", STIX_TAXII_EP_OBJECT_DELETE, "limit", "does not apply"},
      {"added_after=2016-01-01T00:00:00Z", STIX_TAXII_EP_OTHER, "added_after", "does not apply"},
      {"match[external_id]=CAPEC-1", STIX_TAXII_EP_OBJECTS, "match[external_id]", "not supported"},
      /* the shared splitter's errors (core/query.h), naming the byte */
      {"match%5Bid%5D=%zz", STIX_TAXII_EP_OBJECTS, "query byte 14", "two hex digits"},
      {"limit=%", STIX_TAXII_EP_OBJECTS, "query byte 6", "two hex digits"},
      {"limit=1%0a", STIX_TAXII_EP_OBJECTS, "query byte 7", "control character"},
      {"limit=%ff", STIX_TAXII_EP_OBJECTS, "query byte 6", "not valid UTF-8"},
  };
  struct fs_arena a;
  fs_arena_init(&a, 0, 0);
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct stix_taxii_query q;
    struct fs_err err;
    int rc = parse(cases[i].q, cases[i].ep, &a, &q, &err);
    if (rc != FS_ERR_INVALID || strcmp(err.where, cases[i].where) || !strstr(err.msg, cases[i].msg))
      fprintf(stderr, "case %zu: %s -> rc %d %s: %s\n", i, cases[i].q, rc, rc ? err.where : "",
              rc ? err.msg : "");
    assert_int_equal(rc, FS_ERR_INVALID);
    assert_string_equal(err.where, cases[i].where);
    assert_non_null(strstr(err.msg, cases[i].msg));
    assert_int_equal(fs_code_http_status(rc), 400);
  }
  /* oversized query and lists */
  char big[9000];
  memset(big, 'a', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  struct stix_taxii_query q;
  struct fs_err err;
  assert_int_equal(parse(big, STIX_TAXII_EP_OBJECTS, &a, &q, &err), FS_ERR_TOO_LARGE);
  struct stix_taxii_query_limits lim = {.max_list = 2};
  const char *three = "match[type]=a-b,c-d,e-f";
  assert_int_equal(
      stix_taxii_query_parse(three, strlen(three), STIX_TAXII_EP_OBJECTS, &lim, &a, &q, &err),
      FS_ERR_INVALID);
  assert_string_equal(err.where, "match[type]");
  fs_arena_release(&a);
}

static void test_cursor(void **state)
{
  (void)state;
  uint8_t key[STIX_TAXII_CURSOR_KEYBYTES], other[STIX_TAXII_CURSOR_KEYBYTES];
  fs_random(key, sizeof(key));
  fs_random(other, sizeof(other));
  struct fs_arena a;
  fs_arena_init(&a, 0, 0);
  struct stix_taxii_query q1, q2;
  struct fs_err err;
  assert_int_equal(parse("match[type]=indicator&limit=10", STIX_TAXII_EP_OBJECTS, &a, &q1, &err),
                   0);
  assert_int_equal(parse("match[type]=malware&limit=10", STIX_TAXII_EP_OBJECTS, &a, &q2, &err), 0);
  uint64_t c1 = stix_taxii_query_context(&q1, "collection-a");
  assert_int_not_equal(c1, stix_taxii_query_context(&q2, "collection-a"));
  assert_int_not_equal(c1, stix_taxii_query_context(&q1, "collection-b"));
  /* the page size is not part of the context */
  struct stix_taxii_query q3;
  assert_int_equal(parse("match[type]=indicator&limit=99", STIX_TAXII_EP_OBJECTS, &a, &q3, &err),
                   0);
  assert_true(c1 == stix_taxii_query_context(&q3, "collection-a"));

  struct stix_taxii_cursor c = {.date_added = 1700000000123456LL, .seq = 42, .context = c1}, d;
  char text[STIX_TAXII_CURSOR_LEN + 1];
  stix_taxii_cursor_encode(&c, key, text);
  assert_int_equal(strlen(text), STIX_TAXII_CURSOR_LEN);
  /* a cursor survives the query parser */
  char qs[128];
  snprintf(qs, sizeof(qs), "next=%s", text);
  assert_int_equal(parse(qs, STIX_TAXII_EP_OBJECTS, &a, &q3, &err), 0);
  assert_int_equal(stix_taxii_cursor_decode(q3.next, strlen(q3.next), key, c1, &d, &err), 0);
  assert_true(d.date_added == c.date_added && d.seq == c.seq && d.context == c.context);
  /* encrypted: the position cannot be read from the cursor, and no two cursors are alike */
  unsigned char raw[128];
  size_t rawn = 0;
  assert_int_equal(sodium_base642bin(raw, sizeof(raw), text, strlen(text), NULL, &rawn, NULL,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                   0);
  unsigned char when[8]; /* date_added, big-endian as the position is kept */
  for (int i = 0; i < 8; i++)
    when[i] = (unsigned char)((uint64_t)c.date_added >> (56 - 8 * i));
  for (size_t i = 0; i + sizeof(when) <= rawn; i++)
    assert_true(memcmp(raw + i, when, sizeof(when)) != 0);
  char again[STIX_TAXII_CURSOR_LEN + 1];
  stix_taxii_cursor_encode(&c, key, again);
  assert_string_not_equal(again, text);
  assert_int_equal(stix_taxii_cursor_decode(again, strlen(again), key, c1, &d, &err), 0);
  assert_true(d.date_added == c.date_added && d.seq == c.seq);
  /* altered, forged, other key, other query, truncated */
  char bad[STIX_TAXII_CURSOR_LEN + 1];
  memcpy(bad, text, sizeof(bad));
  bad[10] = bad[10] == 'A' ? 'B' : 'A';
  assert_int_equal(stix_taxii_cursor_decode(bad, strlen(bad), key, c1, &d, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "next");
  assert_int_equal(stix_taxii_cursor_decode(text, strlen(text), other, c1, &d, &err),
                   FS_ERR_INVALID);
  assert_int_equal(stix_taxii_cursor_decode(text, strlen(text), key, c1 + 1, &d, &err),
                   FS_ERR_INVALID);
  assert_non_null(strstr(err.msg, "different query"));
  assert_int_equal(stix_taxii_cursor_decode(text, 20, key, c1, &d, &err), FS_ERR_INVALID);
  assert_int_equal(stix_taxii_cursor_decode("", 0, key, c1, &d, &err), FS_ERR_INVALID);
  memset(bad, 'A', STIX_TAXII_CURSOR_LEN);
  assert_int_equal(stix_taxii_cursor_decode(bad, STIX_TAXII_CURSOR_LEN, key, c1, &d, &err),
                   FS_ERR_INVALID);
  fs_arena_release(&a);
}

int main(void)
{
  fs_crypto_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tlp_ids),       cmocka_unit_test(test_tlp_objects),
      cmocka_unit_test(test_marking_parse), cmocka_unit_test(test_query_ok),
      cmocka_unit_test(test_query_errors),  cmocka_unit_test(test_cursor),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
