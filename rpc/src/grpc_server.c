/* SPDX-License-Identifier: MIT */
/*
 * The gRPC server's listener and wake queue. Workers never touch nghttp2
 * sessions, which are not thread-safe: when a call has news they queue it
 * here and poke an eventfd, and the loop thread then moves the call's
 * stream along (window credit, output, trailers).
 */
#include "grpc_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "rpc/address.h"
#include "rpc/call.h"
#include "rpc/log.h"

#include "cicflow/services_desc.h"
#include "reflection.h"

void grpc__wake(void *ctx, struct rpc_call *call)
{
  struct rpc_grpc_server *s = ctx;
  uint64_t one = 1;
  int poke;

  pthread_mutex_lock(&s->wake_lock);
  if (s->woken_len == s->woken_cap) {
    size_t cap = s->woken_cap ? s->woken_cap * 2 : 64;
    struct rpc_call **grown = realloc(s->woken, cap * sizeof(*grown));

    if (grown == NULL) {
      /* The loop still sees this call at its next event or deadline. */
      pthread_mutex_unlock(&s->wake_lock);
      return;
    }
    s->woken = grown;
    s->woken_cap = cap;
  }
  rpc_call_ref(call);
  s->woken[s->woken_len++] = call;
  poke = s->woken_len == 1;
  pthread_mutex_unlock(&s->wake_lock);
  if (poke && write(s->wake_fd, &one, sizeof(one)) < 0) {
    RPC_LOG(RPC_LOG_ERROR, "grpc", "wake_failed", "fd=%d", s->wake_fd);
  }
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
  struct rpc_grpc_server *s = arg;
  struct rpc_call **batch;
  size_t len;
  uint64_t count;

  (void)what;
  if (read(fd, &count, sizeof(count)) < 0) {
    count = 0;
  }
  pthread_mutex_lock(&s->wake_lock);
  batch = s->woken;
  len = s->woken_len;
  s->woken = NULL;
  s->woken_len = 0;
  s->woken_cap = 0;
  pthread_mutex_unlock(&s->wake_lock);
  for (size_t i = 0; i < len; i++) {
    struct grpc_stream *st = rpc_call_user(batch[i]);

    if (st != NULL) {
      struct grpc_conn *c = st->conn;

      grpc__stream_pump(st);
      grpc__conn_send(c);
    }
    rpc_call_unref(batch[i]);
  }
  free(batch);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *addr, int addrlen, void *arg)
{
  struct rpc_grpc_server *s = arg;

  (void)l;
  if (s->shutting_down || grpc__conn_start(s, fd, addr, addrlen) != 0) {
    evutil_closesocket(fd);
  }
}

static void describe_bound(struct rpc_grpc_server *s)
{
  rpc_address_bound(evconnlistener_get_fd(s->listener), s->address,
                    sizeof(s->address));
}

static int start_wake(struct rpc_grpc_server *s)
{
  s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s->wake_fd < 0) {
    return -1;
  }
  s->wake_event =
      event_new(s->base, s->wake_fd, EV_READ | EV_PERSIST, on_wake, s);
  return s->wake_event == NULL ? -1 : event_add(s->wake_event, NULL);
}

int rpc_grpc_server_new(struct event_base *base, struct rpc_service *svc,
                        const struct rpc_grpc_config *cfg,
                        struct rpc_grpc_server **out, char *err)
{
  struct rpc_grpc_server *s = calloc(1, sizeof(*s));
  struct sockaddr_storage ss;
  socklen_t len = 0;
  int rc;

  if (s == NULL) {
    snprintf(err, RPC_MESSAGE_MAX, "out of memory");
    return RPC_ERR_NOMEM;
  }
  s->base = base;
  s->svc = svc;
  s->cfg = *cfg;
  s->wake_fd = -1;
  pthread_mutex_init(&s->wake_lock, NULL);
  rc = rpc__reflection_new(cicflow_services_desc, cicflow_services_desc_len,
                           &s->refl);
  if (rc != 0) {
    snprintf(err, RPC_MESSAGE_MAX, "%s",
             rc == RPC_ERR_NOMEM ? "out of memory"
                                 : "the embedded service descriptors do not "
                                   "parse (a build fault)");
    rpc_grpc_server_free(s);
    return rc;
  }
  if (rpc_address_listen(cfg->address, &ss, &len) != 0) {
    snprintf(err, RPC_MESSAGE_MAX, "bad gRPC address '%s' (want HOST:PORT)",
             cfg->address);
    rpc_grpc_server_free(s);
    return RPC_ERR_SYSTEM;
  }
  s->listener = evconnlistener_new_bind(
      base, on_accept, s, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 128,
      (struct sockaddr *)&ss, (int)len);
  if (s->listener == NULL || start_wake(s) != 0) {
    snprintf(err, RPC_MESSAGE_MAX, "cannot listen on %s: %s", cfg->address,
             evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
    rpc_grpc_server_free(s);
    return RPC_ERR_SYSTEM;
  }
  describe_bound(s);
  *out = s;
  return 0;
}

const char *rpc_grpc_server_address(const struct rpc_grpc_server *s)
{
  return s->address;
}

size_t rpc_grpc_server_streams(const struct rpc_grpc_server *s)
{
  return s->streams;
}

void rpc_grpc_server_shutdown(struct rpc_grpc_server *s)
{
  s->shutting_down = 1;
  if (s->listener != NULL) {
    evconnlistener_disable(s->listener);
  }
  for (struct grpc_conn *c = s->conns; c != NULL; c = c->next) {
    nghttp2_submit_shutdown_notice(c->session);
    grpc__conn_send(c);
  }
}

void rpc_grpc_server_cancel_all(struct rpc_grpc_server *s)
{
  for (struct grpc_conn *c = s->conns; c != NULL; c = c->next) {
    for (struct grpc_stream *st = c->streams; st != NULL; st = st->next) {
      grpc__stream_fail(st, RPC_UNAVAILABLE, "the server is shutting down");
    }
    nghttp2_submit_goaway(c->session, NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(c->session),
                          NGHTTP2_NO_ERROR, NULL, 0);
    grpc__conn_send(c);
  }
}

void rpc_grpc_server_free(struct rpc_grpc_server *s)
{
  if (s == NULL) {
    return;
  }
  while (s->conns != NULL) {
    grpc__conn_free(s->conns);
  }
  if (s->listener != NULL) {
    evconnlistener_free(s->listener);
  }
  if (s->wake_event != NULL) {
    event_free(s->wake_event);
  }
  if (s->wake_fd >= 0) {
    close(s->wake_fd);
  }
  for (size_t i = 0; i < s->woken_len; i++) {
    rpc_call_unref(s->woken[i]);
  }
  free(s->woken);
  rpc__reflection_free(s->refl);
  pthread_mutex_destroy(&s->wake_lock);
  free(s);
}
