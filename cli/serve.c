/* SPDX-License-Identifier: MIT */
/*
 * cicflow serve: the service process. It wires the service (workers and
 * handler) to its transports on one event loop and shuts down gracefully
 * on SIGTERM or SIGINT: no new calls, running calls get the grace period,
 * then the rest end with UNAVAILABLE.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "gateway/server.h"
#include "rpc/grpc_server.h"
#include "rpc/log.h"
#include "rpc/service.h"

#include "rpc/clock.h"

#include "cli.h"
#include "progress.h"
#include "serve_config.h"

#define DRAIN_CHECK_MS 100
#define CANCEL_WAIT_SECONDS 5.0

struct server_state {
  struct serve_config cfg;
  struct event_base *base;
  struct rpc_service *svc;
  struct rpc_grpc_server *grpc;
  struct gw_server *gw;
  struct event *drain_timer;
  double stop_requested; /* monotonic seconds, 0 while running */
  int cancelled;
};

static int calls_left(struct server_state *s)
{
  size_t running = 0;
  size_t waiting = 0;

  rpc_service_load(s->svc, &running, &waiting);
  return rpc_grpc_server_streams(s->grpc) > 0 ||
         gw_server_requests(s->gw) > 0 || running + waiting > 0;
}

static void on_drain_tick(evutil_socket_t fd, short what, void *arg)
{
  struct server_state *s = arg;
  double waited = rpc_clock_seconds() - s->stop_requested;

  (void)fd;
  (void)what;
  if (!calls_left(s)) {
    event_base_loopexit(s->base, NULL);
    return;
  }
  if (!s->cancelled && waited >= (double)s->cfg.grace_period_s) {
    RPC_LOG(RPC_LOG_WARN, "serve", "grace_period_over", "seconds=%llu",
            (unsigned long long)s->cfg.grace_period_s);
    rpc_grpc_server_cancel_all(s->grpc);
    gw_server_cancel_all(s->gw);
    s->cancelled = 1;
  }
  if (waited >= (double)s->cfg.grace_period_s + CANCEL_WAIT_SECONDS) {
    event_base_loopexit(s->base, NULL);
  }
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
  struct server_state *s = arg;
  struct timeval tick = {0, DRAIN_CHECK_MS * 1000};

  (void)what;
  if (s->stop_requested > 0) {
    s->cfg.grace_period_s = 0; /* a second signal: stop now */
    return;
  }
  RPC_LOG(RPC_LOG_INFO, "serve", "shutdown", "signal=%d grace_seconds=%llu",
          (int)sig, (unsigned long long)s->cfg.grace_period_s);
  s->stop_requested = rpc_clock_seconds();
  rpc_grpc_server_shutdown(s->grpc);
  gw_server_shutdown(s->gw);
  s->drain_timer = event_new(s->base, -1, EV_PERSIST, on_drain_tick, s);
  if (s->drain_timer == NULL || event_add(s->drain_timer, &tick) != 0) {
    event_base_loopexit(s->base, NULL);
  }
}

static int start_gateway(struct server_state *s)
{
  struct gw_config gw = {s->cfg.http_address, (unsigned)s->cfg.idle_timeout_s,
                         0, 0, s->cfg.max_upload_bytes};
  char err[RPC_MESSAGE_MAX];

  if (gw_server_new(s->svc, &gw, &s->gw, err) != 0) {
    RPC_LOG(RPC_LOG_ERROR, "serve", "listen_failed",
            "transport=http error=\"%s\"", err);
    return -1;
  }
  RPC_LOG(RPC_LOG_INFO, "serve", "listening", "transport=http address=%s",
          gw_server_address(s->gw));
  return 0;
}

static int start_transports(struct server_state *s)
{
  struct rpc_grpc_config grpc = {s->cfg.grpc_address,
                                 (unsigned)s->cfg.idle_timeout_s};
  char err[RPC_MESSAGE_MAX];

  if (rpc_grpc_server_new(s->base, s->svc, &grpc, &s->grpc, err) != 0) {
    RPC_LOG(RPC_LOG_ERROR, "serve", "listen_failed",
            "transport=grpc "
            "error=\"%s\"",
            err);
    return -1;
  }
  RPC_LOG(RPC_LOG_INFO, "serve", "listening", "transport=grpc address=%s",
          rpc_grpc_server_address(s->grpc));
  return start_gateway(s);
}

static int start_service(struct server_state *s)
{
  struct rpc_service_config sc = {.workers = (size_t)s->cfg.workers,
                                  .queue_length = (size_t)s->cfg.queue_length,
                                  .max_upload_bytes = s->cfg.max_upload_bytes,
                                  .max_flows_per_call =
                                      s->cfg.max_flows_per_call,
                                  .max_open_flows = s->cfg.max_open_flows,
                                  .tmp_dir = s->cfg.tmp_dir};

  s->svc = rpc_service_new(&sc);
  if (s->svc == NULL) {
    RPC_LOG(RPC_LOG_ERROR, "serve", "start_failed", "what=workers");
    return -1;
  }
  RPC_LOG(RPC_LOG_INFO, "serve", "started",
          "workers=%llu queue=%llu "
          "tmp_dir=%s",
          (unsigned long long)s->cfg.workers,
          (unsigned long long)s->cfg.queue_length, s->cfg.tmp_dir);
  return 0;
}

static int run(struct server_state *s)
{
  struct event *term = evsignal_new(s->base, SIGTERM, on_signal, s);
  struct event *intr = evsignal_new(s->base, SIGINT, on_signal, s);
  int rc = -1;

  if (term != NULL && intr != NULL && event_add(term, NULL) == 0 &&
      event_add(intr, NULL) == 0) {
    rc = event_base_dispatch(s->base) < 0 ? -1 : 0;
  }
  if (term != NULL) {
    event_free(term);
  }
  if (intr != NULL) {
    event_free(intr);
  }
  return rc;
}

int cli_serve_main(int argc, char **argv)
{
  struct server_state s;
  int rc;

  memset(&s, 0, sizeof(s));
  rc = serve_config_load(&s.cfg, argc, argv);
  if (rc != 0) {
    return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  }
  rpc_log_threshold = (enum rpc_log_level)rpc_log_parse_level(s.cfg.log_level);
  signal(SIGPIPE, SIG_IGN);
  s.base = event_base_new();
  rc = s.base != NULL && start_service(&s) == 0 && start_transports(&s) == 0 &&
               run(&s) == 0
           ? CLI_EXIT_OK
           : CLI_EXIT_FAILURE;
  /* The gateway stops before the workers end, and its memory goes after
   * them: until then a worker may still be waking it. */
  gw_server_stop(s.gw);
  rpc_grpc_server_free(s.grpc);
  rpc_service_free(s.svc);
  gw_server_free(s.gw);
  if (s.drain_timer != NULL) {
    event_free(s.drain_timer);
  }
  if (s.base != NULL) {
    event_base_free(s.base);
  }
  RPC_LOG(RPC_LOG_INFO, "serve", "stopped", "status=%d", rc);
  return rc;
}
