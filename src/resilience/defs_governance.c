/* Register definitions of security governance (資安治理): the yearly governance profile (CISO
 * and rank, board expertise, security unit, budget, certifications, internal-control duties by
 * asset size), the versioned control catalogue and self-assessments against it, the tiered
 * requirement sets, and supervisory sanctions. */
#include "resilience/defs.h"

#include "resilience/expr.h"

#include <stdio.h>
#include <string.h>

/* ---- governance ---------------------------------------------------------------------------- */

static const char *const ranks[] = {"vice-president", "assistant-vice-president", "manager", "none",
                                    NULL};
static const char *const units[] = {"independent", "dedicated", "part-of-it", "none", NULL};
static const char *const pims_levels[] = {"none", "partial", "company-wide", NULL};
static const char *const businesses[] = {"general", "internet-only", NULL};

static const struct reg_field gov_fields[] = {
    {"year", REG_INT, REG_KEY | REG_REQUIRED | REG_INDEXED, 2000, 2100, NULL, "Year", "年度"},
    {"business", REG_ENUM, REG_INDEXED, 0, 0, businesses, "Business (general, internet-only bank)",
     "業務型態（一般、純網路銀行）"},
    {"total_assets_twd_billion", REG_NUMBER, REG_REQUIRED | REG_INDEXED, 0, 1000000, NULL,
     "Total assets (NT$ billion)", "資產總額（新臺幣十億元）"},
    {"ciso_name", REG_TEXT, 0, 0, 0, NULL, "CISO", "資安長"},
    {"ciso_rank", REG_ENUM, REG_REQUIRED, 0, 0, ranks,
     "CISO rank (vice-president 副總經理, assistant VP 協理, manager, none)",
     "資安長職級（副總經理、協理、經理、未設置）"},
    {"ciso_dedicated", REG_BOOL, 0, 0, 0, NULL, "CISO has no other duties", "資安長專任"},
    {"board_security_members", REG_INT, 0, 0, 50, NULL, "Board members with security background",
     "具資安背景之董事人數"},
    {"security_advisory_group", REG_BOOL, 0, 0, 0, NULL, "Security advisers or advisory group",
     "設有資安顧問或資安諮詢小組"},
    {"security_unit", REG_ENUM, REG_REQUIRED, 0, 0, units,
     "Security unit (independent, dedicated, part of IT, none)",
     "資安專責單位（獨立、專責、隸屬資訊、無）"},
    {"unit_head_rank", REG_ENUM, 0, 0, 0, ranks, "Rank of the unit's head", "資安單位主管職級"},
    {"security_headcount", REG_INT, 0, 0, 100000, NULL, "Security staff", "資安人員數"},
    {"it_headcount", REG_INT, 0, 0, 1000000, NULL, "IT staff", "資訊人員數"},
    {"security_budget_percent", REG_NUMBER, 0, 0, 100, NULL, "Security share of the IT budget (%)",
     "資安預算占資訊預算比率（%）"},
    {"isms_certified", REG_BOOL, 0, 0, 0, NULL, "ISMS (ISO/IEC 27001) certified", "取得 ISMS 驗證"},
    {"pims", REG_ENUM, 0, 0, 0, pims_levels, "PIMS (ISO/IEC 27701): none, partial, company-wide",
     "PIMS 驗證範圍（無、部分、全公司）"},
    {"isms_pre_assessment", REG_BOOL, 0, 0, 0, NULL, "ISMS/PIMS pre-assessment done",
     "完成 ISMS/PIMS 預評"},
    {"security_assessment_done", REG_BOOL, 0, 0, 0, NULL, "Yearly security assessment done",
     "完成年度資安健診／評估"},
    {"app_security_test_done", REG_BOOL, 0, 0, 0, NULL, "Mobile-app security test done",
     "完成行動 APP 資安檢測"},
    {"board_report", REG_BOOL, 0, 0, 0, NULL, "Yearly security report to the board",
     "每年向董事會報告資安"},
    {"security_statement", REG_BOOL, 0, 0, 0, NULL,
     "Security statement co-signed by chairman, president, chief auditor",
     "資安聲明由董事長、總經理、總稽核聯名出具"},
    {"large_institution", REG_BOOL, REG_DERIVED, 0, 0, NULL, "Assets of NT$1 trillion or more",
     "資產達新臺幣一兆元以上"},
    {"ciso_level", REG_INT, REG_DERIVED, 0, 0, NULL, "CISO level (3 VP, 2 AVP, 1 manager, 0 none)",
     "資安長層級（3 副總、2 協理、1 經理、0 無）"},
    {"internal_control_met", REG_BOOL, REG_DERIVED, 0, 0, NULL, "Internal-control duties met",
     "符合內部控制規定"},
    {"internal_control_gaps", REG_LIST, REG_DERIVED, 0, 0, NULL, "Internal-control gaps",
     "內控缺口"},
};

static int level_of(const char *rank)
{
  return !rank                                       ? 0
         : !strcmp(rank, "vice-president")           ? 3
         : !strcmp(rank, "assistant-vice-president") ? 2
         : !strcmp(rank, "manager")                  ? 1
                                                     : 0;
}

static const char *sget(const json_t *f, const char *k)
{
  const char *s = json_string_value(json_object_get(f, k));
  return s ? s : "";
}

/* The internal-control rules by asset size: every institution has a dedicated security unit;
 * with assets of NT$1 trillion or more the unit is independent, headed at 協理 level or above,
 * reports to the board yearly, and a security statement is co-signed. */
static void gov_derive(json_t *f, int64_t now)
{
  (void)now;
  bool large = reg_num(f, "total_assets_twd_billion", 0) >= 1000;
  json_t *gaps = json_array();
  const char *unit = sget(f, "security_unit");
  if (!strcmp(unit, "none") || !strcmp(unit, "part-of-it") || !*unit)
    json_array_append_new(gaps, json_string("dedicated-security-unit"));
  if (large) {
    if (strcmp(unit, "independent"))
      json_array_append_new(gaps, json_string("independent-security-unit"));
    if (level_of(json_string_value(json_object_get(f, "unit_head_rank"))) < 2 &&
        level_of(json_string_value(json_object_get(f, "ciso_rank"))) < 2)
      json_array_append_new(gaps, json_string("unit-head-avp-or-above"));
    if (!json_is_true(json_object_get(f, "board_report")))
      json_array_append_new(gaps, json_string("yearly-board-report"));
    if (!json_is_true(json_object_get(f, "security_statement")))
      json_array_append_new(gaps, json_string("co-signed-security-statement"));
  }
  json_object_set_new(f, "large_institution", json_boolean(large));
  json_object_set_new(f, "ciso_level",
                      json_integer(level_of(json_string_value(json_object_get(f, "ciso_rank")))));
  json_object_set_new(f, "internal_control_met", json_boolean(json_array_size(gaps) == 0));
  json_object_set_new(f, "internal_control_gaps", gaps);
}

const struct reg_def reg_governance = {
    .name = "governance",
    .label_en = "Security governance",
    .label_zh = "資安治理",
    .about_en = "One record a year: CISO and rank, board members with security background, the "
                "security unit and headcount, budget share, certifications (ISMS, PIMS), "
                "assessments, and the internal-control duties that follow from asset size.",
    .about_zh =
        "每年一筆：資安長及職級、具資安背景董事、資安專責單位與人力、預算比率、驗證（ISMS、PIMS）、"
        "評估，以及依資產規模適用之內部控制規定。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS,
    .fields = gov_fields,
    .nfields = FS_ARRAY_SIZE(gov_fields),
    .default_sort = "-year",
    .derive = gov_derive,
};

/* ---- controls (sector catalogue) ----------------------------------------------------------- */

static const char *const domains[] = {"govern",  "identify", "protect", "detect",
                                      "respond", "recover",  NULL};

static const struct reg_field control_fields[] = {
    {"catalogue", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Catalogue version",
     "控制項目錄版本"},
    {"control", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Control",
     "控制項代碼"},
    {"domain", REG_ENUM, REG_REQUIRED | REG_INDEXED, 0, 0, domains,
     "Function (govern, identify, protect, detect, respond, recover)",
     "構面（治理、識別、防護、偵測、回應、復原）"},
    {"title_en", REG_TEXT, REG_REQUIRED, 0, 0, NULL, "Title (English)", "名稱（英文）"},
    {"title_zh", REG_TEXT, REG_REQUIRED, 0, 0, NULL, "Title (Chinese)", "名稱（中文）"},
    {"applies_from", REG_DATE, 0, 0, 0, NULL, "Applies from", "適用日期"},
};

const struct reg_def reg_controls = {
    .name = "controls",
    .label_en = "Control catalogue",
    .label_zh = "資安控制項目錄",
    .about_en = "The sector's versioned catalogue of security controls that institutions "
                "self-assess against (kept by the hub).",
    .about_zh = "產業共用且有版本之資安控制項目錄，供機構自評（由中樞維護）。",
    .scope = REG_SCOPE_SECTOR,
    .access = 0,
    .fields = control_fields,
    .nfields = FS_ARRAY_SIZE(control_fields),
    .default_sort = "control",
};

/* ---- self-assessments ---------------------------------------------------------------------- */

static const char *const impl_states[] = {"implemented", "partial", "not-implemented",
                                          "not-applicable", NULL};

static const struct reg_field self_fields[] = {
    {"catalogue", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Catalogue version",
     "控制項目錄版本"},
    {"control", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Control",
     "控制項代碼"},
    {"status", REG_ENUM, REG_REQUIRED | REG_INDEXED, 0, 0, impl_states, "Status", "落實狀態"},
    {"assessed", REG_DATE, REG_REQUIRED, 0, 0, NULL, "Assessed", "自評日期"},
    {"evidence", REG_LONGTEXT, 0, 0, 0, NULL, "Evidence", "佐證說明"},
};

const struct reg_def reg_self_assessments = {
    .name = "self-assessments",
    .label_en = "Self-assessments",
    .label_zh = "資安自評",
    .about_en = "The institution's self-assessment of each control of a catalogue version, with "
                "its evidence.",
    .about_zh = "機構依控制項目錄版本逐項自評及佐證。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS,
    .fields = self_fields,
    .nfields = FS_ARRAY_SIZE(self_fields),
    .default_sort = "control",
};

/* ---- requirement-sets (sector) ------------------------------------------------------------- */

static const char *const business_any[] = {"any", "general", "internet-only", NULL};

static const struct reg_field req_fields[] = {
    {"code", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Requirement set",
     "要求組代碼"},
    {"title_en", REG_TEXT, REG_REQUIRED, 0, 0, NULL, "Title (English)", "名稱（英文）"},
    {"title_zh", REG_TEXT, REG_REQUIRED, 0, 0, NULL, "Title (Chinese)", "名稱（中文）"},
    {"industries", REG_LIST, 0, 0, 0, NULL, "Industries (empty: all)", "適用業別（空白為全部）"},
    {"tiers", REG_LIST, 0, 0, 0, NULL, "Sizes: large, medium, small (empty: all)",
     "適用規模（空白為全部）"},
    {"business", REG_ENUM, 0, 0, 0, business_any, "Business (any, general, internet-only)",
     "業務型態（不限、一般、純網銀）"},
    {"effective_from", REG_DATE, REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Phased in from",
     "生效日期"},
    {"requirements", REG_LIST, REG_REQUIRED, 0, 100, NULL,
     "Requirements, each \"name: expression over facts\"", "要求項目（名稱: 事實運算式）"},
};

/* Each requirement is "name: expression"; the expression must parse. */
static int req_check(const json_t *f, struct fs_err *err)
{
  const json_t *list = json_object_get(f, "requirements");
  size_t i;
  const json_t *it;
  json_array_foreach(list, i, it)
  {
    const char *s = json_string_value(it);
    const char *colon = s ? strstr(s, ": ") : NULL;
    char where[64];
    snprintf(where, sizeof(where), "fields.requirements[%zu]", i);
    if (!colon || colon == s)
      return fs_err_set(
          err, FS_ERR_INVALID, where,
          "must be \"name: expression\", e.g. \"ciso-vp: governance.ciso_level >= 3\"");
    struct expr_value v;
    struct fs_err e;
    if (expr_eval(colon + 2, strlen(colon + 2), NULL, NULL, &v, &e))
      return fs_err_set(err, FS_ERR_INVALID, where, "the expression does not parse at %s: %s",
                        e.where, e.msg);
  }
  return FS_OK;
}

const struct reg_def reg_requirement_sets = {
    .name = "requirement-sets",
    .label_en = "Tiered requirement sets",
    .label_zh = "分級資安要求",
    .about_en = "Requirement sets by industry x size x business, phased in by date; each "
                "requirement is an expression over an institution's facts, so that every "
                "institution's applicable sets and compliance are computed.",
    .about_zh = "依業別、規模與業務分級之資安要求，依生效日期循序推動；每項要求為機構事實之運算式，"
                "據以計算各機構適用要求與遵循情形。",
    .scope = REG_SCOPE_SECTOR,
    .access = 0,
    .fields = req_fields,
    .nfields = FS_ARRAY_SIZE(req_fields),
    .default_sort = "code",
    .check = req_check,
};

/* ---- sanctions ----------------------------------------------------------------------------- */

static const char *const sanction_kinds[] = {"fine", "correction-order", "reprimand", "other",
                                             NULL};

static const struct reg_field sanction_fields[] = {
    {"code", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Case", "案號"},
    {"date", REG_DATE, REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Date", "處分日期"},
    {"kind", REG_ENUM, REG_REQUIRED, 0, 0, sanction_kinds, "Kind", "處分類型"},
    {"amount_twd", REG_NUMBER, 0, 0, 1e12, NULL, "Fine (NT$)", "罰鍰（新臺幣）"},
    {"points", REG_INT, REG_REQUIRED, 5, 50, NULL, "Weight for scoring (5-50)",
     "評分扣分權重（5-50）"},
    {"reason", REG_TEXT, REG_REQUIRED, 0, 0, NULL, "Reason", "事由"},
};

const struct reg_def reg_sanctions = {
    .name = "sanctions",
    .label_en = "Supervisory sanctions",
    .label_zh = "裁罰與糾正",
    .about_en =
        "Security-related fines and sanctions, entered by the hub; the institution reads its own.",
    .about_zh = "資安相關之罰鍰與糾正，由中樞登錄；機構可查閱自身紀錄。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS | REG_HUB_WRITES | REG_MEMBER_READONLY,
    .fields = sanction_fields,
    .nfields = FS_ARRAY_SIZE(sanction_fields),
    .default_sort = "-date",
};
