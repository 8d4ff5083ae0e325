/* Fuzz target: the CSV reader of register imports, and each row's cells converted by every
 * field type of the BCM services register (what an import does before validation). */
#include "resilience/register.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int row(size_t r, char **cells, size_t n, void *ctx, struct fs_err *err)
{
  const struct reg_def *d = ctx;
  for (size_t i = 0; i < n; i++) {
    const struct reg_field *f = &d->fields[i % d->nfields];
    json_t *v;
    if (!reg_value_from_text(f, cells[i], &v, err)) {
      json_t *fields = json_object();
      json_object_set_new(fields, f->name, v);
      reg_validate(d, fields, r % 2 == 0, err);
      json_decref(fields);
    }
  }
  return FS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct fs_err err;
  reg_csv_parse((const char *)data, size, row, (void *)(uintptr_t)reg_find("bcm-services"), &err);
  return 0;
}
