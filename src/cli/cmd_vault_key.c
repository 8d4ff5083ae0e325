/* finshield vault key: key files that let an unattended deposit service open a repository without
 * the password and without Argon2id on every run (add, list, remove). */
#include "cli/cli.h"
#include "cli/cmd_vault.h"

#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vcli_key(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {O_REPO,
                                 O_PASSWORD,
                                 {"out", 'o', CLI_OPT_STRING, &o.out, "FILE",
                                  "add: where the new key file goes (created, mode 0400)",
                                  "add：新金鑰檔位置（建立為 0400）"},
                                 O_END};
  const struct cli_spec spec = {
      "finshield vault key (add --out FILE | list | remove SLOT) --repo DIR",
      "Key files for an unattended deposit service: `add` writes a new key file (a random 256-bit "
      "key, mode "
      "0400) that opens the repository with --key-file FILE and no key derivation; `list` shows "
      "the ways in "
      "(password, partner, key-file slots); `remove SLOT` revokes a key file. Whoever holds a key "
      "file and "
      "can read the repository can read every snapshot: keep it on the service's host, readable by "
      "the "
      "service's user alone.",
      "無人值守存入服務用的金鑰檔：add 產生新金鑰檔（隨機 256 位元金鑰，權限 0400），以 --key-file "
      "FILE "
      "開啟保險庫且免金鑰衍生；list 列出開啟方式（密碼、復原合作機構、金鑰檔槽位）；remove SLOT "
      "撤銷金鑰檔。"
      "持有金鑰檔且能讀取保險庫者即可讀取所有快照：請僅存放於服務主機，且僅服務帳號可讀。",
      opts,
      1,
      2};
  const char *args[2];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  bool add = !strcmp(args[0], "add"), list = !strcmp(args[0], "list"),
       remove = !strcmp(args[0], "remove");
  if ((!add && !list && !remove) || (remove != (nargs == 2)) || (add && !o.out))
    return cli_usage_error(ctx, spec.usage,
                           FS_TR(ctx->lang, "key add --out FILE, key list or key remove SLOT",
                                 "key add --out FILE、key list 或 key remove SLOT"));
  struct vault_repo *r;
  if ((rc = vcli_open_repo(ctx, &o, VAULT_LOCK_SHARED, &r))) /* keys/ files are written whole */
    return rc;
  struct fs_err err;
  char slot[17];
  struct vault_key_slot *slots = NULL;
  size_t n = 0;
  rc = add    ? vault_key_add(r, o.out, slot, &err)
       : list ? vault_key_list(r, &slots, &n, &err)
              : vault_key_remove(r, args[1], &err);
  vault_repo_close(r);
  if (rc)
    return cli_fail(ctx, &err);
  if (add)
    printf(
        FS_TR(ctx->lang,
              "wrote key file %s (slot %s): it opens this repository with --key-file and no "
              "password; "
              "keep it readable by the deposit service alone (vault key remove %s revokes it)\n",
              "已寫出金鑰檔 %s（槽位 %s）：以 --key-file 開啟此保險庫，免密碼；請僅讓存入服務可讀取"
              "（vault key remove %s 可撤銷）\n"),
        o.out, slot, slot);
  else if (remove)
    printf(FS_TR(ctx->lang, "removed key slot %s: its key file no longer opens this repository\n",
                 "已移除金鑰槽位 %s：其金鑰檔不再能開啟此保險庫\n"),
           args[1]);
  for (size_t i = 0; i < n; i++) {
    char t[32] = "-";
    if (slots[i].created_ms)
      fs_time_format_ms(slots[i].created_ms, t);
    printf("%-16s  %-9s  %s\n", slots[i].name,
           slots[i].key_file                    ? FS_TR(ctx->lang, "key file", "金鑰檔")
           : !strcmp(slots[i].name, "password") ? FS_TR(ctx->lang, "password", "密碼")
                                                : FS_TR(ctx->lang, "partner", "合作機構"),
           slots[i].key_file ? t : "");
  }
  vault_key_slots_free(slots, n);
  return CLI_EXIT_OK;
}
