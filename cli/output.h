/* SPDX-License-Identifier: MIT */
/*
 * Inputs and outputs of the file-converting subcommands: an input path
 * ("-" for standard input) and OUTDIR/<input name>_Flow.csv, written
 * under a temporary name and renamed only when complete.
 */
#ifndef CLI_OUTPUT_H
#define CLI_OUTPUT_H

#include <stdio.h>

#define CLI_PATH_BYTES 4096
#define CLI_OUT_BUFFER_BYTES (64 * 1024)

struct cli_output {
  FILE *fp;
  int to_stdout;
  char dest[CLI_PATH_BYTES];
  char partial[CLI_PATH_BYTES + 16];
  char buffer[CLI_OUT_BUFFER_BYTES]; /* stdio uses it only if given it */
};

/* cli_input_name: the name outputs are named after ("stdin" for "-"). */
const char *cli_input_name(const char *path);

/*
 * cli_open_input: opens path for reading, or standard input for "-".
 * Returns NULL after a message on stderr naming the file and the reason.
 */
FILE *cli_open_input(const char *path);

/* cli_make_dirs: mkdir -p; 0 or -1 with errno set. */
int cli_make_dirs(const char *path);

/*
 * cli_output_open: opens OUTDIR/<input name>_Flow.csv.partial, or
 * standard output when outdir is "-". Returns 0, or -1 after a message.
 */
int cli_output_open(struct cli_output *o, const char *outdir,
                    const char *input);

/*
 * cli_output_close: flushes and closes; with keep, renames the file into
 * place, else removes it. Returns 0, or -1 after a message.
 */
int cli_output_close(struct cli_output *o, int keep);

#endif /* CLI_OUTPUT_H */
