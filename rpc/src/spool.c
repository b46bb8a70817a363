/* SPDX-License-Identifier: MIT */
/*
 * Temporary files of the service. They are created without a name
 * (O_TMPFILE) where the file system allows it, or named and unlinked at
 * once, so nothing is left behind whatever way a call ends.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rpc_int.h"

FILE *rpc__spool_open(const char *dir)
{
  char path[4200];
  FILE *fp;
  int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0) {
    snprintf(path, sizeof(path), "%s/cicflow-spool-XXXXXX", dir);
    fd = mkstemp(path);
    if (fd < 0) {
      return NULL;
    }
    unlink(path);
  }
  fp = fdopen(fd, "w+b");
  if (fp == NULL) {
    close(fd);
  }
  return fp;
}
