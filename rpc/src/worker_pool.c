/* SPDX-License-Identifier: MIT */
/* Worker threads fed from a ring of waiting jobs under one mutex. */
#include "rpc/worker_pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "rpc/status.h"

struct job {
  rpc_job_cb run;
  void *arg;
};

struct rpc_worker_pool {
  pthread_mutex_t lock;
  pthread_cond_t work;
  pthread_t *threads;
  size_t thread_count;
  struct job *ring; /* queue_length slots */
  size_t queue_length;
  size_t head;
  size_t waiting;
  size_t running;
  int stopping;
};

static void *worker_main(void *arg)
{
  struct rpc_worker_pool *p = arg;

  pthread_mutex_lock(&p->lock);
  for (;;) {
    struct job j;

    while (p->waiting == 0 && !p->stopping) {
      pthread_cond_wait(&p->work, &p->lock);
    }
    if (p->waiting == 0) {
      break;
    }
    j = p->ring[p->head];
    p->head = (p->head + 1) % p->queue_length;
    p->waiting--;
    p->running++;
    pthread_mutex_unlock(&p->lock);
    j.run(j.arg);
    pthread_mutex_lock(&p->lock);
    p->running--;
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

struct rpc_worker_pool *rpc_worker_pool_new(size_t workers, size_t queue_length)
{
  struct rpc_worker_pool *p = calloc(1, sizeof(*p));

  if (p == NULL || workers == 0) {
    free(p);
    return NULL;
  }
  /* Jobs pass through the ring even when a worker is idle. */
  p->queue_length = queue_length + workers;
  p->ring = calloc(p->queue_length, sizeof(*p->ring));
  p->threads = calloc(workers, sizeof(*p->threads));
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->work, NULL);
  if (p->ring == NULL || p->threads == NULL) {
    rpc_worker_pool_free(p);
    return NULL;
  }
  for (; p->thread_count < workers; p->thread_count++) {
    if (pthread_create(&p->threads[p->thread_count], NULL, worker_main, p) !=
        0) {
      rpc_worker_pool_free(p);
      return NULL;
    }
  }
  return p;
}

int rpc_worker_pool_submit(struct rpc_worker_pool *p, rpc_job_cb job, void *arg)
{
  size_t busy_limit = p->queue_length;
  int rc = 0;

  pthread_mutex_lock(&p->lock);
  if (p->stopping) {
    rc = RPC_ERR_CLOSED;
  } else if (p->waiting + p->running >= busy_limit ||
             p->waiting == p->queue_length) {
    rc = RPC_ERR_BUSY;
  } else {
    size_t tail = (p->head + p->waiting) % p->queue_length;

    p->ring[tail].run = job;
    p->ring[tail].arg = arg;
    p->waiting++;
    pthread_cond_signal(&p->work);
  }
  pthread_mutex_unlock(&p->lock);
  return rc;
}

void rpc_worker_pool_load(struct rpc_worker_pool *p, size_t *running,
                          size_t *waiting)
{
  pthread_mutex_lock(&p->lock);
  *running = p->running;
  *waiting = p->waiting;
  pthread_mutex_unlock(&p->lock);
}

void rpc_worker_pool_free(struct rpc_worker_pool *p)
{
  if (p == NULL) {
    return;
  }
  pthread_mutex_lock(&p->lock);
  p->stopping = 1;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->lock);
  for (size_t i = 0; i < p->thread_count; i++) {
    pthread_join(p->threads[i], NULL);
  }
  pthread_cond_destroy(&p->work);
  pthread_mutex_destroy(&p->lock);
  free(p->threads);
  free(p->ring);
  free(p);
}
