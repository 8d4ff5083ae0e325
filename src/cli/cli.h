/* The command-line front end: the command table, the shared context, option parsing and the
 * helpers every command uses to report errors. Only code under cli/ prints to the terminal or
 * exits. */
#ifndef FS_CLI_CLI_H
#define FS_CLI_CLI_H

#include "core/base.h"
#include "core/config.h"
#include "core/err.h"
#include "core/i18n.h"

#include <stdio.h>

/* Exit codes of every command. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2 };

struct cli_ctx {
  enum fs_lang lang;
  const char *prog; /* "finshield" */
};

struct cli_command {
  const char *name;
  int (*run)(struct cli_ctx *ctx, int argc, char **argv); /* argv[0] is the command name */
  const char *summary_en;
  const char *summary_zh;
};

/* The table of commands, in the order `finshield --help` lists them. */
extern const struct cli_command cli_commands[];
extern const size_t cli_command_count;

/* ---- options ------------------------------------------------------------------------------ */

enum cli_opt_type {
  CLI_OPT_FLAG,   /* bool *: set to true */
  CLI_OPT_STRING, /* const char **: points into argv */
  CLI_OPT_NEEDED, /* a CLI_OPT_STRING the command cannot go without: cli_parse refuses a
                     command line that lacks it ("missing --to DIR", exit 2) before anything is
                     opened; --help marks it "(required)" */
  CLI_OPT_INT,    /* int64_t *: decimal */
  CLI_OPT_LIST,   /* struct cli_list *: every occurrence appended */
};

struct cli_list {
  const char *items[64];
  size_t count;
};

struct cli_opt {
  const char *name; /* long name without dashes: "data" for --data */
  char short_name;  /* 0 for none */
  enum cli_opt_type type;
  void *dest;
  const char *arg; /* placeholder in help: "DIR" */
  const char *help_en;
  const char *help_zh;
};

/* Describes one command for parsing and for its --help text. */
struct cli_spec {
  const char *usage;    /* "finshield init [--data DIR] [--self-signed]" */
  const char *about_en; /* a paragraph for --help */
  const char *about_zh;
  const struct cli_opt *opts; /* terminated by an entry with name NULL */
  size_t min_args, max_args;  /* positional arguments allowed (max SIZE_MAX: any) */
};

/* Parses argv[1..] against spec. Options may come before or after positionals; "--" ends options.
 * Positional arguments are collected into args/nargs (pointing into argv). Prints --help and
 * returns CLI_EXIT_OK when asked for help; prints a usage error and returns CLI_EXIT_USAGE on a
 * bad option or a missing CLI_OPT_NEEDED one. Otherwise returns -1 ("go on"). */
int cli_parse(struct cli_ctx *ctx, const struct cli_spec *spec, int argc, char **argv,
              const char **args, size_t *nargs);
/* cli_parse for sub-commands that share one option table: `pick` names the options this one
 * takes, long names separated by spaces ("org! username! role! name email"); a '!' makes that
 * one required here, as CLI_OPT_NEEDED does for a string (any type may be required so). --data,
 * --config and --set (CLI_HUB_OPTS) are always taken; NULL takes every option. Parsing and --help
 * both see only the picked options, so a sub-command neither lists nor accepts another's. A name
 * that is not in the table fails the command (exit 1). */
int cli_parse_pick(struct cli_ctx *ctx, const struct cli_spec *spec, const char *pick, int argc,
                   char **argv, const char **args, size_t *nargs);
/* Prints the help text of spec. */
void cli_print_help(struct cli_ctx *ctx, const struct cli_spec *spec);
/* Prints "<Usage>: <usage>" and a newline to out, "Usage" and the usage's "[options]" in the
 * context's language (usage strings are written once, in the command's own words). */
void cli_print_usage(const struct cli_ctx *ctx, FILE *out, const char *label_en,
                     const char *label_zh, const char *usage);

/* ---- reporting ---------------------------------------------------------------------------- */

/* Prints "finshield: <title>: <where>: <message>" to stderr, title and message in the context's
 * language (the message as fs_err_msg gives it), and returns the exit code for it
 * (CLI_EXIT_USAGE for FS_ERR_USAGE, else CLI_EXIT_FAILURE). */
int cli_fail(struct cli_ctx *ctx, const struct fs_err *err);
/* Prints a usage error (the message in both wordings is chosen by ctx->lang) and returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(struct cli_ctx *ctx, const char *usage, const char *msg);
/* For a library call that checked the value of an option (--placeholder NAME=V1,V2): rc, with
 * FS_ERR_INVALID made FS_ERR_USAGE (in err too), so that cli_fail exits 2. */
int cli_option_error(int rc, struct fs_err *err);

/* ---- configuration ------------------------------------------------------------------------ */

/* Options every hub command accepts: --data DIR, --config FILE, --set section.key=value. */
struct cli_hub_opts {
  const char *data_dir;
  const char *config_file;
  struct cli_list overrides;
  const char *listen; /* --listen, for the commands that serve (CLI_LISTEN_OPT) */
};
#define CLI_HUB_OPTS(h)                                                                            \
  {"data",                                                                                         \
   'd',                                                                                            \
   CLI_OPT_STRING,                                                                                 \
   &(h).data_dir,                                                                                  \
   "DIR",                                                                                          \
   "hub data folder (default ./var)",                                                              \
   "中樞資料夾（預設 ./var）"},                                                                    \
      {"config",                                                                                   \
       'c',                                                                                        \
       CLI_OPT_STRING,                                                                             \
       &(h).config_file,                                                                           \
       "FILE",                                                                                     \
       "configuration file (default DIR/finshield.ini when present)",                              \
       "設定檔（預設為資料夾內的 finshield.ini）"},                                                \
  {                                                                                                \
    "set", 0, CLI_OPT_LIST, &(h).overrides, "SECTION.KEY=VALUE", "override one configuration key", \
        "覆寫一個設定值"                                                                    \
  }

#define CLI_LISTEN_OPT(h)                                                                          \
  {                                                                                                \
    "listen", 'l', CLI_OPT_STRING, &(h).listen, "ADDR:PORT",                                       \
        "address to listen on (default 127.0.0.1:8443; port 0 picks a free port)",                 \
        "監聽位址（預設 127.0.0.1:8443；埠號 0 表示自動選擇）"                    \
  }

/* Builds the configuration from defaults, the file and the overrides in h. */
int cli_load_config(struct cli_ctx *ctx, const struct cli_hub_opts *h, struct fs_config *cfg,
                    struct fs_err *err);

/* Loads the configuration and opens the hub it names (pool of max_conns connections). */
struct hub;
int cli_open_hub(struct cli_ctx *ctx, const struct cli_hub_opts *h, struct hub *hub,
                 size_t max_conns, struct fs_err *err);

/* Opens the hub named by h, takes one connection, builds the local operator's actor, runs fn,
 * closes everything, and reports a failure (the exit code is returned). */
struct store_conn;
struct actor;
typedef int (*cli_hub_job_fn)(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                              const struct actor *who, void *arg, struct fs_err *err);
int cli_with_hub(struct cli_ctx *ctx, const struct cli_hub_opts *h, cli_hub_job_fn fn, void *arg);
/* The end of a sub-command that takes at most one argument from a shared option table: parses
 * with `pick` (cli_parse_pick; --help and usage errors return their exit code), puts the
 * argument or NULL in *arg, then runs fn(job) with the hub (cli_with_hub). */
int cli_run_picked(struct cli_ctx *ctx, const struct cli_spec *spec, const char *pick, int argc,
                   char **argv, const char **arg, const struct cli_hub_opts *h, cli_hub_job_fn fn,
                   void *job);

/* The actor a command acts as: the local operator op when as is NULL, else the user named by
 * --as (id or name: that user's visibility and organisation, source "cli"). */
int cli_actor_as(struct store_conn *c, const struct actor *op, const char *as, struct actor *out,
                 struct fs_err *err);

/* Serves the open hub over HTTP until SIGINT or SIGTERM; prints the URL on standard output. */
int cli_serve(struct cli_ctx *ctx, struct hub *hub);

/* ---- sub-commands ------------------------------------------------------------------------- */

struct cli_subcommand {
  const char *name;
  int (*run)(struct cli_ctx *ctx, int argc, char **argv); /* argv[0] is the sub-command */
  const char *summary_en;
  const char *summary_zh;
};

/* Runs the sub-command named by argv[1] from table (NULL-terminated); prints the list for
 * --help or no argument. `usage` is "finshield org <sub-command> [options]". */
int cli_dispatch(struct cli_ctx *ctx, const char *usage, const struct cli_subcommand *table,
                 int argc, char **argv);

/* ---- output ------------------------------------------------------------------------------- */

/* Prints doc as indented JSON followed by a newline. */
void cli_print_json(const void *doc);
/* Prints items (a JSON array of objects) as JSON (json), or as aligned columns for people: keys
 * (NULL-terminated) under the headings en or zh of the user's language, yes/no in it too. Wide
 * (CJK) characters count two columns. */
void cli_print_items(const struct cli_ctx *ctx, const void *items, bool json,
                     const char *const *keys, const char *const *en, const char *const *zh);
/* Reads a secret (password, token, key) from a file, or from standard input when path is "-";
 * trailing newlines (LF or CRLF) are dropped. *len (when len is not NULL) receives its length,
 * NUL bytes included. The caller frees *out after wiping it. */
int cli_read_secret(const char *path, char **out, size_t *len, struct fs_err *err);

#endif
