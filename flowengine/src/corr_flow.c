/* SPDX-License-Identifier: MIT */
/*
 * Per-packet updates of the corrected profile: what a flow remembers so
 * that each column of corrected-profile.md can be computed when it ends,
 * without storing packets.
 */
#include "corr_flow.h"

#include <string.h>

#define BULK_GAP_US 1000000    /* a bulk packet follows within 1 s */
#define BULK_MIN_PACKETS 4     /* packets that make a run a bulk */
#define SUBFLOW_GAP_US 1000000 /* a longer gap starts a new subflow */

int fe__corr_flow_backward(const struct fe__corr_flow *f,
                           const struct fe__packet *p)
{
  const struct fe__tuple *t = &f->entry.tuple;

  return !(p->tuple.sport == t->sport &&
           memcmp(p->tuple.src, t->src, sizeof(t->src)) == 0);
}

/* A positive gap, or 0 for a packet stamped before the latest one. */
static int64_t gap_after(int64_t latest, int64_t ts)
{
  int64_t gap = fe__wrap_sub(ts, latest);

  return gap > 0 ? gap : 0;
}

static void bulk_close_run(struct fe__corr_bulk *b)
{
  if (b->run_pkts >= BULK_MIN_PACKETS) {
    b->bulks++;
    b->pkts += b->run_pkts;
    b->bytes += b->run_bytes;
    b->dur += fe__wrap_sub(b->run_last, b->run_start);
  }
  b->run_pkts = 0;
  b->run_bytes = 0;
}

/*
 * A payload packet extends its direction's run when it comes within 1 s
 * of the run's latest packet, else starts a new one; either way it ends
 * the other direction's run.
 */
static void bulk_add(struct fe__corr_flow *f, int d, const struct fe__packet *p)
{
  struct fe__corr_bulk *b = &f->dir[d].bulk;

  if (p->payload <= 0) {
    return;
  }
  bulk_close_run(&f->dir[!d].bulk);
  if (b->run_pkts > 0 && gap_after(b->run_last, p->ts) <= BULK_GAP_US) {
    b->run_pkts++;
    b->run_bytes += p->payload;
    if (p->ts > b->run_last) {
      b->run_last = p->ts;
    }
    return;
  }
  bulk_close_run(b);
  b->run_start = p->ts;
  b->run_last = p->ts;
  b->run_pkts = 1;
  b->run_bytes = p->payload;
}

/* Serial-number comparison of TCP sequence numbers (RFC 1982). */
static int seq_at_or_after(uint32_t a, uint32_t b)
{
  return (int32_t)(a - b) >= 0;
}

/*
 * Teardown: each side's FIN must be acknowledged by the other side, or a
 * RST ends the connection at once. A FIN occupies one sequence number
 * after its payload.
 */
static void tcp_update(struct fe__corr_flow *f, int d,
                       const struct fe__packet *p)
{
  struct fe__corr_dir *own = &f->dir[d];
  struct fe__corr_dir *other = &f->dir[!d];

  if (p->tuple.proto != 6 || f->closed) {
    return;
  }
  if (p->flags & FE__TCP_RST) {
    f->closed = FE_END_RST + 1;
    return;
  }
  if ((p->flags & FE__TCP_FIN) && !own->fin_seen) {
    own->fin_seen = 1;
    own->fin_end = p->seq + (uint32_t)p->payload + 1;
  }
  if ((p->flags & FE__TCP_ACK) && other->fin_seen &&
      seq_at_or_after(p->ack, other->fin_end)) {
    other->fin_acked = 1;
  }
  if (own->fin_acked && other->fin_acked) {
    f->closed = FE_END_FIN + 1;
  }
}

static void dir_add(struct fe__corr_flow *f, int d, const struct fe__packet *p)
{
  struct fe__corr_dir *s = &f->dir[d];
  uint64_t n = ++s->n;

  fe__len_stats_add(&s->len, n, p->payload);
  if (n == 1) {
    s->init_win = p->tuple.proto == 6 ? p->window : 0;
    s->min_header = (uint8_t)p->header;
  } else {
    fe__gap_stats_add(&s->iat, n - 1, (double)gap_after(s->last, p->ts));
  }
  if (n == 1 || p->ts > s->last) {
    s->last = p->ts;
  }
  if ((uint8_t)p->header < s->min_header) {
    s->min_header = (uint8_t)p->header;
  }
  s->header += p->header;
  s->act_data += p->payload > 0;
  s->psh += (p->flags & FE__TCP_PSH) != 0;
  s->urg += (p->flags & FE__TCP_URG) != 0;
  s->rst += (p->flags & FE__TCP_RST) != 0;
}

static void count_flags(struct fe__corr_flow *f, uint8_t flags)
{
  for (int bit = 0; bit < 8; bit++) {
    f->flag_counts[bit] += ((unsigned)flags >> bit) & 1u;
  }
}

/* Updates of the whole flow that do not depend on direction. */
static void common_add(struct fe__corr_flow *f, const struct fe__packet *p)
{
  uint64_t n = fe__corr_flow_packets(f);

  fe__moments_add(&f->all_len, n, (double)p->payload);
  count_flags(f, p->flags);
}

void fe__corr_flow_start(struct fe__corr_flow *f, const struct fe__packet *p,
                         int backward)
{
  int d = backward ? FE__BWD : FE__FWD;

  memset((char *)f + sizeof(f->entry), 0, sizeof(*f) - sizeof(f->entry));
  f->from_syn = p->tuple.proto == 6 && (p->flags & FE__TCP_SYN) != 0;
  f->icmp_type = p->icmp_type;
  f->icmp_code = p->icmp_code;
  f->start = p->ts;
  f->last = p->ts;
  f->start_active = p->ts;
  f->end_active = p->ts;
  dir_add(f, d, p);
  common_add(f, p);
  bulk_add(f, d, p);
  tcp_update(f, d, p);
}

/*
 * A gap longer than the activity threshold closes the active period (its
 * length is an Active value when it is not 0) and is an Idle value.
 */
static void activity_add(struct fe__corr_flow *f, int64_t ts, int64_t gap,
                         int64_t threshold)
{
  if (gap > threshold) {
    int64_t active = fe__wrap_sub(f->end_active, f->start_active);

    if (active > 0) {
      fe__stats_add(&f->active, (double)active);
    }
    fe__stats_add(&f->idle, (double)gap);
    f->start_active = ts;
    f->end_active = ts;
  } else if (ts > f->end_active) {
    f->end_active = ts;
  }
}

void fe__corr_flow_add(struct fe__corr_flow *f, const struct fe__packet *p,
                       int backward, int64_t threshold)
{
  int d = backward ? FE__BWD : FE__FWD;
  int64_t gap = gap_after(f->last, p->ts);
  uint64_t gaps = fe__corr_flow_packets(f);

  fe__moments_add(&f->iat, gaps, (double)gap);
  if (gaps == 1 || (double)gap < f->iat_min) {
    f->iat_min = (double)gap;
  }
  if (gaps == 1 || (double)gap > f->iat_max) {
    f->iat_max = (double)gap;
  }
  f->subflow_gaps += gap > SUBFLOW_GAP_US;
  activity_add(f, p->ts, gap, threshold);
  if (p->ts > f->last) {
    f->last = p->ts;
  }
  dir_add(f, d, p);
  common_add(f, p);
  bulk_add(f, d, p);
  tcp_update(f, d, p);
}
