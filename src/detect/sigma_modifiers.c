/* The value modifiers of Sigma: parsing "Field|mod|mod" keys, and the transforms that turn a value
 * into its forms (windash, base64, base64offset, utf16le/wide, utf16be, utf16, expand). */
#include "detect/sigma_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHY(...) fs_err_set(why, FS_ERR_INVALID, "", __VA_ARGS__)

int sigma_parse_mods(const char *key, size_t klen, struct sigma_mods *m, struct fs_err *why)
{
  memset(m, 0, sizeof(*m));
  const char *p = memchr(key, '|', klen);
  while (p) {
    const char *s = p + 1, *e = memchr(s, '|', (size_t)(key + klen - s));
    size_t n = e ? (size_t)(e - s) : (size_t)(key + klen - s);
    p = e;
#define IS(w) (n == strlen(w) && !strncmp(s, w, n))
    if (IS("contains"))
      m->bits |= SMOD_CONTAINS;
    else if (IS("startswith"))
      m->bits |= SMOD_STARTS;
    else if (IS("endswith"))
      m->bits |= SMOD_ENDS;
    else if (IS("all"))
      m->bits |= SMOD_ALL;
    else if (IS("re"))
      m->bits |= SMOD_RE;
    else if (IS("i") || IS("ignorecase"))
      m->bits |= SMOD_I;
    else if (IS("m") || IS("multiline"))
      m->bits |= SMOD_M;
    else if (IS("s") || IS("dotall"))
      m->bits |= SMOD_S;
    else if (IS("cased"))
      m->bits |= SMOD_CASED;
    else if (IS("exists"))
      m->bits |= SMOD_EXISTS;
    else if (IS("neq"))
      m->bits |= SMOD_NEQ;
    else if (IS("cidr"))
      m->bits |= SMOD_CIDR;
    else if (IS("fieldref"))
      m->bits |= SMOD_FIELDREF;
    else if (IS("lt") || IS("lte") || IS("gt") || IS("gte")) {
      m->bits |= SMOD_CMP;
      m->cmp = IS("lt") ? SS_LT : IS("lte") ? SS_LTE : IS("gt") ? SS_GT : SS_GTE;
    } else if (IS("minute") || IS("hour") || IS("day") || IS("week") || IS("month") || IS("year")) {
      m->bits |= SMOD_TIME;
      m->part = IS("minute")  ? 0
                : IS("hour")  ? 1
                : IS("day")   ? 2
                : IS("week")  ? 3
                : IS("month") ? 4
                              : 5;
    } else if (m->ntransforms == FS_ARRAY_SIZE(m->transforms)) {
      return WHY("too many modifiers");
    } else if (IS("windash"))
      m->transforms[m->ntransforms++] = STR_WINDASH;
    else if (IS("base64"))
      m->transforms[m->ntransforms++] = STR_BASE64;
    else if (IS("base64offset"))
      m->transforms[m->ntransforms++] = STR_BASE64OFFSET;
    else if (IS("utf16le") || IS("wide"))
      m->transforms[m->ntransforms++] = STR_UTF16LE;
    else if (IS("utf16be"))
      m->transforms[m->ntransforms++] = STR_UTF16BE;
    else if (IS("utf16"))
      m->transforms[m->ntransforms++] = STR_UTF16;
    else if (IS("expand"))
      m->transforms[m->ntransforms++] = STR_EXPAND;
    else
      return WHY("unknown modifier \"%.*s\"", (int)n, s);
#undef IS
  }
  unsigned kinds = !!(m->bits & SMOD_CONTAINS) + !!(m->bits & SMOD_STARTS) +
                   !!(m->bits & SMOD_ENDS) + !!(m->bits & SMOD_RE) + !!(m->bits & SMOD_CIDR) +
                   !!(m->bits & SMOD_CMP) + !!(m->bits & SMOD_EXISTS) + !!(m->bits & SMOD_TIME);
  if (kinds > 1 && !(m->bits & SMOD_FIELDREF))
    return WHY("modifiers that exclude each other");
  if ((m->bits & (SMOD_I | SMOD_M | SMOD_S)) && !(m->bits & SMOD_RE))
    return WHY("regular expression flags without |re");
  return FS_OK;
}

/* Resolves Sigma escapes (\* \? \\) of text into out; *wild is set when an unescaped * or ?
 * remains. Returns the length. */
static size_t unescape_value(const char *s, size_t n, char *out, bool *wild)
{
  size_t o = 0;
  *wild = false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
      out[o++] = s[++i];
      continue;
    }
    if (s[i] == '*' || s[i] == '?')
      *wild = true;
    out[o++] = s[i];
  }
  return o;
}

static char *dup_bytes(struct fs_arena *a, const char *s, size_t n)
{
  return fs_arena_strndup(a, s, n);
}

/* The bytes a variant stands for (escapes resolved); fails on wildcards, which no encoding keeps.
 */
static int variant_bytes(struct fs_arena *a, struct sigma_variant *v, struct fs_err *why)
{
  if (v->literal)
    return FS_OK;
  char *out = fs_arena_alloc(a, v->len + 1);
  bool wild;
  if (!out)
    return FS_ERR_NOMEM;
  v->len = unescape_value(v->text, v->len, out, &wild);
  if (wild)
    return WHY("a value with wildcards cannot be encoded");
  v->text = out;
  v->literal = true;
  return FS_OK;
}

static void b64(const unsigned char *in, size_t n, char *out, size_t *out_len)
{
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < n)
      v |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < n)
      v |= in[i + 2];
    out[o++] = tbl[(v >> 18) & 63];
    out[o++] = tbl[(v >> 12) & 63];
    out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? tbl[v & 63] : '=';
  }
  *out_len = o;
}

/* UTF-8 (invalid bytes taken as Latin-1) to UTF-16. */
static size_t to_utf16(const unsigned char *s, size_t n, bool be, bool bom, char *out)
{
  size_t o = 0;
#define PUT16(u)                                                                                   \
  do {                                                                                             \
    out[o++] = (char)(be ? (u) >> 8 : (u)&0xFF);                                                   \
    out[o++] = (char)(be ? (u)&0xFF : (u) >> 8);                                                   \
  } while (0)
  if (bom)
    PUT16(0xFEFFu);
  for (size_t i = 0; i < n;) {
    uint32_t cp = s[i];
    size_t len = 1;
    if (cp >= 0xF0 && i + 3 < n && (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80 &&
        (s[i + 3] & 0xC0) == 0x80) {
      cp = ((cp & 7) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
           (s[i + 3] & 0x3Fu);
      len = 4;
    } else if (cp >= 0xE0 && i + 2 < n && (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
      cp = ((cp & 15) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      len = 3;
    } else if (cp >= 0xC0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
      cp = ((cp & 31) << 6) | (s[i + 1] & 0x3Fu);
      len = 2;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      PUT16(0xD800u + (cp >> 10));
      PUT16(0xDC00u + (cp & 0x3FF));
    } else {
      PUT16(cp);
    }
    i += len;
  }
#undef PUT16
  return o;
}

/* Replaces '-' and '/' that start an option ("-enc", "/c") by each Windows dash form. */
static int windash(struct fs_arena *a, const struct sigma_variant *v, struct sigma_variant *out,
                   size_t *nout)
{
  static const char *const dashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
  for (size_t d = 0; d < FS_ARRAY_SIZE(dashes); d++) {
    size_t dl = strlen(dashes[d]);
    char *t = fs_arena_alloc(a, v->len * 3 + 1);
    if (!t)
      return FS_ERR_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < v->len; i++) {
      char c = v->text[i];
      char prev = i ? v->text[i - 1] : ' ';
      bool word_before = (prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z') ||
                         (prev >= '0' && prev <= '9') || prev == '_';
      if ((c == '-' || c == '/') && !word_before) {
        memcpy(t + o, dashes[d], dl);
        o += dl;
      } else {
        t[o++] = c;
      }
    }
    t[o] = '\0';
    bool dup = false;
    for (size_t k = 0; k < *nout && !dup; k++)
      dup = out[k].len == o && !memcmp(out[k].text, t, o);
    if (!dup)
      out[(*nout)++] = (struct sigma_variant){t, o, v->literal};
  }
  return FS_OK;
}

static const struct sigma_placeholder *find_placeholder(const struct detect_sigma_loader *l,
                                                        const char *name, size_t n)
{
  for (size_t i = 0; i < l->nph; i++)
    if (strlen(l->ph[i].name) == n && !memcmp(l->ph[i].name, name, n))
      return &l->ph[i];
  return NULL;
}

/* Runs the transforms over one value, giving its variants. */
int sigma_transform(struct detect_sigma_loader *l, const struct sigma_mods *m, const char *value,
                    size_t vlen, struct sigma_variant *vars, size_t *nvars, struct fs_err *why)
{
  struct fs_arena *a = &l->set->arena;
  struct sigma_variant tmp[SIGMA_MAX_VARIANTS * 5];
  vars[0] = (struct sigma_variant){value, vlen, false};
  *nvars = 1;
  for (size_t t = 0; t < m->ntransforms; t++) {
    size_t n = 0;
    int rc;
    for (size_t k = 0; k < *nvars; k++) {
      struct sigma_variant *v = &vars[k];
      if (n + 5 > FS_ARRAY_SIZE(tmp))
        return WHY("too many forms of one value");
      switch (m->transforms[t]) {
      case STR_WINDASH:
        if ((rc = windash(a, v, tmp, &n)))
          return rc;
        break;
      case STR_EXPAND: {
        const char *p1 = memchr(v->text, '%', v->len);
        const char *p2 = p1 ? memchr(p1 + 1, '%', (size_t)(v->text + v->len - p1 - 1)) : NULL;
        if (!p2) {
          tmp[n++] = *v;
          break;
        }
        const struct sigma_placeholder *ph = find_placeholder(l, p1 + 1, (size_t)(p2 - p1 - 1));
        if (!ph)
          return WHY("placeholder %.*s has no values (expand)", (int)(p2 - p1 + 1), p1);
        for (size_t i = 0; i < ph->n && n < FS_ARRAY_SIZE(tmp); i++) {
          size_t pl = strlen(ph->values[i]);
          size_t len = (size_t)(p1 - v->text) + pl + (size_t)(v->text + v->len - p2 - 1);
          char *s = fs_arena_alloc(a, len + 1);
          if (!s)
            return FS_ERR_NOMEM;
          size_t o = (size_t)(p1 - v->text);
          memcpy(s, v->text, o);
          memcpy(s + o, ph->values[i], pl);
          memcpy(s + o + pl, p2 + 1, (size_t)(v->text + v->len - p2 - 1));
          s[len] = '\0';
          tmp[n++] = (struct sigma_variant){s, len, v->literal};
        }
        break;
      }
      case STR_UTF16LE:
      case STR_UTF16BE:
      case STR_UTF16: {
        if ((rc = variant_bytes(a, v, why)))
          return rc;
        char *s = fs_arena_alloc(a, v->len * 4 + 3);
        if (!s)
          return FS_ERR_NOMEM;
        size_t len = to_utf16((const unsigned char *)v->text, v->len,
                              m->transforms[t] == STR_UTF16BE, m->transforms[t] == STR_UTF16, s);
        tmp[n++] = (struct sigma_variant){s, len, true};
        break;
      }
      case STR_BASE64:
      case STR_BASE64OFFSET: {
        if ((rc = variant_bytes(a, v, why)))
          return rc;
        if (m->transforms[t] == STR_BASE64) {
          char *s = fs_arena_alloc(a, v->len / 3 * 4 + 8);
          size_t len;
          if (!s)
            return FS_ERR_NOMEM;
          b64((const unsigned char *)v->text, v->len, s, &len);
          tmp[n++] = (struct sigma_variant){s, len, true};
          break;
        }
        /* Three alignments: the value after 0, 1 or 2 bytes, with the characters that depend on
         * the unknown neighbours cut off at both ends. */
        static const size_t start[3] = {0, 2, 3};
        static const int end_cut[3] = {0, 3, 2};
        unsigned char *buf = fs_arena_alloc(a, v->len + 3);
        char *s = fs_arena_alloc(a, (v->len + 3) / 3 * 4 + 8);
        if (!buf || !s)
          return FS_ERR_NOMEM;
        for (size_t i = 0; i < 3; i++) {
          memset(buf, ' ', i);
          memcpy(buf + i, v->text, v->len);
          size_t len;
          b64(buf, v->len + i, s, &len);
          size_t cut = (size_t)end_cut[(v->len + i) % 3];
          if (len < start[i] + cut)
            continue;
          char *piece = dup_bytes(a, s + start[i], len - start[i] - cut);
          if (!piece)
            return FS_ERR_NOMEM;
          tmp[n++] = (struct sigma_variant){piece, len - start[i] - cut, true};
        }
        break;
      }
      }
    }
    if (n > SIGMA_MAX_VARIANTS)
      return WHY("too many forms of one value");
    memcpy(vars, tmp, n * sizeof(*vars));
    *nvars = n;
  }
  return FS_OK;
}
