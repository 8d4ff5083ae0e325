/* Internal to the intelligence store (store_*.c). */
#ifndef FS_INTEL_STORE_INT_H
#define FS_INTEL_STORE_INT_H

#include "intel/intel.h"

#include "core/buf.h"

/* Fills the actor's rights on col (kind, owner, membership already set). */
int intel_collection_rights(struct store_conn *c, const struct actor *who,
                            struct intel_collection *col, struct fs_err *err);
/* The collections the actor may read, with its rights filled, in creation order (caller frees
 * *out). */
int intel_collections_readable(struct store_conn *c, const struct actor *who,
                               struct intel_collection **out, size_t *n, struct fs_err *err);
/* The sortable key of a STIX version: 9 fraction digits ("" for no version). out: 40 bytes. */
void intel_version_key(const char *version, char out[40]);
/* Lower-cased search key of an observable value into out (n bytes); false when too long. */
bool intel_observable_key(const char *value, size_t len, char *out, size_t n);

/* Sets the is_latest and is_first flags of every entry of object id in collection coll from the
 * version keys (the highest and the lowest; equal keys share a flag). The versions are found
 * through intel_object's (id, version, copy) index and intel_entry_seq, never by scanning the
 * collection. */
int intel_entry_flags(struct store_conn *c, int64_t coll, const char *id, struct fs_err *err);

/* Once per store (intel_meta "levels"), in the caller's transaction: versions stored before
 * granular markings counted get the level of their strictest granular TLP marking when it is
 * above the stored one, and the hub's sightings (producer hub_org) of an indicator so raised take
 * at least the level of its latest version. Anything changed makes the SOC rebuild its index and
 * TAXII caches drop their pages. */
int intel_levels_upgrade(struct store_conn *c, const char *hub_org, struct fs_err *err);

/* The hub's control properties: read, acted on, and not published (INTEL_PROP_ANONYMOUS is in
 * intel.h). */
#define INTEL_PROP_RECIPIENTS "x_finshield_recipients"

/* One element of a document as the ingest needs it. Strings live in the batch's arena; raw is
 * borrowed from the document's bytes. */
struct intel_batch_item {
  size_t index;               /* position in the document's objects list */
  const char *id;             /* NULL when the element has no string id */
  const char *created_by_ref; /* NULL when absent */
  bool anonymous;             /* x_finshield_anonymous is true */
  bool is_identity;
  bool valid;
  const char *refusal;       /* invalid: the message listed in the status resource */
  const char *refusal_zh;    /* the same in zh-TW (its English when it has no translation) */
  const char *meta_error;    /* valid, but its metadata could not be read: why */
  const char *meta_error_zh; /* the same in zh-TW */
  /* the rest only for valid objects whose metadata was read */
  enum stix_kind kind;
  const char *type, *version, *spec_version; /* version "" for none */
  const char *version_key;                   /* intel_version_key of version */
  enum tlp_level tlp;          /* strictest object-level marking; TLP_NONE: unmarked (the
                                  collection's default applies) */
  enum tlp_level tlp_granular; /* strictest granular marking, TLP_NONE when none: the
                                  stored level is the stricter of the two */
  bool revoked;
  bool control; /* carries a control property: published changed */
  int64_t valid_from_ms, valid_until_ms;
  const char *raw; /* the bytes as received */
  size_t raw_len;
  size_t first_key, n_keys; /* its observable keys in the batch's keys */
};

struct intel_batch {
  struct fs_arena arena;
  struct intel_batch_item *items;
  size_t n, cap;
  const char **keys; /* lower-cased observable keys, in the arena or the parts' */
  size_t n_keys, cap_keys;
  size_t n_anonymous;         /* items marked x_finshield_anonymous */
  struct intel_batch **parts; /* read on other threads: their arenas hold strings of items */
  size_t n_parts;
};

/* ---- rows inserted many to a statement (store_rows.c) ---- */

#define INTEL_ROWS_MAX 64

struct intel_rows_val {
  int64_t i;
  const char *s; /* borrowed: must live until the row is flushed; NULL binds NULL */
  size_t n;      /* bytes of s; 0: up to its NUL */
};

/* Rows waiting for one INSERT of INTEL_ROWS_MAX rows. */
struct intel_rows {
  struct store_conn *c;
  const char *types; /* one letter a column: 'i' integer, 's' text */
  size_t cols;
  struct fs_buf many, one; /* the statement for INTEL_ROWS_MAX rows, and for one */
  struct intel_rows_val *vals;
  size_t n;
};

/* Prepares the texts "<head><tuple>,<tuple>...<tail>" (tuple: "(?,?,1)", one '?' a column of
 * types) for c. Release with intel_rows_release. */
int intel_rows_init(struct intel_rows *w, struct store_conn *c, const char *head, const char *tuple,
                    const char *tail, const char *types, struct fs_err *err);
void intel_rows_release(struct intel_rows *w);
/* The values of a new row (cols entries to fill), flushing the full ones first; NULL and *rc set
 * when that flush failed. */
struct intel_rows_val *intel_rows_add(struct intel_rows *w, int *rc, struct fs_err *err);
/* Inserts the rows waiting (before anything reads the table, and at the end). */
int intel_rows_flush(struct intel_rows *w, struct fs_err *err);

/* ---- sorting (store_sort.c) ---- */

/* Sorts n elements of size bytes, each starting with a uint64_t key, by key and then, among equal
 * keys, by cmp (NULL: document order kept). A stable radix sort on the keys, then qsort of each
 * run of equal keys. false when out of memory (base unchanged). */
bool intel_prefix_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* The observable keys of one object, as the ingest indexes them, in a new batch's keys[0..n_keys)
 * (caller frees with intel_batch_free). */
int intel_object_keys(const json_t *obj, struct intel_batch **out, struct fs_err *err);
/* Whether the actor may see an object version (its columns given) through at least one of the
 * collections holding it. */
int intel_visible_anywhere(struct store_conn *c, const struct actor *who, int64_t seq,
                           const char *tlp, const char *porg, const char *puser, const char *rorgs,
                           const char *rusers, bool withheld, bool *visible, struct fs_err *err);
/* An empty batch (NULL when out of memory), for intel_batch_add_own. */
struct intel_batch *intel_batch_new(void);
/* Adds an object the hub wrote itself from checked values (a source's indicator of a canonical
 * value, intel/feed_merge.c), without reading its text again: *it gives what validation and
 * stix_meta_get would have found (id, kind, type, version, spec_version, tlp, valid_from_ms,
 * valid_until_ms, raw; the rest as for a valid unmarked-granular object without control
 * properties), values its n_values observable keys as the pattern compares them. Strings and raw
 * are borrowed: they must outlive the batch. Its index is its position in the batch. */
int intel_batch_add_own(struct intel_batch *b, const struct intel_batch_item *it,
                        const char *const *values, size_t n_values, struct fs_err *err);
/* Adds what the ingest needs of one validated element (r->object must be readable). */
int intel_batch_add(struct intel_batch *b, const struct stix_result *r, struct fs_err *err);
/* A batch of a parsed document's results. The document's input bytes must outlive it. */
int intel_batch_from_doc(const struct stix_doc *doc, struct intel_batch **out, struct fs_err *err);

#endif
