/* CSV and plain lists through a column mapping (see csvmap.h). */
#include "intel/csvmap.h"

#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  char c;
} delimiters[] = {{"comma", ','}, {"semicolon", ';'}, {"tab", '\t'}, {"pipe", '|'}};

static int column_of(const char *v, const char *key, int *out, struct fs_err *err)
{
  char *end;
  long n = strtol(v, &end, 10);
  if (!*v || *end || n < 1 || n > INTEL_CSV_MAX_COLUMNS)
    return fs_err_set(err, FS_ERR_INVALID, key, "a column number from 1 to %d is expected",
                      INTEL_CSV_MAX_COLUMNS);
  *out = (int)n;
  return FS_OK;
}

int intel_csv_map_parse(const char *spec, struct intel_csv_map *out, struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  out->delimiter = ',';
  char buf[INTEL_CSV_MAP_MAX];
  if (!spec || strlen(spec) >= sizeof(buf))
    return fs_err_set(err, FS_ERR_INVALID, "mapping", "a mapping of at most %d bytes is expected",
                      INTEL_CSV_MAP_MAX - 1);
  snprintf(buf, sizeof(buf), "%s", spec);
  int rc = FS_OK;
  unsigned seen = 0;
  for (char *item = buf, *next; item && !rc; item = next) {
    next = strchr(item, ',');
    if (next)
      *next++ = '\0';
    while (*item == ' ')
      item++;
    for (size_t l = strlen(item); l && item[l - 1] == ' ';)
      item[--l] = '\0';
    if (!*item)
      continue;
    char *eq = strchr(item, '=');
    const char *v = eq ? eq + 1 : NULL;
    if (eq)
      *eq = '\0';
    static const char *const keys[] = {"value",   "type", "type_column", "first_seen", "last_seen",
                                       "comment", "tlp",  "delimiter",   "header",     "list"};
    int k = -1;
    for (int i = 0; i < (int)FS_ARRAY_SIZE(keys) && k < 0; i++)
      if (!strcmp(item, keys[i]))
        k = i;
    bool flag = k == 8 || k == 9;
    if (k < 0 || (flag && v) || (!flag && (!v || !*v)))
      return fs_err_set(err, FS_ERR_INVALID, item,
                        "expected value=N, type=KIND, type_column=N, first_seen=N, last_seen=N, "
                        "comment=N, tlp=N, delimiter=D, header or list");
    if (seen & (1u << k))
      return fs_err_set(err, FS_ERR_INVALID, item, "given twice");
    seen |= 1u << k;
    switch (k) {
    case 0:
      rc = column_of(v, item, &out->value, err);
      break;
    case 1:
      out->kind = strcmp(v, "auto") ? intel_obs_parse(v) : INTEL_OBS_NONE;
      if (strcmp(v, "auto") && out->kind == INTEL_OBS_NONE)
        rc = fs_err_set(err, FS_ERR_INVALID, "type",
                        "\"%.40s\" is not a kind (ip, ipv4, ipv6, domain, url, md5, sha1, sha256, "
                        "sha512, email or auto)",
                        v);
      break;
    case 2:
      rc = column_of(v, item, &out->kind_col, err);
      break;
    case 3:
      rc = column_of(v, item, &out->first_seen, err);
      break;
    case 4:
      rc = column_of(v, item, &out->last_seen, err);
      break;
    case 5:
      rc = column_of(v, item, &out->comment, err);
      break;
    case 6:
      rc = column_of(v, item, &out->tlp, err);
      break;
    case 7: {
      out->delimiter = 0;
      for (size_t i = 0; i < FS_ARRAY_SIZE(delimiters); i++)
        if (!strcmp(v, delimiters[i].name))
          out->delimiter = delimiters[i].c;
      if (!out->delimiter)
        rc = fs_err_set(err, FS_ERR_INVALID, "delimiter", "expected comma, semicolon, tab or pipe");
      break;
    }
    case 8:
      out->header = true;
      break;
    default:
      out->list = true;
      break;
    }
  }
  if (!rc && out->list &&
      (out->value > 1 || out->kind_col || out->first_seen || out->last_seen || out->comment ||
       out->tlp || out->header))
    rc = fs_err_set(err, FS_ERR_INVALID, "list",
                    "a plain list has no columns: only type= goes with it");
  if (!rc && !out->list && !out->value)
    rc = fs_err_set(err, FS_ERR_INVALID, "value",
                    "say which column holds the value (value=N), or list");
  if (!rc && out->list)
    out->value = 1;
  return rc;
}

void intel_csv_map_format(const struct intel_csv_map *m, char *out, size_t n)
{
  size_t o = 0;
#define PUT(...) (o += (size_t)snprintf(out + o, o < n ? n - o : 0, __VA_ARGS__))
  if (m->list) {
    PUT("list");
  } else {
    PUT("value=%d", m->value);
  }
  PUT(",type=%s", m->kind == INTEL_OBS_NONE ? "auto" : intel_obs_name(m->kind));
  if (m->kind_col)
    PUT(",type_column=%d", m->kind_col);
  if (m->first_seen)
    PUT(",first_seen=%d", m->first_seen);
  if (m->last_seen)
    PUT(",last_seen=%d", m->last_seen);
  if (m->comment)
    PUT(",comment=%d", m->comment);
  if (m->tlp)
    PUT(",tlp=%d", m->tlp);
  for (size_t i = 0; !m->list && i < FS_ARRAY_SIZE(delimiters); i++)
    if (delimiters[i].c == m->delimiter && m->delimiter != ',')
      PUT(",delimiter=%s", delimiters[i].name);
  if (m->header)
    PUT(",header");
#undef PUT
}

/* A time in a column: RFC 3339, a date (YYYY-MM-DD), or seconds since 1970. */
static int64_t time_of(const char *s)
{
  size_t n = strlen(s);
  int64_t ms = 0;
  if (!n)
    return 0;
  if (n == 10 && s[4] == '-' && s[7] == '-') {
    char full[32];
    snprintf(full, sizeof(full), "%sT00:00:00Z", s);
    return fs_time_parse_ms(full, strlen(full), &ms, NULL) ? 0 : ms;
  }
  bool digits = n <= 12;
  for (size_t i = 0; digits && i < n; i++)
    digits = s[i] >= '0' && s[i] <= '9';
  if (digits)
    return strtoll(s, NULL, 10) * 1000;
  return fs_time_parse_ms(s, n, &ms, NULL) ? 0 : ms;
}

struct fields {
  char buf[INTEL_CSV_MAX_COLUMNS * 256 + INTEL_CSV_MAX_FIELD];
  size_t used;
  const char *col[INTEL_CSV_MAX_COLUMNS];
  size_t n;
};

static void trim(char *s)
{
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    s[--n] = '\0';
}

static const char *field(const struct fields *f, int col)
{
  return col > 0 && (size_t)col <= f->n ? f->col[col - 1] : NULL;
}

static int emit(const struct intel_csv_map *m, struct fields *f, size_t line, intel_csv_row_fn fn,
                void *ctx)
{
  struct intel_csv_row r = {.line = line};
  if (m->list) {
    /* One value a line; " #" starts a comment. */
    char *v = (char *)(uintptr_t)f->col[0];
    char *hash = strstr(v, " #");
    if (hash)
      *hash = '\0';
    trim(v);
    while (*v == ' ' || *v == '\t')
      v++;
    if (!*v)
      return 0;
    r.value = v;
    return fn(&r, ctx);
  }
  r.value = field(f, m->value);
  if (!r.value || !*r.value)
    r.problem = "the row has no value in the value column";
  r.kind = field(f, m->kind_col);
  r.comment = field(f, m->comment);
  const char *t = field(f, m->first_seen);
  r.first_seen_ms = t ? time_of(t) : 0;
  t = field(f, m->last_seen);
  r.last_seen_ms = t ? time_of(t) : 0;
  t = field(f, m->tlp);
  r.tlp = t ? stix_tlp_from_token(t) : TLP_NONE;
  return fn(&r, ctx);
}

int intel_csv_read(const char *text, size_t len, const struct intel_csv_map *m, intel_csv_row_fn fn,
                   void *ctx, struct fs_err *err)
{
  struct fields *f = malloc(sizeof(*f));
  if (!f)
    return fs_err_set(err, FS_ERR_NOMEM, "csv", "out of memory");
  size_t i = 0, line = 1;
  bool first = true;
  int rc = 0;
  char where[32];
  char delim = m->list ? '\n' : m->delimiter;
  while (i < len && !rc) {
    size_t start_line = line;
    /* A comment or blank line. */
    if (text[i] == '#' || text[i] == '\n' ||
        (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')) {
      const char *nl = memchr(text + i, '\n', len - i);
      i = nl ? (size_t)(nl - text) + 1 : len;
      line++;
      continue;
    }
    f->n = 0;
    f->used = 0;
    bool end_of_row = false;
    while (!end_of_row && !rc) {
      if (f->n == INTEL_CSV_MAX_COLUMNS) {
        snprintf(where, sizeof(where), "line %zu", start_line);
        rc = fs_err_set(err, FS_ERR_PARSE, where, "more than %d columns", INTEL_CSV_MAX_COLUMNS);
        break;
      }
      char *out = f->buf + f->used;
      size_t room = FS_MIN(sizeof(f->buf) - f->used - 1, (size_t)INTEL_CSV_MAX_FIELD), o = 0;
      bool quoted = !m->list && i < len && text[i] == '"';
      if (quoted)
        i++;
      for (;;) {
        if (i >= len) {
          if (quoted) {
            snprintf(where, sizeof(where), "line %zu", start_line);
            rc = fs_err_set(err, FS_ERR_PARSE, where, "a quoted field is not closed");
          }
          end_of_row = true;
          break;
        }
        char c = text[i];
        if (quoted && c == '"') {
          if (i + 1 < len && text[i + 1] == '"') {
            c = '"';
            i++;
          } else {
            quoted = false;
            i++;
            continue;
          }
        } else if (!quoted && c == '\n') {
          i++;
          line++;
          end_of_row = true;
          break;
        } else if (!quoted && c == delim) {
          i++;
          break;
        }
        if (c == '\n')
          line++;
        if (o == room) {
          snprintf(where, sizeof(where), "line %zu", start_line);
          rc = fs_err_set(err, FS_ERR_PARSE, where, "a field of more than %d bytes",
                          INTEL_CSV_MAX_FIELD);
          break;
        }
        out[o++] = c;
        i++;
      }
      if (rc)
        break;
      out[o] = '\0';
      trim(out);
      f->col[f->n++] = out;
      f->used += o + 1;
      if (m->list)
        end_of_row = true;
    }
    if (rc)
      break;
    if (first && m->header) {
      first = false;
      continue;
    }
    first = false;
    rc = emit(m, f, start_line, fn, ctx);
  }
  free(f);
  return rc;
}
