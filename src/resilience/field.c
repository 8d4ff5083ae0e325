/* The pure half of the register mechanism: field validation, text conversions (CLI and CSV),
 * the schema the portal draws forms from, civil dates and CSV. No I/O. */
#include "resilience/register.h"

#include "core/encode.h"
#include "core/time.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
    [REG_TEXT] = "text",   [REG_LONGTEXT] = "longtext", [REG_CODE] = "code",
    [REG_INT] = "integer", [REG_NUMBER] = "number",     [REG_BOOL] = "boolean",
    [REG_DATE] = "date",   [REG_ENUM] = "enum",         [REG_LIST] = "list",
};

const struct reg_field *reg_field_find(const struct reg_def *d, const char *name)
{
  for (size_t i = 0; name && i < d->nfields; i++)
    if (!strcmp(d->fields[i].name, name))
      return &d->fields[i];
  return NULL;
}

static size_t text_max(const struct reg_field *f)
{
  if (f->max > 0)
    return (size_t)f->max;
  return f->type == REG_LONGTEXT ? 20000 : f->type == REG_CODE ? 64 : 200;
}

int64_t reg_date_days(const char *s)
{
  if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return -1;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return -1;
  int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
    return -1;
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return -1;
  return fs_days_from_civil(y, (unsigned)m, (unsigned)d);
}

void reg_date_of_ms(int64_t ms, char out[11])
{
  int64_t local = ms + (int64_t)FS_TIME_TAIPEI_OFFSET_MIN * 60000;
  int64_t days = local >= 0 ? local / 86400000 : -((-local + 86399999) / 86400000);
  int64_t y;
  unsigned m, d;
  fs_civil_from_days(days, &y, &m, &d);
  snprintf(out, 11, "%04d-%02u-%02u", (int)y, m, d);
}

int reg_parse_as_of(const char *s, const char *where, int64_t *out, struct fs_err *err)
{
  int64_t days = reg_date_days(s);
  if (days >= 0) {
    *out = (days + 1) * 86400000 - (int64_t)FS_TIME_TAIPEI_OFFSET_MIN * 60000 - 1;
    return FS_OK;
  }
  if (s && !fs_time_parse_ms(s, strlen(s), out, NULL))
    return FS_OK;
  return fs_err_set(err, FS_ERR_INVALID, where, "must be a date YYYY-MM-DD or an RFC 3339 time");
}

static bool code_ok(const char *s)
{
  if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
    return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
          *p == '_'))
      return false;
  return true;
}

static bool line_ok(const char *s, size_t n, bool multiline)
{
  /* jansson's strings are valid UTF-8 already; a NUL inside is not text. */
  if (strlen(s) != n)
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch < 0x20 && !(multiline && (ch == '\n' || ch == '\r' || ch == '\t')))
      return false;
    if (ch == 0x7f)
      return false;
  }
  return true;
}

static int bad(struct fs_err *err, const struct reg_field *f, const char *fmt, ...) FS_PRINTF(3, 4);
static int bad(struct fs_err *err, const struct reg_field *f, const char *fmt, ...)
{
  char where[96];
  snprintf(where, sizeof(where), "fields.%s", f->name);
  va_list ap;
  va_start(ap, fmt);
  int rc = fs_err_vset(err, FS_ERR_INVALID, where, fmt, ap);
  va_end(ap);
  return rc;
}

static int check_value(const struct reg_field *f, json_t *v, struct fs_err *err)
{
  char msg[200];
  switch (f->type) {
  case REG_TEXT:
  case REG_LONGTEXT:
  case REG_CODE: {
    if (!json_is_string(v))
      return bad(err, f, "must be a string (%s)", type_names[f->type]);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 && (f->flags & REG_REQUIRED))
      return bad(err, f, "must not be empty");
    if (n > text_max(f))
      return bad(err, f, "is longer than %zu bytes", text_max(f));
    if (!line_ok(s, n, f->type == REG_LONGTEXT))
      return f->type == REG_LONGTEXT
                 ? bad(err, f, "must be UTF-8 text without control characters")
                 : bad(err, f, "must be UTF-8 text without control characters or line breaks");
    if (f->type == REG_CODE && n && !code_ok(s))
      return bad(err, f, "must be a code: lower-case letters, digits, '-', '.', '_' (%s)", s);
    return FS_OK;
  }
  case REG_INT:
  case REG_NUMBER: {
    if (!json_is_number(v) || (f->type == REG_INT && !json_is_integer(v)))
      return f->type == REG_INT ? bad(err, f, "must be an integer")
                                : bad(err, f, "must be a number");
    double x = json_number_value(v);
    if (!isfinite(x))
      return bad(err, f, "must be a finite number");
    if ((f->min || f->max) && (x < f->min || x > f->max)) {
      return bad(err, f, "must be between %g and %g (got %g)", f->min, f->max, x);
    }
    return FS_OK;
  }
  case REG_BOOL:
    return json_is_boolean(v) ? FS_OK : bad(err, f, "must be true or false");
  case REG_DATE:
    if (!json_is_string(v) || reg_date_days(json_string_value(v)) < 0)
      return bad(err, f, "must be a date YYYY-MM-DD");
    return FS_OK;
  case REG_ENUM: {
    const char *s = json_string_value(v);
    for (size_t i = 0; s && f->values[i]; i++)
      if (!strcmp(f->values[i], s))
        return FS_OK;
    size_t used = 0;
    msg[0] = '\0';
    for (size_t i = 0; f->values[i] && used < sizeof(msg); i++)
      used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s%s", i ? ", " : "", f->values[i]);
    return bad(err, f, "must be one of: %s", msg);
  }
  case REG_LIST: {
    if (!json_is_array(v))
      return bad(err, f, "must be a list of strings");
    size_t max = f->max > 0 ? (size_t)f->max : 50;
    if (json_array_size(v) > max) {
      return bad(err, f, "has more than %zu items", max);
    }
    size_t i;
    json_t *it;
    json_array_foreach(v, i, it)
    {
      if (!json_is_string(it) || !json_string_length(it) || json_string_length(it) > 200 ||
          !line_ok(json_string_value(it), json_string_length(it), false) ||
          strchr(json_string_value(it), ';')) {
        return bad(err, f, "item %zu must be a non-empty line of at most 200 bytes without ';'", i);
      }
    }
    return FS_OK;
  }
  }
  return FS_OK;
}

int reg_validate(const struct reg_def *d, json_t *fields, bool create, struct fs_err *err)
{
  if (!json_is_object(fields))
    return fs_err_set(err, FS_ERR_INVALID, "fields", "must be an object of field values");
  const char *key;
  json_t *v;
  void *tmp;
  json_object_foreach_safe(fields, tmp, key, v)
  {
    const struct reg_field *f = reg_field_find(d, key);
    char where[96];
    snprintf(where, sizeof(where), "fields.%.80s", key);
    if (!f)
      return fs_err_set(err, FS_ERR_INVALID, where, "register %s has no field %s", d->name, key);
    if (f->flags & REG_DERIVED)
      return fs_err_set(err, FS_ERR_INVALID, where, "%s is computed by the hub, not given", key);
    if (json_is_null(v)) {
      if (f->flags & REG_REQUIRED)
        return bad(err, f, "is required");
      json_object_del(fields, key);
      continue;
    }
    int rc = check_value(f, v, err);
    if (rc)
      return rc;
    if (f->type == REG_NUMBER) {
      double x = round(json_number_value(v) * 1000) / 1000;
      json_object_set_new(fields, key, json_real(x));
    }
  }
  if (create)
    for (size_t i = 0; i < d->nfields; i++) {
      const struct reg_field *f = &d->fields[i];
      if ((f->flags & (REG_REQUIRED | REG_KEY)) && !(f->flags & REG_DERIVED) &&
          !json_object_get(fields, f->name))
        return bad(err, f, "is required");
    }
  return d->check ? d->check(fields, err) : FS_OK;
}

int reg_value_from_text(const struct reg_field *f, const char *text, json_t **out,
                        struct fs_err *err)
{
  *out = NULL;
  if (!text || !*text) {
    *out = json_null();
    return FS_OK;
  }
  char *end;
  switch (f->type) {
  case REG_INT: {
    long long x = strtoll(text, &end, 10);
    if (*end)
      return bad(err, f, "must be an integer, not \"%s\"", text);
    *out = json_integer(x);
    break;
  }
  case REG_NUMBER: {
    double x = strtod(text, &end);
    if (*end || !isfinite(x))
      return bad(err, f, "must be a number, not \"%s\"", text);
    *out = json_real(x);
    break;
  }
  case REG_BOOL:
    if (!strcmp(text, "true") || !strcmp(text, "yes") || !strcmp(text, "1"))
      *out = json_true();
    else if (!strcmp(text, "false") || !strcmp(text, "no") || !strcmp(text, "0"))
      *out = json_false();
    else
      return bad(err, f, "must be true or false, not \"%s\"", text);
    break;
  case REG_LIST: {
    *out = json_array();
    const char *p = text;
    while (*out && *p) {
      const char *semi = strchr(p, ';');
      size_t n = semi ? (size_t)(semi - p) : strlen(p);
      while (n && (*p == ' '))
        p++, n--;
      while (n && p[n - 1] == ' ')
        n--;
      if (n)
        json_array_append_new(*out, json_stringn(p, n));
      p = semi ? semi + 1 : p + strlen(p);
    }
    break;
  }
  default:
    *out = json_string(text);
  }
  return *out ? FS_OK : fs_err_set(err, FS_ERR_INVALID, f->name, "not valid UTF-8 text");
}

int reg_value_to_text(const struct reg_field *f, const json_t *v, struct fs_buf *out)
{
  if (!v || json_is_null(v))
    return FS_OK;
  switch (f->type) {
  case REG_INT:
    return fs_buf_appendf(out, "%lld", (long long)json_integer_value(v));
  case REG_NUMBER:
    return fs_buf_appendf(out, "%.12g", json_number_value(v));
  case REG_BOOL:
    return fs_buf_append_str(out, json_is_true(v) ? "true" : "false");
  case REG_LIST: {
    size_t i;
    json_t *it;
    int rc = FS_OK;
    json_array_foreach(v, i, it)
    {
      if (i)
        rc = rc ? rc : fs_buf_append_char(out, ';');
      rc = rc ? rc : fs_buf_append_str(out, json_string_value(it) ? json_string_value(it) : "");
    }
    return rc;
  }
  default:
    return fs_buf_append_str(out, json_string_value(v) ? json_string_value(v) : "");
  }
}

json_t *reg_schema_json(const struct reg_def *d)
{
  json_t *fields = json_array();
  for (size_t i = 0; i < d->nfields; i++) {
    const struct reg_field *f = &d->fields[i];
    json_t *o = json_pack(
        "{s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:{s:s,s:s}}", "name", f->name, "type", type_names[f->type],
        "required", (f->flags & REG_REQUIRED) != 0, "key", (f->flags & REG_KEY) != 0, "indexed",
        (f->flags & REG_INDEXED) != 0, "member_visible", (f->flags & REG_MEMBER_VISIBLE) != 0,
        "derived", (f->flags & REG_DERIVED) != 0, "label", "en", f->label_en, "zh-TW", f->label_zh);
    if (!o)
      continue;
    if (f->type == REG_ENUM) {
      json_t *vals = json_array();
      for (size_t k = 0; f->values[k]; k++)
        json_array_append_new(vals, json_string(f->values[k]));
      json_object_set_new(o, "values", vals);
    }
    if (f->type == REG_INT || f->type == REG_NUMBER) {
      if (f->min || f->max) {
        json_object_set_new(o, "min", json_real(f->min));
        json_object_set_new(o, "max", json_real(f->max));
      }
    } else if (f->type == REG_LIST) {
      json_object_set_new(o, "max_items", json_integer(f->max > 0 ? (json_int_t)f->max : 50));
    } else if (f->type != REG_BOOL && f->type != REG_DATE && f->type != REG_ENUM) {
      json_object_set_new(o, "max_bytes", json_integer((json_int_t)text_max(f)));
    }
    json_array_append_new(fields, o);
  }
  return json_pack(
      "{s:s,s:{s:s,s:s},s:{s:s,s:s},s:s,s:{s:b,s:b,s:b,s:b},s:s?,s:o}", "name", d->name, "label",
      "en", d->label_en, "zh-TW", d->label_zh, "about", "en", d->about_en, "zh-TW", d->about_zh,
      "scope", d->scope == REG_SCOPE_SECTOR ? "sector" : "institution", "access", "hub_reads",
      (d->access & REG_HUB_READS) != 0, "hub_writes", (d->access & REG_HUB_WRITES) != 0,
      "member_readonly", (d->access & REG_MEMBER_READONLY) != 0, "intake_only",
      (d->access & REG_INTAKE_ONLY) != 0, "default_sort", d->default_sort, "fields", fields);
}

/* ---- CSV ---------------------------------------------------------------------------------- */

int reg_csv_cell(struct fs_buf *out, const char *s)
{
  if (!s)
    s = "";
  bool quote = strpbrk(s, ",\"\r\n") != NULL || (*s == ' ') || (*s && s[strlen(s) - 1] == ' ');
  /* A cell that a spreadsheet would run as a formula is kept as text with a leading quote. */
  bool formula =
      *s == '=' || *s == '+' || *s == '@' || (*s == '-' && s[1] && !(s[1] >= '0' && s[1] <= '9'));
  int rc = quote || formula ? fs_buf_append_char(out, '"') : FS_OK;
  if (!rc && formula)
    rc = fs_buf_append_char(out, '\'');
  for (const char *p = s; !rc && *p; p++)
    rc = *p == '"' ? fs_buf_append(out, "\"\"", 2) : fs_buf_append_char(out, *p);
  if (!rc && (quote || formula))
    rc = fs_buf_append_char(out, '"');
  return rc;
}

#define CSV_MAX_CELLS 200
#define CSV_MAX_CELL (1u << 20)

int reg_csv_parse(const char *data, size_t len, reg_csv_row_fn fn, void *ctx, struct fs_err *err)
{
  char *cells[CSV_MAX_CELLS];
  size_t ncells = 0, row = 0, line = 1;
  struct fs_buf cell;
  fs_buf_init(&cell, CSV_MAX_CELL);
  int rc = FS_OK;
  size_t i = 0;
  /* A UTF-8 byte order mark (spreadsheets write one) is not part of the first cell. */
  if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
    i = 3;
  bool any = false;
  while (!rc && i <= len) {
    bool end_row = false;
    fs_buf_reset(&cell);
    if (i < len && data[i] == '"') {
      size_t start_line = line;
      i++;
      for (;;) {
        if (i >= len) {
          char where[32];
          snprintf(where, sizeof(where), "line %zu", start_line);
          rc = fs_err_set(err, FS_ERR_PARSE, where, "a quoted cell is not closed");
          break;
        }
        if (data[i] == '"') {
          if (i + 1 < len && data[i + 1] == '"') {
            rc = fs_buf_append_char(&cell, '"');
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (data[i] == '\n')
          line++;
        rc = fs_buf_append_char(&cell, data[i++]);
        if (rc)
          break;
      }
      if (rc)
        break;
      if (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
        char where[32];
        snprintf(where, sizeof(where), "line %zu", line);
        rc = fs_err_set(err, FS_ERR_PARSE, where, "text after a quoted cell");
        break;
      }
    } else {
      while (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r' && !rc)
        rc = fs_buf_append_char(&cell, data[i++]);
      if (rc)
        break;
    }
    if (i >= len || data[i] == '\n' || data[i] == '\r')
      end_row = true;
    if (ncells >= CSV_MAX_CELLS) {
      char where[32];
      snprintf(where, sizeof(where), "line %zu", line);
      rc = fs_err_set(err, FS_ERR_TOO_LARGE, where, "more than %d cells in a row", CSV_MAX_CELLS);
      break;
    }
    const char *cs = fs_buf_cstr(&cell);
    cells[ncells] = strdup(cs ? cs : "");
    if (!cells[ncells]) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "csv", "out of memory");
      break;
    }
    if (cell.len)
      any = true;
    ncells++;
    if (i < len && data[i] == ',') {
      i++;
      continue;
    }
    if (end_row) {
      if (i < len && data[i] == '\r')
        i++;
      if (i < len && data[i] == '\n')
        i++;
      /* Blank lines (one empty cell) are skipped. */
      if (any || ncells > 1)
        rc = fn(row++, cells, ncells, ctx, err);
      for (size_t k = 0; k < ncells; k++)
        free(cells[k]);
      ncells = 0;
      any = false;
      line++;
      if (i >= len)
        break;
    }
  }
  for (size_t k = 0; k < ncells; k++)
    free(cells[k]);
  if (cell.len > CSV_MAX_CELL)
    rc = fs_err_set(err, FS_ERR_TOO_LARGE, "csv", "a cell is larger than 1 MiB");
  fs_buf_release(&cell);
  return rc;
}
