/* Canonical forms of values from sources (intel/canon.h): each way a value is written gives one
 * form, so that one observable is one indicator; and the pattern of a canonical value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/canon.h"

#include <stdio.h>
#include <string.h>

struct canon_case {
  const char *kind; /* NULL: detected */
  const char *in;
  const char *out; /* NULL: refused */
  const char *kind_out;
};

static const struct canon_case cases[] = {
    /* IPv4: leading zeros are decimal, host bits of a range cleared, /32 dropped, blanks trimmed */
    {"ip", "10.1.2.3", "10.1.2.3", "ipv4"},
    {"ip", "010.001.002.003", "10.1.2.3", "ipv4"},
    {"ip", " 045.077.012.009\t", "45.77.12.9", "ipv4"},
    {"ip", "192.168.7.9/16", "192.168.0.0/16", "ipv4"},
    {"ip", "45.77.12.9/32", "45.77.12.9", "ipv4"},
    {"ip", "256.1.1.1", NULL, NULL},
    {"ip", "1.2.3", NULL, NULL},
    {"ip", "0x7f.0.0.1", NULL, NULL},
    {"ip", "0127.0.0.1", NULL, NULL},
    {"ip", "45[.]77[.]12[.]9", "45.77.12.9", "ipv4"},
    /* IPv6: RFC 5952, IPv4-mapped addresses are the IPv4 address, brackets dropped */
    {"ip", "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1", "ipv6"},
    {"ip", "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", "ipv6"},
    {"ip", "[2001:db8::7]", "2001:db8::7", "ipv6"},
    {"ip", "::FFFF:45.77.12.9", "45.77.12.9", "ipv4"},
    {"ipv6", "::ffff:2d4d:c09", "45.77.12.9", "ipv4"},
    {"ip", "::ffff:10.0.0.0/104", "10.0.0.0/8", "ipv4"},
    {"ip", "2001:db8::1/32", "2001:db8::/32", "ipv6"},
    {"ip", "2001:db8::1%eth0", NULL, NULL},
    /* domains: case, one trailing dot, internationalised names to punycode (UTS #46) */
    {"domain", "Evil-Bank-Login.COM.", "evil-bank-login.com", "domain"},
    {"domain", "BÜCHER-bank.tw", "xn--bcher-bank-9db.tw", "domain"},
    {"domain", "bücher-bank.tw", "xn--bcher-bank-9db.tw", "domain"},
    {"domain", "xn--BCHER-bank-9db.TW", "xn--bcher-bank-9db.tw", "domain"},
    {"domain", "\xef\xbd\x85xample.com", "example.com", "domain"}, /* fullwidth e */
    {"domain", "bad_domain", NULL, NULL},
    {"domain", "1.2.3.4", NULL, NULL},
    {"domain", "a..b.com", NULL, NULL},
    {"domain", "evil-bank[.]com", "evil-bank.com", "domain"},
    /* URLs (RFC 3986 6.2.2): scheme and host case, default port, escapes, dot segments */
    {"url", "HTTP://Evil-Bank-Login.com:80/a/./b/../login.php?u=%7euser#top",
     "http://evil-bank-login.com/a/login.php?u=~user", "url"},
    {"url", "https://münchen-bank.com.tw:443/secure/%41ccount",
     "https://xn--mnchen-bank-thb.com.tw/secure/Account", "url"},
    {"url", "https://h.example:8443/%2e%2E/x/./y?q=%2f", "https://h.example:8443/x/y?q=%2F", "url"},
    {"url", "evil-bank-login.com/login.php", "http://evil-bank-login.com/login.php", "url"},
    {"url", "hxxps://evil[.]com/a", "https://evil.com/a", "url"},
    {"url", "http:///nohost", NULL, NULL},
    /* hashes: lower-case hex of the kind's length */
    {"md5", "E008C0858B281A168865A40B2653607B", "e008c0858b281a168865a40b2653607b", "md5"},
    {"sha1", "CA118F05D354D16D50FFE2F421ABCE38D8BACFFC", "ca118f05d354d16d50ffe2f421abce38d8bacffc",
     "sha1"},
    {"sha256", "e008c0858b281a168865a40b2653607b", NULL, NULL},
    {"md5", "g008c0858b281a168865a40b2653607b", NULL, NULL},
    /* e-mail: lower case, the domain as a domain name */
    {"email", "Phish@Evil-Bank-Login.COM", "phish@evil-bank-login.com", "email"},
    {"email", "info@BÜCHER-bank.tw", "info@xn--bcher-bank-9db.tw", "email"},
    {"email", "no-at-sign.example.com", NULL, NULL},
    /* detected kinds */
    {NULL, "45.77.12.9", "45.77.12.9", "ipv4"},
    {NULL, "2001:db8::1", "2001:db8::1", "ipv6"},
    {NULL, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256"},
    {NULL, "http://x.example/", "http://x.example/", "url"},
    {NULL, "a@b.example", "a@b.example", "email"},
    {NULL, "Bad-Domain.Example.ORG.", "bad-domain.example.org", "domain"},
    {NULL, "", NULL, NULL},
};

static void test_canon_cases(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct canon_case *c = &cases[i];
    enum intel_obs k = c->kind ? intel_obs_parse(c->kind) : INTEL_OBS_NONE;
    char out[INTEL_CANON_MAX + 1];
    struct fs_err err;
    size_t n = intel_canon(&k, c->in, strlen(c->in), out, "value", &err);
    if (!c->out) {
      if (n)
        fail_msg("case %zu: \"%s\" gave \"%s\", expected a refusal", i, c->in, out);
      assert_int_equal(err.code, FS_ERR_INVALID);
      assert_string_equal(err.where, "value");
      continue;
    }
    if (!n)
      fail_msg("case %zu: \"%s\" refused: %s", i, c->in, err.msg);
    assert_int_equal(n, strlen(out));
    if (strcmp(out, c->out))
      fail_msg("case %zu: \"%s\" gave \"%s\", expected \"%s\"", i, c->in, out, c->out);
    assert_string_equal(intel_obs_name(k), c->kind_out);
    /* A canonical form is its own canonical form. */
    enum intel_obs k2 = k;
    char again[INTEL_CANON_MAX + 1];
    assert_int_equal(intel_canon(&k2, out, n, again, "value", NULL), n);
    assert_string_equal(again, out);
  }
}

static void test_patterns(void **state)
{
  (void)state;
  char p[256];
  assert_true(intel_canon_pattern(INTEL_OBS_IPV4, "10.0.0.0/8", p, sizeof(p)));
  assert_string_equal(p, "[ipv4-addr:value = '10.0.0.0/8']");
  assert_true(intel_canon_pattern(INTEL_OBS_SHA256, "ab", p, sizeof(p)));
  assert_string_equal(p, "[file:hashes.'SHA-256' = 'ab']");
  assert_true(intel_canon_pattern(INTEL_OBS_URL, "http://x/it's\\", p, sizeof(p)));
  assert_string_equal(p, "[url:value = 'http://x/it\\'s\\\\']");
  assert_true(intel_canon_pattern(INTEL_OBS_EMAIL, "a@b.c", p, sizeof(p)));
  assert_string_equal(p, "[email-addr:value = 'a@b.c']");
  assert_false(intel_canon_pattern(INTEL_OBS_DOMAIN, "example.com", p, 20));
  assert_false(intel_canon_pattern(INTEL_OBS_NONE, "x", p, sizeof(p)));
  assert_string_equal(intel_obs_family(INTEL_OBS_SHA1), "hash");
  assert_int_equal(intel_obs_parse("ip"), INTEL_OBS_IPV4);
  assert_int_equal(intel_obs_parse("nothing"), INTEL_OBS_NONE);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_canon_cases),
      cmocka_unit_test(test_patterns),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
