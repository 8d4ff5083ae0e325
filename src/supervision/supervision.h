/* Supervision (資安監理): what the supervisor asks of the registers, drills, exercises and
 * incidents. Facts of an institution as of a date (facts.c), the tiered requirement sets that
 * apply to it and whether it meets them (compliance.c), the incentive score of a configurable,
 * explainable model (model.c, score.c), and the supervisor's periodic report by industry and tier
 * in HTML with SVG charts and in PDF, in zh-TW and English, with ROC dates as an option
 * (report.c, html.c, pdf.c).
 *
 * Every result names the records behind it ("drill-evidence/ID@2", "incident/INC-2026-0003") and
 * can be computed for a past date: registers are read as they stood then, incidents with the
 * events known then. Who may see what is auth/policy.c's: an institution its own facts, score
 * and compliance (POLICY_SCORE_READ); the supervisor and hub analysts everyone's and the reports
 * (POLICY_SUPERVISION_READ). */
#ifndef FS_SUPERVISION_SUPERVISION_H
#define FS_SUPERVISION_SUPERVISION_H

#include "auth/actor.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/i18n.h"
#include "incident/incident.h"
#include "store/store.h"

#include <jansson.h>

/* ---- the scoring model (model.c, pure) ---------------------------------------------------- */

#define SUP_MAX_RULES 64
#define SUP_MAX_TIERS 12

struct sup_rule {
  char name[48];
  char label_en[160], label_zh[160];
  char when[512];   /* condition; empty: always */
  char points[512]; /* numeric expression */
};

struct sup_tier {
  char name[16];
  char label_en[80], label_zh[80];
  double min_score;    /* the tier applies from this score up */
  double rate_percent; /* contribution or premium rate */
  double discount_percent;
};

struct sup_model {
  char name[64];
  char title_en[200], title_zh[200];
  char note_en[400], note_zh[400];
  double base, min, max;
  int64_t period_days; /* facts look back this far (incidents, exercises, sanctions) */
  struct sup_rule rules[SUP_MAX_RULES];
  size_t nrules;
  struct sup_tier tiers[SUP_MAX_TIERS]; /* sorted by min_score, highest first */
  size_t ntiers;
};

/* Parses a model from INI text of len bytes ([model], [rule NAME] ..., [tier NAME] ...; see
 * docs/supervision.md). Every expression is checked. Errors name "name:line" and the key. */
int sup_model_parse(const char *text, size_t len, const char *name, struct sup_model *m,
                    struct fs_err *err);
/* The built-in example model: a reconstruction of the insurance stabilisation fund's 2018
 * security factor (an example, documented as such). */
int sup_model_builtin(struct sup_model *m, struct fs_err *err);
/* Loads the model file at path; a missing file gives the built-in example. */
int sup_model_load(const char *path, struct sup_model *m, struct fs_err *err);

/* ---- settings -------------------------------------------------------------------------------- */

struct sup_env {
  const struct incident_env *incident; /* clocks of incidents */
  const struct sup_model *model;
  int64_t drill_period_days; /* resilience.drill_period_days */
};

/* Everything the functions below need, loaded from the configuration: the incident clock policy,
 * the score model (supervision.score_policy_file, resolved against the data folder; missing: the
 * built-in example) and the drill period. Allocate with sup_settings_load, free with free(). */
struct sup_settings {
  struct incident_env incident;
  struct sup_model model;
  struct sup_env env; /* points into this struct */
};
int sup_settings_load(const struct fs_config *cfg, struct sup_settings **out, struct fs_err *err);

/* ---- facts (facts.c) ------------------------------------------------------------------------ */

/* The facts of one organisation (id) as of `at`, looking back model->period_days:
 * {"name": {"value": v, "records": ["register/ID@V", ...]}, ...}. No policy check. */
int sup_facts(struct store_conn *c, const struct sup_env *env, const char *org_id, int64_t at,
              json_t **out, struct fs_err *err);

/* ---- tiered requirements (compliance.c) ----------------------------------------------------- */

/* The requirement sets that apply to the organisation as of `at` (industry, size tier, business,
 * phased in by effective_from) and each requirement's result against facts:
 * {"sets": [{"code", "title", "requirements": [{"name", "expression", "met", "facts"}]...}],
 *  "requirements", "met", "ratio"}. No policy check. */
int sup_compliance(struct store_conn *c, const char *org_id, const char *industry, const char *tier,
                   int64_t at, const json_t *facts, json_t **out, struct fs_err *err);

/* ---- scores (score.c) ----------------------------------------------------------------------- */

/* The score of one organisation (id or code) as of `at` (0: now): every rule with whether it
 * applied, its points, the facts it read and the records behind them; the total clamped to the
 * model's bounds; the tier, rate and discount; the compliance with the tiered requirements.
 * FS_ERR_NOT_FOUND when the actor may not see it. */
int sup_score_json(struct store_conn *c, const struct actor *who, const struct sup_env *env,
                   const char *org, int64_t at, json_t **out, struct fs_err *err);
/* Scores of every member institution the actor may see (the supervisor and the hub: all), one
 * line each: {"items": [{"org", "industry", "tier", "score", "score_tier", ...}]}. */
int sup_scores_json(struct store_conn *c, const struct actor *who, const struct sup_env *env,
                    int64_t at, json_t **out, struct fs_err *err);

/* ---- the supervisor's report (report.c, html.c, pdf.c) ------------------------------------- */

/* A period: "2026-Q3", "2026-H1", "2026" or "2026-07" into [from, to) (Taipei days, ms). */
int sup_period_parse(const char *s, int64_t *from, int64_t *to, struct fs_err *err);

/* The report's data for a period, by industry and size tier: compliance with requirement sets,
 * BCM coverage (services with a passing drill within the period), exercise results against
 * targets, overdue findings, incident clocks met, score distribution; as of the period's end.
 * Needs POLICY_SUPERVISION_READ (FS_ERR_FORBIDDEN otherwise). */
int sup_report_json(struct store_conn *c, const struct actor *who, const struct sup_env *env,
                    const char *period, json_t **out, struct fs_err *err);
/* The report as an HTML page with inline SVG charts, into out. roc: dates in the ROC calendar. */
int sup_report_html(const json_t *report, enum fs_lang lang, bool roc, struct fs_buf *out,
                    struct fs_err *err);
/* The report as a PDF (cairo and pango, Noto CJK fonts), into out. */
int sup_report_pdf(const json_t *report, enum fs_lang lang, bool roc, struct fs_buf *out,
                   struct fs_err *err);

#endif
