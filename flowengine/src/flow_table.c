/* SPDX-License-Identifier: MIT */
/*
 * Hash table of flows keyed by their endpoints without regard to
 * direction: CICFlowMeter looks a packet up under its own orientation and
 * then the reverse one, and at most one of the two can exist, so one
 * lookup with a symmetric hash and a symmetric comparison is equivalent.
 */
#include "fe_int.h"

#include <stdlib.h>

#define MIN_BUCKETS 1024

static uint64_t mix64(uint64_t x)
{
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t fe__tuple_hash(const struct fe__tuple *t)
{
  uint64_t a = (uint64_t)t->src << 16 | t->sport;
  uint64_t b = (uint64_t)t->dst << 16 | t->dport;
  uint64_t lo = a < b ? a : b;
  uint64_t hi = a < b ? b : a;

  return mix64(mix64(lo ^ (uint64_t)t->proto << 48) ^ hi);
}

int fe__tuple_same_flow(const struct fe__tuple *a, const struct fe__tuple *b)
{
  if (a->proto != b->proto) {
    return 0;
  }
  if (a->src == b->src && a->dst == b->dst && a->sport == b->sport &&
      a->dport == b->dport) {
    return 1;
  }
  return a->src == b->dst && a->dst == b->src && a->sport == b->dport &&
         a->dport == b->sport;
}

int fe__htab_init(struct fe__htab *t, size_t max_entries)
{
  size_t max_buckets = MIN_BUCKETS;

  while (max_buckets < max_entries && max_buckets < ((size_t)1 << 40)) {
    max_buckets <<= 1;
  }
  t->buckets = calloc(MIN_BUCKETS, sizeof(*t->buckets));
  if (t->buckets == NULL) {
    return FE_ERR_NOMEM;
  }
  t->mask = MIN_BUCKETS - 1;
  t->count = 0;
  t->max_buckets = max_buckets;
  return 0;
}

void fe__htab_cleanup(struct fe__htab *t)
{
  free(t->buckets);
  t->buckets = NULL;
}

/* Doubling keeps chains short; failure to grow only lengthens chains. */
static void grow(struct fe__htab *t)
{
  size_t size = (t->mask + 1) * 2;
  struct fe__hnode **fresh = calloc(size, sizeof(*fresh));

  if (fresh == NULL) {
    return;
  }
  for (size_t i = 0; i <= t->mask; i++) {
    struct fe__hnode *n = t->buckets[i];

    while (n != NULL) {
      struct fe__hnode *next = n->next;
      size_t slot = (size_t)n->hash & (size - 1);

      n->next = fresh[slot];
      fresh[slot] = n;
      n = next;
    }
  }
  free(t->buckets);
  t->buckets = fresh;
  t->mask = size - 1;
}

void fe__htab_insert(struct fe__htab *t, struct fe__hnode *n)
{
  size_t slot;

  if (t->count >= t->mask + 1 && t->mask + 1 < t->max_buckets) {
    grow(t);
  }
  slot = (size_t)n->hash & t->mask;
  n->next = t->buckets[slot];
  t->buckets[slot] = n;
  t->count++;
}

void fe__htab_remove(struct fe__htab *t, struct fe__hnode *n)
{
  struct fe__hnode **pp = &t->buckets[(size_t)n->hash & t->mask];

  while (*pp != NULL && *pp != n) {
    pp = &(*pp)->next;
  }
  if (*pp == n) {
    *pp = n->next;
    t->count--;
  }
}

struct fe__hnode *fe__htab_find(const struct fe__htab *t,
                                const struct fe__tuple *tuple, uint64_t hash)
{
  struct fe__hnode *n = t->buckets[(size_t)hash & t->mask];

  while (n != NULL) {
    if (n->hash == hash && fe__tuple_same_flow(&n->tuple, tuple)) {
      return n;
    }
    n = n->next;
  }
  return NULL;
}
