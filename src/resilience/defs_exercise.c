/* Register definitions of exercises (以戰代訓): DDoS drills, e-mail social engineering, penetration
 * tests and red/blue team exercises, and the findings they (and inspections) leave, with
 * remediation deadlines that escalate when missed. */
#include "resilience/defs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- exercises-ddos ------------------------------------------------------------------------ */

static const char *const pass_fail[] = {"pass", "fail", NULL};

static const struct reg_field ddos_fields[] = {
    {"code", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Exercise code",
     "演練代碼"},
    {"date", REG_DATE, REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Date", "演練日期"},
    {"scenario", REG_TEXT, 0, 0, 0, NULL, "Scenario", "演練情境"},
    {"peak_gbps", REG_NUMBER, 0, 0, 100000, NULL, "Peak attack traffic (Gbit/s)",
     "攻擊流量峰值（Gbps）"},
    {"detect_minutes", REG_NUMBER, REG_REQUIRED, 0, 10080, NULL, "Time to detect (min)",
     "偵測時間（分鐘）"},
    {"divert_minutes", REG_NUMBER, 0, 0, 10080, NULL, "Time to switch to scrubbing (min)",
     "導流至清洗中心時間（分鐘）"},
    {"mitigate_minutes", REG_NUMBER, REG_REQUIRED, 0, 10080, NULL, "Time to mitigate (min)",
     "緩解時間（分鐘）"},
    {"attack_filtered_percent", REG_NUMBER, 0, 0, 100, NULL, "Attack traffic filtered (%)",
     "攻擊流量過濾率（%）"},
    {"legit_kept_percent", REG_NUMBER, 0, 0, 100, NULL, "Legitimate traffic kept (%)",
     "正常流量保留率（%）"},
    {"target_mitigate_minutes", REG_NUMBER, 0, 1, 10080, NULL,
     "Target time to mitigate (min, default 30)", "緩解時間目標（分鐘，預設 30）"},
    {"result", REG_ENUM, REG_DERIVED, 0, 0, pass_fail, "Result against the target", "對照目標結果"},
};

static void ddos_derive(json_t *f, int64_t now)
{
  (void)now;
  double target = reg_num(f, "target_mitigate_minutes", 30);
  bool ok =
      reg_num(f, "mitigate_minutes", 1e9) <= target && reg_num(f, "legit_kept_percent", 100) >= 95;
  json_object_set_new(f, "result", json_string(ok ? "pass" : "fail"));
}

const struct reg_def reg_ex_ddos = {
    .name = "exercises-ddos",
    .label_en = "Exercises: DDoS drills",
    .label_zh = "演練：DDoS 攻防演練",
    .about_en = "DDoS drills: times to detect, divert and mitigate, peak traffic, attack traffic "
                "filtered and legitimate traffic kept; pass when mitigated within the target and "
                "at least 95 % of legitimate traffic kept.",
    .about_zh = "DDoS "
                "演練：偵測、導流、緩解時間、流量峰值、攻擊流量過濾率與正常流量保留率；於目標時間內"
                "緩解且保留 95 % 以上正常流量為通過。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS,
    .fields = ddos_fields,
    .nfields = FS_ARRAY_SIZE(ddos_fields),
    .default_sort = "-date",
    .derive = ddos_derive,
};

/* ---- exercises-phishing -------------------------------------------------------------------- */

static const struct reg_field phish_fields[] = {
    {"code", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Exercise code",
     "演練代碼"},
    {"date", REG_DATE, REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Date", "演練日期"},
    {"delivered", REG_INT, REG_REQUIRED, 1, 10000000, NULL, "Messages delivered", "寄送成功封數"},
    {"opened", REG_INT, REG_REQUIRED, 0, 10000000, NULL, "Opened", "開啟數"},
    {"clicked", REG_INT, REG_REQUIRED, 0, 10000000, NULL, "Clicked", "點擊數"},
    {"credentials", REG_INT, 0, 0, 10000000, NULL, "Credentials entered", "輸入帳密數"},
    {"reported", REG_INT, 0, 0, 10000000, NULL, "Reported", "通報數"},
    {"repeat_clickers", REG_INT, 0, 0, 10000000, NULL, "Repeat clickers", "重複點擊人數"},
    {"open_target_percent", REG_NUMBER, 0, 0, 100, NULL, "Open-rate target (%, default 10)",
     "開啟率目標（%，預設 10）"},
    {"click_target_percent", REG_NUMBER, 0, 0, 100, NULL, "Click-rate target (%, default 6)",
     "點擊率目標（%，預設 6）"},
    {"open_rate", REG_NUMBER, REG_DERIVED, 0, 0, NULL, "Open rate (%)", "開啟率（%）"},
    {"click_rate", REG_NUMBER, REG_DERIVED, 0, 0, NULL, "Click rate (%)", "點擊率（%）"},
    {"credential_rate", REG_NUMBER, REG_DERIVED, 0, 0, NULL, "Credential rate (%)",
     "帳密輸入率（%）"},
    {"report_rate", REG_NUMBER, REG_DERIVED, 0, 0, NULL, "Report rate (%)", "通報率（%）"},
    {"meets_targets", REG_BOOL, REG_DERIVED, 0, 0, NULL, "Meets the targets", "達成目標"},
};

static int phish_check(const json_t *f, struct fs_err *err)
{
  double d = reg_num(f, "delivered", 0);
  static const char *const parts[] = {"opened", "clicked", "credentials", "reported",
                                      "repeat_clickers"};
  for (size_t i = 0; i < FS_ARRAY_SIZE(parts); i++)
    if (reg_num(f, parts[i], 0) > d) {
      char where[64];
      snprintf(where, sizeof(where), "fields.%s", parts[i]);
      return fs_err_set(err, FS_ERR_INVALID, where, "cannot be more than the %g messages delivered",
                        d);
    }
  if (reg_num(f, "clicked", 0) > reg_num(f, "opened", 0))
    return fs_err_set(err, FS_ERR_INVALID, "fields.clicked",
                      "cannot be more than the messages opened");
  if (reg_num(f, "credentials", 0) > reg_num(f, "clicked", 0))
    return fs_err_set(err, FS_ERR_INVALID, "fields.credentials", "cannot be more than the clicks");
  return FS_OK;
}

static void phish_derive(json_t *f, int64_t now)
{
  (void)now;
  double d = reg_num(f, "delivered", 0);
  if (d <= 0)
    return;
  double open = reg_round1(100 * reg_num(f, "opened", 0) / d);
  double click = reg_round1(100 * reg_num(f, "clicked", 0) / d);
  json_object_set_new(f, "open_rate", json_real(open));
  json_object_set_new(f, "click_rate", json_real(click));
  json_object_set_new(f, "credential_rate",
                      json_real(reg_round1(100 * reg_num(f, "credentials", 0) / d)));
  json_object_set_new(f, "report_rate", json_real(reg_round1(100 * reg_num(f, "reported", 0) / d)));
  json_object_set_new(f, "meets_targets",
                      json_boolean(open < reg_num(f, "open_target_percent", 10) &&
                                   click < reg_num(f, "click_target_percent", 6)));
}

const struct reg_def reg_ex_phishing = {
    .name = "exercises-phishing",
    .label_en = "Exercises: e-mail social engineering",
    .label_zh = "演練：電子郵件社交工程",
    .about_en =
        "Social-engineering e-mail drills: delivered, opened, clicked, credentials "
        "entered, reported; rates against the targets (open < 10 %, click < 6 % by default).",
    .about_zh = "電子郵件社交工程演練：寄送、開啟、點擊、輸入帳密、通報；比率對照目標（預設開啟率 "
                "< 10 %、點擊率 < 6 %）。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS,
    .fields = phish_fields,
    .nfields = FS_ARRAY_SIZE(phish_fields),
    .default_sort = "-date",
    .check = phish_check,
    .derive = phish_derive,
};

/* ---- exercises-pentest --------------------------------------------------------------------- */

static const char *const pentest_kinds[] = {"external", "internal", "red-blue", "app", NULL};

static const struct reg_field pentest_fields[] = {
    {"code", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Exercise code",
     "演練代碼"},
    {"kind", REG_ENUM, REG_REQUIRED | REG_INDEXED, 0, 0, pentest_kinds,
     "Kind (external, internal penetration test, red/blue team, app test)",
     "類型（外網、內網滲透測試、紅藍軍、APP 檢測）"},
    {"date", REG_DATE, REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Date", "日期"},
    {"scope", REG_TEXT, 0, 0, 0, NULL, "Scope", "範圍"},
    {"provider", REG_TEXT, 0, 0, 0, NULL, "Tester", "執行單位"},
    {"findings_critical", REG_INT, 0, 0, 100000, NULL, "Critical findings", "嚴重弱點數"},
    {"findings_high", REG_INT, 0, 0, 100000, NULL, "High findings", "高風險弱點數"},
    {"findings_medium", REG_INT, 0, 0, 100000, NULL, "Medium findings", "中風險弱點數"},
    {"findings_low", REG_INT, 0, 0, 100000, NULL, "Low findings", "低風險弱點數"},
};

const struct reg_def reg_ex_pentest = {
    .name = "exercises-pentest",
    .label_en = "Exercises: penetration tests and red/blue team",
    .label_zh = "演練：滲透測試與紅藍軍對抗",
    .about_en = "External and internal penetration tests, red/blue team exercises and app tests, "
                "with their findings by severity (each finding is tracked in findings).",
    .about_zh =
        "外網、內網滲透測試、紅藍軍對抗與 APP 檢測及各嚴重度弱點數（個別弱點於 findings 追蹤）。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS,
    .fields = pentest_fields,
    .nfields = FS_ARRAY_SIZE(pentest_fields),
    .default_sort = "-date",
};

/* ---- findings ------------------------------------------------------------------------------ */

static const char *const finding_sources[] = {
    "pentest", "red-blue", "inspection", "self-assessment", "audit", "ddos", "phishing", NULL};
static const char *const severities[] = {"critical", "high", "medium", "low", NULL};
static const char *const finding_states[] = {"open", "remediated", "risk-accepted", NULL};
static const char *const escalations[] = {"none", "overdue", "escalated", NULL};

static const struct reg_field finding_fields[] = {
    {"code", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Finding code",
     "缺失代碼"},
    {"source", REG_ENUM, REG_REQUIRED | REG_INDEXED, 0, 0, finding_sources,
     "Source (pen test, red/blue, inspection 資安檢查, ...)",
     "來源（滲透測試、紅藍軍、資安檢查…）"},
    {"exercise", REG_CODE, 0, 0, 0, NULL, "Exercise or inspection code", "演練或檢查代碼"},
    {"severity", REG_ENUM, REG_REQUIRED | REG_INDEXED, 0, 0, severities, "Severity", "嚴重度"},
    {"title", REG_TEXT, REG_REQUIRED, 0, 0, NULL, "Finding", "缺失摘要"},
    {"found", REG_DATE, REG_REQUIRED, 0, 0, NULL, "Found", "發現日期"},
    {"due", REG_DATE, REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Remediation deadline", "改善期限"},
    {"status", REG_ENUM, REG_REQUIRED | REG_INDEXED, 0, 0, finding_states, "Status", "改善狀態"},
    {"closed", REG_DATE, 0, 0, 0, NULL, "Closed", "結案日期"},
    {"owner", REG_TEXT, 0, 0, 0, NULL, "Owner", "負責單位"},
    {"overdue", REG_BOOL, REG_DERIVED, 0, 0, NULL, "Overdue", "逾期"},
    {"days_overdue", REG_INT, REG_DERIVED, 0, 0, NULL, "Days overdue", "逾期天數"},
    {"escalation", REG_ENUM, REG_DERIVED, 0, 0, escalations,
     "Escalation (overdue; escalated after 30 days or a critical one)",
     "升級狀態（逾期；逾 30 天或嚴重者升級）"},
};

static int finding_check(const json_t *f, struct fs_err *err)
{
  int64_t found = reg_date_days(json_string_value(json_object_get(f, "found")));
  int64_t due = reg_date_days(json_string_value(json_object_get(f, "due")));
  if (found >= 0 && due >= 0 && due < found)
    return fs_err_set(err, FS_ERR_INVALID, "fields.due",
                      "the deadline is before the finding was found");
  const char *st = json_string_value(json_object_get(f, "status"));
  if (st && !strcmp(st, "remediated") && !json_object_get(f, "closed"))
    return fs_err_set(err, FS_ERR_INVALID, "fields.closed",
                      "a remediated finding needs its closing date");
  return FS_OK;
}

static void finding_derive(json_t *f, int64_t now)
{
  const char *st = json_string_value(json_object_get(f, "status"));
  int64_t due = reg_date_days(json_string_value(json_object_get(f, "due")));
  int64_t late = st && !strcmp(st, "open") && due >= 0 ? reg_today(now) - due : 0;
  if (late < 0)
    late = 0;
  const char *sev = json_string_value(json_object_get(f, "severity"));
  const char *esc = !late                                            ? "none"
                    : late > 30 || (sev && !strcmp(sev, "critical")) ? "escalated"
                                                                     : "overdue";
  json_object_set_new(f, "overdue", json_boolean(late > 0));
  json_object_set_new(f, "days_overdue", json_integer(late));
  json_object_set_new(f, "escalation", json_string(esc));
}

const struct reg_def reg_findings = {
    .name = "findings",
    .label_en = "Findings and remediation",
    .label_zh = "缺失與改善追蹤",
    .about_en = "Findings of penetration tests, red/blue team exercises, inspections (資安檢查) "
                "and self-assessments, with remediation deadlines; an open finding past its "
                "deadline is overdue and escalates after 30 days (a critical one at once).",
    .about_zh = "滲透測試、紅藍軍、資安檢查與自評之缺失及改善期限；逾期未改善者列為逾期，逾 30 "
                "天（嚴重者立即）升級。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS | REG_HUB_WRITES,
    .fields = finding_fields,
    .nfields = FS_ARRAY_SIZE(finding_fields),
    .default_sort = "due",
    .check = finding_check,
    .derive = finding_derive,
};
