/* The list of registers and the helpers their definitions share. Adding a register is adding a
 * definition here (and its file): storage, validation, REST, CLI, import and export follow. */
#include "resilience/defs.h"

#include <math.h>
#include <string.h>

static const struct reg_def *const all[] = {
    &reg_bcm_services, &reg_bcm_backups,  &reg_vault_keys,       &reg_drill_evidence,
    &reg_ex_ddos,      &reg_ex_phishing,  &reg_ex_pentest,       &reg_findings,
    &reg_governance,   &reg_controls,     &reg_self_assessments, &reg_requirement_sets,
    &reg_sanctions,    &reg_training_map, &reg_talent,           &reg_third_parties,
};

const struct reg_def *const *reg_all(size_t *n)
{
  *n = FS_ARRAY_SIZE(all);
  return all;
}

const struct reg_def *reg_find(const char *name)
{
  for (size_t i = 0; name && i < FS_ARRAY_SIZE(all); i++)
    if (!strcmp(all[i]->name, name))
      return all[i];
  return NULL;
}

int64_t reg_today(int64_t now_ms)
{
  char d[11];
  reg_date_of_ms(now_ms, d);
  return reg_date_days(d);
}

double reg_num(const json_t *f, const char *name, double def)
{
  const json_t *v = json_object_get(f, name);
  return json_is_number(v) ? json_number_value(v) : def;
}

double reg_round1(double x)
{
  return round(x * 10) / 10;
}
