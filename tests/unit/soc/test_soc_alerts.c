/* soc/: alert deduplication (per organisation and key, within soc.dedup_window), sector alerts
 * (soc.sector_threshold organisations within soc.sector_window, one per window, and its draft
 * case), alert pages (one loop for every filter and both orders, past hidden rows), and the
 * processing pool (jobs run on its threads with their own workers, side by side,
 * the caller waiting; idle once a thread has worked; stats). Time is the hub's clock file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socfixture.h"
#include "soc/soc_int.h"

#include <pthread.h>
#include <stdatomic.h>

/* The hub's clock, moved by the test. */
struct clock {
  char path[300];
};

static void clock_set(struct hub_fixture *f, struct clock *k, const char *when)
{
  if (!k->path[0]) {
    snprintf(k->path, sizeof(k->path), "%s/clock", f->dir);
    f->hub.clock.override_file = k->path;
  }
  FILE *out = fopen(k->path, "w");
  assert_non_null(out);
  fprintf(out, "%s\n", when);
  fclose(out);
}

/* An alert row written as it is (seq, kind, ref): the paging test needs thousands. */
static void put_alert(struct hub_fixture *f, const char *org_id, int64_t seq, const char *kind,
                      const char *ref)
{
  struct fs_err err;
  char id[40];
  snprintf(id, sizeof(id), "alert-%lld", (long long)seq);
  if (store_exec(f->c, NULL, &err,
                 "INSERT INTO soc_alert (id, seq, org_id, kind, ref, ref_name, severity, dedup,"
                 " value, event, source, first_at, last_at, count)"
                 " VALUES (?, ?, ?, ?, ?, 'x', 'high', ?, '192.0.2.1', 'e', 'http:test', ?, ?, 1)",
                 "sissssii", id, seq, org_id, kind, ref, id, seq, seq))
    fail_msg("insert: %s: %s", err.where, err.msg);
}

/* Every page of f as `who` sees it, the positions handed on as a caller would hand them back;
 * the alerts' ids joined in out, the pages counted in *pages, the fullest page in *widest. */
static void walk(struct hub_fixture *fx, const struct actor *who, struct soc_alert_filter f,
                 char *out, size_t n, int *pages, size_t *widest)
{
  struct fs_err err;
  out[0] = '\0';
  *pages = 0;
  *widest = 0;
  do {
    json_t *page = NULL;
    int64_t next = -1;
    if (soc_alerts_json(fx->c, who, &f, &page, &next, &err))
      fail_msg("page: %s: %s", err.where, err.msg);
    json_t *items = json_object_get(page, "items"), *a;
    size_t i;
    json_array_foreach(items, i, a)
    {
      size_t len = strlen(out);
      snprintf(out + len, n - len, "%s%s", len ? " " : "",
               json_string_value(json_object_get(a, "id")));
      assert_true(!json_object_get(a, "seq") == !who->local);
    }
    if (json_array_size(items) > *widest)
      *widest = json_array_size(items);
    json_decref(page);
    f.after = next;
    assert_true(++*pages < 100);
  } while (f.after);
}

/* One loop pages every filter in both orders: it reads past alerts the reader may not see
 * (here: of an indicator that is nobody's to read) within its budget of 20 x limit + 2000 rows,
 * going on from the last row read, so that pages are full unless the budget ran out. */
static void test_pages_read_past_hidden(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  char a[37];
  hub_fixture_org(&f, "bank-a", a);
  assert_int_equal(store_begin(f.c, true, &(struct fs_err){0}), FS_OK);
  put_alert(&f, a, 1, "sigma", "rule-1");
  for (int64_t seq = 2; seq < 4400; seq++)
    put_alert(&f, a, seq, "ioc", "indicator--00000000-0000-4000-8000-000000000000");
  put_alert(&f, a, 4400, "sigma", "rule-1");
  put_alert(&f, a, 4401, "sigma", "rule-2");
  assert_int_equal(store_commit(f.c, &(struct fs_err){0}), FS_OK);
  struct actor hub = f.op;
  hub.local = false;
  hub.role = AUTH_ROLE_HUB_ANALYST;
  char ids[256];
  int pages;
  size_t widest;
  /* Oldest first, two a page: each page's budget (2040 rows, read 200 at a time) runs out in
   * the 4398 hidden ones, after alert-1 and after alert-4400, with a cursor to go on each time;
   * the last page ends the list. */
  walk(&f, &hub, (struct soc_alert_filter){.limit = 2}, ids, sizeof(ids), &pages, &widest);
  assert_string_equal(ids, "alert-1 alert-4400 alert-4401");
  assert_int_equal(pages, 3);
  /* Newest first, one a page: the two newest fill their pages; then the budget runs out in the
   * hidden rows, and alert-1 comes on a later page. */
  walk(&f, &hub, (struct soc_alert_filter){.limit = 1, .newest_first = true}, ids, sizeof(ids),
       &pages, &widest);
  assert_string_equal(ids, "alert-4401 alert-4400 alert-1");
  assert_int_equal(widest, 1);
  assert_true(pages > 3); /* pages with no alert, where the budget ran out */
  /* A filter that leaves the hidden rows out in SQL: full pages and nothing more. */
  walk(&f, &hub, (struct soc_alert_filter){.limit = 1, .newest_first = true, .kind = "sigma"}, ids,
       sizeof(ids), &pages, &widest);
  assert_string_equal(ids, "alert-4401 alert-4400 alert-1");
  assert_int_equal(pages, 3);
  walk(&f, &hub, (struct soc_alert_filter){.limit = 5, .ref = "rule-1", .value = "192.0.2.1"}, ids,
       sizeof(ids), &pages, &widest);
  assert_string_equal(ids, "alert-1 alert-4400");
  assert_int_equal(pages, 1);
  /* The local operator reads everything, with seq. */
  walk(&f, &f.op, (struct soc_alert_filter){.limit = 1000, .kind = "sigma", .newest_first = true},
       ids, sizeof(ids), &pages, &widest);
  assert_string_equal(ids, "alert-4401 alert-4400 alert-1");
  hub_fixture_close(&f);
}

/* A Sigma rule's hit (no indicator to look up, no sighting) with a dedup key. */
static struct soc_found rule_hit(const char *rule, const char *dedup)
{
  struct soc_found f = {.kind = DETECT_ALERT_SIGMA, .event_ms = INT64_MIN};
  snprintf(f.ref, sizeof(f.ref), "%s", rule);
  snprintf(f.ref_name, sizeof(f.ref_name), "Rule %s", rule);
  snprintf(f.severity, sizeof(f.severity), "high");
  snprintf(f.dedup, sizeof(f.dedup), "%s", dedup);
  return f;
}

/* Stores one hit of org in its own transaction; the count of new alerts. */
static size_t store_hit(struct hub_fixture *f, struct soc_engine *e, const char *org,
                        struct soc_found hit)
{
  struct fs_err err;
  size_t fresh = 0;
  assert_int_equal(store_begin(f->c, true, &err), FS_OK);
  if (soc_alerts_store(f->c, e, org, "http:test", &hit, 1, &fresh, &err))
    fail_msg("store: %s: %s", err.where, err.msg);
  assert_int_equal(store_commit(f->c, &err), FS_OK);
  return fresh;
}

/* The counts of org's alerts of rule, oldest first, as "2 1". */
static const char *counts_of(struct hub_fixture *f, const char *org_code, const char *rule)
{
  static char out[128];
  json_t *all = NULL;
  struct fs_err err;
  int64_t next;
  assert_int_equal(soc_alerts_json(f->c, &f->op,
                                   &(struct soc_alert_filter){.limit = 1000, .org = org_code}, &all,
                                   &next, &err),
                   FS_OK);
  out[0] = '\0';
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(all, "items"), i, a)
  {
    if (strcmp(json_string_value(json_object_get(a, "ref")), rule))
      continue;
    size_t n = strlen(out);
    snprintf(out + n, sizeof(out) - n, "%s%lld", n ? " " : "",
             (long long)json_integer_value(json_object_get(a, "count")));
  }
  json_decref(all);
  return out;
}

static struct soc_engine *engine(struct hub_fixture *f)
{
  struct soc_engine *e = NULL;
  struct fs_err err;
  if (start_engine(f, &e, &err))
    fail_msg("engine: %s: %s", err.where, err.msg);
  return e;
}

static void test_dedup(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  struct clock k = {0};
  clock_set(&f, &k, "2026-11-27T10:00:00Z");
  f.hub.cfg.soc_dedup_window_s = 300;
  f.hub.cfg.soc_sector_threshold = 1000; /* no sector alert here */
  char a[37], b[37];
  hub_fixture_org(&f, "bank-a", a);
  hub_fixture_org(&f, "bank-b", b);
  struct soc_engine *e = engine(&f);
  assert_int_equal(store_hit(&f, e, a, rule_hit("rule-1", "k1")), 1);
  /* Within the window: the same key at the same organisation counts into the alert. */
  clock_set(&f, &k, "2026-11-27T10:04:00Z");
  assert_int_equal(store_hit(&f, e, a, rule_hit("rule-1", "k1")), 0);
  assert_string_equal(counts_of(&f, "bank-a", "rule-1"), "2");
  /* Another key, or another organisation: alerts of their own. */
  assert_int_equal(store_hit(&f, e, a, rule_hit("rule-1", "k2")), 1);
  assert_int_equal(store_hit(&f, e, b, rule_hit("rule-1", "k1")), 1);
  assert_string_equal(counts_of(&f, "bank-a", "rule-1"), "2 1");
  assert_string_equal(counts_of(&f, "bank-b", "rule-1"), "1");
  /* The window runs from the alert's last hit: 4 min 59 s later it still counts, 5 min 1 s after
   * that a new alert starts. */
  clock_set(&f, &k, "2026-11-27T10:08:59Z");
  assert_int_equal(store_hit(&f, e, a, rule_hit("rule-1", "k1")), 0);
  clock_set(&f, &k, "2026-11-27T10:14:00Z");
  assert_int_equal(store_hit(&f, e, a, rule_hit("rule-1", "k1")), 1);
  assert_string_equal(counts_of(&f, "bank-a", "rule-1"), "3 1 1");
  soc_engine_stop(e);
  hub_fixture_close(&f);
}

static json_t *sector_alerts(struct hub_fixture *f)
{
  json_t *out = NULL;
  struct fs_err err;
  assert_int_equal(soc_sector_alerts_json(f->c, &f->op, &(struct auth_page){100, NULL}, &out, &err),
                   FS_OK);
  json_t *items = json_incref(json_object_get(out, "items"));
  json_decref(out);
  return items;
}

static void test_sector_threshold(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  struct clock k = {0};
  clock_set(&f, &k, "2026-11-27T10:00:00Z");
  f.hub.cfg.soc_sector_threshold = 3;
  f.hub.cfg.soc_sector_window_s = 3600;
  char org[5][37];
  static const char *const codes[] = {"bank-a", "bank-b", "bank-c", "bank-d", "bank-e"};
  for (int i = 0; i < 5; i++)
    hub_fixture_org(&f, codes[i], org[i]);
  struct soc_engine *e = engine(&f);
  /* Two organisations: below the threshold, nothing. */
  store_hit(&f, e, org[0], rule_hit("rule-s", "a"));
  store_hit(&f, e, org[1], rule_hit("rule-s", "b"));
  json_t *s = sector_alerts(&f);
  assert_int_equal(json_array_size(s), 0);
  json_decref(s);
  /* The third: one sector alert, with the hub's draft case. A second hit of the same
   * organisation adds no organisation. */
  clock_set(&f, &k, "2026-11-27T10:30:00Z");
  store_hit(&f, e, org[2], rule_hit("rule-s", "c"));
  store_hit(&f, e, org[2], rule_hit("rule-s", "c"));
  s = sector_alerts(&f);
  assert_int_equal(json_array_size(s), 1);
  json_t *sa = json_array_get(s, 0);
  assert_int_equal(json_integer_value(json_object_get(sa, "organisations")), 3);
  assert_string_equal(json_string_value(json_object_get(sa, "ref")), "rule-s");
  assert_true(json_is_string(json_object_get(sa, "incident")));
  char first_id[64];
  snprintf(first_id, sizeof(first_id), "%s", json_string_value(json_object_get(sa, "id")));
  json_decref(s);
  /* A fourth within the window: the same sector alert, counting four. */
  store_hit(&f, e, org[3], rule_hit("rule-s", "d"));
  s = sector_alerts(&f);
  assert_int_equal(json_array_size(s), 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(s, 0), "organisations")), 4);
  json_decref(s);
  /* Past the window, hits must gather again: two are not enough, a third makes a second sector
   * alert. */
  clock_set(&f, &k, "2026-11-27T12:00:00Z");
  store_hit(&f, e, org[4], rule_hit("rule-s", "e"));
  store_hit(&f, e, org[0], rule_hit("rule-s", "a"));
  s = sector_alerts(&f);
  assert_int_equal(json_array_size(s), 1);
  json_decref(s);
  store_hit(&f, e, org[1], rule_hit("rule-s", "b"));
  s = sector_alerts(&f);
  assert_int_equal(json_array_size(s), 2);
  size_t i;
  json_t *x;
  int newer = 0;
  json_array_foreach(s, i, x) if (strcmp(json_string_value(json_object_get(x, "id")), first_id))
  {
    newer++;
    assert_int_equal(json_integer_value(json_object_get(x, "organisations")), 3);
  }
  assert_int_equal(newer, 1);
  json_decref(s);
  soc_engine_stop(e);
  hub_fixture_close(&f);
}

/* ---- the pool ----------------------------------------------------------------------------- */

struct gate {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool entered, open;
  struct soc_worker *w;
};

static void gated_job(void *arg, struct soc_worker *w)
{
  struct gate *g = arg;
  pthread_mutex_lock(&g->lock);
  g->w = w;
  g->entered = true;
  pthread_cond_broadcast(&g->cond);
  while (!g->open)
    pthread_cond_wait(&g->cond, &g->lock);
  pthread_mutex_unlock(&g->lock);
}

static void plain_job(void *arg, struct soc_worker *w)
{
  *(struct soc_worker **)arg = w;
}

static atomic_int idles;

static void on_idle(void *arg, struct soc_worker *w)
{
  (void)arg;
  assert_non_null(w);
  atomic_fetch_add(&idles, 1);
}

struct runner {
  struct soc_pool *p;
  struct gate *g;
};

static void *run_gated(void *arg)
{
  struct runner *r = arg;
  soc_pool_run(r->p, gated_job, r->g); /* returns once the job has run */
  return NULL;
}

static void test_pool(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  struct soc_engine *e = engine(&f);
  struct soc_pool *p = NULL;
  struct fs_err err;
  atomic_store(&idles, 0);
  assert_int_equal(soc_pool_start(e, 2, on_idle, NULL, &p, &err), FS_OK);
  size_t threads, busy, queued;
  soc_pool_stats(p, &threads, &busy, &queued);
  assert_int_equal(threads, 2);
  assert_int_equal(busy + queued, 0);
  /* A job that holds its thread; the caller waits for it meanwhile. */
  struct gate g = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
  struct runner r = {p, &g};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, run_gated, &r), 0);
  pthread_mutex_lock(&g.lock);
  while (!g.entered)
    pthread_cond_wait(&g.cond, &g.lock);
  pthread_mutex_unlock(&g.lock);
  soc_pool_stats(p, &threads, &busy, &queued);
  assert_int_equal(busy, 1);
  /* Another job runs beside it, on the other thread with its own worker, and its caller gets
   * it done. */
  struct soc_worker *w2 = NULL;
  soc_pool_run(p, plain_job, &w2);
  assert_non_null(w2);
  assert_non_null(g.w);
  assert_ptr_not_equal(w2, g.w);
  soc_pool_stats(p, &threads, &busy, &queued);
  assert_int_equal(busy, 1);
  assert_int_equal(queued, 0);
  pthread_mutex_lock(&g.lock);
  g.open = true;
  pthread_cond_broadcast(&g.cond);
  pthread_mutex_unlock(&g.lock);
  pthread_join(t, NULL);
  /* Stopping: each thread that worked was idle once (where pending alerts are stored). */
  soc_pool_stop(p);
  assert_int_equal(atomic_load(&idles), 2);
  soc_engine_stop(e);
  hub_fixture_close(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dedup),
      cmocka_unit_test(test_sector_threshold),
      cmocka_unit_test(test_pool),
      cmocka_unit_test(test_pages_read_past_hidden),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
