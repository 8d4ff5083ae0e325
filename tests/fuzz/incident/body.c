/* Fuzz target: the JSON body of POST and PATCH /api/v1/incidents (report parser, indicators,
 * impact answers) and the level proposal of whatever impact it accepts. */
#include "core/jsonx.h"
#include "incident/incident.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  json_t *obj;
  struct fs_err err;
  if (jsonx_parse_object((const char *)data, size, &obj, &err))
    return 0;
  struct incident_input *in = malloc(sizeof(*in));
  if (!in) {
    json_decref(obj);
    return 0;
  }
  for (int update = 0; update < 2; update++) {
    if (incident_input_from_json(obj, update, in, &err))
      continue;
    if (in->has_impact) {
      struct incident_level_proposal p;
      char reason[320];
      incident_level_propose(&in->impact, &p);
      incident_level_reason(&p, update, reason, sizeof(reason));
    }
    for (size_t i = 0; i < in->nindicators; i++) {
      char pattern[1200];
      incident_indicator_pattern(in->indicators[i].type, in->indicators[i].value, pattern,
                                 sizeof(pattern));
    }
  }
  free(in);
  json_decref(obj);
  return 0;
}
