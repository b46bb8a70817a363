/* SPDX-License-Identifier: MIT */
/*
 * Private state of the gRPC server: the server (listener and the queue of
 * calls that woke up), connections (one nghttp2 session each) and streams
 * (one gRPC call each). Everything here is touched by the loop thread
 * only, except the wake queue, which has its own lock.
 */
#ifndef RPC_GRPC_INT_H
#define RPC_GRPC_INT_H

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <nghttp2/nghttp2.h>
#include <pthread.h>

#include "rpc/grpc_server.h"
#include "rpc/status.h"

#define GRPC_MAX_MESSAGE (4u * 1024 * 1024) /* gRPC's default limit */
#define GRPC_PATH_MAX 256
/* Answers made on the loop thread and not yet read by the client. */
#define GRPC_ANSWERS_MAX (1024u * 1024)

struct grpc_conn;
struct grpc_stream;
struct rpc_reflection;

struct rpc_grpc_server {
  struct event_base *base;
  struct rpc_service *svc;
  struct rpc_reflection *refl; /* the served descriptors */
  struct rpc_grpc_config cfg;
  char address[128];
  struct evconnlistener *listener;
  struct event *wake_event;
  int wake_fd; /* eventfd the workers poke */
  pthread_mutex_t wake_lock;
  struct rpc_call **woken; /* calls waiting for the loop, referenced */
  size_t woken_len;
  size_t woken_cap;
  struct grpc_conn *conns;
  size_t streams;
  int shutting_down;
};

struct grpc_conn {
  struct rpc_grpc_server *srv;
  struct bufferevent *bev;
  nghttp2_session *session;
  struct grpc_stream *streams;
  struct grpc_conn *prev;
  struct grpc_conn *next;
  char peer[80]; /* "[host]:port" */
};

enum grpc_route {
  ROUTE_NONE,
  ROUTE_PROCESS_PCAP, /* a call run by a worker */
  ROUTE_HEALTH_CHECK, /* unary, answered on the loop thread */
  ROUTE_REFLECTION    /* bidi, each request answered on the loop thread */
};

struct grpc_stream {
  struct grpc_conn *conn;
  int32_t id;
  struct grpc_stream *prev;
  struct grpc_stream *next;
  /* request headers */
  char path[GRPC_PATH_MAX];
  char content_type[64];
  char encoding[32];
  char method[16];
  int64_t timeout_us; /* -1 when the client set no deadline */
  enum grpc_route route;
  /* request body: the gRPC deframer */
  uint8_t prefix[5];
  size_t prefix_len;
  struct rpc_msg *msg; /* message being assembled */
  size_t msg_have;
  size_t owed;      /* DATA bytes not yet given back as window */
  int input_closed; /* END_STREAM seen */
  /* the call behind the stream */
  struct rpc_call *call;
  struct rpc_msg *unary_in; /* health check request */
  /* answers made on the loop thread, under GRPC_ANSWERS_MAX bytes */
  struct rpc_msg *answers;
  struct rpc_msg *answers_tail;
  size_t answers_bytes;
  enum rpc_code status; /* status of an early end or of a loop route */
  char status_message[RPC_MESSAGE_MAX];
  int status_set;
  /* response */
  int response_started;
  int trailers_sent;
  int deferred;
  struct rpc_msg *sending;
  size_t sent; /* bytes of prefix + sending already copied out */
  struct event *deadline;
  double started; /* monotonic seconds */
};

/* grpc_server.c */
void grpc__wake(void *ctx, struct rpc_call *call);

/* grpc_conn.c */
int grpc__conn_start(struct rpc_grpc_server *srv, evutil_socket_t fd,
                     const struct sockaddr *addr, int addrlen);
void grpc__conn_free(struct grpc_conn *c);
void grpc__conn_send(struct grpc_conn *c);

/* grpc_stream.c */
struct grpc_stream *grpc__stream_new(struct grpc_conn *c, int32_t id);
void grpc__stream_free(struct grpc_stream *st);
void grpc__stream_header(struct grpc_stream *st, const uint8_t *name,
                         size_t namelen, const uint8_t *value, size_t valuelen);
void grpc__stream_start(struct grpc_stream *st);
void grpc__stream_data(struct grpc_stream *st, const uint8_t *data, size_t len);
void grpc__stream_input_end(struct grpc_stream *st);
void grpc__stream_pump(struct grpc_stream *st);
void grpc__stream_fail(struct grpc_stream *st, enum rpc_code code,
                       const char *message);
void grpc__stream_closed(struct grpc_stream *st, uint32_t error_code);
void grpc__stream_sent_end(struct grpc_stream *st);

#endif /* RPC_GRPC_INT_H */
