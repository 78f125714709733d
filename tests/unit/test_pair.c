// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of lib/pair.c: entry/exit pairing by TID. Every entry must leave
 * the table exactly once, paired or dropped with the right reason; a loss
 * between entry and exit must never pair them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <snoop/pair.h>

struct ent {
	struct snoop_pair_slot slot;
	int val;
	char *owned;     /* freed by the drop function or the exit's caller */
};

struct log {
	int n;
	pid_t tid[64];
	int val[64];
	enum snoop_pair_drop why[64];
};

static void on_drop(void *ctx, void *entry, enum snoop_pair_drop why)
{
	struct log *l = ctx;
	struct ent *e = entry;

	l->tid[l->n] = e->slot.tid;
	l->val[l->n] = e->val;
	l->why[l->n++] = why;
	free(e->owned);
}

static struct ent *enter(struct snoop_pairs *p, pid_t tid, uint64_t ts, uint64_t seq, int val)
{
	struct ent *e = snoop_pairs_enter(p, tid, ts, seq);

	assert_non_null(e);
	assert_int_equal(e->val, 0); /* zeroed */
	assert_null(e->owned);
	e->val = val;
	e->owned = strdup("x");
	return e;
}

static void test_pair_basic(void **state)
{
	struct log l = { 0 };
	struct snoop_pairs *p = snoop_pairs_new(sizeof(struct ent), 64, on_drop, &l);
	struct snoop_pair_stats st;
	struct ent *e;

	(void)state;
	enter(p, 100, 1, 0, 7);
	enter(p, 101, 2, 0, 8);
	e = snoop_pairs_exit(p, 100, 0);
	assert_non_null(e);
	assert_int_equal(e->val, 7);
	assert_int_equal(e->slot.ts, 1);
	free(e->owned);
	/* Taken: a second exit of 100 has nothing to pair. */
	assert_null(snoop_pairs_exit(p, 100, 0));
	assert_null(snoop_pairs_peek(p, 100));
	assert_non_null(snoop_pairs_peek(p, 101));
	snoop_pairs_get_stats(p, &st);
	assert_int_equal(st.entered, 2);
	assert_int_equal(st.paired, 1);
	assert_int_equal(st.no_entry, 1);
	assert_int_equal(l.n, 0);
	snoop_pairs_flush(p);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.tid[0], 101);
	assert_int_equal(l.why[0], SNOOP_PAIR_FLUSHED);
	snoop_pairs_free(p);
}

static void test_pair_no_exit_and_split(void **state)
{
	struct log l = { 0 };
	struct snoop_pairs *p = snoop_pairs_new(sizeof(struct ent), 64, on_drop, &l);
	struct snoop_pair_stats st;
	struct ent *e;

	(void)state;
	/* The exit of the first call was not seen: the second entry says so. */
	enter(p, 5, 1, 0, 1);
	enter(p, 5, 2, 0, 2);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.val[0], 1);
	assert_int_equal(l.why[0], SNOOP_PAIR_NO_EXIT);
	/* A loss between entry and exit: the exit may be another call's. */
	e = snoop_pairs_exit(p, 5, 1);
	assert_null(e);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.val[1], 2);
	assert_int_equal(l.why[1], SNOOP_PAIR_SPLIT);
	/* After the loss, a fresh pair works again. */
	enter(p, 5, 3, 1, 3);
	e = snoop_pairs_exit(p, 5, 1);
	assert_non_null(e);
	assert_int_equal(e->val, 3);
	free(e->owned);
	snoop_pairs_get_stats(p, &st);
	assert_int_equal(st.no_exit, 1);
	assert_int_equal(st.split, 1);
	assert_int_equal(st.paired, 1);
	snoop_pairs_free(p);
}

static void test_pair_evict_and_flush_order(void **state)
{
	struct log l = { 0 };
	struct snoop_pairs *p = snoop_pairs_new(sizeof(struct ent), 8, on_drop, &l);

	(void)state;
	/* 3 and 11 share a slot of 8: the newer evicts the older, reported. */
	enter(p, 3, 10, 0, 30);
	enter(p, 11, 20, 0, 110);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.tid[0], 3);
	assert_int_equal(l.why[0], SNOOP_PAIR_EVICTED);
	assert_null(snoop_pairs_exit(p, 3, 0));
	/* Flush gives the waiting ones oldest first, whatever their slots. */
	enter(p, 7, 5, 0, 70);
	enter(p, 1, 15, 0, 10);
	snoop_pairs_flush(p);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.tid[1], 7);
	assert_int_equal(l.tid[2], 1);
	assert_int_equal(l.tid[3], 11);
	/* Nothing waits any more. */
	snoop_pairs_flush(p);
	assert_int_equal(l.n, 4);
	snoop_pairs_free(p);
}

static void test_pair_many_threads(void **state)
{
	struct log l = { 0 };
	struct snoop_pairs *p = snoop_pairs_new(sizeof(struct ent), 0, NULL, &l);
	struct snoop_pair_stats st;

	(void)state;
	assert_null(snoop_pairs_new(sizeof(struct snoop_pair_slot) - 1, 0, NULL, NULL));
	/* Interleaved entries and exits of 1000 threads, no collision in
	 * the default 4096 slots: every one pairs with its own entry. */
	for (int i = 1; i <= 1000; i++)
		((struct ent *)snoop_pairs_enter(p, i, (uint64_t)i, 0))->val = i * 3;
	for (int i = 1000; i >= 1; i--) {
		struct ent *e = snoop_pairs_exit(p, i, 0);

		assert_non_null(e);
		assert_int_equal(e->val, i * 3);
	}
	snoop_pairs_get_stats(p, &st);
	assert_int_equal(st.paired, 1000);
	assert_int_equal(st.evicted + st.no_exit + st.split, 0);
	snoop_pairs_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_basic),
		cmocka_unit_test(test_pair_no_exit_and_split),
		cmocka_unit_test(test_pair_evict_and_flush_order),
		cmocka_unit_test(test_pair_many_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
