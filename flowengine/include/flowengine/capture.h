/* SPDX-License-Identifier: MIT */
/*
 * Reading captures with libpcap from a FILE *, so that one code path reads
 * a file, a pipe or bytes a service receives in chunks (a FILE * made with
 * fopencookie). pcap (micro- and nanosecond, either byte order) and pcapng
 * are recognised by content, never by name.
 */
#ifndef FLOWENGINE_CAPTURE_H
#define FLOWENGINE_CAPTURE_H

#include <stdint.h>
#include <stdio.h>

#include "flowengine/errors.h"
#include "flowengine/meter.h"

#define FE_CAPTURE_ERR_MAX 512

struct fe_capture;

/*
 * fe_capture_open: reads the capture's file header from fp and takes
 * ownership of fp (closed by fe_capture_close, or here on failure).
 * Returns FE_ERR_NOT_CAPTURE with a message in errbuf (FE_CAPTURE_ERR_MAX
 * bytes) that says what was found instead, or FE_ERR_NOMEM.
 */
FE_MUST_CHECK int fe_capture_open(FILE *fp, struct fe_capture **out,
                                  char *errbuf);

/*
 * fe_capture_next: reads the next frame into *frame, whose data stays
 * valid until the next call. Returns 1 for a frame, 0 at the clean end,
 * FE_ERR_DAMAGED when a record cannot be read (fe_capture_error tells
 * where and why; frames before it were good).
 */
FE_MUST_CHECK int fe_capture_next(struct fe_capture *c, struct fe_frame *frame);

/* fe_capture_error: message of the last FE_ERR_DAMAGED, with position. */
const char *fe_capture_error(const struct fe_capture *c);

/* fe_capture_bytes_read: bytes of the input consumed so far. */
uint64_t fe_capture_bytes_read(const struct fe_capture *c);

/* fe_capture_link_type: the capture's DLT_ link type (first interface). */
int fe_capture_link_type(const struct fe_capture *c);

/* fe_capture_close: closes the capture and its FILE *; NULL is ignored. */
void fe_capture_close(struct fe_capture *c);

#endif /* FLOWENGINE_CAPTURE_H */
