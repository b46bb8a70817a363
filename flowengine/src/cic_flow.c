/* SPDX-License-Identifier: MIT */
/*
 * Per-flow state of the cic profile: the updates CICFlowMeter's BasicFlow
 * makes for each packet, in the same order and with the same arithmetic,
 * because several features depend on both (the subflow test subtracts
 * seconds from microseconds; active/idle is fed inter-arrival times as if
 * they were timestamps; the bulk counter sees both directions).
 */
#include "fe_int.h"

#include <assert.h>
#include <string.h>

/* The subflow update calls active/idle with this fixed threshold. */
#define SUBFLOW_ACTIVITY_US 5000000

/* The memory budget is 512 bytes per open flow, table links included. */
_Static_assert(sizeof(struct fe__cic_flow) <= 488,
               "the per-flow state must stay within its memory budget");

static int add_active(struct fe__cic_flow *f, struct fe__pool *periods,
                      double v)
{
  struct fe__stats *s;

  if (f->active == 0) {
    uint32_t i = fe__pool_get(periods);

    if (i == 0) {
      return FE_ERR_NOMEM;
    }
    s = fe__pool_at(periods, i);
    memset(s, 0, sizeof(*s));
    f->active = i;
  } else {
    s = fe__pool_at(periods, f->active);
  }
  fe__stats_add(s, v);
  return 0;
}

int fe__cic_flow_active_idle(struct fe__cic_flow *f, struct fe__pool *periods,
                             int64_t now, int64_t threshold)
{
  if (fe__wrap_sub(now, f->end_active) > threshold) {
    int64_t active = fe__wrap_sub(f->end_active, f->start_active);

    if (active > 0 && add_active(f, periods, (double)active) != 0) {
      return FE_ERR_NOMEM;
    }
    fe__stats_add(&f->idle, (double)fe__wrap_sub(now, f->end_active));
    f->start_active = now;
    f->end_active = now;
  } else {
    f->end_active = now;
  }
  return 0;
}

void fe__cic_flow_clear(struct fe__cic_flow *f, struct fe__pool *periods)
{
  if (f->active != 0) {
    fe__pool_put(periods, f->active);
    f->active = 0;
  }
}

/* Runs of payload packets with gaps of at most a second, both ways. */
static void bulk_update(struct fe__cic_flow *f, const struct fe__packet *p)
{
  struct fe__bulk *b = &f->bulk;

  if (p->payload <= 0) {
    return;
  }
  if (b->start == 0 || (double)fe__wrap_sub(p->ts, b->last) / 1000000.0 > 1.0) {
    b->start = p->ts;
    b->last = p->ts;
    b->run_bytes = p->payload;
    f->bulk_run = 1;
    return;
  }
  /* Only a run's fourth packet and those after it differ: stop at 5. */
  if (f->bulk_run < 5) {
    f->bulk_run++;
  }
  b->run_bytes += p->payload;
  if (f->bulk_run == 4) {
    b->bulks++;
    b->pkts += 4;
    b->bytes += b->run_bytes;
    b->dur = fe__wrap_add(b->dur, fe__wrap_sub(p->ts, b->start));
  } else if (f->bulk_run > 4) {
    b->pkts++;
    b->bytes += p->payload;
    b->dur = fe__wrap_add(b->dur, fe__wrap_sub(p->ts, b->last));
  }
  b->last = p->ts;
}

/*
 * The misplaced parenthesis of the reference is kept on purpose. The
 * reference's own "last subflow packet" is always the flow's last packet
 * at this point, so it is not kept apart.
 */
static int subflow_update(struct fe__cic_flow *f, struct fe__pool *periods,
                          const struct fe__packet *p)
{
  if ((double)p->ts - (double)f->last / 1000000.0 > 1.0) {
    f->subflows++;
    return fe__cic_flow_active_idle(f, periods, fe__wrap_sub(p->ts, f->last),
                                    SUBFLOW_ACTIVITY_US);
  }
  return 0;
}

static void count_flags(struct fe__cic_flow *f, unsigned flags)
{
  for (unsigned bit = 0; flags != 0; bit++, flags >>= 1) {
    if (flags & 1u) {
      f->flag_counts[bit]++;
    }
  }
}

/*
 * A flow's first packet. The reference also runs its subflow step here,
 * with p0 as its own predecessor: the active/idle call it may make gets a
 * time of 0 against an activity end of 0 and changes nothing.
 */
void fe__cic_flow_start(struct fe__cic_flow *f, const struct fe__packet *p)
{
  struct fe__entry entry = f->entry;
  double len = (double)p->payload;

  memset(f, 0, sizeof(*f));
  f->entry = entry;
  bulk_update(f, p);
  if ((double)p->ts - (double)p->ts / 1000000.0 > 1.0) {
    f->subflows++;
  }
  count_flags(f, p->flags);
  f->start = p->ts;
  f->last = p->ts;
  f->start_active = p->ts;
  f->end_active = p->ts;
  /* p0 always counts as forward, even when it travels the other way. */
  fe__moments_add(&f->all_len, 1, len);
  fe__moments_add(&f->all_len, 2, len);
  f->all_sum = len + len;
  f->fwd_n = 1;
  fe__len_stats_add(&f->fwd_len, 1, p->payload);
  assert(p->header >= 0 && p->header <= 60);
  f->min_fwd_header = (uint8_t)p->header;
  f->init_win_fwd = p->window;
  f->fwd_header = p->header;
  f->fwd_rst = (p->flags & FE__TCP_RST) != 0;
  if (p->flags & FE__TCP_PSH) {
    f->bits |= FE__FLOW_FWD_PSH;
  }
  if (p->flags & FE__TCP_URG) {
    f->bits |= FE__FLOW_FWD_URG;
  }
}

static void add_forward(struct fe__cic_flow *f, const struct fe__packet *p)
{
  int64_t prev = (f->bits & FE__FLOW_LAST_BWD) ? f->other_last : f->last;

  f->fwd_n++;
  f->fwd_rst += (p->flags & FE__TCP_RST) != 0;
  if (p->payload >= 1) {
    f->act_data++;
  }
  fe__len_stats_add(&f->fwd_len, f->fwd_n, p->payload);
  f->fwd_header += p->header;
  if (f->fwd_n > 1) {
    fe__gap_stats_add(&f->fwd_iat, f->fwd_n - 1,
                      (double)fe__wrap_sub(p->ts, prev));
  }
  if (p->header < f->min_fwd_header) {
    f->min_fwd_header = (uint8_t)p->header;
  }
  if (f->bits & FE__FLOW_LAST_BWD) {
    f->other_last = f->last;
    f->bits &= (uint8_t)~FE__FLOW_LAST_BWD;
  }
}

static void add_backward(struct fe__cic_flow *f, const struct fe__packet *p)
{
  int64_t prev = (f->bits & FE__FLOW_LAST_BWD) ? f->last : f->other_last;

  f->bwd_n++;
  fe__len_stats_add(&f->bwd_len, f->bwd_n, p->payload);
  f->init_win_bwd = p->window;
  f->bwd_header += p->header;
  if (f->bwd_n > 1) {
    fe__gap_stats_add(&f->bwd_iat, f->bwd_n - 1,
                      (double)fe__wrap_sub(p->ts, prev));
  }
  if (!(f->bits & FE__FLOW_LAST_BWD)) {
    f->other_last = f->last;
    f->bits |= FE__FLOW_LAST_BWD;
  }
}

/*
 * Direction is decided by source address alone, ports are not compared.
 * The statistics' counts follow from the packet counts before p.
 */
int fe__cic_flow_add(struct fe__cic_flow *f, struct fe__pool *periods,
                     const struct fe__packet *p)
{
  uint64_t packets = f->fwd_n + f->bwd_n;
  double gap = (double)fe__wrap_sub(p->ts, f->last);
  int rc;

  bulk_update(f, p);
  rc = subflow_update(f, periods, p);
  if (rc != 0) {
    return rc;
  }
  count_flags(f, p->flags);
  fe__moments_add(&f->all_len, packets + 2, (double)p->payload);
  f->all_sum += (double)p->payload;
  /* Direction by address alone, as the reference decides it. */
  if (memcmp(p->tuple.src, f->entry.tuple.src, 4) == 0) {
    add_forward(f, p);
  } else {
    add_backward(f, p);
  }
  fe__moments_add(&f->iat, packets, gap);
  if (packets == 1 || gap < f->iat_min) {
    f->iat_min = gap;
  }
  if (packets == 1 || gap > f->iat_max) {
    f->iat_max = gap;
  }
  f->last = p->ts;
  return 0;
}

uint64_t fe__cic_flow_packets(const struct fe__cic_flow *f)
{
  return f->fwd_n + f->bwd_n;
}
