/* Notifications of incident response and the background worker of `serve`. Changes queue their
 * notifications in a durable outbox table in their own transaction (nothing is sent while a
 * request waits); the worker delivers them (e-mail over SMTP, JSON webhooks signed with
 * HMAC-SHA256, both through libcurl), retries with exponential back-off, records every attempt,
 * and escalates overdue clocks. */
#ifndef FS_INCIDENT_NOTIFY_H
#define FS_INCIDENT_NOTIFY_H

#include "core/log.h"
#include "core/time.h"
#include "incident/incident.h"

/* Delivers the outbox entries due at wall_ms (at most `max` of them), one attempt each, recording
 * the attempt and the next try. An e-mail without notify.smtp_url is recorded as failed at once
 * (it cannot be sent). A notification's first failed attempt and the one that gives up are
 * logged at warning to log (may be NULL), retries at info. *done tells how many were attempted.
 * Needs no open transaction. */
int notify_deliver_due(struct store_conn *c, const struct incident_env *env, struct fs_log *log,
                       int64_t wall_ms, int max, int *done, struct fs_err *err);
/* Queues a signed JSON post of `body` to `url` (event names the X-Finshield-Event header) in
 * the caller's transaction, for the worker to deliver like any notification; not tied to a case
 * (the SOC's alerts). */
int notify_enqueue_webhook(struct store_conn *c, const char *url, const char *event,
                           const char *body, int64_t now, struct fs_err *err);
/* The outbox entries of a case and their attempts (hub roles only). */
int notify_outbox_json(struct store_conn *c, const struct actor *who, const char *id, json_t **out,
                       struct fs_err *err);
/* "sha256=" + hex HMAC-SHA256(secret, timestamp "." body) into out (80 bytes): the webhook
 * signature a receiver recomputes. */
void notify_webhook_signature(const char *secret, const char *timestamp, const char *body,
                              size_t len, char out[80]);

struct incident_worker;
/* Starts the background worker: every env->worker_interval_ms it escalates overdue clocks (as
 * of the hub's clock, under the policy in force: env->watch's when set) and delivers due
 * notifications. env is copied; the store, clock, log and env->watch must outlive the worker. */
int incident_worker_start(struct store *st, const struct fs_clock *clock, struct fs_log *log,
                          const struct incident_env *env, struct incident_worker **out,
                          struct fs_err *err);
/* Stops the worker (waits for the pass in progress) and frees it. NULL is fine. */
void incident_worker_stop(struct incident_worker *w);

#endif
