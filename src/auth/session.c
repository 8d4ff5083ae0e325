/* Portal sessions (the cookie, its CSRF token, idle expiry) and users' portal preferences. */
#include "auth/session.h"

#include "audit/audit.h"
#include "auth/token.h"
#include "core/encode.h"

#include <stdio.h>
#include <string.h>

const char *const user_lang_names[] = {"zh-TW", "en", NULL};
const char *const user_calendar_names[] = {"gregorian", "roc", NULL};

/* A use is written at most this often, so that a page's many requests cost one write a minute. */
#define SESSION_TOUCH_MS 60000

void session_csrf(const struct auth_settings *set, const char *token_id, char out[SESSION_CSRF_MAX])
{
  uint8_t key[32], mac[32];
  fs_key_derive(set->secret_key, "finshield portal csrf", key);
  fs_key_derive(key, token_id, mac);
  fs_b64url_encode(mac, sizeof(mac), out);
  memset(key, 0, sizeof(key));
}

bool session_csrf_ok(const struct auth_settings *set, const char *token_id, const char *presented)
{
  char want[SESSION_CSRF_MAX];
  session_csrf(set, token_id, want);
  size_t n = strlen(want);
  return presented && strlen(presented) == n && fs_ct_equal(want, presented, n);
}

int session_authenticate(struct store_conn *c, const struct auth_settings *set, const char *token,
                         int64_t now_ms, struct actor *out, int64_t *idle_expires_ms,
                         struct fs_err *err)
{
  struct token_use use = {0};
  int rc = token_lookup(c, token, now_ms, out, &use, err);
  int64_t idle = set->session_idle_minutes * 60000, last = use.last_used_ms;
  if (!rc && !use.session)
    rc = fs_err_set(err, FS_ERR_UNAUTHENTICATED, "cookie", "the cookie holds no session");
  if (!rc && now_ms - last >= idle)
    rc = fs_err_set(err, FS_ERR_UNAUTHENTICATED, "cookie", "session ended after %lld idle minutes",
                    (long long)set->session_idle_minutes);
  if (!rc && now_ms - last >= SESSION_TOUCH_MS) {
    rc = store_exec(c, NULL, err, "UPDATE api_token SET last_used_at = ? WHERE id = ?", "is",
                    now_ms, out->token_id);
    last = now_ms;
  }
  if (rc)
    memset(out, 0, sizeof(*out));
  else if (idle_expires_ms)
    *idle_expires_ms = last + idle;
  return rc;
}

int session_end(struct store_conn *c, const char *token, int64_t now_ms, const char *source,
                struct fs_err *err)
{
  struct actor who;
  struct fs_err ignored = {0};
  if (token_authenticate(c, token, now_ms, &who, &ignored))
    return FS_OK;
  snprintf(who.source, sizeof(who.source), "%s", source);
  return token_revoke(c, &who, who.token_id, err);
}

int user_prefs_get(struct store_conn *c, const struct actor *who, struct user_prefs *out,
                   struct fs_err *err)
{
  snprintf(out->lang, sizeof(out->lang), "%s", user_lang_names[0]);
  snprintf(out->calendar, sizeof(out->calendar), "%s", user_calendar_names[0]);
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT lang, calendar FROM app_user WHERE id = ?", "s",
                       who->user_id);
  bool row = false;
  if (!rc)
    rc = store_step(s, &row, err);
  if (!rc && row && !store_col_null(s, 0))
    snprintf(out->lang, sizeof(out->lang), "%s", store_col_text(s, 0));
  if (!rc && row && !store_col_null(s, 1))
    snprintf(out->calendar, sizeof(out->calendar), "%s", store_col_text(s, 1));
  store_done(s);
  return rc;
}

static bool one_of(const char *v, const char *const *names)
{
  for (; *names; names++)
    if (!strcmp(v, *names))
      return true;
  return false;
}

int user_prefs_set(struct store_conn *c, const struct actor *who, const char *lang,
                   const char *calendar, struct fs_err *err)
{
  if (lang && !one_of(lang, user_lang_names))
    return fs_err_set(err, FS_ERR_INVALID, "$.lang", "lang must be \"zh-TW\" or \"en\"");
  if (calendar && !one_of(calendar, user_calendar_names))
    return fs_err_set(err, FS_ERR_INVALID, "$.calendar",
                      "calendar must be \"gregorian\" or \"roc\"");
  if (!who->user_id[0])
    return fs_err_set(err, FS_ERR_INVALID, "user", "the local operator has no preferences");
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  rc = store_exec(c, NULL, err,
                  "UPDATE app_user SET lang = COALESCE(?, lang), calendar = COALESCE(?, calendar)"
                  " WHERE id = ?",
                  "sss", lang, calendar, who->user_id);
  if (!rc) {
    json_t *d = json_pack("{s:s?,s:s?}", "lang", lang, "calendar", calendar);
    rc = audit_append(c, who, "user.prefs", "user", who->user_id, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}
