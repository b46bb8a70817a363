/* SPDX-License-Identifier: MIT */
/*
 * Service metrics in the Prometheus text format: calls by transport and
 * status, bytes, packets and flows processed, calls running and waiting,
 * and a histogram of call durations. Counters are process-wide atomics,
 * updated by transports and workers without locks.
 */
#ifndef RPC_METRICS_H
#define RPC_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/service.h"
#include "rpc/status.h"

enum rpc_transport { RPC_TRANSPORT_GRPC = 0, RPC_TRANSPORT_REST = 1 };

/* rpc_metrics_call_end: a call ended with code after seconds. */
void rpc_metrics_call_end(enum rpc_transport transport, enum rpc_code code,
                          double seconds);

/* rpc_metrics_processed: what one call's capture amounted to. */
void rpc_metrics_processed(uint64_t bytes, uint64_t packets, uint64_t flows);

/*
 * rpc_metrics_render: the metrics page, malloc'ed and NUL-terminated, with
 * the service's current load; NULL without memory. The caller frees it.
 */
char *rpc_metrics_render(struct rpc_service *svc);

#endif /* RPC_METRICS_H */
