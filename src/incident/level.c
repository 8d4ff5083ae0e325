/* The level rules as data (a table with each rule's reason in English and zh-TW) and the
 * proposal that picks the highest matching rule. */
#include "incident/level.h"

#include <stdio.h>

const char *const incident_class_names[] = {"non_core",  "core",         "core_ci",
                                            "sensitive", "state_secret", NULL};
const char *const incident_severity_names[] = {"none", "minor", "serious", NULL};
const char *const incident_availability_names[] = {"none", "within_mtpd", "beyond_mtpd", NULL};

#define C(x) (1u << INCIDENT_CLASS_##x)
#define SEV(x) (1u << INCIDENT_SEV_##x)
#define AV(x) (1u << INCIDENT_AVAIL_##x)

/* 資通安全事件通報及應變辦法 Art. 2 (docs/incidents.md lists the same rules). The ids follow
 * the order of the clauses within each level. */
static const struct incident_level_rule rules[] = {
    {"1.0", 1, INCIDENT_RULE_NONE, 0, 0, "no leak, tampering or outage reported",
     "未通報資訊洩漏、竄改或系統中斷"},
    {"1.a", 1, INCIDENT_RULE_DATA, C(NON_CORE), SEV(MINOR),
     "minor leak or tampering of non-core information", "非核心業務資訊遭輕微洩漏或竄改"},
    {"1.b", 1, INCIDENT_RULE_SYSTEM, C(NON_CORE), AV(WITHIN_MTPD),
     "non-core system restored within MTPD", "非核心資通系統於可容忍中斷時間內回復"},
    {"2.a", 2, INCIDENT_RULE_DATA, C(NON_CORE), SEV(SERIOUS),
     "serious leak or tampering of non-core information", "非核心業務資訊遭嚴重洩漏或竄改"},
    {"2.b", 2, INCIDENT_RULE_DATA, C(CORE), SEV(MINOR),
     "minor leak or tampering of core information not involving critical infrastructure",
     "未涉及關鍵基礎設施之核心業務資訊遭輕微洩漏或竄改"},
    {"2.c", 2, INCIDENT_RULE_SYSTEM, C(NON_CORE), AV(BEYOND_MTPD),
     "non-core system not restored within MTPD", "非核心資通系統未於可容忍中斷時間內回復"},
    {"2.d", 2, INCIDENT_RULE_SYSTEM, C(CORE), AV(WITHIN_MTPD),
     "core system (not critical infrastructure) restored within MTPD",
     "未涉及關鍵基礎設施之核心資通系統於可容忍中斷時間內回復"},
    {"3.a", 3, INCIDENT_RULE_DATA, C(CORE), SEV(SERIOUS),
     "serious leak or tampering of core information not involving critical infrastructure",
     "未涉及關鍵基礎設施之核心業務資訊遭嚴重洩漏或竄改"},
    {"3.b", 3, INCIDENT_RULE_DATA, C(SENSITIVE) | C(STATE_SECRET), SEV(MINOR),
     "minor leak or tampering of general official secrets or sensitive information",
     "一般公務機密或敏感資訊遭輕微洩漏或竄改"},
    {"3.c", 3, INCIDENT_RULE_DATA, C(CORE_CI), SEV(MINOR),
     "minor leak or tampering of core information of critical infrastructure",
     "涉及關鍵基礎設施之核心業務資訊遭輕微洩漏或竄改"},
    {"3.d", 3, INCIDENT_RULE_SYSTEM, C(CORE), AV(BEYOND_MTPD),
     "core system not restored within MTPD",
     "未涉及關鍵基礎設施之核心資通系統未於可容忍中斷時間內回復"},
    {"3.e", 3, INCIDENT_RULE_SYSTEM, C(CORE_CI), AV(WITHIN_MTPD),
     "core system of critical infrastructure restored within MTPD",
     "涉及關鍵基礎設施之核心資通系統於可容忍中斷時間內回復"},
    {"4.a", 4, INCIDENT_RULE_DATA, C(CORE_CI), SEV(SERIOUS),
     "serious leak or tampering of core information of critical infrastructure",
     "涉及關鍵基礎設施之核心業務資訊遭嚴重洩漏或竄改"},
    {"4.b", 4, INCIDENT_RULE_DATA, C(SENSITIVE) | C(STATE_SECRET), SEV(SERIOUS),
     "serious leak or tampering of general official secrets or sensitive information",
     "一般公務機密或敏感資訊遭嚴重洩漏或竄改"},
    {"4.c", 4, INCIDENT_RULE_LEAK, C(STATE_SECRET), SEV(MINOR) | SEV(SERIOUS),
     "leak of state secrets", "國家機密遭洩漏"},
    {"4.d", 4, INCIDENT_RULE_SYSTEM, C(CORE_CI), AV(BEYOND_MTPD),
     "core system of critical infrastructure not restored within MTPD",
     "涉及關鍵基礎設施之核心資通系統未於可容忍中斷時間內回復"},
};

size_t incident_level_rules(const struct incident_level_rule **out)
{
  *out = rules;
  return FS_ARRAY_SIZE(rules);
}

int incident_impact_check(const struct incident_impact *in, struct fs_err *err)
{
  if (in->system_class < 0 || in->system_class > INCIDENT_CLASS_CORE_CI)
    return fs_err_set(err, FS_ERR_INVALID, "$.impact.system_class",
                      "a system is non_core, core or core_ci");
  if (in->data_class < -1 || in->data_class >= INCIDENT_CLASS__COUNT)
    return fs_err_set(err, FS_ERR_INVALID, "$.impact.data_class", "unknown class of information");
  if (in->confidentiality < 0 || in->confidentiality > INCIDENT_SEV_SERIOUS)
    return fs_err_set(err, FS_ERR_INVALID, "$.impact.confidentiality", "none, minor or serious");
  if (in->integrity < 0 || in->integrity > INCIDENT_SEV_SERIOUS)
    return fs_err_set(err, FS_ERR_INVALID, "$.impact.integrity", "none, minor or serious");
  if (in->availability < 0 || in->availability > INCIDENT_AVAIL_BEYOND_MTPD)
    return fs_err_set(err, FS_ERR_INVALID, "$.impact.availability",
                      "none, within_mtpd or beyond_mtpd");
  return FS_OK;
}

static bool rule_matches(const struct incident_level_rule *r, const struct incident_impact *in)
{
  int data_class = in->data_class >= 0 ? in->data_class : in->system_class;
  int data_sev = in->confidentiality > in->integrity ? in->confidentiality : in->integrity;
  switch (r->kind) {
  case INCIDENT_RULE_DATA:
    return (r->classes & (1u << data_class)) && data_sev > 0 && (r->grades & (1u << data_sev));
  case INCIDENT_RULE_LEAK:
    return (r->classes & (1u << data_class)) && in->confidentiality > 0 &&
           (r->grades & (1u << in->confidentiality));
  case INCIDENT_RULE_SYSTEM:
    return (r->classes & (1u << in->system_class)) && in->availability > 0 &&
           (r->grades & (1u << in->availability));
  case INCIDENT_RULE_NONE:
    return false;
  }
  return false;
}

void incident_level_propose(const struct incident_impact *in, struct incident_level_proposal *out)
{
  out->level = 1;
  out->rule = &rules[0];
  out->nmatched = 0;
  for (size_t i = 0; i < FS_ARRAY_SIZE(rules); i++) {
    if (!rule_matches(&rules[i], in))
      continue;
    if (out->nmatched < INCIDENT_MAX_MATCHED)
      out->matched[out->nmatched++] = &rules[i];
    if (out->rule == &rules[0] || rules[i].level > out->level) {
      out->level = rules[i].level;
      out->rule = &rules[i];
    }
  }
}

void incident_level_reason(const struct incident_level_proposal *p, bool zh, char *out, size_t n)
{
  if (zh)
    snprintf(out, n, "第 %d 級：%s（規則 %s）", p->level, p->rule->zh, p->rule->id);
  else
    snprintf(out, n, "Level %d: %s (rule %s)", p->level, p->rule->en, p->rule->id);
}
