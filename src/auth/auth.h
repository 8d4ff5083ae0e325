/* Organisations, users, API tokens and portal logins: the settings they share and their schema.
 * The functions live in org.h, user.h and token.h; the rules in policy.h. */
#ifndef FS_AUTH_AUTH_H
#define FS_AUTH_AUTH_H

#include "auth/actor.h"
#include "core/base.h"
#include "core/config.h"
#include "core/err.h"
#include "store/store.h"

#include <jansson.h>

extern const struct store_schema auth_schema;

struct auth_settings {
  int64_t token_days;           /* default token lifetime */
  int64_t token_max_days;       /* longest lifetime allowed */
  int64_t session_hours;        /* lifetime of a login session token */
  int64_t session_idle_minutes; /* a portal (cookie) session ends after this long unused */
  int argon2_level;             /* 0 interactive, 1 moderate, 2 sensitive */
  int64_t login_max_failures;
  int64_t lockout_minutes;
  uint8_t secret_key[32]; /* the hub's secret (encrypts TOTP secrets); from DATA/secrets */
};

/* Fills s from the configuration; the secret key is left zero (hub/ loads it). */
void auth_settings_from_config(struct auth_settings *s, const struct fs_config *cfg);

/* A paged list: items and the cursor of the next page (NULL when none). */
struct auth_page {
  int64_t limit;     /* 1..1000 */
  const char *after; /* cursor from the previous page, or NULL */
};

/* Builds {"items": items, "next": cursor-or-null}; steals items. */
json_t *auth_page_json(json_t *items, const char *next);

/* Steps s (prepared with LIMIT limit + 1) and builds the page: row() makes each item, cursor()
 * writes the cursor of an item into out (size n). The extra row only tells that there is a
 * next page. Gives s back (store_done) and sets *out (caller owns) on success. */
typedef json_t *(*auth_row_fn)(struct store_stmt *s, const void *ctx);
typedef void (*auth_cursor_fn)(struct store_stmt *s, char *out, size_t n);
int auth_page_collect(struct store_stmt *s, int64_t limit, auth_row_fn row, auth_cursor_fn cursor,
                      const void *ctx, json_t **out, struct fs_err *err);
/* The page size asked for, within 1..1000 (default 100). */
int64_t auth_page_limit(const struct auth_page *page);

#endif
