/* Unit tests of the Sigma engine: every modifier, the condition grammar, logsource routing and
 * field mapping, loader errors, correlation types, and regression events (each matched by the
 * rule whose id is its file name): the project's (tests/data/sigma, with events no rule may
 * match), and SigmaHQ's in the corpus run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/file.h"
#include "detect/sigma.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testdata.h"

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

struct problems {
  char out[4096];
  size_t n, count;
  char zh[1024]; /* the last problem's reason in zh-TW */
};

static void on_problem(void *arg, const struct detect_sigma_problem *p)
{
  struct problems *k = arg;
  k->count++;
  k->n += (size_t)snprintf(k->out + k->n, sizeof(k->out) - FS_MIN(k->n, sizeof(k->out)), "%s|",
                           p->reason);
  k->n = FS_MIN(k->n, sizeof(k->out) - 1);
  snprintf(k->zh, sizeof(k->zh), "%s", p->reason_zh);
}

static struct detect_sigma_set *compile(const char *yaml, struct problems *pr)
{
  struct detect_sigma_loader *l = detect_sigma_loader_new();
  const char *values[] = {"10.0.0.5", "dc01"};
  assert_int_equal(detect_sigma_loader_placeholder(l, "admins", values, 2), FS_OK);
  size_t added;
  struct fs_err err;
  assert_int_equal(
      detect_sigma_loader_add_text(l, yaml, strlen(yaml), "t.yml", on_problem, pr, &added, &err),
      FS_OK);
  struct detect_sigma_set *s = detect_sigma_compile(l, on_problem, pr, &err);
  assert_non_null(s);
  return s;
}

struct hits {
  const struct detect_sigma_set *s;
  char out[1024];
  size_t n;
};

static int on_hit(void *arg, const struct detect_sigma_hit *h)
{
  struct hits *k = arg;
  struct detect_sigma_rule_info info;
  detect_sigma_rule_info(k->s, h->rule, &info);
  k->n += (size_t)snprintf(k->out + k->n, sizeof(k->out) - k->n, "%s ", info.id);
  return 0;
}

/* The ids of the rules that match one JSON event, space-separated. */
static const char *match(const struct detect_sigma_set *s, struct detect_sigma_thread *t,
                         const char *json)
{
  static struct hits k;
  struct fs_err err;
  memset(&k, 0, sizeof(k));
  k.s = s;
  assert_int_equal(detect_parse_record(DETECT_FMT_AUTO, json, strlen(json), ev, &err), FS_OK);
  assert_int_equal(detect_sigma_match(s, t, ev, on_hit, &k), FS_OK);
  return k.out;
}

#define RULE(id, det)                                                                              \
  "title: " id "\nid: " id "\nlogsource:\n  product: windows\n  category: process_creation\n"      \
  "detection:\n" det "\n---\n"

static const char rules[] = RULE(
    "contains",
    "  s:\n    CommandLine|contains: 'Invoke-Mimikatz'\n  "
    "condition: s") RULE("starts", "  s:\n    CommandLine|startswith: 'cmd /c'\n  condition: s")
    RULE("ends", "  s:\n    Image|endswith: '\\\\reg.exe'\n  condition: s") RULE(
        "exact", "  s:\n    User: 'NT AUTHORITY\\SYSTEM'\n  condition: s")
        RULE("cased", "  s:\n    CommandLine|cased|contains: 'SeDebug'\n  condition: s") RULE(
            "wild", "  s:\n    CommandLine: '*net* user ?dmin*'\n  condition: s")
            RULE("escaped", "  s:\n    CommandLine|contains: 'select \\*'\n  condition: s") RULE(
                "all", "  s:\n    CommandLine|contains|all:\n      - 'vssadmin'\n      - 'delete'\n"
                       "      - 'shadows'\n  condition: s")
                RULE(
                    "regex",
                    "  s:\n    CommandLine|re: '-[Ee]nc(odedCommand)? [A-Za-z0-9+/=]{8,}'\n"
                    "  condition: s") RULE("regex_i",
                                           "  s:\n    CommandLine|re|i: 'DOWNLOADSTRING\\('\n  "
                                           "condition: s") RULE("regex_pcre",
                                                                "  s:\n    CommandLine|re: '(\\w+) "
                                                                "\\1 repeated'\n  condition: s")
                    RULE("base64",
                         "  s:\n    CommandLine|base64|contains: 'http://'\n  condition: "
                         "s") RULE("b64off",
                                   "  s:\n    CommandLine|base64offset|contains: 'IEX ('\n  "
                                   "condition: s") RULE("wide", "  s:\n    "
                                                                "CommandLine|wide|base64offset|"
                                                                "contains: 'ping'\n  "
                                                                "condition: s")
                        RULE(
                            "windash",
                            "  s:\n    CommandLine|windash|contains: ' -exec bypass'\n  condition: "
                            "s") RULE("cidr",
                                      "  s:\n    DestinationIp|cidr:\n      - '10.0.0.0/8'\n      "
                                      "- '2001:db8::/32'\n"
                                      "  condition: s") RULE("gt", "  s:\n    ProcessId|gt: "
                                                                   "60000\n  condition: s")
                            RULE("lte", "  s:\n    ProcessId|lte: 4\n  condition: s") RULE(
                                "exists",
                                "  s:\n    Image|endswith: '\\\\a.exe'\n    "
                                "ParentImage|exists: false\n"
                                "  condition: s") RULE("null",
                                                       "  s:\n    Image|endswith: '\\\\b.exe'\n    "
                                                       "Description: null\n  condition: s")
                                RULE("empty",
                                     "  s:\n    Image|endswith: '\\\\c.exe'\n    Product: "
                                     "''\n  condition: s") RULE("neq",
                                                                "  s:\n    Image|endswith: "
                                                                "'\\\\d.exe'\n    "
                                                                "User|neq: 'admin'\n  condition: s")
                                    RULE("fieldref",
                                         "  s:\n    Image|fieldref: ParentImage\n  "
                                         "condition: s") RULE("expand",
                                                              "  s:\n    Computer|expand: "
                                                              "'%admins%'\n  "
                                                              "condition: s")
                                        RULE("hour",
                                             "  s:\n    UtcTime|hour: 3\n  "
                                             "condition: s") RULE("keywords", "  keywords:\n    - "
                                                                              "'EvilKeyword'\n  "
                                                                              "condition: keywords")
                                            RULE(
                                                "oneof",
                                                "  sel_a:\n    CommandLine|contains: 'alpha'\n  "
                                                "sel_b:\n    CommandLine|contains: "
                                                "'beta'\n  filter:\n    User: 'ok'\n  condition: 1 "
                                                "of sel_* and not filter")
                                                RULE("allof",
                                                     "  sel_a:\n    CommandLine|contains: "
                                                     "'gamma'\n  sel_b:\n    CommandLine|contains: "
                                                     "'delta'\n  condition: all of sel_*")
                                                    RULE("them", "  a:\n    CommandLine|contains: "
                                                                 "'epsilon'\n  _ignored:\n    "
                                                                 "User: 'nobody'\n"
                                                                 "  condition: all of them")
                                                        RULE("parens",
                                                             "  a:\n    CommandLine|contains: "
                                                             "'zeta'\n  b:\n    User: 'u1'\n  c:\n"
                                                             "    User: 'u2'\n  condition: a and "
                                                             "(b or c)")
                                                            RULE("listmaps",
                                                                 "  s:\n    - Image|endswith: "
                                                                 "'\\\\e.exe'\n    - "
                                                                 "OriginalFileName: 'e.exe'\n"
                                                                 "  condition: s")
                                                                RULE("notonly",
                                                                     "  s:\n    Image|endswith: "
                                                                     "'\\\\f.exe'\n  condition: "
                                                                     "not s and 1 of them");

static void test_modifiers(void **state)
{
  (void)state;
  struct problems pr = {0};
  struct detect_sigma_set *s = compile(rules, &pr);
  assert_string_equal(pr.out, "");
  struct detect_sigma_thread *t = detect_sigma_thread_new();
#define EV(fields) "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1," fields "}"
  static const struct {
    const char *event, *want;
  } cases[] = {
      {EV("\"CommandLine\":\"powershell Invoke-MIMIKATZ -x\""), "contains "},
      {EV("\"CommandLine\":\"CMD /C dir\""), "starts "},
      {EV("\"Image\":\"C:\\\\Windows\\\\REG.exe\""), "ends "},
      {EV("\"Image\":\"C:\\\\Windows\\\\reg.exe.bak\""), ""},
      {EV("\"User\":\"nt authority\\\\system\""), "exact "},
      {EV("\"CommandLine\":\"x SeDebug\""), "cased "},
      {EV("\"CommandLine\":\"x SEDEBUG\""), ""},
      {EV("\"CommandLine\":\"c:\\\\net.exe user admin /add\""), "wild "},
      {EV("\"CommandLine\":\"select * from\""), "escaped "},
      {EV("\"CommandLine\":\"select x from\""), ""},
      {EV("\"CommandLine\":\"VSSADMIN delete shadows /all\""), "all "},
      {EV("\"CommandLine\":\"vssadmin delete\""), ""},
      {EV("\"CommandLine\":\"powershell -enc SQBFAFgAIAAoAE4A\""), "regex "},
      {EV("\"CommandLine\":\"powershell -ENC SQBFAFgAIAAoAE4A\""), ""},
      {EV("\"CommandLine\":\"(new-object net.webclient).downloadstring('x')\""), "regex_i "},
      {EV("\"CommandLine\":\"word word repeated\""), "regex_pcre "},
      {EV("\"CommandLine\":\"x aHR0cDovLw== y\""), "base64 "},
      {EV("\"CommandLine\":\"SUVYICg\""), "b64off "},
      {EV("\"CommandLine\":\"xJRVggKy\""), "b64off "},
      {EV("\"CommandLine\":\"xlFWCAoy\""), "b64off "},
      {EV("\"CommandLine\":\"x cABpAG4AZw y\""), "wide "},
      {EV("\"CommandLine\":\"powershell /exec bypass\""), "windash "},
      {EV("\"CommandLine\":\"powershell \xE2\x80\x93"
          "exec bypass\""),
       "windash "},
      {EV("\"DestinationIp\":\"10.20.30.40\""), "cidr "},
      {EV("\"DestinationIp\":\"2001:db8::7\""), "cidr "},
      {EV("\"DestinationIp\":\"11.0.0.1\""), ""},
      {EV("\"ProcessId\":60001"), "gt "},
      {EV("\"ProcessId\":4"), "lte "},
      {EV("\"ProcessId\":500"), ""},
      {EV("\"Image\":\"C:\\\\a.exe\""), "exists "},
      {EV("\"Image\":\"C:\\\\a.exe\",\"ParentImage\":\"x\""), ""},
      {EV("\"Image\":\"C:\\\\b.exe\""), "null "},
      {EV("\"Image\":\"C:\\\\b.exe\",\"Description\":\"\""), "null "},
      {EV("\"Image\":\"C:\\\\b.exe\",\"Description\":\"x\""), ""},
      {EV("\"Image\":\"C:\\\\c.exe\",\"Product\":\"\""), "empty "},
      {EV("\"Image\":\"C:\\\\c.exe\",\"Product\":\"x\""), ""},
      {EV("\"Image\":\"C:\\\\d.exe\",\"User\":\"bob\""), "neq "},
      {EV("\"Image\":\"C:\\\\d.exe\",\"User\":\"ADMIN\""), ""},
      {EV("\"Image\":\"C:\\\\d.exe\""), ""},
      {EV("\"Image\":\"x.exe\",\"ParentImage\":\"x.exe\""), "fieldref "},
      {EV("\"Computer\":\"DC01\""), "expand "},
      {EV("\"UtcTime\":\"2025-10-25 03:44:33.433\""), "hour "},
      {EV("\"UtcTime\":\"2025-10-25 13:44:33.433\""), ""},
      {EV("\"Description\":\"has EvilKeyword inside\""), "keywords "},
      {EV("\"CommandLine\":\"beta\""), "oneof "},
      {EV("\"CommandLine\":\"beta\",\"User\":\"ok\""), ""},
      {EV("\"CommandLine\":\"gamma delta\""), "allof "},
      {EV("\"CommandLine\":\"gamma\""), ""},
      {EV("\"CommandLine\":\"epsilon\""), "them "},
      {EV("\"CommandLine\":\"zeta\",\"User\":\"u2\""), "parens "},
      {EV("\"CommandLine\":\"zeta\",\"User\":\"u3\""), ""},
      {EV("\"OriginalFileName\":\"E.EXE\""), "listmaps "},
      {EV("\"Image\":\"C:\\\\f.exe\""), ""},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(cases); i++) {
    const char *got = match(s, t, cases[i].event);
    if (strcmp(got, cases[i].want))
      fail_msg("case %zu: %s: got \"%s\", want \"%s\"", i, cases[i].event, got, cases[i].want);
  }
  struct detect_sigma_stats st;
  detect_sigma_set_stats(s, &st);
  assert_int_equal(st.rules, 32);
  assert_true(st.pcre_confirmed + st.pcre_only >= 1); /* the backreference */
  detect_sigma_thread_free(t);
  detect_sigma_set_free(s);
}

static void test_routing_and_mapping(void **state)
{
  (void)state;
  const char *yaml =
      "title: pc\nid: pc\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  s:\n    Image|endswith: '\\mimikatz.exe'\n  condition: s\n---\n"
      "title: sec\nid: sec\nlogsource: {product: windows, service: security}\n"
      "detection:\n  s:\n    EventID: 4625\n  condition: s\n---\n"
      "title: lnx\nid: lnx\nlogsource: {product: linux, category: process_creation}\n"
      "detection:\n  s:\n    Image|endswith: '/mimikatz.exe'\n  condition: s\n";
  struct problems pr = {0};
  struct detect_sigma_set *s = compile(yaml, &pr);
  struct detect_sigma_thread *t = detect_sigma_thread_new();
  static const struct {
    const char *event, *want;
  } cases[] = {
      /* evtx rendered as JSON */
      {"{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/"
       "Operational\"},"
       "\"EventData\":{\"Image\":\"C:\\\\t\\\\mimikatz.exe\"}}}",
       "pc "},
      /* the same fields in a network connection event: not a process creation */
      {"{\"Event\":{\"System\":{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/"
       "Operational\"},"
       "\"EventData\":{\"Image\":\"C:\\\\t\\\\mimikatz.exe\"}}}",
       ""},
      /* Security 4688 names the image NewProcessName */
      {"{\"Event\":{\"System\":{\"EventID\":4688,\"Channel\":\"Security\"},"
       "\"EventData\":{\"NewProcessName\":\"C:\\\\t\\\\mimikatz.exe\"}}}",
       "pc "},
      {"{\"Event\":{\"System\":{\"EventID\":{\"#text\":4625},\"Channel\":\"Security\"}}}", "sec "},
      /* ECS */
      {"{\"event\":{\"category\":\"process\",\"type\":\"start\"},\"host\":{\"os\":{\"type\":"
       "\"windows\"}},\"process\":{\"executable\":\"C:\\\\t\\\\mimikatz.exe\"}}",
       "pc "},
      {"{\"winlog\":{\"channel\":\"Security\",\"event_id\":4625}}", "sec "},
      /* a shape we know nothing about: every rule applies */
      {"{\"Image\":\"/tmp/mimikatz.exe\"}", "lnx "},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(cases); i++) {
    const char *got = match(s, t, cases[i].event);
    if (strcmp(got, cases[i].want))
      fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
  }
  detect_sigma_thread_free(t);
  detect_sigma_set_free(s);
}

/* A class uses the databases of an earlier class whose values on a field are a few more than its
 * own (here class "unknown" with one more rule): the extra rule's hits must not reach events of the
 * class it is not routed to. */
static void test_shared_databases(void **state)
{
  (void)state;
  struct fs_buf y;
  fs_buf_init(&y, 1 << 16);
  for (int i = 1; i <= 17; i++)
    assert_int_equal(fs_buf_appendf(&y,
                                    "title: w%d\nid: w%d\nlogsource: {product: windows, "
                                    "category: process_creation}\ndetection:\n  s:\n"
                                    "    CommandLine|contains: 'word%dx'\n  condition: s\n---\n",
                                    i, i, i),
                     FS_OK);
  assert_int_equal(fs_buf_append_str(&y, "title: lx\nid: lx\nlogsource: {product: linux, category: "
                                         "process_creation}\ndetection:\n  s:\n    CommandLine|"
                                         "contains: 'linuxonly'\n  condition: s\n"),
                   FS_OK);
  struct problems pr = {0};
  struct detect_sigma_set *s = compile(fs_buf_cstr(&y), &pr);
  struct detect_sigma_thread *t = detect_sigma_thread_new();
  const char *sysmon = "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":"
                       "\"Microsoft-Windows-Sysmon/Operational\"},\"EventData\":{\"CommandLine\":"
                       "\"x word3x linuxonly\"}}}";
  const char *ecs = "{\"event\":{\"category\":\"process\",\"type\":\"start\"},\"host\":{\"os\":"
                    "{\"type\":\"linux\"}},\"process\":{\"command_line\":\"word3x linuxonly\"}}";
  const char *any = "{\"CommandLine\":\"word5x linuxonly\"}";
  assert_string_equal(match(s, t, sysmon), "w3 ");
  assert_string_equal(match(s, t, ecs), "lx ");
  assert_string_equal(match(s, t, any), "w5 lx ");
  detect_sigma_thread_free(t);
  detect_sigma_set_free(s);
  fs_buf_release(&y);
}

/* A thread remembers the field names it has mapped: the same events give the same results the
 * second time, after thousands of other names have filled its memory, and with another set. */
static void test_name_memory(void **state)
{
  (void)state;
  const char *yaml =
      "title: pc\nid: pc\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  s:\n    Image|endswith: '\\mimikatz.exe'\n  condition: s\n";
  const char *yaml2 =
      "title: pc2\nid: pc2\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  s:\n    ParentImage|endswith: '\\evil.exe'\n  s2:\n"
      "    Image|endswith: '\\mimikatz.exe'\n  condition: s and s2\n";
  const char *sysmon = "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":"
                       "\"Microsoft-Windows-Sysmon/Operational\"},\"EventData\":{\"Image\":"
                       "\"C:\\\\t\\\\mimikatz.exe\",\"ParentImage\":\"C:\\\\evil.exe\"}}}";
  const char *audit = "{\"Event\":{\"System\":{\"EventID\":4688,\"Channel\":\"Security\"},"
                      "\"EventData\":{\"NewProcessName\":\"C:\\\\t\\\\mimikatz.exe\"}}}";
  struct problems pr = {0};
  struct detect_sigma_set *s = compile(yaml, &pr);
  struct detect_sigma_thread *t = detect_sigma_thread_new();
  for (int round = 0; round < 2; round++) {
    assert_string_equal(match(s, t, sysmon), "pc ");
    assert_string_equal(match(s, t, audit), "pc ");
  }
  char json[128];
  for (int i = 0; i < 5000; i++) { /* more names than the memory holds */
    snprintf(json, sizeof(json), "{\"name%d\":\"C:\\\\t\\\\mimikatz.exe\"}", i);
    assert_string_equal(match(s, t, json), "");
  }
  assert_string_equal(match(s, t, sysmon), "pc ");
  assert_string_equal(match(s, t, audit), "pc ");
  /* laid out like the last event but for one name */
  const char *moved = "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":"
                      "\"Microsoft-Windows-Sysmon/Operational\"},\"EventData\":{\"Imagex\":"
                      "\"C:\\\\t\\\\mimikatz.exe\",\"ParentImage\":\"C:\\\\evil.exe\"}}}";
  assert_string_equal(match(s, t, sysmon), "pc ");
  assert_string_equal(match(s, t, moved), "");
  assert_string_equal(match(s, t, sysmon), "pc ");
  /* names longer than the memory of positions holds: 300 fields of 200-byte names */
  struct fs_buf big;
  fs_buf_init(&big, 1 << 20);
  assert_int_equal(fs_buf_append_str(&big,
                                     "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":"
                                     "\"Microsoft-Windows-Sysmon/Operational\"},\"EventData\":{"),
                   FS_OK);
  for (int i = 0; i < 300; i++)
    assert_int_equal(fs_buf_appendf(&big, "\"%0200d\":\"x\",", i), FS_OK);
  assert_int_equal(fs_buf_append_str(&big, "\"Image\":\"C:\\\\mimikatz.exe\"}}}"), FS_OK);
  for (int round = 0; round < 3; round++) {
    assert_string_equal(match(s, t, fs_buf_cstr(&big)), "pc ");
    assert_string_equal(match(s, t, sysmon), "pc ");
  }
  fs_buf_release(&big);
  struct detect_sigma_set *s2 = compile(yaml2, &pr); /* other field ids */
  assert_string_equal(match(s2, t, sysmon), "pc2 ");
  assert_string_equal(match(s2, t, audit), "");
  assert_string_equal(match(s, t, sysmon), "pc ");
  detect_sigma_thread_free(t);
  detect_sigma_set_free(s2);
  detect_sigma_set_free(s);
}

/* Regexes of a rule with other values to wait for are run by PCRE2 when the rule is a candidate;
 * a rule whose only values are regexes keeps them in Hyperscan. */
static void test_deferred_regex(void **state)
{
  (void)state;
  const char *yaml =
      "title: both\nid: both\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  img:\n    Image|endswith: '\\cmd.exe'\n  re:\n"
      "    CommandLine|re: '/[cr]\\s+echo\\s+\\d{3}'\n  condition: img and re\n---\n"
      "title: filtered\nid: filtered\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  img:\n    Image|endswith: '\\net.exe'\n  filter:\n"
      "    CommandLine|re|i: 'USER\\s+GUEST'\n  condition: img and not filter\n---\n"
      "title: alone\nid: alone\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  re:\n    CommandLine|re: 'x{2}y'\n  condition: re\n";
  struct problems pr = {0};
  struct detect_sigma_set *s = compile(yaml, &pr);
  struct detect_sigma_stats st;
  detect_sigma_set_stats(s, &st);
  assert_int_equal(st.regex_deferred, 2);
  assert_int_equal(st.always_rules, 0);
  struct detect_sigma_thread *t = detect_sigma_thread_new();
  static const struct {
    const char *image, *cmd, *want;
  } cases[] = {
      {"C:\\\\w\\\\cmd.exe", "cmd /c echo 123", "both "},
      {"C:\\\\w\\\\cmd.exe", "cmd /c echo 12", ""},
      {"C:\\\\w\\\\calc.exe", "cmd /c echo 123", ""},
      {"C:\\\\w\\\\net.exe", "net user guest", ""},
      {"C:\\\\w\\\\net.exe", "net user admin", "filtered "},
      {"C:\\\\w\\\\a.exe", "axxy", "alone "},
  };
  char json[512];
  for (size_t i = 0; i < FS_ARRAY_SIZE(cases); i++) {
    snprintf(json, sizeof(json),
             "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":"
             "\"Microsoft-Windows-Sysmon/Operational\"},\"EventData\":{\"Image\":\"%s\","
             "\"CommandLine\":\"%s\"}}}",
             cases[i].image, cases[i].cmd);
    const char *got = match(s, t, json);
    if (strcmp(got, cases[i].want))
      fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
  }
  detect_sigma_thread_free(t);
  detect_sigma_set_free(s);
}

/* Exact values and suffix keys are looked up lower-cased eight bytes at a time, in ASCII only
 * (bytes of UTF-8 characters are left alone), at the suffix lengths some key has. */
static void test_case_folding(void **state)
{
  (void)state;
  const char *yaml =
      "title: ex\nid: ex\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  s:\n    Description: '\xc3\x84"
      "bcdefghijklmnopQ'\n  condition: s\n---\n"
      "title: suf\nid: suf\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  s:\n    Image|endswith:\n      - '\\\\Tools\\\\\xc3\xa4Z.exe'\n"
      "      - '\\\\x.exe'\n  condition: s\n";
  struct problems pr = {0};
  struct detect_sigma_set *s = compile(yaml, &pr);
  struct detect_sigma_thread *t = detect_sigma_thread_new();
  static const struct {
    const char *field, *value, *want;
  } cases[] = {
      {"Description",
       "\xc3\x84"
       "BCDEFGHIJKLMNOPq",
       "ex "},
      {"Description",
       "\xc3\xa4"
       "bcdefghijklmnopq",
       ""}, /* another letter, not another case */
      {"Description",
       "\xc3\x84"
       "BCDEFGHIJKLMNOP",
       ""},
      {"Image", "C:\\\\A\\\\TOOLS\\\\\xc3\xa4z.EXE", "suf "},
      {"Image", "C:\\\\A\\\\TOOLS\\\\\xc3\x84z.EXE", ""},
      {"Image", "C:\\\\A\\\\B\\\\X.EXE", "suf "},
      {"Image", "C:\\\\A\\\\BX.EXE", ""},
  };
  char json[512];
  for (size_t i = 0; i < FS_ARRAY_SIZE(cases); i++) {
    snprintf(json, sizeof(json),
             "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":"
             "\"Microsoft-Windows-Sysmon/Operational\"},\"EventData\":{\"%s\":\"%s\"}}}",
             cases[i].field, cases[i].value);
    const char *got = match(s, t, json);
    if (strcmp(got, cases[i].want))
      fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
  }
  detect_sigma_thread_free(t);
  detect_sigma_set_free(s);
}

static void test_loader_errors(void **state)
{
  (void)state;
  /* Each reason comes in both languages (#18 item 12): zh is the start of the zh-TW one. */
  static const struct {
    const char *yaml, *why, *zh;
  } cases[] = {
      {"title: a\nlogsource: {product: x}\ndetection:\n  s:\n    F|frobnicate: 1\n  condition: s\n",
       "unknown modifier", "選取 s：未知的修飾詞「frobnicate」"},
      {"title: a\nlogsource: {product: x}\ndetection:\n  s:\n    F: 1\n  condition: s and t\n",
       "unknown selection", "condition：未知的選取（第 7 位元組）"},
      {"title: a\nlogsource: {product: x}\ndetection:\n  s:\n    F: 1\n  condition: s | count() > "
       "5\n",
       "Sigma 1 syntax", "condition：彙總"},
      {"title: a\nlogsource: {product: x}\n", "detection", "規則需要 detection 對映"},
      {"logsource: {product: x}\ndetection:\n  s:\n    F: 1\n  condition: s\n", "title",
       "規則需要 title"},
      {"title: a\nlogsource: {product: x}\ndetection:\n  s:\n    F|cidr: 'nope'\n  condition: s\n",
       "CIDR", "選取 s：第 5 行：「nope」不是 CIDR 網段"},
      {"title: a\nlogsource: {product: x}\ndetection:\n  s:\n    F|re: '(unclosed'\n  condition: "
       "s\n",
       "regular expression", "正規表示式 /(unclosed/："},
      {"title: a\nlogsource: {product: x}\ndetection:\n  s:\n    F|expand: '%nope%'\n  condition: "
       "s\n",
       "placeholder", "選取 s：佔位符 %nope% 沒有值"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [missing]\n  timespan: 5m\n"
       "  condition: {gte: 2}\n",
       "not loaded", "關聯規則參照 missing，但它未被載入"},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(cases); i++) {
    struct problems pr = {0};
    struct detect_sigma_set *s = compile(cases[i].yaml, &pr);
    if (pr.count != 1 || !strstr(pr.out, cases[i].why))
      fail_msg("case %zu: %zu problems: %s", i, pr.count, pr.out);
    if (strncmp(pr.zh, cases[i].zh, strlen(cases[i].zh)))
      fail_msg("case %zu: zh-TW reason %s", i, pr.zh);
    detect_sigma_set_free(s);
  }
  /* not YAML at all */
  struct detect_sigma_loader *l = detect_sigma_loader_new();
  size_t added;
  struct fs_err err;
  assert_int_equal(
      detect_sigma_loader_add_text(l, "a: [1, 2\n", 9, "bad.yml", NULL, NULL, &added, &err),
      FS_ERR_PARSE);
  assert_non_null(strstr(err.where, "bad.yml"));
  /* a map as a mapping key (found by fuzz.detect_sigma): refused with its line */
  static const char complex_key[] = "title: a\nlogsource: {product: x}\ndetection:\n"
                                    "  ? F|contains: ' -enc '\n  condition: s\n";
  assert_int_equal(detect_sigma_loader_add_text(l, complex_key, strlen(complex_key), "key.yml",
                                                NULL, NULL, &added, &err),
                   FS_ERR_PARSE);
  assert_non_null(strstr(err.msg, "mapping key"));
  assert_non_null(strstr(err.where, "key.yml"));
  detect_sigma_loader_free(l);
}

/* ---- correlation -------------------------------------------------------------------------- */

struct corr_hits {
  char out[1024];
  size_t n;
};

static int on_corr(void *arg, const struct detect_sigma_corr_hit *h)
{
  struct corr_hits *k = arg;
  k->n += (size_t)snprintf(k->out + k->n, sizeof(k->out) - k->n, "[%u %s %g]", h->rule, h->group,
                           h->value);
  return 0;
}

struct feed {
  struct detect_sigma_corr *c;
  const struct detect_sigma_set *s;
  int64_t at;
  struct corr_hits *k;
};

static int feed_hit(void *arg, const struct detect_sigma_hit *h)
{
  struct feed *f = arg;
  return detect_sigma_corr_feed(f->c, f->s, h->rule, ev, 7, f->at, on_corr, f->k);
}

static void feed(struct feed *f, struct detect_sigma_thread *t, const char *json, int64_t at)
{
  struct fs_err err;
  f->at = at;
  assert_int_equal(detect_parse_record(DETECT_FMT_JSON, json, strlen(json), ev, &err), FS_OK);
  assert_int_equal(detect_sigma_match(f->s, t, ev, feed_hit, f), FS_OK);
}

static void test_correlation(void **state)
{
  (void)state;
  const char *yaml =
      "title: failed logon\nid: base-fail\nname: failed_logon\nlogsource: {product: x}\n"
      "detection:\n  s:\n    action: fail\n  condition: s\n---\n"
      "title: success\nid: base-ok\nname: ok_logon\nlogsource: {product: x}\n"
      "detection:\n  s:\n    action: ok\n  condition: s\n---\n"
      "title: brute force\nid: c-count\ncorrelation:\n  type: event_count\n"
      "  rules: [failed_logon]\n  group-by: [user]\n  timespan: 1m\n  condition: {gte: 3}\n---\n"
      "title: spray\nid: c-values\ncorrelation:\n  type: value_count\n  rules: [base-fail]\n"
      "  group-by: [src]\n  timespan: 1h\n  condition: {field: user, gte: 3}\n---\n"
      "title: fail then ok\nid: c-ordered\ncorrelation:\n  type: temporal_ordered\n"
      "  rules: [failed_logon, ok_logon]\n  group-by: [user]\n  timespan: 5m\n  generate: true\n";
  struct problems pr = {0};
  struct detect_sigma_set *s = compile(yaml, &pr);
  assert_string_equal(pr.out, "");
  struct detect_sigma_stats st;
  detect_sigma_set_stats(s, &st);
  assert_int_equal(st.correlations, 3);
  /* base-fail is used by a correlation that generates; both are used, so neither is silent */
  struct detect_sigma_corr *c = detect_sigma_corr_new(0);
  struct detect_sigma_thread *t = detect_sigma_thread_new();
  struct corr_hits k = {0};
  struct feed f = {c, s, 0, &k};
  feed(&f, t, "{\"action\":\"fail\",\"user\":\"bob\",\"src\":\"1.1.1.1\"}", 0);
  feed(&f, t, "{\"action\":\"fail\",\"user\":\"bob\",\"src\":\"1.1.1.1\"}", 10000);
  feed(&f, t, "{\"action\":\"fail\",\"user\":\"amy\",\"src\":\"1.1.1.1\"}", 20000);
  assert_string_equal(k.out, "");
  /* third failure for bob within the minute; third distinct user from 1.1.1.1 */
  feed(&f, t, "{\"action\":\"fail\",\"user\":\"cid\",\"src\":\"1.1.1.1\"}", 30000);
  assert_string_equal(k.out, "[3 src=1.1.1.1 3]");
  k.n = 0;
  k.out[0] = '\0';
  feed(&f, t, "{\"action\":\"fail\",\"user\":\"bob\",\"src\":\"2.2.2.2\"}", 40000);
  assert_string_equal(k.out, "[2 user=bob 3]");
  /* a success after the failures of bob: the ordered pair, within 5 minutes */
  k.n = 0;
  k.out[0] = '\0';
  feed(&f, t, "{\"action\":\"ok\",\"user\":\"bob\",\"src\":\"2.2.2.2\"}", 50000);
  assert_string_equal(k.out, "[4 user=bob 2]");
  /* an old failure falls out of the window */
  k.n = 0;
  k.out[0] = '\0';
  feed(&f, t, "{\"action\":\"fail\",\"user\":\"eve\",\"src\":\"3.3.3.3\"}", 100000);
  feed(&f, t, "{\"action\":\"fail\",\"user\":\"eve\",\"src\":\"3.3.3.3\"}", 200000);
  feed(&f, t, "{\"action\":\"fail\",\"user\":\"eve\",\"src\":\"3.3.3.3\"}", 300000);
  assert_string_equal(k.out, "");
  detect_sigma_thread_free(t);
  detect_sigma_corr_free(c);
  detect_sigma_set_free(s);
}

/* ---- regression events: the project's, and SigmaHQ's in the corpus run ---------------------- */

struct want {
  const struct detect_sigma_set *s;
  const char *id;
  bool found;
  size_t hits; /* matches of any rule */
};

static int on_want(void *arg, const struct detect_sigma_hit *h)
{
  struct want *w = arg;
  struct detect_sigma_rule_info info;
  detect_sigma_rule_info(w->s, h->rule, &info);
  w->found |= info.id && !strcmp(info.id, w->id);
  w->hits++;
  return 0;
}

/* The end of the JSON value at p (the regression files hold several, pretty-printed). */
static size_t value_end(const char *p, size_t n)
{
  int depth = 0;
  bool str = false;
  for (size_t i = 0; i < n; i++) {
    if (str) {
      if (p[i] == '\\')
        i++;
      else if (p[i] == '"')
        str = false;
    } else if (p[i] == '"') {
      str = true;
    } else if (p[i] == '{') {
      depth++;
    } else if (p[i] == '}' && --depth == 0) {
      return i + 1;
    }
  }
  return n;
}

/* Loads, from the rule folders under dir (recursively), the files that hold one of the ids. */
static void load_rules_with_ids(struct detect_sigma_loader *l, const char *dir, char ids[][64],
                                size_t nids, size_t *loaded)
{
  DIR *d = opendir(dir);
  if (!d)
    fail_msg("cannot open the folder %s", dir);
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    size_t nl = strlen(e->d_name);
    if (nl > 4 && !strcmp(e->d_name + nl - 4, ".yml")) {
      struct fs_buf b;
      struct fs_err err;
      test_read_file(path, &b);
      for (size_t i = 0; i < nids; i++) {
        char line[80];
        snprintf(line, sizeof(line), "id: %s", ids[i]);
        if (b.data && strstr(b.data, line)) {
          size_t added;
          assert_int_equal(
              detect_sigma_loader_add_text(l, b.data, b.len, path, NULL, NULL, &added, &err),
              FS_OK);
          *loaded += added;
          break;
        }
      }
      fs_buf_release(&b);
    } else if (!strchr(e->d_name, '.')) {
      load_rules_with_ids(l, path, ids, nids, loaded);
    }
  }
  closedir(d);
}

/* Matches every JSON value of the file at path (pretty-printed, several to a file); w->found
 * tells whether the rule w->id matched one; the number of matches of any rule is returned. */
static size_t match_file(const struct detect_sigma_set *s, struct detect_sigma_thread *t,
                         const char *path, struct want *w)
{
  struct fs_buf b;
  struct fs_err err;
  test_read_file(path, &b);
  for (size_t pos = 0; pos < b.len;) {
    while (pos < b.len && b.data[pos] != '{')
      pos++;
    if (pos >= b.len)
      break;
    size_t end = pos + value_end(b.data + pos, b.len - pos);
    if (detect_parse_record(DETECT_FMT_JSON, b.data + pos, end - pos, ev, &err))
      fail_msg("%s: %s at %s", path, err.msg, err.where);
    assert_int_equal(detect_sigma_match(s, t, ev, on_want, w), FS_OK);
    pos = end;
  }
  fs_buf_release(&b);
  return w->hits;
}

/* Loads, from the rule folders, the rules of the events in events_dir (files named <rule id>.json,
 * at least min_events): each must be matched by its rule. The events in quiet_dir (when not NULL)
 * must be matched by none. */
static void check_regression(const char *const *rule_dirs, size_t ndirs, const char *events_dir,
                             size_t min_events, const char *quiet_dir)
{
  static char ids[256][64];
  size_t nfiles;
  char **files = test_list_files(events_dir, ".json", &nfiles);
  size_t nids = 0;
  for (size_t i = 0; i < nfiles && nids < FS_ARRAY_SIZE(ids); i++)
    snprintf(ids[nids++], sizeof(ids[0]), "%.*s", (int)(strlen(files[i]) - 5), files[i]);
  test_free_list(files, nfiles);
  if (nids < min_events)
    fail_msg("%s: %zu event files, expected at least %zu", events_dir, nids, min_events);
  struct detect_sigma_loader *l = detect_sigma_loader_new();
  size_t loaded = 0;
  struct fs_err err;
  for (size_t i = 0; i < ndirs; i++)
    load_rules_with_ids(l, rule_dirs[i], ids, nids, &loaded);
  assert_true(loaded >= nids);
  struct detect_sigma_set *s = detect_sigma_compile(l, NULL, NULL, &err);
  assert_non_null(s);
  struct detect_sigma_thread *t = detect_sigma_thread_new();
  size_t missed = 0;
  for (size_t i = 0; i < nids; i++) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s.json", events_dir, ids[i]);
    struct want w = {s, ids[i], false, 0};
    match_file(s, t, path, &w);
    if (!w.found) {
      printf("not matched by its rule: %s\n", path);
      missed++;
    }
  }
  assert_int_equal(missed, 0);
  if (quiet_dir) {
    char **quiet = test_list_files(quiet_dir, ".json", &nfiles);
    assert_true(nfiles > 0);
    size_t loud = 0;
    for (size_t i = 0; i < nfiles; i++) {
      char path[1024];
      snprintf(path, sizeof(path), "%s/%s", quiet_dir, quiet[i]);
      struct want w = {s, "", false, 0};
      if (match_file(s, t, path, &w)) {
        printf("matched, but no rule should: %s\n", path);
        loud++;
      }
    }
    test_free_list(quiet, nfiles);
    assert_int_equal(loud, 0);
  }
  detect_sigma_thread_free(t);
  detect_sigma_set_free(s);
}

/* The project's rules and events (tests/data/sigma): routing by Sysmon event id, Security 4688,
 * PowerShell 4104 and ECS; windash, all, cidr, re, wide and base64offset; filters. */
static void test_regression(void **state)
{
  (void)state;
  char rule_dir[1024], events[1024], quiet[1024];
  test_fixture_path(rule_dir, sizeof(rule_dir), "sigma/rules");
  test_fixture_path(events, sizeof(events), "sigma/events");
  test_fixture_path(quiet, sizeof(quiet), "sigma/quiet");
  const char *const dirs[] = {rule_dir};
  check_regression(dirs, 1, events, 7, quiet);
}

/* Corpus run: SigmaHQ's regression events with the rules they belong to (the whole rule set is
 * compiled by the integration test scan_sigma's corpus run). */
static void test_sigmahq_regression(void **state)
{
  (void)state;
  char rule_dirs[3][1024], events[1024];
  test_corpus_path(rule_dirs[0], sizeof(rule_dirs[0]), "sigma/rules");
  test_corpus_path(rule_dirs[1], sizeof(rule_dirs[1]), "sigma/rules-emerging-threats");
  test_corpus_path(rule_dirs[2], sizeof(rule_dirs[2]), "sigma/rules-threat-hunting");
  test_corpus_path(events, sizeof(events), "sigma/regression");
  const char *const dirs[] = {rule_dirs[0], rule_dirs[1], rule_dirs[2]};
  check_regression(dirs, 3, events, 144, NULL);
}

int main(int argc, char **argv)
{
  if (test_corpus_run(argc, argv)) {
    int rc = test_corpus_require("sigma");
    const struct CMUnitTest corpus[] = {cmocka_unit_test(test_sigmahq_regression)};
    return rc ? rc : cmocka_run_group_tests_name("corpus", corpus, setup, teardown);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_modifiers),     cmocka_unit_test(test_routing_and_mapping),
      cmocka_unit_test(test_loader_errors), cmocka_unit_test(test_correlation),
      cmocka_unit_test(test_regression),    cmocka_unit_test(test_shared_databases),
      cmocka_unit_test(test_name_memory),   cmocka_unit_test(test_deferred_regex),
      cmocka_unit_test(test_case_folding),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
