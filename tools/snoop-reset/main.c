// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * snoop-reset: remove what snoopkit tools left in tracefs, and nothing else.
 * Unlike perf-tools' reset-ftrace, which resets the whole of ftrace (and so
 * whatever perf, trace-cmd or bpftrace had set up), it only looks at names
 * snoopkit creates: instances snoop_<tool>_<pid>, event groups snoop_<pid>.
 */
#include <argp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <snoop/options.h>
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
	"  snoop-reset -l         # only list what snoopkit has in tracefs, live or dead\n"
	"  snoop-reset --all      # also those of running snoopkit tools (asks first)\n"
	"  snoop-reset --all -f   # the same without asking";

static const struct argp_option options[] = {
	{ "list", 'l', NULL, 0, "List snoopkit instances and events, remove nothing", 0 },
	{ "all", 'a', NULL, 0, "Also remove those of running snoopkit tools (asks unless --force)", 0 },
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
		fprintf(stderr, "snoop-reset: %d snoopkit instance(s) may belong to running tools: "
				"use --force to confirm without a terminal\n", n);
		return false;
	}
	fprintf(stderr, "snoop-reset: remove the instances and events of running snoopkit tools too? [y/N] ");
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, NULL, doc, NULL, NULL, NULL };
	struct reset_opts o = { 0 };
	struct snoop_sweep_report all;
	const char *dir;
	char err[256];

	argp_parse(&argp, argc, argv, 0, NULL, &o);
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
		return 0;
	}
	if (o.all && !o.force) {
		struct snoop_sweep_report listing;

		snoop_sweep(dir, SNOOP_SWEEP_LIST, getpid(), false, &listing);
		if (listing.instances_found + listing.events_found > 0 && !confirm(listing.instances_found))
			return 1;
	}
	if (snoop_sweep(dir, o.all ? SNOOP_SWEEP_ALL : SNOOP_SWEEP_DEAD, getpid(), !o.quiet, &all) < 0) {
		fprintf(stderr, "snoop-reset: %d leftover(s) could not be removed (see above)\n", all.failures);
		return 1;
	}
	if (!o.quiet)
		printf("removed %d instance(s) and %d event(s)\n", all.instances_removed, all.events_removed);
	return 0;
}
