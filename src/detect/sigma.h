/* Sigma rules: loading (YAML, several documents a file), compiling all rules together (one
 * Hyperscan database per field over every rule that names it, an exact-value hash in front, PCRE2
 * for what Hyperscan cannot take), and matching events with logsource routing and per-source
 * field mapping. Correlation rules (event_count, value_count, value_sum, value_avg, temporal,
 * temporal_ordered) keep state in a separate, thread-safe object.
 *
 * Lifecycle: a loader collects rules and reports each one it cannot take; compiling gives an
 * immutable set that any number of threads share (swap it with core/rcu.h). Each thread keeps a
 * `struct detect_sigma_thread` of scratch space; matching allocates nothing per event. */
#ifndef FS_DETECT_SIGMA_H
#define FS_DETECT_SIGMA_H

#include "core/base.h"
#include "core/err.h"
#include "detect/event.h"

struct detect_sigma_loader;
struct detect_sigma_set;
struct detect_sigma_thread;
struct detect_sigma_corr;

/* A rule that could not be loaded or compiled: file, line, the rule's id (when known), why (in
 * English, and in zh-TW through the message catalogue: its English when it has no translation). */
struct detect_sigma_problem {
  const char *file;
  unsigned line;
  const char *rule_id; /* may be NULL */
  const char *title;   /* may be NULL */
  const char *reason;
  const char *reason_zh;
};
typedef void (*detect_sigma_problem_fn)(void *arg, const struct detect_sigma_problem *p);

struct detect_sigma_loader *detect_sigma_loader_new(void);
void detect_sigma_loader_free(struct detect_sigma_loader *l);
/* Values for %name% placeholders (the `expand` modifier); without one, a rule using a
 * placeholder is reported and left out. The strings are copied. */
int detect_sigma_loader_placeholder(struct detect_sigma_loader *l, const char *name,
                                    const char *const *values, size_t n);
/* The same from n texts "NAME=V1,V2,..." (command-line options). FS_ERR_INVALID naming the
 * malformed one. */
int detect_sigma_loader_placeholder_texts(struct detect_sigma_loader *l,
                                          const char *const *assignments, size_t n,
                                          struct fs_err *err);
/* Adds the rules of YAML text (`name` is used in problems). Each rule that cannot be taken is
 * reported through fn and skipped; the return is FS_OK unless out of memory or the text is not
 * YAML at all (then FS_ERR_PARSE naming the line). *added counts rules taken. */
int detect_sigma_loader_add_text(struct detect_sigma_loader *l, const char *text, size_t len,
                                 const char *name, detect_sigma_problem_fn fn, void *arg,
                                 size_t *added, struct fs_err *err);
/* Adds a .yml/.yaml file, or every such file under a folder (recursively, in name order). A file
 * that is not YAML is reported through fn too. */
int detect_sigma_loader_add_path(struct detect_sigma_loader *l, const char *path,
                                 detect_sigma_problem_fn fn, void *arg, size_t *added,
                                 struct fs_err *err);
/* Compiles every rule taken into a set; rules whose values no engine can compile are reported and
 * dropped. The loader is freed either way. NULL with err set on failure. */
struct detect_sigma_set *detect_sigma_compile(struct detect_sigma_loader *l,
                                              detect_sigma_problem_fn fn, void *arg,
                                              struct fs_err *err);
void detect_sigma_set_free(struct detect_sigma_set *s);
void detect_sigma_set_free_cb(void *s);

struct detect_sigma_stats {
  size_t rules;        /* detection rules */
  size_t correlations; /* correlation rules */
  size_t fields;       /* distinct fields with compiled matchers */
  size_t matchers;     /* values (after modifiers) */
  size_t hs_patterns, exact_values, pcre_confirmed, pcre_only;
  size_t always_rules;   /* rules evaluated on every event of their logsource */
  size_t regex_deferred; /* regexes run by PCRE2 only when their rule is a candidate (it has
                          * other values to wait for), not by Hyperscan on every value */
};
void detect_sigma_set_stats(const struct detect_sigma_set *s, struct detect_sigma_stats *out);

/* ---- matching ----------------------------------------------------------------------------- */

/* What a rule is, for alerts. Strings live as long as the set. */
struct detect_sigma_rule_info {
  const char *id, *title, *level, *status, *file;
  unsigned line;
  bool correlation;
};
void detect_sigma_rule_info(const struct detect_sigma_set *s, uint32_t rule,
                            struct detect_sigma_rule_info *out);

struct detect_sigma_hit {
  uint32_t rule;
  const char *fields[8]; /* the event's fields that the true selections tested (names in the
                          * rule's spelling), for the alert */
  int32_t field_ids[8];  /* the same as the event's fields carry them in map_id */
  size_t nfields;
};
typedef int (*detect_sigma_hit_fn)(void *arg, const struct detect_sigma_hit *hit);

/* Per-thread scratch for one set. NULL when out of memory. */
struct detect_sigma_thread *detect_sigma_thread_new(void);
void detect_sigma_thread_free(struct detect_sigma_thread *t);

/* Matches a parsed event against every rule whose logsource fits it; calls fn for each rule that
 * matches (detection rules only: feed the hits to detect_sigma_corr_feed for correlations).
 * Maps the event's fields to the rules' names first (ev->fields[i].map_id is overwritten).
 * Returns the callback's non-zero value, FS_ERR_NOMEM when the thread's scratch cannot grow to a
 * new set, or FS_OK. Allocates only when t last saw another set. */
int detect_sigma_match(const struct detect_sigma_set *s, struct detect_sigma_thread *t,
                       struct detect_event *ev, detect_sigma_hit_fn fn, void *arg);

/* True when a detection rule is only a building block of correlations (`generate: false`): its
 * own matches are not alerts. */
bool detect_sigma_rule_silent(const struct detect_sigma_set *s, uint32_t rule);

/* ---- correlation -------------------------------------------------------------------------- */

/* Correlation state: thread-safe (sharded locks), bounded (max_groups groups, oldest evicted). */
struct detect_sigma_corr *detect_sigma_corr_new(size_t max_groups);
void detect_sigma_corr_free(struct detect_sigma_corr *c);

struct detect_sigma_corr_hit {
  uint32_t rule;     /* the correlation rule */
  const char *group; /* "field=value, ..." of the group-by fields */
  double value;      /* the count, sum, average, or number of rules seen */
  int64_t first_ms, last_ms;
};
typedef int (*detect_sigma_corr_fn)(void *arg, const struct detect_sigma_corr_hit *hit);

/* Feeds one detection-rule hit on an event (at time at_ms; `org` keeps organisations apart).
 * Calls fn for every correlation that becomes true; its state for that group then starts over. */
int detect_sigma_corr_feed(struct detect_sigma_corr *c, const struct detect_sigma_set *s,
                           uint32_t rule, const struct detect_event *ev, uint32_t org,
                           int64_t at_ms, detect_sigma_corr_fn fn, void *arg);

#endif
