/* /api/v1/publications, /api/v1/reports/stats, /api/v1/reports/periodic and /api/v1/attack:
 * the hub's products (products/), through its one visibility policy. */
#include "http/api.h"

#include "core/jsonx.h"
#include "products/products.h"

#include <string.h>

static const char *const langs[] = {"zh-TW", "en", NULL};

static enum fs_lang lang_of(const char *l)
{
  return l && !strcmp(l, "en") ? FS_LANG_EN : FS_LANG_ZH_TW;
}

static int body_answer(struct http_response *res, bool pdf)
{
  res->status = 200;
  res->content_type = pdf ? "application/pdf" : "text/html; charset=utf-8";
  return FS_OK;
}

/* ---- publications ------------------------------------------------------------------------ */

int api_publications_list(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"type", "status", "limit", NULL};
  struct store_conn *c;
  json_t *out = NULL;
  int64_t limit;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "limit", 1, 1000, 100, &limit, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = products_pub_list(c, &req->who, http_query_get(&req->query, "type"),
                           http_query_get(&req->query, "status"), limit, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_publications_create(struct http_request *req, struct http_response *res)
{
  json_t *body, *out = NULL;
  struct store_conn *c;
  char id[37];
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = http_db(req, &c);
  if (!rc)
    rc = products_pub_create(c, &req->who, body, id, &req->err);
  if (!rc)
    rc = products_pub_get(c, &req->who, id, &out, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 201, out);
}

int api_publications_get(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"format", "lang", NULL};
  static const char *const formats[] = {"json", "html", "pdf", NULL};
  const char *format = NULL, *lang = NULL;
  struct store_conn *c;
  json_t *pub = NULL;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "format", formats, &format, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "lang", langs, &lang, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = products_pub_get(c, &req->who, req->params[0], &pub, &req->err);
  if (rc)
    return rc;
  if (!format || !strcmp(format, "json"))
    return http_json(res, 200, pub);
  bool pdf = !strcmp(format, "pdf");
  fs_buf_reset(&res->body);
  rc = products_pub_render(pub, pdf, lang_of(lang), &res->body, &req->err);
  json_decref(pub);
  return rc ? rc : body_answer(res, pdf);
}

int api_publications_update(struct http_request *req, struct http_response *res)
{
  json_t *body, *out = NULL;
  struct store_conn *c;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = http_db(req, &c);
  if (!rc)
    rc = products_pub_update(c, &req->who, req->params[0], body, &req->err);
  if (!rc)
    rc = products_pub_get(c, &req->who, req->params[0], &out, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 200, out);
}

int api_publications_action(struct http_request *req, struct http_response *res)
{
  json_t *body = NULL, *out = NULL;
  struct store_conn *c;
  int rc = FS_OK;
  if (req->body.len)
    rc = http_body_object(req, &body);
  struct products_env env;
  hub_products_env(req->hub, &env);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = products_pub_action(c, &req->who, &env, req->params[0], req->params[1], body, &req->err);
  if (!rc)
    rc = products_pub_get(c, &req->who, req->params[0], &out, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 200, out);
}

int api_publications_import(struct http_request *req, struct http_response *res)
{
  json_t *items = NULL;
  struct store_conn *c;
  size_t added = 0;
  int rc = jsonx_parse(fs_buf_cstr(&req->body), req->body.len, &items, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = products_pub_import(c, &req->who, items, &added, &req->err);
  json_decref(items);
  return rc ? rc : http_json(res, 200, json_pack("{s:I}", "imported", (json_int_t)added));
}

int api_subscriptions_list(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  json_t *out = NULL;
  int rc = http_db(req, &c);
  if (!rc)
    rc = products_subscriptions_json(c, &req->who, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_subscriptions_create(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"org", "channel", "target", "types", NULL};
  json_t *body;
  struct store_conn *c;
  const char *org = NULL, *channel = NULL, *target = NULL, *types = NULL;
  char id[37];
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "org", 0, 64, &org, &req->err);
  if (!rc)
    rc = jsonx_string(body, "channel", JSONX_REQUIRED, 16, &channel, &req->err);
  if (!rc)
    rc = jsonx_string(body, "target", JSONX_REQUIRED, 500, &target, &req->err);
  if (!rc)
    rc = jsonx_string(body, "types", 0, 100, &types, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = products_subscribe(c, &req->who, org, channel, target, types, id, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 201, json_pack("{s:s}", "id", id));
}

int api_subscriptions_delete(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  int rc = http_db(req, &c);
  if (!rc)
    rc = products_unsubscribe(c, &req->who, req->params[0], &req->err);
  return rc ? rc : http_json(res, 200, json_pack("{s:b}", "deleted", 1));
}

/* ---- statistics and periodic reports --------------------------------------------------------- */

int api_reports_stats(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"by",     "from", "to",   "members_at",
                                       "format", "roc",  "lang", NULL};
  static const char *const formats[] = {"json", "csv", "table", NULL};
  const char *by = NULL, *format = NULL, *lang = NULL;
  int64_t from = 0, to = 0, members = 0, roc = 0;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "by", products_period_names, &by, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "format", formats, &format, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "lang", langs, &lang, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "roc", 0, 1, 0, &roc, &req->err);
  const char *f = http_query_get(&req->query, "from"), *t = http_query_get(&req->query, "to"),
             *m = http_query_get(&req->query, "members_at");
  if (!rc && f)
    rc = products_parse_day(f, "from", &from, &req->err);
  if (!rc && t)
    rc = products_parse_day(t, "to", &to, &req->err);
  if (!rc && m)
    rc = products_parse_day(m, "members_at", &members, &req->err);
  int period = PRODUCTS_BY_YEAR;
  for (int i = 0; by && products_period_names[i]; i++)
    if (!strcmp(by, products_period_names[i]))
      period = i;
  struct store_conn *c;
  json_t *out = NULL;
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = products_stats_json(c, &req->who, (enum products_period)period, from, to, members, &out,
                             &req->err);
  if (rc)
    return rc;
  if (!format || !strcmp(format, "json"))
    return http_json(res, 200, out);
  fs_buf_reset(&res->body);
  products_stats_text(out, !strcmp(format, "csv"), roc != 0, lang_of(lang), &res->body);
  json_decref(out);
  res->status = 200;
  res->content_type =
      !strcmp(format, "csv") ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8";
  return FS_OK;
}

int api_reports_periodic_list(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  json_t *out = NULL;
  int rc = http_db(req, &c);
  if (!rc)
    rc = products_periodic_list(c, &req->who, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_reports_periodic_make(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"period", NULL};
  json_t *body;
  const char *period = NULL;
  struct store_conn *c;
  char id[37];
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "period", JSONX_REQUIRED, 16, &period, &req->err);
  struct products_env env;
  hub_products_env(req->hub, &env);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = products_periodic_make(c, &req->who, &env, period, id, &req->err);
  json_decref(body);
  return rc ? rc : http_json(res, 201, json_pack("{s:s}", "id", id));
}

int api_reports_periodic_get(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"format", "lang", NULL};
  static const char *const formats[] = {"html", "pdf", "json", NULL};
  const char *format = NULL, *lang = NULL;
  struct store_conn *c;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "format", formats, &format, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "lang", langs, &lang, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!format)
    format = "html";
  fs_buf_reset(&res->body);
  if (!rc)
    rc = products_periodic_get(c, &req->who, req->params[0], format, lang_of(lang), &res->body,
                               &req->err);
  if (rc)
    return rc;
  res->status = 200;
  res->content_type = !strcmp(format, "pdf")    ? "application/pdf"
                      : !strcmp(format, "json") ? "application/json; charset=utf-8"
                                                : "text/html; charset=utf-8";
  return FS_OK;
}

/* ---- ATT&CK ------------------------------------------------------------------------------ */

int api_attack_import(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  json_t *out = NULL;
  int rc = http_db(req, &c);
  if (!rc)
    rc = products_attack_import(c, &req->who, fs_buf_cstr(&req->body), req->body.len, &out,
                                &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_attack_techniques(struct http_request *req, struct http_response *res)
{
  struct store_conn *c;
  json_t *out = NULL;
  int rc = http_db(req, &c);
  if (!rc)
    rc = products_attack_catalogue(c, &req->who, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_attack_tag(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"kind", "ref", "technique", NULL};
  json_t *body;
  const char *kind = NULL, *ref = NULL, *technique = NULL;
  struct store_conn *c;
  int rc = http_body_object(req, &body);
  if (rc)
    return rc;
  rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc = jsonx_string(body, "kind", JSONX_REQUIRED, 16, &kind, &req->err);
  if (!rc)
    rc = jsonx_string(body, "ref", JSONX_REQUIRED, 300, &ref, &req->err);
  if (!rc)
    rc = jsonx_string(body, "technique", JSONX_REQUIRED, 16, &technique, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = products_attack_tag(c, &req->who, kind, ref, technique, &req->err);
  if (!rc)
    rc = http_json(res, 201,
                   json_pack("{s:s,s:s,s:s}", "kind", kind, "ref", ref, "technique", technique));
  json_decref(body); /* kind, ref and technique point into it */
  return rc;
}

int api_attack_counts(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"from", "to", NULL};
  int64_t from = 0, to = 0;
  int rc = http_query_only(&req->query, params, &req->err);
  const char *f = http_query_get(&req->query, "from"), *t = http_query_get(&req->query, "to");
  if (!rc && f)
    rc = products_parse_day(f, "from", &from, &req->err);
  if (!rc && t)
    rc = products_parse_day(t, "to", &to, &req->err);
  struct store_conn *c;
  json_t *out = NULL;
  if (!rc)
    rc = http_db(req, &c);
  /* Asia/Taipei days: from the start of `from` to the end of `to` */
  if (!rc)
    rc = products_attack_counts(c, &req->who, f ? from * 86400000 - 8 * 3600000LL : 0,
                                t ? (to + 1) * 86400000 - 8 * 3600000LL : 0, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}
