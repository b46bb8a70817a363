/* SPDX-License-Identifier: MIT */
/*
 * "HOST:PORT" and "[V6HOST]:PORT" addresses, as every listener and the
 * client take them on the command line and in the environment.
 */
#ifndef RPC_ADDRESS_H
#define RPC_ADDRESS_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * rpc_address_split: copies HOST (without brackets) into host (host_size
 * bytes) and points *port at the text after the last ':'. Returns 0, or
 * -1 when there is no host, no port or the host does not fit.
 */
int rpc_address_split(const char *text, char *host, size_t host_size,
                      const char **port);

/*
 * rpc_address_listen: a numeric address to listen on; port 0 asks the
 * kernel for a free port. Returns 0, or -1 for anything else than a
 * numeric host and a port from 0 to 65535.
 */
int rpc_address_listen(const char *text, struct sockaddr_storage *ss,
                       socklen_t *len);

/*
 * rpc_address_format: addr as "HOST:PORT" or "[V6HOST]:PORT" in out
 * (size bytes), or "?" for another family.
 */
void rpc_address_format(const struct sockaddr *addr, char *out, size_t size);

/* rpc_address_bound: the formatted local address of socket fd; -1 on error. */
int rpc_address_bound(int fd, char *out, size_t size);

#endif /* RPC_ADDRESS_H */
