/* Member institutions (and the hub itself): create, change, read, list. Every change writes its
 * audit record in the same transaction; every read is filtered by the policy (contacts only for
 * the organisation itself and the hub's roles). Functions that change state open and commit their
 * own write transaction on c. Other modules never name auth's tables in SQL: what they read of an
 * organisation comes from the accessors at the end (org_brief.c), which ask no policy. */
#ifndef FS_AUTH_ORG_H
#define FS_AUTH_ORG_H

#include "auth/auth.h"

#define ORG_INDUSTRY_MAP(X)                                                                        \
  X(BANK, "bank", "Bank", "銀行")                                                                  \
  X(SECURITIES, "securities", "Securities firm", "證券商")                                         \
  X(FUTURES, "futures", "Futures firm", "期貨商")                                                  \
  X(INSURANCE, "insurance", "Insurer", "保險業")                                                   \
  X(BILLS_FINANCE, "bills_finance", "Bills finance company", "票券金融公司")                       \
  X(CREDIT_CARD, "credit_card", "Credit card company", "信用卡業務機構")                           \
  X(ELECTRONIC_PAYMENT, "electronic_payment", "Electronic payment institution", "電子支付機構")    \
  X(FINANCIAL_HOLDING, "financial_holding", "Financial holding company", "金融控股公司")           \
  X(PERIPHERAL, "peripheral", "Peripheral unit", "金融週邊單位")                                   \
  X(ASSOCIATION, "association", "Industry association", "公會")                                    \
  X(HUB, "hub", "Sector hub (ISAC/CERT/SOC)", "金融資安聯防中樞")                                  \
  X(REGULATOR, "regulator", "Supervisor", "主管機關")                                              \
  X(PARTNER, "partner", "Partner ISAC or CERT", "合作情資分享組織")

enum org_industry {
#define ORG_X_ENUM(id, name, en, zh) ORG_INDUSTRY_##id,
  ORG_INDUSTRY_MAP(ORG_X_ENUM)
#undef ORG_X_ENUM
      ORG_INDUSTRY__COUNT
};

extern const char *const org_industry_names[]; /* NULL-terminated, enum order */
extern const char *const org_tier_names[];     /* "large", "medium", "small" */
extern const char *const org_status_names[];   /* "active", "suspended" */
extern const char *const org_contact_roles[];  /* "ciso", "security", "incident", "general" */
const char *org_industry_label(int industry, bool zh);
/* Whether an organisation of this industry (its name) is a member institution: every one but the
 * hub, the supervisor and partners. */
bool org_industry_is_member(const char *industry);

/* What a request or command says about an organisation. Strings point into the JSON or argv they
 * came from. For an update, absent fields (NULL / -1 / !has_*) stay as they are. */
struct org_input {
  const char *code;    /* [a-z0-9][a-z0-9-]{1,31} */
  const char *name_zh; /* 1..200 bytes */
  const char *name_en;
  int industry;          /* index into org_industry_names, -1 absent */
  int size_tier;         /* index into org_tier_names, -1 absent */
  int status;            /* index into org_status_names, -1 absent */
  bool has_parent;       /* parent_id given (NULL clears it) */
  const char *parent_id; /* id or code of a financial holding company */
  json_t *contacts;      /* borrowed, validated array, NULL absent */
  bool has_version;
  int64_t version; /* for an update: the version the change is based on */
  bool sample;     /* made by the sample-sector generator */
};

/* Parses and validates a JSON body (create when !update: code, names, industry and tier
 * required). Unknown fields, wrong types and bad values fail with FS_ERR_INVALID naming the
 * field. Pure: no I/O. */
int org_input_from_json(json_t *body, bool update, struct org_input *out, struct fs_err *err);
void org_input_init(struct org_input *in);

/* Creates an organisation; its id into id_out (37 bytes). */
int org_create(struct store_conn *c, const struct actor *who, const struct org_input *in,
               char id_out[37], struct fs_err *err);
/* Changes an organisation given by id or code; its id into id_out (37 bytes, may be NULL: read
 * it back by id, as a new code makes the old one name nothing). A stale version fails with
 * FS_ERR_CONFLICT. */
int org_update(struct store_conn *c, const struct actor *who, const char *id_or_code,
               const struct org_input *in, char id_out[37], struct fs_err *err);
/* One organisation as the actor may see it (caller owns *out). */
int org_get_json(struct store_conn *c, const struct actor *who, const char *id_or_code,
                 json_t **out, struct fs_err *err);
/* Organisations ordered by code, filtered (industry/parent/status may be NULL; q matches code or
 * either name), one page. */
struct org_filter {
  const char *industry;
  const char *parent;
  const char *status;
  const char *q;
};
int org_list_json(struct store_conn *c, const struct actor *who, const struct org_filter *f,
                  const struct auth_page *page, json_t **out, struct fs_err *err);
/* Calls fn with every organisation org_list_json gives the actor for f, in code order, a page at a
 * time (the JSON is the list's item, borrowed for the call). A non-zero return from fn stops the
 * walk and is returned (ORG_EACH_STOP stops it without an error: org_each_json then returns FS_OK).
 */
#define ORG_EACH_STOP 1000
typedef int (*org_each_fn)(json_t *org, void *ctx, struct fs_err *err);
int org_each_json(struct store_conn *c, const struct actor *who, const struct org_filter *f,
                  org_each_fn fn, void *ctx, struct fs_err *err);
/* Resolves an id or code to the id (37 bytes). FS_ERR_NOT_FOUND naming it. */
int org_resolve(struct store_conn *c, const char *id_or_code, char id_out[37], struct fs_err *err);
/* The code (40 bytes) of an organisation given by id or code. FS_ERR_NOT_FOUND naming it. */
int org_code(struct store_conn *c, const char *id_or_code, char code_out[40], struct fs_err *err);
/* The hub's own organisation id (the one with industry "hub"). */
int org_hub_id(struct store_conn *c, char id_out[37], struct fs_err *err);

/* ---- what other modules read (org_brief.c) --------------------------------------------------
 * Other modules never name auth's tables in SQL (docs/internals/layout.md): they read an
 * organisation through these. None asks the policy: the caller decides what it shows. */

/* The public fields of an organisation other modules name. */
struct org_brief {
  char id[37];
  char code[40];
  char name_zh[256];
  char name_en[256];
  char industry[32];  /* org_industry_names */
  char parent_id[37]; /* its holding company; "" when none */
};
/* The brief of an organisation given by id or code. FS_ERR_NOT_FOUND naming it. */
int org_brief(struct store_conn *c, const char *id_or_code, struct org_brief *out,
              struct fs_err *err);

/* Briefs kept for one read whose rows name the same organisations again and again (a list of
 * alerts, cases, statistics). Zero-initialise it; org_briefs_release frees it. */
struct org_briefs {
  struct org_brief *v;
  size_t n, cap;
};
/* org_brief through the cache (copied into *out). */
int org_briefs_get(struct store_conn *c, struct org_briefs *cache, const char *id,
                   struct org_brief *out, struct fs_err *err);
void org_briefs_release(struct org_briefs *cache);

/* The contacts of an organisation (id or code): a JSON array of {role, name, email, phone}, the
 * caller owns *out. FS_ERR_NOT_FOUND naming it. */
int org_contacts(struct store_conn *c, const char *id_or_code, json_t **out, struct fs_err *err);

/* Which organisations org_count and org_ids_each take (NULL: all of them). */
struct org_select {
  const char *industry; /* only this industry (org_industry_names); NULL: any */
  bool sample_only;     /* only those the sample-sector generator made */
};
int org_count(struct store_conn *c, const struct org_select *sel, int64_t *n, struct fs_err *err);
/* Calls fn with the id of each organisation selected, ordered by code; stops at the first
 * failure of fn and returns it. */
typedef int (*org_id_fn)(const char *id, void *ctx);
int org_ids_each(struct store_conn *c, const struct org_select *sel, org_id_fn fn, void *ctx,
                 struct fs_err *err);

#endif
