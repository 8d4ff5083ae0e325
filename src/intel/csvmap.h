/* CSV files and plain lists of indicators, read through a column mapping that says which column
 * holds the value, its kind, when it was seen and a comment. Pure: bytes in, rows out, or an
 * error naming the line. */
#ifndef FS_INTEL_CSVMAP_H
#define FS_INTEL_CSVMAP_H

#include "core/base.h"
#include "core/err.h"
#include "intel/canon.h"
#include "stix/tlp.h"

#define INTEL_CSV_MAX_COLUMNS 64
#define INTEL_CSV_MAX_FIELD 4096
#define INTEL_CSV_MAP_MAX 256 /* the mapping's text */

/* Which column holds what (1-based; 0: none). */
struct intel_csv_map {
  bool list;           /* a plain list: one value a line, " #..." comments; no columns */
  char delimiter;      /* ',' unless said (';', '\t' as "tab", '|') */
  bool header;         /* the first row names the columns and is skipped */
  int value;           /* the value's column (required for CSV) */
  enum intel_obs kind; /* every value's kind; INTEL_OBS_NONE: detected per value */
  int kind_col;        /* a column holding the kind (the hub's names or MISP attribute types) */
  int first_seen, last_seen, comment, tlp;
};

/* Reads a mapping: comma-separated "key=column" and flags, e.g.
 *   "value=2,type=ip,first_seen=1,comment=4,header"   "list"   "list,type=domain"
 *   "value=1,type_column=3,delimiter=tab"
 * Keys: value, type (a kind: ip, ipv4, ipv6, domain, url, md5, sha1, sha256, sha512, email, or
 * auto), type_column, first_seen, last_seen, comment, tlp (a column of TLP names), delimiter
 * (comma, semicolon, tab, pipe); flags: header, list. FS_ERR_INVALID naming the key. */
int intel_csv_map_parse(const char *spec, struct intel_csv_map *out, struct fs_err *err);
/* The mapping as text that intel_csv_map_parse reads back to the same mapping. */
void intel_csv_map_format(const struct intel_csv_map *m, char *out, size_t n);

/* One data row. Strings point into a buffer that lives until fn returns. */
struct intel_csv_row {
  size_t line;       /* where the row starts (1-based) */
  const char *value; /* NULL when the row has no such column: `problem` says so */
  const char *kind;  /* the kind column's text, or NULL */
  const char *comment;
  int64_t first_seen_ms, last_seen_ms; /* 0 when absent or unreadable */
  enum tlp_level tlp;                  /* TLP_NONE when absent */
  const char *problem;                 /* NULL, or why the row cannot give a value */
};
typedef int (*intel_csv_row_fn)(const struct intel_csv_row *row, void *ctx);

/* Calls fn for each data row of text (RFC 4180: quoted fields with "" and line breaks inside;
 * CRLF or LF; blank lines and lines starting with '#' skipped). A non-zero return of fn stops
 * and is returned. A quote left open, a field over INTEL_CSV_MAX_FIELD bytes or more than
 * INTEL_CSV_MAX_COLUMNS columns fails the whole text with FS_ERR_PARSE naming the line. */
int intel_csv_read(const char *text, size_t len, const struct intel_csv_map *m, intel_csv_row_fn fn,
                   void *ctx, struct fs_err *err);

#endif
