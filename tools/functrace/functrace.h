/* SPDX-License-Identifier: GPL-2.0-or-later */
/* functrace's internals, shared by its files. */
#ifndef FUNCTRACE_H
#define FUNCTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <snoop/ksym.h>
#include <snoop/options.h>
#include <snoop/output.h>
#include <snoop/session.h>
#include <snoop/task.h>
#include <snoop/tool.h>
#include <snoop/top.h>

/* Exit statuses besides 0 and 1 (see the man page, EXIT STATUS). */
#define FT_EXIT_USAGE 64       /* bad options or patterns (argp's too) */
#define FT_EXIT_UNAVAILABLE 69 /* function tracer missing or refused */

#define FT_PATTERN_MAX 256

/* One PATTERN or -x PATTERN: "glob" or "glob:mod:module". */
struct ft_pattern {
	const char *arg;  /* as given */
	char *glob;       /* the function-name part ("*" for ":mod:m") */
	char *module;     /* the :mod: part, NULL for none */
	size_t matches;   /* functions of available_filter_functions it matches */
};

enum ft_by { FT_BY_FUNC, FT_BY_PID, FT_BY_COMM, FT_BY_CGROUP };

struct functrace_opts {
	/* The skeleton's (tool.h): the shared options, -i (also -c's and
	 * --latency's interval), --top-max, the session, the --top table. */
	struct snoop_tool_args a;
	struct ft_pattern *inc, *exc;
	size_t ninc, nexc;
	long limit;
	bool force;
	bool header;
	bool stack;
	bool count;
	double interval;
	enum ft_by by;
	/* -c/--top: the cgroup in the key (--by cgroup, or -C), its
	 * snoop_session_cgroup_key() in the count's key (output.c, top.c) */
	bool by_cgroup;
	bool graph;
	bool no_children;
	/* -G: the call graph below these functions (graph.c) */
	struct ft_pattern *graph_funcs;
	size_t ngraph;
	int depth;                /* --depth: levels shown, 0 all */
	uint64_t min_duration;    /* --min-duration, ns; 0 none */
	bool no_irq;              /* --no-irq */
	bool no_durations;        /* -D */
	/* --latency / --slower-than (latency.c): PATTERNs are function names */
	bool latency;             /* --latency: a histogram per function */
	uint64_t slower_than;     /* --slower-than, ns; 0 none */
	bool user_space;          /* --user-space: pair records even with hist triggers */
};

/* ---- patterns.c: parsing, and matching against the kernel's list ---- */

/* Parse arg into p (pointers into fresh allocations). 0, or -1 with a
 * one-line reason in err. */
int ft_pattern_parse(const char *arg, struct ft_pattern *p, char *err, size_t errlen);
void ft_pattern_free(struct ft_pattern *p);
/* The line to write to set_ftrace_filter/notrace for p. */
void ft_pattern_kernel_form(const struct ft_pattern *p, char *out, size_t outlen);

/*
 * Match the patterns against the text of available_filter_functions
 * (modified in place). Sets each pattern's matches; returns the number of
 * functions selected: matched by an include and by no exclude.
 */
size_t ft_match(char *list, struct ft_pattern *inc, size_t ninc, struct ft_pattern *exc, size_t nexc);

/*
 * What the kernel took: the number of functions of the text of
 * set_ftrace_filter that the text of set_ftrace_notrace (NULL: none) does
 * not list, i.e. what the function tracer will trace. Both texts are cut
 * in place; *nfilter (may be NULL) gets the filter's own count. SIZE_MAX
 * when out of memory.
 */
size_t ft_kernel_selected(char *filter, char *notrace, size_t *nfilter);

/*
 * The safety rail on a number of selected functions, the same before
 * anything is written (ft_match) and on what the kernel took: 0, or
 * FT_EXIT_USAGE after one line on stderr.
 */
int ft_check_count(size_t n, long limit, bool force);

struct functrace;

/* ---- comm.c: who a record's task is (the session's task cache) ---- */

/* Follow fork, exec and rename in the instance (snoop/task.h). */
int ft_tasks_track(struct functrace *ft);
/* What is known of the task pid: its name as the kernel recorded it
 * (comm "?" when unknown; the idle task is "swapper"). */
void ft_task(struct functrace *ft, int pid, struct snoop_task *t);
/* -n: the task's name is the one asked for (always true without -n). */
bool ft_comm_ok(struct functrace *ft, int pid);

/* ---- sym.c: kernel addresses as text and JSON, names escaped ---- */

/* FUNCTION (+0xOFF with offset and a non-zero offset), or 0xADDR when no
 * symbol covers addr (ksyms may be NULL). */
void ft_put_sym(const struct snoop_ksyms *ksyms, struct snoop_buf *b, uint64_t addr, bool offset);
/* "key":FUNCTION and, with modkey, "modkey":MODULE or null. */
void ft_json_sym(const struct snoop_ksyms *ksyms, struct snoop_json *j, const char *key, const char *modkey,
		 uint64_t addr);
/* One "FUNCTION+0xOFF" element of a stack array. */
void ft_json_stack_entry(const struct snoop_ksyms *ksyms, struct snoop_json *j, uint64_t addr);

/* ---- output.c: per-call lines, graph lines, counts ---- */

struct ft_counts;
struct ft_graph;
struct ft_lat;

struct functrace {
	struct functrace_opts *o;
	struct snoop_session *s;
	struct snoop_ksyms *ksyms;
	struct snoop_tasks *tasks;  /* the session's, from declare on */
	struct ft_counts *counts;
	size_t nfuncs;             /* functions selected */
	int setup_status;          /* exit status of a failed set-up (0: 1) */
	bool stack_set;            /* -s turned options/func_stack_trace on, unrecorded */
	/* Fields of the ftrace records. */
	struct tep_format_field *f_ip, *f_parent;
	struct tep_format_field *f_g_func, *f_g_depth, *f_gx_func, *f_gx_depth;
	struct tep_format_field *f_gx_calltime, *f_gx_rettime;
	struct tep_format_field *f_st_size, *f_st_caller;
	/* -s: per-CPU call waiting for its kernel_stack record. */
	struct ft_pending *pending;
	int npending;
	uint64_t calls;            /* records seen */
	uint64_t printed;
	unsigned int interval_no;
	struct snoop_tool tool;    /* its --top columns follow --by: */
	struct snoop_top_col top_cols[5];     /* COUNT, PROCS|PID, CGROUP, COMM, FUNCTION */
	struct ft_graph *graph;    /* -G, else NULL */
	uint64_t *graph_addrs;     /* -G functions' addresses */
	struct ft_lat *lat;        /* --latency/--slower-than, else NULL */
};

/* -s: a record held until its kernel_stack record (the next one of its
 * CPU) is read, then printed by emit with the stack, innermost first;
 * without one (depth 0, callers NULL) if it never comes. */
#define FT_STACK_MAX 128
typedef void (*ft_emit_fn)(struct functrace *ft, const struct snoop_record *r, void *what, uint64_t v,
			   const uint64_t *callers, int depth);
void ft_hold(struct functrace *ft, const struct snoop_record *r, ft_emit_fn emit, void *what, uint64_t v);
/* Declare ftrace:kernel_stack, which ends the holds. */
int ft_stack_events(struct functrace *ft);
/* The stack: "\t=> FUNCTION+0xOFF" lines; a "stack" array. */
void ft_put_stack(struct functrace *ft, struct snoop_buf *b, const uint64_t *callers, int depth);
void ft_json_stack(struct functrace *ft, struct snoop_json *j, const uint64_t *callers, int depth);

int functrace_setup(struct functrace *ft);
int functrace_output_init(struct functrace *ft);
void functrace_output_free(struct functrace *ft);
void functrace_finish(struct functrace *ft);
void functrace_print_header(struct functrace *ft);
/* Declare ftrace:funcgraph_entry/funcgraph_exit and find their fields. */
int ft_graph_events(struct functrace *ft, snoop_handler_fn on_entry, snoop_handler_fn on_exit);
/* The task columns (COMM PID CPU) of a line or record; -n's check. */
void ft_put_task(struct functrace *ft, struct snoop_buf *b, const struct snoop_record *r);
void ft_json_task(struct functrace *ft, struct snoop_json *j, const struct snoop_record *r);

/* ---- graph.c: -G, the call graph below a function ---- */
int functrace_graph_init(struct functrace *ft);
/* At the end: the "{" lines of calls still open that were held back. */
void functrace_graph_finish(struct functrace *ft);
void functrace_graph_free(struct functrace *ft);
int ft_parse_duration(const char *arg, uint64_t *ns);

/* ---- latency.c: --latency and --slower-than, kprobe + kretprobe pairs ---- */
int functrace_latency_setup(struct functrace *ft);
void functrace_latency_header(struct functrace *ft);
void functrace_latency_free(struct functrace *ft);

/* ---- top.c: --top, the count mode as a live table ---- */
/* The table's columns for --by (at the end of parsing). */
void functrace_top_cols(struct functrace *ft);
/* --by comm or pid: the task's name in the count's key. */
static inline bool ft_by_comm(const struct functrace_opts *o)
{
	return o->by == FT_BY_COMM || o->by == FT_BY_PID;
}
void functrace_top_hit(struct functrace *ft, uint64_t ip, int pid);

#endif
