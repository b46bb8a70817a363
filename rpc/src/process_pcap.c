/* SPDX-License-Identifier: MIT */
/*
 * The ProcessPcap handler. It reads the options from the first request,
 * runs the capture bytes of the following ones through the flow engine as
 * they arrive, and answers in the format asked for: flows as soon as they
 * are final, or a CSV spooled to an anonymous temporary file and sent
 * (zipped or not) once the input is read. Spooling is what lets HTTP/1.1
 * clients, which do not read while they upload, use the same handler.
 */
#include <stdlib.h>
#include <string.h>

#include "flowengine/capture.h"
#include "flowengine/meter.h"
#include "flowengine/pump.h"

#include "rpc/clock.h"
#include "rpc/metrics.h"

#include "rpc_int.h"

#define FLOW_BATCH_MAX 256
#define FLOW_BATCH_SECONDS 0.05

#define WARNINGS_MAX 2        /* damage, and flows cut at the table limit */
#define SUMMARY_TEXT_MAX 1024 /* summary.txt without its warnings */

/* The engine's limit on every timeout, checked here to name the field. */
#define TIMEOUT_MAX_US (INT64_C(10) * 366 * 86400 * 1000000)

enum output_kind { OUT_ZIP, OUT_CSV, OUT_FLOWS };

struct flow_batch {
  struct fe_row rows[FLOW_BATCH_MAX];
  Cicflow__V1__Flow msgs[FLOW_BATCH_MAX];
  Cicflow__V1__Flow *ptrs[FLOW_BATCH_MAX];
  size_t len;
  double last_sent; /* monotonic seconds */
};

struct pcap_job {
  struct rpc_service *svc;
  struct rpc_call *call;
  enum output_kind output;
  char name[RPC__NAME_MAX];
  struct fe_options opts;
  struct fe_layout layout;
  char label[FE_LABEL_MAX];
  char zone[64];
  FILE *spool;
  struct flow_batch *batch;
  uint64_t flows;
  enum rpc_code fail_code; /* set when a callback stopped the meter */
  char fail[RPC_MESSAGE_MAX];
  char protocol_error[RPC_MESSAGE_MAX];
  char warning[WARNINGS_MAX][FE_CAPTURE_ERR_MAX];
  char *warning_ptrs[WARNINGS_MAX]; /* for the messages */
  size_t warnings;
  char line[FE_ROW_CSV_MAX];
  struct fe_capture *cap;
};

static void add_warning(struct pcap_job *j, const char *text)
{
  if (j->warnings < WARNINGS_MAX) {
    snprintf(j->warning[j->warnings], sizeof(j->warning[0]), "%s", text);
    j->warning_ptrs[j->warnings] = j->warning[j->warnings];
    j->warnings++;
  }
}

static void fail(struct pcap_job *j, enum rpc_code code, const char *msg)
{
  if (j->fail_code == RPC_OK) {
    j->fail_code = code;
    snprintf(j->fail, sizeof(j->fail), "%s", msg);
  }
}

/* Packs and queues one response; blocking unless try_only. */
static int send_response(struct pcap_job *j,
                         const Cicflow__V1__ProcessPcapResponse *resp,
                         int try_only)
{
  size_t len = cicflow__v1__process_pcap_response__get_packed_size(resp);
  uint8_t *buf = malloc(len > 0 ? len : 1);
  int rc;

  if (buf == NULL) {
    return RPC_ERR_NOMEM;
  }
  cicflow__v1__process_pcap_response__pack(resp, buf);
  rc = try_only ? rpc_call_try_write(j->call, buf, len)
                : rpc_call_write(j->call, buf, len);
  free(buf);
  return rc;
}

static int send_flow_batch(struct pcap_job *j)
{
  Cicflow__V1__ProcessPcapResponse resp =
      CICFLOW__V1__PROCESS_PCAP_RESPONSE__INIT;
  Cicflow__V1__FlowBatch batch = CICFLOW__V1__FLOW_BATCH__INIT;
  int rc;

  if (j->batch->len == 0) {
    return 0;
  }
  batch.n_flows = j->batch->len;
  batch.flows = j->batch->ptrs;
  resp.payload_case = CICFLOW__V1__PROCESS_PCAP_RESPONSE__PAYLOAD_FLOWS;
  resp.flows = &batch;
  rc = send_response(j, &resp, 0);
  j->batch->len = 0;
  j->batch->last_sent = rpc_clock_seconds();
  return rc;
}

/* Flows go out in batches, but never held back for long. */
static int add_flow(struct pcap_job *j, const struct fe_row *row)
{
  struct flow_batch *b = j->batch;
  Cicflow__V1__Flow *msg = &b->msgs[b->len];

  b->rows[b->len] = *row;
  cicflow__v1__flow__init(msg);
  rpc__flow_from_row(&b->rows[b->len], msg);
  b->ptrs[b->len] = msg;
  b->len++;
  if (b->len == FLOW_BATCH_MAX ||
      rpc_clock_seconds() - b->last_sent >= FLOW_BATCH_SECONDS) {
    return send_flow_batch(j);
  }
  return 0;
}

static int on_row(void *ctx, const struct fe_row *row)
{
  struct pcap_job *j = ctx;
  uint64_t limit = j->svc->cfg.max_flows_per_call;
  char msg[128];

  if (limit != 0 && ++j->flows > limit) {
    snprintf(msg, sizeof(msg), "more than %llu flows in one call",
             (unsigned long long)limit);
    fail(j, RPC_RESOURCE_EXHAUSTED, msg);
    return 1;
  }
  if (j->output == OUT_FLOWS) {
    if (add_flow(j, row) != 0) {
      fail(j, RPC_CANCELLED, "the call ended while sending flows");
      return 1;
    }
    return 0;
  }
  size_t len = fe_row_format_layout(row, &j->layout, j->line);
  if (fwrite(j->line, 1, len, j->spool) != len) {
    fail(j, RPC_INTERNAL, "cannot write the temporary CSV file");
    return 1;
  }
  return 0;
}

/* Progress is dropped rather than waited for: it is only a hint. */
static int on_progress(void *ctx, uint64_t bytes, const struct fe_counters *c)
{
  struct pcap_job *j = ctx;
  Cicflow__V1__ProcessPcapResponse resp =
      CICFLOW__V1__PROCESS_PCAP_RESPONSE__INIT;
  Cicflow__V1__Progress p = CICFLOW__V1__PROGRESS__INIT;

  if (rpc_call_cancelled(j->call)) {
    return 1;
  }
  if (j->output == OUT_FLOWS && send_flow_batch(j) != 0) {
    return 1;
  }
  p.bytes_read = bytes;
  p.packets_read = c->packets_read;
  p.flows_written = c->flows_written;
  resp.payload_case = CICFLOW__V1__PROCESS_PCAP_RESPONSE__PAYLOAD_PROGRESS;
  resp.progress = &p;
  (void)send_response(j, &resp, 1);
  return 0;
}

static int take_output(struct pcap_job *j, Cicflow__V1__OutputFormat f)
{
  switch (f) {
  case CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_UNSPECIFIED:
  case CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_ZIP:
    j->output = OUT_ZIP;
    return 0;
  case CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_CSV:
    j->output = OUT_CSV;
    return 0;
  case CICFLOW__V1__OUTPUT_FORMAT__OUTPUT_FORMAT_FLOWS:
    j->output = OUT_FLOWS;
    return 0;
  default:
    return -1;
  }
}

/* Refuses the options with a message that names what is wrong. */
static int refuse(struct pcap_job *j, const char *why)
{
  char msg[RPC_MESSAGE_MAX];

  snprintf(msg, sizeof(msg), "invalid options: %s", why);
  fail(j, RPC_INVALID_ARGUMENT, msg);
  return -1;
}

static int take_profile(struct pcap_job *j, Cicflow__V1__Profile p)
{
  char why[128];

  switch (p) {
  case CICFLOW__V1__PROFILE__PROFILE_UNSPECIFIED:
  case CICFLOW__V1__PROFILE__PROFILE_CIC:
    j->opts.profile = FE_PROFILE_CIC;
    return 0;
  case CICFLOW__V1__PROFILE__PROFILE_CORRECTED:
    j->opts.profile = FE_PROFILE_CORRECTED;
    return 0;
  default:
    snprintf(why, sizeof(why),
             "unknown profile %d; use PROFILE_CIC or PROFILE_CORRECTED",
             (int)p);
    return refuse(j, why);
  }
}

static int take_columns(struct pcap_job *j, Cicflow__V1__ColumnDialect d)
{
  char why[160];

  switch (d) {
  case CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_UNSPECIFIED:
  case CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_CICFLOWMETER:
    j->layout.dialect = FE_DIALECT_CICFLOWMETER;
    return 0;
  case CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_CICIDS2017:
    j->layout.dialect = FE_DIALECT_CICIDS2017;
    return 0;
  case CICFLOW__V1__COLUMN_DIALECT__COLUMN_DIALECT_SNAKE:
    j->layout.dialect = FE_DIALECT_SNAKE;
    return 0;
  default:
    snprintf(why, sizeof(why),
             "unknown columns %d; use COLUMN_DIALECT_CICFLOWMETER, "
             "COLUMN_DIALECT_CICIDS2017 or COLUMN_DIALECT_SNAKE",
             (int)d);
    return refuse(j, why);
  }
}

/* The FE_EXTRA_* bit of one ExtraColumn value; 0 for UNSPECIFIED. */
static int extra_bit(Cicflow__V1__ExtraColumn e, unsigned *bit)
{
  switch (e) {
  case CICFLOW__V1__EXTRA_COLUMN__EXTRA_COLUMN_UNSPECIFIED:
    *bit = 0;
    return 0;
  case CICFLOW__V1__EXTRA_COLUMN__EXTRA_COLUMN_END_REASON:
    *bit = FE_EXTRA_END_REASON;
    return 0;
  case CICFLOW__V1__EXTRA_COLUMN__EXTRA_COLUMN_TIMES:
    *bit = FE_EXTRA_TIMES;
    return 0;
  case CICFLOW__V1__EXTRA_COLUMN__EXTRA_COLUMN_ICMP:
    *bit = FE_EXTRA_ICMP;
    return 0;
  case CICFLOW__V1__EXTRA_COLUMN__EXTRA_COLUMN_RST:
    *bit = FE_EXTRA_RST;
    return 0;
  default:
    return -1;
  }
}

static int take_extras(struct pcap_job *j, const Cicflow__V1__ProcessOptions *o)
{
  char why[160];
  unsigned bit;

  j->layout.extras = 0;
  for (size_t i = 0; i < o->n_extra_columns; i++) {
    if (extra_bit(o->extra_columns[i], &bit) != 0) {
      snprintf(why, sizeof(why),
               "unknown extra_columns value %d; use EXTRA_COLUMN_END_REASON, "
               "EXTRA_COLUMN_TIMES, EXTRA_COLUMN_ICMP or EXTRA_COLUMN_RST",
               (int)o->extra_columns[i]);
      return refuse(j, why);
    }
    j->layout.extras |= bit;
  }
  return 0;
}

/* A timeout field: 0 keeps the default in *us. */
static int take_us(struct pcap_job *j, const char *field, uint64_t v,
                   int64_t *us)
{
  char why[160];

  if (v > (uint64_t)TIMEOUT_MAX_US) {
    snprintf(why, sizeof(why), "%s is %llu; the limit is %lld (ten years)",
             field, (unsigned long long)v, (long long)TIMEOUT_MAX_US);
    return refuse(j, why);
  }
  if (v > 0) {
    *us = (int64_t)v;
  }
  return 0;
}

/*
 * The corrected profile's own rules mean nothing to cic, so a client that
 * sets them with cic has misunderstood something: say so.
 */
static int take_corrected_only(struct pcap_job *j,
                               const Cicflow__V1__ProcessOptions *o)
{
  const char *field = o->idle_timeout_us != 0     ? "idle_timeout_us"
                      : o->teardown_grace_us != 0 ? "teardown_grace_us"
                                                  : NULL;
  char why[160];

  if (field != NULL && j->opts.profile != FE_PROFILE_CORRECTED) {
    snprintf(why, sizeof(why),
             "%s applies only to PROFILE_CORRECTED; the cic profile has no "
             "such rule",
             field);
    return refuse(j, why);
  }
  if (take_us(j, "idle_timeout_us", o->idle_timeout_us,
              &j->opts.idle_timeout_us) != 0 ||
      take_us(j, "teardown_grace_us", o->teardown_grace_us,
              &j->opts.teardown_grace_us) != 0) {
    return -1;
  }
  return 0;
}

static void take_texts(struct pcap_job *j, const Cicflow__V1__ProcessOptions *o)
{
  snprintf(j->label, sizeof(j->label), "%s",
           o->label[0] != '\0' ? o->label : j->opts.label);
  snprintf(j->zone, sizeof(j->zone), "%s",
           o->time_zone[0] != '\0' ? o->time_zone : "UTC");
  /* Texts too long for the copies go as they are, to be refused. */
  j->opts.label = strlen(o->label) < FE_LABEL_MAX ? j->label : o->label;
  j->opts.time_zone =
      strlen(o->time_zone) < sizeof(j->zone) ? j->zone : o->time_zone;
}

/* Maps the options message onto the engine's options and layout. */
static int take_options(struct pcap_job *j,
                        const Cicflow__V1__ProcessOptions *o)
{
  char why[160];

  fe_options_init(&j->opts);
  memset(&j->layout, 0, sizeof(j->layout));
  if (take_profile(j, o->profile) != 0 || take_columns(j, o->columns) != 0 ||
      take_extras(j, o) != 0) {
    return -1;
  }
  if (take_output(j, o->output) != 0) {
    return refuse(j, "unknown output format");
  }
  if (take_us(j, "flow_timeout_us", o->flow_timeout_us,
              &j->opts.flow_timeout_us) != 0 ||
      take_us(j, "activity_timeout_us", o->activity_timeout_us,
              &j->opts.activity_timeout_us) != 0 ||
      take_corrected_only(j, o) != 0) {
    return -1;
  }
  j->opts.min_packets = o->min_packets;
  take_texts(j, o);
  rpc__sanitize_name(o->file_name, j->name, sizeof(j->name));
  if (j->svc->cfg.max_open_flows > 0) {
    j->opts.max_flows = (size_t)j->svc->cfg.max_open_flows;
  }
  if (fe_options_check(&j->opts, why, sizeof(why)) != 0) {
    return refuse(j, why);
  }
  return 0;
}

static int read_options(struct pcap_job *j)
{
  struct rpc_msg *m = NULL;
  Cicflow__V1__ProcessPcapRequest *req;
  int rc;

  if (rpc_call_read(j->call, &m) != 0) {
    return -1;
  }
  if (m == NULL) {
    fail(j, RPC_INVALID_ARGUMENT,
         "no request: the first message must "
         "carry the options");
    return -1;
  }
  req = cicflow__v1__process_pcap_request__unpack(NULL, m->len, m->data);
  free(m);
  if (req == NULL ||
      req->payload_case != CICFLOW__V1__PROCESS_PCAP_REQUEST__PAYLOAD_OPTIONS) {
    fail(j, RPC_INVALID_ARGUMENT, "the first message must carry the options");
    rc = -1;
  } else {
    rc = take_options(j, req->options);
  }
  if (req != NULL) {
    cicflow__v1__process_pcap_request__free_unpacked(req, NULL);
  }
  return rc;
}

static long file_size(FILE *fp)
{
  long size;

  if (fseek(fp, 0, SEEK_END) != 0) {
    return -1;
  }
  size = ftell(fp);
  rewind(fp);
  return size;
}

static int send_output_start(struct pcap_job *j, const char *file_name,
                             const char *type, uint64_t size)
{
  Cicflow__V1__ProcessPcapResponse resp =
      CICFLOW__V1__PROCESS_PCAP_RESPONSE__INIT;
  Cicflow__V1__OutputStart start = CICFLOW__V1__OUTPUT_START__INIT;

  start.file_name = (char *)file_name;
  start.content_type = (char *)type;
  start.size_bytes = size;
  start.n_warnings = j->warnings;
  start.warnings = j->warning_ptrs;
  resp.payload_case = CICFLOW__V1__PROCESS_PCAP_RESPONSE__PAYLOAD_OUTPUT_START;
  resp.output_start = &start;
  return send_response(j, &resp, 0);
}

/* Sends file as OutputStart and chunks of at most RPC__CHUNK_BYTES. */
static int send_file(struct pcap_job *j, FILE *file, const char *file_name,
                     const char *type)
{
  Cicflow__V1__ProcessPcapResponse resp =
      CICFLOW__V1__PROCESS_PCAP_RESPONSE__INIT;
  long size = file_size(file);
  uint8_t *chunk;
  size_t n;
  int rc = 0;

  if (size < 0 || send_output_start(j, file_name, type, (uint64_t)size) != 0) {
    return -1;
  }
  chunk = malloc(RPC__CHUNK_BYTES);
  if (chunk == NULL) {
    return -1;
  }
  resp.payload_case = CICFLOW__V1__PROCESS_PCAP_RESPONSE__PAYLOAD_OUTPUT_CHUNK;
  while (rc == 0 && (n = fread(chunk, 1, RPC__CHUNK_BYTES, file)) > 0) {
    resp.output_chunk.data = chunk;
    resp.output_chunk.len = n;
    rc = send_response(j, &resp, 0);
  }
  if (rc == 0 && ferror(file)) {
    rc = -1;
  }
  free(chunk);
  return rc;
}

/* Text built line by line; a line that does not fit is left out. */
struct text {
  char *buf;
  size_t size;
  size_t len;
};

static void put_line(struct text *t, const char *prefix, const char *name,
                     const char *value)
{
  size_t room = t->size - t->len;
  int n = snprintf(t->buf + t->len, room, "%s%s: %s\n", prefix, name, value);

  if (n > 0 && (size_t)n < room) {
    t->len += (size_t)n;
  } else {
    t->buf[t->len] = '\0';
  }
}

static void put_count(struct text *t, const char *prefix, const char *name,
                      uint64_t value)
{
  char digits[24];

  snprintf(digits, sizeof(digits), "%llu", (unsigned long long)value);
  put_line(t, prefix, name, digits);
}

/*
 * summary.txt: the Summary's counts as "name: value" lines, then the
 * warnings. Always in the zip, since REST clients get nothing else that
 * tells why a capture gave fewer rows than they expected.
 */
static void summary_text(const struct pcap_job *j, const struct fe_counters *c,
                         char *buf, size_t size)
{
  struct text t = {buf, size, 0};
  uint64_t ignored = 0;

  buf[0] = '\0';
  for (int r = 0; r < FE_IGNORE_REASONS; r++) {
    ignored += c->packets_ignored[r];
  }
  put_line(&t, "", "profile",
           j->opts.profile == FE_PROFILE_CORRECTED ? "corrected" : "cic");
  put_count(&t, "", "packets_read", c->packets_read);
  put_count(&t, "", "packets_used", c->packets_used);
  put_count(&t, "", "packets_ignored", ignored);
  for (int r = 0; r < FE_IGNORE_REASONS; r++) {
    put_count(&t, "packets_ignored.",
              fe_ignore_reason_name((enum fe_ignore_reason)r),
              c->packets_ignored[r]);
  }
  put_count(&t, "", "packets_out_of_order", c->packets_out_of_order);
  put_count(&t, "", "flows_written", c->flows_written);
  put_count(&t, "", "flows_dropped_single", c->flows_dropped_single);
  put_count(&t, "", "packets_in_dropped_flows", c->packets_in_dropped);
  for (size_t i = 0; i < j->warnings; i++) {
    put_line(&t, "", "warning", j->warning[i]);
  }
}

static int send_spooled_output(struct pcap_job *j, const struct fe_counters *c)
{
  char file_name[RPC__NAME_MAX + 16];
  char entry[RPC__NAME_MAX + 16];
  char summary[SUMMARY_TEXT_MAX + WARNINGS_MAX * (FE_CAPTURE_ERR_MAX + 16)];
  char err[RPC_MESSAGE_MAX];
  FILE *zip;
  int rc;

  snprintf(entry, sizeof(entry), "%s_Flow.csv", j->name);
  if (fflush(j->spool) != 0) {
    fail(j, RPC_INTERNAL, "cannot write the temporary CSV file");
    return -1;
  }
  rewind(j->spool);
  if (j->output == OUT_CSV) {
    return send_file(j, j->spool, entry, "text/csv");
  }
  summary_text(j, c, summary, sizeof(summary));
  zip = rpc__zip_build(j->svc->tmp_dir, j->spool, entry, summary, err);
  if (zip == NULL) {
    fail(j, RPC_INTERNAL, err);
    return -1;
  }
  snprintf(file_name, sizeof(file_name), "%s.zip", j->name);
  rc = send_file(j, zip, file_name, "application/zip");
  fclose(zip);
  return rc;
}

static void fill_ignored(Cicflow__V1__IgnoredPackets *ig,
                         const struct fe_counters *c)
{
  ig->no_ipv4 = c->packets_ignored[FE_IGNORE_NO_IPV4];
  ig->malformed = c->packets_ignored[FE_IGNORE_MALFORMED];
  ig->link_type = c->packets_ignored[FE_IGNORE_LINK_TYPE];
  ig->not_ip = c->packets_ignored[FE_IGNORE_NOT_IP];
  ig->fragment = c->packets_ignored[FE_IGNORE_FRAGMENT];
  ig->truncated = c->packets_ignored[FE_IGNORE_TRUNCATED];
}

static int send_summary(struct pcap_job *j, const struct fe_counters *c)
{
  Cicflow__V1__ProcessPcapResponse resp =
      CICFLOW__V1__PROCESS_PCAP_RESPONSE__INIT;
  Cicflow__V1__Summary s = CICFLOW__V1__SUMMARY__INIT;
  Cicflow__V1__IgnoredPackets ignored = CICFLOW__V1__IGNORED_PACKETS__INIT;

  s.bytes_read = fe_capture_bytes_read(j->cap);
  s.packets_read = c->packets_read;
  s.packets_used = c->packets_used;
  fill_ignored(&ignored, c);
  s.packets_ignored = &ignored;
  s.flows_written = c->flows_written;
  s.flows_dropped_single = c->flows_dropped_single;
  s.packets_in_dropped_flows = c->packets_in_dropped;
  s.packets_out_of_order = c->packets_out_of_order;
  s.n_warnings = j->warnings;
  s.warnings = j->warning_ptrs;
  s.link_type = (uint64_t)fe_capture_link_type(j->cap);
  s.peak_open_flows = c->peak_open_flows;
  resp.payload_case = CICFLOW__V1__PROCESS_PCAP_RESPONSE__PAYLOAD_SUMMARY;
  resp.summary = &s;
  return send_response(j, &resp, 0);
}

/*
 * A pump that ended in "damage" may really have been stopped by the call:
 * the stream reports cancellation and protocol errors as read errors.
 */
static int classify_pump_end(struct pcap_job *j, int rc, const char *err)
{
  if (rc == 0) {
    return 0;
  }
  if (j->fail_code != RPC_OK || rpc_call_cancelled(j->call)) {
    return -1;
  }
  if (j->protocol_error[0] != '\0') {
    fail(j, RPC_INVALID_ARGUMENT, j->protocol_error);
    return -1;
  }
  if (rc == FE_ERR_DAMAGED) {
    add_warning(j, err);
    return 0;
  }
  fail(j, RPC_INTERNAL, fe_strerror(rc));
  return -1;
}

static int open_capture(struct pcap_job *j)
{
  char err[FE_CAPTURE_ERR_MAX];
  FILE *in = rpc__capture_stream(j->call, j->svc->cfg.max_upload_bytes,
                                 j->protocol_error);

  if (in == NULL) {
    fail(j, RPC_INTERNAL, "out of memory");
    return -1;
  }
  if (fe_capture_open(in, &j->cap, err) == 0) {
    return 0;
  }
  if (!rpc_call_cancelled(j->call)) {
    fail(j, RPC_INVALID_ARGUMENT,
         j->protocol_error[0] != '\0' ? j->protocol_error : err);
  }
  return -1;
}

/* Flows cut at the open-flow limit are rows CICFlowMeter would split. */
static void warn_if_cut(struct pcap_job *j, const struct fe_counters *c)
{
  char text[FE_CAPTURE_ERR_MAX];

  if (c->flows_cut_at_limit == 0) {
    return;
  }
  snprintf(text, sizeof(text),
           "%llu flows were written before their end because more than "
           "%zu flows were open at once (the server's open-flow limit)",
           (unsigned long long)c->flows_cut_at_limit, j->opts.max_flows);
  add_warning(j, text);
}

/* Steps after the options: returns 0 when the summary was sent. */
static int run_capture(struct pcap_job *j)
{
  struct fe_meter *m = NULL;
  char err[FE_CAPTURE_ERR_MAX];
  int rc;

  if (open_capture(j) != 0) {
    return -1;
  }
  if (fe_meter_new(&j->opts, on_row, j, &m) != 0) {
    fail(j, RPC_INTERNAL, "cannot start the flow meter");
    return -1;
  }
  rc = fe_pump_run(j->cap, m, on_progress, j, err);
  rpc_metrics_processed(fe_capture_bytes_read(j->cap),
                        fe_meter_counters(m)->packets_read,
                        fe_meter_counters(m)->flows_written);
  rpc_call_set_result(j->call, fe_meter_counters(m)->packets_read,
                      fe_meter_counters(m)->flows_written);
  rc = classify_pump_end(j, rc, err);
  warn_if_cut(j, fe_meter_counters(m));
  if (rc == 0 && j->output == OUT_FLOWS) {
    rc = send_flow_batch(j);
  } else if (rc == 0) {
    rc = send_spooled_output(j, fe_meter_counters(m));
  }
  if (rc == 0) {
    rc = send_summary(j, fe_meter_counters(m));
  }
  fe_meter_free(m);
  return rc;
}

static int prepare_output(struct pcap_job *j)
{
  if (j->output == OUT_FLOWS) {
    j->batch = calloc(1, sizeof(*j->batch));
    if (j->batch != NULL) {
      j->batch->last_sent = rpc_clock_seconds();
    }
    return j->batch != NULL ? 0 : -1;
  }
  j->spool = rpc__spool_open(j->svc->tmp_dir);
  if (j->spool == NULL) {
    fail(j, RPC_INTERNAL, "cannot create a temporary file");
    return -1;
  }
  fe_layout_header(&j->layout, j->line);
  fputs(j->line, j->spool);
  fputc('\n', j->spool);
  return 0;
}

void rpc__process_pcap(struct rpc_service *s, struct rpc_call *call)
{
  struct pcap_job *j = calloc(1, sizeof(*j));

  if (j == NULL) {
    rpc_call_finish(call, RPC_INTERNAL, "out of memory");
    rpc_call_unref(call);
    return;
  }
  j->svc = s;
  j->call = call;
  if (read_options(j) == 0 && prepare_output(j) == 0 && run_capture(j) == 0) {
    rpc_call_finish(call, RPC_OK, "");
  } else {
    rpc_call_finish(call, j->fail_code != RPC_OK ? j->fail_code : RPC_CANCELLED,
                    j->fail_code != RPC_OK ? j->fail : "cancelled");
  }
  fe_capture_close(j->cap);
  if (j->spool != NULL) {
    fclose(j->spool);
  }
  free(j->batch);
  free(j);
  rpc_call_unref(call);
}
