/* SPDX-License-Identifier: MIT */
#include "meter_options.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_PACKETS_MAX UINT64_C(4294967295)

void cli_meter_init(struct cli_meter *m)
{
  fe_options_init(&m->opts);
  m->layout.dialect = FE_DIALECT_CICFLOWMETER;
  m->layout.extras = 0;
}

int cli_parse_seconds(const char *text, int64_t *us)
{
  char *end = NULL;
  double sec = strtod(text, &end);

  if (end == text || *end != '\0' || !isfinite(sec) || sec <= 0 ||
      sec > 3.0e8) {
    return -1;
  }
  *us = (int64_t)llround(sec * 1e6);
  return *us > 0 ? 0 : -1;
}

/* Digits only: strtoull alone would take " 5", "+5" and "-5". */
static int parse_count(const char *text, uint64_t *n)
{
  char *end = NULL;
  unsigned long long v;

  if (text[0] < '0' || text[0] > '9') {
    return -1;
  }
  errno = 0;
  v = strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0' || v < 1 || v > MIN_PACKETS_MAX) {
    return -1;
  }
  *n = v;
  return 0;
}

static int take_profile(const char *arg, struct cli_meter *m)
{
  if (strcmp(arg, "cic") == 0) {
    m->opts.profile = FE_PROFILE_CIC;
  } else if (strcmp(arg, "corrected") == 0) {
    m->opts.profile = FE_PROFILE_CORRECTED;
  } else {
    fprintf(stderr,
            "cicflow: --profile '%s' is not a profile (use cic or "
            "corrected)\n",
            arg);
    return -1;
  }
  return 1;
}

static int take_columns(const char *arg, struct cli_meter *m)
{
  int d = fe_dialect_parse(arg);

  if (d < 0) {
    fprintf(stderr,
            "cicflow: --columns '%s' is not a column dialect (use "
            "cicflowmeter, cicids2017 or snake)\n",
            arg);
    return -1;
  }
  m->layout.dialect = (enum fe_dialect)d;
  return 1;
}

static int take_extras(const char *arg, struct cli_meter *m)
{
  int bits = fe_extras_parse(arg);

  if (bits < 0) {
    fprintf(stderr,
            "cicflow: --extra-columns '%s' is not a list of extra "
            "columns (use end_reason, times, icmp, rst or all, "
            "comma-separated)\n",
            arg);
    return -1;
  }
  m->layout.extras = (unsigned)bits;
  return 1;
}

static int take_min_packets(const char *arg, struct cli_meter *m)
{
  if (parse_count(arg, &m->opts.min_packets) != 0) {
    fprintf(stderr,
            "cicflow: --min-packets '%s' is not a whole number "
            "from 1 to 4294967295\n",
            arg);
    return -1;
  }
  return 1;
}

static int take_seconds(int opt, const char *arg, struct cli_meter *m)
{
  struct {
    int opt;
    const char *name;
    int64_t *us;
  } const table[] = {
      {CLI_OPT_FLOW_TIMEOUT, "--flow-timeout", &m->opts.flow_timeout_us},
      {CLI_OPT_ACTIVE_TIMEOUT, "--active-timeout", &m->opts.flow_timeout_us},
      {CLI_OPT_ACTIVITY_TIMEOUT, "--activity-timeout",
       &m->opts.activity_timeout_us},
      {CLI_OPT_IDLE_TIMEOUT, "--idle-timeout", &m->opts.idle_timeout_us},
      {CLI_OPT_TEARDOWN_GRACE, "--teardown-grace", &m->opts.teardown_grace_us},
  };

  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
    if (table[i].opt != opt) {
      continue;
    }
    if (cli_parse_seconds(arg, table[i].us) != 0) {
      fprintf(stderr, "cicflow: %s '%s' is not a number of seconds > 0\n",
              table[i].name, arg);
      return -1;
    }
    return 1;
  }
  return 0;
}

int cli_meter_option(int opt, const char *arg, struct cli_meter *m)
{
  switch (opt) {
  case CLI_OPT_PROFILE:
    return take_profile(arg, m);
  case CLI_OPT_COLUMNS:
    return take_columns(arg, m);
  case CLI_OPT_EXTRA_COLUMNS:
    return take_extras(arg, m);
  case CLI_OPT_MIN_PACKETS:
    return take_min_packets(arg, m);
  case CLI_OPT_LABEL:
    m->opts.label = arg;
    return 1;
  case CLI_OPT_TIME_ZONE:
    m->opts.time_zone = arg;
    return 1;
  default:
    return take_seconds(opt, arg, m);
  }
}

int cli_meter_check(const struct cli_meter *m, const char *cmd)
{
  const char *option = m->opts.idle_timeout_us != 0     ? "--idle-timeout"
                       : m->opts.teardown_grace_us != 0 ? "--teardown-grace"
                                                        : NULL;
  char why[160];

  /* The cic profile has neither rule; accepting one would mislead. */
  if (option != NULL && m->opts.profile != FE_PROFILE_CORRECTED) {
    fprintf(stderr,
            "%s: %s needs --profile corrected; the cic profile has no "
            "such rule\n",
            cmd, option);
    return -1;
  }
  if (fe_options_check(&m->opts, why, sizeof(why)) != 0) {
    fprintf(stderr, "%s: %s\n", cmd, why);
    return -1;
  }
  return 0;
}
