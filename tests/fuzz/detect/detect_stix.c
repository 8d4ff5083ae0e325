/* Fuzz target: the STIX bundle loader (JSON, then the simple pattern parser). */
#include "detect/ioc.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_error(void *arg, const struct fs_err *e)
{
  (void)arg;
  (void)e;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  if (!b)
    return 0;
  struct detect_ioc_load_opts o = {.on_error = on_error};
  size_t loaded;
  struct fs_err err;
  detect_iocs_load_stix(b, (const char *)data, size, "fuzz", &o, &loaded, &err);
  detect_ioc_index_free(detect_ioc_builder_finish(b));
  return 0;
}
