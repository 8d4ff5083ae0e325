/* The Traffic Light Protocol's levels (TLP 2.0, FIRST): the one type every module uses for them,
 * the STIX library (stix/tlp.h: the levels' names, tokens, marking-definition ids and objects),
 * the store (intel/) and the one policy (auth/policy.h: who may see an object of a level).
 *
 * The order is the rank: a greater value is more restrictive, so levels compare with < and >
 * and the strictest of several is their maximum. Plain data, here in core/ so that auth/, below
 * the STIX library in the layering, names the same type. */
#ifndef FS_CORE_TLP_H
#define FS_CORE_TLP_H

#include "core/base.h"

enum tlp_level {
  TLP_NONE = 0, /* not a TLP marking; for an object: unmarked (its collection's default applies) */
  TLP_CLEAR,
  TLP_GREEN,
  TLP_AMBER,
  TLP_AMBER_STRICT,
  TLP_RED,
};

#define TLP_LEVEL_MIN TLP_CLEAR /* the least restrictive level */
#define TLP_LEVEL_MAX TLP_RED   /* the most restrictive level */

/* Whether a level is the community's, CLEAR or GREEN: shared with every member of the hub (the
 * policy shows it to every authenticated user), so that it may be re-shared and counted openly. */
static inline bool tlp_is_community(enum tlp_level l)
{
  return l == TLP_CLEAR || l == TLP_GREEN;
}

#endif
