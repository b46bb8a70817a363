/* SPDX-License-Identifier: MIT */
/*
 * The query string of POST /process: names, number syntax, text rules,
 * and the request messages built from it.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "gw_int.h"
#include "suites.h"

#include "cicflow/v1/flowmeter.pb-c.h"

static int set(struct gw_query *q, const char *key, const char *value,
               char *why)
{
  return gw__query_set(q, key, strlen(key), value, strlen(value), why,
                       RPC_MESSAGE_MAX);
}

START_TEST(test_gw__query_set_seconds_become_microseconds)
{
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];

  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "flow_timeout", "120", why), 0);
  ck_assert_uint_eq(q.flow_timeout_us, 120000000);
  ck_assert_int_eq(set(&q, "activity_timeout", "0.000001", why), 0);
  ck_assert_uint_eq(q.activity_timeout_us, 1);
}
END_TEST

START_TEST(test_gw__query_set_fraction_forms_are_accepted)
{
  const char *ok[] = {"0.5", ".5", "5.", "1.250000"};
  const uint64_t want[] = {500000, 500000, 5000000, 1250000};

  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    struct gw_query q;
    char why[RPC_MESSAGE_MAX];

    gw__query_init(&q);
    ck_assert_int_eq(set(&q, "flow_timeout", ok[i], why), 0);
    ck_assert_uint_eq(q.flow_timeout_us, want[i]);
  }
}
END_TEST

START_TEST(test_gw__query_set_bad_seconds_fail_with_reason)
{
  const char *bad[] = {"",    "0",   "0.0",       "-1",          "abc",
                       "1e3", "1,5", "1.1234567", "99999999999", " 1"};

  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct gw_query q;
    char why[RPC_MESSAGE_MAX] = "";

    gw__query_init(&q);
    ck_assert_msg(set(&q, "flow_timeout", bad[i], why) == -1, "'%s'", bad[i]);
    ck_assert_ptr_nonnull(strstr(why, "flow_timeout must be"));
  }
}
END_TEST

START_TEST(test_gw__query_set_output_and_profile_take_known_values)
{
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];

  gw__query_init(&q);
  ck_assert_int_eq(q.output, CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_ZIP);
  ck_assert_int_eq(set(&q, "output", "csv", why), 0);
  ck_assert_int_eq(q.output, CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_CSV);
  ck_assert_int_eq(set(&q, "profile", "cic", why), 0);
  ck_assert_int_eq(q.profile, CICFLOW__V1__PROFILE__PROFILE_CIC);
}
END_TEST

START_TEST(test_gw__query_set_unknown_values_fail)
{
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];

  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "output", "flows", why), -1);
  ck_assert_str_eq(why, "output must be zip or csv");
  ck_assert_int_eq(set(&q, "profile", "CIC", why), -1);
  ck_assert_str_eq(why, "profile must be cic or corrected");
  ck_assert_int_eq(set(&q, "columns", "unspecified", why), -1);
  ck_assert_str_eq(why, "columns must be cicflowmeter, cicids2017 or snake");
}
END_TEST

/* Each word is the proto enum value's name in lower case. */
START_TEST(test_gw__query_set_profile_and_columns_words)
{
  static const struct {
    const char *key, *word;
    int value;
  } cases[] = {
      {"profile", "cic", CICFLOW__V1__PROFILE__PROFILE_CIC},
      {"profile", "corrected", CICFLOW__V1__PROFILE__PROFILE_CORRECTED},
      {"columns", "cicflowmeter",
       CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_CICFLOWMETER},
      {"columns", "cicids2017",
       CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_CICIDS2017},
      {"columns", "snake", CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_SNAKE},
  };

  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct gw_query q;
    char why[RPC_MESSAGE_MAX];

    gw__query_init(&q);
    ck_assert_int_eq(set(&q, cases[i].key, cases[i].word, why), 0);
    ck_assert_int_eq(cases[i].key[0] == 'p' ? q.profile : q.columns,
                     cases[i].value);
  }
}
END_TEST

START_TEST(test_gw__query_set_bad_choice_words_fail)
{
  const char *bad[] = {"", "Snake", "snake ", "snak", "snakes", "column"};

  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct gw_query q;
    char why[RPC_MESSAGE_MAX];

    gw__query_init(&q);
    ck_assert_msg(set(&q, "columns", bad[i], why) == -1, "'%s'", bad[i]);
    ck_assert_ptr_nonnull(strstr(why, "columns must be"));
  }
}
END_TEST

START_TEST(test_gw__query_set_active_timeout_is_flow_timeout)
{
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];

  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "active_timeout", "7.5", why), 0);
  ck_assert_uint_eq(q.flow_timeout_us, 7500000);
  ck_assert_int_eq(set(&q, "flow_timeout", "7.5", why), -1);
  ck_assert_str_eq(why, "flow_timeout and active_timeout are the same "
                        "setting; give one of them");
  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "active_timeout", "0", why), -1);
  ck_assert_ptr_nonnull(strstr(why, "active_timeout must be a number"));
}
END_TEST

START_TEST(test_gw__query_set_idle_and_grace_seconds)
{
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];

  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "idle_timeout", "30", why), 0);
  ck_assert_uint_eq(q.idle_timeout_us, 30000000);
  ck_assert_int_eq(set(&q, "teardown_grace", "0.25", why), 0);
  ck_assert_uint_eq(q.teardown_grace_us, 250000);
  ck_assert_int_eq(set(&q, "idle_timeout", "31", why), -1);
  ck_assert_str_eq(why, "query parameter idle_timeout is given twice");
  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "teardown_grace", "-2", why), -1);
  ck_assert_ptr_nonnull(strstr(why, "teardown_grace must be a number"));
}
END_TEST

START_TEST(test_gw__query_set_min_packets)
{
  const char *bad[] = {"0",          "-1", "",   "1.5",
                       "4294967296", " 1", "+1", "99999999999999999999999",
                       "1e3"};
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];

  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "min_packets", "1", why), 0);
  ck_assert_uint_eq(q.min_packets, 1);
  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "min_packets", "4294967295", why), 0);
  ck_assert_uint_eq(q.min_packets, 4294967295u);
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    gw__query_init(&q);
    ck_assert_msg(set(&q, "min_packets", bad[i], why) == -1, "'%s'", bad[i]);
    ck_assert_str_eq(why,
                     "min_packets must be a whole number from 1 to 4294967295");
  }
}
END_TEST

START_TEST(test_gw__query_set_extra_columns_list)
{
  const char *bad[] = {",",     "foo",   "times,", ",rst",       "TIMES",
                       "rst,,", "icmp ", "alls",   "unspecified"};
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];

  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "extra_columns", "rst,end_reason,rst", why), 0);
  ck_assert_uint_eq(q.extras, 1u << 0 | 1u << 3);
  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "extra_columns", "times,icmp", why), 0);
  ck_assert_uint_eq(q.extras, 1u << 1 | 1u << 2);
  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "extra_columns", "", why), 0);
  ck_assert_uint_eq(q.extras, 0);
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    gw__query_init(&q);
    ck_assert_msg(set(&q, "extra_columns", bad[i], why) == -1, "'%s'", bad[i]);
    ck_assert_str_eq(why, "extra_columns must be a comma-separated list of "
                          "end_reason, times, icmp, rst or all");
  }
}
END_TEST

START_TEST(test_gw__query_check_corrected_only_options)
{
  const char *profiles[] = {NULL, "cic"};

  for (size_t i = 0; i < 2; i++) {
    struct gw_query q;
    char why[RPC_MESSAGE_MAX];

    gw__query_init(&q);
    if (profiles[i] != NULL) {
      ck_assert_int_eq(set(&q, "profile", profiles[i], why), 0);
    }
    ck_assert_int_eq(gw__query_check(&q, why, sizeof(why)), 0);
    ck_assert_int_eq(set(&q, "teardown_grace", "1", why), 0);
    ck_assert_int_eq(gw__query_check(&q, why, sizeof(why)), -1);
    ck_assert_str_eq(why, "teardown_grace needs profile=corrected; the cic "
                          "profile has no such rule");
    ck_assert_int_eq(set(&q, "idle_timeout", "1", why), 0);
    ck_assert_int_eq(gw__query_check(&q, why, sizeof(why)), -1);
    ck_assert_ptr_nonnull(strstr(why, "idle_timeout needs profile=corrected"));
  }
}
END_TEST

START_TEST(test_gw__query_check_accepts_corrected_options)
{
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];

  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "idle_timeout", "1", why), 0);
  ck_assert_int_eq(set(&q, "teardown_grace", "1", why), 0);
  ck_assert_int_eq(set(&q, "profile", "corrected", why), 0);
  ck_assert_int_eq(gw__query_check(&q, why, sizeof(why)), 0);
}
END_TEST

START_TEST(test_gw__query_set_repeated_parameter_fails)
{
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];

  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "label", "a", why), 0);
  ck_assert_int_eq(set(&q, "label", "b", why), -1);
  ck_assert_str_eq(why, "query parameter label is given twice");
}
END_TEST

START_TEST(test_gw__query_set_unknown_name_fails_naming_it)
{
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];

  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "flow_timout", "5", why), -1);
  ck_assert_str_eq(why, "unknown query parameter 'flow_timout'; the "
                        "parameters are profile, columns, flow_timeout, "
                        "active_timeout, activity_timeout, idle_timeout, "
                        "teardown_grace, min_packets, extra_columns, label, "
                        "time_zone and output");
}
END_TEST

START_TEST(test_gw__query_set_label_longer_than_127_bytes_fails)
{
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];
  char text[GW__TEXT_MAX + 1];

  memset(text, 'x', sizeof(text));
  text[GW__TEXT_MAX - 1] = '\0';
  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "label", text, why), 0);
  ck_assert_str_eq(q.label, text);
  text[GW__TEXT_MAX - 1] = 'x';
  text[GW__TEXT_MAX] = '\0';
  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "label", text, why), -1);
}
END_TEST

START_TEST(test_gw__query_set_text_with_nul_or_bad_utf8_fails)
{
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];

  gw__query_init(&q);
  ck_assert_int_eq(gw__query_set(&q, "label", 5, "a\0b", 3, why, sizeof(why)),
                   -1);
  ck_assert_int_eq(set(&q, "time_zone", "\xff", why), -1);
  ck_assert_str_eq(why, "time_zone must be UTF-8 text without NUL bytes");
  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "label", "caf\xc3\xa9", why), 0);
}
END_TEST

START_TEST(test_gw__text_utf8_rejects_overlong_and_surrogates)
{
  ck_assert_int_eq(gw__text_utf8("\xe2\x82\xac", 3), 1);
  ck_assert_int_eq(gw__text_utf8("\xf0\x9f\x98\x80", 4), 1);
  ck_assert_int_eq(gw__text_utf8("\xc0\x80", 2), 0);
  ck_assert_int_eq(gw__text_utf8("\xed\xa0\x80", 3), 0);
  ck_assert_int_eq(gw__text_utf8("\xe2\x82", 2), 0);
  ck_assert_int_eq(gw__text_utf8("\xf4\x90\x80\x80", 4), 0);
}
END_TEST

START_TEST(test_gw__options_msg_carries_query_and_safe_name)
{
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];
  struct rpc_msg *m;
  Cicflow__V1__ProcessPcapRequest *req;

  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "label", "benign", why), 0);
  ck_assert_int_eq(set(&q, "flow_timeout", "2.5", why), 0);
  ck_assert_int_eq(set(&q, "output", "csv", why), 0);
  m = gw__options_msg(&q, "dir/na\xffme.pcap");
  ck_assert_ptr_nonnull(m);
  req = cicflow__v1__process_pcap_request__unpack(NULL, m->len, m->data);
  ck_assert_ptr_nonnull(req);
  ck_assert_int_eq(req->payload_case,
                   CICFLOW__V1__PROCESS_PCAP_REQUEST__PAYLOAD_OPTIONS);
  ck_assert_str_eq(req->options->file_name, "dir/na_me.pcap");
  ck_assert_str_eq(req->options->label, "benign");
  ck_assert_uint_eq(req->options->flow_timeout_us, 2500000);
  ck_assert_uint_eq(req->options->activity_timeout_us, 0);
  ck_assert_int_eq(req->options->output,
                   CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_CSV);
  ck_assert_int_eq(req->options->columns,
                   CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_UNSPECIFIED);
  ck_assert_uint_eq(req->options->n_extra_columns, 0);
  ck_assert_uint_eq(req->options->min_packets, 0);
  cicflow__v1__process_pcap_request__free_unpacked(req, NULL);
  free(m);
}
END_TEST

START_TEST(test_gw__options_msg_carries_new_options)
{
  static const char *const params[][2] = {
      {"profile", "corrected"},      {"columns", "cicids2017"},
      {"active_timeout", "60"},      {"idle_timeout", "30"},
      {"teardown_grace", "0.5"},     {"min_packets", "3"},
      {"extra_columns", "rst,times"}};
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];
  struct rpc_msg *m;
  Cicflow__V1__ProcessPcapRequest *req;
  Cicflow__V1__ProcessOptions *o;

  gw__query_init(&q);
  for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
    ck_assert_int_eq(set(&q, params[i][0], params[i][1], why), 0);
  }
  m = gw__options_msg(&q, "a.pcap");
  ck_assert_ptr_nonnull(m);
  req = cicflow__v1__process_pcap_request__unpack(NULL, m->len, m->data);
  ck_assert_ptr_nonnull(req);
  o = req->options;
  ck_assert_int_eq(o->profile, CICFLOW__V1__PROFILE__PROFILE_CORRECTED);
  ck_assert_int_eq(o->columns,
                   CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_CICIDS2017);
  ck_assert_uint_eq(o->flow_timeout_us, 60000000);
  ck_assert_uint_eq(o->idle_timeout_us, 30000000);
  ck_assert_uint_eq(o->teardown_grace_us, 500000);
  ck_assert_uint_eq(o->min_packets, 3);
  /* In the enum's order, whatever the order asked. */
  ck_assert_uint_eq(o->n_extra_columns, 2);
  ck_assert_int_eq(o->extra_columns[0],
                   CICFLOW__V1__EXTRA_COLUMN__EXTRA_COLUMN_TIMES);
  ck_assert_int_eq(o->extra_columns[1],
                   CICFLOW__V1__EXTRA_COLUMN__EXTRA_COLUMN_RST);
  cicflow__v1__process_pcap_request__free_unpacked(req, NULL);
  free(m);
}
END_TEST

START_TEST(test_gw__options_msg_all_extra_columns)
{
  struct gw_query q;
  char why[RPC_MESSAGE_MAX];
  struct rpc_msg *m;
  Cicflow__V1__ProcessPcapRequest *req;

  gw__query_init(&q);
  ck_assert_int_eq(set(&q, "extra_columns", "all", why), 0);
  m = gw__options_msg(&q, "a.pcap");
  ck_assert_ptr_nonnull(m);
  req = cicflow__v1__process_pcap_request__unpack(NULL, m->len, m->data);
  ck_assert_ptr_nonnull(req);
  ck_assert_uint_eq(req->options->n_extra_columns, 4);
  for (size_t i = 0; i < 4; i++) {
    ck_assert_int_eq(req->options->extra_columns[i], (int)i + 1);
  }
  cicflow__v1__process_pcap_request__free_unpacked(req, NULL);
  free(m);
}
END_TEST

START_TEST(test_gw__chunk_msg_carries_bytes)
{
  static const char data[] = "\xd4\xc3\xb2\xa1 capture bytes";
  struct rpc_msg *m = gw__chunk_msg(data, sizeof(data));
  Cicflow__V1__ProcessPcapRequest *req;

  ck_assert_ptr_nonnull(m);
  req = cicflow__v1__process_pcap_request__unpack(NULL, m->len, m->data);
  ck_assert_ptr_nonnull(req);
  ck_assert_int_eq(req->payload_case,
                   CICFLOW__V1__PROCESS_PCAP_REQUEST__PAYLOAD_CHUNK);
  ck_assert_uint_eq(req->chunk.len, sizeof(data));
  ck_assert_mem_eq(req->chunk.data, data, sizeof(data));
  cicflow__v1__process_pcap_request__free_unpacked(req, NULL);
  free(m);
}
END_TEST

Suite *gw_query_suite(void)
{
  Suite *s = suite_create("query");
  TCase *tc = tcase_create("query");

  tcase_add_test(tc, test_gw__query_set_seconds_become_microseconds);
  tcase_add_test(tc, test_gw__query_set_fraction_forms_are_accepted);
  tcase_add_test(tc, test_gw__query_set_bad_seconds_fail_with_reason);
  tcase_add_test(tc, test_gw__query_set_output_and_profile_take_known_values);
  tcase_add_test(tc, test_gw__query_set_unknown_values_fail);
  tcase_add_test(tc, test_gw__query_set_profile_and_columns_words);
  tcase_add_test(tc, test_gw__query_set_bad_choice_words_fail);
  tcase_add_test(tc, test_gw__query_set_active_timeout_is_flow_timeout);
  tcase_add_test(tc, test_gw__query_set_idle_and_grace_seconds);
  tcase_add_test(tc, test_gw__query_set_min_packets);
  tcase_add_test(tc, test_gw__query_set_extra_columns_list);
  tcase_add_test(tc, test_gw__query_check_corrected_only_options);
  tcase_add_test(tc, test_gw__query_check_accepts_corrected_options);
  tcase_add_test(tc, test_gw__query_set_repeated_parameter_fails);
  tcase_add_test(tc, test_gw__query_set_unknown_name_fails_naming_it);
  tcase_add_test(tc, test_gw__query_set_label_longer_than_127_bytes_fails);
  tcase_add_test(tc, test_gw__query_set_text_with_nul_or_bad_utf8_fails);
  tcase_add_test(tc, test_gw__text_utf8_rejects_overlong_and_surrogates);
  tcase_add_test(tc, test_gw__options_msg_carries_query_and_safe_name);
  tcase_add_test(tc, test_gw__options_msg_carries_new_options);
  tcase_add_test(tc, test_gw__options_msg_all_extra_columns);
  tcase_add_test(tc, test_gw__chunk_msg_carries_bytes);
  suite_add_tcase(s, tc);
  return s;
}
