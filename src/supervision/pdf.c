/* The supervision report as a PDF: cairo draws, pango lays out the text (Noto Sans CJK for both
 * languages), A4 pages with a running cursor. */
#include "supervision/render.h"

#include "render/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W RENDER_PAGE_W
#define MARGIN RENDER_MARGIN

/* One percentage metric over the groups (below 80 % in the warning colour). */
static void bars(struct render_pdf *p, const char *title, const json_t *groups, const char *key)
{
  size_t n = json_array_size(groups);
  struct render_bar *b = calloc(n ? n : 1, sizeof(*b));
  if (!b)
    return;
  size_t i;
  const json_t *g;
  json_array_foreach(groups, i, g)
  {
    const json_t *jv = json_object_get(g, key);
    double v = json_number_value(jv);
    b[i] = (struct render_bar){.label = sup_label(json_object_get(g, "label"), p->lang),
                               .value = v < 0     ? 0
                                        : v > 100 ? 100
                                                  : v,
                               .has_value = json_is_number(jv),
                               .low = v < 80};
  }
  render_pdf_bars(p, title, b, n, 100, 1, " %");
  free(b);
}

/* A table: metrics down, groups across (at most 6 columns a block). */
static void table(struct render_pdf *p, const char *title, const json_t *groups)
{
  size_t n = json_array_size(groups);
  for (size_t start = 0; start < n; start += 6) {
    size_t cols = n - start < 6 ? n - start : 6;
    double first = 190, cw = (PAGE_W - 2 * MARGIN - first) / (double)(cols < 3 ? 3 : cols),
           row = 13;
    size_t nm = 0;
    while (sup_metrics[nm].key)
      nm++;
    render_pdf_need(p, 40 + row * (double)(nm + 2));
    render_pdf_line(p, title, 10, true);
    cairo_set_source_rgb(p->cr, 0.93, 0.93, 0.93);
    cairo_rectangle(p->cr, MARGIN, p->y, PAGE_W - 2 * MARGIN, row * 2);
    cairo_fill(p->cr);
    cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
    for (size_t c = 0; c < cols; c++)
      render_pdf_text(
          p, MARGIN + first + cw * (double)c, p->y, cw - 2,
          sup_label(json_object_get(json_array_get(groups, start + c), "label"), p->lang), 7, true,
          true);
    p->y += row * 2;
    p->one_line = true;
    for (size_t k = 0; k < nm; k++) {
      const struct sup_metric *m = &sup_metrics[k];
      render_pdf_text(p, MARGIN, p->y, first, p->lang == FS_LANG_EN ? m->en : m->zh, 7, false,
                      false);
      for (size_t c = 0; c < cols; c++) {
        char v[32];
        sup_format_value(json_array_get(groups, start + c), m, v, sizeof(v));
        render_pdf_text(p, MARGIN + first + cw * (double)c, p->y, cw - 2, v, 7, false, true);
      }
      p->y += row;
      cairo_set_source_rgb(p->cr, 0.85, 0.85, 0.85);
      cairo_move_to(p->cr, MARGIN, p->y);
      cairo_line_to(p->cr, PAGE_W - MARGIN, p->y);
      cairo_set_line_width(p->cr, 0.3);
      cairo_stroke(p->cr);
      cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
    }
    p->one_line = false;
    p->y += 12;
  }
}

int sup_report_pdf(const json_t *r, enum fs_lang lang, bool roc, struct fs_buf *out,
                   struct fs_err *err)
{
  struct render_pdf p;
  const char *period = json_string_value(json_object_get(r, "period"));
  char buf[600], from[40], to[40], asof[40];
  snprintf(buf, sizeof(buf), "%s%s", sup_tr(lang, "Supervision report ", "資安監理報告 "), period);
  render_pdf_begin(&p, out, lang, buf);
  render_pdf_line(&p, buf, 18, true);
  sup_format_date(json_string_value(json_object_get(r, "from")), lang, roc, from, sizeof(from));
  sup_format_date(json_string_value(json_object_get(r, "to")), lang, roc, to, sizeof(to));
  sup_format_date(json_string_value(json_object_get(r, "as_of")), lang, roc, asof, sizeof(asof));
  snprintf(buf, sizeof(buf), "%s%s – %s%s%s%s%s", sup_tr(lang, "Period: ", "期間："), from, to,
           sup_tr(lang, "; as of ", "；資料截至 "), asof,
           sup_tr(lang, ". Scoring model: ", "。評分模型："),
           sup_label(json_object_get(json_object_get(r, "model"), "title"), lang));
  render_pdf_line(&p, buf, 9, false);
  p.y += 6;
  const json_t *totals = json_object_get(r, "totals");
  json_t *all = json_pack("[O]", totals);
  table(&p, sup_tr(lang, "All institutions", "全體機構"), all);
  json_decref(all);
  const json_t *ind = json_object_get(r, "by_industry"), *size = json_object_get(r, "by_size");
  bars(&p,
       sup_tr(lang, "BCM coverage: services with a passing restore drill in the period (%)",
              "營運持續涵蓋率：期間內通過復原演練之核心業務（%）"),
       ind, "bcm_coverage_pct");
  bars(&p, sup_tr(lang, "Tiered requirements met (%)", "分級資安要求符合率（%）"), ind,
       "compliance_pct");
  bars(&p, sup_tr(lang, "Incident clocks met (%)", "資安事件時限達成率（%）"), ind,
       "clocks_met_pct");
  table(&p, sup_tr(lang, "By size", "依規模"), size);
  table(&p, sup_tr(lang, "By industry", "依業別"), ind);
  /* Tiers and their counts. */
  render_pdf_line(&p, sup_tr(lang, "Score tiers", "評分等級"), 10, true);
  size_t i;
  const json_t *t;
  json_array_foreach(json_object_get(json_object_get(r, "model"), "tiers"), i, t)
  {
    const json_t *cnt = json_array_get(json_object_get(totals, "score_tiers"), i);
    snprintf(buf, sizeof(buf), "%s — %s %g, %s %.2f %%, %s %.1f %%: %lld",
             sup_label(json_object_get(t, "label"), lang), sup_tr(lang, "from", "分數下限"),
             json_number_value(json_object_get(t, "min_score")), sup_tr(lang, "rate", "費率"),
             json_number_value(json_object_get(t, "rate_percent")),
             sup_tr(lang, "discount", "優惠"),
             json_number_value(json_object_get(t, "discount_percent")),
             (long long)json_integer_value(json_object_get(cnt, "count")));
    render_pdf_line(&p, buf, 8, false);
  }
  p.y += 6;
  snprintf(buf, sizeof(buf), "%s (%lld)",
           sup_tr(lang, "Institutions needing attention", "需關注之機構"),
           (long long)json_integer_value(json_object_get(r, "attention_total")));
  render_pdf_line(&p, buf, 10, true);
  const json_t *a;
  json_array_foreach(json_object_get(r, "attention"), i, a)
  {
    struct fs_buf why;
    fs_buf_init(&why, 400);
    size_t k;
    const json_t *w;
    json_array_foreach(json_object_get(a, "reasons"), k, w)
        fs_buf_appendf(&why, "%s%s %lld", k ? (lang == FS_LANG_EN ? "; " : "；") : "",
                       sup_reason_label(json_string_value(json_object_get(w, "reason")), lang),
                       (long long)json_integer_value(json_object_get(w, "count")));
    snprintf(buf, sizeof(buf), "%s (%s) %.1f: %s",
             json_string_value(json_object_get(a, lang == FS_LANG_EN ? "name_en" : "name_zh")),
             json_string_value(json_object_get(a, "org")),
             json_number_value(json_object_get(a, "score")), fs_buf_cstr(&why));
    fs_buf_release(&why);
    render_pdf_line(&p, buf, 7.5, false);
  }
  return render_pdf_end(&p, "report", err);
}
