/* Fuzz target: JSON request bodies, through the strict parser and the typed field readers. */
#include "core/jsonx.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const allowed[] = {"name", "count", "enabled", "kind", "when", NULL};
  static const char *const kinds[] = {"a", "b", NULL};
  json_t *obj;
  struct fs_err err;
  if (jsonx_parse_object((const char *)data, size, &obj, &err))
    return 0;
  const char *s;
  int64_t n;
  bool b;
  int k;
  jsonx_only_keys(obj, allowed, "$", &err);
  jsonx_string(obj, "name", JSONX_REQUIRED, 200, &s, &err);
  jsonx_int(obj, "count", 0, -5, 5, &n, NULL, &err);
  jsonx_bool(obj, "enabled", JSONX_NULLABLE, &b, NULL, &err);
  jsonx_enum(obj, "kind", 0, kinds, &k, &err);
  jsonx_time(obj, "when", 0, &n, NULL, &err);
  json_decref(obj);
  return 0;
}
