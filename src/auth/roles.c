/* Role names. */
#include "auth/actor.h"

#include <string.h>

const char *const auth_role_names[] = {
#define AUTH_X_NAME(id, name, en, zh) name,
    AUTH_ROLE_MAP(AUTH_X_NAME)
#undef AUTH_X_NAME
        NULL,
};

const char *auth_role_name(enum auth_role r)
{
  return (unsigned)r < AUTH_ROLE__COUNT ? auth_role_names[r] : "unknown";
}

int auth_role_parse(const char *s)
{
  for (int i = 0; i < AUTH_ROLE__COUNT; i++)
    if (!strcmp(auth_role_names[i], s))
      return i;
  return -1;
}

bool auth_role_is_hub(enum auth_role r)
{
  return r == AUTH_ROLE_HUB_ADMIN || r == AUTH_ROLE_HUB_ANALYST;
}
