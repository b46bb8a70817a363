/* SPDX-License-Identifier: MIT */
/*
 * Streaming summary statistics in the order of operations of Apache
 * commons-math3's SummaryStatistics, which CICFlowMeter uses. A two-pass
 * or sum/n mean would differ from the reference in the last digits. The
 * update itself is inline in fe_int.h, as it runs several times a packet.
 */
#include "fe_int.h"

#include <math.h>

double fe__moments_variance(const struct fe__moments *s, uint64_t n)
{
  if (n == 0) {
    return NAN;
  }
  if (n == 1) {
    return 0.0;
  }
  return s->m2 / ((double)n - 1.0);
}

double fe__moments_std(const struct fe__moments *s, uint64_t n)
{
  if (n == 0) {
    return NAN;
  }
  if (n == 1) {
    return 0.0;
  }
  return sqrt(fe__moments_variance(s, n));
}

void fe__stats_add(struct fe__stats *s, double v)
{
  s->n++;
  fe__moments_add(&s->mo, s->n, v);
  if (s->n == 1 || v < s->min) {
    s->min = v;
  }
  if (s->n == 1 || v > s->max) {
    s->max = v;
  }
}
