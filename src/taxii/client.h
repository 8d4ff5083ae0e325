/* The TAXII 2.1 client (libcurl) and hub-to-hub synchronisation: pull a remote collection into a
 * local one, resuming from the last X-TAXII-Date-Added-Last; push what a partner organisation
 * may see of a local collection to a remote one. Each side enforces TLP: the remote server shows
 * only what the token's organisation may see; a push sends only what the partner may see here. */
#ifndef FS_TAXII_CLIENT_H
#define FS_TAXII_CLIENT_H

#include "auth/actor.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

struct taxii_client;
struct fs_progress;

struct taxii_client_options {
  const char *api_root; /* "https://partner.example/taxii2/hub/" */
  const char *token;    /* sent as HTTP Basic password (and Bearer-compatible servers accept it) */
  const char *user;     /* Basic user name, default "finshield" */
  bool insecure;        /* do not verify the server's certificate (testing only) */
  const char *cacert;   /* CA bundle to verify the server with */
  long timeout_s;       /* per request, default 60 */
  size_t max_response;  /* bytes, default 256 MiB */
  struct fs_progress *progress; /* pull and push count the objects of each page here; NULL: none
                                   (core/progress.h) */
};

/* Makes a client. The program must have called curl_global_init once (cli/main.c does). */
int taxii_client_new(const struct taxii_client_options *o, struct taxii_client **out,
                     struct fs_err *err);
void taxii_client_free(struct taxii_client *cl);
/* The progress of the client's options (NULL when none). */
struct fs_progress *taxii_client_progress(const struct taxii_client *cl);

/* One GET of collections/{collection}/objects/ with added_after or next (either may be NULL).
 * body receives the envelope; last_added receives X-TAXII-Date-Added-Last ("" when absent). A
 * status other than 200 is an error naming the status and the server's TAXII error title. */
int taxii_client_get_objects(struct taxii_client *cl, const char *collection,
                             const char *added_after, const char *next, size_t limit,
                             struct fs_buf *body, char last_added[64], struct fs_err *err);
/* POST of an envelope to collections/{collection}/objects/; status receives the status resource. */
int taxii_client_post_objects(struct taxii_client *cl, const char *collection, const char *envelope,
                              size_t len, struct fs_buf *status, struct fs_err *err);

struct taxii_sync_stats {
  size_t pages, received, stored, refused;
  char position[64]; /* where the next run starts */
};

/* Pulls new objects of a remote collection into the local collection `into` as `who`, page by
 * page, each page stored together with the new position (a crash resumes where it stopped). */
int taxii_pull(struct store_conn *c, const struct actor *who, struct taxii_client *cl,
               const char *api_root, const char *collection, const char *into, size_t limit,
               struct taxii_sync_stats *st, struct fs_err *err);
/* Pushes to a remote collection what the organisation `for_org` may see in the local collection
 * `from` and was added since the last push. */
int taxii_push(struct store_conn *c, const struct actor *who, struct taxii_client *cl,
               const char *api_root, const char *collection, const char *from, const char *for_org,
               size_t limit, struct taxii_sync_stats *st, struct fs_err *err);

#endif
