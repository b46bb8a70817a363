/* SPDX-License-Identifier: MIT */
#include "summary.h"

#include <stdarg.h>
#include <stdio.h>

#define LINE_BYTES 2048

/* One line, built whole so that it reaches stderr in one write. */
struct line {
  char buf[LINE_BYTES];
  size_t len;
};

__attribute__((format(printf, 2, 3))) static void put(struct line *l,
                                                      const char *fmt, ...)
{
  va_list ap;
  int n;

  if (l->len >= sizeof(l->buf)) {
    return;
  }
  va_start(ap, fmt);
  n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
  va_end(ap);
  if (n > 0) {
    l->len += (size_t)n;
  }
}

static void flush_line(struct line *l)
{
  if (l->len >= sizeof(l->buf)) {
    l->len = sizeof(l->buf) - 2;
    l->buf[l->len] = '\0';
  }
  put(l, "\n");
  fputs(l->buf, stderr);
}

static unsigned long long ignored_total(const struct fe_counters *c)
{
  unsigned long long n = 0;

  for (int r = 0; r < FE_IGNORE_REASONS; r++) {
    n += c->packets_ignored[r];
  }
  return n;
}

void cli_print_summary(const char *name, const struct fe_counters *c,
                       const char *dest)
{
  struct line l = {.len = 0};

  put(&l, "%s: %llu packets read, %llu used, %llu ignored (", name,
      (unsigned long long)c->packets_read, (unsigned long long)c->packets_used,
      ignored_total(c));
  for (int r = 0; r < FE_IGNORE_REASONS; r++) {
    put(&l, "%s%s %llu", r > 0 ? ", " : "",
        fe_ignore_reason_name((enum fe_ignore_reason)r),
        (unsigned long long)c->packets_ignored[r]);
  }
  put(&l,
      "), %llu out of order; %llu flows written to %s, %llu dropped "
      "under the minimum packets (%llu packets)",
      (unsigned long long)c->packets_out_of_order,
      (unsigned long long)c->flows_written, dest,
      (unsigned long long)c->flows_dropped_single,
      (unsigned long long)c->packets_in_dropped);
  flush_line(&l);
}

void cli_print_stats(const char *name, const struct fe_counters *c,
                     double seconds)
{
  struct line l = {.len = 0};

  put(&l, "stats input=%s packets_read=%llu packets_used=%llu", name,
      (unsigned long long)c->packets_read, (unsigned long long)c->packets_used);
  for (int r = 0; r < FE_IGNORE_REASONS; r++) {
    put(&l, " ignored_%s=%llu", fe_ignore_reason_name((enum fe_ignore_reason)r),
        (unsigned long long)c->packets_ignored[r]);
  }
  put(&l,
      " packets_out_of_order=%llu flows_written=%llu "
      "flows_dropped_single=%llu packets_in_dropped_flows=%llu "
      "flows_cut_at_limit=%llu packets_late=%llu peak_open_flows=%llu "
      "flow_state_bytes=%llu seconds=%.3f",
      (unsigned long long)c->packets_out_of_order,
      (unsigned long long)c->flows_written,
      (unsigned long long)c->flows_dropped_single,
      (unsigned long long)c->packets_in_dropped,
      (unsigned long long)c->flows_cut_at_limit,
      (unsigned long long)c->packets_late,
      (unsigned long long)c->peak_open_flows,
      (unsigned long long)c->flow_state_bytes, seconds);
  flush_line(&l);
}
