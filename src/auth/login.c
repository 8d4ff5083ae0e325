/* Portal logins: password and second factor, failures counted and locked out per user name and
 * address, session tokens. */
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
};

static int load(struct store_conn *c, const char *username, struct login_row *r, bool *found,
                struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT u.id, u.username, u.org_id, u.role, u.status, u.password_hash,"
                       " u.totp_enabled, o.status"
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
    r->active = !strcmp(store_col_text(s, 4), "active") && !strcmp(store_col_text(s, 7), "active");
    snprintf(r->password_hash, sizeof(r->password_hash), "%s",
             store_col_null(s, 5) ? "" : store_col_text(s, 5));
    r->totp_enabled = store_col_int(s, 6) != 0;
  }
  store_done(s);
  return rc;
}

/* Failed logins of one user name from one address: the name as typed (known or not), so that a
 * lock looks the same for every name, and only that address is locked out. */
struct failures {
  const char *username, *address;
  int64_t count, locked_until;
};

/* Failures older than a lockout period, with no lock running, count as none. */
static int failures_load(struct store_conn *c, const struct auth_settings *set, int64_t now,
                         struct failures *f, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT failures, locked_until FROM login_failure WHERE username = ?"
                       " AND address = ? AND (last_at >= ? OR locked_until > ?)",
                       "ssii", f->username, f->address, now - set->lockout_minutes * 60000, now);
  bool row = false;
  if (!rc)
    rc = store_step(s, &row, err);
  if (!rc && row) {
    f->count = store_col_int(s, 0);
    f->locked_until = store_col_int(s, 1);
  }
  store_done(s);
  return rc;
}

/* Counts one more failure; the last allowed one locks the address out of the name. Rows of
 * pairs that went quiet for a lockout period are dropped on the way, so that guessed names do
 * not pile up. */
static int failures_add(struct store_conn *c, const struct auth_settings *set, int64_t now,
                        struct failures *f, struct fs_err *err)
{
  int64_t period = set->lockout_minutes * 60000;
  f->count++;
  f->locked_until = 0;
  if (f->count >= set->login_max_failures) {
    f->locked_until = now + period;
    f->count = 0;
  }
  int rc =
      store_exec(c, NULL, err, "DELETE FROM login_failure WHERE last_at < ? AND locked_until < ?",
                 "ii", now - period, now);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "INSERT INTO login_failure (username, address, failures, locked_until, last_at)"
                    " VALUES (?,?,?,?,?) ON CONFLICT (username, address) DO UPDATE SET"
                    " failures = excluded.failures, locked_until = excluded.locked_until,"
                    " last_at = excluded.last_at",
                    "ssiii", f->username, f->address, f->count, f->locked_until, now);
  return rc;
}

int user_login(struct store_conn *c, const struct auth_settings *set, const char *username,
               const char *password, const char *totp_code, const char *source, const char *client,
               int64_t now_ms, char token_out[64], int64_t *expires_ms, struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct login_row r;
  memset(&r, 0, sizeof(r));
  bool found = false;
  struct failures f = {.username = username ? username : "", .address = client};
  rc = load(c, f.username, &r, &found, err);
  if (!rc)
    rc = failures_load(c, set, now_ms, &f, err);
  r.who.now_ms = now_ms;
  snprintf(r.who.source, sizeof(r.who.source), "%s", source);
  /* The same hashing for every name, known or not, locked out or not. */
  bool password_ok = auth_password_verify(found ? r.password_hash : NULL, password);
  enum { OK, BAD, LOCKED } outcome = OK;
  const char *why = "";
  if (!rc) {
    if (f.locked_until > now_ms) {
      outcome = LOCKED;
    } else if (!found || !r.active) {
      outcome = BAD;
      why = !found ? "unknown user" : "account disabled";
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
      if (!rc && row &&
          !auth_open_hex(set->secret_key, store_col_text(s, 0), secret, sizeof(secret))) {
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
  if (!rc && outcome == BAD)
    rc = failures_add(c, set, now_ms, &f, err);
  if (!rc && outcome == BAD && found) {
    json_t *d = json_pack("{s:s,s:b}", "reason", why, "locked", f.locked_until > 0);
    rc = audit_append(c, &r.who, "user.login_failed", "user", r.who.user_id, d, err);
    json_decref(d);
  }
  if (!rc && outcome == OK) {
    char id[37];
    *expires_ms = now_ms + set->session_hours * 3600000;
    rc = store_exec(c, NULL, err, "DELETE FROM login_failure WHERE username = ? AND address = ?",
                    "ss", f.username, f.address);
    if (!rc)
      rc = token_issue(c, &r.who, r.who.user_id, "portal session", "session", *expires_ms,
                       token_out, id, err);
    if (!rc)
      rc = audit_append(c, &r.who, "user.login", "user", r.who.user_id, NULL, err);
  }
  rc = store_tx_leave(c, owned, rc, err);
  if (!rc && outcome == LOCKED)
    return fs_err_set(err, FS_ERR_UNAUTHENTICATED, "login",
                      "too many failed logins for this user name from this address; try again "
                      "in %lld minutes",
                      (long long)((f.locked_until - now_ms + 59999) / 60000));
  if (!rc && outcome == BAD)
    return fs_err_set(err, FS_ERR_UNAUTHENTICATED, "login", "invalid credentials");
  return rc;
}
