/* The TAXII 2.1 server's resources, independent of HTTP: discovery, the API root, status,
 * collections, objects (get, add, delete), one object, its versions, and the manifest, built
 * from the intelligence store as the actor may see it. http/api_taxii.c does the HTTP part
 * (authentication, media types, headers). Each function returns FS_OK with the body in res, or an
 * FS_ERR_* code with res->err saying why (taxii_error_body renders it as TAXII asks). */
#ifndef FS_TAXII_SERVER_H
#define FS_TAXII_SERVER_H

#include "auth/actor.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/query.h"
#include "store/store.h"

#define TAXII_MEDIA_TYPE "application/taxii+json;version=2.1"
#define TAXII_STIX_MEDIA_TYPE "application/stix+json;version=2.1"
#define TAXII_API_ROOT "hub"

struct taxii_page_cache;

struct taxii_request {
  const struct actor *who;
  struct taxii_page_cache *cache; /* may be NULL */
  struct store_conn *db;
  const char *base_url;      /* "https://hub.example:8443", for discovery's absolute URLs */
  const char *title;         /* the hub's name */
  const uint8_t *cursor_key; /* 32 bytes: encrypts paging cursors */
  int64_t max_content_length;
  int64_t page_limit;
  struct fs_arena *arena;        /* for parsed query values */
  const struct fs_query *params; /* the query, split and decoded (core/query.h); NULL: none */
  const char *query;             /* the raw query as received (no '?'), the page cache's key;
                                    may be NULL */
};

struct taxii_response {
  int status;
  struct fs_buf *body;       /* initialized by the caller */
  char date_added_first[40]; /* X-TAXII-Date-Added-First when not empty */
  char date_added_last[40];  /* X-TAXII-Date-Added-Last when not empty */
  struct fs_err err;
};

int taxii_discovery(const struct taxii_request *req, struct taxii_response *res);
int taxii_api_root(const struct taxii_request *req, struct taxii_response *res);
int taxii_status(const struct taxii_request *req, const char *id, struct taxii_response *res);
int taxii_collections(const struct taxii_request *req, struct taxii_response *res);
int taxii_collection(const struct taxii_request *req, const char *cid, struct taxii_response *res);
int taxii_objects_get(const struct taxii_request *req, const char *cid, struct taxii_response *res);
/* Adds the objects of an envelope (or bundle): 202 with a status resource listing each failure;
 * the valid objects are stored. */
int taxii_objects_post(const struct taxii_request *req, const char *cid, const char *body,
                       size_t len, struct taxii_response *res);
int taxii_object_get(const struct taxii_request *req, const char *cid, const char *oid,
                     struct taxii_response *res);
int taxii_object_delete(const struct taxii_request *req, const char *cid, const char *oid,
                        struct taxii_response *res);
int taxii_versions(const struct taxii_request *req, const char *cid, const char *oid,
                   struct taxii_response *res);
int taxii_manifest(const struct taxii_request *req, const char *cid, struct taxii_response *res);

/* The TAXII error resource for an HTTP status and a failure (title, description, error_code,
 * http_status, details with where and the Traditional Chinese: title_zh, description_zh). */
void taxii_error_body(int status, const struct fs_err *err, struct fs_buf *out);

#endif
