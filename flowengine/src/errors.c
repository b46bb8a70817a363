/* SPDX-License-Identifier: MIT */
#include "flowengine/errors.h"

const char *fe_strerror(int code)
{
  switch (code) {
  case FE_OK:
    return "success";
  case FE_ERR_NOMEM:
    return "out of memory";
  case FE_ERR_INVALID:
    return "invalid argument";
  case FE_ERR_NOT_CAPTURE:
    return "not a pcap or pcapng capture";
  case FE_ERR_DAMAGED:
    return "capture damaged";
  case FE_ERR_LIMIT:
    return "limit reached";
  case FE_ERR_STOPPED:
    return "stopped";
  case FE_ERR_IO:
    return "input/output error";
  default:
    return "unknown error";
  }
}
