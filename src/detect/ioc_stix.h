/* STIX 2.1 indicators (and STIX 2.0 ones: objects without spec_version, whose patterns may use
 * 2.0's plain-quoted START/STOP times and wrapped b'...') as index specs, through the full STIX
 * pattern parser of stix/: each
 * simple indicator of a pattern (equality and IN on addresses, CIDR ranges, domains, URLs,
 * hashes, e-mail addresses and other ":value" observables, joined by OR) becomes one spec with the
 * object's validity window, revocation and the caller's visibility. A compound pattern of one
 * observation is compiled (ioc_compound.h) and its anchors become specs that carry it; the other
 * compound patterns (several observations, qualifiers, no anchor...) are skipped with a reason. */
#ifndef FS_DETECT_IOC_STIX_H
#define FS_DETECT_IOC_STIX_H

#include "detect/ioc.h"

#include <jansson.h>

typedef int (*detect_ioc_spec_fn)(void *arg, const struct detect_ioc_spec *spec);

enum detect_stix_kind {
  DETECT_STIX_SIMPLE,    /* values for the index */
  DETECT_STIX_EVALUATED, /* a compound pattern: its anchors, evaluated on the events they hit */
  DETECT_STIX_SKIPPED,   /* a compound pattern that cannot be matched on events: see reason */
  DETECT_STIX_OTHER,     /* pattern_type is not "stix" (Sigma, YARA, Snort...): nothing added */
};

struct detect_stix_outcome {
  enum detect_stix_kind kind;
  char reason[384];    /* SKIPPED, OTHER: why, for people */
  char reason_zh[512]; /* the same in zh-TW ("" when it has no translation) */
};

/* Calls fn for each simple indicator, or each anchor of the compound pattern, of one STIX
 * `indicator` object; out says which it was. FS_OK; FS_ERR_PARSE with the position when the
 * pattern does not parse; FS_ERR_INVALID when the object is not a usable indicator; FS_ERR_NOMEM;
 * or fn's value. */
int detect_ioc_specs_from_stix(const json_t *indicator, const struct detect_visibility *vis,
                               detect_ioc_spec_fn fn, void *arg, struct detect_stix_outcome *out,
                               struct fs_err *err);

#endif
