/* Response teams: registration, members, matching by tier, skills and availability, help
 * requests, offers, acceptance and decline. */
#include "incident/team.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "auth/user.h"
#include "auth/validate.h"
#include "core/jsonx.h"
#include "core/uuid.h"
#include "core/vec.h"
#include "incident/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const team_kind_names[] = {"group", "support", "cert", NULL};
const char *const team_skill_names[] = {
    "forensics",           "malware_analysis", "ddos_mitigation",
    "active_directory",    "mainframe",        "cloud",
    "payment_systems",     "network",          "endpoint",
    "threat_hunting",      "web_application",  "database",
    "ransomware_recovery", "coordination",     NULL};

static int check_names(json_t *arr, const char *field, const char *const *allowed, size_t max,
                       struct fs_err *err)
{
  char where[48];
  snprintf(where, sizeof(where), "$.%s", field);
  if (!json_is_array(arr))
    return fs_err_set(err, FS_ERR_INVALID, where, "field \"%s\" must be an array", field);
  if (json_array_size(arr) > max)
    return fs_err_set(err, FS_ERR_INVALID, where, "at most %zu entries", max);
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v)
  {
    snprintf(where, sizeof(where), "$.%s[%zu]", field, i);
    const char *s = json_string_value(v);
    bool ok = false;
    for (int k = 0; s && allowed[k] && !ok; k++)
      ok = !strcmp(allowed[k], s);
    if (!ok)
      return fs_err_set(err, FS_ERR_INVALID, where, "\"%.40s\" is not a known %s",
                        s ? s : "(not a string)", !strcmp(field, "serves") ? "industry" : "skill");
  }
  return FS_OK;
}

int team_input_from_json(json_t *body, bool update, struct team_input *out, struct fs_err *err)
{
  static const char *const keys[] = {"org",      "code",          "name_zh", "name_en",
                                     "kind",     "skills",        "serves",  "available",
                                     "capacity", "contact_email", "version", NULL};
  memset(out, 0, sizeof(*out));
  out->kind = out->available = -1;
  if (!json_is_object(body))
    return fs_err_set(err, FS_ERR_INVALID, "$", "expected a JSON object");
  unsigned req = update ? 0 : JSONX_REQUIRED;
  int rc = jsonx_only_keys(body, keys, "$", err);
  if (!rc && update && (json_object_get(body, "org") || json_object_get(body, "kind")))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.org", "a team's organisation and kind cannot change");
  if (!rc)
    rc = jsonx_string(body, "org", req, 64, &out->org, err);
  if (!rc)
    rc = jsonx_string(body, "code", req, 32, &out->code, err);
  if (!rc && out->code)
    rc = auth_check_slug(out->code, "code", 2, 32, err);
  if (!rc)
    rc = jsonx_string(body, "name_zh", req, 200, &out->name_zh, err);
  if (!rc)
    rc = jsonx_string(body, "name_en", req, 200, &out->name_en, err);
  if (!rc)
    rc = jsonx_enum(body, "kind", req, team_kind_names, &out->kind, err);
  if (!rc && (out->skills = json_object_get(body, "skills")))
    rc = check_names(out->skills, "skills", team_skill_names, 32, err);
  if (!rc && (out->serves = json_object_get(body, "serves")))
    rc = check_names(out->serves, "serves", org_industry_names, 16, err);
  bool avail = false, has_avail = false;
  if (!rc)
    rc = jsonx_bool(body, "available", 0, &avail, &has_avail, err);
  if (has_avail)
    out->available = avail;
  if (!rc)
    rc = jsonx_int(body, "capacity", 0, 1, 100, &out->capacity, NULL, err);
  if (!rc && json_object_get(body, "contact_email")) {
    out->has_email = true;
    rc = jsonx_string(body, "contact_email", JSONX_NULLABLE, 254, &out->contact_email, err);
    if (!rc && out->contact_email)
      rc = auth_check_email(out->contact_email, "$.contact_email", err);
  }
  if (!rc)
    rc = jsonx_int(body, "version", 0, 1, INT64_MAX, &out->version, &out->has_version, err);
  return rc;
}

static int team_resolve(struct store_conn *c, const char *id_or_code, char id[37], char org[37],
                        struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT id, org_id FROM incident_team WHERE id = ? OR code = ?",
                       "ss", id_or_code, id_or_code);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "team", "no response team \"%.64s\"", id_or_code);
  if (!rc) {
    snprintf(id, 37, "%s", store_col_text(s, 0));
    snprintf(org, 37, "%s", store_col_text(s, 1));
  }
  store_done(s);
  return rc;
}

int team_create(struct store_conn *c, const struct actor *who, const struct team_input *in,
                char id_out[37], struct fs_err *err)
{
  if (!in->org || !in->code || !in->name_zh || !in->name_en || in->kind < 0)
    return fs_err_set(err, FS_ERR_INVALID, "$", "org, code, names and kind are required");
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  char org_id[37];
  struct org_brief org = {0};
  rc = org_resolve(c, in->org, org_id, err);
  if (rc == FS_ERR_NOT_FOUND)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.org", "no organisation \"%.64s\"", in->org);
  struct policy_target t = {.org_id = org_id, .role = -1};
  if (!rc)
    rc = policy_check(who, POLICY_TEAM_MANAGE, &t, "the response teams of this organisation", err);
  if (!rc)
    rc = org_brief(c, org_id, &org, err);
  const char *industry = org.industry;
  static const char *const fits[][3] = {
      {"financial_holding", NULL, NULL}, {"peripheral", "association", NULL}, {"hub", NULL, NULL}};
  if (!rc) {
    bool ok = false;
    for (int i = 0; i < 3 && fits[in->kind][i]; i++)
      ok = ok || !strcmp(fits[in->kind][i], industry);
    if (!ok)
      rc =
          fs_err_set(err, FS_ERR_INVALID, "$.kind",
                     "a %s team belongs to %s, not to a %s organisation", team_kind_names[in->kind],
                     in->kind == 0   ? "a financial holding company"
                     : in->kind == 1 ? "a peripheral unit or an association"
                                     : "the hub",
                     industry);
  }
  int64_t dup = 0;
  if (!rc)
    rc = store_query_int(c, &dup, NULL, err, "SELECT COUNT(*) FROM incident_team WHERE code = ?",
                         "s", in->code);
  if (!rc && dup)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.code", "a team with code \"%s\" exists", in->code);
  char *skills = in->skills ? json_dumps(in->skills, JSON_COMPACT) : NULL;
  char *serves = in->serves ? json_dumps(in->serves, JSON_COMPACT) : NULL;
  if (!rc) {
    fs_uuid_v4(id_out);
    rc = store_exec(c, NULL, err,
                    "INSERT INTO incident_team (id, org_id, code, name_zh, name_en, kind, skills,"
                    " serves, available, capacity, contact_email, created_at, updated_at, version)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,1)",
                    "ssssssssiisii", id_out, org_id, in->code, in->name_zh, in->name_en,
                    team_kind_names[in->kind], skills ? skills : "[]", serves ? serves : "[]",
                    (int64_t)(in->available != 0), in->capacity ? in->capacity : 3,
                    in->contact_email, who->now_ms, who->now_ms);
  }
  free(skills);
  free(serves);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s,s:s}", "code", in->code, "org_id", org_id, "kind",
                          team_kind_names[in->kind]);
    if (in->skills)
      json_object_set(d, "skills", in->skills);
    rc = audit_append(c, who, "team.create", "team", id_out, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

int team_update(struct store_conn *c, const struct actor *who, const char *id_or_code,
                const struct team_input *in, struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  char id[37], org[37];
  rc = team_resolve(c, id_or_code, id, org, err);
  struct policy_target t = {.org_id = org, .role = -1};
  if (!rc)
    rc = policy_check(who, POLICY_TEAM_MANAGE, &t, "this response team", err);
  int64_t version = 0;
  if (!rc)
    rc = store_query_int(c, &version, NULL, err, "SELECT version FROM incident_team WHERE id = ?",
                         "s", id);
  if (!rc && in->has_version && in->version != version)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.version",
                    "team %.64s was changed meanwhile (version %lld, not %lld); reload and try "
                    "again",
                    id_or_code, (long long)version, (long long)in->version);
  char *skills = in->skills ? json_dumps(in->skills, JSON_COMPACT) : NULL;
  char *serves = in->serves ? json_dumps(in->serves, JSON_COMPACT) : NULL;
  int64_t n = 0;
  if (!rc)
    rc = store_exec(c, &n, err,
                    "UPDATE incident_team SET code = COALESCE(?, code), name_zh = COALESCE(?,"
                    " name_zh), name_en = COALESCE(?, name_en), skills = COALESCE(?, skills),"
                    " serves = COALESCE(?, serves),"
                    " available = CASE WHEN ? >= 0 THEN ? ELSE available END,"
                    " capacity = CASE WHEN ? > 0 THEN ? ELSE capacity END,"
                    " contact_email = CASE WHEN ? = 1 THEN ? ELSE contact_email END,"
                    " updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
                    "sssssiiiiisisi", in->code, in->name_zh, in->name_en, skills, serves,
                    (int64_t)in->available, (int64_t)in->available, in->capacity, in->capacity,
                    (int64_t)in->has_email, in->contact_email, who->now_ms, id, version);
  free(skills);
  free(serves);
  if (!rc && n != 1)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.version", "the team was changed meanwhile");
  if (!rc) {
    json_t *d = json_pack("{s:I}", "version", (json_int_t)version + 1);
    if (in->available >= 0)
      json_object_set_new(d, "available", json_boolean(in->available));
    if (in->skills)
      json_object_set(d, "skills", in->skills);
    rc = audit_append(c, who, "team.update", "team", id, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

/* Whether user_org may hold a seat in a team of team_org: the team's own organisation or, for a
 * group's team, one of the group's subsidiaries. */
static int eligible_org(struct store_conn *c, const char *team_org, const char *user_org, bool *ok,
                        struct fs_err *err)
{
  *ok = !strcmp(user_org, team_org);
  struct org_brief u;
  int rc = *ok ? FS_OK : org_brief(c, user_org, &u, err);
  *ok = *ok || (!rc && !strcmp(u.parent_id, team_org));
  return rc;
}

int team_member_set(struct store_conn *c, const struct actor *who, const char *team,
                    const char *user, bool add, struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  char id[37], org[37], user_id[37], user_org[37];
  rc = team_resolve(c, team, id, org, err);
  struct policy_target t = {.org_id = org, .role = -1};
  if (!rc)
    rc = policy_check(who, POLICY_TEAM_MANAGE, &t, "this response team", err);
  /* Users the actor may not see (another organisation's, for a member) answer exactly as users
   * that do not exist; those who may hold a seat in the team are seen by its managers. */
  bool eligible = false;
  int found = rc ? rc : user_resolve(c, user, user_id, user_org, err);
  if (!found)
    found = eligible_org(c, org, user_org, &eligible, err);
  struct policy_target u = {.org_id = user_org, .user_id = user_id, .role = -1};
  if (!found && !eligible && !policy_allows(who, POLICY_USER_READ, &u))
    found = FS_ERR_NOT_FOUND;
  int64_t seated = 0;
  if (!rc && !found && !add)
    found = store_query_int(c, &seated, NULL, err,
                            "SELECT COUNT(*) FROM incident_team_member WHERE team_id = ?"
                            " AND user_id = ?",
                            "ss", id, user_id);
  if (!rc && add && found == FS_ERR_NOT_FOUND)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.user", "no user \"%.64s\"", user);
  else if (!rc && !add && (found == FS_ERR_NOT_FOUND || (!found && !seated)))
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "user", "no user \"%.64s\" in this team", user);
  else if (!rc)
    rc = found;
  if (!rc && add && !eligible)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.user",
                    "user \"%.64s\" belongs to another organisation than the team", user);
  if (!rc && add)
    rc = store_exec(c, NULL, err,
                    "INSERT INTO incident_team_member (team_id, user_id, added_at) VALUES (?,?,?)"
                    " ON CONFLICT (team_id, user_id) DO NOTHING",
                    "ssi", id, user_id, who->now_ms);
  else if (!rc)
    rc = store_exec(c, NULL, err,
                    "DELETE FROM incident_team_member WHERE team_id = ? AND user_id = ?", "ss", id,
                    user_id);
  if (!rc) {
    json_t *d = json_pack("{s:s}", "user_id", user_id);
    rc = audit_append(c, who, add ? "team.member.add" : "team.member.remove", "team", id, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

#define TEAM_COLUMNS                                                                               \
  "t.id, t.code, t.name_zh, t.name_en, t.kind, t.org_id, t.skills, t.serves, "                     \
  "t.available, t.capacity, t.contact_email, t.created_at, t.updated_at, t.version, "              \
  "(SELECT COUNT(*) FROM incident_assignment a JOIN incident i ON i.id = a.incident_id WHERE "     \
  "a.team_id = t.id AND a.status = 'accepted' AND i.status NOT IN ('closed', 'merged'))"

static int cmp_name(const void *a, const void *b)
{
  return strcmp((const char *)a, (const char *)b);
}

/* The user names of a team's members, in order (auth reads the names). */
static json_t *member_names(struct store_conn *c, const char *team_id)
{
  json_t *members = json_array();
  char(*names)[72] = NULL;
  size_t n = 0, cap = 0;
  struct store_stmt *m;
  struct fs_err e;
  if (!store_query(c, &m, &e, "SELECT user_id FROM incident_team_member WHERE team_id = ?", "s",
                   team_id)) {
    bool row;
    while (!store_step(m, &row, &e) && row && !FS_VEC_GROW(names, n, cap, 8))
      if (!user_name(c, store_col_text(m, 0), names[n], &e))
        n++;
    store_done(m);
  }
  if (n)
    qsort(names, n, sizeof(*names), cmp_name);
  for (size_t i = 0; i < n; i++)
    json_array_append_new(members, json_string(names[i]));
  free(names);
  return members;
}

static json_t *team_row_json(struct store_conn *c, const struct actor *who, struct store_stmt *s)
{
  char code[40] = "";
  struct fs_err e;
  org_code(c, store_col_text(s, 5), code, &e);
  json_t *skills = json_loads(store_col_text(s, 6), 0, NULL);
  json_t *serves = json_loads(store_col_text(s, 7), 0, NULL);
  json_t *o = json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:I,s:I,s:s?,s:o,s:o,s:I}", "id",
      store_col_text(s, 0), "code", store_col_text(s, 1), "name_zh", store_col_text(s, 2),
      "name_en", store_col_text(s, 3), "kind", store_col_text(s, 4), "org_id", store_col_text(s, 5),
      "org_code", code, "skills", skills ? skills : json_array(), "serves",
      serves ? serves : json_array(), "available", (int)store_col_int(s, 8), "capacity",
      (json_int_t)store_col_int(s, 9), "load", (json_int_t)store_col_int(s, 14), "contact_email",
      store_col_text(s, 10), "created_at", jsonx_time_new(store_col_int(s, 11)), "updated_at",
      jsonx_time_new(store_col_int(s, 12)), "version", (json_int_t)store_col_int(s, 13));
  struct policy_target t = {.org_id = store_col_text(s, 5), .role = -1};
  if (o &&
      (policy_allows(who, POLICY_TEAM_MANAGE, &t) || policy_allows(who, POLICY_ORG_PRIVATE, &t)))
    json_object_set_new(o, "members", member_names(c, store_col_text(s, 0)));
  return o;
}

int team_get_json(struct store_conn *c, const struct actor *who, const char *id_or_code,
                  json_t **out, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT " TEAM_COLUMNS " FROM incident_team t"
                       " WHERE t.id = ? OR t.code = ?",
                       "ss", id_or_code, id_or_code);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "team", "no response team \"%.64s\"", id_or_code);
  if (!rc) {
    /* The team's own statement borrows the connection for its members: copy the row first. */
    char id[37];
    snprintf(id, sizeof(id), "%s", store_col_text(s, 0));
    store_done(s);
    s = NULL;
    rc = store_query(c, &s, err,
                     "SELECT " TEAM_COLUMNS " FROM incident_team t"
                     " WHERE t.id = ?",
                     "s", id);
    if (!rc)
      rc = store_step(s, &row, err);
    if (!rc)
      *out = team_row_json(c, who, s);
  }
  store_done(s);
  return rc;
}

int team_list_json(struct store_conn *c, const struct actor *who, json_t **out, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT " TEAM_COLUMNS " FROM incident_team t"
                       " ORDER BY t.kind, t.code",
                       "");
  if (rc)
    return rc;
  json_t *items = json_array();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row)
    json_array_append_new(items, team_row_json(c, who, s));
  store_done(s);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o,s:n}", "items", items, "next");
  return FS_OK;
}
