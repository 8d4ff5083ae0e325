/* Sources on a real hub (intel/feed.h): a MISP feed folder and a CSV list run into the sector
 * collection: one indicator per observable whatever way each source writes it, with every source
 * that reported it; values on warninglists flagged (stored, withheld, the list named) or blocked;
 * runs recorded; and the score's decay on a simulated clock withholding an indicator from members
 * until a source reports it again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hubfixture.h"
#include "intel/feed_int.h"
#include "testdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY 86400000LL
#define T0 1795737600000LL /* 2026-11-27T00:00:00Z */

static struct hub_fixture f;
static struct intel_feed_env env;

static int setup(void **state)
{
  (void)state;
  hub_fixture_open(&f);
  memset(&env, 0, sizeof(env));
  env.secret = f.hub.auth.secret_key;
  env.max_bytes = 64u << 20;
  intel_score_defaults(&env.score);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  hub_fixture_close(&f);
  return 0;
}

static void add_source(const char *name, enum intel_feed_kind kind, const char *fixture, char rel,
                       const char *mapping)
{
  char path[1024];
  test_fixture_path(path, sizeof(path), fixture);
  char abs[2048];
  if (path[0] != '/' && getcwd(abs, sizeof(abs))) {
    size_t n = strlen(abs);
    snprintf(abs + n, sizeof(abs) - n, "/%s", path);
  } else {
    snprintf(abs, sizeof(abs), "%s", path);
  }
  struct intel_feed_input in = {.name = name,
                                .kind = kind,
                                .url = abs,
                                .reliability = rel,
                                .default_tlp = TLP_GREEN,
                                .mapping = mapping};
  char id[37];
  struct fs_err err;
  if (intel_feed_add(f.c, &f.op, &in, id, &err))
    fail_msg("%s: %s: %s", name, err.where, err.msg);
}

static void run(const char *name, int64_t now, struct intel_feed_stats *st)
{
  struct actor who = f.op;
  who.now_ms = now;
  struct fs_err err;
  if (intel_feed_run(f.c, &who, &env, name, now, st, &err))
    fail_msg("run %s: %s: %s", name, err.where, err.msg);
}

static void id_of(const char *coll, enum tlp_level level, enum intel_obs kind, const char *value,
                  char id[FEED_ID_MAX])
{
  feed_indicator_id(f.hub.auth.secret_key, coll, level, kind, value, id);
}

struct seen {
  size_t n;
  char body[8192];
  bool withheld;
};

static int take(const struct intel_row *r, void *ctx)
{
  struct seen *s = ctx;
  s->n++;
  snprintf(s->body, sizeof(s->body), "%.*s", (int)r->body_len, r->body);
  s->withheld = r->withheld;
  return FS_OK;
}

/* How many versions of id the actor sees (0: FS_ERR_NOT_FOUND, as if it did not exist). */
static size_t versions(const struct actor *who, const char *id, struct seen *s)
{
  memset(s, 0, sizeof(*s));
  struct fs_err err;
  int rc = intel_read_object(f.c, who, NULL, id, take, s, &err);
  if (rc == FS_ERR_NOT_FOUND)
    return 0;
  assert_int_equal(rc, FS_OK);
  return s->n;
}

static struct actor member(void)
{
  struct actor a = {.role = AUTH_ROLE_MEMBER_ANALYST, .now_ms = T0};
  snprintf(a.org_id, sizeof(a.org_id), "0f0e0d0c-0b0a-4908-8706-050403020100");
  snprintf(a.user_id, sizeof(a.user_id), "1f0e0d0c-0b0a-4908-8706-050403020100");
  snprintf(a.username, sizeof(a.username), "member");
  return a;
}

static void test_misp_feed(void **state)
{
  (void)state;
  add_source("misp-test", INTEL_FEED_MISP, "misp/feed", 'B', NULL);
  struct intel_feed_stats st;
  run("misp-test", T0, &st);
  assert_int_equal(st.events, 2);
  assert_int_equal(st.read, 19);
  assert_int_equal(st.indicators, 15);
  assert_int_equal(st.created, 13);
  assert_int_equal(st.merged, 2);  /* 045.077.012.009 and ::ffff:45.77.12.9 are 45.77.12.9 */
  assert_int_equal(st.flagged, 2); /* 203.0.113.9 and 2001:db8::7: documentation addresses */
  assert_int_equal(st.blocked, 0);
  assert_int_equal(st.invalid, 3); /* 999.1.2.3; a file not as its manifest says; a file missing */
  assert_int_equal(st.skipped, 4); /* text, to_ids false (twice), deleted */
  assert_int_equal(st.stored, 15); /* 13 indicators, a report and a grouping */
  assert_int_equal(st.refused, 0);

  /* Three ways of writing one address are one indicator, produced by the hub. */
  char id[FEED_ID_MAX];
  id_of("sector", TLP_GREEN, INTEL_OBS_IPV4, "45.77.12.9", id);
  struct actor m = member();
  struct seen s;
  assert_int_equal(versions(&m, id, &s), 1);
  assert_non_null(strstr(s.body, "\"pattern\":\"[ipv4-addr:value = '45.77.12.9']\""));
  assert_non_null(
      strstr(s.body, "\"source_name\":\"misp-test\",\"description\":\"reliability B\""));
  assert_non_null(strstr(s.body, "\"confidence\":73")); /* B, last seen a day before: 75 * 29/30 */
  struct fs_err err;
  size_t found = 0;
  struct seen any = {0};
  assert_int_equal(intel_search(f.c, &m, "45.77.12.9", 100, take, &any, &err), FS_OK);
  found = any.n;
  assert_int_equal(found, 1);

  /* Flagged: stored and withheld; the hub sees it with the list named, members not at all. */
  id_of("sector", TLP_GREEN, INTEL_OBS_IPV4, "203.0.113.9", id);
  assert_int_equal(versions(&f.op, id, &s), 1);
  assert_true(s.withheld);
  assert_int_equal(versions(&m, id, &s), 0);
  json_t *an = NULL;
  assert_int_equal(intel_indicator_analysis_json(f.c, &f.op, id, &an, &err), FS_OK);
  assert_non_null(an);
  assert_string_equal(json_string_value(json_object_get(an, "warninglist")),
                      "special-use-addresses");
  assert_true(json_is_true(json_object_get(an, "withheld")));
  assert_string_equal(json_string_value(json_object_get(an, "reason")),
                      "on warninglist special-use-addresses");
  json_decref(an);

  /* Levels: an attribute's tlp:amber tag, "your organisation only" as AMBER+STRICT. */
  id_of("sector", TLP_AMBER, INTEL_OBS_URL, "https://xn--mnchen-bank-thb.com.tw/secure/Account",
        id);
  assert_int_equal(versions(&f.op, id, &s), 1);
  assert_int_equal(versions(&m, id, &s), 0);
  id_of("sector", TLP_AMBER_STRICT, INTEL_OBS_SHA256,
        "0bd1aa5c8f1d4e8e5e0e7e8a2f3d4c5b6a7980f1e2d3c4b5a69788796a5b4c3d", id);
  assert_int_equal(versions(&f.op, id, &s), 1);

  /* The published event is a report of its indicators, the other a grouping. */
  assert_int_equal(versions(&m, "report--5f1d2b8e-0c3a-4b6e-9d2f-7a1c3e5b9d01", &s), 1);
  assert_non_null(
      strstr(s.body, "\"name\":\"Phishing kit impersonating a Taiwanese bank (test event)\""));
  assert_null(strstr(s.body, "203.0.113.9"));
  assert_int_equal(versions(&f.op, "grouping--8c4b7e21-9d3f-4a5e-b1c6-2e7f8a9b0c02", &s), 1);
  assert_int_equal(versions(&m, "grouping--8c4b7e21-9d3f-4a5e-b1c6-2e7f8a9b0c02", &s), 0);

  /* Again: the events have not changed, nothing is read. */
  run("misp-test", T0 + 1000, &st);
  assert_int_equal(st.read, 0);
  assert_int_equal(st.events, 0);
  assert_int_equal(st.invalid, 2); /* the two broken events are tried again */

  /* The health view: two runs, the last error-free, the problem noted in the run's stats. */
  struct intel_feed feed;
  assert_int_equal(intel_feed_get(f.c, &f.op, "misp-test", &feed, &err), FS_OK);
  assert_int_equal(feed.runs, 2);
  assert_int_equal(feed.objects, 15);
  assert_string_equal(feed.last_error, "");
  json_t *runs = NULL;
  assert_int_equal(intel_feed_runs_json(f.c, &f.op, "misp-test", 10, &runs, &err), FS_OK);
  assert_int_equal(json_array_size(runs), 2);
  const char *problem = json_string_value(
      json_object_get(json_object_get(json_array_get(runs, 1), "stats"), "first_problem"));
  assert_non_null(problem);
  json_decref(runs);
  /* Members may not see the sources at all. */
  assert_int_equal(intel_feed_get(f.c, &m, "misp-test", &feed, &err), FS_ERR_FORBIDDEN);
}

/* Imports the fixture warninglist of public DNS resolvers as a blocking list. */
static struct intel_wl_imported import_blocking_dns_list(void)
{
  char path[1024];
  test_fixture_path(path, sizeof(path), "warninglists/public-dns-v4.json");
  struct fs_buf b;
  test_read_file(path, &b);
  struct fs_err err;
  struct intel_wl_imported imp;
  assert_int_equal(intel_warninglist_import(f.c, &f.op, b.data, b.len, INTEL_WL_BLOCK, &imp, &err),
                   FS_OK);
  fs_buf_release(&b);
  return imp;
}

/* A stored list that no longer reads back fails the load, naming the list, instead of being
 * skipped (what it blocks would go through unnoticed). */
static void test_unreadable_stored_list(void **state)
{
  (void)state;
  struct fs_err err;
  struct intel_wl_imported imp = import_blocking_dns_list();
  struct intel_wl_set *set;
  assert_int_equal(intel_warninglist_load(f.c, &set, &err), FS_OK);
  intel_wl_set_free(set);
  assert_int_equal(store_exec(f.c, NULL, &err,
                              "UPDATE intel_warninglist SET body = '{'"
                              " WHERE builtin = 0",
                              ""),
                   FS_OK);
  assert_int_equal(intel_warninglist_load(f.c, &set, &err), FS_ERR_CORRUPT);
  assert_null(set);
  assert_non_null(strstr(err.msg, imp.name));
}

static void test_second_source_and_decay(void **state)
{
  (void)state;
  /* A list on a blocking warninglist refuses the value, with the list named. */
  struct fs_err err;
  struct intel_wl_imported imp = import_blocking_dns_list();
  assert_int_equal(imp.entries, 4);
  add_source("csv-test", INTEL_FEED_CSV, "feeds/indicators.csv", 'C',
             "value=2,type_column=3,first_seen=1,comment=4,tlp=5,header");
  struct intel_feed_stats st;
  run("csv-test", T0, &st);
  assert_int_equal(st.read, 7);
  assert_int_equal(st.created, 3);
  assert_int_equal(st.merged, 1);
  assert_int_equal(st.blocked, 1);
  assert_int_equal(st.invalid, 1);
  assert_int_equal(st.skipped, 1);
  assert_non_null(strstr(st.first_problem, "8.8.8.8 is on the blocking warninglist List of known "
                                           "IPv4 public DNS resolvers"));

  /* The address both sources reported: one indicator, a second version naming both. */
  char id[FEED_ID_MAX];
  feed_indicator_id(f.hub.auth.secret_key, "sector", TLP_GREEN, INTEL_OBS_IPV4, "45.77.12.9", id);
  struct actor m = member();
  struct seen s;
  assert_int_equal(versions(&m, id, &s), 2);
  assert_non_null(strstr(s.body, "\"source_name\":\"misp-test\""));
  assert_non_null(strstr(s.body, "\"source_name\":\"csv-test\""));
  assert_non_null(strstr(s.body, "\"confidence\":90")); /* B and C: 1 - 0.25 * 0.4 */
  json_t *an = NULL;
  assert_int_equal(intel_indicator_analysis_json(f.c, &m, id, &an, &err), FS_OK);
  assert_int_equal(json_integer_value(json_object_get(an, "sources")), 2);
  assert_int_equal(json_array_size(json_object_get(an, "provenance")), 2);
  json_decref(an);

  /* 40 days on: addresses (a 30-day lifetime) are withheld, domains (90 days) are not. */
  struct actor later = f.op;
  later.now_ms = T0 + 40 * DAY;
  size_t changed = 0;
  assert_int_equal(intel_score_pass(f.c, &later, &env.score, later.now_ms, &changed, &err), FS_OK);
  assert_true(changed >= 1);
  assert_int_equal(versions(&m, id, &s), 0);
  assert_int_equal(versions(&f.op, id, &s), 2);
  assert_int_equal(intel_indicator_analysis_json(f.c, &f.op, id, &an, &err), FS_OK);
  assert_int_equal(json_integer_value(json_object_get(an, "score")), 0);
  assert_non_null(
      strstr(json_string_value(json_object_get(an, "reason")), "is below the threshold 20"));
  assert_non_null(strstr(json_string_value(json_object_get(an, "reason_zh")), "低於門檻 20"));
  json_decref(an);
  char dom[FEED_ID_MAX];
  feed_indicator_id(f.hub.auth.secret_key, "sector", TLP_GREEN, INTEL_OBS_DOMAIN,
                    "evil-bank-login.com", dom);
  assert_int_equal(versions(&m, dom, &s), 1);
  /* The pass again at the same time changes nothing. */
  assert_int_equal(intel_score_pass(f.c, &later, &env.score, later.now_ms, &changed, &err), FS_OK);
  assert_int_equal(changed, 0);

  /* The list carries the address again on day 40: seen now, scored, released. */
  run("csv-test", later.now_ms, &st);
  assert_int_equal(st.merged, 4);
  assert_int_equal(versions(&m, id, &s), 2);
  assert_int_equal(intel_indicator_analysis_json(f.c, &f.op, id, &an, &err), FS_OK);
  assert_int_equal(json_integer_value(json_object_get(an, "score")), 90);
  assert_false(json_is_true(json_object_get(an, "withheld")));
  json_decref(an);

  /* Removing a source keeps what it brought and its provenance. */
  assert_int_equal(intel_feed_remove(f.c, &f.op, "csv-test", &err), FS_OK);
  assert_int_equal(versions(&m, id, &s), 2);
  struct intel_feed feed;
  assert_int_equal(intel_feed_get(f.c, &f.op, "csv-test", &feed, &err), FS_ERR_NOT_FOUND);
}

struct stored_versions {
  size_t n;
  char version[4][40], tlp[4][16];
  char *body[4];
};

static int take_versions(const struct intel_row *r, void *ctx)
{
  struct stored_versions *v = ctx;
  if (v->n < 4) {
    snprintf(v->version[v->n], sizeof(v->version[0]), "%s", r->version);
    snprintf(v->tlp[v->n], sizeof(v->tlp[0]), "%s", r->tlp);
    v->body[v->n] = strndup(r->body, r->body_len);
  }
  v->n++;
  return FS_OK;
}

/* The hub stores its own indicators without reading their text again (intel_batch_add_own): what
 * it stored (version, level, the observable key searched by) is what validation and the ingest's
 * reading make of that text. */
static void test_own_indicators_as_validation_reads_them(void **state)
{
  (void)state;
  const struct {
    enum tlp_level level;
    enum intel_obs kind;
    const char *value;
  } own[] = {
      {TLP_GREEN, INTEL_OBS_IPV4, "45.77.12.9"}, /* two versions: two sources */
      {TLP_GREEN, INTEL_OBS_DOMAIN, "evil-bank-login.com"},
      {TLP_AMBER, INTEL_OBS_URL, "https://xn--mnchen-bank-thb.com.tw/secure/Account"},
      {TLP_AMBER_STRICT, INTEL_OBS_SHA256,
       "0bd1aa5c8f1d4e8e5e0e7e8a2f3d4c5b6a7980f1e2d3c4b5a69788796a5b4c3d"},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(own); i++) {
    char id[FEED_ID_MAX];
    id_of("sector", own[i].level, own[i].kind, own[i].value, id);
    struct stored_versions v = {0};
    struct fs_err err;
    assert_int_equal(intel_read_object(f.c, &f.op, NULL, id, take_versions, &v, &err), FS_OK);
    assert_true(v.n >= 1 && v.n <= 4);
    char key[1024];
    assert_true(intel_observable_key(own[i].value, strlen(own[i].value), key, sizeof(key)));
    for (size_t k = 0; k < v.n; k++) {
      char text[8192];
      snprintf(text, sizeof(text), "{\"objects\":[%s]}", v.body[k]);
      struct stix_limits lim;
      stix_limits_default(&lim);
      struct intel_batch *b = NULL;
      assert_int_equal(intel_batch_read(text, strlen(text), &lim, 1, &b, &err), FS_OK);
      assert_int_equal(b->n, 1);
      const struct intel_batch_item *it = &b->items[0];
      assert_true(it->valid);
      assert_null(it->meta_error);
      assert_string_equal(it->id, id);
      assert_string_equal(it->type, "indicator");
      assert_string_equal(it->version, v.version[k]);
      assert_string_equal(stix_tlp_token(it->tlp), v.tlp[k]);
      assert_int_equal(it->tlp_granular, TLP_NONE);
      assert_false(it->control);
      assert_int_equal(it->n_keys, 1);
      assert_string_equal(b->keys[it->first_key], key);
      intel_batch_free(b);
      free(v.body[k]);
    }
    /* ... and the value finds it (the observable index holds that key). */
    struct seen any = {0};
    assert_int_equal(intel_search(f.c, &f.op, own[i].value, 100, take, &any, &err), FS_OK);
    assert_true(any.n >= 1);
  }
}

/* A batch's reports and groupings are read and stored a few MB of their text at a time
 * (FEED_OBJECTS_PART, 4 MiB), so that a large batch's envelope stays bounded: 1,200 reports of
 * about 4 KB (two parts and more) are every one stored, the first and the last readable. */
static void test_objects_in_parts(void **state)
{
  (void)state;
  add_source("parts", INTEL_FEED_MISP, "misp/feed", 'B', NULL);
  struct intel_feed fd;
  struct intel_feed_stats st;
  memset(&st, 0, sizeof(st));
  struct feed_merger *m = NULL;
  struct fs_err err;
  assert_int_equal(intel_feed_load(f.c, "parts", &fd, &err), FS_OK);
  assert_int_equal(feed_merger_new(f.c, &f.op, &fd, &env, NULL, T0, &st, &m, &err), FS_OK);
  char pad[4001];
  memset(pad, 'x', sizeof(pad) - 1);
  pad[sizeof(pad) - 1] = '\0';
  static char json[8192];
  enum { N = 1200 };
  for (int i = 0; i < N; i++) {
    int n = snprintf(json, sizeof(json),
                     "{\"type\":\"report\",\"spec_version\":\"2.1\","
                     "\"id\":\"report--00000000-0000-4000-8000-%012d\","
                     "\"created\":\"2026-11-27T00:00:00.000Z\","
                     "\"modified\":\"2026-11-27T00:00:00.000Z\",\"created_by_ref\":\"%s\","
                     "\"name\":\"report %d\",\"description\":\"%s\","
                     "\"published\":\"2026-11-27T00:00:00.000Z\","
                     "\"report_types\":[\"threat-report\"],"
                     "\"object_refs\":[\"indicator--00000000-0000-4000-8000-000000000001\"],"
                     "\"object_marking_refs\":[\"%s\"]}",
                     i, m->hub_identity, i, pad, stix_tlp_marking_id(TLP_GREEN));
    assert_true(n > 0 && (size_t)n < sizeof(json));
    assert_int_equal(feed_merger_add_object(m, json, (size_t)n, &err), FS_OK);
  }
  int rc = feed_merger_flush(m, &err);
  feed_merger_free(m);
  if (rc)
    fail_msg("flush: %s: %s", err.where, err.msg);
  assert_int_equal(st.stored, N);
  assert_int_equal(st.refused, 0);
  struct seen s;
  assert_int_equal(versions(&f.op, "report--00000000-0000-4000-8000-000000000000", &s), 1);
  assert_int_equal(versions(&f.op, "report--00000000-0000-4000-8000-000000001199", &s), 1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_misp_feed),
      cmocka_unit_test(test_second_source_and_decay),
      cmocka_unit_test(test_own_indicators_as_validation_reads_them),
      cmocka_unit_test(test_unreadable_stored_list),
      cmocka_unit_test(test_objects_in_parts),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
