/* Settings shared by auth/ and the page envelope. */
#include "auth/auth.h"

#include <string.h>

void auth_settings_from_config(struct auth_settings *s, const struct fs_config *cfg)
{
  memset(s, 0, sizeof(*s));
  s->token_days = cfg->token_days;
  s->token_max_days = cfg->token_max_days;
  s->session_hours = cfg->session_hours;
  s->argon2_level = !strcmp(cfg->argon2, "sensitive") ? 2 : !strcmp(cfg->argon2, "moderate") ? 1 : 0;
  s->login_max_failures = cfg->login_max_failures;
  s->lockout_minutes = cfg->login_lockout_minutes;
}

json_t *auth_page_json(json_t *items, const char *next)
{
  return json_pack("{s:o,s:s?}", "items", items, "next", next);
}
