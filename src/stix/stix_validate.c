/* The validation entry point: size limits, type and id, the common properties of each kind
 * (spec section 3.2), object and granular markings, extensions, then the type's own table. */
#include "stix/stix_int.h"

#include "core/i18n.h"

#include <stdio.h>
#include <string.h>

void stix_limits_default(struct stix_limits *l)
{
  l->max_bytes = 32u << 20;
  l->max_objects = 50000;
  l->max_depth = 32;
  l->max_string = 8u << 20;
  l->max_pattern = 64u << 10;
}

void stix_limits_fill(struct stix_limits *out, const struct stix_limits *in)
{
  stix_limits_default(out);
  if (!in)
    return;
  if (in->max_bytes)
    out->max_bytes = in->max_bytes;
  if (in->max_objects)
    out->max_objects = in->max_objects;
  if (in->max_depth)
    out->max_depth = in->max_depth;
  if (in->max_string)
    out->max_string = in->max_string;
  if (in->max_pattern)
    out->max_pattern = in->max_pattern;
}

/* Columns of the common-property table. */
enum { K_SDO, K_SRO, K_SCO, K_EXT, K_LANG, K_MARK, K_N };
enum { NA = 0, OPT, REQ };

static const struct {
  const char *name;
  unsigned char use[K_N];
} commons[] = {
    {"spec_version", {REQ, REQ, OPT, REQ, REQ, REQ}},
    {"created_by_ref", {OPT, OPT, NA, REQ, OPT, OPT}},
    {"created", {REQ, REQ, NA, REQ, REQ, REQ}},
    {"modified", {REQ, REQ, NA, REQ, REQ, NA}},
    {"revoked", {OPT, OPT, NA, OPT, OPT, NA}},
    {"labels", {OPT, OPT, NA, OPT, OPT, NA}},
    {"confidence", {OPT, OPT, NA, NA, OPT, NA}},
    {"lang", {OPT, OPT, NA, NA, NA, NA}},
    {"external_references", {OPT, OPT, NA, OPT, OPT, OPT}},
    {"object_marking_refs", {OPT, OPT, OPT, OPT, OPT, OPT}},
    {"granular_markings", {OPT, OPT, OPT, OPT, OPT, OPT}},
    {"defanged", {NA, NA, OPT, NA, NA, NA}},
    {"extensions", {OPT, OPT, OPT, NA, OPT, OPT}},
};

static const char *const common_names[] = {"type",
                                           "id",
                                           "spec_version",
                                           "created_by_ref",
                                           "created",
                                           "modified",
                                           "revoked",
                                           "labels",
                                           "confidence",
                                           "lang",
                                           "external_references",
                                           "object_marking_refs",
                                           "granular_markings",
                                           "defanged",
                                           "extensions",
                                           NULL};

static const char *const t_identity[] = {"identity", NULL};
static const char *const t_marking[] = {"marking-definition", NULL};

/* ---- Limits: depth, string sizes, NUL characters ---- */

static bool walk_limits(struct vctx *v, const json_t *x, size_t depth)
{
  if (depth > v->lim->max_depth) {
    v_error(v, "nested deeper than %zu levels", v->lim->max_depth);
    return false;
  }
  if (json_is_string(x)) {
    size_t n = json_string_length(x);
    if (n > v->lim->max_string) {
      v_error(v, "string longer than %zu bytes", v->lim->max_string);
      return false;
    }
    if (memchr(json_string_value(x), '\0', n)) {
      v_error(v, "string contains a NUL character");
      return false;
    }
  } else if (json_is_array(x)) {
    size_t i;
    const json_t *e;
    json_array_foreach(x, i, e)
    {
      size_t old = v_push_index(v, i);
      bool ok = walk_limits(v, e, depth + 1);
      v_pop(v, old);
      if (!ok)
        return false;
    }
  } else if (json_is_object(x)) {
    const char *k;
    const json_t *e;
    json_object_foreach(JSON_MUT(x), k, e)
    {
      size_t old = v_push(v, k);
      bool ok = walk_limits(v, e, depth + 1);
      v_pop(v, old);
      if (!ok)
        return false;
    }
  }
  return true;
}

/* ---- Markings ---- */

static void check_selector(struct vctx *v, const char *sel)
{
  const json_t *cur = v->obj;
  const char *p = sel;
  if (!*sel) {
    v_error(v, "empty selector");
    return;
  }
  while (*p) {
    const char *end = strchr(p, '.');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    char comp[256];
    if (n == 0 || n >= sizeof(comp)) {
      v_error(v, "selector \"%.60s\" has an empty or oversized component", sel);
      return;
    }
    memcpy(comp, p, n);
    comp[n] = '\0';
    if (comp[0] == '[') {
      size_t idx = 0, i = 1;
      for (; comp[i] >= '0' && comp[i] <= '9' && idx < 100000000; i++)
        idx = idx * 10 + (size_t)(comp[i] - '0');
      if (i == 1 || comp[i] != ']' || comp[i + 1]) {
        v_error(v, "selector \"%.60s\": \"%.20s\" is not a list index [N]", sel, comp);
        return;
      }
      if (!json_is_array(cur) || idx >= json_array_size(cur)) {
        v_error(v, "selector \"%.60s\" does not resolve: no item %s", sel, comp);
        return;
      }
      cur = json_array_get(cur, idx);
    } else {
      const json_t *next = json_is_object(cur) ? json_object_get(cur, comp) : NULL;
      if (!next) {
        v_error(v, "selector \"%.60s\" does not resolve: no property \"%.40s\"", sel, comp);
        return;
      }
      cur = next;
    }
    p += n;
    if (*p == '.')
      p++;
  }
}

static void check_granular_markings(struct vctx *v, const json_t *val)
{
  if (!json_is_array(val) || json_array_size(val) == 0) {
    v_error(v, "must be a non-empty list of granular markings");
    return;
  }
  static const struct stix_prop props[] = {
      {.name = "selectors", .type = PT_STRINGS, .required = true},
      {.name = "marking_ref", .type = PT_REF, .targets = t_marking},
      {.name = "lang", .type = PT_STRING},
      {.name = NULL}};
  static const struct stix_obj_spec spec = {props, false, NULL};
  size_t i;
  const json_t *gm;
  json_array_foreach(val, i, gm)
  {
    size_t old = v_push_index(v, i);
    if (!json_is_object(gm)) {
      v_error(v, "must be an object");
      v_pop(v, old);
      continue;
    }
    check_object(v, &spec, gm);
    const char *ref = stix_str(gm, "marking_ref");
    bool has_lang = json_object_get(gm, "lang") != NULL;
    if (!!json_object_get(gm, "marking_ref") == has_lang)
      v_error(v, "exactly one of marking_ref and lang must be present");
    if (ref && v->id && !strcmp(ref, v->id))
      v_error(v, "a marking definition must not mark itself (circular reference)");
    const json_t *sels = json_object_get(gm, "selectors");
    size_t j;
    const json_t *s;
    json_array_foreach(sels, j, s)
    {
      if (!json_is_string(s))
        continue;
      size_t o2 = v_push(v, "selectors");
      size_t o3 = v_push_index(v, j);
      check_selector(v, json_string_value(s));
      v_pop(v, o3);
      v_pop(v, o2);
    }
    v_pop(v, old);
  }
}

/* ---- Extensions ---- */

static void check_extension_props(struct vctx *v, const json_t *ext)
{
  const char *k;
  const json_t *x;
  json_object_foreach(JSON_MUT(ext), k, x)
  {
    if (!strcmp(k, "extension_type"))
      continue;
    size_t old = v_push(v, k);
    check_custom_property(v, k, x);
    v_pop(v, old);
  }
}

static bool custom_ext_name_valid(const char *k)
{
  size_t n = strlen(k);
  if (n < 3 || n > 250 || n < 4 || strcmp(k + n - 4, "-ext"))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '-'))
      return false;
  return true;
}

static void check_extensions(struct vctx *v, const struct stix_type_spec *t, const json_t *val)
{
  static const char *const ext_types[] = {
      "new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension", NULL};
  static const struct stix_prop ext_type_prop = {
      .name = "extension_type", .type = PT_ENUM, .targets = ext_types};
  if (!json_is_object(val) || json_object_size(val) == 0) {
    v_error(v, "must be a non-empty dictionary of extensions");
    return;
  }
  const char *k;
  const json_t *ext;
  json_object_foreach(JSON_MUT(val), k, ext)
  {
    size_t old = v_push(v, k);
    const struct stix_ext_spec *pre = NULL;
    for (const struct stix_ext_spec *e = t ? t->exts : NULL; e && e->name && !pre; e++)
      if (!strcmp(e->name, k))
        pre = e;
    const json_t *et = json_object_get(ext, "extension_type");
    if (!json_is_object(ext) || json_object_size(ext) == 0) {
      v_error(v, "an extension must be a non-empty object");
    } else if (!strncmp(k, "extension-definition--", 22)) {
      if (!stix_id_valid(k, strlen(k), NULL))
        v_error(v, "extension key is not a valid extension-definition id");
      size_t o2 = v_push(v, "extension_type");
      if (!et)
        v_error(v, "required for extensions defined by an extension-definition");
      else
        check_value(v, &ext_type_prop, et);
      v_pop(v, o2);
      check_extension_props(v, ext);
    } else if (pre) {
      if (et)
        v_warn(v, "a predefined extension does not take extension_type");
      const char *const skip[] = {"extension_type", NULL};
      check_object_skip(v, pre->spec, ext, skip);
    } else if (v->kind == STIX_SCO && custom_ext_name_valid(k)) {
      check_extension_props(v, ext); /* a custom SCO extension (deprecated mechanism) */
    } else if (v->kind == STIX_SCO) {
      v_error(v, "extension name must be a predefined extension, an extension-definition id, "
                 "or a custom name of [a-z0-9-] ending in -ext");
    } else {
      v_error(v, "extension key must be an extension-definition id");
    }
    v_pop(v, old);
  }
}

/* ---- Common properties ---- */

static bool lang_valid(const char *s)
{
  /* RFC 5646 shape: subtags of 1..8 alphanumerics separated by '-', the first alphabetic. */
  size_t run = 0, i = 0;
  for (; s[i]; i++) {
    char c = s[i];
    if (c == '-') {
      if (run == 0)
        return false;
      run = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (i > 0 && c >= '0' && c <= '9')) {
      if (++run > 8)
        return false;
    } else {
      return false;
    }
  }
  return i > 0 && run > 0;
}

static void check_common(struct vctx *v, const char *name, const json_t *val,
                         const struct stix_type_spec *t)
{
  static const struct stix_prop created_by = {
      .name = "created_by_ref", .type = PT_REF, .targets = t_identity};
  static const struct stix_prop marking_refs = {
      .name = "object_marking_refs", .type = PT_REFS, .targets = t_marking};
  static const struct stix_prop generic[] = {
      {.name = "revoked", .type = PT_BOOL},
      {.name = "defanged", .type = PT_BOOL},
      {.name = "labels", .type = PT_STRINGS},
      {.name = "confidence", .type = PT_INT, .ranged = true, .min = 0, .max = 100},
      {.name = "external_references", .type = PT_EXTREFS},
      {.name = NULL}};
  if (!strcmp(name, "spec_version")) {
    if (!json_is_string(val) || strcmp(json_string_value(val), "2.1"))
      v_error(v, "must be \"2.1\" (only STIX 2.1 is accepted)");
  } else if (!strcmp(name, "created") || !strcmp(name, "modified")) {
    unsigned digits;
    if (!json_is_string(val) ||
        !stix_timestamp_valid(json_string_value(val), json_string_length(val), &digits)) {
      v_error(v, "must be a timestamp YYYY-MM-DDTHH:MM:SS[.s+]Z");
    } else {
      *(name[0] == 'c' ? &v->created : &v->modified) = json_string_value(val);
      if (digits < 3)
        v_warn(v, "should have at least millisecond precision");
    }
  } else if (!strcmp(name, "created_by_ref")) {
    check_value(v, &created_by, val);
  } else if (!strcmp(name, "object_marking_refs")) {
    check_value(v, &marking_refs, val);
    size_t i;
    const json_t *r;
    json_array_foreach(val, i,
                       r) if (v->id && json_is_string(r) && !strcmp(json_string_value(r), v->id))
        v_error(v, "a marking definition must not mark itself (circular reference)");
  } else if (!strcmp(name, "granular_markings")) {
    check_granular_markings(v, val);
  } else if (!strcmp(name, "extensions")) {
    check_extensions(v, t, val);
  } else if (!strcmp(name, "lang")) {
    if (!json_is_string(val) || !lang_valid(json_string_value(val)))
      v_error(v, "must be an RFC 5646 language code");
  } else {
    for (const struct stix_prop *p = generic; p->name; p++)
      if (!strcmp(p->name, name))
        check_value(v, p, val);
  }
}

static int kind_column(const struct vctx *v)
{
  switch (v->kind) {
  case STIX_SRO:
    return K_SRO;
  case STIX_SCO:
    return K_SCO;
  case STIX_META:
    return !strcmp(v->type, "language-content")     ? K_LANG
           : !strcmp(v->type, "marking-definition") ? K_MARK
                                                    : K_EXT;
  default:
    return K_SDO;
  }
}

static void check_commons(struct vctx *v, const struct stix_type_spec *t)
{
  int col = kind_column(v);
  for (size_t i = 0; i < FS_ARRAY_SIZE(commons); i++) {
    const json_t *val = json_object_get(v->obj, commons[i].name);
    size_t old = v_push(v, commons[i].name);
    int use = commons[i].use[col];
    if (!val) {
      if (use == REQ)
        v_error(v, "required property is missing");
    } else {
      if (use == NA && !strcmp(commons[i].name, "defanged"))
        v_error(v, "must not be used on objects other than SCOs");
      else if (use == NA)
        v_warn(v, "is not a property of this kind of object");
      check_common(v, commons[i].name, val, t);
    }
    v_pop(v, old);
  }
  if (v->created && v->modified && stix_timestamp_cmp(v->modified, v->created) < 0) {
    size_t old = v_push(v, "modified");
    v_error(v, "must be later than or equal to created");
    v_pop(v, old);
  }
}

/* The kind of a custom object: from its extension_type when an extension-definition made it,
 * else an SDO when it carries versioning times, else an SCO. */
static enum stix_kind custom_kind(const json_t *o)
{
  const json_t *exts = json_object_get(o, "extensions");
  const char *k;
  const json_t *e;
  if (json_is_object(exts)) {
    json_object_foreach(JSON_MUT(exts), k, e)
    {
      const char *et = stix_str(e, "extension_type");
      if (!et)
        continue;
      if (!strcmp(et, "new-sdo"))
        return STIX_SDO;
      if (!strcmp(et, "new-sro"))
        return STIX_SRO;
      if (!strcmp(et, "new-sco"))
        return STIX_SCO;
    }
  }
  return json_object_get(o, "created") || json_object_get(o, "modified") ? STIX_SDO : STIX_SCO;
}

static void validate(struct vctx *v, const json_t *obj)
{
  if (!json_is_object(obj)) {
    v_error(v, "a STIX object must be a JSON object");
    return;
  }
  if (!walk_limits(v, obj, 1))
    return;
  const json_t *type = json_object_get(obj, "type");
  const json_t *id = json_object_get(obj, "id");
  size_t old = v_push(v, "type");
  if (!type)
    v_error(v, "required property is missing");
  else if (!json_is_string(type) ||
           !stix_type_valid(json_string_value(type), json_string_length(type)))
    v_error(v, "must be 3..250 of [a-z0-9-], starting with a letter, without \"--\"");
  else
    v->type = json_string_value(type);
  v_pop(v, old);
  if (v->type && !strcmp(v->type, "bundle")) {
    v_error(v, "a bundle is not a STIX object");
    return;
  }
  old = v_push(v, "id");
  size_t tl;
  if (!id) {
    v_error(v, "required property is missing");
  } else if (!json_is_string(id) ||
             !stix_id_valid(json_string_value(id), json_string_length(id), &tl)) {
    v_error(v, "must be <type>--<UUID> with an RFC 4122 UUID of version 1 to 5");
  } else if (v->type && (strlen(v->type) != tl || memcmp(v->type, json_string_value(id), tl))) {
    v_error(v, "the id's type prefix must be the object's type \"%s\"", v->type);
  } else {
    v->id = json_string_value(id);
    snprintf(v->rep->id, sizeof(v->rep->id), "%s", v->id);
  }
  v_pop(v, old);
  if (!v->type)
    return;

  const struct stix_type_spec *t = stix_type_spec(v->type);
  v->kind = t ? t->kind : custom_kind(obj);
  check_commons(v, t);
  if (t) {
    check_object_skip(v, &t->spec, obj, common_names);
    if (t->kind == STIX_SCO && v->id)
      stix_check_sco_id(v, t, obj);
  } else {
    /* A custom object: every non-common property is a custom property. */
    static const struct stix_prop none[] = {{.name = NULL}};
    static const struct stix_obj_spec spec = {none, false, NULL};
    check_object_skip(v, &spec, obj, common_names);
    if (json_object_size(obj) <= 2)
      v_error(v, "a custom object must have properties besides type and id");
  }
}

int stix_validate_full(const json_t *obj, const struct stix_limits *lim, struct stix_report *rep,
                       struct stix_pattern *pattern, bool *kept)
{
  struct stix_limits l;
  stix_limits_fill(&l, lim);
  memset(rep, 0, sizeof(*rep));
  struct vctx v = {.obj = obj, .lim = &l, .rep = rep, .pattern = pattern};
  validate(&v, obj);
  if (kept)
    *kept = v.pattern_kept;
  return rep->n_errors ? FS_ERR_INVALID : FS_OK;
}

int stix_validate(const json_t *obj, const struct stix_limits *lim, struct stix_report *rep)
{
  return stix_validate_full(obj, lim, rep, NULL, NULL);
}

size_t stix_finding_format(const struct stix_report *rep, size_t i, bool zh, char *out, size_t n)
{
  if (i >= rep->n) {
    if (n)
      out[0] = '\0';
    return 0;
  }
  const struct stix_finding *f = &rep->items[i];
  const char *who = rep->id[0] ? rep->id : zh ? "物件" : "object";
  const char *msg = fs_msg_pick(f->msg, f->msg_zh, zh);
  int w = f->path[0] ? snprintf(out, n, zh ? "%s：%s：%s" : "%s: %s: %s", who, f->path, msg)
                     : snprintf(out, n, zh ? "%s：%s" : "%s: %s", who, msg);
  return w < 0 ? 0 : (size_t)w;
}
