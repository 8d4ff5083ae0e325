/* The progress line on standard error: in place on a terminal, a line each time with --progress
 * elsewhere. */
#include "cli/progress.h"

#include <stdio.h>
#include <unistd.h>

static void draw(void *arg, const char *line, bool last)
{
  struct cli_progress *cp = arg;
  if (cp->tty) {
    /* back to the start of the line, the new text, the rest of the old one erased */
    fprintf(stderr, "\r%s\033[K%s", line, last ? "\n" : "");
  } else {
    fprintf(stderr, "%s\n", line);
  }
  fflush(stderr);
}

struct fs_progress *cli_progress_start(struct cli_ctx *ctx, struct cli_progress *cp,
                                       const char *label_en, const char *label_zh,
                                       enum fs_progress_unit unit, const char *items_en,
                                       const char *items_zh)
{
  cp->tty = isatty(STDERR_FILENO);
  if (cp->quiet || !(cp->tty || cp->force))
    return NULL;
  struct fs_progress_opts o = {.lang = ctx->lang,
                               .label_en = label_en,
                               .label_zh = label_zh,
                               .unit = unit,
                               .items_en = items_en,
                               .items_zh = items_zh,
                               .always = cp->force,
                               .out = draw,
                               .out_arg = cp};
  fs_progress_start(&cp->p, &o);
  return &cp->p;
}

struct fs_progress *cli_progress_bytes(struct cli_ctx *ctx, struct cli_progress *cp,
                                       const char *label_en, const char *label_zh)
{
  return cli_progress_start(ctx, cp, label_en, label_zh, FS_PROGRESS_BYTES, NULL, NULL);
}

void cli_progress_end(struct cli_progress *cp)
{
  if (!cp || cp->quiet || !(cp->tty || cp->force))
    return;
  fs_progress_finish(&cp->p);
}
