/* STIX timestamps (exact form, full-precision ordering), the metadata the store indexes, and
 * the ordering of versions of one object. */
#include "stix/stix.h"

#include "core/time.h"

#include <string.h>

/* Checks a STIX timestamp and reads it into *t. */
static bool timestamp_parse(const char *s, size_t len, unsigned *frac_digits, struct fs_time *t)
{
  static const char shape[] = "dddd-dd-ddTdd:dd:dd";
  if (!s || len < 20)
    return false;
  for (size_t i = 0; i < 19; i++) {
    if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
      return false;
  }
  size_t p = 19;
  unsigned digits = 0;
  if (s[p] == '.') {
    p++;
    while (p < len && s[p] >= '0' && s[p] <= '9')
      p++, digits++;
    if (digits == 0)
      return false;
  }
  if (p != len - 1 || s[p] != 'Z')
    return false;
  if (fs_time_parse(s, len, FS_TIME_REQUIRE_Z, t, NULL))
    return false; /* month, day of month, hour, minute or second out of range */
  if (frac_digits)
    *frac_digits = digits;
  return true;
}

bool stix_timestamp_valid(const char *s, size_t len, unsigned *frac_digits)
{
  struct fs_time t;
  return timestamp_parse(s, len, frac_digits, &t);
}

int stix_timestamp_cmp(const char *a, const char *b)
{
  /* Same fixed-width form, all UTC: the text orders like the time, fraction digit by digit. */
  int c = memcmp(a, b, 19);
  if (c)
    return c < 0 ? -1 : 1;
  const char *fa = a[19] == '.' ? a + 20 : a + 19, *fb = b[19] == '.' ? b + 20 : b + 19;
  for (;;) {
    char ca = (*fa >= '0' && *fa <= '9') ? *fa++ : '0';
    char cb = (*fb >= '0' && *fb <= '9') ? *fb++ : '0';
    if (ca != cb)
      return ca < cb ? -1 : 1;
    bool more_a = *fa >= '0' && *fa <= '9', more_b = *fb >= '0' && *fb <= '9';
    if (!more_a && !more_b)
      return 0;
  }
}

static const char *str(const json_t *o, const char *key)
{
  const json_t *x = json_object_get(o, key);
  return json_is_string(x) ? json_string_value(x) : NULL;
}

static int get_time(const json_t *o, const char *key, const char **text, int64_t *ms,
                    struct fs_err *err)
{
  *text = NULL;
  *ms = 0;
  const json_t *x = json_object_get(o, key);
  if (!x)
    return FS_OK;
  struct fs_time t;
  if (!json_is_string(x) || !timestamp_parse(json_string_value(x), json_string_length(x), NULL, &t))
    return fs_err_set(err, FS_ERR_INVALID, key, "%s is not a STIX timestamp", key);
  *text = json_string_value(x);
  *ms = fs_time_to_ms(&t);
  return FS_OK;
}

int stix_meta_get(const json_t *obj, struct stix_meta *m, struct fs_err *err)
{
  memset(m, 0, sizeof(*m));
  if (!json_is_object(obj))
    return fs_err_set(err, FS_ERR_INVALID, "", "a STIX object must be a JSON object");
  m->id = str(obj, "id");
  m->type = str(obj, "type");
  if (!m->id || !m->type)
    return fs_err_set(err, FS_ERR_INVALID, m->id ? "type" : "id", "%s is missing",
                      m->id ? "type" : "id");
  m->kind = stix_type_kind(m->type);
  m->spec_version = str(obj, "spec_version");
  m->revoked = json_is_true(json_object_get(obj, "revoked"));
  m->created_by_ref = str(obj, "created_by_ref");
  const json_t *marks = json_object_get(obj, "object_marking_refs");
  m->object_marking_refs = json_is_array(marks) ? marks : NULL;
  const json_t *granular = json_object_get(obj, "granular_markings");
  m->granular_markings = json_is_array(granular) ? granular : NULL;
  int rc = get_time(obj, "created", &m->created, &m->created_ms, err);
  if (!rc)
    rc = get_time(obj, "modified", &m->modified, &m->modified_ms, err);
  if (!rc && !strcmp(m->type, "indicator")) {
    rc = get_time(obj, "valid_from", &m->valid_from, &m->valid_from_ms, err);
    if (!rc)
      rc = get_time(obj, "valid_until", &m->valid_until, &m->valid_until_ms, err);
  }
  return rc;
}

const char *stix_meta_version(const struct stix_meta *m)
{
  return m->modified ? m->modified : m->created;
}

int stix_meta_version_cmp(const struct stix_meta *a, const struct stix_meta *b)
{
  const char *va = stix_meta_version(a), *vb = stix_meta_version(b);
  if (!va || !vb)
    return (va != NULL) - (vb != NULL);
  return stix_timestamp_cmp(va, vb);
}

int stix_version_cmp(const json_t *a, const json_t *b)
{
  struct stix_meta ma = {0}, mb = {0};
  const char *va = str(a, "modified"), *vb = str(b, "modified");
  ma.modified = va && stix_timestamp_valid(va, strlen(va), NULL) ? va : NULL;
  mb.modified = vb && stix_timestamp_valid(vb, strlen(vb), NULL) ? vb : NULL;
  va = str(a, "created");
  vb = str(b, "created");
  ma.created = va && stix_timestamp_valid(va, strlen(va), NULL) ? va : NULL;
  mb.created = vb && stix_timestamp_valid(vb, strlen(vb), NULL) ? vb : NULL;
  return stix_meta_version_cmp(&ma, &mb);
}
