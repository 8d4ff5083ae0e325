/* Fuzz target: the expression language of requirement sets and scoring policies, with every
 * name bound to a value that depends on the name (numbers, strings, booleans, null). */
#include "resilience/expr.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lookup(void *ctx, const char *name, size_t len, struct expr_value *out)
{
  (void)ctx;
  memset(out, 0, sizeof(*out));
  switch (len % 4) {
  case 0:
    out->kind = EXPR_NUM;
    out->num = (double)(unsigned char)name[0] - 64;
    break;
  case 1:
    out->kind = EXPR_BOOL;
    out->b = name[0] & 1;
    break;
  case 2:
    out->kind = EXPR_STR;
    memcpy(out->str, name, len < sizeof(out->str) ? len : sizeof(out->str) - 1);
    break;
  default:
    break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct fs_err err;
  struct expr_value v;
  if (!expr_eval((const char *)data, size, lookup, NULL, &v, &err)) {
    expr_truthy(&v);
    expr_number(&v);
  }
  expr_eval((const char *)data, size, NULL, NULL, &v, &err);
  return 0;
}
