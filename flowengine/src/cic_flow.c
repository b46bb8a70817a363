/* SPDX-License-Identifier: MIT */
/*
 * Per-flow state of the cic profile: the updates CICFlowMeter's BasicFlow
 * makes for each packet, in the same order and with the same arithmetic,
 * because several features depend on both (the subflow test subtracts
 * seconds from microseconds; active/idle is fed inter-arrival times as if
 * they were timestamps; the bulk counter sees both directions).
 */
#include "fe_int.h"

#include <string.h>

/* The subflow update calls active/idle with this fixed threshold. */
#define SUBFLOW_ACTIVITY_US 5000000

void fe__cic_flow_active_idle(struct fe__cic_flow *f, int64_t now,
                              int64_t threshold)
{
  if (fe__wrap_sub(now, f->end_active) > threshold) {
    if (fe__wrap_sub(f->end_active, f->start_active) > 0) {
      fe__stats_add(&f->active,
                    (double)(fe__wrap_sub(f->end_active, f->start_active)));
    }
    fe__stats_add(&f->idle, (double)(fe__wrap_sub(now, f->end_active)));
    f->start_active = now;
    f->end_active = now;
  } else {
    f->end_active = now;
  }
}

static void bulk_restart(struct fe__bulk *b, const struct fe__packet *p)
{
  b->start = p->ts;
  b->last = p->ts;
  b->run_pkts = 1;
  b->run_bytes = p->payload;
}

/* Runs of payload packets with gaps of at most a second, both ways. */
static void bulk_update(struct fe__bulk *b, const struct fe__packet *p)
{
  if (p->payload <= 0) {
    return;
  }
  if (b->start == 0 || (double)fe__wrap_sub(p->ts, b->last) / 1000000.0 > 1.0) {
    bulk_restart(b, p);
    return;
  }
  b->run_pkts++;
  b->run_bytes += p->payload;
  if (b->run_pkts == 4) {
    b->bulks++;
    b->pkts += 4;
    b->bytes += b->run_bytes;
    b->dur = fe__wrap_add(b->dur, fe__wrap_sub(p->ts, b->start));
  } else if (b->run_pkts > 4) {
    b->pkts++;
    b->bytes += p->payload;
    b->dur = fe__wrap_add(b->dur, fe__wrap_sub(p->ts, b->last));
  }
  b->last = p->ts;
}

/* The misplaced parenthesis of the reference is kept on purpose. */
static void subflow_update(struct fe__cic_flow *f, const struct fe__packet *p)
{
  if (f->subflow_last == -1) {
    f->subflow_last = p->ts;
  }
  if ((double)p->ts - (double)f->subflow_last / 1000000.0 > 1.0) {
    f->subflows++;
    fe__cic_flow_active_idle(f, fe__wrap_sub(p->ts, f->subflow_last),
                             SUBFLOW_ACTIVITY_US);
  }
  f->subflow_last = p->ts;
}

static void count_flags(struct fe__cic_flow *f, uint8_t flags)
{
  for (unsigned bit = 0; bit < 8; bit++) {
    if (flags & (1u << bit)) {
      f->flag_counts[bit]++;
    }
  }
}

void fe__cic_flow_start(struct fe__cic_flow *f, const struct fe__packet *p)
{
  struct fe__hnode node = f->node;
  struct fe__link age = f->age;

  memset(f, 0, sizeof(*f));
  f->node = node;
  f->age = age;
  f->subflow_last = -1;
  bulk_update(&f->bulk, p);
  subflow_update(f, p);
  count_flags(f, p->flags);
  f->start = p->ts;
  f->last = p->ts;
  f->start_active = p->ts;
  f->end_active = p->ts;
  /* p0 always counts as forward, even when it travels the other way. */
  fe__stats_add(&f->all_len, (double)p->payload);
  fe__stats_add(&f->all_len, (double)p->payload);
  fe__stats_add(&f->fwd_len, (double)p->payload);
  f->min_fwd_header = p->header;
  f->init_win_fwd = p->window;
  f->fwd_header = p->header;
  f->fwd_last = p->ts;
  f->fwd_psh = (p->flags & FE__TCP_PSH) != 0;
  f->fwd_urg = (p->flags & FE__TCP_URG) != 0;
}

static void add_forward(struct fe__cic_flow *f, const struct fe__packet *p)
{
  if (p->payload >= 1) {
    f->act_data++;
  }
  fe__stats_add(&f->fwd_len, (double)p->payload);
  f->fwd_header += p->header;
  if (f->fwd_len.n > 1) {
    fe__stats_add(&f->fwd_iat, (double)fe__wrap_sub(p->ts, f->fwd_last));
  }
  f->fwd_last = p->ts;
  if (p->header < f->min_fwd_header) {
    f->min_fwd_header = p->header;
  }
}

static void add_backward(struct fe__cic_flow *f, const struct fe__packet *p)
{
  fe__stats_add(&f->bwd_len, (double)p->payload);
  f->init_win_bwd = p->window;
  f->bwd_header += p->header;
  if (f->bwd_len.n > 1) {
    fe__stats_add(&f->bwd_iat, (double)fe__wrap_sub(p->ts, f->bwd_last));
  }
  f->bwd_last = p->ts;
}

/* Direction is decided by source address alone, ports are not compared. */
void fe__cic_flow_add(struct fe__cic_flow *f, const struct fe__packet *p)
{
  bulk_update(&f->bulk, p);
  subflow_update(f, p);
  count_flags(f, p->flags);
  fe__stats_add(&f->all_len, (double)p->payload);
  if (p->tuple.src == f->node.tuple.src) {
    add_forward(f, p);
  } else {
    add_backward(f, p);
  }
  fe__stats_add(&f->iat, (double)fe__wrap_sub(p->ts, f->last));
  f->last = p->ts;
}

uint64_t fe__cic_flow_packets(const struct fe__cic_flow *f)
{
  return f->fwd_len.n + f->bwd_len.n;
}
