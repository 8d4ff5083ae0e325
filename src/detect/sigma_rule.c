/* A Sigma rule from its YAML document: metadata, logsource, selections with their items and
 * modifiers (every one of specification v2.1), and correlation definitions. */
#include "detect/sigma_int.h"

#include "core/vec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHY(...) fs_err_set(why, FS_ERR_INVALID, "", __VA_ARGS__)

void *sigma_vec_push(void **data, size_t *n, size_t *cap, size_t elem)
{
  if (fs_vec_grow(data, *n, cap, elem, 16))
    return NULL;
  void *e = (char *)*data + *n * elem;
  memset(e, 0, elem);
  (*n)++;
  return e;
}

/* The text of a scalar for matching: numbers and booleans as written. */
static bool scalar_text(const struct sy_node *v, const char **s, size_t *n)
{
  if (!v || v->kind != SY_SCALAR)
    return false;
  *s = v->s;
  *n = v->len;
  return true;
}

static bool parse_number(const char *s, double *out)
{
  char *end;
  if (!*s)
    return false;
  *out = strtod(s, &end);
  return !*end && isfinite(*out);
}

/* ---- items and selections ----------------------------------------------------------------- */

static int add_special(struct detect_sigma_set *s, struct sigma_special_value v)
{
  struct sigma_special_value *p = SIGMA_PUSH(s, specials);
  if (!p)
    return FS_ERR_NOMEM;
  *p = v;
  return FS_OK;
}

static int add_value(struct detect_sigma_loader *l, struct sigma_item *it,
                     const struct sigma_mods *m, bool keyword, const struct sy_node *v,
                     struct fs_err *why)
{
  struct detect_sigma_set *s = l->set;
  const char *text = "";
  size_t len = 0;
  double num;
  struct sigma_special_value sv = {0};
  if (v->kind != SY_SCALAR)
    return WHY("line %u: a value must be a scalar", v->line);
  if (sy_is_null(v)) {
    sv.type = SS_NULL;
    return add_special(s, sv);
  }
  scalar_text(v, &text, &len);
  if (m->bits & SMOD_EXISTS) {
    if (strcmp(text, "true") && strcmp(text, "false"))
      return WHY("line %u: |exists takes true or false", v->line);
    sv.type = SS_EXISTS;
    sv.num = !strcmp(text, "true");
    return add_special(s, sv);
  }
  if (m->bits & (SMOD_CMP | SMOD_TIME)) {
    if (!parse_number(text, &num))
      return WHY("line %u: \"%s\" is not a number", v->line, text);
    sv.type = (m->bits & SMOD_CMP) ? m->cmp : SS_TIMEPART;
    sv.part = m->part;
    sv.num = num;
    return add_special(s, sv);
  }
  if (m->bits & SMOD_CIDR) {
    if (!detect_ip_parse(text, len, true, &sv.ip))
      return WHY("line %u: \"%s\" is not a CIDR range", v->line, text);
    sv.type = SS_CIDR;
    return add_special(s, sv);
  }
  if (m->bits & SMOD_FIELDREF) {
    sv.type = SS_FIELDREF;
    sv.kind = (m->bits & SMOD_CONTAINS) ? SK_CONTAINS
              : (m->bits & SMOD_STARTS) ? SK_STARTS
              : (m->bits & SMOD_ENDS)   ? SK_ENDS
                                        : SK_EXACT;
    sv.cased = m->bits & SMOD_CASED;
    if ((sv.ref = sigma_field_id(s, text, len, true)) < 0)
      return FS_ERR_NOMEM;
    return add_special(s, sv);
  }
  struct sigma_matcher mt = {.item = (uint32_t)(it - s->items)};
  if (m->bits & SMOD_RE) {
    mt.kind = SK_RE;
    mt.flags = (uint8_t)(((m->bits & SMOD_I) ? SMF_RE_I : 0) | ((m->bits & SMOD_M) ? SMF_RE_M : 0) |
                         ((m->bits & SMOD_S) ? SMF_RE_S : 0));
    mt.npats = 1;
    mt.pats = fs_arena_calloc(&s->arena, sizeof(*mt.pats));
    if (!mt.pats || !(mt.pats->text = fs_arena_strndup(&s->arena, text, len)))
      return FS_ERR_NOMEM;
    mt.pats->len = (uint32_t)len;
  } else {
    mt.kind = (m->bits & SMOD_CONTAINS) ? SK_CONTAINS
              : (m->bits & SMOD_STARTS) ? SK_STARTS
              : (m->bits & SMOD_ENDS)   ? SK_ENDS
              : keyword                 ? SK_CONTAINS
                                        : SK_EXACT;
    mt.flags = (m->bits & SMOD_CASED) ? SMF_CASED : 0;
    if (!m->ntransforms && (len == 0 || (len == 1 && text[0] == '*'))) {
      sv.type = (len == 0 && mt.kind == SK_EXACT) ? SS_EMPTY : SS_ANY;
      return add_special(s, sv);
    }
    struct sigma_variant vars[SIGMA_MAX_VARIANTS];
    size_t nvars;
    int rc = sigma_transform(l, m, text, len, vars, &nvars, why);
    if (rc)
      return rc;
    if (!nvars)
      return WHY("line %u: the value has no form left after its modifiers", v->line);
    mt.npats = (uint16_t)nvars;
    mt.pats = fs_arena_calloc(&s->arena, nvars * sizeof(*mt.pats));
    if (!mt.pats)
      return FS_ERR_NOMEM;
    for (size_t k = 0; k < nvars; k++) {
      if (!(mt.pats[k].text = fs_arena_strndup(&s->arena, vars[k].text, vars[k].len)))
        return FS_ERR_NOMEM;
      mt.pats[k].len = (uint32_t)vars[k].len;
      mt.pats[k].literal = vars[k].literal;
    }
  }
  struct sigma_matcher *p = SIGMA_PUSH(s, matchers);
  if (!p)
    return FS_ERR_NOMEM;
  *p = mt;
  return FS_OK;
}

/* One "Field|mods: values" pair (or keywords when key is NULL). */
static int add_item(struct detect_sigma_loader *l, uint32_t rule, const char *key,
                    const struct sy_node *vals, struct fs_err *why)
{
  struct detect_sigma_set *s = l->set;
  struct sigma_mods m;
  size_t klen = key ? strlen(key) : 0;
  int rc = sigma_parse_mods(key ? key : "", klen, &m, why);
  if (rc)
    return rc;
  const char *bar = key ? memchr(key, '|', klen) : NULL;
  size_t flen = bar ? (size_t)(bar - key) : klen;
  int32_t field = sigma_field_id(s, key ? key : "", flen, true);
  if (field < 0)
    return FS_ERR_NOMEM;
  struct sigma_item *it = SIGMA_PUSH(s, items);
  if (!it)
    return FS_ERR_NOMEM;
  it->field = field;
  it->rule = rule;
  it->first_matcher = (uint32_t)s->n_matchers;
  it->first_special = (uint32_t)s->n_specials;
  it->all = m.bits & SMOD_ALL;
  it->neq = m.bits & SMOD_NEQ;
  if (vals->kind == SY_MAP)
    return WHY("line %u: a field's value cannot be a map", vals->line);
  size_t n = vals->kind == SY_SEQ ? vals->n : 1;
  if (!n)
    return WHY("line %u: an empty list of values", vals->line);
  for (size_t i = 0; i < n; i++) {
    it = &s->items[s->n_items - 1]; /* the vectors may move */
    rc = add_value(l, it, &m, field == 0, vals->kind == SY_SEQ ? vals->kids[i] : vals, why);
    if (rc)
      return rc;
  }
  it = &s->items[s->n_items - 1];
  it->nmatchers = (uint32_t)s->n_matchers - it->first_matcher;
  it->nspecial = (uint32_t)s->n_specials - it->first_special;
  it->indexed = it->nspecial == 0 && !it->neq;
  return FS_OK;
}

static int add_group_map(struct detect_sigma_loader *l, uint32_t rule, const struct sy_node *map,
                         struct fs_err *why)
{
  struct detect_sigma_set *s = l->set;
  struct sigma_group *g = SIGMA_PUSH(s, groups);
  if (!g)
    return FS_ERR_NOMEM;
  uint32_t gi = (uint32_t)(s->n_groups - 1);
  g->first_item = (uint32_t)s->n_items;
  if (!map->n)
    return WHY("line %u: an empty selection", map->line);
  for (size_t i = 0; i + 1 < map->n; i += 2) {
    if (map->kids[i]->kind != SY_SCALAR)
      return WHY("line %u: a field name must be a scalar", map->kids[i]->line);
    int rc = add_item(l, rule, map->kids[i]->s, map->kids[i + 1], why);
    if (rc)
      return rc;
  }
  s->groups[gi].nitems = (uint32_t)s->n_items - s->groups[gi].first_item;
  return FS_OK;
}

static int add_selection(struct detect_sigma_loader *l, uint32_t rule, struct sigma_sel *sel,
                         const struct sy_node *node, struct fs_err *why)
{
  struct detect_sigma_set *s = l->set;
  sel->first_group = (uint32_t)s->n_groups;
  int rc = FS_OK;
  if (node->kind == SY_MAP) {
    rc = add_group_map(l, rule, node, why);
  } else if (node->kind == SY_SEQ) {
    size_t maps = 0;
    for (size_t i = 0; i < node->n; i++)
      maps += node->kids[i]->kind == SY_MAP;
    if (maps && maps != node->n)
      return WHY("line %u: selection mixes maps and values", node->line);
    if (!node->n)
      return WHY("line %u: an empty selection", node->line);
    for (size_t i = 0; maps && i < node->n && !rc; i++)
      rc = add_group_map(l, rule, node->kids[i], why);
    if (!maps) { /* keywords */
      struct sigma_group *g = SIGMA_PUSH(s, groups);
      if (!g)
        return FS_ERR_NOMEM;
      g->first_item = (uint32_t)s->n_items;
      g->nitems = 1;
      rc = add_item(l, rule, NULL, node, why);
    }
  } else if (!sy_is_null(node)) {
    struct sigma_group *g = SIGMA_PUSH(s, groups);
    if (!g)
      return FS_ERR_NOMEM;
    g->first_item = (uint32_t)s->n_items;
    g->nitems = 1;
    rc = add_item(l, rule, NULL, node, why);
  } else {
    return WHY("line %u: selection %.100s is empty", node->line, sel->name);
  }
  sel->ngroups = (uint32_t)s->n_groups - sel->first_group;
  return rc;
}

/* ---- correlation -------------------------------------------------------------------------- */

static const char *copy_str(struct detect_sigma_set *s, const struct sy_node *n)
{
  return n && n->kind == SY_SCALAR ? fs_arena_strdup(&s->arena, n->s) : NULL;
}

static int str_list(struct detect_sigma_set *s, const struct sy_node *n, const char ***out,
                    size_t *count)
{
  *out = NULL;
  *count = 0;
  if (!n)
    return FS_OK;
  size_t k = n->kind == SY_SEQ ? n->n : 1;
  *out = fs_arena_calloc(&s->arena, (k + 1) * sizeof(**out));
  if (!*out)
    return FS_ERR_NOMEM;
  for (size_t i = 0; i < k; i++) {
    const struct sy_node *e = n->kind == SY_SEQ ? n->kids[i] : n;
    if (e->kind != SY_SCALAR || !((*out)[i] = fs_arena_strdup(&s->arena, e->s)))
      return e->kind != SY_SCALAR ? FS_ERR_INVALID : FS_ERR_NOMEM;
  }
  *count = k;
  return FS_OK;
}

static bool parse_timespan(const char *t, int64_t *ms)
{
  char *end;
  double v = strtod(t, &end);
  static const struct {
    const char *unit;
    int64_t ms;
  } units[] = {{"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}, {"w", 604800000}};
  if (end == t || v <= 0)
    return false;
  for (size_t i = 0; i < FS_ARRAY_SIZE(units); i++)
    if (!strcmp(end, units[i].unit)) {
      *ms = (int64_t)(v * (double)units[i].ms);
      return true;
    }
  return false;
}

static int parse_correlation(struct detect_sigma_set *s, struct sigma_rule *r,
                             const struct sy_node *c, struct fs_err *why)
{
  static const char *const types[] = {"event_count",     "value_count",      "value_sum",
                                      "value_avg",       "value_percentile", "temporal",
                                      "temporal_ordered"};
  struct sigma_corr_def *d = fs_arena_calloc(&s->arena, sizeof(*d));
  if (!d)
    return FS_ERR_NOMEM;
  r->corr = d;
  const struct sy_node *t = sy_get(c, "type");
  size_t k = 0;
  for (; t && t->kind == SY_SCALAR && k < FS_ARRAY_SIZE(types); k++)
    if (!strcmp(t->s, types[k]))
      break;
  if (!t || k == FS_ARRAY_SIZE(types))
    return WHY("correlation type missing or unknown");
  d->type = (uint8_t)k;
  if (str_list(s, sy_get(c, "rules"), &d->refs, &d->nrefs) || !d->nrefs)
    return WHY("correlation without rules");
  if (str_list(s, sy_get(c, "group-by"), &d->group_by, &d->ngroup))
    return WHY("correlation group-by must be a list of field names");
  const struct sy_node *ts = sy_get(c, "timespan");
  if (!ts || ts->kind != SY_SCALAR || !parse_timespan(ts->s, &d->timespan_ms))
    return WHY("correlation timespan missing or not like 5m, 1h, 2d");
  const struct sy_node *g = sy_get(c, "generate");
  d->generate = g && g->kind == SY_SCALAR && !strcmp(g->s, "true");
  const struct sy_node *cond = sy_get(c, "condition");
  d->op = 255;
  if (cond && cond->kind == SY_MAP) {
    static const char *const ops[] = {"lt", "lte", "gt", "gte", "eq", "neq"};
    static const uint8_t codes[] = {SS_LT, SS_LTE, SS_GT, SS_GTE, 6, 7};
    for (size_t i = 0; i + 1 < cond->n; i += 2) {
      const char *key = cond->kids[i]->s;
      const struct sy_node *v = cond->kids[i + 1];
      if (!strcmp(key, "field")) {
        d->value_field = copy_str(s, v);
        continue;
      }
      if (!strcmp(key, "percentile")) {
        if (!parse_number(v->s, &d->percentile))
          return WHY("correlation percentile must be a number");
        continue;
      }
      size_t o = 0;
      for (; o < FS_ARRAY_SIZE(ops); o++)
        if (!strcmp(key, ops[o]))
          break;
      if (o == FS_ARRAY_SIZE(ops) || v->kind != SY_SCALAR || !parse_number(v->s, &d->threshold))
        return WHY("correlation condition \"%s\" is not one of gt, gte, lt, lte, eq, neq with "
                   "a number",
                   key);
      d->op = codes[o];
    }
  } else if (cond) {
    return WHY("correlation condition must be a map");
  }
  if (d->op == 255 && d->type != SCT_TEMPORAL && d->type != SCT_TEMPORAL_ORDERED)
    return WHY("correlation condition missing");
  if (d->type >= SCT_VALUE_COUNT && d->type <= SCT_VALUE_PERCENTILE && !d->value_field)
    return WHY("%s needs condition.field", types[d->type]);
  const struct sy_node *al = sy_get(c, "aliases");
  if (al && al->kind == SY_MAP) {
    d->naliases = al->n / 2;
    d->alias_names = fs_arena_calloc(&s->arena, d->naliases * sizeof(char *));
    d->alias_fields = fs_arena_calloc(&s->arena, d->naliases * sizeof(char **));
    if (!d->alias_names || !d->alias_fields)
      return FS_ERR_NOMEM;
    for (size_t i = 0; i < d->naliases; i++) {
      d->alias_names[i] = copy_str(s, al->kids[2 * i]);
      const struct sy_node *m = al->kids[2 * i + 1];
      d->alias_fields[i] = fs_arena_calloc(&s->arena, d->nrefs * sizeof(char *));
      if (!d->alias_names[i] || !d->alias_fields[i] || m->kind != SY_MAP)
        return m->kind != SY_MAP ? WHY("correlation alias must map rules to fields") : FS_ERR_NOMEM;
      for (size_t j = 0; j + 1 < m->n; j += 2)
        for (size_t rr = 0; rr < d->nrefs; rr++)
          if (!strcmp(m->kids[j]->s, d->refs[rr]))
            d->alias_fields[i][rr] = copy_str(s, m->kids[j + 1]);
    }
  }
  return FS_OK;
}

/* ---- the rule ----------------------------------------------------------------------------- */

int sigma_rule_from_yaml(struct detect_sigma_loader *l, const struct sy_node *doc, const char *file,
                         struct fs_err *why)
{
  struct detect_sigma_set *s = l->set;
  size_t n_rules = s->n_rules, n_items = s->n_items, n_groups = s->n_groups,
         n_matchers = s->n_matchers, n_specials = s->n_specials;
  int rc;
  if (doc->kind != SY_MAP) {
    rc = WHY("a rule must be a YAML map");
    goto undo;
  }
  struct sigma_rule *r = SIGMA_PUSH(s, rules);
  if (!r) {
    rc = FS_ERR_NOMEM;
    goto undo;
  }
  uint32_t ri = (uint32_t)(s->n_rules - 1);
  r->file = fs_arena_strdup(&s->arena, file);
  r->line = doc->line;
  r->id = copy_str(s, sy_get(doc, "id"));
  r->name = copy_str(s, sy_get(doc, "name"));
  r->title = copy_str(s, sy_get(doc, "title"));
  r->level = copy_str(s, sy_get(doc, "level"));
  r->status = copy_str(s, sy_get(doc, "status"));
  const struct sy_node *ls = sy_get(doc, "logsource");
  r->product = copy_str(s, sy_get(ls, "product"));
  r->category = copy_str(s, sy_get(ls, "category"));
  r->service = copy_str(s, sy_get(ls, "service"));
  if (!r->title) {
    rc = WHY("a rule needs a title");
    goto undo;
  }
  const struct sy_node *corr = sy_get(doc, "correlation");
  if (corr) {
    rc = parse_correlation(s, r, corr, why);
    if (rc)
      goto undo;
    return FS_OK;
  }
  const struct sy_node *det = sy_get(doc, "detection");
  if (!det || det->kind != SY_MAP) {
    bool collection = sy_get(doc, "action") != NULL;
    rc = WHY(collection ? "Sigma 1 rule collections (action:) are not taken"
                        : "a rule needs a detection map");
    goto undo;
  }
  if (!ls) {
    rc = WHY("a rule needs a logsource");
    goto undo;
  }
  size_t nsel = 0;
  for (size_t i = 0; i + 1 < det->n; i += 2)
    nsel += strcmp(det->kids[i]->s, "condition") && strcmp(det->kids[i]->s, "timeframe");
  struct sigma_sel *sels = fs_arena_calloc(&s->arena, (nsel + 1) * sizeof(*sels));
  if (!sels) {
    rc = FS_ERR_NOMEM;
    goto undo;
  }
  size_t k = 0;
  for (size_t i = 0; i + 1 < det->n; i += 2) {
    const char *name = det->kids[i]->s;
    if (!strcmp(name, "condition") || !strcmp(name, "timeframe"))
      continue;
    sels[k].name = fs_arena_strdup(&s->arena, name);
    if (!sels[k].name) {
      rc = FS_ERR_NOMEM;
      goto undo;
    }
    rc = add_selection(l, ri, &sels[k], det->kids[i + 1], why);
    if (rc) {
      if (rc == FS_ERR_INVALID)
        fs_err_set(why, FS_ERR_INVALID, "", "selection %.100s: %s", name, why->msg);
      goto undo;
    }
    k++;
  }
  r = &s->rules[ri];
  r->sels = sels;
  r->nsels = (uint32_t)nsel;
  if (sy_get(det, "timeframe")) {
    rc = WHY("timeframe with an aggregation is Sigma 1 syntax (use a correlation rule)");
    goto undo;
  }
  const struct sy_node *cond = sy_get(det, "condition");
  if (!cond) {
    rc = WHY("detection without a condition");
    goto undo;
  }
  char text[4096];
  size_t tl = 0;
  size_t nc = cond->kind == SY_SEQ ? cond->n : 1;
  for (size_t i = 0; i < nc; i++) { /* a list of conditions: any of them */
    const struct sy_node *c = cond->kind == SY_SEQ ? cond->kids[i] : cond;
    if (c->kind != SY_SCALAR) {
      rc = WHY("condition must be text");
      goto undo;
    }
    if (strchr(c->s, '|')) {
      rc = WHY("condition: aggregations (| count() ...) are Sigma 1 syntax (use a correlation "
               "rule)");
      goto undo;
    }
    tl += (size_t)snprintf(text + tl, sizeof(text) - FS_MIN(tl, sizeof(text)), "%s(%s)",
                           i ? " or " : "", c->s);
  }
  if (tl >= sizeof(text)) {
    rc = WHY("condition longer than 4096 bytes");
    goto undo;
  }
  rc = sigma_cond_parse(s, r, text, why);
  if (rc)
    goto undo;
  return FS_OK;
undo:
  s->n_rules = n_rules;
  s->n_items = n_items;
  s->n_groups = n_groups;
  s->n_matchers = n_matchers;
  s->n_specials = n_specials;
  if (rc == FS_ERR_NOMEM)
    fs_err_set(why, FS_ERR_NOMEM, "", "out of memory");
  return rc;
}
