/* Unit tests of the pure parts of resilience/: every register definition is well formed (labels
 * in both languages, indexed fields fit the slot columns, enums have values), validation names
 * the field, text conversions, CSV, "as of" dates, and the expression language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "auth/policy.h"
#include "resilience/expr.h"
#include "resilience/register.h"

#include <string.h>

static void test_definitions(void **state)
{
  (void)state;
  size_t n;
  const struct reg_def *const *all = reg_all(&n);
  assert_true(n >= 16);
  for (size_t i = 0; i < n; i++) {
    const struct reg_def *d = all[i];
    assert_ptr_equal(reg_find(d->name), d);
    assert_true(d->label_en && *d->label_en && d->label_zh && *d->label_zh);
    assert_true(d->about_en && d->about_zh);
    size_t keys = 0, ntext = 0, nnum = 0;
    for (size_t k = 0; k < d->nfields; k++) {
      const struct reg_field *f = &d->fields[k];
      assert_true(f->label_en && *f->label_en && f->label_zh && *f->label_zh);
      assert_ptr_equal(reg_field_find(d, f->name), f);
      if (f->type == REG_ENUM)
        assert_non_null(f->values);
      keys += (f->flags & REG_KEY) != 0;
      if ((f->flags & REG_INDEXED) && !(f->flags & REG_DERIVED)) {
        bool num = f->type == REG_INT || f->type == REG_NUMBER || f->type == REG_BOOL;
        num ? nnum++ : ntext++;
      }
      /* A derived field is never part of the key nor required of people. */
      if (f->flags & REG_DERIVED)
        assert_false(f->flags & (REG_KEY | REG_REQUIRED));
    }
    if (keys == 0)
      fail_msg("register %s has no key field", d->name);
    if (ntext > 6 || nnum > 3)
      fail_msg("register %s indexes more fields than there are columns", d->name);
    if (d->default_sort) {
      const char *s = d->default_sort[0] == '-' ? d->default_sort + 1 : d->default_sort;
      const struct reg_field *f = reg_field_find(d, s);
      assert_non_null(f);
      assert_true(f->flags & REG_INDEXED);
    }
    json_t *schema = reg_schema_json(d);
    assert_non_null(schema);
    json_decref(schema);
  }
}

static void test_validation(void **state)
{
  (void)state;
  const struct reg_def *d = reg_find("bcm-services");
  struct fs_err err;
  json_t *f = json_pack("{s:s,s:s,s:f,s:f}", "code", "deposits", "name", "Deposits", "mtpd_hours",
                        4.0, "rto_hours", 2.00049);
  assert_int_equal(reg_validate(d, f, true, &err), FS_OK);
  assert_true(json_number_value(json_object_get(f, "rto_hours")) == 2.0); /* three decimals */
  json_object_set_new(f, "rto_hours", json_real(5));
  assert_int_equal(reg_validate(d, f, true, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "fields.rto_hours");
  json_object_set_new(f, "rto_hours", json_string("2"));
  assert_int_equal(reg_validate(d, f, true, &err), FS_ERR_INVALID);
  assert_string_equal(err.msg, "must be a number"); /* whole in both languages (#18 item 12) */
  assert_string_equal(err.msg_zh, "必須是數字");
  json_object_set_new(f, "rto_hours", json_real(1));
  json_object_set_new(f, "systems", json_pack("[s,s]", "a;b", "c"));
  assert_int_equal(reg_validate(d, f, true, &err), FS_ERR_INVALID);
  assert_string_equal(err.msg_zh, "第 0 項必須是不含 ';'、最多 200 位元組的非空白單行文字");
  json_object_del(f, "systems");
  json_object_set_new(f, "rto_hours", json_real(1));
  json_object_set_new(f, "code", json_string("Not A Code"));
  assert_int_equal(reg_validate(d, f, true, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "fields.code");
  json_object_del(f, "code");
  assert_int_equal(reg_validate(d, f, true, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "fields.code");
  assert_int_equal(reg_validate(d, f, false, &err), FS_OK); /* a change need not repeat it */
  json_object_set_new(f, "systems", json_pack("[s,s]", "a;b", "c"));
  assert_int_equal(reg_validate(d, f, false, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "fields.systems");
  json_decref(f);

  const struct reg_field *sys = reg_field_find(d, "systems");
  json_t *v;
  assert_int_equal(reg_value_from_text(sys, " core ; atm;;web ", &v, &err), FS_OK);
  assert_int_equal(json_array_size(v), 3);
  struct fs_buf b;
  fs_buf_init(&b, 0);
  reg_value_to_text(sys, v, &b);
  assert_string_equal(fs_buf_cstr(&b), "core;atm;web");
  fs_buf_release(&b);
  json_decref(v);
  assert_int_equal(reg_value_from_text(reg_field_find(d, "mtpd_hours"), "4h", &v, &err),
                   FS_ERR_INVALID);
  assert_string_equal(err.where, "fields.mtpd_hours");
}

static void test_dates(void **state)
{
  (void)state;
  assert_true(reg_date_days("2026-02-28") > 0);
  assert_int_equal(reg_date_days("2026-02-29"), -1);
  assert_true(reg_date_days("2028-02-29") > 0);
  assert_int_equal(reg_date_days("2026-13-01"), -1);
  assert_int_equal(reg_date_days("26-01-01"), -1);
  char d[11];
  reg_date_of_ms(1767225600000LL - 8 * 3600000LL, d); /* 2026-01-01T00:00 in Taipei */
  assert_string_equal(d, "2026-01-01");
  int64_t t;
  struct fs_err err;
  assert_int_equal(reg_parse_as_of("2026-01-01", "as_of", &t, &err), FS_OK);
  reg_date_of_ms(t, d);
  assert_string_equal(d, "2026-01-01");
  reg_date_of_ms(t + 1, d);
  assert_string_equal(d, "2026-01-02");
  assert_int_equal(reg_parse_as_of("yesterday", "as_of", &t, &err), FS_ERR_INVALID);
}

struct rows {
  char got[8][4][32];
  size_t n, cells[8];
};

static int row(size_t r, char **cells, size_t n, void *ctx, struct fs_err *err)
{
  struct rows *rs = ctx;
  rs->cells[r] = n;
  for (size_t i = 0; i < n && i < 4; i++)
    snprintf(rs->got[r][i], 32, "%s", cells[i]);
  rs->n = r + 1;
  return FS_OK;
}

static void test_csv(void **state)
{
  (void)state;
  const char *text = "\xEF\xBB\xBF"
                     "a,b,c\r\n\"x, \"\"y\"\"\",\"line\nbreak\",\r\n\r\nlast,,z";
  struct rows rs = {0};
  struct fs_err err;
  assert_int_equal(reg_csv_parse(text, strlen(text), row, &rs, &err), FS_OK);
  assert_int_equal(rs.n, 3);
  assert_string_equal(rs.got[0][0], "a");
  assert_string_equal(rs.got[1][0], "x, \"y\"");
  assert_string_equal(rs.got[1][1], "line\nbreak");
  assert_int_equal(rs.cells[1], 3);
  assert_string_equal(rs.got[2][2], "z");
  assert_int_equal(reg_csv_parse("a,\"open\n", 8, row, &rs, &err), FS_ERR_PARSE);
  assert_string_equal(err.where, "line 1");
  struct fs_buf b;
  fs_buf_init(&b, 0);
  reg_csv_cell(&b, "=cmd()");
  fs_buf_append_char(&b, ',');
  reg_csv_cell(&b, "-3.5");
  fs_buf_append_char(&b, ',');
  reg_csv_cell(&b, "a\"b");
  assert_string_equal(fs_buf_cstr(&b), "\"'=cmd()\",-3.5,\"a\"\"b\"");
  fs_buf_release(&b);
}

static void lookup(void *ctx, const char *name, size_t len, struct expr_value *out)
{
  (void)ctx;
  memset(out, 0, sizeof(*out));
  if (len == 5 && !memcmp(name, "gov.x", 5)) {
    out->kind = EXPR_NUM;
    out->num = 3;
  } else if (len == 5 && !memcmp(name, "gov.b", 5)) {
    out->kind = EXPR_STR;
    snprintf(out->str, sizeof(out->str), "internet-only");
  } else if (len == 5 && !memcmp(name, "gov.t", 5)) {
    out->kind = EXPR_BOOL;
    out->b = true;
  }
}

static double eval(const char *s)
{
  struct expr_value v;
  struct fs_err err;
  assert_int_equal(expr_eval(s, strlen(s), lookup, NULL, &v, &err), FS_OK);
  return expr_number(&v);
}

static void test_expr(void **state)
{
  (void)state;
  assert_true(eval("1 + 2 * 3") == 7);
  assert_true(eval("(1 + 2) * 3") == 9);
  assert_true(eval("-2 * gov.x + 10") == 4);
  assert_true(eval("gov.x >= 3 && gov.t") == 1);
  assert_true(eval("gov.b == \"internet-only\"") == 1);
  assert_true(eval("gov.missing > 0") == 0); /* null compares false */
  assert_true(eval("gov.missing + 1") == 1); /* null is 0 in arithmetic */
  assert_true(eval("!gov.missing") == 1);
  assert_true(eval("gov.missing != 1") == 1); /* ... and differs from a value */
  assert_true(eval("max(1, gov.x, 2) + min(5, 4)") == 7);
  assert_true(eval("if(gov.t, 5, -5)") == 5);
  assert_true(eval("10 / 0") == 0);
  assert_true(eval("1 < 2 || 1 > 2") == 1);
  assert_true(eval("2 <= 2 && 3 != 4") == 1);
  struct expr_value v;
  struct fs_err err;
  assert_int_equal(expr_eval("1 +", 3, lookup, NULL, &v, &err), FS_ERR_PARSE);
  assert_int_equal(expr_eval("foo(1)", 6, lookup, NULL, &v, &err), FS_ERR_PARSE);
  assert_int_equal(expr_eval("a. > 1", 6, NULL, NULL, &v, &err), FS_ERR_PARSE);
  assert_int_equal(expr_eval("1 2", 3, NULL, NULL, &v, &err), FS_ERR_PARSE);
  assert_string_equal(err.where, "byte 2");
  char deep[200];
  memset(deep, '(', sizeof(deep));
  assert_int_equal(expr_eval(deep, sizeof(deep), NULL, NULL, &v, &err), FS_ERR_PARSE);
}

/* The register actions of the one policy, for every role. */
static void test_policy(void **state)
{
  (void)state;
  struct actor a = {.org_id = "A"}, b = {.org_id = "B"}, sup = {.org_id = "S"},
               hub = {.org_id = "H"};
  a.role = AUTH_ROLE_MEMBER_ANALYST;
  b.role = AUTH_ROLE_MEMBER_ADMIN;
  sup.role = AUTH_ROLE_SUPERVISOR;
  hub.role = AUTH_ROLE_HUB_ANALYST;
  struct policy_target rec = {.org_id = "A", .role = -1, .rel = POLICY_REL_REG_HUB_READS};
  assert_true(policy_allows(&a, POLICY_REGISTER_READ, &rec));
  assert_true(policy_allows(&a, POLICY_REGISTER_WRITE, &rec));
  assert_false(policy_allows(&b, POLICY_REGISTER_READ, &rec));
  assert_false(policy_allows(&b, POLICY_REGISTER_WRITE, &rec));
  assert_true(policy_allows(&sup, POLICY_REGISTER_READ, &rec));
  assert_false(policy_allows(&sup, POLICY_REGISTER_WRITE, &rec));
  assert_true(policy_allows(&hub, POLICY_REGISTER_READ, &rec));
  assert_false(policy_allows(&hub, POLICY_REGISTER_WRITE, &rec));
  struct policy_target closed = {.org_id = "A", .role = -1, .rel = 0};
  assert_false(policy_allows(&hub, POLICY_REGISTER_READ, &closed)); /* the definition decides */
  assert_true(policy_allows(&sup, POLICY_REGISTER_READ, &closed));
  struct policy_target findings = {
      .org_id = "A", .role = -1, .rel = POLICY_REL_REG_HUB_READS | POLICY_REL_REG_HUB_WRITES};
  assert_true(policy_allows(&hub, POLICY_REGISTER_WRITE, &findings));
  struct policy_target sanction = {
      .org_id = "A", .role = -1, .rel = POLICY_REL_REG_HUB_WRITES | POLICY_REL_REG_MEMBER_READONLY};
  assert_true(policy_allows(&a, POLICY_REGISTER_READ, &sanction));
  assert_false(policy_allows(&a, POLICY_REGISTER_WRITE, &sanction));
  struct policy_target sector = {.org_id = "H", .role = -1, .rel = POLICY_REL_REG_SECTOR};
  assert_true(policy_allows(&a, POLICY_REGISTER_READ, &sector));
  assert_false(policy_allows(&a, POLICY_REGISTER_WRITE, &sector));
  assert_true(policy_allows(&hub, POLICY_REGISTER_WRITE, &sector));
  struct policy_target any = {.org_id = NULL, .role = -1, .rel = POLICY_REL_REG_HUB_READS};
  assert_false(policy_allows(&a, POLICY_REGISTER_READ_ALL, &any));
  assert_true(policy_allows(&sup, POLICY_REGISTER_READ_ALL, &any));
  assert_true(policy_allows(&hub, POLICY_REGISTER_READ_ALL, &any));
  struct policy_target org_a = {.org_id = "A", .role = -1};
  assert_true(policy_allows(&a, POLICY_SCORE_READ, &org_a));
  assert_false(policy_allows(&b, POLICY_SCORE_READ, &org_a));
  assert_true(policy_allows(&sup, POLICY_SCORE_READ, &org_a));
  assert_false(policy_allows(&a, POLICY_SUPERVISION_READ, &org_a));
  assert_true(policy_allows(&sup, POLICY_SUPERVISION_READ, &org_a));
  assert_true(policy_allows(&hub, POLICY_SUPERVISION_READ, &org_a));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_definitions), cmocka_unit_test(test_validation),
      cmocka_unit_test(test_dates),       cmocka_unit_test(test_csv),
      cmocka_unit_test(test_expr),        cmocka_unit_test(test_policy),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
