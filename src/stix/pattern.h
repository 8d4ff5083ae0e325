/* STIX 2.1 patterning (spec section 9; grammar STIXPattern.g4 of STIX 2.1): a hand-written parser
 * from text to an AST, a printer back to canonical text, the extraction of simple indicators for
 * the detection engine, and the evaluation of one observation against an event's fields.
 *
 * Ownership: a parsed pattern owns its AST in an arena inside struct stix_pattern (caller
 * allocated); every pointer in the AST lives until stix_pattern_release. Parsing is pure and
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
struct stix_pattern_limits {
  size_t max_len;   /* bytes of text (default 64 KiB) */
  size_t max_depth; /* nesting of parentheses/brackets (default 64) */
  size_t max_nodes; /* AST nodes: comparisons, observations, literals (default 10,000) */
  bool stix20;      /* the pattern is of STIX 2.0 content (an object without spec_version): also
                     * accept what 2.0 wrote and the 2.1 grammar refuses, plain-quoted START/STOP
                     * timestamps and line breaks inside b'...'. Default: the 2.1 grammar only. */
};

enum stix_pattern_lit_kind {
  STIX_PATTERN_LIT_STRING,    /* s/len: the unescaped text (UTF-8) */
  STIX_PATTERN_LIT_INT,       /* i */
  STIX_PATTERN_LIT_FLOAT,     /* f, and s/len: the digits as written (without '+') */
  STIX_PATTERN_LIT_BOOL,      /* b */
  STIX_PATTERN_LIT_TIMESTAMP, /* s/len: the STIX timestamp text */
  STIX_PATTERN_LIT_BINARY,    /* s/len: decoded bytes; text/text_len: the base64 as written */
  STIX_PATTERN_LIT_HEX,       /* s/len: decoded bytes; text/text_len: lower-case hex digits */
  STIX_PATTERN_LIT_SET,       /* items/n: a set for IN */
};

struct stix_pattern_lit {
  enum stix_pattern_lit_kind kind;
  const char *s; /* NUL-terminated as well */
  size_t len;
  const char *text;
  size_t text_len;
  int64_t i;
  double f;
  bool b;
  struct stix_pattern_lit *items;
  size_t n;
};

enum stix_pattern_step_kind {
  STIX_PATTERN_STEP_KEY,   /* .name or .'quoted name' (and the first property) */
  STIX_PATTERN_STEP_INDEX, /* [n] (may be negative: always out of range) */
  STIX_PATTERN_STEP_ANY,   /* [*] */
};

struct stix_pattern_step {
  enum stix_pattern_step_kind kind;
  const char *key; /* KEY: NUL-terminated */
  size_t key_len;
  int64_t index; /* INDEX */
};

/* An object path "type:first.step[0]...". steps[0] is always a KEY (the first property). */
struct stix_pattern_path {
  const char *type;
  struct stix_pattern_step *steps;
  size_t n;
};

enum stix_pattern_op {
  STIX_PATTERN_EQ,
  STIX_PATTERN_NEQ,
  STIX_PATTERN_LT,
  STIX_PATTERN_LE,
  STIX_PATTERN_GT,
  STIX_PATTERN_GE,
  STIX_PATTERN_IN,
  STIX_PATTERN_LIKE,
  STIX_PATTERN_MATCHES,
  STIX_PATTERN_ISSUBSET,
  STIX_PATTERN_ISSUPERSET,
  STIX_PATTERN_EXISTS,
};

enum stix_pattern_cmp_kind { STIX_PATTERN_CMP_AND, STIX_PATTERN_CMP_OR, STIX_PATTERN_CMP_TEST };

struct stix_pattern_regex;

/* A comparison expression: AND/OR of two sub-expressions, or one test "path [NOT] op literal". */
struct stix_pattern_cmp {
  enum stix_pattern_cmp_kind kind;
  struct stix_pattern_cmp *left, *right; /* AND, OR */
  struct stix_pattern_path path;         /* TEST */
  enum stix_pattern_op op;
  bool negated;                        /* NOT before the operator */
  struct stix_pattern_lit lit;         /* not used by EXISTS */
  size_t pos;                          /* byte offset in the text */
  const struct stix_pattern_regex *re; /* LIKE/MATCHES once prepared */
};

enum stix_pattern_qual_kind {
  STIX_PATTERN_WITHIN,    /* within_seconds (> 0), within_text as written */
  STIX_PATTERN_REPEATS,   /* repeats (> 0) */
  STIX_PATTERN_STARTSTOP, /* start, stop: STIX timestamps */
};

struct stix_pattern_qual {
  enum stix_pattern_qual_kind kind;
  double within_seconds;
  const char *within_text;
  int64_t repeats;
  const char *start, *stop;
  size_t pos;
};

enum stix_pattern_obs_kind {
  STIX_PATTERN_OBS_LEAF, /* [ comparison expression ] */
  STIX_PATTERN_OBS_AND,
  STIX_PATTERN_OBS_OR,
  STIX_PATTERN_OBS_FOLLOWEDBY,
  STIX_PATTERN_OBS_GROUP, /* ( inner ) kept only when both inner and outer carry qualifiers */
};

/* An observation expression with the qualifiers that apply to it, in order. */
struct stix_pattern_obs {
  enum stix_pattern_obs_kind kind;
  struct stix_pattern_obs *left, *right; /* AND, OR, FOLLOWEDBY */
  struct stix_pattern_obs *inner;        /* GROUP */
  struct stix_pattern_cmp *cmp;          /* LEAF */
  struct stix_pattern_qual *quals;
  size_t n_quals;
  size_t pos;
};

struct stix_pattern {
  struct fs_arena arena;
  struct stix_pattern_obs *root;
  size_t n_nodes;
  struct stix_pattern_regex *regexes; /* compiled by stix_pattern_prepare */
};

/* Parses len bytes of pattern text into p (not allocated by us; any previous content is not
 * freed). Checks the grammar (STIX 2.1's, or with lim->stix20 its 2.0 leniencies too) and the
 * spec's rules on literals (timestamps, base64, hex, hash lengths for file hashes) and
 * qualifiers (positive values, one qualifier of each type per observation expression). On error p
 * is left empty and err says what was expected and where: err->where is "byte N". Returns FS_OK,
 * FS_ERR_PARSE, FS_ERR_TOO_LARGE or FS_ERR_NOMEM. */
int stix_pattern_parse(struct stix_pattern *p, const char *text, size_t len,
                       const struct stix_pattern_limits *lim, struct fs_err *err);
/* Frees the AST and any compiled regular expressions; p is then empty. Safe on an empty p. */
void stix_pattern_release(struct stix_pattern *p);

/* Checks what the STIX validator adds for indicator patterns: each object type is a valid STIX
 * type name and each first property a valid property name. FS_OK or FS_ERR_INVALID ("byte N"). */
int stix_pattern_check_names(const struct stix_pattern *p, struct fs_err *err);

/* Appends the canonical text of p: single spaces, upper-case keywords, minimal parentheses,
 * quoted path steps only where needed, comments dropped. Parsing the output gives the same AST. */
int stix_pattern_print(const struct stix_pattern *p, struct fs_buf *out);

/* ---- Simple indicators ---- */

enum stix_observable {
  STIX_OBS_IPV4,   /* ipv4-addr:value (value may be a CIDR block: prefix < 32) */
  STIX_OBS_IPV6,   /* ipv6-addr:value (prefix < 128 for a block) */
  STIX_OBS_DOMAIN, /* domain-name:value, lower-cased */
  STIX_OBS_URL,    /* url:value */
  STIX_OBS_EMAIL,  /* email-addr:value, email-message:from_ref.value / sender_ref.value */
  STIX_OBS_MD5,    /* file:hashes.MD5 (lower-cased hex) */
  STIX_OBS_SHA1,
  STIX_OBS_SHA256,
  STIX_OBS_SHA512,
  STIX_OBS_OTHER, /* any other "<type>:value" string, or a string property of another object
                   * type (mutex:name, file:name, windows-registry-key:key...; sco_type says
                   * which) */
};

/* The observable of a file hash named as STIX's hashing-algorithm-ov names it ("MD5", "SHA-1",
 * "sha256", "SHA-512": any case, '-' optional): STIX_OBS_MD5 ... STIX_OBS_SHA512, or -1 for any
 * other name. */
int stix_pattern_hash_kind(const char *name);

struct stix_pattern_indicator {
  enum stix_observable kind;
  const char *sco_type; /* the object type of the path */
  const char *value;    /* NUL-terminated, in the pattern's arena */
  size_t len;
  int prefix; /* IPV4/IPV6: CIDR prefix length (32/128 for one address); else -1 */
};

struct stix_pattern_simple {
  bool compound; /* true: not a list of simple indicators; evaluate the AST instead */
  struct stix_pattern_indicator *items; /* in the pattern's arena */
  size_t n;
};

/* Extracts simple indicators: '=' and IN (not negated) comparisons on the paths above, joined by
 * OR (inside one observation or between observations), no qualifiers. Anything else (AND,
 * FOLLOWEDBY, qualifiers, other operators or paths) sets compound. Items are allocated in p's
 * arena (at most max_items; more makes the pattern compound). FS_OK or FS_ERR_NOMEM. */
int stix_pattern_extract(struct stix_pattern *p, size_t max_items, struct stix_pattern_simple *out,
                         struct fs_err *err);

/* ---- Evaluation of one observation against an event ---- */

enum stix_pattern_value_kind {
  STIX_PATTERN_VAL_STRING, /* s/len: UTF-8 text (timestamps are strings too) */
  STIX_PATTERN_VAL_INT,
  STIX_PATTERN_VAL_FLOAT,
  STIX_PATTERN_VAL_BOOL,
  STIX_PATTERN_VAL_BINARY, /* s/len: raw bytes (properties ending in _bin or _hex) */
};

struct stix_pattern_value {
  enum stix_pattern_value_kind kind;
  const char *s;
  size_t len;
  int64_t i;
  double f;
  bool b;
};

/* Gives the index-th value at path in the event (0, 1, ... for list steps [*]); returns false when
 * there is no such value. A path that does not exist gives no value: its comparisons are false. */
typedef bool (*stix_pattern_lookup_fn)(void *ctx, const struct stix_pattern_path *path,
                                       size_t index, struct stix_pattern_value *out);

/* Compiles the LIKE and MATCHES expressions of p (PCRE2, DOTALL; UTF except on binary paths).
 * Call once after parsing, before evaluating. FS_ERR_INVALID names a bad regular expression. */
int stix_pattern_prepare(struct stix_pattern *p, struct fs_err *err);

/* Per-thread evaluation state (PCRE2 match data); nothing is allocated per evaluation. */
struct stix_pattern_scratch {
  void *match_data; /* pcre2_match_data */
  void *match_ctx;  /* pcre2_match_context with backtracking limits */
};
int stix_pattern_scratch_init(struct stix_pattern_scratch *s);
void stix_pattern_scratch_release(struct stix_pattern_scratch *s);

/* Evaluates the comparison expression of a single-observation pattern (one [ ... ] without
 * qualifiers) against one event whose fields lookup gives. *match tells the result.
 * FS_ERR_UNSUPPORTED for patterns with observation operators or qualifiers. The pattern must
 * have been prepared when it uses LIKE or MATCHES. Values are compared as the spec says: strings
 * by code point, numbers numerically (an int literal equals a float value only when exact),
 * timestamps with full precision, binary as bytes; incompatible types are false except for !=. */
int stix_pattern_eval(const struct stix_pattern *p, stix_pattern_lookup_fn lookup, void *ctx,
                      struct stix_pattern_scratch *scratch, bool *match, struct fs_err *err);

#endif
