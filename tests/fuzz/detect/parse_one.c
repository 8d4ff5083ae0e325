/* Fuzz targets: one event parser (FUZZ_PARSER, set per target by CMake), then the time reader
 * on what it found. */
#include "detect/event.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct detect_event *ev;
  if (!ev && !(ev = malloc(sizeof(*ev))))
    return 0;
  struct fs_err err;
  detect_event_reset(ev, (const char *)data, size);
  if (FUZZ_PARSER((const char *)data, size, ev, &err) == FS_OK)
    (void)detect_event_time_ms(ev, 1795810945123LL, 0);
  for (size_t i = 0; i < ev->nfields; i++) { /* every field must lie in the input or scratch */
    const struct detect_field *f = &ev->fields[i];
    volatile char sink = 0;
    for (size_t k = 0; k < f->name_len; k++)
      sink ^= f->name[k];
    for (size_t k = 0; k < f->value_len; k++)
      sink ^= f->value[k];
    (void)sink;
  }
  return 0;
}
