/* Fuzz target: the query-string splitter (core/query.h), the typed readers of http/, and the path
 * check. */
#include "http/query.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const allowed[] = {"limit", "after", "q", NULL};
  static const char *const values[] = {"bank", "securities", NULL};
  struct fs_arena a;
  fs_arena_init(&a, 4096, 1 << 20);
  struct fs_query q;
  struct fs_err err;
  if (fs_query_parse((const char *)data, size, &q, &a, &err) == 0) {
    int64_t n;
    const char *s;
    http_query_only(&q, allowed, &err);
    http_query_int(&q, "limit", 1, 1000, 100, &n, &err);
    http_query_enum(&q, "industry", values, &s, &err);
  }
  fs_path_check((const char *)data, size, &a, &err);
  fs_arena_release(&a);
  return 0;
}
