/* Incentive scores: the model evaluated on an institution's facts, every part explained. */
#include "supervision/internal.h"

#include "auth/org.h"
#include "auth/policy.h"
#include "resilience/register.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct lookup_ctx {
  const json_t *facts;
  json_t *read;    /* name -> value of the facts read */
  json_t *records; /* records behind them */
};

static void lookup(void *ctx, const char *name, size_t len, struct expr_value *out)
{
  struct lookup_ctx *l = ctx;
  char key[128];
  memset(out, 0, sizeof(*out));
  if (len >= sizeof(key))
    return;
  memcpy(key, name, len);
  key[len] = '\0';
  const json_t *f = json_object_get(l->facts, key);
  const json_t *v = json_object_get(f, "value");
  if (json_is_number(v)) {
    out->kind = EXPR_NUM;
    out->num = json_number_value(v);
  } else if (json_is_boolean(v)) {
    out->kind = EXPR_BOOL;
    out->b = json_is_true(v);
  } else if (json_is_string(v)) {
    out->kind = EXPR_STR;
    snprintf(out->str, sizeof(out->str), "%s", json_string_value(v));
  } else if (json_is_array(v)) {
    out->kind = EXPR_NUM;
    out->num = (double)json_array_size(v);
  }
  if (l->read)
    json_object_set_new(l->read, key, v ? json_deep_copy(v) : json_null());
  if (l->records) {
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(f, "records"), i, r)
    {
      bool have = false;
      size_t k;
      const json_t *x;
      json_array_foreach(l->records, k, x) have = have || json_equal(x, r);
      if (!have)
        json_array_append_new(l->records, json_deep_copy(r));
    }
  }
}

int sup_eval(const char *expr, const json_t *facts, json_t *read, json_t *records,
             struct expr_value *out, struct fs_err *err)
{
  struct lookup_ctx l = {.facts = facts, .read = read, .records = records};
  return expr_eval(expr, strlen(expr), lookup, &l, out, err);
}

static double round1(double x)
{
  return round(x * 10) / 10;
}

json_t *sup_score_compute(const struct sup_model *m, const json_t *facts)
{
  double score = m->base;
  json_t *parts = json_array();
  for (size_t i = 0; i < m->nrules; i++) {
    const struct sup_rule *r = &m->rules[i];
    json_t *read = json_object(), *records = json_array();
    struct expr_value v;
    struct fs_err err;
    bool applied = true;
    double pts = 0;
    if (r->when[0]) {
      applied = !sup_eval(r->when, facts, read, records, &v, &err) && expr_truthy(&v);
    }
    if (applied && !sup_eval(r->points, facts, read, records, &v, &err))
      pts = round1(expr_number(&v));
    if (!applied)
      pts = 0;
    score += pts;
    json_array_append_new(parts, json_pack("{s:s,s:{s:s,s:s},s:s?,s:s,s:b,s:f,s:o,s:o}", "rule",
                                           r->name, "label", "en", r->label_en, "zh-TW",
                                           r->label_zh, "when", r->when[0] ? r->when : NULL,
                                           "points_expression", r->points, "applied", applied,
                                           "points", pts, "facts", read, "records", records));
  }
  double raw = round1(score);
  double total = raw < m->min ? m->min : raw > m->max ? m->max : raw;
  const struct sup_tier *t = &m->tiers[m->ntiers - 1];
  for (size_t i = 0; i < m->ntiers; i++)
    if (total >= m->tiers[i].min_score) {
      t = &m->tiers[i];
      break;
    }
  return json_pack("{s:s,s:{s:s,s:s},s:f,s:f,s:f,s:s,s:{s:s,s:s},s:f,s:f,s:o}", "model", m->name,
                   "model_title", "en", m->title_en, "zh-TW", m->title_zh, "base", m->base,
                   "unclamped", raw, "score", total, "tier", t->name, "tier_label", "en",
                   t->label_en, "zh-TW", t->label_zh, "rate_percent", t->rate_percent,
                   "discount_percent", t->discount_percent, "parts", parts);
}

/* The organisation's directory fields: industry and size tier. */
static int org_info(struct store_conn *c, const char *org, char id[37], json_t **info,
                    struct fs_err *err)
{
  struct actor sys = {.local = true};
  int rc = org_get_json(c, &sys, org, info, err);
  if (!rc)
    snprintf(id, 37, "%s", json_string_value(json_object_get(*info, "id")));
  return rc;
}

static const char *jstr(const json_t *o, const char *k)
{
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

/* Facts, compliance and score of one organisation (no policy check). */
static int evaluate(struct store_conn *c, const struct sup_env *env, const char *org_id,
                    const json_t *info, int64_t from, int64_t at, json_t **facts_out,
                    json_t **compliance_out, json_t **score_out, struct fs_err *err)
{
  json_t *facts, *comp;
  int rc = from ? sup_facts_window(c, env, org_id, from, at, &facts, err)
                : sup_facts(c, env, org_id, at, &facts, err);
  if (rc)
    return rc;
  json_object_set_new(facts, "org.industry",
                      json_pack("{s:s,s:[]}", "value", jstr(info, "industry"), "records"));
  json_object_set_new(facts, "org.tier",
                      json_pack("{s:s,s:[]}", "value", jstr(info, "size_tier"), "records"));
  rc = sup_compliance(c, org_id, jstr(info, "industry"), jstr(info, "size_tier"), at, facts, &comp,
                      err);
  if (rc) {
    json_decref(facts);
    return rc;
  }
  json_object_set_new(
      facts, "compliance.requirements",
      json_pack("{s:O,s:[]}", "value", json_object_get(comp, "requirements"), "records"));
  json_object_set_new(facts, "compliance.met",
                      json_pack("{s:O,s:[]}", "value", json_object_get(comp, "met"), "records"));
  json_object_set_new(facts, "compliance.ratio",
                      json_pack("{s:O,s:[]}", "value", json_object_get(comp, "ratio"), "records"));
  *score_out = sup_score_compute(env->model, facts);
  *facts_out = facts;
  *compliance_out = comp;
  return FS_OK;
}

int sup_evaluate_org(struct store_conn *c, const struct sup_env *env, const char *org_id,
                     const json_t *info, int64_t from, int64_t at, json_t **facts,
                     json_t **compliance, json_t **score, struct fs_err *err)
{
  return evaluate(c, env, org_id, info, from, at, facts, compliance, score, err);
}

int sup_score_json(struct store_conn *c, const struct actor *who, const struct sup_env *env,
                   const char *org, int64_t at, json_t **out, struct fs_err *err)
{
  char org_id[37];
  json_t *info;
  int rc = org_info(c, org && *org ? org : who->org_id, org_id, &info, err);
  if (rc)
    return rc;
  struct policy_target t = {.org_id = org_id, .role = -1};
  if (!policy_allows(who, POLICY_SCORE_READ, &t)) {
    json_decref(info);
    return fs_err_set(err, FS_ERR_NOT_FOUND, "org", "no score of organisation \"%.64s\"",
                      org ? org : "");
  }
  if (!at)
    at = who->now_ms;
  json_t *facts, *comp, *score;
  rc = evaluate(c, env, org_id, info, 0, at, &facts, &comp, &score, err);
  if (!rc) {
    char day[11];
    reg_date_of_ms(at, day);
    json_object_set_new(score, "org", json_string(jstr(info, "code")));
    json_object_set_new(
        score, "name",
        json_pack("{s:s,s:s}", "en", jstr(info, "name_en"), "zh-TW", jstr(info, "name_zh")));
    json_object_set_new(score, "industry", json_string(jstr(info, "industry")));
    json_object_set_new(score, "size_tier", json_string(jstr(info, "size_tier")));
    json_object_set_new(score, "as_of", json_string(day));
    json_object_set_new(score, "period_days", json_integer(env->model->period_days));
    json_object_set_new(score, "compliance", comp);
    json_object_set_new(score, "facts", facts);
    *out = score;
  }
  json_decref(info);
  return rc;
}

/* Member institutions: every organisation but the hub, the supervisor and partners. */
struct member_walk {
  sup_org_fn fn;
  void *ctx;
};

static int member_one(json_t *o, void *ctx, struct fs_err *err)
{
  struct member_walk *w = ctx;
  return org_industry_is_member(jstr(o, "industry")) ? w->fn(o, w->ctx, err) : FS_OK;
}

int sup_each_member(struct store_conn *c, sup_org_fn fn, void *ctx, struct fs_err *err)
{
  struct actor sys = {.local = true};
  struct member_walk w = {fn, ctx};
  return org_each_json(c, &sys, &(struct org_filter){0}, member_one, &w, err);
}

struct all_ctx {
  struct store_conn *c;
  const struct sup_env *env;
  int64_t at;
  json_t *items;
};

static int score_one(const json_t *o, void *ctx, struct fs_err *err)
{
  struct all_ctx *a = ctx;
  json_t *facts, *comp, *score;
  int rc = evaluate(a->c, a->env, jstr(o, "id"), o, 0, a->at, &facts, &comp, &score, err);
  if (rc)
    return rc;
  json_array_append_new(
      a->items, json_pack("{s:s,s:s,s:s,s:s,s:O,s:O,s:O,s:O,s:O}", "org", jstr(o, "code"),
                          "name_zh", jstr(o, "name_zh"), "industry", jstr(o, "industry"),
                          "size_tier", jstr(o, "size_tier"), "score",
                          json_object_get(score, "score"), "tier", json_object_get(score, "tier"),
                          "rate_percent", json_object_get(score, "rate_percent"),
                          "discount_percent", json_object_get(score, "discount_percent"),
                          "compliance_ratio", json_object_get(comp, "ratio")));
  json_decref(facts);
  json_decref(comp);
  json_decref(score);
  return FS_OK;
}

int sup_scores_json(struct store_conn *c, const struct actor *who, const struct sup_env *env,
                    int64_t at, json_t **out, struct fs_err *err)
{
  struct policy_target t = {.org_id = NULL, .role = -1};
  int rc = policy_check(who, POLICY_SUPERVISION_READ, &t, "every institution's score", err);
  if (rc)
    return rc;
  struct all_ctx a = {.c = c, .env = env, .at = at ? at : who->now_ms, .items = json_array()};
  rc = sup_each_member(c, score_one, &a, err);
  if (rc) {
    json_decref(a.items);
    return rc;
  }
  char day[11];
  reg_date_of_ms(a.at, day);
  *out = json_pack("{s:s,s:s,s:o}", "model", env->model->name, "as_of", day, "items", a.items);
  return FS_OK;
}
