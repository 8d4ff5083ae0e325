/* Bundles, TAXII envelopes and single objects: bytes in, one validation result per object out.
 * Valid objects are kept even when others in the same document fail. */
#include "intel/stix_int.h"

#include "core/jsonx.h"

#include <stdio.h>
#include <string.h>

static void doc_finding(struct intel_stix_doc *doc, enum intel_stix_severity sev,
                        const char *path, const char *msg)
{
  struct intel_stix_report *r = &doc->envelope;
  if (sev == INTEL_STIX_ERROR)
    r->n_errors++;
  else
    r->n_warnings++;
  if (r->n >= INTEL_STIX_MAX_FINDINGS)
    return;
  struct intel_stix_finding *f = &r->items[r->n++];
  f->severity = sev;
  snprintf(f->path, sizeof(f->path), "%s", path);
  snprintf(f->msg, sizeof(f->msg), "%s", msg);
}

/* Findings about the bundle or envelope itself: reported, never fatal, since each object stands
 * on its own. */
static void check_container(struct intel_stix_doc *doc)
{
  const json_t *root = doc->root;
  if (doc->kind == INTEL_STIX_DOC_BUNDLE) {
    const json_t *id = json_object_get(root, "id");
    if (!json_is_string(id) ||
        strncmp(json_string_value(id), "bundle--", 8) ||
        !intel_stix_id_valid(json_string_value(id), json_string_length(id), NULL))
      doc_finding(doc, INTEL_STIX_ERROR, "id", "a bundle needs an id bundle--<UUID>");
    else
      snprintf(doc->envelope.id, sizeof(doc->envelope.id), "%s", json_string_value(id));
    if (json_object_get(root, "spec_version"))
      doc_finding(doc, INTEL_STIX_WARNING, "spec_version",
                  "a STIX 2.1 bundle has no spec_version (STIX 2.0 bundles had one)");
  } else {
    const json_t *more = json_object_get(root, "more"), *next = json_object_get(root, "next");
    if (more && !json_is_boolean(more))
      doc_finding(doc, INTEL_STIX_ERROR, "more", "must be true or false");
    doc->more = json_is_true(more);
    if (next && !json_is_string(next))
      doc_finding(doc, INTEL_STIX_ERROR, "next", "must be a string");
    doc->next = json_string_value(next);
  }
}

static int keep_result(struct intel_stix_doc *doc, struct intel_stix_result *res, json_t *obj,
                       const struct intel_stix_report *rep)
{
  res->object = obj;
  res->id = json_string_value(json_object_get(obj, "id"));
  res->type = json_string_value(json_object_get(obj, "type"));
  res->valid = rep->n_errors == 0;
  res->n_errors = rep->n_errors;
  res->n_warnings = rep->n_warnings;
  res->n_findings = rep->n;
  if (rep->n) {
    struct intel_stix_finding *f = fs_arena_alloc(&doc->arena, rep->n * sizeof(*f));
    if (!f)
      return FS_ERR_NOMEM;
    memcpy(f, rep->items, rep->n * sizeof(*f));
    res->findings = f;
  }
  if (res->valid)
    doc->n_valid++;
  else
    doc->n_invalid++;
  return FS_OK;
}

/* Skips a JSON string starting at s[i] == '"'; returns the index after its closing quote. */
static size_t skip_string(const char *s, size_t len, size_t i)
{
  for (i++; i < len; i++) {
    if (s[i] == '\\')
      i++;
    else if (s[i] == '"')
      return i + 1;
  }
  return len;
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
  while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
    i++;
  return i;
}

/* Skips one JSON value (already known to be valid: jansson parsed it) and returns its end. */
static size_t skip_value(const char *s, size_t len, size_t i)
{
  if (i < len && s[i] == '"')
    return skip_string(s, len, i);
  if (i < len && (s[i] == '{' || s[i] == '[')) {
    int depth = 0;
    for (; i < len; i++) {
      if (s[i] == '"') {
        i = skip_string(s, len, i) - 1;
      } else if (s[i] == '{' || s[i] == '[') {
        depth++;
      } else if (s[i] == '}' || s[i] == ']') {
        if (--depth == 0)
          return i + 1;
      }
    }
    return len;
  }
  while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' &&
         s[i] != '\r' && s[i] != '\t')
    i++;
  return i;
}

/* Finds the bytes of each element of the top-level "objects" list, so that the store can keep an
 * object exactly as it was sent. Leaves the spans unset when anything is unexpected (a key
 * written with escapes, say); callers then serialize the parsed value instead. */
static void locate_raw(struct intel_stix_doc *doc, const char *s, size_t len)
{
  size_t i = skip_ws(s, len, 0);
  if (doc->kind == INTEL_STIX_DOC_OBJECT) {
    size_t end = len;
    while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\n' || s[end - 1] == '\r' || s[end - 1] == '\t'))
      end--;
    if (doc->n == 1) {
      doc->results[0].raw = s + i;
      doc->results[0].raw_len = end - i;
    }
    return;
  }
  if (i >= len || s[i] != '{')
    return;
  i++;
  for (;;) {
    i = skip_ws(s, len, i);
    if (i >= len || s[i] != '"')
      return;
    size_t kend = skip_string(s, len, i);
    bool is_objects = kend - i == 9 && !memcmp(s + i, "\"objects\"", 9);
    i = skip_ws(s, len, kend);
    if (i >= len || s[i] != ':')
      return;
    i = skip_ws(s, len, i + 1);
    if (!is_objects) {
      i = skip_ws(s, len, skip_value(s, len, i));
      if (i < len && s[i] == ',') {
        i++;
        continue;
      }
      return;
    }
    if (i >= len || s[i] != '[')
      return;
    i++;
    size_t k = 0;
    for (;;) {
      i = skip_ws(s, len, i);
      if (i < len && s[i] == ']')
        break;
      size_t end = skip_value(s, len, i);
      if (k >= doc->n || end > len)
        return;
      doc->results[k].raw = s + i;
      doc->results[k].raw_len = end - i;
      k++;
      i = skip_ws(s, len, end);
      if (i < len && s[i] == ',')
        i++;
      else if (i < len && s[i] == ']')
        break;
      else
        goto clear;
    }
    if (k == doc->n)
      return;
    goto clear;
  }
clear:
  for (size_t k = 0; k < doc->n; k++)
    doc->results[k].raw = NULL;
}

int intel_stix_doc_parse(struct intel_stix_doc *doc, const char *bytes, size_t len,
                         const struct intel_stix_limits *lim, struct fs_err *err)
{
  struct intel_stix_limits l;
  intel_stix_limits_default(&l);
  if (lim) {
    l.max_bytes = lim->max_bytes ? lim->max_bytes : l.max_bytes;
    l.max_objects = lim->max_objects ? lim->max_objects : l.max_objects;
    l.max_depth = lim->max_depth ? lim->max_depth : l.max_depth;
    l.max_string = lim->max_string ? lim->max_string : l.max_string;
    l.max_pattern = lim->max_pattern ? lim->max_pattern : l.max_pattern;
  }
  memset(doc, 0, sizeof(*doc));
  fs_arena_init(&doc->arena, 0, 0);
  if (len > l.max_bytes)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "document", "document of %zu bytes is over the "
                      "limit of %zu bytes", len, l.max_bytes);
  int rc = jsonx_parse(bytes, len, &doc->root, err);
  if (rc)
    return rc;
  json_t *root = doc->root, *objects = NULL;
  if (!json_is_object(root)) {
    rc = fs_err_set(err, FS_ERR_INVALID, "$", "expected a bundle, an envelope or an object");
    goto fail;
  }
  const json_t *type = json_object_get(root, "type");
  if (json_is_string(type) && !strcmp(json_string_value(type), "bundle")) {
    doc->kind = INTEL_STIX_DOC_BUNDLE;
    objects = json_object_get(root, "objects");
  } else if (!type && (json_object_get(root, "objects") || json_object_get(root, "more"))) {
    doc->kind = INTEL_STIX_DOC_ENVELOPE;
    objects = json_object_get(root, "objects");
  } else {
    doc->kind = INTEL_STIX_DOC_OBJECT;
  }
  if (doc->kind != INTEL_STIX_DOC_OBJECT) {
    if (objects && !json_is_array(objects)) {
      rc = fs_err_set(err, FS_ERR_INVALID, "$.objects", "objects must be a list");
      goto fail;
    }
    if (json_array_size(objects) > l.max_objects) {
      rc = fs_err_set(err, FS_ERR_TOO_LARGE, "$.objects", "%zu objects is over the limit of %zu",
                      json_array_size(objects), l.max_objects);
      goto fail;
    }
    check_container(doc);
  }
  size_t n = doc->kind == INTEL_STIX_DOC_OBJECT ? 1 : json_array_size(objects);
  if (n) {
    doc->results = fs_arena_calloc(&doc->arena, n * sizeof(*doc->results));
    if (!doc->results) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "document", "out of memory");
      goto fail;
    }
  }
  struct intel_stix_report rep;
  for (size_t i = 0; i < n; i++) {
    json_t *obj = doc->kind == INTEL_STIX_DOC_OBJECT ? root : json_array_get(objects, i);
    intel_stix_validate(obj, &l, &rep);
    doc->results[i].index = i;
    if (keep_result(doc, &doc->results[i], obj, &rep)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "document", "out of memory");
      goto fail;
    }
    doc->n = i + 1;
  }
  locate_raw(doc, bytes, len);
  return FS_OK;
fail:
  intel_stix_doc_release(doc);
  return rc;
}

void intel_stix_doc_release(struct intel_stix_doc *doc)
{
  if (doc->root)
    json_decref(doc->root);
  fs_arena_release(&doc->arena);
  memset(doc, 0, sizeof(*doc));
}
