/* Unit test of incident references (schema step 2): a hub written at step 1, whose case was
 * numbered across the sector, opens with that case's reference kept (it is also its sector
 * number); new cases are numbered within their organisation and after it in the sector, and the
 * sector number is shown to and finds a case for the hub's roles only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "auth/org.h"
#include "core/jsonx.h"
#include "hubfixture.h"
#include "incident/incident.h"
#include "intel/intel.h"
#include "soc/soc.h"

#include <stdio.h>
#include <string.h>

#define NOW 1777593600000LL /* 2026-05-01T00:00:00Z */

static void make_org(struct store_conn *c, const struct actor *who, const char *code, int industry,
                     char id[37])
{
  struct fs_err err;
  struct org_input o;
  org_input_init(&o);
  o.code = code;
  o.name_zh = code;
  o.name_en = code;
  o.industry = industry;
  o.size_tier = 0;
  if (org_create(c, who, &o, id, &err))
    fail_msg("%s: %s", err.where, err.msg);
}

/* A hub folder whose store has every schema but incident at step 1, with one case of bank-m
 * numbered INC-2026-0007 across the sector, as step-1 code wrote it. */
static void make_v1_hub(const char *dir, struct fs_config *cfg)
{
  struct fs_err err;
  struct store *st;
  struct store_conn *c;
  const struct store_schema v1 = {"incident", incident_schema.steps, 1};
  const struct store_schema *const schemas[] = {&audit_schema, &auth_schema, &intel_schema, &v1,
                                                &soc_schema};
  hub_fixture_older(dir, cfg, schemas, FS_ARRAY_SIZE(schemas), &st, &c);
  struct actor who;
  memset(&who, 0, sizeof(who));
  who.local = true;
  who.role = AUTH_ROLE_HUB_ADMIN;
  who.now_ms = NOW - 86400000;
  char bank[37];
  make_org(c, &who, "hub", ORG_INDUSTRY_HUB, who.org_id);
  make_org(c, &who, "bank-m", ORG_INDUSTRY_BANK, bank);
  if (store_exec(c, NULL, &err,
                 "INSERT INTO incident (id, ref, org_id, reporter_name, title, description,"
                 " category, status, services, impact, proposed_level, proposed_rule, level, tlp,"
                 " discovered_at, reported_at, created_at, updated_at, version) VALUES"
                 " ('old-case', 'INC-2026-0007', ?, 'm', 'old', '', 'ddos', 'reported', '[]',"
                 " '{\"system_class\":\"non_core\",\"confidentiality\":\"none\",\"integrity\":"
                 "\"none\",\"availability\":\"none\"}', 1, '1.0', 1, 'amber', ?, ?, ?, ?, 1)",
                 "siiii", bank, who.now_ms, who.now_ms, who.now_ms, who.now_ms))
    fail_msg("%s: %s", err.where, err.msg);
  store_release(st, c);
  store_free(st);
}

static const char *text(json_t *o, const char *key)
{
  const char *v = json_string_value(json_object_get(o, key));
  return v ? v : "(absent)";
}

static void report(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                   const char *org, json_t **out)
{
  static struct incident_input in;
  incident_input_init(&in);
  in.org = org;
  in.title = "DDoS";
  in.category = INCIDENT_CAT_DDOS;
  in.has_discovered = true;
  in.discovered_at = who->now_ms - 60000;
  in.has_impact = true;
  in.impact = (struct incident_impact){INCIDENT_CLASS_NON_CORE, -1, 0, 0, 0};
  struct fs_err err;
  char id[37];
  if (incident_report(c, who, env, &in, id, &err) || incident_get_json(c, who, env, id, out, &err))
    fail_msg("report: %s: %s", err.where, err.msg);
}

static void test_references_after_upgrade(void **state)
{
  (void)state;
  char dir[256];
  test_tmpdir(dir, "refs");
  struct fs_config cfg;
  make_v1_hub(dir, &cfg);
  struct hub h;
  struct fs_err err;
  assert_int_equal(hub_open(&h, &cfg, 2, &err), FS_OK);
  struct store_conn *c;
  assert_int_equal(store_acquire(h.store, &c, &err), FS_OK);
  struct incident_env env;
  assert_int_equal(incident_env_load(&env, &h.cfg, &err), FS_OK);
  struct actor op;
  hub_local_actor(&h, &op);
  op.now_ms = NOW;
  char bank_n[37];
  make_org(c, &op, "bank-n", ORG_INDUSTRY_BANK, bank_n);

  /* The old case keeps its reference, which is its sector number too. */
  json_t *o;
  assert_int_equal(incident_get_json(c, &op, &env, "INC-2026-0007", &o, &err), FS_OK);
  assert_string_equal(text(o, "ref"), "INC-2026-0007");
  assert_string_equal(text(o, "sector_ref"), "INC-2026-0007");
  json_decref(o);
  /* New cases: numbered per organisation, and on from the old ones across the sector. */
  json_t *m1, *n1, *m2;
  report(c, &op, &env, "bank-m", &m1);
  report(c, &op, &env, "bank-n", &n1);
  report(c, &op, &env, "bank-m", &m2);
  assert_string_equal(text(m1, "ref"), "INC-bank-m-2026-0001");
  assert_string_equal(text(n1, "ref"), "INC-bank-n-2026-0001");
  assert_string_equal(text(m2, "ref"), "INC-bank-m-2026-0002");
  assert_string_equal(text(m1, "sector_ref"), "INC-2026-0008");
  assert_string_equal(text(n1, "sector_ref"), "INC-2026-0009");
  assert_string_equal(text(m2, "sector_ref"), "INC-2026-0010");
  /* A member of bank-m sees its references, never the sector numbers, which find nothing for
   * it; the hub finds a case by either. */
  struct actor m = op;
  m.local = false;
  m.role = AUTH_ROLE_MEMBER_ANALYST;
  snprintf(m.user_id, sizeof(m.user_id), "u-m");
  assert_int_equal(org_resolve(c, "bank-m", m.org_id, &err), FS_OK);
  assert_int_equal(incident_get_json(c, &m, &env, "INC-bank-m-2026-0002", &o, &err), FS_OK);
  assert_null(json_object_get(o, "sector_ref"));
  json_decref(o);
  assert_int_equal(incident_get_json(c, &m, &env, "INC-2026-0010", &o, &err), FS_ERR_NOT_FOUND);
  assert_string_equal(err.msg, "no incident \"INC-2026-0010\"");
  struct incident_filter f = {0};
  struct auth_page page = {.limit = 100};
  assert_int_equal(incident_list_json(c, &m, &env, &f, &page, &o, &err), FS_OK);
  assert_int_equal(json_array_size(json_object_get(o, "items")), 3);
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(o, "items"), i, it)
      assert_null(json_object_get(it, "sector_ref"));
  json_decref(o);
  assert_int_equal(incident_get_json(c, &op, &env, "INC-2026-0009", &o, &err), FS_OK);
  assert_string_equal(text(o, "ref"), "INC-bank-n-2026-0001");
  json_decref(o);
  json_decref(m1);
  json_decref(n1);
  json_decref(m2);
  store_release(h.store, c);
  hub_close(&h);
  hub_fixture_remove(dir, &cfg);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_references_after_upgrade),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
