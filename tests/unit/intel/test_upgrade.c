/* Unit tests of the intelligence store's upgrades: schema step 2 (clustered tables): a hub whose
 * store was written at step 1 opens at step 2 with every object, entry, version flag and
 * observable kept, and the step 2 code reads, versions and deletes them; stored levels: versions
 * stored before granular markings counted are raised to them once, with the hub's sightings of
 * such indicators. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "auth/org.h"
#include "auth/auth.h"
#include "core/file.h"
#include "hub/hub.h"
#include "hubfixture.h"
#include "incident/incident.h"
#include "intel/intel.h"
#include "stix/taxii_query.h"
#include "soc/soc.h"
#include "hubfixture.h"

#include <stdio.h>
#include <string.h>

#define A "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define B "indicator--26ffb872-1dd9-446e-b6f5-d58527e5b5d2"
#define GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define SCO "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"

/* An indicator's published JSON. */
#define BODY(id, modified, value)                                                                  \
  "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" id "\","                            \
  "\"created\":\"2020-01-01T00:00:00.000Z\",\"modified\":\"" modified "\","                        \
  "\"pattern\":\"[ipv4-addr:value = '" value "']\",\"pattern_type\":\"stix\","                     \
  "\"valid_from\":\"2020-01-01T00:00:00Z\",\"object_marking_refs\":[\"" GREEN "\"]}"

/* What step 1 stored: A in two versions and B, all in the sector collection (number 1), B also in
 * submissions (number 2), with their flags and observables, as step-1 code wrote them. */
struct v1_object {
  int64_t seq;
  const char *id, *version, *version_key, *body;
};

static const struct v1_object v1_objects[] = {
    {1, A, "2020-01-01T00:00:00.000Z", "2020-01-01T00:00:00.000000000Z",
     BODY(A, "2020-01-01T00:00:00.000Z", "198.51.100.1")},
    {2, A, "2021-01-01T00:00:00.000Z", "2021-01-01T00:00:00.000000000Z",
     BODY(A, "2021-01-01T00:00:00.000Z", "198.51.100.2")},
    {3, B, "2020-06-01T00:00:00.000Z", "2020-06-01T00:00:00.000000000Z",
     BODY(B, "2020-06-01T00:00:00.000Z", "198.51.100.3")},
};

static const char *const v1_rows[] = {
    "INSERT INTO intel_entry (coll, date_added, seq, id, version_key, is_latest, is_first) VALUES"
    " (1, 100, 1, '" A "', '2020-01-01T00:00:00.000000000Z', 0, 1),"
    " (1, 101, 2, '" A "', '2021-01-01T00:00:00.000000000Z', 1, 0),"
    " (1, 102, 3, '" B "', '2020-06-01T00:00:00.000000000Z', 1, 1),"
    " (2, 103, 3, '" B "', '2020-06-01T00:00:00.000000000Z', 1, 1)",
    "INSERT INTO intel_observable (value, seq) VALUES"
    " ('198.51.100.1', 1), ('198.51.100.2', 2), ('198.51.100.3', 3)",
};

/* A hub folder whose store has every schema but intel at step 1, with the rows above. */
static void make_v1_hub(const char *dir, struct fs_config *cfg)
{
  struct fs_err err;
  struct store *st;
  struct store_conn *c;
  const struct store_schema v1 = {"intel", intel_schema.steps, 1};
  const struct store_schema *const schemas[] = {&audit_schema, &auth_schema, &v1, &incident_schema,
                                                &soc_schema};
  hub_fixture_older(dir, cfg, schemas, FS_ARRAY_SIZE(schemas), &st, &c);

  struct actor who;
  memset(&who, 0, sizeof(who));
  who.local = true;
  who.role = AUTH_ROLE_HUB_ADMIN;
  who.now_ms = 1600000000000;
  struct org_input org;
  org_input_init(&org);
  org.code = "hub";
  org.name_zh = "中樞";
  org.name_en = "Hub";
  org.industry = ORG_INDUSTRY_HUB;
  org.size_tier = 0;
  assert_int_equal(org_create(c, &who, &org, who.org_id, &err), FS_OK);
  assert_int_equal(intel_bootstrap(c, &who, "hub", &err), FS_OK);
  for (size_t i = 0; i < FS_ARRAY_SIZE(v1_objects); i++) {
    const struct v1_object *o = &v1_objects[i];
    assert_int_equal(store_exec(c, NULL, &err,
                                "INSERT INTO intel_object (seq, id, version, version_key, type,"
                                " spec_version, tlp, anonymous, recipient_orgs, recipient_users,"
                                " revoked, valid_from, stored_at, body) VALUES"
                                " (?, ?, ?, ?, 'indicator', '2.1', 'green', 0, '', '', 0,"
                                " 1577836800000, ?, ?)",
                                "isssis", o->seq, o->id, o->version, o->version_key, o->seq,
                                o->body),
                     FS_OK);
  }
  for (size_t i = 0; i < FS_ARRAY_SIZE(v1_rows); i++)
    if (store_exec(c, NULL, &err, v1_rows[i], ""))
      fail_msg("%s: %s", err.where, err.msg);
  /* an SCO (no version), the hub's: step 3 makes it the hub's copy */
  assert_int_equal(store_exec(c, NULL, &err,
                              "INSERT INTO intel_object (seq, id, version, version_key, type,"
                              " spec_version, tlp, producer_org, anonymous, recipient_orgs,"
                              " recipient_users, revoked, stored_at, body) VALUES"
                              " (4, '" SCO "', '', '', 'ipv4-addr', '2.1', 'green', ?, 0, '', '',"
                              " 0, 4, '{}')",
                              "s", who.org_id),
                   FS_OK);
  int version = 0;
  assert_int_equal(store_schema_version(c, "intel", &version, &err), FS_OK);
  assert_int_equal(version, 1);
  store_release(st, c);
  store_free(st);
}

/* The rows a read gives, as "id@version" lines. */
struct seen {
  char text[1024];
};

static int note(const struct intel_row *r, void *ctx)
{
  struct seen *s = ctx;
  size_t n = strlen(s->text);
  snprintf(s->text + n, sizeof(s->text) - n, "%s@%.4s\n", r->id, r->version);
  return FS_OK;
}

static const char *page(struct store_conn *c, const struct actor *who,
                        const struct intel_collection *col, unsigned versions, struct seen *s)
{
  struct fs_err err;
  struct stix_taxii_query q = {.versions = versions};
  struct intel_page p = {.q = &q, .limit = 100};
  memset(s, 0, sizeof(*s));
  assert_int_equal(intel_read_collection(c, who, col, &p, note, s, &err), FS_OK);
  return s->text;
}

static void test_upgrade_from_step_1(void **state)
{
  (void)state;
  char dir[256];
  test_tmpdir(dir, "upgrade");
  struct fs_config cfg;
  make_v1_hub(dir, &cfg);

  struct hub h;
  struct fs_err err;
  struct store_conn *c;
  assert_int_equal(hub_open(&h, &cfg, 2, &err), FS_OK);
  assert_int_equal(store_acquire(h.store, &c, &err), FS_OK);
  int version = 0;
  assert_int_equal(store_schema_version(c, "intel", &version, &err), FS_OK);
  assert_int_equal(version, (int)intel_schema.count);
  struct actor op;
  hub_local_actor(&h, &op);
  /* step 3: an object without versions is its producer's copy; versioned ones have none */
  char copy[40] = "x";
  assert_int_equal(store_query_text(c, copy, sizeof(copy), NULL, &err,
                                    "SELECT copy FROM intel_object WHERE id = ?", "s", SCO),
                   FS_OK);
  assert_string_equal(copy, op.org_id);
  assert_int_equal(store_query_text(c, copy, sizeof(copy), NULL, &err,
                                    "SELECT copy FROM intel_object WHERE seq = 1", ""),
                   FS_OK);
  assert_string_equal(copy, "");
  struct intel_collection sector, subs;
  assert_int_equal(intel_collection_find(c, &op, "sector", &sector, &err), FS_OK);
  assert_int_equal(intel_collection_find(c, &op, "submissions", &subs, &err), FS_OK);
  assert_int_equal(sector.num, 1);
  assert_int_equal(subs.num, 2);

  /* everything is there, in date_added order, with its flags */
  struct seen s;
  assert_string_equal(page(c, &op, &sector, STIX_TAXII_V_ALL, &s),
                      A "@2020\n" A "@2021\n" B "@2020\n");
  assert_string_equal(page(c, &op, &sector, 0, &s), A "@2021\n" B "@2020\n");
  assert_string_equal(page(c, &op, &sector, STIX_TAXII_V_FIRST, &s), A "@2020\n" B "@2020\n");
  assert_string_equal(page(c, &op, &subs, 0, &s), B "@2020\n");
  memset(&s, 0, sizeof(s));
  assert_int_equal(intel_read_object(c, &op, &sector, A, note, &s, &err), FS_OK);
  assert_string_equal(s.text, A "@2020\n" A "@2021\n");
  memset(&s, 0, sizeof(s));
  assert_int_equal(intel_search(c, &op, "198.51.100.3", 10, note, &s, &err), FS_OK);
  assert_string_equal(s.text, B "@2020\n");

  /* a newer version of A becomes the latest; the first stays */
  const char *newer = "{\"objects\":[" BODY(A, "2022-01-01T00:00:00.000Z", "198.51.100.4") "]}";
  size_t failures = 9;
  assert_int_equal(intel_ingest_text(c, &op, "sector", newer, strlen(newer), &failures, &err),
                   FS_OK);
  assert_int_equal(failures, 0);
  assert_string_equal(page(c, &op, &sector, 0, &s), B "@2020\n" A "@2022\n");
  assert_string_equal(page(c, &op, &sector, STIX_TAXII_V_FIRST, &s), A "@2020\n" B "@2020\n");
  /* an older one, new to submissions, is latest and first there */
  const char *older = "{\"objects\":[" BODY(A, "2020-01-01T00:00:00.000Z", "198.51.100.1") "]}";
  assert_int_equal(intel_ingest_text(c, &op, "submissions", older, strlen(older), &failures, &err),
                   FS_OK);
  assert_string_equal(page(c, &op, &subs, 0, &s), B "@2020\n" A "@2020\n");
  /* deleting the latest makes 2021 the latest again, in sector only */
  struct stix_taxii_query last = {.versions = STIX_TAXII_V_LAST};
  assert_int_equal(intel_delete(c, &op, &sector, A, &last, &err), FS_OK);
  assert_string_equal(page(c, &op, &sector, 0, &s), A "@2021\n" B "@2020\n");
  assert_string_equal(page(c, &op, &sector, STIX_TAXII_V_ALL, &s),
                      A "@2020\n" A "@2021\n" B "@2020\n");
  assert_string_equal(page(c, &op, &subs, STIX_TAXII_V_ALL, &s), B "@2020\n" A "@2020\n");
  /* deleting every version leaves B */
  assert_int_equal(intel_delete(c, &op, &sector, A, NULL, &err), FS_OK);
  assert_string_equal(page(c, &op, &sector, STIX_TAXII_V_ALL, &s), B "@2020\n");

  store_release(h.store, c);
  hub_close(&h);
  hub_fixture_remove(dir, &cfg);
}

#define C_ID "indicator--5b0d3c1e-8a4f-4c2d-9e7b-1f2a3b4c5d6e"
#define S_ID "sighting--7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
#define RED "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
#define AMBER1 "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"

static void tlp_of(struct store_conn *c, const char *id, char out[16])
{
  struct fs_err err;
  assert_int_equal(store_query_text(c, out, 16, NULL, &err,
                                    "SELECT tlp FROM intel_object WHERE id = ?", "s", id),
                   FS_OK);
}

static int64_t meta_int(struct store_conn *c, const char *key)
{
  int64_t v = 0;
  bool found;
  struct fs_err err;
  assert_int_equal(store_query_int(c, &v, &found, &err,
                                   "SELECT CAST(value AS BIGINT) FROM intel_meta WHERE key = ?",
                                   "s", key),
                   FS_OK);
  return v;
}

/* Versions stored as GREEN although a granular marking says RED (AMBER in TLP 1.0), as hubs
 * stored them before granular markings counted, are raised once when the hub opens, with the hub's
 * sector sighting of the RED indicator; other objects keep their levels. */
static void test_levels_from_granular_markings(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  struct fs_err err;
  const char *doc =
      "{\"objects\":[{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" C_ID "\","
      "\"created\":\"2020-01-01T00:00:00.000Z\",\"modified\":\"2020-01-01T00:00:00.000Z\","
      "\"pattern\":\"[ipv4-addr:value = '198.51.100.9']\",\"pattern_type\":\"stix\","
      "\"valid_from\":\"2020-01-01T00:00:00Z\",\"object_marking_refs\":[\"" GREEN "\"],"
      "\"granular_markings\":[{\"marking_ref\":\"" RED "\",\"selectors\":[\"pattern\"]}]},"
      "{\"type\":\"sighting\",\"spec_version\":\"2.1\",\"id\":\"" S_ID "\","
      "\"created\":\"2020-01-02T00:00:00.000Z\",\"modified\":\"2020-01-02T00:00:00.000Z\","
      "\"sighting_of_ref\":\"" C_ID "\",\"count\":2,\"object_marking_refs\":[\"" GREEN
      "\"]}," BODY(A, "2020-01-01T00:00:00.000Z",
                   "198.51.100.1") ","
                                   "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" B
                                   "\","
                                   "\"created\":\"2020-01-01T00:00:00.000Z\",\"modified\":\"2020-"
                                   "01-01T00:00:00.000Z\","
                                   "\"name\":\"n\",\"pattern\":\"[ipv4-addr:value = "
                                   "'198.51.100.8']\",\"pattern_type\":\"stix\","
                                   "\"valid_from\":\"2020-01-01T00:00:00Z\","
                                   "\"granular_markings\":[{\"marking_ref\":\"" AMBER1
                                   "\",\"selectors\":[\"name\"]}]}]}";
  size_t failures = 9;
  assert_int_equal(intel_ingest_text(f.c, &f.op, "sector", doc, strlen(doc), &failures, &err),
                   FS_OK);
  assert_int_equal(failures, 0);
  char tlp[16];
  tlp_of(f.c, C_ID, tlp);
  assert_string_equal(tlp, "red"); /* stored right today */
  tlp_of(f.c, B, tlp);
  assert_string_equal(tlp, "amber"); /* above sector's default GREEN */

  /* as an older hub stored them */
  assert_int_equal(store_exec(f.c, NULL, &err,
                              "UPDATE intel_object SET tlp = 'green' WHERE id IN (?, ?)", "ss",
                              C_ID, B),
                   FS_OK);
  assert_int_equal(store_exec(f.c, NULL, &err, "DELETE FROM intel_meta WHERE key = 'levels'", ""),
                   FS_OK);
  int64_t deletes = meta_int(f.c, "deletes"), gen = meta_int(f.c, "gen:1");
  assert_int_equal(intel_bootstrap(f.c, &f.op, "hub", &err), FS_OK);
  tlp_of(f.c, C_ID, tlp);
  assert_string_equal(tlp, "red");
  tlp_of(f.c, S_ID, tlp);
  assert_string_equal(tlp, "red"); /* the hub's sighting of it no longer tells anyone */
  tlp_of(f.c, B, tlp);
  assert_string_equal(tlp, "amber");
  tlp_of(f.c, A, tlp);
  assert_string_equal(tlp, "green");
  assert_int_equal(meta_int(f.c, "deletes"), deletes + 1); /* the SOC rebuilds its index */
  assert_int_equal(meta_int(f.c, "gen:1"), gen + 1);       /* cached pages are dropped */
  assert_int_equal(meta_int(f.c, "levels"), 1);

  /* once: a later open leaves levels alone */
  assert_int_equal(
      store_exec(f.c, NULL, &err, "UPDATE intel_object SET tlp = 'green' WHERE id = ?", "s", B),
      FS_OK);
  assert_int_equal(intel_bootstrap(f.c, &f.op, "hub", &err), FS_OK);
  tlp_of(f.c, B, tlp);
  assert_string_equal(tlp, "green");
  hub_fixture_close(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_upgrade_from_step_1),
      cmocka_unit_test(test_levels_from_granular_markings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
