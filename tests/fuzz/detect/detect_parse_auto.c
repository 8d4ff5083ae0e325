/* Fuzz target: per-record format detection and every parser behind it, in each format. */
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
  for (int f = DETECT_FMT_AUTO; f <= DETECT_FMT_TEXT; f++)
    if (detect_parse_record((enum detect_format)f, (const char *)data, size, ev, &err) == FS_OK)
      (void)detect_event_time_ms(ev, 1795810945123LL, 0);
  return 0;
}
