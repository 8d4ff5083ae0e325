/* A small expression language over named facts, for requirement sets and scoring policies:
 *
 *   governance.isms_certified && !governance.pims_none
 *   -2 * incidents.major_late + max(0, 5 - findings.overdue)
 *   phishing.click_rate < 6 || governance.business == "internet-only"
 *
 * Numbers, "strings", true/false; names are letters, digits, '_' and '.'; operators || && !
 * == != < <= > >= + - * / and parentheses; functions min(a, b, ...), max(a, b, ...),
 * if(cond, then, else). A fact that is missing reads as null: 0 in arithmetic, false as a
 * condition, "" as a string; comparisons with null are false. Division by zero gives 0.
 * Pure: bytes in, a value out, or an error naming the byte offset. Every name looked up is
 * reported to the caller (so that a score can list the facts and records behind it). */
#ifndef FS_RESILIENCE_EXPR_H
#define FS_RESILIENCE_EXPR_H

#include "core/base.h"
#include "core/err.h"

#define EXPR_MAX_BYTES 2000
#define EXPR_MAX_DEPTH 40

enum expr_kind { EXPR_NULL, EXPR_NUM, EXPR_BOOL, EXPR_STR };

struct expr_value {
  enum expr_kind kind;
  double num;
  bool b;
  char str[128];
};

/* Looks a fact up by name (len bytes, not NUL-terminated); sets *out (EXPR_NULL when unknown). */
typedef void (*expr_lookup_fn)(void *ctx, const char *name, size_t len, struct expr_value *out);

/* Evaluates text (len bytes). lookup may be NULL (every name is null: a syntax check). */
int expr_eval(const char *text, size_t len, expr_lookup_fn lookup, void *ctx,
              struct expr_value *out, struct fs_err *err);
/* The value as a condition (null, 0, false, "" are false) and as a number (true is 1). */
bool expr_truthy(const struct expr_value *v);
double expr_number(const struct expr_value *v);

#endif
