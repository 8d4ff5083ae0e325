/* What the report's two renderings (HTML, PDF) say, in both languages: the metrics, headings,
 * reasons, and dates (Gregorian or ROC). */
#include "supervision/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct sup_metric sup_metrics[] = {
    {"orgs", "Institutions", "機構數", SUP_INT},
    {"compliance_pct", "Tiered requirements met", "分級要求符合率", SUP_PCT},
    {"fully_compliant", "Fully compliant", "完全符合機構", SUP_INT},
    {"services", "Core services", "核心業務數", SUP_INT},
    {"bcm_coverage_pct", "Services with a passing drill in the period",
     "期間內通過復原演練之業務比率", SUP_PCT},
    {"drills_overdue", "Services with overdue drills", "復原演練逾期業務", SUP_INT},
    {"phishing_target_pct", "Social-engineering drills within targets", "社交工程演練達標率",
     SUP_PCT},
    {"phishing_click_rate_avg", "Mean click rate (%)", "平均點擊率（%）", SUP_NUM},
    {"ddos_pass_pct", "DDoS drills passed", "DDoS 演練通過率", SUP_PCT},
    {"pentest_exercises", "Penetration tests and red/blue", "滲透測試與紅藍軍", SUP_INT},
    {"findings_overdue", "Overdue findings", "逾期未改善缺失", SUP_INT},
    {"findings_escalated", "Escalated findings", "已升級缺失", SUP_INT},
    {"incidents", "Incidents", "資安事件", SUP_INT},
    {"incidents_major", "Major incidents", "重大資安事件", SUP_INT},
    {"clocks_met_pct", "Incident clocks met", "事件時限達成率", SUP_PCT},
    {"score_mean", "Mean incentive score", "平均激勵評分", SUP_NUM},
    {NULL, NULL, NULL, 0},
};

const char *sup_reason_label(const char *reason, enum fs_lang lang)
{
  static const char *const map[][3] = {
      {"drills-overdue", "restore drills overdue", "復原演練逾期"},
      {"drills-failed", "restore drills failed", "復原演練未通過"},
      {"findings-escalated", "escalated findings", "缺失逾期升級"},
      {"incidents-unreported", "major incidents not reported", "重大事件未通報"},
      {"requirements-unmet", "requirements not met", "分級要求未符合"},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(map); i++)
    if (!strcmp(map[i][0], reason))
      return lang == FS_LANG_EN ? map[i][1] : map[i][2];
  return reason;
}

void sup_format_date(const char *ymd, enum fs_lang lang, bool roc, char *out, size_t n)
{
  int y = 0, m = 0, d = 0;
  if (!ymd || sscanf(ymd, "%d-%d-%d", &y, &m, &d) != 3) {
    snprintf(out, n, "%s", ymd ? ymd : "");
    return;
  }
  if (roc && lang == FS_LANG_EN)
    snprintf(out, n, "ROC %d-%02d-%02d", y - 1911, m, d);
  else if (roc)
    snprintf(out, n, "民國%d年%d月%d日", y - 1911, m, d);
  else if (lang == FS_LANG_EN)
    snprintf(out, n, "%04d-%02d-%02d", y, m, d);
  else
    snprintf(out, n, "%d年%d月%d日", y, m, d);
}

void sup_format_value(const json_t *group, const struct sup_metric *m, char *out, size_t n)
{
  const json_t *j = json_object_get(group, m->key);
  double v = json_number_value(j);
  if (!json_is_number(j))
    snprintf(out, n, "–");
  else if (m->kind == SUP_INT)
    snprintf(out, n, "%lld", (long long)v);
  else if (m->kind == SUP_PCT)
    snprintf(out, n, "%.1f %%", v);
  else
    snprintf(out, n, "%.1f", v);
}

const char *sup_tr(enum fs_lang lang, const char *en, const char *zh)
{
  return lang == FS_LANG_EN ? en : zh;
}

const char *sup_label(const json_t *label_obj, enum fs_lang lang)
{
  const char *s =
      json_string_value(json_object_get(label_obj, lang == FS_LANG_EN ? "en" : "zh-TW"));
  return s ? s : "";
}
