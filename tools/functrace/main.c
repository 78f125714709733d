// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * functrace: kernel function calls matching globs, through the function
 * tracer of a private instance. See man/man8/functrace.8.
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snoop/ksym.h>
#include <snoop/options.h>
#include <snoop/session.h>
#include <snoop/tracefs.h>

#include "functrace.h"

#define DEFAULT_LIMIT 1000

enum { OPT_LIMIT = 0x100, OPT_FORCE, OPT_BY, OPT_NO_CHILDREN, OPT_DEPTH, OPT_MIN_DURATION, OPT_NO_IRQ, OPT_LATENCY,
       OPT_SLOWER_THAN, OPT_USER_SPACE };

static const char doc[] =
	"Trace calls of kernel functions matching PATTERN (globs: vfs_*, *sleep*, ext4_*:mod:ext4), "
	"with the function tracer of a private tracefs instance, so that other tracers keep working.\n"
	"\n"
	"Patterns are checked against available_filter_functions first: one that matches nothing is an "
	"error, and more than --limit functions need --force. functrace's own calls are never traced.\n"
	"\n"
	"-p PID: in functrace, the process's threads and also the children and threads it forks after "
	"the start (the kernel's function-fork option), unlike the other tools' -p; --no-children "
	"for the threads that exist at the start only.\n"
	"\n"
	"Needs root, tracefs and a kernel that permits the function tracer (CONFIG_FUNCTION_TRACER; "
	"kernel lockdown forbids it). Exit status: 0 done, 1 error, 64 bad options or patterns, "
	"69 function tracer unavailable or refused.\n"
	"\v"
	"Examples:\n"
	"  functrace do_sys_openat2       # every call, with its caller\n"
	"  functrace -H -t 'vfs_*' -x vfs_getattr  # all vfs_* but one\n"
	"  functrace -p 1234 'tcp_*'      # process 1234 and children it forks\n"
	"  functrace -s do_sys_openat2    # with the kernel stack of each call\n"
	"  functrace -c 'vfs_*'           # count calls per function until Ctrl-C\n"
	"  functrace -c -i 1 --by comm '*sleep*'   # per second and command\n"
	"  functrace --top 'vfs_*'        # live table of calls per function (q quits)\n"
	"  functrace -c --by cgroup vfs_read   # calls per cgroup (container)\n"
	"  functrace -g do_sys_openat2    # entry, exit and duration\n"
	"  functrace -G do_sys_openat2 -p 1234 --depth 3   # its callees, 3 levels\n"
	"  functrace -G do_nanosleep --min-duration 1ms     # only calls of 1 ms or more\n"
	"  functrace --latency do_nanosleep   # log2 histogram of its durations (us) at Ctrl-C\n"
	"  functrace --slower-than 10ms vfs_read   # one line per call of 10 ms or more\n"
	"  functrace --slower-than 10ms -s vfs_read   # the same, with the kernel stack of each\n"
	"  functrace 'ext4_*:mod:ext4'    # ext4_* functions of the ext4 module\n"
	"  functrace -j -d 5 vfs_read     # JSON Lines for 5 seconds";

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "What to trace:", 0 },
	{ "exclude", 'x', "PATTERN", 0, "Do not trace functions matching PATTERN (repeatable)", 0 },
	{ "limit", OPT_LIMIT, "N", 0, "Refuse to trace more than N functions (default 1000)", 0 },
	{ "force", OPT_FORCE, NULL, 0, "Trace even more functions than --limit", 0 },
	{ "no-children", OPT_NO_CHILDREN, NULL, 0, "With -p: not the children it forks after the start (followed by default)", 0 },
	{ NULL, 0, NULL, 0, "How to show it:", 0 },
	{ "header", 'H', NULL, 0, "Print a column header", 0 },
	{ "stack", 's', NULL, 0, "Print the kernel stack of each call (with --slower-than: of each slow call)", 0 },
	{ "count", 'c', NULL, 0, "Count calls per function instead of printing each", 0 },
	{ "by", OPT_BY, "KEY", 0, "With -c or --top: count per comm, pid or cgroup too", 0 },
	{ "graph", 'g', NULL, 0, "Entry and exit with durations (function_graph tracer)", 0 },
	{ NULL, 0, NULL, 0, "The call graph below a function (function_graph tracer, no PATTERN):", 0 },
	{ "graph-function", 'G', "FUNC", 0, "Every call made below FUNC, indented, with durations (repeatable)", 0 },
	{ "depth", OPT_DEPTH, "N", 0, "With -G: N levels at most (1: FUNC alone)", 0 },
	{ "min-duration", OPT_MIN_DURATION, "DURATION", 0,
	  "With -G: only calls that took DURATION or more (500us, 2ms, 1s; a bare number is us), each with a "
	  "summary of its faster callees", 0 },
	{ "no-irq", OPT_NO_IRQ, NULL, 0, "With -G: leave out what hard interrupts run on the way", 0 },
	{ "no-durations", 'D', NULL, 0, "With -G: no duration column", 0 },
	{ NULL, 0, NULL, 0, "How long calls take (kprobe + kretprobe per FUNC; PATTERNs are function names):", 0 },
	{ "latency", OPT_LATENCY, NULL, 0, "A log2 histogram of durations (us) per function, at the end and every -i", 0 },
	{ "slower-than", OPT_SLOWER_THAN, "DURATION", 0,
	  "One line per call that took DURATION or more (500us, 2ms, 1s; a bare number is us)", 0 },
	{ "user-space", OPT_USER_SPACE, NULL, 0,
	  "With --latency: pair the records in user space even where the kernel has hist triggers", 0 },
	{ 0 }
};

static void add_pattern(struct argp_state *state, struct ft_pattern **v, size_t *n, const char *arg)
{
	struct ft_pattern *nv = realloc(*v, sizeof(**v) * (*n + 1));
	char err[256];

	if (!nv)
		argp_failure(state, 1, ENOMEM, "pattern #%zu", *n + 1); /* exits: nothing written yet */
	*v = nv;
	if (ft_pattern_parse(arg, &nv[*n], err, sizeof(err)) < 0) {
		/* The pattern itself is not echoed: it may hold control bytes. */
		argp_error(state, "invalid pattern #%zu: %s", *n + 1, err);
	}
	(*n)++;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct functrace *ft = state->input;
	struct functrace_opts *o = ft->o;
	long v;

	switch (key) {
	case 'x':
		add_pattern(state, &o->exc, &o->nexc, arg);
		return 0;
	case OPT_LIMIT:
		if (snoop_parse_long(arg, 1, 10000000, &v) < 0)
			argp_error(state, "invalid --limit: expected 1 to 10000000");
		o->limit = v;
		return 0;
	case OPT_FORCE:
		o->force = true;
		return 0;
	case OPT_NO_CHILDREN:
		o->no_children = true;
		return 0;
	case 'H':
		o->header = true;
		return 0;
	case 's':
		o->stack = true;
		return 0;
	case 'c':
		o->count = true;
		return 0;
	case OPT_BY:
		if (strcmp(arg, "comm") == 0)
			o->by = FT_BY_COMM;
		else if (strcmp(arg, "pid") == 0)
			o->by = FT_BY_PID;
		else if (strcmp(arg, "cgroup") == 0)
			o->by = FT_BY_CGROUP;
		else
			argp_error(state, "invalid --by: expected comm, pid or cgroup");
		return 0;
	case 'g':
		o->graph = true;
		return 0;
	case 'G':
		/* One function by name: the root of the graph is matched by
		 * address in user space (graph.c), not by the kernel's globs. */
		if (!*arg || arg[strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")])
			argp_error(state, "invalid -G #%zu: expected a function name (letters, digits, '_', '.'), "
				   "not a glob", o->ngraph + 1);
		add_pattern(state, &o->graph_funcs, &o->ngraph, arg);
		return 0;
	case OPT_DEPTH:
		if (snoop_parse_long(arg, 1, 1000, &v) < 0)
			argp_error(state, "invalid --depth: expected 1 to 1000");
		o->depth = (int)v;
		return 0;
	case OPT_MIN_DURATION:
		if (ft_parse_duration(arg, &o->min_duration) < 0)
			argp_error(state, "invalid --min-duration: expected a time such as 500us, 2ms, 1.5s (1 ns to 1 h)");
		return 0;
	case OPT_NO_IRQ:
		o->no_irq = true;
		return 0;
	case 'D':
		o->no_durations = true;
		return 0;
	case OPT_LATENCY:
		o->latency = true;
		return 0;
	case OPT_USER_SPACE:
		o->user_space = true;
		return 0;
	case OPT_SLOWER_THAN:
		if (ft_parse_duration(arg, &o->slower_than) < 0)
			argp_error(state, "invalid --slower-than: expected a time such as 500us, 2ms, 1.5s (1 ns to 1 h)");
		return 0;
	case ARGP_KEY_ARG:
		add_pattern(state, &o->inc, &o->ninc, arg);
		return 0;
	case ARGP_KEY_END:
		o->interval = o->a.top.interval;
		if (o->latency || o->slower_than) {
			/* kprobes on functions named exactly: no globs, no
			 * function tracer, none of its modes. */
			if (o->ngraph || o->count || o->graph || o->a.common.top || o->nexc || o->by != FT_BY_FUNC)
				argp_error(state, "--latency and --slower-than cannot be used with -G, -c, -g, -x, --by "
					   "or --top");
			if (o->stack && !o->slower_than)
				argp_error(state, "-s with --latency needs --slower-than (the stacks of the slow calls)");
			if (!o->ninc)
				argp_error(state, "no FUNC given: which functions to time?");
			for (size_t i = 0; i < o->ninc; i++)
				if (o->inc[i].module || strchr(o->inc[i].arg, '*') || strchr(o->inc[i].arg, '?') ||
				    strchr(o->inc[i].arg, '['))
					argp_error(state, "--latency and --slower-than take function names, not globs "
						   "(FUNC #%zu)", i + 1);
			if (o->latency && !o->slower_than && o->a.common.print_cgroup)
				argp_error(state, "-C: --latency histograms have no cgroup key (--slower-than lines "
					   "show the cgroup)");
			if (o->user_space && !o->latency)
				argp_error(state, "--user-space needs --latency");
			if (o->interval > 0 && !o->latency)
				argp_error(state, "-i needs -c, --top or --latency");
			return 0;
		}
		if (o->ngraph && (o->ninc || o->nexc))
			argp_error(state, "-G traces every function below FUNC: PATTERN and -x cannot be used with it");
		if (!o->ngraph && (o->depth || o->min_duration || o->no_irq || o->no_durations))
			argp_error(state, "--depth, --min-duration, --no-irq and -D need -G");
		if (o->ngraph && (o->a.common.top || o->count || o->graph || o->stack))
			argp_error(state, "-G cannot be used with -c, -g, -s or --top");
		if (o->user_space)
			argp_error(state, "--user-space needs --latency");
		if (!o->ninc && !o->ngraph)
			argp_error(state, "no PATTERN given: which functions to trace?");
		/* -i is the shared one (libsnoop's --top child): one meaning,
		 * the interval the counts are printed or refreshed at. */
		o->interval = o->a.top.interval;
		{
			/* -i means -c's interval too (checked below): only
			 * the rest is the table's own. */
			struct snoop_top_opts t = o->a.top;

			t.interval_given = false;
			snoop_top_opts_check(state, &o->a.common, &t);
		}
		if (o->a.common.top) {
			/* --top is the count mode, on a screen. */
			if (o->graph || o->stack)
				argp_error(state, "--top counts calls: -g and -s cannot be used with it");
			o->count = true;
		}
		if (o->count + o->graph + o->stack > 1)
			argp_error(state, "-c, -g and -s cannot be used together");
		if (!o->count && (o->interval > 0 || o->by != FT_BY_FUNC))
			argp_error(state, "-i and --by need -c or --top");
		if (o->no_children && !o->a.common.pid)
			argp_error(state, "--no-children needs -p");
		if (o->a.common.pid && o->a.common.tid)
			argp_error(state, "-p and -L cannot be used together");
		/* Counts per cgroup: --by cgroup, or -C (the cgroup first in
		 * the key, as the other tools' --top -C); the session follows
		 * each task's cgroup for it. */
		o->by_cgroup = o->count && (o->by == FT_BY_CGROUP || o->a.common.print_cgroup);
		o->a.common.need_cgroup = o->by_cgroup;
		functrace_top_cols(ft);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static void say_unavailable(const char *what, int err)
{
	struct snoop_features f;
	const char *dir;
	char msg[256];

	dir = snoop_tracefs_find(msg, sizeof(msg));
	if (dir)
		snoop_features_probe(dir, &f);
	else
		memset(&f, 0, sizeof(f));
	if (err == EPERM || err == EACCES) {
		if (f.lockdown)
			snoop_errx("functrace", "the function tracer is not permitted on this kernel: kernel lockdown (%s) "
				   "forbids it (%s: %s)", f.lockdown_mode, what, strerror(err));
		else if (!f.lockdown_mode[0])
			snoop_errx("functrace", "the function tracer is not permitted on this kernel (%s: %s): usually "
				   "kernel lockdown; mount securityfs and see /sys/kernel/security/lockdown", what,
				   strerror(err));
		else
			snoop_errx("functrace", "the function tracer is not permitted on this kernel (%s: %s): a "
				   "security module forbids it", what, strerror(err));
	} else {
		snoop_errx("functrace", "cannot read the kernel's traceable functions (%s: %s)", what, strerror(err));
	}
}

/*
 * Check the patterns before any instance exists: a typo, a pattern that
 * matches nothing or too many functions writes nothing to tracefs.
 * Returns 0, or the exit status.
 */
static int check_patterns(struct functrace *ft)
{
	struct functrace_opts *o = ft->o;
	struct snoop_features f;
	char err[256], path[512];
	const char *dir;
	char *list;
	int e;

	dir = snoop_tracefs_find(err, sizeof(err));
	if (!dir) {
		snoop_errx("functrace", "%s", err);
		return 1;
	}
	snoop_features_probe(dir, &f);
	if (!f.function_tracer) {
		snoop_errx("functrace", "this kernel has no function tracer (CONFIG_FUNCTION_TRACER): available_tracers "
			   "does not list 'function'");
		return FT_EXIT_UNAVAILABLE;
	}
	if ((o->graph || o->ngraph) && !f.function_graph) {
		snoop_errx("functrace", "this kernel has no function_graph tracer (CONFIG_FUNCTION_GRAPH_TRACER): -g "
			   "and -G are not available");
		return FT_EXIT_UNAVAILABLE;
	}
	snprintf(path, sizeof(path), "%s/available_filter_functions", dir);
	list = snoop_read_file(path, NULL);
	if (!list) {
		e = errno;
		say_unavailable("reading available_filter_functions", e);
		return e == EPERM || e == EACCES || e == ENOENT ? FT_EXIT_UNAVAILABLE : 1;
	}
	if (o->ngraph) {
		/* -G: its functions must be traceable; the instance then
		 * traces every function and graph.c keeps what is below. */
		ft_match(list, o->graph_funcs, o->ngraph, NULL, 0);
		free(list);
		for (size_t i = 0; i < o->ngraph; i++) {
			if (!o->graph_funcs[i].matches) {
				snoop_errx("functrace", "-G %s: not a traceable function (see %s)", o->graph_funcs[i].arg,
					   path);
				return FT_EXIT_USAGE;
			}
		}
		return 0;
	}
	ft->nfuncs = ft_match(list, o->inc, o->ninc, o->exc, o->nexc);
	free(list);
	for (size_t i = 0; i < o->ninc; i++) {
		if (!o->inc[i].matches) {
			snoop_errx("functrace", "pattern '%s' matches no traceable function (see %s)", o->inc[i].arg, path);
			return FT_EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < o->nexc; i++) {
		if (!o->exc[i].matches) {
			snoop_errx("functrace", "exclusion '%s' matches no traceable function (see %s)", o->exc[i].arg,
				   path);
			return FT_EXIT_USAGE;
		}
	}
	return ft_check_count(ft->nfuncs, o->limit, o->force);
}

/* After parsing, before tracefs is touched: the patterns checked, the
 * kernel's symbols read. 0 or the exit status. */
static int prepare(void *ctx)
{
	struct functrace *ft = ctx;
	int ret;

	/* --latency: kprobes, not the function tracer; the kernel checks
	 * the names when the probes are created. */
	ret = ft->o->latency || ft->o->slower_than ? 0 : check_patterns(ft);
	if (ret)
		return ret;
	ft->ksyms = snoop_ksym_load(NULL);
	if (!ft->ksyms) {
		snoop_errx("functrace", "cannot read kernel symbols from /proc/kallsyms: %s", strerror(errno));
		return 1;
	}
	return 0;
}

static int declare(struct snoop_session *s, void *ctx)
{
	struct functrace *ft = ctx;
	struct functrace_opts *o = ft->o;
	bool lat = o->latency || o->slower_than;

	ft->s = s;
	/* The library's pid filter (set_event_pid) and comm filter apply to
	 * trace events only; the function tracer is filtered by
	 * set_ftrace_pid here, and by name in user space. */
	snoop_session_common_filters(s, lat ? SNOOP_FILTER_PID : 0);
	if ((lat ? functrace_latency_setup(ft) : functrace_setup(ft)) < 0) {
		if (ft->stack_set)
			snoop_session_instance_write(s, "options/func_stack_trace", "0");
		return ft->setup_status ? ft->setup_status : -1;
	}
	return 0;
}

static void started(struct snoop_session *s, void *ctx)
{
	struct functrace *ft = ctx;
	struct functrace_opts *o = ft->o;

	(void)s;
	if (o->latency || o->slower_than)
		fprintf(stderr, "functrace: timing %zu function%s (kprobe + kretprobe). Ctrl-C to end.\n", o->ninc,
			o->ninc == 1 ? "" : "s");
	else if (o->ngraph)
		fprintf(stderr, "functrace: tracing the call graph below %zu function%s (function_graph). Ctrl-C to end.\n",
			o->ngraph, o->ngraph == 1 ? "" : "s");
	else
		fprintf(stderr, "functrace: tracing %zu function%s%s. Ctrl-C to end.\n", ft->nfuncs,
			ft->nfuncs == 1 ? "" : "s", o->graph ? " (function_graph)" : "");
	if (o->latency || o->slower_than)
		functrace_latency_header(ft);
	else
		functrace_print_header(ft);
}

static void finish(struct snoop_session *s, void *ctx)
{
	struct functrace *ft = ctx;

	functrace_finish(ft);
	if (ft->o->a.common.verbose)
		fprintf(stderr, "functrace: %llu calls recorded, %llu printed, %llu lost\n", (unsigned long long)ft->calls,
			(unsigned long long)ft->printed, (unsigned long long)snoop_session_lost(s));
	if (ft->stack_set) {
		/* -s turned the option on and the kernel took no record of it
		 * (else the session's close restores it, see setup.c). */
		snoop_session_instance_write(s, "options/func_stack_trace", "0");
	}
}

int main(int argc, char **argv)
{
	struct functrace_opts o = { .limit = DEFAULT_LIMIT };
	struct functrace ft = {
		.o = &o,
		.tool = { .name = "functrace", .args_doc = "PATTERN...", .doc = doc, .options = options,
			  .parse = parse_opt, .interval_without_top = true, .prepare = prepare, .declare = declare,
			  .started = started, .finish = finish },
	};
	int ret;

	/* --top's columns follow --by: these until the end of parsing. */
	functrace_top_cols(&ft);
	ret = snoop_tool_main(&ft.tool, &o.a, &ft, argc, argv);
	functrace_output_free(&ft);
	functrace_graph_free(&ft);
	functrace_latency_free(&ft);
	snoop_ksym_free(ft.ksyms);
	for (size_t i = 0; i < o.ninc; i++)
		ft_pattern_free(&o.inc[i]);
	for (size_t i = 0; i < o.nexc; i++)
		ft_pattern_free(&o.exc[i]);
	for (size_t i = 0; i < o.ngraph; i++)
		ft_pattern_free(&o.graph_funcs[i]);
	free(o.graph_funcs);
	free(o.inc);
	free(o.exc);
	return ret;
}
