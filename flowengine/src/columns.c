/* SPDX-License-Identifier: MIT */
/*
 * CSV layouts: the same row under the header names a consumer expects
 * (CICFlowMeter's, the CIC-IDS2017 CSVs' or the Python cicflowmeter
 * package's), optionally followed by extra columns. Every dialect is a
 * constant table of (header name, row column), so a layout costs no set-up
 * and no locking; docs/columns.md gives the sources of the names.
 */
#include "flowengine/row.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "row_int.h"

/* One output field: its header name and the row column it prints. */
struct field {
  const char *name;
  uint8_t col; /* index into fe_row.cells */
};

#define EXTRA_FIELDS 7

struct dialect {
  const char *name;           /* as fe_dialect_parse accepts it */
  const struct field *fields; /* NULL: fe__column_names in row order */
  size_t nfields;
  const char *const *extra_names; /* EXTRA_FIELDS header names */
};

/*
 * The header of the CIC-IDS2017 "TrafficLabelling" CSVs, leading spaces
 * kept: the tool that made them joined hand-wrapped string pieces, and
 * pandas users select columns by these exact names. Its order is ours but
 * for a second " Fwd Header Length" after " Avg Bwd Segment Size"; the
 * table still names the row column of every field, so that nothing rests
 * on the two orders agreeing.
 */
static const struct field cicids2017_fields[] = {
    {"Flow ID", 0},                       /* Flow ID */
    {" Source IP", 1},                    /* Src IP */
    {" Source Port", 2},                  /* Src Port */
    {" Destination IP", 3},               /* Dst IP */
    {" Destination Port", 4},             /* Dst Port */
    {" Protocol", 5},                     /* Protocol */
    {" Timestamp", 6},                    /* Timestamp */
    {" Flow Duration", 7},                /* Flow Duration */
    {" Total Fwd Packets", 8},            /* Tot Fwd Pkts */
    {" Total Backward Packets", 9},       /* Tot Bwd Pkts */
    {"Total Length of Fwd Packets", 10},  /* TotLen Fwd Pkts */
    {" Total Length of Bwd Packets", 11}, /* TotLen Bwd Pkts */
    {" Fwd Packet Length Max", 12},       /* Fwd Pkt Len Max */
    {" Fwd Packet Length Min", 13},       /* Fwd Pkt Len Min */
    {" Fwd Packet Length Mean", 14},      /* Fwd Pkt Len Mean */
    {" Fwd Packet Length Std", 15},       /* Fwd Pkt Len Std */
    {"Bwd Packet Length Max", 16},        /* Bwd Pkt Len Max */
    {" Bwd Packet Length Min", 17},       /* Bwd Pkt Len Min */
    {" Bwd Packet Length Mean", 18},      /* Bwd Pkt Len Mean */
    {" Bwd Packet Length Std", 19},       /* Bwd Pkt Len Std */
    {"Flow Bytes/s", 20},                 /* Flow Byts/s */
    {" Flow Packets/s", 21},              /* Flow Pkts/s */
    {" Flow IAT Mean", 22},               /* Flow IAT Mean */
    {" Flow IAT Std", 23},                /* Flow IAT Std */
    {" Flow IAT Max", 24},                /* Flow IAT Max */
    {" Flow IAT Min", 25},                /* Flow IAT Min */
    {"Fwd IAT Total", 26},                /* Fwd IAT Tot */
    {" Fwd IAT Mean", 27},                /* Fwd IAT Mean */
    {" Fwd IAT Std", 28},                 /* Fwd IAT Std */
    {" Fwd IAT Max", 29},                 /* Fwd IAT Max */
    {" Fwd IAT Min", 30},                 /* Fwd IAT Min */
    {"Bwd IAT Total", 31},                /* Bwd IAT Tot */
    {" Bwd IAT Mean", 32},                /* Bwd IAT Mean */
    {" Bwd IAT Std", 33},                 /* Bwd IAT Std */
    {" Bwd IAT Max", 34},                 /* Bwd IAT Max */
    {" Bwd IAT Min", 35},                 /* Bwd IAT Min */
    {"Fwd PSH Flags", 36},                /* Fwd PSH Flags */
    {" Bwd PSH Flags", 37},               /* Bwd PSH Flags */
    {" Fwd URG Flags", 38},               /* Fwd URG Flags */
    {" Bwd URG Flags", 39},               /* Bwd URG Flags */
    {" Fwd Header Length", 40},           /* Fwd Header Len */
    {" Bwd Header Length", 41},           /* Bwd Header Len */
    {"Fwd Packets/s", 42},                /* Fwd Pkts/s */
    {" Bwd Packets/s", 43},               /* Bwd Pkts/s */
    {" Min Packet Length", 44},           /* Pkt Len Min */
    {" Max Packet Length", 45},           /* Pkt Len Max */
    {" Packet Length Mean", 46},          /* Pkt Len Mean */
    {" Packet Length Std", 47},           /* Pkt Len Std */
    {" Packet Length Variance", 48},      /* Pkt Len Var */
    {"FIN Flag Count", 49},               /* FIN Flag Cnt */
    {" SYN Flag Count", 50},              /* SYN Flag Cnt */
    {" RST Flag Count", 51},              /* RST Flag Cnt */
    {" PSH Flag Count", 52},              /* PSH Flag Cnt */
    {" ACK Flag Count", 53},              /* ACK Flag Cnt */
    {" URG Flag Count", 54},              /* URG Flag Cnt */
    {" CWE Flag Count", 55},              /* CWE Flag Count */
    {" ECE Flag Count", 56},              /* ECE Flag Cnt */
    {" Down/Up Ratio", 57},               /* Down/Up Ratio */
    {" Average Packet Size", 58},         /* Pkt Size Avg */
    {" Avg Fwd Segment Size", 59},        /* Fwd Seg Size Avg */
    {" Avg Bwd Segment Size", 60},        /* Bwd Seg Size Avg */
    {" Fwd Header Length", 40},           /* Fwd Header Len (again) */
    {"Fwd Avg Bytes/Bulk", 61},           /* Fwd Byts/b Avg */
    {" Fwd Avg Packets/Bulk", 62},        /* Fwd Pkts/b Avg */
    {" Fwd Avg Bulk Rate", 63},           /* Fwd Blk Rate Avg */
    {" Bwd Avg Bytes/Bulk", 64},          /* Bwd Byts/b Avg */
    {" Bwd Avg Packets/Bulk", 65},        /* Bwd Pkts/b Avg */
    {"Bwd Avg Bulk Rate", 66},            /* Bwd Blk Rate Avg */
    {"Subflow Fwd Packets", 67},          /* Subflow Fwd Pkts */
    {" Subflow Fwd Bytes", 68},           /* Subflow Fwd Byts */
    {" Subflow Bwd Packets", 69},         /* Subflow Bwd Pkts */
    {" Subflow Bwd Bytes", 70},           /* Subflow Bwd Byts */
    {"Init_Win_bytes_forward", 71},       /* Init Fwd Win Byts */
    {" Init_Win_bytes_backward", 72},     /* Init Bwd Win Byts */
    {" act_data_pkt_fwd", 73},            /* Fwd Act Data Pkts */
    {" min_seg_size_forward", 74},        /* Fwd Seg Size Min */
    {"Active Mean", 75},                  /* Active Mean */
    {" Active Std", 76},                  /* Active Std */
    {" Active Max", 77},                  /* Active Max */
    {" Active Min", 78},                  /* Active Min */
    {"Idle Mean", 79},                    /* Idle Mean */
    {" Idle Std", 80},                    /* Idle Std */
    {" Idle Max", 81},                    /* Idle Max */
    {" Idle Min", 82},                    /* Idle Min */
    {" Label", 83},                       /* Label */
};

/*
 * The Python cicflowmeter package's names, in our column order (its CSV
 * has its own order). It has no Flow ID and no Label; flow_id and label
 * are ours, in its style.
 */
static const struct field snake_fields[] = {
    {"flow_id", 0},            /* Flow ID */
    {"src_ip", 1},             /* Src IP */
    {"src_port", 2},           /* Src Port */
    {"dst_ip", 3},             /* Dst IP */
    {"dst_port", 4},           /* Dst Port */
    {"protocol", 5},           /* Protocol */
    {"timestamp", 6},          /* Timestamp */
    {"flow_duration", 7},      /* Flow Duration */
    {"tot_fwd_pkts", 8},       /* Tot Fwd Pkts */
    {"tot_bwd_pkts", 9},       /* Tot Bwd Pkts */
    {"totlen_fwd_pkts", 10},   /* TotLen Fwd Pkts */
    {"totlen_bwd_pkts", 11},   /* TotLen Bwd Pkts */
    {"fwd_pkt_len_max", 12},   /* Fwd Pkt Len Max */
    {"fwd_pkt_len_min", 13},   /* Fwd Pkt Len Min */
    {"fwd_pkt_len_mean", 14},  /* Fwd Pkt Len Mean */
    {"fwd_pkt_len_std", 15},   /* Fwd Pkt Len Std */
    {"bwd_pkt_len_max", 16},   /* Bwd Pkt Len Max */
    {"bwd_pkt_len_min", 17},   /* Bwd Pkt Len Min */
    {"bwd_pkt_len_mean", 18},  /* Bwd Pkt Len Mean */
    {"bwd_pkt_len_std", 19},   /* Bwd Pkt Len Std */
    {"flow_byts_s", 20},       /* Flow Byts/s */
    {"flow_pkts_s", 21},       /* Flow Pkts/s */
    {"flow_iat_mean", 22},     /* Flow IAT Mean */
    {"flow_iat_std", 23},      /* Flow IAT Std */
    {"flow_iat_max", 24},      /* Flow IAT Max */
    {"flow_iat_min", 25},      /* Flow IAT Min */
    {"fwd_iat_tot", 26},       /* Fwd IAT Tot */
    {"fwd_iat_mean", 27},      /* Fwd IAT Mean */
    {"fwd_iat_std", 28},       /* Fwd IAT Std */
    {"fwd_iat_max", 29},       /* Fwd IAT Max */
    {"fwd_iat_min", 30},       /* Fwd IAT Min */
    {"bwd_iat_tot", 31},       /* Bwd IAT Tot */
    {"bwd_iat_mean", 32},      /* Bwd IAT Mean */
    {"bwd_iat_std", 33},       /* Bwd IAT Std */
    {"bwd_iat_max", 34},       /* Bwd IAT Max */
    {"bwd_iat_min", 35},       /* Bwd IAT Min */
    {"fwd_psh_flags", 36},     /* Fwd PSH Flags */
    {"bwd_psh_flags", 37},     /* Bwd PSH Flags */
    {"fwd_urg_flags", 38},     /* Fwd URG Flags */
    {"bwd_urg_flags", 39},     /* Bwd URG Flags */
    {"fwd_header_len", 40},    /* Fwd Header Len */
    {"bwd_header_len", 41},    /* Bwd Header Len */
    {"fwd_pkts_s", 42},        /* Fwd Pkts/s */
    {"bwd_pkts_s", 43},        /* Bwd Pkts/s */
    {"pkt_len_min", 44},       /* Pkt Len Min */
    {"pkt_len_max", 45},       /* Pkt Len Max */
    {"pkt_len_mean", 46},      /* Pkt Len Mean */
    {"pkt_len_std", 47},       /* Pkt Len Std */
    {"pkt_len_var", 48},       /* Pkt Len Var */
    {"fin_flag_cnt", 49},      /* FIN Flag Cnt */
    {"syn_flag_cnt", 50},      /* SYN Flag Cnt */
    {"rst_flag_cnt", 51},      /* RST Flag Cnt */
    {"psh_flag_cnt", 52},      /* PSH Flag Cnt */
    {"ack_flag_cnt", 53},      /* ACK Flag Cnt */
    {"urg_flag_cnt", 54},      /* URG Flag Cnt */
    {"cwr_flag_count", 55},    /* CWE Flag Count */
    {"ece_flag_cnt", 56},      /* ECE Flag Cnt */
    {"down_up_ratio", 57},     /* Down/Up Ratio */
    {"pkt_size_avg", 58},      /* Pkt Size Avg */
    {"fwd_seg_size_avg", 59},  /* Fwd Seg Size Avg */
    {"bwd_seg_size_avg", 60},  /* Bwd Seg Size Avg */
    {"fwd_byts_b_avg", 61},    /* Fwd Byts/b Avg */
    {"fwd_pkts_b_avg", 62},    /* Fwd Pkts/b Avg */
    {"fwd_blk_rate_avg", 63},  /* Fwd Blk Rate Avg */
    {"bwd_byts_b_avg", 64},    /* Bwd Byts/b Avg */
    {"bwd_pkts_b_avg", 65},    /* Bwd Pkts/b Avg */
    {"bwd_blk_rate_avg", 66},  /* Bwd Blk Rate Avg */
    {"subflow_fwd_pkts", 67},  /* Subflow Fwd Pkts */
    {"subflow_fwd_byts", 68},  /* Subflow Fwd Byts */
    {"subflow_bwd_pkts", 69},  /* Subflow Bwd Pkts */
    {"subflow_bwd_byts", 70},  /* Subflow Bwd Byts */
    {"init_fwd_win_byts", 71}, /* Init Fwd Win Byts */
    {"init_bwd_win_byts", 72}, /* Init Bwd Win Byts */
    {"fwd_act_data_pkts", 73}, /* Fwd Act Data Pkts */
    {"fwd_seg_size_min", 74},  /* Fwd Seg Size Min */
    {"active_mean", 75},       /* Active Mean */
    {"active_std", 76},        /* Active Std */
    {"active_max", 77},        /* Active Max */
    {"active_min", 78},        /* Active Min */
    {"idle_mean", 79},         /* Idle Mean */
    {"idle_std", 80},          /* Idle Std */
    {"idle_max", 81},          /* Idle Max */
    {"idle_min", 82},          /* Idle Min */
    {"label", 83},             /* Label */
};

static const char *const cic_extra_names[EXTRA_FIELDS] = {
    "End Reason", "First Packet Time", "Last Packet Time", "ICMP Type",
    "ICMP Code",  "Fwd RST Flags",     "Bwd RST Flags"};

/* With a leading space, like the dataset's other names after the first. */
static const char *const cicids2017_extra_names[EXTRA_FIELDS] = {
    " End Reason", " First Packet Time", " Last Packet Time", " ICMP Type",
    " ICMP Code",  " Fwd RST Flags",     " Bwd RST Flags"};

static const char *const snake_extra_names[EXTRA_FIELDS] = {
    "end_reason", "first_packet_us", "last_packet_us", "icmp_type",
    "icmp_code",  "fwd_rst_flags",   "bwd_rst_flags"};

/* The FE_EXTRA_* bit that turns on each extra field. */
static const unsigned extra_bits[EXTRA_FIELDS] = {
    FE_EXTRA_END_REASON, FE_EXTRA_TIMES, FE_EXTRA_TIMES, FE_EXTRA_ICMP,
    FE_EXTRA_ICMP,       FE_EXTRA_RST,   FE_EXTRA_RST};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct dialect dialects[FE_DIALECTS] = {
    [FE_DIALECT_CICFLOWMETER] = {"cicflowmeter", NULL, FE_ROW_COLUMNS,
                                 cic_extra_names},
    [FE_DIALECT_CICIDS2017] = {"cicids2017", cicids2017_fields,
                               COUNT(cicids2017_fields),
                               cicids2017_extra_names},
    [FE_DIALECT_SNAKE] = {"snake", snake_fields, COUNT(snake_fields),
                          snake_extra_names},
};

_Static_assert(COUNT(cicids2017_fields) == FE_ROW_COLUMNS + 1,
               "CIC-IDS2017 has our 84 columns and one duplicate");
_Static_assert(COUNT(snake_fields) == FE_ROW_COLUMNS,
               "snake renames our 84 columns");

static const char *const end_reason_names[FE_END_REASONS] = {
    [FE_END_FIN] = "fin",
    [FE_END_RST] = "rst",
    [FE_END_ACTIVE_TIMEOUT] = "active_timeout",
    [FE_END_IDLE_TIMEOUT] = "idle_timeout",
    [FE_END_END_OF_INPUT] = "end_of_input",
    [FE_END_TABLE_FULL] = "table_full",
    [FE_END_NEW_CONNECTION] = "new_connection",
};

/*
 * The longest row any layout can print, so that FE_ROW_CSV_MAX is checked
 * by the compiler rather than trusted: every text cell full, every other
 * cell a 31-byte number (fe_format_java_double's buffer is 32 with the
 * terminator; an int64_t takes 20), the cicids2017 duplicate, all extras,
 * the commas, the newline and the terminator.
 */
#define ROW_FIELD(m) (sizeof(((struct fe_row *)0)->m) - 1)
#define NUMBER_MAX 31
#define TEXT_CELLS 5
/* The longest reason names: active_timeout, new_connection. */
#define END_REASON_MAX (sizeof("active_timeout") - 1)
#define LONGEST_ROW                                                            \
  (ROW_FIELD(flow_id) + ROW_FIELD(src_ip) + ROW_FIELD(dst_ip) +                \
   ROW_FIELD(timestamp) + ROW_FIELD(label) +                                   \
   (FE_ROW_COLUMNS + 1 - TEXT_CELLS) * NUMBER_MAX + END_REASON_MAX +           \
   (EXTRA_FIELDS - 1) * FE_INT_TEXT_MAX + (FE_ROW_COLUMNS + EXTRA_FIELDS) + 2)
_Static_assert(LONGEST_ROW <= FE_ROW_CSV_MAX,
               "FE_ROW_CSV_MAX must hold the longest row of any layout");

static const struct dialect *dialect_get(enum fe_dialect d)
{
  return (unsigned)d < FE_DIALECTS ? &dialects[d] : NULL;
}

int fe_dialect_parse(const char *name)
{
  if (name == NULL) {
    return -1;
  }
  for (int d = 0; d < FE_DIALECTS; d++) {
    if (strcmp(name, dialects[d].name) == 0) {
      return d;
    }
  }
  return -1;
}

/* fe_dialect_name: NULL for a value outside enum fe_dialect. */
const char *fe_dialect_name(enum fe_dialect d)
{
  const struct dialect *dl = dialect_get(d);

  return dl != NULL ? dl->name : NULL;
}

/* fe_end_reason_name: NULL for a value outside enum fe_end_reason. */
const char *fe_end_reason_name(enum fe_end_reason r)
{
  return (unsigned)r < FE_END_REASONS ? end_reason_names[r] : NULL;
}

/* The FE_EXTRA_* bits of one word of an extras list; 0 if unknown. */
static unsigned extra_word(const char *word, size_t len)
{
  static const struct {
    const char *word;
    unsigned bits;
  } words[] = {
      {"end_reason", FE_EXTRA_END_REASON},
      {"times", FE_EXTRA_TIMES},
      {"icmp", FE_EXTRA_ICMP},
      {"rst", FE_EXTRA_RST},
      {"all", FE_EXTRA_ALL},
  };

  for (size_t i = 0; i < COUNT(words); i++) {
    if (strlen(words[i].word) == len && memcmp(words[i].word, word, len) == 0) {
      return words[i].bits;
    }
  }
  return 0;
}

/*
 * The empty string asks for no extras. Inside a list an empty word (as in
 * "times,,rst" or a trailing comma) is refused like an unknown one: it is
 * more likely a typo than a wish. Words are exact and lower case.
 */
int fe_extras_parse(const char *list)
{
  unsigned bits = 0;
  const char *p = list;

  if (list == NULL) {
    return -1;
  }
  if (*list == '\0') {
    return 0;
  }
  for (;;) {
    size_t len = strcspn(p, ",");
    unsigned word = extra_word(p, len);

    if (word == 0) {
      return -1;
    }
    bits |= word;
    if (p[len] == '\0') {
      return (int)bits;
    }
    p += len + 1;
  }
}

/* Appends ",text" (or "text" at the start) to buf, which holds n bytes. */
static size_t append_name(char *buf, size_t n, const char *text)
{
  size_t len = strlen(text);

  assert(n + 1 + len < FE_ROW_CSV_MAX);
  if (n > 0) {
    buf[n++] = ',';
  }
  memcpy(buf + n, text, len);
  return n + len;
}

/* fe_layout_header: an unknown dialect gives the empty line. */
size_t fe_layout_header(const struct fe_layout *l, char *buf)
{
  const struct dialect *d = dialect_get(l->dialect);
  size_t n = 0;

  if (d == NULL) {
    buf[0] = '\0';
    return 0;
  }
  for (size_t i = 0; i < d->nfields; i++) {
    n = append_name(
        buf, n, d->fields != NULL ? d->fields[i].name : fe__column_names[i]);
  }
  for (size_t i = 0; i < EXTRA_FIELDS; i++) {
    if ((l->extras & extra_bits[i]) != 0) {
      n = append_name(buf, n, d->extra_names[i]);
    }
  }
  buf[n] = '\0';
  return n;
}

/* The fields of a mapped dialect, comma separated, unterminated. */
static size_t format_mapped(const struct fe_row *row, const struct dialect *d,
                            char *buf)
{
  size_t n = 0;

  for (size_t i = 0; i < d->nfields; i++) {
    if (i > 0) {
      buf[n++] = ',';
    }
    n += fe__format_cell(&row->cells[d->fields[i].col], buf + n);
  }
  return n;
}

/* ",value" into out; returns its length. */
static size_t format_extra_int(int64_t v, char *out)
{
  out[0] = ',';
  return 1 + fe__format_int(v, out + 1);
}

/* The extra columns chosen by extras, each after a comma, unterminated. */
static size_t format_extras(const struct fe_row *row, unsigned extras,
                            char *out)
{
  size_t n = 0;

  if ((extras & FE_EXTRA_END_REASON) != 0) {
    const char *name = fe_end_reason_name(row->end_reason);

    /* The engine sets every reason; an empty field keeps the columns. */
    assert(name != NULL);
    out[n++] = ',';
    if (name != NULL) {
      size_t len = strlen(name);

      memcpy(out + n, name, len);
      n += len;
    }
  }
  if ((extras & FE_EXTRA_TIMES) != 0) {
    n += format_extra_int(row->first_packet_us, out + n);
    n += format_extra_int(row->last_packet_us, out + n);
  }
  if ((extras & FE_EXTRA_ICMP) != 0) {
    n += format_extra_int(row->icmp_type, out + n);
    n += format_extra_int(row->icmp_code, out + n);
  }
  if ((extras & FE_EXTRA_RST) != 0) {
    n += format_extra_int(row->fwd_rst, out + n);
    n += format_extra_int(row->bwd_rst, out + n);
  }
  return n;
}

/*
 * One call per flow: the default layout goes straight to the row-order
 * loop that fe_row_format_csv uses, and no layout allocates or builds
 * anything. An unknown dialect gives the empty string.
 */
size_t fe_row_format_layout(const struct fe_row *row, const struct fe_layout *l,
                            char *buf)
{
  const struct dialect *d = dialect_get(l->dialect);
  size_t n;

  if (d == NULL) {
    buf[0] = '\0';
    return 0;
  }
  if (d->fields == NULL) {
    n = fe__format_row_order(row, buf);
  } else {
    n = format_mapped(row, d, buf);
  }
  if (l->extras != 0) {
    n += format_extras(row, l->extras, buf + n);
  }
  buf[n++] = '\n';
  buf[n] = '\0';
  return n;
}
