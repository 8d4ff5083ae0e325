/* finshield audit: verify the hash chain, export it as JSON lines, show its head. */
#include "cli/commands.h"

#include "audit/audit.h"
#include "hub/hub.h"

#include <stdio.h>

struct audit_args {
  const char *expect_head, *org;
  int64_t after, limit;
};

static int print_line(const char *line, size_t len, void *ctx)
{
  (void)ctx;
  fwrite(line, 1, len, stdout);
  return fputc('\n', stdout) == EOF ? FS_ERR_IO : FS_OK;
}

static int do_export(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *who, void *arg, struct fs_err *err)
{
  struct audit_args *a = arg;
  return audit_export(c, a->after, a->limit, a->org, print_line, NULL, err);
}

static int do_head(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *who, void *arg, struct fs_err *err)
{
  char head[100];
  int rc = audit_head(c, head, err);
  if (!rc)
    printf("%s\n", head);
  return rc;
}

static int do_verify(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *who, void *arg, struct fs_err *err)
{
  struct audit_args *a = arg;
  struct audit_report r;
  int rc = audit_verify(c, a->expect_head, &r, err);
  if (rc)
    return rc;
  if (r.kind == AUDIT_INTACT) {
    printf(FS_TR(ctx->lang, "OK: %lld records, chain intact; head %lld:%s\n",
                 "正常：共 %lld 筆紀錄，雜湊鏈完整；最新 %lld:%s\n"),
           (long long)r.checked, (long long)r.head_seq, r.head_hash);
    return FS_OK;
  }
  static const char *const zh_kind[] = {"", "遭竄改", "遭刪除", "順序遭變更", "尾端遭截斷"};
  if (ctx->lang == FS_LANG_EN)
    printf("FAILED: %s\n", r.message);
  else
    printf("失敗：第 %lld 筆紀錄%s（%s）\n", (long long)r.seq, zh_kind[r.kind], r.message);
  return fs_err_set(err, FS_ERR_CORRUPT, "audit", "%s", r.message);
}

/* One table for every sub-command; `pick` names the options each takes (cli_parse_pick). */
static int run(struct cli_ctx *ctx, int argc, char **argv, const char *usage, const char *about_en,
               const char *about_zh, const char *pick, cli_hub_job_fn fn)
{
  struct cli_hub_opts h = {0};
  struct audit_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"expect-head", 0, CLI_OPT_STRING, &a.expect_head, "SEQ:HASH",
       "a head kept elsewhere (audit head); detects removal at the end",
       "另行保存的鏈頭（audit head），可偵測尾端被刪除"},
      {"after", 0, CLI_OPT_INT, &a.after, "SEQ", "only records after SEQ", "只輸出序號大於 SEQ 的紀錄"},
      {"limit", 'n', CLI_OPT_INT, &a.limit, "N", "at most N records", "最多 N 筆"},
      {"org", 0, CLI_OPT_STRING, &a.org, "ID", "only records by users of this organisation (id)", "只輸出此機構（id）使用者的紀錄"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {.usage = usage, .about_en = about_en, .about_zh = about_zh,
                                .opts = opts};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse_pick(ctx, &spec, pick, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  return cli_with_hub(ctx, &h, fn, &a);
}

static int audit_verify_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield audit verify [--expect-head SEQ:HASH]",
             "Walks the hash chain of the audit trail and names the first record that was "
             "altered, removed or reordered. Exit status 1 when the chain is broken.",
             "檢查稽核軌跡的雜湊鏈，指出第一筆遭竄改、刪除或順序變更的紀錄；鏈受損時結束碼為 1。",
             "expect-head", do_verify);
}
static int audit_export_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield audit export [--after SEQ] [--limit N] [--org ID]",
             "Writes the audit trail as JSON lines (one record per line, with its hashes).",
             "以 JSON lines 輸出稽核軌跡（每行一筆，含雜湊值）。", "after limit org", do_export);
}
static int audit_head_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield audit head",
             "Prints SEQ:HASH of the latest record; keep it elsewhere (for example with the "
             "supervisor) to detect later removal of the end of the trail.",
             "輸出最新紀錄的 SEQ:HASH；另行保存（例如交主管機關）即可偵測日後尾端遭刪除。",
             "", do_head);
}

int cmd_audit(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"verify", audit_verify_cmd, "verify the hash chain", "驗證雜湊鏈"},
      {"export", audit_export_cmd, "export as JSON lines", "以 JSON lines 匯出"},
      {"head", audit_head_cmd, "print the chain's head", "顯示鏈頭"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield audit <verify|export|head> [options]", subs, argc, argv);
}
