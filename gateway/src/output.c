/* SPDX-License-Identifier: MIT */
/*
 * A first look at the service's response messages. ProcessPcapResponse is
 * a oneof, so a message is one field: its tag says what it is. Output
 * chunks, nearly every byte the gateway sends, are located in place
 * rather than unpacked, which would copy each of them once more.
 */
#include "gw_int.h"

#define FIELD_PROGRESS 1
#define FIELD_OUTPUT_START 2
#define FIELD_OUTPUT_CHUNK 3
#define WIRE_LENGTH_DELIMITED 2
#define VARINT_MAX_BYTES 10

/* Reads a base-128 varint at *pos; bounds-checked. */
static int get_varint(const uint8_t *buf, size_t len, size_t *pos,
                      uint64_t *out)
{
  uint64_t v = 0;

  for (unsigned i = 0; i < VARINT_MAX_BYTES && *pos < len; i++) {
    uint8_t b = buf[(*pos)++];

    v |= (uint64_t)(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *out = v;
      return 0;
    }
  }
  return -1;
}

enum gw_out_kind gw__out_kind(const struct rpc_msg *m, size_t *off, size_t *len)
{
  size_t pos = 0;
  uint64_t tag;
  uint64_t n;

  if (m->len == 0) {
    return GW_OUT_OTHER; /* no field set */
  }
  if (get_varint(m->data, m->len, &pos, &tag) != 0) {
    return GW_OUT_BAD;
  }
  switch (tag >> 3) {
  case FIELD_PROGRESS:
    return GW_OUT_PROGRESS;
  case FIELD_OUTPUT_START:
    return GW_OUT_START;
  case FIELD_OUTPUT_CHUNK:
    if ((tag & 7) != WIRE_LENGTH_DELIMITED ||
        get_varint(m->data, m->len, &pos, &n) != 0 || n != m->len - pos) {
      return GW_OUT_BAD;
    }
    *off = pos;
    *len = (size_t)n;
    return GW_OUT_CHUNK;
  default:
    return GW_OUT_OTHER;
  }
}
