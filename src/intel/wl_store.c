/* The warninglists the hub keeps (intel_warninglist): imported lists as received, the actions of
 * the built-in ones, and the set in force for a run. */
#include "intel/feed_int.h"

#include "audit/audit.h"
#include "core/jsonx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct intel_warninglist *builtin_named(const char *name)
{
  const struct intel_warninglist *b;
  size_t n = intel_wl_builtins(&b);
  for (size_t i = 0; i < n; i++)
    if (!strcmp(b[i].name, name))
      return &b[i];
  return NULL;
}

/* The stored action of a list; `dflt` when it has no row. */
static int action_of(struct store_conn *c, const char *name, enum intel_wl_action dflt,
                     enum intel_wl_action *out, bool *found, struct fs_err *err)
{
  char a[16] = "";
  int rc = store_query_text(c, a, sizeof(a), found, err,
                            "SELECT action FROM intel_warninglist WHERE name = ?", "s", name);
  int v = *found ? intel_wl_action_parse(a) : -1;
  *out = v < 0 ? dflt : (enum intel_wl_action)v;
  return rc;
}

int intel_warninglist_import(struct store_conn *c, const struct actor *who, const char *bytes,
                             size_t len, enum intel_wl_action action, struct intel_wl_imported *out,
                             struct fs_err *err)
{
  int rc = policy_check(who, POLICY_WARNINGLIST_MANAGE, NULL, "the warninglists", err);
  if (rc)
    return rc;
  struct intel_warninglist l;
  rc = intel_warninglist_parse(bytes, len, &l, err);
  if (!rc && builtin_named(l.name))
    rc = fs_err_set(err, FS_ERR_CONFLICT, "name", "\"%s\" is the name of a built-in list", l.name);
  /* The entries that cannot match, counted on a set of this list alone. */
  size_t skipped = 0;
  struct intel_wl_set *set = rc ? NULL : intel_wl_set_new();
  if (!rc && !set)
    rc = fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
  if (!rc)
    rc = intel_wl_set_add(set, &l, INTEL_WL_FLAG, &skipped, err);
  intel_wl_set_free(set);
  bool owned = false, found = false;
  /* The body is text (a JSON document, column TEXT): bound as text, since a blob into a TEXT
   * column is kept as its hexadecimal form by PostgreSQL. */
  char *body = rc ? NULL : strndup(bytes, len);
  if (!rc && !body)
    rc = fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
  if (!rc)
    rc = store_tx_enter(c, &owned, err);
  enum intel_wl_action act = action;
  if (!rc)
    rc = action_of(c, l.name, action, &act, &found, err);
  if (!rc)
    rc = store_exec(
        c, NULL, err,
        "INSERT INTO intel_warninglist (name, description, version, type, kinds, action,"
        " entries, body, builtin, imported_at) VALUES (?,?,?,?,?,?,?,?,0,?)"
        " ON CONFLICT (name) DO UPDATE SET description = excluded.description,"
        " version = excluded.version, type = excluded.type, kinds = excluded.kinds,"
        " entries = excluded.entries, body = excluded.body,"
        " imported_at = excluded.imported_at",
        "ssisisisi", l.name, l.description, l.version, intel_wl_type_name(l.type), (int64_t)l.kinds,
        intel_wl_action_name(act), (int64_t)l.n_entries, body, who->now_ms);
  free(body);
  if (!rc) {
    json_t *d =
        json_pack("{s:s,s:I,s:s,s:I,s:s,s:b}", "name", l.name, "version", (json_int_t)l.version,
                  "type", intel_wl_type_name(l.type), "entries", (json_int_t)l.n_entries, "action",
                  intel_wl_action_name(act), "replaced", found);
    rc = audit_append(c, who, "intel.warninglist.import", "warninglist", l.name, d, err);
    json_decref(d);
  }
  if (owned)
    rc = store_tx_leave(c, owned, rc, err);
  if (!rc && out) {
    snprintf(out->name, sizeof(out->name), "%s", l.name);
    out->entries = l.n_entries;
    out->skipped = skipped;
    out->action = act;
  }
  intel_warninglist_release(&l);
  return rc;
}

/* What a list flagged is no longer flagged by it: the next score pass judges those again. */
static int unflag(struct store_conn *c, const char *name, struct fs_err *err)
{
  return store_exec(c, NULL, err, "UPDATE intel_score SET warninglist = '' WHERE warninglist = ?",
                    "s", name);
}

int intel_warninglist_set_action(struct store_conn *c, const struct actor *who, const char *name,
                                 enum intel_wl_action action, struct fs_err *err)
{
  int rc = policy_check(who, POLICY_WARNINGLIST_MANAGE, NULL, "the warninglists", err);
  if (rc)
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  const struct intel_warninglist *b = builtin_named(name);
  enum intel_wl_action old = INTEL_WL_FLAG;
  bool found = false;
  rc = action_of(c, name, INTEL_WL_FLAG, &old, &found, err);
  if (!rc && !found && !b)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "warninglist", "no warninglist \"%.64s\"", name);
  if (!rc && b)
    rc = store_exec(
        c, NULL, err,
        "INSERT INTO intel_warninglist (name, description, version, type, kinds, action,"
        " entries, body, builtin, imported_at) VALUES (?,?,?,?,?,?,?,'',1,?)"
        " ON CONFLICT (name) DO UPDATE SET action = excluded.action",
        "ssisisii", b->name, b->description, b->version, intel_wl_type_name(b->type),
        (int64_t)b->kinds, intel_wl_action_name(action), (int64_t)b->n_entries, who->now_ms);
  else if (!rc)
    rc = store_exec(c, NULL, err, "UPDATE intel_warninglist SET action = ? WHERE name = ?", "ss",
                    intel_wl_action_name(action), name);
  if (!rc && action == INTEL_WL_OFF)
    rc = unflag(c, name, err);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s}", "from", intel_wl_action_name(old), "to",
                          intel_wl_action_name(action));
    rc = audit_append(c, who, "intel.warninglist.action", "warninglist", name, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

int intel_warninglist_remove(struct store_conn *c, const struct actor *who, const char *name,
                             struct fs_err *err)
{
  int rc = policy_check(who, POLICY_WARNINGLIST_MANAGE, NULL, "the warninglists", err);
  if (rc)
    return rc;
  if (builtin_named(name))
    return fs_err_set(err, FS_ERR_CONFLICT, "warninglist",
                      "%s is built in: turn it off instead (action off)", name);
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  int64_t n = 0;
  rc = store_exec(c, &n, err, "DELETE FROM intel_warninglist WHERE name = ?", "s", name);
  if (!rc && !n)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "warninglist", "no warninglist \"%.64s\"", name);
  if (!rc)
    rc = unflag(c, name, err);
  if (!rc)
    rc = audit_append(c, who, "intel.warninglist.remove", "warninglist", name, NULL, err);
  return store_tx_leave(c, owned, rc, err);
}

int intel_warninglist_list_json(struct store_conn *c, const struct actor *who, json_t **out,
                                struct fs_err *err)
{
  int rc = policy_check(who, POLICY_FEED_READ, NULL, "the warninglists", err);
  if (rc)
    return rc;
  json_t *items = json_array();
  char kinds[128];
  const struct intel_warninglist *b;
  size_t nb = intel_wl_builtins(&b);
  for (size_t i = 0; !rc && i < nb; i++) {
    enum intel_wl_action act;
    bool found;
    rc = action_of(c, b[i].name, INTEL_WL_FLAG, &act, &found, err);
    intel_wl_kinds_text(b[i].kinds, kinds, sizeof(kinds));
    json_array_append_new(items,
                          json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:I,s:b}", "name", b[i].name,
                                    "description", b[i].description, "version",
                                    (json_int_t)b[i].version, "type", intel_wl_type_name(b[i].type),
                                    "applies_to", kinds, "action", intel_wl_action_name(act),
                                    "entries", (json_int_t)b[i].n_entries, "builtin", true));
  }
  struct store_stmt *s = NULL;
  if (!rc)
    rc = store_query(c, &s, err,
                     "SELECT name, description, version, type, kinds, action, entries, imported_at"
                     " FROM intel_warninglist WHERE builtin = 0 ORDER BY name",
                     "");
  bool row;
  while (!rc && !(rc = store_step(s, &row, err)) && row) {
    intel_wl_kinds_text((unsigned)store_col_int(s, 4), kinds, sizeof(kinds));
    json_array_append_new(
        items,
        json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:I,s:b,s:o}", "name", store_col_text(s, 0),
                  "description", store_col_text(s, 1), "version", (json_int_t)store_col_int(s, 2),
                  "type", store_col_text(s, 3), "applies_to", kinds, "action", store_col_text(s, 5),
                  "entries", (json_int_t)store_col_int(s, 6), "builtin", false, "imported",
                  jsonx_time_new(store_col_int(s, 7))));
  }
  store_done(s);
  if (rc)
    json_decref(items);
  else
    *out = items;
  return rc;
}

int intel_warninglist_load(struct store_conn *c, struct intel_wl_set **out, struct fs_err *err)
{
  *out = NULL;
  struct intel_wl_set *set = intel_wl_set_new();
  if (!set)
    return fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
  const struct intel_warninglist *b;
  size_t nb = intel_wl_builtins(&b);
  int rc = FS_OK;
  for (size_t i = 0; !rc && i < nb; i++) {
    enum intel_wl_action act;
    bool found;
    rc = action_of(c, b[i].name, INTEL_WL_FLAG, &act, &found, err);
    if (!rc)
      rc = intel_wl_set_add(set, &b[i], act, NULL, err);
  }
  /* Bodies are read one at a time (a list may be megabytes). */
  struct store_stmt *s = NULL;
  char(*names)[INTEL_WL_NAME_MAX + 1] = NULL;
  size_t n = 0;
  if (!rc) {
    int64_t count = 0;
    rc = store_query_int(
        c, &count, NULL, err,
        "SELECT COUNT(*) FROM intel_warninglist WHERE builtin = 0 AND action <> 'off'", "");
    if (!rc && count && !(names = calloc((size_t)count, sizeof(*names))))
      rc = fs_err_set(err, FS_ERR_NOMEM, "warninglist", "out of memory");
    if (!rc && count)
      rc = store_query(c, &s, err,
                       "SELECT name FROM intel_warninglist WHERE builtin = 0 AND action <> 'off'"
                       " ORDER BY name",
                       "");
    bool row;
    while (s && !rc && n < (size_t)count && !(rc = store_step(s, &row, err)) && row)
      snprintf(names[n++], sizeof(*names), "%s", store_col_text(s, 0));
    store_done(s);
  }
  for (size_t i = 0; !rc && i < n; i++) {
    s = NULL;
    rc = store_query(c, &s, err, "SELECT action, body FROM intel_warninglist WHERE name = ?", "s",
                     names[i]);
    bool row = false;
    if (!rc && !(rc = store_step(s, &row, err)) && row) {
      int act = intel_wl_action_parse(store_col_text(s, 0));
      const char *body = store_col_text(s, 1);
      size_t len = body ? strlen(body) : 0;
      struct intel_warninglist l;
      struct fs_err e;
      if (!intel_warninglist_parse(body ? body : "", len, &l, &e))
        rc = intel_wl_set_add(set, &l, act < 0 ? INTEL_WL_FLAG : (enum intel_wl_action)act, NULL,
                              err);
      else /* it parsed when imported: skipping it would let what it blocks through unnoticed */
        rc = fs_err_set(err, FS_ERR_CORRUPT, "warninglist",
                        "the stored warninglist \"%.64s\" cannot be read back (%s at %s); import it"
                        " again",
                        names[i], e.msg, e.where);
      intel_warninglist_release(&l);
    }
    store_done(s);
  }
  free(names);
  if (!rc)
    rc = intel_wl_set_finish(set, err);
  if (rc) {
    intel_wl_set_free(set);
    return rc;
  }
  *out = set;
  return FS_OK;
}

int intel_warninglist_check(struct store_conn *c, const struct actor *who, const char *value,
                            enum intel_obs kind, char canon[INTEL_CANON_MAX + 1],
                            enum intel_obs *kind_out, char list[INTEL_WL_NAME_MAX + 1],
                            enum intel_wl_action *action, struct fs_err *err)
{
  int rc = policy_check(who, POLICY_FEED_READ, NULL, "the warninglists", err);
  if (rc)
    return rc;
  list[0] = '\0';
  *kind_out = kind;
  if (!intel_canon(kind_out, value, strlen(value), canon, "value", err))
    return FS_ERR_INVALID;
  struct intel_wl_set *set;
  if ((rc = intel_warninglist_load(c, &set, err)))
    return rc;
  struct intel_wl_hit hit;
  if (intel_wl_set_match(set, *kind_out, canon, &hit)) {
    snprintf(list, INTEL_WL_NAME_MAX + 1, "%s", hit.list);
    *action = hit.action;
  }
  intel_wl_set_free(set);
  return FS_OK;
}
