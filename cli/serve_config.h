/* SPDX-License-Identifier: MIT */
/*
 * Configuration of 'cicflow serve': each setting has a flag, a matching
 * environment variable and a default, all listed by --help. Flags win
 * over the environment.
 */
#ifndef CLI_SERVE_CONFIG_H
#define CLI_SERVE_CONFIG_H

#include <stdint.h>
#include <stdio.h>

struct serve_config {
  char grpc_address[128];
  char http_address[128];
  uint64_t workers;
  uint64_t queue_length;
  uint64_t max_upload_bytes;
  uint64_t max_flows_per_call;
  uint64_t max_open_flows;
  char tmp_dir[1024];
  uint64_t idle_timeout_s;
  uint64_t grace_period_s;
  char log_level[16];
};

/*
 * serve_config_load: defaults, then the environment, then argv. Returns
 * 0, 1 when --help was printed, -1 after a message on stderr.
 */
int serve_config_load(struct serve_config *cfg, int argc, char **argv);

#endif /* CLI_SERVE_CONFIG_H */
