/* Register definitions of talent (the sector's training map, each institution's hours and
 * certifications) and of third parties and new technology (cloud, outsourcing, open APIs,
 * mobile apps) with their risk assessments and reviews. */
#include "resilience/defs.h"

#include <string.h>

static const char *const roles[] = {
    "ciso", "security-manager", "security-engineer", "soc-analyst", "it-staff", "all-staff", NULL};
static const char *const levels[] = {"basic", "intermediate", "advanced", NULL};

static const struct reg_field map_fields[] = {
    {"role", REG_ENUM, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, roles, "Role", "職務"},
    {"competency", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Competency",
     "職能"},
    {"course", REG_TEXT, REG_REQUIRED, 0, 0, NULL, "Course", "課程"},
    {"level", REG_ENUM, 0, 0, 0, levels, "Level", "等級"},
    {"hours", REG_NUMBER, REG_REQUIRED, 0, 1000, NULL, "Hours a year", "每年時數"},
};

const struct reg_def reg_training_map = {
    .name = "training-map",
    .label_en = "Training map",
    .label_zh = "人才培訓地圖",
    .about_en = "The sector's training map: roles x competencies x courses with the hours each "
                "role needs a year (kept by the hub).",
    .about_zh = "產業人才培訓地圖：職務 × 職能 × 課程及各職務每年應訓時數（由中樞維護）。",
    .scope = REG_SCOPE_SECTOR,
    .fields = map_fields,
    .nfields = FS_ARRAY_SIZE(map_fields),
    .default_sort = "role",
};

static const struct reg_field talent_fields[] = {
    {"year", REG_INT, REG_KEY | REG_REQUIRED | REG_INDEXED, 2000, 2100, NULL, "Year", "年度"},
    {"role", REG_ENUM, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, roles, "Role", "職務"},
    {"headcount", REG_INT, REG_REQUIRED, 0, 1000000, NULL, "People", "人數"},
    {"required_hours", REG_NUMBER, REG_REQUIRED, 0, 1000, NULL, "Hours required per person",
     "每人應訓時數"},
    {"hours_completed", REG_NUMBER, REG_REQUIRED, 0, 1e9, NULL, "Hours completed (all people)",
     "已完成總時數"},
    {"certified", REG_INT, 0, 0, 1000000, NULL, "People with an international certification",
     "取得國際資安證照人數"},
    {"certifications", REG_LIST, 0, 0, 0, NULL, "Certifications held (CISSP, ISO 27001 LA, ...)",
     "持有證照"},
    {"hours_ratio", REG_NUMBER, REG_DERIVED, 0, 0, NULL, "Hours completed / required (%)",
     "完訓比率（%）"},
    {"meets_hours", REG_BOOL, REG_DERIVED, 0, 0, NULL, "Meets the required hours", "達成應訓時數"},
};

static int talent_check(const json_t *f, struct fs_err *err)
{
  if (reg_num(f, "certified", 0) > reg_num(f, "headcount", 0))
    return fs_err_set(err, FS_ERR_INVALID, "fields.certified", "cannot be more than the headcount");
  return FS_OK;
}

static void talent_derive(json_t *f, int64_t now)
{
  (void)now;
  double need = reg_num(f, "required_hours", 0) * reg_num(f, "headcount", 0);
  double ratio = need > 0 ? reg_round1(100 * reg_num(f, "hours_completed", 0) / need) : 100;
  json_object_set_new(f, "hours_ratio", json_real(ratio));
  json_object_set_new(f, "meets_hours", json_boolean(ratio >= 100));
}

const struct reg_def reg_talent = {
    .name = "talent",
    .label_en = "Talent: training hours and certifications",
    .label_zh = "資安人才：訓練時數與證照",
    .about_en = "Per year and role: people, hours required and completed, international "
                "certifications.",
    .about_zh = "每年各職務之人數、應訓與已完成時數、國際資安證照。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS,
    .fields = talent_fields,
    .nfields = FS_ARRAY_SIZE(talent_fields),
    .default_sort = "-year",
    .check = talent_check,
    .derive = talent_derive,
};

static const char *const tp_kinds[] = {"cloud",   "outsourcing", "open-api", "mobile-app",
                                       "fintech", "other",       NULL};
static const char *const hml[] = {"high", "medium", "low", NULL};

static const struct reg_field tp_fields[] = {
    {"code", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Code", "代碼"},
    {"name", REG_TEXT, REG_REQUIRED | REG_MEMBER_VISIBLE, 0, 0, NULL, "Provider, partner or app",
     "廠商、合作夥伴或 APP"},
    {"kind", REG_ENUM, REG_REQUIRED | REG_INDEXED | REG_MEMBER_VISIBLE, 0, 0, tp_kinds,
     "Kind (cloud, outsourcing, open API, mobile app, fintech)",
     "類型（雲端、委外、開放 API、行動 APP、金融科技）"},
    {"services", REG_LIST, 0, 0, 0, NULL, "Services concerned", "涉及之業務"},
    {"criticality", REG_ENUM, REG_REQUIRED | REG_INDEXED, 0, 0, hml, "Criticality", "重要性"},
    {"data_location", REG_TEXT, 0, 0, 0, NULL, "Where data is kept", "資料存放地"},
    {"risk_rating", REG_ENUM, REG_REQUIRED | REG_INDEXED, 0, 0, hml, "Risk rating", "風險評等"},
    {"last_assessment", REG_DATE, 0, 0, 0, NULL, "Last risk assessment", "最近風險評估"},
    {"next_review", REG_DATE, REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Next review", "下次複審"},
    {"contract_end", REG_DATE, 0, 0, 0, NULL, "Contract ends", "契約到期"},
    {"review_overdue", REG_BOOL, REG_DERIVED, 0, 0, NULL, "Review overdue", "複審逾期"},
};

static void tp_derive(json_t *f, int64_t now)
{
  int64_t next = reg_date_days(json_string_value(json_object_get(f, "next_review")));
  json_object_set_new(f, "review_overdue", json_boolean(next >= 0 && next < reg_today(now)));
}

const struct reg_def reg_third_parties = {
    .name = "third-parties",
    .label_en = "Third parties and new technology",
    .label_zh = "第三方與新興科技",
    .about_en =
        "Cloud and outsourcing providers, open-API partners, mobile apps and fintech "
        "partners, with risk assessments and review dates (a review past its date is overdue).",
    .about_zh = "雲端與委外廠商、開放 API 合作夥伴、行動 APP "
                "與金融科技合作，及其風險評估與複審日期（逾期列示）。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS,
    .fields = tp_fields,
    .nfields = FS_ARRAY_SIZE(tp_fields),
    .default_sort = "next_review",
    .derive = tp_derive,
};
