/* SPDX-License-Identifier: MIT */
#include "meter_options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int cli_meter_option(int opt, const char *arg, struct fe_options *o)
{
  switch (opt) {
  case CLI_OPT_PROFILE:
    if (strcmp(arg, "cic") != 0) {
      fprintf(stderr, "cicflow: unknown profile '%s' (known: cic)\n", arg);
      return -1;
    }
    o->profile = FE_PROFILE_CIC;
    return 1;
  case CLI_OPT_FLOW_TIMEOUT:
  case CLI_OPT_ACTIVITY_TIMEOUT:
    if (cli_parse_seconds(arg, opt == CLI_OPT_FLOW_TIMEOUT
                                   ? &o->flow_timeout_us
                                   : &o->activity_timeout_us) != 0) {
      fprintf(stderr, "cicflow: timeout '%s' is not a number of seconds > 0\n",
              arg);
      return -1;
    }
    return 1;
  case CLI_OPT_LABEL:
    o->label = arg;
    return 1;
  case CLI_OPT_TIME_ZONE:
    o->time_zone = arg;
    return 1;
  default:
    return 0;
  }
}
