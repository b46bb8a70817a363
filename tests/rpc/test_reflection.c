/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of reflection.c: indexing the embedded descriptor set and
 * hand-made ones (dependencies, scopes, malformed bytes, limits), and the
 * answers to each kind of request, read back with protoc-c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cicflow/services_desc.h"
#include "grpc/reflection/v1/reflection.pb-c.h"
#include "reflection.h"

Suite *rpc_reflection_suite(void);

#define REQUEST(kind)                                                          \
  GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_##kind
#define RESPONSE(kind)                                                         \
  GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_##kind
#define REQUEST_INIT GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__INIT

/* A little protobuf writer for hand-made descriptor sets. */
struct buf {
  uint8_t b[8192];
  size_t n;
};

static void put_varint(struct buf *b, uint64_t v)
{
  do {
    ck_assert_uint_lt(b->n, sizeof(b->b));
    b->b[b->n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
    v >>= 7;
  } while (v != 0);
}

static void put_bytes(struct buf *b, uint32_t field, const void *p, size_t n)
{
  put_varint(b, (uint64_t)field << 3 | 2);
  put_varint(b, n);
  ck_assert_uint_le(b->n + n, sizeof(b->b));
  memcpy(b->b + b->n, p, n);
  b->n += n;
}

static void put_str(struct buf *b, uint32_t field, const char *s)
{
  put_bytes(b, field, s, strlen(s));
}

/* A message or service called name, with one child (a method) if set. */
static void put_named(struct buf *b, uint32_t field, const char *name,
                      const char *child)
{
  struct buf m = {.n = 0};

  put_str(&m, 1, name);
  if (child != NULL) {
    struct buf c = {.n = 0};

    put_str(&c, 1, child);
    put_bytes(&m, 2, c.b, c.n);
  }
  put_bytes(b, field, m.b, m.n);
}

/* Adds a FileDescriptorProto to set: name, package, one dependency. */
static void put_file(struct buf *set, const char *name, const char *package,
                     const char *dep, const char *message, const char *service,
                     const char *method)
{
  struct buf f = {.n = 0};

  put_str(&f, 1, name);
  if (package != NULL) {
    put_str(&f, 2, package);
  }
  if (dep != NULL) {
    put_str(&f, 3, dep);
  }
  if (message != NULL) {
    put_named(&f, 4, message, NULL);
  }
  if (service != NULL) {
    put_named(&f, 6, service, method);
  }
  put_bytes(set, 1, f.b, f.n);
}

static struct rpc_reflection *index_of(const struct buf *set)
{
  struct rpc_reflection *r = NULL;

  ck_assert_int_eq(rpc__reflection_new(set->b, set->n, &r), 0);
  return r;
}

/* Asks one question; the response must parse. Caller frees it. */
static Grpc__Reflection__V1__ServerReflectionResponse *
ask(struct rpc_reflection *r,
    Grpc__Reflection__V1__ServerReflectionRequest *req)
{
  uint8_t packed[1024];
  size_t n = grpc__reflection__v1__server_reflection_request__pack(req, packed);
  struct rpc_msg *out = NULL;
  char err[RPC_MESSAGE_MAX];
  Grpc__Reflection__V1__ServerReflectionResponse *resp;

  ck_assert_int_eq(rpc__reflection_answer(r, packed, n, &out, err), RPC_OK);
  resp = grpc__reflection__v1__server_reflection_response__unpack(
      NULL, out->len, out->data);
  free(out);
  ck_assert_ptr_nonnull(resp);
  return resp;
}

static Grpc__Reflection__V1__ServerReflectionResponse *
ask_symbol(struct rpc_reflection *r, const char *sym)
{
  Grpc__Reflection__V1__ServerReflectionRequest req = REQUEST_INIT;

  req.message_request_case = REQUEST(FILE_CONTAINING_SYMBOL);
  req.file_containing_symbol = (char *)sym;
  return ask(r, &req);
}

/* The names of the files in a file_descriptor_response, joined by ' '. */
static void
file_names(const Grpc__Reflection__V1__ServerReflectionResponse *resp,
           char *out, size_t size)
{
  const Grpc__Reflection__V1__FileDescriptorResponse *f =
      resp->file_descriptor_response;

  out[0] = '\0';
  ck_assert_int_eq(resp->message_response_case,
                   RESPONSE(FILE_DESCRIPTOR_RESPONSE));
  for (size_t i = 0; i < f->n_file_descriptor_proto; i++) {
    const ProtobufCBinaryData *d = &f->file_descriptor_proto[i];
    size_t used = strlen(out);

    /* Each hand-made file starts with its name: 0a <len> <name>. */
    ck_assert_uint_gt(d->len, 2);
    snprintf(out + used, size - used, "%s%.*s", i > 0 ? " " : "",
             (int)d->data[1], (const char *)d->data + 2);
  }
}

static void free_response(Grpc__Reflection__V1__ServerReflectionResponse *resp)
{
  grpc__reflection__v1__server_reflection_response__free_unpacked(resp, NULL);
}

static int
error_code(const Grpc__Reflection__V1__ServerReflectionResponse *resp)
{
  if (resp->message_response_case != RESPONSE(ERROR_RESPONSE)) {
    return -1;
  }
  return resp->error_response->error_code;
}

START_TEST(test_rpc__reflection_new_with_embedded_set_lists_services)
{
  struct rpc_reflection *r = NULL;
  Grpc__Reflection__V1__ServerReflectionRequest req = REQUEST_INIT;
  Grpc__Reflection__V1__ServerReflectionResponse *resp;

  ck_assert_int_eq(
      rpc__reflection_new(cicflow_services_desc, cicflow_services_desc_len, &r),
      0);
  req.host = (char *)"example:443";
  req.message_request_case = REQUEST(LIST_SERVICES);
  req.list_services = (char *)"*";
  resp = ask(r, &req);
  ck_assert_str_eq(resp->valid_host, "example:443");
  ck_assert_ptr_nonnull(resp->original_request);
  ck_assert_str_eq(resp->original_request->list_services, "*");
  ck_assert_uint_eq(resp->list_services_response->n_service, 4);
  ck_assert_str_eq(resp->list_services_response->service[0]->name,
                   "cicflow.v1.FlowMeter");
  free_response(resp);
  rpc__reflection_free(r);
}
END_TEST

START_TEST(test_rpc__reflection_answer_gives_dependencies_transitively)
{
  struct buf set = {.n = 0};
  struct rpc_reflection *r;
  Grpc__Reflection__V1__ServerReflectionResponse *resp;
  char names[256];

  /* Dependencies first, as protoc --include_imports writes them. */
  put_file(&set, "c.proto", "c", NULL, "C", NULL, NULL);
  put_file(&set, "b.proto", "b", "c.proto", "B", NULL, NULL);
  put_file(&set, "a.proto", "a", "b.proto", NULL, "Svc", "Call");
  r = index_of(&set);
  resp = ask_symbol(r, "a.Svc.Call");
  file_names(resp, names, sizeof(names));
  ck_assert_str_eq(names, "a.proto c.proto b.proto");
  free_response(resp);
  resp = ask_symbol(r, "b.B");
  file_names(resp, names, sizeof(names));
  ck_assert_str_eq(names, "b.proto c.proto");
  free_response(resp);
  rpc__reflection_free(r);
}
END_TEST

START_TEST(test_rpc__reflection_answer_prefers_the_longest_package)
{
  struct buf set = {.n = 0};
  struct rpc_reflection *r;
  Grpc__Reflection__V1__ServerReflectionResponse *resp;
  char names[256];

  put_file(&set, "short.proto", "a", NULL, "b", NULL, NULL);
  put_file(&set, "long.proto", "a.b", NULL, "C", NULL, NULL);
  r = index_of(&set);
  resp = ask_symbol(r, "a.b.C");
  file_names(resp, names, sizeof(names));
  ck_assert_str_eq(names, "long.proto");
  free_response(resp);
  /* Not in a.b: a member of message b of package a. */
  resp = ask_symbol(r, "a.b.field");
  file_names(resp, names, sizeof(names));
  ck_assert_str_eq(names, "short.proto");
  free_response(resp);
  rpc__reflection_free(r);
}
END_TEST

START_TEST(test_rpc__reflection_answer_unknown_names_not_found)
{
  static const char *const unknown[] = {"",       ".",          "p",      "p.",
                                        "p.Svc.", "p.Svc.Nope", "p.SvcX", "q.M",
                                        "p.M.",   "p.Call"};
  struct buf set = {.n = 0};
  struct rpc_reflection *r;

  put_file(&set, "p.proto", "p", NULL, "M", "Svc", "Call");
  r = index_of(&set);
  for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
    Grpc__Reflection__V1__ServerReflectionResponse *resp =
        ask_symbol(r, unknown[i]);

    ck_assert_msg(error_code(resp) == RPC_NOT_FOUND, "symbol '%s'", unknown[i]);
    free_response(resp);
  }
  rpc__reflection_free(r);
}
END_TEST

START_TEST(test_rpc__reflection_answer_no_kind_unimplemented)
{
  struct buf set = {.n = 0};
  struct rpc_reflection *r = index_of(&set);
  Grpc__Reflection__V1__ServerReflectionRequest req = REQUEST_INIT;
  Grpc__Reflection__V1__ServerReflectionResponse *resp;

  req.host = (char *)"h";
  resp = ask(r, &req);
  ck_assert_int_eq(error_code(resp), RPC_UNIMPLEMENTED);
  ck_assert_str_eq(resp->valid_host, "h");
  free_response(resp);
  rpc__reflection_free(r);
}
END_TEST

START_TEST(test_rpc__reflection_answer_garbage_internal)
{
  struct buf set = {.n = 0};
  struct rpc_reflection *r = index_of(&set);
  const uint8_t garbage[] = {0xff, 0xff, 0xff};
  struct rpc_msg *out = NULL;
  char err[RPC_MESSAGE_MAX];

  ck_assert_int_eq(
      rpc__reflection_answer(r, garbage, sizeof(garbage), &out, err),
      RPC_INTERNAL);
  ck_assert_ptr_null(out);
  ck_assert_str_ne(err, "");
  rpc__reflection_free(r);
}
END_TEST

START_TEST(test_rpc__reflection_new_when_dependency_missing_returns_malformed)
{
  struct buf set = {.n = 0};
  struct rpc_reflection *r = NULL;

  put_file(&set, "a.proto", "a", "gone.proto", NULL, NULL, NULL);
  ck_assert_int_eq(rpc__reflection_new(set.b, set.n, &r), RPC_ERR_MALFORMED);
  ck_assert_ptr_null(r);
}
END_TEST

START_TEST(test_rpc__reflection_new_when_bytes_bad_returns_malformed)
{
  static const uint8_t bad[][6] = {
      {0x0a, 0x05, 'x'},                   /* length past the end */
      {0x0a, 0x80},                        /* varint cut short */
      {0x0b, 0x00},                        /* a group */
      {0x0a, 0x02, 0x12, 0x00},            /* a file without a name */
      {0x0a, 0x04, 0x0a, 0x01, 'a', 0x22}, /* message cut short */
      {0x00}};                             /* field number 0 */
  static const size_t len[] = {3, 2, 2, 4, 6, 1};

  for (size_t i = 0; i < sizeof(len) / sizeof(len[0]); i++) {
    struct rpc_reflection *r = NULL;

    ck_assert_msg(rpc__reflection_new(bad[i], len[i], &r) == RPC_ERR_MALFORMED,
                  "case %zu", i);
  }
}
END_TEST

START_TEST(test_rpc__reflection_new_when_too_many_files_returns_limit)
{
  struct buf set = {.n = 0};
  struct rpc_reflection *r = NULL;
  char name[32];

  for (int i = 0; i <= RPC__REFLECTION_MAX_FILES; i++) {
    snprintf(name, sizeof(name), "f%d.proto", i);
    put_file(&set, name, NULL, NULL, NULL, NULL, NULL);
  }
  ck_assert_int_eq(rpc__reflection_new(set.b, set.n, &r), RPC_ERR_LIMIT);
}
END_TEST

/* Every cut of the real set either indexes or fails cleanly (ASan). */
START_TEST(test_rpc__reflection_new_with_every_prefix_never_overreads)
{
  size_t len = cicflow_services_desc_len;

  for (size_t n = 0; n < len; n++) {
    uint8_t *copy = malloc(n > 0 ? n : 1);
    struct rpc_reflection *r = NULL;

    ck_assert_ptr_nonnull(copy);
    memcpy(copy, cicflow_services_desc, n);
    if (rpc__reflection_new(copy, n, &r) == 0) {
      rpc__reflection_free(r);
    }
    free(copy);
  }
}
END_TEST

Suite *rpc_reflection_suite(void)
{
  Suite *s = suite_create("reflection");
  TCase *tc = tcase_create("core");

  tcase_add_test(tc, test_rpc__reflection_new_with_embedded_set_lists_services);
  tcase_add_test(tc,
                 test_rpc__reflection_answer_gives_dependencies_transitively);
  tcase_add_test(tc, test_rpc__reflection_answer_prefers_the_longest_package);
  tcase_add_test(tc, test_rpc__reflection_answer_unknown_names_not_found);
  tcase_add_test(tc, test_rpc__reflection_answer_no_kind_unimplemented);
  tcase_add_test(tc, test_rpc__reflection_answer_garbage_internal);
  tcase_add_test(
      tc, test_rpc__reflection_new_when_dependency_missing_returns_malformed);
  tcase_add_test(tc, test_rpc__reflection_new_when_bytes_bad_returns_malformed);
  tcase_add_test(tc,
                 test_rpc__reflection_new_when_too_many_files_returns_limit);
  tcase_add_test(tc,
                 test_rpc__reflection_new_with_every_prefix_never_overreads);
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  return s;
}
