/* Users: input validation, changes with their audit records, passwords, TOTP, login. */
#include "auth/user.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "auth/policy.h"
#include "auth/secret.h"
#include "auth/token.h"
#include "auth/validate.h"
#include "core/encode.h"
#include "core/i18n.h"
#include "core/jsonx.h"
#include "core/uuid.h"
#include "core/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const user_status_names[] = {"active", "disabled", NULL};

/* NAME or NAME@CODE (each part a slug; the whole at most USER_NAME_MAX bytes). */
static int check_username(const char *name, struct fs_err *err)
{
  const char *at = strchr(name, '@');
  if (!at || strlen(name) > USER_NAME_MAX)
    return auth_check_slug(name, "username", 2, USER_NAME_MAX, err);
  char local[USER_NAME_MAX + 1];
  snprintf(local, sizeof(local), "%.*s", (int)(at - name), name);
  struct fs_err ignored;
  if (auth_check_slug(local, "username", 1, USER_NAME_MAX, &ignored) ||
      auth_check_slug(at + 1, "username", 2, 32, &ignored))
    return fs_err_set(err, FS_ERR_INVALID, "$.username",
                      "user name \"%.64s\" is not NAME or NAME@CODE (a-z, 0-9, '-', '_' and '.',"
                      " each starting with a letter or digit; CODE is the organisation's code)",
                      name);
  return FS_OK;
}

void user_input_init(struct user_input *in)
{
  memset(in, 0, sizeof(*in));
  in->role = in->status = -1;
}

int user_input_from_json(json_t *body, bool update, struct user_input *out, struct fs_err *err)
{
  static const char *const create_keys[] = {"org",  "username", "display_name", "email",
                                            "role", "status",   "password",     NULL};
  static const char *const update_keys[] = {"display_name", "email",   "role",
                                            "status",       "version", NULL};
  user_input_init(out);
  if (!json_is_object(body))
    return fs_err_set(err, FS_ERR_INVALID, "$", "expected a JSON object");
  unsigned req = update ? 0 : JSONX_REQUIRED;
  int rc = jsonx_only_keys(body, update ? update_keys : create_keys, "$", err);
  if (!rc && !update)
    rc = jsonx_string(body, "org", JSONX_REQUIRED, 64, &out->org, err);
  if (!rc && !update)
    rc = jsonx_string(body, "username", JSONX_REQUIRED, 64, &out->username, err);
  if (!rc && out->username)
    rc = check_username(out->username, err);
  if (!rc)
    rc = jsonx_string(body, "display_name", req, 200, &out->display_name, err);
  if (!rc && out->display_name && !*out->display_name)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.display_name",
                    "field \"display_name\" must not be empty");
  if (!rc)
    rc = jsonx_string(body, "email", JSONX_NULLABLE, 254, &out->email, err);
  if (!rc && out->email)
    rc = auth_check_email(out->email, "email", err);
  if (!rc)
    rc = jsonx_enum(body, "role", req, auth_role_names, &out->role, err);
  if (!rc)
    rc = jsonx_enum(body, "status", 0, user_status_names, &out->status, err);
  if (!rc && !update)
    rc = jsonx_string(body, "password", JSONX_NULLABLE, AUTH_PASSWORD_MAX, &out->password, err);
  if (!rc && out->password)
    rc = auth_password_check(out->password, err);
  if (!rc && update)
    rc = jsonx_int(body, "version", 0, 1, INT64_MAX, &out->version, &out->has_version, err);
  return rc;
}

/* The one answer for a user that does not exist or that the actor may not see. */
static int no_user(struct fs_err *err, const char *id_or_name)
{
  return fs_err_set(err, FS_ERR_NOT_FOUND, "user", "no user \"%.64s\"", id_or_name);
}

int user_name(struct store_conn *c, const char *id, char name_out[72], struct fs_err *err)
{
  bool found;
  name_out[0] = '\0';
  int rc = store_query_text(c, name_out, 72, &found, err,
                            "SELECT username FROM app_user WHERE id = ?", "s", id);
  if (!rc && !found)
    rc = no_user(err, id);
  return rc;
}

int user_resolve(struct store_conn *c, const char *id_or_name, char id_out[37], char org_out[37],
                 struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT id, org_id FROM app_user WHERE id = ? OR username = ?",
                       "ss", id_or_name, id_or_name);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && row) {
    snprintf(id_out, 37, "%s", store_col_text(s, 0));
    if (org_out)
      snprintf(org_out, 37, "%s", store_col_text(s, 1));
  }
  store_done(s);
  if (!rc && !row)
    rc = no_user(err, id_or_name);
  return rc;
}

int user_resolve_visible(struct store_conn *c, const struct actor *who, const char *id_or_name,
                         char id_out[37], char org_out[37], struct fs_err *err)
{
  char org[37];
  int rc = user_resolve(c, id_or_name, id_out, org, err);
  struct policy_target t = {.org_id = org, .user_id = id_out, .role = -1};
  if (!rc && !policy_allows(who, POLICY_USER_READ, &t))
    rc = no_user(err, id_or_name);
  if (!rc && org_out)
    memcpy(org_out, org, 37);
  return rc;
}

/* Which roles an organisation's users may hold: hub roles only at the hub, the supervisor role
 * only at the regulator (or the hub), member roles anywhere but the hub. */
static int check_role_fits_org(struct store_conn *c, const char *org_id, int role,
                               struct fs_err *err)
{
  char industry[32] = "";
  int rc = store_query_text(c, industry, sizeof(industry), NULL, err,
                            "SELECT industry FROM org WHERE id = ?", "s", org_id);
  if (rc)
    return rc;
  if (!policy_role_fits(role, industry))
    return fs_err_set(err, FS_ERR_INVALID, "$.role",
                      "role %s cannot be given to a user of a %s organisation",
                      auth_role_name((enum auth_role)role), industry);
  return FS_OK;
}

/* A name NAME@CODE belongs to the organisation whose code is CODE. Only who may name users freely
 * (POLICY_USER_NAME_ANY) gives a name without "@CODE": names are unique across the hub, and a
 * member's administrator refused a name another organisation uses would learn that it exists.
 * Within its own "@CODE" it sees every user (user_names_follow_code keeps them there). */
static int check_name_fits_org(struct store_conn *c, const struct actor *who, const char *org_id,
                               const char *name, struct fs_err *err)
{
  char code[40];
  int rc = org_code(c, org_id, code, err);
  if (rc)
    return rc;
  const char *at = strchr(name, '@');
  if (at ? strcmp(at + 1, code) != 0 : !policy_allows(who, POLICY_USER_NAME_ANY, NULL))
    return fs_err_set(err, FS_ERR_INVALID, "$.username",
                      "user name \"%.64s\" must end with \"@%s\", the code of its organisation",
                      name, code);
  return FS_OK;
}

int user_names_follow_code(struct store_conn *c, const char *org_id, const char *old_code,
                           const char *new_code, int64_t *renamed, struct fs_err *err)
{
  *renamed = 0;
  struct store_stmt *s;
  int rc =
      store_query(c, &s, err, "SELECT id, username FROM app_user WHERE org_id = ?", "s", org_id);
  if (rc)
    return rc;
  size_t old_len = strlen(old_code);
  struct rename {
    char id[37];
    char name[USER_NAME_MAX + 1];
  } *list = NULL;
  size_t n = 0, cap = 0;
  bool row;
  while (!rc && !(rc = store_step(s, &row, err)) && row) {
    const char *name = store_col_text(s, 1);
    size_t len = strlen(name);
    if (len <= old_len + 1 || name[len - old_len - 1] != '@' ||
        strcmp(name + len - old_len, old_code))
      continue;
    if (len - old_len + strlen(new_code) > USER_NAME_MAX)
      rc = fs_err_set(
          err, FS_ERR_INVALID, "$.code",
          "user %.64s would be longer than %d characters with code \"%s\"; rename it first", name,
          USER_NAME_MAX, new_code);
    else if (FS_VEC_GROW(list, n, cap, 16))
      rc = fs_err_set(err, FS_ERR_NOMEM, "user", "out of memory");
    else {
      snprintf(list[n].id, sizeof(list[n].id), "%s", store_col_text(s, 0));
      snprintf(list[n].name, sizeof(list[n].name), "%.*s@%s", (int)(len - old_len - 1), name,
               new_code);
      n++;
    }
  }
  store_done(s);
  for (size_t i = 0; !rc && i < n; i++)
    rc = store_exec(c, NULL, err, "UPDATE app_user SET username = ? WHERE id = ?", "ss",
                    list[i].name, list[i].id);
  free(list);
  if (!rc)
    *renamed = (int64_t)n;
  return rc;
}

static json_t *user_detail(const struct user_input *in)
{
  json_t *d = json_object();
  if (in->username)
    json_object_set_new(d, "username", json_string(in->username));
  if (in->display_name)
    json_object_set_new(d, "display_name", json_string(in->display_name));
  if (in->email)
    json_object_set_new(d, "email", json_string(in->email));
  if (in->role >= 0)
    json_object_set_new(d, "role", json_string(auth_role_name((enum auth_role)in->role)));
  if (in->status >= 0)
    json_object_set_new(d, "status", json_string(user_status_names[in->status]));
  return d;
}

int user_create(struct store_conn *c, const struct actor *who, const struct auth_settings *set,
                const struct user_input *in, char id_out[37], struct fs_err *err)
{
  if (!in->org || !in->username || !in->display_name || in->role < 0)
    return fs_err_set(err, FS_ERR_INVALID, "$",
                      "org, username, display_name and role are required");
  char hash[AUTH_HASH_MAX] = "";
  int rc;
  if (in->password && ((rc = auth_password_check(in->password, err)) ||
                       (rc = auth_password_hash(in->password, set->argon2_level, hash, err))))
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  char org_id[37];
  rc = org_resolve(c, in->org, org_id, err);
  if (rc == FS_ERR_NOT_FOUND)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.org", "no organisation \"%.64s\"", in->org);
  if (!rc) {
    struct policy_target t = {.org_id = org_id, .role = in->role};
    char what[96];
    fs_msg_format(what, sizeof(what), NULL, 0, "%.40s users of organisation %.64s",
                  auth_role_name((enum auth_role)in->role), in->org);
    rc = policy_check(who, POLICY_USER_MANAGE, &t, what, err);
  }
  if (!rc)
    rc = check_role_fits_org(c, org_id, in->role, err);
  if (!rc)
    rc = check_name_fits_org(c, who, org_id, in->username, err);
  int64_t dup = 0;
  if (!rc)
    rc = store_query_int(c, &dup, NULL, err, "SELECT COUNT(*) FROM app_user WHERE username = ?",
                         "s", in->username);
  if (!rc && dup)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.username", "user name \"%s\" is taken", in->username);
  if (!rc) {
    fs_uuid_v4(id_out);
    rc = store_exec(c, NULL, err,
                    "INSERT INTO app_user (id, org_id, username, display_name, email, role, status,"
                    " password_hash, created_at, updated_at, version)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,1)",
                    "ssssssssii", id_out, org_id, in->username, in->display_name, in->email,
                    auth_role_name((enum auth_role)in->role),
                    user_status_names[in->status >= 0 ? in->status : 0], hash[0] ? hash : NULL,
                    who->now_ms, who->now_ms);
  }
  if (!rc) {
    json_t *d = user_detail(in);
    json_object_set_new(d, "org_id", json_string(org_id));
    json_object_set_new(d, "password_set", json_boolean(hash[0] != '\0'));
    rc = audit_append(c, who, "user.create", "user", id_out, d, err);
    json_decref(d);
  }
  memset(hash, 0, sizeof(hash));
  return store_tx_leave(c, owned, rc, err);
}

struct user_row {
  char id[37], org_id[37], username[72], role[24], status[16];
  int64_t version;
};

static int load_user(struct store_conn *c, const char *id_or_name, struct user_row *u,
                     struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT id, org_id, username, role, status, version FROM app_user"
                       " WHERE id = ? OR username = ?",
                       "ss", id_or_name, id_or_name);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && row) {
    snprintf(u->id, sizeof(u->id), "%s", store_col_text(s, 0));
    snprintf(u->org_id, sizeof(u->org_id), "%s", store_col_text(s, 1));
    snprintf(u->username, sizeof(u->username), "%s", store_col_text(s, 2));
    snprintf(u->role, sizeof(u->role), "%s", store_col_text(s, 3));
    snprintf(u->status, sizeof(u->status), "%s", store_col_text(s, 4));
    u->version = store_col_int(s, 5);
  }
  store_done(s);
  if (!rc && !row)
    rc = no_user(err, id_or_name);
  return rc;
}

/* load_user for a user the actor may see: one it may not see (another organisation's, for a
 * member) answers exactly as one that does not exist, so that no answer tells them apart. */
static int load_visible(struct store_conn *c, const struct actor *who, const char *id_or_name,
                        struct user_row *u, struct fs_err *err)
{
  int rc = load_user(c, id_or_name, u, err);
  struct policy_target t = {.org_id = u->org_id, .user_id = u->id, .role = -1};
  if (!rc && !policy_allows(who, POLICY_USER_READ, &t))
    rc = no_user(err, id_or_name);
  return rc;
}

/* The hub must keep at least one active hub administrator. */
static int keeps_an_admin(struct store_conn *c, const struct user_row *u,
                          const struct user_input *in, struct fs_err *err)
{
  bool was_admin = !strcmp(u->role, "hub-admin") && !strcmp(u->status, "active");
  bool stays_admin = (in->role < 0 || in->role == AUTH_ROLE_HUB_ADMIN) && (in->status != 1);
  if (!was_admin || stays_admin)
    return FS_OK;
  int64_t others = 0;
  int rc = store_query_int(c, &others, NULL, err,
                           "SELECT COUNT(*) FROM app_user WHERE role = 'hub-admin'"
                           " AND status = 'active' AND id <> ?",
                           "s", u->id);
  if (!rc && others == 0)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.role",
                    "%s is the last active hub administrator; appoint another first", u->username);
  return rc;
}

int user_update(struct store_conn *c, const struct actor *who, const char *id_or_name,
                const struct user_input *in, struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct user_row u;
  rc = load_visible(c, who, id_or_name, &u, err);
  if (!rc) {
    bool self_profile = !strcmp(who->user_id, u.id) && in->role < 0 && in->status < 0;
    struct policy_target t = {.org_id = u.org_id,
                              .user_id = u.id,
                              .role = in->role >= 0 ? in->role : auth_role_parse(u.role)};
    char what[96];
    fs_msg_format(what, sizeof(what), NULL, 0, "user %.64s", u.username);
    if (!self_profile)
      rc = policy_check(who, POLICY_USER_MANAGE, &t, what, err);
  }
  if (!rc && in->has_version && in->version != u.version)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.version",
                    "user %s was changed meanwhile (version %lld, not %lld); reload and try again",
                    u.username, (long long)u.version, (long long)in->version);
  if (!rc && in->role >= 0)
    rc = check_role_fits_org(c, u.org_id, in->role, err);
  if (!rc)
    rc = keeps_an_admin(c, &u, in, err);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE app_user SET display_name = COALESCE(?, display_name),"
                    " email = COALESCE(?, email), role = COALESCE(?, role),"
                    " status = COALESCE(?, status), updated_at = ?, version = version + 1"
                    " WHERE id = ?",
                    "ssssis", in->display_name, in->email,
                    in->role >= 0 ? auth_role_name((enum auth_role)in->role) : NULL,
                    in->status >= 0 ? user_status_names[in->status] : NULL, who->now_ms, u.id);
  if (!rc) {
    json_t *d = user_detail(in);
    rc = audit_append(c, who, "user.update", "user", u.id, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

/* Self, or somebody allowed to manage the user. */
static int check_self_or_manager(const struct actor *who, const struct user_row *u,
                                 struct fs_err *err)
{
  if (!strcmp(who->user_id, u->id))
    return FS_OK;
  struct policy_target t = {
      .org_id = u->org_id, .user_id = u->id, .role = auth_role_parse(u->role)};
  char what[96];
  fs_msg_format(what, sizeof(what), NULL, 0, "user %.64s", u->username);
  return policy_check(who, POLICY_USER_MANAGE, &t, what, err);
}

/* Proves that the actor changing its own credentials is the user: the current password, or (when
 * by_code) a current code of its enrolled factor, which is then used up. Others need not. */
static int check_self_proof(struct store_conn *c, const struct actor *who,
                            const struct auth_settings *set, const struct user_row *u,
                            const struct user_proof *proof, bool by_code, struct fs_err *err)
{
  if (strcmp(who->user_id, u->id))
    return FS_OK;
  const char *current = proof ? proof->current_password : NULL;
  const char *code = proof && by_code ? proof->code : NULL;
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT password_hash, totp_enabled, totp_secret, totp_last_step"
                       " FROM app_user WHERE id = ?",
                       "s", u->id);
  bool row = false, ok = false, has_password = false, has_factor = false;
  int64_t step = -1;
  if (!rc)
    rc = store_step(s, &row, err);
  if (!rc && row) {
    has_password = !store_col_null(s, 0);
    has_factor = store_col_int(s, 1) != 0 && !store_col_null(s, 2);
    ok = current && has_password && auth_password_verify(store_col_text(s, 0), current);
    uint8_t secret[AUTH_TOTP_SECRET_BYTES];
    if (!ok && code && has_factor &&
        !auth_open_hex(set->secret_key, store_col_text(s, 2), secret, sizeof(secret)))
      step = auth_totp_check(secret, code, who->now_ms, store_col_int(s, 3));
    memset(secret, 0, sizeof(secret));
    ok = ok || step >= 0;
  }
  store_done(s);
  if (!rc && step >= 0)
    rc = store_exec(c, NULL, err, "UPDATE app_user SET totp_last_step = ? WHERE id = ?", "is", step,
                    u->id);
  if (!rc && !ok && by_code && (has_password || has_factor))
    rc = fs_err_set(err, FS_ERR_FORBIDDEN, "$.current_password",
                    "changing one's own second factor needs the current password "
                    "(current_password) or a current code (code)");
  if (!rc && !ok && !by_code)
    rc = fs_err_set(err, FS_ERR_FORBIDDEN, "$.current_password", "the current password is wrong");
  return rc;
}

int user_set_password(struct store_conn *c, const struct actor *who,
                      const struct auth_settings *set, const char *id_or_name, const char *current,
                      const char *password, struct fs_err *err)
{
  int rc = auth_password_check(password, err);
  if (rc)
    return rc;
  char hash[AUTH_HASH_MAX];
  if ((rc = auth_password_hash(password, set->argon2_level, hash, err)))
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  struct user_row u;
  rc = load_visible(c, who, id_or_name, &u, err);
  if (!rc)
    rc = check_self_or_manager(who, &u, err);
  /* Changing one's own password needs the current one. */
  struct user_proof proof = {.current_password = current};
  if (!rc)
    rc = check_self_proof(c, who, set, &u, &proof, false, err);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE app_user SET password_hash = ?, updated_at = ?, version = version + 1"
                    " WHERE id = ?",
                    "sis", hash, who->now_ms, u.id);
  /* A new password ends every lock-out of the name. */
  if (!rc)
    rc = store_exec(c, NULL, err, "DELETE FROM login_failure WHERE username = ?", "s", u.username);
  if (!rc)
    rc = audit_append(c, who, "user.password", "user", u.id, NULL, err);
  memset(hash, 0, sizeof(hash));
  return store_tx_leave(c, owned, rc, err);
}

int user_totp_begin(struct store_conn *c, const struct actor *who, const struct auth_settings *set,
                    const char *id_or_name, const struct user_proof *proof, const char *issuer,
                    char uri[256], struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct user_row u;
  rc = load_visible(c, who, id_or_name, &u, err);
  if (!rc)
    rc = check_self_or_manager(who, &u, err);
  if (!rc)
    rc = check_self_proof(c, who, set, &u, proof, true, err);
  uint8_t secret[AUTH_TOTP_SECRET_BYTES];
  char sealed[2 * (24 + 16 + AUTH_TOTP_SECRET_BYTES) + 1];
  if (!rc) {
    fs_random(secret, sizeof(secret));
    auth_seal_hex(set->secret_key, secret, sizeof(secret), sealed);
    rc = store_exec(c, NULL, err,
                    "UPDATE app_user SET totp_pending = ?, updated_at = ?, version = version + 1"
                    " WHERE id = ?",
                    "sis", sealed, who->now_ms, u.id);
  }
  if (!rc)
    rc = audit_append(c, who, "user.totp_begin", "user", u.id, NULL, err);
  if (!rc) {
    char b32[AUTH_TOTP_SECRET_BYTES * 8 / 5 + 2];
    auth_base32_encode(secret, sizeof(secret), b32);
    snprintf(uri, 256, "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=6&period=30",
             issuer, u.username, b32, issuer);
    memset(b32, 0, sizeof(b32));
  }
  memset(secret, 0, sizeof(secret));
  return store_tx_leave(c, owned, rc, err);
}

/* The pending (not yet confirmed) secret. */
static int load_pending(struct store_conn *c, const struct auth_settings *set, const char *user_id,
                        uint8_t secret[AUTH_TOTP_SECRET_BYTES], char *sealed, size_t sealed_n,
                        struct fs_err *err)
{
  int rc = store_query_text(c, sealed, sealed_n, NULL, err,
                            "SELECT COALESCE(totp_pending, '') FROM app_user WHERE id = ?", "s",
                            user_id);
  if (!rc && !sealed[0])
    rc = fs_err_set(err, FS_ERR_CONFLICT, "totp", "no second factor is being set up for this user");
  if (!rc && auth_open_hex(set->secret_key, sealed, secret, AUTH_TOTP_SECRET_BYTES))
    rc = fs_err_set(err, FS_ERR_CRYPTO, "totp",
                    "the stored secret cannot be opened with the hub key");
  return rc;
}

int user_totp_confirm(struct store_conn *c, const struct actor *who,
                      const struct auth_settings *set, const char *id_or_name, const char *code,
                      struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct user_row u;
  uint8_t secret[AUTH_TOTP_SECRET_BYTES];
  char sealed[2 * (24 + 16 + AUTH_TOTP_SECRET_BYTES) + 1] = "";
  int64_t step = -1;
  rc = load_visible(c, who, id_or_name, &u, err);
  if (!rc)
    rc = check_self_or_manager(who, &u, err);
  if (!rc)
    rc = load_pending(c, set, u.id, secret, sealed, sizeof(sealed), err);
  if (!rc && (step = auth_totp_check(secret, code, who->now_ms, 0)) < 0)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.code",
                    "the code does not match; check the clock of the device");
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE app_user SET totp_secret = totp_pending, totp_pending = NULL,"
                    " totp_enabled = 1, totp_last_step = ?, updated_at = ?, version = version + 1"
                    " WHERE id = ?",
                    "iis", step, who->now_ms, u.id);
  if (!rc)
    rc = audit_append(c, who, "user.totp_enable", "user", u.id, NULL, err);
  memset(secret, 0, sizeof(secret));
  return store_tx_leave(c, owned, rc, err);
}

int user_totp_disable(struct store_conn *c, const struct actor *who,
                      const struct auth_settings *set, const char *id_or_name,
                      const struct user_proof *proof, struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct user_row u;
  rc = load_visible(c, who, id_or_name, &u, err);
  if (!rc)
    rc = check_self_or_manager(who, &u, err);
  if (!rc)
    rc = check_self_proof(c, who, set, &u, proof, true, err);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE app_user SET totp_secret = NULL, totp_pending = NULL, totp_enabled = 0,"
                    " updated_at = ?, version = version + 1 WHERE id = ?",
                    "is", who->now_ms, u.id);
  if (!rc)
    rc = audit_append(c, who, "user.totp_disable", "user", u.id, NULL, err);
  return store_tx_leave(c, owned, rc, err);
}

#define USER_COLUMNS                                                                               \
  "u.id, u.org_id, o.code, u.username, u.display_name, u.email, u.role, u.status,"                 \
  " u.password_hash IS NOT NULL, u.totp_enabled,"                                                  \
  " (SELECT COALESCE(MAX(f.locked_until), 0) FROM login_failure f"                                 \
  " WHERE f.username = u.username), u.created_at, u.updated_at, u.version"

static json_t *user_row_json(struct store_stmt *s, int64_t now_ms)
{
  return json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:s?,s:s,s:s,s:b,s:b,s:b,s:o,s:o,s:I}", "id", store_col_text(s, 0),
      "org_id", store_col_text(s, 1), "org_code", store_col_text(s, 2), "username",
      store_col_text(s, 3), "display_name", store_col_text(s, 4), "email", store_col_text(s, 5),
      "role", store_col_text(s, 6), "status", store_col_text(s, 7), "has_password",
      (int)store_col_int(s, 8), "totp_enabled", (int)store_col_int(s, 9), "locked",
      store_col_int(s, 10) > now_ms, "created_at", jsonx_time_new(store_col_int(s, 11)),
      "updated_at", jsonx_time_new(store_col_int(s, 12)), "version",
      (json_int_t)store_col_int(s, 13));
}

int user_get_json(struct store_conn *c, const struct actor *who, const char *id_or_name,
                  json_t **out, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT " USER_COLUMNS " FROM app_user u JOIN org o ON o.id = u.org_id"
                       " WHERE u.id = ? OR u.username = ?",
                       "ss", id_or_name, id_or_name);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  /* A user the actor may not see answers "not found", so that its existence does not leak. */
  struct policy_target t = {.role = -1};
  if (!rc && row) {
    t.user_id = store_col_text(s, 0);
    t.org_id = store_col_text(s, 1);
  }
  if (!rc && (!row || !policy_allows(who, POLICY_USER_READ, &t)))
    rc = no_user(err, id_or_name);
  if (!rc)
    *out = user_row_json(s, who->now_ms);
  store_done(s);
  return rc;
}

static json_t *user_item(struct store_stmt *s, const void *now_ms)
{
  return user_row_json(s, *(const int64_t *)now_ms);
}

static void user_cursor(struct store_stmt *s, char *out, size_t n)
{
  snprintf(out, n, "%s", store_col_text(s, 3));
}

int user_list_json(struct store_conn *c, const struct actor *who, const char *org, const char *role,
                   const struct auth_page *page, json_t **out, struct fs_err *err)
{
  char org_id[37] = "";
  int rc;
  if (org && (rc = org_resolve(c, org, org_id, err)))
    return rc;
  const char *scope_org = NULL, *scope_user = NULL;
  struct policy_target any = {.role = -1};
  bool sees_all = policy_allows(who, POLICY_USER_READ, &any);
  struct policy_target own_org = {.org_id = who->org_id, .role = -1};
  if (!sees_all) {
    if (policy_allows(who, POLICY_USER_READ, &own_org))
      scope_org = who->org_id;
    else
      scope_user = who->user_id;
  }
  int64_t limit = auth_page_limit(page);
  struct store_stmt *s;
  rc = store_query(c, &s, err,
                   "SELECT " USER_COLUMNS " FROM app_user u JOIN org o ON o.id = u.org_id"
                   " WHERE (? IS NULL OR u.org_id = ?) AND (? IS NULL OR u.id = ?)"
                   " AND (? IS NULL OR u.org_id = ?) AND (? IS NULL OR u.role = ?)"
                   " AND (? IS NULL OR u.username > ?) ORDER BY u.username LIMIT ?",
                   "ssssssssssi", scope_org, scope_org, scope_user, scope_user,
                   org_id[0] ? org_id : NULL, org_id[0] ? org_id : NULL, role, role, page->after,
                   page->after, limit + 1);
  if (rc)
    return rc;
  return auth_page_collect(s, limit, user_item, user_cursor, &who->now_ms, out, err);
}

int user_actor(struct store_conn *c, const char *id_or_name, int64_t now_ms, const char *source,
               struct actor *out, struct fs_err *err)
{
  struct user_row u;
  int rc = load_user(c, id_or_name, &u, err);
  if (rc)
    return rc;
  if (strcmp(u.status, "active"))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "user", "user %s is disabled", u.username);
  int role = auth_role_parse(u.role);
  memset(out, 0, sizeof(*out));
  snprintf(out->user_id, sizeof(out->user_id), "%s", u.id);
  snprintf(out->username, sizeof(out->username), "%s", u.username);
  snprintf(out->org_id, sizeof(out->org_id), "%s", u.org_id);
  snprintf(out->source, sizeof(out->source), "%s", source);
  out->role = role >= 0 ? (enum auth_role)role : AUTH_ROLE_MEMBER_ANALYST;
  out->now_ms = now_ms;
  return FS_OK;
}
