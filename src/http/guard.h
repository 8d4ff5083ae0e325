/* Deadlines for clients (internal to http/): a connection must send a request's line and headers
 * in time, and its body at a minimum average rate; one thread looks twice a second and shuts down
 * the socket of a connection past its deadline (libmicrohttpd then closes it as a client that
 * went away). Idle connections are MHD's (http.connection_timeout); a request being answered
 * (its handler, its response, an event stream) has no deadline here. What is cut is counted in
 * the metrics: finshield_http_connections_cut_total{reason="head"|"body"}. */
#ifndef FS_HTTP_GUARD_H
#define FS_HTTP_GUARD_H

#include "core/metrics.h"

#include <microhttpd.h>

struct http_guard;
struct http_guard_conn;

/* head_s: seconds for a request's line and headers from its first line; wait_s: for the first
 * line itself, from the connection's start or the previous answer; min_rate: bytes per second a
 * body must average once it has had head_s seconds (0: no minimum). NULL when out of memory or
 * the thread cannot start (no deadlines then). */
struct http_guard *http_guard_new(struct fs_metrics *m, int64_t head_s, int64_t wait_s,
                                  int64_t min_rate);
/* Stops the thread and frees g; call after MHD has stopped (it notified every close). */
void http_guard_free(struct http_guard *g);

/* MHD_OPTION_NOTIFY_CONNECTION's callback (cls is the guard): starts and ends the watch. */
void http_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code);
/* The watch of conn, NULL when none. Call on the connection's own thread. */
struct http_guard_conn *http_guard_of(struct MHD_Connection *conn);

/* What the connection is doing now (each accepts NULL). */
void http_guard_head(struct http_guard_conn *c);            /* its request line is in */
void http_guard_body(struct http_guard_conn *c);            /* headers in, a body follows */
void http_guard_bytes(struct http_guard_conn *c, size_t n); /* n more bytes of body */
void http_guard_answer(struct http_guard_conn *c);          /* being answered: no deadline */
void http_guard_idle(struct http_guard_conn *c); /* answered; the next request may come */

#endif
