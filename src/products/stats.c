/* The statistics of the hub's products: the four types and their total per year, half, quarter
 * or month (Asia/Taipei dates, by each product's first publication), and the member
 * institutions at a date. */
#include "products/internal.h"

#include "auth/org.h"
#include "render/render.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const products_period_names[] = {"year", "half", "quarter", "month", NULL};

int products_parse_day(const char *s, const char *what, int64_t *day, struct fs_err *err)
{
  int y, m, d;
  char tail;
  if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen(s) != 10 || m < 1 ||
      m > 12 || d < 1 || d > 31)
    return fs_err_set(err, FS_ERR_INVALID, what, "give a date as YYYY-MM-DD, not \"%.40s\"",
                      s ? s : "");
  *day = fs_days_from_civil(y, (unsigned)m, (unsigned)d);
  return FS_OK;
}

/* The natural period holding day: its first day and the first day after it. */
static void natural(enum products_period by, int64_t day, int64_t *start, int64_t *next)
{
  int64_t y;
  unsigned m, d;
  fs_civil_from_days(day, &y, &m, &d);
  unsigned months = by == PRODUCTS_BY_YEAR      ? 12
                    : by == PRODUCTS_BY_HALF    ? 6
                    : by == PRODUCTS_BY_QUARTER ? 3
                                                : 1;
  unsigned first = (m - 1) / months * months + 1;
  *start = fs_days_from_civil(y, first, 1);
  unsigned nm = first + months;
  *next = nm > 12 ? fs_days_from_civil(y + 1, nm - 12, 1) : fs_days_from_civil(y, nm, 1);
}

static void natural_label(enum products_period by, int64_t start, char *out, size_t n)
{
  int64_t y;
  unsigned m, d;
  fs_civil_from_days(start, &y, &m, &d);
  if (by == PRODUCTS_BY_YEAR)
    snprintf(out, n, "%lld", (long long)y);
  else if (by == PRODUCTS_BY_HALF)
    snprintf(out, n, "%lld-H%u", (long long)y, m <= 6 ? 1 : 2);
  else if (by == PRODUCTS_BY_QUARTER)
    snprintf(out, n, "%lld-Q%u", (long long)y, (m - 1) / 3 + 1);
  else
    snprintf(out, n, "%lld-%02u", (long long)y, m);
}

/* Labels of a period [from, to] (inclusive days) that is not a whole natural period:
 * "2017-12..2018", "2020-01..06" (ROC: "106.12~107", "109.1~109.6"). */
static void labels(enum products_period by, int64_t from, int64_t to, bool whole, char *out,
                   char *roc, size_t n)
{
  int64_t y1, y2;
  unsigned m1, d1, m2, d2;
  fs_civil_from_days(from, &y1, &m1, &d1);
  fs_civil_from_days(to, &y2, &m2, &d2);
  if (whole) {
    natural_label(by, from, out, n);
    if (by == PRODUCTS_BY_YEAR)
      snprintf(roc, n, "%lld", (long long)y1 - 1911);
    else
      snprintf(roc, n, "%lld%s", (long long)y1 - 1911, out + 4);
    return;
  }
  int64_t ns, nx;
  natural(PRODUCTS_BY_YEAR, to, &ns, &nx);
  bool year_end = to + 1 == nx;
  if (y1 == y2 && m1 == m2) {
    snprintf(out, n, "%04lld-%02u", (long long)y1, m1);
    snprintf(roc, n, "%lld.%u", (long long)y1 - 1911, m1);
  } else if (y1 == y2) {
    snprintf(out, n, "%04lld-%02u..%02u", (long long)y1, m1, m2);
    snprintf(roc, n, "%lld.%u~%lld.%u", (long long)y1 - 1911, m1, (long long)y2 - 1911, m2);
  } else if (year_end) {
    snprintf(out, n, "%04lld-%02u..%04lld", (long long)y1, m1, (long long)y2);
    snprintf(roc, n, "%lld.%u~%lld", (long long)y1 - 1911, m1, (long long)y2 - 1911);
  } else {
    snprintf(out, n, "%04lld-%02u..%04lld-%02u", (long long)y1, m1, (long long)y2, m2);
    snprintf(roc, n, "%lld.%u~%lld.%u", (long long)y1 - 1911, m1, (long long)y2 - 1911, m2);
  }
}

struct period {
  int64_t from, to; /* inclusive days */
  int64_t n[PRODUCTS__COUNT];
  char label[40], roc[40];
};

/* Members: organisations of a member industry created on or before day (end of day). */
static int members_at(struct store_conn *c, int64_t day, int64_t *count, struct fs_err *err)
{
  struct actor sys = {.local = true};
  struct org_filter f = {0};
  char after[80] = "";
  /* before the next day starts in Taipei */
  int64_t end_ms = (day + 1) * 86400000 - 8 * 3600000LL;
  *count = 0;
  for (;;) {
    struct auth_page page = {.limit = 1000, .after = after[0] ? after : NULL};
    json_t *pg;
    int rc = org_list_json(c, &sys, &f, &page, &pg, err);
    if (rc)
      return rc;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(pg, "items"), i, o)
    {
      const char *ind = json_string_value(json_object_get(o, "industry"));
      const char *created = json_string_value(json_object_get(o, "created_at"));
      int64_t ms = 0;
      struct fs_err e2;
      /* the hub itself, the supervisor and partners are not members */
      if (!ind || !strcmp(ind, "hub") || !strcmp(ind, "regulator") || !strcmp(ind, "partner"))
        continue;
      if (created && !fs_time_parse_ms(created, strlen(created), &ms, &e2) && ms < end_ms)
        (*count)++;
    }
    const char *next = json_string_value(json_object_get(pg, "next"));
    if (next)
      snprintf(after, sizeof(after), "%s", next);
    json_decref(pg);
    if (!next)
      return FS_OK;
  }
}

int products_stats_json(struct store_conn *c, const struct actor *who, enum products_period by,
                        int64_t from_day, int64_t to_day, int64_t members_day, json_t **out,
                        struct fs_err *err)
{
  char hub[37] = "";
  int rc = org_hub_id(c, hub, err);
  if (rc)
    return rc;
  if (!from_day) {
    int64_t first = 0;
    rc = store_query_int(c, &first, NULL, err,
                         "SELECT COALESCE(MIN(first_published_at), 0) FROM products_publication"
                         " WHERE first_published_at IS NOT NULL",
                         "");
    from_day = first ? products_local_day(first) : products_local_day(who->now_ms);
  }
  if (!to_day)
    to_day = products_local_day(who->now_ms);
  if (!rc && to_day < from_day)
    return fs_err_set(err, FS_ERR_INVALID, "to", "the period ends before it starts");
  if (!rc && to_day - from_day > 366 * 200)
    return fs_err_set(err, FS_ERR_INVALID, "from", "at most two hundred years");
  /* The periods: natural ones clipped to [from, to]; a leading stub under a quarter of its
   * period joins the next. */
  struct period *ps = NULL;
  size_t np = 0;
  for (int64_t d = from_day; d <= to_day;) {
    int64_t start, next;
    natural(by, d, &start, &next);
    int64_t end = next - 1 < to_day ? next - 1 : to_day;
    if (d == from_day && d > start && (next - d) * 4 < next - start && end < to_day) {
      int64_t s2, n2;
      natural(by, next, &s2, &n2);
      end = n2 - 1 < to_day ? n2 - 1 : to_day;
    }
    struct period *grown = realloc(ps, (np + 1) * sizeof(*ps));
    if (!grown) {
      free(ps);
      return fs_err_set(err, FS_ERR_NOMEM, "stats", "out of memory");
    }
    ps = grown;
    memset(&ps[np], 0, sizeof(ps[np]));
    ps[np].from = d;
    ps[np].to = end;
    int64_t ns, nn;
    natural(by, d, &ns, &nn);
    labels(by, d, end, d == ns && end == nn - 1, ps[np].label, ps[np].roc, sizeof(ps[np].label));
    np++;
    d = end + 1;
  }
  /* Count: every product first published in [from, to] that the actor may see. */
  int64_t lo = from_day * 86400000 - 8 * 3600000LL, hi = (to_day + 1) * 86400000 - 8 * 3600000LL;
  struct store_stmt *s;
  rc = store_query(c, &s, err,
                   "SELECT type, tlp, first_published_at FROM products_publication"
                   " WHERE first_published_at >= ? AND first_published_at < ?"
                   " ORDER BY first_published_at",
                   "ii", lo, hi);
  if (rc) {
    free(ps);
    return rc;
  }
  bool row;
  size_t at = 0;
  while (!(rc = store_step(s, &row, err)) && row) {
    if (!products_tlp_visible(who, hub, store_col_text(s, 1)))
      continue;
    int64_t day = products_local_day(store_col_int(s, 2));
    while (at < np && ps[at].to < day)
      at++;
    if (at == np)
      break;
    int k = products_type_index(store_col_text(s, 0));
    if (k >= 0)
      ps[at].n[k]++;
  }
  store_done(s);
  int64_t members = 0;
  if (!members_day)
    members_day = to_day;
  if (!rc)
    rc = members_at(c, members_day, &members, err);
  if (rc) {
    free(ps);
    return rc;
  }
  json_t *periods = json_array();
  int64_t tot[PRODUCTS__COUNT] = {0};
  for (size_t i = 0; i < np; i++) {
    char f[16], t[16];
    products_day_text(ps[i].from, f);
    products_day_text(ps[i].to, t);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "label", ps[i].label, "label_roc", ps[i].roc, "from",
                          f, "to", t);
    int64_t total = 0;
    for (int k = 0; k < PRODUCTS__COUNT; k++) {
      json_object_set_new(o, products_type_names[k], json_integer(ps[i].n[k]));
      total += ps[i].n[k];
      tot[k] += ps[i].n[k];
    }
    json_object_set_new(o, "total", json_integer(total));
    json_array_append_new(periods, o);
  }
  json_t *totals = json_object();
  int64_t all = 0;
  for (int k = 0; k < PRODUCTS__COUNT; k++) {
    json_object_set_new(totals, products_type_names[k], json_integer(tot[k]));
    all += tot[k];
  }
  json_object_set_new(totals, "total", json_integer(all));
  char f[16], t[16], m[16];
  products_day_text(from_day, f);
  products_day_text(to_day, t);
  products_day_text(members_day, m);
  *out = json_pack("{s:s,s:s,s:s,s:o,s:o,s:{s:s,s:I}}", "by", products_period_names[by], "from", f,
                   "to", t, "periods", periods, "totals", totals, "members", "at", m, "count",
                   (json_int_t)members);
  free(ps);
  return FS_OK;
}

int products_stats_text(const json_t *stats, bool csv, bool roc, enum fs_lang lang,
                        struct fs_buf *out)
{
  bool en = lang == FS_LANG_EN;
  /* short headings (the action plan's columns) */
  const char *head[] = {en ? "Period" : "區間",           en ? "Advisories" : "資安漏洞",
                        en ? "Threat intel" : "威脅情資", en ? "Periodic" : "週報/月報",
                        en ? "Analysis" : "分析報告",     en ? "Total" : "合計"};
  size_t i;
  const json_t *p;
  if (csv) {
    fs_buf_appendf(out, "%s,%s,%s,%s,%s,%s\r\n", head[0], head[1], head[2], head[3], head[4],
                   head[5]);
    json_array_foreach(json_object_get(stats, "periods"), i, p)
        fs_buf_appendf(out, "%s,%lld,%lld,%lld,%lld,%lld\r\n",
                       json_string_value(json_object_get(p, roc ? "label_roc" : "label")),
                       (long long)json_integer_value(json_object_get(p, "advisory")),
                       (long long)json_integer_value(json_object_get(p, "intel")),
                       (long long)json_integer_value(json_object_get(p, "periodic")),
                       (long long)json_integer_value(json_object_get(p, "analysis")),
                       (long long)json_integer_value(json_object_get(p, "total")));
    return FS_OK;
  }
  /* Aligned columns: the period 16 wide, the counts 14 wide, right-aligned (CJK headings count
   * two columns a character). */
  fs_buf_appendf(out, "%-16s", head[0]);
  for (int k = 1; k < 6; k++) {
    size_t w = 0;
    for (const unsigned char *s = (const unsigned char *)head[k]; *s; s++)
      if ((*s & 0xc0) != 0x80)
        w += *s >= 0xe0 ? 2 : 1;
    for (size_t pad = w < 14 ? 14 - w : 1; pad; pad--)
      fs_buf_append_char(out, ' ');
    fs_buf_append_str(out, head[k]);
  }
  fs_buf_append_char(out, '\n');
  json_array_foreach(json_object_get(stats, "periods"), i, p)
      fs_buf_appendf(out, "%-16s%14lld%14lld%14lld%14lld%14lld\n",
                     json_string_value(json_object_get(p, roc ? "label_roc" : "label")),
                     (long long)json_integer_value(json_object_get(p, "advisory")),
                     (long long)json_integer_value(json_object_get(p, "intel")),
                     (long long)json_integer_value(json_object_get(p, "periodic")),
                     (long long)json_integer_value(json_object_get(p, "analysis")),
                     (long long)json_integer_value(json_object_get(p, "total")));
  const json_t *m = json_object_get(stats, "members");
  const char *at = json_string_value(json_object_get(m, "at"));
  char date[48];
  render_format_date(at, lang, roc, date, sizeof(date));
  fs_buf_appendf(out, en ? "Members at %s: %lld\n" : "截至%s會員：%lld 家\n", date,
                 (long long)json_integer_value(json_object_get(m, "count")));
  return FS_OK;
}
