/* STIX 2.1 indicators as index specs, through the full STIX pattern parser of intel/: each
 * simple indicator of a pattern (equality and IN on addresses, CIDR ranges, domains, URLs,
 * hashes, e-mail addresses and other ":value" observables, joined by OR) becomes one spec with the
 * object's validity window, revocation and the caller's visibility. Compound patterns (AND across
 * objects, qualifiers, other operators) cannot live in a value index and are reported. */
#ifndef FS_DETECT_IOC_STIX_H
#define FS_DETECT_IOC_STIX_H

#include "detect/ioc.h"

#include <jansson.h>

typedef int (*detect_ioc_spec_fn)(void *arg, const struct detect_ioc_spec *spec);

/* Calls fn for each simple indicator of one STIX `indicator` object (pattern_type "stix").
 * *compound tells that the pattern was not simple (nothing is added then). FS_OK; FS_ERR_PARSE
 * with the position when the pattern does not parse; FS_ERR_INVALID when the object is not a
 * usable indicator; or fn's value. */
int detect_ioc_specs_from_stix(const json_t *indicator, const struct detect_visibility *vis,
                               detect_ioc_spec_fn fn, void *arg, bool *compound,
                               struct fs_err *err);

#endif
