/* SPDX-License-Identifier: MIT */
/*
 * The REST gateway: HTTP/1.1 on libmicrohttpd in front of the FlowMeter
 * service. POST /process streams a multipart upload into a ProcessPcap
 * call as it arrives and answers with the file the call produces; GET
 * /docs, /openapi.json and /healthz describe and probe the service.
 *
 * Threads: libmicrohttpd's one internal thread (epoll) does all network
 * work and runs every request callback; the service's workers do the
 * processing and wake a request's connection when its call has news.
 */
#ifndef GATEWAY_SERVER_H
#define GATEWAY_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/service.h"

#define GW_MUST_CHECK __attribute__((warn_unused_result))

/* Used when gw_config leaves the field 0. */
#define GW_DEFAULT_MAX_CONNECTIONS 256
#define GW_DEFAULT_CONNECTION_MEMORY (256 * 1024)

enum gw_error {
  GW_ERR_NOMEM = -1,   /* out of memory */
  GW_ERR_ADDRESS = -2, /* the listen address does not parse */
  GW_ERR_LISTEN = -3   /* libmicrohttpd could not bind or start */
};

struct gw_config {
  const char *address;            /* "HOST:PORT" or "[V6]:PORT"; port 0
                                     picks a free one */
  unsigned idle_timeout_s;        /* a silent client is dropped; 0 never */
  unsigned max_connections;       /* open at once; 0 = default */
  size_t connection_memory_bytes; /* per connection; 0 = default */
  uint64_t max_upload_bytes;      /* the service's limit, checked against
                                     Content-Length up front; 0 = none */
};

struct gw_server;

/*
 * gw_server_new: listens on cfg->address and serves svc (borrowed; it must
 * outlive the gateway, see gw_server_free). On success *out is set and 0
 * is returned; otherwise GW_ERR_NOMEM, GW_ERR_ADDRESS or GW_ERR_LISTEN
 * with a message in err (RPC_MESSAGE_MAX bytes).
 */
GW_MUST_CHECK int gw_server_new(struct rpc_service *svc,
                                const struct gw_config *cfg,
                                struct gw_server **out, char *err);

/* gw_server_address: the bound "HOST:PORT", with the real port. */
const char *gw_server_address(const struct gw_server *s);

/*
 * gw_server_shutdown: stops accepting connections; requests that arrive
 * on open connections are answered 503. Requests under way go on.
 * Thread-safe.
 */
void gw_server_shutdown(struct gw_server *s);

/*
 * gw_server_cancel_all: ends every running call with UNAVAILABLE; their
 * clients get 503 (or a cut response if it had begun). Thread-safe.
 */
void gw_server_cancel_all(struct gw_server *s);

/* gw_server_requests: POST /process requests under way. Thread-safe. */
size_t gw_server_requests(struct gw_server *s);

/*
 * gw_server_stop: closes every connection and stops libmicrohttpd's
 * thread; calls still running are cancelled. Call it before
 * rpc_service_free. Idempotent; NULL is ignored.
 */
void gw_server_stop(struct gw_server *s);

/*
 * gw_server_free: stops (if not done) and frees. Workers may still be
 * waking the gateway until the service's workers have ended, so call it
 * after rpc_service_free. NULL is ignored.
 */
void gw_server_free(struct gw_server *s);

/* gw_strerror: a short text for a gw_error code. */
const char *gw_strerror(int code);

#endif /* GATEWAY_SERVER_H */
