/* SPDX-License-Identifier: MIT */
/*
 * A meter of the corrected profile for one test, and the rows it wrote:
 * frames from frames.h go in through the public API, each row is kept as
 * its CSV text (fe_row_format_csv) plus the fe_row fields of the extra
 * columns, and cells are read back by column name. One meter at a time;
 * cr_setup and cr_teardown are the Check fixture.
 */
#ifndef TESTS_FLOWENGINE_CORRECTED_ROWS_H
#define TESTS_FLOWENGINE_CORRECTED_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "flowengine/meter.h"
#include "flowengine/row.h"
#include "frames.h"

/* 2017-07-05 16:00:00 UTC, in microseconds since the epoch. */
#define CR_T0 INT64_C(1499270400000000)
#define CR_SEC INT64_C(1000000)
#define CR_MSEC INT64_C(1000)

#define CR_MAX_ROWS 32

/* One row as the callback saw it. */
struct cr_row {
  char csv[FE_ROW_CSV_MAX];
  enum fe_end_reason end_reason;
  int32_t icmp_type;
  int32_t icmp_code;
  int64_t fwd_rst;
  int64_t bwd_rst;
  int64_t first_us;
  int64_t last_us;
};

/* An expected numeric cell. */
struct cr_expect {
  const char *col;
  double value;
};

void cr_setup(void);
void cr_teardown(void);

/* cr_options: the defaults with the corrected profile. */
void cr_options(struct fe_options *o);
void cr_open(const struct fe_options *o);
void cr_open_default(void);

/* cr_feed: feeds one frame, returns what fe_meter_add_frame did. */
int cr_feed(const struct fr_spec *s);
/* cr_send: feeds one frame and asserts it was taken. */
void cr_send(const struct fr_spec *s);
void cr_send_frame(const struct fr_frame *f);
void cr_finish(void);

size_t cr_rows(void);
const struct cr_row *cr_row(size_t row);
const struct fe_counters *cr_counters(void);
uint64_t cr_ignored(enum fe_ignore_reason r);

/* cr_cell: the text of one cell; valid until the next call. */
const char *cr_cell(size_t row, const char *col);

/*
 * cr_find_from: the first row from row `from` on whose cell col reads
 * text; fails the test when there is none. cr_find starts at row 0.
 */
size_t cr_find_from(size_t from, const char *col, const char *text);
size_t cr_find(const char *col, const char *text);

/* cr_check_num: the cell parses as a finite number within 1e-9 of v. */
void cr_check_num(int line, size_t row, const char *col, double v);
void cr_check_nums(int line, size_t row, const struct cr_expect *e, size_t n);

/*
 * cr_check_accounted: every packet read is in exactly one row or was
 * ignored: packets in rows (Tot Fwd + Tot Bwd) + ignored = read.
 */
void cr_check_accounted(void);

/* cr_check_packets: row has fwd forward and bwd backward packets. */
void cr_check_packets(int line, size_t row, double fwd, double bwd);

#define CR_NUM(row, col, v) cr_check_num(__LINE__, (row), (col), (v))
#define CR_NUMS(row, ...)                                                      \
  cr_check_nums(__LINE__, (row), (const struct cr_expect[]){__VA_ARGS__},      \
                sizeof((const struct cr_expect[]){__VA_ARGS__}) /              \
                    sizeof(struct cr_expect))
#define CR_PKTS(row, fwd, bwd) cr_check_packets(__LINE__, (row), (fwd), (bwd))

#endif /* TESTS_FLOWENGINE_CORRECTED_ROWS_H */
