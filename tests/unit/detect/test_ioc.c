/* Unit tests of the indicator side: normal forms, the tokenizer, the index (types, ranges,
 * subdomains, validity, revocation, visibility), the loaders and live replacement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/rcu.h"
#include "detect/ioc.h"
#include "detect/ioc_compound.h"
#include "detect/ioc_norm.h"
#include "detect/tokenize.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testdata.h"

static void test_norm(void **state)
{
  (void)state;
  static const struct {
    const char *in, *out;
  } urls[] = {
      {"HTTP://Example.COM", "http://example.com/"},
      {"http://example.com:80/a%7eb%2fc#frag", "http://example.com/a~b%2Fc"},
      {"https://user@Host.example.:443/x?q=1", "https://user@host.example/x?q=1"},
      {"https://[2001:DB8::1]:8443/", "https://[2001:db8::1]:8443/"},
      {"ftp://h/%41", "ftp://h/A"},
  };
  char out[DETECT_URL_MAX + 1];
  for (size_t i = 0; i < FS_ARRAY_SIZE(urls); i++) {
    size_t n = detect_url_normalize(urls[i].in, strlen(urls[i].in), out);
    assert_true(n > 0);
    assert_string_equal(out, urls[i].out);
  }
  assert_int_equal(detect_url_normalize("example.com/x", 13, out), 0);
  assert_int_equal(detect_url_normalize("http://", 7, out), 0);

  static const struct {
    const char *in, *out;
  } ips[] = {
      {"10.1.2.3", "10.1.2.3"},
      {"10.1.2.3/8", "10.0.0.0/8"},
      {"2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
      {"::", "::"},
      {"::ffff:1.2.3.4", "::ffff:102:304"},
      {"2001:db8::/32", "2001:db8::/32"},
      {"0.0.0.0/0", "0.0.0.0/0"},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(ips); i++) {
    struct detect_ip ip;
    assert_true(detect_ip_parse(ips[i].in, strlen(ips[i].in), true, &ip));
    detect_ip_format(&ip, out, sizeof(out));
    assert_string_equal(out, ips[i].out);
  }
  static const char *const bad_ips[] = {
      "1.2.3",   "1.2.3.4.5", "256.1.1.1", "1.2.3.4/33", "1:2:3:4:5:6:7:8:9",
      "1::2::3", "12:34:56",  ":1:2"};
  for (size_t i = 0; i < FS_ARRAY_SIZE(bad_ips); i++) {
    struct detect_ip ip;
    assert_false(detect_ip_parse(bad_ips[i], strlen(bad_ips[i]), true, &ip));
  }
  assert_int_equal(detect_domain_normalize("WWW.Example.COM.", 16, true, out), 15);
  assert_string_equal(out, "www.example.com");
  assert_int_equal(detect_domain_normalize("localhost", 9, true, out), 0);
  assert_int_equal(detect_domain_normalize("a..b", 4, false, out), 0);
  assert_int_equal(detect_domain_normalize("-a.com", 6, false, out), 0);
  char ref[64];
  size_t n = detect_refang("hxxps://evil[.]example(.)com/x", 30, ref, sizeof(ref));
  assert_int_equal(n, 26);
  assert_memory_equal(ref, "https://evil.example.com/x", 26);
}

struct toks {
  char out[2048];
  size_t n;
};

static int on_tok(void *arg, const struct detect_token *t)
{
  static const char *const names[] = {"ip4", "ip6", "dom", "url", "mail", "hash"};
  struct toks *k = arg;
  k->n += (size_t)snprintf(k->out + k->n, sizeof(k->out) - k->n, "%s(%.*s) ", names[t->type],
                           (int)t->len, t->s);
  return 0;
}

static void test_tokenize(void **state)
{
  (void)state;
  static const struct {
    const char *in, *out;
  } cases[] = {
      {"Accepted password for root from 10.1.2.3 port 22 ssh2", "ip4(10.1.2.3) "},
      {"to 1.2.3.4:443, via 1.2.3.4.5 and 1.2.3 and 999.1.1.1.", "ip4(1.2.3.4) "},
      {"visit https://Evil.example.com/a?b=c, now.", "url(https://Evil.example.com/a?b=c) "
                                                     "dom(Evil.example.com) "},
      {"mail from <Bob.Smith+x@Mail.Example.org>", "mail(Bob.Smith+x@Mail.Example.org) "
                                                   "dom(Mail.Example.org) "},
      {"SHA256=C6A168C81654F5901E864C8FD61FA54F084CD8B2E0A8AC1B83EACF9EB4484F75,MD5="
       "EB20E119AAF500E2752DC5A588B54C12",
       "hash(C6A168C81654F5901E864C8FD61FA54F084CD8B2E0A8AC1B83EACF9EB4484F75) "
       "hash(EB20E119AAF500E2752DC5A588B54C12) "},
      {"src=2001:db8::1 dst=[fe80::1]:22 at 12:34:56 mac 00:11:22:33:44:55 ::1",
       "ip6(2001:db8::1) ip6(fe80::1) ip6(::1) "},
      {"query www.michigan.org. resolved", "dom(www.michigan.org) "},
      {"http://10.0.0.1:8080/x", "url(http://10.0.0.1:8080/x) ip4(10.0.0.1) "},
      {"run cmd.exe /c version 10.0.20348.1", "dom(cmd.exe) "},
      {"", ""},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(cases); i++) {
    struct toks k = {0};
    detect_tokenize(cases[i].in, strlen(cases[i].in), DETECT_TOK_ALL, on_tok, &k);
    assert_string_equal(k.out, cases[i].out);
  }
  /* only what is wanted */
  struct toks k = {0};
  detect_tokenize("a.example.com 1.2.3.4", 21, DETECT_TOK_BIT(DETECT_TOK_IPV4), on_tok, &k);
  assert_string_equal(k.out, "ip4(1.2.3.4) ");
}

/* ---- the index ---------------------------------------------------------------------------- */

struct hits {
  char out[4096];
  size_t n, count;
  const struct detect_ioc_index *ix;
};

static int on_hit(void *arg, const struct detect_ioc_hit *h)
{
  struct hits *k = arg;
  struct detect_ioc_info info;
  detect_ioc_describe(k->ix, h->entry, &info);
  k->n += (size_t)snprintf(k->out + k->n, sizeof(k->out) - k->n, "%s:%s%s<-%.*s ",
                           detect_ioc_type_name(info.type), info.value, h->pattern ? "*" : "",
                           (int)h->len, h->text);
  k->count++;
  return 0;
}

static const char *match(const struct detect_ioc_index *ix, const char *text, uint32_t org,
                         int64_t at)
{
  static struct hits k;
  memset(&k, 0, sizeof(k));
  k.ix = ix;
  struct detect_ioc_query q = {.org = org, .at_ms = at};
  detect_ioc_match_text(ix, text, strlen(text), &q, on_hit, &k);
  return k.out;
}

static void add(struct detect_ioc_builder *b, enum detect_ioc_type t, const char *v,
                const struct detect_visibility *vis, int64_t from, int64_t until, bool revoked)
{
  struct detect_ioc_spec s = {.type = t,
                              .value = v,
                              .value_len = strlen(v),
                              .valid_from = from,
                              .valid_until = until,
                              .revoked = revoked,
                              .vis = vis,
                              .source_id = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"};
  struct fs_err err;
  assert_int_equal(detect_ioc_builder_add(b, &s, &err), FS_OK);
}

#define ANY DETECT_ORG_UNRESTRICTED
#define NOF DETECT_TIME_NONE_FROM
#define NOU DETECT_TIME_NONE_UNTIL

static void test_index(void **state)
{
  (void)state;
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  assert_non_null(b);
  add(b, DETECT_IOC_IPV4, "203.0.113.7", NULL, NOF, NOU, false);
  add(b, DETECT_IOC_IPV4, "10.0.0.0/8", NULL, NOF, NOU, false);
  add(b, DETECT_IOC_IPV4, "10.20.0.0/16", NULL, NOF, NOU, false);
  add(b, DETECT_IOC_IPV6, "2001:db8::/32", NULL, NOF, NOU, false);
  add(b, DETECT_IOC_IPV6, "fe80::1", NULL, NOF, NOU, false);
  add(b, DETECT_IOC_DOMAIN, "higan.org", NULL, NOF, NOU, false);
  add(b, DETECT_IOC_DOMAIN, "Evil.Example.COM", NULL, NOF, NOU, false);
  add(b, DETECT_IOC_URL, "http://bad.test:80/path#x", NULL, NOF, NOU, false);
  add(b, DETECT_IOC_SHA256, "c6a168c81654f5901e864c8fd61fa54f084cd8b2e0a8ac1b83eacf9eb4484f75",
      NULL, NOF, NOU, false);
  add(b, DETECT_IOC_MD5, "EB20E119AAF500E2752DC5A588B54C12", NULL, NOF, NOU, false);
  add(b, DETECT_IOC_EMAIL, "Phish@Bad.Example", NULL, NOF, NOU, false);
  add(b, DETECT_IOC_IPV4, "198.51.100.1", NULL, 1000, 2000, false); /* valid in [1000, 2000) */
  add(b, DETECT_IOC_IPV4, "198.51.100.2", NULL, NOF, NOU, true);    /* revoked */
  add(b, DETECT_IOC_IPV4, "203.0.113.7", NULL, NOF, NOU, false);    /* a duplicate */
  add(b, DETECT_IOC_STRING, "Global\\EvilMutex", NULL, NOF, NOU, false);
  struct fs_err err;
  struct detect_ioc_spec bad = {.type = DETECT_IOC_IPV4,
                                .value = "example.com",
                                .value_len = 11,
                                .valid_from = NOF,
                                .valid_until = NOU};
  assert_int_equal(detect_ioc_builder_add(b, &bad, &err), FS_ERR_INVALID);
  assert_non_null(strstr(err.msg, "not an IPv4"));
  struct detect_ioc_index *ix = detect_ioc_builder_finish(b);
  assert_non_null(ix);
  struct detect_ioc_stats st;
  detect_ioc_index_stats(ix, &st);
  assert_int_equal(st.entries, 13);
  assert_int_equal(st.duplicates, 1);
  assert_int_equal(st.revoked, 1);
  assert_int_equal(st.cidrs, 3);

  assert_string_equal(match(ix, "from 203.0.113.7 to 203.0.113.8", ANY, 0),
                      "ipv4:203.0.113.7<-203.0.113.7 ");
  assert_string_equal(match(ix, "10.20.1.1", ANY, 0),
                      "ipv4:10.0.0.0/8<-10.20.1.1 ipv4:10.20.0.0/16<-10.20.1.1 ");
  assert_string_equal(match(ix, "10.255.255.255 11.0.0.0", ANY, 0),
                      "ipv4:10.0.0.0/8<-10.255.255.255 ");
  assert_string_equal(match(ix, "2001:db8:ffff::9 fe80::1 fe80::2", ANY, 0),
                      "ipv6:2001:db8::/32<-2001:db8:ffff::9 ipv6:fe80::1<-fe80::1 ");
  /* subdomains on label boundaries, never substrings */
  assert_string_equal(match(ix, "a.b.higan.org michigan.org higan.org.evil.com higan.org", ANY, 0),
                      "domain:higan.org<-a.b.higan.org domain:higan.org<-higan.org ");
  assert_string_equal(match(ix, "https://WWW.evil.example.com/x", ANY, 0),
                      "domain:evil.example.com<-WWW.evil.example.com ");
  assert_string_equal(match(ix, "GET http://BAD.test/path?", ANY, 0),
                      "url:http://bad.test/path<-http://BAD.test/path ");
  assert_string_equal(
      match(ix, "Hashes: SHA256=C6A168C81654F5901E864C8FD61FA54F084CD8B2E0A8AC1B83EACF9EB4484F75",
            ANY, 0),
      "sha256:c6a168c81654f5901e864c8fd61fa54f084cd8b2e0a8ac1b83eacf9eb4484f75<-"
      "C6A168C81654F5901E864C8FD61FA54F084CD8B2E0A8AC1B83EACF9EB4484F75 ");
  assert_string_equal(match(ix, "md5 eb20e119aaf500e2752dc5a588b54c12", ANY, 0),
                      "md5:eb20e119aaf500e2752dc5a588b54c12<-eb20e119aaf500e2752dc5a588b54c12 ");
  assert_string_equal(match(ix, "from phish@bad.example", ANY, 0),
                      "email:phish@bad.example<-phish@bad.example ");
  /* validity window and revocation */
  assert_string_equal(match(ix, "198.51.100.1", ANY, 999), "");
  assert_string_equal(match(ix, "198.51.100.1", ANY, 1000), "ipv4:198.51.100.1<-198.51.100.1 ");
  assert_string_equal(match(ix, "198.51.100.1", ANY, 2000), "");
  assert_string_equal(match(ix, "198.51.100.2", ANY, 0), "");
  /* string observables match whole values only */
  struct hits k = {.ix = ix};
  struct detect_ioc_query q = {.org = ANY};
  detect_ioc_match_string(ix, "Global\\EvilMutex", 16, &q, on_hit, &k);
  assert_int_equal(k.count, 1);
  detect_ioc_match_text(ix, "Global\\EvilMutex", 16, &q, on_hit, &k);
  assert_int_equal(k.count, 1);
  struct detect_ioc_info info;
  detect_ioc_describe(ix, 0, &info);
  assert_string_equal(info.source_id, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
  detect_ioc_index_free(ix);
}

static void test_visibility(void **state)
{
  (void)state;
  enum { ORG_A = 11, ORG_B = 22, ORG_C = 33 };
  const uint32_t only_a[] = {ORG_A};
  const uint32_t a_and_c[] = {ORG_C, ORG_A};
  struct detect_visibility va = {.n = 1, .orgs = only_a};
  struct detect_visibility vac = {.n = 2, .orgs = a_and_c};
  struct detect_visibility all = {.all = true};
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  add(b, DETECT_IOC_IPV4, "192.0.2.1", &va, NOF, NOU, false);
  add(b, DETECT_IOC_IPV4, "192.0.2.0/24", &vac, NOF, NOU, false);
  add(b, DETECT_IOC_DOMAIN, "a-only.example", &va, NOF, NOU, false);
  add(b, DETECT_IOC_DOMAIN, "everyone.example", &all, NOF, NOU, false);
  add(b, DETECT_IOC_DOMAIN, "everyone.example", &va, NOF, NOU, false); /* same value, A's copy */
  /* A compound pattern only A may see: its anchor carries A's tag like any value. */
  static const char cp[] = "[domain-name:value = 'amber.example' AND network-traffic:dst_port = 1]";
  struct stix_pattern p;
  struct detect_ioc_pattern *pat;
  struct fs_err err;
  assert_int_equal(stix_pattern_parse(&p, cp, strlen(cp), NULL, &err), FS_OK);
  assert_int_equal(detect_ioc_pattern_compile(&p, cp, strlen(cp), &pat, &err), FS_OK);
  struct detect_ioc_spec cs = {.type = DETECT_IOC_DOMAIN,
                               .value = "amber.example",
                               .value_len = 13,
                               .valid_from = NOF,
                               .valid_until = NOU,
                               .vis = &va,
                               .pattern = pat};
  assert_int_equal(detect_ioc_builder_add(b, &cs, &err), FS_OK);
  detect_ioc_pattern_unref(pat);
  struct detect_ioc_index *ix = detect_ioc_builder_finish(b);
  assert_non_null(ix);
  assert_string_equal(match(ix, "amber.example", ORG_A, 0),
                      "domain:amber.example*<-amber.example ");
  assert_string_equal(match(ix, "amber.example", ORG_B, 0), "");
  assert_string_equal(match(ix, "amber.example", DETECT_ORG_NONE, 0), "");
  const char *ev = "192.0.2.1 x.a-only.example everyone.example";
  /* A sees its own indicators */
  assert_string_equal(match(ix, ev, ORG_A, 0),
                      "ipv4:192.0.2.1<-192.0.2.1 ipv4:192.0.2.0/24<-192.0.2.1 "
                      "domain:a-only.example<-x.a-only.example "
                      "domain:everyone.example<-everyone.example "
                      "domain:everyone.example<-everyone.example ");
  /* B never matches an indicator tagged for A (only the one visible to all) */
  assert_string_equal(match(ix, ev, ORG_B, 0), "domain:everyone.example<-everyone.example ");
  /* C sees the range shared with it */
  assert_string_equal(match(ix, ev, ORG_C, 0),
                      "ipv4:192.0.2.0/24<-192.0.2.1 domain:everyone.example<-everyone.example ");
  /* an event of no organisation sees only what is visible to all */
  assert_string_equal(match(ix, ev, DETECT_ORG_NONE, 0),
                      "domain:everyone.example<-everyone.example ");
  detect_ioc_index_free(ix);
}

static bool keep_not_revoked(void *arg, const char *source_id, enum detect_ioc_type type)
{
  (void)type;
  return !source_id || strcmp(source_id, arg);
}

/* A changed set built from the previous index plus the change (revoke one source, add one). */
static void test_rebuild_from_index(void **state)
{
  (void)state;
  enum { ORG_A = 5 };
  const uint32_t a[] = {ORG_A};
  struct detect_visibility va = {.n = 1, .orgs = a};
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  struct detect_ioc_spec s1 = {.type = DETECT_IOC_DOMAIN,
                               .value = "old.example",
                               .value_len = 11,
                               .valid_from = 1000,
                               .valid_until = NOU,
                               .vis = &va,
                               .source_id = "indicator--11111111-1111-4111-8111-111111111111"};
  struct detect_ioc_spec s2 = {.type = DETECT_IOC_IPV4,
                               .value = "10.0.0.0/8",
                               .value_len = 10,
                               .valid_from = NOF,
                               .valid_until = NOU,
                               .source_id = "gone"};
  struct fs_err err;
  assert_int_equal(detect_ioc_builder_add(b, &s1, &err), FS_OK);
  assert_int_equal(detect_ioc_builder_add(b, &s2, &err), FS_OK);
  struct detect_ioc_index *old = detect_ioc_builder_finish(b);
  b = detect_ioc_builder_new();
  assert_int_equal(detect_ioc_builder_add_index(b, old, keep_not_revoked, "gone", &err), FS_OK);
  struct detect_ioc_spec s3 = {.type = DETECT_IOC_EMAIL,
                               .value = "x@new.example",
                               .value_len = 13,
                               .valid_from = NOF,
                               .valid_until = NOU};
  assert_int_equal(detect_ioc_builder_add(b, &s3, &err), FS_OK);
  struct detect_ioc_index *now = detect_ioc_builder_finish(b);
  detect_ioc_index_free(old);
  const char *ev = "www.old.example 10.1.2.3 x@new.example";
  assert_string_equal(match(now, ev, ORG_A, 2000), "domain:old.example<-www.old.example "
                                                   "email:x@new.example<-x@new.example ");
  assert_string_equal(match(now, ev, ORG_A, 500), "email:x@new.example<-x@new.example ");
  assert_string_equal(match(now, ev, 6, 2000), "email:x@new.example<-x@new.example ");
  struct detect_ioc_info info;
  detect_ioc_describe(now, 0, &info);
  assert_string_equal(info.source_id, "indicator--11111111-1111-4111-8111-111111111111");
  detect_ioc_index_free(now);
}

/* ---- loaders ------------------------------------------------------------------------------ */

struct errs {
  char out[2048];
  size_t n;
};

static int on_err(void *arg, const struct fs_err *e)
{
  struct errs *k = arg;
  k->n += (size_t)snprintf(k->out + k->n, sizeof(k->out) - k->n, "%s|", e->where);
  return 0;
}

static void test_list_loader(void **state)
{
  (void)state;
  const char *list = "# a comment\n"
                     "203.0.113.9\n"
                     "  10.0.0.0/8   # internal?\r\n"
                     "\n"
                     "2001:db8::1\n"
                     "evil[.]example\n"
                     "hxxp://bad.test/x\n"
                     "Phish@Bad.Example\n"
                     "eb20e119aaf500e2752dc5a588b54c12\n"
                     "e65faa187d27d84106b78b909c06d405837ec64e\n"
                     "c6a168c81654f5901e864c8fd61fa54f084cd8b2e0a8ac1b83eacf9eb4484f75\n"
                     "not a value\n"
                     "1.2.3.4/40\n"
                     "localhost\n";
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  struct errs k = {0};
  struct detect_ioc_load_opts o = {.on_error = on_err, .arg = &k};
  size_t loaded;
  struct fs_err err;
  assert_int_equal(detect_iocs_load_list(b, list, strlen(list), "iocs.txt", &o, &loaded, &err),
                   FS_OK);
  assert_int_equal(loaded, 9);
  assert_string_equal(k.out, "iocs.txt:12|iocs.txt:13|iocs.txt:14|");
  /* without an error callback the first bad line stops the load */
  assert_int_equal(detect_iocs_load_list(b, list, strlen(list), "iocs.txt", NULL, &loaded, &err),
                   FS_ERR_INVALID);
  assert_string_equal(err.where, "iocs.txt:12");
  struct detect_ioc_index *ix = detect_ioc_builder_finish(b);
  assert_string_equal(match(ix, "www.evil.example", ANY, 0),
                      "domain:evil.example<-www.evil.example ");
  struct detect_ioc_info info;
  detect_ioc_describe(ix, 0, &info);
  assert_string_equal(info.source_id, "iocs.txt");
  detect_ioc_index_free(ix);
  assert_int_equal(detect_ioc_guess_type("ftp://x.example/", 16), DETECT_IOC_URL);
  assert_int_equal(detect_ioc_guess_type("1.2.3.4.5", 9), -1);
}

/* Loads the bundle at path into a new index: it loads, with at least one indicator; what it holds
 * beyond simple patterns is reported, not fatal. */
static void load_bundle_file(const char *path)
{
  struct fs_buf buf;
  struct fs_err err;
  struct errs k = {0};
  struct detect_ioc_load_opts o = {.on_error = on_err, .arg = &k};
  test_read_file(path, &buf);
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  size_t loaded;
  if (detect_iocs_load_stix(b, buf.data, buf.len, path, &o, &loaded, &err))
    fail_msg("%s: %s: %s", path, err.where, err.msg);
  assert_true(loaded > 0);
  detect_ioc_index_free(detect_ioc_builder_finish(b));
  fs_buf_release(&buf);
}

static void test_stix_loader(void **state)
{
  (void)state;
  const char *bundle =
      "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
      "{\"type\":\"indicator\",\"id\":\"indicator--11111111-1111-4111-8111-111111111111\","
      "\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\","
      "\"pattern\":\"[ipv4-addr:value = '198.51.100.0/24' OR domain-name:value = 'x.example'] "
      "OR [url:value IN ('http://a.example/1', 'http://b.example/2')]\"},"
      "{\"type\":\"indicator\",\"id\":\"indicator--22222222-2222-4222-8222-222222222222\","
      "\"pattern\":\"[file:hashes.'SHA-256' = "
      "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:size = 1]\"},"
      "{\"type\":\"indicator\",\"id\":\"indicator--33333333-3333-4333-8333-333333333333\","
      "\"revoked\":true,\"pattern\":\"[ipv4-addr:value = '192.0.2.99']\"},"
      "{\"type\":\"indicator\",\"id\":\"indicator--44444444-4444-4444-8444-444444444444\","
      "\"pattern\":\"[mutex:name = 'Evil\\\\'Mutex']\"},"
      "{\"type\":\"indicator\",\"id\":\"indicator--55555555-5555-4555-8555-555555555555\","
      "\"pattern\":\"[file:hashes.'SHA-256' = "
      "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = "
      "'x']\"},"
      "{\"type\":\"malware\",\"id\":\"malware--1\"}]}";
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  struct errs k = {0};
  struct detect_ioc_load_opts o = {.on_error = on_err, .arg = &k};
  size_t loaded;
  struct fs_err err;
  assert_int_equal(detect_iocs_load_stix(b, bundle, strlen(bundle), "b.json", &o, &loaded, &err),
                   FS_OK);
  assert_int_equal(loaded, 7); /* 2222 is evaluated on events through its hash */
  assert_string_equal(k.out, "b.json: objects[4] indicator--55555555-5555-4555-8555-555555555555|");
  struct detect_ioc_index *ix = detect_ioc_builder_finish(b);
  struct detect_ioc_stats st;
  detect_ioc_index_stats(ix, &st);
  assert_int_equal(st.revoked, 1);
  assert_int_equal(st.by_type[DETECT_IOC_STRING], 1);
  assert_int_equal(st.compound_evaluated, 1);
  assert_int_equal(st.compound_skipped, 1);
  int64_t t2021 = 1609459200000LL;
  assert_string_equal(match(ix, "198.51.100.200 http://b.example/2", ANY, t2021),
                      "ipv4:198.51.100.0/24<-198.51.100.200 url:http://b.example/2<-"
                      "http://b.example/2 ");
  struct hits h = {.ix = ix};
  struct detect_ioc_query q = {.org = ANY, .at_ms = 0};
  detect_ioc_match_string(ix, "Evil'Mutex", 10, &q, on_hit, &h);
  assert_string_equal(h.out, "string:Evil'Mutex<-Evil'Mutex ");
  assert_string_equal(match(ix, "198.51.100.200", ANY, 0), ""); /* before valid_from */
  detect_ioc_index_free(ix);

  /* the project's example bundles load */
  static const char *const files[] = {"stix/examples/c2-address.json",
                                      "stix/examples/malware-sample.json",
                                      "stix/examples/threat-actor.json"};
  for (size_t i = 0; i < FS_ARRAY_SIZE(files); i++) {
    char path[1024];
    test_fixture_path(path, sizeof(path), files[i]);
    load_bundle_file(path);
  }
}

/* Corpus run: the OASIS examples load the same way. */
static void test_oasis_loader(void **state)
{
  (void)state;
  static const char *const files[] = {"stix/examples/indicator-for-c2-ip-address.json",
                                      "stix/examples/poisonivy.json"};
  for (size_t i = 0; i < FS_ARRAY_SIZE(files); i++) {
    char path[1024];
    test_corpus_path(path, sizeof(path), files[i]);
    load_bundle_file(path);
  }
}

static int on_err_msg(void *arg, const struct fs_err *e)
{
  struct errs *k = arg;
  k->n += (size_t)snprintf(k->out + k->n, sizeof(k->out) - k->n, "%s: %s|", e->where, e->msg);
  return 0;
}

/* STIX 2.0 leniencies of the pattern grammar (plain-quoted START/STOP, line breaks in b'...')
 * only for objects without spec_version; a 2.1 object is refused with the pattern's byte
 * (#18 item 18). */
static void test_stix20_patterns(void **state)
{
  (void)state;
  const char *bundle =
      "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"spec_version\":\"2.0\",\"objects\":["
      "{\"type\":\"indicator\",\"id\":\"indicator--11111111-1111-4111-8111-111111111111\","
      "\"pattern\":\"[ipv4-addr:value = '203.0.113.5'] START '2016-06-01T00:00:00Z' "
      "STOP '2016-07-01T00:00:00Z'\"},"
      "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
      "\"id\":\"indicator--22222222-2222-4222-8222-222222222222\",\"pattern_type\":\"stix\","
      "\"pattern\":\"[ipv4-addr:value = '203.0.113.5'] START '2016-06-01T00:00:00Z' "
      "STOP '2016-07-01T00:00:00Z'\"},"
      "{\"type\":\"indicator\",\"id\":\"indicator--33333333-3333-4333-8333-333333333333\","
      "\"pattern\":\"[ipv4-addr:value = '203.0.113.6' OR artifact:payload_bin = b'AQ\\nID']\"},"
      "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
      "\"id\":\"indicator--44444444-4444-4444-8444-444444444444\",\"pattern_type\":\"stix\","
      "\"pattern\":\"[ipv4-addr:value = '203.0.113.6' OR artifact:payload_bin = b'AQ\\nID']\"}]}";
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  struct errs k = {0};
  struct detect_ioc_load_opts o = {.on_error = on_err_msg, .arg = &k};
  size_t loaded;
  struct fs_err err;
  assert_int_equal(detect_iocs_load_stix(b, bundle, strlen(bundle), "b.json", &o, &loaded, &err),
                   FS_OK);
  /* 1111: parsed, then skipped as a pattern with qualifiers (not a grammar error) */
  assert_non_null(strstr(k.out, "objects[0] indicator--11111111-1111-4111-8111-111111111111: "
                                "compound pattern not matched"));
  /* 2222: refused where the 2.1 grammar stops */
  assert_non_null(strstr(k.out, "objects[1] indicator--22222222-2222-4222-8222-222222222222: "
                                "pattern byte 40: expected a timestamp t'"));
  assert_non_null(strstr(k.out, "objects[3] indicator--44444444-4444-4444-8444-444444444444: "
                                "pattern byte 63: a line break inside b'...'"));
  /* 3333 parsed (its base64 unwrapped): the address is an indicator */
  assert_null(strstr(k.out, "objects[2]"));
  assert_int_equal(loaded, 1);
  detect_ioc_index_free(detect_ioc_builder_finish(b));
}

/* ---- live replacement --------------------------------------------------------------------- */

struct live {
  struct fs_rcu cell;
  atomic_bool stop;
  atomic_long matches, lookups;
};

static int count_hit(void *arg, const struct detect_ioc_hit *h)
{
  (void)h;
  (*(long *)arg)++;
  return 0;
}

static void *reader(void *arg)
{
  struct live *l = arg;
  struct fs_rcu_reader *r = fs_rcu_register(&l->cell);
  assert_non_null(r);
  struct detect_ioc_query q = {.org = ANY};
  while (!atomic_load(&l->stop)) {
    const struct detect_ioc_index *ix = fs_rcu_enter(&l->cell, r);
    long n = 0;
    detect_ioc_match_text(ix, "seen 192.0.2.5 and new.example", 30, &q, count_hit, &n);
    fs_rcu_exit(r);
    atomic_fetch_add(&l->matches, n);
    atomic_fetch_add(&l->lookups, 1);
  }
  fs_rcu_unregister(&l->cell, r);
  return NULL;
}

static struct detect_ioc_index *build_one(const char *value)
{
  struct detect_ioc_builder *b = detect_ioc_builder_new();
  add(b, detect_ioc_guess_type(value, strlen(value)), value, NULL, NOF, NOU, false);
  return detect_ioc_builder_finish(b);
}

/* Waits until the readers have done n lookups in all; fails when they never do (a guard of
 * 300 s against a hang, not a timing). */
static void wait_lookups(struct live *l, long n)
{
  for (int i = 0; i < 300000 && atomic_load(&l->lookups) < n; i++) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  if (atomic_load(&l->lookups) < n)
    fail_msg("the readers did %ld lookups, not %ld", (long)atomic_load(&l->lookups), n);
}

static void test_live_swap(void **state)
{
  (void)state;
  struct live *l = calloc(1, sizeof(*l));
  fs_rcu_init(&l->cell, build_one("192.0.2.5"), detect_ioc_index_free_cb);
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&t[i], NULL, reader, l);
  wait_lookups(l, 10); /* the readers are running */
  for (int round = 0; round < 200; round++) {
    fs_rcu_publish(&l->cell, build_one(round % 2 ? "192.0.2.5" : "new.example"));
    if (round % 50 == 0)
      wait_lookups(l, atomic_load(&l->lookups) + 2); /* readers inside while sets change */
  }
  /* after a publish returns, a new section sees the new set */
  fs_rcu_publish(&l->cell, build_one("new.example"));
  struct fs_rcu_reader *r = fs_rcu_register(&l->cell);
  struct detect_ioc_query q = {.org = ANY};
  struct hits k = {.ix = fs_rcu_enter(&l->cell, r)};
  detect_ioc_match_text(k.ix, "seen 192.0.2.5 and new.example", 30, &q, on_hit, &k);
  fs_rcu_exit(r);
  fs_rcu_unregister(&l->cell, r);
  assert_string_equal(k.out, "domain:new.example<-new.example ");
  atomic_store(&l->stop, true);
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);
  assert_true(atomic_load(&l->lookups) > 0);
  assert_int_equal(atomic_load(&l->matches) > 0, 1);
  fs_rcu_release(&l->cell);
  free(l);
}

int main(int argc, char **argv)
{
  if (test_corpus_run(argc, argv)) {
    int rc = test_corpus_require("stix/examples");
    const struct CMUnitTest corpus[] = {cmocka_unit_test(test_oasis_loader)};
    return rc ? rc : cmocka_run_group_tests_name("corpus", corpus, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_norm),
      cmocka_unit_test(test_tokenize),
      cmocka_unit_test(test_index),
      cmocka_unit_test(test_visibility),
      cmocka_unit_test(test_rebuild_from_index),
      cmocka_unit_test(test_list_loader),
      cmocka_unit_test(test_stix_loader),
      cmocka_unit_test(test_stix20_patterns),
      cmocka_unit_test(test_live_swap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
