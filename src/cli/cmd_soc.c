/* finshield soc: the monitoring service's event sources (who sends syslog from where or with
 * which certificate) and its alerts, from the hub's machine. */
#include "cli/commands.h"

#include "core/file.h"
#include "hub/hub.h"
#include "soc/soc.h"

#include <stdio.h>
#include <string.h>

struct soc_args {
  const char *id, *kind, *match, *cert, *org, *alert_kind;
  int64_t after, limit;
  bool json;
};

static int do_source_add(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                         const struct actor *who, void *arg, struct fs_err *err)
{
  (void)hub;
  struct soc_args *a = arg;
  char fingerprint[65], id[37];
  const char *kind = a->kind, *match = a->match;
  if (a->cert) {
    struct fs_buf pem;
    fs_buf_init(&pem, 1 << 20);
    int rc = fs_file_read_all(a->cert, &pem, err);
    if (!rc)
      rc = soc_cert_fingerprint(fs_buf_cstr(&pem), pem.len, fingerprint, err);
    fs_buf_release(&pem);
    if (rc) {
      fs_err_wrap_where(err, a->cert);
      return rc;
    }
    kind = "cert";
    match = fingerprint;
  }
  int rc = soc_source_add(c, who, kind, match, a->org, id, err);
  if (!rc)
    printf(FS_TR(ctx->lang, "Source %s (%s %s) sends for %s.\n", "來源 %s（%s %s）屬於 %s。\n"), id,
           kind, match, a->org);
  return rc;
}

static int do_source_list(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                          const struct actor *who, void *arg, struct fs_err *err)
{
  (void)hub;
  struct soc_args *a = arg;
  json_t *out;
  int rc = soc_sources_json(c, who, NULL, &out, err);
  if (rc)
    return rc;
  json_t *items = json_object_get(out, "items");
  static const char *const keys[] = {"id", "kind", "match", "org", NULL};
  static const char *const en[] = {"ID", "KIND", "MATCH", "ORGANISATION", NULL};
  static const char *const zh[] = {"ID", "種類", "比對", "機構", NULL};
  cli_print_items(ctx, items, a->json, keys, en, zh);
  json_decref(out);
  return FS_OK;
}

static int do_source_remove(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                            const struct actor *who, void *arg, struct fs_err *err)
{
  (void)hub;
  struct soc_args *a = arg;
  int rc = soc_source_remove(c, who, a->id, err);
  if (!rc)
    printf(FS_TR(ctx->lang, "Source %s removed.\n", "來源 %s 已移除。\n"), a->id);
  return rc;
}

static int do_alerts(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *who, void *arg, struct fs_err *err)
{
  (void)hub;
  struct soc_args *a = arg;
  json_t *out;
  int64_t next;
  const struct soc_alert_filter f = {.after = a->after,
                                     .limit = a->limit > 0 ? a->limit : 100,
                                     .kind = a->alert_kind,
                                     .org = a->org};
  int rc = soc_alerts_json(c, who, &f, &out, &next, err);
  if (rc)
    return rc;
  json_t *items = json_object_get(out, "items");
  static const char *const keys[] = {"seq",   "last_at", "org_code", "kind", "ref_name",
                                     "value", "count",   "source",   NULL};
  static const char *const en[] = {"SEQ",   "LAST",  "ORG",    "KIND", "WHAT",
                                   "VALUE", "COUNT", "SOURCE", NULL};
  static const char *const zh[] = {"序號", "最近", "機構", "種類", "指標或規則",
                                   "值",   "次數", "來源", NULL};
  cli_print_items(ctx, items, a->json, keys, en, zh);
  if (next) /* the local operator reads the database anyway: the position is a plain number */
    fprintf(stderr, FS_TR(ctx->lang, "(more: --after %lld)\n", "（尚有更多：--after %lld）\n"),
            (long long)next);
  json_decref(out);
  return FS_OK;
}

/* One table for every sub-command; `pick` names the options each takes (cli_parse_pick). */
static int run(struct cli_ctx *ctx, int argc, char **argv, const char *usage, const char *about_en,
               const char *about_zh, const char *pick, size_t nargs_needed, cli_hub_job_fn fn)
{
  struct cli_hub_opts h = {0};
  struct soc_args a = {0};
  const char *cidr = NULL;
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"org", 'o', CLI_OPT_STRING, &a.org, "ORG", "organisation (code or id)", "機構（代碼或 ID）"},
      {"cidr", 0, CLI_OPT_STRING, &cidr, "RANGE", "address or range its syslog comes from",
       "其 syslog 來源位址或網段"},
      {"cert", 0, CLI_OPT_STRING, &a.cert, "FILE", "its TLS client certificate (PEM)",
       "其 TLS 用戶端憑證（PEM）"},
      {"kind", 0, CLI_OPT_STRING, &a.alert_kind, "KIND", "ioc, sigma or correlation",
       "ioc、sigma 或 correlation"},
      {"after", 0, CLI_OPT_INT, &a.after, "SEQ", "alerts after this sequence number",
       "此序號之後的告警"},
      {"limit", 'n', CLI_OPT_INT, &a.limit, "N", "at most N (default 100)",
       "最多 N 筆（預設 100）"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {.usage = usage,
                                .about_en = about_en,
                                .about_zh = about_zh,
                                .opts = opts,
                                .min_args = nargs_needed,
                                .max_args = nargs_needed};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse_pick(ctx, &spec, pick, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  a.id = nargs ? args[0] : NULL;
  if (fn == do_source_add && !cidr == !a.cert)
    return cli_usage_error(ctx, usage,
                           cidr ? FS_TR(ctx->lang, "give --cidr RANGE or --cert FILE.pem, not both",
                                        "--cidr RANGE 與 --cert FILE.pem 只能擇一")
                                : FS_TR(ctx->lang, "missing --cidr RANGE or --cert FILE.pem",
                                        "缺少 --cidr RANGE 或 --cert FILE.pem"));
  if (cidr) {
    a.kind = "cidr";
    a.match = cidr;
  }
  return cli_with_hub(ctx, &h, fn, &a);
}

static int source_add_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield soc source add --org ORG (--cidr RANGE | --cert FILE.pem)",
             "Registers where an organisation's syslog comes from: an address range (TCP and UDP) "
             "or its TLS client certificate (syslog over TLS). Unregistered senders are refused.",
             "登記機構的 syslog 來源：位址網段（TCP 與 UDP）或其 TLS 用戶端憑證（syslog over "
             "TLS）。未登記的來源一律拒收。",
             "org! cidr cert", 0, do_source_add);
}
static int source_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield soc source list [--json]", "Lists the registered sources.",
             "列出已登記的來源。", "json", 0, do_source_list);
}
static int source_remove_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield soc source remove ID|MATCH",
             "Removes a source; its events are refused from then on.",
             "移除來源；其後的事件一律拒收。", "", 1, do_source_remove);
}

static int cmd_soc_source(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"add", source_add_cmd, "register an address range or a client certificate",
       "登記位址網段或用戶端憑證"},
      {"list", source_list_cmd, "list sources", "列出來源"},
      {"remove", source_remove_cmd, "remove a source", "移除來源"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield soc source <add|list|remove> [options]", subs, argc, argv);
}

static int alerts_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv,
             "finshield soc alerts [--org ORG] [--kind ioc|sigma|correlation] [--after SEQ] "
             "[--limit N] [--json]",
             "Lists alerts, oldest first.", "列出告警（由舊至新）。", "org kind after limit json",
             0, do_alerts);
}

int cmd_soc(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"source", cmd_soc_source, "syslog sources: add, list, remove",
       "syslog 來源：登記、列出、移除"},
      {"alerts", alerts_cmd, "list alerts", "列出告警"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield soc <source|alerts> [options]", subs, argc, argv);
}
