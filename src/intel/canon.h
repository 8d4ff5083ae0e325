/* Canonical forms of the observable values that sources report, so that one value written in
 * several ways is one indicator: IPv4 and IPv6 addresses and CIDR ranges, domain names (IDN to
 * punycode), URLs (RFC 3986 normalisation), hashes and e-mail addresses; and the STIX pattern of
 * a canonical value. Pure: no I/O, no globals (libidn2 keeps none).
 *
 * The forms agree with the detection engine's (detect/ioc_norm.h), on which they are built, so
 * that what the hub stores is what events are matched against. */
#ifndef FS_INTEL_CANON_H
#define FS_INTEL_CANON_H

#include "core/base.h"
#include "core/err.h"

/* The kinds of observable the hub canonicalises and merges. */
enum intel_obs {
  INTEL_OBS_NONE = 0,
  INTEL_OBS_IPV4,   /* an address or a CIDR range */
  INTEL_OBS_IPV6,   /* an address or a CIDR range */
  INTEL_OBS_DOMAIN, /* a host or domain name */
  INTEL_OBS_URL,
  INTEL_OBS_MD5,
  INTEL_OBS_SHA1,
  INTEL_OBS_SHA256,
  INTEL_OBS_SHA512,
  INTEL_OBS_EMAIL,
  INTEL_OBS__COUNT
};

/* Canonical text of a value: at most this many bytes (a URL's limit) and the NUL. */
#define INTEL_CANON_MAX 2048

/* "ipv4", "ipv6", "domain", "url", "md5", "sha1", "sha256", "sha512", "email" ("" for NONE). */
const char *intel_obs_name(enum intel_obs t);
/* The kind named s (the names above, and "ip" for either address family); NONE when unknown. */
enum intel_obs intel_obs_parse(const char *s);
/* The decay family a kind belongs to for scoring: "ip", "domain", "url", "hash", "email". */
const char *intel_obs_family(enum intel_obs t);

/* Canonicalises n bytes of value v, reported as kind *kind, into out (INTEL_CANON_MAX + 1 bytes)
 * and returns its length; 0, with the reason in err (FS_ERR_INVALID, `where` as given), when it
 * is not such a value. *kind may change between IPV4 and IPV6 (an IPv4-mapped IPv6 address is
 * the IPv4 address), and from NONE to the kind detected (an address, a hash by its length, a
 * URL, an e-mail address or a domain name).
 *
 * Surrounding blanks are trimmed and defanged forms undone ("hxxp", "[.]"). Addresses: dotted
 * quads with leading zeros read as decimal ("010.1.1.1" is 10.1.1.1; the octal and hexadecimal
 * forms inet_aton takes are not addresses), IPv6 in RFC 5952 form, host bits of a range cleared,
 * a full-length prefix dropped. Domains: lower case, one trailing dot dropped, internationalised
 * names to their IDNA 2008 (UTS #46 non-transitional) ASCII form. URLs: scheme and host in lower
 * case (an internationalised host to ASCII), the default port dropped, percent-encoding of
 * unreserved characters decoded and other escapes in upper case, dot segments removed, the
 * fragment dropped, "http://" assumed when no scheme is given. Hashes: lower-case hex of the
 * kind's length. E-mail: lower case, the domain as a domain name. */
size_t intel_canon(enum intel_obs *kind, const char *v, size_t n, char *out, const char *where,
                   struct fs_err *err);

/* The STIX 2.1 pattern of a canonical value of kind t ("[ipv4-addr:value = '10.0.0.1']",
 * "[file:hashes.'SHA-256' = '...']"), with quotes and backslashes escaped, into out (cap
 * bytes); false when it does not fit. */
bool intel_canon_pattern(enum intel_obs t, const char *value, char *out, size_t cap);

#endif
