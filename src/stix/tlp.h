/* Traffic Light Protocol as STIX marking definitions: the TLP 2.0 marking definitions of the OASIS
 * extension (the only ids accepted for those levels), the STIX 2.1 built-in TLP 1.0 ones read as
 * their 2.0 levels, the objects the hub publishes, and the reading of any marking definition.
 * Who may see what is decided by auth/, not here. Pure, no globals. */
#ifndef FS_STIX_TLP_H
#define FS_STIX_TLP_H

#include "core/base.h"
#include "core/err.h"
#include "core/tlp.h"

#include <jansson.h>

/* The levels themselves (enum tlp_level, ordered by rank) are core/tlp.h's. This file is the one
 * place their names ("TLP:AMBER"), tokens ("amber") and marking-definition ids are written:
 * lint.layers (scripts/house-check.py) fails on a copy anywhere else in src/. */

#define STIX_TLP2_EXTENSION_ID "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* The level of a marking-definition id: the five TLP 2.0 ids and the four TLP 1.0 ids (WHITE reads
 * as CLEAR); TLP_NONE for any other id. *v1 (may be NULL) tells a TLP 1.0 id. */
enum tlp_level stix_tlp_from_marking_id(const char *id, bool *v1);
/* The TLP 2.0 marking-definition id of a level; NULL for TLP_NONE. */
const char *stix_tlp_marking_id(enum tlp_level level);
/* The TLP 1.0 id of a level (CLEAR gives WHITE's); NULL for AMBER+STRICT and NONE. */
const char *stix_tlp_v1_marking_id(enum tlp_level level);
/* "TLP:CLEAR" ... "TLP:RED"; "" for NONE. */
const char *stix_tlp_name(enum tlp_level level);
/* The value of the extension's tlp_2_0 property: "clear", "green", "amber", "amber+strict", "red".
 */
const char *stix_tlp_token(enum tlp_level level);
/* Those tokens in rank order, NULL-terminated (for jsonx_enum and the like): the level of
 * stix_tlp_tokens[i] is TLP_LEVEL_MIN + i. */
extern const char *const stix_tlp_tokens[];
/* Reads a level given by its token (one of stix_tlp_tokens) at obj's key, as jsonx_enum does
 * (flags JSONX_*; another value is FS_ERR_INVALID naming the field); TLP_NONE when absent. */
int stix_tlp_json(const json_t *obj, const char *key, unsigned flags, enum tlp_level *out,
                  struct fs_err *err);
/* Reads "clear", "white", "green", "amber", "amber+strict", "red" (any case, with or without a
 * "tlp:" prefix, as MISP tags write them); TLP_NONE for anything else. */
enum tlp_level stix_tlp_from_token(const char *s);
/* The most restrictive TLP level among the ids of a JSON array of marking references (e.g. an
 * object's object_marking_refs); TLP_NONE when none is a TLP marking or refs is NULL. */
enum tlp_level stix_tlp_strictest(const json_t *refs);
/* The most restrictive TLP level among the marking_ref of a JSON array of granular markings (an
 * object's granular_markings; entries with "lang" instead are not markings); TLP_NONE when
 * none is a TLP marking or granular is NULL. Whatever part a granular TLP marking covers, the
 * object is shared as a whole, so that level binds the whole object. */
enum tlp_level stix_tlp_granular_strictest(const json_t *granular);

/* The full TLP 2.0 marking-definition object of a level, as the hub publishes it. The caller owns
 * *out (json_decref). FS_ERR_INVALID for TLP_NONE, FS_ERR_NOMEM. */
int stix_tlp_marking_definition(enum tlp_level level, json_t **out, struct fs_err *err);
/* The OASIS extension-definition object those marking definitions refer to. Caller owns *out. */
int stix_tlp_extension_definition(json_t **out, struct fs_err *err);

enum stix_marking_kind {
  STIX_MARKING_TLP1,      /* definition_type "tlp" (STIX 2.1 built-in, TLP 1.0) */
  STIX_MARKING_TLP2,      /* the TLP 2.0 extension */
  STIX_MARKING_STATEMENT, /* definition_type "statement" */
  STIX_MARKING_OTHER,     /* any other marking (its own extension or definition type) */
};

/* What a marking definition says. Strings are borrowed from the object. */
struct stix_marking {
  enum stix_marking_kind kind;
  enum tlp_level tlp;    /* TLP1/TLP2: the level */
  const char *name;      /* the "name" property, or NULL */
  const char *statement; /* STATEMENT: the text */
};

/* Reads a marking-definition object. FS_ERR_INVALID (with a message) when it claims TLP but is not
 * one of the standard definitions: an unknown id for a TLP level, a standard TLP id with other
 * content, a TLP 2.0 name that does not match, or an unknown TLP value. */
int stix_marking_parse(const json_t *md, struct stix_marking *out, struct fs_err *err);

#endif
