/* Scores of indicators from sources: reliability, independent sources, sightings, and MISP's
 * polynomial decay with age; the pass that withholds what falls below the threshold; and an
 * indicator's analysis as REST shows it. */
#include "intel/feed_int.h"

#include "audit/audit.h"
#include "core/jsonx.h"
#include "core/vec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL

static const char *const family_names[INTEL_FAMILY__COUNT] = {"ip", "domain", "url", "hash",
                                                              "email"};

const char *intel_family_name(enum intel_family f)
{
  return (unsigned)f < INTEL_FAMILY__COUNT ? family_names[f] : "";
}

void intel_score_defaults(struct intel_score_settings *s)
{
  static const int days[INTEL_FAMILY__COUNT] = {30, 90, 60, 365, 180};
  s->threshold = 20;
  for (int f = 0; f < INTEL_FAMILY__COUNT; f++) {
    s->decay[f].lifetime_ms = days[f] * DAY_MS;
    s->decay[f].speed = 1.0;
  }
}

int intel_decay_parse(const char *text, const char *where, struct intel_decay *d,
                      struct fs_err *err)
{
  char *end;
  long days = strtol(text ? text : "", &end, 10);
  double speed = 0;
  if (end != text && *end == ',') {
    const char *sp = end + 1;
    speed = strtod(sp, &end);
    if (end == sp)
      speed = 0;
  }
  if (!text || *end || days < 1 || days > 36500 || !(speed >= 0.1 && speed <= 10))
    return fs_err_set(err, FS_ERR_INVALID, where,
                      "expected LIFETIME_DAYS,SPEED: a lifetime of 1 to 36500 days and a decay "
                      "speed from 0.1 to 10 (e.g. 30,1)");
  d->lifetime_ms = days * DAY_MS;
  d->speed = speed;
  return FS_OK;
}

enum intel_family intel_obs_family_of(enum intel_obs t)
{
  switch (t) {
  case INTEL_OBS_DOMAIN:
    return INTEL_FAMILY_DOMAIN;
  case INTEL_OBS_URL:
    return INTEL_FAMILY_URL;
  case INTEL_OBS_MD5:
  case INTEL_OBS_SHA1:
  case INTEL_OBS_SHA256:
  case INTEL_OBS_SHA512:
    return INTEL_FAMILY_HASH;
  case INTEL_OBS_EMAIL:
    return INTEL_FAMILY_EMAIL;
  default:
    return INTEL_FAMILY_IP;
  }
}

double intel_score_reliability(char grade)
{
  switch (grade) {
  case 'A':
    return 0.9;
  case 'B':
    return 0.75;
  case 'C':
    return 0.6;
  case 'D':
    return 0.4;
  case 'E':
    return 0.2;
  default:
    return 0.5;
  }
}

int intel_score_base(const char *grades, size_t n, int sightings)
{
  double wrong = 1.0;
  for (size_t i = 0; i < n; i++)
    wrong *= 1.0 - intel_score_reliability(grades[i]);
  for (int i = 0; i < sightings && i < 10; i++)
    wrong *= 0.8;
  return (int)lround(100.0 * (1.0 - wrong));
}

int intel_score_decayed(const struct intel_decay *d, int base, int64_t last_seen, int64_t now)
{
  int64_t t = now - last_seen;
  if (t <= 0)
    return base;
  if (t >= d->lifetime_ms)
    return 0;
  double x = (double)t / (double)d->lifetime_ms;
  return (int)lround(base * (1.0 - pow(x, 1.0 / d->speed)));
}

void intel_score_judge(const struct intel_score_settings *s, enum intel_obs kind,
                       struct intel_score_state *st, int64_t now)
{
  const struct intel_decay *d = &s->decay[intel_obs_family_of(kind)];
  st->score = intel_score_decayed(d, st->base, st->last_seen, now);
  st->reason[0] = st->reason_zh[0] = '\0';
  if (st->warninglist[0]) {
    st->withheld = true;
    snprintf(st->reason, sizeof(st->reason), "on warninglist %s", st->warninglist);
    snprintf(st->reason_zh, sizeof(st->reason_zh), "列於警示清單 %s", st->warninglist);
    return;
  }
  st->withheld = st->score < s->threshold;
  if (!st->withheld)
    return;
  long long age = now > st->last_seen ? (now - st->last_seen) / DAY_MS : 0;
  long long life = d->lifetime_ms / DAY_MS;
  snprintf(st->reason, sizeof(st->reason),
           "score %d is below the threshold %d: base %d from %d source%s and %d sighting%s, last "
           "seen %lld day%s ago of a %lld-day lifetime for %s indicators",
           st->score, s->threshold, st->base, st->sources, st->sources == 1 ? "" : "s",
           st->sightings, st->sightings == 1 ? "" : "s", age, age == 1 ? "" : "s", life,
           intel_family_name(intel_obs_family_of(kind)));
  snprintf(st->reason_zh, sizeof(st->reason_zh),
           "分數 %d 低於門檻 %d：基礎分數 %d（%d 個來源、%d 次目擊），最後出現於 %lld 天前，%s "
           "類指標的有效期為 %lld 天",
           st->score, s->threshold, st->base, st->sources, st->sightings, age,
           intel_family_name(intel_obs_family_of(kind)), life);
}

int intel_withheld_set(struct store_conn *c, const char *id, bool withheld, struct fs_err *err)
{
  int rc = store_exec(c, NULL, err, "UPDATE intel_object SET withheld = ? WHERE id = ?", "is",
                      (int64_t)withheld, id);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE intel_ioc SET withheld = ?"
                    " WHERE seq IN (SELECT seq FROM intel_object WHERE id = ?)",
                    "is", (int64_t)withheld, id);
  return rc;
}

int intel_withheld_moved(struct store_conn *c, struct fs_err *err)
{
  /* The monitoring engine rebuilds its index when the deletion counter moves, and TAXII page
   * caches drop the pages of a collection whose generation moved. */
  int rc =
      store_exec(c, NULL, err,
                 "INSERT INTO intel_meta (key, value) VALUES ('deletes', '1') ON CONFLICT (key)"
                 " DO UPDATE SET value = CAST(CAST(intel_meta.value AS BIGINT) + 1 AS TEXT)",
                 "");
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE intel_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT)"
                    " WHERE key LIKE 'gen:%'",
                    "");
  return rc;
}

/* ---- sightings ------------------------------------------------------------------------------- */

struct sighted {
  char ref[STIX_ID_MAX];
  int count;
  int64_t last_seen;
};

struct sightings {
  struct sighted *v;
  size_t n, cap;
  struct fs_err *err;
};

static int add_sighting(const struct intel_latest *l, void *arg)
{
  struct sightings *s = arg;
  json_t *o = json_loads(l->body, 0, NULL);
  const char *ref = json_string_value(json_object_get(o, "sighting_of_ref"));
  int rc = FS_OK;
  if (ref && strlen(ref) < STIX_ID_MAX) {
    if (FS_VEC_GROW(s->v, s->n, s->cap, 256)) {
      rc = fs_err_set(s->err, FS_ERR_NOMEM, "score", "out of memory");
    } else {
      struct sighted *x = &s->v[s->n++];
      snprintf(x->ref, sizeof(x->ref), "%s", ref);
      json_t *cnt = json_object_get(o, "count");
      x->count = json_is_integer(cnt) ? (int)FS_MIN(json_integer_value(cnt), 1000000) : 1;
      x->last_seen = 0;
      const char *ls = json_string_value(json_object_get(o, "last_seen"));
      if (!ls)
        ls = json_string_value(json_object_get(o, "modified"));
      if (ls)
        fs_time_parse_ms(ls, strlen(ls), &x->last_seen, NULL);
    }
  }
  json_decref(o);
  return rc;
}

static int cmp_sighted(const void *a, const void *b)
{
  return strcmp(((const struct sighted *)a)->ref, ((const struct sighted *)b)->ref);
}

/* Every indicator's sightings: the largest count one of its sightings reports (the hub writes
 * one per organisation and one for the sector, which sums them), and the latest last_seen. */
static int load_sightings(struct store_conn *c, struct sightings *s, struct fs_err *err)
{
  s->err = err;
  int rc = intel_latest_each(c, "sighting", 0, add_sighting, s, err);
  if (rc || s->n < 2)
    return rc;
  qsort(s->v, s->n, sizeof(*s->v), cmp_sighted);
  size_t o = 0;
  for (size_t i = 0; i < s->n; i++) {
    if (o && !strcmp(s->v[o - 1].ref, s->v[i].ref)) {
      s->v[o - 1].count = FS_MAX(s->v[o - 1].count, s->v[i].count);
      s->v[o - 1].last_seen = FS_MAX(s->v[o - 1].last_seen, s->v[i].last_seen);
    } else {
      s->v[o++] = s->v[i];
    }
  }
  s->n = o;
  return FS_OK;
}

static const struct sighted *sighting_of(const struct sightings *s, const char *id)
{
  struct sighted key;
  snprintf(key.ref, sizeof(key.ref), "%s", id);
  return s->n ? bsearch(&key, s->v, s->n, sizeof(*s->v), cmp_sighted) : NULL;
}

/* The Admiralty grades of an indicator's sources, in out (n bytes); their count. */
int intel_provenance_grades(struct store_conn *c, const char *id, char *out, size_t n,
                            struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT reliability FROM intel_provenance WHERE indicator = ?",
                       "s", id);
  if (rc)
    return -1;
  size_t k = 0;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row && k + 1 < n) {
    const char *g = store_col_text(s, 0);
    out[k++] = g && *g ? g[0] : 'F';
  }
  out[k] = '\0';
  store_done(s);
  return rc ? -1 : (int)k;
}

/* ---- the pass -------------------------------------------------------------------------------- */

#define PASS_CHUNK 2000

struct pass_row {
  char id[STIX_ID_MAX];
  enum intel_obs kind;
  struct intel_score_state st;
  int old_score, old_sightings;
  bool old_withheld;
  int64_t stored_last_seen;
};

int intel_score_pass(struct store_conn *c, const struct actor *who,
                     const struct intel_score_settings *s, int64_t now, size_t *changed,
                     struct fs_err *err)
{
  if (changed)
    *changed = 0;
  int rc = policy_check(who, POLICY_FEED_RUN, NULL, "the intelligence sources", err);
  if (rc)
    return rc;
  struct sightings sg = {0};
  if ((rc = load_sightings(c, &sg, err))) {
    free(sg.v);
    return rc;
  }
  struct pass_row *rows = malloc(PASS_CHUNK * sizeof(*rows));
  if (!rows) {
    free(sg.v);
    return fs_err_set(err, FS_ERR_NOMEM, "score", "out of memory");
  }
  char after[STIX_ID_MAX] = "";
  size_t total_changed = 0, withheld = 0, released = 0;
  for (;;) {
    size_t n = 0;
    struct store_stmt *q;
    if ((rc =
             store_query(c, &q, err,
                         "SELECT indicator, kind, base, sources, sightings, last_seen, warninglist,"
                         " withheld, score FROM intel_score WHERE indicator > ? ORDER BY indicator"
                         " LIMIT ?",
                         "si", after, (int64_t)PASS_CHUNK)))
      break;
    bool row;
    while (n < PASS_CHUNK && !(rc = store_step(q, &row, err)) && row) {
      struct pass_row *r = &rows[n++];
      memset(r, 0, sizeof(*r));
      snprintf(r->id, sizeof(r->id), "%s", store_col_text(q, 0));
      r->kind = intel_obs_parse(store_col_text(q, 1));
      r->st.base = (int)store_col_int(q, 2);
      r->st.sources = (int)store_col_int(q, 3);
      r->old_sightings = r->st.sightings = (int)store_col_int(q, 4);
      r->stored_last_seen = r->st.last_seen = store_col_int(q, 5);
      snprintf(r->st.warninglist, sizeof(r->st.warninglist), "%s", store_col_text(q, 6));
      r->old_withheld = store_col_int(q, 7) != 0;
      r->old_score = (int)store_col_int(q, 8);
    }
    store_done(q);
    if (rc || !n)
      break;
    snprintf(after, sizeof(after), "%s", rows[n - 1].id);
    if ((rc = store_begin(c, true, err)))
      break;
    size_t chunk_changed = 0;
    for (size_t i = 0; !rc && i < n; i++) {
      struct pass_row *r = &rows[i];
      const struct sighted *x = sighting_of(&sg, r->id);
      if (x) {
        r->st.sightings = x->count;
        r->st.last_seen = FS_MAX(r->st.last_seen, x->last_seen);
      }
      if (r->st.sightings != r->old_sightings) {
        char grades[64];
        int k = intel_provenance_grades(c, r->id, grades, sizeof(grades), err);
        if (k < 0) {
          rc = err ? (int)err->code : FS_ERR_INTERNAL;
          break;
        }
        r->st.base = intel_score_base(grades, (size_t)k, r->st.sightings);
      }
      intel_score_judge(s, r->kind, &r->st, now);
      if (r->st.score == r->old_score && r->st.withheld == r->old_withheld &&
          r->st.sightings == r->old_sightings)
        continue;
      rc = store_exec(c, NULL, err,
                      "UPDATE intel_score SET sightings = ?, base = ?, score = ?, withheld = ?,"
                      " reason = ?, reason_zh = ?, scored_at = ? WHERE indicator = ?",
                      "iiiissis", (int64_t)r->st.sightings, (int64_t)r->st.base,
                      (int64_t)r->st.score, (int64_t)r->st.withheld, r->st.reason, r->st.reason_zh,
                      now, r->id);
      if (!rc && r->st.withheld != r->old_withheld) {
        rc = intel_withheld_set(c, r->id, r->st.withheld, err);
        chunk_changed++;
        if (r->st.withheld)
          withheld++;
        else
          released++;
      }
    }
    if (!rc && chunk_changed)
      rc = intel_withheld_moved(c, err);
    if (!rc && chunk_changed) {
      json_t *d = json_pack("{s:I,s:I,s:o}", "withheld", (json_int_t)withheld, "released",
                            (json_int_t)released, "at", jsonx_time_new(now));
      rc = audit_append(c, who, "intel.score", "indicators", "", d, err);
      json_decref(d);
    }
    if (!rc)
      rc = store_commit(c, err);
    else
      store_rollback(c);
    total_changed += chunk_changed;
    if (n < PASS_CHUNK)
      break;
  }
  free(rows);
  free(sg.v);
  if (changed)
    *changed = total_changed;
  return rc;
}

/* ---- the analysis of one indicator ----------------------------------------------------------- */

int intel_indicator_analysis_json(struct store_conn *c, const struct actor *who, const char *id,
                                  json_t **out, struct fs_err *err)
{
  (void)who; /* the caller has checked that the actor sees the indicator */
  *out = NULL;
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT kind, value, first_seen, last_seen, sources, sightings, base, score,"
                       " warninglist, withheld, reason, reason_zh, scored_at FROM intel_score"
                       " WHERE indicator = ?",
                       "s", id);
  if (rc)
    return rc;
  bool row;
  json_t *a = NULL;
  if (!(rc = store_step(s, &row, err)) && row) {
    const char *wl = store_col_text(s, 8);
    a = json_pack("{s:s,s:s,s:o,s:o,s:I,s:I,s:I,s:I,s:s?,s:b,s:o}", "kind", store_col_text(s, 0),
                  "value", store_col_text(s, 1), "first_seen", jsonx_time_new(store_col_int(s, 2)),
                  "last_seen", jsonx_time_new(store_col_int(s, 3)), "sources",
                  (json_int_t)store_col_int(s, 4), "sightings", (json_int_t)store_col_int(s, 5),
                  "base", (json_int_t)store_col_int(s, 6), "score", (json_int_t)store_col_int(s, 7),
                  "warninglist", wl && *wl ? wl : NULL, "withheld", store_col_int(s, 9) != 0,
                  "scored_at", jsonx_time_new(store_col_int(s, 12)));
    const char *reason = store_col_text(s, 10);
    if (a && reason && *reason) {
      json_object_set_new(a, "reason", json_string(reason));
      json_object_set_new(a, "reason_zh", json_string(store_col_text(s, 11)));
    }
  }
  store_done(s);
  if (rc || !a) {
    json_decref(a);
    return rc;
  }
  json_t *prov = json_array();
  if (!(rc = store_query(c, &s, err,
                         "SELECT source, reliability, first_seen, last_seen, reports"
                         " FROM intel_provenance WHERE indicator = ? ORDER BY first_seen, source",
                         "s", id))) {
    while (!(rc = store_step(s, &row, err)) && row)
      json_array_append_new(prov, json_pack("{s:s,s:s,s:o,s:o,s:I}", "source", store_col_text(s, 0),
                                            "reliability", store_col_text(s, 1), "first_seen",
                                            jsonx_time_new(store_col_int(s, 2)), "last_seen",
                                            jsonx_time_new(store_col_int(s, 3)), "reports",
                                            (json_int_t)store_col_int(s, 4)));
    store_done(s);
  }
  json_object_set_new(a, "provenance", prov);
  if (rc)
    json_decref(a);
  else
    *out = a;
  return rc;
}
