/* SPDX-License-Identifier: MIT */
/*
 * cicflow: one binary, several subcommands. main only dispatches; each
 * subcommand lives in its own file.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct subcommand {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
};

static const struct subcommand subcommands[] = {
    {"convert", cli_convert_main,
     "write CICFlowMeter flow CSVs for capture files"},
    {"serve", cli_serve_main, "run the gRPC service and the REST gateway"},
    {"process", cli_process_main,
     "like convert, but processed by a cicflow server"},
};

static void usage(FILE *out)
{
  fprintf(out, "usage: cicflow COMMAND [OPTIONS]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
    fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
  }
  fprintf(out, "\n'cicflow COMMAND --help' describes a command.\n");
}

/* Failure, then bad usage, not a capture, damage, success. */
int cli_worse_exit(int a, int b)
{
  static const int rank[] = {0, 4, 5, 3, 2};

  return rank[a] >= rank[b] ? a : b;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
    printf("cicflow %s\n", CICFLOW_VERSION);
    return 0;
  }
  for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
    if (strcmp(argv[1], subcommands[i].name) == 0) {
      return subcommands[i].run(argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "cicflow: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return CLI_EXIT_USAGE;
}
