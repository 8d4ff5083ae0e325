/* Fuzz target: a document handed out in runs (stix_split), as intel import reads a large bundle.
 * Every run, wrapped as a list, must be a list of exactly its elements that the whole-document
 * reader's first pass accepts; a document read in parts has the elements the whole reading has. */
#include "stix/json_read.h"
#include "stix/stix.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  struct stix_split s;
  struct fs_err err;
  bool in_parts;
  size_t max_object = size > 64 ? size / 2 : 64;
  int rc = stix_split_begin(&s, text, size, max_object, &in_parts, &err);
  size_t n = 0, per = size % 3 + 1;
  while (!rc && in_parts) {
    struct stix_split_part p;
    rc = stix_split_next(&s, per, size % 97 + 1, &p, &err);
    if (rc || !p.n)
      break;
    if (p.first_index != n || p.start > p.end || p.end > size)
      abort();
    n += p.n;
    char *list = malloc(p.end - p.start + 2);
    if (!list)
      break;
    list[0] = '[';
    memcpy(list + 1, text + p.start, p.end - p.start);
    list[p.end - p.start + 1] = ']';
    json_t *v = NULL;
    int prc = stix_json_parse(list, p.end - p.start + 2, &v, &err);
    /* a duplicate key is found only when built: the one thing the runs let by */
    if (!prc && json_array_size(v) != p.n)
      abort();
    if (prc && !strstr(err.msg, "duplicate"))
      abort();
    json_decref(v);
    free(list);
  }
  stix_split_release(&s);
  return 0;
}
