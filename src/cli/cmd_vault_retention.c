/* finshield vault forget, prune and retention: what the repository keeps, and for how long. */
#include "cli/cli.h"
#include "cli/cmd_vault.h"

#include "core/time.h"
#include "vault/vault.h"

#include <stdio.h>
#include <string.h>

int vcli_forget(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {
      O_REPO,
      O_PASSWORD,
      {"expired", 0, CLI_OPT_FLAG, &o.expired, NULL, "forget every snapshot out of retention",
       "移除所有超過保留期限的快照"},
      {"dry-run", 'n', CLI_OPT_FLAG, &o.dry_run, NULL, "only list what would be forgotten",
       "僅列出將被移除的快照"},
      {"now", 0, CLI_OPT_STRING, &o.now, "TIME",
       "with --dry-run: judge retention as of this RFC 3339 time (a preview; forgetting always "
       "uses the real clock)",
       "搭配 --dry-run：以此 RFC 3339 時間預覽保留期限（實際移除一律依系統時鐘）"},
      O_END};
  const struct cli_spec spec = {
      "finshield vault forget --repo DIR (SNAPSHOT... | --expired) [--dry-run [--now TIME]]",
      "Forgets snapshots that retention no longer protects (a signed tombstone keeps the chain). "
      "Retention is judged by the real clock; --now previews another time with --dry-run.",
      "移除不再受保留政策保護的快照（以簽章墓碑維持鏈結）。保留期限依系統時鐘判斷；"
      "--now 僅能搭配 --dry-run 預覽其他時間。",
      opts,
      0,
      64};
  const char *args[64];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  if (!nargs && !o.expired)
    return cli_usage_error(
        ctx, spec.usage,
        FS_TR(ctx->lang, "name snapshots or give --expired", "請指定快照或 --expired"));
  int64_t now = 0;
  if (o.now && !o.dry_run)
    return cli_usage_error(
        ctx, spec.usage,
        FS_TR(ctx->lang,
              "--now only previews: add --dry-run (forgetting always uses the real clock)",
              "--now 僅供預覽：請加上 --dry-run（實際移除一律依系統時鐘）"));
  if (o.now && fs_time_parse_ms(o.now, strlen(o.now), &now, NULL))
    return cli_usage_error(ctx, spec.usage,
                           FS_TR(ctx->lang,
                                 "--now: expected an RFC 3339 time (2030-01-01T00:00:00Z)",
                                 "--now：須為 RFC 3339 時間（2030-01-01T00:00:00Z）"));
  struct vault_repo *r;
  if ((rc = vcli_open_repo(ctx, &o, o.dry_run ? VAULT_LOCK_SHARED : VAULT_LOCK_EXCLUSIVE, &r)))
    return rc;
  struct vault_problems gone = {0};
  struct fs_err err;
  rc = vault_forget(r, args, nargs, o.expired, now, o.dry_run, &gone, &err);
  vault_repo_close(r);
  for (size_t i = 0; i < gone.n; i++)
    printf(o.dry_run ? FS_TR(ctx->lang, "would forget %s\n", "將移除 %s\n")
                     : FS_TR(ctx->lang, "forgot %s\n", "已移除 %s\n"),
           gone.items[i]);
  if (!rc && o.dry_run)
    printf(FS_TR(ctx->lang, "dry run: %zu snapshots would be forgotten%s; nothing was changed\n",
                 "試執行：將移除 %zu 個快照%s；未做任何變更\n"),
           gone.n, o.now ? FS_TR(ctx->lang, " at the time given", "（依指定時間）") : "");
  vault_problems_release(&gone);
  return rc ? cli_fail(ctx, &err) : CLI_EXIT_OK;
}

int vcli_prune(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {O_REPO, O_PASSWORD, O_END};
  const struct cli_spec spec = {
      "finshield vault prune --repo DIR",
      "Deletes packs that no remaining snapshot needs (whole packs; none is rewritten).",
      "刪除不再被任何快照使用的封包（整包刪除，不改寫）。",
      opts,
      0,
      0};
  const char *args[1];
  size_t nargs;
  struct vault_repo *r;
  int rc = vcli_parse_open(ctx, &spec, argc, argv, args, &nargs, &o, VAULT_LOCK_EXCLUSIVE, &r);
  if (rc >= 0)
    return rc;
  struct vault_prune_result res;
  struct fs_err err;
  rc = vault_prune(r, &res, &err);
  vault_repo_close(r);
  if (rc)
    return cli_fail(ctx, &err);
  printf(FS_TR(ctx->lang, "removed %llu packs (%.1f MiB); %llu packs kept\n",
               "已刪除 %llu 個封包（%.1f MiB）；保留 %llu 個封包\n"),
         (unsigned long long)res.packs_removed, vcli_mib(res.bytes_removed),
         (unsigned long long)res.packs_kept);
  return CLI_EXIT_OK;
}

int vcli_retention(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {O_REPO,
                                 O_PASSWORD,
                                 {"daily-days", 0, CLI_OPT_INT, &o.daily, "N",
                                  "keep every snapshot N days", "每日快照保留天數"},
                                 {"monthly-months", 0, CLI_OPT_INT, &o.monthly, "N",
                                  "keep each month's last snapshot N months",
                                  "每月最後快照保留月數"},
                                 O_END};
  const struct cli_spec spec = {
      "finshield vault retention --repo DIR [--daily-days N] [--monthly-months N]",
      "Shows the retention policy, or lengthens it (it can never be shortened).",
      "顯示保留政策，或延長之（不得縮短）。",
      opts,
      0,
      0};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  struct vault_repo *r;
  bool change = o.daily || o.monthly;
  if ((rc = vcli_open_repo(ctx, &o, change ? VAULT_LOCK_EXCLUSIVE : VAULT_LOCK_SHARED, &r)))
    return rc;
  struct fs_err err;
  struct vault_retention ret = vault_repo_config(r)->retention;
  if (change) {
    if (o.daily)
      ret.daily_days = o.daily;
    if (o.monthly)
      ret.monthly_months = o.monthly;
    rc = vault_retention_set(r, &ret, &err);
  }
  vault_repo_close(r);
  if (rc)
    return cli_fail(ctx, &err);
  printf(FS_TR(ctx->lang, "retention: every snapshot %lld days, each month's last %lld months\n",
               "保留政策：每個快照 %lld 天，每月最後快照 %lld 個月\n"),
         (long long)ret.daily_days, (long long)ret.monthly_months);
  return CLI_EXIT_OK;
}
