/* Statistics of incident response: counts by category, level, industry and month, times to
 * report, contain and recover, and the share of clocks met per organisation. */
#include "auth/org.h"
#include "core/jsonx.h"
#include "core/vec.h"
#include "incident/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bump(json_t *obj, const char *key)
{
  json_t *v = json_object_get(obj, key);
  json_object_set_new(obj, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

struct series {
  int64_t *v;
  size_t n, cap;
};

static void add(struct series *s, int64_t x)
{
  if (FS_VEC_GROW(s->v, s->n, s->cap, 64))
    return;
  s->v[s->n++] = x;
}

static json_t *summary(struct series *s)
{
  if (!s->n)
    return json_pack("{s:i,s:n,s:n}", "count", 0, "median_seconds", "mean_seconds");
  qsort(s->v, s->n, sizeof(*s->v), cmp_i64);
  int64_t sum = 0;
  for (size_t i = 0; i < s->n; i++)
    sum += s->v[i];
  int64_t median = s->n % 2 ? s->v[s->n / 2] : (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
  return json_pack("{s:I,s:I,s:I}", "count", (json_int_t)s->n, "median_seconds",
                   (json_int_t)(median / 1000), "mean_seconds",
                   (json_int_t)(sum / (int64_t)s->n / 1000));
}

int incident_stats_json(struct store_conn *c, const struct actor *who,
                        const struct incident_env *env, int64_t from, int64_t to, json_t **out,
                        struct fs_err *err)
{
  struct policy_target any = {.org_id = NULL, .role = -1};
  bool all = policy_allows(who, POLICY_INCIDENT_STATS_ALL, &any);
  struct store_stmt *s;
  int rc =
      store_query(c, &s, err,
                  "SELECT i.org_id, i.category, i.level, i.discovered_at, i.reported_at,"
                  " i.level_reviewed_at, i.contained_at, i.recovered_at, i.report_done_at, i.status"
                  " FROM incident i"
                  " WHERE i.status NOT IN ('draft', 'merged') AND (? = 1 OR i.org_id = ?)"
                  " AND (? = 0 OR i.discovered_at >= ?) AND (? = 0 OR i.discovered_at < ?)",
                  "isiiii", (int64_t)all, who->org_id, from, from, to, to);
  if (rc)
    return rc;
  json_t *by_cat = json_object(), *by_level = json_object(), *by_ind = json_object(),
         *by_month = json_object(), *orgs = json_object();
  struct series t_report = {0}, t_contain = {0}, t_recover = {0};
  int64_t total = 0;
  bool row;
  struct org_briefs briefs = {0};
  while (!(rc = store_step(s, &row, err)) && row) {
    struct policy_target t = {.org_id = store_col_text(s, 0), .role = -1};
    if (!all && !policy_allows(who, POLICY_INCIDENT_READ, &t))
      continue;
    struct org_brief org;
    if ((rc = org_briefs_get(c, &briefs, t.org_id, &org, err)))
      break;
    total++;
    bump(by_cat, store_col_text(s, 1));
    char lv[4];
    snprintf(lv, sizeof(lv), "%d", (int)store_col_int(s, 2));
    bump(by_level, lv);
    bump(by_ind, org.industry);
    char local[48], month[8];
    incident_local_time(store_col_int(s, 3), local);
    snprintf(month, sizeof(month), "%.7s", local);
    bump(by_month, month);
    struct incident_row r;
    memset(&r, 0, sizeof(r));
    r.level = (int)store_col_int(s, 2);
    r.discovered = store_col_int(s, 3);
    r.reported = store_col_int(s, 4);
    r.reviewed = store_col_int(s, 5);
    r.contained = store_col_int(s, 6);
    r.recovered = store_col_int(s, 7);
    r.report_done = store_col_int(s, 8);
    if (r.reported)
      add(&t_report, r.reported - r.discovered);
    int64_t controlled =
        r.contained && (!r.recovered || r.contained < r.recovered) ? r.contained : r.recovered;
    if (controlled)
      add(&t_contain, controlled - r.discovered);
    if (r.recovered)
      add(&t_recover, r.recovered - r.discovered);
    struct incident_times tm;
    incident_row_times(&r, &tm);
    struct incident_clock k[INCIDENT_CLOCK__COUNT];
    incident_clocks_compute(incident_policy_clocks(&env->policy, org.industry), &tm, who->now_ms,
                            k);
    const char *code = org.code;
    json_t *o = json_object_get(orgs, code);
    if (!o) {
      o = json_pack("{s:s,s:i,s:i,s:i}", "org", code, "incidents", 0, "clocks_decided", 0,
                    "clocks_met", 0);
      json_object_set_new(orgs, code, o);
    }
    json_object_set_new(o, "incidents",
                        json_integer(json_integer_value(json_object_get(o, "incidents")) + 1));
    for (int i = 0; i < INCIDENT_CLOCK__COUNT; i++) {
      if (k[i].state == INCIDENT_CLOCK_PENDING || k[i].state == INCIDENT_CLOCK_RUNNING)
        continue;
      json_object_set_new(
          o, "clocks_decided",
          json_integer(json_integer_value(json_object_get(o, "clocks_decided")) + 1));
      if (k[i].state == INCIDENT_CLOCK_MET)
        json_object_set_new(o, "clocks_met",
                            json_integer(json_integer_value(json_object_get(o, "clocks_met")) + 1));
    }
  }
  store_done(s);
  org_briefs_release(&briefs);
  /* Organisations in the order of their codes. */
  json_t *per_org = json_array();
  size_t n_codes = 0;
  const char **codes = calloc(json_object_size(orgs) + 1, sizeof(*codes));
  const char *key;
  json_t *o;
  json_object_foreach(orgs, key, o)
  {
    json_int_t d = json_integer_value(json_object_get(o, "clocks_decided"));
    json_int_t m = json_integer_value(json_object_get(o, "clocks_met"));
    json_object_set_new(o, "share_met", d ? json_real((double)m / (double)d) : json_null());
    if (codes)
      codes[n_codes++] = key;
  }
  if (!codes && !rc)
    rc = fs_err_set(err, FS_ERR_NOMEM, "statistics", "out of memory");
  if (codes)
    qsort(codes, n_codes, sizeof(*codes), cmp_str);
  for (size_t i = 0; i < n_codes; i++)
    json_array_append(per_org, json_object_get(orgs, codes[i]));
  free(codes);
  json_decref(orgs);
  if (!rc)
    *out = json_pack("{s:s,s:I,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o},s:o}", "scope",
                     all ? "sector" : "organisation", "incidents", (json_int_t)total, "by_category",
                     by_cat, "by_level", by_level, "by_industry", by_ind, "by_month", by_month,
                     "times", "to_report", summary(&t_report), "to_contain", summary(&t_contain),
                     "to_recover", summary(&t_recover), "clocks_by_org", per_org);
  else {
    json_decref(by_cat);
    json_decref(by_level);
    json_decref(by_ind);
    json_decref(by_month);
    json_decref(per_org);
  }
  free(t_report.v);
  free(t_contain.v);
  free(t_recover.v);
  return rc;
}
