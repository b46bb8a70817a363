/* SPDX-License-Identifier: MIT */
/*
 * What goes out: the HTTP status for each gRPC status, and text made safe
 * for JSON strings and header values.
 */
#include <string.h>

#include <check.h>

#include "gw_int.h"
#include "suites.h"

START_TEST(test_gw__http_status_maps_every_code)
{
  ck_assert_uint_eq(gw__http_status(RPC_OK, ""), 200);
  ck_assert_uint_eq(gw__http_status(RPC_CANCELLED, ""), 499);
  ck_assert_uint_eq(gw__http_status(RPC_UNKNOWN, ""), 500);
  ck_assert_uint_eq(gw__http_status(RPC_DEADLINE_EXCEEDED, ""), 504);
  ck_assert_uint_eq(gw__http_status(RPC_NOT_FOUND, ""), 404);
  ck_assert_uint_eq(gw__http_status(RPC_RESOURCE_EXHAUSTED, ""), 413);
  ck_assert_uint_eq(gw__http_status(RPC_UNIMPLEMENTED, ""), 501);
  ck_assert_uint_eq(gw__http_status(RPC_INTERNAL, ""), 500);
  ck_assert_uint_eq(gw__http_status(RPC_UNAVAILABLE, ""), 503);
}
END_TEST

START_TEST(test_gw__http_status_invalid_options_400_bad_capture_422)
{
  ck_assert_uint_eq(gw__http_status(RPC_INVALID_ARGUMENT,
                                    "invalid options: unknown time zone"),
                    400);
  ck_assert_uint_eq(gw__http_status(RPC_INVALID_ARGUMENT,
                                    "not a capture: first bytes are 00 01"),
                    422);
}
END_TEST

START_TEST(test_gw__json_escape_escapes_quotes_controls_and_high_bytes)
{
  char out[64];

  gw__json_escape("a\"b\\c\nd\x01\x7f\xc3\xa9", out, sizeof(out));
  ck_assert_str_eq(out, "a\\\"b\\\\c\\u000ad\\u0001\\u007f??");
}
END_TEST

START_TEST(test_gw__json_escape_never_cuts_an_escape)
{
  char out[8];

  gw__json_escape("abcde\n", out, sizeof(out));
  ck_assert_str_eq(out, "abcde");
  gw__json_escape("abcd\"", out, sizeof(out));
  ck_assert_str_eq(out, "abcd\\\"");
}
END_TEST

START_TEST(test_gw__header_text_keeps_printable_ascii_only)
{
  char out[32];

  gw__header_text("bad\r\nX-Evil: 1\t\xc3", out, sizeof(out));
  ck_assert_str_eq(out, "bad??X-Evil: 1??");
  gw__header_text("0123456789", out, 5);
  ck_assert_str_eq(out, "0123");
}
END_TEST

START_TEST(test_gw__quoted_name_escapes_quote_and_backslash)
{
  char out[32];

  gw__quoted_name("a\"b\\c\r.zip", out, sizeof(out));
  ck_assert_str_eq(out, "\"a\\\"b\\\\c_.zip\"");
  gw__quoted_name("abcdefghij", out, 6);
  ck_assert_str_eq(out, "\"abc\"");
}
END_TEST

Suite *gw_reply_suite(void)
{
  Suite *s = suite_create("reply");
  TCase *tc = tcase_create("reply");

  tcase_add_test(tc, test_gw__http_status_maps_every_code);
  tcase_add_test(tc, test_gw__http_status_invalid_options_400_bad_capture_422);
  tcase_add_test(tc,
                 test_gw__json_escape_escapes_quotes_controls_and_high_bytes);
  tcase_add_test(tc, test_gw__json_escape_never_cuts_an_escape);
  tcase_add_test(tc, test_gw__header_text_keeps_printable_ascii_only);
  tcase_add_test(tc, test_gw__quoted_name_escapes_quote_and_backslash);
  suite_add_tcase(s, tc);
  return s;
}
