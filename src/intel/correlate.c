/* Correlation: an observable leads to every object that mentions it (intel_observable, across
 * collections, sources and members), and an object to its neighbours (the objects it references,
 * and the objects that share one of its observables). Every object is checked with the one
 * policy before it is named or counted; a value mentioned by more visible objects than the
 * fan-out cap is "popular": counted, not expanded (MISP's correlation tables explode on such
 * values; here nothing is stored per pair, and the work of one answer is bounded). */
#include "intel/store_int.h"

#include "core/encode.h"
#include "core/uuid.h"
#include "core/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_BATCH 500
#define SCAN_MAX 100000 /* observable rows read for one value, at most */

struct cand {
  int64_t seq;
  bool withheld;
  char *id, *type, *tlp, *porg, *puser, *rorgs, *rusers;
};

static void cand_free(struct cand *c, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(c[i].id);
    free(c[i].type);
    free(c[i].tlp);
    free(c[i].porg);
    free(c[i].puser);
    free(c[i].rorgs);
    free(c[i].rusers);
  }
  free(c);
}

static char *col_dup(struct store_stmt *s, int i)
{
  return store_col_null(s, i) ? NULL : strdup(store_col_text(s, i));
}

/* Rows of objects mentioning key with seq below *before, newest first (at most SCAN_BATCH). */
static int candidates(struct store_conn *c, const char *key, int64_t *before, struct cand **out,
                      size_t *n, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT o.seq, o.id, o.type, o.tlp, o.producer_org, o.producer_user,"
                       " o.recipient_orgs, o.recipient_users, o.withheld FROM intel_observable v"
                       " JOIN intel_object o ON o.seq = v.seq WHERE v.value = ? AND v.seq < ?"
                       " ORDER BY v.seq DESC LIMIT ?",
                       "sii", key, *before, (int64_t)SCAN_BATCH);
  if (rc)
    return rc;
  size_t cap = 0;
  bool row;
  *n = 0;
  *out = NULL;
  while (!(rc = store_step(s, &row, err)) && row) {
    if (FS_VEC_GROW(*out, *n, cap, 64)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "correlation", "out of memory");
      break;
    }
    struct cand *x = &(*out)[(*n)++];
    x->seq = store_col_int(s, 0);
    x->id = col_dup(s, 1);
    x->type = col_dup(s, 2);
    x->tlp = col_dup(s, 3);
    x->porg = col_dup(s, 4);
    x->puser = col_dup(s, 5);
    x->rorgs = col_dup(s, 6);
    x->rusers = col_dup(s, 7);
    x->withheld = store_col_int(s, 8) != 0;
    *before = x->seq;
  }
  store_done(s);
  return rc;
}

/* What the portal shows of an object: id, type, name, tlp, created_by_ref, modified. */
static json_t *summary(struct store_conn *c, int64_t seq, const char *id, const char *type,
                       const char *tlp)
{
  json_t *o = json_pack("{s:s,s:s,s:s}", "id", id, "type", type, "tlp", tlp);
  char body[65536];
  bool found = false;
  struct fs_err err;
  if (!store_query_text(c, body, sizeof(body), &found, &err,
                        "SELECT body FROM intel_object WHERE seq = ?", "i", seq) &&
      found) {
    json_t *b = json_loads(body, 0, NULL);
    static const char *const keys[] = {"name",    "created_by_ref", "modified",
                                       "created", "pattern",        "value"};
    for (size_t i = 0; b && i < FS_ARRAY_SIZE(keys); i++) {
      json_t *v = json_object_get(b, keys[i]);
      if (json_is_string(v))
        json_object_set(o, keys[i], v);
    }
    json_decref(b);
  }
  return o;
}

struct mention {
  json_t *objects; /* expanded summaries */
  json_t *seen;    /* ids counted: {id: true} */
  size_t count;
  bool popular, capped;
};

/* Counts (and, while under fanout, expands) the visible objects mentioning key, skipping
 * `except` (an object id, may be NULL). */
static int mentions(struct store_conn *c, const struct actor *who, const char *key,
                    const char *except, size_t fanout, size_t count_max, struct mention *m,
                    struct fs_err *err)
{
  m->objects = json_array();
  m->seen = json_object();
  m->count = 0;
  m->popular = m->capped = false;
  int64_t before = INT64_MAX;
  size_t scanned = 0;
  int rc = FS_OK;
  for (;;) {
    struct cand *cs;
    size_t n;
    if ((rc = candidates(c, key, &before, &cs, &n, err)))
      break;
    for (size_t i = 0; !rc && i < n; i++) {
      struct cand *x = &cs[i];
      if (!x->id || (except && !strcmp(x->id, except)) || json_object_get(m->seen, x->id))
        continue;
      bool visible = false;
      rc = intel_visible_anywhere(c, who, x->seq, x->tlp, x->porg, x->puser, x->rorgs, x->rusers,
                                  x->withheld, &visible, err);
      if (rc || !visible)
        continue;
      json_object_set_new(m->seen, x->id, json_true());
      m->count++;
      if (m->count > fanout)
        m->popular = true;
      else
        json_array_append_new(m->objects, summary(c, x->seq, x->id, x->type, x->tlp));
      if (m->count >= count_max) {
        m->capped = true;
        break;
      }
    }
    scanned += n;
    cand_free(cs, n);
    if (rc || n < SCAN_BATCH || m->capped || scanned >= SCAN_MAX)
      break;
  }
  if (m->popular)
    json_array_clear(m->objects); /* counted, not expanded */
  return rc;
}

static void mention_release(struct mention *m)
{
  json_decref(m->objects);
  json_decref(m->seen);
}

int intel_correlate(struct store_conn *c, const struct actor *who, const char *value, size_t fanout,
                    size_t count_max, json_t **out, struct fs_err *err)
{
  char key[1024];
  if (!value || !intel_observable_key(value, strlen(value), key, sizeof(key)) || !*key)
    return fs_err_set(err, FS_ERR_INVALID, "value", "give a value of 1 to 1023 bytes");
  if (count_max < fanout + 1)
    count_max = fanout + 1;
  struct mention m;
  int rc = mentions(c, who, key, NULL, fanout, count_max, &m, err);
  if (!rc)
    *out = json_pack("{s:s,s:O,s:I,s:b,s:b,s:I}", "value", value, "objects", m.objects, "count",
                     (json_int_t)m.count, "popular", m.popular, "count_capped", m.capped, "fanout",
                     (json_int_t)fanout);
  mention_release(&m);
  return rc;
}

/* ---- the graph around one object ---------------------------------------------------------- */

struct latest {
  json_t *body;
  const char *tlp;
  char tlpbuf[16];
  int64_t seq;
};

static int keep_latest(const struct intel_row *r, void *ctx)
{
  struct latest *l = ctx;
  json_decref(l->body);
  l->body = json_loadb(r->body, r->body_len, 0, NULL);
  snprintf(l->tlpbuf, sizeof(l->tlpbuf), "%s", r->tlp);
  l->tlp = l->tlpbuf;
  l->seq = r->seq;
  return l->body ? FS_OK : FS_ERR_CORRUPT;
}

/* The ids an object references (its *_ref and *_refs properties, markings and its creator
 * left out: they are not neighbours). */
static void refs_of(const json_t *obj, json_t *out)
{
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)(uintptr_t)obj, k, v)
  {
    size_t n = strlen(k);
    if (!strcmp(k, "created_by_ref") || !strcmp(k, "object_marking_refs") ||
        !strcmp(k, "x_mitre_modified_by_ref"))
      continue;
    bool one = n > 4 && !strcmp(k + n - 4, "_ref"), many = n > 5 && !strcmp(k + n - 5, "_refs");
    if (one && json_is_string(v))
      json_array_append_new(out, json_pack("{s:s,s:O}", "rel", k, "id", v));
    size_t i;
    json_t *x;
    if (many && json_is_array(v))
      json_array_foreach(v, i, x) if (json_is_string(x))
          json_array_append_new(out, json_pack("{s:s,s:O}", "rel", k, "id", x));
  }
}

static json_t *node_of(const json_t *obj, const char *tlp)
{
  json_t *n = json_pack("{s:O?,s:O?,s:s}", "id", json_object_get(obj, "id"), "type",
                        json_object_get(obj, "type"), "tlp", tlp);
  const json_t *name = json_object_get(obj, "name");
  if (json_is_string(name))
    json_object_set(n, "name", (json_t *)(uintptr_t)name);
  return n;
}

int intel_graph(struct store_conn *c, const struct actor *who, const char *id, size_t fanout,
                bool stix, json_t **out, struct fs_err *err)
{
  struct latest self = {0};
  int rc = intel_read_object(c, who, NULL, id, keep_latest, &self, err);
  if (rc)
    return rc;
  json_t *nodes = json_array(), *edges = json_array(), *objects = json_array();
  json_t *have = json_object(); /* ids already among the nodes */
  json_array_append_new(nodes, node_of(self.body, self.tlp));
  json_array_append(objects, self.body);
  json_object_set_new(have, id, json_true());
  /* The objects it references, as far as the actor sees them. */
  json_t *refs = json_array();
  refs_of(self.body, refs);
  size_t i, shown = 0;
  json_t *r;
  json_array_foreach(refs, i, r)
  {
    if (rc || shown >= fanout)
      break;
    const char *ref = json_string_value(json_object_get(r, "id"));
    struct latest other = {0};
    struct fs_err e2;
    if (intel_read_object(c, who, NULL, ref, keep_latest, &other, &e2)) {
      json_decref(other.body);
      continue; /* not visible, or not stored here: not a neighbour to show */
    }
    if (!json_object_get(have, ref)) {
      json_array_append_new(nodes, node_of(other.body, other.tlp));
      json_array_append(objects, other.body);
      json_object_set_new(have, ref, json_true());
    }
    json_array_append_new(edges, json_pack("{s:s,s:s,s:O}", "source", id, "target", ref, "rel",
                                           json_object_get(r, "rel")));
    shown++;
    json_decref(other.body);
  }
  json_decref(refs);
  /* Its observables and the other objects that mention them. */
  struct intel_batch *keys = NULL;
  if (!rc)
    rc = intel_object_keys(self.body, &keys, err);
  for (size_t k = 0; !rc && keys && k < keys->n_keys && k < 64; k++) {
    const char *key = keys->keys[k];
    bool dup = false;
    for (size_t j = 0; j < k && !dup; j++)
      dup = !strcmp(keys->keys[j], key);
    if (dup)
      continue;
    struct mention m;
    rc = mentions(c, who, key, id, fanout, fanout * 10 + 1, &m, err);
    if (rc)
      break;
    char vid[1100];
    snprintf(vid, sizeof(vid), "value:%s", key);
    json_array_append_new(nodes, json_pack("{s:s,s:s,s:s,s:I,s:b}", "id", vid, "type", "observable",
                                           "value", key, "mentions", (json_int_t)m.count + 1,
                                           "popular", m.popular));
    json_array_append_new(
        edges, json_pack("{s:s,s:s,s:s}", "source", id, "target", vid, "rel", "mentions"));
    json_t *o;
    size_t q;
    json_array_foreach(m.objects, q, o)
    {
      const char *oid = json_string_value(json_object_get(o, "id"));
      if (!json_object_get(have, oid)) {
        json_array_append_new(nodes, json_pack("{s:O,s:O,s:O,s:O?}", "id", json_object_get(o, "id"),
                                               "type", json_object_get(o, "type"), "tlp",
                                               json_object_get(o, "tlp"), "name",
                                               json_object_get(o, "name")));
        json_object_set_new(have, oid, json_true());
        if (stix) {
          struct latest other = {0};
          struct fs_err e2;
          if (!intel_read_object(c, who, NULL, oid, keep_latest, &other, &e2))
            json_array_append(objects, other.body);
          json_decref(other.body);
        }
      }
      json_array_append_new(
          edges, json_pack("{s:s,s:s,s:s}", "source", oid, "target", vid, "rel", "mentions"));
    }
    mention_release(&m);
  }
  intel_batch_free(keys);
  json_decref(have);
  json_decref(self.body);
  if (rc) {
    json_decref(nodes);
    json_decref(edges);
    json_decref(objects);
    return rc;
  }
  if (stix) {
    /* A bundle of the visible objects, with the hub's relationships left to their stored ones:
     * the graph's "mentions" edges are not STIX objects. */
    char uuid[37];
    uint8_t d[32];
    char *text = json_dumps(objects, JSON_COMPACT | JSON_SORT_KEYS);
    fs_sha256(text ? text : "", text ? strlen(text) : 0, d);
    free(text);
    fs_uuid_v4_from(d, uuid);
    char bid[64];
    snprintf(bid, sizeof(bid), "bundle--%s", uuid);
    *out = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", bid, "objects", objects);
    json_decref(nodes);
    json_decref(edges);
  } else {
    *out = json_pack("{s:s,s:o,s:o}", "id", id, "nodes", nodes, "edges", edges);
    json_decref(objects);
  }
  return FS_OK;
}
