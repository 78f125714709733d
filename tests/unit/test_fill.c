// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reader's coalescing wait (lib/reader.c): how long the loop lets the
 * rings fill after a drained batch, from the rate the records' own
 * timestamps show. The cases are the ones that lost records: a burst after
 * an idle spell, the short batch at the end of each drain, an overestimate
 * that would stay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../lib/internal.h"

#define MS 1000000ULL
#define RING (1410 * 1024) /* the kernel's default ring a CPU */
#define MAX_US 10000

/* opensnoop at 1.1 M opens/s: two records of about 40 bytes an open. */
#define OPEN_LOOP_BYTES_PER_MS 88000ULL

static void test_rate_from_timestamps(void **state)
{
	bool long_span = false;

	(void)state;
	/* 4 ms of the loop read at once: the rate it was written at. */
	assert_int_equal(snoop_fill_rate(4 * OPEN_LOOP_BYTES_PER_MS, 10 * MS, 14 * MS, &long_span),
			 OPEN_LOOP_BYTES_PER_MS);
	assert_true(long_span);

	/* The first batch of a burst after an idle second: 50 us of records.
	 * The time since the last batch (a second) would say 4.4 KB/s and
	 * let the next wait run its full 10 ms: at the loop's rate that is
	 * 880 KB, most of a 900 KB ring. The timestamps say the real rate. */
	long_span = false;
	assert_int_equal(snoop_fill_rate(4400, 5 * MS, 5 * MS + 50000, &long_span), OPEN_LOOP_BYTES_PER_MS);
	assert_false(long_span);

	/* Two records at the same time: counted over 20 us, not as infinite. */
	assert_int_equal(snoop_fill_rate(80, 7 * MS, 7 * MS, &long_span), 4000);
	/* A clock that stepped back is a zero span, not a huge one. */
	assert_int_equal(snoop_fill_rate(80, 7 * MS, 6 * MS, &long_span), 4000);
}

static void test_update(void **state)
{
	uint64_t r = OPEN_LOOP_BYTES_PER_MS;

	(void)state;
	/* The short batch that ends a drain (a few records over 30 us)
	 * must not make the next wait the full 10 ms. */
	assert_true(snoop_fill_update(r, 3000, false) > r * 7 / 8 - 1);
	/* Eight of them in a row only bring it part of the way down. */
	for (int i = 0; i < 8; i++)
		r = snoop_fill_update(r, 3000, false);
	assert_true(r > OPEN_LOOP_BYTES_PER_MS / 3);
	/* A batch over a millisecond or more is the truth, up or down. */
	assert_int_equal(snoop_fill_update(r, 1000, true), 1000);
	assert_int_equal(snoop_fill_update(1000, 500000, true), 500000);
	/* A short one raises it at once (a burst). */
	assert_int_equal(snoop_fill_update(1000, 500000, false), 500000);
	/* A batch with no rate (one record a CPU) keeps what was known. */
	assert_int_equal(snoop_fill_update(1234, 0, false), 1234);
}

static void test_wait(void **state)
{
	(void)state;
	/* At the open loop's rate, a quarter of the default ring is 4 ms. */
	assert_int_equal(snoop_fill_wait_us(RING, OPEN_LOOP_BYTES_PER_MS, MAX_US), 4101);
	/* A slow trickle waits the most the loop allows, no more. */
	assert_int_equal(snoop_fill_wait_us(RING, 10, MAX_US), MAX_US);
	/* Nothing known yet, or no ring size: the most as well. */
	assert_int_equal(snoop_fill_wait_us(RING, 0, MAX_US), MAX_US);
	assert_int_equal(snoop_fill_wait_us(0, OPEN_LOOP_BYTES_PER_MS, MAX_US), MAX_US);
	/* The old fixed 10 ms at 1.4 M opens/s filled 80% of the ring; the
	 * wait never lets more than a quarter of it fill, at any rate. */
	for (uint64_t rate = 1000; rate < 100000000ULL; rate *= 3) {
		uint64_t us = (uint64_t)snoop_fill_wait_us(RING, rate, MAX_US);

		assert_true(rate * us / 1000 <= RING / 4);
	}
	/* A 4 MiB ring (opensnoop's default) at the same rate: 10 ms. */
	assert_int_equal(snoop_fill_wait_us(4096 * 1024, OPEN_LOOP_BYTES_PER_MS, MAX_US), MAX_US);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_from_timestamps),
		cmocka_unit_test(test_update),
		cmocka_unit_test(test_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
