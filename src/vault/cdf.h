/* The standard critical-data format, version 1 (docs/critical-data-format.md): five tables
 * (customers, accounts, balances, holds, transactions) as CSV or JSON lines, sorted by their key,
 * and a manifest. The validator is pure and streaming: one line at a time, every error named by
 * file, line and field. */
#ifndef FS_VAULT_CDF_H
#define FS_VAULT_CDF_H

#include "vault/vault.h"

#define VAULT_CDF_VERSION 1
#define VAULT_CDF_MAX_LINE 4096
#define VAULT_CDF_MAX_FILES 16

enum vault_cdf_type {
  VAULT_CDF_ID,      /* [A-Za-z0-9_.-]{1,64} */
  VAULT_CDF_TEXT,    /* UTF-8 without control characters, at most `max` bytes */
  VAULT_CDF_HEX64,   /* 64 lower-case hex digits */
  VAULT_CDF_DATE,    /* YYYY-MM-DD, a real date */
  VAULT_CDF_DECIMAL, /* -?[0-9]{1,18}(\.[0-9]{1,6})? */
  VAULT_CDF_CCY,     /* [A-Z]{3} (ISO 4217) */
  VAULT_CDF_ENUM,    /* one of `values` */
};

struct vault_cdf_column {
  const char *name;
  enum vault_cdf_type type;
  bool optional;             /* may be empty */
  size_t max;                /* TEXT: bytes */
  const char *const *values; /* ENUM: NULL-terminated */
};

struct vault_cdf_table {
  const char *name;
  const struct vault_cdf_column *cols; /* the first column is the key */
  size_t ncols;
};

enum vault_cdf_format { VAULT_CDF_CSV, VAULT_CDF_JSONL };

/* The table named `name`, or NULL. */
const struct vault_cdf_table *vault_cdf_table(const char *name);
/* Table and format from a file name ("balances.csv", "accounts.jsonl"); false when neither. */
bool vault_cdf_table_of_file(const char *filename, const struct vault_cdf_table **t,
                             enum vault_cdf_format *fmt);

struct vault_cdf_state {
  const struct vault_cdf_table *t;
  enum vault_cdf_format fmt;
  const char *file; /* for messages; not owned */
  uint64_t line;    /* lines seen */
  uint64_t rows;    /* data rows seen */
  uint64_t errors;
  bool header_done;
  char last_key[80];
  size_t last_key_len;
  struct vault_problems *problems; /* not owned; may be NULL */
};

void vault_cdf_begin(struct vault_cdf_state *s, const struct vault_cdf_table *t,
                     enum vault_cdf_format fmt, const char *file, struct vault_problems *problems);
/* Validates one line (without its LF). Returns 1 for a data row (with *key, *keylen pointing into
 * line for CSV, or into a copy held by s for JSON lines), 0 for the CSV header, -1 for an error
 * (reported to problems). */
int vault_cdf_line(struct vault_cdf_state *s, const char *line, size_t len, const char **key,
                   size_t *keylen);
/* Accounts for a CSV line that is byte for byte a row of an earlier, validated version of the same
 * table: only its place is checked (the key order), not its fields again. Same returns as
 * vault_cdf_line. */
int vault_cdf_line_known(struct vault_cdf_state *s, const char *line, size_t len, const char **key,
                         size_t *keylen);
/* The key of a line already validated (the first CSV field, or the key field of a JSON object).
 * Used to compare rows of an earlier version; false when it has none (the header). */
bool vault_cdf_key(const struct vault_cdf_table *t, enum vault_cdf_format fmt, const char *line,
                   size_t len, char *key, size_t keycap, size_t *keylen);
/* Validates a whole file held in memory (pure; for tests and fuzzing). Returns the number of
 * errors; a last line without LF is an error. */
uint64_t vault_cdf_validate(const struct vault_cdf_table *t, enum vault_cdf_format fmt,
                            const char *file, const char *data, size_t len,
                            struct vault_problems *problems, uint64_t *rows);

/* The deposit manifest (manifest.json). */
struct vault_cdf_manifest_file {
  char name[128];
  char table[32];
  uint64_t rows;
  uint8_t sha256[32];
};
struct vault_cdf_manifest {
  char institution[128];
  char business_date[16];
  struct vault_cdf_manifest_file files[VAULT_CDF_MAX_FILES];
  size_t nfiles;
};
/* Parses and checks a manifest (pure). Errors name the JSON path. */
int vault_cdf_manifest_parse(const char *text, size_t len, struct vault_cdf_manifest *m,
                             struct fs_err *err);
/* True when s (len bytes) is a valid YYYY-MM-DD date. */
bool vault_cdf_date_ok(const char *s, size_t len);

#endif
