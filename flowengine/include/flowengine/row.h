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

/* Why a flow was written: the first of the "extra" columns. */
enum fe_end_reason {
  FE_END_FIN = 0,            /* cic: the first FIN; corrected: FIN handshake */
  FE_END_RST = 1,            /* corrected: a RST */
  FE_END_ACTIVE_TIMEOUT = 2, /* the next packet came too long after p0 */
  FE_END_IDLE_TIMEOUT = 3,   /* no packet for longer than the idle timeout */
  FE_END_END_OF_INPUT = 4,   /* still open when the capture ended */
  FE_END_TABLE_FULL = 5,     /* written early to make room for a new flow */
  FE_END_NEW_CONNECTION = 6, /* corrected: a SYN opened the next connection */
  FE_END_REASONS = 7
};

struct fe_row {
  struct fe_cell cells[FE_ROW_COLUMNS];
  char flow_id[112]; /* "src-dst-sport-dport-proto"; IPv6 text fits */
  char src_ip[48];   /* dotted quad or IPv6 text (RFC 5952) */
  char dst_ip[48];
  char timestamp[40]; /* cic "dd/MM/yyyy hh:mm:ss AM"; see the profiles */
  char label[FE_LABEL_MAX];
  int64_t first_packet_us; /* flow start, microseconds since the epoch */
  /* Values of the opt-in extra columns (struct fe_layout). */
  int64_t last_packet_us; /* the flow's latest packet time */
  enum fe_end_reason end_reason;
  int32_t icmp_type; /* of the flow's first packet; -1 if not ICMP */
  int32_t icmp_code;
  int64_t fwd_rst; /* packets with RST per direction */
  int64_t bwd_rst;
};

/*
 * Column dialects: the same 84 values under the header a consumer expects.
 * Only the header line differs, except that cicids2017 repeats the Fwd
 * Header Len value where that dataset has its second copy.
 */
enum fe_dialect {
  FE_DIALECT_CICFLOWMETER = 0, /* CICFlowMeter's own short names */
  FE_DIALECT_CICIDS2017 = 1,   /* the CIC-IDS2017 CSV header, 85 columns */
  FE_DIALECT_SNAKE = 2,        /* the Python cicflowmeter package's names */
  FE_DIALECTS = 3
};

/* Opt-in extra columns, appended after Label in this order. */
enum fe_extra {
  FE_EXTRA_END_REASON = 1u << 0, /* "End Reason": fe_end_reason_name */
  FE_EXTRA_TIMES = 1u << 1,      /* first and last packet, epoch microseconds */
  FE_EXTRA_ICMP = 1u << 2,       /* ICMP type and code, -1 when not ICMP */
  FE_EXTRA_RST = 1u << 3,        /* RST packets forward and backward */
  FE_EXTRA_ALL = 0xFu
};

/* What the CSV holds: a dialect and a set of extra columns. */
struct fe_layout {
  enum fe_dialect dialect;
  unsigned extras; /* FE_EXTRA_* bits */
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
 * fe_layout_header: the header line of layout l, without a newline, into
 * buf of FE_ROW_CSV_MAX bytes; returns its length.
 */
size_t fe_layout_header(const struct fe_layout *l, char *buf);

/*
 * fe_row_format_layout: like fe_row_format_csv, in layout l; buf holds
 * FE_ROW_CSV_MAX bytes.
 */
size_t fe_row_format_layout(const struct fe_row *row, const struct fe_layout *l,
                            char *buf);

/* fe_dialect_parse: the dialect called name; -1 when none is. */
int fe_dialect_parse(const char *name);
const char *fe_dialect_name(enum fe_dialect d);

/*
 * fe_extras_parse: the FE_EXTRA_* bits of a comma-separated list of
 * "end_reason", "times", "icmp", "rst" or "all"; -1 on an unknown word.
 */
int fe_extras_parse(const char *list);

/* fe_end_reason_name: snake_case name, e.g. "idle_timeout". */
const char *fe_end_reason_name(enum fe_end_reason r);

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
