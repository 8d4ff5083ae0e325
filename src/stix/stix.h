/* STIX 2.1 objects: validation of every type the specification defines (findings that name the
 * object id and the property path), parsing of bundles and TAXII envelopes with one result per
 * object, version ordering, the metadata the store indexes, and deterministic SCO ids.
 * Everything here is pure: no I/O, no globals, no locks; safe to call from any thread. */
#ifndef FS_STIX_STIX_H
#define FS_STIX_STIX_H

#include "core/arena.h"
#include "core/base.h"
#include "core/err.h"
#include "stix/json_read.h"

#include <jansson.h>

struct stix_pattern;

/* Findings kept per object; the counts below still count every finding. */
#define STIX_MAX_FINDINGS 16
/* "<type>--<uuid>": a type of at most 250 characters, "--", 36 characters, NUL. */
#define STIX_ID_MAX 292
/* The namespace of deterministic SCO ids (spec section 2.9). */
#define STIX_SCO_NAMESPACE "00abedb4-aa42-466c-9c01-fed23315a9b7"

enum stix_severity {
  STIX_ERROR,   /* a MUST of the specification is broken: the object is refused */
  STIX_WARNING, /* a SHOULD is broken, or something odd but allowed: the object is kept */
};

struct stix_finding {
  enum stix_severity severity;
  char path[128]; /* property path inside the object ("external_references[0].url"); "" = object */
  char msg[200];  /* what is wrong, in English */
  char msg_zh[300]; /* the same in zh-TW (core/i18n.h's catalogue); "" when it has none */
};

/* The findings about one object. `id` is the object's id when it had a usable one, else "". */
struct stix_report {
  char id[STIX_ID_MAX];
  unsigned n_errors;   /* every error found, including those beyond the kept ones */
  unsigned n_warnings; /* every warning found */
  size_t n;            /* findings kept in items[] (errors are kept before warnings) */
  struct stix_finding items[STIX_MAX_FINDINGS];
};

/* Limits on everything that comes from outside. 0 in a field means the default. */
struct stix_limits {
  size_t max_bytes;   /* document size (default 32 MiB) */
  size_t max_objects; /* objects in one bundle or envelope (default 50,000) */
  size_t max_depth;   /* JSON nesting inside one object (default 32) */
  size_t max_string;  /* bytes in one JSON string (default 8 MiB) */
  size_t max_pattern; /* bytes in one indicator pattern (default 64 KiB) */
};

/* Fills l with the defaults. */
void stix_limits_default(struct stix_limits *l);

enum stix_kind {
  STIX_UNKNOWN = 0, /* a custom type (not defined by the specification) */
  STIX_SDO,
  STIX_SRO,
  STIX_SCO,
  STIX_META, /* language-content, marking-definition, extension-definition */
  STIX_BUNDLE,
};

/* The kind of a type defined by the specification; STIX_UNKNOWN for any other type. */
enum stix_kind stix_type_kind(const char *type);
/* True when s (len bytes) is a valid type name: 3..250 of [a-z0-9-], a letter first, no "--". */
bool stix_type_valid(const char *s, size_t len);
/* True when s (len bytes) is "<type>--<uuid>" with a valid type and an RFC 4122 UUID of version
 * 1..5. *type_len (may be NULL) receives the length of the type part. */
bool stix_id_valid(const char *s, size_t len, size_t *type_len);
/* True when s is a STIX timestamp: "YYYY-MM-DDTHH:MM:SS[.s+]Z", a real date, UTC with "Z".
 * *frac_digits (may be NULL) receives the number of fraction digits. */
bool stix_timestamp_valid(const char *s, size_t len, unsigned *frac_digits);
/* Orders two valid STIX timestamps with their full fraction (no precision is lost): <0, 0, >0. */
int stix_timestamp_cmp(const char *a, const char *b);

/* Validates one STIX object (any SDO, SRO, SCO, meta object, or a custom object) against the
 * MUSTs of STIX 2.1, and records errors and warnings in rep (cleared first). The object is not
 * changed. Returns FS_OK when there is no error, FS_ERR_INVALID otherwise (rep says why).
 * lim may be NULL for the defaults. */
int stix_validate(const json_t *obj, const struct stix_limits *lim, struct stix_report *rep);

/* Writes "<id>: <path>: <msg>" (or "<id>: <msg>") for finding i of rep into out (n bytes), the
 * message in zh-TW when zh is true (and it has a translation), else in English. An object without
 * a usable id is named "object" ("物件" in zh-TW). Returns the length it wanted. */
size_t stix_finding_format(const struct stix_report *rep, size_t i, bool zh, char *out, size_t n);

/* ---- Documents: bundles, TAXII envelopes, single objects ---- */

enum stix_doc_kind {
  STIX_DOC_BUNDLE,   /* {"type": "bundle", "id": ..., "objects": [...]} */
  STIX_DOC_ENVELOPE, /* TAXII 2.1 {"more": ..., "next": ..., "objects": [...]} */
  STIX_DOC_OBJECT,   /* one STIX object on its own */
};

/* The outcome for one element of the document's objects list. */
struct stix_result {
  size_t index;     /* position in the objects list */
  json_t *object;   /* the element (borrowed from the document's tree) */
  const char *id;   /* borrowed; NULL when missing or not a string */
  const char *type; /* borrowed; NULL when missing or not a string */
  bool valid;       /* no error: the store may keep it */
  unsigned n_errors, n_warnings;
  const struct stix_finding *findings; /* kept findings, in the document's arena */
  size_t n_findings;
  const char *raw; /* the element's bytes exactly as received, from its first byte to its
                      last (borrowed from the parsed input, which the caller keeps alive) */
  size_t raw_len;
  const struct stix_pattern *pattern; /* stix_doc_scan only: an indicator's STIX pattern
                                          as validation parsed it, while fn runs; else NULL */
};

/* A parsed document. It owns the JSON trees (root: the top-level object, without its list of
 * objects when it is a bundle or an envelope; and each result's object) and an arena holding
 * results and findings; everything borrowed from it lives until stix_doc_release. */
struct stix_doc {
  json_t *root;
  enum stix_doc_kind kind;
  struct fs_arena arena;
  struct stix_result *results; /* n entries */
  size_t n;
  size_t n_valid, n_invalid;
  struct stix_report envelope; /* findings about the bundle/envelope itself (never fatal) */
  bool more;                   /* envelope "more" */
  const char *next;            /* envelope "next" (borrowed) or NULL */
  size_t n_kept;               /* results holding a reference to their object */
};

/* Called by stix_doc_scan for each element of the objects list, in order, once it has been
 * validated. r and everything it points to (object, findings) live only until fn returns: take a
 * reference to the object (json_incref) to keep it. doc->n already counts every element. A non-zero
 * return stops the scan, which returns it. */
typedef int (*stix_each_fn)(struct stix_doc *doc, struct stix_result *r, void *ctx);

/* Parses len bytes of JSON and validates every object in it. The results' raw spans point into
 * bytes, which must outlive their use. Fails (and leaves doc empty) only
 * when the document as a whole is unusable: FS_ERR_TOO_LARGE (bytes or object count over the
 * limits), FS_ERR_PARSE (not JSON; err->where has line, column and byte), FS_ERR_INVALID (not a
 * bundle, envelope or object). Otherwise FS_OK, with one result per object: objects with errors
 * are marked invalid, the others are kept. lim may be NULL. Release with stix_doc_release. */
int stix_doc_parse(struct stix_doc *doc, const char *bytes, size_t len,
                   const struct stix_limits *lim, struct fs_err *err);
/* The same document reading, but each object is handed to fn as soon as it is validated and freed
 * after it: only one object's tree is in memory at a time, whatever the size of the document.
 * doc->results stays NULL; doc keeps the kind, the envelope's findings, more/next, n, n_valid
 * and n_invalid. Errors as stix_doc_parse, or fn's; on any error doc is left empty and what
 * fn received must be thrown away (a duplicate key inside an element is found only when that
 * element is read, after fn has seen the ones before it). */
int stix_doc_scan(struct stix_doc *doc, const char *bytes, size_t len,
                  const struct stix_limits *lim, stix_each_fn fn, void *ctx, struct fs_err *err);
/* stix_doc_scan on several threads: the elements are cut into at most nparts runs of
 * consecutive elements (about equal bytes each), and run p is handed, in order, to fn with
 * ctxs[p] on a thread of its own (run 0 on the caller's). fn is thus called concurrently for
 * different runs and must not change doc; each run's ctx is its own. On failure, *failed_part
 * is the first run (in element order) that failed: a reading error is in err, one returned by fn
 * is wherever that run's fn keeps it (err untouched). */
int stix_doc_scan_split(struct stix_doc *doc, const char *bytes, size_t len,
                        const struct stix_limits *lim, size_t nparts, stix_each_fn fn,
                        void *const *ctxs, size_t *failed_part, struct fs_err *err);
/* Frees the trees, the results and the arena; doc is then empty. Safe on an empty doc. */
void stix_doc_release(struct stix_doc *doc);

/* ---- Large documents in parts ----
 * A bundle or envelope of any size read as runs of consecutive elements of its objects list, so
 * that a caller (intel import) reads, validates and stores one run at a time: each run's bytes,
 * from its first element's first byte to its last element's last byte, with the separators
 * between them, make a list's contents. Every element's syntax is checked as stix_doc_parse
 * checks it (but for duplicate keys, found when the element is read) and its size bounded; the
 * rest of the document (members after the list, the end of the text) is checked after the last
 * run. Positions in errors count from the start of the text. */
struct stix_split {
  struct stix_json_reader r;
  json_t *root; /* top-level members read so far, but the objects list (names < 64 bytes) */
  size_t n;     /* elements handed out: the index of the next one */
  size_t max_object;
  size_t list_at, resume;
  int state;
  bool seen_objects, first_element;
  bool element_error;    /* the error returned was element n's (else the top level's) */
  struct fs_err pending; /* an element's error, returned after the run before it */
};

struct stix_split_part {
  size_t first_index; /* index of the run's first element in the objects list */
  size_t n;           /* elements in the run; 0: the list is over and the document checked */
  size_t start, end;  /* bytes of the run in the text */
};

/* Walks the top level of text (len bytes, which must outlive s) up to the objects list. *in_parts
 * is true when the document is a bundle or an envelope (no type, or type "bundle", before the
 * list) with a list of objects: then call stix_split_next until it hands out no elements. When
 * false (not a JSON object, no list of objects, a lone object) the caller reads the document
 * whole (stix_doc_parse says what is wrong with it). An element larger than max_object bytes is
 * an error (FS_ERR_TOO_LARGE naming its index and byte). FS_ERR_PARSE with the position, or
 * FS_ERR_NOMEM. Release s with stix_split_release, whatever the result. */
int stix_split_begin(struct stix_split *s, const char *text, size_t len, size_t max_object,
                     bool *in_parts, struct fs_err *err);
/* The next run of at most max_n elements, ending early before an element that would start more
 * than max_bytes after the run's first byte. An element that is malformed or too large ends the
 * run before it; the next call returns its error, with s->n its index. After a type other than
 * "bundle" that follows the list: FS_ERR_INVALID. */
int stix_split_next(struct stix_split *s, size_t max_n, size_t max_bytes, struct stix_split_part *p,
                    struct fs_err *err);
/* True when an element of the objects list (after stix_split_begin put s at it) has a top-level
 * member called name, key escapes decoded, or when the list cannot be read to its end (the member
 * may then be anywhere after): for a caller whose parts depend on each other when it is there. A
 * walk of the list with its own reader; s is not changed. */
bool stix_split_any_member(const struct stix_split *s, const char *name);
void stix_split_release(struct stix_split *s);

/* ---- Versions and metadata ---- */

/* What the store indexes about one object. Strings are borrowed from the object (valid while it
 * lives). Times are also given in milliseconds for indexes; ordering uses the text. */
struct stix_meta {
  enum stix_kind kind;
  const char *id;
  const char *type;
  const char *spec_version;        /* NULL when absent (SCOs may omit it) */
  const char *created, *modified;  /* NULL when absent */
  int64_t created_ms, modified_ms; /* 0 when absent */
  bool revoked;
  const char *valid_from, *valid_until; /* indicators only; NULL otherwise */
  int64_t valid_from_ms, valid_until_ms;
  const char *created_by_ref;        /* NULL when absent */
  const json_t *object_marking_refs; /* borrowed array of strings, or NULL */
  const json_t *granular_markings;   /* borrowed array of granular markings, or NULL */
};

/* Fills m from obj. FS_OK, or FS_ERR_INVALID (naming the property) when id/type are missing or
 * a time is not a STIX timestamp. Call it on validated objects. */
int stix_meta_get(const json_t *obj, struct stix_meta *m, struct fs_err *err);
/* The version of an object as TAXII reports it: modified, else created, else NULL (SCOs). */
const char *stix_meta_version(const struct stix_meta *m);
/* Orders two versions of one object by `modified` (then `created`) with full fraction precision:
 * <0 when a is older, 0 when the same version, >0 when a is newer. Objects without either time
 * (SCOs) compare equal. */
int stix_meta_version_cmp(const struct stix_meta *a, const struct stix_meta *b);
/* The same for two JSON objects (invalid times compare as absent). */
int stix_version_cmp(const json_t *a, const json_t *b);

/* ---- Deterministic SCO ids (spec sections 2.9 and 3.4) ---- */

/* Computes the id an SCO of a type defined by the specification should have: UUIDv5 in the STIX
 * namespace over its ID contributing properties serialized with RFC 8785. *deterministic is set
 * false (and out left empty) when the type has none or none is present: such objects use UUIDv4.
 * FS_OK; FS_ERR_INVALID for a non-SCO type or a non-object; FS_ERR_NOMEM. */
int stix_sco_id(const json_t *sco, char out[STIX_ID_MAX], bool *deterministic, struct fs_err *err);

#endif
