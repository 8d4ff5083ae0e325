/* The sample sector's shared response teams (資源共享應變機制): every holding group's own team,
 * support teams of an association and a peripheral unit, and the hub's sector CERT, each with
 * a member, so that the demo can broker help for a case. */
#include "sample/sample.h"

#include "auth/org.h"
#include "incident/team.h"

#include <stdio.h>
#include <string.h>

#define MAX_SKILLS 8

struct sample_team {
  const char *org;  /* the owning organisation's code */
  const char *code; /* the team's */
  int kind;         /* index into team_kind_names */
  const char *name_zh, *name_en;
  const char *skills[MAX_SKILLS];
  const char *serves[4]; /* industries a support team serves; none: all */
  int capacity;
  const char *members[3]; /* user names */
};

enum { GROUP, SUPPORT, CERT };

/* Fixed teams: the support association serves every industry, the bankers' association and the
 * payment switch their own, the CERT everyone as the last resort. */
static const struct sample_team fixed[] = {
    {"assoc-013",
     "assoc-013-support",
     SUPPORT,
     "資安聯防支援小組（範例）",
     "Cyber Response Support Team (sample)",
     {"forensics", "malware_analysis", "threat_hunting", "network", "ddos_mitigation"},
     {NULL},
     4,
     {"assoc-013-analyst"}},
    {"assoc-001",
     "assoc-001-support",
     SUPPORT,
     "銀行公會支援小組（範例）",
     "Bankers Association Support Team (sample)",
     {"forensics", "payment_systems", "ddos_mitigation", "coordination"},
     {"bank"},
     3,
     {"assoc-001-analyst"}},
    {"peri-007",
     "peri-007-support",
     SUPPORT,
     "財金資訊支援小組（範例）",
     "Financial Information Service Support Team (sample)",
     {"payment_systems", "mainframe", "network", "database"},
     {"bank", "credit_card", "electronic_payment"},
     2,
     {"peri-007-analyst"}},
    {"hub",
     "hub-cert",
     CERT,
     "金融資安應變中心（範例）",
     "Sector CERT (sample)",
     {"forensics", "malware_analysis", "threat_hunting", "coordination", "ddos_mitigation",
      "web_application", "ransomware_recovery", "cloud"},
     {NULL},
     10,
     {"hub-analyst1", "hub-analyst2", "hub-analyst3"}},
};

static json_t *names(const char *const *list, size_t max)
{
  json_t *a = json_array();
  for (size_t i = 0; i < max && list[i]; i++)
    json_array_append_new(a, json_string(list[i]));
  return a;
}

static int add_team(struct store_conn *c, const struct actor *who, const struct sample_team *t,
                    struct fs_err *err)
{
  char email[96], hub[37];
  snprintf(email, sizeof(email), "irt@%s.sample.example", t->org);
  struct team_input in;
  memset(&in, 0, sizeof(in));
  in.org = t->org;
  /* The CERT is the hub's, whatever the hub's own code. */
  int rc = t->kind == CERT ? org_hub_id(c, hub, err) : FS_OK;
  if (rc)
    return rc;
  if (t->kind == CERT)
    in.org = hub;
  in.code = t->code;
  in.name_zh = t->name_zh;
  in.name_en = t->name_en;
  in.kind = t->kind;
  in.skills = names(t->skills, MAX_SKILLS);
  in.serves = names(t->serves, 4);
  in.available = 1;
  in.capacity = t->capacity;
  in.has_email = true;
  in.contact_email = email;
  char id[37];
  rc = team_create(c, who, &in, id, err);
  for (size_t i = 0; !rc && i < FS_ARRAY_SIZE(t->members) && t->members[i]; i++)
    rc = team_member_set(c, who, t->code, t->members[i], true, err);
  json_decref(in.skills);
  json_decref(in.serves);
  return rc;
}

int sample_teams_create(struct store_conn *c, const struct actor *who, int groups, int *count,
                        struct fs_err *err)
{
  /* Each holding group's own team, staffed by the group's analyst, with a specialty that varies
   * so that the ranking by skills shows. */
  static const char *const specialty[] = {"ransomware_recovery", "malware_analysis", "cloud"};
  int rc = FS_OK;
  *count = 0;
  for (int i = 1; i <= groups && !rc; i++) {
    char org[16], code[24], name_zh[96], name_en[96], member[32];
    snprintf(org, sizeof(org), "fhc-%03d", i);
    snprintf(code, sizeof(code), "%s-irt", org);
    snprintf(name_zh, sizeof(name_zh), "集團資安應變小組 %s（範例）", org);
    snprintf(name_en, sizeof(name_en), "Group CSIRT %s (sample)", org);
    snprintf(member, sizeof(member), "%s-analyst", org);
    struct sample_team t = {
        org,     code,
        GROUP,   name_zh,
        name_en, {"forensics", "active_directory", "endpoint", "coordination", specialty[i % 3]},
        {NULL},  2 + i % 2,
        {member}};
    rc = add_team(c, who, &t, err);
    if (!rc)
      (*count)++;
  }
  for (size_t i = 0; i < FS_ARRAY_SIZE(fixed) && !rc; i++) {
    rc = add_team(c, who, &fixed[i], err);
    if (!rc)
      (*count)++;
  }
  return rc;
}
