/* Fuzz target: CSV lists through a column mapping (intel/csvmap.h): the input's first line as a
 * mapping (written back, it must read the same), the rest as the CSV; and the whole input as a
 * plain list. Every value a row gives is canonicalised as its kind or detected. */
#include "intel/csvmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int row(const struct intel_csv_row *r, void *ctx)
{
  (void)ctx;
  if (!r->value)
    return 0;
  enum intel_obs kind = INTEL_OBS_NONE;
  char canon[INTEL_CANON_MAX + 1];
  intel_canon(&kind, r->value, strlen(r->value), canon, "fuzz", NULL);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  const char *nl = memchr(text, '\n', size);
  size_t first = nl ? (size_t)(nl - text) : size;
  char spec[INTEL_CSV_MAP_MAX + 1];
  struct intel_csv_map m, again;
  struct fs_err err;
  if (first < sizeof(spec)) {
    memcpy(spec, text, first);
    spec[first] = '\0';
    if (!memchr(spec, '\0', first) && intel_csv_map_parse(spec, &m, &err) == FS_OK) {
      char written[INTEL_CSV_MAP_MAX];
      intel_csv_map_format(&m, written, sizeof(written));
      if (intel_csv_map_parse(written, &again, &err) != FS_OK || memcmp(&m, &again, sizeof(m)))
        abort();
      const char *rest = nl ? nl + 1 : text + size;
      intel_csv_read(rest, size - (size_t)(rest - text), &m, row, NULL, &err);
    }
  }
  if (intel_csv_map_parse("list", &m, &err) == FS_OK)
    intel_csv_read(text, size, &m, row, NULL, &err);
  return 0;
}
