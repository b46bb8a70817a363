/* SPDX-License-Identifier: MIT */
/*
 * Column names and the CSV text of a row: comma separated, no quoting
 * (no field can hold a comma; labels with one are refused), '\n' ends
 * each line, as CICFlowMeter writes on Linux. This is the default layout;
 * the other dialects and the extra columns are in columns.c.
 */
#include "flowengine/row.h"

#include <threads.h>

#include "row_int.h"

const char *const fe__column_names[FE_ROW_COLUMNS] = {
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
  return i < FE_ROW_COLUMNS ? fe__column_names[i] : NULL;
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

static char csv_header[FE_ROW_CSV_MAX];

static void build_csv_header(void)
{
  const struct fe_layout plain = {FE_DIALECT_CICFLOWMETER, 0};

  fe_layout_header(&plain, csv_header);
}

/*
 * Built once from the table every layout uses. call_once, because jobs on
 * several threads may ask for the header first at the same time, and none
 * may see it half written.
 */
const char *fe_csv_header(void)
{
  static once_flag built = ONCE_FLAG_INIT;

  call_once(&built, build_csv_header);
  return csv_header;
}

size_t fe__format_row_order(const struct fe_row *row, char *buf)
{
  size_t n = 0;

  for (size_t i = 0; i < FE_ROW_COLUMNS; i++) {
    if (i > 0) {
      buf[n++] = ',';
    }
    n += fe__format_cell(&row->cells[i], buf + n);
  }
  return n;
}

size_t fe_row_format_csv(const struct fe_row *row, char *buf)
{
  size_t n = fe__format_row_order(row, buf);

  buf[n++] = '\n';
  buf[n] = '\0';
  return n;
}
