/* Inside the Sigma engine: the YAML tree, rules as loaded, and the compiled set shared by the
 * loader (sigma_yaml.c, sigma_rule.c, sigma_cond.c), the compiler (sigma_compile.c), the
 * matcher (sigma_match.c, sigma_logsource.c, sigma_names.c) and correlation (sigma_corr.c). Not
 * for other modules. */
#ifndef FS_DETECT_SIGMA_INT_H
#define FS_DETECT_SIGMA_INT_H

#include "core/arena.h"
#include "detect/ioc_norm.h"
#include "detect/sigma.h"

#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* ---- YAML tree (sigma_yaml.c) -------------------------------------------------------------- */

enum sy_kind { SY_SCALAR, SY_SEQ, SY_MAP };

struct sy_node {
  enum sy_kind kind;
  unsigned line;
  bool plain;    /* an unquoted scalar: null, booleans and numbers are read from it */
  const char *s; /* scalar text, NUL-terminated */
  size_t len;
  struct sy_node **kids; /* sequence items; for a map keys and values alternate */
  size_t n;              /* kids */
};

/* Parses YAML text into one tree per document, allocated in arena. FS_ERR_PARSE with the line. */
int sy_parse(const char *text, size_t len, struct fs_arena *arena, struct sy_node ***docs,
             size_t *ndocs, struct fs_err *err);
/* The value of key in a map, or NULL. */
const struct sy_node *sy_get(const struct sy_node *map, const char *key);
/* True for an unquoted null, ~ or empty scalar. */
bool sy_is_null(const struct sy_node *n);

/* ---- rules as loaded --------------------------------------------------------------------- */

enum sigma_kind { SK_EXACT, SK_CONTAINS, SK_STARTS, SK_ENDS, SK_RE };

/* One form of a value to look for (a value has several after windash or base64offset). */
struct sigma_pattern {
  const char *text; /* Sigma text (wildcards, escapes) unless literal; a regex for SK_RE */
  uint32_t len;
  bool literal; /* text is bytes to match as they are (encoded values) */
  bool suffix;  /* an endswith path ("\\cmd.exe"): in the exact table as a suffix key */
};

/* Suffix keys share the exact table under the field id with this bit. */
#define SIGMA_SUFFIX_KEY 0x40000000

enum sigma_mflags {
  SMF_CASED = 1 << 0,
  SMF_RE_I = 1 << 1,
  SMF_RE_M = 1 << 2,
  SMF_RE_S = 1 << 3,
  SMF_CONFIRM = 1 << 4, /* Hyperscan runs the regex as a prefilter; PCRE2 confirms */
  SMF_LAZY = 1 << 5,    /* only PCRE2 can run it: evaluated when its rule is a candidate */
};

/* One value of a detection item, as a matcher with an id (its bit at match time). Identical
 * expressions of several matchers on a field are compiled once (a target with a chain). */
struct sigma_matcher {
  uint32_t item;
  uint8_t kind; /* enum sigma_kind */
  uint8_t flags;
  uint16_t npats;
  struct sigma_pattern *pats;
  pcre2_code *re; /* SMF_CONFIRM or SMF_LAZY */
  /* Copies of its item's rule, clause and the rule's clause count, for the hot loop. */
  uint32_t rule;
  int32_t clause;
  uint16_t nclauses;
};

/* Checks that are not string searches. */
enum sigma_special {
  SS_NULL,   /* the field is absent or empty */
  SS_EXISTS, /* num: 1 exists, 0 does not */
  SS_LT,
  SS_LTE,
  SS_GT,
  SS_GTE,      /* numeric comparison with num */
  SS_CIDR,     /* ip */
  SS_FIELDREF, /* equal (per kind) to the value of field ref */
  SS_TIMEPART, /* part (minute..year) of the field's time equals num */
  SS_EMPTY,    /* the value is "" */
  SS_ANY,      /* the field exists (contains "" or "*") */
};

struct sigma_special_value {
  uint8_t type; /* enum sigma_special */
  uint8_t kind; /* SS_FIELDREF: enum sigma_kind */
  uint8_t part; /* SS_TIMEPART: 0 minute, 1 hour, 2 day, 3 week, 4 month, 5 year */
  bool cased;
  double num;
  struct detect_ip ip;
  int32_t ref; /* SS_FIELDREF: field id */
};

struct sigma_item {
  int32_t field; /* field id; 0 is the keyword pseudo-field (every value) */
  uint32_t rule;
  uint32_t first_matcher, nmatchers;
  uint32_t first_special, nspecial;
  bool all;       /* |all: every value must match */
  bool neq;       /* |neq: present and none of the values */
  bool indexed;   /* false when anything but hits decides it (special, lazy, neq) */
  bool plain;     /* true exactly when one of its matchers has a hit (indexed, not |all, no
                   * PCRE2 confirmation): known once the hits are collected */
  int32_t clause; /* the clause of its rule it belongs to, or -1 (see sigma_compile.c) */
};

struct sigma_group { /* a map of a selection: items ANDed */
  uint32_t first_item, nitems;
};

struct sigma_sel { /* a named selection: groups ORed */
  const char *name;
  uint32_t first_group, ngroups;
};

enum sigma_cop { CO_OR, CO_AND, CO_NOT, CO_SEL, CO_OF };

struct sigma_cnode {
  uint8_t op;
  uint32_t a, b;     /* children (OR, AND), child (NOT), selection (SEL) */
  uint32_t need;     /* CO_OF: how many must be true; 0 means all */
  uint32_t first, n; /* CO_OF: selections (indices into the rule's of-lists) */
};

enum sigma_corr_type {
  SCT_EVENT_COUNT,
  SCT_VALUE_COUNT,
  SCT_VALUE_SUM,
  SCT_VALUE_AVG,
  SCT_VALUE_PERCENTILE,
  SCT_TEMPORAL,
  SCT_TEMPORAL_ORDERED,
};

struct sigma_corr_def {
  uint8_t type;
  uint8_t op; /* SS_LT.. or 6 eq, 7 neq; for temporal: none (all rules seen) */
  double threshold;
  double percentile;
  int64_t timespan_ms;
  const char **refs;   /* referenced rules by id or name, as written */
  uint32_t *ref_rules; /* resolved rule indices */
  size_t nrefs;
  const char **group_by;
  size_t ngroup;
  const char *value_field; /* value_* types */
  /* aliases: alias name -> per referenced rule, the field it stands for */
  const char **alias_names;
  const char ***alias_fields; /* [alias][ref] field name or NULL */
  size_t naliases;
  bool generate;
};

struct sigma_rule {
  const char *id, *name, *title, *level, *status, *file;
  unsigned line;
  const char *product, *category, *service;
  struct sigma_sel *sels;
  uint32_t nsels;
  struct sigma_cnode *cond;
  uint32_t ncond, root;
  uint32_t *of_sels; /* selection lists of CO_OF nodes */
  bool always;       /* can be true with no indexed hit: evaluated on every routed event */
  uint16_t nclauses; /* clauses that must each have a hit before the rule is a candidate; with
                      * none, any hit of the rule makes it one */
  bool silent;       /* a building block of correlations with generate: false */
  bool dead;         /* reported at compile time and left out */
  struct sigma_corr_def *corr; /* correlation rules only */
  uint32_t *corr_users;        /* correlations that reference this rule */
  size_t ncorr_users;
};

/* Growable arrays of the set being built. */
#define SIGMA_VEC(type, name)                                                                      \
  type *name;                                                                                      \
  size_t n_##name, cap_##name

struct sigma_field {
  const char *name;
  size_t len;
  bool concat;             /* keywords (field 0) only: every value a substring search, so all of
                            * an event's values can be searched at once */
  uint64_t exact_lens[8];  /* lengths (< 512) of its exact values: others need no lookup */
  bool exact_long;         /* an exact value of 512 bytes or more */
  uint32_t suffix_max;     /* the longest suffix key (endswith "\\..." or "/...") */
  uint64_t suffix_lens[8]; /* lengths of its suffix keys (all < 512): others need no lookup */
  bool used;               /* some item names it (not only a fieldref) */
};

struct sigma_class_routes {
  uint64_t *bits;   /* rules that apply to events of this class */
  uint32_t *always; /* rules to evaluate on every such event */
  size_t nalways;
  bool keywords; /* some routed rule has keyword items */
  /* Per field id: the databases holding the values of this class's rules, and whether any of
   * them has an exact value (1) or suffix key (2) on the field. A field whose routed matchers are
   * those of an earlier class, or a few less, uses that class's databases (sigma_compile_routes);
   * the databases themselves are owned by the set (dbs). */
  hs_database_t **lit, **db;
  uint8_t *exact;
};

struct sigma_exact_slot {
  uint64_t hash;   /* 0: empty */
  const char *key; /* lower-cased value */
  uint32_t len;
  int32_t field;
  uint32_t head; /* first node of the matchers with this field and value */
};

/* A Hyperscan expression (its id) and the matchers that share it. A literal target is checked
 * where it matched: anywhere, at the start, at the end, or the whole value. */
struct sigma_target {
  uint32_t head;
  uint32_t len; /* literal length */
  uint8_t kind; /* enum sigma_kind; SK_RE for a regex-database target (no check) */
  /* A value with wildcards is found by its longest literal piece in the literal database, then
   * checked whole: the glob, its kind and case. */
  const struct sigma_pattern *glob;
  uint8_t glob_kind;
  bool glob_cased;
};

/* Matchers that share one exact value or one Hyperscan expression, as a chain. */
struct sigma_node {
  uint32_t matcher;
  uint32_t next; /* UINT32_MAX ends the chain */
  /* Copies of the matcher's item, rule, clause and clause count, for collecting candidates from
   * the hits without reading the matchers (set when the chains are laid out, sigma_hs.c). */
  uint32_t item, rule;
  int32_t clause;
  uint16_t nclauses;
};

struct detect_sigma_set {
  struct fs_arena arena;
  SIGMA_VEC(struct sigma_rule, rules);
  SIGMA_VEC(struct sigma_item, items);
  SIGMA_VEC(struct sigma_group, groups);
  SIGMA_VEC(struct sigma_matcher, matchers);
  SIGMA_VEC(struct sigma_special_value, specials);
  SIGMA_VEC(struct sigma_field, fields);
  /* field name -> id */
  uint64_t *fmap_hash;
  uint32_t *fmap_id;
  size_t fmap_mask;
  /* exact values: (field, lower-cased value) -> matchers */
  struct sigma_exact_slot *exact;
  size_t exact_mask, exact_count;
  SIGMA_VEC(struct sigma_node, nodes);
  SIGMA_VEC(struct sigma_target, targets); /* Hyperscan ids */
  SIGMA_VEC(uint32_t, clauses);            /* clause id -> rule */
  SIGMA_VEC(hs_database_t *, dbs);         /* every compiled database, shared by the routes */
  hs_scratch_t *scratch_proto;             /* fits every database; threads clone it */
  uint64_t exact_seed;
  struct sigma_class_routes *routes; /* one per event class (sigma_logsource.c) */
  size_t nroutes;
  size_t rule_words; /* uint64 words of a rule bitmap */
  struct detect_sigma_stats stats;
  uint64_t generation; /* distinguishes sets for thread scratch */
};

/* ---- loader ------------------------------------------------------------------------------- */

struct sigma_placeholder {
  const char *name;
  const char **values;
  size_t n;
};

struct detect_sigma_loader {
  struct detect_sigma_set *set;
  struct sigma_placeholder *ph;
  size_t nph, cap_ph;
};

/* Grows a SIGMA_VEC by one; returns the new element (zeroed) or NULL. */
void *sigma_vec_push(void **data, size_t *n, size_t *cap, size_t elem);
#define SIGMA_PUSH(set, name)                                                                      \
  ((__typeof__((set)->name))sigma_vec_push((void **)&(set)->name, &(set)->n_##name,                \
                                           &(set)->cap_##name, sizeof(*(set)->name)))

/* The id of a field name, adding it when add is true; -1 when absent. */
int32_t sigma_field_id(struct detect_sigma_set *s, const char *name, size_t len, bool add);
int32_t sigma_field_find(const struct detect_sigma_set *s, const char *name, size_t len);

/* ---- modifiers (sigma_modifiers.c) ------------------------------------------------------- */

enum sigma_mod_bits {
  SMOD_CONTAINS = 1 << 0,
  SMOD_STARTS = 1 << 1,
  SMOD_ENDS = 1 << 2,
  SMOD_ALL = 1 << 3,
  SMOD_RE = 1 << 4,
  SMOD_CASED = 1 << 5,
  SMOD_EXISTS = 1 << 6,
  SMOD_NEQ = 1 << 7,
  SMOD_CIDR = 1 << 8,
  SMOD_FIELDREF = 1 << 9,
  SMOD_CMP = 1 << 10,
  SMOD_TIME = 1 << 11,
  SMOD_I = 1 << 12,
  SMOD_M = 1 << 13,
  SMOD_S = 1 << 14,
};

enum sigma_transform_kind {
  STR_WINDASH,
  STR_BASE64,
  STR_BASE64OFFSET,
  STR_UTF16LE,
  STR_UTF16BE,
  STR_UTF16,
  STR_EXPAND
};

struct sigma_mods {
  unsigned bits;
  uint8_t cmp;  /* SS_LT.. */
  uint8_t part; /* time part */
  uint8_t transforms[8];
  size_t ntransforms;
};

/* A variant of a value while transforms run. */
struct sigma_variant {
  const char *text;
  size_t len;
  bool literal;
};

#define SIGMA_MAX_VARIANTS 64

/* Parses the modifiers of a "Field|mod|mod" key (klen bytes). FS_ERR_INVALID with why. */
int sigma_parse_mods(const char *key, size_t klen, struct sigma_mods *m, struct fs_err *why);
/* Runs a value's transforms (windash, base64, base64offset, utf16*, expand) in order, giving its
 * forms in vars (SIGMA_MAX_VARIANTS). FS_ERR_INVALID with why, FS_ERR_NOMEM. */
int sigma_transform(struct detect_sigma_loader *l, const struct sigma_mods *m, const char *value,
                    size_t vlen, struct sigma_variant *vars, size_t *nvars, struct fs_err *why);

/* Turns one YAML document into a rule in l->set. Returns FS_OK, or FS_ERR_INVALID with the reason
 * in why (the set is left as it was). */
int sigma_rule_from_yaml(struct detect_sigma_loader *l, const struct sy_node *doc, const char *file,
                         struct fs_err *why);
/* Parses a condition over the rule's selections into rule->cond. */
int sigma_cond_parse(struct detect_sigma_set *s, struct sigma_rule *r, const char *text,
                     struct fs_err *why);

/* Compiles the set: values (sigma_compile_fields), then what depends on them; resolves
 * correlations and routes. Reports and drops rules that cannot be compiled. */
int sigma_compile_set(struct detect_sigma_set *s, detect_sigma_problem_fn fn, void *arg,
                      struct fs_err *err);
/* Prepares every value (sigma_hs.c): exact values into the hash table, PCRE2 for the regexes
 * Hyperscan cannot run. Before the routes. */
int sigma_plan_values(struct detect_sigma_set *s, detect_sigma_problem_fn fn, void *arg,
                      struct fs_err *err);
/* Compiles, for each class, one literal and one regex database per field with the values of the
 * class's rules, or points at an earlier class's when they have the same values on the field or
 * at most 1/16 more (sigma_hs.c). After the routes and the clauses. */
int sigma_compile_routes(struct detect_sigma_set *s, detect_sigma_problem_fn fn, void *arg,
                         struct fs_err *err);
/* Compiles matcher m's regex (pats[0]) with PCRE2 into m->re, JIT when it can. FS_ERR_INVALID
 * with why. */
int sigma_compile_pcre(struct sigma_matcher *m, struct fs_err *why);
/* Marks a rule dead and reports why (once). */
void sigma_kill_rule(struct detect_sigma_set *s, uint32_t rule, const struct fs_err *why,
                     detect_sigma_problem_fn fn, void *arg);

/* ---- event classes and field mapping (sigma_logsource.c) -------------------------------- */

/* How many event classes there are (class 0 is "unknown": every rule applies). */
size_t sigma_class_count(void);
/* True when a rule's logsource fits events of class c. */
bool sigma_class_fits(size_t c, const struct sigma_rule *r);
/* What a field name means to the mapper in events of a shape (sigma_event_shape): its field id
 * in s (-1: no rule names it), its id in Security 4688 events (pySigma's renames), and whether it
 * is the field that decides the class (Channel, EventID, EventType). */
enum sigma_role {
  SIGMA_ROLE_NONE,
  SIGMA_ROLE_CHANNEL,
  SIGMA_ROLE_EVENT_ID,
  SIGMA_ROLE_EVENT_TYPE,
  SIGMA_ROLES
};
struct sigma_name_info {
  int32_t id, audit_id;
  uint8_t role; /* enum sigma_role */
};
void sigma_name_info(const struct detect_sigma_set *s, int shape, const char *name, size_t len,
                     struct sigma_name_info *out);
/* The class of an event of a shape, given its fields of each role (NULL when absent). */
size_t sigma_event_class(const struct detect_event *ev, int shape,
                         const struct detect_field *const roles[SIGMA_ROLES]);
/* True for the class whose events take the audit_id of their field names. */
bool sigma_class_is_audit(size_t c);

/* ---- field names of events, remembered (sigma_names.c) ---------------------------------- */

/* A thread's memory of the field names it has mapped (raw name and shape -> sigma_name_info), so
 * that an event's names cost one hash each, and of the last event's names by position (one
 * comparison each when the next event is laid out the same). Bounded: forgets everything when
 * full. Entries are for one set (by generation). new: NULL when out of memory. */
struct sigma_name_cache;
struct sigma_name_cache *sigma_name_cache_new(void);
void sigma_name_cache_free(struct sigma_name_cache *c);
/* Maps the event's field names to field ids of s (ev->fields[].map_id) and returns its class. */
size_t sigma_map_event(const struct detect_sigma_set *s, struct sigma_name_cache *c,
                       struct detect_event *ev);
/* The field name a rule would use for field i of ev (after per-source mapping); a rewritten name
 * is put in buf. */
#define CANON_MAX 256
void sigma_canonical_name(const struct detect_event *ev, size_t i, const char **name, size_t *len,
                          char buf[CANON_MAX]);
/* The same in two steps, for callers that map every field of an event: the shape of its field
 * names (evtx-as-JSON, ECS, CEF, key=value or plain; found once per event), then the name a rule
 * would use for a field named name (len bytes) in an event of that shape. */
int sigma_event_shape(const struct detect_event *ev);
void sigma_canonical_field(int shape, const char *name, size_t len, const char **out,
                           size_t *out_len, char buf[CANON_MAX]);

#endif
