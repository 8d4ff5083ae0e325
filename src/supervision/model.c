/* The incentive-score model: a small INI file ([model], [rule NAME], [tier NAME]) read by our own
 * line reader, so that every error names the line. Pure except sup_model_load. */
#include "supervision/supervision.h"

#include "core/buf.h"
#include "core/file.h"
#include "resilience/expr.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char finshield_score_isf_2018[];
extern const size_t finshield_score_isf_2018_len;

#define MODEL_MAX_BYTES (256 * 1024)
#define MODEL_MAX_LINE 1024

enum section { SEC_NONE, SEC_MODEL, SEC_RULE, SEC_TIER };

static void trim(char *s)
{
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    s[--n] = '\0';
  size_t i = 0;
  while (s[i] == ' ' || s[i] == '\t')
    i++;
  memmove(s, s + i, n - i + 1);
}

static int set_text(char *dst, size_t n, const char *v, const char *where, const char *key,
                    struct fs_err *err)
{
  if (strlen(v) >= n)
    return fs_err_set(err, FS_ERR_INVALID, where, "%s is longer than %zu bytes", key, n - 1);
  snprintf(dst, n, "%s", v);
  return FS_OK;
}

static int set_num(double *dst, const char *v, double min, double max, const char *where,
                   const char *key, struct fs_err *err)
{
  char *end;
  errno = 0;
  double x = strtod(v, &end);
  if (!*v || *end || errno || !isfinite(x) || x < min || x > max)
    return fs_err_set(err, FS_ERR_INVALID, where, "%s must be a number from %g to %g", key, min,
                      max);
  *dst = x;
  return FS_OK;
}

static int check_expr(const char *v, bool optional, const char *where, const char *key,
                      struct fs_err *err)
{
  if (!*v && optional)
    return FS_OK;
  struct expr_value out;
  struct fs_err e;
  if (expr_eval(v, strlen(v), NULL, NULL, &out, &e))
    return fs_err_set(err, FS_ERR_INVALID, where, "%s does not parse at %s: %s", key, e.where,
                      e.msg);
  return FS_OK;
}

static int assign(struct sup_model *m, enum section sec, const char *key, const char *v,
                  const char *where, struct fs_err *err)
{
  if (sec == SEC_MODEL) {
    if (!strcmp(key, "name"))
      return set_text(m->name, sizeof(m->name), v, where, key, err);
    if (!strcmp(key, "title_en"))
      return set_text(m->title_en, sizeof(m->title_en), v, where, key, err);
    if (!strcmp(key, "title_zh"))
      return set_text(m->title_zh, sizeof(m->title_zh), v, where, key, err);
    if (!strcmp(key, "note_en"))
      return set_text(m->note_en, sizeof(m->note_en), v, where, key, err);
    if (!strcmp(key, "note_zh"))
      return set_text(m->note_zh, sizeof(m->note_zh), v, where, key, err);
    if (!strcmp(key, "base"))
      return set_num(&m->base, v, -1000, 1000, where, key, err);
    if (!strcmp(key, "min"))
      return set_num(&m->min, v, -1000, 1000, where, key, err);
    if (!strcmp(key, "max"))
      return set_num(&m->max, v, -1000, 1000, where, key, err);
    if (!strcmp(key, "period_days")) {
      double d = 0;
      int rc = set_num(&d, v, 1, 3660, where, key, err);
      m->period_days = (int64_t)d;
      return rc;
    }
  } else if (sec == SEC_RULE) {
    struct sup_rule *r = &m->rules[m->nrules - 1];
    if (!strcmp(key, "label_en"))
      return set_text(r->label_en, sizeof(r->label_en), v, where, key, err);
    if (!strcmp(key, "label_zh"))
      return set_text(r->label_zh, sizeof(r->label_zh), v, where, key, err);
    if (!strcmp(key, "when")) {
      int rc = set_text(r->when, sizeof(r->when), v, where, key, err);
      return rc ? rc : check_expr(v, false, where, key, err);
    }
    if (!strcmp(key, "points")) {
      int rc = set_text(r->points, sizeof(r->points), v, where, key, err);
      return rc ? rc : check_expr(v, false, where, key, err);
    }
  } else if (sec == SEC_TIER) {
    struct sup_tier *t = &m->tiers[m->ntiers - 1];
    if (!strcmp(key, "label_en"))
      return set_text(t->label_en, sizeof(t->label_en), v, where, key, err);
    if (!strcmp(key, "label_zh"))
      return set_text(t->label_zh, sizeof(t->label_zh), v, where, key, err);
    if (!strcmp(key, "min_score"))
      return set_num(&t->min_score, v, -1000, 1000, where, key, err);
    if (!strcmp(key, "rate_percent"))
      return set_num(&t->rate_percent, v, 0, 100, where, key, err);
    if (!strcmp(key, "discount_percent"))
      return set_num(&t->discount_percent, v, 0, 100, where, key, err);
  } else {
    return fs_err_set(err, FS_ERR_INVALID, where, "%s is outside a section", key);
  }
  return fs_err_set(err, FS_ERR_INVALID, where, "unknown key %s", key);
}

static bool name_ok(const char *s)
{
  if (!*s)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '-' || *s == '_' || *s == '+'))
      return false;
  return true;
}

static int cmp_tier(const void *a, const void *b)
{
  double x = ((const struct sup_tier *)a)->min_score, y = ((const struct sup_tier *)b)->min_score;
  return x < y ? 1 : x > y ? -1 : 0;
}

int sup_model_parse(const char *text, size_t len, const char *name, struct sup_model *m,
                    struct fs_err *err)
{
  memset(m, 0, sizeof(*m));
  m->max = 100;
  m->period_days = 365;
  if (len > MODEL_MAX_BYTES)
    return fs_err_set(err, FS_ERR_TOO_LARGE, name, "the model is larger than %d bytes",
                      MODEL_MAX_BYTES);
  enum section sec = SEC_NONE;
  bool seen_model = false;
  size_t lineno = 0, i = 0;
  char line[MODEL_MAX_LINE + 2], where[160];
  while (i < len) {
    lineno++;
    size_t start = i;
    while (i < len && text[i] != '\n')
      i++;
    size_t n = i - start;
    if (i < len)
      i++;
    snprintf(where, sizeof(where), "%.100s:%zu", name, lineno);
    if (n > MODEL_MAX_LINE)
      return fs_err_set(err, FS_ERR_INVALID, where, "the line is longer than %d bytes",
                        MODEL_MAX_LINE);
    memcpy(line, text + start, n);
    line[n] = '\0';
    if (memchr(line, '\0', n))
      return fs_err_set(err, FS_ERR_INVALID, where, "the line holds a NUL byte");
    trim(line);
    if (!line[0] || line[0] == '#' || line[0] == ';')
      continue;
    if (line[0] == '[') {
      char *close = strchr(line, ']');
      if (!close || close[1])
        return fs_err_set(err, FS_ERR_INVALID, where,
                          "a section is written [model], [rule NAME] or [tier NAME]");
      *close = '\0';
      char *sname = line + 1;
      trim(sname);
      if (!strcmp(sname, "model")) {
        sec = SEC_MODEL;
        seen_model = true;
        continue;
      }
      bool rule = !strncmp(sname, "rule ", 5), tier = !strncmp(sname, "tier ", 5);
      if (!rule && !tier)
        return fs_err_set(err, FS_ERR_INVALID, where, "unknown section [%.40s]", sname);
      char *nm = sname + 5;
      trim(nm);
      if (!name_ok(nm) ||
          strlen(nm) >= (rule ? sizeof(m->rules[0].name) : sizeof(m->tiers[0].name)))
        return fs_err_set(err, FS_ERR_INVALID, where,
                          "a %s name is letters, digits, '-', '_' or '+'", rule ? "rule" : "tier");
      if (rule) {
        if (m->nrules == SUP_MAX_RULES)
          return fs_err_set(err, FS_ERR_INVALID, where, "at most %d rules", SUP_MAX_RULES);
        for (size_t k = 0; k < m->nrules; k++)
          if (!strcmp(m->rules[k].name, nm))
            return fs_err_set(err, FS_ERR_INVALID, where, "rule %s is defined twice", nm);
        snprintf(m->rules[m->nrules++].name, sizeof(m->rules[0].name), "%s", nm);
        sec = SEC_RULE;
      } else {
        if (m->ntiers == SUP_MAX_TIERS)
          return fs_err_set(err, FS_ERR_INVALID, where, "at most %d tiers", SUP_MAX_TIERS);
        for (size_t k = 0; k < m->ntiers; k++)
          if (!strcmp(m->tiers[k].name, nm))
            return fs_err_set(err, FS_ERR_INVALID, where, "tier %s is defined twice", nm);
        snprintf(m->tiers[m->ntiers++].name, sizeof(m->tiers[0].name), "%s", nm);
        sec = SEC_TIER;
      }
      continue;
    }
    char *eq = strchr(line, '=');
    if (!eq)
      return fs_err_set(err, FS_ERR_INVALID, where, "expected key = value");
    *eq = '\0';
    char *key = line, *v = eq + 1;
    trim(key);
    trim(v);
    int rc = assign(m, sec, key, v, where, err);
    if (rc)
      return rc;
  }
  if (!seen_model || !m->name[0])
    return fs_err_set(err, FS_ERR_INVALID, name, "the model needs a [model] section with a name");
  if (m->min > m->max)
    return fs_err_set(err, FS_ERR_INVALID, name, "min is above max");
  for (size_t k = 0; k < m->nrules; k++)
    if (!m->rules[k].points[0])
      return fs_err_set(err, FS_ERR_INVALID, name, "rule %s has no points", m->rules[k].name);
  if (!m->ntiers)
    return fs_err_set(err, FS_ERR_INVALID, name, "the model needs at least one [tier NAME]");
  qsort(m->tiers, m->ntiers, sizeof(m->tiers[0]), cmp_tier);
  if (m->tiers[m->ntiers - 1].min_score > m->min)
    return fs_err_set(
        err, FS_ERR_INVALID, name,
        "the lowest tier (%s) must start at the model's min (%g) so that every score has a tier",
        m->tiers[m->ntiers - 1].name, m->min);
  return FS_OK;
}

int sup_model_builtin(struct sup_model *m, struct fs_err *err)
{
  return sup_model_parse((const char *)finshield_score_isf_2018, finshield_score_isf_2018_len,
                         "built-in score-isf-2018.ini", m, err);
}

int sup_model_load(const char *path, struct sup_model *m, struct fs_err *err)
{
  if (!path || !*path || !fs_path_exists(path))
    return sup_model_builtin(m, err);
  struct fs_buf b;
  fs_buf_init(&b, MODEL_MAX_BYTES);
  int rc = fs_file_read_all(path, &b, err);
  if (!rc)
    rc = sup_model_parse(b.data ? b.data : "", b.len, path, m, err);
  fs_buf_release(&b);
  return rc;
}

int sup_settings_load(const struct fs_config *cfg, struct sup_settings **out, struct fs_err *err)
{
  struct sup_settings *s = calloc(1, sizeof(*s));
  if (!s)
    return fs_err_set(err, FS_ERR_NOMEM, "supervision", "out of memory");
  char path[FS_CONFIG_PATH_MAX + 64];
  int rc = incident_env_load(&s->incident, cfg, err);
  if (!rc && fs_config_path(cfg, cfg->supervision_score_policy_file, path, sizeof(path)))
    rc = fs_err_set(err, FS_ERR_INVALID, "supervision.score_policy_file", "the path is too long");
  if (!rc)
    rc = sup_model_load(path, &s->model, err);
  if (rc) {
    free(s);
    return rc;
  }
  s->env.incident = &s->incident;
  s->env.model = &s->model;
  s->env.drill_period_days = cfg->resilience_drill_period_days;
  *out = s;
  return FS_OK;
}
