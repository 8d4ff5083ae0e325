/* API tokens: issue, revoke, list, authenticate. */
#include "auth/token.h"

#include "audit/audit.h"
#include "auth/policy.h"
#include "auth/user.h"
#include "core/encode.h"
#include "core/i18n.h"
#include "core/jsonx.h"
#include "core/uuid.h"

#include <stdio.h>
#include <string.h>

#define TOKEN_RANDOM_BYTES 32
#define TOKEN_DISPLAY_PREFIX 12 /* "fsk_" and 8 characters, enough to recognise a token */

static const char *const token_kinds[] = {"api", "session", NULL};

int token_issue(struct store_conn *c, const struct actor *who, const char *user_id,
                const char *name, const char *kind, int64_t expires_ms,
                char token_out[TOKEN_TEXT_MAX], char id_out[37], struct fs_err *err)
{
  uint8_t raw[TOKEN_RANDOM_BYTES];
  fs_random(raw, sizeof(raw));
  char text[TOKEN_TEXT_MAX];
  memcpy(text, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1);
  fs_b64url_encode(raw, sizeof(raw), text + sizeof(TOKEN_PREFIX) - 1);
  char hash[65], prefix[TOKEN_DISPLAY_PREFIX + 1];
  fs_sha256_hex(text, strlen(text), hash);
  memcpy(prefix, text, TOKEN_DISPLAY_PREFIX);
  prefix[TOKEN_DISPLAY_PREFIX] = '\0';
  fs_uuid_v4(id_out);
  int rc = store_exec(c, NULL, err,
                      "INSERT INTO api_token (id, user_id, name, kind, prefix, hash, created_at,"
                      " expires_at, revoked_at, last_used_at, created_by)"
                      " VALUES (?,?,?,?,?,?,?,?,NULL,NULL,?)",
                      "ssssssiis", id_out, user_id, name, kind, prefix, hash, who->now_ms,
                      expires_ms, who->username);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s,s:s,s:s,s:o}", "user_id", user_id, "name", name, "kind", kind,
                          "prefix", prefix, "expires_at", jsonx_time_new(expires_ms));
    rc = audit_append(c, who, "token.create", "token", id_out, d, err);
    json_decref(d);
  }
  if (!rc)
    memcpy(token_out, text, strlen(text) + 1);
  memset(text, 0, sizeof(text));
  return rc;
}

int token_create(struct store_conn *c, const struct actor *who, const struct auth_settings *set,
                 const char *user, const char *name, int64_t days, const char *kind,
                 char token_out[TOKEN_TEXT_MAX], json_t **meta, struct fs_err *err)
{
  bool kind_ok = false;
  for (int i = 0; token_kinds[i]; i++)
    kind_ok |= !strcmp(kind, token_kinds[i]);
  if (!kind_ok)
    return fs_err_set(err, FS_ERR_INVALID, "$.kind", "kind must be \"api\" or \"session\"");
  if (!name || !*name || strlen(name) > 100)
    return fs_err_set(err, FS_ERR_INVALID, "$.name", "a token needs a name of 1 to 100 bytes");
  if (days < 0 || days > set->token_max_days)
    return fs_err_set(err, FS_ERR_INVALID, "$.days", "days must be between 1 and %lld",
                      (long long)set->token_max_days);
  if (days == 0)
    days = set->token_days;
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  char user_id[37], org_id[37];
  rc = user_resolve_visible(c, who, user, user_id, org_id, err);
  if (!rc) {
    struct policy_target t = {.org_id = org_id, .user_id = user_id, .role = -1};
    char what[96];
    fs_msg_format(what, sizeof(what), NULL, 0, "user %.64s", user);
    rc = policy_check(who, POLICY_TOKEN_MANAGE, &t, what, err);
  }
  int64_t expires = who->now_ms + days * 86400000LL;
  char id[37];
  if (!rc)
    rc = token_issue(c, who, user_id, name, kind, expires, token_out, id, err);
  rc = store_tx_leave(c, owned, rc, err);
  if (!rc) {
    char prefix[TOKEN_DISPLAY_PREFIX + 1];
    memcpy(prefix, token_out, TOKEN_DISPLAY_PREFIX);
    prefix[TOKEN_DISPLAY_PREFIX] = '\0';
    *meta = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id", id, "user_id", user_id, "name", name,
                      "kind", kind, "prefix", prefix, "created_at", jsonx_time_new(who->now_ms),
                      "expires_at", jsonx_time_new(expires));
  }
  return rc;
}

int token_revoke(struct store_conn *c, const struct actor *who, const char *token_id,
                 struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct store_stmt *s;
  rc = store_query(c, &s, err,
                   "SELECT t.user_id, u.org_id, t.revoked_at FROM api_token t"
                   " JOIN app_user u ON u.id = t.user_id WHERE t.id = ?",
                   "s", token_id);
  bool row = false;
  char user_id[37] = "", org_id[37] = "";
  bool already = false;
  if (!rc)
    rc = store_step(s, &row, err);
  if (!rc && row) {
    snprintf(user_id, sizeof(user_id), "%s", store_col_text(s, 0));
    snprintf(org_id, sizeof(org_id), "%s", store_col_text(s, 1));
    already = !store_col_null(s, 2);
  }
  store_done(s);
  /* A token the actor may not manage is one it cannot list either: as absent as a made-up id. */
  struct policy_target t = {.org_id = org_id, .user_id = user_id, .role = -1};
  if (!rc && (!row || !policy_allows(who, POLICY_TOKEN_MANAGE, &t)))
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "token", "no token \"%.64s\"", token_id);
  if (!rc && !already) {
    rc = store_exec(c, NULL, err, "UPDATE api_token SET revoked_at = ? WHERE id = ?", "is",
                    who->now_ms, token_id);
    if (!rc) {
      json_t *d = json_pack("{s:s}", "user_id", user_id);
      rc = audit_append(c, who, "token.revoke", "token", token_id, d, err);
      json_decref(d);
    }
  }
  return store_tx_leave(c, owned, rc, err);
}

static json_t *token_item(struct store_stmt *s, const void *now_ms)
{
  int64_t revoked = store_col_null(s, 8) ? 0 : store_col_int(s, 8);
  json_t *t = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "id", store_col_text(s, 0),
                        "user_id", store_col_text(s, 1), "username", store_col_text(s, 2), "name",
                        store_col_text(s, 3), "kind", store_col_text(s, 4), "prefix",
                        store_col_text(s, 5), "created_at", jsonx_time_new(store_col_int(s, 6)),
                        "expires_at", jsonx_time_new(store_col_int(s, 7)), "revoked_at",
                        revoked ? jsonx_time_new(revoked) : json_null());
  if (t)
    json_object_set_new(t, "active",
                        json_boolean(!revoked && store_col_int(s, 7) > *(const int64_t *)now_ms));
  return t;
}

/* The cursor is "<created_at ms>.<id>" of the last token of the page. */
static void token_cursor(struct store_stmt *s, char *out, size_t n)
{
  snprintf(out, n, "%lld.%s", (long long)store_col_int(s, 6), store_col_text(s, 0));
}

int token_list_json(struct store_conn *c, const struct actor *who, const char *user,
                    const struct auth_page *page, json_t **out, struct fs_err *err)
{
  char user_id[37] = "";
  int rc;
  if (user && (rc = user_resolve_visible(c, who, user, user_id, NULL, err)))
    return rc;
  /* Scope by the policy: everything for the hub admin, the organisation for its admin, one's
   * own tokens for everybody else. */
  const char *scope_org = NULL, *scope_user = NULL;
  struct policy_target every = {.role = -1}, own_org = {.org_id = who->org_id, .role = -1};
  if (!policy_allows(who, POLICY_TOKEN_MANAGE, &every)) {
    if (policy_allows(who, POLICY_TOKEN_MANAGE, &own_org))
      scope_org = who->org_id;
    else
      scope_user = who->user_id;
  }
  int64_t limit = auth_page_limit(page);
  /* The cursor is "<created_at ms>.<id>" of the last token of the previous page. */
  long long after_ms = INT64_MAX;
  char after_id[40] = "";
  if (page->after && sscanf(page->after, "%lld.%39s", &after_ms, after_id) != 2)
    return fs_err_set(err, FS_ERR_INVALID, "after", "unknown cursor");
  struct store_stmt *s;
  rc =
      store_query(c, &s, err,
                  "SELECT t.id, t.user_id, u.username, t.name, t.kind, t.prefix, t.created_at,"
                  " t.expires_at, t.revoked_at FROM api_token t JOIN app_user u ON u.id = t.user_id"
                  " WHERE (? IS NULL OR u.org_id = ?) AND (? IS NULL OR t.user_id = ?)"
                  " AND (? IS NULL OR t.user_id = ?)"
                  " AND (t.created_at < ? OR (t.created_at = ? AND t.id < ?))"
                  " ORDER BY t.created_at DESC, t.id DESC LIMIT ?",
                  "ssssssiisi", scope_org, scope_org, scope_user, scope_user,
                  user_id[0] ? user_id : NULL, user_id[0] ? user_id : NULL, (int64_t)after_ms,
                  (int64_t)after_ms, page->after ? after_id : "~", limit + 1);
  if (rc)
    return rc;
  return auth_page_collect(s, limit, token_item, token_cursor, &who->now_ms, out, err);
}

static bool well_formed(const char *token)
{
  size_t n = strlen(token);
  size_t want = sizeof(TOKEN_PREFIX) - 1 + 43;
  if (n != want || strncmp(token, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1))
    return false;
  for (size_t i = sizeof(TOKEN_PREFIX) - 1; i < n; i++) {
    char ch = token[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '-' || ch == '_'))
      return false;
  }
  return true;
}

int token_lookup(struct store_conn *c, const char *token, int64_t now_ms, struct actor *out,
                 struct token_use *use, struct fs_err *err)
{
  *use = (struct token_use){0};
  if (!token || !well_formed(token))
    return fs_err_set(err, FS_ERR_UNAUTHENTICATED, "token", "malformed token");
  char hash[65];
  fs_sha256_hex(token, strlen(token), hash);
  struct store_stmt *s;
  int rc =
      store_query(c, &s, err,
                  "SELECT t.id, t.expires_at, t.revoked_at, u.id, u.username, u.role,"
                  " u.status, u.org_id, o.status, t.kind, COALESCE(t.last_used_at, t.created_at)"
                  " FROM api_token t"
                  " JOIN app_user u ON u.id = t.user_id JOIN org o ON o.id = u.org_id"
                  " WHERE t.hash = ?",
                  "s", hash);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_UNAUTHENTICATED, "token", "unknown token");
  if (!rc && !store_col_null(s, 2))
    rc = fs_err_set(err, FS_ERR_UNAUTHENTICATED, "token", "token revoked");
  if (!rc && store_col_int(s, 1) <= now_ms)
    rc = fs_err_set(err, FS_ERR_UNAUTHENTICATED, "token", "token expired");
  if (!rc && strcmp(store_col_text(s, 6), "active"))
    rc = fs_err_set(err, FS_ERR_UNAUTHENTICATED, "token", "user disabled");
  if (!rc && strcmp(store_col_text(s, 8), "active"))
    rc = fs_err_set(err, FS_ERR_UNAUTHENTICATED, "token", "organisation suspended");
  int role = rc ? -1 : auth_role_parse(store_col_text(s, 5));
  if (!rc && role < 0)
    rc = fs_err_set(err, FS_ERR_CORRUPT, "token", "user has an unknown role");
  if (!rc) {
    memset(out, 0, sizeof(*out));
    snprintf(out->token_id, sizeof(out->token_id), "%s", store_col_text(s, 0));
    snprintf(out->user_id, sizeof(out->user_id), "%s", store_col_text(s, 3));
    snprintf(out->username, sizeof(out->username), "%s", store_col_text(s, 4));
    snprintf(out->org_id, sizeof(out->org_id), "%s", store_col_text(s, 7));
    out->role = (enum auth_role)role;
    out->now_ms = now_ms;
    use->session = !strcmp(store_col_text(s, 9), "session");
    use->last_used_ms = store_col_int(s, 10);
  }
  store_done(s);
  return rc;
}

int token_authenticate(struct store_conn *c, const char *token, int64_t now_ms, struct actor *out,
                       struct fs_err *err)
{
  struct token_use use;
  return token_lookup(c, token, now_ms, out, &use, err);
}
