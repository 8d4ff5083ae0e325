/* Bundles, TAXII envelopes and single objects: bytes in, one validation result per object out.
 * Valid objects are kept even when others in the same document fail.
 *
 * A document is read in two passes over its bytes. The first checks the syntax of everything,
 * builds the top-level members other than "objects", and notes where each element of the objects
 * list starts and ends (checking without building costs little). The second builds, validates and
 * hands over one element at a time, so that a caller that does not keep them (stix_doc_scan)
 * never holds more than one object's tree, whatever the size of the bundle; and each element's
 * bytes are known exactly. */
#include "stix/stix_int.h"

#include "core/i18n.h"

#include "core/thread.h"
#include "stix/json_read.h"
#include "stix/pattern.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void doc_finding(struct stix_doc *doc, enum stix_severity sev, const char *path,
                        const char *msg)
{
  struct stix_report *r = &doc->envelope;
  if (sev == STIX_ERROR)
    r->n_errors++;
  else
    r->n_warnings++;
  if (r->n >= STIX_MAX_FINDINGS)
    return;
  struct stix_finding *f = &r->items[r->n++];
  f->severity = sev;
  snprintf(f->path, sizeof(f->path), "%s", path);
  snprintf(f->msg, sizeof(f->msg), "%s", msg);
  const char *zh = fs_msg_zh(msg);
  snprintf(f->msg_zh, sizeof(f->msg_zh), "%s", zh ? zh : "");
}

/* Findings about the bundle or envelope itself: reported, never fatal, since each object stands
 * on its own. */
static void check_container(struct stix_doc *doc)
{
  const json_t *root = doc->root;
  if (doc->kind == STIX_DOC_BUNDLE) {
    const json_t *id = json_object_get(root, "id");
    if (!json_is_string(id) || strncmp(json_string_value(id), "bundle--", 8) ||
        !stix_id_valid(json_string_value(id), json_string_length(id), NULL))
      doc_finding(doc, STIX_ERROR, "id", "a bundle needs an id bundle--<UUID>");
    else
      snprintf(doc->envelope.id, sizeof(doc->envelope.id), "%s", json_string_value(id));
    if (json_object_get(root, "spec_version"))
      doc_finding(doc, STIX_WARNING, "spec_version",
                  "a STIX 2.1 bundle has no spec_version (STIX 2.0 bundles had one)");
  } else {
    const json_t *more = json_object_get(root, "more"), *next = json_object_get(root, "next");
    if (more && !json_is_boolean(more))
      doc_finding(doc, STIX_ERROR, "more", "must be true or false");
    doc->more = json_is_true(more);
    if (next && !json_is_string(next))
      doc_finding(doc, STIX_ERROR, "next", "must be a string");
    doc->next = json_string_value(next);
  }
}

/* Where each element of the objects list lies in the text. */
struct span {
  size_t start, end;
};

struct top {
  struct span *spans; /* the first max_objects elements */
  size_t n;           /* every element */
  size_t list_at;     /* the '[' of the objects list, when it was one */
  bool has_list;      /* "objects" was a list (kept out of the root) */
};

/* After a member or an element: a comma (*done false) or the closing bracket (*done true). */
static int separator(struct stix_json_reader *r, char close, bool *done, struct fs_err *err)
{
  stix_json_skip_ws(r);
  if (r->pos < r->len && (r->s[r->pos] == ',' || r->s[r->pos] == close)) {
    *done = r->s[r->pos++] == close;
    return FS_OK;
  }
  return stix_json_fail(r, r->pos, close == ']' ? "expected ',' or ']'" : "expected ',' or '}'",
                        err);
}

/* Pass one over the objects list at r->pos ('['): syntax, count and spans. */
static int scan_list(struct stix_json_reader *r, struct top *t, size_t max, struct fs_err *err)
{
  t->list_at = r->pos++;
  size_t cap = 0;
  stix_json_skip_ws(r);
  if (r->pos < r->len && r->s[r->pos] == ']') {
    r->pos++;
    return FS_OK;
  }
  for (;;) {
    stix_json_skip_ws(r);
    size_t start = r->pos;
    int rc = stix_json_read(r, NULL, err);
    if (rc)
      return rc;
    if (t->n < max) {
      if (t->n == cap) {
        cap = cap ? cap * 2 : 1024;
        if (cap > max)
          cap = max;
        struct span *p = realloc(t->spans, cap * sizeof(*p));
        if (!p)
          return fs_err_set(err, FS_ERR_NOMEM, "document", "out of memory");
        t->spans = p;
      }
      t->spans[t->n] = (struct span){start, r->pos};
    }
    t->n++;
    bool done = false;
    if ((rc = separator(r, ']', &done, err)) || done)
      return rc;
  }
}

/* Pass one over the whole text: the root object with every member but a list of objects. */
static int scan_top(struct stix_doc *doc, struct stix_json_reader *r, struct top *t, size_t max,
                    struct fs_err *err)
{
  stix_json_skip_ws(r);
  if (r->pos >= r->len || (r->s[r->pos] != '{' && r->s[r->pos] != '['))
    return stix_json_fail(r, r->pos, "'[' or '{' expected", err);
  int rc;
  if (r->s[r->pos] == '[') {
    if ((rc = stix_json_read(r, NULL, err)))
      return rc;
    stix_json_skip_ws(r);
    if (r->pos != r->len)
      return stix_json_fail(r, r->pos, "end of file expected", err);
    return fs_err_set(err, FS_ERR_INVALID, "$", "expected a bundle, an envelope or an object");
  }
  if (!(doc->root = json_object()))
    return fs_err_set(err, FS_ERR_NOMEM, "document", "out of memory");
  r->pos++;
  bool seen_objects = false;
  stix_json_skip_ws(r);
  if (r->pos < r->len && r->s[r->pos] == '}') {
    r->pos++;
    goto end;
  }
  for (;;) {
    stix_json_skip_ws(r);
    size_t key_at = r->pos;
    json_t *key = NULL;
    if (r->pos >= r->len || r->s[r->pos] != '"')
      return stix_json_fail(r, r->pos, "expected a string as object key", err);
    if ((rc = stix_json_read(r, &key, err)))
      return rc;
    const char *k = json_string_value(key);
    size_t klen = json_string_length(key);
    bool objects = klen == 7 && !memcmp(k, "objects", 7);
    const char *bad = memchr(k, '\0', klen)     ? "NUL byte in object key not supported"
                      : objects && seen_objects ? "duplicate object key"
                                                : NULL;
    if (bad) {
      json_decref(key);
      return stix_json_fail(r, key_at, bad, err);
    }
    stix_json_skip_ws(r);
    if (r->pos >= r->len || r->s[r->pos] != ':') {
      json_decref(key);
      return stix_json_fail(r, r->pos, "expected ':'", err);
    }
    r->pos++;
    stix_json_skip_ws(r);
    if (objects && r->pos < r->len && r->s[r->pos] == '[') {
      t->has_list = true;
      rc = scan_list(r, t, max, err);
    } else {
      json_t *v = NULL;
      size_t before = json_object_size(doc->root);
      rc = stix_json_read(r, &v, err);
      if (!rc && json_object_setn_new_nocheck(doc->root, k, klen, v))
        rc = fs_err_set(err, FS_ERR_NOMEM, "document", "out of memory");
      if (!rc && json_object_size(doc->root) == before)
        rc = stix_json_fail(r, key_at, "duplicate object key", err);
    }
    seen_objects = seen_objects || objects;
    json_decref(key);
    bool done = false;
    if (rc || (rc = separator(r, '}', &done, err)))
      return rc;
    if (done)
      break;
  }
end:
  stix_json_skip_ws(r);
  if (r->pos != r->len)
    return stix_json_fail(r, r->pos, "end of file expected", err);
  return FS_OK;
}

/* Validates one element and hands it to fn. */
struct verdicts {
  size_t n_valid, n_invalid;
};

static int judge(struct stix_doc *doc, json_t *obj, size_t index, const char *raw, size_t raw_len,
                 const struct stix_limits *l, stix_each_fn fn, void *ctx, struct verdicts *v)
{
  struct stix_report rep;
  struct stix_pattern pattern;
  bool have_pattern = false;
  stix_validate_full(obj, l, &rep, &pattern, &have_pattern);
  struct stix_result res = {
      .index = index,
      .object = obj,
      .id = json_string_value(json_object_get(obj, "id")),
      .type = json_string_value(json_object_get(obj, "type")),
      .valid = rep.n_errors == 0,
      .n_errors = rep.n_errors,
      .n_warnings = rep.n_warnings,
      .findings = rep.items,
      .n_findings = rep.n,
      .raw = raw,
      .raw_len = raw_len,
      .pattern = have_pattern ? &pattern : NULL,
  };
  if (res.valid)
    v->n_valid++;
  else
    v->n_invalid++;
  int rc = fn(doc, &res, ctx);
  if (have_pattern)
    stix_pattern_release(&pattern);
  return rc;
}

/* One run of consecutive elements, read on one thread. */
struct run {
  struct stix_doc *doc;
  const char *bytes;
  size_t len;
  const struct top *t;
  const struct stix_limits *l;
  size_t lo, hi;
  stix_each_fn fn;
  void *ctx;
  struct verdicts v;
  int rc;
  struct fs_err err;
  pthread_t thread;
  bool started;
};

static void *read_run(void *arg)
{
  struct run *u = arg;
  struct stix_json_reader r;
  stix_json_reader_init(&r, u->bytes, u->len);
  for (size_t i = u->lo; !u->rc && i < u->hi; i++) {
    json_t *obj;
    r.pos = u->t->spans[i].start;
    if ((u->rc = stix_json_read(&r, &obj, &u->err))) /* a duplicate key: pass one lets them by */
      break;
    u->rc = judge(u->doc, obj, i, u->bytes + u->t->spans[i].start,
                  u->t->spans[i].end - u->t->spans[i].start, u->l, u->fn, u->ctx, &u->v);
    json_decref(obj);
  }
  stix_json_reader_release(&r);
  return NULL;
}

/* Pass two: the elements in nparts runs of about equal bytes, run 0 on this thread and each other
 * on a thread of its own (or here, after run 0, when no thread can be had). */
static int read_runs(struct stix_doc *doc, const char *bytes, size_t len, const struct top *t,
                     const struct stix_limits *l, size_t nparts, stix_each_fn fn, void *const *ctxs,
                     size_t *failed_part, struct fs_err *err)
{
  if (nparts > t->n)
    nparts = t->n ? t->n : 1;
  struct run *runs = calloc(nparts, sizeof(*runs));
  if (!runs)
    return fs_err_set(err, FS_ERR_NOMEM, "document", "out of memory");
  size_t first = t->n ? t->spans[0].start : 0, last = t->n ? t->spans[t->n - 1].end : 0;
  size_t lo = 0;
  for (size_t p = 0; p < nparts; p++) {
    size_t hi = t->n;
    if (p + 1 < nparts) { /* the first element starting past this run's share of the bytes */
      size_t bound = first + (last - first) / nparts * (p + 1);
      hi = lo;
      while (hi < t->n && t->spans[hi].start < bound)
        hi++;
    }
    runs[p] = (struct run){.doc = doc,
                           .bytes = bytes,
                           .len = len,
                           .t = t,
                           .l = l,
                           .lo = lo,
                           .hi = hi,
                           .fn = fn,
                           .ctx = ctxs[p]};
    lo = hi;
  }
  for (size_t p = 1; p < nparts; p++)
    runs[p].started = !fs_thread_start(&runs[p].thread, read_run, &runs[p]);
  read_run(&runs[0]);
  int rc = FS_OK;
  for (size_t p = 0; p < nparts; p++) {
    if (p && runs[p].started)
      pthread_join(runs[p].thread, NULL);
    else if (p)
      read_run(&runs[p]);
    doc->n_valid += runs[p].v.n_valid;
    doc->n_invalid += runs[p].v.n_invalid;
    if (runs[p].rc && !rc) {
      rc = runs[p].rc;
      *failed_part = p;
      if (runs[p].err.code) /* the reader's error; fn's is where fn keeps it */
        *err = runs[p].err;
    }
  }
  free(runs);
  return rc;
}

static int scan(struct stix_doc *doc, const char *bytes, size_t len, const struct stix_limits *lim,
                size_t nparts, stix_each_fn fn, void *const *ctxs, size_t *failed_part,
                struct fs_err *err)
{
  void *ctx = ctxs[0];
  *failed_part = 0;
  struct stix_limits l;
  stix_limits_fill(&l, lim);
  memset(doc, 0, sizeof(*doc));
  fs_arena_init(&doc->arena, 0, 0);
  if (len > l.max_bytes)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "document",
                      "document of %zu bytes is over the "
                      "limit of %zu bytes",
                      len, l.max_bytes);
  struct stix_json_reader r;
  stix_json_reader_init(&r, bytes, len);
  struct top t = {0};
  int rc = scan_top(doc, &r, &t, l.max_objects, err);
  if (rc)
    goto out;
  json_t *root = doc->root;
  const json_t *type = json_object_get(root, "type");
  if (json_is_string(type) && !strcmp(json_string_value(type), "bundle"))
    doc->kind = STIX_DOC_BUNDLE;
  else if (!type &&
           (t.has_list || json_object_get(root, "objects") || json_object_get(root, "more")))
    doc->kind = STIX_DOC_ENVELOPE;
  else
    doc->kind = STIX_DOC_OBJECT;

  if (doc->kind == STIX_DOC_OBJECT) {
    /* A lone object: its own "objects" list (a custom property, say) is part of it. */
    json_t *list = NULL;
    if (t.has_list) {
      r.pos = t.list_at;
      rc = stix_json_read(&r, &list, err);
      if (!rc && json_object_set_new_nocheck(root, "objects", list))
        rc = fs_err_set(err, FS_ERR_NOMEM, "document", "out of memory");
      if (rc)
        goto out;
    }
    size_t start = 0, end = len;
    while (start < end && (bytes[start] == ' ' || bytes[start] == '\n' || bytes[start] == '\r' ||
                           bytes[start] == '\t'))
      start++;
    while (end > start && (bytes[end - 1] == ' ' || bytes[end - 1] == '\n' ||
                           bytes[end - 1] == '\r' || bytes[end - 1] == '\t'))
      end--;
    doc->n = 1;
    struct verdicts v = {0};
    rc = judge(doc, root, 0, bytes + start, end - start, &l, fn, ctx, &v);
    doc->n_valid = v.n_valid;
    doc->n_invalid = v.n_invalid;
    goto out;
  }
  if (!t.has_list && json_object_get(root, "objects")) {
    rc = fs_err_set(err, FS_ERR_INVALID, "$.objects", "objects must be a list");
    goto out;
  }
  if (t.n > l.max_objects) {
    rc = fs_err_set(err, FS_ERR_TOO_LARGE, "$.objects", "%zu objects is over the limit of %zu", t.n,
                    l.max_objects);
    goto out;
  }
  check_container(doc);
  doc->n = t.n;
  rc = read_runs(doc, bytes, len, &t, &l, nparts ? nparts : 1, fn, ctxs, failed_part, err);
out:
  free(t.spans);
  stix_json_reader_release(&r);
  return rc;
}

int stix_doc_scan(struct stix_doc *doc, const char *bytes, size_t len,
                  const struct stix_limits *lim, stix_each_fn fn, void *ctx, struct fs_err *err)
{
  size_t failed;
  int rc = scan(doc, bytes, len, lim, 1, fn, &ctx, &failed, err);
  if (rc)
    stix_doc_release(doc);
  return rc;
}

int stix_doc_scan_split(struct stix_doc *doc, const char *bytes, size_t len,
                        const struct stix_limits *lim, size_t nparts, stix_each_fn fn,
                        void *const *ctxs, size_t *failed_part, struct fs_err *err)
{
  int rc = scan(doc, bytes, len, lim, nparts, fn, ctxs, failed_part, err);
  if (rc)
    stix_doc_release(doc);
  return rc;
}

/* Keeps each result, its object and its findings in the document. */
static int keep(struct stix_doc *doc, struct stix_result *r, void *ctx)
{
  struct fs_err *err = ctx;
  if (!doc->results) {
    doc->results = fs_arena_calloc(&doc->arena, doc->n * sizeof(*doc->results));
    if (!doc->results)
      return fs_err_set(err, FS_ERR_NOMEM, "document", "out of memory");
  }
  struct stix_result *res = &doc->results[r->index];
  *res = *r;
  res->findings = NULL;
  res->pattern = NULL; /* released after the call */
  if (r->n_findings) {
    struct stix_finding *f = fs_arena_alloc(&doc->arena, r->n_findings * sizeof(*f));
    if (!f)
      return fs_err_set(err, FS_ERR_NOMEM, "document", "out of memory");
    memcpy(f, r->findings, r->n_findings * sizeof(*f));
    res->findings = f;
  }
  json_incref(r->object);
  doc->n_kept = r->index + 1;
  return FS_OK;
}

int stix_doc_parse(struct stix_doc *doc, const char *bytes, size_t len,
                   const struct stix_limits *lim, struct fs_err *err)
{
  return stix_doc_scan(doc, bytes, len, lim, keep, err, err);
}

void stix_doc_release(struct stix_doc *doc)
{
  for (size_t i = 0; doc->results && i < doc->n_kept; i++)
    json_decref(doc->results[i].object);
  json_decref(doc->root);
  fs_arena_release(&doc->arena);
  memset(doc, 0, sizeof(*doc));
}
