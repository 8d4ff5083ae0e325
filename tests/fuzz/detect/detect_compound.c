/* Fuzz target: compound patterns on events. The input is a STIX pattern, a newline, and a
 * record: the pattern is compiled (canonical literals, anchors, rewrites), evaluated on the parsed
 * record directly, and again through an index of its anchors and the worker. */
#include "detect/ioc_compound.h"
#include "detect/worker.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_alert(void *arg, const struct detect_alert *a)
{
  struct detect_ioc_info info;
  detect_ioc_describe(arg, a->ioc_entry, &info);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  const char *nl = memchr(text, '\n', size);
  if (!nl)
    return 0;
  size_t plen = (size_t)(nl - text);
  const char *rec = nl + 1;
  size_t rlen = size - plen - 1;
  struct stix_pattern p;
  struct detect_ioc_pattern *pat;
  struct fs_err err;
  if (stix_pattern_parse(&p, text, plen, NULL, &err))
    return 0;
  char *copy = malloc(plen + 1);
  if (!copy) {
    stix_pattern_release(&p);
    return 0;
  }
  memcpy(copy, text, plen);
  copy[plen] = '\0';
  int rc = detect_ioc_pattern_compile(&p, copy, plen, &pat, &err);
  free(copy);
  if (rc)
    return 0;
  struct detect_event *ev = malloc(sizeof(*ev));
  struct detect_stix_view *v = detect_stix_view_new();
  bool match;
  if (ev && v && !detect_parse_record(DETECT_FMT_AUTO, rec, rlen, ev, &err)) {
    detect_stix_view_reset(v, ev);
    detect_ioc_pattern_eval(pat, v, &match);
  }
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  const struct detect_ioc_anchor *a;
  size_t n = detect_ioc_pattern_anchors(pat, &a);
  for (size_t i = 0; b && i < n; i++) {
    struct detect_ioc_spec spec = {.type = a[i].type,
                                   .value = a[i].value,
                                   .value_len = a[i].len,
                                   .valid_from = DETECT_TIME_NONE_FROM,
                                   .valid_until = DETECT_TIME_NONE_UNTIL,
                                   .pattern = pat};
    detect_ioc_builder_add(b, &spec, &err);
  }
  detect_ioc_pattern_unref(pat);
  struct detect_ioc_index *ix = b ? detect_ioc_builder_finish(b) : NULL;
  struct detect_worker *w = detect_worker_new();
  if (ix && w) {
    struct detect_engine_view view = {.ioc = ix};
    struct detect_record_ctx c = {.format = DETECT_FMT_AUTO, .org = DETECT_ORG_UNRESTRICTED};
    detect_worker_record(w, &view, &c, rec, rlen, on_alert, ix, &err);
  }
  detect_worker_free(w);
  detect_ioc_index_free(ix);
  detect_stix_view_free(v);
  free(ev);
  return 0;
}
