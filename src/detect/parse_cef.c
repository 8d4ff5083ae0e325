/* CEF parser: the pipe-separated header with \| and \\ escapes, and the key=value extension where a
 * value runs until the next " key=" and escapes \=, \\, \n, \r. Pure function. */
#include "detect/event.h"

#include <stdio.h>
#include <string.h>

static const char *const header_names[] = {"cefVersion",    "deviceVendor",       "deviceProduct",
                                           "deviceVersion", "deviceEventClassId", "name",
                                           "severity"};

static int parse_fail(struct fs_err *err, size_t at, const char *msg)
{
  char where[32];
  snprintf(where, sizeof(where), "byte %zu", at);
  return fs_err_set(err, FS_ERR_PARSE, where, "%s", msg);
}

static int scratch_full(struct fs_err *err)
{
  return fs_err_set(err, FS_ERR_TOO_LARGE, "", "event scratch full");
}

static bool key_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '[' || c == ']' || c == '-';
}

/* Length of "key=" at p (the key only), or 0. */
static size_t key_at(const char *p, size_t n)
{
  size_t k = 0;
  while (k < n && k < 1024 && key_char(p[k]))
    k++;
  return (k > 0 && k < n && p[k] == '=') ? k : 0;
}

/* Copies v with escapes resolved into scratch; for the header only \| and \\ are escapes, for the
 * extension \=, \\, \n and \r. Any other backslash is kept. */
static const char *unescape(struct detect_event *ev, const char *v, size_t n, bool header,
                            size_t *out_len)
{
  char *out = detect_event_scratch(ev, n);
  if (!out)
    return NULL;
  size_t o = 0;
  for (size_t k = 0; k < n; k++) {
    char c = v[k];
    if (c == '\\' && k + 1 < n) {
      char e = v[k + 1];
      if (header ? (e == '|' || e == '\\') : (e == '=' || e == '\\')) {
        c = e;
        k++;
      } else if (!header && (e == 'n' || e == 'r')) {
        c = e == 'n' ? '\n' : '\r';
        k++;
      }
    }
    out[o++] = c;
  }
  ev->scratch_used -= n - o;
  *out_len = o;
  return out;
}

static int add_value(struct detect_event *ev, const char *name, size_t name_len, const char *v,
                     size_t n, bool escaped, bool header, struct fs_err *err)
{
  size_t len = n;
  if (escaped && !(v = unescape(ev, v, n, header, &len)))
    return scratch_full(err);
  return detect_event_add(ev, name, name_len, v, len, 0, err);
}

/* Adds "<label value>" = value for every "<key>Label" that has its "<key>" (cs1Label, cn2Label...).
 */
static int add_labels(struct detect_event *ev, size_t first, struct fs_err *err)
{
  size_t end = ev->nfields;
  for (size_t i = first; i < end; i++) {
    const struct detect_field *l = &ev->fields[i];
    if (l->name_len <= 5 || memcmp(l->name + l->name_len - 5, "Label", 5) || !l->value_len)
      continue;
    for (size_t j = first; j < end; j++) {
      const struct detect_field *f = &ev->fields[j];
      if (f->name_len == l->name_len - 5 && !memcmp(f->name, l->name, f->name_len)) {
        int rc = detect_event_add(ev, l->value, l->value_len, f->value, f->value_len, 0, err);
        if (rc)
          return rc;
        break;
      }
    }
  }
  return FS_OK;
}

int detect_parse_cef(const char *p, size_t n, struct detect_event *ev, struct fs_err *err)
{
  if (n < 4 || memcmp(p, "CEF:", 4))
    return parse_fail(err, 0, "CEF must start with \"CEF:\"");
  size_t first = ev->nfields;
  size_t i = 4;
  for (size_t h = 0; h < FS_ARRAY_SIZE(header_names); h++) {
    size_t s = i;
    bool escaped = false;
    while (i < n && p[i] != '|') {
      if (p[i] == '\\' && i + 1 < n) {
        escaped = true;
        i++;
      }
      i++;
    }
    if (i >= n)
      return parse_fail(err, i,
                        h + 1 < FS_ARRAY_SIZE(header_names)
                            ? "CEF header has fewer than 7 fields"
                            : "CEF header not ended with '|' after severity");
    if (h == 0 && (i == s || p[s] < '0' || p[s] > '9'))
      return parse_fail(err, s, "CEF version must be a number");
    int rc =
        add_value(ev, header_names[h], strlen(header_names[h]), p + s, i - s, escaped, true, err);
    if (rc)
      return rc;
    i++;
  }
  /* Extension. */
  while (i < n && p[i] == ' ')
    i++;
  while (i < n) {
    size_t klen = key_at(p + i, n - i);
    if (!klen)
      return parse_fail(err, i, "expected key=value in the CEF extension");
    const char *key = p + i;
    size_t v = i + klen + 1, j = v;
    bool escaped = false;
    size_t end = n, next = n;
    while (j < n) {
      if (p[j] == '\\' && j + 1 < n) {
        escaped = true;
        j += 2;
        continue;
      }
      if (p[j] == ' ' && key_at(p + j + 1, n - j - 1)) {
        end = j;
        next = j + 1;
        break;
      }
      j++;
    }
    while (end > v && (p[end - 1] == ' ' || p[end - 1] == '\r' || p[end - 1] == '\n'))
      end--;
    int rc = add_value(ev, key, klen, p + v, end - v, escaped, false, err);
    if (rc)
      return rc;
    i = next;
    while (i < n && p[i] == ' ')
      i++;
  }
  return add_labels(ev, first, err);
}
