// SPDX-License-Identifier: GPL-2.0-or-later
/* Leftover-name parsing: what the sweep may and may not touch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <snoop/sweep.h>

static void test_instance_names(void **state)
{
	char tool[32];
	pid_t pid;

	(void)state;
	assert_int_equal(snoop_parse_instance_name("snoop_execsnoop_123", tool, sizeof(tool), &pid), 0);
	assert_string_equal(tool, "execsnoop");
	assert_int_equal(pid, 123);
	assert_int_equal(snoop_parse_instance_name("snoop_snoop-reset_9", tool, sizeof(tool), &pid), 0);
	assert_int_equal(pid, 9);

	/* Not ours, or malformed: never touched. */
	static const char *const bad[] = {
		"snoop_execsnoop_", "snoop_execsnoop_12a", "snoop__12", "snoop_12", "snoopy_x_1",
		"Snoop_execsnoop_1", "snoop_execsnoop_0", "snoop_execsnoop_012", "snoop_Exec_1",
		"snoop_execsnoop_99999999999", "trace-cmd", "", "snoop_", "snoop_a b_1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(snoop_parse_instance_name(bad[i], tool, sizeof(tool), &pid), -1);
	/* Tool name longer than the buffer. */
	assert_int_equal(snoop_parse_instance_name("snoop_averyveryverylongtoolname_1", tool, 8, &pid), -1);
}

static void test_group_names(void **state)
{
	pid_t pid;

	(void)state;
	assert_int_equal(snoop_parse_group_name("snoop_4242", &pid), 0);
	assert_int_equal(pid, 4242);
	assert_int_equal(snoop_parse_group_name("snoop_", &pid), -1);
	assert_int_equal(snoop_parse_group_name("snoop_42x", &pid), -1);
	assert_int_equal(snoop_parse_group_name("kprobes", &pid), -1);
	assert_int_equal(snoop_parse_group_name("snoop_execsnoop_1", &pid), -1);
	assert_int_equal(snoop_parse_group_name("snoop_0", &pid), -1);
}

static void test_dynevent_lines(void **state)
{
	char g[64], e[64];

	(void)state;
	assert_int_equal(snoop_parse_dynevent_line("p:snoop_12/execve_0 __x64_sys_execve a=+0(%di):ustring",
						   g, sizeof(g), e, sizeof(e)), 0);
	assert_string_equal(g, "snoop_12");
	assert_string_equal(e, "execve_0");
	assert_int_equal(snoop_parse_dynevent_line("r10:kprobes/foo do_sys_open", g, sizeof(g), e, sizeof(e)), 0);
	assert_string_equal(g, "kprobes");
	assert_int_equal(snoop_parse_dynevent_line("f:snoop_7/o do_sys_openat2", g, sizeof(g), e, sizeof(e)), 0);
	assert_string_equal(e, "o");
	assert_int_equal(snoop_parse_dynevent_line("p:foo do_sys_open", g, sizeof(g), e, sizeof(e)), -1);
	assert_int_equal(snoop_parse_dynevent_line("garbage", g, sizeof(g), e, sizeof(e)), -1);
	assert_int_equal(snoop_parse_dynevent_line("p :a/b x", g, sizeof(g), e, sizeof(e)), -1);
	assert_int_equal(snoop_parse_dynevent_line("p:/b x", g, sizeof(g), e, sizeof(e)), -1);
	assert_int_equal(snoop_parse_dynevent_line("p:a/ x", g, sizeof(g), e, sizeof(e)), -1);
}

static void test_owner_alive(void **state)
{
	(void)state;
	/* This test program is not a snoopkit tool: its PID counts as stale,
	 * which is right for a reused PID. PID 1 neither. */
	assert_false(snoop_owner_alive(getpid()));
	/* A PID that cannot exist. */
	assert_false(snoop_owner_alive(0x3fffffff));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instance_names),
		cmocka_unit_test(test_group_names),
		cmocka_unit_test(test_dynevent_lines),
		cmocka_unit_test(test_owner_alive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
