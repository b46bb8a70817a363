/* SPDX-License-Identifier: MIT */
/*
 * The zip archive of a call, built with libzip. libzip needs a seekable,
 * named output and writes everything in zip_close(), so the archive is
 * made under a unique name in the service's temporary directory, opened,
 * and unlinked before anything is sent: the name exists only while the
 * archive is being written. Deflate level 1: CSV compresses well at it,
 * and compression is the slowest step of the output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "rpc_int.h"

static int add_csv(zip_t *za, FILE *csv, const char *entry_name, char *err)
{
  zip_error_t ze;
  zip_source_t *src;
  zip_int64_t idx;
  FILE *copy = fdopen(dup(fileno(csv)), "rb");

  if (copy == NULL) {
    snprintf(err, RPC_MESSAGE_MAX, "zip: %s", strerror(errno));
    return -1;
  }
  zip_error_init(&ze);
  src = zip_source_filep_create(copy, 0, -1, &ze);
  if (src == NULL) {
    snprintf(err, RPC_MESSAGE_MAX, "zip: %s", zip_error_strerror(&ze));
    zip_error_fini(&ze);
    fclose(copy);
    return -1;
  }
  zip_error_fini(&ze);
  idx = zip_file_add(za, entry_name, src, ZIP_FL_ENC_UTF_8);
  if (idx < 0) {
    zip_source_free(src);
    snprintf(err, RPC_MESSAGE_MAX, "zip: %s", zip_strerror(za));
    return -1;
  }
  zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 1);
  return 0;
}

static int add_text(zip_t *za, const char *name, const char *text, char *err)
{
  zip_source_t *src =
      zip_source_buffer(za, text, strlen(text), 0 /* borrowed */);

  if (src == NULL || zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8) < 0) {
    zip_source_free(src);
    snprintf(err, RPC_MESSAGE_MAX, "zip: %s", zip_strerror(za));
    return -1;
  }
  return 0;
}

static FILE *open_and_unlink(const char *path, char *err)
{
  FILE *fp = fopen(path, "rb");

  if (fp == NULL) {
    snprintf(err, RPC_MESSAGE_MAX, "zip: %s", strerror(errno));
  }
  unlink(path);
  return fp;
}

FILE *rpc__zip_build(const char *dir, FILE *csv, const char *entry_name,
                     const char *summary, char *err)
{
  char path[4200];
  int errcode = 0;
  int fd;
  zip_t *za;

  snprintf(path, sizeof(path), "%s/cicflow-zip-XXXXXX", dir);
  fd = mkstemp(path);
  if (fd < 0) {
    snprintf(err, RPC_MESSAGE_MAX, "zip: %s: %s", dir, strerror(errno));
    return NULL;
  }
  close(fd);
  za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &errcode);
  if (za == NULL) {
    snprintf(err, RPC_MESSAGE_MAX, "zip: cannot create archive (%d)", errcode);
    unlink(path);
    return NULL;
  }
  if (add_csv(za, csv, entry_name, err) != 0 ||
      (summary != NULL && add_text(za, "summary.txt", summary, err) != 0)) {
    zip_discard(za);
    unlink(path);
    return NULL;
  }
  if (zip_close(za) != 0) {
    snprintf(err, RPC_MESSAGE_MAX, "zip: %s", zip_strerror(za));
    zip_discard(za);
    unlink(path);
    return NULL;
  }
  return open_and_unlink(path, err);
}
