/* Shared by the report's renderings (html.c, pdf.c): metrics, labels and dates. Internal. */
#ifndef FS_SUPERVISION_RENDER_H
#define FS_SUPERVISION_RENDER_H

#include "supervision/supervision.h"

enum sup_metric_kind { SUP_INT, SUP_PCT, SUP_NUM };

struct sup_metric {
  const char *key;
  const char *en, *zh;
  enum sup_metric_kind kind;
};

/* The metrics of a group (totals, an industry, a size tier), in display order; NULL-terminated. */
extern const struct sup_metric sup_metrics[];
const char *sup_reason_label(const char *reason, enum fs_lang lang);
/* "2026-09-30" as 2026-09-30 / 2026年9月30日, or ROC: ROC 115-09-30 / 民國115年9月30日. */
void sup_format_date(const char *ymd, enum fs_lang lang, bool roc, char *out, size_t n);
void sup_format_value(const json_t *group, const struct sup_metric *m, char *out, size_t n);
const char *sup_tr(enum fs_lang lang, const char *en, const char *zh);
/* {"en": ..., "zh-TW": ...} in the language. */
const char *sup_label(const json_t *label_obj, enum fs_lang lang);

#endif
