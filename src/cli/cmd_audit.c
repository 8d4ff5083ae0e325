/* finshield audit: verify the hash chain, export it as JSON lines, show its signed head and the
 * public key that checks it, and check a signed head offline. */
#include "cli/commands.h"

#include "audit/audit.h"
#include "core/time.h"
#include "hub/hub.h"

#include <stdio.h>
#include <string.h>

struct audit_args {
  const char *expect_head, *org, *key;
  int64_t after, limit;
  bool redacted;
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
  return audit_export(c, a->after, a->limit, a->org,
                      a->redacted ? AUDIT_VIEW_REDACTED : AUDIT_VIEW_FULL, print_line, NULL, err);
}

static int do_head(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *who, void *arg, struct fs_err *err)
{
  struct audit_signed_head h;
  int rc = audit_head_sign(c, who->now_ms, &h, err);
  if (!rc)
    printf("%s\n", h.text);
  return rc;
}

static int do_key(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                  const struct actor *who, void *arg, struct fs_err *err)
{
  char key[65];
  audit_public_key_hex(&hub->audit, key);
  printf("%s\n", key);
  return FS_OK;
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
  bool zh = ctx->lang != FS_LANG_EN;
  printf(FS_TR(ctx->lang, "FAILED: %s\n", "失敗：%s\n"), fs_msg_pick(r.message, r.message_zh, zh));
  fs_err_set(err, FS_ERR_CORRUPT, "audit", NULL);
  snprintf(err->msg, sizeof(err->msg), "%s", r.message);
  snprintf(err->msg_zh, sizeof(err->msg_zh), "%s", r.message_zh);
  return FS_ERR_CORRUPT;
}

/* One table for every sub-command; `pick` names the options each takes (cli_parse_pick). */
static int run(struct cli_ctx *ctx, int argc, char **argv, const char *usage, const char *about_en,
               const char *about_zh, const char *pick, cli_hub_job_fn fn)
{
  struct cli_hub_opts h = {0};
  struct audit_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"expect-head", 0, CLI_OPT_STRING, &a.expect_head, "HEAD",
       "a head kept elsewhere (audit head, signed, or SEQ:HASH); detects removal at the end",
       "另行保存的鏈頭（audit head 的簽章鏈頭，或 SEQ:HASH），可偵測尾端被刪除"},
      {"after", 0, CLI_OPT_INT, &a.after, "SEQ", "only records after SEQ",
       "只輸出序號大於 SEQ 的紀錄"},
      {"limit", 'n', CLI_OPT_INT, &a.limit, "N", "at most N records", "最多 N 筆"},
      {"org", 0, CLI_OPT_STRING, &a.org, "ID", "only records by users of this organisation (id)",
       "只輸出此機構（id）使用者的紀錄"},
      {"redacted", 0, CLI_OPT_FLAG, &a.redacted, NULL,
       "as the supervisor reads it: anonymous actions without their actor",
       "以主管機關所見輸出：匿名行為不含行為者"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = usage, .about_en = about_en, .about_zh = about_zh, .opts = opts};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse_pick(ctx, &spec, pick, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  return cli_with_hub(ctx, &h, fn, &a);
}

static int audit_verify_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield audit verify [--expect-head HEAD]",
             "Walks the hash chain of the audit trail (keyed with the hub's secret from its "
             "marked record on) and names the first record that was altered, removed or "
             "reordered. Exit status 1 when the chain is broken.",
             "檢查稽核軌跡的雜湊鏈（自標記的紀錄起以中樞金鑰加密雜湊），指出第一筆遭竄改、刪除或"
             "順序變更的紀錄；鏈受損時結束碼為 1。",
             "expect-head", do_verify);
}
static int audit_export_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv,
             "finshield audit export [--after SEQ] [--limit N] [--org ID] [--redacted]",
             "Writes the audit trail as JSON lines (one record per line, with its hashes). The "
             "operator's export is whole; with --redacted, records of anonymous actions come "
             "without their actor, source and exact time, as anyone but the hub's roles reads "
             "them (give that one to the supervisor).",
             "以 JSON lines 輸出稽核軌跡（每行一筆，含雜湊值）。操作者匯出的是完整內容；加上 "
             "--redacted 時，匿名行為的紀錄不含行為者、來源與精確時間，與中樞以外角色所見相同"
             "（交付主管機關時請用此版本）。",
             "after limit org redacted", do_export);
}
static int audit_head_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield audit head",
             "Prints the latest record's head signed by the hub, SEQ:HASH:KEYED_FROM:AT:SIGNATURE; "
             "keep it elsewhere (for example with the supervisor) to detect later removal or "
             "rewriting of the trail (verify --expect-head), and check it with the public key "
             "alone (audit check-head).",
             "輸出中樞簽章的最新鏈頭 SEQ:HASH:KEYED_FROM:AT:SIGNATURE；另行保存（例如交主管機關）"
             "即可偵測日後軌跡遭刪除或改寫（verify --expect-head），並可只憑公鑰檢查（audit "
             "check-head）。",
             "", do_head);
}
static int audit_key_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield audit key",
             "Prints the public key (Ed25519, 64 hex digits) that checks the hub's signed heads; "
             "publish it to members and the supervisor.",
             "輸出檢查中樞簽章鏈頭所用的公鑰（Ed25519，64 個十六進位數字），供會員與主管機關使用。",
             "", do_key);
}

/* Checks a signed head with a public key alone: no hub, no data folder. */
static int audit_check_head_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  struct audit_args a = {0};
  const struct cli_opt opts[] = {
      {"key", 'k', CLI_OPT_NEEDED, &a.key, "HEX", "the hub's public key (audit key)",
       "中樞的公鑰（audit key）"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = "finshield audit check-head --key HEX HEAD",
      .about_en = "Checks, offline, that HEAD (from audit head or GET /api/v1/audit/head) was "
                  "signed by the hub whose public key is HEX, and says which record it names. "
                  "Exit status 1 when the signature does not match.",
      .about_zh =
          "離線檢查 HEAD（audit head 或 GET /api/v1/audit/head 取得）確為公鑰 HEX 之中樞所簽，"
          "並說明其指向的紀錄；簽章不符時結束碼為 1。",
      .opts = opts,
      .min_args = 1,
      .max_args = 1,
  };
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  struct fs_err err;
  uint8_t pk[32];
  struct audit_signed_head h;
  if ((rc = audit_public_key_parse(a.key, pk, &err)) ||
      (rc = audit_head_check(args[0], pk, &h, &err)))
    return cli_fail(ctx, &err);
  char when[48];
  fs_time_format_local(h.at_ms, FS_TIME_TAIPEI_OFFSET_MIN, false, when);
  printf(
      FS_TR(
          ctx->lang,
          "OK: signed by this key at %s: record %lld is the last, hash %s; keyed from record "
          "%lld\n",
          "正常：此金鑰於 %s 簽章：最後一筆為第 %lld 筆紀錄，雜湊 %s；自第 %lld 筆起以金鑰雜湊\n"),
      when, (long long)h.seq, h.hash, (long long)h.keyed_from);
  return CLI_EXIT_OK;
}

int cmd_audit(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"verify", audit_verify_cmd, "verify the hash chain", "驗證雜湊鏈"},
      {"export", audit_export_cmd, "export as JSON lines", "以 JSON lines 匯出"},
      {"head", audit_head_cmd, "print the chain's signed head", "顯示簽章鏈頭"},
      {"key", audit_key_cmd, "print the public key of signed heads", "顯示簽章鏈頭的公鑰"},
      {"check-head", audit_check_head_cmd, "check a signed head offline", "離線檢查簽章鏈頭"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield audit <verify|export|head|key|check-head> [options]", subs,
                      argc, argv);
}
