/* SPDX-License-Identifier: MIT */
/* The read loop shared by the command line and the service. */
#include "flowengine/pump.h"

#include <stdio.h>

static int report(fe_progress_cb progress, void *ctx,
                  const struct fe_capture *c, const struct fe_meter *m)
{
  if (progress == NULL) {
    return 0;
  }
  return progress(ctx, fe_capture_bytes_read(c), fe_meter_counters(m));
}

int fe_pump_run(struct fe_capture *c, struct fe_meter *m,
                fe_progress_cb progress, void *ctx, char *errbuf)
{
  struct fe_frame frame;
  uint64_t until_report = FE_PUMP_PROGRESS_PACKETS;
  int status = 0;
  int rc;

  errbuf[0] = '\0';
  while ((rc = fe_capture_next(c, &frame)) == 1) {
    rc = fe_meter_add_frame(m, &frame);
    if (rc != 0) {
      return rc;
    }
    if (--until_report == 0) {
      until_report = FE_PUMP_PROGRESS_PACKETS;
      if (report(progress, ctx, c, m) != 0) {
        return FE_ERR_STOPPED;
      }
    }
  }
  if (rc == FE_ERR_DAMAGED) {
    /* Everything read before the damage still becomes rows. */
    snprintf(errbuf, FE_CAPTURE_ERR_MAX, "%s", fe_capture_error(c));
    status = FE_ERR_DAMAGED;
  }
  rc = fe_meter_finish(m);
  if (rc != 0) {
    return rc;
  }
  if (report(progress, ctx, c, m) != 0) {
    return FE_ERR_STOPPED;
  }
  return status;
}
