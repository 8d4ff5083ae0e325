/* Internal to the exports (export.c reads, export_format.c writes). */
#ifndef FS_INTEL_EXPORT_INT_H
#define FS_INTEL_EXPORT_INT_H

#include "intel/store_int.h"

/* The writer of one export: the options, the output and the count so far. */
struct export_writer {
  const struct intel_export_options *opt;
  struct fs_buf *out;
  struct intel_export_result *res;
  int64_t sid;    /* Suricata: the next rule's sid */
  size_t objects; /* STIX: objects written */
  size_t start;   /* STIX: where the bundle starts in out */
};

/* The format's header (a CSV or Zeek header line, a bundle's opening). */
int export_begin(struct export_writer *w);
/* One value (never twice the same): its line or rules. tlp is the indicator's stored level. */
int export_write_value(struct export_writer *w, const struct intel_export_item *it,
                       const char *tlp);
/* STIX: one object as stored. */
int export_write_object(struct export_writer *w, const char *body, size_t len);
/* The format's end (a bundle's closing). */
int export_end(struct export_writer *w);

#endif
