/* RFC 8785 JSON canonicalization of jansson values. */
#include "stix/jcs.h"

#include "core/err.h"

#include <stdint.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JCS_MAX_DEPTH 128
#define JSON_MUT(x) ((json_t *)(uintptr_t)(x))

void stix_jcs_number(double d, char out[32])
{
  if (d == 0) {
    snprintf(out, 32, "0");
    return;
  }
  /* The shortest decimal that reads back as d (ECMAScript's choice of digits). */
  char buf[40];
  int prec = 1;
  for (; prec <= 17; prec++) {
    snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
    if (strtod(buf, NULL) == d)
      break;
  }
  const char *p = buf;
  bool neg = *p == '-';
  if (neg)
    p++;
  char digits[24];
  size_t k = 0;
  for (; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9' && k < sizeof(digits) - 1)
      digits[k++] = *p;
  while (k > 1 && digits[k - 1] == '0')
    k--;
  digits[k] = '\0';
  int e = *p == 'e' ? atoi(p + 1) : 0;
  int n = e + 1; /* the decimal point sits after n digits */
  size_t o = 0;
  char *w = out;
  if (neg)
    w[o++] = '-';
  if ((int)k <= n && n <= 21) {
    memcpy(w + o, digits, k);
    o += k;
    for (int i = (int)k; i < n; i++)
      w[o++] = '0';
  } else if (0 < n && n <= 21) {
    memcpy(w + o, digits, (size_t)n);
    o += (size_t)n;
    w[o++] = '.';
    memcpy(w + o, digits + n, k - (size_t)n);
    o += k - (size_t)n;
  } else if (-6 < n && n <= 0) {
    w[o++] = '0';
    w[o++] = '.';
    for (int i = 0; i < -n; i++)
      w[o++] = '0';
    memcpy(w + o, digits, k);
    o += k;
  } else {
    w[o++] = digits[0];
    if (k > 1) {
      w[o++] = '.';
      memcpy(w + o, digits + 1, k - 1);
      o += k - 1;
    }
    o += (size_t)snprintf(w + o, 32 - o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
  }
  w[o] = '\0';
}

static int append_string(const char *s, size_t len, struct fs_buf *out)
{
  static const char hexd[] = "0123456789abcdef";
  int rc = fs_buf_append_char(out, '"');
  size_t run = 0;
  for (size_t i = 0; i < len && !rc; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *esc = NULL;
    char u[7];
    switch (c) {
    case '"':
      esc = "\\\"";
      break;
    case '\\':
      esc = "\\\\";
      break;
    case '\b':
      esc = "\\b";
      break;
    case '\f':
      esc = "\\f";
      break;
    case '\n':
      esc = "\\n";
      break;
    case '\r':
      esc = "\\r";
      break;
    case '\t':
      esc = "\\t";
      break;
    default:
      if (c < 0x20) {
        memcpy(u, "\\u00", 4);
        u[4] = hexd[c >> 4];
        u[5] = hexd[c & 15];
        u[6] = '\0';
        esc = u;
      }
    }
    if (!esc)
      continue;
    rc = fs_buf_append(out, s + run, i - run);
    if (!rc)
      rc = fs_buf_append_str(out, esc);
    run = i + 1;
  }
  if (!rc)
    rc = fs_buf_append(out, s + run, len - run);
  return rc ? rc : fs_buf_append_char(out, '"');
}

/* Iterates the UTF-16 code units of a valid UTF-8 string. */
struct u16it {
  const unsigned char *p;
  int low; /* pending low surrogate, or -1 */
};

static int next_unit(struct u16it *it)
{
  if (it->low >= 0) {
    int u = it->low;
    it->low = -1;
    return u;
  }
  const unsigned char *p = it->p;
  if (!*p)
    return -1;
  unsigned long cp;
  if (p[0] < 0x80) {
    cp = p[0];
    it->p += 1;
  } else if ((p[0] & 0xe0) == 0xc0) {
    cp = ((p[0] & 0x1fUL) << 6) | (p[1] & 0x3f);
    it->p += 2;
  } else if ((p[0] & 0xf0) == 0xe0) {
    cp = ((p[0] & 0x0fUL) << 12) | ((p[1] & 0x3fUL) << 6) | (p[2] & 0x3f);
    it->p += 3;
  } else {
    cp = ((p[0] & 0x07UL) << 18) | ((p[1] & 0x3fUL) << 12) | ((p[2] & 0x3fUL) << 6) | (p[3] & 0x3f);
    it->p += 4;
  }
  if (cp >= 0x10000) {
    cp -= 0x10000;
    it->low = (int)(0xdc00 | (cp & 0x3ff));
    return (int)(0xd800 | (cp >> 10));
  }
  return (int)cp;
}

static int cmp_keys(const void *a, const void *b)
{
  struct u16it x = {(const unsigned char *)*(const char *const *)a, -1};
  struct u16it y = {(const unsigned char *)*(const char *const *)b, -1};
  for (;;) {
    int ux = next_unit(&x), uy = next_unit(&y);
    if (ux != uy)
      return ux < uy ? -1 : 1;
    if (ux < 0)
      return 0;
  }
}

static int append(const json_t *v, struct fs_buf *out, int depth)
{
  if (depth > JCS_MAX_DEPTH)
    return FS_ERR_INVALID;
  char num[32];
  switch (json_typeof(v)) {
  case JSON_NULL:
    return fs_buf_append_str(out, "null");
  case JSON_TRUE:
    return fs_buf_append_str(out, "true");
  case JSON_FALSE:
    return fs_buf_append_str(out, "false");
  case JSON_INTEGER:
    /* Integers beyond 2^53 are printed exactly; STIX forbids them anyway. */
    return fs_buf_appendf(out, "%lld", (long long)json_integer_value(v));
  case JSON_REAL: {
    double d = json_real_value(v);
    if (!isfinite(d))
      return FS_ERR_INVALID;
    stix_jcs_number(d, num);
    return fs_buf_append_str(out, num);
  }
  case JSON_STRING:
    return append_string(json_string_value(v), json_string_length(v), out);
  case JSON_ARRAY: {
    int rc = fs_buf_append_char(out, '[');
    for (size_t i = 0; i < json_array_size(v) && !rc; i++) {
      if (i)
        rc = fs_buf_append_char(out, ',');
      if (!rc)
        rc = append(json_array_get(v, i), out, depth + 1);
    }
    return rc ? rc : fs_buf_append_char(out, ']');
  }
  case JSON_OBJECT: {
    size_t n = json_object_size(v);
    const char **keys = n ? malloc(n * sizeof(*keys)) : NULL;
    if (n && !keys)
      return FS_ERR_NOMEM;
    size_t i = 0;
    const char *k;
    const json_t *x;
    json_object_foreach(JSON_MUT(v), k, x) keys[i++] = k;
    if (n)
      qsort(keys, n, sizeof(*keys), cmp_keys);
    int rc = fs_buf_append_char(out, '{');
    for (i = 0; i < n && !rc; i++) {
      if (i)
        rc = fs_buf_append_char(out, ',');
      if (!rc)
        rc = append_string(keys[i], strlen(keys[i]), out);
      if (!rc)
        rc = fs_buf_append_char(out, ':');
      if (!rc)
        rc = append(json_object_get(v, keys[i]), out, depth + 1);
    }
    free(keys);
    return rc ? rc : fs_buf_append_char(out, '}');
  }
  }
  return FS_ERR_INVALID;
}

int stix_jcs_append(const json_t *v, struct fs_buf *out)
{
  return append(v, out, 0);
}
