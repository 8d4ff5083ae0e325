/* Incident response: cases reported by members (or opened as drafts from sector alerts), graded
 * by the level rules, timed by the legal clocks, staffed from the shared response teams (team.h),
 * worked (status, timeline, tasks, observables, evidence, closing report), and turned into
 * sanitized intelligence. Every read asks the one policy (auth/policy.h: incident visibility);
 * every change writes its audit record in the same transaction and takes an optional version
 * (a stale one is FS_ERR_CONFLICT). Functions that change state open their own write transaction
 * on c unless the caller has one open. Times are milliseconds UTC. */
#ifndef FS_INCIDENT_INCIDENT_H
#define FS_INCIDENT_INCIDENT_H

#include "auth/actor.h"
#include "auth/auth.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/tlp.h"
#include "incident/level.h"
#include "store/store.h"

#include <jansson.h>

extern const struct store_schema incident_schema;

/* A case's reference: "INC-<organisation code>-<year>-<nnnn>", numbered within its
 * organisation and year (older cases keep the sector-wide "INC-<year>-<nnnn>" they were given).
 * The sector-wide number (sector_ref) is shown to the hub and the supervisor only. */
#define INCIDENT_REF_MAX 64

#define INCIDENT_CATEGORY_MAP(X)                                                                   \
  X(DDOS, "ddos", "DDoS", "分散式阻斷服務攻擊")                                                    \
  X(RANSOMWARE, "ransomware", "Ransomware", "勒索軟體")                                            \
  X(INTRUSION, "intrusion", "Intrusion", "系統入侵")                                               \
  X(DATA_LEAK, "data_leak", "Data leak", "資料外洩")                                               \
  X(MALWARE, "malware", "Malware", "惡意程式")                                                     \
  X(PHISHING, "phishing", "Phishing and social engineering", "網路釣魚與社交工程")                 \
  X(FRAUD, "fraud", "Fraud and ATM/payment manipulation", "詐欺與ATM/支付系統操縱")                \
  X(SUPPLY_CHAIN, "supply_chain", "Supply chain", "供應鏈攻擊")                                    \
  X(OTHER, "other", "Other", "其他")

enum incident_category {
#define INCIDENT_X_ENUM(id, name, en, zh) INCIDENT_CAT_##id,
  INCIDENT_CATEGORY_MAP(INCIDENT_X_ENUM)
#undef INCIDENT_X_ENUM
      INCIDENT_CAT__COUNT
};
extern const char *const incident_category_names[]; /* NULL-terminated, enum order */
const char *incident_category_label(int category, bool zh);

/* The workflow, in order; a case moves forward only (draft -> reported -> ... -> closed). */
enum incident_status {
  INCIDENT_DRAFT,
  INCIDENT_REPORTED,
  INCIDENT_TRIAGED,
  INCIDENT_CONTAINED,
  INCIDENT_ERADICATED,
  INCIDENT_RECOVERED,
  INCIDENT_CLOSED,
  INCIDENT_MERGED, /* a duplicate folded into another case */
};
extern const char *const incident_status_names[];

/* Observables: STIX cyber-observable types the hub can turn into indicator patterns. */
extern const char *const incident_observable_types[];

/* The seven parts of the closing (investigation and improvement) report. */
extern const char *const incident_report_parts[]; /* times, scope, damage_control, ... */
#define INCIDENT_REPORT_PARTS 7

/* Hands a sanitized STIX 2.1 bundle to intelligence (hide_reporter: publish it anonymously).
 * The bundle is borrowed. Wired by the hub (hub_incident_publisher); NULL means the publication
 * is only kept in incident_publication. */
typedef int (*incident_publish_fn)(void *ctx, const char *incident_id, const json_t *bundle,
                                   bool hide_reporter, struct fs_err *err);

struct incident_policy_watch;

/* Settings and hooks every incident function may need: built once at start-up from the
 * configuration (incident_env_load) and passed in. */
struct incident_env {
  struct incident_policy policy;
  char policy_path[FS_CONFIG_PATH_MAX + 64];
  char evidence_dir[FS_CONFIG_PATH_MAX + 64];
  int64_t max_evidence_bytes;
  /* Notifications (notify.c). */
  char smtp_url[256];
  char smtp_from[256];
  char hub_email[256];
  char webhook_url[512];
  char webhook_secret[128];
  int64_t max_attempts;
  int64_t retry_base_s;
  int64_t worker_interval_ms;
  /* The hub's names, for e-mails and for created_by_ref of hidden reporters. */
  char hub_name[128];
  struct {
    incident_publish_fn fn;
    void *ctx;
  } publish;
  /* A running hub's policy (NULL otherwise): the worker takes the policy in force from it at
   * every pass. */
  struct incident_policy_watch *watch;
};

/* Fills env from the configuration (paths resolved against the data folder) and loads the clock
 * policy file; an invalid file fails with where "path:line" and what is wrong in msg, the one
 * message the CLI prints and serve refuses to start with. */
int incident_env_load(struct incident_env *env, const struct fs_config *cfg, struct fs_err *err);
/* The same without reading the policy file (env->policy holds the legal defaults). */
int incident_env_settings(struct incident_env *env, const struct fs_config *cfg,
                          struct fs_err *err);

/* The clock policy in force for a running hub. Opening reads the file (an invalid one fails as
 * incident_env_load does, so that serve refuses to start); then every _get compares the file's
 * size, time and inode with the last read and reads it again when it changed. An invalid edit is
 * logged once (error "incident.policy_invalid", where "path:line") and the last good policy stays
 * in force until the file is fixed; a removed file means the legal defaults. Thread-safe; log
 * must outlive the watch. */
int incident_policy_watch_open(const char *path, struct fs_log *log,
                               struct incident_policy_watch **out, struct fs_err *err);
void incident_policy_watch_get(struct incident_policy_watch *w, struct incident_policy *out);
void incident_policy_watch_close(struct incident_policy_watch *w); /* NULL is fine */

/* ---- inputs (pure parsers shared by the API and the CLI) --------------------------------- */

#define INCIDENT_MAX_INDICATORS 200
#define INCIDENT_MAX_SERVICES 20

struct incident_indicator {
  int type;          /* index into incident_observable_types */
  const char *value; /* canonical text (points into the JSON) */
  bool internal;     /* the reporter's own asset: never shared */
  const char *note;
};

/* What a report (create) or an update says. Strings point into the JSON. For an update, absent
 * fields stay as they are. */
struct incident_input {
  const char *org;         /* reporting organisation (id or code); default: the actor's */
  const char *title;       /* 1..200 */
  const char *description; /* 0..20000, multi-line */
  bool has_discovered;
  int64_t discovered_at;
  int category;     /* -1 absent */
  json_t *services; /* borrowed array of strings, NULL absent */
  bool has_impact;
  struct incident_impact impact;
  json_t *indicators_json; /* borrowed, NULL absent */
  struct incident_indicator indicators[INCIDENT_MAX_INDICATORS];
  size_t nindicators;
  enum tlp_level tlp; /* TLP_NONE absent (amber for a new case) */
  bool has_hide_reporter;
  bool hide_reporter;
  bool has_version;
  int64_t version;
};

void incident_input_init(struct incident_input *in);
/* Parses and validates a body of POST /incidents (create) or PATCH /incidents/{id} (update).
 * Unknown fields, unknown categories, bad indicators: FS_ERR_INVALID naming the field. Times are
 * checked against now elsewhere (incident_report). Pure. */
int incident_input_from_json(json_t *body, bool update, struct incident_input *out,
                             struct fs_err *err);
/* Checks one indicator value for its type ("$.indicators[3].value" in where when it fails). */
int incident_indicator_check(int type, const char *value, struct fs_err *err);
/* The STIX pattern of an indicator into out ("[ipv4-addr:value = '203.0.113.5']"). */
int incident_indicator_pattern(int type, const char *value, char *out, size_t n);

/* ---- cases ---------------------------------------------------------------------------------- */

/* Reports an incident: checks the policy and times (discovery not in the future), proposes the
 * level, starts the clocks, stores the indicators as observables, notifies the hub; id into
 * id_out (37 bytes). */
int incident_report(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                    const struct incident_input *in, char id_out[37], struct fs_err *err);
/* Opens a draft from a sector alert's summary JSON ({"alert_id", "org", "title", "category",
 * "summary", "first_seen", "indicators": [{"type","value"}]}); hub roles only. The reporting
 * organisation confirms it by moving it to "reported". */
int incident_open_draft(struct store_conn *c, const struct actor *who,
                        const struct incident_env *env, json_t *alert, char id_out[37],
                        struct fs_err *err);
/* Changes title, description, category, services, impact (re-proposing the level), TLP. */
int incident_update(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                    const char *id, const struct incident_input *in, struct fs_err *err);
/* The hub confirms or changes the level; a change from the proposal needs a reason. */
int incident_set_level(struct store_conn *c, const struct actor *who,
                       const struct incident_env *env, const char *id, int level,
                       const char *reason, bool has_version, int64_t version, struct fs_err *err);
/* Moves the case forward in the workflow; `at` (0: now) is when it happened, not before the
 * discovery nor in the future. Closing needs a complete closing report. */
int incident_set_status(struct store_conn *c, const struct actor *who,
                        const struct incident_env *env, const char *id, int status, int64_t at,
                        const char *note, bool has_version, int64_t version, struct fs_err *err);
/* Folds the duplicate `dup_id` into `id`: its observables and timeline move, it becomes merged. */
int incident_merge(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                   const char *id, const char *dup_id, struct fs_err *err);
/* One case as the actor may see it, with its clocks, assignments and counts (caller owns).
 * FS_ERR_NOT_FOUND when it does not exist or may not be seen. */
int incident_get_json(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                      const char *id, json_t **out, struct fs_err *err);

struct incident_filter {
  const char *org; /* id or code */
  const char *status;
  const char *category;
  int level;    /* 0: any */
  bool overdue; /* only cases with an overdue clock */
};
/* Cases the actor may see, newest first, one page. */
int incident_list_json(struct store_conn *c, const struct actor *who,
                       const struct incident_env *env, const struct incident_filter *f,
                       const struct auth_page *page, json_t **out, struct fs_err *err);

/* Resolves an id or reference ("INC-bank-a-2026-0001"; the sector number "INC-2026-0042" too for
 * those who may see it) and checks that the actor may see it (else
 * FS_ERR_NOT_FOUND); id into id_out, the reporting organisation into org_out (both 37 bytes,
 * org_out may be NULL). Internal to incident/ and its tests. */
int incident_visible(struct store_conn *c, const struct actor *who, const char *id_or_ref,
                     char id_out[37], char org_out[37], struct fs_err *err);

/* ---- case work (work.c) ------------------------------------------------------------------- */

/* Adds a timeline entry (kind "note" for people; the hub records its own events). */
int incident_note_add(struct store_conn *c, const struct actor *who, const char *id,
                      const char *text, int64_t at, struct fs_err *err);
int incident_timeline_json(struct store_conn *c, const struct actor *who, const char *id,
                           json_t **out, struct fs_err *err);
/* Tasks: {"title", "owner", "due_at"}; PATCH {"status": open|done|cancelled, "owner", "due_at",
 * "version"}. */
int incident_task_add(struct store_conn *c, const struct actor *who, const char *id, json_t *body,
                      char task_id[37], struct fs_err *err);
int incident_task_update(struct store_conn *c, const struct actor *who, const char *id,
                         const char *task_id, json_t *body, struct fs_err *err);
int incident_tasks_json(struct store_conn *c, const struct actor *who, const char *id, json_t **out,
                        struct fs_err *err);
/* Observables: {"indicators": [...]} as in the report. */
int incident_observables_add(struct store_conn *c, const struct actor *who, const char *id,
                             json_t *body, struct fs_err *err);
int incident_observables_json(struct store_conn *c, const struct actor *who, const char *id,
                              json_t **out, struct fs_err *err);
/* The closing report: {"parts": {"times": "...", ...}, "version"}; parts may come in several
 * saves; it is complete when all seven are non-empty. */
int incident_closing_report_save(struct store_conn *c, const struct actor *who,
                                 const struct incident_env *env, const char *id, json_t *body,
                                 struct fs_err *err);
int incident_closing_report_json(struct store_conn *c, const struct actor *who, const char *id,
                                 json_t **out, struct fs_err *err);

/* Internal: appends a timeline event inside the caller's transaction: text as a person wrote it
 * (a title, a note), or the hub's own words in English and text_zh in zh-TW (text_zh NULL for a
 * person's words). */
int incident_event_add(struct store_conn *c, const struct actor *who, const char *incident_id,
                       const char *kind, int64_t at, const char *text, const char *text_zh,
                       json_t *data, struct fs_err *err);
/* Internal: incident_event_add of the hub's own words, formatted from fmt in English and through
 * the message catalogue in zh-TW (fs_msg_vformat). */
int incident_event_addf(struct store_conn *c, const struct actor *who, const char *incident_id,
                        const char *kind, int64_t at, struct fs_err *err, const char *fmt, ...)
    FS_PRINTF(7, 8);
/* Internal: stores indicators as observables (duplicates ignored) in the caller's transaction. */
int incident_observables_store(struct store_conn *c, const struct actor *who,
                               const char *incident_id, const struct incident_indicator *ind,
                               size_t n, struct fs_err *err);

/* ---- evidence (evidence.c) ---------------------------------------------------------------- */

/* Stores a file (at most env->max_evidence_bytes; FS_ERR_TOO_LARGE otherwise, nothing written)
 * under the evidence folder by its SHA-256, and records name, media type, size and digest. */
int incident_evidence_add(struct store_conn *c, const struct actor *who,
                          const struct incident_env *env, const char *id, const char *name,
                          const char *media_type, const void *data, size_t len,
                          char evidence_id[37], struct fs_err *err);
int incident_evidence_json(struct store_conn *c, const struct actor *who, const char *id,
                           json_t **out, struct fs_err *err);
/* Reads one evidence file into out (capped at max_evidence_bytes) after checking its digest;
 * *name and *media_type (caller frees) describe it. */
int incident_evidence_read(struct store_conn *c, const struct actor *who,
                           const struct incident_env *env, const char *id, const char *evidence_id,
                           struct fs_buf *out, char **name, char **media_type, struct fs_err *err);

/* ---- sharing (publish.c) ------------------------------------------------------------------ */

/* Builds the sanitized STIX 2.1 bundle of the case's shareable observables ({"tlp",
 * "hide_reporter", "observables": [ids] (default all not internal)}), keeps it in
 * incident_publication and hands it to env->publish; *out describes the publication. */
int incident_publish(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                     const char *id, json_t *body, json_t **out, struct fs_err *err);
int incident_publications_json(struct store_conn *c, const struct actor *who, const char *id,
                               json_t **out, struct fs_err *err);

/* ---- statistics (stats.c) ----------------------------------------------------------------- */

/* Incidents by category, level, industry and month (Asia/Taipei), times to report, contain and
 * recover, and the share of clocks met per organisation; from..to (0: open) on discovery time.
 * Members see their own organisation's; the hub and the supervisor see all. */
int incident_stats_json(struct store_conn *c, const struct actor *who,
                        const struct incident_env *env, int64_t from, int64_t to, json_t **out,
                        struct fs_err *err);

/* ---- facts for supervision (facts.c) ------------------------------------------------------ */

/* What an organisation's incidents of a period say, as the clocks stood at `at`. */
struct incident_org_facts {
  int total;            /* cases discovered in the period (drafts included, merged not) */
  int major;            /* of level 3 or 4 */
  int major_on_time;    /* major ones reported within the report clock */
  int major_late;       /* reported after it */
  int major_unreported; /* never reported by the organisation (a draft the hub opened) */
  int recovery_met, recovery_missed; /* recovery clock met, or late or overdue */
  int clocks_decided, clocks_met;    /* every clock that is met, late or overdue */
  json_t *records; /* [{id, ref, level, report, recovery, discovered_at}] (caller owns) */
};
/* The facts of org_id's incidents discovered in [from, at], with every event after `at` treated
 * as not yet happened, so that a past date gives what was known then. No policy check: the
 * caller (supervision/) checks who may see the result. */
int incident_org_facts(struct store_conn *c, const struct incident_env *env, const char *org_id,
                       int64_t from, int64_t at, struct incident_org_facts *out,
                       struct fs_err *err);

/* ---- clocks at work (escalate.c) ---------------------------------------------------------- */

/* Finds every clock that has gone overdue and has not been escalated yet, and escalates it: a
 * timeline event, an audit record and notifications to the member's CISO contact and to the
 * hub, all in one transaction per case. *count tells how many clocks were escalated. */
int incident_escalate_overdue(struct store_conn *c, const struct actor *who,
                              const struct incident_env *env, int *count, struct fs_err *err);

#endif
