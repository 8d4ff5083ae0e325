/* The pure rules of incident response: the level (1-4) proposed from what was hit, how badly and
 * whether it came back within its maximum tolerable downtime (a table of rules, each with its
 * reason in English and zh-TW), and the legal clocks (a policy of durations per level, shortened
 * per industry, read from an INI file with file:line errors). No I/O here except
 * incident_policy_load, which reads the file and hands the bytes to the pure parser. */
#ifndef FS_INCIDENT_LEVEL_H
#define FS_INCIDENT_LEVEL_H

#include "core/base.h"
#include "core/err.h"

/* ---- levels ------------------------------------------------------------------------------- */

/* What was hit. Systems are non_core, core or core_ci; information may also be sensitive (general
 * official secrets or sensitive information) or a state secret. */
enum incident_class {
  INCIDENT_CLASS_NON_CORE,
  INCIDENT_CLASS_CORE,         /* core business, not critical infrastructure (CI) */
  INCIDENT_CLASS_CORE_CI,      /* core business of critical infrastructure */
  INCIDENT_CLASS_SENSITIVE,    /* general official secrets or sensitive information */
  INCIDENT_CLASS_STATE_SECRET, /* state secrets */
  INCIDENT_CLASS__COUNT
};
extern const char *const incident_class_names[]; /* NULL-terminated, enum order */

enum incident_severity { INCIDENT_SEV_NONE, INCIDENT_SEV_MINOR, INCIDENT_SEV_SERIOUS };
extern const char *const incident_severity_names[]; /* "none", "minor", "serious" */

enum incident_availability {
  INCIDENT_AVAIL_NONE,        /* no outage */
  INCIDENT_AVAIL_WITHIN_MTPD, /* disrupted, restored within its maximum tolerable downtime */
  INCIDENT_AVAIL_BEYOND_MTPD, /* disrupted, not restored within it */
};
extern const char *const incident_availability_names[]; /* "none", "within_mtpd", "beyond_mtpd" */

/* The answers the level is proposed from. */
struct incident_impact {
  int system_class;    /* enum incident_class (non_core, core or core_ci) */
  int data_class;      /* enum incident_class of the information; -1: same as system_class */
  int confidentiality; /* enum incident_severity: leak */
  int integrity;       /* enum incident_severity: tampering */
  int availability;    /* enum incident_availability */
};

/* One rule of the table: an impact of `kind` on one of `classes` at one of `grades` gives
 * `level`. */
enum incident_rule_kind {
  INCIDENT_RULE_DATA = 1,   /* leak or tampering (the worse of confidentiality and integrity) */
  INCIDENT_RULE_LEAK = 2,   /* leak only (confidentiality) */
  INCIDENT_RULE_SYSTEM = 3, /* availability of the system */
  INCIDENT_RULE_NONE = 4,   /* nothing above: the lowest level */
};

struct incident_level_rule {
  const char *id; /* "3.d" */
  int level;
  enum incident_rule_kind kind;
  unsigned classes; /* bit (1 << enum incident_class) */
  unsigned grades;  /* bit (1 << severity) for DATA/LEAK, (1 << availability) for SYSTEM */
  const char *en;   /* "core system not restored within MTPD" */
  const char *zh;
};

#define INCIDENT_MAX_MATCHED 16
struct incident_level_proposal {
  int level;                              /* 1..4 */
  const struct incident_level_rule *rule; /* the first rule that gives the level */
  const struct incident_level_rule *matched[INCIDENT_MAX_MATCHED]; /* every rule that matched */
  size_t nmatched;
};

/* The rule table, in order of level. */
size_t incident_level_rules(const struct incident_level_rule **out);
/* Checks the answers (classes and grades in range, a system class that is a system).
 * FS_ERR_INVALID naming the field ("$.impact.system_class"). Pure. */
int incident_impact_check(const struct incident_impact *in, struct fs_err *err);
/* Proposes the level: the highest level of every matching rule. in must pass the check. */
void incident_level_propose(const struct incident_impact *in, struct incident_level_proposal *out);
/* "Level 3: core system not restored within MTPD (rule 3.d)" or its zh-TW wording into out. */
void incident_level_reason(const struct incident_level_proposal *p, bool zh, char *out, size_t n);

/* ---- clocks ------------------------------------------------------------------------------- */

enum incident_clock_kind {
  INCIDENT_CLOCK_REPORT,        /* awareness -> report to the hub */
  INCIDENT_CLOCK_REVIEW,        /* report -> level reviewed (confirmed) */
  INCIDENT_CLOCK_RECOVERY,      /* awareness -> damage controlled or recovered */
  INCIDENT_CLOCK_INVESTIGATION, /* recovery -> investigation and improvement report */
  INCIDENT_CLOCK__COUNT
};
extern const char
    *const incident_clock_names[]; /* "report", "review", "recovery", "investigation" */

/* Durations in seconds. review and recovery are per level (index level - 1). */
struct incident_clock_set {
  int64_t report_s;
  int64_t review_s[4];
  int64_t recovery_s[4];
  int64_t investigation_s;
};

#define INCIDENT_POLICY_MAX_INDUSTRIES 16
struct incident_policy {
  struct incident_clock_set def;
  /* Per industry (names as in org_industry_names): the default with the industry's shortenings. */
  struct {
    char industry[32];
    struct incident_clock_set clocks;
  } industries[INCIDENT_POLICY_MAX_INDUSTRIES];
  size_t nindustries;
};

/* The built-in defaults of the reference: report 1 h; review 8 h (L1-2), 2 h (L3-4); recovery
 * 72 h (L1-2), 36 h (L3-4); investigation 30 days after recovery. */
void incident_policy_defaults(struct incident_policy *p);
/* Parses the policy file's text (len bytes, `name` for error locations). Sections: [clocks] and
 * [industry.NAME]; keys report, review_l1..review_l4, recovery_l1..recovery_l4, investigation;
 * values "90s", "30m", "36h", "30d". An industry may only shorten a clock. Errors name
 * "name:line". `industries` (NULL-terminated) lists the industry names allowed. Pure. */
int incident_policy_parse(const char *text, size_t len, const char *name,
                          const char *const *industries, struct incident_policy *out,
                          struct fs_err *err);
/* Reads and parses the file at path; a missing file gives the defaults. */
int incident_policy_load(const char *path, const char *const *industries,
                         struct incident_policy *out, struct fs_err *err);
/* The clocks for an industry (the defaults when it has no section). */
const struct incident_clock_set *incident_policy_clocks(const struct incident_policy *p,
                                                        const char *industry);

/* What the clocks run from: recorded event times (ms UTC, 0 when not yet happened). */
struct incident_times {
  int64_t aware;            /* discovered: the member became aware */
  int64_t reported;         /* reported to the hub (0 for a draft) */
  int64_t level_reviewed;   /* the hub confirmed or changed the level */
  int64_t contained;        /* damage controlled */
  int64_t recovered;        /* recovered */
  int64_t report_submitted; /* closing report complete */
  int level;                /* current level 1..4 */
};

enum incident_clock_state {
  INCIDENT_CLOCK_PENDING, /* not started (its starting event has not happened) */
  INCIDENT_CLOCK_RUNNING, /* started, not met, time left */
  INCIDENT_CLOCK_OVERDUE, /* started, not met, past due */
  INCIDENT_CLOCK_MET,     /* met in time */
  INCIDENT_CLOCK_LATE,    /* met after the due time */
};
extern const char *const incident_clock_state_names[];

struct incident_clock {
  enum incident_clock_kind kind;
  enum incident_clock_state state;
  int64_t started; /* ms, 0 when pending */
  int64_t due;     /* started + duration; 0 when pending */
  int64_t met;     /* ms of the event that met it, 0 when not met */
  int64_t left_ms; /* due - now (negative: overdue) while running or overdue */
};

/* Computes the four clocks at `now` from the recorded times. Pure. */
void incident_clocks_compute(const struct incident_clock_set *cs, const struct incident_times *t,
                             int64_t now, struct incident_clock out[INCIDENT_CLOCK__COUNT]);

/* Parses a duration "90s", "30m", "36h", "30d" into seconds (1 s .. 366 d). Pure. */
int incident_duration_parse(const char *s, size_t len, int64_t *secs);
/* Formats seconds as "1h", "36h", "30d", "90m" (the largest exact unit) into out (24 bytes). */
void incident_duration_format(int64_t secs, char out[24]);

#endif
