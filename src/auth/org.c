/* Organisations: input validation, changes with their audit records, policy-filtered reads. */
#include "auth/org.h"

#include "audit/audit.h"
#include "auth/policy.h"
#include "auth/user.h"
#include "auth/validate.h"
#include "core/i18n.h"
#include "core/jsonx.h"
#include "core/uuid.h"

#include <stdio.h>
#include <string.h>

const char *const org_industry_names[] = {
#define ORG_X_NAME(id, name, en, zh) name,
    ORG_INDUSTRY_MAP(ORG_X_NAME)
#undef ORG_X_NAME
        NULL,
};
static const char *const industry_en[] = {
#define ORG_X_EN(id, name, en, zh) en,
    ORG_INDUSTRY_MAP(ORG_X_EN)
#undef ORG_X_EN
};
static const char *const industry_zh[] = {
#define ORG_X_ZH(id, name, en, zh) zh,
    ORG_INDUSTRY_MAP(ORG_X_ZH)
#undef ORG_X_ZH
};
const char *const org_tier_names[] = {"large", "medium", "small", NULL};
const char *const org_status_names[] = {"active", "suspended", NULL};
const char *const org_contact_roles[] = {"ciso", "security", "incident", "general", NULL};

const char *org_industry_label(int industry, bool zh)
{
  if (industry < 0 || industry >= ORG_INDUSTRY__COUNT)
    return "?";
  return zh ? industry_zh[industry] : industry_en[industry];
}

void org_input_init(struct org_input *in)
{
  memset(in, 0, sizeof(*in));
  in->industry = in->size_tier = in->status = -1;
}

static int check_contacts(json_t *contacts, struct fs_err *err)
{
  static const char *const keys[] = {"role", "name", "email", "phone", NULL};
  if (!json_is_array(contacts))
    return fs_err_set(err, FS_ERR_INVALID, "$.contacts", "field \"contacts\" must be an array");
  if (json_array_size(contacts) > 20)
    return fs_err_set(err, FS_ERR_INVALID, "$.contacts", "at most 20 contacts");
  size_t i;
  json_t *c;
  json_array_foreach(contacts, i, c)
  {
    char path[48];
    snprintf(path, sizeof(path), "$.contacts[%zu]", i);
    if (!json_is_object(c))
      return fs_err_set(err, FS_ERR_INVALID, path, "each contact must be an object");
    int rc = jsonx_only_keys(c, keys, path, err);
    const char *name, *email, *phone;
    int role;
    if (!rc)
      rc = jsonx_enum(c, "role", JSONX_REQUIRED, org_contact_roles, &role, err);
    if (!rc)
      rc = jsonx_string(c, "name", JSONX_REQUIRED, 200, &name, err);
    if (!rc)
      rc = jsonx_string(c, "email", 0, 254, &email, err);
    if (!rc && email)
      rc = auth_check_email(email, "email", err);
    if (!rc)
      rc = jsonx_string(c, "phone", 0, 40, &phone, err);
    if (!rc && phone)
      rc = auth_check_phone(phone, "phone", err);
    if (rc) {
      /* jsonx names "$.field"; say which contact. */
      char where[sizeof(err->where)];
      snprintf(where, sizeof(where), "%s%s", path, err->where[0] == '$' ? err->where + 1 : "");
      memcpy(err->where, where, sizeof(where));
      return rc;
    }
  }
  return FS_OK;
}

int org_input_from_json(json_t *body, bool update, struct org_input *out, struct fs_err *err)
{
  static const char *const keys[] = {"code",   "name_zh",   "name_en",  "industry", "size_tier",
                                     "status", "parent_id", "contacts", "version",  NULL};
  org_input_init(out);
  if (!json_is_object(body))
    return fs_err_set(err, FS_ERR_INVALID, "$", "expected a JSON object");
  unsigned req = update ? 0 : JSONX_REQUIRED;
  int rc = jsonx_only_keys(body, keys, "$", err);
  if (!rc)
    rc = jsonx_string(body, "code", req, 32, &out->code, err);
  if (!rc && out->code)
    rc = auth_check_slug(out->code, "code", 2, 32, err);
  if (!rc)
    rc = jsonx_string(body, "name_zh", req, 200, &out->name_zh, err);
  if (!rc && out->name_zh && !*out->name_zh)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.name_zh", "field \"name_zh\" must not be empty");
  if (!rc)
    rc = jsonx_string(body, "name_en", req, 200, &out->name_en, err);
  if (!rc && out->name_en && !*out->name_en)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.name_en", "field \"name_en\" must not be empty");
  if (!rc)
    rc = jsonx_enum(body, "industry", req, org_industry_names, &out->industry, err);
  if (!rc)
    rc = jsonx_enum(body, "size_tier", req, org_tier_names, &out->size_tier, err);
  if (!rc)
    rc = jsonx_enum(body, "status", 0, org_status_names, &out->status, err);
  if (!rc && json_object_get(body, "parent_id")) {
    out->has_parent = true;
    rc = jsonx_string(body, "parent_id", JSONX_NULLABLE, 64, &out->parent_id, err);
  }
  if (!rc && (out->contacts = json_object_get(body, "contacts")))
    rc = check_contacts(out->contacts, err);
  if (!rc)
    rc = jsonx_int(body, "version", 0, 1, INT64_MAX, &out->version, &out->has_version, err);
  return rc;
}

#define ORG_COLUMNS                                                                                \
  "o.id, o.code, o.name_zh, o.name_en, o.industry, o.size_tier, o.parent_id, p.code, o.contacts, " \
  "o.status, o.sample, o.created_at, o.updated_at, o.version"
#define ORG_FROM " FROM org o LEFT JOIN org p ON p.id = o.parent_id "

static json_t *row_json(struct store_stmt *s, bool private_fields)
{
  json_t *o = json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s,s:b,s:o,s:o,s:I}", "id", store_col_text(s, 0), "code",
      store_col_text(s, 1), "name_zh", store_col_text(s, 2), "name_en", store_col_text(s, 3),
      "industry", store_col_text(s, 4), "size_tier", store_col_text(s, 5), "parent_id",
      store_col_text(s, 6), "parent_code", store_col_text(s, 7), "status", store_col_text(s, 9),
      "sample", (int)store_col_int(s, 10), "created_at", jsonx_time_new(store_col_int(s, 11)),
      "updated_at", jsonx_time_new(store_col_int(s, 12)), "version",
      (json_int_t)store_col_int(s, 13));
  if (o && private_fields) {
    json_t *contacts = json_loads(store_col_text(s, 8), 0, NULL);
    json_object_set_new(o, "contacts", contacts ? contacts : json_array());
  }
  return o;
}

/* One column of the organisation given by id or code (sql binds it twice). */
static int org_column(struct store_conn *c, const char *sql, const char *id_or_code, char *out,
                      size_t n, struct fs_err *err)
{
  bool found;
  int rc = store_query_text(c, out, n, &found, err, sql, "ss", id_or_code, id_or_code);
  if (!rc && !found)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "organisation", "no organisation \"%.64s\"", id_or_code);
  return rc;
}

int org_resolve(struct store_conn *c, const char *id_or_code, char id_out[37], struct fs_err *err)
{
  return org_column(c, "SELECT id FROM org WHERE id = ? OR code = ?", id_or_code, id_out, 37, err);
}

int org_code(struct store_conn *c, const char *id_or_code, char code_out[40], struct fs_err *err)
{
  return org_column(c, "SELECT code FROM org WHERE id = ? OR code = ?", id_or_code, code_out, 40,
                    err);
}

int org_hub_id(struct store_conn *c, char id_out[37], struct fs_err *err)
{
  bool found;
  int rc =
      store_query_text(c, id_out, 37, &found, err,
                       "SELECT id FROM org WHERE industry = 'hub' ORDER BY created_at LIMIT 1", "");
  if (!rc && !found)
    rc =
        fs_err_set(err, FS_ERR_NOT_FOUND, "organisation", "the hub has no organisation of its own");
  return rc;
}

/* The parent must exist, be a financial holding company, and not be the organisation itself;
 * a holding company has no parent. This keeps groups one level deep and cycles impossible. */
static int check_parent(struct store_conn *c, const char *self_id, int industry, const char *parent,
                        char parent_id[37], struct fs_err *err)
{
  if (industry == ORG_INDUSTRY_FINANCIAL_HOLDING)
    return fs_err_set(err, FS_ERR_INVALID, "$.parent_id",
                      "a financial holding company cannot belong to another group");
  int rc = org_resolve(c, parent, parent_id, err);
  if (rc == FS_ERR_NOT_FOUND)
    return fs_err_set(err, FS_ERR_INVALID, "$.parent_id", "no organisation \"%.64s\"", parent);
  if (rc)
    return rc;
  if (self_id && !strcmp(self_id, parent_id))
    return fs_err_set(err, FS_ERR_INVALID, "$.parent_id",
                      "an organisation cannot be its own group");
  int64_t is_holding = 0;
  bool found;
  rc = store_query_int(c, &is_holding, &found, err,
                       "SELECT COUNT(*) FROM org WHERE id = ? AND industry = 'financial_holding'",
                       "s", parent_id);
  if (!rc && !is_holding)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.parent_id",
                    "\"%.64s\" is not a financial holding company", parent);
  return rc;
}

static int hub_exists(struct store_conn *c, bool *exists, struct fs_err *err)
{
  int64_t n = 0;
  int rc = store_query_int(c, &n, NULL, err, "SELECT COUNT(*) FROM org WHERE industry = 'hub'", "");
  *exists = n > 0;
  return rc;
}

/* A detail for the audit record: what was asked, without anything secret. */
static json_t *audit_detail(const struct org_input *in)
{
  json_t *d = json_object();
  if (in->code)
    json_object_set_new(d, "code", json_string(in->code));
  if (in->name_zh)
    json_object_set_new(d, "name_zh", json_string(in->name_zh));
  if (in->name_en)
    json_object_set_new(d, "name_en", json_string(in->name_en));
  if (in->industry >= 0)
    json_object_set_new(d, "industry", json_string(org_industry_names[in->industry]));
  if (in->size_tier >= 0)
    json_object_set_new(d, "size_tier", json_string(org_tier_names[in->size_tier]));
  if (in->status >= 0)
    json_object_set_new(d, "status", json_string(org_status_names[in->status]));
  if (in->has_parent)
    json_object_set_new(d, "parent_id", in->parent_id ? json_string(in->parent_id) : json_null());
  if (in->contacts)
    json_object_set(d, "contacts", in->contacts);
  return d;
}

int org_create(struct store_conn *c, const struct actor *who, const struct org_input *in,
               char id_out[37], struct fs_err *err)
{
  int rc = policy_check(who, POLICY_ORG_CREATE, NULL, "organisations", err);
  if (rc)
    return rc;
  if (!in->code || !in->name_zh || !in->name_en || in->industry < 0 || in->size_tier < 0)
    return fs_err_set(err, FS_ERR_INVALID, "$",
                      "code, name_zh, name_en, industry and size_tier are required");
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  char parent_id[37] = "";
  if (in->has_parent && in->parent_id)
    rc = check_parent(c, NULL, in->industry, in->parent_id, parent_id, err);
  if (!rc && in->industry == ORG_INDUSTRY_HUB) {
    bool exists;
    rc = hub_exists(c, &exists, err);
    if (!rc && exists)
      rc = fs_err_set(err, FS_ERR_CONFLICT, "$.industry", "the hub organisation already exists");
  }
  int64_t dup = 0;
  if (!rc)
    rc = store_query_int(c, &dup, NULL, err, "SELECT COUNT(*) FROM org WHERE code = ?", "s",
                         in->code);
  if (!rc && dup)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.code", "an organisation with code \"%s\" exists",
                    in->code);
  char *contacts = NULL;
  if (!rc) {
    fs_uuid_v4(id_out);
    contacts = in->contacts ? json_dumps(in->contacts, JSON_COMPACT) : NULL;
    rc = store_exec(c, NULL, err,
                    "INSERT INTO org (id, code, name_zh, name_en, industry, size_tier, parent_id,"
                    " contacts, status, sample, created_at, updated_at, version)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,1)",
                    "sssssssssiii", id_out, in->code, in->name_zh, in->name_en,
                    org_industry_names[in->industry], org_tier_names[in->size_tier],
                    parent_id[0] ? parent_id : NULL, contacts ? contacts : "[]",
                    org_status_names[in->status >= 0 ? in->status : 0], (int64_t)in->sample,
                    who->now_ms, who->now_ms);
    free(contacts);
  }
  if (!rc) {
    json_t *d = audit_detail(in);
    rc = audit_append(c, who, "org.create", "org", id_out, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

int org_update(struct store_conn *c, const struct actor *who, const char *id_or_code,
               const struct org_input *in, char id_out[37], struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  char id[37];
  rc = org_resolve(c, id_or_code, id, err);
  struct policy_target t = {.org_id = id, .role = -1};
  char what[96];
  fs_msg_format(what, sizeof(what), NULL, 0, "organisation %.64s", id_or_code);
  bool only_contacts = in->contacts && !in->code && !in->name_zh && !in->name_en &&
                       in->industry < 0 && in->size_tier < 0 && in->status < 0 && !in->has_parent;
  if (!rc)
    rc = policy_check(who, only_contacts ? POLICY_ORG_CONTACTS : POLICY_ORG_UPDATE, &t, what, err);
  int64_t version = 0, industry_idx = -1;
  struct store_stmt *s = NULL;
  if (!rc)
    rc = store_query(c, &s, err, "SELECT version, industry, code FROM org WHERE id = ?", "s", id);
  bool row = false;
  if (!rc)
    rc = store_step(s, &row, err);
  char old_code[40] = "";
  if (!rc && row) {
    version = store_col_int(s, 0);
    snprintf(old_code, sizeof(old_code), "%s", store_col_text(s, 2));
    const char *ind = store_col_text(s, 1);
    for (int i = 0; org_industry_names[i]; i++)
      if (ind && !strcmp(ind, org_industry_names[i]))
        industry_idx = i;
  }
  store_done(s);
  if (!rc && in->has_version && in->version != version)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.version",
                    "organisation %.64s was changed meanwhile (version %lld, not %lld); reload and "
                    "try again",
                    id_or_code, (long long)version, (long long)in->version);
  int industry = in->industry >= 0 ? in->industry : (int)industry_idx;
  if (!rc && in->industry >= 0 &&
      (in->industry == ORG_INDUSTRY_HUB) != (industry_idx == ORG_INDUSTRY_HUB))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.industry", "the hub's industry cannot be changed");
  char parent_id[37] = "";
  if (!rc && in->has_parent && in->parent_id)
    rc = check_parent(c, id, industry, in->parent_id, parent_id, err);
  if (!rc && !in->has_parent && in->industry == ORG_INDUSTRY_FINANCIAL_HOLDING) {
    int64_t has_parent = 0;
    rc =
        store_query_int(c, &has_parent, NULL, err,
                        "SELECT COUNT(*) FROM org WHERE id = ? AND parent_id IS NOT NULL", "s", id);
    if (!rc && has_parent)
      rc = fs_err_set(err, FS_ERR_INVALID, "$.industry",
                      "a financial holding company cannot belong to another group");
  }
  if (!rc && in->code) {
    int64_t dup = 0;
    rc = store_query_int(c, &dup, NULL, err, "SELECT COUNT(*) FROM org WHERE code = ? AND id <> ?",
                         "ss", in->code, id);
    if (!rc && dup)
      rc = fs_err_set(err, FS_ERR_CONFLICT, "$.code", "an organisation with code \"%s\" exists",
                      in->code);
  }
  char *contacts = NULL;
  if (!rc) {
    contacts = in->contacts ? json_dumps(in->contacts, JSON_COMPACT) : NULL;
    /* COALESCE keeps what the request did not mention; parent_id uses a flag so that null can
     * clear it. */
    rc = store_exec(c, NULL, err,
                    "UPDATE org SET code = COALESCE(?, code), name_zh = COALESCE(?, name_zh),"
                    " name_en = COALESCE(?, name_en), industry = COALESCE(?, industry),"
                    " size_tier = COALESCE(?, size_tier), status = COALESCE(?, status),"
                    " contacts = COALESCE(?, contacts),"
                    " parent_id = CASE WHEN ? = 1 THEN ? ELSE parent_id END,"
                    " updated_at = ?, version = version + 1 WHERE id = ?",
                    "sssssssisis", in->code, in->name_zh, in->name_en,
                    in->industry >= 0 ? org_industry_names[in->industry] : NULL,
                    in->size_tier >= 0 ? org_tier_names[in->size_tier] : NULL,
                    in->status >= 0 ? org_status_names[in->status] : NULL, contacts,
                    (int64_t)in->has_parent, parent_id[0] ? parent_id : NULL, who->now_ms, id);
    free(contacts);
  }
  int64_t renamed = 0; /* its users named NAME@CODE keep their organisation's code */
  if (!rc && in->code && strcmp(in->code, old_code))
    rc = user_names_follow_code(c, id, old_code, in->code, &renamed, err);
  if (!rc) {
    json_t *d = audit_detail(in);
    json_object_set_new(d, "version", json_integer(version + 1));
    if (renamed)
      json_object_set_new(d, "users_renamed", json_integer(renamed));
    rc = audit_append(c, who, "org.update", "org", id, d, err);
    json_decref(d);
  }
  if (!rc && id_out)
    memcpy(id_out, id, 37);
  return store_tx_leave(c, owned, rc, err);
}

int org_get_json(struct store_conn *c, const struct actor *who, const char *id_or_code,
                 json_t **out, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT " ORG_COLUMNS ORG_FROM "WHERE o.id = ? OR o.code = ?",
                       "ss", id_or_code, id_or_code);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "organisation", "no organisation \"%.64s\"", id_or_code);
  if (!rc) {
    struct policy_target t = {.org_id = store_col_text(s, 0), .role = -1};
    *out = row_json(s, policy_allows(who, POLICY_ORG_PRIVATE, &t));
    if (!*out)
      rc = fs_err_set(err, FS_ERR_NOMEM, "organisation", "out of memory");
  }
  store_done(s);
  return rc;
}

static json_t *org_item(struct store_stmt *s, const void *ctx)
{
  struct policy_target t = {.org_id = store_col_text(s, 0), .role = -1};
  return row_json(s, policy_allows(ctx, POLICY_ORG_PRIVATE, &t));
}

static void org_cursor(struct store_stmt *s, char *out, size_t n)
{
  snprintf(out, n, "%s", store_col_text(s, 1));
}

bool org_industry_is_member(const char *industry)
{
  return strcmp(industry, "hub") && strcmp(industry, "regulator") && strcmp(industry, "partner");
}

int org_each_json(struct store_conn *c, const struct actor *who, const struct org_filter *f,
                  org_each_fn fn, void *ctx, struct fs_err *err)
{
  char after[80] = "";
  int rc = FS_OK;
  while (!rc) {
    struct auth_page page = {.limit = 1000, .after = after[0] ? after : NULL};
    json_t *pg, *o;
    if ((rc = org_list_json(c, who, f, &page, &pg, err)))
      return rc;
    size_t i;
    json_array_foreach(json_object_get(pg, "items"), i, o)
    {
      if ((rc = fn(o, ctx, err)))
        break;
    }
    const char *next = json_string_value(json_object_get(pg, "next"));
    if (!next && !rc)
      rc = ORG_EACH_STOP;
    else if (!rc)
      snprintf(after, sizeof(after), "%s", next);
    json_decref(pg);
  }
  return rc == ORG_EACH_STOP ? FS_OK : rc;
}

int org_list_json(struct store_conn *c, const struct actor *who, const struct org_filter *f,
                  const struct auth_page *page, json_t **out, struct fs_err *err)
{
  char like[256] = "";
  if (f->q)
    snprintf(like, sizeof(like), "%%%s%%", f->q);
  struct store_stmt *s;
  int64_t limit = auth_page_limit(page);
  int rc = store_query(
      c, &s, err,
      "SELECT " ORG_COLUMNS ORG_FROM
      "WHERE (? IS NULL OR o.industry = ?) AND (? IS NULL OR o.parent_id = ? OR p.code = ?)"
      " AND (? IS NULL OR o.status = ?)"
      " AND (? IS NULL OR lower(o.code) LIKE lower(?) OR lower(o.name_zh) LIKE lower(?)"
      " OR lower(o.name_en) LIKE lower(?))"
      " AND (? IS NULL OR o.code > ?) ORDER BY o.code LIMIT ?",
      "sssssssssssssi", f->industry, f->industry, f->parent, f->parent, f->parent, f->status,
      f->status, f->q, like, like, like, page->after, page->after, limit + 1);
  if (rc)
    return rc;
  return auth_page_collect(s, limit, org_item, org_cursor, who, out, err);
}
