/* SPDX-License-Identifier: MIT */
#include "rpc/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rpc_address_split(const char *text, char *host, size_t host_size,
                      const char **port)
{
  const char *colon = strrchr(text, ':');
  size_t hlen;

  if (colon == NULL || colon[1] == '\0') {
    return -1;
  }
  hlen = (size_t)(colon - text);
  if (hlen >= 2 && text[0] == '[' && text[hlen - 1] == ']') {
    text++;
    hlen -= 2;
  }
  if (hlen == 0 || hlen >= host_size) {
    return -1;
  }
  memcpy(host, text, hlen);
  host[hlen] = '\0';
  *port = colon + 1;
  return 0;
}

static int valid_port(const char *text)
{
  char *end = NULL;
  long port = strtol(text, &end, 10);

  return end != text && *end == '\0' && port >= 0 && port <= 65535;
}

int rpc_address_listen(const char *text, struct sockaddr_storage *ss,
                       socklen_t *len)
{
  struct addrinfo hints;
  struct addrinfo *res = NULL;
  char host[64];
  const char *port;

  if (rpc_address_split(text, host, sizeof(host), &port) != 0 ||
      !valid_port(port)) {
    return -1;
  }
  memset(&hints, 0, sizeof(hints));
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, port, &hints, &res) != 0) {
    return -1;
  }
  memcpy(ss, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return 0;
}

void rpc_address_format(const struct sockaddr *addr, char *out, size_t size)
{
  char host[INET6_ADDRSTRLEN] = "?";

  snprintf(out, size, "?");
  if (addr->sa_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const void *)addr;

    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    snprintf(out, size, "[%s]:%u", host, (unsigned)ntohs(a->sin6_port));
  } else if (addr->sa_family == AF_INET) {
    const struct sockaddr_in *a = (const void *)addr;

    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    snprintf(out, size, "%s:%u", host, (unsigned)ntohs(a->sin_port));
  }
}

int rpc_address_bound(int fd, char *out, size_t size)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);

  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
    return -1;
  }
  rpc_address_format((const struct sockaddr *)&ss, out, size);
  return 0;
}
