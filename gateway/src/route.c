/* SPDX-License-Identifier: MIT */
/*
 * The gateway's routes: one table of exact paths and the methods each
 * takes. HEAD is allowed wherever GET is, since libmicrohttpd answers it
 * from the GET response without the body.
 */
#include <string.h>

#include "gw_int.h"

struct route_entry {
  const char *path;
  enum gw_route route;
  int get; /* 1: GET and HEAD; 0: POST */
};

static const struct route_entry routes[] = {
    {"/process", GW_ROUTE_PROCESS, 0},      {"/docs", GW_ROUTE_DOCS, 1},
    {"/openapi.json", GW_ROUTE_OPENAPI, 1}, {"/healthz", GW_ROUTE_HEALTHZ, 1},
    {"/metrics", GW_ROUTE_METRICS, 1},
};

#define ROUTE_COUNT (sizeof(routes) / sizeof(routes[0]))

unsigned gw__route_match(const char *path, const char *method,
                         enum gw_route *route, const char **allow)
{
  for (size_t i = 0; i < ROUTE_COUNT; i++) {
    const struct route_entry *e = &routes[i];
    int ok;

    if (strcmp(path, e->path) != 0) {
      continue;
    }
    if (e->get) {
      ok = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
      *allow = "GET, HEAD";
    } else {
      ok = strcmp(method, "POST") == 0;
      *allow = "POST";
    }
    *route = e->route;
    return ok ? 0 : MHD_HTTP_METHOD_NOT_ALLOWED;
  }
  return MHD_HTTP_NOT_FOUND;
}
