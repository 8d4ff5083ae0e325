/* The sample sector generator. Names are built from fixed word lists with a fixed-seed generator,
 * so that every demo shows the same sector. */
#include "sample/sample.h"

#include "auth/org.h"
#include "auth/user.h"

#include <stdio.h>
#include <string.h>

struct word {
  const char *zh, *en;
};

/* Fictional name stems. */
static const struct word stems[] = {
    {"北辰", "Beichen"},   {"青松", "Qingsong"},  {"白鷺", "Bailu"},     {"金桐", "Jintong"},
    {"銀杏", "Yinxing"},   {"紫藤", "Ziteng"},    {"星海", "Xinghai"},   {"曉陽", "Xiaoyang"},
    {"松濤", "Songtao"},   {"雲峰", "Yunfeng"},   {"晨曦", "Chenxi"},    {"麗澤", "Lize"},
    {"鼎新", "Dingxin"},   {"恆毅", "Hengyi"},    {"嘉禾", "Jiahe"},     {"瑞麟", "Ruilin"},
    {"海嵐", "Hailan"},    {"碧灣", "Biwan"},     {"長鴻", "Changhong"}, {"宏遠", "Hongyuan"},
    {"明峰", "Mingfeng"},  {"安和", "Anhe"},      {"泰昌", "Taichang"},  {"信達", "Xinda"},
    {"德隆", "Delong"},    {"昇陽", "Shengyang"}, {"寶嶼", "Baoyu"},     {"福澤", "Fuze"},
    {"華岳", "Huayue"},    {"翠峰", "Cuifeng"},   {"光遠", "Guangyuan"}, {"中岳", "Zhongyue"},
    {"東昇", "Dongsheng"}, {"南澄", "Nancheng"},  {"西嶺", "Xiling"},    {"淳風", "Chunfeng"},
    {"立信", "Lixin"},     {"和豐", "Hefeng"},    {"永晴", "Yongqing"},  {"聚鑫", "Juxin"},
};

struct kind {
  int industry;
  const char *code_prefix;
  const char *zh_suffix, *en_suffix;
};

static const struct kind K_FHC = {ORG_INDUSTRY_FINANCIAL_HOLDING, "fhc", "金融控股",
                                  "Financial Holding"};
static const struct kind K_BANK = {ORG_INDUSTRY_BANK, "bank", "商業銀行", "Commercial Bank"};
static const struct kind K_FOREIGN = {ORG_INDUSTRY_BANK, "fbank", "國際銀行台北分行",
                                      "International Bank, Taipei Branch"};
static const struct kind K_COOP = {ORG_INDUSTRY_BANK, "coop", "信用合作社", "Credit Cooperative"};
static const struct kind K_SEC = {ORG_INDUSTRY_SECURITIES, "sec", "證券", "Securities"};
static const struct kind K_SITE = {ORG_INDUSTRY_SECURITIES, "site", "證券投資信託",
                                   "Securities Investment Trust"};
static const struct kind K_FUT = {ORG_INDUSTRY_FUTURES, "fut", "期貨", "Futures"};
static const struct kind K_LIFE = {ORG_INDUSTRY_INSURANCE, "life", "人壽保險", "Life Insurance"};
static const struct kind K_PNC = {ORG_INDUSTRY_INSURANCE, "pnc", "產物保險",
                                  "Property & Casualty Insurance"};
static const struct kind K_BROKER = {ORG_INDUSTRY_INSURANCE, "ibrk", "保險經紀人",
                                     "Insurance Brokers"};
static const struct kind K_BILLS = {ORG_INDUSTRY_BILLS_FINANCE, "bills", "票券金融",
                                    "Bills Finance"};
static const struct kind K_CARD = {ORG_INDUSTRY_CREDIT_CARD, "card", "信用卡", "Card Services"};
static const struct kind K_PAY = {ORG_INDUSTRY_ELECTRONIC_PAYMENT, "pay", "電子支付",
                                  "Electronic Payment"};

/* Peripheral units and associations have descriptive names. */
static const struct word peripherals[] = {
    {"範例證券交易所", "Sample Stock Exchange"},
    {"範例櫃檯買賣中心", "Sample OTC Exchange"},
    {"範例期貨交易所", "Sample Futures Exchange"},
    {"範例集中保管結算所", "Sample Central Depository and Clearing"},
    {"範例票據交換所", "Sample Clearing House"},
    {"範例聯合徵信中心", "Sample Joint Credit Information Center"},
    {"範例財金資訊公司", "Sample Financial Information Service"},
    {"範例存款保險公司", "Sample Deposit Insurance Corporation"},
    {"範例信用保證基金", "Sample Credit Guarantee Fund"},
    {"範例保險事業發展中心", "Sample Insurance Development Center"},
    {"範例金融研訓院", "Sample Institute of Financial Training"},
    {"範例證券暨期貨發展基金會", "Sample Securities and Futures Institute"},
    {"範例金融消費評議中心", "Sample Financial Ombudsman"},
    {"範例保險安定基金", "Sample Insurance Stabilization Fund"},
};
static const struct word associations[] = {
    {"範例銀行商業同業公會", "Sample Bankers Association"},
    {"範例證券商業同業公會", "Sample Securities Association"},
    {"範例期貨業商業同業公會", "Sample Futures Association"},
    {"範例人壽保險商業同業公會", "Sample Life Insurance Association"},
    {"範例產物保險商業同業公會", "Sample Non-life Insurance Association"},
    {"範例信託業商業同業公會", "Sample Trust Association"},
    {"範例票券金融商業同業公會", "Sample Bills Finance Association"},
    {"範例投信投顧同業公會", "Sample Investment Trust and Consulting Association"},
    {"範例電子支付同業公會", "Sample Electronic Payment Association"},
    {"範例信用合作社聯合社", "Sample Credit Cooperative Union"},
    {"範例保險經紀人同業公會", "Sample Insurance Brokers Association"},
    {"範例金融控股公司協會", "Sample Financial Holding Companies Association"},
    {"範例資安聯防支援小組協會", "Sample Cyber Response Support Association"},
};

struct gen {
  struct store_conn *c;
  const struct actor *who;
  const struct auth_settings *set;
  struct sample_stats *st;
  uint32_t seed;
  const char *prefixes[32]; /* numbering is per code prefix: bank-001, coop-001, ... */
  int counters[32];
  struct fs_err *err;
};

static uint32_t next_rand(struct gen *g)
{
  g->seed = g->seed * 1103515245u + 12345u; /* fixed LCG: deterministic across machines */
  return (g->seed >> 8) & 0xffffff;
}

static int add_user(struct gen *g, const char *org_id, const char *code, const char *suffix,
                    int role, const char *display)
{
  char username[72];
  snprintf(username, sizeof(username), "%s-%s", code, suffix);
  struct user_input u;
  user_input_init(&u);
  u.org = org_id;
  u.username = username;
  u.display_name = display;
  char email[128];
  snprintf(email, sizeof(email), "%s@%s.sample.example", suffix, code);
  u.email = email;
  u.role = role;
  char id[37];
  int rc = user_create(g->c, g->who, g->set, &u, id, g->err);
  if (!rc)
    g->st->users++;
  return rc;
}

static int add_org(struct gen *g, const struct kind *k, const struct word *name, int stem, int tier,
                   const char *parent_id, char id_out[37], char code_out[40])
{
  size_t slot = 0;
  while (slot < FS_ARRAY_SIZE(g->prefixes) - 1 && g->prefixes[slot] &&
         strcmp(g->prefixes[slot], k->code_prefix))
    slot++;
  g->prefixes[slot] = k->code_prefix;
  int n = ++g->counters[slot];
  char code[40], zh[200], en[200];
  snprintf(code, sizeof(code), "%s-%03d", k->code_prefix, n);
  if (name) {
    snprintf(zh, sizeof(zh), "%s", name->zh);
    snprintf(en, sizeof(en), "%s", name->en);
  } else {
    const struct word *s = &stems[stem % (int)FS_ARRAY_SIZE(stems)];
    snprintf(zh, sizeof(zh), "%s%s（範例）", s->zh, k->zh_suffix);
    snprintf(en, sizeof(en), "%s %s (sample)", s->en, k->en_suffix);
  }
  char email_ciso[96], email_ir[96], phone[32];
  snprintf(email_ciso, sizeof(email_ciso), "ciso@%s.sample.example", code);
  snprintf(email_ir, sizeof(email_ir), "csirt@%s.sample.example", code);
  snprintf(phone, sizeof(phone), "+886-2-2%03u-%04u", next_rand(g) % 1000, next_rand(g) % 10000);
  json_t *contacts =
      json_pack("[{s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s}]", "role", "ciso", "name", "資安長 CISO",
                "email", email_ciso, "phone", phone, "role", "incident", "name",
                "資安事件應變小組 CSIRT", "email", email_ir, "phone", phone);
  struct org_input in;
  org_input_init(&in);
  in.code = code;
  in.name_zh = zh;
  in.name_en = en;
  in.industry = k->industry;
  in.size_tier = tier;
  in.has_parent = parent_id != NULL;
  in.parent_id = parent_id;
  in.contacts = contacts;
  in.sample = true;
  int rc = org_create(g->c, g->who, &in, id_out, g->err);
  json_decref(contacts);
  if (rc)
    return rc;
  g->st->orgs++;
  if (code_out)
    snprintf(code_out, 40, "%s", code);
  rc = add_user(g, id_out, code, "admin", AUTH_ROLE_MEMBER_ADMIN, "機構管理者 Member admin");
  if (!rc)
    rc = add_user(g, id_out, code, "analyst", AUTH_ROLE_MEMBER_ANALYST, "資安分析師 Analyst");
  if (!rc && !g->st->member_analyst[0] && k->industry == ORG_INDUSTRY_BANK)
    snprintf(g->st->member_analyst, sizeof(g->st->member_analyst), "%s-analyst", code);
  return rc;
}

static int add_many(struct gen *g, const struct kind *k, int count, int stem0)
{
  int rc = FS_OK;
  for (int i = 0; i < count && !rc; i++) {
    char id[37];
    int tier = (int)(next_rand(g) % 10) < 2 ? 1 : 2; /* most are medium or small */
    if (i < count / 10)
      tier = 0;
    rc = add_org(g, k, NULL, stem0 + i * 7, tier, NULL, id, NULL);
  }
  return rc;
}

int sample_sector_create(struct store_conn *c, const struct actor *who,
                         const struct auth_settings *set, struct sample_stats *out,
                         struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  struct gen g = {.c = c, .who = who, .set = set, .st = out, .seed = 20200917u, .err = err};
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;

  /* The supervisor. */
  char reg_id[37], hub_id[37];
  struct org_input reg;
  org_input_init(&reg);
  reg.code = "fsc-sample";
  reg.name_zh = "範例金融監督管理機關";
  reg.name_en = "Sample Financial Supervisory Authority";
  reg.industry = ORG_INDUSTRY_REGULATOR;
  reg.size_tier = 0;
  reg.sample = true;
  rc = org_create(c, who, &reg, reg_id, err);
  if (!rc)
    rc = add_user(&g, reg_id, "fsc-sample", "supervisor", AUTH_ROLE_SUPERVISOR,
                  "主管機關檢查員 Supervisor");
  if (!rc)
    snprintf(out->supervisor, sizeof(out->supervisor), "fsc-sample-supervisor");
  /* Hub analysts. */
  if (!rc)
    rc = org_hub_id(c, hub_id, err);
  for (int i = 1; i <= 3 && !rc; i++) {
    char suffix[16];
    snprintf(suffix, sizeof(suffix), "analyst%d", i);
    rc = add_user(&g, hub_id, "hub", suffix, AUTH_ROLE_HUB_ANALYST, "中樞分析師 Hub analyst");
  }

  /* Sixteen financial holding groups with their subsidiaries. */
  for (int i = 0; i < 16 && !rc; i++) {
    char fhc[37], sub[37];
    int stem = i * 3 + 1;
    rc = add_org(&g, &K_FHC, NULL, stem, 0, NULL, fhc, NULL);
    if (!rc)
      rc = add_org(&g, &K_BANK, NULL, stem, 0, fhc, sub, NULL);
    if (!rc)
      rc = add_org(&g, &K_SEC, NULL, stem, i < 8 ? 0 : 1, fhc, sub, NULL);
    if (!rc && i < 10)
      rc = add_org(&g, &K_LIFE, NULL, stem, i < 5 ? 0 : 1, fhc, sub, NULL);
    if (!rc && i % 3 != 2)
      rc = add_org(&g, &K_PNC, NULL, stem, 1, fhc, sub, NULL);
    if (!rc && i < 8)
      rc = add_org(&g, &K_FUT, NULL, stem, 1, fhc, sub, NULL);
    if (!rc && i < 3)
      rc = add_org(&g, &K_BILLS, NULL, stem, 1, fhc, sub, NULL);
    if (!rc && i < 8)
      rc = add_org(&g, &K_SITE, NULL, stem, 1, fhc, sub, NULL);
  }
  /* Stand-alone institutions. */
  if (!rc)
    rc = add_many(&g, &K_BANK, 22, 5);
  if (!rc)
    rc = add_many(&g, &K_FOREIGN, 29, 11);
  if (!rc)
    rc = add_many(&g, &K_COOP, 12, 17);
  if (!rc)
    rc = add_many(&g, &K_SEC, 102, 3);
  if (!rc)
    rc = add_many(&g, &K_SITE, 30, 23);
  if (!rc)
    rc = add_many(&g, &K_FUT, 8, 29);
  if (!rc)
    rc = add_many(&g, &K_LIFE, 12, 13);
  if (!rc)
    rc = add_many(&g, &K_PNC, 12, 19);
  if (!rc)
    rc = add_many(&g, &K_BROKER, 19, 31);
  if (!rc)
    rc = add_many(&g, &K_BILLS, 5, 37);
  if (!rc)
    rc = add_many(&g, &K_CARD, 4, 2);
  if (!rc)
    rc = add_many(&g, &K_PAY, 6, 8);
  static const struct kind K_PERIPHERAL = {ORG_INDUSTRY_PERIPHERAL, "peri", "", ""};
  static const struct kind K_ASSOC = {ORG_INDUSTRY_ASSOCIATION, "assoc", "", ""};
  for (size_t i = 0; i < FS_ARRAY_SIZE(peripherals) && !rc; i++) {
    char id[37];
    rc = add_org(&g, &K_PERIPHERAL, &peripherals[i], 0, 0, NULL, id, NULL);
  }
  for (size_t i = 0; i < FS_ARRAY_SIZE(associations) && !rc; i++) {
    char id[37];
    rc = add_org(&g, &K_ASSOC, &associations[i], 0, 1, NULL, id, NULL);
  }
  /* The shared response teams, so that the demo can broker help for a case. */
  if (!rc)
    rc = sample_teams_create(c, who, 16, &out->teams, err);
  return store_tx_leave(c, owned, rc, err);
}

int sample_sector_exists(struct store_conn *c, bool *exists, struct fs_err *err)
{
  int64_t n = 0;
  struct org_select sample = {.sample_only = true};
  int rc = org_count(c, &sample, &n, err);
  *exists = n > 0;
  return rc;
}
