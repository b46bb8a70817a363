/* SPDX-License-Identifier: MIT */
/*
 * The flow options every file-converting subcommand accepts (--profile,
 * --columns, the timeouts, --min-packets, --extra-columns, --label,
 * --time-zone), parsed in one place so that 'convert' and 'process' take
 * the same words and refuse the same mistakes with the same messages.
 */
#ifndef CLI_METER_OPTIONS_H
#define CLI_METER_OPTIONS_H

#include <getopt.h>

#include "flowengine/meter.h"
#include "flowengine/row.h"

/* What the options choose: the engine's settings and the CSV's shape. */
struct cli_meter {
  struct fe_options opts;
  struct fe_layout layout;
};

enum {
  CLI_OPT_PROFILE = 1000,
  CLI_OPT_COLUMNS,
  CLI_OPT_FLOW_TIMEOUT,
  CLI_OPT_ACTIVE_TIMEOUT,
  CLI_OPT_ACTIVITY_TIMEOUT,
  CLI_OPT_IDLE_TIMEOUT,
  CLI_OPT_TEARDOWN_GRACE,
  CLI_OPT_MIN_PACKETS,
  CLI_OPT_EXTRA_COLUMNS,
  CLI_OPT_LABEL,
  CLI_OPT_TIME_ZONE
};

#define CLI_METER_LONG_OPTIONS                                                 \
  {"profile", required_argument, NULL, CLI_OPT_PROFILE},                       \
      {"columns", required_argument, NULL, CLI_OPT_COLUMNS},                   \
      {"flow-timeout", required_argument, NULL, CLI_OPT_FLOW_TIMEOUT},         \
      {"active-timeout", required_argument, NULL, CLI_OPT_ACTIVE_TIMEOUT},     \
      {"activity-timeout", required_argument, NULL, CLI_OPT_ACTIVITY_TIMEOUT}, \
      {"idle-timeout", required_argument, NULL, CLI_OPT_IDLE_TIMEOUT},         \
      {"teardown-grace", required_argument, NULL, CLI_OPT_TEARDOWN_GRACE},     \
      {"min-packets", required_argument, NULL, CLI_OPT_MIN_PACKETS},           \
      {"extra-columns", required_argument, NULL, CLI_OPT_EXTRA_COLUMNS},       \
      {"label", required_argument, NULL, CLI_OPT_LABEL},                       \
  {                                                                            \
    "time-zone", required_argument, NULL, CLI_OPT_TIME_ZONE                    \
  }

#define CLI_METER_OPTIONS_HELP                                                 \
  "  --profile NAME           feature definitions: cic (CICFlowMeter\n"        \
  "                           exactly, the default) or corrected\n"            \
  "  --columns NAME           CSV header: cicflowmeter (default),\n"           \
  "                           cicids2017 or snake\n"                           \
  "  --active-timeout SEC     a flow ends this long after its first\n"         \
  "                           packet (default 120); --flow-timeout is\n"       \
  "                           the same option\n"                               \
  "  --activity-timeout SEC   activity timeout in seconds (default 5)\n"       \
  "  --idle-timeout SEC       corrected only: a flow silent this long\n"       \
  "                           ends (default 120)\n"                            \
  "  --teardown-grace SEC     corrected only: a closed TCP flow still\n"       \
  "                           takes late packets this long (default 2)\n"      \
  "  --min-packets N          write only flows of at least N packets\n"        \
  "                           (default 2 for cic, 1 for corrected)\n"          \
  "  --extra-columns LIST     columns to append after Label, comma-\n"         \
  "                           separated: end_reason, times, icmp, rst,\n"      \
  "                           all\n"                                           \
  "  --label TEXT             Label column (default \"No Label\")\n"           \
  "  --time-zone TZ           Timestamp zone: UTC (default), +HH:MM or an\n"   \
  "                           IANA name such as Europe/Paris\n"

/* cli_meter_init: the defaults of the engine and of the CSV. */
void cli_meter_init(struct cli_meter *m);

/*
 * cli_meter_option: applies option opt with argument arg to m. Returns 1
 * if opt is one of these options, 0 if not, -1 (after a message on
 * stderr naming the option and what it takes) if its argument is bad.
 */
int cli_meter_option(int opt, const char *arg, struct cli_meter *m);

/*
 * cli_meter_check: once every option is read, whether they make sense
 * together and for the engine. Returns 0, or -1 after a message on
 * stderr that starts with cmd (e.g. "cicflow convert").
 */
int cli_meter_check(const struct cli_meter *m, const char *cmd);

/* cli_parse_seconds: "1.5" -> 1500000 µs; -1 if not a positive number. */
int cli_parse_seconds(const char *text, int64_t *us);

#endif /* CLI_METER_OPTIONS_H */
