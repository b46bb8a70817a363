/* SPDX-License-Identifier: MIT */
/*
 * Drives a meter from a capture: the read loop that the command line and
 * the service share, with progress reports, cancellation and the rule
 * that a capture damaged part-way still yields every flow read before the
 * damage.
 */
#ifndef FLOWENGINE_PUMP_H
#define FLOWENGINE_PUMP_H

#include <stdint.h>

#include "flowengine/capture.h"
#include "flowengine/errors.h"
#include "flowengine/meter.h"

/*
 * fe_progress_cb: called every FE_PUMP_PROGRESS_PACKETS frames and once at
 * the end, with the bytes consumed so far. Return non-zero to cancel.
 */
typedef int (*fe_progress_cb)(void *ctx, uint64_t bytes_read,
                              const struct fe_counters *counters);

#define FE_PUMP_PROGRESS_PACKETS 65536

/*
 * fe_pump_run: feeds every frame of c to m, then finishes m. Returns 0
 * when the capture ended cleanly; FE_ERR_DAMAGED when it ended in damage
 * (the flows before it were still written; the message, with packet
 * number and byte offset, is in errbuf of FE_CAPTURE_ERR_MAX bytes);
 * FE_ERR_STOPPED when a callback stopped it (m is not finished then);
 * FE_ERR_NOMEM or FE_ERR_LIMIT from the meter.
 */
FE_MUST_CHECK int fe_pump_run(struct fe_capture *c, struct fe_meter *m,
                              fe_progress_cb progress, void *ctx, char *errbuf);

#endif /* FLOWENGINE_PUMP_H */
