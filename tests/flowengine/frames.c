/* SPDX-License-Identifier: MIT */
/*
 * Builds test frames byte by byte: first the IP datagram of a struct
 * fr_spec (IP header, IPv6 extension headers, transport header, payload),
 * then the link header in front and the padding behind. Checksums are
 * left at 0: the flow engine never reads them.
 */
#include "frames.h"

#include <arpa/inet.h>
#include <check.h>
#include <string.h>

static const uint8_t mac_dst[6] = {0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c};
static const uint8_t mac_src[6] = {0x00, 0x0c, 0x29, 0x01, 0x02, 0x03};

static void put16(uint8_t *b, uint32_t v)
{
  b[0] = (uint8_t)(v >> 8);
  b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
  put16(b, v >> 16);
  put16(b + 2, v & 0xFFFFu);
}

static void put32_le(uint8_t *b, uint32_t v)
{
  b[0] = (uint8_t)v;
  b[1] = (uint8_t)(v >> 8);
  b[2] = (uint8_t)(v >> 16);
  b[3] = (uint8_t)(v >> 24);
}

static int is_v6(const struct fr_spec *s)
{
  return strchr(s->src, ':') != NULL;
}

/* Writes the address text a into b (4 or 16 bytes). */
static void put_addr(uint8_t *b, const char *a, int v6)
{
  ck_assert_msg(inet_pton(v6 ? AF_INET6 : AF_INET, a, b) == 1, "bad address %s",
                a);
}

static size_t transport_len(const struct fr_spec *s)
{
  switch (s->proto) {
  case 6:
    return 20u + s->tcp_opt_len;
  case 17:
  case 1:
  case 58:
    return 8;
  default:
    return 0;
  }
}

static size_t ext_len(uint8_t ext)
{
  switch (ext) {
  case FR_EXT_ROUTE:
  case FR_EXT_AH:
    return 24;
  case FR_EXT_DEST:
    return 16;
  default:
    return 8;
  }
}

static size_t ext_total(const struct fr_spec *s)
{
  size_t n = 0;

  for (size_t i = 0; i < s->n_ext; i++) {
    n += ext_len(s->ext[i]);
  }
  return n;
}

static void write_tcp(const struct fr_spec *s, uint8_t *t)
{
  uint8_t doff = s->tcp_doff ? s->tcp_doff : (uint8_t)(5 + s->tcp_opt_len / 4);

  put16(t, s->sport);
  put16(t + 2, s->dport);
  put32(t + 4, s->seq);
  put32(t + 8, s->ack);
  t[12] = (uint8_t)(doff << 4);
  t[13] = s->flags;
  put16(t + 14, s->window);
  memset(t + 20, 0x01, s->tcp_opt_len); /* NOP options */
}

static void write_transport(const struct fr_spec *s, uint8_t *t)
{
  switch (s->proto) {
  case 6:
    write_tcp(s, t);
    break;
  case 17:
    put16(t, s->sport);
    put16(t + 2, s->dport);
    put16(t + 4, 8u + s->payload);
    break;
  case 1:
  case 58:
    t[0] = s->icmp_type;
    t[1] = s->icmp_code;
    put16(t + 4, 0x1234); /* identifier */
    put16(t + 6, 1);      /* sequence */
    break;
  default:
    break;
  }
}

/* The IP length field: the headers after the fixed one, plus payload. */
static uint32_t ip_length(const struct fr_spec *s, size_t after_fixed)
{
  if (s->ip_len_zero) {
    return 0;
  }
  return (uint32_t)((int32_t)after_fixed + s->ip_len_delta) & 0xFFFFu;
}

static size_t write_ipv4(const struct fr_spec *s, uint8_t *ip, size_t rest)
{
  size_t hlen = 20u + s->ip_opt_len;
  uint8_t ihl = s->ihl ? s->ihl : (uint8_t)(hlen / 4);
  uint8_t version = s->version ? s->version : 4;
  uint32_t frag = s->frag_off & 0x1FFFu;

  ip[0] = (uint8_t)(version << 4 | (ihl & 0x0F));
  put16(ip + 2, ip_length(s, hlen + rest));
  put16(ip + 4, 0x4242); /* identification */
  put16(ip + 6, frag | (s->more_frags ? 0x2000u : 0));
  ip[8] = 64;
  ip[9] = s->proto;
  put_addr(ip + 12, s->src, 0);
  put_addr(ip + 16, s->dst, 0);
  memset(ip + 20, 0x01, s->ip_opt_len); /* NOP options */
  return hlen;
}

static void write_ext(const struct fr_spec *s, uint8_t *e, uint8_t type,
                      uint8_t next)
{
  e[0] = next;
  switch (type) {
  case FR_EXT_ROUTE:
    e[1] = 2; /* (2 + 1) * 8 = 24 bytes, type 0, no segment left */
    break;
  case FR_EXT_AH:
    e[1] = 4;              /* (4 + 2) * 4 = 24 bytes */
    put32(e + 4, 0x1000u); /* SPI */
    put32(e + 8, 1);       /* sequence number */
    break;
  case FR_EXT_DEST:
    e[1] = 1; /* (1 + 1) * 8 = 16 bytes: PadN of 12 */
    e[2] = 1;
    e[3] = 12;
    break;
  case FR_EXT_FRAG:
    put16(e + 2,
          (uint32_t)(s->frag_off & 0x1FFFu) << 3 | (s->more_frags ? 1u : 0));
    put32(e + 4, 0x4242u); /* identification */
    break;
  default:
    e[2] = 1; /* PadN of 4 */
    e[3] = 4;
    break;
  }
}

static size_t write_ipv6(const struct fr_spec *s, uint8_t *ip, size_t rest)
{
  uint8_t version = s->version ? s->version : 6;
  size_t off = 40;

  ip[0] = (uint8_t)(version << 4);
  put16(ip + 4, ip_length(s, ext_total(s) + rest));
  ip[6] = s->n_ext > 0 ? s->ext[0] : s->proto;
  ip[7] = 64;
  put_addr(ip + 8, s->src, 1);
  put_addr(ip + 24, s->dst, 1);
  for (size_t i = 0; i < s->n_ext; i++) {
    uint8_t next = i + 1 < s->n_ext ? s->ext[i + 1] : s->proto;

    write_ext(s, ip + off, s->ext[i], next);
    off += ext_len(s->ext[i]);
  }
  return off;
}

/* The datagram at buf; *l4 receives the transport header's offset. */
static size_t datagram_at(const struct fr_spec *s, uint8_t *buf, size_t cap,
                          size_t *l4)
{
  size_t rest = transport_len(s) + s->payload;
  size_t hlen = is_v6(s) ? 40u + ext_total(s) : 20u + s->ip_opt_len;

  ck_assert_msg(hlen + rest <= cap, "datagram of %zu bytes over %zu",
                hlen + rest, cap);
  memset(buf, 0, hlen + rest);
  hlen = is_v6(s) ? write_ipv6(s, buf, rest) : write_ipv4(s, buf, rest);
  write_transport(s, buf + hlen);
  if (s->body != NULL) {
    memcpy(buf + hlen + transport_len(s), s->body, s->payload);
  }
  *l4 = hlen;
  return hlen + rest;
}

size_t fr_datagram(const struct fr_spec *s, uint8_t *buf, size_t cap)
{
  size_t l4;

  return datagram_at(s, buf, cap, &l4);
}

/* The protocol word of the link header: EtherType or family. */
static uint32_t l2_proto(const struct fr_spec *s)
{
  if (s->l2_proto != 0) {
    return s->l2_proto;
  }
  if (s->link == FR_LINK_NULL_LE || s->link == FR_LINK_NULL_BE) {
    return is_v6(s) ? 10 : 2; /* Linux AF_INET6, AF_INET */
  }
  return is_v6(s) ? 0x86DDu : 0x0800u;
}

static size_t write_eth(const struct fr_spec *s, uint8_t *b)
{
  size_t off = 12;

  memcpy(b, mac_dst, 6);
  memcpy(b + 6, mac_src, 6);
  for (size_t i = 0; i < s->n_vlan; i++) {
    put16(b + off, s->vlan[i]);
    put16(b + off + 2, (uint32_t)(100 + i)); /* VLAN id */
    off += 4;
  }
  put16(b + off, l2_proto(s));
  return off + 2;
}

static size_t write_sll(const struct fr_spec *s, uint8_t *b)
{
  put16(b, 0);     /* packet sent to us */
  put16(b + 2, 1); /* ARPHRD_ETHER */
  put16(b + 4, 6); /* address length */
  memcpy(b + 6, mac_src, 6);
  put16(b + 14, l2_proto(s));
  return 16;
}

static size_t write_sll2(const struct fr_spec *s, uint8_t *b)
{
  put16(b, l2_proto(s));
  put32(b + 4, 2); /* interface index */
  put16(b + 8, 1); /* ARPHRD_ETHER */
  b[10] = 0;       /* packet sent to us */
  b[11] = 6;       /* address length */
  memcpy(b + 12, mac_src, 6);
  return 20;
}

static size_t write_link(const struct fr_spec *s, uint8_t *b)
{
  switch (s->link) {
  case FR_LINK_SLL:
    return write_sll(s, b);
  case FR_LINK_SLL2:
    return write_sll2(s, b);
  case FR_LINK_RAW:
    return 0;
  case FR_LINK_NULL_LE:
    put32_le(b, l2_proto(s));
    return 4;
  case FR_LINK_NULL_BE:
    put32(b, l2_proto(s));
    return 4;
  default:
    return write_eth(s, b);
  }
}

static int link_dlt(const struct fr_spec *s)
{
  static const int own[] = {FR_DLT_EN10MB, FR_DLT_LINUX_SLL, FR_DLT_LINUX_SLL2,
                            FR_DLT_RAW,    FR_DLT_NULL,      FR_DLT_NULL};

  return s->dlt != 0 ? s->dlt : own[s->link];
}

void fr_build(const struct fr_spec *s, struct fr_frame *out)
{
  size_t l2 = write_link(s, out->buf);
  size_t l4 = 0;
  size_t len = l2 + datagram_at(s, out->buf + l2, FR_MAX - l2 - s->pad, &l4);

  memset(out->buf + len, 0, s->pad);
  len += s->pad;
  out->ip_off = l2;
  out->l4_off = l2 + l4;
  out->frame.ts_us = s->ts;
  out->frame.data = out->buf;
  out->frame.wirelen = (uint32_t)len;
  out->frame.caplen =
      s->caplen != 0 && s->caplen < len ? s->caplen : (uint32_t)len;
  out->frame.link_type = link_dlt(s);
}

struct fr_spec fr_tcp(int64_t ts, const char *src, uint16_t sport,
                      const char *dst, uint16_t dport, uint8_t flags)
{
  struct fr_spec s = {.ts = ts,
                      .src = src,
                      .dst = dst,
                      .proto = 6,
                      .sport = sport,
                      .dport = dport,
                      .flags = flags,
                      .window = 512};

  return s;
}

struct fr_spec fr_udp(int64_t ts, const char *src, uint16_t sport,
                      const char *dst, uint16_t dport, uint16_t payload)
{
  struct fr_spec s = {.ts = ts,
                      .src = src,
                      .dst = dst,
                      .proto = 17,
                      .sport = sport,
                      .dport = dport,
                      .payload = payload};

  return s;
}

struct fr_spec fr_icmp(int64_t ts, const char *src, const char *dst,
                       uint8_t type, uint8_t code)
{
  struct fr_spec s = {
      .ts = ts, .src = src, .dst = dst, .icmp_type = type, .icmp_code = code};

  s.proto = is_v6(&s) ? 58 : 1;
  return s;
}

struct fr_spec fr_ip(int64_t ts, const char *src, const char *dst,
                     uint8_t proto, uint16_t payload)
{
  struct fr_spec s = {
      .ts = ts, .src = src, .dst = dst, .proto = proto, .payload = payload};

  return s;
}
