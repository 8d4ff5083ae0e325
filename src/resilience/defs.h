/* The register definitions (one file per family) and helpers their hooks share. Internal to
 * resilience/; other modules find registers with reg_find. */
#ifndef FS_RESILIENCE_DEFS_H
#define FS_RESILIENCE_DEFS_H

#include "resilience/register.h"

extern const struct reg_def reg_bcm_services, reg_bcm_backups, reg_vault_keys, reg_drill_evidence;
extern const struct reg_def reg_ex_ddos, reg_ex_phishing, reg_ex_pentest, reg_findings;
extern const struct reg_def reg_governance, reg_controls, reg_self_assessments,
    reg_requirement_sets, reg_sanctions;
extern const struct reg_def reg_training_map, reg_talent, reg_third_parties;

/* A number field, or def when absent. */
double reg_num(const json_t *f, const char *name, double def);
/* Rounds to one decimal. */
double reg_round1(double x);

#endif
