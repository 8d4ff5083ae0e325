/* Generic STIX checks shared by every type: findings and paths, identifiers and references,
 * property value types, hashes, dictionaries, external references, kill chain phases, custom
 * properties, and the small syntax checks (hex, base64, IP/CIDR). */
#include "stix/stix_int.h"

#include "core/i18n.h"
#include "core/uuid.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define INT53 9007199254740991LL

/* ---- Findings and paths ---- */

static void add_finding(struct vctx *v, enum stix_severity sev, const char *fmt, va_list ap)
    FS_PRINTF(3, 0);

static void add_finding(struct vctx *v, enum stix_severity sev, const char *fmt, va_list ap)
{
  struct stix_report *r = v->rep;
  if (sev == STIX_ERROR)
    r->n_errors++;
  else
    r->n_warnings++;
  size_t slot = r->n;
  if (slot >= STIX_MAX_FINDINGS) {
    /* Full: an error may take the place of the last warning kept. */
    if (sev != STIX_ERROR)
      return;
    size_t i = STIX_MAX_FINDINGS;
    while (i > 0 && r->items[i - 1].severity != STIX_WARNING)
      i--;
    if (i == 0)
      return;
    slot = i - 1;
    memmove(&r->items[slot], &r->items[slot + 1],
            (STIX_MAX_FINDINGS - slot - 1) * sizeof(r->items[0]));
    slot = STIX_MAX_FINDINGS - 1;
  } else {
    r->n++;
  }
  struct stix_finding *f = &r->items[slot];
  f->severity = sev;
  snprintf(f->path, sizeof(f->path), "%s", v->path);
  fs_msg_vformat(f->msg, sizeof(f->msg), f->msg_zh, sizeof(f->msg_zh), fmt, ap);
}

void v_error(struct vctx *v, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  add_finding(v, STIX_ERROR, fmt, ap);
  va_end(ap);
}

void v_warn(struct vctx *v, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  add_finding(v, STIX_WARNING, fmt, ap);
  va_end(ap);
}

/* Paths are built on every step of the walk, so without snprintf: a copy, truncated to fit. */
size_t v_push(struct vctx *v, const char *key)
{
  size_t old = v->plen, room = sizeof(v->path) - 1 - old, n = 0;
  if (old && room) {
    v->path[old + n++] = '.';
    room--;
  }
  size_t klen = strlen(key);
  if (klen > room)
    klen = room;
  memcpy(v->path + old + n, key, klen);
  v->plen = old + n + klen;
  v->path[v->plen] = '\0';
  return old;
}

size_t v_push_index(struct vctx *v, size_t i)
{
  size_t old = v->plen;
  char digits[24];
  size_t nd = 0;
  do {
    digits[nd++] = (char)('0' + i % 10);
    i /= 10;
  } while (i);
  if (old + nd + 2 >= sizeof(v->path))
    return old;
  char *p = v->path + old;
  *p++ = '[';
  while (nd)
    *p++ = digits[--nd];
  *p++ = ']';
  *p = '\0';
  v->plen = (size_t)(p - v->path);
  return old;
}

void v_pop(struct vctx *v, size_t len)
{
  v->plen = len;
  v->path[len] = '\0';
}

const char *stix_str(const json_t *o, const char *key)
{
  const json_t *x = json_object_get(o, key);
  return json_is_string(x) ? json_string_value(x) : NULL;
}

/* ---- Names and identifiers ---- */

bool stix_type_valid(const char *s, size_t len)
{
  if (len < 3 || len > 250 || s[0] < 'a' || s[0] > 'z')
    return false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && i + 1 < len && s[i + 1] == '-'))
      return false;
  }
  return true;
}

bool stix_id_valid(const char *s, size_t len, size_t *type_len)
{
  /* The UUID is always the last 36 characters, so a type ending in '-' is still unambiguous. */
  if (len < 3 + 2 + FS_UUID_STRLEN)
    return false;
  size_t tl = len - FS_UUID_STRLEN - 2;
  if (s[tl] != '-' || s[tl + 1] != '-' || !stix_type_valid(s, tl))
    return false;
  if (!fs_uuid_is_rfc4122(s + tl + 2, FS_UUID_STRLEN))
    return false;
  if (type_len)
    *type_len = tl;
  return true;
}

enum stix_kind stix_ref_kind(const char *ref, size_t type_len)
{
  char t[251];
  if (type_len >= sizeof(t))
    return STIX_UNKNOWN;
  memcpy(t, ref, type_len);
  t[type_len] = '\0';
  return stix_type_kind(t);
}

bool stix_custom_name_valid(const char *name)
{
  size_t n = strlen(name);
  if (n < 3 || n > 250)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

static const char *kind_name(enum stix_kind k)
{
  switch (k) {
  case STIX_SDO:
    return "an SDO";
  case STIX_SRO:
    return "an SRO";
  case STIX_SCO:
    return "an SCO";
  case STIX_META:
    return "a meta object";
  case STIX_BUNDLE:
    return "a bundle";
  default:
    return "a custom object";
  }
}

bool check_ref(struct vctx *v, const json_t *val, unsigned tclass, const char *const *targets)
{
  if (!json_is_string(val)) {
    v_error(v, "must be an identifier string");
    return false;
  }
  const char *s = json_string_value(val);
  size_t len = json_string_length(val), tl;
  if (!stix_id_valid(s, len, &tl)) {
    v_error(v, "\"%.60s\" is not an identifier (<type>--<RFC 4122 UUID>)", s);
    return false;
  }
  if (targets) {
    bool ok = false;
    for (const char *const *t = targets; *t && !ok; t++)
      ok = strlen(*t) == tl && !memcmp(*t, s, tl);
    if (!ok) {
      char want[160] = "";
      size_t used = 0;
      for (size_t i = 0; targets[i] && used < sizeof(want); i++)
        used += (size_t)snprintf(want + used, sizeof(want) - used, "%s%s",
                                 i == 0 ? "" : (targets[i + 1] ? ", " : " or "), targets[i]);
      v_error(v, "must refer to an object of type %s, not %.*s", want, (int)FS_MIN(tl, 60), s);
      return true;
    }
  } else if (tclass) {
    enum stix_kind k = stix_ref_kind(s, tl);
    unsigned bit = k == STIX_SDO       ? TC_SDO
                   : k == STIX_SCO     ? TC_SCO
                   : k == STIX_SRO     ? TC_SRO
                   : k == STIX_UNKNOWN ? 0xffu
                                       : TC_META;
    if (!(bit & tclass))
      v_error(v, "must not refer to %s (%.*s)", kind_name(k), (int)FS_MIN(tl, 60), s);
  }
  return true;
}

/* ---- Small syntaxes ---- */

bool stix_hex_valid(const char *s, size_t len, bool *upper)
{
  if (len % 2)
    return false;
  bool up = false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'F')
      up = true;
    else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  }
  if (upper)
    *upper = up;
  return true;
}

static bool b64_char(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

bool stix_base64_valid(const char *s, size_t len, bool lf_ok)
{
  size_t n = 0, pad = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (lf_ok && (c == '\n' || c == '\r'))
      continue;
    if (c == '=') {
      pad++;
    } else {
      if (pad || !b64_char(c))
        return false;
    }
    n++;
  }
  return n % 4 == 0 && pad <= 2;
}

bool stix_ip_parse(const char *s, size_t len, int *family, unsigned char addr[16], int *prefix)
{
  char buf[64];
  if (len == 0 || len >= sizeof(buf))
    return false;
  memcpy(buf, s, len);
  buf[len] = '\0';
  char *slash = strchr(buf, '/');
  if (slash)
    *slash = '\0';
  *family = strchr(buf, ':') ? 6 : 4;
  int max = *family == 4 ? 32 : 128;
  *prefix = max;
  if (slash) {
    const char *p = slash + 1;
    if (!*p || strlen(p) > 3 || (p[0] == '0' && p[1]))
      return false;
    int bits = 0;
    for (; *p; p++) {
      if (*p < '0' || *p > '9')
        return false;
      bits = bits * 10 + (*p - '0');
    }
    if (bits > max)
      return false;
    *prefix = bits;
  }
  memset(addr, 0, 16);
  return inet_pton(*family == 4 ? AF_INET : AF_INET6, buf, addr) == 1;
}

bool stix_ip_cidr_valid(const char *s, size_t len, int want)
{
  int family, prefix;
  unsigned char addr[16];
  return stix_ip_parse(s, len, &family, addr, &prefix) && family == want;
}

/* ---- Hashes, dictionaries, lists ---- */

static bool dict_key_valid(const char *k, size_t min)
{
  size_t n = strlen(k);
  if (n < min || n > 250)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = k[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_'))
      return false;
  }
  return true;
}

void check_hashes(struct vctx *v, const json_t *val)
{
  static const struct {
    const char *name;
    size_t hex_len;
  } known[] = {{"MD5", 32},      {"SHA-1", 40},    {"SHA-256", 64},
               {"SHA-512", 128}, {"SHA3-256", 64}, {"SHA3-512", 128}};
  if (!json_is_object(val) || json_object_size(val) == 0) {
    v_error(v, "must be a non-empty hashes dictionary");
    return;
  }
  const char *k;
  const json_t *h;
  json_object_foreach(JSON_MUT(val), k, h)
  {
    size_t old = v_push(v, k);
    if (!dict_key_valid(k, 3))
      v_error(v, "hash name must be 3..250 of [a-zA-Z0-9_-]");
    if (!json_is_string(h) || json_string_length(h) == 0) {
      v_error(v, "hash value must be a non-empty string");
    } else {
      for (size_t i = 0; i < FS_ARRAY_SIZE(known); i++) {
        if (strcmp(known[i].name, k))
          continue;
        bool upper;
        if (json_string_length(h) != known[i].hex_len ||
            !stix_hex_valid(json_string_value(h), known[i].hex_len, &upper))
          v_error(v, "not a valid %s hash (%zu hex digits expected)", k, known[i].hex_len);
      }
    }
    v_pop(v, old);
  }
}

/* A value of a property nothing describes: no nulls and no empty lists anywhere inside. */
static void check_plain_value(struct vctx *v, const json_t *val)
{
  if (json_is_null(val)) {
    v_error(v, "must not be null");
  } else if (json_is_array(val)) {
    if (json_array_size(val) == 0)
      v_error(v, "empty lists are not allowed; omit the property");
    size_t i;
    const json_t *x;
    json_array_foreach(val, i, x)
    {
      size_t old = v_push_index(v, i);
      check_plain_value(v, x);
      v_pop(v, old);
    }
  } else if (json_is_object(val)) {
    const char *k;
    const json_t *x;
    json_object_foreach(JSON_MUT(val), k, x)
    {
      size_t old = v_push(v, k);
      check_plain_value(v, x);
      v_pop(v, old);
    }
  }
}

static void check_dict(struct vctx *v, const struct stix_prop *p, const json_t *val)
{
  if (!json_is_object(val) || json_object_size(val) == 0) {
    v_error(v, "must be a non-empty dictionary");
    return;
  }
  const char *k;
  const json_t *x;
  json_object_foreach(JSON_MUT(val), k, x)
  {
    size_t old = v_push(v, k);
    if (!dict_key_valid(k, 1))
      v_error(v, "dictionary key must be at most 250 of [a-zA-Z0-9_-]");
    switch (p->dv) {
    case DV_STRING:
      if (!json_is_string(x))
        v_error(v, "must be a string");
      break;
    case DV_STRINGS: {
      bool ok = json_is_array(x) && json_array_size(x) > 0;
      size_t i;
      const json_t *e;
      json_array_foreach(x, i, e) ok = ok && json_is_string(e);
      if (!ok)
        v_error(v, "must be a non-empty list of strings");
      break;
    }
    case DV_INT:
      if (!json_is_integer(x))
        v_error(v, "must be an integer");
      break;
    case DV_INT_OR_STRING:
      if (!json_is_integer(x) && !json_is_string(x))
        v_error(v, "must be an integer or a string");
      break;
    default:
      check_plain_value(v, x);
    }
    v_pop(v, old);
  }
}

static void check_hex_value(struct vctx *v, const json_t *val)
{
  bool upper = false;
  if (!json_is_string(val) ||
      !stix_hex_valid(json_string_value(val), json_string_length(val), &upper))
    v_error(v, "must be an even number of hex digits");
  else if (upper)
    v_warn(v, "hex digits should be lower case");
}

static void check_binary_value(struct vctx *v, const json_t *val)
{
  if (!json_is_string(val) ||
      !stix_base64_valid(json_string_value(val), json_string_length(val), false))
    v_error(v, "must be base64 (RFC 4648, padded)");
}

static void check_enum_value(struct vctx *v, const json_t *val, const char *const *values)
{
  if (json_is_string(val))
    for (const char *const *e = values; *e; e++)
      if (!strcmp(*e, json_string_value(val)))
        return;
  v_error(v, "\"%.40s\" is not a value of its enumeration (e.g. %s)",
          json_is_string(val) ? json_string_value(val) : "", values[0]);
}

static const struct stix_prop kill_chain_props[] = {
    {.name = "kill_chain_name", .type = PT_STRING, .required = true},
    {.name = "phase_name", .type = PT_STRING, .required = true},
    {.name = NULL}};
static const struct stix_obj_spec kill_chain_spec = {kill_chain_props, false, NULL};

static void rule_external_reference(struct vctx *v, const json_t *o)
{
  if (!json_object_get(o, "description") && !json_object_get(o, "url") &&
      !json_object_get(o, "external_id"))
    v_error(v, "needs description, url or external_id besides source_name");
}
static const struct stix_prop extref_props[] = {
    {.name = "source_name", .type = PT_STRING, .required = true},
    {.name = "description", .type = PT_STRING},
    {.name = "url", .type = PT_STRING},
    {.name = "hashes", .type = PT_HASHES},
    {.name = "external_id", .type = PT_STRING},
    {.name = NULL}};
static const struct stix_obj_spec extref_spec = {extref_props, false, rule_external_reference};

static void check_object_list(struct vctx *v, const struct stix_obj_spec *spec, const json_t *val)
{
  if (!json_is_array(val) || json_array_size(val) == 0) {
    v_error(v, "must be a non-empty list of objects");
    return;
  }
  size_t i;
  const json_t *x;
  json_array_foreach(val, i, x)
  {
    size_t old = v_push_index(v, i);
    if (json_is_object(x))
      check_object(v, spec, x);
    else
      v_error(v, "must be an object");
    v_pop(v, old);
  }
}

void check_value(struct vctx *v, const struct stix_prop *p, const json_t *val)
{
  if (json_is_null(val)) {
    v_error(v, "must not be null; omit the property instead");
    return;
  }
  switch (p->type) {
  case PT_STRING:
    if (!json_is_string(val))
      v_error(v, "must be a string");
    break;
  case PT_BOOL:
    if (!json_is_boolean(val))
      v_error(v, "must be true or false");
    break;
  case PT_INT: {
    if (!json_is_integer(val)) {
      v_error(v, "must be an integer");
      break;
    }
    json_int_t x = json_integer_value(val);
    int64_t lo = p->ranged ? p->min : -INT53, hi = p->ranged ? p->max : INT53;
    if (x < lo || x > hi)
      v_error(v, "must be between %lld and %lld", (long long)lo, (long long)hi);
    break;
  }
  case PT_FLOAT:
    if (!json_is_number(val))
      v_error(v, "must be a number");
    else if (p->ranged && (json_number_value(val) < p->fmin || json_number_value(val) > p->fmax))
      v_error(v, "must be between %g and %g", p->fmin, p->fmax);
    break;
  case PT_TIMESTAMP:
    if (!json_is_string(val) ||
        !stix_timestamp_valid(json_string_value(val), json_string_length(val), NULL))
      v_error(v, "must be a timestamp YYYY-MM-DDTHH:MM:SS[.s+]Z");
    break;
  case PT_REF:
    check_ref(v, val, p->tclass, p->targets);
    break;
  case PT_REFS:
  case PT_STRINGS:
  case PT_ENUMS: {
    if (!json_is_array(val) || json_array_size(val) == 0) {
      v_error(v, "must be a non-empty list");
      break;
    }
    size_t i;
    const json_t *x;
    json_array_foreach(val, i, x)
    {
      size_t old = v_push_index(v, i);
      if (p->type == PT_REFS)
        check_ref(v, x, p->tclass, p->targets);
      else if (p->type == PT_ENUMS)
        check_enum_value(v, x, p->targets);
      else if (!json_is_string(x))
        v_error(v, "must be a string");
      v_pop(v, old);
    }
    break;
  }
  case PT_ENUM:
    check_enum_value(v, val, p->targets);
    break;
  case PT_HASHES:
    check_hashes(v, val);
    break;
  case PT_DICT:
    check_dict(v, p, val);
    break;
  case PT_HEX:
    check_hex_value(v, val);
    break;
  case PT_BINARY:
    check_binary_value(v, val);
    break;
  case PT_OBJ:
    if (!json_is_object(val))
      v_error(v, "must be an object");
    else if (p->sub)
      check_object(v, p->sub, val);
    else if (json_object_size(val) == 0)
      v_error(v, "must not be empty");
    break;
  case PT_OBJS:
    check_object_list(v, p->sub, val);
    break;
  case PT_KILLCHAIN:
    check_object_list(v, &kill_chain_spec, val);
    break;
  case PT_EXTREFS:
    check_object_list(v, &extref_spec, val);
    break;
  case PT_RESERVED:
    v_error(v, "is reserved by STIX 2.1 and must not be present");
    break;
  }
}

void check_custom_property(struct vctx *v, const char *name, const json_t *val)
{
  static const char *const reserved[] = {"severity", "username", "phone_number", "action", NULL};
  for (const char *const *r = reserved; *r; r++) {
    if (!strcmp(*r, name)) {
      v_error(v, "is a reserved property name and must not be used");
      return;
    }
  }
  if (!stix_custom_name_valid(name)) {
    v_error(v, "custom property names must be 3..250 of [a-z0-9_]");
    return;
  }
  size_t n = strlen(name);
  if (n > 4 && !strcmp(name + n - 4, "_ref")) {
    check_ref(v, val, 0, NULL);
  } else if (n > 5 && !strcmp(name + n - 5, "_refs")) {
    struct stix_prop p = {.name = name, .type = PT_REFS};
    check_value(v, &p, val);
  } else if (n > 4 && !strcmp(name + n - 4, "_bin")) {
    check_binary_value(v, val);
  } else if (n > 4 && !strcmp(name + n - 4, "_hex")) {
    check_hex_value(v, val);
  } else {
    check_plain_value(v, val);
  }
}

static bool in_list(const char *const *list, const char *s)
{
  for (; list && *list; list++)
    if (!strcmp(*list, s))
      return true;
  return false;
}

void check_object_skip(struct vctx *v, const struct stix_obj_spec *spec, const json_t *o,
                       const char *const *skip)
{
  bool any = false;
  const char *k;
  const json_t *val;
  json_object_foreach(JSON_MUT(o), k, val)
  {
    if (in_list(skip, k))
      continue;
    const struct stix_prop *p = spec->props;
    while (p->name && strcmp(p->name, k))
      p++;
    size_t old = v_push(v, k);
    if (p->name) {
      any = true;
      check_value(v, p, val);
    } else {
      check_custom_property(v, k, val);
    }
    v_pop(v, old);
  }
  for (const struct stix_prop *p = spec->props; p->name; p++) {
    if (p->required && !json_object_get(o, p->name)) {
      size_t old = v_push(v, p->name);
      v_error(v, "required property is missing");
      v_pop(v, old);
    }
  }
  if (spec->at_least_one && !any)
    v_error(v, "must contain at least one property defined for it");
  if (spec->check)
    spec->check(v, o);
}

void check_object(struct vctx *v, const struct stix_obj_spec *spec, const json_t *o)
{
  check_object_skip(v, spec, o, NULL);
}
