/* /api/v1/registers: every register through the same handlers (the definition decides fields,
 * validation and who may read and write; resilience/register.h). */
#include "http/api.h"

#include "core/jsonx.h"
#include "resilience/register.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

static const char *const none[] = {NULL};

/* The register named by the first path parameter (404 when there is none). */
static int def_of(struct http_request *req, const struct reg_def **d)
{
  *d = reg_find(req->params[0]);
  return *d ? FS_OK
            : fs_err_set(&req->err, FS_ERR_NOT_FOUND, "register", "no register \"%.64s\"",
                         req->params[0]);
}

int api_registers_index(struct http_request *req, struct http_response *res)
{
  int rc = http_query_only(&req->query, none, &req->err);
  if (rc)
    return rc;
  size_t n;
  const struct reg_def *const *all = reg_all(&n);
  json_t *items = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(items,
                          json_pack("{s:s,s:{s:s,s:s},s:s}", "name", all[i]->name, "label", "en",
                                    all[i]->label_en, "zh-TW", all[i]->label_zh, "scope",
                                    all[i]->scope == REG_SCOPE_SECTOR ? "sector" : "institution"));
  return http_json(res, 200, json_pack("{s:o}", "items", items));
}

int api_registers_schema(struct http_request *req, struct http_response *res)
{
  const struct reg_def *d;
  int rc = def_of(req, &d);
  if (!rc)
    rc = http_query_only(&req->query, none, &req->err);
  return rc ? rc : http_json(res, 200, reg_schema_json(d));
}

/* Reads org, sort, as_of and the filters on indexed fields (any other parameter is refused). */
static int read_query(struct http_request *req, const struct reg_def *d, const char *const *extra,
                      struct reg_query *q)
{
  memset(q, 0, sizeof(*q));
  const char **allowed = fs_arena_alloc(&req->arena, sizeof(char *) * (d->nfields + 12));
  if (!allowed)
    return fs_err_set(&req->err, FS_ERR_NOMEM, "query", "out of memory");
  size_t n = 0;
  static const char *const common[] = {"org", "sort", "as_of", NULL};
  for (size_t i = 0; common[i]; i++)
    allowed[n++] = common[i];
  for (size_t i = 0; extra[i]; i++)
    allowed[n++] = extra[i];
  for (size_t i = 0; i < d->nfields; i++)
    if ((d->fields[i].flags & REG_INDEXED) && !(d->fields[i].flags & REG_DERIVED))
      allowed[n++] = d->fields[i].name;
  allowed[n] = NULL;
  int rc = http_query_only(&req->query, allowed, &req->err);
  if (rc)
    return rc;
  q->org = http_query_get(&req->query, "org");
  q->sort = http_query_get(&req->query, "sort");
  if ((rc = api_as_of_param(req, &q->as_of)))
    return rc;
  for (size_t i = 0; i < req->query.count; i++) {
    const struct reg_field *f = reg_field_find(d, req->query.keys[i]);
    if (!f)
      continue;
    if (q->nfilters == REG_MAX_FILTERS)
      return fs_err_set(&req->err, FS_ERR_INVALID, "query", "at most %d field filters",
                        REG_MAX_FILTERS);
    q->filter_field[q->nfilters] = f->name;
    q->filter_value[q->nfilters++] = req->query.values[i];
  }
  return FS_OK;
}

int api_registers_list(struct http_request *req, struct http_response *res)
{
  static const char *const extra[] = {"limit", "after", NULL};
  const struct reg_def *d;
  struct reg_query q;
  struct auth_page page;
  struct store_conn *c;
  json_t *out;
  int rc = def_of(req, &d);
  if (!rc)
    rc = read_query(req, d, extra, &q);
  if (!rc)
    rc = http_page(req, &page);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = reg_list_json(c, &req->who, d, &q, &page, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

static int answer_record(struct http_request *req, struct http_response *res, int status,
                         struct store_conn *c, const struct reg_def *d, const char *id)
{
  json_t *out;
  int rc = reg_get_json(c, &req->who, d, id, 0, &out, &req->err);
  if (rc)
    return rc;
  if (status == 201)
    http_header(res, "Location", "/api/v1/registers/%s/%s", d->name, id);
  return http_json(res, status, out);
}

int api_registers_create(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"org", "fields", NULL};
  const struct reg_def *d;
  json_t *body = NULL;
  struct store_conn *c;
  char id[37];
  int rc = def_of(req, &d);
  if (!rc)
    rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_body_object(req, &body);
  if (!rc)
    rc = jsonx_only_keys(body, keys, "$", &req->err);
  const char *org = NULL;
  if (!rc)
    rc = jsonx_string(body, "org", JSONX_OPTIONAL | JSONX_NULLABLE, 64, &org, &req->err);
  json_t *fields = body ? json_object_get(body, "fields") : NULL;
  if (!rc && !json_is_object(fields))
    rc = fs_err_set(&req->err, FS_ERR_INVALID, "fields", "give the record's fields as an object");
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = reg_create(c, &req->who, d, org, fields, id, &req->err);
  json_decref(body);
  return rc ? rc : answer_record(req, res, 201, c, d, id);
}

int api_as_of_param(struct http_request *req, int64_t *at)
{
  const char *a = http_query_get(&req->query, "as_of");
  *at = 0;
  return a ? reg_parse_as_of(a, "as_of", at, &req->err) : FS_OK;
}

int api_registers_get(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"as_of", NULL};
  const struct reg_def *d;
  struct store_conn *c;
  json_t *out;
  int64_t as_of = 0;
  int rc = def_of(req, &d);
  if (!rc)
    rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = api_as_of_param(req, &as_of);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = reg_get_json(c, &req->who, d, req->params[1], as_of, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_registers_update(struct http_request *req, struct http_response *res)
{
  static const char *const keys[] = {"fields", "version", NULL};
  const struct reg_def *d;
  json_t *body = NULL;
  struct store_conn *c;
  int64_t version = 0;
  bool has_version = false;
  int rc = def_of(req, &d);
  if (!rc)
    rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_body_object(req, &body);
  if (!rc)
    rc = jsonx_only_keys(body, keys, "$", &req->err);
  if (!rc)
    rc =
        jsonx_int(body, "version", JSONX_OPTIONAL, 1, INT64_MAX, &version, &has_version, &req->err);
  json_t *fields = body ? json_object_get(body, "fields") : NULL;
  if (!rc && !json_is_object(fields))
    rc = fs_err_set(&req->err, FS_ERR_INVALID, "fields", "give the changed fields as an object");
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = reg_update(c, &req->who, d, req->params[1], fields, has_version, version, &req->err);
  json_decref(body);
  return rc ? rc : answer_record(req, res, 200, c, d, req->params[1]);
}

int api_registers_versions(struct http_request *req, struct http_response *res)
{
  const struct reg_def *d;
  struct store_conn *c;
  json_t *out;
  int rc = def_of(req, &d);
  if (!rc)
    rc = http_query_only(&req->query, none, &req->err);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = reg_versions_json(c, &req->who, d, req->params[1], &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_registers_export(struct http_request *req, struct http_response *res)
{
  static const char *const extra[] = {"format", NULL};
  static const char *const formats[] = {"json", "csv", NULL};
  const struct reg_def *d;
  struct reg_query q;
  struct store_conn *c;
  const char *format = NULL;
  int rc = def_of(req, &d);
  if (!rc)
    rc = read_query(req, d, extra, &q);
  if (!rc)
    rc = http_query_enum(&req->query, "format", formats, &format, &req->err);
  if (!format)
    format = "json";
  if (!rc)
    rc = http_db(req, &c);
  if (!rc) {
    fs_buf_reset(&res->body);
    rc = reg_export(c, &req->who, d, &q, format, &res->body, &req->err);
  }
  if (rc)
    return rc;
  res->status = 200;
  bool csv = !strcmp(format, "csv");
  res->content_type = csv ? "text/csv; charset=utf-8" : "application/json";
  http_header(res, "Content-Disposition", "attachment; filename=\"%s.%s\"", d->name, format);
  return FS_OK;
}

int api_registers_import(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"format", "org", NULL};
  static const char *const formats[] = {"json", "csv", NULL};
  const struct reg_def *d;
  struct store_conn *c;
  const char *format = NULL;
  int created = 0, updated = 0;
  int rc = def_of(req, &d);
  if (!rc)
    rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "format", formats, &format, &req->err);
  if (!rc && !format) {
    const char *ct = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Content-Type");
    format = ct && !strncmp(ct, "text/csv", 8) ? "csv" : "json";
  }
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = reg_import(c, &req->who, d, http_query_get(&req->query, "org"), format,
                    req->body.data ? req->body.data : "", req->body.len, &created, &updated,
                    &req->err);
  return rc ? rc
            : http_json(res, 200,
                        json_pack("{s:s,s:i,s:i}", "register", d->name, "created", created,
                                  "updated", updated));
}

int api_registers_summary(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"field", "as_of", NULL};
  const struct reg_def *d;
  struct store_conn *c;
  json_t *out;
  int64_t as_of = 0;
  int rc = def_of(req, &d);
  if (!rc)
    rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = api_as_of_param(req, &as_of);
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = reg_summary_json(c, &req->who, d, http_query_get(&req->query, "field"), as_of, &out,
                          &req->err);
  return rc ? rc : http_json(res, 200, out);
}
