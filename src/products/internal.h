/* Seams inside products/. */
#ifndef FS_PRODUCTS_INTERNAL_H
#define FS_PRODUCTS_INTERNAL_H

#include "products/products.h"
#include "core/tlp.h"

/* Whether the actor writes, reviews and publishes products (POLICY_PRODUCT_WRITE: the hub's roles
 * and the local operator). */
bool products_may_write(const struct actor *who);
/* The Asia/Taipei calendar day (days since the epoch) of a time in milliseconds. */
int64_t products_local_day(int64_t ms);
/* "YYYY-MM-DD" of a day. */
void products_day_text(int64_t day, char out[16]);
/* Whether the actor may see a published product of level tlp (the one policy, the hub as
 * producer). */
bool products_tlp_visible(const struct actor *who, const char *hub_org, const char *tlp);
/* A publication's TLP (clear, green or amber; anything else reads as amber) as a level. */
enum tlp_level products_tlp_level(const char *tlp);
/* The index of a type's name in products_type_names, or -1. */
int products_type_index(const char *name);

/* A publication's row (publication.c reads it). */
struct pub {
  char id[37], ref[40], type[16], status[16], tlp[16], stix_id[80], author[80];
  int64_t version, created, updated, published, first_published;
  bool imported;
  json_t *fields;
};
/* Publishes (status "published") or revises (status "revised") p: its STIX report ingested into
 * the products' collection (env->cfg->products_collection), its row updated, its subscribers
 * notified; inside the caller's transaction (publication_out.c). */
int products_publish(struct store_conn *c, const struct actor *who, const struct products_env *env,
                     struct pub *p, const char *status, struct fs_err *err);

#endif
