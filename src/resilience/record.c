/* Versioned register records in one generic table (resil_record): every change inserts a new
 * version and closes the previous one (valid_to), so that "as of" reads see what the hub knew
 * then. Indexed fields are copied into slot columns (k1..k4 text, x1..x3 thousandths) so that
 * lists sort and filter on the server with an index. */
#include "resilience/internal.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "auth/policy.h"
#include "core/encode.h"
#include "core/jsonx.h"
#include "core/uuid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_ABSENT INT64_MIN

const char *reg_slot_column(const struct reg_def *d, const struct reg_field *f)
{
  static const char *const k[] = {"k1", "k2", "k3", "k4", "k5", "k6"}, *const x[] = {"x1", "x2",
                                                                                     "x3"};
  size_t nk = 0, nx = 0;
  for (size_t i = 0; i < d->nfields; i++) {
    const struct reg_field *g = &d->fields[i];
    if (!(g->flags & REG_INDEXED) || (g->flags & REG_DERIVED))
      continue;
    bool num = g->type == REG_INT || g->type == REG_NUMBER || g->type == REG_BOOL;
    if (g == f)
      return num ? (nx < REG_NUM_SLOTS ? x[nx] : NULL) : (nk < REG_TEXT_SLOTS ? k[nk] : NULL);
    num ? nx++ : nk++;
  }
  return NULL;
}

unsigned reg_policy_rel(const struct reg_def *d)
{
  unsigned rel = 0;
  if (d->scope == REG_SCOPE_SECTOR)
    rel |= POLICY_REL_REG_SECTOR;
  if (d->access & REG_HUB_READS)
    rel |= POLICY_REL_REG_HUB_READS;
  if (d->access & REG_HUB_WRITES)
    rel |= POLICY_REL_REG_HUB_WRITES;
  if (d->access & REG_MEMBER_READONLY)
    rel |= POLICY_REL_REG_MEMBER_READONLY;
  return rel;
}

void reg_key_of(const struct reg_def *d, const json_t *fields, char *out, size_t n)
{
  struct fs_buf b;
  fs_buf_init(&b, n ? n - 1 : 0);
  for (size_t i = 0; i < d->nfields; i++) {
    const struct reg_field *f = &d->fields[i];
    if (!(f->flags & REG_KEY))
      continue;
    if (b.len)
      fs_buf_append_char(&b, '/');
    reg_value_to_text(f, json_object_get(fields, f->name), &b);
  }
  snprintf(out, n, "%s", fs_buf_cstr(&b));
  fs_buf_release(&b);
}

const char *reg_org_code(struct store_conn *c, struct reg_orgs *cache, const char *org_id)
{
  for (size_t i = 0; i < cache->n; i++)
    if (!strcmp(cache->e[i].id, org_id))
      return cache->e[i].code;
  size_t slot =
      cache->n < FS_ARRAY_SIZE(cache->e) ? cache->n++ : cache->next++ % FS_ARRAY_SIZE(cache->e);
  snprintf(cache->e[slot].id, sizeof(cache->e[slot].id), "%s", org_id);
  snprintf(cache->e[slot].code, sizeof(cache->e[slot].code), "%s", "");
  cache->e[slot].industry = cache->e[slot].tier = -1;
  struct actor sys = {.local = true};
  json_t *o;
  if (!org_get_json(c, &sys, org_id, &o, NULL)) {
    const char *code = json_string_value(json_object_get(o, "code"));
    snprintf(cache->e[slot].code, sizeof(cache->e[slot].code), "%s", code ? code : "");
    const char *ind = json_string_value(json_object_get(o, "industry"));
    const char *tier = json_string_value(json_object_get(o, "size_tier"));
    for (int i = 0; ind && org_industry_names[i]; i++)
      if (!strcmp(org_industry_names[i], ind))
        cache->e[slot].industry = i;
    for (int i = 0; tier && org_tier_names[i]; i++)
      if (!strcmp(org_tier_names[i], tier))
        cache->e[slot].tier = i;
    json_decref(o);
  }
  return cache->e[slot].code;
}

json_t *reg_fields_derived(const struct reg_def *d, const json_t *stored, int64_t now)
{
  json_t *f = json_deep_copy(stored);
  if (f && d->derive)
    d->derive(f, now);
  return f;
}

/* ---- rows --------------------------------------------------------------------------------- */

#define REC_COLUMNS                                                                                \
  "id, version, org_id, rkey, body, valid_from, valid_to, created_at, created_by, updated_by"

struct rec {
  char id[37];
  int64_t version;
  char org_id[37];
  char key[256];
  json_t *fields; /* stored fields (owned) */
  int64_t valid_from, valid_to, created_at;
  char created_by[72], updated_by[72];
};

static int rec_from_row(struct store_stmt *s, struct rec *r, struct fs_err *err)
{
  memset(r, 0, sizeof(*r));
  snprintf(r->id, sizeof(r->id), "%s", store_col_text(s, 0));
  r->version = store_col_int(s, 1);
  snprintf(r->org_id, sizeof(r->org_id), "%s", store_col_text(s, 2));
  snprintf(r->key, sizeof(r->key), "%s", store_col_text(s, 3));
  const char *body = store_col_text(s, 4);
  if (jsonx_parse_object(body, strlen(body), &r->fields, err))
    return fs_err_set(err, FS_ERR_CORRUPT, r->id, "stored register record is not a JSON object");
  r->valid_from = store_col_int(s, 5);
  r->valid_to = store_col_null(s, 6) ? 0 : store_col_int(s, 6);
  r->created_at = store_col_int(s, 7);
  snprintf(r->created_by, sizeof(r->created_by), "%s", store_col_text(s, 8));
  snprintf(r->updated_by, sizeof(r->updated_by), "%s", store_col_text(s, 9));
  return FS_OK;
}

static json_t *rec_json(struct store_conn *c, struct reg_orgs *orgs, const struct reg_def *d,
                        const struct rec *r, int64_t now)
{
  json_t *fields = reg_fields_derived(d, r->fields, now);
  return json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:o,s:o,s:o,s:s,s:s,s:b}", "id", r->id, "register",
                   d->name, "org", reg_org_code(c, orgs, r->org_id), "org_id", r->org_id, "version",
                   (json_int_t)r->version, "key", r->key, "fields", fields ? fields : json_object(),
                   "created_at", jsonx_time_new(r->created_at), "updated_at",
                   jsonx_time_new(r->valid_from), "created_by", r->created_by, "updated_by",
                   r->updated_by, "current", r->valid_to == 0);
}

/* Loads the version of record id current at as_of (0: now). NOT_FOUND when none. */
static int rec_load(struct store_conn *c, const struct reg_def *d, const char *id, int64_t as_of,
                    struct rec *r, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = as_of ? store_query(c, &s, err,
                               "SELECT " REC_COLUMNS " FROM resil_record WHERE id = ? AND reg = ?"
                               " AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)",
                               "ssii", id, d->name, as_of, as_of)
                 : store_query(c, &s, err,
                               "SELECT " REC_COLUMNS " FROM resil_record WHERE id = ? AND reg = ?"
                               " AND is_current = 1",
                               "ss", id, d->name);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "record", "no %s record %.64s", d->name, id);
  if (!rc)
    rc = rec_from_row(s, r, err);
  store_done(s);
  return rc;
}

static bool may_read(const struct actor *who, const struct reg_def *d, const char *org_id)
{
  struct policy_target t = {.org_id = org_id, .role = -1, .rel = reg_policy_rel(d)};
  return policy_allows(who, POLICY_REGISTER_READ, &t);
}

/* Binds the slot columns (k1..k4, x1..x3) of fields, starting at parameter idx. */
static int bind_slots(const struct reg_def *d, const json_t *fields, struct store_stmt *s, int idx)
{
  const char *k[REG_TEXT_SLOTS] = {"", "", "", "", "", ""};
  char kbuf[REG_TEXT_SLOTS][256];
  int64_t x[REG_NUM_SLOTS] = {NUM_ABSENT, NUM_ABSENT, NUM_ABSENT};
  for (size_t i = 0; i < d->nfields; i++) {
    const struct reg_field *f = &d->fields[i];
    const char *col = reg_slot_column(d, f);
    if (!col)
      continue;
    int n = col[1] - '1';
    json_t *v = json_object_get(fields, f->name);
    if (col[0] == 'x') {
      if (json_is_boolean(v))
        x[n] = json_is_true(v) ? 1000 : 0;
      else if (json_is_number(v))
        x[n] = (int64_t)llround(json_number_value(v) * 1000);
    } else if (v) {
      struct fs_buf b;
      fs_buf_init(&b, sizeof(kbuf[n]) - 1);
      reg_value_to_text(f, v, &b);
      snprintf(kbuf[n], sizeof(kbuf[n]), "%s", fs_buf_cstr(&b));
      fs_buf_release(&b);
      k[n] = kbuf[n];
    }
  }
  int rc = FS_OK;
  for (int i = 0; i < REG_TEXT_SLOTS && !rc; i++)
    rc = store_bind_text(s, idx++, k[i]);
  for (int i = 0; i < REG_NUM_SLOTS && !rc; i++)
    rc = store_bind_int(s, idx++, x[i]);
  return rc;
}

static int insert_version(struct store_conn *c, const struct reg_def *d, const char *id,
                          int64_t version, const char *org_id, const json_t *fields,
                          int64_t created_at, const char *created_by, const struct actor *who,
                          struct fs_err *err)
{
  char key[256];
  reg_key_of(d, fields, key, sizeof(key));
  char *body = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
  if (!body)
    return fs_err_set(err, FS_ERR_NOMEM, d->name, "out of memory");
  struct store_stmt *s;
  int rc =
      store_prepare(c,
                    "INSERT INTO resil_record (id, version, reg, org_id, rkey, is_current,"
                    " valid_from, valid_to, body, created_at, created_by, updated_by,"
                    " k1, k2, k3, k4, k5, k6, x1, x2, x3)"
                    " VALUES (?, ?, ?, ?, ?, 1, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    &s, err);
  if (!rc) {
    store_bind_text(s, 1, id);
    store_bind_int(s, 2, version);
    store_bind_text(s, 3, d->name);
    store_bind_text(s, 4, org_id);
    store_bind_text(s, 5, key);
    store_bind_int(s, 6, who->now_ms);
    store_bind_text(s, 7, body);
    store_bind_int(s, 8, created_at);
    store_bind_text(s, 9, created_by);
    store_bind_text(s, 10, who->username);
    bind_slots(d, fields, s, 11);
    bool row;
    rc = store_step(s, &row, err);
    store_done(s);
  }
  free(body);
  if (rc == FS_ERR_CONFLICT)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "fields",
                    "the organisation already has a %s record with the key \"%s\"", d->name, key);
  return rc;
}

static int audit(struct store_conn *c, const struct actor *who, const char *action,
                 const struct reg_def *d, const char *id, int64_t version, const char *org_id,
                 const json_t *fields, struct fs_err *err)
{
  char key[256], type[80];
  reg_key_of(d, fields, key, sizeof(key));
  snprintf(type, sizeof(type), "register:%s", d->name);
  json_t *detail = json_pack("{s:s,s:I,s:s,s:s}", "register", d->name, "version",
                             (json_int_t)version, "org_id", org_id, "key", key);
  int rc = audit_append(c, who, action, type, id, detail, err);
  json_decref(detail);
  return rc;
}

/* The organisation a new record belongs to: sector registers belong to the hub; otherwise the
 * given one (id or code) or the actor's. */
static int owner_of(struct store_conn *c, const struct actor *who, const struct reg_def *d,
                    const char *org, char out[37], struct fs_err *err)
{
  if (d->scope == REG_SCOPE_SECTOR)
    return org_hub_id(c, out, err);
  if (org && *org)
    return org_resolve(c, org, out, err);
  if (!who->org_id[0])
    return fs_err_set(err, FS_ERR_INVALID, "org", "say which organisation the record belongs to");
  snprintf(out, 37, "%s", who->org_id);
  return FS_OK;
}

static int create(struct store_conn *c, const struct actor *who, const struct reg_def *d,
                  const char *org_id, json_t *fields, char id_out[37], struct fs_err *err)
{
  struct policy_target t = {.org_id = org_id, .role = -1, .rel = reg_policy_rel(d)};
  char what[120];
  snprintf(what, sizeof(what), "%s records of this organisation", d->name);
  int rc = policy_check(who, POLICY_REGISTER_WRITE, &t, what, err);
  if (!rc)
    rc = reg_validate(d, fields, true, err);
  if (rc)
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  fs_uuid_v4(id_out);
  rc = insert_version(c, d, id_out, 1, org_id, fields, who->now_ms, who->username, who, err);
  if (!rc)
    rc = audit(c, who, "register.create", d, id_out, 1, org_id, fields, err);
  return store_tx_leave(c, owned, rc, err);
}

int reg_create(struct store_conn *c, const struct actor *who, const struct reg_def *d,
               const char *org, json_t *fields, char id_out[37], struct fs_err *err)
{
  if (d->access & REG_INTAKE_ONLY)
    return fs_err_set(err, FS_ERR_INVALID, d->name,
                      "records of %s are made by the hub from uploaded evidence, not created",
                      d->name);
  char org_id[37];
  int rc = owner_of(c, who, d, org, org_id, err);
  return rc ? rc : create(c, who, d, org_id, fields, id_out, err);
}

int reg_intake(struct store_conn *c, const struct actor *who, const struct reg_def *d,
               const char *org_id, json_t *fields, char id_out[37], struct fs_err *err)
{
  return create(c, who, d, org_id, fields, id_out, err);
}

int reg_update(struct store_conn *c, const struct actor *who, const struct reg_def *d,
               const char *id, json_t *fields, bool has_version, int64_t version,
               struct fs_err *err)
{
  if (!json_is_object(fields))
    return fs_err_set(err, FS_ERR_INVALID, "fields", "must be an object of field values");
  if (d->access & REG_INTAKE_ONLY)
    return fs_err_set(err, FS_ERR_INVALID, d->name,
                      "records of %s are made from uploaded evidence and are not changed", d->name);
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct rec r;
  memset(&r, 0, sizeof(r));
  rc = rec_load(c, d, id, 0, &r, err);
  if (!rc && !may_read(who, d, r.org_id))
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "record", "no %s record %.64s", d->name, id);
  struct policy_target t = {.org_id = r.org_id, .role = -1, .rel = reg_policy_rel(d)};
  char what[120];
  snprintf(what, sizeof(what), "%s record %s", d->name, id);
  if (!rc)
    rc = policy_check(who, POLICY_REGISTER_WRITE, &t, what, err);
  if (!rc && has_version && version != r.version)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "version",
                    "the record is at version %lld, the change was based on version %lld",
                    (long long)r.version, (long long)version);
  json_t *merged = NULL;
  if (!rc) {
    /* Check the change's own fields first (so that errors name what was given), then the whole. */
    json_t *given = json_deep_copy(fields);
    rc = given ? reg_validate(d, given, false, err)
               : fs_err_set(err, FS_ERR_NOMEM, d->name, "out of memory");
    merged = json_deep_copy(r.fields);
    const char *k;
    json_t *v;
    json_object_foreach(fields, k, v)
    {
      if (json_is_null(v))
        json_object_del(merged, k);
      else if (json_object_get(given, k))
        json_object_set(merged, k, json_object_get(given, k));
    }
    json_decref(given);
    if (!rc)
      rc = reg_validate(d, merged, true, err);
  }
  if (!rc)
    rc = store_exec(
        c, NULL, err,
        "UPDATE resil_record SET is_current = 0, valid_to = ? WHERE id = ? AND version = ?", "isi",
        who->now_ms, id, r.version);
  if (!rc)
    rc = insert_version(c, d, id, r.version + 1, r.org_id, merged, r.created_at, r.created_by, who,
                        err);
  if (!rc)
    rc = audit(c, who, "register.update", d, id, r.version + 1, r.org_id, merged, err);
  json_decref(merged);
  json_decref(r.fields);
  return store_tx_leave(c, owned, rc, err);
}

int reg_get_json(struct store_conn *c, const struct actor *who, const struct reg_def *d,
                 const char *id, int64_t as_of, json_t **out, struct fs_err *err)
{
  struct rec r;
  int rc = rec_load(c, d, id, as_of, &r, err);
  if (rc)
    return rc;
  if (!may_read(who, d, r.org_id))
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "record", "no %s record %.64s", d->name, id);
  struct reg_orgs orgs = {0};
  if (!rc && !(*out = rec_json(c, &orgs, d, &r, as_of ? as_of : who->now_ms)))
    rc = fs_err_set(err, FS_ERR_NOMEM, d->name, "out of memory");
  json_decref(r.fields);
  return rc;
}

int reg_versions_json(struct store_conn *c, const struct actor *who, const struct reg_def *d,
                      const char *id, json_t **out, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT " REC_COLUMNS " FROM resil_record WHERE id = ? AND reg = ?"
                       " ORDER BY version",
                       "ss", id, d->name);
  if (rc)
    return rc;
  json_t *items = json_array();
  struct reg_orgs orgs = {0};
  bool row, any = false;
  while (!(rc = store_step(s, &row, err)) && row) {
    struct rec r;
    if ((rc = rec_from_row(s, &r, err)))
      break;
    if (!may_read(who, d, r.org_id)) {
      json_decref(r.fields);
      break;
    }
    any = true;
    json_t *o = rec_json(c, &orgs, d, &r, r.valid_to ? r.valid_to - 1 : who->now_ms);
    if (o && r.valid_to)
      json_object_set_new(o, "superseded_at", jsonx_time_new(r.valid_to));
    json_array_append_new(items, o);
    json_decref(r.fields);
  }
  store_done(s);
  if (!rc && !any)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "record", "no %s record %.64s", d->name, id);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:s,s:o}", "id", id, "versions", items);
  return FS_OK;
}

/* ---- lists ---------------------------------------------------------------------------------- */

struct sortspec {
  const char *col; /* column */
  bool desc, num;
};

static int parse_sort(const struct reg_def *d, const char *sort, struct sortspec *o,
                      struct fs_err *err)
{
  memset(o, 0, sizeof(*o));
  if (!sort || !*sort)
    sort = d->default_sort ? d->default_sort : "-updated";
  if (*sort == '-') {
    o->desc = true;
    sort++;
  }
  if (!strcmp(sort, "updated")) {
    o->col = "valid_from";
    o->num = true;
    return FS_OK;
  }
  if (!strcmp(sort, "key")) {
    o->col = "rkey";
    return FS_OK;
  }
  if (!strcmp(sort, "org")) {
    o->col = "org_id";
    return FS_OK;
  }
  const struct reg_field *f = reg_field_find(d, sort);
  o->col = f ? reg_slot_column(d, f) : NULL;
  if (!o->col)
    return fs_err_set(err, FS_ERR_INVALID, "sort",
                      "%s cannot be sorted by \"%s\": use updated, key, org or an indexed field "
                      "(see the register's schema)",
                      d->name, sort);
  o->num = o->col[0] == 'x';
  return FS_OK;
}

/* Cursor: hex of the sort value, '.', the record id. */
static void make_cursor(const char *value, const char *id, char *out, size_t n)
{
  size_t vl = strlen(value);
  if (vl * 2 + 40 > n)
    vl = (n - 40) / 2;
  fs_hex_encode(value, vl, out);
  snprintf(out + vl * 2, n - vl * 2, ".%s", id);
}

static int read_cursor(const char *cursor, char *value, size_t vn, char id[37], struct fs_err *err)
{
  const char *dot = cursor ? strchr(cursor, '.') : NULL;
  size_t hl = dot ? (size_t)(dot - cursor) : 0;
  if (!dot || hl % 2 || hl / 2 >= vn || strlen(dot + 1) != 36 ||
      fs_hex_decode(cursor, hl, value, hl / 2))
    return fs_err_set(err, FS_ERR_INVALID, "after", "not a cursor of this list");
  value[hl / 2] = '\0';
  snprintf(id, 37, "%s", dot + 1);
  return FS_OK;
}

struct listing {
  struct fs_buf sql;
  const char *binds[24];
  int64_t ints[24];
  char kinds[24];
  int n;
};

static void bind_s(struct listing *l, const char *v)
{
  l->kinds[l->n] = 's';
  l->binds[l->n++] = v;
}

static void bind_i(struct listing *l, int64_t v)
{
  l->kinds[l->n] = 'i';
  l->ints[l->n++] = v;
}

static int list_query(struct store_conn *c, const struct actor *who, const struct reg_def *d,
                      const struct reg_query *q, const char *after, int64_t limit,
                      struct sortspec *ss, struct store_stmt **out, char org_id[37],
                      char afterv[512], char afterid[37], struct fs_err *err)
{
  int rc = parse_sort(d, q->sort, ss, err);
  if (rc)
    return rc;
  struct policy_target any = {.org_id = NULL, .role = -1, .rel = reg_policy_rel(d)};
  bool all = policy_allows(who, POLICY_REGISTER_READ_ALL, &any);
  org_id[0] = '\0';
  if (q->org && *q->org && (rc = org_resolve(c, q->org, org_id, err)))
    return rc;
  if (!org_id[0] && !all && d->scope != REG_SCOPE_SECTOR)
    snprintf(org_id, 37, "%s", who->org_id[0] ? who->org_id : "-");
  struct listing l;
  memset(&l, 0, sizeof(l));
  fs_buf_init(&l.sql, 8192);
  fs_buf_append_str(&l.sql, "SELECT " REC_COLUMNS ", ");
  fs_buf_append_str(&l.sql, ss->col);
  fs_buf_append_str(&l.sql, " FROM resil_record WHERE reg = ?");
  bind_s(&l, d->name);
  if (q->as_of) {
    fs_buf_append_str(&l.sql, " AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)");
    bind_i(&l, q->as_of);
    bind_i(&l, q->as_of);
  } else {
    fs_buf_append_str(&l.sql, " AND is_current = 1");
  }
  if (org_id[0]) {
    fs_buf_append_str(&l.sql, " AND org_id = ?");
    bind_s(&l, org_id);
  }
  for (size_t i = 0; i < q->nfilters && !rc; i++) {
    const struct reg_field *f = reg_field_find(d, q->filter_field[i]);
    const char *col = f ? reg_slot_column(d, f) : NULL;
    if (!col) {
      rc = fs_err_set(err, FS_ERR_INVALID, q->filter_field[i],
                      "%s cannot be filtered by \"%s\": only indexed fields can", d->name,
                      q->filter_field[i]);
      break;
    }
    fs_buf_appendf(&l.sql, " AND %s = ?", col);
    if (col[0] == 'x') {
      json_t *v;
      if ((rc = reg_value_from_text(f, q->filter_value[i], &v, err)))
        break;
      bind_i(&l, json_is_boolean(v)  ? (json_is_true(v) ? 1000 : 0)
                 : json_is_number(v) ? (int64_t)llround(json_number_value(v) * 1000)
                                     : NUM_ABSENT);
      json_decref(v);
    } else {
      bind_s(&l, q->filter_value[i]);
    }
  }
  if (!rc && after && *after) {
    rc = read_cursor(after, afterv, 512, afterid, err);
    if (!rc) {
      fs_buf_appendf(&l.sql, " AND (%s %s ? OR (%s = ? AND id %s ?))", ss->col,
                     ss->desc ? "<" : ">", ss->col, ss->desc ? "<" : ">");
      if (ss->num) {
        int64_t v = strtoll(afterv, NULL, 10);
        bind_i(&l, v);
        bind_i(&l, v);
      } else {
        bind_s(&l, afterv);
        bind_s(&l, afterv);
      }
      bind_s(&l, afterid);
    }
  }
  if (!rc) {
    fs_buf_appendf(&l.sql, " ORDER BY %s %s, id %s LIMIT ?", ss->col, ss->desc ? "DESC" : "ASC",
                   ss->desc ? "DESC" : "ASC");
    bind_i(&l, limit + 1);
  }
  *out = NULL;
  if (!rc)
    rc = store_prepare(c, fs_buf_cstr(&l.sql), out, err);
  for (int i = 0; !rc && i < l.n; i++)
    if (l.kinds[i] == 's' ? store_bind_text(*out, i + 1, l.binds[i])
                          : store_bind_int(*out, i + 1, l.ints[i]))
      rc = fs_err_set(err, FS_ERR_NOMEM, d->name, "cannot bind the list's parameters");
  if (rc && *out) {
    store_done(*out);
    *out = NULL;
  }
  fs_buf_release(&l.sql);
  return rc;
}

int reg_list_json(struct store_conn *c, const struct actor *who, const struct reg_def *d,
                  const struct reg_query *q, const struct auth_page *page, json_t **out,
                  struct fs_err *err)
{
  int64_t limit = auth_page_limit(page);
  struct sortspec ss;
  struct store_stmt *s = NULL;
  char org_id[37], afterv[512], afterid[37];
  int rc = list_query(c, who, d, q, page->after, limit, &ss, &s, org_id, afterv, afterid, err);
  if (rc)
    return rc;
  json_t *items = json_array();
  struct reg_orgs orgs = {0};
  char next[700] = "";
  bool row, more = false;
  int64_t n = 0;
  /* Another organisation's records the reader may not read: no row, no cursor, as when it has
   * none (the cursor holds the sort value and id of the last record: only of one returned). */
  bool readable = !org_id[0] || may_read(who, d, org_id);
  while (readable && !(rc = store_step(s, &row, err)) && row) {
    struct rec r;
    if ((rc = rec_from_row(s, &r, err)))
      break;
    if (!may_read(who, d, r.org_id)) {
      json_decref(r.fields);
      continue;
    }
    if (n == limit) {
      more = true;
      json_decref(r.fields);
      break;
    }
    char sv[64];
    const char *v = ss.num ? (snprintf(sv, sizeof(sv), "%lld", (long long)store_col_int(s, 10)), sv)
                           : store_col_text(s, 10);
    make_cursor(v ? v : "", r.id, next, sizeof(next));
    n++;
    json_array_append_new(items, rec_json(c, &orgs, d, &r, q->as_of ? q->as_of : who->now_ms));
    json_decref(r.fields);
  }
  store_done(s);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = auth_page_json(items, more ? next : NULL);
  return *out ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, d->name, "out of memory");
}

int reg_each(struct store_conn *c, const struct actor *who, const struct reg_def *d,
             const struct reg_query *q, reg_each_fn fn, void *ctx, struct fs_err *err)
{
  char after[700] = "";
  for (;;) {
    struct auth_page page = {.limit = 500, .after = after[0] ? after : NULL};
    json_t *pg;
    int rc = reg_list_json(c, who, d, q, &page, &pg, err);
    if (rc)
      return rc;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(pg, "items"), i, it)
    {
      if ((rc = fn(it, ctx, err)))
        break;
    }
    const char *next = json_string_value(json_object_get(pg, "next"));
    if (next)
      snprintf(after, sizeof(after), "%s", next);
    json_decref(pg);
    if (rc || !next)
      return rc;
  }
}

int reg_scan(struct store_conn *c, const struct reg_def *d, const char *org_id, int64_t as_of,
             reg_row_fn fn, void *ctx, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = as_of
               ? store_query(c, &s, err,
                             "SELECT " REC_COLUMNS " FROM resil_record WHERE reg = ? AND org_id = ?"
                             " AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
                             " ORDER BY rkey, id",
                             "ssii", d->name, org_id, as_of, as_of)
               : store_query(c, &s, err,
                             "SELECT " REC_COLUMNS " FROM resil_record WHERE reg = ? AND org_id = ?"
                             " AND is_current = 1 ORDER BY rkey, id",
                             "ss", d->name, org_id);
  if (rc)
    return rc;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    struct rec r;
    if ((rc = rec_from_row(s, &r, err)))
      break;
    rc = fn(r.id, r.version, r.fields, ctx, err);
    json_decref(r.fields);
    if (rc)
      break;
  }
  store_done(s);
  return rc;
}
