/* TLP marking definitions: the standard ids of TLP 2.0 (OASIS extension) and TLP 1.0 (STIX 2.1
 * section 7.2.1.4), the published objects, and the reading of marking definitions. */
#include "stix/tlp.h"

#include "core/jsonx.h"

#include <string.h>
#include <strings.h>

static const struct {
  const char *v2_id;
  const char *v1_id;
  const char *name;
  const char *v1_token;
} levels[] = {
    [TLP_CLEAR] = {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
                   "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:CLEAR",
                   "white"},
    [TLP_GREEN] = {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
                   "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN",
                   "green"},
    [TLP_AMBER] = {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
                   "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER",
                   "amber"},
    [TLP_AMBER_STRICT] = {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", NULL,
                          "TLP:AMBER+STRICT", NULL},
    [TLP_RED] = {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
                 "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED", "red"},
};

/* The tokens (the tlp_2_0 values), in rank order from TLP_LEVEL_MIN. */
const char *const stix_tlp_tokens[] = {"clear", "green", "amber", "amber+strict", "red", NULL};

#define TLP2_CREATED "2022-10-01T00:00:00.000Z"
/* The identity that created the TLP 2.0 extension definition (OASIS CTI TC's common objects). */
#define TLP2_EXT_CREATOR "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01"

static bool valid_level(enum tlp_level l)
{
  return l >= TLP_LEVEL_MIN && l <= TLP_LEVEL_MAX;
}

enum tlp_level stix_tlp_from_marking_id(const char *id, bool *v1)
{
  if (v1)
    *v1 = false;
  if (!id)
    return TLP_NONE;
  for (int l = TLP_LEVEL_MIN; l <= TLP_LEVEL_MAX; l++) {
    if (!strcmp(levels[l].v2_id, id))
      return (enum tlp_level)l;
    if (levels[l].v1_id && !strcmp(levels[l].v1_id, id)) {
      if (v1)
        *v1 = true;
      return (enum tlp_level)l;
    }
  }
  return TLP_NONE;
}

const char *stix_tlp_marking_id(enum tlp_level level)
{
  return valid_level(level) ? levels[level].v2_id : NULL;
}

const char *stix_tlp_v1_marking_id(enum tlp_level level)
{
  return valid_level(level) ? levels[level].v1_id : NULL;
}

const char *stix_tlp_name(enum tlp_level level)
{
  return valid_level(level) ? levels[level].name : "";
}

const char *stix_tlp_token(enum tlp_level level)
{
  return valid_level(level) ? stix_tlp_tokens[level - TLP_LEVEL_MIN] : "";
}

int stix_tlp_json(const json_t *obj, const char *key, unsigned flags, enum tlp_level *out,
                  struct fs_err *err)
{
  int i;
  int rc = jsonx_enum(obj, key, flags, stix_tlp_tokens, &i, err);
  *out = !rc && i >= 0 ? (enum tlp_level)(TLP_LEVEL_MIN + i) : TLP_NONE;
  return rc;
}

enum tlp_level stix_tlp_from_token(const char *s)
{
  if (!s)
    return TLP_NONE;
  if (!strncasecmp(s, "tlp:", 4))
    s += 4;
  if (!strcasecmp(s, "white"))
    return TLP_CLEAR;
  for (int l = TLP_LEVEL_MIN; l <= TLP_LEVEL_MAX; l++)
    if (!strcasecmp(s, stix_tlp_tokens[l - TLP_LEVEL_MIN]))
      return (enum tlp_level)l;
  return TLP_NONE;
}

enum tlp_level stix_tlp_strictest(const json_t *refs)
{
  enum tlp_level best = TLP_NONE;
  size_t i;
  const json_t *r;
  json_array_foreach(refs, i, r)
  {
    enum tlp_level l = stix_tlp_from_marking_id(json_string_value(r), NULL);
    if (l > best)
      best = l;
  }
  return best;
}

enum tlp_level stix_tlp_granular_strictest(const json_t *granular)
{
  enum tlp_level best = TLP_NONE;
  size_t i;
  const json_t *g;
  json_array_foreach(granular, i, g)
  {
    enum tlp_level l =
        stix_tlp_from_marking_id(json_string_value(json_object_get(g, "marking_ref")), NULL);
    if (l > best)
      best = l;
  }
  return best;
}

int stix_tlp_marking_definition(enum tlp_level level, json_t **out, struct fs_err *err)
{
  *out = NULL;
  if (!valid_level(level))
    return fs_err_set(err, FS_ERR_INVALID, "tlp", "not a TLP level");
  json_t *o =
      json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type", "marking-definition",
                "spec_version", "2.1", "id", levels[level].v2_id, "created", TLP2_CREATED, "name",
                levels[level].name, "extensions", STIX_TLP2_EXTENSION_ID, "extension_type",
                "property-extension", "tlp_2_0", stix_tlp_tokens[level - TLP_LEVEL_MIN]);
  if (!o)
    return fs_err_set(err, FS_ERR_NOMEM, "tlp", "out of memory");
  *out = o;
  return FS_OK;
}

int stix_tlp_extension_definition(json_t **out, struct fs_err *err)
{
  json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "id",
                        STIX_TLP2_EXTENSION_ID, "type", "extension-definition", "spec_version",
                        "2.1", "name", "TLP 2.0", "description",
                        "This defines TLP 2.0 as a STIX extension", "created", TLP2_CREATED,
                        "modified", TLP2_CREATED, "created_by_ref", TLP2_EXT_CREATOR, "schema",
                        "https://github.com/oasis-open/cti-stix-common-objects/tree/master/"
                        "extension-definition-specifications/tlp-2.0",
                        "version", "1.0.0", "extension_types", "property-extension");
  *out = o;
  return o ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, "tlp", "out of memory");
}

static const char *str(const json_t *o, const char *key)
{
  const json_t *x = json_object_get(o, key);
  return json_is_string(x) ? json_string_value(x) : NULL;
}

static int parse_tlp1(const json_t *md, const char *id, struct stix_marking *out,
                      struct fs_err *err)
{
  const char *t = str(json_object_get(md, "definition"), "tlp");
  int level = TLP_NONE;
  for (int l = TLP_LEVEL_MIN; t && l <= TLP_LEVEL_MAX && !level; l++)
    if (levels[l].v1_token && !strcmp(levels[l].v1_token, t))
      level = l;
  if (!level)
    return fs_err_set(err, FS_ERR_INVALID, "definition.tlp",
                      "a TLP 1.0 definition must be white, green, amber or red");
  if (!id || strcmp(id, levels[level].v1_id))
    return fs_err_set(err, FS_ERR_INVALID, "id",
                      "only the standard TLP 1.0 marking definition %s may mark TLP:%s",
                      levels[level].v1_id, levels[level].v1_token);
  out->kind = STIX_MARKING_TLP1;
  out->tlp = (enum tlp_level)level;
  return FS_OK;
}

static int parse_tlp2(const json_t *ext, const char *id, struct stix_marking *out,
                      struct fs_err *err)
{
  const char *t = str(ext, "tlp_2_0");
  int level = TLP_NONE;
  for (int l = TLP_LEVEL_MIN; t && l <= TLP_LEVEL_MAX && !level; l++)
    if (!strcmp(stix_tlp_tokens[l - TLP_LEVEL_MIN], t))
      level = l;
  if (!level)
    return fs_err_set(err, FS_ERR_INVALID, "extensions.tlp_2_0",
                      "tlp_2_0 must be clear, green, amber, amber+strict or red");
  const char *et = str(ext, "extension_type");
  if (!et || strcmp(et, "property-extension"))
    return fs_err_set(err, FS_ERR_INVALID, "extensions.extension_type",
                      "the TLP 2.0 extension is a property-extension");
  if (!id || strcmp(id, levels[level].v2_id))
    return fs_err_set(err, FS_ERR_INVALID, "id",
                      "only the standard TLP 2.0 marking definition %s may mark %s",
                      levels[level].v2_id, levels[level].name);
  if (!out->name || strcmp(out->name, levels[level].name))
    return fs_err_set(err, FS_ERR_INVALID, "name", "the name of this marking must be \"%s\"",
                      levels[level].name);
  out->kind = STIX_MARKING_TLP2;
  out->tlp = (enum tlp_level)level;
  return FS_OK;
}

int stix_marking_parse(const json_t *md, struct stix_marking *out, struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  out->kind = STIX_MARKING_OTHER;
  if (!json_is_object(md))
    return fs_err_set(err, FS_ERR_INVALID, "", "a marking definition must be an object");
  const char *id = str(md, "id");
  const char *dt = str(md, "definition_type");
  const json_t *ext = json_object_get(json_object_get(md, "extensions"), STIX_TLP2_EXTENSION_ID);
  out->name = str(md, "name");
  int rc = FS_OK;
  if (ext) {
    rc = parse_tlp2(ext, id, out, err);
  } else if (dt && !strcmp(dt, "tlp")) {
    rc = parse_tlp1(md, id, out, err);
  } else {
    bool v1;
    enum tlp_level reserved = stix_tlp_from_marking_id(id, &v1);
    if (reserved != TLP_NONE)
      return fs_err_set(err, FS_ERR_INVALID, "id",
                        "%s is the id of the standard %s marking and must carry its definition", id,
                        v1 ? levels[reserved].v1_token : levels[reserved].name);
    if (dt && !strcmp(dt, "statement")) {
      out->kind = STIX_MARKING_STATEMENT;
      out->statement = str(json_object_get(md, "definition"), "statement");
    }
  }
  if (rc)
    out->tlp = TLP_NONE;
  return rc;
}
