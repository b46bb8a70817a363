/* SPDX-License-Identifier: MIT */
/*
 * Answers: the HTTP status for each gRPC status, JSON error bodies, and
 * the care any text from a call or a client needs before it goes into a
 * header or a JSON string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_int.h"

#define JSON_DETAIL_MAX (RPC_MESSAGE_MAX * 6 + 32)
#define DRAIN_MAX_BYTES (64 * 1024 * 1024) /* read to refuse, at most */

/*
 * The handler prefixes every refusal of the options with this; other
 * INVALID_ARGUMENT statuses are about the upload's content.
 */
#define OPTIONS_PREFIX "invalid options"

/*
 * After googleapis' google/rpc/code.proto, except that a capture that does
 * not parse is 422 (the request was well formed, its content is not) and
 * any RESOURCE_EXHAUSTED of a running call is about its size: 413. Busy
 * workers never get this far; they are answered 503 before the upload.
 */
unsigned gw__http_status(enum rpc_code code, const char *message)
{
  switch (code) {
  case RPC_OK:
    return MHD_HTTP_OK;
  case RPC_CANCELLED:
    return GW__HTTP_CLIENT_GONE;
  case RPC_INVALID_ARGUMENT:
    return strncmp(message, OPTIONS_PREFIX, strlen(OPTIONS_PREFIX)) == 0
               ? MHD_HTTP_BAD_REQUEST
               : MHD_HTTP_UNPROCESSABLE_CONTENT;
  case RPC_DEADLINE_EXCEEDED:
    return MHD_HTTP_GATEWAY_TIMEOUT;
  case RPC_NOT_FOUND:
    return MHD_HTTP_NOT_FOUND;
  case RPC_RESOURCE_EXHAUSTED:
    return MHD_HTTP_CONTENT_TOO_LARGE;
  case RPC_UNIMPLEMENTED:
    return MHD_HTTP_NOT_IMPLEMENTED;
  case RPC_UNAVAILABLE:
    return MHD_HTTP_SERVICE_UNAVAILABLE;
  case RPC_UNKNOWN:
  case RPC_INTERNAL:
    break;
  }
  return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

void gw__json_escape(const char *in, char *out, size_t size)
{
  static const char hex[] = "0123456789abcdef";
  size_t n = 0;

  for (; *in != '\0'; in++) {
    unsigned char c = (unsigned char)*in;
    char esc[7] = {0};

    if (c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
    } else if (c < 0x20 || c == 0x7f) {
      memcpy(esc, "\\u00", 4);
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
    } else {
      esc[0] = c > 0x7e ? '?' : (char)c;
    }
    if (n + strlen(esc) + 1 > size) {
      break;
    }
    memcpy(out + n, esc, strlen(esc));
    n += strlen(esc);
  }
  out[n] = '\0';
}

void gw__header_text(const char *in, char *out, size_t size)
{
  size_t n = 0;

  for (; *in != '\0' && n + 1 < size; in++) {
    unsigned char c = (unsigned char)*in;

    out[n++] = c >= 0x20 && c <= 0x7e ? (char)c : '?';
  }
  out[n] = '\0';
}

/* RFC 9110 §5.6.4: in a quoted-string only '"' and '\' need a backslash;
 * controls and non-ASCII bytes are not allowed, so they become '_'. */
void gw__quoted_name(const char *in, char *out, size_t size)
{
  size_t n = 0;

  if (size < 3) {
    out[0] = '\0';
    return;
  }
  out[n++] = '"';
  for (; *in != '\0' && n + 2 < size; in++) {
    unsigned char c = (unsigned char)*in;

    if (c == '"' || c == '\\') {
      if (n + 3 >= size) {
        break;
      }
      out[n++] = '\\';
      out[n++] = (char)c;
    } else {
      out[n++] = c >= 0x20 && c <= 0x7e ? (char)c : '_';
    }
  }
  out[n++] = '"';
  out[n] = '\0';
}

/*
 * A client that asked for 100-continue waits for it; any other is already
 * sending its body, and closing on unread data makes the kernel reset the
 * connection, which can destroy the answer before the client reads it.
 * Those are answered once the body is drained, unless it is too large to
 * be worth draining.
 */
int gw__answer_at_once(struct gw_request *r)
{
  const char *expect = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_EXPECT);
  const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_CONTENT_LENGTH);

  if (expect != NULL && strcasecmp(expect, "100-continue") == 0) {
    return 1;
  }
  return cl != NULL && strtoull(cl, NULL, 10) > DRAIN_MAX_BYTES;
}

enum MHD_Result gw__queue(struct gw_request *r, unsigned status,
                          struct MHD_Response *resp)
{
  enum MHD_Result rc;

  if (resp == NULL) {
    return MHD_NO; /* out of memory: MHD closes the connection */
  }
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  if (status == MHD_HTTP_SERVICE_UNAVAILABLE) {
    MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER,
                            GW__RETRY_AFTER_S);
  }
  if (gw__closing(r->srv)) {
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
  }
  r->status = status;
  rc = MHD_queue_response(r->conn, status, resp);
  MHD_destroy_response(resp);
  return rc;
}

struct MHD_Response *gw__json_response(const char *detail)
{
  char escaped[JSON_DETAIL_MAX];
  struct MHD_Response *resp;
  char *body;
  int len;

  gw__json_escape(detail, escaped, sizeof(escaped));
  body = malloc(sizeof(escaped) + 32);
  if (body == NULL) {
    return NULL;
  }
  len = snprintf(body, sizeof(escaped) + 32, "{\"detail\": \"%s\"}\n", escaped);
  resp =
      MHD_create_response_from_buffer((size_t)len, body, MHD_RESPMEM_MUST_FREE);
  if (resp == NULL) {
    free(body);
    return NULL;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                          "application/json");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  return resp;
}

enum MHD_Result gw__reply_json(struct gw_request *r, unsigned status,
                               const char *detail)
{
  return gw__queue(r, status, gw__json_response(detail));
}

enum MHD_Result gw__reply_static(struct gw_request *r, unsigned status,
                                 const char *type, const char *body, size_t len)
{
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      len, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);

  if (resp == NULL) {
    return MHD_NO;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  return gw__queue(r, status, resp);
}
