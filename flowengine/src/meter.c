/* SPDX-License-Identifier: MIT */
/*
 * The meter: CICFlowMeter's flow generator, with memory that follows the
 * open flows. The reference keeps every flow until a later packet of the
 * same endpoints or the end of the capture; here a flow is written as soon
 * as the capture clock is past its timeout, because no later packet can
 * change its row then. Only the flow's key, orientation and start stay
 * behind ("expired keys"), since the reference reuses that orientation
 * for the next flow of the same endpoints.
 */
#include "flowengine/meter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fe_int.h"

#define DEFAULT_FLOW_TIMEOUT_US 120000000
#define DEFAULT_ACTIVITY_TIMEOUT_US 5000000
#define DEFAULT_IDLE_TIMEOUT_US 120000000
#define DEFAULT_TEARDOWN_GRACE_US 2000000
#define DEFAULT_MAX_FLOWS (4u << 20)
#define DEFAULT_MAX_EXPIRED_KEYS (8u << 20)
#define DEFAULT_REORDER_SLACK_US 10000000
/* Packets per block of the capture clock, see advance_clock. */
#define CLOCK_BLOCK 1024
/* Ten years: keeps clock arithmetic far from overflow. */
#define MAX_TIMEOUT_US (INT64_C(10) * 366 * 86400 * 1000000)

/*
 * The key of a flow written at timeout, kept for the next one: 36 bytes.
 * The start is split so that the record needs only 4-byte alignment.
 */
struct expired_key {
  struct fe__entry entry; /* tuple in the written flow's orientation */
  uint32_t start_lo;      /* ts of the written flow's first packet */
  uint32_t start_hi;
};

struct fe_meter {
  struct fe_options opts;
  char label[FE_LABEL_MAX];
  struct fe__tz *tz;
  struct fe__sink sink;
  struct fe__corr *corr;   /* the corrected profile's flows, or NULL */
  struct fe__ktab flows;   /* struct fe__cic_flow, in order of start */
  struct fe__ktab expired; /* struct expired_key, in order of expiry */
  struct fe__pool periods; /* active-period statistics of flows */
  int64_t clock;           /* capture clock that drives expiry, see advance */
  int64_t block_min;       /* oldest timestamp of the current block */
  uint32_t block_len;
  int finished;
  struct fe_counters counters;
};

void fe_options_init(struct fe_options *o)
{
  memset(o, 0, sizeof(*o));
  o->profile = FE_PROFILE_CIC;
  o->flow_timeout_us = DEFAULT_FLOW_TIMEOUT_US;
  o->activity_timeout_us = DEFAULT_ACTIVITY_TIMEOUT_US;
  o->label = "No Label";
  o->time_zone = "UTC";
  o->max_flows = DEFAULT_MAX_FLOWS;
  o->max_expired_keys = DEFAULT_MAX_EXPIRED_KEYS;
  o->reorder_slack_us = DEFAULT_REORDER_SLACK_US;
}

const char *fe_ignore_reason_name(enum fe_ignore_reason r)
{
  switch (r) {
  case FE_IGNORE_NO_IPV4:
    return "no_ipv4";
  case FE_IGNORE_MALFORMED:
    return "malformed";
  case FE_IGNORE_LINK_TYPE:
    return "link_type";
  case FE_IGNORE_NOT_IP:
    return "not_ip";
  case FE_IGNORE_FRAGMENT:
    return "fragment";
  case FE_IGNORE_TRUNCATED:
    return "truncated";
  case FE_IGNORE_REASONS:
    break;
  }
  return "unknown";
}

/* A label goes into the CSV unquoted, as the reference writes it. */
static int label_is_valid(const char *label)
{
  size_t len = strlen(label);

  if (len >= FE_LABEL_MAX) {
    return 0;
  }
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)label[i];

    if (c < 0x20 || c == 0x7F || c == ',' || c == '"') {
      return 0;
    }
  }
  return 1;
}

static int timeout_is_valid(int64_t us)
{
  return us > 0 && us <= MAX_TIMEOUT_US;
}

static int zone_is_valid(const char *name)
{
  struct fe__tz *tz = NULL;

  if (name == NULL || fe__tz_open(name, &tz) != 0) {
    return 0;
  }
  fe__tz_free(tz);
  return 1;
}

int fe_options_check(const struct fe_options *o, char *why, size_t why_size)
{
  const char *bad = NULL;

  if (o->profile != FE_PROFILE_CIC && o->profile != FE_PROFILE_CORRECTED) {
    bad = "unknown profile";
  } else if (!timeout_is_valid(o->flow_timeout_us) ||
             !timeout_is_valid(o->activity_timeout_us) ||
             (o->idle_timeout_us != 0 &&
              !timeout_is_valid(o->idle_timeout_us)) ||
             o->teardown_grace_us < 0 ||
             o->teardown_grace_us > MAX_TIMEOUT_US) {
    bad = "timeouts must be more than 0 and at most ten years";
  } else if (o->profile == FE_PROFILE_CIC &&
             (o->idle_timeout_us != 0 || o->teardown_grace_us != 0)) {
    bad = "the idle timeout and the teardown grace exist only in the "
          "corrected profile; CICFlowMeter has neither";
  } else if (o->label == NULL || !label_is_valid(o->label)) {
    bad = "the label must be under 128 bytes, without commas, quotes or "
          "control characters";
  } else if (!zone_is_valid(o->time_zone)) {
    bad = "unknown time zone (use UTC, +HH:MM or an IANA name such as "
          "Europe/Paris)";
  } else if (o->max_flows == 0 || o->reorder_slack_us < 0 ||
             o->reorder_slack_us > MAX_TIMEOUT_US) {
    bad = "table limits out of range";
  }
  if (bad == NULL) {
    return 0;
  }
  snprintf(why, why_size, "%s", bad);
  return FE_ERR_INVALID;
}

/* Fills in the defaults that depend on the profile. */
static void resolve_defaults(struct fe_options *o)
{
  int corrected = o->profile == FE_PROFILE_CORRECTED;

  if (o->min_packets == 0) {
    o->min_packets = corrected ? 1 : 2;
  }
  if (corrected && o->idle_timeout_us == 0) {
    o->idle_timeout_us = DEFAULT_IDLE_TIMEOUT_US;
  }
  if (corrected && o->teardown_grace_us == 0) {
    o->teardown_grace_us = DEFAULT_TEARDOWN_GRACE_US;
  }
}

static void init_sink(struct fe_meter *m, fe_row_cb cb, void *ctx)
{
  m->sink.on_row = cb;
  m->sink.ctx = ctx;
  m->sink.tz = m->tz;
  m->sink.label = m->label;
  m->sink.min_packets = m->opts.min_packets;
  m->sink.counters = &m->counters;
  m->counters.flow_state_bytes = m->opts.profile == FE_PROFILE_CORRECTED
                                     ? fe__corr_flow_state_size()
                                     : sizeof(struct fe__cic_flow);
}

static int init_cic_tables(struct fe_meter *m)
{
  int rc =
      fe__ktab_init(&m->flows, sizeof(struct fe__cic_flow), m->opts.max_flows);

  if (rc == 0) {
    rc = fe__ktab_init(&m->expired, sizeof(struct expired_key),
                       m->opts.max_expired_keys);
  }
  return rc;
}

int fe__sink_wants(struct fe__sink *s, uint64_t packets)
{
  if (packets >= s->min_packets) {
    return 1;
  }
  s->counters->flows_dropped_single++;
  s->counters->packets_in_dropped += packets;
  return 0;
}

int fe__sink_send(struct fe__sink *s)
{
  s->counters->flows_written++;
  if (s->on_row(s->ctx, &s->row) != 0) {
    s->stopped = 1;
    return FE_ERR_STOPPED;
  }
  return 0;
}

int fe_meter_new(const struct fe_options *opts, fe_row_cb cb, void *ctx,
                 struct fe_meter **out)
{
  struct fe_meter *m;
  char why[128];
  int rc;

  if (fe_options_check(opts, why, sizeof(why)) != 0 || cb == NULL) {
    return FE_ERR_INVALID;
  }
  m = calloc(1, sizeof(*m));
  if (m == NULL) {
    return FE_ERR_NOMEM;
  }
  m->opts = *opts;
  resolve_defaults(&m->opts);
  snprintf(m->label, sizeof(m->label), "%s", opts->label);
  m->opts.label = m->label;
  m->opts.time_zone = NULL;
  m->clock = INT64_MIN;
  m->sink.latest_ts = INT64_MIN;
  fe__pool_init(&m->periods, sizeof(struct fe__stats));
  rc = fe__tz_open(opts->time_zone, &m->tz);
  if (rc == 0) {
    init_sink(m, cb, ctx);
    rc = opts->profile == FE_PROFILE_CORRECTED
             ? fe__corr_new(&m->opts, &m->sink, &m->corr)
             : init_cic_tables(m);
  }
  if (rc != 0) {
    fe_meter_free(m);
    return rc;
  }
  *out = m;
  return 0;
}

static struct fe__cic_flow *flow_at(const struct fe_meter *m, uint32_t i)
{
  return fe__ktab_at(&m->flows, i);
}

/* Writes f's row if it has the packets the reference requires. */
static int emit(struct fe_meter *m, const struct fe__cic_flow *f,
                enum fe_end_reason why)
{
  const struct fe__stats *active = NULL;
  struct fe_row *row = &m->sink.row;

  if (!fe__sink_wants(&m->sink, fe__cic_flow_packets(f))) {
    return 0;
  }
  if (f->active != 0) {
    active = fe__pool_at(&m->periods, f->active);
  }
  fe__cic_flow_row(f, active, m->tz, m->label, row);
  row->end_reason = why;
  return fe__sink_send(&m->sink);
}

static void release_flow(struct fe_meter *m, uint32_t i)
{
  fe__cic_flow_clear(flow_at(m, i), &m->periods);
  fe__ktab_remove(&m->flows, i);
  m->counters.open_flows--;
}

static int64_t expired_start(const struct expired_key *e)
{
  return (int64_t)((uint64_t)e->start_hi << 32 | e->start_lo);
}

/* When the memory for keys runs out, the oldest key is forgotten. */
static void remember_expired(struct fe_meter *m, const struct fe__cic_flow *f)
{
  struct fe__ktab *t = &m->expired;
  const struct fe__tuple *key = &f->entry.tuple;
  struct expired_key *e;
  uint32_t i;

  if (m->opts.max_expired_keys == 0) {
    return;
  }
  if (t->count >= m->opts.max_expired_keys) {
    fe__ktab_remove(t, t->oldest);
    m->counters.expired_keys_forgotten++;
  }
  i = fe__ktab_add(t, key, fe__tuple_hash(key));
  if (i == 0) {
    m->counters.expired_keys_forgotten++;
    return;
  }
  e = fe__ktab_at(t, i);
  e->start_lo = (uint32_t)(uint64_t)f->start;
  e->start_hi = (uint32_t)((uint64_t)f->start >> 32);
}

static int expire_flow(struct fe_meter *m, uint32_t i, enum fe_end_reason why)
{
  const struct fe__cic_flow *f = flow_at(m, i);
  int rc = emit(m, f, why);

  remember_expired(m, f);
  release_flow(m, i);
  return rc;
}

/*
 * Flows are listed in the order they started, so the scan stops at the
 * first flow still inside its timeout. With reordered timestamps a later
 * flow may wait behind an earlier one; waiting longer is always safe.
 */
static int expire_due(struct fe_meter *m)
{
  int64_t horizon = m->opts.flow_timeout_us + m->opts.reorder_slack_us;
  uint32_t i;

  while ((i = m->flows.oldest) != 0 &&
         fe__wrap_sub(m->clock, flow_at(m, i)->start) > horizon) {
    int rc = expire_flow(m, i, FE_END_ACTIVE_TIMEOUT);

    if (rc != 0) {
      return rc;
    }
  }
  return 0;
}

/*
 * The clock moves to the oldest timestamp of each block of CLOCK_BLOCK
 * packets, and never back. A few packets stamped far in the future (as
 * in damaged or fuzzed captures) therefore cannot make the meter write
 * flows that later packets would still have joined. Returns 1 when the
 * clock moved.
 */
static int advance_clock(struct fe_meter *m, int64_t ts)
{
  if (m->block_len == 0 || ts < m->block_min) {
    m->block_min = ts;
  }
  if (++m->block_len < CLOCK_BLOCK) {
    return 0;
  }
  m->block_len = 0;
  if (m->block_min <= m->clock) {
    return 0;
  }
  m->clock = m->block_min;
  return 1;
}

static int open_flow(struct fe_meter *m, const struct fe__packet *p,
                     uint64_t hash)
{
  uint32_t old = fe__ktab_find(&m->expired, &p->tuple, hash);
  struct fe__cic_flow *f;
  struct fe__tuple tuple = p->tuple;
  uint32_t i;
  int rc;

  if (old != 0) {
    const struct expired_key *e = fe__ktab_at(&m->expired, old);

    tuple = e->entry.tuple;
    if (fe__wrap_sub(p->ts, expired_start(e)) <= m->opts.flow_timeout_us) {
      m->counters.packets_late++;
    }
    fe__ktab_remove(&m->expired, old);
  }
  if (m->flows.count >= m->opts.max_flows) {
    m->counters.flows_cut_at_limit++;
    rc = expire_flow(m, m->flows.oldest, FE_END_TABLE_FULL);
    if (rc != 0) {
      return rc;
    }
  }
  i = fe__ktab_add(&m->flows, &tuple, hash);
  if (i == 0) {
    return FE_ERR_NOMEM;
  }
  f = flow_at(m, i);
  f->active = 0;
  fe__cic_flow_start(f, p);
  if (++m->counters.open_flows > m->counters.peak_open_flows) {
    m->counters.peak_open_flows = m->counters.open_flows;
  }
  return 0;
}

/*
 * The reference's decision for a packet of an existing flow: the flow
 * timeout (from the flow's first packet) before FIN, and a timed-out flow
 * restarts under the same key and orientation with this packet as its
 * forward first packet, whichever way it travels.
 */
static int place_packet(struct fe_meter *m, const struct fe__packet *p)
{
  uint64_t hash = fe__tuple_hash(&p->tuple);
  uint32_t i = fe__ktab_find(&m->flows, &p->tuple, hash);
  struct fe__cic_flow *f;
  int rc;

  if (i == 0) {
    return open_flow(m, p, hash);
  }
  f = flow_at(m, i);
  if (fe__wrap_sub(p->ts, f->start) > m->opts.flow_timeout_us) {
    rc = emit(m, f, FE_END_ACTIVE_TIMEOUT);
    fe__ktab_renew(&m->flows, i);
    fe__cic_flow_clear(f, &m->periods);
    fe__cic_flow_start(f, p);
    return rc;
  }
  if (p->flags & FE__TCP_FIN) {
    rc = fe__cic_flow_add(f, &m->periods, p);
    if (rc == 0) {
      rc = emit(m, f, FE_END_FIN);
    }
    release_flow(m, i);
    return rc;
  }
  rc = fe__cic_flow_active_idle(f, &m->periods, p->ts,
                                m->opts.activity_timeout_us);
  if (rc == 0) {
    rc = fe__cic_flow_add(f, &m->periods, p);
  }
  return rc;
}

static int add_cic_frame(struct fe_meter *m, const struct fe_frame *frame)
{
  struct fe__packet p;
  int reason;
  int rc;

  reason = fe__decode_cic(frame->data, frame->caplen, frame->wirelen, &p);
  if (reason >= 0) {
    m->counters.packets_ignored[reason]++;
    return 0;
  }
  p.ts = frame->ts_us;
  m->counters.packets_used++;
  rc = place_packet(m, &p);
  if (rc != 0) {
    return rc;
  }
  return advance_clock(m, p.ts) ? expire_due(m) : 0;
}

int fe_meter_add_frame(struct fe_meter *m, const struct fe_frame *frame)
{
  if (m->finished || m->sink.stopped) {
    return FE_ERR_INVALID;
  }
  m->counters.packets_read++;
  if (frame->ts_us < m->sink.latest_ts) {
    m->counters.packets_out_of_order++;
  } else {
    m->sink.latest_ts = frame->ts_us;
  }
  if (m->corr != NULL) {
    return fe__corr_add(m->corr, frame);
  }
  return add_cic_frame(m, frame);
}

static int finish_cic(struct fe_meter *m)
{
  uint32_t i;

  while ((i = m->flows.oldest) != 0) {
    int rc = emit(m, flow_at(m, i), FE_END_END_OF_INPUT);

    release_flow(m, i);
    if (rc != 0) {
      return rc;
    }
  }
  return 0;
}

int fe_meter_finish(struct fe_meter *m)
{
  if (m->sink.stopped) {
    return FE_ERR_STOPPED;
  }
  m->finished = 1;
  return m->corr != NULL ? fe__corr_finish(m->corr) : finish_cic(m);
}

const struct fe_counters *fe_meter_counters(const struct fe_meter *m)
{
  return &m->counters;
}

void fe_meter_free(struct fe_meter *m)
{
  if (m == NULL) {
    return;
  }
  fe__corr_free(m->corr);
  fe__ktab_cleanup(&m->flows);
  fe__ktab_cleanup(&m->expired);
  fe__pool_cleanup(&m->periods);
  fe__tz_free(m->tz);
  free(m);
}
