/* SPDX-License-Identifier: MIT */
/* The gateway's Check suites, one per source file. */
#ifndef TESTS_GATEWAY_SUITES_H
#define TESTS_GATEWAY_SUITES_H

#include <check.h>

Suite *gw_route_suite(void);
Suite *gw_query_suite(void);
Suite *gw_output_suite(void);
Suite *gw_reply_suite(void);

#endif /* TESTS_GATEWAY_SUITES_H */
