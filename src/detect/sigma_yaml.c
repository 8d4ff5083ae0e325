/* YAML text to a tree of maps, sequences and scalars (libyaml's event parser), one tree per
 * document, in an arena. Anchors and aliases are resolved; tags are ignored. */
#include "detect/sigma_int.h"

#include "core/vec.h"

#include "core/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 64
#define MAX_ANCHORS 256

struct builder {
  struct sy_node *node;
  struct sy_node **kids; /* malloc'd while open */
  size_t n, cap;
};

struct anchor {
  char *name;
  struct sy_node *node;
};

static int add_kid(struct builder *b, struct sy_node *kid)
{
  if (FS_VEC_GROW(b->kids, b->n, b->cap, 8))
    return FS_ERR_NOMEM;
  b->kids[b->n++] = kid;
  return FS_OK;
}

static int fail(struct fs_err *err, unsigned line, const char *msg)
{
  char where[32];
  snprintf(where, sizeof(where), "line %u", line);
  return fs_err_set(err, FS_ERR_PARSE, where, "%s", msg);
}

int sy_parse(const char *text, size_t len, struct fs_arena *arena, struct sy_node ***docs_out,
             size_t *ndocs, struct fs_err *err)
{
  yaml_parser_t p;
  yaml_event_t ev;
  struct builder stack[MAX_DEPTH];
  struct anchor anchors[MAX_ANCHORS];
  size_t depth = 0, nanchors = 0;
  struct builder docs = {0};
  struct sy_node *root = NULL;
  int rc = FS_OK;
  bool done = false;
  *docs_out = NULL;
  *ndocs = 0;
  if (!yaml_parser_initialize(&p))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
  while (!done) {
    if (!yaml_parser_parse(&p, &ev)) {
      char msg[256];
      if (p.problem) /* libyaml's words, inside a sentence of ours */
        fs_msg_format(msg, sizeof(msg), NULL, 0, "not valid YAML: %s", p.problem);
      else
        fs_msg_format(msg, sizeof(msg), NULL, 0, "not valid YAML");
      rc = fail(err, (unsigned)p.problem_mark.line + 1, msg);
      break;
    }
    unsigned line = (unsigned)ev.start_mark.line + 1;
    struct sy_node *node = NULL;
    const char *anchor = NULL;
    switch (ev.type) {
    case YAML_STREAM_END_EVENT:
      done = true;
      break;
    case YAML_DOCUMENT_START_EVENT:
      root = NULL;
      break;
    case YAML_DOCUMENT_END_EVENT:
      if (root && (rc = add_kid(&docs, root)))
        fs_err_set(err, rc, "", "out of memory");
      for (size_t i = 0; i < nanchors; i++)
        free(anchors[i].name);
      nanchors = 0; /* anchors do not cross documents */
      break;
    case YAML_SCALAR_EVENT:
      node = fs_arena_calloc(arena, sizeof(*node));
      if (!node || !(node->s = fs_arena_strndup(arena, (const char *)ev.data.scalar.value,
                                                ev.data.scalar.length))) {
        rc = fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
        break;
      }
      node->kind = SY_SCALAR;
      node->len = ev.data.scalar.length;
      node->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
      anchor = (const char *)ev.data.scalar.anchor;
      break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      if (depth == MAX_DEPTH) {
        rc = fail(err, line, "YAML nested deeper than 64 levels");
        break;
      }
      node = fs_arena_calloc(arena, sizeof(*node));
      if (!node) {
        rc = fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
        break;
      }
      node->kind = ev.type == YAML_SEQUENCE_START_EVENT ? SY_SEQ : SY_MAP;
      node->line = line;
      anchor = (const char *)(ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
                                                                   : ev.data.mapping_start.anchor);
      stack[depth++] = (struct builder){.node = node};
      node = NULL; /* attached when it ends */
      break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
      struct builder *b = &stack[--depth];
      node = b->node;
      node->n = b->n;
      if (b->n) {
        node->kids = fs_arena_alloc(arena, b->n * sizeof(*node->kids));
        if (!node->kids)
          rc = fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
        else
          memcpy(node->kids, b->kids, b->n * sizeof(*node->kids));
      }
      free(b->kids);
      break;
    }
    case YAML_ALIAS_EVENT: {
      const char *a = (const char *)ev.data.alias.anchor;
      for (size_t i = 0; i < nanchors && !node; i++)
        if (!strcmp(anchors[i].name, a))
          node = anchors[i].node;
      if (!node)
        rc = fail(err, line, "YAML alias to an unknown anchor");
      break;
    }
    default:
      break;
    }
    if (node && !rc) {
      if (node->kind == SY_SCALAR)
        node->line = line;
      if (anchor && ev.type != YAML_ALIAS_EVENT) {
        if (nanchors == MAX_ANCHORS) {
          rc = fail(err, line, "more than 256 YAML anchors");
        } else if (!(anchors[nanchors].name = strdup(anchor))) {
          rc = fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
        } else {
          anchors[nanchors++].node = node;
        }
      }
      if (!rc && depth && stack[depth - 1].node->kind == SY_MAP && stack[depth - 1].n % 2 == 0 &&
          node->kind != SY_SCALAR) {
        /* readers take every key for a string: a list or map as a key ("? ...") is refused */
        rc = fail(err, node->line ? node->line : line, "a YAML mapping key must be a plain value");
      } else if (!rc) {
        if (depth)
          rc = add_kid(&stack[depth - 1], node);
        else
          root = node;
        if (rc)
          fs_err_set(err, rc, "", "out of memory");
      }
    }
    /* An anchor on a container is known once it ends; register it at its start too. */
    if (!rc && anchor && !node && depth &&
        (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)) {
      if (nanchors < MAX_ANCHORS && (anchors[nanchors].name = strdup(anchor)))
        anchors[nanchors++].node = stack[depth - 1].node;
    }
    yaml_event_delete(&ev);
    if (rc)
      break;
  }
  while (depth)
    free(stack[--depth].kids);
  for (size_t i = 0; i < nanchors; i++)
    free(anchors[i].name);
  yaml_parser_delete(&p);
  if (rc) {
    free(docs.kids);
    return rc;
  }
  if (docs.n) {
    *docs_out = fs_arena_alloc(arena, docs.n * sizeof(**docs_out));
    if (!*docs_out) {
      free(docs.kids);
      return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
    }
    memcpy(*docs_out, docs.kids, docs.n * sizeof(**docs_out));
  }
  *ndocs = docs.n;
  free(docs.kids);
  return FS_OK;
}

const struct sy_node *sy_get(const struct sy_node *map, const char *key)
{
  if (!map || map->kind != SY_MAP)
    return NULL;
  for (size_t i = 0; i + 1 < map->n; i += 2)
    if (map->kids[i]->kind == SY_SCALAR && !strcmp(map->kids[i]->s, key))
      return map->kids[i + 1];
  return NULL;
}

bool sy_is_null(const struct sy_node *n)
{
  return n && n->kind == SY_SCALAR && n->plain &&
         (!n->len || !strcmp(n->s, "null") || !strcmp(n->s, "Null") || !strcmp(n->s, "NULL") ||
          !strcmp(n->s, "~"));
}
