/* SPDX-License-Identifier: MIT */
/*
 * One HTTP/2 connection: a bufferevent for the socket, an nghttp2 server
 * session, and the callbacks that hand frames to streams. Window updates
 * are manual (see grpc_stream.c): nghttp2 would otherwise grant the
 * client more window as soon as bytes arrive, not when they are used.
 */
#include "grpc_int.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rpc/address.h"
#include "rpc/log.h"

#define OUTPUT_HIGH_WATER (64 * 1024)
#define STREAM_WINDOW (2 * 1024 * 1024)
#define CONNECTION_WINDOW (16 * 1024 * 1024)
#define MAX_STREAMS 100
#define MAX_HEADER_LIST (16 * 1024)

static ssize_t on_send(nghttp2_session *session, const uint8_t *data,
                       size_t length, int flags, void *user_data)
{
  struct grpc_conn *c = user_data;
  struct evbuffer *out = bufferevent_get_output(c->bev);

  (void)session;
  (void)flags;
  if (evbuffer_get_length(out) >= OUTPUT_HIGH_WATER) {
    return NGHTTP2_ERR_WOULDBLOCK;
  }
  if (bufferevent_write(c->bev, data, length) != 0) {
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }
  return (ssize_t)length;
}

static struct grpc_stream *stream_of(nghttp2_session *session, int32_t id)
{
  return nghttp2_session_get_stream_user_data(session, id);
}

static int on_begin_headers(nghttp2_session *session,
                            const nghttp2_frame *frame, void *user_data)
{
  struct grpc_conn *c = user_data;
  struct grpc_stream *st;

  if (frame->hd.type != NGHTTP2_HEADERS ||
      frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
    return 0;
  }
  st = grpc__stream_new(c, frame->hd.stream_id);
  if (st == NULL) {
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, st);
  return 0;
}

static int on_header(nghttp2_session *session, const nghttp2_frame *frame,
                     const uint8_t *name, size_t namelen, const uint8_t *value,
                     size_t valuelen, uint8_t flags, void *user_data)
{
  struct grpc_stream *st = stream_of(session, frame->hd.stream_id);

  (void)flags;
  (void)user_data;
  if (st != NULL && frame->hd.type == NGHTTP2_HEADERS &&
      frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    grpc__stream_header(st, name, namelen, value, valuelen);
  }
  return 0;
}

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame,
                         void *user_data)
{
  struct grpc_stream *st = stream_of(session, frame->hd.stream_id);

  (void)user_data;
  if (st == NULL) {
    return 0;
  }
  if (frame->hd.type == NGHTTP2_HEADERS &&
      frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    grpc__stream_start(st);
  }
  if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
    grpc__stream_input_end(st);
  }
  return 0;
}

static int on_data_chunk(nghttp2_session *session, uint8_t flags,
                         int32_t stream_id, const uint8_t *data, size_t len,
                         void *user_data)
{
  struct grpc_stream *st = stream_of(session, stream_id);

  (void)flags;
  (void)user_data;
  if (st == NULL) {
    nghttp2_session_consume_connection(session, len);
    return 0;
  }
  grpc__stream_data(st, data, len);
  return 0;
}

/* After trailers sent early, the client is told to stop sending. */
static int on_frame_send(nghttp2_session *session, const nghttp2_frame *frame,
                         void *user_data)
{
  struct grpc_stream *st = stream_of(session, frame->hd.stream_id);

  (void)user_data;
  if (st != NULL && frame->hd.type == NGHTTP2_HEADERS &&
      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
    grpc__stream_sent_end(st);
  }
  return 0;
}

static int on_stream_close(nghttp2_session *session, int32_t stream_id,
                           uint32_t error_code, void *user_data)
{
  struct grpc_stream *st = stream_of(session, stream_id);

  (void)user_data;
  if (st != NULL) {
    nghttp2_session_set_stream_user_data(session, stream_id, NULL);
    grpc__stream_closed(st, error_code);
  }
  return 0;
}

static nghttp2_session *new_session(struct grpc_conn *c)
{
  nghttp2_session_callbacks *cbs;
  nghttp2_option *opt;
  nghttp2_session *session = NULL;

  if (nghttp2_session_callbacks_new(&cbs) != 0) {
    return NULL;
  }
  nghttp2_session_callbacks_set_send_callback(cbs, on_send);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs,
                                                          on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
  if (nghttp2_option_new(&opt) == 0) {
    nghttp2_option_set_no_auto_window_update(opt, 1);
    nghttp2_session_server_new2(&session, cbs, c, opt);
    nghttp2_option_del(opt);
  }
  nghttp2_session_callbacks_del(cbs);
  return session;
}

static int send_settings(struct grpc_conn *c)
{
  nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, MAX_STREAMS},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST}};

  if (nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, iv,
                              sizeof(iv) / sizeof(iv[0])) != 0) {
    return -1;
  }
  return nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0,
                                               CONNECTION_WINDOW);
}

void grpc__conn_send(struct grpc_conn *c)
{
  if (nghttp2_session_send(c->session) != 0) {
    grpc__conn_free(c);
    return;
  }
  if (!nghttp2_session_want_read(c->session) &&
      !nghttp2_session_want_write(c->session) &&
      evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
    grpc__conn_free(c);
  }
}

/*
 * Feeds nghttp2 the input buffer's chunks where they lie: making the
 * buffer contiguous first would copy every byte of every upload once
 * more on the loop thread.
 */
static void on_read(struct bufferevent *bev, void *arg)
{
  struct grpc_conn *c = arg;
  struct evbuffer *in = bufferevent_get_input(bev);

  while (evbuffer_get_length(in) > 0) {
    struct evbuffer_iovec v;
    ssize_t used;

    if (evbuffer_peek(in, -1, NULL, &v, 1) < 1) {
      break;
    }
    used = nghttp2_session_mem_recv(c->session, v.iov_base, v.iov_len);
    if (used < 0) {
      RPC_LOG(RPC_LOG_DEBUG, "grpc", "conn_protocol_error", "peer=%s error=%s",
              c->peer, nghttp2_strerror((int)used));
      grpc__conn_free(c);
      return;
    }
    evbuffer_drain(in, (size_t)used);
  }
  grpc__conn_send(c);
}

static void on_write(struct bufferevent *bev, void *arg)
{
  (void)bev;
  grpc__conn_send(arg);
}

/* A silent client is only dropped when it, not the server, owes a move. */
static int waiting_for_server(const struct grpc_conn *c)
{
  for (const struct grpc_stream *st = c->streams; st; st = st->next) {
    if (st->input_closed || st->owed > 0) {
      return 1;
    }
  }
  return 0;
}

static void on_event(struct bufferevent *bev, short events, void *arg)
{
  struct grpc_conn *c = arg;

  /* A reader that stops reading would hold a worker: no mercy there. */
  if ((events & BEV_EVENT_TIMEOUT) && (events & BEV_EVENT_READING) &&
      waiting_for_server(c)) {
    bufferevent_enable(bev, EV_READ);
    return;
  }
  if (events & BEV_EVENT_TIMEOUT) {
    RPC_LOG(RPC_LOG_INFO, "grpc", "conn_idle_timeout", "peer=%s seconds=%u",
            c->peer, c->srv->cfg.idle_timeout_s);
  }
  grpc__conn_free(c);
}

static void tune_socket(evutil_socket_t fd)
{
  int one = 1;

  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
}

int grpc__conn_start(struct rpc_grpc_server *srv, evutil_socket_t fd,
                     const struct sockaddr *addr, int addrlen)
{
  struct grpc_conn *c = calloc(1, sizeof(*c));
  struct timeval idle = {(time_t)srv->cfg.idle_timeout_s, 0};

  (void)addrlen;
  if (c == NULL) {
    return -1;
  }
  c->srv = srv;
  rpc_address_format(addr, c->peer, sizeof(c->peer));
  tune_socket(fd);
  c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
  c->session = c->bev != NULL ? new_session(c) : NULL;
  if (c->session == NULL || send_settings(c) != 0) {
    int fd_closed = c->bev != NULL;

    if (c->bev != NULL) {
      bufferevent_free(c->bev); /* closes fd */
    }
    nghttp2_session_del(c->session);
    free(c);
    return fd_closed ? 0 : -1;
  }
  c->next = srv->conns;
  if (srv->conns != NULL) {
    srv->conns->prev = c;
  }
  srv->conns = c;
  bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
  if (srv->cfg.idle_timeout_s > 0) {
    bufferevent_set_timeouts(c->bev, &idle, &idle);
  }
  bufferevent_enable(c->bev, EV_READ | EV_WRITE);
  grpc__conn_send(c);
  return 0;
}

void grpc__conn_free(struct grpc_conn *c)
{
  struct rpc_grpc_server *srv = c->srv;

  /* nghttp2_session_del does not report open streams as closed. */
  while (c->streams != NULL) {
    struct grpc_stream *st = c->streams;

    nghttp2_session_set_stream_user_data(c->session, st->id, NULL);
    grpc__stream_closed(st, NGHTTP2_CANCEL);
  }
  if (c->prev != NULL) {
    c->prev->next = c->next;
  } else {
    srv->conns = c->next;
  }
  if (c->next != NULL) {
    c->next->prev = c->prev;
  }
  nghttp2_session_del(c->session);
  bufferevent_free(c->bev);
  free(c);
}
