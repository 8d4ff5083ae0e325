/* What the soc unit tests share on a real hub (hubfixture.h): the engine started with the hub's
 * environment and hooks, intelligence stored as the operator, an organisation's alerts, and
 * polls that fail only when what they wait for never happens. */
#ifndef FS_TESTS_SOCFIXTURE_H
#define FS_TESTS_SOCFIXTURE_H

#include "../hubfixture.h"
#include "intel/intel.h"
#include "soc/soc.h"

#include <time.h>

/* How long a test waits for something that must happen: a guard against a hang, never a measure
 * of speed (a loaded machine running the sanitizers may be slow; only "never" fails). */
#define SOC_TEST_HANG_GUARD_S 300

static inline void soc_test_nap(void)
{
  struct timespec ts = {0, 10 * 1000 * 1000};
  nanosleep(&ts, NULL);
}

/* Polls cond (an expression) every 10 ms until it holds or the hang guard has passed; the caller
 * then checks cond and fails naming what never happened. */
#define SOC_TEST_WAIT(cond)                                                                        \
  for (long soc_wait_i_ = 0; !(cond) && soc_wait_i_ < SOC_TEST_HANG_GUARD_S * 100L; soc_wait_i_++) \
  soc_test_nap()

/* The engine on the fixture's hub, with the hub's environment and hooks (hub_soc_env). */
static inline int start_engine(struct hub_fixture *f, struct soc_engine **e, struct fs_err *err)
{
  struct soc_env env;
  hub_soc_env(&f->hub, &env);
  return soc_engine_start(&env, NULL, NULL, e, err);
}

/* Stores a STIX bundle of objects in a collection as the hub's operator. */
static inline void ingest(struct hub_fixture *f, const char *collection, const char *bundle)
{
  struct fs_err err;
  size_t failures = 1;
  assert_int_equal(
      intel_ingest_text(f->c, &f->op, collection, bundle, strlen(bundle), &failures, &err), FS_OK);
  assert_int_equal(failures, 0);
}

#define GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define IND(id, pattern)                                                                           \
  "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" id "\","                 \
  "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","            \
  "\"pattern\":\"" pattern "\",\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\"," \
  "\"object_marking_refs\":[\"" GREEN "\"]}"

/* The alerts of the organisation with that code, as the operator sees them (caller owns). */
static inline json_t *alerts_of(struct hub_fixture *f, const char *org)
{
  json_t *out = NULL;
  struct fs_err err;
  int64_t next;
  assert_int_equal(soc_alerts_json(f->c, &f->op,
                                   &(struct soc_alert_filter){.limit = 1000, .org = org}, &out,
                                   &next, &err),
                   FS_OK);
  json_t *items = json_incref(json_object_get(out, "items"));
  json_decref(out);
  return items;
}

#endif
