/* Reading MISP feeds: manifest.json and event files (see misp.h). */
#include "intel/misp.h"

#include "core/jsonx.h"
#include "core/time.h"
#include "core/uuid.h"
#include "stix/json_read.h"

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

/* An event file is walked, not built: its members are taken as the reader passes them (strings
 * read in place, copied into the event's arena), so that an event costs about its text and its
 * attributes' strings, not a JSON tree ten times its size. Members read twice are refused. */
struct reader {
  struct misp_event *ev;
  struct stix_json_reader *r;
  size_t cap;
  struct fs_err *err;
};

static bool key_is(const char *k, size_t n, const char *name)
{
  return strlen(name) == n && !memcmp(k, name, n);
}

/* A member name the reader looks for, with its length. */
struct key {
  const char *name;
  size_t len;
};
#define KEY(s)                                                                                     \
  {                                                                                                \
    s, sizeof(s) - 1                                                                               \
  }

/* The index of key in names (ended by a NULL name), or -1. */
static int key_index(const char *k, size_t n, const struct key *names)
{
  for (int i = 0; names[i].name; i++)
    if (names[i].len == n && !memcmp(k, names[i].name, n))
      return i;
  return -1;
}

/* Refuses a member read twice (seen: a bit per member of names). */
static int once(struct reader *rd, unsigned *seen, int i, size_t key_at)
{
  if (*seen & (1u << i))
    return stix_json_fail(rd->r, key_at, "duplicate object key", rd->err);
  *seen |= 1u << i;
  return FS_OK;
}

/* The value at the reader as a JSON value (numbers, booleans, tags: small). */
static int take_value(struct reader *rd, json_t **v)
{
  return stix_json_read(rd->r, v, rd->err);
}

/* A string member into the arena (*out), or *out = dflt when the value is not a string; *is_str
 * (may be NULL) tells which. */
static int take_str(struct reader *rd, const char **out, const char *dflt, bool *is_str)
{
  stix_json_skip_ws(rd->r);
  bool str = rd->r->pos < rd->r->len && rd->r->s[rd->r->pos] == '"';
  if (is_str)
    *is_str = str;
  if (!str) {
    *out = dflt;
    return stix_json_read(rd->r, NULL, rd->err);
  }
  const char *s;
  size_t n;
  int rc = stix_json_read_str(rd->r, &s, &n, rd->err);
  if (rc)
    return rc;
  if (!(*out = fs_arena_strndup(&rd->ev->arena, s, n)))
    return fs_err_set(rd->err, FS_ERR_NOMEM, "event", "out of memory");
  return FS_OK;
}

/* A MISP number or flag member, read through a small JSON value. */
static int take_number(struct reader *rd, int64_t *out, bool *ok)
{
  json_t *v;
  int rc = take_value(rd, &v);
  if (!rc)
    *ok = number_of(v, out);
  json_decref(v);
  return rc;
}

static int take_bool(struct reader *rd, bool dflt, bool *out)
{
  json_t *v;
  int rc = take_value(rd, &v);
  if (!rc)
    *out = bool_of(v, dflt);
  json_decref(v);
  return rc;
}

static int take_tags(struct reader *rd, enum tlp_level *out)
{
  json_t *v;
  int rc = take_value(rd, &v);
  if (!rc)
    *out = tags_tlp(v);
  json_decref(v);
  return rc;
}

/* A MISP time that may be null: "2019-06-02T22:14:28.711954+00:00"; 0 when absent or not one. */
static int take_time(struct reader *rd, int64_t *ms)
{
  const char *s;
  int rc = take_str(rd, &s, NULL, NULL);
  *ms = 0;
  if (!rc && s && fs_time_parse_ms(s, strlen(s), ms, NULL))
    *ms = 0;
  return rc;
}

static const struct key attr_keys[] = {KEY("type"),      KEY("value"),        KEY("uuid"),
                                       KEY("category"),  KEY("comment"),      KEY("to_ids"),
                                       KEY("deleted"),   KEY("distribution"), KEY("Tag"),
                                       KEY("timestamp"), KEY("first_seen"),   KEY("last_seen"),
                                       {NULL, 0}};

static int read_attribute(struct reader *rd, const char *path)
{
  struct misp_event *ev = rd->ev;
  char where[96]; /* made when a message needs it */
  stix_json_skip_ws(rd->r);
  if (rd->r->pos >= rd->r->len || rd->r->s[rd->r->pos] != '{') {
    int rc = stix_json_read(rd->r, NULL, rd->err);
    snprintf(where, sizeof(where), "%s (attribute %zu)", path, ev->n_attrs + 1);
    return rc ? rc : fs_err_set(rd->err, FS_ERR_INVALID, where, "an attribute must be an object");
  }
  if (ev->n_attrs == MISP_MAX_ATTRIBUTES || ev->n_attrs == rd->cap)
    snprintf(where, sizeof(where), "%s (attribute %zu)", path, ev->n_attrs + 1);
  if (ev->n_attrs == MISP_MAX_ATTRIBUTES)
    return fs_err_set(rd->err, FS_ERR_TOO_LARGE, where, "more than %u attributes in one event",
                      MISP_MAX_ATTRIBUTES);
  if (ev->n_attrs == rd->cap) {
    size_t cap = rd->cap ? rd->cap * 2 : 64;
    struct misp_attribute *p = realloc(ev->attrs, cap * sizeof(*p));
    if (!p)
      return fs_err_set(rd->err, FS_ERR_NOMEM, where, "out of memory");
    ev->attrs = p;
    rd->cap = cap;
  }
  struct misp_attribute *at = &ev->attrs[ev->n_attrs];
  memset(at, 0, sizeof(*at));
  at->index = ev->n_attrs + 1;
  at->uuid = at->category = at->comment = "";
  at->distribution = MISP_DIST_INHERIT;
  bool value_str = false;
  unsigned seen = 0;
  int rc = stix_json_open(rd->r, '{', rd->err);
  bool more = true;
  for (bool first = true; !rc; first = false) {
    const char *k;
    size_t kn, key_at = rd->r->pos;
    if ((rc = stix_json_next_member(rd->r, first, &more, &k, &kn, rd->err)) || !more)
      break;
    int i = key_index(k, kn, attr_keys);
    if (i >= 0 && (rc = once(rd, &seen, i, key_at)))
      break;
    int64_t n = 0;
    bool ok = false;
    switch (i) {
    case 0:
      rc = take_str(rd, &at->type, NULL, NULL);
      break;
    case 1:
      rc = take_str(rd, &at->value, NULL, &value_str);
      break;
    case 2:
      rc = take_str(rd, &at->uuid, "", NULL);
      break;
    case 3:
      rc = take_str(rd, &at->category, "", NULL);
      break;
    case 4:
      rc = take_str(rd, &at->comment, "", NULL);
      break;
    case 5:
      rc = take_bool(rd, false, &at->to_ids);
      break;
    case 6:
      rc = take_bool(rd, false, &at->deleted);
      break;
    case 7:
      if (!(rc = take_number(rd, &n, &ok)) && ok && n >= 0 && n <= 5)
        at->distribution = (int)n;
      break;
    case 8:
      rc = take_tags(rd, &at->tlp);
      break;
    case 9:
      if (!(rc = take_number(rd, &n, &ok)) && ok)
        at->timestamp = n;
      break;
    case 10:
      rc = take_time(rd, &at->first_seen_ms);
      break;
    case 11:
      rc = take_time(rd, &at->last_seen_ms);
      break;
    default:
      rc = stix_json_read(rd->r, NULL, rd->err);
    }
  }
  if (rc)
    return rc;
  if (!at->type || !*at->type || !value_str) {
    snprintf(where, sizeof(where), "%s (attribute %zu)", path, ev->n_attrs + 1);
    return fs_err_set(rd->err, FS_ERR_INVALID, where,
                      "an attribute needs a type and a value (strings)");
  }
  ev->n_attrs++;
  return FS_OK;
}

/* The attributes of an Attribute list: the event's, or (in_object) one of its objects'. */
static int read_attributes(struct reader *rd, bool in_object)
{
  const char *path = in_object ? "$.Event.Object[].Attribute" : "$.Event.Attribute";
  stix_json_skip_ws(rd->r);
  if (rd->r->pos >= rd->r->len || rd->r->s[rd->r->pos] != '[') {
    int rc = stix_json_read(rd->r, NULL, rd->err);
    if (rc)
      return rc;
    return in_object ? fs_err_set(rd->err, FS_ERR_INVALID, "$.Event.Object",
                                  "an object must be an object with an Attribute list")
                     : fs_err_set(rd->err, FS_ERR_INVALID, path, "Attribute must be a list");
  }
  int rc = stix_json_open(rd->r, '[', rd->err);
  bool more = true;
  for (bool first = true; !rc; first = false) {
    if ((rc = stix_json_next_element(rd->r, first, &more, rd->err)) || !more)
      break;
    rc = read_attribute(rd, path);
  }
  return rc;
}

static const struct key object_keys[] = {KEY("name"), KEY("deleted"), KEY("Attribute"), {NULL, 0}};

/* An Object: its attributes, named after it, deleted with it. */
static int read_object(struct reader *rd)
{
  stix_json_skip_ws(rd->r);
  if (rd->r->pos >= rd->r->len || rd->r->s[rd->r->pos] != '{') {
    int rc = stix_json_read(rd->r, NULL, rd->err);
    return rc ? rc
              : fs_err_set(rd->err, FS_ERR_INVALID, "$.Event.Object",
                           "an object must be an object with an Attribute list");
  }
  size_t before = rd->ev->n_attrs;
  const char *name = "object";
  bool deleted = false;
  unsigned seen = 0;
  int rc = stix_json_open(rd->r, '{', rd->err);
  bool more = true;
  for (bool first = true; !rc; first = false) {
    const char *k;
    size_t kn, key_at = rd->r->pos;
    if ((rc = stix_json_next_member(rd->r, first, &more, &k, &kn, rd->err)) || !more)
      break;
    int i = key_index(k, kn, object_keys);
    if (i >= 0 && (rc = once(rd, &seen, i, key_at)))
      break;
    if (i == 0)
      rc = take_str(rd, &name, "object", NULL);
    else if (i == 1)
      rc = take_bool(rd, false, &deleted);
    else if (i == 2)
      rc = read_attributes(rd, true);
    else
      rc = stix_json_read(rd->r, NULL, rd->err);
  }
  /* name and deleted may come after the list */
  for (size_t a = before; !rc && a < rd->ev->n_attrs; a++) {
    rd->ev->attrs[a].object = name;
    rd->ev->attrs[a].deleted |= deleted; /* a deleted object's attributes go with it */
  }
  return rc;
}

static const struct key event_keys[] = {KEY("uuid"),
                                        KEY("info"),
                                        KEY("date"),
                                        KEY("Orgc"),
                                        KEY("published"),
                                        KEY("distribution"),
                                        KEY("threat_level_id"),
                                        KEY("publish_timestamp"),
                                        KEY("Tag"),
                                        KEY("timestamp"),
                                        KEY("Attribute"),
                                        KEY("Object"),
                                        {NULL, 0}};

/* One member of the event (the root's own members when the file has no "Event"). */
static int event_member(struct reader *rd, const char *k, size_t kn, size_t key_at, unsigned *seen,
                        bool *has_timestamp)
{
  struct misp_event *ev = rd->ev;
  int i = key_index(k, kn, event_keys);
  int rc = i >= 0 ? once(rd, seen, i, key_at) : FS_OK;
  if (rc)
    return rc;
  int64_t n = 0;
  bool ok = false;
  json_t *v = NULL;
  switch (i) {
  case 0:
    return take_str(rd, &ev->uuid, NULL, NULL);
  case 1:
    return take_str(rd, &ev->info, NULL, NULL);
  case 2:
    return take_str(rd, &ev->date, NULL, NULL);
  case 3:
    if (!(rc = take_value(rd, &v))) {
      const char *org = json_string_value(json_object_get(v, "name"));
      ev->org = fs_arena_strdup(&ev->arena, org ? org : "");
      if (!ev->org)
        rc = fs_err_set(rd->err, FS_ERR_NOMEM, "event", "out of memory");
    }
    json_decref(v);
    return rc;
  case 4:
    return take_bool(rd, false, &ev->published);
  case 5:
    if (!(rc = take_number(rd, &n, &ok)))
      ev->distribution = ok && n >= 0 && n <= 4 ? (int)n : MISP_DIST_COMMUNITY;
    return rc;
  case 6:
    if (!(rc = take_number(rd, &n, &ok)))
      ev->threat_level = ok && n >= 1 && n <= 4 ? (int)n : 0;
    return rc;
  case 7:
    if (!(rc = take_number(rd, &n, &ok)) && ok)
      ev->publish_timestamp = n;
    return rc;
  case 8:
    return take_tags(rd, &ev->tlp);
  case 9:
    if (!(rc = take_number(rd, &n, &ok)) && ok)
      ev->timestamp = n;
    *has_timestamp = ok;
    return rc;
  case 10:
    return read_attributes(rd, false);
  case 11:
    stix_json_skip_ws(rd->r);
    if (rd->r->pos >= rd->r->len || rd->r->s[rd->r->pos] != '[') {
      rc = stix_json_read(rd->r, NULL, rd->err);
      return rc ? rc
                : fs_err_set(rd->err, FS_ERR_INVALID, "$.Event.Object", "Object must be a list");
    }
    rc = stix_json_open(rd->r, '[', rd->err);
    for (bool first = true, more = true; !rc; first = false) {
      if ((rc = stix_json_next_element(rd->r, first, &more, rd->err)) || !more)
        break;
      rc = read_object(rd);
    }
    return rc;
  default:
    return stix_json_read(rd->r, NULL, rd->err);
  }
}

/* Empties the event read so far (the root's members, once an "Event" member is found). */
static void event_reset(struct misp_event *ev)
{
  ev->uuid = ev->info = ev->date = NULL;
  ev->org = "";
  ev->published = false;
  ev->distribution = MISP_DIST_COMMUNITY;
  ev->tlp = TLP_NONE;
  ev->threat_level = 0;
  ev->timestamp = ev->publish_timestamp = 0;
  ev->n_attrs = 0;
}

/* The required members, once the event is read. */
static int check_event(struct reader *rd, bool has_timestamp)
{
  struct misp_event *ev = rd->ev;
  if (!valid_uuid(ev->uuid))
    return fs_err_set(rd->err, FS_ERR_INVALID, "$.Event.uuid",
                      "an event needs its UUID (lower case)");
  if (!ev->info)
    return fs_err_set(rd->err, FS_ERR_INVALID, "$.Event.info",
                      "an event needs its info (a string)");
  if (!ev->date || strlen(ev->date) != 10)
    return fs_err_set(rd->err, FS_ERR_INVALID, "$.Event.date",
                      "an event needs its date (YYYY-MM-DD)");
  if (!has_timestamp)
    return fs_err_set(rd->err, FS_ERR_INVALID, "$.Event.timestamp",
                      "an event needs its timestamp (seconds)");
  return FS_OK;
}

int misp_event_parse(const char *bytes, size_t len, struct misp_event *ev, struct fs_err *err)
{
  memset(ev, 0, sizeof(*ev));
  fs_arena_init(&ev->arena, 0, 0);
  event_reset(ev);
  if (len > MISP_MAX_EVENT_BYTES)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "event", "an event file of more than %u bytes",
                      MISP_MAX_EVENT_BYTES);
  struct stix_json_reader r;
  stix_json_reader_init(&r, bytes, len);
  struct reader rd = {ev, &r, 0, err};
  stix_json_skip_ws(&r);
  int rc = FS_OK;
  if (r.pos >= len || (bytes[r.pos] != '{' && bytes[r.pos] != '[')) {
    rc = stix_json_fail(&r, r.pos, "'[' or '{' expected", err);
  } else if (bytes[r.pos] == '[') { /* valid JSON, but not an object */
    rc = stix_json_read(&r, NULL, err);
    if (!rc)
      rc = fs_err_set(err, FS_ERR_INVALID, "$", "expected a JSON object");
  } else {
    rc = stix_json_open(&r, '{', err);
  }
  /* {"Event": {...}} or the event object itself: the root's members count until "Event" */
  bool wrapped = false, has_timestamp = false, root_has_timestamp = false;
  unsigned root_seen = 0, event_seen = 0;
  for (bool first = true, more = true; !rc; first = false) {
    const char *k;
    size_t kn, key_at = r.pos;
    if ((rc = stix_json_next_member(&r, first, &more, &k, &kn, err)) || !more)
      break;
    if (key_is(k, kn, "Event")) {
      if (wrapped) {
        rc = stix_json_fail(&r, key_at, "duplicate object key", err);
        break;
      }
      wrapped = true;
      event_reset(ev);
      stix_json_skip_ws(&r);
      if (r.pos >= len || bytes[r.pos] != '{') {
        rc = stix_json_read(&r, NULL, err);
        if (!rc)
          rc = fs_err_set(err, FS_ERR_INVALID, "$.Event", "Event must be an object");
        break;
      }
      rc = stix_json_open(&r, '{', err);
      for (bool efirst = true, emore = true; !rc; efirst = false) {
        const char *ek;
        size_t ekn, ekey_at = r.pos;
        if ((rc = stix_json_next_member(&r, efirst, &emore, &ek, &ekn, err)) || !emore)
          break;
        rc = event_member(&rd, ek, ekn, ekey_at, &event_seen, &has_timestamp);
      }
    } else if (wrapped) {
      rc = stix_json_read(&r, NULL, err);
    } else {
      rc = event_member(&rd, k, kn, key_at, &root_seen, &root_has_timestamp);
    }
  }
  if (!rc) {
    stix_json_skip_ws(&r);
    if (r.pos != len)
      rc = stix_json_fail(&r, r.pos, "end of file expected", err);
  }
  if (!rc)
    rc = check_event(&rd, wrapped ? has_timestamp : root_has_timestamp);
  stix_json_reader_release(&r);
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
  char where[64]; /* made when a message needs it */
  if (strchr(m->type, '|') && !bar) {
    snprintf(where, sizeof(where), "attribute %zu (%.24s)", a->index, a->type);
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
    if (!intel_canon(&o->kind, parts[p].s, parts[p].n, o->value, "", err)) {
      snprintf(where, sizeof(where), "attribute %zu (%.24s)", a->index, a->type);
      fs_err_wrap_where(err, where);
      return MISP_USE_INVALID;
    }
    out->n++;
  }
  return a->to_ids ? MISP_USE_INDICATOR : MISP_USE_CONTEXT;
}
