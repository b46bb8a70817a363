/* SPDX-License-Identifier: MIT */
/*
 * A FILE * that reads the capture bytes of a ProcessPcap call: each read
 * takes bytes from the current chunk message and, when it is used up,
 * blocks for the next one. libpcap reads it like a file, so the service
 * and the command line share one capture reader.
 */
#define _GNU_SOURCE /* fopencookie */
#include <stdlib.h>
#include <string.h>

#include "rpc_int.h"

#define STREAM_BUFFER_BYTES (64 * 1024)

struct capture_stream {
  struct rpc_call *call;
  Cicflow__V1__ProcessPcapRequest *req; /* current chunk message */
  size_t pos;                           /* bytes of it already read */
  int failed;                           /* every later read fails too */
  uint64_t bytes;                       /* capture bytes so far */
  uint64_t max_bytes;                   /* 0 = no limit */
  char buffer[STREAM_BUFFER_BYTES];     /* stdio's, see setvbuf */
  char *protocol_error;
};

static void drop_current(struct capture_stream *s)
{
  if (s->req != NULL) {
    cicflow__v1__process_pcap_request__free_unpacked(s->req, NULL);
    s->req = NULL;
  }
  s->pos = 0;
}

/* The size limit counts capture bytes, not their protobuf framing. */
static int count_bytes(struct capture_stream *s)
{
  char why[128];

  s->bytes += s->req->chunk.len;
  if (s->max_bytes == 0 || s->bytes <= s->max_bytes) {
    return 1;
  }
  snprintf(why, sizeof(why), "upload larger than the limit of %llu bytes",
           (unsigned long long)s->max_bytes);
  rpc_call_cancel(s->call, RPC_RESOURCE_EXHAUSTED, why);
  drop_current(s);
  return -1;
}

/* Returns 1 with a chunk in s->req, 0 at end of input, -1 on error. */
static int next_chunk(struct capture_stream *s)
{
  for (;;) {
    struct rpc_msg *m = NULL;

    drop_current(s);
    if (rpc_call_read(s->call, &m) != 0) {
      return -1;
    }
    if (m == NULL) {
      return 0;
    }
    s->req = cicflow__v1__process_pcap_request__unpack(NULL, m->len, m->data);
    free(m);
    if (s->req == NULL) {
      snprintf(s->protocol_error, RPC_MESSAGE_MAX,
               "a request message does not parse as ProcessPcapRequest");
      return -1;
    }
    if (s->req->payload_case ==
        CICFLOW__V1__PROCESS_PCAP_REQUEST__PAYLOAD_OPTIONS) {
      snprintf(s->protocol_error, RPC_MESSAGE_MAX,
               "options may only be sent in the first message");
      drop_current(s);
      return -1;
    }
    if (s->req->payload_case ==
            CICFLOW__V1__PROCESS_PCAP_REQUEST__PAYLOAD_CHUNK &&
        s->req->chunk.len > 0) {
      return count_bytes(s);
    }
  }
}

static ssize_t stream_read(void *cookie, char *buf, size_t size)
{
  struct capture_stream *s = cookie;
  size_t left;

  if (s->failed) {
    return -1;
  }
  if (s->req == NULL || s->pos == s->req->chunk.len) {
    int rc = next_chunk(s);

    if (rc <= 0) {
      s->failed = rc < 0;
      return rc;
    }
  }
  left = s->req->chunk.len - s->pos;
  if (size > left) {
    size = left;
  }
  memcpy(buf, s->req->chunk.data + s->pos, size);
  s->pos += size;
  return (ssize_t)size;
}

static int stream_close(void *cookie)
{
  struct capture_stream *s = cookie;

  drop_current(s);
  free(s);
  return 0;
}

FILE *rpc__capture_stream(struct rpc_call *call, uint64_t max_bytes,
                          char *protocol_error)
{
  cookie_io_functions_t io = {stream_read, NULL, NULL, stream_close};
  struct capture_stream *s = calloc(1, sizeof(*s));
  FILE *fp;

  if (s == NULL) {
    return NULL;
  }
  s->call = call;
  s->max_bytes = max_bytes;
  s->protocol_error = protocol_error;
  fp = fopencookie(s, "rb", io);
  if (fp == NULL) {
    free(s);
    return NULL;
  }
  setvbuf(fp, s->buffer, _IOFBF, sizeof(s->buffer));
  return fp;
}
