/* SPDX-License-Identifier: MIT */
/* Event log lines, written whole with one call so threads do not mix. */
#include "rpc/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum rpc_log_level rpc_log_threshold = RPC_LOG_INFO;

int rpc_log_parse_level(const char *name)
{
  static const char *const names[] = {"error", "warn", "info", "debug"};

  for (int i = 0; i < 4; i++) {
    if (strcmp(name, names[i]) == 0) {
      return i;
    }
  }
  return -1;
}

static const char *level_name(enum rpc_log_level level)
{
  switch (level) {
  case RPC_LOG_ERROR:
    return "error";
  case RPC_LOG_WARN:
    return "warn";
  case RPC_LOG_INFO:
    return "info";
  case RPC_LOG_DEBUG:
    return "debug";
  }
  return "info";
}

void rpc_log_event(enum rpc_log_level level, const char *mod, const char *event,
                   const char *fmt, ...)
{
  char line[2048];
  struct timespec now;
  struct tm tm;
  size_t n;
  va_list ap;

  clock_gettime(CLOCK_REALTIME, &now);
  gmtime_r(&now.tv_sec, &tm);
  n = strftime(line, sizeof(line), "ts=%Y-%m-%dT%H:%M:%S", &tm);
  n += (size_t)snprintf(line + n, sizeof(line) - n,
                        ".%03ldZ level=%s mod=%s event=%s ",
                        now.tv_nsec / 1000000, level_name(level), mod, event);
  va_start(ap, fmt);
  if (n < sizeof(line)) {
    vsnprintf(line + n, sizeof(line) - n, fmt, ap);
  }
  va_end(ap);
  n = strlen(line);
  if (n + 1 < sizeof(line)) {
    line[n++] = '\n';
  } else {
    line[sizeof(line) - 2] = '\n';
    n = sizeof(line) - 1;
  }
  fwrite(line, 1, n, stderr);
}

static int plain(const char *v)
{
  if (*v == '\0') {
    return 0;
  }
  for (; *v != '\0'; v++) {
    unsigned char c = (unsigned char)*v;

    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) {
      return 0;
    }
  }
  return 1;
}

const char *rpc_log_quote(const char *value, char *out, unsigned out_size)
{
  unsigned n = 0;

  if (plain(value)) {
    return value;
  }
  out[n++] = '"';
  for (; *value != '\0' && n + 6 < out_size; value++) {
    unsigned char c = (unsigned char)*value;

    if (c == '"' || c == '\\') {
      out[n++] = '\\';
      out[n++] = (char)c;
    } else if (c < ' ' || c == 0x7f) {
      n += (unsigned)snprintf(out + n, out_size - n, "\\x%02x", c);
    } else {
      out[n++] = (char)c;
    }
  }
  out[n++] = '"';
  out[n] = '\0';
  return out;
}
