// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What functrace asks of its instance. Everything goes into the session's
 * private instance, never the top level: its own set_ftrace_filter,
 * set_ftrace_notrace, set_ftrace_pid and current_tracer, so that other
 * tracers (another functrace, perf-tools, trace-cmd) keep theirs.
 *
 * Order matters: tracing_on is off, then pids, then the filter, then the
 * tracer. A function tracer with an empty filter traces every function in
 * the kernel, so the filter is read back and checked before the tracer is
 * selected; only then does snoop_session_start() turn tracing on.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <snoop/tracefs.h>

#include "functrace.h"

static void instance_path(struct functrace *ft, const char *file, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/instances/%s/%s", snoop_session_tracing_dir(ft->s),
		 snoop_session_instance_name(ft->s), file);
}

static bool instance_has(struct functrace *ft, const char *file)
{
	char path[1024];

	instance_path(ft, file, path, sizeof(path));
	return access(path, F_OK) == 0;
}

/* Add one pattern to set_ftrace_filter or set_ftrace_notrace: O_APPEND
 * (O_TRUNC would clear the list) and one pattern per write(). */
static int add_pattern(struct functrace *ft, const char *file, const struct ft_pattern *p)
{
	char path[1024], line[FT_PATTERN_MAX + 8];
	int ret;

	instance_path(ft, file, path, sizeof(path));
	ft_pattern_kernel_form(p, line, sizeof(line));
	ret = snoop_write_file(path, line, true);
	if (ret < 0) {
		snoop_err(ft->s, "the kernel refused pattern '%s' in %s: %s", p->arg, file, strerror(-ret));
		return -1;
	}
	return 0;
}

/* A file of the instance, NULL when unreadable. */
static char *read_instance_file(struct functrace *ft, const char *file)
{
	char path[1024];

	instance_path(ft, file, path, sizeof(path));
	return snoop_read_file(path, NULL);
}

/* The threads of pid, space-separated, into b. */
static int threads_of(pid_t pid, struct snoop_buf *b)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			snoop_buf_printf(b, "%s%s", b->len ? " " : "", de->d_name);
	closedir(d);
	return 0;
}

static int setup_pids(struct functrace *ft)
{
	const struct snoop_opts *c = &ft->o->a.common;
	char num[32];
	int ret = 0;

	/* Our own calls (reading the buffer, writing the output) would trace
	 * themselves: a feedback loop. set_ftrace_notrace_pid is 5.8+. */
	if (instance_has(ft, "set_ftrace_notrace_pid")) {
		snprintf(num, sizeof(num), "%d", (int)getpid());
		if (snoop_session_instance_write(ft->s, "set_ftrace_notrace_pid", num) < 0)
			return -1;
	} else if (!c->pid && !c->tid) {
		snoop_warn(ft->s, "this kernel has no set_ftrace_notrace_pid: functrace's own calls are traced too");
	}
	if (c->pid || c->tid) {
		struct snoop_buf pids;

		snoop_buf_init(&pids);
		if (c->tid) {
			snoop_buf_printf(&pids, "%d", (int)c->tid);
		} else if (threads_of(c->pid, &pids) < 0) {
			snoop_err(ft->s, "process %d: %s", (int)c->pid, strerror(errno));
			snoop_buf_free(&pids);
			return -1;
		}
		ret = snoop_session_instance_write(ft->s, "set_ftrace_pid", snoop_buf_cstr(&pids));
		snoop_buf_free(&pids);
		if (ret < 0)
			return -1;
	}
	/* function-fork adds the children of listed pids as they are forked
	 * (new threads included): -p follows the process tree by default. */
	if (instance_has(ft, "options/function-fork"))
		ret = snoop_session_instance_write(ft->s, "options/function-fork",
						   c->pid && !c->tid && !ft->o->no_children ? "1" : "0");
	else if (c->pid && !ft->o->no_children)
		snoop_warn(ft->s, "this kernel has no options/function-fork: children of %d are not traced",
			   (int)c->pid);
	return ret;
}

/* '1' or '0' from an options file; 0 when unreadable. */
static char option_value(const char *path)
{
	char *s = snoop_read_file(path, NULL);
	char v = s && (s[0] == '0' || s[0] == '1') ? s[0] : 0;

	free(s);
	return v;
}

/*
 * options/func_stack_trace (-s) is one flag of the function tracer, not of
 * an instance, on the kernels we know (6.1, 6.12): every instance and the
 * top level show the same value, a write in any instance changes it for
 * all (and re-selects the callback of that instance only), and a function
 * tracer selected anywhere later records stacks while it is on. So it is
 * left as found: -s turns it on only if it is off, and the library turns
 * it off again when the last snoopkit session that needs it ends (each
 * holds a record in tracefs, see snoop_session_need_option(): a second
 * functrace -s keeps the flag on when the first one ends or is killed);
 * one set by another tracer is never turned off, and a run without -s
 * never turns it off under another tracer. Shared or not is seen, not
 * guessed from the version: the top level's value follows ours.
 */
static int setup_stack_option(struct functrace *ft)
{
	char mine_path[1024], top_path[1024];
	char mine, top, after;
	int need;

	/* An option of the function tracer: function_graph ignores it. */
	if (ft->o->graph || ft->o->ngraph)
		return 0;
	instance_path(ft, "options/func_stack_trace", mine_path, sizeof(mine_path));
	snprintf(top_path, sizeof(top_path), "%s/options/func_stack_trace", snoop_session_tracing_dir(ft->s));
	mine = option_value(mine_path);
	top = option_value(top_path);
	if (!ft->o->stack) {
		if (mine != '1')
			return 0;
		if (top == '0') {
			/* Ours alone (an instance that inherited it): off. */
			return snoop_session_instance_write(ft->s, "options/func_stack_trace", "0") < 0 ? -1 : 0;
		}
		snoop_warn(ft->s, "options/func_stack_trace is on: another tracer turned it on and this kernel shares it "
			   "between all instances, so the kernel records a stack with each call too (more overhead; "
			   "functrace does not print them and leaves the option as it is)");
		return 0;
	}
	need = snoop_session_need_option(ft->s, "func_stack_trace");
	if (need < 0)
		return -1;
	if (need == SNOOP_OPTION_FOREIGN || need == SNOOP_OPTION_SHARED) {
		if (ft->o->a.common.verbose)
			snoop_warn(ft->s, "options/func_stack_trace is already on (set by %s): left as it is",
				   need == SNOOP_OPTION_SHARED ? "another snoopkit session, which leaves it on while this "
				   "one runs" : "another tracer");
		return 0;
	}
	if (need == SNOOP_OPTION_UNRECORDED) {
		snoop_warn(ft->s, "-s: cannot record options/func_stack_trace for the reaper (no synthetic events): if "
			   "functrace is killed, it stays on until turned off by hand");
		ft->stack_set = true;
	}
	after = option_value(top_path);
	if (top == '0' && after == '1')
		snoop_warn(ft->s, "-s: options/func_stack_trace is one flag for every tracefs instance on this kernel: "
			   "function tracers started elsewhere while functrace runs record stacks too; it is turned "
			   "off again at the end");
	return 0;
}

/* An instance lists only the tracers allowed in instances (function_graph
 * is not on older kernels such as 6.1). */
static bool instance_allows(struct functrace *ft, const char *tracer)
{
	char path[1024];
	bool found = false;
	char *s;

	instance_path(ft, "available_tracers", path, sizeof(path));
	s = snoop_read_file(path, NULL);
	if (!s)
		return true; /* let the write say what is wrong */
	for (char *tok = strtok(s, " \n"); tok && !found; tok = strtok(NULL, " \n"))
		found = strcmp(tok, tracer) == 0;
	free(s);
	return found;
}

/*
 * The function_graph settings that exist at the top level only and act on
 * every instance (6.12): another tracer's set_graph_function or
 * max_graph_depth narrows what -G sees. Read, never written: said once.
 */
static void warn_global_graph(struct functrace *ft)
{
	static const char *const files[] = { "set_graph_function", "set_graph_notrace", "max_graph_depth" };
	char path[1024];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *v, *nl;
		bool unset;

		snprintf(path, sizeof(path), "%s/%s", snoop_session_tracing_dir(ft->s), files[i]);
		v = snoop_read_file(path, NULL);
		if (!v)
			continue;
		unset = v[0] == '#' || v[0] == '\0' || v[0] == '\n' || strcmp(v, "0\n") == 0;
		nl = strchr(v, '\n');
		if (nl)
			*nl = '\0';
		if (!unset)
			snoop_warn(ft->s, "%s is set at the top level (another tracer's, starting '%.40s'): on this kernel "
				   "it applies to every function_graph tracer, so -G sees only what it lets through "
				   "(functrace leaves it as it is)", files[i], v);
		free(v);
	}
}

/* -G: every function goes through the instance's function_graph tracer
 * (graph.c keeps the calls below the -G functions), so the filter stays
 * empty on purpose; without -p that is every task's every call. */
static int setup_graph(struct functrace *ft)
{
	const struct snoop_opts *c = &ft->o->a.common;

	if (setup_pids(ft) < 0)
		return -1;
	warn_global_graph(ft);
	if (!c->pid && !c->tid)
		snoop_warn(ft->s, "-G without -p or -L: the kernel records every function call of every task and "
			   "functrace keeps those below the -G function: expect lost events on a busy machine");
	if (functrace_graph_init(ft) < 0)
		return -1;
	if (ft_tasks_track(ft) < 0)
		return -1;
	return 0;
}

static int select_tracer(struct functrace *ft, const char *tracer)
{
	char path[1024];
	int ret;


	instance_path(ft, "current_tracer", path, sizeof(path));
	ret = snoop_write_file(path, tracer, false);
	if (ret == -EPERM || ret == -EACCES) {
		const struct snoop_features *f = snoop_session_features(ft->s);

		ft->setup_status = FT_EXIT_UNAVAILABLE;
		if (f->lockdown)
			snoop_err(ft->s, "the kernel refused the %s tracer (%s): kernel lockdown (%s) forbids it", tracer,
				  strerror(-ret), f->lockdown_mode);
		else
			snoop_err(ft->s, "the kernel refused the %s tracer (%s): kernel lockdown or a security module "
				  "forbids it", tracer, strerror(-ret));
		return -1;
	}
	if (ret < 0) {
		snoop_err(ft->s, "cannot select the %s tracer in instance %s: %s", tracer,
			  snoop_session_instance_name(ft->s), strerror(-ret));
		return -1;
	}
	return 0;
}

int functrace_setup(struct functrace *ft)
{
	struct functrace_opts *o = ft->o;
	const char *tracer = o->graph || o->ngraph ? "function_graph" : "function";
	char *filter, *notrace;
	size_t n = 0, nfilter = 0;
	bool readable;

	if (!instance_allows(ft, tracer)) {
		struct utsname u;

		/* 6.1: its function_graph tracer has one user for the whole
		 * machine (register_ftrace_graph() is EBUSY for a second), so
		 * the kernel offers it at the top level only. */
		if (uname(&u) < 0)
			snprintf(u.release, sizeof(u.release), "?");
		ft->setup_status = FT_EXIT_UNAVAILABLE;
		snoop_err(ft->s, "this kernel (%s) does not allow the %s tracer in a tracefs instance (only at the top "
			  "level, shared by all tracers), and functrace never uses the top level: -g and -G need a "
			  "kernel whose instances list %s in available_tracers (6.12 does)", u.release, tracer, tracer);
		return -1;
	}
	if (snoop_session_instance_write(ft->s, "tracing_on", "0") < 0)
		return -1;
	if (o->ngraph) {
		if (setup_graph(ft) < 0)
			return -1;
		return select_tracer(ft, tracer);
	}
	if (setup_pids(ft) < 0)
		return -1;
	for (size_t i = 0; i < o->ninc; i++)
		if (add_pattern(ft, "set_ftrace_filter", &o->inc[i]) < 0)
			return -1;
	for (size_t i = 0; i < o->nexc; i++)
		if (add_pattern(ft, "set_ftrace_notrace", &o->exc[i]) < 0)
			return -1;

	/* The safety rail, checked on what the kernel actually took: an empty
	 * filter would trace everything; what the filter holds less what
	 * notrace holds is what gets traced, and is held to the same limit,
	 * with the same message and status, as the patterns were before
	 * anything was written (they differ only if our matching and the
	 * kernel's do). */
	filter = read_instance_file(ft, "set_ftrace_filter");
	notrace = filter ? read_instance_file(ft, "set_ftrace_notrace") : NULL;
	readable = filter && (o->nexc == 0 || notrace);
	if (readable && (n = ft_kernel_selected(filter, notrace, &nfilter)) == SIZE_MAX) {
		free(filter);
		free(notrace);
		snoop_err(ft->s, "out of memory reading the function filter back");
		return -1;
	}
	free(filter);
	free(notrace);
	if (!nfilter) {
		snoop_err(ft->s, "the function filter of instance %s is %s after writing the patterns: refusing to "
			  "trace every function", snoop_session_instance_name(ft->s), readable ? "empty" : "unreadable");
		return -1;
	}
	if ((ft->setup_status = ft_check_count(n, o->limit, o->force)))
		return -1;
	ft->nfuncs = n;

	if (setup_stack_option(ft) < 0)
		return -1;
	if (functrace_output_init(ft) < 0)
		return -1;
	if (ft_tasks_track(ft) < 0)
		return -1;
	return select_tracer(ft, tracer);
}
