/* Internal to stix/: the tables describing each STIX type, and the validation context that the
 * checks share (current object, property path, report). Not for other modules. */
#ifndef FS_STIX_STIX_INT_H
#define FS_STIX_STIX_INT_H

#include "stix/stix.h"

#include <stdint.h>

/* jansson's iterators take non-const objects; the validators only read. */
#define JSON_MUT(x) ((json_t *)(uintptr_t)(x))

/* Property value types, as the specification's property tables name them. */
enum stix_pt {
  PT_STRING = 1,
  PT_BOOL,
  PT_INT,   /* JSON integer in [-(2^53)+1, 2^53-1], narrowed by min/max when ranged */
  PT_FLOAT, /* any JSON number, narrowed by fmin/fmax when ranged */
  PT_TIMESTAMP,
  PT_REF,     /* identifier; targets/tclass restrict the referenced type */
  PT_REFS,    /* non-empty list of identifiers */
  PT_STRINGS, /* non-empty list of strings (also lists of open-vocabulary terms) */
  PT_ENUM,    /* closed vocabulary: targets lists the values */
  PT_ENUMS,   /* non-empty list of closed-vocabulary values */
  PT_HASHES,
  PT_DICT, /* dictionary; dv says what the values must be */
  PT_HEX,
  PT_BINARY,    /* base64 */
  PT_OBJ,       /* embedded object described by sub */
  PT_OBJS,      /* non-empty list of embedded objects described by sub */
  PT_KILLCHAIN, /* list of kill-chain-phase */
  PT_EXTREFS,   /* list of external-reference */
  PT_RESERVED,  /* reserved by the specification: must not be present */
};

/* Reference target classes (for references restricted by kind rather than by type). Custom types
 * are accepted by every class: their kind cannot be known. */
enum { TC_SDO = 1, TC_SCO = 2, TC_SRO = 4, TC_META = 8 };

/* What dictionary values must be. */
enum stix_dv { DV_ANY = 0, DV_STRING, DV_STRINGS, DV_INT, DV_INT_OR_STRING };

struct vctx;
struct stix_prop;
struct stix_pattern;

struct stix_obj_spec {
  const struct stix_prop *props;                  /* terminated by an entry with name NULL */
  bool at_least_one;                              /* at least one of props must be present */
  void (*check)(struct vctx *v, const json_t *o); /* co-constraints between properties */
};

struct stix_prop {
  const char *name;
  unsigned char type; /* enum stix_pt */
  bool required;
  unsigned char tclass; /* PT_REF(S): allowed kinds when targets is NULL (0 = any) */
  unsigned char dv;     /* PT_DICT: enum stix_dv */
  bool ranged;
  const char *const *targets;      /* PT_REF(S): allowed types; PT_ENUM(S): allowed values */
  int64_t min, max;                /* PT_INT when ranged */
  double fmin, fmax;               /* PT_FLOAT when ranged */
  const struct stix_obj_spec *sub; /* PT_OBJ(S) */
};

/* A predefined SCO extension ("ntfs-ext", ...). */
struct stix_ext_spec {
  const char *name;
  const struct stix_obj_spec *spec;
};

struct stix_type_spec {
  const char *type;
  enum stix_kind kind;
  struct stix_obj_spec spec;        /* the type's own properties (common ones excluded) */
  const struct stix_ext_spec *exts; /* predefined extensions, terminated by name NULL */
  const char *const *id_props;      /* SCO ID contributing properties, NULL-terminated */
};

/* *out = the limits in (may be NULL), with the defaults where in has 0. */
void stix_limits_fill(struct stix_limits *out, const struct stix_limits *in);

/* The table entry for a type defined by the specification, or NULL. */
const struct stix_type_spec *stix_type_spec(const char *type);

/* ---- The validation context ---- */

struct vctx {
  const json_t *obj;   /* the object being validated */
  const char *id;      /* its id when valid, else NULL */
  const char *type;    /* its type when a string, else NULL */
  enum stix_kind kind; /* its kind (custom objects: the kind deduced) */
  const struct stix_limits *lim;
  struct stix_report *rep;
  char path[128]; /* current property path */
  size_t plen;
  const char *created, *modified; /* when present and valid timestamps */
  struct stix_pattern *pattern;   /* when not NULL: receives an indicator's parsed STIX pattern */
  bool pattern_kept;              /* *pattern was filled (the caller releases it) */
};

struct stix_pattern;
/* stix_validate, and with pattern not NULL an indicator's parsed STIX pattern is handed over
 * in *pattern (*kept true; the caller releases it with stix_pattern_release) rather than parsed
 * and thrown away. */
int stix_validate_full(const json_t *obj, const struct stix_limits *lim, struct stix_report *rep,
                       struct stix_pattern *pattern, bool *kept);

void v_error(struct vctx *v, const char *fmt, ...) FS_PRINTF(2, 3);
void v_warn(struct vctx *v, const char *fmt, ...) FS_PRINTF(2, 3);
/* Path steps: each returns the previous length, to give back to v_pop. */
size_t v_push(struct vctx *v, const char *key);
size_t v_push_index(struct vctx *v, size_t i);
void v_pop(struct vctx *v, size_t len);

/* Generic checks (stix_check.c). Each records its findings at the current path. */
void check_value(struct vctx *v, const struct stix_prop *p, const json_t *val);
/* Checks the properties of an embedded object against spec. Properties not in spec must have
 * custom-property names. */
void check_object(struct vctx *v, const struct stix_obj_spec *spec, const json_t *o);
/* The same, leaving out the properties named in skip (NULL-terminated; the common ones). */
void check_object_skip(struct vctx *v, const struct stix_obj_spec *spec, const json_t *o,
                       const char *const *skip);
/* Checks an identifier reference; returns true when it is a well-formed identifier. */
bool check_ref(struct vctx *v, const json_t *val, unsigned tclass, const char *const *targets);
void check_hashes(struct vctx *v, const json_t *val);
/* Checks a property that no table describes (a custom property, or an extension property). */
void check_custom_property(struct vctx *v, const char *name, const json_t *val);
/* True when name is a valid custom property name: ^[a-z0-9_]{3,250}$. */
bool stix_custom_name_valid(const char *name);
/* True when s is an even-length string of hex digits (*upper set when A-F appear). */
bool stix_hex_valid(const char *s, size_t len, bool *upper);
/* True when s is RFC 4648 base64 with padding (line feeds skipped when lf_ok). */
bool stix_base64_valid(const char *s, size_t len, bool lf_ok);
/* Parses "address[/prefix]": *family 4 or 6, the address bytes (IPv4 in the first 4), the prefix
 * length (the full length when absent). False when malformed. */
bool stix_ip_parse(const char *s, size_t len, int *family, unsigned char addr[16], int *prefix);
/* True when s is an IPv4 (want 4) or IPv6 (want 6) address with an optional CIDR suffix. */
bool stix_ip_cidr_valid(const char *s, size_t len, int want);

/* The kind of the type part of a valid identifier (STIX_UNKNOWN for custom types). */
enum stix_kind stix_ref_kind(const char *ref, size_t type_len);

/* Type-specific co-constraint checks (stix_rules.c), referenced from the tables. */
void rule_indicator(struct vctx *v, const json_t *o);
void rule_location(struct vctx *v, const json_t *o);
void rule_malware(struct vctx *v, const json_t *o);
void rule_malware_analysis(struct vctx *v, const json_t *o);
void rule_observed_data(struct vctx *v, const json_t *o);
void rule_first_last_seen(struct vctx *v, const json_t *o);
void rule_relationship(struct vctx *v, const json_t *o);
void rule_sighting(struct vctx *v, const json_t *o);
void rule_attack_pattern(struct vctx *v, const json_t *o);
void rule_vulnerability(struct vctx *v, const json_t *o);
void rule_marking_definition(struct vctx *v, const json_t *o);
void rule_extension_definition(struct vctx *v, const json_t *o);
void rule_language_content(struct vctx *v, const json_t *o);
void rule_artifact(struct vctx *v, const json_t *o);
void rule_email_message(struct vctx *v, const json_t *o);
void rule_mime_part(struct vctx *v, const json_t *o);
void rule_file(struct vctx *v, const json_t *o);
void rule_ipv4(struct vctx *v, const json_t *o);
void rule_ipv6(struct vctx *v, const json_t *o);
void rule_mac(struct vctx *v, const json_t *o);
void rule_network_traffic(struct vctx *v, const json_t *o);
void rule_process(struct vctx *v, const json_t *o);
void rule_url(struct vctx *v, const json_t *o);
void rule_registry_key(struct vctx *v, const json_t *o);
void rule_domain_name(struct vctx *v, const json_t *o);
void rule_pe_binary(struct vctx *v, const json_t *o);

/* Warns when an SCO of a spec-defined type does not carry its deterministic id (stix_sco_id.c). */
void stix_check_sco_id(struct vctx *v, const struct stix_type_spec *t, const json_t *o);

/* A string member of o, or NULL when absent or not a string. */
const char *stix_str(const json_t *o, const char *key);

#endif
