/* Export and import of register records: JSON (the records as lists give them) and CSV (a header
 * row of org, id, version and the field names; RFC 4180). An import applies every row or none,
 * and names the row and the field of the first error. And sector summaries of member-visible
 * fields. */
#include "resilience/internal.h"

#include "auth/org.h"
#include "auth/policy.h"
#include "core/jsonx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- export ------------------------------------------------------------------------------- */

struct exp {
  const struct reg_def *d;
  struct fs_buf *out;
  bool csv;
  size_t n;
};

static int exp_row(const json_t *rec, void *ctx, struct fs_err *err)
{
  struct exp *e = ctx;
  int rc = FS_OK;
  if (!e->csv) {
    char *s = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
    if (!s)
      return fs_err_set(err, FS_ERR_NOMEM, "export", "out of memory");
    rc = fs_buf_append_str(e->out, e->n ? ",\n" : "\n");
    rc = rc ? rc : fs_buf_append_str(e->out, s);
    free(s);
  } else {
    char ver[24];
    snprintf(ver, sizeof(ver), "%lld",
             (long long)json_integer_value(json_object_get(rec, "version")));
    rc = reg_csv_cell(e->out, json_string_value(json_object_get(rec, "org")));
    rc = rc ? rc : fs_buf_append_char(e->out, ',');
    rc = rc ? rc : reg_csv_cell(e->out, json_string_value(json_object_get(rec, "id")));
    rc = rc ? rc : fs_buf_append_char(e->out, ',');
    rc = rc ? rc : reg_csv_cell(e->out, ver);
    const json_t *fields = json_object_get(rec, "fields");
    for (size_t i = 0; !rc && i < e->d->nfields; i++) {
      struct fs_buf cell;
      fs_buf_init(&cell, 1 << 20);
      rc =
          reg_value_to_text(&e->d->fields[i], json_object_get(fields, e->d->fields[i].name), &cell);
      rc = rc ? rc : fs_buf_append_char(e->out, ',');
      rc = rc ? rc : reg_csv_cell(e->out, fs_buf_cstr(&cell));
      fs_buf_release(&cell);
    }
    rc = rc ? rc : fs_buf_append(e->out, "\r\n", 2);
  }
  e->n++;
  return rc ? fs_err_set(err, rc, "export", "the export is too large for memory") : FS_OK;
}

int reg_export(struct store_conn *c, const struct actor *who, const struct reg_def *d,
               const struct reg_query *q, const char *format, struct fs_buf *out,
               struct fs_err *err)
{
  struct exp e = {.d = d, .out = out, .csv = format && !strcmp(format, "csv")};
  if (format && strcmp(format, "csv") && strcmp(format, "json"))
    return fs_err_set(err, FS_ERR_INVALID, "format", "the export format is csv or json, not %s",
                      format);
  int rc = FS_OK;
  if (e.csv) {
    rc = fs_buf_append_str(out, "org,id,version");
    for (size_t i = 0; !rc && i < d->nfields; i++) {
      rc = fs_buf_append_char(out, ',');
      rc = rc ? rc : reg_csv_cell(out, d->fields[i].name);
    }
    rc = rc ? rc : fs_buf_append(out, "\r\n", 2);
  } else {
    rc = fs_buf_append_char(out, '[');
  }
  if (!rc)
    rc = reg_each(c, who, d, q, exp_row, &e, err);
  if (!rc && !e.csv)
    rc = fs_buf_append_str(out, e.n ? "\n]\n" : "]\n");
  return rc;
}

/* ---- import ------------------------------------------------------------------------------- */

struct imp {
  struct store_conn *c;
  const struct actor *who;
  const struct reg_def *d;
  const char *org;
  int created, updated;
  /* CSV: the header's fields (NULL for the ignored columns), and the org column. */
  const struct reg_field *cols[200];
  size_t ncols;
  long org_col;
};

static const char *const meta_keys[] = {
    "id",         "register",   "org",        "org_id",     "version", "key",           "fields",
    "created_at", "updated_at", "created_by", "updated_by", "current", "superseded_at", NULL};

/* The current record of org with the key of fields: its id into id (or "" when none). */
static int find_by_key(struct imp *im, const char *org_id, const json_t *fields, char id[37],
                       struct fs_err *err)
{
  char key[256];
  reg_key_of(im->d, fields, key, sizeof(key));
  bool found;
  int rc = store_query_text(im->c, id, 37, &found, err,
                            "SELECT id FROM resil_record WHERE reg = ? AND org_id = ? AND rkey = ?"
                            " AND is_current = 1",
                            "sss", im->d->name, org_id, key);
  if (!rc && !found)
    id[0] = '\0';
  return rc;
}

static int apply(struct imp *im, const char *org, json_t *fields, size_t row, struct fs_err *err)
{
  /* Derived fields in an exported file are the hub's own; they are not input. */
  for (size_t i = 0; i < im->d->nfields; i++)
    if (im->d->fields[i].flags & REG_DERIVED)
      json_object_del(fields, im->d->fields[i].name);
  char org_id[37], id[37];
  int rc;
  if (im->d->scope == REG_SCOPE_SECTOR)
    rc = org_hub_id(im->c, org_id, err);
  else if ((org && *org) || (im->org && *im->org))
    rc = org_resolve(im->c, org && *org ? org : im->org, org_id, err);
  else {
    snprintf(org_id, sizeof(org_id), "%s", im->who->org_id);
    rc = org_id[0] ? FS_OK : fs_err_set(err, FS_ERR_INVALID, "org", "say which organisation");
  }
  /* Whether the actor may write there is decided before looking for the key, so that a refusal
   * never tells whether the organisation has a record with that key. */
  struct policy_target t = {.org_id = org_id, .role = -1, .rel = reg_policy_rel(im->d)};
  if (!rc)
    rc = policy_check(im->who, POLICY_REGISTER_WRITE, &t, "records of this organisation", err);
  if (!rc)
    rc = find_by_key(im, org_id, fields, id, err);
  if (!rc && id[0]) {
    rc = reg_update(im->c, im->who, im->d, id, fields, false, 0, err);
    im->updated += !rc;
  } else if (!rc) {
    rc = reg_create(im->c, im->who, im->d, org_id, fields, id, err);
    im->created += !rc;
  }
  if (rc) {
    char where[160];
    snprintf(where, sizeof(where), "row %zu", row);
    fs_err_wrap_where(err, where);
  }
  return rc;
}

static int csv_row(size_t row, char **cells, size_t n, void *ctx, struct fs_err *err)
{
  struct imp *im = ctx;
  if (row == 0) {
    im->org_col = -1;
    im->ncols = n;
    for (size_t i = 0; i < n; i++) {
      im->cols[i] = NULL;
      if (!strcmp(cells[i], "org"))
        im->org_col = (long)i;
      else if (!strcmp(cells[i], "id") || !strcmp(cells[i], "version") || !strcmp(cells[i], "key"))
        continue;
      else if (!(im->cols[i] = reg_field_find(im->d, cells[i])))
        return fs_err_set(err, FS_ERR_INVALID, "header",
                          "column %zu: register %s has no field \"%.64s\"", i + 1, im->d->name,
                          cells[i]);
    }
    return FS_OK;
  }
  if (n != im->ncols) {
    char where[32];
    snprintf(where, sizeof(where), "row %zu", row);
    return fs_err_set(err, FS_ERR_INVALID, where, "has %zu cells, the header has %zu", n,
                      im->ncols);
  }
  json_t *fields = json_object();
  int rc = FS_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    const struct reg_field *f = im->cols[i];
    if (!f || (f->flags & REG_DERIVED) || !*cells[i])
      continue;
    /* The export's guard against spreadsheet formulas ("'=...") comes off again. */
    const char *text = cells[i];
    if (text[0] == '\'' && strchr("=+-@", text[1]))
      text++;
    json_t *v;
    if ((rc = reg_value_from_text(f, text, &v, err))) {
      char where[32];
      snprintf(where, sizeof(where), "row %zu", row);
      fs_err_wrap_where(err, where);
      break;
    }
    json_object_set_new(fields, f->name, v);
  }
  if (!rc)
    rc = apply(im, im->org_col >= 0 ? cells[im->org_col] : NULL, fields, row, err);
  json_decref(fields);
  return rc;
}

int reg_import(struct store_conn *c, const struct actor *who, const struct reg_def *d,
               const char *org, const char *format, const char *data, size_t len, int *created,
               int *updated, struct fs_err *err)
{
  struct imp *im = calloc(1, sizeof(*im));
  if (!im)
    return fs_err_set(err, FS_ERR_NOMEM, "import", "out of memory");
  im->c = c;
  im->who = who;
  im->d = d;
  im->org = org;
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (!rc && format && !strcmp(format, "csv")) {
    rc = reg_csv_parse(data, len, csv_row, im, err);
  } else if (!rc && (!format || !strcmp(format, "json"))) {
    json_t *doc;
    rc = jsonx_parse(data, len, &doc, err);
    if (!rc && !json_is_array(doc)) {
      json_decref(doc);
      rc = fs_err_set(err, FS_ERR_INVALID, "$", "an import is a JSON array of records");
    }
    if (!rc) {
      size_t i;
      json_t *it;
      json_array_foreach(doc, i, it)
      {
        char where[32];
        snprintf(where, sizeof(where), "row %zu", i + 1);
        if (!json_is_object(it)) {
          rc = fs_err_set(err, FS_ERR_INVALID, where, "must be an object");
          break;
        }
        json_t *fields = json_object_get(it, "fields");
        const char *o = json_string_value(json_object_get(it, "org"));
        if (fields) {
          if ((rc = jsonx_only_keys(it, meta_keys, where, err)))
            break;
          fields = json_deep_copy(fields);
        } else {
          fields = json_deep_copy(it);
          json_object_del(fields, "org");
        }
        rc = apply(im, o, fields, i + 1, err);
        json_decref(fields);
        if (rc)
          break;
      }
      json_decref(doc);
    }
  } else if (!rc) {
    rc = fs_err_set(err, FS_ERR_INVALID, "format", "the import format is csv or json, not %s",
                    format);
  }
  rc = store_tx_leave(c, owned, rc, err);
  if (!rc) {
    *created = im->created;
    *updated = im->updated;
  }
  free(im);
  return rc;
}

/* ---- sector summaries of member-visible fields ------------------------------------------------
 */

#define SUMMARY_MIN_ORGS 3

int reg_summary_json(struct store_conn *c, const struct actor *who, const struct reg_def *d,
                     const char *field, int64_t as_of, json_t **out, struct fs_err *err)
{
  const struct reg_field *f = reg_field_find(d, field);
  if (!f || !(f->flags & REG_MEMBER_VISIBLE) || f->type == REG_LONGTEXT || f->type == REG_LIST)
    return fs_err_set(err, FS_ERR_INVALID, "field",
                      "%s has no field \"%.64s\" that may be summarised for the sector (see the "
                      "schema's member_visible)",
                      d->name, field ? field : "");
  struct store_stmt *s;
  int rc =
      as_of ? store_query(c, &s, err,
                          "SELECT org_id, body FROM resil_record WHERE reg = ? AND valid_from <= ?"
                          " AND (valid_to IS NULL OR valid_to > ?)",
                          "sii", d->name, as_of, as_of)
            : store_query(c, &s, err,
                          "SELECT org_id, body FROM resil_record WHERE reg = ? AND is_current = 1",
                          "s", d->name);
  if (rc)
    return rc;
  /* value -> {org_id: true}: institutions, not records, are counted. */
  json_t *by = json_object(), *orgs = json_object();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    const char *body = store_col_text(s, 1);
    json_t *fields;
    if (jsonx_parse_object(body, strlen(body), &fields, NULL))
      continue;
    json_t *fd = reg_fields_derived(d, fields, as_of ? as_of : who->now_ms);
    json_decref(fields);
    struct fs_buf b;
    fs_buf_init(&b, 255);
    reg_value_to_text(f, json_object_get(fd, f->name), &b);
    json_decref(fd);
    const char *v = fs_buf_cstr(&b);
    if (*v) {
      json_t *set = json_object_get(by, v);
      if (!set) {
        set = json_object();
        json_object_set_new(by, v, set);
      }
      json_object_set_new(set, store_col_text(s, 0), json_true());
      json_object_set_new(orgs, store_col_text(s, 0), json_true());
    }
    fs_buf_release(&b);
  }
  store_done(s);
  json_t *items = json_array();
  size_t fewer = 0;
  const char *k;
  json_t *set;
  json_object_foreach(by, k, set)
  {
    size_t n = json_object_size(set);
    if (n >= SUMMARY_MIN_ORGS)
      json_array_append_new(items,
                            json_pack("{s:s,s:I}", "value", k, "institutions", (json_int_t)n));
    else
      fewer++;
  }
  json_decref(by);
  size_t total = json_object_size(orgs);
  json_decref(orgs);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:s,s:s,s:I,s:i,s:I,s:o}", "register", d->name, "field", f->name,
                   "institutions", (json_int_t)total, "min_institutions", SUMMARY_MIN_ORGS,
                   "values_with_fewer", (json_int_t)fewer, "items", items);
  return *out ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, d->name, "out of memory");
}
