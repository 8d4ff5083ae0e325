/* Warninglists: known-benign values (public resolvers, top domains, CDN and cloud ranges, empty
 * files' hashes, special-use ranges) that make an indicator from a source suspect. The MISP
 * warninglist format (reference/misp/misp-warninglist-format.md: name, description, version,
 * type, matching_attributes, list) is read here, with the hub's built-in special-use list, and
 * any number of lists is compiled into one set that tells, for a canonical value, the list it is
 * on. Pure: no I/O, no globals; a set is read by several threads at once. */
#ifndef FS_INTEL_WARNINGLIST_H
#define FS_INTEL_WARNINGLIST_H

#include "core/arena.h"
#include "core/base.h"
#include "core/err.h"
#include "intel/canon.h"

#define INTEL_WL_NAME_MAX 200
#define INTEL_WL_MAX_BYTES (256u << 20) /* one list file */
#define INTEL_WL_MAX_ENTRIES 5000000

/* How a list's entries match a value (the format's `type`). */
enum intel_wl_type {
  INTEL_WL_STRING,    /* the whole value, exactly (after both are canonicalised), or a URL's
                         host exactly (lists of top sites) */
  INTEL_WL_SUBSTRING, /* the entry occurs in the value (ignoring case) */
  INTEL_WL_HOSTNAME,  /* the value's host (a domain, a URL's host, an address's domain) is the
                         entry or a subdomain of it */
  INTEL_WL_CIDR,      /* the address, or the whole range, is in an IPv4/IPv6 range */
  INTEL_WL_REGEX,     /* a PCRE2 expression, written /expression/flags as MISP does */
};

/* What a list does to an indicator from a source that is on it. */
enum intel_wl_action {
  INTEL_WL_FLAG,  /* stored, flagged with the list's name, and withheld (not distributed, not
                     matched) until the list is changed */
  INTEL_WL_BLOCK, /* refused, with the list's name */
  INTEL_WL_OFF,   /* ignored */
};

/* "string", "substring", "hostname", "cidr", "regex"; and "flag", "block", "off". */
const char *intel_wl_type_name(enum intel_wl_type t);
const char *intel_wl_action_name(enum intel_wl_action a);
/* -1 when s is not one. */
int intel_wl_action_parse(const char *s);

/* A list as read. Strings and entries live in the list's arena. */
struct intel_warninglist {
  struct fs_arena arena;
  const char *name, *description;
  int64_t version;
  enum intel_wl_type type;
  unsigned kinds; /* bits (1 << enum intel_obs) of the kinds it applies to, from its
                     matching_attributes (all kinds when it has none) */
  const char **entries;
  size_t n_entries;
};

/* Reads one list (a list.json). The format's MUSTs are checked (name, description, version,
 * type among the five, list of strings); the caller releases *out also after a failure. */
int intel_warninglist_parse(const char *bytes, size_t len, struct intel_warninglist *out,
                            struct fs_err *err);
void intel_warninglist_release(struct intel_warninglist *l);
/* The kinds a list applies to as text ("ipv4 ipv6 domain"), into out (n bytes). */
void intel_wl_kinds_text(unsigned kinds, char *out, size_t n);

/* The built-in lists (constant; never released), named INTEL_WL_BUILTIN "-addresses" and
 * INTEL_WL_BUILTIN "-names": the IANA special-purpose address registries (RFC 6890 and its
 * updates: private, shared, loopback, link-local, documentation, benchmarking, multicast,
 * reserved; IPv6 unique-local, link-local, documentation, 6to4 and Teredo, IPv4-mapped) and the
 * special-use domain names (RFC 2606, 6761, 6762, 8375, 9476). Returns how many (*out). */
#define INTEL_WL_BUILTIN "special-use"
size_t intel_wl_builtins(const struct intel_warninglist **out);

/* Lists compiled for matching. */
struct intel_wl_set;

/* A new empty set (NULL when out of memory). */
struct intel_wl_set *intel_wl_set_new(void);
/* Adds a list with its action (OFF lists are not added). Entries that are not values of the
 * list's type (an unparseable range, a bad expression) are skipped and counted in *skipped
 * (may be NULL). The set copies what it keeps. */
int intel_wl_set_add(struct intel_wl_set *s, const struct intel_warninglist *l,
                     enum intel_wl_action act, size_t *skipped, struct fs_err *err);
/* Makes the set ready for matching; no list may be added after. */
int intel_wl_set_finish(struct intel_wl_set *s, struct fs_err *err);
void intel_wl_set_free(struct intel_wl_set *s);
/* Lists in the set. */
size_t intel_wl_set_count(const struct intel_wl_set *s);

struct intel_wl_hit {
  const char *list; /* the list's name (valid while the set lives) */
  enum intel_wl_action action;
};

/* Whether a canonical value of kind t is on a list of the set that applies to that kind: the
 * first blocking list if any, else the first flagging one. Thread-safe. */
bool intel_wl_set_match(const struct intel_wl_set *s, enum intel_obs t, const char *value,
                        struct intel_wl_hit *hit);

#endif
