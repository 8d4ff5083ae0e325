/* The free-text tokenizer: one pass over words with a character-class table. */
#include "detect/tokenize.h"

#include "detect/ioc_norm.h"

#include <string.h>

enum {
  C_DIGIT = 1 << 0,
  C_HEXA = 1 << 1,  /* a-f A-F */
  C_ALPHA = 1 << 2, /* letters other than a-f */
  C_DOT = 1 << 3,
  C_AT = 1 << 4,
  C_PUNCT = 1 << 5, /* - _ + */
  C_URL = 1 << 6,   /* may appear in a URL */
  C_HIGH = 1 << 7,  /* bytes >= 0x80 (IDN labels) */
};
#define C_WORD (C_DIGIT | C_HEXA | C_ALPHA | C_DOT | C_AT | C_PUNCT)
#define C_ALNUM (C_DIGIT | C_HEXA | C_ALPHA)

/* cls[c]: the classes of byte c (generated from the definitions above). */
static const unsigned char cls[256] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x40, 0x00, 0x40, 0x40, 0x40, 0x40, 0x00, 0x40, 0x40, 0x40, 0x60, 0x40, 0x60, 0x48, 0x40,
    0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x40, 0x40, 0x00, 0x40, 0x00, 0x40,
    0x50, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
    0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x40, 0x00, 0x40, 0x00, 0x60,
    0x00, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
    0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x00, 0x00, 0x00, 0x40, 0x00,
    0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0,
    0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0,
    0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0,
    0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0,
    0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0,
    0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0,
    0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0,
    0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0,
};

static bool is_hex(unsigned char c)
{
  return cls[c] & (C_DIGIT | C_HEXA);
}

/* Tries an IPv6 address starting at s[i]; on success calls fn (its result in *rc) and returns
 * the address's end, else 0. */
static size_t try_ipv6(const char *s, size_t n, size_t i, detect_token_fn fn, void *arg, int *rc)
{
  struct detect_token tok, *t = &tok;
  size_t r = i, colons = 0;
  while (r < n && r - i < 46 && (is_hex((unsigned char)s[r]) || s[r] == ':' || s[r] == '.')) {
    colons += s[r] == ':';
    r++;
  }
  if (colons < 2)
    return 0;
  while (r > i && s[r - 1] == '.')
    r--;
  /* "a:b::" is a valid address, but a single trailing ':' is punctuation ("addr: ..."). */
  if (r - i >= 2 && s[r - 1] == ':' && s[r - 2] != ':')
    r--;
  if (r < n && (cls[(unsigned char)s[r]] & (C_ALNUM | C_PUNCT)))
    return 0;
  if (!detect_ipv6_parse(s + i, r - i, t->v6))
    return 0;
  t->type = DETECT_TOK_IPV6;
  t->s = s + i;
  t->len = r - i;
  *rc = fn(arg, t);
  return r;
}

/* Emits the host of a URL as an address or a domain. */
static int emit_host(const char *host, size_t len, unsigned want, detect_token_fn fn, void *arg)
{
  struct detect_token t = {.s = host, .len = len};
  if (detect_ipv4_parse(host, len, &t.v4)) {
    t.type = DETECT_TOK_IPV4;
    return (want & DETECT_TOK_BIT(DETECT_TOK_IPV4)) ? fn(arg, &t) : 0;
  }
  if (memchr(host, ':', len)) {
    t.type = DETECT_TOK_IPV6;
    return (want & DETECT_TOK_BIT(DETECT_TOK_IPV6)) && detect_ipv6_parse(host, len, t.v6)
               ? fn(arg, &t)
               : 0;
  }
  t.type = DETECT_TOK_DOMAIN;
  return (want & DETECT_TOK_BIT(DETECT_TOK_DOMAIN)) && memchr(host, '.', len) ? fn(arg, &t) : 0;
}

/* A URL scheme: a letter, then letters, digits, '+', '-', '.' (at most 16). */
static bool is_scheme(const char *s, size_t n)
{
  if (!n || n > 16 || !(cls[(unsigned char)s[0]] & (C_HEXA | C_ALPHA)))
    return false;
  for (size_t k = 1; k < n; k++)
    if (!(cls[(unsigned char)s[k]] & (C_ALNUM | C_PUNCT)) && s[k] != '.')
      return false;
  return true;
}

static int word(const char *s, size_t i, size_t j, unsigned acc, unsigned want, detect_token_fn fn,
                void *arg)
{
  /* Sentence punctuation is not part of a token. */
  size_t end = j;
  while (j > i && (cls[(unsigned char)s[j - 1]] & (C_DOT | C_PUNCT | C_AT)))
    j--;
  if (j != end) {
    acc = 0;
    for (size_t k = i; k < j; k++)
      acc |= cls[(unsigned char)s[k]] & C_WORD;
  }
  size_t len = j - i;
  struct detect_token t = {.s = s + i, .len = len};
  int rc;
  if (acc & C_AT) {
    const char *at = memchr(s + i, '@', len);
    if (!at || at == s + i || !memchr(at, '.', (size_t)(s + j - at)))
      return 0;
    if (want & DETECT_TOK_BIT(DETECT_TOK_EMAIL)) {
      t.type = DETECT_TOK_EMAIL;
      if ((rc = fn(arg, &t)))
        return rc;
    }
    return emit_host(at + 1, (size_t)(s + j - at - 1), want & DETECT_TOK_BIT(DETECT_TOK_DOMAIN), fn,
                     arg);
  }
  if (!(acc & (C_ALPHA | C_DOT | C_PUNCT))) {
    if ((want & DETECT_TOK_BIT(DETECT_TOK_HASH)) &&
        (len == 32 || len == 40 || len == 64 || len == 128)) {
      t.type = DETECT_TOK_HASH;
      return fn(arg, &t);
    }
    return 0;
  }
  if (!(acc & C_DOT))
    return 0;
  if (!(acc & (C_ALPHA | C_HEXA | C_PUNCT))) {
    if ((want & DETECT_TOK_BIT(DETECT_TOK_IPV4)) && detect_ipv4_parse(s + i, len, &t.v4)) {
      t.type = DETECT_TOK_IPV4;
      return fn(arg, &t);
    }
    return 0;
  }
  if (want & DETECT_TOK_BIT(DETECT_TOK_DOMAIN)) {
    /* The last label must hold a letter ("cmd.exe" passes, "1.2.3.4x" too: the index decides). */
    const char *dot = memrchr(s + i, '.', len);
    if (!dot || dot == s + j - 1)
      return 0;
    bool alpha = false;
    for (const char *p = dot + 1; p < s + j && !alpha; p++)
      alpha = cls[(unsigned char)*p] & (C_ALPHA | C_HEXA);
    if (alpha) {
      t.type = DETECT_TOK_DOMAIN;
      return fn(arg, &t);
    }
  }
  return 0;
}

int detect_tokenize(const char *s, size_t n, unsigned want, detect_token_fn fn, void *arg)
{
  size_t i = 0;
  int rc = 0;
  bool v6 = want & DETECT_TOK_BIT(DETECT_TOK_IPV6);
  /* Every candidate but a digest holds a '.' or a ':'; a digest is 32 characters or more. */
  if (n < 32 && !memchr(s, '.', n) && !memchr(s, ':', n))
    return 0;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    if (!(cls[c] & C_ALNUM)) {
      size_t end = 0;
      if (c == ':' && v6 && i + 1 < n && s[i + 1] == ':' &&
          (i == 0 || !(cls[(unsigned char)s[i - 1]] & C_WORD)) &&
          (end = try_ipv6(s, n, i, fn, arg, &rc)) && rc)
        return rc;
      i = end ? end : i + 1;
      continue;
    }
    size_t j = i;
    unsigned acc = 0;
    while (j < n && (cls[(unsigned char)s[j]] & C_WORD)) {
      acc |= cls[(unsigned char)s[j]] & C_WORD;
      j++;
    }
    if (j < n && s[j] == ':') {
      size_t end = 0;
      if (v6 && !(acc & ~(unsigned)(C_DIGIT | C_HEXA | C_DOT)) &&
          (end = try_ipv6(s, n, i, fn, arg, &rc))) {
        if (rc)
          return rc;
        i = end;
        continue;
      }
      if (j + 2 < n && s[j + 1] == '/' && s[j + 2] == '/' && is_scheme(s + i, j - i)) {
        size_t k = j + 3;
        while (k < n && (cls[(unsigned char)s[k]] & C_URL))
          k++;
        while (k > j + 3 && strchr(".,;:!?)]}'", s[k - 1]))
          k--;
        if (k > j + 3) {
          struct detect_token t = {.type = DETECT_TOK_URL, .s = s + i, .len = k - i};
          if ((want & DETECT_TOK_BIT(DETECT_TOK_URL)) && (rc = fn(arg, &t)))
            return rc;
          const char *host;
          size_t hlen;
          if (detect_url_host(s + i, k - i, &host, &hlen) &&
              (rc = emit_host(host, hlen, want, fn, arg)))
            return rc;
        }
        i = k;
        continue;
      }
    }
    if ((rc = word(s, i, j, acc, want, fn, arg)))
      return rc;
    i = j;
  }
  return 0;
}
