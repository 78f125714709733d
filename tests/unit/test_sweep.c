// SPDX-License-Identifier: GPL-2.0-or-later
/* Leftover-name parsing: what the sweep may and may not touch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <snoop/sweep.h>
#include <snoop/tracefs.h>

static void test_instance_names(void **state)
{
	char tool[32], sid[SNOOP_SID_MAX];

	(void)state;
	assert_int_equal(snoop_parse_instance_name("snoop_execsnoop_0a1b2c3d_123", tool, sizeof(tool), sid), 0);
	assert_string_equal(tool, "execsnoop");
	assert_string_equal(sid, "0a1b2c3d_123");
	assert_int_equal(snoop_parse_instance_name("snoop_my-tool_ffffffff_2147483647", tool, sizeof(tool), sid), 0);
	assert_string_equal(tool, "my-tool");
	assert_string_equal(sid, "ffffffff_2147483647");

	/* Not ours: the old grammar (no token), a tool word with digits or
	 * capitals, a short or non-hex token, PID 0, leading zeros, overflow,
	 * anything after the PID. */
	const char *bad[] = {
		"snoop_execsnoop_123", "snoop_mytool_99999999", "snoop_execsnoop_0a1b2c3d_", "snoop_execsnoop_0a1b2c3_1",
		"snoop_execsnoop_0a1b2c3g_1", "snoop_execsnoop_0A1B2C3D_1", "snoop_exec2_0a1b2c3d_1",
		"snoop_Exec_0a1b2c3d_1", "snoop__0a1b2c3d_1", "snoop_0a1b2c3d_1", "snoop_x_0a1b2c3d_0",
		"snoop_x_0a1b2c3d_012", "snoop_x_0a1b2c3d_2147483648", "snoop_x_0a1b2c3d_12a", "snoop_x_0a1b2c3d_1_x",
		"snoopy_x_0a1b2c3d_1", "trace-cmd", "", "snoop_", "snoop_a b_0a1b2c3d_1", "not_snoop_x_0a1b2c3d_1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(snoop_parse_instance_name(bad[i], tool, sizeof(tool), sid), -1);
	/* A tool word too long for the caller's buffer. */
	assert_int_equal(snoop_parse_instance_name("snoop_averyveryverylongtoolname_0a1b2c3d_1", tool, 8, sid), -1);
}

static void test_group_names(void **state)
{
	char sid[SNOOP_SID_MAX];
	const char *suffix;

	(void)state;
	assert_int_equal(snoop_parse_group_name("snoop_0a1b2c3d_4242", sid), 0);
	assert_string_equal(sid, "0a1b2c3d_4242");
	assert_int_equal(snoop_parse_group_name("snoop_4242", sid), -1);
	assert_int_equal(snoop_parse_group_name("snoop_0a1b2c3d_", sid), -1);
	assert_int_equal(snoop_parse_group_name("snoop_0a1b2c3d_42x", sid), -1);
	assert_int_equal(snoop_parse_group_name("kprobes", sid), -1);
	assert_int_equal(snoop_parse_group_name("snoop_execsnoop_0a1b2c3d_1", sid), -1);
	assert_int_equal(snoop_parse_group_name("snoop_0a1b2c3d_1_lat", sid), -1);

	/* Synthetic events: <group>_<suffix>. */
	assert_int_equal(snoop_parse_synth_name("snoop_0a1b2c3d_42_restore_func_stack_trace", sid, &suffix), 0);
	assert_string_equal(sid, "0a1b2c3d_42");
	assert_string_equal(suffix, "restore_func_stack_trace");
	assert_int_equal(snoop_parse_synth_name("snoop_0a1b2c3d_42", sid, &suffix), -1);
	assert_int_equal(snoop_parse_synth_name("snoop_0a1b2c3d_42_", sid, &suffix), -1);
	assert_int_equal(snoop_parse_synth_name("snoop_0a1b2c3d_42x_lat", sid, &suffix), -1);
	assert_int_equal(snoop_parse_synth_name("snoop_42_lat", sid, &suffix), -1);
	assert_int_equal(snoop_parse_synth_name("wakeup_latency", sid, &suffix), -1);
	assert_int_equal(snoop_parse_synth_name("snoop_0a1b2c3d_42_a-b", sid, &suffix), -1);
}

static void test_dynevent_lines(void **state)
{
	char g[64], e[64];

	(void)state;
	assert_int_equal(snoop_parse_dynevent_line("p:snoop_0a1b2c3d_12/execve_0 __x64_sys_execve a=+0(%di):ustring",
						   g, sizeof(g), e, sizeof(e)), 0);
	assert_string_equal(g, "snoop_0a1b2c3d_12");
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

static void put(const char *root, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *root, const char *name)
{
	char p[512];
	char *s;

	snprintf(p, sizeof(p), "%s/%s", root, name);
	s = snoop_read_file(p, NULL);
	assert_non_null(s);
	return s;
}

static bool is_dir(const char *root, const char *name)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, name);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The sweep's decisions on a fake tree: an empty directory is an instance
 * that rmdir takes (dead); one with a file in it stands for an instance
 * the kernel refuses to remove (ENOTEMPTY here, EBUSY in tracefs). Removals
 * of events show as what the sweep appends to the events files (with no
 * newline: a regular file keeps them all).
 */
static void test_sweep_fake_tree(void **state)
{
	char root[] = "/tmp/snoop-test-sweep.XXXXXX", cmd[600];
	struct snoop_sweep_report rep;
	char *dyn, *syn, *opt;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/instances/snoop_execsnoop_0000000a_10 "
		 "%s/instances/snoop_tool_0000000b_11 %s/instances/snoop_opensnoop_12 %s/instances/trace-cmd %s/options",
		 root, root, root, root, root);
	assert_int_equal(system(cmd), 0);
	put(root, "instances/snoop_tool_0000000b_11/held", "");
	put(root, "options/func_stack_trace", "1\n");
	put(root, "options/other", "1\n");
	put(root, "dynamic_events",
	    "p:snoop_0000000a_10/exec __x64_sys_execve\n"   /* its instance goes: removed */
	    "p:snoop_0000000b_11/open do_sys_openat2\n"     /* instance held: kept */
	    "p:snoop_0000000c_13/x vfs_read\n"              /* no instance: removed */
	    "p:snoop_13/old vfs_read\n"                     /* old grammar: kept */
	    "p:kprobes/foreign vfs_read\n");
	put(root, "synthetic_events",
	    "snoop_0000000c_13_restore_func_stack_trace u64 unused\n"
	    "snoop_0000000b_11_restore_other u64 unused\n"
	    "wakeup_lat u64 lat\n");

	snoop_sweep(root, SNOOP_SWEEP_DEAD, NULL, false, &rep);
	assert_false(is_dir(root, "instances/snoop_execsnoop_0000000a_10"));
	assert_true(is_dir(root, "instances/snoop_tool_0000000b_11"));
	assert_true(is_dir(root, "instances/snoop_opensnoop_12"));
	assert_true(is_dir(root, "instances/trace-cmd"));
	assert_int_equal(rep.instances_removed, 1);

	dyn = get(root, "dynamic_events");
	assert_non_null(strstr(dyn, "-:snoop_0000000a_10/exec"));
	assert_non_null(strstr(dyn, "-:snoop_0000000c_13/x"));
	assert_null(strstr(dyn, "-:snoop_0000000b_11"));
	assert_null(strstr(dyn, "-:snoop_13"));
	assert_null(strstr(dyn, "-:kprobes"));
	syn = get(root, "synthetic_events");
	assert_non_null(strstr(syn, "!snoop_0000000c_13_restore_func_stack_trace"));
	assert_null(strstr(syn, "!snoop_0000000b_11"));
	assert_null(strstr(syn, "!wakeup_lat"));
	opt = get(root, "options/func_stack_trace");
	assert_int_equal(opt[0], '0'); /* the dead session's note */
	free(opt);
	opt = get(root, "options/other");
	assert_int_equal(opt[0], '1'); /* a held session's: untouched */
	free(opt);
	free(dyn);
	free(syn);

	/* except: the caller's own session is never touched. */
	snprintf(cmd, sizeof(cmd), "mkdir %s/instances/snoop_me_0000000d_14", root);
	assert_int_equal(system(cmd), 0);
	snoop_sweep(root, SNOOP_SWEEP_DEAD, "0000000d_14", false, &rep);
	assert_true(is_dir(root, "instances/snoop_me_0000000d_14"));

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

/* Two sessions noted the same option: the dead one's sweep leaves it on
 * for the live one (held instance), whose own end turns it off. */
static void test_restore_shared(void **state)
{
	char root[] = "/tmp/snoop-test-sweep.XXXXXX", cmd[600];
	struct snoop_sweep_report rep = { 0 };
	char *opt;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/instances/snoop_functrace_0000000b_11 %s/options", root, root);
	assert_int_equal(system(cmd), 0);
	put(root, "instances/snoop_functrace_0000000b_11/held", "");
	put(root, "options/func_stack_trace", "1\n");
	put(root, "dynamic_events", "");
	put(root, "synthetic_events",
	    "snoop_0000000e_15_restore_func_stack_trace u64 unused\n"
	    "snoop_0000000b_11_restore_func_stack_trace u64 unused\n");
	assert_true(snoop_option_recorded(root, "func_stack_trace", "0000000e_15"));
	assert_true(snoop_option_recorded(root, "func_stack_trace", NULL));
	assert_false(snoop_option_recorded(root, "other", NULL));

	snoop_sweep(root, SNOOP_SWEEP_DEAD, NULL, false, &rep);
	opt = get(root, "options/func_stack_trace");
	assert_int_equal(opt[0], '1'); /* the live session still needs it */
	free(opt);
	assert_int_equal(rep.options_restored, 0);

	/* The live one's own end (its records as the kernel would list them
	 * once the dead one's is gone): off. */
	put(root, "synthetic_events", "snoop_0000000b_11_restore_func_stack_trace u64 unused\n");
	snprintf(cmd, sizeof(cmd), "rm %s/instances/snoop_functrace_0000000b_11/held", root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(snoop_sweep_session(root, NULL, "0000000b_11", true, false, &rep), 0);
	opt = get(root, "options/func_stack_trace");
	assert_int_equal(opt[0], '0');
	free(opt);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instance_names),
		cmocka_unit_test(test_group_names),
		cmocka_unit_test(test_dynevent_lines),
		cmocka_unit_test(test_sweep_fake_tree),
		cmocka_unit_test(test_restore_shared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
