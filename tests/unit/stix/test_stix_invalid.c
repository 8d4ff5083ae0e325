/* The table of invalid STIX objects: each must be refused with an error at the right property. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stix/stix.h"

#include "core/jsonx.h"

#include <stdio.h>
#include <string.h>

#define IND "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define HEAD(type, uuid)                                                                           \
  "{`type`: `" type "`, `spec_version`: `2.1`, `id`: `" type "--" uuid "`, "                       \
  "`created`: `2016-04-06T20:03:00.000Z`, `modified`: `2016-04-06T20:03:00.000Z`, "
#define U "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define INDICATOR_BODY                                                                             \
  "`pattern`: `[ipv4-addr:value = '10.0.0.1']`, `pattern_type`: `stix`, "                          \
  "`valid_from`: `2016-01-01T00:00:00Z`"
#define MD(id) "marking-definition--" id
#define TLP2_GREEN MD("bab4a63c-aed9-4cf5-a766-dfca5abac2bb")
#define TLP2_EXT "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

static const struct {
  const char *json;
  const char *path; /* the path of the expected error */
  const char *msg;  /* a part of its message */
} cases[] = {
    /* identity of the object */
    {"{`type`: `Indicator`, `id`: `Indicator--" U "`}", "type", "[a-z0-9-]"},
    {"{`type`: `ab`, `id`: `ab--" U "`}", "type", "3..250"},
    {"{`type`: `x--y`, `id`: `x--y--" U "`}", "type", "--"},
    {"{`id`: `indicator--" U "`}", "type", "required"},
    {"{`type`: `indicator`, `spec_version`: `2.1`, `id`: `indicator--8e2e2d2b-17d4-0cbf-938f-"
     "98ee46b3cd3f`, `created`: `2016-04-06T20:03:00.000Z`, `modified`: "
     "`2016-04-06T20:03:00.000Z`, " INDICATOR_BODY "}",
     "id", "version 1 to 5"},
    {"{`type`: `indicator`, `spec_version`: `2.1`, `id`: `indicator--8e2e2d2b-17d4-4cbf-738f-"
     "98ee46b3cd3f`, `created`: `2016-04-06T20:03:00.000Z`, `modified`: "
     "`2016-04-06T20:03:00.000Z`, " INDICATOR_BODY "}",
     "id", "RFC 4122"},
    {"{`type`: `indicator`, `spec_version`: `2.1`, `id`: `malware--" U "`, `created`: "
     "`2016-04-06T20:03:00.000Z`, `modified`: `2016-04-06T20:03:00.000Z`, " INDICATOR_BODY "}",
     "id", "type prefix"},
    {"{`type`: `indicator`, `spec_version`: `2.1`, `id`: `indicator--" U "`, `modified`: "
     "`2016-04-06T20:03:00.000Z`, " INDICATOR_BODY "}",
     "created", "required"},
    {"{`type`: `indicator`, `spec_version`: `2.0`, `id`: `indicator--" U "`, `created`: "
     "`2016-04-06T20:03:00.000Z`, `modified`: `2016-04-06T20:03:00.000Z`, " INDICATOR_BODY "}",
     "spec_version", "2.1"},
    /* timestamps */
    {"{`type`: `indicator`, `spec_version`: `2.1`, `id`: `indicator--" U "`, `created`: "
     "`2016-13-06T20:03:00.000Z`, `modified`: `2016-04-06T20:03:00.000Z`, " INDICATOR_BODY "}",
     "created", "timestamp"},
    {"{`type`: `indicator`, `spec_version`: `2.1`, `id`: `indicator--" U "`, `created`: "
     "`2016-04-06T20:03:00.000+00:00`, `modified`: `2016-04-06T20:03:00.000Z`, " INDICATOR_BODY "}",
     "created", "timestamp"},
    {"{`type`: `indicator`, `spec_version`: `2.1`, `id`: `indicator--" U "`, `created`: "
     "`2016-04-06t20:03:00.000Z`, `modified`: `2016-04-06T20:03:00.000Z`, " INDICATOR_BODY "}",
     "created", "timestamp"},
    {"{`type`: `indicator`, `spec_version`: `2.1`, `id`: `indicator--" U "`, `created`: "
     "`2016-04-06T20:03:00.001Z`, `modified`: `2016-04-06T20:03:00.0009Z`, " INDICATOR_BODY "}",
     "modified", "later than or equal to created"},
    /* indicator */
    {HEAD("indicator", U) "`pattern_type`: `stix`, `valid_from`: `2016-01-01T00:00:00Z`}",
     "pattern", "required"},
    {HEAD("indicator", U) INDICATOR_BODY ", `valid_until`: `2016-01-01T00:00:00Z`}", "valid_until",
     "later than valid_from"},
    {HEAD("indicator", U) "`pattern`: `[ipv4-addr:value = '10.0.0.1'`, `pattern_type`: `stix`, "
                          "`valid_from`: `2016-01-01T00:00:00Z`}",
     "pattern", "found end of pattern at byte 29"},
    {HEAD("indicator", U) "`pattern`: `[Foo:value = '1']`, `pattern_type`: `stix`, "
                          "`valid_from`: `2016-01-01T00:00:00Z`}",
     "pattern", "not a valid STIX object type"},
    {HEAD("indicator", U) INDICATOR_BODY ", `kill_chain_phases`: [{`kill_chain_name`: `x`}]}",
     "kill_chain_phases[0].phase_name", "required"},
    /* common properties */
    {HEAD("indicator", U) INDICATOR_BODY ", `confidence`: 101}", "confidence", "between 0 and 100"},
    {HEAD("indicator", U) INDICATOR_BODY ", `labels`: []}", "labels", "non-empty"},
    {HEAD("indicator", U) INDICATOR_BODY ", `description`: null}", "description", "null"},
    {HEAD("indicator", U) INDICATOR_BODY ", `lang`: `en us`}", "lang", "RFC 5646"},
    {HEAD("indicator", U) INDICATOR_BODY ", `revoked`: `yes`}", "revoked", "true or false"},
    {HEAD("indicator", U) INDICATOR_BODY ", `defanged`: true}", "defanged", "SCOs"},
    {HEAD("indicator", U) INDICATOR_BODY ", `created_by_ref`: `malware--" U "`}", "created_by_ref",
     "identity"},
    {HEAD("indicator", U) INDICATOR_BODY ", `external_references`: [{`source_name`: `x`}]}",
     "external_references[0]", "description, url or external_id"},
    {HEAD("indicator", U) INDICATOR_BODY ", `external_references`: [{`source_name`: `x`, "
                                         "`url`: `http://a`, `hashes`: {`MD5`: `abc`}}]}",
     "external_references[0].hashes.MD5", "MD5"},
    /* custom properties */
    {HEAD("indicator", U) INDICATOR_BODY ", `X-Bad`: 1}", "X-Bad", "3..250 of [a-z0-9_]"},
    {HEAD("indicator", U) INDICATOR_BODY ", `severity`: `high`}", "severity", "reserved"},
    {HEAD("indicator", U) INDICATOR_BODY ", `x_thing_ref`: `nope`}", "x_thing_ref", "identifier"},
    {HEAD("indicator", U) INDICATOR_BODY ", `x_blob_bin`: `***`}", "x_blob_bin", "base64"},
    {HEAD("indicator", U) INDICATOR_BODY ", `x_list`: [1, []]}", "x_list[1]", "empty lists"},
    /* markings */
    {HEAD("indicator", U) INDICATOR_BODY ", `object_marking_refs`: [`identity--" U "`]}",
     "object_marking_refs[0]", "marking-definition"},
    {HEAD("indicator", U) INDICATOR_BODY ", `granular_markings`: [{`marking_ref`: `" TLP2_GREEN
                                         "`, `selectors`: [`description`]}]}",
     "granular_markings[0].selectors[0]", "does not resolve"},
    {HEAD("indicator", U) INDICATOR_BODY ", `labels`: [`a`], `granular_markings`: [{"
                                         "`marking_ref`: `" TLP2_GREEN "`, `selectors`: "
                                         "[`labels.[1]`]}]}",
     "granular_markings[0].selectors[0]", "no item [1]"},
    {HEAD("indicator", U) INDICATOR_BODY ", `granular_markings`: [{`marking_ref`: `" TLP2_GREEN
                                         "`, `lang`: `en`, `selectors`: [`pattern`]}]}",
     "granular_markings[0]", "exactly one of marking_ref and lang"},
    {"{`type`: `marking-definition`, `spec_version`: `2.1`, `id`: `" MD(
         "4a0042fe-8b88-40fe-9600-dfa128ce6fbd") "`, `created`: `2016-08-01T00:00:00.000Z`, "
                                                 "`definition_type`: `statement`, `definition`: "
                                                 "{`statement`: `x`}, `object_marking_refs`: [`" MD(
                                                     "4a0042fe-8b88-40fe-9600-dfa128ce6fbd") "`]}",
     "object_marking_refs", "circular"},
    /* extensions */
    {HEAD("indicator", U) INDICATOR_BODY ", `extensions`: {`extension-definition--d83fce45-ef58-"
                                         "4c6c-a3f4-1fbc32e98c6e`: {`rank`: 5}}}",
     "extensions.extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e.extension_type",
     "required"},
    {HEAD("indicator", U) INDICATOR_BODY ", `extensions`: {`my-ext`: {`rank`: 5}}}",
     "extensions.my-ext", "extension-definition id"},
    {"{`type`: `file`, `id`: `file--1b40e321-ae73-5637-bd97-33c35a86b80d`, `name`: `a`, "
     "`extensions`: {`ntfs-ext`: {}}}",
     "extensions.ntfs-ext", "non-empty"},
    {"{`type`: `file`, `id`: `file--1b40e321-ae73-5637-bd97-33c35a86b80d`, `name`: `a`, "
     "`extensions`: {`archive-ext`: {`comment`: `x`}}}",
     "extensions.archive-ext.contains_refs", "required"},
    {"{`type`: `file`, `id`: `file--1b40e321-ae73-5637-bd97-33c35a86b80d`, `name`: `a`, "
     "`extensions`: {`windows-pebinary-ext`: {`pe_type`: `exe`}}}",
     "extensions.windows-pebinary-ext", "besides pe_type"},
    {"{`type`: `file`, `id`: `file--1b40e321-ae73-5637-bd97-33c35a86b80d`, `name`: `a`, "
     "`extensions`: {`Bad_Ext`: {`x_y`: 1}}}",
     "extensions.Bad_Ext", "-ext"},
    /* SDO rules */
    {HEAD("malware", U) "`name`: `x`}", "is_family", "required"},
    {HEAD("malware", U) "`is_family`: true}", "name", "malware family"},
    {HEAD("malware", U) "`name`: `x`, `is_family`: false, `sample_refs`: [`url--" U "`]}",
     "sample_refs[0]", "file or artifact"},
    {HEAD("campaign", U) "`name`: `x`, `first_seen`: `2016-01-02T00:00:00Z`, `last_seen`: "
                         "`2016-01-01T00:00:00Z`}",
     "last_seen", "later than or equal to first_seen"},
    {HEAD("course-of-action", U) "`name`: `x`, `action`: `block`}", "action", "reserved"},
    {HEAD("location", U) "`name`: `x`}", "", "region, country, or latitude and longitude"},
    {HEAD("location", U) "`latitude`: 91, `longitude`: 2}", "latitude", "between -90 and 90"},
    {HEAD("location", U) "`region`: `x`, `latitude`: 1}", "longitude", "go together"},
    {HEAD("malware-analysis", U) "`product`: `x`}", "", "result and analysis_sco_refs"},
    {HEAD("observed-data", U) "`first_observed`: `2015-12-21T19:00:00Z`, `last_observed`: "
                              "`2015-12-21T19:00:00Z`, `number_observed`: 0, `object_refs`: "
                              "[`ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4`]}",
     "number_observed", "between 1 and 999999999"},
    {HEAD("observed-data", U) "`first_observed`: `2015-12-21T19:00:00Z`, `last_observed`: "
                              "`2015-12-21T19:00:00Z`, `number_observed`: 1, `object_refs`: "
                              "[`malware--" U "`]}",
     "object_refs", "at least one SCO"},
    {HEAD("opinion", U) "`opinion`: `maybe`, `object_refs`: [`malware--" U "`]}", "opinion",
     "enumeration"},
    {HEAD("report", U) "`name`: `r`, `object_refs`: [`malware--" U "`]}", "published", "required"},
    {HEAD("vulnerability", U) "`name`: `v`, `external_references`: [{`source_name`: `cve`, "
                              "`external_id`: `2016-1234`}]}",
     "external_references[0].external_id", "CVE-YYYY-NNNN"},
    {HEAD("attack-pattern", U) "`name`: `a`, `external_references`: [{`source_name`: `capec`, "
                               "`external_id`: `CAPEC163`}]}",
     "external_references[0].external_id", "CAPEC-[id]"},
    {HEAD("grouping", U) "`object_refs`: [`malware--" U "`]}", "context", "required"},
    {HEAD("language-content", U) "`object_ref`: `malware--" U "`, `contents`: {`de`: `x`}}",
     "contents.de", "object"},
    /* SROs */
    {HEAD("relationship", U) "`relationship_type`: `uses`, `target_ref`: `malware--" U "`}",
     "source_ref", "required"},
    {HEAD("relationship", U) "`relationship_type`: `uses`, `source_ref`: `" TLP2_GREEN
                             "`, `target_ref`: `malware--" U "`}",
     "source_ref", "must not refer to a meta object"},
    {HEAD("relationship", U) "`relationship_type`: `Uses`, `source_ref`: `tool--" U
                             "`, `target_ref`: `malware--" U "`}",
     "relationship_type", "[a-z0-9-]"},
    {HEAD("relationship", U) "`relationship_type`: `uses`, `source_ref`: `tool--" U
                             "`, `target_ref`: `malware--" U "`, `start_time`: "
                             "`2016-01-01T00:00:00Z`, `stop_time`: `2016-01-01T00:00:00Z`}",
     "stop_time", "later than start_time"},
    {HEAD("sighting", U) "`sighting_of_ref`: `relationship--" U "`}", "sighting_of_ref",
     "must not refer to an SRO"},
    {HEAD("sighting", U) "`sighting_of_ref`: `" IND "`, `count`: -1}", "count", "between 0"},
    {HEAD("sighting", U) "`sighting_of_ref`: `" IND "`, `where_sighted_refs`: [`malware--" U "`]}",
     "where_sighted_refs[0]", "identity or location"},
    /* marking definitions and TLP */
    {"{`type`: `marking-definition`, `spec_version`: `2.1`, `id`: `" MD(
         "4a0042fe-8b88-40fe-9600-dfa128ce6fbd") "`, `created`: `2016-08-01T00:00:00.000Z`}",
     "definition_type", "required when there are no extensions"},
    {"{`type`: `marking-definition`, `spec_version`: `2.1`, `id`: `" MD(
         "4a0042fe-8b88-40fe-9600-dfa128ce6fbd") "`, `created`: `2016-08-01T00:00:00.000Z`, "
                                                 "`definition_type`: `tlp`, `definition`: "
                                                 "{`tlp`: `green`}}",
     "", "only the standard TLP 1.0"},
    {"{`type`: `marking-definition`, `spec_version`: `2.1`, `id`: `" TLP2_GREEN
     "`, `created`: `2022-10-01T00:00:00.000Z`, `name`: `TLP:RED`, `extensions`: {`" TLP2_EXT
     "`: {`extension_type`: `property-extension`, `tlp_2_0`: `green`}}}",
     "", "must be \"TLP:GREEN\""},
    {"{`type`: `marking-definition`, `spec_version`: `2.1`, `id`: `" MD(
         "4a0042fe-8b88-40fe-9600-dfa128ce6fbd") "`, `created`: `2022-10-01T00:00:00.000Z`, "
                                                 "`name`: `TLP:RED`, `extensions`: {`" TLP2_EXT
                                                 "`: {`extension_type`: `property-extension`, "
                                                 "`tlp_2_0`: `red`}}}",
     "", "only the standard TLP 2.0"},
    {"{`type`: `marking-definition`, `spec_version`: `2.1`, `id`: `" TLP2_GREEN
     "`, `created`: `2022-10-01T00:00:00.000Z`, `definition_type`: `statement`, `definition`: "
     "{`statement`: `x`}}",
     "", "standard TLP:GREEN"},
    {"{`type`: `marking-definition`, `spec_version`: `2.1`, `id`: `" MD(
         "4a0042fe-8b88-40fe-9600-dfa128ce6fbd") "`, `created`: `2016-08-01T00:00:00.000Z`, "
                                                 "`definition_type`: `statement`, `definition`: "
                                                 "{`text`: `x`}}",
     "definition", "statement"},
    {HEAD("extension-definition", U) "`name`: `x`, `schema`: `s`, `version`: `1`, "
                                     "`created_by_ref`: `identity--" U "`, `extension_types`: "
                                     "[`property-extension`], `extension_properties`: [`a`]}",
     "extension_properties", "toplevel-property-extension"},
    {HEAD("extension-definition", U) "`name`: `x`, `schema`: `s`, `version`: `1`, "
                                     "`extension_types`: [`new-sdo`]}",
     "created_by_ref", "required"},
    {HEAD("extension-definition", U) "`name`: `x`, `schema`: `s`, `version`: `1`, "
                                     "`created_by_ref`: `identity--" U "`, `extension_types`: "
                                     "[`new-thing`]}",
     "extension_types[0]", "enumeration"},
    /* SCOs */
    {"{`type`: `ipv4-addr`, `id`: `ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4`, `value`: "
     "`198.51.100.300`}",
     "value", "IPv4"},
    {"{`type`: `ipv4-addr`, `id`: `ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4`, `value`: "
     "`198.51.100.3/33`}",
     "value", "IPv4"},
    {"{`type`: `ipv6-addr`, `id`: `ipv6-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4`, `value`: "
     "`2001:db8::zz`}",
     "value", "IPv6"},
    {"{`type`: `mac-addr`, `id`: `mac-addr--757b1725-9903-54f5-a855-1240691d7659`, `value`: "
     "`D2:FB:49:24:37:18`}",
     "value", "lower-case"},
    {"{`type`: `domain-name`, `id`: `domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7`, "
     "`value`: `bad name.com`}",
     "value", "domain name"},
    {"{`type`: `url`, `id`: `url--47c3cf9a-5027-5bf0-997a-017c7edc7c55`, `value`: `no scheme`}",
     "value", "RFC 3986"},
    {"{`type`: `file`, `id`: `file--1b40e321-ae73-5637-bd97-33c35a86b80d`, `size`: 1}", "",
     "hashes and name"},
    {"{`type`: `file`, `id`: `file--1b40e321-ae73-5637-bd97-33c35a86b80d`, `name`: `x`, "
     "`size`: -1}",
     "size", "between 0"},
    {"{`type`: `file`, `id`: `file--1b40e321-ae73-5637-bd97-33c35a86b80d`, `hashes`: "
     "{`SHA-256`: `abc`}}",
     "hashes.SHA-256", "SHA-256"},
    {"{`type`: `file`, `id`: `file--1b40e321-ae73-5637-bd97-33c35a86b80d`, `name`: `x`, "
     "`magic_number_hex`: `abc`}",
     "magic_number_hex", "hex digits"},
    {"{`type`: `artifact`, `id`: `artifact--6be1fbcb-fd03-5ec3-b05f-4329746e9d2b`, "
     "`url`: `http://x/y`}",
     "hashes", "required when url"},
    {"{`type`: `artifact`, `id`: `artifact--6be1fbcb-fd03-5ec3-b05f-4329746e9d2b`, "
     "`payload_bin`: `AAAA`, `url`: `http://x/y`, `hashes`: {`MD5`: "
     "`3773a88f65a5e780c8dff9cdc3a056f3`}}",
     "", "exactly one of payload_bin and url"},
    {"{`type`: `network-traffic`, `id`: `network-traffic--6e0cb830-0305-57d4-8536-7be874d42005`,"
     " `protocols`: [`tcp`]}",
     "", "src_ref and dst_ref"},
    {"{`type`: `network-traffic`, `id`: `network-traffic--6e0cb830-0305-57d4-8536-7be874d42005`,"
     " `protocols`: [`tcp`], `dst_ref`: `ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4`, "
     "`dst_port`: 70000}",
     "dst_port", "between 0 and 65535"},
    {"{`type`: `network-traffic`, `id`: `network-traffic--6e0cb830-0305-57d4-8536-7be874d42005`,"
     " `protocols`: [`tcp`], `dst_ref`: `url--47c3cf9a-5027-5bf0-997a-017c7edc7c55`}",
     "dst_ref", "ipv4-addr, ipv6-addr, mac-addr or domain-name"},
    {"{`type`: `network-traffic`, `id`: `network-traffic--6e0cb830-0305-57d4-8536-7be874d42005`,"
     " `protocols`: [`tcp`], `dst_ref`: `ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4`, "
     "`extensions`: {`socket-ext`: {`address_family`: `AF_UNIX`}}}",
     "extensions.socket-ext.address_family", "enumeration"},
    {"{`type`: `email-message`, `id`: `email-message--d7d69ead-3347-5772-815a-7766dc29c72c`, "
     "`is_multipart`: true, `body`: `hi`}",
     "body", "is_multipart is true"},
    {"{`type`: `email-message`, `id`: `email-message--d7d69ead-3347-5772-815a-7766dc29c72c`, "
     "`is_multipart`: true, `body_multipart`: [{`content_type`: `text/plain`}]}",
     "body_multipart[0]", "body and body_raw_ref"},
    {"{`type`: `user-account`, `id`: `user-account--f94d689e-707d-58c3-b803-c720bb6ed096`}", "",
     "at least one property"},
    {"{`type`: `windows-registry-key`, `id`: "
     "`windows-registry-key--1884b770-b679-522a-a9c7-45fadaaec7bb`, `key`: `HKLM\\\\System`}",
     "key", "HKEY_LOCAL_MACHINE"},
    {"{`type`: `windows-registry-key`, `id`: "
     "`windows-registry-key--1884b770-b679-522a-a9c7-45fadaaec7bb`, `values`: [{`data_type`: "
     "`REG_FOO`}]}",
     "values[0].data_type", "enumeration"},
    {"{`type`: `process`, `id`: `process--8fac80fe-a220-4ba9-8ffe-4f43ce8edff8`}", "",
     "process needs"},
    {"{`type`: `x509-certificate`, `id`: `x509-certificate--bf86f034-2390-54d7-8426-"
     "d08433db3fbe`, `x509_v3_extensions`: {}}",
     "x509_v3_extensions", "at least one property"},
    {"{`type`: `x509-certificate`, `id`: `x509-certificate--bf86f034-2390-54d7-8426-"
     "d08433db3fbe`}",
     "", "at least one property"},
    {"{`type`: `software`, `id`: `software--710b0b41-d4d0-5d6c-a400-fc9254554ffc`, `spec_version`:"
     " `2.0`, `name`: `x`}",
     "spec_version", "2.1"},
    {"{`type`: `bundle`, `id`: `bundle--" U "`, `objects`: []}", "", "not a STIX object"},
};

static bool has_error(const struct stix_report *rep, const char *path, const char *msg)
{
  for (size_t i = 0; i < rep->n; i++)
    if (rep->items[i].severity == STIX_ERROR && !strcmp(rep->items[i].path, path) &&
        strstr(rep->items[i].msg, msg))
      return true;
  return false;
}

void stix_invalid_tests(void **state);

void stix_invalid_tests(void **state)
{
  (void)state;
  char buf[4096];
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    size_t n = strlen(cases[i].json);
    assert_true(n < sizeof(buf));
    for (size_t k = 0; k <= n; k++)
      buf[k] = cases[i].json[k] == '`' ? '"' : cases[i].json[k];
    json_t *o;
    struct fs_err err;
    if (jsonx_parse(buf, n, &o, &err)) {
      fprintf(stderr, "case %zu: bad JSON %s at %s\n", i, err.msg, err.where);
      fail();
    }
    struct stix_report rep;
    int rc = stix_validate(o, NULL, &rep);
    if (rc != FS_ERR_INVALID || !has_error(&rep, cases[i].path, cases[i].msg)) {
      fprintf(stderr, "case %zu: expected error at \"%s\" containing \"%s\"; got:\n", i,
              cases[i].path, cases[i].msg);
      char line[600];
      for (size_t f = 0; f < rep.n; f++) {
        stix_finding_format(&rep, f, false, line, sizeof(line));
        fprintf(stderr, "  %s\n", line);
      }
      fail();
    }
    /* The formatted finding names the object and the property. */
    char line[600];
    for (size_t f = 0; f < rep.n; f++) {
      stix_finding_format(&rep, f, false, line, sizeof(line));
      if (rep.id[0])
        assert_non_null(strstr(line, rep.id));
    }
    json_decref(o);
  }
}
