/* Portal logins: password and second factor, failure counting and lockout, session tokens. */
#include "auth/secret.h"
#include "auth/token.h"
#include "auth/user.h"

#include "audit/audit.h"
#include "core/jsonx.h"

#include <stdio.h>
#include <string.h>

struct login_row {
  struct actor who;
  char password_hash[AUTH_HASH_MAX];
  bool active, totp_enabled;
  int64_t failed, locked_until;
};

static int load(struct store_conn *c, const char *username, struct login_row *r, bool *found,
                struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT u.id, u.username, u.org_id, u.role, u.status, u.password_hash,"
                       " u.totp_enabled, u.failed_logins, u.locked_until, o.status"
                       " FROM app_user u JOIN org o ON o.id = u.org_id WHERE u.username = ?",
                       "s", username);
  if (rc)
    return rc;
  rc = store_step(s, found, err);
  if (!rc && *found) {
    snprintf(r->who.user_id, sizeof(r->who.user_id), "%s", store_col_text(s, 0));
    snprintf(r->who.username, sizeof(r->who.username), "%s", store_col_text(s, 1));
    snprintf(r->who.org_id, sizeof(r->who.org_id), "%s", store_col_text(s, 2));
    int role = auth_role_parse(store_col_text(s, 3));
    r->who.role = role >= 0 ? (enum auth_role)role : AUTH_ROLE_MEMBER_ANALYST;
    r->active = !strcmp(store_col_text(s, 4), "active") && !strcmp(store_col_text(s, 9), "active");
    snprintf(r->password_hash, sizeof(r->password_hash), "%s",
             store_col_null(s, 5) ? "" : store_col_text(s, 5));
    r->totp_enabled = store_col_int(s, 6) != 0;
    r->failed = store_col_int(s, 7);
    r->locked_until = store_col_int(s, 8);
  }
  store_done(s);
  return rc;
}

static int record_failure(struct store_conn *c, const struct auth_settings *set,
                          struct login_row *r, const char *why, struct fs_err *err)
{
  int64_t failed = r->failed + 1, locked_until = 0;
  if (failed >= set->login_max_failures) {
    locked_until = r->who.now_ms + set->lockout_minutes * 60000;
    failed = 0;
  }
  int rc = store_exec(c, NULL, err,
                      "UPDATE app_user SET failed_logins = ?, locked_until = ? WHERE id = ?", "iis",
                      failed, locked_until, r->who.user_id);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:b}", "reason", why, "locked", locked_until > 0);
    rc = audit_append(c, &r->who, "user.login_failed", "user", r->who.user_id, d, err);
    json_decref(d);
  }
  return rc;
}

int user_login(struct store_conn *c, const struct auth_settings *set, const char *username,
               const char *password, const char *totp_code, const char *source, int64_t now_ms,
               char token_out[64], int64_t *expires_ms, struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct login_row r;
  memset(&r, 0, sizeof(r));
  bool found = false;
  rc = load(c, username ? username : "", &r, &found, err);
  r.who.now_ms = now_ms;
  snprintf(r.who.source, sizeof(r.who.source), "%s", source);
  bool password_ok = auth_password_verify(found ? r.password_hash : NULL, password);
  enum { OK, BAD, LOCKED } outcome = OK;
  const char *why = "";
  if (!rc) {
    if (!found || !r.active) {
      outcome = BAD;
      why = !found ? "unknown user" : "account disabled";
    } else if (r.locked_until > now_ms) {
      outcome = LOCKED;
      why = "account locked";
    } else if (!password_ok) {
      outcome = BAD;
      why = "wrong password";
    } else if (r.totp_enabled) {
      uint8_t secret[AUTH_TOTP_SECRET_BYTES];
      int64_t last = 0;
      struct store_stmt *s;
      rc = store_query(c, &s, err, "SELECT totp_secret, totp_last_step FROM app_user WHERE id = ?",
                       "s", r.who.user_id);
      bool row = false;
      if (!rc)
        rc = store_step(s, &row, err);
      int64_t step = -1;
      if (!rc && row && !auth_open_hex(set->secret_key, store_col_text(s, 0), secret, sizeof(secret))) {
        last = store_col_int(s, 1);
        step = auth_totp_check(secret, totp_code, now_ms, last);
      }
      store_done(s);
      memset(secret, 0, sizeof(secret));
      if (!rc && step < 0) {
        outcome = BAD;
        why = totp_code ? "wrong second-factor code" : "second-factor code missing";
      } else if (!rc) {
        rc = store_exec(c, NULL, err, "UPDATE app_user SET totp_last_step = ? WHERE id = ?", "is",
                        step, r.who.user_id);
      }
    }
  }
  if (!rc && outcome == BAD && found && r.active)
    rc = record_failure(c, set, &r, why, err);
  if (!rc && outcome == OK) {
    char id[37];
    *expires_ms = now_ms + set->session_hours * 3600000;
    rc = store_exec(c, NULL, err, "UPDATE app_user SET failed_logins = 0 WHERE id = ?", "s",
                    r.who.user_id);
    if (!rc)
      rc = token_issue(c, &r.who, r.who.user_id, "portal session", "session", *expires_ms,
                       token_out, id, err);
    if (!rc)
      rc = audit_append(c, &r.who, "user.login", "user", r.who.user_id, NULL, err);
  }
  rc = store_tx_leave(c, owned, rc, err);
  if (!rc && outcome == LOCKED)
    return fs_err_set(err, FS_ERR_UNAUTHENTICATED, "login",
                      "account locked after too many failed logins; try again later");
  if (!rc && outcome == BAD)
    return fs_err_set(err, FS_ERR_UNAUTHENTICATED, "login", "invalid credentials");
  return rc;
}
