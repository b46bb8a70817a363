/* SPDX-License-Identifier: MIT */
/*
 * Tests of flow_table.c: a flow must be found from a packet travelling
 * either way (cic-profile.md §3.1 looks up both keys), never from a
 * different 5-tuple, and must stay findable while the table grows.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "fe_int.h"

Suite *fe_flow_table_suite(void);

static struct fe__tuple tuple(uint32_t src, uint16_t sport, uint32_t dst,
                              uint16_t dport, uint8_t proto)
{
  struct fe__tuple t;

  t.src = src;
  t.dst = dst;
  t.sport = sport;
  t.dport = dport;
  t.proto = proto;
  return t;
}

static struct fe__tuple reversed(const struct fe__tuple *t)
{
  return tuple(t->dst, t->dport, t->src, t->sport, t->proto);
}

/* Tuple number i of a large set: distinct clients to one server. */
static struct fe__tuple nth_tuple(size_t i)
{
  return tuple(0x0A000000u + (uint32_t)(i / 1000), (uint16_t)(1024 + i % 1000),
               0xC0A80A32u, 443, 6);
}

static struct fe__hnode *find(const struct fe__htab *t,
                              const struct fe__tuple *key)
{
  return fe__htab_find(t, key, fe__tuple_hash(key));
}

static void insert(struct fe__htab *t, struct fe__hnode *n,
                   const struct fe__tuple *key)
{
  n->tuple = *key;
  n->hash = fe__tuple_hash(key);
  fe__htab_insert(t, n);
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

START_TEST(test_fe__htab_find_either_direction_returns_node)
{
  struct fe__htab t;
  struct fe__hnode n;
  struct fe__tuple a = tuple(0xC0A80A05u, 40000, 0xC0A80A32u, 80, 6);
  struct fe__tuple b = reversed(&a);

  ck_assert_int_eq(fe__htab_init(&t, 16), 0);
  insert(&t, &n, &a);
  ck_assert_uint_eq(t.count, 1);
  ck_assert_ptr_eq(find(&t, &a), &n);
  ck_assert_ptr_eq(find(&t, &b), &n);
  fe__htab_cleanup(&t);
}
END_TEST

START_TEST(test_fe__htab_find_other_protocol_or_ports_returns_null)
{
  struct fe__htab t;
  struct fe__hnode n;
  struct fe__tuple a = tuple(0xC0A80A05u, 40000, 0xC0A80A32u, 80, 6);
  struct fe__tuple udp = tuple(0xC0A80A05u, 40000, 0xC0A80A32u, 80, 17);
  struct fe__tuple port = tuple(0xC0A80A05u, 40001, 0xC0A80A32u, 80, 6);

  ck_assert_int_eq(fe__htab_init(&t, 16), 0);
  insert(&t, &n, &a);
  ck_assert_ptr_null(find(&t, &udp));
  ck_assert_ptr_null(find(&t, &port));
  fe__htab_cleanup(&t);
}
END_TEST

START_TEST(test_fe__htab_remove_inserted_node_is_not_found)
{
  struct fe__htab t;
  struct fe__hnode n[3];
  struct fe__tuple k[3];

  ck_assert_int_eq(fe__htab_init(&t, 16), 0);
  for (size_t i = 0; i < 3; i++) {
    k[i] = nth_tuple(i);
    insert(&t, &n[i], &k[i]);
  }
  fe__htab_remove(&t, &n[1]);
  ck_assert_uint_eq(t.count, 2);
  ck_assert_ptr_null(find(&t, &k[1]));
  ck_assert_ptr_eq(find(&t, &k[0]), &n[0]);
  ck_assert_ptr_eq(find(&t, &k[2]), &n[2]);
  fe__htab_cleanup(&t);
}
END_TEST

START_TEST(test_fe__htab_remove_absent_node_keeps_count)
{
  struct fe__htab t;
  struct fe__hnode in;
  struct fe__hnode out;
  struct fe__tuple k0 = nth_tuple(0);
  struct fe__tuple k1 = nth_tuple(1);

  ck_assert_int_eq(fe__htab_init(&t, 16), 0);
  insert(&t, &in, &k0);
  out.tuple = k1;
  out.hash = fe__tuple_hash(&k1);
  out.next = NULL;
  fe__htab_remove(&t, &out);
  ck_assert_uint_eq(t.count, 1);
  ck_assert_ptr_eq(find(&t, &k0), &in);
  fe__htab_cleanup(&t);
}
END_TEST

START_TEST(test_fe__htab_insert_past_bucket_count_grows_and_finds_all)
{
  enum { N = 5000 };
  struct fe__htab t;
  struct fe__hnode *nodes = calloc(N, sizeof(*nodes));

  /*
   * The table starts at 1024 buckets and doubles when it holds as many
   * entries as buckets: at the 1025th, 2049th and 4097th insertion.
   * max_entries 5000 allows 8192 buckets, so it ends at 8192.
   */
  ck_assert_ptr_nonnull(nodes);
  ck_assert_int_eq(fe__htab_init(&t, N), 0);
  ck_assert_uint_eq(t.mask + 1, 1024);
  for (size_t i = 0; i < N; i++) {
    struct fe__tuple k = nth_tuple(i);

    insert(&t, &nodes[i], &k);
  }
  ck_assert_uint_eq(t.count, N);
  ck_assert_uint_eq(t.mask + 1, 8192);
  for (size_t i = 0; i < N; i++) {
    struct fe__tuple k = nth_tuple(i);
    struct fe__tuple r = reversed(&k);

    ck_assert_ptr_eq(find(&t, &k), &nodes[i]);
    ck_assert_ptr_eq(find(&t, &r), &nodes[i]);
  }
  fe__htab_cleanup(&t);
  free(nodes);
}
END_TEST

START_TEST(test_fe__htab_insert_at_bucket_limit_chains_and_finds_all)
{
  enum { N = 3000 };
  struct fe__htab t;
  struct fe__hnode *nodes = calloc(N, sizeof(*nodes));

  /* max_entries 10 caps the table at its minimum of 1024 buckets. */
  ck_assert_ptr_nonnull(nodes);
  ck_assert_int_eq(fe__htab_init(&t, 10), 0);
  for (size_t i = 0; i < N; i++) {
    struct fe__tuple k = nth_tuple(i);

    insert(&t, &nodes[i], &k);
  }
  ck_assert_uint_eq(t.count, N);
  ck_assert_uint_eq(t.mask + 1, 1024);
  for (size_t i = 0; i < N; i++) {
    struct fe__tuple k = nth_tuple(i);

    ck_assert_ptr_eq(find(&t, &k), &nodes[i]);
  }
  fe__htab_cleanup(&t);
  free(nodes);
}
END_TEST

START_TEST(test_fe__htab_remove_after_growth_finds_rest)
{
  enum { N = 2500 };
  struct fe__htab t;
  struct fe__hnode *nodes = calloc(N, sizeof(*nodes));

  /* Nodes inserted before a resize must still be removable after it. */
  ck_assert_ptr_nonnull(nodes);
  ck_assert_int_eq(fe__htab_init(&t, N), 0);
  for (size_t i = 0; i < N; i++) {
    struct fe__tuple k = nth_tuple(i);

    insert(&t, &nodes[i], &k);
  }
  for (size_t i = 0; i < N; i += 2) {
    fe__htab_remove(&t, &nodes[i]);
  }
  ck_assert_uint_eq(t.count, N / 2);
  for (size_t i = 0; i < N; i++) {
    struct fe__tuple k = nth_tuple(i);

    ck_assert_ptr_eq(find(&t, &k), i % 2 == 0 ? NULL : &nodes[i]);
  }
  fe__htab_cleanup(&t);
  free(nodes);
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
  suite_add_tcase(s, keys);

  tcase_add_test(table, test_fe__htab_find_either_direction_returns_node);
  tcase_add_test(table,
                 test_fe__htab_find_other_protocol_or_ports_returns_null);
  tcase_add_test(table, test_fe__htab_remove_inserted_node_is_not_found);
  tcase_add_test(table, test_fe__htab_remove_absent_node_keeps_count);
  tcase_add_test(table,
                 test_fe__htab_insert_past_bucket_count_grows_and_finds_all);
  tcase_add_test(table,
                 test_fe__htab_insert_at_bucket_limit_chains_and_finds_all);
  tcase_add_test(table, test_fe__htab_remove_after_growth_finds_rest);
  suite_add_tcase(s, table);
  return s;
}
