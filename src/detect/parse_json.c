/* JSON event parser: flattens an object into fields named by dotted path, values pointing into the
 * input unless they had escapes. Iterative (bounded depth), allocation-free, pure. */
#include "detect/event.h"

#include "core/encode.h"

#include <stdio.h>
#include <string.h>

#define PATH_MAX_LEN 2048

struct jp {
  const char *p;
  size_t n, i;
  struct detect_event *ev;
  struct fs_err *err;
  char path[PATH_MAX_LEN];
  size_t path_len;
  const char *last_name; /* the path as last copied to scratch, reused for array elements */
  size_t last_len;
};

static int fail(struct jp *j, size_t at, const char *msg)
{
  char where[32];
  snprintf(where, sizeof(where), "byte %zu", at);
  if (at >= j->n)
    j->ev->truncated = true;
  return fs_err_set(j->err, FS_ERR_PARSE, where, "%s", msg);
}

static void skip_ws(struct jp *j)
{
  while (j->i < j->n) {
    char c = j->p[j->i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      break;
    j->i++;
  }
}

/* Reads the string starting at the opening quote j->p[j->i]; out and len point into the input or,
 * when it had escapes, into the event's scratch. */
static int read_string(struct jp *j, const char **out, size_t *len)
{
  size_t s = ++j->i, k = s;
  bool esc = false;
  for (;;) { /* the closing quote: memchr, then whether a backslash came before it */
    const char *q = k < j->n ? memchr(j->p + k, '"', j->n - k) : NULL;
    if (!q)
      return fail(j, j->n, "string not closed");
    size_t qi = (size_t)(q - j->p);
    const char *bs = memchr(j->p + k, '\\', qi - k);
    if (!bs) {
      k = qi;
      break;
    }
    esc = true; /* skip escaped pairs by hand up to the quote */
    k = (size_t)(bs - j->p);
    while (k < qi) {
      if (j->p[k] == '\\')
        k++;
      k++;
    }
    if (k == qi) {
      break;
    }
    /* the quote at qi was escaped: look for the next one */
  }
  j->i = k + 1;
  if (!esc) {
    *out = j->p + s;
    *len = k - s;
    return FS_OK;
  }
  /* Escapes only shrink the text (\uXXXX is 6 bytes for at most 3, a pair 12 for 4). */
  char *o = detect_event_scratch(j->ev, k - s);
  if (!o)
    return fs_err_set(j->err, FS_ERR_TOO_LARGE, "", "event scratch full");
  size_t w = 0;
  for (size_t r = s; r < k; r++) {
    char c = j->p[r];
    if (c != '\\') {
      o[w++] = c;
      continue;
    }
    char e = j->p[++r];
    switch (e) {
    case '"':
    case '\\':
    case '/':
      o[w++] = e;
      break;
    case 'b':
      o[w++] = '\b';
      break;
    case 'f':
      o[w++] = '\f';
      break;
    case 'n':
      o[w++] = '\n';
      break;
    case 'r':
      o[w++] = '\r';
      break;
    case 't':
      o[w++] = '\t';
      break;
    case 'u': {
      unsigned cp, lo;
      if (k - r < 5 || fs_hex4_decode(j->p + r + 1, &cp))
        return fail(j, r - 1, "bad \\u escape");
      r += 4;
      if (cp >= 0xD800 && cp < 0xDC00 && k - r >= 7 && j->p[r + 1] == '\\' && j->p[r + 2] == 'u' &&
          !fs_hex4_decode(j->p + r + 3, &lo) && lo >= 0xDC00 && lo < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        r += 6;
      } else if (cp >= 0xD800 && cp < 0xE000) {
        cp = 0xFFFD; /* a lone surrogate */
      }
      w += fs_utf8_encode(o + w, cp);
      break;
    }
    default:
      return fail(j, r - 1, "bad escape in string");
    }
  }
  j->ev->scratch_used -= (k - s) - w;
  *out = o;
  *len = w;
  return FS_OK;
}

static int emit(struct jp *j, const char *v, size_t len, unsigned flags)
{
  if (j->path_len == 0)
    return fail(j, j->i, "a JSON event must be an object");
  if (!j->last_name || j->last_len != j->path_len || memcmp(j->last_name, j->path, j->path_len)) {
    char *name = detect_event_scratch(j->ev, j->path_len);
    if (!name)
      return fs_err_set(j->err, FS_ERR_TOO_LARGE, "", "event scratch full");
    memcpy(name, j->path, j->path_len);
    j->last_name = name;
    j->last_len = j->path_len;
  }
  return detect_event_add(j->ev, j->last_name, j->last_len, v, len, flags, j->err);
}

static int scalar(struct jp *j)
{
  const char *p = j->p;
  size_t s = j->i;
  char c = p[s];
  if (c == '"') {
    const char *v;
    size_t len;
    int rc = read_string(j, &v, &len);
    return rc ? rc : emit(j, v, len, 0);
  }
  static const struct {
    const char *word;
    size_t len;
    unsigned flags;
  } words[] = {{"true", 4, DETECT_FIELD_BOOL},
               {"false", 5, DETECT_FIELD_BOOL},
               {"null", 4, DETECT_FIELD_NULL}};
  for (size_t w = 0; w < FS_ARRAY_SIZE(words); w++) {
    if (c != words[w].word[0])
      continue;
    if (j->n - s < words[w].len)
      return fail(j, j->n, "unexpected end of input");
    if (memcmp(p + s, words[w].word, words[w].len))
      return fail(j, s, "invalid literal");
    j->i += words[w].len;
    return emit(j, words[w].flags == DETECT_FIELD_NULL ? p + s : p + s,
                words[w].flags == DETECT_FIELD_NULL ? 0 : words[w].len, words[w].flags);
  }
  size_t k = s;
  if (k < j->n && p[k] == '-')
    k++;
  size_t d = k;
  if (k < j->n && p[k] == '0')
    k++; /* no leading zeros */
  else
    while (k < j->n && p[k] >= '0' && p[k] <= '9')
      k++;
  if (k == d)
    return fail(j, s, k >= j->n ? "unexpected end of input" : "expected a value");
  if (k < j->n && p[k] == '.') {
    d = ++k;
    while (k < j->n && p[k] >= '0' && p[k] <= '9')
      k++;
    if (k == d)
      return fail(j, k, "digits must follow '.'");
  }
  if (k < j->n && (p[k] == 'e' || p[k] == 'E')) {
    k++;
    if (k < j->n && (p[k] == '+' || p[k] == '-'))
      k++;
    d = k;
    while (k < j->n && p[k] >= '0' && p[k] <= '9')
      k++;
    if (k == d)
      return fail(j, k, "digits must follow the exponent");
  }
  j->i = k;
  return emit(j, p + s, k - s, DETECT_FIELD_NUMBER);
}

/* Appends ".key" (or "key" at the top) to the path. */
static int push_key(struct jp *j, size_t base, const char *key, size_t len)
{
  size_t need = base + (base ? 1 : 0) + len;
  if (need > PATH_MAX_LEN)
    return fs_err_set(j->err, FS_ERR_TOO_LARGE, "", "field path longer than %d bytes",
                      PATH_MAX_LEN);
  j->path_len = base;
  if (base)
    j->path[j->path_len++] = '.';
  memcpy(j->path + j->path_len, key, len);
  j->path_len += len;
  return FS_OK;
}

/* Well-known time fields, in order of preference. */
static void find_time(struct detect_event *ev, size_t first)
{
  static const struct {
    const char *name;
    size_t len;
  } names[] = {{"@timestamp", 10},
               {"Event.System.TimeCreated.#attributes.SystemTime", 47},
               {"Event.System.TimeCreated.SystemTime", 35},
               {"timestamp", 9},
               {"eventTime", 9},
               {"time", 4},
               {"Event.EventData.UtcTime", 23}};
  for (size_t k = 0; k < FS_ARRAY_SIZE(names); k++)
    for (size_t i = first; i < ev->nfields; i++) {
      const struct detect_field *f = &ev->fields[i];
      if (f->name_len == names[k].len && !memcmp(f->name, names[k].name, names[k].len) &&
          !(f->flags & DETECT_FIELD_NULL)) {
        ev->time_text = f->value;
        ev->time_len = f->value_len;
        return;
      }
    }
}

int detect_parse_json(const char *p, size_t n, struct detect_event *ev, struct fs_err *err)
{
  struct jp j = {.p = p, .n = n, .ev = ev, .err = err};
  enum { OBJ, ARR };
  unsigned char kind[DETECT_MAX_DEPTH];
  size_t base[DETECT_MAX_DEPTH];
  size_t depth = 0, first = ev->nfields;
  int rc;
  ev->format = DETECT_FMT_JSON;
  skip_ws(&j);
  if (j.i >= n || p[j.i] != '{')
    return fail(&j, j.i, "a JSON event must be an object");
  for (;;) {
    /* Expecting a value. */
    skip_ws(&j);
    if (j.i >= n)
      return fail(&j, n, "unexpected end of input");
    char c = p[j.i];
    if (c == '{' || c == '[') {
      if (depth == DETECT_MAX_DEPTH)
        return fail(&j, j.i, "nested deeper than 64 levels");
      kind[depth] = c == '{' ? OBJ : ARR;
      base[depth++] = j.path_len;
      j.i++;
      skip_ws(&j);
      if (j.i < n && p[j.i] == (c == '{' ? '}' : ']')) {
        j.i++;
        depth--;
        j.path_len = base[depth];
        goto after_value;
      }
      if (c == '[')
        continue;
      goto expect_key;
    }
    if ((rc = scalar(&j)))
      return rc;
  after_value:
    for (;;) {
      if (depth == 0) {
        skip_ws(&j);
        if (j.i < n)
          return fail(&j, j.i, "data after the JSON value");
        find_time(ev, first);
        return FS_OK;
      }
      skip_ws(&j);
      if (j.i >= n)
        return fail(&j, n, "unexpected end of input");
      c = p[j.i];
      if (c == ',') {
        j.i++;
        if (kind[depth - 1] == ARR)
          break;
        goto expect_key;
      }
      if (c != (kind[depth - 1] == OBJ ? '}' : ']'))
        return fail(&j, j.i,
                    kind[depth - 1] == OBJ ? "expected ',' or '}'" : "expected ',' or ']'");
      j.i++;
      depth--;
      j.path_len = base[depth];
    }
    continue;
  expect_key:
    skip_ws(&j);
    if (j.i >= n)
      return fail(&j, n, "unexpected end of input");
    if (p[j.i] != '"')
      return fail(&j, j.i, "expected a member name");
    {
      const char *key;
      size_t klen;
      size_t mark = ev->scratch_used;
      if ((rc = read_string(&j, &key, &klen)) || (rc = push_key(&j, base[depth - 1], key, klen)))
        return rc;
      ev->scratch_used = mark; /* an unescaped key was copied into the path */
    }
    skip_ws(&j);
    if (j.i >= n)
      return fail(&j, n, "unexpected end of input");
    if (p[j.i] != ':')
      return fail(&j, j.i, "expected ':'");
    j.i++;
  }
}
