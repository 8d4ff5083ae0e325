/* finshield scan (being written). */
#include "cli/commands.h"

int cmd_scan(struct cli_ctx *ctx, int argc, char **argv)
{
  (void)ctx;
  (void)argc;
  (void)argv;
  return CLI_EXIT_FAILURE;
}
