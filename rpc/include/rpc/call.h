/* SPDX-License-Identifier: MIT */
/*
 * A call: the meeting point of a transport (the gRPC server, the REST
 * gateway) and the worker that runs the service handler. Requests flow in
 * and responses flow out as serialized protobuf messages through two
 * bounded queues; a call's status ends it. Transports and workers live on
 * different threads and never touch each other's state: they meet only
 * here, under the call's lock.
 *
 * Worker side: rpc_call_read, rpc_call_write, rpc_call_try_write,
 * rpc_call_finish. Transport side: everything else. Every function is
 * thread-safe.
 */
#ifndef RPC_CALL_H
#define RPC_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/status.h"

/* A serialized protobuf message in a queue. */
struct rpc_msg {
  struct rpc_msg *next;
  size_t len;
  uint8_t data[]; /* len bytes */
};

struct rpc_call;

/*
 * Called (from the worker's thread, without the call's lock) whenever the
 * transport has something to do with call: input was consumed, output
 * was queued, or the call finished. It must only schedule work, never
 * block; it may keep the call with rpc_call_ref. ctx must outlive every
 * call that uses it.
 */
typedef void (*rpc_wake_cb)(void *ctx, struct rpc_call *call);

/* rpc_msg_new: an uninitialised message of len bytes, or NULL. */
struct rpc_msg *rpc_msg_new(size_t len);

struct rpc_call_limits {
  size_t input_queue_bytes;  /* requests waiting for the worker */
  size_t output_queue_bytes; /* responses waiting for the transport */
  uint64_t max_input_bytes;  /* whole upload; 0 = no limit */
};

/*
 * rpc_call_new: a call with one reference, held by the caller. wake and
 * ctx are borrowed until rpc_call_detach. Returns NULL without memory.
 */
struct rpc_call *rpc_call_new(const struct rpc_call_limits *limits,
                              rpc_wake_cb wake, void *ctx);
void rpc_call_ref(struct rpc_call *c);
/* rpc_call_unref: drops a reference; the last one frees the call. */
void rpc_call_unref(struct rpc_call *c);
/* rpc_call_detach: no more wake-ups (the transport is going away). */
void rpc_call_detach(struct rpc_call *c);

/*
 * rpc_call_push: queues one request message (copied). Returns 0,
 * RPC_ERR_LIMIT when the upload passes max_input_bytes (the call is then
 * cancelled with RESOURCE_EXHAUSTED), RPC_ERR_CLOSED after the call ended,
 * RPC_ERR_NOMEM. The transport keeps the queue under input_queue_bytes
 * with its own flow control, see rpc_call_input_room.
 */
int rpc_call_push(struct rpc_call *c, const uint8_t *data, size_t len);
/* rpc_call_push_msg: as rpc_call_push, but takes ownership of m. */
int rpc_call_push_msg(struct rpc_call *c, struct rpc_msg *m);
/* rpc_call_close_input: the client has sent everything. */
void rpc_call_close_input(struct rpc_call *c);
/* rpc_call_input_room: 1 if the input queue is below its limit. */
int rpc_call_input_room(struct rpc_call *c);
/* rpc_call_take_consumed: request bytes the worker took since last asked. */
size_t rpc_call_take_consumed(struct rpc_call *c);
/* rpc_call_pop_output: next response message or NULL; caller frees it. */
struct rpc_msg *rpc_call_pop_output(struct rpc_call *c);
/*
 * rpc_call_done: 1 when the call has ended and all its output was popped;
 * then *code and message (RPC_MESSAGE_MAX bytes) hold the status.
 */
int rpc_call_done(struct rpc_call *c, enum rpc_code *code, char *message);
/* rpc_call_cancel: ends the call with code; the worker stops soon. */
void rpc_call_cancel(struct rpc_call *c, enum rpc_code code,
                     const char *message);
/*
 * rpc_call_set_user / rpc_call_user: one pointer for the transport, read
 * and written only on the transport's own thread (never by workers).
 */
void rpc_call_set_user(struct rpc_call *c, void *user);
void *rpc_call_user(const struct rpc_call *c);
/*
 * rpc_call_set_result / rpc_call_result: what the call's capture amounted
 * to, set by the worker and read by the transport for its request log.
 */
void rpc_call_set_result(struct rpc_call *c, uint64_t packets, uint64_t flows);
void rpc_call_result(struct rpc_call *c, uint64_t *packets, uint64_t *flows);
/* rpc_call_bytes_in: request bytes pushed so far. */
uint64_t rpc_call_bytes_in(struct rpc_call *c);

/*
 * rpc_call_read: the next request message, blocking. Returns 0 with *msg
 * set (the caller frees it with free()), 0 with *msg NULL at the end of
 * input, RPC_ERR_CANCELLED when the call was cancelled.
 */
int rpc_call_read(struct rpc_call *c, struct rpc_msg **msg);
/*
 * rpc_call_write: queues a response, blocking while the output queue is
 * full. Returns 0 or RPC_ERR_CANCELLED, RPC_ERR_NOMEM.
 */
int rpc_call_write(struct rpc_call *c, const uint8_t *data, size_t len);
/* rpc_call_try_write: as rpc_call_write, but RPC_ERR_FULL over the limit. */
int rpc_call_try_write(struct rpc_call *c, const uint8_t *data, size_t len);
/* rpc_call_cancelled: 1 once the call was cancelled. */
int rpc_call_cancelled(struct rpc_call *c);
/*
 * rpc_call_finish: the worker's last word. A cancelled call keeps the
 * cancellation's code and message.
 */
void rpc_call_finish(struct rpc_call *c, enum rpc_code code,
                     const char *message);

#endif /* RPC_CALL_H */
