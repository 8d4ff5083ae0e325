/* The hub's intelligence products (#15): publications of the four product types (資安漏洞
 * vulnerability advisories, 威脅情資 threat intelligence, 週報/月報 periodic reports, 分析報告
 * analysis reports) through draft, review, published and revised, each published as a STIX
 * `report` into a collection and rendered to HTML and PDF, members notified by subscription; the
 * statistics of those products by period and the members at a date; the weekly and monthly
 * sector reports (kept and listed); and MITRE ATT&CK (the technique catalogue, techniques tagged
 * on objects, Sigma alerts and incidents, counts per technique and tactic).
 *
 * A domain module above intel, incident and soc: it reads them through their functions, asks the
 * one policy (auth/policy.c) who sees what, and reaches the notification outbox through a hook
 * wired by hub/. Every change runs in one transaction with its audit record. */
#ifndef FS_PRODUCTS_PRODUCTS_H
#define FS_PRODUCTS_PRODUCTS_H

#include "auth/actor.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/i18n.h"
#include "store/store.h"

#include <jansson.h>

extern const struct store_schema products_schema;

/* What products asks of the hub: a notification queued in the outbox (channel "webhook" or
 * "email"), in the caller's transaction. NULL: nobody is notified. */
struct products_hooks {
  int (*notify)(void *ctx, struct store_conn *c, const char *channel, const char *target,
                const char *event, const char *subject, const char *body, int64_t now_ms,
                struct fs_err *err);
  void *ctx;
};

struct products_env {
  const struct fs_config *cfg;
  struct products_hooks hooks;
};

/* ---- publications (publication.c, publication_render.c) --------------------------------- */

#define PRODUCTS_TYPE_MAP(X)                                                                       \
  X(ADVISORY, "advisory", "Vulnerability advisory", "資安漏洞")                                    \
  X(INTEL, "intel", "Threat intelligence", "威脅情資")                                             \
  X(PERIODIC, "periodic", "Periodic report", "週報/月報")                                          \
  X(ANALYSIS, "analysis", "Analysis report", "分析報告")

enum products_type {
#define PRODUCTS_X_ENUM(id, name, en, zh) PRODUCTS_##id,
  PRODUCTS_TYPE_MAP(PRODUCTS_X_ENUM)
#undef PRODUCTS_X_ENUM
      PRODUCTS__COUNT
};
extern const char *const products_type_names[]; /* NULL-terminated, enum order */
const char *products_type_label(int type, enum fs_lang lang);

/* Creates a draft from a JSON body: type, tlp (clear, green, amber; default green), title_zh,
 * title_en, summary_zh/en, body_zh/en, and for advisories cves [..], cvss {score, vector},
 * cpes [..], remediation_zh/en. Hub roles only. Its id into id_out. */
int products_pub_create(struct store_conn *c, const struct actor *who, json_t *body,
                        char id_out[37], struct fs_err *err);
/* Changes a draft's fields (same body, every field optional). */
int products_pub_update(struct store_conn *c, const struct actor *who, const char *id, json_t *body,
                        struct fs_err *err);
/* The workflow: "review" (draft -> review), "publish" (review -> published: its STIX report is
 * stored in products.collection, subscribers are notified), "revise" (published or revised,
 * with changed fields in body: a new version, published again as "revised"), "withdraw"
 * (review -> draft). */
int products_pub_action(struct store_conn *c, const struct actor *who,
                        const struct products_env *env, const char *id, const char *action,
                        json_t *body, struct fs_err *err);
/* One publication as the actor may see it (drafts: the hub's roles; published ones: by their TLP
 * through the one policy; FS_ERR_NOT_FOUND otherwise). */
int products_pub_get(struct store_conn *c, const struct actor *who, const char *id, json_t **out,
                     struct fs_err *err);
/* Publications the actor may see, newest first; type and status filters may be NULL. */
int products_pub_list(struct store_conn *c, const struct actor *who, const char *type,
                      const char *status, int64_t limit, json_t **out, struct fs_err *err);
/* Records of products published before the hub (a JSON array of {type, ref?, title_zh,
 * title_en?, published: "YYYY-MM-DD" or RFC 3339, tlp?}): kept as published, counted by the
 * statistics, not sent again (hub-admin). *added counts them. */
int products_pub_import(struct store_conn *c, const struct actor *who, json_t *items, size_t *added,
                        struct fs_err *err);
/* A publication rendered for people: HTML or PDF, in the language (both languages' fields are
 * shown when the other is empty). */
int products_pub_render(const json_t *pub, bool pdf, enum fs_lang lang, struct fs_buf *out,
                        struct fs_err *err);

/* Subscriptions: an organisation (member-admin for its own, hub-admin for any) asks for the
 * types it wants (NULL or empty: all) by webhook URL or e-mail address. */
int products_subscribe(struct store_conn *c, const struct actor *who, const char *org,
                       const char *channel, const char *target, const char *types, char id_out[37],
                       struct fs_err *err);
int products_subscriptions_json(struct store_conn *c, const struct actor *who, json_t **out,
                                struct fs_err *err);
int products_unsubscribe(struct store_conn *c, const struct actor *who, const char *id,
                         struct fs_err *err);

/* ---- statistics (stats.c) ---------------------------------------------------------------- */

enum products_period { PRODUCTS_BY_YEAR, PRODUCTS_BY_HALF, PRODUCTS_BY_QUARTER, PRODUCTS_BY_MONTH };
extern const char *const products_period_names[]; /* "year", "half", "quarter", "month" */

/* The four products and their total per period of [from, to] (days since the epoch, Asia/Taipei
 * dates; from 0: the first product, to 0: today), by the first publication date of each
 * product the actor may see; and the member institutions at members_at (a date, 0: to).
 * A leading period shorter than a quarter of its length (a start in December for years) joins
 * the next one, as the action plan counts the ISAC's first month with its first year:
 * {"by", "from", "to", "periods": [{label, label_roc, from, to, advisory, intel, periodic,
 * analysis, total}], "totals": {...}, "members": {at, count}}. */
int products_stats_json(struct store_conn *c, const struct actor *who, enum products_period by,
                        int64_t from_day, int64_t to_day, int64_t members_day, json_t **out,
                        struct fs_err *err);
/* The statistics as a table (aligned text) or CSV, with ROC labels when roc. */
int products_stats_text(const json_t *stats, bool csv, bool roc, enum fs_lang lang,
                        struct fs_buf *out);
/* "2026-07-31" as days since the epoch; FS_ERR_INVALID naming `what`. */
int products_parse_day(const char *s, const char *what, int64_t *day, struct fs_err *err);

/* ---- periodic sector reports (periodic.c, periodic_render.c) -------------------------------- */

/* Makes the weekly ("2026-W23") or monthly ("2026-06") sector report for the hub (hub roles):
 * new publications, top indicators and sightings, alerts by rule and technique, incidents by
 * level, category and industry, clocks met and missed; rendered to HTML (SVG charts) and PDF in
 * zh-TW and English, and kept. Its id into id_out. */
int products_periodic_make(struct store_conn *c, const struct actor *who,
                           const struct products_env *env, const char *period, char id_out[37],
                           struct fs_err *err);
/* The kept reports (hub roles and the supervisor), newest first. */
int products_periodic_list(struct store_conn *c, const struct actor *who, json_t **out,
                           struct fs_err *err);
/* One kept report's rendering: format "html", "pdf" or "json", lang "zh-TW" or "en". */
int products_periodic_get(struct store_conn *c, const struct actor *who, const char *id,
                          const char *format, enum fs_lang lang, struct fs_buf *out,
                          struct fs_err *err);

/* ---- MITRE ATT&CK (attack.c) ------------------------------------------------------------- */

/* Reads an ATT&CK STIX bundle (enterprise, mobile or ICS) into the catalogue: its tactics and
 * techniques (attack-pattern with a mitre external id), revoked and deprecated ones marked
 * (hub-admin). */
int products_attack_import(struct store_conn *c, const struct actor *who, const char *text,
                           size_t len, json_t **summary, struct fs_err *err);
/* Tags an object ("object", an intel id the actor may see), an alert ("alert": a SOC alert id)
 * or an incident ("incident": id or reference) with a technique ("T1566", "T1566.001") of the
 * catalogue. Hub roles. */
int products_attack_tag(struct store_conn *c, const struct actor *who, const char *kind,
                        const char *ref, const char *technique, struct fs_err *err);
/* Counts per technique and per tactic of what the actor may see: objects (their STIX
 * references to ATT&CK, and analysts' tags), Sigma alerts (their rules' attack.* tags) and
 * incidents (tags), within [from_ms, to_ms) (0: open). */
int products_attack_counts(struct store_conn *c, const struct actor *who, int64_t from_ms,
                           int64_t to_ms, json_t **out, struct fs_err *err);
/* The catalogue (techniques with their tactics), for people and the portal. */
int products_attack_catalogue(struct store_conn *c, const struct actor *who, json_t **out,
                              struct fs_err *err);

#endif
