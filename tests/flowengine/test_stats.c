/* SPDX-License-Identifier: MIT */
/*
 * Tests of stats.c: the streaming mean and second moment must follow
 * commons-math3's order of operations exactly (cic-profile.md §4.1),
 * so every expected value below is an exact double, chosen where a
 * two-pass or sum/n computation would give a different last digit.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "fe_int.h"

Suite *fe_stats_suite(void);

/*
 * The values go through fe__stats_add, which counts them and feeds the
 * moments; the sum is taken the way the flow state takes its sums.
 */
static void add_all(struct fe__stats *s, double *sum, const double *v, size_t n)
{
  memset(s, 0, sizeof(*s));
  *sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    fe__stats_add(s, v[i]);
    *sum += v[i];
  }
}

static double variance(const struct fe__stats *s)
{
  return fe__moments_variance(&s->mo, s->n);
}

static double std_dev(const struct fe__stats *s)
{
  return fe__moments_std(&s->mo, s->n);
}

START_TEST(test_fe__moments_variance_no_values_is_nan)
{
  struct fe__stats s;

  /* commons-math3 returns NaN for the variance of an empty sample. */
  memset(&s, 0, sizeof(s));
  ck_assert_double_nan(variance(&s));
  ck_assert_double_nan(std_dev(&s));
}
END_TEST

START_TEST(test_fe__stats_add_one_value_gives_zero_variance)
{
  static const double v[] = {1373.5};
  struct fe__stats s;
  double sum;

  /* n = 1: mean, min, max and sum are the value; variance is 0, not NaN. */
  add_all(&s, &sum, v, 1);
  ck_assert_uint_eq(s.n, 1);
  ck_assert_double_eq(s.mo.mean, 1373.5);
  ck_assert_double_eq(s.min, 1373.5);
  ck_assert_double_eq(s.max, 1373.5);
  ck_assert_double_eq(sum, 1373.5);
  ck_assert_double_eq(variance(&s), 0.0);
  ck_assert_double_eq(std_dev(&s), 0.0);
}
END_TEST

START_TEST(test_fe__moments_add_first_value_resets_old_moments)
{
  struct fe__moments m = {123.0, 456.0};

  /* n = 1 starts a new stream, whatever the memory held before. */
  fe__moments_add(&m, 1, 7.0);
  ck_assert_double_eq(m.mean, 7.0);
  ck_assert_double_eq(m.m2, 0.0);
  fe__moments_add(&m, 2, 9.0);
  ck_assert_double_eq(m.mean, 8.0);
  ck_assert_double_eq(m.m2, 2.0);
}
END_TEST

START_TEST(test_fe__stats_variance_integers_is_sample_variance)
{
  static const double v[] = {1.0, 2.0, 3.0, 4.0};
  struct fe__stats s;
  double sum;

  /*
   * Mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; the
   * sample variance divides by n - 1 = 3 (the population one would be
   * 1.25). sqrt(5/3) = 1.2909944487358056.
   */
  add_all(&s, &sum, v, 4);
  ck_assert_double_eq(s.mo.mean, 2.5);
  ck_assert_double_eq(s.mo.m2, 5.0);
  ck_assert_double_eq(sum, 10.0);
  ck_assert_double_eq(variance(&s), 5.0 / 3.0);
  ck_assert_double_eq(std_dev(&s), 1.2909944487358056);
}
END_TEST

START_TEST(test_fe__stats_add_decimals_streams_mean_not_sum_over_n)
{
  static const double v[] = {0.1, 0.2, 0.3};
  struct fe__stats s;
  double sum;

  /*
   * Streaming: mean 0.1, then 0.1 + 0.1/2 = 0.15000000000000002, then
   * + 0.14999999999999997/3 = 0.2 exactly (the double nearest 0.2).
   * sum/n would give 0.6000000000000001/3 = 0.20000000000000004.
   * M2: 1 * 0.1 * 0.05 = 0.005000000000000001, then
   * + 2 * 0.14999999999999997 * 0.04999999999999999 = 0.019999999999999993.
   */
  add_all(&s, &sum, v, 3);
  ck_assert_double_eq(s.mo.mean, 0.2);
  ck_assert_double_eq(sum, 0.6000000000000001);
  ck_assert_double_eq(s.mo.m2, 0.019999999999999993);
  ck_assert_double_eq(variance(&s), 0.009999999999999997);
  ck_assert_double_eq(std_dev(&s), 0.09999999999999998);
}
END_TEST

START_TEST(test_fe__stats_add_five_decimals_keeps_streaming_rounding)
{
  static const double v[] = {0.1, 0.7, 0.2, 0.9, 0.4};
  struct fe__stats s;
  double sum;

  /*
   * Running means 0.1, 0.4, 0.33333333333333337, 0.47500000000000003,
   * 0.46; the plain average 2.3 / 5 is 0.45999999999999996.
   */
  add_all(&s, &sum, v, 5);
  ck_assert_double_eq(sum, 2.3);
  ck_assert_double_eq(s.mo.mean, 0.46);
}
END_TEST

START_TEST(test_fe__stats_add_second_moment_groups_like_commons_math)
{
  static const double v[] = {886.0, 1244.0, 4.0, 1425.0};
  struct fe__stats s;
  double sum;

  /*
   * The 4th update adds ((n-1) * dev) * ndev = (3 * 713.6666666666667) *
   * 178.41666666666669 to 814562.6666666667, giving 1196552.75. Grouped
   * as (n-1) * (dev * ndev) it would be 1196552.7500000002, and the
   * variance 398850.91666666674 instead of 398850.9166666667.
   */
  add_all(&s, &sum, v, 4);
  ck_assert_double_eq(s.mo.mean, 889.75);
  ck_assert_double_eq(s.mo.m2, 1196552.75);
  ck_assert_double_eq(variance(&s), 398850.9166666667);
  ck_assert_double_eq(std_dev(&s), 631.5464485425175);
}
END_TEST

START_TEST(test_fe__stats_add_unordered_values_tracks_min_and_max)
{
  static const double v[] = {5.0, -3.0, 7.0, 0.0};
  struct fe__stats s;
  double sum;

  /* Negative values occur: inter-arrival times of reordered captures. */
  add_all(&s, &sum, v, 4);
  ck_assert_double_eq(s.min, -3.0);
  ck_assert_double_eq(s.max, 7.0);
  ck_assert_double_eq(sum, 9.0);
  ck_assert_double_eq(s.mo.mean, 2.25);
}
END_TEST

START_TEST(test_fe__stats_add_epoch_sized_values_keeps_precision)
{
  static const double v[] = {1e15, 1e15 + 1.0, 1e15 + 3.0};
  struct fe__stats s;
  double sum;

  /*
   * Idle values are near 1.5e15 µs (quirk 16). Deviations 1, 3 from
   * 1e15: mean 1e15 + 4/3 rounds to 1000000000000001.4 (ulp 0.125 here),
   * M2 = 1 * 1 * 0.5 + 2 * 2.5 * 0.8333.. = 4.666666666666667.
   */
  add_all(&s, &sum, v, 3);
  ck_assert_double_eq(s.mo.mean, 1000000000000001.4);
  ck_assert_double_eq(s.mo.m2, 4.666666666666667);
  ck_assert_double_eq(variance(&s), 2.3333333333333335);
}
END_TEST

Suite *fe_stats_suite(void)
{
  Suite *s = suite_create("stats");
  TCase *tc = tcase_create("stats");

  tcase_add_test(tc, test_fe__moments_variance_no_values_is_nan);
  tcase_add_test(tc, test_fe__stats_add_one_value_gives_zero_variance);
  tcase_add_test(tc, test_fe__moments_add_first_value_resets_old_moments);
  tcase_add_test(tc, test_fe__stats_variance_integers_is_sample_variance);
  tcase_add_test(tc, test_fe__stats_add_decimals_streams_mean_not_sum_over_n);
  tcase_add_test(tc, test_fe__stats_add_five_decimals_keeps_streaming_rounding);
  tcase_add_test(tc, test_fe__stats_add_second_moment_groups_like_commons_math);
  tcase_add_test(tc, test_fe__stats_add_unordered_values_tracks_min_and_max);
  tcase_add_test(tc, test_fe__stats_add_epoch_sized_values_keeps_precision);
  suite_add_tcase(s, tc);
  return s;
}
