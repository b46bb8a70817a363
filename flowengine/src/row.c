/* SPDX-License-Identifier: MIT */
/*
 * Column names and the CSV text of a row: comma separated, no quoting
 * (no field can hold a comma; labels with one are refused), '\n' ends
 * each line, as CICFlowMeter writes on Linux.
 */
#include "flowengine/row.h"

#include <string.h>

static const char *const column_names[FE_ROW_COLUMNS] = {
    "Flow ID",           "Src IP",
    "Src Port",          "Dst IP",
    "Dst Port",          "Protocol",
    "Timestamp",         "Flow Duration",
    "Tot Fwd Pkts",      "Tot Bwd Pkts",
    "TotLen Fwd Pkts",   "TotLen Bwd Pkts",
    "Fwd Pkt Len Max",   "Fwd Pkt Len Min",
    "Fwd Pkt Len Mean",  "Fwd Pkt Len Std",
    "Bwd Pkt Len Max",   "Bwd Pkt Len Min",
    "Bwd Pkt Len Mean",  "Bwd Pkt Len Std",
    "Flow Byts/s",       "Flow Pkts/s",
    "Flow IAT Mean",     "Flow IAT Std",
    "Flow IAT Max",      "Flow IAT Min",
    "Fwd IAT Tot",       "Fwd IAT Mean",
    "Fwd IAT Std",       "Fwd IAT Max",
    "Fwd IAT Min",       "Bwd IAT Tot",
    "Bwd IAT Mean",      "Bwd IAT Std",
    "Bwd IAT Max",       "Bwd IAT Min",
    "Fwd PSH Flags",     "Bwd PSH Flags",
    "Fwd URG Flags",     "Bwd URG Flags",
    "Fwd Header Len",    "Bwd Header Len",
    "Fwd Pkts/s",        "Bwd Pkts/s",
    "Pkt Len Min",       "Pkt Len Max",
    "Pkt Len Mean",      "Pkt Len Std",
    "Pkt Len Var",       "FIN Flag Cnt",
    "SYN Flag Cnt",      "RST Flag Cnt",
    "PSH Flag Cnt",      "ACK Flag Cnt",
    "URG Flag Cnt",      "CWE Flag Count",
    "ECE Flag Cnt",      "Down/Up Ratio",
    "Pkt Size Avg",      "Fwd Seg Size Avg",
    "Bwd Seg Size Avg",  "Fwd Byts/b Avg",
    "Fwd Pkts/b Avg",    "Fwd Blk Rate Avg",
    "Bwd Byts/b Avg",    "Bwd Pkts/b Avg",
    "Bwd Blk Rate Avg",  "Subflow Fwd Pkts",
    "Subflow Fwd Byts",  "Subflow Bwd Pkts",
    "Subflow Bwd Byts",  "Init Fwd Win Byts",
    "Init Bwd Win Byts", "Fwd Act Data Pkts",
    "Fwd Seg Size Min",  "Active Mean",
    "Active Std",        "Active Max",
    "Active Min",        "Idle Mean",
    "Idle Std",          "Idle Max",
    "Idle Min",          "Label"};

const char *fe_column_name(size_t i)
{
  return i < FE_ROW_COLUMNS ? column_names[i] : NULL;
}

const char *fe_row_text(const struct fe_row *row, size_t col)
{
  switch (col) {
  case FE_COL_FLOW_ID:
    return row->flow_id;
  case FE_COL_SRC_IP:
    return row->src_ip;
  case FE_COL_DST_IP:
    return row->dst_ip;
  case FE_COL_TIMESTAMP:
    return row->timestamp;
  case FE_COL_LABEL:
    return row->label;
  default:
    return NULL;
  }
}

const char *fe_csv_header(void)
{
  static char header[2048];

  if (header[0] == '\0') {
    size_t n = 0;

    for (size_t i = 0; i < FE_ROW_COLUMNS; i++) {
      size_t len = strlen(column_names[i]);

      if (i > 0) {
        header[n++] = ',';
      }
      memcpy(header + n, column_names[i], len);
      n += len;
    }
    header[n] = '\0';
  }
  return header;
}

static size_t format_int(int64_t v, char *out)
{
  char rev[24];
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

static size_t format_cell(const struct fe_cell *c, char *out)
{
  size_t len;

  switch (c->kind) {
  case FE_CELL_INT:
    return format_int(c->v.i, out);
  case FE_CELL_REAL:
    return fe_format_java_double(c->v.d, out);
  case FE_CELL_TEXT:
    len = strlen(c->v.text);
    memcpy(out, c->v.text, len);
    return len;
  }
  return 0;
}

size_t fe_row_format_csv(const struct fe_row *row, char *buf)
{
  size_t n = 0;

  for (size_t i = 0; i < FE_ROW_COLUMNS; i++) {
    if (i > 0) {
      buf[n++] = ',';
    }
    n += format_cell(&row->cells[i], buf + n);
  }
  buf[n++] = '\n';
  buf[n] = '\0';
  return n;
}
