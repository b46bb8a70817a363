/* SPDX-License-Identifier: MIT */
/* A one-line progress display on standard error, for terminals only. */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include <stdint.h>

#include "flowengine/meter.h"

struct cli_progress {
  const char *name;
  int enabled;       /* stderr is a terminal */
  double started;    /* monotonic seconds */
  double last_shown; /* monotonic seconds */
  int shown;         /* a line is on screen and needs clearing */
};

void cli_progress_init(struct cli_progress *p, const char *name);

/* Matches fe_progress_cb; redraws at most a few times a second. */
int cli_progress_update(void *ctx, uint64_t bytes, const struct fe_counters *c);

/* Clears the line so that the next message starts clean. */
void cli_progress_done(struct cli_progress *p);

#endif /* CLI_PROGRESS_H */
