/* The TAXII page cache: hits by collection, generation and query; replacement; eviction by size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "taxii/cache.h"

#include <stdio.h>
#include <string.h>

static void test_hits_and_generations(void **state)
{
  (void)state;
  struct taxii_page_cache *c = taxii_page_cache_new(1 << 20);
  struct taxii_cached_page meta = {"2026-01-01T00:00:00.000001Z", "2026-01-01T00:00:00.000009Z"},
                           got;
  taxii_page_cache_put(c, 1, 7, "objects", "limit=10", "{\"a\":1}", 7, &meta);
  struct fs_buf b;
  fs_buf_init(&b, 0);
  assert_true(taxii_page_cache_get(c, 1, 7, "objects", "limit=10", &b, &got));
  assert_string_equal(fs_buf_cstr(&b), "{\"a\":1}");
  assert_string_equal(got.date_last, meta.date_last);
  fs_buf_reset(&b);
  assert_false(taxii_page_cache_get(c, 1, 8, "objects", "limit=10", &b, &got)); /* changed since */
  assert_false(
      taxii_page_cache_get(c, 2, 7, "objects", "limit=10", &b, &got)); /* other collection */
  assert_false(taxii_page_cache_get(c, 1, 7, "manifest", "limit=10", &b, &got));
  assert_false(taxii_page_cache_get(c, 1, 7, "objects", "limit=11", &b, &got));
  taxii_page_cache_put(c, 1, 7, "objects", "limit=10", "{\"a\":2}", 7, &meta); /* replaces */
  assert_true(taxii_page_cache_get(c, 1, 7, "objects", "limit=10", &b, &got));
  assert_string_equal(fs_buf_cstr(&b), "{\"a\":2}");
  fs_buf_release(&b);
  taxii_page_cache_free(c);
}

static void test_eviction(void **state)
{
  (void)state;
  struct taxii_page_cache *c = taxii_page_cache_new(4096);
  struct taxii_cached_page meta = {"", ""};
  static char page[900];
  memset(page, 'x', sizeof(page));
  char q[32];
  for (int i = 0; i < 20; i++) {
    snprintf(q, sizeof(q), "p=%d", i);
    taxii_page_cache_put(c, 1, 1, "objects", q, page, sizeof(page), &meta);
  }
  struct fs_buf b;
  fs_buf_init(&b, 0);
  struct taxii_cached_page got;
  assert_false(taxii_page_cache_get(c, 1, 1, "objects", "p=0", &b, &got)); /* the oldest went */
  assert_true(taxii_page_cache_get(c, 1, 1, "objects", "p=19", &b, &got));
  assert_int_equal(b.len, sizeof(page));
  /* A page larger than a quarter of the cache is not kept. */
  static char big[2000];
  taxii_page_cache_put(c, 1, 1, "objects", "big", big, sizeof(big), &meta);
  fs_buf_reset(&b);
  assert_false(taxii_page_cache_get(c, 1, 1, "objects", "big", &b, &got));
  fs_buf_release(&b);
  taxii_page_cache_free(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hits_and_generations),
      cmocka_unit_test(test_eviction),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
