/* finshield <command>: the command table and dispatch (git's git.c). */
#include "cli/cli.h"
#include "cli/commands.h"

#include "core/encode.h"

#include <curl/curl.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const struct cli_command cli_commands[] = {
#define CLI_X_ROW(name, en, zh) {#name, cmd_##name, en, zh},
    CLI_COMMAND_MAP(CLI_X_ROW)
#undef CLI_X_ROW
};
const size_t cli_command_count = FS_ARRAY_SIZE(cli_commands);

static void print_main_help(struct cli_ctx *ctx)
{
  printf("%s: %s <%s> [%s]\n\n", FS_TR(ctx->lang, "Usage", "用法"), ctx->prog,
         FS_TR(ctx->lang, "command", "指令"), FS_TR(ctx->lang, "options", "選項"));
  printf("%s\n\n",
         FS_TR(ctx->lang,
               "finshield: the financial-sector cyber joint-defence hub (ISAC, CERT, SOC, "
               "data safe haven).",
               "finshield：金融資安聯防中樞（情資分享、應變、監控、資料保險庫）。"));
  printf("%s:\n", FS_TR(ctx->lang, "Commands", "指令"));
  for (size_t i = 0; i < cli_command_count; i++)
    printf("  %-12s %s\n", cli_commands[i].name,
           FS_TR(ctx->lang, cli_commands[i].summary_en, cli_commands[i].summary_zh));
  printf("\n%s\n", FS_TR(ctx->lang,
                         "Run 'finshield <command> --help' for a command's options. Set "
                         "FINSHIELD_LANG=en or zh-TW to choose the language.",
                         "執行「finshield <指令> --help」查看指令選項。設定 FINSHIELD_LANG=en 或 "
                         "zh-TW 以選擇語言。"));
}

int main(int argc, char **argv)
{
  struct cli_ctx ctx = {.lang = fs_lang_from_env(), .prog = "finshield"};
  umask(077); /* the hub's database, keys and logs are for its operator only */
  if (fs_crypto_init()) {
    fprintf(stderr, "%s: %s\n", ctx.prog,
            FS_TR(ctx.lang, "cannot initialize the crypto library", "無法初始化加密函式庫"));
    return CLI_EXIT_FAILURE;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT); /* once, before any thread: TAXII and webhooks use it */
  if (argc < 2) {
    print_main_help(&ctx);
    return CLI_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
    print_main_help(&ctx);
    return CLI_EXIT_OK;
  }
  if (!strcmp(name, "--version") || !strcmp(name, "version")) {
    printf("finshield %s\n", FINSHIELD_VERSION);
    return CLI_EXIT_OK;
  }
  for (size_t i = 0; i < cli_command_count; i++)
    if (!strcmp(cli_commands[i].name, name))
      return cli_commands[i].run(&ctx, argc - 1, argv + 1);
  fprintf(stderr,
          FS_TR(ctx.lang, "%s: unknown command \"%s\"; see '%s --help'\n",
                "%s：未知的指令「%s」；請見「%s --help」\n"),
          ctx.prog, name, ctx.prog);
  return CLI_EXIT_USAGE;
}
