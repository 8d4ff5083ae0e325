/* The intelligence store's schema, bootstrap (sector and submissions collections, the hub's STIX
 * identity) and collections. */
#include "intel/store_int.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "core/jsonx.h"
#include "core/uuid.h"
#include "core/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct store_migration intel_steps[] = {
    {1, "intelligence store",
     "CREATE TABLE intel_collection ("
     " id TEXT PRIMARY KEY, alias TEXT NOT NULL UNIQUE, title TEXT NOT NULL,"
     " description TEXT NOT NULL, kind TEXT NOT NULL, owner_org TEXT REFERENCES org (id),"
     " default_tlp TEXT NOT NULL, member_can_write INTEGER NOT NULL, created_at BIGINT NOT NULL,"
     " num BIGINT NOT NULL UNIQUE);"
     "CREATE TABLE intel_collection_member ("
     " collection_id TEXT NOT NULL REFERENCES intel_collection (id),"
     " org_id TEXT NOT NULL REFERENCES org (id), PRIMARY KEY (collection_id, org_id));"
     "CREATE TABLE intel_object ("
     " seq BIGINT PRIMARY KEY, id TEXT NOT NULL, version TEXT NOT NULL, version_key TEXT NOT NULL,"
     " type TEXT NOT NULL, spec_version TEXT NOT NULL, tlp TEXT NOT NULL, producer_org TEXT,"
     " producer_user TEXT, anonymous INTEGER NOT NULL, source_ref TEXT,"
     " recipient_orgs TEXT NOT NULL, recipient_users TEXT NOT NULL, revoked INTEGER NOT NULL,"
     " valid_from BIGINT, valid_until BIGINT, stored_at BIGINT NOT NULL, body TEXT NOT NULL,"
     " UNIQUE (id, version));"
     /* Entries name their collection by its number: three small indexes, one per way in. */
     "CREATE TABLE intel_entry ("
     " coll BIGINT NOT NULL, date_added BIGINT NOT NULL, seq BIGINT NOT NULL,"
     " id TEXT NOT NULL, version_key TEXT NOT NULL, is_latest INTEGER NOT NULL,"
     " is_first INTEGER NOT NULL, PRIMARY KEY (coll, date_added, seq));"
     "CREATE UNIQUE INDEX intel_entry_seq ON intel_entry (seq, coll);"
     "CREATE INDEX intel_entry_id ON intel_entry (coll, id);"
     "CREATE TABLE intel_observable ("
     " value TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (value, seq));"
     "CREATE TABLE intel_status ("
     " id TEXT PRIMARY KEY, org_id TEXT, user_id TEXT, created_at BIGINT NOT NULL,"
     " body TEXT NOT NULL);"
     "CREATE TABLE intel_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
     "CREATE TABLE intel_sync ("
     " url TEXT NOT NULL, collection TEXT NOT NULL, direction TEXT NOT NULL,"
     " position TEXT NOT NULL, updated_at BIGINT NOT NULL,"
     " PRIMARY KEY (url, collection, direction))"},
    /* Fewer B-trees per stored object (nine to five). An object's seq becomes the table's own
     * key (INTEGER PRIMARY KEY: SQLite's rowid; step 1's BIGINT PRIMARY KEY needed an index of
     * its own); entries and observables become clustered on their primary key (WITHOUT ROWID: no
     * rowid tree beside the key's); and an entry keeps only its position and flags: the object's
     * id and version key are read from intel_object, whose (id, version) index replaces
     * intel_entry's (coll, id). Rows are copied in key order into the new tables, then the old
     * ones dropped. */
    {2, "clustered intelligence tables",
     "DROP INDEX intel_entry_seq;"
     "DROP INDEX intel_entry_id;"
     "ALTER TABLE intel_object RENAME TO intel_object_v1;"
     "ALTER TABLE intel_entry RENAME TO intel_entry_v1;"
     "ALTER TABLE intel_observable RENAME TO intel_observable_v1;"
     "CREATE TABLE intel_object ("
     " seq INTEGER PRIMARY KEY, id TEXT NOT NULL, version TEXT NOT NULL,"
     " version_key TEXT NOT NULL, type TEXT NOT NULL, spec_version TEXT NOT NULL, tlp TEXT NOT "
     "NULL,"
     " producer_org TEXT, producer_user TEXT, anonymous INTEGER NOT NULL, source_ref TEXT,"
     " recipient_orgs TEXT NOT NULL, recipient_users TEXT NOT NULL, revoked INTEGER NOT NULL,"
     " valid_from BIGINT, valid_until BIGINT, stored_at BIGINT NOT NULL, body TEXT NOT NULL,"
     " UNIQUE (id, version));"
     "INSERT INTO intel_object (seq, id, version, version_key, type, spec_version, tlp,"
     " producer_org, producer_user, anonymous, source_ref, recipient_orgs, recipient_users,"
     " revoked, valid_from, valid_until, stored_at, body)"
     " SELECT seq, id, version, version_key, type, spec_version, tlp, producer_org,"
     " producer_user, anonymous, source_ref, recipient_orgs, recipient_users, revoked,"
     " valid_from, valid_until, stored_at, body FROM intel_object_v1 ORDER BY seq;"
     "CREATE TABLE intel_entry ("
     " coll BIGINT NOT NULL, date_added BIGINT NOT NULL, seq BIGINT NOT NULL,"
     " is_latest INTEGER NOT NULL, is_first INTEGER NOT NULL,"
     " PRIMARY KEY (coll, date_added, seq)) WITHOUT ROWID;"
     "INSERT INTO intel_entry (coll, date_added, seq, is_latest, is_first)"
     " SELECT coll, date_added, seq, is_latest, is_first FROM intel_entry_v1"
     " ORDER BY coll, date_added, seq;"
     "CREATE UNIQUE INDEX intel_entry_seq ON intel_entry (seq, coll);"
     "CREATE TABLE intel_observable ("
     " value TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (value, seq)) WITHOUT ROWID;"
     "INSERT INTO intel_observable (value, seq) SELECT value, seq FROM intel_observable_v1"
     " ORDER BY value, seq;"
     "DROP TABLE intel_object_v1;"
     "DROP TABLE intel_entry_v1;"
     "DROP TABLE intel_observable_v1"},
    /* Objects without versions (SCOs: their id comes from their value) are each producing
     * organisation's own: two organisations reporting the same address each keep their report,
     * with its own marking and audience, and neither learns of the other's. `copy` is the
     * producing organisation for those rows ('' for every versioned object), and the unique key
     * becomes (id, version, copy). The rows are copied in seq order into the new table. */
    {3, "observables per organisation",
     "ALTER TABLE intel_object RENAME TO intel_object_v2;"
     "CREATE TABLE intel_object ("
     " seq INTEGER PRIMARY KEY, id TEXT NOT NULL, version TEXT NOT NULL,"
     " copy TEXT NOT NULL DEFAULT '', version_key TEXT NOT NULL, type TEXT NOT NULL,"
     " spec_version TEXT NOT NULL, tlp TEXT NOT NULL, producer_org TEXT, producer_user TEXT,"
     " anonymous INTEGER NOT NULL, source_ref TEXT, recipient_orgs TEXT NOT NULL,"
     " recipient_users TEXT NOT NULL, revoked INTEGER NOT NULL, valid_from BIGINT,"
     " valid_until BIGINT, stored_at BIGINT NOT NULL, body TEXT NOT NULL,"
     " UNIQUE (id, version, copy));"
     "INSERT INTO intel_object (seq, id, version, copy, version_key, type, spec_version, tlp,"
     " producer_org, producer_user, anonymous, source_ref, recipient_orgs, recipient_users,"
     " revoked, valid_from, valid_until, stored_at, body)"
     " SELECT seq, id, version,"
     " CASE WHEN version = '' THEN COALESCE(producer_org, '') ELSE '' END,"
     " version_key, type, spec_version, tlp, producer_org, producer_user, anonymous, source_ref,"
     " recipient_orgs, recipient_users, revoked, valid_from, valid_until, stored_at, body"
     " FROM intel_object_v2 ORDER BY seq;"
     "DROP TABLE intel_object_v2"},
};

const struct store_schema intel_schema = {"intel", intel_steps, FS_ARRAY_SIZE(intel_steps)};

const char *const intel_collection_kinds[] = {"sector", "submissions", "org",
                                              "group",  "partner",     NULL};

size_t intel_split_ids(const char *list, char *buf, size_t bufsize, const char **out, size_t max)
{
  size_t n = 0;
  if (!list || !*list)
    return 0;
  snprintf(buf, bufsize, "%s", list);
  char *p = buf;
  while (p && *p && n < max) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    out[n++] = p;
    p = comma ? comma + 1 : NULL;
  }
  return n;
}

bool intel_row_visible(const struct actor *who, const struct intel_collection *col, const char *tlp,
                       const char *producer_org, const char *producer_user,
                       const char *recipient_orgs, const char *recipient_users)
{
  enum tlp_level t = stix_tlp_from_token(tlp);
  if (tlp_is_community(t))
    return true; /* the common case, without parsing recipient lists */
  char obuf[2048], ubuf[2048];
  const char *orgs[64], *users[64];
  size_t no = intel_split_ids(recipient_orgs, obuf, sizeof(obuf), orgs, 63);
  size_t nu = intel_split_ids(recipient_users, ubuf, sizeof(ubuf), users, 64);
  /* A sharing group's members and an organisation's own collection count as named recipients
   * of what is shared in that collection. */
  if (col && col->member && who->org_id[0] &&
      (col->kind == POLICY_COLLECTION_GROUP || col->kind == POLICY_COLLECTION_ORG))
    orgs[no++] = who->org_id;
  struct policy_intel_object o = {
      .tlp = t,
      .producer_org = producer_org,
      .producer_user = producer_user,
      .recipient_orgs = orgs,
      .n_recipient_orgs = no,
      .recipient_users = users,
      .n_recipient_users = nu,
  };
  return policy_intel_visible(who, &o);
}

void intel_version_key(const char *version, char out[40])
{
  out[0] = '\0';
  if (!version || strlen(version) < 20)
    return;
  /* "YYYY-MM-DDTHH:MM:SS[.f+]Z" -> "YYYY-MM-DDTHH:MM:SS.fffffffffZ": lexical order is time order.
   */
  char frac[10] = "000000000";
  const char *dot = strchr(version, '.');
  if (dot) {
    size_t i = 0;
    for (const char *p = dot + 1; *p >= '0' && *p <= '9' && i < 9; p++)
      frac[i++] = *p;
  }
  snprintf(out, 40, "%.19s.%sZ", version, frac);
}

bool intel_observable_key(const char *value, size_t len, char *out, size_t n)
{
  if (len == 0 || len >= n)
    return false;
  for (size_t i = 0; i < len; i++) {
    char ch = value[i];
    out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  }
  out[len] = '\0';
  return true;
}

/* ---- collections --------------------------------------------------------------------------- */

static enum policy_collection_kind kind_from(const char *s)
{
  for (int i = 0; intel_collection_kinds[i]; i++)
    if (s && !strcmp(s, intel_collection_kinds[i]))
      return (enum policy_collection_kind)i;
  return POLICY_COLLECTION_GROUP;
}

int intel_collection_rights(struct store_conn *c, const struct actor *who,
                            struct intel_collection *col, struct fs_err *err)
{
  col->member = col->owner_org[0] && !strcmp(col->owner_org, who->org_id);
  if (col->kind == POLICY_COLLECTION_GROUP && who->org_id[0]) {
    int64_t n = 0;
    int rc = store_query_int(c, &n, NULL, err,
                             "SELECT COUNT(*) FROM intel_collection_member"
                             " WHERE collection_id = ? AND org_id = ?",
                             "ss", col->id, who->org_id);
    if (rc)
      return rc;
    col->member = n > 0;
  }
  struct policy_collection pc = {.kind = col->kind,
                                 .owner_org = col->owner_org[0] ? col->owner_org : NULL,
                                 .member = col->member,
                                 .member_can_write = col->member_can_write};
  policy_collection_rights(who, &pc, &col->can_read, &col->can_write);
  return FS_OK;
}

#define COLLECTION_COLUMNS                                                                         \
  "id, alias, title, description, kind, owner_org, default_tlp, member_can_write, num"

static void read_collection(struct store_stmt *s, struct intel_collection *col)
{
  memset(col, 0, sizeof(*col));
  snprintf(col->id, sizeof(col->id), "%s", store_col_text(s, 0));
  snprintf(col->alias, sizeof(col->alias), "%s", store_col_text(s, 1));
  snprintf(col->title, sizeof(col->title), "%s", store_col_text(s, 2));
  snprintf(col->description, sizeof(col->description), "%s", store_col_text(s, 3));
  col->kind = kind_from(store_col_text(s, 4));
  snprintf(col->owner_org, sizeof(col->owner_org), "%s",
           store_col_null(s, 5) ? "" : store_col_text(s, 5));
  col->default_tlp = stix_tlp_from_token(store_col_text(s, 6));
  col->member_can_write = store_col_int(s, 7) != 0;
  col->num = store_col_int(s, 8);
}

int intel_collection_find(struct store_conn *c, const struct actor *who, const char *id_or_alias,
                          struct intel_collection *out, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(
      c, &s, err, "SELECT " COLLECTION_COLUMNS " FROM intel_collection WHERE id = ? OR alias = ?",
      "ss", id_or_alias, id_or_alias);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && row)
    read_collection(s, out);
  store_done(s);
  if (!rc && row)
    rc = intel_collection_rights(c, who, out, err);
  if (!rc && (!row || (!out->can_read && !out->can_write)))
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "collection", "no collection \"%.64s\"", id_or_alias);
  return rc;
}

json_t *intel_collection_json(const struct intel_collection *col)
{
  return json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:[s],s:s,s:s}", "id", col->id, "title", col->title,
                   "description", col->description, "alias", col->alias, "can_read", col->can_read,
                   "can_write", col->can_write, "media_types", "application/stix+json;version=2.1",
                   "x_finshield_kind", intel_collection_kinds[col->kind], "x_finshield_default_tlp",
                   stix_tlp_token(col->default_tlp));
}

/* Every collection, in creation order, into *out (caller frees): read before anything else is
 * asked of the connection (rights and members need other queries on it). */
static int read_all(struct store_conn *c, struct intel_collection **out, size_t *n,
                    struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(
      c, &s, err, "SELECT " COLLECTION_COLUMNS " FROM intel_collection ORDER BY created_at, alias",
      "");
  if (rc)
    return rc;
  size_t cap = 0;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    if (FS_VEC_GROW(*out, *n, cap, 16)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "collections", "out of memory");
      break;
    }
    read_collection(s, &(*out)[(*n)++]);
  }
  store_done(s);
  return rc;
}

int intel_collection_list_json(struct store_conn *c, const struct actor *who, json_t **out,
                               struct fs_err *err)
{
  struct intel_collection *cols = NULL;
  size_t n = 0;
  int rc = read_all(c, &cols, &n, err);
  json_t *list = json_array();
  for (size_t i = 0; !rc && i < n; i++) {
    rc = intel_collection_rights(c, who, &cols[i], err);
    if (!rc && (cols[i].can_read || cols[i].can_write))
      json_array_append_new(list, intel_collection_json(&cols[i]));
  }
  free(cols);
  if (rc) {
    json_decref(list);
    return rc;
  }
  *out = list;
  return FS_OK;
}

/* The organisations of a group collection, into *out (caller frees). */
static int group_members(struct store_conn *c, const char *id, char (**out)[37], size_t *n,
                         struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(
      c, &s, err, "SELECT org_id FROM intel_collection_member WHERE collection_id = ?", "s", id);
  if (rc)
    return rc;
  size_t cap = 0;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    if (FS_VEC_GROW(*out, *n, cap, 16)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "collections", "out of memory");
      break;
    }
    snprintf((*out)[(*n)++], 37, "%s", store_col_text(s, 0));
  }
  store_done(s);
  return rc;
}

int intel_collections_each(struct store_conn *c, intel_collection_fn fn, void *ctx,
                           struct fs_err *err)
{
  struct intel_collection *cols = NULL;
  size_t n = 0;
  int rc = read_all(c, &cols, &n, err);
  for (size_t i = 0; !rc && i < n; i++) {
    char(*members)[37] = NULL;
    size_t n_members = 0;
    if (cols[i].kind == POLICY_COLLECTION_GROUP)
      rc = group_members(c, cols[i].id, &members, &n_members, err);
    if (!rc)
      rc = fn(&cols[i], (const char(*)[37])members, n_members, ctx);
    free(members);
  }
  free(cols);
  return rc;
}

static int insert_collection(struct store_conn *c, const struct actor *who, const char *alias,
                             const char *title, const char *description,
                             enum policy_collection_kind kind, const char *owner,
                             enum tlp_level tlp, bool member_can_write, char id[37],
                             struct fs_err *err)
{
  fs_uuid_v4(id);
  int64_t num = 0;
  int rc = store_query_int(c, &num, NULL, err,
                           "SELECT COALESCE(MAX(num), 0) + 1 FROM intel_collection", "");
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "INSERT INTO intel_collection (id, alias, title, description, kind, owner_org,"
                    " default_tlp, member_can_write, created_at, num) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    "sssssssiii", id, alias, title, description, intel_collection_kinds[kind],
                    owner, stix_tlp_token(tlp), (int64_t)member_can_write, who->now_ms, num);
  if (!rc) {
    json_t *d =
        json_pack("{s:s,s:s,s:s,s:s?}", "alias", alias, "kind", intel_collection_kinds[kind],
                  "default_tlp", stix_tlp_token(tlp), "owner_org", owner);
    rc = audit_append(c, who, "intel.collection.create", "collection", id, d, err);
    json_decref(d);
  }
  return rc;
}

int intel_collection_create(struct store_conn *c, const struct actor *who,
                            const struct intel_collection_input *in, char id_out[37],
                            struct fs_err *err)
{
  if (!policy_allows(who, POLICY_COLLECTION_CREATE, NULL))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "collection",
                      "only a hub administrator creates collections");
  if (in->kind != POLICY_COLLECTION_ORG && in->kind != POLICY_COLLECTION_GROUP &&
      in->kind != POLICY_COLLECTION_PARTNER)
    return fs_err_set(err, FS_ERR_INVALID, "$.kind", "kind must be org, group or partner");
  if (!in->alias || !*in->alias || strlen(in->alias) >= INTEL_ALIAS_MAX || strchr(in->alias, '/'))
    return fs_err_set(err, FS_ERR_INVALID, "$.alias", "an alias of 1 to 63 characters, no '/'");
  if (in->default_tlp == TLP_NONE)
    return fs_err_set(err, FS_ERR_INVALID, "$.default_tlp", "a default TLP level is required");
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  char owner[37] = "";
  if (in->kind != POLICY_COLLECTION_GROUP) {
    if (!in->owner_org)
      rc = fs_err_set(err, FS_ERR_INVALID, "$.owner",
                      "an org or partner collection needs its organisation");
    else
      rc = org_resolve(c, in->owner_org, owner, err);
  }
  int64_t dup = 0;
  if (!rc)
    rc = store_query_int(c, &dup, NULL, err,
                         "SELECT COUNT(*) FROM intel_collection WHERE alias = ?", "s", in->alias);
  if (!rc && dup)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.alias", "a collection \"%s\" exists", in->alias);
  if (!rc)
    rc =
        insert_collection(c, who, in->alias, in->title ? in->title : in->alias,
                          in->description ? in->description : "", in->kind, owner[0] ? owner : NULL,
                          in->default_tlp, in->member_can_write, id_out, err);
  for (size_t i = 0; !rc && i < in->n_members; i++) {
    char org[37];
    rc = org_resolve(c, in->members[i], org, err);
    if (!rc)
      rc = store_exec(c, NULL, err,
                      "INSERT INTO intel_collection_member (collection_id, org_id) VALUES (?, ?)"
                      " ON CONFLICT (collection_id, org_id) DO NOTHING",
                      "ss", id_out, org);
  }
  return store_tx_leave(c, owned, rc, err);
}

/* The namespace of organisation identities (fixed: changing it would change every identity). */
#define ORG_IDENTITY_NS "6f3c0b0e-4d6a-5b8e-9a63-2f1d7c1e5a10"

int intel_org_identity(const char *org_id, char out[STIX_ID_MAX])
{
  char uuid[37], name[64];
  snprintf(name, sizeof(name), "finshield-org:%s", org_id);
  int rc = fs_uuid_v5(ORG_IDENTITY_NS, name, strlen(name), uuid);
  snprintf(out, STIX_ID_MAX, "identity--%s", uuid);
  return rc;
}

int intel_hub_identity(struct store_conn *c, char out[STIX_ID_MAX], struct fs_err *err)
{
  bool found;
  int rc = store_query_text(c, out, STIX_ID_MAX, &found, err,
                            "SELECT value FROM intel_meta WHERE key = 'hub_identity'", "");
  if (!rc && !found)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "intel", "the hub has no STIX identity yet");
  return rc;
}

int intel_bootstrap(struct store_conn *c, const struct actor *who, const char *hub_name,
                    struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  int64_t n = 0;
  rc = store_query_int(c, &n, NULL, err,
                       "SELECT COUNT(*) FROM intel_collection WHERE alias = 'sector'", "");
  char id[37];
  if (!rc && !n)
    rc = insert_collection(c, who, "sector", "Sector intelligence / 金融資安情資",
                           "Intelligence the hub publishes to every member",
                           POLICY_COLLECTION_SECTOR, NULL, TLP_GREEN, false, id, err);
  if (!rc)
    rc = store_query_int(c, &n, NULL, err,
                         "SELECT COUNT(*) FROM intel_collection WHERE alias = 'submissions'", "");
  char about[96];
  snprintf(about, sizeof(about), "Intelligence members share with the hub; %s unless marked",
           stix_tlp_name(TLP_AMBER));
  if (!rc && !n)
    rc = insert_collection(c, who, "submissions", "Member submissions / 會員分享", about,
                           POLICY_COLLECTION_SUBMISSIONS, NULL, TLP_AMBER, false, id, err);
  if (!rc)
    rc = store_query_int(c, &n, NULL, err,
                         "SELECT COUNT(*) FROM intel_collection WHERE alias = 'sightings'", "");
  if (!rc && !n)
    rc = insert_collection(c, who, "sightings", "Sightings / 目擊紀錄",
                           "Which organisation saw which indicator when: for the hub only",
                           POLICY_COLLECTION_ORG, who->org_id, TLP_AMBER_STRICT, false, id, err);
  if (!rc)
    rc = store_query_int(c, &n, NULL, err,
                         "SELECT COUNT(*) FROM intel_meta WHERE key = 'hub_identity'", "");
  if (!rc && !n) {
    /* The hub's identity is derived from its organisation, so that it is stable. */
    char ident[STIX_ID_MAX];
    rc = intel_org_identity(who->org_id, ident);
    if (!rc)
      rc = store_exec(c, NULL, err,
                      "INSERT INTO intel_meta (key, value) VALUES ('hub_identity', ?)", "s", ident);
    (void)hub_name;
  }
  if (!rc)
    rc = intel_levels_upgrade(c, who->org_id, err);
  return store_tx_leave(c, owned, rc, err);
}
