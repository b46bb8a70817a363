/* SPDX-License-Identifier: MIT */
/*
 * What a subcommand says about each input on standard error: a summary
 * line for people and a key=value stats line for scripts. Both list every
 * reason a packet was ignored and every count of flows not written, so
 * that a user who gets few rows learns why.
 */
#ifndef CLI_SUMMARY_H
#define CLI_SUMMARY_H

#include "flowengine/meter.h"

/*
 * cli_print_summary: "NAME: N packets read, N used, N ignored (reason N,
 * ...), N out of order; N flows written to DEST, N dropped ...".
 */
void cli_print_summary(const char *name, const struct fe_counters *c,
                       const char *dest);

/* cli_print_stats: "stats input=NAME packets_read=N ..." in one line. */
void cli_print_stats(const char *name, const struct fe_counters *c,
                     double seconds);

#endif /* CLI_SUMMARY_H */
