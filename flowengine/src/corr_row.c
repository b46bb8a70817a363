/* SPDX-License-Identifier: MIT */
/*
 * The 84 columns of a corrected-profile flow. Cell types follow the cic
 * profile's (integers where CICFlowMeter prints a long, an integer 0 for
 * an empty statistic), so one parser reads both profiles; values that
 * would be NaN or Infinity there are 0 here.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "corr_flow.h"
#include "row_writer.h"

#define US_PER_SEC 1000000.0

static void format_address(const struct fe__tuple *t, const uint8_t *a,
                           char *buf, size_t size)
{
  if (inet_ntop(t->family == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)size) ==
      NULL) {
    buf[0] = '\0';
  }
}

static void put_identity(struct row_writer *w, const struct fe__corr_flow *f,
                         const struct fe__tz *tz)
{
  struct fe_row *r = w->row;
  const struct fe__tuple *t = &f->entry.tuple;
  int64_t sec = fe__floor_div(f->start, 1000000);
  int64_t local = f->start + (int64_t)fe__tz_offset(tz, sec) * 1000000;

  format_address(t, t->src, r->src_ip, sizeof(r->src_ip));
  format_address(t, t->dst, r->dst_ip, sizeof(r->dst_ip));
  fill_flow_id(r, t);
  fe__format_iso_timestamp(local, r->timestamp);
  put_identity_cells(w, t->sport, t->dport, t->proto);
}

/* count per second of dur; 0 for a flow that lasted no time. */
static double per_second(double count, int64_t dur)
{
  return dur > 0 ? count / ((double)dur / US_PER_SEC) : 0.0;
}

static void put_timing(struct row_writer *w, const struct fe__corr_flow *f,
                       int64_t dur)
{
  const struct fe__corr_dir *fwd = &f->dir[FE__FWD];
  const struct fe__corr_dir *bwd = &f->dir[FE__BWD];
  uint64_t n = fe__corr_flow_packets(f);

  put_real(w, per_second(fwd->len.sum + bwd->len.sum, dur));
  put_real(w, per_second((double)n, dur));
  if (n > 1) {
    put_real(w, f->iat.mean);
    put_real(w, fe__moments_std(&f->iat, n - 1));
    put_real(w, f->iat_max);
    put_real(w, f->iat_min);
  } else {
    put_int_zeros(w, 4);
  }
  put_iat_stats(w, fwd->n, &fwd->iat);
  put_iat_stats(w, bwd->n, &bwd->iat);
  put_int(w, fwd->psh);
  put_int(w, bwd->psh);
  put_int(w, fwd->urg);
  put_int(w, bwd->urg);
  put_int(w, fwd->header);
  put_int(w, bwd->header);
  put_real(w, per_second((double)fwd->n, dur));
  put_real(w, per_second((double)bwd->n, dur));
}

static double mean_of(double sum, uint64_t n)
{
  return n > 0 ? sum / (double)n : 0.0;
}

static void put_sizes(struct row_writer *w, const struct fe__corr_flow *f)
{
  const struct fe__corr_dir *fwd = &f->dir[FE__FWD];
  const struct fe__corr_dir *bwd = &f->dir[FE__BWD];
  uint64_t n = fe__corr_flow_packets(f);
  uint32_t min = fwd->n > 0 ? fwd->len.min : bwd->len.min;
  uint32_t max = fwd->n > 0 ? fwd->len.max : bwd->len.max;

  if (bwd->n > 0 && bwd->len.min < min) {
    min = bwd->len.min;
  }
  if (bwd->n > 0 && bwd->len.max > max) {
    max = bwd->len.max;
  }
  put_real(w, min);
  put_real(w, max);
  put_real(w, f->all_len.mean);
  put_real(w, fe__moments_std(&f->all_len, n));
  put_real(w, fe__moments_variance(&f->all_len, n));
  put_flag_counts(w, f->flag_counts);
  put_real(w, fwd->n > 0 ? (double)bwd->n / (double)fwd->n : 0.0);
  put_real(w, mean_of(fwd->len.sum + bwd->len.sum, n));
  put_real(w, mean_of(fwd->len.sum, fwd->n));
  put_real(w, mean_of(bwd->len.sum, bwd->n));
}

/* The bulk columns of one direction, its open run closed first. */
static void put_bulk(struct row_writer *w, const struct fe__corr_bulk *open)
{
  struct fe__corr_bulk b = *open;

  if (b.run_pkts >= 4) {
    b.bulks++;
    b.pkts += b.run_pkts;
    b.bytes += b.run_bytes;
    b.dur += fe__wrap_sub(b.run_last, b.run_start);
  }
  if (b.bulks == 0) {
    put_real(w, 0.0);
    put_real(w, 0.0);
    put_real(w, 0.0);
    return;
  }
  put_real(w, (double)b.bytes / (double)b.bulks);
  put_real(w, (double)b.pkts / (double)b.bulks);
  put_real(w, per_second((double)b.bytes, b.dur));
}

static void put_subflows_and_init(struct row_writer *w,
                                  const struct fe__corr_flow *f)
{
  const struct fe__corr_dir *fwd = &f->dir[FE__FWD];
  const struct fe__corr_dir *bwd = &f->dir[FE__BWD];
  double subflows = (double)(f->subflow_gaps + 1);

  put_real(w, (double)fwd->n / subflows);
  put_real(w, fwd->len.sum / subflows);
  put_real(w, (double)bwd->n / subflows);
  put_real(w, bwd->len.sum / subflows);
  put_int(w, fwd->init_win);
  put_int(w, bwd->init_win);
  put_int(w, (int64_t)fwd->act_data);
  put_int(w, fwd->n > 0 ? fwd->min_header : 0);
}

/* Active periods, the one still open when the flow ends included. */
static void put_activity(struct row_writer *w, const struct fe__corr_flow *f)
{
  struct fe__stats active = f->active;
  int64_t open = fe__wrap_sub(f->end_active, f->start_active);

  if (open > 0) {
    fe__stats_add(&active, (double)open);
  }
  put_period_stats(w, &active);
  put_period_stats(w, &f->idle);
}

static void fill_extras(const struct fe__corr_flow *f,
                        enum fe_end_reason reason, struct fe_row *row)
{
  row->first_packet_us = f->start;
  row->last_packet_us = f->last;
  row->end_reason = reason;
  row->icmp_type = f->icmp_type;
  row->icmp_code = f->icmp_code;
  row->fwd_rst = f->dir[FE__FWD].rst;
  row->bwd_rst = f->dir[FE__BWD].rst;
}

void fe__corr_flow_row(const struct fe__corr_flow *f, enum fe_end_reason reason,
                       const struct fe__tz *tz, const char *label,
                       struct fe_row *row)
{
  struct row_writer w = {row, 0};
  int64_t dur = fe__wrap_sub(f->last, f->start);

  put_identity(&w, f, tz);
  put_int(&w, dur);
  put_int(&w, (int64_t)f->dir[FE__FWD].n);
  put_int(&w, (int64_t)f->dir[FE__BWD].n);
  put_real(&w, f->dir[FE__FWD].len.sum);
  put_real(&w, f->dir[FE__BWD].len.sum);
  put_length_stats(&w, f->dir[FE__FWD].n, &f->dir[FE__FWD].len);
  put_length_stats(&w, f->dir[FE__BWD].n, &f->dir[FE__BWD].len);
  put_timing(&w, f, dur);
  put_sizes(&w, f);
  put_bulk(&w, &f->dir[FE__FWD].bulk);
  put_bulk(&w, &f->dir[FE__BWD].bulk);
  put_subflows_and_init(&w, f);
  put_activity(&w, f);
  snprintf(row->label, sizeof(row->label), "%s", label);
  put_text(&w, row->label);
  fill_extras(f, reason, row);
}
