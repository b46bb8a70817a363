/* SPDX-License-Identifier: MIT */
/*
 * Frame dissection as CICFlowMeter's jnetpcap 1.4 does it. The pcap link
 * type is ignored: a frame is read as Ethernet first and, when that finds
 * no usable IPv4 header, again from byte 0 as IPv4. jnetpcap records each
 * header's offset, length and payload with its own clipping rules, and
 * several quirks (which header supplies addresses, which ports, how much
 * payload counts) follow from those rules, so they are reproduced here
 * step for step rather than replaced by a cleaner parser.
 */
#include "fe_int.h"

#include <string.h>

enum layer {
  L_NONE,
  L_ETH,
  L_VLAN,
  L_L2TP,
  L_PPP,
  L_IP6,
  L_IP4,
  L_ICMP,
  L_TCP,
  L_UDP
};

/* A header as jnetpcap records it: where it starts and what it spans. */
struct hdr {
  int64_t off;
  int64_t len;
  int64_t payload;
};

/* The few headers the features need, from one dissection pass. */
struct scan {
  const uint8_t *buf;
  int64_t caplen;  /* bytes in buf */
  int64_t buf_len; /* usable length, after padding and wire-length cuts */
  int64_t wire;
  int have_ip4, have_tcp, have_udp;
  int ip4_cut; /* an IPv4 header began but had under 20 bytes */
  struct hdr ip4, tcp, udp;
};

/* Every read below is preceded by a check against buf_len <= caplen. */
static unsigned be16(const struct scan *s, int64_t off)
{
  return (unsigned)s->buf[off] << 8 | s->buf[off + 1];
}

static enum layer by_ethertype(unsigned type)
{
  switch (type) {
  case 0x0800:
    return L_IP4;
  case 0x86DD:
    return L_IP6;
  case 0x8100:
  case 0x88A8:
  case 0x9100:
    return L_VLAN;
  default:
    return L_NONE;
  }
}

static enum layer by_ip_protocol(unsigned proto)
{
  switch (proto) {
  case 1:
    return L_ICMP;
  case 4:
    return L_IP4;
  case 6:
    return L_TCP;
  case 17:
    return L_UDP;
  default:
    return L_NONE;
  }
}

static int is_ip6_extension(unsigned next)
{
  return next == 0 || next == 43 || next == 44 || next == 50 || next == 51 ||
         next == 60 || next == 135;
}

/*
 * IPv6: 40 bytes plus extension headers. The bound check counts the
 * header's offset twice; jnetpcap does, and it decides where the walk
 * stops.
 */
static enum layer ip6_header(const struct scan *s, int64_t off, int64_t *len,
                             int64_t *payload)
{
  unsigned next = s->buf[off + 6];
  int64_t pos = off + 40;

  *len = 40;
  *payload = (int64_t)be16(s, off + 4);
  while (is_ip6_extension(next)) {
    int64_t ext;

    if (off + *len + 2 > s->buf_len) {
      return L_NONE;
    }
    ext = (int64_t)s->buf[pos + 1] * 8 + 8;
    if (off + off + ext > s->buf_len) {
      return L_NONE;
    }
    next = s->buf[pos];
    *len += ext;
    *payload -= ext;
    pos += ext;
  }
  if (next == 1 || next == 4 || next == 6 || next == 17) {
    return by_ip_protocol(next);
  }
  return L_NONE;
}

/*
 * IPv4 right after Ethernet trims the frame to the IP total length, which
 * is how Ethernet padding stops counting as payload (and how a total
 * length of 0 from segmentation offload leaves no TCP header at all).
 */
static enum layer ip4_header(struct scan *s, int64_t off, enum layer prev,
                             int64_t *len, int64_t *payload)
{
  int64_t total = (int64_t)be16(s, off + 2);
  unsigned frag = be16(s, off + 6);

  *len = (int64_t)(s->buf[off] & 0x0F) * 4;
  *payload = total - *len;
  if (prev == L_ETH && total <= s->buf_len) {
    int64_t postfix = s->buf_len - off - total;

    if (postfix > 0) {
      s->buf_len -= postfix;
    }
  }
  if (frag & 0x2000) {
    *payload = s->buf_len - *len - off;
  }
  if (off + 16 > s->buf_len || (frag & 0x1FFF) != 0) {
    return L_NONE;
  }
  if (s->buf[off + 9] == 115) {
    return L_L2TP;
  }
  return by_ip_protocol(s->buf[off + 9]);
}

/*
 * One header's nominal length and next layer. Returns 0 when the header
 * is too short to be dissected at all, which ends the pass.
 */
static int header_shape(struct scan *s, enum layer kind, enum layer prev,
                        int64_t off, int64_t *len, int64_t *payload,
                        enum layer *next)
{
  int64_t rem = s->buf_len - off;
  unsigned v;

  *payload = 0;
  *next = L_NONE;
  switch (kind) {
  case L_ETH:
    if (rem < 14) {
      return 0;
    }
    *len = 14;
    v = be16(s, off + 12);
    *next = v < 0x600 ? L_NONE : by_ethertype(v);
    return 1;
  case L_VLAN:
    if (rem < 4) {
      return 0;
    }
    *len = 4;
    if (off + 14 <= s->buf_len) {
      v = be16(s, off + 2);
      *next = v < 0x600 ? L_NONE : by_ethertype(v);
    }
    return 1;
  case L_L2TP:
    if (rem < 2) {
      return 0;
    }
    v = s->buf[off];
    *len = 6 + (v & 0x40 ? 2 : 0) + (v & 0x08 ? 4 : 0) + (v & 0x02 ? 4 : 0);
    *next = (v & 0x80) ? L_NONE : L_PPP;
    return 1;
  case L_PPP:
    if (rem < 4) {
      return 0;
    }
    *len = 4;
    v = be16(s, off + 2);
    *next = v == 0x0021 ? L_IP4 : (v == 0x0057 ? L_IP6 : L_NONE);
    return 1;
  case L_IP6:
    if (rem < 40) {
      return 0;
    }
    *next = ip6_header(s, off, len, payload);
    return 1;
  case L_IP4:
    if (rem < 20) {
      return 0;
    }
    *next = ip4_header(s, off, prev, len, payload);
    return 1;
  case L_ICMP:
    if (rem < 4) {
      return 0;
    }
    *len = 8;
    v = s->buf[off];
    *next = (v == 3 || v == 12) ? L_IP4 : L_NONE;
    return 1;
  case L_TCP:
    if (rem < 20) {
      return 0;
    }
    *len = (int64_t)(s->buf[off + 12] >> 4) * 4;
    return 1;
  case L_UDP:
    if (rem < 8) {
      return 0;
    }
    *len = 8;
    if (be16(s, off) == 1701 || be16(s, off + 2) == 1701) {
      *next = L_L2TP;
    }
    return 1;
  case L_NONE:
    break;
  }
  return 0;
}

/* jnetpcap's truncation rule: clip payload, then header, to the frame. */
static void clip_to_frame(const struct scan *s, struct hdr *h)
{
  int64_t blen = s->buf_len;
  int64_t start = h->off + h->len + h->payload;

  if (h->payload == 0) {
    h->payload = blen - (h->off + h->len);
    if (h->payload < 0) {
      h->payload = 0;
    }
    start = h->off + h->len + h->payload;
  }
  if (start <= blen) {
    return;
  }
  start -= h->payload;
  h->payload = start > blen ? 0 : blen - start;
  start -= h->len;
  if (start + h->len > blen) {
    h->len = start > blen ? 0 : blen - start;
  }
}

static void remember(struct scan *s, enum layer kind, const struct hdr *h)
{
  if (kind == L_IP4 && !s->have_ip4) {
    s->have_ip4 = 1;
    s->ip4 = *h;
  } else if (kind == L_TCP && !s->have_tcp) {
    s->have_tcp = 1;
    s->tcp = *h;
  } else if (kind == L_UDP && !s->have_udp) {
    s->have_udp = 1;
    s->udp = *h;
  }
}

static void scan_frame(struct scan *s, enum layer kind)
{
  enum layer prev = L_NONE;
  int64_t off = 0;

  while (kind != L_NONE && off < s->buf_len) {
    struct hdr h = {off, 0, 0};
    enum layer next;

    if (!header_shape(s, kind, prev, off, &h.len, &h.payload, &next) ||
        h.len == 0) {
      s->ip4_cut = kind == L_IP4 && !s->have_ip4;
      break;
    }
    if (s->buf_len > s->wire) {
      s->buf_len = s->wire;
    }
    clip_to_frame(s, &h);
    remember(s, kind, &h);
    if (s->buf_len - (off + h.len) == 0) {
      next = L_NONE;
    }
    off += h.len;
    prev = kind;
    kind = next;
  }
}

/* IPv4 option kinds jnetpcap's Java decoder knows; it stops at others. */
static int known_ip4_option(unsigned kind)
{
  return kind <= 4 || (kind >= 7 && kind <= 21) || kind == 23 || kind == 24 ||
         kind == 25;
}

/* jnetpcap walks IPv4 options in Java and throws on reading past them. */
static int ip4_options_readable(const struct scan *s)
{
  const uint8_t *ip = s->buf + s->ip4.off;
  int64_t nominal = (int64_t)(ip[0] & 0x0F) * 4;
  int64_t i = 20;

  while (i < nominal) {
    unsigned kind;

    if (i >= s->ip4.len) {
      return 0;
    }
    kind = ip[i] & 0x1F;
    if (!known_ip4_option(kind)) {
      break;
    }
    if (kind == 0) {
      i = nominal;
    } else if (kind != 1) {
      if (i + 1 >= s->ip4.len) {
        return 0;
      }
      i += ip[i + 1];
    }
    i++;
  }
  return 1;
}

/* Only the first TCP option is decoded; its bytes must be recorded. */
static int tcp_options_readable(const struct scan *s)
{
  const uint8_t *tcp = s->buf + s->tcp.off;
  int64_t nominal = (int64_t)(tcp[12] >> 4) * 4;

  if (nominal <= 20) {
    return 1;
  }
  if (s->tcp.len <= 20) {
    return 0;
  }
  if (tcp[20] == 0 || tcp[20] == 1) {
    return 1;
  }
  return s->tcp.len > 21;
}

enum verdict { V_USED, V_NO_IPV4, V_MALFORMED };

static enum verdict take_tcp(const struct scan *s, struct fe__packet *p)
{
  const uint8_t *t;

  if (s->tcp.len < 16 || !tcp_options_readable(s)) {
    return V_MALFORMED;
  }
  t = s->buf + s->tcp.off;
  p->tuple.sport = fe__get_be16(t);
  p->tuple.dport = fe__get_be16(t + 2);
  p->tuple.proto = 6;
  p->flags = t[13];
  p->window = fe__get_be16(t + 14);
  p->payload = s->tcp.payload;
  p->header = s->tcp.len;
  return V_USED;
}

static enum verdict take_packet(const struct scan *s, struct fe__packet *p)
{
  const uint8_t *ip;

  if (!s->have_ip4) {
    return s->ip4_cut ? V_MALFORMED : V_NO_IPV4;
  }
  if (s->ip4.len < 20 || s->ip4.off + s->ip4.len > s->caplen ||
      !ip4_options_readable(s)) {
    return V_MALFORMED;
  }
  ip = s->buf + s->ip4.off;
  memset(&p->tuple, 0, sizeof(p->tuple));
  memcpy(p->tuple.src, ip + 12, 4);
  memcpy(p->tuple.dst, ip + 16, 4);
  p->tuple.family = 4;
  p->payload = 0;
  p->header = 0;
  p->window = 0;
  p->flags = 0;
  if (s->have_tcp) {
    return take_tcp(s, p);
  }
  if (s->have_udp) {
    const uint8_t *u = s->buf + s->udp.off;

    p->tuple.sport = fe__get_be16(u);
    p->tuple.dport = fe__get_be16(u + 2);
    p->tuple.proto = 17;
    p->payload = s->udp.payload;
    p->header = s->udp.len;
  }
  return V_USED;
}

static enum verdict decode_pass(const uint8_t *data, uint32_t caplen,
                                uint32_t wirelen, enum layer first,
                                struct fe__packet *out)
{
  struct scan s;

  memset(&s, 0, sizeof(s));
  s.buf = data;
  s.caplen = caplen;
  s.buf_len = caplen;
  s.wire = wirelen;
  scan_frame(&s, first);
  return take_packet(&s, out);
}

/*
 * The common frame, Ethernet + IPv4 without options or fragmentation +
 * a complete TCP or UDP header, decoded in one step. For such a frame
 * the general pass (scan_frame, take_packet) only trims the frame to the
 * IP total length (jnetpcap's check compares the total length, not its
 * end, with the frame length, which comes to the same minimum here),
 * records the transport header whole and counts what follows it as
 * payload; the wire-length cut does nothing when the wire length is not
 * below the captured one, and a header that fits leaves the option checks
 * nothing to reject. UDP port 1701 (L2TP) goes on to inner headers, so it
 * takes the general path, as does every other shape. Returns 1 when it
 * decoded the frame, 0 when the general path must.
 */
static int decode_common(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                         struct fe__packet *out)
{
  const uint8_t *ip = data + 14;
  const uint8_t *l4 = ip + 20;
  int64_t frame;
  int64_t total;
  int64_t header;

  if (caplen < 14 + 20 + 8 || wirelen < caplen || data[12] != 0x08 ||
      data[13] != 0x00 || (ip[0] & 0x0F) != 5 || (ip[6] & 0x3F) != 0 ||
      ip[7] != 0) {
    return 0;
  }
  total = (int64_t)ip[2] << 8 | ip[3];
  frame = 14 + total < caplen ? 14 + total : caplen;
  if (ip[9] == 6) {
    if (frame < 14 + 20 + 20) {
      return 0;
    }
    header = (int64_t)(l4[12] >> 4) * 4;
    if (header < 20 || 14 + 20 + header > frame) {
      return 0;
    }
    out->flags = l4[13];
    out->window = fe__get_be16(l4 + 14);
  } else if (ip[9] == 17) {
    header = 8;
    if (frame < 14 + 20 + header || (l4[0] == 0x06 && l4[1] == 0xA5) ||
        (l4[2] == 0x06 && l4[3] == 0xA5)) {
      return 0;
    }
    out->flags = 0;
    out->window = 0;
  } else {
    return 0;
  }
  memset(&out->tuple, 0, sizeof(out->tuple));
  memcpy(out->tuple.src, ip + 12, 4);
  memcpy(out->tuple.dst, ip + 16, 4);
  out->tuple.family = 4;
  out->tuple.sport = fe__get_be16(l4);
  out->tuple.dport = fe__get_be16(l4 + 2);
  out->tuple.proto = ip[9];
  out->header = header;
  out->payload = frame - (14 + 20 + header);
  return 1;
}

/*
 * The reason given for an ignored frame follows the frame's real shape:
 * it is malformed if its IPv4 header (after Ethernet, or at byte 0 with
 * version 4) was cut short or invalid, and otherwise has no IPv4 at all.
 * The second pass over non-IP frames is the reference's quirk, so its
 * failures on ARP or IPv6 frames do not count as malformed.
 */
int fe__decode_cic(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                   struct fe__packet *out)
{
  enum verdict as_ethernet;
  enum verdict as_ip;

  if (decode_common(data, caplen, wirelen, out)) {
    return -1;
  }
  as_ethernet = decode_pass(data, caplen, wirelen, L_ETH, out);
  if (as_ethernet == V_USED) {
    return -1;
  }
  if (caplen < 2) {
    as_ip = V_NO_IPV4;
  } else {
    as_ip = decode_pass(data, caplen, wirelen, L_IP4, out);
    if (as_ip == V_USED) {
      return -1;
    }
  }
  if (as_ethernet == V_MALFORMED ||
      (as_ip == V_MALFORMED && (data[0] >> 4) == 4)) {
    return FE_IGNORE_MALFORMED;
  }
  return FE_IGNORE_NO_IPV4;
}
