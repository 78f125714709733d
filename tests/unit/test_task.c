// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of lib/task.c: the task cache follows fork, exec and rename as the
 * kernel's records tell them, and falls back to the kernel's saved tables,
 * then to /proc, each value saying where it came from. /proc and tracefs
 * are fake trees in a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <snoop/task.h>

static char root[64];
static char proc[128], tracing[128];

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void fake_proc_task(int tid, int tgid, const char *comm)
{
	char dir[256], status[128];

	snprintf(dir, sizeof(dir), "%s/%d", proc, tid);
	mkdir(dir, 0755);
	snprintf(status, sizeof(status), "Name:\t%s\nUmask:\t0022\nState:\tS\nTgid:\t%d\nPid:\t%d\n%s", comm, tgid,
		 tid, tid == 301 ? "PPid:\t77\n" : "");
	put(dir, "status", status);
	snprintf(status, sizeof(status), "%s\n", comm);
	put(dir, "comm", status);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/snoop-test-task.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(tracing, sizeof(tracing), "%s/tracing", root);
	mkdir(proc, 0755);
	mkdir(tracing, 0755);
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_task_events(void **state)
{
	struct snoop_tasks *t = snoop_tasks_new(64, NULL, NULL);
	struct snoop_task k;

	(void)state;
	/* A process 100 named bash (an event said so) forks 200, which
	 * exec's /usr/bin/sh, then creates thread 201, renamed "worker". */
	snoop_tasks_note(t, 100, 100, "bash", 16);
	snoop_tasks_fork(t, 100, 200, false, "bash", 16);
	assert_true(snoop_tasks_get(t, 200, &k));
	assert_int_equal(k.tgid, 200);
	assert_string_equal(k.comm, "bash");
	assert_int_equal(k.ppid, 100);
	assert_int_equal(k.ppid_src, SNOOP_TASK_EVENT);
	snoop_tasks_exec(t, 200, 200, "/usr/bin/sh", 11);
	snoop_tasks_fork(t, 200, 201, true, "sh", 16);
	snoop_tasks_rename(t, 201, "worker\0garbage", 16);
	assert_true(snoop_tasks_get(t, 200, &k));
	assert_string_equal(k.comm, "sh");
	assert_int_equal(k.comm_src, SNOOP_TASK_EVENT);
	assert_true(snoop_tasks_get(t, 201, &k));
	assert_int_equal(k.tgid, 200);
	assert_int_equal(k.tgid_src, SNOOP_TASK_EVENT);
	assert_string_equal(k.comm, "worker");
	assert_int_equal(k.ppid, 100); /* a thread's parent is its process's */
	/* The exec kept 200's parent. */
	assert_true(snoop_tasks_get(t, 200, &k));
	assert_int_equal(k.ppid, 100);
	/* The thread 201 exec's: it takes the leader's TID 200. */
	snoop_tasks_exec(t, 200, 201, "a-very-long-program-name", 24);
	assert_true(snoop_tasks_get(t, 200, &k));
	assert_string_equal(k.comm, "a-very-long-pro"); /* TASK_COMM_LEN - 1 */
	assert_false(snoop_tasks_get(t, 201, &k));
	assert_int_equal(k.comm_src, SNOOP_TASK_UNKNOWN);
	assert_int_equal(k.tgid, 0);
	/* fexecve: the event's /dev/fd/4 says nothing of the new comm ("4"
	 * before 6.14, the file's name since): unknown, not "4". */
	snoop_tasks_exec(t, 200, 200, "/dev/fd/4", 9);
	assert_false(snoop_tasks_get(t, 200, &k));
	assert_int_equal(k.tgid, 200);
	assert_int_equal(k.comm_src, SNOOP_TASK_UNKNOWN);
	/* A thread of a process the cache never saw: the comm is known,
	 * its process is not (no fallback here). */
	snoop_tasks_fork(t, 900, 901, true, "t", 1);
	assert_false(snoop_tasks_get(t, 901, &k));
	assert_string_equal(k.comm, "t");
	assert_int_equal(k.tgid_src, SNOOP_TASK_UNKNOWN);
	/* 64 slots: TID 264 takes 200's place; 200 is forgotten, not mixed up. */
	snoop_tasks_note(t, 264, 264, "other", 5);
	assert_false(snoop_tasks_get(t, 200, &k));
	assert_int_equal(k.tid, 200);
	assert_string_equal(k.comm, "");
	snoop_tasks_free(t);
}

static void test_task_fallbacks(void **state)
{
	struct snoop_tasks *t = snoop_tasks_new(64, proc, tracing);
	struct snoop_tasks_stats st;
	struct snoop_task k;

	(void)state;
	put(tracing, "saved_cmdlines", "300 saved-one\n301 <...>\n3000 other\n");
	put(tracing, "saved_tgids", "300 299\n");
	fake_proc_task(300, 1, "proc-one");
	fake_proc_task(301, 301, "from-proc");
	/* saved_cmdlines and saved_tgids: the kernel's record wins over /proc. */
	assert_true(snoop_tasks_get(t, 300, &k));
	assert_string_equal(k.comm, "saved-one");
	assert_int_equal(k.comm_src, SNOOP_TASK_SAVED);
	assert_int_equal(k.tgid, 299);
	assert_int_equal(k.tgid_src, SNOOP_TASK_SAVED);
	/* The parent is not in the saved tables: /proc for it. */
	assert_false(snoop_tasks_get_ppid(t, 300, &k)); /* its fake status has no PPid: line */
	assert_int_equal(k.ppid_src, SNOOP_TASK_UNKNOWN);
	assert_int_equal(k.comm_src, SNOOP_TASK_SAVED);
	/* "<...>" means the kernel has no name: /proc then (marked). */
	assert_true(snoop_tasks_get(t, 301, &k));
	assert_string_equal(k.comm, "from-proc");
	assert_int_equal(k.comm_src, SNOOP_TASK_PROC);
	assert_int_equal(k.tgid_src, SNOOP_TASK_PROC);
	assert_int_equal(k.ppid, 77);
	assert_int_equal(k.ppid_src, SNOOP_TASK_PROC);
	/* A prefix of another PID ("3000") is not 300's... and a task that
	 * is gone everywhere is unknown. */
	assert_false(snoop_tasks_get(t, 30, &k));
	assert_int_equal(k.comm_src, SNOOP_TASK_UNKNOWN);
	/* Cached: a later change of /proc is not read again for 301. */
	fake_proc_task(301, 301, "renamed");
	assert_true(snoop_tasks_get(t, 301, &k));
	assert_string_equal(k.comm, "from-proc");
	/* An event overrides what a fallback said. */
	snoop_tasks_rename(t, 301, "by-event", 8);
	assert_true(snoop_tasks_get(t, 301, &k));
	assert_string_equal(k.comm, "by-event");
	assert_int_equal(k.comm_src, SNOOP_TASK_EVENT);
	/* The saved table is read again when it misses (a new task). */
	put(tracing, "saved_cmdlines", "302 newer\n");
	assert_false(snoop_tasks_get(t, 302, &k));
	assert_string_equal(k.comm, "newer");
	snoop_tasks_get_stats(t, &st);
	assert_int_equal(st.from_saved, 3); /* 300 twice (get, get_ppid), 302 */
	assert_int_equal(st.from_proc, 2);
	assert_int_equal(st.from_event, 1);
	assert_int_equal(st.unknown, 1);
	assert_string_equal(snoop_task_src_name(SNOOP_TASK_PROC), "proc");
	assert_null(snoop_task_src_name(SNOOP_TASK_UNKNOWN));
	snoop_tasks_free(t);
}

/* The real UID from /proc: this process's, a zombie's (still in /proc),
 * none for a reaped child or an impossible PID. */
static void test_proc_uid(void **state)
{
	pid_t c;
	int st;

	(void)state;
	assert_int_equal(snoop_proc_uid(getpid()), (long)getuid());
	c = fork();
	assert_true(c >= 0);
	if (c == 0)
		_exit(0);
	/* a zombie until waited for: its status is still there */
	for (int i = 0; i < 500; i++) {
		char path[64], line[256];
		FILE *f;
		bool zombie = false;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)c);
		f = fopen(path, "r");
		if (f) {
			zombie = fgets(line, sizeof(line), f) && strstr(line, ") Z ");
			fclose(f);
		}
		if (zombie)
			break;
		usleep(2000);
	}
	assert_int_equal(snoop_proc_uid(c), (long)getuid());
	assert_int_equal(waitpid(c, &st, 0), c);
	assert_int_equal(snoop_proc_uid(c), -1);
	assert_int_equal(snoop_proc_uid(0), -1);
	assert_int_equal(snoop_proc_uid(-1), -1);
}

static void fake_uid(int tid, int uid)
{
	char dir[256], status[160];

	snprintf(dir, sizeof(dir), "%s/%d", proc, tid);
	mkdir(dir, 0755);
	snprintf(status, sizeof(status), "Name:\tx\nTgid:\t%d\nPid:\t%d\nUid:\t%d\t%d\t%d\t%d\n", tid, tid, uid,
		 uid, uid, uid);
	put(dir, "status", status);
}

static uint64_t uid_reads(struct snoop_tasks *t)
{
	struct snoop_tasks_stats st;

	snoop_tasks_get_stats(t, &st);
	return st.uid_proc_reads;
}

/* The UID cache: a fork copies the creator's, an exec keeps it, a
 * set*uid() forgets it, a loss forgets all; /proc says what is forgotten. */
static void test_uid_cache(void **state)
{
	struct snoop_tasks *t = snoop_tasks_new(64, proc, NULL);
	struct snoop_tasks *plain = snoop_tasks_new(64, proc, NULL);

	(void)state;
	assert_non_null(t);
	assert_non_null(plain);
	snoop_tasks_follow_uid(t);
	fake_uid(500, 1000);
	/* A child of 500: 500 read once, the child not at all. */
	snoop_tasks_fork(t, 500, 501, false, "a", 1);
	assert_int_equal(uid_reads(t), 1);
	fake_uid(501, 7); /* what /proc would say now: not asked */
	assert_int_equal(snoop_tasks_get_uid(t, 501, 0), 1000);
	snoop_tasks_fork(t, 500, 502, false, "b", 1);
	snoop_tasks_fork(t, 502, 503, true, "c", 1);
	snoop_tasks_exec(t, 503, 503, "/bin/true", 9);
	assert_int_equal(snoop_tasks_get_uid(t, 503, 502), 1000);
	assert_int_equal(uid_reads(t), 1);
	/* A thread that execs takes the leader's TID and keeps its own UID:
	 * here one it changed alone (a raw setresuid), so /proc says. */
	fake_uid(502, 1000);
	snoop_tasks_setuid(t, 503);
	snoop_tasks_exec(t, 502, 503, "/bin/sh", 7);
	fake_uid(502, 42);
	assert_int_equal(snoop_tasks_get_uid(t, 502, 0), 42);
	assert_int_equal(uid_reads(t), 2);
	/* set*uid(): the task's own /proc again, and its later children get it. */
	snoop_tasks_setuid(t, 500);
	fake_uid(500, 65534);
	assert_int_equal(snoop_tasks_get_uid(t, 500, 0), 65534);
	snoop_tasks_fork(t, 500, 504, false, "d", 1);
	assert_int_equal(snoop_tasks_get_uid(t, 504, 0), 65534);
	assert_int_equal(snoop_tasks_get_uid(t, 501, 0), 1000); /* forked before: kept */
	assert_int_equal(uid_reads(t), 3);
	/* A loss: everything read again. */
	snoop_tasks_lost(t);
	assert_int_equal(snoop_tasks_get_uid(t, 501, 0), 7);
	assert_int_equal(uid_reads(t), 4);
	/* Unknown: no /proc entry, and the thread's process asked instead. */
	assert_int_equal(snoop_tasks_get_uid(t, 599, 0), -1);
	assert_int_equal(snoop_tasks_get_uid(t, 599, 500), 65534);
	/* Not following: /proc at every call. */
	assert_int_equal(snoop_tasks_get_uid(plain, 500, 0), 65534);
	assert_int_equal(snoop_tasks_get_uid(plain, 500, 0), 65534);
	assert_int_equal(uid_reads(plain), 2);
	snoop_tasks_free(t);
	snoop_tasks_free(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_events),
		cmocka_unit_test(test_task_fallbacks),
		cmocka_unit_test(test_proc_uid),
		cmocka_unit_test(test_uid_cache),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
