/* A publication for people: one HTML page or a PDF (render/), in zh-TW or English; a field
 * missing in the language is shown from the other. */
#include "products/internal.h"

#include "render/render.h"

#include <stdio.h>
#include <string.h>

/* The field in the language, else in the other. */
static const char *field(const json_t *pub, const char *name, enum fs_lang lang)
{
  char key[64];
  snprintf(key, sizeof(key), "%s_%s", name, lang == FS_LANG_EN ? "en" : "zh");
  const char *v = json_string_value(json_object_get(pub, key));
  if (v && *v)
    return v;
  snprintf(key, sizeof(key), "%s_%s", name, lang == FS_LANG_EN ? "zh" : "en");
  v = json_string_value(json_object_get(pub, key));
  return v ? v : "";
}

static int type_of(const json_t *pub)
{
  const char *t = json_string_value(json_object_get(pub, "type"));
  int k = products_type_index(t);
  return k < 0 ? 0 : k;
}

/* The lines that head a publication: reference, type, status, dates, TLP; CVSS and CVEs. */
static void facts(const json_t *pub, enum fs_lang lang, char *out, size_t n)
{
  const char *pubd = json_string_value(json_object_get(pub, "published"));
  char date[48] = "";
  char ymd[16] = "";
  if (pubd)
    snprintf(ymd, sizeof(ymd), "%.10s", pubd);
  render_format_date(ymd[0] ? ymd : NULL, lang, false, date, sizeof(date));
  snprintf(out, n, "%s · %s · TLP:%s · %s %lld%s%s", json_string_value(json_object_get(pub, "ref")),
           products_type_label(type_of(pub), lang), json_string_value(json_object_get(pub, "tlp")),
           render_tr(lang, "version", "版本"),
           (long long)json_integer_value(json_object_get(pub, "version")),
           date[0] ? render_tr(lang, " · published ", " · 發布日期 ") : "", date);
}

static void cves_text(const json_t *pub, struct fs_buf *b)
{
  size_t i;
  const json_t *v;
  json_array_foreach(json_object_get(pub, "cves"), i, v)
      fs_buf_appendf(b, "%s%s", i ? ", " : "", json_string_value(v));
}

static int html(const json_t *pub, enum fs_lang lang, struct fs_buf *b)
{
  const char *title = field(pub, "title", lang);
  render_html_begin(b, lang, title);
  fs_buf_append_str(b, "<article><h1>");
  render_html_esc(b, title);
  char line[600];
  facts(pub, lang, line, sizeof(line));
  fs_buf_append_str(b, "</h1>\n<p class=\"facts\">");
  render_html_esc(b, line);
  fs_buf_append_str(b, "</p>\n");
  const json_t *cvss = json_object_get(pub, "cvss");
  if (json_object_get(pub, "cves") || cvss || json_object_get(pub, "cpes")) {
    fs_buf_append_str(b, "<table class=\"advisory\"><tbody>\n<tr><th>CVE</th><td>");
    struct fs_buf t;
    fs_buf_init(&t, 1 << 20);
    cves_text(pub, &t);
    render_html_esc(b, fs_buf_cstr(&t));
    fs_buf_release(&t);
    fs_buf_append_str(b, "</td></tr>\n<tr><th>CVSS</th><td>");
    if (cvss) {
      fs_buf_appendf(b, "%.1f ", json_number_value(json_object_get(cvss, "score")));
      render_html_esc(b, json_string_value(json_object_get(cvss, "vector")));
    }
    fs_buf_append_str(b, "</td></tr>\n<tr><th>");
    render_html_esc(b, render_tr(lang, "Affected products (CPE)", "受影響產品（CPE）"));
    fs_buf_append_str(b, "</th><td><ul>");
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(pub, "cpes"), i, v)
    {
      fs_buf_append_str(b, "<li><code>");
      render_html_esc(b, json_string_value(v));
      fs_buf_append_str(b, "</code></li>");
    }
    fs_buf_append_str(b, "</ul></td></tr>\n</tbody></table>\n");
  }
  static const char *const parts[][3] = {{"summary", "Summary", "摘要"},
                                         {"body", "Details", "內容"},
                                         {"remediation", "Remediation", "建議措施"}};
  for (size_t k = 0; k < 3; k++) {
    const char *text = field(pub, parts[k][0], lang);
    if (!*text)
      continue;
    fs_buf_append_str(b, "<h2>");
    render_html_esc(b, render_tr(lang, parts[k][1], parts[k][2]));
    fs_buf_append_str(b, "</h2>\n<p style=\"white-space:pre-wrap\">");
    render_html_esc(b, text);
    fs_buf_append_str(b, "</p>\n");
  }
  fs_buf_append_str(b, "<p><small>");
  render_html_esc(b, render_tr(lang, "Published by the sector hub with finshield. STIX: ",
                               "由金融資安聯防中樞以 finshield 發布。STIX："));
  render_html_esc(b, json_string_value(json_object_get(pub, "stix_id")));
  fs_buf_append_str(b, "</small></p></article>\n");
  render_html_end(b);
  return b->len >= b->max ? FS_ERR_TOO_LARGE : FS_OK;
}

static int pdf(const json_t *pub, enum fs_lang lang, struct fs_buf *b, struct fs_err *err)
{
  const char *title = field(pub, "title", lang);
  struct render_pdf p;
  render_pdf_begin(&p, b, lang, title);
  render_pdf_line(&p, title, 16, true);
  char line[600];
  facts(pub, lang, line, sizeof(line));
  render_pdf_line(&p, line, 8.5, false);
  p.y += 6;
  if (json_object_get(pub, "cves") || json_object_get(pub, "cvss") ||
      json_object_get(pub, "cpes")) {
    struct fs_buf t;
    fs_buf_init(&t, 1 << 20);
    fs_buf_append_str(&t, "CVE: ");
    cves_text(pub, &t);
    const json_t *cvss = json_object_get(pub, "cvss");
    if (cvss)
      fs_buf_appendf(&t, "\nCVSS: %.1f %s", json_number_value(json_object_get(cvss, "score")),
                     json_string_value(json_object_get(cvss, "vector"))
                         ? json_string_value(json_object_get(cvss, "vector"))
                         : "");
    fs_buf_appendf(&t, "\n%s", render_tr(lang, "Affected products (CPE):", "受影響產品（CPE）："));
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(pub, "cpes"), i, v)
        fs_buf_appendf(&t, "\n  %s", json_string_value(v));
    render_pdf_line(&p, fs_buf_cstr(&t), 9, false);
    fs_buf_release(&t);
    p.y += 6;
  }
  static const char *const parts[][3] = {{"summary", "Summary", "摘要"},
                                         {"body", "Details", "內容"},
                                         {"remediation", "Remediation", "建議措施"}};
  for (size_t k = 0; k < 3; k++) {
    const char *text = field(pub, parts[k][0], lang);
    if (!*text)
      continue;
    render_pdf_line(&p, render_tr(lang, parts[k][1], parts[k][2]), 12, true);
    render_pdf_line(&p, text, 9.5, false);
    p.y += 4;
  }
  return render_pdf_end(&p, "publication", err);
}

int products_pub_render(const json_t *pub, bool as_pdf, enum fs_lang lang, struct fs_buf *out,
                        struct fs_err *err)
{
  if (as_pdf)
    return pdf(pub, lang, out, err);
  int rc = html(pub, lang, out);
  return rc ? fs_err_set(err, rc, "publication", "the publication is too large") : FS_OK;
}
