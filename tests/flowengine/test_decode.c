/* SPDX-License-Identifier: MIT */
/*
 * Tests of decode.c: the jnetpcap-style dissection of one frame. Frames
 * are built byte by byte so that each test shows the exact shape that
 * triggers a quirk of the reference (cic-profile.md §2).
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "fe_int.h"

Suite *fe_decode_suite(void);

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100

#define IP_CLIENT 0xC0A80A05u /* 192.168.10.5 */
#define IP_SERVER 0xC0A80A32u /* 192.168.10.50 */
#define IP_ROUTER 0xC0A80A01u /* 192.168.10.1 */

/* The verdict fe__decode_cic gives a frame it uses. */
#define USED (-1)

static void put16(uint8_t *b, unsigned v)
{
  b[0] = (uint8_t)(v >> 8);
  b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
  put16(b, v >> 16);
  put16(b + 2, v & 0xFFFF);
}

/* Ethernet II from 00:0c:29:01:02:03 to a MAC whose first byte is dst0. */
static size_t put_eth(uint8_t *b, uint8_t dst0, unsigned type)
{
  static const uint8_t macs[12] = {0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c,
                                   0x00, 0x0c, 0x29, 0x01, 0x02, 0x03};

  memcpy(b, macs, sizeof(macs));
  b[0] = dst0;
  put16(b + 12, type);
  return 14;
}

/* IPv4 without options; frag is the flags + fragment offset field. */
static size_t put_ip4(uint8_t *b, unsigned total, unsigned frag, uint8_t proto,
                      uint32_t src, uint32_t dst)
{
  memset(b, 0, 20);
  b[0] = 0x45;
  put16(b + 2, total);
  put16(b + 6, frag);
  b[8] = 64;
  b[9] = proto;
  put32(b + 12, src);
  put32(b + 16, dst);
  return 20;
}

/* TCP with a header of words * 4 bytes; option bytes stay zero. */
static size_t put_tcp(uint8_t *b, unsigned sport, unsigned dport, uint8_t flags,
                      unsigned window, unsigned words)
{
  memset(b, 0, words * 4);
  put16(b, sport);
  put16(b + 2, dport);
  b[12] = (uint8_t)(words << 4);
  b[13] = flags;
  put16(b + 14, window);
  return words * 4;
}

static size_t put_udp(uint8_t *b, unsigned sport, unsigned dport,
                      unsigned length_field)
{
  memset(b, 0, 8);
  put16(b, sport);
  put16(b + 2, dport);
  put16(b + 4, length_field);
  return 8;
}

static int decode(const uint8_t *frame, size_t caplen, struct fe__packet *p)
{
  memset(p, 0x5A, sizeof(*p));
  return fe__decode_cic(frame, (uint32_t)caplen, (uint32_t)caplen, p);
}

START_TEST(test_fe__decode_cic_tcp_frame_returns_all_fields)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /* 20 (IPv4) + 20 (TCP) + 5 payload bytes = total length 45. */
  n += put_ip4(f + n, 45, 0x4000, 6, IP_CLIENT, IP_SERVER);
  n += put_tcp(f + n, 40000, 80, FE__TCP_PSH | FE__TCP_ACK, 502, 5);
  n += 5;

  ck_assert_int_eq(decode(f, n, &p), USED);
  ck_assert_uint_eq(fe__get_be32(p.tuple.src), IP_CLIENT);
  ck_assert_uint_eq(fe__get_be32(p.tuple.dst), IP_SERVER);
  ck_assert_uint_eq(p.tuple.sport, 40000);
  ck_assert_uint_eq(p.tuple.dport, 80);
  ck_assert_uint_eq(p.tuple.proto, 6);
  ck_assert_uint_eq(p.flags, 0x18);
  ck_assert_uint_eq(p.window, 502);
  ck_assert_int_eq(p.header, 20);
  ck_assert_int_eq(p.payload, 5);
}
END_TEST

START_TEST(test_fe__decode_cic_ethernet_padding_is_not_payload)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /*
   * A pure ACK is 54 bytes; the NIC pads it to the 60-byte minimum. IPv4
   * right after Ethernet cuts the frame at 14 + total length (40), so the
   * six padding bytes are not payload (§2.3).
   */
  n += put_ip4(f + n, 40, 0x4000, 6, IP_CLIENT, IP_SERVER);
  n += put_tcp(f + n, 40000, 80, FE__TCP_ACK, 502, 5);
  memset(f + n, 0xAA, 6);
  n += 6;

  ck_assert_uint_eq(n, 60);
  ck_assert_int_eq(decode(f, n, &p), USED);
  ck_assert_uint_eq(p.tuple.proto, 6);
  ck_assert_int_eq(p.payload, 0);
  ck_assert_int_eq(p.header, 20);
}
END_TEST

START_TEST(test_fe__decode_cic_vlan_padding_counts_as_payload)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_VLAN);

  /*
   * 14 + 4 (802.1Q tag, VLAN 10) + 20 + 20 = 58 bytes, padded to 60. The
   * padding trim only happens when IPv4 directly follows Ethernet, so the
   * two padding bytes count as TCP payload (§2.3, quirk 10).
   */
  put16(f + n, 10);
  put16(f + n + 2, ETHERTYPE_IPV4);
  n += 4;
  n += put_ip4(f + n, 40, 0x4000, 6, IP_CLIENT, IP_SERVER);
  n += put_tcp(f + n, 40000, 80, FE__TCP_ACK, 502, 5);
  n += 2;

  ck_assert_uint_eq(n, 60);
  ck_assert_int_eq(decode(f, n, &p), USED);
  ck_assert_uint_eq(p.tuple.proto, 6);
  ck_assert_uint_eq(p.tuple.sport, 40000);
  ck_assert_int_eq(p.payload, 2);
}
END_TEST

START_TEST(test_fe__decode_cic_ip_total_length_zero_gives_protocol_zero)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /*
   * Segmentation offload leaves total length 0 in the capture. The trim
   * then cuts the frame right after Ethernet, no TCP header is found and
   * the packet is kept as protocol 0 with ports 0 and no lengths (§2.3).
   */
  n += put_ip4(f + n, 0, 0x4000, 6, IP_CLIENT, IP_SERVER);
  n += put_tcp(f + n, 40000, 80, FE__TCP_ACK, 502, 5);
  n += 100;

  ck_assert_int_eq(decode(f, n, &p), USED);
  ck_assert_uint_eq(fe__get_be32(p.tuple.src), IP_CLIENT);
  ck_assert_uint_eq(fe__get_be32(p.tuple.dst), IP_SERVER);
  ck_assert_uint_eq(p.tuple.proto, 0);
  ck_assert_uint_eq(p.tuple.sport, 0);
  ck_assert_uint_eq(p.tuple.dport, 0);
  ck_assert_uint_eq(p.flags, 0);
  ck_assert_int_eq(p.payload, 0);
  ck_assert_int_eq(p.header, 0);
}
END_TEST

START_TEST(test_fe__decode_cic_non_first_fragment_gives_protocol_zero)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /*
   * Fragment offset 185 (1480 bytes in): the bytes after the IPv4 header
   * are the middle of a UDP datagram, not a UDP header, so the packet is
   * protocol 0 (§2.3), even though they look like ports 53 -> 53.
   */
  n += put_ip4(f + n, 20 + 16, 185, 17, IP_CLIENT, IP_SERVER);
  n += put_udp(f + n, 53, 53, 16);
  n += 8;

  ck_assert_int_eq(decode(f, n, &p), USED);
  ck_assert_uint_eq(p.tuple.proto, 0);
  ck_assert_uint_eq(p.tuple.sport, 0);
  ck_assert_uint_eq(p.tuple.dport, 0);
  ck_assert_int_eq(p.payload, 0);
}
END_TEST

START_TEST(test_fe__decode_cic_first_fragment_is_parsed_as_udp)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /*
   * Offset 0 with More Fragments set: the UDP header is here and the
   * payload is what this fragment carries (24 bytes), not the 2000 the
   * UDP length field announces for the whole datagram.
   */
  n += put_ip4(f + n, 20 + 8 + 24, 0x2000, 17, IP_CLIENT, IP_SERVER);
  n += put_udp(f + n, 5000, 53, 2000);
  n += 24;

  ck_assert_int_eq(decode(f, n, &p), USED);
  ck_assert_uint_eq(p.tuple.proto, 17);
  ck_assert_uint_eq(p.tuple.sport, 5000);
  ck_assert_int_eq(p.payload, 24);
  ck_assert_int_eq(p.header, 8);
}
END_TEST

START_TEST(test_fe__decode_cic_icmp_unreachable_mixes_outer_ips_inner_ports)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /*
   * The router tells the client its SYN to the server could not be
   * delivered, quoting the SYN's IPv4 header and 20 bytes of its TCP
   * header. Addresses come from the outer header (router -> client),
   * ports and flags from the quoted TCP header (§2.3, quirk 9).
   */
  n += put_ip4(f + n, 20 + 8 + 20 + 20, 0, 1, IP_ROUTER, IP_CLIENT);
  f[n] = 3;     /* destination unreachable */
  f[n + 1] = 3; /* port unreachable */
  n += 8;
  n += put_ip4(f + n, 60, 0x4000, 6, IP_CLIENT, IP_SERVER);
  n += put_tcp(f + n, 40000, 80, FE__TCP_SYN, 64240, 5);

  ck_assert_uint_eq(n, 82);
  ck_assert_int_eq(decode(f, n, &p), USED);
  ck_assert_uint_eq(fe__get_be32(p.tuple.src), IP_ROUTER);
  ck_assert_uint_eq(fe__get_be32(p.tuple.dst), IP_CLIENT);
  ck_assert_uint_eq(p.tuple.sport, 40000);
  ck_assert_uint_eq(p.tuple.dport, 80);
  ck_assert_uint_eq(p.tuple.proto, 6);
  ck_assert_uint_eq(p.flags, FE__TCP_SYN);
  ck_assert_uint_eq(p.window, 64240);
  ck_assert_int_eq(p.payload, 0);
  ck_assert_int_eq(p.header, 20);
}
END_TEST

START_TEST(test_fe__decode_cic_udp_payload_ignores_length_field)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /* The length field claims 192 payload bytes; 10 were captured. */
  n += put_ip4(f + n, 20 + 8 + 10, 0, 17, IP_CLIENT, IP_SERVER);
  n += put_udp(f + n, 5353, 53, 200);
  n += 10;

  ck_assert_int_eq(decode(f, n, &p), USED);
  ck_assert_uint_eq(p.tuple.proto, 17);
  ck_assert_uint_eq(p.tuple.sport, 5353);
  ck_assert_uint_eq(p.tuple.dport, 53);
  ck_assert_int_eq(p.payload, 10);
  ck_assert_int_eq(p.header, 8);
  ck_assert_uint_eq(p.window, 0);
  ck_assert_uint_eq(p.flags, 0);
}
END_TEST

START_TEST(test_fe__decode_cic_udp_l2tp_takes_inner_tcp_ports)
{
  uint8_t f[160] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /*
   * UDP port 1701 is L2TP: jnetpcap goes on through L2TP (6 bytes, no
   * length bit) and PPP (protocol 0x0021) into an inner IPv4 + TCP, and
   * the packet takes the outer addresses with the inner TCP's ports.
   */
  n += put_ip4(f + n, 20 + 8 + 6 + 4 + 20 + 20, 0, 17, IP_CLIENT, IP_SERVER);
  n += put_udp(f + n, 1701, 1701, 8 + 6 + 4 + 40);
  n += 6;
  put16(f + n + 2, 0x0021);
  n += 4;
  n += put_ip4(f + n, 40, 0, 6, IP_ROUTER, IP_ROUTER);
  n += put_tcp(f + n, 1234, 443, FE__TCP_SYN, 1000, 5);

  ck_assert_int_eq(decode(f, n, &p), USED);
  ck_assert_uint_eq(fe__get_be32(p.tuple.src), IP_CLIENT);
  ck_assert_uint_eq(fe__get_be32(p.tuple.dst), IP_SERVER);
  ck_assert_uint_eq(p.tuple.proto, 6);
  ck_assert_uint_eq(p.tuple.sport, 1234);
  ck_assert_uint_eq(p.tuple.dport, 443);
  ck_assert_uint_eq(p.flags, FE__TCP_SYN);
  ck_assert_int_eq(p.header, 20);
  ck_assert_int_eq(p.payload, 0);
}
END_TEST

START_TEST(test_fe__decode_cic_snaplen_cut_tcp_options_returns_malformed)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /*
   * A 32-byte TCP header (MSS option first) cut by a 54-byte snaplen:
   * only the 20 fixed bytes are captured, so the option's kind byte lies
   * past the recorded header and jnetpcap throws (§2.7). The frame's
   * first byte (0x00) gives IHL 0 in the byte-0 retry, which finds
   * nothing, so the reason is the malformed Ethernet/IPv4 frame.
   */
  n += put_ip4(f + n, 20 + 32 + 100, 0x4000, 6, IP_CLIENT, IP_SERVER);
  n += put_tcp(f + n, 40000, 80, FE__TCP_SYN, 64240, 8);
  f[n - 12] = 2; /* MSS kind */
  f[n - 11] = 4; /* MSS length */

  ck_assert_int_eq(fe__decode_cic(f, 54, 14 + 152, &p), FE_IGNORE_MALFORMED);
}
END_TEST

START_TEST(test_fe__decode_cic_tcp_options_cut_after_length_uses_clipped_header)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /*
   * Same SYN with a 56-byte snaplen: the MSS kind and length bytes are
   * captured, which is all jnetpcap reads. The header length is the
   * clipped one, 56 - 34 = 22 bytes, and no payload is left.
   */
  n += put_ip4(f + n, 20 + 32, 0x4000, 6, IP_CLIENT, IP_SERVER);
  n += put_tcp(f + n, 40000, 80, FE__TCP_SYN, 64240, 8);
  f[n - 12] = 2;
  f[n - 11] = 4;

  ck_assert_int_eq(fe__decode_cic(f, 56, (uint32_t)n, &p), USED);
  ck_assert_uint_eq(p.tuple.proto, 6);
  ck_assert_int_eq(p.header, 22);
  ck_assert_int_eq(p.payload, 0);
}
END_TEST

START_TEST(test_fe__decode_cic_snaplen_cuts_tcp_payload_to_captured_bytes)
{
  uint8_t f[256] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /* 100 payload bytes on the wire, snaplen 64: 64 - 54 = 10 counted. */
  n += put_ip4(f + n, 20 + 20 + 100, 0x4000, 6, IP_CLIENT, IP_SERVER);
  n += put_tcp(f + n, 40000, 80, FE__TCP_ACK, 502, 5);
  n += 100;

  ck_assert_int_eq(fe__decode_cic(f, 64, (uint32_t)n, &p), USED);
  ck_assert_uint_eq(p.tuple.proto, 6);
  ck_assert_int_eq(p.payload, 10);
}
END_TEST

START_TEST(test_fe__decode_cic_arp_request_becomes_garbage_flow)
{
  static const uint8_t arp_body[28] = {
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, /* Ethernet/IPv4 */
      0x00, 0x0c, 0x29, 0x01, 0x02, 0x03,             /* sender MAC */
      0xc0, 0xa8, 0x0a, 0x05,                         /* sender IP */
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /* target MAC */
      0xc0, 0xa8, 0x0a, 0x01};                        /* target IP */
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0xFF, ETHERTYPE_ARP);

  /*
   * A broadcast ARP request, padded to 60 bytes. Ethernet finds no IPv4,
   * so the frame is read again from byte 0 as IPv4 (§2.6): 0xFF gives
   * IHL 15, addresses are frame bytes 12-15 (08 06 00 01) and 16-19
   * (08 00 06 04). Bytes 6-7, the source MAC's 00 0c, read as fragment
   * offset 12, so no transport header is looked for: protocol 0.
   */
  memset(f, 0xFF, 6);
  memcpy(f + n, arp_body, sizeof(arp_body));
  n = 60;

  ck_assert_int_eq(decode(f, n, &p), USED);
  ck_assert_uint_eq(fe__get_be32(p.tuple.src), 0x08060001u); /* 8.6.0.1 */
  ck_assert_uint_eq(fe__get_be32(p.tuple.dst), 0x08000604u); /* 8.0.6.4 */
  ck_assert_uint_eq(p.tuple.proto, 0);
  ck_assert_uint_eq(p.tuple.sport, 0);
  ck_assert_uint_eq(p.tuple.dport, 0);
  ck_assert_int_eq(p.payload, 0);
}
END_TEST

START_TEST(test_fe__decode_cic_raw_ipv4_frame_is_parsed_by_fallback)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = 0;

  /*
   * A raw-IP capture (no link header). As Ethernet, bytes 12-13 (c0 a8,
   * the source address) are an unknown EtherType, so the byte-0 retry
   * reads the frame as the IPv4 packet it is (§2.2). No padding trim
   * applies there, but there is no padding either.
   */
  n += put_ip4(f + n, 20 + 20 + 7, 0x4000, 6, IP_CLIENT, IP_SERVER);
  n += put_tcp(f + n, 40000, 443, FE__TCP_PSH | FE__TCP_ACK, 1024, 5);
  n += 7;

  ck_assert_int_eq(decode(f, n, &p), USED);
  ck_assert_uint_eq(fe__get_be32(p.tuple.src), IP_CLIENT);
  ck_assert_uint_eq(fe__get_be32(p.tuple.dst), IP_SERVER);
  ck_assert_uint_eq(p.tuple.sport, 40000);
  ck_assert_uint_eq(p.tuple.dport, 443);
  ck_assert_uint_eq(p.tuple.proto, 6);
  ck_assert_uint_eq(p.window, 1024);
  ck_assert_int_eq(p.payload, 7);
}
END_TEST

/* An IPv6 UDP packet (ff02::fb, port 5353) to a MAC starting with dst0. */
static size_t build_ipv6_frame(uint8_t *f, uint8_t dst0)
{
  size_t n = put_eth(f, dst0, ETHERTYPE_IPV6);

  f[n] = 0x60;
  put16(f + n + 4, 8 + 4); /* payload length: UDP header + 4 bytes */
  f[n + 6] = 17;
  f[n + 7] = 255;
  f[n + 8] = 0xfe;
  f[n + 9] = 0x80;
  f[n + 23] = 0x01; /* fe80::1 */
  f[n + 24] = 0xff;
  f[n + 25] = 0x02;
  f[n + 39] = 0xfb; /* ff02::fb */
  n += 40;
  n += put_udp(f + n, 5353, 5353, 12);
  return n + 4;
}

START_TEST(test_fe__decode_cic_ipv6_to_multicast_mac_returns_no_ipv4)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = build_ipv6_frame(f, 0x33);

  /*
   * The byte-0 retry reads 0x33 as version 3, IHL 3: a 12-byte IPv4
   * header is refused (§2.6). Version 3 is not IPv4, so the frame counts
   * as having no IPv4 rather than as malformed.
   */
  ck_assert_int_eq(decode(f, n, &p), FE_IGNORE_NO_IPV4);
}
END_TEST

START_TEST(test_fe__decode_cic_ipv6_to_unicast_mac_becomes_garbage_flow)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = build_ipv6_frame(f, 0x66);

  /*
   * 0x66 gives IHL 6, so the retry accepts a 24-byte "IPv4" header:
   * source = bytes 12-15 (86 dd 60 00) = 134.221.96.0, destination =
   * bytes 16-19 (flow label 00 00, payload length 00 0c) = 0.0.0.12.
   */
  ck_assert_int_eq(decode(f, n, &p), USED);
  ck_assert_uint_eq(fe__get_be32(p.tuple.src), 0x86DD6000u);
  ck_assert_uint_eq(fe__get_be32(p.tuple.dst), 12);
  ck_assert_uint_eq(p.tuple.proto, 0);
}
END_TEST

START_TEST(test_fe__decode_cic_wire_length_shorter_than_caplen_limits_payload)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /*
   * 52 bytes captured but the record says 47 went on the wire: only the
   * first 47 bytes are used (§2.1), so 47 - 42 = 5 payload bytes.
   */
  n += put_ip4(f + n, 20 + 8 + 10, 0, 17, IP_CLIENT, IP_SERVER);
  n += put_udp(f + n, 5353, 53, 18);
  n += 10;

  ck_assert_uint_eq(n, 52);
  ck_assert_int_eq(fe__decode_cic(f, 52, 47, &p), USED);
  ck_assert_uint_eq(p.tuple.proto, 17);
  ck_assert_int_eq(p.payload, 5);
}
END_TEST

START_TEST(test_fe__decode_cic_ipv4_ihl_below_five_returns_malformed)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /* IHL 4 declares a 16-byte header; the minimum is 20 (§2.7). */
  n += put_ip4(f + n, 40, 0, 6, IP_CLIENT, IP_SERVER);
  f[14] = 0x44;
  n += put_tcp(f + n, 40000, 80, FE__TCP_ACK, 502, 5);

  ck_assert_int_eq(decode(f, n, &p), FE_IGNORE_MALFORMED);
}
END_TEST

START_TEST(test_fe__decode_cic_empty_frame_returns_no_ipv4)
{
  uint8_t f[1] = {0x45};
  struct fe__packet p;

  ck_assert_int_eq(fe__decode_cic(f, 0, 0, &p), FE_IGNORE_NO_IPV4);
}
END_TEST

/*
 * A frame whose IPv4 header is cut short (under 20 captured bytes) is
 * ignored by the reference like any other, but counted as malformed
 * rather than as having no IPv4 at all.
 */
START_TEST(test_fe__decode_cic_ipv4_cut_after_ethernet_returns_malformed)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = put_eth(f, 0x00, ETHERTYPE_IPV4);

  /* EtherType IPv4, but only 12 of the 20 header bytes were captured. */
  n += put_ip4(f + n, 40, 0x4000, 6, IP_CLIENT, IP_SERVER);
  n += put_tcp(f + n, 40000, 80, FE__TCP_ACK, 502, 5);

  ck_assert_int_eq(fe__decode_cic(f, 14 + 12, (uint32_t)n, &p),
                   FE_IGNORE_MALFORMED);
}
END_TEST

START_TEST(test_fe__decode_cic_raw_ipv4_cut_short_returns_malformed)
{
  uint8_t f[128] = {0};
  struct fe__packet p;
  size_t n = 0;

  /* A raw-IP frame (version 4 at byte 0) cut to 16 bytes. */
  n += put_ip4(f + n, 40, 0x4000, 6, IP_CLIENT, IP_SERVER);
  n += put_tcp(f + n, 40000, 80, FE__TCP_ACK, 502, 5);

  ck_assert_int_eq(fe__decode_cic(f, 16, (uint32_t)n, &p), FE_IGNORE_MALFORMED);
}
END_TEST

Suite *fe_decode_suite(void)
{
  Suite *s = suite_create("decode");
  TCase *tc = tcase_create("decode");

  tcase_add_test(tc, test_fe__decode_cic_tcp_frame_returns_all_fields);
  tcase_add_test(tc, test_fe__decode_cic_ethernet_padding_is_not_payload);
  tcase_add_test(tc, test_fe__decode_cic_vlan_padding_counts_as_payload);
  tcase_add_test(tc,
                 test_fe__decode_cic_ip_total_length_zero_gives_protocol_zero);
  tcase_add_test(tc,
                 test_fe__decode_cic_non_first_fragment_gives_protocol_zero);
  tcase_add_test(tc, test_fe__decode_cic_first_fragment_is_parsed_as_udp);
  tcase_add_test(
      tc, test_fe__decode_cic_icmp_unreachable_mixes_outer_ips_inner_ports);
  tcase_add_test(tc, test_fe__decode_cic_udp_payload_ignores_length_field);
  tcase_add_test(tc, test_fe__decode_cic_udp_l2tp_takes_inner_tcp_ports);
  tcase_add_test(tc,
                 test_fe__decode_cic_snaplen_cut_tcp_options_returns_malformed);
  tcase_add_test(
      tc, test_fe__decode_cic_tcp_options_cut_after_length_uses_clipped_header);
  tcase_add_test(
      tc, test_fe__decode_cic_snaplen_cuts_tcp_payload_to_captured_bytes);
  tcase_add_test(tc, test_fe__decode_cic_arp_request_becomes_garbage_flow);
  tcase_add_test(tc, test_fe__decode_cic_raw_ipv4_frame_is_parsed_by_fallback);
  tcase_add_test(tc, test_fe__decode_cic_ipv6_to_multicast_mac_returns_no_ipv4);
  tcase_add_test(tc,
                 test_fe__decode_cic_ipv6_to_unicast_mac_becomes_garbage_flow);
  tcase_add_test(
      tc, test_fe__decode_cic_wire_length_shorter_than_caplen_limits_payload);
  tcase_add_test(tc, test_fe__decode_cic_ipv4_ihl_below_five_returns_malformed);
  tcase_add_test(tc, test_fe__decode_cic_empty_frame_returns_no_ipv4);
  tcase_add_test(tc,
                 test_fe__decode_cic_ipv4_cut_after_ethernet_returns_malformed);
  tcase_add_test(tc, test_fe__decode_cic_raw_ipv4_cut_short_returns_malformed);
  suite_add_tcase(s, tc);
  return s;
}
