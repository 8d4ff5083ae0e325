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
  POLICY_AUDIT_HEAD,      /* get the trail's signed head (to keep and check it later): everyone */
  /* Incident response (incident/): visibility of a case is its reporting organisation (org_id),
   * the hub, the supervisor, and the teams offered or assigned to it (rel). */
  POLICY_INCIDENT_READ,    /* see a case, its timeline, tasks, observables, evidence */
  POLICY_INCIDENT_REPORT,  /* report a case for org_id */
  POLICY_INCIDENT_WORK,    /* change a case: status, timeline, tasks, evidence, help, report */
  POLICY_INCIDENT_GRADE,   /* confirm its level, merge, offer to teams, open drafts */
  POLICY_INCIDENT_PUBLISH, /* share its indicators as intelligence */
  POLICY_INCIDENT_STATS_ALL, /* statistics of every organisation */
  POLICY_INCIDENT_SECTOR_REF, /* see and use a case's sector-wide number (sector_ref) */
  POLICY_TEAM_MANAGE,      /* register or change a response team of org_id, its members */
  POLICY_TEAM_ANSWER,      /* accept or decline an offer for the team (rel TEAM_MEMBER) */
  /* Registers (resilience/) and supervision (supervision/). A register record belongs to org_id;
   * what its definition allows comes as POLICY_REL_REG_* bits. */
  POLICY_REGISTER_READ,     /* read a record (refusal is answered as "not found") */
  POLICY_REGISTER_READ_ALL, /* read every institution's records of a register */
  POLICY_REGISTER_WRITE,    /* create or change a record of org_id (drill evidence too) */
  POLICY_SUPERVISION_READ,  /* sector-wide supervision reports and every institution's score */
  POLICY_SCORE_READ,        /* the incentive score of org_id, with its parts */
};

/* Relations of the actor to the object that the caller has looked up (policy_target.rel). */
enum policy_relation {
  POLICY_REL_TEAM_OFFERED = 1 << 0,  /* acts for a team offered the case (may read it) */
  POLICY_REL_TEAM_ASSIGNED = 1 << 1, /* acts for a team that accepted the case (may work it) */
  POLICY_REL_TEAM_MEMBER = 1 << 2,   /* is a member of the team the object is */
  /* What a register's definition allows (resilience/register.h, enum reg_access). */
  POLICY_REL_REG_HUB_READS = 1 << 3,       /* hub analysts read every institution's records */
  POLICY_REL_REG_HUB_WRITES = 1 << 4,      /* hub analysts write records about an institution */
  POLICY_REL_REG_SECTOR = 1 << 5,          /* the hub's reference data: all read, the hub writes */
  POLICY_REL_REG_MEMBER_READONLY = 1 << 6, /* members read their records, only the hub writes */
};

struct policy_target {
  const char *org_id;  /* organisation the object belongs to (NULL: none) */
  const char *user_id; /* user the object belongs to (NULL: none) */
  int role;            /* for POLICY_USER_MANAGE: the role given or kept; -1 when not relevant */
  unsigned rel;        /* enum policy_relation bits; 0 when none */
};

/* True when the actor may do act on target. */
bool policy_allows(const struct actor *a, enum policy_action act, const struct policy_target *t);
/* FS_OK, or FS_ERR_FORBIDDEN with a message naming what was refused. `what` describes the object
 * for the message ("organisation bank-001"). */
int policy_check(const struct actor *a, enum policy_action act, const struct policy_target *t,
                 const char *what, struct fs_err *err);

/* ---- intelligence: TLP 2.0 and collections ---------------------------------------------- */

/* TLP levels as the policy sees them (the same order as stix/tlp.h). */
enum policy_tlp {
  POLICY_TLP_NONE = 0, /* unmarked: the caller must resolve it to the collection's default first */
  POLICY_TLP_CLEAR,
  POLICY_TLP_GREEN,
  POLICY_TLP_AMBER,
  POLICY_TLP_AMBER_STRICT,
  POLICY_TLP_RED,
};

/* What decides who may see one object version. Recipient lists are small arrays of ids. */
struct policy_intel_object {
  enum policy_tlp tlp;
  const char *producer_org;  /* the true source organisation (kept even when anonymous) */
  const char *producer_user; /* the true source user */
  const char *const *recipient_orgs; /* named recipient organisations (ids) */
  size_t n_recipient_orgs;
  const char *const *recipient_users; /* named recipient users (ids) */
  size_t n_recipient_users;
};

/* TLP 2.0 as the hub applies it:
 *   CLEAR, GREEN  - every authenticated user (the community of members);
 *   AMBER         - the producing organisation, the named recipient organisations, the hub's roles;
 *   AMBER+STRICT  - the producing organisation and the named recipient organisations only;
 *   RED           - the producing user and the named recipient users only.
 * An unmarked object (POLICY_TLP_NONE) is never visible: resolve the default first. */
bool policy_intel_visible(const struct actor *a, const struct policy_intel_object *o);
/* True when the actor may see who really produced an object (anonymous submissions): the hub's
 * roles only. */
bool policy_intel_true_source(const struct actor *a);

enum policy_collection_kind {
  POLICY_COLLECTION_SECTOR,      /* the hub publishes to every member */
  POLICY_COLLECTION_SUBMISSIONS, /* members submit to the hub */
  POLICY_COLLECTION_ORG,         /* one organisation's own collection */
  POLICY_COLLECTION_GROUP,       /* a sharing group of organisations */
  POLICY_COLLECTION_PARTNER,     /* exchange with a partner ISAC (an organisation of the hub) */
};

struct policy_collection {
  enum policy_collection_kind kind;
  const char *owner_org; /* ORG and PARTNER: the organisation; else NULL */
  bool member;           /* GROUP: the actor's organisation is a member */
  bool member_can_write; /* GROUP: members may write */
};

/* Read and write rights on a collection. A collection with neither is invisible (TAXII 404). */
void policy_collection_rights(const struct actor *a, const struct policy_collection *c,
                              bool *can_read, bool *can_write);

#endif
