/* SPDX-License-Identifier: MIT */
#include "output.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *cli_input_name(const char *path)
{
  const char *slash = strrchr(path, '/');

  if (strcmp(path, "-") == 0) {
    return "stdin";
  }
  return slash != NULL ? slash + 1 : path;
}

FILE *cli_open_input(const char *path)
{
  struct stat st;
  FILE *in;

  if (strcmp(path, "-") == 0) {
    return fdopen(dup(STDIN_FILENO), "rb");
  }
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    fprintf(stderr, "cicflow: %s: is a directory, not a capture\n", path);
    return NULL;
  }
  in = fopen(path, "rb");
  if (in == NULL) {
    fprintf(stderr, "cicflow: %s: %s\n", path, strerror(errno));
  }
  return in;
}

int cli_make_dirs(const char *path)
{
  char buf[CLI_PATH_BYTES];
  size_t len = strlen(path);

  if (len == 0 || len >= sizeof(buf)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buf, path, len + 1);
  for (size_t i = 1; i <= len; i++) {
    if (buf[i] == '/' || buf[i] == '\0') {
      char saved = buf[i];

      buf[i] = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        return -1;
      }
      buf[i] = saved;
    }
  }
  return 0;
}

int cli_output_open(struct cli_output *o, const char *outdir, const char *input)
{
  o->to_stdout = strcmp(outdir, "-") == 0;
  if (o->to_stdout) {
    o->fp = stdout;
    snprintf(o->dest, sizeof(o->dest), "standard output");
    return 0;
  }
  snprintf(o->dest, sizeof(o->dest), "%s/%s_Flow.csv", outdir,
           cli_input_name(input));
  snprintf(o->partial, sizeof(o->partial), "%s.partial", o->dest);
  o->fp = fopen(o->partial, "wb");
  if (o->fp == NULL) {
    fprintf(stderr, "cicflow: %s: %s\n", o->partial, strerror(errno));
    return -1;
  }
  setvbuf(o->fp, o->buffer, _IOFBF, sizeof(o->buffer));
  return 0;
}

int cli_output_close(struct cli_output *o, int keep)
{
  int failed;

  if (o->to_stdout) {
    return fflush(stdout) == 0 ? 0 : -1;
  }
  failed = fclose(o->fp) != 0;
  if (failed && keep) {
    fprintf(stderr, "cicflow: %s: %s\n", o->partial, strerror(errno));
  }
  if (failed || !keep || rename(o->partial, o->dest) != 0) {
    unlink(o->partial);
    return keep ? -1 : 0;
  }
  return 0;
}
