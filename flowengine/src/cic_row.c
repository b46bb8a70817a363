/* SPDX-License-Identifier: MIT */
/*
 * The 84 columns of a cic-profile flow, with the Java type each one is
 * printed with in each branch, so that "0" and "0.0" come out where the
 * reference prints them.
 */
#include "fe_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "row_writer.h"

/* Java long division truncates toward zero, as C's does. */
static int64_t java_div(int64_t a, int64_t b)
{
  return b == 0 ? 0 : a / b;
}

/* Java's (long) cast of a double: NaN gives 0, out of range saturates. */
static int64_t java_to_long(double d)
{
  if (isnan(d)) {
    return 0;
  }
  if (d >= 9223372036854775807.0) {
    return INT64_MAX;
  }
  if (d <= -9223372036854775808.0) {
    return INT64_MIN;
  }
  return (int64_t)d;
}

/* Dotted quad; printf is too slow for a column of every row. */
static void format_ip(uint32_t ip, char *buf)
{
  char *p = buf;

  for (int shift = 24; shift >= 0; shift -= 8) {
    p += fe__format_int((ip >> shift) & 0xFF, p);
    *p++ = shift > 0 ? '.' : '\0';
  }
}

static void put_identity(struct row_writer *w, const struct fe__cic_flow *f,
                         const struct fe__tz *tz)
{
  struct fe_row *r = w->row;
  const struct fe__tuple *t = &f->entry.tuple;
  int64_t ms = f->start / 1000;
  int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);

  format_ip(fe__get_be32(t->src), r->src_ip);
  format_ip(fe__get_be32(t->dst), r->dst_ip);
  fill_flow_id(r, t);
  fe__format_timestamp(sec + fe__tz_offset(tz, sec), r->timestamp);
  r->first_packet_us = f->start;
  put_identity_cells(w, t->sport, t->dport, t->proto);
}

static void put_timing(struct row_writer *w, const struct fe__cic_flow *f,
                       int64_t dur)
{
  double secs = (double)dur / 1000000.0;
  uint64_t n = fe__cic_flow_packets(f);

  put_real(w, (f->fwd_len.sum + f->bwd_len.sum) / secs);
  put_real(w, (double)n / secs);
  put_real(w, f->iat.mean);
  put_real(w, fe__moments_std(&f->iat, n - 1));
  put_real(w, f->iat_max);
  put_real(w, f->iat_min);
  put_iat_stats(w, f->fwd_n, &f->fwd_iat);
  put_iat_stats(w, f->bwd_n, &f->bwd_iat);
  put_int(w, (f->bits & FE__FLOW_FWD_PSH) != 0);
  put_int(w, 0);
  put_int(w, (f->bits & FE__FLOW_FWD_URG) != 0);
  put_int(w, 0);
  put_int(w, f->fwd_header);
  put_int(w, f->bwd_header);
  put_real(w, dur > 0 ? (double)f->fwd_n / secs : 0.0);
  put_real(w, dur > 0 ? (double)f->bwd_n / secs : 0.0);
}

/*
 * The packet-length statistic holds every length of both directions
 * (p0's twice), so its extremes are those of the two directions.
 */
static void put_sizes(struct row_writer *w, const struct fe__cic_flow *f)
{
  int64_t fwd_n = (int64_t)f->fwd_n;
  int64_t bwd_n = (int64_t)f->bwd_n;
  uint64_t n = fe__cic_flow_packets(f);
  uint32_t min = f->fwd_len.min;
  uint32_t max = f->fwd_len.max;

  if (bwd_n > 0 && f->bwd_len.min < min) {
    min = f->bwd_len.min;
  }
  if (bwd_n > 0 && f->bwd_len.max > max) {
    max = f->bwd_len.max;
  }
  put_real(w, min);
  put_real(w, max);
  put_real(w, f->all_len.mean);
  put_real(w, fe__moments_std(&f->all_len, n + 1));
  put_real(w, fe__moments_variance(&f->all_len, n + 1));
  put_flag_counts(w, f->flag_counts);
  put_real(w, (double)java_div(bwd_n, fwd_n));
  put_real(w, f->all_sum / (double)n);
  put_real(w, f->fwd_len.sum / (double)fwd_n);
  put_real(w, bwd_n > 0 ? f->bwd_len.sum / (double)bwd_n : 0.0);
}

static void put_bulk_and_subflows(struct row_writer *w,
                                  const struct fe__cic_flow *f)
{
  const struct fe__bulk *b = &f->bulk;
  int64_t sf = f->subflows;

  put_int_zeros(w, 4);
  put_int(w, java_div(b->pkts, b->bulks));
  put_int(w, b->dur != 0
                 ? java_to_long((double)b->bytes / ((double)b->dur / 1000000.0))
                 : 0);
  put_int(w, sf > 0 ? java_div((int64_t)f->fwd_n, sf) : 0);
  put_int(w, sf > 0 ? java_div((int64_t)f->fwd_len.sum, sf) : 0);
  put_int(w, sf > 0 ? java_div((int64_t)f->bwd_n, sf) : 0);
  put_int(w, sf > 0 ? java_div((int64_t)f->bwd_len.sum, sf) : 0);
  put_int(w, f->init_win_fwd);
  put_int(w, f->init_win_bwd);
  put_int(w, f->act_data);
  put_int(w, f->min_fwd_header);
}

void fe__cic_flow_row(const struct fe__cic_flow *f,
                      const struct fe__stats *active, const struct fe__tz *tz,
                      const char *label, struct fe_row *row)
{
  struct row_writer w = {row, 0};
  int64_t dur = fe__wrap_sub(f->last, f->start);

  put_identity(&w, f, tz);
  put_int(&w, dur);
  put_int(&w, (int64_t)f->fwd_n);
  put_int(&w, (int64_t)f->bwd_n);
  put_real(&w, f->fwd_len.sum);
  put_real(&w, f->bwd_len.sum);
  put_length_stats(&w, f->fwd_n, &f->fwd_len);
  put_length_stats(&w, f->bwd_n, &f->bwd_len);
  put_timing(&w, f, dur);
  put_sizes(&w, f);
  put_bulk_and_subflows(&w, f);
  put_period_stats(&w, active);
  put_period_stats(&w, &f->idle);
  snprintf(row->label, sizeof(row->label), "%s", label);
  put_text(&w, row->label);
  row->last_packet_us = f->last;
  row->icmp_type = -1; /* ICMP is protocol 0 here, as in CICFlowMeter */
  row->icmp_code = -1;
  row->fwd_rst = f->fwd_rst;
  row->bwd_rst = (int64_t)f->flag_counts[2] - f->fwd_rst;
}
