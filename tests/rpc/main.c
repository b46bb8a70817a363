/* SPDX-License-Identifier: MIT */
/*
 * Runner of the rpc module's unit tests: one Check suite per source file,
 * in Check's fork mode so that each test runs in its own process (set
 * CK_FORK=no to debug one under gdb). The end-to-end tests of the server
 * are the Python and Node scripts beside this file.
 */
#include <check.h>
#include <stdlib.h>

Suite *rpc_reflection_suite(void);

int main(void)
{
  SRunner *sr = srunner_create(rpc_reflection_suite());
  int failed;

  srunner_run_all(sr, CK_ENV);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
