/* SPDX-License-Identifier: MIT */
/* The service object: configuration, worker pool, health answers. */
#include <stdlib.h>
#include <string.h>

#include "rpc/worker_pool.h"

#include "grpc/health/v1/health.pb-c.h"
#include "rpc_int.h"

#define INPUT_QUEUE_BYTES (2 * 1024 * 1024)
#define OUTPUT_QUEUE_BYTES (1024 * 1024)

struct process_job {
  struct rpc_service *svc;
  struct rpc_call *call;
};

struct rpc_service *rpc_service_new(const struct rpc_service_config *cfg)
{
  struct rpc_service *s = calloc(1, sizeof(*s));

  if (s == NULL) {
    return NULL;
  }
  s->cfg = *cfg;
  snprintf(s->tmp_dir, sizeof(s->tmp_dir), "%s", cfg->tmp_dir);
  s->cfg.tmp_dir = s->tmp_dir;
  s->pool = rpc_worker_pool_new(cfg->workers, cfg->queue_length);
  if (s->pool == NULL) {
    free(s);
    return NULL;
  }
  return s;
}

void rpc_service_call_limits(const struct rpc_service *s,
                             struct rpc_call_limits *limits)
{
  limits->input_queue_bytes = INPUT_QUEUE_BYTES;
  limits->output_queue_bytes = OUTPUT_QUEUE_BYTES;
  /* The handler enforces the upload limit on capture bytes. */
  (void)s;
  limits->max_input_bytes = 0;
}

static void run_process_job(void *arg)
{
  struct process_job *job = arg;

  rpc__process_pcap(job->svc, job->call);
  free(job);
}

int rpc_service_start_process_pcap(struct rpc_service *s, struct rpc_call *call)
{
  struct process_job *job = malloc(sizeof(*job));
  int rc;

  if (job == NULL) {
    return RPC_ERR_NOMEM;
  }
  job->svc = s;
  job->call = call;
  rpc_call_ref(call);
  rc = rpc_worker_pool_submit(s->pool, run_process_job, job);
  if (rc != 0) {
    rpc_call_unref(call);
    free(job);
  }
  return rc;
}

enum rpc_code rpc_service_health_check(const uint8_t *req, size_t len,
                                       uint8_t **out, size_t *out_len)
{
  Grpc__Health__V1__HealthCheckRequest *in =
      grpc__health__v1__health_check_request__unpack(NULL, len, req);
  Grpc__Health__V1__HealthCheckResponse resp =
      GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
  int known;

  if (in == NULL) {
    return RPC_INTERNAL;
  }
  known = in->service[0] == '\0' || strcmp(in->service, RPC_SERVICE_NAME) == 0;
  grpc__health__v1__health_check_request__free_unpacked(in, NULL);
  if (!known) {
    return RPC_NOT_FOUND;
  }
  resp.status =
      GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
  *out_len = grpc__health__v1__health_check_response__get_packed_size(&resp);
  *out = malloc(*out_len > 0 ? *out_len : 1);
  if (*out == NULL) {
    return RPC_INTERNAL;
  }
  grpc__health__v1__health_check_response__pack(&resp, *out);
  return RPC_OK;
}

void rpc_service_load(struct rpc_service *s, size_t *running, size_t *waiting)
{
  rpc_worker_pool_load(s->pool, running, waiting);
}

void rpc_service_free(struct rpc_service *s)
{
  if (s == NULL) {
    return;
  }
  rpc_worker_pool_free(s->pool);
  free(s);
}
