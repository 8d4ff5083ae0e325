/* The SOC's environment and hooks: what soc/ may not reach by itself (incident's draft cases, the
 * notification outbox) wired here, at the top, as incident's publish hook is (publish.c). */
#include "hub/hub.h"

#include "incident/incident.h"
#include "incident/notify.h"
#include "soc/soc.h"

#include <stdlib.h>
#include <string.h>

static int open_draft(void *ctx, struct store_conn *c, const struct actor *hub, json_t *summary,
                      char incident_out[37], struct fs_err *err)
{
  struct hub *h = ctx;
  struct incident_env *env = calloc(1, sizeof(*env));
  if (!env)
    return fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  int rc = incident_env_load(env, &h->cfg, err);
  if (!rc)
    rc = incident_open_draft(c, hub, env, summary, incident_out, err);
  free(env);
  return rc;
}

static int follow_draft(void *ctx, struct store_conn *c, const struct actor *hub,
                        const char *incident, const char *old_title, const char *new_title,
                        const char *note, struct fs_err *err)
{
  struct hub *h = ctx;
  struct incident_env *env = calloc(1, sizeof(*env));
  json_t *cur = NULL;
  int rc = env ? incident_env_load(env, &h->cfg, err)
               : fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  if (!rc)
    rc = incident_get_json(c, hub, env, incident, &cur, err);
  const char *status = json_string_value(json_object_get(cur, "status"));
  bool open = status && strcmp(status, "closed") && strcmp(status, "merged");
  const char *title = json_string_value(json_object_get(cur, "title"));
  if (!rc && open && title && !strcmp(title, old_title)) {
    struct incident_input in;
    incident_input_init(&in);
    in.title = new_title;
    rc = incident_update(c, hub, env, incident, &in, err);
  }
  if (!rc && open)
    rc = incident_note_add(c, hub, incident, note, 0, err);
  json_decref(cur);
  free(env);
  return rc;
}

static int queue_webhook(void *ctx, struct store_conn *c, const char *url, const char *event,
                         const char *body, int64_t now_ms, struct fs_err *err)
{
  (void)ctx;
  return notify_enqueue_webhook(c, url, event, body, now_ms, err);
}

_Static_assert(sizeof(((struct hub *)0)->auth.secret_key) == SOC_SECRET_BYTES,
               "the SOC derives its keys from the hub's whole secret");

void hub_soc_env(struct hub *h, struct soc_env *out)
{
  memset(out, 0, sizeof(*out));
  out->store = h->store;
  out->cfg = &h->cfg;
  out->clock = &h->clock;
  out->log = &h->log;
  out->secret = h->auth.secret_key;
  out->hooks.open_draft = open_draft;
  out->hooks.follow_draft = follow_draft;
  out->hooks.queue_webhook = queue_webhook;
  out->hooks.ctx = h;
}
