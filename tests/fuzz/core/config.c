/* Fuzz target: the INI configuration parser. */
#include "core/config.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct fs_config c;
  struct fs_err err;
  fs_config_defaults(&c);
  if (fs_config_load_string(&c, (const char *)data, size, "fuzz.ini", &err) == 0)
    fs_config_validate(&c, &err);
  return 0;
}
