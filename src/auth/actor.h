/* The actor (core/actor.h: who acts, for whom, when) and its roles' names and tests, which are
 * auth's. Domain modules include this header; audit/, below auth/, includes core/actor.h. */
#ifndef FS_AUTH_ACTOR_H
#define FS_AUTH_ACTOR_H

#include "core/actor.h"

/* NULL-terminated list of role names, in enum order (for JSON enums and help). */
extern const char *const auth_role_names[];
const char *auth_role_name(enum auth_role r);
/* -1 when unknown. */
int auth_role_parse(const char *s);
/* Whether the role is one of the hub's (hub-admin, hub-analyst). For auth/policy.c: no other
 * module decides by role; they ask the policy (policy_allows and its siblings). */
bool auth_role_is_hub(enum auth_role r);

#endif
