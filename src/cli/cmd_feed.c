/* finshield feed: intelligence sources (partner TAXII collections, MISP feeds, CSV lists, member
 * submissions): add, list, show, run (also from cron), enable, disable, remove; the score pass and
 * an indicator's analysis. */
#include "cli/commands.h"

#include "core/mem.h"
#include "core/time.h"
#include "hub/hub.h"
#include "intel/feed.h"

#include <stdio.h>
#include <string.h>

struct feed_args {
  const char *arg;
  const char *kind, *url, *remote, *into, *reliability, *tlp, *map, *token_file, *now;
  int64_t every, runs;
  bool json, due;
};

/* --now TIME, for tests and previews; else the hub's clock. */
static int now_of(struct cli_ctx *ctx, struct hub *hub, const struct feed_args *a, int64_t *now,
                  struct fs_err *err)
{
  *now = hub_now(hub);
  if (!a->now)
    return FS_OK;
  if (fs_time_parse_ms(a->now, strlen(a->now), now, NULL))
    return fs_err_set(err, FS_ERR_USAGE, "--now",
                      "expected an RFC 3339 time (2030-01-01T00:00:00Z)");
  (void)ctx;
  return FS_OK;
}

static int do_add(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                  const struct actor *op, void *arg, struct fs_err *err)
{
  struct feed_args *a = arg;
  int kind = intel_feed_kind_parse(a->kind);
  if (kind < 0)
    return fs_err_set(err, FS_ERR_USAGE, "--kind", "kind must be taxii, misp, csv or submissions");
  struct intel_feed_input in = {.name = a->arg,
                                .kind = (enum intel_feed_kind)kind,
                                .url = a->url,
                                .remote_collection = a->remote,
                                .collection = a->into,
                                .reliability = a->reliability ? a->reliability[0] : 0,
                                .default_tlp = a->tlp ? stix_tlp_from_token(a->tlp) : TLP_NONE,
                                .every_s = a->every,
                                .mapping = a->map,
                                .secret_file = a->token_file};
  if (a->reliability && strlen(a->reliability) != 1)
    return fs_err_set(err, FS_ERR_USAGE, "--reliability", "one letter from A to F");
  if (a->tlp && in.default_tlp == TLP_NONE)
    return fs_err_set(err, FS_ERR_USAGE, "--tlp",
                      "expected clear, green, amber, amber+strict or red");
  char id[37];
  int rc = intel_feed_add(c, op, &in, id, err);
  if (!rc)
    printf(FS_TR(ctx->lang, "Source %s added (%s)\n", "已新增情資來源 %s（%s）\n"), a->arg, id);
  return rc;
}

static void print_stats(struct cli_ctx *ctx, const char *name, const struct intel_feed_stats *st)
{
  printf(FS_TR(ctx->lang,
               "%s: %zu read, %zu indicators: %zu new, %zu merged, %zu flagged, %zu blocked; %zu "
               "invalid, %zu skipped; %zu objects stored, %zu refused\n",
               "%s：讀取 %zu 筆，指標 %zu 個：新增 %zu、合併 %zu、標示 %zu、阻擋 %zu；無效 "
               "%zu、略過 %zu；"
               "存入 %zu 個物件、被拒 %zu 個\n"),
         name, st->read, st->indicators, st->created, st->merged, st->flagged, st->blocked,
         st->invalid, st->skipped, st->stored, st->refused);
  if (st->first_problem[0])
    printf(FS_TR(ctx->lang, "  first problem: %s\n", "  第一個問題：%s\n"), st->first_problem);
}

static int do_run(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                  const struct actor *op, void *arg, struct fs_err *err)
{
  struct feed_args *a = arg;
  if (!a->arg == !a->due)
    return fs_err_set(err, FS_ERR_USAGE, "feed run", "name one source, or give --due");
  int64_t now;
  struct intel_feed_env env;
  int rc = now_of(ctx, hub, a, &now, err);
  if (!rc)
    rc = hub_feed_env(hub, &env, err);
  if (rc)
    return rc;
  struct actor who = *op;
  who.now_ms = now;
  if (a->due) {
    size_t ran = 0;
    rc = intel_feed_run_due(c, &who, &env, now, &ran, err);
    if (!rc)
      printf(FS_TR(ctx->lang, "%zu sources were due and ran (see feed list for their health)\n",
                   "%zu 個到期的情資來源已執行（健康狀態見 feed list）\n"),
             ran);
    return rc;
  }
  struct intel_feed_stats st;
  fs_mem_bulk_heap(); /* one run of one source in this process */
  rc = intel_feed_run(c, &who, &env, a->arg, now, &st, err);
  if (!rc || st.read)
    print_stats(ctx, a->arg, &st);
  return rc;
}

static int do_score(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                    const struct actor *op, void *arg, struct fs_err *err)
{
  struct feed_args *a = arg;
  int64_t now;
  struct intel_feed_env env;
  int rc = now_of(ctx, hub, a, &now, err);
  if (!rc)
    rc = hub_feed_env(hub, &env, err);
  if (rc)
    return rc;
  struct actor who = *op;
  who.now_ms = now;
  size_t changed = 0;
  rc = intel_score_pass(c, &who, &env.score, now, &changed, err);
  if (!rc)
    printf(FS_TR(ctx->lang, "scores recomputed: %zu indicators withheld or released\n",
                 "已重新計算分數：%zu 個指標被暫停或恢復分享\n"),
           changed);
  return rc;
}

static int do_explain(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                      const struct actor *op, void *arg, struct fs_err *err)
{
  struct feed_args *a = arg;
  json_t *an = NULL;
  int rc = intel_indicator_analysis_json(c, op, a->arg, &an, err);
  if (!rc && !an)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "indicator",
                    "no score for \"%.300s\": it came from no source", a->arg);
  if (!rc)
    cli_print_json(an);
  json_decref(an);
  return rc;
}

static int do_list(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *op, void *arg, struct fs_err *err)
{
  struct feed_args *a = arg;
  json_t *list;
  int rc = intel_feed_list_json(c, op, &list, err);
  if (rc)
    return rc;
  if (a->json) {
    cli_print_json(list);
  } else {
    /* The health view: flatten what a table shows. */
    size_t i;
    json_t *f;
    json_array_foreach(list, i, f)
    {
      json_t *h = json_object_get(f, "health");
      json_object_set(f, "last_run", json_object_get(h, "last_run"));
      json_object_set(f, "runs", json_object_get(h, "runs"));
      json_object_set(f, "objects", json_object_get(h, "objects"));
      json_object_set_new(f, "status",
                          json_string(json_is_string(json_object_get(h, "last_error")) ? "error"
                                      : json_is_null(json_object_get(h, "last_run"))   ? "-"
                                                                                       : "ok"));
    }
    static const char *const keys[] = {
        "name",          "kind",     "reliability", "default_tlp", "collection",
        "every_seconds", "last_run", "status",      "objects",     NULL};
    static const char *const en[] = {"NAME",      "KIND",     "REL",    "TLP",     "INTO",
                                     "EVERY (S)", "LAST RUN", "STATUS", "OBJECTS", NULL};
    static const char *const zh[] = {"名稱",       "種類",     "可靠度", "TLP",    "存入",
                                     "間隔（秒）", "上次執行", "狀態",   "物件數", NULL};
    cli_print_items(ctx, list, false, keys, en, zh);
  }
  json_decref(list);
  return FS_OK;
}

static int do_show(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *op, void *arg, struct fs_err *err)
{
  struct feed_args *a = arg;
  struct intel_feed f;
  json_t *runs = NULL;
  int rc = intel_feed_get(c, op, a->arg, &f, err);
  if (!rc)
    rc = intel_feed_runs_json(c, op, a->arg, a->runs > 0 ? (size_t)a->runs : 10, &runs, err);
  if (rc)
    return rc;
  json_t *o = intel_feed_json(&f);
  json_object_set_new(o, "runs", runs);
  cli_print_json(o);
  json_decref(o);
  return FS_OK;
}

static int do_remove(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *op, void *arg, struct fs_err *err)
{
  struct feed_args *a = arg;
  int rc = intel_feed_remove(c, op, a->arg, err);
  if (!rc)
    printf(FS_TR(ctx->lang, "Source %s removed; what it brought stays\n",
                 "已移除情資來源 %s；其帶入的情資仍保留\n"),
           a->arg);
  return rc;
}

static int do_enable(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *op, void *arg, struct fs_err *err)
{
  struct feed_args *a = arg;
  return intel_feed_enable(c, op, a->arg, true, err);
}

static int do_disable(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                      const struct actor *op, void *arg, struct fs_err *err)
{
  struct feed_args *a = arg;
  return intel_feed_enable(c, op, a->arg, false, err);
}

static int run(struct cli_ctx *ctx, int argc, char **argv, const char *usage, const char *about_en,
               const char *about_zh, const char *pick, size_t min, size_t max, cli_hub_job_fn fn)
{
  struct cli_hub_opts h = {0};
  struct feed_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"kind", 0, CLI_OPT_STRING, &a.kind, "KIND", "taxii, misp, csv or submissions",
       "taxii、misp、csv 或 submissions"},
      {"url", 0, CLI_OPT_STRING, &a.url, "URL",
       "where the source publishes: a TAXII API root, a MISP feed's URL or folder, a CSV file or "
       "URL",
       "來源位置：TAXII API root、MISP feed 的網址或資料夾、CSV 檔案或網址"},
      {"collection", 'C', CLI_OPT_STRING, &a.remote, "ID", "TAXII: the remote collection",
       "TAXII：遠端集合"},
      {"into", 0, CLI_OPT_STRING, &a.into, "ALIAS",
       "the collection of the hub it stores into (default sector; submissions: the one it follows)",
       "存入的本地集合（預設 sector；submissions 種類為所追蹤的集合）"},
      {"reliability", 0, CLI_OPT_STRING, &a.reliability, "A-F",
       "Admiralty grade: A completely reliable ... E unreliable, F cannot be judged (default C)",
       "Admiralty 等級：A 完全可靠……E 不可靠、F 無法判斷（預設 C）"},
      {"tlp", 0, CLI_OPT_STRING, &a.tlp, "LEVEL",
       "TLP of what comes without one: clear, green, amber (default), amber+strict",
       "未標示者的 TLP：clear、green、amber（預設）、amber+strict"},
      {"every", 0, CLI_OPT_INT, &a.every, "SECONDS",
       "run every SECONDS (at least 60) inside serve; 0: only when asked",
       "在 serve 中每隔 SECONDS 秒執行（至少 60）；0：僅手動執行"},
      {"map", 0, CLI_OPT_STRING, &a.map, "MAPPING",
       "CSV: the column mapping, e.g. value=2,type=ip,first_seen=1,header (docs/intel.md)",
       "CSV：欄位對應，例如 value=2,type=ip,first_seen=1,header（見 docs/intel.md）"},
      {"token-file", 0, CLI_OPT_STRING, &a.token_file, "FILE",
       "TAXII: a file with the API token at the other hub", "TAXII：存放對方中樞 API 權杖的檔案"},
      {"due", 0, CLI_OPT_FLAG, &a.due, NULL,
       "run every scheduled source whose time has come (cron)",
       "執行所有已到期的排程來源（供 cron 使用）"},
      {"now", 0, CLI_OPT_STRING, &a.now, "TIME",
       "take TIME (RFC 3339) as now: for tests and previews of the decay",
       "以 TIME（RFC 3339）為現在時間：供測試與預覽衰減"},
      {"runs", 'n', CLI_OPT_INT, &a.runs, "N", "show the last N runs (default 10)",
       "顯示最近 N 次執行（預設 10）"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {.usage = usage,
                                .about_en = about_en,
                                .about_zh = about_zh,
                                .opts = opts,
                                .min_args = min,
                                .max_args = max};
  return cli_run_picked(ctx, &spec, pick, argc, argv, &a.arg, &h, fn, &a);
}

static int feed_add(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(
      ctx, argc, argv,
      "finshield feed add NAME --kind taxii|misp|csv|submissions [--url URL] "
      "[--collection ID] [--into ALIAS] [--reliability A-F] [--tlp LEVEL] [--every SECONDS] "
      "[--map MAPPING] [--token-file FILE]",
      "Registers a source of intelligence: a partner's TAXII 2.1 collection (--url API root "
      "--collection ID --token-file FILE), a MISP feed (--url of the folder or web location "
      "holding manifest.json), a CSV file or plain list (--url and --map), or the members' "
      "submissions to a collection. Nothing is fetched until it runs.",
      "登錄情資來源：合作單位的 TAXII 2.1 集合（--url API root --collection ID --token-file "
      "FILE）、MISP feed（含 manifest.json 的資料夾或網址）、CSV 檔或清單（--url 與 --map），"
      "或會員提交至某集合的情資。執行前不會抓取任何內容。",
      "kind! url collection into reliability tlp every map token-file", 1, 1, do_add);
}
static int feed_list(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield feed list [--json]",
             "Lists the sources with their health: last run, its outcome, objects brought.",
             "列出情資來源及其健康狀態：上次執行、結果、帶入的物件數。", "json", 0, 0, do_list);
}
static int feed_show(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(
      ctx, argc, argv, "finshield feed show NAME [--runs N]",
      "Prints a source's settings, health and last runs (with what each read, merged, "
      "flagged, blocked or refused, and its first problem) as JSON.",
      "以 JSON "
      "顯示情資來源的設定、健康狀態與最近幾次執行（讀取、合併、標示、阻擋、被拒數及第一個問題）。",
      "runs", 1, 1, do_show);
}
static int feed_run(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield feed run (NAME | --due) [--now TIME]",
             "Runs a source now (or, with --due, every scheduled source whose time has come, as "
             "cron would): fetches what is new, canonicalises and merges it, checks the "
             "warninglists, stores it and scores it. The run is recorded in the source's health.",
             "立即執行一個情資來源（或以 --due 執行所有到期的排程來源，供 cron 使用）：抓取新內容、"
             "正規化並合併、比對警示清單、存入並評分。執行結果記錄於來源的健康狀態。",
             "due now", 0, 1, do_run);
}
static int feed_score(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield feed score [--now TIME]",
             "Recomputes every indicator's score (sources, sightings, decay with age) and "
             "withholds those below score.threshold, releasing the others.",
             "重新計算所有指標的分數（來源、目擊、隨時間衰減），暫停分享低於 score.threshold "
             "者，其餘恢復分享。",
             "now", 0, 0, do_score);
}
static int feed_explain(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield feed explain INDICATOR-ID",
             "Prints an indicator's score with its parts, its sources (provenance), first and "
             "last seen, and why it is withheld if it is.",
             "顯示指標的分數與其組成、來源（出處）、首次與最後出現時間，以及暫停分享的原因。", "",
             1, 1, do_explain);
}
static int feed_remove(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield feed remove NAME",
             "Removes a source and its run history; what it brought stays, and so does its "
             "provenance on the indicators.",
             "移除情資來源及其執行紀錄；其帶入的情資與指標上的出處仍保留。", "", 1, 1, do_remove);
}
static int feed_enable(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield feed enable NAME", "Resumes a source's scheduled runs.",
             "恢復情資來源的排程執行。", "", 1, 1, do_enable);
}
static int feed_disable(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield feed disable NAME",
             "Stops a source's scheduled runs (it can still be run by name).",
             "停止情資來源的排程執行（仍可指名執行）。", "", 1, 1, do_disable);
}

int cmd_feed(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"add", feed_add, "register a source", "登錄情資來源"},
      {"list", feed_list, "list sources and their health", "列出情資來源與健康狀態"},
      {"show", feed_show, "a source's settings and runs", "情資來源的設定與執行紀錄"},
      {"run", feed_run, "run a source now (or the due ones)", "立即執行情資來源（或到期者）"},
      {"score", feed_score, "recompute scores, withhold the low", "重新計算分數並暫停低分者"},
      {"explain", feed_explain, "an indicator's score and sources", "指標的分數與來源"},
      {"enable", feed_enable, "resume scheduled runs", "恢復排程執行"},
      {"disable", feed_disable, "stop scheduled runs", "停止排程執行"},
      {"remove", feed_remove, "remove a source", "移除情資來源"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield feed <add|list|show|run|score|explain|enable|disable|remove>",
                      subs, argc, argv);
}
