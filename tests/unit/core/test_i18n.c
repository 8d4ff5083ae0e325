/* Unit tests of the message catalogue: errors formatted in English and zh-TW (#18 item 12). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/i18n.h"

#include <stdio.h>
#include <string.h>

/* The table is sorted as strcmp orders it (lookups are a binary search) and has no entry twice. */
static void test_catalogue_sorted(void **state)
{
  (void)state;
  const char *en, *zh, *prev = NULL;
  size_t n = 0;
  for (size_t i = 0; fs_msg_entry(i, &en, &zh); i++, n++) {
    if (prev && strcmp(prev, en) >= 0)
      fail_msg("entry %zu \"%s\" is not after \"%s\"", i, en, prev);
    assert_ptr_equal(fs_msg_zh(en), zh);
    assert_true(zh[0] != '\0');
    prev = en;
  }
  assert_true(n > 500);
  assert_null(fs_msg_zh("no such message, surely"));
}

static void test_err_set_both_languages(void **state)
{
  (void)state;
  struct fs_err e;
  fs_err_set(&e, FS_ERR_NOT_FOUND, "$.org", "no organisation \"%.64s\"", "bank-a");
  assert_string_equal(e.msg, "no organisation \"bank-a\"");
  assert_string_equal(e.msg_zh, "沒有機構「bank-a」");
  assert_string_equal(fs_err_msg(&e, true), "沒有機構「bank-a」");
  assert_string_equal(fs_err_msg(&e, false), "no organisation \"bank-a\"");
  /* Numbers of every width, precision from an argument. */
  fs_err_set(&e, FS_ERR_INVALID, "", "%s:%llu: field \"%s\" (column %d): %s", "a.csv", 12ULL,
             "amount", 3, "x");
  assert_string_equal(e.msg_zh, "a.csv:12：欄位「amount」（第 3 欄）：x");
  fs_err_set(&e, FS_ERR_INVALID, "", "\"%.*s\": %s", 3, "abcdef", "x");
  assert_string_equal(e.msg, "\"abc\": x");
  assert_string_equal(e.msg_zh, "「abc」：x");
  fs_err_set(&e, FS_ERR_INVALID, "", "must be between %g and %g", 0.5, 2.0);
  assert_string_equal(e.msg_zh, "必須介於 0.5 與 2 之間");
  /* No format: the code's own words. */
  fs_err_set(&e, FS_ERR_FORBIDDEN, "", NULL);
  assert_string_equal(e.msg, "not permitted");
  assert_string_equal(e.msg_zh, "沒有權限");
  fs_err_clear(&e);
  assert_string_equal(e.msg_zh, "");
  /* An error handed on under another code and place keeps both languages. */
  struct fs_err from, to;
  fs_err_set(&from, FS_ERR_CRYPTO, "a", "must be between %g and %g", 0.5, 2.0);
  assert_int_equal(fs_err_copy(&to, &from, FS_ERR_INVALID, "b"), FS_ERR_INVALID);
  assert_int_equal(to.code, FS_ERR_INVALID);
  assert_string_equal(to.where, "b");
  assert_string_equal(to.msg, "must be between 0.5 and 2");
  assert_string_equal(to.msg_zh, "必須介於 0.5 與 2 之間");
  fs_err_copy(&from, &from, FS_ERR_CORRUPT, NULL);
  assert_string_equal(from.where, "a");
  assert_string_equal(from.msg_zh, "必須介於 0.5 與 2 之間");
  assert_int_equal(fs_err_copy(NULL, &from, FS_ERR_IO, NULL), FS_ERR_IO);
}

static void test_err_set_untranslated(void **state)
{
  (void)state;
  struct fs_err e;
  /* A format the catalogue lacks (a message added after the catalogue): English in both. */
  fs_err_set(&e, FS_ERR_INVALID, "", "no such %s in the catalogue", "phrase");
  assert_string_equal(e.msg, "no such phrase in the catalogue");
  assert_string_equal(e.msg_zh, "");
  assert_string_equal(fs_err_msg(&e, true), "no such phrase in the catalogue");
}

static void test_message_arguments(void **state)
{
  (void)state;
  struct fs_err e, inner;
  /* A plain message given as an argument (helpers' `what`) is translated too. */
  fs_err_set(&e, FS_ERR_INVALID, "$.code", "field \"%s\" must be %s", "code", "a string");
  assert_string_equal(e.msg_zh, "欄位「code」必須是字串");
  fs_err_set(&e, FS_ERR_INVALID, "byte 3", "malformed %s: %s", "query string", "control character");
  assert_string_equal(e.msg_zh, "查詢字串格式錯誤：控制字元");
  /* An inner error's message carried into an outer one keeps its translation. */
  fs_err_set(&inner, FS_ERR_NOT_FOUND, "$.org", "no organisation \"%.64s\"", "bank-z");
  fs_err_set(&e, inner.code, "intel", "%s: %s", inner.where, inner.msg);
  assert_string_equal(e.msg, "$.org: no organisation \"bank-z\"");
  assert_string_equal(e.msg_zh, "$.org：沒有機構「bank-z」");
  /* ... also when the outer error is the inner one (arguments pointing into it). */
  fs_err_set(&e, FS_ERR_PARSE, "", "month out of range");
  fs_err_set(&e, FS_ERR_USAGE, "--at", "not an RFC 3339 time: %s", e.msg);
  assert_string_equal(e.msg, "not an RFC 3339 time: month out of range");
  assert_string_equal(e.msg_zh, "不是 RFC 3339 時間：月份超出範圍");
  assert_string_equal(e.where, "--at");
  /* Words from a table of the message's module (policy.c's verbs) and a call site's object. */
  fs_err_set(&e, FS_ERR_FORBIDDEN, "", "role %s may not %s %s", "member-analyst",
             "manage the tokens of", "this response team");
  assert_string_equal(e.msg_zh, "角色 member-analyst 不得管理權杖：此應變小組");
  /* A quoted argument is a name, even when a message has the same words ("industry"). */
  fs_err_set(&e, FS_ERR_INVALID, "$.industry", "field \"%s\" must be %s", "industry", "a string");
  assert_string_equal(e.msg_zh, "欄位「industry」必須是字串");
  fs_err_set(&e, FS_ERR_INVALID, "", "\"%.40s\" is not a known %s", "cooking", "skill");
  assert_string_equal(e.msg_zh, "「cooking」不是已知的專長");
  /* Data that is no message stays as it is. */
  fs_err_set(&e, FS_ERR_NOT_FOUND, "", "no user \"%.64s\"", "month out of range");
  assert_string_equal(e.msg_zh, "沒有使用者「month out of range」");
}

/* Messages kept outside a struct fs_err, and helpers that take a format of their own. */
static int vset(struct fs_err *e, const char *fmt, ...) FS_PRINTF(2, 3);
static int vset(struct fs_err *e, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = fs_err_vset(e, FS_ERR_INVALID, "here", fmt, ap);
  va_end(ap);
  return rc;
}

static void test_msg_format(void **state)
{
  (void)state;
  char en[64], zh[96];
  fs_msg_format(en, sizeof(en), zh, sizeof(zh), "no organisation \"%.64s\"", "bank-a");
  assert_string_equal(en, "no organisation \"bank-a\"");
  assert_string_equal(zh, "沒有機構「bank-a」");
  assert_string_equal(fs_msg_pick(en, zh, true), zh);
  assert_string_equal(fs_msg_pick(en, zh, false), en);
  assert_string_equal(fs_msg_pick(en, "", true), en);
  /* Without a zh buffer the translation is remembered for a message that takes it as "%s". */
  fs_msg_format(en, sizeof(en), NULL, 0, "user %.64s", "bob");
  struct fs_err e;
  fs_err_set(&e, FS_ERR_FORBIDDEN, "", "role %s may not %s %s", "member-analyst", "manage", en);
  assert_string_equal(e.msg, "role member-analyst may not manage user bob");
  assert_string_equal(e.msg_zh, "角色 member-analyst 不得管理：使用者 bob");
  assert_int_equal(vset(&e, "no user \"%.64s\"", "carol"), FS_ERR_INVALID);
  assert_string_equal(e.where, "here");
  assert_string_equal(e.msg_zh, "沒有使用者「carol」");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_catalogue_sorted),     cmocka_unit_test(test_err_set_both_languages),
      cmocka_unit_test(test_err_set_untranslated), cmocka_unit_test(test_message_arguments),
      cmocka_unit_test(test_msg_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
