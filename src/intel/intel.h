/* The intelligence store: STIX 2.1 objects with every version, in collections, each version with
 * the columns the one policy needs (TLP, producer, named recipients), so that every read path
 * (TAXII, REST, search, export) filters the rows it reads through policy_intel_visible.
 *
 * Collections: "sector" (the hub publishes), "submissions" (members submit), one per organisation
 * ("org-<code>"), sharing groups, partner collections. Objects without a TLP marking take their
 * collection's default level. date_added is a microsecond timestamp, unique and increasing across
 * the hub, so TAXII pages by (date_added, seq) with a constant cost per page.
 *
 * Every change runs in one transaction with its audit record; an ingest stores all valid objects
 * of a document or none (a storage failure rolls everything back). */
#ifndef FS_INTEL_INTEL_H
#define FS_INTEL_INTEL_H

#include "auth/actor.h"
#include "auth/policy.h"
#include "core/buf.h"
#include "stix/stix.h"
#include "stix/taxii_query.h"
#include "stix/tlp.h"
#include "store/store.h"

#include <jansson.h>

extern const struct store_schema intel_schema;

#define INTEL_ALIAS_MAX 64

struct intel_collection {
  char id[37];
  int64_t num; /* the collection's number inside the store */
  char alias[INTEL_ALIAS_MAX];
  char title[200];
  char description[400];
  enum policy_collection_kind kind;
  char owner_org[37];
  enum tlp_level default_tlp;
  bool member_can_write;
  /* for the actor that looked it up */
  bool can_read, can_write;
  bool member; /* the actor's organisation is the owner or a group member */
};

extern const char
    *const intel_collection_kinds[]; /* "sector", "submissions", "org", "group", "partner" */

/* Creates the sector and submissions collections and the hub's STIX identity when missing, and
 * brings stored levels up to date once (versions stored before granular markings counted).
 * Idempotent; runs in its own write transaction. who->org_id is the hub's organisation. */
int intel_bootstrap(struct store_conn *c, const struct actor *who, const char *hub_name,
                    struct fs_err *err);
/* The STIX identity id of an organisation of the hub: a UUIDv5 of its id, so that one organisation
 * always has the same identity and its internal id does not appear. */
int intel_org_identity(const char *org_id, char out[STIX_ID_MAX]);
/* The hub's STIX identity id ("identity--<uuid>", 292 bytes). */
int intel_hub_identity(struct store_conn *c, char out[STIX_ID_MAX], struct fs_err *err);

struct intel_collection_input {
  const char *alias; /* [a-z0-9][a-z0-9._-]{1,63} */
  const char *title, *description;
  enum policy_collection_kind kind; /* ORG, GROUP or PARTNER (SECTOR/SUBMISSIONS exist already) */
  const char *owner_org;            /* ORG, PARTNER: id or code */
  enum tlp_level default_tlp;
  const char *const *members; /* GROUP: organisation ids or codes */
  size_t n_members;
  bool member_can_write;
};

/* Creates a collection (hub-admin). */
int intel_collection_create(struct store_conn *c, const struct actor *who,
                            const struct intel_collection_input *in, char id_out[37],
                            struct fs_err *err);
/* Finds a collection by id or alias and fills the actor's rights. A collection the actor may
 * neither read nor write is FS_ERR_NOT_FOUND, as if it did not exist. */
int intel_collection_find(struct store_conn *c, const struct actor *who, const char *id_or_alias,
                          struct intel_collection *out, struct fs_err *err);
/* The collections the actor may read or write, as TAXII collection resources (caller owns). */
int intel_collection_list_json(struct store_conn *c, const struct actor *who, json_t **out,
                               struct fs_err *err);
/* The TAXII collection resource of col. */
json_t *intel_collection_json(const struct intel_collection *col);

/* ---- ingest ------------------------------------------------------------------------------ */

/* Objects without versions (SCOs, whose ids come from their value) are stored once per producing
 * organisation: each organisation's report of an address is its own (its marking, recipients and
 * entries), reads show the copies the reader may see, and another organisation's copy never
 * refuses, answers or changes a write. */

/* The control property that shares one object anonymously: the identities that anonymous objects
 * name as their creator are withheld, which makes the objects of one submission depend on each
 * other (an import in parts reads such a document as one part). */
#define INTEL_PROP_ANONYMOUS "x_finshield_anonymous"

struct fs_progress;
struct intel_ingest_options {
  bool anonymous;               /* replace the submitter's identity with the hub's */
  const char *status_id;        /* when set, the TAXII status resource is stored under this id */
  bool status_only;             /* with status_id: leave the successes and failures lists NULL (the
                                   status resource has them); saves their memory on large envelopes */
  bool failures_only;           /* without status_id: keep only the failures list (successes
                                   NULL), for the hub's own writers that store many objects */
  struct fs_progress *progress; /* counts the objects as they are stored (total: all of them);
                                   NULL: none (core/progress.h) */
};

struct intel_ingest_result {
  size_t total, success, failure;
  json_t *successes; /* [{id, version, message?}] (caller owns); NULL with status_only */
  json_t *failures;  /* [{id?, version?, index, message}] (caller owns); NULL with status_only */
  char *status;      /* with a status_id: the TAXII status resource as stored, compact JSON
                        (caller owns; freed by intel_ingest_result_release); else NULL */
  size_t status_len;
};

/* A document read for storing: for each object its verdict, its metadata, the observables to
 * index and its bytes as received, but no JSON tree. Reading it holds one object's tree at a
 * time, and it takes a small part of the memory a parsed document takes: the way to ingest large
 * envelopes. It borrows the document's bytes, which must outlive it. */
struct intel_batch;

/* Reads and validates a bundle, envelope or object as stix_doc_parse does (same limits,
 * same errors, same verdicts) into *out (caller frees with intel_batch_free), the objects in the
 * document's order. With threads > 1 (at most INTEL_BATCH_MAX_THREADS) the objects are read in
 * that many runs at once (stix_doc_scan_split). */
#define INTEL_BATCH_MAX_THREADS 16
int intel_batch_read(const char *bytes, size_t len, const struct stix_limits *lim, size_t threads,
                     struct intel_batch **out, struct fs_err *err);
/* Frees a batch; NULL is fine. */
void intel_batch_free(struct intel_batch *b);

/* Stores the valid objects of doc in col (which the actor must be able to write). Invalid objects,
 * objects the actor may not version (another organisation's), and unknown recipients are listed
 * as failures; the rest are stored, all in one transaction with one audit record. */
int intel_ingest(struct store_conn *c, const struct actor *who, const struct intel_collection *col,
                 struct stix_doc *doc, const struct intel_ingest_options *opt,
                 struct intel_ingest_result *res, struct fs_err *err);
/* The same for a batch (intel_batch_read). */
int intel_ingest_batch(struct store_conn *c, const struct actor *who,
                       const struct intel_collection *col, const struct intel_batch *b,
                       const struct intel_ingest_options *opt, struct intel_ingest_result *res,
                       struct fs_err *err);
void intel_ingest_result_release(struct intel_ingest_result *res);
/* The same for STIX text (a bundle, an envelope or one object) into the collection named by id or
 * alias, for the hub's own writers (sightings, samples): *failures (may be NULL) tells how many
 * objects were refused. */
int intel_ingest_text(struct store_conn *c, const struct actor *who, const char *collection,
                      const char *text, size_t len, size_t *failures, struct fs_err *err);
/* The stored status resource of an ingest (visible to the submitting organisation and the hub). */
int intel_status_get(struct store_conn *c, const struct actor *who, const char *id, json_t **out,
                     struct fs_err *err);

/* ---- reads ------------------------------------------------------------------------------- */

/* One stored object version as a read sees it. Strings live until the next row. */
struct intel_row {
  int64_t seq;
  int64_t date_added; /* microseconds */
  const char *id, *version, *type, *spec_version;
  const char *body; /* the object's JSON as published */
  size_t body_len;
  const char *tlp;
  const char *producer_org, *producer_user; /* the true source: only for policy_intel_true_source */
  bool anonymous;
  bool withheld; /* held back by its score or a warninglist (intel/feed.h): the hub's roles and
                    its producer only */
};

typedef int (*intel_row_fn)(const struct intel_row *row, void *ctx);

/* Where a page starts and what it selects. */
struct intel_page {
  const struct stix_taxii_query *q; /* filters (may be NULL: none) */
  bool has_cursor;
  int64_t after_date, after_seq; /* from the cursor, or from added_after */
  size_t limit;                  /* objects in the page */
  /* out */
  bool more;
  int64_t last_date, last_seq;     /* position of the last row read (for the next cursor) */
  int64_t first_added, last_added; /* date_added of the first and last row returned */
  size_t returned;
  bool all_public; /* every row read was CLEAR or GREEN: the page is the same
                      for everyone who may read the collection */
};

/* A number that changes whenever the collection's content changes (objects added or removed), so
 * that a page computed earlier can be reused while it has not changed. */
int intel_collection_generation(struct store_conn *c, const struct intel_collection *col,
                                int64_t *gen, struct fs_err *err);

/* Calls fn for each object version in col that matches the filters and that the actor may see,
 * in date_added order, up to page->limit. Rows the actor may not see are skipped (a page may
 * then be short, with more set). */
int intel_read_collection(struct store_conn *c, const struct actor *who,
                          const struct intel_collection *col, struct intel_page *page,
                          intel_row_fn fn, void *ctx, struct fs_err *err);
/* Every visible version of one object in a collection (col NULL: in any collection the actor may
 * read), oldest first. */
int intel_read_object(struct store_conn *c, const struct actor *who,
                      const struct intel_collection *col, const char *id, intel_row_fn fn,
                      void *ctx, struct fs_err *err);
/* Every visible object version that mentions value (an IP address or CIDR, a domain, a URL, a
 * hash, an e-mail address, or any SCO value), newest first, at most limit. */
int intel_search(struct store_conn *c, const struct actor *who, const char *value, size_t limit,
                 intel_row_fn fn, void *ctx, struct fs_err *err);
/* Every visible version of the relationships and sightings that refer to object id (as their
 * source_ref, target_ref or sighting_of_ref), newest first, at most limit. The caller asks
 * intel_read_object first: of an object it may not see, it learns nothing. */
int intel_related(struct store_conn *c, const struct actor *who, const char *id, size_t limit,
                  intel_row_fn fn, void *ctx, struct fs_err *err);
/* The same two a page at a time: the rows older than `before` (a seq; 0: from the newest), at
 * most limit; *next (may be NULL) becomes the `before` of the next page: the last row given when
 * another row the actor sees follows, else 0, so that neither tells of rows it may not see (only
 * when a page's reading budget is spent on such rows is it the last row read). */
int intel_search_page(struct store_conn *c, const struct actor *who, const char *value,
                      int64_t before, size_t limit, intel_row_fn fn, void *ctx, int64_t *next,
                      struct fs_err *err);
int intel_related_page(struct store_conn *c, const struct actor *who, const char *id,
                       int64_t before, size_t limit, intel_row_fn fn, void *ctx, int64_t *next,
                       struct fs_err *err);
/* Removes object versions from a collection (TAXII DELETE): all versions, or those selected by
 * q's match[version]. The hub's roles, or the producing organisation (of an SCO: its own copy
 * only). FS_ERR_NOT_FOUND when the actor sees no such object. */
int intel_delete(struct store_conn *c, const struct actor *who, const struct intel_collection *col,
                 const char *id, const struct stix_taxii_query *q, struct fs_err *err);

/* The stored level of the latest version of object id (for the hub's own bookkeeping, not for
 * showing: it asks no policy); TLP_NONE when id has no version. */
int intel_latest_level(struct store_conn *c, const char *id, enum tlp_level *level,
                       struct fs_err *err);
/* The same for ids[0..n) at once (a statement for 64 ids): levels[i] is ids[i]'s. */
int intel_latest_levels(struct store_conn *c, const char *const *ids, size_t n,
                        enum tlp_level *levels, struct fs_err *err);

/* Gives every version of object old_id the id new_id (the id column and the published JSON),
 * for the hub's own objects whose ids change form; the hub's roles only (FS_ERR_FORBIDDEN).
 * FS_ERR_NOT_FOUND when old_id has no version, FS_ERR_CONFLICT when new_id is in use. The audit
 * record names new_id only; cached pages of the collections holding it are dropped. */
int intel_object_rename(struct store_conn *c, const struct actor *who, const char *old_id,
                        const char *new_id, struct fs_err *err);

/* Whether the actor may see an object version with these columns in collection col (NULL: outside
 * any collection): policy_intel_visible, with a group's members and an organisation's own
 * collection counting as named recipients. Recipient lists are comma-separated ids. A withheld
 * version (intel/feed.h) is the hub's roles' and its producer's only. */
bool intel_row_visible(const struct actor *who, const struct intel_collection *col, const char *tlp,
                       const char *producer_org, const char *producer_user,
                       const char *recipient_orgs, const char *recipient_users, bool withheld);
/* Splits a comma-separated id list (copied into buf) into at most max pointers; the count. */
size_t intel_split_ids(const char *list, char *buf, size_t bufsize, const char **out, size_t max);

/* ---- following the store (the hub's own readers: the SOC's indicator index) ---------------- */

/* These ask no policy: the reader decides who may see each version itself, with the one policy,
 * from the columns and collections given (soc/feed.c). */

/* Hub-to-hub synchronisation (taxii/ pull and push): the position (64 bytes, "" when none) last
 * reached with a remote collection in a direction ("pull" or "push"), and storing a new one (in
 * the caller's transaction when one is open). */
int intel_sync_position(struct store_conn *c, const char *url, const char *collection,
                        const char *direction, char out[64], struct fs_err *err);
int intel_sync_position_set(struct store_conn *c, const char *url, const char *collection,
                            const char *direction, const char *position, int64_t now_ms,
                            struct fs_err *err);

/* The store's position: the highest object seq, and how many removals there have been. A reader
 * that saw the same pair has seen every change (additions raise the first, removals the second). */
int intel_position(struct store_conn *c, int64_t *last_seq, int64_t *deletes, struct fs_err *err);
/* Calls fn with the id of every object of `type` with a version stored after seq `after`, each
 * once, in id order; a non-zero return of fn stops and is returned. */
typedef int (*intel_id_fn)(const char *id, void *ctx);
int intel_changed_ids(struct store_conn *c, const char *type, int64_t after, intel_id_fn fn,
                      void *ctx, struct fs_err *err);

/* The latest version of an object as a collection holds it. Strings live until fn returns. */
#define INTEL_LATEST_MAX_COLLS 64
struct intel_latest {
  int64_t seq;
  const char *id, *tlp, *producer_org;
  const char *recipient_orgs; /* comma-separated ids, "" for none */
  const char *body;           /* the JSON as published */
  bool withheld;              /* held back (intel/feed.h): matched by nobody */
  const int64_t *colls;       /* the numbers (intel_collection.num) of the collections where it
                                 is the latest version (the first INTEL_LATEST_MAX_COLLS) */
  size_t n_colls;
};
typedef int (*intel_latest_fn)(const struct intel_latest *v, void *ctx);
/* Calls fn for every version of an object of `type` stored after seq `after` that is the latest
 * in some collection, in seq order; a non-zero return of fn stops and is returned. */
int intel_latest_each(struct store_conn *c, const char *type, int64_t after, intel_latest_fn fn,
                      void *ctx, struct fs_err *err);

/* Calls fn for every collection (col's can_read, can_write and member are false: no actor) with
 * the organisations of a group collection (members[0..n), none for other kinds); a non-zero
 * return of fn stops and is returned. */
typedef int (*intel_collection_fn)(const struct intel_collection *col, const char (*members)[37],
                                   size_t n_members, void *ctx);
int intel_collections_each(struct store_conn *c, intel_collection_fn fn, void *ctx,
                           struct fs_err *err);

/* Formats a microsecond date_added as RFC 3339 with microseconds ("...:SS.uuuuuuZ"), 40 bytes. */
void intel_format_added(int64_t us, char out[40]);
/* Parses a TAXII timestamp (any fraction) to microseconds. */
int intel_parse_added(const char *s, int64_t *us, struct fs_err *err);

/* ---- exports for members' defences (export.c, export_format.c) ------------------------------ */

/* What an export holds: the simple indicators (addresses and CIDR blocks, domains, URLs,
 * hashes, e-mail addresses: '=' and IN comparisons joined by OR, stix/pattern.h) of the latest
 * version of every indicator the actor may see, through every collection it may read (or one),
 * that intel_export_eligible keeps; each value once, in the order the store first held it. */
enum intel_export_format {
  INTEL_EXPORT_IPS,              /* firewall list (EDL): addresses and CIDR blocks, one a line */
  INTEL_EXPORT_DOMAINS,          /* firewall list: domains */
  INTEL_EXPORT_URLS,             /* firewall list: URLs without their scheme (EDL style) */
  INTEL_EXPORT_CSV,              /* RFC 4180: indicator, kind, value, tlp, valid_until */
  INTEL_EXPORT_STIX,             /* a STIX 2.1 bundle of the indicators themselves */
  INTEL_EXPORT_SURICATA,         /* Suricata rules: addresses, DNS and TLS SNI names, HTTP URLs */
  INTEL_EXPORT_SURICATA_DATASET, /* a Suricata dataset file of one type (options.dataset) */
  INTEL_EXPORT_ZEEK,             /* a Zeek intel file (Intel::ADDR, SUBNET, DOMAIN, URL, FILE_HASH,
                                    EMAIL) */
  INTEL_EXPORT__COUNT
};
/* The formats' names ("ips", "domains", "urls", "csv", "stix", "suricata", "suricata-dataset",
 * "zeek"), NULL-terminated, in enum order. */
extern const char *const intel_export_formats[];
/* The suricata-dataset types: "domains", "urls" (type string, base64 lines), "ips" (type ip:
 * addresses, no blocks), "md5", "sha256" (hex); NULL-terminated. */
extern const char *const intel_export_datasets[];
/* The media type of a format's body. */
const char *intel_export_media_type(enum intel_export_format f);

struct intel_export_options {
  enum intel_export_format format;
  const char *collection; /* id or alias: only this collection; NULL: every readable one */
  const char *dataset;    /* INTEL_EXPORT_SURICATA_DATASET: one of intel_export_datasets */
  int64_t sid_base;       /* INTEL_EXPORT_SURICATA: the first rule's sid (0: 9100000) */
};

struct intel_export_result {
  size_t values;             /* values (or objects, for STIX) written */
  int64_t last_seq, deletes; /* the store's position the export was read at (intel_position) */
};

/* One simple indicator as intel_export_eligible sees it. */
struct intel_export_item {
  const char *id; /* the indicator's id */
  int kind;       /* enum stix_observable */
  const char *value;
  int64_t valid_until_ms; /* 0: none */
  bool revoked;
};
/* Whether an indicator the actor may see is distributed at now_ms: not revoked, not expired.
 * The one place where distribution is decided beyond visibility (a score threshold goes here). */
bool intel_export_eligible(const struct intel_export_item *it, int64_t now_ms);

/* Writes the export of what `who` may see to out, read in one read transaction after bringing
 * the simple-indicator table up to date (intel_ioc_update, its own write transaction).
 * FS_ERR_NOT_FOUND for a collection the actor may not read. */
int intel_export(struct store_conn *c, const struct actor *who,
                 const struct intel_export_options *opt, struct fs_buf *out,
                 struct intel_export_result *res, struct fs_err *err);
/* Extracts the simple indicators of the indicator versions stored since the last call into
 * intel_ioc (in batches, each its own write transaction); *added (may be NULL) counts versions. */
int intel_ioc_update(struct store_conn *c, size_t *added, struct fs_err *err);

/* ---- correlation (correlate.c) ----------------------------------------------------------------
 */

/* Every object the actor may see that mentions value (the observables of intel_search), latest
 * version of each, newest first, at most `fanout` of them: {"value", "objects": [{id, type,
 * name?, tlp, created_by_ref?, collections?}], "count", "popular"}. A value mentioned by more than
 * `fanout` visible objects is popular: counted (up to count_max, "count_capped" then), not
 * expanded ("objects" empty). Only visible objects are ever counted or named. */
int intel_correlate(struct store_conn *c, const struct actor *who, const char *value, size_t fanout,
                    size_t count_max, json_t **out, struct fs_err *err);
/* The graph around object id (which the actor must see: FS_ERR_NOT_FOUND otherwise): the
 * object, the objects it references that the actor may see, its observables, and for each
 * observable the other visible objects that mention it (popular ones counted, not expanded).
 * As {"nodes": [...], "edges": [...]} for the portal, or, with stix, a STIX 2.1 bundle of the
 * visible objects. */
int intel_graph(struct store_conn *c, const struct actor *who, const char *id, size_t fanout,
                bool stix, json_t **out, struct fs_err *err);

#endif
