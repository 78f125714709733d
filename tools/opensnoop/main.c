// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * opensnoop: every open, openat, openat2 and creat, by any thread, with the
 * path, the flags and the fd or errno. See man/man8/opensnoop.8.
 */
#include <argp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/options.h>
#include <snoop/session.h>
#include <snoop/tool.h>

#include "opensnoop.h"

enum { OPT_TRACEPOINT = 0x100, OPT_NO_HEADER, OPT_LIBC };

static const char doc[] =
	"Trace every open, openat, openat2 and creat system-wide: process, thread, fd or errno, path.\n"
	"\n"
	"Filtered in the kernel: -p and -L (by thread; -p follows new threads), -n (exact comm), -x "
	"(failed only), and the PATTERN where kprobes give the path (a glob; patterns with a "
	"backslash, a double quote or [^...] are matched in opensnoop). Filtered in opensnoop: -u "
	"(credentials from /proc), -p's exclusion of forked children.\n"
	"\v"
	"Examples:\n"
	"  opensnoop                  # trace all opens\n"
	"  opensnoop -x               # only failed opens (errno name in ERR)\n"
	"  opensnoop -e -t            # with decoded flags, mode and a time column\n"
	"  opensnoop -p 1234          # only process 1234 (all its threads)\n"
	"  opensnoop -L 1235          # only thread 1235\n"
	"  opensnoop -n nginx         # only threads named nginx\n"
	"  opensnoop -u www-data -U   # only opens by that user, with a UID column\n"
	"  opensnoop '/etc/*'         # only paths under /etc (glob: * also crosses /)\n"
	"  opensnoop -F               # relative paths made absolute (cwd, dirfd)\n"
	"  opensnoop -j -d 10 >o.json # JSON Lines for 10 seconds\n"
	"  opensnoop --libc           # no kprobes: paths via uprobes on the C library\n"
	"  opensnoop --top -x         # live table of failed opens by path (q quits)\n"
	"\n"
	/* One paragraph, no newline inside: argp wraps it to the terminal. */
	"Needs root and tracefs. With kprobe events (CONFIG_KPROBE_EVENTS) the path comes from the "
	"kernel at the syscall's entry; without them the syscall tracepoints give everything but the "
	"path, and --libc adds it for dynamically linked programs that open through the C library. "
	"-F takes the opened file's path from the kernel's dentries at the open where kprobes and BTF "
	"exist; otherwise it reads the directory from /proc when a line is printed, marked [late]. "
	"See opensnoop(8).";

static const struct argp_option options[] = {
	{ "failed", 'x', NULL, 0, "Only failed opens", 0 },
	{ "extended", 'e', NULL, 0, "Add FLAGS (decoded) and MODE (octal, with O_CREAT/O_TMPFILE) columns", 0 },
	{ "full-path", 'F', NULL, 0, "Make relative paths absolute (from the dirfd or the cwd)", 0 },
	{ "print-uid", 'U', NULL, 0, "Print a UID column (from /proc: marked '*')", 0 },
	{ "uid", 'u', "UID", 0, "Only opens by this user (number or name)", 0 },
	{ "no-header", OPT_NO_HEADER, NULL, 0, "Do not print the column header", 0 },
	{ "tracepoint", OPT_TRACEPOINT, NULL, 0, "Use the no-kprobe path (syscall tracepoints) even where kprobes exist", 0 },
	{ "libc", OPT_LIBC, NULL, 0, "Without kprobes: paths from uprobes on the C library's open functions", 0 },
	{ 0 }
};

/* --top: paths by count (top.c fills the rows by these names). */
static const struct snoop_top_col top_cols[] = {
	{ "OPENS", 8, SNOOP_TOP_COUNT, SNOOP_TOP_SUM },
	{ "FAILS", 7, SNOOP_TOP_NUMBER, SNOOP_TOP_SUM },
	{ "LAST ERR", 9, SNOOP_TOP_TEXT, SNOOP_TOP_SUM },
	{ "PROCS", 6, SNOOP_TOP_NUMBER, SNOOP_TOP_DISTINCT },
	{ "PATH", 0, SNOOP_TOP_KEY, SNOOP_TOP_SUM },
};

/* The options that only switch something: where each one lands. */
static bool *switch_of(struct opensnoop_opts *o, int key)
{
	switch (key) {
	case 'x':
		return &o->failed;
	case 'e':
		return &o->extended;
	case 'F':
		return &o->full_path;
	case 'U':
		return &o->show_uid;
	case OPT_TRACEPOINT:
		return &o->force_tracepoint;
	case OPT_LIBC:
		return &o->libc;
	case OPT_NO_HEADER:
		return &o->no_header;
	default:
		return NULL;
	}
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opensnoop *x = state->input;
	struct opensnoop_opts *o = &x->opts;
	bool *on = switch_of(o, key);
	char q[96];
	long v;

	if (on) {
		*on = true;
		return 0;
	}
	if (key == 'u') {
		struct passwd *pw = NULL;

		if (snoop_parse_long(arg, 0, UINT_MAX - 1, &v) != 0 && !(pw = getpwnam(arg)))
			argp_error(state, "unknown user '%s'", snoop_arg_quote(q, sizeof(q), arg));
		o->uid = pw ? pw->pw_uid : (uid_t)v;
		o->has_uid = true;
		return 0;
	}
	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	/* The PATTERN. */
	if (o->glob)
		argp_error(state, "unexpected argument '%s': one PATTERN only", snoop_arg_quote(q, sizeof(q), arg));
	if (!*arg)
		argp_error(state, "the PATTERN is empty");
	if (strlen(arg) >= PATH_MAX)
		argp_error(state, "the PATTERN is longer than a path can be");
	o->glob = arg;
	return 0;
}

static int declare(struct snoop_session *s, void *ctx)
{
	struct opensnoop *x = ctx;

	x->s = s;
	/* An open loop makes a million records a second and more: a ring
	 * of 4 MiB a CPU (perf-tools' size) holds about 40 ms of it where
	 * the kernel's 1.4 MiB held about 15 (bench/RESULTS.md, issue 21). */
	snoop_session_ring_default(s, 4096);
	return opensnoop_setup(x);
}

static void started(struct snoop_session *s, void *ctx)
{
	struct opensnoop *x = ctx;

	(void)s;
	if (!x->a.table)
		opensnoop_print_header(x);
}

static void finish(struct snoop_session *s, void *ctx)
{
	struct opensnoop *x = ctx;

	opensnoop_tables_free(x);
	if (!x->a.common.verbose)
		return;
	if (x->kernel_paths)
		snoop_errx("opensnoop", "-F: paths deeper than the kernel probe reads (directory from /proc): %llu",
			   (unsigned long long)x->kpath_cut);
	snoop_errx("opensnoop",
		   "%llu opens printed, %llu filtered in user space; exits without an entry: %llu, "
		   "entries without an exit: %llu, pairs split by a loss: %llu, evicted: %llu; events lost: %llu",
		   (unsigned long long)x->printed, (unsigned long long)x->filtered,
		   (unsigned long long)x->entry_missing, (unsigned long long)x->exit_missing,
		   (unsigned long long)x->stale_dropped, (unsigned long long)x->entry_evicted,
		   (unsigned long long)snoop_session_lost(s));
}

int main(int argc, char **argv)
{
	static const struct snoop_tool tool = {
		.name = "opensnoop", .args_doc = "[PATTERN]", .doc = doc, .options = options,
		.parse = parse_opt, .top_cols = top_cols, .top_ncols = 5, .top_key_cgroup = true,
		.pair_size = sizeof(struct open_entry), .pair_drop = opensnoop_entry_drop,
		.declare = declare, .started = started, .finish = finish,
	};
	struct opensnoop x = { .o = &x.opts };

	return snoop_tool_main(&tool, &x.a, &x, argc, argv);
}
