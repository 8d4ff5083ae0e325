/* Evidence files: kept under the evidence folder by SHA-256 (content-addressed, so a file
 * written twice is one file), recorded with name, media type and size; size-limited; checked
 * against their digest when read back. */
#include "incident/internal.h"

#include "audit/audit.h"
#include "core/encode.h"
#include "core/file.h"
#include "core/jsonx.h"
#include "core/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_name(const char *name, struct fs_err *err)
{
  size_t n = name ? strlen(name) : 0;
  if (n == 0 || n > 200)
    return fs_err_set(err, FS_ERR_INVALID, "name", "the file name must have 1..200 bytes");
  for (const char *p = name; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == '/' || *p == '\\' || *p == 0x7f)
      return fs_err_set(err, FS_ERR_INVALID, "name",
                        "the file name may not contain '/', '\\' or control characters");
  if (!strcmp(name, ".") || !strcmp(name, ".."))
    return fs_err_set(err, FS_ERR_INVALID, "name", "not a file name");
  return FS_OK;
}

static int check_media_type(const char *t, struct fs_err *err)
{
  size_t n = strlen(t);
  const char *slash = strchr(t, '/');
  if (n < 3 || n > 100 || !slash || slash == t || !slash[1])
    return fs_err_set(err, FS_ERR_INVALID, "Content-Type", "not a media type");
  for (const char *p = t; *p; p++)
    if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
      return fs_err_set(err, FS_ERR_INVALID, "Content-Type", "not a media type");
  return FS_OK;
}

static int evidence_path(const struct incident_env *env, const char *sha, char *out, size_t n)
{
  char rel[80];
  snprintf(rel, sizeof(rel), "%.2s/%s", sha, sha);
  return fs_path_join(out, n, env->evidence_dir, rel);
}

int incident_evidence_add(struct store_conn *c, const struct actor *who,
                          const struct incident_env *env, const char *id, const char *name,
                          const char *media_type, const void *data, size_t len,
                          char evidence_id[37], struct fs_err *err)
{
  int rc = check_name(name, err);
  if (!rc)
    rc = check_media_type(media_type, err);
  if (rc)
    return rc;
  if ((int64_t)len > env->max_evidence_bytes)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "body",
                      "the evidence file has %zu bytes; at most %lld are accepted "
                      "(incident.max_evidence_bytes)",
                      len, (long long)env->max_evidence_bytes);
  if (len == 0)
    return fs_err_set(err, FS_ERR_INVALID, "body", "the evidence file is empty");
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  struct incident_row r;
  rc = incident_check(c, who, id, POLICY_INCIDENT_WORK, &r, err);
  char sha[65];
  fs_sha256_hex(data, len, sha);
  char path[FS_CONFIG_PATH_MAX + 160], dir[FS_CONFIG_PATH_MAX + 160];
  bool wrote = false;
  if (!rc && (evidence_path(env, sha, path, sizeof(path)) ||
              fs_path_join(dir, sizeof(dir), env->evidence_dir, "")))
    rc = fs_err_set(err, FS_ERR_INVALID, "[incident] evidence_dir", "path too long");
  if (!rc && !fs_path_exists(path)) {
    char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) : 0;
    memcpy(dir, path, dl);
    dir[dl] = '\0';
    rc = fs_mkdir_p(dir, 0700, err);
    if (!rc)
      rc = fs_file_write_atomic(path, data, len, 0600, err);
    wrote = !rc;
  }
  if (!rc) {
    fs_uuid_v4(evidence_id);
    rc =
        store_exec(c, NULL, err,
                   "INSERT INTO incident_evidence (id, incident_id, name, media_type, size, sha256,"
                   " uploaded_by, created_at) VALUES (?,?,?,?,?,?,?,?)",
                   "ssssissi", evidence_id, r.id, name, media_type, (int64_t)len, sha,
                   who->username, who->now_ms);
  }
  if (!rc)
    rc = incident_event_addf(c, who, r.id, "evidence", who->now_ms, err,
                             "evidence %.200s (%zu bytes, SHA-256 %.16s...)", name, len, sha);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s,s:I,s:s}", "ref", r.ref, "name", name, "size", (json_int_t)len,
                          "sha256", sha);
    rc = audit_append(c, who, "incident.evidence", "incident_evidence", evidence_id, d, err);
    json_decref(d);
  }
  rc = store_tx_leave(c, owned, rc, err);
  /* A file this call wrote and no row refers to is taken back (unless another upload of the same
   * bytes recorded it meanwhile). */
  if (rc && wrote && owned) {
    int64_t refs = 1;
    if (!store_query_int(c, &refs, NULL, NULL,
                         "SELECT COUNT(*) FROM incident_evidence WHERE"
                         " sha256 = ?",
                         "s", sha) &&
        !refs)
      unlink(path);
  }
  return rc;
}

static json_t *evidence_item(struct store_stmt *s, const struct actor *who)
{
  (void)who;
  return json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:o}", "id", store_col_text(s, 0), "name",
                   store_col_text(s, 1), "media_type", store_col_text(s, 2), "size",
                   (json_int_t)store_col_int(s, 3), "sha256", store_col_text(s, 4), "uploaded_by",
                   store_col_text(s, 5), "created_at", jsonx_time_new(store_col_int(s, 6)));
}

int incident_evidence_json(struct store_conn *c, const struct actor *who, const char *id,
                           json_t **out, struct fs_err *err)
{
  return incident_items_json(
      c, who, id, POLICY_INCIDENT_READ,
      "SELECT id, name, media_type, size, sha256, uploaded_by, created_at"
      " FROM incident_evidence WHERE incident_id = ? ORDER BY created_at, id",
      evidence_item, out, err);
}

int incident_evidence_read(struct store_conn *c, const struct actor *who,
                           const struct incident_env *env, const char *id, const char *evidence_id,
                           struct fs_buf *out, char **name, char **media_type, struct fs_err *err)
{
  struct incident_row r;
  int rc = incident_check(c, who, id, POLICY_INCIDENT_READ, &r, err);
  struct store_stmt *s;
  if (!rc)
    rc = store_query(c, &s, err,
                     "SELECT name, media_type, sha256, size FROM incident_evidence WHERE id = ?"
                     " AND incident_id = ?",
                     "ss", evidence_id, r.id);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  char sha[65] = "";
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "evidence", "no evidence \"%.64s\" in %s", evidence_id,
                    r.ref);
  if (!rc) {
    *name = strdup(store_col_text(s, 0));
    *media_type = strdup(store_col_text(s, 1));
    snprintf(sha, sizeof(sha), "%s", store_col_text(s, 2));
  }
  store_done(s);
  if (rc)
    return rc;
  char path[FS_CONFIG_PATH_MAX + 160];
  if (evidence_path(env, sha, path, sizeof(path)))
    rc = fs_err_set(err, FS_ERR_INVALID, "[incident] evidence_dir", "path too long");
  if (!rc)
    rc = fs_file_read_all(path, out, err);
  char got[65];
  if (!rc) {
    fs_sha256_hex(out->data ? out->data : "", out->len, got);
    if (strcmp(got, sha))
      rc = fs_err_set(err, FS_ERR_CORRUPT, evidence_id,
                      "the stored evidence file no longer matches its SHA-256");
  }
  if (rc) {
    free(*name);
    free(*media_type);
    *name = *media_type = NULL;
  }
  return rc;
}
