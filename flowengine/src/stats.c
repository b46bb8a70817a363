/* SPDX-License-Identifier: MIT */
/*
 * Streaming summary statistics in the order of operations of Apache
 * commons-math3's SummaryStatistics, which CICFlowMeter uses. A two-pass
 * or sum/n mean would differ from the reference in the last digits.
 */
#include "fe_int.h"

#include <math.h>

void fe__stats_add(struct fe__stats *s, double v)
{
  double dev;
  double ndev;

  if (s->n == 0) {
    s->mean = 0.0;
    s->m2 = 0.0;
    s->min = v;
    s->max = v;
  }
  s->n++;
  dev = v - s->mean;
  ndev = dev / (double)s->n;
  s->mean += ndev;
  s->m2 += ((double)s->n - 1.0) * dev * ndev;
  s->sum += v;
  if (v < s->min) {
    s->min = v;
  }
  if (v > s->max) {
    s->max = v;
  }
}

double fe__stats_variance(const struct fe__stats *s)
{
  if (s->n == 0) {
    return NAN;
  }
  if (s->n == 1) {
    return 0.0;
  }
  return s->m2 / ((double)s->n - 1.0);
}

double fe__stats_std(const struct fe__stats *s)
{
  if (s->n == 0) {
    return NAN;
  }
  if (s->n == 1) {
    return 0.0;
  }
  return sqrt(fe__stats_variance(s));
}
