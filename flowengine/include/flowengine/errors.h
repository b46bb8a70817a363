/* SPDX-License-Identifier: MIT */
/*
 * Error codes of the flow engine. Every fallible function returns 0 or one
 * of these negative codes; none of them is fatal to the process, and after
 * any of them the object involved may still be freed.
 */
#ifndef FLOWENGINE_ERRORS_H
#define FLOWENGINE_ERRORS_H

#if defined(__GNUC__)
#define FE_MUST_CHECK __attribute__((warn_unused_result))
#else
#define FE_MUST_CHECK
#endif

enum fe_error {
  FE_OK = 0,
  FE_ERR_NOMEM = -1,       /* an allocation failed */
  FE_ERR_INVALID = -2,     /* an option or argument is out of range */
  FE_ERR_NOT_CAPTURE = -3, /* the input is not a pcap or pcapng capture */
  FE_ERR_DAMAGED = -4,     /* the capture is damaged after some packets */
  FE_ERR_LIMIT = -5,       /* a configured limit was reached */
  FE_ERR_STOPPED = -6,     /* a callback asked to stop */
  FE_ERR_IO = -7           /* reading the input failed */
};

/* fe_strerror: a short English description of an fe_error code. */
const char *fe_strerror(int code);

#endif /* FLOWENGINE_ERRORS_H */
