/* Fuzz target: per-record format detection and every parser behind it, in each format, then the
 * time reader (UTC, and in a zone whose offset jumps like daylight saving, from a file time). */
#include "detect/event.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int32_t jumpy_offset_s(void *arg, int64_t utc_ms)
{
  (void)arg;
  int64_t h = utc_ms / 3600000;
  return (int32_t)((h % 29 + 29) % 29 - 14) * 3600; /* -14 h .. +14 h, changing every hour */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct detect_event *ev;
  if (!ev && !(ev = malloc(sizeof(*ev))))
    return 0;
  static const struct detect_zone zone = {jumpy_offset_s, NULL};
  struct fs_err err;
  (void)detect_syslog_file_line((const char *)data, size);
  for (int f = DETECT_FMT_AUTO; f <= DETECT_FMT_TEXT; f++)
    if (detect_parse_record((enum detect_format)f, (const char *)data, size, ev, &err) == FS_OK) {
      (void)detect_event_time_ms(ev, 1795810945123LL, 0);
      (void)detect_event_time_zoned_ms(ev, 1799539200000LL, &zone, 0);
    }
  return 0;
}
