/* Deterministic SCO ids: UUIDv5 in the STIX namespace over the ID contributing properties,
 * serialized with RFC 8785 (spec sections 2.9 and 3.4), and the check of received ids. */
#include "stix/jcs.h"
#include "stix/stix_int.h"

#include "core/buf.h"
#include "core/uuid.h"

#include <stdio.h>
#include <string.h>

/* One hash, in the order of preference the spec gives: MD5, SHA-1, SHA-256, SHA-512, else the
 * first one present. */
static json_t *choose_hash(const json_t *hashes)
{
  static const char *const order[] = {"MD5", "SHA-1", "SHA-256", "SHA-512", NULL};
  if (!json_is_object(hashes) || json_object_size(hashes) == 0)
    return NULL;
  const char *key = NULL;
  for (const char *const *o = order; *o && !key; o++)
    if (json_object_get(hashes, *o))
      key = *o;
  if (!key)
    key = json_object_iter_key(json_object_iter(JSON_MUT(hashes)));
  return json_pack("{s:O}", key, json_object_get(hashes, key));
}

/* Builds the JSON object of the contributing properties present; NULL when none is. */
static int contributing(const json_t *sco, const struct stix_type_spec *t, json_t **out)
{
  *out = NULL;
  json_t *sel = json_object();
  if (!sel)
    return FS_ERR_NOMEM;
  for (const char *const *p = t->id_props; *p; p++) {
    const json_t *x = json_object_get(sco, *p);
    if (!x)
      continue;
    json_t *val = !strcmp(*p, "hashes") ? choose_hash(x) : json_incref(JSON_MUT(x));
    if (val && json_object_set_new(sel, *p, val)) {
      json_decref(sel);
      return FS_ERR_NOMEM;
    }
  }
  if (json_object_size(sel) == 0) {
    json_decref(sel);
    return FS_OK;
  }
  *out = sel;
  return FS_OK;
}

static int compute(const json_t *sco, const struct stix_type_spec *t, char out[STIX_ID_MAX],
                   bool *deterministic)
{
  *deterministic = false;
  out[0] = '\0';
  json_t *sel;
  int rc = contributing(sco, t, &sel);
  if (rc || !sel)
    return rc;
  struct fs_buf b;
  fs_buf_init(&b, 0);
  rc = stix_jcs_append(sel, &b);
  char uuid[FS_UUID_STRLEN + 1];
  if (!rc)
    rc = fs_uuid_v5(STIX_SCO_NAMESPACE, b.data, b.len, uuid);
  if (!rc) {
    snprintf(out, STIX_ID_MAX, "%s--%s", t->type, uuid);
    *deterministic = true;
  }
  fs_buf_release(&b);
  json_decref(sel);
  return rc;
}

int stix_sco_id(const json_t *sco, char out[STIX_ID_MAX], bool *deterministic, struct fs_err *err)
{
  *deterministic = false;
  out[0] = '\0';
  const json_t *type = json_object_get(sco, "type");
  const struct stix_type_spec *t = stix_type_spec(json_string_value(type));
  if (!t || t->kind != STIX_SCO)
    return fs_err_set(err, FS_ERR_INVALID, "type", "not an SCO type defined by STIX 2.1");
  int rc = compute(sco, t, out, deterministic);
  return rc ? fs_err_set(err, rc, "id", "cannot compute the deterministic id") : FS_OK;
}

void stix_check_sco_id(struct vctx *v, const struct stix_type_spec *t, const json_t *o)
{
  char want[STIX_ID_MAX];
  bool det;
  if (compute(o, t, want, &det))
    return; /* a value the canonicalizer refuses (non-finite number): reported elsewhere */
  size_t old = v_push(v, "id");
  if (det && strcmp(want, v->id))
    v_warn(v, "is not the deterministic id %s (spec 2.9: SCOs should use UUIDv5)", want);
  else if (!det && v->id[strlen(v->id) - FS_UUID_STRLEN + 14] != '4')
    v_warn(v, "an SCO without ID contributing properties should use a UUIDv4");
  v_pop(v, old);
}
