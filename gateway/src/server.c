/* SPDX-License-Identifier: MIT */
/*
 * The gateway's daemon: libmicrohttpd with one internal epoll thread,
 * suspend/resume, and per-connection limits. The access handler routes
 * each request; the completion callback releases it and writes its log
 * line. A worker wakes a request through gw__wake, which looks the call
 * up under the server's lock: the same lock is held while a request
 * decides to suspend and while it is released, so a wake-up is never
 * lost between a check and a suspension, nor sent to a freed connection.
 */
#include "gateway/server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw_int.h"

#include "rpc/address.h"
#include "rpc/clock.h"
#include "rpc/log.h"
#include "rpc/metrics.h"

#define MHD_LOG_MAX 512

void gw__lock(struct gw_server *s)
{
  pthread_mutex_lock(&s->lock);
}

void gw__unlock(struct gw_server *s)
{
  pthread_mutex_unlock(&s->lock);
}

void gw__suspend_locked(struct gw_request *r)
{
  r->suspended = 1;
  MHD_suspend_connection(r->conn);
}

void gw__wake(void *ctx, struct rpc_call *call)
{
  struct gw_server *s = ctx;

  gw__lock(s);
  for (struct gw_request *r = s->active; r != NULL; r = r->next) {
    if (r->call == call) {
      if (r->suspended) {
        r->suspended = 0;
        MHD_resume_connection(r->conn);
      }
      break;
    }
  }
  gw__unlock(s);
}

void gw__track(struct gw_request *r)
{
  struct gw_server *s = r->srv;

  gw__lock(s);
  r->prev = NULL;
  r->next = s->active;
  if (s->active != NULL) {
    s->active->prev = r;
  }
  s->active = r;
  s->active_len++;
  gw__unlock(s);
}

void gw__untrack(struct gw_request *r)
{
  struct gw_server *s = r->srv;

  gw__lock(s);
  if (r->prev != NULL) {
    r->prev->next = r->next;
  } else {
    s->active = r->next;
  }
  if (r->next != NULL) {
    r->next->prev = r->prev;
  }
  r->prev = r->next = NULL;
  r->suspended = 0;
  s->active_len--;
  gw__unlock(s);
}

int gw__closing(struct gw_server *s)
{
  int closing;

  gw__lock(s);
  closing = s->shutting_down;
  gw__unlock(s);
  return closing;
}

static void describe_peer(struct MHD_Connection *c, char *out, size_t size)
{
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

  snprintf(out, size, "?");
  if (info != NULL && info->client_addr != NULL) {
    rpc_address_format(info->client_addr, out, size);
  }
}

static struct gw_request *request_new(struct gw_server *s,
                                      struct MHD_Connection *c, const char *url,
                                      const char *method)
{
  struct gw_request *r = calloc(1, sizeof(*r));

  if (r == NULL) {
    return NULL;
  }
  r->srv = s;
  r->conn = c;
  r->started = rpc_clock_seconds();
  snprintf(r->method, sizeof(r->method), "%s", method);
  snprintf(r->path, sizeof(r->path), "%s", url);
  describe_peer(c, r->peer, sizeof(r->peer));
  return r;
}

static enum MHD_Result answer_health(struct gw_request *r)
{
  static const char ok[] = "{\"status\": \"ok\"}\n";
  static const char closing[] = "{\"status\": \"shutting down\"}\n";

  if (gw__closing(r->srv)) {
    return gw__reply_static(r, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json",
                            closing, sizeof(closing) - 1);
  }
  return gw__reply_static(r, MHD_HTTP_OK, "application/json", ok,
                          sizeof(ok) - 1);
}

static enum MHD_Result answer_metrics(struct gw_request *r)
{
  char *page = rpc_metrics_render(r->srv->svc);
  struct MHD_Response *resp;

  if (page == NULL) {
    return MHD_NO;
  }
  resp = MHD_create_response_from_buffer(strlen(page), page,
                                         MHD_RESPMEM_MUST_FREE);
  if (resp == NULL) {
    free(page);
    return MHD_NO;
  }
  /* The Prometheus text exposition format, version 0.0.4. */
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                          "text/plain; version=0.0.4; charset=utf-8");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  return gw__queue(r, MHD_HTTP_OK, resp);
}

/* The request's route, answered or (POST /process) started. */
static enum MHD_Result route(struct gw_request *r)
{
  enum gw_route rt = GW_ROUTE_DOCS;
  const char *allow = NULL;
  unsigned miss = gw__route_match(r->path, r->method, &rt, &allow);

  if (miss == MHD_HTTP_NOT_FOUND) {
    return gw__reply_json(r, miss,
                          "no such path; the API is described at "
                          "/docs and /openapi.json");
  }
  if (miss == MHD_HTTP_METHOD_NOT_ALLOWED) {
    char detail[64];
    struct MHD_Response *resp;

    snprintf(detail, sizeof(detail), "this path takes %s", allow);
    resp = gw__json_response(detail);
    if (resp != NULL) {
      MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    }
    return gw__queue(r, miss, resp);
  }
  switch (rt) {
  case GW_ROUTE_PROCESS:
    return gw__process_start(r);
  case GW_ROUTE_DOCS:
    return gw__reply_static(r, MHD_HTTP_OK, "text/html; charset=utf-8",
                            gw__docs_html, gw__docs_html_len);
  case GW_ROUTE_OPENAPI:
    return gw__reply_static(r, MHD_HTTP_OK, "application/json",
                            gw__openapi_json, gw__openapi_json_len);
  case GW_ROUTE_METRICS:
    return answer_metrics(r);
  case GW_ROUTE_HEALTHZ:
    break;
  }
  return answer_health(r);
}

/*
 * POST /process starts with its headers, so that it is processed while it
 * uploads. Anything else is answered once the request is whole: MHD
 * closes the connection after an answer queued earlier, which keep-alive
 * clients (probes, browsers) would rather keep, and which can reset a
 * client still sending; see gw__answer_at_once for the exceptions.
 */
static int route_now(struct gw_request *r)
{
  enum gw_route rt = GW_ROUTE_DOCS;
  const char *allow = NULL;

  if (gw__route_match(r->path, r->method, &rt, &allow) == 0 &&
      rt == GW_ROUTE_PROCESS) {
    return 1;
  }
  return gw__answer_at_once(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
  struct gw_request *r = *req_cls;

  (void)version;
  if (r == NULL) {
    r = request_new(cls, c, url, method);
    if (r == NULL) {
      return MHD_NO; /* out of memory: MHD drops the connection */
    }
    *req_cls = r;
    return route_now(r) ? route(r) : MHD_YES;
  }
  if (r->up != NULL) {
    return gw__process_more(r, upload, upload_size);
  }
  if (*upload_size > 0) {
    r->body_bytes += *upload_size;
    *upload_size = 0; /* a body where none belongs: dropped */
    return MHD_YES;
  }
  return route(r);
}

static const char *end_name(enum MHD_RequestTerminationCode toe)
{
  switch (toe) {
  case MHD_REQUEST_TERMINATED_COMPLETED_OK:
    return "ok";
  case MHD_REQUEST_TERMINATED_WITH_ERROR:
    return "error";
  case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
    return "timeout";
  case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
    return "shutdown";
  case MHD_REQUEST_TERMINATED_READ_ERROR:
    return "read_error";
  case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
    return "client_abort";
  }
  return "unknown";
}

static void log_request(const struct gw_request *r,
                        enum MHD_RequestTerminationCode toe)
{
  char method[sizeof(r->method) * 4 + 3];
  char path[sizeof(r->path) * 4 + 3];
  unsigned status = r->status;

  if (status == 0 ||
      (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && status == MHD_HTTP_OK)) {
    status = GW__HTTP_CLIENT_GONE; /* nothing (whole) was delivered */
  }
  RPC_LOG(RPC_LOG_INFO, "gw", "request",
          "method=%s path=%s peer=%s status=%u bytes_in=%llu packets=%llu "
          "flows=%llu ms=%.0f end=%s",
          rpc_log_quote(r->method, method, sizeof(method)),
          rpc_log_quote(r->path, path, sizeof(path)), r->peer, status,
          (unsigned long long)r->body_bytes, (unsigned long long)r->packets,
          (unsigned long long)r->flows,
          (rpc_clock_seconds() - r->started) * 1e3, end_name(toe));
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
  struct gw_request *r = *req_cls;

  (void)cls;
  (void)c;
  if (r == NULL) {
    return;
  }
  if (r->up != NULL) {
    gw__process_end(r, toe);
  }
  log_request(r, toe);
  free(r->up);
  free(r);
  *req_cls = NULL;
}

__attribute__((format(printf, 2, 0))) static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
  char text[MHD_LOG_MAX];
  char quoted[MHD_LOG_MAX * 4 + 3];
  size_t len;

  (void)cls;
  vsnprintf(text, sizeof(text), fmt, ap);
  len = strlen(text);
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r')) {
    text[--len] = '\0';
  }
  RPC_LOG(RPC_LOG_DEBUG, "gw", "mhd", "message=%s",
          rpc_log_quote(text, quoted, sizeof(quoted)));
}

/* The address actually bound: with port 0 the kernel chose the port. */
static void describe_bound(struct gw_server *s)
{
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_LISTEN_FD);

  if (info != NULL) {
    rpc_address_bound(info->listen_fd, s->address, sizeof(s->address));
  }
}

static int start_daemon(struct gw_server *s, const struct gw_config *cfg,
                        const struct sockaddr_storage *ss)
{
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                   MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  unsigned conns = cfg->max_connections != 0 ? cfg->max_connections
                                             : GW_DEFAULT_MAX_CONNECTIONS;
  size_t memory = cfg->connection_memory_bytes != 0
                      ? cfg->connection_memory_bytes
                      : GW_DEFAULT_CONNECTION_MEMORY;

  if (ss->ss_family == AF_INET6) {
    flags |= MHD_USE_IPv6;
  }
  s->daemon = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
      (const struct sockaddr *)ss, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
      MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_s,
      MHD_OPTION_CONNECTION_LIMIT, conns, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      memory, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
      MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s, MHD_OPTION_END);
  return s->daemon != NULL ? 0 : -1;
}

int gw_server_new(struct rpc_service *svc, const struct gw_config *cfg,
                  struct gw_server **out, char *err)
{
  struct gw_server *s = calloc(1, sizeof(*s));
  struct sockaddr_storage ss;
  socklen_t len = 0;

  if (s == NULL) {
    snprintf(err, RPC_MESSAGE_MAX, "out of memory");
    return GW_ERR_NOMEM;
  }
  s->svc = svc;
  s->quiesced_fd = MHD_INVALID_SOCKET;
  rpc_service_call_limits(svc, &s->limits);
  s->max_upload_bytes = cfg->max_upload_bytes;
  pthread_mutex_init(&s->lock, NULL);
  memset(&ss, 0, sizeof(ss));
  if (rpc_address_listen(cfg->address, &ss, &len) != 0) {
    snprintf(err, RPC_MESSAGE_MAX, "bad HTTP address '%s' (want HOST:PORT)",
             cfg->address);
    gw_server_free(s);
    return GW_ERR_ADDRESS;
  }
  if (start_daemon(s, cfg, &ss) != 0) {
    snprintf(err, RPC_MESSAGE_MAX,
             "cannot listen on %s (address in use or not local?)",
             cfg->address);
    gw_server_free(s);
    return GW_ERR_LISTEN;
  }
  describe_bound(s);
  *out = s;
  return 0;
}

const char *gw_server_address(const struct gw_server *s)
{
  return s->address;
}

void gw_server_shutdown(struct gw_server *s)
{
  gw__lock(s);
  if (s->shutting_down || s->stopped) {
    gw__unlock(s);
    return;
  }
  s->shutting_down = 1;
  gw__unlock(s);
  s->quiesced_fd = MHD_quiesce_daemon(s->daemon);
  /*
   * MHD's thread may still hold the socket, so it is closed only after
   * the daemon stops; shutting it down now makes new clients get a
   * refusal at once (Linux) instead of waiting in the backlog.
   */
  if (s->quiesced_fd != MHD_INVALID_SOCKET) {
    shutdown(s->quiesced_fd, SHUT_RDWR);
  }
}

void gw_server_cancel_all(struct gw_server *s)
{
  gw__lock(s);
  for (struct gw_request *r = s->active; r != NULL; r = r->next) {
    rpc_call_cancel(r->call, RPC_UNAVAILABLE, "the server is shutting down");
    /* A cancellation wakes nobody: resume the connection ourselves. */
    if (r->suspended) {
      r->suspended = 0;
      MHD_resume_connection(r->conn);
    }
  }
  gw__unlock(s);
}

size_t gw_server_requests(struct gw_server *s)
{
  size_t n;

  gw__lock(s);
  n = s->active_len;
  gw__unlock(s);
  return n;
}

void gw_server_stop(struct gw_server *s)
{
  if (s == NULL) {
    return;
  }
  gw__lock(s);
  if (s->stopped) {
    gw__unlock(s);
    return;
  }
  s->stopped = 1;
  gw__unlock(s);
  if (s->daemon != NULL) {
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
  }
  if (s->quiesced_fd != MHD_INVALID_SOCKET) {
    close(s->quiesced_fd);
    s->quiesced_fd = MHD_INVALID_SOCKET;
  }
}

void gw_server_free(struct gw_server *s)
{
  if (s == NULL) {
    return;
  }
  gw_server_stop(s);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

const char *gw_strerror(int code)
{
  switch (code) {
  case 0:
    return "success";
  case GW_ERR_NOMEM:
    return "out of memory";
  case GW_ERR_ADDRESS:
    return "bad listen address";
  case GW_ERR_LISTEN:
    return "cannot listen";
  default:
    return "unknown error";
  }
}
