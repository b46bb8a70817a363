/* SPDX-License-Identifier: MIT */
/* Intrusive circular doubly linked list with a sentinel head. */
#include "fe_int.h"

void fe__list_init(struct fe__link *head)
{
  head->prev = head;
  head->next = head;
}

void fe__list_push_tail(struct fe__link *head, struct fe__link *node)
{
  node->prev = head->prev;
  node->next = head;
  head->prev->next = node;
  head->prev = node;
}

void fe__list_unlink(struct fe__link *node)
{
  node->prev->next = node->next;
  node->next->prev = node->prev;
  node->prev = node;
  node->next = node;
}

int fe__list_empty(const struct fe__link *head)
{
  return head->next == head;
}
