/* SPDX-License-Identifier: MIT */
/*
 * The gRPC server: HTTP/2 over cleartext TCP (prior knowledge, as gRPC
 * clients speak it) on nghttp2, driven by a libevent loop. The loop thread
 * does all network work; the service's workers do the processing.
 */
#ifndef RPC_GRPC_SERVER_H
#define RPC_GRPC_SERVER_H

#include <event2/event.h>

#include "rpc/service.h"

struct rpc_grpc_config {
  const char *address;     /* "HOST:PORT"; port 0 picks a free one */
  unsigned idle_timeout_s; /* a silent client is dropped after this */
};

struct rpc_grpc_server;

/*
 * rpc_grpc_server_new: listens on cfg->address with base and svc
 * (borrowed). Returns 0, or a negative rpc_error with a message in err
 * (RPC_MESSAGE_MAX bytes).
 */
int rpc_grpc_server_new(struct event_base *base, struct rpc_service *svc,
                        const struct rpc_grpc_config *cfg,
                        struct rpc_grpc_server **out, char *err);

/* rpc_grpc_server_address: the bound "HOST:PORT". */
const char *rpc_grpc_server_address(const struct rpc_grpc_server *s);

/*
 * rpc_grpc_server_shutdown: stops accepting, tells clients (GOAWAY) and
 * answers new calls with UNAVAILABLE; running calls go on.
 */
void rpc_grpc_server_shutdown(struct rpc_grpc_server *s);

/* rpc_grpc_server_cancel_all: ends every running call with UNAVAILABLE. */
void rpc_grpc_server_cancel_all(struct rpc_grpc_server *s);

/* rpc_grpc_server_streams: gRPC streams open now. */
size_t rpc_grpc_server_streams(const struct rpc_grpc_server *s);

/* rpc_grpc_server_free: closes every connection; NULL is ignored. */
void rpc_grpc_server_free(struct rpc_grpc_server *s);

#endif /* RPC_GRPC_SERVER_H */
