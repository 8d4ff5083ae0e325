/* Snapshot manifests and tombstones: JSON bodies signed with Ed25519, sealed, named by the BLAKE2b
 * of their bytes and chained to the previous snapshot by id and sequence number. */
#include "vault/crypto.h"
#include "vault/internal.h"
#include "vault/snapfmt.h"

#include "core/encode.h"
#include "core/jsonx.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void hexs(json_t *o, const char *k, const uint8_t *p)
{
  char h[65];
  fs_hex_encode(p, 32, h);
  json_object_set_new(o, k, json_string(h));
}

json_t *vault_snapshot_json(const struct vault_snapshot *s)
{
  json_t *o = json_object();
  json_object_set_new(o, "v", json_integer(1));
  if (s->id[0])
    json_object_set_new(o, "id", json_string(s->id));
  json_object_set_new(o, "seq", json_integer((json_int_t)s->seq));
  json_object_set_new(o, "parent", s->parent[0] ? json_string(s->parent) : json_null());
  json_object_set_new(o, "time_ms", json_integer(s->time_ms));
  json_object_set_new(o, "kind", json_string(s->kind));
  json_object_set_new(o, "institution", json_string(s->institution));
  json_object_set_new(o, "business_date", json_string(s->business_date));
  json_object_set_new(o, "host", json_string(s->host));
  json_t *files = json_array();
  for (size_t i = 0; i < s->nfiles; i++)
    json_array_append_new(files, vault_file_entry_json(&s->files[i]));
  json_object_set_new(o, "files", files);
  return o;
}

json_t *vault_file_entry_json(const struct vault_file_entry *f)
{
  json_t *x = json_object();
  json_object_set_new(x, "path", json_string(f->path));
  char t[2] = {f->type, 0};
  json_object_set_new(x, "type", json_string(t));
  json_object_set_new(x, "mode", json_integer(f->mode));
  json_object_set_new(x, "mtime_ms", json_integer(f->mtime_ms));
  if (f->type == 'f') {
    json_object_set_new(x, "size", json_integer((json_int_t)f->size));
    hexs(x, "sha256", f->sha256);
    hexs(x, "desc", f->desc);
  }
  if (f->link)
    json_object_set_new(x, "link", json_string(f->link));
  if (f->table) {
    json_object_set_new(x, "table", json_string(f->table));
    json_object_set_new(x, "rows", json_integer((json_int_t)f->rows));
  }
  return x;
}

static int bad(struct fs_err *err, const char *where, const char *what)
{
  return fs_err_set(err, FS_ERR_CORRUPT, where, "%s", what);
}

/* A string field that may be empty (jsonx_string refuses empty strings). */
static int str_field(const json_t *o, const char *key, size_t max, const char **out,
                     struct fs_err *err)
{
  json_t *v = json_object_get(o, key);
  if (!json_is_string(v) || json_string_length(v) > max ||
      strlen(json_string_value(v)) != json_string_length(v))
    return fs_err_set(err, FS_ERR_CORRUPT, key, "must be a string of at most %zu bytes", max);
  *out = json_string_value(v);
  return FS_OK;
}

static char *dup_str(const json_t *v)
{
  return strdup(json_string_value(v));
}

int vault_snapshot_parse(const char *text, size_t len, struct vault_snapshot *s, struct fs_err *err)
{
  memset(s, 0, sizeof(*s));
  json_t *o;
  int rc = jsonx_parse_object(text, len, &o, err);
  if (rc)
    return rc;
  int64_t v, seq, t;
  const char *parent = NULL, *kind = NULL, *inst = NULL, *date = NULL, *host = NULL;
  rc = jsonx_int(o, "v", JSONX_REQUIRED, 1, 1, &v, NULL, err);
  if (!rc)
    rc = jsonx_int(o, "seq", JSONX_REQUIRED, 1, INT64_MAX, &seq, NULL, err);
  if (!rc)
    rc = jsonx_string(o, "parent", JSONX_NULLABLE, 64, &parent, err);
  if (!rc)
    rc = jsonx_int(o, "time_ms", JSONX_REQUIRED, 0, INT64_MAX, &t, NULL, err);
  if (!rc)
    rc = jsonx_string(o, "kind", JSONX_REQUIRED, sizeof(s->kind) - 1, &kind, err);
  if (!rc)
    rc = str_field(o, "institution", sizeof(s->institution) - 1, &inst, err);
  if (!rc)
    rc = str_field(o, "business_date", sizeof(s->business_date) - 1, &date, err);
  if (!rc)
    rc = str_field(o, "host", sizeof(s->host) - 1, &host, err);
  json_t *files = json_object_get(o, "files");
  if (!rc && (!json_is_array(files) || json_array_size(files) > (1u << 24)))
    rc = bad(err, "$.files", "must be an array");
  if (!rc && ((parent && strlen(parent) != 64) || (!parent && seq != 1)))
    rc = bad(err, "$.parent", "must be a snapshot id (null only for the first snapshot)");
  if (rc) {
    json_decref(o);
    err->code = FS_ERR_CORRUPT;
    return FS_ERR_CORRUPT;
  }
  s->seq = (uint64_t)seq;
  snprintf(s->parent, sizeof(s->parent), "%s", parent ? parent : "");
  s->time_ms = t;
  snprintf(s->kind, sizeof(s->kind), "%s", kind);
  snprintf(s->institution, sizeof(s->institution), "%s", inst);
  snprintf(s->business_date, sizeof(s->business_date), "%s", date);
  snprintf(s->host, sizeof(s->host), "%s", host);
  size_t n = json_array_size(files);
  s->files = n ? calloc(n, sizeof(*s->files)) : NULL;
  if (n && !s->files) {
    json_decref(o);
    return fs_err_set(err, FS_ERR_NOMEM, "snapshot", "out of memory");
  }
  for (size_t i = 0; i < n && !rc; i++) {
    json_t *x = json_array_get(files, i);
    struct vault_file_entry *f = &s->files[i];
    char where[48];
    snprintf(where, sizeof(where), "$.files[%zu]", i);
    json_t *path = json_object_get(x, "path"), *type = json_object_get(x, "type");
    json_t *mode = json_object_get(x, "mode"), *mt = json_object_get(x, "mtime_ms");
    if (!json_is_object(x) || !json_is_string(path) || !json_is_string(type) ||
        json_string_length(type) != 1 || !json_is_integer(mode) || !json_is_integer(mt)) {
      rc = bad(err, where, "needs path, type, mode and mtime_ms");
      break;
    }
    const char *p = json_string_value(path);
    if (!vault_path_clean(p)) { /* "a..b" is a name; ".." as a name would climb */
      rc = bad(err, where, "path must be relative, without \"..\"");
      break;
    }
    f->path = dup_str(path);
    f->type = json_string_value(type)[0];
    f->mode = (uint32_t)json_integer_value(mode) & 07777;
    f->mtime_ms = json_integer_value(mt);
    s->nfiles++;
    if (f->type == 'f') {
      json_t *size = json_object_get(x, "size"), *sha = json_object_get(x, "sha256"),
             *desc = json_object_get(x, "desc");
      if (!json_is_integer(size) || json_integer_value(size) < 0 || !json_is_string(sha) ||
          !json_is_string(desc) || json_string_length(sha) != 64 ||
          json_string_length(desc) != 64 ||
          fs_hex_decode(json_string_value(sha), 64, f->sha256, 32) ||
          fs_hex_decode(json_string_value(desc), 64, f->desc, 32)) {
        rc = bad(err, where, "a file needs size, sha256 and desc");
        break;
      }
      f->size = (uint64_t)json_integer_value(size);
      s->total_size += f->size;
    } else if (f->type == 'l') {
      json_t *link = json_object_get(x, "link");
      if (!json_is_string(link)) {
        rc = bad(err, where, "a link needs its target");
        break;
      }
      f->link = dup_str(link);
    } else if (f->type != 'd') {
      rc = bad(err, where, "type must be f, d or l");
      break;
    }
    json_t *table = json_object_get(x, "table"), *rows = json_object_get(x, "rows");
    if (json_is_string(table) && json_is_integer(rows)) {
      f->table = dup_str(table);
      f->rows = (uint64_t)json_integer_value(rows);
    }
    if (!f->path || (f->type == 'l' && !f->link)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, where, "out of memory");
      break;
    }
  }
  json_decref(o);
  if (rc) {
    vault_snapshot_release(s);
    return rc;
  }
  return FS_OK;
}

void vault_snapshot_release(struct vault_snapshot *s)
{
  for (size_t i = 0; i < s->nfiles; i++) {
    free(s->files[i].path);
    free(s->files[i].link);
    free(s->files[i].table);
  }
  free(s->files);
  s->files = NULL;
  s->nfiles = 0;
}

void vault_snapshots_free(struct vault_snapshot *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    vault_snapshot_release(&s[i]);
  free(s);
}

void vault_snapshot_list_free(struct vault_snapshot *s, size_t n)
{
  vault_snapshots_free(s, n);
}

/* Opens a signed body: plaintext = signature(64) || JSON. */
static int open_signed(struct vault_repo *r, const char *dir, const char *hexid, const char *magic,
                       struct fs_buf *body, struct fs_err *err)
{
  char path[4096];
  vault_path(r, path, sizeof(path), "%s/%s", dir, hexid);
  struct fs_buf raw;
  int rc = vault_read_file(path, &raw, err);
  if (rc)
    return rc;
  uint8_t cid[32];
  char hex[65];
  vault_content_id(raw.data, raw.len, cid);
  fs_hex_encode(cid, 32, hex);
  fs_buf_release(&raw);
  if (strcmp(hex, hexid))
    return fs_err_set(err, FS_ERR_CORRUPT, path,
                      "content does not match its name: the file was replaced or altered");
  rc = vault_read_meta(r, path, magic, body, err);
  if (rc)
    return rc;
  if (body->len < 64 || !vault_sign_ok(r->cfg.sign_pk, body->data + 64, body->len - 64,
                                       (const uint8_t *)body->data)) {
    fs_buf_release(body);
    return fs_err_set(err, FS_ERR_CORRUPT, path, "signature check failed");
  }
  return FS_OK;
}

int vault_snapshot_read(struct vault_repo *r, const char *hexid, struct vault_snapshot *s,
                        struct fs_err *err)
{
  struct fs_buf body;
  int rc = open_signed(r, "snapshots", hexid, VAULT_MAGIC_SNAP, &body, err);
  if (rc)
    return rc;
  rc = vault_snapshot_parse(body.data + 64, body.len - 64, s, err);
  fs_buf_release(&body);
  if (rc) {
    char where[96];
    snprintf(where, sizeof(where), "snapshot %.16s", hexid);
    fs_err_wrap_where(err, where);
    return rc;
  }
  snprintf(s->id, sizeof(s->id), "%s", hexid);
  return FS_OK;
}

static int cmp_seq(const void *a, const void *b)
{
  const struct vault_snapshot *x = a, *y = b;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int vault_snapshots_load(struct vault_repo *r, struct vault_snapshot **out, size_t *n, bool lenient,
                         size_t *bad_count, struct fs_err *err)
{
  *out = NULL;
  *n = 0;
  if (bad_count)
    *bad_count = 0;
  char **names;
  size_t count;
  int rc = vault_list(r, "snapshots", &names, &count, err);
  if (rc)
    return rc;
  struct vault_snapshot *all = count ? calloc(count, sizeof(*all)) : NULL;
  size_t k = 0;
  for (size_t i = 0; i < count && !rc; i++) {
    if (strlen(names[i]) != 64)
      continue;
    struct fs_err e2;
    int lrc = vault_snapshot_read(r, names[i], &all[k], &e2);
    if (!lrc)
      k++;
    else if (lenient && bad_count)
      (*bad_count)++;
    else if (!lenient) {
      *err = e2;
      rc = lrc;
    }
  }
  vault_list_free(names, count);
  if (rc) {
    vault_snapshots_free(all, k);
    return rc;
  }
  if (k)
    qsort(all, k, sizeof(*all), cmp_seq);
  *out = all;
  *n = k;
  return FS_OK;
}

int vault_snapshot_list(struct vault_repo *r, struct vault_snapshot **out, size_t *n,
                        struct fs_err *err)
{
  return vault_snapshots_load(r, out, n, false, NULL, err);
}

int vault_snapshot_find(struct vault_snapshot *all, size_t n, const char *name,
                        struct vault_snapshot **out, struct fs_err *err)
{
  *out = NULL;
  if (!strcmp(name, "latest")) {
    if (!n)
      return fs_err_set(err, FS_ERR_NOT_FOUND, "latest", "the repository has no snapshot");
    *out = &all[n - 1];
    return FS_OK;
  }
  size_t len = strlen(name);
  for (size_t i = 0; i < n; i++) {
    if (len >= 4 && !strncmp(all[i].id, name, len)) {
      if (*out)
        return fs_err_set(err, FS_ERR_INVALID, name, "more than one snapshot starts with this");
      *out = &all[i];
    }
  }
  if (!*out)
    return fs_err_set(err, FS_ERR_NOT_FOUND, name, "no such snapshot (give at least 4 characters)");
  return FS_OK;
}

int vault_snapshot_pick(struct vault_repo *r, const char *name, struct vault_snapshot **all,
                        size_t *n, struct vault_snapshot **s, struct fs_err *err)
{
  int rc = vault_snapshot_list(r, all, n, err);
  if (rc)
    return rc;
  rc = vault_snapshot_find(*all, *n, name, s, err);
  if (rc) {
    vault_snapshots_free(*all, *n);
    *all = NULL;
    *n = 0;
  }
  return rc;
}

/* ---- tombstones -------------------------------------------------------------------------------
 */

int vault_tombstone_parse(const char *text, size_t len, struct vault_tombstone *t,
                          struct fs_err *err)
{
  memset(t, 0, sizeof(*t));
  json_t *o;
  int rc = jsonx_parse_object(text, len, &o, err);
  if (rc)
    return rc;
  const char *id = NULL, *parent = NULL, *date = NULL;
  int64_t seq, tm, fg;
  rc = jsonx_string(o, "id", JSONX_REQUIRED, 64, &id, err);
  if (!rc)
    rc = jsonx_int(o, "seq", JSONX_REQUIRED, 1, INT64_MAX, &seq, NULL, err);
  if (!rc)
    rc = jsonx_string(o, "parent", JSONX_NULLABLE, 64, &parent, err);
  if (!rc)
    rc = str_field(o, "business_date", sizeof(t->business_date) - 1, &date, err);
  if (!rc)
    rc = jsonx_int(o, "time_ms", JSONX_REQUIRED, 0, INT64_MAX, &tm, NULL, err);
  if (!rc)
    rc = jsonx_int(o, "forgotten_ms", JSONX_REQUIRED, 0, INT64_MAX, &fg, NULL, err);
  if (!rc && strlen(id) != 64)
    rc = bad(err, "$.id", "must be a snapshot id");
  if (!rc) {
    snprintf(t->id, sizeof(t->id), "%s", id);
    t->seq = (uint64_t)seq;
    snprintf(t->parent, sizeof(t->parent), "%s", parent ? parent : "");
    snprintf(t->business_date, sizeof(t->business_date), "%s", date);
    t->time_ms = tm;
    t->forgotten_ms = fg;
  }
  json_decref(o);
  if (rc)
    err->code = rc = FS_ERR_CORRUPT;
  return rc;
}

int vault_tombstones_load(struct vault_repo *r, struct vault_tombstone **out, size_t *n,
                          struct fs_err *err)
{
  *out = NULL;
  *n = 0;
  char **names;
  size_t count;
  int rc = vault_list(r, "tombstones", &names, &count, err);
  if (rc)
    return rc;
  struct vault_tombstone *all = count ? calloc(count, sizeof(*all)) : NULL;
  for (size_t i = 0; i < count && !rc; i++) {
    if (strlen(names[i]) != 64)
      continue;
    struct fs_buf body;
    rc = open_signed(r, "tombstones", names[i], VAULT_MAGIC_TOMB, &body, err);
    if (!rc) {
      rc = vault_tombstone_parse(body.data + 64, body.len - 64, &all[*n], err);
      fs_buf_release(&body);
    }
    if (!rc)
      (*n)++;
  }
  vault_list_free(names, count);
  if (rc) {
    free(all);
    *n = 0;
    return rc;
  }
  *out = all;
  return FS_OK;
}

/* Signs body and writes magic || sealed(sig || body) under dir/, named by its content id. */
static int write_signed(struct vault_repo *r, const char *dir, const char *magic, const char *json,
                        char hexid[65], struct fs_err *err)
{
  size_t jl = strlen(json);
  uint8_t *plain = malloc(64 + jl);
  size_t total = VAULT_MAGIC_LEN + 64 + jl + VAULT_SEAL_OVERHEAD;
  uint8_t *file = malloc(total);
  if (!plain || !file) {
    free(plain);
    free(file);
    return fs_err_set(err, FS_ERR_NOMEM, dir, "out of memory");
  }
  vault_sign(&r->keys, json, jl, plain);
  memcpy(plain + 64, json, jl);
  memcpy(file, magic, VAULT_MAGIC_LEN);
  vault_seal(r->keys.meta, magic, VAULT_MAGIC_LEN, plain, 64 + jl, file + VAULT_MAGIC_LEN);
  uint8_t cid[32];
  vault_content_id(file, total, cid);
  fs_hex_encode(cid, 32, hexid);
  char path[4096];
  vault_path(r, path, sizeof(path), "%s/%s", dir, hexid);
  int rc = vault_write_file(path, file, total, err);
  free(plain);
  free(file);
  return rc;
}

int vault_chain_head(struct vault_repo *r, uint64_t *seq, char parent[65], struct fs_err *err)
{
  struct vault_snapshot *all;
  size_t n;
  struct vault_tombstone *tb;
  size_t nt;
  int rc = vault_snapshots_load(r, &all, &n, false, NULL, err);
  if (rc)
    return rc;
  rc = vault_tombstones_load(r, &tb, &nt, err);
  if (rc) {
    vault_snapshots_free(all, n);
    return rc;
  }
  *seq = 0;
  parent[0] = '\0';
  for (size_t i = 0; i < n; i++)
    if (all[i].seq > *seq) {
      *seq = all[i].seq;
      memcpy(parent, all[i].id, 65);
    }
  for (size_t i = 0; i < nt; i++)
    if (tb[i].seq > *seq) {
      *seq = tb[i].seq;
      memcpy(parent, tb[i].id, 65);
    }
  vault_snapshots_free(all, n);
  free(tb);
  return FS_OK;
}

int vault_snapshot_write(struct vault_repo *r, struct vault_snapshot *s, struct fs_err *err)
{
  uint64_t seq;
  int rc = vault_chain_head(r, &seq, s->parent, err);
  if (rc)
    return rc;
  s->seq = seq + 1;
  s->id[0] = '\0';
  if (!s->host[0])
    gethostname(s->host, sizeof(s->host) - 1);
  json_t *o = vault_snapshot_json(s);
  json_object_set_new(o, "repo", json_string(r->cfg.id));
  char *text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
  json_decref(o);
  if (!text)
    return fs_err_set(err, FS_ERR_NOMEM, "snapshot", "out of memory");
  rc = write_signed(r, "snapshots", VAULT_MAGIC_SNAP, text, s->id, err);
  free(text);
  return rc;
}

int vault_tombstone_write(struct vault_repo *r, const struct vault_snapshot *s, int64_t now_ms,
                          struct fs_err *err)
{
  json_t *o = json_pack("{s:s, s:I, s:o, s:s, s:I, s:I}", "id", s->id, "seq", (json_int_t)s->seq,
                        "parent", s->parent[0] ? json_string(s->parent) : json_null(),
                        "business_date", s->business_date, "time_ms", (json_int_t)s->time_ms,
                        "forgotten_ms", (json_int_t)now_ms);
  char *text = o ? json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
  json_decref(o);
  if (!text)
    return fs_err_set(err, FS_ERR_NOMEM, "tombstone", "out of memory");
  /* Named by the BLAKE2b of its bytes like a snapshot; it records the id of the one it replaces. */
  size_t jl = strlen(text);
  uint8_t *plain = malloc(64 + jl);
  size_t total = VAULT_MAGIC_LEN + 64 + jl + VAULT_SEAL_OVERHEAD;
  uint8_t *file = malloc(total);
  int rc;
  if (!plain || !file) {
    rc = fs_err_set(err, FS_ERR_NOMEM, "tombstone", "out of memory");
  } else {
    vault_sign(&r->keys, text, jl, plain);
    memcpy(plain + 64, text, jl);
    memcpy(file, VAULT_MAGIC_TOMB, VAULT_MAGIC_LEN);
    vault_seal(r->keys.meta, VAULT_MAGIC_TOMB, VAULT_MAGIC_LEN, plain, 64 + jl,
               file + VAULT_MAGIC_LEN);
    uint8_t cid[32];
    char hex[65], path[4096];
    vault_content_id(file, total, cid);
    fs_hex_encode(cid, 32, hex);
    vault_path(r, path, sizeof(path), "tombstones/%s", hex);
    rc = vault_write_file(path, file, total, err);
  }
  free(plain);
  free(file);
  free(text);
  return rc;
}
