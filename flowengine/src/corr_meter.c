/* SPDX-License-Identifier: MIT */
/*
 * Flow lifecycle of the corrected profile. All timeouts compare the
 * packet clock, the largest timestamp seen, with the flow's own times, so
 * a flow is over once the clock says so, whatever arrives later. The rule
 * is applied when a flow's next packet arrives, which alone decides the
 * rows; scans of two lists only write flows early, to free their memory:
 * the table's age list, renewed on every packet, holds flows in the order
 * they last saw one (the idle timeout), and the closing list holds closed
 * TCP flows in the order they closed (the teardown grace). With packets
 * in time order both lists are sorted by deadline; a scan stops at the
 * first flow not due, so a reordered capture only delays a write.
 */
#include <stdlib.h>
#include <string.h>

#include "corr_flow.h"

struct fe__corr {
  int64_t active_us;
  int64_t idle_us;
  int64_t grace_us;
  int64_t threshold_us; /* activity timeout of the Active/Idle columns */
  size_t max_flows;
  struct fe__sink *sink;
  struct fe__ktab flows; /* struct fe__corr_flow */
  uint32_t closing_oldest;
  uint32_t closing_newest;
};

int fe__corr_new(const struct fe_options *o, struct fe__sink *sink,
                 struct fe__corr **out)
{
  struct fe__corr *c = calloc(1, sizeof(*c));
  int rc;

  if (c == NULL) {
    return FE_ERR_NOMEM;
  }
  c->active_us = o->flow_timeout_us;
  c->idle_us = o->idle_timeout_us;
  c->grace_us = o->teardown_grace_us;
  c->threshold_us = o->activity_timeout_us;
  c->max_flows = o->max_flows;
  c->sink = sink;
  rc = fe__ktab_init(&c->flows, sizeof(struct fe__corr_flow), o->max_flows);
  if (rc != 0) {
    free(c);
    return rc;
  }
  *out = c;
  return 0;
}

size_t fe__corr_flow_state_size(void)
{
  return sizeof(struct fe__corr_flow);
}

void fe__corr_free(struct fe__corr *c)
{
  if (c == NULL) {
    return;
  }
  fe__ktab_cleanup(&c->flows);
  free(c);
}

/* The meter keeps the newest frame timestamp, which is the clock here. */
static int64_t packet_clock(const struct fe__corr *c)
{
  return c->sink->latest_ts;
}

static struct fe__corr_flow *flow_at(const struct fe__corr *c, uint32_t i)
{
  return fe__ktab_at(&c->flows, i);
}

static void closing_link(struct fe__corr *c, uint32_t i)
{
  struct fe__corr_flow *f = flow_at(c, i);

  f->in_closing = 1;
  f->closing_older = c->closing_newest;
  f->closing_newer = 0;
  if (c->closing_newest != 0) {
    flow_at(c, c->closing_newest)->closing_newer = i;
  } else {
    c->closing_oldest = i;
  }
  c->closing_newest = i;
}

static void closing_unlink(struct fe__corr *c, uint32_t i)
{
  struct fe__corr_flow *f = flow_at(c, i);

  if (!f->in_closing) {
    return;
  }
  if (f->closing_older != 0) {
    flow_at(c, f->closing_older)->closing_newer = f->closing_newer;
  } else {
    c->closing_oldest = f->closing_newer;
  }
  if (f->closing_newer != 0) {
    flow_at(c, f->closing_newer)->closing_older = f->closing_older;
  } else {
    c->closing_newest = f->closing_older;
  }
  f->in_closing = 0;
}

/* A flow that has just closed waits out its grace in the closing list. */
static void note_if_closed(struct fe__corr *c, uint32_t i)
{
  struct fe__corr_flow *f = flow_at(c, i);

  if (f->closed && !f->in_closing) {
    f->closed_at = f->last;
    closing_link(c, i);
  }
}

/* A closed flow keeps the reason it closed for, whatever writes it. */
static enum fe_end_reason reason_of(const struct fe__corr_flow *f,
                                    enum fe_end_reason otherwise)
{
  return f->closed ? (enum fe_end_reason)(f->closed - 1) : otherwise;
}

static int write_flow(struct fe__corr *c, uint32_t i, enum fe_end_reason why)
{
  const struct fe__corr_flow *f = flow_at(c, i);
  struct fe__sink *s = c->sink;

  if (!fe__sink_wants(s, fe__corr_flow_packets(f))) {
    return 0;
  }
  fe__corr_flow_row(f, reason_of(f, why), s->tz, s->label, &s->row);
  return fe__sink_send(s);
}

static void release_flow(struct fe__corr *c, uint32_t i)
{
  closing_unlink(c, i);
  fe__ktab_remove(&c->flows, i);
  c->sink->counters->open_flows--;
}

static int retire_flow(struct fe__corr *c, uint32_t i, enum fe_end_reason why)
{
  int rc = write_flow(c, i, why);

  release_flow(c, i);
  return rc;
}

static int grace_over(const struct fe__corr *c, const struct fe__corr_flow *f)
{
  return f->closed && fe__wrap_sub(packet_clock(c), f->closed_at) > c->grace_us;
}

static int idle_over(const struct fe__corr *c, const struct fe__corr_flow *f)
{
  return fe__wrap_sub(packet_clock(c), f->last) > c->idle_us;
}

static int expire_due(struct fe__corr *c)
{
  uint32_t i;
  int rc = 0;

  while (rc == 0 && (i = c->closing_oldest) != 0 &&
         grace_over(c, flow_at(c, i))) {
    rc = retire_flow(c, i, FE_END_FIN);
  }
  while (rc == 0 && (i = c->flows.oldest) != 0 && idle_over(c, flow_at(c, i))) {
    rc = retire_flow(c, i, FE_END_IDLE_TIMEOUT);
  }
  return rc;
}

static int is_syn_ack(const struct fe__packet *p)
{
  uint8_t both = FE__TCP_SYN | FE__TCP_ACK;

  return p->tuple.proto == 6 && (p->flags & both) == both;
}

static void reverse_tuple(struct fe__tuple *t)
{
  struct fe__tuple r = *t;

  memcpy(r.src, t->dst, sizeof(r.src));
  memcpy(r.dst, t->src, sizeof(r.dst));
  r.sport = t->dport;
  r.dport = t->sport;
  *t = r;
}

static void note_open(struct fe_counters *k)
{
  if (++k->open_flows > k->peak_open_flows) {
    k->peak_open_flows = k->open_flows;
  }
}

/* Packet p starts a flow; a SYN+ACK's destination is the initiator. */
static int open_flow(struct fe__corr *c, const struct fe__packet *p,
                     uint64_t hash)
{
  struct fe__tuple key = p->tuple;
  int backward = is_syn_ack(p);
  struct fe__corr_flow *f;
  uint32_t i;

  if (c->flows.count >= c->max_flows) {
    int rc;

    c->sink->counters->flows_cut_at_limit++;
    rc = retire_flow(c, c->flows.oldest, FE_END_TABLE_FULL);
    if (rc != 0) {
      return rc;
    }
  }
  if (backward) {
    reverse_tuple(&key);
  }
  i = fe__ktab_add(&c->flows, &key, hash);
  if (i == 0) {
    return FE_ERR_NOMEM;
  }
  f = flow_at(c, i);
  fe__corr_flow_start(f, p, backward);
  note_open(c->sink->counters);
  note_if_closed(c, i);
  return 0;
}

/* p joins flow i, which may close because of it. */
static void join_flow(struct fe__corr *c, uint32_t i,
                      const struct fe__packet *p)
{
  struct fe__corr_flow *f = flow_at(c, i);

  fe__corr_flow_add(f, p, fe__corr_flow_backward(f, p), c->threshold_us);
  fe__ktab_renew(&c->flows, i);
  note_if_closed(c, i);
}

/*
 * The active timeout writes the flow and starts its continuation with p,
 * under the same initiator.
 */
static int continue_flow(struct fe__corr *c, uint32_t i,
                         const struct fe__packet *p)
{
  struct fe__corr_flow *f = flow_at(c, i);
  int rc = write_flow(c, i, FE_END_ACTIVE_TIMEOUT);

  fe__corr_flow_start(f, p, fe__corr_flow_backward(f, p));
  fe__ktab_renew(&c->flows, i);
  note_if_closed(c, i);
  return rc;
}

/*
 * A SYN after a close starts the next connection. So does a SYN without
 * ACK on a flow that never saw a handshake: the flow held stray packets
 * (a capture that began mid-connection, late ACKs after the grace), and
 * the SYN opens a new connection on the same ports.
 */
static int starts_connection(const struct fe__corr_flow *f,
                             const struct fe__packet *p)
{
  if (p->tuple.proto != 6 || !(p->flags & FE__TCP_SYN)) {
    return 0;
  }
  return f->closed || (!f->from_syn && !(p->flags & FE__TCP_ACK));
}

/*
 * Why the flow a packet finds is already over, or FE_END_REASONS when it
 * is not. The idle timeout comes first: a flow silent that long was over
 * before its active timeout could matter.
 */
static enum fe_end_reason over_before(const struct fe__corr *c,
                                      const struct fe__corr_flow *f,
                                      const struct fe__packet *p)
{
  if (starts_connection(f, p)) {
    return FE_END_NEW_CONNECTION;
  }
  if (grace_over(c, f)) {
    return FE_END_FIN;
  }
  if (idle_over(c, f)) {
    return FE_END_IDLE_TIMEOUT;
  }
  return FE_END_REASONS;
}

static int place_packet(struct fe__corr *c, const struct fe__packet *p)
{
  uint64_t hash = fe__tuple_hash(&p->tuple);
  uint32_t i = fe__ktab_find(&c->flows, &p->tuple, hash);
  enum fe_end_reason over;
  const struct fe__corr_flow *f;

  if (i == 0) {
    return open_flow(c, p, hash);
  }
  f = flow_at(c, i);
  over = over_before(c, f, p);
  if (over != FE_END_REASONS) {
    int rc = retire_flow(c, i, over);

    return rc != 0 ? rc : open_flow(c, p, hash);
  }
  if (!f->closed && fe__wrap_sub(packet_clock(c), f->start) > c->active_us) {
    return continue_flow(c, i, p);
  }
  join_flow(c, i, p);
  return 0;
}

int fe__corr_add(struct fe__corr *c, const struct fe_frame *frame)
{
  struct fe__packet p;
  int reason =
      fe__decode_corrected(frame->link_type, frame->data, frame->caplen, &p);
  struct fe_counters *k = c->sink->counters;
  int rc;

  /* Every frame moved the clock, even one that is ignored. */
  rc = expire_due(c);
  if (rc != 0) {
    return rc;
  }
  if (reason >= 0) {
    k->packets_ignored[reason]++;
    return 0;
  }
  p.ts = frame->ts_us;
  k->packets_used++;
  return place_packet(c, &p);
}

/*
 * Flows go out in the order they last saw a packet. One whose timeout
 * the clock had passed says so, though no scan reached it in time.
 */
int fe__corr_finish(struct fe__corr *c)
{
  uint32_t i;

  while ((i = c->flows.oldest) != 0) {
    int over = idle_over(c, flow_at(c, i));
    int rc =
        retire_flow(c, i, over ? FE_END_IDLE_TIMEOUT : FE_END_END_OF_INPUT);

    if (rc != 0) {
      return rc;
    }
  }
  return 0;
}
