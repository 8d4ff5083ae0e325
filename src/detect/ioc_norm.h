/* Canonical forms of indicator values, shared by the index, the loaders and the tokenizer:
 * addresses and ranges, domain names, e-mail addresses, URLs, digests, and refanging. Pure. */
#ifndef FS_DETECT_IOC_NORM_H
#define FS_DETECT_IOC_NORM_H

#include "core/base.h"

#define DETECT_DOMAIN_MAX 253
#define DETECT_URL_MAX 2048
#define DETECT_EMAIL_MAX 320

struct detect_ip {
  bool v6;
  uint8_t plen;  /* 32 or 128 for one address */
  uint8_t a[16]; /* network byte order; IPv4 in a[0..3] */
};

/* A dotted quad "a.b.c.d" of exactly n bytes (each part 0..255, at most 3 digits). */
bool detect_ipv4_parse(const char *s, size_t n, uint32_t *out);
/* An IPv6 address of exactly n bytes (RFC 4291 text forms, with an embedded IPv4 tail). */
bool detect_ipv6_parse(const char *s, size_t n, uint8_t out[16]);
/* An address or, when allow_cidr, "addr/len"; the host bits of a range are cleared. */
bool detect_ip_parse(const char *s, size_t n, bool allow_cidr, struct detect_ip *out);
/* "10.0.0.0/8", "2001:db8::/32", or the bare address for a full-length prefix. */
void detect_ip_format(const struct detect_ip *ip, char *out, size_t cap);

/* Lower-cases and checks a domain name (one trailing dot dropped) into out (DETECT_DOMAIN_MAX+1).
 * Returns its length, or 0 when it is not a domain name. `strict` also asks for two labels and a
 * top-level label that is not all digits (what free text and plain lists need). */
size_t detect_domain_normalize(const char *s, size_t n, bool strict, char *out);
/* Lower-cases and checks "local@domain" into out (DETECT_EMAIL_MAX+1); 0 when invalid. */
size_t detect_email_normalize(const char *s, size_t n, char *out);
/* Normalises "scheme://authority/path?query#fragment": lower-case scheme and host, default port
 * dropped, empty path made "/", %XX of unreserved characters decoded and other %xx upper-cased,
 * fragment dropped. out holds DETECT_URL_MAX+1 bytes. 0 when it is not such a URL. */
size_t detect_url_normalize(const char *s, size_t n, char *out);
/* The host part of a URL (between "://" and the port or path), without userinfo or brackets. */
bool detect_url_host(const char *s, size_t n, const char **host, size_t *host_len);

/* Digest type for a run of n hex digits (32, 40, 64, 128), or -1. */
int detect_hash_type_for_hex(size_t n);
bool detect_is_hex(const char *s, size_t n);

/* Undoes common defanging ("hxxp", "[.]", "(.)", "[dot]", "[:]", "[@]", "[at]") into out (cap
 * bytes); returns the new length (at most n). */
size_t detect_refang(const char *s, size_t n, char *out, size_t cap);

#endif
