/* The SOC service on a real hub: which organisation a syslog sender is (the most specific range,
 * IPv4 and IPv6), registration errors, and the worker's path from records to stored alerts:
 * deduplication, any bytes in an event stored as valid text, visibility, sector alerts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "socfixture.h"
#include "auth/org.h"
#include "core/uuid.h"
#include "incident/incident.h"
#include "soc/soc_int.h"

static void add_org(struct hub_fixture *f, const char *code, char id[37])
{
  hub_fixture_org(f, code, id);
}

static const char *org_of(struct hub_fixture *f, const char *addr)
{
  static char org[37];
  struct fs_err err;
  assert_int_equal(soc_source_org(f->c, addr, org, &err), FS_OK);
  return org;
}

static void test_sources(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  char a[37], b[37], id[37];
  add_org(&f, "bank-a", a);
  add_org(&f, "bank-b", b);
  struct fs_err err;
  int64_t gen0, gen;
  assert_int_equal(soc_sources_generation(f.c, &gen0, &err), FS_OK);
  assert_int_equal(soc_source_add(f.c, &f.op, "cidr", "10.0.0.0/8", "bank-a", id, &err), FS_OK);
  assert_int_equal(soc_source_add(f.c, &f.op, "cidr", "10.1.0.0/16", "bank-b", id, &err), FS_OK);
  assert_int_equal(soc_source_add(f.c, &f.op, "cidr", "2001:db8::/32", "bank-a", id, &err), FS_OK);
  assert_int_equal(soc_source_add(f.c, &f.op, "cidr", "192.0.2.7", "bank-b", id, &err), FS_OK);
  /* every change raises the generation serve polls (#18 item 3) */
  assert_int_equal(soc_sources_generation(f.c, &gen, &err), FS_OK);
  assert_int_equal(gen, gen0 + 4);
  assert_string_equal(org_of(&f, "10.1.2.3"), b); /* the most specific range */
  assert_string_equal(org_of(&f, "10.2.0.1"), a);
  assert_string_equal(org_of(&f, "::ffff:10.1.2.3"),
                      b); /* v4-mapped, as a dual-stack socket says */
  assert_string_equal(org_of(&f, "2001:db8:1::5"), a);
  assert_string_equal(org_of(&f, "192.0.2.7"), b);
  assert_string_equal(org_of(&f, "192.0.2.8"), "");
  assert_string_equal(org_of(&f, "not an address"), "");

  static const char *const bad[] = {"10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "abc", "::/129", NULL};
  for (int i = 0; bad[i]; i++) {
    assert_int_equal(soc_source_add(f.c, &f.op, "cidr", bad[i], "bank-a", id, &err),
                     FS_ERR_INVALID);
    assert_string_equal(err.where, "$.match");
  }
  char upper[65];
  memset(upper, 'A', 64);
  upper[64] = '\0';
  assert_int_equal(soc_source_add(f.c, &f.op, "cert", upper, "bank-a", id, &err), FS_ERR_INVALID);
  assert_int_equal(soc_source_add(f.c, &f.op, "dns", "x", "bank-a", id, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "$.kind");
  assert_int_equal(soc_source_add(f.c, &f.op, "cidr", "10.0.0.0/8", "bank-b", id, &err),
                   FS_ERR_CONFLICT);
  assert_int_equal(soc_source_add(f.c, &f.op, "cidr", "172.16.0.0/12", "nobody", id, &err),
                   FS_ERR_NOT_FOUND);

  /* Removal by range; a member may not change sources. */
  assert_int_equal(soc_source_remove(f.c, &f.op, "10.1.0.0/16", &err), FS_OK);
  assert_string_equal(org_of(&f, "10.1.2.3"), a);
  assert_int_equal(soc_source_remove(f.c, &f.op, "10.1.0.0/16", &err), FS_ERR_NOT_FOUND);
  assert_int_equal(soc_sources_generation(f.c, &gen, &err), FS_OK);
  assert_int_equal(gen, gen0 + 5); /* refused changes raise nothing */
  struct actor member = f.op;
  member.local = false;
  member.role = AUTH_ROLE_MEMBER_ADMIN;
  snprintf(member.org_id, sizeof(member.org_id), "%s", a);
  assert_int_equal(soc_source_add(f.c, &member, "cidr", "172.16.0.0/12", "bank-a", id, &err),
                   FS_ERR_FORBIDDEN);
  assert_int_equal(soc_source_remove(f.c, &member, "10.0.0.0/8", &err), FS_ERR_FORBIDDEN);
  /* A member sees its own organisation's sources (#14), the supervisor none. */
  json_t *out = NULL;
  assert_int_equal(soc_sources_json(f.c, &member, NULL, &out, &err), FS_OK);
  assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
  json_decref(out);
  member.role = AUTH_ROLE_SUPERVISOR;
  assert_int_equal(soc_sources_json(f.c, &member, NULL, &out, &err), FS_ERR_FORBIDDEN);
  assert_int_equal(soc_sources_json(f.c, &f.op, NULL, &out, &err), FS_OK);
  assert_int_equal(json_array_size(json_object_get(out, "items")), 3);
  json_decref(out);
  hub_fixture_close(&f);
}

static json_int_t rebuilds_of(struct soc_engine *e)
{
  json_t *st = soc_engine_status(e);
  json_int_t n = json_integer_value(json_object_get(st, "rebuilds"));
  json_decref(st);
  return n;
}

/* The intel position the engine's index reflects. */
static json_int_t position_of(struct soc_engine *e)
{
  json_t *st = soc_engine_status(e);
  json_int_t at =
      json_integer_value(json_object_get(json_object_get(st, "indicators"), "intel_position"));
  json_decref(st);
  return at;
}

/* Waits until the engine has rebuilt its index after `before` rebuilds, from intelligence at
 * least as recent as what is stored now: a rebuild alone may be one started before the last
 * ingest (the engine also looks when a sighting is written, or told by the store of a change).
 * Fails when that never happens (a guard of 300 s against a hang, not a timing). */
static void wait_rebuild(struct hub_fixture *f, struct soc_engine *e, json_int_t before)
{
  int64_t seq = 0, deletes = 0;
  struct fs_err err;
  assert_int_equal(intel_position(f->c, &seq, &deletes, &err), FS_OK);
  bool done = false;
  SOC_TEST_WAIT((done = rebuilds_of(e) > before && position_of(e) >= seq));
  if (!done)
    fail_msg("the engine did not rebuild its index");
}

static void test_worker_alerts(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  f.hub.cfg.soc_sector_threshold = 2;
  char a[37], b[37];
  add_org(&f, "bank-a", a);
  add_org(&f, "bank-b", b);
  ingest(
      &f, "sector",
      "{\"type\":\"bundle\",\"id\":\"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\",\"objects\":"
      "[" IND("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "[ipv4-addr:value = '203.0.113.5']") "," IND(
          "26ffb872-1dd9-446e-b6f5-d58527e5b5d2", "[domain-name:value = 'evil.example']") "]}");
  struct soc_engine *e = NULL;
  struct fs_err err;
  assert_int_equal(start_engine(&f, &e, &err), FS_OK);
  struct soc_worker *w = soc_worker_new(e);
  assert_non_null(w);

  /* Intelligence that holds no indicator changes the store's position: the engine's next
   * (incremental) rebuild has no changed indicator to replace. */
  json_t *st0 = soc_engine_status(e);
  json_int_t rebuilds = json_integer_value(json_object_get(st0, "rebuilds"));
  json_decref(st0);
  ingest(&f, "sector",
         "{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"malware--0c7b5b88-8ff7-4a4d-aa9d-"
         "feb398cd0061\","
         "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
         "\"name\":\"Sample\",\"is_family\":true,\"object_marking_refs\":[\"" GREEN "\"]}");
  wait_rebuild(&f, e, rebuilds);

  /* Two hits of one indicator on the same value: one alert counted twice. Free text finds the
   * domain's subdomain; a longer name that only contains it does not match. */
  static const char lines[] =
      "<134>1 2026-11-27T10:00:00Z fw01 fw - - - deny dst=203.0.113.5\n"
      "<134>1 2026-11-27T10:00:01Z fw01 fw - - - deny dst=203.0.113.5\n"
      "<134>1 2026-11-27T10:00:02Z px01 proxy - - - GET http://cdn.evil.example/a\n"
      "<134>1 2026-11-27T10:00:03Z px01 proxy - - - GET http://notevil.example/a\n"
      "\n";
  struct soc_batch st = {0};
  assert_int_equal(
      soc_worker_process(w, a, "http:test", DETECT_FMT_AUTO, lines, sizeof(lines) - 1, &st, &err),
      FS_OK);
  assert_int_equal(st.records, 4);
  assert_int_equal(st.parsed, 4);
  assert_int_equal(st.alerts, 3);
  json_t *items = alerts_of(&f, "bank-a");
  assert_int_equal(json_array_size(items), 2);
  json_t *ip = json_array_get(items, 0);
  assert_string_equal(json_string_value(json_object_get(ip, "value")), "203.0.113.5");
  assert_int_equal(json_integer_value(json_object_get(ip, "count")), 2);
  assert_string_equal(json_string_value(json_object_get(ip, "source")), "http:test");
  assert_true(json_is_null(json_object_get(ip, "sector_alert")));
  json_decref(items);

  /* Any bytes come out as valid text: invalid UTF-8 as ?, control characters as spaces, a
   * sequence cut at the end dropped. */
  static const char raw[] =
      "<134>1 2026-11-27T10:00:04Z h app - - - \xff\xfe\x01 to evil.example \xe6\x97";
  memset(&st, 0, sizeof(st));
  assert_int_equal(soc_worker_process(w, b, "syslog-udp:10.0.0.1", DETECT_FMT_AUTO, raw,
                                      sizeof(raw) - 1, &st, &err),
                   FS_OK);
  assert_int_equal(st.alerts, 1);
  items = alerts_of(&f, "bank-b");
  assert_int_equal(json_array_size(items), 1);
  const char *event = json_string_value(json_object_get(json_array_get(items, 0), "event"));
  assert_non_null(event);
  if (!strstr(event, "- - - ??  to evil.example ") || event[strlen(event) - 1] != ' ')
    fail_msg("event stored as \"%s\"", event);
  json_decref(items);

  /* The second organisation with the domain: a sector alert (threshold 2) with a draft case. */
  json_t *sector = NULL;
  assert_int_equal(soc_sector_alerts_json(f.c, &f.op, &(struct auth_page){10, NULL}, &sector, &err),
                   FS_OK);
  json_t *sa = json_array_get(json_object_get(sector, "items"), 0);
  assert_non_null(sa);
  assert_int_equal(json_integer_value(json_object_get(sa, "organisations")), 2);
  assert_string_equal(json_string_value(json_object_get(sa, "ref")),
                      "indicator--26ffb872-1dd9-446e-b6f5-d58527e5b5d2");
  assert_true(json_is_string(json_object_get(sa, "incident")));
  const char *sid = json_string_value(json_object_get(sa, "id"));
  assert_non_null(sid);

  /* Another value of the same indicator at bank-b, already counted: a new alert in the same
   * sector alert, whose count stays. */
  static const char again[] =
      "<134>1 2026-11-27T10:00:05Z px02 proxy - - - GET http://www.evil.example/b\n";
  memset(&st, 0, sizeof(st));
  assert_int_equal(
      soc_worker_process(w, b, "http:test", DETECT_FMT_AUTO, again, sizeof(again) - 1, &st, &err),
      FS_OK);
  assert_int_equal(st.alerts, 1);
  json_t *sector2 = NULL;
  assert_int_equal(
      soc_sector_alerts_json(f.c, &f.op, &(struct auth_page){10, NULL}, &sector2, &err), FS_OK);
  assert_int_equal(json_array_size(json_object_get(sector2, "items")), 1);
  json_t *sa2 = json_array_get(json_object_get(sector2, "items"), 0);
  assert_string_equal(json_string_value(json_object_get(sa2, "id")), sid);
  assert_int_equal(json_integer_value(json_object_get(sa2, "organisations")), 2);
  json_decref(sector2);
  items = alerts_of(&f, "bank-b");
  assert_int_equal(json_array_size(items), 2);
  for (size_t k = 0; k < 2; k++)
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(items, k), "sector_alert")), sid);
  json_decref(items);
  json_decref(sector);

  /* A member sees only its own alerts. */
  struct actor member = f.op;
  member.local = false;
  member.role = AUTH_ROLE_MEMBER_ANALYST;
  snprintf(member.org_id, sizeof(member.org_id), "%s", b);
  json_t *out = NULL;
  int64_t next;
  const struct soc_alert_filter every = {.limit = 100}, of_a = {.limit = 100, .org = "bank-a"};
  assert_int_equal(soc_alerts_json(f.c, &member, &every, &out, &next, &err), FS_OK);
  assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
  assert_int_equal(next, 0); /* nothing follows */
  /* Nobody but the local operator is shown the hub-wide sequence number. */
  assert_null(json_object_get(json_array_get(json_object_get(out, "items"), 0), "seq"));
  json_decref(out);
  assert_int_equal(soc_alerts_json(f.c, &member, &of_a, &out, &next, &err), FS_ERR_FORBIDDEN);
  assert_int_equal(soc_sector_alerts_json(f.c, &member, &(struct auth_page){10, NULL}, &out, &err),
                   FS_ERR_FORBIDDEN);

  soc_worker_free(w);
  soc_engine_stop(e);
  hub_fixture_close(&f);
}

/* A compound pattern through the hub's engine: evaluated on the events its anchor hits, kept
 * across incremental rebuilds, stopped by its revocation; a pattern of several observations is
 * counted as skipped. */
static void test_worker_compound(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  char a[37];
  add_org(&f, "bank-a", a);
#define COMPOUND "[ipv4-addr:value = '203.0.113.60' AND network-traffic:dst_port = 8443]"
#define CID "4b1f6a52-7f5e-4c3e-9d55-0f0b3c7f2a11"
  ingest(&f, "sector",
         "{\"type\":\"bundle\",\"id\":\"bundle--6c7cf06a-5a0a-4b8e-9d0e-8f2f9a5b1c01\",\"objects\":"
         "[" IND(CID, COMPOUND) "," IND("0d3f8a9e-2b6c-4f7d-8e1a-5c4b3a2f1e0d",
                                        "[ipv4-addr:value = '203.0.113.61'] FOLLOWEDBY "
                                        "[domain-name:value = 'later.example']") "]}");
  struct soc_engine *e = NULL;
  struct fs_err err;
  assert_int_equal(start_engine(&f, &e, &err), FS_OK);
  struct soc_worker *w = soc_worker_new(e);
  assert_non_null(w);
  json_t *st = soc_engine_status(e);
  json_t *ind = json_object_get(st, "indicators");
  assert_int_equal(json_integer_value(json_object_get(ind, "objects")), 1);
  assert_int_equal(json_integer_value(json_object_get(ind, "compound_skipped")), 1);
  json_decref(st);

  static const char anchor_only[] =
      "<134>1 2026-11-27T10:00:00Z fw01 fw - - - allow src=10.0.0.1 dst=203.0.113.60 dport=80\n";
  static const char hit[] =
      "<134>1 2026-11-27T10:00:01Z fw01 fw - - - allow src=10.0.0.1 dst=203.0.113.60 dport=8443\n";
  struct soc_batch b = {0};
  assert_int_equal(soc_worker_process(w, a, "http:test", DETECT_FMT_AUTO, anchor_only,
                                      sizeof(anchor_only) - 1, &b, &err),
                   FS_OK);
  assert_int_equal(b.alerts, 0);
  assert_int_equal(
      soc_worker_process(w, a, "http:test", DETECT_FMT_AUTO, hit, sizeof(hit) - 1, &b, &err),
      FS_OK);
  assert_int_equal(b.alerts, 1);
  json_t *items = alerts_of(&f, "bank-a");
  assert_int_equal(json_array_size(items), 1);
  json_t *al = json_array_get(items, 0);
  assert_string_equal(json_string_value(json_object_get(al, "ref")), "indicator--" CID);
  assert_string_equal(json_string_value(json_object_get(al, "ref_name")), "pattern " COMPOUND);
  assert_string_equal(json_string_value(json_object_get(al, "field")), "dst");
  assert_string_equal(json_string_value(json_object_get(al, "value")), "203.0.113.60");
  json_decref(items);

  /* An unrelated indicator: an incremental rebuild keeps the pattern (shared with the old index).
   */
  json_int_t before = rebuilds_of(e);
  ingest(&f, "sector",
         IND("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "[domain-name:value = 'other.example']"));
  wait_rebuild(&f, e, before);
  memset(&b, 0, sizeof(b));
  assert_int_equal(
      soc_worker_process(w, a, "http:test", DETECT_FMT_AUTO, hit, sizeof(hit) - 1, &b, &err),
      FS_OK);
  assert_int_equal(b.alerts, 1);

  /* Revoked: no longer matched. */
  before = rebuilds_of(e);
  ingest(&f, "sector",
         "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" CID "\","
         "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-02-01T00:00:00.000Z\","
         "\"pattern\":\"" COMPOUND
         "\",\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\","
         "\"revoked\":true,\"object_marking_refs\":[\"" GREEN "\"]}");
  wait_rebuild(&f, e, before);
  memset(&b, 0, sizeof(b));
  assert_int_equal(
      soc_worker_process(w, a, "http:test", DETECT_FMT_AUTO, hit, sizeof(hit) - 1, &b, &err),
      FS_OK);
  assert_int_equal(b.alerts, 0);
#undef COMPOUND
#undef CID
  soc_worker_free(w);
  soc_engine_stop(e);
  hub_fixture_close(&f);
}

#define LEGACY_NS "00abedb4-aa42-466c-9c01-fed23315a9b7"
#define IOC_ID "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"

/* A sighting as hubs wrote them before their ids were keyed: UUIDv5 of "indicator|org". */
static void legacy_sighting(struct hub_fixture *f, const char *org, const char *collection,
                            char id[64])
{
  char name[200], uuid[37], doc[1200], where[400] = "";
  snprintf(name, sizeof(name), "%s|%s", IOC_ID, org ? org : "all");
  assert_int_equal(fs_uuid_v5(LEGACY_NS, name, strlen(name), uuid), FS_OK);
  snprintf(id, 64, "sighting--%s", uuid);
  if (org) {
    char ident[STIX_ID_MAX];
    intel_org_identity(org, ident);
    snprintf(where, sizeof(where), ",\"where_sighted_refs\":[\"%s\"]", ident);
  }
  snprintf(doc, sizeof(doc),
           "{\"type\":\"sighting\",\"spec_version\":\"2.1\",\"id\":\"%s\","
           "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:01.000Z\","
           "\"sighting_of_ref\":\"" IOC_ID "\",\"count\":1%s,\"object_marking_refs\":[\"" GREEN
           "\"]}",
           id, where);
  ingest(f, collection, doc);
}

static int64_t count_of(struct hub_fixture *f, const char *sql, const char *a)
{
  int64_t n = -1;
  struct fs_err err;
  assert_int_equal(store_query_int(f->c, &n, NULL, &err, sql, "s", a), FS_OK);
  return n;
}

/* Hubs that wrote sightings under ids anyone could compute: when the engine starts, they take
 * keyed ids (the versions, bodies and collections kept), the old ids are no longer in use, and
 * an object that merely looks like a sighting (the hub's own, under another id) is left alone. */
static void test_sightings_upgrade(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  char a[37];
  add_org(&f, "bank-a", a);
  ingest(&f, "sector",
         IND("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "[ipv4-addr:value = '203.0.113.5']"));
  struct fs_err err;
  assert_int_equal(
      store_exec(f.c, NULL, &err,
                 "INSERT INTO soc_alert (id, seq, org_id, kind, ref, ref_name, severity,"
                 " dedup, event, source, first_at, last_at, count) VALUES"
                 " ('a1', 1, ?, 'ioc', '" IOC_ID "', '203.0.113.5', 'high', 'd', '',"
                 " 'test', 1, 1, 1)",
                 "s", a),
      FS_OK);
  char per_org[64], all[64];
  legacy_sighting(&f, a, "sightings", per_org);
  legacy_sighting(&f, NULL, "sector", all);
  ingest(&f, "sector",
         "{\"type\":\"sighting\",\"spec_version\":\"2.1\",\"id\":\"sighting--0b9d7f0e-1c2d-4e3f-"
         "8a4b-5c6d7e8f9a0b\","
         "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
         "\"sighting_of_ref\":\"" IOC_ID "\",\"object_marking_refs\":[\"" GREEN "\"]}");

  struct soc_engine *e = NULL;
  assert_int_equal(start_engine(&f, &e, &err), FS_OK);
  soc_engine_stop(e);
  const char *by_id = "SELECT COUNT(*) FROM intel_object WHERE id = ?";
  assert_int_equal(count_of(&f, by_id, per_org), 0);
  assert_int_equal(count_of(&f, by_id, all), 0);
  assert_int_equal(count_of(&f, by_id, "sighting--0b9d7f0e-1c2d-4e3f-8a4b-5c6d7e8f9a0b"), 1);
  char now_org[64] = "", now_all[64] = "";
  assert_int_equal(store_query_text(f.c, now_org, sizeof(now_org), NULL, &err,
                                    "SELECT id FROM soc_sighting WHERE ref = ? AND org_id = ?",
                                    "ss", IOC_ID, a),
                   FS_OK);
  assert_int_equal(store_query_text(f.c, now_all, sizeof(now_all), NULL, &err,
                                    "SELECT id FROM soc_sighting WHERE ref = ? AND org_id = ''",
                                    "s", IOC_ID),
                   FS_OK);
  assert_true(fs_uuid_is_rfc4122(now_org + 10, strlen(now_org + 10)));
  assert_string_not_equal(now_org, per_org);
  assert_string_not_equal(now_all, all);
  assert_string_not_equal(now_org, now_all);
  /* the objects under their new ids, in their collections, with their ids in their bodies */
  char pattern[100];
  snprintf(pattern, sizeof(pattern), "%%\"id\":\"%s\"%%", now_org);
  assert_int_equal(
      count_of(&f,
               "SELECT COUNT(*) FROM intel_object o JOIN intel_entry e ON e.seq = o.seq"
               " JOIN intel_collection c ON c.num = e.coll"
               " WHERE c.alias = 'sightings' AND o.body LIKE ?",
               pattern),
      1);
  snprintf(pattern, sizeof(pattern), "%%\"id\":\"%s\"%%", now_all);
  assert_int_equal(
      count_of(&f,
               "SELECT COUNT(*) FROM intel_object o JOIN intel_entry e ON e.seq = o.seq"
               " JOIN intel_collection c ON c.num = e.coll"
               " WHERE c.alias = 'sector' AND o.body LIKE ?",
               pattern),
      1);
  hub_fixture_close(&f);
}

/* What a sighting shows: how many versions, and the last one's count. */
struct sighting_seen {
  size_t versions;
  json_int_t count;
};

static int see_sighting(const struct intel_row *r, void *ctx)
{
  struct sighting_seen *s = ctx;
  json_t *o = json_loadb(r->body, r->body_len, 0, NULL);
  s->versions++;
  s->count = json_integer_value(json_object_get(o, "count"));
  json_decref(o);
  return FS_OK;
}

static struct sighting_seen sighting_of(struct hub_fixture *f, const char *org)
{
  char sid[64] = "";
  struct fs_err err;
  assert_int_equal(store_query_text(f->c, sid, sizeof(sid), NULL, &err,
                                    "SELECT id FROM soc_sighting WHERE ref = ? AND org_id = ?",
                                    "ss", IOC_ID, org),
                   FS_OK);
  struct sighting_seen s = {0};
  assert_int_equal(intel_read_object(f->c, &f->op, NULL, sid, see_sighting, &s, &err), FS_OK);
  return s;
}

static void hit_once(struct hub_fixture *f, struct soc_worker *w, const char *org, int times)
{
  char lines[4096] = "";
  for (int i = 0; i < times; i++)
    strcat(lines, "<134>1 2026-11-27T10:00:00Z fw01 fw - - - deny dst=203.0.113.5\n");
  struct soc_batch st = {0};
  struct fs_err err;
  assert_int_equal(
      soc_worker_process(w, org, "http:test", DETECT_FMT_AUTO, lines, strlen(lines), &st, &err),
      FS_OK);
  assert_int_equal(st.alerts, times);
  (void)f;
}

/* Sightings count hits, in versions written at most once per soc.sighting_interval: the first hit
 * writes them; hits within the interval count into the next version, written by the engine once
 * the interval has passed (or by the next batch after it); a batch of many hits adds one version.
 */
static void test_sighting_versions(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  f.hub.cfg.soc_sighting_interval_s = 60;
  char a[37];
  add_org(&f, "bank-a", a);
  ingest(&f, "sector",
         IND("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "[ipv4-addr:value = '203.0.113.5']"));
  struct soc_engine *e = NULL;
  struct fs_err err;
  assert_int_equal(start_engine(&f, &e, &err), FS_OK);
  struct soc_worker *w = soc_worker_new(e);
  assert_non_null(w);

  hit_once(&f, w, a, 1);
  struct sighting_seen mine = sighting_of(&f, a), all = sighting_of(&f, "");
  assert_int_equal(mine.versions, 1);
  assert_int_equal(mine.count, 1);
  assert_int_equal(all.versions, 1);
  assert_int_equal(all.count, 1);

  hit_once(&f, w, a, 1);
  hit_once(&f, w, a, 1);
  assert_int_equal(soc_sightings_tick(e, &err), FS_OK); /* not due yet */
  mine = sighting_of(&f, a);
  assert_int_equal(mine.versions, 1);
  assert_int_equal(mine.count, 1);

  f.hub.clock.offset_ms += 61000;
  assert_int_equal(soc_sightings_tick(e, &err), FS_OK);
  mine = sighting_of(&f, a);
  all = sighting_of(&f, "");
  assert_int_equal(mine.versions, 2);
  assert_int_equal(mine.count, 3);
  assert_int_equal(all.versions, 2);
  assert_int_equal(all.count, 3);
  assert_int_equal(soc_sightings_tick(e, &err), FS_OK); /* nothing pending */
  assert_int_equal(sighting_of(&f, a).versions, 2);

  /* one batch of 20 hits after the interval: one version counting them all */
  f.hub.clock.offset_ms += 61000;
  hit_once(&f, w, a, 20);
  mine = sighting_of(&f, a);
  assert_int_equal(mine.versions, 3);
  assert_int_equal(mine.count, 23);

  soc_worker_free(w);
  soc_engine_stop(e);
  hub_fixture_close(&f);
}

/* One batch hitting more indicators than the sightings' statements name at once (64): every
 * indicator gets its organisation's sighting and the sector's, each counting its one hit, and a
 * later batch within the interval leaves them all pending. */
static void test_sightings_of_many_indicators(void **state)
{
  (void)state;
  enum { N = 150 };
  struct hub_fixture f;
  hub_fixture_open(&f);
  f.hub.cfg.soc_sighting_interval_s = 60;
  char a[37];
  add_org(&f, "bank-a", a);
  static char bundle[N * 400 + 64], lines[N * 100];
  size_t at = (size_t)snprintf(bundle, sizeof(bundle), "{\"objects\":[");
  size_t lat = 0;
  for (int i = 0; i < N; i++) {
    char uuid[37], pattern[64];
    snprintf(uuid, sizeof(uuid), "8e2e2d2b-17d4-4cbf-938f-%012d", i);
    snprintf(pattern, sizeof(pattern), "[ipv4-addr:value = '198.51.100.%d']", i);
    at += (size_t)snprintf(bundle + at, sizeof(bundle) - at,
                           "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\","
                           "\"id\":\"indicator--%s\",\"created\":\"2026-01-01T00:00:00.000Z\","
                           "\"modified\":\"2026-01-01T00:00:00.000Z\",\"pattern\":\"%s\","
                           "\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\","
                           "\"object_marking_refs\":[\"" GREEN "\"]}",
                           i ? "," : "", uuid, pattern);
    lat +=
        (size_t)snprintf(lines + lat, sizeof(lines) - lat,
                         "<134>1 2026-11-27T10:00:00Z fw01 fw - - - deny dst=198.51.100.%d\n", i);
  }
  snprintf(bundle + at, sizeof(bundle) - at, "]}");
  ingest(&f, "sector", bundle);
  struct soc_engine *e = NULL;
  struct fs_err err;
  assert_int_equal(start_engine(&f, &e, &err), FS_OK);
  struct soc_worker *w = soc_worker_new(e);
  assert_non_null(w);
  struct soc_batch st = {0};
  assert_int_equal(soc_worker_process(w, a, "http:test", DETECT_FMT_AUTO, lines, lat, &st, &err),
                   FS_OK);
  assert_int_equal(st.alerts, N);
  const char *in_coll = "SELECT COUNT(*) FROM intel_object o JOIN intel_entry e ON e.seq = o.seq"
                        " JOIN intel_collection c ON c.num = e.coll"
                        " WHERE c.alias = ? AND o.type = 'sighting'";
  assert_int_equal(count_of(&f, in_coll, "sightings"), N);
  assert_int_equal(count_of(&f, in_coll, "sector"), N);
  assert_int_equal(count_of(&f, "SELECT COUNT(*) FROM soc_sighting WHERE org_id = ?", a), N);
  /* ('', '') is the row that says the ids were upgraded */
  assert_int_equal(
      count_of(&f, "SELECT COUNT(*) FROM soc_sighting WHERE org_id = ? AND ref <> ''", ""), N);
  assert_int_equal(count_of(&f,
                            "SELECT COUNT(*) FROM intel_object WHERE type = 'sighting'"
                            " AND body NOT LIKE ?",
                            "%\"count\":1,%"),
                   0);
  /* again within the interval: no new version, all pending */
  assert_int_equal(soc_worker_process(w, a, "http:test", DETECT_FMT_AUTO, lines, lat, &st, &err),
                   FS_OK);
  assert_int_equal(count_of(&f, in_coll, "sightings"), N);
  assert_int_equal(count_of(&f, "SELECT COUNT(*) FROM soc_sighting WHERE pending = ?", "1"), 2 * N);
  soc_worker_free(w);
  soc_engine_stop(e);
  hub_fixture_close(&f);
}

/* The title of a case, and whether its timeline has an entry with `text`. */
static void case_state(struct hub_fixture *f, const char *id, char title[256], const char *text,
                       bool *has_text)
{
  struct incident_env *env = calloc(1, sizeof(*env));
  struct fs_err err;
  json_t *c = NULL, *t = NULL;
  assert_non_null(env);
  assert_int_equal(incident_env_load(env, &f->hub.cfg, &err), FS_OK);
  assert_int_equal(incident_get_json(f->c, &f->op, env, id, &c, &err), FS_OK);
  snprintf(title, 256, "%s", json_string_value(json_object_get(c, "title")));
  assert_int_equal(incident_timeline_json(f->c, &f->op, id, &t, &err), FS_OK);
  *has_text = false;
  size_t i;
  json_t *ev;
  json_array_foreach(json_object_get(t, "items"), i, ev)
  {
    const char *x = json_string_value(json_object_get(ev, "text"));
    *has_text = *has_text || (x && !strcmp(x, text));
  }
  json_decref(c);
  json_decref(t);
  free(env);
}

/* A sector alert's draft case follows its count: its title while the hub's own, a timeline entry
 * each time; a title an analyst gave the case stays. */
static void test_sector_case_follows_count(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  f.hub.cfg.soc_sector_threshold = 2;
  char org[4][37];
  static const char *const codes[] = {"bank-a", "bank-b", "bank-c", "bank-d"};
  for (int i = 0; i < 4; i++)
    add_org(&f, codes[i], org[i]);
  ingest(&f, "sector",
         IND("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "[ipv4-addr:value = '203.0.113.5']"));
  struct soc_engine *e = NULL;
  struct fs_err err;
  assert_int_equal(start_engine(&f, &e, &err), FS_OK);
  struct soc_worker *w = soc_worker_new(e);
  assert_non_null(w);
  hit_once(&f, w, org[0], 1);
  hit_once(&f, w, org[1], 1);
  char incident[40] = "", title[256];
  bool noted;
  assert_int_equal(store_query_text(f.c, incident, sizeof(incident), NULL, &err,
                                    "SELECT incident_id FROM soc_sector_alert", ""),
                   FS_OK);
  case_state(&f, incident, title, "sector alert: now at 3 organisations", &noted);
  assert_string_equal(title, "Sector alert: ipv4 203.0.113.5 at 2 organisations");
  assert_false(noted);

  hit_once(&f, w, org[2], 1);
  case_state(&f, incident, title, "sector alert: now at 3 organisations", &noted);
  assert_string_equal(title, "Sector alert: ipv4 203.0.113.5 at 3 organisations");
  assert_true(noted);

  /* an analyst's title stays; the count still goes into the timeline */
  struct incident_env *env = calloc(1, sizeof(*env));
  assert_non_null(env);
  assert_int_equal(incident_env_load(env, &f.hub.cfg, &err), FS_OK);
  struct incident_input in;
  incident_input_init(&in);
  in.title = "C2 campaign against payment gateways";
  assert_int_equal(incident_update(f.c, &f.op, env, incident, &in, &err), FS_OK);
  free(env);
  hit_once(&f, w, org[3], 1);
  case_state(&f, incident, title, "sector alert: now at 4 organisations", &noted);
  assert_string_equal(title, "C2 campaign against payment gateways");
  assert_true(noted);

  soc_worker_free(w);
  soc_engine_stop(e);
  hub_fixture_close(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sources),
      cmocka_unit_test(test_worker_alerts),
      cmocka_unit_test(test_worker_compound),
      cmocka_unit_test(test_sightings_upgrade),
      cmocka_unit_test(test_sighting_versions),
      cmocka_unit_test(test_sightings_of_many_indicators),
      cmocka_unit_test(test_sector_case_follows_count),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
