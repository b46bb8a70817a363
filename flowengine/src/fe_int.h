/* SPDX-License-Identifier: MIT */
/*
 * Private declarations of the flow engine: the decoded packet, streaming
 * statistics, the per-flow state of the cic profile, the hash table and
 * object pool that hold flows, and time zone conversion.
 */
#ifndef FLOWENGINE_FE_INT_H
#define FLOWENGINE_FE_INT_H

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

/* The endpoints of a flow, in the orientation of its Flow ID. */
struct fe__tuple {
  uint32_t src; /* IPv4 address, host byte order */
  uint32_t dst; /* IPv4 address, host byte order */
  uint16_t sport;
  uint16_t dport;
  uint8_t proto; /* 6, 17 or 0 */
};

/*
 * Time arithmetic wraps around like Java's long arithmetic, which the
 * reference uses; damaged captures do hold timestamps that far apart.
 */
static inline int64_t fe__wrap_sub(int64_t a, int64_t b)
{
  return (int64_t)((uint64_t)a - (uint64_t)b);
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
};

/*
 * fe__decode_cic: dissects a frame the way CICFlowMeter's jnetpcap does
 * (always from an Ethernet header, then from byte 0 as IPv4). Returns -1
 * when the frame is used, else the fe_ignore_reason.
 */
int fe__decode_cic(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                   struct fe__packet *out);

/* Streaming statistics computed exactly as commons-math3 does. */
struct fe__stats {
  uint64_t n;
  double mean;
  double m2; /* sum of squared deviations */
  double sum;
  double min;
  double max;
};

void fe__stats_add(struct fe__stats *s, double v);
double fe__stats_variance(const struct fe__stats *s); /* sample variance */
double fe__stats_std(const struct fe__stats *s);

/* Intrusive doubly linked list; a list head is a node linked to itself. */
struct fe__link {
  struct fe__link *prev;
  struct fe__link *next;
};

void fe__list_init(struct fe__link *head);
void fe__list_push_tail(struct fe__link *head, struct fe__link *node);
void fe__list_unlink(struct fe__link *node);
int fe__list_empty(const struct fe__link *head);

#define FE__CONTAINER(ptr, type, member)                                       \
  ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/*
 * Intrusive hash table keyed by a direction-free hash of a tuple, so a
 * packet finds its flow whichever way it travels. Grows by doubling up to
 * a fixed bucket limit; never frees its nodes.
 */
struct fe__hnode {
  struct fe__hnode *next;
  struct fe__tuple tuple;
  uint64_t hash;
};

struct fe__htab {
  struct fe__hnode **buckets;
  size_t mask; /* bucket count - 1 */
  size_t count;
  size_t max_buckets;
};

uint64_t fe__tuple_hash(const struct fe__tuple *t);
int fe__tuple_same_flow(const struct fe__tuple *a, const struct fe__tuple *b);
int fe__htab_init(struct fe__htab *t, size_t max_entries);
void fe__htab_cleanup(struct fe__htab *t);
void fe__htab_insert(struct fe__htab *t, struct fe__hnode *n);
void fe__htab_remove(struct fe__htab *t, struct fe__hnode *n);
struct fe__hnode *fe__htab_find(const struct fe__htab *t,
                                const struct fe__tuple *tuple, uint64_t hash);

/* Fixed-size object pool: slabs of objects and a free list. */
struct fe__pool {
  void *free_list;
  void *slabs; /* singly linked through each slab's first word */
  size_t object_size;
  size_t per_slab;
};

void fe__pool_init(struct fe__pool *p, size_t object_size);
void *fe__pool_get(struct fe__pool *p);
void fe__pool_put(struct fe__pool *p, void *obj);
void fe__pool_cleanup(struct fe__pool *p);

/* Bulk accumulator of the cic profile (one, fed by both directions). */
struct fe__bulk {
  int64_t start;     /* current run's first packet, 0 = no run */
  int64_t last;      /* current run's last packet */
  int64_t run_bytes; /* payload bytes in the current run */
  int64_t run_pkts;  /* packets in the current run */
  int64_t bulks;     /* runs that reached four packets */
  int64_t pkts;      /* packets in such runs */
  int64_t bytes;     /* payload bytes in such runs */
  int64_t dur;       /* microseconds spent in such runs */
};

/* Per-flow state of the cic profile. */
struct fe__cic_flow {
  struct fe__hnode node; /* tuple = Flow ID orientation */
  struct fe__link age;   /* meter's list, in order of flow start */
  int64_t start;         /* ts of p0 */
  int64_t last;          /* ts of the last added packet */
  int64_t fwd_last;
  int64_t bwd_last;
  int64_t fwd_header; /* sum of L4 header bytes */
  int64_t bwd_header;
  int64_t min_fwd_header;
  int64_t act_data; /* forward packets after p0 with payload */
  int64_t start_active;
  int64_t end_active;
  int64_t subflow_last; /* -1 before the first packet */
  int64_t subflows;
  struct fe__bulk bulk;
  uint32_t flag_counts[8]; /* by bit of the TCP flags byte */
  uint16_t init_win_fwd;
  uint16_t init_win_bwd;
  uint8_t fwd_psh;
  uint8_t fwd_urg;
  struct fe__stats all_len; /* p0 counted twice, as the reference does */
  struct fe__stats fwd_len;
  struct fe__stats bwd_len;
  struct fe__stats iat;
  struct fe__stats fwd_iat;
  struct fe__stats bwd_iat;
  struct fe__stats active;
  struct fe__stats idle;
};

void fe__cic_flow_start(struct fe__cic_flow *f, const struct fe__packet *p);
void fe__cic_flow_add(struct fe__cic_flow *f, const struct fe__packet *p);
void fe__cic_flow_active_idle(struct fe__cic_flow *f, int64_t now,
                              int64_t threshold);
uint64_t fe__cic_flow_packets(const struct fe__cic_flow *f);

/* Time zone used for the Timestamp column. */
struct fe__tz;

int fe__tz_open(const char *name, struct fe__tz **out);
void fe__tz_free(struct fe__tz *tz);
int32_t fe__tz_offset(const struct fe__tz *tz, int64_t epoch_sec); /* s */

/* Formats the row of f; label and tz as the meter's options say. */
void fe__cic_flow_row(const struct fe__cic_flow *f, const struct fe__tz *tz,
                      const char *label, struct fe_row *row);

/* "dd/MM/yyyy hh:mm:ss AM" for local seconds; buf of 32 bytes. */
void fe__format_timestamp(int64_t local_sec, char *buf);

/* Digits of the shortest decimal that reads back as d (d finite, > 0). */
int fe__shortest_digits(double d, char *digits, int *point);

#endif /* FLOWENGINE_FE_INT_H */
