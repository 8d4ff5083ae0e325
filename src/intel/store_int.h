/* Internal to the intelligence store (store_*.c). */
#ifndef FS_INTEL_STORE_INT_H
#define FS_INTEL_STORE_INT_H

#include "intel/store.h"

enum intel_tlp intel_tlp_from_column(const char *s);
const char *intel_tlp_column(enum intel_tlp t);
/* Fills the actor's rights on col (kind, owner, membership already set). */
int intel_collection_rights(struct store_conn *c, const struct actor *who,
                            struct intel_collection *col, struct fs_err *err);
/* The sortable key of a STIX version: 9 fraction digits ("" for no version). out: 40 bytes. */
void intel_version_key(const char *version, char out[40]);
/* Lower-cased search key of an observable value into out (n bytes); false when too long. */
bool intel_observable_key(const char *value, size_t len, char *out, size_t n);

#endif
