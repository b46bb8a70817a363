/* SPDX-License-Identifier: MIT */
/*
 * Section 2 of the corrected profile (../shared/spec/corrected-profile.md,
 * read as docs/corrected-profile.md settles it): which packets make a
 * flow and when it is written. Key and direction, the initiator, every
 * flow written, the active and idle timeouts on the packet clock, the TCP
 * teardown with its grace, end of input and a full table. Each test
 * checks the rows a hand-built capture gives, with the fe_row fields of
 * the extra columns (end reason, ICMP type, RST counts).
 */
#include <check.h>
#include <string.h>

#include "corrected_rows.h"
#include "frames.h"

Suite *fe_corrected_flows_suite(void);

#define A4 "10.0.0.1"
#define B4 "10.0.0.2"
#define C4 "10.0.0.3"
#define D4 "10.0.0.4"
#define E4 "10.0.0.5"
#define A6 "2001:db8::1"
#define B6 "2001:db8::2"

#define T0 CR_T0
#define SEC CR_SEC
#define MSEC CR_MSEC

/* The client's ISN is 1000, the server's 5000. */
#define ISN_A 1000u
#define ISN_B 5000u

/* A segment of the connection 10.0.0.1:40000 <-> 10.0.0.2:80. */
static struct fr_spec seg(int64_t ts, int from_a, uint8_t flags, uint32_t seq,
                          uint32_t ack)
{
  return from_a ? (struct fr_spec){.ts = ts,
                                   .src = A4,
                                   .dst = B4,
                                   .proto = 6,
                                   .sport = 40000,
                                   .dport = 80,
                                   .flags = flags,
                                   .seq = seq,
                                   .ack = ack,
                                   .window = 512}
                : (struct fr_spec){.ts = ts,
                                   .src = B4,
                                   .dst = A4,
                                   .proto = 6,
                                   .sport = 80,
                                   .dport = 40000,
                                   .flags = flags,
                                   .seq = seq,
                                   .ack = ack,
                                   .window = 512};
}

static void send_seg(int64_t ts, int from_a, uint8_t flags, uint32_t seq,
                     uint32_t ack)
{
  struct fr_spec s = seg(ts, from_a, flags, seq, ack);

  cr_send(&s);
}

/*
 * T0 SYN, +1 ms SYN-ACK, +2 ms ACK, +3 ms 100 bytes from A, +4 ms B's
 * ACK of them (1101): A sent 3 packets, B 2.
 */
static void open_connection(void)
{
  struct fr_spec data =
      seg(T0 + 3 * MSEC, 1, FR_PSH | FR_ACK, ISN_A + 1, ISN_B + 1);

  send_seg(T0, 1, FR_SYN, ISN_A, 0);
  send_seg(T0 + MSEC, 0, FR_SYN | FR_ACK, ISN_B, ISN_A + 1);
  send_seg(T0 + 2 * MSEC, 1, FR_ACK, ISN_A + 1, ISN_B + 1);
  data.payload = 100;
  cr_send(&data);
  send_seg(T0 + 4 * MSEC, 0, FR_ACK, ISN_B + 1, ISN_A + 101);
}

/*
 * The four-way close from t: A's FIN (seq 1101), B's ACK of it (1102),
 * B's FIN (seq 5001), A's ACK of it (5002) at t + 3 ms: the closing
 * packet. A sent 2 packets, B 2.
 */
static void close_connection(int64_t t)
{
  send_seg(t, 1, FR_FIN | FR_ACK, ISN_A + 101, ISN_B + 1);
  send_seg(t + MSEC, 0, FR_ACK, ISN_B + 1, ISN_A + 102);
  send_seg(t + 2 * MSEC, 0, FR_FIN | FR_ACK, ISN_B + 1, ISN_A + 102);
  send_seg(t + 3 * MSEC, 1, FR_ACK, ISN_A + 102, ISN_B + 2);
}

/* An unrelated UDP packet 10.0.0.3 -> 10.0.0.4 that moves the clock. */
static void tick(int64_t ts)
{
  struct fr_spec s = fr_udp(ts, C4, 5000, D4, 53, 0);

  cr_send(&s);
}

static void send_udp(int64_t ts, const char *src, uint16_t sport,
                     const char *dst, uint16_t dport)
{
  struct fr_spec s = fr_udp(ts, src, sport, dst, dport, 0);

  cr_send(&s);
}

static void open_with_idle(int64_t idle_us)
{
  struct fe_options o;

  cr_options(&o);
  o.idle_timeout_us = idle_us;
  cr_open(&o);
}

/* ---- key and direction ---- */

START_TEST(test_key_reverse_endpoints_join_one_flow)
{
  /* A:40000 -> B:80 and B:80 -> A:40000 share the key (6, {A:40000, B:80}). */
  cr_open_default();
  send_seg(T0, 1, FR_ACK, 1, 1);
  send_seg(T0 + MSEC, 0, FR_ACK, 1, 1);
  send_seg(T0 + 2 * MSEC, 1, FR_ACK, 1, 1);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 2, 1);
  cr_check_accounted();
}
END_TEST

START_TEST(test_key_other_port_or_protocol_makes_other_flow)
{
  struct fr_spec tcp = fr_tcp(T0, A4, 40000, B4, 80, FR_ACK);
  struct fr_spec port = fr_tcp(T0 + 1, A4, 40001, B4, 80, FR_ACK);
  struct fr_spec udp = fr_udp(T0 + 2, A4, 40000, B4, 80, 0);

  /* Same addresses; another source port, another protocol: 3 flows. */
  cr_open_default();
  cr_send(&tcp);
  cr_send(&port);
  cr_send(&udp);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 3);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "10.0.0.1-10.0.0.2-40000-80-6");
  ck_assert_str_eq(cr_cell(1, "Flow ID"), "10.0.0.1-10.0.0.2-40001-80-6");
  ck_assert_str_eq(cr_cell(2, "Flow ID"), "10.0.0.1-10.0.0.2-40000-80-17");
  cr_check_accounted();
}
END_TEST

START_TEST(test_direction_same_address_other_ports_has_both_directions)
{
  const char *lo = _i == 0 ? "127.0.0.1" : "::1";

  /*
   * Loopback 5000 -> 6000 and its answer 6000 -> 5000: direction is by
   * the whole endpoint, so 1 forward and 1 backward (cic: 2 forward).
   */
  cr_open_default();
  send_udp(T0, lo, 5000, lo, 6000);
  send_udp(T0 + MSEC, lo, 6000, lo, 5000);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 1, 1);
  CR_NUMS(0, {"Src Port", 5000}, {"Dst Port", 6000});
  cr_check_accounted();
}
END_TEST

START_TEST(test_icmp_any_type_between_two_addresses_is_one_flow)
{
  struct fr_spec req = fr_icmp(T0, A4, B4, 8, 0);
  struct fr_spec rep = fr_icmp(T0 + MSEC, B4, A4, 0, 0);
  struct fr_spec req2 = fr_icmp(T0 + SEC, A4, B4, 8, 0);
  struct fr_spec unreach = fr_icmp(T0 + SEC + MSEC, B4, A4, 3, 3);

  /*
   * Echo request, reply, another request, a port unreachable: ports 0 in
   * the key, so one flow of 2 + 2 packets; its ICMP type and code are
   * the first packet's (8, 0).
   */
  cr_open_default();
  cr_send(&req);
  cr_send(&rep);
  cr_send(&req2);
  cr_send(&unreach);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "10.0.0.1-10.0.0.2-0-0-1");
  CR_PKTS(0, 2, 2);
  CR_NUMS(0, {"Protocol", 1}, {"Src Port", 0}, {"Dst Port", 0});
  ck_assert_int_eq(cr_row(0)->icmp_type, 8);
  ck_assert_int_eq(cr_row(0)->icmp_code, 0);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_END_OF_INPUT);
  cr_check_accounted();
}
END_TEST

START_TEST(test_icmpv6_any_type_between_two_addresses_is_one_flow)
{
  struct fr_spec ns = fr_icmp(T0, A6, B6, 135, 0);
  struct fr_spec na = fr_icmp(T0 + MSEC, B6, A6, 136, 0);
  struct fr_spec req = fr_icmp(T0 + 2 * MSEC, A6, B6, 128, 0);

  /* Neighbour solicitation, advertisement, echo request: one flow. */
  cr_open_default();
  cr_send(&ns);
  cr_send(&na);
  cr_send(&req);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "2001:db8::1-2001:db8::2-0-0-58");
  CR_PKTS(0, 2, 1);
  ck_assert_int_eq(cr_row(0)->icmp_type, 135);
  cr_check_accounted();
}
END_TEST

START_TEST(test_other_protocol_key_has_ports_zero)
{
  uint8_t ports1[4] = {0x13, 0x88, 0x00, 0x50}; /* 5000 -> 80 */
  uint8_t ports2[4] = {0x13, 0x89, 0x00, 0x51}; /* 5001 -> 81 */
  struct fr_spec a = fr_ip(T0, A4, B4, 132, 4);
  struct fr_spec b = fr_ip(T0 + MSEC, A4, B4, 132, 4);

  /* SCTP: the bytes where ports would be differ, the key has 0 and 0. */
  a.body = ports1;
  b.body = ports2;
  cr_open_default();
  cr_send(&a);
  cr_send(&b);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "10.0.0.1-10.0.0.2-0-0-132");
  CR_PKTS(0, 2, 0);
  ck_assert_int_eq(cr_row(0)->icmp_type, -1);
  cr_check_accounted();
}
END_TEST

/* ---- initiator ---- */

START_TEST(test_initiator_first_packet_source_is_forward)
{
  /* The answer is seen first (capture started late): B is the source. */
  cr_open_default();
  send_udp(T0, B4, 53, A4, 5000);
  send_udp(T0 + MSEC, A4, 5000, B4, 53);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "10.0.0.2-10.0.0.1-53-5000-17");
  ck_assert_str_eq(cr_cell(0, "Src IP"), B4);
  CR_PKTS(0, 1, 1);
  cr_check_accounted();
}
END_TEST

START_TEST(test_initiator_syn_ack_first_makes_its_destination_forward)
{
  struct fr_spec synack = seg(T0, 0, FR_SYN | FR_ACK, ISN_B, ISN_A + 1);
  struct fr_spec ack = seg(T0 + MSEC, 1, FR_ACK, ISN_A + 1, ISN_B + 1);
  struct fr_spec data =
      seg(T0 + 2 * MSEC, 0, FR_PSH | FR_ACK, ISN_B + 1, ISN_A + 1);

  /*
   * The capture starts at B's SYN-ACK: A, its destination, initiated the
   * connection. Flow ID and Src/Dst are A's side; the SYN-ACK is the
   * first backward packet (Init Bwd Win 28960), A's ACK the first forward
   * one (Init Fwd Win 229). Timestamp is still the SYN-ACK's.
   */
  synack.window = 28960;
  ack.window = 229;
  data.payload = 10;
  cr_open_default();
  cr_send(&synack);
  cr_send(&ack);
  cr_send(&data);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "10.0.0.1-10.0.0.2-40000-80-6");
  ck_assert_str_eq(cr_cell(0, "Src IP"), A4);
  ck_assert_str_eq(cr_cell(0, "Dst IP"), B4);
  ck_assert_str_eq(cr_cell(0, "Timestamp"), "2017-07-05 16:00:00.000000");
  CR_PKTS(0, 1, 2);
  CR_NUMS(0, {"Src Port", 40000}, {"Dst Port", 80}, {"Init Fwd Win Byts", 229},
          {"Init Bwd Win Byts", 28960}, {"TotLen Bwd Pkts", 10});
  cr_check_accounted();
}
END_TEST

/* ---- every flow is written ---- */

START_TEST(test_every_flow_syn_scan_gives_one_row_per_probe)
{
  static const uint16_t ports[] = {21, 22, 23, 80};
  struct fr_spec s;

  /* Four lone SYNs to four ports: four rows of one packet each. */
  cr_open_default();
  for (size_t i = 0; i < 4; i++) {
    s = fr_tcp(T0 + (int64_t)i * MSEC, A4, 40000, B4, ports[i], FR_SYN);
    cr_send(&s);
  }
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 4);
  for (size_t i = 0; i < 4; i++) {
    CR_PKTS(i, 1, 0);
    CR_NUM(i, "Dst Port", ports[i]);
  }
  ck_assert_uint_eq(cr_counters()->flows_written, 4);
  ck_assert_uint_eq(cr_counters()->flows_dropped_single, 0);
  cr_check_accounted();
}
END_TEST

/* ---- active timeout ---- */

START_TEST(test_active_timeout_at_exactly_120s_keeps_flow)
{
  /*
   * T0, T0 + 60 s, T0 + 120 s: the last is 120 s after the first, not
   * more; the gaps (60 s) are under the idle timeout. One row.
   */
  cr_open_default();
  send_udp(T0, A4, 5000, B4, 53);
  send_udp(T0 + 60 * SEC, B4, 53, A4, 5000);
  send_udp(T0 + 120 * SEC, A4, 5000, B4, 53);
  ck_assert_uint_eq(cr_rows(), 0);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 2, 1);
  CR_NUM(0, "Flow Duration", 120e6);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_END_OF_INPUT);
  cr_check_accounted();
}
END_TEST

START_TEST(test_active_timeout_over_120s_writes_and_continues_as_initiator)
{
  struct fr_spec late = fr_udp(T0 + 120 * SEC + 1, B4, 53, A4, 5000, 7);

  /*
   * A -> B at T0, B -> A at T0 + 60 s, B -> A at T0 + 120 s + 1 us: more
   * than 120 s after the first packet (60 s after the last, so not
   * idle). The first two are written at once (active_timeout, duration
   * 60 s); the late packet starts the continuation, which keeps A as
   * its source and counts the packet backward (TotLen Bwd 7). A's next
   * packet is forward.
   */
  cr_open_default();
  send_udp(T0, A4, 5000, B4, 53);
  send_udp(T0 + 60 * SEC, B4, 53, A4, 5000);
  cr_send(&late);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 1, 1);
  CR_NUM(0, "Flow Duration", 60e6);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_ACTIVE_TIMEOUT);
  send_udp(T0 + 121 * SEC, A4, 5000, B4, 53);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  ck_assert_str_eq(cr_cell(1, "Flow ID"), "10.0.0.1-10.0.0.2-5000-53-17");
  ck_assert_str_eq(cr_cell(1, "Src IP"), A4);
  ck_assert_str_eq(cr_cell(1, "Timestamp"), "2017-07-05 16:02:00.000001");
  CR_PKTS(1, 1, 1);
  CR_NUMS(1, {"TotLen Bwd Pkts", 7}, {"Flow Duration", 999999});
  ck_assert_int_eq(cr_row(1)->end_reason, FE_END_END_OF_INPUT);
  cr_check_accounted();
}
END_TEST

START_TEST(test_active_timeout_option_cuts_flow_from_its_first_packet)
{
  struct fe_options o;

  /*
   * Active timeout 10 s: packets every 4 s at 0, 4, 8, 12: 12 > 10 cuts
   * the flow there although every gap is 4 s. Rows: {0, 4, 8}, {12}.
   */
  cr_options(&o);
  o.flow_timeout_us = 10 * SEC;
  cr_open(&o);
  for (int64_t k = 0; k < 4; k++) {
    send_udp(T0 + 4 * k * SEC, A4, 5000, B4, 53);
  }
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  CR_PKTS(0, 3, 0);
  CR_NUM(0, "Flow Duration", 8e6);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_ACTIVE_TIMEOUT);
  CR_PKTS(1, 1, 0);
  cr_check_accounted();
}
END_TEST

START_TEST(test_active_timeout_stale_packet_compares_with_clock)
{
  size_t cont;

  /*
   * A -> B TCP at T0, B -> A at T0 + 100 s; an unrelated packet moves
   * the clock to T0 + 125 s; then A -> B stamped T0 + 110 s. Its own
   * time is within 120 s of T0, but the clock is 125 s past it: the
   * flow is written (2 packets, active_timeout) and the stale packet
   * starts the continuation (A is its source either way).
   */
  cr_open_default();
  send_seg(T0, 1, FR_ACK, 1, 1);
  send_seg(T0 + 100 * SEC, 0, FR_ACK, 1, 1);
  tick(T0 + 125 * SEC);
  send_seg(T0 + 110 * SEC, 1, FR_ACK, 1, 1);
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Protocol"), "6");
  CR_PKTS(0, 1, 1);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_ACTIVE_TIMEOUT);
  ck_assert_uint_eq(cr_counters()->packets_out_of_order, 1);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 3);
  cont = cr_find_from(1, "Protocol", "6");
  ck_assert_str_eq(cr_cell(cont, "Src IP"), A4);
  ck_assert_str_eq(cr_cell(cont, "Timestamp"), "2017-07-05 16:01:50.000000");
  CR_PKTS(cont, 1, 0);
  cr_check_accounted();
}
END_TEST

/* ---- idle timeout ---- */

START_TEST(test_idle_timeout_written_when_clock_passes)
{
  /*
   * A <-> B at T0 and T0 + 1 s, then only other traffic. At T0 + 121 s
   * + 1 us the clock is 120 s + 1 us past B's packet: the flow is
   * written then (idle_timeout), not at the end of input.
   */
  cr_open_default();
  send_udp(T0, A4, 5000, B4, 53);
  send_udp(T0 + SEC, B4, 53, A4, 5000);
  tick(T0 + 121 * SEC + 1);
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Src IP"), A4);
  CR_PKTS(0, 1, 1);
  CR_NUM(0, "Flow Duration", 1e6);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_IDLE_TIMEOUT);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  cr_check_accounted();
}
END_TEST

START_TEST(test_idle_timeout_exactly_at_limit_keeps_flow)
{
  /*
   * Silence of exactly 120 s is not longer than the idle timeout, and
   * the last packet is exactly 120 s after the first: one flow.
   */
  cr_open_default();
  send_udp(T0, A4, 5000, B4, 53);
  tick(T0 + 120 * SEC);
  ck_assert_uint_eq(cr_rows(), 0);
  send_udp(T0 + 120 * SEC, B4, 53, A4, 5000);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  CR_PKTS(cr_find("Src IP", A4), 1, 1);
  cr_check_accounted();
}
END_TEST

START_TEST(test_idle_timeout_next_packet_starts_flow_oriented_by_it)
{
  size_t row;

  /*
   * A -> B at T0; the clock reaches T0 + 130 s (idle: written); B -> A at
   * T0 + 140 s starts a new flow whose source is B.
   */
  cr_open_default();
  send_udp(T0, A4, 5000, B4, 53);
  tick(T0 + 130 * SEC);
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_IDLE_TIMEOUT);
  send_udp(T0 + 140 * SEC, B4, 53, A4, 5000);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 3);
  row = cr_find("Src IP", B4);
  ck_assert_str_eq(cr_cell(row, "Flow ID"), "10.0.0.2-10.0.0.1-53-5000-17");
  CR_PKTS(row, 1, 0);
  cr_check_accounted();
}
END_TEST

START_TEST(test_idle_timeout_option_own_packet_starts_new_flow)
{
  /*
   * Idle timeout 30 s: B's answer 31 s after A's query is more than 30 s
   * of silence (and under the 120 s active timeout): A's flow is written
   * (idle_timeout) and B's packet starts a flow with B as source.
   */
  open_with_idle(30 * SEC);
  send_udp(T0, A4, 5000, B4, 53);
  send_udp(T0 + 31 * SEC, B4, 53, A4, 5000);
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_IDLE_TIMEOUT);
  CR_PKTS(0, 1, 0);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  ck_assert_str_eq(cr_cell(1, "Src IP"), B4);
  CR_PKTS(1, 1, 0);
  cr_check_accounted();
}
END_TEST

START_TEST(test_idle_timeout_stale_packet_does_not_reopen_written_flow)
{
  size_t second;

  /*
   * A -> B at T0; the clock reaches T0 + 125 s, so the flow is written
   * with its one packet. A -> B stamped T0 + 10 s then arrives: the
   * written row stays as it was, the packet makes a row of its own.
   */
  cr_open_default();
  send_udp(T0, A4, 5000, B4, 53);
  tick(T0 + 125 * SEC);
  ck_assert_uint_eq(cr_rows(), 1);
  send_udp(T0 + 10 * SEC, A4, 5000, B4, 53);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 3);
  CR_PKTS(0, 1, 0);
  ck_assert_str_eq(cr_cell(0, "Src IP"), A4);
  second = cr_find_from(1, "Src IP", A4);
  CR_PKTS(second, 1, 0);
  ck_assert_uint_eq(cr_counters()->packets_out_of_order, 1);
  cr_check_accounted();
}
END_TEST

START_TEST(test_idle_timeout_counts_from_flow_latest_time_not_arrival)
{
  /*
   * A -> B at T0; the clock moves to T0 + 100 s; A -> B stamped T0 + 50 s
   * arrives late: the flow's last packet time is now T0 + 50 s (the
   * latest of its stamps). At T0 + 170 s + 1 us the clock is 120 s + 1 us
   * past it, so the flow is over: idle, 2 packets, duration 50 s. The
   * meter may write it at the end only (its early write is a memory
   * matter), and a packet of A -> B after that starts a new flow.
   */
  size_t first;
  size_t second;

  cr_open_default();
  send_udp(T0, A4, 5000, B4, 53);
  tick(T0 + 100 * SEC);
  send_udp(T0 + 50 * SEC, A4, 5000, B4, 53);
  tick(T0 + 170 * SEC + 1);
  send_udp(T0 + 171 * SEC, A4, 5000, B4, 53);
  cr_finish();
  first = cr_find_from(0, "Src IP", A4);
  CR_PKTS(first, 2, 0);
  CR_NUM(first, "Flow Duration", 50e6);
  ck_assert_int_eq(cr_row(first)->end_reason, FE_END_IDLE_TIMEOUT);
  second = cr_find_from(first + 1, "Src IP", A4);
  CR_PKTS(second, 1, 0);
  cr_check_accounted();
}
END_TEST

/* ---- TCP teardown ---- */

START_TEST(test_tcp_fin_both_acked_written_after_grace_as_fin)
{
  /*
   * Open, then close from T0 + 10 ms; A's ACK of B's FIN at T0 + 13 ms
   * closes the flow. It waits out the 2 s grace: at T0 + 2.013 s + 1 us
   * the clock has passed it and the row is written, with every packet:
   * A: SYN, ACK, data, FIN, last ACK = 5; B: SYN-ACK, ACK, ACK, FIN = 4.
   */
  cr_open_default();
  open_connection();
  close_connection(T0 + 10 * MSEC);
  tick(T0 + 13 * MSEC + 2 * SEC);
  ck_assert_uint_eq(cr_rows(), 0);
  tick(T0 + 13 * MSEC + 2 * SEC + 1);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 5, 4);
  CR_NUMS(0, {"FIN Flag Cnt", 2}, {"SYN Flag Cnt", 2}, {"Flow Duration", 13000},
          {"TotLen Fwd Pkts", 100});
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_FIN);
  cr_finish();
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_fin_closed_flow_at_end_of_input_keeps_reason_fin)
{
  /* Closed but still in its grace when the input ends: reason fin. */
  cr_open_default();
  open_connection();
  close_connection(T0 + 10 * MSEC);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 5, 4);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_FIN);
  ck_assert_int_eq(cr_row(0)->fwd_rst, 0);
  ck_assert_int_eq(cr_row(0)->bwd_rst, 0);
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_grace_late_ack_and_retransmitted_fin_join_flow)
{
  /*
   * After the close at T0 + 13 ms: B retransmits its FIN at T0 + 500 ms
   * and A acknowledges it again at T0 + 510 ms, both within 2 s and
   * without SYN: they join the closed flow (6 + 5 packets, 3 FINs).
   */
  cr_open_default();
  open_connection();
  close_connection(T0 + 10 * MSEC);
  send_seg(T0 + 500 * MSEC, 0, FR_FIN | FR_ACK, ISN_B + 1, ISN_A + 102);
  send_seg(T0 + 510 * MSEC, 1, FR_ACK, ISN_A + 102, ISN_B + 2);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 6, 5);
  CR_NUMS(0, {"FIN Flag Cnt", 3}, {"Flow Duration", 510000});
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_FIN);
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_grace_counts_from_closing_packet_not_late_packets)
{
  /*
   * Closing packet at T0 + 13 ms; a late ACK at T0 + 1.013 s joins. An
   * ACK at T0 + 2.014 s is 2.001 s after the closing packet: the clock
   * has passed the grace, so the flow (6 + 4) is written and the ACK
   * starts a flow of its own, although it is only 1.001 s after the
   * late ACK.
   */
  cr_open_default();
  open_connection();
  close_connection(T0 + 10 * MSEC);
  send_seg(T0 + 1013 * MSEC, 1, FR_ACK, ISN_A + 102, ISN_B + 2);
  ck_assert_uint_eq(cr_rows(), 0);
  send_seg(T0 + 2014 * MSEC, 1, FR_ACK, ISN_A + 102, ISN_B + 2);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 6, 4);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_FIN);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  ck_assert_str_eq(cr_cell(1, "Src IP"), A4);
  CR_PKTS(1, 1, 0);
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_grace_packet_at_exactly_2s_joins_flow)
{
  /*
   * An ACK exactly 2 s after the closing packet is within the grace (the
   * clock has not passed it): 6 + 4 packets in one row.
   */
  cr_open_default();
  open_connection();
  close_connection(T0 + 10 * MSEC);
  send_seg(T0 + 13 * MSEC + 2 * SEC, 1, FR_ACK, ISN_A + 102, ISN_B + 2);
  ck_assert_uint_eq(cr_rows(), 0);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 6, 4);
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_grace_option_bounds_late_packets)
{
  struct fe_options o;

  /*
   * Teardown grace 500 ms: a late ACK 400 ms after the closing packet
   * (T0 + 13 ms) joins; one 600 ms after it finds the flow written and
   * starts its own. Rows: 6 + 4 packets, then 1.
   */
  cr_options(&o);
  o.teardown_grace_us = 500 * MSEC;
  cr_open(&o);
  open_connection();
  close_connection(T0 + 10 * MSEC);
  send_seg(T0 + 413 * MSEC, 1, FR_ACK, ISN_A + 102, ISN_B + 2);
  send_seg(T0 + 613 * MSEC, 1, FR_ACK, ISN_A + 102, ISN_B + 2);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 6, 4);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  CR_PKTS(1, 1, 0);
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_syn_within_grace_writes_flow_and_starts_new)
{
  /*
   * A reuses the port 500 ms after the close: the SYN does not join the
   * closed flow, it writes it at once and starts the next flow.
   */
  cr_open_default();
  open_connection();
  close_connection(T0 + 10 * MSEC);
  send_seg(T0 + 500 * MSEC, 1, FR_SYN, 9000, 0);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 5, 4);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_FIN);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  CR_PKTS(1, 1, 0);
  CR_NUM(1, "SYN Flag Cnt", 1);
  ck_assert_str_eq(cr_cell(1, "Src IP"), A4);
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_syn_after_grace_starts_new_flow)
{
  /* The same after the grace: the closed flow is written, the SYN new. */
  cr_open_default();
  open_connection();
  close_connection(T0 + 10 * MSEC);
  send_seg(T0 + 5 * SEC, 1, FR_SYN, 9000, 0);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 5, 4);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  CR_PKTS(1, 1, 0);
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_fin_not_acknowledged_keeps_flow_open)
{
  /*
   * A's FIN has seq 1101: it needs an ACK of 1101 + 0 + 1 = 1102. B's
   * FIN carries ack 1101 only; A acknowledges B's FIN (5002). One FIN
   * is unacknowledged, so the flow stays open: an ACK 5 s later (past
   * any grace) still joins it, and the input's end writes it.
   */
  cr_open_default();
  open_connection();
  send_seg(T0 + 10 * MSEC, 1, FR_FIN | FR_ACK, ISN_A + 101, ISN_B + 1);
  send_seg(T0 + 11 * MSEC, 0, FR_FIN | FR_ACK, ISN_B + 1, ISN_A + 101);
  send_seg(T0 + 12 * MSEC, 1, FR_ACK, ISN_A + 102, ISN_B + 2);
  send_seg(T0 + 5 * SEC, 1, FR_ACK, ISN_A + 102, ISN_B + 2);
  ck_assert_uint_eq(cr_rows(), 0);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 6, 3);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_END_OF_INPUT);
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_fin_with_payload_needs_ack_past_payload)
{
  struct fr_spec fin =
      seg(T0 + 10 * MSEC, 1, FR_FIN | FR_PSH | FR_ACK, ISN_A + 101, ISN_B + 1);

  /*
   * A's FIN carries 50 bytes at seq 1101: acknowledged by 1101 + 50 + 1
   * = 1152. B acknowledges 1151 (the data only), sends its FIN with
   * 1151, A acknowledges B's FIN. Still open at T0 + 3 s (past 2 s).
   * B's ACK of 1152 at T0 + 3.1 s closes it; at T0 + 5.2 s the grace
   * is over and the row is written: A 3 + 2, B 2 + 3 packets, 150 bytes
   * forward.
   */
  fin.payload = 50;
  cr_open_default();
  open_connection();
  cr_send(&fin);
  send_seg(T0 + 11 * MSEC, 0, FR_ACK, ISN_B + 1, ISN_A + 151);
  send_seg(T0 + 12 * MSEC, 0, FR_FIN | FR_ACK, ISN_B + 1, ISN_A + 151);
  send_seg(T0 + 13 * MSEC, 1, FR_ACK, ISN_A + 152, ISN_B + 2);
  tick(T0 + 3 * SEC);
  ck_assert_uint_eq(cr_rows(), 0);
  send_seg(T0 + 3100 * MSEC, 0, FR_ACK, ISN_B + 2, ISN_A + 152);
  tick(T0 + 5200 * MSEC);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 5, 5);
  CR_NUM(0, "TotLen Fwd Pkts", 150);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_FIN);
  cr_finish();
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_three_packet_close_fin_ack_acknowledges_fin)
{
  /*
   * A FIN (seq 1101), B FIN+ACK (ack 1102: acknowledges it), A ACK
   * (5002): closed after three packets. A SYN then writes the row.
   */
  cr_open_default();
  open_connection();
  send_seg(T0 + 10 * MSEC, 1, FR_FIN | FR_ACK, ISN_A + 101, ISN_B + 1);
  send_seg(T0 + 11 * MSEC, 0, FR_FIN | FR_ACK, ISN_B + 1, ISN_A + 102);
  send_seg(T0 + 12 * MSEC, 1, FR_ACK, ISN_A + 102, ISN_B + 2);
  send_seg(T0 + 20 * MSEC, 1, FR_SYN, 9000, 0);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 5, 3);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_FIN);
  cr_finish();
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_fin_ack_number_wraps_past_zero)
{
  /*
   * A's FIN has seq 0xFFFFFFFF: 0xFFFFFFFF + 0 + 1 wraps to 0 (sequence
   * space is modulo 2^32), so B's ack 0 acknowledges it. With A's ACK of
   * B's FIN the flow is closed, and a SYN writes it.
   */
  cr_open_default();
  send_seg(T0, 1, FR_SYN, 0xFFFFFFFEu, 0);
  send_seg(T0 + MSEC, 0, FR_SYN | FR_ACK, ISN_B, 0xFFFFFFFFu);
  send_seg(T0 + 2 * MSEC, 1, FR_FIN | FR_ACK, 0xFFFFFFFFu, ISN_B + 1);
  send_seg(T0 + 3 * MSEC, 0, FR_FIN | FR_ACK, ISN_B + 1, 0);
  send_seg(T0 + 4 * MSEC, 1, FR_ACK, 0, ISN_B + 2);
  send_seg(T0 + 10 * MSEC, 1, FR_SYN, 9000, 0);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 3, 2);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_FIN);
  cr_finish();
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_rst_closes_at_once_and_retry_syn_starts_new)
{
  /*
   * SYN, RST+ACK from B (port closed): closed by the RST. A's retry SYN
   * 1 s later (within the grace) writes it: 1 + 1 packets, reason rst,
   * 1 backward RST. The retry is a new flow.
   */
  cr_open_default();
  send_seg(T0, 1, FR_SYN, ISN_A, 0);
  send_seg(T0 + MSEC, 0, FR_RST | FR_ACK, 0, ISN_A + 1);
  ck_assert_uint_eq(cr_rows(), 0);
  send_seg(T0 + SEC, 1, FR_SYN, ISN_A, 0);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 1, 1);
  CR_NUM(0, "RST Flag Cnt", 1);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_RST);
  ck_assert_int_eq(cr_row(0)->fwd_rst, 0);
  ck_assert_int_eq(cr_row(0)->bwd_rst, 1);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  CR_PKTS(1, 1, 0);
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_rst_answering_rst_within_grace_joins_flow)
{
  /*
   * A resets an open connection at T0 + 10 ms; B's RST answers at
   * T0 + 500 ms (no SYN, within 2 s): it joins. The clock passes the
   * grace at T0 + 3 s: one row, 4 + 3 packets, one RST each way.
   */
  cr_open_default();
  open_connection();
  send_seg(T0 + 10 * MSEC, 1, FR_RST | FR_ACK, ISN_A + 101, ISN_B + 1);
  send_seg(T0 + 500 * MSEC, 0, FR_RST, ISN_B + 1, 0);
  tick(T0 + 3 * SEC);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 4, 3);
  CR_NUM(0, "RST Flag Cnt", 2);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_RST);
  ck_assert_int_eq(cr_row(0)->fwd_rst, 1);
  ck_assert_int_eq(cr_row(0)->bwd_rst, 1);
  cr_finish();
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_syn_on_flow_without_handshake_starts_new_connection)
{
  /*
   * The capture begins mid-connection: A's data and B's ACK form a flow
   * whose first packet has no SYN. A's SYN (without ACK) on the same
   * ports 1 s later opens the next connection: the stray flow is written
   * at once (new_connection, 1 + 1 packets), the SYN starts a new one.
   */
  struct fr_spec data = seg(T0, 1, FR_PSH | FR_ACK, 7000, 8000);

  data.payload = 20;
  cr_open_default();
  cr_send(&data);
  send_seg(T0 + MSEC, 0, FR_ACK, 8000, 7020);
  send_seg(T0 + SEC, 1, FR_SYN, 9000, 0);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 1, 1);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_NEW_CONNECTION);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  CR_PKTS(1, 1, 0);
  CR_NUM(1, "SYN Flag Cnt", 1);
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_syn_ack_on_flow_without_handshake_joins_it)
{
  /*
   * Only a SYN without ACK opens a new connection: a SYN+ACK from B on a
   * flow of stray packets joins it as a backward packet (1 + 1).
   */
  cr_open_default();
  send_seg(T0, 1, FR_ACK, 7000, 8000);
  send_seg(T0 + SEC, 0, FR_SYN | FR_ACK, 8000, 7000);
  ck_assert_uint_eq(cr_rows(), 0);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 1, 1);
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_retransmitted_syn_joins_handshake_flow)
{
  /*
   * A flow that began with a SYN keeps a retransmitted SYN (1 s later)
   * and the SYN-ACK: one row, 2 + 1 packets, 3 SYN flags.
   */
  cr_open_default();
  send_seg(T0, 1, FR_SYN, ISN_A, 0);
  send_seg(T0 + SEC, 1, FR_SYN, ISN_A, 0);
  send_seg(T0 + SEC + MSEC, 0, FR_SYN | FR_ACK, ISN_B, ISN_A + 1);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 2, 1);
  CR_NUM(0, "SYN Flag Cnt", 3);
  cr_check_accounted();
}
END_TEST

START_TEST(test_tcp_grace_counts_from_stale_closing_packet_time)
{
  /*
   * B's FIN is acknowledged by A's last ACK, stamped T0 + 13 ms but
   * arriving after an unrelated packet moved the clock to T0 + 1 s. The
   * grace of the closing packet ends at T0 + 2.013 s, so at T0 + 2.5 s
   * the clock has passed it and the row (5 + 4) is written.
   */
  cr_open_default();
  open_connection();
  send_seg(T0 + 10 * MSEC, 1, FR_FIN | FR_ACK, ISN_A + 101, ISN_B + 1);
  send_seg(T0 + 11 * MSEC, 0, FR_ACK, ISN_B + 1, ISN_A + 102);
  send_seg(T0 + 12 * MSEC, 0, FR_FIN | FR_ACK, ISN_B + 1, ISN_A + 102);
  tick(T0 + SEC);
  send_seg(T0 + 13 * MSEC, 1, FR_ACK, ISN_A + 102, ISN_B + 2);
  tick(T0 + 2500 * MSEC);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 5, 4);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_FIN);
  cr_finish();
  cr_check_accounted();
}
END_TEST

/* ---- other endings ---- */

START_TEST(test_udp_flow_ends_only_at_end_of_input)
{
  /* UDP packets 100 s apart: no timeout, written at the end. */
  cr_open_default();
  send_udp(T0, A4, 5000, B4, 53);
  send_udp(T0 + 100 * SEC, B4, 53, A4, 5000);
  ck_assert_uint_eq(cr_rows(), 0);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 1, 1);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_END_OF_INPUT);
  cr_check_accounted();
}
END_TEST

START_TEST(test_table_full_writes_oldest_flow_as_table_full)
{
  struct fe_options o;

  /* Room for 2 flows: the third writes the oldest (A -> B) early. */
  cr_options(&o);
  o.max_flows = 2;
  cr_open(&o);
  send_udp(T0, A4, 5000, B4, 53);
  send_udp(T0 + MSEC, C4, 5000, D4, 53);
  send_udp(T0 + 2 * MSEC, E4, 5000, D4, 53);
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Src IP"), A4);
  ck_assert_int_eq(cr_row(0)->end_reason, FE_END_TABLE_FULL);
  ck_assert_uint_eq(cr_counters()->flows_cut_at_limit, 1);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 3);
  cr_check_accounted();
}
END_TEST

START_TEST(test_finish_writes_open_flows_in_order_of_last_packet)
{
  /*
   * Three flows open at the end, started A, C, E; their last packets came
   * C (T0 + 1), E (T0 + 3), A (T0 + 4): rows in that order.
   */
  cr_open_default();
  send_udp(T0, A4, 5000, B4, 53);
  send_udp(T0 + 1, C4, 5000, D4, 53);
  send_udp(T0 + 2, E4, 5000, D4, 53);
  send_udp(T0 + 3, D4, 53, E4, 5000);
  send_udp(T0 + 4, B4, 53, A4, 5000);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 3);
  ck_assert_str_eq(cr_cell(0, "Src IP"), C4);
  ck_assert_str_eq(cr_cell(1, "Src IP"), E4);
  ck_assert_str_eq(cr_cell(2, "Src IP"), A4);
  cr_check_accounted();
}
END_TEST

START_TEST(test_out_of_order_counts_packets_before_capture_latest)
{
  /*
   * Stamps T0, T0 + 2 s, T0 + 1 s, T0 + 2 s: only the third is earlier
   * than the latest before it (a tie is not), though it is the newest
   * packet of its own flow.
   */
  cr_open_default();
  send_udp(T0, A4, 5000, B4, 53);
  send_udp(T0 + 2 * SEC, C4, 5000, D4, 53);
  send_udp(T0 + SEC, A4, 5000, B4, 53);
  send_udp(T0 + 2 * SEC, C4, 5000, D4, 53);
  ck_assert_uint_eq(cr_counters()->packets_out_of_order, 1);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  cr_check_accounted();
}
END_TEST

static TCase *key_tcase(void)
{
  TCase *tc = tcase_create("key_and_direction");

  tcase_add_checked_fixture(tc, cr_setup, cr_teardown);
  tcase_add_test(tc, test_key_reverse_endpoints_join_one_flow);
  tcase_add_test(tc, test_key_other_port_or_protocol_makes_other_flow);
  tcase_add_loop_test(
      tc, test_direction_same_address_other_ports_has_both_directions, 0, 2);
  tcase_add_test(tc, test_icmp_any_type_between_two_addresses_is_one_flow);
  tcase_add_test(tc, test_icmpv6_any_type_between_two_addresses_is_one_flow);
  tcase_add_test(tc, test_other_protocol_key_has_ports_zero);
  tcase_add_test(tc, test_initiator_first_packet_source_is_forward);
  tcase_add_test(tc,
                 test_initiator_syn_ack_first_makes_its_destination_forward);
  tcase_add_test(tc, test_every_flow_syn_scan_gives_one_row_per_probe);
  return tc;
}

static TCase *timeout_tcase(void)
{
  TCase *tc = tcase_create("timeouts");

  tcase_add_checked_fixture(tc, cr_setup, cr_teardown);
  tcase_add_test(tc, test_active_timeout_at_exactly_120s_keeps_flow);
  tcase_add_test(
      tc, test_active_timeout_over_120s_writes_and_continues_as_initiator);
  tcase_add_test(tc,
                 test_active_timeout_option_cuts_flow_from_its_first_packet);
  tcase_add_test(tc, test_active_timeout_stale_packet_compares_with_clock);
  tcase_add_test(tc, test_idle_timeout_written_when_clock_passes);
  tcase_add_test(tc, test_idle_timeout_exactly_at_limit_keeps_flow);
  tcase_add_test(tc, test_idle_timeout_next_packet_starts_flow_oriented_by_it);
  tcase_add_test(tc, test_idle_timeout_option_own_packet_starts_new_flow);
  tcase_add_test(tc,
                 test_idle_timeout_stale_packet_does_not_reopen_written_flow);
  return tc;
}

static TCase *teardown_tcase(void)
{
  TCase *tc = tcase_create("tcp_teardown");

  tcase_add_checked_fixture(tc, cr_setup, cr_teardown);
  tcase_add_test(tc, test_tcp_fin_both_acked_written_after_grace_as_fin);
  tcase_add_test(tc, test_tcp_fin_closed_flow_at_end_of_input_keeps_reason_fin);
  tcase_add_test(tc, test_tcp_grace_late_ack_and_retransmitted_fin_join_flow);
  tcase_add_test(tc,
                 test_tcp_grace_counts_from_closing_packet_not_late_packets);
  tcase_add_test(tc, test_tcp_grace_packet_at_exactly_2s_joins_flow);
  tcase_add_test(tc, test_tcp_grace_option_bounds_late_packets);
  tcase_add_test(tc, test_tcp_syn_within_grace_writes_flow_and_starts_new);
  tcase_add_test(tc, test_tcp_syn_after_grace_starts_new_flow);
  tcase_add_test(tc, test_tcp_fin_not_acknowledged_keeps_flow_open);
  tcase_add_test(tc, test_tcp_fin_with_payload_needs_ack_past_payload);
  tcase_add_test(tc, test_tcp_three_packet_close_fin_ack_acknowledges_fin);
  tcase_add_test(tc, test_tcp_fin_ack_number_wraps_past_zero);
  tcase_add_test(tc, test_tcp_rst_closes_at_once_and_retry_syn_starts_new);
  tcase_add_test(tc, test_tcp_rst_answering_rst_within_grace_joins_flow);
  tcase_add_test(tc,
                 test_tcp_syn_on_flow_without_handshake_starts_new_connection);
  tcase_add_test(tc, test_tcp_syn_ack_on_flow_without_handshake_joins_it);
  tcase_add_test(tc, test_tcp_retransmitted_syn_joins_handshake_flow);
  return tc;
}

static TCase *ending_tcase(void)
{
  TCase *tc = tcase_create("other_endings");

  tcase_add_checked_fixture(tc, cr_setup, cr_teardown);
  tcase_add_test(tc, test_udp_flow_ends_only_at_end_of_input);
  tcase_add_test(tc, test_table_full_writes_oldest_flow_as_table_full);
  tcase_add_test(tc, test_out_of_order_counts_packets_before_capture_latest);
  return tc;
}

/* Timeouts measured from the flow's own latest stamp, and row order. */
static TCase *reordered_tcase(void)
{
  TCase *tc = tcase_create("reordered");

  tcase_add_checked_fixture(tc, cr_setup, cr_teardown);
  tcase_add_test(tc, test_finish_writes_open_flows_in_order_of_last_packet);
  tcase_add_test(tc,
                 test_idle_timeout_counts_from_flow_latest_time_not_arrival);
  tcase_add_test(tc, test_tcp_grace_counts_from_stale_closing_packet_time);
  return tc;
}

Suite *fe_corrected_flows_suite(void)
{
  Suite *s = suite_create("corrected_flows");

  suite_add_tcase(s, key_tcase());
  suite_add_tcase(s, timeout_tcase());
  suite_add_tcase(s, teardown_tcase());
  suite_add_tcase(s, ending_tcase());
  suite_add_tcase(s, reordered_tcase());
  return s;
}
