/* SPDX-License-Identifier: MIT */
/*
 * Private to row.c and columns.c: the cell printers and CICFlowMeter's own
 * column names, shared so that every CSV layout prints a cell with the
 * same bytes. The printers are static inline because they run for every
 * cell of every flow and must inline into each formatting loop.
 */
#ifndef FLOWENGINE_ROW_INT_H
#define FLOWENGINE_ROW_INT_H

#include "flowengine/row.h"

#include <stdint.h>
#include <string.h>

/* CICFlowMeter's header names, in row order (row.c). */
extern const char *const fe__column_names[FE_ROW_COLUMNS];

/*
 * fe__format_row_order: the 84 cells of row in row order, comma separated,
 * into buf, without a newline or terminator; returns the length.
 */
size_t fe__format_row_order(const struct fe_row *row, char *buf);

/* The longest decimal int64_t, "-9223372036854775808". */
#define FE_INT_TEXT_MAX 20

/* fe__format_int: v in plain decimal into out, unterminated. */
static inline size_t fe__format_int(int64_t v, char *out)
{
  char rev[FE_INT_TEXT_MAX];
  size_t r = 0;
  size_t n = 0;
  uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

  if (v < 0) {
    out[n++] = '-';
  }
  do {
    rev[r++] = (char)('0' + mag % 10);
    mag /= 10;
  } while (mag != 0);
  while (r > 0) {
    out[n++] = rev[--r];
  }
  return n;
}

/* fe__format_cell: c as CICFlowMeter prints it into out, unterminated. */
static inline size_t fe__format_cell(const struct fe_cell *c, char *out)
{
  size_t len;

  switch (c->kind) {
  case FE_CELL_INT:
    return fe__format_int(c->v.i, out);
  case FE_CELL_REAL:
    return fe_format_java_double(c->v.d, out);
  case FE_CELL_TEXT:
    len = strlen(c->v.text);
    memcpy(out, c->v.text, len);
    return len;
  }
  return 0;
}

#endif /* FLOWENGINE_ROW_INT_H */
