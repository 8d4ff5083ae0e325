/* The supervisor's periodic report: every member institution evaluated as of the period's end,
 * aggregated by industry and by size tier. */
#include "supervision/internal.h"

#include "auth/org.h"
#include "auth/policy.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "resilience/register.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t day_start_ms(int64_t y, unsigned m, unsigned d)
{
  return fs_days_from_civil(y, m, d) * 86400000 - (int64_t)FS_TIME_TAIPEI_OFFSET_MIN * 60000;
}

int sup_period_parse(const char *s, int64_t *from, int64_t *to, struct fs_err *err)
{
  int y = 0, n = 0;
  char kind = 0, tail;
  if (s && strlen(s) == 7 && sscanf(s, "%4d-Q%1d%c", &y, &n, &tail) == 2 && n >= 1 && n <= 4)
    kind = 'Q';
  else if (s && strlen(s) == 7 && sscanf(s, "%4d-H%1d%c", &y, &n, &tail) == 2 && n >= 1 && n <= 2)
    kind = 'H';
  else if (s && strlen(s) == 7 && s[4] == '-' && sscanf(s, "%4d-%2d%c", &y, &n, &tail) == 2 &&
           n >= 1 && n <= 12)
    kind = 'M';
  else if (s && strlen(s) == 4 && sscanf(s, "%4d%c", &y, &tail) == 1)
    kind = 'Y';
  if (!kind || y < 2000 || y > 2100)
    return fs_err_set(err, FS_ERR_INVALID, "period",
                      "a period is 2026-Q3, 2026-H1, 2026-07 or 2026, not \"%.20s\"", s ? s : "");
  unsigned m0 = kind == 'Q'   ? (unsigned)(3 * (n - 1) + 1)
                : kind == 'H' ? (unsigned)(6 * (n - 1) + 1)
                : kind == 'M' ? (unsigned)n
                              : 1;
  unsigned months = kind == 'Q' ? 3 : kind == 'H' ? 6 : kind == 'M' ? 1 : 12;
  unsigned m1 = m0 + months;
  *from = day_start_ms(y, m0, 1);
  *to = m1 > 12 ? day_start_ms(y + 1, m1 - 12, 1) : day_start_ms(y, m1, 1);
  return FS_OK;
}

/* ---- aggregation ------------------------------------------------------------------------------
 */

#define NSTAT 22
static const char *const stat_names[NSTAT] = {"orgs",
                                              "compliance_total",
                                              "compliance_met",
                                              "fully_compliant",
                                              "services",
                                              "services_passed",
                                              "drills_overdue",
                                              "drills_fail",
                                              "phishing_exercises",
                                              "phishing_meeting_targets",
                                              "phishing_click_rate_sum",
                                              "ddos_exercises",
                                              "ddos_pass",
                                              "pentest_exercises",
                                              "findings_open",
                                              "findings_overdue",
                                              "findings_escalated",
                                              "incidents",
                                              "incidents_major",
                                              "clocks_decided",
                                              "clocks_met",
                                              "score_sum"};

struct group {
  char key[40];
  double v[NSTAT];
  json_t *tiers; /* score tier -> count */
};

struct rep {
  struct store_conn *c;
  const struct sup_env *env;
  int64_t from, at;
  struct group total;
  struct group ind[ORG_INDUSTRY__COUNT];
  struct group size[3];
  json_t *attention;
  json_t *scores; /* every institution's line */
};

static double fv(const json_t *facts, const char *name)
{
  const json_t *v = json_object_get(json_object_get(facts, name), "value");
  return json_is_number(v) ? json_number_value(v) : json_is_true(v) ? 1 : 0;
}

static void add(struct group *g, const double *x, const char *tier)
{
  for (int i = 0; i < NSTAT; i++)
    g->v[i] += x[i];
  if (!g->tiers)
    g->tiers = json_object();
  json_t *n = json_object_get(g->tiers, tier);
  json_object_set_new(g->tiers, tier, json_integer(n ? json_integer_value(n) + 1 : 1));
}

static const char *jstr(const json_t *o, const char *k)
{
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

static int one(const json_t *o, void *ctx, struct fs_err *err)
{
  struct rep *r = ctx;
  json_t *mfacts, *facts, *comp, *score;
  /* Score and compliance as the scores endpoint gives them on the period's last day (the model's
   * look-back); drills, exercises and incidents of the period itself. */
  int rc = sup_evaluate_org(r->c, r->env, jstr(o, "id"), o, 0, r->at, &mfacts, &comp, &score, err);
  if (rc)
    return rc;
  json_decref(mfacts);
  if ((rc = sup_facts_window(r->c, r->env, jstr(o, "id"), r->from, r->at, &facts, err))) {
    json_decref(comp);
    json_decref(score);
    return rc;
  }
  double x[NSTAT] = {0};
  double req = json_number_value(json_object_get(comp, "requirements"));
  double met = json_number_value(json_object_get(comp, "met"));
  x[0] = 1;
  x[1] = req;
  x[2] = met;
  x[3] = req == met;
  x[4] = fv(facts, "drills.services");
  x[5] = fv(facts, "drills.passed_in_period");
  x[6] = fv(facts, "drills.overdue");
  x[7] = fv(facts, "drills.fail");
  x[8] = fv(facts, "phishing.exercises") > 0;
  x[9] = fv(facts, "phishing.exercises") > 0 && fv(facts, "phishing.meets_targets");
  x[10] = fv(facts, "phishing.exercises") > 0 ? fv(facts, "phishing.click_rate") : 0;
  x[11] = fv(facts, "ddos.exercises") > 0;
  x[12] = fv(facts, "ddos.exercises") > 0 && fv(facts, "ddos.pass");
  x[13] = fv(facts, "pentest.exercises");
  x[14] = fv(facts, "findings.open");
  x[15] = fv(facts, "findings.overdue");
  x[16] = fv(facts, "findings.escalated");
  x[17] = fv(facts, "incidents.total");
  x[18] = fv(facts, "incidents.major");
  x[19] = fv(facts, "incidents.clocks_decided");
  x[20] = fv(facts, "incidents.clocks_met");
  x[21] = json_number_value(json_object_get(score, "score"));
  const char *tier = jstr(score, "tier");
  add(&r->total, x, tier);
  for (int i = 0; org_industry_names[i]; i++)
    if (!strcmp(org_industry_names[i], jstr(o, "industry")))
      add(&r->ind[i], x, tier);
  for (int i = 0; i < 3 && org_tier_names[i]; i++)
    if (!strcmp(org_tier_names[i], jstr(o, "size_tier")))
      add(&r->size[i], x, tier);
  json_t *why = json_array();
  if (x[6] > 0)
    json_array_append_new(why,
                          json_pack("{s:s,s:i}", "reason", "drills-overdue", "count", (int)x[6]));
  if (x[7] > 0)
    json_array_append_new(why,
                          json_pack("{s:s,s:i}", "reason", "drills-failed", "count", (int)x[7]));
  if (x[16] > 0)
    json_array_append_new(
        why, json_pack("{s:s,s:i}", "reason", "findings-escalated", "count", (int)x[16]));
  if (fv(facts, "incidents.major_unreported") > 0)
    json_array_append_new(why, json_pack("{s:s,s:i}", "reason", "incidents-unreported", "count",
                                         (int)fv(facts, "incidents.major_unreported")));
  if (req > met)
    json_array_append_new(
        why, json_pack("{s:s,s:i}", "reason", "requirements-unmet", "count", (int)(req - met)));
  json_array_append_new(r->scores,
                        json_pack("{s:s,s:s,s:s,s:s,s:f,s:s}", "org", jstr(o, "code"), "name_zh",
                                  jstr(o, "name_zh"), "name_en", jstr(o, "name_en"), "industry",
                                  jstr(o, "industry"), "score", x[21], "tier", tier));
  if (json_array_size(why))
    json_array_append_new(r->attention,
                          json_pack("{s:s,s:s,s:s,s:s,s:f,s:o}", "org", jstr(o, "code"), "name_zh",
                                    jstr(o, "name_zh"), "name_en", jstr(o, "name_en"), "industry",
                                    jstr(o, "industry"), "score", x[21], "reasons", why));
  else
    json_decref(why);
  json_decref(facts);
  json_decref(comp);
  json_decref(score);
  return FS_OK;
}

static double p1(double a, double b)
{
  return b > 0 ? round(1000 * a / b) / 10 : 0;
}

static json_t *group_json(const struct group *g, const char *key, const char *en, const char *zh,
                          const struct sup_model *m)
{
  const double *v = g->v;
  json_t *tiers = json_array();
  for (size_t i = 0; i < m->ntiers; i++) {
    json_t *n = g->tiers ? json_object_get(g->tiers, m->tiers[i].name) : NULL;
    json_array_append_new(tiers, json_pack("{s:s,s:I}", "tier", m->tiers[i].name, "count",
                                           (json_int_t)(n ? json_integer_value(n) : 0)));
  }
  json_t *o = json_pack("{s:s,s:{s:s,s:s},s:o}", "key", key, "label", "en", en, "zh-TW", zh,
                        "score_tiers", tiers);
  for (int i = 0; i < NSTAT; i++)
    if (strcmp(stat_names[i], "phishing_click_rate_sum") && strcmp(stat_names[i], "score_sum"))
      json_object_set_new(o, stat_names[i], json_integer((json_int_t)v[i]));
  json_object_set_new(o, "compliance_pct", json_real(v[1] > 0 ? p1(v[2], v[1]) : 100));
  /* A share of nothing is not a number: null (shown as a dash). */
  json_object_set_new(o, "bcm_coverage_pct", v[4] > 0 ? json_real(p1(v[5], v[4])) : json_null());
  json_object_set_new(o, "phishing_target_pct", v[8] > 0 ? json_real(p1(v[9], v[8])) : json_null());
  json_object_set_new(o, "phishing_click_rate_avg",
                      v[8] > 0 ? json_real(round(10 * v[10] / v[8]) / 10) : json_null());
  json_object_set_new(o, "ddos_pass_pct", v[11] > 0 ? json_real(p1(v[12], v[11])) : json_null());
  json_object_set_new(o, "clocks_met_pct", json_real(v[19] > 0 ? p1(v[20], v[19]) : 100));
  json_object_set_new(o, "score_mean", json_real(v[0] > 0 ? round(10 * v[21] / v[0]) / 10 : 0));
  return o;
}

static int cmp_attention(const void *a, const void *b)
{
  double x = json_number_value(json_object_get(*(json_t *const *)a, "score"));
  double y = json_number_value(json_object_get(*(json_t *const *)b, "score"));
  return x < y ? -1 : x > y;
}

int sup_report_json(struct store_conn *c, const struct actor *who, const struct sup_env *env,
                    const char *period, json_t **out, struct fs_err *err)
{
  struct policy_target t = {.org_id = NULL, .role = -1};
  int rc = policy_check(who, POLICY_SUPERVISION_READ, &t, "the supervision report", err);
  int64_t from, to;
  if (!rc)
    rc = sup_period_parse(period, &from, &to, err);
  if (rc)
    return rc;
  struct rep *r = calloc(1, sizeof(*r));
  if (!r)
    return fs_err_set(err, FS_ERR_NOMEM, "report", "out of memory");
  r->c = c;
  r->env = env;
  r->from = from;
  r->at = to - 1 < who->now_ms ? to - 1 : who->now_ms;
  r->attention = json_array();
  r->scores = json_array();
  if (from > who->now_ms)
    rc = fs_err_set(err, FS_ERR_INVALID, "period", "the period %s has not begun", period);
  if (!rc)
    rc = sup_each_member(c, one, r, err);
  if (!rc) {
    const struct sup_model *m = env->model;
    json_t *ind = json_array(), *size = json_array();
    for (int i = 0; org_industry_names[i]; i++)
      if (r->ind[i].v[0] > 0)
        json_array_append_new(ind, group_json(&r->ind[i], org_industry_names[i],
                                              org_industry_label(i, false),
                                              org_industry_label(i, true), m));
    static const char *const size_zh[] = {"大型", "中型", "小型"}, *const size_en[] = {
                                                                       "Large", "Medium", "Small"};
    for (int i = 0; i < 3; i++)
      if (r->size[i].v[0] > 0)
        json_array_append_new(
            size, group_json(&r->size[i], org_tier_names[i], size_en[i], size_zh[i], m));
    json_t *tiers = json_array();
    for (size_t i = 0; i < m->ntiers; i++)
      json_array_append_new(
          tiers, json_pack("{s:s,s:{s:s,s:s},s:f,s:f,s:f}", "tier", m->tiers[i].name, "label", "en",
                           m->tiers[i].label_en, "zh-TW", m->tiers[i].label_zh, "min_score",
                           m->tiers[i].min_score, "rate_percent", m->tiers[i].rate_percent,
                           "discount_percent", m->tiers[i].discount_percent));
    /* Lowest scores first; at most 30. */
    size_t n = json_array_size(r->attention);
    json_t **arr = calloc(n ? n : 1, sizeof(*arr));
    for (size_t i = 0; arr && i < n; i++)
      arr[i] = json_array_get(r->attention, i);
    if (arr)
      qsort(arr, n, sizeof(*arr), cmp_attention);
    json_t *att = json_array();
    for (size_t i = 0; arr && i < n && i < 30; i++)
      json_array_append(att, arr[i]);
    free(arr);
    char d0[11], d1[11], da[11];
    reg_date_of_ms(from, d0);
    reg_date_of_ms(to - 1, d1);
    reg_date_of_ms(r->at, da);
    *out = json_pack(
        "{s:s,s:s,s:s,s:s,s:o,s:{s:s,s:{s:s,s:s},s:o},s:o,s:o,s:o,s:I,s:o,s:o}", "period", period,
        "from", d0, "to", d1, "as_of", da, "generated_at", jsonx_time_new(who->now_ms), "model",
        "name", m->name, "title", "en", m->title_en, "zh-TW", m->title_zh, "tiers", tiers, "totals",
        group_json(&r->total, "all", "All institutions", "全體機構", m), "by_industry", ind,
        "by_size", size, "attention_total", (json_int_t)n, "attention", att, "scores", r->scores);
    r->scores = NULL;
  }
  json_decref(r->attention);
  json_decref(r->scores);
  json_decref(r->total.tiers);
  for (int i = 0; i < ORG_INDUSTRY__COUNT; i++)
    json_decref(r->ind[i].tiers);
  for (int i = 0; i < 3; i++)
    json_decref(r->size[i].tiers);
  free(r);
  return rc;
}
