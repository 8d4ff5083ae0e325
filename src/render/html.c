/* HTML for the reports: escaping, the page's frame and style, inline SVG bar charts; dates and
 * wording in both languages. */
#include "render/render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *render_tr(enum fs_lang lang, const char *en, const char *zh)
{
  return lang == FS_LANG_EN ? en : zh;
}

void render_format_date(const char *ymd, enum fs_lang lang, bool roc, char *out, size_t n)
{
  int y = 0, m = 0, d = 0;
  if (!ymd || sscanf(ymd, "%d-%d-%d", &y, &m, &d) != 3) {
    snprintf(out, n, "%s", ymd ? ymd : "");
    return;
  }
  if (roc && lang == FS_LANG_EN)
    snprintf(out, n, "ROC %d-%02d-%02d", y - 1911, m, d);
  else if (roc)
    snprintf(out, n, "民國%d年%d月%d日", y - 1911, m, d);
  else if (lang == FS_LANG_EN)
    snprintf(out, n, "%04d-%02d-%02d", y, m, d);
  else
    snprintf(out, n, "%d年%d月%d日", y, m, d);
}

void render_html_esc(struct fs_buf *b, const char *s)
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

void render_html_begin(struct fs_buf *b, enum fs_lang lang, const char *title)
{
  fs_buf_appendf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
                 lang == FS_LANG_EN ? "en" : "zh-TW");
  render_html_esc(b, title);
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
      "</style></head><body>\n");
}

void render_html_end(struct fs_buf *b)
{
  fs_buf_append_str(b, "</body></html>\n");
}

void render_svg_bars(struct fs_buf *b, const char *title, const struct render_bar *bars, size_t n,
                     double max, int decimals, const char *suffix)
{
  int row = 22, left = 190, width = 620, top = 30;
  int h = top + (int)n * row + 10;
  if (max <= 0)
    for (size_t i = 0; i < n; i++)
      max = fmax(max, bars[i].value);
  if (max <= 0)
    max = 1;
  fs_buf_appendf(b,
                 "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"%d\" "
                 "height=\"%d\" viewBox=\"0 0 %d %d\" aria-label=\"",
                 width + left + 70, h, width + left + 70, h);
  render_html_esc(b, title);
  fs_buf_append_str(b, "\"><title>");
  render_html_esc(b, title);
  fs_buf_appendf(b, "</title><text x=\"0\" y=\"18\" class=\"t\">");
  render_html_esc(b, title);
  fs_buf_append_str(b, "</text>");
  for (size_t i = 0; i < n; i++) {
    int y = top + (int)i * row;
    fs_buf_appendf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8, y + 15);
    render_html_esc(b, bars[i].label);
    if (!bars[i].has_value) {
      fs_buf_appendf(b, "</text><text x=\"%d\" y=\"%d\" class=\"v\">–</text>", left + 6, y + 15);
      continue;
    }
    int w = (int)lround(width * bars[i].value / max);
    fs_buf_appendf(b,
                   "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" class=\"%s\"/>"
                   "<text x=\"%d\" y=\"%d\" class=\"v\">%.*f%s</text>",
                   left, y + 2, w, bars[i].low ? "bar low" : "bar", left + w + 6, y + 15, decimals,
                   bars[i].value, suffix);
  }
  fs_buf_append_str(b, "</svg></figure>\n");
}
