/* Internal to soc/. */
#ifndef FS_SOC_INT_H
#define FS_SOC_INT_H

#include "core/rcu.h"
#include "detect/ioc.h"
#include "detect/sigma.h"
#include "detect/worker.h"
#include "soc/soc.h"

/* Organisations numbered for the index: number = position in ids + 1 (sorted by id). */
struct soc_orgs {
  size_t n;
  char (*ids)[37];
  uint32_t hub; /* the hub organisation's number */
};

void soc_orgs_release(struct soc_orgs *o);
int soc_orgs_load(struct store_conn *c, struct soc_orgs *o, struct fs_err *err);
uint32_t soc_orgs_number(const struct soc_orgs *o, const char *id); /* 0 when unknown */
const char *soc_orgs_id(const struct soc_orgs *o, uint32_t num);

/* What the engine publishes together: the index and the numbering it was built with. */
struct soc_sets {
  struct detect_ioc_index *ioc;
  struct soc_orgs orgs;
  int64_t last_seq;  /* the highest intel_object seq read */
  int64_t deletes;   /* intel's count of deletions when built */
  size_t indicators; /* objects with values (or anchors) in the index */
  size_t compound;   /* compound patterns and other pattern types not matched (skipped) */
  size_t skipped_red;
};
void soc_sets_free(void *sets);

/* Builds sets from the store: from scratch (prev NULL) or from prev plus what was added after
 * prev->last_seq (new versions replace the old entries of their object). */
int soc_sets_build(struct store_conn *c, const struct soc_sets *prev, struct soc_sets **out,
                   struct fs_err *err);
/* Intel's deletion counter and highest object seq (to know whether to rebuild). */
/* The number of organisations (what the index's numbering depends on besides intelligence). */
int soc_org_count(struct store_conn *c, int64_t *orgs, struct fs_err *err);
int soc_intel_position(struct store_conn *c, int64_t *last_seq, int64_t *deletes, int64_t *orgs,
                       struct fs_err *err);

struct soc_engine {
  struct soc_env env;  /* a copy of what soc_engine_start was given */
  struct fs_rcu sets;  /* struct soc_sets */
  struct fs_rcu sigma; /* struct detect_sigma_set (may hold NULL) */
  struct detect_sigma_corr *corr;
  void (*on_alert)(void *);
  void *on_alert_arg;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool stopping, running;
  bool subscribed; /* to the store's notices of changes (PostgreSQL) */
  bool noticed;    /* one came since the engine last looked */
  int64_t rebuilds, last_build_ms, last_build_us;
  char rules_dir[FS_CONFIG_PATH_MAX + 64];
  size_t rules_loaded, rules_failed;
  int64_t rules_gen; /* the rules' generation last loaded (soc_rules_reload) */
  /* the event sources: their generation as last applied, and who applies a change */
  pthread_mutex_t watch_lock;
  int64_t sources_gen;
  int (*on_sources)(void *arg, int64_t generation);
  void *on_sources_arg;
};

/* One alert as the engine found it, copied out of the event. */
struct soc_found {
  int kind;           /* enum detect_alert_kind */
  char ref[300];      /* indicator id or rule id */
  char ref_name[300]; /* indicator value or rule title */
  char severity[16];
  char field[128];
  char value[512];
  char dedup[80]; /* hex of the engine's dedup key */
  char tags[512]; /* Sigma: the rule's tags (ATT&CK techniques and tactics), comma-separated */
  int64_t event_ms;
  char *event; /* the record (truncated), malloc'd */
};

/* ---- the processing pool (pool.c) -------------------------------------------------------- */

/* A job run on a pool thread with that thread's worker. */
typedef void (*soc_pool_fn)(void *arg, struct soc_worker *w);
/* Called on a pool thread that has run jobs when none is waiting (to store pending alerts). */
typedef void (*soc_pool_idle_fn)(void *arg, struct soc_worker *w);

struct soc_pool;
/* Starts `threads` threads, each with its own worker of e. */
int soc_pool_start(struct soc_engine *e, size_t threads, soc_pool_idle_fn idle, void *idle_arg,
                   struct soc_pool **out, struct fs_err *err);
/* Runs what was queued, then stops the threads and frees their workers (after idle). No job may
 * be run once this is called. */
void soc_pool_stop(struct soc_pool *p);
/* Runs fn(arg, worker) on a pool thread, in turn with other callers, and returns when it is done:
 * the caller waits meanwhile (a connection is then not read: TCP slows its sender). */
void soc_pool_run(struct soc_pool *p, soc_pool_fn fn, void *arg);
void soc_pool_stats(struct soc_pool *p, size_t *threads, size_t *busy, size_t *queued);

/* Stores found alerts of one organisation in the caller's transaction: deduplicated per
 * (organisation, kind, reference, key values) within soc.dedup_window, with sightings for
 * indicator hits and sector alerts when enough organisations see the same. */
int soc_alerts_store(struct store_conn *c, struct soc_engine *e, const char *org_id,
                     const char *source, struct soc_found *found, size_t n, size_t *new_alerts,
                     struct fs_err *err);

/* The hub acting for the SOC (sightings, sector alerts, drafts): the local hub administrator. */
int soc_hub_actor(struct store_conn *c, struct soc_engine *e, struct actor *a, struct fs_err *err);
/* The hub as its analysts see intelligence (not as the local operator, who sees everything). */
int soc_hub_reader(struct store_conn *c, struct soc_engine *e, struct actor *a, struct fs_err *err);
/* The same, made from the hub actor `hub` (soc_hub_actor) without reading the store again. */
void soc_hub_reader_of(const struct actor *hub, struct actor *reader);
/* Whether `who` may see what an alert names: a rule always (the hub's rule set), an indicator
 * when the one policy lets `who` read it. An alert from an indicator the reader may not see
 * would tell them the indicator's value: such alerts are their organisation's alone. */
bool soc_sees_ref(struct store_conn *c, const struct actor *who, const char *kind, const char *ref);
/* Whether the reader is shown an alert of org (NULL: a sector alert): the policy decides
 * (policy_alert_visible), from whether the reader may see what the alert matched (an
 * intelligence read, asked only when the alert is not already the reader's own). */
bool soc_alert_shown(struct store_conn *c, const struct actor *who, const char *org,
                     const char *kind, const char *ref);

/* The columns of an alert that soc_alert_json reads, in order (its organisation's code comes from
 * auth's accessors, org_briefs_get). */
#define ALERT_COLUMNS                                                                              \
  "a.seq, a.id, a.org_id, a.kind, a.ref, a.ref_name, a.severity, a.field, a.value,"                \
  " a.event, a.source, a.event_at, a.first_at, a.last_at, a.count, a.sector_id, a.status,"         \
  " a.reviewed_by, a.reviewed_at, a.review_note, a.tags"
/* The JSON of an alert's row (ALERT_COLUMNS) of the organisation whose code is org_code; its
 * hub-wide sequence number only when with_seq (the local operator: docs/security.md, "Paging
 * cursors and ids"). */
json_t *soc_alert_json(struct store_stmt *s, const char *org_code, bool with_seq);

/* ---- sightings (sightings.c) ---- */

/* Hits of indicators refs[0..n) (repeats allowed) at organisation org_id, in the caller's
 * transaction: each sighting concerned (the organisation's, and the sector's) gets a new version
 * counting every hit so far, unless one was written within soc.sighting_interval; then it is
 * pending, written by a later batch or by soc_sightings_tick. The versions are written by hub
 * (soc_hub_actor) as reader (soc_hub_reader) may see the indicators, one ingest per collection. */
int soc_sightings_hits(struct store_conn *c, struct soc_engine *e, const struct actor *hub,
                       const struct actor *reader, const char *org_id, const char *const *refs,
                       size_t n, struct fs_err *err);
/* Writes the pending sightings whose interval has passed (at most 1000 a call), in its own
 * transaction; nothing is written, and no transaction taken, when none is due. */
int soc_sightings_tick(struct soc_engine *e, struct fs_err *err);
/* Once per store, at the engine's start: the sightings hubs wrote under ids anyone could compute
 * (UUIDv5 of indicator and organisation) take their keyed ids (intel_object_rename). */
int soc_sightings_upgrade(struct soc_engine *e, struct fs_err *err);

#endif
