/* finshield taxii: pull from and push to another hub's TAXII 2.1 collections. */
#include "cli/commands.h"
#include "cli/progress.h"

#include "core/time.h"
#include "hub/hub.h"
#include "taxii/client.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct taxii_args {
  const char *url, *collection, *into, *from, *for_org, *token, *token_file, *cacert, *user;
  int64_t limit, every;
  bool insecure, push;
  struct cli_progress progress; /* --progress, --quiet */
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
  (void)sig;
  stop_requested = 1;
}

/* The progress line of a round (--progress, --quiet): the objects of each page. */
static struct fs_progress *start_progress(struct cli_ctx *ctx, struct taxii_args *a)
{
  return cli_progress_start(ctx, &a->progress, a->push ? "push" : "pull", a->push ? "推送" : "拉取",
                            FS_PROGRESS_ITEMS, "objects", "個物件");
}

static int do_sync(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *op, void *arg, struct fs_err *err)
{
  struct taxii_args *a = arg;
  char *token = NULL;
  int rc = FS_OK;
  if (a->token_file && (rc = cli_read_secret(a->token_file, &token, NULL, err)))
    return rc;
  const char *tok = token ? token : a->token ? a->token : getenv("FINSHIELD_TAXII_TOKEN");
  struct taxii_client_options o = {.api_root = a->url,
                                   .token = tok,
                                   .user = a->user,
                                   .insecure = a->insecure,
                                   .cacert = a->cacert};
  o.progress = start_progress(ctx, a);
  struct taxii_client *cl = NULL;
  rc = taxii_client_new(&o, &cl, err);
  signal(SIGINT, on_stop);
  signal(SIGTERM, on_stop);
  while (!rc) {
    struct actor who = *op;
    who.now_ms = hub_now(hub);
    struct taxii_sync_stats st;
    rc = a->push ? taxii_push(c, &who, cl, a->url, a->collection, a->from ? a->from : "sector",
                              a->for_org, (size_t)a->limit, &st, err)
                 : taxii_pull(c, &who, cl, a->url, a->collection, a->into ? a->into : "sector",
                              (size_t)a->limit, &st, err);
    cli_progress_end(&a->progress);
    if (!rc) {
      char ts[48];
      fs_time_format_local(hub_now(hub), FS_TIME_TAIPEI_OFFSET_MIN, false, ts);
      const char *done =
          a->push ? FS_TR(ctx->lang, "pushed", "推送") : FS_TR(ctx->lang, "pulled", "拉取");
      printf(FS_TR(ctx->lang,
                   "%s %s: %zu pages, %zu objects, %zu stored, %zu refused; position %s\n",
                   "%s %s：%zu 頁、%zu 個物件、%zu 個存入、%zu 個被拒；位置 %s\n"),
             ts, done, st.pages, st.received, st.stored, st.refused,
             st.position[0] ? st.position : "-");
      fflush(stdout);
    }
    if (rc || a->every <= 0)
      break;
    for (int64_t s = 0; s < a->every && !stop_requested; s++)
      sleep(1);
    if (stop_requested)
      break;
    start_progress(ctx, a); /* the next round's line */
  }
  taxii_client_free(cl);
  if (token) {
    memset(token, 0, strlen(token));
    free(token);
  }
  return rc;
}

static int run(struct cli_ctx *ctx, int argc, char **argv, bool push)
{
  struct cli_hub_opts h = {0};
  struct taxii_args a = {.push = push, .limit = 1000};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"collection", 'C', CLI_OPT_NEEDED, &a.collection, "ID",
       "the remote collection (id or alias)", "遠端集合（id 或別名）"},
      {"into", 0, CLI_OPT_STRING, &a.into, "ALIAS", "the local collection (default sector)",
       "本地集合（預設 sector）"},
      {"from", 0, CLI_OPT_STRING, &a.from, "ALIAS", "the local collection (default sector)",
       "本地集合（預設 sector）"},
      {"for", 0, CLI_OPT_STRING, &a.for_org, "ORG",
       "the partner organisation whose view is sent: a push sends only what it may see",
       "合作組織：推送只送出該組織可見的內容"},
      {"token", 0, CLI_OPT_STRING, &a.token, "TOKEN",
       "API token at the other hub (or FINSHIELD_TAXII_TOKEN)",
       "對方中樞的 API 權杖（或 FINSHIELD_TAXII_TOKEN）"},
      {"token-file", 0, CLI_OPT_STRING, &a.token_file, "FILE", "read the token from FILE",
       "從檔案讀取權杖"},
      {"user", 0, CLI_OPT_STRING, &a.user, "NAME", "HTTP Basic user name (default finshield)",
       "HTTP Basic 使用者名稱"},
      {"limit", 'n', CLI_OPT_INT, &a.limit, "N", "objects per page (default 1000)",
       "每頁物件數（預設 1000）"},
      {"every", 0, CLI_OPT_INT, &a.every, "SECONDS", "repeat every SECONDS until Ctrl-C",
       "每隔 SECONDS 秒重複，直到 Ctrl-C"},
      {"cacert", 0, CLI_OPT_STRING, &a.cacert, "FILE", "CA certificates to verify the server",
       "驗證伺服器用的 CA 憑證"},
      {"insecure", 0, CLI_OPT_FLAG, &a.insecure, NULL,
       "do not verify the server's certificate (testing only)", "不驗證伺服器憑證（僅供測試）"},
      CLI_PROGRESS_OPTS(a.progress),
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = push
                   ? "finshield taxii push API-ROOT-URL --collection ID --for ORG [--from ALIAS] "
                     "[--token T] [--every S]"
                   : "finshield taxii pull API-ROOT-URL --collection ID [--into ALIAS] [--token T] "
                     "[--every S]",
      .about_en =
          push ? "Sends to another hub's collection what the partner organisation ORG may see in a "
                 "local collection, added since the last push."
               : "Fetches new objects of another hub's collection (resuming from the last "
                 "X-TAXII-Date-Added-Last) into a local collection; each page is stored with "
                 "its position.",
      .about_zh =
          push ? "將本地集合中合作組織 ORG 可見、且自上次推送後新增的物件，送往對方中樞的集合。"
               : "自對方中樞的集合拉取新物件（自上次的 X-TAXII-Date-Added-Last 續傳）存入本地集合；"
                 "每頁與其位置一併保存。",
      .opts = opts,
      .min_args = 1,
      .max_args = 1,
  };
  /* One table for pull and push (cli_parse_pick). */
  const char *pick = push
                         ? "collection from for! token token-file user limit every cacert insecure "
                           "progress quiet"
                         : "collection into token token-file user limit every cacert insecure "
                           "progress quiet";
  const char *args[1];
  size_t n;
  int rc = cli_parse_pick(ctx, &spec, pick, argc, argv, args, &n);
  if (rc >= 0)
    return rc;
  a.url = args[0];
  return cli_with_hub(ctx, &h, do_sync, &a);
}

static int taxii_pull_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, false);
}

static int taxii_push_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, true);
}

int cmd_taxii(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"pull", taxii_pull_cmd, "fetch a remote collection", "拉取遠端集合"},
      {"push", taxii_push_cmd, "send to a remote collection", "推送至遠端集合"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield taxii <pull|push> API-ROOT-URL --collection ID [options]",
                      subs, argc, argv);
}
