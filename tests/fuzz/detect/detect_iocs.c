/* Fuzz target: the plain-list loader, the tokenizer and the index on what was loaded: the input
 * is loaded as a list and then matched against itself as free text. */
#include "detect/ioc.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_error(void *arg, const struct fs_err *e)
{
  (void)arg;
  (void)e;
  return 0;
}

static int on_hit(void *arg, const struct detect_ioc_hit *h)
{
  struct detect_ioc_info info;
  detect_ioc_describe(arg, h->entry, &info);
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
  detect_iocs_load_list(b, (const char *)data, size, "fuzz", &o, &loaded, &err);
  struct detect_ioc_index *ix = detect_ioc_builder_finish(b);
  if (!ix)
    return 0;
  struct detect_ioc_query q = {.org = DETECT_ORG_UNRESTRICTED};
  detect_ioc_match_text(ix, (const char *)data, size, &q, on_hit, ix);
  detect_ioc_match_string(ix, (const char *)data, size, &q, on_hit, ix);
  detect_ioc_index_free(ix);
  return 0;
}
