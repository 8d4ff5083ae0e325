/* TAXII 2.1 request parameters: the query string of the objects, manifest, object and versions
 * endpoints parsed into filters (match[id], match[type], match[version], match[spec_version],
 * added_after, limit, next) with the endpoint's rules, and the opaque paging cursor (encrypted and
 * authenticated with a server key, so clients can neither read, forge nor alter it). Pure but for
 * the cursor's random nonce; the caller must have called
 * fs_crypto_init (libsodium) once before using the cursor functions. */
#ifndef FS_STIX_TAXII_QUERY_H
#define FS_STIX_TAXII_QUERY_H

#include "core/arena.h"
#include "core/base.h"
#include "core/err.h"
#include "core/query.h"

enum stix_taxii_endpoint {
  STIX_TAXII_EP_OBJECTS,       /* GET {root}/collections/{id}/objects/ */
  STIX_TAXII_EP_MANIFEST,      /* GET {root}/collections/{id}/manifest/ */
  STIX_TAXII_EP_OBJECT,        /* GET {root}/collections/{id}/objects/{object-id}/ */
  STIX_TAXII_EP_OBJECT_DELETE, /* DELETE {root}/collections/{id}/objects/{object-id}/ */
  STIX_TAXII_EP_VERSIONS,      /* GET {root}/collections/{id}/objects/{object-id}/versions/ */
  STIX_TAXII_EP_OTHER,         /* discovery, API root, collections, status: no filters */
};

/* Parameters, as bits of stix_taxii_query.present. */
enum {
  STIX_TAXII_P_ID = 1 << 0,
  STIX_TAXII_P_TYPE = 1 << 1,
  STIX_TAXII_P_VERSION = 1 << 2,
  STIX_TAXII_P_SPEC_VERSION = 1 << 3,
  STIX_TAXII_P_ADDED_AFTER = 1 << 4,
  STIX_TAXII_P_LIMIT = 1 << 5,
  STIX_TAXII_P_NEXT = 1 << 6,
};

/* match[version] keywords, as bits of stix_taxii_query.versions. */
enum {
  STIX_TAXII_V_FIRST = 1 << 0,
  STIX_TAXII_V_LAST = 1 << 1,
  STIX_TAXII_V_ALL = 1 << 2,
};

struct stix_taxii_query_limits {
  size_t max_query; /* bytes of the raw query string (default 8 KiB) */
  size_t max_list;  /* values in one comma list (default 100) */
  size_t max_limit; /* cap on limit (default 1000); larger requests are cut to it */
  size_t max_next;  /* bytes of the next cursor (default 256) */
};

/* The filters of one request. Strings are decoded, NUL-terminated and live in the arena given to
 * the parser. Absent filters have n_* = 0 (and their bit clear in present). */
struct stix_taxii_query {
  unsigned present; /* STIX_TAXII_P_* given in the request */
  const char **ids; /* match[id]: STIX identifiers */
  size_t n_ids;
  const char **types; /* match[type]: STIX type names */
  size_t n_types;
  unsigned versions;          /* match[version] keywords (0: none given) */
  const char **version_times; /* match[version] timestamps */
  size_t n_version_times;
  const char **spec_versions; /* match[spec_version]: "2.1", ... */
  size_t n_spec_versions;
  const char *added_after; /* STIX timestamp, or NULL */
  size_t limit;            /* 0 when absent */
  bool limit_capped;       /* the client asked for more than max_limit */
  const char *next;        /* the cursor as sent, or NULL */
  size_t n_ignored;        /* unknown non-filter parameters (ignored) */
};

/* Reads the filters of an endpoint from a query already split and decoded (fs_query_parse: an
 * HTTP request's, split once when it was admitted). FS_OK, or FS_ERR_INVALID (HTTP 400) with
 * err->where naming the parameter ("match[type]") and err->msg saying why: a parameter given
 * twice, a filter the endpoint does not take, an unknown match[...] filter, a malformed value.
 * FS_ERR_NOMEM. lim may be NULL; its max_query does not apply here. pairs is left unchanged. */
int stix_taxii_query_from(const struct fs_query *pairs, enum stix_taxii_endpoint ep,
                          const struct stix_taxii_query_limits *lim, struct fs_arena *arena,
                          struct stix_taxii_query *q, struct fs_err *err);
/* The same from a raw query string (the part after '?', percent-encoded as received; may be
 * empty): FS_ERR_TOO_LARGE (413) past max_query, then fs_query_parse's errors (FS_ERR_INVALID
 * naming "query byte N" on bad percent-encoding, a control character or invalid UTF-8), then
 * stix_taxii_query_from's. */
int stix_taxii_query_parse(const char *raw, size_t len, enum stix_taxii_endpoint ep,
                           const struct stix_taxii_query_limits *lim, struct fs_arena *arena,
                           struct stix_taxii_query *q, struct fs_err *err);

/* A 64-bit fingerprint of what a query selects (collection and filters, not limit or next), to
 * bind a cursor to the query it pages through. */
uint64_t stix_taxii_query_context(const struct stix_taxii_query *q, const char *collection_id);

/* ---- The paging cursor ---- */

#define STIX_TAXII_CURSOR_KEYBYTES 32
#define STIX_TAXII_CURSOR_LEN 87 /* characters of an encoded cursor */

/* Where the next page starts: after (date_added, seq) in ascending order. */
struct stix_taxii_cursor {
  int64_t date_added; /* in the store's units (e.g. microseconds since the epoch) */
  int64_t seq;        /* tie-breaker among equal date_added (e.g. the row id) */
  uint64_t context;   /* stix_taxii_query_context of the query */
};

/* Encodes c as STIX_TAXII_CURSOR_LEN base64url characters plus NUL: encrypted and authenticated
 * with key (XChaCha20-Poly1305, a random nonce each time), so that the position, which may be a
 * row the reader may not see, is not readable from it and two cursors never compare equal. */
void stix_taxii_cursor_encode(const struct stix_taxii_cursor *c,
                              const uint8_t key[STIX_TAXII_CURSOR_KEYBYTES],
                              char out[STIX_TAXII_CURSOR_LEN + 1]);
/* Decodes and verifies a cursor sent back by a client. FS_ERR_INVALID (HTTP 400) when it is
 * malformed, forged, altered, made with another key, or made for another query (context differs
 * from expect_context). */
int stix_taxii_cursor_decode(const char *s, size_t len,
                             const uint8_t key[STIX_TAXII_CURSOR_KEYBYTES], uint64_t expect_context,
                             struct stix_taxii_cursor *c, struct fs_err *err);

#endif
