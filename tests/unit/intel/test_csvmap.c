/* CSV files and plain lists through a column mapping (intel/csvmap.h): mappings read and written
 * back, RFC 4180 quoting, headers, comments, times, and errors naming the line; and the scores'
 * arithmetic (intel/feed.h): reliability, independent sources, sightings, MISP's decay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/csvmap.h"
#include "intel/feed.h"
#include "testdata.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void test_mapping(void **state)
{
  (void)state;
  static const struct {
    const char *in, *out;
  } ok[] = {
      {"value=2,type=ip,first_seen=1,comment=4,header",
       "value=2,type=ipv4,first_seen=1,comment=4,header"},
      {"list", "list,type=auto"},
      {"list,type=domain", "list,type=domain"},
      {" value=1 , type_column=3,delimiter=tab", "value=1,type=auto,type_column=3,delimiter=tab"},
      {"value=2,last_seen=3,tlp=5,delimiter=semicolon",
       "value=2,type=auto,last_seen=3,tlp=5,delimiter=semicolon"},
  };
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    struct intel_csv_map m, again;
    struct fs_err err;
    if (intel_csv_map_parse(ok[i].in, &m, &err))
      fail_msg("%s: %s: %s", ok[i].in, err.where, err.msg);
    char text[INTEL_CSV_MAP_MAX];
    intel_csv_map_format(&m, text, sizeof(text));
    assert_string_equal(text, ok[i].out);
    assert_int_equal(intel_csv_map_parse(text, &again, NULL), FS_OK);
    assert_memory_equal(&m, &again, sizeof(m));
  }
  static const struct {
    const char *in, *where;
  } bad[] = {
      {"type=ip", "value"},
      {"value=0", "value"},
      {"value=65", "value"},
      {"value=x", "value"},
      {"value=1,value=2", "value"},
      {"value=1,type=phone", "type"},
      {"value=1,colour=3", "colour"},
      {"list,header", "list"},
      {"value=1,delimiter=space", "delimiter"},
      {"header=1", "header"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct intel_csv_map m;
    struct fs_err err;
    if (!intel_csv_map_parse(bad[i].in, &m, &err))
      fail_msg("mapping \"%s\" accepted", bad[i].in);
    assert_string_equal(err.where, bad[i].where);
  }
}

struct rows {
  char text[4096];
  size_t n;
};

static int take(const struct intel_csv_row *r, void *ctx)
{
  struct rows *rows = ctx;
  size_t used = strlen(rows->text);
  snprintf(rows->text + used, sizeof(rows->text) - used, "%zu|%s|%s|%s|%lld|%d|%s\n", r->line,
           r->value ? r->value : "-", r->kind ? r->kind : "-", r->comment ? r->comment : "-",
           (long long)r->first_seen_ms, (int)r->tlp, r->problem ? "problem" : "");
  rows->n++;
  return 0;
}

static void test_read(void **state)
{
  (void)state;
  char path[1024];
  test_fixture_path(path, sizeof(path), "feeds/indicators.csv");
  struct fs_buf b;
  test_read_file(path, &b);
  struct intel_csv_map m;
  assert_int_equal(
      intel_csv_map_parse("value=2,type_column=3,first_seen=1,comment=4,tlp=5,header", &m, NULL),
      FS_OK);
  struct rows rows = {"", 0};
  struct fs_err err;
  assert_int_equal(intel_csv_read(b.data, b.len, &m, take, &rows, &err), FS_OK);
  assert_int_equal(rows.n, 7);
  assert_string_equal(
      rows.text,
      "3|45.77.12.9|ip-dst|C2, also in the MISP feed|1795564800000|2|\n"
      "4|hxxp://evil-bank-login[.]com/login.php|url|defanged as published|1795588200000|2|\n"
      "5|cdn-evil-bank.net|domain||1795564800000|3|\n"
      "6|8.8.8.8|ip-dst|a public resolver: on a warninglist|1795564800000|2|\n"
      "7|not-an-address|ip-dst|refused: not an IP|1795564800000|2|\n"
      "8|evil.exe|E008C0858B281A168865A40B2653607B|filename|md5|quoted \"composite\" "
      "value|1795564800000|1|\n"
      "9|some text|text|not an indicator type|1795564800000|2|\n");
  fs_buf_release(&b);

  test_fixture_path(path, sizeof(path), "feeds/blocklist.txt");
  test_read_file(path, &b);
  assert_int_equal(intel_csv_map_parse("list", &m, NULL), FS_OK);
  struct rows list = {"", 0};
  assert_int_equal(intel_csv_read(b.data, b.len, &m, take, &list, &err), FS_OK);
  assert_string_equal(
      list.text, "2|185.220.101.4|-|-|0|0|\n"
                 "3|2001:DB8::1|-|-|0|0|\n"
                 "4|Bad-Domain.Example.ORG.|-|-|0|0|\n"
                 "5|http://198.51.100.20/x|-|-|0|0|\n"
                 "7|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855|-|-|0|0|\n");
  fs_buf_release(&b);

  /* Errors name the line; a short row is a row with a problem. */
  assert_int_equal(intel_csv_map_parse("value=3", &m, NULL), FS_OK);
  struct rows r = {"", 0};
  const char *short_rows = "a,b,c\r\nx,y\r\n";
  assert_int_equal(intel_csv_read(short_rows, strlen(short_rows), &m, take, &r, &err), FS_OK);
  assert_string_equal(r.text, "1|c|-|-|0|0|\n2|-|-|-|0|0|problem\n");
  const char *open_quote = "1,2,3\n4,\"5,6\n";
  assert_int_equal(intel_csv_read(open_quote, strlen(open_quote), &m, take, &r, &err),
                   FS_ERR_PARSE);
  assert_string_equal(err.where, "line 2");
  char wide[400];
  size_t o = 0;
  for (int i = 0; i < 70; i++)
    o += (size_t)snprintf(wide + o, sizeof(wide) - o, "%d,", i);
  assert_int_equal(intel_csv_read(wide, strlen(wide), &m, take, &r, &err), FS_ERR_PARSE);
  assert_string_equal(err.where, "line 1");
}

static void test_scores(void **state)
{
  (void)state;
  /* One source: its reliability; several: independent chances; sightings add a fifth each. */
  assert_int_equal(intel_score_base("A", 1, 0), 90);
  assert_int_equal(intel_score_base("C", 1, 0), 60);
  assert_int_equal(intel_score_base("F", 1, 0), 50);
  assert_int_equal(intel_score_base("CC", 2, 0), 84);
  assert_int_equal(intel_score_base("BD", 2, 0), 85);
  assert_int_equal(intel_score_base("C", 1, 1), 68);
  assert_int_equal(intel_score_base("", 0, 30), 89); /* sightings count up to ten */
  /* MISP's polynomial decay: base * (1 - (t / lifetime)^(1 / speed)) */
  struct intel_decay d;
  assert_int_equal(intel_decay_parse("30,1", "k", &d, NULL), FS_OK);
  assert_int_equal(d.lifetime_ms, 30 * 86400000LL);
  int64_t day = 86400000LL, t0 = 1795478400000LL;
  assert_int_equal(intel_score_decayed(&d, 60, t0, t0), 60);
  assert_int_equal(intel_score_decayed(&d, 60, t0, t0 - day), 60); /* seen after now */
  assert_int_equal(intel_score_decayed(&d, 60, t0, t0 + 15 * day), 30);
  assert_int_equal(intel_score_decayed(&d, 60, t0, t0 + 30 * day), 0);
  assert_int_equal(intel_decay_parse("30,2", "k", &d, NULL), FS_OK);
  assert_int_equal(intel_score_decayed(&d, 60, t0, t0 + 15 * day),
                   (int)lround(60 * (1 - sqrt(0.5))));
  assert_int_equal(intel_decay_parse("30,0.5", "k", &d, NULL), FS_OK);
  assert_int_equal(intel_score_decayed(&d, 60, t0, t0 + 15 * day), 45);
  static const char *bad[] = {"30", "0,1", "30,0", "30,11", "x,1", "30,1x", "", "36501,1"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct fs_err err;
    if (!intel_decay_parse(bad[i], "[score] decay_ip", &d, &err))
      fail_msg("decay \"%s\" accepted", bad[i]);
    assert_string_equal(err.where, "[score] decay_ip");
  }
  struct intel_score_settings s;
  intel_score_defaults(&s);
  assert_int_equal(s.threshold, 20);
  assert_int_equal(s.decay[INTEL_FAMILY_HASH].lifetime_ms, 365 * day);
  assert_int_equal(intel_obs_family_of(INTEL_OBS_IPV6), INTEL_FAMILY_IP);
  assert_int_equal(intel_obs_family_of(INTEL_OBS_SHA512), INTEL_FAMILY_HASH);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mapping),
      cmocka_unit_test(test_read),
      cmocka_unit_test(test_scores),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
