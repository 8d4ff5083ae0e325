/* Sample activity for the demo: the hub's shared indicators in the sector collection, and a day
 * of members' firewall and proxy events run through the monitoring engine, so that the demo opens
 * on alerts, sightings, and a sector alert with its draft incident. Deterministic but for times.
 * And the demo's syslog senders: this machine sends as the first sample bank. */
#include "sample/sample.h"

#include "auth/org.h"
#include "core/encode.h"
#include "core/time.h"
#include "core/uuid.h"
#include "intel/intel.h"
#include "soc/soc.h"
#include "stix/tlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE_NS "6f1d1a3e-4b0c-5d55-9c1e-2f0a5a7b8c9d"
#define SAMPLE_INDICATORS 240
#define SAMPLE_MEMBERS 6
#define SAMPLE_UNSEEN 4 /* an address (203.0.113.2) that no member's sample events hold */

/* The value and pattern of sample indicator i (documentation addresses, .example names). */
static void sample_value(int i, char *value, size_t vn, char *pattern, size_t pn,
                         const char **label)
{
  switch (i % 4) {
  case 0:
    snprintf(value, vn, "203.0.113.%d", i / 4 % 250 + 1);
    snprintf(pattern, pn, "[ipv4-addr:value = '%s']", value);
    *label = "C2 address (sample)";
    break;
  case 1:
    snprintf(value, vn, "c2-%03d.sample-threat.example", i);
    snprintf(pattern, pn, "[domain-name:value = '%s']", value);
    *label = "C2 domain (sample)";
    break;
  case 2: {
    snprintf(value, vn, "http://phish-%03d.sample-threat.example/login", i);
    snprintf(pattern, pn, "[url:value = '%s']", value);
    *label = "Phishing page (sample)";
    break;
  }
  default: {
    char seed[32];
    snprintf(seed, sizeof(seed), "sample-malware-%d", i);
    fs_sha256_hex(seed, strlen(seed), value);
    snprintf(pattern, pn, "[file:hashes.'SHA-256' = '%s']", value);
    *label = "Malware sample (sample)";
    break;
  }
  }
}

static int ingest_indicators(struct store_conn *c, const struct actor *hub, struct fs_err *err)
{
  json_t *objects = json_array();
  for (int i = 0; i < SAMPLE_INDICATORS; i++) {
    char value[80], pattern[160], name[40], uuid[37], id[64];
    const char *label;
    sample_value(i, value, sizeof(value), pattern, sizeof(pattern), &label);
    snprintf(name, sizeof(name), "sample-indicator-%d", i);
    fs_uuid_v5(SAMPLE_NS, name, strlen(name), uuid);
    snprintf(id, sizeof(id), "indicator--%s", uuid);
    json_array_append_new(
        objects, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[s],s:[s]}", "type", "indicator",
                           "spec_version", "2.1", "id", id, "created", "2026-01-05T00:00:00.000Z",
                           "modified", "2026-01-05T00:00:00.000Z", "name", label, "pattern",
                           pattern, "pattern_type", "stix", "valid_from", "2026-01-05T00:00:00Z",
                           "indicator_types", "malicious-activity", "object_marking_refs",
                           stix_tlp_marking_id(i % 10 == 0 ? TLP_CLEAR : TLP_GREEN)));
  }
  json_t *bundle = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id",
                             "bundle--0b1f6c55-2a4e-4d8e-9f3a-5c6d7e8f9a0b", "objects", objects);
  char *text = bundle ? json_dumps(bundle, JSON_COMPACT) : NULL;
  json_decref(bundle);
  if (!text)
    return fs_err_set(err, FS_ERR_NOMEM, "sample", "out of memory");
  int rc = intel_ingest_text(c, hub, "sector", text, strlen(text), NULL, err);
  free(text);
  return rc;
}

/* A member's day: ordinary traffic, and now and then an indicator. Indicator 0 (a C2 address)
 * is seen at every sample member, which makes a sector alert. */
static void member_events(int m, struct fs_buf *out)
{
  char now[32];
  fs_time_format_ms(fs_time_now_ms(), now);
  for (int k = 0; k < 200; k++) {
    int hit = k % 40 == 7 ? (m * 13 + k / 40 * 5 + 1) % SAMPLE_INDICATORS : -1;
    if (k == 3)
      hit = 0;
    char value[80], pattern[160];
    const char *label;
    if (hit >= 0)
      sample_value(hit, value, sizeof(value), pattern, sizeof(pattern), &label);
    if (hit >= 0 && hit % 4 == 0)
      fs_buf_appendf(out,
                     "<134>1 %s fw%02d.bank.example fw - - - action=deny src=10.%d.%d.%d dst=%s"
                     " dport=443 proto=tcp\n",
                     now, m, m, k / 250, k % 250 + 1, value);
    else if (hit >= 0 && hit % 4 == 3)
      fs_buf_appendf(out,
                     "<134>1 %s edr%02d.bank.example edr - - - quarantined file sha256=%s"
                     " host=ws-%03d\n",
                     now, m, value, k);
    else if (hit >= 0)
      fs_buf_appendf(out, "<134>1 %s px%02d.bank.example proxy - - - GET %s%s user=teller%03d\n",
                     now, m, hit % 4 == 1 ? "http://" : "", value, k);
    else
      fs_buf_appendf(out,
                     "<134>1 %s fw%02d.bank.example fw - - - action=allow src=10.%d.0.%d"
                     " dst=192.0.2.%d dport=443 proto=tcp\n",
                     now, m, m, k % 250 + 1, k % 200 + 1);
  }
}

/* The first SAMPLE_MEMBERS sample banks, by code: those the sample events come from. */
struct members {
  char ids[SAMPLE_MEMBERS][37];
  size_t n;
};

static int add_member(const char *id, void *ctx)
{
  struct members *m = ctx;
  if (m->n < SAMPLE_MEMBERS)
    snprintf(m->ids[m->n++], sizeof(m->ids[0]), "%s", id);
  return FS_OK;
}

int sample_activity_create(const struct soc_env *env, const struct actor *who,
                           struct sample_activity *out, struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  struct store_conn *c;
  int rc = store_acquire(env->store, &c, err);
  if (rc)
    return rc;
  rc = ingest_indicators(c, who, err);
  struct members found = {.n = 0};
  struct org_select banks = {.industry = "bank", .sample_only = true};
  if (!rc)
    rc = org_ids_each(c, &banks, add_member, &found, err);
  store_release(env->store, c);
  if (rc)
    return rc;
  out->indicators = SAMPLE_INDICATORS;

  struct soc_engine *e = NULL;
  if ((rc = soc_engine_start(env, NULL, NULL, &e, err)))
    return rc;
  struct soc_worker *w = soc_worker_new(e);
  if (!w)
    rc = fs_err_set(err, FS_ERR_NOMEM, "sample", "out of memory");
  for (int m = 0; !rc && m < (int)found.n; m++) {
    struct fs_buf lines;
    fs_buf_init(&lines, 1 << 20);
    member_events(m, &lines);
    struct soc_batch st = {0};
    rc = soc_worker_process(w, found.ids[m], "syslog-tcp:10.0.0.1 (sample)", DETECT_FMT_AUTO,
                            fs_buf_cstr(&lines), lines.len, &st, err);
    out->events += (int)st.records;
    out->alerts += (int)st.alerts;
    fs_buf_release(&lines);
  }
  soc_worker_free(w);
  soc_engine_stop(e);
  return rc;
}

/* The code and id of the first sample bank by code (the member whose events come first). */
struct first_bank {
  char code[40], id[37];
};

static int take_sample_bank(json_t *o, void *ctx, struct fs_err *err)
{
  (void)err;
  struct first_bank *b = ctx;
  if (!json_is_true(json_object_get(o, "sample")))
    return FS_OK;
  snprintf(b->code, sizeof(b->code), "%s", json_string_value(json_object_get(o, "code")));
  snprintf(b->id, sizeof(b->id), "%s", json_string_value(json_object_get(o, "id")));
  return ORG_EACH_STOP;
}

static int first_bank(struct store_conn *c, const struct actor *who, char code[40], char id[37],
                      struct fs_err *err)
{
  struct first_bank b = {"", ""};
  int rc =
      org_each_json(c, who, &(struct org_filter){.industry = "bank"}, take_sample_bank, &b, err);
  if (!rc && !b.code[0])
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "sample", "the hub has no sample bank");
  memcpy(code, b.code, 40);
  memcpy(id, b.id, 37);
  return rc;
}

int sample_syslog_sources(struct store_conn *c, const struct actor *who, struct sample_syslog *out,
                          struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  char bank_id[37];
  int rc = first_bank(c, who, out->org_code, bank_id, err);
  static const char *const senders[][2] = {{"127.0.0.1", "127.0.0.1/32"}, {"::1", "::1/128"}};
  for (size_t k = 0; !rc && k < FS_ARRAY_SIZE(senders); k++) {
    char org[37], id[37];
    if ((rc = soc_source_org(c, senders[k][0], org, err)))
      break;
    if (!org[0])
      rc = soc_source_add(c, who, "cidr", senders[k][1], bank_id, id, err);
    else if (k == 0 && strcmp(org, bank_id)) { /* registered before, for another member */
      json_t *o = NULL;
      if (!(rc = org_get_json(c, who, org, &o, err)))
        snprintf(out->org_code, sizeof(out->org_code), "%s",
                 json_string_value(json_object_get(o, "code")));
      json_decref(o);
    }
  }
  char pattern[160];
  const char *label;
  sample_value(SAMPLE_UNSEEN, out->value, sizeof(out->value), pattern, sizeof(pattern), &label);
  return rc;
}
