/* SPDX-License-Identifier: MIT */
/*
 * The client side of ProcessPcap on nghttp2, driven by poll(2) on one
 * socket. The upload is produced lazily by the data provider (read a
 * chunk of the capture, frame it, hand it out), so HTTP/2 flow control
 * paces the reading of the input as it paces the server.
 */
#include "rpc/grpc_client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpc/address.h"
#include "rpc/service.h"

#define MAX_RESPONSE (4u * 1024 * 1024)

struct rpc_grpc_client {
  int fd;
  nghttp2_session *session;
  char authority[128];
  /* the call in progress */
  int32_t stream_id;
  FILE *capture;
  size_t chunk_bytes;
  uint8_t *out; /* framed request messages waiting to be sent */
  size_t out_len;
  size_t out_pos;
  int input_done;
  uint8_t prefix[5]; /* response deframer */
  size_t prefix_len;
  uint8_t *msg;
  size_t msg_len;
  size_t msg_have;
  rpc_response_cb on_response;
  void *ctx;
  int status; /* -1 until grpc-status arrives */
  char message[RPC_MESSAGE_MAX];
  int closed;
  int failed;
};

static ssize_t on_send(nghttp2_session *s, const uint8_t *data, size_t len,
                       int flags, void *user)
{
  struct rpc_grpc_client *c = user;
  ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);

  (void)s;
  (void)flags;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    return NGHTTP2_ERR_WOULDBLOCK;
  }
  return n < 0 ? NGHTTP2_ERR_CALLBACK_FAILURE : n;
}

static void deliver(struct rpc_grpc_client *c)
{
  Cicflow__V1__ProcessPcapResponse *r =
      cicflow__v1__process_pcap_response__unpack(NULL, c->msg_len, c->msg);

  if (r == NULL) {
    c->failed = 1;
    snprintf(c->message, sizeof(c->message), "unreadable response");
    return;
  }
  if (c->on_response(c->ctx, r) != 0) {
    nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, c->stream_id,
                              NGHTTP2_CANCEL);
  }
  cicflow__v1__process_pcap_response__free_unpacked(r, NULL);
}

static int take_prefix(struct rpc_grpc_client *c)
{
  c->msg_len = (size_t)c->prefix[1] << 24 | (size_t)c->prefix[2] << 16 |
               (size_t)c->prefix[3] << 8 | c->prefix[4];
  if (c->prefix[0] != 0 || c->msg_len > MAX_RESPONSE) {
    return -1;
  }
  free(c->msg);
  c->msg = malloc(c->msg_len > 0 ? c->msg_len : 1);
  c->msg_have = 0;
  return c->msg == NULL ? -1 : 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t id,
                   const uint8_t *data, size_t len, void *user)
{
  struct rpc_grpc_client *c = user;

  (void)s;
  (void)flags;
  (void)id;
  while (len > 0 && !c->failed) {
    size_t take;

    if (c->prefix_len < 5) {
      take = 5 - c->prefix_len < len ? 5 - c->prefix_len : len;
      memcpy(c->prefix + c->prefix_len, data, take);
      c->prefix_len += take;
      data += take;
      len -= take;
      if (c->prefix_len == 5 && take_prefix(c) != 0) {
        c->failed = 1;
        snprintf(c->message, sizeof(c->message), "bad response framing");
      }
    } else {
      take = c->msg_len - c->msg_have < len ? c->msg_len - c->msg_have : len;
      memcpy(c->msg + c->msg_have, data, take);
      c->msg_have += take;
      data += take;
      len -= take;
    }
    if (c->prefix_len == 5 && c->msg_have == c->msg_len && !c->failed) {
      deliver(c);
      c->prefix_len = 0;
    }
  }
  return 0;
}

static int hex_value(char ch)
{
  if (ch >= '0' && ch <= '9') {
    return ch - '0';
  }
  if (ch >= 'A' && ch <= 'F') {
    return ch - 'A' + 10;
  }
  if (ch >= 'a' && ch <= 'f') {
    return ch - 'a' + 10;
  }
  return -1;
}

static void percent_decode(const uint8_t *in, size_t len, char *out,
                           size_t size)
{
  size_t n = 0;

  for (size_t i = 0; i < len && n + 1 < size; i++) {
    int hi = i + 2 < len ? hex_value((char)in[i + 1]) : -1;
    int lo = i + 2 < len ? hex_value((char)in[i + 2]) : -1;

    if (in[i] == '%' && hi >= 0 && lo >= 0) {
      out[n++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      out[n++] = (char)in[i];
    }
  }
  out[n] = '\0';
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame,
                     const uint8_t *name, size_t namelen, const uint8_t *value,
                     size_t valuelen, uint8_t flags, void *user)
{
  struct rpc_grpc_client *c = user;
  char text[16];

  (void)s;
  (void)frame;
  (void)flags;
  if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0) {
    percent_decode(value, valuelen, text, sizeof(text));
    c->status = atoi(text);
  } else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0) {
    percent_decode(value, valuelen, c->message, sizeof(c->message));
  }
  return 0;
}

static int on_close(nghttp2_session *s, int32_t id, uint32_t error_code,
                    void *user)
{
  struct rpc_grpc_client *c = user;

  (void)s;
  if (id == c->stream_id) {
    c->closed = 1;
    if (c->status < 0 && error_code != NGHTTP2_NO_ERROR) {
      snprintf(c->message, sizeof(c->message),
               "stream reset by the server (%s)",
               nghttp2_http2_strerror(error_code));
    }
  }
  return 0;
}

/* Packs req behind its 5-byte gRPC prefix into c->out, to be sent. */
static int frame_request(struct rpc_grpc_client *c,
                         const Cicflow__V1__ProcessPcapRequest *req)
{
  size_t len = cicflow__v1__process_pcap_request__get_packed_size(req);

  free(c->out);
  c->out = malloc(5 + len);
  if (c->out == NULL) {
    c->out_len = 0;
    c->out_pos = 0;
    return -1;
  }
  c->out[0] = 0;
  c->out[1] = (uint8_t)(len >> 24);
  c->out[2] = (uint8_t)(len >> 16);
  c->out[3] = (uint8_t)(len >> 8);
  c->out[4] = (uint8_t)len;
  cicflow__v1__process_pcap_request__pack(req, c->out + 5);
  c->out_len = 5 + len;
  c->out_pos = 0;
  return 0;
}

/* Frames the next request message into c->out; 0 at end of input. */
static int next_request(struct rpc_grpc_client *c)
{
  Cicflow__V1__ProcessPcapRequest req = CICFLOW__V1__PROCESS_PCAP_REQUEST__INIT;
  uint8_t *chunk = malloc(c->chunk_bytes);
  size_t n = chunk != NULL ? fread(chunk, 1, c->chunk_bytes, c->capture) : 0;
  int rc;

  if (n == 0) {
    free(chunk);
    return 0;
  }
  req.payload_case = CICFLOW__V1__PROCESS_PCAP_REQUEST__PAYLOAD_CHUNK;
  req.chunk.data = chunk;
  req.chunk.len = n;
  rc = frame_request(c, &req);
  free(chunk);
  return rc == 0;
}

static ssize_t read_request(nghttp2_session *s, int32_t id, uint8_t *buf,
                            size_t length, uint32_t *flags,
                            nghttp2_data_source *src, void *user)
{
  struct rpc_grpc_client *c = user;
  size_t take;

  (void)s;
  (void)id;
  (void)src;
  if (c->out_pos == c->out_len && !next_request(c)) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    c->input_done = 1;
    return 0;
  }
  take = c->out_len - c->out_pos < length ? c->out_len - c->out_pos : length;
  memcpy(buf, c->out + c->out_pos, take);
  c->out_pos += take;
  return (ssize_t)take;
}

static int dial(const char *address, char *err)
{
  char host[128];
  const char *port;
  struct addrinfo hints;
  struct addrinfo *res = NULL;
  int fd = -1;

  if (rpc_address_split(address, host, sizeof(host), &port) != 0) {
    snprintf(err, RPC_MESSAGE_MAX, "bad server address '%s' (HOST:PORT)",
             address);
    return -1;
  }
  memset(&hints, 0, sizeof(hints));
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, port, &hints, &res) != 0) {
    snprintf(err, RPC_MESSAGE_MAX, "cannot resolve %s", address);
    return -1;
  }
  for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  if (fd >= 0) {
    int one = 1;

    /* Frames are written one by one; Nagle would hold each tail back. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  freeaddrinfo(res);
  if (fd < 0) {
    snprintf(err, RPC_MESSAGE_MAX, "cannot connect to %s: %s", address,
             strerror(errno));
  }
  return fd;
}

int rpc_grpc_client_connect(const char *address, struct rpc_grpc_client **out,
                            char *err)
{
  struct rpc_grpc_client *c = calloc(1, sizeof(*c));
  nghttp2_session_callbacks *cbs = NULL;

  if (c == NULL || nghttp2_session_callbacks_new(&cbs) != 0) {
    free(c);
    snprintf(err, RPC_MESSAGE_MAX, "out of memory");
    return RPC_ERR_NOMEM;
  }
  snprintf(c->authority, sizeof(c->authority), "%s", address);
  nghttp2_session_callbacks_set_send_callback(cbs, on_send);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data);
  nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_close);
  c->fd = dial(address, err);
  if (c->fd < 0 || nghttp2_session_client_new(&c->session, cbs, c) != 0 ||
      nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, NULL, 0) != 0) {
    nghttp2_session_callbacks_del(cbs);
    rpc_grpc_client_free(c);
    return RPC_ERR_SYSTEM;
  }
  nghttp2_session_callbacks_del(cbs);
  *out = c;
  return 0;
}

/* Drives the session until the stream closes or the connection fails. */
static int run_until_closed(struct rpc_grpc_client *c)
{
  uint8_t buf[65536];

  while (!c->closed) {
    struct pollfd p = {c->fd, POLLIN, 0};
    ssize_t n;

    if (nghttp2_session_send(c->session) != 0) {
      return -1;
    }
    if (nghttp2_session_want_write(c->session)) {
      p.events |= POLLOUT;
    }
    if (poll(&p, 1, -1) < 0 && errno != EINTR) {
      return -1;
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      n = recv(c->fd, buf, sizeof(buf), 0);
      if (n <= 0 || nghttp2_session_mem_recv(c->session, buf, (size_t)n) < 0) {
        return -1;
      }
    }
  }
  return nghttp2_session_send(c->session) == 0 ? 0 : -1;
}

static int frame_options(struct rpc_grpc_client *c,
                         const Cicflow__V1__ProcessOptions *opts)
{
  Cicflow__V1__ProcessPcapRequest req = CICFLOW__V1__PROCESS_PCAP_REQUEST__INIT;

  req.payload_case = CICFLOW__V1__PROCESS_PCAP_REQUEST__PAYLOAD_OPTIONS;
  req.options = (Cicflow__V1__ProcessOptions *)opts;
  return frame_request(c, &req);
}

static int32_t submit_call(struct rpc_grpc_client *c)
{
  nghttp2_nv nva[] = {
      {(uint8_t *)":method", (uint8_t *)"POST", 7, 4, 0},
      {(uint8_t *)":scheme", (uint8_t *)"http", 7, 4, 0},
      {(uint8_t *)":path", (uint8_t *)RPC_PROCESS_PCAP_PATH, 5,
       sizeof(RPC_PROCESS_PCAP_PATH) - 1, 0},
      {(uint8_t *)":authority", (uint8_t *)c->authority, 10,
       strlen(c->authority), 0},
      {(uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16, 0},
      {(uint8_t *)"te", (uint8_t *)"trailers", 2, 8, 0}};
  nghttp2_data_provider provider;

  provider.source.ptr = NULL;
  provider.read_callback = read_request;
  return nghttp2_submit_request(c->session, NULL, nva,
                                sizeof(nva) / sizeof(nva[0]), &provider, NULL);
}

enum rpc_code rpc_grpc_client_process(struct rpc_grpc_client *c,
                                      const Cicflow__V1__ProcessOptions *opts,
                                      FILE *capture, size_t chunk_bytes,
                                      rpc_response_cb on_response, void *ctx,
                                      char *message)
{
  c->capture = capture;
  c->chunk_bytes = chunk_bytes;
  c->on_response = on_response;
  c->ctx = ctx;
  c->status = -1;
  c->message[0] = '\0';
  c->closed = 0;
  c->failed = 0;
  c->prefix_len = 0;
  if (frame_options(c, opts) != 0 || (c->stream_id = submit_call(c)) < 0 ||
      run_until_closed(c) != 0 || c->failed || c->status < 0) {
    snprintf(message, RPC_MESSAGE_MAX, "%s",
             c->message[0] != '\0' ? c->message
                                   : "connection to the "
                                     "server failed");
    return RPC_UNAVAILABLE;
  }
  snprintf(message, RPC_MESSAGE_MAX, "%s", c->message);
  return (enum rpc_code)c->status;
}

void rpc_grpc_client_free(struct rpc_grpc_client *c)
{
  if (c == NULL) {
    return;
  }
  nghttp2_session_del(c->session);
  if (c->fd >= 0) {
    close(c->fd);
  }
  free(c->out);
  free(c->msg);
  free(c);
}
