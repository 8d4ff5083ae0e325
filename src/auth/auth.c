/* Settings shared by auth/ and the page envelope. */
#include "auth/auth.h"

#include <string.h>

void auth_settings_from_config(struct auth_settings *s, const struct fs_config *cfg)
{
  memset(s, 0, sizeof(*s));
  s->token_days = cfg->token_days;
  s->token_max_days = cfg->token_max_days;
  s->session_hours = cfg->session_hours;
  s->session_idle_minutes = cfg->session_idle_minutes;
  s->argon2_level = !strcmp(cfg->argon2, "sensitive")  ? 2
                    : !strcmp(cfg->argon2, "moderate") ? 1
                                                       : 0;
  s->login_max_failures = cfg->login_max_failures;
  s->lockout_minutes = cfg->login_lockout_minutes;
}

json_t *auth_page_json(json_t *items, const char *next)
{
  return json_pack("{s:o,s:s?}", "items", items, "next", next);
}

int auth_page_collect(struct store_stmt *s, int64_t limit, auth_row_fn row, auth_cursor_fn cursor,
                      const void *ctx, json_t **out, struct fs_err *err)
{
  json_t *items = json_array();
  char next[128] = "";
  bool have_row = false;
  int rc = FS_OK;
  for (int64_t n = 0; !(rc = store_step(s, &have_row, err)) && have_row; n++) {
    if (n == limit)
      break; /* the extra row: there is a next page */
    json_t *item = row(s, ctx);
    if (!item || json_array_append_new(items, item)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "page", "out of memory");
      break;
    }
    cursor(s, next, sizeof(next));
  }
  store_done(s);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = auth_page_json(items, have_row ? next : NULL);
  return *out ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, "page", "out of memory");
}

int64_t auth_page_limit(const struct auth_page *page)
{
  return page->limit > 0 && page->limit <= 1000 ? page->limit : 100;
}
