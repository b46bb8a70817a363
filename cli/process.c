/* SPDX-License-Identifier: MIT */
/*
 * cicflow process: 'cicflow convert', done by a server. Each input is
 * uploaded through FlowMeter/ProcessPcap with CSV output and written where
 * and as convert would write it, so pipelines can switch between the two.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpc/grpc_client.h"

#include "cli.h"
#include "meter_options.h"
#include "output.h"
#include "progress.h"
#include "summary.h"

#define DEFAULT_CHUNK_BYTES (256 * 1024)
#define MAX_CHUNK_BYTES (1024 * 1024)
#define EXTRA_COLUMN_KINDS 4 /* ExtraColumn values but UNSPECIFIED */

struct process_args {
  struct cli_meter meter;
  const char *server;
  const char *outdir;
  size_t chunk_bytes;
  int quiet;
};

struct download {
  FILE *out;
  struct cli_progress progress;
  int write_failed;
  int warned;
  const char *name;
  const char *dest;
  int quiet;
};

static void process_usage(FILE *out)
{
  fprintf(out,
          "usage: cicflow process --server HOST:PORT [OPTIONS] INPUT...\n"
          "Uploads each capture to a 'cicflow serve' and writes\n"
          "OUTDIR/<input name>_Flow.csv, as 'cicflow convert' would.\n\n"
          "  -s, --server HOST:PORT   the gRPC address of the service\n"
          "  -o, --output DIR         output directory (default .); '-'\n"
          "                           writes the CSV of one input to stdout\n"
          "      --chunk-size BYTES   upload chunk size (default 262144,\n"
          "                           at most 1048576)\n"
          "  -q, --quiet              no summary line on standard error\n"
          "%s"
          "\nexit status as for 'cicflow convert'; 1 also when the server\n"
          "cannot be reached\n",
          CLI_METER_OPTIONS_HELP);
}

/* The server's Summary as the counters 'convert' reports. */
static void summary_counters(const Cicflow__V1__Summary *s,
                             struct fe_counters *c)
{
  static const Cicflow__V1__IgnoredPackets none =
      CICFLOW__V1__IGNORED_PACKETS__INIT;
  const Cicflow__V1__IgnoredPackets *ig =
      s->packets_ignored != NULL ? s->packets_ignored : &none;

  memset(c, 0, sizeof(*c));
  c->packets_read = s->packets_read;
  c->packets_used = s->packets_used;
  c->packets_ignored[FE_IGNORE_NO_IPV4] = ig->no_ipv4;
  c->packets_ignored[FE_IGNORE_MALFORMED] = ig->malformed;
  c->packets_ignored[FE_IGNORE_LINK_TYPE] = ig->link_type;
  c->packets_ignored[FE_IGNORE_NOT_IP] = ig->not_ip;
  c->packets_ignored[FE_IGNORE_FRAGMENT] = ig->fragment;
  c->packets_ignored[FE_IGNORE_TRUNCATED] = ig->truncated;
  c->packets_out_of_order = s->packets_out_of_order;
  c->flows_written = s->flows_written;
  c->flows_dropped_single = s->flows_dropped_single;
  c->packets_in_dropped = s->packets_in_dropped_flows;
}

static void print_summary(const struct download *d,
                          const Cicflow__V1__Summary *s)
{
  struct fe_counters c;
  char dest[CLI_PATH_BYTES + 32];

  for (size_t i = 0; i < s->n_warnings; i++) {
    fprintf(stderr, "cicflow: %s: warning: %s\n", d->name, s->warnings[i]);
  }
  if (d->quiet) {
    return;
  }
  summary_counters(s, &c);
  snprintf(dest, sizeof(dest), "%s by the server", d->dest);
  cli_print_summary(d->name, &c, dest);
}

static int on_response(void *ctx, const Cicflow__V1__ProcessPcapResponse *r)
{
  struct download *d = ctx;
  struct fe_counters c;

  switch (r->payload_case) {
  case CICFLOW__V1__PROCESS_PCAP_RESPONSE__PAYLOAD_OUTPUT_CHUNK:
    if (fwrite(r->output_chunk.data, 1, r->output_chunk.len, d->out) !=
        r->output_chunk.len) {
      d->write_failed = 1;
      return 1;
    }
    return 0;
  case CICFLOW__V1__PROCESS_PCAP_RESPONSE__PAYLOAD_PROGRESS:
    memset(&c, 0, sizeof(c));
    c.packets_read = r->progress->packets_read;
    c.flows_written = r->progress->flows_written;
    return cli_progress_update(&d->progress, r->progress->bytes_read, &c);
  case CICFLOW__V1__PROCESS_PCAP_RESPONSE__PAYLOAD_SUMMARY:
    cli_progress_done(&d->progress);
    d->warned = r->summary->n_warnings > 0;
    print_summary(d, r->summary);
    return 0;
  default:
    return 0;
  }
}

/* The proto's enums count from 1, after their UNSPECIFIED zero. */
static void fill_layout(const struct fe_layout *l,
                        Cicflow__V1__ProcessOptions *o,
                        Cicflow__V1__ExtraColumn *extras)
{
  static const struct {
    unsigned bit;
    Cicflow__V1__ExtraColumn value;
  } map[] = {
      {FE_EXTRA_END_REASON, CICFLOW__V1__EXTRA_COLUMN__EXTRA_COLUMN_END_REASON},
      {FE_EXTRA_TIMES, CICFLOW__V1__EXTRA_COLUMN__EXTRA_COLUMN_TIMES},
      {FE_EXTRA_ICMP, CICFLOW__V1__EXTRA_COLUMN__EXTRA_COLUMN_ICMP},
      {FE_EXTRA_RST, CICFLOW__V1__EXTRA_COLUMN__EXTRA_COLUMN_RST},
  };
  _Static_assert(sizeof(map) / sizeof(map[0]) == EXTRA_COLUMN_KINDS,
                 "one ExtraColumn per FE_EXTRA_ bit");

  switch (l->dialect) {
  case FE_DIALECT_CICIDS2017:
    o->columns = CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_CICIDS2017;
    break;
  case FE_DIALECT_SNAKE:
    o->columns = CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_SNAKE;
    break;
  default:
    o->columns = CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_CICFLOWMETER;
    break;
  }
  o->n_extra_columns = 0;
  o->extra_columns = extras;
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
    if (l->extras & map[i].bit) {
      extras[o->n_extra_columns++] = map[i].value;
    }
  }
}

/* extras: room for every ExtraColumn, referenced by o. */
static void fill_options(const struct process_args *a, const char *path,
                         Cicflow__V1__ProcessOptions *o,
                         Cicflow__V1__ExtraColumn *extras)
{
  const struct fe_options *f = &a->meter.opts;

  cicflow__v1__process_options__init(o);
  o->file_name = (char *)cli_input_name(path);
  o->profile = f->profile == FE_PROFILE_CORRECTED
                   ? CICFLOW__V1__PROFILE__PROFILE_CORRECTED
                   : CICFLOW__V1__PROFILE__PROFILE_CIC;
  o->flow_timeout_us = (uint64_t)f->flow_timeout_us;
  o->activity_timeout_us = (uint64_t)f->activity_timeout_us;
  /* 0 asks for the server's default, as leaving the option out does. */
  o->idle_timeout_us = (uint64_t)f->idle_timeout_us;
  o->teardown_grace_us = (uint64_t)f->teardown_grace_us;
  o->min_packets = f->min_packets;
  o->label = (char *)f->label;
  o->time_zone = (char *)f->time_zone;
  o->output = CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_CSV;
  fill_layout(&a->meter.layout, o, extras);
}

/* The server's status as the exit codes of 'cicflow convert'. */
static int exit_status(enum rpc_code code, const struct download *d)
{
  switch (code) {
  case RPC_OK:
    return d->warned ? CLI_EXIT_DAMAGED : CLI_EXIT_OK;
  case RPC_INVALID_ARGUMENT:
    return CLI_EXIT_NOT_CAPTURE;
  default:
    return CLI_EXIT_FAILURE;
  }
}

static int process_one(const struct process_args *a,
                       struct rpc_grpc_client *client, const char *path)
{
  Cicflow__V1__ProcessOptions opts;
  Cicflow__V1__ExtraColumn extras[EXTRA_COLUMN_KINDS];
  struct cli_output *out = malloc(sizeof(*out));
  struct download d;
  char message[RPC_MESSAGE_MAX];
  enum rpc_code code;
  FILE *in = out != NULL ? cli_open_input(path) : NULL;
  int status;

  if (in == NULL || cli_output_open(out, a->outdir, path) != 0) {
    free(out);
    if (in != NULL) {
      fclose(in);
    }
    return in == NULL ? CLI_EXIT_NOT_CAPTURE : CLI_EXIT_FAILURE;
  }
  memset(&d, 0, sizeof(d));
  d.out = out->fp;
  d.name = path;
  d.dest = out->dest;
  d.quiet = a->quiet;
  cli_progress_init(&d.progress, path);
  fill_options(a, path, &opts, extras);
  code = rpc_grpc_client_process(client, &opts, in, a->chunk_bytes, on_response,
                                 &d, message);
  cli_progress_done(&d.progress);
  fclose(in);
  if (code != RPC_OK) {
    fprintf(stderr, "cicflow: %s: %s: %s\n", path, rpc_code_name(code),
            message);
  }
  status = d.write_failed ? CLI_EXIT_FAILURE : exit_status(code, &d);
  if (cli_output_close(out, code == RPC_OK && !d.write_failed) != 0) {
    status = CLI_EXIT_FAILURE;
  }
  free(out);
  return status;
}

static int parse_args(int argc, char **argv, struct process_args *a)
{
  static const struct option longopts[] = {
      {"server", required_argument, NULL, 's'},
      {"output", required_argument, NULL, 'o'},
      {"chunk-size", required_argument, NULL, 'c'},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      CLI_METER_LONG_OPTIONS,
      {NULL, 0, NULL, 0}};
  int opt;

  cli_meter_init(&a->meter);
  a->server = NULL;
  a->outdir = ".";
  a->chunk_bytes = DEFAULT_CHUNK_BYTES;
  a->quiet = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "s:o:qh", longopts, NULL)) != -1) {
    int known = cli_meter_option(opt, optarg, &a->meter);
    long n;

    if (known != 0) {
      if (known < 0) {
        return CLI_EXIT_USAGE;
      }
      continue;
    }
    switch (opt) {
    case 's':
      a->server = optarg;
      break;
    case 'o':
      a->outdir = optarg;
      break;
    case 'q':
      a->quiet = 1;
      break;
    case 'c':
      n = strtol(optarg, NULL, 10);
      if (n < 1 || n > MAX_CHUNK_BYTES) {
        fprintf(stderr, "cicflow process: --chunk-size must be 1 to %d\n",
                MAX_CHUNK_BYTES);
        return CLI_EXIT_USAGE;
      }
      a->chunk_bytes = (size_t)n;
      break;
    case 'h':
      process_usage(stdout);
      return -1;
    default:
      process_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  return CLI_EXIT_OK;
}

static int check_args(const struct process_args *a, int inputs)
{
  if (a->server == NULL) {
    fprintf(stderr, "cicflow process: --server HOST:PORT is required\n");
    return CLI_EXIT_USAGE;
  }
  if (inputs < 1 || (strcmp(a->outdir, "-") == 0 && inputs != 1)) {
    fprintf(stderr, inputs < 1 ? "cicflow process: no input given\n"
                               : "cicflow process: -o - takes one input\n");
    return CLI_EXIT_USAGE;
  }
  if (cli_meter_check(&a->meter, "cicflow process") != 0) {
    return CLI_EXIT_USAGE;
  }
  if (strcmp(a->outdir, "-") != 0 && cli_make_dirs(a->outdir) != 0) {
    fprintf(stderr, "cicflow: cannot create %s: %s\n", a->outdir,
            strerror(errno));
    return CLI_EXIT_FAILURE;
  }
  return CLI_EXIT_OK;
}

int cli_process_main(int argc, char **argv)
{
  struct process_args a;
  struct rpc_grpc_client *client = NULL;
  char err[RPC_MESSAGE_MAX];
  int status = parse_args(argc, argv, &a);

  if (status != CLI_EXIT_OK) {
    return status < 0 ? CLI_EXIT_OK : status;
  }
  status = check_args(&a, argc - optind);
  if (status != CLI_EXIT_OK) {
    return status;
  }
  if (rpc_grpc_client_connect(a.server, &client, err) != 0) {
    fprintf(stderr, "cicflow process: %s\n", err);
    return CLI_EXIT_FAILURE;
  }
  for (int i = optind; i < argc; i++) {
    status = cli_worse_exit(status, process_one(&a, client, argv[i]));
  }
  rpc_grpc_client_free(client);
  return status;
}
