// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of lib/cgroup.c: --cgroup paths resolved against hybrid and v1
 * layouts (fake mountinfo over real directories in a temporary tree), the
 * short names of container scopes, and the TID -> cgroup cache: the start
 * scan, fork inheritance, CLONE_INTO_CGROUP (not inherited: /proc, marked),
 * moves of a whole process, and "unknown" for a task nothing tells about.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <snoop/cgroup.h>

static char root[64];
static char mountinfo[2048];
static const char self_cgroup[] = "4:memory:/\n9:name=systemd:/\n2:cpu,cpuacct:/\n0::/\n";

static void mk(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static uint64_t ino(const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_ino;
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_cgroup.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	/* A hybrid host: v1 hierarchies, v2 at unified; /proc too. */
	mk("unified");
	mk("unified/system.slice");
	mk("unified/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope");
	mk("unified/a");
	mk("unified/a/b");
	mk("unified/ab");
	mk("memory");
	mk("memory/docker");
	mk("memory/only-v1");
	mk("cpu,cpuacct");
	put("unified/cgroup.threads", "1\n2\n");
	put("unified/a/cgroup.threads", "100\n101\n");
	put("unified/a/b/cgroup.threads", "200\n");
	put("unified/ab/cgroup.threads", "300\n");
	mk("proc");
	mk("proc/400");
	put("proc/400/cgroup", "4:memory:/\n0::/ab\n");
	mk("proc/500");
	put("proc/500/status", "Name:\tx\nTgid:\t500\n");
	mk("proc/500/task");
	mk("proc/500/task/500");
	mk("proc/500/task/501");
	snprintf(mountinfo, sizeof(mountinfo),
		 "25 1 0:22 / /sys rw - sysfs sysfs rw\n"
		 "30 25 0:26 / %s/memory rw,relatime - cgroup cgroup rw,memory\n"
		 "31 25 0:27 / %s/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
		 "32 25 0:28 / %s/unified rw,relatime - cgroup2 cgroup2 rw\n",
		 root, root, root);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_resolve(void **state)
{
	struct snoop_cgroup_hier h;
	char rel[512], err[256], path[512];
	uint64_t id;

	(void)state;
	/* Relative: v2 first. */
	assert_int_equal(snoop_cgroup_resolve(mountinfo, self_cgroup, "a/b", &h, rel, sizeof(rel), &id, err, sizeof(err)), 0);
	assert_true(h.v2);
	assert_int_equal(h.id, 0);
	assert_string_equal(rel, "/a/b");
	assert_int_equal(id, ino("unified/a/b"));
	/* A leading '/' that is no mount: relative to the cgroup root. */
	assert_int_equal(snoop_cgroup_resolve(mountinfo, self_cgroup, "/a/", &h, rel, sizeof(rel), &id, err, sizeof(err)), 0);
	assert_string_equal(rel, "/a");
	/* Only in a v1 hierarchy: found there, with its hierarchy ID. */
	assert_int_equal(snoop_cgroup_resolve(mountinfo, self_cgroup, "only-v1", &h, rel, sizeof(rel), &id, err, sizeof(err)), 0);
	assert_false(h.v2);
	assert_int_equal(h.id, 4);
	assert_string_equal(h.name, "memory");
	/* In full: the mount that holds it. */
	snprintf(path, sizeof(path), "%s/memory/docker", root);
	assert_int_equal(snoop_cgroup_resolve(mountinfo, self_cgroup, path, &h, rel, sizeof(rel), &id, err, sizeof(err)), 0);
	assert_int_equal(h.id, 4);
	assert_string_equal(rel, "/docker");
	snprintf(path, sizeof(path), "%s/cpu,cpuacct", root);
	assert_int_equal(snoop_cgroup_resolve(mountinfo, self_cgroup, path, &h, rel, sizeof(rel), &id, err, sizeof(err)), 0);
	assert_int_equal(h.id, 2);
	assert_string_equal(rel, "/");
	/* Refused: no such cgroup, "..", empty. */
	assert_int_equal(snoop_cgroup_resolve(mountinfo, self_cgroup, "nope", &h, rel, sizeof(rel), &id, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no such cgroup"));
	assert_int_equal(snoop_cgroup_resolve(mountinfo, self_cgroup, "a/../a", &h, rel, sizeof(rel), &id, err, sizeof(err)), -1);
	assert_int_equal(snoop_cgroup_resolve(mountinfo, self_cgroup, "", &h, rel, sizeof(rel), &id, err, sizeof(err)), -1);
	assert_int_equal(snoop_cgroup_resolve("", self_cgroup, "a", &h, rel, sizeof(rel), &id, err, sizeof(err)), -1);
	/* -C's default: v2 when mounted. */
	assert_int_equal(snoop_cgroup_default(mountinfo, self_cgroup, &h), 0);
	assert_true(h.v2);
}

static void test_short(void **state)
{
	static const char *const cases[][2] = {
		{ "/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
		  "docker-0123456789ab" },
		{ "/docker/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", "docker-fedcba987654" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b3c4d_5e6f.slice/"
		  "cri-containerd-00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff.scope",
		  "kubepods-burstable/pod1a2b3c4d/cri-containerd-001122334455" },
		{ "/kubepods/besteffort/pod0f0f0f0f-1111-2222-3333-444444444444/"
		  "aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899",
		  "kubepods-besteffort/pod0f0f0f0f/aabbccddeeff" },
		{ "/kubepods.slice/kubepods-pod12345678_aaaa.slice", "kubepods/pod12345678" },
		{ "/machine.slice/libpod-abcdefabcdef0011.scope", "libpod-abcdefabcdef" },
		{ "/user.slice/user-1000.slice/session-2.scope", "/user.slice/user-1000.slice/session-2.scope" },
		{ "/docker-notreallyhex.scope", "/docker-notreallyhex.scope" },
		{ "/", "/" },
	};
	char out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snoop_cgroup_short(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	snoop_cgroup_short(cases[0][0], out, 8); /* cut, NUL-terminated */
	assert_int_equal(strlen(out), 7);
}

static void test_cache(void **state)
{
	struct snoop_cgroup_hier h = { .v2 = true, .id = 0, .root = "/" };
	struct snoop_cgroups *c;
	struct snoop_task t = { 0 };
	char proc[128];

	(void)state;
	snprintf(h.mnt, sizeof(h.mnt), "%s/unified", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	c = snoop_cgroups_new(&h, proc);
	assert_non_null(c);
	assert_int_equal(snoop_cgroups_add_target(c, "/a", ino("unified/a")), 0);
	assert_int_equal(snoop_cgroups_scan(c), 0);

	/* The scan: /a and /a/b are in, /ab (a prefix, not a child) and / are not. */
	assert_int_equal(snoop_cgroups_match(c, 100), 1);
	assert_int_equal(snoop_cgroups_match(c, 200), 1);
	assert_int_equal(snoop_cgroups_match(c, 300), 0);
	assert_int_equal(snoop_cgroups_match(c, 1), 0);
	/* PID 0 (the idle task) is in the root: not a table entry of its own. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(snoop_cgroups_match(c, 0), 0);
	t.tid = 0;
	assert_true(snoop_cgroups_get(c, &t));
	assert_string_equal(t.cgroup, "/");
	t.tid = 200;
	assert_true(snoop_cgroups_get(c, &t));
	assert_string_equal(t.cgroup, "/a/b");
	assert_int_equal(t.cgroup_src, SNOOP_TASK_START);
	assert_int_equal(t.cgroup_id, ino("unified/a/b"));

	/* Fork: inherited, from the event. CLONE_INTO_CGROUP: not. */
	snoop_cgroups_fork(c, 100, 110, 0x11);
	t.tid = 110;
	assert_true(snoop_cgroups_get(c, &t));
	assert_string_equal(t.cgroup, "/a");
	assert_int_equal(t.cgroup_src, SNOOP_TASK_EVENT);
	snoop_cgroups_fork(c, 100, 400, 0x200000000ull);
	t.tid = 400;
	assert_true(snoop_cgroups_get(c, &t)); /* /proc/400/cgroup: 0::/ab */
	assert_string_equal(t.cgroup, "/ab");
	assert_int_equal(t.cgroup_src, SNOOP_TASK_PROC);
	assert_int_equal(snoop_cgroups_match(c, 400), 0);

	/* Nothing says where 999 is: unknown, not guessed; asked once. */
	t.tid = 999;
	assert_false(snoop_cgroups_get(c, &t));
	assert_null(t.cgroup);
	assert_int_equal(t.cgroup_src, SNOOP_TASK_UNKNOWN);
	assert_int_equal(snoop_cgroups_match(c, 999), -1);
	snoop_cgroups_fork(c, 999, 998, 0);
	assert_int_equal(snoop_cgroups_match(c, 998), -1);

	/* A move into a cgroup created after the scan, of a whole process
	 * (its leader named: the threads /proc lists move too). */
	snoop_cgroups_attach(c, 0, 12345, "/a/new", 6, 500, true);
	assert_int_equal(snoop_cgroups_match(c, 500), 1);
	assert_int_equal(snoop_cgroups_match(c, 501), 1);
	t.tid = 501;
	assert_true(snoop_cgroups_get(c, &t));
	assert_string_equal(t.cgroup, "/a/new");
	assert_int_equal(t.cgroup_src, SNOOP_TASK_EVENT);
	/* Out again; another hierarchy's move changes nothing. */
	snoop_cgroups_attach(c, 0, ino("unified/ab"), "/ab", 3, 100, false);
	assert_int_equal(snoop_cgroups_match(c, 100), 0);
	assert_int_equal(snoop_cgroups_match(c, 101), 1);
	snoop_cgroups_attach(c, 4, 777, "/x", 2, 101, false);
	assert_int_equal(snoop_cgroups_match(c, 101), 1);
	/* Many tasks: the table grows and forgets none. */
	for (pid_t p = 10000; p < 30000; p++)
		snoop_cgroups_fork(c, 200, p, 0);
	assert_int_equal(snoop_cgroups_match(c, 10000), 1);
	assert_int_equal(snoop_cgroups_match(c, 29999), 1);
	assert_int_equal(snoop_cgroups_match(c, 300), 0);

	/* Containers come and go: 100,000 cgroups, one after another, each
	 * with a task that moves on. The table keeps what tasks point to,
	 * not every cgroup ever seen, and forgets nothing live. */
	for (uint64_t i = 0; i < 100000; i++) {
		char p[64];
		int n = snprintf(p, sizeof(p), "/ctr/%llu", (unsigned long long)i);

		snoop_cgroups_attach(c, 0, 1000000 + i, p, (size_t)n, 600, false);
	}
	assert_true(snoop_cgroups_held(c) < 20000);
	t.tid = 600;
	assert_true(snoop_cgroups_get(c, &t));
	assert_string_equal(t.cgroup, "/ctr/99999");
	t.tid = 501;
	assert_true(snoop_cgroups_get(c, &t));
	assert_string_equal(t.cgroup, "/a/new");
	t.tid = 0;
	assert_true(snoop_cgroups_get(c, &t));
	assert_string_equal(t.cgroup, "/");
	assert_int_equal(snoop_cgroups_match(c, 29999), 1);
	assert_int_equal(snoop_cgroups_match(c, 100), 0);
	snoop_cgroups_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_cache),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
