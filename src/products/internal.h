/* Seams inside products/. */
#ifndef FS_PRODUCTS_INTERNAL_H
#define FS_PRODUCTS_INTERNAL_H

#include "products/products.h"

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

#endif
