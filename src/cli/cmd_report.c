/* finshield report: the supervisor's periodic report (HTML with SVG charts, PDF, JSON) and the
 * incentive scores of institutions (one with every part, or all). */
#include "cli/commands.h"

#include "core/buf.h"
#include "core/file.h"
#include "hub/hub.h"
#include "resilience/register.h"
#include "products/products.h"
#include "supervision/supervision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rep_args {
  const char *period, *format, *lang, *output, *org, *as_of, *as;
  bool roc, json;
  const char *by, *from, *to, *members_at; /* stats */
  const char *id;                          /* sector-get */
};

static int write_out(const char *path, const char *data, size_t len, struct fs_err *err)
{
  if (!path || !strcmp(path, "-")) {
    fwrite(data, 1, len, stdout);
    return FS_OK;
  }
  return fs_file_write_atomic(path, data, len, 0644, err);
}

static int supervision_job(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                           const struct actor *op, void *arg, struct fs_err *err)
{
  struct rep_args *a = arg;
  struct actor who;
  struct sup_settings *s = NULL;
  json_t *rep = NULL;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  if (!rc)
    rc = sup_settings_load(&hub->cfg, &s, err);
  if (!rc)
    rc = sup_report_json(c, &who, &s->env, a->period, &rep, err);
  free(s);
  if (rc)
    return rc;
  struct fs_buf b;
  fs_buf_init(&b, 0);
  enum fs_lang lang = a->lang ? (enum fs_lang)fs_lang_parse(a->lang) : ctx->lang;
  const char *format = a->format ? a->format : "html";
  if (!strcmp(format, "json")) {
    char *t = json_dumps(rep, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
    rc = t ? fs_buf_append_str(&b, t) : FS_ERR_NOMEM;
    if (!rc)
      rc = fs_buf_append_char(&b, '\n');
    free(t);
  } else if (!strcmp(format, "pdf")) {
    rc = sup_report_pdf(rep, lang, a->roc, &b, err);
  } else {
    rc = sup_report_html(rep, lang, a->roc, &b, err);
  }
  if (!rc)
    rc = write_out(a->output, b.data ? b.data : "", b.len, err);
  if (!rc && a->output && strcmp(a->output, "-"))
    fprintf(stderr,
            FS_TR(ctx->lang, "report %s written to %s (%zu bytes)\n",
                  "報告 %s 已寫入 %s（%zu 位元組）\n"),
            a->period, a->output, b.len);
  fs_buf_release(&b);
  json_decref(rep);
  return rc;
}

static int score_job(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *op, void *arg, struct fs_err *err)
{
  struct rep_args *a = arg;
  struct actor who;
  struct sup_settings *s = NULL;
  json_t *out = NULL;
  int64_t at = 0;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  if (!rc && a->as_of)
    rc = reg_parse_as_of(a->as_of, "--as-of", &at, err);
  if (!rc)
    rc = sup_settings_load(&hub->cfg, &s, err);
  if (!rc)
    rc = a->org ? sup_score_json(c, &who, &s->env, a->org, at, &out, err)
                : sup_scores_json(c, &who, &s->env, at, &out, err);
  free(s);
  if (rc)
    return rc;
  if (a->json) {
    cli_print_json(out);
  } else if (a->org) {
    bool en = ctx->lang == FS_LANG_EN;
    printf(
        FS_TR(ctx->lang,
              "%s  %s  as of %s\nscore %.1f  tier %s  rate %.2f %%  discount %.1f %%  (model %s)\n",
              "%s  %s  截至 %s\n評分 %.1f  等級 %s  費率 %.2f %%  優惠 %.1f %%（模型 %s）\n"),
        json_string_value(json_object_get(out, "org")),
        json_string_value(json_object_get(json_object_get(out, "name"), en ? "en" : "zh-TW")),
        json_string_value(json_object_get(out, "as_of")),
        json_number_value(json_object_get(out, "score")),
        json_string_value(json_object_get(out, "tier")),
        json_number_value(json_object_get(out, "rate_percent")),
        json_number_value(json_object_get(out, "discount_percent")),
        json_string_value(json_object_get(out, "model")));
    printf("  %-44s %7.1f\n", FS_TR(ctx->lang, "base", "基本分"),
           json_number_value(json_object_get(out, "base")));
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(out, "parts"), i, p)
    {
      if (!json_is_true(json_object_get(p, "applied")) ||
          json_number_value(json_object_get(p, "points")) == 0)
        continue;
      printf("  %-44s %+7.1f\n",
             json_string_value(json_object_get(json_object_get(p, "label"), en ? "en" : "zh-TW")),
             json_number_value(json_object_get(p, "points")));
    }
    printf(
        FS_TR(ctx->lang, "tiered requirements met: %lld of %lld\n",
              "分級要求符合：%lld / %lld 項\n"),
        (long long)json_integer_value(json_object_get(json_object_get(out, "compliance"), "met")),
        (long long)json_integer_value(
            json_object_get(json_object_get(out, "compliance"), "requirements")));
  } else {
    static const char *const keys[] = {"org",  "industry",         "size_tier", "score",
                                       "tier", "compliance_ratio", NULL};
    static const char *const en[] = {"ORG",  "INDUSTRY",           "SIZE", "SCORE",
                                     "TIER", "REQUIREMENTS MET %", NULL};
    static const char *const zh[] = {"機構", "業別",           "規模", "評分",
                                     "等級", "分級要求符合率", NULL};
    cli_print_items(ctx, json_object_get(out, "items"), false, keys, en, zh);
  }
  json_decref(out);
  return FS_OK;
}

/* --format html|pdf|json and --lang zh-TW|en of a rendered report: -1 when both are fine (or
 * absent), else the usage error's exit code. */
static int check_format_lang(struct cli_ctx *ctx, const char *usage, const char *format,
                             const char *lang)
{
  if (format && strcmp(format, "html") && strcmp(format, "pdf") && strcmp(format, "json"))
    return cli_usage_error(
        ctx, usage,
        FS_TR(ctx->lang, "--format is html, pdf or json", "--format 為 html、pdf 或 json"));
  if (lang && fs_lang_parse(lang) < 0)
    return cli_usage_error(ctx, usage,
                           FS_TR(ctx->lang, "--lang is zh-TW or en", "--lang 為 zh-TW 或 en"));
  return -1;
}

static int report_supervision(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  struct rep_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"period", 0, CLI_OPT_NEEDED, &a.period, "PERIOD", "2026-Q3, 2026-H1, 2026-07 or 2026",
       "期間：2026-Q3、2026-H1、2026-07 或 2026"},
      {"format", 0, CLI_OPT_STRING, &a.format, "html|pdf|json", "output format (default html)",
       "輸出格式（預設 html）"},
      {"lang", 0, CLI_OPT_STRING, &a.lang, "zh-TW|en", "language of the report", "報告語言"},
      {"roc", 0, CLI_OPT_FLAG, &a.roc, NULL, "dates in the ROC calendar (民國)",
       "日期以民國紀年表示"},
      {"output", 'o', CLI_OPT_STRING, &a.output, "FILE", "write to FILE (default standard output)",
       "寫入檔案（預設標準輸出）"},
      {"as", 0, CLI_OPT_STRING, &a.as, "USER", "act as this user", "以此使用者身分執行"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = "finshield report supervision --period 2026-Q3 [--format html|pdf|json] [--lang "
               "zh-TW|en] [--roc] [-o FILE]",
      .about_en =
          "The supervisor's report for a period, by industry and size: compliance with the tiered "
          "requirements, BCM coverage, exercises against targets, overdue findings, incident "
          "clocks met, score distribution.",
      .about_zh = "主管機關之期間報告，依業別與規模：分級要求符合情形、營運持續涵蓋率、演練達標、逾"
                  "期缺失、事件時限達成率、評分分布。",
      .opts = opts};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  if ((rc = check_format_lang(ctx, spec.usage, a.format, a.lang)) >= 0)
    return rc;
  return cli_with_hub(ctx, &h, supervision_job, &a);
}

static int report_score(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  struct rep_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"org", 0, CLI_OPT_STRING, &a.org, "CODE",
       "one institution, with every part of its score (default: all)",
       "單一機構及其評分組成（預設：全部）"},
      {"as-of", 0, CLI_OPT_STRING, &a.as_of, "DATE",
       "as the records stood then (YYYY-MM-DD or RFC 3339)", "以當時之紀錄計算"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON (with the facts and records)",
       "輸出 JSON（含事實與依據紀錄）"},
      {"as", 0, CLI_OPT_STRING, &a.as, "USER", "act as this user", "以此使用者身分執行"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = "finshield report score [--org CODE] [--as-of DATE] [--json]",
      .about_en =
          "Incentive scores from the model in supervision.score_policy_file (default: the built-in "
          "example of the insurance stabilisation fund's 2018 formula).",
      .about_zh = "依 supervision.score_policy_file 之模型計算激勵評分（預設：保險安定基金 2018 "
                  "年公式之內建範例）。",
      .opts = opts};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  return cli_with_hub(ctx, &h, score_job, &a);
}

/* ---- products: statistics, sector reports ------------------------------------------------ */

static int stats_job(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *op, void *arg, struct fs_err *err)
{
  (void)hub;
  struct rep_args *a = arg;
  struct actor who;
  int64_t from = 0, to = 0, members = 0;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  if (!rc && a->from)
    rc = products_parse_day(a->from, "--from", &from, err);
  if (!rc && a->to)
    rc = products_parse_day(a->to, "--to", &to, err);
  if (!rc && a->members_at)
    rc = products_parse_day(a->members_at, "--members-at", &members, err);
  int by = PRODUCTS_BY_YEAR;
  for (int i = 0; a->by && products_period_names[i]; i++)
    if (!strcmp(a->by, products_period_names[i]))
      by = i;
  json_t *out = NULL;
  if (!rc)
    rc = products_stats_json(c, &who, (enum products_period)by, from, to, members, &out, err);
  if (rc)
    return rc;
  const char *format = a->format ? a->format : "table";
  enum fs_lang lang = a->lang ? (enum fs_lang)fs_lang_parse(a->lang) : ctx->lang;
  if (!strcmp(format, "json")) {
    cli_print_json(out);
  } else {
    struct fs_buf b;
    fs_buf_init(&b, 0);
    products_stats_text(out, !strcmp(format, "csv"), a->roc, lang, &b);
    fwrite(b.data ? b.data : "", 1, b.len, stdout);
    fs_buf_release(&b);
  }
  json_decref(out);
  return FS_OK;
}

static int report_stats(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  struct rep_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"by", 0, CLI_OPT_NEEDED, &a.by, "year|half|quarter|month", "the periods", "統計區間"},
      {"from", 0, CLI_OPT_STRING, &a.from, "DATE", "first day (default: the first product)",
       "起始日（預設：第一項產品）"},
      {"to", 0, CLI_OPT_STRING, &a.to, "DATE", "last day, included (default today)",
       "結束日（含，預設今日）"},
      {"members-at", 0, CLI_OPT_STRING, &a.members_at, "DATE",
       "count the member institutions at this day (default --to)",
       "計算此日之會員機構數（預設 --to）"},
      {"roc", 0, CLI_OPT_FLAG, &a.roc, NULL, "periods and dates in the ROC calendar (民國)",
       "區間與日期以民國紀年表示"},
      {"format", 0, CLI_OPT_STRING, &a.format, "table|csv|json", "output (default table)",
       "輸出格式（預設 table）"},
      {"lang", 0, CLI_OPT_STRING, &a.lang, "zh-TW|en", "language of the headings", "標題語言"},
      {"as", 0, CLI_OPT_STRING, &a.as, "USER", "act as this user", "以此使用者身分執行"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = "finshield report stats --by year|half|quarter|month [--from D --to D] "
               "[--members-at D] [--roc] [--format table|csv|json]",
      .about_en = "The hub's four products (vulnerability advisories, threat intelligence, "
                  "periodic reports, analysis reports) and their total per period, by first "
                  "publication, and the member institutions at a date (docs/reports.md).",
      .about_zh =
          "依區間統計中樞四類產品（資安漏洞、威脅情資、定期週/月報、分析報告）及合計（以首次"
          "發布日計），及某日之會員機構數（docs/reports.md）。",
      .opts = opts};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  bool by_ok = false;
  for (int i = 0; products_period_names[i]; i++)
    by_ok |= !strcmp(a.by, products_period_names[i]);
  if (!by_ok)
    return cli_usage_error(ctx, spec.usage,
                           FS_TR(ctx->lang, "--by is year, half, quarter or month",
                                 "--by 為 year、half、quarter 或 month"));
  if (a.format && strcmp(a.format, "table") && strcmp(a.format, "csv") && strcmp(a.format, "json"))
    return cli_usage_error(
        ctx, spec.usage,
        FS_TR(ctx->lang, "--format is table, csv or json", "--format 為 table、csv 或 json"));
  if (a.lang && fs_lang_parse(a.lang) < 0)
    return cli_usage_error(ctx, spec.usage,
                           FS_TR(ctx->lang, "--lang is zh-TW or en", "--lang 為 zh-TW 或 en"));
  return cli_with_hub(ctx, &h, stats_job, &a);
}

static int sector_job(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                      const struct actor *op, void *arg, struct fs_err *err)
{
  struct rep_args *a = arg;
  struct actor who;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  char id[37] = "";
  if (!rc && a->period) { /* make */
    struct products_env env;
    hub_products_env(hub, &env);
    rc = products_periodic_make(c, &who, &env, a->period, id, err);
    if (!rc)
      fprintf(stderr,
              FS_TR(ctx->lang, "sector report %s made and kept (%s)\n",
                    "已產製並保存產業報告 %s（%s）\n"),
              a->period, id);
  }
  if (!rc && !a->period && !a->id) { /* list */
    json_t *out = NULL;
    rc = products_periodic_list(c, &who, &out, err);
    static const char *const keys[] = {"period", "kind", "made", "made_by", "id", NULL};
    static const char *const en[] = {"PERIOD", "KIND", "MADE", "BY", "ID", NULL};
    static const char *const zh[] = {"期間", "種類", "產製時間", "產製者", "ID", NULL};
    if (!rc)
      cli_print_items(ctx, json_object_get(out, "items"), a->json, keys, en, zh);
    json_decref(out);
    return rc;
  }
  if (!rc && (a->output || a->id)) {
    struct fs_buf b;
    fs_buf_init(&b, 0);
    enum fs_lang lang = a->lang ? (enum fs_lang)fs_lang_parse(a->lang) : ctx->lang;
    rc = products_periodic_get(c, &who, id[0] ? id : a->id, a->format ? a->format : "html", lang,
                               &b, err);
    if (!rc)
      rc = write_out(a->output, b.data ? b.data : "", b.len, err);
    fs_buf_release(&b);
  }
  return rc;
}

static int report_sector(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  struct rep_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"period", 0, CLI_OPT_STRING, &a.period, "2026-W23|2026-06",
       "make and keep the weekly or monthly report of this period", "產製並保存此週或此月之報告"},
      {"show", 0, CLI_OPT_STRING, &a.id, "ID|PERIOD", "write a kept report", "輸出已保存之報告"},
      {"format", 0, CLI_OPT_STRING, &a.format, "html|pdf|json", "output format (default html)",
       "輸出格式（預設 html）"},
      {"lang", 0, CLI_OPT_STRING, &a.lang, "zh-TW|en", "language of the report", "報告語言"},
      {"output", 'o', CLI_OPT_STRING, &a.output, "FILE", "write to FILE (default standard output)",
       "寫入檔案（預設標準輸出）"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "list as JSON", "以 JSON 列出"},
      {"as", 0, CLI_OPT_STRING, &a.as, "USER", "act as this user", "以此使用者身分執行"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = "finshield report sector [--period 2026-W23|2026-06 [-o FILE]] [--show ID|PERIOD "
               "[--format html|pdf|json] [--lang zh-TW|en] [-o FILE]] [--json]",
      .about_en = "The weekly and monthly sector reports: --period makes and keeps one (HTML with "
                  "SVG charts and PDF, zh-TW and English); --show writes a kept one; without "
                  "either, the kept ones are listed.",
      .about_zh = "產業週報與月報：--period 產製並保存（HTML 含 SVG 圖表與 PDF，中英文）；--show "
                  "輸出已保存之報告；皆未指定時列出已保存之報告。",
      .opts = opts};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  if ((rc = check_format_lang(ctx, spec.usage, a.format, a.lang)) >= 0)
    return rc;
  return cli_with_hub(ctx, &h, sector_job, &a);
}

int cmd_report(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"supervision", report_supervision, "the supervisor's periodic report (HTML, PDF, JSON)",
       "主管機關期間報告（HTML、PDF、JSON）"},
      {"score", report_score, "incentive scores with their parts", "激勵評分及其組成"},
      {"stats", report_stats, "the products per period and the members at a date",
       "依區間統計產品與某日會員數"},
      {"sector", report_sector, "weekly and monthly sector reports: make, list, show",
       "產業週報與月報：產製、列出、輸出"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield report <sub-command> [options]", subs, argc, argv);
}
