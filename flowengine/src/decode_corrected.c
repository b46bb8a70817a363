/* SPDX-License-Identifier: MIT */
/*
 * Dissector of the corrected profile: the link type says where the IP
 * header starts, IPv4 and IPv6 are read (IPv6 extension headers walked to
 * the transport header), and lengths come from the IP headers, not from
 * what the snap length kept. A frame is never read as something else
 * than its link type says; what cannot be read is ignored with a reason.
 */
#include <string.h>

#include "fe_int.h"

/* Link types (DLT_ values as pcap_datalink reports them). */
enum {
  LT_NULL = 0,
  LT_EN10MB = 1,
  LT_RAW = 12,
  LT_RAW_OPENBSD = 14,
  LT_RAW_LINKTYPE = 101,
  LT_LOOP = 108,
  LT_LINUX_SLL = 113,
  LT_IPV4 = 228,
  LT_IPV6 = 229,
  LT_LINUX_SLL2 = 276
};

enum { ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86DD };

enum {
  IPPROTO_HOPOPTS_ = 0,
  IPPROTO_ICMP_ = 1,
  IPPROTO_TCP_ = 6,
  IPPROTO_UDP_ = 17,
  IPPROTO_ROUTING_ = 43,
  IPPROTO_FRAGMENT_ = 44,
  IPPROTO_AH_ = 51,
  IPPROTO_ICMPV6_ = 58,
  IPPROTO_DSTOPTS_ = 60
};

#define NOT_IP FE_IGNORE_NOT_IP
#define USED (-1)

/* The IP datagram of a frame: where it starts and what kind it is. */
struct l3 {
  const uint8_t *ip;
  uint32_t caplen; /* bytes captured from ip on */
  int version;     /* 4, 6, or 0 when the link says "not IP" */
};

static int version_of_ethertype(uint16_t type)
{
  if (type == ETH_IPV4) {
    return 4;
  }
  return type == ETH_IPV6 ? 6 : 0;
}

/* Ethernet II under any stack of 802.1Q, 802.1ad and old QinQ tags. */
static int link_ethernet(const uint8_t *d, uint32_t len, struct l3 *out)
{
  uint32_t off = 12;
  uint16_t type;

  for (;;) {
    if (off + 2 > len) {
      return FE_IGNORE_TRUNCATED;
    }
    type = fe__get_be16(d + off);
    if (type != 0x8100 && type != 0x88A8 && type != 0x9100) {
      break;
    }
    off += 4;
  }
  out->ip = d + off + 2;
  out->caplen = len - off - 2;
  out->version = version_of_ethertype(type);
  return USED;
}

static int link_cooked(const uint8_t *d, uint32_t len, uint32_t header,
                       uint32_t type_at, struct l3 *out)
{
  if (len < header) {
    return FE_IGNORE_TRUNCATED;
  }
  out->ip = d + header;
  out->caplen = len - header;
  out->version = version_of_ethertype(fe__get_be16(d + type_at));
  return USED;
}

static int link_raw(const uint8_t *d, uint32_t len, struct l3 *out)
{
  if (len < 1) {
    return FE_IGNORE_TRUNCATED;
  }
  out->ip = d;
  out->caplen = len;
  out->version = d[0] >> 4;
  if (out->version != 4 && out->version != 6) {
    out->version = 0;
  }
  return USED;
}

/* The address family is in the capturing host's byte order. */
static int link_loopback(const uint8_t *d, uint32_t len, struct l3 *out)
{
  uint32_t be;
  uint32_t le;

  if (len < 4) {
    return FE_IGNORE_TRUNCATED;
  }
  be = fe__get_be32(d);
  le = (uint32_t)d[3] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[1] << 8 | d[0];
  out->ip = d + 4;
  out->caplen = len - 4;
  if (be == 2 || le == 2) {
    out->version = 4;
  } else if (be == 10 || be == 24 || be == 28 || be == 30 || le == 10 ||
             le == 24 || le == 28 || le == 30) {
    out->version = 6;
  } else {
    out->version = 0;
  }
  return USED;
}

static int find_l3(int link_type, const uint8_t *d, uint32_t len,
                   struct l3 *out)
{
  switch (link_type) {
  case LT_EN10MB:
    return link_ethernet(d, len, out);
  case LT_LINUX_SLL:
    return link_cooked(d, len, 16, 14, out);
  case LT_LINUX_SLL2:
    return link_cooked(d, len, 20, 0, out);
  case LT_RAW:
  case LT_RAW_OPENBSD:
  case LT_RAW_LINKTYPE:
  case LT_IPV4:
  case LT_IPV6:
    return link_raw(d, len, out);
  case LT_NULL:
  case LT_LOOP:
    return link_loopback(d, len, out);
  default:
    return FE_IGNORE_LINK_TYPE;
  }
}

/* The transport part of a datagram, once the IP headers are behind. */
struct l4 {
  const uint8_t *hdr;
  uint32_t caplen; /* bytes captured from hdr on */
  int64_t length;  /* bytes the IP header says follow, from hdr on */
  uint8_t proto;
};

static int read_ipv4(const struct l3 *n, struct fe__packet *p, struct l4 *t)
{
  const uint8_t *ip = n->ip;
  uint32_t ihl;
  uint32_t total;

  if (n->caplen < 20) {
    return FE_IGNORE_TRUNCATED;
  }
  ihl = (uint32_t)(ip[0] & 0x0F) * 4;
  if (ihl < 20) {
    return FE_IGNORE_MALFORMED;
  }
  if (n->caplen < ihl) {
    return FE_IGNORE_TRUNCATED;
  }
  if ((fe__get_be16(ip + 6) & 0x1FFF) != 0) {
    return FE_IGNORE_FRAGMENT;
  }
  /* A length of 0 comes from segmentation offload: trust the capture. */
  total = fe__get_be16(ip + 2) == 0 ? n->caplen : fe__get_be16(ip + 2);
  if (total < ihl) {
    return FE_IGNORE_MALFORMED;
  }
  memcpy(p->tuple.src, ip + 12, 4);
  memcpy(p->tuple.dst, ip + 16, 4);
  p->tuple.family = 4;
  t->hdr = ip + ihl;
  t->caplen = n->caplen - ihl;
  t->length = (int64_t)total - ihl;
  t->proto = ip[9];
  return USED;
}

/* Length of the extension header at h, or 0 when next is not one. */
static uint32_t extension_length(uint8_t next, const uint8_t *h)
{
  switch (next) {
  case IPPROTO_HOPOPTS_:
  case IPPROTO_ROUTING_:
  case IPPROTO_DSTOPTS_:
    return ((uint32_t)h[1] + 1) * 8;
  case IPPROTO_FRAGMENT_:
    return 8;
  case IPPROTO_AH_:
    return ((uint32_t)h[1] + 2) * 4;
  default:
    return 0;
  }
}

static int is_extension(uint8_t next)
{
  return next == IPPROTO_HOPOPTS_ || next == IPPROTO_ROUTING_ ||
         next == IPPROTO_DSTOPTS_ || next == IPPROTO_FRAGMENT_ ||
         next == IPPROTO_AH_;
}

/* Walks the extension headers; t holds what follows the fixed header. */
static int walk_extensions(struct l4 *t)
{
  while (is_extension(t->proto)) {
    uint32_t len;

    if (t->caplen < 8) {
      return FE_IGNORE_TRUNCATED;
    }
    len = extension_length(t->proto, t->hdr);
    if (t->proto == IPPROTO_FRAGMENT_ &&
        (fe__get_be16(t->hdr + 2) & 0xFFF8) != 0) {
      return FE_IGNORE_FRAGMENT;
    }
    if (t->caplen < len) {
      return FE_IGNORE_TRUNCATED;
    }
    if (t->length < len) {
      return FE_IGNORE_MALFORMED;
    }
    t->proto = t->hdr[0];
    t->hdr += len;
    t->caplen -= len;
    t->length -= len;
  }
  return USED;
}

static int read_ipv6(const struct l3 *n, struct fe__packet *p, struct l4 *t)
{
  const uint8_t *ip = n->ip;
  uint16_t payload;

  if (n->caplen < 40) {
    return FE_IGNORE_TRUNCATED;
  }
  memcpy(p->tuple.src, ip + 8, 16);
  memcpy(p->tuple.dst, ip + 24, 16);
  p->tuple.family = 6;
  payload = fe__get_be16(ip + 4);
  t->hdr = ip + 40;
  t->caplen = n->caplen - 40;
  /* 0 is a jumbogram or segmentation offload: trust the capture. */
  t->length = payload == 0 ? t->caplen : payload;
  t->proto = ip[6];
  return walk_extensions(t);
}

static int read_tcp(const struct l4 *t, struct fe__packet *p)
{
  const uint8_t *h = t->hdr;
  uint32_t len;

  if (t->caplen < 20) {
    return FE_IGNORE_TRUNCATED;
  }
  len = (uint32_t)(h[12] >> 4) * 4;
  if (len < 20) {
    return FE_IGNORE_MALFORMED;
  }
  if (t->caplen < len) {
    return FE_IGNORE_TRUNCATED;
  }
  if (t->length < len) {
    return FE_IGNORE_MALFORMED;
  }
  p->tuple.sport = fe__get_be16(h);
  p->tuple.dport = fe__get_be16(h + 2);
  p->seq = fe__get_be32(h + 4);
  p->ack = fe__get_be32(h + 8);
  p->flags = h[13];
  p->window = fe__get_be16(h + 14);
  p->header = len;
  return USED;
}

/* UDP, ICMP and ICMPv6: a fixed 8-byte header. */
static int read_fixed8(const struct l4 *t, struct fe__packet *p)
{
  if (t->caplen < 8) {
    return FE_IGNORE_TRUNCATED;
  }
  if (t->length < 8) {
    return FE_IGNORE_MALFORMED;
  }
  if (t->proto == IPPROTO_UDP_) {
    p->tuple.sport = fe__get_be16(t->hdr);
    p->tuple.dport = fe__get_be16(t->hdr + 2);
  } else {
    p->icmp_type = t->hdr[0];
    p->icmp_code = t->hdr[1];
  }
  p->header = 8;
  return USED;
}

static int read_transport(const struct l4 *t, struct fe__packet *p)
{
  int rc = USED;

  p->tuple.proto = t->proto;
  switch (t->proto) {
  case IPPROTO_TCP_:
    rc = read_tcp(t, p);
    break;
  case IPPROTO_UDP_:
  case IPPROTO_ICMP_:
  case IPPROTO_ICMPV6_:
    rc = read_fixed8(t, p);
    break;
  default:
    p->header = 0;
    break;
  }
  p->payload = t->length - p->header;
  return rc;
}

static void clear_packet(struct fe__packet *p)
{
  memset(&p->tuple, 0, sizeof(p->tuple));
  p->payload = 0;
  p->header = 0;
  p->window = 0;
  p->flags = 0;
  p->icmp_type = -1;
  p->icmp_code = -1;
  p->seq = 0;
  p->ack = 0;
}

int fe__decode_corrected(int link_type, const uint8_t *data, uint32_t caplen,
                         struct fe__packet *out)
{
  struct l3 n;
  struct l4 t;
  int rc = find_l3(link_type, data, caplen, &n);

  if (rc != USED) {
    return rc;
  }
  clear_packet(out);
  if (n.version == 4) {
    rc = read_ipv4(&n, out, &t);
  } else if (n.version == 6) {
    rc = read_ipv6(&n, out, &t);
  } else {
    return NOT_IP;
  }
  return rc != USED ? rc : read_transport(&t, out);
}
