/* The weekly and monthly sector reports for people: HTML with SVG charts and PDF (render/), in
 * zh-TW and English, from the data periodic.c gathered. */
#include "products/internal.h"

#include "auth/org.h"
#include "render/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int products_periodic_render(const json_t *data, bool pdf, enum fs_lang lang, struct fs_buf *out,
                             struct fs_err *err);

static const char *jstr(const json_t *o, const char *k)
{
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

/* Bars of a {key: count} object (labels through label_fn when given). */
static struct render_bar *object_bars(const json_t *obj, size_t *n,
                                      const char *(*label_fn)(const char *, enum fs_lang, char *,
                                                              size_t),
                                      enum fs_lang lang, char (*bufs)[96])
{
  *n = json_object_size(obj);
  struct render_bar *b = calloc(*n ? *n : 1, sizeof(*b));
  size_t i = 0;
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)(uintptr_t)obj, k, v)
  {
    if (!b || i >= 64)
      break;
    b[i] = (struct render_bar){.label = label_fn ? label_fn(k, lang, bufs[i], 96) : k,
                               .value = (double)json_integer_value(v),
                               .has_value = true};
    i++;
  }
  *n = i;
  return b;
}

static const char *level_label(const char *k, enum fs_lang lang, char *buf, size_t n)
{
  snprintf(buf, n, lang == FS_LANG_EN ? "Level %s" : "第 %s 級", k);
  return buf;
}

static const char *industry_label(const char *k, enum fs_lang lang, char *buf, size_t n)
{
  for (int i = 0; org_industry_names[i]; i++)
    if (!strcmp(org_industry_names[i], k))
      return org_industry_label(i, lang != FS_LANG_EN);
  snprintf(buf, n, "%s", k);
  return buf;
}

/* The charts of the report, in order: title and bars. */
struct chart {
  const char *title;
  struct render_bar *bars;
  size_t n;
};

static size_t charts(const json_t *d, enum fs_lang lang, struct chart *c, char (*bufs)[64][96])
{
  size_t k = 0;
  c[k].title = render_tr(lang, "Incidents by level", "資安事件（依等級）");
  c[k].bars =
      object_bars(json_object_get(d, "incidents_by_level"), &c[k].n, level_label, lang, bufs[k]);
  k++;
  c[k].title = render_tr(lang, "Incidents by category", "資安事件（依類別）");
  c[k].bars =
      object_bars(json_object_get(d, "incidents_by_category"), &c[k].n, NULL, lang, bufs[k]);
  k++;
  c[k].title = render_tr(lang, "Incidents by industry", "資安事件（依業別）");
  c[k].bars = object_bars(json_object_get(d, "incidents_by_industry"), &c[k].n, industry_label,
                          lang, bufs[k]);
  k++;
  /* alerts by rule and by technique */
  static const char *const lists[][3] = {
      {"rules", "Alerts by Sigma rule", "告警（依 Sigma 規則）"},
      {"top_indicators", "Top indicators: alerts", "主要指標：告警數"}};
  for (size_t l = 0; l < 2; l++) {
    const json_t *arr = json_object_get(d, lists[l][0]);
    c[k].title = render_tr(lang, lists[l][1], lists[l][2]);
    c[k].n = json_array_size(arr);
    c[k].bars = calloc(c[k].n ? c[k].n : 1, sizeof(*c[k].bars));
    size_t i;
    const json_t *a;
    json_array_foreach(arr, i, a) if (c[k].bars) c[k].bars[i] =
        (struct render_bar){.label = jstr(a, "ref_name"),
                            .value = (double)json_integer_value(json_object_get(a, "alerts")),
                            .has_value = true};
    k++;
  }
  const json_t *tech = json_object_get(d, "techniques");
  c[k].title =
      render_tr(lang, "Alerts and incidents by ATT&CK technique", "告警與事件（依 ATT&CK 技術）");
  c[k].n = json_array_size(tech) < 15 ? json_array_size(tech) : 15;
  c[k].bars = calloc(c[k].n ? c[k].n : 1, sizeof(*c[k].bars));
  for (size_t i = 0; c[k].bars && i < c[k].n; i++) {
    const json_t *t = json_array_get(tech, i);
    snprintf(bufs[k][i], 96, "%s %s", jstr(t, "technique"), jstr(t, "name"));
    c[k].bars[i] =
        (struct render_bar){.label = bufs[k][i],
                            .value = (double)(json_integer_value(json_object_get(t, "alerts")) +
                                              json_integer_value(json_object_get(t, "incidents"))),
                            .has_value = true};
  }
  k++;
  return k;
}

static void title_of(const json_t *d, enum fs_lang lang, char *out, size_t n)
{
  bool weekly = !strcmp(jstr(d, "kind"), "weekly");
  char from[48], to[48];
  render_format_date(jstr(d, "from"), lang, false, from, sizeof(from));
  render_format_date(jstr(d, "to"), lang, false, to, sizeof(to));
  snprintf(out, n, "%s %s (%s – %s)",
           weekly ? render_tr(lang, "Sector weekly report", "金融資安週報")
                  : render_tr(lang, "Sector monthly report", "金融資安月報"),
           jstr(d, "period"), from, to);
}

static void summary_of(const json_t *d, enum fs_lang lang, char *out, size_t n)
{
  const json_t *clocks = json_object_get(d, "clocks");
  snprintf(out, n,
           lang == FS_LANG_EN ? "%zu publications; %lld incidents; clocks met %lld, missed %lld."
                              : "發布 %zu 則；資安事件 %lld 件；時限達成 %lld 項、逾時 %lld 項。",
           json_array_size(json_object_get(d, "publications")),
           (long long)json_integer_value(json_object_get(d, "incidents")),
           (long long)json_integer_value(json_object_get(clocks, "met")),
           (long long)json_integer_value(json_object_get(clocks, "missed")));
}

static void html(const json_t *d, enum fs_lang lang, struct chart *c, size_t nc, struct fs_buf *b)
{
  char title[300], line[400];
  title_of(d, lang, title, sizeof(title));
  render_html_begin(b, lang, title);
  fs_buf_append_str(b, "<h1>");
  render_html_esc(b, title);
  fs_buf_append_str(b, "</h1>\n<p class=\"summary\">");
  summary_of(d, lang, line, sizeof(line));
  render_html_esc(b, line);
  fs_buf_append_str(b, "</p>\n<h2>");
  render_html_esc(b, render_tr(lang, "New publications", "新發布"));
  fs_buf_append_str(b, "</h2><table><thead><tr><th>");
  render_html_esc(b, render_tr(lang, "Reference", "編號"));
  fs_buf_append_str(b, "</th><th>");
  render_html_esc(b, render_tr(lang, "Type", "類型"));
  fs_buf_append_str(b, "</th><th>");
  render_html_esc(b, render_tr(lang, "Title", "標題"));
  fs_buf_append_str(b, "</th></tr></thead><tbody>\n");
  size_t i;
  const json_t *p;
  json_array_foreach(json_object_get(d, "publications"), i, p)
  {
    int type = products_type_index(jstr(p, "type"));
    type = type < 0 ? 0 : type;
    const char *t = jstr(p, lang == FS_LANG_EN ? "title_en" : "title_zh");
    fs_buf_append_str(b, "<tr><th>");
    render_html_esc(b, jstr(p, "ref"));
    fs_buf_append_str(b, "</th><td>");
    render_html_esc(b, products_type_label(type, lang));
    fs_buf_append_str(b, "</td><td style=\"text-align:left\">");
    render_html_esc(b, *t ? t : jstr(p, lang == FS_LANG_EN ? "title_zh" : "title_en"));
    fs_buf_append_str(b, "</td></tr>\n");
  }
  fs_buf_append_str(b, "</tbody></table>\n<h2>");
  render_html_esc(b, render_tr(lang, "Charts", "圖表"));
  fs_buf_append_str(b, "</h2>\n");
  for (size_t k = 0; k < nc; k++)
    render_svg_bars(b, c[k].title, c[k].bars, c[k].n, 0, 0, "");
  fs_buf_append_str(b, "<h2>");
  render_html_esc(b, render_tr(lang, "Top indicators and sightings", "主要指標與目擊"));
  fs_buf_append_str(b, "</h2><table><thead><tr><th>");
  render_html_esc(b, render_tr(lang, "Indicator", "指標"));
  fs_buf_append_str(b, "</th><th>");
  render_html_esc(b, render_tr(lang, "Alerts", "告警"));
  fs_buf_append_str(b, "</th><th>");
  render_html_esc(b, render_tr(lang, "Sightings (hits)", "目擊（命中）"));
  fs_buf_append_str(b, "</th><th>");
  render_html_esc(b, render_tr(lang, "Organisations", "機構數"));
  fs_buf_append_str(b, "</th></tr></thead><tbody>\n");
  json_array_foreach(json_object_get(d, "top_indicators"), i, p)
  {
    fs_buf_append_str(b, "<tr><th>");
    render_html_esc(b, jstr(p, "ref_name"));
    fs_buf_appendf(b, "</th><td>%lld</td><td>%lld</td><td>%lld</td></tr>\n",
                   (long long)json_integer_value(json_object_get(p, "alerts")),
                   (long long)json_integer_value(json_object_get(p, "hits")),
                   (long long)json_integer_value(json_object_get(p, "organisations")));
  }
  fs_buf_append_str(b, "</tbody></table>\n<p><small>");
  render_html_esc(b,
                  render_tr(lang,
                            "Made by finshield from the hub's publications, alerts, sightings "
                            "and incidents as its analysts see them.",
                            "由 finshield 依中樞分析人員可見之發布、告警、目擊與資安事件產製。"));
  fs_buf_append_str(b, "</small></p>\n");
  render_html_end(b);
}

static int pdf(const json_t *d, enum fs_lang lang, struct chart *c, size_t nc, struct fs_buf *b,
               struct fs_err *err)
{
  char title[300], line[600];
  title_of(d, lang, title, sizeof(title));
  struct render_pdf p;
  render_pdf_begin(&p, b, lang, title);
  render_pdf_line(&p, title, 15, true);
  summary_of(d, lang, line, sizeof(line));
  render_pdf_line(&p, line, 9, false);
  p.y += 6;
  render_pdf_line(&p, render_tr(lang, "New publications", "新發布"), 11, true);
  size_t i;
  const json_t *pub;
  json_array_foreach(json_object_get(d, "publications"), i, pub)
  {
    const char *t = jstr(pub, lang == FS_LANG_EN ? "title_en" : "title_zh");
    snprintf(line, sizeof(line), "%s  %s", jstr(pub, "ref"),
             *t ? t : jstr(pub, lang == FS_LANG_EN ? "title_zh" : "title_en"));
    render_pdf_line(&p, line, 8.5, false);
  }
  p.y += 6;
  for (size_t k = 0; k < nc; k++)
    render_pdf_bars(&p, c[k].title, c[k].bars, c[k].n, 0, 0, "");
  return render_pdf_end(&p, "report", err);
}

int products_periodic_render(const json_t *data, bool as_pdf, enum fs_lang lang, struct fs_buf *out,
                             struct fs_err *err)
{
  struct chart c[8];
  char(*bufs)[64][96] = calloc(8, sizeof(*bufs));
  if (!bufs)
    return fs_err_set(err, FS_ERR_NOMEM, "report", "out of memory");
  size_t nc = charts(data, lang, c, bufs);
  int rc = FS_OK;
  if (as_pdf) {
    rc = pdf(data, lang, c, nc, out, err);
  } else {
    html(data, lang, c, nc, out);
    if (out->len >= out->max)
      rc = fs_err_set(err, FS_ERR_TOO_LARGE, "report", "the report is too large");
  }
  for (size_t k = 0; k < nc; k++)
    free(c[k].bars);
  free(bufs);
  return rc;
}
