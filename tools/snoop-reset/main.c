// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * snoop-reset: remove what killed snoopkit sessions left in tracefs, and
 * nothing else. Unlike perf-tools' reset-ftrace, which resets the whole of
 * ftrace (and so whatever perf, trace-cmd or bpftrace had set up), it only
 * looks at names of snoopkit's grammar (include/snoop/sweep.h), and takes
 * the kernel's word for who is alive: an instance held open cannot be
 * removed.
 */
#include <argp.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <snoop/options.h>
#include <snoop/session.h>
#include <snoop/sweep.h>
#include <snoop/tracefs.h>

struct reset_opts {
	bool all;
	bool force;
	bool list;
	bool quiet;
};

static const char doc[] =
	"Remove the tracefs instances and dynamic and synthetic events left by snoopkit sessions that "
	"are gone (killed with their reaper). An instance is alive while a process holds it open: only "
	"those the kernel lets go are removed. Nothing outside snoopkit's names is ever touched.\n"
	"\v"
	"Examples:\n"
	"  snoop-reset            # remove leftovers of dead snoopkit sessions\n"
	"  snoop-reset -l         # list snoopkit's names in tracefs and who holds them\n"
	"  snoop-reset --all      # also end the processes holding them (asks first)\n"
	"  snoop-reset --all -f   # the same without asking";

static const struct argp_option options[] = {
	{ "list", 'l', NULL, 0, "List snoopkit's instances and events only", 0 },
	{ "all", 'a', NULL, 0, "Also end the processes that hold snoopkit instances open (SIGTERM: they clean up "
	  "themselves), then remove what is left (asks unless --force)", 0 },
	{ "force", 'f', NULL, 0, "With --all: do not ask", 0 },
	{ "quiet", 'q', NULL, 0, "Print nothing but errors", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct reset_opts *o = state->input;
	char q[96];

	switch (key) {
	case 'l': o->list = true; return 0;
	case 'a': o->all = true; return 0;
	case 'f': o->force = true; return 0;
	case 'q': o->quiet = true; return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", snoop_arg_quote(q, sizeof(q), arg));
		return 0;
	case ARGP_KEY_END:
		if (o->force && !o->all)
			argp_error(state, "--force only makes sense with --all");
		if (o->list && (o->all || o->force))
			argp_error(state, "--list removes nothing: it cannot be combined with --all/--force");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static bool confirm(int n)
{
	char answer[16];

	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "snoop-reset: %d process(es) hold snoopkit instances open: "
				"use --force to end them without a terminal\n", n);
		return false;
	}
	fprintf(stderr, "snoop-reset: end %d process(es) holding snoopkit instances and remove their instances and "
		"events? [y/N] ", n);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

#define MAX_OWNERS 256
/* A tool's teardown takes tens of ms (bench/RESULTS.md), execsnoop's
 * about 2 s (a grace period per uprobe it disables); under load, with
 * sanitizers, or with a big buffer to drain, several times that: 5 s was
 * once too short for opensnoop in CI's ASan run. Give it 10 s. */
#define GRACE_MS 10000

/* A process that holds a snoopkit instance open, as the kernel says. */
struct owner {
	pid_t pid;
	int pidfd;
	char instance[NAME_MAX + 1];
};

/* Every (process, instance) pair where the process holds a file of a
 * snoopkit instance open; instances held by no process visible here are
 * named on stderr (a tool in a PID namespace we cannot see into). */
static int find_owners(const char *dir, struct owner *own, int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/instances", dir);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		char tool[64], sid[SNOOP_SID_MAX];
		pid_t pids[16];
		int k;

		if (snoop_parse_instance_name(de->d_name, tool, sizeof(tool), sid) < 0)
			continue;
		k = snoop_sweep_holders(dir, de->d_name, getpid(), pids, 16);
		for (int i = 0; i < k && i < 16 && n < max; i++, n++) {
			own[n].pid = pids[i];
			own[n].pidfd = -1;
			snprintf(own[n].instance, sizeof(own[n].instance), "%s", de->d_name);
		}
	}
	if (d)
		closedir(d);
	return n;
}

static int pidfd_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Wait until every owner with a pidfd has exited or ms have passed. */
static void wait_owners(struct owner *own, int n, int ms)
{
	struct pollfd p[MAX_OWNERS];
	struct timespec t0, t;
	int left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int waited, k = 0;

		for (int i = 0; i < n; i++) {
			p[k].fd = own[i].pidfd;
			p[k].events = POLLIN;
			p[k].revents = 0;
			k++;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		waited = (int)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		left = 0;
		if (poll(p, (nfds_t)k, 0) >= 0)
			for (int i = 0; i < k; i++)
				left += p[i].fd >= 0 && !p[i].revents;
		if (!left || waited >= ms)
			return;
		/* pidfds of several processes: poll says when any one ends. */
		poll(p, (nfds_t)k, ms - waited < 50 ? ms - waited : 50);
	}
}

static bool exited(const struct owner *o)
{
	struct pollfd p = { .fd = o->pidfd, .events = POLLIN };

	return o->pidfd < 0 || (poll(&p, 1, 0) == 1 && p.revents);
}

/*
 * A running tool holds its instance open, so it cannot be removed under it
 * (EBUSY), and pulling its probes away would leave it tracing nothing. So
 * end it the way a user would: SIGTERM, and its own teardown removes its
 * instance and probes; SIGKILL only if it does not end, and then its
 * reaper or the sweep below removes what it left. A signal goes through a
 * pidfd taken before checking once more that the process holds the
 * instance: a PID reused in between cannot receive it.
 */
static int end_owners(const char *dir, struct owner *own, int n, bool quiet)
{
	int failures = 0;

	for (int i = 0; i < n; i++) {
		own[i].pidfd = (int)syscall(SYS_pidfd_open, own[i].pid, 0);
		if (own[i].pidfd < 0)
			continue; /* gone already */
		if (!snoop_sweep_holds(dir, own[i].instance, own[i].pid) || pidfd_signal(own[i].pidfd, SIGTERM) < 0) {
			close(own[i].pidfd);
			own[i].pidfd = -1;
		}
	}
	wait_owners(own, n, GRACE_MS);
	for (int i = 0; i < n; i++) {
		if (exited(&own[i])) {
			if (!quiet && own[i].pidfd >= 0)
				printf("ended PID %d (it held %s)\n", (int)own[i].pid, own[i].instance);
			continue;
		}
		fprintf(stderr, "snoop-reset: PID %d (holding %s) did not end within %d s of SIGTERM: SIGKILL\n",
			(int)own[i].pid, own[i].instance, GRACE_MS / 1000);
		pidfd_signal(own[i].pidfd, SIGKILL);
	}
	wait_owners(own, n, 1000);
	for (int i = 0; i < n; i++) {
		if (!exited(&own[i])) {
			fprintf(stderr, "snoop-reset: PID %d survived SIGKILL\n", (int)own[i].pid);
			failures++;
		}
		if (own[i].pidfd >= 0)
			close(own[i].pidfd);
	}
	return failures;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, NULL, doc, NULL, NULL, NULL };
	struct reset_opts o = { 0 };
	struct snoop_sweep_report all;
	const char *dir;
	char err[256];

	snoop_argp_parse(&argp, argc, argv, 0, NULL, &o);
	/* Past `ulimit -f` a write fails with EFBIG (said at the end), and a
	 * reader gone (| head) with EPIPE (a quiet end), instead of a signal
	 * killing us half-way through the sweep. */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	dir = snoop_tracefs_find(err, sizeof(err));
	if (!dir) {
		fprintf(stderr, "snoop-reset: %s\n", err);
		return 1;
	}
	if (o.list) {
		snoop_sweep(dir, SNOOP_SWEEP_LIST, NULL, true, &all);
		if (!o.quiet)
			printf("%d instance(s), %d event(s) named by snoopkit\n", all.instances_found,
			       all.events_found);
		return snoop_stdout_done("snoop-reset") < 0 ? 1 : 0;
	}
	if (o.all) {
		static struct owner owners[MAX_OWNERS];
		int n = find_owners(dir, owners, MAX_OWNERS);

		if (n >= MAX_OWNERS)
			fprintf(stderr, "snoop-reset: more than %d holders of snoopkit instances: ending the first %d, "
				"run again for the rest\n", MAX_OWNERS, MAX_OWNERS);
		if (n > 0 && !o.force && !confirm(n))
			return 1;
		if (n > 0 && end_owners(dir, owners, n, o.quiet) > 0)
			return 1;
	}
	/* What no process holds open belongs to dead sessions. */
	if (snoop_sweep(dir, SNOOP_SWEEP_DEAD, NULL, !o.quiet, &all) < 0) {
		if (all.failures)
			fprintf(stderr, "snoop-reset: %d leftover(s) could not be removed (see above)\n", all.failures);
		else
			fprintf(stderr, "snoop-reset: cannot read %s: %s\n", dir, strerror(all.read_errno));
		return 1;
	}
	if (all.instances_alive && !o.quiet)
		fprintf(stderr, "snoop-reset: %d instance(s) left alone: held open by running sessions%s\n",
			all.instances_alive, o.all ? " not visible from here (another PID namespace)" : " (--all ends them)");
	if (!o.quiet)
		printf("removed %d instance(s) and %d event(s)\n", all.instances_removed, all.events_removed);
	return snoop_stdout_done("snoop-reset") < 0 ? 1 : 0;
}
