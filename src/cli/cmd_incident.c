/* finshield incident: report, list, show, grade, move and annotate incidents; statistics; the
 * level rules and clock policy; one escalation pass; and the shared response teams. */
#include "cli/commands.h"

#include "core/file.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "hub/hub.h"
#include "incident/incident.h"
#include "incident/team.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define END_OPTS                                                                                   \
  {                                                                                                \
    NULL, 0, 0, NULL, NULL, NULL, NULL                                                             \
  }

/* Runs `job` with the hub's incident settings (the clock policy file is checked here too). */
struct env_job {
  int (*fn)(struct cli_ctx *, struct store_conn *, const struct actor *, struct incident_env *,
            void *, struct fs_err *);
  void *arg;
};

static int with_env(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                    const struct actor *who, void *arg, struct fs_err *err)
{
  struct env_job *j = arg;
  struct incident_env *env = malloc(sizeof(*env));
  if (!env)
    return fs_err_set(err, FS_ERR_NOMEM, "incident", "out of memory");
  int rc = incident_env_load(env, &hub->cfg, err);
  if (!rc)
    rc = j->fn(ctx, c, who, env, j->arg, err);
  free(env);
  return rc;
}

static int run_env(struct cli_ctx *ctx, const struct cli_hub_opts *h, struct env_job *j)
{
  return cli_with_hub(ctx, h, with_env, j);
}

/* Prints the case as people read it: reference, level and why, clocks in Asia/Taipei. */
static void print_case(struct cli_ctx *ctx, json_t *o)
{
  bool en = ctx->lang == FS_LANG_EN;
  json_t *org = json_object_get(o, "org");
  printf("%s  %s\n", json_string_value(json_object_get(o, "ref")),
         json_string_value(json_object_get(o, "title")));
  const char *sector = json_string_value(json_object_get(o, "sector_ref"));
  if (sector && strcmp(sector, json_string_value(json_object_get(o, "ref"))))
    printf(en ? "  sector number: %s\n" : "  全業別編號：%s\n", sector);
  printf(en ? "  organisation: %s   status: %s   level: %lld (%s)\n"
            : "  機構：%s   狀態：%s   等級：%lld（%s）\n",
         json_string_value(json_object_get(org, "code")),
         json_string_value(json_object_get(o, "status")),
         (long long)json_integer_value(json_object_get(o, "level")),
         json_string_value(json_object_get(o, "level_state")));
  /* The proposal is the hub's suggestion from the answers, not necessarily the level in force. */
  json_t *p = json_object_get(o, "proposal");
  if (p)
    printf(en ? "  proposed: %s\n" : "  建議等級：%s\n",
           json_string_value(json_object_get(p, en ? "reason_en" : "reason_zh")));
  size_t i;
  json_t *k;
  json_array_foreach(json_object_get(o, "clocks"), i, k)
  {
    const char *state = json_string_value(json_object_get(k, "state"));
    const char *due = json_string_value(json_object_get(k, "due_local"));
    printf("  %-14s %-8s %-5s %s", json_string_value(json_object_get(k, "clock")), state,
           json_string_value(json_object_get(k, "duration")), due ? due : "-");
    json_t *left = json_object_get(k, "seconds_left"),
           *over = json_object_get(k, "seconds_overdue");
    if (left)
      printf(en ? "  (%lldh%02lldm left)" : "（剩餘 %lld 小時 %02lld 分）",
             (long long)json_integer_value(left) / 3600,
             (long long)json_integer_value(left) % 3600 / 60);
    if (over)
      printf(en ? "  (OVERDUE by %lldh%02lldm)" : "（已逾期 %lld 小時 %02lld 分）",
             (long long)json_integer_value(over) / 3600,
             (long long)json_integer_value(over) % 3600 / 60);
    printf("\n");
  }
}

/* ---- report -------------------------------------------------------------------------------- */

struct report_args {
  const char *org, *title, *description, *discovered, *category, *system_class, *data_class,
      *confidentiality, *integrity, *availability, *tlp;
  struct cli_list services, indicators;
  bool hide, json;
};

static int do_report(struct cli_ctx *ctx, struct store_conn *c, const struct actor *who,
                     struct incident_env *env, void *arg, struct fs_err *err)
{
  struct report_args *a = arg;
  json_t *b = json_object();
  if (a->org)
    json_object_set_new(b, "org", json_string(a->org));
  json_object_set_new(b, "title", json_string(a->title));
  if (a->description)
    json_object_set_new(b, "description", json_string(a->description));
  if (a->discovered)
    json_object_set_new(b, "discovered_at", json_string(a->discovered));
  if (a->category)
    json_object_set_new(b, "category", json_string(a->category));
  json_t *imp =
      json_pack("{s:s,s:s,s:s,s:s}", "system_class", a->system_class ? a->system_class : "non_core",
                "confidentiality", a->confidentiality ? a->confidentiality : "none", "integrity",
                a->integrity ? a->integrity : "none", "availability",
                a->availability ? a->availability : "none");
  if (a->data_class)
    json_object_set_new(imp, "data_class", json_string(a->data_class));
  json_object_set_new(b, "impact", imp);
  json_t *svc = json_array();
  for (size_t i = 0; i < a->services.count; i++)
    json_array_append_new(svc, json_string(a->services.items[i]));
  json_object_set_new(b, "services", svc);
  json_t *ind = json_array();
  int rc = FS_OK;
  for (size_t i = 0; i < a->indicators.count; i++) {
    /* TYPE:VALUE (the value may hold colons: URLs, IPv6). */
    const char *s = a->indicators.items[i], *colon = strchr(s, ':');
    if (!colon) {
      rc = fs_err_set(err, FS_ERR_USAGE, "--indicator", "expected TYPE:VALUE, not \"%.60s\"", s);
      break;
    }
    json_array_append_new(
        ind, json_pack("{s:s%,s:s}", "type", s, (size_t)(colon - s), "value", colon + 1));
  }
  json_object_set_new(b, "indicators", ind);
  if (a->tlp)
    json_object_set_new(b, "tlp", json_string(a->tlp));
  if (a->hide)
    json_object_set_new(b, "hide_reporter", json_true());
  struct incident_input *in = malloc(sizeof(*in));
  char id[37];
  if (!rc && !in)
    rc = fs_err_set(err, FS_ERR_NOMEM, "incident", "out of memory");
  if (!rc)
    rc = incident_input_from_json(b, false, in, err);
  if (!rc)
    rc = incident_report(c, who, env, in, id, err);
  json_t *out = NULL;
  if (!rc)
    rc = incident_get_json(c, who, env, id, &out, err);
  if (!rc) {
    if (a->json)
      cli_print_json(out);
    else
      print_case(ctx, out);
  }
  json_decref(out);
  free(in);
  json_decref(b);
  return rc;
}

static int incident_report_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  struct report_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"org", 0, CLI_OPT_STRING, &a.org, "CODE", "reporting organisation (default: the hub's own)",
       "通報機構（預設為中樞本身）"},
      {"title", 0, CLI_OPT_NEEDED, &a.title, "TEXT", "what happened, in a line", "事件摘要"},
      {"description", 0, CLI_OPT_STRING, &a.description, "TEXT", "details", "事件說明"},
      {"discovered", 0, CLI_OPT_NEEDED, &a.discovered, "TIME", "when it was discovered (RFC 3339)",
       "發現時間（RFC 3339）"},
      {"category", 0, CLI_OPT_NEEDED, &a.category, "CATEGORY",
       "ddos, ransomware, intrusion, data_leak, malware, phishing, fraud, supply_chain, other",
       "ddos、ransomware、intrusion、data_leak、malware、phishing、fraud、supply_chain、other"},
      {"system-class", 0, CLI_OPT_STRING, &a.system_class, "CLASS",
       "non_core (default), core or core_ci", "受影響系統：non_core（預設）、core 或 core_ci"},
      {"data-class", 0, CLI_OPT_STRING, &a.data_class, "CLASS",
       "information: non_core, core, core_ci, sensitive, state_secret",
       "受影響資訊：non_core、core、core_ci、sensitive、state_secret"},
      {"confidentiality", 0, CLI_OPT_STRING, &a.confidentiality, "SEV",
       "leak: none (default), minor, serious", "洩漏：none（預設）、minor、serious"},
      {"integrity", 0, CLI_OPT_STRING, &a.integrity, "SEV",
       "tampering: none (default), minor, serious", "竄改：none（預設）、minor、serious"},
      {"availability", 0, CLI_OPT_STRING, &a.availability, "AV",
       "outage: none (default), within_mtpd, beyond_mtpd",
       "中斷：none（預設）、within_mtpd、beyond_mtpd"},
      {"service", 0, CLI_OPT_LIST, &a.services, "NAME", "an affected core service (repeatable)",
       "受影響之核心業務（可重複）"},
      {"indicator", 0, CLI_OPT_LIST, &a.indicators, "TYPE:VALUE",
       "an indicator, e.g. ipv4-addr:203.0.113.5 (repeatable)",
       "入侵指標，例如 ipv4-addr:203.0.113.5（可重複）"},
      {"tlp", 0, CLI_OPT_STRING, &a.tlp, "TLP", "clear, green, amber, amber+strict, red",
       "clear、green、amber、amber+strict、red"},
      {"hide-reporter", 0, CLI_OPT_FLAG, &a.hide, NULL, "share indicators under the hub's name",
       "以中樞名義分享指標"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      END_OPTS,
  };
  const struct cli_spec spec = {
      .usage = "finshield incident report --title T --discovered TIME --category C [--org CODE] "
               "[--system-class X] [--confidentiality S] [--integrity S] [--availability A] ...",
      .about_en = "Reports an incident with the same checks as POST /api/v1/incidents; prints the "
                  "proposed level with its rule and the clocks in Asia/Taipei time.",
      .about_zh = "通報資安事件（與 POST /api/v1/incidents "
                  "相同檢查）；顯示建議等級、所依規則及台北時間之各項期限。",
      .opts = opts};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  struct env_job j = {do_report, &a};
  return run_env(ctx, &h, &j);
}

/* ---- list, show ---------------------------------------------------------------------------- */

struct list_args {
  struct incident_filter f;
  int64_t level;
  const char *id;
  bool json;
};

static int do_list(struct cli_ctx *ctx, struct store_conn *c, const struct actor *who,
                   struct incident_env *env, void *arg, struct fs_err *err)
{
  struct list_args *a = arg;
  a->f.level = (int)a->level;
  struct auth_page page = {.limit = 1000};
  json_t *out;
  int rc = incident_list_json(c, who, env, &a->f, &page, &out, err);
  if (rc)
    return rc;
  json_t *items = json_object_get(out, "items");
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it)
  {
    json_object_set(it, "org_code", json_object_get(json_object_get(it, "org"), "code"));
  }
  if (a->json) {
    cli_print_json(items);
  } else {
    static const char *const keys[] = {"ref",      "org_code", "level", "status",
                                       "category", "overdue",  "title", NULL};
    static const char *const en[] = {"REF",      "ORG",     "LEVEL", "STATUS",
                                     "CATEGORY", "OVERDUE", "TITLE", NULL};
    static const char *const zh[] = {"編號", "機構", "等級", "狀態", "類別", "逾期", "摘要", NULL};
    cli_print_items(ctx, items, false, keys, en, zh);
    printf(FS_TR(ctx->lang, "%zu incidents\n", "共 %zu 件事件\n"), json_array_size(items));
  }
  json_decref(out);
  return FS_OK;
}

static int do_show(struct cli_ctx *ctx, struct store_conn *c, const struct actor *who,
                   struct incident_env *env, void *arg, struct fs_err *err)
{
  struct list_args *a = arg;
  json_t *out;
  int rc = incident_get_json(c, who, env, a->id, &out, err);
  if (rc)
    return rc;
  if (a->json)
    cli_print_json(out);
  else
    print_case(ctx, out);
  json_decref(out);
  return FS_OK;
}

static int incident_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  struct list_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"org", 0, CLI_OPT_STRING, &a.f.org, "CODE", "only this organisation", "只列此機構"},
      {"status", 0, CLI_OPT_STRING, &a.f.status, "STATUS", "only this status", "只列此狀態"},
      {"category", 0, CLI_OPT_STRING, &a.f.category, "CATEGORY", "only this category",
       "只列此類別"},
      {"level", 0, CLI_OPT_INT, &a.level, "N", "only this level", "只列此等級"},
      {"overdue", 0, CLI_OPT_FLAG, &a.f.overdue, NULL, "only cases with an overdue clock",
       "只列有期限逾期者"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      END_OPTS,
  };
  const struct cli_spec spec = {.usage =
                                    "finshield incident list [--org CODE] [--overdue] [--json]",
                                .about_en = "Lists incidents, newest first.",
                                .about_zh = "列出資安事件（新到舊）。",
                                .opts = opts};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  if (a.level < 0 || a.level > 4)
    return cli_usage_error(ctx, spec.usage,
                           FS_TR(ctx->lang, "--level is 1..4", "--level 為 1 至 4"));
  struct env_job j = {do_list, &a};
  return run_env(ctx, &h, &j);
}

static int incident_show_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  struct list_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      END_OPTS};
  const struct cli_spec spec = {.usage = "finshield incident show ID|REF [--json]",
                                .about_en = "Shows one incident with its clocks.",
                                .about_zh = "顯示一件資安事件及其各項期限。",
                                .opts = opts,
                                .min_args = 1,
                                .max_args = 1};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  a.id = args[0];
  struct env_job j = {do_show, &a};
  return run_env(ctx, &h, &j);
}

/* ---- level, status, note ------------------------------------------------------------------ */

struct change_args {
  const char *id, *status, *at, *text, *reason;
  int64_t level;
  const char *what; /* "level", "status", "note" */
};

static int do_change(struct cli_ctx *ctx, struct store_conn *c, const struct actor *who,
                     struct incident_env *env, void *arg, struct fs_err *err)
{
  struct change_args *a = arg;
  int64_t at = 0;
  int rc = FS_OK;
  if (a->at && fs_time_parse_ms(a->at, strlen(a->at), &at, err))
    return fs_err_set(err, FS_ERR_USAGE, "--at", "not an RFC 3339 time: %s", err->msg);
  if (!strcmp(a->what, "level")) {
    rc = incident_set_level(c, who, env, a->id, (int)a->level, a->reason, false, 0, err);
  } else if (!strcmp(a->what, "status")) {
    int st = -1;
    for (int i = 0; a->status && incident_status_names[i]; i++)
      if (!strcmp(incident_status_names[i], a->status))
        st = i;
    rc = st < 0 ? fs_err_set(err, FS_ERR_USAGE, "--status", "unknown status \"%.40s\"",
                             a->status ? a->status : "")
                : incident_set_status(c, who, env, a->id, st, at, a->text, false, 0, err);
  } else {
    rc = incident_note_add(c, who, a->id, a->text, at, err);
  }
  json_t *out = NULL;
  if (!rc)
    rc = incident_get_json(c, who, env, a->id, &out, err);
  if (!rc)
    print_case(ctx, out);
  json_decref(out);
  return rc;
}

static int change_cmd(struct cli_ctx *ctx, int argc, char **argv, const char *what)
{
  struct cli_hub_opts h = {0};
  struct change_args a = {.what = what};
  const struct cli_opt level_opts[] = {
      CLI_HUB_OPTS(h),
      {"level", 0, CLI_OPT_INT, &a.level, "N", "the level, 1..4", "等級 1 至 4"},
      {"reason", 0, CLI_OPT_STRING, &a.reason, "TEXT",
       "why (needed when it differs from the proposal)", "理由（與建議等級不同時必填）"},
      END_OPTS};
  const struct cli_opt status_opts[] = {
      CLI_HUB_OPTS(h),
      {"status", 0, CLI_OPT_NEEDED, &a.status, "STATUS",
       "reported, triaged, contained, eradicated, recovered, closed",
       "reported、triaged、contained、eradicated、recovered、closed"},
      {"at", 0, CLI_OPT_STRING, &a.at, "TIME", "when it happened (default now)",
       "發生時間（預設現在）"},
      {"note", 0, CLI_OPT_STRING, &a.text, "TEXT", "a note for the timeline", "時間軸註記"},
      END_OPTS};
  const struct cli_opt note_opts[] = {
      CLI_HUB_OPTS(h),
      {"text", 0, CLI_OPT_NEEDED, &a.text, "TEXT", "the note", "註記內容"},
      {"at", 0, CLI_OPT_STRING, &a.at, "TIME", "when it happened (default now)",
       "發生時間（預設現在）"},
      END_OPTS};
  bool level = !strcmp(what, "level"), status = !strcmp(what, "status");
  const struct cli_spec spec = {
      .usage = level    ? "finshield incident level ID|REF --level N [--reason TEXT]"
               : status ? "finshield incident status ID|REF --status S [--at TIME] [--note TEXT]"
                        : "finshield incident note ID|REF --text TEXT [--at TIME]",
      .about_en = level    ? "Confirms or changes the level, as the hub's analysts do."
                  : status ? "Moves the case forward in the workflow."
                           : "Adds a note to the timeline.",
      .about_zh = level    ? "確認或調整事件等級。"
                  : status ? "推進事件處理狀態。"
                           : "新增時間軸註記。",
      .opts = level    ? level_opts
              : status ? status_opts
                       : note_opts,
      .min_args = 1,
      .max_args = 1};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse_pick(ctx, &spec, level ? "level! reason" : NULL, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  a.id = args[0];
  struct env_job j = {do_change, &a};
  return run_env(ctx, &h, &j);
}

static int incident_level_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return change_cmd(ctx, argc, argv, "level");
}

static int incident_status_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return change_cmd(ctx, argc, argv, "status");
}

static int incident_note_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return change_cmd(ctx, argc, argv, "note");
}

/* ---- stats, rules, escalate -------------------------------------------------------------- */

struct misc_args {
  const char *from, *to;
  const char *what;
};

static int do_misc(struct cli_ctx *ctx, struct store_conn *c, const struct actor *who,
                   struct incident_env *env, void *arg, struct fs_err *err)
{
  struct misc_args *a = arg;
  if (!strcmp(a->what, "stats")) {
    int64_t from = 0, to = 0;
    if ((a->from && fs_time_parse_ms(a->from, strlen(a->from), &from, err)) ||
        (a->to && fs_time_parse_ms(a->to, strlen(a->to), &to, err)))
      return fs_err_set(err, FS_ERR_USAGE, "--from/--to", "not an RFC 3339 time: %s", err->msg);
    json_t *out;
    int rc = incident_stats_json(c, who, env, from, to, &out, err);
    if (!rc) {
      cli_print_json(out);
      json_decref(out);
    }
    return rc;
  }
  if (!strcmp(a->what, "escalate")) {
    int n = 0;
    int rc = incident_escalate_overdue(c, who, env, &n, err);
    if (!rc)
      printf(FS_TR(ctx->lang, "%d overdue clocks escalated\n", "已通報 %d 項逾期期限\n"), n);
    return rc;
  }
  /* rules: the level table and the clocks in force (checks the policy file). */
  const struct incident_level_rule *rules;
  size_t n = incident_level_rules(&rules);
  bool en = ctx->lang == FS_LANG_EN;
  for (size_t i = 0; i < n; i++)
    printf(en ? "  rule %-4s level %d  %s\n" : "  規則 %-4s 第 %d 級  %s\n", rules[i].id,
           rules[i].level, en ? rules[i].en : rules[i].zh);
  /* Name the policy file only when there is one: otherwise the defaults are in force. */
  if (fs_path_exists(env->policy_path))
    printf(en ? "\nClocks (from %s):\n" : "\n期限（依 %s）：\n", env->policy_path);
  else
    printf(en ? "\nClocks (the legal defaults; no policy file, see incident.policy_file):\n"
              : "\n期限（法定預設；無期限政策檔，見 incident.policy_file）：\n");
  for (size_t i = 0; i <= env->policy.nindustries; i++) {
    const struct incident_clock_set *cs =
        i == 0 ? &env->policy.def : &env->policy.industries[i - 1].clocks;
    char r[24], v[4][24], rc4[4][24], inv[24];
    incident_duration_format(cs->report_s, r);
    for (int l = 0; l < 4; l++) {
      incident_duration_format(cs->review_s[l], v[l]);
      incident_duration_format(cs->recovery_s[l], rc4[l]);
    }
    incident_duration_format(cs->investigation_s, inv);
    printf(en ? "  %-20s report %s; review %s/%s/%s/%s; recovery %s/%s/%s/%s; investigation %s\n"
              : "  %-20s 通報 %s；審查 %s/%s/%s/%s；復原 %s/%s/%s/%s；調查 %s\n",
           i == 0 ? (en ? "default" : "預設") : env->policy.industries[i - 1].industry, r, v[0],
           v[1], v[2], v[3], rc4[0], rc4[1], rc4[2], rc4[3], inv);
  }
  return FS_OK;
}

static int misc_cmd(struct cli_ctx *ctx, int argc, char **argv, const char *what)
{
  struct cli_hub_opts h = {0};
  struct misc_args a = {.what = what};
  const struct cli_opt stats_opts[] = {
      CLI_HUB_OPTS(h),
      {"from", 0, CLI_OPT_STRING, &a.from, "TIME", "discovered at or after", "發現時間起"},
      {"to", 0, CLI_OPT_STRING, &a.to, "TIME", "discovered before", "發現時間迄"},
      END_OPTS};
  const struct cli_opt plain_opts[] = {CLI_HUB_OPTS(h), END_OPTS};
  bool stats = !strcmp(what, "stats"), rules = !strcmp(what, "rules");
  const struct cli_spec spec = {
      .usage = stats   ? "finshield incident stats [--from TIME] [--to TIME]"
               : rules ? "finshield incident rules"
                       : "finshield incident escalate",
      .about_en = stats   ? "Statistics as JSON (the same as GET /api/v1/incidents/stats)."
                  : rules ? "Prints the level rules and the clocks in force; fails with file:line "
                            "when the policy file (incident.policy_file) is invalid."
                          : "Runs one escalation pass of overdue clocks now (serve does it in the "
                            "background).",
      .about_zh = stats ? "以 JSON 輸出統計（同 GET /api/v1/incidents/stats）。"
                  : rules ? "列出分級規則與現行期限；期限政策檔有誤時指出檔名與行號。"
                          : "立即執行一次逾期期限通報（serve 會在背景執行）。",
      .opts = stats ? stats_opts : plain_opts};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  struct env_job j = {do_misc, &a};
  return run_env(ctx, &h, &j);
}

static int incident_stats_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return misc_cmd(ctx, argc, argv, "stats");
}

static int incident_rules_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return misc_cmd(ctx, argc, argv, "rules");
}

static int incident_escalate_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return misc_cmd(ctx, argc, argv, "escalate");
}

/* ---- teams ------------------------------------------------------------------------------- */

struct team_args {
  const char *sub, *org, *code, *name_zh, *name_en, *kind, *email, *team, *user;
  struct cli_list skills, serves;
  int64_t capacity;
  bool json;
};

static int do_team(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *who, void *arg, struct fs_err *err)
{
  struct team_args *a = arg;
  int rc;
  json_t *out = NULL;
  if (!strcmp(a->sub, "list")) {
    rc = team_list_json(c, who, &out, err);
    if (!rc && !a->json) {
      static const char *const keys[] = {"code", "kind",     "org_code", "available",
                                         "load", "capacity", "name_en",  NULL};
      static const char *const en[] = {"CODE", "KIND",     "ORG",  "AVAILABLE",
                                       "LOAD", "CAPACITY", "NAME", NULL};
      static const char *const zh[] = {"代碼",   "類型", "機構", "可支援",
                                       "承接中", "容量", "名稱", NULL};
      cli_print_items(ctx, json_object_get(out, "items"), false, keys, en, zh);
      json_decref(out);
      return FS_OK;
    }
  } else if (!strcmp(a->sub, "member")) {
    rc = team_member_set(c, who, a->team, a->user, true, err);
    if (!rc)
      rc = team_get_json(c, who, a->team, &out, err);
  } else {
    json_t *b = json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?}", "org", a->org, "code", a->code, "name_zh",
                          a->name_zh, "name_en", a->name_en, "kind", a->kind);
    json_t *sk = json_array(), *sv = json_array();
    for (size_t i = 0; i < a->skills.count; i++)
      json_array_append_new(sk, json_string(a->skills.items[i]));
    for (size_t i = 0; i < a->serves.count; i++)
      json_array_append_new(sv, json_string(a->serves.items[i]));
    json_object_set_new(b, "skills", sk);
    json_object_set_new(b, "serves", sv);
    if (a->email)
      json_object_set_new(b, "contact_email", json_string(a->email));
    if (a->capacity)
      json_object_set_new(b, "capacity", json_integer(a->capacity));
    /* Absent fields are dropped so the parser reports them as missing, not as null. */
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(b, tmp, k, v) if (json_is_null(v)) json_object_del(b, k);
    struct team_input in;
    char id[37];
    rc = team_input_from_json(b, false, &in, err);
    if (!rc)
      rc = team_create(c, who, &in, id, err);
    if (!rc)
      rc = team_get_json(c, who, id, &out, err);
    json_decref(b);
  }
  if (!rc)
    cli_print_json(out);
  json_decref(out);
  (void)hub;
  return rc;
}

/* One table for add, list and member; `pick` names the options each takes (cli_parse_pick). */
static int team_run(struct cli_ctx *ctx, int argc, char **argv, const char *sub)
{
  struct cli_hub_opts h = {0};
  struct team_args a = {.sub = sub};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"org", 0, CLI_OPT_STRING, &a.org, "CODE", "owning organisation", "所屬機構"},
      {"code", 0, CLI_OPT_STRING, &a.code, "CODE", "team code", "小組代碼"},
      {"name-zh", 0, CLI_OPT_STRING, &a.name_zh, "NAME", "name in Chinese", "中文名稱"},
      {"name-en", 0, CLI_OPT_STRING, &a.name_en, "NAME", "name in English", "英文名稱"},
      {"kind", 0, CLI_OPT_STRING, &a.kind, "KIND", "group, support or cert",
       "group、support 或 cert"},
      {"skill", 0, CLI_OPT_LIST, &a.skills, "SKILL", "a skill (repeatable)", "專長（可重複）"},
      {"serves", 0, CLI_OPT_LIST, &a.serves, "INDUSTRY", "an industry served (repeatable)",
       "支援之業別（可重複）"},
      {"capacity", 0, CLI_OPT_INT, &a.capacity, "N", "cases at once", "可同時承接件數"},
      {"email", 0, CLI_OPT_STRING, &a.email, "ADDRESS", "contact address for offers", "聯絡信箱"},
      {"team", 0, CLI_OPT_STRING, &a.team, "CODE", "the team", "小組"},
      {"user", 0, CLI_OPT_STRING, &a.user, "USER", "the user to add", "加入之使用者"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      END_OPTS};
  bool add = !strcmp(sub, "add"), list = !strcmp(sub, "list");
  const struct cli_spec spec = {
      .usage = add    ? "finshield incident team add --org CODE --code CODE --name-zh NAME "
                        "--name-en NAME --kind KIND [--skill S]... [--serves INDUSTRY]... "
                        "[--capacity N] [--email ADDRESS]"
               : list ? "finshield incident team list [--json]"
                      : "finshield incident team member --team CODE --user USER",
      .about_en = add    ? "Registers a shared response team; prints it as JSON."
                  : list ? "Lists the shared response teams with their load."
                         : "Adds a user to a team.",
      .about_zh = add    ? "登錄共享應變小組，並以 JSON 顯示。"
                  : list ? "列出共享應變小組及其承接量。"
                         : "將使用者加入小組。",
      .opts = opts};
  const char *pick = add    ? "org! code! name-zh! name-en! kind! skill serves capacity email"
                     : list ? "json"
                            : "team! user!";
  const char *args[1];
  size_t nargs;
  int rc = cli_parse_pick(ctx, &spec, pick, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  return cli_with_hub(ctx, &h, do_team, &a);
}

static int team_add_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return team_run(ctx, argc, argv, "add");
}

static int team_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return team_run(ctx, argc, argv, "list");
}

static int team_member_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return team_run(ctx, argc, argv, "member");
}

static int incident_team_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"add", team_add_cmd, "register a team", "登錄小組"},
      {"list", team_list_cmd, "list teams", "列出小組"},
      {"member", team_member_cmd, "add a user to a team", "將使用者加入小組"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield incident team <add|list|member> [options]", subs, argc, argv);
}

int cmd_incident(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"report", incident_report_cmd, "report an incident", "通報資安事件"},
      {"list", incident_list_cmd, "list incidents", "列出資安事件"},
      {"show", incident_show_cmd, "show an incident and its clocks", "顯示事件及期限"},
      {"level", incident_level_cmd, "confirm or change the level", "確認或調整等級"},
      {"status", incident_status_cmd, "move a case forward", "推進處理狀態"},
      {"note", incident_note_cmd, "add a timeline note", "新增時間軸註記"},
      {"stats", incident_stats_cmd, "statistics (JSON)", "統計（JSON）"},
      {"rules", incident_rules_cmd, "level rules and clocks in force", "分級規則與現行期限"},
      {"escalate", incident_escalate_cmd, "escalate overdue clocks now", "立即通報逾期期限"},
      {"team", incident_team_cmd, "shared response teams", "共享應變小組"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx,
                      "finshield incident <report|list|show|level|status|note|stats|rules|"
                      "escalate|team> [options]",
                      subs, argc, argv);
}
