/* SPDX-License-Identifier: MIT */
/*
 * POST /process: a multipart upload streamed into a ProcessPcap call.
 *
 * Upload: each piece of body MHD hands over goes through the post
 * processor, and the bytes of the 'file' part go to the call's input
 * queue as chunk messages, after one options message built from the query
 * string. While that queue is full the connection is suspended; the
 * worker's wake-up (it consumed input) resumes it. A client thus uploads
 * only as fast as its capture is processed, in fixed memory.
 *
 * Answer: nothing is sent before the whole body is in, since HTTP/1.1
 * clients do not read while they upload and MHD cannot queue a response
 * while a body is being delivered. An error found on the way (not a
 * capture, over the size limit) ends the call; the rest of the body is
 * then read and dropped, and the error goes out at the end. Success is
 * the call's OutputStart as status and headers, then its output_chunk
 * bytes as the body, suspended whenever the worker has none ready.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_int.h"

#include "rpc/clock.h"
#include "rpc/metrics.h"

#include "cicflow/v1/flowmeter.pb-c.h"

#define PP_BUFFER_BYTES (64 * 1024)
#define BODY_BLOCK_BYTES (128 * 1024)
#define MULTIPART_SLACK_BYTES (64 * 1024) /* form framing around the file */
#define WARNING_HEADER_MAX 1024
#define NAME_HEADER_MAX 300

enum next { NEXT_MESSAGE, NEXT_DONE, NEXT_WAIT };

/* RFC 7578 §4: the type is multipart/form-data; case does not matter. */
static int is_form_data(const char *type)
{
  static const char want[] = "multipart/form-data";
  size_t n = sizeof(want) - 1;

  if (type == NULL || strncasecmp(type, want, n) != 0) {
    return 0;
  }
  return type[n] == '\0' || type[n] == ';' || type[n] == ' ' || type[n] == '\t';
}

/*
 * A declared body size over the limit is refused before any of it is
 * sent. The form framing adds a little to the file's own size, hence the
 * slack; the handler itself counts the file bytes exactly.
 */
static int over_limit(struct gw_request *r, char *why, size_t size)
{
  const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_CONTENT_LENGTH);
  uint64_t limit = r->srv->max_upload_bytes;
  unsigned long long n;
  char *end = NULL;

  if (cl == NULL || limit == 0) {
    return 0;
  }
  errno = 0;
  n = strtoull(cl, &end, 10);
  if (errno != 0 || end == cl || *end != '\0' ||
      n <= limit + MULTIPART_SLACK_BYTES) {
    return 0;
  }
  snprintf(why, size,
           "upload of %llu bytes is larger than the limit of %llu bytes", n,
           (unsigned long long)limit);
  return 1;
}

/*
 * A problem with the form itself: the call ends, the rest of the body is
 * dropped, and the client gets status with detail once it is all in.
 */
static void fail_local(struct gw_request *r, unsigned status,
                       const char *detail)
{
  struct gw_upload *up = r->up;

  if (up->local_status == 0) {
    up->local_status = status;
    snprintf(up->local_detail, sizeof(up->local_detail), "%s", detail);
  }
  rpc_call_cancel(r->call, RPC_INVALID_ARGUMENT, detail);
  up->discard = 1;
}

/* A refused push means the call has ended; its status tells why. */
static void push(struct gw_request *r, struct rpc_msg *m)
{
  if (m == NULL) {
    rpc_call_cancel(r->call, RPC_INTERNAL, "out of memory");
    r->up->discard = 1;
    return;
  }
  if (rpc_call_push_msg(r->call, m) != 0) {
    r->up->discard = 1;
  }
}

/* RFC 7578 §4.7: senders do not encode parts; refuse those that do. */
static int plain_encoding(const char *encoding)
{
  return encoding == NULL || strcasecmp(encoding, "binary") == 0 ||
         strcasecmp(encoding, "8bit") == 0 || strcasecmp(encoding, "7bit") == 0;
}

/* The first bytes of a 'file' part: check it is the only one. */
static void begin_file(struct gw_request *r, const char *filename,
                       const char *encoding)
{
  struct gw_upload *up = r->up;

  if (up->file_parts > 0) {
    fail_local(r, MHD_HTTP_BAD_REQUEST,
               "the form has more than one 'file' field; send one capture "
               "per request");
    return;
  }
  if (!plain_encoding(encoding)) {
    fail_local(r, MHD_HTTP_BAD_REQUEST,
               "the 'file' part has a Content-Transfer-Encoding; send its "
               "bytes as they are");
    return;
  }
  up->file_parts = 1;
  push(r, gw__options_msg(&up->query, filename));
}

/*
 * MHD's post processor calls this for each piece of each form field, with
 * off counting the bytes of the field seen before. Other fields are
 * ignored; a new 'file' part shows by an offset that starts over.
 */
static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *filename,
                               const char *content_type, const char *encoding,
                               const char *data, uint64_t off, size_t size)
{
  struct gw_request *r = cls;
  struct gw_upload *up = r->up;

  (void)kind;
  (void)content_type;
  if (up->discard) {
    return MHD_YES;
  }
  if (key == NULL || strcmp(key, GW__FILE_FIELD) != 0) {
    up->in_file = 0;
    return MHD_YES;
  }
  if (!up->in_file || off < up->part_end) {
    begin_file(r, filename, encoding);
    if (up->discard) {
      return MHD_YES;
    }
  }
  up->in_file = 1;
  up->part_end = off + size;
  if (size > 0) {
    push(r, gw__chunk_msg(data, size));
  }
  return MHD_YES;
}

/*
 * Refuses the request before any call runs; code is the gRPC status a
 * gRPC client would have had, for the metrics.
 */
static enum MHD_Result refuse(struct gw_request *r, unsigned status,
                              enum rpc_code code, const char *detail)
{
  struct gw_upload *up = r->up;

  up->refused = 1;
  up->refused_code = code;
  if (gw__answer_at_once(r)) {
    return gw__reply_json(r, status, detail);
  }
  up->local_status = status;
  snprintf(up->local_detail, sizeof(up->local_detail), "%s", detail);
  up->discard = 1;
  return MHD_YES;
}

static enum MHD_Result start_call(struct gw_request *r)
{
  struct gw_server *s = r->srv;
  int rc;

  r->call = rpc_call_new(&s->limits, gw__wake, s);
  if (r->call == NULL) {
    return refuse(r, MHD_HTTP_INTERNAL_SERVER_ERROR, RPC_INTERNAL,
                  "out of memory");
  }
  rc = rpc_service_start_process_pcap(s->svc, r->call);
  if (rc != 0) {
    rpc_call_unref(r->call);
    r->call = NULL;
    if (rc == RPC_ERR_BUSY) {
      return refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, RPC_RESOURCE_EXHAUSTED,
                    "server busy: every worker is busy and the wait queue "
                    "is full; retry later");
    }
    return refuse(r, MHD_HTTP_INTERNAL_SERVER_ERROR, RPC_INTERNAL,
                  "cannot start the call");
  }
  gw__track(r);
  return MHD_YES;
}

enum MHD_Result gw__process_start(struct gw_request *r)
{
  char why[RPC_MESSAGE_MAX];
  const char *type = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);

  r->up = calloc(1, sizeof(*r->up));
  if (r->up == NULL) {
    return MHD_NO;
  }
  gw__query_init(&r->up->query);
  if (!is_form_data(type)) {
    return refuse(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, RPC_INVALID_ARGUMENT,
                  "send the capture as multipart/form-data, in a field "
                  "named 'file'");
  }
  if (gw__query_read(r->conn, &r->up->query, why, sizeof(why)) != 0) {
    return refuse(r, MHD_HTTP_BAD_REQUEST, RPC_INVALID_ARGUMENT, why);
  }
  if (over_limit(r, why, sizeof(why))) {
    return refuse(r, MHD_HTTP_CONTENT_TOO_LARGE, RPC_RESOURCE_EXHAUSTED, why);
  }
  if (gw__closing(r->srv)) {
    return refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, RPC_UNAVAILABLE,
                  "the server is shutting down");
  }
  r->up->pp = MHD_create_post_processor(r->conn, PP_BUFFER_BYTES, on_part, r);
  if (r->up->pp == NULL) {
    return refuse(r, MHD_HTTP_BAD_REQUEST, RPC_INVALID_ARGUMENT,
                  "the multipart/form-data body needs a boundary parameter "
                  "in its Content-Type");
  }
  return start_call(r);
}

/*
 * Drops the Progress messages that pile up while the client uploads; the
 * gateway has no way to show them. Anything else is kept for later.
 */
static void drop_progress(struct gw_request *r)
{
  struct gw_upload *up = r->up;
  size_t off;
  size_t len;

  while (up->out == NULL && (up->out = rpc_call_pop_output(r->call)) != NULL) {
    if (gw__out_kind(up->out, &off, &len) == GW_OUT_PROGRESS) {
      free(up->out);
      up->out = NULL;
    }
  }
}

/* Returns 0 after suspending: MHD offers the same bytes again later. */
static int wait_for_room(struct gw_request *r)
{
  int room;

  gw__lock(r->srv);
  room = rpc_call_input_room(r->call);
  if (!room) {
    gw__suspend_locked(r);
  }
  gw__unlock(r->srv);
  return room;
}

static enum MHD_Result take_body(struct gw_request *r, const char *data,
                                 size_t *size)
{
  struct gw_upload *up = r->up;

  if (r->call != NULL) {
    drop_progress(r);
  }
  if (!up->discard && !wait_for_room(r)) {
    return MHD_YES;
  }
  r->body_bytes += *size;
  if (!up->discard && MHD_post_process(up->pp, data, *size) != MHD_YES &&
      !up->discard) {
    fail_local(r, MHD_HTTP_BAD_REQUEST, "the multipart body is malformed");
  }
  *size = 0;
  return MHD_YES;
}

static void end_upload(struct gw_request *r)
{
  struct gw_upload *up = r->up;
  int complete = MHD_destroy_post_processor(up->pp) == MHD_YES;

  up->pp = NULL;
  up->input_closed = 1;
  if (up->discard) {
    return;
  }
  if (!complete) {
    fail_local(r, MHD_HTTP_BAD_REQUEST,
               "the multipart body ended before its closing boundary");
  } else if (up->file_parts == 0) {
    fail_local(r, MHD_HTTP_BAD_REQUEST,
               "the form has no field named 'file'; send the capture in it");
  } else {
    rpc_call_close_input(r->call);
  }
}

/*
 * The next output message into up->out, or the end of the call (with its
 * status), or nothing yet: then, if may_wait, the connection is suspended
 * until the worker's next wake-up. The lock makes the check and the
 * suspension one step for gw__wake.
 */
static enum next next_output(struct gw_request *r, int may_wait,
                             enum rpc_code *code, char *message)
{
  struct gw_upload *up = r->up;
  enum next n = NEXT_WAIT;

  gw__lock(r->srv);
  if (up->out == NULL) {
    up->out = rpc_call_pop_output(r->call);
  }
  if (up->out != NULL) {
    n = NEXT_MESSAGE;
  } else if (rpc_call_done(r->call, code, message)) {
    n = NEXT_DONE;
  } else if (may_wait) {
    gw__suspend_locked(r);
  }
  gw__unlock(r->srv);
  return n;
}

static void drop_out(struct gw_upload *up)
{
  free(up->out);
  up->out = NULL;
  up->out_off = up->out_end = 0;
}

static void add_download_headers(struct MHD_Response *resp,
                                 const Cicflow__V1__OutputStart *start)
{
  char name[NAME_HEADER_MAX];
  char disposition[NAME_HEADER_MAX + 32];
  char warning[WARNING_HEADER_MAX];
  const char *type = start->content_type;

  /* Only the two types the handler makes; anything else is bytes. */
  if (strcmp(type, "application/zip") != 0 && strcmp(type, "text/csv") != 0) {
    type = "application/octet-stream";
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  gw__quoted_name(start->file_name, name, sizeof(name));
  snprintf(disposition, sizeof(disposition), "attachment; filename=%s", name);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
                          disposition);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (start->n_warnings > 0) {
    gw__header_text(start->warnings[0], warning, sizeof(warning));
    MHD_add_response_header(resp, "X-Cicflow-Warning", warning);
  }
}

/* OutputStart: status 200, the file's headers, and its bytes to come. */
static enum MHD_Result start_download(struct gw_request *r)
{
  struct gw_upload *up = r->up;
  Cicflow__V1__ProcessPcapResponse *msg =
      cicflow__v1__process_pcap_response__unpack(NULL, up->out->len,
                                                 up->out->data);
  struct MHD_Response *resp;

  drop_out(up);
  if (msg == NULL || msg->output_start == NULL) {
    if (msg != NULL) {
      cicflow__v1__process_pcap_response__free_unpacked(msg, NULL);
    }
    rpc_call_cancel(r->call, RPC_INTERNAL, "bad OutputStart");
    return gw__reply_json(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                          "the service sent a bad OutputStart");
  }
  resp = MHD_create_response_from_callback(msg->output_start->size_bytes,
                                           BODY_BLOCK_BYTES, gw__body_reader, r,
                                           NULL);
  if (resp != NULL) {
    add_download_headers(resp, msg->output_start);
  }
  cicflow__v1__process_pcap_response__free_unpacked(msg, NULL);
  return gw__queue(r, MHD_HTTP_OK, resp);
}

/* The final call: the upload is in; answer once the call says how. */
static enum MHD_Result answer(struct gw_request *r)
{
  struct gw_upload *up = r->up;
  char message[RPC_MESSAGE_MAX];
  enum rpc_code code = RPC_INTERNAL;
  size_t off;
  size_t len;

  if (up->local_status != 0) {
    return gw__reply_json(r, up->local_status, up->local_detail);
  }
  for (;;) {
    enum next n = next_output(r, 1, &code, message);

    if (n == NEXT_WAIT) {
      return MHD_YES;
    }
    if (n == NEXT_DONE) {
      if (code == RPC_OK) {
        snprintf(message, sizeof(message), "the call ended without output");
      }
      return gw__reply_json(r, gw__http_status(code, message), message);
    }
    switch (gw__out_kind(up->out, &off, &len)) {
    case GW_OUT_START:
      return start_download(r);
    case GW_OUT_CHUNK:
    case GW_OUT_BAD:
      drop_out(up);
      rpc_call_cancel(r->call, RPC_INTERNAL, "output before OutputStart");
      return gw__reply_json(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                            "the service sent output before OutputStart");
    case GW_OUT_PROGRESS:
    case GW_OUT_OTHER:
      drop_out(up);
      break;
    }
  }
}

enum MHD_Result gw__process_more(struct gw_request *r, const char *data,
                                 size_t *size)
{
  if (*size > 0) {
    return take_body(r, data, size);
  }
  if (!r->up->input_closed) {
    end_upload(r);
  }
  return answer(r);
}

/* Copies what is left of the current chunk; returns the bytes copied. */
static size_t copy_chunk(struct gw_upload *up, char *buf, size_t max)
{
  size_t n = up->out_end - up->out_off;

  if (n > max) {
    n = max;
  }
  memcpy(buf, up->out->data + up->out_off, n);
  up->out_off += n;
  return n;
}

ssize_t gw__body_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
  struct gw_request *r = cls;
  struct gw_upload *up = r->up;
  char message[RPC_MESSAGE_MAX];
  enum rpc_code code;
  size_t n = 0;

  (void)pos;
  while (n < max) {
    enum next next;

    if (up->out != NULL && up->out_off < up->out_end) {
      n += copy_chunk(up, buf + n, max - n);
      continue;
    }
    drop_out(up);
    /* Suspend only with nothing to hand over: MHD retries a 0 at once. */
    next = next_output(r, n == 0, &code, message);
    if (next == NEXT_WAIT) {
      break;
    }
    if (next == NEXT_DONE) {
      /* Ended before its last byte (cancelled): cut the response. */
      return n > 0 ? (ssize_t)n : MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (gw__out_kind(up->out, &up->out_off, &up->out_end) != GW_OUT_CHUNK) {
      drop_out(up);
    } else {
      up->out_end += up->out_off;
    }
  }
  return (ssize_t)n;
}

/* The gRPC status a gRPC client would have seen, for the metrics. */
static enum rpc_code end_code(struct gw_request *r,
                              enum MHD_RequestTerminationCode toe)
{
  char message[RPC_MESSAGE_MAX];
  enum rpc_code code;

  if (r->up->refused) {
    return r->up->refused_code;
  }
  if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && r->status == MHD_HTTP_OK) {
    return RPC_OK;
  }
  if (r->call != NULL && rpc_call_done(r->call, &code, message)) {
    return code;
  }
  return RPC_CANCELLED;
}

void gw__process_end(struct gw_request *r, enum MHD_RequestTerminationCode toe)
{
  struct gw_upload *up = r->up;

  rpc_metrics_call_end(RPC_TRANSPORT_REST, end_code(r, toe),
                       rpc_clock_seconds() - r->started);
  if (r->call != NULL) {
    rpc_call_result(r->call, &r->packets, &r->flows);
    gw__untrack(r);
    rpc_call_detach(r->call);
    /* A no-op for a call that has ended; else the client is gone. */
    rpc_call_cancel(r->call, RPC_CANCELLED,
                    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK
                        ? "the response was sent"
                        : "the client went away");
    rpc_call_unref(r->call);
    r->call = NULL;
  }
  MHD_destroy_post_processor(up->pp);
  up->pp = NULL;
  drop_out(up);
}
