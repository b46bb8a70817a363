/* SPDX-License-Identifier: MIT */
/*
 * The corrected-profile test harness: one meter, the rows it wrote kept
 * as CSV text, cells read back by column name and compared as numbers
 * (relative tolerance 1e-9) or as text. The callback also sums the
 * packets of every row, so that a test can check that each packet read
 * is either in a row or counted as ignored.
 */
#include "corrected_rows.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOLERANCE 1e-9

struct harness {
  struct fe_meter *meter;
  size_t count;             /* rows written, also those not kept */
  uint64_t packets_in_rows; /* Tot Fwd Pkts + Tot Bwd Pkts, every row */
  struct cr_row rows[CR_MAX_ROWS];
};

static struct harness h;

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

/* Copies cell col of the CSV line csv into out (FE_ROW_CSV_MAX). */
static void csv_cell(const char *csv, size_t col, char *out)
{
  const char *p = csv;
  size_t len;

  for (size_t i = 0; i < col; i++) {
    p = strchr(p, ',');
    ck_assert_ptr_nonnull(p);
    p++;
  }
  len = strcspn(p, ",\n");
  memcpy(out, p, len);
  out[len] = '\0';
}

static uint64_t row_packets(const char *csv)
{
  char cell[FE_ROW_CSV_MAX];
  uint64_t n;

  csv_cell(csv, column("Tot Fwd Pkts"), cell);
  n = strtoull(cell, NULL, 10);
  csv_cell(csv, column("Tot Bwd Pkts"), cell);
  return n + strtoull(cell, NULL, 10);
}

static int collect(void *ctx, const struct fe_row *row)
{
  struct harness *hs = ctx;
  struct cr_row *r;
  char csv[FE_ROW_CSV_MAX];

  fe_row_format_csv(row, csv);
  hs->packets_in_rows += row_packets(csv);
  if (hs->count < CR_MAX_ROWS) {
    r = &hs->rows[hs->count];
    memcpy(r->csv, csv, sizeof(csv));
    r->end_reason = row->end_reason;
    r->icmp_type = row->icmp_type;
    r->icmp_code = row->icmp_code;
    r->fwd_rst = row->fwd_rst;
    r->bwd_rst = row->bwd_rst;
    r->first_us = row->first_packet_us;
    r->last_us = row->last_packet_us;
  }
  hs->count++;
  return 0;
}

void cr_setup(void)
{
  memset(&h, 0, sizeof(h));
}

void cr_teardown(void)
{
  fe_meter_free(h.meter);
  h.meter = NULL;
}

void cr_options(struct fe_options *o)
{
  fe_options_init(o);
  o->profile = FE_PROFILE_CORRECTED;
}

void cr_open(const struct fe_options *o)
{
  ck_assert_int_eq(fe_meter_new(o, collect, &h, &h.meter), 0);
}

void cr_open_default(void)
{
  struct fe_options o;

  cr_options(&o);
  cr_open(&o);
}

int cr_feed(const struct fr_spec *s)
{
  static struct fr_frame f;

  fr_build(s, &f);
  return fe_meter_add_frame(h.meter, &f.frame);
}

void cr_send(const struct fr_spec *s)
{
  ck_assert_int_eq(cr_feed(s), 0);
}

void cr_send_frame(const struct fr_frame *f)
{
  ck_assert_int_eq(fe_meter_add_frame(h.meter, &f->frame), 0);
}

void cr_finish(void)
{
  ck_assert_int_eq(fe_meter_finish(h.meter), 0);
}

size_t cr_rows(void)
{
  return h.count;
}

const struct cr_row *cr_row(size_t row)
{
  ck_assert_msg(row < h.count && row < CR_MAX_ROWS, "no row %zu (%zu rows)",
                row, h.count);
  return &h.rows[row];
}

const struct fe_counters *cr_counters(void)
{
  return fe_meter_counters(h.meter);
}

uint64_t cr_ignored(enum fe_ignore_reason r)
{
  return cr_counters()->packets_ignored[r];
}

const char *cr_cell(size_t row, const char *col)
{
  static char out[FE_ROW_CSV_MAX];

  csv_cell(cr_row(row)->csv, column(col), out);
  return out;
}

size_t cr_find_from(size_t from, const char *col, const char *text)
{
  for (size_t i = from; i < h.count && i < CR_MAX_ROWS; i++) {
    if (strcmp(cr_cell(i, col), text) == 0) {
      return i;
    }
  }
  ck_abort_msg("no row with %s = %s from row %zu of %zu", col, text, from,
               h.count);
  return 0;
}

size_t cr_find(const char *col, const char *text)
{
  return cr_find_from(0, col, text);
}

void cr_check_num(int line, size_t row, const char *col, double v)
{
  const char *text = cr_cell(row, col);
  char *end;
  double got = strtod(text, &end);

  ck_assert_msg(*text != '\0' && *end == '\0' && isfinite(got),
                "line %d: row %zu, %s = \"%s\" is not a finite number", line,
                row, col, text);
  ck_assert_msg(fabs(got - v) <= TOLERANCE * fabs(v),
                "line %d: row %zu, %s = %s, expected %.17g", line, row, col,
                text, v);
}

void cr_check_nums(int line, size_t row, const struct cr_expect *e, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    cr_check_num(line, row, e[i].col, e[i].value);
  }
}

void cr_check_packets(int line, size_t row, double fwd, double bwd)
{
  cr_check_num(line, row, "Tot Fwd Pkts", fwd);
  cr_check_num(line, row, "Tot Bwd Pkts", bwd);
}

void cr_check_accounted(void)
{
  const struct fe_counters *c = cr_counters();
  uint64_t ignored = 0;

  for (size_t i = 0; i < FE_IGNORE_REASONS; i++) {
    ignored += c->packets_ignored[i];
  }
  ck_assert_msg(h.packets_in_rows + ignored == c->packets_read,
                "%llu packets in rows + %llu ignored != %llu read",
                (unsigned long long)h.packets_in_rows,
                (unsigned long long)ignored,
                (unsigned long long)c->packets_read);
}
