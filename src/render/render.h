/* Drawing for the hub's reports, shared by every module that makes one (supervision/,
 * products/): HTML escaping and inline SVG bar charts written here (no script, no external
 * resource), dates in both languages (Gregorian or ROC), and A4 PDF pages drawn with cairo and
 * laid out with pango (Noto Sans CJK for both languages) with a running cursor. Uses core only. */
#ifndef FS_RENDER_RENDER_H
#define FS_RENDER_RENDER_H

#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"

#include <cairo.h>
#include <pango/pangocairo.h>

/* en or zh by the language. */
const char *render_tr(enum fs_lang lang, const char *en, const char *zh);
/* "2026-09-30" as 2026-09-30 / 2026年9月30日, or ROC: ROC 115-09-30 / 民國115年9月30日. */
void render_format_date(const char *ymd, enum fs_lang lang, bool roc, char *out, size_t n);

/* ---- HTML --------------------------------------------------------------------------------- */

/* Appends s with <, >, &, " and ' escaped. */
void render_html_esc(struct fs_buf *b, const char *s);
/* The opening of a page (doctype, title, the reports' style sheet, <body>); the caller writes
 * the rest and render_html_end. */
void render_html_begin(struct fs_buf *b, enum fs_lang lang, const char *title);
void render_html_end(struct fs_buf *b);

struct render_bar {
  const char *label;
  double value;
  bool has_value; /* false: shown as "–" */
  bool low;       /* drawn in the warning colour */
};
/* A horizontal bar chart: bars scaled to max (0: the largest value), values written with
 * `decimals` decimals and `suffix` (" %", ""). */
void render_svg_bars(struct fs_buf *b, const char *title, const struct render_bar *bars, size_t n,
                     double max, int decimals, const char *suffix);

/* ---- PDF ---------------------------------------------------------------------------------- */

#define RENDER_PAGE_W 595.0
#define RENDER_PAGE_H 842.0
#define RENDER_MARGIN 48.0

/* A PDF being drawn: A4, a cursor y that moves down and starts a new page when a block does not
 * fit. Each render has its own pango font map (pango's default one is per thread and would
 * outlive it); fontconfig and cairo's caches are released once at exit. */
struct render_pdf {
  cairo_surface_t *surface;
  cairo_t *cr;
  PangoFontMap *fonts;
  PangoContext *pango;
  bool one_line; /* cells: cut long text with an ellipsis instead of wrapping */
  double y;
  int page;
  enum fs_lang lang;
  struct fs_buf *out;
  bool too_large;
};

/* Starts a PDF written into out, with its title in the metadata. */
void render_pdf_begin(struct render_pdf *p, struct fs_buf *out, enum fs_lang lang,
                      const char *title);
/* Finishes it: FS_OK, FS_ERR_TOO_LARGE (out's cap) or FS_ERR_IO (cairo). */
int render_pdf_end(struct render_pdf *p, const char *what, struct fs_err *err);
/* Starts a new page when h points do not fit below the cursor. */
void render_pdf_need(struct render_pdf *p, double h);
/* Text at x, y (top), at most width wide; its height. */
double render_pdf_text(struct render_pdf *p, double x, double y, double width, const char *s,
                       double size, bool bold, bool right);
/* A paragraph across the page at the cursor, which moves below it. */
void render_pdf_line(struct render_pdf *p, const char *s, double size, bool bold);
/* A horizontal bar chart at the cursor (as render_svg_bars). */
void render_pdf_bars(struct render_pdf *p, const char *title, const struct render_bar *bars,
                     size_t n, double max, int decimals, const char *suffix);

#endif
