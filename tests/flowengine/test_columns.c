/* SPDX-License-Identifier: MIT */
/*
 * Tests of columns.c: the header and row text of each column dialect and
 * of the extra columns, and the parsers of their option words. The
 * expected header lines are the published ones (docs/columns.md), so a
 * slip in a name or a leading space shows up here.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "flowengine/row.h"

Suite *fe_columns_suite(void);

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_FIELDS 128

/* The cic profile's header line (cic-profile.md §1.1). */
static const char cic_header[] =
    "Flow ID,Src IP,Src Port,Dst IP,Dst Port,Protocol,Timestamp,"
    "Flow Duration,Tot Fwd Pkts,Tot Bwd Pkts,TotLen Fwd Pkts,"
    "TotLen Bwd Pkts,Fwd Pkt Len Max,Fwd Pkt Len Min,Fwd Pkt Len Mean,"
    "Fwd Pkt Len Std,Bwd Pkt Len Max,Bwd Pkt Len Min,Bwd Pkt Len Mean,"
    "Bwd Pkt Len Std,Flow Byts/s,Flow Pkts/s,Flow IAT Mean,Flow IAT Std,"
    "Flow IAT Max,Flow IAT Min,Fwd IAT Tot,Fwd IAT Mean,Fwd IAT Std,"
    "Fwd IAT Max,Fwd IAT Min,Bwd IAT Tot,Bwd IAT Mean,Bwd IAT Std,"
    "Bwd IAT Max,Bwd IAT Min,Fwd PSH Flags,Bwd PSH Flags,Fwd URG Flags,"
    "Bwd URG Flags,Fwd Header Len,Bwd Header Len,Fwd Pkts/s,Bwd Pkts/s,"
    "Pkt Len Min,Pkt Len Max,Pkt Len Mean,Pkt Len Std,Pkt Len Var,"
    "FIN Flag Cnt,SYN Flag Cnt,RST Flag Cnt,PSH Flag Cnt,ACK Flag Cnt,"
    "URG Flag Cnt,CWE Flag Count,ECE Flag Cnt,Down/Up Ratio,Pkt Size Avg,"
    "Fwd Seg Size Avg,Bwd Seg Size Avg,Fwd Byts/b Avg,Fwd Pkts/b Avg,"
    "Fwd Blk Rate Avg,Bwd Byts/b Avg,Bwd Pkts/b Avg,Bwd Blk Rate Avg,"
    "Subflow Fwd Pkts,Subflow Fwd Byts,Subflow Bwd Pkts,Subflow Bwd Byts,"
    "Init Fwd Win Byts,Init Bwd Win Byts,Fwd Act Data Pkts,"
    "Fwd Seg Size Min,Active Mean,Active Std,Active Max,Active Min,"
    "Idle Mean,Idle Std,Idle Max,Idle Min,Label";

/*
 * The header of the CIC-IDS2017 TrafficLabelling CSVs, byte for byte:
 * fifteen names have no leading space, and " Fwd Header Length" is there
 * twice.
 */
static const char cicids2017_header[] =
    "Flow ID, Source IP, Source Port, Destination IP, Destination Port,"
    " Protocol, Timestamp, Flow Duration, Total Fwd Packets,"
    " Total Backward Packets,Total Length of Fwd Packets,"
    " Total Length of Bwd Packets, Fwd Packet Length Max,"
    " Fwd Packet Length Min, Fwd Packet Length Mean, Fwd Packet Length Std,"
    "Bwd Packet Length Max, Bwd Packet Length Min, Bwd Packet Length Mean,"
    " Bwd Packet Length Std,Flow Bytes/s, Flow Packets/s, Flow IAT Mean,"
    " Flow IAT Std, Flow IAT Max, Flow IAT Min,Fwd IAT Total, Fwd IAT Mean,"
    " Fwd IAT Std, Fwd IAT Max, Fwd IAT Min,Bwd IAT Total, Bwd IAT Mean,"
    " Bwd IAT Std, Bwd IAT Max, Bwd IAT Min,Fwd PSH Flags, Bwd PSH Flags,"
    " Fwd URG Flags, Bwd URG Flags, Fwd Header Length, Bwd Header Length,"
    "Fwd Packets/s, Bwd Packets/s, Min Packet Length, Max Packet Length,"
    " Packet Length Mean, Packet Length Std, Packet Length Variance,"
    "FIN Flag Count, SYN Flag Count, RST Flag Count, PSH Flag Count,"
    " ACK Flag Count, URG Flag Count, CWE Flag Count, ECE Flag Count,"
    " Down/Up Ratio, Average Packet Size, Avg Fwd Segment Size,"
    " Avg Bwd Segment Size, Fwd Header Length,Fwd Avg Bytes/Bulk,"
    " Fwd Avg Packets/Bulk, Fwd Avg Bulk Rate, Bwd Avg Bytes/Bulk,"
    " Bwd Avg Packets/Bulk,Bwd Avg Bulk Rate,Subflow Fwd Packets,"
    " Subflow Fwd Bytes, Subflow Bwd Packets, Subflow Bwd Bytes,"
    "Init_Win_bytes_forward, Init_Win_bytes_backward, act_data_pkt_fwd,"
    " min_seg_size_forward,Active Mean, Active Std, Active Max, Active Min,"
    "Idle Mean, Idle Std, Idle Max, Idle Min, Label";

/* Where the dataset repeats Fwd Header Length, and where we keep it. */
#define IDS_DUPLICATE 61
#define COL_FWD_HEADER_LEN 40

/* Splits a CSV line in place; returns the number of fields. */
static size_t split(char *line, char *fields[MAX_FIELDS])
{
  size_t n = 0;
  char *p = line;

  line[strcspn(line, "\n")] = '\0';
  for (;;) {
    ck_assert_uint_lt(n, MAX_FIELDS);
    fields[n++] = p;
    p = strchr(p, ',');
    if (p == NULL) {
      return n;
    }
    *p++ = '\0';
  }
}

static size_t count_fields(const char *line)
{
  size_t n = 1;

  for (const char *p = line; *p != '\0' && *p != '\n'; p++) {
    n += *p == ',';
  }
  return n;
}

static void set_text(struct fe_row *row, size_t col)
{
  row->cells[col].kind = FE_CELL_TEXT;
  row->cells[col].v.text = fe_row_text(row, col);
}

/*
 * A row whose numeric column i holds 1000 + i, so that every printed
 * field tells which column it came from.
 */
static void make_row(struct fe_row *row)
{
  static const size_t text_cols[] = {FE_COL_FLOW_ID, FE_COL_SRC_IP,
                                     FE_COL_DST_IP, FE_COL_TIMESTAMP,
                                     FE_COL_LABEL};

  memset(row, 0, sizeof(*row));
  strcpy(row->flow_id, "192.168.10.5-192.168.10.50-40000-80-6");
  strcpy(row->src_ip, "192.168.10.5");
  strcpy(row->dst_ip, "192.168.10.50");
  strcpy(row->timestamp, "03/07/2017 08:55:58 AM");
  strcpy(row->label, "BENIGN");
  for (size_t i = 0; i < FE_ROW_COLUMNS; i++) {
    row->cells[i].kind = FE_CELL_INT;
    row->cells[i].v.i = 1000 + (int64_t)i;
  }
  for (size_t i = 0; i < COUNT(text_cols); i++) {
    set_text(row, text_cols[i]);
  }
  row->end_reason = FE_END_IDLE_TIMEOUT;
  row->first_packet_us = 1499068558000000;
  row->last_packet_us = 1499068559500000;
  row->icmp_type = 8;
  row->icmp_code = 0;
  row->fwd_rst = 2;
  row->bwd_rst = 1;
}

static size_t header_of(enum fe_dialect d, unsigned extras, char *buf)
{
  const struct fe_layout l = {d, extras};

  return fe_layout_header(&l, buf);
}

static size_t row_of(const struct fe_row *row, enum fe_dialect d,
                     unsigned extras, char *buf)
{
  const struct fe_layout l = {d, extras};

  return fe_row_format_layout(row, &l, buf);
}

START_TEST(test_fe_csv_header_default_is_cic_profile_line)
{
  ck_assert_str_eq(fe_csv_header(), cic_header);
}
END_TEST

START_TEST(test_fe_layout_header_cicflowmeter_gives_84_cic_names)
{
  char buf[FE_ROW_CSV_MAX];
  size_t len = header_of(FE_DIALECT_CICFLOWMETER, 0, buf);

  ck_assert_str_eq(buf, cic_header);
  ck_assert_uint_eq(len, strlen(cic_header));
  ck_assert_uint_eq(count_fields(buf), 84);
}
END_TEST

START_TEST(test_fe_layout_header_cicids2017_gives_dataset_line)
{
  char buf[FE_ROW_CSV_MAX];
  size_t len = header_of(FE_DIALECT_CICIDS2017, 0, buf);

  ck_assert_str_eq(buf, cicids2017_header);
  ck_assert_uint_eq(len, strlen(cicids2017_header));
}
END_TEST

START_TEST(test_fe_layout_header_cicids2017_has_85_names_and_duplicate)
{
  char buf[FE_ROW_CSV_MAX];
  char *f[MAX_FIELDS];
  size_t n;

  header_of(FE_DIALECT_CICIDS2017, 0, buf);
  n = split(buf, f);
  ck_assert_uint_eq(n, 85);
  ck_assert_str_eq(f[0], "Flow ID");
  ck_assert_str_eq(f[1], " Source IP");
  ck_assert_str_eq(f[10], "Total Length of Fwd Packets");
  ck_assert_str_eq(f[COL_FWD_HEADER_LEN], " Fwd Header Length");
  ck_assert_str_eq(f[IDS_DUPLICATE - 1], " Avg Bwd Segment Size");
  ck_assert_str_eq(f[IDS_DUPLICATE], " Fwd Header Length");
  ck_assert_str_eq(f[IDS_DUPLICATE + 1], "Fwd Avg Bytes/Bulk");
  ck_assert_str_eq(f[84], " Label");
}
END_TEST

START_TEST(test_fe_layout_header_snake_gives_package_names)
{
  char buf[FE_ROW_CSV_MAX];
  char *f[MAX_FIELDS];
  size_t n;

  header_of(FE_DIALECT_SNAKE, 0, buf);
  ck_assert_uint_eq(strspn(buf, "abcdefghijklmnopqrstuvwxyz_,"), strlen(buf));
  n = split(buf, f);
  ck_assert_uint_eq(n, 84);
  ck_assert_str_eq(f[0], "flow_id");
  ck_assert_str_eq(f[1], "src_ip");
  ck_assert_str_eq(f[3], "dst_ip");
  ck_assert_str_eq(f[8], "tot_fwd_pkts");
  ck_assert_str_eq(f[20], "flow_byts_s");
  ck_assert_str_eq(f[55], "cwr_flag_count");
  ck_assert_str_eq(f[74], "fwd_seg_size_min");
  ck_assert_str_eq(f[83], "label");
}
END_TEST

START_TEST(test_fe_layout_header_unknown_dialect_gives_empty_line)
{
  char buf[FE_ROW_CSV_MAX] = "x";

  ck_assert_uint_eq(header_of((enum fe_dialect)FE_DIALECTS, 0, buf), 0);
  ck_assert_str_eq(buf, "");
}
END_TEST

struct extras_case {
  enum fe_dialect dialect;
  const char *suffix; /* what FE_EXTRA_ALL appends to the header */
};

static const struct extras_case extras_cases[] = {
    {FE_DIALECT_CICFLOWMETER,
     ",Label,End Reason,First Packet Time,Last Packet Time,ICMP Type,"
     "ICMP Code,Fwd RST Flags,Bwd RST Flags"},
    {FE_DIALECT_CICIDS2017,
     ", Label, End Reason, First Packet Time, Last Packet Time, ICMP Type,"
     " ICMP Code, Fwd RST Flags, Bwd RST Flags"},
    {FE_DIALECT_SNAKE, ",label,end_reason,first_packet_us,last_packet_us,"
                       "icmp_type,icmp_code,fwd_rst_flags,bwd_rst_flags"},
};

START_TEST(test_fe_layout_header_all_extras_appends_seven_names)
{
  const struct extras_case *c = &extras_cases[_i];
  char plain[FE_ROW_CSV_MAX];
  char buf[FE_ROW_CSV_MAX];
  size_t len = header_of(c->dialect, FE_EXTRA_ALL, buf);
  size_t suffix_len = strlen(c->suffix);

  header_of(c->dialect, 0, plain);
  ck_assert_uint_eq(count_fields(buf), count_fields(plain) + 7);
  ck_assert_uint_ge(len, suffix_len);
  ck_assert_str_eq(buf + len - suffix_len, c->suffix);
}
END_TEST

START_TEST(test_fe_layout_header_one_extra_appends_only_its_names)
{
  char buf[FE_ROW_CSV_MAX];
  size_t len = header_of(FE_DIALECT_CICFLOWMETER, FE_EXTRA_ICMP, buf);
  const char *suffix = ",Label,ICMP Type,ICMP Code";

  ck_assert_uint_eq(count_fields(buf), 86);
  ck_assert_str_eq(buf + len - strlen(suffix), suffix);
}
END_TEST

START_TEST(test_fe_row_format_layout_default_equals_row_format_csv)
{
  struct fe_row row;
  char csv[FE_ROW_CSV_MAX];
  char buf[FE_ROW_CSV_MAX];
  size_t csv_len;

  make_row(&row);
  csv_len = fe_row_format_csv(&row, csv);
  ck_assert_uint_eq(row_of(&row, FE_DIALECT_CICFLOWMETER, 0, buf), csv_len);
  ck_assert_str_eq(buf, csv);
}
END_TEST

START_TEST(test_fe_row_format_layout_snake_keeps_row_order)
{
  struct fe_row row;
  char csv[FE_ROW_CSV_MAX];
  char buf[FE_ROW_CSV_MAX];

  make_row(&row);
  fe_row_format_csv(&row, csv);
  row_of(&row, FE_DIALECT_SNAKE, 0, buf);
  ck_assert_str_eq(buf, csv);
}
END_TEST

START_TEST(test_fe_row_format_layout_cicids2017_repeats_fwd_header_len)
{
  struct fe_row row;
  char csv[FE_ROW_CSV_MAX];
  char buf[FE_ROW_CSV_MAX];
  char *cic[MAX_FIELDS];
  char *ids[MAX_FIELDS];
  size_t len;

  make_row(&row);
  fe_row_format_csv(&row, csv);
  len = row_of(&row, FE_DIALECT_CICIDS2017, 0, buf);
  ck_assert_uint_eq(len, strlen(buf));
  ck_assert_int_eq(buf[len - 1], '\n');
  ck_assert_uint_eq(split(csv, cic), 84);
  ck_assert_uint_eq(split(buf, ids), 85);
  ck_assert_str_eq(ids[IDS_DUPLICATE], "1040");
  ck_assert_str_eq(ids[COL_FWD_HEADER_LEN], "1040");
  for (size_t i = 0; i < 85; i++) {
    size_t col = i <= IDS_DUPLICATE ? i : i - 1;

    if (i != IDS_DUPLICATE) {
      ck_assert_str_eq(ids[i], cic[col]);
    }
  }
}
END_TEST

START_TEST(test_fe_row_format_layout_all_extras_appends_values)
{
  struct fe_row row;
  char buf[FE_ROW_CSV_MAX];
  size_t len;
  const char *suffix = ",BENIGN,idle_timeout,1499068558000000,"
                       "1499068559500000,8,0,2,1\n";

  make_row(&row);
  len = row_of(&row, FE_DIALECT_CICFLOWMETER, FE_EXTRA_ALL, buf);
  ck_assert_uint_eq(count_fields(buf), 91);
  ck_assert_str_eq(buf + len - strlen(suffix), suffix);
}
END_TEST

START_TEST(test_fe_row_format_layout_not_icmp_prints_minus_one)
{
  struct fe_row row;
  char buf[FE_ROW_CSV_MAX];
  size_t len;
  const char *suffix = ",BENIGN,-1,-1\n";

  make_row(&row);
  row.icmp_type = -1;
  row.icmp_code = -1;
  len = row_of(&row, FE_DIALECT_SNAKE, FE_EXTRA_ICMP, buf);
  ck_assert_str_eq(buf + len - strlen(suffix), suffix);
}
END_TEST

/* Every set of extras, in each dialect: as many values as header names. */
START_TEST(test_fe_row_format_layout_any_extras_matches_header_width)
{
  enum fe_dialect d = (enum fe_dialect)(_i / 16);
  unsigned extras = (unsigned)_i % 16;
  struct fe_row row;
  char head[FE_ROW_CSV_MAX];
  char buf[FE_ROW_CSV_MAX];

  make_row(&row);
  header_of(d, extras, head);
  row_of(&row, d, extras, buf);
  ck_assert_uint_eq(count_fields(buf), count_fields(head));
}
END_TEST

/* Fills a text buffer of n bytes with n - 1 characters. */
static void fill_text(char *text, size_t n)
{
  memset(text, '9', n - 1);
  text[n - 1] = '\0';
}

/*
 * The longest row the engine could hand over: full text buffers, the
 * longest Java doubles and int64_t values, every extra.
 */
static void make_longest_row(struct fe_row *row)
{
  make_row(row);
  fill_text(row->flow_id, sizeof(row->flow_id));
  fill_text(row->src_ip, sizeof(row->src_ip));
  fill_text(row->dst_ip, sizeof(row->dst_ip));
  fill_text(row->timestamp, sizeof(row->timestamp));
  fill_text(row->label, sizeof(row->label));
  for (size_t i = 0; i < FE_ROW_COLUMNS; i++) {
    if (row->cells[i].kind != FE_CELL_TEXT) {
      row->cells[i].kind = FE_CELL_REAL;
      row->cells[i].v.d = -2.2250738585072014E-308;
    }
  }
  row->end_reason = FE_END_ACTIVE_TIMEOUT;
  row->first_packet_us = INT64_MIN;
  row->last_packet_us = INT64_MIN;
  row->icmp_type = INT32_MIN;
  row->icmp_code = INT32_MIN;
  row->fwd_rst = INT64_MIN;
  row->bwd_rst = INT64_MIN;
}

START_TEST(test_fe_row_format_layout_longest_row_fits_buffer)
{
  enum fe_dialect d = (enum fe_dialect)_i;
  struct fe_row row;
  char buf[FE_ROW_CSV_MAX];
  char head[FE_ROW_CSV_MAX];
  size_t len;

  make_longest_row(&row);
  len = row_of(&row, d, FE_EXTRA_ALL, buf);
  ck_assert_uint_lt(len, FE_ROW_CSV_MAX);
  ck_assert_uint_eq(strlen(buf), len);
  ck_assert_uint_eq(count_fields(buf), d == FE_DIALECT_CICIDS2017 ? 92 : 91);
  len = header_of(d, FE_EXTRA_ALL, head);
  ck_assert_uint_lt(len, FE_ROW_CSV_MAX);
}
END_TEST

START_TEST(test_fe_row_format_layout_unknown_dialect_gives_empty_line)
{
  struct fe_row row;
  char buf[FE_ROW_CSV_MAX] = "x";

  make_row(&row);
  ck_assert_uint_eq(row_of(&row, (enum fe_dialect) - 1, 0, buf), 0);
  ck_assert_str_eq(buf, "");
}
END_TEST

static const char *const reason_names[] = {
    "fin",          "rst",        "active_timeout", "idle_timeout",
    "end_of_input", "table_full", "new_connection"};

START_TEST(test_fe_end_reason_name_each_reason_gives_snake_name)
{
  ck_assert_uint_eq(COUNT(reason_names), FE_END_REASONS);
  ck_assert_str_eq(fe_end_reason_name((enum fe_end_reason)_i),
                   reason_names[_i]);
}
END_TEST

START_TEST(test_fe_end_reason_name_out_of_range_gives_null)
{
  ck_assert_ptr_null(fe_end_reason_name(FE_END_REASONS));
  ck_assert_ptr_null(fe_end_reason_name((enum fe_end_reason) - 1));
}
END_TEST

struct extras_word {
  const char *list;
  int bits;
};

static const struct extras_word good_extras[] = {
    {"", 0},
    {"end_reason", FE_EXTRA_END_REASON},
    {"times", FE_EXTRA_TIMES},
    {"icmp", FE_EXTRA_ICMP},
    {"rst", FE_EXTRA_RST},
    {"all", FE_EXTRA_ALL},
    {"times,rst", FE_EXTRA_TIMES | FE_EXTRA_RST},
    {"rst,times,rst", FE_EXTRA_TIMES | FE_EXTRA_RST},
    {"end_reason,times,icmp,rst", FE_EXTRA_ALL},
    {"icmp,all", FE_EXTRA_ALL},
};

START_TEST(test_fe_extras_parse_known_words_give_bits)
{
  const struct extras_word *c = &good_extras[_i];

  ck_assert_msg(fe_extras_parse(c->list) == c->bits, "\"%s\" gave %d", c->list,
                fe_extras_parse(c->list));
}
END_TEST

static const char *const bad_extras[] = {
    "bogus",  "times,",     ",times", "times,,rst", "Times", " times",
    "times ", "end-reason", "al",     "alls",       ",",     "times;rst",
};

START_TEST(test_fe_extras_parse_bad_word_gives_minus_one)
{
  ck_assert_msg(fe_extras_parse(bad_extras[_i]) == -1, "\"%s\" accepted",
                bad_extras[_i]);
}
END_TEST

START_TEST(test_fe_extras_parse_null_gives_minus_one)
{
  ck_assert_int_eq(fe_extras_parse(NULL), -1);
}
END_TEST

static const char *const dialect_names[FE_DIALECTS] = {"cicflowmeter",
                                                       "cicids2017", "snake"};

START_TEST(test_fe_dialect_parse_known_name_gives_dialect)
{
  ck_assert_int_eq(fe_dialect_parse(dialect_names[_i]), _i);
  ck_assert_str_eq(fe_dialect_name((enum fe_dialect)_i), dialect_names[_i]);
}
END_TEST

static const char *const bad_dialects[] = {
    "", "CICIDS2017", "cic", "cicids", "snake_case", "cicflowmeter ", "Snake",
};

START_TEST(test_fe_dialect_parse_unknown_name_gives_minus_one)
{
  ck_assert_int_eq(fe_dialect_parse(bad_dialects[_i]), -1);
}
END_TEST

START_TEST(test_fe_dialect_parse_null_gives_minus_one)
{
  ck_assert_int_eq(fe_dialect_parse(NULL), -1);
  ck_assert_ptr_null(fe_dialect_name((enum fe_dialect)FE_DIALECTS));
}
END_TEST

static void add_header_tests(TCase *tc)
{
  tcase_add_test(tc, test_fe_csv_header_default_is_cic_profile_line);
  tcase_add_test(tc, test_fe_layout_header_cicflowmeter_gives_84_cic_names);
  tcase_add_test(tc, test_fe_layout_header_cicids2017_gives_dataset_line);
  tcase_add_test(tc,
                 test_fe_layout_header_cicids2017_has_85_names_and_duplicate);
  tcase_add_test(tc, test_fe_layout_header_snake_gives_package_names);
  tcase_add_test(tc, test_fe_layout_header_unknown_dialect_gives_empty_line);
  tcase_add_loop_test(tc, test_fe_layout_header_all_extras_appends_seven_names,
                      0, COUNT(extras_cases));
  tcase_add_test(tc, test_fe_layout_header_one_extra_appends_only_its_names);
}

static void add_row_tests(TCase *tc)
{
  tcase_add_test(tc, test_fe_row_format_layout_default_equals_row_format_csv);
  tcase_add_test(tc, test_fe_row_format_layout_snake_keeps_row_order);
  tcase_add_test(tc,
                 test_fe_row_format_layout_cicids2017_repeats_fwd_header_len);
  tcase_add_test(tc, test_fe_row_format_layout_all_extras_appends_values);
  tcase_add_test(tc, test_fe_row_format_layout_not_icmp_prints_minus_one);
  tcase_add_loop_test(tc,
                      test_fe_row_format_layout_any_extras_matches_header_width,
                      0, FE_DIALECTS * 16);
  tcase_add_loop_test(tc, test_fe_row_format_layout_longest_row_fits_buffer, 0,
                      FE_DIALECTS);
  tcase_add_test(tc,
                 test_fe_row_format_layout_unknown_dialect_gives_empty_line);
}

static void add_parse_tests(TCase *tc)
{
  tcase_add_loop_test(tc, test_fe_end_reason_name_each_reason_gives_snake_name,
                      0, FE_END_REASONS);
  tcase_add_test(tc, test_fe_end_reason_name_out_of_range_gives_null);
  tcase_add_loop_test(tc, test_fe_extras_parse_known_words_give_bits, 0,
                      COUNT(good_extras));
  tcase_add_loop_test(tc, test_fe_extras_parse_bad_word_gives_minus_one, 0,
                      COUNT(bad_extras));
  tcase_add_test(tc, test_fe_extras_parse_null_gives_minus_one);
  tcase_add_loop_test(tc, test_fe_dialect_parse_known_name_gives_dialect, 0,
                      FE_DIALECTS);
  tcase_add_loop_test(tc, test_fe_dialect_parse_unknown_name_gives_minus_one, 0,
                      COUNT(bad_dialects));
  tcase_add_test(tc, test_fe_dialect_parse_null_gives_minus_one);
}

Suite *fe_columns_suite(void)
{
  Suite *s = suite_create("columns");
  TCase *tc = tcase_create("columns");

  add_header_tests(tc);
  add_row_tests(tc);
  add_parse_tests(tc);
  suite_add_tcase(s, tc);
  return s;
}
