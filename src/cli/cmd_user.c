/* finshield user (not yet written). */
#include "cli/commands.h"

int cmd_user(struct cli_ctx *ctx, int argc, char **argv)
{
  (void)ctx;
  (void)argc;
  (void)argv;
  return CLI_EXIT_FAILURE;
}
