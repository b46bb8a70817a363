/* SPDX-License-Identifier: MIT */
/*
 * A fixed set of worker threads with a bounded queue of waiting jobs.
 * Submitting beyond the queue fails at once instead of waiting, so an
 * overloaded server answers "busy" rather than piling up work.
 */
#ifndef RPC_WORKER_POOL_H
#define RPC_WORKER_POOL_H

#include <stddef.h>

typedef void (*rpc_job_cb)(void *arg);

struct rpc_worker_pool;

/*
 * rpc_worker_pool_new: starts workers threads; at most queue_length jobs
 * wait for a free worker. Returns NULL when threads or memory run out.
 */
struct rpc_worker_pool *rpc_worker_pool_new(size_t workers,
                                            size_t queue_length);

/*
 * rpc_worker_pool_submit: runs job(arg) on a worker. Returns 0, or
 * RPC_ERR_BUSY when every worker is busy and the queue is full (job is
 * then not run), RPC_ERR_CLOSED after rpc_worker_pool_free began.
 */
int rpc_worker_pool_submit(struct rpc_worker_pool *p, rpc_job_cb job,
                           void *arg);

/* rpc_worker_pool_load: jobs running and waiting right now. */
void rpc_worker_pool_load(struct rpc_worker_pool *p, size_t *running,
                          size_t *waiting);

/*
 * rpc_worker_pool_free: runs the jobs already queued, waits for every
 * worker to finish, and frees the pool. NULL is ignored.
 */
void rpc_worker_pool_free(struct rpc_worker_pool *p);

#endif /* RPC_WORKER_POOL_H */
