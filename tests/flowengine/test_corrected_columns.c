/* SPDX-License-Identifier: MIT */
/*
 * Section 3 of the corrected profile (../shared/spec/corrected-profile.md,
 * read as docs/corrected-profile.md settles it): one test or more per row
 * of the column table, and a few for columns it leaves as in the cic
 * profile. Every expected value is worked out by hand in the comment
 * above it; numeric cells are compared as numbers (relative 1e-9), the
 * text only where the text is the point.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "corrected_rows.h"
#include "frames.h"

Suite *fe_corrected_columns_suite(void);

#define A4 "10.0.0.1"
#define B4 "10.0.0.2"

#define T0 CR_T0
#define SEC CR_SEC
#define MSEC CR_MSEC

/* UDP 10.0.0.1:5000 -> 10.0.0.2:53 (fwd) or back (bwd) with payload. */
static void udp(int64_t ts, int fwd, uint16_t payload)
{
  struct fr_spec s = fwd ? fr_udp(ts, A4, 5000, B4, 53, payload)
                         : fr_udp(ts, B4, 53, A4, 5000, payload);

  cr_send(&s);
}

/* TCP 10.0.0.1:40000 -> 10.0.0.2:80 (fwd) or back with flags, payload. */
static struct fr_spec tcp(int64_t ts, int fwd, uint8_t flags, uint16_t payload)
{
  struct fr_spec s = fwd ? fr_tcp(ts, A4, 40000, B4, 80, flags)
                         : fr_tcp(ts, B4, 80, A4, 40000, flags);

  s.payload = payload;
  return s;
}

static void send_tcp(int64_t ts, int fwd, uint8_t flags, uint16_t payload)
{
  struct fr_spec s = tcp(ts, fwd, flags, payload);

  cr_send(&s);
}

/* Finishes and checks that there is exactly one row. */
static void finish_one_row(void)
{
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  cr_check_accounted();
}

/* A cell's text is a number, not "NaN" or "Infinity" (or a sign). */
static void check_finite_text(const char *col)
{
  const char *t = cr_cell(0, col);

  ck_assert_msg(strstr(t, "NaN") == NULL && strstr(t, "Infinity") == NULL,
                "%s = %s", col, t);
}

/* ---- Timestamp ---- */

struct ts_case {
  int64_t us;
  const char *text;
};

static const struct ts_case ts_cases[] = {
    {CR_T0 + 123456, "2017-07-05 16:00:00.123456"},
    {CR_T0 + 5, "2017-07-05 16:00:00.000005"},
    {INT64_C(946684799999999), "1999-12-31 23:59:59.999999"},
    {INT64_C(1456747200000000), "2016-02-29 12:00:00.000000"},
};

START_TEST(test_timestamp_is_utc_with_six_fraction_digits)
{
  /*
   * First packet's time in UTC, yyyy-MM-dd HH:mm:ss.uuuuuu: 1499270400 s
   * is 2017-07-05 16:00:00; 946684799 s the last second of 1999;
   * 1456747200 s noon of 2016's leap day. Always six digits.
   */
  cr_open_default();
  udp(ts_cases[_i].us, 1, 0);
  udp(ts_cases[_i].us + SEC, 0, 0);
  finish_one_row();
  ck_assert_str_eq(cr_cell(0, "Timestamp"), ts_cases[_i].text);
  ck_assert_int_eq(cr_row(0)->first_us, ts_cases[_i].us);
}
END_TEST

START_TEST(test_timestamp_time_zone_option_shifts_wall_clock)
{
  struct fe_options o;

  /* 16:00 UTC is 18:00 in Paris in July (CEST, UTC+2). */
  cr_options(&o);
  o.time_zone = "Europe/Paris";
  cr_open(&o);
  udp(T0 + 250000, 1, 0);
  finish_one_row();
  ck_assert_str_eq(cr_cell(0, "Timestamp"), "2017-07-05 18:00:00.250000");
}
END_TEST

/* ---- Flow Duration ---- */

START_TEST(test_flow_duration_is_latest_minus_first_with_stale_packet)
{
  /*
   * T0, T0 + 1.5 s, then a packet stamped T0 + 0.5 s: duration is the
   * latest time minus the first, 1500000 (cic: last added, 500000).
   * Flow IAT gaps {1500000, 0}: mean 750000, sum = duration.
   */
  cr_open_default();
  udp(T0, 1, 0);
  udp(T0 + 1500 * MSEC, 0, 0);
  udp(T0 + 500 * MSEC, 1, 0);
  finish_one_row();
  CR_NUMS(0, {"Flow Duration", 1500000}, {"Flow IAT Mean", 750000},
          {"Flow IAT Min", 0});
  ck_assert_int_eq(cr_row(0)->last_us, T0 + 1500 * MSEC);
  ck_assert_uint_eq(cr_counters()->packets_out_of_order, 1);
}
END_TEST

/* ---- Flow Byts/s, Flow Pkts/s, Fwd Pkts/s, Bwd Pkts/s ---- */

START_TEST(test_rates_are_per_second_of_duration)
{
  /*
   * 100 bytes forward at T0, 300 back at +250 ms, an empty ACK forward
   * at +500 ms: duration 0.5 s. Flow Byts/s 400 / 0.5 = 800, Flow
   * Pkts/s 3 / 0.5 = 6, Fwd 2 / 0.5 = 4, Bwd 1 / 0.5 = 2.
   */
  cr_open_default();
  send_tcp(T0, 1, FR_PSH | FR_ACK, 100);
  send_tcp(T0 + 250 * MSEC, 0, FR_PSH | FR_ACK, 300);
  send_tcp(T0 + 500 * MSEC, 1, FR_ACK, 0);
  finish_one_row();
  CR_NUMS(0, {"Flow Duration", 500000}, {"Flow Byts/s", 800},
          {"Flow Pkts/s", 6}, {"Fwd Pkts/s", 4}, {"Bwd Pkts/s", 2});
}
END_TEST

START_TEST(test_rates_of_zero_duration_are_zero_never_nan)
{
  static const char *const rates[] = {"Flow Byts/s", "Flow Pkts/s",
                                      "Fwd Pkts/s", "Bwd Pkts/s"};

  /*
   * Case 0: one 10-byte packet; case 1: 10 bytes each way in the same
   * microsecond. Duration 0, so every rate is 0 (cic: NaN, Infinity).
   */
  cr_open_default();
  udp(T0, 1, 10);
  if (_i == 1) {
    udp(T0, 0, 10);
  }
  finish_one_row();
  CR_NUM(0, "Flow Duration", 0);
  for (size_t i = 0; i < 4; i++) {
    CR_NUM(0, rates[i], 0);
    check_finite_text(rates[i]);
  }
  ck_assert_ptr_null(strstr(cr_row(0)->csv, "NaN"));
  ck_assert_ptr_null(strstr(cr_row(0)->csv, "Infinity"));
}
END_TEST

/* ---- Flow/Fwd/Bwd IAT ---- */

START_TEST(test_iat_gaps_per_flow_and_per_direction)
{
  /*
   * Fwd at 0, 3, 7 s; bwd at 1, 6 s.
   * Flow gaps {1, 2, 3, 1} s: mean 1.75e6; deviations -0.75, 0.25, 1.25,
   * -0.75: squares sum 2.75, / 3 = 0.91667e12, std 957427.1077563381;
   * max 3e6, min 1e6.
   * Fwd gaps {3, 4} s: tot 7e6, mean 3.5e6, std sqrt(0.5e12) =
   * 707106.7811865476, max 4e6, min 3e6.
   * Bwd gap {5} s: tot = mean = max = min 5e6, std 0.
   */
  cr_open_default();
  udp(T0, 1, 0);
  udp(T0 + SEC, 0, 0);
  udp(T0 + 3 * SEC, 1, 0);
  udp(T0 + 6 * SEC, 0, 0);
  udp(T0 + 7 * SEC, 1, 0);
  finish_one_row();
  CR_NUMS(0, {"Flow IAT Mean", 1.75e6}, {"Flow IAT Std", 957427.1077563381},
          {"Flow IAT Max", 3e6}, {"Flow IAT Min", 1e6}, {"Fwd IAT Tot", 7e6},
          {"Fwd IAT Mean", 3.5e6}, {"Fwd IAT Std", 707106.7811865476},
          {"Fwd IAT Max", 4e6}, {"Fwd IAT Min", 3e6}, {"Bwd IAT Tot", 5e6},
          {"Bwd IAT Mean", 5e6}, {"Bwd IAT Std", 0}, {"Bwd IAT Max", 5e6},
          {"Bwd IAT Min", 5e6});
}
END_TEST

START_TEST(test_iat_stale_packet_gap_is_zero_and_counted)
{
  /*
   * Forward packets stamped 0, 2, 1, 3 s. Gaps from the latest time
   * before each: 2 s, 0 (1 s is earlier than 2 s), 1 s (3 - 2). Flow and
   * Fwd IAT {2e6, 0, 1e6}: sum 3e6 = duration, mean 1e6, std
   * sqrt((1 + 1 + 0) / 2) e6 = 1e6, max 2e6, min 0. One packet out of
   * order.
   */
  cr_open_default();
  udp(T0, 1, 0);
  udp(T0 + 2 * SEC, 1, 0);
  udp(T0 + SEC, 1, 0);
  udp(T0 + 3 * SEC, 1, 0);
  finish_one_row();
  CR_NUMS(0, {"Flow Duration", 3e6}, {"Flow IAT Mean", 1e6},
          {"Flow IAT Std", 1e6}, {"Flow IAT Max", 2e6}, {"Flow IAT Min", 0},
          {"Fwd IAT Tot", 3e6}, {"Fwd IAT Mean", 1e6}, {"Fwd IAT Std", 1e6},
          {"Fwd IAT Max", 2e6}, {"Fwd IAT Min", 0});
  ck_assert_uint_eq(cr_counters()->packets_out_of_order, 1);
}
END_TEST

/* ---- Fwd/Bwd PSH Flags, Fwd/Bwd URG Flags ---- */

START_TEST(test_psh_urg_flags_count_packets_per_direction)
{
  /*
   * Fwd: PSH, PSH+URG, none; bwd: PSH, URG, URG. Fwd PSH 2, Fwd URG 1,
   * Bwd PSH 1, Bwd URG 2 (cic: first packet only, bwd always 0); the
   * both-way counts PSH 3, URG 3.
   */
  cr_open_default();
  send_tcp(T0, 1, FR_PSH | FR_ACK, 1);
  send_tcp(T0 + 1 * MSEC, 0, FR_PSH | FR_ACK, 1);
  send_tcp(T0 + 2 * MSEC, 1, FR_PSH | FR_URG | FR_ACK, 1);
  send_tcp(T0 + 3 * MSEC, 0, FR_URG | FR_ACK, 1);
  send_tcp(T0 + 4 * MSEC, 1, FR_ACK, 0);
  send_tcp(T0 + 5 * MSEC, 0, FR_URG | FR_ACK, 1);
  finish_one_row();
  CR_NUMS(0, {"Fwd PSH Flags", 2}, {"Fwd URG Flags", 1}, {"Bwd PSH Flags", 1},
          {"Bwd URG Flags", 2}, {"PSH Flag Cnt", 3}, {"URG Flag Cnt", 3});
}
END_TEST

/* ---- Pkt Len Min/Max/Mean/Std/Var ---- */

START_TEST(test_pkt_len_stats_count_first_packet_once)
{
  /*
   * Payloads 0 (first), 100, 300: min 0, max 300, mean 400 / 3 =
   * 133.33..; deviations -133.3, -33.3, 166.7: squares 17777.8 + 1111.1 +
   * 27777.8 = 46666.7, / 2 = var 23333.33.., std 152.75252316519467
   * (cic counts the 0 twice: mean 100).
   */
  cr_open_default();
  udp(T0, 1, 0);
  udp(T0 + MSEC, 0, 100);
  udp(T0 + 2 * MSEC, 1, 300);
  finish_one_row();
  CR_NUMS(0, {"Pkt Len Min", 0}, {"Pkt Len Max", 300},
          {"Pkt Len Mean", 400.0 / 3}, {"Pkt Len Std", 152.75252316519467},
          {"Pkt Len Var", 70000.0 / 3});
}
END_TEST

/* ---- Pkt Size Avg ---- */

START_TEST(test_pkt_size_avg_is_payload_over_packets)
{
  /* Payloads 10 (first) and 20: (10 + 20) / 2 = 15 (cic: 40 / 2 = 20). */
  cr_open_default();
  udp(T0, 1, 10);
  udp(T0 + MSEC, 0, 20);
  finish_one_row();
  CR_NUM(0, "Pkt Size Avg", 15);
}
END_TEST

/* ---- Down/Up Ratio ---- */

START_TEST(test_down_up_ratio_is_real_quotient)
{
  /* 2 forward, 3 backward: 3 / 2 = 1.5 (cic: integer division, 1). */
  cr_open_default();
  udp(T0, 1, 0);
  udp(T0 + 1 * MSEC, 0, 0);
  udp(T0 + 2 * MSEC, 0, 0);
  udp(T0 + 3 * MSEC, 1, 0);
  udp(T0 + 4 * MSEC, 0, 0);
  finish_one_row();
  CR_PKTS(0, 2, 3);
  CR_NUM(0, "Down/Up Ratio", 1.5);
}
END_TEST

/* A lone SYN-ACK: its destination is the initiator, so no fwd packet. */
static void send_lone_syn_ack(void)
{
  struct fr_spec s = tcp(T0, 0, FR_SYN | FR_ACK, 0);

  s.tcp_opt_len = 20;
  s.window = 28960;
  cr_send(&s);
}

START_TEST(test_down_up_ratio_without_forward_packet_is_zero)
{
  /* 0 forward, 1 backward: 0 by definition, not 1 / 0. */
  cr_open_default();
  send_lone_syn_ack();
  finish_one_row();
  CR_PKTS(0, 0, 1);
  CR_NUM(0, "Down/Up Ratio", 0);
  check_finite_text("Down/Up Ratio");
}
END_TEST

/* ---- Fwd/Bwd Byts/b Avg, Pkts/b Avg, Blk Rate Avg ---- */

static void check_bulk(int line, const char *dir, double bytes, double pkts,
                       double rate)
{
  char col[3][32];

  snprintf(col[0], sizeof(col[0]), "%s Byts/b Avg", dir);
  snprintf(col[1], sizeof(col[1]), "%s Pkts/b Avg", dir);
  snprintf(col[2], sizeof(col[2]), "%s Blk Rate Avg", dir);
  cr_check_num(line, 0, col[0], bytes);
  cr_check_num(line, 0, col[1], pkts);
  cr_check_num(line, 0, col[2], rate);
}

#define CHECK_BULK(dir, bytes, pkts, rate)                                     \
  check_bulk(__LINE__, (dir), (bytes), (pkts), (rate))

START_TEST(test_bulk_four_forward_payload_packets_make_one_bulk)
{
  /*
   * 100 bytes forward at 0, 100, 200, 300 ms, an empty ACK back after
   * each (no payload: it does not break the run). One forward bulk:
   * 400 bytes, 4 packets, 400 / 0.3 s = 1333.33.. B/s; backward none.
   */
  cr_open_default();
  for (int64_t k = 0; k < 4; k++) {
    send_tcp(T0 + k * 100 * MSEC, 1, FR_PSH | FR_ACK, 100);
    send_tcp(T0 + k * 100 * MSEC + 50 * MSEC, 0, FR_ACK, 0);
  }
  finish_one_row();
  CHECK_BULK("Fwd", 400, 4, 400 / 0.3);
  CHECK_BULK("Bwd", 0, 0, 0);
}
END_TEST

START_TEST(test_bulk_backward_run_of_five_is_one_bulk)
{
  /*
   * A 50-byte request, then 200 bytes back at 10, 110, .., 410 ms with
   * empty ACKs forward between them. Backward: one bulk of 5 packets,
   * 1000 bytes, over 0.4 s: 2500 B/s. Forward: one payload packet only.
   */
  cr_open_default();
  send_tcp(T0, 1, FR_PSH | FR_ACK, 50);
  for (int64_t k = 0; k < 5; k++) {
    send_tcp(T0 + 10 * MSEC + k * 100 * MSEC, 0, FR_PSH | FR_ACK, 200);
    send_tcp(T0 + 60 * MSEC + k * 100 * MSEC, 1, FR_ACK, 0);
  }
  finish_one_row();
  CHECK_BULK("Bwd", 1000, 5, 2500);
  CHECK_BULK("Fwd", 0, 0, 0);
}
END_TEST

START_TEST(test_bulk_three_payload_packets_make_no_bulk)
{
  /* Three forward payload packets 100 ms apart: under 4, no bulk. */
  cr_open_default();
  for (int64_t k = 0; k < 3; k++) {
    send_tcp(T0 + k * 100 * MSEC, 1, FR_PSH | FR_ACK, 100);
  }
  finish_one_row();
  CHECK_BULK("Fwd", 0, 0, 0);
}
END_TEST

START_TEST(test_bulk_other_direction_payload_breaks_run)
{
  /*
   * Forward 100 bytes at 0, 100, 200 ms; 50 bytes back at 300 ms;
   * forward 100 bytes at 400 .. 700 ms. The backward payload ends the
   * first run at 3; the second run is one bulk: 400 bytes, 4 packets,
   * 0.3 s, 1333.33.. B/s (unbroken it would be 7 packets, 700 bytes).
   */
  cr_open_default();
  for (int64_t k = 0; k < 3; k++) {
    send_tcp(T0 + k * 100 * MSEC, 1, FR_PSH | FR_ACK, 100);
  }
  send_tcp(T0 + 300 * MSEC, 0, FR_PSH | FR_ACK, 50);
  for (int64_t k = 4; k < 8; k++) {
    send_tcp(T0 + k * 100 * MSEC, 1, FR_PSH | FR_ACK, 100);
  }
  finish_one_row();
  CHECK_BULK("Fwd", 400, 4, 400 / 0.3);
  CHECK_BULK("Bwd", 0, 0, 0);
}
END_TEST

START_TEST(test_bulk_gap_of_exactly_1s_extends_bulk)
{
  /*
   * Forward 100 bytes at 0, 1, 2, 3 s: each gap is exactly 1 s, which
   * keeps the run. One bulk: 400 bytes, 4 packets, 400 / 3 = 133.33..
   */
  cr_open_default();
  for (int64_t k = 0; k < 4; k++) {
    udp(T0 + k * SEC, 1, 100);
  }
  finish_one_row();
  CHECK_BULK("Fwd", 400, 4, 400.0 / 3);
}
END_TEST

START_TEST(test_bulk_gap_over_1s_breaks_run)
{
  /*
   * Forward 100 bytes at 0, 1, 2.000001, 3.000001 s: the middle gap is
   * 1 s + 1 us, so the runs are 2 and 2 packets: no bulk.
   */
  cr_open_default();
  udp(T0, 1, 100);
  udp(T0 + SEC, 1, 100);
  udp(T0 + 2 * SEC + 1, 1, 100);
  udp(T0 + 3 * SEC + 1, 1, 100);
  finish_one_row();
  CHECK_BULK("Fwd", 0, 0, 0);
}
END_TEST

START_TEST(test_bulk_of_zero_duration_has_rate_zero)
{
  /* Four 100-byte packets in one microsecond: 400 B, 4 pkts, rate 0. */
  cr_open_default();
  for (int k = 0; k < 4; k++) {
    udp(T0, 1, 100);
  }
  finish_one_row();
  CHECK_BULK("Fwd", 400, 4, 0);
}
END_TEST

START_TEST(test_bulk_two_bulks_are_averaged)
{
  /*
   * Bulk 1: 4 x 100 bytes at 0, 0.1, 0.2, 0.3 s (0.3 s). Gap 2 s. Bulk 2:
   * 4 x 200 bytes at 2.3, 2.5, 2.7, 2.9 s (0.6 s). Bytes per bulk
   * (400 + 800) / 2 = 600, packets 4, rate 1200 / 0.9 = 1333.33.. (each
   * bulk has that rate too).
   */
  cr_open_default();
  for (int64_t k = 0; k < 4; k++) {
    udp(T0 + k * 100 * MSEC, 1, 100);
  }
  for (int64_t k = 0; k < 4; k++) {
    udp(T0 + 2300 * MSEC + k * 200 * MSEC, 1, 200);
  }
  finish_one_row();
  CHECK_BULK("Fwd", 600, 4, 1200 / 0.9);
}
END_TEST

/* ---- Subflow Fwd/Bwd Pkts/Byts ---- */

START_TEST(test_subflow_count_is_one_plus_gaps_over_1s)
{
  /*
   * Fwd 100 bytes at 0 s, bwd 50 at 0.5 s, fwd 100 at 2.0 s (gap 1.5 s:
   * over 1 s), bwd 50 at 3.0 s (gap exactly 1 s: not over), fwd 100 at
   * 5.0 s (gap 2 s: over). 1 + 2 = 3 subflows. Fwd 3 packets, 300 bytes;
   * bwd 2 packets, 100 bytes: 3 / 3 = 1, 300 / 3 = 100, 2 / 3 =
   * 0.666.., 100 / 3 = 33.33..
   */
  cr_open_default();
  udp(T0, 1, 100);
  udp(T0 + 500 * MSEC, 0, 50);
  udp(T0 + 2 * SEC, 1, 100);
  udp(T0 + 3 * SEC, 0, 50);
  udp(T0 + 5 * SEC, 1, 100);
  finish_one_row();
  CR_NUMS(0, {"Subflow Fwd Pkts", 1}, {"Subflow Fwd Byts", 100},
          {"Subflow Bwd Pkts", 2.0 / 3}, {"Subflow Bwd Byts", 100.0 / 3});
}
END_TEST

/* ---- Init Fwd Win Byts, Init Bwd Win Byts ---- */

START_TEST(test_init_win_is_first_window_of_each_direction)
{
  static const uint16_t windows[] = {100, 300, 200, 400};
  struct fr_spec s;

  /* Windows fwd 100, bwd 300, fwd 200, bwd 400: 100 and 300 (cic 400). */
  cr_open_default();
  for (int i = 0; i < 4; i++) {
    s = tcp(T0 + i * MSEC, i % 2 == 0, i == 0 ? FR_SYN : FR_ACK, 0);
    s.window = windows[i];
    cr_send(&s);
  }
  finish_one_row();
  CR_NUMS(0, {"Init Fwd Win Byts", 100}, {"Init Bwd Win Byts", 300});
}
END_TEST

START_TEST(test_init_win_of_non_tcp_flow_is_zero)
{
  /* UDP has no window: both 0. */
  cr_open_default();
  udp(T0, 1, 10);
  udp(T0 + MSEC, 0, 10);
  finish_one_row();
  CR_NUMS(0, {"Init Fwd Win Byts", 0}, {"Init Bwd Win Byts", 0});
}
END_TEST

START_TEST(test_init_fwd_win_without_forward_packet_is_zero)
{
  /* Only the SYN-ACK (window 28960), which is backward: fwd 0. */
  cr_open_default();
  send_lone_syn_ack();
  finish_one_row();
  CR_NUMS(0, {"Init Fwd Win Byts", 0}, {"Init Bwd Win Byts", 28960});
}
END_TEST

/* ---- Fwd Act Data Pkts ---- */

START_TEST(test_fwd_act_data_pkts_counts_first_packet)
{
  /*
   * Fwd payloads 10 (first), 0, 5; bwd 30. Forward packets with payload:
   * the first and the third, 2 (cic skips the first: 1).
   */
  cr_open_default();
  udp(T0, 1, 10);
  udp(T0 + MSEC, 0, 30);
  udp(T0 + 2 * MSEC, 1, 0);
  udp(T0 + 3 * MSEC, 1, 5);
  finish_one_row();
  CR_NUM(0, "Fwd Act Data Pkts", 2);
}
END_TEST

/* ---- Fwd Seg Size Min ---- */

START_TEST(test_fwd_seg_size_min_is_smallest_forward_header)
{
  static const uint8_t opts[] = {20, 0, 12};
  struct fr_spec s;

  /*
   * Forward TCP headers 40, 20, 32 bytes (options 20, 0, 12): the
   * smallest, 20, is neither the first nor the last. Header sums: fwd
   * 40 + 20 + 32 = 92, bwd 24 (one ACK with 4 option bytes).
   */
  cr_open_default();
  for (int i = 0; i < 3; i++) {
    s = tcp(T0 + i * MSEC, 1, i == 0 ? FR_SYN : FR_ACK, 0);
    s.tcp_opt_len = opts[i];
    cr_send(&s);
  }
  s = tcp(T0 + 5 * MSEC, 0, FR_ACK, 0);
  s.tcp_opt_len = 4;
  cr_send(&s);
  finish_one_row();
  CR_NUMS(0, {"Fwd Seg Size Min", 20}, {"Fwd Header Len", 92},
          {"Bwd Header Len", 24});
}
END_TEST

START_TEST(test_fwd_seg_size_min_without_forward_packet_is_zero)
{
  /* Only the backward SYN-ACK (header 40): no forward header, 0. */
  cr_open_default();
  send_lone_syn_ack();
  finish_one_row();
  CR_NUMS(0, {"Fwd Seg Size Min", 0}, {"Bwd Header Len", 40});
}
END_TEST

/* ---- Active and Idle ---- */

START_TEST(test_active_idle_split_at_gaps_over_5s)
{
  /*
   * Packets at 0, 1, 2 | 12, 13 | 19 s (gaps 10 s and 6 s > 5 s).
   * Active periods 2 s, 1 s and 0 (the lone last packet: not counted).
   * Active {2e6, 1e6}: mean 1.5e6, std sqrt(2 * 0.25e12) =
   * 707106.7811865476, max 2e6, min 1e6. Idle {10e6, 6e6}: mean 8e6, std
   * sqrt(2 * 4e12) = 2828427.1247461903, max 10e6, min 6e6.
   */
  cr_open_default();
  udp(T0, 1, 0);
  udp(T0 + 1 * SEC, 0, 0);
  udp(T0 + 2 * SEC, 1, 0);
  udp(T0 + 12 * SEC, 1, 0);
  udp(T0 + 13 * SEC, 0, 0);
  udp(T0 + 19 * SEC, 1, 0);
  finish_one_row();
  CR_NUMS(0, {"Active Mean", 1.5e6}, {"Active Std", 707106.7811865476},
          {"Active Max", 2e6}, {"Active Min", 1e6}, {"Idle Mean", 8e6},
          {"Idle Std", 2828427.1247461903}, {"Idle Max", 10e6},
          {"Idle Min", 6e6});
}
END_TEST

START_TEST(test_active_zero_length_first_period_is_not_counted)
{
  /*
   * A lone packet at 0, then 10 s of silence, then 10 and 11 s. The
   * first period has length 0: Active {1e6} only; Idle {10e6}.
   */
  cr_open_default();
  udp(T0, 1, 0);
  udp(T0 + 10 * SEC, 0, 0);
  udp(T0 + 11 * SEC, 1, 0);
  finish_one_row();
  CR_NUMS(0, {"Active Mean", 1e6}, {"Active Std", 0}, {"Active Max", 1e6},
          {"Active Min", 1e6}, {"Idle Mean", 10e6}, {"Idle Std", 0},
          {"Idle Max", 10e6}, {"Idle Min", 10e6});
}
END_TEST

START_TEST(test_active_gap_of_exactly_5s_stays_active)
{
  /*
   * Packets at 0, 5, 5.5 s: a gap of exactly 5 s is not longer than the
   * threshold, so one active period of 5.5 s and no idle value.
   */
  cr_open_default();
  udp(T0, 1, 0);
  udp(T0 + 5 * SEC, 0, 0);
  udp(T0 + 5500 * MSEC, 1, 0);
  finish_one_row();
  CR_NUMS(0, {"Active Mean", 5.5e6}, {"Active Std", 0}, {"Active Max", 5.5e6},
          {"Active Min", 5.5e6}, {"Idle Mean", 0}, {"Idle Std", 0},
          {"Idle Max", 0}, {"Idle Min", 0});
}
END_TEST

/* ---- Label ---- */

START_TEST(test_label_is_no_label_by_default)
{
  cr_open_default();
  udp(T0, 1, 0);
  finish_one_row();
  ck_assert_str_eq(cr_cell(0, "Label"), "No Label");
}
END_TEST

START_TEST(test_label_option_is_written)
{
  struct fe_options o;

  cr_options(&o);
  o.label = "DDoS LOIT";
  cr_open(&o);
  udp(T0, 1, 0);
  finish_one_row();
  ck_assert_str_eq(cr_cell(0, "Label"), "DDoS LOIT");
}
END_TEST

/* ---- columns left as in cic ---- */

struct proto_case {
  struct fr_spec s;
  const char *ports; /* "Src Port/Dst Port" */
};

static const struct proto_case proto_cases[] = {
    {{.src = A4, .dst = B4, .proto = 6, .sport = 40000, .dport = 80},
     "40000/80"},
    {{.src = A4, .dst = B4, .proto = 17, .sport = 5000, .dport = 53},
     "5000/53"},
    {{.src = A4, .dst = B4, .proto = 1, .icmp_type = 8}, "0/0"},
    {{.src = "2001:db8::1",
      .dst = "2001:db8::2",
      .proto = 58,
      .icmp_type = 128},
     "0/0"},
    {{.src = A4, .dst = B4, .proto = 47, .payload = 8}, "0/0"},
    {{.src = A4, .dst = B4, .proto = 50, .payload = 8}, "0/0"},
    {{.src = A4, .dst = B4, .proto = 132, .payload = 8}, "0/0"},
    {{.src = A4, .dst = B4, .proto = 2, .payload = 8}, "0/0"},
};

START_TEST(test_protocol_column_is_ip_protocol_number)
{
  struct fr_spec s = proto_cases[_i].s;
  char ports[32];

  /* TCP 6, UDP 17, ICMP 1, ICMPv6 58, GRE 47, ESP 50, SCTP 132, IGMP 2. */
  s.ts = T0;
  cr_open_default();
  cr_send(&s);
  finish_one_row();
  CR_NUM(0, "Protocol", s.proto);
  snprintf(ports, sizeof(ports), "%s/", cr_cell(0, "Src Port"));
  strncat(ports, cr_cell(0, "Dst Port"), sizeof(ports) - strlen(ports) - 1);
  ck_assert_str_eq(ports, proto_cases[_i].ports);
}
END_TEST

struct v6_case {
  const char *in;
  const char *out;
};

static const struct v6_case v6_cases[] = {
    {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
    {"2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
    {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
    {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
    {"fe80:0:0:0:0:0:0:0", "fe80::"},
};

START_TEST(test_ipv6_address_text_is_rfc5952)
{
  struct fr_spec s = fr_udp(T0, v6_cases[_i].in, 5000, "::1", 53, 0);
  char id[128];

  /*
   * RFC 5952: lower case, no leading zeros, the longest run of zero
   * groups (the first of equal runs) as "::", never one lone group.
   */
  cr_open_default();
  cr_send(&s);
  finish_one_row();
  ck_assert_str_eq(cr_cell(0, "Src IP"), v6_cases[_i].out);
  ck_assert_str_eq(cr_cell(0, "Dst IP"), "::1");
  snprintf(id, sizeof(id), "%s-::1-5000-53-17", v6_cases[_i].out);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), id);
}
END_TEST

START_TEST(test_header_len_and_flag_counts_count_every_packet)
{
  struct fr_spec syn = tcp(T0, 1, FR_SYN | FR_ECE | FR_CWR, 0);
  struct fr_spec synack = tcp(T0 + MSEC, 0, FR_SYN | FR_ACK | FR_ECE, 0);
  struct fr_spec ack = tcp(T0 + 2 * MSEC, 1, FR_ACK, 0);
  struct fr_spec data = tcp(T0 + 3 * MSEC, 1, FR_PSH | FR_URG | FR_ACK, 10);

  /*
   * Fwd headers 40 (SYN, 20 option bytes) + 32 + 32 = 104; bwd 40
   * (SYN-ACK) + 20 (FIN) + 20 (RST) = 80. Flags over the 6 packets: FIN
   * 1, SYN 2, RST 1, PSH 1, ACK 4 (SYN-ACK, ACK, data, FIN), URG 1,
   * CWR 1, ECE 2.
   */
  syn.tcp_opt_len = 20;
  synack.tcp_opt_len = 20;
  ack.tcp_opt_len = 12;
  data.tcp_opt_len = 12;
  cr_open_default();
  cr_send(&syn);
  cr_send(&synack);
  cr_send(&ack);
  cr_send(&data);
  send_tcp(T0 + 4 * MSEC, 0, FR_FIN | FR_ACK, 0);
  send_tcp(T0 + 5 * MSEC, 0, FR_RST, 0);
  finish_one_row();
  CR_NUMS(0, {"Fwd Header Len", 104}, {"Bwd Header Len", 80},
          {"FIN Flag Cnt", 1}, {"SYN Flag Cnt", 2}, {"RST Flag Cnt", 1},
          {"PSH Flag Cnt", 1}, {"ACK Flag Cnt", 4}, {"URG Flag Cnt", 1},
          {"CWE Flag Count", 1}, {"ECE Flag Cnt", 2});
  ck_assert_int_eq(cr_row(0)->bwd_rst, 1);
  ck_assert_int_eq(cr_row(0)->fwd_rst, 0);
}
END_TEST

START_TEST(test_single_packet_row_prints_zero_for_empty_sets)
{
  /*
   * One 10-byte UDP packet. Fwd lengths {10}: 10, 10, 10, std 0. No
   * backward packet, no gap, no bulk, one active period of length 0:
   * every such statistic 0. Pkt Len {10}: var 0. One subflow: 1
   * packet, 10 bytes. Fwd Act Data 1, Fwd Seg Size Min 8.
   */
  cr_open_default();
  udp(T0, 1, 10);
  finish_one_row();
  CR_NUMS(0, {"Flow Duration", 0}, {"Tot Fwd Pkts", 1}, {"Tot Bwd Pkts", 0},
          {"Fwd Pkt Len Max", 10}, {"Fwd Pkt Len Min", 10},
          {"Fwd Pkt Len Mean", 10}, {"Fwd Pkt Len Std", 0},
          {"Bwd Pkt Len Max", 0}, {"Bwd Pkt Len Min", 0},
          {"Bwd Pkt Len Mean", 0}, {"Bwd Pkt Len Std", 0}, {"Flow IAT Mean", 0},
          {"Flow IAT Std", 0}, {"Flow IAT Max", 0}, {"Flow IAT Min", 0},
          {"Fwd IAT Tot", 0}, {"Bwd IAT Tot", 0}, {"Pkt Len Std", 0},
          {"Pkt Len Var", 0}, {"Pkt Size Avg", 10}, {"Down/Up Ratio", 0},
          {"Bwd Seg Size Avg", 0}, {"Subflow Fwd Pkts", 1},
          {"Subflow Fwd Byts", 10}, {"Fwd Act Data Pkts", 1},
          {"Fwd Seg Size Min", 8}, {"Active Mean", 0}, {"Active Max", 0},
          {"Idle Mean", 0}, {"Idle Max", 0});
  ck_assert_ptr_null(strstr(cr_row(0)->csv, "NaN"));
}
END_TEST

/* Every column of the UDP exchange below, in CSV order. */
static const struct cr_expect udp_row[] = {
    {"Src Port", 5000},        {"Dst Port", 53},
    {"Protocol", 17},          {"Flow Duration", 500000},
    {"Tot Fwd Pkts", 1},       {"Tot Bwd Pkts", 1},
    {"TotLen Fwd Pkts", 10},   {"TotLen Bwd Pkts", 30},
    {"Fwd Pkt Len Max", 10},   {"Fwd Pkt Len Min", 10},
    {"Fwd Pkt Len Mean", 10},  {"Fwd Pkt Len Std", 0},
    {"Bwd Pkt Len Max", 30},   {"Bwd Pkt Len Min", 30},
    {"Bwd Pkt Len Mean", 30},  {"Bwd Pkt Len Std", 0},
    {"Flow Byts/s", 80},       {"Flow Pkts/s", 4},
    {"Flow IAT Mean", 500000}, {"Flow IAT Std", 0},
    {"Flow IAT Max", 500000},  {"Flow IAT Min", 500000},
    {"Fwd IAT Tot", 0},        {"Fwd IAT Mean", 0},
    {"Fwd IAT Std", 0},        {"Fwd IAT Max", 0},
    {"Fwd IAT Min", 0},        {"Bwd IAT Tot", 0},
    {"Bwd IAT Mean", 0},       {"Bwd IAT Std", 0},
    {"Bwd IAT Max", 0},        {"Bwd IAT Min", 0},
    {"Fwd PSH Flags", 0},      {"Bwd PSH Flags", 0},
    {"Fwd URG Flags", 0},      {"Bwd URG Flags", 0},
    {"Fwd Header Len", 8},     {"Bwd Header Len", 8},
    {"Fwd Pkts/s", 2},         {"Bwd Pkts/s", 2},
    {"Pkt Len Min", 10},       {"Pkt Len Max", 30},
    {"Pkt Len Mean", 20},      {"Pkt Len Std", 14.142135623730951},
    {"Pkt Len Var", 200},      {"FIN Flag Cnt", 0},
    {"SYN Flag Cnt", 0},       {"RST Flag Cnt", 0},
    {"PSH Flag Cnt", 0},       {"ACK Flag Cnt", 0},
    {"URG Flag Cnt", 0},       {"CWE Flag Count", 0},
    {"ECE Flag Cnt", 0},       {"Down/Up Ratio", 1},
    {"Pkt Size Avg", 20},      {"Fwd Seg Size Avg", 10},
    {"Bwd Seg Size Avg", 30},  {"Fwd Byts/b Avg", 0},
    {"Fwd Pkts/b Avg", 0},     {"Fwd Blk Rate Avg", 0},
    {"Bwd Byts/b Avg", 0},     {"Bwd Pkts/b Avg", 0},
    {"Bwd Blk Rate Avg", 0},   {"Subflow Fwd Pkts", 1},
    {"Subflow Fwd Byts", 10},  {"Subflow Bwd Pkts", 1},
    {"Subflow Bwd Byts", 30},  {"Init Fwd Win Byts", 0},
    {"Init Bwd Win Byts", 0},  {"Fwd Act Data Pkts", 1},
    {"Fwd Seg Size Min", 8},   {"Active Mean", 500000},
    {"Active Std", 0},         {"Active Max", 500000},
    {"Active Min", 500000},    {"Idle Mean", 0},
    {"Idle Std", 0},           {"Idle Max", 0},
    {"Idle Min", 0},
};

START_TEST(test_row_udp_exchange_gives_every_hand_computed_column)
{
  /*
   * A 10-byte query at T0 and a 30-byte answer 0.5 s later:
   * - rates: 40 B / 0.5 s = 80, 2 / 0.5 = 4, 1 / 0.5 = 2 each way;
   * - Flow IAT {500000}; one packet each way, so no Fwd/Bwd IAT;
   * - Pkt Len {10, 30}: mean 20, var (100 + 100) / 1 = 200, std
   *   14.142135623730951; Pkt Size Avg 40 / 2 = 20; Down/Up 1 / 1;
   * - 2 payload packets: no bulk; 1 subflow (0.5 s gap): the totals;
   * - UDP: windows 0, headers 8; Fwd Act Data 1 (the query);
   * - one active period 0 .. 0.5 s, still open at the end: 500000;
   *   no idle gap.
   */
  cr_open_default();
  udp(T0, 1, 10);
  udp(T0 + 500 * MSEC, 0, 30);
  finish_one_row();
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "10.0.0.1-10.0.0.2-5000-53-17");
  ck_assert_str_eq(cr_cell(0, "Src IP"), A4);
  ck_assert_str_eq(cr_cell(0, "Dst IP"), B4);
  ck_assert_str_eq(cr_cell(0, "Timestamp"), "2017-07-05 16:00:00.000000");
  ck_assert_str_eq(cr_cell(0, "Label"), "No Label");
  cr_check_nums(__LINE__, 0, udp_row, sizeof(udp_row) / sizeof(udp_row[0]));
  ck_assert_int_eq(cr_row(0)->first_us, T0);
  ck_assert_int_eq(cr_row(0)->last_us, T0 + 500 * MSEC);
  ck_assert_int_eq(cr_row(0)->icmp_type, -1);
  ck_assert_int_eq(cr_row(0)->icmp_code, -1);
}
END_TEST

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static TCase *time_tcase(void)
{
  TCase *tc = tcase_create("times_and_rates");

  tcase_add_checked_fixture(tc, cr_setup, cr_teardown);
  tcase_add_loop_test(tc, test_timestamp_is_utc_with_six_fraction_digits, 0,
                      COUNT(ts_cases));
  tcase_add_test(tc, test_timestamp_time_zone_option_shifts_wall_clock);
  tcase_add_test(tc,
                 test_flow_duration_is_latest_minus_first_with_stale_packet);
  tcase_add_test(tc, test_rates_are_per_second_of_duration);
  tcase_add_loop_test(tc, test_rates_of_zero_duration_are_zero_never_nan, 0, 2);
  tcase_add_test(tc, test_iat_gaps_per_flow_and_per_direction);
  tcase_add_test(tc, test_iat_stale_packet_gap_is_zero_and_counted);
  return tc;
}

static TCase *counts_tcase(void)
{
  TCase *tc = tcase_create("counts_and_lengths");

  tcase_add_checked_fixture(tc, cr_setup, cr_teardown);
  tcase_add_test(tc, test_psh_urg_flags_count_packets_per_direction);
  tcase_add_test(tc, test_pkt_len_stats_count_first_packet_once);
  tcase_add_test(tc, test_pkt_size_avg_is_payload_over_packets);
  tcase_add_test(tc, test_down_up_ratio_is_real_quotient);
  tcase_add_test(tc, test_down_up_ratio_without_forward_packet_is_zero);
  tcase_add_test(tc, test_init_win_is_first_window_of_each_direction);
  tcase_add_test(tc, test_init_win_of_non_tcp_flow_is_zero);
  tcase_add_test(tc, test_init_fwd_win_without_forward_packet_is_zero);
  tcase_add_test(tc, test_fwd_act_data_pkts_counts_first_packet);
  tcase_add_test(tc, test_fwd_seg_size_min_is_smallest_forward_header);
  tcase_add_test(tc, test_fwd_seg_size_min_without_forward_packet_is_zero);
  tcase_add_test(tc, test_label_is_no_label_by_default);
  tcase_add_test(tc, test_label_option_is_written);
  return tc;
}

static TCase *bulk_tcase(void)
{
  TCase *tc = tcase_create("bulk_subflow_active");

  tcase_add_checked_fixture(tc, cr_setup, cr_teardown);
  tcase_add_test(tc, test_bulk_four_forward_payload_packets_make_one_bulk);
  tcase_add_test(tc, test_bulk_backward_run_of_five_is_one_bulk);
  tcase_add_test(tc, test_bulk_three_payload_packets_make_no_bulk);
  tcase_add_test(tc, test_bulk_other_direction_payload_breaks_run);
  tcase_add_test(tc, test_bulk_gap_of_exactly_1s_extends_bulk);
  tcase_add_test(tc, test_bulk_gap_over_1s_breaks_run);
  tcase_add_test(tc, test_bulk_of_zero_duration_has_rate_zero);
  tcase_add_test(tc, test_bulk_two_bulks_are_averaged);
  tcase_add_test(tc, test_subflow_count_is_one_plus_gaps_over_1s);
  tcase_add_test(tc, test_active_idle_split_at_gaps_over_5s);
  tcase_add_test(tc, test_active_zero_length_first_period_is_not_counted);
  tcase_add_test(tc, test_active_gap_of_exactly_5s_stays_active);
  return tc;
}

static TCase *unchanged_tcase(void)
{
  TCase *tc = tcase_create("unchanged_columns");

  tcase_add_checked_fixture(tc, cr_setup, cr_teardown);
  tcase_add_loop_test(tc, test_protocol_column_is_ip_protocol_number, 0,
                      COUNT(proto_cases));
  tcase_add_loop_test(tc, test_ipv6_address_text_is_rfc5952, 0,
                      COUNT(v6_cases));
  tcase_add_test(tc, test_header_len_and_flag_counts_count_every_packet);
  tcase_add_test(tc, test_single_packet_row_prints_zero_for_empty_sets);
  tcase_add_test(tc, test_row_udp_exchange_gives_every_hand_computed_column);
  return tc;
}

Suite *fe_corrected_columns_suite(void)
{
  Suite *s = suite_create("corrected_columns");

  suite_add_tcase(s, time_tcase());
  suite_add_tcase(s, counts_tcase());
  suite_add_tcase(s, bulk_tcase());
  suite_add_tcase(s, unchanged_tcase());
  return s;
}
