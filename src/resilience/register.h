/* Registers: one declarative mechanism for the records institutions keep about their resilience
 * and governance (BCM services, backup environments, drill evidence, exercises, findings,
 * governance, self-assessments, requirement sets, talent, third parties, ...).
 *
 * A register is a definition (struct reg_def): a static table of fields with their type, enum
 * values, bounds, whether they are required, part of the record's key, indexed (sortable and
 * filterable on the server), visible to other members in sector summaries, and their labels in
 * English and zh-TW; plus who keeps the records (scope, access) and two optional pure hooks: a
 * cross-field check and the derived fields. Everything else is generic: validation with errors
 * naming the field, versioned storage (every change is a new version; older versions stay, so
 * any past date can be read "as of"), the audit record in the same transaction, paging, sorting,
 * filtering, CSV/JSON import and export, and the schema the portal draws forms from.
 *
 * Visibility is the one policy's (auth/policy.h, POLICY_REGISTER_*): an institution reads and
 * edits its own records, the supervisor reads all, hub analysts read what the definition allows
 * (REG_HUB_READS), and a record the actor may not read is FS_ERR_NOT_FOUND, never "forbidden".
 *
 * Functions that change state open their own write transaction on c unless the caller has one. */
#ifndef FS_RESILIENCE_REGISTER_H
#define FS_RESILIENCE_REGISTER_H

#include "auth/actor.h"
#include "auth/auth.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

#include <jansson.h>

extern const struct store_schema resilience_schema;

enum reg_type {
  REG_TEXT,     /* one line, max = bytes (default 200) */
  REG_LONGTEXT, /* several lines, max = bytes (default 20000) */
  REG_CODE,     /* [a-z0-9][a-z0-9._-]*, max = bytes (default 64): keys, references */
  REG_INT,      /* integer in [min, max] */
  REG_NUMBER,   /* number in [min, max], kept to three decimals */
  REG_BOOL,
  REG_DATE, /* YYYY-MM-DD (a civil date, Asia/Taipei) */
  REG_ENUM, /* one of values */
  REG_LIST, /* list of one-line strings (at most max items, default 50, 200 bytes each) */
};

enum reg_field_flags {
  REG_REQUIRED = 1 << 0, /* must be given when a record is created */
  REG_KEY = 1 << 1,      /* part of the record's key: unique per organisation */
  REG_INDEXED = 1 << 2,  /* sortable and filterable on the server (a column of its own) */
  REG_MEMBER_VISIBLE =
      1 << 3,           /* may appear in sector summaries other members see (no org, no id) */
  REG_DERIVED = 1 << 4, /* computed by the definition's derive hook; never accepted as input */
};

struct reg_field {
  const char *name;
  enum reg_type type;
  unsigned flags;
  double min, max;           /* bounds (numbers), bytes (text), items (lists); 0,0: defaults */
  const char *const *values; /* REG_ENUM: NULL-terminated */
  const char *label_en, *label_zh;
};

enum reg_scope {
  REG_SCOPE_INSTITUTION, /* each institution keeps its own records */
  REG_SCOPE_SECTOR, /* reference data the hub keeps for everyone (catalogues, requirement sets) */
};

enum reg_access {
  REG_HUB_READS = 1 << 0,       /* hub analysts read every institution's records */
  REG_HUB_WRITES = 1 << 1,      /* hub analysts may also write records about an institution */
  REG_MEMBER_READONLY = 1 << 2, /* members read their records but only the hub writes them */
  REG_INTAKE_ONLY =
      1 << 3, /* records are made by a domain function (drill evidence), not by create */
};

struct reg_def {
  const char *name; /* "bcm-services": the path segment and the CLI word */
  const char *label_en, *label_zh;
  const char *about_en, *about_zh;
  enum reg_scope scope;
  unsigned access; /* enum reg_access bits */
  const struct reg_field *fields;
  size_t nfields;
  const char *default_sort; /* a field name, "-name" for descending; NULL: updated, newest first */
  /* Cross-field rules on the complete (merged) fields; FS_ERR_INVALID naming the field. Pure. */
  int (*check)(const json_t *fields, struct fs_err *err);
  /* Adds the REG_DERIVED fields to a record's fields, as of `now` (ms). Pure. */
  void (*derive)(json_t *fields, int64_t now);
};

/* ---- the definitions -------------------------------------------------------------------- */

/* Every register, in the order lists show them; *n gets the count. */
const struct reg_def *const *reg_all(size_t *n);
/* The register named name, or NULL. */
const struct reg_def *reg_find(const char *name);
/* The field of d named name, or NULL. */
const struct reg_field *reg_field_find(const struct reg_def *d, const char *name);
/* The definition as JSON for the portal's forms and lists (labels in both languages). */
json_t *reg_schema_json(const struct reg_def *d);

/* ---- validation (pure) ------------------------------------------------------------------- */

/* Checks the fields of a new record (create: every REG_REQUIRED present) or of a change (only
 * the fields given; they are merged into `base`, the current fields, by the caller first when
 * base is not NULL). Unknown fields, derived fields, wrong types, values out of bounds and
 * cross-field rules fail with FS_ERR_INVALID and where = "fields.NAME". Numbers are rounded to
 * three decimals in place. */
int reg_validate(const struct reg_def *d, json_t *fields, bool create, struct fs_err *err);
/* Converts the text of one value (CLI --field, a CSV cell) to JSON by the field's type; an empty
 * text is null (absent). Lists are separated by ';'. */
int reg_value_from_text(const struct reg_field *f, const char *text, json_t **out,
                        struct fs_err *err);
/* The text of a value for CSV ("" for null; lists joined by ';'), appended to out. */
int reg_value_to_text(const struct reg_field *f, const json_t *v, struct fs_buf *out);
/* Civil date "YYYY-MM-DD" to days since the epoch; -1 when not a valid date. */
int64_t reg_date_days(const char *s);
/* The civil date (Asia/Taipei) of a time in ms as days since the epoch. */
int64_t reg_today(int64_t now_ms);
/* The civil date (Asia/Taipei) of a time in ms, "YYYY-MM-DD" into out (11 bytes). */
void reg_date_of_ms(int64_t ms, char out[11]);

/* Reads an "as of" time: RFC 3339, or a date YYYY-MM-DD meaning the end of that day in Taipei.
 * where names the parameter in errors. */
int reg_parse_as_of(const char *s, const char *where, int64_t *out, struct fs_err *err);

/* ---- records ------------------------------------------------------------------------------ */

/* Creates a record of register d for organisation org (id or code; NULL: the actor's own; sector
 * registers belong to the hub). fields is validated here. The new id into id_out. */
int reg_create(struct store_conn *c, const struct actor *who, const struct reg_def *d,
               const char *org, json_t *fields, char id_out[37], struct fs_err *err);
/* Changes a record: fields (only those given; null removes an optional one) are merged into the
 * current version and validated; has_version: the version the change is based on (a stale one is
 * FS_ERR_CONFLICT). */
int reg_update(struct store_conn *c, const struct actor *who, const struct reg_def *d,
               const char *id, json_t *fields, bool has_version, int64_t version,
               struct fs_err *err);
/* One record as the actor may see it; as_of (0: now) reads the version current then. */
int reg_get_json(struct store_conn *c, const struct actor *who, const struct reg_def *d,
                 const char *id, int64_t as_of, json_t **out, struct fs_err *err);
/* Every version of a record, oldest first. */
int reg_versions_json(struct store_conn *c, const struct actor *who, const struct reg_def *d,
                      const char *id, json_t **out, struct fs_err *err);

#define REG_MAX_FILTERS 8
struct reg_query {
  const char *org;  /* id or code; NULL: every organisation the actor may read */
  const char *sort; /* an indexed field, "-field" descending; also "updated", "org", "key" */
  int64_t as_of;    /* 0: now */
  size_t nfilters;  /* equality filters on indexed fields */
  const char *filter_field[REG_MAX_FILTERS];
  const char *filter_value[REG_MAX_FILTERS];
};
/* One page of current records the actor may read, sorted on the server, with a cursor. */
int reg_list_json(struct store_conn *c, const struct actor *who, const struct reg_def *d,
                  const struct reg_query *q, const struct auth_page *page, json_t **out,
                  struct fs_err *err);
/* Calls fn with every record (JSON, borrowed) the list would give, all pages. */
typedef int (*reg_each_fn)(const json_t *record, void *ctx, struct fs_err *err);
int reg_each(struct store_conn *c, const struct actor *who, const struct reg_def *d,
             const struct reg_query *q, reg_each_fn fn, void *ctx, struct fs_err *err);

/* A sector summary of one REG_MEMBER_VISIBLE field, which every authenticated user may read: for
 * each value, how many institutions have a current record with it (as_of: then), listed only
 * when at least three do (fewer are counted in values_with_fewer), never an organisation or a
 * record id: {"register", "field", "institutions", "items": [{"value", "institutions"}], ...}. */
int reg_summary_json(struct store_conn *c, const struct actor *who, const struct reg_def *d,
                     const char *field, int64_t as_of, json_t **out, struct fs_err *err);

/* Export: "json" (an array of records) or "csv" (a header row of org, id, version and the
 * fields; RFC 4180 quoting) into out. */
int reg_export(struct store_conn *c, const struct actor *who, const struct reg_def *d,
               const struct reg_query *q, const char *format, struct fs_buf *out,
               struct fs_err *err);
/* Import of len bytes of "json" (an array of {"org"?, "fields": {...}} or of plain field
 * objects) or "csv" (header row of field names, optional "org" column): each row updates the
 * current record of its organisation with the same key, or creates one. All rows or none: an
 * error names the row and the field. *created and *updated count them. */
int reg_import(struct store_conn *c, const struct actor *who, const struct reg_def *d,
               const char *org, const char *format, const char *data, size_t len, int *created,
               int *updated, struct fs_err *err);

/* For domain functions of resilience/ (drill evidence, facts): the current fields of the records
 * of register d and organisation org_id as of as_of (0: now), without a policy check, in key
 * order; fn gets the record id, version and fields. */
typedef int (*reg_row_fn)(const char *id, int64_t version, const json_t *fields, void *ctx,
                          struct fs_err *err);
int reg_scan(struct store_conn *c, const struct reg_def *d, const char *org_id, int64_t as_of,
             reg_row_fn fn, void *ctx, struct fs_err *err);
/* A record's fields with the derived ones computed as of `at` (ms); a new reference. */
json_t *reg_fields_derived(const struct reg_def *d, const json_t *stored, int64_t at);
/* Writes a record made by a domain function (REG_INTAKE_ONLY registers): like reg_create without
 * the intake refusal; the policy is checked as for a create. */
int reg_intake(struct store_conn *c, const struct actor *who, const struct reg_def *d,
               const char *org_id, json_t *fields, char id_out[37], struct fs_err *err);

/* CSV (RFC 4180): one cell appended to out, quoted when needed. Pure. */
int reg_csv_cell(struct fs_buf *out, const char *s);
/* Splits data into rows of cells: calls fn(row_index, cells, n) for each row (row 0 is the
 * header). Quoted cells may hold commas, quotes ("") and line breaks. FS_ERR_PARSE naming
 * "line L" on an unterminated quote. At most 200 cells a row, 1 MiB a cell. Pure. */
typedef int (*reg_csv_row_fn)(size_t row, char **cells, size_t n, void *ctx, struct fs_err *err);
int reg_csv_parse(const char *data, size_t len, reg_csv_row_fn fn, void *ctx, struct fs_err *err);

#endif
