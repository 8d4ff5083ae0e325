/* Inside the indicator index: the layout shared by the builder (ioc_build.c) and the matcher
 * (ioc_index.c). Not for other modules. */
#ifndef FS_DETECT_IOC_INT_H
#define FS_DETECT_IOC_INT_H

#include "detect/hash.h"
#include "detect/ioc.h"

#define IOC_NONE UINT32_MAX

/* One value. 20 bytes: memory per indicator is a goal (docs/internals/detect.md). */
struct ioc_entry {
  uint32_t val;    /* IPv4: the address (host order); otherwise the offset of the key in blob */
  uint16_t len;    /* key bytes */
  uint8_t type;    /* enum detect_ioc_type */
  uint8_t plen;    /* prefix length for addresses (32 / 128 for one address), else 0 */
  uint32_t meta;   /* index into metas */
  uint32_t source; /* offset into src (0: none) */
  uint32_t next;   /* next entry with the same key, or IOC_NONE */
};

struct ioc_slot {
  uint32_t tag;   /* high half of the key hash, never 0; 0 marks an empty slot */
  uint32_t entry; /* first entry of the chain */
};

/* What many values share: validity window, visibility, label, compound pattern. */
struct ioc_meta {
  int64_t from, until;
  uint32_t vis;      /* 0: all; else offset in vis where count and sorted org ids are */
  uint32_t label;    /* offset in labels (0: none) */
  uint32_t pattern;  /* 0: none; else 1 + index into patterns (the values are its anchors) */
  uint32_t reserved; /* 0: metas are compared as bytes */
};

/* An elementary address interval and the ranges that cover all of it. */
struct ioc_seg4 {
  uint32_t start;
  uint32_t cover; /* offset in covers */
  uint32_t ncover;
};
struct ioc_seg6 {
  __uint128_t start;
  uint32_t cover;
  uint32_t ncover;
};

struct detect_ioc_index {
  uint64_t seed;
  struct ioc_entry *entries;
  size_t nentries, entries_cap;
  struct ioc_slot *slots;
  size_t slot_mask; /* slots: slot_mask + 1, a power of two */
  uint64_t *bloom;  /* blocks of 8 words (512 bits) */
  size_t bloom_mask;
  unsigned char *blob; /* keys */
  size_t blob_len, blob_cap;
  unsigned char *src; /* sources: [0][len][bytes] raw, [1][16 bytes] "indicator--<uuid>" */
  size_t src_len, src_cap;
  struct ioc_meta *metas;
  size_t nmetas, metas_cap;
  uint32_t *vis;
  size_t vis_len, vis_cap;
  char *labels;
  size_t labels_len, labels_cap;
  struct detect_ioc_pattern **patterns; /* compound patterns, one reference each */
  size_t npatterns, patterns_cap;
  struct ioc_seg4 *seg4;
  size_t nseg4;
  uint64_t *map24; /* one bit per /24 that any IPv4 range touches */
  struct ioc_seg6 *seg6;
  size_t nseg6;
  uint32_t *covers;
  size_t ncovers;
  unsigned tok_want; /* tokenizer types worth extracting */
  /* The last labels (top-level domains) of domain, e-mail and URL-host indicators, as 4096-bit
   * maps: a name whose last label is not there needs no lookup at all (.local, .internal...). */
  uint64_t tld_domain[64], tld_email[64], tld_url[64];
  bool windows;            /* some indicator has a validity window (so event times matter) */
  unsigned dom_min_labels; /* fewest labels of any domain indicator */
  struct detect_ioc_stats stats;
};

/* Hash of a key of a type and prefix length. */
static inline uint64_t ioc_key_hash(const struct detect_ioc_index *ix, unsigned type, unsigned plen,
                                    const void *key, size_t len)
{
  return detect_hash(key, len, ix->seed ^ ((uint64_t)(type << 8 | plen) * 0x9E3779B97F4A7C15ULL));
}

static inline uint32_t ioc_tag(uint64_t h)
{
  return (uint32_t)(h >> 32) | 1u;
}

static inline size_t ioc_bloom_block(const struct detect_ioc_index *ix, uint64_t h)
{
  return (size_t)(detect_mix(h, 0xD6E8FEB86659FD93ULL) & ix->bloom_mask);
}

static inline bool ioc_bloom_test(const struct detect_ioc_index *ix, uint64_t h)
{
  const uint64_t *b = ix->bloom + ioc_bloom_block(ix, h) * 8;
  for (int k = 0; k < 4; k++) {
    unsigned bit = (unsigned)(h >> (28 + 9 * k)) & 511;
    if (!(b[bit >> 6] & (1ULL << (bit & 63))))
      return false;
  }
  return true;
}

/* The key bytes of entry e. */
static inline const void *ioc_entry_key(const struct detect_ioc_index *ix,
                                        const struct ioc_entry *e)
{
  return e->type == DETECT_IOC_IPV4 ? (const void *)&e->val : (const void *)(ix->blob + e->val);
}

/* Normalises a spec value into its key (type-specific bytes) in out (DETECT_URL_MAX+64 bytes).
 * Returns the key length or 0 with a reason in *why. */
size_t ioc_make_key(enum detect_ioc_type type, const char *v, size_t n, unsigned char *out,
                    uint8_t *plen, const char **why);

/* The bit of a last label in the maps above; name is any case, n bytes. */
static inline unsigned ioc_tld_bit(const char *name, size_t n)
{
  const char *dot = memrchr(name, '.', n);
  const char *l = dot ? dot + 1 : name;
  size_t len = (size_t)(name + n - l);
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)(l[i] >= 'A' && l[i] <= 'Z' ? l[i] + 32 : l[i])) * 1099511628211ULL;
  return (unsigned)(h >> 52) & 4095;
}

static inline bool ioc_tld_test(const uint64_t *map, const char *name, size_t n)
{
  unsigned b = ioc_tld_bit(name, n);
  return map[b >> 6] & (1ULL << (b & 63));
}

static inline void ioc_tld_set(uint64_t *map, const char *name, size_t n)
{
  unsigned b = ioc_tld_bit(name, n);
  map[b >> 6] |= 1ULL << (b & 63);
}

#endif
