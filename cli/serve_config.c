/* SPDX-License-Identifier: MIT */
/* One table describes every setting: flag, variable, default, help. */
#include "serve_config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpc/log.h"

enum kind { TEXT, NUMBER };

struct setting {
  const char *flag; /* without the leading "--" */
  const char *env;
  enum kind kind;
  size_t offset;
  size_t size; /* for TEXT */
  const char *help;
};

#define TEXT_SETTING(flag, env, field, help)                                   \
  {                                                                            \
    flag, env, TEXT, offsetof(struct serve_config, field),                     \
        sizeof(((struct serve_config *)0)->field), help                        \
  }
#define NUMBER_SETTING(flag, env, field, help)                                 \
  {                                                                            \
    flag, env, NUMBER, offsetof(struct serve_config, field), 0, help           \
  }

static const struct setting settings[] = {
    TEXT_SETTING("grpc-address", "CICFLOW_GRPC_ADDRESS", grpc_address,
                 "gRPC listen address, HOST:PORT"),
    TEXT_SETTING("http-address", "CICFLOW_HTTP_ADDRESS", http_address,
                 "REST listen address, HOST:PORT"),
    NUMBER_SETTING("workers", "CICFLOW_WORKERS", workers,
                   "calls processed at once"),
    NUMBER_SETTING("queue-length", "CICFLOW_QUEUE_LENGTH", queue_length,
                   "calls that may wait for a worker"),
    NUMBER_SETTING("max-upload-bytes", "CICFLOW_MAX_UPLOAD_BYTES",
                   max_upload_bytes, "largest capture per call, 0 = none"),
    NUMBER_SETTING("max-flows-per-call", "CICFLOW_MAX_FLOWS_PER_CALL",
                   max_flows_per_call, "most flows per call, 0 = none"),
    NUMBER_SETTING("max-open-flows", "CICFLOW_MAX_OPEN_FLOWS", max_open_flows,
                   "flows open at once per call (memory bound)"),
    TEXT_SETTING("tmp-dir", "CICFLOW_TMP_DIR", tmp_dir,
                 "directory for spool files (never left behind)"),
    NUMBER_SETTING("idle-timeout", "CICFLOW_IDLE_TIMEOUT", idle_timeout_s,
                   "seconds before a silent client is dropped"),
    NUMBER_SETTING("grace-period", "CICFLOW_GRACE_PERIOD", grace_period_s,
                   "seconds running calls get at shutdown"),
    TEXT_SETTING("log-level", "CICFLOW_LOG_LEVEL", log_level,
                 "error, warn, info or debug"),
};

#define SETTING_COUNT (sizeof(settings) / sizeof(settings[0]))

static void set_defaults(struct serve_config *cfg)
{
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  const char *tmp = getenv("TMPDIR");

  memset(cfg, 0, sizeof(*cfg));
  snprintf(cfg->grpc_address, sizeof(cfg->grpc_address), "0.0.0.0:50051");
  snprintf(cfg->http_address, sizeof(cfg->http_address), "0.0.0.0:8000");
  cfg->workers = cores > 0 ? (uint64_t)cores : 1;
  cfg->queue_length = 16;
  cfg->max_upload_bytes = UINT64_C(64) << 30;
  cfg->max_flows_per_call = 0;
  cfg->max_open_flows = 1000000;
  snprintf(cfg->tmp_dir, sizeof(cfg->tmp_dir), "%s",
           tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
  cfg->idle_timeout_s = 120;
  cfg->grace_period_s = 30;
  snprintf(cfg->log_level, sizeof(cfg->log_level), "info");
}

static int apply(struct serve_config *cfg, const struct setting *s,
                 const char *value, const char *source)
{
  char *field = (char *)cfg + s->offset;
  char *end = NULL;
  unsigned long long n;

  if (s->kind == TEXT) {
    if (strlen(value) >= s->size) {
      fprintf(stderr, "cicflow serve: %s: value too long\n", source);
      return -1;
    }
    memcpy(field, value, strlen(value) + 1);
    return 0;
  }
  errno = 0;
  n = strtoull(value, &end, 10);
  if (errno != 0 || end == value || *end != '\0' || value[0] == '-') {
    fprintf(stderr, "cicflow serve: %s: '%s' is not a whole number\n", source,
            value);
    return -1;
  }
  *(uint64_t *)(void *)field = n;
  return 0;
}

static void print_help(const struct serve_config *defaults)
{
  printf("usage: cicflow serve [OPTIONS]\n"
         "Serves FlowMeter/ProcessPcap over gRPC and POST /process over "
         "HTTP.\nEach option can also be set by its environment variable."
         "\n\n");
  for (size_t i = 0; i < SETTING_COUNT; i++) {
    const struct setting *s = &settings[i];
    const char *field = (const char *)defaults + s->offset;
    char def[1100];

    if (s->kind == TEXT) {
      snprintf(def, sizeof(def), "%s", field);
    } else {
      snprintf(def, sizeof(def), "%llu",
               (unsigned long long)*(const uint64_t *)(const void *)field);
    }
    printf("  --%-20s %s\n  %-22s $%s, default %s\n", s->flag, s->help, "",
           s->env, def);
  }
}

static const struct setting *find_flag(const char *arg, const char **value)
{
  for (size_t i = 0; i < SETTING_COUNT; i++) {
    size_t len = strlen(settings[i].flag);

    if (strncmp(arg, settings[i].flag, len) == 0 &&
        (arg[len] == '\0' || arg[len] == '=')) {
      *value = arg[len] == '=' ? arg + len + 1 : NULL;
      return &settings[i];
    }
  }
  return NULL;
}

static int load_args(struct serve_config *cfg, int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    const char *value = NULL;
    const struct setting *s;

    if (strncmp(argv[i], "--", 2) != 0 ||
        (s = find_flag(argv[i] + 2, &value)) == NULL) {
      fprintf(stderr, "cicflow serve: unknown option '%s' (see --help)\n",
              argv[i]);
      return -1;
    }
    if (value == NULL && ++i >= argc) {
      fprintf(stderr, "cicflow serve: %s needs a value\n", argv[i - 1]);
      return -1;
    }
    if (apply(cfg, s, value != NULL ? value : argv[i], s->flag) != 0) {
      return -1;
    }
  }
  return 0;
}

static int check(const struct serve_config *cfg)
{
  if (cfg->workers == 0 || cfg->workers > 1024) {
    fprintf(stderr, "cicflow serve: --workers must be 1 to 1024\n");
    return -1;
  }
  if (cfg->max_open_flows == 0) {
    fprintf(stderr, "cicflow serve: --max-open-flows must be at least 1\n");
    return -1;
  }
  if (cfg->queue_length > 100000) {
    fprintf(stderr, "cicflow serve: --queue-length must be at most "
                    "100000\n");
    return -1;
  }
  if (rpc_log_parse_level(cfg->log_level) < 0) {
    fprintf(stderr, "cicflow serve: --log-level must be error, warn, info "
                    "or debug\n");
    return -1;
  }
  if (access(cfg->tmp_dir, W_OK | X_OK) != 0) {
    fprintf(stderr,
            "cicflow serve: --tmp-dir %s is not a writable "
            "directory\n",
            cfg->tmp_dir);
    return -1;
  }
  return 0;
}

int serve_config_load(struct serve_config *cfg, int argc, char **argv)
{
  struct serve_config defaults;

  set_defaults(cfg);
  defaults = *cfg;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      print_help(&defaults);
      return 1;
    }
  }
  for (size_t i = 0; i < SETTING_COUNT; i++) {
    const char *value = getenv(settings[i].env);

    if (value != NULL && apply(cfg, &settings[i], value, settings[i].env)) {
      return -1;
    }
  }
  if (load_args(cfg, argc, argv) != 0) {
    return -1;
  }
  return check(cfg);
}
