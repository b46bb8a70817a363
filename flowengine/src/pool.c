/* SPDX-License-Identifier: MIT */
/*
 * Fixed-size object pool. Flows come and go by the million; taking them
 * from slabs keeps malloc's per-object overhead and fragmentation out of
 * the per-flow memory cost. Slabs are returned only at cleanup, so memory
 * follows the peak number of live objects.
 */
#include "fe_int.h"

#include <stdlib.h>

#define SLAB_BYTES (256 * 1024)

void fe__pool_init(struct fe__pool *p, size_t object_size)
{
  size_t align = sizeof(void *) * 2;

  p->free_list = NULL;
  p->slabs = NULL;
  p->object_size = (object_size + align - 1) / align * align;
  p->per_slab = (SLAB_BYTES - align) / p->object_size;
  if (p->per_slab == 0) {
    p->per_slab = 1;
  }
}

/* The first object slot of each slab holds the link to the next slab. */
static int grow(struct fe__pool *p)
{
  size_t align = sizeof(void *) * 2;
  char *slab = malloc(align + p->per_slab * p->object_size);

  if (slab == NULL) {
    return -1;
  }
  *(void **)(void *)slab = p->slabs;
  p->slabs = slab;
  for (size_t i = 0; i < p->per_slab; i++) {
    void *obj = slab + align + i * p->object_size;

    *(void **)obj = p->free_list;
    p->free_list = obj;
  }
  return 0;
}

void *fe__pool_get(struct fe__pool *p)
{
  void *obj;

  if (p->free_list == NULL && grow(p) != 0) {
    return NULL;
  }
  obj = p->free_list;
  p->free_list = *(void **)obj;
  return obj;
}

void fe__pool_put(struct fe__pool *p, void *obj)
{
  *(void **)obj = p->free_list;
  p->free_list = obj;
}

void fe__pool_cleanup(struct fe__pool *p)
{
  while (p->slabs != NULL) {
    void *next = *(void **)p->slabs;

    free(p->slabs);
    p->slabs = next;
  }
  p->free_list = NULL;
}
