/* Recovery evidence (營運持續：復原能力實證): restore-drill evidence signed by an institution's
 * vault (`finshield vault drill --report-to`), checked and judged by the hub against the
 * service's RTO and MTPD, and each service's drill status: pass, fail, or overdue (no drill within
 * the required period). */
#ifndef FS_RESILIENCE_DRILL_H
#define FS_RESILIENCE_DRILL_H

#include "auth/actor.h"
#include "core/err.h"
#include "store/store.h"

#include <jansson.h>

/* Accepts an upload {"service": CODE, "evidence": {signed drill record}, "attestation"?: {signed
 * deposit attestation of the drilled snapshot}} from the actor's organisation. Checks, in order:
 * the record's form (type finshield-vault-restore-drill, version 2); its Ed25519 signature; that
 * the signing key is one the organisation registered in vault-keys and has not revoked (and the
 * repository, when the key record names one); the attestation, when given: signed by the same
 * key, for the same repository, snapshot, institution and business date (the chain deposit ->
 * drill -> registered key -> organisation); that the service is one of the organisation's
 * bcm-services; that the drill did not start in the future; and that the same evidence was not
 * uploaded before (409). Then it judges: fail when the vault's restore failed, or took longer
 * than the MTPD or the RTO; pass otherwise; and stores a drill-evidence record. A refused upload
 * writes nothing and says why (FS_ERR_INVALID, or FS_ERR_CRYPTO for a bad signature).
 * *out (caller owns) is the stored record. */
int resil_drill_submit(struct store_conn *c, const struct actor *who, json_t *upload, json_t **out,
                       struct fs_err *err);

/* The drill status of each of an organisation's bcm-services as of as_of (0: now): the latest
 * drill (its evidence record id), and the status: "pass" or "fail" (the latest drill within the
 * service's period), "overdue" (no drill within drill_period_days, the service's own or
 * default_period_days). FS_ERR_NOT_FOUND when the actor may not read the organisation's
 * records. */
int resil_drill_status_json(struct store_conn *c, const struct actor *who, const char *org,
                            int64_t as_of, int64_t default_period_days, json_t **out,
                            struct fs_err *err);

/* The same without a policy check, for supervision/ (org_id is an id); the services also carry
 * "passed_in_window": the latest drill falls in [window_from, as_of] and passed. */
int resil_drill_status_org(struct store_conn *c, const char *org_id, int64_t as_of,
                           int64_t default_period_days, int64_t window_from, json_t **out,
                           struct fs_err *err);

#endif
