/* SPDX-License-Identifier: MIT */
/*
 * Tests of timestamp.c and of the time zones it is used with
 * (timezone.c): the Timestamp column is Java's "dd/MM/yyyy hh:mm:ss a"
 * in English, in the meter's zone (cic-profile.md §1.3). Epoch seconds
 * in the comments were worked out with a calendar; Paris offsets are
 * those of the EU rules (last Sunday of March and October, 01:00 UTC).
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "fe_int.h"
#include "flowengine/meter.h"

Suite *fe_timestamp_suite(void);

#define JUL_05_2017_1600_UTC INT64_C(1499270400)
#define JAN_15_2017_1200_UTC INT64_C(1484481600)
#define MAR_26_2017_0100_UTC INT64_C(1490490000) /* EU summer time starts */
#define OCT_29_2017_0100_UTC INT64_C(1509238800) /* EU summer time ends */

struct ts_case {
  int64_t local_sec;
  const char *text;
};

static void check_format(const struct ts_case *c)
{
  char buf[32];

  memset(buf, '#', sizeof(buf));
  fe__format_timestamp(c->local_sec, buf);
  ck_assert_msg(strcmp(buf, c->text) == 0,
                "%lld formatted as \"%s\", want \"%s\"",
                (long long)c->local_sec, buf, c->text);
}

/* Midnight reads 12 AM and noon 12 PM; 1 to 11 keep their number. */
static const struct ts_case clock_cases[] = {
    {0, "01/01/1970 12:00:00 AM"},
    {59, "01/01/1970 12:00:59 AM"},
    {3661, "01/01/1970 01:01:01 AM"},
    {43199, "01/01/1970 11:59:59 AM"},
    {43200, "01/01/1970 12:00:00 PM"},
    {46800, "01/01/1970 01:00:00 PM"},
    {86399, "01/01/1970 11:59:59 PM"},
    {JUL_05_2017_1600_UTC, "05/07/2017 04:00:00 PM"}, /* §1.3 example */
};

/*
 * Calendar edges: 2016-02-29 (1456704000) and 2000-02-29 12:30
 * (951827400) exist, 1900 is no leap year so 1900-03-01 follows
 * 1900-02-28 (-2203891200). Before the epoch, -1 is the last second of
 * 1969. 9999-12-31 23:59:59 is 253402300799; one second later the year
 * has five digits and Java's "yyyy" prints a '+' before it. Year 1 AD
 * starts at -62135596800; the second before is in 1 BC, which "yyyy"
 * (year of era) prints as 0001.
 */
static const struct ts_case calendar_cases[] = {
    {INT64_C(1456704000), "29/02/2016 12:00:00 AM"},
    {INT64_C(951827400), "29/02/2000 12:30:00 PM"},
    {INT64_C(-2203891200), "01/03/1900 12:00:00 AM"},
    {-1, "31/12/1969 11:59:59 PM"},
    {-86400, "31/12/1969 12:00:00 AM"},
    {INT64_C(253402300799), "31/12/9999 11:59:59 PM"},
    {INT64_C(253402300800), "01/01/+10000 12:00:00 AM"},
    {INT64_C(-62135596800), "01/01/0001 12:00:00 AM"},
    {INT64_C(-62135596801), "31/12/0001 11:59:59 PM"},
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

START_TEST(test_fe__format_timestamp_hour_of_day_prints_twelve_hour_clock)
{
  check_format(&clock_cases[_i]);
}
END_TEST

START_TEST(test_fe__format_timestamp_calendar_edge_prints_java_date)
{
  check_format(&calendar_cases[_i]);
}
END_TEST

static int32_t offset_in(const char *zone, int64_t epoch_sec)
{
  struct fe__tz *tz = NULL;
  int32_t off;

  ck_assert_int_eq(fe__tz_open(zone, &tz), 0);
  off = fe__tz_offset(tz, epoch_sec);
  fe__tz_free(tz);
  return off;
}

START_TEST(test_fe__tz_offset_utc_is_zero)
{
  ck_assert_int_eq(offset_in("UTC", JUL_05_2017_1600_UTC), 0);
}
END_TEST

START_TEST(test_fe__tz_offset_fixed_plus_0530_is_19800_seconds)
{
  /* 5 * 3600 + 30 * 60 */
  ck_assert_int_eq(offset_in("+05:30", JUL_05_2017_1600_UTC), 19800);
}
END_TEST

START_TEST(test_fe__tz_offset_utc_minus_0300_is_minus_10800_seconds)
{
  ck_assert_int_eq(offset_in("UTC-03:00", JAN_15_2017_1200_UTC), -10800);
}
END_TEST

START_TEST(test_fe__tz_offset_etc_gmt_plus_5_is_five_hours_behind)
{
  /* POSIX-style names invert the sign: Etc/GMT+5 is UTC-05:00. */
  ck_assert_int_eq(offset_in("Etc/GMT+5", JUL_05_2017_1600_UTC), -18000);
}
END_TEST

START_TEST(test_fe__tz_offset_paris_in_summer_is_two_hours)
{
  ck_assert_int_eq(offset_in("Europe/Paris", JUL_05_2017_1600_UTC), 7200);
}
END_TEST

START_TEST(test_fe__tz_offset_paris_in_winter_is_one_hour)
{
  ck_assert_int_eq(offset_in("Europe/Paris", JAN_15_2017_1200_UTC), 3600);
}
END_TEST

START_TEST(test_fe__tz_offset_paris_at_transitions_switches_on_the_second)
{
  /* The offset changes exactly at each transition instant, not before. */
  ck_assert_int_eq(offset_in("Europe/Paris", MAR_26_2017_0100_UTC - 1), 3600);
  ck_assert_int_eq(offset_in("Europe/Paris", MAR_26_2017_0100_UTC), 7200);
  ck_assert_int_eq(offset_in("Europe/Paris", OCT_29_2017_0100_UTC - 1), 7200);
  ck_assert_int_eq(offset_in("Europe/Paris", OCT_29_2017_0100_UTC), 3600);
}
END_TEST

/* The Timestamp cell of a flow whose first packet is at ts_us. */
static void row_timestamp(const char *zone, int64_t ts_us, char *out)
{
  struct fe__cic_flow f;
  struct fe__packet p;
  struct fe__pool periods;
  struct fe__tz *tz = NULL;
  struct fe_row row;

  memset(&f, 0, sizeof(f));
  memset(&p, 0, sizeof(p));
  fe__ip4_set(p.tuple.src, 0x0A000001u);
  fe__ip4_set(p.tuple.dst, 0x0A000002u);
  p.tuple.proto = 17;
  p.ts = ts_us;
  f.entry.tuple = p.tuple;
  fe__pool_init(&periods, sizeof(struct fe__stats));
  fe__cic_flow_start(&f, &p);
  ck_assert_int_eq(fe__cic_flow_add(&f, &periods, &p), 0);
  ck_assert_int_eq(fe__tz_open(zone, &tz), 0);
  fe__cic_flow_row(&f, NULL, tz, "No Label", &row);
  fe__tz_free(tz);
  fe__cic_flow_clear(&f, &periods);
  fe__pool_cleanup(&periods);
  ck_assert_str_eq(row.cells[FE_COL_TIMESTAMP].v.text, row.timestamp);
  strcpy(out, row.timestamp);
}

START_TEST(test_fe__cic_flow_row_paris_summer_prints_local_time)
{
  char ts[32];

  /* 16:00:00.25 UTC is 18:00:00 CEST; the fraction is dropped. */
  row_timestamp("Europe/Paris", JUL_05_2017_1600_UTC * 1000000 + 250000, ts);
  ck_assert_str_eq(ts, "05/07/2017 06:00:00 PM");
}
END_TEST

START_TEST(test_fe__cic_flow_row_paris_winter_prints_local_time)
{
  char ts[32];

  /* 12:00 UTC is 13:00 CET. */
  row_timestamp("Europe/Paris", JAN_15_2017_1200_UTC * 1000000, ts);
  ck_assert_str_eq(ts, "15/01/2017 01:00:00 PM");
}
END_TEST

START_TEST(test_fe__cic_flow_row_fixed_offset_moves_date_back)
{
  char ts[32];

  /* 1970-01-01 00:00 UTC at -03:00 is 21:00 on the last day of 1969. */
  row_timestamp("UTC-03:00", 0, ts);
  ck_assert_str_eq(ts, "31/12/1969 09:00:00 PM");
}
END_TEST

START_TEST(test_fe__cic_flow_row_negative_epoch_truncates_then_floors)
{
  char ts[32];

  /*
   * -1500 µs: Java's long division gives -1 ms, and the instant -1 ms
   * lies in second -1 (23:59:59.999 on 1969-12-31).
   */
  row_timestamp("UTC", -1500, ts);
  ck_assert_str_eq(ts, "31/12/1969 11:59:59 PM");
}
END_TEST

START_TEST(test_fe__cic_flow_row_sub_millisecond_before_epoch_is_midnight)
{
  char ts[32];

  /* -999 µs truncates to 0 ms, so the second is 0, not -1. */
  row_timestamp("UTC", -999, ts);
  ck_assert_str_eq(ts, "01/01/1970 12:00:00 AM");
}
END_TEST

static int noop_row(void *ctx, const struct fe_row *row)
{
  (void)ctx;
  (void)row;
  return 0;
}

/* Zone names fe_meter_new must refuse with FE_ERR_INVALID. */
static const char *const invalid_zones[] = {
    "Mars/Olympus_Mons", /* no such zone file */
    "../../etc/passwd",  /* escapes the zoneinfo directory */
    "/etc/localtime",    /* absolute paths are not zone names */
    "Europe",            /* a directory, not a zone */
    "zone.tab",          /* a data file, and '.' is not allowed */
    "+15:00",            /* beyond +14:00 */
    "+05:60",            /* minutes out of range */
    "UTC+05:30:00",      /* seconds are not accepted */
    "+05:30 ",           /* trailing characters */
    "Europe/Paris\n",    /* control character */
};

START_TEST(test_fe_meter_new_invalid_time_zone_returns_invalid)
{
  struct fe_options o;
  struct fe_meter *m = NULL;

  fe_options_init(&o);
  o.time_zone = invalid_zones[_i];
  ck_assert_msg(fe_meter_new(&o, noop_row, NULL, &m) == FE_ERR_INVALID,
                "zone \"%s\" was accepted", invalid_zones[_i]);
  ck_assert_ptr_null(m);
}
END_TEST

START_TEST(test_fe_meter_new_valid_time_zones_succeed)
{
  static const char *const zones[] = {"UTC", "+05:30", "UTC-03:00",
                                      "Europe/Paris", "America/New_York"};
  struct fe_options o;

  fe_options_init(&o);
  for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
    struct fe_meter *m = NULL;

    o.time_zone = zones[i];
    ck_assert_int_eq(fe_meter_new(&o, noop_row, NULL, &m), 0);
    ck_assert_ptr_nonnull(m);
    fe_meter_free(m);
  }
}
END_TEST

Suite *fe_timestamp_suite(void)
{
  Suite *s = suite_create("timestamp");
  TCase *fmt = tcase_create("format");
  TCase *zones = tcase_create("zones");

  tcase_add_loop_test(
      fmt, test_fe__format_timestamp_hour_of_day_prints_twelve_hour_clock, 0,
      COUNT(clock_cases));
  tcase_add_loop_test(fmt,
                      test_fe__format_timestamp_calendar_edge_prints_java_date,
                      0, COUNT(calendar_cases));
  tcase_add_test(fmt,
                 test_fe__cic_flow_row_negative_epoch_truncates_then_floors);
  tcase_add_test(
      fmt, test_fe__cic_flow_row_sub_millisecond_before_epoch_is_midnight);
  suite_add_tcase(s, fmt);

  tcase_add_test(zones, test_fe__tz_offset_utc_is_zero);
  tcase_add_test(zones, test_fe__tz_offset_fixed_plus_0530_is_19800_seconds);
  tcase_add_test(zones,
                 test_fe__tz_offset_utc_minus_0300_is_minus_10800_seconds);
  tcase_add_test(zones, test_fe__tz_offset_etc_gmt_plus_5_is_five_hours_behind);
  tcase_add_test(zones, test_fe__tz_offset_paris_in_summer_is_two_hours);
  tcase_add_test(zones, test_fe__tz_offset_paris_in_winter_is_one_hour);
  tcase_add_test(
      zones, test_fe__tz_offset_paris_at_transitions_switches_on_the_second);
  tcase_add_test(zones, test_fe__cic_flow_row_paris_summer_prints_local_time);
  tcase_add_test(zones, test_fe__cic_flow_row_paris_winter_prints_local_time);
  tcase_add_test(zones, test_fe__cic_flow_row_fixed_offset_moves_date_back);
  tcase_add_loop_test(zones,
                      test_fe_meter_new_invalid_time_zone_returns_invalid, 0,
                      COUNT(invalid_zones));
  tcase_add_test(zones, test_fe_meter_new_valid_time_zones_succeed);
  suite_add_tcase(s, zones);
  return s;
}
