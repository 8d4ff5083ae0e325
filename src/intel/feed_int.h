/* Internal to the sources, scores and warninglists (feed_*.c, score.c, wl_store.c). */
#ifndef FS_INTEL_FEED_INT_H
#define FS_INTEL_FEED_INT_H

#include "intel/feed.h"
#include "intel/store_int.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/time.h"

/* ---- feed_store.c ---- */

/* A source by id or name, asking no policy. */
int intel_feed_load(struct store_conn *c, const char *id_or_name, struct intel_feed *out,
                    struct fs_err *err);
/* Records a run (its statistics and error) and the source's health; in the caller's transaction. */
int intel_feed_record_run(struct store_conn *c, const struct intel_feed *f, int64_t started,
                          int64_t finished, int run_rc, const struct fs_err *run_err,
                          const struct intel_feed_stats *st, struct fs_err *err);

/* ---- feed_fetch.c ---- */

/* Reads `name` (NULL: the location itself) at a source's location into out (reset first; its cap
 * is the limit): a path or file:// URL from disk, an http(s) URL with libcurl. */
int intel_feed_fetch(const struct intel_feed_env *env, const char *location, const char *name,
                     struct fs_buf *out, struct fs_err *err);

/* ---- score.c ---- */

struct intel_score_state {
  int sources, sightings, base, score;
  int64_t last_seen;
  char warninglist[INTEL_WL_NAME_MAX + 1]; /* the flagging list it is on, "" for none */
  bool withheld;
  char reason[320], reason_zh[480]; /* why it is withheld, "" when it is not */
};

const char *intel_family_name(enum intel_family f);
/* The score at `now` of st's base and last_seen, whether it is withheld, and why. */
void intel_score_judge(const struct intel_score_settings *s, enum intel_obs kind,
                       struct intel_score_state *st, int64_t now);
/* Sets the withheld flag of every stored version of the object id (intel_object, and the
 * exports' simple indicators in intel_ioc, which copy it). */
int intel_withheld_set(struct store_conn *c, const char *id, bool withheld, struct fs_err *err);
/* After withheld flags of stored objects changed: the monitoring engine rebuilds its index and
 * the TAXII page caches drop their pages. */
int intel_withheld_moved(struct store_conn *c, struct fs_err *err);
/* The Admiralty grades of an indicator's sources into out (n bytes, NUL-terminated); their
 * count, or -1 on a storage error (in err). */
int intel_provenance_grades(struct store_conn *c, const char *id, char *out, size_t n,
                            struct fs_err *err);

/* ---- feed_merge.c: one indicator per observable ---- */

#define FEED_ID_MAX 48 /* "indicator--" + UUID + NUL */

struct feed_merger;

/* The merger's state, shared by feed_merge.c (which collects a batch) and feed_flush.c (which
 * writes it). One value of the batch: */
struct feed_item {
  char id[FEED_ID_MAX];
  const char *value, *detail; /* in the merger's arena */
  const char *list;           /* the flagging warninglist, or NULL */
  int64_t first_seen, last_seen;
  /* filled when the batch is written */
  int64_t created, modified, old_first, old_last;
  int64_t reports;
  int64_t judged_last_seen;
  size_t body_off, body_len; /* its new version's text in the merger's bodies */
  enum intel_obs kind;
  enum tlp_level level;
  /* the judgement: intel_score_state's inputs and verdict (its reasons are made again where they
   * are written, item_state: an item stays small, so that a batch may be large) */
  int sources, sightings, base, score;
  bool exists, has_prov, refused, old_withheld, withheld;
  /* (fields widest first: 184 bytes, not 200 with the padding between mixed ones) */
};

struct event_done {
  char uuid[37];
  int64_t timestamp;
};

struct feed_merger {
  struct store_conn *c;
  const struct actor *who;
  const struct intel_feed *f;
  const struct intel_feed_env *env;
  const struct intel_wl_set *wl;
  int64_t now;
  struct intel_feed_stats *st;
  struct intel_collection col;
  char hub_identity[STIX_ID_MAX];
  struct fs_arena arena;      /* the batch's values and what is kept until its rows are written */
  struct fs_arena part_arena; /* a part's version strings, dropped after the part */
  struct feed_item *items;
  size_t n, cap;
  struct feed_item **sorted; /* the batch's items in id order, when it is written */
  uint32_t *slots;           /* open addressing on the ids: index + 1, 0 for empty */
  size_t n_slots;
  size_t batch;           /* values a transaction */
  uint8_t id_key[32];     /* id_key of the hub's secret */
  struct fs_buf bodies;   /* the batch's new indicator versions, one after the other */
  struct fs_buf envelope; /* the other objects as an envelope, while the batch is written */
  struct fs_buf objects;  /* other objects: ",{...},{...}" */
  size_t n_objects;
  size_t *object_ends; /* where each object ends in objects */
  size_t cap_objects;
  struct event_done *events;
  size_t n_events, cap_events;
};

/* The item of id in the batch, or NULL. */
struct feed_item *feed_merger_item(struct feed_merger *m, const char *id);
/* Notes the run's first problem (later ones are counted, not kept). */
void feed_note(struct intel_feed_stats *st, const char *where, const char *msg);

/* Starts merging what source f reports into its collection, as `who` at `now`; the lists `wl`
 * (may be NULL) are checked for every value. */
int feed_merger_new(struct store_conn *c, const struct actor *who, const struct intel_feed *f,
                    const struct intel_feed_env *env, const struct intel_wl_set *wl, int64_t now,
                    struct intel_feed_stats *st, struct feed_merger **out, struct fs_err *err);
void feed_merger_free(struct feed_merger *m);

/* What became of one reported value. */
enum feed_verdict {
  FEED_KEPT,    /* stored (or merged): id_out is its indicator */
  FEED_FLAGGED, /* stored and withheld: on a flagging warninglist */
  FEED_BLOCKED, /* refused: on a blocking warninglist (counted, first one in first_problem) */
};

/* One canonical value reported by the source at level `level` (TLP_NONE: the source's
 * default), seen from first_seen to last_seen (ms; 0: the run's time), with a description
 * (may be NULL). Waits in the batch; written by feed_merger_flush (called here when the batch
 * is full). `where` and where_n name the value for messages ("line" 12: "line 12"), made only
 * when one is written. */
int feed_merger_add(struct feed_merger *m, enum intel_obs kind, const char *value,
                    enum tlp_level level, int64_t first_seen, int64_t last_seen, const char *detail,
                    const char *where, size_t where_n, char id_out[FEED_ID_MAX],
                    enum feed_verdict *verdict, struct fs_err *err);
/* A STIX object to store with the batch (a report or grouping of the indicators added), as JSON
 * text (copied). */
int feed_merger_add_object(struct feed_merger *m, const char *json, size_t len, struct fs_err *err);
/* A MISP event read: its timestamp is recorded with the batch, so that the next run skips it
 * unless it changes. */
int feed_merger_event_done(struct feed_merger *m, const char *uuid, int64_t timestamp,
                           struct fs_err *err);
/* The stored timestamp of a source's event (0 when unknown). */
int feed_event_timestamp(struct store_conn *c, const char *feed, const char *uuid, int64_t *ts,
                         struct fs_err *err);
/* Writes the batch: indicators (new ones, and new versions of those one more source reports),
 * objects, provenance, scores and withheld flags, and the events done, in one transaction. */
int feed_merger_flush(struct feed_merger *m, struct fs_err *err);

/* The hub's keyed id of the indicator of a canonical value at a level in a collection: nobody
 * without the hub's secret can tell from an id which value it stands for. */
void feed_indicator_id(const uint8_t secret[32], const char *collection, enum tlp_level level,
                       enum intel_obs kind, const char *value, char out[FEED_ID_MAX]);

/* Records, for an indicator stored by someone else (a partner's over TAXII, a member's
 * submission), that source f reported its observable: provenance, score, and the withheld flag
 * (on a warninglist: `list`, may be NULL). In the caller's transaction. */
int feed_follow_indicator(struct store_conn *c, const struct intel_feed *f,
                          const struct intel_feed_env *env, const char *id, enum intel_obs kind,
                          const char *value, int64_t seen, const char *list, int64_t now,
                          bool *withheld_changed, struct fs_err *err);

#endif
