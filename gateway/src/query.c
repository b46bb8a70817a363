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
#define MIN_PACKETS_MAX UINT64_C(4294967295)
#define KEY_SHOWN_MAX 40
#define CHOICES_MAX 16 /* values of one enum */
#define WORDS_MAX 200  /* "a, b or c" of one enum */

enum param {
  P_PROFILE,
  P_COLUMNS,
  P_FLOW_TIMEOUT,
  P_ACTIVE_TIMEOUT,
  P_ACTIVITY_TIMEOUT,
  P_IDLE_TIMEOUT,
  P_TEARDOWN_GRACE,
  P_MIN_PACKETS,
  P_EXTRA_COLUMNS,
  P_LABEL,
  P_TIME_ZONE,
  P_OUTPUT,
  P_COUNT
};

static const char *const param_names[P_COUNT] = {
    "profile",          "columns",      "flow_timeout",   "active_timeout",
    "activity_timeout", "idle_timeout", "teardown_grace", "min_packets",
    "extra_columns",    "label",        "time_zone",      "output"};

/*
 * The words of a choice are the names of its proto enum values, in lower
 * case and without the prefix (PROFILE_CORRECTED is "corrected"), so a
 * value added to the API is a REST word at once, spelled the same.
 */
struct choice {
  const ProtobufCEnumDescriptor *desc;
  const char *prefix;
};

static const struct choice profile_choice = {&cicflow__v1__profile__descriptor,
                                             "PROFILE_"};
static const struct choice columns_choice = {
    &cicflow__v1__column_dialect__descriptor, "COLUMN_DIALECT_"};
static const struct choice extra_choice = {
    &cicflow__v1__extra_column__descriptor, "EXTRA_COLUMN_"};

void gw__query_init(struct gw_query *q)
{
  memset(q, 0, sizeof(*q));
  q->profile = CICFLOW__V1__PROFILE__PROFILE_UNSPECIFIED;
  q->columns = CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_UNSPECIFIED;
  q->output = CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_ZIP;
}

/* 1 when the len bytes of word are name in lower case. */
static int word_is(const char *name, const char *word, size_t len)
{
  size_t i = 0;

  for (; i < len && name[i] != '\0'; i++) {
    char lower = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] - 'A' + 'a')
                                                  : name[i];

    if (word[i] != lower) {
      return 0;
    }
  }
  return i == len && name[i] == '\0';
}

/* The enum value a word names; 0 (UNSPECIFIED) when none does. */
static int choice_value(const struct choice *c, const char *word, size_t len)
{
  size_t plen = strlen(c->prefix);

  for (unsigned i = 0; i < c->desc->n_values; i++) {
    const ProtobufCEnumValue *v = &c->desc->values[i];

    if (v->value != 0 && strncmp(v->name, c->prefix, plen) == 0 &&
        word_is(v->name + plen, word, len)) {
      return v->value;
    }
  }
  return 0;
}

static void put_lower(char *out, size_t size, size_t *n, const char *s)
{
  for (; *s != '\0' && *n + 1 < size; s++) {
    out[(*n)++] = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
  }
  out[*n] = '\0';
}

/* "a, b or c": the words of c, then also (if not NULL). */
static void choice_words(const struct choice *c, const char *also, char *out,
                         size_t size)
{
  const char *words[CHOICES_MAX];
  size_t count = 0;
  size_t n = 0;

  for (unsigned i = 0; i < c->desc->n_values && count + 1 < CHOICES_MAX; i++) {
    if (c->desc->values[i].value != 0) {
      words[count++] = c->desc->values[i].name + strlen(c->prefix);
    }
  }
  if (also != NULL) {
    words[count++] = also;
  }
  out[0] = '\0';
  for (size_t i = 0; i < count; i++) {
    put_lower(out, size, &n, i == 0 ? "" : i + 1 == count ? " or " : ", ");
    put_lower(out, size, &n, words[i]);
  }
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

/* A whole number from 1 to MIN_PACKETS_MAX, digits only. */
static int parse_count(const char *v, size_t len, uint64_t *n)
{
  uint64_t x = 0;

  if (len == 0) {
    return -1;
  }
  for (size_t i = 0; i < len; i++) {
    if (v[i] < '0' || v[i] > '9' || x > MIN_PACKETS_MAX) {
      return -1;
    }
    x = x * 10 + (uint64_t)(v[i] - '0');
  }
  if (x < 1 || x > MIN_PACKETS_MAX) {
    return -1;
  }
  *n = x;
  return 0;
}

/*
 * A comma-separated list of ExtraColumn words, or "all": sets bit v-1
 * of q->extras for each value v. An empty list asks for none, as on the
 * command line; an empty word ("rst,,icmp") is a typing mistake.
 */
static int parse_extras(struct gw_query *q, const char *v, size_t len)
{
  size_t start = 0;

  q->extras = 0;
  while (len > 0 && start <= len) {
    const char *comma = memchr(v + start, ',', len - start);
    size_t end = comma != NULL ? (size_t)(comma - v) : len;
    int value = choice_value(&extra_choice, v + start, end - start);

    if (end - start == 3 && memcmp(v + start, "all", 3) == 0) {
      q->extras = ~0u;
    } else if (value > 0 && value <= 32) {
      q->extras |= 1u << (value - 1);
    } else {
      return -1;
    }
    start = end + 1;
  }
  return 0;
}

static int set_choice(struct gw_query *q, enum param p, const char *v,
                      size_t len, char *why, size_t why_size)
{
  const struct choice *c = p == P_PROFILE ? &profile_choice : &columns_choice;
  char words[WORDS_MAX];
  int value;

  if (p == P_OUTPUT) {
    if (len == 3 && memcmp(v, "zip", 3) == 0) {
      q->output = CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_ZIP;
      return 0;
    }
    if (len == 3 && memcmp(v, "csv", 3) == 0) {
      q->output = CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_CSV;
      return 0;
    }
    snprintf(why, why_size, "output must be zip or csv");
    return -1;
  }
  value = choice_value(c, v, len);
  if (value == 0) {
    choice_words(c, NULL, words, sizeof(words));
    snprintf(why, why_size, "%s must be %s", param_names[p], words);
    return -1;
  }
  *(p == P_PROFILE ? &q->profile : &q->columns) = value;
  return 0;
}

static uint64_t *seconds_field(struct gw_query *q, enum param p)
{
  switch (p) {
  case P_FLOW_TIMEOUT:
  case P_ACTIVE_TIMEOUT:
    return &q->flow_timeout_us;
  case P_ACTIVITY_TIMEOUT:
    return &q->activity_timeout_us;
  case P_IDLE_TIMEOUT:
    return &q->idle_timeout_us;
  case P_TEARDOWN_GRACE:
    return &q->teardown_grace_us;
  default:
    return NULL;
  }
}

static int set_seconds(struct gw_query *q, enum param p, const char *v,
                       size_t len, char *why, size_t why_size)
{
  if (parse_seconds(v, len, seconds_field(q, p)) != 0) {
    snprintf(why, why_size,
             "%s must be a number of seconds above 0, such as 120 or "
             "0.5, with at most 6 decimals",
             param_names[p]);
    return -1;
  }
  return 0;
}

static int set_min_packets(struct gw_query *q, const char *v, size_t len,
                           char *why, size_t why_size)
{
  if (parse_count(v, len, &q->min_packets) != 0) {
    snprintf(why, why_size, "min_packets must be a whole number from 1 to %llu",
             (unsigned long long)MIN_PACKETS_MAX);
    return -1;
  }
  return 0;
}

static int set_extras(struct gw_query *q, const char *v, size_t len, char *why,
                      size_t why_size)
{
  char words[WORDS_MAX];

  if (parse_extras(q, v, len) != 0) {
    choice_words(&extra_choice, "all", words, sizeof(words));
    snprintf(why, why_size,
             "extra_columns must be a comma-separated list of %s", words);
    return -1;
  }
  return 0;
}

static int set_param(struct gw_query *q, enum param p, const char *v,
                     size_t len, char *why, size_t why_size)
{
  switch (p) {
  case P_PROFILE:
  case P_COLUMNS:
  case P_OUTPUT:
    return set_choice(q, p, v, len, why, why_size);
  case P_FLOW_TIMEOUT:
  case P_ACTIVE_TIMEOUT:
  case P_ACTIVITY_TIMEOUT:
  case P_IDLE_TIMEOUT:
  case P_TEARDOWN_GRACE:
    return set_seconds(q, p, v, len, why, why_size);
  case P_MIN_PACKETS:
    return set_min_packets(q, v, len, why, why_size);
  case P_EXTRA_COLUMNS:
    return set_extras(q, v, len, why, why_size);
  case P_LABEL:
    return set_text(q->label, "label", v, len, why, why_size);
  case P_TIME_ZONE:
    return set_text(q->time_zone, "time_zone", v, len, why, why_size);
  case P_COUNT:
    break;
  }
  return -1;
}

/* flow_timeout and active_timeout name one setting: one may be given. */
static int is_repeat(const struct gw_query *q, enum param p, char *why,
                     size_t why_size)
{
  unsigned same = 1u << p;

  if (p == P_FLOW_TIMEOUT || p == P_ACTIVE_TIMEOUT) {
    same = 1u << P_FLOW_TIMEOUT | 1u << P_ACTIVE_TIMEOUT;
  }
  if ((q->seen & same) == 0) {
    return 0;
  }
  if (q->seen & (1u << p)) {
    snprintf(why, why_size, "query parameter %s is given twice",
             param_names[p]);
  } else {
    snprintf(why, why_size,
             "flow_timeout and active_timeout are the same setting; give "
             "one of them");
  }
  return 1;
}

static void unknown_param(const char *key, size_t key_len, char *why,
                          size_t why_size)
{
  int n = snprintf(
      why, why_size, "unknown query parameter '%.*s'; the parameters are ",
      (int)(key_len < KEY_SHOWN_MAX ? key_len : KEY_SHOWN_MAX), key);

  for (int p = 0; p < P_COUNT && n > 0 && (size_t)n < why_size; p++) {
    int w = snprintf(why + n, why_size - (size_t)n, "%s%s",
                     p == 0             ? ""
                     : p == P_COUNT - 1 ? " and "
                                        : ", ",
                     param_names[p]);

    n = w > 0 ? n + w : n;
  }
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
    if (is_repeat(q, (enum param)p, why, why_size)) {
      return -1;
    }
    q->seen |= 1u << p;
    return set_param(q, (enum param)p, value, value_len, why, why_size);
  }
  unknown_param(key, key_len, why, why_size);
  return -1;
}

int gw__query_check(const struct gw_query *q, char *why, size_t why_size)
{
  const char *name = q->idle_timeout_us != 0     ? "idle_timeout"
                     : q->teardown_grace_us != 0 ? "teardown_grace"
                                                 : NULL;

  /* The cic profile has neither rule; accepting one would mislead. */
  if (name != NULL && q->profile != CICFLOW__V1__PROFILE__PROFILE_CORRECTED) {
    snprintf(why, why_size,
             "%s needs profile=corrected; the cic profile has no such rule",
             name);
    return -1;
  }
  return 0;
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
  if (ctx.failed) {
    return -1;
  }
  return gw__query_check(q, why, why_size);
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

/* Bit v-1 of q->extras is ExtraColumn v; extras has room for 32. */
static size_t extra_list(const struct gw_query *q,
                         Cicflow__V1__ExtraColumn *extras)
{
  const ProtobufCEnumDescriptor *d = extra_choice.desc;
  size_t n = 0;

  for (unsigned i = 0; i < d->n_values; i++) {
    int v = d->values[i].value;

    if (v > 0 && v <= 32 && (q->extras & (1u << (v - 1)))) {
      extras[n++] = (Cicflow__V1__ExtraColumn)v;
    }
  }
  return n;
}

struct rpc_msg *gw__options_msg(const struct gw_query *q, const char *file_name)
{
  Cicflow__V1__ProcessPcapRequest req = CICFLOW__V1__PROCESS_PCAP_REQUEST__INIT;
  Cicflow__V1__ProcessOptions o = CICFLOW__V1__PROCESS_OPTIONS__INIT;
  Cicflow__V1__ExtraColumn extras[32];
  char name[GW__FILE_NAME_MAX];
  char label[GW__TEXT_MAX];
  char zone[GW__TEXT_MAX];

  name_for_proto(file_name, name, sizeof(name));
  memcpy(label, q->label, sizeof(label));
  memcpy(zone, q->time_zone, sizeof(zone));
  o.file_name = name;
  o.profile = (Cicflow__V1__Profile)q->profile;
  o.columns = (Cicflow__V1__ColumnDialect)q->columns;
  o.flow_timeout_us = q->flow_timeout_us;
  o.activity_timeout_us = q->activity_timeout_us;
  o.idle_timeout_us = q->idle_timeout_us;
  o.teardown_grace_us = q->teardown_grace_us;
  o.min_packets = q->min_packets;
  o.n_extra_columns = extra_list(q, extras);
  o.extra_columns = extras;
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
