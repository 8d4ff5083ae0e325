/* auth/: the policy table, request-body validation, organisations, users, tokens, passwords,
 * TOTP and logins, on a real hub in a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/org.h"
#include "auth/policy.h"
#include "auth/secret.h"
#include "auth/token.h"
#include "auth/user.h"
#include "auth/validate.h"
#include "core/encode.h"
#include "core/i18n.h"
#include "core/jsonx.h"
#include "core/net.h"
#include "hubfixture.h"

/* ---- policy ---------------------------------------------------------------------------- */

static void test_policy_table(void **state)
{
  (void)state;
  struct actor a = {.org_id = "A", .user_id = "u1"};
  struct policy_target own = {.org_id = "A", .user_id = "u2", .role = -1};
  struct policy_target other = {.org_id = "B", .user_id = "u3", .role = -1};
  struct policy_target self = {.org_id = "A", .user_id = "u1", .role = -1};
  struct policy_target own_hubrole = {.org_id = "A", .role = AUTH_ROLE_HUB_ADMIN};
  struct policy_target own_member = {.org_id = "A", .role = AUTH_ROLE_MEMBER_ANALYST};
  struct policy_target any = {.org_id = NULL, .role = -1};
  const struct {
    enum auth_role role;
    enum policy_action act;
    const struct policy_target *t;
    bool allowed;
  } cases[] = {
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_ORG_DIRECTORY, &other, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_ORG_PRIVATE, &own, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_ORG_PRIVATE, &other, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_ORG_PRIVATE, &other, false},
      {AUTH_ROLE_HUB_ANALYST, POLICY_ORG_PRIVATE, &other, true},
      {AUTH_ROLE_SUPERVISOR, POLICY_ORG_PRIVATE, &other, true},
      {AUTH_ROLE_SUPERVISOR, POLICY_ORG_UPDATE, &other, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_USER_MANAGE, &own, false},
      {AUTH_ROLE_HUB_ANALYST, POLICY_ORG_CREATE, NULL, false},
      {AUTH_ROLE_HUB_ADMIN, POLICY_ORG_CREATE, NULL, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_ORG_UPDATE, &own, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_ORG_CONTACTS, &own, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_ORG_CONTACTS, &other, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_ORG_CONTACTS, &own, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_USER_MANAGE, &own_member, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_USER_MANAGE, &own_hubrole, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_USER_MANAGE, &other, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_USER_MANAGE, &own_member, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_USER_READ, &self, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_USER_READ, &own, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_USER_READ, &own, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_TOKEN_MANAGE, &self, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_TOKEN_MANAGE, &own, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_TOKEN_MANAGE, &own, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_TOKEN_MANAGE, &other, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_TOKEN_MANAGE, &other, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_AUDIT_READ, &own, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_AUDIT_READ, &other, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_AUDIT_READ_ALL, NULL, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_AUDIT_READ_ALL, NULL, true},
      {AUTH_ROLE_HUB_ANALYST, POLICY_AUDIT_READ_ALL, NULL, false},
      /* Monitoring: an organisation's events and alerts are its own; the hub's roles act for
       * any (NULL: every organisation); the supervisor reads sector figures and metrics only. */
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_SOC_EVENTS_SEND, &own, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_SOC_EVENTS_SEND, &other, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_SOC_EVENTS_SEND, &any, false},
      {AUTH_ROLE_HUB_ANALYST, POLICY_SOC_EVENTS_SEND, &other, true},
      {AUTH_ROLE_HUB_ADMIN, POLICY_SOC_EVENTS_SEND, &any, true},
      {AUTH_ROLE_SUPERVISOR, POLICY_SOC_EVENTS_SEND, &own, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_SOC_ALERTS_READ, &own, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_SOC_ALERTS_READ, &other, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_SOC_ALERTS_READ, &any, false},
      {AUTH_ROLE_HUB_ANALYST, POLICY_SOC_ALERTS_READ, &any, true},
      {AUTH_ROLE_SUPERVISOR, POLICY_SOC_ALERTS_READ, &own, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_SOC_ALERTS_READ, &any, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_SOC_SECTOR_ALERTS, NULL, true},
      {AUTH_ROLE_HUB_ANALYST, POLICY_SOC_SECTOR_ALERTS, NULL, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_SOC_SECTOR_ALERTS, NULL, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_SOC_SECTOR_CASE, NULL, false},
      {AUTH_ROLE_HUB_ANALYST, POLICY_SOC_SECTOR_CASE, NULL, true},
      {AUTH_ROLE_HUB_ANALYST, POLICY_SOC_SOURCES_READ, &any, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_SOC_SOURCES_READ, &any, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_SOC_SOURCES_READ, &any, false},
      {AUTH_ROLE_HUB_ADMIN, POLICY_SOC_SOURCES_MANAGE, &own, true},
      {AUTH_ROLE_HUB_ANALYST, POLICY_SOC_SOURCES_MANAGE, &own, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_SOC_SOURCES_MANAGE, &own, false},
      {AUTH_ROLE_HUB_ADMIN, POLICY_SOC_RULES_RELOAD, NULL, true},
      {AUTH_ROLE_HUB_ANALYST, POLICY_SOC_RULES_RELOAD, NULL, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_SOC_RULES_RELOAD, NULL, false},
      {AUTH_ROLE_HUB_ANALYST, POLICY_SOC_ENGINE_STATUS, NULL, true},
      {AUTH_ROLE_SUPERVISOR, POLICY_SOC_ENGINE_STATUS, NULL, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_SOC_ENGINE_STATUS, NULL, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_METRICS_READ, NULL, true},
      {AUTH_ROLE_HUB_ANALYST, POLICY_METRICS_READ, NULL, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_METRICS_READ, NULL, false},
      /* Intelligence: collections are the hub administrator's to create; curation is the
       * hub's; a submission's status is the submitter's (and the hub's). */
      {AUTH_ROLE_HUB_ADMIN, POLICY_COLLECTION_CREATE, NULL, true},
      {AUTH_ROLE_HUB_ANALYST, POLICY_COLLECTION_CREATE, NULL, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_COLLECTION_CREATE, &own, false},
      {AUTH_ROLE_HUB_ANALYST, POLICY_INTEL_CURATE, NULL, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_INTEL_CURATE, &own, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_INTEL_CURATE, NULL, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INTEL_STATUS_READ, &own, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INTEL_STATUS_READ, &other, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_INTEL_STATUS_READ, &any, false},
      {AUTH_ROLE_HUB_ANALYST, POLICY_INTEL_STATUS_READ, &other, true},
      /* intelligence products (#15) */
      {AUTH_ROLE_HUB_ANALYST, POLICY_PRODUCT_WRITE, NULL, true},
      {AUTH_ROLE_SUPERVISOR, POLICY_PRODUCT_WRITE, NULL, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_PRODUCT_WRITE, &own, false},
      {AUTH_ROLE_HUB_ADMIN, POLICY_PRODUCT_IMPORT, NULL, true},
      {AUTH_ROLE_HUB_ANALYST, POLICY_PRODUCT_IMPORT, NULL, false},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_PRODUCT_SUBSCRIBE, &own, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_PRODUCT_SUBSCRIBE, &other, false},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_PRODUCT_SUBSCRIBE, &own, false},
      {AUTH_ROLE_HUB_ANALYST, POLICY_PRODUCT_SUBSCRIBE, &other, false},
      {AUTH_ROLE_HUB_ADMIN, POLICY_PRODUCT_SUBSCRIBE, &other, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_PRODUCT_SUBS_READ, &own, true},
      {AUTH_ROLE_MEMBER_ANALYST, POLICY_PRODUCT_SUBS_READ, &any, false},
      {AUTH_ROLE_HUB_ANALYST, POLICY_PRODUCT_SUBS_READ, &any, true},
      {AUTH_ROLE_SUPERVISOR, POLICY_PRODUCT_SUBS_READ, &any, false},
      {AUTH_ROLE_SUPERVISOR, POLICY_PRODUCT_SECTOR_READ, NULL, true},
      {AUTH_ROLE_HUB_ANALYST, POLICY_PRODUCT_SECTOR_READ, NULL, true},
      {AUTH_ROLE_MEMBER_ADMIN, POLICY_PRODUCT_SECTOR_READ, NULL, false},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    a.role = cases[i].role;
    if (policy_allows(&a, cases[i].act, cases[i].t) != cases[i].allowed)
      fail_msg("case %zu: role %s action %d expected %d", i, auth_role_name(a.role),
               (int)cases[i].act, cases[i].allowed);
  }
  struct fs_err err;
  a.role = AUTH_ROLE_MEMBER_ANALYST;
  assert_int_equal(policy_check(&a, POLICY_ORG_UPDATE, &own, "organisation x", &err),
                   FS_ERR_FORBIDDEN);
  assert_non_null(strstr(err.msg, "member-analyst may not change organisation x"));
  /* What is refused, made by the caller with a value in it, is translated whole (#18 item 12). */
  char what[96];
  fs_msg_format(what, sizeof(what), NULL, 0, "organisation %.64s", "bank-a");
  assert_string_equal(what, "organisation bank-a");
  assert_int_equal(policy_check(&a, POLICY_ORG_UPDATE, &own, what, &err), FS_ERR_FORBIDDEN);
  assert_string_equal(err.msg_zh, "角色 member-analyst 不得修改：機構 bank-a");
  /* A length check's bounds are in the zh-TW message too. */
  assert_int_equal(auth_check_slug("x", "code", 2, 32, &err), FS_ERR_INVALID);
  assert_string_equal(err.msg, "field \"code\" must be 2 to 32 characters long");
  assert_string_equal(err.msg_zh, "欄位「code」長度必須是 2 至 32 個字元");
  assert_int_equal(policy_check(&a, POLICY_SOC_ALERTS_READ, &other, "organisation b", &err),
                   FS_ERR_FORBIDDEN);
  assert_non_null(strstr(err.msg, "member-analyst may not read the alerts of organisation b"));
  /* One alert: its own organisation's, or one whose source the reader sees, whatever the role
   * (a hub administrator too); the local operator sees all. */
  a.role = AUTH_ROLE_HUB_ADMIN;
  assert_false(policy_alert_visible(&a, "B", false));
  assert_true(policy_alert_visible(&a, "B", true));
  assert_true(policy_alert_visible(&a, "A", false));
  assert_false(policy_alert_visible(&a, NULL, false));
  a.role = AUTH_ROLE_MEMBER_ANALYST;
  assert_true(policy_alert_visible(&a, "A", false));
  struct actor local = {.local = true};
  assert_true(policy_alert_visible(&local, "B", false));
  /* Which roles an organisation's users may hold. */
  assert_true(policy_role_fits(AUTH_ROLE_HUB_ADMIN, "hub"));
  assert_false(policy_role_fits(AUTH_ROLE_HUB_ANALYST, "bank"));
  assert_true(policy_role_fits(AUTH_ROLE_SUPERVISOR, "regulator"));
  assert_true(policy_role_fits(AUTH_ROLE_SUPERVISOR, "hub"));
  assert_false(policy_role_fits(AUTH_ROLE_SUPERVISOR, "insurance"));
  assert_false(policy_role_fits(AUTH_ROLE_MEMBER_ADMIN, "hub"));
  assert_true(policy_role_fits(AUTH_ROLE_MEMBER_ANALYST, "bank"));
}

/* ---- request bodies --------------------------------------------------------------------- */

/* What the portal offers each role: the policy's answers on typical targets, so that a page never
 * decides by role name itself. */
static void test_policy_abilities(void **state)
{
  (void)state;
  /* Each role's abilities as a string of 0/1 in the order of the names below. */
  static const char *const names[POLICY_ABILITIES] = {
      "org_create",         "user_manage",
      "audit_read",         "settings_read",
      "alerts_read",        "alerts_read_all",
      "sector_alerts_read", "incidents_read_all",
      "incident_report",    "incident_report_for_others",
      "incident_work",      "incident_grade",
      "incident_publish",   "team_answer",
      "registers_read_all", "user_name_any",
      "audit_read_all"};
  const struct {
    enum auth_role role;
    const char *allowed;
  } cases[] = {
      {AUTH_ROLE_HUB_ADMIN, "11111111111111111"},
      {AUTH_ROLE_HUB_ANALYST, "00011111111111100"},
      {AUTH_ROLE_SUPERVISOR, "00110011000000101"},
      {AUTH_ROLE_MEMBER_ADMIN, "01101000101011000"},
      {AUTH_ROLE_MEMBER_ANALYST, "00001000101011000"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct actor a = {.org_id = "A", .user_id = "u1", .role = cases[i].role};
    struct policy_ability ab[POLICY_ABILITIES];
    policy_abilities(&a, ab);
    for (size_t j = 0; j < POLICY_ABILITIES; j++) {
      assert_string_equal(ab[j].name, names[j]);
      if (ab[j].allowed != (cases[i].allowed[j] == '1'))
        fail_msg("role %s ability %s expected %c", auth_role_name(a.role), names[j],
                 cases[i].allowed[j]);
    }
  }
}

static void test_org_input(void **state)
{
  (void)state;
  static const struct {
    const char *json;
    bool update;
    int code;
    const char *where;
  } cases[] = {
      {"{\"code\":\"b1\",\"name_zh\":\"甲\",\"name_en\":\"A\",\"industry\":\"bank\",\"size_tier\":"
       "\"small\"}",
       false, 0, ""},
      {"{\"code\":\"b1\",\"name_zh\":\"甲\",\"name_en\":\"A\",\"industry\":\"bank\"}", false,
       FS_ERR_INVALID, "$.size_tier"},
      {"{\"code\":\"B1\",\"name_zh\":\"甲\",\"name_en\":\"A\",\"industry\":\"bank\",\"size_tier\":"
       "\"small\"}",
       false, FS_ERR_INVALID, "$.code"},
      {"{\"code\":\"b1\",\"name_zh\":\"\",\"name_en\":\"A\",\"industry\":\"bank\",\"size_tier\":"
       "\"small\"}",
       false, FS_ERR_INVALID, "$.name_zh"},
      {"{\"code\":\"b1\",\"name_zh\":\"甲\",\"name_en\":\"A\",\"industry\":\"casino\",\"size_"
       "tier\":\"small\"}",
       false, FS_ERR_INVALID, "$.industry"},
      {"{\"name_zh\":\"乙\",\"colour\":\"red\"}", true, FS_ERR_INVALID, "$.colour"},
      {"{\"name_zh\":5}", true, FS_ERR_INVALID, "$.name_zh"},
      {"{\"contacts\":[{\"role\":\"ciso\",\"name\":\"X\",\"email\":\"not-an-address\"}]}", true,
       FS_ERR_INVALID, "$.contacts[0].email"},
      {"{\"contacts\":[{\"role\":\"ciso\",\"name\":\"X\"},{\"role\":\"boss\",\"name\":\"Y\"}]}",
       true, FS_ERR_INVALID, "$.contacts[1].role"},
      {"{\"contacts\":{}}", true, FS_ERR_INVALID, "$.contacts"},
      {"{\"version\":0}", true, FS_ERR_INVALID, "$.version"},
      {"{\"parent_id\":null,\"status\":\"suspended\"}", true, 0, ""},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    json_t *j;
    struct fs_err err;
    fs_err_clear(&err);
    assert_int_equal(jsonx_parse_object(cases[i].json, strlen(cases[i].json), &j, &err), 0);
    struct org_input in;
    int rc = org_input_from_json(j, cases[i].update, &in, &err);
    if (rc != cases[i].code || strcmp(err.where, cases[i].where))
      fail_msg("case %zu: got %d at \"%s\" (%s)", i, rc, err.where, err.msg);
    json_decref(j);
  }
}

static void test_user_input(void **state)
{
  (void)state;
  static const struct {
    const char *json;
    bool update;
    int code;
    const char *where;
  } cases[] = {
      {"{\"org\":\"b1\",\"username\":\"alice\",\"display_name\":\"A\",\"role\":\"member-analyst\"}",
       false, 0, ""},
      {"{\"org\":\"b1\",\"username\":\"alice\",\"display_name\":\"A\",\"role\":\"root\"}", false,
       FS_ERR_INVALID, "$.role"},
      {"{\"org\":\"b1\",\"username\":\"Alice!\",\"display_name\":\"A\",\"role\":\"member-"
       "analyst\"}",
       false, FS_ERR_INVALID, "$.username"},
      {"{\"org\":\"b1\",\"username\":\"alice\",\"display_name\":\"A\",\"role\":\"member-analyst\","
       "\"password\":\"short\"}",
       false, FS_ERR_INVALID, "$.password"},
      {"{\"username\":\"alice\"}", true, FS_ERR_INVALID, "$.username"},
      {"{\"status\":\"disabled\",\"version\":3}", true, 0, ""},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    json_t *j;
    struct fs_err err;
    fs_err_clear(&err);
    assert_int_equal(jsonx_parse_object(cases[i].json, strlen(cases[i].json), &j, &err), 0);
    struct user_input in;
    int rc = user_input_from_json(j, cases[i].update, &in, &err);
    if (rc != cases[i].code || strcmp(err.where, cases[i].where))
      fail_msg("case %zu: got %d at \"%s\" (%s)", i, rc, err.where, err.msg);
    json_decref(j);
  }
}

/* ---- organisations ---------------------------------------------------------------------- */

static void make_org(struct hub_fixture *f, const char *code, int industry, const char *parent,
                     char id[37])
{
  struct org_input in;
  org_input_init(&in);
  in.code = code;
  in.name_zh = "測試機構";
  in.name_en = "Test institution";
  in.industry = industry;
  in.size_tier = 1;
  in.has_parent = parent != NULL;
  in.parent_id = parent;
  struct fs_err err;
  if (org_create(f->c, &f->op, &in, id, &err))
    fail_msg("org %s: %s: %s", code, err.where, err.msg);
}

static void make_user(struct hub_fixture *f, const char *org, const char *name, int role,
                      const char *password, char id[37])
{
  struct user_input u;
  user_input_init(&u);
  u.org = org;
  u.username = name;
  u.display_name = name;
  u.role = role;
  u.password = password;
  struct fs_err err;
  if (user_create(f->c, &f->op, &f->hub.auth, &u, id, &err))
    fail_msg("user %s: %s: %s", name, err.where, err.msg);
}

static void test_orgs(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  char fhc[37], bank[37], other[37], id[37];
  make_org(&f, "fhc-a", ORG_INDUSTRY_FINANCIAL_HOLDING, NULL, fhc);
  make_org(&f, "bank-a", ORG_INDUSTRY_BANK, "fhc-a", bank);
  make_org(&f, "bank-b", ORG_INDUSTRY_BANK, NULL, other);
  struct fs_err err;
  struct org_input in;
  /* Duplicate code, a parent that is not a holding company, a second hub: refused. */
  org_input_init(&in);
  in.code = "bank-a";
  in.name_zh = in.name_en = "x";
  in.industry = ORG_INDUSTRY_BANK;
  in.size_tier = 0;
  assert_int_equal(org_create(f.c, &f.op, &in, id, &err), FS_ERR_CONFLICT);
  in.code = "bank-c";
  in.has_parent = true;
  in.parent_id = "bank-b";
  assert_int_equal(org_create(f.c, &f.op, &in, id, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "$.parent_id");
  in.has_parent = false;
  in.industry = ORG_INDUSTRY_HUB;
  assert_int_equal(org_create(f.c, &f.op, &in, id, &err), FS_ERR_CONFLICT);
  /* A holding company cannot join a group. */
  org_input_init(&in);
  in.has_parent = true;
  in.parent_id = "fhc-a";
  assert_int_equal(org_update(f.c, &f.op, "fhc-a", &in, NULL, &err), FS_ERR_INVALID);
  /* Optimistic versions: a stale update is a conflict, not a lost update. */
  org_input_init(&in);
  in.name_en = "Renamed";
  in.has_version = true;
  in.version = 1;
  assert_int_equal(org_update(f.c, &f.op, "bank-b", &in, NULL, &err), 0);
  assert_int_equal(org_update(f.c, &f.op, "bank-b", &in, NULL, &err), FS_ERR_CONFLICT);
  /* Leaving a group with an explicit null. */
  org_input_init(&in);
  in.has_parent = true;
  in.parent_id = NULL;
  assert_int_equal(org_update(f.c, &f.op, "bank-a", &in, NULL, &err), 0);
  json_t *j;
  assert_int_equal(org_get_json(f.c, &f.op, "bank-a", &j, &err), 0);
  assert_true(json_is_null(json_object_get(j, "parent_id")));
  json_decref(j);
  /* What another member sees: the directory entry without contacts. */
  struct actor member = {.org_id = "", .role = AUTH_ROLE_MEMBER_ANALYST, .now_ms = f.op.now_ms};
  snprintf(member.org_id, sizeof(member.org_id), "%s", other);
  assert_int_equal(org_get_json(f.c, &member, "bank-a", &j, &err), 0);
  assert_null(json_object_get(j, "contacts"));
  json_decref(j);
  assert_int_equal(org_get_json(f.c, &member, "bank-b", &j, &err), 0);
  assert_non_null(json_object_get(j, "contacts"));
  json_decref(j);
  /* Paging by code. */
  struct org_filter flt = {0};
  struct auth_page page = {.limit = 2};
  assert_int_equal(org_list_json(f.c, &f.op, &flt, &page, &j, &err), 0);
  assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
  const char *next = json_string_value(json_object_get(j, "next"));
  assert_non_null(next);
  char after[64];
  snprintf(after, sizeof(after), "%s", next);
  json_decref(j);
  page.after = after;
  page.limit = 100;
  assert_int_equal(org_list_json(f.c, &f.op, &flt, &page, &j, &err), 0);
  assert_int_equal(json_array_size(json_object_get(j, "items")), 2); /* 5 orgs with the hub */
  assert_true(json_is_null(json_object_get(j, "next")));
  json_decref(j);
  hub_fixture_close(&f);
}

/* What other modules read of organisations and users (they name no auth table in SQL). */
static int collect_id(const char *id, void *ctx)
{
  json_array_append_new(ctx, json_string(id));
  return FS_OK;
}

static void test_org_accessors(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  char fhc[37], bank[37], ins[37], uid[37];
  make_org(&f, "fhc-a", ORG_INDUSTRY_FINANCIAL_HOLDING, NULL, fhc);
  make_org(&f, "bank-a", ORG_INDUSTRY_BANK, "fhc-a", bank);
  make_org(&f, "ins-a", ORG_INDUSTRY_INSURANCE, NULL, ins);
  struct fs_err err;
  struct org_brief b;
  assert_int_equal(org_brief(f.c, "bank-a", &b, &err), FS_OK);
  assert_string_equal(b.id, bank);
  assert_string_equal(b.code, "bank-a");
  assert_string_equal(b.name_zh, "測試機構");
  assert_string_equal(b.name_en, "Test institution");
  assert_string_equal(b.industry, "bank");
  assert_string_equal(b.parent_id, fhc);
  assert_int_equal(org_brief(f.c, ins, &b, &err), FS_OK);
  assert_string_equal(b.code, "ins-a");
  assert_string_equal(b.parent_id, "");
  assert_int_equal(org_brief(f.c, "nobody", &b, &err), FS_ERR_NOT_FOUND);
  assert_non_null(strstr(err.msg, "no organisation \"nobody\""));
  /* The cache gives the same briefs, by id or code, and reads each organisation once. */
  struct org_briefs cache = {0};
  for (int i = 0; i < 3; i++) {
    assert_int_equal(org_briefs_get(f.c, &cache, bank, &b, &err), FS_OK);
    assert_string_equal(b.code, "bank-a");
    assert_int_equal(org_briefs_get(f.c, &cache, "ins-a", &b, &err), FS_OK);
    assert_string_equal(b.id, ins);
  }
  assert_int_equal(cache.n, 2);
  assert_int_equal(org_briefs_get(f.c, &cache, "nobody", &b, &err), FS_ERR_NOT_FOUND);
  org_briefs_release(&cache);
  /* Contacts: an array, [] when none were given. */
  json_t *contacts;
  assert_int_equal(org_contacts(f.c, "bank-a", &contacts, &err), FS_OK);
  assert_true(json_is_array(contacts));
  json_decref(contacts);
  assert_int_equal(org_contacts(f.c, "nobody", &contacts, &err), FS_ERR_NOT_FOUND);
  /* Counting and listing, all of them (with the hub) or by industry, ordered by code. */
  int64_t n;
  assert_int_equal(org_count(f.c, NULL, &n, &err), FS_OK);
  assert_int_equal(n, 4);
  struct org_select banks = {.industry = "bank"}, sample = {.sample_only = true};
  assert_int_equal(org_count(f.c, &banks, &n, &err), FS_OK);
  assert_int_equal(n, 1);
  assert_int_equal(org_count(f.c, &sample, &n, &err), FS_OK);
  assert_int_equal(n, 0);
  json_t *ids = json_array();
  assert_int_equal(org_ids_each(f.c, NULL, collect_id, ids, &err), FS_OK);
  assert_int_equal(json_array_size(ids), 4);
  assert_string_equal(json_string_value(json_array_get(ids, 0)), bank); /* bank-a < fhc-a < ... */
  assert_string_equal(json_string_value(json_array_get(ids, 1)), fhc);
  json_decref(ids);
  /* A user's name by id. */
  make_user(&f, "bank-a", "carol", AUTH_ROLE_MEMBER_ANALYST, NULL, uid);
  char name[72];
  assert_int_equal(user_name(f.c, uid, name, &err), FS_OK);
  assert_string_equal(name, "carol");
  assert_int_equal(user_name(f.c, "no-such-id", name, &err), FS_ERR_NOT_FOUND);
  hub_fixture_close(&f);
}

/* ---- users, tokens, logins --------------------------------------------------------------- */

static void actor_of(struct hub_fixture *f, const char *token, struct actor *a)
{
  struct fs_err err;
  if (token_authenticate(f->c, token, f->op.now_ms, a, &err))
    fail_msg("token: %s", err.msg);
}

static void test_users_and_tokens(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  char bank[37], other[37], uid[37];
  make_org(&f, "bank-a", ORG_INDUSTRY_BANK, NULL, bank);
  make_org(&f, "bank-b", ORG_INDUSTRY_BANK, NULL, other);
  make_user(&f, "bank-a", "a-admin", AUTH_ROLE_MEMBER_ADMIN, NULL, uid);
  struct fs_err err;
  /* A hub role cannot be given to a member's user. */
  struct user_input u;
  user_input_init(&u);
  u.org = "bank-a";
  u.username = "sneaky";
  u.display_name = "x";
  u.role = AUTH_ROLE_HUB_ADMIN;
  assert_int_equal(user_create(f.c, &f.op, &f.hub.auth, &u, uid, &err), FS_ERR_INVALID);
  /* The member admin acts through a token. */
  char tok[TOKEN_TEXT_MAX];
  json_t *meta;
  assert_int_equal(
      token_create(f.c, &f.op, &f.hub.auth, "a-admin", "t", 0, "api", tok, &meta, &err), 0);
  json_decref(meta);
  struct actor ma;
  actor_of(&f, tok, &ma);
  assert_int_equal(ma.role, AUTH_ROLE_MEMBER_ADMIN);
  assert_string_equal(ma.org_id, bank);
  /* It may add an analyst to its own organisation, not to another, and no hub role; it names
   * its users NAME@CODE, its organisation's code, so no name tells it of another's users. */
  u.role = AUTH_ROLE_MEMBER_ANALYST;
  u.username = "a-analyst";
  assert_int_equal(user_create(f.c, &ma, &f.hub.auth, &u, uid, &err), FS_ERR_INVALID);
  assert_string_equal(err.where, "$.username");
  u.username = "a-analyst@bank-b";
  assert_int_equal(user_create(f.c, &ma, &f.hub.auth, &u, uid, &err), FS_ERR_INVALID);
  u.username = "a-analyst@bank-a";
  assert_int_equal(user_create(f.c, &ma, &f.hub.auth, &u, uid, &err), 0);
  u.org = "bank-b";
  u.username = "b-analyst@bank-b";
  assert_int_equal(user_create(f.c, &ma, &f.hub.auth, &u, uid, &err), FS_ERR_FORBIDDEN);
  /* Users of other organisations are invisible (not found, not forbidden). */
  make_user(&f, "bank-b", "b-admin", AUTH_ROLE_MEMBER_ADMIN, NULL, uid);
  json_t *j;
  assert_int_equal(user_get_json(f.c, &ma, "b-admin", &j, &err), FS_ERR_NOT_FOUND);
  /* Revocation and expiry take effect at once. */
  char tok2[TOKEN_TEXT_MAX];
  assert_int_equal(
      token_create(f.c, &ma, &f.hub.auth, "a-analyst@bank-a", "t2", 1, "api", tok2, &meta, &err),
      0);
  char tid[40];
  snprintf(tid, sizeof(tid), "%s", json_string_value(json_object_get(meta, "id")));
  json_decref(meta);
  struct actor an;
  actor_of(&f, tok2, &an);
  assert_int_equal(token_authenticate(f.c, tok2, f.op.now_ms + 2 * 86400000LL, &an, &err),
                   FS_ERR_UNAUTHENTICATED);
  assert_string_equal(err.msg, "token expired");
  assert_int_equal(token_revoke(f.c, &an, tid, &err), 0);
  assert_int_equal(token_authenticate(f.c, tok2, f.op.now_ms, &an, &err), FS_ERR_UNAUTHENTICATED);
  assert_string_equal(err.msg, "token revoked");
  assert_int_equal(token_authenticate(f.c, "fsk_short", f.op.now_ms, &an, &err),
                   FS_ERR_UNAUTHENTICATED);
  assert_string_equal(err.msg, "malformed token");
  /* Disabling the user stops its tokens. */
  struct user_input upd;
  user_input_init(&upd);
  upd.status = 1;
  assert_int_equal(user_update(f.c, &f.op, "a-admin", &upd, &err), 0);
  assert_int_equal(token_authenticate(f.c, tok, f.op.now_ms, &ma, &err), FS_ERR_UNAUTHENTICATED);
  assert_string_equal(err.msg, "user disabled");
  /* The token's hash, never the token, is stored. */
  int64_t n;
  char hash[65];
  fs_sha256_hex(tok, strlen(tok), hash);
  assert_int_equal(store_query_int(f.c, &n, NULL, &err,
                                   "SELECT COUNT(*) FROM api_token WHERE hash = ?", "s", hash),
                   0);
  assert_int_equal(n, 1);
  assert_int_equal(store_query_int(f.c, &n, NULL, &err,
                                   "SELECT COUNT(*) FROM api_token WHERE hash = ? OR prefix = ?",
                                   "ss", tok, tok),
                   0);
  assert_int_equal(n, 0);
  hub_fixture_close(&f);
}

static void test_last_admin_kept(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  struct user_input upd;
  user_input_init(&upd);
  upd.role = AUTH_ROLE_HUB_ANALYST;
  struct fs_err err;
  assert_int_equal(user_update(f.c, &f.op, "admin", &upd, &err), FS_ERR_CONFLICT);
  assert_non_null(strstr(err.msg, "last active hub administrator"));
  hub_fixture_close(&f);
}

static void test_totp_vectors(void **state)
{
  (void)state;
  /* RFC 6238 appendix B (SHA-1 secret "12345678901234567890"), last six digits. */
  const uint8_t *secret = (const uint8_t *)"12345678901234567890";
  static const struct {
    int64_t t;
    uint32_t code;
  } v[] = {{59, 287082},
           {1111111109, 81804},
           {1111111111, 50471},
           {1234567890, 5924},
           {2000000000, 279037}};
  for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
    assert_int_equal(auth_totp_code(secret, v[i].t / 30), v[i].code);
  assert_int_equal(auth_totp_check(secret, "287082", 59000, 0), 1);
  assert_int_equal(auth_totp_check(secret, "287082", 59000, 1), -1); /* replay refused */
  assert_int_equal(auth_totp_check(secret, "28708", 59000, 0), -1);
  char b32[40];
  auth_base32_encode((const uint8_t *)"foobar", 6, b32);
  assert_string_equal(b32, "MZXW6YTBOI");
}

static void test_login(void **state)
{
  (void)state;
  struct hub_fixture f;
  hub_fixture_open(&f);
  char bank[37], uid[37];
  make_org(&f, "bank-a", ORG_INDUSTRY_BANK, NULL, bank);
  make_user(&f, "bank-a", "alice", AUTH_ROLE_MEMBER_ANALYST, "correct horse battery", uid);
  struct fs_err err;
  char tok[64];
  int64_t exp;
  int64_t now = f.op.now_ms;
  assert_int_equal(user_login(f.c, &f.hub.auth, "alice", "correct horse battery", NULL, "test",
                              "test", now, tok, &exp, &err),
                   0);
  struct actor a;
  actor_of(&f, tok, &a);
  assert_string_equal(a.username, "alice");
  /* Unknown user and wrong password look the same. */
  assert_int_equal(
      user_login(f.c, &f.hub.auth, "nobody", "x", NULL, "test", "test", now, tok, &exp, &err),
      FS_ERR_UNAUTHENTICATED);
  assert_string_equal(err.msg, "invalid credentials");
  for (int i = 0; i < 5; i++)
    assert_int_equal(user_login(f.c, &f.hub.auth, "alice", "wrong password", NULL, "test", "test",
                                now, tok, &exp, &err),
                     FS_ERR_UNAUTHENTICATED);
  /* Locked out from that address now, even with the right password, exactly like an unknown
   * name; not from another address; unlocked after the lockout. */
  assert_int_equal(user_login(f.c, &f.hub.auth, "alice", "correct horse battery", NULL, "test",
                              "test", now, tok, &exp, &err),
                   FS_ERR_UNAUTHENTICATED);
  assert_string_equal(
      err.msg,
      "too many failed logins for this user name from this address; try again in 15 minutes");
  for (int i = 0; i < 5; i++)
    user_login(f.c, &f.hub.auth, "nobody", "wrong password", NULL, "test", "test", now, tok, &exp,
               &err);
  assert_int_equal(
      user_login(f.c, &f.hub.auth, "nobody", "x", NULL, "test", "test", now, tok, &exp, &err),
      FS_ERR_UNAUTHENTICATED);
  assert_string_equal(
      err.msg,
      "too many failed logins for this user name from this address; try again in 15 minutes");
  assert_int_equal(user_login(f.c, &f.hub.auth, "alice", "correct horse battery", NULL, "elsewhere",
                              "elsewhere", now, tok, &exp, &err),
                   0);
  int64_t later = now + 16 * 60000;
  assert_int_equal(user_login(f.c, &f.hub.auth, "alice", "correct horse battery", NULL, "test",
                              "test", later, tok, &exp, &err),
                   0);
  /* The lock-out counts the client (an IPv6 client is its /64, fs_client_key), not the address
   * the audit records: another address of the same /64 is still locked out; another /64 is not. */
  char one[FS_CLIENT_KEY_MAX], same[FS_CLIENT_KEY_MAX], other[FS_CLIENT_KEY_MAX];
  fs_client_key("2001:db8:0:1::a", one);
  fs_client_key("2001:db8:0:1:ffff::b", same);
  fs_client_key("2001:db8:0:2::a", other);
  for (int i = 0; i < 5; i++)
    user_login(f.c, &f.hub.auth, "alice", "wrong password", NULL, "http:2001:db8:0:1::a", one,
               later, tok, &exp, &err);
  assert_int_equal(user_login(f.c, &f.hub.auth, "alice", "correct horse battery", NULL,
                              "http:2001:db8:0:1:ffff::b", same, later, tok, &exp, &err),
                   FS_ERR_UNAUTHENTICATED);
  assert_int_equal(user_login(f.c, &f.hub.auth, "alice", "correct horse battery", NULL,
                              "http:2001:db8:0:2::a", other, later, tok, &exp, &err),
                   0);
  /* With TOTP enrolled, the code is required. */
  char uri[256];
  assert_int_equal(user_totp_begin(f.c, &f.op, &f.hub.auth, "alice", NULL, "finshield", uri, &err),
                   0);
  assert_non_null(strstr(uri, "otpauth://totp/finshield:alice?secret="));
  int64_t n;
  assert_int_equal(store_query_int(f.c, &n, NULL, &err,
                                   "SELECT COUNT(*) FROM app_user WHERE username = 'alice' AND "
                                   "(totp_secret LIKE ? OR totp_pending LIKE ?)",
                                   "ss", strstr(uri, "secret=") + 7, strstr(uri, "secret=") + 7),
                   0);
  assert_int_equal(n, 0); /* stored sealed, not in clear */
  hub_fixture_close(&f);
}

int main(void)
{
  fs_crypto_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_policy_table),
      cmocka_unit_test(test_policy_abilities),
      cmocka_unit_test(test_org_input),
      cmocka_unit_test(test_user_input),
      cmocka_unit_test(test_orgs),
      cmocka_unit_test(test_org_accessors),
      cmocka_unit_test(test_users_and_tokens),
      cmocka_unit_test(test_last_admin_kept),
      cmocka_unit_test(test_totp_vectors),
      cmocka_unit_test(test_login),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
