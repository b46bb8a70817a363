/* SPDX-License-Identifier: MIT */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include "rpc/clock.h"

#define REDRAW_SECONDS 0.25

void cli_progress_init(struct cli_progress *p, const char *name)
{
  p->name = name;
  p->enabled = isatty(STDERR_FILENO);
  p->started = rpc_clock_seconds();
  p->last_shown = p->started;
  p->shown = 0;
}

int cli_progress_update(void *ctx, uint64_t bytes, const struct fe_counters *c)
{
  struct cli_progress *p = ctx;
  double now;
  double elapsed;

  if (!p->enabled) {
    return 0;
  }
  now = rpc_clock_seconds();
  if (now - p->last_shown < REDRAW_SECONDS) {
    return 0;
  }
  p->last_shown = now;
  elapsed = now - p->started;
  fprintf(stderr,
          "\r%s: %.1f MB, %.2f M packets, %llu flows, %.2f M packets/s  ",
          p->name, (double)bytes / 1e6, (double)c->packets_read / 1e6,
          (unsigned long long)c->flows_written,
          elapsed > 0 ? (double)c->packets_read / elapsed / 1e6 : 0.0);
  p->shown = 1;
  return 0;
}

void cli_progress_done(struct cli_progress *p)
{
  if (p->shown) {
    fprintf(stderr, "\r\033[K");
    p->shown = 0;
  }
}
