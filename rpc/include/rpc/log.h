/* SPDX-License-Identifier: MIT */
/*
 * Logging: one line per event on standard error, in key=value form with
 * fixed leading keys: "ts=... level=... mod=... event=..." then the
 * event's own keys. The level is tested before any formatting.
 */
#ifndef RPC_LOG_H
#define RPC_LOG_H

enum rpc_log_level {
  RPC_LOG_ERROR = 0,
  RPC_LOG_WARN = 1,
  RPC_LOG_INFO = 2,
  RPC_LOG_DEBUG = 3
};

extern enum rpc_log_level rpc_log_threshold;

/* rpc_log_parse_level: "error", "warn", "info", "debug"; -1 if unknown. */
int rpc_log_parse_level(const char *name);

/*
 * rpc_log_event: writes one line. fmt gives the event's own keys
 * ("peer=%s bytes=%llu"); values with spaces go through rpc_log_quote.
 */
void rpc_log_event(enum rpc_log_level level, const char *mod, const char *event,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define RPC_LOG(level, mod, event, ...)                                        \
  do {                                                                         \
    if ((level) <= rpc_log_threshold) {                                        \
      rpc_log_event((level), (mod), (event), __VA_ARGS__);                     \
    }                                                                          \
  } while (0)

/*
 * rpc_log_quote: value as a log token: unchanged when it is plain,
 * else in double quotes with '"', '\' and control bytes escaped. out has
 * out_size bytes.
 */
const char *rpc_log_quote(const char *value, char *out, unsigned out_size);

#endif /* RPC_LOG_H */
