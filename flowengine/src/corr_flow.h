/* SPDX-License-Identifier: MIT */
/*
 * Per-flow state of the corrected profile and its per-packet update.
 * Every statistic sees each packet once, in arrival order; gaps are taken
 * from the latest timestamp seen before the packet, so a packet stamped
 * in the past adds a gap of 0 instead of a negative one.
 */
#ifndef FLOWENGINE_CORR_FLOW_H
#define FLOWENGINE_CORR_FLOW_H

#include <stdint.h>

#include "fe_int.h"

/* Runs of payload packets of one direction, see corr_flow.c. */
struct fe__corr_bulk {
  int64_t run_start; /* first and latest packet of the current run */
  int64_t run_last;
  int64_t run_bytes;
  int64_t run_pkts; /* 0: no run */
  int64_t bulks;    /* runs of at least four packets, closed */
  int64_t pkts;
  int64_t bytes;
  int64_t dur; /* microseconds, first to last packet of each bulk */
};

/* One direction's packets. */
struct fe__corr_dir {
  uint64_t n;
  struct fe__len_stats len; /* payload bytes */
  struct fe__gap_stats iat;
  int64_t last; /* latest timestamp of the direction */
  int64_t header;
  uint64_t act_data; /* packets with payload */
  uint32_t psh;
  uint32_t urg;
  uint32_t rst;
  uint16_t init_win;
  uint8_t min_header;
  uint8_t fin_seen;  /* sent a FIN, whose end is fin_end */
  uint8_t fin_acked; /* the other side acknowledged that FIN */
  uint32_t fin_end;  /* sequence number the FIN's acknowledgement reaches */
  struct fe__corr_bulk bulk;
};

enum fe__corr_dir_index { FE__FWD = 0, FE__BWD = 1 };

struct fe__corr_flow {
  struct fe__entry entry; /* tuple in the initiator's orientation */
  uint32_t closing_older; /* list of closed TCP flows in their grace */
  uint32_t closing_newer;
  uint8_t closed;     /* 0, or FE_END_FIN / FE_END_RST + 1 */
  uint8_t in_closing; /* linked in the closing list */
  uint8_t from_syn;   /* the first packet had SYN: a handshake was seen */
  int16_t icmp_type;
  int16_t icmp_code;
  int64_t start;     /* first packet's timestamp */
  int64_t last;      /* latest timestamp of the flow */
  int64_t closed_at; /* latest timestamp of the flow when it closed */
  int64_t start_active;
  int64_t end_active;
  uint64_t subflow_gaps; /* gaps over 1 s */
  uint32_t flag_counts[8];
  struct fe__moments all_len; /* every payload once */
  struct fe__moments iat;
  double iat_min;
  double iat_max;
  struct fe__stats active;
  struct fe__stats idle;
  struct fe__corr_dir dir[2];
};

/*
 * fe__corr_flow_start: a new flow whose first packet is p; backward says
 * p travels against the initiator (a SYN+ACK, or a continuation).
 */
void fe__corr_flow_start(struct fe__corr_flow *f, const struct fe__packet *p,
                         int backward);

/* fe__corr_flow_add: p joins f; threshold is the activity timeout. */
void fe__corr_flow_add(struct fe__corr_flow *f, const struct fe__packet *p,
                       int backward, int64_t threshold);

/* fe__corr_flow_packets: packets in f so far. */
static inline uint64_t fe__corr_flow_packets(const struct fe__corr_flow *f)
{
  return f->dir[FE__FWD].n + f->dir[FE__BWD].n;
}

/* fe__corr_flow_backward: whether p travels against f's initiator. */
int fe__corr_flow_backward(const struct fe__corr_flow *f,
                           const struct fe__packet *p);

/*
 * Formats f's row; reason is why it ended, label and tz the options.
 */
void fe__corr_flow_row(const struct fe__corr_flow *f, enum fe_end_reason reason,
                       const struct fe__tz *tz, const char *label,
                       struct fe_row *row);

#endif /* FLOWENGINE_CORR_FLOW_H */
