/* SPDX-License-Identifier: MIT */
/*
 * Private declarations of the gateway module: the server and request
 * objects, and the helpers the source files share. Every function here
 * runs on libmicrohttpd's thread unless its comment says otherwise.
 */
#ifndef GATEWAY_GW_INT_H
#define GATEWAY_GW_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "gateway/server.h"
#include "rpc/call.h"
#include "rpc/status.h"

#define GW__FILE_FIELD "file"
#define GW__TEXT_MAX 128      /* label and time_zone, with the NUL */
#define GW__FILE_NAME_MAX 256 /* upload name passed on, with the NUL */
#define GW__PATH_LOG_MAX 128  /* request path kept for the log line */
#define GW__RETRY_AFTER_S "5"

/* HTTP statuses the gateway answers that MHD names differently. */
#define GW__HTTP_CLIENT_GONE 499 /* nginx's: logged, never sent */

enum gw_route {
  GW_ROUTE_PROCESS,
  GW_ROUTE_DOCS,
  GW_ROUTE_OPENAPI,
  GW_ROUTE_HEALTHZ,
  GW_ROUTE_METRICS
};

struct gw_server {
  struct MHD_Daemon *daemon;
  struct rpc_service *svc;       /* borrowed */
  struct rpc_call_limits limits; /* for every call we create */
  uint64_t max_upload_bytes;     /* 0 = no limit */
  pthread_mutex_t lock;          /* guards the fields below */
  struct gw_request *active;     /* requests that hold a call */
  size_t active_len;
  int shutting_down;
  MHD_socket quiesced_fd; /* listen socket after shutdown */
  int stopped;
  char address[80];
};

/* Options from the query string of POST /process. */
struct gw_query {
  int profile;                  /* Cicflow__V1__Profile */
  int columns;                  /* Cicflow__V1__ColumnDialect */
  int output;                   /* Cicflow__V1__OutputFormat */
  uint64_t flow_timeout_us;     /* 0 = the service's default */
  uint64_t activity_timeout_us; /* 0 = the service's default */
  uint64_t idle_timeout_us;     /* 0 = the service's default */
  uint64_t teardown_grace_us;   /* 0 = the service's default */
  uint64_t min_packets;         /* 0 = the profile's rule */
  unsigned extras;              /* bit v-1 set: ExtraColumn v asked */
  char label[GW__TEXT_MAX];     /* "" = default */
  char time_zone[GW__TEXT_MAX]; /* "" = default */
  unsigned seen;                /* one bit per parameter given */
};

/* State of a POST /process request; see process.c. */
struct gw_upload {
  struct MHD_PostProcessor *pp;
  struct gw_query query;
  int file_parts;    /* 'file' parts begun (more than 1 is wrong) */
  int in_file;       /* the last form data seen was the file's */
  uint64_t part_end; /* offset after the file bytes seen so far */
  int discard;       /* read the rest of the body, use none of it */
  int input_closed;
  unsigned local_status; /* an error the gateway found itself */
  int refused;           /* answered before any call: refused_code */
  enum rpc_code refused_code;
  char local_detail[RPC_MESSAGE_MAX];
  struct rpc_msg *out;     /* response message being taken apart */
  size_t out_off, out_end; /* unsent output_chunk bytes of out */
};

struct gw_request {
  struct gw_request *prev, *next; /* server's active list, under lock */
  struct gw_server *srv;
  struct MHD_Connection *conn;
  struct rpc_call *call; /* set before linking, under lock */
  int suspended;         /* under the server's lock */
  double started;        /* monotonic seconds */
  unsigned status;       /* HTTP status queued, 0 before */
  uint64_t body_bytes;   /* request body bytes received */
  uint64_t packets;      /* the call's result, for the request log */
  uint64_t flows;
  struct gw_upload *up; /* POST /process only */
  char method[16];
  char path[GW__PATH_LOG_MAX];
  char peer[64];
};

/* server.c */
/* gw__wake: the calls' wake callback; runs on a worker thread. */
void gw__wake(void *ctx, struct rpc_call *call);
void gw__lock(struct gw_server *s);
void gw__unlock(struct gw_server *s);
/* gw__suspend_locked: suspends r's connection; lock held. */
void gw__suspend_locked(struct gw_request *r);
/* gw__track / gw__untrack: r->call joins / leaves the active list. */
void gw__track(struct gw_request *r);
void gw__untrack(struct gw_request *r);
int gw__closing(struct gw_server *s);

/* route.c */
/*
 * gw__route_match: the route for path and method. Returns 0 with *route
 * set, 404 for an unknown path, or 405 with *allow set to the methods
 * the path takes.
 */
unsigned gw__route_match(const char *path, const char *method,
                         enum gw_route *route, const char **allow);

/* query.c */
void gw__query_init(struct gw_query *q);
/*
 * gw__query_set: applies one query parameter (sizes exclude any NUL).
 * Returns 0, or -1 with the reason in why (why_size bytes).
 */
int gw__query_set(struct gw_query *q, const char *key, size_t key_len,
                  const char *value, size_t value_len, char *why,
                  size_t why_size);
/*
 * gw__query_check: whether the parameters make sense together (idle and
 * teardown settings need profile=corrected); as gw__query_set.
 */
int gw__query_check(const struct gw_query *q, char *why, size_t why_size);
/* gw__query_read: every query parameter of c, then gw__query_check. */
int gw__query_read(struct MHD_Connection *c, struct gw_query *q, char *why,
                   size_t why_size);
/* gw__text_utf8: 1 when len bytes of s are valid UTF-8 without NULs. */
int gw__text_utf8(const char *s, size_t len);
/*
 * gw__options_msg: the serialized ProcessPcapRequest carrying q and the
 * upload's file name (untrusted; may be NULL), or NULL without memory.
 * The caller owns the message.
 */
struct rpc_msg *gw__options_msg(const struct gw_query *q,
                                const char *file_name);
/* gw__chunk_msg: a ProcessPcapRequest with len bytes of data, or NULL. */
struct rpc_msg *gw__chunk_msg(const char *data, size_t len);

/* output.c */
enum gw_out_kind {
  GW_OUT_PROGRESS,
  GW_OUT_START,
  GW_OUT_CHUNK,
  GW_OUT_OTHER, /* summary, flows: nothing the gateway sends */
  GW_OUT_BAD    /* does not parse */
};
/*
 * gw__out_kind: what a serialized ProcessPcapResponse holds. For a chunk
 * *off and *len locate its bytes inside m->data, which saves copying
 * every output byte once more.
 */
enum gw_out_kind gw__out_kind(const struct rpc_msg *m, size_t *off,
                              size_t *len);

/* reply.c */
/* gw__http_status: the HTTP status for a call that ended with code. */
unsigned gw__http_status(enum rpc_code code, const char *message);
/*
 * gw__json_escape: in as the inside of a JSON string, cut to fit size
 * bytes (NUL included). Bytes above 0x7E become '?': the messages are
 * ASCII, and this keeps the body valid JSON whatever they hold.
 */
void gw__json_escape(const char *in, char *out, size_t size);
/* gw__header_text: in with only printable ASCII, cut to size bytes. */
void gw__header_text(const char *in, char *out, size_t size);
/* gw__quoted_name: in as an HTTP quoted-string (quotes included). */
void gw__quoted_name(const char *in, char *out, size_t size);
/*
 * gw__answer_at_once: 1 when an answer may be queued before the request
 * body was read; else the body is drained first. See reply.c.
 */
int gw__answer_at_once(struct gw_request *r);
/* gw__queue: adds the common headers, queues, records the status. */
enum MHD_Result gw__queue(struct gw_request *r, unsigned status,
                          struct MHD_Response *resp);
/* gw__json_response: a {"detail": detail} response, or NULL. */
struct MHD_Response *gw__json_response(const char *detail);
/* gw__reply_json: answers {"detail": detail} with status. */
enum MHD_Result gw__reply_json(struct gw_request *r, unsigned status,
                               const char *detail);
/* gw__reply_static: answers a body that lives as long as the program. */
enum MHD_Result gw__reply_static(struct gw_request *r, unsigned status,
                                 const char *type, const char *body,
                                 size_t len);

/* process.c */
/* gw__process_start: the first call of a POST /process request. */
enum MHD_Result gw__process_start(struct gw_request *r);
/* gw__process_more: every later call: body data, then the answer. */
enum MHD_Result gw__process_more(struct gw_request *r, const char *data,
                                 size_t *size);
/* gw__body_reader: MHD's content reader for the call's output. */
ssize_t gw__body_reader(void *cls, uint64_t pos, char *buf, size_t max);
/* gw__process_end: releases the call and the upload state. */
void gw__process_end(struct gw_request *r, enum MHD_RequestTerminationCode toe);

/* The embedded pages, generated from assets/ at build time. */
extern const char gw__docs_html[];
extern const size_t gw__docs_html_len;
extern const char gw__openapi_json[];
extern const size_t gw__openapi_json_len;

#endif /* GATEWAY_GW_INT_H */
