// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of lib/signame.c and lib/columns.c: signal names (checked against
 * the C library's own abbreviations, not a copy of our table), and the
 * common columns in text and JSON, unknown values included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <snoop/columns.h>

static void test_signal_names(void **state)
{
	char buf[SNOOP_SIGNAME_MAX], want[32];

	(void)state;
	/* Classic signals: glibc's sigabbrev_np() is the oracle. */
	for (int sig = 1; sig < 32; sig++) {
		const char *abbr = sigabbrev_np(sig);

		if (!abbr)
			continue;
		/* 29 has two names; glibc says POLL, strace and kill -l say IO. */
		snprintf(want, sizeof(want), "SIG%s", sig == SIGIO ? "IO" : abbr);
		assert_string_equal(snoop_signal_name(sig, buf), want);
	}
	assert_string_equal(snoop_signal_name(0, buf), "0");
	/* Real-time: counted from the kernel's 32. glibc's SIGRTMIN (34, its
	 * own two taken) is SIGRTMIN+2 to the kernel, as strace's SIGRT_2. */
	assert_string_equal(snoop_signal_name(32, buf), "SIGRTMIN");
	assert_string_equal(snoop_signal_name(SIGRTMIN, buf), "SIGRTMIN+2");
	assert_string_equal(snoop_signal_name(35, buf), "SIGRTMIN+3");
	assert_string_equal(snoop_signal_name(63, buf), "SIGRTMIN+31");
	assert_string_equal(snoop_signal_name(SIGRTMAX, buf), "SIGRTMAX");
	assert_null(snoop_signal_name(65, buf));
	assert_null(snoop_signal_name(-1, buf));
	assert_null(snoop_signal_name(99, buf));
	assert_string_equal(snoop_signal_label(99, buf), "99");
	assert_string_equal(snoop_signal_label(SNOOP_SIG_UNKNOWN, buf), "?");
	assert_string_equal(snoop_signal_label(9, buf), "SIGKILL");
}

static char *text(struct snoop_buf *b)
{
	return (char *)snoop_buf_cstr(b);
}

static void test_text_columns(void **state)
{
	struct snoop_task t = { .tid = 42, .tgid = 40, .tgid_src = SNOOP_TASK_EVENT, .comm_src = SNOOP_TASK_EVENT };
	struct snoop_buf b;

	(void)state;
	snoop_buf_init(&b);
	snoop_col_pid(&b, 40, 7);
	snoop_col_pid(&b, 0, 7);
	snoop_col_pid(&b, -5, 0);
	assert_string_equal(text(&b), "40      ?       ? ");

	snoop_buf_reset(&b);
	memcpy(t.comm, "\x1b[2Jx\xff\n", 8);
	snoop_col_comm(&b, &t, 16);
	/* Escaped, padded by the shown width. */
	assert_string_equal(text(&b), "\\x1b[2Jx\\xff\\n   "); /* 14 shown + 2 + 1 */
	snoop_buf_reset(&b);
	strcpy(t.comm, "bash");
	t.comm_src = SNOOP_TASK_PROC;
	snoop_col_comm(&b, &t, 0);
	t.comm_src = SNOOP_TASK_SAVED;
	snoop_col_comm(&b, &t, 0);
	t.comm_src = SNOOP_TASK_UNKNOWN;
	snoop_col_comm(&b, &t, 0);
	assert_string_equal(text(&b), "bash* bash ? ");

	snoop_buf_reset(&b);
	snoop_col_ret(&b, 0, 0);
	snoop_col_ret(&b, 5, 0);
	snoop_col_ret(&b, -3, 6);
	snoop_col_ret(&b, -4000, 0);
	snoop_col_ret(&b, SNOOP_RET_UNKNOWN, 0);
	snoop_col_signal(&b, 15, 0);
	snoop_col_signal(&b, 99, 0);
	snoop_col_signal(&b, SNOOP_SIG_UNKNOWN, 0);
	snoop_col_str(&b, "kill", 6);
	snoop_col_end(&b);
	assert_string_equal(text(&b), "0 5 ESRCH  E4000 ? SIGTERM 99 ? kill  \n");
	snoop_buf_free(&b);
}

static void test_json_columns(void **state)
{
	struct snoop_task t = { .tid = 42, .tgid = 40, .tgid_src = SNOOP_TASK_SAVED, .comm_src = SNOOP_TASK_EVENT };
	struct snoop_json j;
	struct snoop_buf b;

	(void)state;
	strcpy(t.comm, "a\"b");
	snoop_buf_init(&b);
	snoop_json_begin(&j, &b);
	snoop_json_task(&j, &t);
	snoop_json_signal(&j, 34);
	snoop_json_ret(&j, -1);
	snoop_json_end(&j);
	assert_string_equal(text(&b), "{\"pid\":40,\"pid_source\":\"saved\",\"tid\":42,\"comm\":\"a\\\"b\","
				      "\"comm_source\":\"event\",\"signal\":\"SIGRTMIN+2\",\"signum\":34,"
				      "\"ret\":-1,\"errno\":\"EPERM\"}\n");
	snoop_buf_reset(&b);
	t.tgid_src = t.comm_src = SNOOP_TASK_UNKNOWN;
	snoop_json_begin(&j, &b);
	snoop_json_task(&j, &t);
	snoop_json_signal(&j, SNOOP_SIG_UNKNOWN);
	snoop_json_ret(&j, SNOOP_RET_UNKNOWN);
	snoop_json_pid(&j, "ppid", 0);
	snoop_json_end(&j);
	assert_string_equal(text(&b), "{\"pid\":null,\"pid_source\":null,\"tid\":42,\"comm\":null,\"comm_source\":null,"
				      "\"signal\":null,\"signum\":null,\"ret\":null,\"errno\":null,\"ppid\":null}\n");
	snoop_buf_reset(&b);
	snoop_json_begin(&j, &b);
	snoop_json_ret(&j, 3);
	snoop_json_signal(&j, 0);
	snoop_json_end(&j);
	assert_string_equal(text(&b), "{\"ret\":3,\"errno\":null,\"signal\":\"0\",\"signum\":0}\n");
	snoop_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_names),
		cmocka_unit_test(test_text_columns),
		cmocka_unit_test(test_json_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
