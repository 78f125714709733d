// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of the hist file parser (lib/hist.c) on text as Debian's 6.1 and
 * 6.12 kernels print it (captured in the guests): plain, string, execname,
 * log2 and bucket keys, two keys in one row, stack keys over several lines,
 * several tables in one file, Totals, and text that is not a hist file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <snoop/hist.h>
#include <snoop/hitcount.h>

static const char three_tables[] =
	"# event histogram\n"
	"#\n"
	"# trigger info: hist:keys=__comm:vals=hitcount:sort=hitcount:size=2048 if cnt > 0 [active]\n"
	"#\n"
	"\n"
	"{ __comm: head                                               } hitcount:          1\n"
	"{ __comm: a, b: c                                            } hitcount:          5\n"
	"\n"
	"Totals:\n"
	"    Hits: 6\n"
	"    Entries: 2\n"
	"    Dropped: 0\n"
	"\n"
	"\n"
	"# event histogram\n"
	"#\n"
	"# trigger info: hist:keys=cnt.log2:vals=hitcount:sort=cnt.log2:size=2048 [active]\n"
	"#\n"
	"\n"
	"{ cnt: ~ 2^7  } hitcount:          3\n"
	"{ cnt: ~ 2^14 } hitcount:          2\n"
	"\n"
	"Totals:\n"
	"    Hits: 5\n"
	"    Entries: 2\n"
	"    Dropped: 7\n"
	"\n"
	"\n"
	"# event histogram\n"
	"#\n"
	"# trigger info: hist:keys=common_pid.execname,cnt.buckets=100:vals=hitcount:sort=hitcount:size=2048 [active]\n"
	"#\n"
	"\n"
	"{ common_pid: cat             [       154], cnt: ~ 65500-65599 } hitcount:          1\n"
	"{ common_pid: my [x] prog     [        12], cnt: ~ 100-199 } hitcount:          3\n"
	"\n"
	"Totals:\n"
	"    Hits: 4\n"
	"    Entries: 2\n"
	"    Dropped: 0\n";

static void test_tables(void **state)
{
	struct snoop_hist_table t[2];
	const char *comm;
	unsigned int e;
	uint64_t v;
	size_t n;
	int pid;

	(void)state;
	/* Room for two: the third is counted, not kept. */
	assert_int_equal(snoop_hist_parse(three_tables, t, 2), 3);
	assert_string_equal(t[0].trigger, "hist:keys=__comm:vals=hitcount:sort=hitcount:size=2048 if cnt > 0");
	assert_int_equal(t[0].nkeys, 1);
	assert_string_equal(t[0].key_names[0], "__comm");
	assert_int_equal(t[0].nrows, 2);
	assert_string_equal(t[0].rows[0].key[0], "head");
	assert_int_equal(t[0].rows[0].hitcount, 1);
	/* The last key runs to the closing brace, ", " and all. */
	assert_string_equal(t[0].rows[1].key[0], "a, b: c");
	assert_int_equal(t[0].hits, 6);
	assert_int_equal(t[0].entries, 2);
	assert_string_equal(t[1].key_names[0], "cnt");
	assert_int_equal(t[1].nrows, 2);
	assert_int_equal(snoop_hist_key_log2(t[1].rows[0].key[0], &e), 0);
	assert_int_equal(e, 7);
	assert_int_equal(snoop_hist_key_log2(t[1].rows[1].key[0], &e), 0);
	assert_int_equal(e, 14);
	assert_int_equal(t[1].rows[1].hitcount, 2);
	assert_int_equal(t[1].dropped, 7);
	snoop_hist_table_free(&t[0]);
	snoop_hist_table_free(&t[1]);

	assert_int_equal(snoop_hist_parse(three_tables, t, 2) >= 0, 1);
	snoop_hist_table_free(&t[0]);
	snoop_hist_table_free(&t[1]);
	{
		struct snoop_hist_table all[3];

		assert_int_equal(snoop_hist_parse(three_tables, all, 3), 3);
		assert_int_equal(all[2].nkeys, 2);
		assert_string_equal(all[2].key_names[0], "common_pid");
		assert_string_equal(all[2].key_names[1], "cnt");
		assert_int_equal(snoop_hist_key_execname(all[2].rows[1].key[0], &comm, &n, &pid), 0);
		assert_int_equal(n, strlen("my [x] prog"));
		assert_memory_equal(comm, "my [x] prog", n);
		assert_int_equal(pid, 12);
		assert_int_equal(snoop_hist_key_bucket(all[2].rows[1].key[1], &v), 0);
		assert_int_equal(v, 100);
		assert_int_equal(snoop_hist_key_bucket(all[2].rows[0].key[1], &v), 0);
		assert_int_equal(v, 65500);
		assert_int_equal(all[2].rows[1].hitcount, 3);
		for (int i = 0; i < 3; i++)
			snoop_hist_table_free(&all[i]);
	}
}

static void test_stack_rows(void **state)
{
	static const char text[] =
		"# event histogram\n"
		"#\n"
		"# trigger info: hist:keys=common_stacktrace:vals=hitcount:sort=hitcount:size=2048 [active]\n"
		"#\n"
		"\n"
		"{ common_stacktrace:\n"
		"         kprobe_ftrace_handler+0x13b/0x1d0\n"
		"         __do_sys_getppid+0x9/0x40\n"
		"         do_syscall_64+0x87/0x1b0\n"
		"} hitcount:          5\n"
		"{ common_stacktrace:\n"
		"         vfs_read+0x1/0x2\n"
		"} hitcount:         12\n"
		"\n"
		"Totals:\n"
		"    Hits: 17\n"
		"    Entries: 2\n"
		"    Dropped: 0\n";
	struct snoop_hist_table t;

	(void)state;
	assert_int_equal(snoop_hist_parse(text, &t, 1), 1);
	assert_int_equal(t.nrows, 2);
	assert_string_equal(t.key_names[0], "common_stacktrace");
	assert_non_null(strstr(t.rows[0].key[0], "__do_sys_getppid+0x9/0x40\n"));
	assert_int_equal(strncmp(t.rows[0].key[0], "kprobe_ftrace_handler", 21), 0);
	assert_int_equal(t.rows[0].hitcount, 5);
	assert_string_equal(t.rows[1].key[0], "vfs_read+0x1/0x2");
	assert_int_equal(t.rows[1].hitcount, 12);
	assert_int_equal(t.hits, 17);
	snoop_hist_table_free(&t);
}

static void test_numbers_and_refusals(void **state)
{
	static const char one[] =
		"# trigger info: hist:keys=common_type:vals=hitcount:sort=hitcount:size=2048 [active]\n"
		"{ common_type:       1497 } hitcount:          5\n"
		"Totals:\n    Hits: 5\n";
	struct snoop_hist_table t;
	unsigned int e;
	uint64_t v;

	(void)state;
	assert_int_equal(snoop_hist_parse(one, &t, 1), 1);
	assert_int_equal(snoop_hist_key_u64(t.rows[0].key[0], &v), 0);
	assert_int_equal(v, 1497);
	snoop_hist_table_free(&t);
	/* No table at all; a row that names another key; a cut row. */
	assert_int_equal(snoop_hist_parse("hello\n", &t, 1), 0);
	assert_int_equal(snoop_hist_parse("# trigger info: hist:keys=a:vals=hitcount\n{ b: 1 } hitcount: 2\n", &t, 1), -1);
	assert_int_equal(snoop_hist_parse("# trigger info: hist:keys=a:vals=hitcount\n{ a: 1\n", &t, 1), -1);
	assert_int_equal(snoop_hist_key_log2("~ 2^", &e), -1);
	assert_int_equal(snoop_hist_key_log2("~ 2^65", &e), -1);
	assert_int_equal(snoop_hist_key_log2("12", &e), -1);
	assert_int_equal(snoop_hist_key_u64("12x", &v), -1);
	assert_int_equal(snoop_hist_key_bucket("~ 2^3", &v), -1);
}

/* The user-space paths' buckets are the kernel's .log2: (2^(e-1), 2^e]. */
static void test_log2_bucket(void **state)
{
	(void)state;
	assert_int_equal(snoop_log2_bucket(0), 0);
	assert_int_equal(snoop_log2_bucket(1), 0);
	assert_int_equal(snoop_log2_bucket(2), 1);
	assert_int_equal(snoop_log2_bucket(3), 2);
	assert_int_equal(snoop_log2_bucket(4), 2);
	assert_int_equal(snoop_log2_bucket(5), 3);
	assert_int_equal(snoop_log2_bucket(65536), 16);
	assert_int_equal(snoop_log2_bucket(65537), 17);
	assert_int_equal(snoop_log2_bucket(UINT64_MAX), 64);
}

/* kprobe_profile and uprobe_profile as 6.12 prints them: a name found once,
 * twice (a clash is seen, not summed), not at all, as a prefix of another
 * name only, after a uprobe's file, or followed by what is not its count. */
static void test_hitcount(void **state)
{
	static const char kprofile[] = "  getppid_1f2e3d4c_81                                 1000            2\n"
				       "  getppid_1f2e3d4c_812                                  7            0\n"
				       "  vfs_read                                             12            0\n"
				       "  vfs_read                                             30            0\n";
	static const char uprofile[] = "  /usr/bin/target greet_1f2e3d4c_81                           5\n"
				       "  /tmp/a greet_1f2e3d4c_81 dir/prog greet_9_9                 42\n"
				       "  /usr/lib/libc.so.6 malloc_1f2e3d4c_81              123456789\n";
	static const struct {
		const char *text, *event;
		int found;
		uint64_t hits, missed;
	} cases[] = {
		{ kprofile, "getppid_1f2e3d4c_81", 1, 1000, 2 },
		{ kprofile, "getppid_1f2e3d4c_812", 1, 7, 0 },
		{ kprofile, "vfs_read", 2, 12, 0 },
		{ kprofile, "getppid", 0, 0, 0 },
		{ "  x  12z 0\n", "x", 0, 0, 0 },
		{ "  x  1 2 3\n", "x", 0, 0, 0 },
		{ "", "x", 0, 0, 0 },
		{ uprofile, "greet_1f2e3d4c_81", 1, 5, 0 },
		{ uprofile, "greet_9_9", 1, 42, 0 },
		{ uprofile, "malloc_1f2e3d4c_81", 1, 123456789, 0 },
		{ uprofile, "/usr/bin/target", 0, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t h = 0, m = 99;

		assert_int_equal(snoop_hitcount_find(cases[i].text, cases[i].event, &h, &m), cases[i].found);
		if (cases[i].found) {
			assert_int_equal(h, cases[i].hits);
			assert_int_equal(m, cases[i].missed);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_stack_rows),
		cmocka_unit_test(test_numbers_and_refusals),
		cmocka_unit_test(test_log2_bucket),
		cmocka_unit_test(test_hitcount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
