/* STIX object paths on events: which fields of an event give the values of a path such as
 * `network-traffic:dst_port` in each source's shape (syslog key=value, CEF, ECS, Sysmon/evtx JSON;
 * field names first pass through Sigma's per-source mapping), the canonical forms values are
 * compared in, and a per-thread view of one event that answers stix_pattern_eval's lookups.
 * The table is documented in docs/soc.md and docs/internals/detect.md. */
#ifndef FS_DETECT_STIX_FIELDS_H
#define FS_DETECT_STIX_FIELDS_H

#include "detect/event.h"
#include "stix/pattern.h"

/* The paths events can give. The first ten are "value paths": their values are found anywhere in
 * the event (every field, and free text) by the tokenizer, as the indicator index finds them. */
enum detect_stix_path {
  DETECT_STIX_NONE,       /* no event field gives this path: its comparisons are false */
  DETECT_STIX_IPV4,       /* ipv4-addr:value */
  DETECT_STIX_IPV6,       /* ipv6-addr:value */
  DETECT_STIX_DOMAIN,     /* domain-name:value (also hosts of URLs, domains of e-mail addresses) */
  DETECT_STIX_URL,        /* url:value */
  DETECT_STIX_EMAIL,      /* email-addr:value */
  DETECT_STIX_MD5,        /* file:hashes.MD5 */
  DETECT_STIX_SHA1,       /* file:hashes.'SHA-1' */
  DETECT_STIX_SHA256,     /* file:hashes.'SHA-256' */
  DETECT_STIX_SHA512,     /* file:hashes.'SHA-512' */
  DETECT_STIX_SRC,        /* network-traffic:src_ref.value: an address or a host name */
  DETECT_STIX_DST,        /* network-traffic:dst_ref.value */
  DETECT_STIX_SRC_TYPE,   /* network-traffic:src_ref.type: ipv4-addr, ipv6-addr or domain-name */
  DETECT_STIX_DST_TYPE,   /* network-traffic:dst_ref.type */
  DETECT_STIX_SRC_PORT,   /* network-traffic:src_port (integer) */
  DETECT_STIX_DST_PORT,   /* network-traffic:dst_port (integer) */
  DETECT_STIX_PROTOCOLS,  /* network-traffic:protocols[*] (lower case) */
  DETECT_STIX_FILE_NAME,  /* file:name */
  DETECT_STIX_FILE_SIZE,  /* file:size (integer) */
  DETECT_STIX_PROC_NAME,  /* process:name, process:image_ref.name */
  DETECT_STIX_PROC_CMD,   /* process:command_line */
  DETECT_STIX_PROC_PID,   /* process:pid (integer) */
  DETECT_STIX_USER_ID,    /* user-account:user_id */
  DETECT_STIX_USER_LOGIN, /* user-account:account_login */
  DETECT_STIX_MAIL_FROM,  /* email-message:from_ref.value, email-message:sender_ref.value */
  DETECT_STIX_MAIL_TO,    /* email-message:to_refs[*].value (also cc_refs, bcc_refs) */
  DETECT_STIX_MAIL_SUBJECT, /* email-message:subject */
  DETECT_STIX_REG_KEY,      /* windows-registry-key:key */
  DETECT_STIX__COUNT
};

/* The path a STIX object path names, or DETECT_STIX_NONE. *list_index is the n of a list step
 * "[n]" (protocols[0], to_refs[1].value), or -1 for "[*]" and paths without a list step. */
enum detect_stix_path detect_stix_path_of(const struct stix_pattern_path *p, int64_t *list_index);
/* The STIX spelling of a path ("network-traffic:dst_port"), for messages and documentation. */
const char *detect_stix_path_name(enum detect_stix_path id);
/* Writes the text of a pattern's object path ("file:hashes.'SHA-256'") into out (cap bytes). */
void detect_stix_path_text(const struct stix_pattern_path *p, char *out, size_t cap);

/* True for the paths whose values are addresses or host names (ranges and subdomains apply). */
bool detect_stix_path_is_address(enum detect_stix_path id);

/* The canonical form of a value of path id, in which both event values and pattern literals are
 * compared: addresses in their canonical text ("2001:db8::1", ranges "10.0.0.0/8"), domain names,
 * e-mail addresses and digests lower case, URLs normalised (detect_url_normalize), protocols lower
 * case (IANA numbers 1, 6, 17, 58 named), registry hives spelled in full and upper case
 * (HKLM\... -> HKEY_LOCAL_MACHINE\...); other paths as they are. Writes at most cap bytes (no
 * NUL) and the length in *len; false when s is not a value of that kind (an IPv4 path given a
 * name) or does not fit. */
bool detect_stix_canon(enum detect_stix_path id, const char *s, size_t n, char *out, size_t cap,
                       size_t *len);

/* The index type a canonical literal of path id is looked up as when it is an anchor (an address
 * or range, a domain name of two labels or more, a URL, an e-mail address, a digest of the path's
 * length), or -1 when it cannot be one. */
int detect_stix_anchor_type(enum detect_stix_path id, const char *canon, size_t n);

/* ---- the view of one event ------------------------------------------------------------------ *
 * Per thread: allocated once, pointed at each event in turn. What it works out (which field gives
 * which path, the tokens of the event's text) is computed on the first lookup that needs it and
 * kept until the next reset; nothing is allocated per event. */

struct detect_stix_view;

/* A view with its regular-expression scratch, or NULL when out of memory. */
struct detect_stix_view *detect_stix_view_new(void);
void detect_stix_view_free(struct detect_stix_view *v);
/* Points the view at ev (which must stay unchanged while the view is used on it). */
void detect_stix_view_reset(struct detect_stix_view *v, const struct detect_event *ev);
/* The scratch stix_pattern_eval needs on this thread. */
struct stix_pattern_scratch *detect_stix_view_scratch(struct detect_stix_view *v);
/* An stix_pattern_lookup_fn (ctx is the view): the index-th value of path in the event. Values
 * of the value paths come from every field and the free text; the others from the fields the
 * table maps to them. The value stays valid until the next lookup. */
bool detect_stix_lookup(void *view, const struct stix_pattern_path *path, size_t index,
                        struct stix_pattern_value *out);

#endif
