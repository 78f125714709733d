// SPDX-License-Identifier: GPL-2.0-or-later
/* functrace -G: parsing --min-duration (tools/functrace/graph.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The tool's files are built into its binary, not the library: include
 * them, and stand in for what output.c gives graph.c (not called here). */
#include "../../tools/functrace/graph.c"
#include "../../tools/functrace/sym.c"

void ft_put_task(struct functrace *ft, struct snoop_buf *b, const struct snoop_record *r)
{
	(void)ft, (void)b, (void)r;
}

void ft_json_task(struct functrace *ft, struct snoop_json *j, const struct snoop_record *r)
{
	(void)ft, (void)j, (void)r;
}

int ft_graph_events(struct functrace *ft, snoop_handler_fn entry, snoop_handler_fn exit_fn)
{
	(void)ft, (void)entry, (void)exit_fn;
	return -1;
}

bool ft_comm_ok(struct functrace *ft, int pid)
{
	(void)ft, (void)pid;
	return true;
}

static uint64_t dur(const char *s)
{
	uint64_t ns = 0;

	assert_int_equal(ft_parse_duration(s, &ns), 0);
	return ns;
}

static void test_units(void **state)
{
	(void)state;
	assert_int_equal(dur("300ns"), 300);
	assert_int_equal(dur("500us"), 500000);
	assert_int_equal(dur("2ms"), 2000000);
	assert_int_equal(dur("1.5s"), 1500000000);
	assert_int_equal(dur("0.25ms"), 250000);
	/* A bare number is microseconds, as perf-tools funcslower takes it. */
	assert_int_equal(dur("30000"), 30000000);
	assert_int_equal(dur("3600s"), 3600000000000ull);
}

static void test_refused(void **state)
{
	static const char *const bad[] = { "", "ms", "0", "0ms", "-1ms", "2 ms", "2msx", "2m", "1h", "nan", "inf",
					   "0.1ns", "3601s", "1e30" };
	uint64_t ns = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ft_parse_duration(bad[i], &ns) == 0)
			fail_msg("'%s' accepted as %llu ns", bad[i], (unsigned long long)ns);
	}
	assert_int_equal(ns, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
