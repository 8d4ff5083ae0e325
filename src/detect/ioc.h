/* The indicator index: IPv4/IPv6 addresses and CIDR ranges, domain names (matching subdomains on
 * label boundaries), normalised URLs, MD5/SHA-1/SHA-256/SHA-512 hashes, e-mail addresses and other
 * string observables, each with a validity window and a visibility tag; and the anchors of
 * compound STIX patterns, whose hits are reported with the pattern to evaluate (ioc_compound.h).
 *
 * Lifecycle: a builder takes plain `struct detect_ioc_spec` records and produces an immutable
 * index; an index is read by any number of threads at once without locks. To change the set, build
 * a new index and publish it through a `struct fs_rcu` cell (core/rcu.h); readers are never
 * blocked and the old index is freed when the last reader has left it. */
#ifndef FS_DETECT_IOC_H
#define FS_DETECT_IOC_H

#include "core/base.h"
#include "core/err.h"

enum detect_ioc_type {
  DETECT_IOC_IPV4,   /* an address or a CIDR range */
  DETECT_IOC_IPV6,   /* an address or a CIDR range */
  DETECT_IOC_DOMAIN, /* matches the name and every subdomain of it */
  DETECT_IOC_URL,    /* matched after normalisation (detect_url_normalize) */
  DETECT_IOC_MD5,
  DETECT_IOC_SHA1,
  DETECT_IOC_SHA256,
  DETECT_IOC_SHA512,
  DETECT_IOC_EMAIL,
  DETECT_IOC_STRING, /* any other observable: matches a whole field value, exactly */
  DETECT_IOC__COUNT
};

/* "ipv4", "ipv6", "domain", "url", "md5", "sha1", "sha256", "sha512", "email", "string". */
const char *detect_ioc_type_name(enum detect_ioc_type t);
int detect_ioc_type_parse(const char *s); /* -1 when unknown */

/* Organisations are numbered by the caller (the hub's org row ids). An event carries one. */
#define DETECT_ORG_NONE 0u
/* Skips the visibility check: only for offline tools run by an analyst who loaded the indicators
 * himself (`finshield scan`). The hub never passes it. */
#define DETECT_ORG_UNRESTRICTED UINT32_MAX

/* Who may be matched by an indicator: everyone, or the listed organisations. */
struct detect_visibility {
  bool all;
  size_t n;
  const uint32_t *orgs; /* n ids, any order */
};

#define DETECT_TIME_NONE_FROM INT64_MIN
#define DETECT_TIME_NONE_UNTIL INT64_MAX

/* One indicator value, as the loaders and the hub's store give it to the builder. Nothing here is
 * kept by reference: the builder copies what it needs. */
struct detect_ioc_pattern;

struct detect_ioc_spec {
  enum detect_ioc_type type;
  const char *value; /* as written; the builder normalises it */
  size_t value_len;
  const char *label;   /* DETECT_IOC_STRING: what the value is ("mutex:name"); may be NULL */
  int64_t valid_from;  /* ms; DETECT_TIME_NONE_FROM when unbounded */
  int64_t valid_until; /* ms, exclusive; DETECT_TIME_NONE_UNTIL when unbounded */
  bool revoked;        /* revoked indicators are left out of the index */
  const struct detect_visibility *vis; /* NULL: visible to all */
  const char *source_id; /* e.g. "indicator--<uuid>" or a list's file name; may be NULL */
  /* NULL, or the compound pattern this value is an anchor of: its hits carry the pattern, to be
   * evaluated on the event before they count. The builder takes a reference. */
  struct detect_ioc_pattern *pattern;
};

struct detect_ioc_builder;
struct detect_ioc_index;

struct detect_ioc_stats {
  size_t entries;    /* values in the index */
  size_t duplicates; /* specs dropped because the same value, window, tag and source exist */
  size_t revoked;    /* specs dropped as revoked */
  size_t by_type[DETECT_IOC__COUNT];
  size_t cidrs;              /* of which address ranges */
  size_t memory_bytes;       /* what the index holds allocated */
  size_t compound_evaluated; /* compound patterns in the index (through their anchors) */
  size_t compound_skipped;   /* compound patterns the loaders could not take (counted by them) */
};

/* A new, empty builder, or NULL when out of memory. */
struct detect_ioc_builder *detect_ioc_builder_new(void);
/* Adds one value. FS_ERR_INVALID (with the reason in err) when the value is not a valid value of
 * its type; FS_ERR_NOMEM / FS_ERR_TOO_LARGE when the index would pass 4 GiB of values. */
int detect_ioc_builder_add(struct detect_ioc_builder *b, const struct detect_ioc_spec *spec,
                           struct fs_err *err);
/* Copies every entry of `from` for which keep (may be NULL: all) returns true, so that a changed
 * set can be built from the previous one plus the change. */
typedef bool (*detect_ioc_keep_fn)(void *arg, const char *source_id, enum detect_ioc_type type);
int detect_ioc_builder_add_index(struct detect_ioc_builder *b, const struct detect_ioc_index *from,
                                 detect_ioc_keep_fn keep, void *arg, struct fs_err *err);
/* Turns the builder into an index (the builder is freed either way). NULL when out of memory. */
struct detect_ioc_index *detect_ioc_builder_finish(struct detect_ioc_builder *b);
/* Frees a builder without building (after an error). NULL is fine. */
void detect_ioc_builder_free(struct detect_ioc_builder *b);
/* Counts a compound pattern a loader could not take (detect_ioc_stats.compound_skipped). */
void detect_ioc_builder_skip_compound(struct detect_ioc_builder *b);

/* Frees an index. NULL is fine. Only when no reader holds it (see core/rcu.h). */
void detect_ioc_index_free(struct detect_ioc_index *ix);
void detect_ioc_index_stats(const struct detect_ioc_index *ix, struct detect_ioc_stats *out);
/* fs_rcu release callback for an index. */
void detect_ioc_index_free_cb(void *ix);

/* ---- matching (thread-safe on a shared index; allocates nothing) ------------------------- */

struct detect_ioc_query {
  uint32_t org;  /* the event's organisation, or DETECT_ORG_UNRESTRICTED */
  int64_t at_ms; /* the time validity windows are checked against */
};

struct detect_ioc_hit {
  uint32_t entry; /* the indicator (detect_ioc_describe) */
  enum detect_ioc_type type;
  const char *text; /* where it was found in the input */
  size_t len;
  uint32_t tag; /* the tag of the text it was found in (detect_ioc_match_texts) */
  /* 0, or the compound pattern this is an anchor of (detect_ioc_index_pattern): the hit counts
   * only when the pattern is true of the event. */
  uint32_t pattern;
};

/* One of several texts to search at once, with a tag given back in its hits (a field index). */
struct detect_ioc_text {
  const char *s;
  size_t len;
  uint32_t tag;
};

/* Return non-zero to stop; the match function then returns that value. */
typedef int (*detect_ioc_hit_fn)(void *arg, const struct detect_ioc_hit *hit);

/* Finds every indicator in free text: tokenises s for addresses, domain names (each parent domain
 * is looked up too), URLs (and their host), hashes and e-mail addresses. Indicators the query's
 * org may not see, or not valid at at_ms, are skipped. */
int detect_ioc_match_text(const struct detect_ioc_index *ix, const char *s, size_t n,
                          const struct detect_ioc_query *q, detect_ioc_hit_fn fn, void *arg);
/* The same over several texts (an event's fields) in one go: faster than one call per text,
 * since the lookups of all of them overlap. Hits come in text order. */
int detect_ioc_match_texts(const struct detect_ioc_index *ix, const struct detect_ioc_text *texts,
                           size_t n, const struct detect_ioc_query *q, detect_ioc_hit_fn fn,
                           void *arg);
/* Looks up a whole field value as a DETECT_IOC_STRING observable (exact, case-sensitive). */
int detect_ioc_match_string(const struct detect_ioc_index *ix, const char *s, size_t n,
                            const struct detect_ioc_query *q, detect_ioc_hit_fn fn, void *arg);
/* True when some indicator has a validity window (so the event's time matters). */
bool detect_ioc_has_windows(const struct detect_ioc_index *ix);
/* True when the index holds DETECT_IOC_STRING values (so whole field values are worth a look). */
bool detect_ioc_has_strings(const struct detect_ioc_index *ix);
/* True when the index holds anchors of compound patterns. */
bool detect_ioc_has_patterns(const struct detect_ioc_index *ix);

/* What an entry is, for alerts. */
struct detect_ioc_info {
  enum detect_ioc_type type;
  char value[2100];    /* canonical text: "10.0.0.0/8", "example.com", hex digest, ... */
  const char *label;   /* DETECT_IOC_STRING label or NULL; valid while the index lives */
  char source_id[256]; /* "" when none */
  int64_t valid_from, valid_until;
  const char *pattern; /* an anchor: the compound pattern's text (valid while the index lives) */
};
void detect_ioc_describe(const struct detect_ioc_index *ix, uint32_t entry,
                         struct detect_ioc_info *out);

/* A hash of what an entry is (type, value, source), the same in every index built from the same
 * specs: for deduplicating alerts across index rebuilds. */
uint64_t detect_ioc_entry_hash(const struct detect_ioc_index *ix, uint32_t entry);

/* ---- loaders ----------------------------------------------------------------------------- */

/* Called for each value a loader could not take; `where` is "NAME:LINE" or a JSON path. Return
 * non-zero to stop loading (the loader then returns FS_ERR_INVALID with that error). */
typedef int (*detect_ioc_error_fn)(void *arg, const struct fs_err *err);

/* What a loader applies to every value it loads. */
struct detect_ioc_load_opts {
  const struct detect_visibility *vis; /* NULL: visible to all */
  const char *source_id;               /* plain lists: the source of every value (NULL: name) */
  detect_ioc_error_fn on_error;        /* NULL: stop at the first bad value */
  void *arg;
  size_t first_line; /* plain lists fed in pieces: the line number before this piece */
};

/* A plain list: one indicator a line, its type detected (IPv4/IPv6 address or CIDR, MD5/SHA-1/
 * SHA-256/SHA-512 hex, URL, e-mail address, domain name); defanged forms ("hxxp", "[.]") are
 * accepted. Blank lines and lines starting with '#' are skipped, as is a " #..." comment after a
 * value. `name` is used in error positions. *loaded counts the values added. */
int detect_iocs_load_list(struct detect_ioc_builder *b, const char *text, size_t len,
                          const char *name, const struct detect_ioc_load_opts *opts, size_t *loaded,
                          struct fs_err *err);

/* A STIX 2.1 bundle (or a single indicator object, or an array of objects), each pattern read by
 * the STIX library's full pattern parser (detect_ioc_specs_from_stix): the simple indicators of a
 * pattern (equality and IN, joined by OR) are taken, and the anchors of compound patterns that can
 * be evaluated on events; compound patterns that cannot (counted in compound_skipped), patterns
 * that do not parse and other pattern types are reported through on_error, with the reason, and
 * skipped. *loaded counts the values added (indicators and anchors). */
int detect_iocs_load_stix(struct detect_ioc_builder *b, const char *text, size_t len,
                          const char *name, const struct detect_ioc_load_opts *opts, size_t *loaded,
                          struct fs_err *err);

/* Guesses the type of one value (after refanging) as the plain-list loader does. -1 when none. */
int detect_ioc_guess_type(const char *s, size_t n);

#endif
