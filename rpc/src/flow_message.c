/* SPDX-License-Identifier: MIT */
/*
 * A row as a Flow message. Field n of Flow is column n of the row, so the
 * copy walks the message descriptor and stores each cell by the field's
 * declared type; no column is named twice in the code.
 */
#include <string.h>

#include "rpc_int.h"

static double cell_real(const struct fe_cell *c)
{
  return c->kind == FE_CELL_REAL ? c->v.d : (double)c->v.i;
}

static void store_cell(const ProtobufCFieldDescriptor *f,
                       const struct fe_row *row, char *base)
{
  void *slot = base + f->offset;
  const struct fe_cell *c = &row->cells[f->id - 1];
  const char *text;

  switch (f->type) {
  case PROTOBUF_C_TYPE_STRING:
    /*
     * Strings point into the row's own buffers (never through the cell,
     * which may still point into the row this one was copied from).
     */
    text = fe_row_text(row, f->id - 1);
    *(const char **)slot = text != NULL ? text : "";
    break;
  case PROTOBUF_C_TYPE_UINT32:
    *(uint32_t *)slot = (uint32_t)c->v.i;
    break;
  case PROTOBUF_C_TYPE_INT64:
    *(int64_t *)slot = c->kind == FE_CELL_INT ? c->v.i : (int64_t)c->v.d;
    break;
  case PROTOBUF_C_TYPE_DOUBLE:
    *(double *)slot = cell_real(c);
    break;
  default:
    break;
  }
}

static Cicflow__V1__EndReason end_reason(enum fe_end_reason r)
{
  switch (r) {
  case FE_END_FIN:
    return CICFLOW__V1__END_REASON__END_REASON_FIN;
  case FE_END_RST:
    return CICFLOW__V1__END_REASON__END_REASON_RST;
  case FE_END_ACTIVE_TIMEOUT:
    return CICFLOW__V1__END_REASON__END_REASON_ACTIVE_TIMEOUT;
  case FE_END_IDLE_TIMEOUT:
    return CICFLOW__V1__END_REASON__END_REASON_IDLE_TIMEOUT;
  case FE_END_END_OF_INPUT:
    return CICFLOW__V1__END_REASON__END_REASON_END_OF_INPUT;
  case FE_END_TABLE_FULL:
    return CICFLOW__V1__END_REASON__END_REASON_TABLE_FULL;
  case FE_END_NEW_CONNECTION:
    return CICFLOW__V1__END_REASON__END_REASON_NEW_CONNECTION;
  case FE_END_REASONS:
    break;
  }
  return CICFLOW__V1__END_REASON__END_REASON_UNSPECIFIED;
}

/* Fields 100 and up: values of the row beyond its 84 cells. */
static void store_extras(const struct fe_row *row, Cicflow__V1__Flow *flow)
{
  flow->first_packet_us = row->first_packet_us;
  flow->last_packet_us = row->last_packet_us;
  flow->end_reason = end_reason(row->end_reason);
  flow->icmp_type = row->icmp_type;
  flow->icmp_code = row->icmp_code;
  flow->fwd_rst_flags = row->fwd_rst;
  flow->bwd_rst_flags = row->bwd_rst;
}

void rpc__flow_from_row(const struct fe_row *row, Cicflow__V1__Flow *flow)
{
  const ProtobufCMessageDescriptor *d = &cicflow__v1__flow__descriptor;

  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];

    if (f->id >= 1 && f->id <= FE_ROW_COLUMNS) {
      store_cell(f, row, (char *)flow);
    }
  }
  store_extras(row, flow);
}
