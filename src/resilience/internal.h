/* Seams inside resilience/ (not for other modules). */
#ifndef FS_RESILIENCE_INTERNAL_H
#define FS_RESILIENCE_INTERNAL_H

#include "resilience/register.h"

#define REG_TEXT_SLOTS 6
#define REG_NUM_SLOTS 3

/* The column an indexed field is kept in: "k1".."k6" (text-like) or "x1".."x3" (numbers and
 * booleans, kept as thousandths), or NULL when the field is not indexed. */
const char *reg_slot_column(const struct reg_def *d, const struct reg_field *f);
/* The policy relation bits of a definition (POLICY_REL_REG_*). */
unsigned reg_policy_rel(const struct reg_def *d);
/* The record's key: the REG_KEY fields' text joined by '/' into out. */
void reg_key_of(const struct reg_def *d, const json_t *fields, char *out, size_t n);
/* A small cache of organisation id -> code for the rows of one call. */
struct reg_orgs {
  struct {
    char id[37];
    char code[40];
    int industry; /* index into org_industry_names, -1 unknown */
    int tier;     /* index into org_tier_names, -1 unknown */
  } e[64];
  size_t n, next;
};
const char *reg_org_code(struct store_conn *c, struct reg_orgs *cache, const char *org_id);

#endif
