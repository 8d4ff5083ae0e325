/* A large bundle or envelope in parts: the top level is walked member by member, and the objects
 * list is handed out as runs of consecutive elements, each element's syntax checked (as pass one
 * of stix_doc.c checks it) and its size bounded, so that a caller reads and stores one run at a
 * time. Nothing here builds an element. */
#include "stix/stix_int.h"

#include "stix/json_read.h"

#include <stdio.h>
#include <string.h>

enum { SPLIT_LIST = 1, SPLIT_AFTER, SPLIT_DONE };

/* The top-level members from r->pos until the objects list ('[' of "objects"), or the end of the
 * root object; the values read are kept in s->root (duplicates refused as stix_doc.c does). */
static int walk_members(struct stix_split *s, bool first, struct fs_err *err)
{
  struct stix_json_reader *r = &s->r;
  for (;;) {
    bool more;
    const char *k;
    size_t klen;
    size_t key_at = r->pos;
    int rc = stix_json_next_member(r, first, &more, &k, &klen, err);
    if (rc)
      return rc;
    first = false;
    if (!more) {
      stix_json_skip_ws(r);
      if (r->pos != r->len)
        return stix_json_fail(r, r->pos, "end of file expected", err);
      s->state = SPLIT_DONE;
      return FS_OK;
    }
    bool objects = klen == 7 && !memcmp(k, "objects", 7);
    if (objects && s->seen_objects)
      return stix_json_fail(r, key_at, "duplicate object key", err);
    stix_json_skip_ws(r);
    if (objects && r->pos < r->len && r->s[r->pos] == '[') {
      s->seen_objects = true;
      s->list_at = r->pos++;
      s->state = SPLIT_LIST;
      s->first_element = true;
      return FS_OK;
    }
    char name[64];
    bool keep = klen < sizeof(name); /* the members that tell the kind are short */
    if (keep)
      memcpy(name, k, klen), name[klen] = '\0';
    json_t *v = NULL;
    if ((rc = stix_json_read(r, keep ? &v : NULL, err)))
      return rc;
    if (keep) {
      size_t before = json_object_size(s->root);
      if (json_object_set_new_nocheck(s->root, name, v))
        return fs_err_set(err, FS_ERR_NOMEM, "document", "out of memory");
      if (json_object_size(s->root) == before)
        return stix_json_fail(r, key_at, "duplicate object key", err);
    }
    s->seen_objects = s->seen_objects || objects;
  }
}

/* A bundle, or an envelope (no type): what may be read in parts. */
static bool container(const json_t *root)
{
  const json_t *type = json_object_get(root, "type");
  return !type || (json_is_string(type) && !strcmp(json_string_value(type), "bundle"));
}

int stix_split_begin(struct stix_split *s, const char *text, size_t len, size_t max_object,
                     bool *in_parts, struct fs_err *err)
{
  memset(s, 0, sizeof(*s));
  *in_parts = false;
  stix_json_reader_init(&s->r, text, len);
  s->max_object = max_object;
  if (!(s->root = json_object()))
    return fs_err_set(err, FS_ERR_NOMEM, "document", "out of memory");
  stix_json_skip_ws(&s->r);
  if (s->r.pos >= len || text[s->r.pos] != '{')
    return FS_OK; /* not an object: stix_doc_parse says what it is */
  s->r.pos++;
  int rc = walk_members(s, true, err);
  if (rc)
    return rc;
  /* the list is read in parts when the members before it make a bundle or an envelope */
  *in_parts = s->state == SPLIT_LIST && container(s->root);
  return FS_OK;
}

int stix_split_next(struct stix_split *s, size_t max_n, size_t max_bytes, struct stix_split_part *p,
                    struct fs_err *err)
{
  memset(p, 0, sizeof(*p));
  p->first_index = s->n;
  if (s->pending.code) { /* an element's error, after the run before it was handed out */
    *err = s->pending;
    return err->code;
  }
  struct stix_json_reader *r = &s->r;
  while (s->state == SPLIT_LIST && p->n < (max_n ? max_n : 1)) {
    bool more;
    int rc = stix_json_next_element(r, s->first_element, &more, err);
    s->first_element = false;
    if (!rc && !more) {
      s->state = SPLIT_AFTER;
      break;
    }
    size_t start = r->pos;
    if (!rc && p->n && start - p->start > max_bytes) {
      r->pos = s->resume; /* this element starts the next run */
      s->first_element = false;
      break;
    }
    if (!rc)
      rc = stix_json_read(r, NULL, err);
    if (!rc && r->pos - start > s->max_object) {
      char where[96];
      snprintf(where, sizeof(where), "$.objects[%zu] (byte %zu)", s->n, start);
      rc = fs_err_set(err, FS_ERR_TOO_LARGE, where,
                      "object of %zu bytes is over the limit of %zu bytes", r->pos - start,
                      s->max_object);
    }
    if (rc) {
      s->element_error = true;
      if (!p->n)
        return rc;
      s->pending = *err; /* the run before it first */
      fs_err_clear(err);
      return FS_OK;
    }
    if (!p->n)
      p->start = start;
    p->end = r->pos;
    p->n++;
    s->n++;
    s->resume = r->pos; /* after the element: the separator comes next */
  }
  if (s->state == SPLIT_AFTER && !p->n) {
    int rc = walk_members(s, false, err);
    if (rc)
      return rc;
    if (s->state == SPLIT_LIST) /* walk_members refuses a second objects list */
      return stix_json_fail(r, s->list_at, "duplicate object key", err);
    if (!container(s->root))
      return fs_err_set(err, FS_ERR_INVALID, "type",
                        "a document with a list of objects and a type must be a bundle");
  }
  return FS_OK;
}

void stix_split_release(struct stix_split *s)
{
  stix_json_reader_release(&s->r);
  json_decref(s->root);
  memset(s, 0, sizeof(*s));
}

bool stix_split_any_member(const struct stix_split *s, const char *name)
{
  if (s->state != SPLIT_LIST)
    return false;
  struct stix_json_reader r;
  stix_json_reader_init(&r, s->r.s, s->r.len);
  r.pos = s->list_at;
  struct fs_err err;
  size_t nlen = strlen(name);
  bool found = false, first = true, more = true;
  if (stix_json_open(&r, '[', &err))
    found = true;
  while (!found && more) {
    if (stix_json_next_element(&r, first, &more, &err)) {
      found = true; /* unreadable from here: it may be anywhere after */
      break;
    }
    first = false;
    if (!more)
      break;
    stix_json_skip_ws(&r);
    if (r.pos >= r.len || r.s[r.pos] != '{') {
      found = stix_json_read(&r, NULL, &err) != FS_OK;
      continue;
    }
    bool member_first = true, members = true;
    found = stix_json_open(&r, '{', &err) != FS_OK;
    while (!found && members) {
      const char *k;
      size_t klen;
      if (stix_json_next_member(&r, member_first, &members, &k, &klen, &err)) {
        found = true;
        break;
      }
      member_first = false;
      if (members && klen == nlen && !memcmp(k, name, nlen))
        found = true;
      else if (members)
        found = stix_json_read(&r, NULL, &err) != FS_OK;
    }
  }
  stix_json_reader_release(&r);
  return found;
}
