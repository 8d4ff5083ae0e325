/* Media types in Accept and Content-Type headers (RFC 9110): a pure parser with limits, used for
 * TAXII's negotiation (406 and 415). */
#ifndef FS_HTTP_MEDIATYPE_H
#define FS_HTTP_MEDIATYPE_H

#include "core/base.h"
#include "core/err.h"

#define HTTP_MEDIA_MAX_HEADER 2048
#define HTTP_MEDIA_MAX_RANGES 32

/* One media range or type: "type/subtype;param=value;q=0.5". Strings point into a copy kept in
 * the struct that holds it; comparisons are case-insensitive for type, subtype and parameter
 * names. */
struct http_media {
  char type[32], subtype[64];
  char version[16]; /* the "version" parameter, "" when absent */
  int q;            /* quality 0..1000 */
  size_t nparams;   /* parameters other than q and version */
};

struct http_accept {
  size_t n;
  struct http_media ranges[HTTP_MEDIA_MAX_RANGES];
};

/* Parses one media type (a Content-Type value). FS_ERR_INVALID naming the byte offset. */
int http_media_parse(const char *s, size_t len, struct http_media *out, struct fs_err *err);
/* Parses an Accept header (a list of media ranges). */
int http_accept_parse(const char *s, size_t len, struct http_accept *out, struct fs_err *err);
/* True when the Accept header (NULL or empty: accepts anything) accepts type/subtype with the
 * given version ("" for none): a range matches by type (or *), subtype (or *), and its version
 * when it names one; q=0 refuses. An unversioned range stands for the current version. */
bool http_accept_allows(const char *accept, const char *type, const char *subtype,
                        const char *version);

#endif
