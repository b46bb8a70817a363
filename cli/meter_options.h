/* SPDX-License-Identifier: MIT */
/*
 * The flow options every subcommand accepts (--profile, --flow-timeout,
 * --activity-timeout, --label, --time-zone), parsed in one place.
 */
#ifndef CLI_METER_OPTIONS_H
#define CLI_METER_OPTIONS_H

#include <getopt.h>

#include "flowengine/meter.h"

enum {
  CLI_OPT_PROFILE = 1000,
  CLI_OPT_FLOW_TIMEOUT,
  CLI_OPT_ACTIVITY_TIMEOUT,
  CLI_OPT_LABEL,
  CLI_OPT_TIME_ZONE
};

#define CLI_METER_LONG_OPTIONS                                                 \
  {"profile", required_argument, NULL, CLI_OPT_PROFILE},                       \
      {"flow-timeout", required_argument, NULL, CLI_OPT_FLOW_TIMEOUT},         \
      {"activity-timeout", required_argument, NULL, CLI_OPT_ACTIVITY_TIMEOUT}, \
      {"label", required_argument, NULL, CLI_OPT_LABEL},                       \
  {                                                                            \
    "time-zone", required_argument, NULL, CLI_OPT_TIME_ZONE                    \
  }

#define CLI_METER_OPTIONS_HELP                                                 \
  "  --profile NAME           feature profile: cic (default)\n"                \
  "  --flow-timeout SEC       flow timeout in seconds (default 120)\n"         \
  "  --activity-timeout SEC   activity timeout in seconds (default 5)\n"       \
  "  --label TEXT             Label column (default \"No Label\")\n"           \
  "  --time-zone TZ           Timestamp zone: UTC (default), +HH:MM or an\n"   \
  "                           IANA name such as Europe/Paris\n"

/*
 * cli_meter_option: applies option opt with argument arg to o. Returns 1
 * if opt is one of these options, 0 if not, -1 (after a message on
 * stderr) if its argument is invalid.
 */
int cli_meter_option(int opt, const char *arg, struct fe_options *o);

/* cli_parse_seconds: "1.5" -> 1500000 µs; -1 if not a positive number. */
int cli_parse_seconds(const char *text, int64_t *us);

#endif /* CLI_METER_OPTIONS_H */
