/* Intelligence from many sources: the registry of sources (a partner TAXII 2.1 collection, a MISP
 * feed, a CSV file or plain list with a column mapping, or the members' submissions), each with
 * its reliability (Admiralty A-F), default TLP, schedule and health; running a source (fetch,
 * canonicalise, check the warninglists, merge into one indicator per observable with the sources
 * that reported it, store); the scores (reliability, independent sources, sightings, decay with
 * age) below which an indicator is withheld; and the warninglists kept by the hub.
 *
 * Tables (module intel): intel_feed, intel_feed_run, intel_feed_event, intel_provenance,
 * intel_score, intel_warninglist; intel_object.withheld. Every change is audited; who may do
 * what is auth/policy.c's (POLICY_FEED_*, POLICY_WARNINGLIST_*). docs/intel.md for users,
 * docs/internals/intel.md for how. */
#ifndef FS_INTEL_FEED_H
#define FS_INTEL_FEED_H

#include "core/buf.h"
#include "intel/canon.h"
#include "intel/intel.h"
#include "intel/warninglist.h"

/* ---- sources ----------------------------------------------------------------------------------
 */

enum intel_feed_kind {
  INTEL_FEED_TAXII,       /* a TAXII 2.1 collection of another hub or partner */
  INTEL_FEED_MISP,        /* a MISP feed: manifest.json and event files, folder or URL */
  INTEL_FEED_CSV,         /* a CSV file or plain list (file or URL) with a column mapping */
  INTEL_FEED_SUBMISSIONS, /* what members submit to a collection of the hub */
};
/* "taxii", "misp", "csv", "submissions"; -1 when s is none. */
const char *intel_feed_kind_name(enum intel_feed_kind k);
int intel_feed_kind_parse(const char *s);

#define INTEL_FEED_NAME_MAX 64
#define INTEL_FEED_URL_MAX 1024

struct intel_feed {
  char id[37];
  char name[INTEL_FEED_NAME_MAX];
  enum intel_feed_kind kind;
  char url[INTEL_FEED_URL_MAX];     /* TAXII API root; MISP feed folder or URL; CSV file or URL */
  char remote_collection[128];      /* TAXII: the collection there (id or alias) */
  char collection[INTEL_ALIAS_MAX]; /* the collection of the hub it stores into (submissions:
                                       the one it follows) */
  char reliability;                 /* 'A' (completely reliable) .. 'F' (cannot be judged) */
  enum tlp_level default_tlp;       /* for what comes without a marking */
  int64_t every_s;                  /* schedule: seconds between runs; 0: only when asked */
  char mapping[256];                /* CSV: the column mapping (csvmap.h) */
  char secret_file[INTEL_FEED_URL_MAX]; /* TAXII: a file holding the API token; "" for none */
  bool enabled;
  int64_t created_at;
  char position[64]; /* where the next run starts (TAXII: date added; submissions:
                        the store's seq) */
  /* health */
  int64_t next_run, last_run, last_ok; /* ms; 0 for never */
  char last_error[384];
  int64_t runs, objects; /* runs so far, indicators stored or confirmed so far */
};

struct intel_feed_input {
  const char *name; /* [a-z0-9][a-z0-9._-]{1,63} */
  enum intel_feed_kind kind;
  const char *url;               /* required except for submissions */
  const char *remote_collection; /* required for TAXII */
  const char *collection;        /* default: "sector" ("submissions" for submissions) */
  char reliability;              /* 'A'..'F', default 'C' */
  enum tlp_level default_tlp;    /* TLP_NONE: AMBER */
  int64_t every_s;               /* 0: manual; else at least 60 */
  const char *mapping;           /* CSV: required */
  const char *secret_file;
};

/* Registers a source (POLICY_FEED_MANAGE), checking what can be checked without fetching: the
 * name is free, the collection exists and the hub may write to it (follow it for submissions),
 * the URL's scheme (http, https, file path), the CSV mapping. Audited ("intel.feed.add"). */
int intel_feed_add(struct store_conn *c, const struct actor *who, const struct intel_feed_input *in,
                   char id_out[37], struct fs_err *err);
/* Finds a source by id or name (POLICY_FEED_READ; others get FS_ERR_NOT_FOUND... after the
 * policy's FS_ERR_FORBIDDEN, which tells nothing: sources are the hub's). */
int intel_feed_get(struct store_conn *c, const struct actor *who, const char *id_or_name,
                   struct intel_feed *out, struct fs_err *err);
/* Every source with its health, as JSON (caller owns). */
int intel_feed_list_json(struct store_conn *c, const struct actor *who, json_t **out,
                         struct fs_err *err);
/* One source as JSON: its settings and health (secret file named, never read). */
json_t *intel_feed_json(const struct intel_feed *f);
/* The last `limit` runs of a source, newest first, as JSON (caller owns). */
int intel_feed_runs_json(struct store_conn *c, const struct actor *who, const char *id_or_name,
                         size_t limit, json_t **out, struct fs_err *err);
/* Removes a source and its run history (POLICY_FEED_MANAGE). What it brought stays, and so does
 * its provenance (the indicators it reported still name it). Audited ("intel.feed.remove"). */
int intel_feed_remove(struct store_conn *c, const struct actor *who, const char *id_or_name,
                      struct fs_err *err);
/* Enables or disables scheduled runs of a source (POLICY_FEED_MANAGE), audited. */
int intel_feed_enable(struct store_conn *c, const struct actor *who, const char *id_or_name,
                      bool enabled, struct fs_err *err);

/* ---- scores -----------------------------------------------------------------------------------
 */

/* The decay of one family of kinds (intel_obs_family): MISP's polynomial model,
 * score = base * (1 - (t / lifetime)^(1 / speed)), t the time since the indicator was last
 * reported or sighted; 0 from the lifetime on. */
struct intel_decay {
  int64_t lifetime_ms;
  double speed; /* delta: above 1 the score falls fast at first, below 1 late */
};

enum intel_family {
  INTEL_FAMILY_IP,
  INTEL_FAMILY_DOMAIN,
  INTEL_FAMILY_URL,
  INTEL_FAMILY_HASH,
  INTEL_FAMILY_EMAIL,
  INTEL_FAMILY__COUNT
};

struct intel_score_settings {
  int threshold; /* 0..100: below it an indicator is withheld */
  struct intel_decay decay[INTEL_FAMILY__COUNT];
};

/* The defaults (threshold 20; lifetimes ip 30 days, domain 90, url 60, hash 365, email 180;
 * speed 1). */
void intel_score_defaults(struct intel_score_settings *s);
/* Reads one family's setting "LIFETIME_DAYS,SPEED" ("30,1", "365,0.5") into d; FS_ERR_INVALID
 * naming `where` otherwise. */
int intel_decay_parse(const char *text, const char *where, struct intel_decay *d,
                      struct fs_err *err);
/* The family of a kind. */
enum intel_family intel_obs_family_of(enum intel_obs t);

/* What a score is made of. */
struct intel_score_parts {
  int sources;        /* independent sources (distinct feeds) */
  int sightings;      /* hits the hub's members reported */
  double reliability; /* the sources' combined reliability, 0..1 */
  int64_t last_seen;  /* ms */
};
/* The base confidence (0..100) of sources with these reliabilities and the sightings: each source
 * and each sighting (counting up to ten, each worth a fifth) is an independent chance that the
 * indicator is right (1 - the product of the chances that each is wrong). Reliability by the
 * Admiralty grade: A 0.9, B 0.75, C 0.6, D 0.4, E 0.2, F (cannot be judged) 0.5. */
double intel_score_reliability(char grade);
int intel_score_base(const char *grades, size_t n, int sightings);
/* The score at `now` of an indicator with base confidence `base` last seen at last_seen. */
int intel_score_decayed(const struct intel_decay *d, int base, int64_t last_seen, int64_t now);

/* Recomputes every scored indicator's score at `now` (sightings read from the store) and withholds
 * those below the threshold or on a flagging warninglist, releasing the others. Changes are
 * audited ("intel.score") and make the monitoring engine and the TAXII page caches reload.
 * *changed (may be NULL) counts the indicators whose withheld state changed. POLICY_FEED_RUN. */
int intel_score_pass(struct store_conn *c, const struct actor *who,
                     const struct intel_score_settings *s, int64_t now, size_t *changed,
                     struct fs_err *err);
/* An indicator's analysis (score, its parts and reason, sources, first and last seen, the
 * warninglist it is on) as JSON for those who may see the indicator; *out NULL when it was never
 * scored (not from a source). */
int intel_indicator_analysis_json(struct store_conn *c, const struct actor *who, const char *id,
                                  json_t **out, struct fs_err *err);

/* ---- warninglists -----------------------------------------------------------------------------
 */

/* Reads a list in the MISP warninglist format (intel_warninglist_parse) and stores it, or replaces
 * the list of that name (POLICY_WARNINGLIST_MANAGE), keeping its action when it was there (else
 * `action`); the names of the built-in lists are taken. Audited ("intel.warninglist.import").
 * Lists apply to what sources bring from then on. out (may be NULL) gets the list's name, its
 * number of entries and how many of them cannot match (not values of the list's type). */
struct intel_wl_imported {
  char name[INTEL_WL_NAME_MAX + 1];
  size_t entries, skipped;
  enum intel_wl_action action;
};
int intel_warninglist_import(struct store_conn *c, const struct actor *who, const char *bytes,
                             size_t len, enum intel_wl_action action, struct intel_wl_imported *out,
                             struct fs_err *err);
/* Sets the action of a list, built-in ones included (POLICY_WARNINGLIST_MANAGE), audited.
 * FS_ERR_NOT_FOUND naming the list when there is none. Turning a list off releases, at the next
 * score pass, the indicators it flagged (unless their score keeps them withheld). */
int intel_warninglist_set_action(struct store_conn *c, const struct actor *who, const char *name,
                                 enum intel_wl_action action, struct fs_err *err);
/* Removes an imported list (built-in ones can only be turned off), audited; what it flagged is
 * released as when it is turned off. */
int intel_warninglist_remove(struct store_conn *c, const struct actor *who, const char *name,
                             struct fs_err *err);
/* The lists (built-in first) with their type, kinds, action and size, as JSON. */
int intel_warninglist_list_json(struct store_conn *c, const struct actor *who, json_t **out,
                                struct fs_err *err);
/* Compiles the lists in force (built-in and imported, without those turned off) into a set
 * (caller frees with intel_wl_set_free). */
int intel_warninglist_load(struct store_conn *c, struct intel_wl_set **out, struct fs_err *err);
/* Which list a value is on (intel_warninglist_check in the CLI): canonicalises it (kind NONE
 * detects it), then asks the lists in force. *hit->list NULL when none. */
int intel_warninglist_check(struct store_conn *c, const struct actor *who, const char *value,
                            enum intel_obs kind, char canon[INTEL_CANON_MAX + 1],
                            enum intel_obs *kind_out, char list[INTEL_WL_NAME_MAX + 1],
                            enum intel_wl_action *action, struct fs_err *err);

/* ---- running a source -------------------------------------------------------------------------
 */

/* What a run needs from outside the store. The TAXII client lives in taxii/, above this module:
 * hub/ wires `taxii_get` to it (hub_feed_env). */
struct intel_feed_env {
  const uint8_t *secret; /* the hub's secret (32 bytes): indicator ids are keyed */
  struct intel_score_settings score;
  size_t max_bytes;   /* the largest file or page a source may send */
  long timeout_s;     /* per request */
  size_t batch;       /* values merged a transaction (MISP, CSV: feeds.batch); 0: 250,000 */
  const char *cacert; /* CA bundle for https sources; NULL: the system's */
  /* One page of a TAXII collection: GET objects/ with added_after or next (either may be NULL);
   * the envelope into body, X-TAXII-Date-Added-Last into last_added ("" when absent). */
  int (*taxii_get)(void *ctx, const struct intel_feed *f, const char *added_after, const char *next,
                   size_t limit, struct fs_buf *body, char last_added[64], struct fs_err *err);
  void *taxii_ctx;
};

struct intel_feed_stats {
  size_t events;     /* MISP events or TAXII pages read */
  size_t read;       /* attributes, rows or objects read */
  size_t indicators; /* observables reported (after canonicalisation) */
  size_t created;    /* indicators new to the hub */
  size_t merged;     /* reported again, or by one more source */
  size_t flagged;    /* on a flagging warninglist: stored and withheld */
  size_t blocked;    /* on a blocking warninglist: refused */
  size_t invalid;    /* values that are not what their type says */
  size_t skipped;    /* not for detection: other types, to_ids false, deleted */
  size_t stored;     /* STIX objects stored (indicators, reports, groupings, partner objects) */
  size_t refused;    /* objects the store refused */
  char first_problem[300]; /* the first value refused or blocked, with where and why */
};

/* Runs one source now (POLICY_FEED_RUN) as `who`, at `now` (ms): fetches what is new since its
 * last run, stores it and records the run and the source's health (a failed run too: its error is
 * the source's last_error, and the store keeps what earlier batches of the run stored). The
 * indicators it touched are scored at `now`. */
int intel_feed_run(struct store_conn *c, const struct actor *who, const struct intel_feed_env *env,
                   const char *id_or_name, int64_t now, struct intel_feed_stats *st,
                   struct fs_err *err);
/* Runs every enabled scheduled source whose time has come; *ran (may be NULL) counts them. A
 * failing source does not stop the others (its failure is in its health). */
int intel_feed_run_due(struct store_conn *c, const struct actor *who,
                       const struct intel_feed_env *env, int64_t now, size_t *ran,
                       struct fs_err *err);

/* ---- serve's worker ---------------------------------------------------------------------------
 */

struct fs_clock;
struct fs_log;
struct intel_feed_worker;
/* Starts a thread that, every interval_s seconds, runs the sources that are due and the score
 * pass (as the hub's own actor, with the hub's clock). */
int intel_feed_worker_start(struct store *st, const struct fs_clock *clock, struct fs_log *log,
                            const struct intel_feed_env *env, const char *hub_org,
                            int64_t interval_s, struct intel_feed_worker **out, struct fs_err *err);
/* Stops it (waits for a run in progress). NULL is fine. */
void intel_feed_worker_stop(struct intel_feed_worker *w);

#endif
