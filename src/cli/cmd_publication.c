/* finshield publication: the hub's products (advisories, threat intelligence, periodic and
 * analysis reports): create, change, review, publish, revise, show (JSON, HTML, PDF), list, import
 * past ones, subscriptions. */
#include "cli/commands.h"

#include "core/buf.h"
#include "core/file.h"
#include "core/jsonx.h"
#include "hub/hub.h"
#include "products/products.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pub_args {
  const char *arg, *file, *as, *type, *status, *format, *lang, *output;
  const char *org, *channel, *target, *types;
  bool json;
  int64_t limit;
  const char *action; /* set by the sub-command */
};

/* The JSON of --file (an object, or for import a list); NULL file: an empty object. */
static int read_body(const char *file, json_t **out, struct fs_err *err)
{
  if (!file) {
    *out = json_object();
    return FS_OK;
  }
  struct fs_buf b;
  fs_buf_init(&b, 64 << 20);
  int rc = fs_file_read_all(file, &b, err);
  if (!rc)
    rc = jsonx_parse(fs_buf_cstr(&b), b.len, out, err);
  if (rc)
    fs_err_wrap_where(err, file);
  fs_buf_release(&b);
  return rc;
}

static void print_pub(struct cli_ctx *ctx, const json_t *p)
{
  printf("%s  %s  %s  v%lld  TLP:%s\n", json_string_value(json_object_get(p, "ref")),
         json_string_value(json_object_get(p, "type")),
         json_string_value(json_object_get(p, "status")),
         (long long)json_integer_value(json_object_get(p, "version")),
         json_string_value(json_object_get(p, "tlp")));
  const char *t =
      json_string_value(json_object_get(p, ctx->lang == FS_LANG_EN ? "title_en" : "title_zh"));
  if (!t)
    t = json_string_value(json_object_get(p, ctx->lang == FS_LANG_EN ? "title_zh" : "title_en"));
  printf("  %s\n  id %s\n", t ? t : "", json_string_value(json_object_get(p, "id")));
}

static int do_pub(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                  const struct actor *op, void *arg, struct fs_err *err)
{
  struct pub_args *a = arg;
  struct actor who;
  json_t *body = NULL, *out = NULL;
  char id[37] = "";
  int rc = cli_actor_as(c, op, a->as, &who, err);
  struct products_env env;
  hub_products_env(hub, &env);
  const char *act = a->action;
  if (!rc && (!strcmp(act, "create") || !strcmp(act, "update") || !strcmp(act, "revise") ||
              !strcmp(act, "import")))
    rc = read_body(a->file, &body, err);
  if (rc) {
  } else if (!strcmp(act, "create")) {
    if (a->type && !json_object_get(body, "type"))
      json_object_set_new(body, "type", json_string(a->type));
    rc = products_pub_create(c, &who, body, id, err);
  } else if (!strcmp(act, "update")) {
    rc = products_pub_update(c, &who, a->arg, body, err);
  } else if (!strcmp(act, "import")) {
    size_t added = 0;
    rc = products_pub_import(c, &who, body, &added, err);
    if (!rc)
      printf(FS_TR(ctx->lang, "%zu past products imported\n", "已匯入 %zu 項過去的產品\n"), added);
  } else if (!strcmp(act, "list")) {
    rc = products_pub_list(c, &who, a->type, a->status, a->limit > 0 ? a->limit : 100, &out, err);
    if (!rc) {
      static const char *const keys[] = {"ref", "type",     "status",   "version",
                                         "tlp", "title_zh", "title_en", NULL};
      static const char *const en[] = {"REF", "TYPE",       "STATUS",     "VERSION",
                                       "TLP", "TITLE (ZH)", "TITLE (EN)", NULL};
      static const char *const zh[] = {"編號", "類型", "狀態",     "版本",
                                       "TLP",  "標題", "英文標題", NULL};
      cli_print_items(ctx, json_object_get(out, "items"), a->json, keys, en, zh);
    }
  } else if (!strcmp(act, "show")) {
    rc = products_pub_get(c, &who, a->arg, &out, err);
    const char *format = a->format ? a->format : (a->json ? "json" : "text");
    if (!rc && !strcmp(format, "json")) {
      cli_print_json(out);
    } else if (!rc && (!strcmp(format, "html") || !strcmp(format, "pdf"))) {
      struct fs_buf b;
      fs_buf_init(&b, 256 << 20);
      enum fs_lang lang = a->lang ? (enum fs_lang)fs_lang_parse(a->lang) : ctx->lang;
      rc = products_pub_render(out, !strcmp(format, "pdf"), lang, &b, err);
      if (!rc && a->output && strcmp(a->output, "-"))
        rc = fs_file_write_atomic(a->output, b.data ? b.data : "", b.len, 0644, err);
      else if (!rc)
        fwrite(b.data ? b.data : "", 1, b.len, stdout);
      fs_buf_release(&b);
    } else if (!rc) {
      print_pub(ctx, out);
    }
  } else if (!strcmp(act, "subscribe")) {
    rc = products_subscribe(c, &who, a->org, a->channel ? a->channel : "",
                            a->target ? a->target : "", a->types, id, err);
    if (!rc)
      printf(FS_TR(ctx->lang, "Subscription %s added\n", "已新增訂閱 %s\n"), id);
  } else if (!strcmp(act, "subscriptions")) {
    rc = products_subscriptions_json(c, &who, &out, err);
    if (!rc) {
      static const char *const keys[] = {"id", "org_id", "channel", "target", "types", NULL};
      static const char *const en[] = {"ID", "ORG", "CHANNEL", "TARGET", "TYPES", NULL};
      static const char *const zh[] = {"ID", "機構", "管道", "對象", "類型", NULL};
      cli_print_items(ctx, json_object_get(out, "items"), a->json, keys, en, zh);
    }
  } else if (!strcmp(act, "unsubscribe")) {
    rc = products_unsubscribe(c, &who, a->arg, err);
  } else { /* review, withdraw, publish, revise */
    rc = products_pub_action(c, &who, &env, a->arg, act, body, err);
  }
  if (!rc && (id[0] || (a->arg && strcmp(act, "show") && strcmp(act, "unsubscribe"))) &&
      strcmp(act, "subscribe") && strcmp(act, "list") && strcmp(act, "subscriptions")) {
    json_t *p = NULL;
    if (!products_pub_get(c, &who, id[0] ? id : a->arg, &p, err)) {
      if (a->json)
        cli_print_json(p);
      else
        print_pub(ctx, p);
    }
    json_decref(p);
  }
  json_decref(body);
  json_decref(out);
  return rc;
}

static int run(struct cli_ctx *ctx, int argc, char **argv, const char *action, const char *usage,
               const char *about_en, const char *about_zh, const char *pick, size_t nargs)
{
  struct cli_hub_opts h = {0};
  struct pub_args a = {.action = action};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"file", 'f', CLI_OPT_STRING, &a.file, "FILE", "the fields as JSON (docs/intel.md)",
       "以 JSON 提供欄位（docs/intel.md）"},
      {"type", 0, CLI_OPT_STRING, &a.type, "TYPE", "advisory, intel, periodic or analysis",
       "advisory、intel、periodic 或 analysis"},
      {"status", 0, CLI_OPT_STRING, &a.status, "STATUS", "draft, review, published or revised",
       "draft、review、published 或 revised"},
      {"format", 0, CLI_OPT_STRING, &a.format, "json|html|pdf", "show as JSON, HTML or PDF",
       "以 JSON、HTML 或 PDF 顯示"},
      {"lang", 0, CLI_OPT_STRING, &a.lang, "zh-TW|en", "language of HTML and PDF",
       "HTML 與 PDF 的語言"},
      {"output", 'o', CLI_OPT_STRING, &a.output, "FILE", "write to FILE (default standard output)",
       "寫入檔案（預設標準輸出）"},
      {"org", 0, CLI_OPT_STRING, &a.org, "ORG", "the subscribing organisation (default yours)",
       "訂閱機構（預設為本機構）"},
      {"channel", 0, CLI_OPT_STRING, &a.channel, "webhook|email", "how to be told", "通知管道"},
      {"target", 0, CLI_OPT_STRING, &a.target, "URL|ADDRESS", "the webhook URL or e-mail address",
       "webhook URL 或電子郵件地址"},
      {"types", 0, CLI_OPT_STRING, &a.types, "T1,T2", "product types wanted (default all)",
       "訂閱之產品類型（預設全部）"},
      {"limit", 'n', CLI_OPT_INT, &a.limit, "N", "at most N", "最多 N 筆"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      {"as", 0, CLI_OPT_STRING, &a.as, "USER", "act as this user", "以此使用者身分執行"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {.usage = usage,
                                .about_en = about_en,
                                .about_zh = about_zh,
                                .opts = opts,
                                .min_args = nargs,
                                .max_args = nargs};
  return cli_run_picked(ctx, &spec, pick, argc, argv, &a.arg, &h, do_pub, &a);
}

#define SUB(fn, action, usage, en, zh, pick, nargs)                                                \
  static int fn(struct cli_ctx *ctx, int argc, char **argv)                                        \
  {                                                                                                \
    return run(ctx, argc, argv, action, usage, en, zh, pick, nargs);                               \
  }
SUB(pub_create, "create", "finshield publication create --file FIELDS.json [--type TYPE]",
    "Creates a draft (hub analysts): type, tlp, title_zh/en, summary_zh/en, body_zh/en; "
    "advisories also cves, cvss {score, vector}, cpes and remediation_zh/en.",
    "建立草稿（中樞分析人員）：type、tlp、title_zh/en、summary_zh/en、body_zh/en；資安漏洞另有 "
    "cves、cvss、cpes 與 remediation_zh/en。",
    "file! type json as", 0)
SUB(pub_update, "update", "finshield publication update ID --file FIELDS.json",
    "Changes a draft's fields.", "修改草稿欄位。", "file! json as", 1)
SUB(pub_review, "review", "finshield publication review ID", "Sends a draft to review.",
    "將草稿送審。", "json as", 1)
SUB(pub_withdraw, "withdraw", "finshield publication withdraw ID",
    "Takes a publication in review back to draft.", "將送審中之發布退回草稿。", "json as", 1)
SUB(pub_publish, "publish", "finshield publication publish ID",
    "Publishes a reviewed publication: its STIX report goes into products.collection and "
    "subscribers are notified.",
    "發布已審之產品：其 STIX report 存入 products.collection，並通知訂閱者。", "json as", 1)
SUB(pub_revise, "revise", "finshield publication revise ID [--file CHANGES.json]",
    "Publishes a new version of a published one.", "發布已發布產品之新版本。", "file json as", 1)
SUB(pub_show, "show",
    "finshield publication show ID [--format json|html|pdf] [--lang zh-TW|en] [-o FILE]",
    "Shows a publication, or renders it to HTML or PDF.", "顯示發布內容，或輸出為 HTML 或 PDF。",
    "format lang output json as", 1)
SUB(pub_list, "list", "finshield publication list [--type TYPE] [--status STATUS] [--json]",
    "Lists the publications the actor may see.", "列出執行者可見之發布。",
    "type status limit json as", 0)
SUB(pub_import, "import", "finshield publication import --file PAST.json",
    "Records products published before the hub ([{type, ref?, title_zh, title_en?, published, "
    "tlp?}]): kept as published and counted by the statistics, not sent again.",
    "匯入中樞啟用前已發布之產品紀錄（[{type, ref?, title_zh, title_en?, published, tlp?}]）：視為已"
    "發布並列入統計，不再發送。",
    "file! as", 0)
SUB(pub_subscribe, "subscribe",
    "finshield publication subscribe --channel webhook|email --target URL|ADDRESS [--types T1,T2] "
    "[--org ORG]",
    "Subscribes an organisation to publications by webhook or e-mail.",
    "為機構以 webhook 或電子郵件訂閱發布通知。", "channel! target! types org as", 0)
SUB(pub_subscriptions, "subscriptions", "finshield publication subscriptions [--json]",
    "Lists the subscriptions the actor may see.", "列出可見之訂閱。", "json as", 0)
SUB(pub_unsubscribe, "unsubscribe", "finshield publication unsubscribe ID",
    "Removes a subscription.", "移除訂閱。", "as", 1)

int cmd_publication(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"create", pub_create, "create a draft", "建立草稿"},
      {"update", pub_update, "change a draft", "修改草稿"},
      {"review", pub_review, "send a draft to review", "送審"},
      {"withdraw", pub_withdraw, "take one in review back to draft", "退回草稿"},
      {"publish", pub_publish, "publish a reviewed one", "發布"},
      {"revise", pub_revise, "publish a new version", "發布新版本"},
      {"show", pub_show, "show, or render to HTML or PDF", "顯示或輸出 HTML、PDF"},
      {"list", pub_list, "list publications", "列出發布"},
      {"import", pub_import, "record past products", "匯入過去的產品紀錄"},
      {"subscribe", pub_subscribe, "subscribe an organisation", "訂閱"},
      {"subscriptions", pub_subscriptions, "list subscriptions", "列出訂閱"},
      {"unsubscribe", pub_unsubscribe, "remove a subscription", "取消訂閱"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield publication <sub-command> [options]", subs, argc, argv);
}
