/* finshield vault snapshots, ls and diff: looking into a repository without restoring it. */
#include "cli/cli.h"
#include "cli/cmd_vault.h"

#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vcli_snapshots(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {O_REPO, O_PASSWORD, O_JSON, O_END};
  const struct cli_spec spec = {
      "finshield vault snapshots --repo DIR [--json]",
      "Lists the snapshots: sequence, id, time, kind, business date, files, size and "
      "the retention rule that keeps each. --json prints every snapshot with its "
      "entries (as vault ls --json shows them).",
      "列出快照：序號、識別碼、時間、類型、營業日、檔案數、大小與保留規則。--json "
      "輸出每個快照及其項目。",
      opts,
      0,
      0};
  const char *args[1];
  size_t nargs;
  struct vault_repo *r;
  int rc = vcli_parse_open(ctx, &spec, argc, argv, args, &nargs, &o, VAULT_LOCK_SHARED, &r);
  if (rc >= 0)
    return rc;
  struct vault_snapshot *all;
  size_t n;
  struct fs_err err;
  rc = vault_snapshot_list(r, &all, &n, &err);
  const struct vault_config *cfg = vault_repo_config(r);
  if (rc) {
    vault_repo_close(r);
    return cli_fail(ctx, &err);
  }
  int64_t now = fs_time_now_ms();
  json_t *arr = o.json ? json_array() : NULL;
  if (!o.json)
    printf("%-4s %-16s %-24s %-8s %-12s %-10s %10s  %s\n", FS_TR(ctx->lang, "seq", "序號"), "ID",
           FS_TR(ctx->lang, "time (UTC)", "時間（UTC）"), FS_TR(ctx->lang, "kind", "類型"),
           FS_TR(ctx->lang, "business", "營業日"), FS_TR(ctx->lang, "files", "檔案"), "MiB",
           FS_TR(ctx->lang, "retention", "保留"));
  for (size_t i = 0; i < n; i++) {
    const char *why = vault_retention_reason(&cfg->retention, &all[i], all, n, now);
    if (o.json) {
      json_t *x = vault_snapshot_json(&all[i]);
      json_object_set_new(x, "retained_by", why ? json_string(why) : json_null());
      json_object_set_new(x, "entries", json_integer((json_int_t)all[i].nfiles));
      json_object_set_new(x, "size", json_integer((json_int_t)all[i].total_size));
      json_array_append_new(arr, x);
      continue;
    }
    char t[32];
    fs_time_format_ms(all[i].time_ms, t);
    printf("%-4llu %-16.16s %-24s %-8s %-12s %-10zu %10.1f  %s\n", (unsigned long long)all[i].seq,
           all[i].id, t, all[i].kind, all[i].business_date[0] ? all[i].business_date : "-",
           all[i].nfiles, vcli_mib(all[i].total_size), why ? why : "-");
  }
  if (o.json)
    vcli_print_json(arr);
  vault_snapshot_list_free(all, n);
  vault_repo_close(r);
  return CLI_EXIT_OK;
}

/* Parses the command line, opens the repository and picks the snapshot args[0] names: -1 with
 * *r, *all and *s set when the command goes on, else the exit code. */
static int open_snapshot(struct cli_ctx *ctx, const struct cli_spec *spec, int argc, char **argv,
                         const char **args, size_t *nargs, struct vopts *o, struct vault_repo **r,
                         struct vault_snapshot **all, size_t *n, struct vault_snapshot **s)
{
  int rc = vcli_parse_open(ctx, spec, argc, argv, args, nargs, o, VAULT_LOCK_SHARED, r);
  if (rc >= 0)
    return rc;
  struct fs_err err;
  if (vault_snapshot_pick(*r, args[0], all, n, s, &err)) {
    vault_repo_close(*r);
    return cli_fail(ctx, &err);
  }
  return -1;
}

static void print_entry(enum fs_lang lang, const struct vault_file_entry *f, bool long_list)
{
  if (long_list) {
    char t[32];
    fs_time_format_ms(f->mtime_ms, t);
    printf("%c %04o %12llu %-24s ", f->type, (unsigned)f->mode,
           (unsigned long long)(f->type == 'f' ? f->size : 0), t);
  }
  printf("%s%s", f->path, f->type == 'd' ? "/" : "");
  if (f->type == 'l')
    printf(" -> %s", f->link ? f->link : "");
  if (long_list && f->table)
    printf(FS_TR(lang, "  [%s, %llu rows]", "  [%s，%llu 列]"), f->table,
           (unsigned long long)f->rows);
  printf("\n");
}

int vcli_ls(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {O_REPO,
                                 O_PASSWORD,
                                 O_JSON,
                                 {"long", 'l', CLI_OPT_FLAG, &o.long_list, NULL,
                                  "type, mode, size, time, and table rows",
                                  "顯示類型、權限、大小、時間與資料表列數"},
                                 O_END};
  const struct cli_spec spec = {
      "finshield vault ls SNAPSHOT [PATH] [--long] [--json]",
      "Lists the files, folders and links of a snapshot (\"latest\", an id or a prefix), or those "
      "at or "
      "below PATH, as they are stored (an absolute path without its leading /).",
      "列出快照（latest、識別碼或其前綴）中的檔案、資料夾與連結，或 PATH "
      "及其下的項目（路徑如儲存時，不含開頭的 /）。",
      opts,
      1,
      2};
  const char *args[2];
  size_t nargs, n;
  struct vault_repo *r;
  struct vault_snapshot *all, *s;
  int rc = open_snapshot(ctx, &spec, argc, argv, args, &nargs, &o, &r, &all, &n, &s);
  if (rc >= 0)
    return rc;
  char under[4096] = "";
  size_t lead;
  struct fs_err err;
  if (nargs > 1 && vault_backup_path(args[1], under, sizeof(under), &lead, &err))
    under[0] = '\0';
  json_t *arr = o.json ? json_array() : NULL;
  size_t shown = 0;
  for (size_t i = 0; i < s->nfiles; i++) {
    const struct vault_file_entry *f = &s->files[i];
    if (!vault_path_under(f->path, under))
      continue;
    shown++;
    if (arr)
      json_array_append_new(arr, vault_file_entry_json(f));
    else
      print_entry(ctx->lang, f, o.long_list);
  }
  if (arr)
    vcli_print_json(arr);
  if (!shown && under[0]) {
    fs_err_set(&err, FS_ERR_NOT_FOUND, args[1],
               "not in snapshot %.16s (vault ls %.16s lists its paths)", s->id, s->id);
    rc = cli_fail(ctx, &err);
  } else {
    rc = CLI_EXIT_OK;
  }
  vault_snapshot_list_free(all, n);
  vault_repo_close(r);
  return rc;
}

static json_t *diff_json(const struct vault_snapshot *a, const struct vault_snapshot *b,
                         const struct vault_diff *d)
{
  json_t *items = json_array();
  for (size_t i = 0; i < d->n; i++) {
    const struct vault_diff_item *it = &d->items[i];
    char c[2] = {it->change, 0};
    json_t *x = json_pack("{s:s, s:s}", "change", c, "path", (it->to ? it->to : it->from)->path);
    if (it->rows)
      json_object_set_new(x, "rows",
                          json_pack("{s:I, s:I, s:I}", "added", (json_int_t)it->rows_added,
                                    "removed", (json_int_t)it->rows_removed, "changed",
                                    (json_int_t)it->rows_changed));
    json_array_append_new(items, x);
  }
  return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "from", a->id, "to", b->id, "added",
                   (json_int_t)d->added, "removed", (json_int_t)d->removed, "changed",
                   (json_int_t)d->changed, "bytes_added", (json_int_t)d->bytes_added,
                   "bytes_removed", (json_int_t)d->bytes_removed, "changes", items);
}

int vcli_diff(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {O_REPO,
                                 O_PASSWORD,
                                 O_JSON,
                                 {"no-rows", 0, CLI_OPT_FLAG, &o.no_rows, NULL,
                                  "do not read changed tables to count their rows",
                                  "不讀取變更的資料表計算列數"},
                                 O_END};
  const struct cli_spec spec = {"finshield vault diff SNAPSHOT SNAPSHOT [--json] [--no-rows]",
                                "What changed from the first snapshot to the second: paths added "
                                "(+), removed (-), changed (M) "
                                "or changed type (T); for a table of the standard critical-data "
                                "format, the rows added, removed "
                                "and changed (by key).",
                                "比較兩個快照：新增（+）、移除（-"
                                "）、內容變更（M）或類型變更（T）的路徑；標準格式資料表另列新增、移"
                                "除與變更的列數（依鍵值）。",
                                opts,
                                2,
                                2};
  const char *args[2];
  size_t nargs, n;
  struct vault_repo *r;
  struct vault_snapshot *all, *a, *b;
  int rc = open_snapshot(ctx, &spec, argc, argv, args, &nargs, &o, &r, &all, &n, &a);
  if (rc >= 0)
    return rc;
  struct fs_err err;
  struct vault_diff d;
  rc = vault_snapshot_find(all, n, args[1], &b, &err);
  if (!rc)
    rc = vault_diff(r, a, b, !o.no_rows, &d, &err);
  if (rc) {
    vault_snapshot_list_free(all, n);
    vault_repo_close(r);
    return cli_fail(ctx, &err);
  }
  if (o.json) {
    vcli_print_json(diff_json(a, b, &d));
  } else {
    for (size_t i = 0; i < d.n; i++) {
      const struct vault_diff_item *it = &d.items[i];
      const struct vault_file_entry *f = it->to ? it->to : it->from;
      printf("%c  %s%s", it->change, f->path, f->type == 'd' ? "/" : "");
      if (it->rows)
        printf(FS_TR(ctx->lang, "  (rows: %llu added, %llu removed, %llu changed)",
                     "（列：新增 %llu、移除 %llu、變更 %llu）"),
               (unsigned long long)it->rows_added, (unsigned long long)it->rows_removed,
               (unsigned long long)it->rows_changed);
      printf("\n");
    }
    printf(
        FS_TR(ctx->lang,
              "%.16s -> %.16s: %llu added, %llu removed, %llu changed (%.1f MiB added, %.1f MiB "
              "removed)\n",
              "%.16s -> %.16s：新增 %llu、移除 %llu、變更 %llu（新增 %.1f MiB，移除 %.1f MiB）\n"),
        a->id, b->id, (unsigned long long)d.added, (unsigned long long)d.removed,
        (unsigned long long)d.changed, vcli_mib(d.bytes_added), vcli_mib(d.bytes_removed));
  }
  vault_diff_release(&d);
  vault_snapshot_list_free(all, n);
  vault_repo_close(r);
  return CLI_EXIT_OK;
}
