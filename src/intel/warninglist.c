/* Warninglists: the MISP format, the built-in special-use list, and sets compiled for matching.
 * Strings, hostnames and ranges go into one detection index (detect/ioc.h: exact strings,
 * domains matching their subdomains, address ranges), whose entries name their list; substrings
 * and expressions are tried one by one (they are few and short). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "intel/warninglist.h"

#include "core/jsonx.h"
#include "core/vec.h"
#include "detect/hash.h"
#include "detect/ioc.h"
#include "detect/ioc_norm.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const type_names[] = {"string", "substring", "hostname", "cidr", "regex", NULL};
static const char *const action_names[] = {"flag", "block", "off", NULL};

const char *intel_wl_type_name(enum intel_wl_type t)
{
  return (unsigned)t <= INTEL_WL_REGEX ? type_names[t] : "";
}

const char *intel_wl_action_name(enum intel_wl_action a)
{
  return (unsigned)a <= INTEL_WL_OFF ? action_names[a] : "";
}

int intel_wl_action_parse(const char *s)
{
  for (int i = 0; s && action_names[i]; i++)
    if (!strcmp(s, action_names[i]))
      return i;
  return -1;
}

#define KIND(k) (1u << (k))
#define KINDS_IP (KIND(INTEL_OBS_IPV4) | KIND(INTEL_OBS_IPV6))
#define KINDS_HASH                                                                                 \
  (KIND(INTEL_OBS_MD5) | KIND(INTEL_OBS_SHA1) | KIND(INTEL_OBS_SHA256) | KIND(INTEL_OBS_SHA512))
#define KINDS_ALL                                                                                  \
  (KINDS_IP | KINDS_HASH | KIND(INTEL_OBS_DOMAIN) | KIND(INTEL_OBS_URL) | KIND(INTEL_OBS_EMAIL))

/* The kinds a MISP attribute type names (matching_attributes); 0 for a type the hub does not
 * index. */
static unsigned kinds_of_attribute(const char *a)
{
  static const struct {
    const char *type;
    unsigned kinds;
  } map[] = {
      {"ip-src", KINDS_IP},
      {"ip-dst", KINDS_IP},
      {"ip-src|port", KINDS_IP},
      {"ip-dst|port", KINDS_IP},
      {"domain|ip", KINDS_IP | KIND(INTEL_OBS_DOMAIN)},
      {"domain", KIND(INTEL_OBS_DOMAIN)},
      {"hostname", KIND(INTEL_OBS_DOMAIN)},
      {"hostname|port", KIND(INTEL_OBS_DOMAIN)},
      {"url", KIND(INTEL_OBS_URL)},
      {"uri", KIND(INTEL_OBS_URL)},
      {"md5", KIND(INTEL_OBS_MD5)},
      {"filename|md5", KIND(INTEL_OBS_MD5)},
      {"sha1", KIND(INTEL_OBS_SHA1)},
      {"filename|sha1", KIND(INTEL_OBS_SHA1)},
      {"sha256", KIND(INTEL_OBS_SHA256)},
      {"filename|sha256", KIND(INTEL_OBS_SHA256)},
      {"sha512", KIND(INTEL_OBS_SHA512)},
      {"filename|sha512", KIND(INTEL_OBS_SHA512)},
      {"email", KIND(INTEL_OBS_EMAIL)},
      {"email-src", KIND(INTEL_OBS_EMAIL)},
      {"email-dst", KIND(INTEL_OBS_EMAIL)},
      {"target-email", KIND(INTEL_OBS_EMAIL)},
      {"whois-registrant-email", KIND(INTEL_OBS_EMAIL)},
      {"dns-soa-email", KIND(INTEL_OBS_EMAIL)},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(map); i++)
    if (!strcmp(a, map[i].type))
      return map[i].kinds;
  return 0;
}

void intel_wl_kinds_text(unsigned kinds, char *out, size_t n)
{
  size_t o = 0;
  out[0] = '\0';
  for (int k = 1; k < INTEL_OBS__COUNT && o < n; k++)
    if (kinds & KIND(k))
      o +=
          (size_t)snprintf(out + o, n - o, "%s%s", o ? " " : "", intel_obs_name((enum intel_obs)k));
  if (!o)
    snprintf(out, n, "-");
}

void intel_warninglist_release(struct intel_warninglist *l)
{
  fs_arena_release(&l->arena);
  free(l->entries);
  memset(l, 0, sizeof(*l));
}

int intel_warninglist_parse(const char *bytes, size_t len, struct intel_warninglist *out,
                            struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  fs_arena_init(&out->arena, 0, 0);
  if (len > INTEL_WL_MAX_BYTES)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "warninglist", "a list of more than %u bytes",
                      INTEL_WL_MAX_BYTES);
  json_t *root;
  int rc = jsonx_parse_object(bytes, len, &root, err);
  if (rc)
    return rc;
  const char *name = NULL, *desc = NULL;
  int type = -1;
  rc = jsonx_string(root, "name", JSONX_REQUIRED, INTEL_WL_NAME_MAX, &name, err);
  if (!rc)
    rc = jsonx_string(root, "description", JSONX_REQUIRED | JSONX_MULTILINE, 4000, &desc, err);
  if (!rc)
    rc = jsonx_enum(root, "type", JSONX_REQUIRED, type_names, &type, err);
  const json_t *version = json_object_get(root, "version");
  if (!rc && !json_is_integer(version))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.version", "version must be a number");
  const json_t *attrs = json_object_get(root, "matching_attributes");
  if (!rc && attrs && !json_is_array(attrs))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.matching_attributes",
                    "matching_attributes must be a list of MISP attribute types");
  const json_t *list = json_object_get(root, "list");
  if (!rc && (!json_is_array(list) || !json_array_size(list)))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.list", "list must be a list of one or more values");
  if (!rc && json_array_size(list) > INTEL_WL_MAX_ENTRIES)
    rc = fs_err_set(err, FS_ERR_TOO_LARGE, "$.list", "more than %u values", INTEL_WL_MAX_ENTRIES);
  if (!rc) {
    out->name = fs_arena_strdup(&out->arena, name);
    out->description = fs_arena_strdup(&out->arena, desc);
    out->version = json_integer_value(version);
    out->type = (enum intel_wl_type)type;
    out->n_entries = json_array_size(list);
    out->entries = calloc(out->n_entries, sizeof(*out->entries));
    if (!out->name || !out->description || !out->entries)
      rc = fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
  }
  size_t i;
  const json_t *v;
  unsigned kinds = 0;
  json_array_foreach(attrs, i, v)
  {
    if (rc)
      break;
    if (!json_is_string(v))
      rc = fs_err_set(err, FS_ERR_INVALID, "$.matching_attributes",
                      "matching_attributes must be a list of MISP attribute types");
    else
      kinds |= kinds_of_attribute(json_string_value(v));
  }
  out->kinds = json_array_size(attrs) ? kinds : KINDS_ALL;
  json_array_foreach(list, i, v)
  {
    if (rc)
      break;
    if (!json_is_string(v)) {
      char where[48];
      snprintf(where, sizeof(where), "$.list[%zu]", i);
      rc = fs_err_set(err, FS_ERR_INVALID, where, "every value must be a string");
      break;
    }
    if (!(out->entries[i] =
              fs_arena_strndup(&out->arena, json_string_value(v), json_string_length(v))))
      rc = fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
  }
  json_decref(root);
  return rc;
}

/* ---- the built-in lists ---------------------------------------------------------------------- */

static const char *const special_addresses[] = {
    /* IPv4 (RFC 6890, 5735, 1918, 6598, 3927, 5737, 2544, 5771, 1112, 7526) */
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "255.255.255.255/32",
    /* IPv6 (RFC 6890, 4291, 6052, 8215, 6666, 4380, 3849, 3056, 4193, 7723) */
    "::/128",
    "::1/128",
    "::ffff:0:0/96",
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/23",
    "2001:db8::/32",
    "2002::/16",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
};
static const char *const special_names[] = {
    /* RFC 2606, 6761, 6762, 8375, 9476 */
    "example", "example.com", "example.net", "example.org", "test",
    "invalid", "localhost",   "local",       "home.arpa",   "alt",
};

/* The built-in lists as warninglists (constant data; never released). */
static const struct intel_warninglist builtins[] = {
    {.name = INTEL_WL_BUILTIN "-addresses",
     .description =
         "Special-use IPv4 and IPv6 addresses (IANA special-purpose registries, RFC 6890)",
     .version = 1,
     .type = INTEL_WL_CIDR,
     .kinds = KINDS_IP,
     .entries = (const char **)(uintptr_t)special_addresses,
     .n_entries = FS_ARRAY_SIZE(special_addresses)},
    {.name = INTEL_WL_BUILTIN "-names",
     .description = "Special-use domain names (RFC 2606, 6761, 6762, 8375)",
     .version = 1,
     .type = INTEL_WL_HOSTNAME,
     .kinds = KIND(INTEL_OBS_DOMAIN) | KIND(INTEL_OBS_URL) | KIND(INTEL_OBS_EMAIL),
     .entries = (const char **)(uintptr_t)special_names,
     .n_entries = FS_ARRAY_SIZE(special_names)},
};

size_t intel_wl_builtins(const struct intel_warninglist **out)
{
  *out = builtins;
  return FS_ARRAY_SIZE(builtins);
}

/* ---- sets ------------------------------------------------------------------------------------ */

struct wl_meta {
  char *name;
  enum intel_wl_action action;
  enum intel_wl_type type;
  unsigned kinds;
};

struct wl_sub {
  uint32_t list;
  char *s; /* lower case */
  size_t n;
};

struct wl_re {
  uint32_t list;
  pcre2_code *code;
};

struct intel_wl_set {
  struct wl_meta *lists;
  size_t n_lists, cap_lists;
  struct detect_ioc_builder *b;
  struct detect_ioc_index *ix;
  struct wl_sub *subs;
  size_t n_subs, cap_subs;
  struct wl_re *res;
  size_t n_res, cap_res;
  pcre2_match_context *limits;  /* a bound on the work of one expression on one value */
  unsigned sub_kinds, re_kinds; /* kinds some substring or expression applies to */
  /* Substrings are found by hashing each window of a value whose length is that of some entry
   * for its kind (a few hundred lookups for an e-mail address, where trying 8,000 entries of
   * MISP's disposable-email list one by one took most of a run): a table of the entries by the
   * hash of their bytes (index + 1, 0 empty), and the distinct lengths per kind. */
  uint32_t *sub_table;
  size_t sub_mask;
  uint16_t *sub_lens[INTEL_OBS__COUNT];
  size_t n_sub_lens[INTEL_OBS__COUNT];
};

struct intel_wl_set *intel_wl_set_new(void)
{
  struct intel_wl_set *s = calloc(1, sizeof(*s));
  if (s &&
      (!(s->b = detect_ioc_builder_new()) || !(s->limits = pcre2_match_context_create(NULL)))) {
    detect_ioc_builder_free(s->b);
    free(s);
    return NULL;
  }
  /* An expression from an imported list may backtrack badly: it then simply does not match. */
  if (s) {
    pcre2_set_match_limit(s->limits, 100000);
    pcre2_set_depth_limit(s->limits, 1000);
  }
  return s;
}

void intel_wl_set_free(struct intel_wl_set *s)
{
  if (!s)
    return;
  for (size_t i = 0; i < s->n_lists; i++)
    free(s->lists[i].name);
  free(s->lists);
  for (size_t i = 0; i < s->n_subs; i++)
    free(s->subs[i].s);
  free(s->sub_table);
  for (int k = 0; k < INTEL_OBS__COUNT; k++)
    free(s->sub_lens[k]);
  free(s->subs);
  for (size_t i = 0; i < s->n_res; i++)
    pcre2_code_free(s->res[i].code);
  free(s->res);
  pcre2_match_context_free(s->limits);
  detect_ioc_builder_free(s->b);
  detect_ioc_index_free(s->ix);
  free(s);
}

size_t intel_wl_set_count(const struct intel_wl_set *s)
{
  return s ? s->n_lists : 0;
}

/* MISP writes expressions as PHP does: "/expression/flags". */
static pcre2_code *compile_regex(const char *e)
{
  size_t n = strlen(e);
  uint32_t opts = PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C;
  const char *body = e;
  size_t bl = n;
  if (n >= 2 && e[0] == '/') {
    const char *end = strrchr(e, '/');
    if (end == e)
      return NULL;
    body = e + 1;
    bl = (size_t)(end - e) - 1;
    for (const char *f = end + 1; *f; f++) {
      if (*f == 'i')
        opts |= PCRE2_CASELESS;
      else if (*f == 'm')
        opts |= PCRE2_MULTILINE;
      else if (*f == 's')
        opts |= PCRE2_DOTALL;
      else if (*f == 'x')
        opts |= PCRE2_EXTENDED;
      else if (*f != 'g' && *f != 'u')
        return NULL;
    }
  }
  int ec;
  PCRE2_SIZE off;
  if (bl > 4096)
    return NULL;
  return pcre2_compile((PCRE2_SPTR)body, bl, opts, &ec, &off, NULL);
}

/* One entry of a string list as the values it is compared with are written: canonicalised when
 * it is a value of one of the kinds the hub knows, else lower case. */
static size_t string_entry(const char *e, char *out)
{
  enum intel_obs k = INTEL_OBS_NONE;
  size_t n = intel_canon(&k, e, strlen(e), out, "", NULL);
  if (n)
    return n;
  n = strlen(e);
  if (!n || n > INTEL_CANON_MAX)
    return 0;
  for (size_t i = 0; i < n; i++)
    out[i] = (char)(e[i] >= 'A' && e[i] <= 'Z' ? e[i] + 32 : e[i]);
  out[n] = '\0';
  return n;
}

int intel_wl_set_add(struct intel_wl_set *s, const struct intel_warninglist *l,
                     enum intel_wl_action act, size_t *skipped, struct fs_err *err)
{
  size_t bad = 0;
  if (act == INTEL_WL_OFF) {
    if (skipped)
      *skipped = 0;
    return FS_OK;
  }
  if (s->ix)
    return fs_err_set(err, FS_ERR_INTERNAL, "warninglist", "the set is finished");
  if (FS_VEC_GROW(s->lists, s->n_lists, s->cap_lists, 16))
    return fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
  uint32_t idx = (uint32_t)s->n_lists;
  struct wl_meta *m = &s->lists[s->n_lists];
  if (!(m->name = strdup(l->name)))
    return fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
  m->action = act;
  m->type = l->type;
  m->kinds = l->kinds;
  s->n_lists++;
  char source[16];
  snprintf(source, sizeof(source), "%u", idx);
  char canon[INTEL_CANON_MAX + 1];
  for (size_t i = 0; i < l->n_entries; i++) {
    const char *e = l->entries[i];
    size_t n = strlen(e);
    struct detect_ioc_spec spec = {.valid_from = DETECT_TIME_NONE_FROM,
                                   .valid_until = DETECT_TIME_NONE_UNTIL,
                                   .source_id = source};
    bool index = true;
    switch (l->type) {
    case INTEL_WL_STRING:
      spec.type = DETECT_IOC_STRING;
      n = string_entry(e, canon);
      e = canon;
      break;
    case INTEL_WL_HOSTNAME:
      while (n && *e == '.') { /* ".example.com": the domain and its subdomains */
        e++;
        n--;
      }
      spec.type = DETECT_IOC_DOMAIN;
      break;
    case INTEL_WL_CIDR: {
      struct detect_ip ip;
      spec.type = detect_ip_parse(e, n, true, &ip) && ip.v6 ? DETECT_IOC_IPV6 : DETECT_IOC_IPV4;
      break;
    }
    case INTEL_WL_SUBSTRING:
      index = false;
      if (!n || FS_VEC_GROW(s->subs, s->n_subs, s->cap_subs, 64)) {
        bad += n ? 0 : 1;
        if (n)
          return fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
        continue;
      }
      s->subs[s->n_subs].list = idx;
      s->subs[s->n_subs].n = n;
      if (!(s->subs[s->n_subs].s = strdup(e)))
        return fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
      for (size_t k = 0; k < n; k++)
        if (s->subs[s->n_subs].s[k] >= 'A' && s->subs[s->n_subs].s[k] <= 'Z')
          s->subs[s->n_subs].s[k] += 32;
      s->n_subs++;
      s->sub_kinds |= l->kinds;
      continue;
    case INTEL_WL_REGEX: {
      index = false;
      pcre2_code *code = compile_regex(e);
      if (!code) {
        bad++;
        continue;
      }
      if (FS_VEC_GROW(s->res, s->n_res, s->cap_res, 8)) {
        pcre2_code_free(code);
        return fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
      }
      s->res[s->n_res].list = idx;
      s->res[s->n_res++].code = code;
      s->re_kinds |= l->kinds;
      continue;
    }
    }
    if (!index)
      continue;
    if (!n) {
      bad++;
      continue;
    }
    spec.value = e;
    spec.value_len = n;
    struct fs_err e2;
    int rc = detect_ioc_builder_add(s->b, &spec, &e2);
    if (rc == FS_ERR_INVALID)
      bad++;
    else if (rc) {
      if (err)
        *err = e2;
      return rc;
    }
  }
  if (skipped)
    *skipped = bad;
  return FS_OK;
}

static int cmp_u16(const void *a, const void *b)
{
  return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int index_substrings(struct intel_wl_set *s, struct fs_err *err)
{
  if (!s->n_subs)
    return FS_OK;
  size_t size = 64;
  while (size < 2 * s->n_subs)
    size *= 2;
  if (!(s->sub_table = calloc(size, sizeof(*s->sub_table))))
    return fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
  s->sub_mask = size - 1;
  for (size_t i = 0; i < s->n_subs; i++) {
    size_t slot = (size_t)detect_hash(s->subs[i].s, s->subs[i].n, 0) & s->sub_mask;
    while (s->sub_table[slot])
      slot = (slot + 1) & s->sub_mask;
    s->sub_table[slot] = (uint32_t)i + 1;
  }
  for (int k = 1; k < INTEL_OBS__COUNT; k++) {
    uint16_t *lens = NULL;
    size_t n = 0;
    for (size_t i = 0; i < s->n_subs; i++) {
      if (!(s->lists[s->subs[i].list].kinds & KIND(k)) || s->subs[i].n > INTEL_CANON_MAX)
        continue;
      bool seen = false;
      for (size_t j = 0; j < n && !seen; j++)
        seen = lens[j] == s->subs[i].n;
      if (seen)
        continue;
      uint16_t *p = realloc(lens, (n + 1) * sizeof(*p));
      if (!p) {
        free(lens);
        return fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
      }
      lens = p;
      lens[n++] = (uint16_t)s->subs[i].n;
    }
    if (n > 1)
      qsort(lens, n, sizeof(*lens), cmp_u16);
    s->sub_lens[k] = lens;
    s->n_sub_lens[k] = n;
  }
  return FS_OK;
}

int intel_wl_set_finish(struct intel_wl_set *s, struct fs_err *err)
{
  if (s->ix)
    return FS_OK;
  int rc = index_substrings(s, err);
  if (rc)
    return rc;
  s->ix = detect_ioc_builder_finish(s->b);
  s->b = NULL;
  return s->ix ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
}

struct match_ctx {
  const struct intel_wl_set *s;
  unsigned kind_bit;
  int plen; /* the value's prefix length (ranges), -1 for others */
  int best; /* the list found, -1 for none */
};

static void consider(struct match_ctx *m, uint32_t list)
{
  const struct wl_meta *l = &m->s->lists[list];
  if (!(l->kinds & m->kind_bit))
    return;
  if (m->best < 0 || (l->action == INTEL_WL_BLOCK && m->s->lists[m->best].action != INTEL_WL_BLOCK))
    m->best = (int)list;
}

static int on_hit(void *arg, const struct detect_ioc_hit *hit)
{
  struct match_ctx *m = arg;
  struct detect_ioc_info info;
  detect_ioc_describe(m->s->ix, hit->entry, &info);
  unsigned long list = strtoul(info.source_id, NULL, 10);
  if (list >= m->s->n_lists)
    return 0;
  if (m->plen >= 0 && (hit->type == DETECT_IOC_IPV4 || hit->type == DETECT_IOC_IPV6)) {
    /* A range is on a list when the whole range is: the list's prefix is no longer. */
    const char *slash = strchr(info.value, '/');
    int lp = slash ? atoi(slash + 1) : hit->type == DETECT_IOC_IPV4 ? 32 : 128;
    if (lp > m->plen)
      return 0;
  }
  consider(m, (uint32_t)list);
  return 0;
}

bool intel_wl_set_match(const struct intel_wl_set *s, enum intel_obs t, const char *value,
                        struct intel_wl_hit *hit)
{
  if (!s || !s->ix || t <= INTEL_OBS_NONE || t >= INTEL_OBS__COUNT)
    return false;
  struct match_ctx m = {s, KIND(t), -1, -1};
  struct detect_ioc_query q = {.org = DETECT_ORG_UNRESTRICTED, .at_ms = 0};
  size_t n = strlen(value);
  detect_ioc_match_string(s->ix, value, n, &q, on_hit, &m);
  /* Hostnames and ranges: the host of the value, never a name elsewhere in it. */
  const char *host = value;
  size_t hl = n;
  if (t == INTEL_OBS_URL && !detect_url_host(value, n, &host, &hl))
    hl = 0;
  if (t == INTEL_OBS_EMAIL) {
    const char *at = strrchr(value, '@');
    host = at ? at + 1 : value;
    hl = at ? strlen(host) : 0;
  }
  if (t == INTEL_OBS_IPV4 || t == INTEL_OBS_IPV6) {
    const char *slash = strchr(value, '/');
    m.plen = slash ? atoi(slash + 1) : t == INTEL_OBS_IPV4 ? 32 : 128;
    hl = slash ? (size_t)(slash - value) : n;
  }
  if (hl && (t == INTEL_OBS_DOMAIN || t == INTEL_OBS_URL || t == INTEL_OBS_EMAIL ||
             t == INTEL_OBS_IPV4 || t == INTEL_OBS_IPV6))
    detect_ioc_match_text(s->ix, host, hl, &q, on_hit, &m);
  /* String lists of names (top sites) that apply to URLs name their hosts, as in MISP. */
  if (hl && t == INTEL_OBS_URL)
    detect_ioc_match_string(s->ix, host, hl, &q, on_hit, &m);
  if (s->sub_kinds & m.kind_bit) {
    char low[INTEL_CANON_MAX + 1];
    size_t ln = FS_MIN(n, (size_t)INTEL_CANON_MAX);
    for (size_t i = 0; i < ln; i++)
      low[i] = (char)(value[i] >= 'A' && value[i] <= 'Z' ? value[i] + 32 : value[i]);
    low[ln] = '\0';
    for (size_t l = 0; l < s->n_sub_lens[t] && s->sub_lens[t][l] <= ln; l++) {
      size_t w = s->sub_lens[t][l];
      for (size_t at = 0; at + w <= ln; at++) {
        size_t slot = (size_t)detect_hash(low + at, w, 0) & s->sub_mask;
        for (uint32_t v; (v = s->sub_table[slot]); slot = (slot + 1) & s->sub_mask) {
          const struct wl_sub *e = &s->subs[v - 1];
          if (e->n == w && (s->lists[e->list].kinds & m.kind_bit) && !memcmp(e->s, low + at, w))
            consider(&m, e->list);
        }
      }
    }
  }
  if (s->re_kinds & m.kind_bit) {
    for (size_t i = 0; i < s->n_res; i++) {
      if (!(s->lists[s->res[i].list].kinds & m.kind_bit))
        continue;
      pcre2_match_data *md = pcre2_match_data_create_from_pattern(s->res[i].code, NULL);
      if (!md)
        break;
      int r = pcre2_match(s->res[i].code, (PCRE2_SPTR)value, n, 0, 0, md, s->limits);
      pcre2_match_data_free(md);
      if (r >= 0)
        consider(&m, s->res[i].list);
    }
  }
  if (m.best < 0)
    return false;
  if (hit) {
    hit->list = s->lists[m.best].name;
    hit->action = s->lists[m.best].action;
  }
  return true;
}
