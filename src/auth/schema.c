/* The schema of organisations, users, tokens and failed logins (module "auth"). */
#include "auth/auth.h"

static const struct store_migration auth_steps[] = {
    {1, "organisations, users, tokens",
     "CREATE TABLE org ("
     " id TEXT PRIMARY KEY,"
     " code TEXT NOT NULL UNIQUE,"
     " name_zh TEXT NOT NULL,"
     " name_en TEXT NOT NULL,"
     " industry TEXT NOT NULL,"
     " size_tier TEXT NOT NULL,"
     " parent_id TEXT REFERENCES org (id),"
     " contacts TEXT NOT NULL,"
     " status TEXT NOT NULL,"
     " sample INTEGER NOT NULL DEFAULT 0,"
     " created_at BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL,"
     " version BIGINT NOT NULL);"
     "CREATE INDEX org_parent ON org (parent_id);"
     "CREATE INDEX org_industry ON org (industry, code);"
     "CREATE TABLE app_user ("
     " id TEXT PRIMARY KEY,"
     " org_id TEXT NOT NULL REFERENCES org (id),"
     " username TEXT NOT NULL UNIQUE,"
     " display_name TEXT NOT NULL,"
     " email TEXT,"
     " role TEXT NOT NULL,"
     " status TEXT NOT NULL,"
     " password_hash TEXT,"
     " totp_secret TEXT,"
     " totp_enabled INTEGER NOT NULL DEFAULT 0,"
     " totp_last_step BIGINT NOT NULL DEFAULT 0,"
     " failed_logins INTEGER NOT NULL DEFAULT 0,"
     " locked_until BIGINT NOT NULL DEFAULT 0,"
     " created_at BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL,"
     " version BIGINT NOT NULL);"
     "CREATE INDEX app_user_org ON app_user (org_id, username);"
     "CREATE TABLE api_token ("
     " id TEXT PRIMARY KEY,"
     " user_id TEXT NOT NULL REFERENCES app_user (id),"
     " name TEXT NOT NULL,"
     " kind TEXT NOT NULL,"
     " prefix TEXT NOT NULL,"
     " hash TEXT NOT NULL UNIQUE,"
     " created_at BIGINT NOT NULL,"
     " expires_at BIGINT NOT NULL,"
     " revoked_at BIGINT,"
     " last_used_at BIGINT,"
     " created_by TEXT);"
     "CREATE INDEX api_token_user ON api_token (user_id, created_at)"},
    /* Failed logins count per user name (known or not) and address, so that nobody can lock
     * another's account from elsewhere and no answer tells known names from unknown ones. The
     * old per-user counters (app_user.failed_logins, locked_until) are no longer used. */
    {2, "failed logins per user name and address",
     "CREATE TABLE login_failure ("
     " username TEXT NOT NULL,"
     " address TEXT NOT NULL,"
     " failures INTEGER NOT NULL,"
     " locked_until BIGINT NOT NULL,"
     " last_at BIGINT NOT NULL,"
     " PRIMARY KEY (username, address));"
     "CREATE INDEX login_failure_last ON login_failure (last_at)"},
    /* A new second factor waits in totp_pending until confirmed; the enrolled one (totp_secret)
     * holds meanwhile. An enrolment begun and not confirmed moves over. */
    {3, "second factor pending confirmation",
     "ALTER TABLE app_user ADD COLUMN totp_pending TEXT;"
     "UPDATE app_user SET totp_pending = totp_secret, totp_secret = NULL"
     " WHERE totp_enabled = 0 AND totp_secret IS NOT NULL"},
    /* What the portal remembers for a user (session.h): NULL is the default. */
    {4, "portal language and calendar of a user",
     "ALTER TABLE app_user ADD COLUMN lang TEXT;"
     "ALTER TABLE app_user ADD COLUMN calendar TEXT"},
};

const struct store_schema auth_schema = {"auth", auth_steps, FS_ARRAY_SIZE(auth_steps)};
