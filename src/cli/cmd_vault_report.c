/* finshield vault drill --report-to: the drill record goes to the hub (POST
 * /api/v1/resilience/drills) with the member's token; the hub's verdict is printed. */
#include "cli/cmd_vault.h"

#include "core/buf.h"
#include "core/file.h"
#include "core/jsonx.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
  struct fs_buf *b = ud;
  return fs_buf_append(b, p, size * n) ? 0 : size * n;
}

static int fail(struct cli_ctx *ctx, const char *where, const char *msg)
{
  struct fs_err err;
  fs_err_set(&err, FS_ERR_INVALID, where, "%s", msg);
  return cli_fail(ctx, &err);
}

int vcli_report_drill(struct cli_ctx *ctx, const struct vopts *o, const char *evidence)
{
  char *token = NULL;
  struct fs_err err;
  if (o->token_file) {
    if (cli_read_secret(o->token_file, &token, NULL, &err))
      return cli_fail(ctx, &err);
  } else if (getenv("FINSHIELD_TOKEN") && *getenv("FINSHIELD_TOKEN")) {
    token = strdup(getenv("FINSHIELD_TOKEN"));
  }
  if (!token)
    return fail(ctx, "--token-file",
                FS_TR(ctx->lang,
                      "give the member's API token with --token-file FILE or FINSHIELD_TOKEN",
                      "請以 --token-file 或 FINSHIELD_TOKEN 提供會員 API 權杖"));
  json_t *ev = NULL, *att = NULL;
  int rc = jsonx_parse_object(evidence, strlen(evidence), &ev, &err);
  if (!rc && o->attestation) {
    struct fs_buf b;
    fs_buf_init(&b, 1u << 20);
    rc = fs_file_read_all(o->attestation, &b, &err);
    if (!rc)
      rc = jsonx_parse_object(b.data ? b.data : "", b.len, &att, &err);
    fs_buf_release(&b);
  }
  if (rc)
    json_decref(ev);
  json_t *body =
      rc ? NULL
         : json_pack("{s:s,s:o,s:o?}", "service", o->service, "evidence", ev, "attestation", att);
  char *text = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
  json_decref(body);
  if (rc || !text) {
    free(text);
    memset(token, 0, strlen(token));
    free(token);
    return rc ? cli_fail(ctx, &err) : fail(ctx, "drill", "out of memory");
  }
  char url[2048], auth[600];
  size_t ul = strlen(o->report_to);
  snprintf(url, sizeof(url), "%.*s/api/v1/resilience/drills",
           (int)(ul && o->report_to[ul - 1] == '/' ? ul - 1 : ul), o->report_to);
  snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
  memset(token, 0, strlen(token));
  free(token);
  struct fs_buf resp;
  fs_buf_init(&resp, 1u << 20);
  CURL *cu = curl_easy_init();
  struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
  h = curl_slist_append(h, auth);
  memset(auth, 0, sizeof(auth));
  long status = 0;
  CURLcode cr = CURLE_FAILED_INIT;
  if (cu && h) {
    curl_easy_setopt(cu, CURLOPT_URL, url);
    curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(cu, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(cu, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(cu, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
    if (o->cacert)
      curl_easy_setopt(cu, CURLOPT_CAINFO, o->cacert);
    cr = curl_easy_perform(cu);
    curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &status);
  }
  curl_slist_free_all(h);
  curl_easy_cleanup(cu);
  free(text);
  int exit = CLI_EXIT_OK;
  json_t *doc = NULL;
  if (cr != CURLE_OK) {
    exit = fail(ctx, url, curl_easy_strerror(cr));
  } else if (jsonx_parse_object(resp.data ? resp.data : "", resp.len, &doc, &err)) {
    char msg[160];
    snprintf(msg, sizeof(msg), "the hub answered %ld with a body that is not JSON", status);
    exit = fail(ctx, url, msg);
  } else if (status != 201) {
    json_t *e = json_object_get(doc, "error");
    const char *w = json_string_value(json_object_get(e, "where"));
    const char *d =
        fs_msg_pick(json_string_value(json_object_get(e, "detail")),
                    json_string_value(json_object_get(e, "detail_zh")), ctx->lang != FS_LANG_EN);
    fprintf(stderr,
            FS_TR(ctx->lang, "finshield: the hub refused the drill evidence (%ld): %s%s%s\n",
                  "finshield：中樞拒收演練證據（%ld）：%s%s%s\n"),
            status, w && *w ? w : "", w && *w ? ": " : "", d ? d : "");
    exit = CLI_EXIT_FAILURE;
  } else {
    json_t *f = json_object_get(doc, "fields");
    const char *verdict = json_string_value(json_object_get(f, "verdict"));
    bool pass = verdict && !strcmp(verdict, "pass");
    fprintf(
        stderr, FS_TR(ctx->lang, "hub verdict for %s: %s (%s)\n", "中樞對 %s 之判定：%s（%s）\n"),
        o->service, pass ? FS_TR(ctx->lang, "pass", "通過") : FS_TR(ctx->lang, "FAIL", "未通過"),
        fs_msg_pick(json_string_value(json_object_get(f, "reason")),
                    json_string_value(json_object_get(f, "reason_zh")), ctx->lang != FS_LANG_EN));
    exit = pass ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
  }
  json_decref(doc);
  fs_buf_release(&resp);
  return exit;
}
