/* SPDX-License-Identifier: MIT */
/*
 * libpcap reading from any FILE *. libpcap is handed a cookie stream over
 * the caller's one, which serves two ends: the first bytes are kept, so an
 * input that is not a capture can be described by what it is, and every
 * byte is counted, so damage is reported with its exact offset even on
 * pipes and in-memory streams.
 */
#define _GNU_SOURCE /* fopencookie */
#include "flowengine/capture.h"

#include <ctype.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNIFF_BYTES 16
#define READ_BUFFER_BYTES (32 * 1024)

struct fe_capture {
  FILE *inner; /* the caller's stream, owned */
  FILE *outer; /* counting stream libpcap reads, or NULL: see reader */
  pcap_t *pcap;
  uint8_t head[SNIFF_BYTES]; /* first bytes of the input, replayed */
  size_t head_len;
  size_t head_pos;
  char *buffer;         /* stdio buffer of the stream libpcap reads */
  uint64_t consumed;    /* bytes handed to the stdio buffer */
  uint64_t frames;      /* records read successfully */
  uint64_t good_offset; /* end of the last good record */
  int classic_direct;   /* classic pcap read directly: offsets summed */
  int link_type;        /* DLT_ value, asked once instead of per frame */
  char error[FE_CAPTURE_ERR_MAX];
};

static ssize_t counting_read(void *cookie, char *buf, size_t size)
{
  struct fe_capture *c = cookie;
  size_t n = 0;

  if (c->head_pos < c->head_len) {
    n = c->head_len - c->head_pos;
    n = n < size ? n : size;
    memcpy(buf, c->head + c->head_pos, n);
    c->head_pos += n;
  }
  if (n < size) {
    n += fread(buf + n, 1, size - n, c->inner);
  }
  if (n == 0 && ferror(c->inner)) {
    return -1;
  }
  c->consumed += n;
  return (ssize_t)n;
}

/*
 * Only "where am I" is answered (offset 0 from the current position), so
 * that ftello on the buffered stream can subtract what stdio holds unread
 * from what was handed to it: the bytes libpcap has really consumed.
 */
static int counting_seek(void *cookie, off64_t *offset, int whence)
{
  struct fe_capture *c = cookie;

  if (whence != SEEK_CUR || *offset != 0) {
    return -1;
  }
  *offset = (off64_t)c->consumed;
  return 0;
}

static int counting_close(void *cookie)
{
  (void)cookie;
  return 0;
}

static int looks_like_text(const uint8_t *b, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (!isprint(b[i]) && !isspace(b[i])) {
      return 0;
    }
  }
  return n > 0;
}

static const char *container_name(const uint8_t *b, size_t n)
{
  if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
    return "gzip-compressed data";
  }
  if (n >= 4 && memcmp(b, "PK\3\4", 4) == 0) {
    return "a zip archive";
  }
  if (n >= 3 && memcmp(b, "BZh", 3) == 0) {
    return "bzip2-compressed data";
  }
  if (n >= 6 && memcmp(b,
                       "\xfd"
                       "7zXZ\0",
                       6) == 0) {
    return "xz-compressed data";
  }
  if (n >= 4 && memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0) {
    return "zstd-compressed data";
  }
  return NULL;
}

static int has_capture_magic(const uint8_t *b, size_t n)
{
  static const uint8_t magics[][4] = {{0xa1, 0xb2, 0xc3, 0xd4},
                                      {0xd4, 0xc3, 0xb2, 0xa1},
                                      {0xa1, 0xb2, 0x3c, 0x4d},
                                      {0x4d, 0x3c, 0xb2, 0xa1},
                                      {0x0a, 0x0d, 0x0d, 0x0a}};

  for (size_t i = 0; n >= 4 && i < sizeof(magics) / sizeof(magics[0]); i++) {
    if (memcmp(b, magics[i], 4) == 0) {
      return 1;
    }
  }
  return 0;
}

/* Says what the input is, for the "not a capture" message. */
static void describe_input(const struct fe_capture *c, const char *why,
                           char *errbuf)
{
  const uint8_t *b = c->head;
  size_t n = c->head_len;
  const char *kind = container_name(b, n);

  if (n == 0 && ferror(c->inner)) {
    snprintf(errbuf, FE_CAPTURE_ERR_MAX, "the input cannot be read");
  } else if (n == 0) {
    snprintf(errbuf, FE_CAPTURE_ERR_MAX, "the input is empty");
  } else if (kind != NULL) {
    snprintf(errbuf, FE_CAPTURE_ERR_MAX,
             "not a capture: found %s; unpack it first", kind);
  } else if (has_capture_magic(b, n)) {
    snprintf(errbuf, FE_CAPTURE_ERR_MAX, "invalid capture header: %s", why);
  } else if (looks_like_text(b, n)) {
    snprintf(errbuf, FE_CAPTURE_ERR_MAX,
             "not a capture: found text starting \"%.*s\"", (int)n,
             (const char *)b);
  } else {
    snprintf(errbuf, FE_CAPTURE_ERR_MAX,
             "not a capture: first bytes are %02x %02x %02x %02x; "
             "expected pcap (a1b2c3d4) or pcapng (0a0d0d0a)",
             b[0], n > 1 ? b[1] : 0, n > 2 ? b[2] : 0, n > 3 ? b[3] : 0);
  }
}

static int open_outer(struct fe_capture *c)
{
  cookie_io_functions_t io = {counting_read, NULL, counting_seek,
                              counting_close};

  c->outer = fopencookie(c, "rb", io);
  if (c->outer == NULL) {
    return FE_ERR_NOMEM;
  }
  return 0;
}

/* The stream libpcap reads: the caller's own, or the counting one. */
static FILE *reader(const struct fe_capture *c)
{
  return c->outer != NULL ? c->outer : c->inner;
}

/* Bytes libpcap has taken from the input, as stdio knows it. */
static uint64_t position(const struct fe_capture *c)
{
  off_t pos = ftello(reader(c));

  return pos < 0 ? c->consumed : (uint64_t)pos;
}

/*
 * Advances good_offset past a record just read. libpcap cuts records
 * longer than the snapshot length to it and skips the rest, so such a
 * record's length on disk is only known to stdio.
 */
static void advance_offset(struct fe_capture *c, const struct pcap_pkthdr *hdr)
{
  if (c->classic_direct && hdr->caplen < (uint32_t)pcap_snapshot(c->pcap)) {
    c->good_offset += 16 + (uint64_t)hdr->caplen;
  } else {
    c->good_offset = position(c);
  }
}

static int is_classic_pcap(const uint8_t *b, size_t n)
{
  return n >= 4 && !(b[0] == 0x0a && b[1] == 0x0d) && has_capture_magic(b, n);
}

/*
 * A classic pcap in a regular file not yet read from is handed to
 * libpcap as it is: the first bytes are read aside with pread, and the
 * offset of each record is summed from the record lengths, which is much
 * cheaper than asking stdio (a system call per packet).
 */
static int sniff_regular_file(struct fe_capture *c)
{
  struct stat st;
  int fd = fileno(c->inner);
  ssize_t n;

  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      lseek(fd, 0, SEEK_CUR) != 0) {
    return -1;
  }
  n = pread(fd, c->head, sizeof(c->head), 0);
  c->head_len = n > 0 ? (size_t)n : 0;
  /* Captures are read once, front to back: ask for eager read-ahead. */
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  if (!is_classic_pcap(c->head, c->head_len)) {
    return -1;
  }
  c->classic_direct = 1;
  return 0;
}

static void free_failed(struct fe_capture *c)
{
  if (c->outer != NULL) {
    fclose(c->outer);
  }
  fclose(c->inner);
  free(c->buffer);
  free(c);
}

/*
 * stdio's default buffer is a page, which costs a system call every few
 * packets; glibc ignores the size unless it is given the buffer itself.
 */
static void enlarge_buffer(struct fe_capture *c)
{
  c->buffer = malloc(READ_BUFFER_BYTES);
  if (c->buffer != NULL &&
      setvbuf(reader(c), c->buffer, _IOFBF, READ_BUFFER_BYTES) != 0) {
    free(c->buffer);
    c->buffer = NULL;
  }
}

int fe_capture_open(FILE *fp, struct fe_capture **out, char *errbuf)
{
  struct fe_capture *c = calloc(1, sizeof(*c));
  char pcap_err[PCAP_ERRBUF_SIZE] = "";

  if (c == NULL) {
    snprintf(errbuf, FE_CAPTURE_ERR_MAX, "out of memory");
    fclose(fp);
    return FE_ERR_NOMEM;
  }
  c->inner = fp;
  if (sniff_regular_file(c) != 0) {
    if (open_outer(c) != 0) {
      snprintf(errbuf, FE_CAPTURE_ERR_MAX, "out of memory");
      free_failed(c);
      return FE_ERR_NOMEM;
    }
    c->head_len = fread(c->head, 1, sizeof(c->head), fp);
  }
  enlarge_buffer(c);
  c->pcap = pcap_fopen_offline_with_tstamp_precision(
      reader(c), PCAP_TSTAMP_PRECISION_MICRO, pcap_err);
  if (c->pcap == NULL) {
    describe_input(c, pcap_err, errbuf);
    free_failed(c);
    return FE_ERR_NOT_CAPTURE;
  }
  c->good_offset = position(c);
  c->link_type = pcap_datalink(c->pcap);
  *out = c;
  return 0;
}

/*
 * Microseconds since the epoch, wrapping on overflow as the reference's
 * Java long arithmetic does for absurd pcapng timestamps.
 */
static int64_t timestamp_us(const struct pcap_pkthdr *hdr)
{
  uint64_t us = (uint64_t)(int64_t)hdr->ts.tv_sec * 1000000u +
                (uint64_t)(int64_t)hdr->ts.tv_usec;

  return (int64_t)us;
}

int fe_capture_next(struct fe_capture *c, struct fe_frame *frame)
{
  struct pcap_pkthdr *hdr;
  const u_char *data;
  int rc = pcap_next_ex(c->pcap, &hdr, &data);

  if (rc == 1) {
    c->frames++;
    advance_offset(c, hdr);
    frame->ts_us = timestamp_us(hdr);
    frame->data = data;
    frame->caplen = hdr->caplen;
    frame->wirelen = hdr->len;
    frame->link_type = c->link_type;
    return 1;
  }
  if (rc == PCAP_ERROR_BREAK) {
    return 0;
  }
  snprintf(c->error, sizeof(c->error),
           "damaged capture at packet %llu (byte offset %llu): %s",
           (unsigned long long)c->frames + 1,
           (unsigned long long)c->good_offset, pcap_geterr(c->pcap));
  return FE_ERR_DAMAGED;
}

const char *fe_capture_error(const struct fe_capture *c)
{
  return c->error;
}

uint64_t fe_capture_bytes_read(const struct fe_capture *c)
{
  return c->good_offset;
}

int fe_capture_link_type(const struct fe_capture *c)
{
  return pcap_datalink(c->pcap);
}

void fe_capture_close(struct fe_capture *c)
{
  if (c == NULL) {
    return;
  }
  pcap_close(c->pcap); /* closes the stream it was given */
  if (c->outer != NULL) {
    fclose(c->inner);
  }
  free(c->buffer);
  free(c);
}
