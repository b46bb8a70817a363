/* SPDX-License-Identifier: MIT */
/* Lock-free counters and their rendering as a Prometheus text page. */
#include "rpc/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define CODES 17 /* gRPC status codes 0..16 */
#define TRANSPORTS 2
#define PAGE_BYTES 16384

static const double bucket_bounds[] = {0.01, 0.05, 0.1, 0.5, 1,
                                       5,    10,   30,  60,  300};
#define BUCKETS (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))

static atomic_ullong calls[TRANSPORTS][CODES];
static atomic_ullong duration_buckets[TRANSPORTS][BUCKETS];
static atomic_ullong duration_count[TRANSPORTS];
static atomic_ullong duration_micros[TRANSPORTS];
static atomic_ullong bytes_total;
static atomic_ullong packets_total;
static atomic_ullong flows_total;

static const char *const transport_names[TRANSPORTS] = {"grpc", "rest"};

void rpc_metrics_call_end(enum rpc_transport transport, enum rpc_code code,
                          double seconds)
{
  unsigned t = transport == RPC_TRANSPORT_REST ? 1 : 0;
  unsigned c = (unsigned)code < CODES ? (unsigned)code : RPC_UNKNOWN;

  atomic_fetch_add(&calls[t][c], 1);
  for (size_t i = 0; i < BUCKETS; i++) {
    if (seconds <= bucket_bounds[i]) {
      atomic_fetch_add(&duration_buckets[t][i], 1);
    }
  }
  atomic_fetch_add(&duration_count[t], 1);
  atomic_fetch_add(&duration_micros[t],
                   (unsigned long long)(seconds > 0 ? seconds * 1e6 : 0));
}

void rpc_metrics_processed(uint64_t bytes, uint64_t packets, uint64_t flows)
{
  atomic_fetch_add(&bytes_total, bytes);
  atomic_fetch_add(&packets_total, packets);
  atomic_fetch_add(&flows_total, flows);
}

struct page {
  char *buf;
  size_t len;
};

__attribute__((format(printf, 2, 3))) static void put(struct page *p,
                                                      const char *fmt, ...)
{
  va_list ap;
  int n;

  if (p->len >= PAGE_BYTES) {
    return;
  }
  va_start(ap, fmt);
  n = vsnprintf(p->buf + p->len, PAGE_BYTES - p->len, fmt, ap);
  va_end(ap);
  if (n > 0) {
    p->len += (size_t)n;
  }
}

static void put_calls(struct page *p)
{
  put(p, "# HELP cicflow_calls_total Calls ended, by transport and gRPC "
         "status.\n# TYPE cicflow_calls_total counter\n");
  for (unsigned t = 0; t < TRANSPORTS; t++) {
    for (unsigned c = 0; c < CODES; c++) {
      unsigned long long n = atomic_load(&calls[t][c]);

      if (n > 0 || c == RPC_OK) {
        put(p, "cicflow_calls_total{transport=\"%s\",status=\"%s\"} %llu\n",
            transport_names[t], rpc_code_name((enum rpc_code)c), n);
      }
    }
  }
}

static void put_durations(struct page *p)
{
  put(p, "# HELP cicflow_call_duration_seconds Call duration.\n"
         "# TYPE cicflow_call_duration_seconds histogram\n");
  for (unsigned t = 0; t < TRANSPORTS; t++) {
    const char *name = transport_names[t];

    for (size_t i = 0; i < BUCKETS; i++) {
      put(p,
          "cicflow_call_duration_seconds_bucket{transport=\"%s\","
          "le=\"%g\"} %llu\n",
          name, bucket_bounds[i], atomic_load(&duration_buckets[t][i]));
    }
    put(p,
        "cicflow_call_duration_seconds_bucket{transport=\"%s\",le=\"+Inf\"}"
        " %llu\n",
        name, atomic_load(&duration_count[t]));
    put(p, "cicflow_call_duration_seconds_sum{transport=\"%s\"} %.6f\n", name,
        (double)atomic_load(&duration_micros[t]) / 1e6);
    put(p, "cicflow_call_duration_seconds_count{transport=\"%s\"} %llu\n", name,
        atomic_load(&duration_count[t]));
  }
}

static void put_counter(struct page *p, const char *name, const char *help,
                        unsigned long long value)
{
  put(p, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
      value);
}

char *rpc_metrics_render(struct rpc_service *svc)
{
  struct page p = {malloc(PAGE_BYTES), 0};
  size_t running = 0;
  size_t waiting = 0;

  if (p.buf == NULL) {
    return NULL;
  }
  p.buf[0] = '\0';
  put_calls(&p);
  put_durations(&p);
  put_counter(&p, "cicflow_bytes_total", "Capture bytes processed.",
              atomic_load(&bytes_total));
  put_counter(&p, "cicflow_packets_total", "Packets processed.",
              atomic_load(&packets_total));
  put_counter(&p, "cicflow_flows_total", "Flows written.",
              atomic_load(&flows_total));
  rpc_service_load(svc, &running, &waiting);
  put(&p,
      "# HELP cicflow_calls_running Calls being processed.\n"
      "# TYPE cicflow_calls_running gauge\ncicflow_calls_running %zu\n",
      running);
  put(&p,
      "# HELP cicflow_calls_waiting Calls waiting for a worker.\n"
      "# TYPE cicflow_calls_waiting gauge\ncicflow_calls_waiting %zu\n",
      waiting);
  return p.buf;
}
