/* The progress line of the commands whose work is long (vault backup, deposit, restore, export,
 * verify, drill; intel import; taxii pull and push; scan): drawn on standard error, redrawn in
 * place, when standard error is a terminal, and not at all otherwise. --progress draws it even
 * without a terminal (one line each time, for logs and tests), --quiet never. The counting is
 * core/progress.h's; the work loops take the `struct fs_progress *` (NULL: no line). */
#ifndef FS_CLI_PROGRESS_H
#define FS_CLI_PROGRESS_H

#include "cli/cli.h"
#include "core/progress.h"

struct cli_progress {
  bool force, quiet; /* --progress, --quiet */
  bool tty;
  struct fs_progress p;
};

/* The two options, for a command's option table. */
#define CLI_PROGRESS_OPTS(cp)                                                                      \
  {"progress",                                                                                     \
   0,                                                                                              \
   CLI_OPT_FLAG,                                                                                   \
   &(cp).force,                                                                                    \
   NULL,                                                                                           \
   "show progress on standard error even when it is not a terminal",                               \
   "即使標準錯誤輸出不是終端機也顯示進度"},                                                        \
  {                                                                                                \
    "quiet", 0, CLI_OPT_FLAG, &(cp).quiet, NULL, "no progress line", "不顯示進度"             \
  }

/* Starts the line when it is wanted and returns the progress to give the work; NULL when no line
 * is to be drawn (--quiet, or standard error is no terminal and --progress was not given). */
struct fs_progress *cli_progress_start(struct cli_ctx *ctx, struct cli_progress *cp,
                                       const char *label_en, const char *label_zh,
                                       enum fs_progress_unit unit, const char *items_en,
                                       const char *items_zh);
/* The same for work counted in bytes. */
struct fs_progress *cli_progress_bytes(struct cli_ctx *ctx, struct cli_progress *cp,
                                       const char *label_en, const char *label_zh);
/* Draws the closing line (when a line was drawn, or with --progress), which ends the line on a
 * terminal: call it before printing the result or an error. NULL is fine. */
void cli_progress_end(struct cli_progress *cp);

#endif
