/* SPDX-License-Identifier: MIT */
/* Private declarations of the rpc module. */
#ifndef RPC_RPC_INT_H
#define RPC_RPC_INT_H

#include <stdint.h>
#include <stdio.h>

#include "flowengine/row.h"
#include "rpc/call.h"
#include "rpc/service.h"

#include "cicflow/v1/flowmeter.pb-c.h"

#define RPC__NAME_MAX 200
#define RPC__CHUNK_BYTES (1024 * 1024)

struct rpc_service {
  struct rpc_service_config cfg;
  char tmp_dir[4096];
  struct rpc_worker_pool *pool;
};

/* The ProcessPcap handler, run by a worker; consumes one call reference. */
void rpc__process_pcap(struct rpc_service *s, struct rpc_call *call);

/*
 * rpc__capture_stream: a FILE * over the chunk messages of call, for
 * libpcap. Reading ends at the end of input; it fails when the call is
 * cancelled, when the chunks pass max_bytes (0: no limit; the call is
 * then cancelled with RESOURCE_EXHAUSTED), or when a message is not a
 * chunk (*protocol_error is then set to a message of RPC_MESSAGE_MAX
 * bytes). Returns NULL without memory.
 */
FILE *rpc__capture_stream(struct rpc_call *call, uint64_t max_bytes,
                          char *protocol_error);

/* rpc__spool_open: an anonymous read-write temp file in dir, or NULL. */
FILE *rpc__spool_open(const char *dir);

/*
 * rpc__zip_build: writes a zip archive holding the CSV in csv (read from
 * its start) as entry_name, plus summary.txt when summary is not NULL.
 * Returns an anonymous file positioned at 0 holding the archive, or NULL
 * with a message in err (RPC_MESSAGE_MAX bytes).
 */
FILE *rpc__zip_build(const char *dir, FILE *csv, const char *entry_name,
                     const char *summary, char *err);

/* rpc__sanitize_name: a safe file name from untrusted text. */
void rpc__sanitize_name(const char *untrusted, char *out, size_t out_size);

/* rpc__flow_from_row: fills flow (already initialised) from row. */
void rpc__flow_from_row(const struct fe_row *row, Cicflow__V1__Flow *flow);

#endif /* RPC_RPC_INT_H */
