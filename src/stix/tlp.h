/* Traffic Light Protocol as STIX marking definitions: the TLP 2.0 marking definitions of the OASIS
 * extension (the only ids accepted for those levels), the STIX 2.1 built-in TLP 1.0 ones read as
 * their 2.0 levels, the objects the hub publishes, and the reading of any marking definition.
 * Who may see what is decided by auth/, not here. Pure, no globals. */
#ifndef FS_STIX_TLP_H
#define FS_STIX_TLP_H

#include "core/base.h"
#include "core/err.h"

#include <jansson.h>

/* Ordered from least to most restrictive. */
enum stix_tlp {
  STIX_TLP_NONE = 0, /* not a TLP marking */
  STIX_TLP_CLEAR,
  STIX_TLP_GREEN,
  STIX_TLP_AMBER,
  STIX_TLP_AMBER_STRICT,
  STIX_TLP_RED,
};

#define STIX_TLP2_EXTENSION_ID "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* The level of a marking-definition id: the five TLP 2.0 ids and the four TLP 1.0 ids (WHITE reads
 * as CLEAR); STIX_TLP_NONE for any other id. *v1 (may be NULL) tells a TLP 1.0 id. */
enum stix_tlp stix_tlp_from_marking_id(const char *id, bool *v1);
/* The TLP 2.0 marking-definition id of a level; NULL for STIX_TLP_NONE. */
const char *stix_tlp_marking_id(enum stix_tlp level);
/* The TLP 1.0 id of a level (CLEAR gives WHITE's); NULL for AMBER+STRICT and NONE. */
const char *stix_tlp_v1_marking_id(enum stix_tlp level);
/* "TLP:CLEAR" ... "TLP:RED"; "" for NONE. */
const char *stix_tlp_name(enum stix_tlp level);
/* The value of the extension's tlp_2_0 property: "clear", "green", "amber", "amber+strict", "red". */
const char *stix_tlp_token(enum stix_tlp level);
/* Reads "clear", "white", "green", "amber", "amber+strict", "red" (any case, with or without a
 * "tlp:" prefix, as MISP tags write them); STIX_TLP_NONE for anything else. */
enum stix_tlp stix_tlp_from_token(const char *s);
/* The most restrictive TLP level among the ids of a JSON array of marking references (e.g. an
 * object's object_marking_refs); STIX_TLP_NONE when none is a TLP marking or refs is NULL. */
enum stix_tlp stix_tlp_strictest(const json_t *refs);
/* The most restrictive TLP level among the marking_ref of a JSON array of granular markings (an
 * object's granular_markings; entries with "lang" instead are not markings); STIX_TLP_NONE when
 * none is a TLP marking or granular is NULL. Whatever part a granular TLP marking covers, the
 * object is shared as a whole, so that level binds the whole object. */
enum stix_tlp stix_tlp_granular_strictest(const json_t *granular);

/* The full TLP 2.0 marking-definition object of a level, as the hub publishes it. The caller owns
 * *out (json_decref). FS_ERR_INVALID for STIX_TLP_NONE, FS_ERR_NOMEM. */
int stix_tlp_marking_definition(enum stix_tlp level, json_t **out, struct fs_err *err);
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
  enum stix_tlp tlp;    /* TLP1/TLP2: the level */
  const char *name;      /* the "name" property, or NULL */
  const char *statement; /* STATEMENT: the text */
};

/* Reads a marking-definition object. FS_ERR_INVALID (with a message) when it claims TLP but is not
 * one of the standard definitions: an unknown id for a TLP level, a standard TLP id with other
 * content, a TLP 2.0 name that does not match, or an unknown TLP value. */
int stix_marking_parse(const json_t *md, struct stix_marking *out, struct fs_err *err);

#endif
