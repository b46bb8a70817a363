/* SPDX-License-Identifier: MIT */
/*
 * Keyed table of flows (and of expired flows' keys) without regard to
 * direction: CICFlowMeter looks a packet up under its own orientation and
 * then the reverse one, and at most one of the two can exist, so one
 * lookup with a symmetric hash and a symmetric comparison is equivalent.
 * Records also form a list in the order they were added, which the meter
 * uses for expiry. All links are pool indices.
 */
#include "fe_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define MIN_BUCKETS 1024

/*
 * One word per endpoint; an IPv4 address leaves the second half 0, and the
 * port lands in bits an IPv4 address does not use.
 */
static uint64_t endpoint_word(const uint8_t *addr, uint16_t port)
{
  uint64_t head;
  uint64_t tail;

  memcpy(&head, addr, 8);
  memcpy(&tail, addr + 8, 8);
  return (head ^ tail * 0xff51afd7ed558ccdULL) ^ (uint64_t)port << 40;
}

/* The top bits of the last product reach the bucket index by the fold. */
uint64_t fe__tuple_hash(const struct fe__tuple *t)
{
  uint64_t a = endpoint_word(t->src, t->sport);
  uint64_t b = endpoint_word(t->dst, t->dport);
  uint64_t lo = a < b ? a : b;
  uint64_t hi = a < b ? b : a;
  uint64_t kind = (uint64_t)t->proto << 48 | (uint64_t)t->family << 56;
  uint64_t h = (lo ^ kind) * 0x9e3779b97f4a7c15ULL;

  h = (h ^ hi) * 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 29) ^ (h >> 43);
}

int fe__tuple_same_flow(const struct fe__tuple *a, const struct fe__tuple *b)
{
  /* An IPv4 address and an IPv6 one may share their bytes. */
  if (a->proto != b->proto || a->family != b->family) {
    return 0;
  }
  if (a->sport == b->sport && a->dport == b->dport &&
      memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0) {
    return 1;
  }
  return a->sport == b->dport && a->dport == b->sport &&
         memcmp(a->src, b->dst, 16) == 0 && memcmp(a->dst, b->src, 16) == 0;
}

int fe__ktab_init(struct fe__ktab *t, size_t record_size, size_t max_records)
{
  size_t max_buckets = MIN_BUCKETS;

  assert(record_size >= sizeof(struct fe__entry));
  while (max_buckets < max_records && max_buckets < ((size_t)1 << 31)) {
    max_buckets <<= 1;
  }
  fe__pool_init(&t->pool, record_size);
  t->buckets = calloc(MIN_BUCKETS, sizeof(*t->buckets));
  if (t->buckets == NULL) {
    return FE_ERR_NOMEM;
  }
  t->mask = MIN_BUCKETS - 1;
  t->count = 0;
  t->max_buckets = max_buckets;
  t->oldest = 0;
  t->newest = 0;
  return 0;
}

void fe__ktab_cleanup(struct fe__ktab *t)
{
  free(t->buckets);
  t->buckets = NULL;
  fe__pool_cleanup(&t->pool);
}

static struct fe__entry *entry(const struct fe__ktab *t, uint32_t i)
{
  return fe__pool_at(&t->pool, i);
}

/*
 * Doubling keeps chains short; failure to grow only lengthens chains.
 * Walking the age list visits every record once.
 */
static void grow(struct fe__ktab *t)
{
  size_t size = (t->mask + 1) * 2;
  uint32_t *fresh = calloc(size, sizeof(*fresh));

  if (fresh == NULL) {
    return;
  }
  for (uint32_t i = t->oldest; i != 0; i = entry(t, i)->newer) {
    struct fe__entry *e = entry(t, i);
    size_t slot = (size_t)fe__tuple_hash(&e->tuple) & (size - 1);

    e->chain = fresh[slot];
    fresh[slot] = i;
  }
  free(t->buckets);
  t->buckets = fresh;
  t->mask = size - 1;
}

uint32_t fe__ktab_find(const struct fe__ktab *t, const struct fe__tuple *key,
                       uint64_t hash)
{
  uint32_t i = t->buckets[(size_t)hash & t->mask];

  while (i != 0) {
    const struct fe__entry *e = entry(t, i);

    if (fe__tuple_same_flow(&e->tuple, key)) {
      return i;
    }
    i = e->chain;
  }
  return 0;
}

static void link_newest(struct fe__ktab *t, uint32_t i, struct fe__entry *e)
{
  e->older = t->newest;
  e->newer = 0;
  if (t->newest != 0) {
    entry(t, t->newest)->newer = i;
  } else {
    t->oldest = i;
  }
  t->newest = i;
}

static void unlink_age(struct fe__ktab *t, const struct fe__entry *e)
{
  if (e->older != 0) {
    entry(t, e->older)->newer = e->newer;
  } else {
    t->oldest = e->newer;
  }
  if (e->newer != 0) {
    entry(t, e->newer)->older = e->older;
  } else {
    t->newest = e->older;
  }
}

uint32_t fe__ktab_add(struct fe__ktab *t, const struct fe__tuple *key,
                      uint64_t hash)
{
  uint32_t i;
  struct fe__entry *e;
  size_t slot;

  if (t->count >= t->mask + 1 && t->mask + 1 < t->max_buckets) {
    grow(t);
  }
  i = fe__pool_get(&t->pool);
  if (i == 0) {
    return 0;
  }
  e = entry(t, i);
  e->tuple = *key;
  slot = (size_t)hash & t->mask;
  e->chain = t->buckets[slot];
  t->buckets[slot] = i;
  link_newest(t, i, e);
  t->count++;
  return i;
}

void fe__ktab_remove(struct fe__ktab *t, uint32_t i)
{
  struct fe__entry *e = entry(t, i);
  uint32_t *link = &t->buckets[(size_t)fe__tuple_hash(&e->tuple) & t->mask];

  while (*link != i && *link != 0) {
    link = &entry(t, *link)->chain;
  }
  assert(*link == i);
  if (*link != i) {
    return;
  }
  *link = e->chain;
  unlink_age(t, e);
  t->count--;
  fe__pool_put(&t->pool, i);
}

void fe__ktab_renew(struct fe__ktab *t, uint32_t i)
{
  struct fe__entry *e = entry(t, i);

  if (t->newest != i) {
    unlink_age(t, e);
    link_newest(t, i, e);
  }
}
