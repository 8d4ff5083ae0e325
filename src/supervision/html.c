/* The supervision report as one HTML page with inline SVG charts (written here: bars with their
 * values, no script, no external resource), in zh-TW or English. */
#include "supervision/render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void esc(struct fs_buf *b, const char *s)
{
  for (; s && *s; s++) {
    switch (*s) {
    case '<':
      fs_buf_append_str(b, "&lt;");
      break;
    case '>':
      fs_buf_append_str(b, "&gt;");
      break;
    case '&':
      fs_buf_append_str(b, "&amp;");
      break;
    case '"':
      fs_buf_append_str(b, "&quot;");
      break;
    case '\'':
      fs_buf_append_str(b, "&#39;");
      break;
    default:
      fs_buf_append_char(b, *s);
    }
  }
}

/* A horizontal bar chart of one metric over the groups (percentages: scale 0..100). */
static void svg_bars(struct fs_buf *b, const char *title, const json_t *groups, const char *key,
                     bool pct, enum fs_lang lang)
{
  size_t n = json_array_size(groups);
  int row = 22, left = 190, width = 620, top = 30;
  int h = top + (int)n * row + 10;
  double max = pct ? 100 : 0;
  size_t i;
  const json_t *g;
  json_array_foreach(groups, i, g) if (!pct) max =
      fmax(max, json_number_value(json_object_get(g, key)));
  if (max <= 0)
    max = 1;
  fs_buf_appendf(b,
                 "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"%d\" "
                 "height=\"%d\" viewBox=\"0 0 %d %d\" aria-label=\"",
                 width + left + 70, h, width + left + 70, h);
  esc(b, title);
  fs_buf_append_str(b, "\"><title>");
  esc(b, title);
  fs_buf_appendf(b, "</title><text x=\"0\" y=\"18\" class=\"t\">");
  esc(b, title);
  fs_buf_append_str(b, "</text>");
  json_array_foreach(groups, i, g)
  {
    const json_t *jv = json_object_get(g, key);
    double v = json_number_value(jv);
    int y = top + (int)i * row;
    int w = (int)lround(width * v / max);
    if (!json_is_number(jv)) {
      fs_buf_appendf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8, y + 15);
      esc(b, sup_label(json_object_get(g, "label"), lang));
      fs_buf_appendf(b, "</text><text x=\"%d\" y=\"%d\" class=\"v\">–</text>", left + 6, y + 15);
      continue;
    }
    fs_buf_appendf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8, y + 15);
    esc(b, sup_label(json_object_get(g, "label"), lang));
    fs_buf_appendf(b,
                   "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" class=\"%s\"/>"
                   "<text x=\"%d\" y=\"%d\" class=\"v\">%.*f%s</text>",
                   left, y + 2, w, pct && v < 80 ? "bar low" : "bar", left + w + 6, y + 15,
                   pct ? 1 : 0, v, pct ? " %" : "");
  }
  fs_buf_append_str(b, "</svg></figure>\n");
}

/* Score distribution: one stacked bar per group, a segment per tier. */
static void svg_tiers(struct fs_buf *b, const char *title, const json_t *report,
                      const json_t *groups, enum fs_lang lang)
{
  static const char *const colours[] = {"#1b7837", "#5aae61", "#a6dba0", "#f1b6da",
                                        "#c51b7d", "#762a83", "#9970ab", "#c2a5cf",
                                        "#e7d4e8", "#d9f0d3", "#666",    "#999"};
  const json_t *tiers = json_object_get(json_object_get(report, "model"), "tiers");
  size_t n = json_array_size(groups);
  int row = 22, left = 190, width = 620, top = 52;
  int h = top + (int)n * row + 10;
  fs_buf_appendf(b,
                 "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"%d\" "
                 "height=\"%d\" aria-label=\"",
                 width + left + 20, h);
  esc(b, title);
  fs_buf_append_str(b, "\"><title>");
  esc(b, title);
  fs_buf_append_str(b, "</title><text x=\"0\" y=\"18\" class=\"t\">");
  esc(b, title);
  fs_buf_append_str(b, "</text>");
  size_t i, k;
  const json_t *t, *g;
  json_array_foreach(tiers, k, t)
  {
    fs_buf_appendf(
        b,
        "<rect x=\"%d\" y=\"28\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"39\">",
        left + (int)k * 110, colours[k % 12], left + (int)k * 110 + 16);
    esc(b, json_string_value(json_object_get(t, "tier")));
    fs_buf_append_str(b, "</text>");
  }
  json_array_foreach(groups, i, g)
  {
    int y = top + (int)i * row;
    double total = json_number_value(json_object_get(g, "orgs"));
    fs_buf_appendf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8, y + 15);
    esc(b, sup_label(json_object_get(g, "label"), lang));
    fs_buf_append_str(b, "</text>");
    double x = left;
    const json_t *counts = json_object_get(g, "score_tiers");
    json_array_foreach(counts, k, t)
    {
      double c = json_number_value(json_object_get(t, "count"));
      if (c <= 0 || total <= 0)
        continue;
      double w = width * c / total;
      fs_buf_appendf(b,
                     "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" "
                     "fill=\"%s\"><title>%s: %d</title></rect>",
                     x, y + 2, w, colours[k % 12], json_string_value(json_object_get(t, "tier")),
                     (int)c);
      x += w;
    }
  }
  fs_buf_append_str(b, "</svg></figure>\n");
}

static void table(struct fs_buf *b, const char *title, const json_t *groups, enum fs_lang lang)
{
  fs_buf_append_str(b, "<h2>");
  esc(b, title);
  fs_buf_append_str(b, "</h2><table><thead><tr><th></th>");
  size_t i;
  const json_t *g;
  json_array_foreach(groups, i, g)
  {
    fs_buf_append_str(b, "<th>");
    esc(b, sup_label(json_object_get(g, "label"), lang));
    fs_buf_append_str(b, "</th>");
  }
  fs_buf_append_str(b, "</tr></thead><tbody>\n");
  for (const struct sup_metric *m = sup_metrics; m->key; m++) {
    fs_buf_append_str(b, "<tr><th>");
    esc(b, lang == FS_LANG_EN ? m->en : m->zh);
    fs_buf_append_str(b, "</th>");
    json_array_foreach(groups, i, g)
    {
      char v[32];
      sup_format_value(g, m, v, sizeof(v));
      fs_buf_appendf(b, "<td data-metric=\"%s\" data-group=\"%s\">%s</td>", m->key,
                     json_string_value(json_object_get(g, "key")), v);
    }
    fs_buf_append_str(b, "</tr>\n");
  }
  fs_buf_append_str(b, "</tbody></table>\n");
}

int sup_report_html(const json_t *r, enum fs_lang lang, bool roc, struct fs_buf *b,
                    struct fs_err *err)
{
  char from[40], to[40], asof[40];
  sup_format_date(json_string_value(json_object_get(r, "from")), lang, roc, from, sizeof(from));
  sup_format_date(json_string_value(json_object_get(r, "to")), lang, roc, to, sizeof(to));
  sup_format_date(json_string_value(json_object_get(r, "as_of")), lang, roc, asof, sizeof(asof));
  const char *period = json_string_value(json_object_get(r, "period"));
  const json_t *totals = json_object_get(r, "totals");
  const json_t *ind = json_object_get(r, "by_industry"), *size = json_object_get(r, "by_size");
  fs_buf_appendf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
                 lang == FS_LANG_EN ? "en" : "zh-TW");
  esc(b, sup_tr(lang, "Supervision report ", "資安監理報告 "));
  esc(b, period);
  fs_buf_append_str(
      b,
      "</title><style>"
      "body{font-family:'Noto Sans CJK TC','Noto Sans TC',sans-serif;margin:2em;color:#222}"
      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px "
      "8px;text-align:right}"
      "th{background:#f3f3f3}tbody th{text-align:left}.cards{display:flex;flex-wrap:wrap;gap:1em}"
      ".card{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;min-width:11em}"
      ".card b{display:block;font-size:1.6em}svg text{font-size:12px}svg "
      ".t{font-size:14px;font-weight:bold}"
      ".bar{fill:#2b6cb0}.bar.low{fill:#c53030}figure{margin:1em 0}"
      "</style></head><body>\n<h1>");
  esc(b, sup_tr(lang, "Supervision report ", "資安監理報告 "));
  esc(b, period);
  fs_buf_append_str(b, "</h1>\n<p>");
  esc(b, sup_tr(lang, "Period: ", "期間："));
  esc(b, from);
  fs_buf_append_str(b, " – ");
  esc(b, to);
  esc(b, sup_tr(lang, "; as of ", "；資料截至 "));
  esc(b, asof);
  esc(b, sup_tr(lang, ". Scoring model: ", "。評分模型："));
  esc(b, sup_label(json_object_get(json_object_get(r, "model"), "title"), lang));
  esc(b, sup_tr(lang, ".", "。"));
  fs_buf_append_str(b, "</p>\n<div class=\"cards\">\n");
  for (const struct sup_metric *m = sup_metrics; m->key; m++) {
    char v[32];
    sup_format_value(totals, m, v, sizeof(v));
    fs_buf_appendf(b, "<div class=\"card\" data-metric=\"%s\"><b>%s</b>", m->key, v);
    esc(b, lang == FS_LANG_EN ? m->en : m->zh);
    fs_buf_append_str(b, "</div>\n");
  }
  fs_buf_append_str(b, "</div>\n<h2>");
  esc(b, sup_tr(lang, "Charts", "圖表"));
  fs_buf_append_str(b, "</h2>\n");
  svg_bars(
      b,
      sup_tr(lang,
             "BCM coverage: services with a passing restore drill in the period (%) by industry",
             "營運持續涵蓋率：期間內通過復原演練之核心業務（%），依業別"),
      ind, "bcm_coverage_pct", true, lang);
  svg_bars(
      b, sup_tr(lang, "Tiered requirements met (%) by industry", "分級資安要求符合率（%），依業別"),
      ind, "compliance_pct", true, lang);
  svg_bars(b,
           sup_tr(lang, "Incident clocks met (%) by industry", "資安事件時限達成率（%），依業別"),
           ind, "clocks_met_pct", true, lang);
  svg_bars(b, sup_tr(lang, "Overdue findings by industry", "逾期未改善缺失數，依業別"), ind,
           "findings_overdue", false, lang);
  svg_tiers(b, sup_tr(lang, "Score distribution by size", "評分分布，依規模"), r, size, lang);
  svg_tiers(b, sup_tr(lang, "Score distribution by industry", "評分分布，依業別"), r, ind, lang);
  json_t *all = json_pack("[O]", totals);
  table(b, sup_tr(lang, "All institutions", "全體機構"), all, lang);
  json_decref(all);
  table(b, sup_tr(lang, "By size", "依規模"), size, lang);
  table(b, sup_tr(lang, "By industry", "依業別"), ind, lang);
  /* Tiers of the model. */
  fs_buf_append_str(b, "<h2>");
  esc(b, sup_tr(lang, "Score tiers", "評分等級"));
  fs_buf_append_str(b, "</h2><table><thead><tr><th>");
  esc(b, sup_tr(lang, "Tier", "等級"));
  fs_buf_append_str(b, "</th><th>");
  esc(b, sup_tr(lang, "From score", "分數下限"));
  fs_buf_append_str(b, "</th><th>");
  esc(b, sup_tr(lang, "Rate (%)", "費率（%）"));
  fs_buf_append_str(b, "</th><th>");
  esc(b, sup_tr(lang, "Discount (%)", "優惠（%）"));
  fs_buf_append_str(b, "</th><th>");
  esc(b, sup_tr(lang, "Institutions", "機構數"));
  fs_buf_append_str(b, "</th></tr></thead><tbody>\n");
  size_t i;
  const json_t *t;
  json_array_foreach(json_object_get(json_object_get(r, "model"), "tiers"), i, t)
  {
    const json_t *cnt = json_array_get(json_object_get(totals, "score_tiers"), i);
    fs_buf_append_str(b, "<tr><th>");
    esc(b, sup_label(json_object_get(t, "label"), lang));
    fs_buf_appendf(
        b, "</th><td>%g</td><td>%.2f</td><td>%.1f</td><td data-tier=\"%s\">%lld</td></tr>\n",
        json_number_value(json_object_get(t, "min_score")),
        json_number_value(json_object_get(t, "rate_percent")),
        json_number_value(json_object_get(t, "discount_percent")),
        json_string_value(json_object_get(t, "tier")),
        (long long)json_integer_value(json_object_get(cnt, "count")));
  }
  fs_buf_append_str(b, "</tbody></table>\n<h2>");
  esc(b, sup_tr(lang, "Institutions needing attention", "需關注之機構"));
  fs_buf_appendf(b, " (%lld)</h2><table><thead><tr><th>",
                 (long long)json_integer_value(json_object_get(r, "attention_total")));
  esc(b, sup_tr(lang, "Institution", "機構"));
  fs_buf_append_str(b, "</th><th>");
  esc(b, sup_tr(lang, "Score", "評分"));
  fs_buf_append_str(b, "</th><th>");
  esc(b, sup_tr(lang, "Why", "原因"));
  fs_buf_append_str(b, "</th></tr></thead><tbody>\n");
  const json_t *a;
  json_array_foreach(json_object_get(r, "attention"), i, a)
  {
    fs_buf_append_str(b, "<tr><th>");
    esc(b, json_string_value(json_object_get(a, lang == FS_LANG_EN ? "name_en" : "name_zh")));
    fs_buf_append_str(b, " (");
    esc(b, json_string_value(json_object_get(a, "org")));
    fs_buf_appendf(b, ")</th><td>%.1f</td><td style=\"text-align:left\">",
                   json_number_value(json_object_get(a, "score")));
    size_t k;
    const json_t *w;
    json_array_foreach(json_object_get(a, "reasons"), k, w)
    {
      if (k)
        fs_buf_append_str(b, lang == FS_LANG_EN ? "; " : "；");
      esc(b, sup_reason_label(json_string_value(json_object_get(w, "reason")), lang));
      fs_buf_appendf(b, " %lld", (long long)json_integer_value(json_object_get(w, "count")));
    }
    fs_buf_append_str(b, "</td></tr>\n");
  }
  fs_buf_append_str(b, "</tbody></table>\n<p><small>");
  esc(b, sup_tr(lang,
                "Made by finshield. Every figure comes from the registers, drill evidence and "
                "incidents as they stood on the date above; each institution's score lists its "
                "parts and records (GET /api/v1/supervision/scores/{org}).",
                "由 finshield "
                "產製。各項數字取自上述日期當時之登錄資料、演練證據與資安事件；各機構評分之組成與依"
                "據紀錄可於 GET /api/v1/supervision/scores/{org} 查閱。"));
  fs_buf_append_str(b, "</small></p>\n</body></html>\n");
  if (b->len >= b->max)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "report", "the report is too large");
  return FS_OK;
}
