/* Fuzz target: STIX patterns through the parser, as STIX 2.1 and as STIX 2.0 content; accepted
 * ones must print to text that parses (as 2.1) to the same canonical text, and what 2.1 accepts
 * 2.0 accepts with the same canonical text; then extraction, preparation and evaluation against
 * a small event. */
#include "stix/pattern.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool lookup(void *ctx, const struct stix_pattern_path *path, size_t index,
                   struct stix_pattern_value *out)
{
  (void)ctx;
  if (index > 1 || path->n == 0)
    return false;
  memset(out, 0, sizeof(*out));
  switch (path->steps[0].key_len % 4) {
  case 0:
    out->kind = STIX_PATTERN_VAL_STRING;
    out->s = index ? "198.51.100.7" : "2016-01-01T00:00:00Z";
    out->len = strlen(out->s);
    break;
  case 1:
    out->kind = STIX_PATTERN_VAL_INT;
    out->i = 42;
    break;
  case 2:
    out->kind = STIX_PATTERN_VAL_BINARY;
    out->s = "\x01\xff";
    out->len = 2;
    break;
  default:
    out->kind = STIX_PATTERN_VAL_FLOAT;
    out->f = 0.5;
  }
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const struct stix_pattern_limits v20 = {.stix20 = true};
  struct stix_pattern p, q;
  struct fs_err err;
  bool strict = stix_pattern_parse(&p, (const char *)data, size, NULL, &err) == FS_OK;
  if (!strict && stix_pattern_parse(&p, (const char *)data, size, &v20, &err))
    return 0;
  struct fs_buf a, b;
  fs_buf_init(&a, 1 << 20);
  fs_buf_init(&b, 1 << 20);
  if (stix_pattern_print(&p, &a) == FS_OK) {
    if (stix_pattern_parse(&q, a.data, a.len, NULL, &err))
      __builtin_trap(); /* the printer wrote something the parser refuses */
    if (stix_pattern_print(&q, &b) || a.len != b.len || memcmp(a.data, b.data, a.len))
      __builtin_trap(); /* the canonical text is not stable */
    stix_pattern_release(&q);
    if (strict) { /* 2.0 content accepts everything 2.1 does, to the same AST */
      if (stix_pattern_parse(&q, (const char *)data, size, &v20, &err))
        __builtin_trap();
      fs_buf_reset(&b);
      if (stix_pattern_print(&q, &b) || a.len != b.len || memcmp(a.data, b.data, a.len))
        __builtin_trap();
      stix_pattern_release(&q);
    }
  }
  stix_pattern_check_names(&p, &err);
  struct stix_pattern_simple s;
  stix_pattern_extract(&p, 64, &s, &err);
  if (stix_pattern_prepare(&p, &err) == FS_OK) {
    struct stix_pattern_scratch scratch;
    if (stix_pattern_scratch_init(&scratch) == FS_OK) {
      bool match;
      stix_pattern_eval(&p, lookup, NULL, &scratch, &match, &err);
      stix_pattern_scratch_release(&scratch);
    }
  }
  fs_buf_release(&a);
  fs_buf_release(&b);
  stix_pattern_release(&p);
  return 0;
}
