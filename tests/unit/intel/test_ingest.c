/* Unit tests of the intelligence store's ingest on a real hub: a batch (intel_batch_read) and a
 * parsed document (intel_ingest) store the same things and give the same status; bytes are kept
 * as received; the status resource returned is the one stored; refusals, anonymous submissions
 * and versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "hubfixture.h"
#include "intel/intel.h"
#include "intel/store_int.h"

#include <stdio.h>
#include <string.h>

#define U1 "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define U2 "26ffb872-1dd9-446e-b6f5-d58527e5b5d2"
#define U3 "0f2b7d6a-3c1e-4b8f-9a2d-5e6f7a8b9c0d"
#define GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"

/* An indicator written with odd spacing, key order and escapes: stored bytes must be these. */
#define IND(uuid, modified, value)                                                                 \
  "{ \"id\" : \"indicator--" uuid "\",\"type\":\"indicator\",\"spec_version\":\"2.1\","            \
  "\"created\":\"2016-04-06T20:03:00.000Z\",\"modified\":\"" modified                              \
  "\",\"name\":\"caf\\u00e9\","                                                                    \
  "\"pattern\":\"[ipv4-addr:value = '" value "']\",\"pattern_type\":\"stix\","                     \
  "\"valid_from\":\"2016-01-01T00:00:00Z\",\"object_marking_refs\":[\"" GREEN "\"] }"

static const char *envelope = "{\"objects\": [" IND(
    U1, "2016-04-06T20:03:00.000Z",
    "198.51.100.7") ",\n"
                    "{\"type\": \"indicator\", \"id\": \"indicator--" U2
                    "\"},\n" IND(U3, "2016-04-06T20:03:00.000Z", "203.0.113.9") ", 7]}";

struct body {
  char text[2048];
  size_t n;
};

static int get_body(const struct intel_row *row, void *ctx)
{
  struct body *b = ctx;
  b->n = row->body_len < sizeof(b->text) ? row->body_len : sizeof(b->text) - 1;
  memcpy(b->text, row->body, b->n);
  b->text[b->n] = '\0';
  return FS_OK;
}

/* A new hub and one of its collections. */
static void open_at(struct hub_fixture *f, const char *alias, struct intel_collection *col)
{
  struct fs_err err;
  hub_fixture_open(f);
  assert_int_equal(intel_collection_find(f->c, &f->op, alias, col, &err), FS_OK);
}

/* threads 0: through a parsed document; else a batch read on that many threads. */
static void ingest_text(struct hub_fixture *f, const struct intel_collection *col, const char *text,
                        size_t threads, const struct intel_ingest_options *opt,
                        struct intel_ingest_result *res)
{
  struct fs_err err;
  if (threads) {
    struct intel_batch *b;
    assert_int_equal(intel_batch_read(text, strlen(text), NULL, threads, &b, &err), FS_OK);
    assert_int_equal(intel_ingest_batch(f->c, &f->op, col, b, opt, res, &err), FS_OK);
    intel_batch_free(b);
  } else {
    struct stix_doc doc;
    assert_int_equal(stix_doc_parse(&doc, text, strlen(text), NULL, &err), FS_OK);
    assert_int_equal(intel_ingest(f->c, &f->op, col, &doc, opt, res, &err), FS_OK);
    stix_doc_release(&doc);
  }
}

/* The two ways in agree; the status is the stored one and lists what the arrays list. */
static void test_batch_and_doc(void **state)
{
  (void)state;
  struct fs_err err;
  json_t *status[2];
  for (int way = 0; way < 2; way++) {
    struct hub_fixture f;
    struct intel_collection col;
    open_at(&f, "sector", &col);
    struct intel_ingest_options opt = {.status_id = "5f0a4b9e-1c2d-4e3f-8a9b-0c1d2e3f4a5b"};
    struct intel_ingest_result res;
    ingest_text(&f, &col, envelope, way == 1 ? 1 : 0, &opt, &res);
    assert_int_equal(res.total, 4);
    assert_int_equal(res.success, 2);
    assert_int_equal(res.failure, 2);
    assert_int_equal(json_array_size(res.successes), 2);
    assert_int_equal(json_array_size(res.failures), 2);
    /* the status text is JSON, lists what the arrays list, and is what intel_status_get gives */
    assert_non_null(res.status);
    assert_int_equal(strlen(res.status), res.status_len);
    json_t *st = json_loads(res.status, 0, NULL);
    assert_non_null(st);
    assert_true(json_equal(json_object_get(st, "successes"), res.successes));
    assert_true(json_equal(json_object_get(st, "failures"), res.failures));
    assert_int_equal(json_integer_value(json_object_get(st, "total_count")), 4);
    assert_string_equal(json_string_value(json_object_get(st, "status")), "complete");
    json_t *stored;
    assert_int_equal(intel_status_get(f.c, &f.op, opt.status_id, &stored, &err), FS_OK);
    assert_true(json_equal(stored, st));
    json_decref(stored);
    /* successes in id order with their versions; failures name index and property */
    json_t *ok0 = json_array_get(res.successes, 0);
    assert_string_equal(json_string_value(json_object_get(ok0, "id")), "indicator--" U3);
    assert_string_equal(json_string_value(json_object_get(ok0, "version")),
                        "2016-04-06T20:03:00.000Z");
    json_t *f0 = json_array_get(res.failures, 0);
    assert_int_equal(json_integer_value(json_object_get(f0, "index")), 1);
    assert_non_null(strstr(json_string_value(json_object_get(f0, "message")), "indicator--" U2));
    /* ... and in zh-TW beside it (#18 item 12) */
    const char *zh0 = json_string_value(json_object_get(f0, "message_zh"));
    assert_non_null(zh0);
    assert_non_null(strstr(zh0, "indicator--" U2));
    assert_string_not_equal(zh0, json_string_value(json_object_get(f0, "message")));
    /* bytes as received */
    struct body b = {0};
    assert_int_equal(intel_read_object(f.c, &f.op, &col, "indicator--" U1, get_body, &b, &err),
                     FS_OK);
    assert_string_equal(b.text, IND(U1, "2016-04-06T20:03:00.000Z", "198.51.100.7"));
    /* the observables were indexed */
    struct body s = {0};
    assert_int_equal(intel_search(f.c, &f.op, "203.0.113.9", 10, get_body, &s, &err), FS_OK);
    assert_non_null(strstr(s.text, "indicator--" U3));
    json_object_del(st, "request_timestamp");
    status[way] = st;
    intel_ingest_result_release(&res);
    assert_null(res.status);
    hub_fixture_close(&f);
  }
  assert_true(json_equal(status[0], status[1]));
  json_decref(status[0]);
  json_decref(status[1]);
}

/* A second ingest of the same envelope: already present; a newer version is stored. */
static void test_versions_and_control(void **state)
{
  (void)state;
  struct hub_fixture f;
  struct fs_err err;
  struct intel_collection col;
  open_at(&f, "sector", &col);
  struct intel_ingest_result res;
  ingest_text(&f, &col, envelope, 1, NULL, &res);
  assert_null(res.status); /* no status_id, no status */
  intel_ingest_result_release(&res);
  ingest_text(&f, &col, envelope, 1, NULL, &res);
  assert_int_equal(res.success, 2);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(res.successes, 0), "message")),
      "already present");
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(res.successes, 0), "message_zh")), "已存在");
  intel_ingest_result_release(&res);
  const char *newer = "{\"objects\": [" IND(U1, "2016-04-07T00:00:00.000Z", "198.51.100.7") "]}";
  struct intel_ingest_options only = {.status_id = "6f0a4b9e-1c2d-4e3f-8a9b-0c1d2e3f4a5b",
                                      .status_only = true};
  ingest_text(&f, &col, newer, 1, &only, &res);
  assert_int_equal(res.success, 1);
  assert_null(res.successes); /* status_only: the lists are in the status alone */
  assert_null(res.failures);
  json_t *st = json_loads(res.status, 0, NULL);
  json_t *ok = json_array_get(json_object_get(st, "successes"), 0);
  assert_string_equal(json_string_value(json_object_get(ok, "version")),
                      "2016-04-07T00:00:00.000Z");
  assert_null(json_object_get(ok, "message"));
  json_decref(st);
  intel_ingest_result_release(&res);

  /* a stored id twice in one envelope, and once more in a newer version: each element is looked
   * up as stored (the batched look for stored ids marks every one of them) */
  const char *twice = "{\"objects\": [" IND(U1, "2016-04-06T20:03:00.000Z", "198.51.100.7") "," IND(
      U1, "2016-04-06T20:03:00.000Z", "198.51.100.7") "," IND(U1, "2016-04-08T00:00:00.000Z",
                                                              "198.51.100.7") "]}";
  ingest_text(&f, &col, twice, 1, NULL, &res);
  assert_int_equal(res.success, 3);
  assert_int_equal(res.failure, 0);
  for (size_t i = 0; i < 2; i++)
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(res.successes, i), "message")),
        "already present");
  assert_null(json_object_get(json_array_get(res.successes, 2), "message"));
  intel_ingest_result_release(&res);

  /* control properties are acted on and not published; an unknown recipient is refused */
  const char *ctl =
      "{\"objects\": [{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" U2
      "\",\"created\":\"2016-04-06T20:03:00.000Z\",\"modified\":\"2016-04-06T20:03:00.000Z\","
      "\"pattern\":\"[domain-name:value = 'a.example']\",\"pattern_type\":\"stix\","
      "\"valid_from\":\"2016-01-01T00:00:00Z\",\"x_finshield_anonymous\":false},"
      "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" U3
      "\",\"created\":\"2016-04-06T20:03:00.000Z\",\"modified\":\"2016-04-07T20:03:00.000Z\","
      "\"pattern\":\"[domain-name:value = 'b.example']\",\"pattern_type\":\"stix\","
      "\"valid_from\":\"2016-01-01T00:00:00Z\",\"x_finshield_recipients\":{\"orgs\":[\"nobody\"]}}]"
      "}";
  ingest_text(&f, &col, ctl, 1, NULL, &res);
  assert_int_equal(res.success, 1);
  assert_int_equal(res.failure, 1);
  assert_non_null(
      strstr(json_string_value(json_object_get(json_array_get(res.failures, 0), "message")),
             "no organisation \"nobody\""));
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(res.failures, 0), "message_zh")),
      "x_finshield_recipients.orgs[0]：沒有機構「nobody」");
  intel_ingest_result_release(&res);
  struct body b = {0};
  assert_int_equal(intel_read_object(f.c, &f.op, &col, "indicator--" U2, get_body, &b, &err),
                   FS_OK);
  assert_null(strstr(b.text, "x_finshield"));
  assert_non_null(strstr(b.text, "a.example"));
  hub_fixture_close(&f);
}

/* An anonymous submission: the creator is replaced by the hub's identity and the submitter's
 * identity object is withheld. */
static void test_anonymous(void **state)
{
  (void)state;
  struct hub_fixture f;
  struct fs_err err;
  struct intel_collection col;
  open_at(&f, "submissions", &col);
  const char *sub =
      "{\"type\":\"bundle\",\"id\":\"bundle--" U1 "\",\"objects\":["
      "{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"identity--" U2
      "\",\"created\":\"2016-04-06T20:03:00.000Z\",\"modified\":\"2016-04-06T20:03:00.000Z\","
      "\"name\":\"Bank\",\"identity_class\":\"organization\"},"
      "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" U3
      "\",\"created_by_ref\":\"identity--" U2 "\",\"created\":\"2016-04-06T20:03:00.000Z\","
      "\"modified\":\"2016-04-06T20:03:00.000Z\",\"pattern\":\"[url:value = 'http://x.example/']\","
      "\"pattern_type\":\"stix\",\"valid_from\":\"2016-01-01T00:00:00Z\"}]}";
  struct intel_ingest_options opt = {.anonymous = true};
  struct intel_ingest_result res;
  ingest_text(&f, &col, sub, 1, &opt, &res);
  assert_int_equal(res.success, 2);
  json_t *first = json_array_get(res.successes, 0);
  assert_string_equal(json_string_value(json_object_get(first, "id")), "identity--" U2);
  assert_non_null(strstr(json_string_value(json_object_get(first, "message")), "withheld"));
  intel_ingest_result_release(&res);
  struct body b = {0};
  assert_int_equal(intel_read_object(f.c, &f.op, &col, "indicator--" U3, get_body, &b, &err),
                   FS_OK);
  assert_null(strstr(b.text, "identity--" U2));
  char hub_id[STIX_ID_MAX];
  assert_int_equal(intel_hub_identity(f.c, hub_id, &err), FS_OK);
  assert_non_null(strstr(b.text, hub_id));
  b.n = 0;
  b.text[0] = '\0';
  intel_read_object(f.c, &f.op, &col, "identity--" U2, get_body, &b, &err);
  assert_int_equal(b.n, 0);
  hub_fixture_close(&f);
}

static int count_rows(const struct intel_row *row, void *ctx)
{
  (void)row;
  (*(size_t *)ctx)++;
  return FS_OK;
}

/* More objects than one multi-row statement takes, with two versions of one object in the same
 * envelope: the second version's flags are computed after the first's entry is written. */
/* 151 indicators (one a newer version of another), with refusals an invalid one and a number,
 * and then last. */
static void many_envelope(struct fs_buf *env, bool refusals, const char *last)
{
  fs_buf_append_str(env, "{\"objects\": [");
  for (int i = 0; i < 151; i++) {
    /* object 150 is a newer version of object 7 */
    int k = i == 150 ? 7 : i;
    fs_buf_appendf(env,
                   "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
                   "\"indicator--%08x-1dd9-446e-b6f5-d58527e5b5d2\",\"created\":"
                   "\"2016-04-06T20:03:00.000Z\",\"modified\":\"2016-04-%02dT20:03:00.000Z\","
                   "\"pattern\":\"[domain-name:value = 'h%d.Example']\",\"pattern_type\":"
                   "\"stix\",\"valid_from\":\"2016-01-01T00:00:00Z\"}",
                   i ? "," : "", (unsigned)k * 2654435761u, i == 150 ? 9 : 6, i);
    if (refusals && i == 60)
      fs_buf_append_str(env, ",{\"type\": \"indicator\", \"id\": \"indicator--" U2 "\"}, 7");
  }
  fs_buf_appendf(env, "%s]}", last);
}

static void test_many(void **state)
{
  (void)state;
  struct hub_fixture f;
  struct fs_err err;
  struct intel_collection col;
  open_at(&f, "sector", &col);
  struct fs_buf env;
  fs_buf_init(&env, 0);
  many_envelope(&env, false, "");
  struct intel_ingest_result res;
  ingest_text(&f, &col, fs_buf_cstr(&env), 1, NULL, &res);
  assert_int_equal(res.success, 151);
  assert_int_equal(res.failure, 0);
  intel_ingest_result_release(&res);
  char id[64];
  snprintf(id, sizeof(id), "indicator--%08x-1dd9-446e-b6f5-d58527e5b5d2", 7u * 2654435761u);
  size_t n = 0;
  assert_int_equal(intel_read_object(f.c, &f.op, &col, id, count_rows, &n, &err), FS_OK);
  assert_int_equal(n, 2);
  /* the latest-version flag moved to the newer one */
  struct stix_taxii_query q;
  struct fs_arena arena;
  fs_arena_init(&arena, 0, 0);
  char query[128];
  snprintf(query, sizeof(query), "match[id]=%s", id);
  assert_int_equal(
      stix_taxii_query_parse(query, strlen(query), STIX_TAXII_EP_OBJECTS, NULL, &arena, &q, &err),
      FS_OK);
  struct intel_page page = {.q = &q, .limit = 10};
  struct body b = {0};
  assert_int_equal(intel_read_collection(f.c, &f.op, &col, &page, get_body, &b, &err), FS_OK);
  assert_int_equal(page.returned, 1);
  assert_non_null(strstr(b.text, "2016-04-09T20:03:00.000Z"));
  fs_arena_release(&arena);
  /* every observable was indexed, lower-cased */
  for (int i = 0; i < 151; i++) {
    char value[32];
    snprintf(value, sizeof(value), "h%d.example", i);
    n = 0;
    assert_int_equal(intel_search(f.c, &f.op, value, 10, count_rows, &n, &err), FS_OK);
    assert_int_equal(n, 1);
  }
  fs_buf_release(&env);
  hub_fixture_close(&f);
}

/* Read on one thread or on several, a document gives the same verdicts, in the same order, and
 * stores the same things. */
static void test_threads_agree(void **state)
{
  (void)state;
  struct fs_buf env;
  fs_buf_init(&env, 0);
  many_envelope(&env, true, "");
  json_t *ok[2], *failed[2];
  for (int way = 0; way < 2; way++) {
    struct hub_fixture f;
    struct intel_collection col;
    open_at(&f, "sector", &col);
    struct intel_ingest_result res;
    ingest_text(&f, &col, fs_buf_cstr(&env), way ? 3 : 1, NULL, &res);
    assert_int_equal(res.total, 153);
    assert_int_equal(res.success, 151);
    assert_int_equal(res.failure, 2);
    ok[way] = json_incref(res.successes);
    failed[way] = json_incref(res.failures);
    intel_ingest_result_release(&res);
    hub_fixture_close(&f);
  }
  assert_true(json_equal(ok[0], ok[1]));
  assert_true(json_equal(failed[0], failed[1]));
  for (int way = 0; way < 2; way++) {
    json_decref(ok[way]);
    json_decref(failed[way]);
  }
  /* A duplicate key in the last run's element fails the whole document, with its place. */
  fs_buf_reset(&env);
  many_envelope(&env, true, ",{\"type\":\"x\",\"type\":\"y\"}");
  struct intel_batch *b = (struct intel_batch *)1;
  struct fs_err err;
  assert_int_equal(intel_batch_read(fs_buf_cstr(&env), env.len, NULL, 3, &b, &err), FS_ERR_PARSE);
  assert_null(b);
  assert_non_null(strstr(err.msg, "duplicate"));
  fs_buf_release(&env);
}

/* A document that is not JSON, or too large: an error, nothing read. */
/* The ingest's radix sort orders like qsort with the full comparison, and keeps the order of
 * elements that compare equal. */
struct elem {
  uint64_t key;
  uint32_t tie; /* compared after the key */
  uint32_t pos; /* where it was: equal elements keep their order */
};

static int cmp_tie(const void *a, const void *b)
{
  const struct elem *x = a, *y = b;
  int r = (x->tie > y->tie) - (x->tie < y->tie);
  return r ? r : (x->pos > y->pos) - (x->pos < y->pos);
}

static int cmp_key_pos(const void *a, const void *b)
{
  const struct elem *x = a, *y = b;
  int r = (x->key > y->key) - (x->key < y->key);
  return r ? r : (x->pos > y->pos) - (x->pos < y->pos);
}

static int cmp_full(const void *a, const void *b)
{
  const struct elem *x = a, *y = b;
  int r = (x->key > y->key) - (x->key < y->key);
  return r ? r : cmp_tie(a, b);
}

static void test_prefix_sort(void **state)
{
  (void)state;
  enum { N = 5000 };
  static struct elem a[N], b[N], want[N];
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < N; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    /* few distinct keys in some bytes, many in others, ties and the highest key */
    a[i].key = i % 7 == 0 ? UINT64_MAX : (x & 0xff00ff0000000fffull) | (uint64_t)(x % 3) << 40;
    a[i].tie = (uint32_t)(x >> 50) % 4;
    a[i].pos = (uint32_t)i;
  }
  memcpy(b, a, sizeof(a));
  memcpy(want, a, sizeof(a));
  qsort(want, N, sizeof(*want), cmp_full);
  assert_true(intel_prefix_sort(a, N, sizeof(*a), cmp_tie));
  assert_memory_equal(a, want, sizeof(a));
  /* without a comparison, equal keys stay in the order they came */
  qsort(want, N, sizeof(*want), cmp_key_pos);
  assert_true(intel_prefix_sort(b, N, sizeof(*b), NULL));
  assert_memory_equal(b, want, sizeof(b));
  struct elem one = {.key = 1};
  assert_true(intel_prefix_sort(&one, 1, sizeof(one), NULL));
  assert_true(intel_prefix_sort(NULL, 0, sizeof(one), NULL));
}

static void test_batch_errors(void **state)
{
  (void)state;
  struct intel_batch *b = (struct intel_batch *)1;
  struct fs_err err;
  assert_int_equal(intel_batch_read("{\"objects\": [1,", 15, NULL, 2, &b, &err), FS_ERR_PARSE);
  assert_null(b);
  struct stix_limits lim = {.max_objects = 1};
  assert_int_equal(intel_batch_read(envelope, strlen(envelope), &lim, 2, &b, &err),
                   FS_ERR_TOO_LARGE);
  assert_null(b);
  intel_batch_free(NULL);
}

/* Where hub-to-hub synchronisation stands: per remote collection and direction, replaced. */
static void test_sync_positions(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  struct fs_err err;
  char pos[64] = "x";
  const char *url = "https://peer.example/taxii2/api/";
  assert_int_equal(intel_sync_position(f.c, url, "sector", "pull", pos, &err), FS_OK);
  assert_string_equal(pos, "");
  assert_int_equal(
      intel_sync_position_set(f.c, url, "sector", "pull", "2026-01-01T00:00:00Z", 1, &err), FS_OK);
  assert_int_equal(intel_sync_position_set(f.c, url, "sector", "push", "17", 2, &err), FS_OK);
  assert_int_equal(
      intel_sync_position_set(f.c, url, "sector", "pull", "2026-02-01T00:00:00Z", 3, &err), FS_OK);
  assert_int_equal(intel_sync_position(f.c, url, "sector", "pull", pos, &err), FS_OK);
  assert_string_equal(pos, "2026-02-01T00:00:00Z");
  assert_int_equal(intel_sync_position(f.c, url, "sector", "push", pos, &err), FS_OK);
  assert_string_equal(pos, "17");
  assert_int_equal(intel_sync_position(f.c, url, "other", "pull", pos, &err), FS_OK);
  assert_string_equal(pos, "");
  hub_fixture_close(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_batch_and_doc), cmocka_unit_test(test_versions_and_control),
      cmocka_unit_test(test_anonymous),     cmocka_unit_test(test_many),
      cmocka_unit_test(test_threads_agree), cmocka_unit_test(test_batch_errors),
      cmocka_unit_test(test_prefix_sort),   cmocka_unit_test(test_sync_positions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
