/* finshield scan: matches log files (plain, .gz, .zst, or standard input) against indicator lists
 * or STIX bundles and Sigma rules without a server; one JSON alert per line on standard output. */
#include "cli/commands.h"
#include "cli/progress.h"

#include "core/buf.h"
#include "core/time.h"
#include "detect/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IOC_CHUNK (8u << 20)
#define MAX_STIX_FILE ((size_t)1 << 31)
#define SHOWN_ERRORS 10

struct scan_cli {
  struct cli_ctx *ctx;
  size_t ioc_errors, parse_errors_shown, rule_problems;
};

static void warn(struct cli_ctx *ctx, const char *where, const char *msg)
{
  fprintf(stderr, "%s: %s: %s%s%s\n", ctx->prog, FS_TR(ctx->lang, "warning", "警告"), where,
          where[0] ? ": " : "", msg);
}

static int on_ioc_error(void *arg, const struct fs_err *e)
{
  struct scan_cli *s = arg;
  if (s->ioc_errors++ < SHOWN_ERRORS)
    warn(s->ctx, e->where, fs_err_msg(e, s->ctx->lang == FS_LANG_ZH_TW));
  return 0;
}

static void on_rule_problem(void *arg, const struct detect_sigma_problem *p)
{
  struct scan_cli *s = arg;
  s->rule_problems++;
  (void)p;
}

static void on_parse_error(void *arg, const struct fs_err *e)
{
  struct scan_cli *s = arg;
  if (s->parse_errors_shown++ < SHOWN_ERRORS)
    warn(s->ctx, e->where, fs_err_msg(e, s->ctx->lang == FS_LANG_ZH_TW));
}

static int write_out(void *arg, const char *data, size_t len)
{
  (void)arg;
  return fwrite(data, 1, len, stdout) == len ? 0 : FS_ERR_IO;
}

/* A plain list is read in pieces of whole lines (it may be large, or compressed). */
static int load_list(struct detect_ioc_builder *b, struct detect_input *in, const char *path,
                     struct detect_ioc_load_opts *o, char *buf, size_t have, size_t *loaded,
                     struct fs_err *err)
{
  size_t carry = have;
  *loaded = 0;
  for (;;) {
    size_t got;
    int rc = detect_input_read(in, buf + carry, IOC_CHUNK - carry, &got, err);
    if (rc)
      return rc;
    size_t len = carry + got;
    bool eof = got == 0;
    const char *last = eof ? NULL : memrchr(buf, '\n', len);
    size_t use = eof ? len : last ? (size_t)(last - buf) + 1 : 0;
    if (!use && !eof)
      return fs_err_set(err, FS_ERR_TOO_LARGE, path, "a line longer than %u bytes", IOC_CHUNK);
    size_t n;
    rc = detect_iocs_load_list(b, buf, use, path, o, &n, err);
    if (rc)
      return rc;
    *loaded += n;
    for (size_t i = 0; i < use; i++)
      o->first_line += buf[i] == '\n';
    if (eof)
      return FS_OK;
    carry = len - use;
    memmove(buf, buf + use, carry);
  }
}

static int load_iocs(struct scan_cli *s, struct detect_ioc_builder *b, const char *path,
                     size_t *loaded, struct fs_err *err)
{
  struct detect_input *in;
  int rc = detect_input_open(path, &in, err);
  if (rc)
    return rc;
  char *buf = malloc(IOC_CHUNK);
  struct detect_ioc_load_opts o = {.on_error = on_ioc_error, .arg = s};
  size_t got = 0;
  if (!buf) {
    rc = fs_err_set(err, FS_ERR_NOMEM, path, "out of memory");
  } else if (!(rc = detect_input_read(in, buf, 4096, &got, err))) {
    size_t i = 0;
    while (i < got && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
      i++;
    if (i < got && (buf[i] == '{' || buf[i] == '[')) { /* a STIX bundle */
      struct fs_buf all;
      fs_buf_init(&all, MAX_STIX_FILE);
      rc = fs_buf_append(&all, buf, got);
      while (!rc) {
        rc = detect_input_read(in, buf, IOC_CHUNK, &got, err);
        if (rc || !got)
          break;
        rc = fs_buf_append(&all, buf, got);
        if (rc)
          fs_err_set(err, rc, path, "STIX bundle too large");
      }
      if (!rc)
        rc = detect_iocs_load_stix(b, all.data, all.len, path, &o, loaded, err);
      fs_buf_release(&all);
    } else {
      rc = load_list(b, in, path, &o, buf, got, loaded, err);
    }
  }
  free(buf);
  detect_input_close(in);
  return rc;
}

int cmd_scan(struct cli_ctx *ctx, int argc, char **argv)
{
  static const char usage[] =
      "finshield scan [--iocs FILE]... [--rules PATH]... [--format FORMAT] [--threads N] "
      "[--summary] [--no-dedup] [--placeholder NAME=VALUES]... [--event-bytes N] "
      "[--progress|--quiet] FILE...";
  struct cli_list iocs = {0}, rules = {0}, placeholders = {0};
  const char *format = "auto";
  int64_t threads = 1, event_bytes = 4096;
  bool summary = false, no_dedup = false;
  struct cli_progress progress = {0};
  const struct cli_opt opts[] = {
      {"iocs", 'i', CLI_OPT_LIST, &iocs, "FILE",
       "indicators: a plain list (one a line, type detected) or a STIX 2.1 bundle",
       "情資指標：純文字清單（每行一個，自動判斷類型）或 STIX 2.1 bundle"},
      {"rules", 'r', CLI_OPT_LIST, &rules, "PATH", "Sigma rules: a .yml file or a folder of them",
       "Sigma 規則：.yml 檔或其資料夾"},
      {"format", 'f', CLI_OPT_STRING, &format, "FORMAT",
       "auto (per line), rfc5424, rfc3164, cef, json, kv or text",
       "auto（逐行判斷）、rfc5424、rfc3164、cef、json、kv 或 text"},
      {"threads", 't', CLI_OPT_INT, &threads, "N", "worker threads (default 1)",
       "工作執行緒數（預設 1）"},
      {"summary", 's', CLI_OPT_FLAG, &summary, NULL,
       "end with a JSON summary line (events, bytes, alerts, parse errors, seconds)",
       "最後輸出一行 JSON 摘要（事件數、位元組、告警、解析錯誤、秒數）"},
      {"no-dedup", 0, CLI_OPT_FLAG, &no_dedup, NULL,
       "report every match, not once per indicator or rule and key values",
       "回報每一次比中，不依指標或規則與關鍵值去除重複"},
      {"placeholder", 'p', CLI_OPT_LIST, &placeholders, "NAME=V1,V2",
       "values of a Sigma %NAME% placeholder (the expand modifier)",
       "Sigma %NAME% 佔位符的值（expand 修飾詞）"},
      {"event-bytes", 0, CLI_OPT_INT, &event_bytes, "N",
       "bytes of the event copied into an alert (default 4096; 0 leaves it out)",
       "告警中附帶的事件內容位元組數（預設 4096；0 表示不附帶）"},
      CLI_PROGRESS_OPTS(progress),
      {NULL, 0, 0, NULL, NULL, NULL, NULL}};
  const struct cli_spec spec = {
      usage,
      "Matches each record of the files (.gz and .zst are read as such; '-' is standard input) "
      "against the indicators and Sigma rules given and writes one JSON alert per line: the "
      "indicator or rule, the field, the source file:line and the event. An alert is written "
      "once per indicator or rule and key values unless --no-dedup is given.",
      "以指定的情資指標與 Sigma 規則比對檔案中的每一筆紀錄（.gz 與 .zst "
      "直接讀取；「-」為標準輸入），"
      "每個告警輸出一行 JSON：指標或規則、欄位、來源檔案:行號與事件。除非指定 --no-dedup，"
      "同一指標或規則與關鍵值只告警一次。",
      opts,
      1,
      SIZE_MAX};
  const char **files = calloc((size_t)argc + 1, sizeof(char *));
  if (!files)
    return CLI_EXIT_FAILURE;
  size_t nfiles;
  int rc = cli_parse(ctx, &spec, argc, argv, files, &nfiles);
  if (rc >= 0) {
    free(files);
    return rc;
  }
  int fmt = detect_format_parse(format);
  if (fmt < 0 || threads < 1 || threads > 256 || event_bytes < 0 || (!iocs.count && !rules.count)) {
    free(files);
    return cli_usage_error(
        ctx, usage,
        fmt < 0 ? FS_TR(ctx->lang, "unknown --format", "未知的 --format")
        : (threads < 1 || threads > 256)
            ? FS_TR(ctx->lang, "--threads must be 1 to 256", "--threads 須為 1 到 256")
        : event_bytes < 0
            ? FS_TR(ctx->lang, "--event-bytes must not be negative", "--event-bytes 不可為負")
            : FS_TR(ctx->lang, "give --iocs or --rules (or both)",
                    "請指定 --iocs 或 --rules（或兩者）"));
  }
  struct scan_cli s = {.ctx = ctx};
  struct fs_err err;
  struct detect_ioc_index *ix = NULL;
  struct detect_sigma_set *set = NULL;
  struct detect_sigma_corr *corr = NULL;
  size_t indicators = 0;
  double ioc_secs = 0, rule_secs = 0;
  int exit_code = CLI_EXIT_FAILURE;
  if (iocs.count) {
    int64_t t0 = fs_time_mono_ns();
    struct detect_ioc_builder *b = detect_ioc_builder_new();
    if (!b) {
      fs_err_set(&err, FS_ERR_NOMEM, "", "out of memory");
      goto fail;
    }
    for (size_t i = 0; i < iocs.count; i++) {
      size_t n;
      if ((rc = load_iocs(&s, b, iocs.items[i], &n, &err))) {
        detect_ioc_builder_free(b);
        goto fail;
      }
      indicators += n;
    }
    if (!(ix = detect_ioc_builder_finish(b))) {
      fs_err_set(&err, FS_ERR_NOMEM, "", "out of memory building the indicator index");
      goto fail;
    }
    ioc_secs = (double)(fs_time_mono_ns() - t0) / 1e9;
    if (s.ioc_errors > SHOWN_ERRORS)
      fprintf(stderr,
              FS_TR(ctx->lang, "%s: warning: %zu indicator lines not taken in all\n",
                    "%s：警告：共 %zu 行情資指標未採用\n"),
              ctx->prog, s.ioc_errors);
  }
  if (rules.count) {
    int64_t t0 = fs_time_mono_ns();
    struct detect_sigma_loader *l = detect_sigma_loader_new();
    if (!l) {
      fs_err_set(&err, FS_ERR_NOMEM, "", "out of memory");
      goto fail;
    }
    int ph = detect_sigma_loader_placeholder_texts(l, placeholders.items, placeholders.count, &err);
    if (cli_option_error(ph, &err)) {
      detect_sigma_loader_free(l);
      goto fail;
    }
    for (size_t i = 0; i < rules.count; i++) {
      size_t n;
      if (detect_sigma_loader_add_path(l, rules.items[i], on_rule_problem, &s, &n, &err)) {
        detect_sigma_loader_free(l);
        goto fail;
      }
    }
    if (!(set = detect_sigma_compile(l, on_rule_problem, &s, &err)) ||
        !(corr = detect_sigma_corr_new(0))) {
      if (set)
        fs_err_set(&err, FS_ERR_NOMEM, "", "out of memory");
      goto fail;
    }
    rule_secs = (double)(fs_time_mono_ns() - t0) / 1e9;
    if (s.rule_problems)
      fprintf(stderr,
              FS_TR(ctx->lang, "%s: warning: %zu rules not taken (see 'finshield sigma check')\n",
                    "%s：警告：%zu 條規則未採用（請見「finshield sigma check」）\n"),
              ctx->prog, s.rule_problems);
  }
  static char outbuf[1 << 20];
  setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
  struct detect_scan_opts o = {.format = (enum detect_format)fmt,
                               .threads = (unsigned)threads,
                               .dedup = !no_dedup,
                               .max_event_text = (size_t)event_bytes,
                               .view = {ix, set, corr},
                               .now_ms = fs_time_now_ms(),
                               .zone = &detect_scan_local_zone, /* /var/log/syslog's times */
                               .write = write_out,
                               .on_parse_error = on_parse_error,
                               .error_arg = &s,
                               .progress = cli_progress_bytes(ctx, &progress, "scan", "比對")};
  struct detect_scan_stats st;
  rc = detect_scan_files(&o, files, nfiles, &st, &err);
  cli_progress_end(&progress);
  if (s.parse_errors_shown > SHOWN_ERRORS)
    fprintf(stderr,
            FS_TR(ctx->lang, "%s: warning: %llu records did not parse in all\n",
                  "%s：警告：共 %llu 筆紀錄無法解析\n"),
            ctx->prog, (unsigned long long)st.parse_errors);
  if (summary) {
    struct detect_ioc_stats is = {0};
    struct detect_sigma_stats ss = {0};
    if (ix)
      detect_ioc_index_stats(ix, &is);
    if (set)
      detect_sigma_set_stats(set, &ss);
    double secs = st.seconds > 0 ? st.seconds : 1e-9;
    printf("{\"type\":\"summary\",\"files\":%llu,\"events\":%llu,\"lines\":%llu,\"bytes\":%llu,"
           "\"alerts\":%llu,\"duplicates\":%llu,\"parse_errors\":%llu,\"seconds\":%.3f,"
           "\"cpu_seconds\":%.3f,\"events_per_second\":%.0f,\"events_per_cpu_second\":%.0f,"
           "\"mb_per_second\":%.1f,\"threads\":%lld,"
           "\"indicators\":%zu,\"indicator_entries\":%zu,\"indicator_errors\":%zu,"
           "\"indicator_memory_bytes\":%zu,\"indicator_load_seconds\":%.3f,\"rules\":%zu,"
           "\"correlations\":%zu,\"rule_problems\":%zu,\"rule_load_seconds\":%.3f}\n",
           (unsigned long long)st.files, (unsigned long long)st.records,
           (unsigned long long)st.lines, (unsigned long long)st.bytes,
           (unsigned long long)st.alerts, (unsigned long long)st.duplicates,
           (unsigned long long)st.parse_errors, st.seconds, st.cpu_seconds,
           (double)st.records / secs,
           (double)st.records / (st.cpu_seconds > 0 ? st.cpu_seconds : 1e-9),
           (double)st.bytes / secs / 1e6, (long long)threads, indicators, is.entries, s.ioc_errors,
           is.memory_bytes, ioc_secs, ss.rules, ss.correlations, s.rule_problems, rule_secs);
  }
  if (fflush(stdout) && !rc)
    rc = fs_err_set(&err, FS_ERR_IO, "standard output", "write failed");
  if (rc)
    goto fail;
  exit_code = CLI_EXIT_OK;
  goto out;
fail:
  exit_code = cli_fail(ctx, &err);
out:
  detect_ioc_index_free(ix);
  detect_sigma_set_free(set);
  detect_sigma_corr_free(corr);
  free(files);
  return exit_code;
}
