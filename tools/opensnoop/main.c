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
	{ "print-uid", 'U', NULL, 0, "Print a UID column", 0 },
	{ "uid", 'u', "UID", 0, "Only opens by this user (number or name)", 0 },
	{ "no-header", OPT_NO_HEADER, NULL, 0, "Do not print the column header", 0 },
	{ "tracepoint", OPT_TRACEPOINT, NULL, 0, "Use the no-kprobe path (syscall tracepoints) even where kprobes exist", 0 },
	{ "libc", OPT_LIBC, NULL, 0, "Without kprobes: paths from uprobes on the C library's open functions", 0 },
	{ 0 }
};

static const struct argp_child children[] = { SNOOP_COMMON_ARGP_CHILD, SNOOP_TOP_ARGP_CHILD, { 0 } };

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opensnoop_opts *o = state->input;
	long v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->common;
		state->child_inputs[1] = &o->top;
		return 0;
	case ARGP_KEY_END:
		snoop_top_opts_check(state, &o->common, &o->top);
		return 0;
	case 'x':
		o->failed = true;
		return 0;
	case 'e':
		o->extended = true;
		return 0;
	case 'F':
		o->full_path = true;
		return 0;
	case 'U':
		o->show_uid = true;
		return 0;
	case 'u':
		if (snoop_parse_long(arg, 0, UINT_MAX - 1, &v) == 0) {
			o->uid = (uid_t)v;
		} else {
			struct passwd *pw = getpwnam(arg);

			if (!pw)
				argp_error(state, "unknown user '%s'", snoop_arg_quote((char[96]){0}, 96, arg));
			o->uid = pw->pw_uid;
		}
		o->has_uid = true;
		return 0;
	case OPT_NO_HEADER:
		o->header = false;
		return 0;
	case OPT_TRACEPOINT:
		o->force_tracepoint = true;
		return 0;
	case OPT_LIBC:
		o->libc = true;
		return 0;
	case ARGP_KEY_ARG:
		if (o->glob)
			argp_error(state, "unexpected argument '%s': one PATTERN only", snoop_arg_quote((char[96]){0}, 96, arg));
		if (!*arg)
			argp_error(state, "the PATTERN is empty");
		if (strlen(arg) >= PATH_MAX)
			argp_error(state, "the PATTERN is longer than a path can be");
		o->glob = arg;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, "[PATTERN]", doc, children, NULL, NULL };
	struct opensnoop_opts o = { .header = true };
	struct opensnoop x = { .o = &o };
	int ret = 1;

	snoop_argp_parse(&argp, argc, argv, 0, NULL, &o);

	x.s = snoop_session_open("opensnoop", &o.common);
	if (!x.s)
		goto out;
	if (opensnoop_setup(&x) < 0)
		goto out;
	if ((o.common.top && opensnoop_top_setup(&x, argc, argv) < 0) || snoop_session_start(x.s) < 0)
		goto out;
	opensnoop_threads_scan(&x);
	if (!x.top)
		opensnoop_print_header(&x);
	ret = snoop_session_run(x.s) < 0 ? 1 : 0;
	/* Opens still waiting for their exit: reported, without a result,
	 * so that no entry the kernel gave goes unsaid (the table has had its
	 * final print with --top). */
	if (!x.top) {
		opensnoop_entries_flush(&x);
		snoop_session_flush(x.s);
	}
	if (x.oom)
		ret = 1;
	if (o.common.verbose && x.kernel_paths)
		fprintf(stderr, "opensnoop: -F: paths deeper than the kernel probe reads (directory from /proc): %llu\n",
			(unsigned long long)x.kpath_cut);
	if (o.common.verbose)
		fprintf(stderr,
			"opensnoop: %llu opens printed, %llu filtered in user space; exits without an entry: %llu, "
			"entries without an exit: %llu, pairs split by a loss: %llu, evicted: %llu; events lost: %llu\n",
			(unsigned long long)x.printed, (unsigned long long)x.filtered,
			(unsigned long long)x.entry_missing, (unsigned long long)x.exit_missing,
			(unsigned long long)x.stale_dropped, (unsigned long long)x.entry_evicted,
			(unsigned long long)snoop_session_lost(x.s));
out:
	ret = snoop_session_end(x.s, ret);
	snoop_top_free(x.top);
	snoop_buf_free(&x.top_key);
	if (x.entries)
		for (size_t i = 0; i < 4096; i++)
			opensnoop_entry_clear(&x.entries[i]);
	free(x.entries);
	free(x.threads);
	free(x.procs);
	free(x.tgids);
	return ret;
}
