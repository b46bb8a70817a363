/* SPDX-License-Identifier: MIT */
/*
 * The query string of POST /process, turned into the ProcessOptions of
 * the call, and the request messages the gateway sends to the service.
 * The gateway checks only what HTTP adds (names, number syntax, units,
 * text encoding); the handler checks the values themselves, so both
 * transports refuse the same options for the same reasons.
 */
#include <stdio.h>
#include <string.h>

#include "gw_int.h"

#include "cicflow/v1/flowmeter.pb-c.h"

#define US_PER_SECOND UINT64_C(1000000)
#define SECONDS_MAX UINT64_C(1000000000) /* 31 years is timeout enough */
#define FRACTION_DIGITS 6                /* microseconds */
#define KEY_SHOWN_MAX 40

enum param {
  P_PROFILE,
  P_FLOW_TIMEOUT,
  P_ACTIVITY_TIMEOUT,
  P_LABEL,
  P_TIME_ZONE,
  P_OUTPUT,
  P_COUNT
};

static const char *const param_names[P_COUNT] = {
    "profile", "flow_timeout", "activity_timeout",
    "label",   "time_zone",    "output"};

void gw__query_init(struct gw_query *q)
{
  memset(q, 0, sizeof(*q));
  q->profile = CICFLOW__V1__PROFILE__PROFILE_UNSPECIFIED;
  q->output = CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_ZIP;
}

/* Length of the UTF-8 sequence led by c, or 0 for a byte that cannot
 * lead one (RFC 3629 §4). */
static size_t utf8_length(unsigned char c)
{
  if (c < 0x80) {
    return 1;
  }
  if (c >= 0xc2 && c <= 0xdf) {
    return 2;
  }
  if (c >= 0xe0 && c <= 0xef) {
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    return 4;
  }
  return 0;
}

/* The allowed range of a sequence's second byte (RFC 3629 §4). */
static int second_byte_ok(unsigned char lead, unsigned char c)
{
  if (lead == 0xe0) {
    return c >= 0xa0 && c <= 0xbf;
  }
  if (lead == 0xed) {
    return c >= 0x80 && c <= 0x9f;
  }
  if (lead == 0xf0) {
    return c >= 0x90 && c <= 0xbf;
  }
  if (lead == 0xf4) {
    return c >= 0x80 && c <= 0x8f;
  }
  return c >= 0x80 && c <= 0xbf;
}

int gw__text_utf8(const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;

  while (i < len) {
    size_t n = utf8_length(p[i]);

    if (n == 0 || p[i] == 0 || len - i < n) {
      return 0;
    }
    if (n > 1 && !second_byte_ok(p[i], p[i + 1])) {
      return 0;
    }
    for (size_t k = 2; k < n; k++) {
      if (p[i + k] < 0x80 || p[i + k] > 0xbf) {
        return 0;
      }
    }
    i += n;
  }
  return 1;
}

/*
 * "SECONDS" or "SECONDS.FRACTION", at most microsecond precision, more
 * than 0 (the API reads 0 as "the default", which is not what a client
 * writing 0 means).
 */
static int parse_seconds(const char *v, size_t len, uint64_t *us)
{
  uint64_t whole = 0;
  uint64_t frac = 0;
  size_t digits = 0;
  size_t frac_digits = 0;
  size_t i = 0;

  for (; i < len && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
    if (whole > SECONDS_MAX) {
      return -1;
    }
    whole = whole * 10 + (uint64_t)(v[i] - '0');
  }
  if (i < len && v[i] == '.') {
    for (i++; i < len && v[i] >= '0' && v[i] <= '9'; i++, frac_digits++) {
      if (frac_digits == FRACTION_DIGITS) {
        return -1;
      }
      frac = frac * 10 + (uint64_t)(v[i] - '0');
    }
  }
  if (i != len || digits + frac_digits == 0 || whole > SECONDS_MAX) {
    return -1;
  }
  for (; frac_digits < FRACTION_DIGITS; frac_digits++) {
    frac *= 10;
  }
  *us = whole * US_PER_SECOND + frac;
  return *us > 0 ? 0 : -1;
}

static int set_text(char *field, const char *name, const char *v, size_t len,
                    char *why, size_t why_size)
{
  if (len >= GW__TEXT_MAX) {
    snprintf(why, why_size, "%s is %zu bytes long; the limit is %d", name, len,
             GW__TEXT_MAX - 1);
    return -1;
  }
  if (!gw__text_utf8(v, len)) {
    snprintf(why, why_size, "%s must be UTF-8 text without NUL bytes", name);
    return -1;
  }
  memcpy(field, v, len);
  field[len] = '\0';
  return 0;
}

static int set_choice(struct gw_query *q, enum param p, const char *v,
                      size_t len, char *why, size_t why_size)
{
  if (p == P_PROFILE && len == 3 && memcmp(v, "cic", 3) == 0) {
    q->profile = CICFLOW__V1__PROFILE__PROFILE_CIC;
    return 0;
  }
  if (p == P_OUTPUT && len == 3 && memcmp(v, "zip", 3) == 0) {
    q->output = CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_ZIP;
    return 0;
  }
  if (p == P_OUTPUT && len == 3 && memcmp(v, "csv", 3) == 0) {
    q->output = CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_CSV;
    return 0;
  }
  snprintf(why, why_size, "%s must be %s", param_names[p],
           p == P_PROFILE ? "cic" : "zip or csv");
  return -1;
}

static int set_param(struct gw_query *q, enum param p, const char *v,
                     size_t len, char *why, size_t why_size)
{
  uint64_t *us =
      p == P_FLOW_TIMEOUT ? &q->flow_timeout_us : &q->activity_timeout_us;

  switch (p) {
  case P_PROFILE:
  case P_OUTPUT:
    return set_choice(q, p, v, len, why, why_size);
  case P_FLOW_TIMEOUT:
  case P_ACTIVITY_TIMEOUT:
    if (parse_seconds(v, len, us) != 0) {
      snprintf(why, why_size,
               "%s must be a number of seconds above 0, such as 120 or "
               "0.5, with at most 6 decimals",
               param_names[p]);
      return -1;
    }
    return 0;
  case P_LABEL:
    return set_text(q->label, "label", v, len, why, why_size);
  case P_TIME_ZONE:
    return set_text(q->time_zone, "time_zone", v, len, why, why_size);
  case P_COUNT:
    break;
  }
  return -1;
}

int gw__query_set(struct gw_query *q, const char *key, size_t key_len,
                  const char *value, size_t value_len, char *why,
                  size_t why_size)
{
  for (int p = 0; p < P_COUNT; p++) {
    if (strlen(param_names[p]) != key_len ||
        memcmp(param_names[p], key, key_len) != 0) {
      continue;
    }
    if (q->seen & (1u << p)) {
      snprintf(why, why_size, "query parameter %s is given twice",
               param_names[p]);
      return -1;
    }
    q->seen |= 1u << p;
    return set_param(q, (enum param)p, value, value_len, why, why_size);
  }
  snprintf(why, why_size,
           "unknown query parameter '%.*s'; the parameters are profile, "
           "flow_timeout, activity_timeout, label, time_zone and output",
           (int)(key_len < KEY_SHOWN_MAX ? key_len : KEY_SHOWN_MAX), key);
  return -1;
}

struct read_ctx {
  struct gw_query *q;
  char *why;
  size_t why_size;
  int failed;
};

static enum MHD_Result on_arg(void *cls, enum MHD_ValueKind kind,
                              const char *key, size_t key_size,
                              const char *value, size_t value_size)
{
  struct read_ctx *ctx = cls;

  (void)kind;
  if (value == NULL) {
    value = "";
    value_size = 0;
  }
  if (gw__query_set(ctx->q, key, key_size, value, value_size, ctx->why,
                    ctx->why_size) != 0) {
    ctx->failed = 1;
    return MHD_NO;
  }
  return MHD_YES;
}

int gw__query_read(struct MHD_Connection *c, struct gw_query *q, char *why,
                   size_t why_size)
{
  struct read_ctx ctx = {q, why, why_size, 0};

  MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, on_arg, &ctx);
  return ctx.failed ? -1 : 0;
}

static struct rpc_msg *pack_request(const Cicflow__V1__ProcessPcapRequest *req)
{
  size_t len = cicflow__v1__process_pcap_request__get_packed_size(req);
  struct rpc_msg *m = rpc_msg_new(len);

  if (m != NULL) {
    cicflow__v1__process_pcap_request__pack(req, m->data);
  }
  return m;
}

/*
 * The service keeps only a sanitised last path component of the name; the
 * gateway only has to hand it over as a proto3 string, which must be
 * UTF-8: other bytes become '_', as the service would make them anyway.
 */
static void name_for_proto(const char *in, char *out, size_t size)
{
  size_t n = 0;

  for (; in != NULL && *in != '\0' && n + 1 < size; in++) {
    unsigned char c = (unsigned char)*in;

    out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '_';
  }
  out[n] = '\0';
}

struct rpc_msg *gw__options_msg(const struct gw_query *q, const char *file_name)
{
  Cicflow__V1__ProcessPcapRequest req = CICFLOW__V1__PROCESS_PCAP_REQUEST__INIT;
  Cicflow__V1__ProcessOptions o = CICFLOW__V1__PROCESS_OPTIONS__INIT;
  char name[GW__FILE_NAME_MAX];
  char label[GW__TEXT_MAX];
  char zone[GW__TEXT_MAX];

  name_for_proto(file_name, name, sizeof(name));
  memcpy(label, q->label, sizeof(label));
  memcpy(zone, q->time_zone, sizeof(zone));
  o.file_name = name;
  o.profile = (Cicflow__V1__Profile)q->profile;
  o.flow_timeout_us = q->flow_timeout_us;
  o.activity_timeout_us = q->activity_timeout_us;
  o.label = label;
  o.output = (Cicflow__V1__OutputFormat)q->output;
  o.time_zone = zone;
  req.payload_case = CICFLOW__V1__PROCESS_PCAP_REQUEST__PAYLOAD_OPTIONS;
  req.options = &o;
  return pack_request(&req);
}

struct rpc_msg *gw__chunk_msg(const char *data, size_t len)
{
  Cicflow__V1__ProcessPcapRequest req = CICFLOW__V1__PROCESS_PCAP_REQUEST__INIT;

  req.payload_case = CICFLOW__V1__PROCESS_PCAP_REQUEST__PAYLOAD_CHUNK;
  req.chunk.data = (uint8_t *)(uintptr_t)data;
  req.chunk.len = len;
  return pack_request(&req);
}
