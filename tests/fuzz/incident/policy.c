/* Fuzz target: the clock policy file (incident.policy_file) and the clocks computed from it. */
#include "auth/org.h"
#include "incident/level.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct incident_policy p;
  struct fs_err err;
  if (incident_policy_parse((const char *)data, size, "fuzz.ini", org_industry_names, &p, &err))
    return 0;
  struct incident_times t = {.aware = 1000, .reported = 2000, .level = 3, .recovered = 5000};
  struct incident_clock k[INCIDENT_CLOCK__COUNT];
  incident_clocks_compute(incident_policy_clocks(&p, "bank"), &t, 1000000, k);
  return 0;
}
