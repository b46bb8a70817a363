/* SPDX-License-Identifier: MIT */
/* Runs the gateway's unit suites: one per source file with pure logic. */
#include <stdlib.h>

#include <check.h>

#include "suites.h"

int main(void)
{
  SRunner *sr = srunner_create(gw_route_suite());
  int failed;

  srunner_add_suite(sr, gw_query_suite());
  srunner_add_suite(sr, gw_output_suite());
  srunner_add_suite(sr, gw_reply_suite());
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
