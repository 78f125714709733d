// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * execsnoop: every exec'd command, with PID, PPID, result and full argv.
 * See man/man8/execsnoop.8.
 */
#include <argp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>

#include <snoop/options.h>
#include <snoop/session.h>
#include <snoop/tool.h>

#include "execsnoop.h"

enum { OPT_MAX_ARGS = 0x100, OPT_TRACEPOINT, OPT_NO_HEADER, OPT_NO_LIBC };

static const char doc[] =
	"Trace every exec (execve, execveat) system-wide: command, PID, PPID, result, arguments.\n"
	"\n"
	"Filtered in the kernel: -p, -L. Filtered in execsnoop: -P, -n (an extended regex on "
	"the new command name), -l, -u: they need the parent, the new name, the whole argument "
	"line or the credentials. The UID of a successful exec comes from the kernel where its "
	"BTF says where struct cred keeps it; otherwise from /proc, marked '*' (-U), and -u then skips a process "
	"gone before it was read (a count on stderr at the end says how many).\n"
	"\n"
	"Arguments the kernel could not read at the syscall (not yet in memory, or longer than "
	"a trace record holds: about 4,000 bytes) are read from /proc/PID/cmdline while the "
	"process runs that exec, else shown as ? ([args unreadable]); -v counts each case. "
	"A value read after the fact is proven to be this exec's (no later exec, exit or new task "
	"of the PID recorded before the read: JSON \"proc-checked\") or marked: [late] (JSON: "
	"\"args_source\"/\"filename_source\": \"late\"), or a '*' after a name read from /proc.\n"
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
	"and execveat (dynamically linked programs), else from /proc while the process lives, proven "
	"or marked. "
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

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct execsnoop *x = state->input;
	struct execsnoop_opts *o = &x->opts;
	char q[96];
	long v;

	switch (key) {
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

/* -n is a regex on the new command name (extended syntax): compiled
 * before tracefs is touched. */
static int prepare(void *ctx)
{
	struct execsnoop *x = ctx;
	char msg[128], q[96];
	int rc;

	if (!x->a.common.comm)
		return 0;
	rc = regcomp(&x->opts.name_re, x->a.common.comm, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		regerror(rc, &x->opts.name_re, msg, sizeof(msg));
		snoop_errx("execsnoop", "invalid -n regex '%s': %s", snoop_arg_quote(q, sizeof(q), x->a.common.comm),
			   msg);
		return 64;
	}
	x->opts.has_name = true;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct snoop_tool tool = {
		.name = "execsnoop", .doc = doc, .options = options, .parse = parse_opt, .prepare = prepare,
		.top_cols = execsnoop_top_cols, .top_ncols = 4, .top_key_cgroup = true, .top_columns = execsnoop_top_columns,
		.declare = execsnoop_setup, .started = execsnoop_print_header, .finish = execsnoop_finish,
	};
	struct execsnoop x = { .opts = { .max_args = 20, .header = true } };
	int ret;

	x.o = &x.opts;
	ret = snoop_tool_main(&tool, &x.a, &x, argc, argv);
	execsnoop_held_free(&x);
	snoop_buf_free(&x.top_key);
	if (x.pairs)
		snoop_pairs_flush(x.pairs); /* frees what in-flight execs held */
	snoop_pairs_free(x.pairs);
	if (x.blank)
		execsnoop_entry_clear(&x, x.blank);
	free(x.blank);
	if (x.opts.has_name)
		regfree(&x.opts.name_re);
	free(x.libc_path);
	return ret;
}
