/* Seams inside supervision/. */
#ifndef FS_SUPERVISION_INTERNAL_H
#define FS_SUPERVISION_INTERNAL_H

#include "resilience/expr.h"
#include "supervision/supervision.h"

#include <stdlib.h>

/* Facts with an explicit look-back window [from, at] (reports use their period). */
int sup_facts_window(struct store_conn *c, const struct sup_env *env, const char *org_id,
                     int64_t from, int64_t at, json_t **out, struct fs_err *err);
/* Evaluates the model on facts: {"score", "base", "tier", "rate_percent", "discount_percent",
 * "parts": [...]} (caller owns). Pure. */
json_t *sup_score_compute(const struct sup_model *m, const json_t *facts);
/* Evaluates one expression on facts; *read gets {name: value} of the facts it read and the
 * records behind them are appended to records (both may be NULL). */
int sup_eval(const char *expr, const json_t *facts, json_t *read, json_t *records,
             struct expr_value *out, struct fs_err *err);

/* Facts, compliance and score of one organisation (id; info: its directory JSON) with the
 * look-back window [from, at] (from 0: the model's period). No policy check. */
int sup_evaluate_org(struct store_conn *c, const struct sup_env *env, const char *org_id,
                     const json_t *info, int64_t from, int64_t at, json_t **facts,
                     json_t **compliance, json_t **score, struct fs_err *err);
/* Calls fn with the directory JSON of every member institution (not the hub, the supervisor or
 * partners), in code order. */
typedef int (*sup_org_fn)(const json_t *org, void *ctx, struct fs_err *err);
int sup_each_member(struct store_conn *c, sup_org_fn fn, void *ctx, struct fs_err *err);

#endif
