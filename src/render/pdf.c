/* PDF pages for the reports: cairo draws, pango lays out the text (Noto Sans CJK for both
 * languages), A4 pages with a running cursor. */
#include "render/render.h"

#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FONT "Noto Sans CJK TC"

static cairo_status_t write_fn(void *closure, const unsigned char *data, unsigned int len)
{
  struct render_pdf *p = closure;
  if (fs_buf_append(p->out, data, len)) {
    p->too_large = true;
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

void render_pdf_need(struct render_pdf *p, double h)
{
  if (p->y + h > RENDER_PAGE_H - RENDER_MARGIN) {
    cairo_show_page(p->cr);
    p->page++;
    p->y = RENDER_MARGIN;
  }
}

double render_pdf_text(struct render_pdf *p, double x, double y, double width, const char *s,
                       double size, bool bold, bool right)
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

void render_pdf_line(struct render_pdf *p, const char *s, double size, bool bold)
{
  render_pdf_need(p, size * 2);
  cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
  p->y += render_pdf_text(p, RENDER_MARGIN, p->y, RENDER_PAGE_W - 2 * RENDER_MARGIN, s, size, bold,
                          false) +
          size * 0.4;
}

void render_pdf_bars(struct render_pdf *p, const char *title, const struct render_bar *bars,
                     size_t n, double max, int decimals, const char *suffix)
{
  double row = 15, left = RENDER_MARGIN + 130, width = RENDER_PAGE_W - RENDER_MARGIN - left - 40;
  if (max <= 0)
    for (size_t i = 0; i < n; i++)
      max = bars[i].value > max ? bars[i].value : max;
  if (max <= 0)
    max = 1;
  render_pdf_need(p, 24 + row * (double)n);
  render_pdf_line(p, title, 10, true);
  for (size_t i = 0; i < n; i++) {
    double v = bars[i].value, y = p->y + (double)i * row;
    cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
    p->one_line = true;
    render_pdf_text(p, RENDER_MARGIN, y, 125, bars[i].label, 7.5, false, true);
    p->one_line = false;
    double w = width * (v < 0 ? 0 : v > max ? max : v) / max;
    if (bars[i].low)
      cairo_set_source_rgb(p->cr, 0.77, 0.19, 0.19);
    else
      cairo_set_source_rgb(p->cr, 0.17, 0.42, 0.69);
    cairo_rectangle(p->cr, left, y + 2, w, row - 4);
    cairo_fill(p->cr);
    char val[32];
    if (bars[i].has_value)
      snprintf(val, sizeof(val), "%.*f%s", decimals, v, suffix);
    else
      snprintf(val, sizeof(val), "–");
    cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
    render_pdf_text(p, left + w + 4, y, 60, val, 7.5, false, false);
  }
  p->y += row * (double)n + 10;
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

void render_pdf_begin(struct render_pdf *p, struct fs_buf *out, enum fs_lang lang,
                      const char *title)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, register_release);
  memset(p, 0, sizeof(*p));
  p->lang = lang;
  p->out = out;
  p->y = RENDER_MARGIN;
  p->page = 1;
  p->surface = cairo_pdf_surface_create_for_stream(write_fn, p, RENDER_PAGE_W, RENDER_PAGE_H);
  p->cr = cairo_create(p->surface);
  p->fonts = pango_cairo_font_map_new();
  p->pango = pango_font_map_create_context(p->fonts);
  pango_cairo_update_context(p->cr, p->pango);
  cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title);
  cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "finshield");
}

int render_pdf_end(struct render_pdf *p, const char *what, struct fs_err *err)
{
  g_object_unref(p->pango);
  g_object_unref(p->fonts);
  cairo_destroy(p->cr);
  cairo_surface_finish(p->surface);
  cairo_status_t st = cairo_surface_status(p->surface);
  cairo_surface_destroy(p->surface);
  if (p->too_large)
    return fs_err_set(err, FS_ERR_TOO_LARGE, what, "the PDF is too large");
  if (st != CAIRO_STATUS_SUCCESS)
    return fs_err_set(err, FS_ERR_IO, what, "cairo: %s", cairo_status_to_string(st));
  return FS_OK;
}
