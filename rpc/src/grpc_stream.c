/* SPDX-License-Identifier: MIT */
/*
 * One gRPC call on an HTTP/2 stream: request headers and routing, the
 * deframer that cuts DATA into length-prefixed messages, flow control,
 * and the response (headers, framed messages, trailers).
 *
 * Flow control: every DATA byte received is owed back to the client as
 * window, and is paid back only while the call's input queue has room.
 * A fast client is thus held back by the worker's pace, and an upload of
 * any size uses a fixed amount of memory. Bytes of a message still being
 * assembled are paid back too; holding them would deadlock a message
 * larger than the window.
 *
 * Health checks and reflection need no worker: the loop thread answers
 * them into the stream's own small queue, bounded like a call's.
 */
#include "grpc_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/call.h"
#include "rpc/clock.h"
#include "rpc/log.h"
#include "rpc/metrics.h"
#include "rpc/service.h"

#include "reflection.h"

struct grpc_stream *grpc__stream_new(struct grpc_conn *c, int32_t id)
{
  struct grpc_stream *st = calloc(1, sizeof(*st));

  if (st == NULL) {
    return NULL;
  }
  st->conn = c;
  st->id = id;
  st->timeout_us = -1;
  st->started = rpc_clock_seconds();
  st->next = c->streams;
  if (c->streams != NULL) {
    c->streams->prev = st;
  }
  c->streams = st;
  c->srv->streams++;
  return st;
}

static void copy_header(char *dst, size_t size, const uint8_t *v, size_t len)
{
  if (len >= size) {
    len = size - 1;
  }
  memcpy(dst, v, len);
  dst[len] = '\0';
}

/* grpc-timeout: up to 8 digits and a unit (H M S m u n). */
static int64_t parse_timeout(const uint8_t *v, size_t len)
{
  int64_t n = 0;
  int64_t unit_ns;

  if (len < 2 || len > 9) {
    return -1;
  }
  for (size_t i = 0; i + 1 < len; i++) {
    if (v[i] < '0' || v[i] > '9') {
      return -1;
    }
    n = n * 10 + (v[i] - '0');
  }
  switch (v[len - 1]) {
  case 'H':
    unit_ns = INT64_C(3600000000000);
    break;
  case 'M':
    unit_ns = INT64_C(60000000000);
    break;
  case 'S':
    unit_ns = 1000000000;
    break;
  case 'm':
    unit_ns = 1000000;
    break;
  case 'u':
    unit_ns = 1000;
    break;
  case 'n':
    unit_ns = 1;
    break;
  default:
    return -1;
  }
  return unit_ns >= 1000 ? n * (unit_ns / 1000) : n / 1000;
}

void grpc__stream_header(struct grpc_stream *st, const uint8_t *name,
                         size_t namelen, const uint8_t *value, size_t valuelen)
{
  const char *n = (const char *)name;

  if (namelen == 5 && memcmp(n, ":path", 5) == 0) {
    copy_header(st->path, sizeof(st->path), value, valuelen);
  } else if (namelen == 7 && memcmp(n, ":method", 7) == 0) {
    copy_header(st->method, sizeof(st->method), value, valuelen);
  } else if (namelen == 12 && memcmp(n, "content-type", 12) == 0) {
    copy_header(st->content_type, sizeof(st->content_type), value, valuelen);
  } else if (namelen == 13 && memcmp(n, "grpc-encoding", 13) == 0) {
    copy_header(st->encoding, sizeof(st->encoding), value, valuelen);
  } else if (namelen == 12 && memcmp(n, "grpc-timeout", 12) == 0) {
    st->timeout_us = parse_timeout(value, valuelen);
  }
}

/* grpc-message is percent-encoded: bytes outside 0x20-0x7E and '%'. */
static void percent_encode(const char *in, char *out, size_t size)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t n = 0;

  for (; *in != '\0' && n + 4 < size; in++) {
    unsigned char c = (unsigned char)*in;

    if (c < 0x20 || c > 0x7e || c == '%') {
      out[n++] = '%';
      out[n++] = hex[c >> 4];
      out[n++] = hex[c & 15];
    } else {
      out[n++] = (char)c;
    }
  }
  out[n] = '\0';
}

#define NV(name, value)                                                        \
  {                                                                            \
    (uint8_t *)(name), (uint8_t *)(value), sizeof(name) - 1, strlen(value),    \
        NGHTTP2_NV_FLAG_NONE                                                   \
  }

/* The call's final status, once it is known. */
static int final_status(struct grpc_stream *st, enum rpc_code *code,
                        char *message)
{
  if (st->status_set) {
    *code = st->status;
    snprintf(message, RPC_MESSAGE_MAX, "%s", st->status_message);
    return st->answers == NULL;
  }
  if (st->call != NULL) {
    return rpc_call_done(st->call, code, message);
  }
  return 0;
}

static void log_end(struct grpc_stream *st, enum rpc_code code)
{
  uint64_t packets = 0;
  uint64_t flows = 0;

  if (st->call != NULL) {
    rpc_call_result(st->call, &packets, &flows);
  }
  rpc_metrics_call_end(RPC_TRANSPORT_GRPC, code,
                       rpc_clock_seconds() - st->started);
  RPC_LOG(RPC_LOG_INFO, "grpc", "call",
          "peer=%s method=%s status=%s bytes_in=%llu packets=%llu "
          "flows=%llu ms=%.0f",
          st->conn->peer, st->path, rpc_code_name(code),
          (unsigned long long)(st->call ? rpc_call_bytes_in(st->call) : 0),
          (unsigned long long)packets, (unsigned long long)flows,
          (rpc_clock_seconds() - st->started) * 1000.0);
}

static void submit_trailers(struct grpc_stream *st, enum rpc_code code,
                            const char *message)
{
  char status[16];
  char encoded[RPC_MESSAGE_MAX * 3];

  snprintf(status, sizeof(status), "%d", (int)code);
  percent_encode(message, encoded, sizeof(encoded));

  nghttp2_nv nva[] = {NV("grpc-status", status), NV("grpc-message", encoded)};

  nghttp2_submit_trailer(st->conn->session, st->id, nva,
                         encoded[0] != '\0' ? 2 : 1);
  st->trailers_sent = 1;
  log_end(st, code);
}

/* A single HEADERS frame with the status: for calls that end at once. */
static void submit_trailers_only(struct grpc_stream *st, enum rpc_code code,
                                 const char *message)
{
  char status[16];
  char encoded[RPC_MESSAGE_MAX * 3];

  snprintf(status, sizeof(status), "%d", (int)code);
  percent_encode(message, encoded, sizeof(encoded));

  nghttp2_nv nva[] = {NV(":status", "200"),
                      NV("content-type", "application/grpc"),
                      NV("grpc-accept-encoding", "identity"),
                      NV("grpc-status", status), NV("grpc-message", encoded)};

  nghttp2_submit_response(st->conn->session, st->id, nva,
                          encoded[0] != '\0' ? 5 : 4, NULL);
  st->response_started = 1;
  st->trailers_sent = 1;
  log_end(st, code);
}

static struct rpc_msg *pop_answer(struct grpc_stream *st)
{
  struct rpc_msg *m = st->answers;

  if (m != NULL) {
    st->answers = m->next;
    if (st->answers == NULL) {
      st->answers_tail = NULL;
    }
    st->answers_bytes -= m->len;
  }
  return m;
}

static void drop_answers(struct grpc_stream *st)
{
  struct rpc_msg *m;

  while ((m = pop_answer(st)) != NULL) {
    free(m);
  }
}

static struct rpc_msg *next_output(struct grpc_stream *st)
{
  if (st->call != NULL) {
    return rpc_call_pop_output(st->call);
  }
  return pop_answer(st);
}

/* Copies framed messages into buf; a message may span several calls. */
static size_t copy_frames(struct grpc_stream *st, uint8_t *buf, size_t len)
{
  size_t n = 0;

  while (n < len) {
    size_t total;
    size_t take;

    if (st->sending == NULL) {
      st->sending = next_output(st);
      st->sent = 0;
      if (st->sending == NULL) {
        break;
      }
    }
    total = 5 + st->sending->len;
    while (st->sent < 5 && n < len) {
      uint32_t mlen = (uint32_t)st->sending->len;
      uint8_t prefix[5] = {0, (uint8_t)(mlen >> 24), (uint8_t)(mlen >> 16),
                           (uint8_t)(mlen >> 8), (uint8_t)mlen};

      buf[n++] = prefix[st->sent++];
    }
    take = total - st->sent < len - n ? total - st->sent : len - n;
    memcpy(buf + n, st->sending->data + (st->sent - 5), take);
    n += take;
    st->sent += take;
    if (st->sent == total) {
      free(st->sending);
      st->sending = NULL;
    }
  }
  return n;
}

static ssize_t read_response(nghttp2_session *session, int32_t stream_id,
                             uint8_t *buf, size_t length, uint32_t *data_flags,
                             nghttp2_data_source *src, void *user_data)
{
  struct grpc_stream *st = src->ptr;
  char message[RPC_MESSAGE_MAX];
  enum rpc_code code;
  size_t n;

  (void)session;
  (void)stream_id;
  (void)user_data;
  if (st->trailers_sent) {
    return NGHTTP2_ERR_DEFERRED; /* being reset, see push_answer */
  }
  n = copy_frames(st, buf, length);
  if (n > 0) {
    return (ssize_t)n;
  }
  if (final_status(st, &code, message)) {
    *data_flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
    submit_trailers(st, code, message);
    return 0;
  }
  st->deferred = 1;
  return NGHTTP2_ERR_DEFERRED;
}

static void submit_headers(struct grpc_stream *st)
{
  nghttp2_nv nva[] = {NV(":status", "200"),
                      NV("content-type", "application/grpc"),
                      NV("grpc-accept-encoding", "identity")};
  nghttp2_data_provider provider;

  provider.source.ptr = st;
  provider.read_callback = read_response;
  nghttp2_submit_response(st->conn->session, st->id, nva, 3, &provider);
  st->response_started = 1;
}

/* Gives window back while the worker keeps up; see the file comment. */
static void pay_window(struct grpc_stream *st)
{
  if (st->owed == 0) {
    return;
  }
  if (st->call == NULL || rpc_call_input_room(st->call)) {
    nghttp2_session_consume(st->conn->session, st->id, st->owed);
    st->owed = 0;
  }
}

void grpc__stream_pump(struct grpc_stream *st)
{
  char message[RPC_MESSAGE_MAX];
  enum rpc_code code;

  pay_window(st);
  if (st->trailers_sent) {
    return;
  }
  if (st->response_started) {
    if (st->deferred) {
      st->deferred = 0;
      nghttp2_session_resume_data(st->conn->session, st->id);
    }
    return;
  }
  if (st->sending == NULL && st->call != NULL) {
    st->sending = rpc_call_pop_output(st->call);
    st->sent = 0;
  }
  if (st->sending != NULL || st->answers != NULL) {
    submit_headers(st);
  } else if (final_status(st, &code, message)) {
    submit_trailers_only(st, code, message);
  }
}

static void set_status(struct grpc_stream *st, enum rpc_code code,
                       const char *message)
{
  if (st->status_set) {
    return;
  }
  st->status_set = 1;
  st->status = code;
  snprintf(st->status_message, sizeof(st->status_message), "%s", message);
  if (code != RPC_OK) {
    drop_answers(st); /* an error ends the call now */
  }
}

void grpc__stream_fail(struct grpc_stream *st, enum rpc_code code,
                       const char *message)
{
  if (st->call != NULL) {
    rpc_call_cancel(st->call, code, message);
  } else {
    set_status(st, code, message);
  }
  grpc__stream_pump(st);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
  struct grpc_stream *st = arg;
  struct grpc_conn *c = st->conn;

  (void)fd;
  (void)what;
  grpc__stream_fail(st, RPC_DEADLINE_EXCEEDED, "deadline exceeded");
  grpc__conn_send(c);
}

static void arm_deadline(struct grpc_stream *st)
{
  struct timeval tv;

  if (st->timeout_us < 0) {
    return;
  }
  tv.tv_sec = (time_t)(st->timeout_us / 1000000);
  tv.tv_usec = (suseconds_t)(st->timeout_us % 1000000);
  st->deadline = evtimer_new(st->conn->srv->base, on_deadline, st);
  if (st->deadline != NULL) {
    evtimer_add(st->deadline, &tv);
  }
}

/* Answers a request that is not gRPC with a bare HTTP status. */
static void reject_http(struct grpc_stream *st, const char *status)
{
  nghttp2_nv nva[] = {NV(":status", status)};

  nghttp2_submit_response(st->conn->session, st->id, nva, 1, NULL);
  st->response_started = 1;
  st->trailers_sent = 1;
  st->status_set = 1;
}

static int start_process_pcap(struct grpc_stream *st)
{
  struct rpc_grpc_server *srv = st->conn->srv;
  struct rpc_call_limits limits;

  rpc_service_call_limits(srv->svc, &limits);
  st->call = rpc_call_new(&limits, grpc__wake, srv);
  if (st->call == NULL) {
    set_status(st, RPC_INTERNAL, "out of memory");
    return -1;
  }
  rpc_call_set_user(st->call, st);
  if (rpc_service_start_process_pcap(srv->svc, st->call) != 0) {
    rpc_call_set_user(st->call, NULL);
    rpc_call_unref(st->call);
    st->call = NULL;
    set_status(st, RPC_RESOURCE_EXHAUSTED,
               "server busy: every worker is busy and the wait queue is "
               "full; retry later");
    return -1;
  }
  return 0;
}

static void route(struct grpc_stream *st)
{
  char why[GRPC_PATH_MAX + 64];

  if (strcmp(st->path, RPC_PROCESS_PCAP_PATH) == 0) {
    st->route = ROUTE_PROCESS_PCAP;
  } else if (strcmp(st->path, RPC_HEALTH_CHECK_PATH) == 0) {
    st->route = ROUTE_HEALTH_CHECK;
  } else if (strcmp(st->path, RPC__REFLECTION_PATH) == 0 ||
             strcmp(st->path, RPC__REFLECTION_ALPHA_PATH) == 0) {
    st->route = ROUTE_REFLECTION;
  } else {
    snprintf(why, sizeof(why), "unknown method %s", st->path);
    set_status(st, RPC_UNIMPLEMENTED, why);
  }
}

void grpc__stream_start(struct grpc_stream *st)
{
  if (strcmp(st->method, "POST") != 0) {
    reject_http(st, "405");
    return;
  }
  if (strncmp(st->content_type, "application/grpc", 16) != 0) {
    reject_http(st, "415");
    return;
  }
  route(st);
  if (st->status_set) {
    grpc__stream_pump(st);
    return;
  }
  if (st->encoding[0] != '\0' && strcmp(st->encoding, "identity") != 0) {
    set_status(st, RPC_UNIMPLEMENTED,
               "message compression is not supported; use identity");
  } else if (st->conn->srv->shutting_down) {
    set_status(st, RPC_UNAVAILABLE, "the server is shutting down");
  } else if (st->timeout_us == 0) {
    set_status(st, RPC_DEADLINE_EXCEEDED, "deadline exceeded");
  } else if (st->route == ROUTE_PROCESS_PCAP) {
    start_process_pcap(st);
  }
  arm_deadline(st);
  grpc__stream_pump(st);
}

/*
 * Queues an answer made on the loop thread. A client that asks without
 * reading would grow the queue without end, so past GRPC_ANSWERS_MAX the
 * call fails with RESOURCE_EXHAUSTED. Once the response has begun, its
 * trailers would wait behind DATA that the client's window holds back:
 * the stream is reset with ENHANCE_YOUR_CALM instead, which gRPC clients
 * report as RESOURCE_EXHAUSTED (grpc/doc/PROTOCOL-HTTP2.md, "Errors").
 */
static void push_answer(struct grpc_stream *st, struct rpc_msg *m)
{
  char why[128];

  if (st->answers_bytes + m->len > GRPC_ANSWERS_MAX) {
    free(m);
    snprintf(why, sizeof(why),
             "the client does not read: answers over %u bytes queued",
             GRPC_ANSWERS_MAX);
    if (!st->response_started) {
      grpc__stream_fail(st, RPC_RESOURCE_EXHAUSTED, why);
      return;
    }
    set_status(st, RPC_RESOURCE_EXHAUSTED, why);
    st->trailers_sent = 1;
    nghttp2_submit_rst_stream(st->conn->session, NGHTTP2_FLAG_NONE, st->id,
                              NGHTTP2_ENHANCE_YOUR_CALM);
    log_end(st, RPC_RESOURCE_EXHAUSTED);
    return;
  }
  m->next = NULL;
  if (st->answers_tail != NULL) {
    st->answers_tail->next = m;
  } else {
    st->answers = m;
  }
  st->answers_tail = m;
  st->answers_bytes += m->len;
}

/* Reflection answers each request as it comes: it is cheap. */
static void answer_reflection(struct grpc_stream *st, struct rpc_msg *req)
{
  char err[RPC_MESSAGE_MAX];
  struct rpc_msg *out = NULL;
  enum rpc_code code = RPC_OK;

  if (!st->status_set) {
    code = rpc__reflection_answer(st->conn->srv->refl, req->data, req->len,
                                  &out, err);
  }
  free(req);
  if (code != RPC_OK) {
    grpc__stream_fail(st, code, err);
  } else if (out != NULL) {
    push_answer(st, out);
  }
}

static void deliver(struct grpc_stream *st, struct rpc_msg *m)
{
  if (st->route == ROUTE_PROCESS_PCAP && st->call != NULL) {
    rpc_call_push_msg(st->call, m); /* a full or ended call drops it */
    return;
  }
  if (st->route == ROUTE_REFLECTION) {
    answer_reflection(st, m);
    return;
  }
  if (st->route == ROUTE_HEALTH_CHECK && st->unary_in == NULL) {
    st->unary_in = m;
    return;
  }
  free(m);
  if (st->route == ROUTE_HEALTH_CHECK) {
    grpc__stream_fail(st, RPC_UNIMPLEMENTED,
                      "a unary method received more than one message");
  }
}

/* Reads the 5-byte prefix: flag and big-endian length. */
static int take_prefix(struct grpc_stream *st)
{
  uint32_t len = (uint32_t)st->prefix[1] << 24 | (uint32_t)st->prefix[2] << 16 |
                 (uint32_t)st->prefix[3] << 8 | st->prefix[4];
  char why[128];

  if (st->prefix[0] != 0) {
    grpc__stream_fail(st, RPC_INTERNAL,
                      "compressed message without grpc-encoding");
    return -1;
  }
  if (len > GRPC_MAX_MESSAGE) {
    snprintf(why, sizeof(why), "received message larger than max (%u vs. %u)",
             len, GRPC_MAX_MESSAGE);
    grpc__stream_fail(st, RPC_RESOURCE_EXHAUSTED, why);
    return -1;
  }
  st->msg = rpc_msg_new(len);
  st->msg_have = 0;
  if (st->msg == NULL) {
    grpc__stream_fail(st, RPC_RESOURCE_EXHAUSTED, "out of memory");
    return -1;
  }
  return 0;
}

static void deframe(struct grpc_stream *st, const uint8_t *data, size_t len)
{
  while (len > 0 || (st->msg != NULL && st->msg_have == st->msg->len)) {
    size_t take;

    if (st->msg == NULL) {
      take = 5 - st->prefix_len < len ? 5 - st->prefix_len : len;
      memcpy(st->prefix + st->prefix_len, data, take);
      st->prefix_len += take;
      data += take;
      len -= take;
      if (st->prefix_len == 5 && take_prefix(st) != 0) {
        return;
      }
      continue;
    }
    take =
        st->msg->len - st->msg_have < len ? st->msg->len - st->msg_have : len;
    memcpy(st->msg->data + st->msg_have, data, take);
    st->msg_have += take;
    data += take;
    len -= take;
    if (st->msg_have == st->msg->len) {
      struct rpc_msg *m = st->msg;

      st->msg = NULL;
      st->prefix_len = 0;
      deliver(st, m);
    }
  }
}

/* Input stops counting once the call has its final status. */
static int accepts_input(const struct grpc_stream *st)
{
  return !st->status_set && !st->trailers_sent && st->route != ROUTE_NONE;
}

void grpc__stream_data(struct grpc_stream *st, const uint8_t *data, size_t len)
{
  st->owed += len;
  if (accepts_input(st)) {
    deframe(st, data, len);
  }
  grpc__stream_pump(st);
}

static void answer_health(struct grpc_stream *st)
{
  uint8_t *out = NULL;
  size_t out_len = 0;
  struct rpc_msg *m;
  enum rpc_code code;

  if (st->unary_in == NULL) {
    set_status(st, RPC_UNIMPLEMENTED, "a unary method received no message");
    return;
  }
  code = rpc_service_health_check(st->unary_in->data, st->unary_in->len, &out,
                                  &out_len);
  if (code != RPC_OK) {
    set_status(st, code,
               code == RPC_NOT_FOUND ? "unknown service"
                                     : "bad health request");
    return;
  }
  m = rpc_msg_new(out_len);
  if (m != NULL) {
    memcpy(m->data, out, out_len);
    set_status(st, RPC_OK, "");
    push_answer(st, m);
  } else {
    set_status(st, RPC_RESOURCE_EXHAUSTED, "out of memory");
  }
  free(out);
}

void grpc__stream_input_end(struct grpc_stream *st)
{
  st->input_closed = 1;
  if (accepts_input(st)) {
    if (st->msg != NULL || st->prefix_len > 0) {
      grpc__stream_fail(st, RPC_INTERNAL, "the request ended inside a message");
      return;
    }
    if (st->call != NULL) {
      rpc_call_close_input(st->call);
    } else if (st->route == ROUTE_HEALTH_CHECK) {
      answer_health(st);
    } else if (st->route == ROUTE_REFLECTION) {
      set_status(st, RPC_OK, ""); /* each request was answered already */
    }
  }
  grpc__stream_pump(st);
}

void grpc__stream_sent_end(struct grpc_stream *st)
{
  nghttp2_session *session = st->conn->session;

  if (!nghttp2_session_get_stream_remote_close(session, st->id)) {
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, st->id,
                              NGHTTP2_NO_ERROR);
  }
}

void grpc__stream_closed(struct grpc_stream *st, uint32_t error_code)
{
  if (st->call != NULL) {
    if (!st->trailers_sent) {
      rpc_call_cancel(st->call, RPC_CANCELLED,
                      error_code == NGHTTP2_NO_ERROR
                          ? "stream closed"
                          : "cancelled by the client");
      log_end(st, RPC_CANCELLED);
    }
    rpc_call_set_user(st->call, NULL);
  }
  if (st->owed > 0) {
    nghttp2_session_consume_connection(st->conn->session, st->owed);
  }
  grpc__stream_free(st);
}

void grpc__stream_free(struct grpc_stream *st)
{
  struct grpc_conn *c = st->conn;

  if (st->prev != NULL) {
    st->prev->next = st->next;
  } else {
    c->streams = st->next;
  }
  if (st->next != NULL) {
    st->next->prev = st->prev;
  }
  c->srv->streams--;
  if (st->call != NULL) {
    rpc_call_unref(st->call);
  }
  if (st->deadline != NULL) {
    event_free(st->deadline);
  }
  free(st->msg);
  free(st->unary_in);
  drop_answers(st);
  free(st->sending);
  free(st);
}
