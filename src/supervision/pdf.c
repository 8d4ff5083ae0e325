/* The supervision report as a PDF: cairo draws, pango lays out the text (Noto Sans CJK for both
 * languages), A4 pages with a running cursor. */
#include "supervision/render.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 48.0
#define FONT "Noto Sans CJK TC"

struct pdf {
  cairo_surface_t *surface;
  cairo_t *cr;
  PangoFontMap
      *fonts; /* our own, not pango's per-thread default, so that nothing outlives a render */
  PangoContext *pango;
  bool one_line; /* cells: cut long text with an ellipsis instead of wrapping */
  double y;
  int page;
  enum fs_lang lang;
  struct fs_buf *out;
  bool too_large;
};

static cairo_status_t write_fn(void *closure, const unsigned char *data, unsigned int len)
{
  struct pdf *p = closure;
  if (fs_buf_append(p->out, data, len)) {
    p->too_large = true;
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

static void new_page(struct pdf *p)
{
  cairo_show_page(p->cr);
  p->page++;
  p->y = MARGIN;
}

static void need(struct pdf *p, double h)
{
  if (p->y + h > PAGE_H - MARGIN)
    new_page(p);
}

/* Text at x, y (top) in the given size and weight, at most width wide; returns its height. */
static double text_at(struct pdf *p, double x, double y, double width, const char *s, double size,
                      bool bold, bool right)
{
  PangoLayout *l = pango_layout_new(p->pango);
  char font[80];
  snprintf(font, sizeof(font), FONT " %s %.1f", bold ? "Bold" : "", size);
  PangoFontDescription *fd = pango_font_description_from_string(font);
  pango_layout_set_font_description(l, fd);
  pango_font_description_free(fd);
  pango_layout_set_width(l, (int)(width * PANGO_SCALE));
  pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
  if (p->one_line)
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
  if (right)
    pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
  pango_layout_set_text(l, s ? s : "", -1);
  int w, h;
  pango_layout_get_size(l, &w, &h);
  cairo_move_to(p->cr, x, y);
  pango_cairo_show_layout(p->cr, l);
  g_object_unref(l);
  return (double)h / PANGO_SCALE;
}

static void line(struct pdf *p, const char *s, double size, bool bold)
{
  need(p, size * 2);
  cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
  p->y += text_at(p, MARGIN, p->y, PAGE_W - 2 * MARGIN, s, size, bold, false) + size * 0.4;
}

static void bars(struct pdf *p, const char *title, const json_t *groups, const char *key)
{
  size_t n = json_array_size(groups);
  double row = 15, left = MARGIN + 130, width = PAGE_W - MARGIN - left - 40;
  need(p, 24 + row * (double)n);
  line(p, title, 10, true);
  size_t i;
  const json_t *g;
  json_array_foreach(groups, i, g)
  {
    const json_t *jv = json_object_get(g, key);
    double v = json_number_value(jv);
    double y = p->y + (double)i * row;
    cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
    p->one_line = true;
    text_at(p, MARGIN, y, 125, sup_label(json_object_get(g, "label"), p->lang), 7.5, false, true);
    p->one_line = false;
    double w = width * (v < 0 ? 0 : v > 100 ? 100 : v) / 100;
    if (v < 80)
      cairo_set_source_rgb(p->cr, 0.77, 0.19, 0.19);
    else
      cairo_set_source_rgb(p->cr, 0.17, 0.42, 0.69);
    cairo_rectangle(p->cr, left, y + 2, w, row - 4);
    cairo_fill(p->cr);
    char val[24];
    snprintf(val, sizeof(val), json_is_number(jv) ? "%.1f %%" : "–", v);
    cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
    text_at(p, left + w + 4, y, 60, val, 7.5, false, false);
  }
  p->y += row * (double)n + 10;
}

/* A table: metrics down, groups across (at most 6 columns a block). */
static void table(struct pdf *p, const char *title, const json_t *groups)
{
  size_t n = json_array_size(groups);
  for (size_t start = 0; start < n; start += 6) {
    size_t cols = n - start < 6 ? n - start : 6;
    double first = 190, cw = (PAGE_W - 2 * MARGIN - first) / (double)(cols < 3 ? 3 : cols),
           row = 13;
    size_t nm = 0;
    while (sup_metrics[nm].key)
      nm++;
    need(p, 40 + row * (double)(nm + 2));
    line(p, title, 10, true);
    cairo_set_source_rgb(p->cr, 0.93, 0.93, 0.93);
    cairo_rectangle(p->cr, MARGIN, p->y, PAGE_W - 2 * MARGIN, row * 2);
    cairo_fill(p->cr);
    cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
    for (size_t c = 0; c < cols; c++)
      text_at(p, MARGIN + first + cw * (double)c, p->y, cw - 2,
              sup_label(json_object_get(json_array_get(groups, start + c), "label"), p->lang), 7,
              true, true);
    p->y += row * 2;
    p->one_line = true;
    for (size_t k = 0; k < nm; k++) {
      const struct sup_metric *m = &sup_metrics[k];
      text_at(p, MARGIN, p->y, first, p->lang == FS_LANG_EN ? m->en : m->zh, 7, false, false);
      for (size_t c = 0; c < cols; c++) {
        char v[32];
        sup_format_value(json_array_get(groups, start + c), m, v, sizeof(v));
        text_at(p, MARGIN + first + cw * (double)c, p->y, cw - 2, v, 7, false, true);
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

/* Fontconfig's configuration and cairo's caches are process-wide and kept for the next render;
 * they are released at exit, after every thread that renders is gone (no leak reported). */
static void release_fonts(void)
{
  cairo_debug_reset_static_data();
  FcFini();
}

static void register_release(void)
{
  atexit(release_fonts);
}

int sup_report_pdf(const json_t *r, enum fs_lang lang, bool roc, struct fs_buf *out,
                   struct fs_err *err)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, register_release);
  struct pdf p = {.lang = lang, .out = out, .y = MARGIN, .page = 1};
  p.surface = cairo_pdf_surface_create_for_stream(write_fn, &p, PAGE_W, PAGE_H);
  p.cr = cairo_create(p.surface);
  p.fonts = pango_cairo_font_map_new();
  p.pango = pango_font_map_create_context(p.fonts);
  pango_cairo_update_context(p.cr, p.pango);
  const char *period = json_string_value(json_object_get(r, "period"));
  char buf[600], from[40], to[40], asof[40];
  snprintf(buf, sizeof(buf), "%s%s", sup_tr(lang, "Supervision report ", "資安監理報告 "), period);
  cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_TITLE, buf);
  cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATOR, "finshield");
  line(&p, buf, 18, true);
  sup_format_date(json_string_value(json_object_get(r, "from")), lang, roc, from, sizeof(from));
  sup_format_date(json_string_value(json_object_get(r, "to")), lang, roc, to, sizeof(to));
  sup_format_date(json_string_value(json_object_get(r, "as_of")), lang, roc, asof, sizeof(asof));
  snprintf(buf, sizeof(buf), "%s%s – %s%s%s%s%s", sup_tr(lang, "Period: ", "期間："), from, to,
           sup_tr(lang, "; as of ", "；資料截至 "), asof,
           sup_tr(lang, ". Scoring model: ", "。評分模型："),
           sup_label(json_object_get(json_object_get(r, "model"), "title"), lang));
  line(&p, buf, 9, false);
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
  line(&p, sup_tr(lang, "Score tiers", "評分等級"), 10, true);
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
    line(&p, buf, 8, false);
  }
  p.y += 6;
  snprintf(buf, sizeof(buf), "%s (%lld)",
           sup_tr(lang, "Institutions needing attention", "需關注之機構"),
           (long long)json_integer_value(json_object_get(r, "attention_total")));
  line(&p, buf, 10, true);
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
    line(&p, buf, 7.5, false);
  }
  g_object_unref(p.pango);
  g_object_unref(p.fonts);
  cairo_destroy(p.cr);
  cairo_surface_finish(p.surface);
  cairo_status_t st = cairo_surface_status(p.surface);
  cairo_surface_destroy(p.surface);
  if (p.too_large)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "report", "the PDF is too large");
  if (st != CAIRO_STATUS_SUCCESS)
    return fs_err_set(err, FS_ERR_IO, "report", "cairo: %s", cairo_status_to_string(st));
  return FS_OK;
}
