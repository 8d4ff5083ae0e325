/* A thread's memory of event field names mapped for a Sigma set: the raw name (with the event's
 * shape) to its field id, its id in Security 4688 events and its role, so that mapping an event
 * costs one hash and one comparison per field instead of rewriting each name and looking it up;
 * and the names of the last events by position, so that an event laid out like an earlier one
 * (the usual case: one source, one kind of event) costs one comparison per field. */
#include "detect/sigma_int.h"

#include "detect/hash.h"

#include <stdlib.h>
#include <string.h>

#define NAME_SLOTS 2048        /* a power of two; filled to half at most */
#define NAME_BYTES (64 * 1024) /* the names' bytes */
#define NAME_SEED 0x6A09E667F3BCC909ULL
#define LAYOUT_BYTES (32 * 1024) /* the names by position */

struct name_slot {
  uint64_t hash; /* 0: empty */
  uint32_t off;  /* of the name in bytes */
  uint16_t len;
  uint8_t shape;
  struct sigma_name_info info;
};

/* The name last seen at one position of an event (of the layout's shape). */
struct layout_entry {
  uint32_t off; /* of the name in layout */
  uint16_t len;
  struct sigma_name_info info;
};

struct sigma_name_cache {
  uint64_t gen; /* the set the entries are for */
  size_t used, nbytes;
  struct name_slot slots[NAME_SLOTS];
  char bytes[NAME_BYTES];
  int layout_shape;
  size_t layout_n, layout_used;
  struct layout_entry at[DETECT_MAX_FIELDS];
  char layout[LAYOUT_BYTES];
};

struct sigma_name_cache *sigma_name_cache_new(void)
{
  return calloc(1, sizeof(struct sigma_name_cache));
}

void sigma_name_cache_free(struct sigma_name_cache *c)
{
  free(c);
}

static void forget(struct sigma_name_cache *c)
{
  memset(c->slots, 0, sizeof(c->slots));
  c->used = c->nbytes = 0;
  c->layout_n = c->layout_used = 0;
}

/* Remembers name (len bytes) at position i of the layout, when it can. */
static void place(struct sigma_name_cache *c, size_t i, const char *name, size_t len,
                  const struct sigma_name_info *info)
{
  if (i > c->layout_n || len > UINT16_MAX)
    return;
  if (c->layout_used + len > LAYOUT_BYTES) { /* full: start over from this event's names */
    c->layout_n = c->layout_used = 0;
    if (i > 0 || len > LAYOUT_BYTES)
      return;
  }
  c->at[i] = (struct layout_entry){(uint32_t)c->layout_used, (uint16_t)len, *info};
  memcpy(c->layout + c->layout_used, name, len);
  c->layout_used += len;
  if (i == c->layout_n)
    c->layout_n++;
}

/* The info of a name, remembered or found (and remembered when there is room). */
static const struct sigma_name_info *name_info(const struct detect_sigma_set *s,
                                               struct sigma_name_cache *c, int shape,
                                               const char *name, size_t len,
                                               struct sigma_name_info *tmp)
{
  uint64_t h = detect_hash(name, len, NAME_SEED ^ (uint64_t)shape) | 1;
  size_t i = h & (NAME_SLOTS - 1);
  for (; c->slots[i].hash; i = (i + 1) & (NAME_SLOTS - 1)) {
    const struct name_slot *e = &c->slots[i];
    if (e->hash == h && e->len == len && e->shape == shape && !memcmp(c->bytes + e->off, name, len))
      return &e->info;
  }
  sigma_name_info(s, shape, name, len, tmp);
  if (len > UINT16_MAX)
    return tmp;
  if (c->used + 1 > NAME_SLOTS / 2 || c->nbytes + len > NAME_BYTES) {
    forget(c);
    for (i = h & (NAME_SLOTS - 1); c->slots[i].hash; i = (i + 1) & (NAME_SLOTS - 1))
      ;
  }
  struct name_slot *e = &c->slots[i];
  *e = (struct name_slot){h, (uint32_t)c->nbytes, (uint16_t)len, (uint8_t)shape, *tmp};
  memcpy(c->bytes + c->nbytes, name, len);
  c->nbytes += len;
  c->used++;
  return &e->info;
}

size_t sigma_map_event(const struct detect_sigma_set *s, struct sigma_name_cache *c,
                       struct detect_event *ev)
{
  if (c->gen != s->generation) {
    forget(c);
    c->gen = s->generation;
  }
  int shape = sigma_event_shape(ev);
  if (shape != c->layout_shape) {
    c->layout_n = c->layout_used = 0;
    c->layout_shape = shape;
  }
  const struct detect_field *roles[SIGMA_ROLES] = {0};
  int32_t audit[DETECT_MAX_FIELDS];
  for (size_t i = 0; i < ev->nfields && i < DETECT_MAX_FIELDS; i++) {
    struct detect_field *f = &ev->fields[i];
    const struct sigma_name_info *in;
    const struct layout_entry *at = &c->at[i];
    if (i < c->layout_n && at->len == f->name_len &&
        !memcmp(c->layout + at->off, f->name, at->len)) {
      in = &at->info;
    } else {
      struct sigma_name_info tmp;
      in = name_info(s, c, shape, f->name, f->name_len, &tmp);
      place(c, i, f->name, f->name_len, in);
    }
    roles[in->role] = f;
    f->map_id = in->id;
    audit[i] = in->audit_id;
  }
  size_t cls = sigma_event_class(ev, shape, roles);
  if (sigma_class_is_audit(cls))
    for (size_t i = 0; i < ev->nfields && i < DETECT_MAX_FIELDS; i++)
      ev->fields[i].map_id = audit[i];
  return cls;
}
