/* The products' environment: publications notify their subscribers through the notification
 * outbox of incident/ (notify.h), wired here as the SOC's webhooks are (soc.c). */
#include "hub/hub.h"

#include "incident/notify.h"
#include "products/products.h"

#include <string.h>

static int queue(void *ctx, struct store_conn *c, const char *channel, const char *target,
                 const char *event, const char *subject, const char *body, int64_t now_ms,
                 struct fs_err *err)
{
  (void)ctx;
  if (!strcmp(channel, "email"))
    return notify_enqueue_email(c, target, event, subject, body, now_ms, err);
  return notify_enqueue_webhook(c, target, event, body, now_ms, err);
}

void hub_products_env(struct hub *h, struct products_env *out)
{
  memset(out, 0, sizeof(*out));
  out->cfg = &h->cfg;
  out->hooks.notify = queue;
  out->hooks.ctx = h;
}
