/* SPDX-License-Identifier: MIT */
/*
 * Private declarations of the flow engine: the decoded packet, streaming
 * statistics, the per-flow state of the cic profile, the keyed table and
 * object pool that hold flows, and time zone conversion.
 */
#ifndef FLOWENGINE_FE_INT_H
#define FLOWENGINE_FE_INT_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "flowengine/meter.h"
#include "flowengine/row.h"

/* TCP flag bits as they sit in the TCP header's flags byte. */
enum {
  FE__TCP_FIN = 0x01,
  FE__TCP_SYN = 0x02,
  FE__TCP_RST = 0x04,
  FE__TCP_PSH = 0x08,
  FE__TCP_ACK = 0x10,
  FE__TCP_URG = 0x20,
  FE__TCP_ECE = 0x40,
  FE__TCP_CWR = 0x80
};

/*
 * The endpoints of a flow, in the orientation of its Flow ID. Addresses
 * are in network byte order; an IPv4 address fills the first 4 bytes and
 * leaves the rest 0, so that one comparison serves both families.
 */
struct fe__tuple {
  uint8_t src[16];
  uint8_t dst[16];
  uint16_t sport;
  uint16_t dport;
  uint8_t proto;  /* cic: 6, 17 or 0; corrected: the IP protocol */
  uint8_t family; /* 4 or 6 */
};

/* Big-endian (network order) numbers in packet bytes. */
static inline uint16_t fe__get_be16(const uint8_t *p)
{
  return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t fe__get_be32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* Writes an IPv4 address given as a host-order number into a tuple. */
static inline void fe__ip4_set(uint8_t *a, uint32_t v)
{
  a[0] = (uint8_t)(v >> 24);
  a[1] = (uint8_t)(v >> 16);
  a[2] = (uint8_t)(v >> 8);
  a[3] = (uint8_t)v;
}

/*
 * Time arithmetic wraps around like Java's long arithmetic, which the
 * reference uses; damaged captures do hold timestamps that far apart.
 */
static inline int64_t fe__wrap_sub(int64_t a, int64_t b)
{
  return (int64_t)((uint64_t)a - (uint64_t)b);
}

/* a / b rounded toward minus infinity, for b > 0 (seconds of a time). */
static inline int64_t fe__floor_div(int64_t a, int64_t b)
{
  return a >= 0 ? a / b : -((-(a + 1)) / b) - 1;
}

static inline int64_t fe__wrap_add(int64_t a, int64_t b)
{
  return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* What the dissector takes from one frame. */
struct fe__packet {
  struct fe__tuple tuple; /* the packet's own direction */
  int64_t ts;             /* microseconds since the epoch */
  int64_t payload;        /* L4 payload bytes as captured */
  int64_t header;         /* L4 header bytes (TCP with options, UDP 8) */
  uint16_t window;        /* raw TCP window field */
  uint8_t flags;          /* TCP flags byte; 0 for other protocols */
  /* Read by the corrected profile only. */
  int16_t icmp_type; /* ICMP or ICMPv6 type; -1 for other protocols */
  int16_t icmp_code;
  uint32_t seq; /* TCP sequence and acknowledgement numbers */
  uint32_t ack;
};

/*
 * fe__decode_cic: dissects a frame the way CICFlowMeter's jnetpcap does
 * (always from an Ethernet header, then from byte 0 as IPv4). Returns -1
 * when the frame is used, else the fe_ignore_reason.
 */
int fe__decode_cic(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                   struct fe__packet *out);

/*
 * fe__decode_corrected: dissects a frame by its link type, IPv4 or IPv6
 * (extension headers walked), lengths from the IP headers. Returns -1
 * when the frame is used, else the fe_ignore_reason. Sets every field but
 * ts.
 */
int fe__decode_corrected(int link_type, const uint8_t *data, uint32_t caplen,
                         struct fe__packet *out);

/*
 * Streaming mean and second moment in commons-math3's order of operations.
 * The count lives with the caller: most counts of a flow follow from its
 * packet counts, so each statistic does not repeat them.
 */
struct fe__moments {
  double mean;
  double m2; /* sum of squared deviations from the mean */
};

/* Adds v as the n-th value (n counts v itself). */
static inline void fe__moments_add(struct fe__moments *s, uint64_t n, double v)
{
  double dev;
  double ndev;

  if (n == 1) {
    s->mean = 0.0;
    s->m2 = 0.0;
  }
  dev = v - s->mean;
  ndev = dev / (double)n;
  s->mean += ndev;
  s->m2 += ((double)n - 1.0) * dev * ndev;
}

double fe__moments_variance(const struct fe__moments *s, uint64_t n);
double fe__moments_std(const struct fe__moments *s, uint64_t n);

/* A statistic that keeps its own count: the idle and active periods. */
struct fe__stats {
  uint64_t n;
  struct fe__moments mo;
  double min;
  double max;
};

void fe__stats_add(struct fe__stats *s, double v);

/*
 * Fixed-size object pool addressed by 32-bit index, so that links between
 * objects take 4 bytes instead of 8. Objects sit in chunks of 2^shift;
 * index 0 is never handed out and means "none". Chunks are returned only
 * at cleanup, so memory follows the peak number of live objects.
 */
struct fe__pool {
  char **chunks;
  size_t chunk_count;
  size_t chunk_cap;
  size_t object_size;
  unsigned shift;     /* log2 of objects per chunk */
  uint32_t free_head; /* last object put back, 0 = none */
  uint32_t fresh;     /* first index never handed out */
  uint32_t live;      /* objects handed out and not put back */
};

void fe__pool_init(struct fe__pool *p, size_t object_size);
uint32_t fe__pool_get(struct fe__pool *p); /* 0 when memory runs out */
void fe__pool_put(struct fe__pool *p, uint32_t i);
void fe__pool_cleanup(struct fe__pool *p);

static inline void *fe__pool_at(const struct fe__pool *p, uint32_t i)
{
  size_t slot = i & (((uint32_t)1 << p->shift) - 1);

  return p->chunks[i >> p->shift] + slot * p->object_size;
}

/*
 * Keyed table: records that start with struct fe__entry, found by a
 * direction-free hash of their tuple, so a packet finds its flow whichever
 * way it travels, and listed in the order they were added (or renewed).
 * Buckets and links are pool indices; the hash is not stored but computed
 * again from the tuple when a record moves or goes. The bucket array
 * doubles up to a fixed limit.
 */
struct fe__entry {
  struct fe__tuple tuple;
  uint32_t chain; /* next record in the same bucket */
  uint32_t older; /* age list neighbours */
  uint32_t newer;
};

struct fe__ktab {
  struct fe__pool pool;
  uint32_t *buckets;
  size_t mask; /* bucket count - 1 */
  size_t count;
  size_t max_buckets;
  uint32_t oldest; /* ends of the age list, 0 when empty */
  uint32_t newest;
};

uint64_t fe__tuple_hash(const struct fe__tuple *t);
int fe__tuple_same_flow(const struct fe__tuple *a, const struct fe__tuple *b);
int fe__ktab_init(struct fe__ktab *t, size_t record_size, size_t max_records);
void fe__ktab_cleanup(struct fe__ktab *t);
uint32_t fe__ktab_find(const struct fe__ktab *t, const struct fe__tuple *key,
                       uint64_t hash);
/*
 * fe__ktab_add: a new record for key at the newest end, of which only the
 * entry is set; 0 when memory runs out.
 */
uint32_t fe__ktab_add(struct fe__ktab *t, const struct fe__tuple *key,
                      uint64_t hash);
void fe__ktab_remove(struct fe__ktab *t, uint32_t i);
void fe__ktab_renew(struct fe__ktab *t, uint32_t i); /* to the newest end */

static inline void *fe__ktab_at(const struct fe__ktab *t, uint32_t i)
{
  return fe__pool_at(&t->pool, i);
}

/* Bulk accumulator of the cic profile (one, fed by both directions). */
struct fe__bulk {
  int64_t start;     /* current run's first packet, 0 = no run */
  int64_t last;      /* current run's last packet */
  int64_t run_bytes; /* payload bytes in the current run */
  int64_t bulks;     /* runs that reached four packets */
  int64_t pkts;      /* packets in such runs */
  int64_t bytes;     /* payload bytes in such runs */
  int64_t dur;       /* microseconds spent in such runs */
};

/* Payload lengths of one direction; the count is the direction's. */
struct fe__len_stats {
  struct fe__moments mo;
  double sum;
  uint32_t min; /* bytes: a payload never exceeds its 32-bit caplen */
  uint32_t max;
};

/* Gaps between packets of one direction, in microseconds. */
struct fe__gap_stats {
  struct fe__moments mo;
  double sum;
  double min;
  double max;
};

/* Adds a payload length as the direction's n-th packet. */
static inline void fe__len_stats_add(struct fe__len_stats *s, uint64_t n,
                                     int64_t payload)
{
  uint32_t v = (uint32_t)payload;

  assert(payload >= 0 && payload <= UINT32_MAX);
  fe__moments_add(&s->mo, n, (double)payload);
  s->sum += (double)payload;
  if (n == 1 || v < s->min) {
    s->min = v;
  }
  if (n == 1 || v > s->max) {
    s->max = v;
  }
}

/* Adds a gap as the n-th one. */
static inline void fe__gap_stats_add(struct fe__gap_stats *s, uint64_t n,
                                     double v)
{
  fe__moments_add(&s->mo, n, v);
  s->sum += v;
  if (n == 1 || v < s->min) {
    s->min = v;
  }
  if (n == 1 || v > s->max) {
    s->max = v;
  }
}

/* Bits of struct fe__cic_flow's bits field. */
enum {
  FE__FLOW_FWD_PSH = 0x01,  /* p0 had PSH */
  FE__FLOW_FWD_URG = 0x02,  /* p0 had URG */
  FE__FLOW_LAST_BWD = 0x04, /* the last packet added went backward */
};

/*
 * Per-flow state of the cic profile, 488 bytes. Counts that follow from
 * the packet counts are not stored: the packet-length statistic holds
 * fwd_n + bwd_n + 1 values (p0 twice), the flow gaps fwd_n + bwd_n - 1,
 * each direction's gaps one fewer than its packets. Only the last packet
 * of each direction is needed for gaps, and one of the two is the flow's
 * last packet, so only the other one is kept. Active periods need real
 * timestamps near zero to occur at all; their statistics live apart.
 */
struct fe__cic_flow {
  struct fe__entry entry; /* tuple = Flow ID orientation */
  uint32_t active;        /* active-period stats in the meter's pool, or 0 */
  uint16_t init_win_fwd;
  uint16_t init_win_bwd;
  uint8_t min_fwd_header; /* bytes; a TCP header is at most 60 */
  uint8_t bits;           /* FE__FLOW_* */
  uint8_t bulk_run;       /* packets in the bulk run, counted up to 5 */
  int64_t start;          /* ts of p0 */
  int64_t last;           /* ts of the last added packet */
  int64_t other_last;     /* ts of the last packet the other way */
  int64_t start_active;
  int64_t end_active;
  uint64_t fwd_n; /* packets */
  uint64_t bwd_n;
  int64_t fwd_header; /* sum of L4 header bytes */
  int64_t bwd_header;
  int64_t act_data; /* forward packets after p0 with payload */
  int64_t subflows;
  struct fe__bulk bulk;
  uint32_t flag_counts[8]; /* by bit of the TCP flags byte */
  uint32_t fwd_rst;        /* forward packets with RST (an extra column) */
  struct fe__len_stats fwd_len;
  struct fe__len_stats bwd_len;
  struct fe__moments all_len; /* p0 counted twice, as the reference does */
  double all_sum;
  struct fe__moments iat;
  double iat_min;
  double iat_max;
  struct fe__gap_stats fwd_iat;
  struct fe__gap_stats bwd_iat;
  struct fe__stats idle;
};

/*
 * The updates of one flow. periods is the pool of active-period
 * statistics (struct fe__stats); the calls that may add a period return
 * FE_ERR_NOMEM when it cannot grow. fe__cic_flow_start overwrites all
 * but the entry, so a flow that is restarted or released must first give
 * its period statistics back with fe__cic_flow_clear.
 */
void fe__cic_flow_start(struct fe__cic_flow *f, const struct fe__packet *p);
int fe__cic_flow_add(struct fe__cic_flow *f, struct fe__pool *periods,
                     const struct fe__packet *p);
int fe__cic_flow_active_idle(struct fe__cic_flow *f, struct fe__pool *periods,
                             int64_t now, int64_t threshold);
void fe__cic_flow_clear(struct fe__cic_flow *f, struct fe__pool *periods);
uint64_t fe__cic_flow_packets(const struct fe__cic_flow *f);

/* Time zone used for the Timestamp column. */
struct fe__tz;

int fe__tz_open(const char *name, struct fe__tz **out);
void fe__tz_free(struct fe__tz *tz);
int32_t fe__tz_offset(const struct fe__tz *tz, int64_t epoch_sec); /* s */

/*
 * Formats the row of f, whose active-period statistics are active (NULL
 * when it has none); label and tz as the meter's options say.
 */
void fe__cic_flow_row(const struct fe__cic_flow *f,
                      const struct fe__stats *active, const struct fe__tz *tz,
                      const char *label, struct fe_row *row);

/* "dd/MM/yyyy hh:mm:ss AM" for local seconds; buf of 32 bytes. */
void fe__format_timestamp(int64_t local_sec, char *buf);

/* "yyyy-MM-dd HH:mm:ss.uuuuuu" for local microseconds; buf of 40 bytes. */
void fe__format_iso_timestamp(int64_t local_us, char *buf);

/* Digits of the shortest decimal that reads back as d (d finite, > 0). */
int fe__shortest_digits(double d, char *digits, int *point);

/*
 * What the meter shares with a profile: where finished flows go (the
 * caller's callback, the options every row needs, the counters), and the
 * newest timestamp of any frame so far.
 */
struct fe__sink {
  fe_row_cb on_row;
  void *ctx;
  const struct fe__tz *tz;
  const char *label;
  uint64_t min_packets; /* flows of fewer packets are counted, not sent */
  struct fe_counters *counters;
  int stopped;       /* the callback asked to stop */
  int64_t latest_ts; /* newest frame timestamp, including this frame's */
  struct fe_row row;
};

/*
 * fe__sink_wants: whether a flow of this many packets is written; if not,
 * it is counted as dropped.
 */
int fe__sink_wants(struct fe__sink *s, uint64_t packets);

/* fe__sink_send: hands s->row to the callback; FE_ERR_STOPPED to stop. */
int fe__sink_send(struct fe__sink *s);

/* The corrected profile's flow table and lifecycle (corr_meter.c). */
struct fe__corr;

int fe__corr_new(const struct fe_options *o, struct fe__sink *sink,
                 struct fe__corr **out);
int fe__corr_add(struct fe__corr *c, const struct fe_frame *frame);
int fe__corr_finish(struct fe__corr *c);
size_t fe__corr_flow_state_size(void);
void fe__corr_free(struct fe__corr *c);

#endif /* FLOWENGINE_FE_INT_H */
