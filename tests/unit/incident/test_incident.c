/* incident/: the level rules (a table of cases covering every rule of the four levels), the clock
 * policy file, the clocks, the report parser, and cases on a real hub (visibility, versions,
 * bad times, escalation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/org.h"
#include "auth/policy.h"
#include "core/jsonx.h"
#include "hubfixture.h"
#include "incident/incident.h"
#include "incident/notify.h"
#include "incident/team.h"

/* ---- levels ------------------------------------------------------------------------------ */

enum {
  N = INCIDENT_CLASS_NON_CORE,
  CO = INCIDENT_CLASS_CORE,
  CI = INCIDENT_CLASS_CORE_CI,
  SE = INCIDENT_CLASS_SENSITIVE,
  SS = INCIDENT_CLASS_STATE_SECRET
};
enum { NONE = 0, MINOR = 1, SERIOUS = 2 };
enum { AV_NO = 0, AV_IN = 1, AV_OUT = 2 };

static void test_level_table(void **state)
{
  (void)state;
  const struct {
    int sys, data, conf, integ, avail;
    int level;
    const char *rule;
  } cases[] = {
      {N, -1, NONE, NONE, AV_NO, 1, "1.0"},
      {N, -1, MINOR, NONE, AV_NO, 1, "1.a"}, /* minor leak of non-core information */
      {N, -1, NONE, MINOR, AV_NO, 1, "1.a"}, /* minor tampering */
      {N, -1, NONE, NONE, AV_IN, 1, "1.b"},
      {N, -1, SERIOUS, NONE, AV_NO, 2, "2.a"},
      {N, -1, NONE, SERIOUS, AV_IN, 2, "2.a"},
      {CO, -1, MINOR, NONE, AV_NO, 2, "2.b"},
      {N, -1, NONE, NONE, AV_OUT, 2, "2.c"},
      {N, -1, MINOR, NONE, AV_OUT, 2, "2.c"},
      {CO, -1, NONE, NONE, AV_IN, 2, "2.d"},
      {CO, -1, SERIOUS, NONE, AV_NO, 3, "3.a"},
      {CO, -1, NONE, SERIOUS, AV_IN, 3, "3.a"},
      {N, SE, MINOR, NONE, AV_NO, 3, "3.b"},
      {N, SS, NONE, MINOR, AV_NO, 3, "3.b"}, /* tampering, not a leak, of a state secret */
      {CI, -1, MINOR, NONE, AV_NO, 3, "3.c"},
      {CO, -1, NONE, NONE, AV_OUT, 3, "3.d"},
      {CO, CO, NONE, MINOR, AV_OUT, 3, "3.d"}, /* the ransomware of the integration test */
      {CI, -1, NONE, NONE, AV_IN, 3, "3.e"},
      {CI, -1, SERIOUS, NONE, AV_NO, 4, "4.a"},
      {CI, -1, NONE, SERIOUS, AV_IN, 4, "4.a"},
      {N, SE, SERIOUS, NONE, AV_NO, 4, "4.b"},
      {CO, SS, NONE, SERIOUS, AV_NO, 4, "4.b"},
      {N, SS, MINOR, NONE, AV_NO, 4, "4.c"}, /* any leak of state secrets */
      {CO, SS, SERIOUS, NONE, AV_IN, 4, "4.b"},
      {CI, -1, NONE, NONE, AV_OUT, 4, "4.d"},
      {CI, -1, MINOR, NONE, AV_OUT, 4, "4.d"},
  };
  const struct incident_level_rule *rules;
  size_t nrules = incident_level_rules(&rules);
  bool seen[32] = {0};
  assert_true(nrules <= 32);
  for (size_t i = 0; i < FS_ARRAY_SIZE(cases); i++) {
    struct incident_impact m = {cases[i].sys, cases[i].data, cases[i].conf, cases[i].integ,
                                cases[i].avail};
    struct fs_err err;
    assert_int_equal(incident_impact_check(&m, &err), FS_OK);
    struct incident_level_proposal p;
    incident_level_propose(&m, &p);
    if (p.level != cases[i].level || strcmp(p.rule->id, cases[i].rule))
      fail_msg("case %zu: got level %d rule %s, expected level %d rule %s", i, p.level, p.rule->id,
               cases[i].level, cases[i].rule);
    for (size_t k = 0; k < nrules; k++)
      if (p.rule == &rules[k])
        seen[k] = true;
  }
  for (size_t k = 0; k < nrules; k++)
    if (!seen[k])
      fail_msg("rule %s is not covered by any case", rules[k].id);
  /* The proposal explains itself in both languages. */
  struct incident_impact m = {CO, -1, NONE, NONE, AV_OUT};
  struct incident_level_proposal p;
  incident_level_propose(&m, &p);
  char en[256], zh[256];
  incident_level_reason(&p, false, en, sizeof(en));
  incident_level_reason(&p, true, zh, sizeof(zh));
  assert_string_equal(en, "Level 3: core system not restored within MTPD (rule 3.d)");
  assert_non_null(strstr(zh, "第 3 級"));
  assert_non_null(strstr(zh, "規則 3.d"));
  /* Every rule has its reason in both languages. */
  for (size_t k = 0; k < nrules; k++)
    assert_true(rules[k].en[0] && rules[k].zh[0]);
  /* A system is never "sensitive": refused with the field named. */
  struct incident_impact bad = {SE, -1, NONE, NONE, AV_NO};
  struct fs_err err;
  assert_int_equal(incident_impact_check(&bad, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "$.impact.system_class");
}

/* ---- clock policy ------------------------------------------------------------------------ */

static int parse(const char *text, struct incident_policy *p, struct fs_err *err)
{
  return incident_policy_parse(text, strlen(text), "p.ini", org_industry_names, p, err);
}

static void test_policy_file(void **state)
{
  (void)state;
  struct incident_policy p;
  struct fs_err err;
  incident_policy_defaults(&p);
  assert_int_equal(p.def.report_s, 3600);
  assert_int_equal(p.def.review_s[0], 8 * 3600);
  assert_int_equal(p.def.review_s[3], 2 * 3600);
  assert_int_equal(p.def.recovery_s[1], 72 * 3600);
  assert_int_equal(p.def.recovery_s[2], 36 * 3600);
  assert_int_equal(p.def.investigation_s, 30 * 86400);

  const char *ok = "; the sector's clocks\n[clocks]\nreport = 45m\n\n[industry.bank]\n"
                   "report = 30m   \nrecovery_l3 = 24h\n# comment\n[industry.insurance]\n"
                   "investigation = 20d\n";
  assert_int_equal(parse(ok, &p, &err), FS_OK);
  assert_int_equal(p.def.report_s, 45 * 60);
  const struct incident_clock_set *bank = incident_policy_clocks(&p, "bank");
  assert_int_equal(bank->report_s, 30 * 60);
  assert_int_equal(bank->recovery_s[2], 24 * 3600);
  assert_int_equal(bank->recovery_s[3], 36 * 3600); /* not shortened: the default */
  assert_int_equal(incident_policy_clocks(&p, "securities")->report_s, 45 * 60);
  assert_int_equal(incident_policy_clocks(&p, "insurance")->investigation_s, 20 * 86400);

  /* Industry sections may come first; the check against the default waits for the whole file. */
  assert_int_equal(parse("[industry.bank]\nreport = 50m\n[clocks]\nreport = 2h\n", &p, &err),
                   FS_OK);
  assert_int_equal(incident_policy_clocks(&p, "bank")->report_s, 50 * 60);

  /* Each message whole in zh-TW too (#18 item 12: those with a value were English-only). */
  const struct {
    const char *text, *where, *msg, *zh;
  } bad[] = {
      {"[clocks]\nreport = 1h\nreview_l5 = 2h\n", "p.ini:3", "unknown key",
       "未知的鍵「review_l5」"},
      {"[clocks]\nreport = soon\n", "p.ini:2", "not a duration", "「soon」不是時間長度"},
      {"[clocks]\nreport = 0m\n", "p.ini:2", "not a duration", "「0m」不是時間長度"},
      {"report = 1h\n", "p.ini:1", "outside a section", "區段之外"},
      {"[clocks\n", "p.ini:1", "expected [clocks]", "應為 [clocks]"},
      {"[weather]\n", "p.ini:1", "unknown section", "區段"},
      {"[industry.casino]\n", "p.ini:1", "unknown industry", "未知的產業「casino」"},
      {"[clocks]\nreport = 1h\nreport = 2h\n", "p.ini:3", "given twice",
       "「report」重複出現（第一次在第 2 行）"},
      {"[clocks]\n[clocks]\n", "p.ini:2", "section given twice", "區段重複給定"},
      {"[clocks]\njust words\n", "p.ini:2", "expected key = value", "key = value"},
      {"[industry.bank]\n\nrecovery_l3 = 48h\n", "p.ini:3", "may only shorten",
       "recovery_l3（bank）比預設的 36h 還長：產業只能縮短期限"},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(bad); i++) {
    fs_err_clear(&err);
    if (parse(bad[i].text, &p, &err) != FS_ERR_INVALID || strcmp(err.where, bad[i].where) ||
        !strstr(err.msg, bad[i].msg) || !strstr(err.msg_zh, bad[i].zh))
      fail_msg("bad case %zu: where %s msg %s / %s", i, err.where, err.msg, err.msg_zh);
  }
  int64_t s;
  assert_int_equal(incident_duration_parse("36h", 3, &s), FS_OK);
  assert_int_equal(s, 36 * 3600);
  assert_int_not_equal(incident_duration_parse("400d", 4, &s), FS_OK);
  char d[24];
  incident_duration_format(30 * 86400, d);
  assert_string_equal(d, "30d");
  incident_duration_format(36 * 3600, d);
  assert_string_equal(d, "36h");
  incident_duration_format(90 * 60, d);
  assert_string_equal(d, "90m");
}

static void test_clocks(void **state)
{
  (void)state;
  struct incident_policy p;
  incident_policy_defaults(&p);
  const int64_t H = 3600000;
  struct incident_times t = {.aware = 10 * H, .reported = 10 * H + H / 2, .level = 3};
  struct incident_clock k[INCIDENT_CLOCK__COUNT];
  incident_clocks_compute(&p.def, &t, 12 * H, k);
  assert_int_equal(k[INCIDENT_CLOCK_REPORT].state, INCIDENT_CLOCK_MET);
  assert_int_equal(k[INCIDENT_CLOCK_REVIEW].state, INCIDENT_CLOCK_RUNNING);
  assert_int_equal(k[INCIDENT_CLOCK_REVIEW].due, 12 * H + H / 2);
  assert_int_equal(k[INCIDENT_CLOCK_REVIEW].left_ms, H / 2);
  assert_int_equal(k[INCIDENT_CLOCK_RECOVERY].due, 46 * H);
  assert_int_equal(k[INCIDENT_CLOCK_INVESTIGATION].state, INCIDENT_CLOCK_PENDING);
  incident_clocks_compute(&p.def, &t, 13 * H, k);
  assert_int_equal(k[INCIDENT_CLOCK_REVIEW].state, INCIDENT_CLOCK_OVERDUE);
  assert_int_equal(k[INCIDENT_CLOCK_REVIEW].left_ms, -H / 2);
  /* Level 1: eight hours to review. */
  t.level = 1;
  incident_clocks_compute(&p.def, &t, 13 * H, k);
  assert_int_equal(k[INCIDENT_CLOCK_REVIEW].state, INCIDENT_CLOCK_RUNNING);
  t.level = 3;
  t.level_reviewed = 14 * H;
  t.contained = 20 * H;
  t.recovered = 50 * H;
  incident_clocks_compute(&p.def, &t, 60 * H, k);
  assert_int_equal(k[INCIDENT_CLOCK_REVIEW].state, INCIDENT_CLOCK_LATE);
  assert_int_equal(k[INCIDENT_CLOCK_RECOVERY].state, INCIDENT_CLOCK_MET); /* contained in time */
  assert_int_equal(k[INCIDENT_CLOCK_INVESTIGATION].state, INCIDENT_CLOCK_RUNNING);
  assert_int_equal(k[INCIDENT_CLOCK_INVESTIGATION].due, 50 * H + 30 * 24 * H);
  /* A report not yet made: the report clock runs from awareness. */
  struct incident_times draft = {.aware = 10 * H, .level = 1};
  incident_clocks_compute(&p.def, &draft, 12 * H, k);
  assert_int_equal(k[INCIDENT_CLOCK_REPORT].state, INCIDENT_CLOCK_OVERDUE);
  assert_int_equal(k[INCIDENT_CLOCK_RECOVERY].state, INCIDENT_CLOCK_PENDING);
}

/* ---- report bodies ----------------------------------------------------------------------- */

/* Parses a body; the input points into the JSON, kept in *keep (json_decref it when done). */
static int parse_body_keep(const char *text, bool update, struct incident_input *in, json_t **keep,
                           struct fs_err *err)
{
  *keep = NULL;
  int rc = jsonx_parse_object(text, strlen(text), keep, err);
  if (!rc)
    rc = incident_input_from_json(*keep, update, in, err);
  return rc;
}

static int parse_body(const char *text, bool update, struct incident_input *in, struct fs_err *err)
{
  json_t *keep;
  int rc = parse_body_keep(text, update, in, &keep, err);
  json_decref(keep);
  return rc;
}

#define IMPACT                                                                                     \
  "\"impact\": {\"system_class\": \"core\", \"confidentiality\": \"none\", "                       \
  "\"integrity\": \"none\", \"availability\": \"none\"}"

static void test_report_body(void **state)
{
  (void)state;
  static struct incident_input in;
  struct fs_err err;
  assert_int_equal(parse_body("{\"title\": \"x\", \"discovered_at\": \"2026-03-02T00:00:00Z\", "
                              "\"category\": \"ddos\", " IMPACT ", \"indicators\": [{\"type\": "
                              "\"url\", \"value\": \"https://x.example/a\"}]}",
                              false, &in, &err),
                   FS_OK);
  assert_int_equal(in.category, INCIDENT_CAT_DDOS);
  assert_int_equal(in.nindicators, 1);
  assert_int_equal(in.impact.system_class, INCIDENT_CLASS_CORE);
  const struct {
    const char *body, *where;
  } bad[] = {
      {"{\"title\": \"x\", \"discovered_at\": \"2026-03-02T00:00:00Z\", \"category\": "
       "\"aliens\", " IMPACT "}",
       "$.category"},
      {"{\"title\": \"x\", \"discovered_at\": \"2026-03-02T25:00:00Z\", \"category\": "
       "\"ddos\", " IMPACT "}",
       "$.discovered_at"},
      {"{\"title\": \"x\", \"discovered_at\": \"2026-03-02T00:00:00Z\", \"category\": \"ddos\"}",
       "$.impact"},
      {"{\"title\": \"x\", \"discovered_at\": \"2026-03-02T00:00:00Z\", \"category\": "
       "\"ddos\", " IMPACT
       ", \"indicators\": [{\"type\": \"ipv4-addr\", \"value\": \"1.2.3.4\"}, {\"type\": "
       "\"ipv4-addr\", \"value\": \"1.2.3\"}]}",
       "$.indicators[1].value"},
      {"{\"title\": \"x\", \"discovered_at\": \"2026-03-02T00:00:00Z\", \"category\": "
       "\"ddos\", " IMPACT ", \"colour\": 1}",
       "$.colour"},
      {"{\"title\": \"x\", \"discovered_at\": \"2026-03-02T00:00:00Z\", \"category\": \"ddos\", "
       "\"impact\": {\"system_class\": \"core\", \"confidentiality\": \"huge\", \"integrity\": "
       "\"none\", \"availability\": \"none\"}}",
       "$.impact.confidentiality"},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(bad); i++) {
    fs_err_clear(&err);
    if (parse_body(bad[i].body, false, &in, &err) != FS_ERR_INVALID ||
        strcmp(err.where, bad[i].where))
      fail_msg("bad body %zu: where \"%s\" (%s)", i, err.where, err.msg);
  }
  assert_int_equal(parse_body("{\"org\": \"bank-1\"}", true, &in, &err), FS_ERR_INVALID);
  char pat[128];
  assert_int_equal(incident_indicator_pattern(3, "http://x/'a'", pat, sizeof(pat)), FS_OK);
  assert_string_equal(pat, "[url:value = 'http://x/\\'a\\'']");
}

/* ---- cases on a real hub ------------------------------------------------------------------- */

static void member(struct hub_fixture *f, const char *org_id, enum auth_role role, struct actor *a)
{
  memset(a, 0, sizeof(*a));
  snprintf(a->user_id, sizeof(a->user_id), "u-%s", org_id);
  snprintf(a->username, sizeof(a->username), "member");
  snprintf(a->org_id, sizeof(a->org_id), "%s", org_id);
  a->role = role;
  a->now_ms = f->op.now_ms;
}

static void test_cases(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  struct fs_err err;
  struct incident_env env;
  assert_int_equal(incident_env_load(&env, &f.hub.cfg, &err), FS_OK);
  char a_id[37], b_id[37];
  struct org_input o;
  org_input_init(&o);
  o.code = "bank-a";
  o.name_zh = "甲銀行";
  o.name_en = "Bank A";
  o.industry = ORG_INDUSTRY_BANK;
  o.size_tier = 0;
  assert_int_equal(org_create(f.c, &f.op, &o, a_id, &err), FS_OK);
  o.code = "bank-b";
  assert_int_equal(org_create(f.c, &f.op, &o, b_id, &err), FS_OK);
  struct actor alice, bob;
  member(&f, a_id, AUTH_ROLE_MEMBER_ANALYST, &alice);
  member(&f, b_id, AUTH_ROLE_MEMBER_ANALYST, &bob);

  static struct incident_input in;
  char body[512];
  char when[32];
  fs_time_format_ms(alice.now_ms - 600000, when);
  snprintf(body, sizeof(body),
           "{\"title\": \"DDoS on e-banking\", \"discovered_at\": \"%s\", \"category\": \"ddos\", "
           "\"impact\": {\"system_class\": \"core\", \"confidentiality\": \"none\", "
           "\"integrity\": \"none\", \"availability\": \"within_mtpd\"}}",
           when);
  json_t *keep;
  assert_int_equal(parse_body_keep(body, false, &in, &keep, &err), FS_OK);
  char id[37];
  if (incident_report(f.c, &alice, &env, &in, id, &err))
    fail_msg("report: %s: %s", err.where, err.msg);
  /* Reporting for another organisation is refused, and so is a discovery in the future. */
  in.org = "bank-a";
  assert_int_equal(incident_report(f.c, &bob, &env, &in, id + 0, &err), FS_ERR_FORBIDDEN);
  in.org = NULL;
  in.discovered_at = alice.now_ms + 3600000;
  char id2[37];
  assert_int_equal(incident_report(f.c, &alice, &env, &in, id2, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "$.discovered_at");

  json_t *out;
  assert_int_equal(incident_get_json(f.c, &alice, &env, id, &out, &err), FS_OK);
  assert_int_equal(json_integer_value(json_object_get(out, "level")), 2);
  assert_string_equal(json_string_value(json_object_get(json_object_get(out, "proposal"), "rule")),
                      "2.d");
  json_int_t version = json_integer_value(json_object_get(out, "version"));
  json_decref(out);
  /* Another member does not see it; existence is not revealed. */
  assert_int_equal(incident_get_json(f.c, &bob, &env, id, &out, &err), FS_ERR_NOT_FOUND);
  assert_int_equal(incident_note_add(f.c, &bob, id, "hi", 0, &err), FS_ERR_NOT_FOUND);

  /* Optimistic versions: the second writer with the same version loses, nothing is lost. */
  struct incident_input up;
  incident_input_init(&up);
  up.title = "first";
  up.has_version = true;
  up.version = version;
  assert_int_equal(incident_update(f.c, &alice, &env, id, &up, &err), FS_OK);
  up.title = "second";
  assert_int_equal(incident_update(f.c, &alice, &env, id, &up, &err), FS_ERR_CONFLICT);
  assert_int_equal(incident_get_json(f.c, &alice, &env, id, &out, &err), FS_OK);
  assert_string_equal(json_string_value(json_object_get(out, "title")), "first");
  json_decref(out);

  /* Recovery before the discovery, or in the future: refused, nothing written. */
  assert_int_equal(incident_set_status(f.c, &alice, &env, id, INCIDENT_RECOVERED,
                                       alice.now_ms - 86400000, NULL, false, 0, &err),
                   FS_ERR_INVALID);
  assert_int_equal(incident_set_status(f.c, &alice, &env, id, INCIDENT_RECOVERED,
                                       alice.now_ms + 86400000, NULL, false, 0, &err),
                   FS_ERR_INVALID);
  assert_int_equal(
      incident_set_status(f.c, &alice, &env, id, INCIDENT_CLOSED, 0, NULL, false, 0, &err),
      FS_ERR_CONFLICT);
  /* The member may not grade; the hub's analyst may. */
  assert_int_equal(incident_set_level(f.c, &alice, &env, id, 2, NULL, false, 0, &err),
                   FS_ERR_FORBIDDEN);
  assert_int_equal(incident_set_level(f.c, &f.op, &env, id, 3, NULL, false, 0, &err),
                   FS_ERR_INVALID);
  assert_int_equal(
      incident_set_level(f.c, &f.op, &env, id, 3, "payment switch affected", false, 0, &err),
      FS_OK);

  /* Eleven hours later (recovery for level 3 is 36 h, review 2 h since the report): the review
   * was met, nothing to escalate; forty hours later the recovery clock is. */
  struct actor worker = f.op;
  int count = 0;
  worker.now_ms = alice.now_ms + 11 * 3600000LL;
  assert_int_equal(incident_escalate_overdue(f.c, &worker, &env, &count, &err), FS_OK);
  assert_int_equal(count, 0);
  worker.now_ms = alice.now_ms + 40 * 3600000LL;
  assert_int_equal(incident_escalate_overdue(f.c, &worker, &env, &count, &err), FS_OK);
  assert_int_equal(count, 1);
  assert_int_equal(incident_escalate_overdue(f.c, &worker, &env, &count, &err), FS_OK);
  assert_int_equal(count, 0); /* once per clock */

  /* Teams: a group team must belong to a financial holding company. */
  static const char team_body[] =
      "{\"org\": \"bank-a\", \"code\": \"irt-a\", \"name_zh\": \"小組\","
      " \"name_en\": \"IRT\", \"kind\": \"group\"}";
  json_t *tb;
  assert_int_equal(jsonx_parse_object(team_body, strlen(team_body), &tb, &err), FS_OK);
  struct team_input ti;
  assert_int_equal(team_input_from_json(tb, false, &ti, &err), FS_OK);
  char tid[37];
  assert_int_equal(team_create(f.c, &f.op, &ti, tid, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "$.kind");
  json_decref(tb);
  json_decref(keep);
  hub_fixture_close(&f);
}

/* The publication hook of these tests: counts its calls, fails while `fail` is set. */
struct hook {
  int calls;
  bool fail;
};

static int hook_publish(void *ctx, const char *incident_id, const json_t *bundle, bool hide,
                        struct fs_err *err)
{
  (void)incident_id;
  (void)bundle;
  (void)hide;
  struct hook *h = ctx;
  h->calls++;
  return h->fail ? fs_err_set(err, FS_ERR_IO, "hook", "the intelligence store refused it") : FS_OK;
}

static size_t publications_of(struct hub_fixture *f, const struct actor *who, const char *id)
{
  json_t *out;
  struct fs_err err;
  assert_int_equal(incident_publications_json(f->c, who, id, &out, &err), FS_OK);
  size_t n = json_array_size(json_object_get(out, "items"));
  json_decref(out);
  return n;
}

static void publish(struct hub_fixture *f, const struct actor *who, struct incident_env *env,
                    const char *id, int want)
{
  json_t *body = json_pack("{s:s}", "tlp", "green"), *out = NULL;
  struct fs_err err;
  int rc = incident_publish(f->c, who, env, id, body, &out, &err);
  if (rc != want)
    fail_msg("publish: %d (%s: %s), not %d", rc, err.where, err.msg, want);
  json_decref(body);
  json_decref(out);
}

/* A publication that fails stops where it fails: nothing is kept, the hook is not asked (no
 * shareable observable) or its refusal is the answer; the next one that succeeds is kept once. */
static void test_publish_failures(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  struct fs_err err;
  struct incident_env env;
  assert_int_equal(incident_env_load(&env, &f.hub.cfg, &err), FS_OK);
  struct hook hook = {0};
  env.publish.fn = hook_publish;
  env.publish.ctx = &hook;
  char a_id[37];
  hub_fixture_org(&f, "bank-p", a_id);
  struct actor alice;
  member(&f, a_id, AUTH_ROLE_MEMBER_ANALYST, &alice);
  static struct incident_input in;
  char body[600], when[32];
  fs_time_format_ms(alice.now_ms - 600000, when);
  snprintf(body, sizeof(body),
           "{\"title\": \"Phishing\", \"discovered_at\": \"%s\", \"category\": \"phishing\", "
           "\"impact\": {\"system_class\": \"non_core\", \"confidentiality\": \"none\", "
           "\"integrity\": \"none\", \"availability\": \"none\"}, \"indicators\": "
           "[{\"type\": \"ipv4-addr\", \"value\": \"10.1.2.3\", \"internal\": true}]}",
           when);
  json_t *keep;
  assert_int_equal(parse_body_keep(body, false, &in, &keep, &err), FS_OK);
  char id[37];
  if (incident_report(f.c, &alice, &env, &in, id, &err))
    fail_msg("report: %s: %s", err.where, err.msg);
  /* Only the reporter's own asset: nothing to share, the hook is not called. */
  publish(&f, &alice, &env, id, FS_ERR_CONFLICT);
  assert_int_equal(hook.calls, 0);
  assert_int_equal(publications_of(&f, &alice, id), 0);
  json_t *more;
  static const char add[] =
      "{\"indicators\": [{\"type\": \"domain-name\", \"value\": \"phish.example\"}]}";
  assert_int_equal(jsonx_parse_object(add, strlen(add), &more, &err), FS_OK);
  assert_int_equal(incident_observables_add(f.c, &alice, id, more, &err), FS_OK);
  json_decref(more);
  /* The hook refuses: that is the answer, and nothing is kept. */
  hook.fail = true;
  publish(&f, &alice, &env, id, FS_ERR_IO);
  assert_int_equal(hook.calls, 1);
  assert_int_equal(publications_of(&f, &alice, id), 0);
  hook.fail = false;
  publish(&f, &alice, &env, id, FS_OK);
  assert_int_equal(hook.calls, 2);
  assert_int_equal(publications_of(&f, &alice, id), 1);
  json_decref(keep);
  hub_fixture_close(&f);
}

static void test_webhook_signature(void **state)
{
  (void)state;
  char sig[80];
  /* HMAC-SHA256("Jefe", "what do ya want for nothing" "." "?"), as a receiver recomputes it. */
  notify_webhook_signature("Jefe", "what do ya want for nothing", "?", 1, sig);
  assert_string_equal(sig,
                      "sha256=155919e0daf8bec124e0c77ab84649a9c91a9649077c7265f11c47b37dee5783");
}

/* The policy's incident rules: who sees a case, works it, grades it, answers for a team. */
static void test_incident_policy(void **state)
{
  (void)state;
  struct policy_target own = {.org_id = "A", .role = -1};
  struct policy_target other = {.org_id = "B", .role = -1};
  struct policy_target offered = {.org_id = "B", .role = -1, .rel = POLICY_REL_TEAM_OFFERED};
  struct policy_target assigned = {.org_id = "B", .role = -1, .rel = POLICY_REL_TEAM_ASSIGNED};
  struct policy_target my_team = {.org_id = "B", .role = -1, .rel = POLICY_REL_TEAM_MEMBER};
  const struct {
    enum auth_role role;
    enum policy_action act;
    const struct policy_target *t;
    bool allowed;
  } cases[] = {
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INCIDENT_READ, &own, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INCIDENT_READ, &other, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INCIDENT_READ, &offered, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INCIDENT_WORK, &offered, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INCIDENT_WORK, &assigned, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INCIDENT_WORK, &own, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INCIDENT_REPORT, &own, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INCIDENT_REPORT, &other, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_INCIDENT_GRADE, &own, false},
      {AUTH_ROLE_HUB_ANALYST, POLICY_INCIDENT_GRADE, &other, true},
      {AUTH_ROLE_HUB_ANALYST, POLICY_INCIDENT_WORK, &other, true},
      {AUTH_ROLE_SUPERVISOR, POLICY_INCIDENT_READ, &other, true},
      {AUTH_ROLE_SUPERVISOR, POLICY_INCIDENT_WORK, &other, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_INCIDENT_WORK, &assigned, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_INCIDENT_STATS_ALL, NULL, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_INCIDENT_STATS_ALL, NULL, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INCIDENT_PUBLISH, &own, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INCIDENT_PUBLISH, &assigned, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_TEAM_MANAGE, &own, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_TEAM_MANAGE, &own, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_TEAM_MANAGE, &other, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_TEAM_ANSWER, &my_team, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_TEAM_ANSWER, &other, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_TEAM_ANSWER, &my_team, false},
  };
  struct actor a = {.org_id = "A", .user_id = "u1"};
  for (size_t i = 0; i < FS_ARRAY_SIZE(cases); i++) {
    a.role = cases[i].role;
    if (policy_allows(&a, cases[i].act, cases[i].t) != cases[i].allowed)
      fail_msg("case %zu: role %s action %d expected %d", i, auth_role_name(a.role),
               (int)cases[i].act, cases[i].allowed);
  }
}

/* Delivery: an unreachable mail server is retried with doubling delays, every attempt recorded,
 * and given up after notify.max_attempts. */
static void test_outbox_backoff(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  struct fs_err err;
  struct incident_env env;
  assert_int_equal(incident_env_load(&env, &f.hub.cfg, &err), FS_OK);
  snprintf(env.smtp_url, sizeof(env.smtp_url), "smtp://127.0.0.1:1");
  snprintf(env.hub_email, sizeof(env.hub_email), "cert@hub.example");
  env.retry_base_s = 10;
  env.max_attempts = 3;
  static struct incident_input in;
  incident_input_init(&in);
  in.title = "phishing wave";
  in.category = INCIDENT_CAT_PHISHING;
  in.has_discovered = true;
  in.discovered_at = f.op.now_ms - 60000;
  in.has_impact = true;
  in.impact = (struct incident_impact){N, -1, NONE, NONE, AV_NO};
  char id[37];
  assert_int_equal(incident_report(f.c, &f.op, &env, &in, id, &err), FS_OK);
  int64_t t0 = fs_time_now_ms() + 1000;
  int done;
  assert_int_equal(notify_deliver_due(f.c, &env, NULL, t0, 16, &done, &err), FS_OK);
  assert_int_equal(done, 1);
  int64_t attempts = 0, next = 0;
  assert_int_equal(store_query_int(f.c, &attempts, NULL, &err,
                                   "SELECT COUNT(*) FROM notify_attempt WHERE ok = 0", ""),
                   FS_OK);
  assert_int_equal(attempts, 1);
  assert_int_equal(store_query_int(f.c, &next, NULL, &err, "SELECT next_at FROM notify_outbox", ""),
                   FS_OK);
  assert_true(next >= t0 - 1000 + 10000 && next < t0 + 10000 + 60000);
  /* Not due yet: nothing is tried. */
  assert_int_equal(notify_deliver_due(f.c, &env, NULL, next - 1, 16, &done, &err), FS_OK);
  assert_int_equal(done, 0);
  assert_int_equal(notify_deliver_due(f.c, &env, NULL, next, 16, &done, &err), FS_OK);
  assert_int_equal(done, 1);
  int64_t next2 = 0;
  store_query_int(f.c, &next2, NULL, &err, "SELECT next_at FROM notify_outbox", "");
  assert_true(next2 - fs_time_now_ms() > 15000); /* doubled: 20 s */
  assert_int_equal(notify_deliver_due(f.c, &env, NULL, next2, 16, &done, &err), FS_OK);
  char status[16];
  store_query_text(f.c, status, sizeof(status), NULL, &err, "SELECT status FROM notify_outbox", "");
  assert_string_equal(status, "failed");
  assert_int_equal(
      store_query_int(f.c, &attempts, NULL, &err, "SELECT COUNT(*) FROM notify_attempt", ""),
      FS_OK);
  assert_int_equal(attempts, 3);
  hub_fixture_close(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_level_table),
      cmocka_unit_test(test_policy_file),
      cmocka_unit_test(test_clocks),
      cmocka_unit_test(test_report_body),
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_webhook_signature),
      cmocka_unit_test(test_incident_policy),
      cmocka_unit_test(test_outbox_backoff),
      cmocka_unit_test(test_publish_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
