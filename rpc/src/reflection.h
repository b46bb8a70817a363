/* SPDX-License-Identifier: MIT */
/*
 * gRPC server reflection (grpc/reflection/v1/reflection.proto), so that
 * stock tools can find and call the service without our .proto files.
 * protoc-c keeps no descriptors, so the build embeds the
 * FileDescriptorSet that protoc wrote for every served .proto; it is
 * indexed once at start-up and answers hand out its bytes unchanged.
 * v1alpha has the same wire format and is answered by the same code.
 */
#ifndef RPC_REFLECTION_H
#define RPC_REFLECTION_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/call.h"
#include "rpc/status.h"

#define RPC__REFLECTION_PATH                                                   \
  "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
#define RPC__REFLECTION_ALPHA_PATH                                             \
  "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"

struct rpc_reflection;

/*
 * rpc__reflection_new: indexes a serialized FileDescriptorSet of set_len
 * bytes. set is borrowed and must outlive the index (answers point into
 * it). Returns 0 with *out set, RPC_ERR_MALFORMED when set does not
 * parse or names a dependency it does not hold (a build fault),
 * RPC_ERR_LIMIT past RPC__REFLECTION_MAX_FILES files, RPC_ERR_NOMEM.
 */
int rpc__reflection_new(const uint8_t *set, size_t set_len,
                        struct rpc_reflection **out);

/* rpc__reflection_free: frees the index; NULL is ignored. */
void rpc__reflection_free(struct rpc_reflection *r);

/*
 * rpc__reflection_answer: answers one serialized ServerReflectionRequest
 * (req, len bytes) with a ServerReflectionResponse in a new message *out,
 * which the caller owns. Questions the index cannot answer still get a
 * response (an error_response); only these end the call:
 *   RPC_INTERNAL            req does not parse
 *   RPC_RESOURCE_EXHAUSTED  out of memory
 * with a message in err (RPC_MESSAGE_MAX bytes). The index is only read:
 * any thread may answer.
 */
enum rpc_code rpc__reflection_answer(const struct rpc_reflection *r,
                                     const uint8_t *req, size_t len,
                                     struct rpc_msg **out, char *err);

#define RPC__REFLECTION_MAX_FILES 64

#endif /* RPC_REFLECTION_H */
