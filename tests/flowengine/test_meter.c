/* SPDX-License-Identifier: MIT */
/*
 * Tests of meter.c through the public API only: hand-built Ethernet/IPv4
 * frames go in through fe_meter_add_frame, rows come out through the
 * callback as CSV text, and the assertions read single cells by column
 * name. Each scenario follows a rule of cic-profile.md §3.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "flowengine/meter.h"
#include "flowengine/row.h"

Suite *fe_meter_suite(void);

/* 2017-07-05 16:00:00 UTC, in microseconds. */
#define T0 INT64_C(1499270400000000)
#define SEC INT64_C(1000000)
#define MSEC INT64_C(1000)

#define IP_A 0x0A000001u /* 10.0.0.1, the client */
#define IP_B 0x0A000002u /* 10.0.0.2, the server */
#define IP_C 0x0A000003u
#define IP_D 0x0A000004u
#define IP_E 0x0A000005u

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

#define MAX_ROWS 8

struct pkt {
  int64_t ts;
  uint32_t src;
  uint32_t dst;
  uint16_t sport;
  uint16_t dport;
  uint8_t proto;
  uint8_t flags;
  uint16_t window;
  uint16_t payload;
};

struct rows {
  size_t count;   /* rows received, also those not stored */
  size_t stop_at; /* the callback stops the meter at this row; 0 never */
  char csv[MAX_ROWS][FE_ROW_CSV_MAX];
};

static struct rows rows;
static struct fe_meter *meter;

static int collect(void *ctx, const struct fe_row *row)
{
  struct rows *r = ctx;

  if (r->count < MAX_ROWS) {
    fe_row_format_csv(row, r->csv[r->count]);
  }
  r->count++;
  return r->stop_at != 0 && r->count >= r->stop_at;
}

static void setup(void)
{
  memset(&rows, 0, sizeof(rows));
  meter = NULL;
}

static void teardown(void)
{
  fe_meter_free(meter);
  meter = NULL;
}

static void open_meter(const struct fe_options *o)
{
  ck_assert_int_eq(fe_meter_new(o, collect, &rows, &meter), 0);
}

static void open_default_meter(void)
{
  struct fe_options o;

  fe_options_init(&o);
  open_meter(&o);
}

static void put16(uint8_t *b, unsigned v)
{
  b[0] = (uint8_t)(v >> 8);
  b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
  put16(b, v >> 16);
  put16(b + 2, v & 0xFFFF);
}

/* Ethernet + IPv4 (20 bytes) + TCP (20 bytes) or UDP + zero payload. */
static uint32_t build_frame(const struct pkt *p, uint8_t *f)
{
  static const uint8_t eth[14] = {0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c, 0x00,
                                  0x0c, 0x29, 0x01, 0x02, 0x03, 0x08, 0x00};
  unsigned l4 = p->proto == 6 ? 20 : 8;
  unsigned total = 20 + l4 + p->payload;
  uint8_t *ip = f + 14;
  uint8_t *t = ip + 20;

  memset(f, 0, 14 + total);
  memcpy(f, eth, sizeof(eth));
  ip[0] = 0x45;
  put16(ip + 2, total);
  ip[6] = 0x40;
  ip[8] = 64;
  ip[9] = p->proto;
  put32(ip + 12, p->src);
  put32(ip + 16, p->dst);
  put16(t, p->sport);
  put16(t + 2, p->dport);
  if (p->proto == 6) {
    t[12] = 0x50;
    t[13] = p->flags;
    put16(t + 14, p->window);
  } else {
    put16(t + 4, 8 + p->payload);
  }
  return 14 + total;
}

static int feed_raw(int64_t ts, const uint8_t *data, uint32_t len)
{
  struct fe_frame fr;

  fr.ts_us = ts;
  fr.data = data;
  fr.caplen = len;
  fr.wirelen = len;
  fr.link_type = 1; /* DLT_EN10MB */
  return fe_meter_add_frame(meter, &fr);
}

static int feed(struct pkt p)
{
  uint8_t f[1600];

  return feed_raw(p.ts, f, build_frame(&p, f));
}

static void send_pkt(struct pkt p)
{
  ck_assert_int_eq(feed(p), 0);
}

static void send_many(struct pkt p, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    send_pkt(p);
  }
}

static void finish(void)
{
  ck_assert_int_eq(fe_meter_finish(meter), 0);
}

/* 10.0.0.1:40000 -> 10.0.0.2:80 (client to server) over TCP. */
static struct pkt tcp_ab(int64_t ts, uint8_t flags)
{
  struct pkt p = {ts, IP_A, IP_B, 40000, 80, 6, flags, 512, 0};

  return p;
}

/* 10.0.0.2:80 -> 10.0.0.1:40000 (server to client) over TCP. */
static struct pkt tcp_ba(int64_t ts, uint8_t flags)
{
  struct pkt p = {ts, IP_B, IP_A, 80, 40000, 6, flags, 512, 0};

  return p;
}

/* A UDP query src:5000 -> dst:53. */
static struct pkt udp(int64_t ts, uint32_t src, uint32_t dst)
{
  struct pkt p = {ts, src, dst, 5000, 53, 17, 0, 0, 0};

  return p;
}

/* The answer to udp(ts, dst, src): src:53 -> dst:5000. */
static struct pkt udp_answer(int64_t ts, uint32_t src, uint32_t dst)
{
  struct pkt p = {ts, src, dst, 53, 5000, 17, 0, 0, 0};

  return p;
}

static size_t column(const char *name)
{
  for (size_t i = 0; i < FE_ROW_COLUMNS; i++) {
    if (strcmp(fe_column_name(i), name) == 0) {
      return i;
    }
  }
  ck_abort_msg("no column named %s", name);
  return 0;
}

/* The text of one cell of a stored row; valid until the next call. */
static const char *cell(size_t row, const char *name)
{
  static char out[FE_ROW_CSV_MAX];
  size_t col = column(name);
  const char *p;
  size_t len;

  ck_assert_msg(row < rows.count && row < MAX_ROWS, "no row %zu", row);
  p = rows.csv[row];
  for (size_t i = 0; i < col; i++) {
    p = strchr(p, ',');
    ck_assert_ptr_nonnull(p);
    p++;
  }
  len = strcspn(p, ",\n");
  memcpy(out, p, len);
  out[len] = '\0';
  return out;
}

static const struct fe_counters *counters(void)
{
  return fe_meter_counters(meter);
}

START_TEST(test_fe_options_init_defaults_match_reference)
{
  struct fe_options o;

  /* CICFlowMeter's 120 s flow timeout and 5 s activity timeout (§3). */
  fe_options_init(&o);
  ck_assert_int_eq(o.profile, FE_PROFILE_CIC);
  ck_assert_int_eq(o.flow_timeout_us, 120 * SEC);
  ck_assert_int_eq(o.activity_timeout_us, 5 * SEC);
  ck_assert_str_eq(o.label, "No Label");
  ck_assert_str_eq(o.time_zone, "UTC");
  ck_assert_uint_gt(o.max_flows, 0);
}
END_TEST

/* Labels go into the CSV unquoted, so these must be refused. */
static const char *const invalid_labels[] = {
    "benign,dos", "benign\n", "\"benign\"", "tab\there", "del\x7f",
};

START_TEST(test_fe_meter_new_label_with_csv_breaker_returns_invalid)
{
  struct fe_options o;

  fe_options_init(&o);
  o.label = invalid_labels[_i];
  ck_assert_int_eq(fe_meter_new(&o, collect, &rows, &meter), FE_ERR_INVALID);
  ck_assert_ptr_null(meter);
}
END_TEST

START_TEST(test_fe_meter_new_label_of_128_bytes_returns_invalid)
{
  char label[FE_LABEL_MAX + 1];
  struct fe_options o;

  /* FE_LABEL_MAX (128) counts the terminator: 128 characters are too many. */
  memset(label, 'x', FE_LABEL_MAX);
  label[FE_LABEL_MAX] = '\0';
  fe_options_init(&o);
  o.label = label;
  ck_assert_int_eq(fe_meter_new(&o, collect, &rows, &meter), FE_ERR_INVALID);
}
END_TEST

START_TEST(test_fe_meter_new_label_of_127_bytes_succeeds)
{
  char label[FE_LABEL_MAX];
  struct fe_options o;

  memset(label, 'x', FE_LABEL_MAX - 1);
  label[FE_LABEL_MAX - 1] = '\0';
  fe_options_init(&o);
  o.label = label;
  ck_assert_int_eq(fe_meter_new(&o, collect, &rows, &meter), 0);
  ck_assert_ptr_nonnull(meter);
}
END_TEST

/* Case i of the loop test below breaks one option (or the callback). */
#define BAD_OPTION_CASES 7

START_TEST(test_fe_meter_new_out_of_range_option_returns_invalid)
{
  struct fe_options o;
  fe_row_cb cb = collect;

  fe_options_init(&o);
  switch (_i) {
  case 0:
    o.flow_timeout_us = 0;
    break;
  case 1:
    o.activity_timeout_us = -1;
    break;
  case 2:
    o.max_flows = 0;
    break;
  case 3:
    o.label = NULL;
    break;
  case 4:
    o.time_zone = NULL;
    break;
  case 5:
    o.reorder_slack_us = -1;
    break;
  default:
    cb = NULL;
    break;
  }
  ck_assert_int_eq(fe_meter_new(&o, cb, &rows, &meter), FE_ERR_INVALID);
  ck_assert_ptr_null(meter);
}
END_TEST

START_TEST(test_fe_options_check_defaults_returns_ok)
{
  struct fe_options o;
  char why[128] = "";

  fe_options_init(&o);
  ck_assert_int_eq(fe_options_check(&o, why, sizeof(why)), 0);
}
END_TEST

START_TEST(test_fe_options_check_unknown_zone_names_time_zone)
{
  struct fe_options o;
  char why[128] = "";

  /* The reason is meant for the user, so it must name the option. */
  fe_options_init(&o);
  o.time_zone = "Mars/Olympus_Mons";
  ck_assert_int_eq(fe_options_check(&o, why, sizeof(why)), FE_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(why, "time zone"));
}
END_TEST

START_TEST(test_fe_meter_add_frame_row_carries_configured_label)
{
  struct fe_options o;

  fe_options_init(&o);
  o.label = "DoS Hulk";
  open_meter(&o);
  send_pkt(tcp_ab(T0, ACK));
  send_pkt(tcp_ba(T0 + MSEC, ACK));
  finish();
  ck_assert_uint_eq(rows.count, 1);
  ck_assert_str_eq(cell(0, "Label"), "DoS Hulk");
}
END_TEST

START_TEST(test_fe_meter_add_frame_first_fin_closes_flow)
{
  open_default_meter();
  send_pkt(tcp_ab(T0, SYN));
  send_pkt(tcp_ba(T0 + 1 * MSEC, SYN | ACK));
  send_pkt(tcp_ab(T0 + 2 * MSEC, FIN | ACK));

  /* The client's FIN ends the flow at once, before the teardown ends. */
  ck_assert_uint_eq(rows.count, 1);
  ck_assert_str_eq(cell(0, "Flow ID"), "10.0.0.1-10.0.0.2-40000-80-6");
  ck_assert_str_eq(cell(0, "Tot Fwd Pkts"), "2");
  ck_assert_str_eq(cell(0, "Tot Bwd Pkts"), "1");
  ck_assert_str_eq(cell(0, "FIN Flag Cnt"), "1");
  ck_assert_str_eq(cell(0, "SYN Flag Cnt"), "2");

  /*
   * The rest of the teardown opens a second flow keyed the server's way;
   * its opening FIN does not close it (§3.3, quirk 1).
   */
  send_pkt(tcp_ba(T0 + 3 * MSEC, FIN | ACK));
  send_pkt(tcp_ab(T0 + 4 * MSEC, ACK));
  ck_assert_uint_eq(rows.count, 1);
  finish();
  ck_assert_uint_eq(rows.count, 2);
  ck_assert_str_eq(cell(1, "Flow ID"), "10.0.0.2-10.0.0.1-80-40000-6");
  ck_assert_str_eq(cell(1, "Src IP"), "10.0.0.2");
  ck_assert_str_eq(cell(1, "Src Port"), "80");
  ck_assert_str_eq(cell(1, "Tot Fwd Pkts"), "1");
  ck_assert_str_eq(cell(1, "Tot Bwd Pkts"), "1");
  ck_assert_str_eq(cell(1, "FIN Flag Cnt"), "1");
}
END_TEST

START_TEST(test_fe_meter_add_frame_backward_fin_closes_flow)
{
  open_default_meter();
  send_pkt(tcp_ab(T0, ACK | PSH));
  send_pkt(tcp_ba(T0 + MSEC, FIN | ACK));

  /* A FIN from either side closes the flow, here after two packets. */
  ck_assert_uint_eq(rows.count, 1);
  ck_assert_str_eq(cell(0, "Tot Fwd Pkts"), "1");
  ck_assert_str_eq(cell(0, "Tot Bwd Pkts"), "1");
  ck_assert_uint_eq(counters()->open_flows, 0);
}
END_TEST

START_TEST(test_fe_meter_add_frame_rst_keeps_flow_open)
{
  open_default_meter();
  send_pkt(tcp_ab(T0, SYN));
  send_pkt(tcp_ba(T0 + MSEC, RST | ACK));
  send_pkt(tcp_ab(T0 + 2 * MSEC, ACK));

  /* RST never closes a flow: all three packets are written at the end. */
  ck_assert_uint_eq(rows.count, 0);
  finish();
  ck_assert_uint_eq(rows.count, 1);
  ck_assert_str_eq(cell(0, "Tot Fwd Pkts"), "2");
  ck_assert_str_eq(cell(0, "Tot Bwd Pkts"), "1");
  ck_assert_str_eq(cell(0, "RST Flag Cnt"), "1");
  ck_assert_str_eq(cell(0, "Flow Duration"), "2000");
}
END_TEST

START_TEST(test_fe_meter_finish_single_packet_flow_is_not_written)
{
  open_default_meter();
  send_pkt(tcp_ab(T0, SYN));
  finish();

  /* A lone SYN (a port scan probe) leaves no row (§3.4, quirk 4). */
  ck_assert_uint_eq(rows.count, 0);
  ck_assert_uint_eq(counters()->flows_dropped_single, 1);
  ck_assert_uint_eq(counters()->flows_written, 0);
}
END_TEST

START_TEST(test_fe_meter_add_frame_same_address_makes_all_packets_forward)
{
  struct pkt out = {T0, 0x7F000001u, 0x7F000001u, 5000, 6000, 6, ACK, 1, 0};
  struct pkt back = {T0 + MSEC, 0x7F000001u, 0x7F000001u, 6000, 5000,
                     6,         ACK,         1,           0};

  /* Direction compares addresses only; loopback is all forward (§3.2). */
  open_default_meter();
  send_pkt(out);
  send_pkt(back);
  finish();
  ck_assert_uint_eq(rows.count, 1);
  ck_assert_str_eq(cell(0, "Tot Fwd Pkts"), "2");
  ck_assert_str_eq(cell(0, "Tot Bwd Pkts"), "0");
}
END_TEST

START_TEST(test_fe_meter_add_frame_exactly_at_timeout_joins_flow)
{
  open_default_meter();
  send_pkt(tcp_ab(T0, ACK));
  send_pkt(tcp_ba(T0 + 120 * SEC, ACK));

  /* The timeout test is strictly greater than 120 s (§3.3). */
  ck_assert_uint_eq(rows.count, 0);
  finish();
  ck_assert_uint_eq(rows.count, 1);
  ck_assert_str_eq(cell(0, "Flow Duration"), "120000000");
  ck_assert_str_eq(cell(0, "Tot Bwd Pkts"), "1");
}
END_TEST

START_TEST(test_fe_meter_add_frame_after_timeout_keeps_old_orientation)
{
  struct pkt p;

  open_default_meter();
  send_pkt(tcp_ab(T0, ACK));
  send_pkt(tcp_ba(T0 + 100 * SEC, ACK));

  /*
   * 121 s after the first packet but only 21 s after the last one: the
   * timeout counts from the flow's start, so the flow is cut here.
   */
  p = tcp_ba(T0 + 121 * SEC, ACK);
  p.window = 3000;
  send_pkt(p);
  ck_assert_uint_eq(rows.count, 1);
  ck_assert_str_eq(cell(0, "Flow Duration"), "100000000");
  ck_assert_str_eq(cell(0, "Tot Fwd Pkts"), "1");
  ck_assert_str_eq(cell(0, "Tot Bwd Pkts"), "1");

  p = tcp_ab(T0 + 122 * SEC, ACK);
  send_pkt(p);
  p = tcp_ba(T0 + 123 * SEC, ACK);
  p.window = 5000;
  send_pkt(p);
  finish();

  /*
   * The new flow keeps the client's orientation although the server's
   * packet started it; that packet counts as forward (Init Fwd Win is
   * its window), the client's packet as forward too (same Src IP), and
   * the server's next packet as backward (§3.3, quirk 2).
   */
  ck_assert_uint_eq(rows.count, 2);
  ck_assert_str_eq(cell(1, "Flow ID"), "10.0.0.1-10.0.0.2-40000-80-6");
  ck_assert_str_eq(cell(1, "Src IP"), "10.0.0.1");
  ck_assert_str_eq(cell(1, "Src Port"), "40000");
  ck_assert_str_eq(cell(1, "Dst IP"), "10.0.0.2");
  ck_assert_str_eq(cell(1, "Dst Port"), "80");
  ck_assert_str_eq(cell(1, "Timestamp"), "05/07/2017 04:02:01 PM");
  ck_assert_str_eq(cell(1, "Tot Fwd Pkts"), "2");
  ck_assert_str_eq(cell(1, "Tot Bwd Pkts"), "1");
  ck_assert_str_eq(cell(1, "Init Fwd Win Byts"), "3000");
  ck_assert_str_eq(cell(1, "Init Bwd Win Byts"), "5000");
}
END_TEST

START_TEST(test_fe_meter_add_frame_fin_after_timeout_opens_new_flow)
{
  open_default_meter();
  send_pkt(tcp_ab(T0, ACK));
  send_pkt(tcp_ba(T0 + SEC, ACK));
  send_pkt(tcp_ab(T0 + 121 * SEC, FIN | ACK));

  /* Timeout is checked before FIN: the FIN starts the next flow. */
  ck_assert_uint_eq(rows.count, 1);
  ck_assert_str_eq(cell(0, "FIN Flag Cnt"), "0");
  send_pkt(tcp_ba(T0 + 122 * SEC, ACK));
  ck_assert_uint_eq(rows.count, 1);
  finish();
  ck_assert_uint_eq(rows.count, 2);
  ck_assert_str_eq(cell(1, "FIN Flag Cnt"), "1");
  ck_assert_str_eq(cell(1, "Tot Fwd Pkts"), "1");
  ck_assert_str_eq(cell(1, "Tot Bwd Pkts"), "1");
}
END_TEST

/*
 * Drives the capture clock past a client flow started at T0, with a
 * 10 s timeout and no reorder slack. The clock moves once per 1024 used
 * packets, to the oldest timestamp of the block, so:
 * - block 1: the flow's 2 packets + 1022 UDP packets at T0 + 2 ms; the
 *   clock becomes T0 and nothing expires;
 * - block 2: 1024 UDP packets at T0 + 20 s. The first one cuts the UDP
 *   flow by its own timeout (row 0); at the end the clock is T0 + 20 s,
 *   20 s > 10 s, and the client flow is written early (row 1).
 */
static void expire_client_flow_by_clock(size_t max_expired_keys)
{
  struct fe_options o;

  fe_options_init(&o);
  o.flow_timeout_us = 10 * SEC;
  o.reorder_slack_us = 0;
  o.max_expired_keys = max_expired_keys;
  open_meter(&o);
  send_pkt(tcp_ab(T0, ACK));
  send_pkt(tcp_ba(T0 + MSEC, ACK));
  send_many(udp(T0 + 2 * MSEC, IP_C, IP_D), 1022);
  ck_assert_uint_eq(rows.count, 0);
  send_many(udp(T0 + 20 * SEC, IP_C, IP_D), 1024);
  ck_assert_uint_eq(rows.count, 2);
  ck_assert_str_eq(cell(0, "Tot Fwd Pkts"), "1022");
  ck_assert_str_eq(cell(1, "Flow ID"), "10.0.0.1-10.0.0.2-40000-80-6");
  ck_assert_uint_eq(counters()->open_flows, 1);
}

START_TEST(test_fe_meter_add_frame_after_clock_expiry_keeps_old_orientation)
{
  struct pkt p;

  expire_client_flow_by_clock(16);

  /*
   * The server speaks first after the expiry. CICFlowMeter still held
   * the old flow and restarts it in the client's orientation, so the
   * remembered key must give the same Flow ID and Src as the in-table
   * timeout path does.
   */
  p = tcp_ba(T0 + 30 * SEC, ACK);
  p.window = 3000;
  send_pkt(p);
  send_pkt(tcp_ab(T0 + 30 * SEC + 500 * MSEC, ACK));
  send_pkt(tcp_ba(T0 + 31 * SEC, ACK));
  finish();
  ck_assert_uint_eq(rows.count, 4);
  ck_assert_str_eq(cell(3, "Flow ID"), "10.0.0.1-10.0.0.2-40000-80-6");
  ck_assert_str_eq(cell(3, "Src IP"), "10.0.0.1");
  ck_assert_str_eq(cell(3, "Src Port"), "40000");
  ck_assert_str_eq(cell(3, "Tot Fwd Pkts"), "2");
  ck_assert_str_eq(cell(3, "Tot Bwd Pkts"), "1");
  ck_assert_str_eq(cell(3, "Init Fwd Win Byts"), "3000");
  ck_assert_uint_eq(counters()->packets_late, 0);
}
END_TEST

START_TEST(test_fe_meter_add_frame_expired_flow_packet_within_timeout_is_late)
{
  expire_client_flow_by_clock(16);

  /*
   * A packet stamped T0 + 5 s arrives after the flow was written: within
   * the 10 s timeout the reference would have added it to that flow, so
   * it is counted as late. It still opens the next flow the old way.
   */
  send_pkt(tcp_ba(T0 + 5 * SEC, ACK));
  ck_assert_uint_eq(counters()->packets_late, 1);
  send_pkt(tcp_ab(T0 + 6 * SEC, ACK));
  finish();
  ck_assert_uint_eq(rows.count, 4);
  ck_assert_str_eq(cell(3, "Src IP"), "10.0.0.1");
}
END_TEST

START_TEST(test_fe_meter_add_frame_without_expired_keys_uses_packet_order)
{
  expire_client_flow_by_clock(0);

  /*
   * With no memory for expired keys the orientation is lost: the server's
   * packet opens a flow of its own, keyed the server's way.
   */
  send_pkt(tcp_ba(T0 + 30 * SEC, ACK));
  send_pkt(tcp_ab(T0 + 31 * SEC, ACK));
  finish();
  ck_assert_uint_eq(rows.count, 4);
  ck_assert_str_eq(cell(3, "Flow ID"), "10.0.0.2-10.0.0.1-80-40000-6");
}
END_TEST

START_TEST(test_fe_meter_add_frame_at_flow_limit_writes_oldest_early)
{
  struct fe_options o;

  fe_options_init(&o);
  o.max_flows = 2;
  open_meter(&o);
  send_pkt(tcp_ab(T0, ACK));
  send_pkt(tcp_ba(T0 + 1 * MSEC, ACK));
  send_pkt(udp(T0 + 2 * MSEC, IP_C, IP_D));
  send_pkt(udp_answer(T0 + 3 * MSEC, IP_D, IP_C));
  ck_assert_uint_eq(rows.count, 0);

  /* A third flow does not fit: the oldest (the TCP one) is written. */
  send_pkt(udp(T0 + 4 * MSEC, IP_E, IP_D));
  ck_assert_uint_eq(rows.count, 1);
  ck_assert_str_eq(cell(0, "Flow ID"), "10.0.0.1-10.0.0.2-40000-80-6");
  ck_assert_uint_eq(counters()->flows_cut_at_limit, 1);
  ck_assert_uint_eq(counters()->open_flows, 2);
  ck_assert_uint_eq(counters()->peak_open_flows, 2);

  /* At the end the UDP pair is written; the lone packet is dropped. */
  finish();
  ck_assert_uint_eq(rows.count, 2);
  ck_assert_str_eq(cell(1, "Flow ID"), "10.0.0.3-10.0.0.4-5000-53-17");
  ck_assert_uint_eq(counters()->flows_written, 2);
  ck_assert_uint_eq(counters()->flows_dropped_single, 1);
}
END_TEST

START_TEST(test_fe_meter_add_frame_mixed_frames_counts_each_kind)
{
  uint8_t f[1600];
  uint8_t runt[10] = {0};
  uint32_t len;

  open_default_meter();
  send_pkt(tcp_ab(T0, SYN));

  /* An LLDP frame: EtherType 0x88cc, and byte 0 (0x00) is IHL 0. */
  len = build_frame(&(struct pkt){T0, IP_A, IP_B, 1, 2, 6, 0, 0, 0}, f);
  put16(f + 12, 0x88CC);
  ck_assert_int_eq(feed_raw(T0 + 1, f, len), 0);

  /* Ten bytes: not even an Ethernet header. */
  ck_assert_int_eq(feed_raw(T0 + 2, runt, sizeof(runt)), 0);

  /* IPv4 with IHL 4: a 16-byte header, below the minimum of 20. */
  len = build_frame(&(struct pkt){T0, IP_A, IP_B, 1, 2, 6, 0, 0, 0}, f);
  f[14] = 0x44;
  ck_assert_int_eq(feed_raw(T0 + 3, f, len), 0);

  ck_assert_uint_eq(counters()->packets_read, 4);
  ck_assert_uint_eq(counters()->packets_used, 1);
  ck_assert_uint_eq(counters()->packets_ignored[FE_IGNORE_NO_IPV4], 2);
  ck_assert_uint_eq(counters()->packets_ignored[FE_IGNORE_MALFORMED], 1);
  ck_assert_uint_eq(counters()->open_flows, 1);
}
END_TEST

START_TEST(test_fe_meter_finish_writes_open_flows_in_start_order)
{
  open_default_meter();
  send_pkt(udp(T0, IP_A, IP_B));
  send_pkt(udp(T0 + 1, IP_C, IP_D));
  send_pkt(udp(T0 + 2, IP_E, IP_D));
  send_pkt(udp_answer(T0 + 3, IP_D, IP_E));
  send_pkt(udp_answer(T0 + 4, IP_D, IP_C));
  send_pkt(udp_answer(T0 + 5, IP_B, IP_A));
  finish();
  ck_assert_uint_eq(rows.count, 3);
  ck_assert_str_eq(cell(0, "Src IP"), "10.0.0.1");
  ck_assert_str_eq(cell(1, "Src IP"), "10.0.0.3");
  ck_assert_str_eq(cell(2, "Src IP"), "10.0.0.5");
}
END_TEST

START_TEST(test_fe_meter_add_frame_callback_stop_returns_stopped)
{
  open_default_meter();
  rows.stop_at = 1;
  send_pkt(tcp_ab(T0, ACK));
  ck_assert_int_eq(feed(tcp_ba(T0 + MSEC, FIN | ACK)), FE_ERR_STOPPED);
  ck_assert_uint_eq(rows.count, 1);

  /* A stopped meter takes no more frames and cannot be finished. */
  ck_assert_int_eq(feed(tcp_ab(T0 + 2 * MSEC, ACK)), FE_ERR_INVALID);
  ck_assert_int_eq(fe_meter_finish(meter), FE_ERR_STOPPED);
  ck_assert_uint_eq(counters()->packets_read, 2);
}
END_TEST

START_TEST(test_fe_meter_add_frame_after_finish_returns_invalid)
{
  open_default_meter();
  send_pkt(tcp_ab(T0, ACK));
  finish();
  ck_assert_int_eq(feed(tcp_ab(T0 + 1, ACK)), FE_ERR_INVALID);
  ck_assert_uint_eq(counters()->packets_read, 1);
}
END_TEST

START_TEST(test_fe_row_format_csv_zero_duration_prints_infinity_and_nan)
{
  /*
   * Two empty segments in the same microsecond: duration 0, so the rates
   * divide by 0.0 seconds. Flow Byts/s is 0.0 / 0.0 = NaN, Flow Pkts/s
   * 2 / 0.0 = Infinity, and Fwd/Bwd Pkts/s take their 0.0 branch
   * (§4.2 columns 21, 22, 43, 44; quirk 21).
   */
  open_default_meter();
  send_pkt(tcp_ab(T0, ACK));
  send_pkt(tcp_ba(T0, ACK));
  finish();
  ck_assert_uint_eq(rows.count, 1);
  ck_assert_str_eq(cell(0, "Flow Duration"), "0");
  ck_assert_str_eq(cell(0, "Flow Byts/s"), "NaN");
  ck_assert_str_eq(cell(0, "Flow Pkts/s"), "Infinity");
  ck_assert_str_eq(cell(0, "Fwd Pkts/s"), "0.0");
  ck_assert_str_eq(cell(0, "Bwd Pkts/s"), "0.0");
}
END_TEST

START_TEST(test_fe_row_format_csv_udp_exchange_gives_hand_computed_row)
{
  struct pkt q = {T0, IP_A, IP_B, 1234, 53, 17, 0, 0, 10};
  struct pkt r = {T0 + 500 * MSEC, IP_B, IP_A, 53, 1234, 17, 0, 0, 30};

  /*
   * A 10-byte query and a 30-byte answer 0.5 s later; UDP, so no flags
   * and windows. Column by column (§4.2):
   * - identity: Timestamp of T0 is 05/07/2017 04:00:00 PM;
   * - duration 500000; 1 forward, 1 backward; lengths 10.0 and 30.0;
   * - Fwd/Bwd Pkt Len Max/Min/Mean/Std: 10,10,10,0 and 30,30,30,0;
   * - Flow Byts/s 40 / 0.5 = 80.0; Flow Pkts/s 2 / 0.5 = 4.0;
   * - Flow IAT: one value, 500000.0 (std 0.0);
   * - Fwd/Bwd IAT: one packet each way, so the integer 0 five times;
   * - PSH/URG 0,0,0,0; header lengths 8 and 8;
   * - Fwd/Bwd Pkts/s 1 / 0.5 = 2.0 each;
   * - Pkt Len over {10, 10, 30} (p0 twice): min 10.0, max 30.0, mean
   *   10 + 20/3 = 16.666666666666668, M2 = 2 * 20 * 6.666666666666667 =
   *   266.6666666666667, var 133.33333333333334, std 11.547005383792516;
   * - 8 flag counts 0; Down/Up 1/1 = 1.0; Pkt Size Avg (10+10+30)/2 =
   *   25.0; Fwd/Bwd Seg Size Avg 10.0 and 30.0;
   * - bulk: 2 payload packets never make a bulk of 4: six 0;
   * - subflows: both packets count (epoch-sized ts), so 2 subflows:
   *   1/2 = 0 packets, 10/2 = 5 bytes, 0, 30/2 = 15;
   * - Init windows 0 and 0, Fwd Act Data 0 (p0 not counted), Fwd Seg
   *   Size Min 8; Active and Idle lists empty: 0 eight times.
   */
  open_default_meter();
  send_pkt(q);
  send_pkt(r);
  finish();
  ck_assert_uint_eq(rows.count, 1);
  ck_assert_str_eq(rows.csv[0],
                   "10.0.0.1-10.0.0.2-1234-53-17,10.0.0.1,1234,10.0.0.2,53,17,"
                   "05/07/2017 04:00:00 PM,500000,1,1,10.0,30.0,"
                   "10.0,10.0,10.0,0.0,30.0,30.0,30.0,0.0,80.0,4.0,"
                   "500000.0,0.0,500000.0,500000.0,0,0,0,0,0,0,0,0,0,0,"
                   "0,0,0,0,8,8,2.0,2.0,"
                   "10.0,30.0,16.666666666666668,11.547005383792516,"
                   "133.33333333333334,0,0,0,0,0,0,0,0,1.0,25.0,10.0,30.0,"
                   "0,0,0,0,0,0,0,5,0,15,0,0,0,8,0,0,0,0,0,0,0,0,"
                   "No Label\n");
}
END_TEST

START_TEST(test_fe_row_format_csv_tcp_closed_by_fin_gives_hand_computed_row)
{
  struct pkt syn = {T0, IP_A, IP_B, 40000, 80, 6, SYN, 29200, 0};
  struct pkt synack = {T0 + 1 * MSEC, IP_B,  IP_A, 80, 40000, 6,
                       SYN | ACK,     28960, 0};
  struct pkt fin = {T0 + 3 * MSEC,   IP_A, IP_B, 40000, 80, 6,
                    FIN | PSH | ACK, 229,  100};

  /*
   * SYN, SYN-ACK 1 ms later, then the client's FIN with 100 bytes 2 ms
   * after that; the FIN closes the flow during add_frame.
   * - duration 3000; 2 forward (0 and 100 bytes), 1 backward (0);
   * - Fwd Pkt Len 100.0, 0.0, mean 50.0, std sqrt(5000) =
   *   70.71067811865476; Bwd 0.0 four times (one packet, so doubles);
   * - Flow Byts/s 100 / 0.003 = 33333.333333333336; Flow Pkts/s
   *   3 / 0.003 = 1000.0;
   * - Flow IAT {1000, 2000}: mean 1500.0, std sqrt(500000) =
   *   707.1067811865476, max 2000.0, min 1000.0;
   * - Fwd IAT {3000}: 3000.0, 3000.0, 0.0, 3000.0, 3000.0; Bwd IAT 0 x5;
   * - Fwd PSH looks at p0 only (no PSH): 0,0,0,0; headers 40 and 20;
   * - Fwd Pkts/s 2 / 0.003 = 666.6666666666666, Bwd 333.3333333333333;
   * - Pkt Len {0, 0, 0, 100}: 0.0, 100.0, mean 25.0, M2 = 3 * 100 * 25 =
   *   7500, var 2500.0, std 50.0;
   * - flags FIN 1, SYN 2, RST 0, PSH 1, ACK 2, URG 0, CWR 0, ECE 0;
   * - Down/Up 1/2 = 0 -> 0.0; Pkt Size Avg 100 / 3 = 33.333333333333336;
   *   Fwd Seg Size Avg 50.0, Bwd 0.0;
   * - one payload packet, no bulk: six 0; 3 subflows: 2/3 = 0,
   *   100/3 = 33, 1/3 = 0, 0/3 = 0;
   * - Init Fwd Win 29200 (SYN), Init Bwd Win 28960 (last backward),
   *   Fwd Act Data 1 (the FIN with data), Fwd Seg Size Min 20;
   * - Active and Idle empty: 0 eight times.
   */
  open_default_meter();
  send_pkt(syn);
  send_pkt(synack);
  send_pkt(fin);
  ck_assert_uint_eq(rows.count, 1);
  ck_assert_str_eq(rows.csv[0],
                   "10.0.0.1-10.0.0.2-40000-80-6,10.0.0.1,40000,10.0.0.2,80,6,"
                   "05/07/2017 04:00:00 PM,3000,2,1,100.0,0.0,"
                   "100.0,0.0,50.0,70.71067811865476,0.0,0.0,0.0,0.0,"
                   "33333.333333333336,1000.0,"
                   "1500.0,707.1067811865476,2000.0,1000.0,"
                   "3000.0,3000.0,0.0,3000.0,3000.0,0,0,0,0,0,"
                   "0,0,0,0,40,20,666.6666666666666,333.3333333333333,"
                   "0.0,100.0,25.0,50.0,2500.0,1,2,0,1,2,0,0,0,"
                   "0.0,33.333333333333336,50.0,0.0,"
                   "0,0,0,0,0,0,0,33,0,0,29200,28960,1,20,"
                   "0,0,0,0,0,0,0,0,No Label\n");
}
END_TEST

Suite *fe_meter_suite(void)
{
  Suite *s = suite_create("meter");
  TCase *opts = tcase_create("options");
  TCase *life = tcase_create("lifecycle");
  TCase *rows_tc = tcase_create("rows");

  tcase_add_checked_fixture(opts, setup, teardown);
  tcase_add_test(opts, test_fe_options_init_defaults_match_reference);
  tcase_add_loop_test(
      opts, test_fe_meter_new_label_with_csv_breaker_returns_invalid, 0,
      (int)(sizeof(invalid_labels) / sizeof(invalid_labels[0])));
  tcase_add_test(opts, test_fe_meter_new_label_of_128_bytes_returns_invalid);
  tcase_add_test(opts, test_fe_meter_new_label_of_127_bytes_succeeds);
  tcase_add_loop_test(opts,
                      test_fe_meter_new_out_of_range_option_returns_invalid, 0,
                      BAD_OPTION_CASES);
  tcase_add_test(opts, test_fe_options_check_defaults_returns_ok);
  tcase_add_test(opts, test_fe_options_check_unknown_zone_names_time_zone);
  tcase_add_test(opts, test_fe_meter_add_frame_row_carries_configured_label);
  suite_add_tcase(s, opts);

  tcase_add_checked_fixture(life, setup, teardown);
  tcase_add_test(life, test_fe_meter_add_frame_first_fin_closes_flow);
  tcase_add_test(life, test_fe_meter_add_frame_backward_fin_closes_flow);
  tcase_add_test(life, test_fe_meter_add_frame_rst_keeps_flow_open);
  tcase_add_test(life, test_fe_meter_finish_single_packet_flow_is_not_written);
  tcase_add_test(
      life, test_fe_meter_add_frame_same_address_makes_all_packets_forward);
  tcase_add_test(life, test_fe_meter_add_frame_exactly_at_timeout_joins_flow);
  tcase_add_test(life,
                 test_fe_meter_add_frame_after_timeout_keeps_old_orientation);
  tcase_add_test(life,
                 test_fe_meter_add_frame_fin_after_timeout_opens_new_flow);
  tcase_add_test(
      life, test_fe_meter_add_frame_after_clock_expiry_keeps_old_orientation);
  tcase_add_test(
      life, test_fe_meter_add_frame_expired_flow_packet_within_timeout_is_late);
  tcase_add_test(
      life, test_fe_meter_add_frame_without_expired_keys_uses_packet_order);
  tcase_add_test(life,
                 test_fe_meter_add_frame_at_flow_limit_writes_oldest_early);
  tcase_add_test(life, test_fe_meter_add_frame_mixed_frames_counts_each_kind);
  tcase_add_test(life, test_fe_meter_finish_writes_open_flows_in_start_order);
  tcase_add_test(life, test_fe_meter_add_frame_callback_stop_returns_stopped);
  tcase_add_test(life, test_fe_meter_add_frame_after_finish_returns_invalid);
  suite_add_tcase(s, life);

  tcase_add_checked_fixture(rows_tc, setup, teardown);
  tcase_add_test(rows_tc,
                 test_fe_row_format_csv_zero_duration_prints_infinity_and_nan);
  tcase_add_test(rows_tc,
                 test_fe_row_format_csv_udp_exchange_gives_hand_computed_row);
  tcase_add_test(
      rows_tc,
      test_fe_row_format_csv_tcp_closed_by_fin_gives_hand_computed_row);
  suite_add_tcase(s, rows_tc);
  return s;
}
