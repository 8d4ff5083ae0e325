/* Documents read for storing: for each object what the ingest needs (verdict, metadata, TLP,
 * observables to index, bytes as received) without its JSON tree, filled while the document is
 * read one object at a time (intel_batch_read) or from a parsed document (intel_ingest). */
#include "intel/store_int.h"

#include "core/vec.h"
#include "stix/pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nomem(struct fs_err *err)
{
  return fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
}

static struct intel_batch *batch_new(void)
{
  struct intel_batch *b = calloc(1, sizeof(*b));
  if (b)
    fs_arena_init(&b->arena, 256 * 1024, 0);
  return b;
}

void intel_batch_free(struct intel_batch *b)
{
  if (!b)
    return;
  free(b->items);
  free(b->keys);
  fs_arena_release(&b->arena);
  for (size_t p = 0; p < b->n_parts; p++)
    intel_batch_free(b->parts[p]);
  free(b->parts);
  free(b);
}

static const char *dup_str(struct intel_batch *b, const char *s)
{
  return s ? fs_arena_strdup(&b->arena, s) : NULL;
}

static int add_key(struct intel_batch *b, const char *value, size_t len)
{
  char key[1024];
  if (!intel_observable_key(value, len, key, sizeof(key)))
    return FS_OK; /* too long to be a useful search key */
  if (FS_VEC_GROW(b->keys, b->n_keys, b->cap_keys, 1024))
    return FS_ERR_NOMEM;
  if (!(b->keys[b->n_keys] = fs_arena_strndup(&b->arena, key, len)))
    return FS_ERR_NOMEM;
  b->n_keys++;
  return FS_OK;
}

/* Every string compared with '=' or IN in a pattern, wherever it is. */
static int keys_of_cmp(struct intel_batch *b, const struct stix_pattern_cmp *cmp)
{
  if (!cmp)
    return FS_OK;
  if (cmp->kind != STIX_PATTERN_CMP_TEST) {
    int rc = keys_of_cmp(b, cmp->left);
    return rc ? rc : keys_of_cmp(b, cmp->right);
  }
  if (cmp->negated || (cmp->op != STIX_PATTERN_EQ && cmp->op != STIX_PATTERN_IN))
    return FS_OK;
  const struct stix_pattern_lit *lit = &cmp->lit;
  if (lit->kind == STIX_PATTERN_LIT_STRING)
    return add_key(b, lit->s, lit->len);
  for (size_t i = 0; lit->kind == STIX_PATTERN_LIT_SET && i < lit->n; i++)
    if (lit->items[i].kind == STIX_PATTERN_LIT_STRING) {
      int rc = add_key(b, lit->items[i].s, lit->items[i].len);
      if (rc)
        return rc;
    }
  return FS_OK;
}

static int keys_of_obs(struct intel_batch *b, const struct stix_pattern_obs *o)
{
  if (!o)
    return FS_OK;
  if (o->kind == STIX_PATTERN_OBS_LEAF)
    return keys_of_cmp(b, o->cmp);
  if (o->kind == STIX_PATTERN_OBS_GROUP)
    return keys_of_obs(b, o->inner);
  int rc = keys_of_obs(b, o->left);
  return rc ? rc : keys_of_obs(b, o->right);
}

/* Observables of an object: SCO values and hashes, and the values an indicator's pattern names
 * (parsed here unless validation handed its parse over). */
static int keys_of_object(struct intel_batch *b, const json_t *obj, const char *type,
                          const struct stix_pattern *parsed)
{
  int rc = FS_OK;
  const json_t *value = json_object_get(obj, "value");
  if (json_is_string(value))
    rc = add_key(b, json_string_value(value), strlen(json_string_value(value)));
  const json_t *hashes = json_object_get(obj, "hashes");
  if (!rc && json_is_object(hashes)) {
    const char *k;
    json_t *h;
    json_object_foreach((json_t *)(uintptr_t)hashes, k, h)
    {
      if (json_is_string(h) && (rc = add_key(b, json_string_value(h), json_string_length(h))))
        break;
    }
  }
  const char *pattern = json_string_value(json_object_get(obj, "pattern"));
  const char *ptype = json_string_value(json_object_get(obj, "pattern_type"));
  if (!rc && !strcmp(type, "indicator") && pattern && ptype && !strcmp(ptype, "stix")) {
    struct stix_pattern p;
    struct fs_err e;
    if (parsed) {
      rc = keys_of_obs(b, parsed->root);
    } else if (!stix_pattern_parse(&p, pattern, strlen(pattern), NULL, &e)) {
      rc = keys_of_obs(b, p.root);
      stix_pattern_release(&p);
    }
  }
  return rc;
}

/* The message of an invalid object in both languages: its first finding, as the status resource
 * lists it. */
static int refusal(struct intel_batch *b, const struct stix_result *r, struct intel_batch_item *it)
{
  char en[512] = "invalid object", zh[768] = "無效的物件";
  if (r->n_findings) {
    struct stix_report rep;
    memset(&rep, 0, sizeof(rep));
    snprintf(rep.id, sizeof(rep.id), "%s", r->id ? r->id : "");
    rep.n = 1;
    rep.items[0] = r->findings[0];
    stix_finding_format(&rep, 0, false, en, sizeof(en));
    stix_finding_format(&rep, 0, true, zh, sizeof(zh));
  }
  it->refusal = fs_arena_strdup(&b->arena, en);
  it->refusal_zh = fs_arena_strdup(&b->arena, zh);
  return it->refusal && it->refusal_zh ? FS_OK : FS_ERR_NOMEM;
}

/* Room for n items at once (a document's size is known before its first object). */
static int reserve_items(struct intel_batch *b, size_t n)
{
  if (n <= b->cap)
    return FS_OK;
  struct intel_batch_item *p = realloc(b->items, n * sizeof(*p));
  if (!p)
    return FS_ERR_NOMEM;
  b->items = p;
  b->cap = n;
  return FS_OK;
}

int intel_batch_add(struct intel_batch *b, const struct stix_result *r, struct fs_err *err)
{
  if (FS_VEC_GROW(b->items, b->n, b->cap, 1024))
    return nomem(err);
  struct intel_batch_item *it = &b->items[b->n];
  memset(it, 0, sizeof(*it));
  it->index = r->index;
  const json_t *obj = r->object;
  /* What an anonymous submission must not reveal is looked for in every element, valid or not. */
  const char *by = json_string_value(json_object_get(obj, "created_by_ref"));
  it->id = dup_str(b, r->id);
  it->created_by_ref = dup_str(b, by);
  it->anonymous = json_is_true(json_object_get(obj, INTEL_PROP_ANONYMOUS));
  b->n_anonymous += it->anonymous;
  it->is_identity = r->type && !strcmp(r->type, "identity");
  if ((r->id && !it->id) || (by && !it->created_by_ref))
    return nomem(err);
  it->valid = r->valid;
  if (!r->valid) {
    if (refusal(b, r, it))
      return nomem(err);
    b->n++;
    return FS_OK;
  }
  struct stix_meta m;
  struct fs_err e;
  if (stix_meta_get(obj, &m, &e)) {
    char why[256];
    snprintf(why, sizeof(why), "%s: %s", e.where, e.msg);
    it->meta_error = fs_arena_strdup(&b->arena, why);
    snprintf(why, sizeof(why), "%s：%s", e.where, fs_err_msg(&e, true));
    it->meta_error_zh = fs_arena_strdup(&b->arena, why);
    if (!it->meta_error || !it->meta_error_zh)
      return nomem(err);
    b->n++;
    return FS_OK;
  }
  it->kind = m.kind;
  it->type = dup_str(b, m.type);
  const char *version = stix_meta_version(&m);
  it->version = dup_str(b, version ? version : "");
  it->spec_version = dup_str(b, m.spec_version ? m.spec_version : "2.1");
  char vk[40];
  intel_version_key(version, vk);
  it->version_key = dup_str(b, vk);
  /* Every TLP marking counts, object-level and granular: a part of an object marked RED makes
   * the object RED, since it is shared whole. An unmarked marking definition is CLEAR (everyone
   * must be able to read what a marking means), not its collection's default. */
  it->tlp = stix_tlp_strictest(m.object_marking_refs);
  if (it->tlp == TLP_NONE && !strcmp(m.type, "marking-definition"))
    it->tlp = TLP_CLEAR;
  it->tlp_granular = stix_tlp_granular_strictest(m.granular_markings);
  it->revoked = m.revoked;
  it->valid_from_ms = m.valid_from_ms;
  it->valid_until_ms = m.valid_until_ms;
  it->control =
      json_object_get(obj, INTEL_PROP_RECIPIENTS) || json_object_get(obj, INTEL_PROP_ANONYMOUS);
  if (!it->type || !it->version || !it->spec_version || !it->version_key)
    return nomem(err);
  if (r->raw) {
    it->raw = r->raw;
    it->raw_len = r->raw_len;
  } else {
    char *text = json_dumps(obj, JSON_COMPACT);
    it->raw = text ? fs_arena_strdup(&b->arena, text) : NULL;
    free(text);
    if (!it->raw)
      return nomem(err);
    it->raw_len = strlen(it->raw);
  }
  it->first_key = b->n_keys;
  if (keys_of_object(b, obj, m.type, r->pattern))
    return nomem(err);
  it->n_keys = b->n_keys - it->first_key;
  b->n++;
  return FS_OK;
}

struct read_ctx {
  struct intel_batch *b;
  struct fs_err err;
};

static int add_cb(struct stix_doc *doc, struct stix_result *r, void *ctx)
{
  (void)doc;
  struct read_ctx *x = ctx;
  return intel_batch_add(x->b, r, &x->err);
}

/* Appends the items and keys of part q to b, which then keeps q's arena alive. */
static int merge(struct intel_batch *b, struct intel_batch *q)
{
  if (reserve_items(b, b->n + q->n))
    return FS_ERR_NOMEM;
  if (b->n_keys + q->n_keys > b->cap_keys) {
    const char **k = realloc(b->keys, (b->n_keys + q->n_keys) * sizeof(*k));
    if (!k)
      return FS_ERR_NOMEM;
    b->keys = k;
    b->cap_keys = b->n_keys + q->n_keys;
  }
  for (size_t i = 0; i < q->n; i++) {
    b->items[b->n] = q->items[i];
    b->items[b->n++].first_key += b->n_keys;
  }
  if (q->n_keys)
    memcpy(b->keys + b->n_keys, q->keys, q->n_keys * sizeof(*b->keys));
  b->n_keys += q->n_keys;
  b->n_anonymous += q->n_anonymous;
  free(q->items);
  free(q->keys);
  q->items = NULL;
  q->keys = NULL;
  q->n = q->n_keys = 0;
  return FS_OK;
}

int intel_batch_read(const char *bytes, size_t len, const struct stix_limits *lim, size_t threads,
                     struct intel_batch **out, struct fs_err *err)
{
  *out = NULL;
  if (threads < 1)
    threads = 1;
  if (threads > INTEL_BATCH_MAX_THREADS)
    threads = INTEL_BATCH_MAX_THREADS;
  struct intel_batch *b = batch_new();
  struct read_ctx ctx[INTEL_BATCH_MAX_THREADS];
  void *ctxs[INTEL_BATCH_MAX_THREADS];
  int rc = b ? FS_OK : nomem(err);
  if (!rc && threads > 1 && !(b->parts = calloc(threads - 1, sizeof(*b->parts))))
    rc = nomem(err);
  for (size_t p = 0; !rc && p < threads; p++) {
    memset(&ctx[p], 0, sizeof(ctx[p]));
    ctx[p].b = p ? batch_new() : b;
    ctxs[p] = &ctx[p];
    if (!ctx[p].b)
      rc = nomem(err);
    else if (p)
      b->parts[b->n_parts++] = ctx[p].b;
  }
  struct stix_doc doc;
  size_t failed = 0;
  if (!rc) {
    rc = stix_doc_scan_split(&doc, bytes, len, lim, threads, add_cb, ctxs, &failed, err);
    if (rc && ctx[failed].err.code)
      *err = ctx[failed].err;
  }
  if (!rc)
    stix_doc_release(&doc);
  for (size_t p = 0; !rc && p < b->n_parts; p++)
    if (merge(b, b->parts[p]))
      rc = nomem(err);
  if (rc) {
    intel_batch_free(b);
    return rc;
  }
  *out = b;
  return FS_OK;
}

int intel_batch_from_doc(const struct stix_doc *doc, struct intel_batch **out, struct fs_err *err)
{
  *out = NULL;
  struct intel_batch *b = batch_new();
  if (!b || reserve_items(b, doc->n)) {
    intel_batch_free(b);
    return nomem(err);
  }
  for (size_t i = 0; i < doc->n; i++) {
    int rc = intel_batch_add(b, &doc->results[i], err);
    if (rc) {
      intel_batch_free(b);
      return rc;
    }
  }
  *out = b;
  return FS_OK;
}
