/* Reading MISP feeds: manifest.json and event files (see misp.h). */
#include "intel/misp.h"

#include "core/jsonx.h"
#include "core/time.h"
#include "core/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A MISP number: a JSON integer or a string of decimal digits (MISP writes both). */
static bool number_of(const json_t *v, int64_t *out)
{
  if (json_is_integer(v)) {
    *out = json_integer_value(v);
    return true;
  }
  const char *s = json_string_value(v);
  if (!s || !*s || strlen(s) > 18)
    return false;
  int64_t n = 0;
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9')
      return false;
    n = n * 10 + (*p - '0');
  }
  *out = n;
  return true;
}

static bool bool_of(const json_t *v, bool dflt)
{
  if (json_is_boolean(v))
    return json_is_true(v);
  int64_t n;
  if (v && number_of(v, &n))
    return n != 0;
  return dflt;
}

/* The strictest tlp: tag among Tag: [{"name": "tlp:amber"}, ...]. */
static enum tlp_level tags_tlp(const json_t *tags)
{
  enum tlp_level t = TLP_NONE;
  size_t i;
  const json_t *tag;
  json_array_foreach(tags, i, tag)
  {
    const char *name = json_string_value(json_object_get(tag, "name"));
    enum tlp_level l = name && !strncasecmp(name, "tlp:", 4) ? stix_tlp_from_token(name) : TLP_NONE;
    if (l > t)
      t = l;
  }
  return t;
}

static bool valid_uuid(const char *s)
{
  if (!s || strlen(s) != 36 || !fs_uuid_is_rfc4122(s, 36))
    return false;
  for (const char *p = s; *p; p++)
    if (*p >= 'A' && *p <= 'F')
      return false;
  return true;
}

int misp_manifest_parse(const char *bytes, size_t len, struct misp_manifest_entry **out, size_t *n,
                        struct fs_err *err)
{
  *out = NULL;
  *n = 0;
  json_t *root;
  int rc = jsonx_parse_object(bytes, len, &root, err);
  if (rc)
    return rc;
  size_t count = json_object_size(root);
  if (count > MISP_MAX_MANIFEST_EVENTS) {
    json_decref(root);
    return fs_err_set(err, FS_ERR_TOO_LARGE, "manifest.json", "more than %u events",
                      MISP_MAX_MANIFEST_EVENTS);
  }
  struct misp_manifest_entry *list = count ? calloc(count, sizeof(*list)) : NULL;
  if (count && !list) {
    json_decref(root);
    return fs_err_set(err, FS_ERR_NOMEM, "manifest.json", "out of memory");
  }
  const char *key;
  json_t *v;
  size_t i = 0;
  json_object_foreach(root, key, v)
  {
    char where[80];
    snprintf(where, sizeof(where), "manifest.json: $[\"%.40s\"]", key);
    if (!valid_uuid(key)) {
      rc = fs_err_set(err, FS_ERR_INVALID, where, "an event's key must be its UUID in lower case");
      break;
    }
    if (!json_is_object(v) || !number_of(json_object_get(v, "timestamp"), &list[i].timestamp)) {
      rc = fs_err_set(err, FS_ERR_INVALID, where, "an event needs a timestamp (seconds)");
      break;
    }
    snprintf(list[i].uuid, sizeof(list[i].uuid), "%s", key);
    const char *sha = json_string_value(json_object_get(v, "integrity:sha256"));
    if (sha) {
      size_t sl = strlen(sha);
      bool hex = sl == 64;
      for (size_t k = 0; hex && k < sl; k++)
        hex = (sha[k] >= '0' && sha[k] <= '9') || (sha[k] >= 'a' && sha[k] <= 'f') ||
              (sha[k] >= 'A' && sha[k] <= 'F');
      if (!hex) {
        rc = fs_err_set(err, FS_ERR_INVALID, where, "integrity:sha256 must be 64 hex digits");
        break;
      }
      for (size_t k = 0; k < sl; k++)
        list[i].sha256[k] = (char)(sha[k] >= 'A' && sha[k] <= 'F' ? sha[k] + 32 : sha[k]);
    }
    i++;
  }
  json_decref(root);
  if (rc) {
    free(list);
    return rc;
  }
  *out = list;
  *n = i;
  return FS_OK;
}

void misp_event_release(struct misp_event *ev)
{
  fs_arena_release(&ev->arena);
  free(ev->attrs);
  memset(ev, 0, sizeof(*ev));
}

struct reader {
  struct misp_event *ev;
  size_t cap;
  struct fs_err *err;
};

static const char *str_copy(struct reader *r, const json_t *v, const char *dflt)
{
  const char *s = json_string_value(v);
  if (!s)
    return dflt;
  const char *c = fs_arena_strndup(&r->ev->arena, s, json_string_length(v));
  return c ? c : dflt;
}

/* A MISP time that may be null: "2019-06-02T22:14:28.711954+00:00". */
static int64_t time_of(const json_t *v)
{
  const char *s = json_string_value(v);
  int64_t ms = 0;
  if (!s || fs_time_parse_ms(s, strlen(s), &ms, NULL))
    return 0;
  return ms;
}

static int add_attribute(struct reader *r, const json_t *a, const char *object, const char *path)
{
  struct misp_event *ev = r->ev;
  char where[96];
  snprintf(where, sizeof(where), "%s (attribute %zu)", path, ev->n_attrs + 1);
  if (!json_is_object(a))
    return fs_err_set(r->err, FS_ERR_INVALID, where, "an attribute must be an object");
  const char *type = json_string_value(json_object_get(a, "type"));
  const json_t *value = json_object_get(a, "value");
  if (!type || !*type || !json_is_string(value))
    return fs_err_set(r->err, FS_ERR_INVALID, where,
                      "an attribute needs a type and a value (strings)");
  if (ev->n_attrs == MISP_MAX_ATTRIBUTES)
    return fs_err_set(r->err, FS_ERR_TOO_LARGE, where, "more than %u attributes in one event",
                      MISP_MAX_ATTRIBUTES);
  if (ev->n_attrs == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 64;
    struct misp_attribute *p = realloc(ev->attrs, cap * sizeof(*p));
    if (!p)
      return fs_err_set(r->err, FS_ERR_NOMEM, where, "out of memory");
    ev->attrs = p;
    r->cap = cap;
  }
  struct misp_attribute *at = &ev->attrs[ev->n_attrs];
  memset(at, 0, sizeof(*at));
  at->index = ev->n_attrs + 1;
  at->type = str_copy(r, json_object_get(a, "type"), NULL);
  at->value = str_copy(r, value, NULL);
  if (!at->type || !at->value)
    return fs_err_set(r->err, FS_ERR_NOMEM, where, "out of memory");
  at->uuid = str_copy(r, json_object_get(a, "uuid"), "");
  at->category = str_copy(r, json_object_get(a, "category"), "");
  at->comment = str_copy(r, json_object_get(a, "comment"), "");
  at->object = object;
  at->to_ids = bool_of(json_object_get(a, "to_ids"), false);
  at->deleted = bool_of(json_object_get(a, "deleted"), false);
  int64_t d = MISP_DIST_INHERIT;
  if (!number_of(json_object_get(a, "distribution"), &d) || d < 0 || d > 5)
    d = MISP_DIST_INHERIT;
  at->distribution = (int)d;
  at->tlp = tags_tlp(json_object_get(a, "Tag"));
  int64_t ts = 0;
  number_of(json_object_get(a, "timestamp"), &ts);
  at->timestamp = ts;
  at->first_seen_ms = time_of(json_object_get(a, "first_seen"));
  at->last_seen_ms = time_of(json_object_get(a, "last_seen"));
  ev->n_attrs++;
  return FS_OK;
}

static int read_event(struct reader *r, const json_t *e)
{
  struct misp_event *ev = r->ev;
  const char *uuid = json_string_value(json_object_get(e, "uuid"));
  const char *info = json_string_value(json_object_get(e, "info"));
  const char *date = json_string_value(json_object_get(e, "date"));
  if (!valid_uuid(uuid))
    return fs_err_set(r->err, FS_ERR_INVALID, "$.Event.uuid",
                      "an event needs its UUID (lower case)");
  if (!info)
    return fs_err_set(r->err, FS_ERR_INVALID, "$.Event.info", "an event needs its info (a string)");
  if (!date || strlen(date) != 10)
    return fs_err_set(r->err, FS_ERR_INVALID, "$.Event.date",
                      "an event needs its date (YYYY-MM-DD)");
  if (!number_of(json_object_get(e, "timestamp"), &ev->timestamp))
    return fs_err_set(r->err, FS_ERR_INVALID, "$.Event.timestamp",
                      "an event needs its timestamp (seconds)");
  ev->uuid = str_copy(r, json_object_get(e, "uuid"), NULL);
  ev->info = str_copy(r, json_object_get(e, "info"), NULL);
  ev->date = str_copy(r, json_object_get(e, "date"), NULL);
  const json_t *orgc = json_object_get(e, "Orgc");
  ev->org = str_copy(r, json_object_get(orgc, "name"), "");
  if (!ev->uuid || !ev->info || !ev->date)
    return fs_err_set(r->err, FS_ERR_NOMEM, "$.Event", "out of memory");
  ev->published = bool_of(json_object_get(e, "published"), false);
  int64_t n = MISP_DIST_COMMUNITY;
  if (!number_of(json_object_get(e, "distribution"), &n) || n < 0 || n > 4)
    n = MISP_DIST_COMMUNITY;
  ev->distribution = (int)n;
  n = 0;
  number_of(json_object_get(e, "threat_level_id"), &n);
  ev->threat_level = n >= 1 && n <= 4 ? (int)n : 0;
  number_of(json_object_get(e, "publish_timestamp"), &ev->publish_timestamp);
  ev->tlp = tags_tlp(json_object_get(e, "Tag"));
  const json_t *attrs = json_object_get(e, "Attribute");
  if (attrs && !json_is_array(attrs))
    return fs_err_set(r->err, FS_ERR_INVALID, "$.Event.Attribute", "Attribute must be a list");
  size_t i;
  const json_t *a;
  int rc = FS_OK;
  json_array_foreach(attrs, i, a)
  {
    if ((rc = add_attribute(r, a, NULL, "$.Event.Attribute")))
      return rc;
  }
  const json_t *objects = json_object_get(e, "Object");
  if (objects && !json_is_array(objects))
    return fs_err_set(r->err, FS_ERR_INVALID, "$.Event.Object", "Object must be a list");
  size_t k;
  const json_t *o;
  json_array_foreach(objects, k, o)
  {
    const json_t *oattrs = json_object_get(o, "Attribute");
    if (!json_is_object(o) || (oattrs && !json_is_array(oattrs)))
      return fs_err_set(r->err, FS_ERR_INVALID, "$.Event.Object",
                        "an object must be an object with an Attribute list");
    const char *name = str_copy(r, json_object_get(o, "name"), "object");
    bool deleted = bool_of(json_object_get(o, "deleted"), false);
    json_array_foreach(oattrs, i, a)
    {
      size_t before = ev->n_attrs;
      if ((rc = add_attribute(r, a, name, "$.Event.Object[].Attribute")))
        return rc;
      if (deleted && ev->n_attrs > before)
        ev->attrs[before].deleted = true; /* a deleted object's attributes go with it */
    }
  }
  return FS_OK;
}

int misp_event_parse(const char *bytes, size_t len, struct misp_event *ev, struct fs_err *err)
{
  memset(ev, 0, sizeof(*ev));
  fs_arena_init(&ev->arena, 0, 0);
  if (len > MISP_MAX_EVENT_BYTES)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "event", "an event file of more than %u bytes",
                      MISP_MAX_EVENT_BYTES);
  json_t *root;
  int rc = jsonx_parse_object(bytes, len, &root, err);
  if (rc)
    return rc;
  const json_t *e = json_object_get(root, "Event");
  if (!e)
    e = root;
  struct reader r = {ev, 0, err};
  rc = json_is_object(e) ? read_event(&r, e)
                         : fs_err_set(err, FS_ERR_INVALID, "$.Event", "Event must be an object");
  json_decref(root);
  return rc;
}

enum tlp_level misp_distribution_tlp(int distribution)
{
  switch (distribution) {
  case MISP_DIST_ORG:
    return TLP_AMBER_STRICT;
  case MISP_DIST_GROUP:
    return TLP_AMBER;
  default:
    return TLP_NONE;
  }
}

/* The MISP types the hub indexes: the kind of each part of the value ('|' separates them). */
struct type_map {
  const char *type;
  enum intel_obs first, second;           /* NONE: the part is context (detail) */
  const char *first_label, *second_label; /* the context part's label */
};

static const struct type_map types[] = {
    {"ip-src", INTEL_OBS_IPV4, INTEL_OBS_NONE, NULL, NULL},
    {"ip-dst", INTEL_OBS_IPV4, INTEL_OBS_NONE, NULL, NULL},
    {"ip-src|port", INTEL_OBS_IPV4, INTEL_OBS_NONE, NULL, "port"},
    {"ip-dst|port", INTEL_OBS_IPV4, INTEL_OBS_NONE, NULL, "port"},
    {"domain", INTEL_OBS_DOMAIN, INTEL_OBS_NONE, NULL, NULL},
    {"hostname", INTEL_OBS_DOMAIN, INTEL_OBS_NONE, NULL, NULL},
    {"hostname|port", INTEL_OBS_DOMAIN, INTEL_OBS_NONE, NULL, "port"},
    {"domain|ip", INTEL_OBS_DOMAIN, INTEL_OBS_IPV4, NULL, NULL},
    {"url", INTEL_OBS_URL, INTEL_OBS_NONE, NULL, NULL},
    {"md5", INTEL_OBS_MD5, INTEL_OBS_NONE, NULL, NULL},
    {"sha1", INTEL_OBS_SHA1, INTEL_OBS_NONE, NULL, NULL},
    {"sha256", INTEL_OBS_SHA256, INTEL_OBS_NONE, NULL, NULL},
    {"sha512", INTEL_OBS_SHA512, INTEL_OBS_NONE, NULL, NULL},
    {"filename|md5", INTEL_OBS_NONE, INTEL_OBS_MD5, "filename", NULL},
    {"filename|sha1", INTEL_OBS_NONE, INTEL_OBS_SHA1, "filename", NULL},
    {"filename|sha256", INTEL_OBS_NONE, INTEL_OBS_SHA256, "filename", NULL},
    {"filename|sha512", INTEL_OBS_NONE, INTEL_OBS_SHA512, "filename", NULL},
    {"email", INTEL_OBS_EMAIL, INTEL_OBS_NONE, NULL, NULL},
    {"email-src", INTEL_OBS_EMAIL, INTEL_OBS_NONE, NULL, NULL},
    {"email-dst", INTEL_OBS_EMAIL, INTEL_OBS_NONE, NULL, NULL},
};

enum misp_attr_use misp_attribute_observables(const struct misp_attribute *a,
                                              struct misp_observables *out, struct fs_err *err)
{
  out->n = 0;
  out->detail[0] = '\0';
  const struct type_map *m = NULL;
  for (size_t i = 0; i < FS_ARRAY_SIZE(types) && !m; i++)
    if (!strcmp(a->type, types[i].type))
      m = &types[i];
  if (!m)
    return MISP_USE_OTHER_TYPE;
  if (a->deleted)
    return MISP_USE_DELETED;
  const char *v = a->value;
  size_t vl = strlen(v);
  const char *bar = strchr(m->type, '|') ? strchr(v, '|') : NULL;
  char where[64];
  snprintf(where, sizeof(where), "attribute %zu (%.24s)", a->index, a->type);
  if (strchr(m->type, '|') && !bar) {
    fs_err_set(err, FS_ERR_INVALID, where, "a composite value is two parts joined by '|'");
    return MISP_USE_INVALID;
  }
  struct {
    const char *s;
    size_t n;
    enum intel_obs kind;
    const char *label;
  } parts[2] = {
      {v, bar ? (size_t)(bar - v) : vl, m->first, m->first_label},
      {bar ? bar + 1 : "", bar ? vl - (size_t)(bar - v) - 1 : 0, m->second, m->second_label}};
  for (size_t p = 0; p < (bar ? 2u : 1u); p++) {
    if (parts[p].kind == INTEL_OBS_NONE) {
      if (parts[p].label)
        snprintf(out->detail, sizeof(out->detail), "%s %.*s", parts[p].label,
                 (int)FS_MIN(parts[p].n, (size_t)120), parts[p].s);
      continue;
    }
    struct misp_observable *o = &out->obs[out->n];
    /* "ip-dst" may hold an IPv6 address: the canonicaliser tells the family. */
    o->kind = parts[p].kind;
    if (!intel_canon(&o->kind, parts[p].s, parts[p].n, o->value, where, err))
      return MISP_USE_INVALID;
    out->n++;
  }
  return a->to_ids ? MISP_USE_INDICATOR : MISP_USE_CONTEXT;
}
