/* Register definitions of business continuity: core business services (MTPD, RTO, RPO, MBCO,
 * dependencies, business impact analysis), backup environments, the vault signing keys
 * institutions register for drill evidence, and the drill evidence itself. */
#include "resilience/defs.h"

#include "core/encode.h"

#include <stdio.h>
#include <string.h>

/* ---- bcm-services -------------------------------------------------------------------------- */

static const struct reg_field service_fields[] = {
    {"code", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Service code",
     "服務代碼"},
    {"name", REG_TEXT, REG_REQUIRED, 0, 0, NULL, "Core business service", "核心業務名稱"},
    {"critical_infrastructure", REG_BOOL, REG_INDEXED, 0, 0, NULL,
     "Core system of critical infrastructure", "關鍵基礎設施核心系統"},
    {"mtpd_hours", REG_NUMBER, REG_REQUIRED | REG_INDEXED, 0.1, 8760, NULL,
     "Maximum tolerable period of disruption (hours)", "最大可容忍中斷時間（小時）"},
    {"rto_hours", REG_NUMBER, REG_REQUIRED, 0, 8760, NULL, "Recovery time objective (hours)",
     "復原時間目標 RTO（小時）"},
    {"rpo_hours", REG_NUMBER, 0, 0, 8760, NULL, "Recovery point objective (hours)",
     "復原點目標 RPO（小時）"},
    {"mbco_percent", REG_NUMBER, 0, 0, 100, NULL, "Minimum business continuity objective (%)",
     "最低營運持續目標 MBCO（%）"},
    {"systems", REG_LIST, 0, 0, 0, NULL, "Systems it depends on", "相依資訊系統"},
    {"third_parties", REG_LIST, 0, 0, 0, NULL, "Third parties it depends on", "相依第三方"},
    {"sites", REG_LIST, 0, 0, 0, NULL, "Sites (primary, backup)", "營運與備援據點"},
    {"bia_date", REG_DATE, 0, 0, 0, NULL, "Business impact analysis date", "營運衝擊分析日期"},
    {"bia_summary", REG_LONGTEXT, 0, 0, 0, NULL, "Business impact analysis", "營運衝擊分析摘要"},
    {"drill_period_days", REG_INT, 0, 1, 1095, NULL, "A drill is required every (days)",
     "復原演練週期（天）"},
};

static int service_check(const json_t *f, struct fs_err *err)
{
  double mtpd = json_number_value(json_object_get(f, "mtpd_hours"));
  double rto = json_number_value(json_object_get(f, "rto_hours"));
  if (json_object_get(f, "rto_hours") && json_object_get(f, "mtpd_hours") && rto > mtpd)
    return fs_err_set(err, FS_ERR_INVALID, "fields.rto_hours",
                      "the RTO (%g h) must not be longer than the MTPD (%g h)", rto, mtpd);
  return FS_OK;
}

const struct reg_def reg_bcm_services = {
    .name = "bcm-services",
    .label_en = "BCM: core business services",
    .label_zh = "營運持續管理：核心業務",
    .about_en =
        "Core business services with their MTPD, RTO (<= MTPD), RPO, MBCO, dependencies and "
        "business impact analysis; drills are judged against them.",
    .about_zh =
        "核心業務及其最大可容忍中斷時間、RTO（不得大於 MTPD）、RPO、MBCO、相依項目與營運衝擊分析；"
        "復原演練依此判定。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS,
    .fields = service_fields,
    .nfields = FS_ARRAY_SIZE(service_fields),
    .default_sort = "code",
    .check = service_check,
};

/* ---- bcm-backups --------------------------------------------------------------------------- */

static const char *const env_kinds[] = {"local", "offsite", "safe-haven", "cloud", NULL};
static const char *const verify_results[] = {"pass", "fail", "not-verified", NULL};
static const char *const backup_states[] = {"current", "overdue", "failed", NULL};

static const struct reg_field backup_fields[] = {
    {"code", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Environment code",
     "備援環境代碼"},
    {"environment", REG_ENUM, REG_REQUIRED | REG_INDEXED, 0, 0, env_kinds,
     "Kind (local, off-site, safe haven, cloud)", "類型（本地、異地、資料保全避風港、雲端）"},
    {"services", REG_LIST, 0, 0, 0, NULL, "Services it backs up (codes)", "涵蓋的核心業務代碼"},
    {"location", REG_TEXT, 0, 0, 0, NULL, "Location", "所在地點"},
    {"copies", REG_INT, 0, 1, 20, NULL, "Copies of the data", "資料副本數"},
    {"media", REG_INT, 0, 1, 10, NULL, "Kinds of media", "儲存媒體種類數"},
    {"last_verified", REG_DATE, REG_INDEXED, 0, 0, NULL, "Last verification", "最近一次實作驗證"},
    {"verification_result", REG_ENUM, 0, 0, 0, verify_results, "Result of that verification",
     "驗證結果"},
    {"verification_period_days", REG_INT, 0, 1, 730, NULL, "Verify every (days, default 180)",
     "驗證週期（天，預設 180）"},
    {"verification_status", REG_ENUM, REG_DERIVED, 0, 0, backup_states, "Verification status today",
     "目前驗證狀態"},
};

static void backup_derive(json_t *f, int64_t now)
{
  const char *res = json_string_value(json_object_get(f, "verification_result"));
  int64_t last = reg_date_days(json_string_value(json_object_get(f, "last_verified")));
  json_int_t period = json_integer_value(json_object_get(f, "verification_period_days"));
  if (!period)
    period = 180;
  const char *st = res && !strcmp(res, "fail")                  ? "failed"
                   : last < 0 || reg_today(now) - last > period ? "overdue"
                                                                : "current";
  json_object_set_new(f, "verification_status", json_string(st));
}

const struct reg_def reg_bcm_backups = {
    .name = "bcm-backups",
    .label_en = "BCM: backup environments",
    .label_zh = "營運持續管理：備援環境",
    .about_en = "Local, off-site, safe-haven and cloud backup environments with their last "
                "verification (3-2-1: copies and media).",
    .about_zh = "本地、異地、資料保全避風港與雲端備援環境及最近一次實作驗證（3-2-1 原則）。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS,
    .fields = backup_fields,
    .nfields = FS_ARRAY_SIZE(backup_fields),
    .default_sort = "code",
    .derive = backup_derive,
};

/* ---- vault-keys ---------------------------------------------------------------------------- */

static const struct reg_field key_fields[] = {
    {"name", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Key name", "金鑰名稱"},
    {"public_key", REG_TEXT, REG_REQUIRED, 0, 64, NULL,
     "Vault signing key (Ed25519, 64 hex digits: the public_key of its attestations and drill "
     "records)",
     "保險庫簽章公鑰（Ed25519，64 位十六進位）"},
    {"repository", REG_TEXT, 0, 0, 64, NULL, "Vault repository id (optional)",
     "保險庫儲存庫識別碼（選填）"},
    {"revoked", REG_BOOL, REG_INDEXED, 0, 0, NULL, "Revoked", "已撤銷"},
    {"note", REG_TEXT, 0, 0, 0, NULL, "Note", "備註"},
};

static int key_check(const json_t *f, struct fs_err *err)
{
  const char *pk = json_string_value(json_object_get(f, "public_key"));
  uint8_t raw[32];
  if (pk && (strlen(pk) != 64 || fs_hex_decode(pk, 64, raw, 32)))
    return fs_err_set(err, FS_ERR_INVALID, "fields.public_key",
                      "must be an Ed25519 public key: 64 hexadecimal digits");
  return FS_OK;
}

const struct reg_def reg_vault_keys = {
    .name = "vault-keys",
    .label_en = "Vault signing keys for drill evidence",
    .label_zh = "演練證據簽章金鑰",
    .about_en = "The public signing keys of the institution's vaults: the hub accepts drill "
                "evidence only when it is signed by a registered, unrevoked key.",
    .about_zh = "機構保險庫的簽章公鑰：中樞僅接受以已登錄且未撤銷金鑰簽章的演練證據。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS,
    .fields = key_fields,
    .nfields = FS_ARRAY_SIZE(key_fields),
    .default_sort = "name",
    .check = key_check,
};

/* ---- drill-evidence ------------------------------------------------------------------------ */

static const char *const pass_fail[] = {"pass", "fail", NULL};

static const struct reg_field drill_fields[] = {
    {"evidence_id", REG_CODE, REG_KEY | REG_REQUIRED | REG_INDEXED, 0, 0, NULL,
     "Evidence id (start of its signature)", "證據識別碼"},
    {"service", REG_CODE, REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Service", "核心業務代碼"},
    {"drill_date", REG_DATE, REG_REQUIRED | REG_INDEXED, 0, 0, NULL, "Drill date", "演練日期"},
    {"started_at", REG_TEXT, REG_REQUIRED, 0, 40, NULL, "Started at", "開始時間"},
    {"restore_seconds", REG_NUMBER, REG_REQUIRED, 0, 1e9, NULL, "Measured restore time (s)",
     "實測還原時間（秒）"},
    {"rto_hours", REG_NUMBER, 0, 0, 8760, NULL, "RTO when judged (h)", "判定時的 RTO（小時）"},
    {"mtpd_hours", REG_NUMBER, 0, 0, 8760, NULL, "MTPD when judged (h)", "判定時的 MTPD（小時）"},
    {"verdict", REG_ENUM, REG_REQUIRED | REG_INDEXED, 0, 0, pass_fail, "Verdict", "判定結果"},
    {"reason", REG_TEXT, 0, 0, 300, NULL, "Why", "判定理由"},
    {"reason_zh", REG_TEXT, 0, 0, 450, NULL, "Why, in Traditional Chinese", "判定理由（中文）"},
    {"vault_result", REG_ENUM, 0, 0, 0, pass_fail, "The vault's own check", "保險庫自身檢查結果"},
    {"snapshot", REG_TEXT, 0, 0, 80, NULL, "Snapshot", "快照"},
    {"repository", REG_TEXT, 0, 0, 80, NULL, "Repository", "儲存庫"},
    {"business_date", REG_TEXT, 0, 0, 40, NULL, "Business date", "營業日"},
    {"files", REG_INT, 0, 0, 1e15, NULL, "Files", "檔案數"},
    {"bytes", REG_INT, 0, 0, 9e15, NULL, "Bytes", "位元組"},
    {"key", REG_CODE, 0, 0, 0, NULL, "Signing key (vault-keys)", "簽章金鑰"},
    {"attested", REG_BOOL, 0, 0, 0, NULL, "Deposit attestation checked", "已核對存入證明"},
    {"evidence", REG_LONGTEXT, 0, 0, 20000, NULL, "The signed record as received",
     "收到的簽章紀錄"},
};

const struct reg_def reg_drill_evidence = {
    .name = "drill-evidence",
    .label_en = "Recovery drill evidence",
    .label_zh = "復原演練證據",
    .about_en = "Signed restore-drill evidence uploaded by `finshield vault drill --report-to`, "
                "checked and judged against the service's RTO and MTPD.",
    .about_zh = "由 finshield vault drill --report-to 上傳之簽章還原演練證據，經驗證後依 RTO 與 "
                "MTPD 判定。",
    .scope = REG_SCOPE_INSTITUTION,
    .access = REG_HUB_READS | REG_INTAKE_ONLY,
    .fields = drill_fields,
    .nfields = FS_ARRAY_SIZE(drill_fields),
    .default_sort = "-drill_date",
};
