/* TAXII 2.1 resources from the intelligence store. */
#include "taxii/server.h"

#include "core/jsonx.h"
#include "core/time.h"
#include "core/uuid.h"
#include "stix/stix.h"
#include "intel/intel.h"
#include "stix/taxii_query.h"
#include "taxii/cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int json_out(struct taxii_response *res, int status, json_t *doc)
{
  if (!doc)
    return fs_err_set(&res->err, FS_ERR_NOMEM, "taxii", "out of memory");
  fs_buf_reset(res->body);
  int rc = jsonx_dump(doc, res->body);
  json_decref(doc);
  res->status = status;
  return rc ? fs_err_set(&res->err, rc, "taxii", "response too large") : FS_OK;
}

void taxii_error_body(int status, const struct fs_err *err, struct fs_buf *out)
{
  fs_buf_reset(out);
  /* TAXII 2.1's error message has title and description as plain strings; the Traditional
   * Chinese goes into `details`, the object it leaves to the server (clients ignore what they do
   * not know there). */
  json_t *doc = json_pack(
      "{s:s,s:s,s:s,s:i,s:{s:s?,s:s,s:s}}", "title", fs_code_message(err->code, false),
      "description", err->msg[0] ? err->msg : fs_code_message(err->code, false), "error_code",
      fs_code_name(err->code), "http_status", status, "details", "where",
      err->where[0] ? err->where : NULL, "title_zh", fs_code_message(err->code, true),
      "description_zh", err->msg[0] ? fs_err_msg(err, true) : fs_code_message(err->code, true));
  if (doc)
    jsonx_dump(doc, out);
  json_decref(doc);
}

int taxii_discovery(const struct taxii_request *req, struct taxii_response *res)
{
  char root[512];
  snprintf(root, sizeof(root), "%s/taxii2/%s/", req->base_url, TAXII_API_ROOT);
  return json_out(res, 200,
                  json_pack("{s:s,s:s,s:s,s:s,s:[s]}", "title", req->title, "description",
                            "TAXII 2.1 server of the financial sector's cyber joint-defence hub "
                            "(金融資安聯防中樞)",
                            "contact", "the hub's operators", "default", root, "api_roots", root));
}

int taxii_api_root(const struct taxii_request *req, struct taxii_response *res)
{
  return json_out(res, 200,
                  json_pack("{s:s,s:s,s:[s],s:I}", "title", req->title, "description",
                            "Sector intelligence, member submissions, organisation, group and "
                            "partner collections",
                            "versions", TAXII_MEDIA_TYPE, "max_content_length",
                            (json_int_t)req->max_content_length));
}

int taxii_status(const struct taxii_request *req, const char *id, struct taxii_response *res)
{
  json_t *doc;
  int rc = intel_status_get(req->db, req->who, id, &doc, &res->err);
  return rc ? rc : json_out(res, 200, doc);
}

int taxii_collections(const struct taxii_request *req, struct taxii_response *res)
{
  json_t *list;
  int rc = intel_collection_list_json(req->db, req->who, &list, &res->err);
  return rc ? rc : json_out(res, 200, json_pack("{s:o}", "collections", list));
}

int taxii_collection(const struct taxii_request *req, const char *cid, struct taxii_response *res)
{
  struct intel_collection col;
  int rc = intel_collection_find(req->db, req->who, cid, &col, &res->err);
  return rc ? rc : json_out(res, 200, intel_collection_json(&col));
}

/* Finds a collection the actor may read; 404 when invisible, 403 when write-only. */
static int readable(const struct taxii_request *req, const char *cid, struct intel_collection *col,
                    struct taxii_response *res)
{
  int rc = intel_collection_find(req->db, req->who, cid, col, &res->err);
  if (!rc && !col->can_read)
    rc = fs_err_set(&res->err, FS_ERR_FORBIDDEN, "collection",
                    "this collection may be written but not read");
  return rc;
}

static int parse_query(const struct taxii_request *req, enum stix_taxii_endpoint ep,
                       struct stix_taxii_query *q, struct taxii_response *res)
{
  struct stix_taxii_query_limits lim = {.max_limit = (size_t)req->page_limit};
  static const struct fs_query none = {0};
  return stix_taxii_query_from(req->params ? req->params : &none, ep, &lim, req->arena, q,
                               &res->err);
}

/* The page position from the query: its cursor (checked against the query), or added_after. */
static int page_start(const struct taxii_request *req, const struct intel_collection *col,
                      const struct stix_taxii_query *q, struct intel_page *page, uint64_t *context,
                      struct taxii_response *res)
{
  memset(page, 0, sizeof(*page));
  page->q = q;
  page->limit = q->limit ? q->limit : 100;
  *context = stix_taxii_query_context(q, col->id);
  if (q->next) {
    struct stix_taxii_cursor cur;
    int rc = stix_taxii_cursor_decode(q->next, strlen(q->next), req->cursor_key, *context, &cur,
                                      &res->err);
    if (rc)
      return rc;
    page->has_cursor = true;
    page->after_date = cur.date_added;
    page->after_seq = cur.seq;
  }
  return FS_OK;
}

static void page_headers(const struct intel_page *page, struct taxii_response *res)
{
  if (!page->returned)
    return;
  intel_format_added(page->first_added, res->date_added_first);
  intel_format_added(page->last_added, res->date_added_last);
}

struct envelope {
  struct fs_buf *out;
  size_t n;
  bool manifest;
};

static int add_object(const struct intel_row *r, void *ctx)
{
  struct envelope *e = ctx;
  if (e->n++)
    fs_buf_append_char(e->out, ',');
  if (!e->manifest)
    return fs_buf_append(e->out, r->body, r->body_len);
  char added[40];
  intel_format_added(r->date_added, added);
  json_t *m = json_pack("{s:s,s:s,s:s,s:s}", "id", r->id, "date_added", added, "version",
                        r->version[0] ? r->version : added, "media_type", TAXII_STIX_MEDIA_TYPE);
  int rc = m ? jsonx_dump(m, e->out) : FS_ERR_NOMEM;
  json_decref(m);
  return rc;
}

/* Objects and manifest share the paging; only what is written per row differs. */
static int page_of(const struct taxii_request *req, const char *cid, bool manifest,
                   struct taxii_response *res)
{
  struct intel_collection col;
  struct stix_taxii_query q;
  struct intel_page page;
  uint64_t context;
  int rc = readable(req, cid, &col, res);
  if (!rc)
    rc = parse_query(req, manifest ? STIX_TAXII_EP_MANIFEST : STIX_TAXII_EP_OBJECTS, &q, res);
  if (!rc)
    rc = page_start(req, &col, &q, &page, &context, res);
  if (rc)
    return rc;
  const char *kind = manifest ? "manifest" : "objects";
  struct taxii_cached_page meta;
  fs_buf_reset(res->body);
  /* A cached page is the collection as it was at its generation: when the generation read now
   * (one statement, its own snapshot) is the cached one, the page is what a read now would give.
   * That is one statement to the database for a hit; a transaction is three round trips on a
   * database server. */
  int64_t gen = 0;
  if (req->cache && !intel_collection_generation(req->db, &col, &gen, &res->err) &&
      taxii_page_cache_get(req->cache, col.num, gen, kind, req->query, res->body, &meta)) {
    memcpy(res->date_added_first, meta.date_first, sizeof(meta.date_first));
    memcpy(res->date_added_last, meta.date_last, sizeof(meta.date_last));
    res->status = 200;
    return FS_OK;
  }
  /* One read snapshot for the generation and the page, so that a page is cached under the
   * generation it was read at. */
  if ((rc = store_begin(req->db, false, &res->err)))
    return rc;
  bool cacheable = req->cache && !intel_collection_generation(req->db, &col, &gen, &res->err);
  fs_buf_append_str(res->body, "{\"objects\":[");
  struct envelope e = {res->body, 0, manifest};
  rc = intel_read_collection(req->db, req->who, &col, &page, add_object, &e, &res->err);
  store_rollback(req->db); /* a read: nothing to commit */
  if (rc)
    return rc;
  fs_buf_append_str(res->body, "],\"more\":");
  fs_buf_append_str(res->body, page.more ? "true" : "false");
  if (page.more) {
    struct stix_taxii_cursor cur = {page.last_date, page.last_seq, context};
    char next[STIX_TAXII_CURSOR_LEN + 1];
    stix_taxii_cursor_encode(&cur, req->cursor_key, next);
    fs_buf_appendf(res->body, ",\"next\":\"%s\"", next);
  }
  if (fs_buf_append_char(res->body, '}'))
    return fs_err_set(&res->err, FS_ERR_TOO_LARGE, "taxii",
                      "page too large; ask for a smaller limit");
  page_headers(&page, res);
  res->status = 200;
  if (cacheable && page.all_public) {
    memcpy(meta.date_first, res->date_added_first, sizeof(meta.date_first));
    memcpy(meta.date_last, res->date_added_last, sizeof(meta.date_last));
    taxii_page_cache_put(req->cache, col.num, gen, kind, req->query, fs_buf_cstr(res->body),
                         res->body->len, &meta);
  }
  return FS_OK;
}

int taxii_objects_get(const struct taxii_request *req, const char *cid, struct taxii_response *res)
{
  return page_of(req, cid, false, res);
}

int taxii_manifest(const struct taxii_request *req, const char *cid, struct taxii_response *res)
{
  return page_of(req, cid, true, res);
}

int taxii_objects_post(const struct taxii_request *req, const char *cid, const char *body,
                       size_t len, struct taxii_response *res)
{
  struct intel_collection col;
  int rc = intel_collection_find(req->db, req->who, cid, &col, &res->err);
  if (!rc && !col.can_write)
    rc = fs_err_set(&res->err, FS_ERR_FORBIDDEN, "collection",
                    "this collection may be read but not written");
  if (rc)
    return rc;
  if ((int64_t)len > req->max_content_length)
    return fs_err_set(&res->err, FS_ERR_TOO_LARGE, "body",
                      "the envelope is larger than the API root's max_content_length (%lld bytes)",
                      (long long)req->max_content_length);
  /* The envelope is read into a batch (no JSON tree kept), before the write transaction: the
   * write lock is held only while storing. */
  struct intel_batch *batch;
  struct stix_limits lim;
  stix_limits_default(&lim);
  lim.max_bytes = (size_t)req->max_content_length;
  lim.max_objects = 1000000;
  /* Envelopes of a megabyte or more are read on every core (before the write lock). */
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  size_t threads = len >= (1u << 20) && cpus > 1 ? (size_t)cpus : 1;
  if ((rc = intel_batch_read(body, len, &lim, threads, &batch, &res->err)))
    return rc;
  char status_id[37];
  fs_uuid_v4(status_id);
  struct intel_ingest_options opt = {.status_id = status_id, .status_only = true};
  struct intel_ingest_result ir;
  rc = intel_ingest_batch(req->db, req->who, &col, batch, &opt, &ir, &res->err);
  intel_batch_free(batch);
  if (!rc) {
    /* The answer is the status resource just stored. */
    fs_buf_reset(res->body);
    if (fs_buf_append(res->body, ir.status, ir.status_len))
      rc = fs_err_set(&res->err, FS_ERR_TOO_LARGE, "taxii", "response too large");
    res->status = 202;
  }
  intel_ingest_result_release(&ir);
  return rc;
}

/* Versions of one object in a collection, filtered like a page, as an envelope. */
struct one_object {
  struct envelope env;
  const struct stix_taxii_query *q;
  struct taxii_response *res;
  int64_t first, last;
  const char *latest_version;
  char latest[40], earliest[40];
  json_t *versions; /* for the versions endpoint */
};

static bool spec_version_ok(const struct stix_taxii_query *q, const char *sv)
{
  if (!q->n_spec_versions)
    return true;
  for (size_t i = 0; i < q->n_spec_versions; i++)
    if (!strcmp(q->spec_versions[i], sv))
      return true;
  return false;
}

static int collect_versions(const struct intel_row *r, void *ctx)
{
  struct one_object *o = ctx;
  if (!spec_version_ok(o->q, r->spec_version))
    return FS_OK;
  if (!o->first || r->date_added < o->first)
    o->first = r->date_added;
  if (r->date_added > o->last)
    o->last = r->date_added;
  char added[40];
  intel_format_added(r->date_added, added);
  return json_array_append_new(o->versions, json_string(r->version[0] ? r->version : added))
             ? FS_ERR_NOMEM
             : FS_OK;
}

int taxii_versions(const struct taxii_request *req, const char *cid, const char *oid,
                   struct taxii_response *res)
{
  struct intel_collection col;
  struct stix_taxii_query q;
  int rc = readable(req, cid, &col, res);
  if (!rc)
    rc = parse_query(req, STIX_TAXII_EP_VERSIONS, &q, res);
  if (rc)
    return rc;
  struct one_object o = {.q = &q, .res = res, .versions = json_array()};
  rc = intel_read_object(req->db, req->who, &col, oid, collect_versions, &o, &res->err);
  if (rc) {
    json_decref(o.versions);
    return rc;
  }
  if (o.last) {
    intel_format_added(o.first, res->date_added_first);
    intel_format_added(o.last, res->date_added_last);
  }
  return json_out(res, 200, json_pack("{s:b,s:o}", "more", 0, "versions", o.versions));
}

/* Which versions of one object a match[version] selects: first, last, all or exact ones. */
struct pick {
  const struct stix_taxii_query *q;
  struct intel_row rows[256];
  char *bodies[256];
  size_t n;
};

static int hold_row(const struct intel_row *r, void *ctx)
{
  struct pick *p = ctx;
  if (p->n == FS_ARRAY_SIZE(p->rows) || !spec_version_ok(p->q, r->spec_version))
    return FS_OK;
  p->bodies[p->n] = strndup(r->body, r->body_len);
  if (!p->bodies[p->n])
    return FS_ERR_NOMEM;
  p->rows[p->n] = *r;
  p->rows[p->n].body = p->bodies[p->n];
  p->rows[p->n].version = NULL; /* not kept: only body and date_added are used below */
  p->n++;
  return FS_OK;
}

int taxii_object_get(const struct taxii_request *req, const char *cid, const char *oid,
                     struct taxii_response *res)
{
  struct intel_collection col;
  struct stix_taxii_query q;
  int rc = readable(req, cid, &col, res);
  if (!rc)
    rc = parse_query(req, STIX_TAXII_EP_OBJECT, &q, res);
  if (rc)
    return rc;
  struct pick *p = calloc(1, sizeof(*p));
  if (!p)
    return fs_err_set(&res->err, FS_ERR_NOMEM, "taxii", "out of memory");
  p->q = &q;
  rc = intel_read_object(req->db, req->who, &col, oid, hold_row, p, &res->err);
  if (!rc) {
    /* Rows come oldest first (by version). */
    unsigned v = q.versions;
    if (!v && !q.n_version_times)
      v = STIX_TAXII_V_LAST;
    fs_buf_reset(res->body);
    fs_buf_append_str(res->body, "{\"objects\":[");
    size_t emitted = 0;
    int64_t first = 0, last = 0;
    for (size_t i = 0; i < p->n; i++) {
      bool take = (v & STIX_TAXII_V_ALL) || ((v & STIX_TAXII_V_FIRST) && i == 0) ||
                  ((v & STIX_TAXII_V_LAST) && i + 1 == p->n);
      if (!take && q.n_version_times) {
        json_t *j = json_loads(p->rows[i].body, 0, NULL);
        const char *mod = json_string_value(json_object_get(j, "modified"));
        for (size_t k = 0; mod && k < q.n_version_times && !take; k++)
          take = stix_timestamp_cmp(mod, q.version_times[k]) == 0;
        json_decref(j);
      }
      if (!take)
        continue;
      if (emitted++)
        fs_buf_append_char(res->body, ',');
      fs_buf_append_str(res->body, p->rows[i].body);
      if (!first || p->rows[i].date_added < first)
        first = p->rows[i].date_added;
      if (p->rows[i].date_added > last)
        last = p->rows[i].date_added;
    }
    fs_buf_append_str(res->body, "],\"more\":false}");
    if (!emitted) {
      rc = fs_err_set(&res->err, FS_ERR_NOT_FOUND, "object", "no version of %.300s matches", oid);
    } else {
      intel_format_added(first, res->date_added_first);
      intel_format_added(last, res->date_added_last);
      res->status = 200;
    }
  }
  for (size_t i = 0; i < p->n; i++)
    free(p->bodies[i]);
  free(p);
  return rc;
}

int taxii_object_delete(const struct taxii_request *req, const char *cid, const char *oid,
                        struct taxii_response *res)
{
  struct intel_collection col;
  struct stix_taxii_query q;
  int rc = intel_collection_find(req->db, req->who, cid, &col, &res->err);
  if (!rc)
    rc = parse_query(req, STIX_TAXII_EP_OBJECT_DELETE, &q, res);
  if (!rc)
    rc = intel_delete(req->db, req->who, &col, oid, &q, &res->err);
  if (rc)
    return rc;
  fs_buf_reset(res->body);
  res->status = 200;
  return FS_OK;
}
