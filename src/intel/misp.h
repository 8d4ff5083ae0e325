/* The MISP feed format (MISP core format, draft-dulaunoy-misp-core-format; the copy in
 * reference/misp/): a feed is a folder or a web location with manifest.json, which lists the
 * events by UUID with their timestamps, and one <uuid>.json file per event ({"Event": {...}}).
 * This file reads both into plain structs and says which observables each attribute reports.
 * Pure: bytes in, structs out, or an error naming the place (JSON path or byte). */
#ifndef FS_INTEL_MISP_H
#define FS_INTEL_MISP_H

#include "core/arena.h"
#include "core/base.h"
#include "core/err.h"
#include "intel/canon.h"
#include "stix/tlp.h"

/* Limits on what a feed may make us hold. */
#define MISP_MAX_EVENT_BYTES (512u << 20) /* one event file */
#define MISP_MAX_ATTRIBUTES 5000000       /* attributes in one event, objects' included */
#define MISP_MAX_MANIFEST_EVENTS 1000000

/* One entry of manifest.json. */
struct misp_manifest_entry {
  char uuid[37];     /* checked: 36 characters of an RFC 4122 UUID, lower case (a file name) */
  int64_t timestamp; /* seconds: the event's last change */
  char sha256[65];   /* "integrity:sha256" of the event file, lower-case hex; "" when absent */
};

/* Reads manifest.json: *out (caller frees) gets its n entries in the file's order. A key that is
 * not a UUID, a missing or non-numeric timestamp, or more than MISP_MAX_MANIFEST_EVENTS entries
 * fail it whole (FS_ERR_PARSE / FS_ERR_INVALID / FS_ERR_TOO_LARGE, `where` the JSON path). */
int misp_manifest_parse(const char *bytes, size_t len, struct misp_manifest_entry **out, size_t *n,
                        struct fs_err *err);

/* MISP distribution levels (Event.distribution, Attribute.distribution). */
enum misp_distribution {
  MISP_DIST_ORG = 0,       /* your organisation only */
  MISP_DIST_COMMUNITY = 1, /* this community only */
  MISP_DIST_CONNECTED = 2, /* connected communities */
  MISP_DIST_ALL = 3,       /* all communities */
  MISP_DIST_GROUP = 4,     /* a sharing group */
  MISP_DIST_INHERIT = 5,   /* the event's (attributes only) */
};

/* One attribute (of the event or of one of its objects). Strings live in the event's arena. */
struct misp_attribute {
  const char *uuid;     /* may be "" */
  const char *type;     /* "ip-dst", "filename|sha256", ... */
  const char *category; /* may be "" */
  const char *value;
  const char *comment; /* may be "" */
  const char *object;  /* the name of the MISP object holding it, or NULL */
  bool to_ids, deleted;
  int distribution;   /* enum misp_distribution */
  enum tlp_level tlp; /* the strictest tlp: tag of the attribute, TLP_NONE when none */
  int64_t timestamp;  /* seconds, 0 when absent */
  int64_t first_seen_ms, last_seen_ms; /* 0 when absent or null */
  size_t index;                        /* its position: the n-th attribute read, for messages */
};

struct misp_event {
  struct fs_arena arena;
  const char *uuid, *info, *date; /* date "YYYY-MM-DD" */
  const char *org;                /* Orgc.name, or "" */
  bool published;
  int distribution;   /* enum misp_distribution */
  enum tlp_level tlp; /* the strictest tlp: tag of the event, TLP_NONE when none */
  int threat_level;   /* 1 high .. 4 undefined; 0 when absent */
  int64_t timestamp, publish_timestamp; /* seconds */
  struct misp_attribute *attrs;
  size_t n_attrs;
};

/* Reads one event file ({"Event": {...}}, or the event object itself) into *ev (caller releases
 * it with misp_event_release, also after a failure). The required members (uuid, info, date,
 * timestamp; an attribute's type and value) must be there with the right JSON types, numbers may
 * be strings or numbers as MISP writes them; unknown members are ignored. */
int misp_event_parse(const char *bytes, size_t len, struct misp_event *ev, struct fs_err *err);
void misp_event_release(struct misp_event *ev);

/* The observables one attribute reports, canonicalised: at most two ("domain|ip" reports both).
 * Composite types give their observable part ("filename|sha256": the hash; "ip-dst|port": the
 * address) and keep the rest in `detail` ("filename evil.exe", "port 443"). */
struct misp_observable {
  enum intel_obs kind;
  char value[INTEL_CANON_MAX + 1];
};
struct misp_observables {
  size_t n;
  struct misp_observable obs[2];
  char detail[160];
};

/* What an attribute is to the hub. */
enum misp_attr_use {
  MISP_USE_INDICATOR,  /* observables to share (the attribute is to_ids and not deleted) */
  MISP_USE_CONTEXT,    /* a type the hub indexes, but to_ids is false: not for detection */
  MISP_USE_OTHER_TYPE, /* a type without an observable the hub indexes (text, comment, ...) */
  MISP_USE_DELETED,    /* deleted (revoked) */
  MISP_USE_INVALID,    /* the value is not what its type says (err tells why) */
};

/* Classifies an attribute and canonicalises its observables into *out. */
enum misp_attr_use misp_attribute_observables(const struct misp_attribute *a,
                                              struct misp_observables *out, struct fs_err *err);

/* The TLP level of MISP content with no tlp: tag, from its distribution: "your organisation
 * only" is AMBER+STRICT (the hub alone), a sharing group AMBER (the hub and whom it names), the
 * others TLP_NONE (the source's default applies). */
enum tlp_level misp_distribution_tlp(int distribution);

#endif
