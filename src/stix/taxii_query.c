/* TAXII 2.1 query strings: the filters each endpoint takes (from the pairs core/query.h splits
 * and decodes), value checks, the query fingerprint, and the encrypted paging cursor. */
#include "stix/taxii_query.h"

#include "stix/stix.h"

#include "core/cursor.h"
#include "core/encode.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;
  unsigned bit;
} params[] = {
    {"match[id]", STIX_TAXII_P_ID},
    {"match[type]", STIX_TAXII_P_TYPE},
    {"match[version]", STIX_TAXII_P_VERSION},
    {"match[spec_version]", STIX_TAXII_P_SPEC_VERSION},
    {"added_after", STIX_TAXII_P_ADDED_AFTER},
    {"limit", STIX_TAXII_P_LIMIT},
    {"next", STIX_TAXII_P_NEXT},
};

static unsigned allowed(enum stix_taxii_endpoint ep)
{
  const unsigned paging = STIX_TAXII_P_ADDED_AFTER | STIX_TAXII_P_LIMIT | STIX_TAXII_P_NEXT;
  switch (ep) {
  case STIX_TAXII_EP_OBJECTS:
  case STIX_TAXII_EP_MANIFEST:
    return STIX_TAXII_P_ID | STIX_TAXII_P_TYPE | STIX_TAXII_P_VERSION | STIX_TAXII_P_SPEC_VERSION |
           paging;
  case STIX_TAXII_EP_OBJECT:
    return STIX_TAXII_P_VERSION | STIX_TAXII_P_SPEC_VERSION | paging;
  case STIX_TAXII_EP_OBJECT_DELETE:
    return STIX_TAXII_P_VERSION | STIX_TAXII_P_SPEC_VERSION;
  case STIX_TAXII_EP_VERSIONS:
    return STIX_TAXII_P_SPEC_VERSION | paging;
  default:
    return 0;
  }
}

static bool spec_version_valid(const char *s)
{
  size_t i = 0, a = 0, b = 0;
  while (s[i] >= '0' && s[i] <= '9' && a < 4)
    i++, a++;
  if (!a || s[i++] != '.')
    return false;
  while (s[i] >= '0' && s[i] <= '9' && b < 4)
    i++, b++;
  return b && !s[i];
}

/* Splits a comma list of the value into the arena and checks each item. */
static int split_list(struct fs_arena *a, char *value, size_t max, const char *name,
                      const char ***items, size_t *n, struct fs_err *err)
{
  size_t count = 1;
  for (const char *p = value; *p; p++)
    count += *p == ',';
  if (count > max)
    return fs_err_set(err, FS_ERR_INVALID, name, "%s lists more than %zu values", name, max);
  *items = fs_arena_alloc(a, count * sizeof(**items));
  if (!*items)
    return fs_err_set(err, FS_ERR_NOMEM, name, "out of memory");
  *n = 0;
  char *p = value;
  for (;;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    if (!*p)
      return fs_err_set(err, FS_ERR_INVALID, name, "%s has an empty value", name);
    (*items)[(*n)++] = p;
    if (!comma)
      return FS_OK;
    p = comma + 1;
  }
}

static int set_value(struct stix_taxii_query *q, unsigned bit, const char *name, char *value,
                     const struct stix_taxii_query_limits *lim, struct fs_arena *a,
                     struct fs_err *err)
{
  const char **items = NULL;
  size_t n = 0;
  int rc = FS_OK;
  if (bit &
      (STIX_TAXII_P_ID | STIX_TAXII_P_TYPE | STIX_TAXII_P_VERSION | STIX_TAXII_P_SPEC_VERSION))
    rc = split_list(a, value, lim->max_list, name, &items, &n, err);
  if (rc)
    return rc;
  switch (bit) {
  case STIX_TAXII_P_ID:
    for (size_t i = 0; i < n; i++)
      if (!stix_id_valid(items[i], strlen(items[i]), NULL))
        return fs_err_set(err, FS_ERR_INVALID, name, "%s: \"%.80s\" is not a STIX identifier", name,
                          items[i]);
    q->ids = items;
    q->n_ids = n;
    break;
  case STIX_TAXII_P_TYPE:
    for (size_t i = 0; i < n; i++)
      if (!stix_type_valid(items[i], strlen(items[i])))
        return fs_err_set(err, FS_ERR_INVALID, name, "%s: \"%.80s\" is not a STIX type name", name,
                          items[i]);
    q->types = items;
    q->n_types = n;
    break;
  case STIX_TAXII_P_VERSION:
    q->version_times = fs_arena_alloc(a, n * sizeof(*q->version_times));
    if (!q->version_times)
      return fs_err_set(err, FS_ERR_NOMEM, name, "out of memory");
    for (size_t i = 0; i < n; i++) {
      if (!strcmp(items[i], "first"))
        q->versions |= STIX_TAXII_V_FIRST;
      else if (!strcmp(items[i], "last"))
        q->versions |= STIX_TAXII_V_LAST;
      else if (!strcmp(items[i], "all"))
        q->versions |= STIX_TAXII_V_ALL;
      else if (stix_timestamp_valid(items[i], strlen(items[i]), NULL))
        q->version_times[q->n_version_times++] = items[i];
      else
        return fs_err_set(err, FS_ERR_INVALID, name,
                          "%s: \"%.80s\" is not first, last, all or a timestamp", name, items[i]);
    }
    break;
  case STIX_TAXII_P_SPEC_VERSION:
    for (size_t i = 0; i < n; i++)
      if (!spec_version_valid(items[i]))
        return fs_err_set(err, FS_ERR_INVALID, name, "%s: \"%.80s\" is not a version like 2.1",
                          name, items[i]);
    q->spec_versions = items;
    q->n_spec_versions = n;
    break;
  case STIX_TAXII_P_ADDED_AFTER:
    if (!stix_timestamp_valid(value, strlen(value), NULL))
      return fs_err_set(err, FS_ERR_INVALID, name,
                        "%s: \"%.80s\" is not a timestamp YYYY-MM-DDTHH:MM:SS[.s+]Z", name, value);
    q->added_after = value;
    break;
  case STIX_TAXII_P_LIMIT: {
    size_t v = 0, i = 0;
    for (; value[i] >= '0' && value[i] <= '9' && i < 12; i++)
      v = v * 10 + (size_t)(value[i] - '0');
    if (i == 0 || value[i] || v == 0)
      return fs_err_set(err, FS_ERR_INVALID, name, "%s: \"%.80s\" is not a positive integer", name,
                        value);
    q->limit_capped = v > lim->max_limit;
    q->limit = q->limit_capped ? lim->max_limit : v;
    break;
  }
  case STIX_TAXII_P_NEXT: {
    size_t len = strlen(value);
    if (len == 0 || len > lim->max_next)
      return fs_err_set(err, FS_ERR_INVALID, name, "next must be 1..%zu characters", lim->max_next);
    for (size_t i = 0; i < len; i++) {
      char c = value[i];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_'))
        return fs_err_set(err, FS_ERR_INVALID, name, "next is not a cursor this server made");
    }
    q->next = value;
    break;
  }
  }
  return FS_OK;
}

static void limits_of(const struct stix_taxii_query_limits *in, struct stix_taxii_query_limits *out)
{
  *out = (struct stix_taxii_query_limits){8192, 100, 1000, 256};
  if (in) {
    out->max_query = in->max_query ? in->max_query : out->max_query;
    out->max_list = in->max_list ? in->max_list : out->max_list;
    out->max_limit = in->max_limit ? in->max_limit : out->max_limit;
    out->max_next = in->max_next ? in->max_next : out->max_next;
  }
}

int stix_taxii_query_parse(const char *raw, size_t len, enum stix_taxii_endpoint ep,
                           const struct stix_taxii_query_limits *lim_in, struct fs_arena *arena,
                           struct stix_taxii_query *q, struct fs_err *err)
{
  struct stix_taxii_query_limits lim;
  limits_of(lim_in, &lim);
  memset(q, 0, sizeof(*q));
  if (len > lim.max_query)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "query", "query string longer than %zu bytes",
                      lim.max_query);
  struct fs_query pairs;
  int rc = fs_query_parse(raw, len, &pairs, arena, err);
  return rc ? rc : stix_taxii_query_from(&pairs, ep, lim_in, arena, q, err);
}

int stix_taxii_query_from(const struct fs_query *pairs, enum stix_taxii_endpoint ep,
                          const struct stix_taxii_query_limits *lim_in, struct fs_arena *arena,
                          struct stix_taxii_query *q, struct fs_err *err)
{
  struct stix_taxii_query_limits lim;
  limits_of(lim_in, &lim);
  memset(q, 0, sizeof(*q));
  for (size_t i = 0; i < pairs->count; i++) {
    const char *key = pairs->keys[i];
    unsigned bit = 0;
    const char *name = NULL;
    for (size_t k = 0; k < FS_ARRAY_SIZE(params) && !bit; k++)
      if (!strcmp(params[k].name, key))
        bit = params[k].bit, name = params[k].name;
    if (!bit && !strncmp(key, "match[", 6))
      return fs_err_set(err, FS_ERR_INVALID, key, "the filter %.60s is not supported", key);
    if (!bit) {
      q->n_ignored++;
      continue;
    }
    if (q->present & bit)
      return fs_err_set(err, FS_ERR_INVALID, name, "%s is given more than once", name);
    if (!(allowed(ep) & bit))
      return fs_err_set(err, FS_ERR_INVALID, name, "%s does not apply to this endpoint", name);
    if (!*pairs->values[i])
      return fs_err_set(err, FS_ERR_INVALID, name, "%s has an empty value", name);
    /* The lists are cut in place: a copy, so that the caller's pairs stay as they were. */
    char *value = fs_arena_strdup(arena, pairs->values[i]);
    if (!value)
      return fs_err_set(err, FS_ERR_NOMEM, name, "out of memory");
    int rc = set_value(q, bit, name, value, &lim, arena, err);
    if (rc)
      return rc;
    q->present |= bit;
  }
  return FS_OK;
}

static void hash_list(crypto_generichash_state *st, const char *tag, const char *const *items,
                      size_t n)
{
  crypto_generichash_update(st, (const unsigned char *)tag, strlen(tag) + 1);
  for (size_t i = 0; i < n; i++)
    crypto_generichash_update(st, (const unsigned char *)items[i], strlen(items[i]) + 1);
}

uint64_t stix_taxii_query_context(const struct stix_taxii_query *q, const char *collection_id)
{
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, 8);
  const char *coll = collection_id ? collection_id : "";
  hash_list(&st, "collection", &coll, 1);
  hash_list(&st, "id", q->ids, q->n_ids);
  hash_list(&st, "type", q->types, q->n_types);
  hash_list(&st, "version", q->version_times, q->n_version_times);
  unsigned char v = (unsigned char)q->versions;
  crypto_generichash_update(&st, &v, 1);
  hash_list(&st, "spec_version", q->spec_versions, q->n_spec_versions);
  const char *after = q->added_after ? q->added_after : "";
  hash_list(&st, "added_after", &after, 1);
  unsigned char out[8];
  crypto_generichash_final(&st, out, sizeof(out));
  uint64_t x = 0;
  for (int i = 0; i < 8; i++)
    x = x << 8 | out[i];
  return x;
}

/* The cursor is core's sealed cursor (core/cursor.h): date_added and seq, bound to the query. */
_Static_assert(STIX_TAXII_CURSOR_LEN == FS_CURSOR_LEN, "cursor length");
_Static_assert(STIX_TAXII_CURSOR_KEYBYTES == FS_CURSOR_KEYBYTES, "key");

void stix_taxii_cursor_encode(const struct stix_taxii_cursor *c,
                              const uint8_t key[STIX_TAXII_CURSOR_KEYBYTES],
                              char out[STIX_TAXII_CURSOR_LEN + 1])
{
  struct fs_cursor fc = {c->date_added, c->seq, c->context};
  fs_cursor_seal(&fc, key, out);
}

int stix_taxii_cursor_decode(const char *s, size_t len,
                             const uint8_t key[STIX_TAXII_CURSOR_KEYBYTES], uint64_t expect_context,
                             struct stix_taxii_cursor *c, struct fs_err *err)
{
  struct fs_cursor fc;
  memset(c, 0, sizeof(*c));
  if (fs_cursor_open(s, len, key, "next", &fc, NULL))
    return fs_err_set(err, FS_ERR_INVALID, "next", "unknown or altered next cursor");
  c->date_added = fc.a;
  c->seq = fc.b;
  c->context = fc.context;
  if (c->context != expect_context)
    return fs_err_set(err, FS_ERR_INVALID, "next",
                      "this next cursor belongs to a different query or collection");
  return FS_OK;
}
