/* Unit tests of compound STIX patterns on events: STIX paths to event fields per source (syslog
 * key=value, CEF, ECS, Sysmon/evtx JSON) and canonical forms, the choice of anchors and the
 * reasons patterns are skipped, evaluation through the worker (AND with a port, file name and
 * hash, OR of two ANDs, NOT, LIKE and MATCHES, ranges, subdomains), visibility, validity and
 * revocation of compound entries, rebuilds that share patterns, and the project's example bundles
 * and patterns (the OASIS ones in the corpus run). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/file.h"
#include "detect/ioc_compound.h"
#include "detect/ioc_stix.h"
#include "detect/stix_fields.h"
#include "detect/worker.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testdata.h"

#define T2026 1767225600000LL /* 2026-01-01T00:00:00Z */
#define SHA256 "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"
#define SHA256_UP "AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F"
#define MD5 "79054025255fb1a26e4bc422aef54eb4"
#define MD5_UP "79054025255FB1A26E4BC422AEF54EB4"
#define SYSMON(id, data)                                                                           \
  "{\"Event\":{\"System\":{\"EventID\":" #id ",\"Channel\":\"Microsoft-Windows-Sysmon/"            \
  "Operational\"},\"EventData\":{" data "}}}"

/* ---- paths and lookups -------------------------------------------------------------------- */

/* The values the view gives for the path of a one-test pattern in a record, joined by '|'. */
static const char *values_of(const char *record, const char *pattern)
{
  static char out[1024];
  struct detect_event *ev = malloc(sizeof(*ev));
  struct detect_stix_view *v = detect_stix_view_new();
  struct stix_pattern p;
  struct fs_err err;
  assert_non_null(ev);
  assert_non_null(v);
  if (stix_pattern_parse(&p, pattern, strlen(pattern), NULL, &err))
    fail_msg("%s: %s: %s", pattern, err.where, err.msg);
  if (detect_parse_record(DETECT_FMT_AUTO, record, strlen(record), ev, &err))
    fail_msg("%s: %s: %s", record, err.where, err.msg);
  detect_stix_view_reset(v, ev);
  size_t n = 0;
  out[0] = '\0';
  struct stix_pattern_value val;
  for (size_t i = 0; detect_stix_lookup(v, &p.root->cmp->path, i, &val); i++) {
    if (val.kind == STIX_PATTERN_VAL_INT)
      n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%lld", i ? "|" : "", (long long)val.i);
    else
      n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%.*s", i ? "|" : "", (int)val.len, val.s);
  }
  stix_pattern_release(&p);
  detect_stix_view_free(v);
  free(ev);
  return out;
}

static void test_paths(void **state)
{
  (void)state;
  static const char kv[] = "<134>1 2026-01-02T00:00:00Z fw fw - - - deny src=10.0.0.5 "
                           "dst=2001:DB8::1 dport=443 proto=6";
  static const char cef[] = "CEF:0|V|P|1|1|n|5|src=10.0.0.5 spt=5000 dhost=WWW.Example.COM "
                            "dpt=8080 suser=bob fname=a.txt fsize=1234 fileHash=" MD5_UP;
  static const char sysmon1[] =
      SYSMON(1, "\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\","
                "\"CommandLine\":\"cmd /c whoami\",\"ProcessId\":\"4242\","
                "\"User\":\"CORP\\\\alice\",\"Hashes\":\"MD5=" MD5_UP ",SHA256=" SHA256_UP "\"");
  static const char sysmon13[] = SYSMON(13, "\"TargetObject\":\"HKLM\\\\Software\\\\Evil\\\\Run\"");
  static const char ecs[] =
      "{\"event\":{\"category\":\"network\"},\"source\":{\"ip\":\"10.0.0.5\",\"port\":5000},"
      "\"destination\":{\"ip\":\"198.51.100.7\",\"port\":443},\"network\":{\"transport\":\"TCP\"},"
      "\"file\":{\"path\":\"/tmp/x/evil.sh\"},\"process\":{\"name\":\"bash\",\"command_line\":"
      "\"bash -c x\",\"pid\":77},\"user\":{\"id\":\"1000\",\"name\":\"root\"},"
      "\"email\":{\"from\":{\"address\":\"A@B.example\"},\"subject\":\"hi\"}}";
  static const char mail[] = "from=<Ceo@Fraud.example> to=cfo@bank.example subject=hi";
  static const char text[] =
      "<13>Jan  2 03:04:05 px proxy: GET http://Evil.example/a from 203.0.113.5";
  static const struct {
    const char *record, *pattern, *want;
  } cases[] = {
      /* syslog key=value */
      {kv, "[network-traffic:dst_ref.value = 'x']", "2001:db8::1"},
      {kv, "[network-traffic:dst_ref.type = 'x']", "ipv6-addr"},
      {kv, "[network-traffic:src_ref.value = 'x']", "10.0.0.5"},
      {kv, "[network-traffic:src_ref.type = 'x']", "ipv4-addr"},
      {kv, "[network-traffic:dst_port = 1]", "443"},
      {kv, "[network-traffic:src_port = 1]", ""},
      {kv, "[network-traffic:protocols[*] = 'x']", "tcp"},
      {kv, "[network-traffic:protocols[0] = 'x']", "tcp"},
      {kv, "[network-traffic:protocols[1] = 'x']", ""},
      {kv, "[ipv4-addr:value = 'x']", "10.0.0.5"},
      {kv, "[ipv6-addr:value = 'x']", "2001:db8::1"},
      {kv, "[mutex:name = 'x']", ""},
      /* CEF */
      {cef, "[network-traffic:dst_ref.value = 'x']", "www.example.com"},
      {cef, "[network-traffic:dst_ref.type = 'x']", "domain-name"},
      {cef, "[network-traffic:src_port = 1]", "5000"},
      {cef, "[network-traffic:dst_port = 1]", "8080"},
      {cef, "[user-account:account_login = 'x']", "bob"},
      {cef, "[file:name = 'x']", "a.txt"},
      {cef, "[file:size = 1]", "1234"},
      {cef, "[file:hashes.MD5 = '" MD5 "']", MD5},
      {cef, "[file:hashes.'SHA-256' = '" SHA256 "']", ""},
      /* what the tokenizer takes for a name, as the index does ("a.txt") */
      {cef, "[domain-name:value = 'x']", "www.example.com|a.txt"},
      /* Sysmon (evtx as JSON) */
      {sysmon1, "[process:name = 'x']", "cmd.exe"},
      {sysmon1, "[process:image_ref.name = 'x']", "cmd.exe"},
      {sysmon1, "[process:command_line = 'x']", "cmd /c whoami"},
      {sysmon1, "[process:pid = 1]", "4242"},
      {sysmon1, "[user-account:account_login = 'x']", "CORP\\alice|alice"},
      {sysmon1, "[file:hashes.'SHA-256' = '" SHA256 "']", SHA256},
      {sysmon1, "[file:hashes.md5 = '" MD5 "']", MD5},
      {sysmon13, "[windows-registry-key:key = 'x']", "HKEY_LOCAL_MACHINE\\Software\\Evil\\Run"},
      /* ECS */
      {ecs, "[network-traffic:dst_port = 1]", "443"},
      {ecs, "[network-traffic:src_ref.value = 'x']", "10.0.0.5"},
      {ecs, "[network-traffic:dst_ref.value = 'x']", "198.51.100.7"},
      {ecs, "[network-traffic:protocols[*] = 'x']", "tcp"},
      {ecs, "[file:name = 'x']", "evil.sh"},
      {ecs, "[process:name = 'x']", "bash"},
      {ecs, "[process:command_line = 'x']", "bash -c x"},
      {ecs, "[process:pid = 1]", "77"},
      {ecs, "[user-account:user_id = 'x']", "1000"},
      {ecs, "[user-account:account_login = 'x']", "root"},
      {ecs, "[email-message:from_ref.value = 'x']", "a@b.example"},
      {ecs, "[email-message:subject = 'x']", "hi"},
      /* mail key=value */
      {mail, "[email-message:from_ref.value = 'x']", "ceo@fraud.example"},
      {mail, "[email-message:sender_ref.value = 'x']", "ceo@fraud.example"},
      {mail, "[email-message:to_refs[*].value = 'x']", "cfo@bank.example"},
      {mail, "[email-message:to_refs[0].value = 'x']", "cfo@bank.example"},
      {mail, "[email-message:to_refs[1].value = 'x']", ""},
      {mail, "[email-addr:value = 'x']", "ceo@fraud.example|cfo@bank.example"},
      {mail, "[email-message:subject = 'x']", "hi"},
      /* free text: value paths only */
      {text, "[url:value = 'x']", "http://evil.example/a"},
      {text, "[domain-name:value = 'x']", "evil.example"},
      {text, "[ipv4-addr:value = 'x']", "203.0.113.5"},
      {text, "[network-traffic:dst_ref.value = 'x']", ""},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(cases); i++) {
    const char *got = values_of(cases[i].record, cases[i].pattern);
    if (strcmp(got, cases[i].want))
      fail_msg("case %zu: %s: got \"%s\", want \"%s\"", i, cases[i].pattern, got, cases[i].want);
  }

  /* canonical forms and the anchor type of a canonical literal */
  char out[256];
  size_t len;
  assert_true(detect_stix_canon(DETECT_STIX_DST, "10.0.0.0/8", 10, out, sizeof(out), &len));
  assert_memory_equal(out, "10.0.0.0/8", len);
  assert_false(detect_stix_canon(DETECT_STIX_IPV4, "2001:db8::1", 11, out, sizeof(out), &len));
  assert_true(detect_stix_canon(DETECT_STIX_REG_KEY, "hkcu\\X", 6, out, sizeof(out), &len));
  assert_int_equal(len, 19);
  assert_memory_equal(out, "HKEY_CURRENT_USER\\X", len);
  assert_true(detect_stix_canon(DETECT_STIX_PROTOCOLS, "17", 2, out, sizeof(out), &len));
  assert_memory_equal(out, "udp", len);
  assert_false(detect_stix_canon(DETECT_STIX_URL, "http://x.example/", 17, out, 4, &len));
  assert_int_equal(detect_stix_anchor_type(DETECT_STIX_DST, "c2.example", 10), DETECT_IOC_DOMAIN);
  assert_int_equal(detect_stix_anchor_type(DETECT_STIX_DST, "fileserver", 10), -1);
  assert_int_equal(detect_stix_anchor_type(DETECT_STIX_IPV6, "10.0.0.1", 8), -1);
  assert_int_equal(detect_stix_anchor_type(DETECT_STIX_MD5, MD5, 32), DETECT_IOC_MD5);
  assert_int_equal(detect_stix_anchor_type(DETECT_STIX_PROC_NAME, "a.exe", 5), -1);
  struct stix_pattern p;
  struct fs_err err;
  const char *q = "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]";
  assert_int_equal(stix_pattern_parse(&p, q, strlen(q), NULL, &err), FS_OK);
  detect_stix_path_text(&p.root->cmp->path, out, sizeof(out));
  assert_string_equal(out, "file:extensions.'windows-pebinary-ext'.sections[*].entropy");
  stix_pattern_release(&p);
}

/* ---- anchors and reasons ------------------------------------------------------------------ */

/* "type:value ..." of the anchors, or "skip: <reason>". */
static const char *anchors_of(const char *pattern)
{
  static char out[2048];
  struct stix_pattern p;
  struct fs_err err;
  assert_int_equal(stix_pattern_parse(&p, pattern, strlen(pattern), NULL, &err), FS_OK);
  struct detect_ioc_pattern *pat;
  int rc = detect_ioc_pattern_compile(&p, pattern, strlen(pattern), &pat, &err);
  assert_null(p.root); /* taken over */
  if (rc) {
    assert_true(rc == FS_ERR_UNSUPPORTED || rc == FS_ERR_INVALID);
    snprintf(out, sizeof(out), "skip: %s", err.msg);
    return out;
  }
  const struct detect_ioc_anchor *a;
  size_t n = detect_ioc_pattern_anchors(pat, &a), o = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n; i++)
    o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s:%s", i ? " " : "",
                          detect_ioc_type_name(a[i].type), a[i].value);
  assert_string_equal(detect_ioc_pattern_text(pat), pattern);
  detect_ioc_pattern_unref(pat);
  return out;
}

static void test_anchors(void **state)
{
  (void)state;
  static const struct {
    const char *pattern, *want; /* want: the anchors, or the start of the reason */
  } cases[] = {
      {"[ipv4-addr:value = '198.51.100.7' AND network-traffic:dst_port = 443]",
       "ipv4:198.51.100.7"},
      {"[file:name = 'evil.dll' AND file:hashes.'SHA-256' = '" SHA256_UP "']", "sha256:" SHA256},
      /* the cheaper side of an AND: a hash before an address */
      {"[ipv4-addr:value = '1.2.3.4' AND file:hashes.MD5 = '" MD5 "']", "md5:" MD5},
      /* OR of two ANDs: one anchor per branch */
      {"[(ipv4-addr:value = '203.0.113.10' AND network-traffic:dst_port = 22) OR "
       "(domain-name:value = 'Evil.Example.' AND process:name = 'curl.exe')]",
       "ipv4:203.0.113.10 domain:evil.example"},
      {"[network-traffic:dst_ref.value IN ('198.51.100.0/24', 'c2.example') AND "
       "network-traffic:dst_port = 443]",
       "ipv4:198.51.100.0/24 domain:c2.example"},
      {"[network-traffic:dst_ref.value ISSUBSET '2001:0db8::/32']", "ipv6:2001:db8::/32"},
      {"[email-message:sender_ref.value = 'JDoe@Example.com' AND email-message:subject = 'x']",
       "email:jdoe@example.com"},
      {"[url:value = 'HTTP://Phish.Example:80/login' AND process:name = 'x']",
       "url:http://phish.example/login"},
      /* NOT: a negated test is no anchor, the other side is */
      {"[ipv4-addr:value NOT = '1.2.3.4' AND domain-name:value = 'x.example']", "domain:x.example"},
      /* a branch no event can satisfy needs no anchor */
      {"[ipv4-addr:value = '1.2.3.4' OR (artifact:mime_type = 'x' AND artifact:url = 'y')]",
       "ipv4:1.2.3.4"},
      {"[process:name = 'evil.exe' AND network-traffic:dst_port = 4444]", "skip: no anchor"},
      {"[ipv4-addr:value != '1.2.3.4' AND network-traffic:dst_port = 1]", "skip: no anchor"},
      {"[ipv4-addr:value = '1.2.3.4' OR process:name = 'x']", "skip: no anchor"},
      {"[domain-name:value = 'fileserver' AND network-traffic:dst_port = 1]", "skip: no anchor"},
      {"[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = "
       "'198.51.100.1/32']",
       "skip: no event field gives domain-name:resolves_to_refs[*].value"},
      {"[x509-certificate:issuer = 'CN=x' AND ipv4-addr:value = '1.2.3.4']",
       "skip: no event field gives x509-certificate:issuer"},
      {"[ipv4-addr:value = '198.51.100.7'] AND [domain-name:value = 'evil.example']",
       "skip: several observations"},
      {"[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '1.2.3.5']",
       "skip: several observations"},
      {"[ipv4-addr:value = '1.2.3.4' AND network-traffic:dst_port = 1] REPEATS 5 TIMES",
       "skip: a qualifier"},
      {"[ipv4-addr:value = '1.2.3.4' AND process:name MATCHES '(']",
       "skip: bad regular expression"},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(cases); i++) {
    const char *got = anchors_of(cases[i].pattern);
    if (strncmp(got, cases[i].want, strlen(cases[i].want)) ||
        (strncmp(cases[i].want, "skip:", 5) && strcmp(got, cases[i].want)))
      fail_msg("case %zu: %s: got \"%s\", want \"%s\"", i, cases[i].pattern, got, cases[i].want);
  }
}

/* ---- evaluation through the worker -------------------------------------------------------- */

struct engine {
  struct detect_ioc_index *ix;
  struct detect_worker *w;
  char errors[4096];
  size_t nerr;
  char out[2048];
  size_t n;
};

static int on_load_error(void *arg, const struct fs_err *e)
{
  struct engine *g = arg;
  g->nerr += (size_t)snprintf(g->errors + g->nerr, sizeof(g->errors) - g->nerr, "%.2s %s\n",
                              e->where + strlen(e->where) - 2, e->msg);
  return 0;
}

/* Loads indicators numbered 01, 02... with these patterns (NULL ends the list). */
static void load(struct engine *g, const char *const *patterns, const struct detect_visibility *vis,
                 const char *valid_until, bool revoked)
{
  memset(g, 0, sizeof(*g));
  json_t *objs = json_array();
  for (size_t i = 0; patterns[i]; i++) {
    char id[64];
    snprintf(id, sizeof(id), "indicator--00000000-0000-4000-8000-0000000000%02zu", i + 1);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "type", "indicator", "id", id, "pattern",
                          patterns[i], "pattern_type", "stix", "valid_from", "2020-01-01T00:00:00Z",
                          "revoked", revoked);
    if (valid_until)
      json_object_set_new(o, "valid_until", json_string(valid_until));
    json_array_append_new(objs, o);
  }
  char *text = json_dumps(objs, 0);
  json_decref(objs);
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  struct detect_ioc_load_opts o = {.vis = vis, .on_error = on_load_error, .arg = g};
  size_t loaded;
  struct fs_err err;
  assert_int_equal(detect_iocs_load_stix(b, text, strlen(text), "t.json", &o, &loaded, &err),
                   FS_OK);
  free(text);
  g->ix = detect_ioc_builder_finish(b);
  g->w = detect_worker_new();
  assert_non_null(g->ix);
  assert_non_null(g->w);
}

static void unload(struct engine *g)
{
  detect_ioc_index_free(g->ix);
  detect_worker_free(g->w);
}

static int on_alert(void *arg, const struct detect_alert *a)
{
  struct engine *g = arg;
  struct detect_ioc_info info;
  assert_int_equal(a->kind, DETECT_ALERT_IOC);
  detect_ioc_describe(g->ix, a->ioc_entry, &info);
  size_t sl = strlen(info.source_id);
  g->n += (size_t)snprintf(g->out + g->n, sizeof(g->out) - g->n, "%s%s%s %.*s=%.*s",
                           g->n ? " " : "", info.source_id + sl - 2, info.pattern ? "*" : "",
                           (int)a->field_len, a->field, (int)a->match_len, a->match);
  return 0;
}

/* The alerts of one record as "NN[*] field=match ..." (* when a pattern was evaluated). */
static const char *run(struct engine *g, const char *record, uint32_t org)
{
  struct detect_engine_view v = {.ioc = g->ix};
  struct detect_record_ctx c = {.format = DETECT_FMT_AUTO, .org = org, .now_ms = T2026};
  struct fs_err err;
  g->n = 0;
  g->out[0] = '\0';
  assert_int_equal(detect_worker_record(g->w, &v, &c, record, strlen(record), on_alert, g, &err),
                   FS_OK);
  return g->out;
}

#define ANY DETECT_ORG_UNRESTRICTED
#define KV(msg) "<134>1 2026-01-02T00:00:00Z fw fw - - - " msg

static void test_evaluation(void **state)
{
  (void)state;
  static const char *const patterns[] = {
      /* 01 */ "[ipv4-addr:value = '198.51.100.7' AND network-traffic:dst_port = 443]",
      /* 02 */ "[file:name = 'evil.dll' AND file:hashes.'SHA-256' = '" SHA256_UP "']",
      /* 03 */
      "[(ipv4-addr:value = '203.0.113.10' AND network-traffic:dst_port = 22) OR "
      "(domain-name:value = 'evil.example' AND process:name = 'curl.exe')]",
      /* 04 */ "[ipv4-addr:value = '192.0.2.50' AND network-traffic:dst_port NOT IN (80, 443)]",
      /* 05 */ "[process:command_line LIKE '%-enc %' AND file:hashes.MD5 = '" MD5 "']",
      /* 06 */
      "[email-addr:value = 'ceo@fraud.example' AND email-message:subject MATCHES "
      "'^(?i)urgent']",
      /* 07 */
      "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = "
      "'198.18.0.0/15' AND network-traffic:dst_port = 3389]",
      /* 08 */
      "[network-traffic:dst_ref.value = 'c2.example' AND network-traffic:protocols[*] = 'tcp']",
      /* 09 */
      "[user-account:account_login = 'alice' AND url:value = 'https://bank.example/admin']",
      /* 10 */ "[process:name = 'evil.exe' AND network-traffic:dst_port = 4444]",
      /* 11 */ "[ipv4-addr:value = '198.51.100.9'] AND [domain-name:value = 'evil.example']",
      /* 12 */
      "[ipv4-addr:value = '198.51.100.9' AND network-traffic:dst_port = 1] REPEATS 5 TIMES "
      "WITHIN 60 SECONDS",
      /* 13 */ "[x509-certificate:issuer = 'CN=x' AND ipv4-addr:value = '198.51.100.9']",
      /* 14 */ "[ipv4-addr:value = '192.0.2.99']", NULL};
  struct engine g;
  load(&g, patterns, NULL, NULL, false);
  const char *e = g.errors;
  for (int k = 10; k <= 13; k++) { /* each skipped one is reported, in order, with its reason */
    char id[8];
    snprintf(id, sizeof(id), "%02d ", k);
    assert_memory_equal(e, id, 3);
    assert_non_null(strstr(e, "compound pattern not matched: "));
    e = strchr(e, '\n') + 1;
  }
  assert_string_equal(e, "");
  assert_non_null(strstr(g.errors, "10 compound pattern not matched: no anchor"));
  assert_non_null(strstr(g.errors, "11 compound pattern not matched: several observations"));
  assert_non_null(strstr(g.errors, "12 compound pattern not matched: a qualifier"));
  assert_non_null(strstr(g.errors, "13 compound pattern not matched: no event field gives "
                                   "x509-certificate:issuer"));
  struct detect_ioc_stats st;
  detect_ioc_index_stats(g.ix, &st);
  assert_int_equal(st.compound_evaluated, 9);
  assert_int_equal(st.compound_skipped, 4);
  assert_true(detect_ioc_has_patterns(g.ix));

  static const struct {
    const char *record, *want;
  } cases[] = {
      /* 01: the address with the port, from every source; never without the port */
      {KV("deny src=10.0.0.5 dst=198.51.100.7 dport=443"), "01* dst=198.51.100.7"},
      {KV("deny src=10.0.0.5 dst=198.51.100.7 dport=80"), ""},
      {"CEF:0|V|FW|1|100|x|5|src=10.0.0.5 dst=198.51.100.7 dpt=443", "01* dst=198.51.100.7"},
      {"{\"event\":{\"category\":\"network\"},\"source\":{\"ip\":\"10.0.0.5\"},"
       "\"destination\":{\"ip\":\"198.51.100.7\",\"port\":443}}",
       "01* destination.ip=198.51.100.7"},
      {SYSMON(3, "\"DestinationIp\":\"198.51.100.7\",\"DestinationPort\":\"443\""),
       "01* Event.EventData.DestinationIp=198.51.100.7"},
      {"outbound to 198.51.100.7 on port 443", ""},
      /* 02: the file's name and hash (Sysmon hashes upper case; ECS lower) */
      {SYSMON(29, "\"TargetFilename\":\"C:\\\\Users\\\\x\\\\evil.dll\",\"Hashes\":\"MD5=00,"
                  "SHA256=" SHA256_UP "\""),
       "02* Event.EventData.Hashes=" SHA256_UP},
      {"{\"event\":{\"category\":\"file\"},\"file\":{\"name\":\"evil.dll\",\"hash\":{\"sha256\":"
       "\"" SHA256 "\"}}}",
       "02* file.hash.sha256=" SHA256},
      {"CEF:0|V|AV|1|1|x|5|fname=good.dll fileHash=" SHA256, ""},
      /* 03: either branch */
      {KV("deny dst=203.0.113.10 dport=22"), "03* dst=203.0.113.10"},
      {KV("deny dst=203.0.113.10 dport=23"), ""},
      {SYSMON(1, "\"Image\":\"C:\\\\tools\\\\curl.exe\",\"CommandLine\":\"curl "
                 "https://cdn.evil.example/x\""),
       "03* Event.EventData.CommandLine=cdn.evil.example"},
      {SYSMON(1, "\"Image\":\"C:\\\\tools\\\\powershell.exe\",\"CommandLine\":\"iwr "
                 "https://cdn.evil.example/x\""),
       ""},
      /* 04: NOT IN; a comparison on a path the event lacks is false, negated or not */
      {KV("deny dst=192.0.2.50 dport=8080"), "04* dst=192.0.2.50"},
      {KV("deny dst=192.0.2.50 dport=443"), ""},
      {KV("deny dst=192.0.2.50"), ""},
      /* 05: LIKE */
      {SYSMON(1, "\"CommandLine\":\"powershell -nop -enc SQBFAFgA\",\"Hashes\":\"MD5=" MD5_UP "\""),
       "05* Event.EventData.Hashes=" MD5_UP},
      {SYSMON(1, "\"CommandLine\":\"powershell -nop\",\"Hashes\":\"MD5=" MD5_UP "\""), ""},
      /* 06: MATCHES */
      {"from=<ceo@fraud.example> to=<cfo@bank.example> subject=\"URGENT: wire\"",
       "06* from=ceo@fraud.example"},
      {"from=<ceo@fraud.example> to=<cfo@bank.example> subject=\"Lunch\"", ""},
      /* 07: a range, on the destination only, with its type */
      {KV("deny src=10.1.1.1 dst=198.18.5.5 dport=3389"), "07* dst=198.18.5.5"},
      {KV("deny src=198.18.5.5 dst=10.1.1.1 dport=3389"), ""},
      /* 08: a host and its subdomains, never a longer name; protocols by number too */
      {"CEF:0|V|FW|1|1|x|5|dhost=beacon.c2.example proto=TCP", "08* dhost=beacon.c2.example"},
      {"CEF:0|V|FW|1|1|x|5|dhost=beacon.c2.example proto=6", "08* dhost=beacon.c2.example"},
      {"CEF:0|V|FW|1|1|x|5|dhost=beacon.c2.example proto=17", ""},
      {"CEF:0|V|FW|1|1|x|5|dhost=notc2.example proto=TCP", ""},
      /* 09: a normalised URL, an account with or without its domain */
      {"{\"process\":{\"name\":\"x\"},\"user\":{\"name\":\"alice\"},\"url\":{\"full\":\"https://"
       "BANK.example:443/admin\"}}",
       "09* url.full=https://BANK.example:443/admin"},
      {"{\"process\":{\"name\":\"x\"},\"user\":{\"name\":\"bob\"},\"url\":{\"full\":\"https://"
       "bank.example/admin\"}}",
       ""},
      {SYSMON(1, "\"User\":\"CORP\\\\alice\",\"CommandLine\":\"curl https://bank.example/admin\""),
       "09* Event.EventData.CommandLine=https://bank.example/admin"},
      /* skipped patterns never match; a simple indicator still does, without a pattern */
      {KV("deny dst=198.51.100.9 dport=1 evil.example"), ""},
      {KV("deny src=10.0.0.1 dst=192.0.2.99"), "14 dst=192.0.2.99"},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(cases); i++) {
    const char *got = run(&g, cases[i].record, ANY);
    if (strcmp(got, cases[i].want))
      fail_msg("case %zu: %s: got \"%s\", want \"%s\"", i, cases[i].record, got, cases[i].want);
  }
  unload(&g);
}

/* ---- visibility, validity, revocation, rebuilds ------------------------------------------- */

static void test_visibility_window_revocation(void **state)
{
  (void)state;
  enum { ORG_A = 7, ORG_B = 8 };
  const uint32_t only_a[] = {ORG_A};
  struct detect_visibility va = {.n = 1, .orgs = only_a};
  static const char *const amber[] = {
      "[ipv4-addr:value = '198.51.100.77' AND network-traffic:dst_port = 8443]", NULL};
  static const char line[] = KV("allow src=10.2.3.4 dst=198.51.100.77 dport=8443");
  struct engine g;
  /* An indicator only A may see: A's events match it, B's never, nor those of no organisation. */
  load(&g, amber, &va, NULL, false);
  assert_string_equal(run(&g, line, ORG_A), "01* dst=198.51.100.77");
  assert_string_equal(run(&g, line, ORG_B), "");
  assert_string_equal(run(&g, line, DETECT_ORG_NONE), "");
  /* Rebuilt from the previous index (as the hub does on a change): the pattern is shared and
   * outlives the old index. */
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  struct fs_err err;
  assert_int_equal(detect_ioc_builder_add_index(b, g.ix, NULL, NULL, &err), FS_OK);
  detect_ioc_index_free(g.ix);
  g.ix = detect_ioc_builder_finish(b);
  assert_string_equal(run(&g, line, ORG_A), "01* dst=198.51.100.77");
  assert_string_equal(run(&g, line, ORG_B), "");
  struct detect_ioc_info info;
  detect_ioc_describe(g.ix, 0, &info);
  assert_string_equal(info.pattern, amber[0]);
  assert_string_equal(info.value, "198.51.100.77");
  unload(&g);

  /* Validity: not after valid_until (events carry their own time). */
  load(&g, amber, NULL, "2025-01-01T00:00:00Z", false);
  assert_string_equal(run(&g, line, ANY), "");
  assert_string_equal(
      run(&g, "<134>1 2024-06-01T00:00:00Z fw fw - - - allow dst=198.51.100.77 dport=8443", ANY),
      "01* dst=198.51.100.77");
  unload(&g);

  /* Revoked: no anchor, no pattern in the index. */
  load(&g, amber, NULL, NULL, true);
  struct detect_ioc_stats st;
  detect_ioc_index_stats(g.ix, &st);
  assert_int_equal(st.revoked, 1);
  assert_int_equal(st.compound_evaluated, 0);
  assert_string_equal(run(&g, line, ANY), "");
  unload(&g);
}

/* ---- example bundles and pattern lists: the project's, and OASIS's in the corpus run --------- */

static int count_spec(void *arg, const struct detect_ioc_spec *spec)
{
  (void)spec;
  (*(size_t *)arg)++;
  return 0;
}

/* A bundle loads; what cannot be matched is reported, not fatal. */
static void load_bundle(const char *path, const struct fs_buf *buf, void *arg)
{
  (void)arg;
  struct fs_err err;
  struct engine g;
  memset(&g, 0, sizeof(g));
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  struct detect_ioc_load_opts o = {.on_error = on_load_error, .arg = &g};
  size_t loaded;
  if (detect_iocs_load_stix(b, buf->data, buf->len, path, &o, &loaded, &err))
    fail_msg("%s: %s: %s", path, err.where, err.msg);
  detect_ioc_index_free(detect_ioc_builder_finish(b));
}

/* Every bundle of dir (at least min_files) loads (load_bundle). Each pattern of the list is S
 * simple, E evaluated on events, K skipped or P refused, and the kinds read in order are
 * want_kinds. */
static void check_bundles_and_patterns(const char *dir, size_t min_files, const char *patterns,
                                       const char *want_kinds)
{
  test_each_file(dir, ".json", min_files, load_bundle, NULL);

  struct fs_buf buf;
  struct fs_err err;
  test_read_file(patterns, &buf);
  char kinds[64] = "";
  size_t nk = 0;
  for (char *line = buf.data, *end = buf.data + buf.len; line < end && nk < 63;) {
    char *nl = memchr(line, '\n', (size_t)(end - line));
    size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
    if (len) {
      char *pattern = strndup(line, len);
      json_t *ind =
          json_pack("{s:s,s:s,s:s}", "type", "indicator", "id",
                    "indicator--00000000-0000-4000-8000-000000000001", "pattern", pattern);
      struct detect_stix_outcome out;
      size_t specs = 0;
      int rc = detect_ioc_specs_from_stix(ind, NULL, count_spec, &specs, &out, &err);
      json_decref(ind);
      free(pattern);
      assert_true(rc == FS_OK || rc == FS_ERR_PARSE);
      assert_true(rc || out.kind == DETECT_STIX_SKIPPED || specs > 0);
      kinds[nk++] = rc                                  ? 'P'
                    : out.kind == DETECT_STIX_SIMPLE    ? 'S'
                    : out.kind == DETECT_STIX_EVALUATED ? 'E'
                                                        : 'K';
    }
    line += len + 1;
  }
  kinds[nk] = '\0';
  fs_buf_release(&buf);
  if (strcmp(kinds, want_kinds))
    fail_msg("%s: kinds %s, expected %s", patterns, kinds, want_kinds);
}

static void test_project_examples(void **state)
{
  (void)state;
  char dir[1024], patterns[1024];
  test_fixture_path(dir, sizeof(dir), "stix/examples");
  test_fixture_path(patterns, sizeof(patterns), "stix/patterns.txt");
  check_bundles_and_patterns(dir, 4, patterns, "SESSSSSSEEEEKKSKKKKKKKS");
}

/* Corpus run: the OASIS examples and the specification's example patterns. */
static void test_oasis(void **state)
{
  (void)state;
  char dir[1024], patterns[1024];
  test_corpus_path(dir, sizeof(dir), "stix/examples");
  test_corpus_path(patterns, sizeof(patterns), "stix/patterns-valid.txt");
  check_bundles_and_patterns(dir, 8, patterns, "SKKKKKKKKKEKKSKSKEKKEKS");
}

int main(int argc, char **argv)
{
  if (test_corpus_run(argc, argv)) {
    int rc = test_corpus_require("stix");
    const struct CMUnitTest corpus[] = {cmocka_unit_test(test_oasis)};
    return rc ? rc : cmocka_run_group_tests_name("corpus", corpus, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_paths),
      cmocka_unit_test(test_anchors),
      cmocka_unit_test(test_evaluation),
      cmocka_unit_test(test_visibility_window_revocation),
      cmocka_unit_test(test_project_examples),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
