/* Shared option parsing, help text, error reporting and configuration loading for commands. */
#include "cli/cli.h"

#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_print_help(struct cli_ctx *ctx, const struct cli_spec *spec)
{
  printf("%s: %s\n\n", FS_TR(ctx->lang, "Usage", "用法"), spec->usage);
  const char *about = FS_TR(ctx->lang, spec->about_en, spec->about_zh);
  if (about && *about)
    printf("%s\n\n", about);
  if (spec->opts && spec->opts[0].name)
    printf("%s:\n", FS_TR(ctx->lang, "Options", "選項"));
  for (const struct cli_opt *o = spec->opts; o && o->name; o++) {
    char left[96];
    int n = 0;
    if (o->short_name)
      n = snprintf(left, sizeof(left), "-%c, ", o->short_name);
    snprintf(left + n, sizeof(left) - (size_t)n, "--%s%s%s", o->name, o->arg ? " " : "",
             o->arg ? o->arg : "");
    printf("  %-30s %s%s\n", left, FS_TR(ctx->lang, o->help_en, o->help_zh),
           o->type == CLI_OPT_NEEDED ? FS_TR(ctx->lang, " (required)", "（必填）") : "");
  }
  printf("  %-30s %s\n", "-h, --help", FS_TR(ctx->lang, "show this help", "顯示本說明"));
}

int cli_usage_error(struct cli_ctx *ctx, const char *usage, const char *msg)
{
  fprintf(stderr, "%s: %s\n%s: %s\n", ctx->prog, msg, FS_TR(ctx->lang, "usage", "用法"), usage);
  return CLI_EXIT_USAGE;
}

static const struct cli_opt *find_long(const struct cli_opt *opts, const char *name, size_t len)
{
  for (const struct cli_opt *o = opts; o && o->name; o++)
    if (strlen(o->name) == len && !strncmp(o->name, name, len))
      return o;
  return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *opts, char c)
{
  for (const struct cli_opt *o = opts; o && o->name; o++)
    if (o->short_name == c)
      return o;
  return NULL;
}

static int store_value(struct cli_ctx *ctx, const struct cli_spec *spec, const struct cli_opt *o,
                       const char *value)
{
  char msg[256];
  switch (o->type) {
  case CLI_OPT_FLAG:
    *(bool *)o->dest = true;
    return -1;
  case CLI_OPT_STRING:
  case CLI_OPT_NEEDED:
    *(const char **)o->dest = value;
    return -1;
  case CLI_OPT_INT: {
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (!*value || *end || errno) {
      snprintf(msg, sizeof(msg),
               FS_TR(ctx->lang, "--%s expects a whole number, not \"%s\"", "--%s 需要整數，而非「%s」"),
               o->name, value);
      return cli_usage_error(ctx, spec->usage, msg);
    }
    *(int64_t *)o->dest = v;
    return -1;
  }
  case CLI_OPT_LIST: {
    struct cli_list *l = o->dest;
    if (l->count >= FS_ARRAY_SIZE(l->items)) {
      snprintf(msg, sizeof(msg), FS_TR(ctx->lang, "--%s given too many times", "--%s 次數過多"),
               o->name);
      return cli_usage_error(ctx, spec->usage, msg);
    }
    l->items[l->count++] = value;
    return -1;
  }
  }
  return -1;
}

int cli_parse(struct cli_ctx *ctx, const struct cli_spec *spec, int argc, char **argv,
              const char **args, size_t *nargs)
{
  *nargs = 0;
  bool only_positional = false;
  char msg[256];
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (only_positional || a[0] != '-' || !a[1]) {
      if (*nargs >= spec->max_args) {
        snprintf(msg, sizeof(msg), FS_TR(ctx->lang, "unexpected argument \"%s\"", "多餘的參數「%s」"), a);
        return cli_usage_error(ctx, spec->usage, msg);
      }
      args[(*nargs)++] = a;
      continue;
    }
    if (!strcmp(a, "--")) {
      only_positional = true;
      continue;
    }
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      cli_print_help(ctx, spec);
      return CLI_EXIT_OK;
    }
    const struct cli_opt *o;
    const char *inline_value = NULL;
    if (a[1] == '-') {
      const char *name = a + 2;
      const char *eq = strchr(name, '=');
      o = find_long(spec->opts, name, eq ? (size_t)(eq - name) : strlen(name));
      if (eq)
        inline_value = eq + 1;
    } else {
      o = a[2] ? NULL : find_short(spec->opts, a[1]);
    }
    if (!o) {
      snprintf(msg, sizeof(msg), FS_TR(ctx->lang, "unknown option \"%s\"", "未知的選項「%s」"), a);
      return cli_usage_error(ctx, spec->usage, msg);
    }
    const char *value = NULL;
    if (o->type == CLI_OPT_FLAG) {
      if (inline_value) {
        snprintf(msg, sizeof(msg), FS_TR(ctx->lang, "--%s takes no value", "--%s 不接受值"), o->name);
        return cli_usage_error(ctx, spec->usage, msg);
      }
    } else if (inline_value) {
      value = inline_value;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      snprintf(msg, sizeof(msg), FS_TR(ctx->lang, "--%s needs a value (%s)", "--%s 需要一個值（%s）"),
               o->name, o->arg ? o->arg : "VALUE");
      return cli_usage_error(ctx, spec->usage, msg);
    }
    int rc = store_value(ctx, spec, o, value);
    if (rc >= 0)
      return rc;
  }
  for (const struct cli_opt *o = spec->opts; o && o->name; o++)
    if (o->type == CLI_OPT_NEEDED && !*(const char **)o->dest) {
      snprintf(msg, sizeof(msg), FS_TR(ctx->lang, "missing --%s %s", "缺少 --%s %s"), o->name,
               o->arg ? o->arg : "");
      return cli_usage_error(ctx, spec->usage, msg);
    }
  if (*nargs < spec->min_args) {
    snprintf(msg, sizeof(msg), FS_TR(ctx->lang, "missing argument", "缺少參數"));
    return cli_usage_error(ctx, spec->usage, msg);
  }
  return -1;
}

int cli_fail(struct cli_ctx *ctx, const struct fs_err *err)
{
  bool zh = ctx->lang == FS_LANG_ZH_TW;
  const char *title = fs_code_message(err->code, zh);
  if (err->where[0])
    fprintf(stderr, "%s: %s: %s: %s\n", ctx->prog, title, err->where, err->msg);
  else
    fprintf(stderr, "%s: %s: %s\n", ctx->prog, title, err->msg[0] ? err->msg : title);
  return err->code == FS_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
}

int cli_load_config(struct cli_ctx *ctx, const struct cli_hub_opts *h, struct fs_config *cfg,
                    struct fs_err *err)
{
  fs_config_defaults(cfg);
  if (h->data_dir && fs_config_set(cfg, "hub", "data_dir", h->data_dir, err))
    return FS_ERR_USAGE;
  char path[FS_CONFIG_PATH_MAX + 32];
  const char *file = h->config_file;
  if (!file) {
    snprintf(path, sizeof(path), "%s/finshield.ini", cfg->data_dir);
    if (fs_path_exists(path))
      file = path;
  }
  int rc;
  if (file && (rc = fs_config_load_file(cfg, file, err)))
    return rc;
  /* The folder named on the command line wins over one named in the file. */
  if (h->data_dir && fs_config_set(cfg, "hub", "data_dir", h->data_dir, err))
    return FS_ERR_USAGE;
  for (size_t i = 0; i < h->overrides.count; i++)
    if ((rc = fs_config_set_override(cfg, h->overrides.items[i], err)))
      return rc == FS_ERR_INVALID ? FS_ERR_USAGE : rc;
  if (h->listen && fs_config_set(cfg, "http", "listen", h->listen, err))
    return FS_ERR_USAGE;
  (void)ctx;
  return fs_config_validate(cfg, err);
}
