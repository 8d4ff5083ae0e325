/* The weekly and monthly sector reports: what the hub saw in the period (new publications, top
 * indicators and their sightings, alerts by rule and technique, incidents by level, category
 * and industry, clocks met and missed), gathered through the modules' functions as the hub's
 * analysts see it, rendered in both languages (periodic_render.c) and kept. */
#include "products/internal.h"

#include "audit/audit.h"
#include "auth/policy.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "core/uuid.h"
#include "incident/incident.h"
#include "soc/soc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int products_periodic_render(const json_t *data, bool pdf, enum fs_lang lang, struct fs_buf *out,
                             struct fs_err *err);

/* "2026-W23" (ISO week, Monday first) or "2026-06": the kind and the days [from, to). */
static int parse_period(const char *p, const char **kind, int64_t *from, int64_t *to,
                        struct fs_err *err)
{
  int y, n;
  char tail;
  if (p && sscanf(p, "%4d-W%2d%c", &y, &n, &tail) == 2 && n >= 1 && n <= 53) {
    /* ISO week 1 holds January 4th */
    int64_t jan4 = fs_days_from_civil(y, 1, 4);
    int64_t wd = ((jan4 + 3) % 7 + 7) % 7; /* 0 = Monday (1970-01-01 was a Thursday) */
    *from = jan4 - wd + (int64_t)(n - 1) * 7;
    *to = *from + 7;
    *kind = "weekly";
    return FS_OK;
  }
  if (p && sscanf(p, "%4d-%2d%c", &y, &n, &tail) == 2 && n >= 1 && n <= 12 && strlen(p) == 7) {
    *from = fs_days_from_civil(y, (unsigned)n, 1);
    *to = n == 12 ? fs_days_from_civil(y + 1, 1, 1) : fs_days_from_civil(y, (unsigned)n + 1, 1);
    *kind = "monthly";
    return FS_OK;
  }
  return fs_err_set(err, FS_ERR_INVALID, "period",
                    "give a week (2026-W23) or a month (2026-06), not \"%.20s\"", p ? p : "");
}

static json_t *publications_in(struct store_conn *c, int64_t lo, int64_t hi, struct fs_err *err)
{
  struct store_stmt *s;
  if (store_query(c, &s, err,
                  "SELECT ref, type, status, fields, published_at FROM products_publication"
                  " WHERE published_at >= ? AND published_at < ? ORDER BY published_at",
                  "ii", lo, hi))
    return NULL;
  json_t *items = json_array();
  bool row;
  while (!store_step(s, &row, err) && row) {
    json_t *f = json_loads(store_col_text(s, 3), 0, NULL);
    json_array_append_new(
        items, json_pack("{s:s,s:s,s:s,s:O?,s:O?,s:o}", "ref", store_col_text(s, 0), "type",
                         store_col_text(s, 1), "status", store_col_text(s, 2), "title_zh",
                         json_object_get(f, "title_zh"), "title_en", json_object_get(f, "title_en"),
                         "published", jsonx_time_new(store_col_int(s, 4))));
    json_decref(f);
  }
  store_done(s);
  return items;
}

int products_periodic_make(struct store_conn *c, const struct actor *who,
                           const struct products_env *env, const char *period, char id_out[37],
                           struct fs_err *err)
{
  if (!products_may_write(who))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "report",
                      "only the hub's analysts make sector reports");
  const char *kind = "";
  int64_t from = 0, to = 0;
  int rc = parse_period(period, &kind, &from, &to, err);
  if (rc)
    return rc;
  int64_t lo = from * 86400000 - 8 * 3600000LL, hi = to * 86400000 - 8 * 3600000LL;
  /* What the hub's analysts see: the hub acting as one of them (not the local operator). */
  struct actor hub = *who;
  hub.local = false;
  hub.role = AUTH_ROLE_HUB_ANALYST;
  json_t *pubs = publications_in(c, lo, hi, err);
  json_t *alerts = NULL, *attack = NULL, *incidents = NULL;
  if (!pubs)
    rc = err->code ? err->code : FS_ERR_INTERNAL;
  if (!rc)
    rc = soc_alert_counts_json(c, &hub, lo, hi, 1000, &alerts, err);
  if (!rc)
    rc = products_attack_counts(c, &hub, lo, hi, &attack, err);
  struct incident_env *ienv = calloc(1, sizeof(*ienv));
  if (!rc && !ienv)
    rc = fs_err_set(err, FS_ERR_NOMEM, "report", "out of memory");
  if (!rc)
    rc = incident_env_load(ienv, env->cfg, err);
  if (!rc)
    rc = incident_stats_json(c, &hub, ienv, lo, hi, &incidents, err);
  free(ienv);
  json_t *data = NULL;
  if (!rc) {
    /* top indicators (their alerts and sightings) and rules, ten of each */
    json_t *top_ioc = json_array(), *rules = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(alerts, i, a)
    {
      bool ioc = !strcmp(json_string_value(json_object_get(a, "kind")), "ioc");
      json_t *into = ioc ? top_ioc : rules;
      if (json_array_size(into) < 10)
        json_array_append(into, a);
    }
    int64_t met = 0, missed = 0;
    json_array_foreach(json_object_get(incidents, "clocks_by_org"), i, a)
    {
      met += json_integer_value(json_object_get(a, "clocks_met"));
      missed += json_integer_value(json_object_get(a, "clocks_decided")) -
                json_integer_value(json_object_get(a, "clocks_met"));
    }
    char f[16], t[16];
    products_day_text(from, f);
    products_day_text(to - 1, t);
    data = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:O,s:O,s:O,s:O,s:{s:I,s:I},s:I}", "kind",
                     kind, "period", period, "from", f, "to", t, "hub", env->cfg->hub_name,
                     "publications", pubs, "top_indicators", top_ioc, "rules", rules, "techniques",
                     json_object_get(attack, "techniques"), "incidents_by_level",
                     json_object_get(incidents, "by_level"), "incidents_by_category",
                     json_object_get(incidents, "by_category"), "incidents_by_industry",
                     json_object_get(incidents, "by_industry"), "clocks", "met", (json_int_t)met,
                     "missed", (json_int_t)missed, "incidents",
                     json_integer_value(json_object_get(incidents, "incidents")));
    pubs = NULL;
  }
  json_decref(pubs);
  json_decref(alerts);
  json_decref(attack);
  json_decref(incidents);
  if (rc)
    return rc;
  struct fs_buf h_zh, h_en, p_zh, p_en;
  fs_buf_init(&h_zh, 64 << 20);
  fs_buf_init(&h_en, 64 << 20);
  fs_buf_init(&p_zh, 64 << 20);
  fs_buf_init(&p_en, 64 << 20);
  rc = products_periodic_render(data, false, FS_LANG_ZH_TW, &h_zh, err);
  if (!rc)
    rc = products_periodic_render(data, false, FS_LANG_EN, &h_en, err);
  if (!rc)
    rc = products_periodic_render(data, true, FS_LANG_ZH_TW, &p_zh, err);
  if (!rc)
    rc = products_periodic_render(data, true, FS_LANG_EN, &p_en, err);
  bool owned = false;
  if (!rc)
    rc = store_tx_enter(c, &owned, err);
  char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
  fs_uuid_v4(id_out);
  if (!rc) {
    struct store_stmt *s;
    rc = store_prepare(c,
                       "INSERT INTO products_periodic (id, kind, period, data, html_zh, html_en,"
                       " pdf_zh, pdf_en, made_at, made_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       &s, err);
    if (!rc) {
      store_bind_text(s, 1, id_out);
      store_bind_text(s, 2, kind);
      store_bind_text(s, 3, period);
      store_bind_text(s, 4, text ? text : "{}");
      store_bind_textn(s, 5, fs_buf_cstr(&h_zh), h_zh.len);
      store_bind_textn(s, 6, fs_buf_cstr(&h_en), h_en.len);
      store_bind_blob(s, 7, p_zh.data ? p_zh.data : "", p_zh.len);
      store_bind_blob(s, 8, p_en.data ? p_en.data : "", p_en.len);
      store_bind_int(s, 9, who->now_ms);
      store_bind_text(s, 10, who->username);
      bool row;
      rc = store_step(s, &row, err);
      store_done(s);
    }
  }
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s}", "kind", kind, "period", period);
    rc = audit_append(c, who, "report.periodic", "report", id_out, d, err);
    json_decref(d);
  }
  if (owned || rc)
    rc = store_tx_leave(c, owned, rc, err);
  free(text);
  json_decref(data);
  fs_buf_release(&h_zh);
  fs_buf_release(&h_en);
  fs_buf_release(&p_zh);
  fs_buf_release(&p_en);
  return rc;
}

static bool may_read(const struct actor *who)
{
  return policy_allows(who, POLICY_PRODUCT_SECTOR_READ, NULL);
}

int products_periodic_list(struct store_conn *c, const struct actor *who, json_t **out,
                           struct fs_err *err)
{
  if (!may_read(who))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "report",
                      "sector reports are for the hub and the supervisor");
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT id, kind, period, made_at, made_by, LENGTH(pdf_zh), LENGTH(pdf_en)"
                       " FROM products_periodic ORDER BY made_at DESC, id",
                       "");
  if (rc)
    return rc;
  json_t *items = json_array();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row)
    json_array_append_new(
        items, json_pack("{s:s,s:s,s:s,s:o,s:s,s:[s,s],s:{s:I,s:I}}", "id", store_col_text(s, 0),
                         "kind", store_col_text(s, 1), "period", store_col_text(s, 2), "made",
                         jsonx_time_new(store_col_int(s, 3)), "made_by", store_col_text(s, 4),
                         "languages", "zh-TW", "en", "pdf_bytes", "zh-TW",
                         (json_int_t)store_col_int(s, 5), "en", (json_int_t)store_col_int(s, 6)));
  store_done(s);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o}", "items", items);
  return FS_OK;
}

int products_periodic_get(struct store_conn *c, const struct actor *who, const char *id,
                          const char *format, enum fs_lang lang, struct fs_buf *out,
                          struct fs_err *err)
{
  if (!may_read(who))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "report",
                      "sector reports are for the hub and the supervisor");
  const char *col = !strcmp(format, "json")  ? "data"
                    : !strcmp(format, "pdf") ? (lang == FS_LANG_EN ? "pdf_en" : "pdf_zh")
                                             : (lang == FS_LANG_EN ? "html_en" : "html_zh");
  char sql[160];
  snprintf(sql, sizeof(sql),
           "SELECT %s FROM products_periodic WHERE id = ? OR period = ?"
           " ORDER BY made_at DESC LIMIT 1",
           col);
  struct store_stmt *s;
  int rc = store_query(c, &s, err, sql, "ss", id, id);
  if (rc)
    return rc;
  bool row;
  if (!(rc = store_step(s, &row, err)) && row) {
    size_t n;
    const void *p = store_col_blob(s, 0, &n);
    rc = fs_buf_append(out, p, n);
  } else if (!rc) {
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "report", "no sector report \"%.40s\"", id);
  }
  store_done(s);
  return rc;
}
