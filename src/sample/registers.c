/* Sample register data for every member institution of the sample sector: business-continuity
 * services and backups, signed restore-drill evidence (uploaded through the same checks as a real
 * `vault drill --report-to`), exercises, findings, governance, self-assessments, talent and third
 * parties, and the hub's control catalogue, requirement sets and training map. Varied and
 * deterministic; some institutions fail (drills over their RTO or overdue, clicks above target,
 * overdue findings, skipped assessments, sanctions). */
#include "sample/sample.h"

#include "auth/org.h"
#include "core/encode.h"
#include "core/signed.h"
#include "core/time.h"
#include "resilience/drill.h"
#include "resilience/register.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rnd {
  uint64_t s;
};

static uint32_t rnd(struct rnd *r)
{
  r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (uint32_t)(r->s >> 33);
}

/* True with probability pct %. */
static bool chance(struct rnd *r, unsigned pct)
{
  return rnd(r) % 100 < pct;
}

static int range(struct rnd *r, int lo, int hi)
{
  return lo + (int)(rnd(r) % (uint32_t)(hi - lo + 1));
}

struct ctx {
  struct store_conn *c;
  const struct actor *who;
  struct sample_registers *out;
  int64_t now;
  struct rnd r;
};

static void day(int64_t now, int days_ago, char out[11])
{
  reg_date_of_ms(now - (int64_t)days_ago * 86400000, out);
}

static int add(struct ctx *x, const char *reg, const char *org, json_t *fields)
{
  char id[37];
  struct fs_err e;
  int rc = fields ? reg_create(x->c, x->who, reg_find(reg), org, fields, id, &e) : FS_ERR_NOMEM;
  json_decref(fields);
  if (!rc)
    x->out->records++;
  return rc;
}

/* ---- the hub's sector registers ------------------------------------------------------------- */

static const struct {
  const char *control, *domain, *en, *zh;
} controls[] = {
    {"gov-01", "govern", "Security governance and CISO", "資安治理與資安長"},
    {"id-01", "identify", "Asset inventory and classification", "資產盤點與分級"},
    {"pr-01", "protect", "Multi-factor authentication for privileged access", "特權帳號多因子驗證"},
    {"pr-02", "protect", "Patch management within deadlines", "修補程式依限更新"},
    {"de-01", "detect", "Security monitoring (SOC) and log retention", "資安監控與日誌保存"},
    {"rs-01", "respond", "Incident response plan and exercises", "事件應變計畫與演練"},
    {"rc-01", "recover", "Backups tested and kept off-site", "備份測試並異地保存"},
    {"rc-02", "recover", "Critical data deposited in the safe haven", "關鍵資料存入資料保全避風港"},
};

static int sector_registers(struct ctx *x)
{
  int rc = FS_OK;
  for (size_t i = 0; i < FS_ARRAY_SIZE(controls) && !rc; i++)
    rc = add(x, "controls", NULL,
             json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "catalogue", "2026.1", "control",
                       controls[i].control, "domain", controls[i].domain, "title_en",
                       controls[i].en, "title_zh", controls[i].zh, "applies_from", "2026-01-01"));
  static const char *const base[] = {
      "unit: governance.security_unit != \"none\"", "drills: drills.overdue == 0",
      "phishing: phishing.meets_targets", "findings: findings.escalated == 0", NULL};
  json_t *b = json_array();
  for (size_t i = 0; base[i]; i++)
    json_array_append_new(b, json_string(base[i]));
  if (!rc)
    rc = add(x, "requirement-sets", NULL,
             json_pack("{s:s,s:s,s:s,s:s,s:o}", "code", "base-2026", "title_en",
                       "Baseline for every member", "title_zh", "全體會員基本要求",
                       "effective_from", "2026-01-01", "requirements", b));
  if (!rc)
    rc = add(x, "requirement-sets", NULL,
             json_pack("{s:s,s:s,s:s,s:[s,s],s:[s],s:s,s:[s,s,s,s,s]}", "code", "large-fi-2026",
                       "title_en", "Large banks and insurers", "title_zh", "大型銀行與保險業",
                       "industries", "bank", "insurance", "tiers", "large", "effective_from",
                       "2026-01-01", "requirements", "ciso-vp: governance.ciso_level >= 3",
                       "board: governance.board_security_members >= 1",
                       "internal-control: governance.internal_control_met",
                       "safe-haven: bcm.safe_haven", "ddos: ddos.pass"));
  if (!rc)
    rc = add(x, "requirement-sets", NULL,
             json_pack("{s:s,s:s,s:s,s:[s],s:s,s:s,s:[s,s]}", "code", "internet-only", "title_en",
                       "Internet-only banks", "title_zh", "純網路銀行", "industries", "bank",
                       "business", "internet-only", "effective_from", "2026-01-01", "requirements",
                       "ciso-vp: governance.ciso_level >= 3", "pentest: pentest.red_blue >= 1"));
  if (!rc)
    rc = add(x, "requirement-sets", NULL,
             json_pack("{s:s,s:s,s:s,s:[s,s],s:s,s:[s,s]}", "code", "securities-2026", "title_en",
                       "Securities and futures firms", "title_zh", "證券期貨業", "industries",
                       "securities", "futures", "effective_from", "2026-07-01", "requirements",
                       "ddos: ddos.exercises >= 1",
                       "third-parties: third_parties.reviews_overdue == 0"));
  if (!rc)
    rc = add(x, "requirement-sets", NULL,
             json_pack("{s:s,s:s,s:s,s:s,s:[s]}", "code", "all-2027", "title_en",
                       "Phased in for 2027", "title_zh", "2027 年起適用", "effective_from",
                       "2027-01-01", "requirements", "isms: governance.isms_certified"));
  static const struct {
    const char *role, *comp, *course, *level;
    double hours;
  } map[] = {
      {"ciso", "governance", "資安治理與董事會溝通 Security governance for executives", "advanced",
       12},
      {"security-manager", "risk", "資安風險管理 Security risk management", "intermediate", 15},
      {"security-engineer", "hardening", "系統強化與弱點管理 Hardening and vulnerabilities",
       "intermediate", 20},
      {"security-engineer", "forensics", "數位鑑識 Digital forensics", "advanced", 12},
      {"soc-analyst", "triage", "資安監控與事件分級 Monitoring and triage", "basic", 20},
      {"soc-analyst", "threat-intel", "威脅情資分析 Threat intelligence", "intermediate", 12},
      {"it-staff", "secure-ops", "安全維運 Secure operations", "basic", 6},
      {"all-staff", "awareness", "資安意識 Security awareness", "basic", 3},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(map) && !rc; i++)
    rc = add(x, "training-map", NULL,
             json_pack("{s:s,s:s,s:s,s:s,s:f}", "role", map[i].role, "competency", map[i].comp,
                       "course", map[i].course, "level", map[i].level, "hours", map[i].hours));
  return rc;
}

/* ---- one institution ------------------------------------------------------------------------ */

struct svc {
  const char *code, *zh, *en;
  double mtpd;
};

static const struct svc bank_svcs[] = {{"deposits", "存款", "Deposits", 4},
                                       {"payments", "匯款與支付", "Payments and transfers", 4},
                                       {"online-banking", "網路銀行", "Online banking", 4},
                                       {"atm", "自動櫃員機", "ATM", 8}};
static const struct svc sec_svcs[] = {{"trading", "證券交易", "Trading", 2},
                                      {"settlement", "交割結算", "Settlement", 8},
                                      {"e-trading", "電子下單", "Electronic trading", 2}};
static const struct svc ins_svcs[] = {{"policy-admin", "保單管理", "Policy administration", 24},
                                      {"claims", "理賠", "Claims", 48}};
static const struct svc other_svcs[] = {{"core-service", "核心業務", "Core service", 24},
                                        {"customer-service", "客戶服務", "Customer service", 72}};

static const char *const providers[][2] = {
    {"範例雲端服務 Sample Cloud", "cloud"},
    {"北辰資訊委外 Beichen IT Outsourcing", "outsourcing"},
    {"青松開放 API 夥伴 Qingsong Open API", "open-api"},
    {"白鷺行動 APP Bailu Mobile App", "mobile-app"},
    {"星海金融科技 Xinghai Fintech", "fintech"},
    {"範例雲端服務二 Sample Cloud Two", "cloud"},
    {"晨曦系統整合 Chenxi Systems", "outsourcing"},
};

/* Signs a synthetic drill record with the institution's sample vault key and uploads it through
 * resil_drill_submit (the same checks as a real upload). */
static int drill(struct ctx *x, const struct actor *as, const char *org_code, const char *inst,
                 const unsigned char sk[64], const char *pk_hex, const char *service, int days_ago,
                 double secs, bool vault_ok)
{
  char started[32], bdate[11], snap[65], seed[128];
  fs_time_format_ms(x->now - (int64_t)days_ago * 86400000 - 3600000, started);
  day(x->now, days_ago + 1, bdate);
  snprintf(seed, sizeof(seed), "%s/%s/%d", org_code, service, days_ago);
  fs_sha256_hex(seed, strlen(seed), snap);
  char repo[64];
  snprintf(repo, sizeof(repo), "sample-%.40s", org_code);
  json_t *ev =
      json_pack("{s:s,s:i,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:i,s:I,s:f,s:s,s:s,s:s}", "type",
                "finshield-vault-restore-drill", "version", 2, "repository", repo, "snapshot", snap,
                "seq", range(&x->r, 20, 400), "institution", inst, "business_date", bdate, "kind",
                "deposit", "started_at", started, "restore_seconds", secs, "files", 6, "bytes",
                (json_int_t)range(&x->r, 200, 4000) * 1048576, "throughput_mib_s", 420.5, "result",
                vault_ok ? "pass" : "fail", "check",
                "every file restored into a scratch folder and compared with its SHA-256",
                "public_key", pk_hex);
  if (!vault_ok)
    json_object_set_new(ev, "failure",
                        json_string("pack 7f3e…: chunk is damaged (authentication failed)"));
  char *canon = fs_signed_canonical(ev);
  if (!canon) {
    json_decref(ev);
    return FS_ERR_NOMEM;
  }
  unsigned char sig[64];
  char sig_hex[129];
  crypto_sign_detached(sig, NULL, (const unsigned char *)canon, strlen(canon), sk);
  free(canon);
  fs_hex_encode(sig, 64, sig_hex);
  json_object_set_new(ev, "signature", json_string(sig_hex));
  json_t *up = json_pack("{s:s,s:o}", "service", service, "evidence", ev);
  json_t *rec = NULL;
  struct fs_err e;
  int rc = resil_drill_submit(x->c, as, up, &rec, &e);
  json_decref(up);
  json_decref(rec);
  if (!rc)
    x->out->drills++;
  return rc;
}

static int institution(struct ctx *x, const json_t *org)
{
  const char *code = json_string_value(json_object_get(org, "code"));
  const char *id = json_string_value(json_object_get(org, "id"));
  const char *ind = json_string_value(json_object_get(org, "industry"));
  const char *tier = json_string_value(json_object_get(org, "size_tier"));
  const char *name = json_string_value(json_object_get(org, "name_zh"));
  bool large = !strcmp(tier, "large"), small = !strcmp(tier, "small");
  bool bank = !strcmp(ind, "bank"), sec = !strcmp(ind, "securities") || !strcmp(ind, "futures");
  bool ins = !strcmp(ind, "insurance");
  bool light = !strcmp(ind, "association") || !strcmp(ind, "financial_holding");
  /* How well this institution does: most are good, some weak. */
  int quality = range(&x->r, 0, 99);
  bool weak = quality < 15, strong = quality >= 60;
  struct rnd *r = &x->r;
  char d[11];
  int rc = FS_OK;
  /* Governance, this year and last. */
  double assets = large ? range(r, 1000, 6000) : small ? range(r, 5, 120) : range(r, 120, 990);
  static const char *const ranks[] = {"vice-president", "assistant-vice-president", "manager",
                                      "none"};
  static const char *const units[] = {"independent", "dedicated", "part-of-it", "none"};
  char today[11];
  day(x->now, 0, today);
  int year = atoi(today);
  for (int y = year - 1; y <= year && !rc; y++) {
    int rank = large ? (weak ? 1 : 0) : small ? (weak ? 3 : 2) : (strong ? 1 : 2);
    int unit = large ? (weak ? 1 : 0) : small ? (weak ? 2 : 1) : 1;
    rc = add(
        x, "governance", code,
        json_pack(
            "{s:i,s:s,s:f,s:s,s:s,s:b,s:i,s:b,s:s,s:s,s:i,s:i,s:f,s:b,s:s,s:b,s:b,s:b,s:b,s:b}",
            "year", y, "business",
            bank && !strncmp(code, "bank-", 5) && quality % 23 == 0 ? "internet-only" : "general",
            "total_assets_twd_billion", assets, "ciso_name", "資安長 CISO", "ciso_rank",
            ranks[rank], "ciso_dedicated", large && !weak, "board_security_members",
            large ? range(r, weak ? 0 : 1, 3) : range(r, 0, 1), "security_advisory_group", strong,
            "security_unit", units[unit], "unit_head_rank", ranks[rank < 3 ? rank : 2],
            "security_headcount",
            large   ? range(r, 12, 80)
            : small ? range(r, 1, 3)
                    : range(r, 3, 12),
            "it_headcount",
            large   ? range(r, 150, 900)
            : small ? range(r, 4, 20)
                    : range(r, 20, 150),
            "security_budget_percent", (double)range(r, weak ? 3 : 7, weak ? 8 : 15),
            "isms_certified", !small && !weak ? true : chance(r, 30), "pims",
            strong && large ? "company-wide"
            : strong        ? "partial"
                            : "none",
            "isms_pre_assessment", !weak || y < year, "security_assessment_done",
            !weak || chance(r, 50), "app_security_test_done", !weak && !chance(r, 10),
            "board_report", large && !weak, "security_statement", large && !weak));
  }
  /* Holding companies and associations keep governance, talent and third parties only. */
  if (!light) {
    /* Business continuity. */
    const struct svc *svcs = bank ? bank_svcs : sec ? sec_svcs : ins ? ins_svcs : other_svcs;
    size_t nsvc = bank  ? FS_ARRAY_SIZE(bank_svcs)
                  : sec ? FS_ARRAY_SIZE(sec_svcs)
                  : ins ? FS_ARRAY_SIZE(ins_svcs)
                        : FS_ARRAY_SIZE(other_svcs);
    if (small && nsvc > 2)
      nsvc = 2;
    for (size_t i = 0; i < nsvc && !rc; i++) {
      double rto = svcs[i].mtpd / (double)range(r, 2, 4);
      char bia[11];
      day(x->now, range(r, 30, 400), bia);
      rc =
          add(x, "bcm-services", code,
              json_pack("{s:s,s:s,s:b,s:f,s:f,s:f,s:f,s:[s,s],s:[s],s:[s,s],s:s,s:s,s:i}", "code",
                        svcs[i].code, "name", svcs[i].zh, "critical_infrastructure",
                        bank && large && i < 2, "mtpd_hours", svcs[i].mtpd, "rto_hours", rto,
                        "rpo_hours", rto / 4, "mbco_percent", 60.0 + range(r, 0, 30), "systems",
                        "core", svcs[i].code, "third_parties",
                        providers[rnd(r) % FS_ARRAY_SIZE(providers)][0], "sites", "主機房 primary",
                        "異地備援 backup site", "bia_date", bia, "bia_summary",
                        "停止服務將影響客戶交易與資金調度。Disruption stops customer transactions.",
                        "drill_period_days", 365));
    }
    static const char *const envs[] = {"local", "offsite", "safe-haven"};
    for (int i = 0; i < (bank || large ? 3 : 2) && !rc; i++) {
      day(x->now, weak && i == 1 ? range(r, 200, 400) : range(r, 5, 150), d);
      char bcode[32];
      snprintf(bcode, sizeof(bcode), "%s-1", envs[i]);
      rc = add(x, "bcm-backups", code,
               json_pack("{s:s,s:s,s:[s],s:s,s:i,s:i,s:s,s:s}", "code", bcode, "environment",
                         envs[i], "services", svcs[0].code, "location",
                         i == 0   ? "台北主機房"
                         : i == 1 ? "台中異地機房"
                                  : "資料保全避風港",
                         "copies", i == 2 ? 3 : 2, "media", i == 0 ? 1 : 2, "last_verified", d,
                         "verification_result", weak && i == 2 ? "fail" : "pass"));
    }
    /* The sample vault key, and signed drills of most services. */
    unsigned char seed[32], pk[32], sk[64];
    char pk_hex[65], keyseed[96];
    snprintf(keyseed, sizeof(keyseed), "finshield-sample-vault/%s", code);
    fs_sha256(keyseed, strlen(keyseed), seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    fs_hex_encode(pk, 32, pk_hex);
    if (!rc)
      rc = add(x, "vault-keys", code,
               json_pack("{s:s,s:s,s:s}", "name", "vault-1", "public_key", pk_hex, "note",
                         "範例保險庫 sample vault"));
    struct actor as = *x->who;
    snprintf(as.org_id, sizeof(as.org_id), "%s", id);
    for (size_t i = 0; i < nsvc && !rc; i++) {
      if (weak && i == nsvc - 1)
        continue; /* never drilled: overdue */
      double rto_s = svcs[i].mtpd * 3600 / 4;
      /* Most drill within the quarter; a weak institution's first service was drilled too long ago.
       */
      int ago = weak && i == 0  ? range(r, 380, 500)
                : chance(r, 75) ? range(r, 3, 60)
                                : range(r, 60, 300);
      bool over = chance(r, weak ? 40 : 4);
      double secs = over ? rto_s * 4.5 : (double)range(r, 40, 1800) + range(r, 0, 999) / 1000.0;
      rc = drill(x, &as, code, name, sk, pk_hex, svcs[i].code, ago, secs, !(weak && chance(r, 20)));
    }
    /* Exercises. */
    for (int k = 0; k < 2 && !rc; k++) {
      day(x->now, range(r, 20, 170) + 180 * k, d);
      int delivered = large ? range(r, 800, 5000) : range(r, 40, 600);
      int open_pct = weak ? range(r, 9, 25) : range(r, 2, 11),
          click_pct = weak ? range(r, 5, 15) : range(r, 0, 6);
      int opened = delivered * open_pct / 100,
          clicked = opened < delivered * click_pct / 100 ? opened : delivered * click_pct / 100;
      char ecode[24];
      snprintf(ecode, sizeof(ecode), "sej-%d", k + 1);
      rc = add(x, "exercises-phishing", code,
               json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:i}", "code", ecode, "date", d, "delivered",
                         delivered, "opened", opened, "clicked", clicked, "credentials",
                         clicked / 3, "reported", delivered * range(r, 2, 20) / 100,
                         "repeat_clickers", clicked / 5));
    }
    if ((bank || sec || large) && !rc) {
      day(x->now, range(r, 30, 300), d);
      rc = add(x, "exercises-ddos", code,
               json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f}", "code", "ddos-1", "date", d,
                         "scenario", "跨域 DDoS 演練 sector DDoS drill", "peak_gbps",
                         (double)range(r, 5, 120), "detect_minutes", (double)range(r, 1, 10),
                         "divert_minutes", (double)range(r, 3, 20), "mitigate_minutes",
                         (double)(weak ? range(r, 25, 90) : range(r, 8, 30)),
                         "attack_filtered_percent", (double)range(r, 90, 99), "legit_kept_percent",
                         (double)(weak ? range(r, 85, 97) : range(r, 96, 100))));
    }
    int nfind = 0;
    if (!small && !rc) {
      static const char *const kinds[] = {"external", "internal", "red-blue"};
      int n = large ? 3 : 1;
      for (int k = 0; k < n && !rc; k++) {
        day(x->now, range(r, 30, 330), d);
        char pcode[24];
        snprintf(pcode, sizeof(pcode), "pt-%d", k + 1);
        rc = add(x, "exercises-pentest", code,
                 json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:i}", "code", pcode, "kind", kinds[k],
                           "date", d, "provider", "範例資安顧問 Sample Security Consulting",
                           "findings_critical", weak ? range(r, 0, 2) : 0, "findings_high",
                           range(r, 0, 4), "findings_medium", range(r, 1, 8), "findings_low",
                           range(r, 2, 12)));
      }
      nfind = weak ? range(r, 2, 5) : range(r, 0, 2);
    }
    static const char *const titles[] = {
        "TLS 1.0 仍啟用 TLS 1.0 enabled", "預設帳號未停用 default account",
        "修補逾期 missing patches", "日誌保存不足 short log retention",
        "特權帳號未啟用多因子 no MFA for admins"};
    static const char *const sevs[] = {"critical", "high", "medium", "low"};
    for (int k = 0; k < nfind && !rc; k++) {
      int found_ago = range(r, 40, 300);
      int due_in = range(r, 30, 90);
      char found[11], due[11], closed[11];
      day(x->now, found_ago, found);
      day(x->now, found_ago - due_in, due);
      bool done = !weak && chance(r, 70);
      day(x->now, found_ago - due_in / 2, closed);
      char fcode[24];
      snprintf(fcode, sizeof(fcode), "f-%d", k + 1);
      json_t *f = json_pack(
          "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "code", fcode, "source",
          k == 0 ? "inspection" : "pentest", "severity", sevs[weak ? rnd(r) % 3 : 1 + rnd(r) % 3],
          "title", titles[rnd(r) % FS_ARRAY_SIZE(titles)], "found", found, "due", due, "status",
          done ? "remediated" : "open", "owner", "資訊處 IT department");
      if (done)
        json_object_set_new(f, "closed", json_string(closed));
      rc = add(x, "findings", code, f);
    }
    if (!rc) {
      day(x->now, range(r, 20, 120), d);
      for (size_t k = 0; k < FS_ARRAY_SIZE(controls) && !rc; k++) {
        const char *st = weak && k % 3 == 0      ? "not-implemented"
                         : !strong && k % 4 == 1 ? "partial"
                                                 : "implemented";
        rc = add(x, "self-assessments", code,
                 json_pack("{s:s,s:s,s:s,s:s,s:s}", "catalogue", "2026.1", "control",
                           controls[k].control, "status", st, "assessed", d, "evidence",
                           "內部稽核報告 internal audit report"));
      }
    }
    if (!rc && chance(r, weak ? 25 : 2)) {
      day(x->now, range(r, 30, 300), d);
      rc = add(x, "sanctions", code,
               json_pack("{s:s,s:s,s:s,s:f,s:i,s:s}", "code", "sanction-1", "date", d, "kind",
                         "fine", "amount_twd", (double)range(r, 60, 600) * 10000, "points",
                         range(r, 1, 4) * 5, "reason", "資安事件通報逾時 incident reported late"));
    }
  }
  /* Talent. */
  static const char *const roles[] = {"ciso", "security-engineer", "soc-analyst", "all-staff"};
  static const double need[] = {12, 20, 20, 3};
  for (int k = 0; k < (light || small ? 2 : 4) && !rc; k++) {
    int people = k == 0   ? 1
                 : k == 3 ? (large ? range(r, 800, 6000) : range(r, 30, 600))
                 : large  ? range(r, 4, 30)
                          : range(r, 1, 4);
    double ratio = weak ? range(r, 50, 95) / 100.0 : range(r, 95, 130) / 100.0;
    rc = add(x, "talent", code,
             json_pack("{s:i,s:s,s:i,s:f,s:f,s:i,s:[s]}", "year", year, "role",
                       k == 3 ? "all-staff" : roles[k], "headcount", people, "required_hours",
                       need[k], "hours_completed", (double)(int)(people * need[k] * ratio),
                       "certified", k == 1 || k == 2 ? people / 2 : 0, "certifications",
                       k == 0   ? "CISSP"
                       : k == 1 ? "ISO 27001 LA"
                                : "CompTIA Security+"));
  }
  /* Third parties. */
  int ntp = light ? 1 : small ? range(r, 1, 2) : range(r, 2, 4);
  for (int k = 0; k < ntp && !rc; k++) {
    size_t p = (rnd(r) + (size_t)k) % FS_ARRAY_SIZE(providers);
    char tcode[24], last[11], next[11];
    snprintf(tcode, sizeof(tcode), "tp-%d", k + 1);
    day(x->now, range(r, 60, 300), last);
    day(x->now, weak && k == 0 ? range(r, 1, 60) : -range(r, 30, 300), next);
    rc = add(x, "third-parties", code,
             json_pack("{s:s,s:s,s:s,s:[s],s:s,s:s,s:s,s:s,s:s}", "code", tcode, "name",
                       providers[p][0], "kind", providers[p][1], "services", "core", "criticality",
                       k == 0 ? "high" : "medium", "data_location",
                       chance(r, 80) ? "臺灣 Taiwan" : "新加坡 Singapore", "risk_rating",
                       weak     ? "high"
                       : k == 0 ? "medium"
                                : "low",
                       "last_assessment", last, "next_review", next));
  }
  if (!rc)
    x->out->institutions++;
  return rc;
}

/* institution() for a member institution (not the hub, the supervisor or a partner). */
static int member_institution(json_t *o, void *ctx, struct fs_err *err)
{
  if (!org_industry_is_member(json_string_value(json_object_get(o, "industry"))))
    return FS_OK;
  int rc = institution(ctx, o);
  if (rc)
    fs_err_set(err, rc, json_string_value(json_object_get(o, "code")),
               "the sample register data of this institution could not be written");
  return rc;
}

int sample_registers_create(struct store_conn *c, const struct actor *who,
                            struct sample_registers *out, struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  struct ctx x = {.c = c, .who = who, .out = out, .now = who->now_ms, .r = {.s = 20200917}};
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  if ((rc = sector_registers(&x)))
    fs_err_set(err, rc, "sample", "the hub's sample registers could not be written");
  if (!rc)
    rc = org_each_json(c, who, &(struct org_filter){0}, member_institution, &x, err);
  return store_tx_leave(c, owned, rc, err);
}
