/* The sector's security monitoring (SOC) service: members' events are matched against the
 * indicators each member may see and against Sigma rules; alerts are deduplicated, stored,
 * streamed and sent to webhooks; indicator hits become STIX sightings; and the same threat at
 * several members becomes a sector alert (and a draft incident).
 *
 * An ordinary domain module: what it uses of the hub comes in struct soc_env, and what it does
 * to other modules (draft incidents, webhooks) goes through its hooks, wired by hub/.
 *
 * The engine (soc_engine) keeps the live indicator index and rule set, rebuilt from the
 * intelligence store by its own thread when intelligence changes (within about half a second);
 * readers never wait. Workers (one per thread) process records for an organisation. */
#ifndef FS_SOC_SOC_H
#define FS_SOC_SOC_H

#include "auth/actor.h"
#include "auth/auth.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/time.h"
#include "detect/event.h"
#include "store/store.h"

#include <jansson.h>

extern const struct store_schema soc_schema;

struct soc_engine;
struct soc_worker;

/* What soc asks of the modules beside it: the side effects of a sector alert and of an alert on
 * other modules' data, wired at the top (hub/: hub_soc_env), as incident's publish hook is. Each
 * runs in the caller's write transaction on c, as `hub` (the hub acting for the SOC). A NULL
 * function does nothing (no drafts, no webhooks). */
struct soc_hooks {
  /* Opens the hub's draft case for a new sector alert; summary (borrowed) has alert_id, org (the
   * hub's code), title, category, summary and first_seen. Its id into incident_out. */
  int (*open_draft)(void *ctx, struct store_conn *c, const struct actor *hub, json_t *summary,
                    char incident_out[37], struct fs_err *err);
  /* The sector alert of case `incident` now counts more organisations: unless the case is closed
   * or merged, it takes new_title when its title is still old_title (an analyst's own title
   * stays), and `note` on its timeline. */
  int (*follow_draft)(void *ctx, struct store_conn *c, const struct actor *hub,
                      const char *incident, const char *old_title, const char *new_title,
                      const char *note, struct fs_err *err);
  /* Queues a signed JSON post of body to url (event names it) for delivery and retries. */
  int (*queue_webhook)(void *ctx, struct store_conn *c, const char *url, const char *event,
                       const char *body, int64_t now_ms, struct fs_err *err);
  void *ctx;
};

#define SOC_SECRET_BYTES 32

/* What the SOC uses of the hub, given at start (as incident_worker_start takes its environment).
 * The engine copies it; what it points to must outlive the engine and its listeners. */
struct soc_env {
  struct store *store;
  const struct fs_config *cfg; /* [soc], and http.tls_cert/tls_key for syslog over TLS */
  const struct fs_clock *clock;
  struct fs_log *log;
  const uint8_t *secret; /* the hub's secret (SOC_SECRET_BYTES): the sightings' id key
                            derives from it */
  struct soc_hooks hooks;
};

/* Starts the engine: loads the organisations, builds the index from the store and the Sigma
 * rules of soc.rules_dir, and starts the thread that keeps them current. on_alert (may be NULL)
 * is called after alerts are stored (to wake event streams). */
int soc_engine_start(const struct soc_env *env, void (*on_alert)(void *), void *on_alert_arg,
                     struct soc_engine **out, struct fs_err *err);
void soc_engine_stop(struct soc_engine *e);
/* The engine's state for /api/v1/soc/status (caller owns). */
json_t *soc_engine_status(struct soc_engine *e);
/* Rebuilds now (tests and `finshield soc reload`). */
int soc_engine_reload(struct soc_engine *e, struct fs_err *err);
/* Has fn(arg, generation) called on the engine's thread when the event sources change (added,
 * removed, by this process or another: the engine polls their generation with the intelligence,
 * every 300 ms). fn returns FS_OK once it has applied the change; otherwise it is called again
 * at the next poll. Returns the generation applied so far (the watcher starts from it). fn NULL
 * stops the calls; returns once a call in progress has ended. */
int64_t soc_engine_watch_sources(struct soc_engine *e, int (*fn)(void *arg, int64_t generation),
                                 void *arg);

struct soc_batch {
  size_t records, parsed, parse_errors, alerts, new_alerts, bytes;
};

/* A worker for one thread (it registers as a reader of the engine's sets). */
struct soc_worker *soc_worker_new(struct soc_engine *e);
void soc_worker_free(struct soc_worker *w);
/* Processes records (one per line) sent by org_id through
 * `source` ("http", "syslog-tcp:10.1.2.3", ...): matches and stores alerts, all in one
 * transaction per call. */
int soc_worker_process(struct soc_worker *w, const char *org_id, const char *source,
                       enum detect_format fmt, const char *data, size_t len, struct soc_batch *st,
                       struct fs_err *err);
/* Processes single records as they come (syslog): the same, but stores alerts in batches of up
 * to `flush_every` records or when soc_worker_flush is called. */
int soc_worker_record(struct soc_worker *w, const char *org_id, const char *source,
                      enum detect_format fmt, const char *rec, size_t len, struct soc_batch *st,
                      struct fs_err *err);
/* Stores the alerts gathered so far in one transaction. When storing fails (the database busy
 * or full) they stay pending for the next call: nothing found is lost while the worker lives. */
int soc_worker_flush(struct soc_worker *w, struct fs_err *err);

/* ---- syslog listeners (listen.c) ------------------------------------------------------- */

struct soc_listeners;
/* Starts the listeners configured in [soc] of the engine's environment (syslog over TCP, TLS and
 * UDP); none when none is configured. Events are attributed to the organisation of their source
 * address (or, over TLS, of their client certificate); events from unknown senders are counted
 * and dropped. */
int soc_listeners_start(struct soc_engine *e, struct soc_listeners **out, struct fs_err *err);
void soc_listeners_stop(struct soc_listeners *l);
/* Counters for /metrics: received, unknown sender, UDP drops reported by the kernel, ... */
json_t *soc_listeners_status(struct soc_listeners *l);

/* ---- alerts ------------------------------------------------------------------------------- */

/* What a list of alerts asks for (review.c). Every field but limit may be left zero / NULL. */
struct soc_alert_filter {
  bool newest_first;  /* descending sequence numbers instead of ascending */
  int64_t after;      /* the position to go on from (a `next`, unsealed), 0: from the start */
  int64_t limit;      /* 1..1000 */
  const char *kind;   /* "ioc", "sigma", "correlation" */
  const char *org;    /* id or code (the hub's roles; others only their own) */
  const char *ref;    /* the indicator's or rule's id */
  const char *value;  /* the matched value, exactly */
  const char *source; /* where the event came from ("syslog:ADDR", "http:ADDR", ...), exactly */
  const char *status; /* review status: "new", "acknowledged", "false_positive" */
  int64_t since_ms, until_ms; /* last seen within [since, until) */
};
extern const char *const soc_alert_status_names[]; /* "new", "acknowledged", "false_positive" */
/* Called for each alert of a page with its JSON (borrowed) and its position. Non-zero stops. */
typedef int (*soc_alert_fn)(void *ctx, json_t *item, int64_t pos);
/* The alerts the actor may see that match f, after position f->after in f's order (oldest or
 * newest first), at most f->limit: its organisation's; every organisation's for the hub's roles,
 * but those from indicators the reader may not see. *next is the position to go on from, or 0
 * when no alert the reader sees follows; it may be an alert the reader does not see, so it is
 * handed out sealed (http_cursor_seal, bound to the list with every filter and the order), never
 * as a number. At most 20 x limit + 2000 rows are read: past that, a page is short (or empty) and
 * *next says where to go on. Items carry `seq` for the local operator only (docs/security.md,
 * "Paging cursors and ids"). *read_to (may be NULL) gets the last row read, for a reader of the
 * hub's own that keeps its place (the event stream), which is never handed out as it is. */
int soc_alerts_each(struct store_conn *c, const struct actor *who, const struct soc_alert_filter *f,
                    soc_alert_fn fn, void *ctx, int64_t *next, int64_t *read_to,
                    struct fs_err *err);
/* soc_alerts_each into {"items": [...]}. */
int soc_alerts_json(struct store_conn *c, const struct actor *who, const struct soc_alert_filter *f,
                    json_t **out, int64_t *next, struct fs_err *err);
/* The latest alert sequence number (a new stream starts there). */
int soc_alerts_head(struct store_conn *c, int64_t *seq, struct fs_err *err);
/* Calls fn for every Sigma alert (kind sigma or correlation) with tags that the actor may see
 * (as soc_alerts_json decides) first seen in [from_ms, to_ms) (0: open), oldest first: its id,
 * organisation, rule id and title, tags (comma-separated), count and first time. A non-zero
 * return of fn stops and is returned. */
typedef int (*soc_alert_tags_fn)(void *ctx, const char *id, const char *org_id, const char *rule,
                                 const char *rule_title, const char *tags, int64_t count,
                                 int64_t first_at);
int soc_alert_tags_each(struct store_conn *c, const struct actor *who, int64_t from_ms,
                        int64_t to_ms, soc_alert_tags_fn fn, void *ctx, struct fs_err *err);
/* Whether the actor may see alert id (FS_ERR_NOT_FOUND otherwise, as if it did not exist). */
int soc_alert_visible(struct store_conn *c, const struct actor *who, const char *id,
                      struct fs_err *err);
/* Counts of alerts the actor may see first seen in [from_ms, to_ms), by kind and reference:
 * [{kind, ref, ref_name, alerts, hits, organisations}], most alerts first, at most limit. */
int soc_alert_counts_json(struct store_conn *c, const struct actor *who, int64_t from_ms,
                          int64_t to_ms, int64_t limit, json_t **out, struct fs_err *err);
/* One alert by id, with its event and matched field; one the actor may not see is "no alert"
 * (FS_ERR_NOT_FOUND), exactly as one that does not exist. */
int soc_alert_get_json(struct store_conn *c, const struct actor *who, const char *id, json_t **out,
                       struct fs_err *err);
/* Reviews an alert: status (one of soc_alert_status_names) and an optional note (<= 1000
 * bytes), by the alert's organisation's members or the hub's analysts (POLICY_ALERT_REVIEW),
 * audited as alert.review. *out (may be NULL) is the alert after the change. */
int soc_alert_review(struct store_conn *c, const struct actor *who, const char *id,
                     const char *status, const char *note, json_t **out, struct fs_err *err);

/* Sector alerts (the hub's roles and the supervisor), newest first (by when each started), a
 * page at a time: {"items", "next"}; page->after is the "next" of the previous page
 * (FS_ERR_INVALID at "after" for anything else). Those from indicators the reader may not see
 * are read past, neither counted against the limit nor named by "next" (the last row shown,
 * given only when another the reader sees follows). */
int soc_sector_alerts_json(struct store_conn *c, const struct actor *who,
                           const struct auth_page *page, json_t **out, struct fs_err *err);

/* ---- sources ------------------------------------------------------------------------------ */

/* Which organisation sends from an address (syslog): the most specific registered range. */
int soc_source_org(struct store_conn *c, const char *addr, char org_out[37], struct fs_err *err);
/* Registers an address range (CIDR) or a TLS client certificate (SHA-256 of its DER, hex) as
 * an organisation's (hub-admin). */
int soc_source_add(struct store_conn *c, const struct actor *who, const char *kind,
                   const char *match, const char *org, char id_out[37], struct fs_err *err);
/* Removes a source by id or match (hub-admin). Its senders are unknown from then on: a running
 * serve cuts their open connections (soc_engine_watch_sources). */
int soc_source_remove(struct store_conn *c, const struct actor *who, const char *id,
                      struct fs_err *err);
/* The sources' generation, raised by every add and remove in their transaction. */
int soc_sources_generation(struct store_conn *c, int64_t *gen, struct fs_err *err);
/* Has every node's engine load the Sigma rules of its soc.rules_dir again (each node reads its own
 * folder: a deployment keeps them the same), within a second on PostgreSQL (the engines are
 * notified) and within its poll on SQLite: raises the rules' generation, with an audit record.
 * Hub administrators and the local operator. *generation: the new one (soc_engine_status says
 * which one an engine loaded). */
int soc_rules_reload(struct store_conn *c, const struct actor *who, int64_t *generation,
                     struct fs_err *err);
int soc_rules_generation(struct store_conn *c, int64_t *gen, struct fs_err *err);
/* The SHA-256 (hex) of a PEM certificate's DER form: what a "cert" source matches. */
int soc_cert_fingerprint(const char *pem, size_t len, char out[65], struct fs_err *err);
/* The event sources the actor may see (the hub's analysts every one, a member its own
 * organisation's), by kind then match, {"items", "next"}: a page at a time (page NULL: all),
 * page->after the "next" of the previous page (FS_ERR_INVALID at "after" for anything else). */
int soc_sources_json(struct store_conn *c, const struct actor *who, const struct auth_page *page,
                     json_t **out, struct fs_err *err);

#endif
