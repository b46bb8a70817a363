/* SPDX-License-Identifier: MIT */
/*
 * Fixed-size object pool addressed by 32-bit index. Flows come and go by
 * the million; taking them from large chunks keeps malloc's per-object
 * overhead out of the per-flow memory cost, and indices let the records
 * link to each other with 4 bytes instead of 8. Objects are handed out in
 * index order, so memory is touched only as the pool fills; freed ones are
 * reused first.
 */
#include "fe_int.h"

#include <stdlib.h>

#define CHUNK_BYTES (256 * 1024)
#define MAX_SHIFT 16

void fe__pool_init(struct fe__pool *p, size_t object_size)
{
  p->chunks = NULL;
  p->chunk_count = 0;
  p->chunk_cap = 0;
  p->object_size = object_size;
  p->shift = 0;
  while (p->shift < MAX_SHIFT &&
         (object_size << (p->shift + 1)) <= CHUNK_BYTES) {
    p->shift++;
  }
  p->free_head = 0;
  p->fresh = 1; /* index 0 means "none" */
  p->live = 0;
}

static int add_chunk(struct fe__pool *p)
{
  char *chunk;

  if (p->chunk_count == p->chunk_cap) {
    size_t cap = p->chunk_cap == 0 ? 16 : p->chunk_cap * 2;
    char **grown = realloc(p->chunks, cap * sizeof(*grown));

    if (grown == NULL) {
      return -1;
    }
    p->chunks = grown;
    p->chunk_cap = cap;
  }
  chunk = malloc(p->object_size << p->shift);
  if (chunk == NULL) {
    return -1;
  }
  p->chunks[p->chunk_count++] = chunk;
  return 0;
}

uint32_t fe__pool_get(struct fe__pool *p)
{
  uint32_t i = p->free_head;

  if (i != 0) {
    p->free_head = *(uint32_t *)fe__pool_at(p, i);
  } else {
    /* The last index stays unused, so that fresh never wraps to 0. */
    if (p->fresh == UINT32_MAX) {
      return 0;
    }
    if ((p->fresh >> p->shift) >= p->chunk_count && add_chunk(p) != 0) {
      return 0;
    }
    i = p->fresh++;
  }
  p->live++;
  return i;
}

/* A free object's first four bytes hold the next free index. */
void fe__pool_put(struct fe__pool *p, uint32_t i)
{
  *(uint32_t *)fe__pool_at(p, i) = p->free_head;
  p->free_head = i;
  p->live--;
}

void fe__pool_cleanup(struct fe__pool *p)
{
  for (size_t i = 0; i < p->chunk_count; i++) {
    free(p->chunks[i]);
  }
  free(p->chunks);
  p->chunks = NULL;
  p->chunk_count = 0;
  p->chunk_cap = 0;
  p->free_head = 0;
  p->fresh = 1;
  p->live = 0;
}
