/* /api/v1/supervision: incentive scores (one institution's with every part, or everyone's) and
 * the supervisor's periodic report in JSON, HTML or PDF. */
#include "http/api.h"

#include "resilience/register.h"
#include "supervision/supervision.h"

#include <stdlib.h>
#include <string.h>

/* The settings for this request: the policy files are read now, so an edited model applies
 * without a restart; an invalid one is the operator's error (500 naming the file and line). */
static int settings(struct http_request *req, struct sup_settings **s)
{
  int rc = sup_settings_load(&req->hub->cfg, s, &req->err);
  if (rc == FS_ERR_INVALID || rc == FS_ERR_PARSE || rc == FS_ERR_TOO_LARGE) {
    struct fs_err e = req->err;
    return fs_err_set(&req->err, FS_ERR_INTERNAL, e.where,
                      "the hub's score or clock policy file is invalid: %s", e.msg);
  }
  return rc;
}

/* Everyone's scores (id NULL) or one institution's with every part. */
static int scores(struct http_request *req, struct http_response *res, const char *id)
{
  static const char *const params[] = {"as_of", NULL};
  struct store_conn *c;
  struct sup_settings *s = NULL;
  json_t *out;
  int64_t at;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = api_as_of_param(req, &at);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = settings(req, &s);
  if (!rc)
    rc = id ? sup_score_json(c, &req->who, &s->env, id, at, &out, &req->err)
            : sup_scores_json(c, &req->who, &s->env, at, &out, &req->err);
  free(s);
  return rc ? rc : http_json(res, 200, out);
}

int api_scores_list(struct http_request *req, struct http_response *res)
{
  return scores(req, res, NULL);
}

int api_scores_get(struct http_request *req, struct http_response *res)
{
  return scores(req, res, req->params[0]);
}

int api_supervision_report(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"period", "format", "lang", "roc", NULL};
  static const char *const formats[] = {"json", "html", "pdf", NULL};
  static const char *const langs[] = {"zh-TW", "en", NULL};
  struct store_conn *c;
  struct sup_settings *s = NULL;
  json_t *rep = NULL;
  const char *format = NULL, *lang = NULL;
  int64_t roc = 0;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "format", formats, &format, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "lang", langs, &lang, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "roc", 0, 1, 0, &roc, &req->err);
  const char *period = http_query_get(&req->query, "period");
  if (!rc && !period)
    rc = fs_err_set(&req->err, FS_ERR_INVALID, "period", "give the period, e.g. ?period=2026-Q3");
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = settings(req, &s);
  if (!rc)
    rc = sup_report_json(c, &req->who, &s->env, period, &rep, &req->err);
  free(s);
  if (rc)
    return rc;
  if (!format || !strcmp(format, "json"))
    return http_json(res, 200, rep);
  enum fs_lang l = lang && !strcmp(lang, "en") ? FS_LANG_EN : FS_LANG_ZH_TW;
  fs_buf_reset(&res->body);
  bool pdf = !strcmp(format, "pdf");
  rc = pdf ? sup_report_pdf(rep, l, roc != 0, &res->body, &req->err)
           : sup_report_html(rep, l, roc != 0, &res->body, &req->err);
  json_decref(rep);
  if (rc)
    return rc;
  res->status = 200;
  res->content_type = pdf ? "application/pdf" : "text/html; charset=utf-8";
  if (!pdf)
    res->csp = HTTP_CSP_DOCUMENT; /* its styles are inline; it runs nothing */
  if (pdf)
    http_header(res, "Content-Disposition", "attachment; filename=\"supervision-%.20s.pdf\"",
                period);
  return FS_OK;
}
