/* Portal sessions held in a browser cookie, and what a user chooses for the portal.
 *
 * A portal session is a session token (token.h, kind "session", made by user_login) that the
 * browser keeps in an HttpOnly cookie, so that no script of the page ever holds it. Besides the
 * token's absolute expiry (auth.session_hours) it ends after auth.session_idle_minutes without a
 * request. Every state-changing request made with the cookie must carry the session's CSRF
 * token, which is bound to the session: a keyed hash of the token's id under a key derived from
 * the hub's secret, so that it needs no storage and no other session's token fits. */
#ifndef FS_AUTH_SESSION_H
#define FS_AUTH_SESSION_H

#include "auth/auth.h"

#define SESSION_COOKIE "fs_session"
#define SESSION_CSRF_MAX 48 /* 43 base64url characters and the NUL */

/* The CSRF token of the session whose token id is token_id. Pure. */
void session_csrf(const struct auth_settings *set, const char *token_id,
                  char out[SESSION_CSRF_MAX]);
/* True when presented (may be NULL) is the CSRF token of that session (constant time). */
bool session_csrf_ok(const struct auth_settings *set, const char *token_id, const char *presented);

/* Authenticates a session token presented as the cookie: token_authenticate, and the token must
 * be a session token used within the last auth.session_idle_minutes (counted from its last use,
 * or its creation). Records the use, at most once a minute (a write outside any audit record:
 * a use changes no state). *idle_expires_ms (may be NULL) is when it ends unless used again.
 * FS_ERR_UNAUTHENTICATED with the reason otherwise. */
int session_authenticate(struct store_conn *c, const struct auth_settings *set, const char *token,
                         int64_t now_ms, struct actor *out, int64_t *idle_expires_ms,
                         struct fs_err *err);

/* Ends the session whose token text is given, if it is one (sign-in rotates the session that
 * the browser held before; sign-out ends the current one): revoked as its user. A token that
 * does not authenticate is left alone. */
int session_end(struct store_conn *c, const char *token, int64_t now_ms, const char *source,
                struct fs_err *err);

/* What the portal remembers for a user: language and calendar. */
extern const char *const user_lang_names[];     /* "zh-TW" (the default), "en" */
extern const char *const user_calendar_names[]; /* "gregorian" (the default), "roc" (民國) */

struct user_prefs {
  char lang[8];
  char calendar[12];
};

/* The actor's own preferences (defaults when never set). */
int user_prefs_get(struct store_conn *c, const struct actor *who, struct user_prefs *out,
                   struct fs_err *err);
/* Changes the actor's own preferences; lang or calendar may be NULL (kept). Each must be one of
 * the names above (FS_ERR_INVALID at "$.lang" or "$.calendar"). Audited as user.prefs. */
int user_prefs_set(struct store_conn *c, const struct actor *who, const char *lang,
                   const char *calendar, struct fs_err *err);

#endif
