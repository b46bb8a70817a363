/* SPDX-License-Identifier: MIT */
/*
 * Server reflection. A small bounds-checked reader of the protobuf wire
 * format splits the embedded FileDescriptorSet into files and reads the
 * few fields reflection needs: each file's name, package, dependencies
 * and the names it defines. The index points into the set and copies no
 * strings; answers are packed with protoc-c's reflection messages.
 */
#include "reflection.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc/reflection/v1/reflection.pb-c.h"
#include "rpc/service.h"

#define MAX_SYMBOLS 65536

/* The oneof cases of protoc-c's reflection messages, shorter. */
#define REQUEST(kind)                                                          \
  GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_##kind
#define RESPONSE(kind)                                                         \
  GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_##kind

/* Wire types (protobuf encoding guide, "Message Structure"). */
enum { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5 };

/* Field numbers of google/protobuf/descriptor.proto. */
enum {
  SET_FILE = 1,        /* FileDescriptorSet.file */
  FILE_NAME = 1,       /* FileDescriptorProto.name */
  FILE_PACKAGE = 2,    /* FileDescriptorProto.package */
  FILE_DEPENDENCY = 3, /* FileDescriptorProto.dependency */
  FILE_MESSAGE = 4,    /* FileDescriptorProto.message_type */
  FILE_ENUM = 5,       /* FileDescriptorProto.enum_type */
  FILE_SERVICE = 6,    /* FileDescriptorProto.service */
  ANY_NAME = 1,        /* name of every *DescriptorProto used here */
  ENUM_VALUE = 2,      /* EnumDescriptorProto.value */
  SERVICE_METHOD = 2   /* ServiceDescriptorProto.method */
};

/* Bytes inside the set; names are not NUL-terminated. */
struct span {
  const uint8_t *p;
  size_t len;
};

/* A cursor over wire-format bytes: no read goes past len. */
struct wire {
  const uint8_t *p;
  size_t len;
  size_t off;
};

struct wire_field {
  uint32_t number;
  uint32_t type;
  struct span value; /* length-delimited fields only */
};

/* A name that a file defines, relative to the file's package. */
struct symbol {
  struct span scope; /* the service of a method, else empty */
  struct span name;
  size_t file;
  int has_members; /* a message: names inside it are in its file too */
};

struct refl_file {
  struct span proto; /* the serialized FileDescriptorProto */
  struct span name;
  struct span package;
  uint64_t deps; /* bit i: depends on files[i] */
};

_Static_assert(RPC__REFLECTION_MAX_FILES <= 64, "refl_file.deps has 64 bits");

struct rpc_reflection {
  struct refl_file files[RPC__REFLECTION_MAX_FILES];
  size_t n_files;
  struct symbol *symbols;
  size_t n_symbols;
  size_t cap_symbols;
};

/* The services this server routes, in the order list_services gives. */
static const char *const served[] = {
    RPC_SERVICE_NAME, "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection"};

#define N_SERVED (sizeof(served) / sizeof(served[0]))

static int wire_varint(struct wire *w, uint64_t *v)
{
  uint64_t x = 0;

  for (unsigned shift = 0; shift < 64; shift += 7) {
    uint8_t b;

    if (w->off >= w->len) {
      return -1;
    }
    b = w->p[w->off++];
    x |= (uint64_t)(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = x;
      return 0;
    }
  }
  return -1; /* more than 10 bytes */
}

static int wire_skip(struct wire *w, uint64_t n)
{
  if (n > w->len - w->off) {
    return -1;
  }
  w->off += (size_t)n;
  return 0;
}

/* The next field: 1 with *f set, 0 at the end, -1 for bad bytes. */
static int wire_next(struct wire *w, struct wire_field *f)
{
  uint64_t key;
  uint64_t n;

  if (w->off == w->len) {
    return 0;
  }
  if (wire_varint(w, &key) != 0 || key >> 3 == 0 || key >> 3 > 0x1fffffff) {
    return -1;
  }
  f->number = (uint32_t)(key >> 3);
  f->type = (uint32_t)(key & 7);
  f->value.p = NULL;
  f->value.len = 0;
  switch (f->type) {
  case WIRE_VARINT:
    return wire_varint(w, &n) == 0 ? 1 : -1;
  case WIRE_I64:
    return wire_skip(w, 8) == 0 ? 1 : -1;
  case WIRE_I32:
    return wire_skip(w, 4) == 0 ? 1 : -1;
  case WIRE_LEN:
    if (wire_varint(w, &n) != 0 || n > w->len - w->off) {
      return -1;
    }
    f->value.p = w->p + w->off;
    f->value.len = (size_t)n;
    w->off += (size_t)n;
    return 1;
  default:
    return -1; /* groups: descriptors never use them */
  }
}

static struct wire wire_over(struct span s)
{
  struct wire w = {s.p, s.len, 0};

  return w;
}

/* The name (field 1) of a descriptor message; -1 without one. */
static int read_name(struct span msg, struct span *name)
{
  struct wire w = wire_over(msg);
  struct wire_field f;
  int rc;

  name->len = 0;
  while ((rc = wire_next(&w, &f)) == 1) {
    if (f.number == ANY_NAME && f.type == WIRE_LEN) {
      *name = f.value; /* the last one wins, as in protobuf */
    }
  }
  return rc == 0 && name->len > 0 ? 0 : -1;
}

static int add_symbol(struct rpc_reflection *r, size_t file, struct span scope,
                      struct span name, int has_members)
{
  struct symbol *s;

  if (r->n_symbols == r->cap_symbols) {
    size_t cap = r->cap_symbols > 0 ? 2 * r->cap_symbols : 64;
    struct symbol *grown;

    if (cap > MAX_SYMBOLS) {
      return RPC_ERR_LIMIT;
    }
    grown = realloc(r->symbols, cap * sizeof(*grown));
    if (grown == NULL) {
      return RPC_ERR_NOMEM;
    }
    r->symbols = grown;
    r->cap_symbols = cap;
  }
  s = &r->symbols[r->n_symbols++];
  s->scope = scope;
  s->name = name;
  s->file = file;
  s->has_members = has_members;
  return 0;
}

enum type_kind { KIND_MESSAGE, KIND_ENUM, KIND_SERVICE };

/*
 * A message, enum or service of a file. The methods of a service are
 * named inside it; the values of an enum are named beside it, in the
 * package (protobuf's C++ scoping); a message's own members are found
 * through the message (see symbol_matches).
 */
static int add_type(struct rpc_reflection *r, size_t file, struct span type,
                    enum type_kind kind)
{
  const struct span none = {NULL, 0};
  uint32_t child_field = kind == KIND_ENUM ? ENUM_VALUE : SERVICE_METHOD;
  struct span name;
  struct wire w = wire_over(type);
  struct wire_field f;
  int rc;

  /* This also checks every field of type, so the loop below can't fail. */
  if (read_name(type, &name) != 0) {
    return RPC_ERR_MALFORMED;
  }
  rc = add_symbol(r, file, none, name, kind == KIND_MESSAGE);
  while (rc == 0 && kind != KIND_MESSAGE && wire_next(&w, &f) == 1) {
    struct span child;

    if (f.number != child_field || f.type != WIRE_LEN) {
      continue;
    }
    if (read_name(f.value, &child) != 0) {
      return RPC_ERR_MALFORMED;
    }
    rc = add_symbol(r, file, kind == KIND_SERVICE ? name : none, child, 0);
  }
  return rc;
}

static int find_file(const struct rpc_reflection *r, const char *name,
                     size_t len, size_t *index)
{
  for (size_t i = 0; i < r->n_files; i++) {
    const struct span *n = &r->files[i].name;

    if (n->len == len && memcmp(n->p, name, len) == 0) {
      *index = i;
      return 0;
    }
  }
  return -1;
}

static int add_dependency(struct rpc_reflection *r, size_t file,
                          struct span dep)
{
  size_t i;

  if (find_file(r, (const char *)dep.p, dep.len, &i) != 0) {
    return RPC_ERR_MALFORMED; /* protoc ran without --include_imports */
  }
  r->files[file].deps |= UINT64_C(1) << i;
  return 0;
}

/* The second pass over a file: its dependencies and its names. */
static int read_file_body(struct rpc_reflection *r, size_t file)
{
  struct wire w = wire_over(r->files[file].proto);
  struct wire_field f;
  int more = 0;
  int rc = 0;

  while (rc == 0 && (more = wire_next(&w, &f)) == 1) {
    if (f.type != WIRE_LEN) {
      continue;
    }
    if (f.number == FILE_DEPENDENCY) {
      rc = add_dependency(r, file, f.value);
    } else if (f.number == FILE_MESSAGE) {
      rc = add_type(r, file, f.value, KIND_MESSAGE);
    } else if (f.number == FILE_ENUM) {
      rc = add_type(r, file, f.value, KIND_ENUM);
    } else if (f.number == FILE_SERVICE) {
      rc = add_type(r, file, f.value, KIND_SERVICE);
    }
  }
  return rc != 0 ? rc : more == 0 ? 0 : RPC_ERR_MALFORMED;
}

/* The first pass over a file: what it is called and its package. */
static int read_file_head(struct refl_file *file)
{
  struct wire w = wire_over(file->proto);
  struct wire_field f;
  int rc;

  while ((rc = wire_next(&w, &f)) == 1) {
    if (f.number == FILE_NAME && f.type == WIRE_LEN) {
      file->name = f.value;
    } else if (f.number == FILE_PACKAGE && f.type == WIRE_LEN) {
      file->package = f.value;
    }
  }
  return rc == 0 && file->name.len > 0 ? 0 : RPC_ERR_MALFORMED;
}

/* Splits the set into files; names of dependencies need them all. */
static int split_set(struct rpc_reflection *r, struct span set)
{
  struct wire w = wire_over(set);
  struct wire_field f;
  int rc;

  while ((rc = wire_next(&w, &f)) == 1) {
    struct refl_file *file;

    if (f.number != SET_FILE || f.type != WIRE_LEN) {
      continue;
    }
    if (r->n_files == RPC__REFLECTION_MAX_FILES) {
      return RPC_ERR_LIMIT;
    }
    file = &r->files[r->n_files++];
    file->proto = f.value;
    if (read_file_head(file) != 0) {
      return RPC_ERR_MALFORMED;
    }
  }
  return rc == 0 ? 0 : RPC_ERR_MALFORMED;
}

int rpc__reflection_new(const uint8_t *set, size_t set_len,
                        struct rpc_reflection **out)
{
  struct rpc_reflection *r = calloc(1, sizeof(*r));
  struct span all = {set, set_len};
  int rc;

  if (r == NULL) {
    return RPC_ERR_NOMEM;
  }
  rc = split_set(r, all);
  for (size_t i = 0; rc == 0 && i < r->n_files; i++) {
    rc = read_file_body(r, i);
  }
  if (rc != 0) {
    rpc__reflection_free(r);
    return rc;
  }
  *out = r;
  return 0;
}

void rpc__reflection_free(struct rpc_reflection *r)
{
  if (r == NULL) {
    return;
  }
  free(r->symbols);
  free(r);
}

/* Takes part, then a dot, off the front of the name (*s, *n). */
static int take(const char **s, size_t *n, struct span part, int dot)
{
  if (part.len + (size_t)dot > *n || memcmp(*s, part.p, part.len) != 0 ||
      (dot && (*s)[part.len] != '.')) {
    return 0;
  }
  *s += part.len + (size_t)dot;
  *n -= part.len + (size_t)dot;
  return 1;
}

/* 1 when want (n bytes) is sym, or lies inside sym when it is a message. */
static int symbol_matches(const struct rpc_reflection *r,
                          const struct symbol *sym, const char *want, size_t n)
{
  struct span package = r->files[sym->file].package;

  if (package.len > 0 && !take(&want, &n, package, 1)) {
    return 0;
  }
  if (sym->scope.len > 0 && !take(&want, &n, sym->scope, 1)) {
    return 0;
  }
  if (!take(&want, &n, sym->name, 0)) {
    return 0;
  }
  return n == 0 || (sym->has_members && n > 1 && want[0] == '.');
}

/*
 * The file that defines a fully-qualified name. "a.b.C" could be C in
 * package a.b or something inside message b of package a; as protobuf's
 * own lookup does, the longest package that fits wins.
 */
static int find_symbol(const struct rpc_reflection *r, const char *want,
                       size_t *file)
{
  size_t n;
  size_t best_len = 0;
  int found = 0;

  if (want[0] == '.') {
    want++; /* descriptors write type names as ".package.Name" */
  }
  n = strlen(want);
  for (size_t i = 0; i < r->n_symbols; i++) {
    const struct symbol *sym = &r->symbols[i];
    size_t len = r->files[sym->file].package.len;

    if ((!found || len > best_len) && symbol_matches(r, sym, want, n)) {
      *file = sym->file;
      best_len = len;
      found = 1;
    }
  }
  return found ? 0 : -1;
}

/* Everything one answer points at; it lives on the answering stack. */
struct answer {
  Grpc__Reflection__V1__ServerReflectionResponse resp;
  Grpc__Reflection__V1__FileDescriptorResponse files;
  ProtobufCBinaryData protos[RPC__REFLECTION_MAX_FILES];
  Grpc__Reflection__V1__ListServiceResponse list;
  Grpc__Reflection__V1__ServiceResponse services[N_SERVED];
  Grpc__Reflection__V1__ServiceResponse *service_ptrs[N_SERVED];
  Grpc__Reflection__V1__ExtensionNumberResponse extensions;
  Grpc__Reflection__V1__ErrorResponse error;
  char message[RPC_MESSAGE_MAX];
};

/* An error_response; the message is already in a->message. */
static void answer_error(struct answer *a, enum rpc_code code)
{
  grpc__reflection__v1__error_response__init(&a->error);
  a->error.error_code = (int32_t)code;
  a->error.error_message = a->message;
  a->resp.message_response_case = RESPONSE(ERROR_RESPONSE);
  a->resp.error_response = &a->error;
}

static void not_found(struct answer *a, const char *what, const char *name)
{
  snprintf(a->message, sizeof(a->message), "%s not found: %.400s", what, name);
  answer_error(a, RPC_NOT_FOUND);
}

static void add_proto(struct answer *a, const struct refl_file *f)
{
  ProtobufCBinaryData *d = &a->protos[a->files.n_file_descriptor_proto++];

  d->len = f->proto.len;
  d->data = (uint8_t *)f->proto.p; /* packing only reads it */
}

/* The file, then every file it needs, directly or not. */
static void answer_file(struct answer *a, const struct rpc_reflection *r,
                        size_t file)
{
  uint64_t need = r->files[file].deps;
  uint64_t done = 0;

  /* At most one round per file: each adds at least one new file. */
  while (need != done) {
    done = need;
    for (size_t i = 0; i < r->n_files; i++) {
      if (done & UINT64_C(1) << i) {
        need |= r->files[i].deps;
      }
    }
  }
  need &= ~(UINT64_C(1) << file);
  grpc__reflection__v1__file_descriptor_response__init(&a->files);
  a->files.file_descriptor_proto = a->protos;
  add_proto(a, &r->files[file]);
  /* protoc writes a file's imports before it: keep that order. */
  for (size_t i = 0; i < r->n_files; i++) {
    if (need & UINT64_C(1) << i) {
      add_proto(a, &r->files[i]);
    }
  }
  a->resp.message_response_case = RESPONSE(FILE_DESCRIPTOR_RESPONSE);
  a->resp.file_descriptor_response = &a->files;
}

static void answer_list(struct answer *a)
{
  grpc__reflection__v1__list_service_response__init(&a->list);
  for (size_t i = 0; i < N_SERVED; i++) {
    grpc__reflection__v1__service_response__init(&a->services[i]);
    a->services[i].name = (char *)served[i]; /* packing only reads it */
    a->service_ptrs[i] = &a->services[i];
  }
  a->list.n_service = N_SERVED;
  a->list.service = a->service_ptrs;
  a->resp.message_response_case = RESPONSE(LIST_SERVICES_RESPONSE);
  a->resp.list_services_response = &a->list;
}

/* No extensions are served (proto3), but only for a known type. */
static void answer_extensions(struct answer *a, const struct rpc_reflection *r,
                              char *type)
{
  size_t file;

  if (find_symbol(r, type, &file) != 0) {
    not_found(a, "type", type);
    return;
  }
  grpc__reflection__v1__extension_number_response__init(&a->extensions);
  a->extensions.base_type_name = type;
  a->resp.message_response_case = RESPONSE(ALL_EXTENSION_NUMBERS_RESPONSE);
  a->resp.all_extension_numbers_response = &a->extensions;
}

static void answer(struct answer *a, const struct rpc_reflection *r,
                   Grpc__Reflection__V1__ServerReflectionRequest *in)
{
  size_t file;

  switch (in->message_request_case) {
  case REQUEST(LIST_SERVICES):
    answer_list(a);
    break;
  case REQUEST(FILE_BY_FILENAME):
    if (find_file(r, in->file_by_filename, strlen(in->file_by_filename),
                  &file) == 0) {
      answer_file(a, r, file);
    } else {
      not_found(a, "file", in->file_by_filename);
    }
    break;
  case REQUEST(FILE_CONTAINING_SYMBOL):
    if (find_symbol(r, in->file_containing_symbol, &file) == 0) {
      answer_file(a, r, file);
    } else {
      not_found(a, "symbol", in->file_containing_symbol);
    }
    break;
  case REQUEST(ALL_EXTENSION_NUMBERS_OF_TYPE):
    answer_extensions(a, r, in->all_extension_numbers_of_type);
    break;
  case REQUEST(FILE_CONTAINING_EXTENSION):
    /* proto3 has no extensions, so none of ours is extended. */
    snprintf(a->message, sizeof(a->message),
             "extension not found: %d of %.400s",
             (int)in->file_containing_extension->extension_number,
             in->file_containing_extension->containing_type);
    answer_error(a, RPC_NOT_FOUND);
    break;
  default:
    snprintf(a->message, sizeof(a->message),
             "unknown request kind %d (or none)",
             (int)in->message_request_case);
    answer_error(a, RPC_UNIMPLEMENTED);
    break;
  }
}

enum rpc_code rpc__reflection_answer(const struct rpc_reflection *r,
                                     const uint8_t *req, size_t len,
                                     struct rpc_msg **out, char *err)
{
  Grpc__Reflection__V1__ServerReflectionRequest *in =
      grpc__reflection__v1__server_reflection_request__unpack(NULL, len, req);
  struct answer a;
  size_t size;

  if (in == NULL) {
    snprintf(err, RPC_MESSAGE_MAX, "bad ServerReflectionRequest (%zu bytes)",
             len);
    return RPC_INTERNAL;
  }
  grpc__reflection__v1__server_reflection_response__init(&a.resp);
  a.resp.valid_host = in->host;
  a.resp.original_request = in;
  answer(&a, r, in);
  size = grpc__reflection__v1__server_reflection_response__get_packed_size(
      &a.resp);
  *out = rpc_msg_new(size);
  if (*out != NULL) {
    grpc__reflection__v1__server_reflection_response__pack(&a.resp,
                                                           (*out)->data);
  }
  grpc__reflection__v1__server_reflection_request__free_unpacked(in, NULL);
  if (*out == NULL) {
    snprintf(err, RPC_MESSAGE_MAX, "out of memory");
    return RPC_RESOURCE_EXHAUSTED;
  }
  return RPC_OK;
}
