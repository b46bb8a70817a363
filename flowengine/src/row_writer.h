/* SPDX-License-Identifier: MIT */
/*
 * Filling a row's typed cells left to right; shared by the profiles'
 * row builders.
 */
#ifndef FLOWENGINE_ROW_WRITER_H
#define FLOWENGINE_ROW_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fe_int.h"
#include "flowengine/row.h"
#include "row_int.h"

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
 * The row's Flow ID, "src-dst-sport-dport-proto", from its address text
 * and the tuple; printf is too slow for a column of every row.
 */
static inline void fill_flow_id(struct fe_row *r, const struct fe__tuple *t)
{
  size_t src = strlen(r->src_ip);
  size_t dst = strlen(r->dst_ip);
  char *p = r->flow_id;

  memcpy(p, r->src_ip, src);
  p += src;
  *p++ = '-';
  memcpy(p, r->dst_ip, dst);
  p += dst;
  *p++ = '-';
  p += fe__format_int(t->sport, p);
  *p++ = '-';
  p += fe__format_int(t->dport, p);
  *p++ = '-';
  p += fe__format_int(t->proto, p);
  *p = '\0';
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

/* Max, min, mean and std of one direction's n payload lengths. */
static inline void put_length_stats(struct row_writer *w, uint64_t n,
                                    const struct fe__len_stats *s)
{
  if (n == 0) {
    put_int_zeros(w, 4);
    return;
  }
  put_real(w, s->max);
  put_real(w, s->min);
  put_real(w, s->mo.mean);
  put_real(w, fe__moments_std(&s->mo, n));
}

/*
 * Total, mean, std, max and min of the gaps between a direction's
 * packets, which exist only from its second packet.
 */
static inline void put_iat_stats(struct row_writer *w, uint64_t packets,
                                 const struct fe__gap_stats *s)
{
  if (packets <= 1) {
    put_int_zeros(w, 5);
    return;
  }
  put_real(w, s->sum);
  put_real(w, s->mo.mean);
  put_real(w, fe__moments_std(&s->mo, packets - 1));
  put_real(w, s->max);
  put_real(w, s->min);
}

/*
 * Flag counts (by bit of the TCP flags byte) in the reference's column
 * order: FIN SYN RST PSH ACK URG CWR ECE.
 */
static inline void put_flag_counts(struct row_writer *w,
                                   const uint32_t counts[8])
{
  static const unsigned order[8] = {0, 1, 2, 3, 4, 5, 7, 6};

  for (size_t i = 0; i < 8; i++) {
    put_int(w, counts[order[i]]);
  }
}

/* Mean, std, max and min of Active or Idle periods; NULL for none. */
static inline void put_period_stats(struct row_writer *w,
                                    const struct fe__stats *s)
{
  if (s == NULL || s->n == 0) {
    put_int_zeros(w, 4);
    return;
  }
  put_real(w, s->mo.mean);
  put_real(w, fe__moments_std(&s->mo, s->n));
  put_real(w, s->max);
  put_real(w, s->min);
}

#endif /* FLOWENGINE_ROW_WRITER_H */
