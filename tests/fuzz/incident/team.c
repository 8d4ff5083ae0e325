/* Fuzz target: the JSON body of POST and PATCH /api/v1/teams. */
#include "core/jsonx.h"
#include "incident/team.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  json_t *obj;
  struct fs_err err;
  if (jsonx_parse_object((const char *)data, size, &obj, &err))
    return 0;
  struct team_input in;
  team_input_from_json(obj, false, &in, &err);
  team_input_from_json(obj, true, &in, &err);
  json_decref(obj);
  return 0;
}
