/* Sessions over HTTP: sign-in (a bearer token for scripts, or the portal's HttpOnly cookie with
 * its CSRF token), the current session, sign-out, and the user's portal preferences. How a
 * cookie authenticates a request is in admit.c (http_session_cookie); the rules in auth/session.h
 * and docs/security.md. */
#include "http/api.h"

#include "auth/org.h"
#include "auth/policy.h"
#include "auth/session.h"
#include "auth/token.h"
#include "auth/user.h"
#include "core/jsonx.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

static const char *const no_params[] = {NULL};

void http_session_cookie_clear(struct http_request *req, struct http_response *res)
{
  http_header(res, "Set-Cookie", "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
              SESSION_COOKIE, http_server_tls(req->srv) ? "; Secure" : "");
}

/* The cookie lives as long as the browser's session; the hub ends it sooner (idle, expiry). */
static void cookie_set(struct http_request *req, struct http_response *res, const char *token)
{
  http_header(res, "Set-Cookie", "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", SESSION_COOKIE,
              token, http_server_tls(req->srv) ? "; Secure" : "");
}

/* {"ability": true|false, ...}: what the policy lets the actor do in general (policy_abilities),
 * so that the portal offers only that without deciding by role itself. */
static json_t *abilities_json(const struct actor *who)
{
  struct policy_ability ab[POLICY_ABILITIES];
  policy_abilities(who, ab);
  json_t *may = json_object();
  for (size_t i = 0; may && i < POLICY_ABILITIES; i++)
    json_object_set_new(may, ab[i].name, json_boolean(ab[i].allowed));
  return may;
}

/* {"user", "org", "prefs", "may"} of the actor. */
static int whoami(struct http_request *req, struct store_conn *c, json_t **out)
{
  json_t *user = NULL, *org = NULL;
  struct user_prefs prefs;
  int rc = user_get_json(c, &req->who, req->who.user_id, &user, &req->err);
  if (!rc)
    rc = org_get_json(c, &req->who, req->who.org_id, &org, &req->err);
  if (!rc)
    rc = user_prefs_get(c, &req->who, &prefs, &req->err);
  if (!rc) {
    /* json_pack takes user and org (its "o"), whether it succeeds or not. */
    *out = json_pack("{s:o,s:o,s:{s:s,s:s},s:o}", "user", user, "org", org, "prefs", "lang",
                     prefs.lang, "calendar", prefs.calendar, "may", abilities_json(&req->who));
    user = org = NULL;
    if (!*out)
      rc = fs_err_set(&req->err, FS_ERR_NOMEM, "session", "out of memory");
  }
  if (rc) {
    json_decref(user);
    json_decref(org);
  }
  return rc;
}

int api_session_create(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"username", "password", "totp", "cookie", NULL};
  json_t *body;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  const char *username, *password, *totp;
  bool cookie = false;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "username", JSONX_REQUIRED, 64, &username, &req->err);
  if (!rc)
    rc = jsonx_string(body, "password", JSONX_REQUIRED, 1024, &password, &req->err);
  if (!rc)
    rc = jsonx_string(body, "totp", JSONX_NULLABLE, 16, &totp, &req->err);
  if (!rc)
    rc = jsonx_bool(body, "cookie", 0, &cookie, NULL, &req->err);
  struct store_conn *c;
  char token[TOKEN_TEXT_MAX];
  int64_t expires = 0;
  char source[80];
  snprintf(source, sizeof(source), "http:%s", req->remote);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = user_login(c, &req->hub->auth, username, password, totp, source, req->client,
                    hub_now(req->hub), token, &expires, &req->err);
  if (!rc && !cookie)
    rc = http_json(res, 201,
                   json_pack("{s:s,s:s,s:o}", "token", token, "token_type", "Bearer", "expires_at",
                             jsonx_time_new(expires)));
  if (!rc && cookie) {
    /* A new session at every sign-in: the one the browser held before (if any) ends. */
    const char *old = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
    if (old)
      rc = session_end(c, old, hub_now(req->hub), source, &req->err);
    if (!rc)
      rc = session_authenticate(c, &req->hub->auth, token, hub_now(req->hub), &req->who, NULL,
                                &req->err);
    json_t *out = NULL;
    if (!rc)
      rc = whoami(req, c, &out);
    char csrf[SESSION_CSRF_MAX];
    if (!rc) {
      session_csrf(&req->hub->auth, req->who.token_id, csrf);
      json_object_set_new(out, "csrf_token", json_string(csrf));
      json_object_set_new(out, "expires_at", jsonx_time_new(expires));
      json_object_set_new(out, "idle_minutes", json_integer(req->hub->auth.session_idle_minutes));
      rc = http_json(res, 201, out);
    }
    if (!rc)
      cookie_set(req, res, token);
  }
  memset(token, 0, sizeof(token));
  json_decref(body);
  return rc;
}

int api_session_get(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  json_t *out = NULL;
  int rc = http_query_only(&req->query, no_params, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = whoami(req, c, &out);
  if (rc)
    return rc;
  json_object_set_new(out, "token_id", json_string(req->who.token_id));
  json_object_set_new(out, "cookie", json_boolean(req->cookie));
  if (req->cookie) {
    char csrf[SESSION_CSRF_MAX];
    session_csrf(&req->hub->auth, req->who.token_id, csrf);
    json_object_set_new(out, "csrf_token", json_string(csrf));
    json_object_set_new(out, "idle_expires_at", jsonx_time_new(req->idle_expires_ms));
  }
  return http_json(res, 200, out);
}

int api_session_delete(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  int rc = http_query_only(&req->query, no_params, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = token_revoke(c, &req->who, req->who.token_id, &req->err);
  if (!rc)
    rc = http_json(res, 200, json_pack("{s:s}", "status", "signed out"));
  if (!rc && req->cookie)
    http_session_cookie_clear(req, res);
  return rc;
}

int api_me_update(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"lang", "calendar", NULL};
  json_t *body, *out = NULL;
  const char *lang = NULL, *calendar = NULL;
  struct store_conn *c;
  int rc = http_query_only(&req->query, no_params, &req->err);
  if (!rc)
    rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "lang", JSONX_NULLABLE, 8, &lang, &req->err);
  if (!rc)
    rc = jsonx_string(body, "calendar", JSONX_NULLABLE, 12, &calendar, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = user_prefs_set(c, &req->who, lang, calendar, &req->err);
  if (!rc)
    rc = whoami(req, c, &out);
  json_decref(body);
  return rc ? rc : http_json(res, 200, out);
}
