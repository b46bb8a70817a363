/* SPDX-License-Identifier: MIT */
/* gw__out_kind: response messages told apart, chunks found in place. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "gw_int.h"
#include "suites.h"

#include "cicflow/v1/flowmeter.pb-c.h"

static struct rpc_msg *pack(const Cicflow__V1__ProcessPcapResponse *resp)
{
  size_t len = cicflow__v1__process_pcap_response__get_packed_size(resp);
  struct rpc_msg *m = rpc_msg_new(len);

  ck_assert_ptr_nonnull(m);
  cicflow__v1__process_pcap_response__pack(resp, m->data);
  return m;
}

START_TEST(test_gw__out_kind_chunk_is_located_in_place)
{
  Cicflow__V1__ProcessPcapResponse resp =
      CICFLOW__V1__PROCESS_PCAP_RESPONSE__INIT;
  static uint8_t bytes[300]; /* long enough for a two-byte length */
  struct rpc_msg *m;
  size_t off = 0;
  size_t len = 0;

  memset(bytes, 'z', sizeof(bytes));
  resp.payload_case = CICFLOW__V1__PROCESS_PCAP_RESPONSE__PAYLOAD_OUTPUT_CHUNK;
  resp.output_chunk.data = bytes;
  resp.output_chunk.len = sizeof(bytes);
  m = pack(&resp);
  ck_assert_int_eq(gw__out_kind(m, &off, &len), GW_OUT_CHUNK);
  ck_assert_uint_eq(off, 3);
  ck_assert_uint_eq(len, sizeof(bytes));
  ck_assert_mem_eq(m->data + off, bytes, len);
  free(m);
}
END_TEST

START_TEST(test_gw__out_kind_start_progress_summary_are_told_apart)
{
  Cicflow__V1__ProcessPcapResponse resp =
      CICFLOW__V1__PROCESS_PCAP_RESPONSE__INIT;
  Cicflow__V1__OutputStart start = CICFLOW__V1__OUTPUT_START__INIT;
  Cicflow__V1__Progress progress = CICFLOW__V1__PROGRESS__INIT;
  Cicflow__V1__Summary summary = CICFLOW__V1__SUMMARY__INIT;
  char name[] = "a.pcap.zip";
  struct rpc_msg *m;
  size_t off;
  size_t len;

  resp.payload_case = CICFLOW__V1__PROCESS_PCAP_RESPONSE__PAYLOAD_OUTPUT_START;
  start.file_name = name;
  resp.output_start = &start;
  m = pack(&resp);
  ck_assert_int_eq(gw__out_kind(m, &off, &len), GW_OUT_START);
  free(m);
  resp.payload_case = CICFLOW__V1__PROCESS_PCAP_RESPONSE__PAYLOAD_PROGRESS;
  progress.bytes_read = 7;
  resp.progress = &progress;
  m = pack(&resp);
  ck_assert_int_eq(gw__out_kind(m, &off, &len), GW_OUT_PROGRESS);
  free(m);
  resp.payload_case = CICFLOW__V1__PROCESS_PCAP_RESPONSE__PAYLOAD_SUMMARY;
  resp.summary = &summary;
  m = pack(&resp);
  ck_assert_int_eq(gw__out_kind(m, &off, &len), GW_OUT_OTHER);
  free(m);
}
END_TEST

START_TEST(test_gw__out_kind_cut_chunk_is_bad)
{
  static const uint8_t cut[] = {0x1a, 0x05, 'a', 'b'};
  static const uint8_t long_varint[] = {0x1a, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0xff};
  struct rpc_msg *m = rpc_msg_new(sizeof(long_varint));
  size_t off;
  size_t len;

  ck_assert_ptr_nonnull(m);
  memcpy(m->data, cut, sizeof(cut));
  m->len = sizeof(cut);
  ck_assert_int_eq(gw__out_kind(m, &off, &len), GW_OUT_BAD);
  memcpy(m->data, long_varint, sizeof(long_varint));
  m->len = sizeof(long_varint);
  ck_assert_int_eq(gw__out_kind(m, &off, &len), GW_OUT_BAD);
  m->len = 0;
  ck_assert_int_eq(gw__out_kind(m, &off, &len), GW_OUT_OTHER);
  free(m);
}
END_TEST

Suite *gw_output_suite(void)
{
  Suite *s = suite_create("output");
  TCase *tc = tcase_create("output");

  tcase_add_test(tc, test_gw__out_kind_chunk_is_located_in_place);
  tcase_add_test(tc, test_gw__out_kind_start_progress_summary_are_told_apart);
  tcase_add_test(tc, test_gw__out_kind_cut_chunk_is_bad);
  suite_add_tcase(s, tc);
  return s;
}
