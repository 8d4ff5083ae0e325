/* The sample sector for `finshield demo`: about 376 fictional member institutions across every
 * industry (financial holding groups with their subsidiaries, banks, securities and futures
 * firms, insurers, bills finance, card and payment companies, peripheral units, associations),
 * the supervisor, and users for every role. Deterministic: the same run gives the same sector.
 * Every organisation is marked sample=1 and named "(範例)" / "(sample)". */
#ifndef FS_SAMPLE_SAMPLE_H
#define FS_SAMPLE_SAMPLE_H

#include "auth/auth.h"

struct sample_stats {
  int orgs;
  int users;
  int teams;               /* shared response teams */
  char member_analyst[72]; /* a member analyst's user name, for the demo's second token */
  char supervisor[72];     /* the supervisor's user name */
};

/* Creates the sample sector in one transaction (all or nothing), as `who`. */
int sample_sector_create(struct store_conn *c, const struct actor *who,
                         const struct auth_settings *set, struct sample_stats *out,
                         struct fs_err *err);

struct soc_env;
struct sample_activity {
  int indicators, events, alerts;
};

/* Sample activity on a hub that has the sample sector: shared indicators (documentation
 * addresses, .example names, hashes of sample text) in the sector collection, and a few
 * members' events run through the monitoring engine (of env: the hub's, hub_soc_env), which
 * raises their alerts, sightings and a sector alert with a draft incident. As `who` (the hub's
 * operator). */
int sample_activity_create(const struct soc_env *env, const struct actor *who,
                           struct sample_activity *out, struct fs_err *err);

/* The shared response teams of the sample sector (called by sample_sector_create, in its
 * transaction): a team for each of the first `groups` holding groups (fhc-001-irt, ...), support
 * teams of an association (for every industry, assoc-013-support) and of the bankers'
 * association and the payment switch (for their industries), and the hub's CERT (hub-cert),
 * each with a member. *count tells how many. */
int sample_teams_create(struct store_conn *c, const struct actor *who, int groups, int *count,
                        struct fs_err *err);
/* The demo's syslog senders: this machine (127.0.0.1 and ::1) is registered, once, as an event
 * source of the first sample bank (an address already registered is left as it is), so that
 * `logger` lines sent to the demo's listeners count as that member's events. */
struct sample_syslog {
  char org_code[40]; /* the organisation this machine sends as */
  char value[80];    /* a shared indicator (an IPv4 address) no sample event has hit */
};
int sample_syslog_sources(struct store_conn *c, const struct actor *who, struct sample_syslog *out,
                          struct fs_err *err);
/* Sample register data (resilience/) for every member institution of the sample sector and the
 * hub's sector registers, in one transaction, as `who` (the hub's operator); drill evidence is
 * signed with each institution's sample vault key and goes through the hub's checks. */
struct sample_registers {
  int institutions, records, drills;
};
int sample_registers_create(struct store_conn *c, const struct actor *who,
                            struct sample_registers *out, struct fs_err *err);

/* The demo's portal sign-ins: one sample user of each role (the first bank's analyst and
 * administrator, a member of the association's response team assoc-013-support, a hub analyst,
 * the hub's administrator `admin`, the supervisor) gets a new random password, set as `who` (the
 * hub's operator) in the caller's transaction and written to out for printing once. A user the
 * hub does not have (an administrator named otherwise by init) is left out: its entry is empty. */
#define SAMPLE_SIGNINS 6
#define SAMPLE_PASSWORD_MAX 24
struct sample_signin {
  char username[80];
  char role[64];
  char password[SAMPLE_PASSWORD_MAX];
};
int sample_portal_users(struct store_conn *c, const struct actor *who,
                        const struct auth_settings *set, const struct sample_stats *st,
                        const char *admin, struct sample_signin out[SAMPLE_SIGNINS],
                        struct fs_err *err);

/* True when the sample sector is already there (an earlier demo made it). */
int sample_sector_exists(struct store_conn *c, bool *exists, struct fs_err *err);

#endif
