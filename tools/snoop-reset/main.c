// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * snoop-reset: remove what snoopkit tools left in tracefs, and nothing else.
 * Unlike perf-tools' reset-ftrace, which resets the whole of ftrace (and so
 * whatever perf, trace-cmd or bpftrace had set up), it only looks at names
 * snoopkit creates: instances snoop_<tool>_<pid>, event groups snoop_<pid>.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
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
	"Remove the tracefs instances and dynamic events left by snoopkit tools whose process is gone "
	"(a tool killed with SIGKILL, a crash). Nothing that is not named snoop_* is ever touched.\n"
	"\v"
	"Examples:\n"
	"  snoop-reset            # remove leftovers of dead snoopkit processes\n"
	"  snoop-reset -l         # list snoopkit's names in tracefs (live and dead)\n"
	"  snoop-reset --all      # also stop running snoopkit tools (asks first)\n"
	"  snoop-reset --all -f   # the same without asking";

static const struct argp_option options[] = {
	{ "list", 'l', NULL, 0, "List snoopkit's instances and events only", 0 },
	{ "all", 'a', NULL, 0, "Also end running snoopkit tools (SIGTERM: they clean up themselves), then remove "
	  "what is left (asks unless --force)", 0 },
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
		fprintf(stderr, "snoop-reset: %d running snoopkit tool(s) own instances or events: "
				"use --force to end them without a terminal\n", n);
		return false;
	}
	fprintf(stderr, "snoop-reset: end %d running snoopkit tool(s) and remove their instances and events? [y/N] ",
		n);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

#define MAX_OWNERS 256
/* A tool's teardown takes tens of ms (bench/RESULTS.md); under load and
 * with a big buffer to drain, give it seconds before SIGKILL. */
#define GRACE_MS 5000

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool wait_gone(pid_t pid, int ms)
{
	for (int t = 0; t < ms; t += 20) {
		if (!snoop_owner_alive(pid))
			return true;
		sleep_ms(20);
	}
	return !snoop_owner_alive(pid);
}

/*
 * A running tool holds its instance's files open, so its instance cannot be
 * removed under it (EBUSY), and pulling its probes away would leave it
 * tracing nothing. So end it the way a user would: SIGTERM, and its own
 * teardown removes its instance and probes; SIGKILL only if it does not
 * end, and then the sweep below removes what it left.
 */
static int end_owners(pid_t *pids, int n, bool quiet)
{
	int failures = 0;

	for (int i = 0; i < n; i++)
		if (kill(pids[i], SIGTERM) < 0 && errno != ESRCH)
			fprintf(stderr, "snoop-reset: cannot signal snoopkit tool %d: %s\n", (int)pids[i], strerror(errno));
	for (int i = 0; i < n; i++) {
		if (wait_gone(pids[i], GRACE_MS)) {
			if (!quiet)
				printf("ended snoopkit tool %d\n", (int)pids[i]);
			continue;
		}
		fprintf(stderr, "snoop-reset: snoopkit tool %d did not end within %d s of SIGTERM: SIGKILL\n",
			(int)pids[i], GRACE_MS / 1000);
		kill(pids[i], SIGKILL);
		if (!wait_gone(pids[i], 1000)) {
			fprintf(stderr, "snoop-reset: snoopkit tool %d survived SIGKILL\n", (int)pids[i]);
			failures++;
		}
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
		snoop_sweep(dir, SNOOP_SWEEP_LIST, 0, true, &all);
		if (!o.quiet)
			printf("%d instance(s), %d event(s) named by snoopkit\n", all.instances_found,
			       all.events_found);
		return snoop_stdout_done("snoop-reset") < 0 ? 1 : 0;
	}
	if (o.all) {
		pid_t owners[MAX_OWNERS];
		int n = snoop_sweep_live_owners(dir, getpid(), owners, MAX_OWNERS);

		if (n > MAX_OWNERS) {
			fprintf(stderr, "snoop-reset: %d running snoopkit tools: ending the first %d, run again for the rest\n",
				n, MAX_OWNERS);
			n = MAX_OWNERS;
		}
		if (n > 0 && !o.force && !confirm(n))
			return 1;
		if (n > 0 && end_owners(owners, n, o.quiet) > 0)
			return 1;
	}
	/* With the owners ended, what is left belongs to dead processes. */
	if (snoop_sweep(dir, SNOOP_SWEEP_DEAD, getpid(), !o.quiet, &all) < 0) {
		if (all.failures)
			fprintf(stderr, "snoop-reset: %d leftover(s) could not be removed (see above)\n", all.failures);
		else
			fprintf(stderr, "snoop-reset: cannot read %s: %s\n", dir, strerror(all.read_errno));
		return 1;
	}
	if (!o.quiet)
		printf("removed %d instance(s) and %d event(s)\n", all.instances_removed, all.events_removed);
	return snoop_stdout_done("snoop-reset") < 0 ? 1 : 0;
}
