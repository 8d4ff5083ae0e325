/* Ingest: valid objects of a document into a collection, with their visibility columns, version
 * flags, observable index, one audit record and the TAXII status resource. Works from a batch
 * (store_batch.c): what each object needs, without its JSON tree. */
#include "intel/store_int.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "auth/user.h"
#include "core/buf.h"
#include "core/i18n.h"
#include "core/jsonx.h"
#include "core/progress.h"
#include "core/time.h"
#include "core/uuid.h"
#include "stix/json_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first 8 bytes of s from offset skip (s at least skip bytes long), big-endian, zeros past
 * its end: comparing two of them orders like strcmp as far as they differ. Sorts compare these
 * first and the strings only on a tie (the strings are scattered in arenas; the keys are not). */
static uint64_t prefix_key(const char *s, size_t skip)
{
  uint64_t k = 0;
  size_t i = 0;
  for (s += skip; i < 8 && s[i]; i++)
    k = k << 8 | (unsigned char)s[i];
  return i ? k << (8 * (8 - i)) : 0; /* (a shift by 64 is undefined) */
}

static int cmp_u64(uint64_t a, uint64_t b)
{
  return (a > b) - (a < b);
}

/* An observable to index, kept until the end of the ingest so that all are inserted in key order
 * (B-tree inserts in order touch each page once). */
struct pending_obs {
  uint64_t prefix; /* prefix_key(key, 0) */
  const char *key;
  int64_t seq;
};

struct ingest {
  struct pending_obs *obs;
  size_t n_obs, cap_obs;
  struct intel_rows objects, entries, observables; /* new rows, many to a statement */
  struct store_conn *c;
  const struct actor *who;
  const struct intel_collection *col;
  int64_t next_seq, first_seq; /* the next object's number, and the first of this ingest */
  int64_t next_added;
  char hub_identity[STIX_ID_MAX];
  const char **withheld_by; /* creators named by anonymous elements, sorted */
  size_t n_withheld_by;
  struct fs_buf ok_text, fail_text; /* the status resource's lists, as they grow */
  bool status;                      /* a status resource is made (opt->status_id) */
  struct fs_err *err;
};

static int nomem(struct fs_err *err)
{
  return fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
}

/* A refused element: its message in English and in zh-TW (message_zh; its English when the
 * message has no translation). */
static int fail(struct ingest *g, struct intel_ingest_result *res,
                const struct intel_batch_item *it, const char *msg, const char *msg_zh)
{
  json_t *f = json_pack("{s:s?,s:I,s:s,s:s}", "id", it->id, "index", (json_int_t)it->index,
                        "message", msg, "message_zh", fs_msg_pick(msg, msg_zh, true));
  if (f && g->fail_text.len)
    fs_buf_append_char(&g->fail_text, ',');
  if (f && jsonx_dump(f, &g->fail_text)) {
    json_decref(f);
    return nomem(g->err);
  }
  if (res->failures)
    json_array_append_new(res->failures, f);
  else
    json_decref(f);
  res->failure++;
  return FS_OK;
}

/* Appends s as a JSON string (ids, versions and the hub's own messages: no escapes needed for
 * them, but a quote or a control character would still be written correctly). */
static void append_json_string(struct fs_buf *b, const char *s)
{
  fs_buf_append_char(b, '"');
  for (const char *p = s;; p++) {
    const char *run = p;
    while (*p && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
      p++;
    fs_buf_append(b, run, (size_t)(p - run));
    if (!*p)
      break;
    if (*p == '"' || *p == '\\')
      fs_buf_appendf(b, "\\%c", *p);
    else
      fs_buf_appendf(b, "\\u%04X", (unsigned)(unsigned char)*p);
  }
  fs_buf_append_char(b, '"');
}

/* A stored (or kept) element, with a message in both languages when there is something to say. */
static int succeed(struct ingest *g, struct intel_ingest_result *res, const char *id,
                   const char *version, const char *msg, const char *msg_zh)
{
  msg_zh = msg ? fs_msg_pick(msg, msg_zh, true) : NULL;
  if (res->successes) {
    json_t *ok = json_object();
    if (!ok || json_object_set_new_nocheck(ok, "id", json_string(id)) ||
        (version && json_object_set_new_nocheck(ok, "version", json_string(version))) ||
        (msg && json_object_set_new_nocheck(ok, "message", json_string(msg))) ||
        (msg && json_object_set_new_nocheck(ok, "message_zh", json_string(msg_zh))) ||
        json_array_append_new(res->successes, ok))
      return nomem(g->err);
  }
  res->success++;
  if (!g->status)
    return FS_OK;
  struct fs_buf *b = &g->ok_text;
  fs_buf_append_str(b, b->len ? ",{\"id\":" : "{\"id\":");
  append_json_string(b, id);
  if (version) {
    fs_buf_append_str(b, ",\"version\":");
    append_json_string(b, version);
  }
  if (msg) {
    fs_buf_append_str(b, ",\"message\":");
    append_json_string(b, msg);
    fs_buf_append_str(b, ",\"message_zh\":");
    append_json_string(b, msg_zh);
  }
  if (fs_buf_append_char(b, '}'))
    return nomem(g->err);
  return FS_OK;
}

/* Resolves recipient names (organisation codes or ids; user names or ids) to ids. */
static int resolve_recipients(struct ingest *g, json_t *spec, struct fs_buf *orgs,
                              struct fs_buf *users, struct fs_err *why)
{
  if (!spec)
    return FS_OK;
  if (!json_is_object(spec)) {
    return fs_err_set(why, FS_ERR_INVALID, "", "%s: must be {\"orgs\": [...], \"users\": [...]}",
                      INTEL_PROP_RECIPIENTS);
  }
  static const char *const lists[] = {"orgs", "users"};
  for (int k = 0; k < 2; k++) {
    json_t *arr = json_object_get(spec, lists[k]);
    if (!arr)
      continue;
    if (!json_is_array(arr) || json_array_size(arr) > 60) {
      return fs_err_set(why, FS_ERR_INVALID, "", "%s.%s: must be a list of at most 60 names",
                        INTEL_PROP_RECIPIENTS, lists[k]);
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
      const char *name = json_string_value(v);
      char id[37];
      struct fs_err e;
      int rc = !name    ? FS_ERR_INVALID
               : k == 0 ? org_resolve(g->c, name, id, &e)
                        : user_resolve(g->c, name, id, NULL, &e);
      if (rc == FS_ERR_NOT_FOUND || rc == FS_ERR_INVALID) {
        return k == 0 ? fs_err_set(why, FS_ERR_INVALID, "", "%s.%s[%zu]: no organisation \"%.64s\"",
                                   INTEL_PROP_RECIPIENTS, lists[k], i, name ? name : "?")
                      : fs_err_set(why, FS_ERR_INVALID, "", "%s.%s[%zu]: no user \"%.64s\"",
                                   INTEL_PROP_RECIPIENTS, lists[k], i, name ? name : "?");
      }
      if (rc) {
        *g->err = e;
        return rc;
      }
      struct fs_buf *b = k == 0 ? orgs : users;
      if (b->len)
        fs_buf_append_char(b, ',');
      fs_buf_append_str(b, id);
    }
  }
  return FS_OK;
}

/* Queues the observable keys of a stored object. */
static int index_item(struct ingest *g, const struct intel_batch *b, int64_t seq,
                      const struct intel_batch_item *it)
{
  if (it->n_keys > g->cap_obs - g->n_obs) /* g->obs holds every key of the batch */
    return fs_err_set(g->err, FS_ERR_INTERNAL, "intel", "more observable keys than the batch has");
  for (size_t k = 0; k < it->n_keys; k++) {
    const char *key = b->keys[it->first_key + k];
    g->obs[g->n_obs++] = (struct pending_obs){prefix_key(key, 0), key, seq};
  }
  return FS_OK;
}

/* Ties of intel_prefix_sort (equal prefixes): by key, then seq. */
static int cmp_obs(const void *a, const void *b)
{
  const struct pending_obs *x = a, *y = b;
  int r = strcmp(x->key, y->key);
  return r ? r : cmp_u64((uint64_t)x->seq, (uint64_t)y->seq);
}

static int flush_observables(struct ingest *g)
{
  if (!intel_prefix_sort(g->obs, g->n_obs, sizeof(*g->obs), cmp_obs))
    return nomem(g->err);
  int rc = FS_OK;
  for (size_t i = 0; i < g->n_obs && !rc; i++) {
    struct intel_rows_val *v = intel_rows_add(&g->observables, &rc, g->err);
    if (v) {
      v[0].s = g->obs[i].key;
      v[1].i = g->obs[i].seq;
    }
  }
  return rc ? rc : intel_rows_flush(&g->observables, g->err);
}

/* Adds the entry of version seq of object id to the collection, and keeps the version flags of
 * (collection, id) right. new_object: the object id had no version stored before, so it is in no
 * collection yet and the lookups below can be skipped (the common case of an import). */
static int add_entry(struct ingest *g, int64_t seq, const char *id, bool new_object, bool *added)
{
  *added = false;
  int rc = FS_OK;
  if (new_object) {
    struct intel_rows_val *v = intel_rows_add(&g->entries, &rc, g->err);
    if (v) {
      v[0].i = g->col->num;
      v[1].i = g->next_added++;
      v[2].i = seq;
    }
    *added = !rc;
    return rc;
  }
  /* what follows reads the objects and entries: the new ones first */
  if ((rc = intel_rows_flush(&g->objects, g->err)) || (rc = intel_rows_flush(&g->entries, g->err)))
    return rc;
  int64_t exists = 0;
  rc = store_query_int(g->c, &exists, NULL, g->err,
                       "SELECT COUNT(*) FROM intel_entry WHERE seq = ? AND coll = ?", "ii", seq,
                       g->col->num);
  if (rc || exists)
    return rc;
  rc = store_exec(g->c, NULL, g->err,
                  "INSERT INTO intel_entry (coll, date_added, seq, is_latest, is_first)"
                  " VALUES (?,?,?,0,0)",
                  "iii", g->col->num, g->next_added++, seq);
  if (!rc)
    rc = intel_entry_flags(g->c, g->col->num, id, g->err);
  *added = !rc;
  return rc;
}

/* The object as published when it is not stored as received: control properties removed, the
 * creator replaced by the hub for an anonymous submission. Recipients are resolved on the way.
 * *body is a new JSON text (caller frees). */
static int publish_changed(struct ingest *g, const struct intel_batch_item *it, bool anonymous,
                           struct fs_buf *orgs, struct fs_buf *users, char **body,
                           struct fs_err *why)
{
  json_t *obj;
  struct fs_err e;
  if (stix_json_parse(it->raw, it->raw_len, &obj, &e)) /* read once already: cannot fail */
    return fs_err_set(g->err, e.code, "intel", "%s: %s", e.where, e.msg);
  int rc = resolve_recipients(g, json_object_get(obj, INTEL_PROP_RECIPIENTS), orgs, users, why);
  if (!rc) {
    json_object_del(obj, INTEL_PROP_RECIPIENTS);
    json_object_del(obj, INTEL_PROP_ANONYMOUS);
    if (anonymous && it->created_by_ref)
      json_object_set_new(obj, "created_by_ref", json_string(g->hub_identity));
    if (!(*body = json_dumps(obj, JSON_COMPACT)))
      rc = nomem(g->err);
  }
  json_decref(obj);
  return rc;
}

/* An element in the order of storing: by id (elements without one last), then document order. */
struct by_id {
  uint64_t prefix; /* prefix_key of the id after the prefix all ids share */
  const struct intel_batch_item *it;
};

/* Ties of intel_prefix_sort (equal prefixes): by id, then document order. A run of equal prefixes
 * has either ids only or (the last, UINT64_MAX) no ids at all, which keep document order. */
static int cmp_by_id(const void *a, const void *b)
{
  const struct by_id *x = a, *y = b;
  int r = x->it->id && y->it->id ? strcmp(x->it->id, y->it->id) : 0;
  return r ? r : cmp_u64(x->it->index, y->it->index);
}

/* Sorts the batch's elements into order (b->n entries). */
static int sort_by_id(struct ingest *g, const struct intel_batch *b, struct by_id *order)
{
  const char *first = NULL;
  size_t skip = SIZE_MAX;
  for (size_t i = 0; i < b->n && skip; i++) {
    const char *id = b->items[i].id;
    if (!id)
      continue;
    if (!first)
      first = id;
    size_t k = 0;
    while (k < skip && first[k] && first[k] == id[k])
      k++;
    skip = k;
  }
  for (size_t i = 0; i < b->n; i++) {
    order[i].it = &b->items[i];
    /* no id: after every id (ids are ASCII, so no id's prefix is all ones) */
    order[i].prefix = b->items[i].id ? prefix_key(b->items[i].id, skip) : UINT64_MAX;
  }
  return intel_prefix_sort(order, b->n, sizeof(*order), cmp_by_id) ? FS_OK : nomem(g->err);
}

/* Which of the ids in order[0..n) may have a stored version (*maybe, n entries): one query a
 * chunk of EXIST_CHUNK sorted ids instead of one a object. An id repeated in the batch (next to
 * its first, as they are sorted) is marked too: its first element may store it on the way. */
#define EXIST_CHUNK 64

static int cmp_id_of(const void *key, const void *elem)
{
  const char *id = ((const struct by_id *)elem)->it->id;
  return id ? strcmp(key, id) : -1; /* elements without an id come last */
}

static int find_stored(struct ingest *g, const struct by_id *order, size_t n, bool *maybe)
{
  struct fs_buf sql;
  fs_buf_init(&sql, 0);
  fs_buf_append_str(&sql, "SELECT id FROM intel_object WHERE id IN (");
  store_sql_placeholders(&sql, EXIST_CHUNK);
  int rc = fs_buf_append_char(&sql, ')') ? nomem(g->err) : FS_OK;
  for (size_t i = 0; i < n; i++)
    maybe[i] = i && order[i].it->id && order[i - 1].it->id &&
               !strcmp(order[i].it->id, order[i - 1].it->id);
  for (size_t from = 0; !rc && from < n; from += EXIST_CHUNK) {
    size_t k = n - from < EXIST_CHUNK ? n - from : EXIST_CHUNK;
    struct store_stmt *s;
    if ((rc = store_prepare(g->c, fs_buf_cstr(&sql), &s, g->err)))
      break;
    for (size_t j = 0; !rc && j < EXIST_CHUNK; j++) { /* unused places bind NULL: no match */
      const char *id = j < k ? order[from + j].it->id : NULL;
      if (store_bind_text_ref(s, (int)j + 1, id, id ? strlen(id) : 0))
        rc = nomem(g->err);
    }
    bool row = false;
    while (!rc && !(rc = store_step(s, &row, g->err)) && row) {
      const struct by_id *hit =
          bsearch(store_col_text(s, 0), order + from, k, sizeof(*order), cmp_id_of);
      if (!hit)
        continue;
      /* every element of the chunk with this id (bsearch finds any one of them) */
      const char *id = hit->it->id;
      size_t j = (size_t)(hit - order);
      while (j > from && !strcmp(order[j - 1].it->id, id)) /* ids before an id are not NULL */
        j--;
      for (; j < from + k && order[j].it->id && !strcmp(order[j].it->id, id); j++)
        maybe[j] = true;
    }
    store_done(s);
  }
  fs_buf_release(&sql);
  return rc;
}

static int count_row(const struct intel_row *row, void *ctx)
{
  (void)row;
  (*(size_t *)ctx)++;
  return FS_OK;
}

/* Whether the actor may see some version of object id (through a collection it may read). */
static int sees_object(struct ingest *g, const char *id, bool *visible)
{
  size_t n = 0;
  struct fs_err e;
  int rc = intel_read_object(g->c, g->who, NULL, id, count_row, &n, &e);
  *visible = !rc && n > 0;
  if (rc == FS_ERR_NOT_FOUND)
    return FS_OK;
  if (rc)
    *g->err = e;
  return rc;
}

/* Stores one valid object. A recoverable refusal (another organisation's object, unknown
 * recipient) is reported in why with FS_ERR_INVALID or FS_ERR_FORBIDDEN; storage errors are
 * returned as they are and abort the whole ingest. */
static int store_one(struct ingest *g, const struct intel_batch *b,
                     const struct intel_batch_item *it, bool maybe_stored, bool anonymous,
                     struct fs_err *why)
{
  if (it->meta_error) {
    why->code = FS_ERR_INVALID;
    snprintf(why->msg, sizeof(why->msg), "%s", it->meta_error);
    snprintf(why->msg_zh, sizeof(why->msg_zh), "%s", it->meta_error_zh);
    return FS_ERR_INVALID;
  }
  const char *version = it->version, *vk = it->version_key;

  /* One look at the object's stored versions: is this version there, who produced the object,
   * and how widely may the version travel. A version already stored is only added to this
   * collection, keeping how it was first stored (producer, TLP, recipients). Another organisation
   * may re-share only what is CLEAR or GREEN: adding someone's AMBER object to a group would
   * widen its audience; and only the producer (or the hub) may add new versions.
   * No answer may tell the caller that an object it cannot see exists: a write to such an id is
   * refused exactly like a new version of another organisation's object it can see (the hub,
   * which may version what it sees, may not version what it does not see). An object without
   * versions (an SCO, whose id comes from its value) is each organisation's own copy: only the
   * caller's organisation's copy is looked at, and another's neither refuses nor changes it. */
  int64_t seq = 0;
  bool found = false, found_own = false, any = false, any_copy = false;
  enum tlp_level have = TLP_NONE;
  char owner[40] = "";
  const char *org = g->who->org_id;
  const char *copy = version[0] ? "" : org;
  bool hub = policy_allows(g->who, POLICY_INTEL_CURATE, NULL);
  struct store_stmt *s = NULL;
  /* what follows reads the objects (an id twice in the batch, a changed object's references) */
  bool reads = maybe_stored || it->control || anonymous || it->anonymous;
  int rc = reads ? intel_rows_flush(&g->objects, g->err) : FS_OK;
  if (!rc && maybe_stored)
    rc = store_prepare(g->c,
                       "SELECT seq, version, COALESCE(producer_org, ''), tlp, copy"
                       " FROM intel_object WHERE id = ?",
                       &s, g->err);
  if (rc)
    return rc;
  if (s && store_bind_text_ref(s, 1, it->id, strlen(it->id))) /* the arena's id outlives s */
    rc = nomem(g->err);
  bool row = false;
  while (s && !rc && !(rc = store_step(s, &row, g->err)) && row) {
    any_copy = true;
    if (strcmp(store_col_text(s, 4), copy))
      continue; /* another organisation's copy of an SCO */
    if (!any)
      snprintf(owner, sizeof(owner), "%s", store_col_text(s, 2));
    any = true;
    if (!strcmp(store_col_text(s, 1), version)) {
      found = true;
      seq = store_col_int(s, 0);
      have = stix_tlp_from_token(store_col_text(s, 3));
      found_own = org[0] && !strcmp(store_col_text(s, 2), org);
    }
  }
  store_done(s);
  if (rc)
    return rc;
  /* Whose the id is: another organisation's (as far as the caller may know) */
  bool taken = false;
  if (found && !found_own) {
    bool visible = false;
    rc = sees_object(g, it->id, &visible);
    taken = !visible;
  } else if (!found && any && owner[0] && strcmp(owner, org)) {
    bool may_version = hub || it->kind == STIX_SCO || it->kind == STIX_META;
    bool visible = false;
    if (may_version)
      rc = sees_object(g, it->id, &visible);
    taken = !may_version || !visible;
  }
  if (rc)
    return rc;
  if (taken) {
    return fs_err_set(why, FS_ERR_FORBIDDEN, "",
                      "%s belongs to another organisation; only it or the hub may version it",
                      it->id);
  }
  if (found && !found_own && !hub && !tlp_is_community(have)) {
    return fs_err_set(why, FS_ERR_FORBIDDEN, "",
                      "%s is another organisation's object beyond %s; only it or the hub may share "
                      "it further",
                      it->id, stix_tlp_name(TLP_GREEN));
  }
  if (found) {
    bool added = false;
    rc = add_entry(g, seq, it->id, false, &added);
    if (!rc && !added)
      fs_err_set(why, FS_OK, "", "already present");
    return rc;
  }

  /* The strictest of the object's own level (or its collection's default when unmarked) and of
   * its granular markings. */
  enum tlp_level tlp = it->tlp == TLP_NONE ? g->col->default_tlp : it->tlp;
  if (it->tlp_granular > tlp)
    tlp = it->tlp_granular;
  anonymous = anonymous || it->anonymous;
  const char *source_ref = it->created_by_ref;
  /* An object stored unchanged is kept exactly as it was sent; a changed one is serialized. */
  struct fs_buf orgs, users;
  fs_buf_init(&orgs, 4096);
  fs_buf_init(&users, 4096);
  char *changed = NULL;
  if (it->control || (anonymous && source_ref))
    rc = publish_changed(g, it, anonymous, &orgs, &users, &changed, why);
  /* A row of g->objects: its texts live until the flush (the batch's arena, the actor, the
   * received bytes), bound where they lie; a changed object's, freed below, are stored now. */
  const char *text[] = {it->id,
                        version,
                        copy,
                        vk,
                        it->type,
                        it->spec_version,
                        stix_tlp_token(tlp),
                        g->who->org_id[0] ? g->who->org_id : NULL,
                        g->who->user_id[0] ? g->who->user_id : NULL};
  struct intel_rows_val *v = rc ? NULL : intel_rows_add(&g->objects, &rc, g->err);
  if (v) {
    seq = g->next_seq++;
    int64_t ints[] = {anonymous, it->revoked, it->valid_from_ms, it->valid_until_ms,
                      g->who->now_ms};
    v[0].i = seq;
    for (size_t k = 0; k < FS_ARRAY_SIZE(text); k++)
      v[1 + k].s = text[k];
    v[10].i = ints[0];
    v[11].s = anonymous ? source_ref : NULL;
    v[12].s = orgs.len ? fs_buf_cstr(&orgs) : ""; /* the buffers are freed below */
    v[13].s = users.len ? fs_buf_cstr(&users) : "";
    for (int k = 1; k < 5; k++)
      v[13 + k].i = ints[k];
    v[18].s = changed ? changed : it->raw;
    v[18].n = changed ? 0 : it->raw_len;
    if (changed || orgs.len || users.len)
      rc = intel_rows_flush(&g->objects, g->err);
  }
  if (!rc)
    rc = index_item(g, b, seq, it);
  bool added = false;
  if (!rc)
    rc = add_entry(g, seq, it->id, !any_copy, &added);
  free(changed);
  fs_buf_release(&orgs);
  fs_buf_release(&users);
  return rc;
}

static int start(struct ingest *g, struct fs_err *err)
{
  int rc = store_query_int(g->c, &g->next_seq, NULL, err,
                           "SELECT COALESCE(MAX(seq), 0) + 1 FROM intel_object", "");
  g->first_seq = g->next_seq;
  /* The collection's own last date added (its key's prefix: one seek), since dates added order
   * each collection's entries (TAXII's added_after); over every collection's it would be a scan
   * of all entries for each ingest. */
  int64_t last = 0;
  if (!rc)
    rc = store_query_int(g->c, &last, NULL, err,
                         "SELECT COALESCE(MAX(date_added), 0) FROM intel_entry WHERE coll = ?", "i",
                         g->col->num);
  int64_t now_us = g->who->now_ms * 1000;
  g->next_added = now_us > last ? now_us : last + 1;
  if (!rc && intel_hub_identity(g->c, g->hub_identity, err))
    g->hub_identity[0] = '\0';
  return rc;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The creators that anonymous elements name (any element, valid or not), sorted for lookups. */
static int withheld_init(struct ingest *g, const struct intel_batch *b, bool all_anonymous)
{
  if (!all_anonymous && !b->n_anonymous)
    return FS_OK; /* nothing to look for among the items */
  for (size_t i = 0; i < b->n; i++) {
    const struct intel_batch_item *it = &b->items[i];
    if (!it->created_by_ref || !(all_anonymous || it->anonymous))
      continue;
    if (!g->withheld_by && !(g->withheld_by = malloc(b->n * sizeof(*g->withheld_by))))
      return nomem(g->err);
    g->withheld_by[g->n_withheld_by++] = it->created_by_ref;
  }
  if (g->n_withheld_by > 1)
    qsort(g->withheld_by, g->n_withheld_by, sizeof(*g->withheld_by), cmp_str);
  return FS_OK;
}

/* Identity objects an anonymous submission would reveal: those its anonymous objects name as
 * their creator. */
static bool withheld_identity(const struct ingest *g, const struct intel_batch_item *it)
{
  if (!it->is_identity || !it->id || !strcmp(it->id, g->hub_identity) || !g->n_withheld_by)
    return false;
  return bsearch(&it->id, g->withheld_by, g->n_withheld_by, sizeof(*g->withheld_by), cmp_str) !=
         NULL;
}

/* The TAXII status resource, from the lists written as the objects were stored. */
static int status_text(struct ingest *g, const struct intel_ingest_options *opt,
                       struct intel_ingest_result *res)
{
  char ts[32];
  fs_time_format_ms(g->who->now_ms, ts);
  struct fs_buf b;
  fs_buf_init(&b, 0);
  fs_buf_reserve(&b, g->ok_text.len + g->fail_text.len + 512);
  fs_buf_append_str(&b, "{\"id\":");
  append_json_string(&b, opt->status_id);
  fs_buf_appendf(&b,
                 ",\"status\":\"complete\",\"request_timestamp\":\"%s\",\"total_count\":%zu,"
                 "\"success_count\":%zu,\"failure_count\":%zu,\"pending_count\":0,\"successes\":[",
                 ts, res->total, res->success, res->failure);
  fs_buf_append(&b, g->ok_text.data, g->ok_text.len);
  fs_buf_append_str(&b, "],\"failures\":[");
  fs_buf_append(&b, g->fail_text.data, g->fail_text.len);
  if (fs_buf_append_str(&b, "],\"pendings\":[]}")) {
    fs_buf_release(&b);
    return nomem(g->err);
  }
  res->status = fs_buf_detach(&b, &res->status_len);
  return FS_OK;
}

int intel_ingest_batch(struct store_conn *c, const struct actor *who,
                       const struct intel_collection *col, const struct intel_batch *b,
                       const struct intel_ingest_options *opt, struct intel_ingest_result *res,
                       struct fs_err *err)
{
  memset(res, 0, sizeof(*res));
  bool status = opt && opt->status_id;
  if (!(status && opt->status_only)) {
    res->successes = opt && opt->failures_only ? NULL : json_array();
    res->failures = json_array();
    if ((!res->successes && !(opt && opt->failures_only)) || !res->failures)
      return nomem(err);
  }
  if (!col->can_write)
    return fs_err_set(err, FS_ERR_FORBIDDEN, "collection", "no right to write to collection %s",
                      col->alias);
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct ingest g = {.c = c, .who = who, .col = col, .status = status, .err = err};
  fs_buf_init(&g.ok_text, 0);
  fs_buf_init(&g.fail_text, 0);
  /* about 90 bytes a success: one allocation, not a doubling series */
  if (opt && opt->status_id && fs_buf_reserve(&g.ok_text, b->n * 96))
    rc = nomem(err);
  bool all_anonymous = opt && opt->anonymous;
  if (!rc)
    rc = start(&g, err);
  if (!rc)
    rc = intel_rows_init(&g.objects, c,
                         "INSERT INTO intel_object (seq, id, version, copy, version_key, type,"
                         " spec_version, tlp, producer_org, producer_user, anonymous, source_ref,"
                         " recipient_orgs, recipient_users, revoked, valid_from, valid_until,"
                         " stored_at, body) VALUES ",
                         "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", "", "isssssssssisssiiiis", err);
  if (!rc)
    rc = intel_rows_init(&g.entries, c,
                         "INSERT INTO intel_entry (coll, date_added, seq, is_latest, is_first)"
                         " VALUES ",
                         "(?,?,?,1,1)", "", "iii", err);
  if (!rc)
    rc = intel_rows_init(&g.observables, c, "INSERT INTO intel_observable (value, seq) VALUES ",
                         "(?,?)", " ON CONFLICT (value, seq) DO NOTHING", "si", err);
  if (!rc)
    rc = withheld_init(&g, b, all_anonymous);
  /* every observable key of the batch may be indexed: room for all at once */
  if (!rc && b->n_keys && !(g.obs = malloc(b->n_keys * sizeof(*g.obs))))
    rc = nomem(err);
  g.cap_obs = g.obs ? b->n_keys : 0;
  /* Objects are stored in id order: the indexes keyed by id then grow page by page. */
  struct by_id *order = malloc((b->n ? b->n : 1) * sizeof(*order));
  if (!rc && !order)
    rc = nomem(err);
  bool *maybe_stored = malloc(b->n ? b->n : 1);
  if (!rc && !maybe_stored)
    rc = nomem(err);
  if (!rc)
    rc = sort_by_id(&g, b, order);
  if (!rc)
    rc = find_stored(&g, order, b->n, maybe_stored);
  struct fs_progress *progress = opt ? opt->progress : NULL;
  fs_progress_add_total(progress, b->n);
  for (size_t i = 0; !rc && i < b->n; i++) {
    const struct intel_batch_item *it = order[i].it;
    res->total++;
    fs_progress_add(progress, 1);
    if (!it->valid) {
      rc = fail(&g, res, it, it->refusal, it->refusal_zh);
      continue;
    }
    if (withheld_identity(&g, it)) {
      char en[64], zh[96];
      fs_msg_format(en, sizeof(en), zh, sizeof(zh), "withheld: the submission is anonymous");
      rc = succeed(&g, res, it->id, NULL, en, zh);
      continue;
    }
    struct fs_err why;
    fs_err_clear(&why);
    int one = store_one(&g, b, it, maybe_stored[i], all_anonymous, &why);
    if (one == FS_ERR_INVALID || one == FS_ERR_FORBIDDEN)
      rc = fail(&g, res, it, why.msg, why.msg_zh);
    else if (one)
      rc = one;
    else
      rc = succeed(&g, res, it->id, it->version, why.msg[0] ? why.msg : NULL, why.msg_zh);
  }
  if (!rc)
    rc = intel_rows_flush(&g.objects, err);
  if (!rc)
    rc = intel_rows_flush(&g.entries, err);
  if (!rc)
    rc = flush_observables(&g);
  intel_rows_release(&g.objects);
  intel_rows_release(&g.entries);
  intel_rows_release(&g.observables);
  free(order);
  free(maybe_stored);
  free(g.obs);
  free(g.withheld_by);
  if (!rc && res->success) {
    char key[48];
    snprintf(key, sizeof(key), "gen:%lld", (long long)col->num);
    rc = store_exec(c, NULL, err,
                    "INSERT INTO intel_meta (key, value) VALUES (?, '1') ON CONFLICT (key)"
                    " DO UPDATE SET value = CAST(CAST(intel_meta.value AS BIGINT) + 1 AS TEXT)",
                    "s", key);
  }
  if (!rc && res->success)
    rc = store_notify(c, "intel", err); /* other nodes' readers of derived state look again */
  if (!rc && res->success) {
    /* Anonymous when the request or any of its objects asks for it: the audit trail then shows
     * who submitted only to the hub's roles. */
    json_t *d = json_pack("{s:s,s:I,s:I,s:b}", "collection", col->alias, "stored",
                          (json_int_t)res->success, "refused", (json_int_t)res->failure,
                          "anonymous", all_anonymous || b->n_anonymous > 0);
    rc = audit_append(c, who, "intel.ingest", "collection", col->id, d, err);
    json_decref(d);
  }
  if (!rc && opt && opt->status_id)
    rc = status_text(&g, opt, res);
  if (!rc && res->status)
    rc = store_exec(c, NULL, err,
                    "INSERT INTO intel_status (id, org_id, user_id, created_at, body)"
                    " VALUES (?,?,?,?,?)",
                    "sssis", opt->status_id, who->org_id[0] ? who->org_id : NULL,
                    who->user_id[0] ? who->user_id : NULL, who->now_ms, res->status);
  fs_buf_release(&g.ok_text);
  fs_buf_release(&g.fail_text);
  rc = store_tx_leave(c, owned, rc, err);
  /* After a large import (a thousand objects or more, a quarter or more of those there were),
   * the planner's statistics of the tables it grew are renewed, so that the next imports and
   * pages are planned for their size. Committed already: a failure here only costs speed. */
  int64_t added = g.next_seq - g.first_seq;
  if (!rc && owned && added >= 1000 && added * 4 >= g.first_seq - 1) {
    /* the columns looked up by (the bodies' statistics would cost most of the time) */
    static const char *const grown[][2] = {
        {"intel_object", "id, type"}, {"intel_entry", NULL}, {"intel_observable", NULL}};
    struct fs_err ignored;
    for (size_t i = 0; i < FS_ARRAY_SIZE(grown); i++)
      (void)store_analyze(c, grown[i][0], grown[i][1], &ignored);
  }
  return rc;
}
