/* SPDX-License-Identifier: MIT */
/*
 * File names from clients are untrusted: only the last path component is
 * kept, and every byte outside [A-Za-z0-9._+-] becomes '_', so no name can
 * climb directories, hide control characters or carry odd encodings into
 * a zip entry or a path.
 */
#include <stdio.h>
#include <string.h>

#include "rpc_int.h"

static int safe_char(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' || c == '-';
}

void rpc__sanitize_name(const char *untrusted, char *out, size_t out_size)
{
  const char *base = untrusted;
  size_t n = 0;

  for (const char *p = untrusted; *p != '\0'; p++) {
    if (*p == '/' || *p == '\\') {
      base = p + 1;
    }
  }
  for (const char *p = base; *p != '\0' && n + 1 < out_size; p++) {
    out[n++] = safe_char((unsigned char)*p) ? *p : '_';
  }
  out[n] = '\0';
  if (n > 0 && out[0] == '.') {
    out[0] = '_';
  }
  if (n == 0) {
    snprintf(out, out_size, "capture");
  }
}
