/* STIX 2.1 patterning (spec section 9; grammar STIXPattern.g4 of STIX 2.1): a hand-written parser
 * from text to an AST, a printer back to canonical text, the extraction of simple indicators for
 * the detection engine, and the evaluation of one observation against an event's fields.
 *
 * Ownership: a parsed pattern owns its AST in an arena inside struct intel_pattern (caller
 * allocated); every pointer in the AST lives until intel_pattern_release. Parsing is pure and
 * reentrant. A pattern prepared for evaluation holds compiled regular expressions; evaluation
 * reads the pattern only and may run on many threads at once, each with its own scratch. */
#ifndef FS_STIX_PATTERN_H
#define FS_STIX_PATTERN_H

#include "core/arena.h"
#include "core/base.h"
#include "core/buf.h"
#include "core/err.h"

/* Limits for untrusted patterns, and the STIX version of the content; 0 in a field means the
 * default. */
struct intel_pattern_limits {
  size_t max_len;   /* bytes of text (default 64 KiB) */
  size_t max_depth; /* nesting of parentheses/brackets (default 64) */
  size_t max_nodes; /* AST nodes: comparisons, observations, literals (default 10,000) */
  bool stix20;      /* the pattern is of STIX 2.0 content (an object without spec_version): also
                     * accept what 2.0 wrote and the 2.1 grammar refuses, plain-quoted START/STOP
                     * timestamps and line breaks inside b'...'. Default: the 2.1 grammar only. */
};

enum intel_pattern_lit_kind {
  INTEL_PATTERN_LIT_STRING,    /* s/len: the unescaped text (UTF-8) */
  INTEL_PATTERN_LIT_INT,       /* i */
  INTEL_PATTERN_LIT_FLOAT,     /* f, and s/len: the digits as written (without '+') */
  INTEL_PATTERN_LIT_BOOL,      /* b */
  INTEL_PATTERN_LIT_TIMESTAMP, /* s/len: the STIX timestamp text */
  INTEL_PATTERN_LIT_BINARY,    /* s/len: decoded bytes; text/text_len: the base64 as written */
  INTEL_PATTERN_LIT_HEX,       /* s/len: decoded bytes; text/text_len: lower-case hex digits */
  INTEL_PATTERN_LIT_SET,       /* items/n: a set for IN */
};

struct intel_pattern_lit {
  enum intel_pattern_lit_kind kind;
  const char *s; /* NUL-terminated as well */
  size_t len;
  const char *text;
  size_t text_len;
  int64_t i;
  double f;
  bool b;
  struct intel_pattern_lit *items;
  size_t n;
};

enum intel_pattern_step_kind {
  INTEL_PATTERN_STEP_KEY,   /* .name or .'quoted name' (and the first property) */
  INTEL_PATTERN_STEP_INDEX, /* [n] (may be negative: always out of range) */
  INTEL_PATTERN_STEP_ANY,   /* [*] */
};

struct intel_pattern_step {
  enum intel_pattern_step_kind kind;
  const char *key; /* KEY: NUL-terminated */
  size_t key_len;
  int64_t index;   /* INDEX */
};

/* An object path "type:first.step[0]...". steps[0] is always a KEY (the first property). */
struct intel_pattern_path {
  const char *type;
  struct intel_pattern_step *steps;
  size_t n;
};

enum intel_pattern_op {
  INTEL_PATTERN_EQ,
  INTEL_PATTERN_NEQ,
  INTEL_PATTERN_LT,
  INTEL_PATTERN_LE,
  INTEL_PATTERN_GT,
  INTEL_PATTERN_GE,
  INTEL_PATTERN_IN,
  INTEL_PATTERN_LIKE,
  INTEL_PATTERN_MATCHES,
  INTEL_PATTERN_ISSUBSET,
  INTEL_PATTERN_ISSUPERSET,
  INTEL_PATTERN_EXISTS,
};

enum intel_pattern_cmp_kind { INTEL_PATTERN_CMP_AND, INTEL_PATTERN_CMP_OR, INTEL_PATTERN_CMP_TEST };

struct intel_pattern_regex;

/* A comparison expression: AND/OR of two sub-expressions, or one test "path [NOT] op literal". */
struct intel_pattern_cmp {
  enum intel_pattern_cmp_kind kind;
  struct intel_pattern_cmp *left, *right; /* AND, OR */
  struct intel_pattern_path path;         /* TEST */
  enum intel_pattern_op op;
  bool negated;                           /* NOT before the operator */
  struct intel_pattern_lit lit;           /* not used by EXISTS */
  size_t pos;                             /* byte offset in the text */
  const struct intel_pattern_regex *re;   /* LIKE/MATCHES once prepared */
};

enum intel_pattern_qual_kind {
  INTEL_PATTERN_WITHIN,    /* within_seconds (> 0), within_text as written */
  INTEL_PATTERN_REPEATS,   /* repeats (> 0) */
  INTEL_PATTERN_STARTSTOP, /* start, stop: STIX timestamps */
};

struct intel_pattern_qual {
  enum intel_pattern_qual_kind kind;
  double within_seconds;
  const char *within_text;
  int64_t repeats;
  const char *start, *stop;
  size_t pos;
};

enum intel_pattern_obs_kind {
  INTEL_PATTERN_OBS_LEAF,       /* [ comparison expression ] */
  INTEL_PATTERN_OBS_AND,
  INTEL_PATTERN_OBS_OR,
  INTEL_PATTERN_OBS_FOLLOWEDBY,
  INTEL_PATTERN_OBS_GROUP,      /* ( inner ) kept only when both inner and outer carry qualifiers */
};

/* An observation expression with the qualifiers that apply to it, in order. */
struct intel_pattern_obs {
  enum intel_pattern_obs_kind kind;
  struct intel_pattern_obs *left, *right; /* AND, OR, FOLLOWEDBY */
  struct intel_pattern_obs *inner;        /* GROUP */
  struct intel_pattern_cmp *cmp;          /* LEAF */
  struct intel_pattern_qual *quals;
  size_t n_quals;
  size_t pos;
};

struct intel_pattern {
  struct fs_arena arena;
  struct intel_pattern_obs *root;
  size_t n_nodes;
  struct intel_pattern_regex *regexes; /* compiled by intel_pattern_prepare */
};

/* Parses len bytes of pattern text into p (not allocated by us; any previous content is not
 * freed). Checks the grammar (STIX 2.1's, or with lim->stix20 its 2.0 leniencies too) and the
 * spec's rules on literals (timestamps, base64, hex, hash lengths for file hashes) and
 * qualifiers (positive values, one qualifier of each type per observation expression). On error p is left empty and err says what was expected and where:
 * err->where is "byte N". Returns FS_OK, FS_ERR_PARSE, FS_ERR_TOO_LARGE or FS_ERR_NOMEM. */
int intel_pattern_parse(struct intel_pattern *p, const char *text, size_t len,
                        const struct intel_pattern_limits *lim, struct fs_err *err);
/* Frees the AST and any compiled regular expressions; p is then empty. Safe on an empty p. */
void intel_pattern_release(struct intel_pattern *p);

/* Checks what the STIX validator adds for indicator patterns: each object type is a valid STIX
 * type name and each first property a valid property name. FS_OK or FS_ERR_INVALID ("byte N"). */
int intel_pattern_check_names(const struct intel_pattern *p, struct fs_err *err);

/* Appends the canonical text of p: single spaces, upper-case keywords, minimal parentheses,
 * quoted path steps only where needed, comments dropped. Parsing the output gives the same AST. */
int intel_pattern_print(const struct intel_pattern *p, struct fs_buf *out);

/* ---- Simple indicators ---- */

enum intel_observable {
  INTEL_OBS_IPV4,   /* ipv4-addr:value (value may be a CIDR block: prefix < 32) */
  INTEL_OBS_IPV6,   /* ipv6-addr:value (prefix < 128 for a block) */
  INTEL_OBS_DOMAIN, /* domain-name:value, lower-cased */
  INTEL_OBS_URL,    /* url:value */
  INTEL_OBS_EMAIL,  /* email-addr:value, email-message:from_ref.value / sender_ref.value */
  INTEL_OBS_MD5,    /* file:hashes.MD5 (lower-cased hex) */
  INTEL_OBS_SHA1,
  INTEL_OBS_SHA256,
  INTEL_OBS_SHA512,
  INTEL_OBS_OTHER,  /* any other "<type>:value" string, or a string property of another object
                     * type (mutex:name, file:name, windows-registry-key:key...; sco_type says
                     * which) */
};

struct intel_pattern_indicator {
  enum intel_observable kind;
  const char *sco_type; /* the object type of the path */
  const char *value;    /* NUL-terminated, in the pattern's arena */
  size_t len;
  int prefix;           /* IPV4/IPV6: CIDR prefix length (32/128 for one address); else -1 */
};

struct intel_pattern_simple {
  bool compound; /* true: not a list of simple indicators; evaluate the AST instead */
  struct intel_pattern_indicator *items; /* in the pattern's arena */
  size_t n;
};

/* Extracts simple indicators: '=' and IN (not negated) comparisons on the paths above, joined by
 * OR (inside one observation or between observations), no qualifiers. Anything else (AND,
 * FOLLOWEDBY, qualifiers, other operators or paths) sets compound. Items are allocated in p's
 * arena (at most max_items; more makes the pattern compound). FS_OK or FS_ERR_NOMEM. */
int intel_pattern_extract(struct intel_pattern *p, size_t max_items,
                          struct intel_pattern_simple *out, struct fs_err *err);

/* ---- Evaluation of one observation against an event ---- */

enum intel_pattern_value_kind {
  INTEL_PATTERN_VAL_STRING, /* s/len: UTF-8 text (timestamps are strings too) */
  INTEL_PATTERN_VAL_INT,
  INTEL_PATTERN_VAL_FLOAT,
  INTEL_PATTERN_VAL_BOOL,
  INTEL_PATTERN_VAL_BINARY, /* s/len: raw bytes (properties ending in _bin or _hex) */
};

struct intel_pattern_value {
  enum intel_pattern_value_kind kind;
  const char *s;
  size_t len;
  int64_t i;
  double f;
  bool b;
};

/* Gives the index-th value at path in the event (0, 1, ... for list steps [*]); returns false when
 * there is no such value. A path that does not exist gives no value: its comparisons are false. */
typedef bool (*intel_pattern_lookup_fn)(void *ctx, const struct intel_pattern_path *path,
                                        size_t index, struct intel_pattern_value *out);

/* Compiles the LIKE and MATCHES expressions of p (PCRE2, DOTALL; UTF except on binary paths).
 * Call once after parsing, before evaluating. FS_ERR_INVALID names a bad regular expression. */
int intel_pattern_prepare(struct intel_pattern *p, struct fs_err *err);

/* Per-thread evaluation state (PCRE2 match data); nothing is allocated per evaluation. */
struct intel_pattern_scratch {
  void *match_data; /* pcre2_match_data */
  void *match_ctx;  /* pcre2_match_context with backtracking limits */
};
int intel_pattern_scratch_init(struct intel_pattern_scratch *s);
void intel_pattern_scratch_release(struct intel_pattern_scratch *s);

/* Evaluates the comparison expression of a single-observation pattern (one [ ... ] without
 * qualifiers) against one event whose fields lookup gives. *match tells the result.
 * FS_ERR_UNSUPPORTED for patterns with observation operators or qualifiers. The pattern must
 * have been prepared when it uses LIKE or MATCHES. Values are compared as the spec says: strings
 * by code point, numbers numerically (an int literal equals a float value only when exact),
 * timestamps with full precision, binary as bytes; incompatible types are false except for !=. */
int intel_pattern_eval(const struct intel_pattern *p, intel_pattern_lookup_fn lookup, void *ctx,
                       struct intel_pattern_scratch *scratch, bool *match, struct fs_err *err);

#endif
