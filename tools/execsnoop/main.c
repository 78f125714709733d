// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * execsnoop: every exec'd command, with PID, PPID, result and full argv.
 * See man/man8/execsnoop.8.
 */
#include <argp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/options.h>
#include <snoop/session.h>

#include "execsnoop.h"

enum { OPT_MAX_ARGS = 0x100, OPT_TRACEPOINT, OPT_NO_HEADER, OPT_NO_LIBC };

static const char doc[] =
	"Trace every exec (execve, execveat) system-wide: command, PID, PPID, result, arguments.\n"
	"\n"
	"Filtered in the kernel: -p, -L. Filtered in execsnoop: -P, -n (an extended regex on "
	"the new command name), -l, -u: they need the parent, the new name, the whole argument "
	"line or the credentials. The UID of a successful exec comes from the kernel where its "
	"BTF says where struct cred keeps it; otherwise from /proc, and -u then skips a process "
	"gone before it was read (a count on stderr at the end says how many).\n"
	"\n"
	"Arguments the kernel could not read at the syscall (not yet in memory, or longer than "
	"a trace record holds: about 4,000 bytes) are read from /proc/PID/cmdline while the "
	"process runs that exec, else shown as ? ([args unreadable]); -v counts each case. "
	"A value read after the fact that cannot be proven to be this exec's is marked [late] "
	"(JSON: \"args_source\"/\"filename_source\": \"late\").\n"
	"\v"
	"Examples:\n"
	"  execsnoop              # all successful execs\n"
	"  execsnoop -x           # also failed ones (RET is the errno name)\n"
	"  execsnoop -t -U        # with a time column and the UID\n"
	"  execsnoop -q           # arguments quoted for pasting into a shell\n"
	"  execsnoop -P 1234      # only children of PID 1234\n"
	"  execsnoop -n '^ssh'    # only names matching a regex\n"
	"  execsnoop -l 'make -j' # only argument lines containing 'make -j'\n"
	"  execsnoop -u root      # only execs by root\n"
	"  execsnoop -j -d 10     # JSON Lines for 10 seconds\n"
	"  execsnoop -v -d 60     # a minute, then how many arguments came from /proc\n"
	"  execsnoop --top        # live table of commands by count (q quits)\n"
	"  execsnoop --top -i 10 > log  # the table as text every 10 s\n"
	"\n"
	"Needs root and tracefs. With kprobe events (CONFIG_KPROBE_EVENTS) the arguments come "
	"from the kernel at the syscall; without them, from uprobes on the C library's execve "
	"and execveat (dynamically linked programs), else from /proc while the process lives, marked. "
	"See execsnoop(8).";

static const struct argp_option options[] = {
	{ "fails", 'x', NULL, 0, "Also show failed execs (errno name in RET)", 0 },
	{ "quote", 'q', NULL, 0, "Quote each argument for a POSIX shell", 0 },
	{ "print-uid", 'U', NULL, 0, "Print a UID column", 0 },
	{ "uid", 'u', "UID", 0, "Only execs by this user (number or name; real UID)", 0 },
	{ "ppid", 'P', "PPID", 0, "Only execs by children of PPID", 0 },
	{ "line", 'l', "TEXT", 0, "Only execs whose argument line contains TEXT", 0 },
	{ "max-args", OPT_MAX_ARGS, "N", 0, "Arguments to show (default 20, 1 to 126); each is cut at 4095 bytes", 0 },
	{ "no-header", OPT_NO_HEADER, NULL, 0, "Do not print the column header", 0 },
	{ "tracepoint", OPT_TRACEPOINT, NULL, 0, "Use the no-kprobe path (sched_process_exec) even where kprobes exist", 0 },
	{ "no-libc", OPT_NO_LIBC, NULL, 0, "Without kprobes: no uprobes on the C library's exec functions either (every argument read late, marked)", 0 },
	{ 0 }
};

static const struct argp_child children[] = { SNOOP_COMMON_ARGP_CHILD, SNOOP_TOP_ARGP_CHILD, { 0 } };

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct execsnoop_opts *o = state->input;
	char q[96];
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
	case 'q':
		o->quote = true;
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
				argp_error(state, "unknown user '%s'", snoop_arg_quote(q, sizeof(q), arg));
			o->uid = pw->pw_uid;
		}
		o->has_uid = true;
		return 0;
	case 'P':
		if (snoop_parse_long(arg, 1, INT_MAX, &v) < 0)
			argp_error(state, "invalid PPID '%s': expected a positive number", snoop_arg_quote(q, sizeof(q), arg));
		o->ppid = (pid_t)v;
		return 0;
	case 'l':
		if (!*arg)
			argp_error(state, "-l needs a non-empty TEXT");
		o->line = arg;
		return 0;
	case OPT_MAX_ARGS:
		if (snoop_parse_long(arg, 1, EXECSNOOP_MAX_ARGS, &v) < 0)
			argp_error(state, "invalid --max-args '%s': expected 1 to %d", snoop_arg_quote(q, sizeof(q), arg), EXECSNOOP_MAX_ARGS);
		o->max_args = (int)v;
		return 0;
	case OPT_NO_HEADER:
		o->header = false;
		return 0;
	case OPT_NO_LIBC:
		o->no_libc = true;
		return 0;
	case OPT_TRACEPOINT:
		o->force_fallback = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", snoop_arg_quote(q, sizeof(q), arg));
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, NULL, doc, children, NULL, NULL };
	struct execsnoop_opts o = { .max_args = 20, .header = true };
	struct execsnoop x = { .o = &o };
	int ret = 1;

	snoop_argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (o.common.comm) {
		/* -n is a regex on the new command name (extended syntax). */
		int rc = regcomp(&o.name_re, o.common.comm, REG_EXTENDED | REG_NOSUB);

		if (rc) {
			char msg[128];

			regerror(rc, &o.name_re, msg, sizeof(msg));
			char q[96];

			fprintf(stderr, "execsnoop: invalid -n regex '%s': %s\n",
				snoop_arg_quote(q, sizeof(q), o.common.comm), msg);
			return 64;
		}
		o.has_name = true;
	}

	x.s = snoop_session_open("execsnoop", &o.common);
	if (!x.s)
		goto out;
	/* -n matches the name after the exec, in user space. */
	snoop_session_common_filters(x.s, SNOOP_FILTER_PID);
	if (execsnoop_setup(&x) < 0 || (o.common.top && execsnoop_top_setup(&x, argc, argv) < 0) ||
	    snoop_session_start(x.s) < 0) {
		if (snoop_session_interrupted())
			ret = 0; /* a signal during set-up: a normal end */
		goto out;
	}
	if (!x.top)
		execsnoop_print_header(&x);
	ret = snoop_session_run(x.s) < 0 || x.oom ? 1 : 0;
	if (o.common.verbose)
		execsnoop_print_stats(&x);
	if (x.st.uid_unknown_skipped)
		fprintf(stderr, "execsnoop: -u: %llu exec(s) not shown: the process was gone before its UID could be read\n",
			(unsigned long long)x.st.uid_unknown_skipped);
out:
	ret = snoop_session_end(x.s, ret);
	snoop_top_free(x.top);
	snoop_buf_free(&x.top_key);
	if (o.has_name)
		regfree(&o.name_re);
	if (x.entries) {
		for (size_t i = 0; i < EXECSNOOP_ENTRY_SLOTS; i++) {
			execsnoop_entry_reset(&x, &x.entries[i]);
			free(x.entries[i].argv);
			free(x.entries[i].arglen);
			free(x.entries[i].argstate);
		}
	}
	free(x.entries);
	free(x.forks);
	free(x.libc_path);
	return ret;
}
