/* The legal clocks: the policy file (defaults, per-industry shortening, file:line errors) and the
 * computation of each clock from recorded event times. */
#include "incident/level.h"

#include "core/buf.h"
#include "core/file.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const incident_clock_names[] = {"report", "review", "recovery", "investigation", NULL};
const char *const incident_clock_state_names[] = {"pending", "running", "overdue",
                                                  "met",     "late",    NULL};

#define HOUR 3600
#define DAY 86400

void incident_policy_defaults(struct incident_policy *p)
{
  memset(p, 0, sizeof(*p));
  struct incident_clock_set *d = &p->def;
  d->report_s = 1 * HOUR;
  d->review_s[0] = d->review_s[1] = 8 * HOUR;
  d->review_s[2] = d->review_s[3] = 2 * HOUR;
  d->recovery_s[0] = d->recovery_s[1] = 72 * HOUR;
  d->recovery_s[2] = d->recovery_s[3] = 36 * HOUR;
  d->investigation_s = 30 * DAY;
}

int incident_duration_parse(const char *s, size_t len, int64_t *secs)
{
  if (len < 2 || len > 12)
    return FS_ERR_PARSE;
  int64_t v = 0;
  size_t i = 0;
  for (; i < len - 1; i++) {
    if (s[i] < '0' || s[i] > '9')
      return FS_ERR_PARSE;
    v = v * 10 + (s[i] - '0');
  }
  int64_t unit;
  switch (s[len - 1]) {
  case 's':
    unit = 1;
    break;
  case 'm':
    unit = 60;
    break;
  case 'h':
    unit = HOUR;
    break;
  case 'd':
    unit = DAY;
    break;
  default:
    return FS_ERR_PARSE;
  }
  if (v <= 0 || v > 366 * (int64_t)DAY / unit)
    return FS_ERR_PARSE;
  *secs = v * unit;
  return FS_OK;
}

void incident_duration_format(int64_t secs, char out[24])
{
  if (secs > 0 && secs % DAY == 0 && secs >= 7 * DAY)
    snprintf(out, 24, "%lldd", (long long)(secs / DAY));
  else if (secs > 0 && secs % HOUR == 0)
    snprintf(out, 24, "%lldh", (long long)(secs / HOUR));
  else if (secs > 0 && secs % 60 == 0)
    snprintf(out, 24, "%lldm", (long long)(secs / 60));
  else
    snprintf(out, 24, "%llds", (long long)secs);
}

/* A section's explicit values, remembered with their lines so that an industry's value can be
 * checked against the default after the whole file is read (sections may come in any order). */
#define NKEYS 10
static const char *const key_names[NKEYS] = {
    "report",      "review_l1",   "review_l2",   "review_l3",   "review_l4",
    "recovery_l1", "recovery_l2", "recovery_l3", "recovery_l4", "investigation"};

struct section_vals {
  char industry[32]; /* "" for [clocks] */
  int64_t v[NKEYS];
  int line[NKEYS]; /* 0: not given */
};

static int64_t *slot(struct incident_clock_set *c, int k)
{
  if (k == 0)
    return &c->report_s;
  if (k <= 4)
    return &c->review_s[k - 1];
  if (k <= 8)
    return &c->recovery_s[k - 5];
  return &c->investigation_s;
}

static int fail_at(struct fs_err *err, const char *name, int line, const char *fmt, ...)
    FS_PRINTF(4, 5);
static int fail_at(struct fs_err *err, const char *name, int line, const char *fmt, ...)
{
  char where[128];
  snprintf(where, sizeof(where), "%.100s:%d", name, line);
  va_list ap;
  va_start(ap, fmt);
  int rc = fs_err_vset(err, FS_ERR_INVALID, where, fmt, ap);
  va_end(ap);
  return rc;
}

static const char *trim(const char *s, const char *e, const char **end)
{
  while (s < e && (*s == ' ' || *s == '\t'))
    s++;
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
    e--;
  *end = e;
  return s;
}

int incident_policy_parse(const char *text, size_t len, const char *name,
                          const char *const *industries, struct incident_policy *out,
                          struct fs_err *err)
{
  incident_policy_defaults(out);
  struct section_vals secs[INCIDENT_POLICY_MAX_INDUSTRIES + 1];
  size_t nsecs = 0;
  struct section_vals *cur = NULL;
  const char *p = text, *end = text + len;
  for (int line = 1; p < end; line++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    if (le - p > 1024)
      return fail_at(err, name, line, "line longer than 1024 bytes");
    if (memchr(p, '\0', (size_t)(le - p)))
      return fail_at(err, name, line, "NUL byte in the line");
    const char *e;
    const char *s = trim(p, le, &e);
    p = nl ? nl + 1 : end;
    if (s == e || *s == ';' || *s == '#')
      continue;
    if (*s == '[') {
      if (e[-1] != ']' || e - s < 3)
        return fail_at(err, name, line, "expected [clocks] or [industry.NAME]");
      size_t n = (size_t)(e - s - 2);
      const char *sec = s + 1;
      char ind[32] = "";
      if (n == 6 && !memcmp(sec, "clocks", 6)) {
        /* the default section */
      } else if (n > 9 && n - 9 < sizeof(ind) && !memcmp(sec, "industry.", 9)) {
        memcpy(ind, sec + 9, n - 9);
        ind[n - 9] = '\0';
        bool known = false;
        for (const char *const *i = industries; i && *i && !known; i++)
          known = !strcmp(*i, ind);
        if (!known) {
          return fail_at(err, name, line, "unknown industry \"%s\"", ind);
        }
      } else {
        return fail_at(err, name, line, "unknown section (expected [clocks] or [industry.NAME])");
      }
      cur = NULL;
      for (size_t i = 0; i < nsecs; i++)
        if (!strcmp(secs[i].industry, ind))
          return fail_at(err, name, line, "section given twice");
      if (nsecs == FS_ARRAY_SIZE(secs))
        return fail_at(err, name, line, "too many sections");
      cur = &secs[nsecs++];
      memset(cur, 0, sizeof(*cur));
      memcpy(cur->industry, ind, sizeof(ind));
      continue;
    }
    const char *eq = memchr(s, '=', (size_t)(e - s));
    if (!eq)
      return fail_at(err, name, line, "expected key = value");
    if (!cur)
      return fail_at(err, name, line, "key outside a section (start with [clocks])");
    const char *ke, *ve;
    const char *k = trim(s, eq, &ke);
    const char *v = trim(eq + 1, e, &ve);
    int key = -1;
    for (int i = 0; i < NKEYS; i++)
      if ((size_t)(ke - k) == strlen(key_names[i]) && !memcmp(k, key_names[i], (size_t)(ke - k)))
        key = i;
    if (key < 0) {
      return fail_at(err, name, line,
                     "unknown key \"%.*s\" (report, review_l1..4, recovery_l1..4, investigation)",
                     (int)FS_MIN(ke - k, 40), k);
    }
    if (cur->line[key]) {
      return fail_at(err, name, line, "\"%s\" given twice (first at line %d)", key_names[key],
                     cur->line[key]);
    }
    int64_t secs_v;
    if (incident_duration_parse(v, (size_t)(ve - v), &secs_v)) {
      return fail_at(err, name, line, "\"%.*s\" is not a duration (like 30m, 36h, 30d)",
                     (int)FS_MIN(ve - v, 40), v);
    }
    cur->v[key] = secs_v;
    cur->line[key] = line;
  }
  /* The defaults first, then each industry on top of them. */
  for (size_t i = 0; i < nsecs; i++)
    if (!secs[i].industry[0])
      for (int k = 0; k < NKEYS; k++)
        if (secs[i].line[k])
          *slot(&out->def, k) = secs[i].v[k];
  for (size_t i = 0; i < nsecs; i++) {
    if (!secs[i].industry[0])
      continue;
    struct incident_clock_set c = out->def;
    for (int k = 0; k < NKEYS; k++) {
      if (!secs[i].line[k])
        continue;
      if (secs[i].v[k] > *slot(&out->def, k)) {
        char def[24];
        incident_duration_format(*slot(&out->def, k), def);
        return fail_at(
            err, name, secs[i].line[k],
            "%.40s for %.40s is longer than the default %s: an industry may only shorten "
            "a clock",
            key_names[k], secs[i].industry, def);
      }
      *slot(&c, k) = secs[i].v[k];
    }
    memcpy(out->industries[out->nindustries].industry, secs[i].industry, 32);
    out->industries[out->nindustries++].clocks = c;
  }
  return FS_OK;
}

int incident_policy_load(const char *path, const char *const *industries,
                         struct incident_policy *out, struct fs_err *err)
{
  if (!path || !*path || !fs_path_exists(path)) {
    incident_policy_defaults(out);
    return FS_OK;
  }
  struct fs_buf b;
  fs_buf_init(&b, 256 * 1024);
  int rc = fs_file_read_all(path, &b, err);
  if (!rc)
    rc = incident_policy_parse(fs_buf_cstr(&b), b.len, path, industries, out, err);
  fs_buf_release(&b);
  return rc;
}

const struct incident_clock_set *incident_policy_clocks(const struct incident_policy *p,
                                                        const char *industry)
{
  for (size_t i = 0; industry && i < p->nindustries; i++)
    if (!strcmp(p->industries[i].industry, industry))
      return &p->industries[i].clocks;
  return &p->def;
}

static void run_clock(struct incident_clock *c, int64_t start, int64_t dur_s, int64_t met,
                      int64_t now)
{
  memset(c, 0, sizeof(*c));
  c->state = INCIDENT_CLOCK_PENDING;
  if (!start)
    return;
  c->started = start;
  c->due = start + dur_s * 1000;
  if (met) {
    c->met = met;
    c->state = met <= c->due ? INCIDENT_CLOCK_MET : INCIDENT_CLOCK_LATE;
    return;
  }
  c->left_ms = c->due - now;
  c->state = c->left_ms >= 0 ? INCIDENT_CLOCK_RUNNING : INCIDENT_CLOCK_OVERDUE;
}

void incident_clocks_compute(const struct incident_clock_set *cs, const struct incident_times *t,
                             int64_t now, struct incident_clock out[INCIDENT_CLOCK__COUNT])
{
  int li = t->level >= 1 && t->level <= 4 ? t->level - 1 : 0;
  run_clock(&out[INCIDENT_CLOCK_REPORT], t->aware, cs->report_s, t->reported, now);
  run_clock(&out[INCIDENT_CLOCK_REVIEW], t->reported, cs->review_s[li], t->level_reviewed, now);
  int64_t controlled = t->contained;
  if (t->recovered && (!controlled || t->recovered < controlled))
    controlled = t->recovered;
  run_clock(&out[INCIDENT_CLOCK_RECOVERY], t->reported ? t->aware : 0, cs->recovery_s[li],
            controlled, now);
  run_clock(&out[INCIDENT_CLOCK_INVESTIGATION], t->recovered, cs->investigation_s,
            t->report_submitted, now);
  for (int k = 0; k < INCIDENT_CLOCK__COUNT; k++)
    out[k].kind = (enum incident_clock_kind)k;
}
