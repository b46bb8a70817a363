/* SPDX-License-Identifier: MIT */
/*
 * Tests of flow_table.c and pool.c: a flow must be found from a packet
 * travelling either way (cic-profile.md §3.1 looks up both keys), never
 * from a different 5-tuple, and must stay findable while the table grows;
 * the age list must keep the order the meter expires flows in.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fe_int.h"

Suite *fe_flow_table_suite(void);

static struct fe__tuple tuple(uint32_t src, uint16_t sport, uint32_t dst,
                              uint16_t dport, uint8_t proto)
{
  struct fe__tuple t;

  memset(&t, 0, sizeof(t));
  fe__ip4_set(t.src, src);
  fe__ip4_set(t.dst, dst);
  t.family = 4;
  t.sport = sport;
  t.dport = dport;
  t.proto = proto;
  return t;
}

static struct fe__tuple reversed(const struct fe__tuple *t)
{
  return tuple(fe__get_be32(t->dst), t->dport, fe__get_be32(t->src), t->sport,
               t->proto);
}

/* Tuple number i of a large set: distinct clients to one server. */
static struct fe__tuple nth_tuple(size_t i)
{
  return tuple(0x0A000000u + (uint32_t)(i / 1000), (uint16_t)(1024 + i % 1000),
               0xC0A80A32u, 443, 6);
}

/* Records of the tests' tables: an entry and a payload to check. */
struct record {
  struct fe__entry entry;
  uint32_t tag;
};

static uint32_t find(const struct fe__ktab *t, const struct fe__tuple *key)
{
  return fe__ktab_find(t, key, fe__tuple_hash(key));
}

static uint32_t add(struct fe__ktab *t, const struct fe__tuple *key,
                    uint32_t tag)
{
  uint32_t i = fe__ktab_add(t, key, fe__tuple_hash(key));
  struct record *r;

  ck_assert_uint_ne(i, 0);
  r = fe__ktab_at(t, i);
  r->tag = tag;
  return i;
}

static uint32_t tag_of(const struct fe__ktab *t, uint32_t i)
{
  const struct record *r = fe__ktab_at(t, i);

  return r->tag;
}

/* The tags of the table's records from oldest to newest, then 0. */
static void check_age_order(const struct fe__ktab *t, const uint32_t *tags,
                            size_t n)
{
  uint32_t i = t->oldest;

  for (size_t k = 0; k < n; k++) {
    ck_assert_uint_ne(i, 0);
    ck_assert_uint_eq(tag_of(t, i), tags[k]);
    i = ((const struct fe__entry *)fe__ktab_at(t, i))->newer;
  }
  ck_assert_uint_eq(i, 0);
}

START_TEST(test_fe__tuple_hash_reversed_tuple_gives_same_hash)
{
  struct fe__tuple a = tuple(0xC0A80A05u, 40000, 0xC0A80A32u, 80, 6);
  struct fe__tuple b = reversed(&a);

  ck_assert_uint_eq(fe__tuple_hash(&a), fe__tuple_hash(&b));
}
END_TEST

START_TEST(test_fe__tuple_same_flow_reversed_tuple_is_same)
{
  struct fe__tuple a = tuple(0xC0A80A05u, 40000, 0xC0A80A32u, 80, 6);
  struct fe__tuple b = reversed(&a);

  ck_assert_int_eq(fe__tuple_same_flow(&a, &a), 1);
  ck_assert_int_eq(fe__tuple_same_flow(&a, &b), 1);
}
END_TEST

START_TEST(test_fe__tuple_same_flow_half_reversed_tuple_is_different)
{
  struct fe__tuple a = tuple(0xC0A80A05u, 40000, 0xC0A80A32u, 80, 6);
  /* Addresses swapped but ports not: "b-a-40000-80", another key. */
  struct fe__tuple b = tuple(0xC0A80A32u, 40000, 0xC0A80A05u, 80, 6);
  struct fe__tuple c = tuple(0xC0A80A05u, 40000, 0xC0A80A32u, 80, 17);

  ck_assert_int_eq(fe__tuple_same_flow(&a, &b), 0);
  ck_assert_int_eq(fe__tuple_same_flow(&a, &c), 0);
}
END_TEST

START_TEST(test_fe__tuple_same_flow_same_address_ports_swapped_is_same)
{
  /* Loopback: 127.0.0.1:5000 -> 127.0.0.1:6000 and back are one flow. */
  struct fe__tuple a = tuple(0x7F000001u, 5000, 0x7F000001u, 6000, 6);
  struct fe__tuple b = reversed(&a);

  ck_assert_int_eq(fe__tuple_same_flow(&a, &b), 1);
  ck_assert_uint_eq(fe__tuple_hash(&a), fe__tuple_hash(&b));
}
END_TEST

START_TEST(test_fe__tuple_same_flow_ipv6_with_ipv4_bytes_is_different)
{
  /* 1.2.3.4 and 102:304:: hold the same 16 bytes; the family differs. */
  struct fe__tuple a = tuple(0x01020304u, 5000, 0x05060708u, 80, 6);
  struct fe__tuple b = a;

  b.family = 6;
  ck_assert_int_eq(fe__tuple_same_flow(&a, &b), 0);
}
END_TEST

START_TEST(test_fe__ktab_find_either_direction_returns_record)
{
  struct fe__ktab t;
  struct fe__tuple a = tuple(0xC0A80A05u, 40000, 0xC0A80A32u, 80, 6);
  struct fe__tuple b = reversed(&a);
  uint32_t i;

  ck_assert_int_eq(fe__ktab_init(&t, sizeof(struct record), 16), 0);
  i = add(&t, &a, 7);
  ck_assert_uint_eq(t.count, 1);
  ck_assert_uint_eq(find(&t, &a), i);
  ck_assert_uint_eq(find(&t, &b), i);
  ck_assert_uint_eq(tag_of(&t, find(&t, &b)), 7);
  fe__ktab_cleanup(&t);
}
END_TEST

START_TEST(test_fe__ktab_find_other_protocol_or_ports_returns_none)
{
  struct fe__ktab t;
  struct fe__tuple a = tuple(0xC0A80A05u, 40000, 0xC0A80A32u, 80, 6);
  struct fe__tuple udp = tuple(0xC0A80A05u, 40000, 0xC0A80A32u, 80, 17);
  struct fe__tuple port = tuple(0xC0A80A05u, 40001, 0xC0A80A32u, 80, 6);

  ck_assert_int_eq(fe__ktab_init(&t, sizeof(struct record), 16), 0);
  add(&t, &a, 1);
  ck_assert_uint_eq(find(&t, &udp), 0);
  ck_assert_uint_eq(find(&t, &port), 0);
  fe__ktab_cleanup(&t);
}
END_TEST

START_TEST(test_fe__ktab_remove_added_record_is_not_found)
{
  struct fe__ktab t;
  uint32_t idx[3];
  struct fe__tuple k[3];
  static const uint32_t left[] = {0, 2};

  ck_assert_int_eq(fe__ktab_init(&t, sizeof(struct record), 16), 0);
  for (uint32_t i = 0; i < 3; i++) {
    k[i] = nth_tuple(i);
    idx[i] = add(&t, &k[i], i);
  }
  fe__ktab_remove(&t, idx[1]);
  ck_assert_uint_eq(t.count, 2);
  ck_assert_uint_eq(find(&t, &k[1]), 0);
  ck_assert_uint_eq(find(&t, &k[0]), idx[0]);
  ck_assert_uint_eq(find(&t, &k[2]), idx[2]);
  check_age_order(&t, left, 2);
  fe__ktab_cleanup(&t);
}
END_TEST

START_TEST(test_fe__ktab_remove_ends_keeps_age_order)
{
  struct fe__ktab t;
  uint32_t idx[4];
  static const uint32_t left[] = {1, 2};

  ck_assert_int_eq(fe__ktab_init(&t, sizeof(struct record), 16), 0);
  for (uint32_t i = 0; i < 4; i++) {
    struct fe__tuple k = nth_tuple(i);

    idx[i] = add(&t, &k, i);
  }
  fe__ktab_remove(&t, idx[0]);
  fe__ktab_remove(&t, idx[3]);
  check_age_order(&t, left, 2);
  fe__ktab_remove(&t, idx[1]);
  fe__ktab_remove(&t, idx[2]);
  ck_assert_uint_eq(t.count, 0);
  ck_assert_uint_eq(t.oldest, 0);
  ck_assert_uint_eq(t.newest, 0);
  fe__ktab_cleanup(&t);
}
END_TEST

START_TEST(test_fe__ktab_renew_moves_record_to_newest)
{
  struct fe__ktab t;
  uint32_t idx[3];
  static const uint32_t first[] = {1, 2, 0};
  static const uint32_t second[] = {1, 0, 2};

  /* A flow restarted at its timeout goes to the end of the age list. */
  ck_assert_int_eq(fe__ktab_init(&t, sizeof(struct record), 16), 0);
  for (uint32_t i = 0; i < 3; i++) {
    struct fe__tuple k = nth_tuple(i);

    idx[i] = add(&t, &k, i);
  }
  fe__ktab_renew(&t, idx[0]);
  check_age_order(&t, first, 3);
  fe__ktab_renew(&t, idx[2]);
  check_age_order(&t, second, 3);
  fe__ktab_renew(&t, idx[2]);
  check_age_order(&t, second, 3);
  fe__ktab_cleanup(&t);
}
END_TEST

START_TEST(test_fe__ktab_add_after_remove_reuses_memory)
{
  struct fe__ktab t;
  struct fe__tuple a = nth_tuple(0);
  struct fe__tuple b = nth_tuple(1);
  uint32_t i;

  /* Records come from a pool: a freed slot is handed out again. */
  ck_assert_int_eq(fe__ktab_init(&t, sizeof(struct record), 16), 0);
  i = add(&t, &a, 1);
  fe__ktab_remove(&t, i);
  ck_assert_uint_eq(add(&t, &b, 2), i);
  ck_assert_uint_eq(t.pool.live, 1);
  ck_assert_uint_eq(find(&t, &a), 0);
  ck_assert_uint_eq(tag_of(&t, find(&t, &b)), 2);
  fe__ktab_cleanup(&t);
}
END_TEST

START_TEST(test_fe__ktab_add_past_bucket_count_grows_and_finds_all)
{
  enum { N = 5000 };
  struct fe__ktab t;

  /*
   * The table starts at 1024 buckets and doubles when it holds as many
   * records as buckets: at the 1025th, 2049th and 4097th insertion.
   * max_records 5000 allows 8192 buckets, so it ends at 8192.
   */
  ck_assert_int_eq(fe__ktab_init(&t, sizeof(struct record), N), 0);
  ck_assert_uint_eq(t.mask + 1, 1024);
  for (uint32_t i = 0; i < N; i++) {
    struct fe__tuple k = nth_tuple(i);

    add(&t, &k, i);
  }
  ck_assert_uint_eq(t.count, N);
  ck_assert_uint_eq(t.mask + 1, 8192);
  for (uint32_t i = 0; i < N; i++) {
    struct fe__tuple k = nth_tuple(i);
    struct fe__tuple r = reversed(&k);

    ck_assert_uint_eq(tag_of(&t, find(&t, &k)), i);
    ck_assert_uint_eq(tag_of(&t, find(&t, &r)), i);
  }
  fe__ktab_cleanup(&t);
}
END_TEST

START_TEST(test_fe__ktab_add_at_bucket_limit_chains_and_finds_all)
{
  enum { N = 3000 };
  struct fe__ktab t;

  /* max_records 10 caps the table at its minimum of 1024 buckets. */
  ck_assert_int_eq(fe__ktab_init(&t, sizeof(struct record), 10), 0);
  for (uint32_t i = 0; i < N; i++) {
    struct fe__tuple k = nth_tuple(i);

    add(&t, &k, i);
  }
  ck_assert_uint_eq(t.count, N);
  ck_assert_uint_eq(t.mask + 1, 1024);
  for (uint32_t i = 0; i < N; i++) {
    struct fe__tuple k = nth_tuple(i);

    ck_assert_uint_eq(tag_of(&t, find(&t, &k)), i);
  }
  fe__ktab_cleanup(&t);
}
END_TEST

START_TEST(test_fe__ktab_remove_after_growth_finds_rest)
{
  enum { N = 2500 };
  struct fe__ktab t;
  uint32_t *idx = calloc(N, sizeof(*idx));

  /* Records added before a resize must still be removable after it. */
  ck_assert_ptr_nonnull(idx);
  ck_assert_int_eq(fe__ktab_init(&t, sizeof(struct record), N), 0);
  for (uint32_t i = 0; i < N; i++) {
    struct fe__tuple k = nth_tuple(i);

    idx[i] = add(&t, &k, i);
  }
  for (size_t i = 0; i < N; i += 2) {
    fe__ktab_remove(&t, idx[i]);
  }
  ck_assert_uint_eq(t.count, N / 2);
  for (uint32_t i = 0; i < N; i++) {
    struct fe__tuple k = nth_tuple(i);

    ck_assert_uint_eq(find(&t, &k), i % 2 == 0 ? 0 : idx[i]);
  }
  fe__ktab_cleanup(&t);
  free(idx);
}
END_TEST

START_TEST(test_fe__pool_get_many_spans_chunks_and_reuses_last_put)
{
  struct fe__pool p;
  uint32_t n;
  uint32_t again;

  /* 20-byte objects: 8192 to a chunk, so 20000 take three chunks. */
  fe__pool_init(&p, 20);
  for (uint32_t i = 1; i <= 20000; i++) {
    n = fe__pool_get(&p);
    ck_assert_uint_eq(n, i);
    *(uint32_t *)fe__pool_at(&p, n) = i;
  }
  ck_assert_uint_eq(p.chunk_count, 3);
  ck_assert_uint_eq(*(uint32_t *)fe__pool_at(&p, 8193), 8193);
  fe__pool_put(&p, 9000);
  fe__pool_put(&p, 5);
  again = fe__pool_get(&p);
  ck_assert_uint_eq(again, 5);
  ck_assert_uint_eq(fe__pool_get(&p), 9000);
  ck_assert_uint_eq(fe__pool_get(&p), 20001);
  ck_assert_uint_eq(p.live, 20001);
  fe__pool_cleanup(&p);
}
END_TEST

Suite *fe_flow_table_suite(void)
{
  Suite *s = suite_create("flow_table");
  TCase *keys = tcase_create("keys");
  TCase *table = tcase_create("table");

  tcase_add_test(keys, test_fe__tuple_hash_reversed_tuple_gives_same_hash);
  tcase_add_test(keys, test_fe__tuple_same_flow_reversed_tuple_is_same);
  tcase_add_test(keys,
                 test_fe__tuple_same_flow_half_reversed_tuple_is_different);
  tcase_add_test(keys,
                 test_fe__tuple_same_flow_same_address_ports_swapped_is_same);
  tcase_add_test(keys,
                 test_fe__tuple_same_flow_ipv6_with_ipv4_bytes_is_different);
  suite_add_tcase(s, keys);

  tcase_add_test(table, test_fe__ktab_find_either_direction_returns_record);
  tcase_add_test(table,
                 test_fe__ktab_find_other_protocol_or_ports_returns_none);
  tcase_add_test(table, test_fe__ktab_remove_added_record_is_not_found);
  tcase_add_test(table, test_fe__ktab_remove_ends_keeps_age_order);
  tcase_add_test(table, test_fe__ktab_renew_moves_record_to_newest);
  tcase_add_test(table, test_fe__ktab_add_after_remove_reuses_memory);
  tcase_add_test(table,
                 test_fe__ktab_add_past_bucket_count_grows_and_finds_all);
  tcase_add_test(table, test_fe__ktab_add_at_bucket_limit_chains_and_finds_all);
  tcase_add_test(table, test_fe__ktab_remove_after_growth_finds_rest);
  tcase_add_test(table,
                 test_fe__pool_get_many_spans_chunks_and_reuses_last_put);
  suite_add_tcase(s, table);
  return s;
}
