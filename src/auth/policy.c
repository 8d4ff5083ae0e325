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

bool policy_role_fits(int role, const char *industry)
{
  bool hub = industry && !strcmp(industry, "hub");
  bool regulator = industry && !strcmp(industry, "regulator");
  if (role == AUTH_ROLE_HUB_ADMIN || role == AUTH_ROLE_HUB_ANALYST)
    return hub;
  if (role == AUTH_ROLE_SUPERVISOR)
    return regulator || hub;
  return !hub;
}

bool policy_allows(const struct actor *a, enum policy_action act, const struct policy_target *t)
{
  if (a->local || a->role == AUTH_ROLE_HUB_ADMIN)
    return true;
  bool hub_reader = a->role == AUTH_ROLE_HUB_ANALYST || a->role == AUTH_ROLE_SUPERVISOR;
  bool member_admin = a->role == AUTH_ROLE_MEMBER_ADMIN;
  switch (act) {
  case POLICY_ORG_DIRECTORY:
  case POLICY_AUDIT_HEAD:
    return true;
  case POLICY_ORG_PRIVATE:
    return hub_reader || same_org(a, t);
  case POLICY_ORG_CREATE:
  case POLICY_ORG_UPDATE:
  case POLICY_USER_NAME_ANY:
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
  case POLICY_INCIDENT_SECTOR_REF:
    return hub_reader;
  case POLICY_TEAM_MANAGE:
    return a->role == AUTH_ROLE_HUB_ANALYST || (member_admin && same_org(a, t));
  case POLICY_TEAM_ANSWER:
    return a->role == AUTH_ROLE_HUB_ANALYST ||
           (t && (t->rel & POLICY_REL_TEAM_MEMBER) && a->role != AUTH_ROLE_SUPERVISOR);
  case POLICY_SETTINGS_READ:
    return hub_reader;
  case POLICY_REGISTER_READ:
    return a->role == AUTH_ROLE_SUPERVISOR || same_org(a, t) ||
           (t && (t->rel & POLICY_REL_REG_SECTOR)) ||
           (a->role == AUTH_ROLE_HUB_ANALYST && t && (t->rel & POLICY_REL_REG_HUB_READS));
  case POLICY_REGISTER_READ_ALL:
    return a->role == AUTH_ROLE_SUPERVISOR || (t && (t->rel & POLICY_REL_REG_SECTOR)) ||
           (a->role == AUTH_ROLE_HUB_ANALYST && t && (t->rel & POLICY_REL_REG_HUB_READS));
  case POLICY_REGISTER_WRITE:
    if (t && (t->rel & POLICY_REL_REG_SECTOR))
      return a->role == AUTH_ROLE_HUB_ANALYST;
    if (a->role == AUTH_ROLE_HUB_ANALYST)
      return same_org(a, t) || (t && (t->rel & POLICY_REL_REG_HUB_WRITES));
    return member_role((int)a->role) && same_org(a, t) &&
           !(t->rel & POLICY_REL_REG_MEMBER_READONLY);
  case POLICY_SUPERVISION_READ:
    return hub_reader;
  case POLICY_SCORE_READ:
    return hub_reader || same_org(a, t);
  case POLICY_SOC_EVENTS_SEND:
  case POLICY_SOC_ALERTS_READ:
  case POLICY_SOC_SOURCES_READ:
  case POLICY_ALERT_REVIEW:
    return a->role == AUTH_ROLE_HUB_ANALYST || (member_role((int)a->role) && same_org(a, t));
  case POLICY_SOC_SECTOR_ALERTS:
  case POLICY_METRICS_READ:
    return hub_reader;
  case POLICY_SOC_SECTOR_CASE:
  case POLICY_SOC_ENGINE_STATUS:
  case POLICY_INTEL_CURATE:
    return a->role == AUTH_ROLE_HUB_ANALYST;
  case POLICY_SOC_SOURCES_MANAGE:
  case POLICY_SOC_RULES_RELOAD:
  case POLICY_COLLECTION_CREATE:
    return false; /* the hub's administrators */
  case POLICY_INTEL_STATUS_READ:
  case POLICY_PRODUCT_SUBS_READ:
    return a->role == AUTH_ROLE_HUB_ANALYST || same_org(a, t);
  case POLICY_PRODUCT_WRITE:
    return a->role == AUTH_ROLE_HUB_ANALYST;
  case POLICY_PRODUCT_IMPORT:
    return false; /* the hub's administrators */
  case POLICY_PRODUCT_SUBSCRIBE:
    return member_admin && same_org(a, t);
  case POLICY_PRODUCT_SECTOR_READ:
    return hub_reader;
  case POLICY_FEED_READ:
    return hub_reader;
  case POLICY_FEED_RUN:
    return a->role == AUTH_ROLE_HUB_ANALYST;
  case POLICY_FEED_MANAGE:
  case POLICY_WARNINGLIST_MANAGE:
    return false; /* the hub's administrators (above) */
  }
  return false;
}

int policy_check(const struct actor *a, enum policy_action act, const struct policy_target *t,
                 const char *what, struct fs_err *err)
{
  if (policy_allows(a, act, t))
    return FS_OK;
  static const char *const verbs[] = {
      [POLICY_ORG_DIRECTORY] = "see",
      [POLICY_ORG_PRIVATE] = "see the private details of",
      [POLICY_ORG_CREATE] = "create",
      [POLICY_ORG_UPDATE] = "change",
      [POLICY_ORG_CONTACTS] = "change the contacts of",
      [POLICY_USER_READ] = "see",
      [POLICY_USER_MANAGE] = "manage",
      [POLICY_USER_NAME_ANY] = "name freely",
      [POLICY_TOKEN_MANAGE] = "manage the tokens of",
      [POLICY_AUDIT_READ] = "read the audit trail of",
      [POLICY_AUDIT_READ_ALL] = "read",
      [POLICY_AUDIT_HEAD] = "get the head of",
      [POLICY_INCIDENT_READ] = "see",
      [POLICY_INCIDENT_REPORT] = "report",
      [POLICY_INCIDENT_WORK] = "work on",
      [POLICY_INCIDENT_GRADE] = "grade or assign",
      [POLICY_INCIDENT_PUBLISH] = "publish the indicators of",
      [POLICY_INCIDENT_STATS_ALL] = "see the statistics of",
      [POLICY_INCIDENT_SECTOR_REF] = "see the sector number of",
      [POLICY_TEAM_MANAGE] = "manage",
      [POLICY_TEAM_ANSWER] = "answer for",
      [POLICY_ALERT_REVIEW] = "review",
      [POLICY_SETTINGS_READ] = "read",
      [POLICY_REGISTER_READ] = "read",
      [POLICY_REGISTER_READ_ALL] = "read every record of",
      [POLICY_REGISTER_WRITE] = "write",
      [POLICY_SUPERVISION_READ] = "read",
      [POLICY_SCORE_READ] = "read the score of",
      [POLICY_SOC_EVENTS_SEND] = "send the events of",
      [POLICY_SOC_ALERTS_READ] = "read the alerts of",
      [POLICY_SOC_SECTOR_ALERTS] = "read",
      [POLICY_SOC_SECTOR_CASE] = "see the incident of",
      [POLICY_SOC_SOURCES_READ] = "see the event sources of",
      [POLICY_SOC_SOURCES_MANAGE] = "manage",
      [POLICY_SOC_RULES_RELOAD] = "reload",
      [POLICY_SOC_ENGINE_STATUS] = "read",
      [POLICY_METRICS_READ] = "read",
      [POLICY_COLLECTION_CREATE] = "create",
      [POLICY_INTEL_CURATE] = "curate",
      [POLICY_INTEL_STATUS_READ] = "read",
      [POLICY_PRODUCT_WRITE] = "write",
      [POLICY_PRODUCT_IMPORT] = "import",
      [POLICY_PRODUCT_SUBS_READ] = "see the subscriptions of",
      [POLICY_PRODUCT_SUBSCRIBE] = "manage the subscriptions of",
      [POLICY_PRODUCT_SECTOR_READ] = "read",
      [POLICY_FEED_READ] = "see",
      [POLICY_FEED_MANAGE] = "manage",
      [POLICY_FEED_RUN] = "run",
      [POLICY_WARNINGLIST_MANAGE] = "manage",
  };
  return fs_err_set(err, FS_ERR_FORBIDDEN, "", "role %s may not %s %s", auth_role_name(a->role),
                    verbs[act], what ? what : "this");
}

static bool in_list(const char *x, const char *const *list, size_t n)
{
  for (size_t i = 0; x && *x && i < n; i++)
    if (list[i] && !strcmp(list[i], x))
      return true;
  return false;
}

bool policy_intel_visible(const struct actor *a, const struct policy_intel_object *o)
{
  bool own_org = o->producer_org && a->org_id[0] && !strcmp(o->producer_org, a->org_id);
  if (o->withheld && !own_org && !a->local && !auth_role_is_hub(a->role))
    return false;
  bool named_org = in_list(a->org_id, o->recipient_orgs, o->n_recipient_orgs);
  switch (o->tlp) {
  case TLP_CLEAR:
  case TLP_GREEN:
    return true;
  case TLP_AMBER:
    return own_org || named_org || a->local || auth_role_is_hub(a->role);
  case TLP_AMBER_STRICT:
    return own_org || named_org;
  case TLP_RED:
    return (o->producer_user && a->user_id[0] && !strcmp(o->producer_user, a->user_id)) ||
           in_list(a->user_id, o->recipient_users, o->n_recipient_users);
  case TLP_NONE:
    return false;
  }
  return false;
}

bool policy_intel_true_source(const struct actor *a)
{
  return a->local || auth_role_is_hub(a->role);
}

bool policy_alert_visible(const struct actor *a, const char *alert_org, bool source_visible)
{
  return a->local || source_visible || (alert_org && a->org_id[0] && !strcmp(alert_org, a->org_id));
}

void policy_collection_rights(const struct actor *a, const struct policy_collection *c,
                              bool *can_read, bool *can_write)
{
  bool hub = a->local || auth_role_is_hub(a->role);
  bool member_role = a->role == AUTH_ROLE_MEMBER_ADMIN || a->role == AUTH_ROLE_MEMBER_ANALYST;
  bool owner = c->owner_org && a->org_id[0] && !strcmp(c->owner_org, a->org_id);
  *can_read = *can_write = false;
  switch (c->kind) {
  case POLICY_COLLECTION_SECTOR:
    *can_read = true;
    *can_write = hub;
    break;
  case POLICY_COLLECTION_SUBMISSIONS:
    /* Everybody may read it; each object's TLP decides what they see (their own submissions,
     * and what others shared as GREEN or CLEAR). */
    *can_read = true;
    *can_write = hub || member_role;
    break;
  case POLICY_COLLECTION_ORG:
    *can_read = hub || owner;
    *can_write = hub || (owner && member_role);
    break;
  case POLICY_COLLECTION_GROUP:
    *can_read = hub || c->member;
    *can_write = hub || (c->member && c->member_can_write && member_role);
    break;
  case POLICY_COLLECTION_PARTNER:
    *can_read = hub || owner;
    *can_write = hub || owner;
    break;
  }
}

void policy_abilities(const struct actor *a, struct policy_ability out[POLICY_ABILITIES])
{
  enum on { ANY, OWN, TEAM, HUB_READS };
  /* clang-format off */
  static const struct { const char *name; enum policy_action act; enum on on; } table[] = {
      {"org_create", POLICY_ORG_CREATE, ANY},
      {"user_manage", POLICY_USER_MANAGE, OWN},
      {"audit_read", POLICY_AUDIT_READ, OWN},
      {"settings_read", POLICY_SETTINGS_READ, ANY},
      {"alerts_read", POLICY_SOC_ALERTS_READ, OWN},
      {"alerts_read_all", POLICY_SOC_ALERTS_READ, ANY},
      {"sector_alerts_read", POLICY_SOC_SECTOR_ALERTS, ANY},
      {"incidents_read_all", POLICY_INCIDENT_READ, ANY},
      {"incident_report", POLICY_INCIDENT_REPORT, OWN},
      {"incident_report_for_others", POLICY_INCIDENT_REPORT, ANY},
      {"incident_work", POLICY_INCIDENT_WORK, OWN},
      {"incident_grade", POLICY_INCIDENT_GRADE, ANY},
      {"incident_publish", POLICY_INCIDENT_PUBLISH, OWN},
      {"team_answer", POLICY_TEAM_ANSWER, TEAM},
      {"registers_read_all", POLICY_REGISTER_READ_ALL, HUB_READS},
      {"user_name_any", POLICY_USER_NAME_ANY, ANY},
      {"audit_read_all", POLICY_AUDIT_READ_ALL, ANY},
  };
  /* clang-format on */
  _Static_assert(sizeof(table) / sizeof(table[0]) == POLICY_ABILITIES, "POLICY_ABILITIES");
  const struct policy_target targets[] = {
      [ANY] = {.org_id = NULL, .role = -1},
      [OWN] = {.org_id = a->org_id, .role = -1},
      [TEAM] = {.org_id = NULL, .role = -1, .rel = POLICY_REL_TEAM_MEMBER},
      [HUB_READS] = {.org_id = NULL, .role = -1, .rel = POLICY_REL_REG_HUB_READS},
  };
  for (size_t i = 0; i < POLICY_ABILITIES; i++) {
    out[i].name = table[i].name;
    out[i].allowed = policy_allows(a, table[i].act, &targets[table[i].on]);
  }
}
