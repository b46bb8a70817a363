/* SPDX-License-Identifier: MIT */
/* gw__route_match: exact paths, methods, and the Allow header's text. */
#include <check.h>

#include "gw_int.h"
#include "suites.h"

START_TEST(test_gw__route_match_post_process_returns_route)
{
  enum gw_route route = GW_ROUTE_DOCS;
  const char *allow = NULL;

  ck_assert_uint_eq(gw__route_match("/process", "POST", &route, &allow), 0);
  ck_assert_int_eq(route, GW_ROUTE_PROCESS);
}
END_TEST

START_TEST(test_gw__route_match_get_process_returns_405_allow_post)
{
  enum gw_route route;
  const char *allow = NULL;

  ck_assert_uint_eq(gw__route_match("/process", "GET", &route, &allow), 405);
  ck_assert_str_eq(allow, "POST");
}
END_TEST

START_TEST(test_gw__route_match_get_and_head_pages_return_routes)
{
  enum gw_route route;
  const char *allow = NULL;

  ck_assert_uint_eq(gw__route_match("/docs", "GET", &route, &allow), 0);
  ck_assert_int_eq(route, GW_ROUTE_DOCS);
  ck_assert_uint_eq(gw__route_match("/openapi.json", "HEAD", &route, &allow),
                    0);
  ck_assert_int_eq(route, GW_ROUTE_OPENAPI);
  ck_assert_uint_eq(gw__route_match("/healthz", "GET", &route, &allow), 0);
  ck_assert_int_eq(route, GW_ROUTE_HEALTHZ);
}
END_TEST

START_TEST(test_gw__route_match_post_page_returns_405_allow_get_head)
{
  enum gw_route route;
  const char *allow = NULL;

  ck_assert_uint_eq(gw__route_match("/healthz", "POST", &route, &allow), 405);
  ck_assert_str_eq(allow, "GET, HEAD");
}
END_TEST

START_TEST(test_gw__route_match_unknown_or_near_path_returns_404)
{
  enum gw_route route;
  const char *allow = NULL;

  ck_assert_uint_eq(gw__route_match("/", "GET", &route, &allow), 404);
  ck_assert_uint_eq(gw__route_match("/process/", "POST", &route, &allow), 404);
  ck_assert_uint_eq(gw__route_match("/DOCS", "GET", &route, &allow), 404);
}
END_TEST

Suite *gw_route_suite(void)
{
  Suite *s = suite_create("route");
  TCase *tc = tcase_create("route");

  tcase_add_test(tc, test_gw__route_match_post_process_returns_route);
  tcase_add_test(tc, test_gw__route_match_get_process_returns_405_allow_post);
  tcase_add_test(tc, test_gw__route_match_get_and_head_pages_return_routes);
  tcase_add_test(tc, test_gw__route_match_post_page_returns_405_allow_get_head);
  tcase_add_test(tc, test_gw__route_match_unknown_or_near_path_returns_404);
  suite_add_tcase(s, tc);
  return s;
}
