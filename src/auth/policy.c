/* The policy's rules. */
#include "auth/policy.h"

#include <string.h>

static bool same_org(const struct actor *a, const struct policy_target *t)
{
  return t && t->org_id && a->org_id[0] && !strcmp(a->org_id, t->org_id);
}

static bool self(const struct actor *a, const struct policy_target *t)
{
  return t && t->user_id && a->user_id[0] && !strcmp(a->user_id, t->user_id);
}

static bool member_role(int role)
{
  return role == AUTH_ROLE_MEMBER_ADMIN || role == AUTH_ROLE_MEMBER_ANALYST;
}

bool policy_allows(const struct actor *a, enum policy_action act, const struct policy_target *t)
{
  if (a->local || a->role == AUTH_ROLE_HUB_ADMIN)
    return true;
  bool hub_reader = a->role == AUTH_ROLE_HUB_ANALYST || a->role == AUTH_ROLE_SUPERVISOR;
  bool member_admin = a->role == AUTH_ROLE_MEMBER_ADMIN;
  switch (act) {
  case POLICY_ORG_DIRECTORY:
    return true;
  case POLICY_ORG_PRIVATE:
    return hub_reader || same_org(a, t);
  case POLICY_ORG_CREATE:
  case POLICY_ORG_UPDATE:
    return false;
  case POLICY_ORG_CONTACTS:
    return member_admin && same_org(a, t);
  case POLICY_USER_READ:
    return hub_reader || self(a, t) || (member_admin && same_org(a, t));
  case POLICY_USER_MANAGE:
    return member_admin && same_org(a, t) && (t->role < 0 || member_role(t->role));
  case POLICY_TOKEN_MANAGE:
    return self(a, t) || (member_admin && same_org(a, t));
  case POLICY_AUDIT_READ:
    return a->role == AUTH_ROLE_SUPERVISOR || (member_admin && same_org(a, t));
  case POLICY_AUDIT_READ_ALL:
    return a->role == AUTH_ROLE_SUPERVISOR;
  case POLICY_INCIDENT_READ:
    return hub_reader || same_org(a, t) ||
           (t && (t->rel & (POLICY_REL_TEAM_OFFERED | POLICY_REL_TEAM_ASSIGNED)));
  case POLICY_INCIDENT_REPORT:
  case POLICY_INCIDENT_PUBLISH:
    return a->role == AUTH_ROLE_HUB_ANALYST || (member_role((int)a->role) && same_org(a, t));
  case POLICY_INCIDENT_WORK:
    return a->role == AUTH_ROLE_HUB_ANALYST || (member_role((int)a->role) && same_org(a, t)) ||
           (t && (t->rel & POLICY_REL_TEAM_ASSIGNED) && a->role != AUTH_ROLE_SUPERVISOR);
  case POLICY_INCIDENT_GRADE:
    return a->role == AUTH_ROLE_HUB_ANALYST;
  case POLICY_INCIDENT_STATS_ALL:
    return hub_reader;
  case POLICY_TEAM_MANAGE:
    return a->role == AUTH_ROLE_HUB_ANALYST || (member_admin && same_org(a, t));
  case POLICY_TEAM_ANSWER:
    return a->role == AUTH_ROLE_HUB_ANALYST ||
           (t && (t->rel & POLICY_REL_TEAM_MEMBER) && a->role != AUTH_ROLE_SUPERVISOR);
  }
  return false;
}

int policy_check(const struct actor *a, enum policy_action act, const struct policy_target *t,
                 const char *what, struct fs_err *err)
{
  if (policy_allows(a, act, t))
    return FS_OK;
  static const char *const verbs[] = {
      [POLICY_ORG_DIRECTORY] = "see",        [POLICY_ORG_PRIVATE] = "see the private details of",
      [POLICY_ORG_CREATE] = "create",         [POLICY_ORG_UPDATE] = "change",
      [POLICY_ORG_CONTACTS] = "change the contacts of", [POLICY_USER_READ] = "see",
      [POLICY_USER_MANAGE] = "manage",        [POLICY_TOKEN_MANAGE] = "manage the tokens of",
      [POLICY_AUDIT_READ] = "read the audit trail of", [POLICY_AUDIT_READ_ALL] = "read",
      [POLICY_INCIDENT_READ] = "see", [POLICY_INCIDENT_REPORT] = "report",
      [POLICY_INCIDENT_WORK] = "work on", [POLICY_INCIDENT_GRADE] = "grade or assign",
      [POLICY_INCIDENT_PUBLISH] = "publish the indicators of",
      [POLICY_INCIDENT_STATS_ALL] = "see the statistics of", [POLICY_TEAM_MANAGE] = "manage",
      [POLICY_TEAM_ANSWER] = "answer for",
  };
  return fs_err_set(err, FS_ERR_FORBIDDEN, "", "role %s may not %s %s", auth_role_name(a->role),
                    verbs[act], what ? what : "this");
}
