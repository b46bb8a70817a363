/* SPDX-License-Identifier: MIT */
/*
 * A small blocking gRPC client for ProcessPcap over HTTP/2 cleartext,
 * for 'cicflow process': it streams a capture from a FILE * and hands
 * each response message to a callback. One call at a time.
 */
#ifndef RPC_GRPC_CLIENT_H
#define RPC_GRPC_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rpc/status.h"

#include "cicflow/v1/flowmeter.pb-c.h"

/* Receives each response; return non-zero to cancel the call. */
typedef int (*rpc_response_cb)(void *ctx,
                               const Cicflow__V1__ProcessPcapResponse *r);

struct rpc_grpc_client;

/*
 * rpc_grpc_client_connect: opens a connection to "HOST:PORT". Returns 0,
 * or RPC_ERR_SYSTEM with a message in err (RPC_MESSAGE_MAX bytes).
 */
int rpc_grpc_client_connect(const char *address, struct rpc_grpc_client **out,
                            char *err);

/*
 * rpc_grpc_client_process: one ProcessPcap call: opts first, then the
 * bytes of capture (read to its end, borrowed) in chunks of chunk_bytes.
 * Returns the call's status code, with its message in message
 * (RPC_MESSAGE_MAX bytes); transport failures give RPC_UNAVAILABLE.
 */
enum rpc_code rpc_grpc_client_process(struct rpc_grpc_client *c,
                                      const Cicflow__V1__ProcessOptions *opts,
                                      FILE *capture, size_t chunk_bytes,
                                      rpc_response_cb on_response, void *ctx,
                                      char *message);

/* rpc_grpc_client_free: closes the connection; NULL is ignored. */
void rpc_grpc_client_free(struct rpc_grpc_client *c);

#endif /* RPC_GRPC_CLIENT_H */
