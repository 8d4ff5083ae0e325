/* Canonical forms of observable values (see canon.h), on the detection engine's normalisers and
 * libidn2 for internationalised names. */
#include "intel/canon.h"

#include "detect/ioc_norm.h"

#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[INTEL_OBS__COUNT] = {
    [INTEL_OBS_NONE] = "",         [INTEL_OBS_IPV4] = "ipv4",     [INTEL_OBS_IPV6] = "ipv6",
    [INTEL_OBS_DOMAIN] = "domain", [INTEL_OBS_URL] = "url",       [INTEL_OBS_MD5] = "md5",
    [INTEL_OBS_SHA1] = "sha1",     [INTEL_OBS_SHA256] = "sha256", [INTEL_OBS_SHA512] = "sha512",
    [INTEL_OBS_EMAIL] = "email",
};

const char *intel_obs_name(enum intel_obs t)
{
  return (unsigned)t < INTEL_OBS__COUNT ? names[t] : "";
}

enum intel_obs intel_obs_parse(const char *s)
{
  if (!s || !*s)
    return INTEL_OBS_NONE;
  if (!strcmp(s, "ip"))
    return INTEL_OBS_IPV4;
  for (int t = 1; t < INTEL_OBS__COUNT; t++)
    if (!strcmp(s, names[t]))
      return (enum intel_obs)t;
  return INTEL_OBS_NONE;
}

const char *intel_obs_family(enum intel_obs t)
{
  switch (t) {
  case INTEL_OBS_IPV4:
  case INTEL_OBS_IPV6:
    return "ip";
  case INTEL_OBS_DOMAIN:
    return "domain";
  case INTEL_OBS_URL:
    return "url";
  case INTEL_OBS_MD5:
  case INTEL_OBS_SHA1:
  case INTEL_OBS_SHA256:
  case INTEL_OBS_SHA512:
    return "hash";
  case INTEL_OBS_EMAIL:
    return "email";
  default:
    return "";
  }
}

static bool blank(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool has_non_ascii(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] >= 0x80)
      return true;
  return false;
}

/* A name with non-ASCII labels in its IDNA 2008 ASCII form (UTS #46 non-transitional mapping,
 * which also folds case) into out (cap bytes); ASCII names are copied. 0 when it is not a valid
 * internationalised name. */
static size_t idna_ascii(const char *s, size_t n, char *out, size_t cap)
{
  if (!has_non_ascii(s, n)) {
    if (n >= cap)
      return 0;
    memcpy(out, s, n);
    out[n] = '\0';
    return n;
  }
  char in[DETECT_DOMAIN_MAX * 4 + 1];
  if (n >= sizeof(in))
    return 0;
  memcpy(in, s, n);
  in[n] = '\0';
  char *ascii = NULL;
  if (idn2_to_ascii_8z(in, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK || !ascii)
    return 0;
  size_t len = strlen(ascii);
  bool fits = len < cap;
  if (fits)
    memcpy(out, ascii, len + 1);
  idn2_free(ascii);
  return fits ? len : 0;
}

static size_t canon_ip(enum intel_obs *kind, const char *v, size_t n, char *out)
{
  if (n >= 2 && v[0] == '[' && v[n - 1] == ']') {
    v++;
    n -= 2;
  }
  struct detect_ip ip;
  if (!detect_ip_parse(v, n, true, &ip))
    return 0;
  /* An IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 2.5.5.2) is the IPv4 address. */
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (ip.v6 && ip.plen >= 96 && !memcmp(ip.a, mapped, sizeof(mapped))) {
    uint8_t v4[4];
    memcpy(v4, ip.a + 12, 4);
    memset(ip.a, 0, sizeof(ip.a));
    memcpy(ip.a, v4, 4);
    ip.v6 = false;
    ip.plen = (uint8_t)(ip.plen - 96);
  }
  detect_ip_format(&ip, out, INTEL_CANON_MAX + 1);
  *kind = ip.v6 ? INTEL_OBS_IPV6 : INTEL_OBS_IPV4;
  return strlen(out);
}

static size_t canon_domain(const char *v, size_t n, char *out)
{
  if (n && v[n - 1] == '.')
    n--;
  char ascii[DETECT_DOMAIN_MAX + 2];
  size_t len = idna_ascii(v, n, ascii, sizeof(ascii));
  if (!len)
    return 0;
  return detect_domain_normalize(ascii, len, true, out);
}

static size_t canon_email(const char *v, size_t n, char *out)
{
  const char *at = memrchr(v, '@', n);
  if (!at)
    return 0;
  size_t local = (size_t)(at - v);
  char mail[DETECT_EMAIL_MAX + 1];
  char host[DETECT_DOMAIN_MAX + 2];
  size_t hl = idna_ascii(at + 1, n - local - 1, host, sizeof(host));
  if (!hl || local + 1 + hl > DETECT_EMAIL_MAX)
    return 0;
  memcpy(mail, v, local + 1);
  memcpy(mail + local + 1, host, hl);
  return detect_email_normalize(mail, local + 1 + hl, out);
}

static size_t canon_url(const char *v, size_t n, char *out)
{
  char url[DETECT_URL_MAX + 1];
  size_t len = 0;
  const char *sep = n >= 3 ? memmem(v, n, "://", 3) : NULL;
  if (!sep) { /* "example.com/path": the web is assumed */
    if (n + 7 > DETECT_URL_MAX)
      return 0;
    memcpy(url, "http://", 7);
    len = 7;
  }
  if (len + n > DETECT_URL_MAX)
    return 0;
  memcpy(url + len, v, n);
  len += n;
  /* An internationalised host in its ASCII form. */
  const char *host;
  size_t host_len;
  if (detect_url_host(url, len, &host, &host_len) && has_non_ascii(host, host_len)) {
    char ascii[DETECT_DOMAIN_MAX + 2];
    size_t al = idna_ascii(host, host_len, ascii, sizeof(ascii));
    size_t before = (size_t)(host - url), after = len - before - host_len;
    if (!al || before + al + after > DETECT_URL_MAX)
      return 0;
    char rebuilt[DETECT_URL_MAX + 1];
    memcpy(rebuilt, url, before);
    memcpy(rebuilt + before, ascii, al);
    memcpy(rebuilt + before + al, host + host_len, after);
    len = before + al + after;
    memcpy(url, rebuilt, len);
  }
  return detect_url_normalize(url, len, out);
}

static size_t canon_hash(enum intel_obs t, const char *v, size_t n, char *out)
{
  size_t want = t == INTEL_OBS_MD5      ? 32
                : t == INTEL_OBS_SHA1   ? 40
                : t == INTEL_OBS_SHA256 ? 64
                                        : 128;
  if (n != want || !detect_is_hex(v, n))
    return 0;
  for (size_t i = 0; i < n; i++)
    out[i] = (char)(v[i] >= 'A' && v[i] <= 'F' ? v[i] + 32 : v[i]);
  out[n] = '\0';
  return n;
}

/* The kind of a value given without one. */
static enum intel_obs detect_kind(const char *v, size_t n)
{
  struct detect_ip ip;
  const char *p = v;
  size_t pn = n;
  if (pn >= 2 && p[0] == '[' && p[pn - 1] == ']') {
    p++;
    pn -= 2;
  }
  if (detect_ip_parse(p, pn, true, &ip))
    return ip.v6 ? INTEL_OBS_IPV6 : INTEL_OBS_IPV4;
  if (detect_is_hex(v, n)) {
    switch (n) {
    case 32:
      return INTEL_OBS_MD5;
    case 40:
      return INTEL_OBS_SHA1;
    case 64:
      return INTEL_OBS_SHA256;
    case 128:
      return INTEL_OBS_SHA512;
    default:
      break;
    }
  }
  if (n >= 3 && memmem(v, n, "://", 3))
    return INTEL_OBS_URL;
  if (memchr(v, '@', n))
    return INTEL_OBS_EMAIL;
  if (memchr(v, '/', n))
    return INTEL_OBS_URL;
  return INTEL_OBS_DOMAIN;
}

size_t intel_canon(enum intel_obs *kind, const char *v, size_t n, char *out, const char *where,
                   struct fs_err *err)
{
  while (n && blank(*v)) {
    v++;
    n--;
  }
  while (n && blank(v[n - 1]))
    n--;
  char plain[INTEL_CANON_MAX + 1];
  if (!n || n > INTEL_CANON_MAX) {
    fs_err_set(err, FS_ERR_INVALID, where, "a value of 1 to %d bytes is expected", INTEL_CANON_MAX);
    return 0;
  }
  n = detect_refang(v, n, plain, sizeof(plain) - 1);
  plain[n] = '\0';
  enum intel_obs t = *kind == INTEL_OBS_NONE ? detect_kind(plain, n) : *kind;
  size_t len = 0;
  switch (t) {
  case INTEL_OBS_IPV4:
  case INTEL_OBS_IPV6:
    len = canon_ip(&t, plain, n, out);
    break;
  case INTEL_OBS_DOMAIN:
    len = canon_domain(plain, n, out);
    break;
  case INTEL_OBS_URL:
    len = canon_url(plain, n, out);
    break;
  case INTEL_OBS_MD5:
  case INTEL_OBS_SHA1:
  case INTEL_OBS_SHA256:
  case INTEL_OBS_SHA512:
    len = canon_hash(t, plain, n, out);
    break;
  case INTEL_OBS_EMAIL:
    len = canon_email(plain, n, out);
    break;
  default:
    break;
  }
  if (!len) {
    fs_err_set(err, FS_ERR_INVALID, where, "\"%.80s\" is not %s", plain,
               t == INTEL_OBS_IPV4 || t == INTEL_OBS_IPV6 ? "an IP address or CIDR range"
               : t == INTEL_OBS_DOMAIN                    ? "a domain name"
               : t == INTEL_OBS_URL                       ? "a URL"
               : t == INTEL_OBS_EMAIL                     ? "an e-mail address"
                                                          : "a hash of the expected length");
    return 0;
  }
  *kind = t;
  return len;
}

bool intel_canon_pattern(enum intel_obs t, const char *value, char *out, size_t cap)
{
  static const char *const heads[INTEL_OBS__COUNT] = {
      [INTEL_OBS_IPV4] = "[ipv4-addr:value = '",
      [INTEL_OBS_IPV6] = "[ipv6-addr:value = '",
      [INTEL_OBS_DOMAIN] = "[domain-name:value = '",
      [INTEL_OBS_URL] = "[url:value = '",
      [INTEL_OBS_MD5] = "[file:hashes.MD5 = '",
      [INTEL_OBS_SHA1] = "[file:hashes.'SHA-1' = '",
      [INTEL_OBS_SHA256] = "[file:hashes.'SHA-256' = '",
      [INTEL_OBS_SHA512] = "[file:hashes.'SHA-512' = '",
      [INTEL_OBS_EMAIL] = "[email-addr:value = '",
  };
  if ((unsigned)t >= INTEL_OBS__COUNT || !heads[t])
    return false;
  size_t o = strlen(heads[t]);
  if (o + 3 > cap)
    return false;
  memcpy(out, heads[t], o);
  for (const char *p = value; *p; p++) {
    if (o + 5 > cap)
      return false; /* room for an escaped character and "']" */
    if (*p == '\'' || *p == '\\')
      out[o++] = '\\';
    out[o++] = *p;
  }
  memcpy(out + o, "']", 3);
  return true;
}
