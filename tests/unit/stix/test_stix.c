/* Unit tests of stix/ STIX validation: the project's example bundles (the OASIS examples in the
 * corpus run), valid objects of every kind, a table of invalid objects naming the property at
 * fault, timestamps, versions and metadata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stix/stix.h"
#include "stix/tlp.h"

#include "core/buf.h"
#include "core/encode.h"
#include "core/file.h"
#include "core/jsonx.h"

#include <stdio.h>
#include <string.h>

#include "testdata.h"

/* JSON written with ` for " so that patterns can keep their apostrophes. */
static json_t *J(const char *text)
{
  char buf[8192];
  size_t n = strlen(text);
  assert_true(n < sizeof(buf));
  for (size_t i = 0; i <= n; i++)
    buf[i] = text[i] == '`' ? '"' : text[i];
  json_t *v;
  struct fs_err err;
  if (jsonx_parse(buf, n, &v, &err)) {
    fprintf(stderr, "bad test JSON: %s at %s\n%s\n", err.msg, err.where, buf);
    fail();
  }
  return v;
}

static void dump(const struct stix_report *rep)
{
  char line[600];
  for (size_t i = 0; i < rep->n; i++) {
    stix_finding_format(rep, i, false, line, sizeof(line));
    fprintf(stderr, "  %s: %s\n", rep->items[i].severity == STIX_ERROR ? "error" : "warn", line);
  }
}

static int validate_text(const char *text, struct stix_report *rep)
{
  json_t *o = J(text);
  int rc = stix_validate(o, NULL, rep);
  json_decref(o);
  return rc;
}

static void expect_valid(const char *text)
{
  struct stix_report rep;
  if (validate_text(text, &rep)) {
    fprintf(stderr, "expected valid:\n%s\n", text);
    dump(&rep);
    fail();
  }
}

/* ---- Bundles: the project's examples and the OASIS ones ---- */

/* A bundle that parses with no invalid object. */
static void check_example(const char *path, const struct fs_buf *b, void *arg)
{
  (void)arg;
  struct fs_err err;
  struct stix_doc doc;
  int rc = stix_doc_parse(&doc, b->data, b->len, NULL, &err);
  if (rc)
    fprintf(stderr, "%s: %s at %s\n", path, err.msg, err.where);
  assert_int_equal(rc, 0);
  assert_true(doc.n > 0);
  for (size_t k = 0; k < doc.n; k++) {
    if (doc.results[k].valid)
      continue;
    fprintf(stderr, "%s: object %zu (%s) is invalid:\n", path, k,
            doc.results[k].id ? doc.results[k].id : "?");
    for (size_t f = 0; f < doc.results[k].n_findings; f++)
      fprintf(stderr, "  %s: %s\n", doc.results[k].findings[f].path,
              doc.results[k].findings[f].msg);
  }
  assert_int_equal(doc.n_invalid, 0);
  assert_int_equal(doc.envelope.n_errors, 0);
  stix_doc_release(&doc);
}

/* The project's bundles (tests/data/stix/examples): every kind of SDO and SRO, SCOs, markings
 * (TLP, statement, granular), an extension definition, custom properties. */
static void test_examples(void **state)
{
  (void)state;
  char dir[1024];
  test_fixture_path(dir, sizeof(dir), "stix/examples");
  test_each_file(dir, ".json", 4, check_example, NULL);
}

/* Corpus run: the OASIS examples. */
static void test_oasis_examples(void **state)
{
  (void)state;
  char dir[1024];
  test_corpus_path(dir, sizeof(dir), "stix/examples");
  test_each_file(dir, ".json", 8, check_example, NULL);
}

/* ---- Valid objects of every kind ---- */

#define SDO_HEAD(type, uuid)                                                                       \
  "{`type`: `" type "`, `spec_version`: `2.1`, `id`: `" type "--" uuid "`, "                       \
  "`created`: `2016-04-06T20:03:00.000Z`, `modified`: `2016-04-06T20:03:00.000Z`, "

static void test_valid_objects(void **state)
{
  (void)state;
  static const char *const objects[] = {
      SDO_HEAD("attack-pattern",
               "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061") "`name`: `Spear Phishing`, "
                                                       "`external_references`: [{`source_name`: "
                                                       "`capec`, "
                                                       "`external_id`: `CAPEC-163`}], "
                                                       "`kill_chain_phases`: [{`kill_chain_name`: "
                                                       "`lockheed`, "
                                                       "`phase_name`: `delivery`}]}",
      SDO_HEAD(
          "campaign",
          "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f") "`name`: `Green Group`, `first_seen`: "
                                                  "`2016-01-01T00:00:00Z`, "
                                                  "`last_seen`: `2016-01-01T00:00:00Z`, "
                                                  "`created_by_ref`: "
                                                  "`identity--f431f809-377b-45e0-aa1c-6a4751cae5ff`"
                                                  ", `confidence`: 85, `lang`: `en`}",
      SDO_HEAD(
          "grouping",
          "84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3") "`context`: `suspicious-activity`, "
                                                  "`object_refs`: "
                                                  "[`indicator--26ffb872-1dd9-446e-b6f5-"
                                                  "d58527e5b5d2`, "
                                                  "`file--0203b5c8-f8b6-4ddb-9ad0-527d727f968b`]}",
      SDO_HEAD("incident", "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f") "`name`: `Incident 43`}",
      SDO_HEAD("indicator",
               "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f") "`pattern`: `[file:hashes.'SHA-256' = "
                                                       "'4bac27393bdd9777ce02453256c5577cd02275510b"
                                                       "2227f473d03f533924f877']`, "
                                                       "`pattern_type`: `stix`, `valid_from`: "
                                                       "`2016-01-01T00:00:00Z`, "
                                                       "`valid_until`: `2016-01-01T00:00:00.001Z`}",
      SDO_HEAD("indicator",
               "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3e") "`pattern`: `alert tcp any any -> any any "
                                                       "(msg:\\`x\\`;)`, `pattern_type`: `snort`, "
                                                       "`valid_from`: `2016-01-01T00:00:00Z`}",
      SDO_HEAD("location",
               "a6e9345f-5a15-4c29-8bb3-7dcc5d168d64") "`latitude`: 48.8566, `longitude`: 2.3522, "
                                                       "`precision`: 1000.0}",
      SDO_HEAD(
          "malware",
          "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061") "`name`: `Cryptolocker`, `is_family`: false, "
                                                  "`sample_refs`: "
                                                  "[`file--ba8965d8-e4ec-5f9c-a4df-1c460994ca58`]}",
      SDO_HEAD(
          "malware-analysis",
          "d25167b7-fed0-4068-9ccd-a73dd2c5b07c") "`product`: `microsoft`, `result`: `malicious`, "
                                                  "`analysis_started`: `2012-02-11T08:36:14Z`}",
      SDO_HEAD("note",
               "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061") "`content`: `seen on a forum`, `authors`: "
                                                       "[`John Doe`], `object_refs`: "
                                                       "[`campaign--8e2e2d2b-17d4-4cbf-938f-"
                                                       "98ee46b3cd3f`]}",
      SDO_HEAD("observed-data",
               "b67d30ff-02ac-498a-92f9-32f845f448cf") "`first_observed`: `2015-12-21T19:00:00Z`, "
                                                       "`last_observed`: `2015-12-21T19:00:00Z`, "
                                                       "`number_observed`: 50, `object_refs`: "
                                                       "[`ipv4-addr--28bb3599-77cd-5a82-a950-"
                                                       "b5bc3caf07c4`]}",
      SDO_HEAD(
          "opinion",
          "b01efc25-77b4-4003-b18b-f6e24b5cd9f7") "`opinion`: `strongly-disagree`, `object_refs`: "
                                                  "[`relationship--16d2358f-3b0d-4c88-b047-"
                                                  "0da2f7ed4471`]}",
      SDO_HEAD("report",
               "84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3") "`name`: `Black Vine`, `published`: "
                                                       "`2016-01-20T17:00:00.000Z`, `object_refs`: "
                                                       "[`campaign--83422c77-904c-4dc1-aff5-"
                                                       "5c38f3a2c55c`]}",
      SDO_HEAD("threat-actor",
               "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f") "`name`: `Evil Org`, `threat_actor_types`: "
                                                       "[`crime-syndicate`], "
                                                       "`sophistication`: `advanced`}",
      SDO_HEAD("tool", "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f") "`name`: `VNC`}",
      SDO_HEAD(
          "vulnerability",
          "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061") "`name`: `CVE-2016-1234`, `external_references`: "
                                                  "[{`source_name`: `cve`, "
                                                  "`external_id`: `CVE-2016-1234`}]}",
      SDO_HEAD(
          "relationship",
          "44298a74-ba52-4f0c-87a3-1824e67d7fad") "`relationship_type`: `indicates`, `source_ref`: "
                                                  "`indicator--8e2e2d2b-17d4-4cbf-938f-"
                                                  "98ee46b3cd3f`, `target_ref`: "
                                                  "`malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b`"
                                                  "}",
      SDO_HEAD("sighting", "ee20065d-2555-424f-ad9e-0f8428623c75") "`count`: 0, `sighting_of_ref`: "
                                                                   "`indicator--8e2e2d2b-17d4-4cbf-"
                                                                   "938f-98ee46b3cd3f`, "
                                                                   "`where_sighted_refs`: "
                                                                   "[`identity--b67d30ff-02ac-498a-"
                                                                   "92f9-32f845f448ff`], "
                                                                   "`summary`: false}",
      SDO_HEAD(
          "language-content",
          "b86bd89f-98bb-4fa9-8cb2-9ad421da981d") "`object_ref`: "
                                                  "`campaign--12a111f0-b824-4baf-a224-83b80237a094`"
                                                  ", "
                                                  "`object_modified`: `2017-02-08T21:31:22.007Z`, "
                                                  "`contents`: {`de`: {`name`: `Bank`}}}",
      "{`type`: `marking-definition`, `spec_version`: `2.1`, `id`: "
      "`marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd`, `created`: "
      "`2016-08-01T00:00:00.000Z`, `definition_type`: `statement`, `definition`: "
      "{`statement`: `Copyright 2019, Example Corp`}}",
      "{`type`: `marking-definition`, `spec_version`: `2.1`, `id`: "
      "`marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da`, `created`: "
      "`2017-01-20T00:00:00.000Z`, `definition_type`: `tlp`, `name`: `TLP:GREEN`, "
      "`definition`: {`tlp`: `green`}}",
      SDO_HEAD(
          "indicator",
          "e97bfccf-8970-4a3c-9cd1-5b5b97ed5d0c") "`pattern`: `[ipv4-addr:value = '10.0.0.1']`, "
                                                  "`pattern_type`: `stix`, `valid_from`: "
                                                  "`2014-02-20T09:00:00.000000Z`, `extensions`: {"
                                                  "`extension-definition--d83fce45-ef58-4c6c-a3f4-"
                                                  "1fbc32e98c6e`: {`extension_type`: "
                                                  "`property-extension`, `rank`: 5, `toxicity`: "
                                                  "8}}, `x_acme_score`: 10, "
                                                  "`granular_markings`: [{`marking_ref`: "
                                                  "`marking-definition--34098fce-860f-48ae-8e50-"
                                                  "ebd3cc5e41da`, `selectors`: "
                                                  "[`pattern`, "
                                                  "`extensions.extension-definition--d83fce45-ef58-"
                                                  "4c6c-a3f4-1fbc32e98c6e`]}, "
                                                  "{`lang`: `de`, `selectors`: [`pattern_type`]}]}",
      "{`type`: `x-example-com-customobject`, `id`: "
      "`x-example-com-customobject--4527e5de-8572-446a-a57a-706f15467461`, `spec_version`: "
      "`2.1`, `created`: `2016-08-01T00:00:00.000Z`, `modified`: "
      "`2016-08-01T00:00:00.000Z`, `some_custom_stuff`: 14}",
      /* SCOs, from the spec's examples */
      "{`type`: `ipv4-addr`, `spec_version`: `2.1`, `id`: "
      "`ipv4-addr--1ea47840-aa39-5aa8-b4a2-cd203eb6662a`, `value`: `198.51.100.0/24`}",
      "{`type`: `ipv6-addr`, `id`: `ipv6-addr--084d3b4c-7785-568a-a569-0c61c95754ab`, "
      "`value`: `2001:0db8::/96`}",
      "{`type`: `mac-addr`, `id`: `mac-addr--757b1725-9903-54f5-a855-1240691d7659`, "
      "`value`: `d2:fb:49:24:37:18`}",
      "{`type`: `url`, `id`: `url--47c3cf9a-5027-5bf0-997a-017c7edc7c55`, `value`: "
      "`https://example.com/research/index.html`}",
      "{`type`: `autonomous-system`, `id`: "
      "`autonomous-system--3aa27478-50b5-5ab8-9da9-cdc12b657fff`, `number`: 15139, "
      "`name`: `Slime Industries`, `rir`: `ARIN`}",
      "{`type`: `software`, `id`: `software--710b0b41-d4d0-5d6c-a400-fc9254554ffc`, `name`: "
      "`Word`, `cpe`: `cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*`, `version`: `2002`, "
      "`vendor`: `Microsoft`}",
      "{`type`: `user-account`, `id`: `user-account--f94d689e-707d-58c3-b803-c720bb6ed096`, "
      "`user_id`: `1001`, `account_login`: `jdoe`, `account_type`: `unix`, `extensions`: "
      "{`unix-account-ext`: {`gid`: 1001, `groups`: [`wheel`], `shell`: `/bin/bash`}}}",
      "{`type`: `windows-registry-key`, `id`: "
      "`windows-registry-key--f6a11ddf-fa2b-54c8-97ab-e7f28413095a`, `key`: "
      "`hkey_local_machine\\\\system\\\\bar\\\\foo`, `values`: [{`name`: `Foo`, `data`: "
      "`qwerty`, `data_type`: `REG_SZ`}, {`name`: `Bar`, `data`: `42`, `data_type`: "
      "`REG_DWORD`}]}",
      "{`type`: `x509-certificate`, `id`: "
      "`x509-certificate--5adb038a-160d-5d1c-826e-bde4926a0d2d`, `serial_number`: "
      "`02:08:87:83:f2:13:58:1f:79:52:1e:66:90:0a:02:24:c9:6b:c7:dc`, `x509_v3_extensions`: "
      "{`basic_constraints`: `critical,CA:TRUE, pathlen:0`, "
      "`private_key_usage_period_not_before`: `2016-03-12T12:00:00Z`}}",
      "{`type`: `file`, `id`: `file--9af228db-9a04-5787-ad43-ccadc137a0e2`, `name`: "
      "`example.exe`, `extensions`: {`windows-pebinary-ext`: {`pe_type`: `exe`, "
      "`machine_hex`: `014c`, `number_of_sections`: 4, `optional_header`: {`magic_hex`: "
      "`010b`}, `sections`: [{`name`: `CODE`, `entropy`: 0.061089}]}}}",
      "{`type`: `network-traffic`, `id`: "
      "`network-traffic--fdd6dbda-a206-52fe-b19b-64d908748850`, `dst_ref`: "
      "`ipv4-addr--165070a8-c561-58a8-8659-fce2f255c2c0`, `protocols`: [`tcp`, `http`], "
      "`extensions`: {`http-request-ext`: {`request_method`: `get`, `request_value`: "
      "`/download.html`, `request_header`: {`Host`: [`www.example.com`]}}, `socket-ext`: "
      "{`address_family`: `AF_INET`, `socket_type`: `SOCK_STREAM`}}}",
      "{`type`: `email-message`, `id`: `email-message--d7d69ead-3347-5772-815a-7766dc29c72c`, "
      "`is_multipart`: true, `from_ref`: `email-addr--6deb37bd-12b7-54ae-805f-5f7146f3d171`, "
      "`body_multipart`: [{`content_type`: `text/plain`, `body`: `Cats are funny!`}, "
      "{`content_type`: `image/png`, `body_raw_ref`: "
      "`artifact--0682152c-646a-513b-bc07-e516494ed178`}]}",
      "{`type`: `artifact`, `id`: `artifact--6be1fbcb-fd03-5ec3-b05f-4329746e9d2b`, "
      "`mime_type`: `application/zip`, `payload_bin`: `ZX7HIBWPQA99NSUhEUgAAADI`, "
      "`encryption_algorithm`: `mime-type-indicated`, `decryption_key`: `My voice`}",
      "{`type`: `process`, `id`: `process--8fac80fe-a220-4ba9-8ffe-4f43ce8edff8`, `pid`: "
      "1221, `extensions`: {`windows-process-ext`: {`aslr_enabled`: true, "
      "`integrity_level`: `high`}}}",
      "{`type`: `directory`, `id`: `directory--0a58d0c1-59e6-5afd-8252-dcd3f13e5622`, "
      "`path`: `C:\\\\Windows\\\\System32`}",
      "{`type`: `mutex`, `id`: `mutex--f93fe911-e545-5239-b9b0-597840d0c871`, `name`: "
      "`__CLEANSWEEP__`}",
      "{`type`: `domain-name`, `id`: `domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7`, "
      "`value`: `example.com`, `resolves_to_refs`: "
      "[`ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4`]}",
  };
  for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
    expect_valid(objects[i]);
}

/* TLP marking definitions as the hub publishes them are valid STIX. */
static void test_tlp_objects_valid(void **state)
{
  (void)state;
  struct stix_report rep;
  struct fs_err err;
  for (int l = TLP_CLEAR; l <= TLP_RED; l++) {
    json_t *md;
    assert_int_equal(stix_tlp_marking_definition((enum tlp_level)l, &md, &err), 0);
    if (stix_validate(md, NULL, &rep))
      dump(&rep);
    assert_int_equal(rep.n_errors, 0);
    assert_int_equal(rep.n_warnings, 0);
    json_decref(md);
  }
  json_t *ext;
  assert_int_equal(stix_tlp_extension_definition(&ext, &err), 0);
  assert_int_equal(stix_validate(ext, NULL, &rep), 0);
  json_decref(ext);
}

/* An SCO whose id is not the deterministic one is kept with a warning (SHOULD, not MUST). */
static void test_sco_id_warning(void **state)
{
  (void)state;
  struct stix_report rep;
  assert_int_equal(validate_text("{`type`: `ipv4-addr`, `id`: "
                                 "`ipv4-addr--1e4ffad7-0b88-41d4-ba4d-77d27490b956`, "
                                 "`value`: `198.51.100.3`}",
                                 &rep),
                   0);
  assert_int_equal(rep.n_warnings, 1);
  assert_string_equal(rep.items[0].path, "id");
  assert_non_null(strstr(rep.items[0].msg, "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"));
}

void stix_invalid_tests(void **state);
void stix_doc_tests(void **state);
void stix_scan_tests(void **state);
void stix_time_tests(void **state);
void stix_sco_id_tests(void **state);
void stix_jcs_tests(void **state);

int main(int argc, char **argv)
{
  fs_crypto_init();
  if (test_corpus_run(argc, argv)) {
    int rc = test_corpus_require("stix/examples");
    const struct CMUnitTest corpus[] = {cmocka_unit_test(test_oasis_examples)};
    return rc ? rc : cmocka_run_group_tests_name("corpus", corpus, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_examples),          cmocka_unit_test(test_valid_objects),
      cmocka_unit_test(test_tlp_objects_valid), cmocka_unit_test(test_sco_id_warning),
      cmocka_unit_test(stix_invalid_tests),     cmocka_unit_test(stix_doc_tests),
      cmocka_unit_test(stix_time_tests),        cmocka_unit_test(stix_sco_id_tests),
      cmocka_unit_test(stix_jcs_tests),         cmocka_unit_test(stix_scan_tests),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
