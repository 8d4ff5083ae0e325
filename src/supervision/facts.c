/* The facts of one institution as of a date: what the registers, the drills and the incidents
 * say, each with the records behind it. Scores and requirement sets read these and nothing else,
 * so that docs/supervision.md can list every name a model may use. */
#include "supervision/internal.h"

#include "auth/org.h"
#include "resilience/drill.h"
#include "resilience/register.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void fact(json_t *facts, const char *name, json_t *value, json_t *records)
{
  json_object_set_new(facts, name,
                      json_pack("{s:o,s:o}", "value", value ? value : json_null(), "records",
                                records ? records : json_array()));
}

/* Every record of a register of the organisation as of at: [{ref, fields (derived at at)}]. */
struct rows {
  const struct reg_def *d;
  int64_t at;
  json_t *items;
};

static int row(const char *id, int64_t version, const json_t *f, void *ctx, struct fs_err *err)
{
  struct rows *r = ctx;
  char ref[160];
  snprintf(ref, sizeof(ref), "%s/%s@%lld", r->d->name, id, (long long)version);
  json_array_append_new(
      r->items, json_pack("{s:s,s:o}", "ref", ref, "fields", reg_fields_derived(r->d, f, r->at)));
  return FS_OK;
}

static int rows_of(struct store_conn *c, const char *reg, const char *org_id, int64_t at,
                   json_t **out, struct fs_err *err)
{
  struct rows r = {.d = reg_find(reg), .at = at, .items = json_array()};
  int rc = reg_scan(c, r.d, org_id, at, row, &r, err);
  if (rc)
    json_decref(r.items);
  else
    *out = r.items;
  return rc;
}

static const json_t *fld(const json_t *item, const char *k)
{
  return json_object_get(json_object_get(item, "fields"), k);
}

static const char *fstr(const json_t *item, const char *k)
{
  const char *s = json_string_value(fld(item, k));
  return s ? s : "";
}

static double fnum(const json_t *item, const char *k)
{
  const json_t *v = fld(item, k);
  return json_is_number(v) ? json_number_value(v) : 0;
}

static bool in_window(const json_t *item, const char *datefield, int64_t from_day, int64_t to_day)
{
  int64_t d = reg_date_days(fstr(item, datefield));
  return d >= 0 && d >= from_day && d <= to_day;
}

static json_t *refs_all(const json_t *items, bool (*keep)(const json_t *, const void *),
                        const void *ctx)
{
  json_t *a = json_array();
  size_t i;
  const json_t *it;
  json_array_foreach(items, i, it)
  {
    if (!keep || keep(it, ctx))
      json_array_append_new(a, json_string(json_string_value(json_object_get(it, "ref"))));
  }
  return a;
}

/* The item with the latest date (or largest integer) in field, among those kept. */
static const json_t *latest(const json_t *items, const char *field, int64_t from_day,
                            int64_t to_day)
{
  const json_t *best = NULL;
  size_t i;
  const json_t *it;
  json_array_foreach(items, i, it)
  {
    if (!in_window(it, field, from_day, to_day))
      continue;
    if (!best || strcmp(fstr(it, field), fstr(best, field)) > 0)
      best = it;
  }
  return best;
}

static double pct(double a, double b)
{
  return b > 0 ? round(1000 * a / b) / 10 : 0;
}

/* ---- per register ------------------------------------------------------------------------- */

static void governance(json_t *facts, const json_t *items, int64_t at)
{
  char today[11];
  reg_date_of_ms(at, today);
  int year = atoi(today);
  const json_t *best = NULL;
  size_t i;
  const json_t *it;
  json_array_foreach(items, i, it)
  {
    int y = (int)fnum(it, "year");
    if (y <= year && (!best || y > (int)fnum(best, "year")))
      best = it;
  }
  fact(facts, "governance.present", json_boolean(best != NULL), NULL);
  if (!best) {
    fact(facts, "org.business", json_string("general"), NULL);
    return;
  }
  const char *ref = json_string_value(json_object_get(best, "ref"));
  const char *k;
  json_t *v;
  json_object_foreach(json_object_get(best, "fields"), k, v)
  {
    char name[96];
    snprintf(name, sizeof(name), "governance.%s", k);
    fact(facts, name, json_deep_copy(v), json_pack("[s]", ref));
  }
  const char *b = fstr(best, "business");
  fact(facts, "org.business", json_string(*b ? b : "general"), json_pack("[s]", ref));
}

static bool offsite(const json_t *it, const void *ctx)
{
  const char *e = fstr(it, "environment");
  return strcmp(e, "local") != 0;
}

static bool stale_backup(const json_t *it, const void *ctx)
{
  return strcmp(fstr(it, "verification_status"), "current") != 0;
}

static bool safe_haven(const json_t *it, const void *ctx)
{
  return !strcmp(fstr(it, "environment"), "safe-haven");
}

static bool rule_321(const json_t *it, const void *ctx)
{
  return fnum(it, "copies") >= 3 && fnum(it, "media") >= 2;
}

static bool ci_service(const json_t *it, const void *ctx)
{
  return json_is_true(fld(it, "critical_infrastructure"));
}

static void bcm(json_t *facts, const json_t *services, const json_t *backups)
{
  json_t *ci = refs_all(services, ci_service, NULL), *off = refs_all(backups, offsite, NULL);
  json_t *stale = refs_all(backups, stale_backup, NULL),
         *haven = refs_all(backups, safe_haven, NULL);
  json_t *r321 = refs_all(backups, rule_321, NULL);
  /* 3-2-1: three copies on two media, one of them away from the site. */
  bool ok = json_array_size(r321) > 0 && json_array_size(off) > 0;
  fact(facts, "bcm.services", json_integer((json_int_t)json_array_size(services)),
       refs_all(services, NULL, NULL));
  fact(facts, "bcm.ci_services", json_integer((json_int_t)json_array_size(ci)), ci);
  fact(facts, "bcm.backups", json_integer((json_int_t)json_array_size(backups)),
       refs_all(backups, NULL, NULL));
  fact(facts, "bcm.offsite", json_integer((json_int_t)json_array_size(off)), off);
  fact(facts, "bcm.safe_haven", json_boolean(json_array_size(haven) > 0), haven);
  fact(facts, "bcm.backups_unverified", json_integer((json_int_t)json_array_size(stale)), stale);
  fact(facts, "bcm.rule_321", json_boolean(ok), r321);
}

static void drills(json_t *facts, const json_t *status)
{
  const json_t *svcs = json_object_get(status, "services");
  int n = 0, pass = 0, fail = 0, overdue = 0, window = 0;
  json_t *rp = json_array(), *rf = json_array(), *ro = json_array(), *rw = json_array();
  size_t i;
  const json_t *s;
  json_array_foreach(svcs, i, s)
  {
    n++;
    const char *st = json_string_value(json_object_get(s, "status"));
    const json_t *ld = json_object_get(s, "latest_drill");
    char ref[160];
    if (ld)
      snprintf(ref, sizeof(ref), "drill-evidence/%s", json_string_value(json_object_get(ld, "id")));
    else
      snprintf(ref, sizeof(ref), "bcm-services/%s",
               json_string_value(json_object_get(s, "record")));
    json_t *target = !strcmp(st, "pass") ? rp : !strcmp(st, "fail") ? rf : ro;
    pass += target == rp;
    fail += target == rf;
    overdue += target == ro;
    json_array_append_new(target, json_string(ref));
    if (json_is_true(json_object_get(s, "passed_in_window"))) {
      window++;
      json_array_append_new(rw, json_string(ref));
    }
  }
  fact(facts, "drills.services", json_integer(n), NULL);
  fact(facts, "drills.pass", json_integer(pass), rp);
  fact(facts, "drills.fail", json_integer(fail), rf);
  fact(facts, "drills.overdue", json_integer(overdue), ro);
  fact(facts, "drills.coverage", json_real(pct(pass, n)), json_deep_copy(rp));
  fact(facts, "drills.passed_in_period", json_integer(window), rw);
}

struct win {
  const char *field;
  int64_t from, to;
};

static bool keep_win(const json_t *it, const void *ctx)
{
  const struct win *w = ctx;
  return in_window(it, w->field, w->from, w->to);
}

static void exercises(json_t *facts, const json_t *phish, const json_t *ddos, const json_t *pentest,
                      int64_t from_day, int64_t to_day)
{
  struct win w = {"date", from_day, to_day};
  json_t *pr = refs_all(phish, keep_win, &w), *dr = refs_all(ddos, keep_win, &w);
  json_t *tr = refs_all(pentest, keep_win, &w);
  fact(facts, "phishing.exercises", json_integer((json_int_t)json_array_size(pr)), pr);
  const json_t *lp = latest(phish, "date", from_day, to_day);
  json_t *lpr = lp ? json_pack("[s]", json_string_value(json_object_get(lp, "ref"))) : NULL;
  fact(facts, "phishing.open_rate", lp ? json_deep_copy(fld(lp, "open_rate")) : NULL, lpr);
  fact(facts, "phishing.click_rate", lp ? json_deep_copy(fld(lp, "click_rate")) : NULL,
       lpr ? json_deep_copy(lpr) : NULL);
  fact(facts, "phishing.meets_targets", json_boolean(lp && json_is_true(fld(lp, "meets_targets"))),
       lpr ? json_deep_copy(lpr) : NULL);
  fact(facts, "ddos.exercises", json_integer((json_int_t)json_array_size(dr)), dr);
  const json_t *ld = latest(ddos, "date", from_day, to_day);
  fact(facts, "ddos.pass", json_boolean(ld && !strcmp(fstr(ld, "result"), "pass")),
       ld ? json_pack("[s]", json_string_value(json_object_get(ld, "ref"))) : NULL);
  fact(facts, "pentest.exercises", json_integer((json_int_t)json_array_size(tr)), tr);
  int rb = 0;
  size_t i;
  const json_t *it;
  json_array_foreach(pentest, i, it) rb +=
      in_window(it, "date", from_day, to_day) && !strcmp(fstr(it, "kind"), "red-blue");
  fact(facts, "pentest.red_blue", json_integer(rb), NULL);
}

static bool f_open(const json_t *it, const void *c)
{
  return !strcmp(fstr(it, "status"), "open");
}
static bool f_overdue(const json_t *it, const void *c)
{
  return json_is_true(fld(it, "overdue"));
}
static bool f_escalated(const json_t *it, const void *c)
{
  return !strcmp(fstr(it, "escalation"), "escalated");
}
static bool f_crit(const json_t *it, const void *c)
{
  return f_open(it, c) && !strcmp(fstr(it, "severity"), "critical");
}

static void findings(json_t *facts, const json_t *items)
{
  json_t *o = refs_all(items, f_open, NULL), *od = refs_all(items, f_overdue, NULL);
  json_t *e = refs_all(items, f_escalated, NULL), *cr = refs_all(items, f_crit, NULL);
  fact(facts, "findings.open", json_integer((json_int_t)json_array_size(o)), o);
  fact(facts, "findings.overdue", json_integer((json_int_t)json_array_size(od)), od);
  fact(facts, "findings.escalated", json_integer((json_int_t)json_array_size(e)), e);
  fact(facts, "findings.critical_open", json_integer((json_int_t)json_array_size(cr)), cr);
}

static void self_assessment(json_t *facts, const json_t *items)
{
  int n = 0, impl = 0, na = 0;
  size_t i;
  const json_t *it;
  json_array_foreach(items, i, it)
  {
    n++;
    impl += !strcmp(fstr(it, "status"), "implemented");
    na += !strcmp(fstr(it, "status"), "not-applicable");
  }
  fact(facts, "selfassess.controls", json_integer(n), refs_all(items, NULL, NULL));
  fact(facts, "selfassess.implemented_ratio", json_real(pct(impl, n - na)), NULL);
}

/* The training map's yearly hours per role (the hub's sector register). */
static json_t *map_hours(const json_t *map)
{
  json_t *by = json_object();
  size_t i;
  const json_t *it;
  json_array_foreach(map, i, it)
  {
    const char *role = fstr(it, "role");
    json_object_set_new(
        by, role, json_real(json_number_value(json_object_get(by, role)) + fnum(it, "hours")));
  }
  return by;
}

static void talent(json_t *facts, const json_t *items, const json_t *map, int64_t at)
{
  char today[11];
  reg_date_of_ms(at, today);
  int year = atoi(today), best = 0;
  size_t i;
  const json_t *it;
  json_array_foreach(items, i, it)
  {
    int y = (int)fnum(it, "year");
    if (y <= year && y > best)
      best = y;
  }
  double need = 0, done = 0, cert = 0, map_need = 0;
  bool all = best > 0;
  json_t *refs = json_array(), *hours = map_hours(map), *map_refs = json_array();
  json_array_foreach(map, i, it)
      json_array_append_new(map_refs, json_string(json_string_value(json_object_get(it, "ref"))));
  json_array_foreach(items, i, it)
  {
    if ((int)fnum(it, "year") != best)
      continue;
    need += fnum(it, "required_hours") * fnum(it, "headcount");
    /* What the sector's training map asks of the role (the record's own figure when the map
     * has no course for it). */
    const json_t *h = json_object_get(hours, fstr(it, "role"));
    map_need += (h ? json_number_value(h) : fnum(it, "required_hours")) * fnum(it, "headcount");
    done += fnum(it, "hours_completed");
    cert += fnum(it, "certified");
    all = all && json_is_true(fld(it, "meets_hours"));
    json_array_append_new(refs, json_string(json_string_value(json_object_get(it, "ref"))));
  }
  fact(facts, "talent.hours_ratio", best ? json_real(need > 0 ? pct(done, need) : 100) : NULL,
       refs);
  fact(facts, "talent.certified", json_integer((json_int_t)cert), json_deep_copy(refs));
  fact(facts, "talent.meets_hours", json_boolean(all), json_deep_copy(refs));
  json_array_extend(map_refs, refs);
  fact(facts, "talent.map_hours_ratio",
       best ? json_real(map_need > 0 ? pct(done, map_need) : 100) : NULL, map_refs);
  json_decref(hours);
}

static bool tp_high(const json_t *it, const void *c)
{
  return !strcmp(fstr(it, "risk_rating"), "high");
}
static bool tp_late(const json_t *it, const void *c)
{
  return json_is_true(fld(it, "review_overdue"));
}
static bool tp_cloud(const json_t *it, const void *c)
{
  return !strcmp(fstr(it, "kind"), "cloud");
}

static void third_parties(json_t *facts, const json_t *items)
{
  json_t *h = refs_all(items, tp_high, NULL), *l = refs_all(items, tp_late, NULL),
         *cl = refs_all(items, tp_cloud, NULL);
  fact(facts, "third_parties.count", json_integer((json_int_t)json_array_size(items)),
       refs_all(items, NULL, NULL));
  fact(facts, "third_parties.high_risk", json_integer((json_int_t)json_array_size(h)), h);
  fact(facts, "third_parties.reviews_overdue", json_integer((json_int_t)json_array_size(l)), l);
  fact(facts, "third_parties.cloud", json_integer((json_int_t)json_array_size(cl)), cl);
}

static void sanctions(json_t *facts, const json_t *items, int64_t from_day, int64_t to_day)
{
  struct win w = {"date", from_day, to_day};
  json_t *r = refs_all(items, keep_win, &w);
  double pts = 0;
  size_t i;
  const json_t *it;
  json_array_foreach(items, i, it) if (in_window(it, "date", from_day, to_day)) pts +=
      fnum(it, "points");
  fact(facts, "sanctions.count", json_integer((json_int_t)json_array_size(r)), r);
  fact(facts, "sanctions.points", json_integer((json_int_t)pts), json_deep_copy(r));
}

static void incidents(json_t *facts, const struct incident_org_facts *f)
{
  json_t *all = json_array(), *major = json_array(), *ontime = json_array(), *late = json_array(),
         *unrep = json_array(), *missed = json_array();
  size_t i;
  const json_t *it;
  json_array_foreach(f->records, i, it)
  {
    char ref[80];
    snprintf(ref, sizeof(ref), "incident/%s", json_string_value(json_object_get(it, "ref")));
    json_array_append_new(all, json_string(ref));
    const char *rep = json_string_value(json_object_get(it, "report"));
    const char *rec = json_string_value(json_object_get(it, "recovery"));
    if (json_integer_value(json_object_get(it, "level")) >= 3) {
      json_array_append_new(major, json_string(ref));
      json_array_append_new(!strcmp(rep, "on-time") ? ontime
                            : !strcmp(rep, "late")  ? late
                                                    : unrep,
                            json_string(ref));
    }
    if (!strcmp(rec, "late") || !strcmp(rec, "overdue"))
      json_array_append_new(missed, json_string(ref));
  }
  fact(facts, "incidents.total", json_integer(f->total), all);
  fact(facts, "incidents.major", json_integer(f->major), major);
  fact(facts, "incidents.major_on_time", json_integer(f->major_on_time), ontime);
  fact(facts, "incidents.major_late", json_integer(f->major_late), late);
  fact(facts, "incidents.major_unreported", json_integer(f->major_unreported), unrep);
  fact(facts, "incidents.recovery_met", json_integer(f->recovery_met), NULL);
  fact(facts, "incidents.recovery_missed", json_integer(f->recovery_missed), missed);
  fact(facts, "incidents.clocks_decided", json_integer(f->clocks_decided), NULL);
  fact(facts, "incidents.clocks_met", json_integer(f->clocks_met), NULL);
  fact(facts, "incidents.clocks_met_ratio",
       f->clocks_decided ? json_real(pct(f->clocks_met, f->clocks_decided)) : NULL, NULL);
}

int sup_facts_window(struct store_conn *c, const struct sup_env *env, const char *org_id,
                     int64_t from, int64_t at, json_t **out, struct fs_err *err)
{
  static const char *const regs[] = {"governance",         "bcm-services",     "bcm-backups",
                                     "exercises-phishing", "exercises-ddos",   "exercises-pentest",
                                     "findings",           "self-assessments", "talent",
                                     "third-parties",      "sanctions"};
  json_t *rows[FS_ARRAY_SIZE(regs)] = {0};
  int rc = FS_OK;
  for (size_t i = 0; i < FS_ARRAY_SIZE(regs) && !rc; i++)
    rc = rows_of(c, regs[i], org_id, at, &rows[i], err);
  json_t *map = NULL;
  char hub[37];
  if (!rc && !(rc = org_hub_id(c, hub, err)))
    rc = rows_of(c, "training-map", hub, at, &map, err);
  json_t *status = NULL;
  if (!rc)
    rc = resil_drill_status_org(c, org_id, at, env->drill_period_days, from, &status, err);
  struct incident_org_facts inc = {0};
  if (!rc)
    rc = incident_org_facts(c, env->incident, org_id, from, at, &inc, err);
  json_t *facts = json_object();
  if (!rc) {
    int64_t from_day = reg_today(from), to_day = reg_today(at);
    governance(facts, rows[0], at);
    bcm(facts, rows[1], rows[2]);
    drills(facts, status);
    exercises(facts, rows[3], rows[4], rows[5], from_day, to_day);
    findings(facts, rows[6]);
    self_assessment(facts, rows[7]);
    talent(facts, rows[8], map, at);
    third_parties(facts, rows[9]);
    sanctions(facts, rows[10], from_day, to_day);
    incidents(facts, &inc);
  }
  for (size_t i = 0; i < FS_ARRAY_SIZE(regs); i++)
    json_decref(rows[i]);
  json_decref(status);
  json_decref(map);
  json_decref(inc.records);
  if (rc) {
    json_decref(facts);
    return rc;
  }
  *out = facts;
  return FS_OK;
}

int sup_facts(struct store_conn *c, const struct sup_env *env, const char *org_id, int64_t at,
              json_t **out, struct fs_err *err)
{
  int64_t days = env->model ? env->model->period_days : 365;
  return sup_facts_window(c, env, org_id, at - days * 86400000, at, out, err);
}
