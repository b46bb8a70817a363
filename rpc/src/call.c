/* SPDX-License-Identifier: MIT */
/*
 * The call object. One mutex guards both queues and the status; one
 * condition variable wakes the worker (input arrived, output room, or
 * cancellation). The transport is woken through its callback, always
 * outside the lock so that it may call back into the call.
 */
#include "rpc/call.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct msg_queue {
  struct rpc_msg *head;
  struct rpc_msg *tail;
  size_t bytes;
};

struct rpc_call {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int refs;
  struct rpc_call_limits limits;
  rpc_wake_cb wake;
  void *wake_ctx;
  struct msg_queue in;
  struct msg_queue out;
  int input_closed;
  uint64_t bytes_in;
  size_t consumed; /* taken by the worker, not yet reported */
  int ended;       /* finished or cancelled: no new work */
  int cancelled;
  void *user;       /* the transport's, see rpc_call_set_user */
  uint64_t packets; /* see rpc_call_set_result */
  uint64_t flows;
  enum rpc_code code;
  char message[RPC_MESSAGE_MAX];
};

static void queue_push(struct msg_queue *q, struct rpc_msg *m)
{
  m->next = NULL;
  if (q->tail != NULL) {
    q->tail->next = m;
  } else {
    q->head = m;
  }
  q->tail = m;
  q->bytes += m->len;
}

static struct rpc_msg *queue_pop(struct msg_queue *q)
{
  struct rpc_msg *m = q->head;

  if (m != NULL) {
    q->head = m->next;
    if (q->head == NULL) {
      q->tail = NULL;
    }
    q->bytes -= m->len;
  }
  return m;
}

static void queue_clear(struct msg_queue *q)
{
  struct rpc_msg *m;

  while ((m = queue_pop(q)) != NULL) {
    free(m);
  }
}

struct rpc_msg *rpc_msg_new(size_t len)
{
  struct rpc_msg *m = malloc(sizeof(*m) + len);

  if (m != NULL) {
    m->next = NULL;
    m->len = len;
  }
  return m;
}

static struct rpc_msg *msg_copy(const uint8_t *data, size_t len)
{
  struct rpc_msg *m = rpc_msg_new(len);

  if (m != NULL && len > 0) {
    memcpy(m->data, data, len);
  }
  return m;
}

struct rpc_call *rpc_call_new(const struct rpc_call_limits *limits,
                              rpc_wake_cb wake, void *ctx)
{
  struct rpc_call *c = calloc(1, sizeof(*c));

  if (c == NULL) {
    return NULL;
  }
  pthread_mutex_init(&c->lock, NULL);
  pthread_cond_init(&c->cond, NULL);
  c->refs = 1;
  c->limits = *limits;
  c->wake = wake;
  c->wake_ctx = ctx;
  return c;
}

void rpc_call_ref(struct rpc_call *c)
{
  pthread_mutex_lock(&c->lock);
  c->refs++;
  pthread_mutex_unlock(&c->lock);
}

void rpc_call_unref(struct rpc_call *c)
{
  int last;

  pthread_mutex_lock(&c->lock);
  last = --c->refs == 0;
  pthread_mutex_unlock(&c->lock);
  if (!last) {
    return;
  }
  queue_clear(&c->in);
  queue_clear(&c->out);
  pthread_cond_destroy(&c->cond);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

void rpc_call_detach(struct rpc_call *c)
{
  pthread_mutex_lock(&c->lock);
  c->wake = NULL;
  c->wake_ctx = NULL;
  pthread_mutex_unlock(&c->lock);
}

/* Unlocks, then wakes the transport if it is still attached. */
static void unlock_and_wake(struct rpc_call *c)
{
  rpc_wake_cb wake = c->wake;
  void *ctx = c->wake_ctx;

  pthread_mutex_unlock(&c->lock);
  if (wake != NULL) {
    wake(ctx, c);
  }
}

/* Ends the call with code unless it has already ended; lock held. */
static void end_locked(struct rpc_call *c, enum rpc_code code,
                       const char *message)
{
  if (c->ended) {
    return;
  }
  c->ended = 1;
  c->code = code;
  snprintf(c->message, sizeof(c->message), "%s",
           message != NULL ? message : "");
  queue_clear(&c->in);
  pthread_cond_broadcast(&c->cond);
}

int rpc_call_push_msg(struct rpc_call *c, struct rpc_msg *m)
{
  char why[128];

  pthread_mutex_lock(&c->lock);
  if (c->ended || c->input_closed) {
    pthread_mutex_unlock(&c->lock);
    free(m);
    return RPC_ERR_CLOSED;
  }
  c->bytes_in += m->len;
  if (c->limits.max_input_bytes != 0 &&
      c->bytes_in > c->limits.max_input_bytes) {
    snprintf(why, sizeof(why), "upload larger than the limit of %llu bytes",
             (unsigned long long)c->limits.max_input_bytes);
    c->cancelled = 1;
    end_locked(c, RPC_RESOURCE_EXHAUSTED, why);
    pthread_mutex_unlock(&c->lock);
    free(m);
    return RPC_ERR_LIMIT;
  }
  queue_push(&c->in, m);
  pthread_cond_broadcast(&c->cond);
  pthread_mutex_unlock(&c->lock);
  return 0;
}

int rpc_call_push(struct rpc_call *c, const uint8_t *data, size_t len)
{
  struct rpc_msg *m = msg_copy(data, len);

  if (m == NULL) {
    return RPC_ERR_NOMEM;
  }
  return rpc_call_push_msg(c, m);
}

void rpc_call_close_input(struct rpc_call *c)
{
  pthread_mutex_lock(&c->lock);
  c->input_closed = 1;
  pthread_cond_broadcast(&c->cond);
  pthread_mutex_unlock(&c->lock);
}

int rpc_call_input_room(struct rpc_call *c)
{
  int room;

  pthread_mutex_lock(&c->lock);
  room = c->in.bytes < c->limits.input_queue_bytes;
  pthread_mutex_unlock(&c->lock);
  return room;
}

size_t rpc_call_take_consumed(struct rpc_call *c)
{
  size_t n;

  pthread_mutex_lock(&c->lock);
  n = c->consumed;
  c->consumed = 0;
  pthread_mutex_unlock(&c->lock);
  return n;
}

struct rpc_msg *rpc_call_pop_output(struct rpc_call *c)
{
  struct rpc_msg *m;

  pthread_mutex_lock(&c->lock);
  m = queue_pop(&c->out);
  if (m != NULL) {
    pthread_cond_broadcast(&c->cond);
  }
  pthread_mutex_unlock(&c->lock);
  return m;
}

int rpc_call_done(struct rpc_call *c, enum rpc_code *code, char *message)
{
  int done;

  pthread_mutex_lock(&c->lock);
  done = c->ended && (c->out.head == NULL || c->cancelled);
  if (done) {
    *code = c->code;
    snprintf(message, RPC_MESSAGE_MAX, "%s", c->message);
  }
  pthread_mutex_unlock(&c->lock);
  return done;
}

void rpc_call_cancel(struct rpc_call *c, enum rpc_code code,
                     const char *message)
{
  pthread_mutex_lock(&c->lock);
  if (!c->ended) {
    c->cancelled = 1;
    end_locked(c, code, message);
  }
  pthread_mutex_unlock(&c->lock);
}

void rpc_call_set_user(struct rpc_call *c, void *user)
{
  c->user = user;
}

void *rpc_call_user(const struct rpc_call *c)
{
  return c->user;
}

void rpc_call_set_result(struct rpc_call *c, uint64_t packets, uint64_t flows)
{
  pthread_mutex_lock(&c->lock);
  c->packets = packets;
  c->flows = flows;
  pthread_mutex_unlock(&c->lock);
}

void rpc_call_result(struct rpc_call *c, uint64_t *packets, uint64_t *flows)
{
  pthread_mutex_lock(&c->lock);
  *packets = c->packets;
  *flows = c->flows;
  pthread_mutex_unlock(&c->lock);
}

uint64_t rpc_call_bytes_in(struct rpc_call *c)
{
  uint64_t n;

  pthread_mutex_lock(&c->lock);
  n = c->bytes_in;
  pthread_mutex_unlock(&c->lock);
  return n;
}

int rpc_call_read(struct rpc_call *c, struct rpc_msg **msg)
{
  struct rpc_msg *m;

  *msg = NULL;
  pthread_mutex_lock(&c->lock);
  while (!c->ended && c->in.head == NULL && !c->input_closed) {
    pthread_cond_wait(&c->cond, &c->lock);
  }
  if (c->ended) {
    pthread_mutex_unlock(&c->lock);
    return RPC_ERR_CANCELLED;
  }
  m = queue_pop(&c->in);
  if (m == NULL) {
    pthread_mutex_unlock(&c->lock);
    return 0;
  }
  c->consumed += m->len;
  *msg = m;
  unlock_and_wake(c);
  return 0;
}

static int write_locked(struct rpc_call *c, const uint8_t *data, size_t len,
                        int may_block)
{
  struct rpc_msg *m;

  while (!c->ended && c->out.bytes >= c->limits.output_queue_bytes) {
    if (!may_block) {
      pthread_mutex_unlock(&c->lock);
      return RPC_ERR_FULL;
    }
    pthread_cond_wait(&c->cond, &c->lock);
  }
  if (c->ended) {
    pthread_mutex_unlock(&c->lock);
    return RPC_ERR_CANCELLED;
  }
  m = msg_copy(data, len);
  if (m == NULL) {
    pthread_mutex_unlock(&c->lock);
    return RPC_ERR_NOMEM;
  }
  queue_push(&c->out, m);
  unlock_and_wake(c);
  return 0;
}

int rpc_call_write(struct rpc_call *c, const uint8_t *data, size_t len)
{
  pthread_mutex_lock(&c->lock);
  return write_locked(c, data, len, 1);
}

int rpc_call_try_write(struct rpc_call *c, const uint8_t *data, size_t len)
{
  pthread_mutex_lock(&c->lock);
  return write_locked(c, data, len, 0);
}

int rpc_call_cancelled(struct rpc_call *c)
{
  int cancelled;

  pthread_mutex_lock(&c->lock);
  cancelled = c->cancelled;
  pthread_mutex_unlock(&c->lock);
  return cancelled;
}

void rpc_call_finish(struct rpc_call *c, enum rpc_code code,
                     const char *message)
{
  pthread_mutex_lock(&c->lock);
  end_locked(c, code, message);
  unlock_and_wake(c);
}

const char *rpc_code_name(enum rpc_code code)
{
  switch (code) {
  case RPC_OK:
    return "OK";
  case RPC_CANCELLED:
    return "CANCELLED";
  case RPC_UNKNOWN:
    return "UNKNOWN";
  case RPC_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case RPC_DEADLINE_EXCEEDED:
    return "DEADLINE_EXCEEDED";
  case RPC_NOT_FOUND:
    return "NOT_FOUND";
  case RPC_RESOURCE_EXHAUSTED:
    return "RESOURCE_EXHAUSTED";
  case RPC_UNIMPLEMENTED:
    return "UNIMPLEMENTED";
  case RPC_INTERNAL:
    return "INTERNAL";
  case RPC_UNAVAILABLE:
    return "UNAVAILABLE";
  }
  return "UNKNOWN";
}
