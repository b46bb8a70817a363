/* SPDX-License-Identifier: MIT */
/*
 * The FlowMeter service as transports see it: start a ProcessPcap call on
 * the worker pool, answer a health check, read the load. The gRPC server
 * and the REST gateway both go through here, so they share every
 * behaviour of the handler.
 */
#ifndef RPC_SERVICE_H
#define RPC_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/call.h"

#define RPC_SERVICE_NAME "cicflow.v1.FlowMeter"
#define RPC_PROCESS_PCAP_PATH "/cicflow.v1.FlowMeter/ProcessPcap"
#define RPC_HEALTH_CHECK_PATH "/grpc.health.v1.Health/Check"

struct rpc_service_config {
  size_t workers;              /* calls processed at once */
  size_t queue_length;         /* calls waiting for a worker */
  uint64_t max_upload_bytes;   /* per call; 0 = no limit */
  uint64_t max_flows_per_call; /* 0 = no limit */
  uint64_t max_open_flows;     /* per call; 0 = the engine's default */
  const char *tmp_dir;         /* spool files live here, unlinked */
};

struct rpc_service;

/* rpc_service_new: starts the workers; NULL without threads or memory. */
struct rpc_service *rpc_service_new(const struct rpc_service_config *cfg);

/* rpc_service_call_limits: queue limits for calls of this service. */
void rpc_service_call_limits(const struct rpc_service *s,
                             struct rpc_call_limits *limits);

/*
 * rpc_service_start_process_pcap: runs the ProcessPcap handler for call
 * on a worker, which takes its own reference. Returns 0, or RPC_ERR_BUSY
 * when every worker is busy and the queue is full.
 */
int rpc_service_start_process_pcap(struct rpc_service *s,
                                   struct rpc_call *call);

/*
 * rpc_service_health_check: answers a serialized HealthCheckRequest with
 * a serialized HealthCheckResponse in out (malloc'ed, *out_len bytes).
 * Returns RPC_OK, RPC_NOT_FOUND for an unknown service name, or
 * RPC_INTERNAL for a request that does not parse.
 */
enum rpc_code rpc_service_health_check(const uint8_t *req, size_t len,
                                       uint8_t **out, size_t *out_len);

/* rpc_service_load: calls running and waiting now. */
void rpc_service_load(struct rpc_service *s, size_t *running, size_t *waiting);

/* rpc_service_free: waits for running calls, then frees; NULL ignored. */
void rpc_service_free(struct rpc_service *s);

#endif /* RPC_SERVICE_H */
