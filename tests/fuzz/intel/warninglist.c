/* Fuzz target: the MISP warninglist format (intel/warninglist.h): a list read, compiled with the
 * built-in lists into a set, and the set asked about values made of the input. */
#include "intel/warninglist.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct intel_warninglist l;
  struct fs_err err;
  int rc = intel_warninglist_parse((const char *)data, size, &l, &err);
  struct intel_wl_set *s = intel_wl_set_new();
  if (!s) {
    intel_warninglist_release(&l);
    return 0;
  }
  const struct intel_warninglist *b;
  size_t nb = intel_wl_builtins(&b);
  for (size_t i = 0; i < nb; i++)
    intel_wl_set_add(s, &b[i], INTEL_WL_FLAG, NULL, NULL);
  if (rc == FS_OK)
    intel_wl_set_add(s, &l, INTEL_WL_BLOCK, NULL, &err);
  if (intel_wl_set_finish(s, &err) == FS_OK) {
    /* The input's first line, canonicalised as each kind, asked of the set. */
    char value[512];
    size_t n = size < sizeof(value) - 1 ? size : sizeof(value) - 1;
    memcpy(value, data, n);
    value[n] = '\0';
    char *nl = strchr(value, '\n');
    if (nl)
      *nl = '\0';
    for (int k = 0; k < INTEL_OBS__COUNT; k++) {
      enum intel_obs kind = (enum intel_obs)k;
      char canon[INTEL_CANON_MAX + 1];
      struct intel_wl_hit hit;
      if (intel_canon(&kind, value, strlen(value), canon, "fuzz", NULL) &&
          intel_wl_set_match(s, kind, canon, &hit) && (!hit.list || !*hit.list))
        abort();
    }
    /* Each entry is on its own list when it is a value of the list's kinds. */
    for (size_t i = 0; rc == FS_OK && i < l.n_entries && i < 64; i++) {
      enum intel_obs kind = INTEL_OBS_NONE;
      char canon[INTEL_CANON_MAX + 1];
      struct intel_wl_hit hit;
      if (intel_canon(&kind, l.entries[i], strlen(l.entries[i]), canon, "fuzz", NULL))
        intel_wl_set_match(s, kind, canon, &hit);
    }
  }
  intel_wl_set_free(s);
  intel_warninglist_release(&l);
  return 0;
}
