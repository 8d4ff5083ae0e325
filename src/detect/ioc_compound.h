/* Compound STIX patterns evaluated on events: a single observation ("[ ... ]" with AND, OR, NOT
 * and any comparison operator, no qualifier) compiled once for stix_pattern_eval, with its
 * anchors: equality literals on address, domain, URL, e-mail or hash paths of which every match
 * must contain one. The anchors go into the indicator index like simple indicators; a hit on one
 * evaluates the whole pattern against the event (through a detect_stix_view), so that patterns
 * are not tried on every event.
 *
 * Ownership: a compiled pattern is immutable and reference-counted (atomically): the index takes
 * a reference for each pattern it holds, so that a rebuilt index can share the patterns of the one
 * it replaces. Evaluation reads the pattern only and may run on many threads at once, each with
 * its own view. */
#ifndef FS_DETECT_IOC_COMPOUND_H
#define FS_DETECT_IOC_COMPOUND_H

#include "detect/ioc.h"
#include "detect/stix_fields.h"

#define DETECT_IOC_MAX_ANCHORS 4096 /* anchors of one pattern; more and it is not evaluated */

struct detect_ioc_anchor {
  enum detect_ioc_type type;
  const char *value; /* the literal in its canonical form, NUL-terminated, in the pattern */
  size_t len;
};

/* Compiles a parsed pattern whose text (len bytes) is `text`. p is taken over: it is left empty
 * whatever the result. Literals on mapped paths are put in canonical form (detect_stix_canon);
 * an equality with an address range becomes ISSUBSET and an equality with a domain name matches
 * the name and its subdomains (as simple indicators do); anchors are chosen (in an AND, the
 * cheaper side's: hashes before URLs, e-mail addresses, domains, addresses and ranges; in an OR,
 * both sides'; branches that no event can satisfy need none).
 * FS_OK with *out holding one reference. FS_ERR_UNSUPPORTED with the reason in err->msg when
 * events cannot be matched against it: several observations, a qualifier, a path no event field
 * gives where every match needs it, no anchor, more than DETECT_IOC_MAX_ANCHORS anchors.
 * FS_ERR_INVALID for a regular expression PCRE2 refuses; FS_ERR_NOMEM. */
int detect_ioc_pattern_compile(struct stix_pattern *p, const char *text, size_t len,
                               struct detect_ioc_pattern **out, struct fs_err *err);

void detect_ioc_pattern_ref(struct detect_ioc_pattern *pat);
/* Drops a reference; the last one frees the pattern. NULL is fine. */
void detect_ioc_pattern_unref(struct detect_ioc_pattern *pat);

/* The anchors (valid while the pattern lives); returns how many. */
size_t detect_ioc_pattern_anchors(const struct detect_ioc_pattern *pat,
                                  const struct detect_ioc_anchor **out);
/* The pattern as the indicator wrote it (NUL-terminated). */
const char *detect_ioc_pattern_text(const struct detect_ioc_pattern *pat);
/* Bytes the pattern holds (for index statistics). */
size_t detect_ioc_pattern_memory(const struct detect_ioc_pattern *pat);

/* Evaluates pat against the event v points at: *match is the result. Allocates nothing. FS_OK,
 * or an error of stix_pattern_eval (then *match is false). */
int detect_ioc_pattern_eval(const struct detect_ioc_pattern *pat, struct detect_stix_view *v,
                            bool *match);

/* The compound pattern a hit leads to (detect_ioc_hit.pattern, not 0), valid while ix lives. */
const struct detect_ioc_pattern *detect_ioc_index_pattern(const struct detect_ioc_index *ix,
                                                          uint32_t pattern);

#endif
