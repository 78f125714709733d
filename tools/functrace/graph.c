// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -G FUNC: the call graph below FUNC, from the function_graph tracer of the
 * session's instance.
 *
 * The kernel's own tools for this (set_graph_function, max_graph_depth,
 * tracing_thresh, options/funcgraph-irqs) are one setting for the whole
 * machine on the kernels we know (6.12: no set_graph_function or
 * max_graph_depth in an instance, and funcgraph-irqs written in one
 * instance changes them all): writing them would change what every other
 * function_graph user sees. So the instance traces every function (of the
 * -p process, if given) and the selection is done here, on the binary
 * funcgraph_entry/funcgraph_exit records:
 *
 *  - a task enters a graph at the entry of a -G function and leaves it at
 *    that call's exit; records of a task outside a graph are dropped;
 *  - the kernel's depth (one per call nested in the task's return stack)
 *    pairs an exit with its entry, and is shown relative to the -G call;
 *  - --depth hides calls deeper than N levels, --no-irq those made in hard
 *    interrupt context (the record's flags say so), both before any
 *    bookkeeping;
 *  - --min-duration keeps a call tree per task until its -G call returns,
 *    folding every call shorter than the threshold into its parent's
 *    summary (count and time), so memory holds only slow calls.
 *
 * Without --min-duration, lines stream as records come: a call whose exit
 * is the next shown record of its task is one line "func();" as in the
 * kernel's funcgraph output, otherwise "func() {" ... "} func".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include <snoop/output.h>

#include "functrace.h"

/* common_flags bit of a record written in hard interrupt context
 * (TRACE_FLAG_HARDIRQ of kernel/trace/trace.h, stable since 2.6). */
#define FT_FLAG_HARDIRQ 0x08
#define FT_INDENT_MAX 64

/* --min-duration: a call kept because it was slow enough. */
struct fg_node {
	uint64_t func, ts, dur;
	int depth, cpu;
	uint64_t fast_n, fast_ns;  /* direct callees below the threshold */
	struct fg_node *kids, *last, *next;
};

/* An open call of a task. */
struct fg_frame {
	uint64_t func, ts;
	int kdepth, cpu;
	bool opened;               /* streaming: its "{" line is out */
	struct fg_node *node;      /* --min-duration */
};

struct fg_task {
	int pid;                   /* 0: free slot */
	int root_kdepth;           /* kernel depth of the -G call, -1: none */
	struct fg_frame *st;
	int n, cap;
};

struct ft_graph {
	struct fg_task *tasks;
	size_t cap, used;
	bool oom;
};

/* ---- tasks: an open-addressed table by pid ------------------------------ */

static struct fg_task *task_slot(struct fg_task *v, size_t cap, int pid)
{
	size_t i = ((size_t)(unsigned int)pid * 0x9e3779b1u) & (cap - 1);

	while (v[i].pid && v[i].pid != pid)
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static struct fg_task *task_of(struct ft_graph *g, int pid)
{
	struct fg_task *t;

	if ((g->used + 1) * 2 > g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 256;
		struct fg_task *nv = calloc(ncap, sizeof(*nv));

		if (!nv)
			return NULL;
		for (size_t i = 0; i < g->cap; i++)
			if (g->tasks[i].pid)
				*task_slot(nv, ncap, g->tasks[i].pid) = g->tasks[i];
		free(g->tasks);
		g->tasks = nv;
		g->cap = ncap;
	}
	t = task_slot(g->tasks, g->cap, pid);
	if (!t->pid) {
		t->pid = pid;
		t->root_kdepth = -1;
		g->used++;
	}
	return t;
}

static void node_free(struct fg_node *n)
{
	while (n) {
		struct fg_node *next = n->next;

		node_free(n->kids);
		free(n);
		n = next;
	}
}

/* ---- output --------------------------------------------------------------- */

enum fg_line { FG_OPEN, FG_LEAF, FG_CLOSE };

/* dur < 0 on an exit: the exit record never came (marked as such). */
static void text_line(struct functrace *ft, int pid, int cpu, uint64_t ts, enum fg_line kind, uint64_t func,
		      int depth, int64_t dur, const struct fg_node *sum)
{
	struct snoop_buf *b = snoop_session_out(ft->s);
	struct snoop_record r = { .pid = pid, .cpu = cpu, .ts = ts };

	snoop_session_put_time(ft->s, b, ts);
	ft_put_task(ft, b, &r);
	if (!ft->o->no_durations) {
		if (kind != FG_OPEN && dur >= 0)
			snoop_buf_printf(b, "%12.3f  ", (double)dur / 1000.0);
		else
			snoop_buf_printf(b, "%12s  ", "");
	}
	for (int i = 0; i < depth && i < FT_INDENT_MAX; i++)
		snoop_buf_adds(b, "  ");
	if (kind == FG_CLOSE)
		snoop_buf_adds(b, "} ");
	ft_put_sym(ft->ksyms, b, func, false);
	if (kind == FG_OPEN)
		snoop_buf_adds(b, "() {");
	else if (kind == FG_LEAF)
		snoop_buf_adds(b, "();");
	if (sum && sum->fast_n)
		snoop_buf_printf(b, "  /* +%llu faster call%s: %.3f us */", (unsigned long long)sum->fast_n,
				 sum->fast_n == 1 ? "" : "s", (double)sum->fast_ns / 1000.0);
	if (kind != FG_OPEN && dur < 0)
		snoop_buf_adds(b, "  /* exit not seen */");
	snoop_buf_addc(b, '\n');
}

/* Streaming: one entry or exit line (text), or record (JSON). */
static void stream_line(struct functrace *ft, int pid, const struct fg_frame *f, enum fg_line kind, int depth,
			uint64_t ts, int cpu, int64_t dur)
{
	if (!snoop_session_count_event(ft->s))
		return; /* -M reached */
	ft->printed++;
	if (ft->o->a.common.json) {
		struct snoop_buf *b = snoop_session_out(ft->s);
		struct snoop_record r = { .pid = pid, .cpu = cpu, .ts = ts };
		struct snoop_json j;

		snoop_json_begin(&j, b);
		ft_json_task(ft, &j, &r);
		snoop_json_cstr(&j, "type", kind == FG_OPEN ? "entry" : "exit");
		ft_json_sym(ft->ksyms, &j, "func", "module", f->func);
		snoop_json_int(&j, "depth", depth);
		if (kind != FG_OPEN && dur >= 0)
			snoop_json_int(&j, "duration_ns", dur);
		else if (kind != FG_OPEN)
			snoop_json_null(&j, "duration_ns"); /* the exit record never came */
		snoop_json_end(&j);
		return;
	}
	text_line(ft, pid, cpu, ts, kind, f->func, depth, dur, NULL);
}

/* --min-duration: a kept tree, in call order, when its -G call returned. */
static void print_tree(struct functrace *ft, int pid, const struct fg_node *n)
{
	for (; n; n = n->next) {
		if (!snoop_session_count_event(ft->s))
			return;
		ft->printed++;
		if (ft->o->a.common.json) {
			struct snoop_buf *b = snoop_session_out(ft->s);
			struct snoop_record r = { .pid = pid, .cpu = n->cpu, .ts = n->ts };
			struct snoop_json j;

			snoop_json_begin(&j, b);
			ft_json_task(ft, &j, &r);
			snoop_json_cstr(&j, "type", "call");
			ft_json_sym(ft->ksyms, &j, "func", "module", n->func);
			snoop_json_int(&j, "depth", n->depth);
			snoop_json_uint(&j, "duration_ns", n->dur);
			snoop_json_uint(&j, "faster_calls", n->fast_n);
			snoop_json_uint(&j, "faster_ns", n->fast_ns);
			snoop_json_end(&j);
			print_tree(ft, pid, n->kids);
			continue;
		}
		if (!n->kids) {
			text_line(ft, pid, n->cpu, n->ts, FG_LEAF, n->func, n->depth, (int64_t)n->dur, n);
			continue;
		}
		text_line(ft, pid, n->cpu, n->ts, FG_OPEN, n->func, n->depth, -1, NULL);
		print_tree(ft, pid, n->kids);
		text_line(ft, pid, n->cpu, n->ts + n->dur, FG_CLOSE, n->func, n->depth, (int64_t)n->dur, n);
	}
}

/* ---- the records ---------------------------------------------------------- */

/* Is func the address of a -G function? The record's func is where ftrace
 * hooked the function (its start, or past an ENDBR instruction): the
 * symbol that covers it is compared. */
static bool is_root(struct functrace *ft, uint64_t func)
{
	const struct snoop_ksym *k = snoop_ksym_lookup(ft->ksyms, func, NULL);

	if (!k)
		return false;
	for (size_t i = 0; i < ft->o->ngraph; i++)
		if (ft->graph_addrs[i] == k->addr)
			return true;
	return false;
}

static void drop_frame(struct fg_frame *f)
{
	node_free(f->node);
	f->node = NULL;
}

/*
 * Frames at kdepth or deeper ended without their exit record (lost
 * records, or a path the tracer does not see): streaming closes them with
 * a mark and no duration; --min-duration cannot judge them and drops them.
 */
static void pop_above(struct functrace *ft, struct fg_task *t, int kdepth)
{
	while (t->n && t->st[t->n - 1].kdepth >= kdepth) {
		struct fg_frame *f = &t->st[--t->n];

		if (!ft->o->min_duration)
			stream_line(ft, t->pid, f, f->opened ? FG_CLOSE : FG_LEAF, f->kdepth - t->root_kdepth, f->ts,
				    f->cpu, -1);
		drop_frame(f);
	}
	if (!t->n)
		t->root_kdepth = -1;
}

static void on_entry(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct functrace *ft = ctx;
	struct ft_graph *g = ft->graph;
	uint64_t func = snoop_field_u64(r, ft->f_g_func);
	int kdepth = (int)snoop_field_s64(r, ft->f_g_depth);
	struct fg_task *t;
	struct fg_frame *f;
	int depth;

	(void)s;
	ft->calls++;
	if (ft->o->no_irq && r->size > 2 && (((const unsigned char *)r->data)[2] & FT_FLAG_HARDIRQ))
		return;
	t = task_of(g, r->pid);
	if (!t)
		goto oom;
	pop_above(ft, t, kdepth);
	if (t->root_kdepth < 0) {
		if (!is_root(ft, func) || !ft_comm_ok(ft, r->pid))
			return;
		t->root_kdepth = kdepth;
	}
	depth = kdepth - t->root_kdepth;
	if (ft->o->depth && depth >= ft->o->depth)
		return;
	if (t->n == t->cap) {
		int ncap = t->cap ? t->cap * 2 : 16;
		struct fg_frame *nv = realloc(t->st, sizeof(*nv) * (size_t)ncap);

		if (!nv)
			goto oom;
		t->st = nv;
		t->cap = ncap;
	}
	if (!ft->o->min_duration && t->n && !t->st[t->n - 1].opened) {
		/* The parent has a callee: its line is "func() {". */
		f = &t->st[t->n - 1];
		f->opened = true;
		stream_line(ft, t->pid, f, FG_OPEN, f->kdepth - t->root_kdepth, f->ts, f->cpu, -1);
	}
	f = &t->st[t->n++];
	*f = (struct fg_frame){ .func = func, .ts = r->ts, .kdepth = kdepth, .cpu = r->cpu };
	if (ft->o->min_duration) {
		f->node = calloc(1, sizeof(*f->node));
		if (!f->node) {
			t->n--;
			goto oom;
		}
		*f->node = (struct fg_node){ .func = func, .ts = r->ts, .depth = depth, .cpu = r->cpu };
	} else if (ft->o->a.common.json) {
		/* JSON streams every entry as it comes. */
		f->opened = true;
		stream_line(ft, t->pid, f, FG_OPEN, depth, r->ts, r->cpu, -1);
	}
	return;
oom:
	if (!g->oom)
		snoop_err(ft->s, "out of memory keeping the call graph of task %d", r->pid);
	g->oom = true;
	snoop_session_stop(ft->s);
}

static void on_exit_rec(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct functrace *ft = ctx;
	struct ft_graph *g = ft->graph;
	uint64_t func = snoop_field_u64(r, ft->f_gx_func);
	int kdepth = (int)snoop_field_s64(r, ft->f_gx_depth);
	uint64_t calltime = snoop_field_u64(r, ft->f_gx_calltime), rettime = snoop_field_u64(r, ft->f_gx_rettime);
	struct fg_task *t;
	struct fg_frame *f;
	int64_t dur;
	int depth;

	(void)s;
	ft->calls++;
	if (!g->cap)
		return;
	t = task_slot(g->tasks, g->cap, r->pid);
	if (!t->pid || t->root_kdepth < 0)
		return;
	/* Frames deeper than this exit lost theirs. */
	pop_above(ft, t, kdepth + 1);
	if (!t->n)
		return;
	f = &t->st[t->n - 1];
	if (f->kdepth != kdepth || f->func != func)
		return; /* a hidden call (--depth, --no-irq) */
	t->n--;
	depth = kdepth - t->root_kdepth;
	/* The kernel's own clock for the call: calltime and rettime are one
	 * clock (the trace clock) read at entry and at exit. */
	dur = rettime >= calltime ? (int64_t)(rettime - calltime) : -1;
	if (!ft->o->min_duration) {
		stream_line(ft, t->pid, f, f->opened ? FG_CLOSE : FG_LEAF, depth, r->ts, r->cpu, dur);
	} else {
		struct fg_node *n = f->node;

		f->node = NULL;
		n->dur = dur > 0 ? (uint64_t)dur : 0;
		if (dur < 0 || n->dur < ft->o->min_duration) {
			if (t->n && t->st[t->n - 1].node) {
				t->st[t->n - 1].node->fast_n++;
				t->st[t->n - 1].node->fast_ns += n->dur;
			}
			node_free(n);
		} else if (t->n) {
			struct fg_node *p = t->st[t->n - 1].node;

			if (p->last)
				p->last->next = n;
			else
				p->kids = n;
			p->last = n;
		} else {
			print_tree(ft, t->pid, n);
			node_free(n);
		}
	}
	if (!t->n)
		t->root_kdepth = -1;
}

/* ---- set-up ---------------------------------------------------------------- */

int functrace_graph_init(struct functrace *ft)
{
	ft->graph = calloc(1, sizeof(*ft->graph));
	ft->graph_addrs = calloc(ft->o->ngraph, sizeof(*ft->graph_addrs));
	if (!ft->graph || !ft->graph_addrs) {
		snoop_err(ft->s, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < ft->o->ngraph; i++) {
		const struct ft_pattern *p = &ft->o->graph_funcs[i];
		const struct snoop_ksym *k = snoop_ksym_by_name(ft->ksyms, p->glob, p->module);

		/* Checked against available_filter_functions already (main.c):
		 * the name is a plain traceable function's. */
		if (!k) {
			snoop_err(ft->s, "-G %s: no such function in /proc/kallsyms", p->arg);
			return -1;
		}
		ft->graph_addrs[i] = k->addr;
	}
	if (ft_graph_events(ft, on_entry, on_exit_rec) < 0)
		return -1;
	if (!ft->f_g_func || !ft->f_g_depth || !ft->f_gx_func || !ft->f_gx_depth || !ft->f_gx_calltime ||
	    !ft->f_gx_rettime) {
		snoop_err(ft->s, "the funcgraph_entry/funcgraph_exit records of this kernel lack the func, depth, "
			  "calltime or rettime field");
		return -1;
	}
	return 0;
}

void functrace_graph_finish(struct functrace *ft)
{
	struct ft_graph *g = ft->graph;

	/* Streaming holds a call's entry until its task's next shown record
	 * says whether it is a leaf: a call still running at the end has
	 * its entry printed now (it did start; its exit did not come). With
	 * --min-duration an unfinished tree has no duration to judge by and
	 * is not printed. */
	if (ft->o->min_duration || ft->o->a.common.json)
		return;
	for (size_t i = 0; i < g->cap; i++) {
		struct fg_task *t = &g->tasks[i];

		for (int k = 0; t->pid && k < t->n; k++) {
			if (t->st[k].opened)
				continue;
			t->st[k].opened = true;
			stream_line(ft, t->pid, &t->st[k], FG_OPEN, t->st[k].kdepth - t->root_kdepth, t->st[k].ts,
				    t->st[k].cpu, -1);
		}
	}
}

void functrace_graph_free(struct functrace *ft)
{
	struct ft_graph *g = ft->graph;

	if (g) {
		for (size_t i = 0; i < g->cap; i++) {
			struct fg_task *t = &g->tasks[i];

			while (t->n)
				drop_frame(&t->st[--t->n]);
			free(t->st);
		}
		free(g->tasks);
		free(g);
	}
	ft->graph = NULL;
	free(ft->graph_addrs);
	ft->graph_addrs = NULL;
}

/* "500us", "2ms", "1.5s", "300ns"; a bare number is microseconds, as
 * perf-tools funcslower takes it. 0, or -1 on bad input. */
int ft_parse_duration(const char *arg, uint64_t *ns)
{
	static const struct { const char *unit; double mul; } units[] = {
		{ "", 1e3 }, { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || !(v > 0))
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) == 0) {
			double n = v * units[i].mul;

			if (n < 1 || n > 3600e9)
				return -1;
			*ns = (uint64_t)n;
			return 0;
		}
	}
	return -1;
}
