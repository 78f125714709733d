// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ground-truth test's workload (groundtruth.sh): the racy things real
 * programs do to execsnoop and opensnoop, in one static program, since the
 * guest has no compiler and no gcc/git to run.
 *
 *   gt_work nop [ARG...]        exit 0 (a target to exec)
 *   gt_work exec PROG [ARG...]  a shim: execvp PROG at once, so that one PID
 *                               execs twice in a row
 *   gt_work execvp N            N children execvp "gt_work" along PATH (the
 *                               test puts missing entries first: glibc tries
 *                               each candidate in one buffer), then one
 *                               execvp of a name on no PATH entry, one
 *                               execveat relative to a directory fd
 *   gt_work interp SCRIPT ...   the interpreter of a #! script: opens it
 *   gt_work opens               opens relative to cwd and to a dirfd,
 *                               open/creat/openat/openat2, failing ones
 *   gt_work child N             N children that open and exit at once,
 *                               reaped only at the end; prints their PIDs
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Close an fd that may be -1 (an open that was meant to fail). */
static void done(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int wait_all(void)
{
	int st, bad = 0;

	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
	return bad;
}

static int do_execvp(int n)
{
	char num[16];
	int dfd;

	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			die("fork");
		if (p == 0) {
			snprintf(num, sizeof(num), "%d", i);
			execlp("gt_work", "gt_work", "nop", "execvp", num, (char *)NULL);
			_exit(127);
		}
	}
	if (wait_all())
		return 1;
	/* Every candidate fails: the last error is the caller's. */
	if (fork() == 0) {
		execlp("gt-work-nowhere", "gt-work-nowhere", "x", (char *)NULL);
		_exit(errno == ENOENT ? 0 : 1);
	}
	if (wait_all())
		return 1;
	/* execveat relative to a directory fd (the file name alone does not
	 * say which file). */
	dfd = open("/usr/local/bin", O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		die("/usr/local/bin");
	if (fork() == 0) {
		char *argv[] = { "gt_work", "nop", "execveat", NULL };
		char *envp[] = { "GT=1", NULL };

		syscall(SYS_execveat, dfd, "gt_work", argv, envp, 0);
		_exit(127);
	}
	close(dfd);
	return wait_all();
}

static int do_opens(void)
{
	struct open_how how = { .flags = O_RDONLY, .resolve = RESOLVE_BENEATH };
	int dfd;

	if (mkdir("gt_d", 0755) < 0 && errno != EEXIST)
		die("mkdir gt_d");
	done(open("gt_rel", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	/* (arm64 has neither open nor creat: openat only) */
#ifdef SYS_open
	done((int)syscall(SYS_open, "gt_rel", O_RDONLY));
#endif
#ifdef SYS_creat
	done((int)syscall(SYS_creat, "gt_d/gt_creat", 0600));
#endif
	done(open("gt_rel", O_WRONLY | O_CREAT | O_EXCL, 0644)); /* EEXIST */
	done(open("gt_missing/x", O_RDONLY));                   /* ENOENT */
	dfd = open("gt_d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		die("gt_d");
	done(openat(dfd, "gt_at", O_RDWR | O_CREAT | O_APPEND, 0600));
	done(openat(dfd, "../gt_rel", O_RDONLY | O_NOFOLLOW));
	done(openat(dfd, ".", O_RDONLY | O_DIRECTORY));
	done(openat(dfd, "gt_none", O_RDONLY)); /* ENOENT */
	done((int)syscall(SYS_openat2, dfd, "gt_at", &how, sizeof(how)));
	done((int)syscall(SYS_openat2, dfd, "../gt_rel", &how, sizeof(how))); /* EXDEV */
	how.flags = O_WRONLY | O_CREAT | O_TRUNC;
	how.mode = 0600;
	how.resolve = 0;
	done((int)syscall(SYS_openat2, AT_FDCWD, "gt_d/gt_at2", &how, sizeof(how)));
	close(dfd);
	return 0;
}

/* Children that open (cwd- and dirfd-relative) and exit at once, before
 * their opens can be read: whatever is known of them afterwards comes
 * from the kernel. */
static int do_child(int n)
{
	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			die("fork");
		if (p == 0) {
			int dfd = open("gt_d", O_RDONLY | O_DIRECTORY);

			done(open("gt_rel", O_RDONLY));
			if (dfd >= 0)
				done(openat(dfd, "gt_at", O_RDONLY));
			_exit(0);
		}
		printf("%d\n", p);
	}
	return wait_all();
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "nop") == 0)
		return 0;
	if (strcmp(cmd, "exec") == 0 && argc > 2) {
		execvp(argv[2], argv + 2);
		die(argv[2]);
	}
	if (strcmp(cmd, "execvp") == 0 && argc > 2)
		return do_execvp(atoi(argv[2]));
	if (strcmp(cmd, "interp") == 0 && argc > 2) {
		done(open(argv[2], O_RDONLY));
		return 0;
	}
	if (strcmp(cmd, "opens") == 0)
		return do_opens();
	if (strcmp(cmd, "child") == 0 && argc > 2)
		return do_child(atoi(argv[2]));
	fprintf(stderr, "usage: gt_work nop|exec PROG ARG...|execvp N|interp SCRIPT|opens|child N\n");
	return 2;
}
