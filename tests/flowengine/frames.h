/* SPDX-License-Identifier: MIT */
/*
 * Hand-built frames for the tests of the corrected profile. A struct
 * fr_spec describes one packet from the link layer to the payload; every
 * field left at zero takes the ordinary value, so a test names only what
 * it is about. Length fields are written from the spec, never from what
 * is captured, so a test can make headers and capture disagree.
 */
#ifndef TESTS_FLOWENGINE_FRAMES_H
#define TESTS_FLOWENGINE_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "flowengine/meter.h"

#define FR_MAX 16384 /* bytes of one frame, link header included */
#define FR_MAX_EXT 6 /* IPv6 extension headers of one packet */
#define FR_MAX_VLAN 4

/* Link types (DLT_ values) the corrected profile reads. */
#define FR_DLT_NULL 0
#define FR_DLT_EN10MB 1
#define FR_DLT_RAW_12 12
#define FR_DLT_RAW_14 14
#define FR_DLT_RAW 101
#define FR_DLT_LOOP 108
#define FR_DLT_LINUX_SLL 113
#define FR_DLT_IPV4 228
#define FR_DLT_IPV6 229
#define FR_DLT_LINUX_SLL2 276

/* TCP flag bits, as in byte 13 of the TCP header. */
#define FR_FIN 0x01
#define FR_SYN 0x02
#define FR_RST 0x04
#define FR_PSH 0x08
#define FR_ACK 0x10
#define FR_URG 0x20
#define FR_ECE 0x40
#define FR_CWR 0x80

/* IPv6 extension headers, by their next-header value. */
#define FR_EXT_HOP 0    /* hop-by-hop options, written as 8 bytes */
#define FR_EXT_ROUTE 43 /* routing, 24 bytes (length field 2) */
#define FR_EXT_FRAG 44  /* fragment, 8 bytes; frag_off/more_frags */
#define FR_EXT_AH 51    /* AH, 24 bytes (length field 4, 4-byte units) */
#define FR_EXT_DEST 60  /* destination options, 16 bytes (length 1) */

/* How the IP datagram is framed. */
enum fr_link {
  FR_LINK_ETH = 0, /* Ethernet II, with the vlan[] tags; DLT 1 */
  FR_LINK_SLL,     /* Linux cooked v1, 16 bytes; DLT 113 */
  FR_LINK_SLL2,    /* Linux cooked v2, 20 bytes; DLT 276 */
  FR_LINK_RAW,     /* no link header; DLT 101 */
  FR_LINK_NULL_LE, /* 4-byte family, little-endian; DLT 0 */
  FR_LINK_NULL_BE  /* 4-byte family, big-endian; DLT 0 */
};

struct fr_spec {
  int64_t ts;      /* microseconds since the epoch */
  const char *src; /* IPv4 or IPv6 text; it decides the IP version */
  const char *dst;
  uint8_t proto; /* IP protocol of the transport header */
  /* TCP and UDP */
  uint16_t sport;
  uint16_t dport;
  /* TCP only */
  uint8_t flags; /* FR_FIN ... FR_CWR */
  uint32_t seq;
  uint32_t ack;
  uint16_t window;     /* raw 16-bit field */
  uint8_t tcp_opt_len; /* option bytes (NOPs), a multiple of 4 */
  uint8_t tcp_doff;    /* data offset written; 0: from tcp_opt_len */
  /* ICMP and ICMPv6: an 8-byte header */
  uint8_t icmp_type;
  uint8_t icmp_code;
  uint16_t payload;    /* bytes after the transport header */
  const uint8_t *body; /* their content, payload bytes; NULL: zeros */
  /* IP */
  uint8_t version;         /* version nibble written; 0: from src */
  uint8_t ip_opt_len;      /* IPv4 option bytes (NOPs), a multiple of 4 */
  uint8_t ihl;             /* IHL written; 0: from ip_opt_len */
  uint16_t frag_off;       /* fragment offset, 8-byte units (v4 or v6) */
  uint8_t more_frags;      /* MF (IPv4) or M (IPv6 fragment header) */
  uint8_t ip_len_zero;     /* IPv4 total / IPv6 payload length 0 */
  int16_t ip_len_delta;    /* added to the IP length field written */
  uint8_t ext[FR_MAX_EXT]; /* IPv6 extension headers, in order */
  uint8_t n_ext;
  /* link layer */
  enum fr_link link;
  int dlt;                    /* link type given; 0: link's own */
  uint16_t vlan[FR_MAX_VLAN]; /* Ethernet tag TPIDs, outermost first */
  uint8_t n_vlan;
  uint32_t l2_proto; /* EtherType, SLL protocol or loopback family */
  uint16_t pad;      /* zero bytes after the datagram (padding) */
  uint32_t caplen;   /* captured bytes, 0: the whole frame */
};

/* A built frame: the bytes and the fe_frame that points at them. */
struct fr_frame {
  uint8_t buf[FR_MAX];
  struct fe_frame frame;
  size_t ip_off; /* offset of the IP header in buf */
  size_t l4_off; /* offset of the transport header in buf */
};

/* fr_build: writes the frame of s into out. */
void fr_build(const struct fr_spec *s, struct fr_frame *out);

/*
 * fr_datagram: writes the IP datagram of s (no link header) into buf of
 * cap bytes and returns its length; for tunnels and ICMP quotes.
 */
size_t fr_datagram(const struct fr_spec *s, uint8_t *buf, size_t cap);

/* Specs of the common packets; a test then changes what it needs. */
struct fr_spec fr_tcp(int64_t ts, const char *src, uint16_t sport,
                      const char *dst, uint16_t dport, uint8_t flags);
struct fr_spec fr_udp(int64_t ts, const char *src, uint16_t sport,
                      const char *dst, uint16_t dport, uint16_t payload);
/* ICMP for IPv4 addresses, ICMPv6 for IPv6 ones. */
struct fr_spec fr_icmp(int64_t ts, const char *src, const char *dst,
                       uint8_t type, uint8_t code);
/* Any other protocol: no transport header, payload bytes only. */
struct fr_spec fr_ip(int64_t ts, const char *src, const char *dst,
                     uint8_t proto, uint16_t payload);

#endif /* TESTS_FLOWENGINE_FRAMES_H */
