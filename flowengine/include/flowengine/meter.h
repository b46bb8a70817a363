/* SPDX-License-Identifier: MIT */
/*
 * The flow meter: frames in, finished flows out. It groups frames into
 * bidirectional flows, keeps a small fixed state per open flow (packets
 * are never stored) and hands each flow to a callback as soon as its row
 * can no longer change. It knows nothing of files or networks: the caller
 * feeds it frames, usually from fe_capture.
 *
 * A meter is not thread-safe; use one per input.
 */
#ifndef FLOWENGINE_METER_H
#define FLOWENGINE_METER_H

#include <stddef.h>
#include <stdint.h>

#include "flowengine/errors.h"
#include "flowengine/row.h"

enum fe_profile {
  FE_PROFILE_CIC = 0,      /* CICFlowMeter master acaf8be, quirks included */
  FE_PROFILE_CORRECTED = 1 /* same columns, values that mean their names */
};

struct fe_options {
  enum fe_profile profile;
  /*
   * Active timeout: a flow ends when its next packet comes more than this
   * after its first one (CICFlowMeter's "flow timeout"). Default 120 s.
   */
  int64_t flow_timeout_us;
  int64_t activity_timeout_us; /* Active/Idle threshold, default 5 s */
  /* corrected only; 0 means the default, refused for cic. */
  int64_t idle_timeout_us;   /* a silent flow ends, default 120 s */
  int64_t teardown_grace_us; /* closed TCP flows wait this, default 2 s */
  /*
   * Flows of fewer packets are not written (counted instead); 0 means the
   * profile's rule: 2 for cic, as CICFlowMeter, 1 for corrected.
   */
  uint64_t min_packets;
  const char *label;       /* Label column; copied; default "No Label" */
  const char *time_zone;   /* Timestamp zone; copied; default "UTC" */
  size_t max_flows;        /* open flows held at once */
  size_t max_expired_keys; /* keys of expired flows remembered */
  /*
   * How far a packet's timestamp may lag the newest one seen before the
   * meter stops waiting for it: a flow is written once the capture clock
   * is this much past its timeout. Captures reordered by more than this
   * can differ from CICFlowMeter; such packets are counted as late.
   */
  int64_t reorder_slack_us;
};

/*
 * Why a frame did not become part of a flow. The cic profile only knows
 * the first two; it reads every frame as Ethernet, as CICFlowMeter does.
 */
enum fe_ignore_reason {
  FE_IGNORE_NO_IPV4 = 0,   /* cic: no IPv4 header where CICFlowMeter looks */
  FE_IGNORE_MALFORMED = 1, /* an IP or transport header that is invalid */
  FE_IGNORE_LINK_TYPE = 2, /* corrected: a link type it cannot read */
  FE_IGNORE_NOT_IP = 3,    /* corrected: neither IPv4 nor IPv6 (ARP, ...) */
  FE_IGNORE_FRAGMENT = 4,  /* corrected: a fragment after the first */
  FE_IGNORE_TRUNCATED = 5, /* corrected: headers cut by the snap length */
  FE_IGNORE_REASONS = 6
};

struct fe_counters {
  uint64_t packets_read;
  uint64_t packets_used;
  uint64_t packets_ignored[FE_IGNORE_REASONS];
  uint64_t flows_written;
  uint64_t flows_dropped_single; /* flows under min_packets, not written */
  uint64_t packets_in_dropped;   /* packets of those flows */
  /*
   * Packets stamped earlier than the latest packet before them. They are
   * used: corrected counts their gap as 0, cic as CICFlowMeter does.
   */
  uint64_t packets_out_of_order;
  uint64_t flows_cut_at_limit; /* written early: table was full */
  uint64_t packets_late;       /* reordered beyond reorder_slack_us */
  uint64_t expired_keys_forgotten;
  uint64_t open_flows;
  uint64_t peak_open_flows;
  uint64_t flow_state_bytes; /* state kept per open flow by this profile */
};

/* One captured frame as it came from the capture. */
struct fe_frame {
  int64_t ts_us;       /* microseconds since the epoch */
  const uint8_t *data; /* caplen bytes, borrowed for the call */
  uint32_t caplen;     /* bytes captured */
  uint32_t wirelen;    /* bytes on the wire */
  int link_type;       /* DLT_ value; only the corrected profile reads it */
};

/*
 * fe_row_cb: receives each finished flow. The row is only valid during
 * the call. Return 0 to go on, non-zero to stop the meter (the call that
 * fed it then returns FE_ERR_STOPPED).
 */
typedef int (*fe_row_cb)(void *ctx, const struct fe_row *row);

struct fe_meter;

/* fe_options_init: fills o with the defaults. */
void fe_options_init(struct fe_options *o);

/*
 * fe_options_check: 0 if o is usable, else FE_ERR_INVALID with a sentence
 * naming the bad option and its limits in why (why_size bytes).
 */
FE_MUST_CHECK int fe_options_check(const struct fe_options *o, char *why,
                                   size_t why_size);

/*
 * fe_meter_new: creates a meter. Returns FE_ERR_INVALID for an option out
 * of range (an unknown time zone, a label with a comma or newline, a
 * timeout <= 0), FE_ERR_NOMEM. cb and ctx are borrowed for the meter's
 * lifetime.
 */
FE_MUST_CHECK int fe_meter_new(const struct fe_options *opts, fe_row_cb cb,
                               void *ctx, struct fe_meter **out);

/*
 * fe_meter_add_frame: feeds one frame. Flows it finishes, and flows the
 * advancing clock finishes, are passed to the callback before it returns.
 * Returns FE_ERR_STOPPED if the callback asked to stop.
 */
FE_MUST_CHECK int fe_meter_add_frame(struct fe_meter *m,
                                     const struct fe_frame *frame);

/*
 * fe_meter_finish: end of input; writes every flow still open, in the
 * order they started (cic) or of their last packet (corrected). The
 * meter accepts no frame afterwards.
 */
FE_MUST_CHECK int fe_meter_finish(struct fe_meter *m);

/* fe_meter_counters: what happened so far; valid until fe_meter_free. */
const struct fe_counters *fe_meter_counters(const struct fe_meter *m);

/* fe_ignore_reason_name: a short snake_case name of a reason. */
const char *fe_ignore_reason_name(enum fe_ignore_reason r);

/* fe_meter_free: frees m; a NULL m is ignored. */
void fe_meter_free(struct fe_meter *m);

#endif /* FLOWENGINE_METER_H */
