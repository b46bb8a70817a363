/* SPDX-License-Identifier: MIT */
/*
 * Filling a row's typed cells left to right; shared by the profiles'
 * row builders.
 */
#ifndef FLOWENGINE_ROW_WRITER_H
#define FLOWENGINE_ROW_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "flowengine/row.h"

struct row_writer {
  struct fe_row *row;
  size_t col;
};

static inline void put_int(struct row_writer *w, int64_t v)
{
  w->row->cells[w->col].kind = FE_CELL_INT;
  w->row->cells[w->col].v.i = v;
  w->col++;
}

static inline void put_real(struct row_writer *w, double v)
{
  w->row->cells[w->col].kind = FE_CELL_REAL;
  w->row->cells[w->col].v.d = v;
  w->col++;
}

static inline void put_text(struct row_writer *w, const char *text)
{
  w->row->cells[w->col].kind = FE_CELL_TEXT;
  w->row->cells[w->col].v.text = text;
  w->col++;
}

static inline void put_int_zeros(struct row_writer *w, int count)
{
  for (int i = 0; i < count; i++) {
    put_int(w, 0);
  }
}

/*
 * The identity cells (Flow ID to Timestamp), once the row's address, Flow
 * ID and timestamp text are filled in.
 */
static inline void put_identity_cells(struct row_writer *w, uint16_t sport,
                                      uint16_t dport, uint8_t proto)
{
  struct fe_row *r = w->row;

  put_text(w, r->flow_id);
  put_text(w, r->src_ip);
  put_int(w, sport);
  put_text(w, r->dst_ip);
  put_int(w, dport);
  put_int(w, proto);
  put_text(w, r->timestamp);
}

/* Decimal digits of v at p; returns the end. printf is too slow here. */
static inline char *put_uint(char *p, unsigned v)
{
  char rev[12];
  int n = 0;

  do {
    rev[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) {
    *p++ = rev[--n];
  }
  return p;
}

#endif /* FLOWENGINE_ROW_WRITER_H */
