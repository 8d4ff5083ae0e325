/* The indicator index built from the intelligence store, with each indicator's visibility
 * decided by the one policy for every organisation that could see it. */
#include "soc/soc_int.h"

#include "auth/org.h"
#include "auth/policy.h"
#include "core/vec.h"
#include "detect/ioc_stix.h"
#include "intel/intel.h"

#include <stdlib.h>
#include <string.h>

void soc_sets_free(void *p)
{
  struct soc_sets *s = p;
  if (!s)
    return;
  detect_ioc_index_free(s->ioc);
  soc_orgs_release(&s->orgs);
  free(s);
}

int soc_org_count(struct store_conn *c, int64_t *orgs, struct fs_err *err)
{
  return org_count(c, NULL, orgs, err);
}

int soc_intel_position(struct store_conn *c, int64_t *last_seq, int64_t *deletes, int64_t *orgs,
                       struct fs_err *err)
{
  int rc = intel_position(c, last_seq, deletes, err);
  return rc ? rc : soc_org_count(c, orgs, err);
}

/* The collections of the store with their members, to decide who can read each. */
struct coll_info {
  int64_t num;
  struct intel_collection col; /* kind, owner, member flags are per actor: filled per check */
  char (*members)[37];
  size_t n_members;
};

struct build {
  struct store_conn *c;
  struct soc_sets *sets;
  struct coll_info *colls;
  size_t n_colls, cap_colls;
  struct detect_ioc_builder *b;
  struct fs_err *err;
};

static void free_colls(struct coll_info *cs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(cs[i].members);
  free(cs);
}

static int add_coll(const struct intel_collection *col, const char (*members)[37], size_t n_members,
                    void *ctx)
{
  struct build *g = ctx;
  if (FS_VEC_GROW(g->colls, g->n_colls, g->cap_colls, 16))
    return fs_err_set(g->err, FS_ERR_NOMEM, "soc", "out of memory");
  struct coll_info *ci = &g->colls[g->n_colls++];
  memset(ci, 0, sizeof(*ci));
  ci->num = col->num;
  ci->col = *col;
  if (n_members && !(ci->members = malloc(n_members * sizeof(*ci->members))))
    return fs_err_set(g->err, FS_ERR_NOMEM, "soc", "out of memory");
  if (n_members)
    memcpy(ci->members, members, n_members * sizeof(*ci->members));
  ci->n_members = n_members;
  return FS_OK;
}

static int load_colls(struct build *g)
{
  return intel_collections_each(g->c, add_coll, g, g->err);
}

static struct coll_info *coll_of(struct build *g, int64_t num)
{
  for (size_t i = 0; i < g->n_colls; i++)
    if (g->colls[i].num == num)
      return &g->colls[i];
  return NULL;
}

/* Whether organisation `org` (as one of its analysts; the hub as a hub analyst) may see a version
 * through collection ci: the one policy decides, for the collection and for the TLP. */
static bool org_sees(struct build *g, const char *org, struct coll_info *ci, const char *tlp,
                     const char *producer, const char *rorgs)
{
  struct actor a = {.role = AUTH_ROLE_MEMBER_ANALYST};
  snprintf(a.org_id, sizeof(a.org_id), "%s", org);
  if (soc_orgs_number(&g->sets->orgs, org) == g->sets->orgs.hub)
    a.role = AUTH_ROLE_HUB_ANALYST;
  struct intel_collection col = ci->col;
  col.member = col.owner_org[0] && !strcmp(col.owner_org, org);
  for (size_t i = 0; i < ci->n_members && !col.member; i++)
    col.member = !strcmp(ci->members[i], org);
  struct policy_collection pc = {.kind = col.kind,
                                 .owner_org = col.owner_org[0] ? col.owner_org : NULL,
                                 .member = col.member,
                                 .member_can_write = col.member_can_write};
  bool can_read, can_write;
  policy_collection_rights(&a, &pc, &can_read, &can_write);
  /* Matching happens for the organisation, not for one user: RED (named users) never matches. */
  return can_read && intel_row_visible(&a, &col, tlp, producer, NULL, rorgs, "", false);
}

struct spec_sink {
  struct build *g;
  size_t added;
};

static int add_spec(void *arg, const struct detect_ioc_spec *spec)
{
  struct spec_sink *k = arg;
  struct fs_err e;
  int rc = detect_ioc_builder_add(k->g->b, spec, &e);
  if (rc == FS_ERR_INVALID)
    return FS_OK; /* a value the index cannot take (e.g. a malformed address): skipped */
  if (!rc)
    k->added++;
  else
    *k->g->err = e;
  return rc;
}

/* One object version held in several collections: its visibility is what the union of them
 * gives. */
static int add_object(struct build *g, const char *id, const char *tlp, const char *producer,
                      const char *rorgs, const char *body, const int64_t *colls, size_t n_colls)
{
  (void)id;
  enum tlp_level level = stix_tlp_from_token(tlp);
  if (level == TLP_RED) {
    g->sets->skipped_red++;
    return FS_OK;
  }
  bool all = false;
  uint32_t *orgs = NULL;
  size_t n_orgs = 0, cap_orgs = 0;
  bool wide = tlp_is_community(level);
  for (size_t k = 0; k < n_colls && !all; k++) {
    struct coll_info *ci = coll_of(g, colls[k]);
    if (!ci)
      continue;
    if (wide && (ci->col.kind == POLICY_COLLECTION_SECTOR ||
                 ci->col.kind == POLICY_COLLECTION_SUBMISSIONS)) {
      all = true;
      break;
    }
    /* Candidates: the producer, named recipients, the collection's owner and members, the
     * hub; each is asked of the policy. */
    const char *cand[1024];
    size_t nc = 0;
    char rbuf[4096];
    if (producer && *producer)
      cand[nc++] = producer;
    cand[nc++] = soc_orgs_id(&g->sets->orgs, g->sets->orgs.hub);
    if (ci->col.owner_org[0])
      cand[nc++] = ci->col.owner_org;
    for (size_t m = 0; m < ci->n_members && nc < 900; m++)
      cand[nc++] = ci->members[m];
    nc += intel_split_ids(rorgs, rbuf, sizeof(rbuf), cand + nc, 1024 - nc);
    for (size_t m = 0; m < nc; m++) {
      if (!cand[m] || !org_sees(g, cand[m], ci, tlp, producer, rorgs))
        continue;
      uint32_t num = soc_orgs_number(&g->sets->orgs, cand[m]);
      bool dup = !num;
      for (size_t q = 0; q < n_orgs && !dup; q++)
        dup = orgs[q] == num;
      if (dup)
        continue;
      if (FS_VEC_GROW(orgs, n_orgs, cap_orgs, 16)) {
        free(orgs);
        return fs_err_set(g->err, FS_ERR_NOMEM, "soc", "out of memory");
      }
      orgs[n_orgs++] = num;
    }
  }
  if (!all && !n_orgs) {
    free(orgs);
    return FS_OK; /* nobody's events may match it */
  }
  struct detect_visibility vis = {.all = all, .n = n_orgs, .orgs = orgs};
  json_t *obj = json_loads(body, 0, NULL);
  struct spec_sink k = {g, 0};
  struct detect_stix_outcome out = {.kind = DETECT_STIX_SIMPLE};
  struct fs_err e;
  int rc = obj ? detect_ioc_specs_from_stix(obj, &vis, add_spec, &k, &out, &e) : FS_OK;
  if (rc == FS_ERR_PARSE || rc == FS_ERR_INVALID)
    rc = FS_OK; /* stored objects were validated; a pattern the index cannot use is skipped */
  /* Compound patterns with anchors are evaluated on the events those hit (and counted by the
   * index); the others, and other pattern types, are counted here as skipped. */
  if (out.kind == DETECT_STIX_SKIPPED || out.kind == DETECT_STIX_OTHER)
    g->sets->compound++;
  else if (k.added)
    g->sets->indicators++;
  json_decref(obj);
  free(orgs);
  return rc;
}

struct keep_ctx {
  char (*ids)[300];
  size_t n, cap;
  struct fs_err *err;
};

static int keep_id(const char *id, void *arg)
{
  struct keep_ctx *k = arg;
  if (FS_VEC_GROW(k->ids, k->n, k->cap, 64))
    return fs_err_set(k->err, FS_ERR_NOMEM, "soc", "out of memory");
  snprintf(k->ids[k->n++], 300, "%s", id);
  return FS_OK;
}

/* One indicator's latest version, as intel_latest_each gives it. */
static int add_latest(const struct intel_latest *v, void *arg)
{
  if (v->withheld)
    return FS_OK; /* held back by its score or a warninglist (intel/feed.h): matched by nobody */
  return add_object(arg, v->id, v->tlp, v->producer_org, v->recipient_orgs, v->body, v->colls,
                    v->n_colls);
}

static int cmp_id(const void *a, const void *b)
{
  return strcmp(a, b);
}

/* Incremental builds keep the previous entries of every object not changed since. */
static bool keep_unchanged(void *arg, const char *source_id, enum detect_ioc_type type)
{
  (void)type;
  struct keep_ctx *k = arg;
  return !source_id || !k->n || !bsearch(source_id, k->ids, k->n, sizeof(*k->ids), cmp_id);
}

int soc_sets_build(struct store_conn *c, const struct soc_sets *prev, struct soc_sets **out,
                   struct fs_err *err)
{
  struct soc_sets *sets = calloc(1, sizeof(*sets));
  struct build g = {.c = c, .sets = sets, .err = err};
  int rc = sets ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  int64_t orgs_count = 0;
  if (!rc)
    rc = soc_intel_position(c, &sets->last_seq, &sets->deletes, &orgs_count, err);
  if (!rc)
    rc = soc_orgs_load(c, &sets->orgs, err);
  if (!rc)
    rc = load_colls(&g);
  if (!rc && !(g.b = detect_ioc_builder_new()))
    rc = fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  int64_t after = prev ? prev->last_seq : 0;
  /* Changed objects first (for the keep filter), then the rows. */
  struct keep_ctx keep = {.err = err};
  if (!rc && prev) {
    rc = intel_changed_ids(c, "indicator", after, keep_id, &keep, err);
    if (!rc) {
      rc = detect_ioc_builder_add_index(g.b, prev->ioc, keep_unchanged, &keep, err);
      sets->indicators = prev->indicators;
      sets->compound = prev->compound;
      sets->skipped_red = prev->skipped_red;
    }
  }
  /* The latest version of every indicator changed since `after`, with its collections. */
  if (!rc)
    rc = intel_latest_each(c, "indicator", after, add_latest, &g, err);
  free(keep.ids);
  free_colls(g.colls, g.n_colls);
  if (!rc) {
    sets->ioc = detect_ioc_builder_finish(g.b);
    g.b = NULL;
    if (!sets->ioc)
      rc = fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  }
  detect_ioc_builder_free(g.b);
  if (rc) {
    soc_sets_free(sets);
    return rc;
  }
  *out = sets;
  return FS_OK;
}
