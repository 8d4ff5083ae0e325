/* Unit tests of core/: times, buffers, arenas, encodings, UUIDs, JSON readers, configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/cursor.h"
#include "core/encode.h"
#include "core/jsonx.h"
#include "core/mem.h"
#include "core/net.h"
#include "core/thread.h"
#include "core/time.h"
#include "core/uuid.h"
#include "core/vec.h"

#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_time_roundtrip(void **state)
{
  (void)state;
  static const struct {
    const char *in;
    int64_t ms;
    const char *out;
  } cases[] = {
      {"1970-01-01T00:00:00Z", 0, "1970-01-01T00:00:00.000Z"},
      {"2026-11-27T20:22:25.123Z", 1795810945123LL, "2026-11-27T20:22:25.123Z"},
      {"2026-11-28T04:22:25.123+08:00", 1795810945123LL, "2026-11-27T20:22:25.123Z"},
      {"2024-02-29T23:59:59.999999Z", 1709251199999LL, "2024-02-29T23:59:59.999Z"},
      {"1969-12-31T23:59:59.5Z", -500, "1969-12-31T23:59:59.500Z"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int64_t ms;
    struct fs_err err;
    assert_int_equal(fs_time_parse_ms(cases[i].in, strlen(cases[i].in), &ms, &err), 0);
    assert_int_equal(ms, cases[i].ms);
    char out[32];
    fs_time_format_ms(ms, out);
    assert_string_equal(out, cases[i].out);
  }
}

static void test_time_errors(void **state)
{
  (void)state;
  static const struct {
    const char *in;
    const char *where;
  } cases[] = {
      {"2026-13-01T00:00:00Z", "byte 5"},   {"2026-02-29T00:00:00Z", "byte 8"},
      {"2026-01-01 00:00:00Z", "byte 10"},  {"2026-01-01T24:00:00Z", "byte 11"},
      {"2026-01-01T00:00:00", "byte 19"},   {"2026-01-01T00:00:00.Z", "byte 20"},
      {"2026-01-01T00:00:00Zx", "byte 20"}, {"", "byte 0"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int64_t ms;
    struct fs_err err;
    assert_int_equal(fs_time_parse_ms(cases[i].in, strlen(cases[i].in), &ms, &err), FS_ERR_PARSE);
    assert_string_equal(err.where, cases[i].where);
  }
  struct fs_time t;
  struct fs_err err;
  assert_int_equal(fs_time_parse("2026-01-01T00:00:00+01:00", 25, FS_TIME_REQUIRE_Z, &t, &err),
                   FS_ERR_PARSE);
}

static void test_time_stix_fraction(void **state)
{
  (void)state;
  struct fs_time a, b;
  struct fs_err err;
  const char *s = "2016-05-12T08:17:27.000000123Z";
  assert_int_equal(fs_time_parse(s, strlen(s), FS_TIME_REQUIRE_Z, &a, &err), 0);
  assert_int_equal(a.nsec, 123);
  char out[40];
  fs_time_format(&a, out);
  assert_string_equal(out, s);
  assert_int_equal(fs_time_parse("2016-05-12T08:17:27Z", 20, 0, &b, &err), 0);
  assert_true(fs_time_cmp(&b, &a) < 0);
  fs_time_format(&b, out);
  assert_string_equal(out, "2016-05-12T08:17:27Z");
}

static void test_time_local(void **state)
{
  (void)state;
  char out[48];
  fs_time_format_local(1795810945123LL, FS_TIME_TAIPEI_OFFSET_MIN, false, out);
  assert_string_equal(out, "2026-11-28 04:22:25 +08:00");
  fs_time_format_local(1795810945123LL, FS_TIME_TAIPEI_OFFSET_MIN, true, out);
  assert_string_equal(out, "民國115年11月28日 04:22:25");
}

static void test_buf_cap(void **state)
{
  (void)state;
  struct fs_buf b;
  fs_buf_init(&b, 10);
  assert_string_equal(fs_buf_cstr(&b), "");
  assert_int_equal(fs_buf_append_str(&b, "hello"), 0);
  assert_int_equal(fs_buf_appendf(&b, "%d", 12345), 0);
  assert_string_equal(fs_buf_cstr(&b), "hello12345");
  assert_int_equal(fs_buf_append_char(&b, 'x'), FS_ERR_TOO_LARGE);
  assert_string_equal(fs_buf_cstr(&b), "hello12345");
  size_t len;
  char *p = fs_buf_detach(&b, &len);
  assert_int_equal(len, 10);
  free(p);
  fs_buf_init(&b, 0);
  for (int i = 0; i < 1000; i++)
    assert_int_equal(fs_buf_appendf(&b, "%0300d", i), 0);
  assert_int_equal(b.len, 300000);
  fs_buf_release(&b);
}

/* The VmFlags line of the mapping holding p in /proc/self/smaps ("" when not found). */
static void vm_flags_of(const void *p, char *out, size_t n)
{
  out[0] = '\0';
  FILE *f = fopen("/proc/self/smaps", "r");
  if (!f)
    return;
  char line[512];
  bool inside = false;
  uintptr_t a = (uintptr_t)p;
  while (fgets(line, sizeof(line), f)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
      inside = a >= lo && a < hi;
    else if (inside && !strncmp(line, "VmFlags:", 8)) {
      snprintf(out, n, "%s", line + 8);
      break;
    }
  }
  fclose(f);
}

/* A big buffer asks for huge pages over its 2 MiB-aligned part; a range without one is left
 * alone; either way the memory works as before. */
static void test_huge_page_hint(void **state)
{
  (void)state;
  size_t n = FS_MEM_HUGE_MIN + 1;
  char *big = malloc(n);
  assert_non_null(big);
  fs_mem_prefer_huge_pages(big, n);
  memset(big, 'x', n);
  char flags[256];
  uintptr_t mid = ((uintptr_t)big + ((uintptr_t)4 << 20)) & ~(((uintptr_t)2 << 20) - 1);
  vm_flags_of((void *)mid, flags, sizeof(flags));
  FILE *thp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (thp) { /* where the kernel has THP, the hint shows as "hg" on the mapping */
    fclose(thp);
    assert_non_null(strstr(flags, " hg"));
  }
  free(big);
  /* A range holding no aligned 2 MiB: no call reaches the kernel (a madvise on the stack's
   * mapping would mark it, and this test would see "hg" there). */
  char small[64];
  fs_mem_prefer_huge_pages(small, sizeof(small));
  fs_mem_prefer_huge_pages(NULL, 0);
  vm_flags_of(small, flags, sizeof(flags));
  assert_null(strstr(flags, " hg"));
}

static void test_arena(void **state)
{
  (void)state;
  struct fs_arena a;
  fs_arena_init(&a, 128, 4096);
  char *s = fs_arena_strdup(&a, "abc");
  assert_string_equal(s, "abc");
  assert_non_null(fs_arena_alloc(&a, 1000));
  assert_string_equal(s, "abc");
  assert_null(fs_arena_alloc(&a, 5000));
  assert_int_equal((uintptr_t)fs_arena_alloc(&a, 3) % 16, 0);
  fs_arena_release(&a);
}

static void test_encodings(void **state)
{
  (void)state;
  char hex[65];
  fs_sha256_hex("abc", 3, hex);
  assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  uint8_t bytes[2];
  assert_int_equal(fs_hex_decode("aBff", 4, bytes, 2), 0);
  assert_int_equal(bytes[0], 0xab);
  assert_int_equal(fs_hex_decode("zz", 2, bytes, 1), FS_ERR_PARSE);
  char b64[16];
  fs_b64url_encode("\xfb\xff", 2, b64);
  assert_string_equal(b64, "-_8");
}

static void test_utf8(void **state)
{
  (void)state;
  /* \uXXXX digits and code points written back as UTF-8, checked with fs_utf8_len */
  unsigned cp;
  assert_int_equal(fs_hex4_decode("00e9", &cp), FS_OK);
  assert_int_equal(cp, 0xe9);
  assert_int_equal(fs_hex4_decode("D83D", &cp), FS_OK);
  assert_int_equal(cp, 0xd83d);
  assert_int_equal(fs_hex4_decode("12g4", &cp), FS_ERR_PARSE);
  static const unsigned cps[] = {0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff};
  static const size_t lens[] = {1, 1, 2, 2, 3, 3, 4, 4};
  for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
    char enc[4];
    assert_int_equal(fs_utf8_encode(enc, cps[i]), lens[i]);
    assert_int_equal(fs_utf8_len((const unsigned char *)enc, lens[i]), lens[i]);
  }
  char e_acute[4];
  assert_int_equal(fs_utf8_encode(e_acute, 0xe9), 2);
  assert_memory_equal(e_acute, "\xc3\xa9", 2);
  assert_int_equal(fs_utf8_len((const unsigned char *)"a", 1), 1);
  assert_int_equal(fs_utf8_len((const unsigned char *)"\xe4\xb8\xad", 3), 3);
  assert_int_equal(fs_utf8_len((const unsigned char *)"\xe4\xb8", 2), 0);         /* cut short */
  assert_int_equal(fs_utf8_len((const unsigned char *)"\xc0\xaf", 2), 0);         /* overlong */
  assert_int_equal(fs_utf8_len((const unsigned char *)"\xed\xa0\x80", 3), 0);     /* surrogate */
  assert_int_equal(fs_utf8_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 0); /* > U+10FFFF */
  char s[32] = "ok \xff\x01\t\xe4\xb8\xad\x7f end \xe4\xb8";
  size_t n = fs_utf8_scrub(s, strlen(s));
  assert_string_equal(s, "ok ? \t\xe4\xb8\xad  end ");
  assert_int_equal(n, strlen(s));
  char empty[1] = "";
  assert_int_equal(fs_utf8_scrub(empty, 0), 0);
}

static void test_uuid(void **state)
{
  (void)state;
  char u[37];
  fs_uuid_v4(u);
  assert_true(fs_uuid_is_rfc4122(u, strlen(u)));
  assert_int_equal(u[14], '4');
  /* STIX 2.1 section 2.9: ipv4-addr 198.51.100.3 in the STIX SCO namespace. */
  const char *ns = "00abedb4-aa42-466c-9c01-fed23315a9b7";
  const char *name = "{\"value\":\"198.51.100.3\"}";
  assert_int_equal(fs_uuid_v5(ns, name, strlen(name), u), 0);
  assert_true(fs_uuid_is_rfc4122(u, strlen(u)));
  assert_int_equal(u[14], '5');
  assert_false(fs_uuid_is_rfc4122("00000000-0000-0000-0000-000000000000", 36));
  assert_false(fs_uuid_is_rfc4122("not-a-uuid", 10));
}

static void test_jsonx(void **state)
{
  (void)state;
  json_t *o;
  struct fs_err err;
  const char *bad = "{\"a\":1,\n \"a\":2}";
  assert_int_equal(jsonx_parse_object(bad, strlen(bad), &o, &err), FS_ERR_PARSE);
  assert_non_null(strstr(err.where, "line 2"));
  const char *txt = "{\"name\":\"x\",\"n\":7,\"kind\":\"b\",\"extra\":true}";
  assert_int_equal(jsonx_parse_object(txt, strlen(txt), &o, &err), 0);
  static const char *const allowed[] = {"name", "n", "kind", NULL};
  assert_int_equal(jsonx_only_keys(o, allowed, "$", &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "$.extra");
  const char *s;
  assert_int_equal(jsonx_string(o, "name", JSONX_REQUIRED, 10, &s, &err), 0);
  assert_string_equal(s, "x");
  assert_int_equal(jsonx_string(o, "missing", JSONX_REQUIRED, 10, &s, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "$.missing");
  int64_t n;
  assert_int_equal(jsonx_int(o, "n", 0, 0, 5, &n, NULL, &err), FS_ERR_INVALID);
  assert_int_equal(jsonx_string(o, "n", 0, 10, &s, &err), FS_ERR_INVALID);
  static const char *const kinds[] = {"a", "b", NULL};
  int k;
  assert_int_equal(jsonx_enum(o, "kind", 0, kinds, &k, &err), 0);
  assert_int_equal(k, 1);
  json_decref(o);
  const char *ctl = "{\"name\":\"a\\u0001b\"}";
  assert_int_equal(jsonx_parse_object(ctl, strlen(ctl), &o, &err), 0);
  assert_int_equal(jsonx_string(o, "name", 0, 10, &s, &err), FS_ERR_INVALID);
  json_decref(o);
}

static void test_config(void **state)
{
  (void)state;
  struct fs_config c;
  struct fs_err err;
  fs_config_defaults(&c);
  assert_string_equal(c.listen, "127.0.0.1:8443");
  assert_string_equal(c.data_dir, "./var");
  assert_int_equal(c.http_threads, 4);
  assert_int_equal(fs_config_validate(&c, &err), 0);
  const char *ini = "[http]\nthreads = 8\n\n[store]\nsynchronous = normal\n";
  assert_int_equal(fs_config_load_string(&c, ini, strlen(ini), "t.ini", &err), 0);
  assert_int_equal(c.http_threads, 8);
  assert_string_equal(c.synchronous, "normal");
  const char *bad = "[http]\nthreads = 8\nthreads = lots\n";
  assert_int_equal(fs_config_load_string(&c, bad, strlen(bad), "t.ini", &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "t.ini:3");
  const char *unknown = "[http]\ncolour = red\n";
  assert_int_equal(fs_config_load_string(&c, unknown, strlen(unknown), "t.ini", &err),
                   FS_ERR_INVALID);
  assert_non_null(strstr(err.msg, "colour"));
  assert_int_equal(fs_config_set_override(&c, "http.listen=0.0.0.0:8443", &err), 0);
  assert_int_equal(fs_config_validate(&c, &err), FS_ERR_INVALID);
  assert_non_null(strstr(err.msg, "loopback"));
  assert_int_equal(fs_config_set_override(&c, "http.tls_cert=c.pem", &err), 0);
  assert_int_equal(fs_config_set_override(&c, "http.tls_key=k.pem", &err), 0);
  assert_int_equal(fs_config_validate(&c, &err), 0);
  assert_int_equal(fs_config_set_override(&c, "store.synchronous=sometimes", &err), FS_ERR_INVALID);
  /* The memory for bodies in flight holds at least one largest body. */
  assert_int_equal(fs_config_set_override(&c, "taxii.max_content_length=1073741824", &err), 0);
  assert_int_equal(fs_config_validate(&c, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "[http] body_memory_bytes");
  assert_int_equal(fs_config_set_override(&c, "http.body_memory_bytes=1073741824", &err), 0);
  assert_int_equal(fs_config_validate(&c, &err), 0);
}

/* docs/config.md documents every key of the table, and nothing else. */
static void test_config_documented(void **state)
{
  (void)state;
  FILE *f = fopen("docs/config.md", "r");
  assert_non_null(f);
  static char doc[65536];
  size_t n = fread(doc, 1, sizeof(doc) - 1, f);
  fclose(f);
  doc[n] = '\0';
  const struct fs_config_key *keys;
  size_t count = fs_config_keys(&keys);
  for (size_t i = 0; i < count; i++) {
    char needle[96];
    snprintf(needle, sizeof(needle), "| `%s.%s` |", keys[i].section, keys[i].name);
    if (!strstr(doc, needle))
      fail_msg("docs/config.md does not document %s", needle);
  }
}

static void test_hostport(void **state)
{
  (void)state;
  char host[64];
  uint16_t port;
  struct fs_err err;
  assert_int_equal(fs_hostport_parse("[::1]:8443", host, sizeof(host), &port, &err), 0);
  assert_string_equal(host, "::1");
  assert_int_equal(port, 8443);
  assert_true(fs_host_is_loopback(host));
  assert_int_equal(fs_hostport_parse("127.0.0.9:1", host, sizeof(host), &port, &err), 0);
  assert_true(fs_host_is_loopback(host));
  assert_false(fs_host_is_loopback("10.0.0.1"));
  assert_int_not_equal(fs_hostport_parse("::1:80", host, sizeof(host), &port, &err), 0);
  assert_int_not_equal(fs_hostport_parse("1.2.3.4:65536", host, sizeof(host), &port, &err), 0);
  assert_int_not_equal(fs_hostport_parse("1.2.3.4", host, sizeof(host), &port, &err), 0);
}

/* Limits count an IPv6 client by its /64 (it may change address within it at will). */
static void test_client_key(void **state)
{
  (void)state;
  char key[FS_CLIENT_KEY_MAX], other[FS_CLIENT_KEY_MAX];
  fs_client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", key);
  assert_string_equal(key, "2001:db8:1:2::/64");
  fs_client_key("2001:db8:1:2::1", other);
  assert_string_equal(key, other);
  fs_client_key("2001:db8:1:3::1", other);
  assert_string_not_equal(key, other);
  fs_client_key("::ffff:192.0.2.7", key);
  assert_string_equal(key, "192.0.2.7");
  fs_client_key("192.0.2.7", key);
  assert_string_equal(key, "192.0.2.7");
  fs_client_key("::1", key);
  assert_string_equal(key, "::/64");
  fs_client_key("not an address", key);
  assert_string_equal(key, "not an address");
}

static void *report_mask(void *arg)
{
  sigset_t *mask = arg;
  pthread_sigmask(SIG_SETMASK, NULL, mask);
  return NULL;
}

/* A library thread blocks every signal; the caller's mask is as it was. */
static void test_thread_start(void **state)
{
  (void)state;
  sigset_t before, after, in_thread;
  pthread_sigmask(SIG_SETMASK, NULL, &before);
  assert_int_equal(sigismember(&before, SIGTERM), 0);
  pthread_t t;
  assert_int_equal(fs_thread_start(&t, report_mask, &in_thread), 0);
  pthread_join(t, NULL);
  assert_int_equal(sigismember(&in_thread, SIGTERM), 1);
  assert_int_equal(sigismember(&in_thread, SIGINT), 1);
  pthread_sigmask(SIG_SETMASK, NULL, &after);
  assert_int_equal(sigismember(&after, SIGTERM), 0);
}

/* A growing array keeps its elements, doubles from the first capacity, and refuses a size that
 * would overflow without touching the array. */
static void test_vec_grow(void **state)
{
  (void)state;
  struct pair {
    int a;
    char b[12];
  } *v = NULL;
  size_t n = 0, cap = 0;
  for (int i = 0; i < 1000; i++) {
    assert_int_equal(FS_VEC_GROW(v, n, cap, 4), FS_OK);
    assert_true(n < cap);
    v[n].a = i;
    snprintf(v[n].b, sizeof(v[n].b), "%d", i);
    n++;
  }
  assert_int_equal(cap, 1024); /* 4, 8, ..., 1024 */
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(v[i].a, (int)i);
    assert_int_equal(atoi(v[i].b), (int)i);
  }
  assert_int_equal(FS_VEC_GROW(v, 10, cap, 4), FS_OK); /* room already: nothing changes */
  assert_int_equal(cap, 1024);
  struct pair *before = v;
  size_t huge = SIZE_MAX / sizeof(*v) / 2 + 1, hcap = huge;
  assert_int_equal(FS_VEC_GROW(v, huge, hcap, 4), FS_ERR_NOMEM);
  assert_ptr_equal(v, before);
  assert_int_equal(hcap, huge);
  free(v);
  char(*ids)[37] = NULL; /* arrays of fixed-size strings, as the SOC keeps them */
  size_t nid = 0, idcap = 0;
  assert_int_equal(FS_VEC_GROW(ids, nid, idcap, 0), FS_OK);
  assert_int_equal(idcap, 1);
  snprintf(ids[nid++], 37, "%s", "0b0b0b0b-0000-4000-8000-000000000000");
  assert_int_equal(FS_VEC_GROW(ids, nid, idcap, 0), FS_OK);
  assert_int_equal(idcap, 2);
  assert_string_equal(ids[0], "0b0b0b0b-0000-4000-8000-000000000000");
  free(ids);
}

/* A sealed cursor opens to what was sealed, tells nothing in its text, and refuses another key,
 * an altered character and anything else. */
static void test_cursor(void **state)
{
  (void)state;
  uint8_t key[FS_CURSOR_KEYBYTES], other[FS_CURSOR_KEYBYTES];
  memset(key, 7, sizeof(key));
  memset(other, 8, sizeof(other));
  uint64_t ctx = fs_cursor_context("alerts\x1fioc\x1f", 12);
  assert_int_not_equal(ctx, fs_cursor_context("alerts\x1fsigma\x1f", 14));
  struct fs_cursor c = {1700000000123456LL, 42, ctx}, d;
  char a[FS_CURSOR_LEN + 1], b[FS_CURSOR_LEN + 1];
  fs_cursor_seal(&c, key, a);
  fs_cursor_seal(&c, key, b);
  assert_int_equal(strlen(a), FS_CURSOR_LEN);
  assert_string_not_equal(a, b); /* one place, two different cursors */
  /* Sealed: neither number of the position is in the cursor's bytes (as it is kept, big-endian). */
  unsigned char raw[FS_CURSOR_LEN], when[8], row[8];
  size_t rawn = 0;
  assert_int_equal(sodium_base642bin(raw, sizeof(raw), a, strlen(a), NULL, &rawn, NULL,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                   0);
  for (int i = 0; i < 8; i++) {
    when[i] = (unsigned char)((uint64_t)c.a >> (56 - 8 * i));
    row[i] = (unsigned char)((uint64_t)c.b >> (56 - 8 * i));
  }
  for (size_t i = 0; i + 8 <= rawn; i++)
    assert_true(memcmp(raw + i, when, 8) && memcmp(raw + i, row, 8));
  struct fs_err err;
  assert_int_equal(fs_cursor_open(b, strlen(b), key, "after", &d, &err), FS_OK);
  assert_true(d.a == c.a && d.b == c.b && d.context == ctx);
  assert_int_equal(fs_cursor_open(a, strlen(a), other, "after", &d, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "after");
  a[40] = a[40] == 'A' ? 'B' : 'A';
  assert_int_equal(fs_cursor_open(a, strlen(a), key, "after", &d, &err), FS_ERR_INVALID);
  assert_int_equal(fs_cursor_open("12", 2, key, "after", &d, &err), FS_ERR_INVALID);
  assert_int_equal(fs_cursor_open("", 0, key, "after", &d, &err), FS_ERR_INVALID);
}

int main(void)
{
  fs_crypto_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_time_roundtrip),
      cmocka_unit_test(test_time_errors),
      cmocka_unit_test(test_thread_start),
      cmocka_unit_test(test_time_stix_fraction),
      cmocka_unit_test(test_time_local),
      cmocka_unit_test(test_buf_cap),
      cmocka_unit_test(test_huge_page_hint),
      cmocka_unit_test(test_arena),
      cmocka_unit_test(test_vec_grow),
      cmocka_unit_test(test_encodings),
      cmocka_unit_test(test_utf8),
      cmocka_unit_test(test_uuid),
      cmocka_unit_test(test_jsonx),
      cmocka_unit_test(test_config),
      cmocka_unit_test(test_config_documented),
      cmocka_unit_test(test_hostport),
      cmocka_unit_test(test_client_key),
      cmocka_unit_test(test_cursor),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
