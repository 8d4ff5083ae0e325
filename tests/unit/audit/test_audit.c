/* The audit chain: appended in the change's transaction; alteration, removal, reordering and
 * truncation are each detected and named; records are keyed with the hub's key, and heads are
 * signed and checked with the public key alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "core/encode.h"
#include "hubfixture.h"

#define AUDIT_TEST_ZEROS "0000000000000000000000000000000000000000000000000000000000000000"

static void append_n(struct hub_fixture *f, int n)
{
  struct fs_err err;
  for (int i = 0; i < n; i++) {
    char id[16];
    snprintf(id, sizeof(id), "obj%d", i);
    assert_int_equal(store_begin(f->c, true, &err), 0);
    json_t *d = json_pack("{s:i}", "n", i);
    assert_int_equal(audit_append(f->c, &f->op, "test.change", "thing", id, d, &err), 0);
    json_decref(d);
    assert_int_equal(store_commit(f->c, &err), 0);
  }
}

static struct audit_report verify(struct hub_fixture *f, const char *head)
{
  struct audit_report r;
  struct fs_err err;
  assert_int_equal(audit_verify(f->c, head, &r, &err), 0);
  return r;
}

static void sql(struct hub_fixture *f, const char *q)
{
  struct fs_err err;
  assert_int_equal(store_exec(f->c, NULL, &err, q, ""), 0);
}

static int64_t base_seq(struct hub_fixture *f)
{
  int64_t n;
  struct fs_err err;
  assert_int_equal(store_query_int(f->c, &n, NULL, &err, "SELECT MAX(seq) FROM audit_log", ""), 0);
  return n;
}

static void test_outside_tx_refused(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  struct fs_err err;
  assert_int_equal(audit_append(f.c, &f.op, "x", "y", NULL, NULL, &err), FS_ERR_INTERNAL);
  hub_fixture_close(&f);
}

static void test_intact_and_rollback(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  int64_t b = base_seq(&f);
  append_n(&f, 5);
  /* A record in a rolled-back transaction never existed. */
  struct fs_err err;
  assert_int_equal(store_begin(f.c, true, &err), 0);
  assert_int_equal(audit_append(f.c, &f.op, "lost", "thing", "z", NULL, &err), 0);
  store_rollback(f.c);
  struct audit_report r = verify(&f, NULL);
  assert_int_equal(r.kind, AUDIT_INTACT);
  assert_int_equal(r.checked, b + 5);
  assert_int_equal(r.head_seq, b + 5);
  hub_fixture_close(&f);
}

static void test_altered(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  int64_t b = base_seq(&f);
  append_n(&f, 6);
  char q[160];
  snprintf(q, sizeof(q), "UPDATE audit_log SET object_id = 'forged' WHERE seq = %lld",
           (long long)(b + 3));
  sql(&f, q);
  struct audit_report r = verify(&f, NULL);
  assert_int_equal(r.kind, AUDIT_ALTERED);
  assert_int_equal(r.seq, b + 3);
  assert_non_null(strstr(r.message, "altered"));
  /* ... in both languages (#18 item 12) */
  char want[128];
  snprintf(want, sizeof(want), "第 %lld 筆紀錄遭竄改", (long long)(b + 3));
  assert_non_null(strstr(r.message_zh, want));
  hub_fixture_close(&f);
}

static void test_altered_detail(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  int64_t b = base_seq(&f);
  append_n(&f, 4);
  char q[160];
  snprintf(q, sizeof(q), "UPDATE audit_log SET detail = '{\"n\":99}' WHERE seq = %lld",
           (long long)(b + 2));
  sql(&f, q);
  struct audit_report r = verify(&f, NULL);
  assert_int_equal(r.kind, AUDIT_ALTERED);
  assert_int_equal(r.seq, b + 2);
  hub_fixture_close(&f);
}

static void test_removed(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  int64_t b = base_seq(&f);
  append_n(&f, 6);
  char q[160];
  snprintf(q, sizeof(q), "DELETE FROM audit_log WHERE seq = %lld", (long long)(b + 4));
  sql(&f, q);
  struct audit_report r = verify(&f, NULL);
  assert_int_equal(r.kind, AUDIT_REMOVED);
  assert_int_equal(r.seq, b + 4);
  hub_fixture_close(&f);
}

static void test_reordered(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  int64_t b = base_seq(&f);
  append_n(&f, 6);
  /* Swap records b+2 and b+3 by renumbering them. */
  char q[200];
  snprintf(q, sizeof(q), "UPDATE audit_log SET seq = -1 WHERE seq = %lld", (long long)(b + 2));
  sql(&f, q);
  snprintf(q, sizeof(q), "UPDATE audit_log SET seq = %lld WHERE seq = %lld", (long long)(b + 2),
           (long long)(b + 3));
  sql(&f, q);
  snprintf(q, sizeof(q), "UPDATE audit_log SET seq = %lld WHERE seq = -1", (long long)(b + 3));
  sql(&f, q);
  struct audit_report r = verify(&f, NULL);
  assert_int_equal(r.kind, AUDIT_REORDERED);
  assert_int_equal(r.seq, b + 2);
  hub_fixture_close(&f);
}

static void test_truncated(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  int64_t b = base_seq(&f);
  append_n(&f, 5);
  char head[100];
  struct fs_err err;
  assert_int_equal(audit_head(f.c, head, &err), 0);
  assert_int_equal(verify(&f, head).kind, AUDIT_INTACT);
  char q[160];
  snprintf(q, sizeof(q), "DELETE FROM audit_log WHERE seq > %lld", (long long)(b + 3));
  sql(&f, q);
  /* Without the head kept elsewhere, a cut at the end cannot be seen; with it, it is named. */
  assert_int_equal(verify(&f, NULL).kind, AUDIT_INTACT);
  struct audit_report r = verify(&f, head);
  assert_int_equal(r.kind, AUDIT_TRUNCATED);
  assert_int_equal(r.seq, b + 4);
  hub_fixture_close(&f);
}

static int print_count(const char *line, size_t len, void *ctx)
{
  (*(int *)ctx)++;
  json_t *j = json_loadb(line, len, 0, NULL);
  assert_non_null(j);
  assert_non_null(json_object_get(j, "hash"));
  json_decref(j);
  return 0;
}

static void test_export(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  int64_t b = base_seq(&f);
  append_n(&f, 3);
  int n = 0;
  struct fs_err err;
  assert_int_equal(audit_export(f.c, b, 0, NULL, AUDIT_VIEW_FULL, print_count, &n, &err), 0);
  assert_int_equal(n, 3);
  n = 0;
  assert_int_equal(audit_export(f.c, 0, 2, NULL, AUDIT_VIEW_FULL, print_count, &n, &err), 0);
  assert_int_equal(n, 2);
  hub_fixture_close(&f);
}

static void test_keyed_and_signed_head(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  append_n(&f, 3);
  struct fs_err err;
  /* A new hub is keyed from its first record: a record's hash is not the plain SHA-256. */
  assert_int_equal(f.hub.audit.keyed_from, 1);
  struct store_stmt *s;
  assert_int_equal(store_query(f.c, &s, &err,
                               "SELECT prev_hash, at, actor_user, actor_name, actor_org, source,"
                               " action, object_type, object_id, digest, hash FROM audit_log"
                               " ORDER BY seq DESC LIMIT 1",
                               ""),
                   0);
  bool row;
  assert_int_equal(store_step(s, &row, &err), 0);
  assert_true(row);
  char plain[65] = "";
  json_t *a = json_pack("[s,I,s?,s,s?,s,s,s,s?,s]", store_col_text(s, 0),
                        (json_int_t)store_col_int(s, 1), store_col_text(s, 2), store_col_text(s, 3),
                        store_col_text(s, 4), store_col_text(s, 5), store_col_text(s, 6),
                        store_col_text(s, 7), store_col_text(s, 8), store_col_text(s, 9));
  char *text = json_dumps(a, JSON_COMPACT);
  fs_sha256_hex(text, strlen(text), plain);
  assert_string_not_equal(plain, store_col_text(s, 10));
  free(text);
  json_decref(a);
  store_done(s);

  struct audit_signed_head h, back;
  assert_int_equal(audit_head_sign(f.c, 1767225600000, &h, &err), 0);
  char head[100], expect[100];
  assert_int_equal(audit_head(f.c, head, &err), 0);
  snprintf(expect, sizeof(expect), "%lld:%s", (long long)h.seq, h.hash);
  assert_string_equal(head, expect);
  assert_int_equal(strncmp(h.text, head, strlen(head)), 0);
  assert_int_equal(audit_head_check(h.text, f.hub.audit.sign_pk, &back, &err), 0);
  assert_true(back.seq == h.seq && back.keyed_from == 1 && back.at_ms == 1767225600000);
  assert_int_equal(verify(&f, h.text).kind, AUDIT_INTACT);
  /* Altered (another time), another key, not a head at all. */
  char bad[AUDIT_SIGNED_HEAD_MAX];
  snprintf(bad, sizeof(bad), "%s", h.text);
  char *at = strstr(bad, ":1767225600000:");
  assert_non_null(at);
  at[1] = '2';
  assert_int_equal(audit_head_check(bad, f.hub.audit.sign_pk, &back, &err), FS_ERR_CRYPTO);
  struct audit_report r;
  assert_int_equal(audit_verify(f.c, bad, &r, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "--expect-head");
  uint8_t other[32];
  memcpy(other, f.hub.audit.sign_pk, sizeof(other));
  other[0] ^= 1;
  assert_int_not_equal(audit_head_check(h.text, other, &back, &err), FS_OK);
  assert_int_equal(audit_head_check("12:abc", f.hub.audit.sign_pk, &back, &err), FS_ERR_INVALID);
  char hex[65];
  uint8_t pk[32];
  audit_public_key_hex(&f.hub.audit, hex);
  assert_int_equal(audit_public_key_parse(hex, pk, &err), 0);
  assert_memory_equal(pk, f.hub.audit.sign_pk, 32);
  assert_int_equal(audit_public_key_parse("12", pk, &err), FS_ERR_INVALID);
  hub_fixture_close(&f);
}

static void test_keyed_trail_needs_the_key(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  append_n(&f, 2);
  struct fs_err err;
  /* A store opened without the hub's keys may neither add to a keyed trail nor check it. */
  store_set_keyring(f.hub.store, NULL);
  assert_int_equal(store_begin(f.c, true, &err), 0);
  assert_int_equal(audit_append(f.c, &f.op, "x", "y", NULL, NULL, &err), FS_ERR_CRYPTO);
  store_rollback(f.c);
  struct audit_report r;
  assert_int_equal(audit_verify(f.c, NULL, &r, &err), FS_ERR_CRYPTO);
  struct audit_signed_head h;
  assert_int_equal(audit_head_sign(f.c, 1, &h, &err), FS_ERR_CRYPTO);
  store_set_keyring(f.hub.store, &f.hub.audit);
  assert_int_equal(verify(&f, NULL).kind, AUDIT_INTACT);
  /* The database's mark sealed with another key is reported. */
  sql(&f, "UPDATE audit_meta SET value = '1:" AUDIT_TEST_ZEROS "' WHERE name = 'keyed_from'");
  r = verify(&f, NULL);
  assert_int_equal(r.kind, AUDIT_ALTERED);
  assert_non_null(strstr(r.message, "seal"));
  assert_non_null(strstr(r.message_zh, "封印不符"));
  hub_fixture_close(&f);
}

struct lines {
  json_t *items;
};

static int keep_line(const char *line, size_t len, void *ctx)
{
  json_t *j = json_loadb(line, len, 0, NULL);
  assert_non_null(j);
  return json_array_append_new(((struct lines *)ctx)->items, j);
}

static json_t *export_view(struct hub_fixture *f, int64_t after, const char *org, enum audit_view v)
{
  struct lines l = {json_array()};
  struct fs_err err;
  assert_int_equal(audit_export(f->c, after, 0, org, v, keep_line, &l, &err), 0);
  return l.items;
}

static void test_export_redacted(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  int64_t b = base_seq(&f);
  struct fs_err err;
  struct actor who = f.op;
  snprintf(who.source, sizeof(who.source), "http:192.0.2.1");
  who.now_ms = 1767229384567; /* 01:03:04.567 UTC */
  assert_int_equal(store_begin(f.c, true, &err), 0);
  json_t *d = json_pack("{s:s,s:b}", "collection", "submissions", "anonymous", 1);
  assert_int_equal(audit_append(f.c, &who, "intel.ingest", "collection", "c1", d, &err), 0);
  json_decref(d);
  assert_int_equal(audit_append(f.c, &who, "org.create", "org", "o1", NULL, &err), 0);
  assert_int_equal(store_commit(f.c, &err), 0);

  json_t *full = export_view(&f, b, NULL, AUDIT_VIEW_FULL),
         *red = export_view(&f, b, NULL, AUDIT_VIEW_REDACTED);
  assert_int_equal(json_array_size(full), 2);
  assert_int_equal(json_array_size(red), 2);
  json_t *fa = json_array_get(full, 0), *ra = json_array_get(red, 0), *rb = json_array_get(red, 1);
  assert_string_equal(json_string_value(json_object_get(fa, "source")), "http:192.0.2.1");
  assert_string_equal(json_string_value(json_object_get(fa, "at")), "2026-01-01T01:03:04.567Z");
  assert_null(json_object_get(fa, "actor_hidden"));
  assert_true(json_is_true(json_object_get(ra, "actor_hidden")));
  const char *const hidden[] = {"actor_user", "actor_name", "actor_org", "source"};
  for (size_t i = 0; i < 4; i++)
    assert_true(json_is_null(json_object_get(ra, hidden[i])));
  assert_string_equal(json_string_value(json_object_get(ra, "at")), "2026-01-01T01:00:00.000Z");
  /* keyed: the hash and the links stay, the next record is whole */
  assert_string_equal(json_string_value(json_object_get(ra, "hash")),
                      json_string_value(json_object_get(fa, "hash")));
  assert_string_equal(json_string_value(json_object_get(rb, "prev_hash")),
                      json_string_value(json_object_get(ra, "hash")));
  assert_null(json_object_get(rb, "actor_hidden"));
  assert_string_equal(json_string_value(json_object_get(rb, "source")), "http:192.0.2.1");
  json_decref(full);
  json_decref(red);
  /* An organisation filter finds it for the hub, not for the others. */
  full = export_view(&f, b, f.op.org_id, AUDIT_VIEW_FULL);
  red = export_view(&f, b, f.op.org_id, AUDIT_VIEW_REDACTED);
  assert_int_equal(json_array_size(full), 2);
  assert_int_equal(json_array_size(red), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(red, 0), "action")),
                      "org.create");
  json_decref(full);
  json_decref(red);
  /* The record is still checked like any other. */
  assert_int_equal(verify(&f, NULL).kind, AUDIT_INTACT);
  hub_fixture_close(&f);
}

int main(void)
{
  fs_crypto_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_outside_tx_refused),
      cmocka_unit_test(test_intact_and_rollback),
      cmocka_unit_test(test_altered),
      cmocka_unit_test(test_altered_detail),
      cmocka_unit_test(test_removed),
      cmocka_unit_test(test_reordered),
      cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_export),
      cmocka_unit_test(test_keyed_and_signed_head),
      cmocka_unit_test(test_keyed_trail_needs_the_key),
      cmocka_unit_test(test_export_redacted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
