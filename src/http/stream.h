/* Server-Sent Events over libmicrohttpd without tying up a worker thread per stream: a stream's
 * reader suspends its connection when it has nothing to send, and the streams thread resumes
 * every suspended stream twice a second (and at once when http_streams_poke is called), so the
 * reader looks again. What a stream sends comes from a fetch function (typically a query of
 * rows after the last one sent, filtered by the one policy for the stream's actor). */
#ifndef FS_HTTP_STREAM_H
#define FS_HTTP_STREAM_H

#include "http/http.h"

struct http_streams;

/* Appends SSE text ("id: N\nevent: alert\ndata: {...}\n\n") for items after *after to out and
 * moves *after past them. FS_OK with nothing appended means "nothing new". Runs on a server
 * thread; c is a connection of the hub's pool, held only during the call. */
typedef int (*http_stream_fetch_fn)(struct store_conn *c, const struct actor *who, void *ctx,
                                    int64_t *after, struct fs_buf *out);

struct http_streams *http_streams_new(struct hub *hub);
/* Ends every stream (they see end-of-stream) and stops the thread. Call before stopping MHD. */
void http_streams_stop(struct http_streams *s);
void http_streams_free(struct http_streams *s);
/* Wakes every suspended stream now (new data was written in this process). */
void http_streams_poke(struct http_streams *s);

/* Answers req with an event stream starting after `after` (a Last-Event-ID header, when sent,
 * takes its place). Event ids are numbers, or, when sealed_list is not NULL, cursors sealed for
 * that list (http_cursor_seal: a Last-Event-ID that is not one is refused with 400). ctx is passed
 * to fetch and freed with free_ctx (may be NULL) at the end. */
int http_stream_start(struct http_request *req, struct http_response *res, int64_t after,
                      const char *sealed_list, http_stream_fetch_fn fetch, void *ctx,
                      void (*free_ctx)(void *));

#endif
