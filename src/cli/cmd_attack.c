/* finshield attack: MITRE ATT&CK: import a catalogue bundle, tag objects, alerts and incidents
 * with techniques, counts per technique and tactic, list the catalogue. */
#include "cli/commands.h"

#include "core/buf.h"
#include "core/file.h"
#include "hub/hub.h"
#include "products/products.h"

#include <stdio.h>
#include <string.h>

struct attack_args {
  const char *arg, *as, *object, *alert, *incident, *technique, *from, *to;
  bool json;
  int which; /* 0 import, 1 tag, 2 counts, 3 list */
};

static int do_attack(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *op, void *arg, struct fs_err *err)
{
  (void)hub;
  struct attack_args *a = arg;
  struct actor who;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  json_t *out = NULL;
  if (rc)
    return rc;
  if (a->which == 0) {
    struct fs_buf b;
    fs_buf_init(&b, 512 << 20);
    rc = fs_file_read_all(a->arg, &b, err);
    if (!rc)
      rc = products_attack_import(c, &who, fs_buf_cstr(&b), b.len, &out, err);
    if (rc)
      fs_err_wrap_where(err, a->arg);
    fs_buf_release(&b);
    if (!rc && a->json)
      cli_print_json(out);
    else if (!rc)
      printf(FS_TR(ctx->lang,
                   "%lld techniques (%lld revoked or deprecated) and %lld tactics read\n",
                   "讀入 %lld 項技術（%lld 項已撤銷或棄用）與 %lld 項戰術\n"),
             (long long)json_integer_value(json_object_get(out, "techniques")),
             (long long)json_integer_value(json_object_get(out, "revoked_or_deprecated")),
             (long long)json_integer_value(json_object_get(out, "tactics")));
  } else if (a->which == 1) {
    const char *kind = a->object ? "object" : a->alert ? "alert" : "incident";
    const char *ref = a->object ? a->object : a->alert ? a->alert : a->incident;
    if (!ref || !a->technique)
      return fs_err_set(err, FS_ERR_USAGE, "attack tag",
                        "give --object, --alert or --incident, and --technique");
    rc = products_attack_tag(c, &who, kind, ref, a->technique, err);
    if (!rc)
      printf(FS_TR(ctx->lang, "%s %s tagged %s\n", "%s %s 已標記 %s\n"), kind, ref, a->technique);
  } else if (a->which == 2) {
    int64_t from = 0, to = 0;
    if (a->from)
      rc = products_parse_day(a->from, "--from", &from, err);
    if (!rc && a->to)
      rc = products_parse_day(a->to, "--to", &to, err);
    if (!rc)
      rc = products_attack_counts(c, &who, a->from ? from * 86400000 - 8 * 3600000LL : 0,
                                  a->to ? (to + 1) * 86400000 - 8 * 3600000LL : 0, &out, err);
    if (!rc && a->json) {
      cli_print_json(out);
    } else if (!rc) {
      static const char *const keys[] = {"technique", "name",  "objects", "alerts",
                                         "incidents", "total", NULL};
      static const char *const en[] = {"TECHNIQUE", "NAME",  "OBJECTS", "ALERTS",
                                       "INCIDENTS", "TOTAL", NULL};
      static const char *const zh[] = {"技術", "名稱", "物件", "告警", "事件", "合計", NULL};
      cli_print_items(ctx, json_object_get(out, "techniques"), false, keys, en, zh);
      static const char *const tkeys[] = {"id",     "tactic",    "name",  "objects",
                                          "alerts", "incidents", "total", NULL};
      static const char *const ten[] = {"ID",     "TACTIC",    "NAME",  "OBJECTS",
                                        "ALERTS", "INCIDENTS", "TOTAL", NULL};
      static const char *const tzh[] = {"ID", "戰術", "名稱", "物件", "告警", "事件", "合計", NULL};
      printf("\n");
      cli_print_items(ctx, json_object_get(out, "tactics"), false, tkeys, ten, tzh);
    }
  } else {
    rc = products_attack_catalogue(c, &who, &out, err);
    static const char *const keys[] = {"technique", "name", "tactics", "domain", NULL};
    static const char *const en[] = {"TECHNIQUE", "NAME", "TACTICS", "DOMAIN", NULL};
    static const char *const zh[] = {"技術", "名稱", "戰術", "領域", NULL};
    if (!rc)
      cli_print_items(ctx, json_object_get(out, "items"), a->json, keys, en, zh);
  }
  json_decref(out);
  return rc;
}

static int run(struct cli_ctx *ctx, int argc, char **argv, int which, const char *usage,
               const char *en, const char *zh, const char *pick, size_t nargs)
{
  struct cli_hub_opts h = {0};
  struct attack_args a = {.which = which};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"object", 0, CLI_OPT_STRING, &a.object, "ID", "an intelligence object", "情資物件"},
      {"alert", 0, CLI_OPT_STRING, &a.alert, "ID", "a SOC alert", "監控告警"},
      {"incident", 0, CLI_OPT_STRING, &a.incident, "ID|REF", "an incident", "資安事件"},
      {"technique", 't', CLI_OPT_STRING, &a.technique, "TNNNN", "an ATT&CK technique (T1566.001)",
       "ATT&CK 技術（T1566.001）"},
      {"from", 0, CLI_OPT_STRING, &a.from, "DATE", "from this day (YYYY-MM-DD)", "起始日"},
      {"to", 0, CLI_OPT_STRING, &a.to, "DATE", "to this day, included", "結束日（含）"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      {"as", 0, CLI_OPT_STRING, &a.as, "USER", "act as this user", "以此使用者身分執行"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {.usage = usage,
                                .about_en = en,
                                .about_zh = zh,
                                .opts = opts,
                                .min_args = nargs,
                                .max_args = nargs};
  return cli_run_picked(ctx, &spec, pick, argc, argv, &a.arg, &h, do_attack, &a);
}

static int attack_import(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(
      ctx, argc, argv, 0, "finshield attack import BUNDLE [--json]",
      "Reads an ATT&CK STIX bundle (enterprise, mobile or ICS) into the catalogue: tactics "
      "and techniques, revoked and deprecated ones marked.",
      "讀入 ATT&CK STIX bundle（企業、行動或 ICS）至目錄：戰術與技術，並標示已撤銷或棄用者。",
      "json as", 1);
}
static int attack_tag(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, 1,
             "finshield attack tag (--object ID | --alert ID | --incident REF) --technique TNNNN",
             "Tags an intelligence object, a SOC alert or an incident with a technique.",
             "以技術標記情資物件、監控告警或資安事件。", "object alert incident technique! as", 0);
}
static int attack_counts(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(
      ctx, argc, argv, 2, "finshield attack counts [--from DATE] [--to DATE] [--json]",
      "Counts per technique and tactic of what the actor may see: tagged objects and "
      "incidents, and Sigma alerts by their rules' attack.* tags.",
      "依技術與戰術統計執行者可見之項目：已標記之物件與事件，以及依規則 attack.* 標籤之 Sigma "
      "告警。",
      "from to json as", 0);
}
static int attack_list(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, 3, "finshield attack list [--json]", "Lists the catalogue.",
             "列出技術目錄。", "json as", 0);
}

int cmd_attack(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"import", attack_import, "read an ATT&CK bundle", "讀入 ATT&CK bundle"},
      {"tag", attack_tag, "tag with a technique", "標記技術"},
      {"counts", attack_counts, "counts per technique and tactic", "依技術與戰術統計"},
      {"list", attack_list, "the catalogue", "技術目錄"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield attack <sub-command> [options]", subs, argc, argv);
}
