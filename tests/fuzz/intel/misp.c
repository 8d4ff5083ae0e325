/* Fuzz target: a MISP feed's files (intel/misp.h): the input read as manifest.json and as an event
 * file, every attribute of an event classified and canonicalised. The canonical values must be
 * their own canonical forms and make a pattern; an event file is walked, not parsed whole, and
 * one it accepts must be JSON that jansson reads too. */
#include "intel/misp.h"

#include <jansson.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct fs_err err;
  struct misp_manifest_entry *list = NULL;
  size_t n = 0;
  if (misp_manifest_parse((const char *)data, size, &list, &n, &err) == FS_OK) {
    for (size_t i = 0; i < n; i++)
      if (strlen(list[i].uuid) != 36 || strchr(list[i].uuid, '/') || strchr(list[i].uuid, '.'))
        abort(); /* manifest keys become file names */
  }
  free(list);
  struct misp_event ev;
  if (misp_event_parse((const char *)data, size, &ev, &err) == FS_OK) {
    json_error_t je;
    json_t *doc = json_loadb((const char *)data, size, JSON_ALLOW_NUL, &je);
    if (!json_is_object(doc))
      abort(); /* the walk accepted what is not one JSON object */
    json_decref(doc);
    for (size_t i = 0; i < ev.n_attrs; i++) {
      struct misp_observables o;
      enum misp_attr_use use = misp_attribute_observables(&ev.attrs[i], &o, &err);
      if (use != MISP_USE_INDICATOR && use != MISP_USE_CONTEXT)
        continue;
      for (size_t k = 0; k < o.n; k++) {
        enum intel_obs kind = o.obs[k].kind;
        char again[INTEL_CANON_MAX + 1], pattern[INTEL_CANON_MAX * 2 + 64];
        size_t len = strlen(o.obs[k].value);
        if (intel_canon(&kind, o.obs[k].value, len, again, "fuzz", NULL) != len ||
            strcmp(again, o.obs[k].value) || kind != o.obs[k].kind)
          abort(); /* canonical forms are fixed points */
        if (!intel_canon_pattern(kind, again, pattern, sizeof(pattern)))
          abort();
      }
    }
  }
  misp_event_release(&ev);
  return 0;
}
