/* finshield migrate: copies a hub's SQLite database into PostgreSQL, checked, resumable
 * (hub_migrate). */
#include "cli/commands.h"

#include "cli/progress.h"
#include "hub/hub.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_migrate(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  const char *from = NULL, *to = NULL;
  int64_t sample = 1000;
  struct cli_progress progress = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"from", 0, CLI_OPT_NEEDED, &from, "sqlite:PATH", "the hub's SQLite database file",
       "中樞的 SQLite 資料庫檔案"},
      {"to", 0, CLI_OPT_NEEDED, &to, "URL", "the PostgreSQL database (postgresql://...)",
       "PostgreSQL 資料庫（postgresql://...）"},
      {"sample", 0, CLI_OPT_INT, &sample, "N",
       "rows of each table compared column by column after the copy (default 1000)",
       "複製後每個資料表逐欄比對的列數（預設 1000）"},
      CLI_PROGRESS_OPTS(progress),
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage =
          "finshield migrate --from sqlite:PATH --to postgresql://... [--data DIR] [--sample N]",
      .about_en =
          "Copies a hub's SQLite database into PostgreSQL (created when missing; new or empty), "
          "then checks the copy: rows counted table by table, a sample of rows compared column "
          "by column, the audit trail verified with the hub's keys (from --data) up to the "
          "source's head. Stop the hub first. Interrupted, it goes on from where it stopped when "
          "run again. Then set store.backend = postgresql and store.url (docs/postgresql.md).",
      .about_zh = "將中樞的 SQLite 資料庫複製到 PostgreSQL（不存在時建立；須為新的或空的資料庫），"
                  "再檢查副本：逐表核對列數、逐欄比對抽樣的資料列，並以中樞金鑰（來自 --data）"
                  "驗證稽核軌跡至來源的鏈頭。請先停止中樞。中斷後再次執行會從中斷處繼續。"
                  "完成後設定 store.backend = postgresql 與 store.url（docs/postgresql.md）。",
      .opts = opts,
  };
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  if (strncmp(from, "sqlite:", 7) || !from[7])
    return cli_usage_error(ctx, spec.usage,
                           FS_TR(ctx->lang, "--from takes sqlite:PATH (the hub's database file)",
                                 "--from 的值為 sqlite:PATH（中樞的資料庫檔案）"));
  if (strncmp(to, "postgresql://", 13) && strncmp(to, "postgres://", 11))
    return cli_usage_error(
        ctx, spec.usage,
        FS_TR(ctx->lang, "--to takes a postgresql:// URL", "--to 的值為 postgresql:// 網址"));
  if (sample < 0)
    return cli_usage_error(
        ctx, spec.usage,
        FS_TR(ctx->lang, "--sample is a number of rows (0 or more)", "--sample 為列數（0 以上）"));
  struct fs_config cfg;
  struct fs_err err;
  fs_err_clear(&err);
  if ((rc = cli_load_config(ctx, &h, &cfg, &err)))
    return cli_fail(ctx, &err);
  /* The source: the SQLite file named, opened as the hub of --data (its key checks the trail). */
  char path[PATH_MAX];
  if (!realpath(from + 7, path)) {
    fs_err_set(&err, FS_ERR_NOT_FOUND, from + 7, "no such database file");
    return cli_fail(ctx, &err);
  }
  snprintf(cfg.store_backend, sizeof(cfg.store_backend), "sqlite");
  snprintf(cfg.store_path, sizeof(cfg.store_path), "%s", path);
  struct hub hub;
  if ((rc = hub_open(&hub, &cfg, 2, &err)))
    return cli_fail(ctx, &err);
  struct fs_progress *p =
      cli_progress_start(ctx, &progress, "copy", "複製", FS_PROGRESS_ITEMS, "rows", "列");
  struct hub_migrate_report r;
  rc = hub_migrate(&hub, to, sample, p, &r, &err);
  cli_progress_end(&progress);
  hub_close(&hub);
  if (rc)
    return cli_fail(ctx, &err);
  printf(FS_TR(ctx->lang,
               "%s: %lld rows in %lld tables (%lld copied now%s); %lld rows compared, audit trail "
               "verified (%lld records, head %s)\n",
               "%s：共 %lld 列，分屬 %lld 個資料表（本次複製 %lld 列%s）；比對 %lld 列，"
               "稽核軌跡已驗證（%lld 筆紀錄，鏈頭 %s）\n"),
         FS_TR(ctx->lang, "copied and checked", "已複製並檢查"), (long long)r.rows,
         (long long)r.tables, (long long)r.rows_copied,
         r.resumed ? FS_TR(ctx->lang, ", going on from an earlier run", "，接續先前的執行") : "",
         (long long)r.compared, (long long)r.audit_records, r.audit_head);
  return CLI_EXIT_OK;
}
