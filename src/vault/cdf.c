/* Validator of the standard critical-data format: schemas, CSV and JSON-lines rows, manifests. */
#include "vault/cdf.h"

#include "core/encode.h"
#include "core/i18n.h"
#include "core/jsonx.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const PRODUCTS[] = {"savings", "checking",    "time_deposit",
                                       "loan",    "credit_card", NULL};
static const char *const STATUSES[] = {"active", "dormant", "frozen", "closed", NULL};

static const struct vault_cdf_column CUSTOMERS[] = {
    {"customer_id", VAULT_CDF_ID, false, 0, NULL}, {"full_name", VAULT_CDF_TEXT, false, 200, NULL},
    {"id_hash", VAULT_CDF_HEX64, false, 0, NULL},  {"phone", VAULT_CDF_TEXT, true, 32, NULL},
    {"branch", VAULT_CDF_ID, false, 0, NULL},
};
static const struct vault_cdf_column ACCOUNTS[] = {
    {"account_id", VAULT_CDF_ID, false, 0, NULL},    {"customer_id", VAULT_CDF_ID, false, 0, NULL},
    {"product", VAULT_CDF_ENUM, false, 0, PRODUCTS}, {"currency", VAULT_CDF_CCY, false, 0, NULL},
    {"status", VAULT_CDF_ENUM, false, 0, STATUSES},  {"opened", VAULT_CDF_DATE, false, 0, NULL},
};
static const struct vault_cdf_column BALANCES[] = {
    {"account_id", VAULT_CDF_ID, false, 0, NULL},
    {"ledger", VAULT_CDF_DECIMAL, false, 0, NULL},
    {"available", VAULT_CDF_DECIMAL, false, 0, NULL},
    {"as_of", VAULT_CDF_DATE, false, 0, NULL},
};
static const struct vault_cdf_column HOLDS[] = {
    {"hold_id", VAULT_CDF_ID, false, 0, NULL},     {"account_id", VAULT_CDF_ID, false, 0, NULL},
    {"amount", VAULT_CDF_DECIMAL, false, 0, NULL}, {"reason", VAULT_CDF_TEXT, false, 200, NULL},
    {"placed", VAULT_CDF_DATE, false, 0, NULL},    {"expires", VAULT_CDF_DATE, true, 0, NULL},
};
static const struct vault_cdf_column TRANSACTIONS[] = {
    {"txn_id", VAULT_CDF_ID, false, 0, NULL},
    {"account_id", VAULT_CDF_ID, false, 0, NULL},
    {"posted", VAULT_CDF_DATE, false, 0, NULL},
    {"amount", VAULT_CDF_DECIMAL, false, 0, NULL},
    {"balance_after", VAULT_CDF_DECIMAL, false, 0, NULL},
    {"description", VAULT_CDF_TEXT, true, 200, NULL},
};

#define TABLE(n, c)                                                                                \
  {                                                                                                \
    n, c, FS_ARRAY_SIZE(c)                                                                         \
  }
static const struct vault_cdf_table TABLES[] = {
    TABLE("customers", CUSTOMERS), TABLE("accounts", ACCOUNTS),         TABLE("balances", BALANCES),
    TABLE("holds", HOLDS),         TABLE("transactions", TRANSACTIONS),
};

const struct vault_cdf_table *vault_cdf_table(const char *name)
{
  for (size_t i = 0; i < FS_ARRAY_SIZE(TABLES); i++)
    if (!strcmp(TABLES[i].name, name))
      return &TABLES[i];
  return NULL;
}

bool vault_cdf_table_of_file(const char *filename, const struct vault_cdf_table **t,
                             enum vault_cdf_format *fmt)
{
  const char *base = strrchr(filename, '/');
  base = base ? base + 1 : filename;
  const char *dot = strrchr(base, '.');
  if (!dot || dot == base || (size_t)(dot - base) >= 32)
    return false;
  char name[32];
  memcpy(name, base, (size_t)(dot - base));
  name[dot - base] = '\0';
  if (!(*t = vault_cdf_table(name)))
    return false;
  if (!strcmp(dot, ".csv"))
    *fmt = VAULT_CDF_CSV;
  else if (!strcmp(dot, ".jsonl"))
    *fmt = VAULT_CDF_JSONL;
  else
    return false;
  return true;
}

/* Character classes, so that the hot loops test one table entry a byte: 1 id character
 * [A-Za-z0-9_.-], 2 lower-case hex digit, 4 decimal digit, 8 printable ASCII, 16 not a quote. */
enum { C_ID = 1, C_HEX = 2, C_DIGIT = 4, C_ASCII_TEXT = 8, C_NOQUOTE = 16 };
static const uint8_t CLASS[256] = {
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 24, 24, 8,  24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 25, 25, 24,
    31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 24, 24, 24, 24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25,
    25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 24, 24, 24, 24, 25,
    24, 27, 27, 27, 27, 27, 27, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25,
    25, 25, 25, 24, 24, 24, 24, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
};

/* ---- field checks -----------------------------------------------------------------------------
 */

bool vault_cdf_date_ok(const char *s, size_t len)
{
  if (len != 10 || s[4] != '-' || s[7] != '-')
    return false;
  for (size_t i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return false;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0');
  int d = (s[8] - '0') * 10 + (s[9] - '0');
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
    return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

static bool utf8_text_ok(const unsigned char *s, size_t len)
{
  for (size_t i = 0; i < len;) {
    unsigned c = s[i];
    if (CLASS[c] & C_ASCII_TEXT) {
      i++;
      continue;
    }
    if (c < 0x20 || c == 0x7f)
      return false;
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (!n || i + n > len)
      return false;
    for (size_t k = 1; k < n; k++)
      if ((s[i + k] & 0xc0) != 0x80)
        return false;
    if (n == 3 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0)))
      return false;
    if (n == 4 && ((c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90)))
      return false;
    i += n;
  }
  return true;
}

/* NULL when v is a valid value of column c, else what is wrong. `acc` is the AND of the classes of
 * v's bytes when the caller computed it while scanning (0 otherwise): it settles most values
 * without a second pass. */
static const char *check_value(const struct vault_cdf_column *c, const char *v, size_t len,
                               uint8_t acc)
{
  if (!len)
    return c->optional ? NULL : "is empty but required";
  if ((c->type == VAULT_CDF_ID && (acc & C_ID) && len <= 64) ||
      (c->type == VAULT_CDF_HEX64 && (acc & C_HEX) && len == 64) ||
      (c->type == VAULT_CDF_TEXT && (acc & C_ASCII_TEXT) && len <= c->max))
    return NULL;
  switch (c->type) {
  case VAULT_CDF_ID:
    if (len > 64)
      return "is longer than 64 characters";
    for (size_t i = 0; i < len; i++)
      if (!(CLASS[(unsigned char)v[i]] & C_ID))
        return "is not an id (letters, digits, '_', '-', '.')";
    return NULL;
  case VAULT_CDF_TEXT:
    if (len > c->max)
      return "is too long";
    return utf8_text_ok((const unsigned char *)v, len)
               ? NULL
               : "is not UTF-8 text without control characters";
  case VAULT_CDF_HEX64:
    if (len != 64)
      return "is not 64 hex digits";
    for (size_t i = 0; i < len; i++)
      if (!(CLASS[(unsigned char)v[i]] & C_HEX))
        return "is not 64 lower-case hex digits";
    return NULL;
  case VAULT_CDF_DATE:
    return vault_cdf_date_ok(v, len) ? NULL : "is not a date (YYYY-MM-DD)";
  case VAULT_CDF_DECIMAL: {
    size_t i = v[0] == '-' ? 1 : 0, ip = 0, fp = 0;
    while (i < len && (CLASS[(unsigned char)v[i]] & C_DIGIT))
      i++, ip++;
    if (i < len && v[i] == '.') {
      i++;
      while (i < len && (CLASS[(unsigned char)v[i]] & C_DIGIT))
        i++, fp++;
      if (!fp)
        return "is not a decimal (digits after the point are missing)";
    }
    if (i != len || !ip)
      return "is not a decimal (-123.45)";
    if (ip > 18 || fp > 6)
      return "has more than 18 integer or 6 fraction digits";
    return NULL;
  }
  case VAULT_CDF_CCY:
    if (len != 3 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' || v[2] < 'A' ||
        v[2] > 'Z')
      return "is not a currency code (three capital letters)";
    return NULL;
  case VAULT_CDF_ENUM:
    for (const char *const *e = c->values; *e; e++)
      if (strlen(*e) == len && !memcmp(*e, v, len))
        return NULL;
    return "is not one of the allowed values";
  }
  return "has an unknown type";
}

/* At most this much of a value is quoted in a problem. */
#define SHOWN(len) ((int)FS_MIN((size_t)(len), (size_t)60))

/* One problem of the current line: what is wrong, formatted through the message catalogue (so the
 * problem line carries its zh-TW), with the field and column when known. */
static void report(struct vault_cdf_state *s, const char *field, int col, const char *fmt, ...)
    FS_PRINTF(4, 5);
static void report(struct vault_cdf_state *s, const char *field, int col, const char *fmt, ...)
{
  s->errors++;
  if (!s->problems)
    return;
  char what[256], what_zh[384];
  va_list ap;
  va_start(ap, fmt);
  fs_msg_vformat(what, sizeof(what), what_zh, sizeof(what_zh), fmt, ap);
  va_end(ap);
  if (field)
    vault_problems_add(s->problems, "%s:%llu: field \"%s\" (column %d): %s", s->file,
                       (unsigned long long)s->line, field, col, what);
  else
    vault_problems_add(s->problems, "%s:%llu: %s", s->file, (unsigned long long)s->line, what);
}

void vault_cdf_begin(struct vault_cdf_state *s, const struct vault_cdf_table *t,
                     enum vault_cdf_format fmt, const char *file, struct vault_problems *problems)
{
  memset(s, 0, sizeof(*s));
  s->t = t;
  s->fmt = fmt;
  s->file = file;
  s->problems = problems;
  s->header_done = fmt == VAULT_CDF_JSONL;
}

static int key_order(struct vault_cdf_state *s, const char *key, size_t len)
{
  int c = memcmp(s->last_key, key, FS_MIN(len, s->last_key_len));
  if (!c)
    c = s->last_key_len < len ? -1 : s->last_key_len > len ? 1 : 0;
  if (s->rows && c >= 0) {
    if (c == 0)
      report(s, s->t->cols[0].name, 1, "duplicate key \"%.*s\"", SHOWN(len), key);
    else
      report(s, s->t->cols[0].name, 1, "key \"%.*s\" is out of order (rows must be sorted by key)",
             SHOWN(len), key);
    return -1;
  }
  memcpy(s->last_key, key, len);
  s->last_key_len = len;
  return 0;
}

static int csv_line(struct vault_cdf_state *s, const char *line, size_t len, const char **key,
                    size_t *keylen)
{
  const struct vault_cdf_table *t = s->t;
  if (!s->header_done) {
    char want[512];
    size_t w = 0;
    for (size_t i = 0; i < t->ncols; i++)
      w += (size_t)snprintf(want + w, sizeof(want) - w, "%s%s", i ? "," : "", t->cols[i].name);
    s->header_done = true;
    if (len != w || memcmp(line, want, w)) {
      report(s, NULL, 0, "header must be \"%.*s\"", (int)w, want);
      return -1;
    }
    return 0;
  }
  size_t pos = 0;
  int bad = 0;
  char unq[VAULT_CDF_MAX_LINE];
  for (size_t col = 0; col < t->ncols; col++) {
    const struct vault_cdf_column *c = &t->cols[col];
    const char *v = line + pos;
    size_t vlen = 0;
    uint8_t acc = 0;
    if (pos < len && line[pos] == '"') {
      /* Quoted: "" stands for one quote; the field ends at the closing quote. */
      size_t u = 0;
      pos++;
      for (;;) {
        if (pos >= len) {
          report(s, c->name, (int)col + 1, "has an unterminated quote");
          return -1;
        }
        if (line[pos] == '"') {
          if (pos + 1 < len && line[pos + 1] == '"') {
            unq[u++] = '"';
            pos += 2;
            continue;
          }
          pos++;
          break;
        }
        unq[u++] = line[pos++];
      }
      v = unq;
      vlen = u;
      if (pos < len && line[pos] != ',') {
        report(s, c->name, (int)col + 1, "has characters after its closing quote");
        return -1;
      }
    } else {
      /* One pass finds the comma and the classes of the bytes on the way. */
      const unsigned char *q = (const unsigned char *)line + pos,
                          *e = (const unsigned char *)line + len;
      acc = 0xff;
      while (q < e && *q != ',')
        acc &= CLASS[*q++];
      vlen = (size_t)(q - (const unsigned char *)v);
      if (!(acc & C_NOQUOTE)) {
        report(s, c->name, (int)col + 1, "has a quote inside an unquoted value");
        return -1;
      }
      pos += vlen;
    }
    const char *why = check_value(c, v, vlen, acc);
    if (why) {
      report(s, c->name, (int)col + 1, "%s: \"%.*s\"", why, SHOWN(vlen), v);
      bad = -1;
    }
    if (col == 0) {
      if (v == unq) {
        /* A quoted key: ids have no characters that need quoting. */
        report(s, c->name, 1, "key must not be quoted: \"%.*s\"", SHOWN(vlen), v);
        return -1;
      }
      *key = v;
      *keylen = vlen;
    }
    if (col + 1 < t->ncols) {
      if (pos >= len) {
        report(s, NULL, 0, "row has %zu fields; the table has %zu", col + 1, t->ncols);
        return -1;
      }
      pos++; /* the comma */
    }
  }
  if (pos != len) {
    report(s, NULL, 0, "row has more fields than the table's columns");
    return -1;
  }
  if (bad)
    return -1;
  return key_order(s, *key, *keylen) ? -1 : 1;
}

static int jsonl_line(struct vault_cdf_state *s, const char *line, size_t len, const char **key,
                      size_t *keylen)
{
  const struct vault_cdf_table *t = s->t;
  json_error_t je;
  json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
  if (!o || !json_is_object(o)) {
    if (o)
      report(s, NULL, 0, "not a JSON object");
    else
      report(s, NULL, 0, "not a JSON object: %s", je.text);
    json_decref(o);
    return -1;
  }
  int rc = 1;
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v)
  {
    bool known = false;
    for (size_t i = 0; i < t->ncols && !known; i++)
      known = !strcmp(t->cols[i].name, k);
    if (!known) {
      report(s, NULL, 0, "unknown field \"%.*s\"", SHOWN(strlen(k)), k);
      rc = -1;
    }
  }
  for (size_t col = 0; col < t->ncols; col++) {
    const struct vault_cdf_column *c = &t->cols[col];
    json_t *x = json_object_get(o, c->name);
    const char *sv = "";
    size_t sl = 0;
    if (x && json_is_string(x)) {
      sv = json_string_value(x);
      sl = json_string_length(x);
    } else if (x && !json_is_null(x)) {
      report(s, c->name, (int)col + 1, "must be a string or null");
      rc = -1;
      continue;
    }
    const char *why = check_value(c, sv, sl, 0);
    if (why) {
      report(s, c->name, (int)col + 1, "%s: \"%.*s\"", why, SHOWN(sl), sv);
      rc = -1;
    } else if (col == 0) {
      /* Keep the key: the JSON object is freed below. */
      if (rc == 1 && key_order(s, sv, sl))
        rc = -1;
      *key = s->last_key;
      *keylen = s->last_key_len;
    }
  }
  json_decref(o);
  return rc;
}

int vault_cdf_line(struct vault_cdf_state *s, const char *line, size_t len, const char **key,
                   size_t *keylen)
{
  s->line++;
  *key = NULL;
  *keylen = 0;
  if (len >= VAULT_CDF_MAX_LINE) {
    report(s, NULL, 0, "line longer than %d bytes", 4096);
    return -1;
  }
  if (len && line[len - 1] == '\r') {
    report(s, NULL, 0, "line ends with CR; lines end with LF only");
    return -1;
  }
  int rc = s->fmt == VAULT_CDF_CSV ? csv_line(s, line, len, key, keylen)
                                   : jsonl_line(s, line, len, key, keylen);
  if (rc == 1)
    s->rows++;
  return rc;
}

int vault_cdf_line_known(struct vault_cdf_state *s, const char *line, size_t len, const char **key,
                         size_t *keylen)
{
  if (s->fmt != VAULT_CDF_CSV)
    return vault_cdf_line(s, line, len, key, keylen);
  s->line++;
  if (!s->header_done) {
    s->header_done = true;
    *key = "";
    *keylen = 0;
    return 0;
  }
  const char *comma = memchr(line, ',', len);
  *key = line;
  *keylen = comma ? (size_t)(comma - line) : len;
  if (*keylen >= sizeof(s->last_key) || key_order(s, *key, *keylen))
    return -1;
  s->rows++;
  return 1;
}

bool vault_cdf_key(const struct vault_cdf_table *t, enum vault_cdf_format fmt, const char *line,
                   size_t len, char *key, size_t keycap, size_t *keylen)
{
  if (fmt == VAULT_CDF_CSV) {
    const char *comma = memchr(line, ',', len);
    size_t n = comma ? (size_t)(comma - line) : len;
    if (n >= keycap || (n == strlen(t->cols[0].name) && !memcmp(line, t->cols[0].name, n)))
      return false; /* the header */
    memcpy(key, line, n);
    *keylen = n;
    return true;
  }
  json_t *o = json_loadb(line, len, 0, NULL);
  json_t *v = o ? json_object_get(o, t->cols[0].name) : NULL;
  bool ok = v && json_is_string(v) && json_string_length(v) < keycap;
  if (ok) {
    *keylen = json_string_length(v);
    memcpy(key, json_string_value(v), *keylen);
  }
  json_decref(o);
  return ok;
}

uint64_t vault_cdf_validate(const struct vault_cdf_table *t, enum vault_cdf_format fmt,
                            const char *file, const char *data, size_t len,
                            struct vault_problems *problems, uint64_t *rows)
{
  struct vault_cdf_state s;
  vault_cdf_begin(&s, t, fmt, file, problems);
  size_t pos = 0;
  while (pos < len) {
    const char *nl = memchr(data + pos, '\n', len - pos);
    if (!nl) {
      s.line++;
      report(&s, NULL, 0, "last line does not end with LF");
      break;
    }
    const char *key;
    size_t keylen;
    vault_cdf_line(&s, data + pos, (size_t)(nl - (data + pos)), &key, &keylen);
    pos = (size_t)(nl - data) + 1;
  }
  if (!s.header_done) {
    report(&s, NULL, 0, "file is empty: the header line is missing");
  }
  if (rows)
    *rows = s.rows;
  return s.errors;
}

/* ---- manifest ---------------------------------------------------------------------------------
 */

int vault_cdf_manifest_parse(const char *text, size_t len, struct vault_cdf_manifest *m,
                             struct fs_err *err)
{
  memset(m, 0, sizeof(*m));
  json_t *o;
  int rc = jsonx_parse_object(text, len, &o, err);
  if (rc)
    return rc;
  static const char *const top[] = {"format",        "version", "institution",
                                    "business_date", "files",   NULL};
  static const char *const fkeys[] = {"name", "table", "rows", "sha256", NULL};
  const char *format, *inst, *date;
  int64_t version;
  rc = jsonx_only_keys(o, top, "$", err);
  if (!rc)
    rc = jsonx_string(o, "format", JSONX_REQUIRED, 64, &format, err);
  if (!rc && strcmp(format, "finshield-critical-data"))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.format", "must be \"finshield-critical-data\"");
  if (!rc)
    rc = jsonx_int(o, "version", JSONX_REQUIRED, 1, 1000, &version, NULL, err);
  if (!rc && version != VAULT_CDF_VERSION)
    rc = fs_err_set(err, FS_ERR_UNSUPPORTED, "$.version", "format version %lld is not supported",
                    (long long)version);
  if (!rc)
    rc = jsonx_string(o, "institution", JSONX_REQUIRED, sizeof(m->institution) - 1, &inst, err);
  if (!rc && !*inst)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.institution", "must not be empty");
  if (!rc)
    rc = jsonx_string(o, "business_date", JSONX_REQUIRED, 10, &date, err);
  if (!rc && !vault_cdf_date_ok(date, strlen(date)))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.business_date", "must be a date (YYYY-MM-DD)");
  json_t *files = json_object_get(o, "files");
  if (!rc && (!json_is_array(files) || !json_array_size(files) ||
              json_array_size(files) > VAULT_CDF_MAX_FILES))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.files", "must be an array of 1 to %d files",
                    VAULT_CDF_MAX_FILES);
  if (!rc) {
    snprintf(m->institution, sizeof(m->institution), "%s", inst);
    snprintf(m->business_date, sizeof(m->business_date), "%s", date);
  }
  for (size_t i = 0; !rc && i < json_array_size(files); i++) {
    json_t *f = json_array_get(files, i);
    char path[48];
    snprintf(path, sizeof(path), "$.files[%zu]", i);
    struct vault_cdf_manifest_file *mf = &m->files[i];
    const char *name, *table, *sha;
    int64_t rows;
    if (!json_is_object(f)) {
      rc = fs_err_set(err, FS_ERR_INVALID, path, "must be an object");
      break;
    }
    rc = jsonx_only_keys(f, fkeys, path, err);
    if (!rc)
      rc = jsonx_string(f, "name", JSONX_REQUIRED, sizeof(mf->name) - 1, &name, err);
    if (!rc)
      rc = jsonx_string(f, "table", JSONX_REQUIRED, sizeof(mf->table) - 1, &table, err);
    if (!rc)
      rc = jsonx_int(f, "rows", JSONX_REQUIRED, 0, INT64_C(1) << 40, &rows, NULL, err);
    if (!rc)
      rc = jsonx_string(f, "sha256", JSONX_REQUIRED, 64, &sha, err);
    if (rc) {
      fs_err_wrap_where(err, path);
      break;
    }
    const struct vault_cdf_table *t;
    enum vault_cdf_format fmt;
    if (strchr(name, '/') || !vault_cdf_table_of_file(name, &t, &fmt) || strcmp(t->name, table))
      rc = fs_err_set(err, FS_ERR_INVALID, path,
                      "name \"%s\" must be <table>.csv or <table>.jsonl for table \"%s\"", name,
                      table);
    else if (strlen(sha) != 64 || fs_hex_decode(sha, 64, mf->sha256, 32))
      rc = fs_err_set(err, FS_ERR_INVALID, path, "sha256 must be 64 hex digits");
    for (size_t j = 0; !rc && j < i; j++)
      if (!strcmp(m->files[j].table, table))
        rc = fs_err_set(err, FS_ERR_INVALID, path, "table \"%s\" is listed twice", table);
    if (!rc) {
      snprintf(mf->name, sizeof(mf->name), "%s", name);
      snprintf(mf->table, sizeof(mf->table), "%s", table);
      mf->rows = (uint64_t)rows;
      m->nfiles++;
    }
  }
  json_decref(o);
  return rc;
}
