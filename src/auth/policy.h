/* The one policy that decides who may see and do what. Every read path and every change asks it;
 * no handler decides alone, and no file of src/ but policy.c decides by role (docs/security.md).
 * Every capability's actions are here (organisations, users and tokens, the audit trail, TLP and
 * collections for intelligence, incidents and teams, registers and supervision, monitoring, the
 * hub's metrics, intelligence products), so that the rules stay in one place; a new capability adds
 * its own.
 *
 * Roles: hub-admin does everything (but TLP binds it: policy_intel_visible, policy_alert_visible);
 * hub-analyst reads everything and works the hub's cases;
 * supervisor reads (no changes except its own tokens); member-admin manages its organisation, its
 * users and their tokens; member-analyst works within its organisation. Every member sees the
 * directory of member institutions (names, industry, tier, group) but only its own contacts. */
#ifndef FS_AUTH_POLICY_H
#define FS_AUTH_POLICY_H

#include "auth/actor.h"
#include "core/err.h"
#include "core/tlp.h"

enum policy_action {
  POLICY_ORG_DIRECTORY, /* see an organisation's public fields */
  POLICY_ORG_PRIVATE,   /* see its contacts and status details */
  POLICY_ORG_CREATE,
  POLICY_ORG_UPDATE,     /* names, tier, group, status */
  POLICY_ORG_CONTACTS,   /* update its contacts */
  POLICY_USER_READ,      /* see a user */
  POLICY_USER_MANAGE,    /* create or change a user (target role given) */
  POLICY_USER_NAME_ANY,  /* name a user without "@" and its organisation's code (user_create) */
  POLICY_TOKEN_MANAGE,   /* create, list, revoke tokens of a user */
  POLICY_AUDIT_READ,     /* read audit records of an organisation */
  POLICY_AUDIT_READ_ALL, /* read and verify the whole trail */
  POLICY_AUDIT_HEAD,     /* get the trail's signed head (to keep and check it later): everyone */
  /* Incident response (incident/): visibility of a case is its reporting organisation (org_id),
   * the hub, the supervisor, and the teams offered or assigned to it (rel). */
  POLICY_INCIDENT_READ,       /* see a case, its timeline, tasks, observables, evidence */
  POLICY_INCIDENT_REPORT,     /* report a case for org_id */
  POLICY_INCIDENT_WORK,       /* change a case: status, timeline, tasks, evidence, help, report */
  POLICY_INCIDENT_GRADE,      /* confirm its level, merge, offer to teams, open drafts */
  POLICY_INCIDENT_PUBLISH,    /* share its indicators as intelligence */
  POLICY_INCIDENT_STATS_ALL,  /* statistics of every organisation */
  POLICY_INCIDENT_SECTOR_REF, /* see and use a case's sector-wide number (sector_ref) */
  POLICY_TEAM_MANAGE,         /* register or change a response team of org_id, its members */
  POLICY_TEAM_ANSWER,         /* accept or decline an offer for the team (rel TEAM_MEMBER) */
  POLICY_ALERT_REVIEW,        /* acknowledge an alert of org_id or mark it a false positive */
  POLICY_SETTINGS_READ,       /* see the hub's settings that are safe to show (no secrets) */
  /* Registers (resilience/) and supervision (supervision/). A register record belongs to org_id;
   * what its definition allows comes as POLICY_REL_REG_* bits. */
  POLICY_REGISTER_READ,     /* read a record (refusal is answered as "not found") */
  POLICY_REGISTER_READ_ALL, /* read every institution's records of a register */
  POLICY_REGISTER_WRITE,    /* create or change a record of org_id (drill evidence too) */
  POLICY_SUPERVISION_READ,  /* sector-wide supervision reports and every institution's score */
  POLICY_SCORE_READ,        /* the incentive score of org_id, with its parts */
  /* Monitoring (soc/), the hub's own state and intelligence curation (intel/). For the SOC's
   * reads and events, org_id NULL means every organisation (events: any one the caller names). */
  POLICY_SOC_EVENTS_SEND,   /* send events as org_id's (the hub sends on a member's behalf) */
  POLICY_SOC_ALERTS_READ,   /* list and stream org_id's alerts (each shown per policy_alert_visible)
                             */
  POLICY_SOC_SECTOR_ALERTS, /* read sector alerts: the threat and how many organisations saw it */
  POLICY_SOC_SECTOR_CASE,   /* see which incident a sector alert opened */
  POLICY_SOC_SOURCES_READ,  /* see the event sources registered for org_id (NULL: every one) */
  POLICY_SOC_SOURCES_MANAGE, /* register or remove an event source (address range, certificate) */
  POLICY_SOC_RULES_RELOAD,   /* make every node's engine load its Sigma rules again */
  POLICY_SOC_ENGINE_STATUS,  /* the monitoring engine's and the listeners' state */
  POLICY_METRICS_READ,       /* the Prometheus metrics from outside the hub's machine */
  POLICY_COLLECTION_CREATE,  /* create an intelligence collection (org, group, partner) */
  POLICY_INTEL_CURATE,       /* the hub's hand on intelligence: rename objects; version, delete
                              * or share further what another organisation produced and the
                              * actor sees (TLP still decides what it sees) */
  POLICY_INTEL_STATUS_READ,  /* read the status of a submission made by org_id */
  /* Intelligence products (products/): publications, ATT&CK, sector reports. */
  POLICY_PRODUCT_WRITE,       /* write, review, publish publications (and see them before they
                               * are published), tag ATT&CK techniques, make sector reports */
  POLICY_PRODUCT_IMPORT,      /* import past products and the ATT&CK catalogue */
  POLICY_PRODUCT_SUBS_READ,   /* see org_id's subscriptions (NULL org_id: every organisation's) */
  POLICY_PRODUCT_SUBSCRIBE,   /* subscribe org_id to publications, or remove its subscriptions */
  POLICY_PRODUCT_SECTOR_READ, /* read the kept weekly and monthly sector reports */
  /* Intelligence sources, their scores and warninglists (intel/feed.h): the hub's machinery. */
  POLICY_FEED_READ,          /* see sources, their health and runs, and the warninglists */
  POLICY_FEED_MANAGE,        /* add, enable, disable and remove sources */
  POLICY_FEED_RUN,           /* run a source, recompute the scores */
  POLICY_WARNINGLIST_MANAGE, /* import, set the action of and remove warninglists */
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

/* Whether a user of an organisation of `industry` (org_industry_names) may hold `role`: the hub's
 * roles only at the hub, the supervisor's at the regulator (or the hub), member roles anywhere
 * but the hub. */
bool policy_role_fits(int role, const char *industry);

/* True when the actor may do act on target. */
bool policy_allows(const struct actor *a, enum policy_action act, const struct policy_target *t);
/* FS_OK, or FS_ERR_FORBIDDEN with a message naming what was refused. `what` describes the object
 * for the message ("organisation bank-001"). */
int policy_check(const struct actor *a, enum policy_action act, const struct policy_target *t,
                 const char *what, struct fs_err *err);

/* ---- intelligence: TLP 2.0 and collections ---------------------------------------------- */

/* What decides who may see one object version (its level: core/tlp.h, the one TLP type). Recipient
 * lists are small arrays of ids. */
struct policy_intel_object {
  enum tlp_level tlp;
  const char *producer_org;          /* the true source organisation (kept even when anonymous) */
  const char *producer_user;         /* the true source user */
  const char *const *recipient_orgs; /* named recipient organisations (ids) */
  size_t n_recipient_orgs;
  const char *const *recipient_users; /* named recipient users (ids) */
  size_t n_recipient_users;
  bool withheld; /* held back by the hub (a score below its threshold, a warninglist): its TLP
                    applies, and only the hub's roles and the producing organisation see it */
};

/* TLP 2.0 as the hub applies it:
 *   CLEAR, GREEN  - every authenticated user (the community of members);
 *   AMBER         - the producing organisation, the named recipient organisations, the hub's roles;
 *   AMBER+STRICT  - the producing organisation and the named recipient organisations only;
 *   RED           - the producing user and the named recipient users only.
 * An unmarked object (TLP_NONE) is never visible: resolve the default first. A withheld
 * object is visible to the hub's roles and its producing organisation only (within its TLP): other
 * members neither receive it nor can tell it exists (and nobody's events match it). */
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

/* ---- monitoring: one alert ----------------------------------------------------------------- */

/* Whether the actor is shown one alert of alert_org (NULL: a sector alert), once it may read
 * that organisation's alerts (POLICY_SOC_ALERTS_READ) or sector alerts: an organisation sees its
 * own alerts; anyone else only those whose source it may see (source_visible: the indicator
 * matched, by policy_intel_visible; a Sigma rule is everyone's), whatever its role, since an
 * alert names what it matched. The local operator sees every alert. */
bool policy_alert_visible(const struct actor *a, const char *alert_org, bool source_visible);

/* ---- what a user interface offers --------------------------------------------------------- */

/* One thing the actor may do in general, asked of policy_allows on a typical target: the actor's
 * own organisation, any organisation, a team it is a member of, a register the hub reads. The
 * portal offers a form or a tab only when the session says the ability is there; it decides
 * nothing: every request is still asked of the policy with its real target. */
struct policy_ability {
  const char *name; /* "alerts_read", "incident_work", ... (docs/openapi.yaml, Session.may) */
  bool allowed;
};
#define POLICY_ABILITIES 17
/* Fills out[POLICY_ABILITIES] for the actor, in a fixed order. */
void policy_abilities(const struct actor *a, struct policy_ability out[POLICY_ABILITIES]);

#endif
