/* Unit tests of the event parsers (RFC 5424, RFC 3164, CEF, JSON, key=value, auto) and the
 * RFC 6587 framing decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "detect/event.h"
#include "detect/framing.h"

#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct detect_event *ev;

static int setup(void **state)
{
  (void)state;
  ev = malloc(sizeof(*ev));
  return ev ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  free(ev);
  return 0;
}

/* "name=value" of the first field called name, or NULL. */
static const char *field(const char *name)
{
  static char buf[4096];
  const struct detect_field *f = detect_event_find(ev, name, strlen(name));
  if (!f)
    return NULL;
  snprintf(buf, sizeof(buf), "%.*s", (int)f->value_len, f->value);
  return buf;
}

#define ASSERT_FIELD(name, want)                                                                   \
  do {                                                                                             \
    const char *got_ = field(name);                                                                \
    if (!got_)                                                                                     \
      fail_msg("field %s missing", name);                                                          \
    assert_string_equal(got_, want);                                                               \
  } while (0)

static int parse(enum detect_format fmt, const char *s, struct fs_err *err)
{
  return detect_parse_record(fmt, s, strlen(s), ev, err);
}

static void test_rfc5424(void **state)
{
  (void)state;
  struct fs_err err;
  const char *line = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
                     "[exampleSDID@32473 iut=\"3\" eventSource=\"Appli\\\"cation\\]\" "
                     "eventID=\"1011\"][origin ip=\"192.0.2.1\"] \xEF\xBB\xBF"
                     "An application "
                     "event log entry";
  assert_int_equal(parse(DETECT_FMT_RFC5424, line, &err), FS_OK);
  ASSERT_FIELD("syslog_facility", "20");
  ASSERT_FIELD("syslog_severity", "5");
  ASSERT_FIELD("hostname", "mymachine.example.com");
  ASSERT_FIELD("appname", "evntslog");
  assert_null(field("procid"));
  ASSERT_FIELD("msgid", "ID47");
  ASSERT_FIELD("exampleSDID@32473.eventSource", "Appli\"cation]");
  ASSERT_FIELD("origin.ip", "192.0.2.1");
  ASSERT_FIELD("msg", "An application event log entry");
  assert_int_equal(detect_event_time_ms(ev, 0, -1), 1065910455003LL);
  /* the same through auto */
  assert_int_equal(parse(DETECT_FMT_AUTO, line, &err), FS_OK);
  assert_int_equal(ev->format, DETECT_FMT_RFC5424);

  static const struct {
    const char *in;
    const char *where;
  } bad[] = {
      {"<192>1 - - - - - -", "byte 0"},
      {"<34>1 2003-10-11T22:14:15.003Z host app - ID [x a=\"1\"", "byte 53"},
      {"<34>1 2003-10-11T22:14:15.003Z host app - ID x", "byte 45"},
      {"<34>1 2003-10-11T22:14:15.003Z host", "byte 35"},
      {"<34>1 - - - - - [a b=1]", "byte 20"},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(bad); i++) {
    assert_int_equal(parse(DETECT_FMT_RFC5424, bad[i].in, &err), FS_ERR_PARSE);
    assert_string_equal(err.where, bad[i].where);
  }
  /* A record's error is whole in both languages (#18 item 12). */
  assert_int_equal(parse(DETECT_FMT_RFC5424, "hello", &err), FS_ERR_PARSE);
  assert_string_equal(err.msg, "expected '<' starting PRI");
  assert_string_equal(err.msg_zh, "PRI 應以 '<' 開頭");
  assert_int_equal(parse(DETECT_FMT_RFC5424, "<34>1 2003-10-11T22:14:15.003Z host", &err),
                   FS_ERR_PARSE);
  assert_string_equal(err.msg_zh, "appname 之前應為 ' '");
}

static void test_rfc3164(void **state)
{
  (void)state;
  struct fs_err err;
  assert_int_equal(parse(DETECT_FMT_AUTO,
                         "<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick",
                         &err),
                   FS_OK);
  assert_int_equal(ev->format, DETECT_FMT_RFC3164);
  ASSERT_FIELD("hostname", "mymachine");
  ASSERT_FIELD("appname", "su");
  ASSERT_FIELD("procid", "230");
  ASSERT_FIELD("msg", "'su root' failed for lonvick");
  /* 2026-11-27 now: Oct 11 is this year */
  int64_t now = 1795810945123LL;
  assert_int_equal(detect_event_time_ms(ev, now, -1), 1791756855000LL);

  /* no hostname, tag only */
  assert_int_equal(parse(DETECT_FMT_RFC3164, "<13>Feb  5 17:32:18 sshd: Accepted key", &err),
                   FS_OK);
  assert_null(field("hostname"));
  ASSERT_FIELD("appname", "sshd");
  ASSERT_FIELD("msg", "Accepted key");
  /* no PRI, ISO timestamp */
  assert_int_equal(
      parse(DETECT_FMT_RFC3164, "2026-01-02T03:04:05+08:00 fw1 kernel: DROP IN=eth0", &err), FS_OK);
  ASSERT_FIELD("hostname", "fw1");
  ASSERT_FIELD("appname", "kernel");
  /* only a PRI */
  assert_int_equal(parse(DETECT_FMT_RFC3164, "<13>hello world", &err), FS_OK);
  ASSERT_FIELD("msg", "hello world");
  assert_int_equal(parse(DETECT_FMT_RFC3164, "hello world", &err), FS_ERR_PARSE);
  /* auto falls back to text when the syslog header does not parse */
  assert_int_equal(parse(DETECT_FMT_AUTO, "<999> not syslog", &err), FS_OK);
  ASSERT_FIELD("msg", "<999> not syslog");
}

static int32_t fixed_offset_s(void *arg, int64_t utc_ms)
{
  (void)utc_ms;
  return *(const int32_t *)arg;
}

/* A zone with daylight saving: UTC+1, and UTC+2 from 2026-03-29T01:00:00Z on. */
static int32_t dst_offset_s(void *arg, int64_t utc_ms)
{
  (void)arg;
  return utc_ms >= 1774746000000LL ? 7200 : 3600;
}

static int64_t ms_of(const char *rfc3339)
{
  int64_t ms = 0;
  assert_int_equal(fs_time_parse_ms(rfc3339, strlen(rfc3339), &ms, NULL), FS_OK);
  return ms;
}

/* Lines of /var/log/syslog as rsyslog writes them (no PRI): recognised in auto mode, with time in
 * the given zone and a year from the file's time, host, app and pid (#18 item 14). */
static void test_syslog_file_lines(void **state)
{
  (void)state;
  struct fs_err err;
  int32_t taipei = 8 * 3600, new_york = -5 * 3600;
  struct detect_zone tw = {fixed_offset_s, &taipei}, ny = {fixed_offset_s, &new_york},
                     dst = {dst_offset_s, NULL};
  const char *trad = "Dec  6 01:00:01 bastion01 sshd[4242]: Accepted publickey for root from "
                     "203.0.113.7 port 50022 ssh2";
  assert_int_equal(parse(DETECT_FMT_AUTO, trad, &err), FS_OK);
  assert_int_equal(ev->format, DETECT_FMT_RFC3164);
  ASSERT_FIELD("timestamp", "Dec  6 01:00:01");
  ASSERT_FIELD("hostname", "bastion01");
  ASSERT_FIELD("appname", "sshd");
  ASSERT_FIELD("procid", "4242");
  ASSERT_FIELD("msg", "Accepted publickey for root from 203.0.113.7 port 50022 ssh2");
  /* a file last written in January 2027: December is 2026's; in Taipei's time */
  assert_int_equal(detect_event_time_zoned_ms(ev, ms_of("2027-01-10T00:00:00Z"), &tw, -1),
                   ms_of("2026-12-05T17:00:01Z"));
  /* last written on 2026-12-20: this December */
  assert_int_equal(detect_event_time_zoned_ms(ev, ms_of("2026-12-20T00:00:00Z"), &tw, -1),
                   ms_of("2026-12-05T17:00:01Z"));
  /* last written on 2026-11-01: a December line is from the year before */
  assert_int_equal(detect_event_time_zoned_ms(ev, ms_of("2026-11-01T00:00:00Z"), &tw, -1),
                   ms_of("2025-12-05T17:00:01Z"));
  /* no zone: UTC, as before */
  assert_int_equal(detect_event_time_zoned_ms(ev, ms_of("2027-01-10T00:00:00Z"), NULL, -1),
                   ms_of("2026-12-06T01:00:01Z"));
  /* west of UTC, across New Year: 2027-01-01T01:00 in New York is still 2026 in local time */
  assert_int_equal(parse(DETECT_FMT_AUTO, "Dec 31 20:00:00 h cron[1]: x", &err), FS_OK);
  assert_int_equal(detect_event_time_zoned_ms(ev, ms_of("2027-01-01T01:00:00Z"), &ny, -1),
                   ms_of("2027-01-01T01:00:00Z"));
  /* daylight saving: the offset of the line's own instant */
  assert_int_equal(parse(DETECT_FMT_AUTO, "Jul  1 12:00:00 h app: x", &err), FS_OK);
  assert_int_equal(detect_event_time_zoned_ms(ev, ms_of("2026-08-01T00:00:00Z"), &dst, -1),
                   ms_of("2026-07-01T10:00:00Z"));
  assert_int_equal(parse(DETECT_FMT_AUTO, "Jan 15 12:00:00 h app: x", &err), FS_OK);
  assert_int_equal(detect_event_time_zoned_ms(ev, ms_of("2026-08-01T00:00:00Z"), &dst, -1),
                   ms_of("2026-01-15T11:00:00Z"));

  /* rsyslog's RFC 3339 file format */
  const char *iso = "2026-12-06T01:00:01.123456+08:00 bastion01 sshd[4242]: Failed password";
  assert_int_equal(parse(DETECT_FMT_AUTO, iso, &err), FS_OK);
  assert_int_equal(ev->format, DETECT_FMT_RFC3164);
  ASSERT_FIELD("hostname", "bastion01");
  ASSERT_FIELD("appname", "sshd");
  ASSERT_FIELD("procid", "4242");
  ASSERT_FIELD("msg", "Failed password");
  assert_int_equal(detect_event_time_zoned_ms(ev, 0, &tw, -1), ms_of("2026-12-05T17:00:01.123Z"));
  assert_int_equal(parse(DETECT_FMT_AUTO, "2026-12-06T01:00:01Z fw1 kernel: DROP", &err), FS_OK);
  assert_int_equal(ev->format, DETECT_FMT_RFC3164);
  ASSERT_FIELD("appname", "kernel");

  /* other lines that start with a time stay what they are */
  static const struct {
    const char *line;
    enum detect_format format;
  } other[] = {
      {"2026-01-02T03:04:05Z INFO server started on port 80", DETECT_FMT_TEXT},
      {"2026-01-02T03:04:05Z user=bob action=login result=ok", DETECT_FMT_KV},
      {"2026-13-02T03:04:05Z host app: month 13", DETECT_FMT_TEXT},
      {"Dec 6 01:00:01 host app: day not padded", DETECT_FMT_TEXT},
      {"Decimal 6 01:00:01 host app: x", DETECT_FMT_TEXT},
      {"Dec  6 01:00:01", DETECT_FMT_TEXT},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(other); i++) {
    assert_int_equal(parse(DETECT_FMT_AUTO, other[i].line, &err), FS_OK);
    if (ev->format != other[i].format)
      fprintf(stderr, "%s: format %d, want %d\n", other[i].line, ev->format, other[i].format);
    assert_int_equal(ev->format, other[i].format);
  }
  assert_true(detect_syslog_file_line("Dec  6 01:00:01 host", 20));
  assert_false(detect_syslog_file_line("Dec  6 01:00:01 host", 15));
}

static void test_cef(void **state)
{
  (void)state;
  struct fs_err err;
  const char *line = "<134>Feb 14 19:04:54 fw CEF:0|Security|threat\\|manager|1.0|100|worm "
                     "successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 msg=Detected a "
                     "threat. No action\\=needed\\nat all cs1Label=Policy cs1=Block all "
                     "request=http://x.example/a?b=c";
  assert_int_equal(parse(DETECT_FMT_AUTO, line, &err), FS_OK);
  assert_true(ev->msg_structured);
  ASSERT_FIELD("hostname", "fw");
  ASSERT_FIELD("deviceVendor", "Security");
  ASSERT_FIELD("deviceProduct", "threat|manager");
  ASSERT_FIELD("name", "worm successfully stopped");
  ASSERT_FIELD("severity", "10");
  ASSERT_FIELD("src", "10.0.0.1");
  ASSERT_FIELD("spt", "1232");
  ASSERT_FIELD("msg", "Detected a threat. No action=needed\nat all");
  ASSERT_FIELD("cs1", "Block all");
  ASSERT_FIELD("Policy", "Block all");
  ASSERT_FIELD("request", "http://x.example/a?b=c");
  /* bare CEF with an explicit format */
  assert_int_equal(parse(DETECT_FMT_CEF, "CEF:1|V|P|1|sig|n|Low|", &err), FS_OK);
  ASSERT_FIELD("severity", "Low");
  assert_int_equal(parse(DETECT_FMT_CEF, "CEF:0|V|P|1|sig|n", &err), FS_ERR_PARSE);
  assert_string_equal(err.where, "byte 17");
  assert_int_equal(parse(DETECT_FMT_CEF, "CEF:0|V|P|1|sig|n|3|=x", &err), FS_ERR_PARSE);
  assert_int_equal(parse(DETECT_FMT_CEF, "nothing here", &err), FS_ERR_PARSE);
}

static void test_json(void **state)
{
  (void)state;
  struct fs_err err;
  const char *line =
      "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
      "\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2025-10-25T13:44:33.440907Z\"}}},"
      "\"EventData\":{\"Image\":\"C:\\\\Windows\\\\reg.exe\",\"Tags\":[\"a\",\"b\\u00e9\"],"
      "\"Empty\":{},\"N\":null,\"T\":true,\"F\":-1.5e3}}}";
  assert_int_equal(parse(DETECT_FMT_AUTO, line, &err), FS_OK);
  assert_int_equal(ev->format, DETECT_FMT_JSON);
  ASSERT_FIELD("Event.System.EventID", "1");
  ASSERT_FIELD("Event.EventData.Image", "C:\\Windows\\reg.exe");
  ASSERT_FIELD("Event.EventData.T", "true");
  ASSERT_FIELD("Event.EventData.F", "-1.5e3");
  ASSERT_FIELD("Event.EventData.N", "");
  assert_true(detect_event_find(ev, "Event.EventData.N", 17)->flags & DETECT_FIELD_NULL);
  size_t tags = 0;
  for (size_t i = 0; i < ev->nfields; i++)
    if (ev->fields[i].name_len == 20 && !memcmp(ev->fields[i].name, "Event.EventData.Tags", 20))
      tags++;
  assert_int_equal(tags, 2);
  assert_int_equal(detect_event_time_ms(ev, 0, -1), 1761399873440LL);

  static const struct {
    const char *in;
    const char *where;
    bool truncated;
  } bad[] = {
      {"{\"a\":1", "byte 6", true},     {"{\"a\":tru", "byte 8", true},
      {"{\"a\":1} x", "byte 8", false}, {"[1,2]", "byte 0", false},
      {"{\"a\" 1}", "byte 5", false},   {"{\"a\":\"\\x\"}", "byte 6", false},
      {"{\"a\":01}", "byte 6", false},  {"{\"a\":{\"b\":", "byte 10", true},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(bad); i++) {
    assert_int_equal(parse(DETECT_FMT_JSON, bad[i].in, &err), FS_ERR_PARSE);
    assert_string_equal(err.where, bad[i].where);
    assert_int_equal(ev->truncated, bad[i].truncated);
  }
  /* depth limit */
  char deep[200];
  size_t n = 0;
  for (int i = 0; i < 70; i++)
    n += (size_t)snprintf(deep + n, sizeof(deep) - n, "%s", i ? "[" : "{\"a\":");
  assert_int_equal(detect_parse_record(DETECT_FMT_JSON, deep, n, ev, &err), FS_ERR_PARSE);
  assert_non_null(strstr(err.msg, "deeper"));
}

static void test_kv(void **state)
{
  (void)state;
  struct fs_err err;
  assert_int_equal(parse(DETECT_FMT_AUTO,
                         "date=2026-01-02 time=03:04:05 devname=\"FG 100\" srcip=10.1.1.1 "
                         "dstip=203.0.113.9 action=deny msg='it\\'s blocked'",
                         &err),
                   FS_OK);
  assert_int_equal(ev->format, DETECT_FMT_KV);
  ASSERT_FIELD("devname", "FG 100");
  ASSERT_FIELD("dstip", "203.0.113.9");
  ASSERT_FIELD("msg", "it's blocked");
  /* key=value behind a syslog header */
  assert_int_equal(parse(DETECT_FMT_AUTO,
                         "<134>Jan  2 03:04:05 fw1 kernel: IN=eth0 OUT= SRC=10.0.0.9 DST=8.8.8.8",
                         &err),
                   FS_OK);
  assert_true(ev->msg_structured);
  ASSERT_FIELD("SRC", "10.0.0.9");
  ASSERT_FIELD("OUT", "");
  assert_int_equal(parse(DETECT_FMT_KV, "no pairs at all", &err), FS_ERR_PARSE);
  assert_int_equal(parse(DETECT_FMT_KV, "a=\"open", &err), FS_ERR_PARSE);
}

/* ---- framing ------------------------------------------------------------------------------ */

struct frames {
  char out[1024];
  size_t n, count;
};

static int on_frame(void *arg, const char *p, size_t n)
{
  struct frames *f = arg;
  f->n += (size_t)snprintf(f->out + f->n, sizeof(f->out) - f->n, "[%.*s]", (int)n, p);
  f->count++;
  return 0;
}

static void feed_bytewise(const char *s, size_t max, struct frames *fr, int *rc_out)
{
  struct detect_framer f;
  struct fs_err err;
  detect_framer_init(&f, max);
  int rc = 0;
  for (size_t i = 0; s[i] && !rc; i++)
    rc = detect_framer_feed(&f, s + i, 1, on_frame, fr, &err);
  if (!rc)
    rc = detect_framer_finish(&f, on_frame, fr, &err);
  *rc_out = rc;
  detect_framer_release(&f);
}

static void test_framing(void **state)
{
  (void)state;
  static const struct {
    const char *in;
    const char *out;
    int rc;
  } cases[] = {
      {"<13>a b\n<14>c\r\n<15>tail", "[<13>a b][<14>c][<15>tail]", FS_OK},
      {"5 <13>a11 <14>hello w\n3 <1>", "[<13>a][<14>hello w][<1>]", FS_OK},
      {"5 <13>", "", FS_ERR_PARSE},
      {"5x<13>a", "", FS_ERR_PARSE},
      {"99999 x", "", FS_ERR_TOO_LARGE},
      {"<13>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "", FS_ERR_TOO_LARGE},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(cases); i++) {
    /* whole, then byte by byte */
    struct frames fr = {0};
    struct detect_framer f;
    struct fs_err err;
    detect_framer_init(&f, 32);
    int rc = detect_framer_feed(&f, cases[i].in, strlen(cases[i].in), on_frame, &fr, &err);
    if (!rc)
      rc = detect_framer_finish(&f, on_frame, &fr, &err);
    detect_framer_release(&f);
    assert_int_equal(rc, cases[i].rc);
    if (!cases[i].rc)
      assert_string_equal(fr.out, cases[i].out);
    struct frames fr2 = {0};
    feed_bytewise(cases[i].in, 32, &fr2, &rc);
    assert_int_equal(rc, cases[i].rc);
    if (!cases[i].rc)
      assert_string_equal(fr2.out, cases[i].out);
  }
}

static int count_frame(void *arg, const char *frame, size_t len)
{
  (void)frame;
  *(size_t *)arg += len;
  return 0;
}

/* A framer holds what a frame split across reads needs, and gives it back once the frame is
 * delivered: a long frame does not leave a large buffer with an idle connection (#12 item 12). */
static void test_framing_memory(void **state)
{
  (void)state;
  for (int octet = 0; octet < 2; octet++) {
    struct detect_framer f;
    struct fs_err err;
    size_t got = 0, len = 300000;
    detect_framer_init(&f, 0);
    assert_int_equal(detect_framer_held(&f), 0);
    char head[32];
    int hl = octet ? snprintf(head, sizeof(head), "%zu ", len) : 0;
    assert_int_equal(detect_framer_feed(&f, head, (size_t)hl, count_frame, &got, &err), FS_OK);
    static char chunk[4096];
    memset(chunk, 'x', sizeof(chunk));
    size_t fed = 0;
    while (fed < len) {
      size_t n = FS_MIN(sizeof(chunk), len - fed);
      assert_int_equal(detect_framer_feed(&f, chunk, n, count_frame, &got, &err), FS_OK);
      fed += n;
    }
    if (!octet) {
      assert_true(detect_framer_held(&f) >= len); /* the frame so far */
      assert_int_equal(detect_framer_feed(&f, "\n", 1, count_frame, &got, &err), FS_OK);
    }
    assert_int_equal(got, len);
    assert_true(detect_framer_held(&f) <= DETECT_FRAMER_KEEP);
    /* short frames split across reads keep a small buffer */
    const char *two = octet ? "5 abcde" : "abcde\n";
    assert_int_equal(detect_framer_feed(&f, two, 3, count_frame, &got, &err), FS_OK);
    assert_int_equal(detect_framer_feed(&f, two + 3, strlen(two) - 3, count_frame, &got, &err),
                     FS_OK);
    assert_int_equal(got, len + 5);
    assert_true(detect_framer_held(&f) <= DETECT_FRAMER_KEEP);
    detect_framer_release(&f);
    assert_int_equal(detect_framer_held(&f), 0);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rfc5424),
      cmocka_unit_test(test_rfc3164),
      cmocka_unit_test(test_syslog_file_lines),
      cmocka_unit_test(test_cef),
      cmocka_unit_test(test_json),
      cmocka_unit_test(test_kv),
      cmocka_unit_test(test_framing),
      cmocka_unit_test(test_framing_memory),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
