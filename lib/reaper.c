// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reaper of a session (see reaper.h). A BPF tool's probes go with its
 * process; a tracefs instance and its probes stay until someone removes
 * them. So every session gets a watcher that is not the tool:
 *
 *   - forked twice (not the tool's child: no zombie for the tool to reap,
 *     nothing for a waitpid(-1) of the tool to see), in its own session
 *     and process group, so a terminal's Ctrl-C or hang-up, which end the
 *     tool cleanly, do not reach it;
 *   - the same user as the tool, no tracing work, no tracefs file open
 *     while it waits (an open file would make the instance look alive);
 *   - it waits on a pidfd of the tool and on a pipe: the tool writes 'c'
 *     when its own teardown removed everything. The tool's death without
 *     'c' (SIGKILL, OOM, abort) makes it sweep the session, then exit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <snoop/sweep.h>
#include <snoop/tracefs.h>

#include "reaper.h"

#define REAPER_NAME "snoop-reaper"
/* The tool's files are closed before its pidfd says it exited; a child it
 * forked may still hold one for a moment. Give up after this (the next
 * start's sweep then does it). */
#define REAP_TRIES 20
#define REAP_WAIT_MS 40

struct reaper {
	const char *dir, *instance, *sid, *tool;
	pid_t tool_pid;
	int pidfd;      /* -1 on kernels without pidfd_open (< 5.3) */
	int rd;         /* the "clean" pipe's read end */
};

/*
 * "snoop-reaper for execsnoop 123 (snoop_execsnoop_..._123)" in ps: the
 * argument area is moved to a buffer of ours when the kernel lets us
 * (PR_SET_MM needs CAP_SYS_RESOURCE), else the old one is overwritten,
 * cut to its length.
 */
static void name_self(const struct reaper *r)
{
	char title[NAME_MAX + 128];
	char *buf, *cmd;
	size_t len = 0;
	int n;

	prctl(PR_SET_NAME, REAPER_NAME, 0, 0, 0);
	n = snprintf(title, sizeof(title), REAPER_NAME " for %s %d (%s)", r->tool, (int)r->tool_pid, r->instance);
	buf = strdup(title);
	if (buf && prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)buf, 0, 0) == 0) {
		if (prctl(PR_SET_MM, PR_SET_MM_ARG_END, (unsigned long)(buf + n + 1), 0, 0) == 0)
			return;
		prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)program_invocation_name, 0, 0);
	}
	free(buf);
	cmd = snoop_read_file("/proc/self/cmdline", &len);
	free(cmd);
	if (len > 1) {
		/* glibc's program_invocation_name is argv[0]: the area starts there. */
		memset(program_invocation_name, 0, len);
		memcpy(program_invocation_name, title, (size_t)n < len - 1 ? (size_t)n : len - 1);
	}
}

/* Every fd from 3 on but keep[0..1] closed: close_range (Linux 5.9), else
 * what /proc/self/fd lists. */
static void close_others(const int keep[2])
{
	struct dirent *de;
	int fds[256], n = 0;
	DIR *d;

	unsigned int lo = 3;
	int ret = 0;

	for (int k = 0; k < 2; k++) {
		if (keep[k] < 0)
			continue;
		if (lo < (unsigned)keep[k])
			ret |= close_range(lo, (unsigned)keep[k] - 1, 0);
		lo = (unsigned)keep[k] + 1;
	}
	if (ret == 0 && close_range(lo, ~0U, 0) == 0)
		return;
	do {
		d = opendir("/proc/self/fd");
		n = 0;
		while (d && (de = readdir(d)) && n < 256) {
			int fd = atoi(de->d_name);

			if (de->d_name[0] != '.' && fd > 2 && fd != keep[0] && fd != keep[1] && fd != dirfd(d))
				fds[n++] = fd;
		}
		if (d)
			closedir(d);
		for (int i = 0; i < n; i++)
			close(fds[i]);
	} while (n == 256);
}

/* Nothing of the tool's but what the reaper needs: default signal
 * actions (the tool's handlers write to its fds), stdin and stdout on
 * /dev/null (a pipe reader must see EOF when the tool ends), stderr kept
 * for the one line it may say, every other fd closed. */
static void detach(struct reaper *r)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int keep[2] = { r->pidfd < r->rd ? r->pidfd : r->rd, r->pidfd < r->rd ? r->rd : r->pidfd };
	sigset_t none;
	int null;

	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (chdir("/") < 0) {
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
	}
	/* keep[0] may be -1 (no pidfd): then only keep[1] stays. */
	close_others(keep);
}

/* 1 when the tool said its teardown was complete. */
static bool said_clean(int rd)
{
	char c;

	return read(rd, &c, 1) == 1 && c == 'c';
}

/* Wait for the tool's end: true when it cleaned up itself. */
static bool wait_tool(const struct reaper *r)
{
	struct pollfd p[2] = { { .fd = r->rd, .events = POLLIN }, { .fd = r->pidfd, .events = POLLIN } };

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (p[1].revents) {
			/* Exited: a 'c' it wrote just before is still in the pipe. */
			fcntl(r->rd, F_SETFL, O_NONBLOCK);
			return said_clean(r->rd);
		}
		if (p[0].revents) {
			if (said_clean(r->rd))
				return true;
			/* EOF or "not clean": without a pidfd that is the end;
			 * with one, its word decides (the pipe can close
			 * before the process is gone). */
			if (r->pidfd < 0)
				return false;
			p[0].fd = -1;
		}
	}
}

static void reap(const struct reaper *r)
{
	struct snoop_sweep_report rep;
	int ret = 1;

	memset(&rep, 0, sizeof(rep));
	for (int t = 0; t < REAP_TRIES && ret == 1; t++) {
		struct timespec ts = { 0, REAP_WAIT_MS * 1000000L };

		if (t)
			nanosleep(&ts, NULL);
		ret = snoop_sweep_session(r->dir, r->instance, r->sid, true, false, &rep);
	}
	if (ret == 1)
		fprintf(stderr, REAPER_NAME ": %s (PID %d) is gone but its instance %s is still held open: left "
			"to the next start or snoop-reset\n", r->tool, (int)r->tool_pid, r->instance);
	else if (rep.instances_removed + rep.events_removed + rep.options_restored)
		fprintf(stderr, REAPER_NAME ": %s (PID %d) ended without cleaning up: removed %d instance(s), "
			"%d event(s)%s\n", r->tool, (int)r->tool_pid, rep.instances_removed, rep.events_removed,
			rep.options_restored ? ", restored the options it had turned on" : "");
}

static void __attribute__((noreturn)) reaper_main(struct reaper *r)
{
	detach(r);
	name_self(r);
	if (!wait_tool(r))
		reap(r);
	_exit(0);
}

int snoop_reaper_start(const char *dir, const char *instance, const char *sid, const char *tool)
{
	struct reaper r = { dir, instance, sid, tool, getpid(), -1, -1 };
	sigset_t all, old;
	int pfd[2], err = 0, st = 0;
	pid_t a;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	r.rd = pfd[0];
	r.pidfd = (int)syscall(SYS_pidfd_open, r.tool_pid, 0);
	/* No signal handler of the tool may run in the children. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	a = fork();
	if (a == 0) {
		pid_t b;

		close(pfd[1]);
		b = fork();
		if (b == 0)
			reaper_main(&r);
		_exit(b < 0);
	}
	if (a < 0)
		err = -errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(pfd[0]);
	if (r.pidfd >= 0)
		close(r.pidfd);
	while (a > 0 && waitpid(a, &st, 0) < 0 && errno == EINTR)
		;
	if (err == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		err = -EAGAIN;
	if (err < 0) {
		close(pfd[1]);
		return err;
	}
	return pfd[1];
}

void snoop_reaper_release(int fd, bool clean)
{
	if (fd < 0)
		return;
	if (write(fd, clean ? "c" : "d", 1) < 0) {
	}
	close(fd);
}
