/* SPDX-License-Identifier: MIT */
/*
 * cicflow convert: capture files in, OUTDIR/<name>_Flow.csv out, the way
 * CICFlowMeter names its output. Each CSV is written under a temporary
 * name and renamed when complete, so a reader never sees half a file; a
 * capture damaged part-way still gets its rows up to the damage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowengine/capture.h"
#include "flowengine/meter.h"
#include "flowengine/pump.h"

#include "rpc/clock.h"

#include "cli.h"
#include "meter_options.h"
#include "output.h"
#include "progress.h"
#include "summary.h"

struct convert_args {
  struct cli_meter meter;
  const char *outdir; /* "-" for standard output */
  int quiet;
  int stats; /* print counters as key=value for scripts */
};

struct csv_sink {
  FILE *out;
  const struct fe_layout *layout;
  char line[FE_ROW_CSV_MAX];
};

static void convert_usage(FILE *out)
{
  fprintf(out,
          "usage: cicflow convert [OPTIONS] INPUT...\n"
          "Writes OUTDIR/<input name>_Flow.csv for each capture (pcap or\n"
          "pcapng, whatever its name). INPUT '-' reads standard input.\n\n"
          "  -o, --output DIR         output directory (default .); '-'\n"
          "                           writes the CSV of one input to stdout\n"
          "  -q, --quiet              no summary line on standard error\n"
          "      --stats              print counters as key=value lines\n"
          "%s"
          "\nexit status: 0 done, 2 bad usage, 3 an input is not a capture,\n"
          "4 a capture is damaged (rows before the damage were written),\n"
          "1 other failures\n",
          CLI_METER_OPTIONS_HELP);
}

static int write_row(void *ctx, const struct fe_row *row)
{
  struct csv_sink *sink = ctx;
  size_t len = fe_row_format_layout(row, sink->layout, sink->line);

  return fwrite(sink->line, 1, len, sink->out) == len ? 0 : 1;
}

/* Runs one capture into sink; returns a cli_exit code. */
static int meter_capture(const struct convert_args *a, const char *name,
                         struct fe_capture *cap, struct csv_sink *sink,
                         const char *dest)
{
  struct fe_meter *m = NULL;
  struct cli_progress progress;
  char err[FE_CAPTURE_ERR_MAX];
  int rc = fe_meter_new(&a->meter.opts, write_row, sink, &m);

  if (rc != 0) {
    fprintf(stderr, "cicflow: %s: cannot start: %s\n", name, fe_strerror(rc));
    return CLI_EXIT_USAGE;
  }
  fe_layout_header(sink->layout, sink->line);
  fputs(sink->line, sink->out);
  fputc('\n', sink->out);
  cli_progress_init(&progress, name);
  rc = fe_pump_run(cap, m, cli_progress_update, &progress, err);
  cli_progress_done(&progress);
  if (rc == FE_ERR_DAMAGED) {
    fprintf(stderr, "cicflow: %s: warning: %s\n", name, err);
  } else if (rc != 0) {
    fprintf(stderr, "cicflow: %s: %s\n", name, fe_strerror(rc));
  }
  if (!a->quiet) {
    cli_print_summary(name, fe_meter_counters(m), dest);
  }
  if (a->stats) {
    cli_print_stats(name, fe_meter_counters(m),
                    rpc_clock_seconds() - progress.started);
  }
  fe_meter_free(m);
  if (rc == FE_ERR_DAMAGED) {
    return CLI_EXIT_DAMAGED;
  }
  return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static int open_capture(const char *path, struct fe_capture **cap)
{
  char err[FE_CAPTURE_ERR_MAX];
  FILE *in = cli_open_input(path);

  if (in == NULL) {
    return CLI_EXIT_NOT_CAPTURE;
  }
  if (fe_capture_open(in, cap, err) != 0) {
    fprintf(stderr, "cicflow: %s: %s\n", path, err);
    return CLI_EXIT_NOT_CAPTURE;
  }
  return CLI_EXIT_OK;
}

static int convert_one(const struct convert_args *a, const char *path)
{
  struct fe_capture *cap = NULL;
  struct cli_output *out = malloc(sizeof(*out));
  struct csv_sink sink;
  int status = out != NULL ? open_capture(path, &cap) : CLI_EXIT_FAILURE;

  if (status != CLI_EXIT_OK) {
    free(out);
    return status;
  }
  if (cli_output_open(out, a->outdir, path) != 0) {
    fe_capture_close(cap);
    free(out);
    return CLI_EXIT_FAILURE;
  }
  sink.out = out->fp;
  sink.layout = &a->meter.layout;
  status = meter_capture(a, path, cap, &sink, out->dest);
  if (cli_output_close(out, status != CLI_EXIT_FAILURE) != 0) {
    status = CLI_EXIT_FAILURE;
  }
  fe_capture_close(cap);
  free(out);
  return status;
}

static int parse_args(int argc, char **argv, struct convert_args *a)
{
  static const struct option longopts[] = {
      {"output", required_argument, NULL, 'o'},
      {"quiet", no_argument, NULL, 'q'},
      {"stats", no_argument, NULL, 'S'},
      {"help", no_argument, NULL, 'h'},
      CLI_METER_LONG_OPTIONS,
      {NULL, 0, NULL, 0}};
  int opt;

  cli_meter_init(&a->meter);
  a->outdir = ".";
  a->quiet = 0;
  a->stats = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
    int known = cli_meter_option(opt, optarg, &a->meter);

    if (known < 0) {
      return CLI_EXIT_USAGE;
    }
    if (known == 1) {
      continue;
    }
    if (opt == 'o') {
      a->outdir = optarg;
    } else if (opt == 'q') {
      a->quiet = 1;
    } else if (opt == 'S') {
      a->stats = 1;
    } else if (opt == 'h') {
      convert_usage(stdout);
      return -1;
    } else {
      convert_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  return CLI_EXIT_OK;
}

int cli_convert_main(int argc, char **argv)
{
  struct convert_args a;
  int status = parse_args(argc, argv, &a);
  int inputs = argc - optind;

  if (status != CLI_EXIT_OK) {
    return status < 0 ? CLI_EXIT_OK : status;
  }
  if (inputs < 1 || (strcmp(a.outdir, "-") == 0 && inputs != 1)) {
    fprintf(stderr, inputs < 1 ? "cicflow convert: no input given\n"
                               : "cicflow convert: -o - takes one input\n");
    return CLI_EXIT_USAGE;
  }
  if (cli_meter_check(&a.meter, "cicflow convert") != 0) {
    return CLI_EXIT_USAGE;
  }
  if (strcmp(a.outdir, "-") != 0 && cli_make_dirs(a.outdir) != 0) {
    fprintf(stderr, "cicflow: cannot create %s: %s\n", a.outdir,
            strerror(errno));
    return CLI_EXIT_FAILURE;
  }
  for (int i = optind; i < argc; i++) {
    status = cli_worse_exit(status, convert_one(&a, argv[i]));
  }
  return status;
}
