/* Canonical forms of indicator values: addresses, ranges, domains, e-mail, URLs, digests. */
#include "detect/ioc_norm.h"

#include "detect/ioc.h"

#include "core/encode.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static char lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

bool detect_ipv4_parse(const char *s, size_t n, uint32_t *out)
{
  uint32_t v = 0;
  unsigned part = 0, digits = 0, parts = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || s[i] == '.') {
      if (!digits || part > 255)
        return false;
      v = (v << 8) | part;
      parts++;
      part = 0;
      digits = 0;
      if (i < n && parts == 4)
        return false;
      continue;
    }
    if (s[i] < '0' || s[i] > '9' || ++digits > 3)
      return false;
    part = part * 10 + (unsigned)(s[i] - '0');
  }
  if (parts != 4)
    return false;
  *out = v;
  return true;
}

bool detect_ipv6_parse(const char *s, size_t n, uint8_t out[16])
{
  uint16_t g[8];
  int ng = 0, gap = -1;
  size_t i = 0;
  if (n < 2 || n > 45)
    return false;
  if (s[0] == ':') {
    if (s[1] != ':')
      return false;
    gap = 0;
    i = 2;
    if (i == n)
      goto done;
  }
  for (;;) {
    size_t start = i;
    unsigned v = 0;
    while (i < n && i - start < 5 && fs_hex_digit(s[i]) >= 0)
      v = v * 16 + (unsigned)fs_hex_digit(s[i++]);
    if (i < n && s[i] == '.') { /* an IPv4 tail */
      uint32_t v4;
      if (ng > 6 || !detect_ipv4_parse(s + start, n - start, &v4))
        return false;
      g[ng++] = (uint16_t)(v4 >> 16);
      g[ng++] = (uint16_t)v4;
      break;
    }
    if (i == start || i - start > 4 || ng == 8)
      return false;
    g[ng++] = (uint16_t)v;
    if (i == n)
      break;
    if (s[i] != ':')
      return false;
    i++;
    if (i < n && s[i] == ':') {
      if (gap >= 0)
        return false;
      gap = ng;
      i++;
      if (i == n)
        break;
    } else if (i == n) {
      return false;
    }
  }
done:
  if (gap < 0 && ng != 8)
    return false;
  if (gap >= 0 && ng > 7)
    return false;
  memset(out, 0, 16);
  int tail = gap >= 0 ? ng - gap : 0;
  int head = ng - tail;
  for (int k = 0; k < head; k++) {
    out[2 * k] = (uint8_t)(g[k] >> 8);
    out[2 * k + 1] = (uint8_t)g[k];
  }
  for (int k = 0; k < tail; k++) {
    int pos = 8 - tail + k;
    out[2 * pos] = (uint8_t)(g[head + k] >> 8);
    out[2 * pos + 1] = (uint8_t)g[head + k];
  }
  return true;
}

bool detect_ip_parse(const char *s, size_t n, bool allow_cidr, struct detect_ip *out)
{
  const char *slash = memchr(s, '/', n);
  size_t alen = slash ? (size_t)(slash - s) : n;
  unsigned plen = 0;
  if (slash) {
    size_t k = alen + 1;
    if (!allow_cidr || k == n || n - k > 3)
      return false;
    for (; k < n; k++) {
      if (s[k] < '0' || s[k] > '9')
        return false;
      plen = plen * 10 + (unsigned)(s[k] - '0');
    }
  }
  memset(out, 0, sizeof(*out));
  uint32_t v4;
  if (detect_ipv4_parse(s, alen, &v4)) {
    if (slash && plen > 32)
      return false;
    out->plen = (uint8_t)(slash ? plen : 32);
    if (out->plen < 32)
      v4 &= out->plen ? ~0u << (32 - out->plen) : 0;
    out->a[0] = (uint8_t)(v4 >> 24);
    out->a[1] = (uint8_t)(v4 >> 16);
    out->a[2] = (uint8_t)(v4 >> 8);
    out->a[3] = (uint8_t)v4;
    return true;
  }
  if (!detect_ipv6_parse(s, alen, out->a) || (slash && plen > 128))
    return false;
  out->v6 = true;
  out->plen = (uint8_t)(slash ? plen : 128);
  for (unsigned bit = out->plen; bit < 128; bit++)
    out->a[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
  return true;
}

void detect_ip_format(const struct detect_ip *ip, char *out, size_t cap)
{
  size_t len;
  if (!ip->v6) {
    len = (size_t)snprintf(out, cap, "%u.%u.%u.%u", ip->a[0], ip->a[1], ip->a[2], ip->a[3]);
  } else {
    /* RFC 5952: the longest run (2+) of zero groups becomes "::", hex lower-case. */
    unsigned g[8];
    for (int k = 0; k < 8; k++)
      g[k] = (unsigned)ip->a[2 * k] << 8 | ip->a[2 * k + 1];
    int best = -1, best_len = 0;
    for (int k = 0; k < 8;) {
      int e = k;
      while (e < 8 && !g[e])
        e++;
      if (e - k > best_len && e - k >= 2) {
        best = k;
        best_len = e - k;
      }
      k = e > k ? e : k + 1;
    }
    len = 0;
    for (int k = 0; k < 8 && len < cap; k++) {
      if (k == best) {
        len += (size_t)snprintf(out + len, cap - len, "::");
        k += best_len - 1;
        continue;
      }
      len += (size_t)snprintf(out + len, cap - len, "%s%x", (k && k != best + best_len) ? ":" : "",
                              g[k]);
    }
  }
  if (ip->plen != (ip->v6 ? 128 : 32) && len < cap)
    snprintf(out + len, cap - len, "/%u", ip->plen);
}

static bool label_char(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c >= 0x80;
}

size_t detect_domain_normalize(const char *s, size_t n, bool strict, char *out)
{
  if (n && s[n - 1] == '.')
    n--;
  if (!n || n > DETECT_DOMAIN_MAX)
    return 0;
  size_t labels = 0, label_len = 0, last_start = 0;
  for (size_t i = 0; i < n; i++) {
    char c = lower(s[i]);
    out[i] = c;
    if (c == '.') {
      if (!label_len || out[i - 1] == '-')
        return 0;
      labels++;
      label_len = 0;
      last_start = i + 1;
      continue;
    }
    if (!label_char((unsigned char)c) || ++label_len > 63 || (label_len == 1 && c == '-'))
      return 0;
  }
  if (!label_len || out[n - 1] == '-')
    return 0;
  labels++;
  out[n] = '\0';
  if (strict) {
    bool alpha = false;
    for (size_t i = last_start; i < n; i++)
      alpha |= (out[i] >= 'a' && out[i] <= 'z') || (unsigned char)out[i] >= 0x80;
    if (labels < 2 || !alpha)
      return 0;
  }
  return n;
}

size_t detect_email_normalize(const char *s, size_t n, char *out)
{
  const char *at = memrchr(s, '@', n);
  if (!at || at == s || n > DETECT_EMAIL_MAX)
    return 0;
  size_t local = (size_t)(at - s);
  if (local > 64)
    return 0;
  for (size_t i = 0; i < local; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= ' ' || c >= 0x7f || strchr("\"(),:;<>@[\\]", c))
      return 0;
    out[i] = lower((char)c);
  }
  out[local] = '@';
  size_t d = detect_domain_normalize(at + 1, n - local - 1, true, out + local + 1);
  if (!d)
    return 0;
  return local + 1 + d;
}

bool detect_url_host(const char *s, size_t n, const char **host, size_t *host_len)
{
  const char *sep = n >= 3 ? memmem(s, n, "://", 3) : NULL;
  if (!sep)
    return false;
  size_t a = (size_t)(sep - s) + 3, e = a;
  while (e < n && s[e] != '/' && s[e] != '?' && s[e] != '#')
    e++;
  const char *at = memrchr(s + a, '@', e - a);
  if (at)
    a = (size_t)(at - s) + 1;
  if (a < e && s[a] == '[') {
    const char *close = memchr(s + a, ']', e - a);
    if (!close)
      return false;
    *host = s + a + 1;
    *host_len = (size_t)(close - s) - a - 1;
    return *host_len > 0;
  }
  size_t h = a;
  while (h < e && s[h] != ':')
    h++;
  *host = s + a;
  *host_len = h - a;
  return *host_len > 0;
}

static bool unreserved(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

size_t detect_url_normalize(const char *s, size_t n, char *out)
{
  size_t i = 0, o = 0;
  const size_t cap = DETECT_URL_MAX;
  if (!n || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
    return 0;
  while (i < n && i < 32 &&
         ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
          (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '.' || s[i] == '-'))
    i++;
  if (n - i < 4 || memcmp(s + i, "://", 3) || n > cap)
    return 0;
  size_t scheme_len = i;
  for (size_t k = 0; k < scheme_len; k++)
    out[o++] = lower(s[k]);
  memcpy(out + o, "://", 3);
  o += 3;
  i += 3;
  /* authority */
  size_t a = i, e = i;
  while (e < n && s[e] != '/' && s[e] != '?' && s[e] != '#')
    e++;
  const char *at = memrchr(s + a, '@', e - a);
  if (at) {
    size_t ui = (size_t)(at - s) + 1 - a;
    memcpy(out + o, s + a, ui);
    o += ui;
    a += ui;
  }
  size_t host_start = o;
  size_t h = a;
  if (h < e && s[h] == '[') {
    while (h < e && s[h] != ']')
      out[o++] = lower(s[h++]);
    if (h == e)
      return 0;
    out[o++] = s[h++];
  } else {
    while (h < e && s[h] != ':')
      out[o++] = lower(s[h++]);
    if (o > host_start && out[o - 1] == '.')
      o--;
  }
  if (o == host_start)
    return 0;
  if (h < e) { /* ":port" */
    if (s[h] != ':')
      return 0;
    size_t p = h + 1;
    while (p < e && s[p] == '0' && e - p > 1)
      p++;
    size_t plen = e - p;
    for (size_t k = p; k < e; k++)
      if (s[k] < '0' || s[k] > '9')
        return 0;
    bool dflt =
        plen == 0 ||
        (plen == 2 && !memcmp(s + p, "80", 2) && scheme_len == 4 && !memcmp(out, "http", 4)) ||
        (plen == 3 && !memcmp(s + p, "443", 3) && scheme_len == 5 && !memcmp(out, "https", 5)) ||
        (plen == 2 && !memcmp(s + p, "21", 2) && scheme_len == 3 && !memcmp(out, "ftp", 3));
    if (!dflt) {
      out[o++] = ':';
      memcpy(out + o, s + p, plen);
      o += plen;
    }
  }
  i = e;
  if (i == n || s[i] != '/')
    out[o++] = '/';
  for (; i < n && s[i] != '#'; i++) {
    char c = s[i];
    if (c == '%' && i + 2 < n && fs_hex_digit(s[i + 1]) >= 0 && fs_hex_digit(s[i + 2]) >= 0) {
      char d = (char)(fs_hex_digit(s[i + 1]) * 16 + fs_hex_digit(s[i + 2]));
      if (unreserved(d)) {
        out[o++] = d;
      } else {
        out[o++] = '%';
        out[o++] = (char)(s[i + 1] >= 'a' ? s[i + 1] - 32 : s[i + 1]);
        out[o++] = (char)(s[i + 2] >= 'a' ? s[i + 2] - 32 : s[i + 2]);
      }
      i += 2;
      continue;
    }
    if ((unsigned char)c <= ' ')
      return 0;
    out[o++] = c;
  }
  if (o > cap)
    return 0;
  out[o] = '\0';
  return o;
}

bool detect_is_hex(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (fs_hex_digit(s[i]) < 0)
      return false;
  return n > 0;
}

int detect_hash_type_for_hex(size_t n)
{
  switch (n) {
  case 32:
    return DETECT_IOC_MD5;
  case 40:
    return DETECT_IOC_SHA1;
  case 64:
    return DETECT_IOC_SHA256;
  case 128:
    return DETECT_IOC_SHA512;
  default:
    return -1;
  }
}

size_t detect_refang(const char *s, size_t n, char *out, size_t cap)
{
  static const struct {
    const char *from;
    size_t len;
    char to;
  } subs[] = {{"[.]", 3, '.'},   {"(.)", 3, '.'},   {"{.}", 3, '.'},
              {"[dot]", 5, '.'}, {"(dot)", 5, '.'}, {"[:]", 3, ':'},
              {"[@]", 3, '@'},   {"[at]", 4, '@'},  {"(at)", 4, '@'}};
  size_t o = 0, i = 0;
  if (!memchr(s, '[', n) && !memchr(s, '(', n) && !memchr(s, '{', n) &&
      !(n >= 4 && (s[1] == 'x' || s[1] == 'X'))) { /* nothing defanged: the common case */
    n = FS_MIN(n, cap);
    memcpy(out, s, n);
    return n;
  }
  if (n >= 4 && (s[0] == 'h' || s[0] == 'H') && (s[1] == 'x' || s[1] == 'X') &&
      (s[2] == 'x' || s[2] == 'X') && (s[3] == 'p' || s[3] == 'P')) {
    if (cap < 4)
      return 0;
    memcpy(out, "http", 4);
    o = i = 4;
  }
  while (i < n && o < cap) {
    size_t k = 0;
    for (; k < FS_ARRAY_SIZE(subs); k++)
      if (n - i >= subs[k].len && !strncasecmp(s + i, subs[k].from, subs[k].len))
        break;
    if (k < FS_ARRAY_SIZE(subs)) {
      out[o++] = subs[k].to;
      i += subs[k].len;
    } else {
      out[o++] = s[i++];
    }
  }
  return o;
}
