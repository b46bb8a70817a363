/* SPDX-License-Identifier: MIT */
/* Subcommands of the cicflow binary and the exit codes they share. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

enum cli_exit {
  CLI_EXIT_OK = 0,
  CLI_EXIT_FAILURE = 1,     /* output could not be written, out of memory */
  CLI_EXIT_USAGE = 2,       /* bad command line */
  CLI_EXIT_NOT_CAPTURE = 3, /* an input is missing or not a capture */
  CLI_EXIT_DAMAGED = 4      /* a capture ended in damage; rows were kept */
};

int cli_convert_main(int argc, char **argv);
int cli_serve_main(int argc, char **argv);
int cli_process_main(int argc, char **argv);

/* cli_worse_exit: the more serious of two exit codes. */
int cli_worse_exit(int a, int b);

#endif /* CLI_CLI_H */
