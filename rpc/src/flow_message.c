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

void rpc__flow_from_row(const struct fe_row *row, Cicflow__V1__Flow *flow)
{
  const ProtobufCMessageDescriptor *d = &cicflow__v1__flow__descriptor;

  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];

    if (f->id >= 1 && f->id <= FE_ROW_COLUMNS) {
      store_cell(f, row, (char *)flow);
    }
  }
  flow->first_packet_us = row->first_packet_us;
}
