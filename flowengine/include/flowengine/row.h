/* SPDX-License-Identifier: MIT */
/*
 * One output row: the 84 CICFlowMeter columns of a finished flow as typed
 * cells, and their CSV text. A cell keeps the Java type the reference
 * printed it with, because CICFlowMeter prints the integer 0 in some
 * "no data" branches and a double (0.0) elsewhere in the same column.
 */
#ifndef FLOWENGINE_ROW_H
#define FLOWENGINE_ROW_H

#include <stddef.h>
#include <stdint.h>

#define FE_ROW_COLUMNS 84
#define FE_ROW_CSV_MAX 4096 /* bytes; enough for any row plus newline */
#define FE_LABEL_MAX 128    /* bytes, terminator included */

enum fe_cell_kind {
  FE_CELL_TEXT, /* printed as is */
  FE_CELL_INT,  /* a Java int or long: plain decimal */
  FE_CELL_REAL  /* a Java double: Double.toString */
};

struct fe_cell {
  enum fe_cell_kind kind;
  union {
    const char *text; /* points into the row that holds the cell */
    int64_t i;
    double d;
  } v;
};

/* Columns that are text; every other column is numeric. */
enum fe_column_index {
  FE_COL_FLOW_ID = 0,
  FE_COL_SRC_IP = 1,
  FE_COL_SRC_PORT = 2,
  FE_COL_DST_IP = 3,
  FE_COL_DST_PORT = 4,
  FE_COL_PROTOCOL = 5,
  FE_COL_TIMESTAMP = 6,
  FE_COL_LABEL = 83
};

struct fe_row {
  struct fe_cell cells[FE_ROW_COLUMNS];
  char flow_id[64];   /* "a.b.c.d-e.f.g.h-port-port-proto" */
  char src_ip[16];    /* dotted quad */
  char dst_ip[16];    /* dotted quad */
  char timestamp[32]; /* "dd/MM/yyyy hh:mm:ss AM" */
  char label[FE_LABEL_MAX];
  int64_t first_packet_us; /* flow start, microseconds since the epoch */
};

/*
 * fe_row_text: the text of a text column (Flow ID, Src IP, Dst IP,
 * Timestamp, Label) from the row's own buffers, so that it stays right in
 * a copy of the row; NULL for numeric columns.
 */
const char *fe_row_text(const struct fe_row *row, size_t col);

/* fe_column_name: the CSV header name of column i (0-based). */
const char *fe_column_name(size_t i);

/* fe_csv_header: the header line, without a newline. */
const char *fe_csv_header(void);

/*
 * fe_row_format_csv: writes row as one CSV line ending in '\n' into buf,
 * which must hold FE_ROW_CSV_MAX bytes, and returns its length.
 */
size_t fe_row_format_csv(const struct fe_row *row, char *buf);

/*
 * fe_format_java_double: writes d the way Java's Double.toString does into
 * buf (at least 32 bytes), NUL-terminated, and returns the length.
 */
size_t fe_format_java_double(double d, char *buf);

#endif /* FLOWENGINE_ROW_H */
