/* Users of the hub: create, change, read, list; passwords (Argon2id), TOTP second factor, and the
 * portal login that turns a password (and code) into a session token. Changes are audited and
 * checked against the policy; passwords and secrets never leave this module. */
#ifndef FS_AUTH_USER_H
#define FS_AUTH_USER_H

#include "auth/auth.h"

extern const char *const user_status_names[]; /* "active", "disabled" */

#define USER_NAME_MAX 64

/* What a request or command says about a user; absent fields are NULL / -1. */
struct user_input {
  const char *org;          /* id or code of the organisation (create only) */
  const char *username;     /* NAME or NAME@CODE, NAME [a-z0-9][a-z0-9._-]*, CODE the org's code */
  const char *display_name; /* 1..200 bytes */
  const char *email;
  int role;             /* auth_role, -1 absent */
  int status;           /* index into user_status_names, -1 absent */
  const char *password; /* create only; NULL: no portal login until one is set */
  bool has_version;
  int64_t version;
};

void user_input_init(struct user_input *in);
/* Parses and validates a JSON body (create when !update). Pure. */
int user_input_from_json(json_t *body, bool update, struct user_input *out, struct fs_err *err);

/* Creates a user. Its name is NAME@CODE, CODE its organisation's code; only who may name users
 * freely (POLICY_USER_NAME_ANY: the hub's administrators) gives a name without "@CODE". So a
 * member's administrator can only meet a taken name among its own organisation's users. */
int user_create(struct store_conn *c, const struct actor *who, const struct auth_settings *set,
                const struct user_input *in, char id_out[37], struct fs_err *err);
/* The organisation org_id's code changes from old_code to new_code (in the caller's
 * transaction): its users named NAME@old_code become NAME@new_code; *renamed says how many.
 * FS_ERR_INVALID (nothing renamed) when a name would grow past USER_NAME_MAX. */
int user_names_follow_code(struct store_conn *c, const char *org_id, const char *old_code,
                           const char *new_code, int64_t *renamed, struct fs_err *err);
/* Changes names, e-mail, role or status of a user given by id or username. Disabling a user
 * revokes nothing but makes all its tokens fail at once. */
int user_update(struct store_conn *c, const struct actor *who, const char *id_or_name,
                const struct user_input *in, struct fs_err *err);
/* Sets a password. A user changing its own password must give the current one (current may be
 * NULL for an administrator or the local operator). */
int user_set_password(struct store_conn *c, const struct actor *who,
                      const struct auth_settings *set, const char *id_or_name, const char *current,
                      const char *password, struct fs_err *err);

/* What a user changing its own second factor proves itself with, as for a password change (a
 * bearer token alone is not enough): its current password, or a current code of the factor it
 * has (used once, like a login's). Either may be NULL. Administrators acting on another user (a
 * lost device) and the local operator need neither; a user with neither a password nor a
 * factor has nothing to prove it with. Otherwise FS_ERR_FORBIDDEN at "$.current_password". */
struct user_proof {
  const char *current_password;
  const char *code;
};
/* Starts TOTP enrolment (proof needed: it replaces the factor): a new secret, pending until
 * confirmed, while an enrolled factor still holds; the otpauth:// URI into uri (256 bytes). */
int user_totp_begin(struct store_conn *c, const struct actor *who, const struct auth_settings *set,
                    const char *id_or_name, const struct user_proof *proof, const char *issuer,
                    char uri[256], struct fs_err *err);
/* Confirms the pending enrolment with a current code of the new secret; it replaces the old
 * factor, and from then on logins need a code. */
int user_totp_confirm(struct store_conn *c, const struct actor *who,
                      const struct auth_settings *set, const char *id_or_name, const char *code,
                      struct fs_err *err);
/* Turns the second factor off (administrators, or the user itself with proof). */
int user_totp_disable(struct store_conn *c, const struct actor *who,
                      const struct auth_settings *set, const char *id_or_name,
                      const struct user_proof *proof, struct fs_err *err);

int user_get_json(struct store_conn *c, const struct actor *who, const char *id_or_name,
                  json_t **out, struct fs_err *err);
/* Users the actor may see, ordered by username; org (id or code) and role filters may be NULL. */
int user_list_json(struct store_conn *c, const struct actor *who, const char *org, const char *role,
                   const struct auth_page *page, json_t **out, struct fs_err *err);
/* Resolves an id or username to the id (37 bytes) and the user's organisation id (37 bytes, may
 * be NULL). */
int user_resolve(struct store_conn *c, const char *id_or_name, char id_out[37], char org_out[37],
                 struct fs_err *err);
/* The user name (72 bytes) of a user given by id, for other modules (no policy: the caller
 * decides what it shows). FS_ERR_NOT_FOUND when there is none. */
int user_name(struct store_conn *c, const char *id, char name_out[72], struct fs_err *err);
/* user_resolve for a user the actor may see (POLICY_USER_READ). One it may not see fails exactly
 * as one that does not exist (FS_ERR_NOT_FOUND, "no user \"NAME\""): no answer may tell a caller
 * that another organisation's user exists. */
int user_resolve_visible(struct store_conn *c, const struct actor *who, const char *id_or_name,
                         char id_out[37], char org_out[37], struct fs_err *err);

/* The actor of an active user (id or name), as if it had authenticated: for the local operator
 * acting on someone's behalf (`--as USER`). FS_ERR_NOT_FOUND or FS_ERR_FORBIDDEN (disabled). */
int user_actor(struct store_conn *c, const char *id_or_name, int64_t now_ms, const char *source,
               struct actor *out, struct fs_err *err);

/* A portal login: checks username, password and (when enrolled) the TOTP code, counts failures
 * per user name and client (known names or not; client is what limits count, the address's
 * fs_client_key, source what the audit records) and locks that client out of that name after
 * auth.login_max_failures of them, for auth.login_lockout_minutes; on success creates a session
 * token (printed once) into token_out (64 bytes) and its expiry into *expires_ms. Every outcome for
 * a known user is audited. A failure says only "invalid credentials" or, while the address is
 * locked out, "too many failed logins for this user name from this address", never which part was
 * wrong nor whether the user exists. */
int user_login(struct store_conn *c, const struct auth_settings *set, const char *username,
               const char *password, const char *totp_code, const char *source, const char *client,
               int64_t now_ms, char token_out[64], int64_t *expires_ms, struct fs_err *err);

#endif
