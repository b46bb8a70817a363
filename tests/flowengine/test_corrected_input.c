/* SPDX-License-Identifier: MIT */
/*
 * Section 1 of the corrected profile (../shared/spec/corrected-profile.md,
 * read as docs/corrected-profile.md settles it): how a frame is read.
 * Link types, IPv6 extension headers, tunnels and ICMP errors, fragments,
 * lengths taken from the headers, and the reason each unreadable frame is
 * counted under. Frames are built by hand (frames.h) and go through the
 * public meter API only (corrected_rows.h).
 */
#include <check.h>
#include <string.h>

#include "corrected_rows.h"
#include "frames.h"

Suite *fe_corrected_input_suite(void);

#define A4 "10.0.0.1"
#define B4 "10.0.0.2"
#define A6 "2001:db8::1"
#define B6 "2001:db8::2"

/* Copies the link layer of l (framing, DLT, tags, padding) into s. */
static void copy_link(struct fr_spec *s, const struct fr_spec *l)
{
  s->link = l->link;
  s->dlt = l->dlt;
  memcpy(s->vlan, l->vlan, sizeof(s->vlan));
  s->n_vlan = l->n_vlan;
  s->l2_proto = l->l2_proto;
  s->pad = l->pad;
}

/*
 * A 10-byte UDP query a:5000 -> b:53 at T0 and its 30-byte answer 1 ms
 * later, both framed like l.
 */
static void send_exchange(const struct fr_spec *l, const char *a, const char *b)
{
  struct fr_spec q = fr_udp(CR_T0, a, 5000, b, 53, 10);
  struct fr_spec r = fr_udp(CR_T0 + CR_MSEC, b, 53, a, 5000, 30);

  copy_link(&q, l);
  copy_link(&r, l);
  cr_send(&q);
  cr_send(&r);
}

/* The exchange above read right: one row, a forward, payloads 10, 30. */
static void check_exchange(const char *a, const char *b)
{
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Src IP"), a);
  ck_assert_str_eq(cr_cell(0, "Dst IP"), b);
  CR_NUMS(0, {"Src Port", 5000}, {"Dst Port", 53}, {"Protocol", 17},
          {"Tot Fwd Pkts", 1}, {"Tot Bwd Pkts", 1}, {"TotLen Fwd Pkts", 10},
          {"TotLen Bwd Pkts", 30});
  ck_assert_uint_eq(cr_counters()->packets_used, 2);
  cr_check_accounted();
}

/* The only frame fed was ignored for reason r and made no row. */
static void check_only_ignored(enum fe_ignore_reason r)
{
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 0);
  ck_assert_uint_eq(cr_counters()->packets_read, 1);
  ck_assert_uint_eq(cr_counters()->packets_used, 0);
  ck_assert_uint_eq(cr_ignored(r), 1);
  cr_check_accounted();
}

/* ---- link types ---- */

START_TEST(test_link_ethernet_ipv4_tcp_gives_one_flow)
{
  struct fr_spec syn = fr_tcp(CR_T0, A4, 40000, B4, 80, FR_SYN);
  struct fr_spec synack =
      fr_tcp(CR_T0 + CR_MSEC, B4, 80, A4, 40000, FR_SYN | FR_ACK);
  struct fr_spec data =
      fr_tcp(CR_T0 + 2 * CR_MSEC, A4, 40000, B4, 80, FR_PSH | FR_ACK);

  /* DLT 1: SYN, SYN-ACK, 100 bytes; 2 forward (0 + 100), 1 backward. */
  data.payload = 100;
  cr_open_default();
  cr_send(&syn);
  cr_send(&synack);
  cr_send(&data);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "10.0.0.1-10.0.0.2-40000-80-6");
  CR_NUMS(0, {"Protocol", 6}, {"Tot Fwd Pkts", 2}, {"Tot Bwd Pkts", 1},
          {"TotLen Fwd Pkts", 100}, {"TotLen Bwd Pkts", 0});
  cr_check_accounted();
}
END_TEST

/* Tag stacks: 802.1Q, 802.1ad, 0x9100 and their stacks. */
static const uint16_t vlan_stacks[][FR_MAX_VLAN] = {
    {0x8100},         {0x88A8},         {0x9100},
    {0x88A8, 0x8100}, {0x9100, 0x8100}, {0x8100, 0x8100, 0x8100},
};
static const uint8_t vlan_depths[] = {1, 1, 1, 2, 2, 3};

START_TEST(test_link_ethernet_vlan_stack_is_walked_to_ip)
{
  struct fr_spec l = {.link = FR_LINK_ETH, .n_vlan = vlan_depths[_i]};

  /* Each tag is 4 bytes; after the last one the EtherType is 0x0800. */
  memcpy(l.vlan, vlan_stacks[_i], sizeof(l.vlan));
  cr_open_default();
  send_exchange(&l, A4, B4);
  check_exchange(A4, B4);
}
END_TEST

/* Linux cooked capture v1 and v2, each with IPv4 and IPv6. */
static const enum fr_link cooked_links[] = {FR_LINK_SLL, FR_LINK_SLL,
                                            FR_LINK_SLL2, FR_LINK_SLL2};

START_TEST(test_link_cooked_capture_reads_ipv4_and_ipv6)
{
  struct fr_spec l = {.link = cooked_links[_i]};
  const char *a = _i % 2 == 0 ? A4 : A6;
  const char *b = _i % 2 == 0 ? B4 : B6;

  /* SLL: 16-byte header, protocol at 14; SLL2: 20 bytes, protocol at 0. */
  cr_open_default();
  send_exchange(&l, a, b);
  check_exchange(a, b);
}
END_TEST

static const int raw_dlts[] = {FR_DLT_RAW_12, FR_DLT_RAW_14, FR_DLT_RAW,
                               FR_DLT_IPV4, FR_DLT_IPV6};

START_TEST(test_link_raw_ip_types_follow_version_nibble)
{
  struct fr_spec l = {.link = FR_LINK_RAW, .dlt = raw_dlts[_i / 2]};
  const char *a = _i % 2 == 0 ? A4 : A6;
  const char *b = _i % 2 == 0 ? B4 : B6;

  /*
   * DLT 12, 14, 101, 228, 229: no link header; the version nibble of the
   * first byte decides IPv4 or IPv6, whichever of them the DLT names.
   */
  cr_open_default();
  send_exchange(&l, a, b);
  check_exchange(a, b);
}
END_TEST

START_TEST(test_link_raw_version_5_is_ignored_not_ip)
{
  struct fr_spec s = fr_udp(CR_T0, A4, 5000, B4, 53, 10);

  /* A raw frame of IP version 5 is neither IPv4 nor IPv6: not_ip. */
  s.link = FR_LINK_RAW;
  s.version = 5;
  cr_open_default();
  cr_send(&s);
  check_only_ignored(FE_IGNORE_NOT_IP);
}
END_TEST

static const uint32_t loop_families[] = {2, 10, 24, 28, 30};

START_TEST(test_link_null_loop_family_in_either_byte_order_gives_flow)
{
  int fam = _i % 5;
  struct fr_spec l = {.link =
                          (_i / 5) % 2 == 0 ? FR_LINK_NULL_LE : FR_LINK_NULL_BE,
                      .dlt = _i / 10 == 0 ? FR_DLT_NULL : FR_DLT_LOOP,
                      .l2_proto = loop_families[fam]};
  const char *a = fam == 0 ? A4 : A6;
  const char *b = fam == 0 ? B4 : B6;

  /*
   * DLT 0 and 108: a 4-byte family, little- or big-endian; 2 is IPv4;
   * 10 (Linux), 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS) IPv6.
   */
  cr_open_default();
  send_exchange(&l, a, b);
  check_exchange(a, b);
}
END_TEST

START_TEST(test_link_null_unknown_family_is_ignored_not_ip)
{
  struct fr_spec s = fr_udp(CR_T0, A4, 5000, B4, 53, 10);

  /* Family 7 is neither IPv4 nor IPv6, whatever follows it: not_ip. */
  s.link = FR_LINK_NULL_LE;
  s.l2_proto = 7;
  cr_open_default();
  cr_send(&s);
  check_only_ignored(FE_IGNORE_NOT_IP);
}
END_TEST

/* PPP, 802.11, radiotap, USER0: link types the profile does not read. */
static const int unknown_dlts[] = {9, 105, 127, 147};

START_TEST(test_link_unknown_type_is_ignored_link_type)
{
  struct fr_spec s = fr_udp(CR_T0, A4, 5000, B4, 53, 10);

  /* A good Ethernet/IPv4 frame, but the capture says another link type. */
  s.dlt = unknown_dlts[_i];
  cr_open_default();
  cr_send(&s);
  check_only_ignored(FE_IGNORE_LINK_TYPE);
}
END_TEST

/* ARP, LLDP, an 802.3 length field, PPPoE discovery; last: tagged ARP. */
static const uint32_t non_ip_types[] = {0x0806, 0x88CC, 0x0026, 0x8863, 0x0806};

START_TEST(test_link_ethernet_non_ip_frame_is_ignored_not_ip)
{
  struct fr_spec s = fr_udp(CR_T0, A4, 5000, B4, 53, 10);
  struct fr_frame f;

  /*
   * The frame's first byte is made 0x45, so reading it again from byte 0
   * as IPv4 (as CICFlowMeter does) would find a header: the profile
   * never re-reads a frame, it counts it as not_ip.
   */
  s.l2_proto = non_ip_types[_i];
  if (_i == 4) {
    s.vlan[0] = 0x8100;
    s.n_vlan = 1;
  }
  fr_build(&s, &f);
  f.buf[0] = 0x45;
  cr_open_default();
  cr_send_frame(&f);
  check_only_ignored(FE_IGNORE_NOT_IP);
}
END_TEST

START_TEST(test_link_ethernet_ipv6_tcp_gives_ipv6_flow)
{
  struct fr_spec syn = fr_tcp(CR_T0, A6, 40000, B6, 80, FR_SYN);
  struct fr_spec synack =
      fr_tcp(CR_T0 + CR_MSEC, B6, 80, A6, 40000, FR_SYN | FR_ACK);

  /* EtherType 0x86DD is read as IPv6 (cic would read garbage). */
  cr_open_default();
  cr_send(&syn);
  cr_send(&synack);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "2001:db8::1-2001:db8::2-40000-80-6");
  CR_NUMS(0, {"Protocol", 6}, {"Tot Fwd Pkts", 1}, {"Tot Bwd Pkts", 1},
          {"SYN Flag Cnt", 2});
  cr_check_accounted();
}
END_TEST

/* ---- IPv6 extension headers ---- */

struct ext_case {
  uint8_t ext[FR_MAX_EXT];
  uint8_t n;
};

static const struct ext_case ext_cases[] = {
    {{FR_EXT_HOP}, 1},
    {{FR_EXT_ROUTE}, 1},
    {{FR_EXT_DEST}, 1},
    {{FR_EXT_FRAG}, 1},
    {{FR_EXT_AH}, 1},
    {{FR_EXT_HOP, FR_EXT_ROUTE, FR_EXT_FRAG, FR_EXT_AH, FR_EXT_DEST}, 5},
};

START_TEST(test_ipv6_extension_headers_are_walked_to_tcp)
{
  struct fr_spec a = fr_tcp(CR_T0, A6, 40000, B6, 80, FR_PSH | FR_ACK);
  struct fr_spec b = fr_tcp(CR_T0 + CR_MSEC, B6, 80, A6, 40000, FR_ACK);

  /*
   * Hop-by-hop 8 bytes, routing 24 ((2 + 1) * 8), destination options 16,
   * fragment 8 (offset 0, no more fragments), AH 24 ((4 + 2) * 4), then
   * TCP with 12 option bytes (32). Payload length = ext + 32 + 50, so the
   * payload is 50 only if every length field was read in its own unit;
   * the header columns count the TCP header alone: 32 each way.
   */
  memcpy(a.ext, ext_cases[_i].ext, sizeof(a.ext));
  a.n_ext = ext_cases[_i].n;
  a.tcp_opt_len = 12;
  a.payload = 50;
  memcpy(b.ext, ext_cases[_i].ext, sizeof(b.ext));
  b.n_ext = ext_cases[_i].n;
  b.tcp_opt_len = 12;
  cr_open_default();
  cr_send(&a);
  cr_send(&b);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "2001:db8::1-2001:db8::2-40000-80-6");
  CR_NUMS(0, {"Protocol", 6}, {"Src Port", 40000}, {"Dst Port", 80},
          {"Tot Fwd Pkts", 1}, {"Tot Bwd Pkts", 1}, {"TotLen Fwd Pkts", 50},
          {"TotLen Bwd Pkts", 0}, {"Fwd Header Len", 32},
          {"Bwd Header Len", 32}, {"PSH Flag Cnt", 1});
  cr_check_accounted();
}
END_TEST

START_TEST(test_ipv6_hop_by_hop_then_icmpv6_is_icmpv6_flow)
{
  struct fr_spec s = fr_icmp(CR_T0, A6, "ff02::16", 143, 0);

  /* An MLDv2 report: hop-by-hop (8 bytes), ICMPv6 type 143, 20 bytes. */
  s.ext[0] = FR_EXT_HOP;
  s.n_ext = 1;
  s.payload = 20;
  cr_open_default();
  cr_send(&s);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Dst IP"), "ff02::16");
  CR_NUMS(0, {"Protocol", 58}, {"Src Port", 0}, {"Dst Port", 0},
          {"TotLen Fwd Pkts", 20}, {"Fwd Header Len", 8});
  ck_assert_int_eq(cr_row(0)->icmp_type, 143);
  cr_check_accounted();
}
END_TEST

/* ---- tunnels and ICMP errors ---- */

START_TEST(test_tunnel_gre_is_flow_of_protocol_47)
{
  uint8_t body[64] = {0x00, 0x00, 0x08, 0x00}; /* GRE: IPv4 inside */
  struct fr_spec inner =
      fr_tcp(CR_T0, "192.168.1.1", 40000, "192.168.1.2", 80, FR_SYN);
  struct fr_spec s = fr_ip(CR_T0, A4, B4, 47, 0);

  /*
   * GRE header (4) + inner IPv4/TCP SYN (40) = 44 bytes after the outer
   * IP header, all payload (GRE has no transport header: 0). The inner
   * SYN is not read: no SYN counted, no inner address or port.
   */
  s.payload = (uint16_t)(4 + fr_datagram(&inner, body + 4, sizeof(body) - 4));
  s.body = body;
  cr_open_default();
  cr_send(&s);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "10.0.0.1-10.0.0.2-0-0-47");
  ck_assert_str_eq(cr_cell(0, "Src IP"), A4);
  CR_NUMS(0, {"Protocol", 47}, {"Src Port", 0}, {"Dst Port", 0},
          {"TotLen Fwd Pkts", 44}, {"Fwd Header Len", 0},
          {"Fwd Seg Size Min", 0}, {"SYN Flag Cnt", 0});
  cr_check_accounted();
}
END_TEST

START_TEST(test_tunnel_ipip_is_flow_of_outer_header)
{
  uint8_t body[64];
  struct fr_spec inner = fr_tcp(CR_T0, A4, 40000, B4, 80, FR_SYN);
  struct fr_spec s = fr_ip(CR_T0, "192.0.2.1", "192.0.2.2", 4, 0);

  /* Outer IPv4 protocol 4; the inner SYN (40 bytes) is payload. */
  s.payload = (uint16_t)fr_datagram(&inner, body, sizeof(body));
  s.body = body;
  cr_open_default();
  cr_send(&s);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "192.0.2.1-192.0.2.2-0-0-4");
  CR_NUMS(0, {"Protocol", 4}, {"Src Port", 0}, {"TotLen Fwd Pkts", 40},
          {"SYN Flag Cnt", 0}, {"Fwd Header Len", 0});
  cr_check_accounted();
}
END_TEST

START_TEST(test_tunnel_ipv4_in_ipv6_is_flow_of_outer_header)
{
  uint8_t body[64];
  struct fr_spec inner = fr_udp(CR_T0, A4, 5000, B4, 53, 10);
  struct fr_spec s = fr_ip(CR_T0, A6, B6, 4, 0);

  /* IPv6 next header 4; the inner IPv4/UDP (38 bytes) is payload. */
  s.payload = (uint16_t)fr_datagram(&inner, body, sizeof(body));
  s.body = body;
  cr_open_default();
  cr_send(&s);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Src IP"), A6);
  CR_NUMS(0, {"Protocol", 4}, {"Dst Port", 0}, {"TotLen Fwd Pkts", 38});
  cr_check_accounted();
}
END_TEST

START_TEST(test_tunnel_esp_is_flow_of_protocol_50)
{
  const char *a = _i == 0 ? A4 : A6;
  const char *b = _i == 0 ? B4 : B6;
  struct fr_spec s = fr_ip(CR_T0, a, b, 50, 64);
  struct fr_spec r = fr_ip(CR_T0 + CR_MSEC, b, a, 50, 80);

  /* ESP over IPv4 and IPv6: no transport header, all 64/80 payload. */
  cr_open_default();
  cr_send(&s);
  cr_send(&r);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Src IP"), a);
  CR_NUMS(0, {"Protocol", 50}, {"Src Port", 0}, {"Tot Fwd Pkts", 1},
          {"Tot Bwd Pkts", 1}, {"TotLen Fwd Pkts", 64}, {"TotLen Bwd Pkts", 80},
          {"Fwd Header Len", 0});
  cr_check_accounted();
}
END_TEST

START_TEST(test_icmp_error_is_icmp_packet_not_packet_of_quoted_flow)
{
  uint8_t quote[64];
  struct fr_spec syn = fr_tcp(CR_T0, A4, 40000, B4, 80, FR_SYN);
  struct fr_spec err = fr_icmp(CR_T0 + CR_MSEC, "10.0.0.254", A4, 3, 1);
  size_t tcp_row;
  size_t icmp_row;

  /*
   * A SYN, then a host-unreachable quoting it: IP header (20) + first 8
   * bytes of TCP = 28 bytes of ICMP payload after the 8-byte header. It
   * is a packet of the ICMP flow router -> A, not of the TCP flow, and
   * its quoted SYN is not counted.
   */
  fr_datagram(&syn, quote, sizeof(quote));
  err.payload = 28;
  err.body = quote;
  cr_open_default();
  cr_send(&syn);
  cr_send(&err);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  tcp_row = cr_find("Protocol", "6");
  icmp_row = cr_find("Protocol", "1");
  CR_PKTS(tcp_row, 1, 0);
  ck_assert_str_eq(cr_cell(icmp_row, "Flow ID"), "10.0.0.254-10.0.0.1-0-0-1");
  CR_PKTS(icmp_row, 1, 0);
  CR_NUMS(icmp_row, {"Src Port", 0}, {"Dst Port", 0}, {"TotLen Fwd Pkts", 28},
          {"Fwd Header Len", 8}, {"SYN Flag Cnt", 0});
  ck_assert_int_eq(cr_row(icmp_row)->icmp_type, 3);
  ck_assert_int_eq(cr_row(icmp_row)->icmp_code, 1);
  ck_assert_int_eq(cr_row(tcp_row)->icmp_type, -1);
  cr_check_accounted();
}
END_TEST

START_TEST(test_icmpv6_echo_is_flow_of_protocol_58)
{
  struct fr_spec req = fr_icmp(CR_T0, A6, B6, 128, 0);
  struct fr_spec rep = fr_icmp(CR_T0 + CR_MSEC, B6, A6, 129, 0);

  /* Echo request and reply, 56 bytes each after the 8-byte header. */
  req.payload = 56;
  rep.payload = 56;
  cr_open_default();
  cr_send(&req);
  cr_send(&rep);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  ck_assert_str_eq(cr_cell(0, "Flow ID"), "2001:db8::1-2001:db8::2-0-0-58");
  CR_NUMS(0, {"Protocol", 58}, {"Src Port", 0}, {"Tot Fwd Pkts", 1},
          {"Tot Bwd Pkts", 1}, {"TotLen Fwd Pkts", 56}, {"TotLen Bwd Pkts", 56},
          {"Fwd Header Len", 8}, {"Bwd Header Len", 8});
  ck_assert_int_eq(cr_row(0)->icmp_type, 128);
  ck_assert_int_eq(cr_row(0)->icmp_code, 0);
  cr_check_accounted();
}
END_TEST

/* ---- fragments ---- */

START_TEST(test_fragment_ipv4_first_read_later_ignored_fragment)
{
  struct fr_spec first = fr_udp(CR_T0, A4, 5000, B4, 53, 1472);
  struct fr_spec later = fr_udp(CR_T0 + 1, A4, 5000, B4, 53, 1520);
  struct fr_frame f;

  /*
   * A 3000-byte UDP datagram in two fragments. First: MF, offset 0, IP
   * total length 1500 = 20 + 8 + 1472, so its payload is 1472 even though
   * the UDP length field says 3008. Second: offset 185 (1480 / 8), no
   * transport header of its own: ignored as "fragment", no flow.
   */
  first.more_frags = 1;
  later.frag_off = 185;
  fr_build(&first, &f);
  f.buf[f.l4_off + 4] = 0x0B; /* UDP length 3008 = 0x0BC0 */
  f.buf[f.l4_off + 5] = 0xC0;
  cr_open_default();
  cr_send_frame(&f);
  cr_send(&later);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 1, 0);
  CR_NUMS(0, {"Protocol", 17}, {"Dst Port", 53}, {"TotLen Fwd Pkts", 1472},
          {"Fwd Header Len", 8});
  ck_assert_uint_eq(cr_ignored(FE_IGNORE_FRAGMENT), 1);
  cr_check_accounted();
}
END_TEST

START_TEST(test_fragment_ipv6_first_read_later_ignored_fragment)
{
  struct fr_spec first = fr_udp(CR_T0, A6, 5000, B6, 53, 1000);
  struct fr_spec later = fr_udp(CR_T0 + 1, A6, 5000, B6, 53, 500);

  /*
   * Fragment header (8 bytes) with offset 0 and M: payload length 1016 =
   * 8 + 8 (UDP) + 1000, payload 1000. The second fragment (offset 127)
   * is ignored as "fragment".
   */
  first.ext[0] = FR_EXT_FRAG;
  first.n_ext = 1;
  first.more_frags = 1;
  later.ext[0] = FR_EXT_FRAG;
  later.n_ext = 1;
  later.frag_off = 127;
  cr_open_default();
  cr_send(&first);
  cr_send(&later);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 1, 0);
  CR_NUMS(0, {"Protocol", 17}, {"TotLen Fwd Pkts", 1000},
          {"Fwd Header Len", 8});
  ck_assert_uint_eq(cr_ignored(FE_IGNORE_FRAGMENT), 1);
  cr_check_accounted();
}
END_TEST

/* ---- lengths ---- */

/* Framings that may pad: plain, tagged, QinQ Ethernet, SLL, SLL2, raw. */
static const struct fr_spec pad_links[] = {
    {.link = FR_LINK_ETH},
    {.link = FR_LINK_ETH, .vlan = {0x8100}, .n_vlan = 1},
    {.link = FR_LINK_ETH, .vlan = {0x88A8, 0x8100}, .n_vlan = 2},
    {.link = FR_LINK_SLL},
    {.link = FR_LINK_SLL2},
    {.link = FR_LINK_RAW},
};

START_TEST(test_length_padding_is_never_payload)
{
  struct fr_spec ack = fr_tcp(CR_T0, A4, 40000, B4, 80, FR_ACK);
  struct fr_spec udp = fr_udp(CR_T0 + 1, A4, 5000, B4, 53, 1);

  /*
   * A pure ACK (40 bytes of IP) with 6 bytes of padding, and a UDP packet
   * with 1 byte of payload and 17 of padding: payloads 0 and 1, never
   * 6 or 18, whatever the framing.
   */
  copy_link(&ack, &pad_links[_i]);
  copy_link(&udp, &pad_links[_i]);
  ack.pad = 6;
  udp.pad = 17;
  cr_open_default();
  cr_send(&ack);
  cr_send(&udp);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 2);
  CR_NUMS(cr_find("Protocol", "6"), {"TotLen Fwd Pkts", 0},
          {"Fwd Pkt Len Max", 0}, {"Fwd Act Data Pkts", 0});
  CR_NUMS(cr_find("Protocol", "17"), {"TotLen Fwd Pkts", 1},
          {"Fwd Pkt Len Max", 1});
  cr_check_accounted();
}
END_TEST

START_TEST(test_length_snaplen_cut_payload_counts_header_payload)
{
  struct fr_spec a = fr_tcp(CR_T0, A4, 40000, B4, 80, FR_ACK);
  struct fr_spec b = fr_tcp(CR_T0 + CR_MSEC, A4, 40000, B4, 80, FR_ACK);

  /*
   * Snap length 54 keeps Ethernet + IPv4 + TCP of a 1460-byte segment,
   * 64 keeps 10 of 1000 bytes: payloads 1460 and 1000 from the IP total
   * length, 2460 in all, max 1460, min 1000.
   */
  a.payload = 1460;
  a.caplen = 54;
  b.payload = 1000;
  b.caplen = 64;
  cr_open_default();
  cr_send(&a);
  cr_send(&b);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_NUMS(0, {"Tot Fwd Pkts", 2}, {"TotLen Fwd Pkts", 2460},
          {"Fwd Pkt Len Max", 1460}, {"Fwd Pkt Len Min", 1000});
  ck_assert_uint_eq(cr_ignored(FE_IGNORE_TRUNCATED), 0);
  cr_check_accounted();
}
END_TEST

/* Each case cuts one header; caplen counts from the frame start. */
static const struct fr_spec cut_cases[] = {
    /* IPv4 header: 12 of 20 bytes */
    {.src = A4, .dst = B4, .proto = 6, .caplen = 14 + 12},
    /* IPv4 options: 24 of 28 bytes */
    {.src = A4, .dst = B4, .proto = 6, .ip_opt_len = 8, .caplen = 14 + 24},
    /* TCP header: 12 of 20 bytes */
    {.src = A4, .dst = B4, .proto = 6, .caplen = 14 + 20 + 12},
    /* TCP options: 24 of 32 bytes */
    {.src = A4,
     .dst = B4,
     .proto = 6,
     .tcp_opt_len = 12,
     .caplen = 14 + 20 + 24},
    /* UDP header: 4 of 8 bytes */
    {.src = A4, .dst = B4, .proto = 17, .caplen = 14 + 20 + 4},
    /* ICMP header: 4 of 8 bytes */
    {.src = A4, .dst = B4, .proto = 1, .caplen = 14 + 20 + 4},
    /* IPv6 header: 30 of 40 bytes */
    {.src = A6, .dst = B6, .proto = 6, .caplen = 14 + 30},
    /* IPv6 destination options: 6 of 16 bytes after hop-by-hop */
    {.src = A6,
     .dst = B6,
     .proto = 6,
     .ext = {FR_EXT_HOP, FR_EXT_DEST},
     .n_ext = 2,
     .caplen = 14 + 40 + 8 + 6},
    /* TCP after an IPv6 extension header: 10 of 20 bytes */
    {.src = A6,
     .dst = B6,
     .proto = 6,
     .ext = {FR_EXT_HOP},
     .n_ext = 1,
     .caplen = 14 + 40 + 8 + 10},
    /* IPv4 header behind a VLAN tag: 10 of 20 bytes */
    {.src = A4,
     .dst = B4,
     .proto = 17,
     .vlan = {0x8100},
     .n_vlan = 1,
     .caplen = 18 + 10},
};

START_TEST(test_length_header_cut_by_snaplen_is_ignored_truncated)
{
  struct fr_spec s = cut_cases[_i];

  /* Every header must be captured whole; payload may be cut. */
  s.ts = CR_T0;
  s.sport = 40000;
  s.dport = 80;
  s.payload = 100;
  cr_open_default();
  cr_send(&s);
  check_only_ignored(FE_IGNORE_TRUNCATED);
}
END_TEST

START_TEST(test_length_ip_length_zero_takes_captured_length)
{
  struct fr_spec s = fr_tcp(CR_T0, _i == 0 ? A4 : A6, 40000, _i == 0 ? B4 : B6,
                            80, FR_PSH | FR_ACK);

  /*
   * Segmentation offload: IPv4 total length (or IPv6 payload length) 0
   * on a 3000-byte segment captured whole. Payload = captured bytes
   * after Ethernet, IP and TCP headers: 3000.
   */
  s.payload = 3000;
  s.ip_len_zero = 1;
  cr_open_default();
  cr_send(&s);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_NUMS(0, {"Protocol", 6}, {"TotLen Fwd Pkts", 3000},
          {"Fwd Header Len", 20});
  cr_check_accounted();
}
END_TEST

/* Headers that contradict each other, each captured whole. */
static const struct fr_spec malformed_cases[] = {
    /* IPv4 IHL 4: a 16-byte header */
    {.src = A4, .dst = B4, .proto = 6, .ihl = 4},
    /* IPv4 total length 30 < 20 + 20 */
    {.src = A4, .dst = B4, .proto = 6, .ip_len_delta = -10},
    /* IPv4 total length 24 < 20 + 8 */
    {.src = A4, .dst = B4, .proto = 17, .ip_len_delta = -4},
    /* TCP data offset 4 */
    {.src = A4, .dst = B4, .proto = 6, .tcp_doff = 4},
    /* IPv6 payload length 10 < 20 of TCP */
    {.src = A6, .dst = B6, .proto = 6, .ip_len_delta = -10},
    /* IPv6 payload length 12 < 16 of destination options + 8 of UDP */
    {.src = A6,
     .dst = B6,
     .proto = 17,
     .ext = {FR_EXT_DEST},
     .n_ext = 1,
     .ip_len_delta = -12},
    /* TCP data offset 4 over IPv6 */
    {.src = A6, .dst = B6, .proto = 6, .tcp_doff = 4},
};

START_TEST(test_length_contradicting_headers_are_ignored_malformed)
{
  struct fr_spec s = malformed_cases[_i];

  s.ts = CR_T0;
  s.sport = 40000;
  s.dport = 80;
  cr_open_default();
  cr_send(&s);
  check_only_ignored(FE_IGNORE_MALFORMED);
}
END_TEST

struct hdr_case {
  struct fr_spec s;
  double hdr; /* transport header bytes */
};

/* Every case carries 10 bytes of payload. */
static const struct hdr_case hdr_cases[] = {
    {{.src = A4, .dst = B4, .proto = 6}, 20},
    {{.src = A4, .dst = B4, .proto = 6, .tcp_opt_len = 12}, 32},
    {{.src = A4, .dst = B4, .proto = 6, .ip_opt_len = 8}, 20},
    {{.src = A6, .dst = B6, .proto = 6, .tcp_opt_len = 20}, 40},
    {{.src = A4, .dst = B4, .proto = 17}, 8},
    {{.src = A4, .dst = B4, .proto = 1, .icmp_type = 8}, 8},
    {{.src = A6, .dst = B6, .proto = 58, .icmp_type = 128}, 8},
    {{.src = A4, .dst = B4, .proto = 47}, 0},
    {{.src = A4, .dst = B4, .proto = 132}, 0},
};

START_TEST(test_length_header_columns_count_transport_header_only)
{
  struct fr_spec s = hdr_cases[_i].s;
  double hdr = hdr_cases[_i].hdr;

  /*
   * Two forward packets of 10 payload bytes: Fwd Header Len = 2 * the
   * transport header (TCP with options, 8 for UDP/ICMP/ICMPv6, 0 for
   * others; IP options never count), Fwd Seg Size Min = the header,
   * TotLen Fwd = 20.
   */
  s.sport = 40000;
  s.dport = 80;
  s.payload = 10;
  cr_open_default();
  s.ts = CR_T0;
  cr_send(&s);
  s.ts = CR_T0 + CR_MSEC;
  cr_send(&s);
  cr_finish();
  ck_assert_uint_eq(cr_rows(), 1);
  CR_NUMS(0, {"Tot Fwd Pkts", 2}, {"Fwd Header Len", 2 * hdr},
          {"Fwd Seg Size Min", hdr}, {"TotLen Fwd Pkts", 20},
          {"Fwd Pkt Len Max", 10});
  cr_check_accounted();
}
END_TEST

/* ---- counters ---- */

START_TEST(test_counters_mixed_capture_counts_each_reason_once)
{
  struct fr_spec ok = fr_udp(CR_T0, A4, 5000, B4, 53, 10);
  struct fr_spec s;

  /*
   * Two good packets and one of each reason: link_type (DLT 105),
   * not_ip (ARP), fragment (offset 100), truncated (caplen 20),
   * malformed (IHL 4). read 7, used 2, one row of 2 packets.
   */
  cr_open_default();
  cr_send(&ok);
  s = ok;
  s.dlt = 105;
  cr_send(&s);
  s = ok;
  s.l2_proto = 0x0806;
  cr_send(&s);
  s = ok;
  s.frag_off = 100;
  cr_send(&s);
  s = ok;
  s.caplen = 20;
  cr_send(&s);
  s = ok;
  s.ihl = 4;
  cr_send(&s);
  ok.ts = CR_T0 + CR_MSEC;
  cr_send(&ok);
  cr_finish();
  ck_assert_uint_eq(cr_counters()->packets_read, 7);
  ck_assert_uint_eq(cr_counters()->packets_used, 2);
  ck_assert_uint_eq(cr_ignored(FE_IGNORE_LINK_TYPE), 1);
  ck_assert_uint_eq(cr_ignored(FE_IGNORE_NOT_IP), 1);
  ck_assert_uint_eq(cr_ignored(FE_IGNORE_FRAGMENT), 1);
  ck_assert_uint_eq(cr_ignored(FE_IGNORE_TRUNCATED), 1);
  ck_assert_uint_eq(cr_ignored(FE_IGNORE_MALFORMED), 1);
  ck_assert_uint_eq(cr_ignored(FE_IGNORE_NO_IPV4), 0);
  ck_assert_uint_eq(cr_rows(), 1);
  CR_PKTS(0, 2, 0);
  cr_check_accounted();
}
END_TEST

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static TCase *links_tcase(void)
{
  TCase *tc = tcase_create("link_types");

  tcase_add_checked_fixture(tc, cr_setup, cr_teardown);
  tcase_add_test(tc, test_link_ethernet_ipv4_tcp_gives_one_flow);
  tcase_add_loop_test(tc, test_link_ethernet_vlan_stack_is_walked_to_ip, 0,
                      COUNT(vlan_depths));
  tcase_add_loop_test(tc, test_link_cooked_capture_reads_ipv4_and_ipv6, 0,
                      COUNT(cooked_links));
  tcase_add_loop_test(tc, test_link_raw_ip_types_follow_version_nibble, 0,
                      2 * COUNT(raw_dlts));
  tcase_add_test(tc, test_link_raw_version_5_is_ignored_not_ip);
  tcase_add_loop_test(
      tc, test_link_null_loop_family_in_either_byte_order_gives_flow, 0,
      4 * COUNT(loop_families));
  tcase_add_test(tc, test_link_null_unknown_family_is_ignored_not_ip);
  tcase_add_loop_test(tc, test_link_unknown_type_is_ignored_link_type, 0,
                      COUNT(unknown_dlts));
  tcase_add_loop_test(tc, test_link_ethernet_non_ip_frame_is_ignored_not_ip, 0,
                      COUNT(non_ip_types));
  tcase_add_test(tc, test_link_ethernet_ipv6_tcp_gives_ipv6_flow);
  return tc;
}

static TCase *network_tcase(void)
{
  TCase *tc = tcase_create("network");

  tcase_add_checked_fixture(tc, cr_setup, cr_teardown);
  tcase_add_loop_test(tc, test_ipv6_extension_headers_are_walked_to_tcp, 0,
                      COUNT(ext_cases));
  tcase_add_test(tc, test_ipv6_hop_by_hop_then_icmpv6_is_icmpv6_flow);
  tcase_add_test(tc, test_tunnel_gre_is_flow_of_protocol_47);
  tcase_add_test(tc, test_tunnel_ipip_is_flow_of_outer_header);
  tcase_add_test(tc, test_tunnel_ipv4_in_ipv6_is_flow_of_outer_header);
  tcase_add_loop_test(tc, test_tunnel_esp_is_flow_of_protocol_50, 0, 2);
  tcase_add_test(tc, test_icmp_error_is_icmp_packet_not_packet_of_quoted_flow);
  tcase_add_test(tc, test_icmpv6_echo_is_flow_of_protocol_58);
  tcase_add_test(tc, test_fragment_ipv4_first_read_later_ignored_fragment);
  tcase_add_test(tc, test_fragment_ipv6_first_read_later_ignored_fragment);
  return tc;
}

static TCase *lengths_tcase(void)
{
  TCase *tc = tcase_create("lengths");

  tcase_add_checked_fixture(tc, cr_setup, cr_teardown);
  tcase_add_loop_test(tc, test_length_padding_is_never_payload, 0,
                      COUNT(pad_links));
  tcase_add_test(tc, test_length_snaplen_cut_payload_counts_header_payload);
  tcase_add_loop_test(tc,
                      test_length_header_cut_by_snaplen_is_ignored_truncated, 0,
                      COUNT(cut_cases));
  tcase_add_loop_test(tc, test_length_ip_length_zero_takes_captured_length, 0,
                      2);
  tcase_add_loop_test(tc,
                      test_length_contradicting_headers_are_ignored_malformed,
                      0, COUNT(malformed_cases));
  tcase_add_loop_test(tc,
                      test_length_header_columns_count_transport_header_only, 0,
                      COUNT(hdr_cases));
  tcase_add_test(tc, test_counters_mixed_capture_counts_each_reason_once);
  return tc;
}

Suite *fe_corrected_input_suite(void)
{
  Suite *s = suite_create("corrected_input");

  suite_add_tcase(s, links_tcase());
  suite_add_tcase(s, network_tcase());
  suite_add_tcase(s, lengths_tcase());
  return s;
}
