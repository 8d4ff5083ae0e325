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
  char member_analyst[72]; /* a member analyst's user name, for the demo's second token */
  char supervisor[72];     /* the supervisor's user name */
};

/* Creates the sample sector in one transaction (all or nothing), as `who`. */
int sample_sector_create(struct store_conn *c, const struct actor *who,
                         const struct auth_settings *set, struct sample_stats *out,
                         struct fs_err *err);

struct hub;
struct sample_activity {
  int indicators, events, alerts;
};

/* Sample activity on a hub that has the sample sector: shared indicators (documentation
 * addresses, .example names, hashes of sample text) in the sector collection, and a few
 * members' events run through the monitoring engine, which raises their alerts, sightings and a
 * sector alert with a draft incident. As `who` (the hub's operator). */
int sample_activity_create(struct hub *hub, const struct actor *who, struct sample_activity *out,
                           struct fs_err *err);

/* Sample register data (resilience/) for every member institution of the sample sector and the
 * hub's sector registers, in one transaction, as `who` (the hub's operator); drill evidence is
 * signed with each institution's sample vault key and goes through the hub's checks. */
struct sample_registers {
  int institutions, records, drills;
};
int sample_registers_create(struct store_conn *c, const struct actor *who,
                            struct sample_registers *out, struct fs_err *err);

/* True when the sample sector is already there (an earlier demo made it). */
int sample_sector_exists(struct store_conn *c, bool *exists, struct fs_err *err);

#endif
