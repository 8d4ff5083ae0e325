/* The one policy that decides who may see and do what. Every read path and every change asks it;
 * no handler decides alone. Later capabilities add their actions here (TLP and sharing groups for
 * intelligence, incident visibility, ...), so that the rules stay in one place.
 *
 * Roles: hub-admin does everything; hub-analyst reads everything and works the hub's cases;
 * supervisor reads (no changes except its own tokens); member-admin manages its organisation, its
 * users and their tokens; member-analyst works within its organisation. Every member sees the
 * directory of member institutions (names, industry, tier, group) but only its own contacts. */
#ifndef FS_AUTH_POLICY_H
#define FS_AUTH_POLICY_H

#include "auth/actor.h"
#include "core/err.h"

enum policy_action {
  POLICY_ORG_DIRECTORY,   /* see an organisation's public fields */
  POLICY_ORG_PRIVATE,     /* see its contacts and status details */
  POLICY_ORG_CREATE,
  POLICY_ORG_UPDATE,      /* names, tier, group, status */
  POLICY_ORG_CONTACTS,    /* update its contacts */
  POLICY_USER_READ,       /* see a user */
  POLICY_USER_MANAGE,     /* create or change a user (target role given) */
  POLICY_TOKEN_MANAGE,    /* create, list, revoke tokens of a user */
  POLICY_AUDIT_READ,      /* read audit records of an organisation */
  POLICY_AUDIT_READ_ALL,  /* read and verify the whole trail */
};

struct policy_target {
  const char *org_id;  /* organisation the object belongs to (NULL: none) */
  const char *user_id; /* user the object belongs to (NULL: none) */
  int role;            /* for POLICY_USER_MANAGE: the role given or kept; -1 when not relevant */
};

/* True when the actor may do act on target. */
bool policy_allows(const struct actor *a, enum policy_action act, const struct policy_target *t);
/* FS_OK, or FS_ERR_FORBIDDEN with a message naming what was refused. `what` describes the object
 * for the message ("organisation bank-001"). */
int policy_check(const struct actor *a, enum policy_action act, const struct policy_target *t,
                 const char *what, struct fs_err *err);

#endif
