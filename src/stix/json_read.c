/* The strict JSON reader: a table-driven scanner for strings (plain runs are handed to jansson
 * without a copy), an iterative parser (an explicit stack, so deep input cannot exhaust the C
 * stack), and jansson values built directly. */
#include "stix/json_read.h"

#include "core/encode.h"
#include "core/i18n.h"
#include "core/vec.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a byte is inside a string: 0 copies through, the others stop the plain run. */
enum { C_PLAIN = 0, C_QUOTE, C_ESCAPE, C_CONTROL, C_HIGH };

static const unsigned char string_class[256] = {
    /* 0x00..0x1f: control characters, refused inside strings */
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    /* 0x20..0x7f: '"' ends, '\\' escapes */
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    2,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    /* 0x80..0xff: UTF-8 sequences, checked */
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
};

void stix_json_reader_init(struct stix_json_reader *r, const char *text, size_t len)
{
  memset(r, 0, sizeof(*r));
  r->s = text;
  r->len = len;
}

void stix_json_reader_release(struct stix_json_reader *r)
{
  free(r->key_buf);
  free(r->str_buf);
  free(r->stack);
  r->key_buf = r->str_buf = NULL;
  r->stack = NULL;
  r->key_cap = r->str_cap = r->stack_cap = 0;
}

static bool is_ws(char c)
{
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

void stix_json_skip_ws(struct stix_json_reader *r)
{
  while (r->pos < r->len && is_ws(r->s[r->pos]))
    r->pos++;
}

int stix_json_fail(const struct stix_json_reader *r, size_t at, const char *what,
                   struct fs_err *err)
{
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < at && i < r->len; i++)
    if (r->s[i] == '\n') {
      line++;
      line_start = i + 1;
    }
  char where[96];
  snprintf(where, sizeof(where), "line %zu, column %zu (byte %zu)", line, at - line_start + 1, at);
  return fs_err_set(err, FS_ERR_PARSE, where, "malformed JSON: %s", what);
}

static int nomem(struct fs_err *err)
{
  return fs_err_set(err, FS_ERR_NOMEM, "json", "out of memory");
}

/* The end of the run of plain string bytes from s[i]: eight at a time while no byte of the eight
 * is a quote, a backslash, a control character or a non-ASCII byte (the classic "has a zero
 * byte" tests on 64-bit words), then one at a time. */
static size_t plain_run(const unsigned char *s, size_t len, size_t i)
{
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  while (i + 8 <= len) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    uint64_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');
    uint64_t stop =
        ((quote - ones) & ~quote) | ((slash - ones) & ~slash) | ((w - ones * 0x20) & ~w) | w;
    if (stop & highs)
      break;
    i += 8;
  }
  while (i < len && string_class[s[i]] == C_PLAIN)
    i++;
  return i;
}

/* Makes room for need more bytes in a scratch buffer. */
static int reserve(char **buf, size_t *cap, size_t used, size_t need)
{
  if (used + need <= *cap)
    return FS_OK;
  size_t n = *cap ? *cap : 256;
  while (n < used + need)
    n *= 2;
  char *p = realloc(*buf, n);
  if (!p)
    return FS_ERR_NOMEM;
  *buf = p;
  *cap = n;
  return FS_OK;
}

/* Reads the string whose opening quote is at r->pos. *str points into the text when the string
 * has no escapes, else into *buf (which grows); *n is its length in bytes. */
static int read_string(struct stix_json_reader *r, char **buf, size_t *cap, const char **str,
                       size_t *n, struct fs_err *err)
{
  const unsigned char *s = (const unsigned char *)r->s;
  size_t len = r->len, i = r->pos + 1, start = i, used = 0;
  bool copied = false;
  for (;;) {
    i = plain_run(s, len, i);
    if (i >= len)
      return stix_json_fail(r, len, "premature end of input in a string", err);
    unsigned c = s[i];
    switch (string_class[c]) {
    case C_QUOTE:
      if (!copied) {
        *str = r->s + start;
        *n = i - start;
      } else {
        if (reserve(buf, cap, used, i - start + 1))
          return nomem(err);
        memcpy(*buf + used, s + start, i - start);
        used += i - start;
        (*buf)[used] = '\0';
        *str = *buf;
        *n = used;
      }
      r->pos = i + 1;
      return FS_OK;
    case C_CONTROL: {
      char what[48];
      fs_msg_format(what, sizeof(what), NULL, 0, "control character 0x%x in a string", c);
      return stix_json_fail(r, i, what, err);
    }
    case C_HIGH: {
      size_t k = fs_utf8_len(s + i, len - i);
      if (!k)
        return stix_json_fail(r, i, "invalid UTF-8 in a string", err);
      i += k;
      continue;
    }
    default: /* C_ESCAPE: from here on the string is decoded into buf */
      break;
    }
    if (reserve(buf, cap, used, i - start + 4))
      return nomem(err);
    memcpy(*buf + used, s + start, i - start);
    used += i - start;
    copied = true;
    size_t at = i;
    if (i + 1 >= len)
      return stix_json_fail(r, len, "premature end of input in a string", err);
    char e = (char)s[i + 1];
    i += 2;
    switch (e) {
    case '"':
      (*buf)[used++] = '"';
      break;
    case '\\':
      (*buf)[used++] = '\\';
      break;
    case '/':
      (*buf)[used++] = '/';
      break;
    case 'b':
      (*buf)[used++] = '\b';
      break;
    case 'f':
      (*buf)[used++] = '\f';
      break;
    case 'n':
      (*buf)[used++] = '\n';
      break;
    case 'r':
      (*buf)[used++] = '\r';
      break;
    case 't':
      (*buf)[used++] = '\t';
      break;
    case 'u': {
      unsigned cp, lo;
      if (i + 4 > len || fs_hex4_decode(r->s + i, &cp))
        return stix_json_fail(r, at, "invalid \\u escape", err);
      i += 4;
      if (cp >= 0xd800 && cp <= 0xdbff) {
        if (i + 6 > len || s[i] != '\\' || s[i + 1] != 'u' || fs_hex4_decode(r->s + i + 2, &lo) ||
            lo < 0xdc00 || lo > 0xdfff)
          return stix_json_fail(r, at, "invalid Unicode: a lone high surrogate", err);
        i += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return stix_json_fail(r, at, "invalid Unicode: a lone low surrogate", err);
      }
      used += fs_utf8_encode(*buf + used, cp);
      break;
    }
    default:
      return stix_json_fail(r, at, "invalid escape", err);
    }
    start = i;
  }
}

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* The end of the run of digits at s[i], or 0 when there is none. */
static size_t digits(const char *s, size_t len, size_t i)
{
  size_t from = i;
  while (i < len && is_digit(s[i]))
    i++;
  return i > from ? i : 0;
}

/* Reads the number at r->pos; *v receives it when building. */
static int read_number(struct stix_json_reader *r, json_t **v, struct fs_err *err)
{
  const char *s = r->s;
  size_t len = r->len, i = r->pos, start = i;
  bool neg = false, real = false;
  if (s[i] == '-') {
    neg = true;
    i++;
  }
  /* int, then frac and exp (RFC 8259): each a run of at least one digit; no leading zeros */
  if (i < len && s[i] == '0')
    i++;
  else if (!(i = digits(s, len, i)))
    return stix_json_fail(r, start, "invalid number", err);
  if (i < len && s[i] == '.') {
    if (!(i = digits(s, len, i + 1)))
      return stix_json_fail(r, start, "invalid number", err);
    real = true;
  }
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < len && (s[i] == '+' || s[i] == '-'))
      i++;
    if (!(i = digits(s, len, i)))
      return stix_json_fail(r, start, "invalid number", err);
    real = true;
  }
  r->pos = i;
  if (!real) {
    /* jansson keeps integers in json_int_t and refuses those that do not fit. */
    const unsigned long long limit = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
    unsigned long long acc = 0;
    for (size_t k = start + neg; k < i; k++) {
      unsigned d = (unsigned)(s[k] - '0');
      if (acc > (limit - d) / 10)
        return stix_json_fail(r, start, neg ? "too big negative integer" : "too big integer", err);
      acc = acc * 10 + d;
    }
    json_int_t value = !neg           ? (json_int_t)acc
                       : acc == limit ? (json_int_t)(-9223372036854775807LL - 1)
                                      : -(json_int_t)acc;
    if (v && !(*v = json_integer(value)))
      return nomem(err);
    return FS_OK;
  }
  /* strtod wants a terminated string in the C locale's form. */
  size_t n = i - start;
  if (reserve(&r->str_buf, &r->str_cap, 0, n + 1))
    return nomem(err);
  memcpy(r->str_buf, s + start, n);
  r->str_buf[n] = '\0';
  const char *point = localeconv()->decimal_point;
  if (point[0] != '.' && point[0] && !point[1]) {
    char *dot = strchr(r->str_buf, '.');
    if (dot)
      *dot = point[0];
  }
  errno = 0;
  double d = strtod(r->str_buf, NULL);
  if (errno == ERANGE && (d > 1.0 || d < -1.0))
    return stix_json_fail(r, start, "real number overflow", err);
  if (v && !(*v = json_real(d)))
    return nomem(err);
  return FS_OK;
}

static int read_literal(struct stix_json_reader *r, json_t **v, struct fs_err *err)
{
  static const struct {
    const char *word;
    size_t n;
  } words[] = {{"true", 4}, {"false", 5}, {"null", 4}};
  for (size_t k = 0; k < FS_ARRAY_SIZE(words); k++) {
    if (r->len - r->pos >= words[k].n && !memcmp(r->s + r->pos, words[k].word, words[k].n)) {
      r->pos += words[k].n;
      if (v && !(*v = k == 0 ? json_true() : k == 1 ? json_false() : json_null()))
        return nomem(err);
      return FS_OK;
    }
  }
  return stix_json_fail(r, r->pos, "invalid token", err);
}

/* Adds v (a new reference, taken) to the innermost open container. */
static int attach(struct stix_json_reader *r, json_t *parent, bool object, const char *key,
                  size_t klen, size_t key_at, json_t *v, struct fs_err *err)
{
  if (!object)
    return json_array_append_new(parent, v) ? nomem(err) : FS_OK;
  size_t before = json_object_size(parent);
  if (json_object_setn_new_nocheck(parent, key, klen, v))
    return nomem(err);
  if (json_object_size(parent) == before)
    return stix_json_fail(r, key_at, "duplicate object key", err);
  return FS_OK;
}

int stix_json_read(struct stix_json_reader *r, json_t **out, struct fs_err *err)
{
  const bool build = out != NULL;
  const char *s = r->s;
  const size_t len = r->len;
  unsigned char is_object[STIX_JSON_MAX_DEPTH];
  size_t depth = 0, klen = 0, key_at = 0;
  const char *key = NULL;
  json_t *root = NULL;
  int rc = FS_OK;
  if (out)
    *out = NULL;

value:
  stix_json_skip_ws(r);
  if (r->pos >= len) {
    rc = stix_json_fail(r, len, "premature end of input", err);
    goto fail;
  }
  if (depth >= STIX_JSON_MAX_DEPTH) {
    rc = stix_json_fail(r, r->pos, "maximum parsing depth reached", err);
    goto fail;
  }
  {
    json_t *v = NULL;
    char c = s[r->pos];
    if (c == '{' || c == '[') {
      if (build) {
        v = c == '{' ? json_object() : json_array();
        if (!v) {
          rc = nomem(err);
          goto fail;
        }
        if (depth == 0) {
          root = v;
        } else if ((rc = attach(r, r->stack[depth - 1], is_object[depth - 1], key, klen, key_at, v,
                                err))) {
          goto fail;
        }
        if (FS_VEC_GROW(r->stack, depth, r->stack_cap, 16)) {
          rc = nomem(err);
          goto fail;
        }
        r->stack[depth] = v;
      }
      is_object[depth++] = c == '{';
      r->pos++;
      stix_json_skip_ws(r);
      if (r->pos < len && s[r->pos] == (c == '{' ? '}' : ']')) {
        r->pos++;
        goto close;
      }
      if (c == '{')
        goto member;
      goto value;
    }
    json_t **vp = build ? &v : NULL;
    if (c == '"') {
      const char *str;
      size_t n;
      if ((rc = read_string(r, &r->str_buf, &r->str_cap, &str, &n, err)))
        goto fail;
      if (build && !(v = json_stringn_nocheck(str, n))) {
        rc = nomem(err);
        goto fail;
      }
    } else if (c == '-' || is_digit(c)) {
      if ((rc = read_number(r, vp, err)))
        goto fail;
    } else if (c == 't' || c == 'f' || c == 'n') {
      if ((rc = read_literal(r, vp, err)))
        goto fail;
    } else {
      rc = stix_json_fail(r, r->pos, "invalid token", err);
      goto fail;
    }
    if (build) {
      if (depth == 0)
        root = v;
      else if ((rc = attach(r, r->stack[depth - 1], is_object[depth - 1], key, klen, key_at, v,
                            err)))
        goto fail;
    }
  }

after:
  if (depth == 0) {
    if (out)
      *out = root;
    return FS_OK;
  }
  stix_json_skip_ws(r);
  if (r->pos < len && s[r->pos] == ',') {
    r->pos++;
    if (is_object[depth - 1])
      goto member;
    goto value;
  }
  if (r->pos < len && s[r->pos] == (is_object[depth - 1] ? '}' : ']')) {
    r->pos++;
    goto close;
  }
  rc = stix_json_fail(r, r->pos,
                      is_object[depth - 1] ? "expected ',' or '}'" : "expected ',' or ']'", err);
  goto fail;

close:
  depth--;
  goto after;

member:
  stix_json_skip_ws(r);
  if (r->pos >= len || s[r->pos] != '"') {
    rc = stix_json_fail(r, r->pos, "expected a string as object key", err);
    goto fail;
  }
  key_at = r->pos;
  if ((rc = read_string(r, &r->key_buf, &r->key_cap, &key, &klen, err)))
    goto fail;
  if (memchr(key, '\0', klen)) {
    rc = stix_json_fail(r, key_at, "NUL byte in object key not supported", err);
    goto fail;
  }
  stix_json_skip_ws(r);
  if (r->pos >= len || s[r->pos] != ':') {
    rc = stix_json_fail(r, r->pos, "expected ':'", err);
    goto fail;
  }
  r->pos++;
  goto value;

fail:
  json_decref(root);
  return rc;
}

int stix_json_parse(const char *text, size_t len, json_t **out, struct fs_err *err)
{
  struct stix_json_reader r;
  stix_json_reader_init(&r, text, len);
  *out = NULL;
  stix_json_skip_ws(&r);
  int rc;
  if (r.pos >= len || (text[r.pos] != '{' && text[r.pos] != '['))
    rc = stix_json_fail(&r, r.pos, "'[' or '{' expected", err);
  else
    rc = stix_json_read(&r, out, err);
  if (!rc) {
    stix_json_skip_ws(&r);
    if (r.pos != len) {
      json_decref(*out);
      *out = NULL;
      rc = stix_json_fail(&r, r.pos, "end of file expected", err);
    }
  }
  stix_json_reader_release(&r);
  return rc;
}
