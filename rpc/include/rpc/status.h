/* SPDX-License-Identifier: MIT */
/* gRPC status codes and the rpc module's own error codes. */
#ifndef RPC_STATUS_H
#define RPC_STATUS_H

#define RPC_MESSAGE_MAX 512

/* The gRPC status codes (grpc/doc/statuscodes.md) the service uses. */
enum rpc_code {
  RPC_OK = 0,
  RPC_CANCELLED = 1,
  RPC_UNKNOWN = 2,
  RPC_INVALID_ARGUMENT = 3,
  RPC_DEADLINE_EXCEEDED = 4,
  RPC_NOT_FOUND = 5,
  RPC_RESOURCE_EXHAUSTED = 8,
  RPC_UNIMPLEMENTED = 12,
  RPC_INTERNAL = 13,
  RPC_UNAVAILABLE = 14
};

enum rpc_error {
  RPC_ERR_NOMEM = -1,
  RPC_ERR_LIMIT = -2,
  RPC_ERR_CLOSED = -3,
  RPC_ERR_CANCELLED = -4,
  RPC_ERR_FULL = -5,
  RPC_ERR_BUSY = -6,
  RPC_ERR_SYSTEM = -7,
  RPC_ERR_MALFORMED = -8 /* input that does not parse */
};

/* rpc_code_name: "OK", "INVALID_ARGUMENT", ... */
const char *rpc_code_name(enum rpc_code code);

#endif /* RPC_STATUS_H */
