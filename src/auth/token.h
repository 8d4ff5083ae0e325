/* API tokens: 256 random bits shown once ("fsk_" + base64url), stored only as their SHA-256, with
 * an expiry and immediate revocation. Authentication turns a presented token into an actor. */
#ifndef FS_AUTH_TOKEN_H
#define FS_AUTH_TOKEN_H

#include "auth/auth.h"

#define TOKEN_PREFIX "fsk_"
#define TOKEN_TEXT_MAX 64

/* Creates a token for a user (id or username). days 0: the default lifetime. kind is "api" or
 * "session". The token text goes to token_out (once: it is not stored) and a description of it to
 * *meta (caller owns). */
int token_create(struct store_conn *c, const struct actor *who, const struct auth_settings *set,
                 const char *user, const char *name, int64_t days, const char *kind,
                 char token_out[TOKEN_TEXT_MAX], json_t **meta, struct fs_err *err);
/* Revokes a token by id; effective for the next request. Revoking twice is fine. */
int token_revoke(struct store_conn *c, const struct actor *who, const char *token_id,
                 struct fs_err *err);
/* Tokens the actor may manage (its own, its organisation's for a member-admin, all for the hub
 * admin), newest first; user filter (id or username) may be NULL. Never includes hashes. */
int token_list_json(struct store_conn *c, const struct actor *who, const char *user,
                    const struct auth_page *page, json_t **out, struct fs_err *err);

/* Turns a presented token into an actor (its user, organisation and role; now_ms and source are
 * set by the caller). FS_ERR_UNAUTHENTICATED with the reason: malformed, unknown, revoked,
 * expired, user disabled, organisation suspended. Reads only; needs no transaction. */
int token_authenticate(struct store_conn *c, const char *token, int64_t now_ms, struct actor *out,
                       struct fs_err *err);

/* Internal to auth/: what token_lookup tells of the token besides its actor. */
struct token_use {
  bool session;         /* its kind is "session" (made by user_login) */
  int64_t last_used_ms; /* when last recorded as used (session.c), else when it was made */
};
/* Internal to auth/: token_authenticate, with the token's kind and last use in *use (the same
 * one lookup; *use is zero when it fails). */
int token_lookup(struct store_conn *c, const char *token, int64_t now_ms, struct actor *out,
                 struct token_use *use, struct fs_err *err);

/* Internal to auth/: inserts a token row for user_id with the given lifetime, writing the text to
 * token_out; audited as token.create by `who`. Runs in the caller's transaction. */
int token_issue(struct store_conn *c, const struct actor *who, const char *user_id,
                const char *name, const char *kind, int64_t expires_ms,
                char token_out[TOKEN_TEXT_MAX], char id_out[37], struct fs_err *err);

#endif
